//! Stage 3: lower the OpenAPI 3.1 constructs that `openapiv3` (a 3.0 model) cannot hold,
//! then deserialize into `openapiv3::OpenAPI` with located errors.
//!
//! Its version check, [`check_document`], also runs first of all, before stage 2, so that
//! bundling only ever looks inside an OpenAPI 3.0/3.1 document.

use serde_json::{Map, Value};

use crate::error::{ptr, Ctx, Error};
use crate::shape::{self, Kind, Schemas};

/// Checks the version, rewrites 3.1 schema forms into their 3.0 equivalents and parses the result.
///
/// The document is consumed while it is read (its strings move into the model, and the JSON tree
/// is freed as it goes), so a document that does not deserialize is asked for again with
/// `again` (loaded and bundled once more) to locate the error: only a failing document pays
/// for that.
pub(crate) fn normalize(
    ctx: &Ctx,
    doc: Value,
    again: &dyn Fn() -> Result<Value, Error>,
) -> Result<openapiv3::OpenAPI, Error> {
    let doc = prepare(ctx, doc)?;
    match <openapiv3::OpenAPI as serde::Deserialize>::deserialize(doc) {
        Ok(spec) => Ok(spec),
        Err(_) => {
            let doc = prepare(ctx, again()?)?;
            // Tracking the path costs an allocation per member; only a document that fails pays it.
            Err(locate(ctx, &doc, Kind::Document, ""))
        }
    }
}

/// The 3.1 → 3.0 rewrites of [`normalize`], before deserializing.
fn prepare(ctx: &Ctx, mut doc: Value) -> Result<Value, Error> {
    check_document(ctx, &doc)?;
    let Value::Object(root) = &mut doc else {
        return Err(ctx.invalid("", "the document is not a mapping"));
    };
    root.insert("openapi".into(), Value::String("3.0.3".into()));
    root.remove("webhooks");
    root.remove("jsonSchemaDialect");
    if !root.contains_key("paths") {
        root.insert("paths".into(), Value::Object(Map::new()));
    }
    if !root.contains_key("info") {
        return Err(ctx.invalid("", "the document has no `info`"));
    }
    walk(&mut doc, Place::Root, false);
    each_node(&mut doc, Kind::Document, &mut |kind, node| {
        // 3.1 makes `responses` optional: an operation without it documents no responses.
        if let (Kind::Operation, Value::Object(op)) = (kind, node) {
            op.entry("responses").or_insert_with(|| Value::Object(Map::new()));
        }
    });
    Ok(doc)
}

/// Refuses what is not an OpenAPI 3.0/3.1 document (before anything else looks inside it).
pub(crate) fn check_document(ctx: &Ctx, doc: &Value) -> Result<(), Error> {
    let Value::Object(root) = doc else {
        return Err(ctx.invalid("", "the document is not a mapping"));
    };
    if root.contains_key("swagger") {
        return Err(ctx.unsupported("/swagger", "swagger 2.0 documents are not supported; convert to OpenAPI 3"));
    }
    match root.get("openapi") {
        Some(Value::String(v)) if v.starts_with("3.0") || v.starts_with("3.1") => {}
        Some(Value::String(v)) => {
            return Err(ctx.unsupported("/openapi", format!("OpenAPI version {v} is not supported (3.0 and 3.1 are)")))
        }
        Some(_) => return Err(ctx.invalid("/openapi", "`openapi` must be a version string such as \"3.1.0\"")),
        None => return Err(ctx.invalid("", "not an OpenAPI document: there is no `openapi` field")),
    }
    Ok(())
}

/// Calls `f` on every OpenAPI object of the document but schemas (parents before children)
/// with its kind.
fn each_node(node: &mut Value, kind: Kind, f: &mut dyn FnMut(Kind, &mut Value)) {
    if kind == Kind::Schema {
        return;
    }
    f(kind, node);
    // The paths of the children that are not schemas (each component schema would cost one).
    let mut paths: Vec<(String, Option<String>, Kind)> = Vec::new();
    shape::any_child(kind, node, Schemas::All, &mut |child| {
        if child.kind != Kind::Schema {
            let step = child.step.map(|step| match step {
                shape::Step::Member(name) => name.to_owned(),
                shape::Step::Index(i) => i.to_string(),
            });
            paths.push((child.key.to_owned(), step, child.kind));
        }
        false
    });
    for (key, step, child_kind) in paths {
        let mut child = Some(&mut *node);
        for token in std::iter::once(&key).chain(&step) {
            child = child.and_then(|c| match c {
                Value::Object(map) => map.get_mut(token),
                Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
                _ => None,
            });
        }
        if let Some(child) = child {
            each_node(child, child_kind, f);
        }
    }
}

