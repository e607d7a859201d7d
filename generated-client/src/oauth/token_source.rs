//! A cached, self-renewing access token.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use futures::future::{BoxFuture, FutureExt, Shared};

use super::error::{to_runtime_error, OAuthError, OAuthResult};
use super::flow::OAuth;
use crate::oauth_types::TokenResponse;
use crate::runtime::{BearerSource, Client, ClientBuilder, Secret};

/// Default time before expiry at which a token is renewed.
pub const DEFAULT_REFRESH_SKEW: Duration = Duration::from_secs(60);

type Refresh = Shared<BoxFuture<'static, Result<Arc<Cached>, Arc<OAuthError>>>>;

/// How new tokens are obtained.
#[derive(Clone)]
enum Grant {
    /// The client credentials grant, with these scopes.
    ClientCredentials(Vec<String>),
    /// The refresh token grant with the current refresh token.
    RefreshToken,
}

struct Cached {
    access_token: Secret,
    expires_at: Option<Instant>,
    issued_at: Instant,
    /// The refresh token to use next (kept when a response does not rotate it).
    refresh_token: Option<Secret>,
}

struct State {
    current: Option<Arc<Cached>>,
    in_flight: Option<Refresh>,
}

struct Inner {
    oauth: OAuth,
    grant: Grant,
    skew: Duration,
    state: Mutex<State>,
}

/// A cached access token that renews itself: shortly before it expires (the skew, default
/// [`DEFAULT_REFRESH_SKEW`]) the next caller fetches a new one with the refresh token (keeping
/// a rotated one) or the client credentials grant.
///
/// Renewal is single flight: however many tasks ask at once, one token request is made and all
/// of them get its result, success or error — a failed renewal is an error to every waiter, never
/// a request without credentials. Cheap to clone; clones share the cache.
///
/// It is a runtime [`BearerSource`], so a [`Client`] can authenticate with it instead of an API
/// key ([`TokenSource::client`]).
///
/// ```no_run
/// # async fn run() -> telnyx_oauth::oauth::OAuthResult<()> {
/// use telnyx_oauth::{oauth::TokenSource, Client};
///
/// let source = TokenSource::from_env()?; // TELNYX_CLIENT_ID / TELNYX_CLIENT_SECRET
/// let token = source.access_token().await?;
/// let client = source.client()?; // bearer operations now send tokens from `source`
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct TokenSource {
    inner: Arc<Inner>,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.inner.state.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("TokenSource")
            .field("token_endpoint", &self.inner.oauth.server().token_endpoint.as_str())
            .field("client_id", &self.inner.oauth.credentials().client_id)
            .field("has_token", &state.current.is_some())
            .field("refreshing", &state.in_flight.is_some())
            .field("skew", &self.inner.skew)
            .finish()
    }
}

impl TokenSource {
    fn new(oauth: OAuth, grant: Grant, current: Option<Cached>) -> Self {
        Self {
            inner: Arc::new(Inner {
                oauth,
                grant,
                skew: DEFAULT_REFRESH_SKEW,
                state: Mutex::new(State { current: current.map(Arc::new), in_flight: None }),
            }),
        }
    }

    /// Tokens from the client credentials grant with `scopes`; the first is fetched on first
    /// use.
    pub fn client_credentials(oauth: OAuth, scopes: &[&str]) -> Self {
        let scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        Self::new(oauth, Grant::ClientCredentials(scopes), None)
    }

    /// Starts from `tokens` (e.g. an authorization code exchange) and renews with their refresh
    /// token. Without one, an expired token is an error.
    pub fn from_tokens(oauth: OAuth, tokens: TokenResponse) -> Self {
        let cached = cached_from(tokens, None);
        Self::new(oauth, Grant::RefreshToken, Some(cached))
    }

    /// Starts from a stored refresh token alone (say, read back after a restart): the first
    /// [`access_token`](Self::access_token) call uses it to get an access token, and a rotated
    /// refresh token replaces it as usual.
    pub fn from_refresh_token(oauth: OAuth, refresh_token: impl Into<Secret>) -> Self {
        let now = Instant::now();
        // An access token that expired when it was issued: never handed out, renewed first.
        let cached = Cached {
            access_token: Secret::new(String::new()),
            expires_at: Some(now),
            issued_at: now,
            refresh_token: Some(refresh_token.into()),
        };
        Self::new(oauth, Grant::RefreshToken, Some(cached))
    }

    /// The client credentials grant with `TELNYX_CLIENT_ID` / `TELNYX_CLIENT_SECRET` and the
    /// token endpoint under `TELNYX_BASE_URL` (default [`DEFAULT_BASE_URL`](super::DEFAULT_BASE_URL)).
    pub fn from_env() -> OAuthResult<Self> {
        let credentials = super::flow::credentials_from_env()?;
        let client = Client::builder().client_credentials(credentials);
        let client = match std::env::var(crate::generated::API_INFO.env_base_url) {
            Ok(url) => client.base_url(url),
            Err(_) => client,
        }
        .build()?;
        Ok(Self::client_credentials(OAuth::from_client(&client)?, &[]))
    }

