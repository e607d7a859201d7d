//! Per-request settings ([`RequestOptions`]) and the headers a caller may not set.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use super::error::{Error, Result};
use super::redact::{is_sensitive_header, one_line};

/// Per-request settings that override the client's.
///
/// `Debug` lists header and query names only, since their values may be credentials.
#[derive(Clone, Default)]
pub struct RequestOptions {
    /// Extra headers. They replace headers of the same name the client would send (including
    /// `authorization`).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Extra query parameters, appended after the operation's own.
    pub query: Vec<(String, String)>,
    /// Timeout for each attempt of this request.
    pub timeout: Option<Duration>,
    /// Maximum retries for this request.
    pub max_retries: Option<u32>,
    /// Whether this request may be sent again once it may have reached the server: `Some(true)`
    /// treats it as idempotent, `Some(false)` as not, `None` applies the rule of the
    /// [module documentation](super#retries).
    pub idempotent: Option<bool>,
    /// Largest response body accepted for this request, in bytes.
    pub max_response_bytes: Option<u64>,
    /// Time allowed for the whole call, all attempts and waits between them included.
    pub total_timeout: Option<Duration>,
    /// Problems found by [`RequestOptions::header`], reported when the request is executed.
    /// Public only so that `RequestOptions { timeout: .., ..Default::default() }` keeps working.
    #[doc(hidden)]
    pub invalid: Vec<String>,
}

impl RequestOptions {
    /// Adds a header. An invalid name or value, or a header that frames the message
    /// (`content-length`, `host`, `transfer-encoding`, `connection`, ...: the HTTP client sets
    /// those itself), is not an error here: the request fails with [`Error::InvalidInput`] when
    /// it is executed, before anything is sent. Values of credential headers are marked
    /// sensitive (hidden from `Debug`, never indexed by HTTP/2).
    pub fn header(&mut self, name: &str, value: &str) {
        let Ok(header) = HeaderName::from_bytes(name.as_bytes()) else {
            self.invalid.push(format!("invalid header name `{}`", one_line(name, 60)));
            return;
        };
        if is_framing_header(&header) {
            self.invalid.push(framing_problem(&header));
            return;
        }
        let Ok(mut value) = HeaderValue::from_str(value) else {
            self.invalid.push(format!("invalid value for header `{header}`"));
            return;
        };
        if is_sensitive_header(header.as_str()) {
            value.set_sensitive(true);
        }
        self.headers.push((header, value));
    }

    /// The problems [`RequestOptions::header`] recorded, and framing headers pushed directly
    /// into [`RequestOptions::headers`], as one error.
    pub fn validate(&self) -> Result<()> {
        let mut problems = self.invalid.clone();
        problems.extend(self.headers.iter().filter(|(n, _)| is_framing_header(n)).map(|(n, _)| framing_problem(n)));
        match problems.as_slice() {
            [] => Ok(()),
            problems => Err(Error::invalid_input(problems.join("; "))),
        }
    }
}

/// Headers that describe the message itself rather than the request. Sent by a caller they would
/// contradict what the HTTP client sends (a wrong `content-length` hangs the call).
pub(super) fn is_framing_header(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "content-length"
            | "host"
            | "transfer-encoding"
            | "connection"
            | "keep-alive"
            | "proxy-connection"
            | "upgrade"
            | "te"
            | "trailer"
            | "expect"
    )
}

pub(super) fn framing_problem(name: &HeaderName) -> String {
    format!("the header `{name}` frames the message and is set by the client itself")
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestOptions")
            .field("headers", &self.headers.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>())
            .field("query", &self.query.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>())
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("idempotent", &self.idempotent)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("total_timeout", &self.total_timeout)
            .field("invalid", &self.invalid)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_option_headers_are_recorded_not_raised() {
        let mut options = RequestOptions::default();
        options.header("x-ok", "1");
        options.header("bad name", "1");
        options.header("x-bad-value", "line\nbreak SECRETVALUE");
        assert_eq!(options.headers.len(), 1);
        let error = options.validate().expect_err("invalid");
        let text = error.to_string();
        assert!(text.contains("bad name") && text.contains("x-bad-value"), "{text}");
        assert!(!text.contains("SECRETVALUE"), "{text}");
    }

    #[test]
    fn credential_option_headers_are_hidden_from_debug() {
        let mut options = RequestOptions::default();
        options.header("Authorization", "Bearer SECRETTOKEN");
        options.query.push(("api_key".into(), "SECRETKEY".into()));
        let debug = format!("{options:?}");
        assert!(!debug.contains("SECRETTOKEN") && !debug.contains("SECRETKEY"), "{debug}");
        assert!(options.headers.first().is_some_and(|(_, v)| v.is_sensitive()));
    }
}
