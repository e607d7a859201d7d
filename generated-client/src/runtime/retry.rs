//! When to retry and how long to wait. See [`Client::execute`](super::Client::execute) for the
//! policy as users see it.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use super::request::Body;

/// The header carrying how many retries preceded this attempt (`0` on the first attempt).
pub const RETRY_COUNT_HEADER: &str = "x-retry-count";

/// Longest server-requested wait (`retry-after`, `retry-after-ms`) the client honours; a longer
/// or non-positive one falls back to the client's own backoff.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Whether a response with this status and these headers is worth another attempt:
/// `x-should-retry: true|false` decides when present, otherwise 408, 409, 429 and 5xx are.
pub(crate) fn status_is_retryable(status: StatusCode, headers: &HeaderMap) -> bool {
    should_retry_header(headers)
        .unwrap_or_else(|| matches!(status.as_u16(), 408 | 409 | 429) || status.is_server_error())
}

/// The wait the server asked for: `retry-after-ms` (milliseconds), else `retry-after` (seconds
/// or an HTTP date), when it is more than zero and at most [`MAX_RETRY_AFTER`].
pub(crate) fn server_delay(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let from_secs = |secs: f64| {
        (secs.is_finite() && secs > 0.0 && secs <= MAX_RETRY_AFTER.as_secs_f64()).then(|| Duration::from_secs_f64(secs))
    };
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        if let Some(delay) = from_secs(ms / 1000.0) {
            return Some(delay);
        }
    }
    let value = text("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return from_secs(secs);
    }
    let date = parse_http_date(value)?;
    let delay = date.duration_since(now).ok()?;
    (delay > Duration::ZERO && delay <= MAX_RETRY_AFTER).then_some(delay)
}

/// An HTTP date (RFC 9110 §5.6.7) in any of its three forms: IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) or asctime
/// (`Sun Nov  6 08:49:37 1994`).
pub(crate) fn parse_http_date(text: &str) -> Option<SystemTime> {
    httpdate::parse_http_date(text).ok()
}

/// A number in `[0, 1)` for jitter (no cryptographic quality needed, only different clients
/// waiting different times).
pub(crate) fn random_unit() -> f64 {
    fastrand::f64()
}

/// Exponential backoff before retry number `retry` (0 for the first retry):
/// `min(initial · 2^retry, max)`, less up to a quarter at random so that clients spread out.
pub(crate) fn backoff(retry: u32, initial: Duration, max: Duration, random: f64) -> Duration {
    let factor = 2f64.powi(retry.min(62) as i32);
    let secs = (initial.as_secs_f64() * factor).min(max.as_secs_f64());
    let jitter = 1.0 - 0.25 * random.clamp(0.0, 1.0);
    Duration::try_from_secs_f64(secs * jitter).unwrap_or(max)
}

/// Whether a request may be sent again once it may have reached the server (failures before
/// that, such as a refused connection, are always retried).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replay {
    /// Repeating it is safe: an idempotent method (GET, HEAD, PUT, DELETE, OPTIONS, TRACE), a
    /// token request with `grant_type=client_credentials`, or the caller said so. Retried after
    /// connection errors, timeouts and retryable statuses.
    Safe,
    /// It may have effects (POST, PATCH): repeated only when the server says it was not acted
    /// on, with 429 or `x-should-retry: true`.
    IfAsked,
    /// It carries a single-use credential (a token request with any grant but
    /// `client_credentials`: an authorization code, a rotating refresh token, an assertion).
    /// Never sent again once it may have reached the server: a replay fails with
    /// `invalid_grant` or makes the server revoke the whole grant.
    Never,
}

impl Replay {
    /// The rule for a request: `idempotent` is the caller's override
    /// ([`RequestOptions::idempotent`](super::RequestOptions::idempotent)).
    pub(crate) fn of(method: &Method, body: &Body, idempotent: Option<bool>) -> Self {
        let grant = grant_type(body);
        match (idempotent, grant.as_deref()) {
            (Some(true), _) => Replay::Safe,
            (_, Some(grant)) if grant != "client_credentials" => Replay::Never,
            (Some(false), _) => Replay::IfAsked,
            (None, Some(_)) => Replay::Safe,
            (None, None) => {
                if matches!(method.as_str(), "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS" | "TRACE") {
                    Replay::Safe
                } else {
                    Replay::IfAsked
                }
            }
        }
    }

    /// Whether an error response is worth another attempt under this rule.
    pub(crate) fn retries_status(self, status: StatusCode, headers: &HeaderMap) -> bool {
        match self {
            Replay::Safe => status_is_retryable(status, headers),
            Replay::IfAsked => match should_retry_header(headers) {
                Some(asked) => asked,
                None => status == StatusCode::TOO_MANY_REQUESTS,
            },
            Replay::Never => false,
        }
    }
}

