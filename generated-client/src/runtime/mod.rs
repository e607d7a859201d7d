//! The hand-written runtime that generated operations call.
//!
//! Nothing in this folder is specific to one API: `cargo xtask generate` copies it verbatim
//! into every standalone crate it writes, so it must only depend on what the generated code
//! passes in (`ApiInfo`, `Operation`, `RequestParts`) and on the dependencies every generated
//! crate lists.
//!
//! # Retries
//!
//! A call is retried up to [`ClientBuilder::max_retries`] times (default 2; per request with
//! `.max_retries(n)`, which sets [`RequestOptions::max_retries`]). What is retried depends on
//! whether the request may already have reached the server:
//!
//! - a failure before the request was sent (connection refused, DNS, connect timeout) is always
//!   retried;
//! - a request that is safe to repeat — an idempotent method (GET, HEAD, PUT, DELETE, OPTIONS,
//!   TRACE) or a token request (form or JSON body) with `grant_type=client_credentials` — is also
//!   retried after a connection error or timeout, and after a response with
//!   `x-should-retry: true`, or, without that header, 408, 409, 429 or any 5xx
//!   (`x-should-retry: false` prevents the retry);
//! - any other request (POST, PATCH) is retried only when the server says it was not acted on:
//!   `x-should-retry: true`, or 429 without `x-should-retry: false`;
//! - a token request with any other grant (`authorization_code`, `refresh_token`, an
//!   assertion) carries a single-use credential and is never sent again once it may have
//!   reached the server, whatever the answer.
//!
//! [`RequestOptions::idempotent`] (`.idempotent(b)` on request builders) overrides the rule for
//! one request: `true` retries it like an idempotent request, `false` like a POST. Failures that
//! would repeat identically are not retried: [`Error::ResponseTooLarge`] and
//! [`Error::Protocol`].
//!
//! Between attempts the client waits what `retry-after-ms` or `retry-after` (seconds or an HTTP
//! date) asks for when that is more than 0 and at most 60 s ([`MAX_RETRY_AFTER`]), otherwise
//! `min(0.5 s · 2ⁿ, 8 s)` less up to 25 % jitter ([`ClientBuilder::retry_backoff`]). Each attempt
//! carries [`RETRY_COUNT_HEADER`] (`x-retry-count: 0` on the first, then the number of retries
//! before it) and gets a fresh token from a [`BearerSource`]. [`RawResponse::attempts`],
//! [`ApiResponse::attempts`] and [`ApiError::attempts`] tell how many attempts a call took.
//! [`ClientBuilder::total_timeout`] (per request [`RequestOptions::total_timeout`]) bounds the
//! whole call.
//!
//! # Limits and redirects
//!
//! Response bodies are read chunk by chunk and may not exceed
//! [`ClientBuilder::max_response_bytes`] (default [`DEFAULT_MAX_RESPONSE_BYTES`], 16 MiB; per
//! request [`RequestOptions::max_response_bytes`]): a larger `content-length` fails the call
//! before the body is read, a body without one as soon as the bytes read pass the limit, with
//! [`Error::ResponseTooLarge`]. Redirects are never followed, also with a caller-supplied
//! [`ClientBuilder::http_client`]: a `3xx` is the response, so credentials never travel to an
//! origin the operation was not sent to. Headers that frame the message (`content-length`,
//! `host`, `transfer-encoding`, `connection`, ...) cannot be set by callers.
//!
//! # Errors
//!
//! One [`Error`] type; [`Error::kind`] gives an [`ErrorKind`] (`BadRequest`, `Unauthorized`,
//! `Forbidden`, `NotFound`, `Conflict`, `UnprocessableEntity`, `RateLimited`, `Server`, `Other`
//! for error statuses; `Connection`, `Timeout`, `Decode`, `ResponseTooLarge`, `Protocol`,
//! `InvalidInput` otherwise). API errors
//! ([`ApiError`]) keep the status, headers, request id, raw body and the body parsed as an OAuth
//! or JSON:API-style `{"errors": [...]}` error, or decode it into an operation's own schema with [`ApiError::decode`].
//!
//! # Secrets
//!
//! API keys, client secrets, tokens and code verifiers are [`Secret`]s and never appear in
//! `Debug` output, `Display` of errors, or `tracing` events: errors carry no URLs (which could
//! hold a key in their query), bodies quoted in errors are cut short and have the values of
//! `access_token`-like members redacted (JSON and form-encoded bodies alike), `Debug` of
//! responses and errors shows credential headers (`authorization`, `set-cookie`, ...) as
//! `<redacted>` and stays a few kilobytes whatever the server sent, and credential headers are
//! marked sensitive. Each call is a `request` span (operation id, method, path template) with an
//! event per attempt (attempt, status, elapsed time).
#![warn(clippy::unwrap_used, clippy::expect_used)]

mod builder;
mod client;
mod client_auth;
#[doc(hidden)]
pub mod de;
mod error;
mod macros;
mod multipart;
mod options;
mod pagination;
mod prepare;
mod redact;
mod request;
mod response;
mod retry;
mod secret;
mod send;
#[doc(hidden)]
pub mod ser;
mod urls;

pub use builder::{ClientBuilder, DEFAULT_ACCEPT, DEFAULT_MAX_RESPONSE_BYTES};
// Plumbing for generated code: public so that generated crates can use it, hidden from the docs.
#[doc(hidden)]
pub use builder::ApiInfo;
pub use client::{BearerSource, Client};
pub use client_auth::{ClientAuthMethod, ClientCredentials};
pub use error::{
    ApiError, DecodeError, DocumentedError, Error, ErrorBody, ErrorKind, ErrorObject, OAuthErrorBody, OperationError,
    Result,
};
#[allow(unused_imports)]
pub(crate) use macros::{request_builder, string_enum};
#[doc(hidden)]
pub use multipart::{multipart, Part};
pub use options::RequestOptions;
#[doc(hidden)]
pub use pagination::{items, pages, PageData, PageFuture, Paginated};
pub use pagination::{Page, PageCall};
pub use request::QueryValue;
#[doc(hidden)]
pub use request::{
    append_encoded_query, encode_path_segment, json_text, path_styled, push_nested, Auth, Body, Operation, PathStyle,
    RequestParts,
};
// For the crate's own helpers (the `oauth` module of this crate); unused in standalone crates.
#[allow(unused_imports)]
pub(crate) use redact::{one_line, redact_secrets, url_for_display};
#[allow(unused_imports)]
pub(crate) use response::headers_for_debug;
#[doc(hidden)]
pub use response::RawResponse;
pub use response::{ApiResponse, Envelope};
pub use retry::{MAX_RETRY_AFTER, RETRY_COUNT_HEADER};
pub use secret::Secret;
pub use send::Call;
