//! Turning an operation and its parts into a request: URL, query, credentials, body, headers.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use url::Url;

use super::client::Client;
use super::client_auth::{client_authenticate, ClientAuthMethod};
use super::error::{Error, Result};
use super::options::RequestOptions;
use super::redact::{is_sensitive_header, one_line};
use super::request::{Auth, Body, Operation, RequestParts};
use super::retry::RETRY_COUNT_HEADER;
use super::secret::Secret;

/// The parts of a request that stay the same across attempts.
pub(super) struct Prepared {
    pub(super) url: Url,
    /// The call's own headers (content type, credentials, header parameters, the caller's),
    /// each name replacing the client's default headers of that name. The defaults are added
    /// per attempt, so that they are copied once per attempt rather than also once per call.
    /// Empty (not allocated) for a call without headers of its own: the client's API key is
    /// not copied here but added per attempt (`api_key_bearer`).
    pub(super) headers: HeaderMap,
    /// Whether the client's `Bearer <api key>` goes in `authorization` (unless `headers` has an
    /// `authorization` of its own, which then replaces it as it replaces a default header).
    pub(super) api_key_bearer: bool,
    /// Whether the default headers that may carry credentials are left out (a URL on another
    /// origin than the API's).
    pub(super) drop_sensitive_defaults: bool,
    pub(super) body: Option<Bytes>,
    /// Whether the caller's headers already carry `authorization` (then no bearer is added).
    pub(super) caller_authorization: bool,
    /// Whether the chosen security requirement takes a bearer token from the bearer source.
    pub(super) bearer_from_source: bool,
    pub(super) caller_retry_count: bool,
}

