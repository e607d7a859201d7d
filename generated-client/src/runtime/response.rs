use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use super::error::{decode_json, ApiError, Error, ErrorBody, Result};
use super::redact::{is_sensitive_header, one_line};

/// A response received for an operation, before it is decoded.
///
/// `Debug` shows the status and the body's length, not the body (it may hold tokens).
pub struct RawResponse {
    pub(crate) operation: &'static str,
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) attempts: u32,
}

impl std::fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawResponse")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl RawResponse {
    /// The operationId of the call this answers.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// How many attempts were made, the last of which got this response (1 when not retried).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The `x-request-id` header.
    pub fn request_id(&self) -> Option<&str> {
        self.headers.get("x-request-id").and_then(|v| v.to_str().ok())
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body as received.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// A header's value as text, if present and valid.
    pub fn header_str(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    /// Decodes a JSON body into `T`. Unknown members are ignored unless `T` forbids them; a
    /// body that is not JSON, is cut short or does not match `T` gives [`Error::Decode`] with the
    /// serde path of the failure and the start of the body.
    pub fn json<T: serde::de::DeserializeOwned>(self) -> Result<ApiResponse<T>> {
        let data = decode_json(self.status, &self.body)?;
        Ok(self.with(data))
    }

    /// The body as text.
    pub fn text(self) -> Result<ApiResponse<String>> {
        let text = String::from_utf8_lossy(&self.body).into_owned();
        Ok(self.with(text))
    }

    /// The body as bytes.
    pub fn bytes(self) -> Result<ApiResponse<Bytes>> {
        let body = self.body.clone();
        Ok(self.with(body))
    }

    /// A response without a body.
    pub fn empty(self) -> Result<ApiResponse<()>> {
        Ok(self.with(()))
    }

    /// Wraps `data` with this response's status and headers.
    pub fn with<T>(self, data: T) -> ApiResponse<T> {
        ApiResponse { data, status: self.status, headers: self.headers, attempts: self.attempts }
    }

    /// Turns an unexpected status into an [`Error::Api`].
    pub fn into_error(self) -> Error {
        let parsed = ErrorBody::parse(&self.body);
        Error::Api(Box::new(ApiError {
            operation: self.operation,
            status: self.status,
            headers: self.headers,
            body: self.body,
            parsed,
            attempts: self.attempts,
        }))
    }
}

/// A decoded value with the response's status and headers.
///
/// `Debug` shows the values of headers except credential ones (`set-cookie`, `authorization`,
/// anything named like a token, secret or key), which show as `<redacted>`.
#[derive(Clone)]
pub struct ApiResponse<T> {
    /// The decoded body.
    pub data: T,
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// How many attempts the call made, the last of which got this response (1 when not
    /// retried).
    pub attempts: u32,
}

impl<T: std::fmt::Debug> std::fmt::Debug for ApiResponse<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiResponse")
            .field("data", &self.data)
            .field("status", &self.status)
            .field("headers", &headers_for_debug(&self.headers))
            .field("attempts", &self.attempts)
            .finish()
    }
}

/// `name: value` lines with credential header values replaced by `<redacted>`, each value cut
/// to 200 characters.
pub(crate) fn headers_for_debug(headers: &HeaderMap) -> Vec<String> {
    headers
        .iter()
        .map(|(name, value)| {
            if is_sensitive_header(name.as_str()) {
                format!("{name}: <redacted>")
            } else {
                format!("{name}: {}", one_line(&String::from_utf8_lossy(value.as_bytes()), 200))
            }
        })
        .collect()
}

/// A `{ "data": T }` response body (generated for such types), unwrapped by the builder's
/// `send_data()` and by [`ApiResponse::into_data`].
pub trait Envelope {
    /// The type of `data`.
    type Data;
    /// The `data`, if the body had it.
    fn into_data(self) -> Option<Self::Data>;
}

impl<T: Envelope> ApiResponse<T> {
    /// The `data` of the envelope; a body without it fails with [`Error::Decode`] at `data`.
    pub fn into_data(self) -> Result<T::Data> {
        let status = self.status;
        self.data.into_data().ok_or_else(|| Error::Decode {
            status,
            path: "data".to_owned(),
            message: "missing field `data`".to_owned(),
            excerpt: String::new(),
        })
    }
}

impl<T> ApiResponse<T> {
    /// The decoded body.
    pub fn into_inner(self) -> T {
        self.data
    }

    /// The `x-request-id` header.
    pub fn request_id(&self) -> Option<&str> {
        self.headers.get("x-request-id").and_then(|v| v.to_str().ok())
    }

    /// Maps the decoded body.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ApiResponse<U> {
        ApiResponse { data: f(self.data), status: self.status, headers: self.headers, attempts: self.attempts }
    }
}
