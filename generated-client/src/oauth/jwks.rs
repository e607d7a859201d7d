//! The server's JWK set, cached, and local verification of JWT access tokens.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use url::Url;

use super::error::{JwtError, OAuthError, OAuthResult};
use super::http::{Transport, FETCH_JWKS};
use super::server::transport;
use crate::oauth_types::JwkSet;
use crate::runtime::Client;

/// Default minimum time between two fetches of the JWK set caused by an unknown `kid`.
pub const DEFAULT_MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(60);
/// Default age after which the JWK set is fetched again on next use.
pub const DEFAULT_JWKS_MAX_AGE: Duration = Duration::from_secs(3600);

struct Fetched {
    set: Arc<Keys>,
    at: Instant,
}

/// A fetched set: as published (what [`JwksCache::keys`] returns) and the keys `jsonwebtoken`
/// can use, converted once per fetch.
struct Keys {
    published: Arc<JwkSet>,
    usable: Vec<Jwk>,
}

/// A cached JWK set (RFC 7517) fetched from a `jwks_uri`.
///
/// The set is fetched on first use and again when older than the max age (default one hour).
/// A token whose `kid` is not in the set causes one refetch (key rotation), but at most one per
/// minimum interval (default 60 s), so a stream of tokens with made-up `kid`s cannot make it
/// fetch on every request. Concurrent fetches are single flight (one request, the others wait
/// for its result), and no lock is held across a fetch that a lookup of a key already in the
/// set would wait on: verifications of known keys go on while an unknown `kid` is refetched.
pub struct JwksCache {
    transport: Transport,
    uri: Url,
    min_refetch_interval: Duration,
    max_age: Duration,
    /// The current set; locked only to read or replace it, never across a fetch.
    state: std::sync::Mutex<Option<Fetched>>,
    /// Held by the one task fetching; the others wait on it and then use its result.
    fetching: tokio::sync::Mutex<()>,
}

impl fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksCache")
            .field("uri", &self.uri.as_str())
            .field("min_refetch_interval", &self.min_refetch_interval)
            .field("max_age", &self.max_age)
            .finish()
    }
}

impl JwksCache {
    /// A cache of the set at `jwks_uri`, fetched over `client`'s connections.
    ///
    /// ```no_run
    /// # async fn run() -> telnyx_oauth::oauth::OAuthResult<()> {
    /// use telnyx_oauth::{oauth::JwksCache, Client};
    /// let client = Client::builder().build()?;
    /// let jwks = JwksCache::new(&client, "https://api.telnyx.com/v2/oauth/jwks".parse().unwrap());
    /// println!("{} keys", jwks.keys().await?.keys.len());
    /// # Ok(()) }
    /// ```
    pub fn new(client: &Client, jwks_uri: Url) -> Self {
        Self::with_transport(transport(client), jwks_uri)
    }

