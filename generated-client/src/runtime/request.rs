use std::borrow::Cow;

use reqwest::Method;

/// Static facts about one operation, emitted by the generator.
#[derive(Debug)]
pub struct Operation {
    /// The operationId as written in the spec (used in errors and tracing).
    pub id: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template as written in the spec, e.g. `/oauth_clients/{id}`.
    pub path: &'static str,
    /// Server URL declared on the path or operation, overriding the document's server.
    pub server: Option<&'static str>,
    /// How the operation authenticates.
    pub auth: Auth,
}

/// How an operation authenticates, derived from its `security` requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// `security: []`: no credentials are sent.
    None,
    /// HTTP bearer (API key or access token). With `optional`, nothing is sent when the client has
    /// no bearer credentials (the spec lists `{}` as an alternative).
    Bearer {
        /// Whether the operation may be called without credentials.
        optional: bool,
    },
    /// OAuth 2.0 client authentication (RFC 6749 §2.3): HTTP Basic or `client_id`/`client_secret`
    /// form fields, as configured on the client. With `optional`, a client without client
    /// credentials sends none.
    ClientAuth {
        /// Whether the operation may be called without credentials.
        optional: bool,
    },
    /// HTTP Basic with the configured client credentials.
    Basic {
        /// Whether the operation may be called without credentials.
        optional: bool,
    },
    /// An API key in the named header.
    ApiKeyHeader {
        /// The header name.
        name: &'static str,
        /// Whether the operation may be called without credentials.
        optional: bool,
    },
    /// An API key in the named query parameter.
    ApiKeyQuery {
        /// The query parameter name.
        name: &'static str,
        /// Whether the operation may be called without credentials.
        optional: bool,
    },
}

/// A request body, already encoded.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// `application/json`.
    Json(Vec<u8>),
    /// `application/x-www-form-urlencoded`: `key=value&...` pairs, already encoded.
    Form(Vec<(String, String)>),
    /// Any other content type, sent as bytes.
    Bytes {
        /// The `content-type` header value.
        content_type: Cow<'static, str>,
        /// The body.
        data: bytes::Bytes,
    },
}

impl Body {
    /// Encodes `value` as JSON.
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> crate::runtime::Result<Self> {
        serde_json::to_vec(value)
            .map(Body::Json)
            .map_err(|e| crate::runtime::Error::invalid_input(format!("cannot encode JSON body: {e}")))
    }

    /// Encodes `value` as form fields. Only flat objects are representable.
    pub fn form<T: serde::Serialize + ?Sized>(value: &T) -> crate::runtime::Result<Self> {
        let encoded = serde_urlencoded::to_string(value)
            .map_err(|e| crate::runtime::Error::invalid_input(format!("cannot encode form body: {e}")))?;
        Ok(Body::Form(
            url::form_urlencoded::parse(encoded.as_bytes()).into_owned().collect(),
        ))
    }
}

/// Everything about one call that varies with the caller's arguments.
#[derive(Debug, Clone, Default)]
pub struct RequestParts {
    /// The path with parameters substituted and percent-encoded, e.g. `/oauth_clients/abc`.
    pub path: String,
    /// Query pairs under their wire names (`page[size]`), values not yet encoded.
    pub query: Vec<(Cow<'static, str>, String)>,
    /// Header parameters.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Body,
}

impl RequestParts {
    /// Parts for `path` with no query, headers or body.
    pub fn new(path: String) -> Self {
        Self { path, ..Self::default() }
    }

    /// Adds a query parameter if `value` is `Some`.
    pub fn query_opt<V: QueryValue + ?Sized>(&mut self, name: &'static str, value: Option<&V>) {
        if let Some(value) = value {
            self.query(name, value);
        }
    }

    /// Adds a query parameter (arrays add one pair per element, the OpenAPI `form` style).
    pub fn query<V: QueryValue + ?Sized>(&mut self, name: &'static str, value: &V) {
        value.push_pairs(name, &mut self.query);
    }

    /// Adds a header parameter.
    pub fn header<V: QueryValue + ?Sized>(&mut self, name: &'static str, value: &V) {
        let mut pairs = Vec::new();
        value.push_pairs(name, &mut pairs);
        let joined = pairs.into_iter().map(|(_, v)| v).collect::<Vec<_>>().join(",");
        self.headers.push((name, joined));
    }
}

/// A value that can be sent as a query or header parameter.
pub trait QueryValue {
    /// Appends `(name, value)` pairs for this value.
    fn push_pairs(&self, name: &'static str, out: &mut Vec<(Cow<'static, str>, String)>);
}

