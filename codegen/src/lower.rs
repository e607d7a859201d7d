//! Stage 3 and 4: validate the parsed document and turn it into the IR.

use std::collections::{BTreeMap, HashMap, HashSet};

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, MediaType, OpenAPI, Parameter, ParameterSchemaOrContent, PathItem, ReferenceOr, Schema,
    SchemaKind, SecurityScheme, StatusCode, Type,
};

use crate::error::{ptr, Ctx, Error};
use crate::ir::*;
use crate::naming::{self, Scope};

use crate::naming::{BUILDER_METHODS, CLIENT_METHODS};

#[path = "lower_errors.rs"]
mod lower_errors;
#[path = "lower_collections.rs"]
mod lower_collections;

/// Names taken in the models module by what the emitter refers to unqualified.
const RESERVED_TYPES: &[&str] = &[
    "Option", "Result", "String", "Vec", "Box", "Some", "None", "Ok", "Err", "Self", "From", "Into", "TryFrom",
    "Default", "Send", "Sync", "Sized", "Clone", "Copy", "Debug", "PartialEq", "Eq", "Hash", "Iterator", "Future",
    "IntoFuture", "Pin", "Duration", "Client", "Page", "RequestEncoding",
];

/// An operation that was left out, with where and why.
pub type Skipped = Vec<Error>;

/// The natural name of an inline type: its owner's name and its place in the owner
/// (`OAuthClient` + `client_type` → `OAuthClientClientType`). It depends only on where the schema
/// is, never on what else the document contains (see [`Lowerer::type_name`]).
#[derive(Debug, Clone)]
struct Hint {
    qualified: String,
}

impl Hint {
    fn new(name: &str) -> Self {
        Self { qualified: name.to_owned() }
    }

    fn property(&self, prop: &str) -> Self {
        let short = naming::ident_camel(prop, "Field");
        Self { qualified: format!("{}{}", self.qualified, naming::unraw(&short)) }
    }

    fn item(&self) -> Self {
        Self { qualified: naming::singular(&self.qualified) }
    }

    fn suffix(&self, s: &str) -> Self {
        Self { qualified: format!("{}{s}", self.qualified) }
    }
}

/// What holds a type name: where its schema is, and for a string enum its set of values.
#[derive(Debug)]
struct Holder {
    origin: String,
    enum_values: Option<Vec<String>>,
}

/// The extension that overrides the Rust name of a schema (its type) or an operation (its method).
const RUST_NAME: &str = "x-rust-name";

struct Lowerer<'a> {
    ctx: &'a Ctx,
    spec: &'a OpenAPI,
    types: Vec<TypeDef>,
    /// Inline string enums, emitted after the other types.
    enums: Vec<TypeDef>,
    /// Every type name given out, with what holds it.
    names: HashMap<String, Holder>,
    components: HashMap<String, String>,
    /// Names chosen by the maintainer: JSON pointer → Rust name.
    renames: &'a BTreeMap<String, String>,
    /// Pointers of `renames` that named something.
    renames_used: HashSet<String>,
    /// Resolve name collisions with a suffix and a warning instead of failing.
    lenient: bool,
    /// Problems worked around (name collisions in lenient mode).
    warnings: Vec<Error>,
    depth: usize,
    /// While lowering a multipart body: `format: binary` properties are bytes (file parts).
    binary_as_bytes: bool,
    /// Component schemas sent as multipart bodies (their binary properties are bytes).
    multipart_components: HashSet<String>,
}

const MAX_SCHEMA_DEPTH: usize = 48;

/// Turns a parsed document into the IR. Operations that use an unsupported construct are
/// left out and listed in the returned `Skipped`.
pub(crate) fn lower(
    ctx: &Ctx,
    spec: &OpenAPI,
    skip_unsupported: bool,
    renames: &crate::Renames,
) -> Result<(Api, Skipped), Error> {
    let mut l = Lowerer {
        ctx,
        spec,
        types: Vec::new(),
        enums: Vec::new(),
        names: HashMap::new(),
        components: HashMap::new(),
        renames: &renames.names,
        renames_used: HashSet::new(),
        lenient: skip_unsupported,
        warnings: Vec::new(),
        depth: 0,
        binary_as_bytes: false,
        multipart_components: multipart_components(spec),
    };
    let default_server = spec.servers.first().map(server_url).unwrap_or_else(|| "http://localhost".to_owned());
    let default_server = if default_server.starts_with('/') { format!("http://localhost{default_server}") } else { default_server };

    l.name_components()?;
    l.define_components()?;
    let mut skipped = Vec::new();
    let operations = l.operations(&default_server, skip_unsupported, &mut skipped)?;
    let mut api = Api {
        title: spec.info.title.clone(),
        version: spec.info.version.clone(),
        description: spec.info.description.clone(),
        default_server,
        types: Vec::new(),
        operations,
    };
    api.types = std::mem::take(&mut l.types);
    api.types.append(&mut l.enums);
    for pointer in renames.names.keys().filter(|p| !l.renames_used.contains(*p)) {
        let error = Error {
            kind: crate::ErrorKind::Invalid,
            location: crate::Location { file: renames.path.clone(), pointer: pointer.clone() },
            message: format!("renames entry `{pointer}` does not name a schema or operation of {}", ctx.file),
        };
        if !skip_unsupported {
            return Err(error);
        }
        l.warnings.push(error);
    }
    skipped.append(&mut l.warnings);
    box_cycles(&mut api);
    relax_directional_required(&mut api);
    mark_tri_state(&mut api);
    lower_collections::mark_plain_collections(&mut api, spec);
    Ok((api, skipped))
}

/// Component schemas reachable (through `$ref`, `oneOf`, `anyOf`, `allOf`) from a request body
/// that is only offered as `multipart/form-data`.
fn multipart_components(spec: &OpenAPI) -> HashSet<String> {
    fn refs(schema: &ReferenceOr<Schema>, out: &mut Vec<String>) {
        match schema {
            ReferenceOr::Reference { reference } => {
                if let Some(key) = reference.strip_prefix("#/components/schemas/") {
                    out.push(key.to_owned());
                }
            }
            ReferenceOr::Item(s) => match &s.schema_kind {
                SchemaKind::OneOf { one_of: b } | SchemaKind::AnyOf { any_of: b } | SchemaKind::AllOf { all_of: b } => {
                    b.iter().for_each(|x| refs(x, out))
                }
                _ => {}
            },
        }
    }
    let mut stack = Vec::new();
    for item in spec.paths.paths.values() {
        let ReferenceOr::Item(item) = item else { continue };
        for (_, op) in methods(item) {
            let Some(ReferenceOr::Item(body)) = &op.request_body else { continue };
            let only_multipart = body.content.keys().all(|ct| ct.to_ascii_lowercase().starts_with("multipart/"));
            if only_multipart {
                body.content.values().filter_map(|m| m.schema.as_ref()).for_each(|s| refs(s, &mut stack));
            }
        }
    }
    let schemas = spec.components.as_ref().map(|c| &c.schemas);
    let mut out = HashSet::new();
    while let Some(key) = stack.pop() {
        if out.insert(key.clone()) {
            if let Some(schema) = schemas.and_then(|s| s.get(&key)) {
                refs(schema, &mut stack);
            }
        }
    }
    out
}

fn server_url(server: &openapiv3::Server) -> String {
    let mut url = server.url.clone();
    if let Some(vars) = &server.variables {
        for (name, var) in vars {
            url = url.replace(&format!("{{{name}}}"), &var.default);
        }
    }
    url.trim_end_matches('/').to_owned()
}

