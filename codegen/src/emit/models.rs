use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc, ident, ty};
use std::collections::{BTreeSet, HashMap};

use crate::ir::{Api, Field, SerdeForm, StringEnum, Struct, TypeDef, TypeKind, TypeRef};

/// What the model emitters need to know about the whole API, computed once and shared by the
/// threads that emit chunks of `models.rs`.
pub(crate) struct ModelContext<'a> {
    in_query: &'a BTreeSet<String>,
    multipart: &'a BTreeSet<String>,
    /// Whether the crate has one cargo feature per tag: types then print their
    /// [`TypeDef::features`] as `#[cfg]`s.
    tag_features: bool,
    /// Page types of list operations (the first operation's pagination describes each).
    pages: HashMap<&'a str, &'a crate::ir::Pagination>,
    /// The struct of required fields that `new` takes, for structs with more than
    /// [`MAX_POSITIONAL`] required fields (`OAuthClient` → `OAuthClientRequired`).
    required_args: HashMap<&'a str, String>,
}

/// Most required fields `new` takes as positional arguments; with more, it takes one struct of
/// named fields instead, so that same-typed arguments cannot be swapped silently.
pub(crate) const MAX_POSITIONAL: usize = 3;

/// `{Type}Required` for every struct with more than [`MAX_POSITIONAL`] required fields, unique
/// among the API's type names (schema names keep theirs; the helper takes a suffix).
fn required_args(api: &Api) -> HashMap<&str, String> {
    let names: Vec<&str> = api.types.iter().map(|t| crate::naming::unraw(&t.name)).collect();
    let mut scope = crate::naming::Scope::with_reserved(&names);
    api.types
        .iter()
        .filter(|t| matches!(&t.kind, TypeKind::Struct(s) if required_fields(s).len() > MAX_POSITIONAL))
        .map(|t| (t.name.as_str(), scope.claim(&format!("{}Required", crate::naming::unraw(&t.name)))))
        .collect()
}

/// The fields `new` must be given: required and not nullable.
fn required_fields(s: &Struct) -> Vec<&Field> {
    s.fields.iter().filter(|f| f.required && !f.nullable).collect()
}

impl<'a> ModelContext<'a> {
    /// With `tag_features`, a type used only by some tags' operations compiles only when one of
    /// those tags' cargo features is on.
    pub(crate) fn new(api: &'a Api, tag_features: bool) -> Self {
        Self {
            in_query: &api.uses.query,
            multipart: &api.uses.multipart,
            tag_features,
            pages: api
                .operations
                .iter()
                .rev()
                .filter_map(|op| op.pagination.as_ref())
                .map(|p| (p.page_type.as_str(), p))
                .collect(),
            required_args: required_args(api),
        }
    }
}

/// The top of `generated/models.rs`: module docs, lint allowances and shared helpers.
pub(crate) fn models_header(api: &Api) -> TokenStream {
    // The derive's `deserialize_with` helpers, for structs that keep the derive.
    let derived = |t: &&TypeDef| matches!(&t.kind, TypeKind::Struct(s) if s.serde() == SerdeForm::Derive);
    let tri_state = api
        .types
        .iter()
        .filter(derived)
        .any(|t| matches!(&t.kind, TypeKind::Struct(s) if s.fields.iter().any(|f| f.tri_state)));
    let helper = tri_state.then(|| {
        quote! {
            /// Reads a present field (even `null`) as `Some`, so a missing field stays `None`.
            #[allow(dead_code)]
            fn deserialize_some<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
            where
                T: ::serde::Deserialize<'de>,
                D: ::serde::Deserializer<'de>,
            {
                T::deserialize(deserializer).map(Some)
            }
        }
    });
    let plain = api
        .types
        .iter()
        .filter(derived)
        .any(|t| matches!(&t.kind, TypeKind::Struct(s) if s.fields.iter().any(|f| f.plain_collection)));
    let null_helper = plain.then(|| {
        quote! {
            /// Reads `null` as an empty collection, like an absent member.
            #[allow(dead_code)]
            fn null_as_empty<'de, T, D>(deserializer: D) -> Result<T, D::Error>
            where
                T: ::serde::Deserialize<'de> + Default,
                D: ::serde::Deserializer<'de>,
            {
                Ok(<Option<T> as ::serde::Deserialize>::deserialize(deserializer)?.unwrap_or_default())
            }
        }
    });
    // The compact serde impls name the runtime's helpers on every field: a short path each.
    // (Unused when tag features leave out every struct that has them.)
    let compact = api.types.iter().any(|t| matches!(&t.kind, TypeKind::Struct(s) if s.serde() == SerdeForm::Compact));
    let runtime_serde = compact.then(|| {
        quote! {
            #[allow(unused_imports)]
            use crate::runtime::{de, ser};
        }
    });
    let deprecated_uses = allow_deprecated_uses(api.uses.deprecated_in_models);
    quote! {
        //! Types for every schema of the API.
        #![allow(
            clippy::too_many_arguments,
            clippy::large_enum_variant,
            clippy::doc_markdown,
            clippy::new_without_default
        )]
        #deprecated_uses
        #runtime_serde
        #helper
        #null_helper
    }
}

