//! The device authorization grant (RFC 8628), for devices without a browser or with limited
//! input (CLI tools, TVs): the device asks for a code pair, shows the user a URL and a short
//! code, and polls the token endpoint until the user has approved (or denied) on another device.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use serde::Deserialize;
use tokio::time::Instant;

use super::error::{OAuthError, OAuthResult};
use super::flow::OAuth;
use super::http::DEVICE_AUTHORIZATION;
use crate::oauth_types::TokenResponse;
use crate::runtime::{Error, Secret};

/// The `grant_type` of a device access token request (RFC 8628 §3.4).
pub const DEVICE_CODE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The polling interval when the server names none (RFC 8628 §3.2).
pub const DEFAULT_DEVICE_POLL_INTERVAL: Duration = Duration::from_secs(5);

/// How much longer the client waits between polls after each `slow_down` (RFC 8628 §3.5).
pub const SLOW_DOWN_INCREMENT: Duration = Duration::from_secs(5);

/// A device authorization response (RFC 8628 §3.2): what to show the user, and the device
/// code to poll with. The device code never shows in `Debug` output.
#[derive(Clone)]
#[non_exhaustive]
pub struct DeviceAuthorization {
    /// The device verification code: a secret sent only to the token endpoint.
    pub device_code: Secret,
    /// The code the user enters at [`verification_uri`](Self::verification_uri).
    pub user_code: String,
    /// Where the user goes (on another device) to enter the user code.
    pub verification_uri: String,
    /// The verification URI with the user code in it, for a QR code or a link, if the server
    /// sends one.
    pub verification_uri_complete: Option<String>,
    /// Lifetime of the device and user codes in seconds.
    pub expires_in: u64,
    /// The minimum number of seconds between polls the server asked for (5 when it names none).
    pub interval: u64,
    /// Other members of the response.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// When the request was sent, by tokio's clock (the codes' lifetime counts from here).
    issued_at: Instant,
}

impl fmt::Debug for DeviceAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceAuthorization")
            .field("device_code", &self.device_code)
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .field("verification_uri_complete", &self.verification_uri_complete)
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

impl DeviceAuthorization {
    /// When the device code expires by this client's clock: polling stops there with
    /// [`OAuthError::DeviceCodeExpired`] even if the server never says `expired_token`.
    pub fn expires_at(&self) -> std::time::Instant {
        self.deadline().into_std()
    }

    fn deadline(&self) -> Instant {
        self.issued_at + Duration::from_secs(self.expires_in.min(u64::from(u32::MAX)))
    }

    /// The interval to start with: the server's, but at least a second, so that a server
    /// sending `interval: 0` does not get a request loop without pause.
    fn poll_interval(&self) -> Duration {
        Duration::from_secs(self.interval.max(1))
    }
}

