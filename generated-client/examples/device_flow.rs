//! The device authorization grant (RFC 8628) for a CLI: ask for a user code, tell the user
//! where to enter it, poll until they approve on another device (Ctrl-C cancels), then use the
//! tokens through a self-renewing token source.
//!
//! The authorization server comes from discovery of `OAUTH_ISSUER` (RFC 8414, or OpenID
//! Connect discovery): the device flow needs a `device_authorization_endpoint`. To try it
//! locally against the certified server the tests use:
//!
//! ```sh
//! npm ci --prefix tools/oidc
//! node tools/oidc/server.mjs &            # prints: listening http://127.0.0.1:PORT
//! OAUTH_ISSUER=http://127.0.0.1:PORT TELNYX_CLIENT_ID=public-pkce \
//!     cargo run -p telnyx-oauth --example device_flow
//! ```
//!
//! then open the printed URL, sign in with any name and confirm. `TELNYX_CLIENT_SECRET` (sent
//! with `client_secret_basic`, or as `TELNYX_CLIENT_AUTH_METHOD` says) makes it a confidential
//! client; `OAUTH_SCOPE` (space-separated, default `openid offline_access`) sets the scopes.

use telnyx_oauth::oauth::{credentials_from_env, AuthServer, ClientAuthMethod, ClientCredentials, OAuth, OAuthError};
use telnyx_oauth::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let issuer = std::env::var("OAUTH_ISSUER").map_err(|_| "set OAUTH_ISSUER to the authorization server's issuer")?;
    let credentials = if std::env::var("TELNYX_CLIENT_SECRET").is_ok() {
        credentials_from_env()?
    } else {
        let client_id = std::env::var("TELNYX_CLIENT_ID").map_err(|_| "set TELNYX_CLIENT_ID")?;
        ClientCredentials { client_id, client_secret: None, method: ClientAuthMethod::None }
    };
    let client = Client::builder().build()?;
    let oauth = OAuth::new(&client, AuthServer::discover(&client, &issuer).await?, credentials);

    let scope = std::env::var("OAUTH_SCOPE").unwrap_or_else(|_| "openid offline_access".to_owned());
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let device = oauth.start_device_authorization(&scopes).await?;
    match &device.verification_uri_complete {
        Some(complete) => {
            println!("Open {complete}\n(or go to {} and enter {})", device.verification_uri, device.user_code)
        }
        None => println!("Go to {} and enter {}", device.verification_uri, device.user_code),
    }
    println!("Waiting for approval (the code expires in {} s; Ctrl-C to cancel)...", device.expires_in);

    // Dropping the polling future cancels it: no request is sent after Ctrl-C.
    let tokens = tokio::select! {
        polled = oauth.poll_device_token(&device) => match polled {
            Ok(tokens) => tokens,
            Err(e) if e.token_error().is_some_and(|t| t.code.as_str() == "access_denied") => {
                println!("The request was denied.");
                return Ok(());
            }
            Err(e @ OAuthError::DeviceCodeExpired { .. }) => {
                println!("{e}; run again for a new code.");
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        },
        _ = tokio::signal::ctrl_c() => {
            println!("Cancelled.");
            return Ok(());
        }
    };
    println!(
        "Approved: {} token, expires in {:?} s, refresh token: {}",
        tokens.token_type,
        tokens.expires_in,
        if tokens.refresh_token.is_some() { "yes" } else { "no" }
    );

    // The same token type as the other grants: a token source renews it when it expires.
    let source = oauth.token_source(tokens);
    let token = source.access_token().await?;
    println!("access token ready ({} characters; never printed)", token.expose().len());
    Ok(())
}
