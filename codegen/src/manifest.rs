//! The public API of a generated client as reviewable text, and what changed between two
//! versions of it.
//!
//! [`manifest`] is a pure function of the IR: one block per operation (its method on `Client`,
//! HTTP method and path, result, positional arguments and optional setters) and one per type
//! (its fields, variants or target), each member with its Rust type. Items are sorted by name,
//! so the text changes only where the API does. [`diff`] compares two manifests and classifies
//! every difference:
//!
//! - **breaking**: code that compiled against the old client may not compile or may behave
//!   differently (an item or member removed, a type changed, a field or parameter became
//!   required or optional, a required argument added, an enum lost a variant);
//! - **additive**: new API (an operation, a type, an optional field or setter, an enum variant;
//!   string enums are `#[non_exhaustive]`). Adding an optional field is additive for code that
//!   builds models with `new`; struct literals naming every field do not compile any more;
//! - **docs-only**: the Rust API is unchanged (documentation, deprecation, the HTTP path, the
//!   name of a positional argument).

use std::collections::BTreeMap;
use std::fmt;

use quote::quote;

use crate::ir::{Api, Operation, ResponseBody, TypeDef, TypeKind};

/// The first line of the manifest file.
pub const HEADER: &str = "# Public API of the generated client.";

/// The manifest of `api` (see the module docs); `regen_command` is named in the header.
pub fn manifest(api: &Api, regen_command: &str) -> String {
    let mut out = format!(
        "{HEADER} Written by `{regen_command}`; review it like code.\n\
         # One block per operation (method on `Client`) and per type; \
         `arg` = positional argument, `option` = builder setter.\n"
    );
    let mut ops: Vec<&Operation> = api.operations.iter().collect();
    ops.sort_by(|a, b| a.fn_name.cmp(&b.fn_name));
    for op in ops {
        out.push('\n');
        out.push_str(&operation(op));
    }
    let mut types: Vec<&TypeDef> = api.types.iter().collect();
    types.sort_by(|a, b| a.name.cmp(&b.name));
    for def in types {
        out.push('\n');
        out.push_str(&type_def(def));
    }
    out
}

/// Rust type text from tokens: `Option < Vec < A > >` → `Option<Vec<A>>`.
fn type_text(tokens: proc_macro2::TokenStream) -> String {
    let text: String = tokens.to_string().chars().filter(|c| !c.is_whitespace()).collect();
    text.replace(',', ", ")
        .replace("::std::collections::", "")
        .replace("::serde_json::", "serde_json::")
        .replace("::bytes::", "bytes::")
}

fn rust_type(t: &crate::ir::TypeRef) -> String {
    type_text(crate::emit::ty(t, &quote!()))
}

fn first_line(doc: Option<&str>) -> Option<String> {
    let line = doc?.lines().map(str::trim).find(|l| !l.is_empty())?;
    let mut end = line.len().min(120);
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    Some(if end < line.len() { format!("{}...", &line[..end]) } else { line.to_owned() })
}

fn operation(op: &Operation) -> String {
    let result = match &op.response_enum {
        Some(name) => name.clone(),
        None => match &op.responses[0].body {
            ResponseBody::Empty => "()".to_owned(),
            ResponseBody::Json(t) => rust_type(t),
            ResponseBody::Text => "String".to_owned(),
            ResponseBody::Bytes => "bytes::Bytes".to_owned(),
        },
    };
    let mut out = format!("operation {}: {} {} -> {result}\n", op.fn_name, op.method, op.path);
    if let Some(doc) = first_line(op.summary.as_deref().or(op.description.as_deref())) {
        out.push_str(&format!("  doc: {doc}\n"));
    }
    if op.deprecated {
        out.push_str("  deprecated\n");
    }
    for p in op.params.iter().filter(|p| p.required) {
        out.push_str(&format!("  arg {}: {}\n", p.name, rust_type(&p.ty)));
    }
    if let Some(body) = op.body.as_ref().filter(|b| b.required) {
        out.push_str(&format!("  arg body: {}\n", rust_type(&body.ty)));
    }
    for p in op.params.iter().filter(|p| !p.required) {
        out.push_str(&format!("  option {}: {}\n", p.name, rust_type(&p.ty)));
    }
    if let Some(body) = op.body.as_ref().filter(|b| !b.required) {
        out.push_str(&format!("  option body: {}\n", rust_type(&body.ty)));
    }
    if op.response_enum.is_some() {
        for r in &op.responses {
            let body = match &r.body {
                ResponseBody::Empty => "()".to_owned(),
                ResponseBody::Json(t) => rust_type(t),
                ResponseBody::Text => "String".to_owned(),
                ResponseBody::Bytes => "bytes::Bytes".to_owned(),
            };
            out.push_str(&format!("  response {}: {body}\n", r.variant));
        }
    }
    // The variants of the operation's error enum (`send_typed`), with the statuses they stand for.
    for e in &op.errors {
        let body = match &e.body {
            ResponseBody::Empty => "()".to_owned(),
            ResponseBody::Json(t) => rust_type(t),
            ResponseBody::Text => "String".to_owned(),
            ResponseBody::Bytes => "bytes::Bytes".to_owned(),
        };
        let status = match e.status {
            crate::ir::ErrorStatus::Code(c) => c.to_string(),
            crate::ir::ErrorStatus::Range(r) => format!("{r}XX"),
            crate::ir::ErrorStatus::Default => "default".to_owned(),
        };
        out.push_str(&format!("  error {}: {body} ({status})\n", e.variant));
    }
    out
}

