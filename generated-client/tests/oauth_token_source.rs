//! The token source: caching, refresh before expiry, rotation, single flight, failures that
//! reach every waiter, and the runtime `BearerSource` view of it.

mod oauth_support;

use std::sync::Arc;
use std::time::Duration;

use oauth_support::{ExpectAuth, FakeAuthServer};
use telnyx_oauth::oauth::{ClientAuthMethod, OAuth, OAuthError, TokenErrorCode, TokenSource};
use telnyx_oauth::runtime::BearerSource;

async fn setup(lifetime: u64) -> (FakeAuthServer, OAuth) {
    let fake = FakeAuthServer::start(ExpectAuth::Basic).await;
    fake.with(|s| s.lifetime = lifetime);
    let oauth = OAuth::from_client(&fake.client(ClientAuthMethod::ClientSecretBasic)).unwrap();
    (fake, oauth)
}

/// Tokens as from a code exchange, with a refresh token the server knows.
async fn tokens_via_refresh(fake: &FakeAuthServer, oauth: &OAuth) -> telnyx_oauth::oauth::TokenResponse {
    let rt = fake.issue_refresh_token();
    oauth.refresh_token(&rt.into(), &[]).await.unwrap()
}

#[tokio::test]
async fn caches_until_expiry_then_refreshes_and_keeps_the_rotated_refresh_token() {
    let (fake, oauth) = setup(1).await;
    let tokens = tokens_via_refresh(&fake, &oauth).await;
    let first_access = tokens.access_token.clone();
    let source = oauth.token_source(tokens).with_refresh_skew(Duration::ZERO);
    let before = fake.token_request_count();

    // Cached: no request while the token is fresh.
    for _ in 0..5 {
        assert_eq!(source.access_token().await.unwrap(), first_access);
    }
    assert_eq!(fake.token_request_count(), before);
    let rt1 = source.refresh_token().unwrap();

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second = source.access_token().await.unwrap();
    assert_ne!(second, first_access);
    assert_eq!(fake.token_request_count(), before + 1);
    let rt2 = source.refresh_token().unwrap();
    assert_ne!(rt1, rt2, "the rotated refresh token replaces the old one");

    // Invalidate forces another refresh, with the rotated token (the server rejects reuse of
    // the old one and records a violation).
    source.invalidate();
    let third = source.access_token().await.unwrap();
    assert_ne!(third, second);
    fake.assert_no_violations();
}

#[tokio::test]
async fn skew_refreshes_early() {
    let (fake, oauth) = setup(3600).await;
    let source = oauth.client_credentials_source(&["admin"]);
    source.access_token().await.unwrap();
    source.access_token().await.unwrap();
    assert_eq!(fake.token_request_count(), 1, "a one-hour token is cached with the default 60 s skew");

    // A skew longer than the lifetime is capped at half of it: a 1 s token is cached ~0.5 s.
    let (fake, oauth) = setup(1).await;
    let source = oauth.client_credentials_source(&[]).with_refresh_skew(Duration::from_secs(3600));
    source.access_token().await.unwrap();
    source.access_token().await.unwrap();
    assert_eq!(fake.token_request_count(), 1);
    tokio::time::sleep(Duration::from_millis(600)).await;
    source.access_token().await.unwrap();
    assert_eq!(fake.token_request_count(), 2);
    assert_eq!(fake.with(|s| s.scopes.clone()), [None, None]);
}

#[tokio::test]
async fn fifty_concurrent_callers_with_an_expired_token_make_one_token_request() {
    let (fake, oauth) = setup(0).await; // every issued token is already expired...
    let tokens = tokens_via_refresh(&fake, &oauth).await;
    let source = oauth.token_source(tokens);
    fake.with(|s| {
        s.lifetime = 3600; // ...except the one the refresh brings
        s.token_delay = Duration::from_millis(300);
    });
    let before = fake.token_request_count();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let source = source.clone();
            tokio::spawn(async move { source.access_token().await })
        })
        .collect();
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap().unwrap());
    }
    assert_eq!(fake.token_request_count() - before, 1, "exactly one token request");
    assert!(tokens.windows(2).all(|w| w[0] == w[1]), "every caller got the same new token");
    fake.assert_no_violations();
}

