use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use url::Url;

use super::error::{Error, Result};
use super::request::{Auth, Body, Operation, RequestParts};
use super::response::RawResponse;
use super::secret::Secret;

/// Facts about the API that the generator emits once per crate.
#[derive(Debug)]
pub struct ApiInfo {
    /// The document's first server URL, e.g. `https://api.telnyx.com/v2`.
    pub default_server: &'static str,
    /// Environment variable holding the API key, e.g. `TELNYX_API_KEY`.
    pub env_api_key: &'static str,
    /// Environment variable overriding the base URL, e.g. `TELNYX_BASE_URL`.
    pub env_base_url: &'static str,
    /// Environment variables for OAuth client credentials.
    pub env_client_id: &'static str,
    /// See `env_client_id`.
    pub env_client_secret: &'static str,
    /// `<crate>/<version>`.
    pub user_agent: &'static str,
}

/// How the client authenticates itself to an OAuth token or introspection endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ClientAuthMethod {
    /// HTTP Basic with the form-encoded id and secret (RFC 6749 §2.3.1). The default.
    #[default]
    ClientSecretBasic,
    /// `client_id` and `client_secret` as body fields.
    ClientSecretPost,
    /// Only `client_id` in the body (public clients).
    None,
}

/// OAuth client credentials.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    /// The client id.
    pub client_id: String,
    /// The client secret; `None` for public clients.
    pub client_secret: Option<Secret>,
    /// How to present them.
    pub method: ClientAuthMethod,
}

/// A source of bearer tokens (an OAuth token manager, for instance) used instead of a fixed
/// API key. It is asked before every attempt of an operation that takes bearer auth; an error
/// from it fails the call, it never sends the request without credentials.
pub trait BearerSource: Send + Sync + std::fmt::Debug {
    /// The token to send now.
    fn bearer(&self) -> Pin<Box<dyn Future<Output = Result<Secret>> + Send + '_>>;
}

/// Per-request settings that override the client's.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    /// Extra headers.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Extra query parameters.
    pub query: Vec<(String, String)>,
    /// Timeout for this request.
    pub timeout: Option<Duration>,
    /// Maximum retries for this request.
    pub max_retries: Option<u32>,
}

impl RequestOptions {
    /// Adds a header; an invalid name or value is reported when the request is sent.
    pub fn header(&mut self, name: &str, value: &str) -> Result<()> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::invalid_input(format!("invalid header name `{name}`")))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| Error::invalid_input(format!("invalid value for header `{name}`")))?;
        self.headers.push((name, value));
        Ok(())
    }
}

struct Inner {
    info: &'static ApiInfo,
    http: reqwest::Client,
    /// Where operations without their own server go.
    api_base: Url,
    /// Where operations with a server of their own go, when that server shares the default
    /// server's host; `None` when the override has no such layout (everything goes to `api_base`).
    root_base: Option<Url>,
    api_key: Option<Secret>,
    bearer_source: Option<Arc<dyn BearerSource>>,
    client_credentials: Option<ClientCredentials>,
    max_retries: u32,
    timeout: Duration,
}

/// The API client. Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.api_base.as_str())
            .field("api_key", &self.inner.api_key)
            .field("client_credentials", &self.inner.client_credentials)
            .field("max_retries", &self.inner.max_retries)
            .field("timeout", &self.inner.timeout)
            .finish()
    }
}

/// Builds a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    info: &'static ApiInfo,
    base_url: Option<String>,
    api_key: Option<Secret>,
    bearer_source: Option<Arc<dyn BearerSource>>,
    client_credentials: Option<ClientCredentials>,
    timeout: Duration,
    connect_timeout: Duration,
    max_retries: u32,
    default_headers: HeaderMap,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
}

impl ClientBuilder {
    #[doc(hidden)]
    pub fn for_api(info: &'static ApiInfo) -> Self {
        Self {
            info,
            base_url: None,
            api_key: None,
            bearer_source: None,
            client_credentials: None,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(5),
            max_retries: 2,
            default_headers: HeaderMap::new(),
            user_agent: None,
            http: None,
        }
    }