/// `x-should-retry: true|false`, if present and one of those.
fn should_retry_header(headers: &HeaderMap) -> Option<bool> {
    match headers.get("x-should-retry").and_then(|v| v.to_str().ok()).map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case("true") => Some(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// The `grant_type` of an OAuth token request body (form or JSON), if the body has one. A
/// multipart body naming a `grant_type` field counts as one with an unknown grant.
pub(crate) fn grant_type(body: &Body) -> Option<String> {
    let from_form =
        |data: &[u8]| url::form_urlencoded::parse(data).find(|(k, _)| k == "grant_type").map(|(_, v)| v.into_owned());
    match body {
        Body::Form(pairs) => pairs.iter().find(|(k, _)| k == "grant_type").map(|(_, v)| v.clone()),
        Body::Json(bytes) => {
            if !contains(bytes, b"grant_type") {
                return None;
            }
            let value = serde_json::from_slice::<serde_json::Value>(bytes).ok()?;
            value.get("grant_type").map(|g| g.as_str().map(str::to_owned).unwrap_or_default())
        }
        Body::Bytes { content_type, data } => {
            if content_type.starts_with("application/x-www-form-urlencoded") {
                from_form(data)
            } else if content_type.starts_with("multipart/form-data") && contains(data, b"name=\"grant_type\"") {
                Some(String::new())
            } else {
                None
            }
        }
        Body::Empty => None,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).expect("valid header"));
        }
        map
    }

    #[test]
    fn statuses_and_the_override_header() {
        let none = HeaderMap::new();
        for status in [408, 409, 429, 500, 502, 503, 504, 599] {
            assert!(status_is_retryable(StatusCode::from_u16(status).expect("status"), &none), "{status}");
        }
        for status in [200, 301, 400, 401, 403, 404, 422] {
            assert!(!status_is_retryable(StatusCode::from_u16(status).expect("status"), &none), "{status}");
        }
        assert!(status_is_retryable(StatusCode::BAD_REQUEST, &headers(&[("x-should-retry", "true")])));
        assert!(!status_is_retryable(StatusCode::SERVICE_UNAVAILABLE, &headers(&[("x-should-retry", "False")])));
        assert!(status_is_retryable(StatusCode::SERVICE_UNAVAILABLE, &headers(&[("x-should-retry", "maybe")])));
    }

    #[test]
    fn server_delays_within_bounds_are_honoured() {
        // Sun, 06 Nov 1994 08:49:37 GMT
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        type Case = (Vec<(&'static str, String)>, Option<Duration>);
        let cases: Vec<Case> = vec![
            (vec![("retry-after-ms", "250".into())], Some(Duration::from_millis(250))),
            (vec![("retry-after-ms", "250".into()), ("retry-after", "7".into())], Some(Duration::from_millis(250))),
            (vec![("retry-after-ms", "0".into()), ("retry-after", "7".into())], Some(Duration::from_secs(7))),
            (vec![("retry-after", "1.5".into())], Some(Duration::from_millis(1500))),
            (vec![("retry-after", "60".into())], Some(Duration::from_secs(60))),
            (vec![("retry-after", "61".into())], None),
            (vec![("retry-after", "0".into())], None),
            (vec![("retry-after", "-3".into())], None),
            (vec![("retry-after", "NaN".into())], None),
            (vec![("retry-after", "soon".into())], None),
            (vec![("retry-after", "Sun, 06 Nov 1994 08:50:07 GMT".into())], Some(Duration::from_secs(30))),
            (vec![("retry-after", "Sun, 06 Nov 1994 09:49:37 GMT".into())], None),
            (vec![("retry-after", "Sun, 06 Nov 1994 08:49:32 GMT".into())], None),
            (vec![("retry-after-ms", "1e400".into())], None),
            (vec![], None),
        ];
        for (pairs, expected) in cases {
            let borrowed: Vec<(&'static str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            assert_eq!(server_delay(&headers(&borrowed), now), expected, "{pairs:?}");
        }
    }

    #[test]
    fn http_dates_in_all_three_forms() {
        let at = |secs: u64| Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
        let table = [
            ("Sun, 06 Nov 1994 08:49:37 GMT", at(784_111_777)),
            ("Sunday, 06-Nov-94 08:49:37 GMT", at(784_111_777)),
            ("Sun Nov  6 08:49:37 1994", at(784_111_777)),
            ("Thu, 01 Jan 1970 00:00:00 GMT", at(0)),
            ("Tue, 29 Feb 2000 23:59:59 GMT", at(951_868_799)),
            ("Mon, 31 Dec 2255 23:59:59 GMT", at(9_025_257_599)),
            ("Sun, 06 Nov 1994 08:49:37 UTC", None),
            ("Sun, 06 Foo 1994 08:49:37 GMT", None),
            ("Sun, 06 Nov 1994 25:49:37 GMT", None),
            ("Sun, 32 Nov 1994 08:49:37 GMT", None),
            ("Sun, 06 Nov 1994 08:49 GMT", None),
            ("Wed, 01 Jan 1969 00:00:00 GMT", None),
            ("", None),
        ];
        for (text, expected) in table {
            assert_eq!(parse_http_date(text), expected, "{text}");
        }
    }

    #[test]
    fn random_units_stay_in_range() {
        for _ in 0..1000 {
            let r = random_unit();
            assert!((0.0..1.0).contains(&r), "{r}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_at_most_a_quarter_off() {
        let (initial, max) = (Duration::from_millis(500), Duration::from_secs(8));
        assert_eq!(backoff(0, initial, max, 0.0), Duration::from_millis(500));
        assert_eq!(backoff(1, initial, max, 0.0), Duration::from_secs(1));
        assert_eq!(backoff(3, initial, max, 0.0), Duration::from_secs(4));
        assert_eq!(backoff(4, initial, max, 0.0), Duration::from_secs(8));
        assert_eq!(backoff(u32::MAX, initial, max, 0.0), Duration::from_secs(8));
        assert_eq!(backoff(0, initial, max, 1.0), Duration::from_millis(375));
        assert_eq!(backoff(0, Duration::ZERO, Duration::ZERO, 0.5), Duration::ZERO);
    }

    #[test]
    fn replay_rule_per_method_grant_and_override() {
        let form = |pairs: &[(&str, &str)]| Body::Form(pairs.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect());
        let post = Method::POST;
        assert_eq!(
            Replay::of(&post, &form(&[("grant_type", "authorization_code"), ("code", "c")]), None),
            Replay::Never
        );
        assert_eq!(Replay::of(&post, &form(&[("grant_type", "refresh_token")]), None), Replay::Never);
        assert_eq!(Replay::of(&post, &form(&[("grant_type", "refresh_token")]), Some(false)), Replay::Never);
        assert_eq!(Replay::of(&post, &form(&[("grant_type", "refresh_token")]), Some(true)), Replay::Safe);
        assert_eq!(Replay::of(&post, &form(&[("grant_type", "client_credentials")]), None), Replay::Safe);
        assert_eq!(Replay::of(&post, &form(&[("note", "authorization_code")]), None), Replay::IfAsked);
        assert_eq!(
            Replay::of(&post, &Body::Json(br#"{"grant_type":"authorization_code"}"#.to_vec()), None),
            Replay::Never
        );
        assert_eq!(
            Replay::of(
                &post,
                &Body::Json(br#"{"grant_type":"client_credentials","x":"authorization_code"}"#.to_vec()),
                None
            ),
            Replay::Safe
        );
        let bytes = Body::Bytes {
            content_type: "application/x-www-form-urlencoded".into(),
            data: bytes::Bytes::from_static(b"code=c&grant_type=authorization_code"),
        };
        assert_eq!(Replay::of(&post, &bytes, None), Replay::Never);
        for method in [Method::GET, Method::HEAD, Method::PUT, Method::DELETE, Method::OPTIONS, Method::TRACE] {
            assert_eq!(Replay::of(&method, &Body::Empty, None), Replay::Safe, "{method}");
        }
        assert_eq!(Replay::of(&Method::PATCH, &Body::Empty, None), Replay::IfAsked);
        assert_eq!(Replay::of(&post, &Body::Empty, Some(true)), Replay::Safe);
        assert_eq!(Replay::of(&Method::GET, &Body::Empty, Some(false)), Replay::IfAsked);
    }

    #[test]
    fn statuses_retried_under_each_rule() {
        let none = HeaderMap::new();
        let asked = headers(&[("x-should-retry", "true")]);
        let refused = headers(&[("x-should-retry", "false")]);
        let s = |code: u16| StatusCode::from_u16(code).expect("status");
        assert!(Replay::Safe.retries_status(s(503), &none));
        assert!(!Replay::IfAsked.retries_status(s(503), &none));
        assert!(!Replay::IfAsked.retries_status(s(500), &none));
        assert!(Replay::IfAsked.retries_status(s(429), &none));
        assert!(!Replay::IfAsked.retries_status(s(429), &refused));
        assert!(Replay::IfAsked.retries_status(s(503), &asked));
        assert!(!Replay::Never.retries_status(s(429), &asked));
    }
}
