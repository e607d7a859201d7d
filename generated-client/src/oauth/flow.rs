//! Token requests (RFC 6749 §4.1.3, §4.4, §6), introspection (RFC 7662), revocation
//! (RFC 7009, Telnyx grants).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::authorize::{AuthorizationCode, AuthorizationRequest, PendingAuthorization};
use super::error::{OAuthError, OAuthResult};
use super::http::{Transport, INTROSPECT, REVOKE, TOKEN};
#[cfg(feature = "jwt")]
use super::jwks::{JwksCache, JwtVerifier};
use super::server::{transport, AuthServer};
use super::token_source::TokenSource;
use crate::oauth_types::{Introspection, TokenResponse};
use crate::runtime::{Client, ClientAuthMethod, ClientCredentials, Secret};

/// The OAuth 2.0 flows against one authorization server for one client: authorization URL,
/// code exchange, client credentials, refresh, introspection, revocation, token sources and JWT
/// verification. Cheap to clone.
///
/// Requests go through the [`Client`]'s runtime (its connection pool, user agent, default
/// headers, retry rule, size limit and redaction); the endpoints come from an [`AuthServer`]
/// (defaults under the base URL, or discovery), so the flows work with any RFC 6749 / RFC 8414
/// server.
///
/// ```no_run
/// # async fn run() -> telnyx_oauth::oauth::OAuthResult<()> {
/// use telnyx_oauth::{oauth::OAuth, Client};
///
/// let client = Client::from_env()?; // TELNYX_CLIENT_ID, TELNYX_CLIENT_SECRET, TELNYX_BASE_URL
/// let oauth = OAuth::from_client(&client)?;
/// let token = oauth.client_credentials_token(&[]).await?;
/// println!("expires in {:?} s", token.expires_in);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct OAuth {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    api_base: Option<String>,
    server: AuthServer,
    credentials: ClientCredentials,
}

impl fmt::Debug for OAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth")
            .field("server", &self.inner.server)
            .field("credentials", &self.inner.credentials)
            .field("timeout", &self.inner.transport.timeout)
            .finish()
    }
}

impl OAuth {
    /// Flows against `server` as the client `credentials`, over `client`'s HTTP connections.
    pub fn new(client: &Client, server: AuthServer, credentials: ClientCredentials) -> Self {
        let api_base = super::server::api_base(client).ok().map(String::from);
        Self { inner: Arc::new(Inner { transport: transport(client), api_base, server, credentials }) }
    }

    /// Flows with the client's own credentials ([`Client::client_credentials`], e.g. from
    /// `TELNYX_CLIENT_ID` / `TELNYX_CLIENT_SECRET`) and the default endpoints under its base URL.
    pub fn from_client(client: &Client) -> OAuthResult<Self> {
        let credentials = client_credentials_of(client)?;
        Ok(Self::new(client, AuthServer::for_client(client)?, credentials))
    }

    /// Like [`from_client`](Self::from_client) with the endpoints found by
    /// [`AuthServer::discover_for_client`].
    pub async fn discover(client: &Client) -> OAuthResult<Self> {
        let credentials = client_credentials_of(client)?;
        Ok(Self::new(client, AuthServer::discover_for_client(client).await?, credentials))
    }

    /// Sets the per-attempt timeout of the flows' requests (default: the client's).
    pub fn with_timeout(self, timeout: Duration) -> Self {
        self.map_transport(|t| t.timeout = Some(timeout))
    }

    /// Sets how often a request is retried (default: the client's). The client's retry rule
    /// applies: authorization code exchanges and refreshes are only retried when the connection
    /// could not be made, so a code or a rotating refresh token is never sent twice.
    pub fn with_max_retries(self, retries: u32) -> Self {
        self.map_transport(|t| t.max_retries = Some(retries))
    }

    fn map_transport(self, f: impl FnOnce(&mut Transport)) -> Self {
        let mut transport = self.inner.transport.clone();
        f(&mut transport);
        Self {
            inner: Arc::new(Inner {
                transport,
                api_base: self.inner.api_base.clone(),
                server: self.inner.server.clone(),
                credentials: self.inner.credentials.clone(),
            }),
        }
    }

    /// The API base URL of the client the flows were made from.
    pub(crate) fn api_base(&self) -> Option<&str> {
        self.inner.api_base.as_deref()
    }

    /// The server's endpoints.
    pub fn server(&self) -> &AuthServer {
        &self.inner.server
    }

    /// The client credentials.
    pub fn credentials(&self) -> &ClientCredentials {
        &self.inner.credentials
    }

