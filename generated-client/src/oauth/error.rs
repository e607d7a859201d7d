use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use crate::runtime::{headers_for_debug, one_line, redact_secrets, ApiError, Error, ErrorBody};

/// `Result` with [`OAuthError`].
pub type OAuthResult<T> = std::result::Result<T, OAuthError>;

/// Everything that can go wrong in an OAuth flow helper.
///
/// Neither `Display` nor `Debug` shows a token or secret: bodies are quoted only in part, with
/// the values of members named like secrets (JSON or form-encoded) redacted.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// The authorization server redirected back with an error (RFC 6749 §4.1.2.1).
    #[error("{0}")]
    Authorization(AuthorizationError),
    /// The `state` in the callback is missing or is not the one sent: the redirect may be forged
    /// (CSRF), so its code must not be used.
    #[error("the callback's `state` does not match the one sent with the authorization request")]
    StateMismatch,
    /// The callback's `iss` parameter (RFC 9207) names another authorization server.
    #[error("the callback comes from issuer `{}`, expected `{expected}`", one_line(found, 200))]
    CallbackIssuerMismatch {
        /// The issuer the request was sent to.
        expected: String,
        /// The `iss` parameter of the callback.
        found: String,
    },
    /// The callback has no `iss` parameter although the server's metadata says it sends one
    /// (`authorization_response_iss_parameter_supported`, RFC 9207 §2.4): it may come from
    /// another authorization server (mix-up attack).
    #[error("the callback has no `iss` parameter, but issuer `{expected}` always sends one")]
    CallbackIssuerMissing {
        /// The issuer the request was sent to.
        expected: String,
    },
    /// The callback URL cannot be read, or has neither `code` nor `error`.
    #[error("invalid callback: {0}")]
    InvalidCallback(String),
    /// The token (or introspection / revocation) endpoint answered with an OAuth error
    /// (RFC 6749 §5.2).
    #[error("{0}")]
    Token(Box<TokenError>),
    /// An endpoint answered with a status or body that is not an OAuth response.
    #[error("unexpected {status} response from {endpoint} (body starts: {excerpt:?})", excerpt = excerpt(body))]
    UnexpectedResponse {
        /// The URL called.
        endpoint: String,
        /// The status received.
        status: StatusCode,
        /// The raw body.
        body: Bytes,
    },
    /// The discovered metadata names another issuer than the one expected (RFC 8414 §3.3,
    /// RFC 9728 §3.3): it must not be used.
    #[error("metadata at {url} names issuer/resource `{found}`, expected `{expected}`")]
    IssuerMismatch {
        /// The expected issuer (or resource) identifier.
        expected: String,
        /// The identifier in the document.
        found: String,
        /// Where the document came from.
        url: String,
    },
    /// Something needed is not configured (an endpoint, credentials, a refresh token).
    #[error("OAuth configuration: {0}")]
    Config(String),
    /// The request could not be sent or did not finish (connection, timeout).
    #[error(transparent)]
    Http(#[from] Error),
    /// A JWT failed local verification.
    #[error("{0}")]
    Jwt(JwtError),
    /// A token refresh failed; every caller waiting on that refresh gets the same error.
    #[error("token refresh failed: {0}")]
    RefreshFailed(Arc<OAuthError>),
    /// The device flow's codes expired by this client's clock (their `expires_in` passed)
    /// before the user approved (RFC 8628 §3.5); start again.
    #[error("the device code expired after {expires_in} s before the user approved")]
    DeviceCodeExpired {
        /// The lifetime the server gave the codes, in seconds.
        expires_in: u64,
    },
    /// The operating system's random number generator failed, so no PKCE verifier or `state`
    /// could be drawn; the message is the generator's.
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
}

impl OAuthError {
    /// The HTTP status, if the failure is a server answer.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            OAuthError::Token(t) => Some(t.status),
            OAuthError::UnexpectedResponse { status, .. } => Some(*status),
            OAuthError::Http(e) => e.status(),
            OAuthError::RefreshFailed(inner) => inner.status(),
            _ => None,
        }
    }

    /// The OAuth error of a token endpoint response, looking through [`OAuthError::RefreshFailed`].
    pub fn token_error(&self) -> Option<&TokenError> {
        match self {
            OAuthError::Token(t) => Some(t),
            OAuthError::RefreshFailed(inner) => inner.token_error(),
            _ => None,
        }
    }
}

/// The start of a body, on one line, secrets redacted.
fn excerpt(body: &Bytes) -> String {
    let head = body.get(..body.len().min(400)).unwrap_or(body);
    one_line(&redact_secrets(&String::from_utf8_lossy(head)), 200)
}