    /// The API key sent as a bearer token.
    pub fn api_key(mut self, key: impl Into<Secret>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Authenticates bearer operations with tokens from `source` instead of an API key.
    pub fn bearer_source(mut self, source: Arc<dyn BearerSource>) -> Self {
        self.bearer_source = Some(source);
        self
    }

    /// OAuth client credentials for token and introspection calls.
    pub fn client_credentials(mut self, credentials: ClientCredentials) -> Self {
        self.client_credentials = Some(credentials);
        self
    }

    /// Overrides the base URL.
    ///
    /// Give the URL that stands for the document's server. When it ends with the default
    /// server's path (`https://api.telnyx.com/v2`, `http://127.0.0.1:8080/v2`), operations that
    /// declare their own server on the same host (`/.well-known/*`) go to its root. Without that
    /// path (`http://127.0.0.1:4010`, a mock server serving the whole spec at its root), every
    /// operation goes to this URL.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Total time for one attempt (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connection timeout (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Retries after the first attempt (default 2).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// A header sent with every request.
    pub fn default_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.default_headers.insert(name, value);
        self
    }

    /// Replaces the user agent.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Uses a caller-supplied `reqwest::Client` (its own timeouts and redirect policy apply).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client> {
        let default = Url::parse(self.info.default_server)
            .map_err(|e| Error::invalid_input(format!("invalid default server: {e}")))?;
        let (api_base, root_base) = match &self.base_url {
            None => (default.clone(), Some(origin_of(&default))),
            Some(raw) => {
                let url = Url::parse(raw)
                    .map_err(|e| Error::invalid_input(format!("invalid base URL `{raw}`: {e}")))?;
                let default_path = default.path().trim_end_matches('/');
                let path = url.path().trim_end_matches('/');
                if !default_path.is_empty() && path.ends_with(default_path) {
                    let mut root = url.clone();
                    root.set_path(&path[..path.len() - default_path.len()]);
                    (url, Some(root))
                } else {
                    (url, None)
                }
            }
        };
        let user_agent = self.user_agent.unwrap_or_else(|| {
            format!("{} (Rust; {}; {})", self.info.user_agent, std::env::consts::OS, std::env::consts::ARCH)
        });
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .user_agent(user_agent)
                .default_headers(self.default_headers)
                .connect_timeout(self.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(Error::Connection)?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                info: self.info,
                http,
                api_base,
                root_base,
                api_key: self.api_key,
                bearer_source: self.bearer_source,
                client_credentials: self.client_credentials,
                max_retries: self.max_retries,
                timeout: self.timeout,
            }),
        })
    }
}

fn origin_of(url: &Url) -> Url {
    let mut root = url.clone();
    root.set_path("");
    root.set_query(None);
    root
}

impl Client {
    /// The underlying HTTP client (for helpers that call URLs found by discovery).
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The configured OAuth client credentials, if any.
    pub fn client_credentials(&self) -> Option<&ClientCredentials> {
        self.inner.client_credentials.as_ref()
    }

    #[doc(hidden)]
    pub fn builder_for(info: &'static ApiInfo) -> ClientBuilder {
        ClientBuilder::for_api(info)
    }

    /// The environment variable names and defaults this client reads.
    #[doc(hidden)]
    pub fn builder_from_env(info: &'static ApiInfo) -> Result<ClientBuilder> {
        let mut builder = ClientBuilder::for_api(info);
        if let Ok(key) = std::env::var(info.env_api_key) {
            builder = builder.api_key(key);
        }
        if let Ok(url) = std::env::var(info.env_base_url) {
            builder = builder.base_url(url);
        }
        if let Ok(id) = std::env::var(info.env_client_id) {
            builder = builder.client_credentials(ClientCredentials {
                client_id: id,
                client_secret: std::env::var(info.env_client_secret).ok().map(Secret::from),
                method: ClientAuthMethod::default(),
            });
        }
        Ok(builder)
    }

    /// The URL an operation is sent to.
    pub fn url_for(&self, op: &Operation, path: &str) -> Result<Url> {
        let base = match (op.server, &self.inner.root_base) {
            (Some(server), Some(root)) => {
                let default = Url::parse(self.inner.info.default_server).ok();
                let server_url = Url::parse(server)
                    .map_err(|e| Error::invalid_input(format!("invalid server `{server}`: {e}")))?;
                let same_host = default
                    .as_ref()
                    .is_some_and(|d| d.host_str() == server_url.host_str());
                if same_host {
                    let mut url = root.clone();
                    let joined = format!("{}{}", root.path().trim_end_matches('/'), server_url.path().trim_end_matches('/'));
                    url.set_path(&joined);
                    url
                } else {
                    server_url
                }
            }
            _ => self.inner.api_base.clone(),
        };
        let mut url = base;
        let joined = format!("{}{}", url.path().trim_end_matches('/'), path);
        url.set_path(&joined);
        Ok(url)
    }

