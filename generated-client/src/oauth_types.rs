//! The OAuth concepts shared by the generated operations and the OAuth helpers, one type each
//! (issue 9). `spec/replacements.yaml` makes the generator use these for the spec's schemas
//! (`models::TokenResponse` is this module's `TokenResponse`), and `oauth` re-exports them.
//! Always compiled: generated code refers to them whatever features are on, so nothing here
//! depends on `jsonwebtoken` or the `oauth` feature.
//!
//! Each type decodes everything its schema describes, plus what other RFC 6749 / 8414 / 7662 /
//! 9728 servers send: members a type does not name are kept in `extra`.
#![warn(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use serde::{Deserialize, Deserializer, Serialize};

use crate::runtime::Secret;

/// `null` decodes as the empty value (forward-compatible decoding of lists a server may send as
/// `null`).
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A successful token response (RFC 6749 §5.1). Tokens never show in `Debug` output.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "RawTokenResponse")]
#[non_exhaustive]
pub struct TokenResponse {
    /// The access token.
    pub access_token: Secret,
    /// The token type, normally `Bearer`.
    pub token_type: String,
    /// Lifetime in seconds from the response.
    pub expires_in: Option<u64>,
    /// The refresh token, if one was issued.
    pub refresh_token: Option<Secret>,
    /// The granted scope, if the server says.
    pub scope: Option<String>,
    /// An OpenID Connect ID token, if any.
    pub id_token: Option<Secret>,
    /// Other members.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// When the request was sent (lifetimes count from here, to err on the early side).
    pub issued_at: Instant,
}

impl TokenResponse {
    /// A `Bearer` token response issued now, with no lifetime, refresh token, scope or ID token
    /// (set them with the `with_*` methods). For restoring tokens an application stored, e.g.
    // The links need the `oauth` feature; without it the same sentence is plain text.
    #[cfg_attr(
        feature = "oauth",
        doc = "to build a [`TokenSource`](crate::oauth::TokenSource) with \
               [`TokenSource::from_tokens`](crate::oauth::TokenSource::from_tokens)."
    )]
    #[cfg_attr(
        not(feature = "oauth"),
        doc = "to build an `oauth::TokenSource` with `TokenSource::from_tokens` (feature `oauth`)."
    )]
    pub fn bearer(access_token: impl Into<Secret>) -> Self {
        Self {
            access_token: access_token.into(),
            token_type: "Bearer".to_owned(),
            expires_in: None,
            refresh_token: None,
            scope: None,
            id_token: None,
            extra: serde_json::Map::new(),
            issued_at: Instant::now(),
        }
    }

    /// Sets the lifetime in seconds, counted from [`TokenResponse::issued_at`].
    pub fn with_expires_in(mut self, seconds: u64) -> Self {
        self.expires_in = Some(seconds);
        self
    }

    /// Sets the refresh token.
    pub fn with_refresh_token(mut self, refresh_token: impl Into<Secret>) -> Self {
        self.refresh_token = Some(refresh_token.into());
        self
    }

    /// Sets the granted scope (space-separated).
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Sets when the token was issued (lifetimes count from here).
    pub fn with_issued_at(mut self, issued_at: Instant) -> Self {
        self.issued_at = issued_at;
        self
    }

    /// When the access token expires, if the server gave a lifetime.
    /// A lifetime too long to represent (a server sending `expires_in: 1e19`) counts as no
    /// expiry rather than overflowing.
    pub fn expires_at(&self) -> Option<Instant> {
        self.expires_in.and_then(|s| self.issued_at.checked_add(Duration::from_secs(s)))
    }
}

#[derive(Deserialize)]
struct RawTokenResponse {
    access_token: String,
    token_type: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    id_token: Option<String>,
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

impl From<RawTokenResponse> for TokenResponse {
    /// `issued_at` is the time of decoding; the OAuth helpers set it to when the request was
    /// sent.
    fn from(raw: RawTokenResponse) -> Self {
        let sent_at = Instant::now();
        let this = raw;
        // Some servers send the lifetime as a string.
        let expires_in = match this.expires_in {
            Some(serde_json::Value::Number(n)) => n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0) as u64)),
            Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        Self {
            access_token: Secret::new(this.access_token),
            token_type: this.token_type,
            expires_in,
            refresh_token: this.refresh_token.map(Secret::new),
            scope: this.scope,
            id_token: this.id_token.map(Secret::new),
            extra: this.extra,
            issued_at: sent_at,
        }
    }
}