impl fmt::Debug for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OAuthError::Authorization(e) => f.debug_tuple("Authorization").field(e).finish(),
            OAuthError::StateMismatch => f.write_str("StateMismatch"),
            OAuthError::CallbackIssuerMismatch { expected, found } => f
                .debug_struct("CallbackIssuerMismatch")
                .field("expected", expected)
                .field("found", &one_line(found, 200))
                .finish(),
            OAuthError::CallbackIssuerMissing { expected } => {
                f.debug_struct("CallbackIssuerMissing").field("expected", expected).finish()
            }
            OAuthError::InvalidCallback(m) => f.debug_tuple("InvalidCallback").field(m).finish(),
            OAuthError::Token(t) => f.debug_tuple("Token").field(t).finish(),
            OAuthError::UnexpectedResponse { endpoint, status, body } => f
                .debug_struct("UnexpectedResponse")
                .field("endpoint", endpoint)
                .field("status", status)
                .field("body_len", &body.len())
                .field("body_starts", &excerpt(body))
                .finish(),
            OAuthError::IssuerMismatch { expected, found, url } => f
                .debug_struct("IssuerMismatch")
                .field("expected", expected)
                .field("found", &one_line(found, 200))
                .field("url", url)
                .finish(),
            OAuthError::Config(m) => f.debug_tuple("Config").field(m).finish(),
            OAuthError::Http(e) => f.debug_tuple("Http").field(e).finish(),
            OAuthError::Jwt(e) => f.debug_tuple("Jwt").field(e).finish(),
            OAuthError::RefreshFailed(e) => f.debug_tuple("RefreshFailed").field(e).finish(),
            OAuthError::DeviceCodeExpired { expires_in } => {
                f.debug_struct("DeviceCodeExpired").field("expires_in", expires_in).finish()
            }
            OAuthError::Random(e) => f.debug_tuple("Random").field(e).finish(),
        }
    }
}

/// The error codes of an authorization response (RFC 6749 §4.1.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthorizationErrorCode {
    /// The resource owner or the server denied the request.
    AccessDenied,
    /// The request is missing a parameter or is otherwise malformed.
    InvalidRequest,
    /// The client may not request a code this way.
    UnauthorizedClient,
    /// The server does not support obtaining a code this way.
    UnsupportedResponseType,
    /// The requested scope is invalid, unknown or malformed.
    InvalidScope,
    /// The server met an unexpected condition.
    ServerError,
    /// The server is temporarily overloaded or under maintenance.
    TemporarilyUnavailable,
    /// A code this library does not know, kept as sent.
    Other(String),
}

impl AuthorizationErrorCode {
    /// Reads a code as sent in the `error` parameter.
    pub fn parse(code: &str) -> Self {
        match code {
            "access_denied" => Self::AccessDenied,
            "invalid_request" => Self::InvalidRequest,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_response_type" => Self::UnsupportedResponseType,
            "invalid_scope" => Self::InvalidScope,
            "server_error" => Self::ServerError,
            "temporarily_unavailable" => Self::TemporarilyUnavailable,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The code as sent on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::AccessDenied => "access_denied",
            Self::InvalidRequest => "invalid_request",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope => "invalid_scope",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for AuthorizationErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error redirect from the authorization endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthorizationError {
    /// The `error` code.
    pub code: AuthorizationErrorCode,
    /// The `error_description` parameter.
    pub description: Option<String>,
    /// The `error_uri` parameter.
    pub uri: Option<String>,
}

impl fmt::Display for AuthorizationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "authorization failed: {}", one_line(self.code.as_str(), 100))?;
        if let Some(d) = &self.description {
            write!(f, " ({})", one_line(d, 200))?;
        }
        Ok(())
    }
}

/// The error codes of a token endpoint response (RFC 6749 §5.2), plus the introspection and
/// revocation ones.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenErrorCode {
    /// The request is missing a parameter or is otherwise malformed.
    InvalidRequest,
    /// Client authentication failed.
    InvalidClient,
    /// The code, refresh token or credentials are invalid, expired or revoked, or the redirect
    /// URI or PKCE verifier do not match.
    InvalidGrant,
    /// The client may not use this grant type.
    UnauthorizedClient,
    /// The server does not support this grant type.
    UnsupportedGrantType,
    /// The requested scope is invalid or exceeds the granted one.
    InvalidScope,
    /// The token type cannot be revoked (RFC 7009).
    UnsupportedTokenType,
    /// A code this library does not know, kept as sent.
    Other(String),
}

