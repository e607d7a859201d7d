//! Request bodies (encodings, multipart) and responses (statuses, body types).

use std::collections::HashSet;

use indexmap::IndexMap;
use openapiv3::{MediaType, OpenAPI, ReferenceOr, Schema, SchemaKind, StatusCode};

use crate::error::{ptr, Error};
use crate::ir::*;
use crate::naming::Scope;

use super::names::Hint;
use super::operations::methods;
use super::Lowerer;

/// Component schemas reachable (through `$ref`, `oneOf`, `anyOf`, `allOf`) from a request body
/// that is only offered as `multipart/form-data`.
pub(super) fn multipart_components(spec: &OpenAPI) -> HashSet<String> {
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

impl<'a> Lowerer<'a> {
    pub(super) fn request_body(
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
                return Err(self
                    .ctx
                    .unsupported(&media_at, format!("`{content_type}` request bodies are not supported")));
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

    pub(super) fn responses(
        &mut self,
        op: &openapiv3::Operation,
        hint: &Hint,
        at: &str,
    ) -> Result<Vec<Response>, Error> {
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
        // Error responses are lowered by `error_responses` (errors.rs).
        Ok(out)
    }

    pub(super) fn response_body(
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
}

pub(super) fn is_json(ct: &str) -> bool {
    let essence = ct.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json") || essence == "*/*" || essence == "application/*"
}

fn pick_content(content: &IndexMap<String, MediaType>) -> Option<(&String, &MediaType)> {
    content.iter().find(|(ct, _)| is_json(&ct.to_ascii_lowercase())).or_else(|| content.iter().next())
}

pub(super) fn status_variant(status: Status) -> String {
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
