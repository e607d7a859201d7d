//! The hand-written runtime that generated operations call.
//!
//! Nothing in this folder is specific to one API: `cargo xtask generate` copies it verbatim
//! into every standalone crate it writes, so it must only depend on what the generated code
//! passes in (`ApiInfo`, `Operation`, `RequestParts`) and on the dependencies every generated
//! crate lists.
//!
//! # Retries
//!
//! Every operation is retried up to [`ClientBuilder::max_retries`] times (default 2; per request
//! with `.max_retries(n)`, which sets [`RequestOptions::max_retries`]) after:
//!
//! - a response with `x-should-retry: true`, or, without that header, 408, 409, 429 or any 5xx
//!   (`x-should-retry: false` prevents the retry);
//! - a connection error (refused, reset, closed in the middle of the response) or a timeout.
//!
//! Between attempts the client waits what `retry-after-ms` or `retry-after` (seconds or an HTTP
//! date) asks for when that is more than 0 and at most 60 s ([`MAX_RETRY_AFTER`]), otherwise
//! `min(0.5 s · 2ⁿ, 8 s)` less up to 25 % jitter ([`ClientBuilder::retry_backoff`]). Each attempt
//! carries [`RETRY_COUNT_HEADER`] (`x-retry-count: 0` on the first, then the number of retries
//! before it) and gets a fresh token from a [`BearerSource`]. [`RawResponse::attempts`] tells how
//! many attempts a response took.
//!
//! **Exception:** an OAuth authorization-code exchange (a form or JSON body with
//! `grant_type=authorization_code`) is retried only when the connection could not be opened, so
//! the code provably never reached the server. A code is single-use: sending it again would fail
//! with `invalid_grant`, or make the server revoke the tokens the first attempt issued.
//!
//! # Errors
//!
//! One [`Error`] type; [`Error::kind`] gives an [`ErrorKind`] (`BadRequest`, `Unauthorized`,
//! `Forbidden`, `NotFound`, `Conflict`, `UnprocessableEntity`, `RateLimited`, `Server`, `Other`
//! for error statuses; `Connection`, `Timeout`, `Decode`, `InvalidInput` otherwise). API errors
//! ([`ApiError`]) keep the status, headers, request id, raw body and the body parsed as an OAuth
//! or Telnyx-style error, or decode it into an operation's own schema with [`ApiError::decode`].
//!
//! # Secrets
//!
//! API keys, client secrets, tokens and code verifiers are [`Secret`]s and never appear in
//! `Debug` output, `Display` of errors, or `tracing` events: errors carry no URLs (which could
//! hold a key in their query), decode errors redact `access_token`-like members of the body they
//! quote, and credential headers are marked sensitive. Each call is a `request` span (operation
//! id, method, path template) with an event per attempt (attempt, status, elapsed time).

mod client;
mod error;
mod macros;
mod multipart;
mod pagination;
mod redact;
mod request;
mod response;
mod retry;
mod secret;

pub use client::{ApiInfo, BearerSource, Client, ClientAuthMethod, ClientBuilder, ClientCredentials, RequestOptions};
pub use error::{ApiError, Error, ErrorBody, ErrorKind, OAuthErrorBody, Result, TelnyxError};
#[allow(unused_imports)]
pub(crate) use macros::{request_builder, string_enum};
pub use multipart::{multipart, Part};
pub use pagination::{items, pages, Page, PageData, PageFuture, Paginated};
pub use request::{
    append_encoded_query, encode_path_segment, json_text, path_styled, push_nested, Auth, Body, Operation, PathStyle,
    QueryValue, RequestParts,
};
pub use response::{ApiResponse, RawResponse};
pub use retry::{MAX_RETRY_AFTER, RETRY_COUNT_HEADER};
pub use secret::Secret;