/// The deepest OpenAPI object below `node` that does not deserialize, with the reason: a
/// failing child is blamed before its parent. (serde's flattened members, which every
/// `openapiv3` type has, lose the path of an error below them.)
fn locate(ctx: &Ctx, node: &Value, kind: Kind, at: &str) -> Error {
    for (path, child_kind) in shape::children(kind, node, Schemas::OpenApi30) {
        let mut child_at = at.to_owned();
        let mut child = Some(node);
        for token in &path {
            child_at = ptr(&child_at, token);
            child = child.and_then(|c| match c {
                Value::Object(map) => map.get(token),
                Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            });
        }
        if let Some(child) = child {
            if check(child, child_kind).is_err() {
                return locate(ctx, child, child_kind, &child_at);
            }
        }
    }
    match check(node, kind) {
        Err((path, message)) => ctx.invalid(&format!("{at}{path}"), message),
        Ok(()) => ctx.invalid(at, "the document does not deserialize"),
    }
}

/// Deserializes `node` as what `kind` is in the 3.0 model; the error with its path below `node`.
fn check(node: &Value, kind: Kind) -> Result<(), (String, String)> {
    use openapiv3::*;
    match kind {
        Kind::Document => deserialize_path::<OpenAPI>(node),
        Kind::Paths => deserialize_path::<Paths>(node),
        Kind::PathItem => deserialize_path::<ReferenceOr<PathItem>>(node),
        Kind::Operation => deserialize_path::<Operation>(node),
        Kind::Callback => deserialize_path::<ReferenceOr<Callback>>(node),
        Kind::Responses => deserialize_path::<Responses>(node),
        Kind::Response => deserialize_path::<ReferenceOr<Response>>(node),
        Kind::RequestBody => deserialize_path::<ReferenceOr<RequestBody>>(node),
        Kind::MediaType => deserialize_path::<MediaType>(node),
        Kind::Encoding => deserialize_path::<Encoding>(node),
        Kind::Parameter => deserialize_path::<ReferenceOr<Parameter>>(node),
        Kind::Header => deserialize_path::<ReferenceOr<Header>>(node),
        Kind::Schema => deserialize_path::<ReferenceOr<Schema>>(node),
        Kind::Example => deserialize_path::<ReferenceOr<Example>>(node),
        Kind::Link => deserialize_path::<ReferenceOr<Link>>(node),
        Kind::SecurityScheme => deserialize_path::<ReferenceOr<SecurityScheme>>(node),
        Kind::Components => deserialize_path::<Components>(node),
    }
}

/// Walks the document; every value under a `schema` key, or in `components/schemas`, is lowered.
/// `place` says whether `value` is the document's root or its `components` (the only places
/// where a key's meaning depends on where it is).
fn walk(value: &mut Value, place: Place, in_component_schemas: bool) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if in_component_schemas || key == "schema" {
                    lower_schema(child);
                } else {
                    let child_place =
                        if place == Place::Root && key == "components" { Place::Components } else { Place::Other };
                    walk(child, child_place, place == Place::Components && key == "schemas");
                }
            }
        }
        Value::Array(items) => {
            for child in items.iter_mut() {
                walk(child, Place::Other, false);
            }
        }
        _ => {}
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Root,
    Components,
    Other,
}

const SUBSCHEMA_MAPS: &[&str] = &["properties", "patternProperties", "$defs", "definitions"];
const SUBSCHEMA_LISTS: &[&str] = &["allOf", "oneOf", "anyOf", "prefixItems"];
const SUBSCHEMA_SINGLE: &[&str] = &["items", "additionalProperties", "not", "contains"];

