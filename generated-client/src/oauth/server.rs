//! Where the authorization server's endpoints are: defaults from the base URL, or RFC 8414
//! discovery; and RFC 9728 protected resource metadata.

use url::Url;

use super::error::{OAuthError, OAuthResult};
use super::http::{Transport, FETCH_METADATA};
use crate::oauth_types::{AuthorizationServerMetadata, ProtectedResourceMetadata};
use crate::runtime::{Auth, Client, Operation};

/// The documented default API base URL. Default endpoints are this plus `/oauth/token` etc.;
/// a client built with another base URL (`TELNYX_BASE_URL`) gets endpoints under that one.
pub const DEFAULT_BASE_URL: &str = "https://api.telnyx.com/v2";

/// An operation without a server of its own: `Client::url_for` gives the client's API base.
static API_BASE: Operation =
    Operation { id: "OAuthHelpers", method: reqwest::Method::GET, path: "", server: None, auth: Auth::None };

/// The client's API base URL, without a trailing slash (`https://api.telnyx.com/v2`).
pub(crate) fn api_base(client: &Client) -> OAuthResult<Url> {
    Ok(client.url_for(&API_BASE, "")?)
}

/// The client's host root: the API base without the default server's path (`/v2`), where
/// Telnyx serves its `/.well-known/` documents. A base URL that does not end with that path
/// is taken as the root itself.
pub(crate) fn host_root(client: &Client) -> OAuthResult<Url> {
    let base = api_base(client)?;
    let default = Url::parse(crate::generated::API_INFO.default_server)
        .map_err(|e| OAuthError::Config(format!("invalid default server: {e}")))?;
    let default_path = default.path().trim_end_matches('/');
    let path = base.path().trim_end_matches('/');
    let mut root = base.clone();
    if !default_path.is_empty() && path.ends_with(default_path) {
        root.set_path(&path[..path.len() - default_path.len()]);
    }
    Ok(root)
}

/// The well-known URL for an issuer or resource identifier: `/.well-known/{suffix}` goes
/// between the host and the identifier's path (RFC 8414 §3.1, RFC 9728 §3.1).
///
/// ```
/// use telnyx_oauth::oauth::well_known_url;
/// assert_eq!(
///     well_known_url("https://api.telnyx.com", "oauth-authorization-server").unwrap().as_str(),
///     "https://api.telnyx.com/.well-known/oauth-authorization-server"
/// );
/// assert_eq!(
///     well_known_url("https://example.com/tenant1", "oauth-authorization-server").unwrap().as_str(),
///     "https://example.com/.well-known/oauth-authorization-server/tenant1"
/// );
/// ```
pub fn well_known_url(identifier: &str, suffix: &str) -> OAuthResult<Url> {
    let mut url =
        Url::parse(identifier).map_err(|e| OAuthError::Config(format!("invalid identifier `{identifier}`: {e}")))?;
    let path = url.path().trim_end_matches('/').to_owned();
    url.set_path(&format!("/.well-known/{suffix}{path}"));
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// Issuer and resource identifiers compare as exact strings (RFC 8414 §3.3, RFC 9728 §3.3):
/// `https://a.example` and `https://a.example/` are different identifiers.
fn same_identifier(a: &str, b: &str) -> bool {
    a == b
}

impl ProtectedResourceMetadata {
    /// Fetches the metadata of `resource` from its RFC 9728 well-known URL and checks that the
    /// document names the same resource.
    ///
    /// ```no_run
    /// # async fn run() -> telnyx_oauth::oauth::OAuthResult<()> {
    /// use telnyx_oauth::{oauth::ProtectedResourceMetadata, Client};
    /// let client = Client::builder().build()?;
    /// let meta = ProtectedResourceMetadata::discover(&client, "https://api.telnyx.com").await?;
    /// println!("issuers: {:?}", meta.authorization_servers);
    /// # Ok(()) }
    /// ```
    pub async fn discover(client: &Client, resource: &str) -> OAuthResult<Self> {
        let url = well_known_url(resource, "oauth-protected-resource")?;
        Self::discover_at(client, url.as_str(), Some(resource)).await
    }

    /// Fetches the metadata document at `url`, checking its `resource` when `expected_resource`
    /// is given.
    pub async fn discover_at(client: &Client, url: &str, expected_resource: Option<&str>) -> OAuthResult<Self> {
        let url = parse_url("metadata URL", url)?;
        let meta: Self = transport(client).get(&FETCH_METADATA, &url).await?.json()?;
        if let Some(expected) = expected_resource {
            if !same_identifier(&meta.resource, expected) {
                return Err(OAuthError::IssuerMismatch {
                    expected: expected.to_owned(),
                    found: meta.resource,
                    url: url.to_string(),
                });
            }
        }
        Ok(meta)
    }

    /// The protected resource metadata of the client's API, from
    /// `{host root}/.well-known/oauth-protected-resource` (Telnyx serves it at the host root,
    /// not under `/v2`). Its `resource` is not checked, since the API's resource identifier
    /// is whatever the server names; use [`discover`](Self::discover) to check one.
    pub async fn for_client(client: &Client) -> OAuthResult<Self> {
        let root = host_root(client)?;
        let url = well_known_url(root.as_str(), "oauth-protected-resource")?;
        Self::discover_at(client, url.as_str(), None).await
    }
}

fn parse_url(what: &str, raw: &str) -> OAuthResult<Url> {
    Url::parse(raw).map_err(|e| OAuthError::Config(format!("invalid {what} `{raw}`: {e}")))
}

pub(crate) fn transport(client: &Client) -> Transport {
    Transport::new(client)
}

/// The endpoints of an authorization server, from defaults or discovery.
///
/// ```
/// use telnyx_oauth::oauth::AuthServer;
/// let server = AuthServer::from_base_url("https://api.telnyx.com/v2").unwrap();
/// assert_eq!(server.token_endpoint.as_str(), "https://api.telnyx.com/v2/oauth/token");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AuthServer {
    /// The issuer identifier, when known (always after discovery). Checked against the `iss`
    /// of callbacks (RFC 9207) and usable as the expected `iss` of JWTs.
    pub issuer: Option<String>,
    /// Where the browser is sent to authorize; `None` if the server has none.
    pub authorization_endpoint: Option<Url>,
    /// The token endpoint.
    pub token_endpoint: Url,
    /// Token introspection (RFC 7662).
    pub introspection_endpoint: Option<Url>,
    /// Token revocation (RFC 7009).
    pub revocation_endpoint: Option<Url>,
    /// The JWK set.
    pub jwks_uri: Option<Url>,
    /// The device authorization endpoint (RFC 8628), for
    /// [`OAuth::start_device_authorization`](super::OAuth::start_device_authorization).
    pub device_authorization_endpoint: Option<Url>,
    /// The discovered document, if the endpoints came from discovery.
    pub metadata: Option<AuthorizationServerMetadata>,
}