    /// An authorization request for this client to the server's authorization endpoint, with
    /// a fresh `state` and S256 PKCE pair; add scopes and call `build`.
    ///
    /// ```no_run
    /// # fn run(oauth: telnyx_oauth::oauth::OAuth) -> telnyx_oauth::oauth::OAuthResult<()> {
    /// let (url, pending) = oauth.authorization_request("http://127.0.0.1:8765/callback")?.scope("admin").build()?;
    /// println!("open {url}");
    /// // ...later, with the URL the browser was redirected to:
    /// let code = pending.callback("/callback?code=...&state=...")?;
    /// # Ok(()) }
    /// ```
    pub fn authorization_request(&self, redirect_uri: impl Into<String>) -> OAuthResult<AuthorizationRequest> {
        let endpoint = self
            .inner
            .server
            .authorization_endpoint
            .clone()
            .ok_or_else(|| OAuthError::Config("the authorization server has no authorization endpoint".into()))?;
        let mut req = AuthorizationRequest::new(endpoint, self.inner.credentials.client_id.clone(), redirect_uri);
        if let Some(issuer) = &self.inner.server.issuer {
            let always_sends_iss = self
                .inner
                .server
                .metadata
                .as_ref()
                .and_then(|m| m.authorization_response_iss_parameter_supported)
                .unwrap_or(false);
            req = req.issuer(issuer.clone()).require_iss(always_sends_iss);
        }
        Ok(req)
    }

    /// Exchanges an authorization code (RFC 6749 §4.1.3) with the PKCE verifier and redirect URI
    /// of `pending`. Sent at most once unless the connection could not even be made.
    pub async fn exchange_code(
        &self,
        code: &AuthorizationCode,
        pending: &PendingAuthorization,
    ) -> OAuthResult<TokenResponse> {
        let form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.code.expose().to_owned()),
            ("redirect_uri", pending.redirect_uri().to_owned()),
            ("code_verifier", pending.pkce().verifier().expose().to_owned()),
        ];
        self.token_request(form).await
    }

    /// The client credentials grant (RFC 6749 §4.4); `scopes` may be empty.
    pub async fn client_credentials_token(&self, scopes: &[&str]) -> OAuthResult<TokenResponse> {
        let mut form = vec![("grant_type", "client_credentials".to_owned())];
        if !scopes.is_empty() {
            form.push(("scope", scopes.join(" ")));
        }
        self.token_request(form).await
    }

    /// The refresh token grant (RFC 6749 §6). The response may hold a new refresh token that
    /// replaces the old one. Sent at most once unless the connection could not be made.
    pub async fn refresh_token(&self, refresh_token: &Secret, scopes: &[&str]) -> OAuthResult<TokenResponse> {
        let mut form =
            vec![("grant_type", "refresh_token".to_owned()), ("refresh_token", refresh_token.expose().to_owned())];
        if !scopes.is_empty() {
            form.push(("scope", scopes.join(" ")));
        }
        self.token_request(form).await
    }

    pub(super) fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    pub(super) async fn token_request(&self, form: Vec<(&'static str, String)>) -> OAuthResult<TokenResponse> {
        let sent_at = Instant::now();
        let answer = self
            .inner
            .transport
            .post_form(&TOKEN, &self.inner.server.token_endpoint, form, Some(&self.inner.credentials))
            .await?;
        let tokens: TokenResponse = answer.json()?;
        Ok(tokens.with_issued_at(sent_at))
    }

    /// Token introspection (RFC 7662). An inactive token is `Ok` with `active == false`.
    pub async fn introspect(&self, token: &str, token_type_hint: Option<&str>) -> OAuthResult<Introspection> {
        let url = self
            .inner
            .server
            .introspection_endpoint
            .as_ref()
            .ok_or_else(|| OAuthError::Config("the authorization server has no introspection endpoint".into()))?;
        let mut form = vec![("token", token.to_owned())];
        if let Some(hint) = token_type_hint {
            form.push(("token_type_hint", hint.to_owned()));
        }
        let answer = self.inner.transport.post_form(&INTROSPECT, url, form, Some(&self.inner.credentials)).await?;
        answer.json()
    }

    /// Token revocation (RFC 7009) at the server's `revocation_endpoint` (only known from
    /// discovery). For Telnyx grants see [`revoke_grant`].
    pub async fn revoke_token(&self, token: &str, token_type_hint: Option<&str>) -> OAuthResult<()> {
        let url = self
            .inner
            .server
            .revocation_endpoint
            .as_ref()
            .ok_or_else(|| OAuthError::Config("the authorization server has no revocation endpoint".into()))?;
        let mut form = vec![("token", token.to_owned())];
        if let Some(hint) = token_type_hint {
            form.push(("token_type_hint", hint.to_owned()));
        }
        let answer = self.inner.transport.post_form(&REVOKE, url, form, Some(&self.inner.credentials)).await?;
        if answer.raw.status().is_success() {
            Ok(())
        } else {
            Err(answer.into_error())
        }
    }

    /// A token source using the client credentials grant (with `scopes`) for every token.
    pub fn client_credentials_source(&self, scopes: &[&str]) -> TokenSource {
        TokenSource::client_credentials(self.clone(), scopes)
    }

    /// A token source starting from `tokens` (from [`exchange_code`](Self::exchange_code)) and
    /// renewing them with their refresh token.
    pub fn token_source(&self, tokens: TokenResponse) -> TokenSource {
        TokenSource::from_tokens(self.clone(), tokens)
    }

    /// A cache of the server's JWK set (`jwks_uri`). Needs the `jwt` feature.
    #[cfg(feature = "jwt")]
    pub fn jwks(&self) -> OAuthResult<JwksCache> {
        let uri = self
            .inner
            .server
            .jwks_uri
            .clone()
            .ok_or_else(|| OAuthError::Config("the authorization server has no jwks_uri".into()))?;
        Ok(JwksCache::with_transport(self.inner.transport.clone(), uri))
    }

    /// A JWT verifier with the server's JWK set, expecting the server's issuer (required: from
    /// discovery, or set on [`AuthServer::issuer`]) and `audience`. Needs the `jwt` feature.
    #[cfg(feature = "jwt")]
    pub fn jwt_verifier(&self, audience: impl Into<String>) -> OAuthResult<JwtVerifier> {
        let issuer = self.inner.server.issuer.clone().ok_or_else(|| {
            OAuthError::Config("the issuer is unknown: discover the server or set AuthServer::issuer".into())
        })?;
        Ok(JwtVerifier::new(Arc::new(self.jwks()?), issuer, audience))
    }
}

