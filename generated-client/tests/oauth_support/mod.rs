//! A test authorization server on 127.0.0.1 (wiremock with a stateful responder) that checks
//! every request on the wire against RFC 6749 / 7636 / 7662 and records what it saw.
//! Shared by the `oauth_*` test files.
#![allow(dead_code, clippy::result_large_err)] // test-only helper; ResponseTemplate errors are fine here

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::json;
use sha2::{Digest, Sha256};
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A client id and secret full of characters that RFC 6749 §2.3.1 form-encoding changes.
pub const CLIENT_ID: &str = "app id:with/reserved+chars%&=";
pub const CLIENT_SECRET: &str = "s3cr3t: p@ss/w+rd&=%é";
pub const REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectAuth {
    Basic,
    Post,
    None,
}

struct PendingCode {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    method: String,
}

pub struct State {
    pub expect_auth: ExpectAuth,
    pub lifetime: u64,
    pub rotate_refresh: bool,
    pub fail_token_requests: bool,
    pub token_delay: Duration,
    codes: HashMap<String, PendingCode>,
    used_codes: HashSet<String>,
    refresh_tokens: HashSet<String>,
    access_tokens: HashSet<String>,
    serial: u64,
    /// Token endpoint requests, by grant type.
    pub token_requests: Vec<String>,
    /// Scopes asked for in client credentials requests.
    pub scopes: Vec<Option<String>>,
    /// Every RFC violation seen; tests assert it stays empty.
    pub violations: Vec<String>,
    /// The device flow (RFC 8628).
    pub device: DeviceState,
}

/// What the device endpoints send and saw.
#[derive(Debug, Default)]
pub struct DeviceState {
    /// `expires_in` sent with the codes.
    pub expires_in: u64,
    /// `interval` sent with the codes (`None`: not sent, the RFC's default of 5 applies).
    pub interval: Option<u64>,
    /// Whether the server itself answers `expired_token` once `expires_in` has passed.
    pub enforce_expiry: bool,
    /// Answers to the polls, in order: `authorization_pending`, `slow_down`, `access_denied`,
    /// `expired_token`, or `approve` (tokens). When empty: `authorization_pending`.
    pub script: VecDeque<&'static str>,
    /// The outstanding device code, when it was issued and the interval now in force.
    code: Option<(String, Instant, Duration)>,
    /// When each poll arrived, relative to the device authorization request.
    pub polls: Vec<Duration>,
    /// The scope of the device authorization request.
    pub scope: Option<String>,
    /// `user-agent` of every device request.
    pub user_agents: Vec<String>,
    /// Device authorization requests received.
    pub authorizations: usize,
}

#[derive(Clone)]
pub struct FakeAuthServer {
    pub server: Arc<MockServer>,
    pub state: Arc<Mutex<State>>,
}

