//! No credential, in a header or a body, reaches an origin other than the one an operation was
//! sent to: redirects are never followed, whatever HTTP client the caller supplies.

mod trust_support;

use telnyx_oauth::models::{GrantType, IntrospectRequest, TokenRequest};
use telnyx_oauth::oauth::{AuthServer, OAuth};
use telnyx_oauth::runtime::{ClientAuthMethod, ClientCredentials};
use telnyx_oauth::{Client, Secret};
use trust_support::{Answer, Server};

const SECRET: &str = "CLIENT-SECRET-must-stay-home";

fn location_of(target: &Server) -> &'static str {
    Box::leak(format!("location: {}/steal\r\n", target.uri).into_boxed_str())
}

async fn redirecting_pair(status: u16) -> (Server, Server) {
    let thief = Server::start(Answer::Status(200, "", r#"{"access_token":"x","token_type":"bearer"}"#.into())).await;
    let extra = location_of(&thief);
    let origin = Server::start(Answer::Status(status, extra, "{}".into())).await;
    (origin, thief)
}

fn client(origin: &Server, method: ClientAuthMethod) -> Client {
    Client::builder()
        .api_key("KEY-must-stay-home")
        .client_credentials(ClientCredentials::new("client-1", SECRET).with_method(method))
        .base_url(format!("{}/v2", origin.uri))
        // A caller-supplied client whose own policy would follow redirects.
        .http_client(reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(5)))
        .max_retries(0)
        .build()
        .expect("client")
}

#[tokio::test]
async fn token_and_introspection_requests_do_not_follow_307_or_308() {
    for status in [307, 308] {
        for method in [ClientAuthMethod::ClientSecretBasic, ClientAuthMethod::ClientSecretPost] {
            let (origin, thief) = redirecting_pair(status).await;
            let client = client(&origin, method);
            let error =
                client.exchange_oauth_token(TokenRequest::new(GrantType::ClientCredentials)).await.expect_err("3xx");
            assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
            let error = client.introspect_oauth_token(IntrospectRequest::new("TOKEN-to-check")).await.expect_err("3xx");
            assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
            client.list_oauth_clients().await.expect_err("3xx");
            assert_eq!(origin.count(), 3);
            assert_eq!(thief.count(), 0, "{status} {method:?}: the other origin received {:?}", thief.requests());
        }
    }
}

#[tokio::test]
async fn oauth_helpers_do_not_follow_redirects_either() {
    let (origin, thief) = redirecting_pair(307).await;
    let client = client(&origin, ClientAuthMethod::ClientSecretPost);
    let oauth = OAuth::new(
        &client,
        AuthServer::from_base_url(&format!("{}/v2", origin.uri)).expect("server"),
        ClientCredentials::new("client-1", Secret::new(SECRET)).with_method(ClientAuthMethod::ClientSecretPost),
    );
    oauth.client_credentials_token(&[]).await.expect_err("3xx");
    oauth.introspect("TOKEN-to-check", None).await.expect_err("3xx");
    assert!(origin.count() >= 2);
    assert_eq!(thief.count(), 0, "the other origin received {:?}", thief.requests());
}

#[tokio::test]
async fn credentials_in_default_headers_stay_with_the_api_origin() {
    let api = Server::start(Answer::Status(200, "", r#"{"keys":[]}"#.into())).await;
    let auth = Server::start(Answer::Status(200, "", r#"{"access_token":"x","token_type":"bearer"}"#.into())).await;
    let client = Client::builder()
        .base_url(format!("{}/v2", api.uri))
        .default_header(
            reqwest::header::HeaderName::from_static("x-api-key"),
            reqwest::header::HeaderValue::from_static("DEFAULT-HEADER-KEY"),
        )
        .default_header(
            reqwest::header::HeaderName::from_static("x-team"),
            reqwest::header::HeaderValue::from_static("blue"),
        )
        .build()
        .expect("client");
    client.get_oauth_jwks().await.expect("api call");
    let oauth = OAuth::new(
        &client,
        AuthServer::from_base_url(&format!("{}/v2", auth.uri)).expect("server"),
        ClientCredentials::new("client-1", Secret::new(SECRET)),
    );
    oauth.client_credentials_token(&[]).await.expect("token");
    assert_eq!(api.requests()[0].header("x-api-key"), Some("DEFAULT-HEADER-KEY"));
    let at_auth = &auth.requests()[0];
    assert_eq!(at_auth.header("x-api-key"), None, "a credential for the API went to another origin");
    assert_eq!(at_auth.header("x-team"), Some("blue"));
}
