use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use tracing::Instrument;
use url::Url;

use super::error::{Error, Result};
use super::redact::{is_sensitive_header, one_line, url_for_display};
use super::request::{Auth, Body, Operation, RequestParts};
use super::response::RawResponse;
use super::retry::{self, RETRY_COUNT_HEADER};
use super::secret::Secret;

/// The default response size limit: 16 MiB. A JSON API's largest answers (a page of a list, a
/// key set) are far below a megabyte; 16 MiB leaves ample room for those while an endless or
/// hostile body stops long before it can hurt the process.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

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

/// OAuth client credentials. `Debug` shows the id, never the secret.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    /// The client id.
    pub client_id: String,
    /// The client secret; `None` for public clients.
    pub client_secret: Option<Secret>,
    /// How to present them.
    pub method: ClientAuthMethod,
}

impl ClientCredentials {
    /// A confidential client presenting its secret with HTTP Basic (`client_secret_basic`).
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        Self { client_id: client_id.into(), client_secret: Some(client_secret.into()), method: ClientAuthMethod::default() }
    }

    /// A public client: only `client_id` is sent, in the body.
    pub fn public(client_id: impl Into<String>) -> Self {
        Self { client_id: client_id.into(), client_secret: None, method: ClientAuthMethod::None }
    }

    /// The same credentials presented another way.
    pub fn with_method(mut self, method: ClientAuthMethod) -> Self {
        self.method = method;
        self
    }
}

/// A source of bearer tokens (an OAuth token manager, for instance) used instead of a fixed
/// API key. It is asked before every attempt of an operation that takes bearer auth; an error
/// from it fails the call, it never sends the request without credentials.
pub trait BearerSource: Send + Sync + fmt::Debug {
    /// The token to send now.
    fn bearer(&self) -> Pin<Box<dyn Future<Output = Result<Secret>> + Send + '_>>;
}

/// Per-request settings that override the client's.
///
/// `Debug` lists header and query names only, since their values may be credentials.
#[derive(Clone, Default)]
pub struct RequestOptions {
    /// Extra headers. They replace headers of the same name the client would send (including
    /// `authorization`).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Extra query parameters, appended after the operation's own.
    pub query: Vec<(String, String)>,
    /// Timeout for each attempt of this request.
    pub timeout: Option<Duration>,
    /// Maximum retries for this request.
    pub max_retries: Option<u32>,
    /// Whether this request may be sent again once it may have reached the server: `Some(true)`
    /// treats it as idempotent, `Some(false)` as not, `None` applies the rule of the
    /// [module documentation](super#retries).
    pub idempotent: Option<bool>,
    /// Largest response body accepted for this request, in bytes.
    pub max_response_bytes: Option<u64>,
    /// Time allowed for the whole call, all attempts and waits between them included.
    pub total_timeout: Option<Duration>,
    /// Problems found by [`RequestOptions::header`], reported when the request is executed.
    /// Public only so that `RequestOptions { timeout: .., ..Default::default() }` keeps working.
    #[doc(hidden)]
    pub invalid: Vec<String>,
}

impl RequestOptions {
    /// Adds a header. An invalid name or value, or a header that frames the message
    /// (`content-length`, `host`, `transfer-encoding`, `connection`, ...: the HTTP client sets
    /// those itself), is not an error here: the request fails with [`Error::InvalidInput`] when
    /// it is executed, before anything is sent. Values of credential headers are marked
    /// sensitive (hidden from `Debug`, never indexed by HTTP/2).
    pub fn header(&mut self, name: &str, value: &str) {
        let Ok(header) = HeaderName::from_bytes(name.as_bytes()) else {
            self.invalid.push(format!("invalid header name `{}`", one_line(name, 60)));
            return;
        };
        if is_framing_header(&header) {
            self.invalid.push(framing_problem(&header));
            return;
        }
        let Ok(mut value) = HeaderValue::from_str(value) else {
            self.invalid.push(format!("invalid value for header `{header}`"));
            return;
        };
        if is_sensitive_header(header.as_str()) {
            value.set_sensitive(true);
        }
        self.headers.push((header, value));
    }

