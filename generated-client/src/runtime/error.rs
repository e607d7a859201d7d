use std::error::Error as _;
use std::fmt;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::Deserialize;

use super::redact::{is_sensitive_key, one_line, redact_secrets, redact_value};
use super::retry;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every way a call can fail.
///
/// Branch on [`Error::kind`] (or [`Error::status`]) rather than on the variants when all you
/// need is the category:
///
/// ```ignore
/// use my_api::runtime::{Error, ErrorKind}; // the crate's own name
///
/// fn describe(error: &Error) -> &'static str {
///     match error.kind() {
///         ErrorKind::NotFound => "no such thing",
///         ErrorKind::Unauthorized | ErrorKind::Forbidden => "check the API key",
///         ErrorKind::RateLimited => "slow down",
///         _ if error.is_retryable() => "try again later",
///         _ => "failed",
///     }
/// }
/// ```
///
/// `Display` is one line and never contains credentials, tokens or query strings.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a status the operation does not treat as success.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The request could not be built from the given input; nothing was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The connection failed (DNS, refused, reset, TLS, closed in the middle of the response).
    /// The inner error carries no URL.
    #[error("connection error: {}", connection_message(.0))]
    Connection(#[source] reqwest::Error),
    /// The request did not finish within the timeout (per attempt).
    #[error("request timed out")]
    Timeout,
    /// The response body is larger than the limit
    /// ([`ClientBuilder::max_response_bytes`](super::ClientBuilder::max_response_bytes)); the
    /// client stopped reading as soon as it knew (from `content-length`, or once the bytes read
    /// passed the limit). Never retried: the same request would get the same body.
    #[error("the {status} response body exceeds the limit of {limit} bytes")]
    ResponseTooLarge {
        /// The response status.
        status: StatusCode,
        /// The limit that applied.
        limit: u64,
    },
    /// The server's answer is not valid HTTP (an invalid status line, oversized or invalid
    /// headers, conflicting `content-length`, a malformed chunk). Not retried: the server would
    /// answer the same way again.
    #[error("invalid HTTP response: {0}")]
    Protocol(String),
    /// The response body did not decode into the documented type.
    #[error("cannot decode {status} response at `{path}`: {message} (body starts: {excerpt:?})")]
    Decode {
        /// The response status.
        status: StatusCode,
        /// Where decoding failed (a serde path such as `data[0].name`).
        path: String,
        /// What went wrong.
        message: String,
        /// The first bytes of the body, on one line, with token and secret values redacted.
        excerpt: String,
    },
}

/// The reqwest error's own message and, when it says more, its innermost cause
/// (`error sending request: Connection refused (os error 111)`).
fn connection_message(error: &reqwest::Error) -> String {
    let top = error.to_string();
    let mut root: Option<&(dyn std::error::Error + 'static)> = error.source();
    while let Some(next) = root.and_then(|e| e.source()) {
        root = Some(next);
    }
    match root.map(|e| e.to_string()) {
        Some(cause) if !cause.is_empty() && !top.contains(&cause) => one_line(&format!("{top}: {cause}"), 300),
        _ => one_line(&top, 300),
    }
}

/// The cause of `error` when the server's answer broke HTTP itself (hyper could not parse the
/// head, or the body framing is invalid) rather than the connection failing.
fn protocol_violation(error: &reqwest::Error) -> Option<String> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = error.source();
    while let Some(cause) = next {
        if let Some(h) = cause.downcast_ref::<hyper::Error>() {
            if h.is_parse() {
                return Some(h.to_string());
            }
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            if matches!(io.kind(), std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput) {
                return Some(io.to_string());
            }
        }
        next = cause.source();
    }
    None
}

