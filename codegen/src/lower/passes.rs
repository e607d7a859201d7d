//! Passes over the finished IR: directional `required` (readOnly/writeOnly), tri-state
//! optional nullable fields in request types, and how the operations use the types
//! ([`TypeUses`], so that the emitters do not walk the type graph for it).

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::ir::*;

/// Named types reachable from `roots` (through fields, extra members, branches, aliases, lists
/// and maps).
pub(super) fn reachable(api: &Api, roots: Vec<TypeRef>) -> HashSet<String> {
    let index: HashMap<&str, &TypeDef> = api.types.iter().map(|t| (t.name.as_str(), t)).collect();
    let mut stack = roots;
    let mut seen = HashSet::new();
    while let Some(t) = stack.pop() {
        match t {
            TypeRef::Vec(inner) | TypeRef::Map(inner) => stack.push(*inner),
            TypeRef::Named(n) if !seen.contains(&n) => {
                let Some(def) = index.get(n.as_str()) else { continue };
                match &def.kind {
                    TypeKind::Struct(s) => {
                        stack.extend(s.fields.iter().map(|f| f.ty.clone()));
                        stack.extend(s.additional.iter().cloned());
                    }
                    TypeKind::Untagged(vs) => stack.extend(vs.iter().map(|v| v.ty.clone())),
                    TypeKind::Alias(t) => stack.push(t.clone()),
                    TypeKind::Enum(_) => {}
                }
                seen.insert(n);
            }
            _ => {}
        }
    }
    seen
}

/// A required `readOnly` field is not demanded in types sent in request bodies, and a required
/// `writeOnly` field is not demanded in types decoded from responses: on the side where it does
/// not apply, it becomes optional (`Option<T>`, left out when `None`). One type serves both sides,
/// so its name stays the same.
pub(super) fn relax_directional_required(api: &mut Api) {
    let requests =
        reachable(api, api.operations.iter().filter_map(|op| op.body.as_ref().map(|b| b.ty.clone())).collect());
    let responses = reachable(
        api,
        api.operations
            .iter()
            .flat_map(|op| op.responses.iter())
            .filter_map(|r| match &r.body {
                ResponseBody::Json(t) => Some(t.clone()),
                _ => None,
            })
            .collect(),
    );
    for def in &mut api.types {
        let TypeKind::Struct(s) = &mut def.kind else { continue };
        for f in &mut s.fields {
            if f.required
                && ((f.read_only && requests.contains(&def.name)) || (f.write_only && responses.contains(&def.name)))
            {
                f.required = false;
                let note = if f.read_only {
                    "Read-only: set by the server; optional so that request bodies need not carry it."
                } else {
                    "Write-only: sent by the client; optional so that responses without it still decode."
                };
                f.doc = Some(match f.doc.take() {
                    Some(d) => format!("{d}\n\n{note}"),
                    None => note.to_owned(),
                });
            }
        }
    }
}

/// Optional nullable fields of types reachable from a request body become tri-state.
pub(super) fn mark_tri_state(api: &mut Api) {
    let index: HashMap<String, usize> = api.types.iter().enumerate().map(|(i, t)| (t.name.clone(), i)).collect();
    let mut stack: Vec<TypeRef> =
        api.operations.iter().filter_map(|op| op.body.as_ref().map(|b| b.ty.clone())).collect();
    let mut seen = HashSet::new();
    while let Some(t) = stack.pop() {
        match t {
            TypeRef::Vec(inner) | TypeRef::Map(inner) => stack.push(*inner),
            TypeRef::Named(n) if seen.insert(n.clone()) => {
                let Some(&i) = index.get(&n) else { continue };
                match &mut api.types[i].kind {
                    TypeKind::Struct(s) => {
                        for f in &mut s.fields {
                            f.tri_state = !f.required && f.nullable;
                            stack.push(f.ty.clone());
                        }
                    }
                    TypeKind::Untagged(vs) => stack.extend(vs.iter().map(|v| v.ty.clone())),
                    TypeKind::Alias(t) => stack.push(t.clone()),
                    TypeKind::Enum(_) => {}
                }
            }
            _ => {}
        }
    }
}

/// Records how the operations use the named types ([`Api::uses`]).
pub(super) fn record_uses(api: &mut Api) {
    let query = reachable(
        api,
        api.operations
            .iter()
            .flat_map(|op| op.params.iter())
            .filter(|p| p.location != ParamIn::Path || p.path_styled())
            .map(|p| p.ty.clone())
            .collect(),
    );
    let multipart = multipart_types(api);
    api.uses = TypeUses { query: query.into_iter().collect(), multipart };
}

/// Types sent as `multipart/form-data`, including the branches of a `oneOf` body and the
/// targets of aliases.
fn multipart_types(api: &Api) -> BTreeSet<String> {
    let by_name: HashMap<&str, &TypeDef> = api.types.iter().map(|t| (t.name.as_str(), t)).collect();
    let mut stack: Vec<&str> = api
        .operations
        .iter()
        .filter_map(|op| op.body.as_ref())
        .filter(|b| b.encodings.contains(&Encoding::Multipart))
        .filter_map(|b| match &b.ty {
            TypeRef::Named(n) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    let mut out = HashSet::new();
    while let Some(name) = stack.pop() {
        if !out.insert(name) {
            continue;
        }
        match by_name.get(name).map(|d| &d.kind) {
            Some(TypeKind::Untagged(vs)) => stack.extend(vs.iter().filter_map(|v| match &v.ty {
                TypeRef::Named(n) => Some(n.as_str()),
                _ => None,
            })),
            Some(TypeKind::Alias(TypeRef::Named(n))) => stack.push(n),
            _ => {}
        }
    }
    out.into_iter().map(str::to_owned).collect()
}