#[tokio::test]
async fn a_failed_refresh_reaches_every_waiter() {
    let (fake, oauth) = setup(0).await;
    let tokens = tokens_via_refresh(&fake, &oauth).await;
    let source = oauth.token_source(tokens);
    fake.with(|s| {
        s.fail_token_requests = true;
        s.token_delay = Duration::from_millis(300);
    });
    let before = fake.token_request_count();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let source = source.clone();
            // Through the runtime's BearerSource interface, as the Client would ask.
            tokio::spawn(async move { source.bearer().await })
        })
        .collect();
    for t in tasks {
        let err = t.await.unwrap().expect_err("no token, so no request may be sent");
        assert_eq!(err.status(), Some(telnyx_oauth::StatusCode::BAD_REQUEST));
        let api = err.api().expect("the token endpoint's answer is kept");
        assert!(std::str::from_utf8(&api.body).unwrap().contains("invalid_grant"));
    }
    assert_eq!(fake.token_request_count() - before, 1, "one refresh for all the waiters");

    // The OAuth view keeps the typed error; the next call tries again.
    match source.access_token().await {
        Err(e @ OAuthError::RefreshFailed(_)) => {
            assert_eq!(e.token_error().unwrap().code, TokenErrorCode::InvalidGrant);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.token_request_count() - before, 2);

    // Recovery once the server works again.
    fake.with(|s| s.fail_token_requests = false);
    // The refused refresh token was not consumed, so it still works.
    source.access_token().await.unwrap();
    fake.assert_no_violations();
}

#[tokio::test]
async fn without_a_refresh_token_an_expired_token_is_an_error() {
    let (fake, oauth) = setup(0).await;
    let tokens = oauth.client_credentials_token(&[]).await.unwrap();
    assert!(tokens.refresh_token.is_none());
    let source = TokenSource::from_tokens(oauth, tokens);
    assert!(
        matches!(source.access_token().await, Err(OAuthError::RefreshFailed(e)) if matches!(*e, OAuthError::Config(_)))
    );
    assert_eq!(fake.token_request_count(), 1);
}

#[tokio::test]
async fn token_source_authenticates_a_client() {
    let (fake, oauth) = setup(3600).await;
    let source = oauth.client_credentials_source(&[]);
    let dyn_source: Arc<dyn BearerSource> = Arc::new(source.clone());
    let token = dyn_source.bearer().await.unwrap();
    assert!(token.expose().starts_with("at-"));
    // A client built from the source points at the same base URL.
    let client = source.client().unwrap();
    assert!(format!("{client:?}").contains(&fake.base_url()));
}

#[tokio::test]
async fn from_env_reads_client_credentials() {
    let fake = FakeAuthServer::start(ExpectAuth::Basic).await;
    // Only this test touches these variables in this test binary.
    std::env::set_var("TELNYX_CLIENT_ID", oauth_support::CLIENT_ID);
    std::env::set_var("TELNYX_CLIENT_SECRET", oauth_support::CLIENT_SECRET);
    std::env::set_var("TELNYX_BASE_URL", fake.base_url());
    let source = TokenSource::from_env().unwrap();
    source.access_token().await.unwrap();
    assert_eq!(fake.with(|s| s.token_requests.clone()), ["client_credentials"]);
    fake.assert_no_violations();
}

#[tokio::test]
async fn a_renewal_abandoned_by_its_caller_is_finished_by_the_next_one() {
    let (fake, oauth) = setup(3600).await;
    fake.with(|s| s.token_delay = Duration::from_millis(300));
    let source = oauth.client_credentials_source(&[]);
    // The first caller gives up while the request is out...
    assert!(tokio::time::timeout(Duration::from_millis(50), source.access_token()).await.is_err());
    // ...and the next one picks up the same request instead of sending another.
    source.access_token().await.unwrap();
    assert_eq!(fake.token_request_count(), 1);
}

#[tokio::test]
async fn a_client_with_a_token_source_sends_its_tokens_and_never_goes_unauthenticated() {
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, ResponseTemplate};
    let (fake, oauth) = setup(3600).await;
    Mock::given(method("GET"))
        .and(path("/v2/oauth_grants"))
        .and(header("authorization", "Bearer at-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"data": []})))
        .mount(&fake.server)
        .await;
    let source = oauth.client_credentials_source(&[]);
    let api = source.client_builder().max_retries(0).build().expect("client builds");
    api.list_oauth_grants().await.expect("first call with a fresh token");
    api.list_oauth_grants().await.expect("second call with the cached token");
    assert_eq!(fake.token_request_count(), 1, "the token is cached across calls");
    fake.with(|s| s.fail_token_requests = true);
    source.invalidate();
    let before = fake.server.received_requests().await.unwrap_or_default().len();
    let err = api.list_oauth_grants().await.expect_err("the token request fails");
    assert_eq!(err.status(), Some(telnyx_oauth::StatusCode::BAD_REQUEST));
    let after = fake.server.received_requests().await.unwrap_or_default();
    assert_eq!(after.len(), before + 1, "only the token request was sent");
    assert_eq!(after.last().map(|r| r.url.path().to_owned()).as_deref(), Some("/v2/oauth/token"));
}