    /// Sends one operation and returns its response, whatever the status.
    #[doc(hidden)]
    pub async fn execute(
        &self,
        op: &'static Operation,
        parts: RequestParts,
        options: &RequestOptions,
    ) -> Result<RawResponse> {
        let mut url = self.url_for(op, &parts.path)?;
        {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &parts.query {
                pairs.append_pair(k, v);
            }
            for (k, v) in &options.query {
                pairs.append_pair(k, v);
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        let mut req = self.inner.http.request(op.method.clone(), url);
        let mut body = parts.body;
        req = self.authenticate(op, req, &mut body)?;
        for (name, value) in &parts.headers {
            req = req.header(*name, value.as_str());
        }
        for (name, value) in &options.headers {
            req = req.header(name, value);
        }
        req = match body {
            Body::Empty => req,
            Body::Json(bytes) => req.header(CONTENT_TYPE, "application/json").body(bytes),
            Body::Form(pairs) => {
                let encoded = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(pairs.iter())
                    .finish();
                req.header(CONTENT_TYPE, "application/x-www-form-urlencoded").body(encoded)
            }
            Body::Bytes { content_type, data } => req.header(CONTENT_TYPE, content_type.as_ref()).body(data),
        };
        req = req.timeout(options.timeout.unwrap_or(self.inner.timeout));
        let resp = req.send().await.map_err(map_reqwest)?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(map_reqwest)?;
        Ok(RawResponse { operation: op.id, status, headers, body })
    }

    fn authenticate(
        &self,
        op: &Operation,
        req: reqwest::RequestBuilder,
        body: &mut Body,
    ) -> Result<reqwest::RequestBuilder> {
        let missing = |what: &str| {
            Error::invalid_input(format!("{} requires {what}, and the client has none configured", op.id))
        };
        match op.auth {
            Auth::None => Ok(req),
            Auth::Bearer { optional } => match &self.inner.api_key {
                Some(key) => Ok(req.header(AUTHORIZATION, format!("Bearer {}", key.expose()))),
                None if optional => Ok(req),
                None => Err(missing("an API key")),
            },
            Auth::ClientAuth { optional } | Auth::Basic { optional } => {
                let Some(creds) = &self.inner.client_credentials else {
                    return if optional { Ok(req) } else { Err(missing("OAuth client credentials")) };
                };
                let method = if matches!(op.auth, Auth::Basic { .. }) {
                    ClientAuthMethod::ClientSecretBasic
                } else {
                    creds.method
                };
                match method {
                    ClientAuthMethod::ClientSecretBasic => {
                        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
                        let secret = creds.client_secret.as_ref().map(|s| enc(s.expose())).unwrap_or_default();
                        Ok(req.basic_auth(enc(&creds.client_id), Some(secret)))
                    }
                    ClientAuthMethod::ClientSecretPost | ClientAuthMethod::None => {
                        if let Body::Form(pairs) = body {
                            pairs.retain(|(k, _)| k != "client_id" && k != "client_secret");
                            pairs.push(("client_id".into(), creds.client_id.clone()));
                            if method == ClientAuthMethod::ClientSecretPost {
                                if let Some(secret) = &creds.client_secret {
                                    pairs.push(("client_secret".into(), secret.expose().to_owned()));
                                }
                            }
                        }
                        Ok(req)
                    }
                }
            }
            Auth::ApiKeyHeader { name, optional } => match &self.inner.api_key {
                Some(key) => Ok(req.header(name, key.expose())),
                None if optional => Ok(req),
                None => Err(missing("an API key")),
            },
            Auth::ApiKeyQuery { name, optional } => match &self.inner.api_key {
                Some(key) => Ok(req.query(&[(name, key.expose())])),
                None if optional => Ok(req),
                None => Err(missing("an API key")),
            },
        }
    }
}

fn map_reqwest(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout
    } else {
        Error::Connection(e)
    }
}
