//! The last pass of lowering: the docs of what the emitters print, so that the generated crate
//! documents every public item it defines (it builds with `missing_docs` denied).
//!
//! - A field or `oneOf` branch the spec does not describe gets a sentence built from the wire
//!   name and the type (`The value of `created_at`, a string.`).
//! - An operation's `Client` method: summary, description, method and path, authentication;
//!   a parameter's setter: its description and wire name; the `body` setter; each variant of the
//!   response and error enums: its statuses, then the response's description.
//!
//! Spec text goes through [`text::markdown`](crate::text::markdown) here (no code, and no link,
//! HTML or bare URL rustdoc would read); the emitters only keep code out of the whole doc
//! ([`text::markdown_blocks`](crate::text::markdown_blocks)), so the generator's own links stay
//! links. The sentences are generator text around [`text::code`](crate::text::code) spans of
//! spec names. They link only to the type of the field or branch itself, which compiles whenever
//! the type that holds it does (whatever the tag features), so the link always resolves.

use crate::ir::{Api, Auth, ErrorStatus, Operation, Status, TypeKind, TypeRef};
use crate::text;

/// Sets the docs described above.
pub(super) fn fill_docs(api: &mut Api) {
    for op in &mut api.operations {
        operation_docs(op);
    }
    for def in &mut api.types {
        match &mut def.kind {
            TypeKind::Struct(s) => {
                for f in &mut s.fields {
                    f.doc = Some(match f.doc.as_deref().map(text::markdown).filter(|d| !d.is_empty()) {
                        Some(described) => described,
                        None => field_doc(&f.wire, &f.ty),
                    });
                }
            }
            TypeKind::Untagged(variants) => {
                for v in variants {
                    v.doc = format!("One of the shapes the value may take: {}.", noun(&v.ty));
                }
            }
            TypeKind::Enum(_) | TypeKind::Alias(_) => {}
        }
    }
}

fn operation_docs(op: &mut Operation) {
    let mut doc = String::new();
    if let Some(s) = &op.summary {
        doc.push_str(&text::markdown(s));
        doc.push_str("\n\n");
    }
    if let Some(d) = &op.description {
        if op.summary.as_deref().map(str::trim) != Some(d.trim()) {
            doc.push_str(&text::markdown(d));
            doc.push_str("\n\n");
        }
    }
    doc.push_str(&format!(
        "{} (operation {}). {}",
        text::code(&format!("{} {}", op.method, op.path)),
        text::code(&op.id),
        auth_doc(&op.auth)
    ));
    if op.pagination.is_some() {
        doc.push_str(" Await it for one page, or call `.items()` to stream every item.");
    }
    op.doc = doc;
    for p in &mut op.params {
        let mut doc = p.doc.as_deref().map(text::markdown).unwrap_or_default();
        if !doc.is_empty() {
            doc.push_str("\n\n");
        }
        doc.push_str(&format!("Sent as {}.", text::code(&p.wire)));
        p.doc = Some(doc);
    }
    if let Some(body) = &mut op.body {
        body.doc = Some(body.doc.as_deref().map_or_else(|| "The request body.".to_owned(), text::markdown));
    }
    let described = |label: String, doc: Option<&str>| {
        Some(format!("{label}{}", doc.map(|d| format!(": {}", text::markdown(d))).unwrap_or_default()))
    };
    for r in &mut op.responses {
        let label = match r.status {
            Status::Code(c) => format!("`{c}`"),
            Status::Range(n) => format!("`{n}XX` (any status from {n}00 to {n}99)"),
            Status::Default => "`default` (any 2xx status)".to_owned(),
        };
        r.doc = described(label, r.doc.as_deref());
    }
    for e in &mut op.errors {
        let label = match e.status {
            ErrorStatus::Code(c) => format!("`{c}`"),
            ErrorStatus::Range(n) => format!("`{n}XX` (any other status from {} to {})", n * 100, n * 100 + 99),
            ErrorStatus::Default => "`default` (any other error status)".to_owned(),
        };
        e.doc = described(label, e.doc.as_deref());
    }
}