impl Client {
    /// URL, headers and body: everything but what changes per attempt.
    pub(super) fn prepare(
        &self,
        op: &Operation,
        url: Option<Url>,
        parts: RequestParts,
        options: &RequestOptions,
    ) -> Result<Prepared> {
        let mut headers = HeaderMap::new();
        let mut drop_sensitive_defaults = false;
        let mut url = match url {
            None => self.url_for(op, &parts.path)?,
            Some(url) => {
                // Default headers may carry credentials meant for the API's own origin.
                drop_sensitive_defaults = url.origin() != self.inner.api_base.origin();
                url
            }
        };
        let mut body = parts.body;
        let mut query_keys: Vec<(&'static str, &Secret)> = Vec::new();
        let mut bearer = Bearer::None;
        self.apply_auth(op, op.auth, &mut headers, &mut body, &mut query_keys, &mut bearer)?;
        // `query_pairs_mut` rewrites the URL even with nothing to add: skip it then.
        if !(parts.query.is_empty() && options.query.is_empty() && query_keys.is_empty()) {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &parts.query {
                pairs.append_pair(k, v);
            }
            for (k, v) in &options.query {
                pairs.append_pair(k, v);
            }
            for (name, key) in query_keys {
                pairs.append_pair(name, key.expose());
            }
        }
        super::request::append_encoded_query(&mut url, &parts.query_encoded);
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
                let value = HeaderValue::from_str(&content_type).map_err(|_| {
                    Error::invalid_input(format!("invalid content type `{}`", one_line(&content_type, 60)))
                })?;
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
            api_key_bearer: bearer == Bearer::ApiKey,
            drop_sensitive_defaults,
            body,
            caller_authorization: options.headers.iter().any(|(n, _)| n == AUTHORIZATION),
            bearer_from_source: bearer == Bearer::Source,
            caller_retry_count: options.headers.iter().any(|(n, _)| n.as_str() == RETRY_COUNT_HEADER),
        })
    }

    /// The key for an API-key scheme sent as `name`: its own key, else the client's API key.
    fn api_key_named(&self, name: &str) -> Option<&Secret> {
        self.inner.api_keys.get(&name.to_ascii_lowercase()).or(self.inner.api_key.as_ref())
    }

    /// Whether the client has every credential `auth` needs.
    fn has_credentials(&self, auth: Auth) -> bool {
        match auth {
            Auth::None => true,
            Auth::Bearer { .. } => self.inner.bearer_source.is_some() || self.inner.api_key.is_some(),
            Auth::ClientAuth { .. } | Auth::Basic { .. } => self.inner.client_credentials.is_some(),
            Auth::ApiKeyHeader { name, .. } | Auth::ApiKeyQuery { name, .. } => self.api_key_named(name).is_some(),
            Auth::All(schemes) => schemes.iter().all(|s| self.has_credentials(*s)),
            Auth::Any(alternatives) => alternatives.iter().any(|a| self.has_credentials(*a)),
        }
    }

    /// Adds the credentials of `auth` (all schemes of a requirement; the first requirement the
    /// client can meet among alternatives) to the request.
    fn apply_auth<'s>(
        &'s self,
        op: &Operation,
        auth: Auth,
        headers: &mut HeaderMap,
        body: &mut Body,
        query_keys: &mut Vec<(&'static str, &'s Secret)>,
        bearer: &mut Bearer,
    ) -> Result<()> {
        let missing =
            |what: &str| Error::invalid_input(format!("{} requires {what}, and the client has none configured", op.id));
        match auth {
            Auth::None => {}
            Auth::All(schemes) => {
                for scheme in schemes {
                    self.apply_auth(op, *scheme, headers, body, query_keys, bearer)?;
                }
            }
            Auth::Any(alternatives) => {
                let chosen = alternatives.iter().find(|a| self.has_credentials(**a)).or(alternatives.first());
                if let Some(chosen) = chosen {
                    self.apply_auth(op, *chosen, headers, body, query_keys, bearer)?;
                }
            }
            Auth::Bearer { optional } => {
                if self.inner.bearer_source.is_some() {
                    *bearer = Bearer::Source;
                } else {
                    match (&self.inner.api_key_bearer, &self.inner.api_key) {
                        (Some(_), _) => {
                            // Added per attempt, in this place: it replaces an `authorization`
                            // set so far, and one set later replaces it.
                            headers.remove(AUTHORIZATION);
                            *bearer = Bearer::ApiKey;
                        }
                        (None, Some(key)) => {
                            headers.insert(AUTHORIZATION, bearer_value(key)?);
                        }
                        (None, None) if optional => {}
                        (None, None) => return Err(missing("an API key or bearer source")),
                    }
                }
            }
            Auth::ClientAuth { optional } | Auth::Basic { optional } => match &self.inner.client_credentials {
                None if optional => {}
                None => return Err(missing("OAuth client credentials")),
                Some(creds) => {
                    let method = if matches!(auth, Auth::Basic { .. }) {
                        ClientAuthMethod::ClientSecretBasic
                    } else {
                        creds.method
                    };
                    client_authenticate(creds, method, headers, body)?;
                }
            },
            Auth::ApiKeyHeader { name, optional } => match self.api_key_named(name) {
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
            Auth::ApiKeyQuery { name, optional } => match self.api_key_named(name) {
                Some(key) => query_keys.push((name, key)),
                None if optional => {}
                None => return Err(missing("an API key")),
            },
        }
        Ok(())
    }

    /// One attempt's request: the prepared parts plus the retry count and, for a bearer source,
    /// the `token` it gave for this attempt.
    pub(super) fn attempt_request(
        &self,
        op: &Operation,
        prepared: &Prepared,
        retries: u32,
        timeout: Duration,
        token: Option<&Secret>,
    ) -> Result<reqwest::Request> {
        let mut request = reqwest::Request::new(op.method.clone(), prepared.url.clone());
        let defaults = &self.inner.default_headers;
        let api_key = match &self.inner.api_key_bearer {
            Some(value) if prepared.api_key_bearer && !prepared.headers.contains_key(AUTHORIZATION) => Some(value),
            _ => None,
        };
        // Built at its final size (the defaults, the call's own headers, the bearer and the
        // retry count), rather than cloned from the defaults and grown.
        let mut headers = HeaderMap::with_capacity(defaults.len() + prepared.headers.len() + 2);
        // Each of the call's own header names replaces the defaults of that name (every value
        // of it is kept).
        for (name, value) in defaults {
            let replaced = prepared.headers.contains_key(name) || (api_key.is_some() && name == AUTHORIZATION);
            if replaced || (prepared.drop_sensitive_defaults && is_sensitive_header(name.as_str())) {
                continue;
            }
            headers.append(name.clone(), value.clone());
        }
        if let Some(value) = api_key {
            headers.append(AUTHORIZATION, value.clone());
        }
        for (name, value) in &prepared.headers {
            headers.append(name.clone(), value.clone());
        }
        if let Some(token) = token {
            headers.insert(AUTHORIZATION, bearer_value(token)?);
        }
        if !prepared.caller_retry_count {
            headers.insert(RETRY_COUNT.clone(), retry_count_value(retries));
        }
        *request.headers_mut() = headers;
        *request.body_mut() = prepared.body.clone().map(reqwest::Body::from);
        *request.timeout_mut() = Some(timeout);
        Ok(request)
    }
}

/// Where the bearer token of a call comes from, if it takes one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bearer {
    None,
    /// The client's bearer source, asked per attempt.
    Source,
    /// The client's API key (`Bearer <key>` built once per client).
    ApiKey,
}

/// [`RETRY_COUNT_HEADER`] as a header name, made once (not parsed per request; a clone of it
/// copies no bytes).
static RETRY_COUNT: HeaderName = HeaderName::from_static(RETRY_COUNT_HEADER);

/// `Bearer <token>`, marked sensitive.
pub(super) fn bearer_value(token: &Secret) -> Result<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
        .map_err(|_| Error::invalid_input("the bearer token contains characters not allowed in a header"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// The retry count header's value; static (no allocation) for the counts a call usually sees.
fn retry_count_value(retries: u32) -> HeaderValue {
    const STATIC: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    match STATIC.get(retries as usize) {
        Some(digits) => HeaderValue::from_static(digits),
        None => HeaderValue::from(retries),
    }
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