impl FakeAuthServer {
    pub async fn start(expect_auth: ExpectAuth) -> Self {
        let server = Arc::new(MockServer::start().await);
        let state = Arc::new(Mutex::new(State {
            expect_auth,
            lifetime: 3600,
            rotate_refresh: true,
            fail_token_requests: false,
            token_delay: Duration::ZERO,
            codes: HashMap::new(),
            used_codes: HashSet::new(),
            refresh_tokens: HashSet::new(),
            access_tokens: HashSet::new(),
            serial: 0,
            token_requests: Vec::new(),
            scopes: Vec::new(),
            violations: Vec::new(),
            device: DeviceState { expires_in: 600, interval: Some(1), enforce_expiry: true, ..DeviceState::default() },
        }));
        let fake = Self { server: server.clone(), state: state.clone() };
        Mock::given(path("/v2/oauth/token")).respond_with(TokenEndpoint(state.clone())).mount(&server).await;
        Mock::given(method("POST"))
            .and(path("/v2/oauth/introspect"))
            .respond_with(IntrospectEndpoint(state.clone()))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/v2/oauth/device_authorization"))
            .respond_with(DeviceAuthorizationEndpoint(state.clone()))
            .mount(&server)
            .await;
        let issuer = fake.issuer();
        let base = fake.base_url();
        Mock::given(method("GET"))
            .and(path("/.well-known/oauth-authorization-server"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "issuer": issuer,
                "authorization_endpoint": format!("{base}/oauth/authorize"),
                "token_endpoint": format!("{base}/oauth/token"),
                "introspection_endpoint": format!("{base}/oauth/introspect"),
                "jwks_uri": format!("{base}/oauth/jwks"),
                "device_authorization_endpoint": format!("{base}/oauth/device_authorization"),
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
                "authorization_response_iss_parameter_supported": true,
                "x_vendor_extension": 7
            })))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/.well-known/oauth-protected-resource"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "resource": issuer,
                "authorization_servers": [issuer],
                "bearer_methods_supported": ["header"],
                "scopes_supported": ["admin"]
            })))
            .mount(&server)
            .await;
        fake
    }

    /// The API base URL, Telnyx layout: `{root}/v2`.
    pub fn base_url(&self) -> String {
        format!("{}/v2", self.server.uri())
    }

    /// The issuer: the host root, where the well-known documents are.
    pub fn issuer(&self) -> String {
        self.server.uri()
    }

    pub fn client(&self, method: telnyx_oauth::oauth::ClientAuthMethod) -> telnyx_oauth::Client {
        telnyx_oauth::Client::builder()
            .base_url(self.base_url())
            .client_credentials(telnyx_oauth::oauth::ClientCredentials {
                client_id: CLIENT_ID.into(),
                client_secret: (method != telnyx_oauth::oauth::ClientAuthMethod::None).then(|| CLIENT_SECRET.into()),
                method,
            })
            .build()
            .unwrap()
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    pub fn token_request_count(&self) -> usize {
        self.with(|s| s.token_requests.len())
    }

    pub fn assert_no_violations(&self) {
        let v = self.with(|s| s.violations.clone());
        assert!(v.is_empty(), "RFC violations seen by the test server: {v:#?}");
    }

    /// Plays the user agent and the server's authorization endpoint: checks the authorization
    /// URL, "approves" and returns where the server redirects the browser.
    pub fn approve(&self, authorization_url: &Url) -> String {
        assert_eq!(authorization_url.path(), "/v2/oauth/authorize");
        let q = single_params(authorization_url.query().unwrap_or(""), &mut Vec::new());
        assert_eq!(q.get("response_type").map(String::as_str), Some("code"));
        assert_eq!(q.get("client_id").map(String::as_str), Some(CLIENT_ID));
        assert_eq!(q.get("redirect_uri").map(String::as_str), Some(REDIRECT_URI));
        assert_eq!(q.get("code_challenge_method").map(String::as_str), Some("S256"));
        let challenge = q.get("code_challenge").expect("code_challenge").clone();
        assert_eq!(challenge.len(), 43, "S256 challenge is 32 bytes base64url without padding");
        let state = q.get("state").expect("state").clone();
        assert!(state.len() >= 32, "state has enough entropy");
        let code = self.with(|s| {
            s.serial += 1;
            let code = format!("code-{}", s.serial);
            s.codes.insert(
                code.clone(),
                PendingCode {
                    client_id: CLIENT_ID.into(),
                    redirect_uri: REDIRECT_URI.into(),
                    challenge,
                    method: "S256".into(),
                },
            );
            code
        });
        let mut redirect = Url::parse(REDIRECT_URI).unwrap();
        redirect
            .query_pairs_mut()
            .append_pair("code", &code)
            .append_pair("state", &state)
            .append_pair("iss", &self.issuer());
        redirect.to_string()
    }

    /// Issues a refresh token directly (as if from an earlier exchange).
    pub fn issue_refresh_token(&self) -> String {
        self.with(|s| {
            s.serial += 1;
            let rt = format!("rt-{}", s.serial);
            s.refresh_tokens.insert(rt.clone());
            rt
        })
    }
}

/// Parses a form / query string, recording repeated parameters as violations (RFC 6749 §3.1,
/// §3.2: parameters must not be included more than once).
pub fn single_params(raw: &str, violations: &mut Vec<String>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
        if out.insert(k.to_string(), v.to_string()).is_some() {
            violations.push(format!("parameter `{k}` repeated"));
        }
    }
    out
}

