//! Local JWT verification against a JWK set served on 127.0.0.1, signed with the fixed test
//! keys in `tests/fixtures/oauth/` (generated with openssl for these tests only).

mod oauth_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::json;
use telnyx_oauth::oauth::{ClientAuthMethod, JwksCache, JwtError, JwtVerifier, OAuth, OAuthError};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const ISSUER: &str = "https://issuer.test";
const AUDIENCE: &str = "https://api.test";

fn rsa_a() -> EncodingKey {
    EncodingKey::from_rsa_pem(include_bytes!("fixtures/oauth/rsa_a.pem")).unwrap()
}
fn rsa_b() -> EncodingKey {
    EncodingKey::from_rsa_pem(include_bytes!("fixtures/oauth/rsa_b.pem")).unwrap()
}
fn ec_a() -> EncodingKey {
    EncodingKey::from_ec_pem(include_bytes!("fixtures/oauth/ec_a.pem")).unwrap()
}

fn jwk(key: &EncodingKey, alg: Algorithm, kid: &str) -> serde_json::Value {
    let mut jwk = Jwk::from_encoding_key(key, alg).unwrap();
    jwk.common.key_id = Some(kid.into());
    serde_json::to_value(jwk).unwrap()
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn claims() -> serde_json::Value {
    json!({"iss": ISSUER, "aud": AUDIENCE, "sub": "user-1", "exp": now() + 300, "iat": now(), "scope": "admin"})
}

fn sign(key: &EncodingKey, alg: Algorithm, kid: Option<&str>, claims: &serde_json::Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    encode(&header, claims, key).unwrap()
}

/// A JWKS endpoint whose key list the test can change, counting fetches.
#[derive(Clone)]
struct Jwks {
    keys: Arc<Mutex<Vec<serde_json::Value>>>,
    fetches: Arc<AtomicUsize>,
}

impl Respond for Jwks {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let mut keys = self.keys.lock().unwrap().clone();
        // An unusable key type must not spoil the set.
        keys.push(json!({"kty": "weird", "kid": "zz"}));
        ResponseTemplate::new(200).set_body_json(json!({ "keys": keys }))
    }
}

async fn jwks_server(keys: Vec<serde_json::Value>) -> (MockServer, Jwks) {
    let server = MockServer::start().await;
    let jwks = Jwks { keys: Arc::new(Mutex::new(keys)), fetches: Arc::new(AtomicUsize::new(0)) };
    Mock::given(method("GET")).and(path("/jwks")).respond_with(jwks.clone()).mount(&server).await;
    (server, jwks)
}

fn verifier(server: &MockServer, interval: Duration) -> JwtVerifier {
    let client = telnyx_oauth::Client::builder().base_url(server.uri()).build().unwrap();
    let cache =
        JwksCache::new(&client, format!("{}/jwks", server.uri()).parse().unwrap()).with_min_refetch_interval(interval);
    JwtVerifier::new(Arc::new(cache), ISSUER, AUDIENCE)
}

fn jwt_error(result: Result<impl std::fmt::Debug, OAuthError>) -> JwtError {
    match result {
        Err(OAuthError::Jwt(e)) => e,
        other => panic!("expected a JWT error, got {other:?}"),
    }
}

#[tokio::test]
async fn valid_tokens_verify_and_bad_ones_are_rejected() {
    let (server, jwks) =
        jwks_server(vec![jwk(&rsa_a(), Algorithm::RS256, "a"), jwk(&ec_a(), Algorithm::ES256, "e")]).await;
    let v = verifier(&server, Duration::from_secs(60));

    let ok = v.verify(&sign(&rsa_a(), Algorithm::RS256, Some("a"), &claims())).await.unwrap();
    assert_eq!(ok.sub.as_deref(), Some("user-1"));
    assert_eq!(ok.scope.as_deref(), Some("admin"));
    v.verify(&sign(&ec_a(), Algorithm::ES256, Some("e"), &claims())).await.unwrap();

    // Signed by key B while naming key A.
    let forged = sign(&rsa_b(), Algorithm::RS256, Some("a"), &claims());
    assert_eq!(jwt_error(v.verify(&forged).await), JwtError::InvalidSignature);
    // Tampered payload.
    let good = sign(&rsa_a(), Algorithm::RS256, Some("a"), &claims());
    let mut parts: Vec<&str> = good.split('.').collect();
    let other = sign(
        &rsa_a(),
        Algorithm::RS256,
        Some("a"),
        &json!({"iss": ISSUER, "aud": AUDIENCE, "sub": "admin", "exp": now() + 300}),
    );
    parts[1] = other.split('.').nth(1).unwrap();
    assert_eq!(jwt_error(v.verify(&parts.join(".")).await), JwtError::InvalidSignature);

    let mut c = claims();
    c["exp"] = json!(now() - 600);
    assert_eq!(jwt_error(v.verify(&sign(&rsa_a(), Algorithm::RS256, Some("a"), &c)).await), JwtError::Expired);

    let mut c = claims();
    c["nbf"] = json!(now() + 600);
    assert_eq!(jwt_error(v.verify(&sign(&rsa_a(), Algorithm::RS256, Some("a"), &c)).await), JwtError::NotYetValid);

    let mut c = claims();
    c["aud"] = json!(["https://someone-else.test"]);
    assert_eq!(jwt_error(v.verify(&sign(&rsa_a(), Algorithm::RS256, Some("a"), &c)).await), JwtError::InvalidAudience);

    let mut c = claims();
    c["iss"] = json!("https://evil.test");
    assert_eq!(jwt_error(v.verify(&sign(&rsa_a(), Algorithm::RS256, Some("a"), &c)).await), JwtError::InvalidIssuer);

    let mut c = claims();
    c.as_object_mut().unwrap().remove("exp");
    assert_eq!(
        jwt_error(v.verify(&sign(&rsa_a(), Algorithm::RS256, Some("a"), &c)).await),
        JwtError::MissingClaim("exp".into())
    );

    // HMAC "signed" with the public key material, or an algorithm the key does not have.
    let hs = sign(&EncodingKey::from_secret(b"public key bytes"), Algorithm::HS256, Some("a"), &claims());
    assert!(matches!(jwt_error(v.verify(&hs).await), JwtError::DisallowedAlgorithm(_)));
    let ps = sign(&rsa_a(), Algorithm::PS256, Some("a"), &claims());
    assert!(matches!(jwt_error(v.verify(&ps).await), JwtError::DisallowedAlgorithm(_)));
    assert!(matches!(jwt_error(v.verify("not.a.jwt").await), JwtError::Malformed(_)));

    assert_eq!(jwks.fetches.load(Ordering::SeqCst), 1, "all of that from one fetch of the set");
}

