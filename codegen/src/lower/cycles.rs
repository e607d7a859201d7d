//! Boxing members that would make a type contain itself (strongly connected components).

use std::collections::HashMap;

use crate::ir::*;

/// Boxes struct fields that would otherwise make a type contain itself.
pub(super) fn box_cycles(api: &mut Api) {
    // Direct edges: a type holds another by value (not through Vec or a map). A member must be
    // boxed when its type is in the same strongly connected component as the holder.
    let index: HashMap<&str, usize> = api.types.iter().enumerate().map(|(i, t)| (t.name.as_str(), i)).collect();
    let edges: Vec<Vec<usize>> = api
        .types
        .iter()
        .map(|t| {
            let refs: Vec<&TypeRef> = match &t.kind {
                TypeKind::Struct(s) => s.fields.iter().map(|f| &f.ty).collect(),
                TypeKind::Untagged(vs) => vs.iter().map(|v| &v.ty).collect(),
                TypeKind::Alias(ty) => vec![ty],
                TypeKind::Enum(_) => Vec::new(),
            };
            refs.into_iter().filter_map(|ty| direct(ty).and_then(|n| index.get(n.as_str()).copied())).collect()
        })
        .collect();
    let component = strongly_connected_components(&edges);
    let same_component = |from: usize, name: &str| index.get(name).is_some_and(|&to| component[to] == component[from]);
    // (type, member) pairs: a struct field or a oneOf branch that leads back to its own type.
    let mut to_box = Vec::new();
    for (ti, t) in api.types.iter().enumerate() {
        let members: Vec<&TypeRef> = match &t.kind {
            TypeKind::Struct(s) => s.fields.iter().map(|f| &f.ty).collect(),
            TypeKind::Untagged(vs) => vs.iter().map(|v| &v.ty).collect(),
            _ => continue,
        };
        for (mi, ty) in members.into_iter().enumerate() {
            if direct(ty).is_some_and(|target| same_component(ti, &target)) {
                to_box.push((ti, mi));
            }
        }
    }
    for (ti, mi) in to_box {
        match &mut api.types[ti].kind {
            TypeKind::Struct(s) => s.fields[mi].boxed = true,
            TypeKind::Untagged(vs) => vs[mi].boxed = true,
            _ => {}
        }
    }
}

/// The component id of every node (Kosaraju's algorithm, iterative so deep graphs cannot
/// overflow the stack).
fn strongly_connected_components(edges: &[Vec<usize>]) -> Vec<usize> {
    let n = edges.len();
    // 1. Nodes in order of finishing a depth-first search.
    let mut order = Vec::with_capacity(n);
    let mut visited = vec![false; n];
    for start in 0..n {
        if visited[start] {
            continue;
        }
        visited[start] = true;
        let mut stack = vec![(start, 0usize)];
        while let Some((node, next)) = stack.last_mut() {
            if let Some(&to) = edges[*node].get(*next) {
                *next += 1;
                if !visited[to] {
                    visited[to] = true;
                    stack.push((to, 0));
                }
            } else {
                order.push(*node);
                stack.pop();
            }
        }
    }
    // 2. Search the reversed graph in reverse finishing order: each search is one component.
    let mut reversed = vec![Vec::new(); n];
    for (from, tos) in edges.iter().enumerate() {
        for &to in tos {
            reversed[to].push(from);
        }
    }
    let mut component = vec![usize::MAX; n];
    let mut count = 0;
    for &start in order.iter().rev() {
        if component[start] != usize::MAX {
            continue;
        }
        component[start] = count;
        let mut stack = vec![start];
        while let Some(node) = stack.pop() {
            for &from in &reversed[node] {
                if component[from] == usize::MAX {
                    component[from] = count;
                    stack.push(from);
                }
            }
        }
        count += 1;
    }
    component
}

fn direct(ty: &TypeRef) -> Option<String> {
    match ty {
        TypeRef::Named(n) => Some(n.clone()),
        _ => None,
    }
}
