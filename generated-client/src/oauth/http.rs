//! The few HTTP exchanges the flows make, sent through the runtime ([`Client::execute_at`]) so
//! that they get what every generated operation gets: the user agent and default headers,
//! `x-retry-count`, the `request` tracing span, the retry rule (a token request with
//! `grant_type=client_credentials` is retried, an authorization code or refresh token never once
//! it may have reached the server), the response size limit, no redirects and redacted errors.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use reqwest::header::{HeaderValue, AUTHORIZATION};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use url::Url;

use super::error::{OAuthError, OAuthResult, TokenError, TokenErrorCode};
use crate::runtime::{
    Auth, Body, Client, ClientAuthMethod, ClientCredentials, Operation, RawResponse, RequestOptions, RequestParts,
};

/// The exchanges, as operations of the runtime (their ids name them in traces and errors).
pub(crate) static FETCH_METADATA: Operation =
    Operation { id: "OAuthFetchMetadata", method: Method::GET, path: "", server: None, auth: Auth::None };
#[cfg(feature = "jwt")]
pub(crate) static FETCH_JWKS: Operation =
    Operation { id: "OAuthFetchJwks", method: Method::GET, path: "", server: None, auth: Auth::None };
pub(crate) static TOKEN: Operation =
    Operation { id: "OAuthTokenRequest", method: Method::POST, path: "", server: None, auth: Auth::None };
pub(crate) static INTROSPECT: Operation =
    Operation { id: "OAuthIntrospect", method: Method::POST, path: "", server: None, auth: Auth::None };
pub(crate) static REVOKE: Operation =
    Operation { id: "OAuthRevoke", method: Method::POST, path: "", server: None, auth: Auth::None };
pub(crate) static DEVICE_AUTHORIZATION: Operation =
    Operation { id: "OAuthDeviceAuthorization", method: Method::POST, path: "", server: None, auth: Auth::None };

/// The runtime client plus the helpers' per-request overrides.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    pub client: Client,
    pub timeout: Option<Duration>,
    pub max_retries: Option<u32>,
}

/// A response with a status the caller still has to judge.
pub(crate) struct Answer {
    /// The endpoint, without query or credentials (for errors).
    pub url: String,
    pub raw: RawResponse,
}

impl Answer {
    /// Decodes a 2xx JSON body, or turns the answer into an error. A body that does not fit is
    /// [`Error::Decode`](crate::runtime::Error::Decode) with secrets redacted from its excerpt.
    pub fn json<T: DeserializeOwned>(self) -> OAuthResult<T> {
        if !self.raw.status().is_success() {
            return Err(self.into_error());
        }
        Ok(self.raw.json::<T>()?.data)
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
        let status = self.raw.status();
        match serde_json::from_slice::<Body>(self.raw.body()) {
            Ok(b) => OAuthError::Token(Box::new(TokenError {
                endpoint: self.url,
                status,
                code: TokenErrorCode::parse(&b.error),
                description: b.error_description,
                uri: b.error_uri,
                headers: self.raw.headers().clone(),
                body: self.raw.body().clone(),
            })),
            Err(_) => OAuthError::UnexpectedResponse { endpoint: self.url, status, body: self.raw.body().clone() },
        }
    }
}

/// RFC 6749 §2.3.1: the id and secret are form-urlencoded before they are joined and base64'd.
pub(crate) fn basic_credentials(client_id: &str, secret: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!("Basic {}", STANDARD.encode(format!("{}:{}", enc(client_id), enc(secret))))
}

impl Transport {
    pub fn new(client: &Client) -> Self {
        Self { client: client.clone(), timeout: None, max_retries: None }
    }

    fn options(&self) -> RequestOptions {
        RequestOptions { timeout: self.timeout, max_retries: self.max_retries, ..RequestOptions::default() }
    }

    /// `GET url` expecting JSON.
    pub async fn get(&self, op: &'static Operation, url: &Url) -> OAuthResult<Answer> {
        let raw = self.client.execute_at(op, url.clone(), RequestParts::new(String::new()), &self.options()).await?;
        Ok(Answer { url: crate::runtime::url_for_display(url), raw })
    }

    /// `POST url` with a form body, authenticating the client as `credentials` say. `op` decides
    /// the retry rule together with the body (see the runtime's retry documentation);
    /// introspection, revocation and device authorization requests are safe to repeat.
    pub async fn post_form(
        &self,
        op: &'static Operation,
        url: &Url,
        mut form: Vec<(&'static str, String)>,
        credentials: Option<&ClientCredentials>,
    ) -> OAuthResult<Answer> {
        let mut options = self.options();
        if std::ptr::eq(op, &INTROSPECT) || std::ptr::eq(op, &REVOKE) || std::ptr::eq(op, &DEVICE_AUTHORIZATION) {
            options.idempotent = Some(true);
        }
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
                    let mut value = HeaderValue::from_str(&basic_credentials(&creds.client_id, secret))
                        .map_err(|_| OAuthError::Config("client credentials cannot be sent as a header".into()))?;
                    value.set_sensitive(true);
                    options.headers.push((AUTHORIZATION, value));
                }
            }
        }
        let mut parts = RequestParts::new(String::new());
        parts.body = Body::Form(form.into_iter().map(|(k, v)| (k.to_owned(), v)).collect());
        let raw = self.client.execute_at(op, url.clone(), parts, &options).await?;
        Ok(Answer { url: crate::runtime::url_for_display(url), raw })
    }
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
