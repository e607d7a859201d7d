//! An operation's documented error responses, for its per-operation error enum.

use openapiv3::{ReferenceOr, StatusCode};

use super::bodies::status_variant;
use super::names::Hint;
use super::Lowerer;
use crate::error::{ptr, Error};
use crate::ir::{ErrorResponse, ErrorStatus, Operation, Status};
use crate::naming::{self, Scope};

/// Names each operation's error enum `{Builder}Error` once every builder has its name, so that
/// an error enum never pushes an operation's builder to a suffixed name (`GetThingError2`); an
/// error enum that meets a taken name takes the suffix itself.
pub(super) fn name_error_enums(ops: &mut [Operation], builder_scope: &mut Scope) {
    for op in ops.iter_mut().filter(|op| !op.errors.is_empty()) {
        op.error_enum = Some(builder_scope.claim(&format!("{}Error", naming::unraw(&op.builder))));
    }
}

impl Lowerer<'_> {
    /// The documented error responses of `op` (4xx/5xx codes and ranges, and `default` when
    /// documented success responses exist, so that it describes the errors), codes first, then
    /// ranges, then `default`. Inline error schemas get the names they always had
    /// (`RegisterOAuthClientBadRequest`).
    pub(super) fn error_responses(
        &mut self,
        op: &openapiv3::Operation,
        hint: &Hint,
        at: &str,
    ) -> Result<Vec<ErrorResponse>, Error> {
        let mut found: Vec<(ErrorStatus, &ReferenceOr<openapiv3::Response>, String, String)> = Vec::new();
        let mut has_success = false;
        for (code, response) in &op.responses.responses {
            let (first, status, key) = match code {
                StatusCode::Code(c) => (*c, ErrorStatus::Code(*c), c.to_string()),
                StatusCode::Range(r) => (*r * 100, ErrorStatus::Range(*r), format!("{r}XX")),
            };
            if (200..400).contains(&first) {
                has_success = true;
                continue;
            }
            // The type name of an inline body stays what it was before error enums existed.
            let type_suffix = status_variant(Status::Code(first));
            found.push((status, response, ptr(at, &key), type_suffix));
        }
        if has_success {
            if let Some(default) = &op.responses.default {
                found.push((ErrorStatus::Default, default, ptr(at, "default"), "Default".to_owned()));
            }
        }
        found.sort_by_key(|(status, ..)| *status);
        let mut variants = Scope::default();
        let mut out = Vec::with_capacity(found.len());
        for (status, response, r_at, type_suffix) in found {
            let (body, doc) = self.response_body(response, &hint.suffix(&type_suffix), &r_at)?;
            let variant = variants.claim(&error_variant(status));
            out.push(ErrorResponse { status, variant, body, doc });
        }
        Ok(out)
    }
}

/// The variant of an error status: `NotFound`, `ClientError` (`4XX`), `Default`.
fn error_variant(status: ErrorStatus) -> String {
    match status {
        ErrorStatus::Code(c) => match c {
            402 => "PaymentRequired".into(),
            405 => "MethodNotAllowed".into(),
            406 => "NotAcceptable".into(),
            408 => "RequestTimeout".into(),
            410 => "Gone".into(),
            412 => "PreconditionFailed".into(),
            413 => "PayloadTooLarge".into(),
            415 => "UnsupportedMediaType".into(),
            501 => "NotImplemented".into(),
            502 => "BadGateway".into(),
            503 => "ServiceUnavailable".into(),
            504 => "GatewayTimeout".into(),
            c => status_variant(Status::Code(c)),
        },
        ErrorStatus::Range(4) => "ClientError".into(),
        ErrorStatus::Range(5) => "ServerError".into(),
        ErrorStatus::Range(r) => format!("Status{r}XX"),
        ErrorStatus::Default => "Default".into(),
    }
}
