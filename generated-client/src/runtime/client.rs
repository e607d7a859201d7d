//! The [`Client`] itself: shared state, accessors and environment configuration. Requests are
//! prepared in `prepare.rs`, sent and retried in `send.rs`, and routed in `urls.rs`.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use url::Url;

use super::builder::{ApiInfo, ClientBuilder};
use super::client_auth::{ClientAuthMethod, ClientCredentials};
use super::error::Result;
use super::redact::url_for_display;
use super::secret::Secret;

/// A source of bearer tokens (an OAuth token manager, for instance) used instead of a fixed
/// API key. It is asked before every attempt of an operation that takes bearer auth; an error
/// from it fails the call, it never sends the request without credentials.
pub trait BearerSource: Send + Sync + fmt::Debug {
    /// The token to send now.
    fn bearer(&self) -> Pin<Box<dyn Future<Output = Result<Secret>> + Send + '_>>;
}

pub(super) struct Inner {
    pub(super) http: reqwest::Client,
    /// Where operations without their own server go.
    pub(super) api_base: Url,
    /// Where operations with a server of their own go, when that server shares the default
    /// server's host; `None` when the override has no such layout (everything goes to `api_base`).
    pub(super) root_base: Option<Url>,
    /// Host of the document's default server, to recognise operation servers on the same host.
    pub(super) default_host: Option<String>,
    pub(super) api_key: Option<Secret>,
    /// `Bearer <api_key>`, built once (marked sensitive); `None` without a key or when the key
    /// cannot be a header value (then each request fails with the error `bearer_value` gives).
    pub(super) api_key_bearer: Option<reqwest::header::HeaderValue>,
    /// Keys for API-key schemes, by lower-cased header or query parameter name.
    pub(super) api_keys: BTreeMap<String, Secret>,
    pub(super) bearer_source: Option<Arc<dyn BearerSource>>,
    pub(super) client_credentials: Option<ClientCredentials>,
    pub(super) max_retries: u32,
    pub(super) timeout: Duration,
    pub(super) total_timeout: Option<Duration>,
    pub(super) max_response_bytes: u64,
    pub(super) retry_initial: Duration,
    pub(super) retry_max: Duration,
    /// Sent with every request, before everything else (so anything can override them).
    pub(super) default_headers: HeaderMap,
}

/// The API client. Cheap to clone: clones share one connection pool.
///
/// `Debug` shows the base URL (without credentials or query) and the settings; keys, secrets
/// and tokens show as `<redacted>`.
#[derive(Clone)]
pub struct Client {
    pub(super) inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &url_for_display(&self.inner.api_base))
            .field("api_key", &self.inner.api_key)
            .field("api_keys", &self.inner.api_keys)
            .field("bearer_source", &self.inner.bearer_source.is_some())
            .field("client_credentials", &self.inner.client_credentials)
            .field("max_retries", &self.inner.max_retries)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

impl Client {
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
}

/// An environment variable's value, with unset, empty and non-Unicode all meaning "not set".
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}