#[tokio::test]
async fn unknown_kid_refetches_once_per_interval() {
    let (server, jwks) = jwks_server(vec![jwk(&rsa_a(), Algorithm::RS256, "a")]).await;
    let v = verifier(&server, Duration::from_millis(300));
    let token_b = sign(&rsa_b(), Algorithm::RS256, Some("b"), &claims());
    v.verify(&sign(&rsa_a(), Algorithm::RS256, Some("a"), &claims())).await.unwrap();
    assert_eq!(jwks.fetches.load(Ordering::SeqCst), 1);

    // The server rotates in key B; a token with kid "b" makes the cache refetch once.
    jwks.keys.lock().unwrap().push(jwk(&rsa_b(), Algorithm::RS256, "b"));
    tokio::time::sleep(Duration::from_millis(350)).await;
    v.verify(&token_b).await.unwrap();
    assert_eq!(jwks.fetches.load(Ordering::SeqCst), 2);

    // Made-up kids: at most one refetch per interval, however many tokens arrive. The key is
    // looked up before the signature is checked, so the tokens reuse one signature (RSA signing
    // in a debug build is slow).
    let signed = sign(&rsa_b(), Algorithm::RS256, Some("b"), &claims());
    let (_, rest) = signed.split_once('.').unwrap();
    let made_up: Vec<String> = (0..40)
        .map(|i| {
            let header = json!({"alg": "RS256", "typ": "JWT", "kid": format!("made-up-{i}")}).to_string();
            format!("{}.{rest}", URL_SAFE_NO_PAD.encode(header))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(350)).await;
    for (i, token) in made_up[..20].iter().enumerate() {
        assert_eq!(jwt_error(v.verify(token).await), JwtError::UnknownKey(Some(format!("made-up-{i}"))));
    }
    let many: Vec<_> = made_up[20..]
        .iter()
        .cloned()
        .map(|token| {
            let v = v.clone();
            tokio::spawn(async move { v.verify(&token).await })
        })
        .collect();
    for t in many {
        assert!(t.await.unwrap().is_err());
    }
    assert_eq!(jwks.fetches.load(Ordering::SeqCst), 3);

    // Tokens without kid use the only key of the right type.
    jwks.keys.lock().unwrap().retain(|k| k["kid"] == "b");
    v.jwks().refresh().await.unwrap();
    v.verify(&sign(&rsa_b(), Algorithm::RS256, None, &claims())).await.unwrap();
}

#[tokio::test]
async fn verifier_from_discovery() {
    let fake = oauth_support::FakeAuthServer::start(oauth_support::ExpectAuth::Basic).await;
    let jwks = Jwks { keys: Arc::new(Mutex::new(vec![jwk(&rsa_a(), Algorithm::RS256, "a")])), fetches: Arc::default() };
    Mock::given(method("GET")).and(path("/v2/oauth/jwks")).respond_with(jwks.clone()).mount(&fake.server).await;
    let oauth = OAuth::discover(&fake.client(ClientAuthMethod::ClientSecretBasic)).await.unwrap();
    let v = oauth.jwt_verifier(AUDIENCE).unwrap();
    let mut c = claims();
    c["iss"] = json!(fake.issuer());
    v.verify(&sign(&rsa_a(), Algorithm::RS256, Some("a"), &c)).await.unwrap();
    // Without discovery the issuer is unknown, so no verifier can be made.
    let plain = OAuth::from_client(&fake.client(ClientAuthMethod::ClientSecretBasic)).unwrap();
    assert!(matches!(plain.jwt_verifier(AUDIENCE), Err(OAuthError::Config(_))));
}