/// A token introspection response (RFC 7662 §2.2). Members this type does not name are in
/// `extra`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct Introspection {
    /// Whether the token is active. An inactive token has no other members to rely on.
    pub active: bool,
    /// Its scopes, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The client it was issued to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The resource owner's user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Its type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Expiry (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// Issue time (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Not-before time (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// The subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// The audience: a string or an array of strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<serde_json::Value>,
    /// The issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The token identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Every other member.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
/// Authorization server metadata (RFC 8414 §2). Members this type does not name are kept in
/// `extra`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct AuthorizationServerMetadata {
    /// The issuer identifier. Required by RFC 8414 and checked by discovery; empty when a
    /// document leaves it out.
    #[serde(default)]
    pub issuer: String,
    /// Where the browser is sent to authorize.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    /// Where codes, refresh tokens and client credentials are exchanged for tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// The JWK set used to sign tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// Dynamic client registration (RFC 7591).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    /// Supported scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// Supported `response_type` values.
    #[serde(default, deserialize_with = "null_as_default")]
    pub response_types_supported: Vec<String>,
    /// Supported grant types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types_supported: Option<Vec<String>>,
    /// Supported client authentication methods at the token endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// Token revocation (RFC 7009).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    /// Token introspection (RFC 7662).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<String>,
    /// Supported PKCE methods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// Whether authorization responses carry `iss` (RFC 9207).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_response_iss_parameter_supported: Option<bool>,
    /// The device authorization endpoint (RFC 8628 §4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_authorization_endpoint: Option<String>,
    /// Every other member.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Protected resource metadata (RFC 9728 §2). Members this type does not name are kept in
/// `extra`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct ProtectedResourceMetadata {
    /// The resource identifier. Required by RFC 9728 and checked by discovery; empty when a
    /// document leaves it out.
    #[serde(default)]
    pub resource: String,
    /// Issuers of the authorization servers that can issue tokens for it.
    #[serde(default, deserialize_with = "null_as_default")]
    pub authorization_servers: Vec<String>,
    /// The resource's own JWK set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// Scopes used to request access to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// How it accepts bearer tokens (`header`, `body`, `query`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_methods_supported: Option<Vec<String>>,
    /// A human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
    /// Documentation for developers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_documentation: Option<String>,
    /// Every other member.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A JSON Web Key Set (RFC 7517 §5), as the server publishes it. Keys are kept as sent;
/// JWT verification converts the ones it can use.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JwkSet {
    /// The keys.
    #[serde(default, deserialize_with = "null_as_default")]
    pub keys: Vec<Jwk>,
    /// Every other member.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl JwkSet {
    /// A set of `keys`.
    pub fn new(keys: Vec<Jwk>) -> Self {
        Self { keys, extra: serde_json::Map::new() }
    }
}

/// One JSON Web Key (RFC 7517 §4): the members every key type has, and the key material
/// (`n`, `e`, `crv`, `x`, `y`, ...) in `params`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Jwk {
    /// Key family, such as `RSA` or `EC`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kty: Option<String>,
    /// Key identifier, matched against the `kid` header of a token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// The algorithm the key is meant for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Intended use, such as `sig` for signatures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#use: Option<String>,
    /// The key material and every other member.
    #[serde(flatten)]
    pub params: serde_json::Map<String, serde_json::Value>,
}

/// How the code challenge is derived from the verifier (RFC 7636 §4.2): the `code_challenge_method`
/// parameter (`models::CodeChallengeMethod` is this type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PkceMethod {
    /// `BASE64URL(SHA256(verifier))`, no padding. The default and the only one to use unless
    /// the server cannot do SHA-256.
    #[default]
    S256,
    /// The challenge is the verifier itself. Only on explicit request.
    Plain,
}

impl PkceMethod {
    /// The `code_challenge_method` value.
    pub fn as_str(self) -> &'static str {
        match self {
            PkceMethod::S256 => "S256",
            PkceMethod::Plain => "plain",
        }
    }
}

impl std::fmt::Display for PkceMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for PkceMethod {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PkceMethod {
    /// `S256` or `plain`; any other method is an error (there is no challenge to compute for it).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        match value.as_str() {
            "S256" => Ok(PkceMethod::S256),
            "plain" => Ok(PkceMethod::Plain),
            _ => Err(serde::de::Error::unknown_variant(&value, &["S256", "plain"])),
        }
    }
}

impl crate::runtime::QueryValue for PkceMethod {
    fn push_pairs(&self, name: &'static str, out: &mut Vec<(std::borrow::Cow<'static, str>, String)>) {
        out.push((std::borrow::Cow::Borrowed(name), self.as_str().to_owned()));
    }
}
