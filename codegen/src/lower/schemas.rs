//! Schema conversion: component and inline schemas to named types (structs, untagged unions,
//! aliases) and to the type references of fields, items and values.

use indexmap::IndexMap;
use openapiv3::{AdditionalProperties, ReferenceOr, Schema, SchemaKind, Type};

use crate::error::{ptr, Error};
use crate::ir::*;
use crate::naming::{self, Scope};

use super::enums::string_enum;
use super::merge::PropertiesVec;
use super::names::Hint;
use super::{Lowerer, MAX_SCHEMA_DEPTH};

impl<'a> Lowerer<'a> {
    pub(super) fn define_components(&mut self) -> Result<(), Error> {
        let Some(components) = &self.spec.components else { return Ok(()) };
        for (key, schema) in &components.schemas {
            let at = ptr("/components/schemas", key);
            let name = self.components[key].clone();
            if let Some(path) = self.replacements.get(&at) {
                // A hand-written type stands for the schema: `pub use <path> as <Name>;`.
                let doc = match schema {
                    ReferenceOr::Item(s) => s.schema_data.description.clone(),
                    ReferenceOr::Reference { .. } => None,
                };
                let kind = TypeKind::Alias(TypeRef::Named(path.clone()));
                self.types.push(TypeDef {
                    name,
                    doc,
                    origin: at,
                    deprecated: false,
                    discriminator: None,
                    kind,
                    features: Vec::new(),
                });
                continue;
            }
            let def = match schema {
                ReferenceOr::Reference { reference } => {
                    let target = self.resolve_schema_ref(reference, &at)?;
                    TypeDef {
                        name,
                        doc: None,
                        origin: at,
                        deprecated: false,
                        discriminator: None,
                        kind: TypeKind::Alias(target),
                        features: Vec::new(),
                    }
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
            SchemaKind::AllOf { all_of }
                if !(all_of.len() == 1 && matches!(all_of[0], ReferenceOr::Reference { .. })) =>
            {
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
            features: Vec::new(),
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
            out.push(Variant { name: scope.claim(&base), ty, boxed: false, tags: Vec::new(), doc: String::new() });
        }
        Ok(out)
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

    pub(super) fn additional(
        &mut self,
        additional: Option<&AdditionalProperties>,
        hint: &Hint,
        at: &str,
    ) -> Result<Option<TypeRef>, Error> {
        Ok(match additional {
            Some(AdditionalProperties::Any(true)) => Some(TypeRef::Json),
            Some(AdditionalProperties::Schema(s)) => {
                Some(self.schema_ref_type(s, &hint.suffix("Value"), &ptr(at, "additionalProperties"))?.0)
            }
            _ => None,
        })
    }

    pub(super) fn field(
        &mut self,
        scope: &mut Scope,
        wire: &str,
        schema: &ReferenceOr<Box<Schema>>,
        required: bool,
        hint: &Hint,
        at: &str,
    ) -> Result<Field, Error> {
        // The property's hint is only needed by an inline schema (a reference is named already).
        let (ty, nullable) = match schema {
            ReferenceOr::Reference { reference } => self.ref_type(reference, at)?,
            ReferenceOr::Item(s) => self.schema_type(s, &hint.property(wire), at)?,
        };
        let data = match schema {
            ReferenceOr::Item(s) => Some(&s.schema_data),
            ReferenceOr::Reference { .. } => None,
        };
        let name = scope.claim(&naming::ident_snake(wire, "field"));
        let secret = is_secret(wire)
            || data.is_some_and(|d| d.write_only)
            || matches!(schema, ReferenceOr::Item(s) if is_password_string(s));
        let format = match schema {
            ReferenceOr::Item(s) => match &s.schema_kind {
                SchemaKind::Type(Type::String(st)) => match &st.format {
                    openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::DateTime) => {
                        Some("date-time (RFC 3339)".to_owned())
                    }
                    openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Date) => {
                        Some("date (RFC 3339 full-date)".to_owned())
                    }
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

    fn boxed_ref_type(
        &mut self,
        schema: &ReferenceOr<Box<Schema>>,
        hint: &Hint,
        at: &str,
    ) -> Result<(TypeRef, bool), Error> {
        match schema {
            ReferenceOr::Reference { reference } => self.ref_type(reference, at),
            ReferenceOr::Item(s) => self.schema_type(s, hint, at),
        }
    }

    pub(super) fn schema_ref_type(
        &mut self,
        schema: &ReferenceOr<Schema>,
        hint: &Hint,
        at: &str,
    ) -> Result<(TypeRef, bool), Error> {
        match schema {
            ReferenceOr::Reference { reference } => self.ref_type(reference, at),
            ReferenceOr::Item(s) => self.schema_type(s, hint, at),
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
                    openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary)
                        if self.binary_as_bytes =>
                    {
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
                    TypeRef::Map(Box::new(
                        self.schema_ref_type(s, &hint.suffix("Value"), &ptr(at, "additionalProperties"))?.0,
                    ))
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
                        features: Vec::new(),
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
}

/// The scope for a struct's field names: with additional properties, their field's name is taken.
pub(super) fn field_scope(additional: Option<&AdditionalProperties>) -> Scope {
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

/// In an OAuth token request (an object with `grant_type`) `code` is an authorization code, a
/// single-use credential; elsewhere `code` is usually an error code and stays visible.
pub(super) fn mark_authorization_code(fields: &mut [Field]) {
    if fields.iter().any(|f| f.wire == "grant_type") {
        fields.iter_mut().filter(|f| f.wire == "code").for_each(|f| f.secret = true);
    }
}

pub(crate) fn is_secret(wire: &str) -> bool {
    const SECRETS: &[&str] = &[
        "client_secret",
        "access_token",
        "refresh_token",
        "id_token",
        "code_verifier",
        "token",
        "password",
        "api_key",
        "apikey",
        "secret",
        "private_key",
        "consent_token",
    ];
    let lower = wire.to_ascii_lowercase();
    SECRETS.contains(&lower.as_str())
}

/// A `type: string` schema with `format: password`.
fn is_password_string(schema: &openapiv3::Schema) -> bool {
    use openapiv3::{StringFormat, VariantOrUnknownOrEmpty};
    let SchemaKind::Type(Type::String(st)) = &schema.schema_kind else { return false };
    matches!(st.format, VariantOrUnknownOrEmpty::Item(StringFormat::Password))
}
