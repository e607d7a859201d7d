//! Credentials on the wire: bearer only where the operation asks for it, OAuth client
//! authentication in each of its forms, and the headers every request carries.

mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::json;
use support::*;
use telnyx_oauth::runtime::{
    BearerSource, Body, ClientAuthMethod, ClientCredentials, ErrorKind, RequestOptions, RequestParts, Result, Secret,
};
use telnyx_oauth::Error;
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn token_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"access_token": "at", "expires_in": 60}))
}

async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 1, "exactly one request expected");
    requests.remove(0)
}

fn header_of(request: &Request, name: &str) -> Option<String> {
    request.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

fn body_of(request: &Request) -> String {
    String::from_utf8_lossy(&request.body).into_owned()
}

async fn exchange(credentials: ClientCredentials, body: Body) -> Request {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/v2/oauth/token")).respond_with(token_ok()).mount(&server).await;
    let client = builder(&server.uri()).client_credentials(credentials).build().expect("client");
    let mut parts = RequestParts::new("/oauth/token".into());
    parts.body = body;
    call::<Token>(&client, &TOKEN, parts, &RequestOptions::default()).await.expect("token");
    only_request(&server).await
}

#[tokio::test]
async fn client_secret_basic_form_encodes_id_and_secret_before_base64() {
    // RFC 6749 §2.3.1: "id:with/colon" and "s3cr+t&=" become "id%3Awith%2Fcolon:s3cr%2Bt%26%3D".
    let table = [
        (("id:with/colon", "s3cr+t&="), "Basic aWQlM0F3aXRoJTJGY29sb246czNjciUyQnQlMjYlM0Q="),
        (("my client", "pa ssé"), "Basic bXkrY2xpZW50OnBhK3NzJUMzJUE5"),
        (("plain", "secret"), "Basic cGxhaW46c2VjcmV0"),
    ];
    for ((id, secret), expected) in table {
        let request = exchange(ClientCredentials::new(id, secret), form(&[("grant_type", "client_credentials")])).await;
        assert_eq!(header_of(&request, "authorization").as_deref(), Some(expected), "{id}");
        assert_eq!(body_of(&request), "grant_type=client_credentials", "nothing added to the body");
        assert_eq!(header_of(&request, "content-type").as_deref(), Some("application/x-www-form-urlencoded"));
    }
}

#[tokio::test]
async fn client_secret_post_puts_both_in_the_form_body() {
    let credentials =
        ClientCredentials::new("id:with/colon", "s3cr+t&=").with_method(ClientAuthMethod::ClientSecretPost);
    let request = exchange(credentials, form(&[("grant_type", "client_credentials"), ("scope", "a b")])).await;
    assert_eq!(header_of(&request, "authorization"), None);
    assert_eq!(
        body_of(&request),
        "grant_type=client_credentials&scope=a+b&client_id=id%3Awith%2Fcolon&client_secret=s3cr%2Bt%26%3D"
    );
}

#[tokio::test]
async fn client_secret_post_adds_members_to_a_json_body() {
    let credentials = ClientCredentials::new("cid", "cs").with_method(ClientAuthMethod::ClientSecretPost);
    let body = Body::json(&json!({"grant_type": "client_credentials"})).expect("json");
    let request = exchange(credentials, body).await;
    assert_eq!(header_of(&request, "authorization"), None);
    let sent: serde_json::Value = serde_json::from_slice(&request.body).expect("json body");
    assert_eq!(sent, json!({"grant_type": "client_credentials", "client_id": "cid", "client_secret": "cs"}));
}

#[tokio::test]
async fn a_public_client_sends_only_its_id() {
    let request = exchange(
        ClientCredentials::public("public-app"),
        form(&[
            ("grant_type", "authorization_code"),
            ("code", "c"),
            ("client_id", "stale"),
            ("client_secret", "stale"),
        ]),
    )
    .await;
    assert_eq!(header_of(&request, "authorization"), None);
    assert_eq!(body_of(&request), "grant_type=authorization_code&code=c&client_id=public-app");
}

#[tokio::test]
async fn bearer_operations_send_the_api_key_and_no_auth_operations_send_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/things/t1"))
        .and(header("authorization", format!("Bearer {API_KEY}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "t1", "name": "n"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/public"))
        .and(|r: &Request| !r.headers.contains_key("authorization"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client =
        builder(&server.uri()).client_credentials(ClientCredentials::new("cid", "cs")).build().expect("client");
    call::<Thing>(&client, &GET_THING, thing_parts("t1"), &RequestOptions::default()).await.expect("bearer");
    let response = client.execute(&PUBLIC, RequestParts::new("/public".into()), &RequestOptions::default()).await;
    assert_eq!(response.expect("public").status(), 204);
}

#[tokio::test]
async fn a_bearer_source_replaces_the_api_key() {
    #[derive(Debug)]
    struct Fixed;
    impl BearerSource for Fixed {
        fn bearer(&self) -> Pin<Box<dyn Future<Output = Result<Secret>> + Send + '_>> {
            Box::pin(async { Ok(Secret::new("oauth-access-token")) })
        }
    }
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer oauth-access-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "t1", "name": "n"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server.uri()).bearer_source(Arc::new(Fixed)).build().expect("client");
    call::<Thing>(&client, &GET_THING, thing_parts("t1"), &RequestOptions::default()).await.expect("token used");
}

#[tokio::test]
async fn a_failing_bearer_source_fails_the_call_before_sending() {
    #[derive(Debug)]
    struct Broken;
    impl BearerSource for Broken {
        fn bearer(&self) -> Pin<Box<dyn Future<Output = Result<Secret>> + Send + '_>> {
            Box::pin(async { Err(Error::InvalidInput("refresh token revoked".into())) })
        }
    }
    let server = MockServer::start().await;
    let client = builder(&server.uri()).bearer_source(Arc::new(Broken)).build().expect("client");
    let error =
        call::<Thing>(&client, &GET_THING, thing_parts("t1"), &RequestOptions::default()).await.expect_err("fails");
    assert!(matches!(&error, Error::InvalidInput(m) if m == "refresh token revoked"), "{error:?}");
    assert_eq!(server.received_requests().await.unwrap_or_default().len(), 0);
}

