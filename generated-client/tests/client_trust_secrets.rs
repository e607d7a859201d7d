//! No token, secret, code or cookie reaches `Display` or `Debug` of any error or value the
//! client hands back, whatever a server answers; and `Debug` stays short whatever its size.

mod trust_support;

use telnyx_oauth::models::{GrantType, TokenRequest};
use telnyx_oauth::oauth::{AuthServer, OAuth, TokenSource};
use telnyx_oauth::runtime::{ClientAuthMethod, ClientCredentials};
use telnyx_oauth::{Client, Secret};
use trust_support::{Answer, Server};

const SECRETS: [&str; 5] =
    ["AT-SECRET-access", "RT-SECRET-refresh", "ID-SECRET-idtoken", "CS-SECRET-client", "COOKIE-SECRET"];

/// 2xx token responses that do not fit the expected shape, in both encodings.
fn misfits() -> Vec<(&'static str, &'static str, String)> {
    vec![
        (
            "scope as an array",
            "",
            concat!(
                r#"{"access_token":"AT-SECRET-access","token_type":"Bearer","expires_in":60,"#,
                r#""refresh_token":"RT-SECRET-refresh","id_token":"ID-SECRET-idtoken","scope":["a","b"]}"#
            )
            .into(),
        ),
        (
            "token_type missing",
            "",
            concat!(
                r#"{"access_token":"AT-SECRET-access","expires_in":60,"#,
                r#""refresh_token":"RT-SECRET-refresh","id_token":"ID-SECRET-idtoken"}"#
            )
            .into(),
        ),
        (
            "form-encoded",
            "x-form: 1\r\n",
            "access_token=AT-SECRET-access&token_type=Bearer&refresh_token=RT-SECRET-refresh&id_token=ID-SECRET-idtoken"
                .into(),
        ),
    ]
}

fn assert_clean(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what}: `{secret}` in {text}");
    }
}

fn client(server: &Server) -> Client {
    Client::builder()
        .base_url(format!("{}/v2", server.uri))
        .client_credentials(
            ClientCredentials::new("client-1", "CS-SECRET-client").with_method(ClientAuthMethod::ClientSecretPost),
        )
        .max_retries(0)
        .build()
        .expect("client")
}

fn oauth(client: &Client, server: &Server) -> OAuth {
    OAuth::new(
        client,
        AuthServer::from_base_url(&format!("{}/v2", server.uri)).expect("server"),
        ClientCredentials::new("client-1", Secret::new("CS-SECRET-client"))
            .with_method(ClientAuthMethod::ClientSecretPost),
    )
}

#[tokio::test]
async fn misfit_token_responses_keep_tokens_out_of_every_error() {
    for (what, extra, body) in misfits() {
        let server = Server::start(Answer::Status(200, extra, body)).await;
        let client = client(&server);

        let error = client.exchange_oauth_token(TokenRequest::new(GrantType::ClientCredentials)).await.expect_err(what);
        assert_clean(&format!("generated {what} Display"), &error.to_string());
        assert_clean(&format!("generated {what} Debug"), &format!("{error:?}"));

        let error = oauth(&client, &server).client_credentials_token(&[]).await;
        if let Err(error) = error {
            assert_clean(&format!("helper {what} Display"), &error.to_string());
            assert_clean(&format!("helper {what} Debug"), &format!("{error:?}"));
        }

        // Through a token source into an ordinary API call.
        let source = TokenSource::client_credentials(oauth(&client, &server), &[]);
        if let Err(error) = source.access_token().await {
            assert_clean(&format!("source {what} Display"), &error.to_string());
            assert_clean(&format!("source {what} Debug"), &format!("{error:?}"));
        }
        let api = source.client_builder().max_retries(0).build().expect("client");
        if let Err(error) = api.list_oauth_clients().await {
            assert_clean(&format!("api {what} Display"), &error.to_string());
            assert_clean(&format!("api {what} Debug"), &format!("{error:?}"));
        }
    }
}

