//! The authorization URL and the redirect back (RFC 6749 §4.1.1–4.1.2, RFC 7636, RFC 9207).

use std::fmt;

use subtle::ConstantTimeEq;
use url::Url;

use super::error::{AuthorizationError, AuthorizationErrorCode, OAuthError, OAuthResult};
use super::pkce::{random_string, Pkce};
use crate::oauth_types::PkceMethod;
use crate::runtime::Secret;

/// Builds an authorization URL. Get one from [`OAuth::authorization_request`](super::OAuth::authorization_request)
/// or [`AuthorizationRequest::new`]. The library never fetches the URL: send the user's browser
/// there.
///
/// ```
/// use telnyx_oauth::oauth::AuthorizationRequest;
///
/// let (url, pending) = AuthorizationRequest::new(
///     "https://api.telnyx.com/v2/oauth/authorize".parse().unwrap(),
///     "my-client-id",
///     "http://127.0.0.1:8765/callback",
/// )
/// .scopes(["admin"])
/// .build()?;
/// assert!(url.as_str().contains("code_challenge_method=S256"));
/// assert!(url.as_str().contains(pending.state()));
/// # Ok::<(), telnyx_oauth::oauth::OAuthError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "call .build() to get the URL"]
pub struct AuthorizationRequest {
    endpoint: Url,
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    pkce: Option<Pkce>,
    state: Option<Secret>,
    issuer: Option<String>,
    require_iss: bool,
    extra: Vec<(String, String)>,
}

impl AuthorizationRequest {
    /// A request to `endpoint` for `client_id`, redirecting to `redirect_uri`, with a fresh S256
    /// PKCE pair and a fresh random `state`.
    pub fn new(endpoint: Url, client_id: impl Into<String>, redirect_uri: impl Into<String>) -> Self {
        Self {
            endpoint,
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            scopes: Vec::new(),
            pkce: None,
            state: None,
            issuer: None,
            require_iss: false,
            extra: Vec::new(),
        }
    }

    /// Adds one scope.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// Adds scopes (sent space-separated).
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes.extend(scopes.into_iter().map(Into::into));
        self
    }

    /// Uses this PKCE pair (for example a `plain` one, [`Pkce::generate`]) instead of a fresh
    /// S256 one.
    pub fn pkce(mut self, pkce: Pkce) -> Self {
        self.pkce = Some(pkce);
        self
    }

    /// Uses this `state` instead of a fresh random one. It must be unguessable and used once.
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(Secret::new(state));
        self
    }

    /// The issuer the request goes to; a callback (success or error) carrying another `iss`
    /// (RFC 9207, compared as exact strings) is refused.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Whether the server always sends `iss` in its redirects (its metadata's
    /// `authorization_response_iss_parameter_supported`): then a callback without `iss` is
    /// refused too. Needs [`issuer`](Self::issuer).
    /// [`OAuth::authorization_request`](super::OAuth::authorization_request) sets both from discovery.
    pub fn require_iss(mut self, required: bool) -> Self {
        self.require_iss = required;
        self
    }

    /// Adds another query parameter (`prompt`, `login_hint`, `resource`...). Parameters the
    /// builder sets itself cannot be overridden this way.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push((name.into(), value.into()));
        self
    }

    /// The URL to send the browser to, and what to keep until the redirect comes back.
    ///
    /// Fails with [`OAuthError::Random`] only if a PKCE pair or `state` had to be drawn and the
    /// operating system's random number generator failed.
    pub fn build(self) -> OAuthResult<(Url, PendingAuthorization)> {
        let pkce = match self.pkce {
            Some(pkce) => pkce,
            None => Pkce::new()?,
        };
        let state = match self.state {
            Some(state) => state,
            None => Secret::new(random_string(43)?),
        };
        let mut url = self.endpoint;
        {
            const OURS: &[&str] = &[
                "response_type",
                "client_id",
                "redirect_uri",
                "scope",
                "state",
                "code_challenge",
                "code_challenge_method",
            ];
            let kept: Vec<(String, String)> = url
                .query_pairs()
                .filter(|(k, _)| !OURS.contains(&k.as_ref()))
                .map(|(k, v)| (k.into(), v.into()))
                .collect();
            let mut q = url.query_pairs_mut();
            q.clear();
            q.extend_pairs(kept);
            q.append_pair("response_type", "code");
            q.append_pair("client_id", &self.client_id);
            q.append_pair("redirect_uri", &self.redirect_uri);
            if !self.scopes.is_empty() {
                q.append_pair("scope", &self.scopes.join(" "));
            }
            q.append_pair("state", state.expose());
            q.append_pair("code_challenge", pkce.challenge());
            q.append_pair("code_challenge_method", pkce.method().as_str());
            for (k, v) in &self.extra {
                if !OURS.contains(&k.as_str()) {
                    q.append_pair(k, v);
                }
            }
        }
        let pending = PendingAuthorization {
            state,
            pkce,
            client_id: self.client_id,
            redirect_uri: self.redirect_uri,
            issuer: self.issuer,
            require_iss: self.require_iss,
        };
        Ok((url, pending))
    }
}

