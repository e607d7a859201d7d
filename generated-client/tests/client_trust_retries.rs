//! A request that may have reached the server is sent again only when that is safe: attempt
//! counts per method and per grant type against servers that reset the connection, answer 503
//! or 500, or never answer.

mod trust_support;

use std::time::Duration;

use telnyx_oauth::models::{
    ClientType, GrantType, OAuthClientCreateRequest, OAuthClientCreateRequestRequired, TokenRequest,
};
use telnyx_oauth::{Client, ErrorKind};
use trust_support::{Answer, Server};

fn client(server: &Server) -> Client {
    Client::builder()
        .api_key("KEY-retries")
        .base_url(format!("{}/v2", server.uri))
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .timeout(Duration::from_millis(400))
        .build()
        .expect("client")
}

fn faults() -> [(&'static str, Answer); 4] {
    [
        ("reset", Answer::Reset),
        ("503", Answer::Status(503, "", "{}".into())),
        ("500", Answer::Status(500, "", "{}".into())),
        ("timeout", Answer::Hang),
    ]
}

fn token_request(grant: GrantType) -> TokenRequest {
    let mut body = TokenRequest::new(grant);
    body.refresh_token = Some("RT-single-use".into());
    body.code = Some("CODE-single-use".into());
    body
}

fn create_request() -> OAuthClientCreateRequest {
    OAuthClientCreateRequest::new(OAuthClientCreateRequestRequired {
        allowed_grant_types: vec![GrantType::ClientCredentials],
        allowed_scopes: vec!["admin".into()],
        client_type: ClientType::Confidential,
        name: "App".into(),
    })
}

#[tokio::test]
async fn single_use_grants_are_sent_once_whatever_the_failure() {
    for grant in [GrantType::RefreshToken, GrantType::AuthorizationCode] {
        for (fault, answer) in faults() {
            let server = Server::start(answer).await;
            let error = client(&server).exchange_oauth_token(token_request(grant.clone())).await.expect_err(fault);
            assert_ne!(error.kind(), ErrorKind::InvalidInput, "{grant}/{fault}: {error:?}");
            assert_eq!(server.count(), 1, "{grant} after {fault}");
        }
        // Not even when the server says it may be retried.
        let server = Server::start(Answer::Status(429, "x-should-retry: true\r\n", "{}".into())).await;
        client(&server).exchange_oauth_token(token_request(grant.clone())).await.expect_err("429");
        assert_eq!(server.count(), 1, "{grant} after 429");
    }
}

#[tokio::test]
async fn client_credentials_token_requests_are_retried() {
    for (fault, answer) in faults() {
        let server = Server::start(answer).await;
        client(&server).exchange_oauth_token(TokenRequest::new(GrantType::ClientCredentials)).await.expect_err(fault);
        assert_eq!(server.count(), 3, "client_credentials after {fault}");
    }
}

#[tokio::test]
async fn creates_are_not_replayed_after_a_reset_a_5xx_or_a_timeout() {
    for (fault, answer) in faults() {
        let server = Server::start(answer).await;
        client(&server).create_oauth_client(create_request()).await.expect_err(fault);
        assert_eq!(server.count(), 1, "POST after {fault}");
    }
}

#[tokio::test]
async fn creates_are_retried_when_the_server_says_so() {
    for extra in ["", "x-should-retry: true\r\n"] {
        let status = if extra.is_empty() { 429 } else { 503 };
        let server = Server::start(Answer::Status(status, extra, "{}".into())).await;
        client(&server).create_oauth_client(create_request()).await.expect_err("still failing");
        assert_eq!(server.count(), 3, "POST after {status} {extra:?}");
    }
    let server = Server::start(Answer::Status(429, "x-should-retry: false\r\n", "{}".into())).await;
    client(&server).create_oauth_client(create_request()).await.expect_err("429");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn idempotent_methods_are_retried_after_every_transient_failure() {
    for (fault, answer) in faults() {
        let server = Server::start(answer.clone()).await;
        client(&server).delete_oauth_client("c1").await.expect_err(fault);
        assert_eq!(server.count(), 3, "DELETE after {fault}");
        let server = Server::start(answer).await;
        client(&server).get_oauth_client("c1").await.expect_err(fault);
        assert_eq!(server.count(), 3, "GET after {fault}");
    }
}

#[tokio::test]
async fn the_rule_can_be_overridden_per_request() {
    let server = Server::start(Answer::Status(500, "", "{}".into())).await;
    client(&server).create_oauth_client(create_request()).idempotent(true).await.expect_err("500");
    assert_eq!(server.count(), 3, "a create the caller made idempotent");

    let server = Server::start(Answer::Reset).await;
    client(&server).get_oauth_client("c1").idempotent(false).await.expect_err("reset");
    assert_eq!(server.count(), 1, "a GET the caller says is not idempotent");
}
