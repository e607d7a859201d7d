//! What the client logs through `tracing`: one span per call with the operation, method and
//! path template, an event per attempt with status and timing, and never a secret or a query
//! string. Its own test binary, so that no other test's threads race the subscriber.

mod log_capture;
mod support;

use log_capture::capture_logs;
use serde_json::json;
use support::*;
use telnyx_oauth::runtime::{ClientCredentials, RequestOptions, RequestParts};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CLIENT_SECRET: &str = "CS-very-secret-value";
const ACCESS_TOKEN: &str = "AT-eyJhbGciOiJSUzI1NiJ9";

#[tokio::test]
async fn requests_are_logged_without_secrets() {
    let log = capture_logs();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": ACCESS_TOKEN, "expires_in": 60})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/things/t1"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"error": "unavailable"})))
        .mount(&server)
        .await;
    let client = builder(&server.uri())
        .client_credentials(ClientCredentials::new("client-id", CLIENT_SECRET))
        .build()
        .expect("client");

    let parts = token_parts(&[("grant_type", "client_credentials"), ("client_secret", CLIENT_SECRET)]);
    let token = call::<Token>(&client, &TOKEN, parts, &RequestOptions::default()).await.expect("token");
    assert_eq!(token.data.access_token, ACCESS_TOKEN);
    let mut options = RequestOptions::default();
    options.query.push(("secret_filter".into(), CLIENT_SECRET.into()));
    call::<Thing>(&client, &GET_THING, thing_parts("t1"), &options).await.expect_err("503");
    let refused = builder(&refused_uri().await).max_retries(0).build().expect("client");
    refused
        .execute(&KEY_IN_QUERY, RequestParts::new("/legacy".into()), &RequestOptions::default())
        .await
        .expect_err("refused");

    let logged = log.lock().map(|l| l.clone()).unwrap_or_default();
    for expected in [
        "request operation=ExchangeToken method=POST path=/oauth/token",
        "request operation=GetThing method=GET path=/things/{id}",
        "attempt=1 status=200",
        "attempt=3 status=503",
        "message=retrying after error status attempt=2 status=503",
        "request operation=GetLegacy",
        "message=request failed attempt=1",
    ] {
        assert!(logged.contains(expected), "`{expected}` not logged:\n{logged}");
    }
    for secret in [API_KEY, CLIENT_SECRET, ACCESS_TOKEN, "api_key=", "secret_filter="] {
        assert!(!logged.contains(secret), "`{secret}` logged:\n{logged}");
    }
}
