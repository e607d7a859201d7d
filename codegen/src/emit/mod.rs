//! Stage 5: IR to token streams with `quote!`. Each emitter returns one file's tokens.

mod models;
mod operations;

pub(crate) use models::{allow_deprecated_uses, field_type, models_header, models_items, ModelContext};
pub(crate) use operations::{modules, operations_module, operations_root};

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

use crate::ir::{Api, TypeRef};

/// An identifier token, raw (`r#type`) when needed.
pub(crate) fn ident(name: &str) -> proc_macro2::Ident {
    match name.strip_prefix("r#") {
        Some(raw) => proc_macro2::Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => proc_macro2::Ident::new(name, proc_macro2::Span::call_site()),
    }
}

/// `#[doc = "..."]` lines for a description. Every doc attribute the generator writes comes
/// from here, and the text goes through [`text::markdown_blocks`](crate::text::markdown_blocks)
/// first, so nothing in it is ever compiled or run as a doctest. Spec text in it has been through
/// [`text::markdown`](crate::text::markdown) (in lowering or where the doc is composed), so that
/// rustdoc reads no link or HTML in it; the generator's own links are kept.
pub(crate) fn doc(text: Option<&str>) -> TokenStream {
    let Some(text) = text.map(crate::text::markdown_blocks).filter(|t| !t.is_empty()) else { return quote!() };
    doc_lines(&text, false)
}

/// Inner `#![doc = "..."]` lines (module and crate docs), made safe like [`doc`].
pub(crate) fn inner_doc(text: &str) -> TokenStream {
    let text = crate::text::markdown_blocks(text);
    if text.is_empty() {
        return quote!();
    }
    doc_lines(&text, true)
}

/// `#[doc = " line"]` (or `#![doc = …]`) for each line of `text`, made into tokens directly:
/// the same tokens as `quote!(#[doc = #line])` per line, without building and splicing a
/// stream for each.
fn doc_lines(text: &str, inner: bool) -> TokenStream {
    use proc_macro2::{Delimiter, Group, Punct, Spacing, Span, TokenTree};
    let mut tokens = Vec::new();
    let mut line_text = String::new();
    for line in text.split('\n') {
        line_text.clear();
        if !line.is_empty() {
            line_text.push(' ');
            line_text.push_str(line);
        }
        let attribute: TokenStream = [
            TokenTree::Ident(proc_macro2::Ident::new("doc", Span::call_site())),
            TokenTree::Punct(Punct::new('=', Spacing::Alone)),
            TokenTree::Literal(doc_literal(&line_text)),
        ]
        .into_iter()
        .collect();
        tokens.push(TokenTree::Punct(Punct::new('#', Spacing::Alone)));
        if inner {
            tokens.push(TokenTree::Punct(Punct::new('!', Spacing::Alone)));
        }
        tokens.push(TokenTree::Group(Group::new(Delimiter::Bracket, attribute)));
    }
    tokens.into_iter().collect()
}

/// `Literal::string(line)`. Printable ASCII without quotes or backslashes (most doc lines) is
/// its own escaped form, and lexing `"line"` costs less than escaping it character by character.
fn doc_literal(line: &str) -> proc_macro2::Literal {
    if line.bytes().all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\') {
        let mut repr = String::with_capacity(line.len() + 2);
        repr.push('"');
        repr.push_str(line);
        repr.push('"');
        if let Ok(literal) = repr.parse() {
            return literal;
        }
    }
    proc_macro2::Literal::string(line)
}

/// The Rust type for a type reference, as seen from a module where `models` names the models.
/// A path checked by `Replacements::parse` (`crate::a::B`) as tokens.
pub(crate) fn rust_path(path: &str) -> TokenStream {
    let segments = path.split("::").map(|s| proc_macro2::Ident::new(s, proc_macro2::Span::call_site()));
    quote!(#(#segments)::*)
}

pub(crate) fn ty(t: &TypeRef, models: &TokenStream) -> TokenStream {
    match t {
        TypeRef::String => quote!(String),
        TypeRef::Integer(name) | TypeRef::Number(name) => ident(name).into_token_stream(),
        TypeRef::Bool => quote!(bool),
        TypeRef::Json => quote!(::serde_json::Value),
        TypeRef::Bytes => quote!(::bytes::Bytes),
        // A type name has no `:`; a replacement's path (`crate::a::B`) does.
        TypeRef::Named(n) if n.contains(':') => rust_path(n),
        TypeRef::Named(n) => {
            let i = ident(n);
            quote!(#models #i)
        }
        TypeRef::Vec(inner) => {
            let inner = ty(inner, models);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = ty(inner, models);
            quote!(::std::collections::BTreeMap<String, #inner>)
        }
    }
}

/// `generated/mod.rs`: the module tree, the API facts for the runtime, and `Client` constructors.
pub(crate) fn root(api: &Api, options: &crate::Options) -> TokenStream {
    let server = &api.default_server;
    let prefix = &options.env_prefix;
    let env_api_key = format!("{prefix}_API_KEY");
    let env_base_url = format!("{prefix}_BASE_URL");
    let env_client_id = format!("{prefix}_CLIENT_ID");
    let env_client_secret = format!("{prefix}_CLIENT_SECRET");
    let from_env_doc = format!(
        " A client configured from `{env_api_key}`, `{env_base_url}`, `{env_client_id}` and `{env_client_secret}`."
    );
    let title_doc = inner_doc(&crate::text::markdown(&format!(
        "Generated from \"{}\" version {}.",
        crate::text::plain(&api.title),
        crate::text::plain(&api.version)
    )));
    quote! {
        #title_doc
        pub mod models;
        pub mod operations;

        use crate::runtime as rt;

        /// What the runtime needs to know about this API.
        pub(crate) static API_INFO: rt::ApiInfo = rt::ApiInfo {
            default_server: #server,
            env_api_key: #env_api_key,
            env_base_url: #env_base_url,
            env_client_id: #env_client_id,
            env_client_secret: #env_client_secret,
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")),
        };

        impl rt::Client {
            /// A client that authenticates with `api_key`, with default settings.
            pub fn new(api_key: impl Into<rt::Secret>) -> rt::Result<Self> {
                Self::builder().api_key(api_key).build()
            }

            /// A builder for a client with non-default settings.
            pub fn builder() -> rt::ClientBuilder {
                rt::Client::builder_for(&API_INFO)
            }

            #[doc = #from_env_doc]
            pub fn from_env() -> rt::Result<Self> {
                rt::Client::builder_from_env(&API_INFO)?.build()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::doc_literal;

    #[test]
    fn doc_literals_are_the_escaped_strings() {
        let lines = [
            "",
            " plain words, (brackets) [links] and `code`",
            " it's 'quoted'",
            " \"double\" quotes",
            " back\\slash",
            " tab\there",
            " nul \0 and \u{7}",
            " \u{202e} bidi",
            " ünïcödé ✓ 🦀 \u{301}e",
            "~ every printable: !#$%&()*+,-./0123456789:;<=>?@AZ[]^_`az{|}~",
        ];
        for line in lines {
            assert_eq!(doc_literal(line).to_string(), proc_macro2::Literal::string(line).to_string(), "{line:?}");
        }
    }
}
