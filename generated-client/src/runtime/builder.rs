//! Building a [`Client`]: facts the generator emits ([`ApiInfo`]), the settings of
//! [`ClientBuilder`], and base-URL layout.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, USER_AGENT};
use url::Url;

use super::client::{BearerSource, Client, Inner};
use super::client_auth::ClientCredentials;
use super::error::{Error, Result};
use super::options::{framing_problem, is_framing_header};
use super::redact::{is_sensitive_header, url_for_display};
use super::secret::Secret;

/// The default response size limit: 16 MiB. A JSON API's largest answers (a page of a list, a
/// key set) are far below a megabyte; 16 MiB leaves ample room for those while an endless or
/// hostile body stops long before it can hurt the process.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// The `accept` header sent unless the caller sets one: JSON preferred, since that is what
/// operations decode, but anything else accepted at a lower weight, so that an operation
/// documented to answer something else (an HTML error page, a file) still gets its answer
/// instead of a `406`.
pub const DEFAULT_ACCEPT: &str = "application/json, */*;q=0.5";

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

/// Builds a [`Client`].
pub struct ClientBuilder {
    info: &'static ApiInfo,
    base_url: Option<String>,
    api_key: Option<Secret>,
    api_keys: BTreeMap<String, Secret>,
    bearer_source: Option<Arc<dyn BearerSource>>,
    client_credentials: Option<ClientCredentials>,
    timeout: Duration,
    total_timeout: Option<Duration>,
    connect_timeout: Duration,
    max_retries: u32,
    max_response_bytes: u64,
    retry_initial: Duration,
    retry_max: Duration,
    default_headers: HeaderMap,
    user_agent: Option<String>,
    http: Option<reqwest::ClientBuilder>,
    /// Problems found by setters that cannot fail, reported by `build`.
    invalid: Vec<String>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base_url = self.base_url.as_deref().map(|raw| match Url::parse(raw) {
            Ok(url) => url_for_display(&url),
            Err(_) => "<invalid URL>".to_owned(),
        });
        f.debug_struct("ClientBuilder")
            .field("base_url", &base_url)
            .field("api_key", &self.api_key)
            .field("api_keys", &self.api_keys)
            .field("bearer_source", &self.bearer_source.is_some())
            .field("client_credentials", &self.client_credentials)
            .field("timeout", &self.timeout)
            .field("total_timeout", &self.total_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_retries", &self.max_retries)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("retry_backoff", &(self.retry_initial, self.retry_max))
            .field("default_headers", &self.default_headers.keys().map(HeaderName::as_str).collect::<Vec<_>>())
            .field("user_agent", &self.user_agent)
            .field("http_client", &self.http.is_some())
            .finish()
    }
}

impl ClientBuilder {
    #[doc(hidden)]
    pub fn for_api(info: &'static ApiInfo) -> Self {
        Self {
            info,
            base_url: None,
            api_key: None,
            api_keys: BTreeMap::new(),
            bearer_source: None,
            client_credentials: None,
            timeout: Duration::from_secs(60),
            total_timeout: None,
            connect_timeout: Duration::from_secs(5),
            max_retries: 2,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            retry_initial: Duration::from_millis(500),
            retry_max: Duration::from_secs(8),
            default_headers: HeaderMap::new(),
            user_agent: None,
            http: None,
            invalid: Vec::new(),
        }
    }

    /// The API key sent as a bearer token.
    pub fn api_key(mut self, key: impl Into<Secret>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The key for the API-key security scheme sent in the header or query parameter `name`
    /// (`PLAID-SECRET`; header names are compared case-insensitively). Operations that need
    /// several keys at once (a client id and a secret) take each from here; a scheme without a
    /// key of its own uses [`api_key`](Self::api_key).
    pub fn api_key_for(mut self, name: &str, key: impl Into<Secret>) -> Self {
        self.api_keys.insert(name.to_ascii_lowercase(), key.into());
        self
    }

    /// Authenticates bearer operations with tokens from `source` instead of an API key. The
    /// source is asked before every attempt, so a retried call picks up a refreshed token.
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

    /// Time allowed for each attempt, from sending the request to reading the whole body
    /// (default 60 s). Retries get the same time again.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed for a whole call: every attempt and every wait between attempts (default:
    /// no limit beyond `timeout` per attempt). When it runs out the call fails with
    /// [`Error::Timeout`].
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = Some(timeout);
        self
    }