/// What kind of failure an [`Error`] is: the HTTP status class of an API error, or how the
/// call failed without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 400.
    BadRequest,
    /// 401: missing, wrong or expired credentials.
    Unauthorized,
    /// 403: the credentials do not allow this.
    Forbidden,
    /// 404.
    NotFound,
    /// 409.
    Conflict,
    /// 422: the request was well-formed but its values were refused.
    UnprocessableEntity,
    /// 429.
    RateLimited,
    /// 500 to 599.
    Server,
    /// Any other error status (408, 405, 3xx when not expected, ...).
    Other,
    /// The connection failed ([`Error::Connection`]).
    Connection,
    /// The request timed out ([`Error::Timeout`]).
    Timeout,
    /// The response body did not decode ([`Error::Decode`]).
    Decode,
    /// The response body exceeded the size limit ([`Error::ResponseTooLarge`]).
    ResponseTooLarge,
    /// The response was not valid HTTP ([`Error::Protocol`]).
    Protocol,
    /// Nothing was sent because the input was invalid ([`Error::InvalidInput`]).
    InvalidInput,
}

impl ErrorKind {
    /// The kind for an error status.
    pub fn from_status(status: StatusCode) -> Self {
        match status.as_u16() {
            400 => ErrorKind::BadRequest,
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            422 => ErrorKind::UnprocessableEntity,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Other,
        }
    }
}

impl Error {
    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Error::InvalidInput(message.into())
    }

    /// Wraps a reqwest error: timeouts become [`Error::Timeout`], errors building the request
    /// [`Error::InvalidInput`], everything else [`Error::Connection`]; the URL (which may carry
    /// an API key in its query) is dropped.
    pub(crate) fn from_reqwest(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            Error::Timeout
        } else if error.is_builder() {
            Error::InvalidInput(one_line(&error.without_url().to_string(), 300))
        } else if let Some(cause) = protocol_violation(&error) {
            Error::Protocol(one_line(&cause, 300))
        } else {
            Error::Connection(error.without_url())
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api(api) => api.kind(),
            Error::InvalidInput(_) => ErrorKind::InvalidInput,
            Error::Connection(_) => ErrorKind::Connection,
            Error::Timeout => ErrorKind::Timeout,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::ResponseTooLarge { .. } => ErrorKind::ResponseTooLarge,
            Error::Protocol(_) => ErrorKind::Protocol,
        }
    }

    /// The HTTP status, if the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. } | Error::ResponseTooLarge { status, .. } => Some(*status),
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

    /// How many attempts the call made when the server answered with an error status (the
    /// last attempt got this answer). Failures without an answer (connection, timeout) do not
    /// carry it; the `tracing` events of the call do.
    pub fn attempts(&self) -> Option<u32> {
        self.api().map(|api| api.attempts)
    }

    /// The `x-request-id` of the error response, for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        self.api().and_then(ApiError::request_id)
    }

    /// Whether the failure is transient: a connection error, a timeout, or an API error the
    /// client retries (see [`ApiError::is_retryable`]). The client has already retried such
    /// failures up to its retry limit before returning them.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(api) => api.is_retryable(),
            Error::Connection(_) | Error::Timeout => true,
            _ => false,
        }
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout)
    }

    /// Whether the connection failed.
    pub fn is_connection(&self) -> bool {
        matches!(self, Error::Connection(_))
    }
}

/// An error response from the server: status, headers, raw body and the parsed body.
///
/// `Debug` shows the status, the request id, the parsed body and the header names, never the
/// values of credential headers.
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
    /// How many attempts the call made, the last of which got this answer (1 when not retried).
    pub attempts: u32,
}

impl ApiError {
    /// An error for `status` with `body` parsed into [`ApiError::parsed`].
    pub fn new(operation: &'static str, status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        let parsed = ErrorBody::parse(&body);
        Self { operation, status, headers, body, parsed, attempts: 1 }
    }