#[derive(Deserialize)]
struct RawDeviceAuthorization {
    device_code: String,
    user_code: String,
    // Some servers (Google's) spell it `verification_url`.
    #[serde(alias = "verification_url")]
    verification_uri: String,
    #[serde(default)]
    verification_uri_complete: Option<String>,
    expires_in: serde_json::Value,
    #[serde(default)]
    interval: Option<serde_json::Value>,
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

/// A number of seconds sent as a JSON number or string.
fn seconds(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(n) => {
            n.as_u64().or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f.max(0.0) as u64))
        }
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl OAuth {
    /// Starts the device authorization grant (RFC 8628 §3.1): asks the server's
    /// `device_authorization_endpoint` (from discovery, or set on
    /// [`AuthServer::device_authorization_endpoint`](super::AuthServer::device_authorization_endpoint))
    /// for a device code and a user code. Show the user
    /// [`verification_uri`](DeviceAuthorization::verification_uri) and
    /// [`user_code`](DeviceAuthorization::user_code), then call
    /// [`poll_device_token`](Self::poll_device_token).
    ///
    /// Repeating this request is safe (a lost answer's codes simply expire unused), so it is
    /// retried like an idempotent request.
    pub async fn start_device_authorization(&self, scopes: &[&str]) -> OAuthResult<DeviceAuthorization> {
        let url = self.server().device_authorization_endpoint.as_ref().ok_or_else(|| {
            OAuthError::Config("the authorization server has no device authorization endpoint".into())
        })?;
        let mut form = Vec::new();
        if !scopes.is_empty() {
            form.push(("scope", scopes.join(" ")));
        }
        let issued_at = Instant::now();
        let answer = self.transport().post_form(&DEVICE_AUTHORIZATION, url, form, Some(self.credentials())).await?;
        let status = answer.raw.status();
        let endpoint = answer.url.clone();
        let raw: RawDeviceAuthorization = answer.json()?;
        let invalid = |what: &str| {
            OAuthError::Config(format!("the {status} device authorization response from {endpoint} has {what}"))
        };
        let expires_in = seconds(&raw.expires_in).ok_or_else(|| invalid("no valid `expires_in`"))?;
        let interval = match &raw.interval {
            None | Some(serde_json::Value::Null) => DEFAULT_DEVICE_POLL_INTERVAL.as_secs(),
            Some(v) => seconds(v).ok_or_else(|| invalid("an invalid `interval`"))?,
        };
        Ok(DeviceAuthorization {
            device_code: Secret::new(raw.device_code),
            user_code: raw.user_code,
            verification_uri: raw.verification_uri,
            verification_uri_complete: raw.verification_uri_complete,
            expires_in,
            interval,
            extra: raw.extra,
            issued_at,
        })
    }

    /// One device access token request (RFC 8628 §3.4), without waiting: `Ok` once the user
    /// approved; otherwise the server's error, such as `authorization_pending` or `slow_down`
    /// ([`TokenError::code`](super::TokenError::code)). Most callers want
    /// [`poll_device_token`](Self::poll_device_token).
    ///
    /// The runtime never sends this request a second time once it may have reached the server:
    /// the device code is single-use once the token is issued, and a replay of a request that
    /// was answered with tokens would at best get `invalid_grant` and at worst make the server
    /// revoke the grant (as RFC 6749 §4.1.2 allows for codes).
    pub async fn device_token_request(&self, device: &DeviceAuthorization) -> OAuthResult<TokenResponse> {
        let form = vec![
            ("grant_type", DEVICE_CODE_GRANT_TYPE.to_owned()),
            ("device_code", device.device_code.expose().to_owned()),
        ];
        self.token_request(form).await
    }

    /// Polls the token endpoint (RFC 8628 §3.4, §3.5) until the user approves, returning the
    /// same [`TokenResponse`] as the other grants (so [`OAuth::token_source`] can renew it).
    ///
    /// - waits [`interval`](DeviceAuthorization::interval) seconds (at least one) before each
    ///   request;
    /// - `authorization_pending`: polls again;
    /// - `slow_down`, or a 429 status: adds 5 seconds to the interval for this and every later
    ///   request (a 429 says the request was not acted on, so the device code is not spent);
    /// - a timeout or connection failure: doubles the interval and polls again (§3.5);
    /// - `access_denied`, `expired_token` or any other error: returned as
    ///   [`OAuthError::Token`] (read it with [`OAuthError::token_error`]);
    /// - when the next poll would come after the codes' `expires_in` by this client's clock:
    ///   [`OAuthError::DeviceCodeExpired`], without asking the server.
    ///
    /// Cancel it by dropping the future (e.g. with `tokio::select!` or
    /// `tokio::time::timeout`): no request is sent after that. Timing uses tokio's clock.
    pub async fn poll_device_token(&self, device: &DeviceAuthorization) -> OAuthResult<TokenResponse> {
        poll_until_done(device, || self.device_token_request(device)).await
    }
}

