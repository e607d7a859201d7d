//! What users get back when the server answers with something other than the documented
//! success: typed decode errors, parsed error bodies, and no secrets anywhere in the output.

mod support;

use serde::Deserialize;
use serde_json::json;
use support::*;
use telnyx_oauth::runtime::{
    ClientAuthMethod, ClientCredentials, ErrorBody, ErrorKind, RequestOptions, RequestParts, Secret,
};
use telnyx_oauth::Error;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn answering(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET")).and(path("/v2/things/t1")).respond_with(template).mount(&server).await;
    server
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.map(|r| r.len()).unwrap_or_default()
}

async fn get_thing(server: &MockServer) -> Result<Thing, Error> {
    call(&client(&server.uri()), &GET_THING, thing_parts("t1"), &RequestOptions::default()).await.map(|r| r.data)
}

fn json_body(text: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(text.as_bytes().to_vec(), "application/json")
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_with_an_excerpt() {
    let server = answering(json_body(r#"{"id": "t1", "name": "fi"#)).await;
    let error = get_thing(&server).await.expect_err("truncated");
    let Error::Decode { status, message, excerpt, .. } = &error else { panic!("decode error expected: {error:?}") };
    assert_eq!(status.as_u16(), 200);
    assert!(message.contains("EOF"), "{message}");
    assert_eq!(excerpt, r#"{"id": "t1", "name": "fi"#);
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(!error.is_retryable());
    assert_eq!(requests(&server).await, 1, "decode errors are not retried");
}

#[tokio::test]
async fn malformed_json_is_a_decode_error() {
    let server = answering(json_body(r#"{"id": "t1",, "name": "x"}"#)).await;
    let error = get_thing(&server).await.expect_err("malformed");
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(!error.to_string().contains('\n'));
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn a_mismatched_member_names_its_path() {
    let server = answering(json_body(r#"{"id": "t1", "name": 42}"#)).await;
    let error = get_thing(&server).await.expect_err("mismatch");
    let Error::Decode { path, .. } = &error else { panic!("decode error expected: {error:?}") };
    assert_eq!(path, "name");
    assert!(error.to_string().starts_with("cannot decode 200 OK response at `name`: invalid type"), "{error}");
}

#[tokio::test]
async fn an_html_page_with_a_success_status_is_a_decode_error() {
    let page = "<!DOCTYPE html>\n<html><body><h1>Welcome to nginx!</h1></body></html>";
    let server = answering(ResponseTemplate::new(200).set_body_raw(page, "text/html")).await;
    let error = get_thing(&server).await.expect_err("html");
    let Error::Decode { excerpt, .. } = &error else { panic!("decode error expected: {error:?}") };
    assert!(excerpt.starts_with("<!DOCTYPE html> <html>"), "{excerpt}");
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn an_html_error_page_is_an_api_error_after_retries() {
    let page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>bad gateway</body></html>";
    let server = answering(ResponseTemplate::new(502).set_body_raw(page, "text/html")).await;
    let error = get_thing(&server).await.expect_err("502");
    assert_eq!(error.kind(), ErrorKind::Server);
    let api = error.api().expect("api error");
    assert!(matches!(&api.parsed, ErrorBody::Other(serde_json::Value::String(s)) if s == page));
    assert_eq!(api.body_text(), page);
    assert_eq!(error.to_string(), format!("GetThing failed with 502 Bad Gateway: {} bytes of HTML or XML", page.len()));
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn unknown_extra_members_decode_fine() {
    let server = answering(
        ResponseTemplate::new(200).set_body_json(json!({"id": "t1", "name": "n", "added_later": {"x": [1, 2]}})),
    )
    .await;
    assert_eq!(get_thing(&server).await.expect("decodes"), Thing { id: "t1".into(), name: "n".into() });
}

#[tokio::test]
async fn unauthorized_with_telnyx_errors_is_parsed() {
    let body = json!({"errors": [{
        "code": "10009", "title": "Authentication failed", "detail": "The API key is invalid.",
        "source": {"pointer": "/"}, "meta": {"url": "https://developers.example.test/docs/errors/10009"}
    }]});
    let server =
        answering(ResponseTemplate::new(401).set_body_json(body).insert_header("x-request-id", "req-401")).await;
    let error = get_thing(&server).await.expect_err("401");
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(error.request_id(), Some("req-401"));
    let api = error.api().expect("api error");
    let first = api.errors().first().expect("one error");
    assert_eq!(first.code.as_deref(), Some("10009"));
    assert_eq!(first.title.as_deref(), Some("Authentication failed"));
    assert_eq!(first.source, Some(json!({"pointer": "/"})));
    assert!(first.meta.is_some());
    assert!(api.oauth_error().is_none());
    assert_eq!(
        error.to_string(),
        "GetThing failed with 401 Unauthorized: 10009 Authentication failed (The API key is invalid.) \
         [request id req-401]"
    );
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn bad_request_with_an_oauth_error_is_parsed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_grant", "error_description": "The authorization code has expired.",
            "error_uri": "https://x"
        })))
        .mount(&server)
        .await;
    let parts = token_parts(&[("grant_type", "refresh_token"), ("refresh_token", "rt")]);
    let error =
        call::<Token>(&client(&server.uri()), &TOKEN, parts, &RequestOptions::default()).await.expect_err("400");
    assert_eq!(error.kind(), ErrorKind::BadRequest);
    let oauth = error.api().and_then(|a| a.oauth_error()).expect("oauth error");
    assert_eq!(oauth.error, "invalid_grant");
    assert_eq!(oauth.extra.get("error_uri"), Some(&json!("https://x")));
    assert_eq!(
        error.to_string(),
        "ExchangeToken failed with 400 Bad Request: invalid_grant (The authorization code has expired.)"
    );
}

#[tokio::test]
async fn an_operation_specific_error_schema_decodes_on_request() {
    #[derive(Deserialize)]
    struct Registration {
        invalid_fields: Vec<String>,
    }
    let server = answering(ResponseTemplate::new(422).set_body_json(json!({"invalid_fields": ["name"]}))).await;
    let error = get_thing(&server).await.expect_err("422");
    assert_eq!(error.kind(), ErrorKind::UnprocessableEntity);
    let own: Registration = error.api().expect("an API error").decode().expect("own schema");
    assert_eq!(own.invalid_fields, ["name"]);
}

#[tokio::test]
async fn every_status_class_has_its_kind() {
    let table = [
        (403, ErrorKind::Forbidden),
        (404, ErrorKind::NotFound),
        (409, ErrorKind::Conflict),
        (429, ErrorKind::RateLimited),
        (418, ErrorKind::Other),
    ];
    for (status, kind) in table {
        let server = answering(ResponseTemplate::new(status).insert_header("x-should-retry", "false")).await;
        assert_eq!(get_thing(&server).await.expect_err("error").kind(), kind, "{status}");
    }
}

#[tokio::test]
async fn an_invalid_per_request_header_fails_before_anything_is_sent() {
    let server = answering(json_body("{}")).await;
    let mut options = RequestOptions::default();
    options.header("x-trace", "line\nbreak");
    let error =
        call::<Thing>(&client(&server.uri()), &GET_THING, thing_parts("t1"), &options).await.expect_err("invalid");
    assert!(matches!(&error, Error::InvalidInput(m) if m.contains("x-trace")), "{error:?}");
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(requests(&server).await, 0);
}

#[tokio::test]
async fn a_missing_api_key_fails_before_anything_is_sent() {
    let server = answering(json_body("{}")).await;
    let client = telnyx_oauth::Client::builder_for(&INFO).base_url(server.uri()).build().expect("client");
    let error =
        call::<Thing>(&client, &GET_THING, thing_parts("t1"), &RequestOptions::default()).await.expect_err("no key");
    assert!(matches!(&error, Error::InvalidInput(m) if m.contains("GetThing requires an API key")), "{error:?}");
    assert_eq!(requests(&server).await, 0);
}

// --- Redaction -------------------------------------------------------------------------------

const CLIENT_SECRET: &str = "CS-very-secret-value";
const ACCESS_TOKEN: &str = "AT-eyJhbGciOiJSUzI1NiJ9";

fn assert_hidden(what: &str, text: &str) {
    for secret in [API_KEY, CLIENT_SECRET, ACCESS_TOKEN] {
        assert!(!text.contains(secret), "{what} shows a secret: {text}");
    }
}

fn assert_formats_hidden(what: &str, value: &(impl std::fmt::Debug + std::fmt::Display)) {
    assert_hidden(&format!("{what} Debug"), &format!("{value:?}"));
    assert_hidden(&format!("{what} pretty Debug"), &format!("{value:#?}"));
    assert_hidden(&format!("{what} Display"), &value.to_string());
}

fn credentials() -> ClientCredentials {
    ClientCredentials::new("client-id", CLIENT_SECRET).with_method(ClientAuthMethod::ClientSecretPost)
}

#[tokio::test]
async fn secrets_never_appear_in_debug_or_display() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token"))
        .respond_with(json_body(&format!(r#"{{"access_token": "{ACCESS_TOKEN}", "expires_in": "soon"}}"#)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/things/t1"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({
                    "error": "invalid_client", "client_secret": CLIENT_SECRET, "access_token": ACCESS_TOKEN
                }))
                .insert_header("set-cookie", format!("session={ACCESS_TOKEN}")),
        )
        .mount(&server)
        .await;

    let configured = builder(&server.uri())
        .client_credentials(credentials())
        .default_header("x-api-key".parse().expect("name"), API_KEY.parse().expect("value"));
    assert_hidden("builder Debug", &format!("{configured:?}"));
    let client = configured.build().expect("client");
    assert_hidden("client Debug", &format!("{client:?} {client:#?}"));
    assert_hidden("credentials Debug", &format!("{:?}", credentials()));
    assert_formats_hidden("Secret", &Secret::new(API_KEY));
    let mut options = RequestOptions::default();
    options.header("authorization", &format!("Bearer {ACCESS_TOKEN}"));
    assert_hidden("options Debug", &format!("{options:?}"));

    // Decode: the token is in the body that failed to decode.
    let parts = token_parts(&[("grant_type", "client_credentials")]);
    let decode = call::<Token>(&client, &TOKEN, parts, &RequestOptions::default()).await.expect_err("decode");
    assert!(
        matches!(&decode, Error::Decode { excerpt, .. } if excerpt.contains(r#""access_token": "<redacted>""#)),
        "{decode:?}"
    );
    assert_formats_hidden("decode error", &decode);
    // A secret of the wrong type: serde would quote it in its message.
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Numeric {
        access_token: u64,
    }
    let parts = token_parts(&[("grant_type", "client_credentials")]);
    let quoted = call::<Numeric>(&client, &TOKEN, parts, &RequestOptions::default()).await.expect_err("decode");
    assert!(matches!(&quoted, Error::Decode { path, .. } if path == "access_token"), "{quoted:?}");
    assert_formats_hidden("decode error of a secret member", &quoted);
    let raw = client
        .execute(&TOKEN, token_parts(&[("grant_type", "client_credentials")]), &RequestOptions::default())
        .await
        .expect("raw");
    assert_hidden("raw response Debug", &format!("{raw:?}"));

    // API error whose body and headers carry secrets.
    let api = call::<Thing>(&client, &GET_THING, thing_parts("t1"), &RequestOptions::default()).await.expect_err("400");
    assert_formats_hidden("api error", &api);

    // Connection error for an operation with the key in its query string.
    let refused = builder(&refused_uri().await).max_retries(0).build().expect("client");
    let parts = RequestParts::new("/legacy".into());
    let connection = refused.execute(&KEY_IN_QUERY, parts, &RequestOptions::default()).await.expect_err("refused");
    assert!(connection.is_connection(), "{connection:?}");
    assert!(connection.to_string().starts_with("connection error: "), "{connection}");
    assert_formats_hidden("connection error", &connection);

    // Timeout and invalid input.
    let silent = RawServer::start(RawFault::NeverAnswer).await;
    let slow =
        builder(&silent.uri).timeout(std::time::Duration::from_millis(50)).max_retries(0).build().expect("client");
    let timeout = slow.execute(&KEY_IN_QUERY, RequestParts::new("/legacy".into()), &RequestOptions::default()).await;
    let timeout = timeout.expect_err("timeout");
    assert!(timeout.is_timeout(), "{timeout:?}");
    assert_formats_hidden("timeout error", &timeout);
    let mut bad = RequestOptions::default();
    bad.header("x-key", &format!("{API_KEY}\n"));
    let invalid = client.execute(&GET_THING, thing_parts("t1"), &bad).await.expect_err("invalid");
    assert_formats_hidden("invalid input error", &invalid);
}
