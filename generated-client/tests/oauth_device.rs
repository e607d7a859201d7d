//! The device authorization grant (RFC 8628) against the project's RFC-checking test server:
//! the wire format, the pace of polling (`interval`, `slow_down`), `access_denied`,
//! `expired_token`, expiry by the client's own clock, and which requests the runtime repeats.
//! The loop's timing is also checked with tokio's paused clock in `src/oauth/device.rs`; these
//! tests use real time with one-second intervals.

mod oauth_support;

use std::time::Duration;

use oauth_support::{ExpectAuth, FakeAuthServer, CLIENT_ID};
use serde_json::json;
use telnyx_oauth::oauth::{AuthServer, ClientAuthMethod, OAuth, OAuthError, TokenErrorCode};
use telnyx_oauth::Client;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn oauth_for(fake: &FakeAuthServer, auth: ClientAuthMethod) -> OAuth {
    OAuth::discover(&fake.client(auth)).await.unwrap()
}

fn secs(d: &Duration) -> f64 {
    d.as_secs_f64()
}

#[tokio::test]
async fn approved_after_pending_and_slow_down_with_the_interval_kept() {
    let fake = FakeAuthServer::start(ExpectAuth::Basic).await;
    fake.with(|s| s.device.script = ["authorization_pending", "slow_down", "approve"].into());
    let oauth = oauth_for(&fake, ClientAuthMethod::ClientSecretBasic).await;

    let device = oauth.start_device_authorization(&["admin", "read"]).await.unwrap();
    assert_eq!(device.user_code, "WDJB-MJHT");
    assert_eq!(device.verification_uri, "https://example.com/device");
    assert_eq!(device.verification_uri_complete.as_deref(), Some("https://example.com/device?user_code=WDJB-MJHT"));
    assert_eq!((device.expires_in, device.interval), (600, 1));
    assert!(!format!("{device:?}").contains("device-code-secret"));

    let tokens = oauth.poll_device_token(&device).await.unwrap();
    assert_eq!(tokens.token_type, "Bearer");
    assert!(tokens.refresh_token.is_some());
    fake.assert_no_violations();

    let (polls, scope, agents) =
        fake.with(|s| (s.device.polls.clone(), s.device.scope.clone(), s.device.user_agents.clone()));
    assert_eq!(scope.as_deref(), Some("admin read"));
    let gaps: Vec<f64> =
        polls.iter().scan(Duration::ZERO, |prev, t| Some(secs(&(*t - std::mem::replace(prev, *t))))).collect();
    assert_eq!(gaps.len(), 3, "{gaps:?}");
    // 1 s before each poll, 1 + 5 s after the slow_down, and not much more.
    assert!(gaps[0] >= 1.0 && gaps[0] < 1.8, "{gaps:?}");
    assert!(gaps[1] >= 1.0 && gaps[1] < 1.8, "{gaps:?}");
    assert!(gaps[2] >= 6.0 && gaps[2] < 6.8, "{gaps:?}");
    // The same user agent as every other request of the client.
    assert!(agents.iter().all(|ua| ua.starts_with("telnyx-oauth")), "{agents:?}");

    // The tokens renew like any others.
    let source = oauth.token_source(tokens);
    source.invalidate();
    source.access_token().await.unwrap();
    assert_eq!(fake.with(|s| s.token_requests.last().cloned()).as_deref(), Some("refresh_token"));
    fake.assert_no_violations();
}

#[tokio::test]
async fn public_clients_send_their_id_and_no_secret() {
    let fake = FakeAuthServer::start(ExpectAuth::None).await;
    fake.with(|s| s.device.script = ["approve"].into());
    let oauth = oauth_for(&fake, ClientAuthMethod::None).await;
    let device = oauth.start_device_authorization(&[]).await.unwrap();
    oauth.poll_device_token(&device).await.unwrap();
    fake.assert_no_violations();
    assert_eq!(fake.with(|s| s.device.scope.clone()), None);
}