/// What an application keeps between sending the browser to the authorization URL and the
/// redirect back: the `state`, the PKCE verifier and the redirect URI. The secrets in it never
/// show in `Debug` output.
///
/// It serializes with serde, so a server can store it (in the user's session, or a database
/// keyed by the `state`) and finish the flow in another process or after a restart. The stored
/// form holds the `state` and the PKCE verifier in clear: keep it server-side, like a session
/// secret. Deserializing checks the verifier again (RFC 7636 length and characters).
///
/// ```
/// use telnyx_oauth::oauth::{AuthorizationRequest, PendingAuthorization};
///
/// let (_url, pending) = AuthorizationRequest::new(
///     "https://api.telnyx.com/v2/oauth/authorize".parse().unwrap(),
///     "client-id",
///     "https://app.example/callback",
/// )
/// .build()?;
/// let stored = serde_json::to_string(&pending).unwrap();
/// let restored: PendingAuthorization = serde_json::from_str(&stored).unwrap();
/// assert_eq!(restored.state(), pending.state());
/// # Ok::<(), telnyx_oauth::oauth::OAuthError>(())
/// ```
#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[serde(into = "StoredAuthorization", try_from = "StoredAuthorization")]
pub struct PendingAuthorization {
    state: Secret,
    pkce: Pkce,
    client_id: String,
    redirect_uri: String,
    issuer: Option<String>,
    require_iss: bool,
}

impl fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("state", &self.state)
            .field("pkce", &self.pkce)
            .field("client_id", &self.client_id)
            .field("redirect_uri", &self.redirect_uri)
            .field("issuer", &self.issuer)
            .field("require_iss", &self.require_iss)
            .finish()
    }
}

/// The stored form of a [`PendingAuthorization`].
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredAuthorization {
    state: String,
    code_verifier: String,
    code_challenge_method: String,
    client_id: String,
    redirect_uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issuer: Option<String>,
    #[serde(default)]
    require_iss: bool,
}

impl From<PendingAuthorization> for StoredAuthorization {
    fn from(p: PendingAuthorization) -> Self {
        Self {
            state: p.state.expose().to_owned(),
            code_verifier: p.pkce.verifier().expose().to_owned(),
            code_challenge_method: p.pkce.method().as_str().to_owned(),
            client_id: p.client_id,
            redirect_uri: p.redirect_uri,
            issuer: p.issuer,
            require_iss: p.require_iss,
        }
    }
}

impl TryFrom<StoredAuthorization> for PendingAuthorization {
    type Error = String;

    /// The message never contains the state or the verifier.
    fn try_from(s: StoredAuthorization) -> Result<Self, Self::Error> {
        let method = match s.code_challenge_method.as_str() {
            "S256" => PkceMethod::S256,
            "plain" => PkceMethod::Plain,
            _ => return Err("unknown code_challenge_method".to_owned()),
        };
        if s.state.is_empty() {
            return Err("empty state".to_owned());
        }
        let pkce = Pkce::from_verifier(s.code_verifier, method).map_err(|_| "invalid code_verifier".to_owned())?;
        Ok(Self {
            state: Secret::new(s.state),
            pkce,
            client_id: s.client_id,
            redirect_uri: s.redirect_uri,
            issuer: s.issuer,
            require_iss: s.require_iss,
        })
    }
}

impl PendingAuthorization {
    /// The `state` sent (to store in the user's session, for instance).
    pub fn state(&self) -> &str {
        self.state.expose()
    }

    /// The PKCE pair.
    pub fn pkce(&self) -> &Pkce {
        &self.pkce
    }

    /// The client id the request was made for.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The redirect URI sent, which the token request must repeat.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Reads the redirect back (see [`parse_callback`]), checking its `state` against this
    /// request's and, when the issuer is known, its `iss` (RFC 9207): on success and error
    /// redirects alike, an `iss` must equal the issuer exactly, and a missing one is refused when
    /// the server always sends it ([`AuthorizationRequest::require_iss`]).
    pub fn callback(&self, redirect: &str) -> OAuthResult<AuthorizationCode> {
        let params = read_callback(redirect)?;
        if let Some(expected) = &self.issuer {
            match &params.iss {
                Some(found) if found != expected => {
                    return Err(OAuthError::CallbackIssuerMismatch { expected: expected.clone(), found: found.clone() })
                }
                None if self.require_iss => {
                    return Err(OAuthError::CallbackIssuerMissing { expected: expected.clone() })
                }
                _ => {}
            }
        }
        params.into_result(self.state.expose())
    }
}

/// An authorization code received on the redirect URI. The code never shows in `Debug` output.
#[derive(Clone)]
#[non_exhaustive]
pub struct AuthorizationCode {
    /// The code, to exchange once with [`OAuth::exchange_code`](super::OAuth::exchange_code).
    pub code: Secret,
    /// The `iss` parameter of the callback (RFC 9207), if sent.
    pub issuer: Option<String>,
}

