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
    let Value::Object(map) = node else { return out };
    let single = |key: &str, kind: Kind, out: &mut Vec<(Vec<String>, Kind)>| {
        if map.get(key).is_some_and(Value::is_object) {
            out.push((vec![key.to_owned()], kind));
        }
    };
    let each_in_map = |key: &str, kind: Kind, out: &mut Vec<(Vec<String>, Kind)>| {
        if let Some(Value::Object(members)) = map.get(key) {
            for name in members.keys() {
                out.push((vec![key.to_owned(), name.clone()], kind));
            }
        }
    };
    let each_in_list = |key: &str, kind: Kind, out: &mut Vec<(Vec<String>, Kind)>| {
        if let Some(Value::Array(items)) = map.get(key) {
            for i in 0..items.len() {
                out.push((vec![key.to_owned(), i.to_string()], kind));
            }
        }
    };
    match kind {
        Kind::Document => {
            single("paths", Kind::Paths, &mut out);
            single("components", Kind::Components, &mut out);
        }
        Kind::Paths => {
            for (key, value) in map {
                if !key.starts_with("x-") && value.is_object() {
                    out.push((vec![key.clone()], Kind::PathItem));
                }
            }
        }
        Kind::PathItem => {
            for method in METHODS {
                single(method, Kind::Operation, &mut out);
            }
            each_in_list("parameters", Kind::Parameter, &mut out);
        }
        Kind::Operation => {
            each_in_list("parameters", Kind::Parameter, &mut out);
            single("requestBody", Kind::RequestBody, &mut out);
            single("responses", Kind::Responses, &mut out);
            each_in_map("callbacks", Kind::Callback, &mut out);
        }
        Kind::Callback => {
            for (key, value) in map {
                if !key.starts_with("x-") && key != "$ref" && value.is_object() {
                    out.push((vec![key.clone()], Kind::PathItem));
                }
            }
        }
        Kind::Responses => {
            for (key, value) in map {
                if !key.starts_with("x-") && value.is_object() {
                    out.push((vec![key.clone()], Kind::Response));
                }
            }
        }
        Kind::Response => {
            each_in_map("headers", Kind::Header, &mut out);
            each_in_map("content", Kind::MediaType, &mut out);
            each_in_map("links", Kind::Link, &mut out);
        }
        Kind::RequestBody => each_in_map("content", Kind::MediaType, &mut out),
        Kind::MediaType => {
            single("schema", Kind::Schema, &mut out);
            each_in_map("examples", Kind::Example, &mut out);
            each_in_map("encoding", Kind::Encoding, &mut out);
        }
        Kind::Encoding => each_in_map("headers", Kind::Header, &mut out),
        Kind::Parameter | Kind::Header => {
            single("schema", Kind::Schema, &mut out);
            each_in_map("content", Kind::MediaType, &mut out);
            each_in_map("examples", Kind::Example, &mut out);
        }
        Kind::Components => {
            for (section, members) in map {
                let (Some(kind), Value::Object(members)) = (Kind::of_section(section), members) else { continue };
                for name in members.keys() {
                    out.push((vec![section.clone(), name.clone()], kind));
                }
            }
        }
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
            for key in maps {
                each_in_map(key, Kind::Schema, &mut out);
            }
            for key in lists {
                each_in_list(key, Kind::Schema, &mut out);
            }
            for key in singles {
                single(key, Kind::Schema, &mut out);
            }
        }
        Kind::Example | Kind::Link | Kind::SecurityScheme => {}
    }
    out
}

/// The `$ref` of a reference object (`{"$ref": "..."}`, possibly with siblings).
pub(crate) fn reference(node: &Value) -> Option<&str> {
    node.get("$ref").and_then(Value::as_str)
}
