//! The OAuth helpers are a thin layer over the runtime: their requests carry the same user
//! agent, default headers and `x-retry-count`, and make the same `request` tracing span, as the
//! generated operations. Its own test binary, for the process-wide tracing subscriber.

mod log_capture;
mod trust_support;

use std::time::Duration;

use log_capture::capture_logs;
use reqwest::header::{HeaderName, HeaderValue};
use telnyx_oauth::models::{GrantType, TokenRequest};
use telnyx_oauth::oauth::{AuthServer, OAuth};
use telnyx_oauth::runtime::{ClientAuthMethod, ClientCredentials};
use telnyx_oauth::Client;
use trust_support::{Answer, Server};

const TOKEN: &str = r#"{"access_token":"AT-wire","token_type":"Bearer","expires_in":3600}"#;

#[tokio::test]
async fn helper_requests_look_like_generated_ones() {
    let log = capture_logs();
    let server = Server::start_with(|n| match n {
        // Each path fails once with a retryable status, so both show x-retry-count 0 and 1.
        0 | 2 => Answer::Status(503, "", "{}".into()),
        _ => Answer::Status(200, "", TOKEN.into()),
    })
    .await;
    let client = Client::builder()
        .base_url(format!("{}/v2", server.uri))
        .client_credentials(
            ClientCredentials::new("client-1", "CS-wire").with_method(ClientAuthMethod::ClientSecretPost),
        )
        .default_header(HeaderName::from_static("x-team"), HeaderValue::from_static("blue"))
        .user_agent("wire-test/1.0")
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(2))
        .build()
        .expect("client");

    client.exchange_oauth_token(TokenRequest::new(GrantType::ClientCredentials)).await.expect("generated");
    let oauth = OAuth::new(
        &client,
        AuthServer::from_base_url(&format!("{}/v2", server.uri)).expect("server"),
        client.client_credentials().cloned().expect("credentials"),
    );
    oauth.client_credentials_token(&[]).await.expect("helper");

    let seen = server.requests();
    assert_eq!(seen.len(), 4);
    let view = |i: usize| {
        let r = &seen[i];
        (
            r.line.clone(),
            r.header("user-agent").map(str::to_owned),
            r.header("x-team").map(str::to_owned),
            r.header("x-retry-count").map(str::to_owned),
            r.header("accept").map(str::to_owned),
        )
    };
    for (generated, helper) in [(0, 2), (1, 3)] {
        assert_eq!(view(generated), view(helper), "attempt {generated} vs {helper}");
    }
    assert_eq!(view(3).1.as_deref(), Some("wire-test/1.0"));
    assert_eq!(view(3).2.as_deref(), Some("blue"));
    assert_eq!(view(3).3.as_deref(), Some("1"));

    let logged = log.lock().map(|l| l.clone()).unwrap_or_default();
    for expected in [
        "request operation=ExchangeOAuthToken method=POST path=/oauth/token",
        "request operation=OAuthTokenRequest method=POST",
        "message=retrying after error status attempt=1 status=503",
    ] {
        assert!(logged.contains(expected), "`{expected}` not logged:\n{logged}");
    }
    assert_eq!(logged.matches("message=retrying after error status").count(), 2, "{logged}");
    for secret in ["CS-wire", "AT-wire"] {
        assert!(!logged.contains(secret), "`{secret}` logged:\n{logged}");
    }
}