impl<'a> Lowerer<'a> {
    fn name_components(&mut self) -> Result<(), Error> {
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
    fn type_name(
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
                "the Rust name `{}` is already taken by the type for {}; name one of them with `{RUST_NAME}` or an entry in the renames file",
                naming::unraw(&name),
                holder.origin
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

    fn override_from(&mut self, extensions: Option<&IndexMap<String, serde_json::Value>>, at: &str) -> Result<Option<String>, Error> {
        if let Some(name) = self.renames.get(at) {
            self.renames_used.insert(at.to_owned());
            return Ok(Some(name.clone()));
        }
        match extensions.and_then(|e| e.get(RUST_NAME)) {
            None => Ok(None),
            Some(serde_json::Value::String(name)) if !naming::camel(name).is_empty() => Ok(Some(name.clone())),
            Some(_) => Err(self.ctx.invalid(&ptr(at, RUST_NAME), format!("`{RUST_NAME}` must be a string with letters or digits"))),
        }
    }

    fn define_components(&mut self) -> Result<(), Error> {
        let Some(components) = &self.spec.components else { return Ok(()) };
        for (key, schema) in &components.schemas {
            let at = ptr("/components/schemas", key);
            let name = self.components[key].clone();
            let def = match schema {
                ReferenceOr::Reference { reference } => {
                    let target = self.resolve_schema_ref(reference, &at)?;
                    TypeDef { name, doc: None, origin: at, deprecated: false, discriminator: None, kind: TypeKind::Alias(target) }
                }
                ReferenceOr::Item(schema) => {
                    self.binary_as_bytes = self.multipart_components.contains(key);
                    let def = self.named_type(&name, schema, &Hint::new(&name), &at);
                    self.binary_as_bytes = false;
                    def?
                }
            };
            self.types.push(def);
        }
        Ok(())
    }

    /// The type for a schema that gets a name of its own.
    fn named_type(&mut self, name: &str, schema: &Schema, hint: &Hint, at: &str) -> Result<TypeDef, Error> {
        let data = &schema.schema_data;
        let kind = match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
                let values: Vec<String> = s.enumeration.iter().flatten().cloned().collect();
                TypeKind::Enum(string_enum(&values))
            }
            SchemaKind::Type(Type::Object(o)) if !o.properties.is_empty() || o.additional_properties.is_none() => {
                TypeKind::Struct(self.object(&o.properties, &o.required, o.additional_properties.as_ref(), hint, at)?)
            }
            SchemaKind::Any(any) if !any.properties.is_empty() && any.all_of.is_empty() => TypeKind::Struct(
                self.object(&any.properties, &any.required, any.additional_properties.as_ref(), hint, at)?,
            ),
            SchemaKind::AllOf { all_of } if !(all_of.len() == 1 && matches!(all_of[0], ReferenceOr::Reference { .. })) => {
                match self.merge_all_of(all_of, &[], &[], hint, at)? {
                    Some(s) => TypeKind::Struct(s),
                    None => TypeKind::Alias(TypeRef::Json),
                }
            }
            SchemaKind::Any(any) if !any.all_of.is_empty() => {
                match self.merge_all_of(&any.all_of, &any.properties_as_vec(), &any.required, hint, at)? {
                    Some(s) => TypeKind::Struct(s),
                    None => TypeKind::Alias(TypeRef::Json),
                }
            }
            SchemaKind::OneOf { one_of: branches } | SchemaKind::AnyOf { any_of: branches } => {
                let key = if matches!(schema.schema_kind, SchemaKind::OneOf { .. }) { "oneOf" } else { "anyOf" };
                let mut variants = self.variants(branches, hint, &ptr(at, key))?;
                if let Some(d) = &data.discriminator {
                    tag_variants(&mut variants, branches, d);
                }
                TypeKind::Untagged(variants)
            }
            _ => TypeKind::Alias(self.schema_type(schema, hint, at)?.0),
        };
        let discriminator = match (&kind, &data.discriminator) {
            (TypeKind::Untagged(_), Some(d)) => Some(d.property_name.clone()),
            _ => None,
        };
        Ok(TypeDef {
            name: name.to_owned(),
            doc: data.description.clone().or_else(|| data.title.clone()),
            origin: at.to_owned(),
            deprecated: data.deprecated,
            discriminator,
            kind,
        })
    }

    fn variants(&mut self, branches: &[ReferenceOr<Schema>], hint: &Hint, at: &str) -> Result<Vec<Variant>, Error> {
        let mut scope = Scope::default();
        let mut out = Vec::new();
        for (i, branch) in branches.iter().enumerate() {
            let branch_at = ptr(at, &i.to_string());
            let (ty, _) = self.schema_ref_type(branch, &hint.suffix(&format!("Variant{i}")), &branch_at)?;
            let base = match &ty {
                TypeRef::Named(n) => naming::unraw(n).to_owned(),
                TypeRef::String => "String".into(),
                TypeRef::Integer(_) => "Integer".into(),
                TypeRef::Number(_) => "Number".into(),
                TypeRef::Bool => "Bool".into(),
                TypeRef::Vec(_) => "List".into(),
                TypeRef::Map(_) => "Map".into(),
                _ => format!("Variant{i}"),
            };
            out.push(Variant { name: scope.claim(&base), ty, boxed: false, tags: Vec::new() });
        }
        Ok(out)
    }

