//! Every generated operation against a local server: method, path (host root for the
//! well-known documents), query names and values, credentials and body encoding.

use serde_json::json;
use telnyx_oauth::models::*;
use telnyx_oauth::operations::{AuthorizeOAuthResponse, RequestEncoding};
use telnyx_oauth::runtime::{ClientAuthMethod, ClientCredentials};
use telnyx_oauth::{Client, Secret};
use wiremock::matchers::{body_json, body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const API_KEY: &str = "KEY0123456789";

fn no_auth(request: &Request) -> bool {
    !request.headers.contains_key("authorization")
}

fn bearer() -> impl wiremock::Match {
    header("authorization", format!("Bearer {API_KEY}").as_str())
}

/// A client laid out like production: the API under `/v2`, well-known documents at the root.
async fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key(API_KEY)
        .client_credentials(ClientCredentials {
            client_id: "client-1".into(),
            client_secret: Some(Secret::new("s3cret")),
            method: ClientAuthMethod::ClientSecretBasic,
        })
        .base_url(format!("{}/v2", server.uri()))
        .max_retries(0)
        .build()
        .expect("client builds")
}

fn oauth_client_json(id: &str) -> serde_json::Value {
    json!({
        "record_type": "oauth_client", "client_id": id, "name": "App", "org_id": "org", "user_id": "user",
        "client_type": "confidential", "require_pkce": true, "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-02T00:00:00Z", "client_secret": null, "allowed_grant_types": ["client_credentials"]
    })
}

fn grant_json(id: &str) -> serde_json::Value {
    json!({
        "id": id, "record_type": "oauth_grant", "client_id": "c", "scopes": ["admin"],
        "created_at": "2024-01-01T00:00:00Z", "last_used_at": null
    })
}

#[tokio::test]
async fn well_known_metadata_goes_to_the_host_root_without_credentials() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/.well-known/oauth-authorization-server"))
        .and(no_auth)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "issuer": "https://api.telnyx.com", "token_endpoint": "https://api.telnyx.com/v2/oauth/token",
            "code_challenge_methods_supported": ["S256"], "unknown_member": 1
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/.well-known/oauth-protected-resource"))
        .and(no_auth)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "resource": "https://api.telnyx.com", "authorization_servers": ["https://api.telnyx.com"]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server).await;
    let meta = client.get_oauth_authorization_server_metadata().await.expect("metadata");
    assert_eq!(meta.issuer, "https://api.telnyx.com");
    assert_eq!(meta.code_challenge_methods_supported, Some(vec!["S256".to_owned()]));
    let resource = client.get_oauth_protected_resource_metadata().await.expect("resource metadata");
    assert_eq!(resource.authorization_servers.len(), 1);
}

#[tokio::test]
async fn authorize_returns_the_redirect_instead_of_following_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/oauth/authorize"))
        .and(query_param("response_type", "code"))
        .and(query_param("client_id", "client-1"))
        .and(query_param("redirect_uri", "http://127.0.0.1:8080/cb?x=1"))
        .and(query_param("code_challenge_method", "S256"))
        .and(query_param("state", "st&ate"))
        .and(no_auth)
        .respond_with(ResponseTemplate::new(302).insert_header("location", "https://consent.example/ask"))
        .expect(1)
        .mount(&server)
        .await;
    let response = client(&server)
        .await
        .authorize_oauth(ResponseType::Code, "client-1", "http://127.0.0.1:8080/cb?x=1")
        .code_challenge_method(CodeChallengeMethod::S256)
        .state("st&ate")
        .await
        .expect("302 is a documented success");
    assert_eq!(response, AuthorizeOAuthResponse::Found { location: Some("https://consent.example/ask".into()) });
}

#[tokio::test]
async fn consent_token_is_percent_encoded_in_the_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/oauth/consent/a%2Fb%20c"))
        .and(bearer())
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": {"client_id": "c", "logo_uri": null, "requested_scopes": [{"id": "1", "name": "admin"}]}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let consent = client(&server).await.get_oauth_consent_token("a/b c").await.expect("consent");
    let data = consent.data.expect("data");
    assert_eq!(data.client_id.as_deref(), Some("c"));
    assert_eq!(data.logo_uri, None);
}

#[tokio::test]
async fn empty_path_parameter_is_refused_before_sending() {
    let server = MockServer::start().await;
    let error = client(&server).await.get_oauth_client("").await.expect_err("empty id");
    assert!(matches!(error, telnyx_oauth::Error::InvalidInput(_)), "{error:?}");
    assert!(server.received_requests().await.unwrap_or_default().is_empty());
}

