//! `multipart/form-data` bodies (RFC 7578), encoded up front into bytes so that a retry can
//! send exactly the same body again (a streaming form could not be replayed).

use bytes::{BufMut, Bytes, BytesMut};

use super::request::Body;

/// One part of a multipart body.
#[derive(Debug, Clone)]
pub struct Part {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    data: Bytes,
}

impl Part {
    /// A text field.
    pub fn text(name: &str, value: impl Into<String>) -> Self {
        Self { name: name.to_owned(), filename: None, content_type: None, data: Bytes::from(value.into()) }
    }

    /// A file field; the part's file name defaults to the field name.
    pub fn file(name: &str, data: Bytes) -> Self {
        Self {
            name: name.to_owned(),
            filename: Some(name.to_owned()),
            content_type: Some("application/octet-stream".to_owned()),
            data,
        }
    }

    /// A field holding any serializable value: strings as they are, everything else as JSON.
    pub fn value<T: serde::Serialize + ?Sized>(name: &str, value: &T) -> Self {
        let text = match serde_json::to_value(value) {
            Ok(serde_json::Value::String(s)) => s,
            Ok(other) => other.to_string(),
            Err(_) => String::new(),
        };
        Self::text(name, text)
    }
}

/// Encodes `parts` with a boundary that does not occur in any of them.
pub fn multipart(parts: Vec<Part>) -> Body {
    let mut seed =
        parts.iter().map(|p| p.data.len() as u64).fold(0x9E37_79B9_7F4A_7C15_u64, |a, b| a.rotate_left(7) ^ b);
    let boundary = loop {
        let candidate = format!("----rust-client-{seed:016x}");
        if !parts.iter().any(|p| contains(&p.data, candidate.as_bytes())) {
            break candidate;
        }
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    };
    let mut out = BytesMut::new();
    for part in &parts {
        out.put_slice(format!("--{boundary}\r\n").as_bytes());
        let name = escape(&part.name);
        match &part.filename {
            Some(file) => out.put_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{}\"\r\n", escape(file))
                    .as_bytes(),
            ),
            None => out.put_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n").as_bytes()),
        }
        if let Some(ct) = &part.content_type {
            out.put_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        out.put_slice(b"\r\n");
        out.put_slice(&part.data);
        out.put_slice(b"\r\n");
    }
    out.put_slice(format!("--{boundary}--\r\n").as_bytes());
    Body::Bytes { content_type: format!("multipart/form-data; boundary={boundary}").into(), data: out.freeze() }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Quotes and line breaks cannot appear inside a quoted header parameter (RFC 7578 §4.2).
fn escape(value: &str) -> String {
    value.replace('"', "%22").replace('\r', "%0D").replace('\n', "%0A")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_framed_by_a_boundary_absent_from_the_data() {
        let Body::Bytes { content_type, data } =
            multipart(vec![Part::text("name", "a \"b\""), Part::file("file", Bytes::from_static(b"\x00\x01--x"))])
        else {
            panic!("multipart bodies are bytes");
        };
        let boundary = content_type.split("boundary=").nth(1).map(str::to_owned).unwrap_or_default();
        let text = String::from_utf8_lossy(&data);
        assert!(text
            .starts_with(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\na \"b\"\r\n")));
        assert!(text.contains("name=\"file\"; filename=\"file\"\r\nContent-Type: application/octet-stream\r\n\r\n"));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
    }

    #[test]
    fn values_are_sent_as_text() {
        let part = Part::value("n", &42);
        assert_eq!(part.data, Bytes::from_static(b"42"));
        let part = Part::value("s", "plain");
        assert_eq!(part.data, Bytes::from_static(b"plain"));
    }
}
