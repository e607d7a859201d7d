//! The OAuth helpers against an independent, OpenID Certified authorization server:
//! `oidc-provider` (npm, pinned in `tools/oidc/`, started once for this test binary on
//! 127.0.0.1). Discovery, client credentials (Basic with a secret full of reserved characters,
//! and post), authorization code + PKCE driven through scripted login and consent pages,
//! refresh token rotation, introspection, revocation, ID token verification against the JWK
//! set, RFC 9207 `iss`, and the device authorization grant (RFC 8628).
//!
//! Without `npm ci --prefix tools/oidc` the tests print why and skip; with `CI=true` they fail.

mod child_process;
mod oidc_support;

use oidc_support::{
    first_form, log_in_and_approve, require, Browser, BASIC_CLIENT_ID, BASIC_CLIENT_SECRET, POST_CLIENT_ID,
    POST_CLIENT_SECRET, PUBLIC_CLIENT_ID, REDIRECT_URI,
};
use telnyx_oauth::oauth::{
    AuthServer, ClientAuthMethod, ClientCredentials, OAuth, OAuthError, PendingAuthorization, TokenErrorCode,
    TokenResponse,
};
use telnyx_oauth::{Client, Secret};
use url::Url;

fn credentials(id: &str, secret: Option<&str>, method: ClientAuthMethod) -> ClientCredentials {
    ClientCredentials { client_id: id.to_owned(), client_secret: secret.map(Secret::new), method }
}

fn basic() -> ClientCredentials {
    credentials(BASIC_CLIENT_ID, Some(BASIC_CLIENT_SECRET), ClientAuthMethod::ClientSecretBasic)
}

fn public() -> ClientCredentials {
    credentials(PUBLIC_CLIENT_ID, None, ClientAuthMethod::None)
}

async fn oauth(issuer: &str, credentials: ClientCredentials) -> OAuth {
    let client = Client::builder().base_url(issuer).build().unwrap();
    let server = AuthServer::discover(&client, issuer).await.unwrap();
    OAuth::new(&client, server, credentials)
}

/// Runs the authorization code flow as user `alice` through the server's pages; returns the
/// URL the browser was sent back to and the pending request.
async fn authorize(oauth: &OAuth, scope: &str) -> (Url, PendingAuthorization) {
    let (url, pending) = oauth.authorization_request(REDIRECT_URI).unwrap().scope(scope).build().unwrap();
    let redirect = Browser::new()
        .walk(&url, log_in_and_approve("alice"))
        .await
        .unwrap_or_else(|page| panic!("no redirect back; stopped at {} {}: {}", page.url, page.status, page.body));
    (redirect, pending)
}

async fn code_flow(oauth: &OAuth) -> TokenResponse {
    let (redirect, pending) = authorize(oauth, "openid offline_access api:read").await;
    let code = pending.callback(redirect.as_str()).unwrap();
    oauth.exchange_code(&code, &pending).await.unwrap()
}

#[tokio::test]
async fn discovery_finds_every_endpoint_and_checks_the_issuer() {
    let Some(issuer) = require("discovery_finds_every_endpoint_and_checks_the_issuer") else { return };
    let client = Client::builder().base_url(issuer).build().unwrap();

    for server in [
        AuthServer::discover(&client, issuer).await.unwrap(),
        AuthServer::discover_oidc(&client, issuer).await.unwrap(),
    ] {
        assert_eq!(server.issuer.as_deref(), Some(issuer));
        assert_eq!(server.token_endpoint.as_str(), format!("{issuer}/token"));
        assert_eq!(server.authorization_endpoint.as_ref().unwrap().as_str(), format!("{issuer}/auth"));
        assert_eq!(server.device_authorization_endpoint.as_ref().unwrap().as_str(), format!("{issuer}/device/auth"));
        assert!(server.introspection_endpoint.is_some());
        assert!(server.revocation_endpoint.is_some());
        assert!(server.jwks_uri.is_some());
        let meta = server.metadata.as_ref().unwrap();
        assert_eq!(meta.authorization_response_iss_parameter_supported, Some(true));
    }

    // The document names its own issuer; expecting another is refused (RFC 8414 §3.3).
    let other = format!("{issuer}/other");
    let url = format!("{issuer}/.well-known/openid-configuration");
    let err = AuthServer::discover_at(&client, &url, &other).await.unwrap_err();
    assert!(matches!(err, OAuthError::IssuerMismatch { .. }), "{err:?}");
}

