//! Which optional arrays and maps are plain `Vec`/map fields instead of `Option`s.
//!
//! An optional (not `nullable`) array or map is a plain collection, empty when absent and left
//! out when empty (`#[serde(default, skip_serializing_if = "..::is_empty")]`), because on the wire
//! absent and empty mean the same. It stays an `Option` where they differ:
//! - in types sent as the body of a `PUT` or `PATCH` operation (and the types inside them):
//!   an update where absent means "leave unchanged" and `[]` means "clear";
//! - when the schema documents a non-empty `default` (absent means that default, not empty);
//! - when `null` is allowed (`nullable`), or the field holds a secret.

use std::collections::{HashMap, HashSet};

use openapiv3::OpenAPI;

use super::passes::{Reach, Use};
use crate::ir::{Api, TypeKind, TypeRef};

/// Sets `Field::plain_collection` by the rule above, and the pagination of list operations to
/// match.
pub(super) fn mark_plain_collections(api: &mut Api, spec: &OpenAPI, reach: &Reach) {
    // Parts of the document as JSON, to read each property's `default` by the type's JSON pointer.
    let mut document = Document { spec, parts: HashMap::new() };
    let mut plain: HashMap<String, HashSet<String>> = HashMap::new();
    for def in &mut api.types {
        if reach.has(&def.name, Use::Update) {
            continue;
        }
        let TypeKind::Struct(s) = &mut def.kind else { continue };
        for f in &mut s.fields {
            let collection = matches!(f.ty, TypeRef::Vec(_) | TypeRef::Map(_));
            if !collection || f.required || f.nullable || f.tri_state || f.secret || f.boxed {
                continue;
            }
            if has_non_empty_default(&mut document, &def.origin, &f.wire) {
                continue;
            }
            f.plain_collection = true;
            plain.entry(def.name.clone()).or_default().insert(f.name.clone());
        }
    }
    for op in &mut api.operations {
        if let Some(p) = &mut op.pagination {
            if plain.get(&p.page_type).is_some_and(|fields| fields.contains(&p.data_field.0)) {
                p.data_field.1 = false;
            }
        }
    }
}

/// The spec read by JSON pointer. Only the component or path item a pointer starts in is
/// converted to JSON (once): converting the whole document cost a third tree as large as the
/// parsed one.
struct Document<'a> {
    spec: &'a OpenAPI,
    /// JSON of `/components/SECTION/NAME` or `/paths/PATH` (`None`: not there), by that pointer.
    parts: HashMap<String, Option<serde_json::Value>>,
}

impl Document<'_> {
    fn pointer(&mut self, pointer: &str) -> Option<&serde_json::Value> {
        let tokens: Vec<&str> = pointer.splitn(5, '/').collect();
        let (prefix_len, part) = match tokens.as_slice() {
            ["", "components", section, name, ..] => (3, self.component(section, &unescape(name))),
            ["", "paths", path, ..] => (2, self.path_item(&unescape(path))),
            _ => return None,
        };
        let prefix: String = tokens[..=prefix_len].join("/");
        let rest = &pointer[prefix.len()..];
        self.parts.entry(prefix).or_insert_with(|| part).as_ref()?.pointer(rest)
    }

    fn component(&self, section: &str, name: &str) -> Option<serde_json::Value> {
        let c = self.spec.components.as_ref()?;
        match section {
            "schemas" => json(c.schemas.get(name)),
            "responses" => json(c.responses.get(name)),
            "parameters" => json(c.parameters.get(name)),
            "requestBodies" => json(c.request_bodies.get(name)),
            "headers" => json(c.headers.get(name)),
            _ => serde_json::to_value(c).ok()?.get(section)?.get(name).cloned(),
        }
    }

    fn path_item(&self, path: &str) -> Option<serde_json::Value> {
        json(self.spec.paths.paths.get(path))
    }
}

fn json<T: serde::Serialize>(value: Option<&T>) -> Option<serde_json::Value> {
    serde_json::to_value(value?).ok()
}

/// For a type that is a whole component schema (`/components/schemas/NAME`, most types), the
/// `default` of its property `wire`, read from the model without converting anything to JSON:
/// what the JSON of that component holds at `properties/WIRE/default` (a `$ref` holds no
/// properties, and only object and untyped schemas have them). `None` for any other origin.
fn component_property_default<'s>(
    spec: &'s OpenAPI,
    origin: &str,
    wire: &str,
) -> Option<Option<&'s serde_json::Value>> {
    use openapiv3::{ReferenceOr, SchemaKind, Type};
    let name = origin.strip_prefix("/components/schemas/").filter(|name| !name.contains('/'))?;
    let schema = spec.components.as_ref().and_then(|c| c.schemas.get(&unescape(name)));
    let properties = match schema {
        Some(ReferenceOr::Item(schema)) => match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => Some(&object.properties),
            SchemaKind::Any(any) => Some(&any.properties),
            _ => None,
        },
        _ => None,
    };
    Some(match properties.and_then(|p| p.get(wire)) {
        Some(ReferenceOr::Item(property)) => property.schema_data.default.as_ref(),
        _ => None,
    })
}

/// A JSON pointer token decoded (RFC 6901).
fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Whether the property `wire` of the schema at `origin` documents a `default` other than `[]`
/// or `{}`.
fn has_non_empty_default(document: &mut Document<'_>, origin: &str, wire: &str) -> bool {
    let default = match component_property_default(document.spec, origin, wire) {
        Some(default) => default,
        None => {
            let escaped = wire.replace('~', "~0").replace('/', "~1");
            document.pointer(&format!("{origin}/properties/{escaped}/default"))
        }
    };
    let Some(default) = default else { return false };
    match default {
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Object(o) => !o.is_empty(),
        serde_json::Value::Null => false,
        _ => true,
    }
}