macro_rules! display_query_value {
    ($($t:ty),*) => {$(
        impl QueryValue for $t {
            fn push_pairs(&self, name: &'static str, out: &mut Vec<(Cow<'static, str>, String)>) {
                out.push((Cow::Borrowed(name), self.to_string()));
            }
        }
    )*};
}
display_query_value!(str, String, bool, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

impl<T: QueryValue> QueryValue for [T] {
    fn push_pairs(&self, name: &'static str, out: &mut Vec<(Cow<'static, str>, String)>) {
        for item in self {
            item.push_pairs(name, out);
        }
    }
}

impl<T: QueryValue> QueryValue for Vec<T> {
    fn push_pairs(&self, name: &'static str, out: &mut Vec<(Cow<'static, str>, String)>) {
        self.as_slice().push_pairs(name, out);
    }
}

impl<T: QueryValue + ?Sized> QueryValue for &T {
    fn push_pairs(&self, name: &'static str, out: &mut Vec<(Cow<'static, str>, String)>) {
        (**self).push_pairs(name, out);
    }
}

/// Percent-encodes one path segment (everything but RFC 3986 unreserved characters).
///
/// Returns an error for a value that would not stay one literal segment: an empty value, and
/// `.` or `..` (also once or more percent-decoded, like `%2e%2e`), which URL parsing and servers
/// treat as "this" or "the parent" path segment, so that `delete_client("..")` would otherwise
/// reach another resource. The error names the parameter, never its value.
pub fn encode_path_segment(name: &str, value: &str) -> crate::runtime::Result<String> {
    if value.is_empty() {
        return Err(crate::runtime::Error::invalid_input(format!(
            "path parameter `{name}` must not be empty"
        )));
    }
    if is_dot_segment(value) {
        return Err(crate::runtime::Error::invalid_input(format!(
            "path parameter `{name}` must not be `.` or `..` (or percent-encode to them)"
        )));
    }
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    Ok(percent_encoding::utf8_percent_encode(value, SET).to_string())
}

/// Whether `value` is `.` or `..`, as it is or after percent-decoding it any number of times
/// (a server or proxy may decode more than once).
pub(crate) fn is_dot_segment(value: &str) -> bool {
    let mut current = std::borrow::Cow::Borrowed(value.as_bytes());
    // Each decoding that changes the text makes it shorter, so this ends.
    loop {
        if matches!(current.as_ref(), b"." | b"..") {
            return true;
        }
        let decoded: Vec<u8> = percent_encoding::percent_decode(&current).collect();
        if decoded == current.as_ref() {
            return false;
        }
        current = std::borrow::Cow::Owned(decoded);
    }
}

/// Pushes `value` under `name[key]` (the OpenAPI `deepObject` style), keeping deeper keys.
pub fn push_nested<V: QueryValue + ?Sized>(
    name: &str,
    key: &str,
    value: &V,
    out: &mut Vec<(Cow<'static, str>, String)>,
) {
    let mut inner = Vec::new();
    value.push_pairs("", &mut inner);
    for (sub, v) in inner {
        out.push((Cow::Owned(format!("{name}[{key}]{sub}")), v));
    }
}

impl QueryValue for serde_json::Value {
    fn push_pairs(&self, name: &'static str, out: &mut Vec<(Cow<'static, str>, String)>) {
        match self {
            serde_json::Value::Null => {}
            serde_json::Value::String(s) => out.push((Cow::Borrowed(name), s.clone())),
            serde_json::Value::Array(items) => items.iter().for_each(|item| item.push_pairs(name, out)),
            serde_json::Value::Object(map) => {
                map.iter().for_each(|(key, value)| push_nested(name, key, value, out))
            }
            other => out.push((Cow::Borrowed(name), other.to_string())),
        }
    }
}

impl<T: QueryValue> QueryValue for std::collections::BTreeMap<String, T> {
    fn push_pairs(&self, name: &'static str, out: &mut Vec<(Cow<'static, str>, String)>) {
        self.iter().for_each(|(key, value)| push_nested(name, key, value, out));
    }
}

impl<T: QueryValue + ?Sized> QueryValue for Box<T> {
    fn push_pairs(&self, name: &'static str, out: &mut Vec<(Cow<'static, str>, String)>) {
        (**self).push_pairs(name, out);
    }
}

impl<T: QueryValue> QueryValue for Option<T> {
    fn push_pairs(&self, name: &'static str, out: &mut Vec<(Cow<'static, str>, String)>) {
        if let Some(value) = self {
            value.push_pairs(name, out);
        }
    }
}
