//! Retries, backoff, server-requested delays, timeouts and connection faults, each checked by
//! the typed result and by how many requests the server saw.

mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use support::*;
use telnyx_oauth::runtime::{BearerSource, ErrorKind, RequestOptions, Result, Secret, RETRY_COUNT_HEADER};
use telnyx_oauth::Error;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn ok_thing() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"id": "t1", "name": "first"}))
}

/// Mounts `first` for the first `times` requests to `/v2/things/t1`, then a 200.
async fn failing_then_ok(first: ResponseTemplate, times: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/things/t1"))
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path("/v2/things/t1")).respond_with(ok_thing()).mount(&server).await;
    server
}

async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

fn retry_counts(requests: &[Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| r.headers.get(RETRY_COUNT_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned())
        .collect()
}

async fn get_thing(
    client: &telnyx_oauth::Client,
    options: &RequestOptions,
) -> Result<telnyx_oauth::ApiResponse<Thing>> {
    call(client, &GET_THING, thing_parts("t1"), options).await
}

#[tokio::test]
async fn rate_limited_with_retry_after_ms_waits_that_long_then_succeeds() {
    let server = failing_then_ok(ResponseTemplate::new(429).insert_header("retry-after-ms", "150"), 1).await;
    let started = Instant::now();
    let thing = get_thing(&client(&server.uri()), &RequestOptions::default()).await.expect("retried");
    assert!(started.elapsed() >= Duration::from_millis(150), "waited {:?}", started.elapsed());
    assert_eq!(thing.data.name, "first");
    assert_eq!(retry_counts(&received(&server).await), ["0", "1"]);
}

#[tokio::test]
async fn rate_limited_with_retry_after_seconds_waits_that_long_then_succeeds() {
    let server = failing_then_ok(ResponseTemplate::new(429).insert_header("retry-after", "1"), 1).await;
    let started = Instant::now();
    get_thing(&client(&server.uri()), &RequestOptions::default()).await.expect("retried");
    assert!(started.elapsed() >= Duration::from_secs(1), "waited {:?}", started.elapsed());
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn retry_after_beyond_sixty_seconds_falls_back_to_backoff() {
    let server = failing_then_ok(ResponseTemplate::new(429).insert_header("retry-after", "3600"), 1).await;
    let started = Instant::now();
    get_thing(&client(&server.uri()), &RequestOptions::default()).await.expect("retried");
    assert!(started.elapsed() < Duration::from_secs(2), "waited {:?}", started.elapsed());
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn unavailable_then_ok_succeeds_on_the_second_attempt() {
    let server = failing_then_ok(ResponseTemplate::new(503), 1).await;
    let response = client(&server.uri())
        .execute(&GET_THING, thing_parts("t1"), &RequestOptions::default())
        .await
        .expect("response");
    assert_eq!(response.status(), 200);
    assert_eq!(response.attempts(), 2);
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn persistent_server_errors_give_up_after_max_retries() {
    let server = failing_then_ok(ResponseTemplate::new(500).insert_header("x-request-id", "req-500"), 100).await;
    let error = get_thing(&client(&server.uri()), &RequestOptions::default()).await.expect_err("gives up");
    assert_eq!(error.kind(), ErrorKind::Server);
    assert!(error.is_retryable());
    assert_eq!(error.request_id(), Some("req-500"));
    assert_eq!(error.to_string(), "GetThing failed with 500 Internal Server Error [request id req-500]");
    assert_eq!(retry_counts(&received(&server).await), ["0", "1", "2"]);
}

#[tokio::test]
async fn per_request_max_retries_overrides_the_client() {
    let server = failing_then_ok(ResponseTemplate::new(503), 100).await;
    let client = client(&server.uri());
    let options = RequestOptions { max_retries: Some(0), ..RequestOptions::default() };
    let error = get_thing(&client, &options).await.expect_err("no retry");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(received(&server).await.len(), 1);

    let options = RequestOptions { max_retries: Some(4), ..RequestOptions::default() };
    get_thing(&client, &options).await.expect_err("still failing");
    assert_eq!(received(&server).await.len(), 1 + 5);
}

#[tokio::test]
async fn statuses_that_are_not_transient_are_not_retried() {
    for status in [400, 401, 403, 404, 422] {
        let server = failing_then_ok(ResponseTemplate::new(status), 100).await;
        let error = get_thing(&client(&server.uri()), &RequestOptions::default()).await.expect_err("error");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert!(!error.is_retryable());
        assert_eq!(received(&server).await.len(), 1, "{status}");
    }
    for status in [408, 409] {
        let server = failing_then_ok(ResponseTemplate::new(status), 1).await;
        get_thing(&client(&server.uri()), &RequestOptions::default()).await.expect("retried");
        assert_eq!(received(&server).await.len(), 2, "{status}");
    }
}

#[tokio::test]
async fn x_should_retry_true_retries_a_status_that_is_not_transient() {
    let server = failing_then_ok(ResponseTemplate::new(400).insert_header("x-should-retry", "true"), 1).await;
    get_thing(&client(&server.uri()), &RequestOptions::default()).await.expect("retried");
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn x_should_retry_false_stops_a_retry_of_a_transient_status() {
    let server = failing_then_ok(ResponseTemplate::new(503).insert_header("x-should-retry", "false"), 1).await;
    let error = get_thing(&client(&server.uri()), &RequestOptions::default()).await.expect_err("not retried");
    assert_eq!(error.kind(), ErrorKind::Server);
    assert!(!error.is_retryable());
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn authorization_code_exchange_is_not_retried_on_503() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token"))
        .respond_with(ResponseTemplate::new(503).insert_header("x-should-retry", "true"))
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let parts =
        token_parts(&[("grant_type", "authorization_code"), ("code", "single-use-code"), ("code_verifier", "v")]);
    let error = call::<Token>(&client, &TOKEN, parts, &RequestOptions::default()).await.expect_err("503");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(received(&server).await.len(), 1, "a code is never sent twice");

    // A rotating refresh token is single-use too: never replayed (see client_trust_retries.rs).
    let parts = token_parts(&[("grant_type", "refresh_token"), ("refresh_token", "rt")]);
    call::<Token>(&client, &TOKEN, parts, &RequestOptions::default()).await.expect_err("503");
    assert_eq!(received(&server).await.len(), 1 + 1);

    // The client credentials grant is retried as usual.
    let parts = token_parts(&[("grant_type", "client_credentials")]);
    call::<Token>(&client, &TOKEN, parts, &RequestOptions::default()).await.expect_err("503");
    assert_eq!(received(&server).await.len(), 1 + 1 + 3);
}

#[tokio::test]
async fn authorization_code_exchange_as_json_is_not_retried_either() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(502)).mount(&server).await;
    let mut parts = telnyx_oauth::runtime::RequestParts::new("/oauth/token".into());
    parts.body =
        telnyx_oauth::runtime::Body::json(&json!({"grant_type": "authorization_code", "code": "c"})).expect("json");
    call::<Token>(&client(&server.uri()), &TOKEN, parts, &RequestOptions::default()).await.expect_err("502");
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn connection_closed_mid_response_is_a_connection_error_after_retries() {
    let server = RawServer::start(RawFault::CloseMidResponse).await;
    let error = get_thing(&client(&server.uri), &RequestOptions::default()).await.expect_err("closed");
    assert!(matches!(error, Error::Connection(_)), "{error:?}");
    assert_eq!(error.kind(), ErrorKind::Connection);
    let text = error.to_string();
    assert!(text.starts_with("connection error: error decoding response body: "), "{text}");
    assert_eq!(server.requests(), 3);

    // The request reached the server, so an authorization code is not sent again.
    let parts = token_parts(&[("grant_type", "authorization_code"), ("code", "c")]);
    let error =
        call::<Token>(&client(&server.uri), &TOKEN, parts, &RequestOptions::default()).await.expect_err("closed");
    assert!(error.is_connection(), "{error:?}");
    assert_eq!(server.requests(), 3 + 1);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_on_every_attempt() {
    let server = RawServer::start(RawFault::NeverAnswer).await;
    let client = builder(&server.uri).timeout(Duration::from_millis(200)).max_retries(1).build().expect("client");
    let started = Instant::now();
    let error = get_thing(&client, &RequestOptions::default()).await.expect_err("timeout");
    assert!(matches!(error, Error::Timeout), "{error:?}");
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(error.to_string(), "request timed out");
    assert!(started.elapsed() >= Duration::from_millis(400), "{:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn per_request_timeout_overrides_the_client() {
    let server = RawServer::start(RawFault::NeverAnswer).await;
    let client = builder(&server.uri).max_retries(0).build().expect("client");
    let options = RequestOptions { timeout: Some(Duration::from_millis(100)), ..RequestOptions::default() };
    let started = Instant::now();
    let error = get_thing(&client, &options).await.expect_err("timeout");
    assert!(error.is_timeout(), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_slow_response_within_the_timeout_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ok_thing().set_delay(Duration::from_millis(100))).mount(&server).await;
    let client = builder(&server.uri()).timeout(Duration::from_secs(2)).build().expect("client");
    get_thing(&client, &RequestOptions::default()).await.expect("in time");
    assert_eq!(received(&server).await.len(), 1);
}

/// Counts how often it is asked and hands out `token-1`, `token-2`, ...
#[derive(Debug, Default)]
struct CountingSource(AtomicUsize);

impl BearerSource for CountingSource {
    fn bearer(&self) -> Pin<Box<dyn Future<Output = Result<Secret>> + Send + '_>> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        Box::pin(async move { Ok(Secret::new(format!("token-{n}"))) })
    }
}

#[tokio::test]
async fn refused_connections_are_retried_even_for_an_authorization_code() {
    // Nothing listens, so no request can have been sent: retrying is safe. The bearer source
    // is asked once per attempt, which counts the attempts.
    let source = Arc::new(CountingSource::default());
    let client = builder(&refused_uri().await).bearer_source(source.clone()).build().expect("client");
    let mut parts = thing_parts("t1");
    parts.body = form(&[("grant_type", "authorization_code"), ("code", "c")]);
    let error = client.execute(&CREATE_THING, parts, &RequestOptions::default()).await.expect_err("refused");
    assert!(error.is_connection(), "{error:?}");
    assert!(error.to_string().starts_with("connection error: error sending request: "), "{error}");
    assert_eq!(source.0.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn the_bearer_source_is_asked_before_every_attempt() {
    let server = failing_then_ok(ResponseTemplate::new(503), 2).await;
    let source = Arc::new(CountingSource::default());
    let client = builder(&server.uri()).bearer_source(source.clone()).build().expect("client");
    get_thing(&client, &RequestOptions::default()).await.expect("third attempt succeeds");
    let sent: Vec<_> = received(&server)
        .await
        .iter()
        .map(|r| r.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned())
        .collect();
    assert_eq!(sent, ["Bearer token-1", "Bearer token-2", "Bearer token-3"]);
}