fn type_def(def: &TypeDef) -> String {
    let kind = match &def.kind {
        TypeKind::Struct(_) => "struct".to_owned(),
        TypeKind::Enum(_) => "enum".to_owned(),
        TypeKind::Untagged(_) => "one of".to_owned(),
        TypeKind::Alias(t) => format!("alias of {}", rust_type(t)),
    };
    let mut out = format!("type {}: {kind}\n", def.name);
    if let Some(doc) = first_line(def.doc.as_deref()) {
        out.push_str(&format!("  doc: {doc}\n"));
    }
    if def.deprecated {
        out.push_str("  deprecated\n");
    }
    match &def.kind {
        TypeKind::Struct(s) => {
            for f in &s.fields {
                let required = if f.required { "required" } else { "optional" };
                out.push_str(&format!("  field {}: {}, {required}\n", f.name, type_text(crate::emit::field_type(f))));
            }
            if let Some(t) = &s.additional {
                out.push_str(&format!("  field additional_properties: BTreeMap<String, {}>, optional\n", rust_type(t)));
            }
        }
        TypeKind::Enum(e) => {
            for v in &e.variants {
                out.push_str(&format!("  variant {} = {:?}\n", v.name, v.wire));
            }
        }
        TypeKind::Untagged(variants) => {
            for v in variants {
                out.push_str(&format!("  variant {}({})\n", v.name, rust_type(&v.ty)));
            }
        }
        TypeKind::Alias(_) => {}
    }
    out
}

/// How a change affects code that uses the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// Code that compiled may not compile, or may behave differently.
    Breaking,
    /// New API; existing code is unaffected.
    Additive,
    /// The Rust API is unchanged.
    DocsOnly,
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Class::Breaking => "breaking",
            Class::Additive => "additive",
            Class::DocsOnly => "docs-only",
        })
    }
}

/// One difference between two manifests.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Its class.
    pub class: Class,
    /// What changed, naming the item (`field `OAuthClient.name` became optional`).
    pub text: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.class, self.text)
    }
}

/// One operation or type block of a manifest.
#[derive(Debug, Default)]
struct Item {
    /// After `operation name: ` or `type name: `.
    head: String,
    doc: Option<String>,
    deprecated: bool,
    /// Positional arguments in order: (name, type).
    args: Vec<(String, String)>,
    /// Other members by (kind, name): type and flags.
    members: BTreeMap<(String, String), String>,
    /// Member keys in manifest order.
    order: Vec<(String, String)>,
}

/// Operations and types of a manifest, by name.
fn parse(text: &str) -> (BTreeMap<String, Item>, BTreeMap<String, Item>) {
    let mut ops = BTreeMap::new();
    let mut types = BTreeMap::new();
    let mut current: Option<&mut Item> = None;
    for line in text.lines() {
        if let Some(member) = line.strip_prefix("  ") {
            let Some(item) = current.as_deref_mut() else { continue };
            if let Some(doc) = member.strip_prefix("doc: ") {
                item.doc = Some(doc.to_owned());
            } else if member == "deprecated" {
                item.deprecated = true;
            } else {
                let (kind, rest) = member.split_once(' ').unwrap_or((member, ""));
                let end = rest.find([':', ' ', '(']).unwrap_or(rest.len());
                let (name, value) = rest.split_at(end);
                let value = value.trim_start_matches([':', ' ', '=']).to_owned();
                if kind == "arg" {
                    item.args.push((name.to_owned(), value));
                } else {
                    let key = (kind.to_owned(), name.to_owned());
                    item.order.push(key.clone());
                    item.members.insert(key, value);
                }
            }
            continue;
        }
        let table = if let Some(rest) = line.strip_prefix("operation ") {
            Some((&mut ops, rest))
        } else {
            line.strip_prefix("type ").map(|rest| (&mut types, rest))
        };
        current = match table {
            Some((table, rest)) => {
                let (name, head) = rest.split_once(": ").unwrap_or((rest, ""));
                let item = table.entry(name.to_owned()).or_insert_with(Item::default);
                item.head = head.to_owned();
                Some(item)
            }
            None => None,
        };
    }
    (ops, types)
}

