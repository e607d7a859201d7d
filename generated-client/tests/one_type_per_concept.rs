//! Issue 9: one type per OAuth concept. `models` (generated) and `oauth` (hand-written helpers)
//! name the same concepts with the same types, so both globs can be used together.

use telnyx_oauth::models::*;
use telnyx_oauth::oauth::*;

/// The identity: `let b: B = same_type::<A>(a)` compiles only when `A` and `B` are one type.
fn same_type<T>(value: T) -> T {
    value
}

#[test]
fn both_globs_name_one_type_per_concept() {
    // Every name below comes through both globs (or one glob and a path through the other):
    // an ambiguous name does not compile.
    let tokens: TokenResponse = serde_json::from_str(concat!(
        r#"{"access_token":"at-secret","token_type":"Bearer","expires_in":3600,"#,
        r#""refresh_token":"rt-secret","scope":"admin"}"#
    ))
    .expect("a spec-shaped token response decodes");
    let tokens: telnyx_oauth::models::TokenResponse = same_type::<telnyx_oauth::oauth::TokenResponse>(tokens);
    assert_eq!(tokens.access_token.expose(), "at-secret");
    assert_eq!(tokens.expires_in, Some(3600));
    assert_eq!(tokens.scope.as_deref(), Some("admin"));
    let shown = format!("{tokens:?}");
    assert!(!shown.contains("at-secret") && !shown.contains("rt-secret"), "{shown}");

    let meta: AuthorizationServerMetadata = serde_json::from_str(concat!(
        r#"{"issuer":"https://api.telnyx.com","token_endpoint":"https://api.telnyx.com/v2/oauth/token","#,
        r#""grant_types_supported":["client_credentials"],"x-vendor":1}"#
    ))
    .expect("metadata decodes");
    let meta: telnyx_oauth::oauth::AuthorizationServerMetadata =
        same_type::<telnyx_oauth::models::AuthorizationServerMetadata>(meta);
    assert_eq!(meta.issuer, "https://api.telnyx.com");
    assert_eq!(meta.extra["x-vendor"], 1);
    assert!(AuthServer::from_metadata(meta).is_ok());

    let set: JwkSet =
        serde_json::from_str(r#"{"keys":[{"kty":"RSA","kid":"k1","alg":"RS256","use":"sig","n":"AQAB","e":"AQAB"}]}"#)
            .expect("a JWK set decodes");
    let set: telnyx_oauth::oauth::JwkSet = same_type::<telnyx_oauth::models::JwkSet>(set);
    assert_eq!(set.keys[0].kid.as_deref(), Some("k1"));
    assert_eq!(set.keys[0].r#use.as_deref(), Some("sig"));
    assert_eq!(set.keys[0].params["n"], "AQAB", "key material is kept");

    // The spec's `IntrospectResponse` and `ResourceMetadata` are the helpers' types.
    let introspection: IntrospectResponse =
        serde_json::from_str(r#"{"active":true,"aud":["a","b"],"scope":"admin"}"#).expect("introspection decodes");
    let introspection: Introspection = same_type::<IntrospectResponse>(introspection);
    assert!(introspection.active);
    let resource: ResourceMetadata = serde_json::from_str(
        r#"{"resource":"https://api.telnyx.com","authorization_servers":["https://api.telnyx.com"]}"#,
    )
    .expect("resource metadata decodes");
    let resource: ProtectedResourceMetadata = same_type::<ResourceMetadata>(resource);
    assert_eq!(resource.authorization_servers, ["https://api.telnyx.com"]);

    // The `code_challenge_method` parameter is the PKCE method.
    let method: CodeChallengeMethod = same_type::<PkceMethod>(Pkce::new().unwrap().method());
    assert_eq!(method, CodeChallengeMethod::S256);
    assert_eq!(serde_json::to_value(PkceMethod::Plain).unwrap(), "plain");
    assert_eq!(serde_json::from_str::<CodeChallengeMethod>(r#""S256""#).unwrap(), PkceMethod::S256);

    // The wire error body and the helpers' error enum are different concepts with different
    // names; the body is the runtime's.
    let body: OAuthErrorBody =
        serde_json::from_str(r#"{"error":"invalid_grant","error_description":"expired"}"#).expect("error body decodes");
    let body: telnyx_oauth::runtime::OAuthErrorBody = same_type::<OAuthErrorBody>(body);
    assert_eq!(body.error, "invalid_grant");
    let error: OAuthError = OAuthError::Config("x".into());
    assert!(matches!(error, OAuthError::Config(_)));
}