impl TokenErrorCode {
    /// Reads a code as sent in the `error` member.
    pub fn parse(code: &str) -> Self {
        match code {
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "invalid_grant" => Self::InvalidGrant,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "invalid_scope" => Self::InvalidScope,
            "unsupported_token_type" => Self::UnsupportedTokenType,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The code as sent on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::UnsupportedTokenType => "unsupported_token_type",
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for TokenErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An OAuth error response (`{"error": ..., "error_description": ...}`) from a token,
/// introspection or revocation endpoint, with the status, headers and raw body kept.
///
/// `Debug` shows header values except credential ones and the start of the body with secrets
/// redacted; both it and `Display` cut the description short.
#[derive(Clone)]
#[non_exhaustive]
pub struct TokenError {
    /// The URL called.
    pub endpoint: String,
    /// The response status (400 or 401 usually).
    pub status: StatusCode,
    /// The `error` code.
    pub code: TokenErrorCode,
    /// The `error_description` member.
    pub description: Option<String>,
    /// The `error_uri` member.
    pub uri: Option<String>,
    /// The response headers.
    pub headers: HeaderMap,
    /// The raw body.
    pub body: Bytes,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} answered {}: {}", self.endpoint, self.status, one_line(self.code.as_str(), 100))?;
        if let Some(d) = &self.description {
            write!(f, " ({})", one_line(&redact_secrets(d), 200))?;
        }
        Ok(())
    }
}

impl fmt::Debug for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenError")
            .field("endpoint", &self.endpoint)
            .field("status", &self.status)
            .field("code", &one_line(self.code.as_str(), 100))
            .field("description", &self.description.as_deref().map(|d| one_line(&redact_secrets(d), 300)))
            .field("uri", &self.uri.as_deref().map(|u| one_line(u, 200)))
            .field("headers", &headers_for_debug(&self.headers))
            .field("body_starts", &excerpt(&self.body))
            .finish()
    }
}

#[cfg_attr(feature = "jwt", doc = "Why a JWT was rejected by [`JwtVerifier`](super::JwtVerifier).")]
#[cfg_attr(not(feature = "jwt"), doc = "Why a JWT was rejected by `JwtVerifier` (feature `jwt`).")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtError {
    /// The token is not a well-formed JWT, or its header is unusable.
    Malformed(String),
    /// The header's `alg` is not among the allowed algorithms (or does not fit the key).
    DisallowedAlgorithm(String),
    /// No key in the JWK set has the token's `kid`, even after refetching the set.
    UnknownKey(Option<String>),
    /// The signature does not verify with the key.
    InvalidSignature,
    /// `exp` is in the past.
    Expired,
    /// `nbf` is in the future.
    NotYetValid,
    /// `aud` does not contain the expected audience.
    InvalidAudience,
    /// `iss` is not the expected issuer.
    InvalidIssuer,
    /// A required claim (`exp`, `iss`, `aud`) is missing.
    MissingClaim(String),
    /// Some other validation failure reported by the JWT library.
    Invalid(String),
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JwtError::Malformed(m) => write!(f, "malformed JWT: {m}"),
            JwtError::DisallowedAlgorithm(a) => write!(f, "JWT algorithm {a} is not allowed"),
            JwtError::UnknownKey(Some(kid)) => write!(f, "no JWK with kid `{kid}`"),
            JwtError::UnknownKey(None) => f.write_str("JWT has no kid and no single key fits"),
            JwtError::InvalidSignature => f.write_str("JWT signature is invalid"),
            JwtError::Expired => f.write_str("JWT has expired"),
            JwtError::NotYetValid => f.write_str("JWT is not valid yet (nbf)"),
            JwtError::InvalidAudience => f.write_str("JWT audience does not match"),
            JwtError::InvalidIssuer => f.write_str("JWT issuer does not match"),
            JwtError::MissingClaim(c) => write!(f, "JWT lacks the required claim `{c}`"),
            JwtError::Invalid(m) => write!(f, "invalid JWT: {m}"),
        }
    }
}

/// An OAuth failure seen through the runtime's error type, for [`BearerSource`](crate::runtime::BearerSource):
/// token endpoint errors become [`Error::Api`] (status and body kept), timeouts
/// [`Error::Timeout`], the rest [`Error::InvalidInput`] with the message.
pub(crate) fn to_runtime_error(e: &OAuthError) -> Error {
    match e {
        OAuthError::RefreshFailed(inner) => to_runtime_error(inner),
        OAuthError::Token(t) => Error::Api(Box::new(ApiError {
            operation: "OAuthTokenRequest",
            status: t.status,
            headers: t.headers.clone(),
            body: t.body.clone(),
            parsed: ErrorBody::parse(&t.body),
            attempts: 1,
        })),
        OAuthError::UnexpectedResponse { status, body, .. } => Error::Api(Box::new(ApiError {
            operation: "OAuthTokenRequest",
            status: *status,
            headers: HeaderMap::new(),
            body: body.clone(),
            parsed: ErrorBody::parse(body),
            attempts: 1,
        })),
        OAuthError::Http(Error::Timeout) => Error::Timeout,
        other => Error::InvalidInput(format!("could not obtain an OAuth access token: {other}")),
    }
}

impl From<OAuthError> for Error {
    fn from(e: OAuthError) -> Self {
        match e {
            OAuthError::Http(inner) => inner,
            other => to_runtime_error(&other),
        }
    }
}