    pub(crate) fn with_transport(transport: Transport, uri: Url) -> Self {
        Self {
            transport,
            uri,
            min_refetch_interval: DEFAULT_MIN_REFETCH_INTERVAL,
            max_age: DEFAULT_JWKS_MAX_AGE,
            state: std::sync::Mutex::new(None),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    /// Sets the minimum time between refetches caused by unknown `kid`s.
    pub fn with_min_refetch_interval(mut self, interval: Duration) -> Self {
        self.min_refetch_interval = interval;
        self
    }

    /// Sets the age after which the set is fetched again on next use.
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// The `jwks_uri`.
    pub fn uri(&self) -> &Url {
        &self.uri
    }

    /// The cached set and when it was fetched.
    fn current(&self) -> Option<(Arc<Keys>, Instant)> {
        let state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        state.as_ref().map(|f| (f.set.clone(), f.at))
    }

    /// The cached set if it is younger than the max age.
    fn fresh(&self) -> Option<Arc<Keys>> {
        self.current().filter(|(_, at)| at.elapsed() < self.max_age).map(|(set, _)| set)
    }

    /// The cached set, fetched if there is none yet or it is older than the max age.
    pub async fn keys(&self) -> OAuthResult<Arc<JwkSet>> {
        Ok(self.usable_keys().await?.published.clone())
    }

    /// [`keys`](Self::keys) with the keys `jsonwebtoken` can use.
    async fn usable_keys(&self) -> OAuthResult<Arc<Keys>> {
        if let Some(set) = self.fresh() {
            return Ok(set);
        }
        let _fetching = self.fetching.lock().await;
        // Another task may have fetched while this one waited.
        match self.fresh() {
            Some(set) => Ok(set),
            None => self.fetch().await,
        }
    }

    /// Fetches the set now, whatever the cache holds (joining a fetch already under way).
    pub async fn refresh(&self) -> OAuthResult<Arc<JwkSet>> {
        let before = self.current().map(|(_, at)| at);
        let _fetching = self.fetching.lock().await;
        match self.current() {
            Some((set, at)) if Some(at) != before => Ok(set.published.clone()),
            _ => Ok(self.fetch().await?.published.clone()),
        }
    }

    /// Fetches and stores the set; called with `fetching` held.
    async fn fetch(&self) -> OAuthResult<Arc<Keys>> {
        #[derive(Deserialize)]
        struct Raw {
            keys: Vec<serde_json::Value>,
        }
        let raw: Raw = self.transport.get(&FETCH_JWKS, &self.uri).await?.json()?;
        // Keys of a type this library cannot read are skipped, not fatal to the whole set.
        let usable = raw.keys.iter().filter_map(|k| serde_json::from_value::<Jwk>(k.clone()).ok()).collect();
        let published = raw.keys.into_iter().filter_map(|k| serde_json::from_value(k).ok()).collect();
        let set = Arc::new(Keys { published: Arc::new(JwkSet::new(published)), usable });
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *state = Some(Fetched { set: set.clone(), at: Instant::now() });
        Ok(set)
    }

    /// The key for a token: by `kid`, or the only signing key fitting `alg` when the token has
    /// no `kid`. An unknown `kid` refetches the set once per minimum interval.
    pub(crate) async fn key_for(&self, kid: Option<&str>, alg: Algorithm) -> OAuthResult<Jwk> {
        let set = self.usable_keys().await?;
        if let Some(key) = pick(&set, kid, alg) {
            return Ok(key);
        }
        let unknown = || OAuthError::Jwt(JwtError::UnknownKey(kid.map(str::to_owned)));
        let _fetching = self.fetching.lock().await;
        // While this task waited, another may have fetched a set that has the key, or fetched
        // too recently for another fetch.
        if let Some((set, at)) = self.current() {
            if let Some(key) = pick(&set, kid, alg) {
                return Ok(key);
            }
            if at.elapsed() < self.min_refetch_interval {
                return Err(unknown());
            }
        }
        let set = self.fetch().await?;
        pick(&set, kid, alg).ok_or_else(unknown)
    }
}

fn pick(set: &Keys, kid: Option<&str>, alg: Algorithm) -> Option<Jwk> {
    let signing = |k: &&Jwk| !matches!(k.common.public_key_use, Some(ref u) if *u != PublicKeyUse::Signature);
    match kid {
        Some(kid) => set.usable.iter().filter(signing).find(|k| k.common.key_id.as_deref() == Some(kid)).cloned(),
        None => {
            let mut fitting = set
                .usable
                .iter()
                .filter(signing)
                .filter(|k| DecodingKey::from_jwk(k).is_ok_and(|d| d.family() == alg.family()));
            match (fitting.next(), fitting.next()) {
                (Some(only), None) => Some(only.clone()),
                _ => None,
            }
        }
    }
}

/// Common claims of a JWT access token (RFC 9068), with every other claim in `extra`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct JwtClaims {
    /// Issuer.
    #[serde(default)]
    pub iss: Option<String>,
    /// Subject.
    #[serde(default)]
    pub sub: Option<String>,
    /// Audience: a string or an array of strings.
    #[serde(default)]
    pub aud: Option<serde_json::Value>,
    /// Expiry (seconds since the epoch).
    #[serde(default)]
    pub exp: Option<i64>,
    /// Not before (seconds since the epoch).
    #[serde(default)]
    pub nbf: Option<i64>,
    /// Issued at (seconds since the epoch).
    #[serde(default)]
    pub iat: Option<i64>,
    /// Space-separated scopes.
    #[serde(default)]
    pub scope: Option<String>,
    /// The client the token was issued to.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Token identifier.
    #[serde(default)]
    pub jti: Option<String>,
    /// Every other claim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Verifies JWT access tokens locally against a [`JwksCache`]: signature with the key named by
/// `kid`, and the `exp`, `nbf`, `iss` and `aud` claims (all of `exp`, `iss` and `aud` are
/// required). Only asymmetric algorithms are accepted (RS*, PS*, ES256, ES384, EdDSA by default),
/// never `none` or HMAC with a public key.
///
/// ```no_run
/// # async fn run(client: telnyx_oauth::Client, token: &str) -> telnyx_oauth::oauth::OAuthResult<()> {
/// use std::sync::Arc;
/// use telnyx_oauth::oauth::{JwksCache, JwtVerifier};
///
/// let jwks = Arc::new(JwksCache::new(&client, "https://login.example.com/jwks".parse().unwrap()));
/// let verifier = JwtVerifier::new(jwks, "https://login.example.com", "https://api.example.com");
/// let claims = verifier.verify(token).await?;
/// println!("subject: {:?}", claims.sub);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct JwtVerifier {
    jwks: Arc<JwksCache>,
    issuer: String,
    audiences: Vec<String>,
    algorithms: Vec<Algorithm>,
    leeway: Duration,
}

impl JwtVerifier {
    /// Algorithms accepted unless [`algorithms`](Self::algorithms) says otherwise.
    pub const DEFAULT_ALGORITHMS: &'static [Algorithm] = &[
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
    ];

