//! Contract tests against Prism, a real OpenAPI mock server serving our `spec/` document.
//!
//! Every operation of the spec is driven through the generated client (never raw HTTP), and
//! for each one we check that Prism accepted the request (the documented success status, no
//! `sl-violations` header, no Prism problem+json), and that the body decoded into our types.
//! The same runs against Prism's dynamic mode with several fixed seeds (random, schema-valid
//! responses). Documented 400/401/404/422 answers are asked for with `Prefer: code=N` and must
//! come back as typed errors with the parsed body. Auto-pagination against Prism must end.
//!
//! Prism is pinned in `tools/prism` (`npm ci --prefix tools/prism`). Without it these tests
//! skip with a printed reason, unless `CI=true`, where they fail.

mod child_process;
#[path = "support/prism.rs"]
mod prism;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use prism::{Mode, Prism};
use telnyx_oauth::models::*;
use telnyx_oauth::operations::{AuthorizeOAuthResponse, RequestEncoding};
use telnyx_oauth::runtime::ErrorBody;
use telnyx_oauth::runtime::{ClientAuthMethod, ClientCredentials};
use telnyx_oauth::{Client, Error, Secret, StatusCode, StreamExt};

const API_KEY: &str = "KEY0123456789";
const CLIENT_UUID: &str = "550e8400-e29b-41d4-a716-446655440000";
const GRANT_UUID: &str = "6f1c2d3e-0000-4000-8000-000000000001";
const DYNAMIC_SEEDS: [u32; 3] = [1, 2, 3];
/// Auto-pagination that has not ended after this many pages is taken as endless.
const MAX_PAGES: usize = 25;

/// Prism reads the `oauth2` security scheme as "a Bearer access token" and answers
/// 401 "Invalid security scheme used" to anything else, including HTTP Basic and a request with
/// client credentials in the body. The generated client reads `oauthClientAuth` as OAuth
/// *client* authentication (the spec's prose for introspection: "The caller has to authenticate
/// as an OAuth client"). `ExchangeOAuthToken` also allows `{}` (no security), so
/// `client_secret_post` passes there; `IntrospectOAuthToken` requires `oauthClientAuth` only, so
/// against Prism it gets an extra `Authorization: Bearer` header on top of the client's own
/// client authentication. Reported in the summary line; see the README's "Contract tests".
const INTROSPECTION_BEARER_FOR_PRISM: &str = "IntrospectOAuthToken";

fn client(prism: &Prism) -> Client {
    Client::builder()
        .api_key(API_KEY)
        // Prism serves the whole document at its root and ignores `servers`: no /v2.
        .base_url(prism.base_url())
        .client_credentials(ClientCredentials {
            client_id: "client-1".into(),
            client_secret: Some(Secret::new("s3cret")),
            // Prism rejects HTTP Basic on the oauth2-secured operations (see above).
            method: ClientAuthMethod::ClientSecretPost,
        })
        .max_retries(0)
        .timeout(Duration::from_secs(15))
        .build()
        .expect("client builds")
}

// ---------------------------------------------------------------------------------------------
// What the spec documents

/// One documented response of one operation, as far as these tests need it.
#[derive(Debug, Clone)]
struct Documented {
    /// Content types of the response body (empty when it has none).
    content_types: Vec<String>,
    /// The schema is `#/components/schemas/oauth_Error`.
    oauth_error_schema: bool,
    /// The `error` member of the response's (first) example, where it has one.
    example_error: Option<String>,
    /// Names of the response's named `examples`.
    example_names: Vec<String>,
}

/// Operation id → documented status → what is documented, read from our spec.
type Documentation = BTreeMap<String, BTreeMap<u16, Documented>>;

