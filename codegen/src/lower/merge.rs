//! `allOf` merging: the parts of an `allOf` (and the schema's own properties) as one struct.

use std::collections::HashSet;

use indexmap::IndexMap;
use openapiv3::{ReferenceOr, Schema, SchemaKind, Type};

use crate::error::{ptr, Error};
use crate::ir::*;
use crate::naming;

use super::names::Hint;
use super::schemas::{field_scope, mark_authorization_code};
use super::Lowerer;

impl<'a> Lowerer<'a> {
    /// Merges `allOf` parts (and the schema's own properties) into one struct; `None` when a part
    /// is not an object.
    pub(super) fn merge_all_of(
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
                    let key =
                        target_at.trim_start_matches("/components/schemas/").replace("~1", "/").replace("~0", "~");
                    let owner = self.components.get(&key).map_or(owner, |name| Hint::new(naming::unraw(name)));
                    (schema.clone(), target_at, owner)
                }
                ReferenceOr::Item(s) => (s.clone(), part_at.clone(), owner),
            };
            match &schema.schema_kind {
                SchemaKind::Type(Type::Object(o)) => {
                    for (k, v) in &o.properties {
                        properties
                            .insert(k.clone(), (v.clone(), ptr(&ptr(&schema_at, "properties"), k), owner.clone()));
                    }
                    required.extend(o.required.iter().cloned());
                    if additional.is_none() {
                        additional = o.additional_properties.clone();
                    }
                }
                SchemaKind::Any(any) if any.typ.as_deref().is_none_or(|t| t == "object") => {
                    for (k, v) in &any.properties {
                        properties
                            .insert(k.clone(), (v.clone(), ptr(&ptr(&schema_at, "properties"), k), owner.clone()));
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
}

pub(super) trait PropertiesVec {
    fn properties_as_vec(&self) -> Vec<(String, ReferenceOr<Box<Schema>>)>;
}

impl PropertiesVec for openapiv3::AnySchema {
    fn properties_as_vec(&self) -> Vec<(String, ReferenceOr<Box<Schema>>)> {
        self.properties.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}