/// The polling loop, separate from HTTP so that its timing can be checked with a scripted
/// server under tokio's paused clock.
async fn poll_until_done<F, Fut>(device: &DeviceAuthorization, mut attempt: F) -> OAuthResult<TokenResponse>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = OAuthResult<TokenResponse>>,
{
    let deadline = device.deadline();
    let mut interval = device.poll_interval();
    loop {
        let next = Instant::now() + interval;
        if next > deadline {
            return Err(OAuthError::DeviceCodeExpired { expires_in: device.expires_in });
        }
        tokio::time::sleep_until(next).await;
        match attempt().await {
            Ok(tokens) => return Ok(tokens),
            Err(e) => match e.token_error().map(|t| t.code.as_str()) {
                Some("authorization_pending") => {}
                Some("slow_down") => interval += SLOW_DOWN_INCREMENT,
                _ if e.status() == Some(reqwest::StatusCode::TOO_MANY_REQUESTS) => interval += SLOW_DOWN_INCREMENT,
                _ if matches!(e, OAuthError::Http(Error::Timeout | Error::Connection(_))) => {
                    interval = (interval * 2).max(Duration::from_secs(1));
                }
                _ => return Err(e),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use bytes::Bytes;
    use reqwest::header::HeaderMap;
    use reqwest::StatusCode;

    use super::*;
    use crate::oauth::{TokenError, TokenErrorCode};

    fn device(expires_in: u64, interval: u64) -> DeviceAuthorization {
        DeviceAuthorization {
            device_code: Secret::new("dev-code-SECRET"),
            user_code: "WDJB-MJHT".into(),
            verification_uri: "https://example.com/device".into(),
            verification_uri_complete: None,
            expires_in,
            interval,
            extra: Default::default(),
            issued_at: Instant::now(),
        }
    }

    fn server_error(code: &str) -> OAuthError {
        OAuthError::Token(Box::new(TokenError {
            endpoint: "http://127.0.0.1/token".into(),
            status: StatusCode::BAD_REQUEST,
            code: TokenErrorCode::parse(code),
            description: None,
            uri: None,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }))
    }

    fn tokens() -> TokenResponse {
        TokenResponse {
            access_token: Secret::new("at"),
            token_type: "Bearer".into(),
            expires_in: Some(60),
            refresh_token: None,
            scope: None,
            id_token: None,
            extra: Default::default(),
            issued_at: std::time::Instant::now(),
        }
    }

    /// A scripted server: answers in order, recording when (seconds since start, tokio clock)
    /// each poll came. `None` answers with tokens.
    async fn run(
        device: &DeviceAuthorization,
        script: Vec<Option<OAuthError>>,
    ) -> (OAuthResult<TokenResponse>, Vec<u64>) {
        let start = Instant::now();
        let script = Arc::new(Mutex::new(script.into_iter()));
        let times = Arc::new(Mutex::new(Vec::new()));
        let result = poll_until_done(device, || {
            let script = script.clone();
            let times = times.clone();
            async move {
                times.lock().unwrap().push(start.elapsed().as_secs());
                match script.lock().unwrap().next() {
                    Some(Some(e)) => Err(e),
                    Some(None) => Ok(tokens()),
                    None => Err(server_error("authorization_pending")),
                }
            }
        })
        .await;
        let times = times.lock().unwrap().clone();
        (result, times)
    }

    #[tokio::test(start_paused = true)]
    async fn waits_the_interval_before_every_poll_and_5_more_seconds_after_each_slow_down() {
        let d = device(600, 3);
        let script = vec![
            Some(server_error("authorization_pending")),
            Some(server_error("slow_down")),
            Some(server_error("authorization_pending")),
            Some(server_error("slow_down")),
            None,
        ];
        let (result, times) = run(&d, script).await;
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(times, vec![3, 6, 14, 22, 35]);
    }

    #[tokio::test(start_paused = true)]
    async fn default_interval_is_5_seconds() {
        let d = device(600, DEFAULT_DEVICE_POLL_INTERVAL.as_secs());
        let (result, times) = run(&d, vec![Some(server_error("authorization_pending")), None]).await;
        assert!(result.is_ok());
        assert_eq!(times, vec![5, 10]);
    }

    #[tokio::test(start_paused = true)]
    async fn access_denied_and_expired_token_end_polling() {
        for code in ["access_denied", "expired_token", "invalid_grant"] {
            let d = device(600, 2);
            let (result, times) =
                run(&d, vec![Some(server_error("authorization_pending")), Some(server_error(code)), None]).await;
            let err = result.unwrap_err();
            assert_eq!(err.token_error().map(|t| t.code.as_str()), Some(code));
            assert_eq!(times, vec![2, 4], "{code}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn stops_by_its_own_clock_when_the_codes_expire() {
        // The server keeps saying authorization_pending, never expired_token.
        let d = device(20, 5);
        let start = Instant::now();
        let (result, times) = run(&d, Vec::new()).await;
        assert!(matches!(result, Err(OAuthError::DeviceCodeExpired { expires_in: 20 })), "{result:?}");
        assert_eq!(times, vec![5, 10, 15, 20]);
        // It gave up at once rather than sleeping past the expiry.
        assert_eq!(start.elapsed(), Duration::from_secs(20));
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_doubles_the_interval() {
        let d = device(600, 2);
        let script = vec![Some(OAuthError::Http(Error::Timeout)), Some(OAuthError::Http(Error::Timeout)), None];
        let (result, times) = run(&d, script).await;
        assert!(result.is_ok());
        assert_eq!(times, vec![2, 6, 14]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_zero_interval_still_waits_a_second_and_429_slows_down() {
        let d = device(600, 0);
        let too_many = OAuthError::UnexpectedResponse {
            endpoint: "http://127.0.0.1/token".into(),
            status: StatusCode::TOO_MANY_REQUESTS,
            body: Bytes::new(),
        };
        let (result, times) = run(&d, vec![Some(server_error("authorization_pending")), Some(too_many), None]).await;
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(times, vec![1, 2, 8]);
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_the_future_stops_polling() {
        let d = device(600, 5);
        let polls = Arc::new(Mutex::new(0u32));
        let counted = polls.clone();
        let poll = poll_until_done(&d, move || {
            let counted = counted.clone();
            async move {
                *counted.lock().unwrap() += 1;
                Err::<TokenResponse, _>(server_error("authorization_pending"))
            }
        });
        assert!(tokio::time::timeout(Duration::from_secs(12), poll).await.is_err());
        assert_eq!(*polls.lock().unwrap(), 2);
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(*polls.lock().unwrap(), 2);
    }

    #[test]
    fn debug_hides_the_device_code() {
        let d = device(600, 5);
        let shown = format!("{d:?}");
        assert!(!shown.contains("dev-code-SECRET"), "{shown}");
        assert!(shown.contains("WDJB-MJHT"), "{shown}");
    }
}
