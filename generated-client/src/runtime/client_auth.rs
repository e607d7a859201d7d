//! OAuth client authentication (RFC 6749 §2.3.1): the credentials and how they are presented.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};

use super::error::{Error, Result};
use super::request::Body;
use super::secret::Secret;

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
        Self {
            client_id: client_id.into(),
            client_secret: Some(client_secret.into()),
            method: ClientAuthMethod::default(),
        }
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

/// Presents OAuth client credentials (RFC 6749 §2.3.1) the way `method` says.
pub(super) fn client_authenticate(
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
                        .map_err(|_| {
                            Error::invalid_input("client credentials can only be added to a JSON object body")
                        })?;
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