    /// What kind of failure the status stands for.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::from_status(self.status)
    }

    /// The `x-request-id` header, for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        self.headers.get("x-request-id").and_then(|v| v.to_str().ok())
    }

    /// Whether the client treats this response as transient: `x-should-retry: true`, or,
    /// without that header, 408, 409, 429 or 5xx.
    pub fn is_retryable(&self) -> bool {
        retry::status_is_retryable(self.status, &self.headers)
    }

    /// Decodes the body into an operation's own error schema. A body that does not fit gives a
    /// [`DecodeError`] with the serde path of the failure and the start of the body. The
    /// operation's error enum (`send_typed`) does this for every documented status.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> std::result::Result<T, DecodeError> {
        decode_json(self.status, &self.body)
    }

    /// The OAuth error body (`{"error": ..., "error_description": ...}`), if the body is one.
    pub fn oauth_error(&self) -> Option<&OAuthErrorBody> {
        match &self.parsed {
            ErrorBody::OAuth(e) => Some(e),
            _ => None,
        }
    }

    /// The entries of a JSON:API-style `{"errors": [...]}` body (empty for other bodies).
    pub fn errors(&self) -> &[ErrorObject] {
        match &self.parsed {
            ErrorBody::Errors(errors) => errors,
            _ => &[],
        }
    }

    /// The body as text (lossy UTF-8).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers = super::response::headers_for_debug(&self.headers);
        f.debug_struct("ApiError")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("request_id", &self.request_id())
            .field("attempts", &self.attempts)
            .field("parsed", &self.parsed)
            .field("headers", &headers)
            .field("body", &one_line(&redact_secrets(&String::from_utf8_lossy(&self.body)), 500))
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed with {}", self.operation, self.status)?;
        let detail = match &self.parsed {
            ErrorBody::OAuth(e) => match &e.error_description {
                Some(d) => format!("{} ({})", e.error, redact_secrets(d)),
                None => e.error.clone(),
            },
            ErrorBody::Errors(errors) => match errors.first() {
                Some(first) => {
                    let mut text = [first.code.as_deref(), first.title.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ");
                    if let Some(d) = &first.detail {
                        let d = redact_secrets(d);
                        text = if text.is_empty() { d } else { format!("{text} ({d})") };
                    }
                    if errors.len() > 1 {
                        text.push_str(&format!(" and {} more", errors.len() - 1));
                    }
                    text
                }
                None => String::new(),
            },
            ErrorBody::Other(serde_json::Value::String(text)) => {
                let trimmed = text.trim_start();
                if trimmed.starts_with('<') {
                    format!("{} bytes of HTML or XML", self.body.len())
                } else {
                    redact_secrets(text)
                }
            }
            ErrorBody::Other(value) => {
                let message = value.get("message").or_else(|| value.get("error")).and_then(serde_json::Value::as_str);
                match message {
                    Some(m) => redact_secrets(m),
                    None => redact_secrets(&value.to_string()),
                }
            }
            ErrorBody::Empty => String::new(),
        };
        let detail = one_line(&detail, 200);
        if !detail.is_empty() {
            write!(f, ": {detail}")?;
        }
        if let Some(id) = self.request_id() {
            write!(f, " [request id {}]", one_line(id, 100))?;
        }
        Ok(())
    }
}

/// The error shapes the client recognises. `Debug` hides the values of members named like
/// secrets (`access_token`, `client_secret`, ...).
#[derive(Clone)]
#[non_exhaustive]
pub enum ErrorBody {
    /// RFC 6749 §5.2: `{"error": "...", "error_description": "..."}`.
    OAuth(OAuthErrorBody),
    /// JSON:API-style `{"errors": [{"code", "title", "detail", "source", "meta"}]}` (used by
    /// many APIs); an operation's own error schema is reachable with [`ApiError::decode`].
    Errors(Vec<ErrorObject>),
    /// Some other JSON, or the body as text when it is not JSON.
    Other(serde_json::Value),
    /// No body.
    Empty,
}

impl fmt::Debug for ErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorBody::OAuth(e) => f.debug_tuple("OAuth").field(e).finish(),
            ErrorBody::Errors(errors) => {
                // A server decides how many entries there are: show a few.
                let shown = errors.get(..errors.len().min(5)).unwrap_or_default();
                f.debug_tuple("Errors").field(&shown).field(&format_args!("{} in all", errors.len())).finish()
            }
            ErrorBody::Other(serde_json::Value::String(text)) => {
                f.debug_tuple("Other").field(&one_line(&redact_secrets(text), 500)).finish()
            }
            ErrorBody::Other(value) => f.debug_tuple("Other").field(&bounded_json(&redact_value(value), 500)).finish(),
            ErrorBody::Empty => f.write_str("Empty"),
        }
    }
}