fn client_credentials_of(client: &Client) -> OAuthResult<ClientCredentials> {
    client.client_credentials().cloned().ok_or_else(|| {
        OAuthError::Config(
            "the client has no OAuth client credentials (TELNYX_CLIENT_ID / TELNYX_CLIENT_SECRET)".into(),
        )
    })
}

/// Client credentials read from `TELNYX_CLIENT_ID` and `TELNYX_CLIENT_SECRET`, presented with
/// `client_secret_basic` unless [`CLIENT_AUTH_METHOD_ENV`] says otherwise.
pub fn credentials_from_env() -> OAuthResult<ClientCredentials> {
    let info = &crate::generated::API_INFO;
    let id = std::env::var(info.env_client_id)
        .map_err(|_| OAuthError::Config(format!("{} is not set", info.env_client_id)))?;
    let secret = std::env::var(info.env_client_secret)
        .map_err(|_| OAuthError::Config(format!("{} is not set", info.env_client_secret)))?;
    let method = match std::env::var(CLIENT_AUTH_METHOD_ENV).as_deref() {
        Err(_) | Ok("") | Ok("client_secret_basic") => ClientAuthMethod::ClientSecretBasic,
        Ok("client_secret_post") => ClientAuthMethod::ClientSecretPost,
        Ok("none") => ClientAuthMethod::None,
        Ok(other) => {
            return Err(OAuthError::Config(format!(
                "{CLIENT_AUTH_METHOD_ENV} is `{other}`; use client_secret_basic, client_secret_post or none"
            )))
        }
    };
    Ok(ClientCredentials { client_id: id, client_secret: Some(Secret::new(secret)), method })
}

/// Selects how [`credentials_from_env`] presents the client credentials:
/// `client_secret_basic` (the default), `client_secret_post` or `none`.
pub const CLIENT_AUTH_METHOD_ENV: &str = "TELNYX_CLIENT_AUTH_METHOD";

/// Revokes a Telnyx OAuth grant (`DELETE /oauth_grants/{id}`), authenticating like every other
/// bearer operation of `client` (API key or token source). A thin wrapper over the generated
/// [`Client::revoke_oauth_grant`] operation.
pub async fn revoke_grant(client: &Client, grant_id: &str) -> crate::Result<()> {
    client.revoke_oauth_grant(grant_id).send().await.map(|_| ())
}