/// Rewrites one schema (and its subschemas) from JSON Schema 2020-12 into OpenAPI 3.0 form.
fn lower_schema(schema: &mut Value) {
    let map = match schema {
        Value::Bool(true) => {
            *schema = Value::Object(Map::new());
            return;
        }
        Value::Bool(false) => {
            *schema = serde_json::json!({ "not": {} });
            return;
        }
        Value::Object(map) => map,
        _ => return,
    };
    // One pass over the keys says which rewrites can apply: most schemas need none, and each
    // lookup hashes its key.
    let mut rewrite = false;
    for key in map.keys() {
        if matches!(
            key.as_str(),
            "$ref" | "type" | "anyOf" | "oneOf" | "const" | "examples" | "exclusiveMinimum" | "exclusiveMaximum"
        ) {
            rewrite = true;
            break;
        }
    }
    if rewrite {
        rewrite_schema(map);
    }
    for (key, child) in map.iter_mut() {
        let key = key.as_str();
        if SUBSCHEMA_MAPS.contains(&key) {
            if let Value::Object(children) = child {
                children.values_mut().for_each(lower_schema);
            }
        } else if SUBSCHEMA_LISTS.contains(&key) {
            if let Value::Array(children) = child {
                children.iter_mut().for_each(lower_schema);
            }
        }
        if SUBSCHEMA_SINGLE.contains(&key) && (!child.is_boolean() || key != "additionalProperties") {
            lower_schema(child);
        }
    }
}

/// The rewrites of [`lower_schema`] on one schema's own keywords (not its subschemas).
fn rewrite_schema(map: &mut Map<String, Value>) {
    // `$ref` with sibling keywords: 3.0 ignores the siblings, so wrap the reference in an allOf.
    if map.contains_key("$ref") && map.len() > 1 {
        let reference = map.remove("$ref").unwrap_or(Value::Null);
        let mut wrapper = std::mem::take(map);
        wrapper.insert("allOf".into(), Value::Array(vec![serde_json::json!({ "$ref": reference })]));
        *map = wrapper;
    }

    // `type: [string, 'null']` becomes `type: string, nullable: true`.
    if let Some(Value::Array(types)) = map.get("type") {
        let mut nullable = false;
        let mut others = Vec::new();
        for t in types {
            match t.as_str() {
                Some("null") => nullable = true,
                Some(other) => others.push(other.to_owned()),
                None => {}
            }
        }
        map.remove("type");
        if others.len() == 1 {
            map.insert("type".into(), Value::String(others.remove(0)));
        } else if others.len() > 1 {
            map.insert("x-types".into(), Value::Array(others.into_iter().map(Value::String).collect()));
        }
        if nullable {
            map.insert("nullable".into(), Value::Bool(true));
        }
    } else if map.get("type").and_then(Value::as_str) == Some("null") {
        map.remove("type");
        map.insert("nullable".into(), Value::Bool(true));
    }

    // `anyOf`/`oneOf` with a `{type: null}` branch is 3.1's way to say nullable.
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = map.get_mut(key) {
            let before = branches.len();
            branches.retain(|b| b.get("type").and_then(Value::as_str) != Some("null"));
            if branches.len() != before {
                map.insert("nullable".into(), Value::Bool(true));
                if let Some(Value::Array(branches)) = map.get(key) {
                    if branches.len() == 1 {
                        let only = branches[0].clone();
                        map.remove(key);
                        map.insert("allOf".into(), Value::Array(vec![only]));
                    }
                }
            }
        }
    }

    if let Some(c) = map.remove("const") {
        if !map.contains_key("enum") {
            map.insert("enum".into(), Value::Array(vec![c]));
        }
    }
    if let Some(Value::Array(mut examples)) = map.remove("examples") {
        if !map.contains_key("example") && !examples.is_empty() {
            map.insert("example".into(), examples.swap_remove(0));
        }
    }
    for (exclusive, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(n @ Value::Number(_)) = map.get(exclusive).cloned() {
            map.insert(bound.into(), n);
            map.insert(exclusive.into(), Value::Bool(true));
        }
    }
    // A 3.0 array needs `items`; 3.1 allows it to be missing.
    if map.get("type").and_then(Value::as_str) == Some("array") && !map.contains_key("items") {
        map.insert("items".into(), Value::Object(Map::new()));
    }
}

/// Deserializes `node` as a `T`; on failure, the failing place below `node` as a JSON pointer
/// (tracking the path costs an allocation per member, so only a failing node pays it).
fn deserialize_path<T: serde::de::DeserializeOwned>(node: &Value) -> Result<(), (String, String)> {
    if T::deserialize(node).is_ok() {
        return Ok(());
    }
    serde_path_to_error::deserialize::<_, T>(node).map(drop).map_err(|e| {
        let mut pointer = String::new();
        for segment in e.path().iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => pointer = ptr(&pointer, &index.to_string()),
                serde_path_to_error::Segment::Map { key } => pointer = ptr(&pointer, key),
                serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
            }
        }
        (pointer, e.into_inner().to_string())
    })
}