/// A JSON value as one line of at most `max` characters.
fn bounded_json(value: &serde_json::Value, max: usize) -> String {
    one_line(&value.to_string(), max)
}

impl ErrorBody {
    pub(crate) fn parse(body: &[u8]) -> Self {
        #[derive(Deserialize)]
        struct Errors {
            errors: Vec<ErrorObject>,
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            return ErrorBody::Empty;
        }
        if let Ok(e) = serde_json::from_slice::<OAuthErrorBody>(body) {
            return ErrorBody::OAuth(e);
        }
        if let Ok(e) = serde_json::from_slice::<Errors>(body) {
            return ErrorBody::Errors(e.errors);
        }
        match serde_json::from_slice(body) {
            Ok(v) => ErrorBody::Other(v),
            Err(_) => ErrorBody::Other(serde_json::Value::String(String::from_utf8_lossy(body).into_owned())),
        }
    }
}

/// An OAuth 2.0 error body (RFC 6749 §5.2), with any extra members kept. Also the type of the
/// spec's `oauth_Error` schema (`models::OAuthErrorBody`), so there is one type for it.
#[derive(Clone, PartialEq, Deserialize)]
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

impl OAuthErrorBody {
    /// A body with `error` and no description.
    pub fn new(error: impl Into<String>) -> Self {
        Self { error: error.into(), error_description: None, extra: serde_json::Map::new() }
    }

    /// Sets `error_description`.
    pub fn with_error_description(mut self, value: impl Into<String>) -> Self {
        self.error_description = Some(value.into());
        self
    }
}

impl fmt::Debug for OAuthErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthErrorBody")
            .field("error", &one_line(&self.error, 100))
            .field("error_description", &self.error_description.as_deref().map(|d| one_line(&redact_secrets(d), 300)))
            .field("extra", &bounded_json(&redact_value(&serde_json::Value::Object(self.extra.clone())), 300))
            .finish()
    }
}

/// One entry of a JSON:API-style `errors` array (an "error object").
#[derive(Clone, Deserialize)]
#[non_exhaustive]
pub struct ErrorObject {
    /// The API's error code.
    #[serde(default, deserialize_with = "string_or_number")]
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

impl fmt::Debug for ErrorObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |t: &Option<String>| t.as_deref().map(|t| one_line(&redact_secrets(t), 300));
        f.debug_struct("ErrorObject")
            .field("code", &text(&self.code))
            .field("title", &text(&self.title))
            .field("detail", &text(&self.detail))
            .field("source", &self.source.as_ref().map(|v| bounded_json(&redact_value(v), 200)))
            .field("meta", &self.meta.as_ref().map(|v| bounded_json(&redact_value(v), 200)))
            .finish()
    }
}

/// `code` is documented as a string; accept a number too rather than lose the whole body.
fn string_or_number<'de, D: serde::Deserializer<'de>>(de: D) -> std::result::Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(de)? {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

/// A body that did not decode into the documented type.
///
/// `Display` is one line; the message never quotes the value of a member named like a secret,
/// and the excerpt has token and secret values redacted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot decode {status} response at `{path}`: {message} (body starts: {excerpt:?})")]
#[non_exhaustive]
pub struct DecodeError {
    /// The response status.
    pub status: StatusCode,
    /// Where decoding failed (a serde path such as `data[0].name`; `.` for the whole body).
    pub path: String,
    /// What went wrong (serde's message).
    pub message: String,
    /// The first bytes of the body, on one line, with token and secret values redacted.
    pub excerpt: String,
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode { status: e.status, path: e.path, message: e.message, excerpt: e.excerpt }
    }
}