/// What changed from the manifest `old` to `new`, breaking changes first.
pub fn diff(old: &str, new: &str) -> Vec<Change> {
    let (old_ops, old_types) = parse(old);
    let (new_ops, new_types) = parse(new);
    let mut changes = Vec::new();
    compare(&old_ops, &new_ops, "operation", &mut changes, operation_changes);
    compare(&old_types, &new_types, "type", &mut changes, type_changes);
    changes.sort_by_key(|c| c.class);
    changes
}

fn compare(
    old: &BTreeMap<String, Item>,
    new: &BTreeMap<String, Item>,
    what: &str,
    changes: &mut Vec<Change>,
    item_changes: fn(&str, &Item, &Item, &mut Vec<Change>),
) {
    for (name, old_item) in old {
        match new.get(name) {
            None => changes.push(Change { class: Class::Breaking, text: format!("{what} `{name}` removed") }),
            Some(new_item) => {
                let mut own = Vec::new();
                item_changes(name, old_item, new_item, &mut own);
                // Documentation that changed along with the API is not worth its own line.
                let api_changed = own.iter().any(|c: &Change| c.class != Class::DocsOnly);
                if old_item.doc != new_item.doc && !api_changed {
                    own.push(Change {
                        class: Class::DocsOnly,
                        text: format!("{what} `{name}`: documentation changed"),
                    });
                }
                if old_item.deprecated != new_item.deprecated {
                    let text = if new_item.deprecated { "is now deprecated" } else { "is no longer deprecated" };
                    own.push(Change { class: Class::DocsOnly, text: format!("{what} `{name}` {text}") });
                }
                changes.extend(own);
            }
        }
    }
    for name in new.keys().filter(|n| !old.contains_key(*n)) {
        changes.push(Change { class: Class::Additive, text: format!("{what} `{name}`") });
    }
}

fn breaking(text: String) -> Change {
    Change { class: Class::Breaking, text }
}

fn operation_changes(name: &str, old: &Item, new: &Item, out: &mut Vec<Change>) {
    // The head is `METHOD /path -> Result`.
    let split = |head: &str| {
        let (route, result) = head.split_once(" -> ").unwrap_or((head, ""));
        (route.to_owned(), result.to_owned())
    };
    let ((old_route, old_result), (new_route, new_result)) = (split(&old.head), split(&new.head));
    if old_result != new_result {
        out.push(breaking(format!("operation `{name}` returns `{new_result}` instead of `{old_result}`")));
    }
    if old_route != new_route {
        out.push(Change {
            class: Class::DocsOnly,
            text: format!("operation `{name}` sends `{new_route}` instead of `{old_route}`"),
        });
    }
    let option = |item: &Item, arg: &str| item.members.get(&("option".to_owned(), arg.to_owned())).cloned();
    let has_arg = |item: &Item, arg: &str| item.args.iter().any(|(n, _)| n == arg);
    let old_types: Vec<&String> = old.args.iter().map(|(_, t)| t).collect();
    let new_types: Vec<&String> = new.args.iter().map(|(_, t)| t).collect();
    if old_types == new_types {
        for ((old_name, _), (new_name, _)) in old.args.iter().zip(&new.args) {
            if old_name != new_name {
                out.push(Change {
                    class: Class::DocsOnly,
                    text: format!(
                        "operation `{name}`: argument `{old_name}` renamed `{new_name}` (same position and type)"
                    ),
                });
            }
        }
    } else {
        let before = out.len();
        for (arg, ty) in &old.args {
            match new.args.iter().find(|(n, _)| n == arg) {
                Some((_, new_ty)) if new_ty != ty => {
                    out.push(breaking(format!("operation `{name}`: argument `{arg}` is `{new_ty}` instead of `{ty}`")))
                }
                Some(_) => {}
                None if option(new, arg).is_some() => {
                    out.push(breaking(format!("operation `{name}`: parameter `{arg}` became optional")))
                }
                None => out.push(breaking(format!("operation `{name}`: required parameter `{arg}` removed"))),
            }
        }
        for (arg, _) in new.args.iter().filter(|(n, _)| !has_arg(old, n)) {
            if option(old, arg).is_some() {
                out.push(breaking(format!("operation `{name}`: parameter `{arg}` became required")));
            } else {
                out.push(breaking(format!("operation `{name}`: required parameter `{arg}` added")));
            }
        }
        if out.len() == before {
            out.push(breaking(format!("operation `{name}`: arguments reordered")));
        }
    }
    member_changes(name, old, new, out, |key| has_arg(old, key) || has_arg(new, key));
}

