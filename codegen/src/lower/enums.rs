//! String enums: their named types and variants.

use std::collections::HashSet;

use openapiv3::{Schema, SchemaKind, Type};

use crate::error::Error;
use crate::ir::*;
use crate::naming::{self, Scope};

use super::names::Hint;
use super::Lowerer;

impl<'a> Lowerer<'a> {
    pub(super) fn inline_enum(
        &mut self,
        values: Vec<String>,
        data: &openapiv3::SchemaData,
        hint: &Hint,
        at: &str,
    ) -> Result<TypeRef, Error> {
        let (name, exists) = self.type_name(&hint.qualified, Some(data), at, Some(&values))?;
        if let Some(path) = self.replacements.get(at) {
            // A hand-written enum stands for this one (spec/replacements.yaml). Another place with
            // the same name and values shares it.
            if !exists {
                let kind = TypeKind::Alias(TypeRef::Named(path.clone()));
                self.enums.push(TypeDef {
                    name: name.clone(),
                    doc: None,
                    origin: at.to_owned(),
                    deprecated: false,
                    discriminator: None,
                    kind,
                    features: Vec::new(),
                });
            }
            return Ok(TypeRef::Named(name));
        }
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
                features: Vec::new(),
            });
        }
        Ok(TypeRef::Named(name))
    }
}

/// The values of a string enum schema (`None` for any other schema).
pub(super) fn string_enum_values(schema: &Schema) -> Option<Vec<String>> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
            Some(s.enumeration.iter().flatten().cloned().collect())
        }
        _ => None,
    }
}

pub(super) fn string_enum(values: &[String]) -> StringEnum {
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