fn documentation() -> Documentation {
    let text = std::fs::read_to_string(prism::spec_path()).expect("read spec/telnyx-oauth.openapi.yaml");
    let doc: serde_json::Value = serde_yaml::from_str(&text).expect("the spec is YAML");
    let mut out = Documentation::new();
    let paths = doc["paths"].as_object().expect("paths");
    for item in paths.values() {
        let Some(item) = item.as_object() else { continue };
        for (method, op) in item {
            if !["get", "put", "post", "delete", "patch", "head", "options", "trace"].contains(&method.as_str()) {
                continue;
            }
            let id = op["operationId"].as_str().expect("every operation has an operationId");
            let mut responses = BTreeMap::new();
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                let Ok(status) = status.parse::<u16>() else { continue };
                let content = response["content"].as_object();
                let json = &response["content"]["application/json"];
                let first_named = json["examples"].as_object().and_then(|e| e.values().next());
                let example_error = json["example"]["error"]
                    .as_str()
                    .or_else(|| first_named.and_then(|e| e["value"]["error"].as_str()))
                    .or_else(|| json["schema"]["properties"]["error"]["example"].as_str())
                    .map(str::to_owned);
                responses.insert(
                    status,
                    Documented {
                        content_types: content.map(|c| c.keys().cloned().collect()).unwrap_or_default(),
                        oauth_error_schema: json["schema"]["$ref"].as_str() == Some("#/components/schemas/oauth_Error"),
                        example_error,
                        example_names: json["examples"]
                            .as_object()
                            .map(|e| e.keys().cloned().collect())
                            .unwrap_or_default(),
                    },
                );
            }
            out.insert(id.to_owned(), responses);
        }
    }
    out
}

/// The operations this test drives, in the order it drives them.
const OPERATIONS: [&str; 17] = [
    "GetOAuthAuthorizationServerMetadata",
    "GetOAuthProtectedResourceMetadata",
    "AuthorizeOAuth",
    "GetOAuthConsentToken",
    "CreateOAuthGrant",
    "IntrospectOAuthToken",
    "GetOAuthJWKS",
    "RegisterOAuthClient",
    "ExchangeOAuthToken",
    "ListOAuthClients",
    "CreateOAuthClient",
    "GetOAuthClient",
    "UpdateOAuthClient",
    "DeleteOAuthClient",
    "ListOAuthGrants",
    "GetOAuthGrant",
    "RevokeOAuthGrant",
];

// ---------------------------------------------------------------------------------------------
// Driving one operation through the generated client

/// How complete a request is: only what is required, or every optional parameter and field
/// (and JSON instead of the default form encoding where the operation takes both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Minimal,
    Full,
}

/// A call that succeeded: status, headers, and what is wrong with the decoded value.
#[derive(Debug)]
struct Observed {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    problems: Vec<String>,
}

/// Adds the extra headers, sends with `send_with_response()`, and runs `$check` (returning
/// `Vec<String>` problems) on the decoded `ApiResponse`.
macro_rules! send {
    ($builder:expr, $headers:expr, |$response:ident| $check:expr) => {{
        let mut builder = $builder;
        for (name, value) in $headers {
            builder = builder.header(name, value);
        }
        builder.send_with_response().await.map(|$response| {
            let problems: Vec<String> = $check;
            Observed { status: $response.status, headers: $response.headers.clone(), problems }
        })
    }};
}

fn check_client(c: &OAuthClient, problems: &mut Vec<String>) {
    if let ClientType::Unknown(v) = &c.client_type {
        problems.push(format!("client_type {v:?} is not one of the spec's values"));
    }
    if let OAuthClientRecordType::Unknown(v) = &c.record_type {
        problems.push(format!("record_type {v:?} is not one of the spec's values"));
    }
    for g in &c.allowed_grant_types {
        if let GrantType::Unknown(v) = g {
            problems.push(format!("allowed_grant_types has {v:?}, not one of the spec's values"));
        }
    }
}

fn check_grant(g: &OAuthGrant, problems: &mut Vec<String>) {
    if let OAuthGrantRecordType::Unknown(v) = &g.record_type {
        problems.push(format!("record_type {v:?} is not one of the spec's values"));
    }
}

