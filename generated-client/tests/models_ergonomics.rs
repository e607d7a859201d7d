//! Models that are pleasant to build and read: `with_*` setters for optional fields and
//! `send_data()` for `{ "data": T }` envelopes.

use serde_json::json;
use telnyx_oauth::models::{GrantType, OAuthClientUpdateRequest};
use telnyx_oauth::{Client, ErrorKind};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client_json(id: &str) -> serde_json::Value {
    json!({
        "record_type": "oauth_client", "client_id": id, "name": "App", "org_id": "org", "user_id": "user",
        "client_type": "public", "require_pkce": true, "created_at": "t", "updated_at": "t"
    })
}

async fn client(server: &MockServer) -> Client {
    Client::builder().api_key("KEY").base_url(server.uri()).max_retries(0).build().expect("client")
}

#[tokio::test]
async fn setters_fill_optional_fields_and_only_those_are_sent() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/oauth_clients/abc"))
        .and(body_json(
            json!({"name": "Renamed", "require_pkce": false, "allowed_grant_types": ["client_credentials"]}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": client_json("abc")})))
        .expect(1)
        .mount(&server)
        .await;
    let changes = OAuthClientUpdateRequest::new()
        .with_name("Renamed")
        .with_require_pkce(false)
        .with_allowed_grant_types(vec![GrantType::ClientCredentials]);
    assert_eq!(changes.logo_uri, None);
    let updated = client(&server).await.update_oauth_client("abc", changes).send_data().await.expect("200");
    assert_eq!(updated.client_id, "abc");
}

#[tokio::test]
async fn send_data_unwraps_the_envelope_and_a_missing_data_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/oauth_clients/abc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": client_json("abc")})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/oauth_clients/abc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let c = client(&server).await;
    let found = c.get_oauth_client("abc").send_data().await.expect("data");
    assert_eq!((found.client_id.as_str(), found.name.as_str()), ("abc", "App"));

    let error = c.get_oauth_client("abc").send_data().await.expect_err("no data");
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(
        matches!(&error, telnyx_oauth::Error::Decode { path, status, .. } if path == "data" && status.as_u16() == 200),
        "{error:?}"
    );
}

#[test]
fn optional_arrays_are_plain_vecs_where_absent_and_empty_mean_the_same() {
    use telnyx_oauth::models::{JwkSet, OAuthDynamicRegistrationRequest};
    // Absent, null and [] all read as empty.
    for body in [json!({}), json!({"keys": null}), json!({"keys": []})] {
        let set: JwkSet = serde_json::from_value(body.clone()).expect("decodes");
        assert!(set.keys.is_empty(), "{body}");
    }
    // An empty list is left out of a request; a filled one is sent.
    let request = OAuthDynamicRegistrationRequest::default();
    assert_eq!(serde_json::to_value(&request).unwrap(), json!({}));
    let request = request.with_redirect_uris(vec!["https://app.example/cb".into()]);
    assert_eq!(serde_json::to_value(&request).unwrap(), json!({"redirect_uris": ["https://app.example/cb"]}));
}

#[test]
fn update_bodies_and_documented_defaults_keep_absent_apart_from_empty() {
    use telnyx_oauth::models::OAuthDynamicRegistrationRequest;
    // PUT body: [] clears the list, absent leaves it unchanged.
    let clear = OAuthClientUpdateRequest::new().with_redirect_uris(vec![]);
    assert_eq!(serde_json::to_value(&clear).unwrap(), json!({"redirect_uris": []}));
    assert_eq!(serde_json::to_value(OAuthClientUpdateRequest::new()).unwrap(), json!({}));
    // `grant_types` documents a default (`authorization_code`): absent is not the same as [].
    let none = OAuthDynamicRegistrationRequest::default().with_grant_types(vec![]);
    assert_eq!(serde_json::to_value(&none).unwrap(), json!({"grant_types": []}));
}

#[test]
fn many_required_fields_are_given_by_name_and_few_by_position() {
    use telnyx_oauth::models::{ClientType, OAuthClient, OAuthClientRecordType, OAuthClientRequired, OAuthErrorBody};
    // Nine required fields, five of them strings: named, so they cannot be swapped silently.
    let client = OAuthClient::new(OAuthClientRequired {
        client_id: "id".into(),
        client_type: ClientType::Public,
        created_at: "2024-01-01T00:00:00Z".into(),
        name: "App".into(),
        org_id: "org".into(),
        record_type: OAuthClientRecordType::OAuthClient,
        require_pkce: true,
        updated_at: "2024-01-02T00:00:00Z".into(),
        user_id: "user".into(),
    })
    .with_logo_uri("https://app.example/logo.png");
    assert_eq!((client.client_id.as_str(), client.org_id.as_str(), client.user_id.as_str()), ("id", "org", "user"));
    assert!(client.redirect_uris.is_empty() && client.client_secret.is_none());
    let wire = serde_json::to_value(&client).unwrap();
    assert_eq!(wire["logo_uri"], "https://app.example/logo.png");
    assert!(wire.get("redirect_uris").is_none(), "empty lists are left out: {wire}");
    // One required field: positional.
    assert_eq!(OAuthErrorBody::new("invalid_request").error, "invalid_request");
}
