//! The shape of an OpenAPI document as JSON: which member of which object holds what kind of
//! OpenAPI object. Bundling uses it to know what a `$ref` stands for (and to leave `$ref`s inside
//! examples and extensions alone); normalization uses it to locate deserialization errors.

use serde_json::Value;

/// What a node of an OpenAPI document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Document,
    Paths,
    PathItem,
    Operation,
    Callback,
    Responses,
    Response,
    RequestBody,
    MediaType,
    Encoding,
    Parameter,
    Header,
    Schema,
    Example,
    Link,
    SecurityScheme,
    Components,
}

impl Kind {
    /// The `components` section that holds named objects of this kind, if there is one. A
    /// `$ref` to a kind without a section (a path item, an operation) is copied in place.
    pub(crate) fn section(self) -> Option<&'static str> {
        Some(match self {
            Kind::Schema => "schemas",
            Kind::Response => "responses",
            Kind::Parameter => "parameters",
            Kind::Example => "examples",
            Kind::RequestBody => "requestBodies",
            Kind::Header => "headers",
            Kind::SecurityScheme => "securitySchemes",
            Kind::Link => "links",
            Kind::Callback => "callbacks",
            _ => return None,
        })
    }

    /// The kind of the objects in `components/<section>`.
    pub(crate) fn of_section(section: &str) -> Option<Kind> {
        Some(match section {
            "schemas" => Kind::Schema,
            "responses" => Kind::Response,
            "parameters" => Kind::Parameter,
            "examples" => Kind::Example,
            "requestBodies" => Kind::RequestBody,
            "headers" => Kind::Header,
            "securitySchemes" => Kind::SecurityScheme,
            "links" => Kind::Link,
            "callbacks" => Kind::Callback,
            "pathItems" => Kind::PathItem,
            _ => return None,
        })
    }
}

pub(crate) const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Which schemas' subschemas to list: all of JSON Schema's, or only those the 3.0 model reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Schemas {
    All,
    OpenApi30,
}

/// The members of `node` (a `kind`) that are themselves OpenAPI objects: `(path below node, kind)`.
/// Everything else (examples, extensions, enums, defaults) is data.
pub(crate) fn children(kind: Kind, node: &Value, schemas: Schemas) -> Vec<(Vec<String>, Kind)> {
    let mut out = Vec::new();
    any_child(kind, node, schemas, &mut |child| {
        let path = match child.step {
            None => vec![child.key.to_owned()],
            Some(Step::Member(name)) => vec![child.key.to_owned(), name.to_owned()],
            Some(Step::Index(i)) => vec![child.key.to_owned(), i.to_string()],
        };
        out.push((path, child.kind));
        false
    });
    out
}

/// One of the [`children`] of a node, borrowed: the member `key` of the node, then `step` into
/// it for a child inside a map or list.
pub(crate) struct Child<'v> {
    pub(crate) key: &'v str,
    pub(crate) step: Option<Step<'v>>,
    pub(crate) value: &'v Value,
    pub(crate) kind: Kind,
}

/// The second token of a child's path.
#[derive(Clone, Copy)]
pub(crate) enum Step<'v> {
    Member(&'v str),
    Index(usize),
}

