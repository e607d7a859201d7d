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

/// Every attempt's events are recorded inside its call's `request` span (the span is entered
/// whenever the call is polled), and the time an attempt took is measured when they are
/// enabled: a response delayed 40 ms is logged with `elapsed_ms` of at least 40. Both for a
/// generated operation and for `execute` (retried three times).
#[tokio::test]
async fn attempts_are_logged_inside_the_request_span_with_their_duration() {
    use std::sync::{Arc, Mutex};
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata};

    /// `span name: field=value ...` for each event, the span being the innermost one entered.
    #[derive(Default)]
    struct InnermostSpan {
        names: Mutex<Vec<&'static str>>,
        entered: Mutex<Vec<u64>>,
        lines: Arc<Mutex<Vec<String>>>,
    }
    struct Line(String);
    impl Visit for Line {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            self.0.push_str(&format!(" {}={value:?}", field.name()));
        }
    }
    impl tracing::Subscriber for InnermostSpan {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, span: &Attributes<'_>) -> Id {
            let mut names = self.names.lock().expect("names");
            names.push(span.metadata().name());
            Id::from_u64(names.len() as u64)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let inside = match self.entered.lock().expect("entered").last() {
                Some(id) => self.names.lock().expect("names")[*id as usize - 1],
                None => "-",
            };
            let mut line = Line(format!("{inside}:"));
            event.record(&mut line);
            self.lines.lock().expect("lines").push(line.0);
        }
        fn enter(&self, id: &Id) {
            self.entered.lock().expect("entered").push(id.into_u64());
        }
        fn exit(&self, _: &Id) {
            self.entered.lock().expect("entered").pop();
        }
    }

    let subscriber = InnermostSpan::default();
    let lines = subscriber.lines.clone();
    // This thread only: the test runtime polls everything here.
    let _default = tracing::subscriber::set_default(subscriber);
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/oauth_clients/{CLIENT_ID}")))
        .respond_with(
            ResponseTemplate::new(200).set_delay(std::time::Duration::from_millis(40)).set_body_json(json!({})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path("/v2/things/t1")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let generated = telnyx_oauth::Client::builder()
        .api_key(API_KEY)
        .base_url(format!("{}/v2", server.uri()))
        .build()
        .expect("client");
    generated.get_oauth_client(CLIENT_ID).send_with_response().await.expect("generated GET");
    call::<Thing>(&client(&server.uri()), &GET_THING, thing_parts("t1"), &RequestOptions::default())
        .await
        .expect_err("503");

    let lines = lines.lock().map(|l| l.clone()).unwrap_or_default();
    let attempts: Vec<&String> = lines.iter().filter(|l| l.contains(" attempt=")).collect();
    assert_eq!(attempts.len(), 1 + 3 + 2, "a response per attempt and a retry per retried one:\n{lines:#?}");
    for line in &attempts {
        assert!(line.starts_with("request: "), "logged outside the request span: {line}");
    }
    let elapsed: u64 = attempts[0]
        .split(" elapsed_ms=")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|ms| ms.parse().ok())
        .unwrap_or_else(|| panic!("no elapsed_ms: {}", attempts[0]));
    assert!(elapsed >= 40, "the delayed response took {elapsed} ms: {}", attempts[0]);
}

const CLIENT_ID: &str = "550e8400-e29b-41d4-a716-446655440000";
