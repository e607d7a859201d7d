//! Restoring OAuth state across restarts: a pending authorization stored with serde between the
//! redirect and the callback, and a token source rebuilt from a stored refresh token.

mod oauth_support;

use oauth_support::{ExpectAuth, FakeAuthServer};
use telnyx_oauth::oauth::{ClientAuthMethod, OAuth, PendingAuthorization, TokenResponse, TokenSource};

const REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";

async fn setup() -> (FakeAuthServer, OAuth) {
    let fake = FakeAuthServer::start(ExpectAuth::Basic).await;
    let oauth = OAuth::from_client(&fake.client(ClientAuthMethod::ClientSecretBasic)).unwrap();
    (fake, oauth)
}

#[tokio::test]
async fn a_stored_pending_authorization_finishes_the_flow() {
    let (fake, oauth) = setup().await;
    let (url, pending) = oauth.authorization_request(REDIRECT_URI).unwrap().scope("admin").build().unwrap();
    let stored = serde_json::to_string(&pending).unwrap();
    drop(pending);

    // Another process reads it back when the browser returns.
    let restored: PendingAuthorization = serde_json::from_str(&stored).unwrap();
    let code = restored.callback(&fake.approve(&url)).unwrap();
    let tokens = oauth.exchange_code(&code, &restored).await.unwrap();
    assert!(!tokens.access_token.expose().is_empty());
    fake.assert_no_violations();

    // Its secrets stay out of Debug, restored or not.
    let debug = format!("{restored:?}");
    assert!(!debug.contains(restored.state()), "{debug}");
    assert!(!debug.contains(restored.pkce().verifier().expose()), "{debug}");
}

#[tokio::test]
async fn a_tampered_stored_verifier_is_refused_without_echoing_it() {
    let (_fake, oauth) = setup().await;
    let (_url, pending) = oauth.authorization_request(REDIRECT_URI).unwrap().build().unwrap();
    let mut stored: serde_json::Value = serde_json::to_value(&pending).unwrap();
    stored["code_verifier"] = "short secret!".into();
    let error = serde_json::from_value::<PendingAuthorization>(stored).unwrap_err().to_string();
    assert!(error.contains("invalid code_verifier") && !error.contains("short secret"), "{error}");
}

#[tokio::test]
async fn a_token_source_restarts_from_a_stored_refresh_token() {
    let (fake, oauth) = setup().await;
    let stored = fake.issue_refresh_token();
    let before = fake.token_request_count();
    let source = TokenSource::from_refresh_token(oauth, stored.clone());
    let access = source.access_token().await.unwrap();
    assert!(!access.expose().is_empty());
    assert_eq!(fake.token_request_count(), before + 1, "one refresh grant, then cached");
    assert_eq!(source.access_token().await.unwrap(), access);
    assert_eq!(fake.token_request_count(), before + 1);
    assert_ne!(source.refresh_token().unwrap().expose(), stored, "the rotated refresh token replaces the stored one");
    fake.assert_no_violations();
}

#[tokio::test]
async fn stored_tokens_are_constructible() {
    let (fake, oauth) = setup().await;
    let stored = fake.issue_refresh_token();
    // An access token stored with its lifetime, already spent: the source renews it.
    let tokens = TokenResponse::bearer("old-access").with_refresh_token(stored).with_expires_in(0).with_scope("admin");
    assert_eq!((tokens.token_type.as_str(), tokens.scope.as_deref()), ("Bearer", Some("admin")));
    let source = TokenSource::from_tokens(oauth, tokens);
    let access = source.access_token().await.unwrap();
    assert_ne!(access.expose(), "old-access");
    fake.assert_no_violations();

    // One still valid is used as is.
    let (_fake, oauth) = setup().await;
    let source = TokenSource::from_tokens(oauth, TokenResponse::bearer("still-good").with_expires_in(3600));
    assert_eq!(source.access_token().await.unwrap().expose(), "still-good");
}
