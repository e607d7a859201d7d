//! Hostile or faulty HTTP servers on 127.0.0.1 for the client-trust tests: each connection's
//! request is read and recorded (request line, headers, body), then answered as the [`Answer`]
//! says. Everything a raw socket can do that an HTTP mock cannot.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does once it has read a request.
#[derive(Clone)]
pub enum Answer {
    /// Writes these bytes, then closes the connection.
    Bytes(&'static [u8]),
    /// Writes `HTTP/1.1 {status}` with these extra header lines and a JSON body.
    Status(u16, &'static str, String),
    /// A 200 with `transfer-encoding: chunked` and chunks forever.
    EndlessChunked,
    /// A 200 without length, body bytes forever (the body would end when the connection closes).
    EndlessCloseDelimited,
    /// Resets the connection (RST) without answering.
    Reset,
    /// Never answers.
    Hang,
}

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub line: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

pub struct Server {
    pub uri: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// Body bytes written by the endless answers, over all connections.
    pub written: Arc<AtomicU64>,
}

impl Server {
    /// Answers every request with `answer`.
    pub async fn start(answer: Answer) -> Self {
        Self::start_with(move |_| answer.clone()).await
    }

    /// Answers request number `n` (from 0) with `answer(n)`.
    pub async fn start_with(answer: impl Fn(usize) -> Answer + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let written = Arc::new(AtomicU64::new(0));
        let answer = Arc::new(answer);
        let (seen2, written2) = (seen.clone(), written.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (seen, written, answer) = (seen2.clone(), written2.clone(), answer.clone());
                tokio::spawn(async move { serve(stream, seen, written, answer).await });
            }
        });
        Server { uri: format!("http://{addr}"), seen, written }
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }

    pub fn count(&self) -> usize {
        self.seen.lock().expect("lock").len()
    }

    pub fn written(&self) -> u64 {
        self.written.load(Ordering::SeqCst)
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let line = lines.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':').map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned())))
        .collect();
    let length: usize =
        headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    Some(Seen { line, headers, body: String::from_utf8_lossy(&body).into_owned() })
}

async fn serve(
    mut stream: TcpStream,
    seen: Arc<Mutex<Vec<Seen>>>,
    written: Arc<AtomicU64>,
    answer: Arc<dyn Fn(usize) -> Answer + Send + Sync>,
) {
    // One request per connection: every answer closes it.
    let Some(request) = read_request(&mut stream).await else { return };
    let n = {
        let mut seen = seen.lock().expect("lock");
        seen.push(request);
        seen.len() - 1
    };
    match answer(n) {
        Answer::Bytes(bytes) => {
            let _ = stream.write_all(bytes).await;
            let _ = stream.shutdown().await;
        }
        Answer::Status(status, extra, body) => {
            let text = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n{extra}\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(text.as_bytes()).await;
            let _ = stream.shutdown().await;
        }
        Answer::EndlessChunked => {
            let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
            if stream.write_all(head).await.is_err() {
                return;
            }
            let data = vec![b' '; 64 * 1024];
            let mut frame = format!("{:x}\r\n", data.len()).into_bytes();
            frame.extend_from_slice(&data);
            frame.extend_from_slice(b"\r\n");
            while stream.write_all(&frame).await.is_ok() {
                written.fetch_add(data.len() as u64, Ordering::SeqCst);
            }
        }
        Answer::EndlessCloseDelimited => {
            let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n";
            if stream.write_all(head).await.is_err() {
                return;
            }
            let data = vec![b' '; 64 * 1024];
            while stream.write_all(&data).await.is_ok() {
                written.fetch_add(data.len() as u64, Ordering::SeqCst);
            }
        }
        Answer::Reset => {
            let _ = stream.set_zero_linger();
            drop(stream);
        }
        Answer::Hang => tokio::time::sleep(Duration::from_secs(60)).await,
    }
}
