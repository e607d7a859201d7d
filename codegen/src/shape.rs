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
                Schemas::All => (
                    &["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"],
                    &["allOf", "oneOf", "anyOf", "prefixItems", "items"],
                    &[
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
                    ],
                ),
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

/// The `$ref` of a reference object (`{"$ref": "..."}`, possibly with siblings).
pub(crate) fn reference(node: &Value) -> Option<&str> {
    node.get("$ref").and_then(Value::as_str)
}