fn oauth_error(status: u16, error: &str, description: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("cache-control", "no-store")
        .set_body_json(json!({"error": error, "error_description": description}))
}

/// Authenticates the client per RFC 6749 §2.3.1; on failure returns the error response.
fn authenticate(
    req: &Request,
    form: &HashMap<String, String>,
    expect: ExpectAuth,
    violations: &mut Vec<String>,
) -> Result<(), ResponseTemplate> {
    let basic = req.headers.get("authorization").map(|v| v.to_str().unwrap_or("").to_owned());
    let in_body = form.contains_key("client_secret");
    if basic.is_some() && in_body {
        violations.push("client authenticated with more than one method (§2.3)".into());
    }
    match expect {
        ExpectAuth::Basic => {
            let Some(header) = basic else {
                violations.push("no Authorization header for client_secret_basic".into());
                return Err(oauth_error(401, "invalid_client", "no credentials"));
            };
            let Some(encoded) = header.strip_prefix("Basic ") else {
                violations.push(format!("not a Basic header: {header}"));
                return Err(oauth_error(401, "invalid_client", "bad scheme"));
            };
            let decoded = String::from_utf8(STANDARD.decode(encoded).expect("base64")).expect("utf-8");
            let (raw_id, raw_secret) = decoded.split_once(':').expect("id:secret");
            // Each part must be application/x-www-form-urlencoded, so neither may contain a
            // raw reserved character (':' in particular must have been encoded in the id).
            for part in [raw_id, raw_secret] {
                if part.bytes().any(|b| !(b.is_ascii_alphanumeric() || b"-._*+%".contains(&b))) {
                    violations.push(format!("Basic credential part `{part}` is not form-urlencoded"));
                }
            }
            let decode =
                |s: &str| url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().unwrap().1.into_owned();
            if decode(raw_id) != CLIENT_ID || decode(raw_secret) != CLIENT_SECRET {
                violations.push(format!("wrong Basic credentials `{decoded}`"));
                return Err(oauth_error(401, "invalid_client", "bad credentials"));
            }
            if form.contains_key("client_id") && form["client_id"] != CLIENT_ID {
                violations.push("client_id in body differs from the authenticated one".into());
            }
        }
        ExpectAuth::Post => {
            if basic.is_some() {
                violations.push("Authorization header sent with client_secret_post".into());
            }
            if form.get("client_id").map(String::as_str) != Some(CLIENT_ID)
                || form.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET)
            {
                violations.push("client_secret_post credentials missing or wrong".into());
                return Err(oauth_error(401, "invalid_client", "bad credentials"));
            }
        }
        ExpectAuth::None => {
            if basic.is_some() || in_body {
                violations.push("a public client sent a secret".into());
            }
            if form.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
                violations.push("public client without client_id".into());
                return Err(oauth_error(401, "invalid_client", "no client_id"));
            }
        }
    }
    Ok(())
}

fn check_form_request(req: &Request, violations: &mut Vec<String>) -> HashMap<String, String> {
    if req.method.as_str() != "POST" {
        violations.push(format!("token endpoint called with {}", req.method));
    }
    let ct = req.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    if !ct.starts_with("application/x-www-form-urlencoded") {
        violations.push(format!("content type `{ct}` is not form-urlencoded"));
    }
    if req.url.query().is_some() {
        violations.push("parameters in the token endpoint's query".into());
    }
    let body = std::str::from_utf8(&req.body).expect("utf-8 body");
    // A form body has only unreserved characters, '%', '+', '=' and '&'.
    if body.bytes().any(|b| !(b.is_ascii_alphanumeric() || b"-._*%+=&".contains(&b))) {
        violations.push(format!("body is not application/x-www-form-urlencoded: {body}"));
    }
    single_params(body, violations)
}

struct TokenEndpoint(Arc<Mutex<State>>);