/// `#![allow(deprecated)]` for a generated module that uses deprecated items (an IR fact: see
/// [`TypeUses`](crate::ir::TypeUses)): the generated code uses its own deprecated items (a field
/// of a deprecated type, a builder for a deprecated operation) and must build warning-free; users
/// still get the warning, which is reported where an item is used.
pub(crate) fn allow_deprecated_uses(uses_deprecated: bool) -> TokenStream {
    if uses_deprecated {
        quote!(#![allow(deprecated)])
    } else {
        quote!()
    }
}

/// The items of `generated/models.rs` for `types` (one Rust type per schema, with its impls).
pub(crate) fn models_items(types: &[TypeDef], cx: &ModelContext<'_>) -> TokenStream {
    let types = types.iter().map(|def| {
        let mut items = type_def(def, cx.required_args.get(def.name.as_str()).map(String::as_str));
        if cx.in_query.contains(&def.name) {
            items.extend(query_value(def));
        }
        if cx.multipart.contains(def.name.as_str()) {
            items.extend(multipart_parts(def));
        }
        items.extend(cx.pages.get(def.name.as_str()).map(|p| page_data(p)));
        items.extend(envelope_impl(def));
        // With tag features, every item of a gated type compiles with one of its features.
        let cfg = match &def.features[..] {
            _ if !cx.tag_features => None,
            [] => None,
            [one] => Some(quote!(#[cfg(feature = #one)])),
            many => Some(quote!(#[cfg(any(#(feature = #many),*))])),
        };
        let items = items.into_iter().map(|item| quote!(#cfg #item));
        quote!(#(#items)*)
    });
    quote!(#(#types)*)
}

/// The `data` field of a single-member `{ "data": T }` envelope.
pub(crate) fn envelope_field(def: &TypeDef) -> Option<&Field> {
    match &def.kind {
        TypeKind::Struct(s) if s.additional.is_none() && s.fields.len() == 1 && s.fields[0].wire == "data" => {
            s.fields.first()
        }
        _ => None,
    }
}

/// `Envelope` for a `{ "data": T }` type, so that `send_data()` / `ApiResponse::into_data` unwrap it.
fn envelope_impl(def: &TypeDef) -> Option<TokenStream> {
    let f = envelope_field(def)?;
    let name = ident(&def.name);
    let fname = ident(&f.name);
    let mut t = local(&f.ty);
    if f.boxed {
        t = quote!(Box<#t>);
    }
    let (t, body) = match ((f.required && !f.nullable) || f.plain_collection, f.tri_state) {
        (true, _) => (t, quote!(Some(self.#fname))),
        (false, false) => (t, quote!(self.#fname)),
        (false, true) => (t, quote!(self.#fname.flatten())),
    };
    let allow = f.deprecated.then(|| quote!(#[allow(deprecated)]));
    Some(quote! {
        impl crate::runtime::Envelope for #name {
            type Data = #t;
            #allow
            #[inline]
            fn into_data(self) -> Option<Self::Data> {
                #body
            }
        }
    })
}

fn local(t: &TypeRef) -> TokenStream {
    ty(t, &quote!())
}

/// The items of a type: its definition and the impls that come with it.
fn type_def(def: &TypeDef, required_args: Option<&str>) -> Vec<TokenStream> {
    let mut text = def.doc.as_deref().map(crate::text::markdown).unwrap_or_default();
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(&format!("Schema: {}", crate::text::code(&def.origin)));
    let docs = doc(Some(&text));
    let deprecated = if def.deprecated { quote!(#[deprecated]) } else { quote!() };
    let name = ident(&def.name);
    match &def.kind {
        TypeKind::Struct(s) => structure(&name, s, quote!(#docs #deprecated), required_args, def.deprecated),
        TypeKind::Enum(e) => string_enum(&name, e, quote!(#docs #deprecated)),
        TypeKind::Untagged(variants) => {
            let vs = variants.iter().map(|v| {
                let vname = ident(&v.name);
                let vty = variant_type(v);
                let docs = doc(Some(&v.doc));
                quote!(#docs #vname(#vty))
            });
            match &def.discriminator {
                Some(property) if variants.iter().any(|v| !v.tags.is_empty()) => {
                    let deserialize = discriminated(&name, &def.name, property, variants);
                    vec![
                        quote! {
                            #docs #deprecated
                            #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
                            #[serde(untagged)]
                            pub enum #name { #(#vs,)* }
                        },
                        deserialize,
                    ]
                }
                _ => vec![quote! {
                    #docs #deprecated
                    #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
                    #[serde(untagged)]
                    pub enum #name { #(#vs,)* }
                }],
            }
        }
        TypeKind::Alias(TypeRef::Named(path)) if path.contains("::") => {
            // A replacement (`spec/replacements.yaml`): the hand-written type under this name too.
            let same_name = path.rsplit("::").next() == Some(def.name.as_str());
            let path = super::rust_path(path);
            if same_name {
                vec![quote! {
                    #docs
                    pub use #path;
                }]
            } else {
                vec![quote! {
                    #docs
                    pub use #path as #name;
                }]
            }
        }
        TypeKind::Alias(t) => {
            let t = local(t);
            vec![quote! {
                #docs #deprecated
                pub type #name = #t;
            }]
        }
    }
}

fn variant_type(v: &crate::ir::Variant) -> TokenStream {
    let t = local(&v.ty);
    if v.boxed {
        quote!(Box<#t>)
    } else {
        t
    }
}

/// `Deserialize` for a `oneOf` with a discriminator: the property picks the branch; a value
/// the mapping does not know falls back to trying each branch in order.
fn discriminated(
    name: &proc_macro2::Ident,
    type_name: &str,
    property: &str,
    variants: &[crate::ir::Variant],
) -> TokenStream {
    let construct = |v: &crate::ir::Variant| {
        let vname = ident(&v.name);
        if v.boxed {
            quote!(|v| Self::#vname(Box::new(v)))
        } else {
            quote!(Self::#vname)
        }
    };
    let arms = variants.iter().filter(|v| !v.tags.is_empty()).map(|v| {
        let tags = &v.tags;
        let vty = local(&v.ty);
        let build = construct(v);
        quote!(Some(#(#tags)|*) => ::serde_json::from_value::<#vty>(value).map(#build).map_err(D::Error::custom),)
    });
    let attempts = variants.iter().map(|v| {
        let vty = local(&v.ty);
        let build = construct(v);
        quote! {
            if let Ok(v) = ::serde_json::from_value::<#vty>(value.clone()) {
                return Ok((#build)(v));
            }
        }
    });
    // The property name is spec text: an argument, never part of the format string.
    let message = format!("no variant of {type_name} matches (discriminator `{{}}` = {{:?}})");
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                use ::serde::de::Error as _;
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get(#property).and_then(::serde_json::Value::as_str).map(str::to_owned);
                match tag.as_deref() {
                    #(#arms)*
                    _ => {
                        #(#attempts)*
                        Err(D::Error::custom(format!(#message, #property, tag)))
                    }
                }
            }
        }
    }
}

pub(crate) fn field_type(f: &Field) -> TokenStream {
    let mut t = local(&f.ty);
    if f.boxed {
        t = quote!(Box<#t>);
    }
    if (!f.required || f.nullable) && !f.plain_collection {
        t = quote!(Option<#t>);
    }
    if f.tri_state {
        t = quote!(Option<#t>);
    }
    t
}

fn structure(
    name: &proc_macro2::Ident,
    s: &Struct,
    attrs: TokenStream,
    required_args: Option<&str>,
    def_deprecated: bool,
) -> Vec<TokenStream> {
    let has_secret = s.fields.iter().any(|f| f.secret);
    let all_optional = s.fields.iter().all(|f| !f.required || f.nullable);
    let derive_serde = s.serde() == SerdeForm::Derive;
    let mut derives = vec![quote!(Clone), quote!(PartialEq)];
    if derive_serde {
        derives.extend([quote!(::serde::Serialize), quote!(::serde::Deserialize)]);
    }
    if !has_secret {
        derives.insert(0, quote!(Debug));
    }
    if all_optional {
        derives.push(quote!(Default));
    }
    let deny = if derive_serde && s.deny_unknown && s.additional.is_none() {
        quote!(#[serde(deny_unknown_fields)])
    } else {
        quote!()
    };
    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let t = field_type(f);
        let mut text = f.doc.clone().unwrap_or_default();
        if f.secret {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str("Redacted in `Debug` output.");
        }
        let docs = doc(Some(&text));
        let rename = if !derive_serde {
            quote!()
        } else if crate::naming::unraw(&f.name) != f.wire {
            let wire = &f.wire;
            quote!(#[serde(rename = #wire)])
        } else {
            quote!()
        };
        let serde = if !derive_serde {
            quote!()
        } else if f.tri_state {
            quote!(#[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "deserialize_some")])
        } else if f.plain_collection {
            let is_empty = if matches!(f.ty, TypeRef::Map(_)) {
                "::std::collections::BTreeMap::is_empty"
            } else {
                "Vec::is_empty"
            };
            quote!(#[serde(default, skip_serializing_if = #is_empty, deserialize_with = "null_as_empty")])
        } else if !f.required {
            quote!(#[serde(default, skip_serializing_if = "Option::is_none")])
        } else if f.nullable {
            quote!(#[serde(default)])
        } else {
            quote!()
        };
        let deprecated = if f.deprecated { quote!(#[deprecated]) } else { quote!() };
        quote!(#docs #rename #serde #deprecated pub #fname: #t)
    });
    let additional = s.additional.as_ref().map(|t| {
        let t = local(t);
        quote!(
            /// Members not listed in the schema.
            #[serde(flatten)]
            pub additional_properties: ::std::collections::BTreeMap<String, #t>,
        )
    });
    let fields = quote!(#(#fields,)* #additional);

    // `new` takes the required fields; the rest start empty.
    let required = required_fields(s);
    let takes_into = |f: &Field| f.ty == TypeRef::String && !f.boxed;
    let args = required.iter().map(|f| {
        let fname = ident(&f.name);
        let t = if takes_into(f) { quote!(impl Into<String>) } else { field_type(f) };
        quote!(#fname: #t)
    });
    let inits = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        if f.required && !f.nullable {
            if takes_into(f) {
                quote!(#fname: #fname.into())
            } else {
                quote!(#fname)
            }
        } else if f.plain_collection {
            quote!(#fname: ::std::default::Default::default())
        } else {
            quote!(#fname: None)
        }
    });
    let additional_init =
        s.additional.as_ref().map(|_| quote!(additional_properties: ::std::collections::BTreeMap::new(),));
    let deprecated_fields = s.fields.iter().any(|f| f.deprecated);
    let allow_deprecated = if deprecated_fields { quote!(#[allow(deprecated)]) } else { quote!() };
    let mut setter_names = crate::naming::Scope::default();
    let setters: Vec<TokenStream> = s
        .fields
        .iter()
        .filter(|f| !f.required || f.nullable)
        .map(|f| {
            // `_1st` (a name escaped for a leading digit) gives `with_1st`, not `with__1st`.
            let name = setter_names.claim(&format!("with_{}", crate::naming::unraw(&f.name).trim_start_matches('_')));
            setter(f, &name)
        })
        .collect();
    let (args_struct, new_fn) = match required_args {
        None => (
            None,
            quote! {
                /// A value with the required fields set and every optional field empty.
                #allow_deprecated
                #[inline]
                pub fn new(#(#args),*) -> Self {
                    Self { #(#inits,)* #additional_init }
                }
            },
        ),
        Some(args_name) => {
            let args_ident = ident(args_name);
            let arg_fields = required.iter().map(|f| {
                let fname = ident(&f.name);
                let t = field_type(f);
                let docs = doc(f.doc.as_deref());
                quote!(#docs pub #fname: #t)
            });
            let names = required.iter().map(|f| ident(&f.name));
            let inits = s.fields.iter().map(|f| {
                let fname = ident(&f.name);
                if f.required && !f.nullable {
                    quote!(#fname)
                } else if f.plain_collection {
                    quote!(#fname: ::std::default::Default::default())
                } else {
                    quote!(#fname: None)
                }
            });
            let struct_doc =
                doc(Some(&format!("The required fields of [`{}`], by name, for [`{}::new`].", name, name)));
            (
                Some(quote! {
                    #struct_doc
                    #allow_deprecated
                    pub struct #args_ident { #(#arg_fields,)* }
                }),
                quote! {
                    /// A value with the required fields set and every optional field empty.
                    #allow_deprecated
                    #[inline]
                    pub fn new(required: #args_ident) -> Self {
                        let #args_ident { #(#names),* } = required;
                        Self { #(#inits,)* #additional_init }
                    }
                },
            )
        }
    };
    let constructor = quote! {
        impl #name {
            #new_fn

            #(#setters)*
        }
    };
    // A model with a secret has its `Debug` written out, to redact it; the others derive it
    // (writing it out, `#[inline]`, for every model saved about 2 s of 80 s of CPU in a debug
    // build of the full Telnyx crate, within the noise, for 8% more generated text: BENCHMARKS.md
    // §8, fourth session).
    let debug = has_secret.then(|| {
        let name_str = name.to_string();
        let entries = s.fields.iter().map(|f| {
            let fname = ident(&f.name);
            let label = &f.wire;
            if !f.secret {
                quote!(d.field(#label, &self.#fname);)
            } else if !f.required || f.nullable {
                quote!(d.field(#label, &self.#fname.as_ref().map(|_| "<redacted>"));)
            } else {
                quote!(d.field(#label, &"<redacted>");)
            }
        });
        let extra =
            s.additional.as_ref().map(|_| quote!(d.field("additional_properties", &self.additional_properties);));
        // One statement per field: printed one line each, where a chain is broken over several.
        quote! {
            impl ::std::fmt::Debug for #name {
                #allow_deprecated
                #[inline]
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    let mut d = f.debug_struct(#name_str);
                    #(#entries)*
                    #extra
                    d.finish()
                }
            }
        }
    });
    let definition = quote! {
        #attrs
        #[derive(#(#derives),*)]
        #deny
        pub struct #name { #fields }
    };
    let serde_impls = (!derive_serde).then(|| compact_serde(name, s, def_deprecated)).into_iter().flatten();
    std::iter::once(definition).chain(args_struct).chain([constructor]).chain(debug).chain(serde_impls).collect()
}

/// `Deserialize` and `Serialize` for a struct of [`SerdeForm::Compact`]: a hidden struct of
/// slots (one `Option` per field) read through `runtime::de`, and `serialize_struct` with one
/// line per field. Same wire behaviour as the derive with the attributes `structure` would give
/// each field (see `generated-client/tests/models_serde.rs`).
fn compact_serde(name: &proc_macro2::Ident, s: &Struct, deprecated: bool) -> Vec<TokenStream> {
    let name_str = crate::naming::unraw(&name.to_string()).to_owned();
    // A prefix keeps the name UpperCamelCase for names escaped with a trailing `_` (`Self_`).
    let slots = format_ident!("__Fields{}", name_str);
    let allow = (deprecated || s.fields.iter().any(|f| f.deprecated)).then(|| quote!(#[allow(deprecated)]));
    let slot_fields = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let t = field_type(f);
        quote!(#fname: Option<#t>)
    });
    let wires = s.fields.iter().map(|f| &f.wire);
    let arms = s.fields.iter().enumerate().map(|(index, f)| {
        let index = proc_macro2::Literal::usize_unsuffixed(index);
        let fname = ident(&f.name);
        let wire = &f.wire;
        let helper = if f.tri_state {
            quote!(slot_present)
        } else if f.plain_collection {
            quote!(slot_or_empty)
        } else {
            quote!(slot)
        };
        quote!(#index => de::#helper(&mut self.#fname, map, #wire),)
    });
    let field_body = if s.fields.is_empty() {
        quote!(let _ = (index, map); Ok(()))
    } else {
        quote!(match index { #(#arms)* _ => Ok(()), })
    };
    let inits = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let wire = &f.wire;
        if f.required && !f.nullable {
            quote!(#fname: de::required(self.#fname, #wire)?)
        } else {
            quote!(#fname: self.#fname.unwrap_or_default())
        }
    });
    let deny = s.deny_unknown.then(|| {
        quote!(
            const DENY_UNKNOWN: bool = true;
        )
    });
    // `serialize_struct`'s length is exact (formats such as MessagePack write it first): the
    // fields always written, plus those of the optional ones that are present this time.
    let always = s.fields.iter().filter(|f| matches!(written(f), Written::Always)).count();
    let present: Vec<TokenStream> = s
        .fields
        .iter()
        .filter_map(|f| {
            let fname = ident(&f.name);
            match written(f) {
                Written::Always => None,
                Written::IfSome => Some(quote!(self.#fname.is_some())),
                Written::IfNotEmpty => Some(quote!(!self.#fname.is_empty())),
            }
        })
        .collect();
    let always_lit = proc_macro2::Literal::usize_unsuffixed(always);
    let len = match (always, present.is_empty()) {
        (_, true) => quote!(#always_lit),
        (0, false) => quote!(ser::count(&[#(#present),*])),
        (_, false) => quote!(#always_lit + ser::count(&[#(#present),*])),
    };
    let writes = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let wire = &f.wire;
        match written(f) {
            Written::Always => quote!(s.serialize_field(#wire, &self.#fname)?;),
            Written::IfSome => quote!(ser::optional(&mut s, #wire, &self.#fname)?;),
            Written::IfNotEmpty => quote!(ser::collection(&mut s, #wire, &self.#fname)?;),
        }
    });
    let mutable = (!s.fields.is_empty()).then(|| quote!(mut));
    vec![
        quote! {
            #[derive(Default)]
            struct #slots { #(#slot_fields,)* }
        },
        quote! {
            impl<'de> de::Fields<'de> for #slots {
                type Output = #name;
                const NAME: &'static str = #name_str;
                const FIELDS: &'static [&'static str] = &[#(#wires),*];
                #deny
                fn field<A: de::MapAccess<'de>>(&mut self, index: usize, map: &mut A) -> Result<(), A::Error> {
                    #field_body
                }
                #allow
                fn finish<E: de::Error>(self) -> Result<#name, E> {
                    Ok(#name { #(#inits,)* })
                }
            }
        },
        quote! {
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    de::deserialize::<#slots, D>(deserializer)
                }
            }
        },
        quote! {
            impl ::serde::Serialize for #name {
                #allow
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    use ::serde::ser::SerializeStruct as _;
                    let #mutable s = serializer.serialize_struct(#name_str, #len)?;
                    #(#writes)*
                    s.end()
                }
            }
        },
    ]
}

/// When the compact `Serialize` writes a field; the struct length it announces counts the same.
enum Written {
    /// Every time (a required field, `null` included when it is nullable).
    Always,
    /// When it is `Some` (an optional field; a tri-state one writes `Some(None)` as `null`).
    IfSome,
    /// When it is not empty (a collection where absent and empty mean the same).
    IfNotEmpty,
}

fn written(f: &Field) -> Written {
    if f.plain_collection {
        Written::IfNotEmpty
    } else if !f.required || f.tri_state {
        Written::IfSome
    } else {
        Written::Always
    }
}

/// `with_<field>(value)`: sets an optional field, for building a value in one expression
/// (`OAuthClientUpdateRequest::new().with_name("App").with_require_pkce(true)`). A field that may
/// be sent as `null` (`Option<Option<T>>`) takes an `Option<T>`: `None` sends `null`.
fn setter(f: &Field, setter: &str) -> TokenStream {
    let fname = ident(&f.name);
    let setter = format_ident!("{}", setter);
    let mut inner = local(&f.ty);
    if f.boxed {
        inner = quote!(Box<#inner>);
    }
    let deprecated = if f.deprecated { quote!(#[deprecated] #[allow(deprecated)]) } else { quote!() };
    let docs = doc(Some(&format!("Sets {}.", crate::text::code(&f.wire))));
    if f.tri_state {
        return quote! {
            #docs
            #deprecated
            #[inline]
            pub fn #setter(mut self, value: Option<#inner>) -> Self {
                self.#fname = Some(value);
                self
            }
        };
    }
    if f.plain_collection {
        return quote! {
            #docs
            #deprecated
            #[inline]
            pub fn #setter(mut self, value: #inner) -> Self {
                self.#fname = value;
                self
            }
        };
    }
    // A non-generic function of a library is compiled into it whether or not anything calls it;
    // an `#[inline]` or generic one only in the crate that uses it. A setter taking
    // `impl Into<String>` is generic already; the others (and `new`, `Debug`, the trait impls
    // here) are marked `#[inline]`, so that a build pays only for the models it uses.
    let (arg, value, inline) = if f.ty == TypeRef::String && !f.boxed {
        (quote!(impl Into<String>), quote!(value.into()), None)
    } else {
        (inner, quote!(value), Some(quote!(#[inline])))
    };
    quote! {
        #docs
        #deprecated
        #inline
        pub fn #setter(mut self, value: #arg) -> Self {
            self.#fname = Some(#value);
            self
        }
    }
}

fn string_enum(name: &proc_macro2::Ident, e: &StringEnum, attrs: TokenStream) -> Vec<TokenStream> {
    let other = ident(&e.other);
    let variants = e.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let d = doc(Some(&crate::text::code(&v.wire)));
        quote!(#d #vname)
    });
    let wires = e.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let wire = &v.wire;
        quote!(#vname => #wire)
    });
    vec![
        quote! {
            #attrs
            #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
            #[non_exhaustive]
            pub enum #name {
                #(#variants,)*
                /// A value this version of the client does not know.
                #other(String),
            }
        },
        quote!(crate::runtime::string_enum!(#name, #other, { #(#wires),* });),
    ]
}

/// `QueryValue` for structs (the `deepObject` style: `name[field]=value`) and `oneOf`s.
fn query_value(def: &TypeDef) -> Option<TokenStream> {
    let name = ident(&def.name);
    let body = match &def.kind {
        TypeKind::Struct(s) => {
            let fields = s.fields.iter().map(|f| {
                let fname = ident(&f.name);
                let wire = &f.wire;
                if f.plain_collection {
                    quote!(if !self.#fname.is_empty() { crate::runtime::push_nested(name, #wire, &self.#fname, out); })
                } else if !f.required || f.nullable {
                    quote!(if let Some(value) = &self.#fname { crate::runtime::push_nested(name, #wire, value, out); })
                } else {
                    quote!(crate::runtime::push_nested(name, #wire, &self.#fname, out);)
                }
            });
            let extra = s.additional.as_ref().map(|_| {
                quote!(for (key, value) in &self.additional_properties {
                    crate::runtime::push_nested(name, key, value, out);
                })
            });
            quote!(#(#fields)* #extra)
        }
        TypeKind::Untagged(variants) => {
            let arms = variants.iter().map(|v| {
                let vname = ident(&v.name);
                quote!(Self::#vname(value) => crate::runtime::QueryValue::push_pairs(value, name, out),)
            });
            quote!(match self { #(#arms)* })
        }
        _ => return None,
    };
    let allow = if matches!(&def.kind, TypeKind::Struct(s) if s.fields.iter().any(|f| f.deprecated)) {
        quote!(#[allow(deprecated)])
    } else {
        quote!()
    };
    Some(quote! {
        impl crate::runtime::QueryValue for #name {
            #allow
            #[inline]
            fn push_pairs(&self, name: &'static str, out: &mut Vec<(::std::borrow::Cow<'static, str>, String)>) {
                #body
            }
        }
    })
}

/// `multipart_parts()` for a type sent as `multipart/form-data`: bytes become file parts,
/// lists one part per element, everything else a text part.
fn multipart_parts(def: &TypeDef) -> Option<TokenStream> {
    let name = ident(&def.name);
    let s = match &def.kind {
        TypeKind::Struct(s) => s,
        TypeKind::Untagged(variants) => {
            let arms = variants.iter().map(|v| {
                let vname = ident(&v.name);
                match &v.ty {
                    TypeRef::Named(_) => quote!(Self::#vname(value) => value.multipart_parts(),),
                    _ => {
                        let wire = crate::naming::unraw(&v.name).to_lowercase();
                        quote!(Self::#vname(value) => vec![crate::runtime::Part::value(#wire, value)],)
                    }
                }
            });
            return Some(quote! {
                impl #name {
                    /// The body as `multipart/form-data` parts.
                    pub(crate) fn multipart_parts(&self) -> Vec<crate::runtime::Part> {
                        match self { #(#arms)* }
                    }
                }
            });
        }
        _ => return None,
    };
    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let wire = &f.wire;
        let push = |value: TokenStream, ty: &TypeRef| match ty {
            TypeRef::Bytes => quote!(parts.push(crate::runtime::Part::file(#wire, ::bytes::Bytes::clone(#value)));),
            TypeRef::Vec(inner) if **inner == TypeRef::Bytes => {
                quote!(for item in #value { parts.push(crate::runtime::Part::file(#wire, item.clone())); })
            }
            TypeRef::Vec(_) => quote!(for item in #value { parts.push(crate::runtime::Part::value(#wire, item)); }),
            _ => quote!(parts.push(crate::runtime::Part::value(#wire, #value));),
        };
        if f.plain_collection {
            push(quote!(&self.#fname), &f.ty)
        } else if !f.required || f.nullable {
            let body = push(quote!(value), &f.ty);
            quote!(if let Some(value) = &self.#fname { #body })
        } else {
            push(quote!(&self.#fname), &f.ty)
        }
    });
    let allow = if s.fields.iter().any(|f| f.deprecated) { quote!(#[allow(deprecated)]) } else { quote!() };
    Some(quote! {
        impl #name {
            /// The body as `multipart/form-data` parts.
            #allow
            pub(crate) fn multipart_parts(&self) -> Vec<crate::runtime::Part> {
                let mut parts = Vec::new();
                #(#fields)*
                parts
            }
        }
    })
}

/// `PageData` for the response type of a list operation: its items and where it stands.
fn page_data(p: &crate::ir::Pagination) -> TokenStream {
    let page = ident(&p.page_type);
    let item = local(&p.item);
    let data = ident(&p.data_field.0);
    let meta = ident(&p.meta_field.0);
    let (items, into_items) = if p.data_field.1 {
        (quote!(self.#data.as_deref().unwrap_or(&[])), quote!(self.#data.unwrap_or_default()))
    } else {
        (quote!(&self.#data), quote!(self.#data))
    };
    let meta_get = |field: &crate::ir::PageField| {
        let f = ident(&field.name);
        let base = if p.meta_field.1 { quote!(m) } else { quote!(self.#meta) };
        let value = match (field.optional, field.is_i64) {
            (true, true) => quote!(#base.#f),
            (true, false) => quote!(#base.#f.map(i64::from)),
            (false, true) => quote!(Some(#base.#f)),
            (false, false) => quote!(Some(i64::from(#base.#f))),
        };
        if p.meta_field.1 {
            quote!(self.#meta.as_ref().and_then(|m| #value))
        } else {
            value
        }
    };
    let page_number = match &p.page_number_field {
        Some(f) => meta_get(f),
        None => quote!(None),
    };
    let total_pages = meta_get(&p.total_pages_field);
    quote! {
        impl crate::runtime::PageData for #page {
            type Item = #item;

            fn items(&self) -> &[Self::Item] {
                #items
            }

            fn into_items(self) -> Vec<Self::Item> {
                #into_items
            }

            fn page_number(&self) -> Option<i64> {
                #page_number
            }

            fn total_pages(&self) -> Option<i64> {
                #total_pages
            }
        }
    }
}