impl AuthServer {
    /// Endpoints under an API base URL: `{base}/oauth/authorize`, `/oauth/token`,
    /// `/oauth/introspect` and `/oauth/jwks` (Telnyx's layout). No issuer, no revocation.
    pub fn from_base_url(base: &str) -> OAuthResult<Self> {
        let base = parse_url("base URL", base)?;
        let at = |path: &str| {
            let mut url = base.clone();
            url.set_path(&format!("{}{path}", base.path().trim_end_matches('/')));
            url
        };
        Ok(Self {
            issuer: None,
            authorization_endpoint: Some(at("/oauth/authorize")),
            token_endpoint: at("/oauth/token"),
            introspection_endpoint: Some(at("/oauth/introspect")),
            revocation_endpoint: None,
            jwks_uri: Some(at("/oauth/jwks")),
            device_authorization_endpoint: None,
            metadata: None,
        })
    }

    /// Endpoints under the client's base URL ([`DEFAULT_BASE_URL`] unless the client was built
    /// with another, e.g. from `TELNYX_BASE_URL`).
    pub fn for_client(client: &Client) -> OAuthResult<Self> {
        Self::from_base_url(api_base(client)?.as_str())
    }

    /// Endpoints from a metadata document (which must name a token endpoint).
    pub fn from_metadata(metadata: AuthorizationServerMetadata) -> OAuthResult<Self> {
        let opt = |what: &str, v: &Option<String>| v.as_deref().map(|s| parse_url(what, s)).transpose();
        let token_endpoint = opt("token_endpoint", &metadata.token_endpoint)?.ok_or_else(|| {
            OAuthError::Config(format!("the metadata of `{}` names no token_endpoint", metadata.issuer))
        })?;
        Ok(Self {
            issuer: Some(metadata.issuer.clone()),
            authorization_endpoint: opt("authorization_endpoint", &metadata.authorization_endpoint)?,
            token_endpoint,
            introspection_endpoint: opt("introspection_endpoint", &metadata.introspection_endpoint)?,
            revocation_endpoint: opt("revocation_endpoint", &metadata.revocation_endpoint)?,
            jwks_uri: opt("jwks_uri", &metadata.jwks_uri)?,
            device_authorization_endpoint: opt(
                "device_authorization_endpoint",
                &metadata.device_authorization_endpoint,
            )?,
            metadata: Some(metadata),
        })
    }