impl Respond for TokenEndpoint {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut s = self.0.lock().unwrap();
        let mut violations = Vec::new();
        let form = check_form_request(req, &mut violations);
        let grant = form.get("grant_type").cloned().unwrap_or_default();
        s.token_requests.push(grant.clone());
        let delay = s.token_delay;
        let result = (|| {
            authenticate(req, &form, s.expect_auth, &mut violations)?;
            if s.fail_token_requests {
                return Err(oauth_error(400, "invalid_grant", "refresh token revoked"));
            }
            let mut refresh_to_issue = true;
            match grant.as_str() {
                "authorization_code" => {
                    let code = form.get("code").cloned().unwrap_or_default();
                    if s.used_codes.contains(&code) {
                        violations.push(format!("authorization code {code} used twice"));
                        return Err(oauth_error(400, "invalid_grant", "code already used"));
                    }
                    let Some(pending) = s.codes.remove(&code) else {
                        return Err(oauth_error(400, "invalid_grant", "unknown code"));
                    };
                    s.used_codes.insert(code);
                    if form.get("redirect_uri") != Some(&pending.redirect_uri) {
                        violations.push("redirect_uri differs from the authorization request's".into());
                        return Err(oauth_error(400, "invalid_grant", "redirect_uri mismatch"));
                    }
                    if pending.client_id != CLIENT_ID {
                        return Err(oauth_error(400, "invalid_grant", "code issued to another client"));
                    }
                    let Some(verifier) = form.get("code_verifier") else {
                        violations.push("no code_verifier".into());
                        return Err(oauth_error(400, "invalid_request", "code_verifier missing"));
                    };
                    let ok_chars = verifier.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
                    if !(43..=128).contains(&verifier.len()) || !ok_chars {
                        violations.push(format!("code_verifier `{verifier}` breaks RFC 7636 §4.1"));
                    }
                    assert_eq!(pending.method, "S256");
                    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != pending.challenge {
                        violations.push("code_verifier does not match the code_challenge".into());
                        return Err(oauth_error(400, "invalid_grant", "PKCE verification failed"));
                    }
                }
                "refresh_token" => {
                    let rt = form.get("refresh_token").cloned().unwrap_or_default();
                    if !s.refresh_tokens.contains(&rt) {
                        violations.push(format!("refresh token {rt} is unknown or was already rotated"));
                        return Err(oauth_error(400, "invalid_grant", "unknown refresh token"));
                    }
                    if s.rotate_refresh {
                        s.refresh_tokens.remove(&rt);
                    } else {
                        refresh_to_issue = false;
                    }
                }
                "client_credentials" => {
                    refresh_to_issue = false;
                    let scope = form.get("scope").cloned();
                    s.scopes.push(scope);
                }
                "urn:ietf:params:oauth:grant-type:device_code" => {
                    refresh_to_issue = device_poll(&mut s, &form, req, &mut violations)?;
                }
                other => return Err(oauth_error(400, "unsupported_grant_type", &format!("grant `{other}`"))),
            }
            s.serial += 1;
            let at = format!("at-{}", s.serial);
            s.access_tokens.insert(at.clone());
            let mut body =
                json!({"access_token": at, "token_type": "Bearer", "expires_in": s.lifetime, "scope": "admin"});
            if refresh_to_issue {
                let rt = format!("rt-{}", s.serial);
                s.refresh_tokens.insert(rt.clone());
                body["refresh_token"] = json!(rt);
            }
            Ok(ResponseTemplate::new(200)
                .insert_header("cache-control", "no-store")
                .insert_header("pragma", "no-cache")
                .set_body_json(body))
        })();
        s.violations.extend(violations);
        result.unwrap_or_else(|e| e).set_delay(delay)
    }
}

struct IntrospectEndpoint(Arc<Mutex<State>>);