    /// Merges `allOf` parts (and the schema's own properties) into one struct; `None` when a part
    /// is not an object.
    fn merge_all_of(
        &mut self,
        parts: &[ReferenceOr<Schema>],
        own: &[(String, ReferenceOr<Box<Schema>>)],
        own_required: &[String],
        hint: &Hint,
        at: &str,
    ) -> Result<Option<Struct>, Error> {
        // Each property keeps the owner it is written in: an inline type of a property that comes
        // from a referenced component is named (and shared) as that component's.
        let mut properties: IndexMap<String, (ReferenceOr<Box<Schema>>, String, Hint)> = IndexMap::new();
        let mut required: Vec<String> = own_required.to_vec();
        let mut additional = None;
        let mut stack: Vec<(ReferenceOr<Schema>, String, Hint)> = parts
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), ptr(&ptr(at, "allOf"), &i.to_string()), hint.clone()))
            .rev()
            .collect();
        let mut seen = HashSet::new();
        while let Some((part, part_at, owner)) = stack.pop() {
            let (schema, schema_at, owner) = match &part {
                ReferenceOr::Reference { reference } => {
                    if !seen.insert(reference.clone()) {
                        continue;
                    }
                    let (schema, target_at) = self.lookup_schema(reference, &part_at)?;
                    let key = target_at.trim_start_matches("/components/schemas/").replace("~1", "/").replace("~0", "~");
                    let owner = self.components.get(&key).map_or(owner, |name| Hint::new(naming::unraw(name)));
                    (schema.clone(), target_at, owner)
                }
                ReferenceOr::Item(s) => (s.clone(), part_at.clone(), owner),
            };
            match &schema.schema_kind {
                SchemaKind::Type(Type::Object(o)) => {
                    for (k, v) in &o.properties {
                        properties.insert(k.clone(), (v.clone(), ptr(&ptr(&schema_at, "properties"), k), owner.clone()));
                    }
                    required.extend(o.required.iter().cloned());
                    if additional.is_none() {
                        additional = o.additional_properties.clone();
                    }
                }
                SchemaKind::Any(any) if any.typ.as_deref().is_none_or(|t| t == "object") => {
                    for (k, v) in &any.properties {
                        properties.insert(k.clone(), (v.clone(), ptr(&ptr(&schema_at, "properties"), k), owner.clone()));
                    }
                    required.extend(any.required.iter().cloned());
                    for (i, p) in any.all_of.iter().enumerate().rev() {
                        stack.push((p.clone(), ptr(&ptr(&schema_at, "allOf"), &i.to_string()), owner.clone()));
                    }
                    if !any.one_of.is_empty() || !any.any_of.is_empty() {
                        return Ok(None);
                    }
                }
                SchemaKind::AllOf { all_of } => {
                    for (i, p) in all_of.iter().enumerate().rev() {
                        stack.push((p.clone(), ptr(&ptr(&schema_at, "allOf"), &i.to_string()), owner.clone()));
                    }
                }
                _ => return Ok(None),
            }
        }
        for (k, v) in own {
            properties.insert(k.clone(), (v.clone(), ptr(&ptr(at, "properties"), k), hint.clone()));
        }
        let mut fields = Vec::new();
        let mut scope = field_scope(additional.as_ref());
        for (wire, (schema, field_at, owner)) in &properties {
            fields.push(self.field(&mut scope, wire, schema, required.contains(wire), owner, field_at)?);
        }
        mark_authorization_code(&mut fields);
        let additional = self.additional(additional.as_ref(), hint, at)?;
        Ok(Some(Struct { fields, deny_unknown: false, additional }))
    }

    fn object(
        &mut self,
        properties: &IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        additional: Option<&AdditionalProperties>,
        hint: &Hint,
        at: &str,
    ) -> Result<Struct, Error> {
        let mut scope = field_scope(additional);
        let mut fields = Vec::new();
        for (wire, schema) in properties {
            let field_at = ptr(&ptr(at, "properties"), wire);
            fields.push(self.field(&mut scope, wire, schema, required.iter().any(|r| r == wire), hint, &field_at)?);
        }
        mark_authorization_code(&mut fields);
        let deny_unknown = matches!(additional, Some(AdditionalProperties::Any(false)));
        let additional = self.additional(additional, hint, at)?;
        Ok(Struct { fields, deny_unknown, additional })
    }

    fn additional(&mut self, additional: Option<&AdditionalProperties>, hint: &Hint, at: &str) -> Result<Option<TypeRef>, Error> {
        Ok(match additional {
            Some(AdditionalProperties::Any(true)) => Some(TypeRef::Json),
            Some(AdditionalProperties::Schema(s)) => {
                Some(self.schema_ref_type(s, &hint.suffix("Value"), &ptr(at, "additionalProperties"))?.0)
            }
            _ => None,
        })
    }

    fn field(
        &mut self,
        scope: &mut Scope,
        wire: &str,
        schema: &ReferenceOr<Box<Schema>>,
        required: bool,
        hint: &Hint,
        at: &str,
    ) -> Result<Field, Error> {
        let (ty, nullable) = self.boxed_ref_type(schema, &hint.property(wire), at)?;
        let data = match schema {
            ReferenceOr::Item(s) => Some(&s.schema_data),
            ReferenceOr::Reference { .. } => None,
        };
        let name = scope.claim(&naming::ident_snake(wire, "field"));
        let secret = is_secret(wire)
            || data.is_some_and(|d| d.write_only)
            || matches!(schema, ReferenceOr::Item(s) if matches!(&s.schema_kind, SchemaKind::Type(Type::String(st)) if matches!(st.format, openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Password))));
        let format = match schema {
            ReferenceOr::Item(s) => match &s.schema_kind {
                SchemaKind::Type(Type::String(st)) => match &st.format {
                    openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::DateTime) => Some("date-time (RFC 3339)".to_owned()),
                    openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Date) => Some("date (RFC 3339 full-date)".to_owned()),
                    openapiv3::VariantOrUnknownOrEmpty::Unknown(f) => Some(f.clone()),
                    _ => None,
                },
                _ => None,
            },
            ReferenceOr::Reference { .. } => None,
        };
        let mut doc = data.and_then(|d| d.description.clone().or_else(|| d.title.clone()));
        if let Some(format) = format {
            let note = format!("Format: {format}. Kept as text, so an unexpected value still decodes.");
            doc = Some(match doc {
                Some(d) => format!("{d}\n\n{note}"),
                None => note,
            });
        }
        Ok(Field {
            name,
            wire: wire.to_owned(),
            doc,
            ty,
            required,
            nullable,
            secret,
            deprecated: data.is_some_and(|d| d.deprecated),
            boxed: false,
            read_only: data.is_some_and(|d| d.read_only),
            write_only: data.is_some_and(|d| d.write_only),
            tri_state: false,
            plain_collection: false,
        })
    }

    fn boxed_ref_type(&mut self, schema: &ReferenceOr<Box<Schema>>, hint: &Hint, at: &str) -> Result<(TypeRef, bool), Error> {
        match schema {
            ReferenceOr::Reference { reference } => self.ref_type(reference, at),
            ReferenceOr::Item(s) => self.schema_type(s, hint, at),
        }
    }

    fn schema_ref_type(&mut self, schema: &ReferenceOr<Schema>, hint: &Hint, at: &str) -> Result<(TypeRef, bool), Error> {
        match schema {
            ReferenceOr::Reference { reference } => self.ref_type(reference, at),
            ReferenceOr::Item(s) => self.schema_type(s, hint, at),
        }
    }

    /// The named type a `$ref` points at, and whether that component allows `null` (3.0
    /// `nullable: true`, 3.1 `type: [X, "null"]`, `anyOf: [$ref, {type: null}]`, a `null` in its
    /// `enum`, or a nullable component it refers to in turn).
    fn ref_type(&self, reference: &str, at: &str) -> Result<(TypeRef, bool), Error> {
        let ty = self.resolve_schema_ref(reference, at)?;
        Ok((ty, self.ref_nullable(reference, at, 0)))
    }

    fn ref_nullable(&self, reference: &str, at: &str, depth: usize) -> bool {
        let Ok((schema, _)) = self.lookup_schema(reference, at) else { return false };
        if schema.schema_data.nullable {
            return true;
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => s.enumeration.iter().any(Option::is_none),
            SchemaKind::Any(any) => any.enumeration.iter().any(serde_json::Value::is_null),
            SchemaKind::AllOf { all_of } if all_of.len() == 1 && depth < 32 => match &all_of[0] {
                ReferenceOr::Reference { reference } => self.ref_nullable(reference, at, depth + 1),
                ReferenceOr::Item(s) => s.schema_data.nullable,
            },
            _ => false,
        }
    }

    /// The type of an inline schema, defining named types for inline objects and enums.
    /// Returns the type and whether `null` is allowed.
    fn schema_type(&mut self, schema: &Schema, hint: &Hint, at: &str) -> Result<(TypeRef, bool), Error> {
        self.depth += 1;
        if self.depth > MAX_SCHEMA_DEPTH {
            self.depth = 0;
            return Err(self.ctx.invalid(at, format!("schemas nested deeper than {MAX_SCHEMA_DEPTH} levels")));
        }
        let result = self.schema_type_inner(schema, hint, at);
        self.depth = self.depth.saturating_sub(1);
        result
    }

    fn schema_type_inner(&mut self, schema: &Schema, hint: &Hint, at: &str) -> Result<(TypeRef, bool), Error> {
        let nullable = schema.schema_data.nullable;
        let ty = match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                if !s.enumeration.is_empty() {
                    let values: Vec<String> = s.enumeration.iter().flatten().cloned().collect();
                    let nullable = nullable || s.enumeration.iter().any(Option::is_none);
                    return Ok((self.inline_enum(values, &schema.schema_data, hint, at)?, nullable));
                }
                // `format: binary` inside a JSON document is still text on the wire; raw bodies
                // are typed from their media type, multipart file parts are bytes.
                match &s.format {
                    openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary) if self.binary_as_bytes => {
                        TypeRef::Bytes
                    }
                    _ => TypeRef::String,
                }
            }
            SchemaKind::Type(Type::Integer(i)) => TypeRef::Integer(match &i.format {
                openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32) => "i32",
                openapiv3::VariantOrUnknownOrEmpty::Unknown(f) => integer_type(f),
                _ => "i64",
            }),
            SchemaKind::Type(Type::Number(_)) => TypeRef::Number("f64"),
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Array(a)) => match &a.items {
                Some(items) => TypeRef::Vec(Box::new(self.boxed_ref_type(items, &hint.item(), &ptr(at, "items"))?.0)),
                None => TypeRef::Vec(Box::new(TypeRef::Json)),
            },
            SchemaKind::Type(Type::Object(o)) => {
                if o.properties.is_empty() {
                    match &o.additional_properties {
                        Some(AdditionalProperties::Schema(s)) => TypeRef::Map(Box::new(
                            self.schema_ref_type(s, &hint.suffix("Value"), &ptr(at, "additionalProperties"))?.0,
                        )),
                        _ => TypeRef::Json,
                    }
                } else {
                    self.define_inline(schema, hint, at)?
                }
            }
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
                // A `$ref` with sibling keywords, lowered to a one-part allOf.
                let (ty, inner_nullable) = self.schema_ref_type(&all_of[0], hint, &ptr(&ptr(at, "allOf"), "0"))?;
                return Ok((ty, nullable || inner_nullable));
            }
            SchemaKind::AllOf { .. } | SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } => {
                self.define_inline(schema, hint, at)?
            }
            SchemaKind::Not { .. } => TypeRef::Json,
            SchemaKind::Any(any) => {
                if let Some(t) = any.typ.as_deref() {
                    if !["string", "integer", "number", "boolean", "object", "array", "null"].contains(&t) {
                        return Err(self.ctx.invalid(&ptr(at, "type"), format!("unknown type `{t}`")));
                    }
                }
                if schema.schema_data.extensions.contains_key("x-types") {
                    TypeRef::Json
                } else if !any.properties.is_empty() || !any.all_of.is_empty() {
                    self.define_inline(schema, hint, at)?
                } else if !any.enumeration.is_empty() && any.enumeration.iter().all(|v| v.is_string() || v.is_null()) {
                    let values = any.enumeration.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
                    self.inline_enum(values, &schema.schema_data, hint, at)?
                } else if let Some(items) = &any.items {
                    TypeRef::Vec(Box::new(self.boxed_ref_type(items, &hint.item(), &ptr(at, "items"))?.0))
                } else if let Some(AdditionalProperties::Schema(s)) = &any.additional_properties {
                    TypeRef::Map(Box::new(self.schema_ref_type(s, &hint.suffix("Value"), &ptr(at, "additionalProperties"))?.0))
                } else if !any.one_of.is_empty() || !any.any_of.is_empty() {
                    let branches = if any.one_of.is_empty() { &any.any_of } else { &any.one_of };
                    let (name, exists) = self.type_name(&hint.qualified, Some(&schema.schema_data), at, None)?;
                    if exists {
                        return Ok((TypeRef::Named(name), nullable));
                    }
                    let hint = &Hint::new(naming::unraw(&name));
                    let mut variants = self.variants(branches, hint, at)?;
                    if let Some(d) = &schema.schema_data.discriminator {
                        tag_variants(&mut variants, branches, d);
                    }
                    self.types.push(TypeDef {
                        name: name.clone(),
                        doc: schema.schema_data.description.clone(),
                        origin: at.to_owned(),
                        deprecated: schema.schema_data.deprecated,
                        discriminator: schema.schema_data.discriminator.as_ref().map(|d| d.property_name.clone()),
                        kind: TypeKind::Untagged(variants),
                    });
                    TypeRef::Named(name)
                } else {
                    match any.typ.as_deref() {
                        Some("string") => TypeRef::String,
                        Some("integer") => TypeRef::Integer(any.format.as_deref().map_or("i64", integer_type)),
                        Some("number") => TypeRef::Number("f64"),
                        Some("boolean") => TypeRef::Bool,
                        _ => TypeRef::Json,
                    }
                }
            }
        };
        Ok((ty, nullable))
    }

    fn define_inline(&mut self, schema: &Schema, hint: &Hint, at: &str) -> Result<TypeRef, Error> {
        let (name, exists) = self.type_name(&hint.qualified, Some(&schema.schema_data), at, None)?;
        if !exists {
            let def = self.named_type(&name, schema, &Hint::new(naming::unraw(&name)), at)?;
            self.types.push(def);
        }
        Ok(TypeRef::Named(name))
    }

    fn inline_enum(&mut self, values: Vec<String>, data: &openapiv3::SchemaData, hint: &Hint, at: &str) -> Result<TypeRef, Error> {
        let (name, exists) = self.type_name(&hint.qualified, Some(data), at, Some(&values))?;
        if !exists {
            let doc = Some(format!(
                "One of {}. Values the spec does not list are kept as they are.",
                values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
            ));
            self.enums.push(TypeDef {
                name: name.clone(),
                doc,
                origin: at.to_owned(),
                deprecated: false,
                discriminator: None,
                kind: TypeKind::Enum(string_enum(&values)),
            });
        }
        Ok(TypeRef::Named(name))
    }

    fn lookup_schema(&self, reference: &str, at: &str) -> Result<(&'a Schema, String), Error> {
        let mut reference = reference;
        for _ in 0..32 {
            let key = self.component_key(reference, "schemas", at)?;
            let schema = self
                .spec
                .components
                .as_ref()
                .and_then(|c| c.schemas.get(key))
                .ok_or_else(|| self.ctx.invalid(at, format!("reference `{reference}` does not resolve")))?;
            match schema {
                ReferenceOr::Item(s) => return Ok((s, ptr("/components/schemas", key))),
                ReferenceOr::Reference { reference: next } => reference = next,
            }
        }
        Err(self.ctx.invalid(at, format!("reference `{reference}` is part of a cycle of references")))
    }

    fn resolve_schema_ref(&self, reference: &str, at: &str) -> Result<TypeRef, Error> {
        let key = self.component_key(reference, "schemas", at)?;
        match self.components.get(key) {
            Some(name) => Ok(TypeRef::Named(name.clone())),
            None => Err(self.ctx.invalid(at, format!("reference `{reference}` does not resolve"))),
        }
    }

    /// `item` itself, or what its `#/components/<section>/<name>` reference points at (following
    /// a chain of references), with located errors for dangling, external or cyclic ones.
    fn resolve<'s, T>(
        &self,
        item: &'s ReferenceOr<T>,
        section: &str,
        table: fn(&'s openapiv3::Components) -> &'s IndexMap<String, ReferenceOr<T>>,
        at: &str,
    ) -> Result<&'s T, Error>
    where
        'a: 's,
    {
        let mut current = item;
        for _ in 0..32 {
            let reference = match current {
                ReferenceOr::Item(value) => return Ok(value),
                ReferenceOr::Reference { reference } => reference,
            };
            let key = self.component_key(reference, section, at)?;
            let components: Option<&'s openapiv3::Components> = self.spec.components.as_ref();
            current = components
                .and_then(|c| table(c).get(key))
                .ok_or_else(|| self.ctx.invalid(at, format!("reference `{reference}` does not resolve")))?;
        }
        Err(self.ctx.invalid(at, format!("references in components/{section} form a cycle")))
    }

    /// `#/components/<section>/<key>` → `key`, with located errors for anything else.
    fn component_key<'r>(&self, reference: &'r str, section: &str, at: &str) -> Result<&'r str, Error> {
        let Some(local) = reference.strip_prefix('#') else {
            return Err(self.ctx.unsupported(at, format!("external reference `{reference}` is not supported; bundle the document first")));
        };
        let prefix = format!("/components/{section}/");
        match local.strip_prefix(&prefix) {
            Some(key) if !key.contains('/') => Ok(key),
            _ => Err(self.ctx.unsupported(at, format!("reference `{reference}` is not supported (only `#{prefix}<name>`)"))),
        }
    }

    fn operations(&mut self, default_server: &str, skip_unsupported: bool, skipped: &mut Skipped) -> Result<Vec<Operation>, Error> {
        let mut out = Vec::new();
        let mut ids: HashMap<String, String> = HashMap::new();
        let mut fn_scope = Scope::with_reserved(CLIENT_METHODS);
        let mut builder_scope = Scope::with_reserved(RESERVED_TYPES);
        let mut modules: HashMap<String, String> = HashMap::new();
        let mut module_scope = Scope::with_reserved(&["rt", "models", "super", "crate", "mod"]);
        for (path, item) in &self.spec.paths.paths {
            let path_at = ptr("/paths", path);
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { reference } => {
                    return Err(self.ctx.unsupported(&path_at, format!("path item reference `{reference}` is not supported")))
                }
            };
            for (method, op) in methods(item) {
                let at = ptr(&path_at, method);
                let id = op.operation_id.clone().unwrap_or_else(|| derive_operation_id(method, path));
                if let Some(first) = ids.get(&id) {
                    let error = self.ctx.invalid(&at, format!("duplicate operationId `{id}` (first used at {first})"));
                    if !skip_unsupported {
                        return Err(error);
                    }
                    // Lenient mode keeps the operation under a distinct name and reports it.
                    skipped.push(Error { message: format!("{}; generated under a suffixed name", error.message), ..error });
                }
                ids.entry(id.clone()).or_insert_with(|| at.clone());
                let servers = if op.servers.is_empty() { &item.servers } else { &op.servers };
                let server = servers.first().map(server_url).filter(|s| s != default_server);
                let tag = op.tags.first().cloned().unwrap_or_default();
                let module = modules
                    .entry(tag.clone())
                    .or_insert_with(|| module_scope.claim(&naming::ident_snake(&tag, "untagged")))
                    .clone();
                match self.operation(path, method, item, op, &id, server, &at, &mut fn_scope, &mut builder_scope) {
                    Ok(mut op) => {
                        op.module = module;
                        out.push(op)
                    }
                    Err(e) if skip_unsupported && e.kind == crate::ErrorKind::Unsupported => skipped.push(e),
                    Err(e) => return Err(e),
                }
            }
        }
        lower_errors::name_error_enums(&mut out, &mut builder_scope);
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        path: &str,
        method: &str,
        item: &PathItem,
        op: &openapiv3::Operation,
        id: &str,
        server: Option<String>,
        at: &str,
        fn_scope: &mut Scope,
        builder_scope: &mut Scope,
    ) -> Result<Operation, Error> {
        // `x-rust-name` (or a renames entry) on the operation replaces its operationId in Rust names.
        let rust_id = self.override_from(Some(&op.extensions), at)?.unwrap_or_else(|| id.to_owned());
        let builder_base = naming::ident_camel(&rust_id, "Operation");
        let hint = Hint::new(naming::unraw(&builder_base));
        let auth = self.auth(op, at)?;

        // Parameters: path-level first, overridden by operation-level ones with the same name and place.
        let mut raw_params: IndexMap<(String, &'static str), (ParamData, String)> = IndexMap::new();
        for (list, list_at) in [(&item.parameters, ptr(&ptr("/paths", path), "parameters")), (&op.parameters, ptr(at, "parameters"))] {
            for (i, p) in list.iter().enumerate() {
                let p_at = ptr(&list_at, &i.to_string());
                let param = self.parameter(p, &p_at)?;
                raw_params.insert((param.name.clone(), param.location), (param, p_at));
            }
        }
        let template_names = path_template_names(path);
        for name in &template_names {
            if !raw_params.contains_key(&(name.clone(), "path")) {
                return Err(self.ctx.invalid(at, format!("path parameter `{name}` in `{path}` is not declared")));
            }
        }
        let mut scope = Scope::with_reserved(BUILDER_METHODS);
        let mut params = Vec::new();
        let query_names: Vec<String> = raw_params.values().filter(|(p, _)| p.location == "query").map(|(p, _)| p.name.clone()).collect();
        for ((_, location), (p, p_at)) in &raw_params {
            let location = match *location {
                "path" => {
                    if !template_names.contains(&p.name) {
                        return Err(self.ctx.invalid(p_at, format!("path parameter `{}` does not appear in `{path}`", p.name)));
                    }
                    ParamIn::Path
                }
                "query" => ParamIn::Query,
                "header" => ParamIn::Header,
                _ => ParamIn::Cookie,
            };
            let base = param_rust_name(&p.name, &query_names);
            let name = if scope.contains(&base) { scope.claim(&naming::suffixed(&base, "_param")) } else { scope.claim(&base) };
            let param_hint = Hint::new(&format!("{}{}", hint.qualified, naming::camel(&p.name)));
            let (ty, _) = match &p.schema {
                Some(schema) => self.schema_ref_type(schema, &param_hint, &ptr(p_at, "schema"))?,
                None => (TypeRef::String, false),
            };
            let bounds = match &p.schema {
                Some(ReferenceOr::Item(Schema { schema_kind: SchemaKind::Type(Type::Integer(i)), .. })) => (
                    i.minimum.map(|m| if i.exclusive_minimum { m.saturating_add(1) } else { m }),
                    i.maximum.map(|m| if i.exclusive_maximum { m.saturating_sub(1) } else { m }),
                ),
                _ => (None, None),
            };
            let bounds = clamp_bounds(&ty, bounds);
            params.push(Param {
                bounds,
                name,
                wire: p.name.clone(),
                location,
                ty,
                required: p.required || location == ParamIn::Path,
                doc: p.description.clone(),
                deprecated: p.deprecated,
                style: p.style,
                explode: p.explode,
                json: p.json,
            });
        }

        let body = match &op.request_body {
            None => None,
            Some(body) => Some(self.request_body(body, &hint, &auth, &ptr(at, "requestBody"))?),
        };
        let responses = self.responses(op, &hint, &ptr(at, "responses"))?;
        let errors = self.error_responses(op, &hint, &ptr(at, "responses"))?;
        let fn_name = fn_scope.claim(&naming::ident_snake(&rust_id, "operation"));
        let builder = builder_scope.claim(&builder_base);
        let response_enum = (responses.len() > 1).then(|| builder_scope.claim(&format!("{}Response", naming::unraw(&builder))));
        let mut operation = Operation {
            id: id.to_owned(),
            fn_name,
            builder,
            method: method.to_uppercase(),
            path: path.to_owned(),
            server,
            summary: op.summary.clone(),
            description: op.description.clone(),
            tag: op.tags.first().cloned(),
            module: String::new(),
            deprecated: op.deprecated,
            auth,
            params,
            body,
            responses,
            pagination: None,
            response_enum,
            error_enum: None,
            errors,
        };
        operation.pagination = self.pagination(&operation);
        Ok(operation)
    }

    fn parameter(&self, p: &ReferenceOr<Parameter>, at: &str) -> Result<ParamData, Error> {
        let parameter = self.resolve(p, "parameters", |c| &c.parameters, at)?;
        let (location, data, style) = match parameter {
            Parameter::Path { parameter_data, style } => ("path", parameter_data, match style {
                openapiv3::PathStyle::Simple => ParamStyle::Simple,
                openapiv3::PathStyle::Label => ParamStyle::Label,
                openapiv3::PathStyle::Matrix => ParamStyle::Matrix,
            }),
            Parameter::Query { parameter_data, style, .. } => ("query", parameter_data, match style {
                openapiv3::QueryStyle::Form => ParamStyle::Form,
                openapiv3::QueryStyle::SpaceDelimited => ParamStyle::SpaceDelimited,
                openapiv3::QueryStyle::PipeDelimited => ParamStyle::PipeDelimited,
                openapiv3::QueryStyle::DeepObject => ParamStyle::DeepObject,
            }),
            Parameter::Header { parameter_data, .. } => ("header", parameter_data, ParamStyle::Simple),
            Parameter::Cookie { parameter_data, .. } => ("cookie", parameter_data, ParamStyle::Form),
        };
        // `content` instead of `schema`: a JSON media type sends the value's JSON text; any
        // other is sent as the value itself.
        let (schema, json) = match &data.format {
            ParameterSchemaOrContent::Schema(s) => (Some(s.clone()), false),
            ParameterSchemaOrContent::Content(content) => match content.iter().next() {
                Some((ct, media)) => (media.schema.clone(), is_json(&ct.to_ascii_lowercase())),
                None => (None, false),
            },
        };
        let explode = data.explode.unwrap_or(style == ParamStyle::Form);
        Ok(ParamData {
            name: data.name.clone(),
            location,
            required: data.required,
            description: data.description.clone(),
            deprecated: data.deprecated.unwrap_or(false),
            schema,
            style,
            explode,
            json,
        })
    }

    fn auth(&self, op: &openapiv3::Operation, at: &str) -> Result<Auth, Error> {
        let requirements = op.security.as_ref().or(self.spec.security.as_ref());
        let Some(requirements) = requirements else { return Ok(Auth::None) };
        let optional = requirements.iter().any(|r| r.is_empty());
        let form_body = op.request_body.as_ref().is_some_and(|b| match b {
            ReferenceOr::Item(b) => b.content.contains_key("application/x-www-form-urlencoded"),
            ReferenceOr::Reference { .. } => false,
        });
        let security_at = if op.security.is_some() { ptr(at, "security") } else { "/security".to_owned() };
        // Each requirement object is a set of schemes sent together (AND); the objects are
        // alternatives (OR), tried in order.
        let mut alternatives: Vec<Auth> = Vec::new();
        let mut cookie_only = None;
        'requirements: for requirement in requirements.iter().filter(|r| !r.is_empty()) {
            let mut schemes = Vec::new();
            for scheme_name in requirement.keys() {
                let scheme = match self.spec.components.as_ref().and_then(|c| c.security_schemes.get(scheme_name)) {
                    Some(ReferenceOr::Item(s)) => s,
                    _ => {
                        return Err(self.ctx.invalid(&security_at, format!("security scheme `{scheme_name}` is not defined in components/securitySchemes")))
                    }
                };
                let auth = match scheme {
                    SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("basic") => Auth::Basic { optional },
                    SecurityScheme::HTTP { .. } => Auth::Bearer { optional },
                    SecurityScheme::APIKey { location: openapiv3::APIKeyLocation::Header, name, .. } => {
                        Auth::ApiKeyHeader { name: name.clone(), optional }
                    }
                    SecurityScheme::APIKey { location: openapiv3::APIKeyLocation::Query, name, .. } => {
                        Auth::ApiKeyQuery { name: name.clone(), optional }
                    }
                    SecurityScheme::APIKey { location: openapiv3::APIKeyLocation::Cookie, .. } => {
                        // A requirement with a cookie key cannot be met; another may be.
                        cookie_only.get_or_insert_with(|| self.ctx.unsupported(&security_at, "API keys in cookies are not supported"));
                        continue 'requirements;
                    }
                    // An OAuth scheme on a form-encoded operation is the token or introspection
                    // endpoint itself: the client authenticates with its own credentials (RFC 6749 §2.3).
                    SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIDConnect { .. } if form_body => Auth::ClientAuth { optional },
                    SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIDConnect { .. } => Auth::Bearer { optional },
                };
                if !schemes.contains(&auth) {
                    schemes.push(auth);
                }
            }
            let requirement = if schemes.len() == 1 { schemes.remove(0) } else { Auth::All(schemes) };
            if !alternatives.contains(&requirement) {
                alternatives.push(requirement);
            }
        }
        Ok(match alternatives.len() {
            0 => match cookie_only {
                Some(error) => return Err(error),
                None => Auth::None,
            },
            1 => alternatives.remove(0),
            _ => Auth::Any(alternatives),
        })
    }

    fn request_body(
        &mut self,
        body: &ReferenceOr<openapiv3::RequestBody>,
        hint: &Hint,
        auth: &Auth,
        at: &str,
    ) -> Result<RequestBody, Error> {
        let body = self.resolve(body, "requestBodies", |c| &c.request_bodies, at)?;
        let mut encodings = Vec::new();
        let mut schema: Option<(&ReferenceOr<Schema>, String)> = None;
        // Multipart is used only when no JSON or form alternative is offered.
        let has_structured = body.content.keys().any(|ct| {
            let ct = ct.to_ascii_lowercase();
            is_json(&ct) || ct == "application/x-www-form-urlencoded"
        });
        for (content_type, media) in &body.content {
            let media_at = ptr(&ptr(at, "content"), content_type);
            let ct = content_type.to_ascii_lowercase();
            let encoding = if is_json(&ct) {
                Encoding::Json
            } else if ct == "application/x-www-form-urlencoded" {
                Encoding::Form
            } else if ct.starts_with("multipart/form-data") {
                if has_structured {
                    continue;
                }
                Encoding::Multipart
            } else if ct.starts_with("multipart/") {
                return Err(self.ctx.unsupported(&media_at, format!("`{content_type}` request bodies are not supported")));
            } else if ct.starts_with("text/") {
                Encoding::Text(content_type.clone())
            } else {
                Encoding::Bytes(content_type.clone())
            };
            if !encodings.contains(&encoding) {
                if schema.is_none() && matches!(encoding, Encoding::Json | Encoding::Form | Encoding::Multipart) {
                    if let Some(s) = &media.schema {
                        schema = Some((s, ptr(&media_at, "schema")));
                    }
                }
                encodings.push(encoding);
            }
        }
        if encodings.is_empty() {
            return Err(self.ctx.invalid(at, "request body lists no content type"));
        }
        let multipart = encodings.contains(&Encoding::Multipart);
        let ty = match (&schema, &encodings[0]) {
            (Some((s, s_at)), _) => {
                self.binary_as_bytes = multipart;
                let ty = self.schema_ref_type(s, &hint.suffix("Body"), s_at);
                self.binary_as_bytes = false;
                ty?.0
            }
            (None, Encoding::Text(_)) => TypeRef::String,
            (None, Encoding::Bytes(_)) => TypeRef::Bytes,
            (None, _) => TypeRef::Json,
        };
        // The body is serialized (JSON, form, multipart) when its type comes from such a schema or
        // the first content type is one of those; otherwise it is sent raw (bytes or text). Only
        // the content types of that kind are offered.
        let serialized = |e: &Encoding| matches!(e, Encoding::Json | Encoding::Form | Encoding::Multipart);
        let structured = schema.is_some() || serialized(&encodings[0]);
        encodings.retain(|e| serialized(e) == structured);
        // Raw bodies (bytes or text) are sent as they are with the first content type offered;
        // only JSON and form bodies get a choice of encoding.
        if !structured {
            encodings.truncate(1);
        }
        if multipart && !matches!(ty, TypeRef::Named(_)) {
            return Err(self.ctx.unsupported(at, "multipart bodies must be objects"));
        }
        let prefer_form = auth.uses_client_auth();
        let default_encoding = encodings
            .iter()
            .position(|e| if prefer_form { *e == Encoding::Form } else { *e == Encoding::Json })
            .unwrap_or(0);
        Ok(RequestBody { ty, required: body.required, encodings, default_encoding, doc: body.description.clone() })
    }

    fn responses(&mut self, op: &openapiv3::Operation, hint: &Hint, at: &str) -> Result<Vec<Response>, Error> {
        let mut successes: Vec<(Status, &ReferenceOr<openapiv3::Response>, String)> = Vec::new();
        for (code, response) in &op.responses.responses {
            let (status, key, matcher) = match code {
                StatusCode::Code(c) => (*c, c.to_string(), Status::Code(*c)),
                StatusCode::Range(r) => (*r * 100, format!("{r}XX"), Status::Range(*r)),
            };
            let r_at = ptr(at, &key);
            if (200..400).contains(&status) {
                successes.push((matcher, response, r_at));
            }
        }
        // `default` alone describes the success body (for 2xx statuses only); next to documented
        // successes it describes the errors.
        if successes.is_empty() {
            if let Some(default) = &op.responses.default {
                successes.push((Status::Default, default, ptr(at, "default")));
            }
        }
        let several = successes.len() > 1;
        let mut out = Vec::new();
        let mut variant_scope = Scope::default();
        for (status, response, r_at) in successes {
            let variant = variant_scope.claim(&status_variant(status));
            let type_hint = if several { hint.suffix(&variant) } else { hint.suffix("Response") };
            let (body, doc) = self.response_body(response, &type_hint, &r_at)?;
            out.push(Response { status, variant, body, doc });
        }
        if out.is_empty() {
            out.push(Response { status: Status::Default, variant: "Ok".into(), body: ResponseBody::Empty, doc: None });
        }
        // Error responses are lowered by `error_responses` (lower_errors.rs).
        Ok(out)
    }

    fn response_body(
        &mut self,
        response: &ReferenceOr<openapiv3::Response>,
        hint: &Hint,
        at: &str,
    ) -> Result<(ResponseBody, Option<String>), Error> {
        let response = self.resolve(response, "responses", |c| &c.responses, at)?;
        let doc = Some(response.description.clone()).filter(|d| !d.is_empty());
        let pick = pick_content(&response.content);
        let body = match pick {
            None => ResponseBody::Empty,
            Some((ct, media)) => {
                let media_at = ptr(&ptr(at, "content"), ct);
                let ct = ct.to_ascii_lowercase();
                if is_json(&ct) {
                    match &media.schema {
                        Some(s) => match self.schema_ref_type(s, hint, &ptr(&media_at, "schema"))?.0 {
                            TypeRef::Bytes => ResponseBody::Bytes,
                            ty => ResponseBody::Json(ty),
                        },
                        None => ResponseBody::Json(TypeRef::Json),
                    }
                } else if ct.starts_with("text/") {
                    ResponseBody::Text
                } else {
                    ResponseBody::Bytes
                }
            }
        };
        Ok((body, doc))
    }

    /// Page-number pagination: a GET with a `page[number]` (or `page`) integer query
    /// parameter whose response has an array `data` and a `meta` with `total_pages`.
    fn pagination(&self, op: &Operation) -> Option<Pagination> {
        if op.method != "GET" || op.responses.len() != 1 {
            return None;
        }
        let page_param = op.params.iter().find(|p| {
            p.location == ParamIn::Query && matches!(p.ty, TypeRef::Integer("i32" | "i64")) && (p.wire == "page[number]" || p.wire == "page")
        })?;
        let ResponseBody::Json(TypeRef::Named(page_type)) = &op.responses[0].body else { return None };
        let page = self.struct_named(page_type)?;
        let data = page.fields.iter().find(|f| f.wire == "data")?;
        let TypeRef::Vec(item) = &data.ty else { return None };
        let meta = page.fields.iter().find(|f| f.wire == "meta")?;
        let TypeRef::Named(meta_type) = &meta.ty else { return None };
        let meta_struct = self.struct_named(meta_type)?;
        let total = meta_struct.fields.iter().find(|f| f.wire == "total_pages" && matches!(f.ty, TypeRef::Integer("i32" | "i64")))?;
        let number = meta_struct.fields.iter().find(|f| f.wire == "page_number" && matches!(f.ty, TypeRef::Integer("i32" | "i64")));
        let optional = |f: &Field| !f.required || f.nullable;
        Some(Pagination {
            page_type: page_type.clone(),
            item: (**item).clone(),
            data_field: (data.name.clone(), optional(data)),
            meta_field: (meta.name.clone(), optional(meta)),
            page_number_field: number.map(|f| page_field(f, optional(f))),
            total_pages_field: page_field(total, optional(total)),
            page_param: page_param.name.clone(),
        })
    }

    fn struct_named(&self, name: &str) -> Option<&Struct> {
        self.types.iter().find(|t| t.name == name).and_then(|t| match &t.kind {
            TypeKind::Struct(s) => Some(s),
            TypeKind::Alias(TypeRef::Named(other)) => self.struct_named(other),
            _ => None,
        })
    }
}