    /// The problems [`RequestOptions::header`] recorded, and framing headers pushed directly
    /// into [`RequestOptions::headers`], as one error.
    pub fn validate(&self) -> Result<()> {
        let mut problems = self.invalid.clone();
        problems.extend(self.headers.iter().filter(|(n, _)| is_framing_header(n)).map(|(n, _)| framing_problem(n)));
        match problems.as_slice() {
            [] => Ok(()),
            problems => Err(Error::invalid_input(problems.join("; "))),
        }
    }
}

/// Headers that describe the message itself rather than the request. Sent by a caller they would
/// contradict what the HTTP client sends (a wrong `content-length` hangs the call).
fn is_framing_header(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "content-length"
            | "host"
            | "transfer-encoding"
            | "connection"
            | "keep-alive"
            | "proxy-connection"
            | "upgrade"
            | "te"
            | "trailer"
            | "expect"
    )
}

fn framing_problem(name: &HeaderName) -> String {
    format!("the header `{name}` frames the message and is set by the client itself")
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestOptions")
            .field("headers", &self.headers.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>())
            .field("query", &self.query.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>())
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("idempotent", &self.idempotent)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("total_timeout", &self.total_timeout)
            .field("invalid", &self.invalid)
            .finish()
    }
}

struct Inner {
    http: reqwest::Client,
    /// Where operations without their own server go.
    api_base: Url,
    /// Where operations with a server of their own go, when that server shares the default
    /// server's host; `None` when the override has no such layout (everything goes to `api_base`).
    root_base: Option<Url>,
    /// Host of the document's default server, to recognise operation servers on the same host.
    default_host: Option<String>,
    api_key: Option<Secret>,
    bearer_source: Option<Arc<dyn BearerSource>>,
    client_credentials: Option<ClientCredentials>,
    max_retries: u32,
    timeout: Duration,
    total_timeout: Option<Duration>,
    max_response_bytes: u64,
    retry_initial: Duration,
    retry_max: Duration,
    /// Sent with every request, before everything else (so anything can override them).
    default_headers: HeaderMap,
}

