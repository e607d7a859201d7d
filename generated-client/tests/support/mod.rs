//! Shared by the `runtime_*` tests: a made-up API described the way the generator describes
//! one, and clients pointed at local servers with millisecond backoff.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;
use telnyx_oauth::runtime::{
    ApiInfo, Auth, Body, Client, ClientBuilder, Operation, RawResponse, RequestOptions, RequestParts, Result,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const API_KEY: &str = "KEY-sk-live-0123456789";

pub static INFO: ApiInfo = ApiInfo {
    default_server: "https://api.example.test/v2",
    env_api_key: "RUNTIME_TESTS_API_KEY",
    env_base_url: "RUNTIME_TESTS_BASE_URL",
    env_client_id: "RUNTIME_TESTS_CLIENT_ID",
    env_client_secret: "RUNTIME_TESTS_CLIENT_SECRET",
    user_agent: "runtime-tests/0.0.1",
};

/// `GET /things/{id}` with bearer auth.
pub static GET_THING: Operation = Operation {
    id: "GetThing",
    method: Method::GET,
    path: "/things/{id}",
    server: None,
    auth: Auth::Bearer { optional: false },
};

/// `POST /things` with bearer auth and a JSON body.
pub static CREATE_THING: Operation = Operation {
    id: "CreateThing",
    method: Method::POST,
    path: "/things",
    server: None,
    auth: Auth::Bearer { optional: false },
};

/// `GET /public` with `security: []`.
pub static PUBLIC: Operation =
    Operation { id: "GetPublic", method: Method::GET, path: "/public", server: None, auth: Auth::None };

/// `POST /oauth/token` with OAuth client authentication.
pub static TOKEN: Operation = Operation {
    id: "ExchangeToken",
    method: Method::POST,
    path: "/oauth/token",
    server: None,
    auth: Auth::ClientAuth { optional: true },
};

/// `GET /legacy` with the API key in a query parameter.
pub static KEY_IN_QUERY: Operation = Operation {
    id: "GetLegacy",
    method: Method::GET,
    path: "/legacy",
    server: None,
    auth: Auth::ApiKeyQuery { name: "api_key", optional: false },
};

#[derive(Debug, Deserialize, PartialEq)]
pub struct Thing {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct Token {
    pub access_token: String,
    pub expires_in: u64,
}

/// A client for `base` (the server's URI, `/v2` appended) with the test API key, 1–5 ms backoff
/// and a 5 s timeout, so that no test waits on the production defaults.
pub fn builder(base: &str) -> ClientBuilder {
    Client::builder_for(&INFO)
        .base_url(format!("{base}/v2"))
        .api_key(API_KEY)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .timeout(Duration::from_secs(5))
}

pub fn client(base: &str) -> Client {
    builder(base).build().expect("client builds")
}

pub fn thing_parts(id: &str) -> RequestParts {
    RequestParts::new(format!("/things/{id}"))
}

pub fn form(pairs: &[(&str, &str)]) -> Body {
    Body::Form(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
}

pub fn token_parts(pairs: &[(&str, &str)]) -> RequestParts {
    let mut parts = RequestParts::new("/oauth/token".to_owned());
    parts.body = form(pairs);
    parts
}

/// Executes `op` and decodes a success as JSON, an error status as `Error::Api`, the way
/// generated operations do.
pub async fn call<T: serde::de::DeserializeOwned>(
    client: &Client,
    op: &'static Operation,
    parts: RequestParts,
    options: &RequestOptions,
) -> Result<telnyx_oauth::runtime::ApiResponse<T>> {
    let raw: RawResponse = client.execute(op, parts, options).await?;
    if raw.status().is_success() {
        raw.json()
    } else {
        Err(raw.into_error())
    }
}

/// A raw TCP server for faults an HTTP mock cannot produce. It counts the requests it reads
/// (one per connection) and answers each with `respond`.
pub struct RawServer {
    pub uri: String,
    pub requests: Arc<AtomicUsize>,
}

#[derive(Clone, Copy)]
pub enum RawFault {
    /// Sends the status line, headers promising 100 bytes and 11 of them, then closes.
    CloseMidResponse,
    /// Reads the request and never answers (holds the connection open).
    NeverAnswer,
}

impl RawServer {
    pub async fn start(fault: RawFault) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let counter = counter.clone();
                tokio::spawn(async move { serve(stream, fault, counter).await });
            }
        });
        RawServer { uri: format!("http://{addr}"), requests }
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

async fn serve(mut stream: TcpStream, fault: RawFault, counter: Arc<AtomicUsize>) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(buf.get(..n).unwrap_or_default()),
        }
    }
    counter.fetch_add(1, Ordering::SeqCst);
    match fault {
        RawFault::CloseMidResponse => {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"id\": \"a\",",
                )
                .await;
            let _ = stream.shutdown().await;
        }
        RawFault::NeverAnswer => {
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
    }
}

/// A local address nothing listens on: connecting to it is refused.
pub async fn refused_uri() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    drop(listener);
    format!("http://{addr}")
}