/// The scope for a struct's field names: with additional properties, their field's name is taken.
fn field_scope(additional: Option<&AdditionalProperties>) -> Scope {
    match additional {
        Some(AdditionalProperties::Any(true) | AdditionalProperties::Schema(_)) => {
            Scope::with_reserved(&[naming::ADDITIONAL_PROPERTIES_FIELD])
        }
        _ => Scope::default(),
    }
}


/// The Rust type for an integer `format` other than `int32`/`int64`: unsigned formats get unsigned
/// types; anything unknown stays `i64`.
fn integer_type(format: &str) -> &'static str {
    match format {
        "int8" => "i8",
        "int16" => "i16",
        "int32" => "i32",
        "uint8" => "u8",
        "uint16" => "u16",
        "uint32" => "u32",
        "uint64" | "uint" => "u64",
        _ => "i64",
    }
}

/// Drops the bounds that the Rust type already enforces (or that it cannot even express, such as
/// a negative minimum for an unsigned type or a maximum beyond `i32`), so that the emitted check
/// compiles and never compares against an out-of-range literal.
fn clamp_bounds(ty: &TypeRef, (min, max): (Option<i64>, Option<i64>)) -> (Option<i64>, Option<i64>) {
    let (lo, hi): (i128, i128) = match ty {
        TypeRef::Integer("i8") => (i8::MIN.into(), i8::MAX.into()),
        TypeRef::Integer("i16") => (i16::MIN.into(), i16::MAX.into()),
        TypeRef::Integer("i32") => (i32::MIN.into(), i32::MAX.into()),
        TypeRef::Integer("u8") => (0, u8::MAX.into()),
        TypeRef::Integer("u16") => (0, u16::MAX.into()),
        TypeRef::Integer("u32") => (0, u32::MAX.into()),
        TypeRef::Integer("u64") => (0, u64::MAX.into()),
        _ => (i64::MIN.into(), i64::MAX.into()),
    };
    (min.filter(|&m| i128::from(m) > lo && i128::from(m) <= hi), max.filter(|&m| i128::from(m) < hi && i128::from(m) >= lo))
}