    /// Largest response body the client reads, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`], 16 MiB). The body is read chunk by chunk and the call
    /// fails with [`Error::ResponseTooLarge`] as soon as `content-length` announces more or the
    /// bytes read pass the limit, so an endless body costs at most this much memory.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Connection timeout (default 5 s). Not applied to a client given with
    /// [`http_client`](Self::http_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Retries after the first attempt (default 2). See the [module documentation](super#retries)
    /// for what is retried and how long the client waits.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The backoff between retries when the server does not say how long to wait: retry `n`
    /// (from 0) waits `min(initial · 2ⁿ, max)` less up to 25 % jitter. Default 0.5 s and 8 s.
    pub fn retry_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.retry_initial = initial;
        self.retry_max = max;
        self
    }

    /// A header sent with every request (operation parameters and per-request headers replace
    /// it). Values of credential headers are marked sensitive.
    ///
    /// A header that frames the message (`content-length`, `host`, ...) makes `build` fail.
    pub fn default_header(mut self, name: HeaderName, mut value: HeaderValue) -> Self {
        if is_framing_header(&name) {
            self.invalid.push(framing_problem(&name));
            return self;
        }
        if is_sensitive_header(name.as_str()) {
            value.set_sensitive(true);
        }
        self.default_headers.insert(name, value);
        self
    }

    /// Replaces the user agent (default `<crate>/<version> (Rust; <os>; <arch>)`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Builds the HTTP client from a caller-supplied `reqwest::ClientBuilder` (its connect
    /// timeout, proxy, TLS and pool settings apply; this builder's user agent is sent only if set
    /// explicitly).
    ///
    /// Whatever the given builder says, redirects are not followed: the runtime sets
    /// `redirect::Policy::none()`, so a `3xx` comes back to the caller as the response and no
    /// credential in a header or body ever reaches an origin the operation was not sent to.
    pub fn http_client(mut self, http: reqwest::ClientBuilder) -> Self {
        self.http = Some(http);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client> {
        if !self.invalid.is_empty() {
            return Err(Error::invalid_input(self.invalid.join("; ")));
        }
        let default = Url::parse(self.info.default_server)
            .map_err(|e| Error::invalid_input(format!("invalid default server: {e}")))?;
        let (api_base, root_base) = match &self.base_url {
            None => (default.clone(), Some(origin_of(&default))),
            Some(raw) => {
                let url = Url::parse(raw.trim()).map_err(|e| Error::invalid_input(format!("invalid base URL: {e}")))?;
                if !matches!(url.scheme(), "http" | "https") {
                    return Err(Error::invalid_input(format!(
                        "invalid base URL: scheme `{}` is not http or https",
                        url.scheme()
                    )));
                }
                let default_path = default.path().trim_end_matches('/');
                let path = url.path().trim_end_matches('/');
                match path.strip_suffix(default_path) {
                    Some(prefix) if !default_path.is_empty() => {
                        let mut root = url.clone();
                        root.set_path(prefix);
                        (url, Some(root))
                    }
                    _ => (url, None),
                }
            }
        };
        let mut default_headers = self.default_headers;
        let user_agent = match (self.user_agent, &self.http) {
            (Some(ua), _) => Some(ua),
            (None, None) => {
                Some(format!("{} (Rust; {}; {})", self.info.user_agent, std::env::consts::OS, std::env::consts::ARCH))
            }
            (None, Some(_)) => None,
        };
        if let Some(ua) = user_agent {
            let value = HeaderValue::from_str(&ua).map_err(|_| Error::invalid_input("invalid user agent"))?;
            default_headers.insert(USER_AGENT, value);
        }
        if !default_headers.contains_key(ACCEPT) {
            default_headers.insert(ACCEPT, HeaderValue::from_static(DEFAULT_ACCEPT));
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder().connect_timeout(self.connect_timeout),
        };
        // Never follow redirects: a followed redirect re-sends headers (and, for 307/308, the
        // body with client secrets or tokens) to wherever the server points.
        let http = http.redirect(reqwest::redirect::Policy::none()).build().map_err(Error::from_reqwest)?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                api_base,
                root_base,
                default_host: default.host_str().map(str::to_owned),
                api_key_bearer: self.api_key.as_ref().and_then(|key| super::prepare::bearer_value(key).ok()),
                api_key: self.api_key,
                api_keys: self.api_keys,
                bearer_source: self.bearer_source,
                client_credentials: self.client_credentials,
                max_retries: self.max_retries,
                timeout: self.timeout,
                total_timeout: self.total_timeout,
                max_response_bytes: self.max_response_bytes,
                retry_initial: self.retry_initial,
                retry_max: self.retry_max,
                default_headers,
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
