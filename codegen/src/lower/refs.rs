//! Reference resolution: `#/components/<section>/<key>` references to the item or named type
//! they stand for, with located errors for dangling, external or cyclic ones.

use indexmap::IndexMap;
use openapiv3::{ReferenceOr, Schema, SchemaKind, Type};

use crate::error::{ptr, Error};
use crate::ir::*;

use super::Lowerer;

impl<'a> Lowerer<'a> {
    /// The named type a `$ref` points at, and whether that component allows `null` (3.0
    /// `nullable: true`, 3.1 `type: [X, "null"]`, `anyOf: [$ref, {type: null}]`, a `null` in its
    /// `enum`, or a nullable component it refers to in turn).
    pub(super) fn ref_type(&self, reference: &str, at: &str) -> Result<(TypeRef, bool), Error> {
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

    pub(super) fn lookup_schema(&self, reference: &str, at: &str) -> Result<(&'a Schema, String), Error> {
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

    pub(super) fn resolve_schema_ref(&self, reference: &str, at: &str) -> Result<TypeRef, Error> {
        let key = self.component_key(reference, "schemas", at)?;
        match self.components.get(key) {
            Some(name) => Ok(TypeRef::Named(name.clone())),
            None => Err(self.ctx.invalid(at, format!("reference `{reference}` does not resolve"))),
        }
    }

    /// `item` itself, or what its `#/components/<section>/<name>` reference points at (following
    /// a chain of references), with located errors for dangling, external or cyclic ones.
    pub(super) fn resolve<'s, T>(
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
            return Err(self.ctx.unsupported(
                at,
                format!("external reference `{reference}` is not supported; bundle the document first"),
            ));
        };
        let prefix = format!("/components/{section}/");
        match local.strip_prefix(&prefix) {
            Some(key) if !key.contains('/') => Ok(key),
            _ => Err(self
                .ctx
                .unsupported(at, format!("reference `{reference}` is not supported (only `#{prefix}<name>`)"))),
        }
    }
}