#[tokio::test]
async fn client_credentials_with_basic_reserved_character_secret_and_with_post() {
    let Some(issuer) = require("client_credentials_with_basic_reserved_character_secret_and_with_post") else { return };

    let basic = oauth(issuer, basic()).await;
    let token = basic.client_credentials_token(&["api:read"]).await.unwrap();
    assert_eq!(token.token_type, "Bearer");
    assert_eq!(token.scope.as_deref(), Some("api:read"));
    let seen = basic.introspect(token.access_token.expose(), Some("access_token")).await.unwrap();
    assert!(seen.active);
    assert_eq!(seen.client_id.as_deref(), Some(BASIC_CLIENT_ID));

    let post_creds = credentials(POST_CLIENT_ID, Some(POST_CLIENT_SECRET), ClientAuthMethod::ClientSecretPost);
    let post = oauth(issuer, post_creds).await;
    let token = post.client_credentials_token(&[]).await.unwrap();
    assert!(!token.access_token.expose().is_empty());

    // A wrong secret is refused, and neither secret shows in the error.
    let wrong = credentials(BASIC_CLIENT_ID, Some(POST_CLIENT_SECRET), ClientAuthMethod::ClientSecretBasic);
    let err = oauth(issuer, wrong).await.client_credentials_token(&[]).await.unwrap_err();
    assert_eq!(err.token_error().map(|t| t.code.clone()), Some(TokenErrorCode::InvalidClient), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(POST_CLIENT_SECRET) && !shown.contains(BASIC_CLIENT_SECRET), "{shown}");
}

#[tokio::test]
async fn authorization_code_with_pkce_for_public_and_confidential_clients() {
    let Some(issuer) = require("authorization_code_with_pkce_for_public_and_confidential_clients") else { return };
    for creds in [public(), basic()] {
        let client_id = creds.client_id.clone();
        let oauth = oauth(issuer, creds).await;
        let tokens = code_flow(&oauth).await;
        assert_eq!(tokens.token_type, "Bearer", "{client_id}");
        assert!(tokens.refresh_token.is_some(), "{client_id}");

        // The ID token verifies against the server's JWK set, for this client as audience.
        let id_token = tokens.id_token.as_ref().expect("an ID token for scope openid");
        let claims = oauth.jwt_verifier(client_id.clone()).unwrap().verify(id_token.expose()).await.unwrap();
        assert_eq!(claims.sub.as_deref(), Some("alice"));
        assert_eq!(claims.iss.as_deref(), Some(issuer));
        // Not for another audience.
        let err = oauth.jwt_verifier("someone-else").unwrap().verify(id_token.expose()).await.unwrap_err();
        assert!(matches!(err, OAuthError::Jwt(_)), "{err:?}");
    }
}

#[tokio::test]
async fn the_callback_iss_is_checked_rfc_9207() {
    let Some(issuer) = require("the_callback_iss_is_checked_rfc_9207") else { return };
    let oauth = oauth(issuer, public()).await;
    let (redirect, pending) = authorize(&oauth, "openid").await;
    let iss = redirect.query_pairs().find(|(k, _)| k == "iss").map(|(_, v)| v.into_owned());
    assert_eq!(iss.as_deref(), Some(issuer), "the server sends iss: {redirect}");

    let with_iss = |value: Option<&str>| {
        let mut url = redirect.clone();
        let pairs: Vec<(String, String)> =
            redirect.query_pairs().filter(|(k, _)| k != "iss").map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let mut q = url.query_pairs_mut();
        q.clear().extend_pairs(pairs);
        if let Some(v) = value {
            q.append_pair("iss", v);
        }
        drop(q);
        url
    };
    let forged = pending.callback(with_iss(Some("http://127.0.0.1:1")).as_str()).unwrap_err();
    assert!(matches!(forged, OAuthError::CallbackIssuerMismatch { .. }), "{forged:?}");
    // The metadata says the server always sends iss, so a callback without it is refused.
    let missing = pending.callback(with_iss(None).as_str()).unwrap_err();
    assert!(matches!(missing, OAuthError::CallbackIssuerMissing { .. }), "{missing:?}");
    // The genuine one goes through and its code is exchanged.
    let code = pending.callback(redirect.as_str()).unwrap();
    oauth.exchange_code(&code, &pending).await.unwrap();
}

#[tokio::test]
async fn refresh_rotates_and_the_old_refresh_token_is_rejected() {
    let Some(issuer) = require("refresh_rotates_and_the_old_refresh_token_is_rejected") else { return };
    let oauth = oauth(issuer, basic()).await;
    let tokens = code_flow(&oauth).await;
    let first = tokens.refresh_token.clone().unwrap();

    let refreshed = oauth.refresh_token(&first, &[]).await.unwrap();
    let second = refreshed.refresh_token.clone().expect("a rotated refresh token");
    assert_ne!(second, first);
    assert_ne!(refreshed.access_token, tokens.access_token);

    let reused = oauth.refresh_token(&first, &[]).await.unwrap_err();
    assert_eq!(reused.token_error().map(|t| t.code.clone()), Some(TokenErrorCode::InvalidGrant), "{reused:?}");
    assert!(!format!("{reused} {reused:?}").contains(first.expose()));

    // A token source built from the code flow's tokens renews them through the same grant.
    let fresh = code_flow(&oauth).await;
    let source = oauth.token_source(fresh.clone());
    assert_eq!(source.access_token().await.unwrap(), fresh.access_token);
    source.invalidate();
    let renewed = source.access_token().await.unwrap();
    assert_ne!(renewed, fresh.access_token);
    assert!(oauth.introspect(renewed.expose(), None).await.unwrap().active);
}