/// Which `authorization` is sent when several could be: the operation's API key replaces a
/// default header of that name, a caller's header replaces the API key, and an operation
/// without auth sends the default. Exactly one value each time.
#[tokio::test]
async fn one_authorization_is_sent_the_callers_over_the_api_key_over_the_default() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/things/t1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "t1", "name": "n"})))
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path("/v2/public")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = builder(&server.uri())
        .default_header("authorization".parse().expect("name"), "Basic ZGVmYXVsdA==".parse().expect("value"))
        .build()
        .expect("client");
    let mut mine = RequestOptions::default();
    mine.header("authorization", "Bearer mine");
    call::<Thing>(&client, &GET_THING, thing_parts("t1"), &RequestOptions::default()).await.expect("API key");
    call::<Thing>(&client, &GET_THING, thing_parts("t1"), &mine).await.expect("caller's");
    client.execute(&PUBLIC, RequestParts::new("/public".into()), &RequestOptions::default()).await.expect("public");
    let sent: Vec<Vec<String>> = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| r.headers.get_all("authorization").iter().map(|v| v.to_str().unwrap_or("?").to_owned()).collect())
        .collect();
    let expected: Vec<Vec<String>> =
        [format!("Bearer {API_KEY}"), "Bearer mine".into(), "Basic ZGVmYXVsdA==".into()].map(|v| vec![v]).into();
    assert_eq!(sent, expected);
}

#[tokio::test]
async fn every_request_carries_user_agent_default_headers_and_the_retry_count() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = builder(&server.uri())
        .default_header("x-team".parse().expect("name"), "runtime".parse().expect("value"))
        .default_header("x-overridden".parse().expect("name"), "default".parse().expect("value"))
        .build()
        .expect("client");
    let mut options = RequestOptions::default();
    options.header("x-overridden", "per-request");
    options.header("x-extra", "1");
    options.query.push(("extra".into(), "a&b".into()));
    let mut parts = RequestParts::new("/public".into());
    parts.query("own", "1");
    client.execute(&PUBLIC, parts, &options).await.expect("sent");
    let request = only_request(&server).await;
    let ua = header_of(&request, "user-agent").unwrap_or_default();
    assert!(ua.starts_with("runtime-tests/0.0.1 (Rust; "), "{ua}");
    assert_eq!(header_of(&request, "x-team").as_deref(), Some("runtime"));
    assert_eq!(header_of(&request, "x-overridden").as_deref(), Some("per-request"));
    assert_eq!(header_of(&request, "x-extra").as_deref(), Some("1"));
    assert_eq!(header_of(&request, "x-retry-count").as_deref(), Some("0"));
    assert_eq!(request.url.query(), Some("own=1&extra=a%26b"));
}

#[tokio::test]
async fn a_caller_supplied_http_client_is_used_with_its_own_user_agent() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let http = reqwest::Client::builder().user_agent("my-app/2");
    let client = builder(&server.uri()).http_client(http).build().expect("client");
    client.execute(&PUBLIC, RequestParts::new("/public".into()), &RequestOptions::default()).await.expect("sent");
    assert_eq!(header_of(&only_request(&server).await, "user-agent").as_deref(), Some("my-app/2"));
}

#[tokio::test]
async fn an_api_key_in_the_query_is_sent_there() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).and(path("/v2/legacy")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    client(&server.uri())
        .execute(&KEY_IN_QUERY, RequestParts::new("/legacy".into()), &RequestOptions::default())
        .await
        .expect("sent");
    let request = only_request(&server).await;
    assert_eq!(request.url.query(), Some(format!("api_key={API_KEY}").as_str()));
    assert_eq!(header_of(&request, "authorization"), None);
}

#[tokio::test]
async fn client_auth_without_credentials_sends_none_when_optional() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_string("grant_type=client_credentials"))
        .and(|r: &Request| !r.headers.contains_key("authorization"))
        .respond_with(token_ok())
        .expect(1)
        .mount(&server)
        .await;
    let parts = token_parts(&[("grant_type", "client_credentials")]);
    call::<Token>(&client(&server.uri()), &TOKEN, parts, &RequestOptions::default()).await.expect("token");
}

#[tokio::test]
async fn builder_from_env_reads_the_variables_named_in_api_info() {
    // The variable names are unique to this test binary's INFO.
    std::env::set_var("RUNTIME_TESTS_API_KEY", "env-key");
    std::env::set_var("RUNTIME_TESTS_BASE_URL", "http://127.0.0.1:9/v2");
    std::env::set_var("RUNTIME_TESTS_CLIENT_ID", "env-client");
    std::env::set_var("RUNTIME_TESTS_CLIENT_SECRET", "");
    let client = telnyx_oauth::Client::builder_from_env(&INFO).expect("builder").build().expect("client");
    assert_eq!(client.base_url().as_str(), "http://127.0.0.1:9/v2");
    let credentials = client.client_credentials().expect("credentials");
    assert_eq!(credentials.client_id, "env-client");
    assert!(credentials.client_secret.is_none(), "an empty secret is no secret");
    assert_eq!(credentials.method, ClientAuthMethod::None);
    let error = telnyx_oauth::Client::builder_for(&INFO).base_url("ftp://x").build().expect_err("scheme");
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
}
