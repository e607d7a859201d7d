//! Authorization code + PKCE, callbacks, token requests with each client authentication
//! method, token errors, discovery and introspection, against a local test server that checks
//! the wire format.

mod oauth_support;

use oauth_support::{ExpectAuth, FakeAuthServer, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI};
use telnyx_oauth::oauth::{
    parse_callback, AuthServer, AuthorizationErrorCode, ClientAuthMethod, OAuth, OAuthError, Pkce, PkceMethod,
    ProtectedResourceMetadata, TokenErrorCode,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn authorization_code_with_pkce_round_trip() {
    let fake = FakeAuthServer::start(ExpectAuth::Basic).await;
    let client = fake.client(ClientAuthMethod::ClientSecretBasic);
    let oauth = OAuth::discover(&client).await.unwrap();
    assert_eq!(oauth.server().issuer.as_deref(), Some(fake.issuer().as_str()));

    let (url, pending) = oauth.authorization_request(REDIRECT_URI).unwrap().scope("admin").build().unwrap();
    assert_eq!(url.query_pairs().find(|(k, _)| k == "scope").unwrap().1, "admin");
    let redirect = fake.approve(&url);
    let code = pending.callback(&redirect).unwrap();
    let tokens = oauth.exchange_code(&code, &pending).await.unwrap();
    assert!(tokens.access_token.expose().starts_with("at-"));
    assert_eq!(tokens.token_type, "Bearer");
    assert_eq!(tokens.expires_in, Some(3600));
    let first_refresh = tokens.refresh_token.clone().expect("refresh token");

    // Codes are single use: a second exchange is refused by the server, not retried by us.
    let again = oauth.exchange_code(&code, &pending).await.unwrap_err();
    assert_eq!(again.token_error().unwrap().code, TokenErrorCode::InvalidGrant);
    fake.with(|s| s.violations.clear());

    // The refresh grant rotates the refresh token.
    let refreshed = oauth.refresh_token(&first_refresh, &[]).await.unwrap();
    assert_ne!(refreshed.refresh_token.as_ref().unwrap(), &first_refresh);
    fake.assert_no_violations();
    assert_eq!(fake.with(|s| s.token_requests.clone()), ["authorization_code", "authorization_code", "refresh_token"]);
}

#[tokio::test]
async fn client_secret_post_and_public_clients() {
    let fake = FakeAuthServer::start(ExpectAuth::Post).await;
    let oauth = OAuth::from_client(&fake.client(ClientAuthMethod::ClientSecretPost)).unwrap();
    let tokens = oauth.client_credentials_token(&["admin", "read"]).await.unwrap();
    assert!(tokens.refresh_token.is_none());
    assert_eq!(fake.with(|s| s.scopes.clone()), [Some("admin read".to_owned())]);
    fake.assert_no_violations();

    let public = FakeAuthServer::start(ExpectAuth::None).await;
    let oauth = OAuth::from_client(&public.client(ClientAuthMethod::None)).unwrap();
    let (url, pending) = oauth.authorization_request(REDIRECT_URI).unwrap().build().unwrap();
    let code = pending.callback(&public.approve(&url)).unwrap();
    oauth.exchange_code(&code, &pending).await.unwrap();
    public.assert_no_violations();
}

#[tokio::test]
async fn wrong_pkce_verifier_is_refused_by_the_server() {
    let fake = FakeAuthServer::start(ExpectAuth::Basic).await;
    let oauth = OAuth::from_client(&fake.client(ClientAuthMethod::ClientSecretBasic)).unwrap();
    let (url, pending) = oauth.authorization_request(REDIRECT_URI).unwrap().build().unwrap();
    let code = pending.callback(&fake.approve(&url)).unwrap();
    // A pending authorization from another request carries another verifier and state.
    let (_, other) = oauth.authorization_request(REDIRECT_URI).unwrap().build().unwrap();
    let err = oauth.exchange_code(&code, &other).await.unwrap_err();
    let token_error = err.token_error().expect("token error");
    assert_eq!(token_error.code, TokenErrorCode::InvalidGrant);
    assert_eq!(token_error.status, 400);
    assert_eq!(token_error.description.as_deref(), Some("PKCE verification failed"));
    assert!(std::str::from_utf8(&token_error.body).unwrap().contains("invalid_grant"));
    assert_eq!(token_error.headers.get("cache-control").unwrap(), "no-store");
}

#[test]
fn state_mismatch_is_refused() {
    let (url, pending) = telnyx_oauth::oauth::AuthorizationRequest::new(
        "https://as.example/authorize".parse().unwrap(),
        CLIENT_ID,
        REDIRECT_URI,
    )
    .build()
    .unwrap();
    let state = url.query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
    assert_eq!(state, pending.state());
    let forged = format!("{REDIRECT_URI}?code=stolen&state={}x", pending.state());
    assert!(matches!(pending.callback(&forged), Err(OAuthError::StateMismatch)));
    assert!(matches!(pending.callback(&format!("{REDIRECT_URI}?code=stolen")), Err(OAuthError::StateMismatch)));
    // Same length, different content.
    let mut flipped = pending.state().to_owned();
    let last = if flipped.ends_with('A') { "B" } else { "A" };
    flipped.replace_range(flipped.len() - 1.., last);
    assert!(matches!(
        parse_callback(&format!("/callback?code=c&state={flipped}"), pending.state()),
        Err(OAuthError::StateMismatch)
    ));
    let ok = pending.callback(&format!("/callback?code=c&state={}", pending.state())).unwrap();
    assert_eq!(ok.code.expose(), "c");
}

#[test]
fn callback_issuer_mix_up_is_refused() {
    let (_, pending) = telnyx_oauth::oauth::AuthorizationRequest::new(
        "https://as.example/authorize".parse().unwrap(),
        CLIENT_ID,
        REDIRECT_URI,
    )
    .issuer("https://as.example")
    .build()
    .unwrap();
    let redirect = format!("/callback?code=c&state={}&iss=https%3A%2F%2Fevil.example", pending.state());
    assert!(matches!(pending.callback(&redirect), Err(OAuthError::CallbackIssuerMismatch { .. })));
}

#[test]
fn error_callbacks_are_typed() {
    let cases = [
        ("access_denied", AuthorizationErrorCode::AccessDenied),
        ("invalid_request", AuthorizationErrorCode::InvalidRequest),
        ("unauthorized_client", AuthorizationErrorCode::UnauthorizedClient),
        ("unsupported_response_type", AuthorizationErrorCode::UnsupportedResponseType),
        ("invalid_scope", AuthorizationErrorCode::InvalidScope),
        ("server_error", AuthorizationErrorCode::ServerError),
        ("temporarily_unavailable", AuthorizationErrorCode::TemporarilyUnavailable),
        ("something_new", AuthorizationErrorCode::Other("something_new".into())),
    ];
    for (wire, expected) in cases {
        let url = format!("{REDIRECT_URI}?error={wire}&error_description=The+user+said+no&state=s1");
        match parse_callback(&url, "s1") {
            Err(OAuthError::Authorization(e)) => {
                assert_eq!(e.code, expected);
                assert_eq!(e.code.as_str(), wire);
                assert_eq!(e.description.as_deref(), Some("The user said no"));
            }
            other => panic!("{wire}: {other:?}"),
        }
    }
    // An error redirect with someone else's state is not ours to report.
    assert!(matches!(parse_callback("/cb?error=access_denied&state=other", "s1"), Err(OAuthError::StateMismatch)));
    assert!(matches!(parse_callback("/cb?state=s1", "s1"), Err(OAuthError::InvalidCallback(_))));
}

#[tokio::test]
async fn authorization_code_exchange_is_not_retried_after_a_server_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token"))
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream down"))
        .mount(&server)
        .await;
    let client = telnyx_oauth::Client::builder()
        .base_url(format!("{}/v2", server.uri()))
        .client_credentials(telnyx_oauth::oauth::ClientCredentials {
            client_id: "id".into(),
            client_secret: Some("secret".into()),
            method: ClientAuthMethod::ClientSecretBasic,
        })
        .build()
        .unwrap();
    let oauth = OAuth::from_client(&client).unwrap().with_max_retries(3);
    let (_, pending) = oauth.authorization_request(REDIRECT_URI).unwrap().build().unwrap();
    let code = parse_callback(&format!("/cb?code=abc&state={}", pending.state()), pending.state()).unwrap();
    let err = oauth.exchange_code(&code, &pending).await.unwrap_err();
    match &err {
        OAuthError::UnexpectedResponse { status, body, .. } => {
            assert_eq!(*status, 503);
            assert_eq!(&body[..], b"upstream down");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "an authorization code is sent once");

    // Client credentials, by contrast, are retried on 5xx.
    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let _ = oauth.with_max_retries(1).client_credentials_token(&[]).await.unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn discovery_checks_the_issuer() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/.well-known/oauth-authorization-server"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "issuer": "https://attacker.example",
            "token_endpoint": "https://attacker.example/token",
            "response_types_supported": ["code"]
        })))
        .mount(&server)
        .await;
    let client = telnyx_oauth::Client::builder().base_url(format!("{}/v2", server.uri())).build().unwrap();
    match AuthServer::discover_for_client(&client).await {
        Err(OAuthError::IssuerMismatch { expected, found, .. }) => {
            assert_eq!(expected, server.uri());
            assert_eq!(found, "https://attacker.example");
        }
        other => panic!("{other:?}"),
    }

    let fake = FakeAuthServer::start(ExpectAuth::Basic).await;
    let client = fake.client(ClientAuthMethod::ClientSecretBasic);
    let discovered = AuthServer::discover(&client, &fake.issuer()).await.unwrap();
    assert_eq!(discovered.token_endpoint.as_str(), format!("{}/oauth/token", fake.base_url()));
    let meta = discovered.metadata.as_ref().unwrap();
    assert_eq!(meta.code_challenge_methods_supported.as_deref(), Some(&["S256".to_owned()][..]));
    assert_eq!(meta.extra["x_vendor_extension"], 7);
    // The defaults (no discovery) are under the client's base URL, not production.
    let defaults = AuthServer::for_client(&client).unwrap();
    assert_eq!(defaults.token_endpoint, discovered.token_endpoint);

    let resource = ProtectedResourceMetadata::for_client(&client).await.unwrap();
    assert_eq!(resource.authorization_servers, [fake.issuer()]);
    ProtectedResourceMetadata::discover(&client, &fake.issuer()).await.unwrap();
    let wrong = ProtectedResourceMetadata::discover_at(
        &client,
        &format!("{}/.well-known/oauth-protected-resource", fake.issuer()),
        Some("https://other.example"),
    )
    .await;
    assert!(matches!(wrong, Err(OAuthError::IssuerMismatch { .. })));
}