/// Calls `f` on each of the [`children`] of `node` in the same order, without building their
/// paths, until it returns `true`; whether it did.
pub(crate) fn any_child<'v>(
    kind: Kind,
    node: &'v Value,
    schemas: Schemas,
    f: &mut dyn FnMut(Child<'v>) -> bool,
) -> bool {
    let Value::Object(map) = node else { return false };
    let single = |key: &str, kind: Kind, f: &mut dyn FnMut(Child<'v>) -> bool| match map.get_key_value(key) {
        Some((key, value)) if value.is_object() => f(Child { key, step: None, value, kind }),
        _ => false,
    };
    let each_in_map = |key: &str, kind: Kind, f: &mut dyn FnMut(Child<'v>) -> bool| match map.get_key_value(key) {
        Some((key, Value::Object(members))) => {
            members.iter().any(|(name, value)| f(Child { key, step: Some(Step::Member(name)), value, kind }))
        }
        _ => false,
    };
    let each_in_list = |key: &str, kind: Kind, f: &mut dyn FnMut(Child<'v>) -> bool| match map.get_key_value(key) {
        Some((key, Value::Array(items))) => {
            items.iter().enumerate().any(|(i, value)| f(Child { key, step: Some(Step::Index(i)), value, kind }))
        }
        _ => false,
    };
    let each_member = |kind: Kind, skip: &dyn Fn(&str) -> bool, f: &mut dyn FnMut(Child<'v>) -> bool| {
        map.iter().any(|(key, value)| !skip(key) && value.is_object() && f(Child { key, step: None, value, kind }))
    };
    match kind {
        Kind::Document => single("paths", Kind::Paths, f) || single("components", Kind::Components, f),
        Kind::Paths => each_member(Kind::PathItem, &|key| key.starts_with("x-"), f),
        Kind::PathItem => {
            METHODS.iter().any(|method| single(method, Kind::Operation, f))
                || each_in_list("parameters", Kind::Parameter, f)
        }
        Kind::Operation => {
            each_in_list("parameters", Kind::Parameter, f)
                || single("requestBody", Kind::RequestBody, f)
                || single("responses", Kind::Responses, f)
                || each_in_map("callbacks", Kind::Callback, f)
        }
        Kind::Callback => each_member(Kind::PathItem, &|key| key.starts_with("x-") || key == "$ref", f),
        Kind::Responses => each_member(Kind::Response, &|key| key.starts_with("x-"), f),
        Kind::Response => {
            each_in_map("headers", Kind::Header, f)
                || each_in_map("content", Kind::MediaType, f)
                || each_in_map("links", Kind::Link, f)
        }
        Kind::RequestBody => each_in_map("content", Kind::MediaType, f),
        Kind::MediaType => {
            single("schema", Kind::Schema, f)
                || each_in_map("examples", Kind::Example, f)
                || each_in_map("encoding", Kind::Encoding, f)
        }
        Kind::Encoding => each_in_map("headers", Kind::Header, f),
        Kind::Parameter | Kind::Header => {
            single("schema", Kind::Schema, f)
                || each_in_map("content", Kind::MediaType, f)
                || each_in_map("examples", Kind::Example, f)
        }
        Kind::Components => map.iter().any(|(section, members)| {
            let (Some(kind), Value::Object(members)) = (Kind::of_section(section), members) else { return false };
            members.iter().any(|(name, value)| f(Child { key: section, step: Some(Step::Member(name)), value, kind }))
        }),
        Kind::Schema => {
            let (maps, lists, singles): (&[&str], &[&str], &[&str]) = match schemas {
                Schemas::All => (SUBSCHEMA_MAPS, SUBSCHEMA_LISTS, SUBSCHEMA_SINGLE),
                Schemas::OpenApi30 => {
                    (&["properties"], &["allOf", "oneOf", "anyOf"], &["items", "additionalProperties", "not"])
                }
            };
            maps.iter().any(|key| each_in_map(key, Kind::Schema, f))
                || lists.iter().any(|key| each_in_list(key, Kind::Schema, f))
                || singles.iter().any(|key| single(key, Kind::Schema, f))
        }
        Kind::Example | Kind::Link | Kind::SecurityScheme => false,
    }
}

/// The keywords of JSON Schema whose members are schemas.
const SUBSCHEMA_MAPS: &[&str] = &["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];
/// The keywords of JSON Schema whose items are schemas.
const SUBSCHEMA_LISTS: &[&str] = &["allOf", "oneOf", "anyOf", "prefixItems", "items"];
/// The keywords of JSON Schema that hold one schema (when an object).
const SUBSCHEMA_SINGLE: &[&str] = &[
    "items",
    "additionalProperties",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
    "contentSchema",
];

/// Whether `f` returns `true` for any of the subschemas of the schema `node` (those
/// [`any_child`] lists with [`Schemas::All`]), visited in the order of the schema's keys: one pass
/// over its members instead of a lookup per keyword. For checks that do not depend on the order.
pub(crate) fn any_subschema(node: &Value, f: &mut dyn FnMut(&Value) -> bool) -> bool {
    let Value::Object(map) = node else { return false };
    map.iter().any(|(key, value)| {
        let key = key.as_str();
        (SUBSCHEMA_MAPS.contains(&key) && matches!(value, Value::Object(members) if members.values().any(&mut *f)))
            || (SUBSCHEMA_LISTS.contains(&key) && matches!(value, Value::Array(items) if items.iter().any(&mut *f)))
            || (SUBSCHEMA_SINGLE.contains(&key) && value.is_object() && f(value))
    })
}

/// The `$ref` of a reference object (`{"$ref": "..."}`, possibly with siblings).
pub(crate) fn reference(node: &Value) -> Option<&str> {
    node.get("$ref").and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `any_subschema` (one pass, document order) visits exactly the subschemas `any_child` lists.
    #[test]
    fn any_subschema_visits_what_any_child_lists() {
        let mut schema = serde_json::Map::new();
        for key in SUBSCHEMA_MAPS.iter().chain(SUBSCHEMA_LISTS).chain(SUBSCHEMA_SINGLE) {
            schema.insert((*key).to_owned(), serde_json::json!({ "a": { "type": "string" }, "b": true }));
        }
        schema.insert("items".into(), serde_json::json!([{ "type": "string" }, false]));
        schema.insert("not".into(), serde_json::json!(true));
        schema.insert("description".into(), serde_json::json!({ "x": {} }));
        schema.insert("example".into(), serde_json::json!([{}]));
        let node = Value::Object(schema);
        let mut listed: Vec<*const Value> = Vec::new();
        any_child(Kind::Schema, &node, Schemas::All, &mut |child| {
            assert_eq!(child.kind, Kind::Schema);
            listed.push(child.value);
            false
        });
        let mut visited: Vec<*const Value> = Vec::new();
        any_subschema(&node, &mut |child| {
            visited.push(child);
            false
        });
        assert!(listed.len() > SUBSCHEMA_MAPS.len() * 2);
        listed.sort();
        visited.sort();
        assert_eq!(listed, visited);
        // It stops at the first `true`.
        let mut calls = 0;
        assert!(any_subschema(&node, &mut |_| {
            calls += 1;
            true
        }));
        assert_eq!(calls, 1);
    }
}