#[tokio::test]
async fn access_denied_and_expired_token_end_polling() {
    for code in ["access_denied", "expired_token"] {
        let fake = FakeAuthServer::start(ExpectAuth::Post).await;
        fake.with(|s| s.device.script = ["authorization_pending", code, "approve"].into());
        let oauth = oauth_for(&fake, ClientAuthMethod::ClientSecretPost).await;
        let device = oauth.start_device_authorization(&[]).await.unwrap();
        let err = oauth.poll_device_token(&device).await.unwrap_err();
        assert_eq!(err.token_error().map(|t| t.code.as_str()), Some(code), "{err:?}");
        assert!(!format!("{err} {err:?}").contains("device-code-secret"));
        assert_eq!(fake.with(|s| s.device.polls.len()), 2, "{code}: no poll after the answer");
        fake.assert_no_violations();
    }
}

#[tokio::test]
async fn stops_by_its_own_clock_when_the_codes_expire() {
    let fake = FakeAuthServer::start(ExpectAuth::Basic).await;
    // The server says the codes live 3 s but never says expired_token itself.
    fake.with(|s| {
        s.device.expires_in = 3;
        s.device.enforce_expiry = false;
    });
    let oauth = oauth_for(&fake, ClientAuthMethod::ClientSecretBasic).await;
    let device = oauth.start_device_authorization(&[]).await.unwrap();
    let started = std::time::Instant::now();
    let err = oauth.poll_device_token(&device).await.unwrap_err();
    assert!(matches!(err, OAuthError::DeviceCodeExpired { expires_in: 3 }), "{err:?}");
    // Polls at 1 s and 2 s; the next would come after 3 s, so it gives up at once.
    assert!(started.elapsed() < Duration::from_millis(2800), "gave up when the next poll would be too late");
    assert_eq!(fake.with(|s| s.device.polls.len()), 2);
    fake.assert_no_violations();
}

#[tokio::test]
async fn the_codes_are_single_use() {
    let fake = FakeAuthServer::start(ExpectAuth::Basic).await;
    fake.with(|s| s.device.script = ["approve"].into());
    let oauth = oauth_for(&fake, ClientAuthMethod::ClientSecretBasic).await;
    let device = oauth.start_device_authorization(&[]).await.unwrap();
    oauth.poll_device_token(&device).await.unwrap();
    let again = oauth.device_token_request(&device).await.unwrap_err();
    assert_eq!(again.token_error().map(|t| t.code.clone()), Some(TokenErrorCode::InvalidGrant));
}

fn device_response() -> serde_json::Value {
    json!({
        "device_code": "dc", "user_code": "ABCD", "verification_url": "https://example.com/d",
        "expires_in": "30"
    })
}

async fn plain_server() -> (MockServer, OAuth) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/.well-known/oauth-authorization-server"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "issuer": server.uri(),
            "token_endpoint": format!("{}/token", server.uri()),
            "device_authorization_endpoint": format!("{}/device", server.uri()),
        })))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .max_retries(2)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .unwrap();
    let auth = AuthServer::discover(&client, &server.uri()).await.unwrap();
    let credentials = telnyx_oauth::oauth::ClientCredentials {
        client_id: CLIENT_ID.into(),
        client_secret: None,
        method: ClientAuthMethod::None,
    };
    (server, OAuth::new(&client, auth, credentials))
}

#[tokio::test]
async fn the_device_authorization_request_is_repeated_but_a_token_poll_never() {
    let (server, oauth) = plain_server().await;
    // A lost device authorization answer costs nothing (its codes expire unused): repeated.
    Mock::given(path("/device")).respond_with(ResponseTemplate::new(503)).up_to_n_times(1).mount(&server).await;
    Mock::given(path("/device"))
        .respond_with(ResponseTemplate::new(200).set_body_json(device_response()))
        .mount(&server)
        .await;
    let device = oauth.start_device_authorization(&[]).await.unwrap();
    // Google's spelling, string numbers and a missing interval are understood.
    assert_eq!(device.verification_uri, "https://example.com/d");
    assert_eq!((device.expires_in, device.interval), (30, 5));

    // A token poll may have been answered with tokens that were lost: repeating it at once
    // would spend the device code. The runtime does not; the error is the caller's.
    Mock::given(path("/token")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let err = oauth.device_token_request(&device).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err:?}");
    let requests = server.received_requests().await.unwrap();
    let count = |p: &str| requests.iter().filter(|r| r.url.path() == p).count();
    assert_eq!(count("/device"), 2);
    assert_eq!(count("/token"), 1);
}