impl fmt::Debug for AuthorizationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationCode").field("code", &self.code).field("issuer", &self.issuer).finish()
    }
}

/// Compares in time independent of where the strings differ.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Reads a redirect to the redirect URI: a full URL (`http://127.0.0.1:8765/cb?code=...`) or
/// just its path and query (`/cb?code=...`, as in an HTTP request line).
///
/// The `state` must equal `expected_state` (compared in constant time), or the result is
/// [`OAuthError::StateMismatch`], also for error redirects that carry a wrong state. An error
/// redirect becomes [`OAuthError::Authorization`] with its RFC 6749 §4.1.2.1 code.
///
/// ```
/// use telnyx_oauth::oauth::{parse_callback, AuthorizationErrorCode, OAuthError};
///
/// let code = parse_callback("/callback?code=abc&state=xyz", "xyz").unwrap();
/// assert_eq!(code.code.expose(), "abc");
///
/// assert!(matches!(parse_callback("/callback?code=abc&state=evil", "xyz"), Err(OAuthError::StateMismatch)));
///
/// match parse_callback("/callback?error=access_denied&state=xyz", "xyz") {
///     Err(OAuthError::Authorization(e)) => assert_eq!(e.code, AuthorizationErrorCode::AccessDenied),
///     other => panic!("{other:?}"),
/// }
/// ```
pub fn parse_callback(redirect: &str, expected_state: &str) -> OAuthResult<AuthorizationCode> {
    read_callback(redirect)?.into_result(expected_state)
}

/// The parameters of a redirect back, each at most once.
struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    description: Option<String>,
    uri: Option<String>,
    iss: Option<String>,
}

fn read_callback(redirect: &str) -> OAuthResult<CallbackParams> {
    let url = match Url::parse(redirect) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => Url::parse("http://localhost")
            .and_then(|base| base.join(redirect))
            .map_err(|e| OAuthError::InvalidCallback(format!("cannot read the redirect: {e}")))?,
        Err(e) => return Err(OAuthError::InvalidCallback(format!("cannot read the redirect: {e}"))),
    };
    let (mut code, mut state, mut error, mut description, mut uri, mut iss) = (None, None, None, None, None, None);
    for (k, v) in url.query_pairs() {
        let slot = match k.as_ref() {
            "code" => &mut code,
            "state" => &mut state,
            "error" => &mut error,
            "error_description" => &mut description,
            "error_uri" => &mut uri,
            "iss" => &mut iss,
            _ => continue,
        };
        if slot.is_some() {
            // RFC 6749 §3.1: parameters must not be repeated.
            return Err(OAuthError::InvalidCallback(format!("the parameter `{k}` is repeated")));
        }
        *slot = Some(v.into_owned());
    }
    Ok(CallbackParams { code, state, error, description, uri, iss })
}

impl CallbackParams {
    fn into_result(self, expected_state: &str) -> OAuthResult<AuthorizationCode> {
        let CallbackParams { code, state, error, description, uri, iss } = self;
        let state_ok = state.as_deref().is_some_and(|s| constant_time_eq(s, expected_state));
        if let Some(error) = error {
            // An error redirect without state is still reported as the error (it grants nothing);
            // one with a wrong state is not from our request.
            if state.is_some() && !state_ok {
                return Err(OAuthError::StateMismatch);
            }
            return Err(OAuthError::Authorization(AuthorizationError {
                code: AuthorizationErrorCode::parse(&error),
                description,
                uri,
            }));
        }
        if !state_ok {
            return Err(OAuthError::StateMismatch);
        }
        match code {
            Some(code) if !code.is_empty() => Ok(AuthorizationCode { code: Secret::new(code), issuer: iss }),
            _ => Err(OAuthError::InvalidCallback("the redirect has neither `code` nor `error`".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_parameters_are_refused() {
        assert!(matches!(parse_callback("/cb?code=a&code=b&state=s", "s"), Err(OAuthError::InvalidCallback(_))));
    }

    #[test]
    fn missing_state_is_a_mismatch() {
        assert!(matches!(parse_callback("/cb?code=a", "s"), Err(OAuthError::StateMismatch)));
    }

    #[test]
    fn existing_query_is_kept_and_ours_replaced() {
        let (url, _) = AuthorizationRequest::new(
            Url::parse("https://as.example/authorize?tenant=1&state=old").unwrap(),
            "id",
            "https://app.example/cb",
        )
        .param("state", "nope")
        .param("prompt", "consent")
        .build()
        .unwrap();
        let pairs: Vec<_> = url.query_pairs().collect();
        assert_eq!(pairs.iter().filter(|(k, _)| k == "state").count(), 1);
        assert!(pairs.iter().any(|(k, v)| k == "tenant" && v == "1"));
        assert!(pairs.iter().any(|(k, v)| k == "prompt" && v == "consent"));
    }
}
