//! The send path's shortcuts keep their behaviour: a response body that arrives in several
//! pieces is read whole and in order, with or without `content-length` (the runtime keeps a
//! one-piece body as is and joins several); the API key's `Authorization` value, built once per
//! client, is sent on every call, and a key that cannot be a header value still fails each call
//! before anything is sent.

use std::time::Duration;

use telnyx_oauth::Client;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Answers one request with `head`, then each of `pieces` in its own write, 30 ms apart.
async fn serve_in_pieces(head: String, pieces: Vec<Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("accept");
        let _ = stream.set_nodelay(true);
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await.expect("read");
            assert!(n > 0, "the client closed before sending its request");
            request.extend_from_slice(&buf[..n]);
        }
        stream.write_all(head.as_bytes()).await.expect("head");
        for piece in pieces {
            tokio::time::sleep(Duration::from_millis(30)).await;
            stream.write_all(&piece).await.expect("piece");
            stream.flush().await.expect("flush");
        }
    });
    format!("http://{addr}/v2")
}

/// A JWK set whose key id is `kid`, cut in three pieces.
fn jwks_body(kid: &str) -> (String, Vec<Vec<u8>>) {
    let body = format!(r#"{{"keys":[{{"kty":"oct","kid":"{kid}"}}]}}"#);
    let bytes = body.as_bytes();
    let pieces = vec![bytes[..10].to_vec(), bytes[10..2000].to_vec(), bytes[2000..].to_vec()];
    (body, pieces)
}

/// Serves `head` then `pieces` as they are, and checks the JWKS `body` they carry decodes whole.
async fn assert_jwks_read_whole(head: String, pieces: Vec<Vec<u8>>, body: &str, kid: &str) {
    let base = serve_in_pieces(head, pieces).await;
    let client = Client::builder().base_url(base).max_retries(0).build().expect("client");
    let jwks = client.get_oauth_jwks().await.expect("decodes");
    let keys = jwks.keys;
    assert_eq!(keys.len(), 1, "{body}");
    assert_eq!(keys[0].kid.as_deref(), Some(kid));
    assert_eq!(keys[0].kty.as_deref(), Some("oct"));
}

#[tokio::test]
async fn a_body_in_several_pieces_with_content_length_is_read_whole() {
    let kid: String = (0..3000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    let (body, pieces) = jwks_body(&kid);
    let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", body.len());
    assert_jwks_read_whole(head, pieces, &body, &kid).await;
}

#[tokio::test]
async fn a_chunked_body_in_several_pieces_is_read_whole() {
    let kid: String = (0..3000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    let (body, pieces) = jwks_body(&kid);
    let mut chunked: Vec<Vec<u8>> = pieces
        .into_iter()
        .map(|p| {
            let mut c = format!("{:x}\r\n", p.len()).into_bytes();
            c.extend_from_slice(&p);
            c.extend_from_slice(b"\r\n");
            c
        })
        .collect();
    chunked.push(b"0\r\n\r\n".to_vec());
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_owned();
    assert_jwks_read_whole(head, chunked, &body, &kid).await;
}

#[tokio::test]
async fn the_api_key_is_sent_as_bearer_on_every_call() {
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/oauth_clients/abc"))
        .and(header("authorization", "Bearer key-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .expect(3)
        .mount(&server)
        .await;
    let client = Client::builder().api_key("key-1").base_url(format!("{}/v2", server.uri())).build().expect("client");
    for _ in 0..3 {
        client.get_oauth_client("abc").await.expect("authorized");
    }
}

#[tokio::test]
async fn an_api_key_that_cannot_be_a_header_fails_every_call_before_sending() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}/v2", listener.local_addr().expect("addr"));
    let client = Client::builder().api_key("line\nbreak").base_url(base).build().expect("client");
    for _ in 0..2 {
        let error = client.get_oauth_client("abc").await.expect_err("invalid key");
        assert_eq!(error.kind(), telnyx_oauth::ErrorKind::InvalidInput, "{error:?}");
        assert!(!format!("{error} {error:?}").contains("line\nbreak"), "{error:?}");
    }
    let accepted = tokio::time::timeout(Duration::from_millis(100), listener.accept()).await;
    assert!(accepted.is_err(), "a connection was made");
}

/// A call's future may be made outside a runtime and awaited later: nothing that needs the
/// runtime (the total deadline's timer) is set up before it is first polled, and the deadline
/// counts from then, not from when the future was made. Both for a generated operation and for
/// the runtime's `execute`.
#[test]
fn a_call_made_outside_a_runtime_is_sent_when_awaited() {
    use telnyx_oauth::runtime::{Auth, Operation, RequestOptions, RequestParts};
    static JWKS: Operation =
        Operation { id: "GetJwks", method: reqwest::Method::GET, path: "/oauth/jwks", server: None, auth: Auth::None };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let (body, pieces) = jwks_body(&"k".repeat(3000));
    let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", body.len());
    let first = runtime.block_on(serve_in_pieces(head.clone(), pieces.clone()));
    let second = runtime.block_on(serve_in_pieces(head, pieces));
    let client = |base: String| {
        Client::builder()
            .base_url(base)
            .max_retries(0)
            .total_timeout(Duration::from_millis(300))
            .build()
            .expect("client")
    };
    let (first, second) = (client(first), client(second));

    let generated = first.get_oauth_jwks().send();
    let options = RequestOptions::default();
    let raw = second.execute(&JWKS, RequestParts::new("/oauth/jwks".into()), &options);
    // Longer than the total timeout: a deadline started when the futures were made would be
    // over before they run.
    std::thread::sleep(Duration::from_millis(400));

    let jwks = runtime.block_on(generated).expect("sent when awaited");
    assert_eq!(jwks.keys.len(), 1);
    let raw = runtime.block_on(raw).expect("sent when awaited");
    assert_eq!(raw.status(), 200);
    assert_eq!(raw.body().len(), body.len());
}