impl Respond for IntrospectEndpoint {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut s = self.0.lock().unwrap();
        let mut violations = Vec::new();
        let form = check_form_request(req, &mut violations);
        let expect = s.expect_auth;
        let result = authenticate(req, &form, expect, &mut violations);
        s.violations.extend(violations);
        if let Err(e) = result {
            return e;
        }
        let token = form.get("token").cloned().unwrap_or_default();
        if s.access_tokens.contains(&token) {
            ResponseTemplate::new(200).set_body_json(json!({
                "active": true, "client_id": CLIENT_ID, "scope": "admin", "token_type": "Bearer",
                "exp": 4_102_444_800_i64, "aud": ["api"], "iss": "test", "custom": "kept"
            }))
        } else {
            ResponseTemplate::new(200).set_body_json(json!({"active": false}))
        }
    }
}

/// RFC 8628 §3.1 / §3.2: issues a device code and a user code.
struct DeviceAuthorizationEndpoint(Arc<Mutex<State>>);

impl Respond for DeviceAuthorizationEndpoint {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut s = self.0.lock().unwrap();
        let mut violations = Vec::new();
        let form = check_form_request(req, &mut violations);
        let expect = s.expect_auth;
        let result = authenticate(req, &form, expect, &mut violations);
        for key in form.keys() {
            if !["scope", "client_id", "client_secret"].contains(&key.as_str()) {
                violations.push(format!("unexpected device authorization parameter `{key}`"));
            }
        }
        let ua = req.headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        s.device.user_agents.push(ua);
        s.device.authorizations += 1;
        s.violations.extend(violations);
        if let Err(e) = result {
            return e;
        }
        s.serial += 1;
        let code = format!("device-code-secret-{}", s.serial);
        let interval = Duration::from_secs(s.device.interval.unwrap_or(5));
        s.device.code = Some((code.clone(), Instant::now(), interval));
        s.device.scope = form.get("scope").cloned();
        s.device.polls.clear();
        let mut body = json!({
            "device_code": code,
            "user_code": "WDJB-MJHT",
            "verification_uri": "https://example.com/device",
            "verification_uri_complete": "https://example.com/device?user_code=WDJB-MJHT",
            "expires_in": s.device.expires_in,
        });
        if let Some(interval) = s.device.interval {
            body["interval"] = json!(interval);
        }
        ResponseTemplate::new(200).insert_header("cache-control", "no-store").set_body_json(body)
    }
}

/// RFC 8628 §3.4 / §3.5 for one poll: checks the code and the client's pace, answers from the
/// script. `Ok(true)` when tokens (with a refresh token) are to be issued.
fn device_poll(
    s: &mut State,
    form: &HashMap<String, String>,
    req: &Request,
    violations: &mut Vec<String>,
) -> Result<bool, ResponseTemplate> {
    let ua = req.headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    s.device.user_agents.push(ua);
    let Some((code, issued, interval)) = s.device.code.clone() else {
        violations.push("device code poll without an outstanding device code".into());
        return Err(oauth_error(400, "invalid_grant", "unknown device code"));
    };
    if form.get("device_code") != Some(&code) {
        violations.push("poll with a wrong or missing device_code".into());
        return Err(oauth_error(400, "invalid_grant", "unknown device code"));
    }
    let now = issued.elapsed();
    let previous = s.device.polls.last().copied().unwrap_or(Duration::ZERO);
    s.device.polls.push(now);
    // §3.5: the client waits `interval` seconds between requests (from the authorization
    // response for the first one). A few milliseconds of slack for the two clocks.
    if now + Duration::from_millis(20) < previous + interval {
        violations.push(format!("polled after {:?}, sooner than the interval {interval:?}", now - previous));
        s.device.code = Some((code, issued, interval + Duration::from_secs(5)));
        return Err(oauth_error(400, "slow_down", "too fast"));
    }
    if s.device.enforce_expiry && now > Duration::from_secs(s.device.expires_in) {
        return Err(oauth_error(400, "expired_token", "the device code expired"));
    }
    match s.device.script.pop_front().unwrap_or("authorization_pending") {
        "approve" => {
            // Single use from here on.
            s.device.code = None;
            Ok(true)
        }
        "slow_down" => {
            s.device.code = Some((code, issued, interval + Duration::from_secs(5)));
            Err(oauth_error(400, "slow_down", "slow down"))
        }
        other => Err(oauth_error(400, other, "scripted")),
    }
}