#[tokio::test]
async fn introspection_reports_inactive_as_a_value() {
    let fake = FakeAuthServer::start(ExpectAuth::Basic).await;
    let oauth = OAuth::from_client(&fake.client(ClientAuthMethod::ClientSecretBasic)).unwrap();
    let tokens = oauth.client_credentials_token(&[]).await.unwrap();
    let active = oauth.introspect(tokens.access_token.expose(), Some("access_token")).await.unwrap();
    assert!(active.active);
    assert_eq!(active.client_id.as_deref(), Some(CLIENT_ID));
    assert_eq!(active.extra["custom"], "kept");
    let inactive = oauth.introspect("made-up", None).await.unwrap();
    assert!(!inactive.active);
    fake.assert_no_violations();
    // No revocation endpoint without discovery saying so.
    assert!(matches!(oauth.revoke_token("x", None).await, Err(OAuthError::Config(_))));
}

#[test]
fn plain_pkce_only_on_request() {
    let pkce = Pkce::generate(128, PkceMethod::Plain).unwrap();
    let (url, _) = telnyx_oauth::oauth::AuthorizationRequest::new(
        "https://as.example/authorize".parse().unwrap(),
        CLIENT_ID,
        REDIRECT_URI,
    )
    .pkce(pkce.clone())
    .build()
    .unwrap();
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["code_challenge_method"], "plain");
    assert_eq!(q["code_challenge"], pkce.verifier().expose());
    let default = Pkce::new().unwrap();
    assert_eq!(default.method(), PkceMethod::S256);
}

