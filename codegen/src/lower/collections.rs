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
    // The document as JSON, to read each property's `default` by the type's JSON pointer.
    let document = serde_json::to_value(spec).unwrap_or_default();
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
            if has_non_empty_default(&document, &def.origin, &f.wire) {
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

/// Whether the property `wire` of the schema at `origin` documents a `default` other than `[]`
/// or `{}`.
fn has_non_empty_default(document: &serde_json::Value, origin: &str, wire: &str) -> bool {
    let escaped = wire.replace('~', "~0").replace('/', "~1");
    let Some(default) = document.pointer(&format!("{origin}/properties/{escaped}/default")) else { return false };
    match default {
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Object(o) => !o.is_empty(),
        serde_json::Value::Null => false,
        _ => true,
    }
}