fn page_field(f: &Field, optional: bool) -> PageField {
    PageField { name: f.name.clone(), optional, is_i64: f.ty == TypeRef::Integer("i64") }
}

/// Records which discriminator values select each branch: the explicit `mapping`, else the
/// referenced schema's name.
fn tag_variants(variants: &mut [Variant], branches: &[ReferenceOr<Schema>], d: &openapiv3::Discriminator) {
    for (variant, branch) in variants.iter_mut().zip(branches) {
        let ReferenceOr::Reference { reference } = branch else { continue };
        let name = reference.rsplit('/').next().unwrap_or(reference);
        let mapped: Vec<String> = d
            .mapping
            .iter()
            .filter(|(_, target)| *target == reference || target.as_str() == name)
            .map(|(value, _)| value.clone())
            .collect();
        variant.tags = if mapped.is_empty() { vec![name.to_owned()] } else { mapped };
    }
}

struct ParamData {
    name: String,
    location: &'static str,
    required: bool,
    description: Option<String>,
    deprecated: bool,
    schema: Option<ReferenceOr<Schema>>,
    style: ParamStyle,
    explode: bool,
    json: bool,
}

trait PropertiesVec {
    fn properties_as_vec(&self) -> Vec<(String, ReferenceOr<Box<Schema>>)>;
}