#[tokio::test]
async fn create_grant_sends_json_with_bearer() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/grants"))
        .and(bearer())
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"allowed": true, "consent_token": "ct"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"redirect_uri": "https://app/cb?code=1"})))
        .expect(1)
        .mount(&server)
        .await;
    let grant = client(&server).await.create_oauth_grant(CreateOAuthGrantRequest::new(true, "ct")).await;
    assert_eq!(grant.expect("grant").redirect_uri, "https://app/cb?code=1");
}

#[tokio::test]
async fn token_exchange_is_form_encoded_with_basic_client_auth() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token"))
        .and(header("authorization", "Basic Y2xpZW50LTE6czNjcmV0"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string("grant_type=client_credentials&scope=admin"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "at", "token_type": "Bearer", "expires_in": 3600})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let mut request = TokenRequest::new(GrantType::ClientCredentials);
    request.scope = Some("admin".into());
    let token = client(&server).await.exchange_oauth_token(request).await.expect("token");
    assert_eq!(token.access_token.expose(), "at");
    assert_eq!(token.token_type, "Bearer");
    assert!(!format!("{token:?}").contains("\"at\""), "access token redacted in Debug");
}

#[tokio::test]
async fn token_exchange_can_be_sent_as_json() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"grant_type": "refresh_token", "refresh_token": "rt"})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "at2", "token_type": "Bearer", "expires_in": 60})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let mut request = TokenRequest::new(GrantType::RefreshToken);
    request.refresh_token = Some("rt".into());
    let token = client(&server).await.exchange_oauth_token(request).encoding(RequestEncoding::Json).await;
    assert_eq!(token.expect("token").expires_in, Some(60));
}

#[tokio::test]
async fn introspection_is_form_encoded_and_inactive_is_a_value() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/introspect"))
        .and(header("authorization", "Basic Y2xpZW50LTE6czNjcmV0"))
        .and(body_string("token=abc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"active": false})))
        .expect(1)
        .mount(&server)
        .await;
    let result = client(&server).await.introspect_oauth_token(IntrospectRequest::new("abc")).await;
    assert!(!result.expect("introspection").active);
}

#[tokio::test]
async fn jwks_and_registration_send_no_credentials() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/oauth/jwks"))
        .and(no_auth)
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"keys": [{"kid": "k1", "kty": "RSA", "n": "abc", "e": "AQAB"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/register"))
        .and(no_auth)
        .and(body_json(json!({"client_name": "CLI", "redirect_uris": ["http://127.0.0.1/cb"]})))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"client_id": "new", "client_id_issued_at": 1700000000})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server).await;
    let keys = client.get_oauth_jwks().await.expect("jwks").keys;
    assert_eq!(keys[0].kid.as_deref(), Some("k1"));
    let registration = OAuthDynamicRegistrationRequest {
        client_name: Some("CLI".into()),
        redirect_uris: vec!["http://127.0.0.1/cb".into()],
        ..Default::default()
    };
    let registered = client.register_oauth_client(registration).await.expect("registered");
    assert_eq!(registered.client_id, "new");
}

#[tokio::test]
async fn registration_error_body_decodes_into_its_own_schema() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/register"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_client_metadata", "error_description": "bad",
            "invalid_fields": {"redirect_uris": ["must be https"]}
        })))
        .mount(&server)
        .await;
    let error =
        client(&server).await.register_oauth_client(OAuthDynamicRegistrationRequest::default()).await.expect_err("400");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    let api = error.api().expect("an API error");
    let body: RegisterOAuthClientBadRequest = api.decode().expect("the inline 400 schema");
    assert_eq!(body.invalid_fields["redirect_uris"], vec!["must be https".to_owned()]);
}

