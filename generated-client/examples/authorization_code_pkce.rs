//! The authorization code grant with PKCE, end to end: discovery, the authorization URL, a
//! one-shot callback listener on 127.0.0.1, the code exchange, and a token source that renews
//! the tokens with the (rotating) refresh token.
//!
//! ```sh
//! TELNYX_CLIENT_ID=... [TELNYX_CLIENT_SECRET=...] cargo run -p telnyx-oauth --example authorization_code_pkce
//! ```
//!
//! `TELNYX_BASE_URL` points it at another server (a mock such as Prism answers the authorization
//! URL with an example page, not a redirect, so the flow cannot finish there).
//!
//! Register `http://127.0.0.1:8765/callback` (or `OAUTH_REDIRECT_PORT`) as a redirect URI of the
//! OAuth client. Without `TELNYX_CLIENT_SECRET` the client is treated as public. `OAUTH_SCOPE`
//! (space-separated) chooses the scopes. Open the printed URL in a browser; the example waits
//! up to five minutes for the redirect.

use std::time::Duration;

use telnyx_oauth::oauth::{AuthServer, ClientAuthMethod, ClientCredentials, OAuth};
use telnyx_oauth::{Client, Secret};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client_id = std::env::var("TELNYX_CLIENT_ID").map_err(|_| "set TELNYX_CLIENT_ID")?;
    let secret = std::env::var("TELNYX_CLIENT_SECRET").ok();
    let credentials = ClientCredentials {
        client_id,
        method: if secret.is_some() { ClientAuthMethod::ClientSecretBasic } else { ClientAuthMethod::None },
        client_secret: secret.map(Secret::from),
    };
    let mut builder = Client::builder();
    if let Ok(url) = std::env::var("TELNYX_BASE_URL") {
        builder = builder.base_url(url);
    }
    let client = builder.build()?;

    // RFC 8414 discovery at the host root; the endpoints under the base URL if that fails.
    let server = match AuthServer::discover_for_client(&client).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("discovery failed ({e}); using the default endpoints");
            AuthServer::for_client(&client)?
        }
    };
    let oauth = OAuth::new(&client, server, credentials);

    let port: u16 = std::env::var("OAUTH_REDIRECT_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8765);
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let scope = std::env::var("OAUTH_SCOPE").unwrap_or_default();
    let (url, pending) = oauth.authorization_request(&redirect_uri)?.scopes(scope.split_whitespace()).build()?;
    println!("Open this URL in a browser and approve the request:\n\n  {url}\n");

    let target = tokio::time::timeout(Duration::from_secs(300), wait_for_redirect(&listener))
        .await
        .map_err(|_| "no redirect within five minutes")??;

    // Checks `state` (and `iss`), and turns `error=...` redirects into typed errors.
    let code = pending.callback(&target)?;
    let tokens = oauth.exchange_code(&code, &pending).await?;
    println!(
        "tokens received: type {}, expires in {:?} s, scope {:?}, refresh token: {}",
        tokens.token_type,
        tokens.expires_in,
        tokens.scope,
        tokens.refresh_token.is_some()
    );

    // The source renews the access token with the refresh token before it expires, keeping a
    // rotated refresh token; `api` sends its tokens on every bearer operation.
    let source = oauth.token_source(tokens);
    let api = source.client()?;
    let grants = api.list_oauth_grants().page_size(10).await?;
    println!("{} grants on the first page", grants.items().len());
    Ok(())
}

/// Accepts connections until one is a `GET /callback?...`, answers it with a short page and
/// returns its request target (path and query).
async fn wait_for_redirect(listener: &TcpListener) -> std::io::Result<String> {
    loop {
        let (stream, _) = listener.accept().await?;
        let mut reader = BufReader::new(stream);
        let mut request_line = String::new();
        reader.read_line(&mut request_line).await?;
        // "GET /callback?code=...&state=... HTTP/1.1"
        let mut parts = request_line.split_whitespace();
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let mut stream = reader.into_inner();
        if method == "GET" && target.starts_with("/callback") {
            let body = "<html><body>Authorization received. You can close this window.</body></html>";
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(response.as_bytes()).await?;
            return Ok(target.to_owned());
        }
        stream.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await?;
    }
}
