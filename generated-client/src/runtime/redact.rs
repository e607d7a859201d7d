//! Keeping secrets out of `Debug`, `Display`, logs and error messages.
//!
//! Response bodies quoted in errors (decode failures, error pages) pass through
//! [`redact_secrets`], headers shown in `Debug` output through [`is_sensitive_header`].

/// JSON member names whose string values are never shown.
const SENSITIVE_KEYS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "token",
    "client_secret",
    "code_verifier",
    "device_code",
    "password",
    "api_key",
    "apikey",
    "secret",
    "client_assertion",
    "assertion",
    "private_key",
];

pub(crate) fn is_sensitive_key(key: &str) -> bool {
    SENSITIVE_KEYS.iter().any(|k| key.eq_ignore_ascii_case(k))
}

/// `value` with the values of sensitive members (at any depth) replaced by `"<redacted>"`.
pub(crate) fn redact_value(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if is_sensitive_key(k) { Value::String("<redacted>".into()) } else { redact_value(v) };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact_value).collect()),
        other => other.clone(),
    }
}

/// Whether a header's value must not be shown (credentials, cookies, tokens).
pub(crate) fn is_sensitive_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(name.as_str(), "authorization" | "proxy-authorization" | "cookie" | "set-cookie")
        || ["token", "secret", "api-key", "apikey", "api_key", "password", "session"]
            .iter()
            .any(|part| name.contains(part))
}

/// Replaces the values of sensitive members with `<redacted>`, in both encodings a token
/// endpoint may answer with: JSON (`"access_token": "..."`) and form fields
/// (`access_token=...&...`). Works on truncated or malformed text too: a JSON value cut off by
/// the end of the text is dropped entirely.
pub(crate) fn redact_secrets(text: &str) -> String {
    let json = redact_json_strings(text);
    if json.contains('=') {
        redact_form_values(&json)
    } else {
        json
    }
}

/// `key=value` pairs separated by `&` (form bodies, query strings): the values of sensitive
/// keys (percent-decoded before comparing) become `<redacted>`, up to the next `&`.
fn redact_form_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, pair) in text.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((key, _)) if form_key_is_sensitive(key) => {
                out.push_str(key);
                out.push_str("=<redacted>");
            }
            _ => out.push_str(pair),
        }
    }
    out
}

fn form_key_is_sensitive(key: &str) -> bool {
    let key = key.trim().trim_start_matches('?').replace('+', " ");
    let decoded = percent_encoding::percent_decode_str(&key).decode_utf8_lossy();
    // The last word of a key that follows other text (`... refresh_token=`).
    let last = decoded.rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().unwrap_or_default();
    is_sensitive_key(decoded.trim()) || is_sensitive_key(last)
}

/// Replaces the string values of sensitive JSON members (`"access_token": "..."`) with
/// `"<redacted>"`.
fn redact_json_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('"') {
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        let Some(end) = string_end(rest) else {
            out.push_str(rest);
            return out;
        };
        let key = &rest[..end];
        out.push_str(key);
        out.push('"');
        rest = &rest[end + 1..];
        if !is_sensitive_key(key) {
            continue;
        }
        let Some(after_colon) = rest.trim_start().strip_prefix(':') else {
            continue;
        };
        let value = after_colon.trim_start();
        let Some(inner) = value.strip_prefix('"') else {
            continue;
        };
        out.push_str(&rest[..rest.len() - value.len()]);
        out.push_str("\"<redacted>\"");
        match string_end(inner) {
            Some(end) => rest = &inner[end + 1..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// The byte index of the quote that closes a JSON string whose opening quote was just consumed.
fn string_end(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

/// `text` on one line (control characters and runs of whitespace become one space), cut to at
/// most `max` characters with `…` marking the cut.
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
            continue;
        }
        if count >= max {
            out.push('…');
            return out;
        }
        if pending_space {
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// A URL as text without its credentials, query and fragment (for errors and logs).
pub(crate) fn url_for_display(url: &url::Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    // Both fail only for URLs that cannot have credentials, which then have none to hide.
    let _ = url.set_password(None);
    let _ = url.set_username("");
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_json_values_are_replaced() {
        let body =
            r#"{"access_token": "tok\"en", "token_type":"bearer","refresh_token":"r1","n":{"client_secret":"s"}}"#;
        let redacted = redact_secrets(body);
        assert_eq!(
            redacted,
            concat!(
                r#"{"access_token": "<redacted>", "token_type":"bearer","refresh_token":"<redacted>","#,
                r#""n":{"client_secret":"<redacted>"}}"#
            )
        );
    }

    #[test]
    fn sensitive_members_of_parsed_values_are_replaced() {
        let value = serde_json::json!({"a": [{"refresh_token": "r"}], "client_secret": {"x": 1}, "b": "keep"});
        let expected =
            serde_json::json!({"a": [{"refresh_token": "<redacted>"}], "client_secret": "<redacted>", "b": "keep"});
        assert_eq!(redact_value(&value), expected);
    }

    #[test]
    fn sensitive_form_values_are_replaced() {
        let body = "access_token=AT-123&token_type=bearer&refresh%5Ftoken=RT-9&id_token=ID+x&scope=a%20b";
        assert_eq!(
            redact_secrets(body),
            "access_token=<redacted>&token_type=bearer&refresh%5Ftoken=<redacted>&id_token=<redacted>&scope=a%20b"
        );
        assert_eq!(redact_secrets("?client_secret=s&x=1"), "?client_secret=<redacted>&x=1");
        assert_eq!(redact_secrets("note: expected access_token=AT-1"), "note: expected access_token=<redacted>");
        assert_eq!(redact_secrets(r#"{"a":"b=c"}"#), r#"{"a":"b=c"}"#);
    }

    #[test]
    fn truncated_values_are_dropped() {
        assert_eq!(redact_secrets(r#"{"id_token":"eyJhbGciOi"#), r#"{"id_token":"<redacted>""#);
        assert_eq!(redact_secrets(r#"{"access_tok"#), r#"{"access_tok"#);
        assert_eq!(redact_secrets("<html>\"x"), "<html>\"x");
        assert_eq!(redact_secrets(""), "");
    }

    #[test]
    fn one_line_collapses_and_cuts_on_characters() {
        assert_eq!(one_line("  a\n\n b\tc  ", 10), "a b c");
        assert_eq!(one_line("ééééé", 3), "ééé…");
        assert_eq!(one_line("", 3), "");
    }

    #[test]
    fn urls_lose_query_and_password() {
        let url = url::Url::parse("https://u:p@example.com/x?api_key=k#f").expect("valid");
        assert_eq!(url_for_display(&url), "https://example.com/x");
    }

    #[test]
    fn credential_headers_are_sensitive() {
        for name in ["Authorization", "x-api-key", "X-Auth-Token", "cookie"] {
            assert!(is_sensitive_header(name), "{name}");
        }
        assert!(!is_sensitive_header("x-request-id"));
    }
}
