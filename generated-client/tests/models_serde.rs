//! The wire behaviour of generated models' `Serialize`/`Deserialize`, pinned independently of how
//! the generator writes them (serde derive or the runtime's compact impls): required, optional
//! and collection fields, duplicate and unknown keys, error messages with line and column, and
//! the path the client reports when a success body does not decode.

use serde_json::json;
use telnyx_oauth::models::{GetOAuthClientResponse, OAuthClient, OAuthClientUpdateRequest};
use telnyx_oauth::{Client, Error};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CLIENT: &str = r#"{"record_type":"oauth_client","client_id":"abc","name":"App","org_id":"org","user_id":"user",
"client_type":"public","require_pkce":true,"created_at":"t","updated_at":"t"}"#;

fn with(extra: &str) -> String {
    format!("{},{extra}}}", CLIENT.trim_end_matches('}'))
}

fn decode_error<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> String {
    serde_json::from_str::<T>(text).expect_err("must not decode").to_string()
}

#[test]
fn a_missing_required_field_is_an_error_naming_it_with_line_and_column() {
    let text = CLIENT.replace(r#""name":"App","#, "");
    let message = decode_error::<OAuthClient>(&text);
    assert!(message.starts_with("missing field `name` at line 2 column "), "{message}");
}

#[test]
fn a_duplicate_key_is_an_error_naming_the_field() {
    let message = decode_error::<OAuthClient>(&with(r#""name":"Again""#));
    assert!(message.starts_with("duplicate field `name` at line 2 column "), "{message}");
    let message = decode_error::<OAuthClient>(&with(r#""logo_uri":null,"logo_uri":"x""#));
    assert!(message.starts_with("duplicate field `logo_uri`"), "{message}");
}

#[test]
fn a_value_of_the_wrong_type_names_what_was_expected_with_line_and_column() {
    let message = decode_error::<OAuthClient>(&CLIENT.replace(r#""require_pkce":true"#, r#""require_pkce":"yes""#));
    assert!(message.starts_with(r#"invalid type: string "yes", expected a boolean at line 2 column "#), "{message}");
    // An array is not an object (whatever the message says of it).
    decode_error::<OAuthClient>("[1, 2]");
    let message = decode_error::<OAuthClient>("42");
    assert_eq!(message, "invalid type: integer `42`, expected struct OAuthClient at line 1 column 2");
}

#[test]
fn unknown_keys_are_ignored_but_refused_where_the_schema_forbids_them() {
    let client: OAuthClient = serde_json::from_str(&with(r#""future":{"nested":[1,{"a":null}]},"x":1"#)).unwrap();
    assert_eq!(client.name, "App");

    let update: OAuthClientUpdateRequest = serde_json::from_str(r#"{"name":"n"}"#).unwrap();
    assert_eq!(update.name.as_deref(), Some("n"));
    let message = decode_error::<OAuthClientUpdateRequest>(r#"{"name":"n","future":1}"#);
    assert!(message.starts_with("unknown field `future`, expected one of `allowed_grant_types`, "), "{message}");
    assert!(message.contains(" at line 1 column "), "{message}");
}

#[test]
fn null_or_absent_collections_are_empty_and_empty_ones_are_not_written() {
    let client: OAuthClient =
        serde_json::from_str(&with(r#""allowed_scopes":null,"redirect_uris":["https://a"]"#)).unwrap();
    assert!(client.allowed_scopes.is_empty());
    assert!(client.allowed_grant_types.is_empty());
    assert_eq!(client.redirect_uris, ["https://a"]);
    let written = serde_json::to_value(&client).unwrap();
    assert_eq!(written.get("allowed_scopes"), None);
    assert_eq!(written["redirect_uris"], json!(["https://a"]));
}

#[test]
fn optional_fields_absent_or_null_are_none_and_none_is_not_written() {
    let client: OAuthClient = serde_json::from_str(&with(r#""logo_uri":null"#)).unwrap();
    assert_eq!((client.logo_uri.as_deref(), client.tos_uri.as_deref()), (None, None));
    let written = serde_json::to_value(&client).unwrap();
    assert_eq!(written, serde_json::from_str::<serde_json::Value>(CLIENT).unwrap());

    let update = OAuthClientUpdateRequest::new().with_require_pkce(false);
    assert_eq!(serde_json::to_string(&update).unwrap(), r#"{"require_pkce":false}"#);
    assert_eq!(serde_json::to_string(&OAuthClientUpdateRequest::new()).unwrap(), "{}");
}

#[test]
fn a_full_value_survives_a_round_trip_in_field_order() {
    let text = with(
        r#""allowed_grant_types":["client_credentials","something_new"],"allowed_scopes":["admin"],
        "client_secret":"s","logo_uri":"l","policy_uri":"p","redirect_uris":["r"],"tos_uri":"t""#,
    );
    let client: OAuthClient = serde_json::from_str(&text).unwrap();
    let written = serde_json::to_string(&client).unwrap();
    // Fields are written in schema order, whatever order they were read in.
    let start = concat!(
        r#"{"allowed_grant_types":["client_credentials","something_new"],"allowed_scopes":["admin"],"#,
        r#""client_id":"abc","client_secret":"s","#
    );
    assert!(written.starts_with(start), "{written}");
    let again: OAuthClient = serde_json::from_str(&written).unwrap();
    assert_eq!(again, client);
    let envelope = GetOAuthClientResponse { data: Some(client.clone()) };
    let back: GetOAuthClientResponse = serde_json::from_value(serde_json::to_value(&envelope).unwrap()).unwrap();
    assert_eq!(back, envelope);
}

async fn answering(body: String) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/oauth_clients/abc"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.into_bytes(), "application/json"))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_success_body_that_does_not_decode_names_the_member_path() {
    let bad = CLIENT.replace(r#""require_pkce":true"#, r#""require_pkce":"yes""#);
    let server = answering(format!(r#"{{"data":{bad}}}"#)).await;
    let client = Client::builder().api_key("KEY").base_url(server.uri()).max_retries(0).build().unwrap();
    let error = client.get_oauth_client("abc").send().await.expect_err("bad body");
    let Error::Decode { path, message, .. } = &error else { panic!("decode error expected: {error:?}") };
    assert_eq!(path, "data.require_pkce");
    assert!(message.starts_with(r#"invalid type: string "yes", expected a boolean"#), "{message}");

    let missing = CLIENT.replace(r#""org_id":"org","#, "");
    let server = answering(format!(r#"{{"data":{missing}}}"#)).await;
    let client = Client::builder().api_key("KEY").base_url(server.uri()).max_retries(0).build().unwrap();
    let error = client.get_oauth_client("abc").send().await.expect_err("missing member");
    let Error::Decode { path, message, .. } = &error else { panic!("decode error expected: {error:?}") };
    assert_eq!(path, "data");
    assert!(message.starts_with("missing field `org_id`"), "{message}");
}

#[test]
fn the_struct_length_given_to_the_serializer_counts_exactly_the_fields_written() {
    // Formats such as MessagePack write a struct's length before its fields: it must count the
    // fields written, not the fields the model has.
    use serde_test::{assert_ser_tokens, Token};
    let name = "OAuthClientUpdateRequest";
    assert_ser_tokens(&OAuthClientUpdateRequest::new(), &[Token::Struct { name, len: 0 }, Token::StructEnd]);
    let update = OAuthClientUpdateRequest::new().with_name("App").with_require_pkce(true);
    assert_ser_tokens(
        &update,
        &[
            Token::Struct { name, len: 2 },
            Token::Str("name"),
            Token::Some,
            Token::Str("App"),
            Token::Str("require_pkce"),
            Token::Some,
            Token::Bool(true),
            Token::StructEnd,
        ],
    );
}