    /// RFC 8414 discovery: fetches `/.well-known/oauth-authorization-server` for `issuer`
    /// (inserted between its host and path) and requires the document's `issuer` to equal
    /// `issuer`.
    ///
    /// ```no_run
    /// # async fn run() -> telnyx_oauth::oauth::OAuthResult<()> {
    /// use telnyx_oauth::{oauth::AuthServer, Client};
    /// let client = Client::builder().build()?;
    /// let server = AuthServer::discover(&client, "https://login.example.com").await?;
    /// println!("token endpoint: {}", server.token_endpoint);
    /// # Ok(()) }
    /// ```
    ///
    /// A server that has no RFC 8414 document (404) but is an OpenID Provider is discovered
    /// through its OpenID Connect configuration instead ([`discover_oidc`](Self::discover_oidc)):
    /// the two documents share their members.
    pub async fn discover(client: &Client, issuer: &str) -> OAuthResult<Self> {
        let url = well_known_url(issuer, "oauth-authorization-server")?;
        match Self::discover_at(client, url.as_str(), issuer).await {
            Err(e) if e.status() == Some(reqwest::StatusCode::NOT_FOUND) => Self::discover_oidc(client, issuer).await,
            other => other,
        }
    }

    /// OpenID Connect Discovery 1.0 §4: fetches `{issuer}/.well-known/openid-configuration`
    /// (appended to the issuer's path, unlike RFC 8414) and requires the document's `issuer` to
    /// equal `issuer`.
    pub async fn discover_oidc(client: &Client, issuer: &str) -> OAuthResult<Self> {
        let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
        Self::discover_at(client, &url, issuer).await
    }

    /// Fetches a metadata document from `url` and requires its `issuer` to equal
    /// `expected_issuer`, for servers whose document is not where RFC 8414 puts it.
    pub async fn discover_at(client: &Client, url: &str, expected_issuer: &str) -> OAuthResult<Self> {
        let url = parse_url("metadata URL", url)?;
        let metadata: AuthorizationServerMetadata = transport(client).get(&FETCH_METADATA, &url).await?.json()?;
        if !same_identifier(&metadata.issuer, expected_issuer) {
            return Err(OAuthError::IssuerMismatch {
                expected: expected_issuer.to_owned(),
                found: metadata.issuer,
                url: url.to_string(),
            });
        }
        Self::from_metadata(metadata)
    }

    /// Discovery for the client's API: Telnyx serves the document at the host root
    /// (`https://api.telnyx.com/.well-known/oauth-authorization-server`, while the API is under
    /// `/v2`), so the expected issuer is the host root (`https://api.telnyx.com`), as RFC 8414
    /// §3.3 requires of a document at that URL.
    ///
    /// ```no_run
    /// # async fn run() -> telnyx_oauth::oauth::OAuthResult<()> {
    /// use telnyx_oauth::{oauth::AuthServer, Client};
    /// let client = Client::from_env()?; // TELNYX_BASE_URL may point at a mock
    /// let server = AuthServer::discover_for_client(&client).await?;
    /// # Ok(()) }
    /// ```
    pub async fn discover_for_client(client: &Client) -> OAuthResult<Self> {
        let root = host_root(client)?;
        let issuer = root.as_str().trim_end_matches('/').to_owned();
        Self::discover(client, &issuer).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_compare_as_exact_strings() {
        assert!(same_identifier("https://a.example", "https://a.example"));
        assert!(!same_identifier("https://a.example", "https://a.example/"));
        assert!(!same_identifier("https://a.example", "https://a.example/x"));
        assert!(!same_identifier("https://a.example", "http://a.example"));
    }

    #[test]
    fn host_root_strips_the_api_path() {
        let client = Client::builder().base_url("http://127.0.0.1:9/v2").build().unwrap();
        assert_eq!(host_root(&client).unwrap().as_str(), "http://127.0.0.1:9/");
        assert_eq!(api_base(&client).unwrap().as_str(), "http://127.0.0.1:9/v2");
        let client = Client::builder().build().unwrap();
        assert_eq!(host_root(&client).unwrap().as_str(), "https://api.telnyx.com/");
        let server = AuthServer::for_client(&client).unwrap();
        assert_eq!(server.token_endpoint.as_str(), format!("{DEFAULT_BASE_URL}/oauth/token"));
    }
}