#[tokio::test]
async fn list_clients_sends_bracketed_query_names_with_typed_values() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/oauth_clients"))
        .and(bearer())
        .and(query_param("page[size]", "50"))
        .and(query_param("page[number]", "2"))
        .and(query_param("filter[client_type]", "confidential"))
        .and(query_param("filter[verified]", "true"))
        .and(query_param("filter[allowed_grant_types][contains]", "authorization_code"))
        .and(query_param("filter[name][contains]", "my app"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [oauth_client_json("a")],
            "meta": {"page_number": 2, "page_size": 50, "total_pages": 2, "total_results": 51}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .await
        .list_oauth_clients()
        .client_type(ClientType::Confidential)
        .verified(true)
        .allowed_grant_types_contains(GrantType::AuthorizationCode)
        .name_contains("my app")
        .page_size(50)
        .page_number(2)
        .await
        .expect("page");
    assert_eq!(page.items().len(), 1);
    assert_eq!(page.items()[0].client_type, ClientType::Confidential);
    assert!(!page.has_next_page());
}

#[tokio::test]
async fn page_size_outside_its_bounds_is_refused_before_sending() {
    let server = MockServer::start().await;
    let error = client(&server).await.list_oauth_clients().page_size(500).await.expect_err("out of bounds");
    assert!(matches!(error, telnyx_oauth::Error::InvalidInput(ref m) if m.contains("page[size]")), "{error:?}");
}

#[tokio::test]
async fn client_crud_round_trip() {
    let server = MockServer::start().await;
    let id = "550e8400-e29b-41d4-a716-446655440000";
    Mock::given(method("POST"))
        .and(path("/v2/oauth_clients"))
        .and(bearer())
        .and(body_json(json!({
            "name": "App", "allowed_scopes": ["admin"], "client_type": "public",
            "allowed_grant_types": ["authorization_code"]
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"data": oauth_client_json(id)})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/oauth_clients/{id}")))
        .and(bearer())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": oauth_client_json(id)})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("/v2/oauth_clients/{id}")))
        .and(body_json(json!({"name": "Renamed"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": oauth_client_json(id)})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v2/oauth_clients/{id}")))
        .and(bearer())
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server).await;
    let created = client
        .create_oauth_client(OAuthClientCreateRequest::new(OAuthClientCreateRequestRequired {
            allowed_grant_types: vec![GrantType::AuthorizationCode],
            allowed_scopes: vec!["admin".into()],
            client_type: ClientType::Public,
            name: "App".into(),
        }))
        .await
        .expect("created");
    assert_eq!(created.data.expect("data").client_id, id);
    let fetched = client.get_oauth_client(id).await.expect("fetched").data.expect("data");
    assert_eq!(fetched.allowed_grant_types, vec![GrantType::ClientCredentials]);
    let update = OAuthClientUpdateRequest { name: Some("Renamed".into()), ..Default::default() };
    client.update_oauth_client(id, update).await.expect("updated");
    client.delete_oauth_client(id).await.expect("deleted");
}

#[tokio::test]
async fn grants_list_get_and_revoke() {
    let server = MockServer::start().await;
    let id = "6f1c2d3e-0000-4000-8000-000000000001";
    Mock::given(method("GET"))
        .and(path("/v2/oauth_grants"))
        .and(query_param("page[size]", "10"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [grant_json(id)], "meta": {"page_number": 1, "total_pages": 1}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/oauth_grants/{id}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": grant_json(id)})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v2/oauth_grants/{id}")))
        .and(bearer())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": grant_json(id)})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server).await;
    let page = client.list_oauth_grants().page_size(10).await.expect("grants");
    assert_eq!(page.items()[0].scopes, vec!["admin".to_owned()]);
    assert_eq!(client.get_oauth_grant(id).await.expect("grant").data.expect("data").id, id);
    let revoked = client.revoke_oauth_grant(id).await.expect("revoked").data.expect("data");
    assert_eq!(revoked.last_used_at, None);
}

#[tokio::test]
async fn unknown_enum_values_and_extra_fields_still_decode() {
    let server = MockServer::start().await;
    let mut body = oauth_client_json("x");
    body["client_type"] = json!("hybrid");
    body["allowed_grant_types"] = json!(["device_code"]);
    body["brand_new_field"] = json!({"nested": true});
    Mock::given(method("GET"))
        .and(path("/v2/oauth_clients/x"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": body})))
        .mount(&server)
        .await;
    let fetched = client(&server).await.get_oauth_client("x").await.expect("decodes").data.expect("data");
    assert_eq!(fetched.client_type, ClientType::Unknown("hybrid".into()));
    assert_eq!(fetched.client_type.as_str(), "hybrid");
    assert_eq!(fetched.allowed_grant_types, vec![GrantType::Unknown("device_code".into())]);
}

#[tokio::test]
async fn a_mock_server_at_its_root_serves_every_operation() {
    // Mock servers such as Prism serve the whole document at their root: no /v2 anywhere.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/oauth/jwks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"keys": []})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/.well-known/oauth-protected-resource"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder().api_key(API_KEY).base_url(server.uri()).build().expect("client");
    client.get_oauth_jwks().await.expect("jwks at the root");
    client.get_oauth_protected_resource_metadata().await.expect("well-known at the root");
}