    /// Renews tokens this long before they expire (default 60 s). Set it when building the
    /// source: the result shares the cached token but not later renewals with `self`. For a token that lives less
    /// than twice the skew, half its lifetime is used instead, so a short-lived token is still
    /// cached for a while.
    pub fn with_refresh_skew(self, skew: Duration) -> Self {
        let current = self.inner.state.lock().unwrap_or_else(PoisonError::into_inner).current.clone();
        Self {
            inner: Arc::new(Inner {
                oauth: self.inner.oauth.clone(),
                grant: self.inner.grant.clone(),
                skew,
                state: Mutex::new(State { current, in_flight: None }),
            }),
        }
    }

    /// The flows this source uses.
    pub fn oauth(&self) -> &OAuth {
        &self.inner.oauth
    }

    /// A builder for a [`Client`] whose bearer operations authenticate with this source, with
    /// the base URL of the client the flows were made from. Add settings and `build()` it.
    pub fn client_builder(&self) -> ClientBuilder {
        let mut builder = Client::builder().bearer_source(Arc::new(self.clone()));
        if let Some(base) = self.inner.oauth.api_base() {
            builder = builder.base_url(base);
        }
        builder
    }

    /// A [`Client`] whose bearer operations authenticate with this source (see
    /// [`client_builder`](Self::client_builder)).
    pub fn client(&self) -> OAuthResult<Client> {
        Ok(self.client_builder().build()?)
    }

    /// The current access token, renewed first if it is about to expire.
    pub async fn access_token(&self) -> OAuthResult<Secret> {
        let refresh = {
            let mut state = self.inner.state.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(current) = &state.current {
                if self.fresh(current) {
                    return Ok(current.access_token.clone());
                }
            }
            match &state.in_flight {
                Some(refresh) => refresh.clone(),
                None => {
                    let refresh = Self::renew(Arc::downgrade(&self.inner)).boxed().shared();
                    state.in_flight = Some(refresh.clone());
                    refresh
                }
            }
        };
        match refresh.await {
            Ok(cached) => Ok(cached.access_token.clone()),
            Err(e) => Err(OAuthError::RefreshFailed(e)),
        }
    }

    /// Forgets the cached access token so the next call renews it (after a 401, for instance).
    /// A refresh token is kept.
    pub fn invalidate(&self) {
        let mut state = self.inner.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(current) = &state.current {
            state.current = Some(Arc::new(Cached {
                access_token: current.access_token.clone(),
                expires_at: Some(Instant::now()),
                issued_at: current.issued_at,
                refresh_token: current.refresh_token.clone(),
            }));
        }
    }

    /// The refresh token that the next renewal will use, if any (it changes when the server
    /// rotates it).
    pub fn refresh_token(&self) -> Option<Secret> {
        let state = self.inner.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.current.as_ref().and_then(|c| c.refresh_token.clone())
    }

    fn fresh(&self, cached: &Cached) -> bool {
        let Some(expires_at) = cached.expires_at else { return true };
        let lifetime = expires_at.saturating_duration_since(cached.issued_at);
        Instant::now() + self.inner.skew.min(lifetime / 2) < expires_at
    }

    /// One renewal; runs inside the shared future, so once however many callers wait. It holds
    /// only a weak reference to the source while the request is out, so a renewal abandoned by
    /// every caller does not keep the source alive.
    async fn renew(inner: Weak<Inner>) -> Result<Arc<Cached>, Arc<OAuthError>> {
        let gone = || Arc::new(OAuthError::Config("the token source was dropped".into()));
        let (oauth, grant, previous_refresh) = {
            let inner = inner.upgrade().ok_or_else(gone)?;
            let state = inner.state.lock().unwrap_or_else(PoisonError::into_inner);
            let previous = state.current.as_ref().and_then(|c| c.refresh_token.clone());
            (inner.oauth.clone(), inner.grant.clone(), previous)
        };
        let result = match &grant {
            Grant::ClientCredentials(scopes) => {
                let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
                oauth.client_credentials_token(&scopes).await
            }
            Grant::RefreshToken => match &previous_refresh {
                Some(refresh) => oauth.refresh_token(refresh, &[]).await,
                None => Err(OAuthError::Config(
                    "the access token has expired and there is no refresh token to renew it".into(),
                )),
            },
        };
        // RFC 6750: only bearer tokens may be sent as `Authorization: Bearer`.
        let result = result.and_then(|tokens| {
            if tokens.token_type.eq_ignore_ascii_case("bearer") {
                Ok(tokens)
            } else {
                Err(OAuthError::Config(format!(
                    "the server issued a `{}` token, not a bearer token",
                    tokens.token_type
                )))
            }
        });
        let inner = inner.upgrade().ok_or_else(gone)?;
        let mut state = inner.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.in_flight = None;
        match result {
            Ok(tokens) => {
                let cached = Arc::new(cached_from(tokens, previous_refresh));
                state.current = Some(cached.clone());
                Ok(cached)
            }
            Err(e) => Err(Arc::new(e)),
        }
    }
}

fn cached_from(tokens: TokenResponse, previous_refresh: Option<Secret>) -> Cached {
    Cached {
        expires_at: tokens.expires_at(),
        issued_at: tokens.issued_at,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token.or(previous_refresh),
    }
}

impl BearerSource for TokenSource {
    fn bearer(&self) -> Pin<Box<dyn Future<Output = crate::runtime::Result<Secret>> + Send + '_>> {
        Box::pin(async move { self.access_token().await.map_err(|e| to_runtime_error(&e)) })
    }
}
