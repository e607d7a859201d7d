//! The few HTTP exchanges the flows make, through the runtime's `reqwest::Client`.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::Bytes;
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use url::Url;

use super::error::{OAuthError, OAuthResult, TokenError, TokenErrorCode};
use crate::runtime::{ClientAuthMethod, ClientCredentials, Error};

/// When a request may be sent again after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Only when the connection could not be made, so the request cannot have reached the
    /// server (authorization codes and rotating refresh tokens are single use).
    ConnectOnly,
    /// Also after timeouts, 429 and 5xx (reads, client credentials).
    Idempotent,
}

/// Transport settings shared by the helpers.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    pub http: reqwest::Client,
    pub timeout: Duration,
    pub max_retries: u32,
}

/// A response with a status the caller still has to judge.
pub(crate) struct Answer {
    pub url: String,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    /// Decodes a 2xx JSON body, or turns the answer into an error.
    pub fn json<T: DeserializeOwned>(self) -> OAuthResult<T> {
        if !self.status.is_success() {
            return Err(self.into_error());
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            OAuthError::Http(Error::Decode {
                status: self.status,
                path: String::new(),
                message: format!("{} returned JSON that does not fit: {e}", self.url),
                excerpt: String::from_utf8_lossy(&self.body).chars().take(200).collect(),
            })
        })
    }

    /// An OAuth error (`{"error": ...}`) when the body is one, else an unexpected response.
    pub fn into_error(self) -> OAuthError {
        #[derive(Deserialize)]
        struct Body {
            error: String,
            #[serde(default)]
            error_description: Option<String>,
            #[serde(default)]
            error_uri: Option<String>,
        }
        match serde_json::from_slice::<Body>(&self.body) {
            Ok(b) => OAuthError::Token(Box::new(TokenError {
                endpoint: self.url,
                status: self.status,
                code: TokenErrorCode::parse(&b.error),
                description: b.error_description,
                uri: b.error_uri,
                headers: self.headers,
                body: self.body,
            })),
            Err(_) => OAuthError::UnexpectedResponse { endpoint: self.url, status: self.status, body: self.body },
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

/// RFC 6749 §2.3.1: the id and secret are form-urlencoded before they are joined and base64'd.
pub(crate) fn basic_credentials(client_id: &str, secret: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!("Basic {}", STANDARD.encode(format!("{}:{}", enc(client_id), enc(secret))))
}

impl Transport {
    /// `GET url` expecting JSON.
    pub async fn get(&self, url: &Url) -> OAuthResult<Answer> {
        self.send(url, Retry::Idempotent, || self.http.get(url.clone()).header(ACCEPT, "application/json"))
            .await
    }

    /// `POST url` with a form body, authenticating the client as `credentials` say.
    pub async fn post_form(
        &self,
        url: &Url,
        mut form: Vec<(&'static str, String)>,
        credentials: Option<&ClientCredentials>,
        retry: Retry,
    ) -> OAuthResult<Answer> {
        let mut basic = None;
        if let Some(creds) = credentials {
            match creds.method {
                ClientAuthMethod::ClientSecretPost => {
                    form.push(("client_id", creds.client_id.clone()));
                    if let Some(secret) = &creds.client_secret {
                        form.push(("client_secret", secret.expose().to_owned()));
                    }
                }
                ClientAuthMethod::None => form.push(("client_id", creds.client_id.clone())),
                // ClientSecretBasic and any method added later.
                _ => {
                    let secret = creds.client_secret.as_ref().map(|s| s.expose()).unwrap_or("");
                    basic = Some(basic_credentials(&creds.client_id, secret));
                }
            }
        }
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form.iter()).finish();
        self.send(url, retry, || {
            let mut req = self
                .http
                .post(url.clone())
                .header(ACCEPT, "application/json")
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body.clone());
            if let Some(value) = &basic {
                req = req.header(AUTHORIZATION, value.as_str());
            }
            req
        })
        .await
    }

    async fn send(
        &self,
        url: &Url,
        retry: Retry,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> OAuthResult<Answer> {
        let mut attempt = 0u32;
        loop {
            let last = attempt >= self.max_retries;
            let result = build().timeout(self.timeout).send().await;
            let resp = match result {
                Ok(resp) => resp,
                Err(e) => {
                    let may_retry = e.is_connect() || (retry == Retry::Idempotent && e.is_timeout());
                    if may_retry && !last {
                        backoff(attempt).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(OAuthError::Http(map_reqwest(e)));
                }
            };
            let status = resp.status();
            if retry == Retry::Idempotent
                && !last
                && (status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error())
            {
                backoff(attempt).await;
                attempt += 1;
                continue;
            }
            let headers = resp.headers().clone();
            let body = resp.bytes().await.map_err(|e| OAuthError::Http(map_reqwest(e)))?;
            return Ok(Answer { url: url.to_string(), status, headers, body });
        }
    }
}

async fn backoff(attempt: u32) {
    tokio::time::sleep(Duration::from_millis(100u64 << attempt.min(5))).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_form_encode_first() {
        // RFC 6749 §2.3.1: "a b:c" -> "a+b%3Ac", "p@ss/w+rd" -> "p%40ss%2Fw%2Brd".
        let header = basic_credentials("a b:c", "p@ss/w+rd");
        let decoded = STANDARD.decode(header.strip_prefix("Basic ").unwrap()).unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), "a+b%3Ac:p%40ss%2Fw%2Brd");
    }
}
