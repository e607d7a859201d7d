use std::fmt;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::Deserialize;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every way a call can fail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a status the operation does not treat as success.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The request could not be built from the given input; nothing was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The connection failed (DNS, refused, reset, TLS).
    #[error("connection error: {0}")]
    Connection(#[source] reqwest::Error),
    /// The request did not finish in time.
    #[error("request timed out")]
    Timeout,
    /// The response body did not decode into the documented type.
    #[error("cannot decode {status} response at `{path}`: {message} (body starts: {excerpt:?})")]
    Decode {
        /// The response status.
        status: StatusCode,
        /// Where decoding failed (a serde path such as `data[0].name`).
        path: String,
        /// What went wrong.
        message: String,
        /// The first bytes of the body.
        excerpt: String,
    },
}

impl Error {
    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Error::InvalidInput(message.into())
    }

    /// The HTTP status, if the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The API error, if the server answered with an error status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }
}

/// An error response from the server: status, headers, raw body and the parsed body.
#[derive(Debug)]
pub struct ApiError {
    /// The operationId of the failed call.
    pub operation: &'static str,
    /// The response status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The raw body.
    pub body: Bytes,
    /// The body parsed into one of the known error shapes.
    pub parsed: ErrorBody,
}

impl ApiError {
    /// The `x-request-id` header, for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        self.headers.get("x-request-id").and_then(|v| v.to_str().ok())
    }

    /// Decodes the body into an operation's own error schema.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_slice(&self.body).ok()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed with {}", self.operation, self.status)?;
        match &self.parsed {
            ErrorBody::OAuth(e) => {
                write!(f, ": {}", e.error)?;
                if let Some(d) = &e.error_description {
                    write!(f, " ({d})")?;
                }
            }
            ErrorBody::Telnyx(errors) => {
                if let Some(first) = errors.first() {
                    write!(f, ": {}", first.title.as_deref().unwrap_or(""))?;
                    if let Some(d) = &first.detail {
                        write!(f, " ({d})")?;
                    }
                }
            }
            ErrorBody::Other(_) | ErrorBody::Empty => {}
        }
        if let Some(id) = self.request_id() {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

/// The error shapes the client recognises.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ErrorBody {
    /// RFC 6749 §5.2: `{"error": "...", "error_description": "..."}`.
    OAuth(OAuthErrorBody),
    /// Telnyx's `{"errors": [...]}`.
    Telnyx(Vec<TelnyxError>),
    /// Some other JSON or text.
    Other(serde_json::Value),
    /// No body.
    Empty,
}

impl ErrorBody {
    pub(crate) fn parse(body: &[u8]) -> Self {
        #[derive(Deserialize)]
        struct Errors {
            errors: Vec<TelnyxError>,
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            return ErrorBody::Empty;
        }
        if let Ok(e) = serde_json::from_slice::<OAuthErrorBody>(body) {
            return ErrorBody::OAuth(e);
        }
        if let Ok(e) = serde_json::from_slice::<Errors>(body) {
            return ErrorBody::Telnyx(e.errors);
        }
        match serde_json::from_slice(body) {
            Ok(v) => ErrorBody::Other(v),
            Err(_) => ErrorBody::Other(serde_json::Value::String(
                String::from_utf8_lossy(body).into_owned(),
            )),
        }
    }
}

/// An OAuth 2.0 error body (RFC 6749 §5.2), with any extra members kept.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct OAuthErrorBody {
    /// The error code, e.g. `invalid_grant`.
    pub error: String,
    /// A human-readable explanation.
    #[serde(default)]
    pub error_description: Option<String>,
    /// Other members, such as `invalid_fields` from dynamic registration.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// One entry of Telnyx's `errors` array.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct TelnyxError {
    /// Telnyx error code.
    #[serde(default)]
    pub code: Option<String>,
    /// Short summary.
    #[serde(default)]
    pub title: Option<String>,
    /// Longer explanation.
    #[serde(default)]
    pub detail: Option<String>,
    /// What in the request caused it.
    #[serde(default)]
    pub source: Option<serde_json::Value>,
    /// Extra data.
    #[serde(default)]
    pub meta: Option<serde_json::Value>,
}
