//! The client credentials grant: a self-renewing token source built from the environment, a
//! `Client` that authenticates with it instead of an API key, token introspection, and one API
//! call.
//!
//! ```sh
//! TELNYX_CLIENT_ID=... TELNYX_CLIENT_SECRET=... cargo run -p telnyx-oauth --example client_credentials
//! # against Prism on our spec (README, "Examples"; every path at its root, and client
//! # credentials accepted only in the body):
//! TELNYX_BASE_URL=http://127.0.0.1:4010 TELNYX_CLIENT_ID=id TELNYX_CLIENT_SECRET=secret \
//!     TELNYX_CLIENT_AUTH_METHOD=client_secret_post cargo run -p telnyx-oauth --example client_credentials
//! ```
//!
//! `OAUTH_SCOPE` (space-separated) asks for particular scopes.

use telnyx_oauth::oauth::{credentials_from_env, OAuth, TokenSource};
use telnyx_oauth::{Client, TryStreamExt};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // TELNYX_BASE_URL (default https://api.telnyx.com/v2) decides where the token endpoint is.
    let mut builder = Client::builder().client_credentials(credentials_from_env()?);
    if let Ok(url) = std::env::var("TELNYX_BASE_URL") {
        builder = builder.base_url(url);
    }
    let client = builder.build()?;
    let oauth = OAuth::from_client(&client)?;
    let scope = std::env::var("OAUTH_SCOPE").unwrap_or_default();
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    // `TokenSource::from_env()` does the same in one call, without scopes.
    let source: TokenSource = oauth.client_credentials_source(&scopes);

    let token = source.access_token().await?; // fetched once, then cached until shortly before expiry
    println!("access token obtained ({} characters; never printed)", token.expose().len());

    match oauth.introspect(token.expose(), Some("access_token")).await {
        Ok(info) => println!("introspection: active={} scope={:?} exp={:?}", info.active, info.scope, info.exp),
        Err(e) => println!("introspection failed: {e}"),
    }

    // Bearer operations of this client get their token from `source`, renewed as needed.
    let api = source.client()?;
    let mut grants = api.list_oauth_grants().items();
    let mut count = 0;
    while let Some(grant) = grants.try_next().await? {
        count += 1;
        println!("grant {} for client {} (scopes {:?})", grant.id, grant.client_id, grant.scopes);
    }
    println!("{count} grants");
    Ok(())
}