#[tokio::test]
async fn error_responses_quoting_tokens_keep_them_out_too() {
    let bodies = [
        concat!(
            r#"{"error":"invalid_grant","error_description":"refresh_token=RT-SECRET-refresh is revoked","#,
            r#""access_token":"AT-SECRET-access"}"#
        ),
        "access_token=AT-SECRET-access&refresh_token=RT-SECRET-refresh",
        r#"{"message":"nope","id_token":"ID-SECRET-idtoken"}"#,
    ];
    for body in bodies {
        let server = Server::start(Answer::Status(400, "set-cookie: session=COOKIE-SECRET\r\n", body.into())).await;
        let client = client(&server);
        let error = client.exchange_oauth_token(TokenRequest::new(GrantType::ClientCredentials)).await.expect_err(body);
        assert_clean("generated Display", &error.to_string());
        assert_clean("generated Debug", &format!("{error:?}"));
        let error = oauth(&client, &server).client_credentials_token(&[]).await.expect_err(body);
        assert_clean("helper Display", &error.to_string());
        assert_clean("helper Debug", &format!("{error:?}"));
    }
}

#[tokio::test]
async fn debug_of_an_error_is_bounded_whatever_the_body() {
    let huge = "x".repeat(10 * 1024 * 1024);
    let body = format!(r#"{{"error":"invalid_request","error_description":"{huge}","extra":"{huge}"}}"#);
    let server = Server::start(Answer::Status(400, "", body)).await;
    // A limit above the body's 20 MiB, so that the error is built from the whole body.
    let client = Client::builder()
        .base_url(format!("{}/v2", server.uri))
        .client_credentials(ClientCredentials::new("client-1", "CS-SECRET-client"))
        .max_retries(0)
        .max_response_bytes(64 * 1024 * 1024)
        .build()
        .expect("client");
    let error = client.exchange_oauth_token(TokenRequest::new(GrantType::ClientCredentials)).await.expect_err("400");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert!(format!("{error:?}").len() < 10_000, "{} bytes", format!("{error:?}").len());
    assert!(error.to_string().len() < 1_000);
    let error = oauth(&client, &server).client_credentials_token(&[]).await.expect_err("400");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert!(format!("{error:?}").len() < 10_000, "{} bytes", format!("{error:?}").len());
    assert!(error.to_string().len() < 1_000);
}

#[tokio::test]
async fn set_cookie_is_hidden_from_response_and_page_debug() {
    let page = r#"{"data":[],"meta":{"page_number":1,"page_size":20,"total_pages":1,"total_results":0}}"#;
    let server = Server::start(Answer::Status(200, "set-cookie: session=COOKIE-SECRET\r\n", page.into())).await;
    let client = Client::builder().api_key("KEY").base_url(format!("{}/v2", server.uri)).build().expect("client");
    let response = client.list_oauth_clients().send_with_response().await.expect("page");
    let text = format!("{response:?}");
    assert!(text.contains("set-cookie: <redacted>"), "{text}");
    assert_clean("ApiResponse Debug", &text);
    let page = client.list_oauth_clients().send().await.expect("page");
    assert_clean("Page Debug", &format!("{page:?}"));
}

#[test]
fn request_values_do_not_show_credentials() {
    let client = Client::builder().api_key("KEY").build().expect("client");
    let builder = client.get_oauth_consent_token("CONSENT-SECRET-token");
    assert!(!format!("{builder:?}").contains("CONSENT-SECRET"), "{builder:?}");

    let mut request = TokenRequest::new(GrantType::AuthorizationCode);
    request.code = Some("CODE-SECRET-single-use".into());
    request.code_verifier = Some("VERIFIER-SECRET".into());
    let text = format!("{request:?}");
    assert!(!text.contains("CODE-SECRET") && !text.contains("VERIFIER-SECRET"), "{text}");
}

#[tokio::test]
async fn oauth_connection_errors_carry_no_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let client = Client::builder().max_retries(0).build().expect("client");
    let server = AuthServer::from_base_url(&format!("http://127.0.0.1:{port}/v2?tenant=QUERY-SECRET")).expect("server");
    let oauth = OAuth::new(&client, server, ClientCredentials::new("client-1", "CS-SECRET-client"));
    let error = oauth.client_credentials_token(&[]).await.expect_err("refused");
    for text in [error.to_string(), format!("{error:?}")] {
        // The peer's socket address may be named (as for every connection error), the URL not.
        assert!(!text.contains("QUERY-SECRET") && !text.contains("http://") && !text.contains("/v2"), "{text}");
        assert_clean("connection error", &text);
    }
}
