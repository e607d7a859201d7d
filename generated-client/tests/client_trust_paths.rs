//! Path parameters stay one literal segment: values that URL parsing (or a server) would read as
//! `.` or `..` are refused before anything is sent. Checked on the request lines a local server
//! received.

use std::sync::{Arc, Mutex};

use telnyx_oauth::{Client, ErrorKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A raw HTTP server that records each request line and answers `204 No Content`.
async fn recording_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let lines = Arc::new(Mutex::new(Vec::new()));
    let seen = lines.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                        buf.drain(..end + 4);
                        let line = head.lines().next().unwrap_or_default().to_owned();
                        seen.lock().expect("lock").push(line);
                        let answer = b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n";
                        if stream.write_all(answer).await.is_err() {
                            return;
                        }
                    }
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
            });
        }
    });
    (format!("http://{addr}"), lines)
}

fn client(base: &str) -> Client {
    Client::builder().api_key("KEY-path-test").base_url(format!("{base}/v2")).max_retries(0).build().expect("client")
}

#[tokio::test]
async fn dot_segments_in_path_parameters_are_refused_before_sending() {
    let (base, lines) = recording_server().await;
    let client = client(&base);
    for value in [".", "..", "%2e", "%2e%2e", "%2E%2e", ".%2e", "%252e%252e", "%25252e"] {
        let error = client.delete_oauth_client(value).await.expect_err(value);
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{value}: {error}");
        assert!(error.to_string().contains("`id`"), "{error}");
        let error = client.get_oauth_consent_token(value).await.expect_err(value);
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{value}: {error}");
    }
    assert_eq!(*lines.lock().expect("lock"), Vec::<String>::new(), "nothing may be sent");
}

#[tokio::test]
async fn values_with_dots_that_are_not_dot_segments_stay_one_literal_segment() {
    let (base, lines) = recording_server().await;
    let client = client(&base);
    for value in ["...", "a..b", "..a", ".a", "a/..", "%2e%2e%2f"] {
        client.delete_oauth_client(value).await.expect(value);
    }
    assert_eq!(
        *lines.lock().expect("lock"),
        [
            "DELETE /v2/oauth_clients/... HTTP/1.1",
            "DELETE /v2/oauth_clients/a..b HTTP/1.1",
            "DELETE /v2/oauth_clients/..a HTTP/1.1",
            "DELETE /v2/oauth_clients/.a HTTP/1.1",
            "DELETE /v2/oauth_clients/a%2F.. HTTP/1.1",
            "DELETE /v2/oauth_clients/%252e%252e%252f HTTP/1.1",
        ]
    );
}
