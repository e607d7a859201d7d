//! What a server cannot make the client do: read without bound, hang on its own framing, or be
//! retried for answers that will repeat identically; and what a caller cannot break (framing
//! headers). Raw local servers produce the faults.

mod trust_support;

use std::time::{Duration, Instant};

use reqwest::header::{HeaderName, HeaderValue};
use telnyx_oauth::runtime::DEFAULT_MAX_RESPONSE_BYTES;
use telnyx_oauth::{Client, ClientBuilder, Error, ErrorKind};
use trust_support::{Answer, Server};

fn builder(server: &Server) -> ClientBuilder {
    Client::builder()
        .api_key("KEY-limits")
        .base_url(format!("{}/v2", server.uri))
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .timeout(Duration::from_secs(5))
}

const LIMIT: u64 = 256 * 1024;

#[tokio::test]
async fn an_endless_chunked_body_stops_at_the_limit_quickly_and_is_not_retried() {
    let server = Server::start(Answer::EndlessChunked).await;
    let client = builder(&server).max_response_bytes(LIMIT).build().expect("client");
    let started = Instant::now();
    let error = client.get_oauth_jwks().await.expect_err("too large");
    assert_eq!(error.kind(), ErrorKind::ResponseTooLarge, "{error:?}");
    assert!(matches!(error, Error::ResponseTooLarge { limit: LIMIT, .. }), "{error:?}");
    assert!(!error.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(server.count(), 1, "a body that is too large would be too large again");
    // The client stopped reading: the server could not write more than the limit plus what the
    // socket buffers hold (a few MiB at most), however long it tried.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(server.written() < LIMIT + 16 * 1024 * 1024, "{} bytes written", server.written());
}

#[tokio::test]
async fn an_endless_close_delimited_body_stops_at_the_limit_quickly() {
    let server = Server::start(Answer::EndlessCloseDelimited).await;
    let client = builder(&server).build().expect("client");
    let started = Instant::now();
    let error = client.get_oauth_jwks().max_response_bytes(LIMIT).await.expect_err("too large");
    assert_eq!(error.kind(), ErrorKind::ResponseTooLarge, "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(server.count(), 1);
    assert_eq!(error.to_string(), format!("the 200 OK response body exceeds the limit of {LIMIT} bytes"));
}

#[tokio::test]
async fn the_default_limit_holds_an_endless_body_to_16_mib() {
    let server = Server::start(Answer::EndlessChunked).await;
    let client = builder(&server).build().expect("client");
    let error = client.get_oauth_jwks().await.expect_err("too large");
    assert!(matches!(error, Error::ResponseTooLarge { limit, .. } if limit == DEFAULT_MAX_RESPONSE_BYTES), "{error:?}");
    assert_eq!(DEFAULT_MAX_RESPONSE_BYTES, 16 * 1024 * 1024);
}

#[tokio::test]
async fn an_announced_content_length_over_the_limit_fails_before_reading() {
    // Promises a gigabyte and sends nothing: only the header can have failed the call.
    let server = Server::start(Answer::Bytes(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1073741824\r\n\r\n",
    ))
    .await;
    let client = builder(&server).build().expect("client");
    let error = client.get_oauth_jwks().await.expect_err("too large");
    assert_eq!(error.kind(), ErrorKind::ResponseTooLarge, "{error:?}");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_body_within_the_limit_is_read_whole() {
    let body = format!(r#"{{"keys":[],"pad":"{}"}}"#, "x".repeat(100_000));
    let server = Server::start(Answer::Status(200, "", body)).await;
    let client = builder(&server).max_response_bytes(200_000).build().expect("client");
    let jwks = client.get_oauth_jwks().send_with_response().await.expect("fits");
    assert!(jwks.data.keys.is_empty());
    assert_eq!(jwks.attempts, 1);
}

#[tokio::test]
async fn answers_that_break_http_are_protocol_errors_and_not_retried() {
    let cases: [(&str, &'static [u8]); 4] = [
        ("invalid status line", b"HTTP/1.1 2000 OK\r\ncontent-length: 0\r\n\r\n"),
        ("conflicting content-length", b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n{}"),
        ("bad chunk", b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"),
        ("oversized headers", OVERSIZED),
    ];
    for (what, bytes) in cases {
        let server = Server::start(Answer::Bytes(bytes)).await;
        let client = builder(&server).build().expect("client");
        let error = client.get_oauth_jwks().await.expect_err(what);
        assert_eq!(error.kind(), ErrorKind::Protocol, "{what}: {error:?}");
        assert!(!error.is_retryable(), "{what}");
        assert_eq!(server.count(), 1, "{what}: the same answer would come again");
    }
}

/// A response head of about a megabyte (hyper refuses heads over ~400 KiB).
static OVERSIZED: &[u8] = {
    const HEAD: &[u8] = b"HTTP/1.1 200 OK\r\nx-big: ";
    const LEN: usize = HEAD.len() + 1_000_000 + 4;
    const fn build() -> [u8; LEN] {
        let mut out = [b'a'; LEN];
        let mut i = 0;
        while i < HEAD.len() {
            out[i] = HEAD[i];
            i += 1;
        }
        out[LEN - 4] = b'\r';
        out[LEN - 3] = b'\n';
        out[LEN - 2] = b'\r';
        out[LEN - 1] = b'\n';
        out
    }
    &build()
};

#[tokio::test]
async fn a_total_timeout_bounds_the_whole_call_across_retries() {
    let server = Server::start(Answer::Hang).await;
    let client = builder(&server)
        .timeout(Duration::from_millis(300))
        .max_retries(10)
        .total_timeout(Duration::from_millis(700))
        .build();
    let client = client.expect("client");
    let started = Instant::now();
    let error = client.get_oauth_jwks().await.expect_err("deadline");
    assert!(error.is_timeout(), "{error:?}");
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(650) && elapsed < Duration::from_millis(1500), "{elapsed:?}");
    assert!(server.count() <= 3, "{}", server.count());

    // Per request.
    let client = builder(&server).timeout(Duration::from_millis(300)).max_retries(10).build().expect("client");
    let started = Instant::now();
    let error = client.get_oauth_jwks().total_timeout(Duration::from_millis(400)).await.expect_err("deadline");
    assert!(error.is_timeout(), "{error:?}");
    assert!(started.elapsed() < Duration::from_millis(1200), "{:?}", started.elapsed());
}

#[tokio::test]
async fn framing_headers_from_the_caller_are_refused_before_sending() {
    let server = Server::start(Answer::Status(200, "", r#"{"keys":[]}"#.into())).await;
    let client = builder(&server).build().expect("client");
    for name in ["content-length", "Host", "transfer-encoding", "connection", "te", "upgrade"] {
        let error = client.get_oauth_jwks().header(name, "5").await.expect_err(name);
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{name}: {error:?}");
    }
    let error = builder(&server)
        .default_header(HeaderName::from_static("content-length"), HeaderValue::from_static("1"))
        .build()
        .expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn json_is_preferred_unless_the_caller_says_otherwise() {
    let server = Server::start(Answer::Status(200, "", r#"{"keys":[]}"#.into())).await;
    let client = builder(&server).build().expect("client");
    client.get_oauth_jwks().await.expect("ok");
    client.get_oauth_jwks().header("accept", "application/jwk-set+json").await.expect("ok");
    let accepts: Vec<_> = server.requests().iter().map(|r| r.header("accept").unwrap_or("-").to_owned()).collect();
    assert_eq!(accepts, ["application/json, */*;q=0.5", "application/jwk-set+json"]);
}

#[tokio::test]
async fn the_attempt_count_is_reachable_from_responses_and_errors() {
    let server = Server::start_with(|n| match n {
        0 => Answer::Status(503, "", "{}".into()),
        _ => Answer::Status(200, "", r#"{"keys":[]}"#.into()),
    })
    .await;
    let response = builder(&server).build().expect("client").get_oauth_jwks().send_with_response().await.expect("ok");
    assert_eq!(response.attempts, 2);

    let server = Server::start(Answer::Status(503, "", "{}".into())).await;
    let error = builder(&server).build().expect("client").get_oauth_jwks().await.expect_err("503");
    assert_eq!(error.api().map(|api| api.attempts), Some(3));
    assert_eq!(error.attempts(), Some(3));
}

#[tokio::test]
async fn a_head_answer_announcing_a_large_body_is_not_too_large() {
    use telnyx_oauth::runtime::{Auth, Operation, RequestOptions, RequestParts};
    static HEAD_THING: Operation =
        Operation { id: "HeadThing", method: reqwest::Method::HEAD, path: "/thing", server: None, auth: Auth::None };
    let server = Server::start(Answer::Bytes(b"HTTP/1.1 200 OK\r\ncontent-length: 1073741824\r\n\r\n")).await;
    let client = builder(&server).build().expect("client");
    let raw = client
        .execute(&HEAD_THING, RequestParts::new("/thing".into()), &RequestOptions::default())
        .await
        .expect("head");
    assert_eq!(raw.status().as_u16(), 200);
    assert!(raw.body().is_empty());
}
