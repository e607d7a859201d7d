//! Operations and their parameters: names, modules, servers, path templates and bounds.

use std::collections::HashMap;

use indexmap::IndexMap;
use openapiv3::{Parameter, ParameterSchemaOrContent, PathItem, ReferenceOr, Schema, SchemaKind, Type};

use crate::error::{ptr, Error};
use crate::ir::*;
use crate::naming::{self, Scope, BUILDER_METHODS, CLIENT_METHODS};

use super::bodies::is_json;
use super::names::{Hint, RESERVED_TYPES};
use super::{Lowerer, Skipped};

pub(super) fn server_url(server: &openapiv3::Server) -> String {
    let mut url = server.url.clone();
    if let Some(vars) = &server.variables {
        for (name, var) in vars {
            url = url.replace(&format!("{{{name}}}"), &var.default);
        }
    }
    url.trim_end_matches('/').to_owned()
}

impl<'a> Lowerer<'a> {
    pub(super) fn operations(
        &mut self,
        default_server: &str,
        skip_unsupported: bool,
        skipped: &mut Skipped,
    ) -> Result<Vec<Operation>, Error> {
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
                    return Err(self
                        .ctx
                        .unsupported(&path_at, format!("path item reference `{reference}` is not supported")))
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
                    skipped.push(Error {
                        message: format!("{}; generated under a suffixed name", error.message),
                        ..error
                    });
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
        super::errors::name_error_enums(&mut out, &mut builder_scope);
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
        for (list, list_at) in
            [(&item.parameters, ptr(&ptr("/paths", path), "parameters")), (&op.parameters, ptr(at, "parameters"))]
        {
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
        let query_names: Vec<String> =
            raw_params.values().filter(|(p, _)| p.location == "query").map(|(p, _)| p.name.clone()).collect();
        for ((_, location), (p, p_at)) in &raw_params {
            let location = match *location {
                "path" => {
                    if !template_names.contains(&p.name) {
                        return Err(self
                            .ctx
                            .invalid(p_at, format!("path parameter `{}` does not appear in `{path}`", p.name)));
                    }
                    ParamIn::Path
                }
                "query" => ParamIn::Query,
                "header" => ParamIn::Header,
                _ => ParamIn::Cookie,
            };
            let base = param_rust_name(&p.name, &query_names);
            let name = if scope.contains(&base) {
                scope.claim(&naming::suffixed(&base, "_param"))
            } else {
                scope.claim(&base)
            };
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
        let response_enum =
            (responses.len() > 1).then(|| builder_scope.claim(&format!("{}Response", naming::unraw(&builder))));
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
            doc: String::new(),
            error_enum: None,
            errors,
        };
        operation.pagination = self.pagination(&operation);
        Ok(operation)
    }

    fn parameter(&self, p: &ReferenceOr<Parameter>, at: &str) -> Result<ParamData, Error> {
        let parameter = self.resolve(p, "parameters", |c| &c.parameters, at)?;
        let (location, data, style) = match parameter {
            Parameter::Path { parameter_data, style } => (
                "path",
                parameter_data,
                match style {
                    openapiv3::PathStyle::Simple => ParamStyle::Simple,
                    openapiv3::PathStyle::Label => ParamStyle::Label,
                    openapiv3::PathStyle::Matrix => ParamStyle::Matrix,
                },
            ),
            Parameter::Query { parameter_data, style, .. } => (
                "query",
                parameter_data,
                match style {
                    openapiv3::QueryStyle::Form => ParamStyle::Form,
                    openapiv3::QueryStyle::SpaceDelimited => ParamStyle::SpaceDelimited,
                    openapiv3::QueryStyle::PipeDelimited => ParamStyle::PipeDelimited,
                    openapiv3::QueryStyle::DeepObject => ParamStyle::DeepObject,
                },
            ),
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
    (
        min.filter(|&m| i128::from(m) > lo && i128::from(m) <= hi),
        max.filter(|&m| i128::from(m) < hi && i128::from(m) >= lo),
    )
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

pub(super) fn methods(item: &PathItem) -> Vec<(&'static str, &openapiv3::Operation)> {
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
