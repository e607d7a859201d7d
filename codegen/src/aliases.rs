//! Stage 4, after lowering: type aliases that name themselves (`S: {$ref: S}`, `A → B → A`, `S: {allOf: [$ref S]}`,
//! `S: {type: array, items: {$ref: S}}`) would be emitted as `pub type S = S;`, which does not
//! compile: they are refused with the location of the first schema of the cycle.

use std::collections::HashMap;

use crate::error::{Ctx, Error};
use crate::ir::{Api, TypeKind, TypeRef};

/// Fails on the first cycle made only of aliases (following `Vec` and map items too, which an
/// alias cannot hold either).
pub(crate) fn check(ctx: &Ctx, api: &Api) -> Result<(), Error> {
    let aliases: HashMap<&str, (&TypeRef, &str)> = api
        .types
        .iter()
        .filter_map(|t| match &t.kind {
            TypeKind::Alias(target) => Some((t.name.as_str(), (target, t.origin.as_str()))),
            _ => None,
        })
        .collect();
    // 0: not visited, 1: on the current path, 2: done.
    let mut state: HashMap<&str, u8> = HashMap::new();
    for t in &api.types {
        if !matches!(t.kind, TypeKind::Alias(_)) || state.contains_key(t.name.as_str()) {
            continue;
        }
        // Depth-first, iteratively: the path of aliases from `t` and, for each, its targets.
        let mut path: Vec<(&str, Vec<&str>)> =
            vec![(t.name.as_str(), alias_targets(aliases[t.name.as_str()].0, &aliases))];
        state.insert(t.name.as_str(), 1);
        while let Some((_, targets)) = path.last_mut() {
            let Some(next) = targets.pop() else {
                let (done, _) = path.pop().unwrap_or_default();
                state.insert(done, 2);
                continue;
            };
            match state.get(next).copied().unwrap_or(0) {
                0 => {
                    state.insert(next, 1);
                    path.push((next, alias_targets(aliases[next].0, &aliases)));
                }
                1 => {
                    let start = path.iter().position(|(name, _)| *name == next).unwrap_or(0);
                    let mut cycle: Vec<&str> = path[start..].iter().map(|(name, _)| aliases[name].1).collect();
                    cycle.push(aliases[next].1);
                    return Err(ctx.invalid(
                        aliases[next].1,
                        format!("the schema is defined only as itself (a cycle of references: {})", cycle.join(" → ")),
                    ));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// The aliases an alias's target names (directly or as the item of a list or map).
fn alias_targets<'a>(ty: &'a TypeRef, aliases: &HashMap<&str, (&TypeRef, &str)>) -> Vec<&'a str> {
    match ty {
        TypeRef::Named(name) if aliases.contains_key(name.as_str()) => vec![name.as_str()],
        TypeRef::Vec(inner) | TypeRef::Map(inner) => alias_targets(inner, aliases),
        _ => Vec::new(),
    }
}