impl PropertiesVec for openapiv3::AnySchema {
    fn properties_as_vec(&self) -> Vec<(String, ReferenceOr<Box<Schema>>)> {
        self.properties.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}

/// The values of a string enum schema (`None` for any other schema).
fn string_enum_values(schema: &Schema) -> Option<Vec<String>> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => Some(s.enumeration.iter().flatten().cloned().collect()),
        _ => None,
    }
}

fn string_enum(values: &[String]) -> StringEnum {
    let mut scope = Scope::default();
    let mut seen = HashSet::new();
    let mut variants = Vec::new();
    for (i, v) in values.iter().enumerate() {
        if !seen.insert(v.clone()) {
            continue;
        }
        let name = scope.claim(&naming::ident_camel(v, &format!("Value{i}")));
        variants.push(EnumVariant { name, wire: v.clone() });
    }
    let other = scope.claim("Unknown");
    StringEnum { variants, other }
}

fn is_json(ct: &str) -> bool {
    let essence = ct.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json") || essence == "*/*" || essence == "application/*"
}

fn pick_content(content: &IndexMap<String, MediaType>) -> Option<(&String, &MediaType)> {
    content
        .iter()
        .find(|(ct, _)| is_json(&ct.to_ascii_lowercase()))
        .or_else(|| content.iter().next())
}

fn status_variant(status: Status) -> String {
    let status = match status {
        Status::Default => return "Default".into(),
        Status::Range(r) => return format!("Status{r}XX"),
        Status::Code(c) => c,
    };
    match status {
        200 => "Ok".into(),
        201 => "Created".into(),
        202 => "Accepted".into(),
        203 => "NonAuthoritative".into(),
        204 => "NoContent".into(),
        205 => "ResetContent".into(),
        206 => "PartialContent".into(),
        300 => "MultipleChoices".into(),
        301 => "MovedPermanently".into(),
        302 => "Found".into(),
        303 => "SeeOther".into(),
        304 => "NotModified".into(),
        307 => "TemporaryRedirect".into(),
        308 => "PermanentRedirect".into(),
        400 => "BadRequest".into(),
        401 => "Unauthorized".into(),
        403 => "Forbidden".into(),
        404 => "NotFound".into(),
        409 => "Conflict".into(),
        422 => "UnprocessableEntity".into(),
        429 => "TooManyRequests".into(),
        500 => "InternalServerError".into(),
        s => format!("Status{s}"),
    }
}

fn methods(item: &PathItem) -> Vec<(&'static str, &openapiv3::Operation)> {
    [
        ("get", &item.get),
        ("put", &item.put),
        ("post", &item.post),
        ("delete", &item.delete),
        ("options", &item.options),
        ("head", &item.head),
        ("patch", &item.patch),
        ("trace", &item.trace),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_ref().map(|op| (m, op)))
    .collect()
}

fn derive_operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_owned();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        id.push('_');
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => {
                id.push_str("by_");
                id.push_str(param);
            }
            None => id.push_str(segment),
        }
    }
    id
}

fn path_template_names(path: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else { break };
        names.push(rest[start + 1..start + len].to_owned());
        rest = &rest[start + len + 1..];
    }
    names
}

/// `page[size]` → `page_size`; `filter[client_type]` → `client_type` when no other query
/// parameter would then share the name.
fn param_rust_name(wire: &str, all: &[String]) -> String {
    let full = naming::ident_snake(wire, "param");
    if let Some(rest) = wire.strip_prefix("filter[") {
        let short = naming::ident_snake(&rest.replace([']', '['], " "), "param");
        let clash = all.iter().any(|other| other != wire && naming::ident_snake(other, "param") == short);
        if !clash {
            return short;
        }
    }
    full
}

/// In an OAuth token request (an object with `grant_type`) `code` is an authorization code, a
/// single-use credential; elsewhere `code` is usually an error code and stays visible.
fn mark_authorization_code(fields: &mut [Field]) {
    if fields.iter().any(|f| f.wire == "grant_type") {
        fields.iter_mut().filter(|f| f.wire == "code").for_each(|f| f.secret = true);
    }
}

pub(crate) fn is_secret(wire: &str) -> bool {
    const SECRETS: &[&str] = &[
        "client_secret", "access_token", "refresh_token", "id_token", "code_verifier", "token", "password", "api_key",
        "apikey", "secret", "private_key", "consent_token",
    ];
    let lower = wire.to_ascii_lowercase();
    SECRETS.contains(&lower.as_str())
}

/// Named types reachable from `roots` (through fields, extra members, branches, aliases, lists
/// and maps).
fn reachable(api: &Api, roots: Vec<TypeRef>) -> HashSet<String> {
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
fn relax_directional_required(api: &mut Api) {
    let requests = reachable(api, api.operations.iter().filter_map(|op| op.body.as_ref().map(|b| b.ty.clone())).collect());
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
            if f.required && ((f.read_only && requests.contains(&def.name)) || (f.write_only && responses.contains(&def.name))) {
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
fn mark_tri_state(api: &mut Api) {
    let index: HashMap<String, usize> = api.types.iter().enumerate().map(|(i, t)| (t.name.clone(), i)).collect();
    let mut stack: Vec<TypeRef> = api.operations.iter().filter_map(|op| op.body.as_ref().map(|b| b.ty.clone())).collect();
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

/// Boxes struct fields that would otherwise make a type contain itself.
fn box_cycles(api: &mut Api) {
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