    /// A verifier expecting `issuer` and `audience`, with keys from `jwks`.
    pub fn new(jwks: Arc<JwksCache>, issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            jwks,
            issuer: issuer.into(),
            audiences: vec![audience.into()],
            algorithms: Self::DEFAULT_ALGORITHMS.to_vec(),
            leeway: Duration::from_secs(30),
        }
    }

    /// Accepts one more audience.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Accepts only these algorithms. HMAC algorithms are always refused, since a JWK set holds
    /// public keys.
    pub fn algorithms(mut self, algorithms: &[Algorithm]) -> Self {
        self.algorithms = algorithms.to_vec();
        self
    }

    /// Clock skew tolerated on `exp` and `nbf` (default 30 s).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The JWK cache.
    pub fn jwks(&self) -> &Arc<JwksCache> {
        &self.jwks
    }

    /// Verifies `token` and returns its claims.
    pub async fn verify(&self, token: &str) -> OAuthResult<JwtClaims> {
        self.verify_as(token).await
    }

    /// Verifies `token` and decodes its claims into `T`.
    pub async fn verify_as<T: DeserializeOwned>(&self, token: &str) -> OAuthResult<T> {
        let jwt = |e| OAuthError::Jwt(e);
        let header = jsonwebtoken::decode_header(token).map_err(|e| jwt(map_error(e)))?;
        let alg = header.alg;
        let hmac = matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512);
        if hmac || !self.algorithms.contains(&alg) {
            return Err(jwt(JwtError::DisallowedAlgorithm(format!("{alg:?}"))));
        }
        let jwk = self.jwks.key_for(header.kid.as_deref(), alg).await?;
        if let Some(key_alg) = jwk.common.key_algorithm {
            if format!("{key_alg:?}") != format!("{alg:?}") {
                return Err(jwt(JwtError::DisallowedAlgorithm(format!("{alg:?} with a {key_alg:?} key"))));
            }
        }
        let key = DecodingKey::from_jwk(&jwk).map_err(|e| jwt(JwtError::Malformed(format!("unusable JWK: {e}"))))?;
        if key.family() != alg.family() {
            return Err(jwt(JwtError::DisallowedAlgorithm(format!("{alg:?} with a {:?} key", key.family()))));
        }
        let mut validation = Validation::new(alg);
        validation.leeway = self.leeway.as_secs();
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&self.audiences);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        jsonwebtoken::decode::<T>(token, &key, &validation).map(|d| d.claims).map_err(|e| jwt(map_error(e)))
    }
}

fn map_error(e: jsonwebtoken::errors::Error) -> JwtError {
    match e.kind() {
        ErrorKind::InvalidSignature => JwtError::InvalidSignature,
        ErrorKind::ExpiredSignature => JwtError::Expired,
        ErrorKind::ImmatureSignature => JwtError::NotYetValid,
        ErrorKind::InvalidAudience => JwtError::InvalidAudience,
        ErrorKind::InvalidIssuer => JwtError::InvalidIssuer,
        ErrorKind::MissingRequiredClaim(c) => JwtError::MissingClaim(c.clone()),
        ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm | ErrorKind::InvalidAlgorithmName => {
            JwtError::DisallowedAlgorithm(e.to_string())
        }
        ErrorKind::InvalidToken | ErrorKind::Base64(_) | ErrorKind::Json(_) | ErrorKind::Utf8(_) => {
            JwtError::Malformed(e.to_string())
        }
        _ => JwtError::Invalid(e.to_string()),
    }
}