#[tokio::test]
async fn introspection_and_revocation() {
    let Some(issuer) = require("introspection_and_revocation") else { return };
    let oauth = oauth(issuer, basic()).await;
    let tokens = code_flow(&oauth).await;
    let access = tokens.access_token.expose();

    let seen = oauth.introspect(access, Some("access_token")).await.unwrap();
    assert!(seen.active);
    assert_eq!(seen.sub.as_deref(), Some("alice"));
    assert_eq!(seen.client_id.as_deref(), Some(BASIC_CLIENT_ID));
    assert!(seen.scope.as_deref().unwrap_or_default().contains("api:read"), "{seen:?}");

    oauth.revoke_token(access, Some("access_token")).await.unwrap();
    assert!(!oauth.introspect(access, None).await.unwrap().active);

    let refresh = tokens.refresh_token.unwrap();
    oauth.revoke_token(refresh.expose(), Some("refresh_token")).await.unwrap();
    assert!(!oauth.introspect(refresh.expose(), Some("refresh_token")).await.unwrap().active);
    let err = oauth.refresh_token(&refresh, &[]).await.unwrap_err();
    assert_eq!(err.token_error().map(|t| t.code.clone()), Some(TokenErrorCode::InvalidGrant));

    // An unknown token is simply inactive (RFC 7662 §2.2), and revoking it succeeds (RFC 7009 §2.2).
    assert!(!oauth.introspect("no-such-token", None).await.unwrap().active);
    oauth.revoke_token("no-such-token", None).await.unwrap();
}

#[tokio::test]
async fn device_flow_approved_through_the_verification_pages() {
    let Some(issuer) = require("device_flow_approved_through_the_verification_pages") else { return };
    // A public and a confidential client, side by side (each waits the 5 s interval).
    let (a, b) = tokio::join!(device_flow_approved(issuer, public()), device_flow_approved(issuer, basic()));
    a.unwrap();
    b.unwrap();
}

async fn device_flow_approved(issuer: &str, creds: ClientCredentials) -> Result<(), String> {
    let client_id = creds.client_id.clone();
    let oauth = oauth(issuer, creds).await;
    let device = oauth.start_device_authorization(&["openid", "offline_access", "api:read"]).await.unwrap();
    assert!(!format!("{device:?}").contains(device.device_code.expose()));
    assert_eq!(device.verification_uri, format!("{issuer}/device"));
    let complete = Url::parse(device.verification_uri_complete.as_deref().unwrap()).unwrap();
    assert!(complete.query_pairs().any(|(k, v)| k == "user_code" && v == device.user_code.as_str()));
    assert_eq!(device.interval, 5, "oidc-provider names no interval: the RFC's default");

    // The user approves on "another device" while this one polls.
    let user = tokio::spawn(async move {
        let end = Browser::new().walk(&complete, log_in_and_approve("bob")).await.unwrap_err();
        assert!(end.body.contains("Device approved"), "{} {}: {}", end.url, end.status, end.body);
    });
    let tokens = oauth.poll_device_token(&device).await.unwrap();
    user.await.map_err(|e| format!("{client_id}: the browser failed: {e}"))?;
    assert_eq!(tokens.token_type, "Bearer");
    let id_token = tokens.id_token.clone().unwrap();
    let claims = oauth.jwt_verifier(client_id.clone()).unwrap().verify(id_token.expose()).await.unwrap();
    assert_eq!(claims.sub.as_deref(), Some("bob"));

    // Same token type as the other grants: a token source renews it with the refresh token.
    let source = oauth.token_source(tokens.clone());
    source.invalidate();
    let renewed = source.access_token().await.unwrap();
    assert_ne!(renewed, tokens.access_token, "{client_id}");

    // The device code is single use.
    let again = oauth.device_token_request(&device).await.unwrap_err();
    assert_eq!(again.token_error().map(|t| t.code.clone()), Some(TokenErrorCode::InvalidGrant), "{again:?}");
    Ok(())
}

#[tokio::test]
async fn device_flow_denied_by_the_user() {
    let Some(issuer) = require("device_flow_denied_by_the_user") else { return };
    let oauth = oauth(issuer, public()).await;
    let device = oauth.start_device_authorization(&["openid"]).await.unwrap();
    let complete = Url::parse(device.verification_uri_complete.as_deref().unwrap()).unwrap();
    // The verification URI with the code posts it; the confirmation page has an abort button.
    let mut browser = Browser::new();
    let page = browser.get(&complete).await;
    let page = browser.submit(&first_form(&page).expect("the code form")).await;
    let mut confirm = first_form(&page).unwrap_or_else(|| panic!("no confirmation form: {}", page.body));
    assert_eq!(confirm.get("user_code"), Some(device.user_code.as_str()));
    confirm.set("abort", "yes");
    browser.submit(&confirm).await;
    let err = oauth.poll_device_token(&device).await.unwrap_err();
    assert_eq!(err.token_error().map(|t| t.code.as_str()), Some("access_denied"), "{err:?}");
}