/// The API client. Cheap to clone: clones share one connection pool.
///
/// `Debug` shows the base URL (without credentials or query) and the settings; keys, secrets
/// and tokens show as `<redacted>`.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &url_for_display(&self.inner.api_base))
            .field("api_key", &self.inner.api_key)
            .field("bearer_source", &self.inner.bearer_source.is_some())
            .field("client_credentials", &self.inner.client_credentials)
            .field("max_retries", &self.inner.max_retries)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`].
pub struct ClientBuilder {
    info: &'static ApiInfo,
    base_url: Option<String>,
    api_key: Option<Secret>,
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
            (None, None) => Some(format!(
                "{} (Rust; {}; {})",
                self.info.user_agent,
                std::env::consts::OS,
                std::env::consts::ARCH
            )),
            (None, Some(_)) => None,
        };
        if let Some(ua) = user_agent {
            let value = HeaderValue::from_str(&ua).map_err(|_| Error::invalid_input("invalid user agent"))?;
            default_headers.insert(USER_AGENT, value);
        }
        if !default_headers.contains_key(ACCEPT) {
            // The operations answer JSON; one that does not gets what the caller asks for with
            // `.header("accept", ...)`.
            default_headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
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
                api_key: self.api_key,
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

/// An environment variable's value, with unset, empty and non-Unicode all meaning "not set".
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The parts of a request that stay the same across attempts.
struct Prepared {
    url: Url,
    headers: HeaderMap,
    body: Option<Bytes>,
    /// Whether the caller's headers already carry `authorization` (then no bearer is added).
    caller_authorization: bool,
    caller_retry_count: bool,
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

    /// The base URL operations without a server of their own are sent to.
    pub fn base_url(&self) -> &Url {
        &self.inner.api_base
    }

    /// The retry limit of this client (per-request options may override it).
    pub fn max_retries(&self) -> u32 {
        self.inner.max_retries
    }

    /// The per-attempt timeout of this client (per-request options may override it).
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    #[doc(hidden)]
    pub fn builder_for(info: &'static ApiInfo) -> ClientBuilder {
        ClientBuilder::for_api(info)
    }

    /// A builder configured from the environment variables named in `info` (API key, base URL,
    /// client id and secret); unset or empty variables are ignored.
    #[doc(hidden)]
    pub fn builder_from_env(info: &'static ApiInfo) -> Result<ClientBuilder> {
        let mut builder = ClientBuilder::for_api(info);
        if let Some(key) = env_var(info.env_api_key) {
            builder = builder.api_key(key.trim());
        }
        if let Some(url) = env_var(info.env_base_url) {
            builder = builder.base_url(url);
        }
        if let Some(id) = env_var(info.env_client_id) {
            let secret = env_var(info.env_client_secret).map(Secret::from);
            let method = if secret.is_some() { ClientAuthMethod::default() } else { ClientAuthMethod::None };
            builder = builder.client_credentials(ClientCredentials { client_id: id, client_secret: secret, method });
        }
        Ok(builder)
    }

    /// The URL an operation is sent to.
    pub fn url_for(&self, op: &Operation, path: &str) -> Result<Url> {
        // URL parsing resolves `.` and `..` segments (also `%2e%2e`): a path built by hand must
        // not climb out of the operation's path any more than a generated one can.
        if path.split('/').any(super::request::is_dot_segment) {
            return Err(Error::invalid_input(format!("{}: the path must not contain `.` or `..` segments", op.id)));
        }
        let base = match (op.server, &self.inner.root_base) {
            (Some(server), Some(root)) => {
                let server_url = Url::parse(server)
                    .map_err(|e| Error::invalid_input(format!("invalid server `{server}`: {e}")))?;
                let same_host = self.inner.default_host.is_some() && self.inner.default_host.as_deref() == server_url.host_str();
                if same_host {
                    let mut url = root.clone();
                    let joined =
                        format!("{}{}", root.path().trim_end_matches('/'), server_url.path().trim_end_matches('/'));
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

    /// Sends one operation and returns its response, whatever the status; the generated
    /// operation decides which statuses are errors. Retries as described in the
    /// [module documentation](super#retries).
    ///
    /// Nothing is sent when the input is invalid ([`Error::InvalidInput`]), including an invalid
    /// header added with [`RequestOptions::header`] or missing credentials.
    #[doc(hidden)]
    pub async fn execute(
        &self,
        op: &'static Operation,
        parts: RequestParts,
        options: &RequestOptions,
    ) -> Result<RawResponse> {
        self.execute_to(op, None, parts, options).await
    }

    /// Sends one operation to an absolute URL (an endpoint found by discovery, possibly on
    /// another host) instead of the client's base URL and the operation's path; otherwise the
    /// same as [`execute`](Self::execute): the same headers, retry rule, limits, redaction and
    /// tracing. Credentials in the client's default headers are not sent when the URL's origin
    /// is not the base URL's.
    #[doc(hidden)]
    pub async fn execute_at(
        &self,
        op: &'static Operation,
        url: Url,
        parts: RequestParts,
        options: &RequestOptions,
    ) -> Result<RawResponse> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::invalid_input(format!("{}: the URL scheme must be http or https", op.id)));
        }
        self.execute_to(op, Some(url), parts, options).await
    }

    async fn execute_to(
        &self,
        op: &'static Operation,
        url: Option<Url>,
        parts: RequestParts,
        options: &RequestOptions,
    ) -> Result<RawResponse> {
        options.validate()?;
        let replay = retry::Replay::of(&op.method, &parts.body, options.idempotent);
        let prepared = self.prepare(op, url, parts, options)?;
        let limits = Limits {
            max_retries: options.max_retries.unwrap_or(self.inner.max_retries),
            timeout: options.timeout.unwrap_or(self.inner.timeout),
            max_body: options.max_response_bytes.unwrap_or(self.inner.max_response_bytes),
            replay,
        };
        let span = tracing::debug_span!("request", operation = op.id, method = %op.method, path = op.path);
        let call = self.send_with_retries(op, prepared, limits).instrument(span);
        match options.total_timeout.or(self.inner.total_timeout) {
            Some(total) => tokio::time::timeout(total, call).await.unwrap_or(Err(Error::Timeout)),
            None => call.await,
        }
    }

    async fn send_with_retries(&self, op: &'static Operation, prepared: Prepared, limits: Limits) -> Result<RawResponse> {
        let Limits { max_retries, timeout, max_body, replay } = limits;
        let mut retries: u32 = 0;
        loop {
            let attempt = retries.saturating_add(1);
            let request = self.attempt_request(op, &prepared, retries, timeout).await?;
            let started = Instant::now();
            // `sent`: whether the request may have reached the server.
            let (error, sent) = match self.inner.http.execute(request).await {
                Ok(response) => {
                    let status = response.status();
                    match read_body(response, max_body).await {
                        Ok((headers, body)) => {
                            let elapsed_ms = started.elapsed().as_millis() as u64;
                            tracing::debug!(attempt, status = status.as_u16(), elapsed_ms, "response");
                            let retryable = !status.is_success() && replay.retries_status(status, &headers);
                            if retryable && retries < max_retries {
                                let delay = retry::server_delay(&headers, SystemTime::now())
                                    .unwrap_or_else(|| self.backoff(retries));
                                tracing::info!(
                                    attempt,
                                    status = status.as_u16(),
                                    delay_ms = delay.as_millis() as u64,
                                    "retrying after error status"
                                );
                                tokio::time::sleep(delay).await;
                                retries += 1;
                                continue;
                            }
                            return Ok(RawResponse { operation: op.id, status, headers, body, attempts: attempt });
                        }
                        Err(e) => (e, true),
                    }
                }
                Err(e) => {
                    let sent = !e.is_connect();
                    (Error::from_reqwest(e), sent)
                }
            };
            let elapsed_ms = started.elapsed().as_millis() as u64;
            let may_retry = error.is_retryable() && (!sent || replay == retry::Replay::Safe);
            if !may_retry || retries >= max_retries {
                tracing::debug!(attempt, elapsed_ms, error = %error, "request failed");
                return Err(error);
            }
            let delay = self.backoff(retries);
            tracing::info!(attempt, elapsed_ms, error = %error, delay_ms = delay.as_millis() as u64, "retrying after error");
            tokio::time::sleep(delay).await;
            retries += 1;
        }
    }

    fn backoff(&self, retries: u32) -> Duration {
        retry::backoff(retries, self.inner.retry_initial, self.inner.retry_max, retry::random_unit())
    }

    /// URL, headers and body: everything but what changes per attempt.
    fn prepare(&self, op: &Operation, url: Option<Url>, parts: RequestParts, options: &RequestOptions) -> Result<Prepared> {
        let mut headers = self.inner.default_headers.clone();
        let mut url = match url {
            None => self.url_for(op, &parts.path)?,
            Some(url) => {
                if url.origin() != self.inner.api_base.origin() {
                    // Default headers may carry credentials meant for the API's own origin.
                    let secret: Vec<HeaderName> =
                        headers.keys().filter(|n| is_sensitive_header(n.as_str())).cloned().collect();
                    for name in secret {
                        headers.remove(name);
                    }
                }
                url
            }
        };
        let mut body = parts.body;
        let mut query_key: Option<(&'static str, &Secret)> = None;
        let missing =
            |what: &str| Error::invalid_input(format!("{} requires {what}, and the client has none configured", op.id));
        match op.auth {
            Auth::None => {}
            Auth::Bearer { optional } => {
                if self.inner.bearer_source.is_none() {
                    match &self.inner.api_key {
                        Some(key) => {
                            headers.insert(AUTHORIZATION, bearer_value(key)?);
                        }
                        None if optional => {}
                        None => return Err(missing("an API key or bearer source")),
                    }
                }
            }
            Auth::ClientAuth { optional } | Auth::Basic { optional } => match &self.inner.client_credentials {
                None if optional => {}
                None => return Err(missing("OAuth client credentials")),
                Some(creds) => {
                    let method = if matches!(op.auth, Auth::Basic { .. }) {
                        ClientAuthMethod::ClientSecretBasic
                    } else {
                        creds.method
                    };
                    client_authenticate(creds, method, &mut headers, &mut body)?;
                }
            },
            Auth::ApiKeyHeader { name, optional } => match &self.inner.api_key {
                Some(key) => {
                    let name = HeaderName::from_static_checked(name)?;
                    let mut value = HeaderValue::from_str(key.expose())
                        .map_err(|_| Error::invalid_input("the API key contains characters not allowed in a header"))?;
                    value.set_sensitive(true);
                    headers.insert(name, value);
                }
                None if optional => {}
                None => return Err(missing("an API key")),
            },
            Auth::ApiKeyQuery { name, optional } => match &self.inner.api_key {
                Some(key) => query_key = Some((name, key)),
                None if optional => {}
                None => return Err(missing("an API key")),
            },
        }
        {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &parts.query {
                pairs.append_pair(k, v);
            }
            for (k, v) in &options.query {
                pairs.append_pair(k, v);
            }
            if let Some((name, key)) = query_key {
                pairs.append_pair(name, key.expose());
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        let body = match body {
            Body::Empty => None,
            Body::Json(bytes) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                Some(Bytes::from(bytes))
            }
            Body::Form(pairs) => {
                let encoded = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs.iter()).finish();
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/x-www-form-urlencoded"));
                Some(Bytes::from(encoded))
            }
            Body::Bytes { content_type, data } => {
                let value = HeaderValue::from_str(&content_type)
                    .map_err(|_| Error::invalid_input(format!("invalid content type `{}`", one_line(&content_type, 60))))?;
                headers.insert(CONTENT_TYPE, value);
                Some(data)
            }
        };
        let mut param_headers = Vec::with_capacity(parts.headers.len());
        for (name, value) in &parts.headers {
            let header = HeaderName::from_static_checked(name)?;
            let mut value = HeaderValue::from_str(value)
                .map_err(|_| Error::invalid_input(format!("invalid value for header parameter `{name}`")))?;
            if is_sensitive_header(name) {
                value.set_sensitive(true);
            }
            param_headers.push((header, value));
        }
        overlay(&mut headers, param_headers);
        overlay(&mut headers, options.headers.iter().cloned());
        Ok(Prepared {
            url,
            headers,
            body,
            caller_authorization: options.headers.iter().any(|(n, _)| n == AUTHORIZATION),
            caller_retry_count: options.headers.iter().any(|(n, _)| n.as_str() == RETRY_COUNT_HEADER),
        })
    }

    /// One attempt's request: the prepared parts plus a fresh bearer token and the retry count.
    async fn attempt_request(
        &self,
        op: &Operation,
        prepared: &Prepared,
        retries: u32,
        timeout: Duration,
    ) -> Result<reqwest::Request> {
        let mut request = reqwest::Request::new(op.method.clone(), prepared.url.clone());
        let headers = request.headers_mut();
        headers.clone_from(&prepared.headers);
        if let (Auth::Bearer { .. }, Some(source), false) =
            (op.auth, &self.inner.bearer_source, prepared.caller_authorization)
        {
            let token = source.bearer().await?;
            headers.insert(AUTHORIZATION, bearer_value(&token)?);
        }
        if !prepared.caller_retry_count {
            headers.insert(RETRY_COUNT_HEADER, HeaderValue::from(retries));
        }
        *request.body_mut() = prepared.body.clone().map(reqwest::Body::from);
        *request.timeout_mut() = Some(timeout);
        Ok(request)
    }
}

/// What one call may spend.
#[derive(Clone, Copy)]
struct Limits {
    max_retries: u32,
    timeout: Duration,
    max_body: u64,
    replay: retry::Replay,
}

/// Reads the body chunk by chunk, failing as soon as `content-length` announces more than
/// `limit` bytes or the bytes read pass it.
async fn read_body(mut response: reqwest::Response, limit: u64) -> Result<(HeaderMap, Bytes)> {
    let status = response.status();
    let too_large = || Error::ResponseTooLarge { status, limit };
    if response.content_length().is_some_and(|announced| announced > limit) {
        return Err(too_large());
    }
    // Reading the body needs no headers: take them instead of copying.
    let headers = std::mem::take(response.headers_mut());
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut total: u64 = 0;
    while let Some(chunk) = response.chunk().await.map_err(Error::from_reqwest)? {
        total = total.saturating_add(chunk.len() as u64);
        if total > limit {
            return Err(too_large());
        }
        chunks.push(chunk);
    }
    let body = match chunks.len() {
        0 => Bytes::new(),
        1 => chunks.pop().unwrap_or_default(),
        _ => Bytes::from(chunks.concat()),
    };
    Ok((headers, body))
}

/// `Bearer <token>`, marked sensitive.
fn bearer_value(token: &Secret) -> Result<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
        .map_err(|_| Error::invalid_input("the bearer token contains characters not allowed in a header"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// Presents OAuth client credentials (RFC 6749 §2.3.1) the way `method` says.
fn client_authenticate(
    creds: &ClientCredentials,
    method: ClientAuthMethod,
    headers: &mut HeaderMap,
    body: &mut Body,
) -> Result<()> {
    match method {
        ClientAuthMethod::ClientSecretBasic => {
            // The id and secret are form-encoded first, then joined with `:` and base64-encoded.
            let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            let secret = creds.client_secret.as_ref().map(|s| enc(s.expose())).unwrap_or_default();
            let credentials = STANDARD.encode(format!("{}:{secret}", enc(&creds.client_id)));
            let mut value = HeaderValue::from_str(&format!("Basic {credentials}"))
                .map_err(|_| Error::invalid_input("client credentials cannot be sent as a header"))?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        ClientAuthMethod::ClientSecretPost | ClientAuthMethod::None => {
            let secret = match method {
                ClientAuthMethod::ClientSecretPost => creds.client_secret.as_ref(),
                _ => None,
            };
            match body {
                Body::Form(pairs) => {
                    pairs.retain(|(k, _)| k != "client_id" && k != "client_secret");
                    pairs.push(("client_id".into(), creds.client_id.clone()));
                    if let Some(secret) = secret {
                        pairs.push(("client_secret".into(), secret.expose().to_owned()));
                    }
                }
                Body::Json(bytes) => {
                    let mut object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(bytes)
                        .map_err(|_| Error::invalid_input("client credentials can only be added to a JSON object body"))?;
                    object.insert("client_id".into(), creds.client_id.clone().into());
                    object.remove("client_secret");
                    if let Some(secret) = secret {
                        object.insert("client_secret".into(), secret.expose().into());
                    }
                    *bytes = serde_json::to_vec(&object)
                        .map_err(|e| Error::invalid_input(format!("cannot encode JSON body: {e}")))?;
                }
                Body::Empty => {
                    let mut pairs = vec![("client_id".to_owned(), creds.client_id.clone())];
                    if let Some(secret) = secret {
                        pairs.push(("client_secret".into(), secret.expose().to_owned()));
                    }
                    *body = Body::Form(pairs);
                }
                Body::Bytes { .. } => {
                    return Err(Error::invalid_input(
                        "client credentials in the body need a form or JSON body; use client_secret_basic",
                    ))
                }
            }
        }
    }
    Ok(())
}

/// Replaces every header named in `pairs` with the values given there (several values of one
/// name are all kept).
fn overlay(headers: &mut HeaderMap, pairs: impl IntoIterator<Item = (HeaderName, HeaderValue)>) {
    let pairs: Vec<_> = pairs.into_iter().collect();
    for (name, _) in &pairs {
        headers.remove(name);
    }
    for (name, value) in pairs {
        headers.append(name, value);
    }
}

trait HeaderNameExt: Sized {
    fn from_static_checked(name: &str) -> Result<Self>;
}

impl HeaderNameExt for HeaderName {
    /// A header name from generated code or the spec, checked rather than trusted.
    fn from_static_checked(name: &str) -> Result<Self> {
        HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::invalid_input(format!("invalid header name `{}`", one_line(name, 60))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::Method;

    static INFO: ApiInfo = ApiInfo {
        default_server: "https://api.example.com/v2",
        env_api_key: "RUNTIME_TEST_API_KEY",
        env_base_url: "RUNTIME_TEST_BASE_URL",
        env_client_id: "RUNTIME_TEST_CLIENT_ID",
        env_client_secret: "RUNTIME_TEST_CLIENT_SECRET",
        user_agent: "runtime-test/1.0",
    };

    static API_OP: Operation =
        Operation { id: "List", method: Method::GET, path: "/things", server: None, auth: Auth::None };
    static ROOT_OP: Operation = Operation {
        id: "WellKnown",
        method: Method::GET,
        path: "/.well-known/thing",
        server: Some("https://api.example.com"),
        auth: Auth::None,
    };
    static OTHER_HOST_OP: Operation = Operation {
        id: "Elsewhere",
        method: Method::GET,
        path: "/x",
        server: Some("https://auth.other.com/base"),
        auth: Auth::None,
    };

    fn urls(base_url: Option<&str>) -> [String; 3] {
        let mut builder = Client::builder_for(&INFO);
        if let Some(url) = base_url {
            builder = builder.base_url(url);
        }
        let client = builder.build().expect("client builds");
        [&API_OP, &ROOT_OP, &OTHER_HOST_OP]
            .map(|op| client.url_for(op, op.path).expect("url").to_string())
    }

    #[test]
    fn base_url_layouts() {
        let table: [(Option<&str>, [&str; 3]); 6] = [
            (
                None,
                ["https://api.example.com/v2/things", "https://api.example.com/.well-known/thing", "https://auth.other.com/base/x"],
            ),
            (
                Some("http://127.0.0.1:8080/v2"),
                ["http://127.0.0.1:8080/v2/things", "http://127.0.0.1:8080/.well-known/thing", "https://auth.other.com/base/x"],
            ),
            (
                Some("http://127.0.0.1:8080/v2/"),
                ["http://127.0.0.1:8080/v2/things", "http://127.0.0.1:8080/.well-known/thing", "https://auth.other.com/base/x"],
            ),
            (
                Some("http://proxy.local/telnyx/v2"),
                ["http://proxy.local/telnyx/v2/things", "http://proxy.local/telnyx/.well-known/thing", "https://auth.other.com/base/x"],
            ),
            (
                Some("http://127.0.0.1:4010"),
                ["http://127.0.0.1:4010/things", "http://127.0.0.1:4010/.well-known/thing", "http://127.0.0.1:4010/x"],
            ),
            (
                Some("http://127.0.0.1:4010/mock/"),
                ["http://127.0.0.1:4010/mock/things", "http://127.0.0.1:4010/mock/.well-known/thing", "http://127.0.0.1:4010/mock/x"],
            ),
        ];
        for (base, expected) in table {
            assert_eq!(urls(base), expected.map(str::to_owned), "base URL {base:?}");
        }
    }

    #[test]
    fn hand_built_paths_with_dot_segments_are_refused() {
        let client = Client::builder_for(&INFO).build().expect("client builds");
        for path in ["/things/..", "/things/./x", "/things/%2e%2E", "/things/%252e"] {
            let error = client.url_for(&API_OP, path).expect_err(path);
            assert!(matches!(error, Error::InvalidInput(_)), "{path}: {error:?}");
        }
        assert_eq!(client.url_for(&API_OP, "/things/a..b").expect("url").path(), "/v2/things/a..b");
    }

    #[test]
    fn invalid_base_urls_are_input_errors_without_echoing_the_url() {
        for raw in ["not a url", "ftp://host/v2", "127.0.0.1:4010?api_key=SECRETKEY"] {
            let error = Client::builder_for(&INFO).base_url(raw).build().expect_err("refused");
            assert!(matches!(error, Error::InvalidInput(_)), "{raw}: {error:?}");
            assert!(!error.to_string().contains("SECRETKEY"), "{error}");
        }
    }

    #[test]
    fn invalid_option_headers_are_recorded_not_raised() {
        let mut options = RequestOptions::default();
        options.header("x-ok", "1");
        options.header("bad name", "1");
        options.header("x-bad-value", "line\nbreak SECRETVALUE");
        assert_eq!(options.headers.len(), 1);
        let error = options.validate().expect_err("invalid");
        let text = error.to_string();
        assert!(text.contains("bad name") && text.contains("x-bad-value"), "{text}");
        assert!(!text.contains("SECRETVALUE"), "{text}");
    }

    #[test]
    fn credential_option_headers_are_hidden_from_debug() {
        let mut options = RequestOptions::default();
        options.header("Authorization", "Bearer SECRETTOKEN");
        options.query.push(("api_key".into(), "SECRETKEY".into()));
        let debug = format!("{options:?}");
        assert!(!debug.contains("SECRETTOKEN") && !debug.contains("SECRETKEY"), "{debug}");
        assert!(options.headers.first().is_some_and(|(_, v)| v.is_sensitive()));
    }
}
