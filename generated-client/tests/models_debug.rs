//! `Debug` of the generated models: the derive's output for models and string enums (checked
//! against `#[derive(Debug)]` on equivalent types), written-out impls for models with a secret,
//! which stay redacted. Pinned because the generator has tried writing every `Debug` out
//! (`#[inline]`, for build time) and may again; the output must not change when it does.

use telnyx_oauth::models::{
    ClientType, GrantType, OAuthClient, OAuthClientRequired, OAuthClientUpdateRequest, OAuthPaginationMeta,
};

#[test]
fn a_model_without_secrets_prints_like_the_derive() {
    let meta = OAuthPaginationMeta::new().with_page_number(2).with_total_pages(5);
    assert_eq!(
        format!("{meta:?}"),
        "OAuthPaginationMeta { page_number: Some(2), page_size: None, total_pages: Some(5), total_results: None }"
    );
    assert_eq!(
        format!("{meta:#?}"),
        concat!(
            "OAuthPaginationMeta {\n    page_number: Some(\n        2,\n    ),\n    page_size: None,\n",
            "    total_pages: Some(\n        5,\n    ),\n    total_results: None,\n}",
        )
    );
}

#[test]
fn nested_models_and_enums_print_like_the_derive() {
    let update = OAuthClientUpdateRequest::new()
        .with_name("App")
        .with_allowed_grant_types(vec![GrantType::ClientCredentials, GrantType::from("device_code")]);
    assert_eq!(
        format!("{update:?}"),
        "OAuthClientUpdateRequest { allowed_grant_types: Some([ClientCredentials, Unknown(\"device_code\")]), \
         allowed_scopes: None, logo_uri: None, name: Some(\"App\"), policy_uri: None, redirect_uris: None, \
         require_pkce: None, tos_uri: None }"
    );
}

#[test]
fn string_enums_print_the_variant_like_the_derive() {
    assert_eq!(format!("{:?}", GrantType::AuthorizationCode), "AuthorizationCode");
    assert_eq!(format!("{:?}", ClientType::Confidential), "Confidential");
    assert_eq!(format!("{:?}", GrantType::from("x")), "Unknown(\"x\")");
    assert_eq!(format!("{:#?}", GrantType::from("x")), "Unknown(\n    \"x\",\n)");
    // Width and other flags apply to the name, as with the derive (`Formatter::write_str` ignores them).
    assert_eq!(format!("{:>20?}", GrantType::RefreshToken), "RefreshToken");
}

#[test]
fn a_model_with_a_secret_redacts_it() {
    let client = OAuthClient::new(OAuthClientRequired {
        client_id: "id-1".into(),
        client_type: ClientType::Confidential,
        created_at: "t".into(),
        name: "App".into(),
        org_id: "org".into(),
        record_type: "oauth_client".into(),
        require_pkce: true,
        updated_at: "t".into(),
        user_id: "user".into(),
    })
    .with_client_secret("s3cr3t-value");
    let text = format!("{client:?}");
    assert!(!text.contains("s3cr3t-value"), "{text}");
    assert!(text.contains("client_secret: Some(\"<redacted>\")"), "{text}");
    assert!(
        text.starts_with("OAuthClient { allowed_grant_types: [], allowed_scopes: [], client_id: \"id-1\""),
        "{text}"
    );
}
