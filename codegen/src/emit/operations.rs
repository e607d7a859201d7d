//! Operations: the `Client` methods, request builders, error enums, request parts and decoding.
//!
//! Every emitted function is `#[inline]`: most are not generic, so without it a library compiles each
//! one to machine code (and, through `decode`, the response models' serde code) whether or not a
//! caller exists. Inline, each is compiled in the crate that calls it, so a debug build of a
//! generated crate does not codegen 1,156 operations nobody called yet, and a user's build pays
//! for the operations it uses (BENCHMARKS.md §8, fourth session: about half of the full Telnyx
//! crate's debug build).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{allow_deprecated_uses, doc, ident, ty};
use crate::ir::{
    Api, Auth, Encoding, ErrorStatus, Operation, Param, ParamIn, ParamStyle, ResponseBody, Status, TypeRef,
};

/// The operations of one tag module, in spec order.
pub(crate) struct Module<'a> {
    /// Module (and feature) name.
    pub name: &'a str,
    /// The tag it came from.
    pub tag: Option<&'a str>,
    /// Its operations.
    pub ops: Vec<&'a Operation>,
}

/// Groups operations by module, in order of first appearance.
pub(crate) fn modules(api: &Api) -> Vec<Module<'_>> {
    let mut modules: Vec<Module<'_>> = Vec::new();
    for op in &api.operations {
        match modules.iter_mut().find(|m| m.name == op.module) {
            Some(m) => m.ops.push(op),
            None => modules.push(Module { name: &op.module, tag: op.tag.as_deref(), ops: vec![op] }),
        }
    }
    modules
}

