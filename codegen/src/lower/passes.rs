//! Passes over the finished IR: one walk of the type graph ([`walk_uses`]) records what every
//! named type is used for, and the passes read it: directional `required` (readOnly/writeOnly),
//! tri-state optional nullable fields in request types, plain collections (in `collections`),
//! and the facts the emitters print ([`TypeUses`], [`TypeDef::features`]), so that no emitter
//! walks the type graph.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::ir::*;

/// What a walk of the type graph started from: what the types it reaches are used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Use {
    /// Sent in a request body.
    Request,
    /// Sent in the request body of a `PUT` or `PATCH` operation (an update).
    Update,
    /// Decoded from a documented success response.
    Response,
    /// Sent as query-like pairs: a query, header or cookie parameter, or a path parameter sent
    /// through `rt::path_styled` ([`Param::path_styled`]).
    Query,
    /// Sent as a `multipart/form-data` body. This use follows only aliases and `oneOf` branches
    /// that name a type, not fields: a field of a multipart body is one part, not a body.
    Multipart,
    /// Named by an operation of the module with this index (its parameters, body, success and
    /// error responses).
    Module(usize),
    /// Compiled whatever the tag features: a type no operation uses (a webhook payload), and
    /// everything it refers to.
    Always,
}

/// What each named type is used for, by index into [`Api::types`].
pub(super) struct Reach {
    uses: Vec<HashSet<Use>>,
    index: HashMap<String, usize>,
}

impl Reach {
    /// Whether the type `name` has the use `u`.
    pub(super) fn has(&self, name: &str, u: Use) -> bool {
        self.index.get(name).is_some_and(|&i| self.uses[i].contains(&u))
    }

    /// Every use of the type `name` (none for a type the walk does not know).
    fn uses_of(&self, name: &str) -> impl Iterator<Item = Use> + '_ {
        self.index.get(name).into_iter().flat_map(|&i| self.uses[i].iter().copied())
    }
}

/// Walks the type graph once from every operation's types, each start labelled with its
/// [`Use`]; a (type, use) pair is visited once. Edges: struct fields, additional properties
/// (map values), `oneOf` branches, alias targets, through lists and maps; [`Use::Multipart`]
/// follows named branches and alias targets only.
///
/// [`Use::Always`] is a second run of the same walk: its starts are the types the first run
/// found no operation using, so they are only known once it is done.
pub(super) fn walk_uses(api: &Api) -> Reach {
    let index: HashMap<&str, usize> = api.types.iter().enumerate().map(|(i, t)| (t.name.as_str(), i)).collect();
    let mut modules: Vec<&str> = Vec::new();
    let mut starts: Vec<(&TypeRef, Use)> = Vec::new();
    for op in &api.operations {
        let module = match modules.iter().position(|m| *m == op.module) {
            Some(i) => i,
            None => {
                modules.push(&op.module);
                modules.len() - 1
            }
        };
        let module = Use::Module(module);
        for p in &op.params {
            starts.push((&p.ty, module));
            if p.location != ParamIn::Path || p.path_styled() {
                starts.push((&p.ty, Use::Query));
            }
        }
        if let Some(body) = &op.body {
            starts.extend([(&body.ty, module), (&body.ty, Use::Request)]);
            if matches!(op.method.as_str(), "PUT" | "PATCH") {
                starts.push((&body.ty, Use::Update));
            }
            if body.encodings.contains(&Encoding::Multipart) && matches!(body.ty, TypeRef::Named(_)) {
                starts.push((&body.ty, Use::Multipart));
            }
        }
        for r in &op.responses {
            if let ResponseBody::Json(t) = &r.body {
                starts.extend([(t, module), (t, Use::Response)]);
            }
        }
        // Error bodies too: the operation's error enum names them.
        for e in &op.errors {
            if let ResponseBody::Json(t) = &e.body {
                starts.push((t, module));
            }
        }
    }
    let mut uses = vec![HashSet::new(); api.types.len()];
    let mut stack = Vec::new();
    for (t, u) in starts {
        push(t, u, &index, &mut stack);
    }
    walk(api, &index, stack, &mut uses);
    let unused: Vec<(usize, Use)> = (0..api.types.len())
        .filter(|&i| !uses[i].iter().any(|u| matches!(u, Use::Module(_))))
        .map(|i| (i, Use::Always))
        .collect();
    walk(api, &index, unused, &mut uses);
    Reach { uses, index: index.into_iter().map(|(name, i)| (name.to_owned(), i)).collect() }
}

/// Pushes the named types in `t` (through lists and maps) with the use `u`.
fn push(t: &TypeRef, u: Use, index: &HashMap<&str, usize>, stack: &mut Vec<(usize, Use)>) {
    match t {
        TypeRef::Vec(inner) | TypeRef::Map(inner) => push(inner, u, index, stack),
        TypeRef::Named(n) => stack.extend(index.get(n.as_str()).map(|&i| (i, u))),
        _ => {}
    }
}