/// Decodes a JSON body into `T`, or says where and why it does not fit.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(
    status: StatusCode,
    body: &[u8],
) -> std::result::Result<T, DecodeError> {
    // The fast path decodes directly; only a body that fails is decoded again to find where
    // (tracking the path costs an allocation per member, about half again the decode time).
    if let Ok(data) = serde_json::from_slice(body) {
        return Ok(data);
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(data) => Ok(data),
        Err(e) => {
            let path = e.path().to_string();
            // serde quotes the offending value ("invalid type: string \"...\""); not for secrets.
            let secret = path.rsplit(['.', '[']).next().is_some_and(is_sensitive_key);
            let message = if secret {
                "invalid value (not shown: the member holds a secret)".to_owned()
            } else {
                one_line(&e.into_inner().to_string(), 300)
            };
            Err(DecodeError { status, path, message, excerpt: excerpt(body) })
        }
    }
}

/// The start of a body for an error message: one line, token and secret values redacted.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let head = body.get(..body.len().min(400)).unwrap_or(body);
    one_line(&redact_secrets(&String::from_utf8_lossy(head)), 200)
}

/// The error enum of one operation (`GetOAuthClientError`): its documented error statuses,
/// each with the body decoded into its documented schema. Generated; see
/// [`OperationError`].
pub trait DocumentedError: Sized {
    /// The documented error `api` stands for: `None` when the operation does not document its
    /// status, `Some(Err(..))` when it does but the body does not fit the documented schema.
    fn from_api(api: &ApiError) -> Option<std::result::Result<Self, DecodeError>>;
}

/// What a request builder's `send_typed()` fails with: the operation's own error enum `E` when
/// the server answered with a status the operation documents, the general [`Error`] otherwise.
///
/// ```ignore
/// match client.get_oauth_client("id").send_typed().await {
///     Ok(response) => { /* ... */ }
///     Err(OperationError::Documented(GetOAuthClientError::NotFound(body), api)) => { /* ... */ }
///     Err(other) => return Err(other.into()), // into the general `Error`
/// }
/// ```
///
/// `Display` is the one line of the underlying [`ApiError`] or [`Error`].
#[derive(Debug)]
#[non_exhaustive]
pub enum OperationError<E> {
    /// The status is one the operation documents and the body decoded into its schema. The
    /// [`ApiError`] keeps the status, headers, request id and raw body.
    Documented(E, Box<ApiError>),
    /// The status is one the operation documents but the body does not fit the documented
    /// schema; the [`DecodeError`] says where.
    Undecodable(DecodeError, Box<ApiError>),
    /// Anything else: an undocumented status ([`Error::Api`]), a connection failure, a timeout,
    /// a success body that does not decode, ...
    Other(Error),
}

impl<E: DocumentedError> OperationError<E> {
    /// Sorts a general error: an [`Error::Api`] whose status the operation documents becomes
    /// [`OperationError::Documented`] (or [`OperationError::Undecodable`]), anything else
    /// [`OperationError::Other`].
    pub fn from_error(error: Error) -> Self {
        match error {
            Error::Api(api) => match E::from_api(&api) {
                Some(Ok(documented)) => OperationError::Documented(documented, api),
                Some(Err(decode)) => OperationError::Undecodable(decode, api),
                None => OperationError::Other(Error::Api(api)),
            },
            other => OperationError::Other(other),
        }
    }
}

impl<E> OperationError<E> {
    /// The documented error, if the status is documented and the body decoded.
    pub fn documented(&self) -> Option<&E> {
        match self {
            OperationError::Documented(e, _) => Some(e),
            _ => None,
        }
    }

    /// The documented error, if the status is documented and the body decoded.
    pub fn into_documented(self) -> Option<E> {
        match self {
            OperationError::Documented(e, _) => Some(e),
            _ => None,
        }
    }

