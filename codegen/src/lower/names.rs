//! Type names: the natural name of a schema from its place in the document, overrides
//! (`x-rust-name`, the renames file), reserved names and collisions.

use indexmap::IndexMap;
use openapiv3::ReferenceOr;

use crate::error::{ptr, Error};
use crate::naming;

use super::enums::string_enum_values;
use super::Lowerer;

/// Names taken in the models module by what the emitter refers to unqualified.
pub(super) const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    "Self",
    "From",
    "Into",
    "TryFrom",
    "Default",
    "Send",
    "Sync",
    "Sized",
    "Clone",
    "Copy",
    "Debug",
    "PartialEq",
    "Eq",
    "Hash",
    "Iterator",
    "Future",
    "IntoFuture",
    "Pin",
    "Duration",
    "Client",
    "Page",
    "RequestEncoding",
];

/// The natural name of an inline type: its owner's name and its place in the owner
/// (`OAuthClient` + `client_type` → `OAuthClientClientType`). It depends only on where the schema
/// is, never on what else the document contains (see [`Lowerer::type_name`]).
#[derive(Debug, Clone)]
pub(super) struct Hint {
    pub(super) qualified: String,
}

impl Hint {
    pub(super) fn new(name: &str) -> Self {
        Self { qualified: name.to_owned() }
    }

    pub(super) fn property(&self, prop: &str) -> Self {
        let short = naming::ident_camel(prop, "Field");
        Self { qualified: format!("{}{}", self.qualified, naming::unraw(&short)) }
    }

    pub(super) fn item(&self) -> Self {
        Self { qualified: naming::singular(&self.qualified) }
    }

    pub(super) fn suffix(&self, s: &str) -> Self {
        Self { qualified: format!("{}{s}", self.qualified) }
    }
}

/// What holds a type name: where its schema is, and for a string enum its set of values.
#[derive(Debug)]
pub(super) struct Holder {
    origin: String,
    enum_values: Option<Vec<String>>,
}

/// The extension that overrides the Rust name of a schema (its type) or an operation (its method).
const RUST_NAME: &str = "x-rust-name";

impl<'a> Lowerer<'a> {
    pub(super) fn name_components(&mut self) -> Result<(), Error> {
        let Some(components) = &self.spec.components else { return Ok(()) };
        for (key, schema) in &components.schemas {
            let at = ptr("/components/schemas", key);
            let (data, values) = match schema {
                ReferenceOr::Item(s) => (Some(&s.schema_data), string_enum_values(s)),
                ReferenceOr::Reference { .. } => (None, None),
            };
            let (name, _) = self.type_name(key, data, &at, values.as_deref())?;
            self.components.insert(key.clone(), name);
        }
        Ok(())
    }

    /// The Rust name for the type of the schema at `at`.
    ///
    /// The rule: a name depends only on the schema's own place in the document, never on what
    /// else the document contains, so adding a schema or an operation does not rename anything.
    /// - An override wins: the renames file's entry for `at`, else `x-rust-name` on the schema.
    /// - Else the natural name: a component's key, an inline schema's owner and place
    ///   (`OAuthClient.client_type` → `OAuthClientClientType`, a list's item → the singular,
    ///   an operation's body → `<Operation>Body`, its response → `<Operation>Response`).
    /// - A name the generated code itself uses (`Option`, `Client`, ...) gets a `2`.
    /// - String enums that end up with the same name and the same set of values are one type
    ///   (this is how an override names several places at once); so is one schema met twice.
    /// - Any other second claim on a name is a collision: an error at `at` that asks for an
    ///   override, or in lenient mode a numbered suffix and a warning (such names are stable only
    ///   while the collision lasts).
    ///
    /// Returns the name and whether it names a type that already exists (nothing to define).
    pub(super) fn type_name(
        &mut self,
        natural: &str,
        data: Option<&openapiv3::SchemaData>,
        at: &str,
        enum_values: Option<&[String]>,
    ) -> Result<(String, bool), Error> {
        let mut name = match self.override_name(data, at)? {
            Some(name) => name,
            None => naming::ident_camel(natural, "Schema"),
        };
        if RESERVED_TYPES.contains(&naming::unraw(&name)) {
            name = format!("{}2", naming::unraw(&name));
        }
        let values = enum_values.map(|v| {
            let mut v = v.to_vec();
            v.sort();
            v.dedup();
            v
        });
        // A component whose schema is lowered as an inline type (`type: object` with `oneOf`) is an
        // alias of that type, which cannot share the component's name: it gets the name plus `2`.
        let is_component = at.strip_prefix("/components/schemas/").is_some_and(|key| !key.contains('/'));
        if is_component && self.names.get(naming::unraw(&name)).is_some_and(|holder| holder.origin == at) {
            name = format!("{}2", naming::unraw(&name));
        }
        if let Some(holder) = self.names.get(naming::unraw(&name)) {
            if holder.origin == at || (values.is_some() && holder.enum_values == values) {
                return Ok((name, true));
            }
            let message = format!(
                concat!(
                    "the Rust name `{}` is already taken by the type for {}; ",
                    "name one of them with `{}` or an entry in the renames file"
                ),
                naming::unraw(&name),
                holder.origin,
                RUST_NAME
            );
            if !self.lenient {
                return Err(self.ctx.invalid(at, message));
            }
            // Without an escaping underscore: `Self_` is numbered `Self2`, not `Self_2`, which
            // `non_camel_case_types` rejects.
            let plain = naming::unraw(&name).trim_end_matches('_').to_owned();
            let sep = if plain.ends_with(|c: char| c.is_ascii_digit()) { "_" } else { "" };
            name = (2..).map(|n| format!("{plain}{sep}{n}")).find(|n| !self.names.contains_key(n)).unwrap_or_default();
            self.warnings.push(self.ctx.invalid(at, format!("{message} (named `{name}` for now)")));
        }
        self.names.insert(naming::unraw(&name).to_owned(), Holder { origin: at.to_owned(), enum_values: values });
        Ok((name, false))
    }

    /// The maintainer's name for the schema or operation at `at`: the renames file's entry, else
    /// the `x-rust-name` extension, as an `UpperCamelCase` identifier.
    fn override_name(&mut self, data: Option<&openapiv3::SchemaData>, at: &str) -> Result<Option<String>, Error> {
        let extensions = data.map(|d| &d.extensions);
        self.override_from(extensions, at).map(|name| name.map(|n| naming::ident_camel(&n, "Schema")))
    }

    pub(super) fn override_from(
        &mut self,
        extensions: Option<&IndexMap<String, serde_json::Value>>,
        at: &str,
    ) -> Result<Option<String>, Error> {
        if let Some(name) = self.renames.get(at) {
            self.renames_used.insert(at.to_owned());
            return Ok(Some(name.clone()));
        }
        match extensions.and_then(|e| e.get(RUST_NAME)) {
            None => Ok(None),
            Some(serde_json::Value::String(name)) if !naming::camel(name).is_empty() => Ok(Some(name.clone())),
            Some(_) => Err(self
                .ctx
                .invalid(&ptr(at, RUST_NAME), format!("`{RUST_NAME}` must be a string with letters or digits"))),
        }
    }
}