#[tokio::test]
async fn a_device_authorization_response_without_lifetime_is_refused() {
    let (server, oauth) = plain_server().await;
    Mock::given(path("/device"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "device_code": "dc", "user_code": "ABCD", "verification_uri": "https://example.com/d", "expires_in": "soon"
        })))
        .mount(&server)
        .await;
    let err = oauth.start_device_authorization(&[]).await.unwrap_err();
    assert!(matches!(err, OAuthError::Config(_)), "{err:?}");
    assert!(err.to_string().contains("expires_in"), "{err}");
}

#[tokio::test]
async fn without_a_device_endpoint_the_error_says_so() {
    let fake = FakeAuthServer::start(ExpectAuth::Basic).await;
    let oauth = OAuth::from_client(&fake.client(ClientAuthMethod::ClientSecretBasic)).unwrap();
    let err = oauth.start_device_authorization(&[]).await.unwrap_err();
    assert!(matches!(err, OAuthError::Config(ref m) if m.contains("device authorization endpoint")), "{err:?}");
    assert_eq!(fake.with(|s| s.device.authorizations), 0);
}

#[tokio::test]
async fn discovery_falls_back_to_the_openid_configuration() {
    let server = MockServer::start().await;
    let issuer = format!("{}/tenant", server.uri());
    Mock::given(path("/.well-known/oauth-authorization-server/tenant"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    Mock::given(path("/tenant/.well-known/openid-configuration"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "issuer": issuer,
            "token_endpoint": format!("{issuer}/token"),
            "device_authorization_endpoint": format!("{issuer}/device"),
        })))
        .mount(&server)
        .await;
    let client = Client::builder().base_url(server.uri()).build().unwrap();
    let found = AuthServer::discover(&client, &issuer).await.unwrap();
    assert_eq!(found.token_endpoint.as_str(), format!("{issuer}/token"));
    assert_eq!(found.device_authorization_endpoint.unwrap().as_str(), format!("{issuer}/device"));

    // Any other failure is not papered over.
    let other = format!("{}/broken", server.uri());
    Mock::given(path("/.well-known/oauth-authorization-server/broken"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let err = AuthServer::discover(&client, &other).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500), "{err:?}");
}

#[tokio::test]
async fn a_device_code_never_shows_in_errors() {
    let (server, oauth) = plain_server().await;
    // Not a valid device authorization response (no user_code): a decode error quoting the body.
    Mock::given(path("/device"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "device_code": "DEVICE-CODE-SECRET-123", "verification_uri": "https://example.com/d", "expires_in": 30
        })))
        .mount(&server)
        .await;
    let err = oauth.start_device_authorization(&[]).await.unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("user_code"), "the error says what is wrong: {shown}");
    assert!(!shown.contains("DEVICE-CODE-SECRET-123"), "{shown}");
}

#[tokio::test]
async fn a_configured_endpoint_works_without_discovery() {
    let fake = FakeAuthServer::start(ExpectAuth::Basic).await;
    fake.with(|s| s.device.script = ["approve"].into());
    let client = fake.client(ClientAuthMethod::ClientSecretBasic);
    let mut server = AuthServer::for_client(&client).unwrap();
    assert!(server.device_authorization_endpoint.is_none(), "Telnyx's default layout has none");
    server.device_authorization_endpoint =
        Some(format!("{}/oauth/device_authorization", fake.base_url()).parse().unwrap());
    let oauth = OAuth::new(&client, server, client.client_credentials().unwrap().clone());
    let device = oauth.start_device_authorization(&["admin"]).await.unwrap();
    oauth.poll_device_token(&device).await.unwrap();
    fake.assert_no_violations();
    assert_eq!(fake.with(|s| s.device.authorizations), 1);
}
