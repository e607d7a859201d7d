//! Per-operation typed errors: every documented error status of an operation decodes into its
//! variant of the operation's error enum; an undocumented status stays the general error; a
//! documented status whose body does not fit its schema gives the decode error with its path.

use serde_json::json;
use telnyx_oauth::models::{
    OAuthClientCreateRequest, OAuthClientCreateRequestRequired, OAuthDynamicRegistrationRequest, OAuthErrorBody,
};
use telnyx_oauth::operations::{CreateOAuthClientError, GetOAuthClientError, RegisterOAuthClientError};
use telnyx_oauth::{Client, Error, ErrorKind, OperationError};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn answering(verb: &str, at: &str, response: ResponseTemplate) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(method(verb)).and(path(at)).respond_with(response).mount(&server).await;
    let client = Client::builder().api_key("KEY").base_url(server.uri()).max_retries(0).build().expect("client");
    (server, client)
}

fn create_body() -> OAuthClientCreateRequest {
    OAuthClientCreateRequest::new(OAuthClientCreateRequestRequired {
        allowed_grant_types: vec![],
        allowed_scopes: vec![],
        client_type: telnyx_oauth::models::ClientType::Public,
        name: "App".into(),
    })
}

#[tokio::test]
async fn each_documented_status_decodes_into_its_variant() {
    let oauth = |code: &str| json!({"error": code, "error_description": "why"});
    for status in [400u16, 401, 422] {
        let (_server, client) =
            answering("POST", "/oauth_clients", ResponseTemplate::new(status).set_body_json(oauth("bad"))).await;
        let error = client.create_oauth_client(create_body()).send_typed().await.expect_err("error status");
        let expected = OAuthErrorBody::new("bad").with_error_description("why");
        match (status, &error) {
            (400, OperationError::Documented(CreateOAuthClientError::BadRequest(body), _))
            | (401, OperationError::Documented(CreateOAuthClientError::Unauthorized(body), _))
            | (422, OperationError::Documented(CreateOAuthClientError::UnprocessableEntity(body), _)) => {
                assert_eq!(body, &expected, "{status}");
            }
            other => panic!("{status} came out as {other:?}"),
        }
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
    }

    let (_server, client) = answering(
        "GET",
        "/oauth_clients/abc",
        ResponseTemplate::new(404).insert_header("x-request-id", "req-404").set_body_json(oauth("not_found")),
    )
    .await;
    let error = client.get_oauth_client("abc").send_typed().await.expect_err("404");
    assert_eq!(error.request_id(), Some("req-404"));
    assert_eq!(error.kind(), ErrorKind::NotFound);
    match error {
        OperationError::Documented(GetOAuthClientError::NotFound(body), api) => {
            assert_eq!(body.error, "not_found");
            assert_eq!(api.status.as_u16(), 404);
        }
        other => panic!("404 came out as {other:?}"),
    }
}

#[tokio::test]
async fn an_inline_error_schema_decodes_into_its_variant() {
    let (_server, client) = answering(
        "POST",
        "/oauth/register",
        ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_client_metadata",
            "invalid_fields": {"redirect_uris": ["must be https"]}
        })),
    )
    .await;
    let error =
        client.register_oauth_client(OAuthDynamicRegistrationRequest::default()).send_typed().await.expect_err("400");
    let Some(RegisterOAuthClientError::BadRequest(body)) = error.documented() else {
        panic!("400 came out as {error:?}")
    };
    assert_eq!(body.error.as_deref(), Some("invalid_client_metadata"));
    assert_eq!(body.invalid_fields["redirect_uris"], ["must be https"]);
}

#[tokio::test]
async fn an_undocumented_status_arrives_as_the_general_error() {
    let (_server, client) = answering(
        "GET",
        "/oauth_clients/abc",
        ResponseTemplate::new(503).insert_header("x-request-id", "req-503").set_body_string("overloaded"),
    )
    .await;
    let error = client.get_oauth_client("abc").send_typed().await.expect_err("503");
    assert!(error.documented().is_none());
    let OperationError::Other(Error::Api(api)) = &error else { panic!("503 came out as {error:?}") };
    assert_eq!(api.status.as_u16(), 503);
    assert_eq!(api.request_id(), Some("req-503"));
    assert_eq!(api.headers.get("x-request-id").map(|v| v.as_bytes()), Some(&b"req-503"[..]));
    assert_eq!(api.body_text(), "overloaded");
    // `?` (or `into`) gives back the general error unchanged.
    let general: Error = error.into();
    assert_eq!(general.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(general.request_id(), Some("req-503"));
}

#[tokio::test]
async fn a_documented_status_with_a_body_that_does_not_fit_gives_the_decode_error_with_its_path() {
    let (_server, client) = answering(
        "GET",
        "/oauth_clients/abc",
        ResponseTemplate::new(404).set_body_json(json!({"error": 42, "error_description": "x"})),
    )
    .await;
    let error = client.get_oauth_client("abc").send_typed().await.expect_err("404");
    let OperationError::Undecodable(decode, api) = &error else { panic!("came out as {error:?}") };
    assert_eq!(decode.path, "error");
    assert!(decode.message.contains("invalid type: integer `42`"), "{}", decode.message);
    assert_eq!(decode.status.as_u16(), 404);
    assert_eq!(api.status.as_u16(), 404);
    let text = error.to_string();
    assert!(text.contains("GetOAuthClient failed with 404") && text.contains("at `error`"), "{text}");

    // The same through `ApiError::decode`, which keeps the serde error.
    let general = client.get_oauth_client("abc").await.expect_err("404");
    let decode = general.api().expect("api error").decode::<OAuthErrorBody>().expect_err("does not fit");
    assert_eq!(decode.path, "error");
}

#[tokio::test]
async fn a_success_is_unchanged_by_send_typed() {
    let (_server, client) = answering(
        "GET",
        "/oauth_clients/abc",
        ResponseTemplate::new(200).set_body_json(json!({"data": {
            "record_type": "oauth_client", "client_id": "abc", "name": "App", "org_id": "org", "user_id": "user",
            "client_type": "public", "require_pkce": true, "created_at": "t", "updated_at": "t"
        }})),
    )
    .await;
    let found = client.get_oauth_client("abc").send_typed().await.expect("200");
    assert_eq!(found.data.expect("data").client_id, "abc");
}
