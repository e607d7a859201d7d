//! Server data cannot crash or stall the OAuth helpers, and callbacks follow RFC 9207.

mod trust_support;

use std::time::{Duration, Instant};

use telnyx_oauth::oauth::{AuthServer, AuthorizationRequest, OAuth, OAuthError, TokenSource};
use telnyx_oauth::runtime::ClientCredentials;
use telnyx_oauth::Client;
use trust_support::{Answer, Server};

#[tokio::test]
async fn a_huge_expires_in_does_not_panic_and_the_token_is_cached() {
    let body = r#"{"access_token":"AT-long","token_type":"Bearer","expires_in":18446744073709551615}"#;
    let server = Server::start(Answer::Status(200, "", body.into())).await;
    let client = Client::builder().base_url(format!("{}/v2", server.uri)).build().expect("client");
    let oauth = OAuth::new(
        &client,
        AuthServer::from_base_url(&format!("{}/v2", server.uri)).expect("server"),
        ClientCredentials::new("client-1", "secret"),
    );
    let tokens = oauth.client_credentials_token(&[]).await.expect("token");
    assert_eq!(tokens.expires_at(), None, "too far to represent: no expiry");
    let source = TokenSource::client_credentials(oauth, &[]);
    let first = tokio::spawn({
        let source = source.clone();
        async move { source.access_token().await.map(|t| t.expose().to_owned()) }
    });
    assert_eq!(first.await.expect("no panic").expect("token"), "AT-long");
    assert_eq!(source.access_token().await.expect("cached").expose(), "AT-long");
    assert_eq!(server.count(), 2, "one request for the direct call, one for the source");
}

const ISSUER: &str = "https://as.example";

fn pending(require_iss: bool) -> telnyx_oauth::oauth::PendingAuthorization {
    let (_, pending) =
        AuthorizationRequest::new("https://as.example/authorize".parse().expect("url"), "client", "https://app/cb")
            .state("st")
            .issuer(ISSUER)
            .require_iss(require_iss)
            .build()
            .unwrap();
    pending
}

#[test]
fn a_callback_without_iss_is_refused_when_the_server_always_sends_it() {
    assert!(matches!(pending(true).callback("/cb?code=c&state=st"), Err(OAuthError::CallbackIssuerMissing { .. })));
    assert!(pending(true).callback("/cb?code=c&state=st&iss=https%3A%2F%2Fas.example").is_ok());
    // A server that does not announce it may leave it out.
    assert!(pending(false).callback("/cb?code=c&state=st").is_ok());
}

#[test]
fn iss_is_checked_on_error_redirects_too() {
    let foreign = "/cb?error=access_denied&state=st&iss=https%3A%2F%2Fevil.example";
    assert!(matches!(pending(false).callback(foreign), Err(OAuthError::CallbackIssuerMismatch { .. })));
    assert!(matches!(
        pending(true).callback("/cb?error=access_denied&state=st"),
        Err(OAuthError::CallbackIssuerMissing { .. })
    ));
    let ours = "/cb?error=access_denied&state=st&iss=https%3A%2F%2Fas.example";
    assert!(matches!(pending(true).callback(ours), Err(OAuthError::Authorization(_))));
}

#[test]
fn issuers_compare_as_exact_strings() {
    let slash = "/cb?code=c&state=st&iss=https%3A%2F%2Fas.example%2F";
    assert!(matches!(pending(false).callback(slash), Err(OAuthError::CallbackIssuerMismatch { .. })));
}

#[tokio::test]
async fn discovery_metadata_decides_whether_iss_is_required_and_issuers_match_exactly() {
    let server = Server::start_with(|n| {
        let issuer = if n == 0 { ISSUER.to_owned() } else { format!("{ISSUER}/") };
        let metadata = concat!(
            r#"{"issuer":"ISSUER","authorization_endpoint":"https://as.example/authorize","#,
            r#""token_endpoint":"https://as.example/token","response_types_supported":["code"],"#,
            r#""authorization_response_iss_parameter_supported":true}"#
        );
        Answer::Status(200, "", metadata.replace("ISSUER", &issuer))
    })
    .await;
    let client = Client::builder().build().expect("client");
    let url = format!("{}/.well-known/oauth-authorization-server", server.uri);
    let found = AuthServer::discover_at(&client, &url, ISSUER).await.expect("discovered");
    let oauth = OAuth::new(&client, found, ClientCredentials::public("client"));
    let (_, pending) = oauth.authorization_request("https://app/cb").expect("request").state("st").build().unwrap();
    assert!(matches!(pending.callback("/cb?code=c&state=st"), Err(OAuthError::CallbackIssuerMissing { .. })));

    // The second document names `https://as.example/`: not the issuer asked for.
    let error = AuthServer::discover_at(&client, &url, ISSUER).await.expect_err("mismatch");
    assert!(matches!(error, OAuthError::IssuerMismatch { .. }), "{error:?}");
}

#[tokio::test]
async fn verifications_of_known_keys_do_not_wait_for_an_unknown_kid_refetch() {
    use std::sync::Arc;
    use telnyx_oauth::oauth::{JwksCache, JwtVerifier};
    // First fetch: the set with `a`. Later fetches (for an unknown kid) hang for 3 s.
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(include_bytes!("fixtures/oauth/rsa_a.pem")).expect("key");
    let mut jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&key, jsonwebtoken::Algorithm::RS256).expect("jwk");
    jwk.common.key_id = Some("a".into());
    let set = serde_json::json!({ "keys": [jwk] }).to_string();
    let server =
        Server::start_with(move |n| if n == 0 { Answer::Status(200, "", set.clone()) } else { Answer::Hang }).await;
    let client = Client::builder().timeout(Duration::from_secs(3)).max_retries(0).build().expect("client");
    let cache = JwksCache::new(&client, format!("{}/jwks", server.uri).parse().expect("url"))
        .with_min_refetch_interval(Duration::ZERO);
    let verifier = JwtVerifier::new(Arc::new(cache), "https://issuer.test", "https://api.test");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("time").as_secs();
    let claims = serde_json::json!({"iss": "https://issuer.test", "aud": "https://api.test", "exp": now + 300});
    let sign = |kid: &str| {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some(kid.into());
        jsonwebtoken::encode(&header, &claims, &key).expect("sign")
    };
    verifier.verify(&sign("a")).await.expect("known key");
    let unknown = tokio::spawn({
        let verifier = verifier.clone();
        let token = sign("rotated");
        async move { verifier.verify(&token).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.count(), 2, "the refetch is under way");
    let started = Instant::now();
    verifier.verify(&sign("a")).await.expect("known key while refetching");
    assert!(started.elapsed() < Duration::from_millis(500), "waited {:?}", started.elapsed());
    unknown.abort();
}
