//! OAuth 2.0 flows as first-class helpers: PKCE, the authorization URL and callback, token
//! requests, a self-renewing token source, discovery, introspection, revocation and JWT
//! verification against the server's JWK set.
//!
//! This module needs the `oauth` feature (on by default); JWT verification (`JwtVerifier`,
//! `JwksCache`) needs `jwt` (opt-in), which brings the signature cryptography.
//!
//! Everything here works with any RFC 6749 / RFC 8414 authorization server: endpoints come from
//! an [`AuthServer`], either the defaults under the client's base URL
//! ([`DEFAULT_BASE_URL`]`/oauth/token` etc., or under `TELNYX_BASE_URL`) or RFC 8414 discovery.
//! Every request goes through the [`Client`](crate::Client)'s runtime, like a generated
//! operation: same user agent and default headers, retry rule, size limit, redirect rule
//! (none followed), tracing span and redacted errors.
//!
//! Authorization code with PKCE:
//!
//! ```no_run
//! # async fn run(redirected_to: &str) -> telnyx_oauth::oauth::OAuthResult<()> {
//! use telnyx_oauth::{oauth::OAuth, Client};
//!
//! let client = Client::from_env()?; // TELNYX_CLIENT_ID, TELNYX_CLIENT_SECRET
//! let oauth = OAuth::from_client(&client)?;
//! let (url, pending) = oauth.authorization_request("http://127.0.0.1:8765/callback")?.scope("admin").build()?;
//! println!("open {url} in a browser");
//! // ... the browser comes back to http://127.0.0.1:8765/callback?code=...&state=...
//! let code = pending.callback(redirected_to)?; // checks `state`
//! let tokens = oauth.exchange_code(&code, &pending).await?;
//! let source = oauth.token_source(tokens); // renews with the refresh token
//! let api = source.client()?; // a Client authenticated by the token source
//! # Ok(()) }
//! ```
//!
//! Client credentials:
//!
//! ```no_run
//! # async fn run() -> telnyx_oauth::oauth::OAuthResult<()> {
//! use telnyx_oauth::oauth::TokenSource;
//! let api = TokenSource::from_env()?.client()?;
//! # Ok(()) }
//! ```
//!
//! The device authorization grant (RFC 8628), for CLIs and devices without a browser:
//!
//! ```no_run
//! # async fn run(oauth: telnyx_oauth::oauth::OAuth) -> telnyx_oauth::oauth::OAuthResult<()> {
//! let device = oauth.start_device_authorization(&["openid"]).await?;
//! println!("go to {} and enter {}", device.verification_uri, device.user_code);
//! let tokens = oauth.poll_device_token(&device).await?; // paced by `interval` and `slow_down`
//! let source = oauth.token_source(tokens);
//! # Ok(()) }
//! ```
#![warn(clippy::unwrap_used, clippy::expect_used)]

mod authorize;
mod device;
mod error;
mod flow;
mod http;
#[cfg(feature = "jwt")]
mod jwks;
mod pkce;
mod server;
mod token_source;

pub use authorize::{parse_callback, AuthorizationCode, AuthorizationRequest, PendingAuthorization};
pub use device::{DeviceAuthorization, DEFAULT_DEVICE_POLL_INTERVAL, DEVICE_CODE_GRANT_TYPE, SLOW_DOWN_INCREMENT};
pub use error::{
    AuthorizationError, AuthorizationErrorCode, JwtError, OAuthError, OAuthResult, TokenError, TokenErrorCode,
};
pub use flow::{credentials_from_env, revoke_grant, OAuth, CLIENT_AUTH_METHOD_ENV};
#[cfg(feature = "jwt")]
pub use jwks::{JwksCache, JwtClaims, JwtVerifier, DEFAULT_JWKS_MAX_AGE, DEFAULT_MIN_REFETCH_INTERVAL};
pub use pkce::{pkce_challenge, Pkce};
pub use server::{well_known_url, AuthServer, DEFAULT_BASE_URL};
pub use token_source::{TokenSource, DEFAULT_REFRESH_SKEW};

/// The OAuth concepts the generated operations use too, one type each: `models::TokenResponse`
/// and `oauth::TokenResponse` are the same type (see `spec/replacements.yaml`).
pub use crate::oauth_types::{
    AuthorizationServerMetadata, Introspection, Jwk, JwkSet, PkceMethod, ProtectedResourceMetadata, TokenResponse,
};
/// JWT signature algorithms, as used by [`JwtVerifier::algorithms`].
#[cfg(feature = "jwt")]
pub use jsonwebtoken::Algorithm;

/// Client credentials and how they are presented, shared with the runtime.
pub use crate::runtime::{ClientAuthMethod, ClientCredentials};