fn auth_doc(auth: &Auth) -> &'static str {
    match auth {
        Auth::None => "Sends no credentials.",
        Auth::Bearer { optional: false } => {
            "Authenticates with the client's bearer credentials (API key or token source)."
        }
        Auth::Bearer { optional: true } => "Sends the client's bearer credentials when it has any.",
        Auth::ClientAuth { optional: false } => "Authenticates with the client's OAuth client credentials.",
        Auth::ClientAuth { optional: true } => {
            "Authenticates with the client's OAuth client credentials when it has any (public clients send none)."
        }
        Auth::Basic { .. } => "Authenticates with HTTP Basic.",
        Auth::ApiKeyHeader { .. } | Auth::ApiKeyQuery { .. } => "Authenticates with the client's API key.",
        Auth::All(_) => {
            concat!(
                "Sends every credential of its security requirement (API keys set with ",
                "`ClientBuilder::api_key_for`, by header or query parameter name, else the client's API key)."
            )
        }
        Auth::Any(_) => "Sends the credentials of the first security requirement the client has every credential for.",
    }
}

/// `The value of `meta`, of type [`PaginationMeta`].`
fn field_doc(wire: &str, ty: &TypeRef) -> String {
    let what = match ty {
        TypeRef::Named(_) => format!("of type {}", noun(ty)),
        _ => noun(ty),
    };
    format!("The value of {}, {what}.", text::code(wire))
}

/// What a value of type `t` is, as a noun phrase: `a string`, `[`Pet`]`, `a list of strings`.
fn noun(t: &TypeRef) -> String {
    match t {
        TypeRef::String => "a string".to_owned(),
        TypeRef::Integer(_) => "an integer".to_owned(),
        TypeRef::Number(_) => "a number".to_owned(),
        TypeRef::Bool => "`true` or `false`".to_owned(),
        TypeRef::Json => "any JSON value".to_owned(),
        TypeRef::Bytes => "raw bytes".to_owned(),
        TypeRef::Named(_) => link(t),
        TypeRef::Vec(inner) => format!("a list of {}", plural(inner)),
        TypeRef::Map(inner) => format!("a map from names to {}", plural(inner)),
    }
}

/// Several values of type `t`: `strings`, `[`Pet`] values`, `lists of integers`.
fn plural(t: &TypeRef) -> String {
    match t {
        TypeRef::String => "strings".to_owned(),
        TypeRef::Integer(_) => "integers".to_owned(),
        TypeRef::Number(_) => "numbers".to_owned(),
        TypeRef::Bool => "booleans".to_owned(),
        TypeRef::Json => "JSON values".to_owned(),
        TypeRef::Bytes => "byte strings".to_owned(),
        TypeRef::Named(_) => format!("{} values", link(t)),
        TypeRef::Vec(inner) => format!("lists of {}", plural(inner)),
        TypeRef::Map(inner) => format!("maps from names to {}", plural(inner)),
    }
}

/// An intra-doc link to a named type: a model (`[`Pet`]`) or a hand-written replacement
/// (`[`Token`](crate::oauth::Token)`). Type names are generated identifiers, never spec text.
fn link(t: &TypeRef) -> String {
    let TypeRef::Named(name) = t else { return noun(t) };
    match name.rsplit_once("::") {
        Some((_, last)) => format!("[`{last}`]({name})"),
        None => format!("[`{}`]", crate::naming::unraw(name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_sentences_name_the_property_and_its_type() {
        let named = TypeRef::Named("PaginationMeta".into());
        assert_eq!(field_doc("meta", &named), "The value of `meta`, of type [`PaginationMeta`].");
        assert_eq!(field_doc("count", &TypeRef::Integer("i64")), "The value of `count`, an integer.");
        assert_eq!(
            field_doc("tags", &TypeRef::Vec(Box::new(TypeRef::String))),
            "The value of `tags`, a list of strings."
        );
        assert_eq!(
            field_doc("by_id", &TypeRef::Map(Box::new(named.clone()))),
            "The value of `by_id`, a map from names to [`PaginationMeta`] values."
        );
        let replaced = TypeRef::Named("crate::oauth::TokenResponse".into());
        assert_eq!(noun(&replaced), "[`TokenResponse`](crate::oauth::TokenResponse)");
        // A wire name is spec text: shown as code, whatever it holds.
        assert_eq!(field_doc("a`b", &TypeRef::Bool), "The value of ``a`b``, `true` or `false`.");
    }
}
