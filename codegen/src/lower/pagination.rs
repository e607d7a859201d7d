//! Pagination detection: which operations return pages and how to read them.

use crate::ir::*;

use super::Lowerer;

impl<'a> Lowerer<'a> {
    /// Page-number pagination: a GET with a `page[number]` (or `page`) integer query
    /// parameter whose response has an array `data` and a `meta` with `total_pages`.
    pub(super) fn pagination(&self, op: &Operation) -> Option<Pagination> {
        if op.method != "GET" || op.responses.len() != 1 {
            return None;
        }
        let page_param = op.params.iter().find(|p| {
            p.location == ParamIn::Query
                && matches!(p.ty, TypeRef::Integer("i32" | "i64"))
                && (p.wire == "page[number]" || p.wire == "page")
        })?;
        let ResponseBody::Json(TypeRef::Named(page_type)) = &op.responses[0].body else { return None };
        let page = self.struct_named(page_type)?;
        let data = page.fields.iter().find(|f| f.wire == "data")?;
        let TypeRef::Vec(item) = &data.ty else { return None };
        let meta = page.fields.iter().find(|f| f.wire == "meta")?;
        let TypeRef::Named(meta_type) = &meta.ty else { return None };
        let meta_struct = self.struct_named(meta_type)?;
        let total = meta_struct
            .fields
            .iter()
            .find(|f| f.wire == "total_pages" && matches!(f.ty, TypeRef::Integer("i32" | "i64")))?;
        let number = meta_struct
            .fields
            .iter()
            .find(|f| f.wire == "page_number" && matches!(f.ty, TypeRef::Integer("i32" | "i64")));
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

fn page_field(f: &Field, optional: bool) -> PageField {
    PageField { name: f.name.clone(), optional, is_i64: f.ty == TypeRef::Integer("i64") }
}