fn clients_problems<'a>(clients: impl IntoIterator<Item = &'a OAuthClient>) -> Vec<String> {
    let mut problems = Vec::new();
    clients.into_iter().for_each(|c| check_client(c, &mut problems));
    problems
}

fn grants_problems<'a>(grants: impl IntoIterator<Item = &'a OAuthGrant>) -> Vec<String> {
    let mut problems = Vec::new();
    grants.into_iter().for_each(|g| check_grant(g, &mut problems));
    problems
}

/// Calls operation `op` with `headers` added. `Ok` means a documented success status that
/// decoded; its status and headers are returned for the caller to check.
async fn call(client: &Client, op: &str, shape: Shape, headers: &[(String, String)]) -> Result<Observed, Error> {
    let full = shape == Shape::Full;
    match op {
        "GetOAuthAuthorizationServerMetadata" => {
            send!(client.get_oauth_authorization_server_metadata(), headers, |r| Vec::new())
        }
        "GetOAuthProtectedResourceMetadata" => {
            send!(client.get_oauth_protected_resource_metadata(), headers, |r| Vec::new())
        }
        "AuthorizeOAuth" => {
            let mut request = client.authorize_oauth(ResponseType::Code, "client-1", "https://app.example/cb?x=1");
            if full {
                request = request
                    .scope("admin")
                    .state("st&ate")
                    .code_challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
                    .code_challenge_method(CodeChallengeMethod::S256);
            }
            send!(request, headers, |r| match (r.status.as_u16(), &r.data) {
                (200, AuthorizeOAuthResponse::Ok) | (302, AuthorizeOAuthResponse::Found { .. }) => Vec::new(),
                (status, data) => vec![format!("status {status} decoded as {data:?}")],
            })
        }
        "GetOAuthConsentToken" => {
            let token = if full { "a/b c?d" } else { "consent-token-1" };
            send!(client.get_oauth_consent_token(token), headers, |r| Vec::new())
        }
        "CreateOAuthGrant" => {
            send!(client.create_oauth_grant(CreateOAuthGrantRequest::new(!full, "consent-token-1")), headers, |r| {
                Vec::new()
            })
        }
        "IntrospectOAuthToken" => {
            let mut request = client.introspect_oauth_token(IntrospectRequest::new("access-token-1"));
            if full {
                request = request.encoding(RequestEncoding::Json);
            }
            let bearer = format!("Bearer {API_KEY}");
            request = request.header("Authorization", &bearer);
            send!(request, headers, |r| Vec::new())
        }
        "GetOAuthJWKS" => send!(client.get_oauth_jwks(), headers, |r| Vec::new()),
        "RegisterOAuthClient" => {
            let mut body = OAuthDynamicRegistrationRequest::new();
            if full {
                body.client_name = Some("CLI".into());
                body.grant_types = Some(vec![GrantType::AuthorizationCode, GrantType::RefreshToken]);
                body.logo_uri = Some("https://app.example/logo.png".into());
                body.policy_uri = Some("https://app.example/privacy".into());
                body.redirect_uris = vec!["http://127.0.0.1:8080/cb".into()];
                body.response_types = Some(vec!["code".into()]);
                body.scope = Some("admin".into());
                body.token_endpoint_auth_method = Some(TokenEndpointAuthMethod::ClientSecretPost);
                body.tos_uri = Some("https://app.example/tos".into());
            }
            send!(client.register_oauth_client(body), headers, |r| Vec::new())
        }
        "ExchangeOAuthToken" => {
            let request = if full {
                let mut body = TokenRequest::new(GrantType::AuthorizationCode);
                body.client_id = Some("client-1".into());
                body.client_secret = Some("s3cret".into());
                body.code = Some("code-1".into());
                body.code_verifier = Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
                body.redirect_uri = Some("https://app.example/cb".into());
                body.scope = Some("admin".into());
                client.exchange_oauth_token(body).encoding(RequestEncoding::Json)
            } else {
                client.exchange_oauth_token(TokenRequest::new(GrantType::ClientCredentials))
            };
            send!(request, headers, |r| match r.data.token_type.as_str() {
                "Bearer" => Vec::new(),
                other => vec![format!("token_type {other:?} is not one of the spec's values")],
            })
        }
        "ListOAuthClients" => {
            let mut request = client.list_oauth_clients();
            if full {
                request = request
                    .page_size(5)
                    .page_number(2)
                    .client_type(ClientType::Confidential)
                    .verified(true)
                    .allowed_grant_types_contains(GrantType::AuthorizationCode)
                    .name("App")
                    .name_contains("my app")
                    .client_id("client-1");
            }
            send!(request, headers, |r| clients_problems(&r.data.data))
        }
        "CreateOAuthClient" => {
            let mut body = OAuthClientCreateRequest::new(OAuthClientCreateRequestRequired {
                allowed_grant_types: vec![GrantType::AuthorizationCode],
                allowed_scopes: vec!["admin".into()],
                client_type: ClientType::Public,
                name: "App".into(),
            });
            if full {
                body.logo_uri = Some("https://app.example/logo.png".into());
                body.policy_uri = Some("https://app.example/privacy".into());
                body.redirect_uris = vec!["https://app.example/cb".into()];
                body.require_pkce = Some(true);
                body.tos_uri = Some("https://app.example/tos".into());
            }
            send!(client.create_oauth_client(body), headers, |r| clients_problems(&r.data.data))
        }
        "GetOAuthClient" => send!(client.get_oauth_client(CLIENT_UUID), headers, |r| clients_problems(&r.data.data)),
        "UpdateOAuthClient" => {
            let mut body = OAuthClientUpdateRequest::new();
            if full {
                body.allowed_grant_types = Some(vec![GrantType::ClientCredentials, GrantType::RefreshToken]);
                body.allowed_scopes = Some(vec!["admin".into()]);
                body.logo_uri = Some("https://app.example/logo.png".into());
                body.name = Some("Renamed".into());
                body.policy_uri = Some("https://app.example/privacy".into());
                body.redirect_uris = Some(vec!["https://app.example/cb".into()]);
                body.require_pkce = Some(false);
                body.tos_uri = Some("https://app.example/tos".into());
            }
            send!(client.update_oauth_client(CLIENT_UUID, body), headers, |r| clients_problems(&r.data.data))
        }
        "DeleteOAuthClient" => send!(client.delete_oauth_client(CLIENT_UUID), headers, |r| Vec::new()),
        "ListOAuthGrants" => {
            let mut request = client.list_oauth_grants();
            if full {
                request = request.page_size(10).page_number(3);
            }
            send!(request, headers, |r| grants_problems(&r.data.data))
        }
        "GetOAuthGrant" => send!(client.get_oauth_grant(GRANT_UUID), headers, |r| grants_problems(&r.data.data)),
        "RevokeOAuthGrant" => send!(client.revoke_oauth_grant(GRANT_UUID), headers, |r| grants_problems(&r.data.data)),
        other => panic!("the contract test has no call for operation {other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Checking what came back

/// Prism's verdict on a request it answered: the `sl-violations` header, if any.
fn violations(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers.get("sl-violations").map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

fn content_type(headers: &reqwest::header::HeaderMap) -> String {
    headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase()
}

/// A failed call, with what Prism said about it.
fn describe(error: &Error) -> String {
    match error.api() {
        Some(api) => {
            let mut text = format!("{} {}", api.status, content_type(&api.headers));
            if let Some(v) = violations(&api.headers) {
                text.push_str(&format!("; Prism reports request violations: {v}"));
            }
            let body = String::from_utf8_lossy(&api.body);
            if content_type(&api.headers).contains("problem+json") {
                text.push_str(&format!("; Prism problem: {body}"));
            } else {
                text.push_str(&format!("; body: {}", body.chars().take(300).collect::<String>()));
            }
            text
        }
        None => format!("{error}"),
    }
}

#[derive(Debug, Default)]
struct Report {
    elapsed: Duration,
    /// Operations whose every request passed.
    operations: BTreeSet<&'static str>,
    requests: usize,
    /// (operation, status) of documented errors that came back typed and parsed.
    errors: BTreeSet<(&'static str, u16)>,
    errors_documented: usize,
    pagination: Vec<String>,
    failures: Vec<String>,
}

impl Report {
    fn fail(&mut self, what: String) {
        self.failures.push(what);
    }
}

/// Every operation, in each of `shapes`, for each documented success status; plus the
/// documented error statuses and auto-pagination.
async fn run_contract(prism: &Prism, docs: &Documentation, shapes: &[Shape]) -> Report {
    let client = client(prism);
    let mode = prism.mode();
    let mut report = Report::default();
    let started = std::time::Instant::now();

    let spec_ops: BTreeSet<&str> = docs.keys().map(String::as_str).collect();
    let driven: BTreeSet<&str> = OPERATIONS.iter().copied().collect();
    if spec_ops != driven {
        report.fail(format!(
            "the spec's operations and the ones this test drives differ: only in the spec {:?}, only in the test {:?}",
            spec_ops.difference(&driven).collect::<Vec<_>>(),
            driven.difference(&spec_ops).collect::<Vec<_>>()
        ));
    }

    // Success paths.
    for op in OPERATIONS {
        let Some(documented) = docs.get(op) else { continue };
        let successes: Vec<u16> = documented.keys().copied().filter(|s| (200..400).contains(s)).collect();
        if successes.is_empty() {
            report.fail(format!("{op}: the spec documents no success status"));
            continue;
        }
        let before = report.failures.len();
        for &shape in shapes {
            for &status in &successes {
                // With one documented success Prism picks it by itself; with several, ask.
                let headers = if successes.len() > 1 {
                    vec![("Prefer".to_owned(), format!("code={status}"))]
                } else {
                    Vec::new()
                };
                report.requests += 1;
                let at = format!("[{mode}] {op} ({shape:?}, expecting {status})");
                match call(&client, op, shape, &headers).await {
                    Ok(seen) => {
                        if seen.status.as_u16() != status {
                            report.fail(format!("{at}: got status {}", seen.status));
                        }
                        if let Some(v) = violations(&seen.headers) {
                            report.fail(format!("{at}: Prism reports request violations: {v}"));
                        }
                        for problem in seen.problems {
                            report.fail(format!("{at}: {problem}"));
                        }
                    }
                    Err(e) => report.fail(format!("{at}: {}", describe(&e))),
                }
            }
        }
        if report.failures.len() == before {
            report.operations.insert(op);
        }
    }

    // Documented error statuses, asked for with `Prefer: code=N`.
    for op in OPERATIONS {
        let Some(documented) = docs.get(op) else { continue };
        for (&status, doc) in documented.iter().filter(|(s, _)| [400, 401, 404, 422].contains(*s)) {
            report.errors_documented += 1;
            let headers = vec![("Prefer".to_owned(), format!("code={status}"))];
            let at = format!("[{mode}] {op} error {status}");
            let before = report.failures.len();
            check_error(&client, op, status, doc, &headers, mode, &at, &mut report).await;
            if report.failures.len() == before {
                report.errors.insert((op, status));
            }
        }
        // A named example other than the first, where the spec offers several.
        for (&status, doc) in documented.iter().filter(|(_, d)| d.example_names.len() > 1) {
            if mode != Mode::Static {
                continue;
            }
            let name = doc.example_names.last().expect("several names").clone();
            let headers = vec![("Prefer".to_owned(), format!("code={status}, example={name}"))];
            let at = format!("[{mode}] {op} error {status} example {name}");
            let named = Documented { example_error: Some(name.clone()), ..doc.clone() };
            check_error(&client, op, status, &named, &headers, mode, &at, &mut report).await;
        }
    }

    check_pagination(&client, mode, &mut report).await;
    report.elapsed = started.elapsed();
    report
}

#[allow(clippy::too_many_arguments)]
async fn check_error(
    client: &Client,
    op: &'static str,
    status: u16,
    doc: &Documented,
    headers: &[(String, String)],
    mode: Mode,
    at: &str,
    report: &mut Report,
) {
    report.requests += 1;
    let error = match call(client, op, Shape::Minimal, headers).await {
        Ok(seen) => return report.fail(format!("{at}: succeeded with {} instead", seen.status)),
        Err(e) => e,
    };
    let Some(api) = error.api() else {
        return report.fail(format!("{at}: not an API error: {error}"));
    };
    if error.status() != Some(StatusCode::from_u16(status).expect("valid status")) || api.status.as_u16() != status {
        report.fail(format!("{at}: {}", describe(&error)));
        return;
    }
    if let Some(v) = violations(&api.headers) {
        report.fail(format!("{at}: Prism reports request violations: {v}"));
    }
    let ct = content_type(&api.headers);
    if ct.contains("problem+json") {
        return report.fail(format!("{at}: Prism's own problem instead of the documented body: {}", describe(&error)));
    }
    if doc.content_types.iter().any(|c| c == "text/html") {
        // AuthorizeOAuth's error pages: HTML, kept as text.
        match &api.parsed {
            ErrorBody::Other(serde_json::Value::String(text)) if text.as_bytes() == &api.body[..] => {}
            other => report.fail(format!("{at}: HTML error page parsed as {other:?}")),
        }
        if !ct.starts_with("text/html") {
            report.fail(format!("{at}: content type {ct:?}, documented text/html"));
        }
        return;
    }
    if op == "RegisterOAuthClient" {
        // RFC 7591's error body: its own inline schema, decoded with `decode`.
        match api.decode::<RegisterOAuthClientBadRequest>() {
            Ok(body) => {
                if mode == Mode::Static && body.error != doc.example_error {
                    report
                        .fail(format!("{at}: error {:?}, the spec's example says {:?}", body.error, doc.example_error));
                }
            }
            Err(e) => report.fail(format!(
                "{at}: body does not decode as RegisterOAuthClientBadRequest: {e}; {}",
                describe(&error)
            )),
        }
        return;
    }
    if doc.oauth_error_schema {
        match &api.parsed {
            ErrorBody::OAuth(body) => {
                if body.error.is_empty() {
                    report.fail(format!("{at}: empty `error`"));
                }
                if mode == Mode::Static {
                    if let Some(expected) = &doc.example_error {
                        if &body.error != expected {
                            report.fail(format!("{at}: error {:?}, the spec's example says {expected:?}", body.error));
                        }
                    }
                }
            }
            other => report.fail(format!("{at}: oauth_Error body parsed as {other:?}")),
        }
        if let Err(e) = api.decode::<OAuthErrorBody>() {
            report.fail(format!("{at}: body does not decode as OAuthErrorBody: {e}"));
        }
        return;
    }
    report.fail(format!("{at}: the test does not know the documented error body {doc:?}"));
}

/// `.pages()` and `.items()` must end by themselves, even when Prism's pages claim more pages
/// than it ever sends (static examples say `total_pages: 0`; dynamic ones are random).
async fn check_pagination(client: &Client, mode: Mode, report: &mut Report) {
    macro_rules! paginate {
        ($name:literal, $request:expr) => {{
            let at = format!("[{mode}] {} auto-pagination", $name);
            let pages =
                tokio::time::timeout(Duration::from_secs(20), $request.pages().take(MAX_PAGES).collect::<Vec<_>>());
            let items = tokio::time::timeout(
                Duration::from_secs(20),
                $request.items().take(MAX_PAGES * 200).collect::<Vec<_>>(),
            );
            match (pages.await, items.await) {
                (Ok(pages), Ok(items)) => {
                    let page_items: usize = pages.iter().map(|p| p.as_ref().map_or(0, |p| p.items().len())).sum();
                    if let Some(Err(e)) = pages.iter().find(|p| p.is_err()) {
                        report.fail(format!("{at}: a page failed: {}", describe(e)));
                    }
                    if let Some(Err(e)) = items.iter().find(|i| i.is_err()) {
                        report.fail(format!("{at}: an item failed: {}", describe(e)));
                    }
                    let ok_items = items.iter().filter(|i| i.is_ok()).count();
                    if pages.len() >= MAX_PAGES {
                        report.fail(format!("{at}: still going after {MAX_PAGES} pages"));
                    } else if page_items != ok_items {
                        report.fail(format!("{at}: {ok_items} items from .items(), {page_items} on the pages"));
                    } else {
                        let ok_pages = pages.iter().filter(|p| p.is_ok()).count();
                        report.pagination.push(format!("{} {ok_pages} page(s)/{ok_items} item(s)", $name));
                    }
                }
                _ => report.fail(format!("{at}: did not end within 20 s")),
            }
        }};
    }
    paginate!("clients", client.list_oauth_clients().page_size(5));
    paginate!("grants", client.list_oauth_grants().page_size(5));
}

/// The summary line of one mode, or the summary with every failure found and Prism's log.
fn verdict(prism: &Prism, report: &Report) -> Result<String, String> {
    let summary = format!(
        "prism contract [{}]: {}/{} operations accepted and decoded ({} requests), \
         {}/{} documented error statuses typed, pagination ended ({}); \
         Prism-only extra: Bearer header on {INTROSPECTION_BEARER_FOR_PRISM}; \
         Prism up in {:.1} s, checks took {:.1} s",
        prism.mode(),
        report.operations.len(),
        OPERATIONS.len(),
        report.requests,
        report.errors.len(),
        report.errors_documented,
        report.pagination.join(", "),
        prism.startup().unwrap_or_default().as_secs_f64(),
        report.elapsed.as_secs_f64(),
    );
    let mut failures = report.failures.clone();
    if report.operations.len() != 17 {
        failures.push(format!("{} of 17 operations passed", report.operations.len()));
    }
    if report.errors.len() != report.errors_documented || report.errors_documented == 0 {
        failures.push(format!(
            "{} of {} documented error statuses passed",
            report.errors.len(),
            report.errors_documented
        ));
    }
    if failures.is_empty() {
        Ok(summary)
    } else {
        Err(format!("{summary}\n{} failure(s):\n  {}\n{}", failures.len(), failures.join("\n  "), prism.log_tail(40)))
    }
}

// ---------------------------------------------------------------------------------------------
// The tests: one Prism per mode, shared by all of that mode's requests

#[tokio::test]
async fn prism_static_examples_accept_every_operation_and_decode() {
    if !prism::require("prism_static_examples_accept_every_operation_and_decode") {
        return;
    }
    let docs = documentation();
    let prism = Prism::start(Mode::Static);
    let report = run_contract(&prism, &docs, &[Shape::Minimal, Shape::Full]).await;
    match verdict(&prism, &report) {
        Ok(summary) => eprintln!("{summary}"),
        Err(failure) => panic!("{failure}"),
    }
}

#[tokio::test]
async fn prism_dynamic_responses_decode_for_every_seed() {
    if !prism::require("prism_dynamic_responses_decode_for_every_seed") {
        return;
    }
    let docs = documentation();
    // Spawn all, then wait: they start in parallel.
    let mut servers: Vec<Prism> = DYNAMIC_SEEDS.iter().map(|&seed| Prism::spawn(Mode::Dynamic { seed })).collect();
    for server in &mut servers {
        server.wait_ready();
    }
    // Requests were validated in both shapes by the static test; here the responses are what
    // varies, so one (full) request per operation and status, all seeds at once.
    let reports =
        futures::future::join_all(servers.iter().map(|server| run_contract(server, &docs, &[Shape::Full]))).await;
    let mut failed = Vec::new();
    for (server, report) in servers.iter().zip(&reports) {
        match verdict(server, report) {
            Ok(summary) => eprintln!("{summary}"),
            Err(failure) => failed.push(failure),
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
    eprintln!("prism contract [dynamic]: 17 operations checked for each of seeds {DYNAMIC_SEEDS:?}");
}