fn walk(api: &Api, index: &HashMap<&str, usize>, mut stack: Vec<(usize, Use)>, uses: &mut [HashSet<Use>]) {
    while let Some((i, u)) = stack.pop() {
        if !uses[i].insert(u) {
            continue;
        }
        match (&api.types[i].kind, u) {
            (TypeKind::Untagged(vs), Use::Multipart) => {
                for v in vs.iter().filter(|v| matches!(v.ty, TypeRef::Named(_))) {
                    push(&v.ty, u, index, &mut stack);
                }
            }
            (TypeKind::Alias(t @ TypeRef::Named(_)), Use::Multipart) => push(t, u, index, &mut stack),
            (_, Use::Multipart) => {}
            (TypeKind::Struct(s), _) => {
                for t in s.fields.iter().map(|f| &f.ty).chain(s.additional.iter()) {
                    push(t, u, index, &mut stack);
                }
            }
            (TypeKind::Untagged(vs), _) => {
                for v in vs {
                    push(&v.ty, u, index, &mut stack);
                }
            }
            (TypeKind::Alias(t), _) => push(t, u, index, &mut stack),
            (TypeKind::Enum(_), _) => {}
        }
    }
}

/// A required `readOnly` field is not demanded in types sent in request bodies, and a required
/// `writeOnly` field is not demanded in types decoded from responses: on the side where it does
/// not apply, it becomes optional (`Option<T>`, left out when `None`). One type serves both sides,
/// so its name stays the same.
pub(super) fn relax_directional_required(api: &mut Api, reach: &Reach) {
    for def in &mut api.types {
        let request = reach.has(&def.name, Use::Request);
        let response = reach.has(&def.name, Use::Response);
        let TypeKind::Struct(s) = &mut def.kind else { continue };
        for f in &mut s.fields {
            if f.required && ((f.read_only && request) || (f.write_only && response)) {
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

/// Optional nullable fields of types sent in request bodies become tri-state, wherever the body
/// holds the type: in a field, a list, a map, a `oneOf` branch or additional properties.
pub(super) fn mark_tri_state(api: &mut Api, reach: &Reach) {
    for def in &mut api.types {
        if !reach.has(&def.name, Use::Request) {
            continue;
        }
        if let TypeKind::Struct(s) = &mut def.kind {
            for f in &mut s.fields {
                f.tri_state = !f.required && f.nullable;
            }
        }
    }
}

/// Records the facts the emitters print: how the operations use the types ([`Api::uses`]),
/// which tag features gate each type ([`TypeDef::features`]), and which generated modules use
/// deprecated items.
pub(super) fn record_uses(api: &mut Api, reach: &Reach) {
    let mut modules: Vec<&str> = Vec::new();
    for op in &api.operations {
        if !modules.contains(&op.module.as_str()) {
            modules.push(&op.module);
        }
    }
    let with = |u: Use| -> BTreeSet<String> {
        api.types.iter().filter(|t| reach.has(&t.name, u)).map(|t| t.name.clone()).collect()
    };
    let (query, multipart) = (with(Use::Query), with(Use::Multipart));

    let uses_deprecated = |def: &TypeDef| {
        def.deprecated || matches!(&def.kind, TypeKind::Struct(s) if s.fields.iter().any(|f| f.deprecated))
    };
    let mut deprecated_in_modules: BTreeSet<String> = api
        .operations
        .iter()
        .filter(|op| op.deprecated || op.params.iter().any(|p| p.deprecated))
        .map(|op| op.module.clone())
        .collect();
    let mut features = Vec::with_capacity(api.types.len());
    for def in &api.types {
        // One look-up of the type's uses, not one per module.
        let mut used_by: BTreeSet<&str> = BTreeSet::new();
        let mut always = false;
        for u in reach.uses_of(&def.name) {
            match u {
                Use::Module(i) => used_by.extend(modules.get(i)),
                Use::Always => always = true,
                _ => {}
            }
        }
        if uses_deprecated(def) {
            deprecated_in_modules.extend(used_by.iter().map(|m| (*m).to_owned()));
        }
        let gated = !always && used_by.len() < modules.len();
        features.push(if gated {
            used_by.into_iter().map(|m| crate::naming::unraw(m).to_owned()).collect()
        } else {
            Vec::new()
        });
    }
    let deprecated_in_models = api.types.iter().any(uses_deprecated);
    for (def, features) in api.types.iter_mut().zip(features) {
        def.features = features;
    }
    api.uses = TypeUses { query, multipart, deprecated_in_models, deprecated_in_modules };
}