fn type_changes(name: &str, old: &Item, new: &Item, out: &mut Vec<Change>) {
    if old.head != new.head {
        out.push(breaking(format!("type `{name}` is `{}` instead of `{}`", new.head, old.head)));
        return;
    }
    member_changes(name, old, new, out, |_| false);
}

/// Changes of the members other than positional arguments; `moved` says whether a member name
/// became or stopped being an argument (already reported).
fn member_changes(name: &str, old: &Item, new: &Item, out: &mut Vec<Change>, moved: impl Fn(&str) -> bool) {
    let label = |(kind, member): &(String, String)| match kind.as_str() {
        "field" => format!("field `{name}.{member}`"),
        "variant" if old.head == "enum" => format!("enum `{name}` variant `{member}`"),
        "option" => format!("operation `{name}`: optional parameter `{member}`"),
        other => format!("{other} `{name}.{member}`"),
    };
    for key in &old.order {
        let old_value = &old.members[key];
        match new.members.get(key) {
            None if moved(&key.1) => {}
            None if key.0 == "variant" && old.head == "enum" => {
                out.push(breaking(format!("enum `{name}` lost variant `{}`", key.1)))
            }
            None => out.push(breaking(format!("{} removed", label(key)))),
            Some(new_value) if new_value == old_value => {}
            Some(new_value) => {
                let old_required = old_value.ends_with(", required");
                let new_required = new_value.ends_with(", required");
                let text = if key.0 == "field" && old_required != new_required {
                    format!("{} became {}", label(key), if new_required { "required" } else { "optional" })
                } else {
                    format!("{} is `{new_value}` instead of `{old_value}`", label(key))
                };
                out.push(breaking(text));
            }
        }
    }
    for key in new.order.iter().filter(|k| !old.members.contains_key(*k) && !moved(&k.1)) {
        let value = &new.members[key];
        let class = if key.0 == "field" && value.ends_with(", required") || key.0 == "variant" && new.head != "enum" {
            Class::Breaking
        } else {
            Class::Additive
        };
        let text = match class {
            Class::Breaking if key.0 == "field" => format!("required {} added", label(key)),
            _ => format!("{} added", label(key)),
        };
        out.push(Change { class, text });
    }
}

/// `changelog` with the `changes` not yet listed under its `## Unreleased` heading appended there
/// (the section is created after the title when missing). Applying the same changes twice adds
/// nothing the second time.
pub fn changelog_with(changelog: &str, changes: &[Change]) -> String {
    let mut lines: Vec<String> = changelog.lines().map(str::to_owned).collect();
    let is_unreleased = |l: &String| l.trim().eq_ignore_ascii_case("## unreleased");
    let start = match lines.iter().position(is_unreleased) {
        Some(i) => i,
        None => {
            let mut at = lines.iter().position(|l| l.starts_with("## ")).unwrap_or(lines.len());
            if at > 0 && !lines[at - 1].trim().is_empty() {
                lines.insert(at, String::new());
                at += 1;
            }
            lines.splice(at..at, ["## Unreleased".to_owned(), String::new()]);
            at
        }
    };
    let end = lines[start + 1..].iter().position(|l| l.starts_with("## ")).map_or(lines.len(), |i| start + 1 + i);
    let listed: Vec<&str> = lines[start + 1..end].iter().map(|l| l.trim()).collect();
    let new: Vec<String> = changes.iter().map(|c| format!("- {c}")).filter(|l| !listed.contains(&l.as_str())).collect();
    if !new.is_empty() {
        // After the section's last non-empty line, keeping one blank line before the next heading.
        let mut at = end;
        while at > start + 1 && lines[at - 1].trim().is_empty() {
            at -= 1;
        }
        if at == start + 1 {
            lines.insert(at, String::new());
            at += 1;
        }
        let count = new.len();
        lines.splice(at..at, new);
        if lines.get(at + count).is_some_and(|l| !l.trim().is_empty()) {
            lines.insert(at + count, String::new());
        }
    }
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}