#[tokio::test]
async fn secrets_never_show_in_debug_or_display() {
    let fake = FakeAuthServer::start(ExpectAuth::Basic).await;
    let client = fake.client(ClientAuthMethod::ClientSecretBasic);
    let oauth = OAuth::discover(&client).await.unwrap();
    let (url, pending) = oauth.authorization_request(REDIRECT_URI).unwrap().build().unwrap();
    let code = pending.callback(&fake.approve(&url)).unwrap();
    let tokens = oauth.exchange_code(&code, &pending).await.unwrap();
    let source = oauth.token_source(tokens.clone());
    source.access_token().await.unwrap();

    let secrets = [
        CLIENT_SECRET.to_owned(),
        pending.pkce().verifier().expose().to_owned(),
        pending.state().to_owned(),
        code.code.expose().to_owned(),
        tokens.access_token.expose().to_owned(),
        tokens.refresh_token.as_ref().unwrap().expose().to_owned(),
    ];
    let err = OAuthError::RefreshFailed(std::sync::Arc::new(OAuthError::StateMismatch));
    let outputs = [
        format!("{client:?}"),
        format!("{oauth:?}"),
        format!("{pending:?}"),
        format!("{:?}", pending.pkce()),
        format!("{code:?}"),
        format!("{tokens:?}"),
        format!("{source:?}"),
        format!("{:?}", oauth.credentials()),
        format!("{}", tokens.access_token),
        format!("{err:?} {err}"),
    ];
    for out in &outputs {
        for secret in &secrets {
            assert!(!out.contains(secret.as_str()), "secret leaked in {out}");
        }
    }
    assert!(outputs[5].contains("redacted"));
}