    /// The server's error answer (status, headers, request id, raw body), if there was one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            OperationError::Documented(_, api) | OperationError::Undecodable(_, api) => Some(api),
            OperationError::Other(e) => e.api(),
        }
    }

    /// The HTTP status, if the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            OperationError::Documented(_, api) | OperationError::Undecodable(_, api) => Some(api.status),
            OperationError::Other(e) => e.status(),
        }
    }

    /// The `x-request-id` of the error response, for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        self.api().and_then(ApiError::request_id)
    }

    /// What kind of failure this is (see [`Error::kind`]).
    pub fn kind(&self) -> ErrorKind {
        match self {
            OperationError::Documented(_, api) | OperationError::Undecodable(_, api) => api.kind(),
            OperationError::Other(e) => e.kind(),
        }
    }

    /// The general error, forgetting the decoded body (a documented status becomes
    /// [`Error::Api`] again).
    pub fn into_error(self) -> Error {
        match self {
            OperationError::Documented(_, api) | OperationError::Undecodable(_, api) => Error::Api(api),
            OperationError::Other(e) => e,
        }
    }
}

impl<E> From<OperationError<E>> for Error {
    fn from(e: OperationError<E>) -> Self {
        e.into_error()
    }
}

impl<E> fmt::Display for OperationError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OperationError::Documented(_, api) => fmt::Display::fmt(api, f),
            OperationError::Undecodable(decode, api) => {
                write!(f, "{} failed with {}; {decode}", api.operation, api.status)
            }
            OperationError::Other(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for OperationError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            OperationError::Undecodable(decode, _) => Some(decode),
            OperationError::Other(e) => e.source(),
            OperationError::Documented(..) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_error(status: u16, body: &str) -> ApiError {
        ApiError {
            operation: "Op",
            status: StatusCode::from_u16(status).expect("valid status"),
            headers: HeaderMap::new(),
            body: Bytes::copy_from_slice(body.as_bytes()),
            parsed: ErrorBody::parse(body.as_bytes()),
            attempts: 1,
        }
    }

    #[test]
    fn kinds_follow_the_status() {
        let table = [
            (400, ErrorKind::BadRequest),
            (401, ErrorKind::Unauthorized),
            (403, ErrorKind::Forbidden),
            (404, ErrorKind::NotFound),
            (409, ErrorKind::Conflict),
            (422, ErrorKind::UnprocessableEntity),
            (429, ErrorKind::RateLimited),
            (500, ErrorKind::Server),
            (503, ErrorKind::Server),
            (408, ErrorKind::Other),
            (418, ErrorKind::Other),
        ];
        for (status, kind) in table {
            assert_eq!(Error::Api(Box::new(api_error(status, ""))).kind(), kind, "{status}");
        }
    }

    #[test]
    fn display_is_one_line_for_every_body_shape() {
        let cases = [
            (
                r#"{"error":"invalid_grant","error_description":"code\nexpired"}"#,
                "Op failed with 400 Bad Request: invalid_grant (code expired)",
            ),
            (
                concat!(
                    r#"{"errors":[{"code":10009,"title":"Authentication failed","detail":"The API key is wrong"},"#,
                    r#"{"title":"x"}]}"#
                ),
                "Op failed with 400 Bad Request: 10009 Authentication failed (The API key is wrong) and 1 more",
            ),
            ("<html>\n<body>Bad gateway</body></html>", "Op failed with 400 Bad Request: 38 bytes of HTML or XML"),
            (r#"{"message":"nope"}"#, "Op failed with 400 Bad Request: nope"),
            ("plain\ttext", "Op failed with 400 Bad Request: plain text"),
            ("", "Op failed with 400 Bad Request"),
        ];
        for (body, expected) in cases {
            assert_eq!(api_error(400, body).to_string(), expected);
        }
    }

    #[test]
    fn error_object_codes_may_be_numbers() {
        let e = api_error(401, r#"{"errors":[{"code":"10009"},{"code":10010},{"code":null}]}"#);
        let codes: Vec<_> = e.errors().iter().map(|e| e.code.clone()).collect();
        assert_eq!(codes, [Some("10009".to_owned()), Some("10010".to_owned()), None]);
    }
}
