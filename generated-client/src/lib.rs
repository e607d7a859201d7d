//! A Rust client for Telnyx's OAuth 2.0 API: discovery, authorization code with PKCE, client
//! credentials, refresh, introspection, JWKS, dynamic client registration, OAuth clients and
//! grants.
//!
//! ```no_run
//! use telnyx_oauth::{models::ClientType, Client, StatusCode, TryStreamExt};
//!
//! # async fn run() -> telnyx_oauth::Result<()> {
//! let client = Client::from_env()?; // TELNYX_API_KEY
//! let meta = client.get_oauth_authorization_server_metadata().await?;
//! println!("token endpoint: {:?}", meta.token_endpoint);
//!
//! let mut all = client.list_oauth_clients().client_type(ClientType::Confidential).page_size(50).items();
//! while let Some(c) = all.try_next().await? {
//!     println!("{} {}", c.client_id, c.name);
//! }
//!
//! match client.get_oauth_client("550e8400-e29b-41d4-a716-446655440000").await {
//!     Err(e) if e.status() == Some(StatusCode::NOT_FOUND) => println!("no such client"),
//!     other => {
//!         other?;
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! The `models` and `operations` modules are generated from `spec/` by `cargo xtask regen`;
//! `runtime` is the hand-written HTTP layer they call.
//!
//! # Cargo features
//!
//! - `oauth` (default): the `oauth` module's flow helpers (PKCE, authorization URL and
//!   callback, token requests, token source, discovery, introspection, revocation).
//! - `jwt` (opt-in, implies `oauth`): `oauth::JwtVerifier` and `oauth::JwksCache`, JWT
//!   verification against the server's JWK set. It compiles RSA, ECDSA and Ed25519
//!   cryptography, which only token verifiers need.
//! - `rustls-webpki-roots` (default): HTTPS with rustls and the Mozilla roots compiled in (webpki-roots).
//! - `rustls-native-roots`: HTTPS with rustls and the operating system's root certificates.
//!
//! With neither TLS feature the client speaks plain HTTP only (`https://` URLs fail to
//! connect). The generated operations and the runtime need no feature.
#![forbid(unsafe_code)]

#[rustfmt::skip] // rendered by the generator; `cargo xtask check` guards it
mod generated;
#[cfg(feature = "oauth")]
pub mod oauth;
mod oauth_types;
pub mod runtime;

pub use generated::{models, operations};
pub use runtime::{
    ApiError, ApiResponse, Client, ClientAuthMethod, ClientBuilder, ClientCredentials, Error, ErrorBody, ErrorKind,
    Page, RequestOptions, Result, Secret,
};
pub use runtime::{DecodeError, OperationError};

/// The status code type used by [`Error::status`].
pub use reqwest::StatusCode;

/// `try_next` and friends for the streams returned by `.items()` and `.pages()`.
pub use futures::{StreamExt, TryStreamExt};

/// The README's Rust examples, compiled as doctests so they stay true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