/// `generated/operations/mod.rs`: the tag modules, re-exported, and `RequestEncoding`.
pub(crate) fn operations_root(api: &Api, modules: &[Module<'_>], tag_features: bool) -> TokenStream {
    let needs_encoding = api.operations.iter().any(|op| op.body.as_ref().is_some_and(|b| b.encodings.len() > 1));
    let encoding_enum = needs_encoding.then(|| {
        quote! {
            /// How a body that the operation accepts in several forms is encoded.
            #[allow(dead_code)]
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub enum RequestEncoding {
                /// `application/json`.
                Json,
                /// `application/x-www-form-urlencoded`.
                Form,
            }
        }
    });
    let declarations = modules.iter().map(|m| {
        let name = ident(m.name);
        let doc_text = match m.tag {
            Some(tag) if !tag.is_empty() => {
                doc(Some(&crate::text::markdown(&format!("Operations tagged \"{}\".", crate::text::plain(tag)))))
            }
            _ => doc(Some("Operations without a tag.")),
        };
        let feature = crate::naming::unraw(m.name);
        let cfg = tag_features.then(|| quote!(#[cfg(feature = #feature)]));
        quote!(#doc_text #cfg pub mod #name; #cfg pub use #name::*;)
    });
    quote! {
        //! A method on [`Client`](crate::runtime::Client) and a request builder for every
        //! operation, in one module per tag; everything is also re-exported here.
        #encoding_enum
        #(#declarations)*
    }
}

/// One tag module: the `Client` methods and request builders of its operations.
pub(crate) fn operations_module(api: &Api, module: &Module<'_>) -> TokenStream {
    let models = quote!(models::);
    let deprecated_uses = allow_deprecated_uses(api.uses.deprecated_in_modules.contains(module.name));
    let ops = &module.ops;
    let methods = ops.iter().map(|op| client_method(op, &models));
    let builders = ops.iter().map(|op| builder(op, &models, envelope_data(api, op, &models)));
    let models_import = ops.iter().any(|op| uses_models(op)).then(|| {
        quote!(
            use crate::generated::models;
        )
    });
    let encoding_import = ops.iter().any(|op| op.body.as_ref().is_some_and(|b| b.encodings.len() > 1)).then(|| {
        quote!(
            use super::RequestEncoding;
        )
    });
    quote! {
        #![allow(clippy::too_many_arguments, clippy::doc_markdown, clippy::large_enum_variant)]
        #deprecated_uses

        #models_import
        #encoding_import
        use crate::runtime as rt;
        use crate::runtime::Client;

        impl Client {
            #(#methods)*
        }

        #(#builders)*
    }
}

fn static_name(op: &Operation) -> proc_macro2::Ident {
    format_ident!("{}", crate::naming::unraw(&op.fn_name).to_uppercase())
}

/// Required parameters become method arguments; optional ones builder setters.
fn is_argument(p: &Param) -> bool {
    p.required
}

fn arg_type(t: &TypeRef, models: &TokenStream) -> (TokenStream, bool) {
    match t {
        TypeRef::String => (quote!(impl Into<String>), true),
        other => (ty(other, models), false),
    }
}

fn success_type(op: &Operation, models: &TokenStream) -> TokenStream {
    if let Some(name) = &op.response_enum {
        let name = ident(name);
        return quote!(#name);
    }
    body_type(&op.responses[0].body, models)
}

fn body_type(body: &ResponseBody, models: &TokenStream) -> TokenStream {
    match body {
        ResponseBody::Empty => quote!(()),
        ResponseBody::Json(t) => ty(t, models),
        ResponseBody::Text => quote!(String),
        ResponseBody::Bytes => quote!(::bytes::Bytes),
    }
}

fn auth_tokens(auth: &Auth) -> TokenStream {
    match auth {
        Auth::None => quote!(rt::Auth::None),
        Auth::Bearer { optional } => quote!(rt::Auth::Bearer { optional: #optional }),
        Auth::ClientAuth { optional } => quote!(rt::Auth::ClientAuth { optional: #optional }),
        Auth::Basic { optional } => quote!(rt::Auth::Basic { optional: #optional }),
        Auth::ApiKeyHeader { name, optional } => quote!(rt::Auth::ApiKeyHeader { name: #name, optional: #optional }),
        Auth::ApiKeyQuery { name, optional } => quote!(rt::Auth::ApiKeyQuery { name: #name, optional: #optional }),
        Auth::All(schemes) => {
            let schemes = schemes.iter().map(auth_tokens);
            quote!(rt::Auth::All(&[#(#schemes),*]))
        }
        Auth::Any(alternatives) => {
            let alternatives = alternatives.iter().map(auth_tokens);
            quote!(rt::Auth::Any(&[#(#alternatives),*]))
        }
    }
}

fn client_method(op: &Operation, models: &TokenStream) -> TokenStream {
    let fn_name = ident(&op.fn_name);
    let builder = ident(&op.builder);
    let docs = doc(Some(&op.doc));
    let deprecated = if op.deprecated { quote!(#[deprecated]) } else { quote!() };
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for p in &op.params {
        let name = ident(&p.name);
        if is_argument(p) {
            let (t, into) = arg_type(&p.ty, models);
            args.push(quote!(#name: #t));
            inits.push(if into { quote!(#name: #name.into()) } else { quote!(#name) });
        } else {
            inits.push(quote!(#name: None));
        }
    }
    if let Some(body) = &op.body {
        if body.required {
            let t = ty(&body.ty, models);
            args.push(quote!(body: #t));
            inits.push(quote!(body));
        } else {
            inits.push(quote!(body: None));
        }
        if body.encodings.len() > 1 {
            let default = match body.encodings[body.default_encoding] {
                Encoding::Form => quote!(RequestEncoding::Form),
                _ => quote!(RequestEncoding::Json),
            };
            inits.push(quote!(encoding: #default));
        }
    }
    quote! {
        #docs
        #deprecated
        #[inline]
        pub fn #fn_name(&self #(, #args)*) -> #builder {
            #builder { client: self.clone(), #(#inits,)* options: rt::RequestOptions::default(), }
        }
    }
}

fn builder(op: &Operation, models: &TokenStream, envelope: Option<TokenStream>) -> TokenStream {
    let builder = ident(&op.builder);
    let static_name = static_name(op);
    let method = format_ident!("{}", op.method);
    let id = &op.id;
    let path = &op.path;
    let server = match &op.server {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
    };
    let auth = auth_tokens(&op.auth);

    let mut fields = Vec::new();
    let mut setters = Vec::new();
    // A builder with a parameter named like a secret (`consent_token`) gets a `Debug` that
    // redacts it; the others derive it.
    let has_secret_param = op.params.iter().any(|p| crate::lower::is_secret(&p.wire));
    let mut debug_fields = Vec::new();
    for p in &op.params {
        let name = ident(&p.name);
        let name_text = crate::naming::unraw(&name.to_string()).to_owned();
        if crate::lower::is_secret(&p.wire) {
            debug_fields.push(quote!(.field(#name_text, &"<redacted>")));
        } else {
            debug_fields.push(quote!(.field(#name_text, &self.#name)));
        }
        let t = ty(&p.ty, models);
        if is_argument(p) {
            fields.push(quote!(#name: #t));
        } else {
            fields.push(quote!(#name: Option<#t>));
            let docs = doc(p.doc.as_deref());
            let deprecated = if p.deprecated { quote!(#[deprecated]) } else { quote!() };
            let (arg, into) = arg_type(&p.ty, models);
            let value = if into { quote!(value.into()) } else { quote!(value) };
            setters.push(quote! {
                #docs
                #deprecated
                #[inline]
                pub fn #name(mut self, value: #arg) -> Self {
                    self.#name = Some(#value);
                    self
                }
            });
        }
    }
    if let Some(body) = &op.body {
        debug_fields.push(quote!(.field("body", &self.body)));
        let t = ty(&body.ty, models);
        if body.required {
            fields.push(quote!(body: #t));
        } else {
            fields.push(quote!(body: Option<#t>));
            let docs = doc(body.doc.as_deref());
            setters.push(quote! {
                #docs
                #[inline]
                pub fn body(mut self, value: #t) -> Self {
                    self.body = Some(value);
                    self
                }
            });
        }
        if body.encodings.len() > 1 {
            debug_fields.push(quote!(.field("encoding", &self.encoding)));
            fields.push(quote!(encoding: RequestEncoding));
            let default = match body.encodings[body.default_encoding] {
                Encoding::Form => "form",
                _ => "JSON",
            };
            let d = format!(" How the body is encoded (default: {default}).");
            setters.push(quote! {
                #[doc = #d]
                #[inline]
                pub fn encoding(mut self, encoding: RequestEncoding) -> Self {
                    self.encoding = encoding;
                    self
                }
            });
        }
    }

    let (derive, debug_impl) = if has_secret_param {
        let builder_text = builder.to_string();
        (
            quote!(#[derive(Clone)]),
            quote! {
                impl ::std::fmt::Debug for #builder {
                    #[inline]
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.debug_struct(#builder_text)
                            .field("client", &self.client)
                            #(#debug_fields)*
                            .field("options", &self.options)
                            .finish()
                    }
                }
            },
        )
    } else {
        (quote!(#[derive(Debug, Clone)]), quote!())
    };

    let parts = parts_fn(op);
    let success = success_type(op, models);
    let decode = decode(op, models);
    let error_enum = error_enum(op, models);
    let send_data = envelope.map(|data| {
        quote! {
            /// Sends the request and returns the `data` of the `{ "data": ... }` body; a body
            /// without it fails with [`rt::Error::Decode`] at `data`.
            #[inline]
            pub fn send_data(self) -> rt::Call<rt::Result<#data>> {
                let parts = self.parts();
                rt::Call::new(self.client, &#static_name, parts, &self.options, |raw| {
                    raw.and_then(Self::decode).and_then(rt::ApiResponse::into_data)
                })
            }
        }
    });
    let errors_kind = op.error_enum.as_ref().map(|e| {
        let e = ident(e);
        quote!(, errors #e)
    });
    let builder_doc = format!(
        " Request builder for [`Client::{}`]: set optional parameters, then `.await` it.",
        crate::naming::unraw(&op.fn_name)
    );

    let (builder_kind, paginated) = match &op.pagination {
        None => (quote!(returns #success), quote!()),
        Some(p) => {
            let item = ty(&p.item, models);
            let param = ident(&p.page_param);
            let page_param_ty = op.params.iter().find(|x| x.name == p.page_param).map(|x| &x.ty);
            let get_page = match page_param_ty {
                Some(TypeRef::Integer("i64")) => quote!(self.#param),
                _ => quote!(self.#param.map(i64::from)),
            };
            // A page number the parameter's type cannot hold asks for the last possible page,
            // which the server answers as past the end.
            let set_page = match page_param_ty {
                Some(TypeRef::Integer("i64")) => quote!(Some(n)),
                _ => quote!(Some(i32::try_from(n).unwrap_or(i32::MAX))),
            };
            (
                quote!(pages of #item, data #success),
                quote! {
                    impl rt::Paginated for #builder {
                        type Data = #success;

                        #[inline]
                        fn page_number(&self) -> Option<i64> {
                            #get_page
                        }

                        #[inline]
                        fn with_page_number(mut self, n: i64) -> Self {
                            self.#param = #set_page;
                            self
                        }

                        #[inline]
                        fn fetch(self) -> rt::PageFuture<Self::Data> {
                            Box::pin(self.send_with_response())
                        }
                    }
                },
            )
        }
    };

    let response_enum = op.response_enum.as_ref().map(|name| {
        let name = ident(name);
        let variants = op.responses.iter().map(|r| {
            let v = ident(&r.variant);
            let docs = doc(r.doc.as_deref());
            match &r.body {
                ResponseBody::Empty if r.status.is_redirect() => quote! {
                    #docs
                    #v {
                        /// The `Location` header: where the server redirects to.
                        location: Option<String>,
                    }
                },
                ResponseBody::Empty => quote!(#docs #v),
                other => {
                    let t = body_type(other, models);
                    quote!(#docs #v(#t))
                }
            }
        });
        let d = doc(Some(&format!("The documented success responses of {}.", crate::text::code(&op.id))));
        quote! {
            #d
            #[derive(Debug, Clone, PartialEq)]
            pub enum #name { #(#variants,)* }
        }
    });

    quote! {
        static #static_name: rt::Operation = rt::Operation {
            id: #id,
            method: reqwest::Method::#method,
            path: #path,
            server: #server,
            auth: #auth,
        };

        #[doc = #builder_doc]
        #derive
        #[must_use = "a request does nothing until it is awaited or sent"]
        pub struct #builder {
            client: Client,
            #(#fields,)*
            options: rt::RequestOptions,
        }

        #debug_impl

        impl #builder {
            #(#setters)*

            #parts

            /// The response as this operation's result: its documented success body, else an error.
            #[inline]
            fn decode(raw: rt::RawResponse) -> rt::Result<rt::ApiResponse<#success>> {
                #decode
            }

            #send_data
        }

        crate::runtime::request_builder!(#builder, #static_name, #builder_kind #errors_kind);

        #paginated
        #response_enum
        #error_enum
    }
}

/// The `data` type when the single success body of a non-list operation is a `{ "data": T }`
/// envelope.
fn envelope_data(api: &Api, op: &Operation, models: &TokenStream) -> Option<TokenStream> {
    if op.pagination.is_some() || op.response_enum.is_some() {
        return None;
    }
    let ResponseBody::Json(TypeRef::Named(name)) = &op.responses.first()?.body else { return None };
    let def = api.types.iter().find(|t| &t.name == name)?;
    let f = super::models::envelope_field(def)?;
    let t = ty(&f.ty, models);
    Some(if f.boxed { quote!(Box<#t>) } else { t })
}

/// The per-operation error enum: one variant per documented error status, and its
/// `DocumentedError` impl (one match on the status).
fn error_enum(op: &Operation, models: &TokenStream) -> TokenStream {
    let Some(name) = &op.error_enum else { return quote!() };
    let name = ident(name);
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    let mut single_decode = None;
    for e in &op.errors {
        let v = ident(&e.variant);
        let pattern = match e.status {
            ErrorStatus::Code(c) => {
                let lit = proc_macro2::Literal::u16_unsuffixed(c);
                quote!(#lit)
            }
            ErrorStatus::Range(n) => {
                let (lo, hi) =
                    (proc_macro2::Literal::u16_unsuffixed(n * 100), proc_macro2::Literal::u16_unsuffixed(n * 100 + 99));
                quote!(#lo..=#hi)
            }
            ErrorStatus::Default => quote!(_),
        };
        let docs = doc(e.doc.as_deref());
        let (variant, decode) = match &e.body {
            ResponseBody::Empty => (quote!(#docs #v), quote!(Ok(Self::#v))),
            ResponseBody::Json(t) => {
                let t = ty(t, models);
                (quote!(#docs #v(#t)), quote!(api.decode().map(Self::#v)))
            }
            ResponseBody::Text => (quote!(#docs #v(String)), quote!(Ok(Self::#v(api.body_text())))),
            ResponseBody::Bytes => (quote!(#docs #v(::bytes::Bytes)), quote!(Ok(Self::#v(api.body.clone())))),
        };
        variants.push(variant);
        single_decode = Some(decode.clone());
        arms.push(quote!(#pattern => #decode,));
    }
    let catch_all = (!op.errors.iter().any(|e| e.status == ErrorStatus::Default)).then(|| quote!(_ => return None,));
    // A lone `default` takes every error status: no match on it (clippy::match_single_binding).
    let from_api_body = match (&op.errors[..], &single_decode) {
        ([only], Some(decode)) if only.status == ErrorStatus::Default => {
            let unused = matches!(only.body, ResponseBody::Empty).then(|| quote!(let _ = api;));
            quote!(#unused Some(#decode))
        }
        _ => quote!(Some(match api.status.as_u16() { #(#arms)* #catch_all })),
    };
    let d = doc(Some(&format!(
        "The error statuses {} documents, each with its documented body; \
         what `send_typed` returns in [`rt::OperationError::Documented`].",
        crate::text::code(&op.id)
    )));
    quote! {
        #d
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #name { #(#variants,)* }

        impl #name {
            /// The documented error `api` stands for: `None` for a status the operation does not
            /// document, `Some(Err(..))` when the body does not fit the documented schema.
            #[inline]
            pub fn from_api(api: &rt::ApiError) -> Option<Result<Self, rt::DecodeError>> {
                #from_api_body
            }
        }

        impl rt::DocumentedError for #name {
            #[inline]
            fn from_api(api: &rt::ApiError) -> Option<Result<Self, rt::DecodeError>> {
                #name::from_api(api)
            }
        }
    }
}

fn parts_fn(op: &Operation) -> TokenStream {
    // The path: `{name}` placeholders become `{}` filled with encoded values.
    let mut format = String::new();
    let mut values = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else { break };
        format.push_str(&rest[..start].replace('}', "}}"));
        format.push_str("{}");
        let wire = &rest[start + 1..start + len];
        if let Some(p) = op.params.iter().find(|p| p.location == ParamIn::Path && p.wire == wire) {
            values.push(path_value(p));
        }
        rest = &rest[start + len + 1..];
    }
    format.push_str(&rest.replace('{', "{{").replace('}', "}}"));
    // Without parameters the path is used as written (a literal `{` or `}` in it is
    // percent-encoded once, when the URL is built), not as a format string.
    let path = if values.is_empty() {
        let literal = &op.path;
        quote!(#literal.to_owned())
    } else {
        quote!(format!(#format, #(#values),*))
    };
    let params = op.params.iter().filter(|p| p.location != ParamIn::Path).map(|p| {
        let name = ident(&p.name);
        let check = bounds_check(p);
        let send = send_param(p);
        if is_argument(p) {
            quote!({ let value = &self.#name; #check #send })
        } else {
            quote!(if let Some(value) = &self.#name { #check #send })
        }
    });
    let body = op.body.as_ref().map(|body| {
        let encode = |encoding: &Encoding, value: TokenStream| match encoding {
            Encoding::Json => quote!(rt::Body::json(#value)?),
            Encoding::Form => quote!(rt::Body::form(#value)?),
            Encoding::Bytes(ct) | Encoding::Text(ct) if body.ty == TypeRef::Bytes => {
                quote!(rt::Body::Bytes { content_type: #ct.into(), data: ::bytes::Bytes::clone(#value) })
            }
            Encoding::Bytes(ct) | Encoding::Text(ct) => {
                quote!(rt::Body::Bytes { content_type: #ct.into(), data: ::bytes::Bytes::from((#value).clone()) })
            }
            Encoding::Multipart => quote!(rt::multipart((#value).multipart_parts())),
        };
        let value = quote!(body);
        let encoded = if body.encodings.len() > 1 {
            let json = encode(&Encoding::Json, value.clone());
            let form = encode(&Encoding::Form, value.clone());
            quote!(match self.encoding { RequestEncoding::Json => #json, RequestEncoding::Form => #form })
        } else {
            encode(&body.encodings[0], value)
        };
        if body.required {
            quote! { let body = &self.body; parts.body = #encoded; }
        } else {
            quote! { if let Some(body) = &self.body { parts.body = #encoded; } }
        }
    });
    let mutable =
        if op.params.iter().any(|p| p.location != ParamIn::Path) || op.body.is_some() { quote!(mut) } else { quote!() };
    quote! {
        #[inline]
        fn parts(&self) -> rt::Result<rt::RequestParts> {
            let #mutable parts = rt::RequestParts::new(#path);
            #(#params)*
            #body
            Ok(parts)
        }
    }
}

/// The value of a path parameter, percent-encoded in its style. Scalars in the default `simple`
/// style are encoded as text; lists and objects, and the `label` and `matrix` styles, go through
/// `rt::path_styled`; `content: application/json` sends the JSON text.
fn path_value(p: &Param) -> TokenStream {
    let name = ident(&p.name);
    let wire = &p.wire;
    if p.json {
        return quote!(rt::encode_path_segment(#wire, &rt::json_text(#wire, &self.#name)?)?);
    }
    let scalar =
        matches!(p.ty, TypeRef::String | TypeRef::Integer(_) | TypeRef::Number(_) | TypeRef::Bool | TypeRef::Named(_));
    let style = match p.style {
        ParamStyle::Label => quote!(Label),
        ParamStyle::Matrix => quote!(Matrix),
        _ if scalar => {
            let value = match &p.ty {
                TypeRef::String => quote!(&self.#name),
                _ => quote!(&self.#name.to_string()),
            };
            return quote!(rt::encode_path_segment(#wire, #value)?);
        }
        _ => quote!(Simple),
    };
    let explode = p.explode;
    quote!(rt::path_styled(#wire, &self.#name, rt::PathStyle::#style, #explode)?)
}

/// Adds a query, header or cookie parameter (`value`, a reference) to `parts` in its style.
fn send_param(p: &Param) -> TokenStream {
    let wire = &p.wire;
    if p.json {
        let call = match p.location {
            ParamIn::Header => quote!(parts.header(#wire, value);),
            ParamIn::Cookie => quote!(parts.cookie(#wire, value, false);),
            _ => quote!(parts.query(#wire, value);),
        };
        return quote!(let value = &rt::json_text(#wire, value)?; #call);
    }
    match (p.location, p.style, p.explode) {
        (ParamIn::Header, _, false) => quote!(parts.header(#wire, value);),
        (ParamIn::Header, _, true) => quote!(parts.header_styled(#wire, value, true);),
        (ParamIn::Cookie, _, explode) => quote!(parts.cookie(#wire, value, #explode);),
        (_, ParamStyle::Form, false) => quote!(parts.query_delimited(#wire, value, ",");),
        (_, ParamStyle::SpaceDelimited, false) => quote!(parts.query_delimited(#wire, value, "%20");),
        (_, ParamStyle::PipeDelimited, false) => quote!(parts.query_delimited(#wire, value, "|");),
        _ => quote!(parts.query(#wire, value);),
    }
}

fn decode(op: &Operation, models: &TokenStream) -> TokenStream {
    let decode_body = |body: &ResponseBody| match body {
        ResponseBody::Empty => quote!(raw.empty()),
        ResponseBody::Json(_) => quote!(raw.json()),
        ResponseBody::Text => quote!(raw.text()),
        ResponseBody::Bytes => quote!(raw.bytes()),
    };
    let _ = models;
    match &op.response_enum {
        None => {
            let r = &op.responses[0];
            let body = decode_body(&r.body);
            // A documented 2xx (code, `2XX` or a lone `default`) accepts any 2xx; a documented
            // 3xx code accepts itself and any 2xx; `3XX` accepts any 3xx. Everything else is an
            // error.
            let accepted = match r.status {
                Status::Code(c) if !(200..300).contains(&c) => {
                    let status = proc_macro2::Literal::u16_unsuffixed(c);
                    quote!(raw.status().as_u16() == #status || raw.status().is_success())
                }
                Status::Range(3) => quote!(raw.status().is_redirection()),
                _ => quote!(raw.status().is_success()),
            };
            quote! {
                if #accepted {
                    #body
                } else {
                    Err(raw.into_error())
                }
            }
        }
        Some(name) => {
            let name = ident(name);
            // Exact codes first, then ranges, then a lone `default` (2xx only); anything else is
            // an error.
            let mut ordered: Vec<_> = op.responses.iter().collect();
            ordered.sort_by_key(|r| r.status);
            let arms = ordered.into_iter().map(|r| {
                let v = ident(&r.variant);
                let pattern = match r.status {
                    Status::Code(c) => {
                        let s = proc_macro2::Literal::u16_unsuffixed(c);
                        quote!(#s)
                    }
                    Status::Range(n) => {
                        let (lo, hi) = (
                            proc_macro2::Literal::u16_unsuffixed(n * 100),
                            proc_macro2::Literal::u16_unsuffixed(n * 100 + 99),
                        );
                        quote!(#lo..=#hi)
                    }
                    Status::Default => quote!(200..=299),
                };
                let value = match &r.body {
                    ResponseBody::Empty if r.status.is_redirect() => quote! {
                        {
                            let location = raw.header_str("location");
                            Ok(raw.with(#name::#v { location }))
                        }
                    },
                    ResponseBody::Empty => quote!(Ok(raw.with(#name::#v))),
                    other => {
                        let body = decode_body(other);
                        quote!(#body.map(|r| r.map(#name::#v)))
                    }
                };
                quote!(#pattern => #value,)
            });
            let overlapping = op.responses.iter().any(|r| matches!(r.status, Status::Range(_)))
                && op.responses.iter().any(|r| matches!(r.status, Status::Code(_)));
            if overlapping {
                // An exact code listed before its range is intended.
                quote! {
                    #[allow(clippy::match_overlapping_arm)]
                    let decoded = match raw.status().as_u16() {
                        #(#arms)*
                        _ => Err(raw.into_error()),
                    };
                    decoded
                }
            } else {
                quote! {
                    match raw.status().as_u16() {
                        #(#arms)*
                        _ => Err(raw.into_error()),
                    }
                }
            }
        }
    }
}

/// Whether an operation names a model (so `models` must be imported).
fn uses_models(op: &Operation) -> bool {
    fn named(t: &TypeRef) -> bool {
        match t {
            TypeRef::Named(_) => true,
            TypeRef::Vec(inner) | TypeRef::Map(inner) => named(inner),
            _ => false,
        }
    }
    op.params.iter().any(|p| named(&p.ty))
        || op.body.as_ref().is_some_and(|b| named(&b.ty))
        || op.responses.iter().any(|r| matches!(&r.body, ResponseBody::Json(t) if named(t)))
        || op.errors.iter().any(|r| matches!(&r.body, ResponseBody::Json(t) if named(t)))
}

/// Refuses an integer parameter outside its documented bounds before anything is sent.
fn bounds_check(p: &Param) -> TokenStream {
    let wire = &p.wire;
    let lit = proc_macro2::Literal::i64_unsuffixed;
    let (condition, message) = match p.bounds {
        (Some(min), Some(max)) => {
            let (lo, hi) = (lit(min), lit(max));
            (quote!(!(#lo..=#hi).contains(value)), format!("`{wire}` must be between {min} and {max}"))
        }
        (Some(min), None) => {
            let lo = lit(min);
            (quote!(*value < #lo), format!("`{wire}` must be at least {min}"))
        }
        (None, Some(max)) => {
            let hi = lit(max);
            (quote!(*value > #hi), format!("`{wire}` must be at most {max}"))
        }
        (None, None) => return quote!(),
    };
    // The wire name is spec text: braces in it must not be read as format arguments.
    let message = message.replace('{', "{{").replace('}', "}}");
    quote! {
        if #condition {
            return Err(rt::Error::InvalidInput(format!(concat!(#message, ", got {}"), value)));
        }
    }
}
