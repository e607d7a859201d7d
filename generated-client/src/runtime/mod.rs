//! The hand-written runtime that generated operations call.
//!
//! Nothing in this folder is specific to one API: `cargo xtask generate` copies it verbatim
//! into every standalone crate it writes, so it must only depend on what the generated code
//! passes in (`ApiInfo`, `Operation`, `RequestParts`).

mod client;
mod error;
mod multipart;
mod pagination;
mod redact;
mod request;
mod response;
mod retry;
mod secret;

pub use client::{ApiInfo, BearerSource, Client, ClientAuthMethod, ClientBuilder, ClientCredentials, RequestOptions};
pub use error::{ApiError, Error, ErrorBody, ErrorKind, OAuthErrorBody, Result, TelnyxError};
pub use multipart::{multipart, Part};
pub use pagination::{items, pages, Page, PageData, PageFuture, Paginated};
pub use request::{encode_path_segment, push_nested, Auth, Body, Operation, QueryValue, RequestParts};
pub use response::{ApiResponse, RawResponse};
pub use retry::{MAX_RETRY_AFTER, RETRY_COUNT_HEADER};
pub use secret::Secret;
