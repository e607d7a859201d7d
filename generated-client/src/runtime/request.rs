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
    /// One security requirement naming several schemes (AND): all of them are sent, e.g. a
    /// client id header and a secret header.
    All(&'static [Auth]),
    /// Several security requirements (OR): the first one the client has every credential for is
    /// sent; when it has none of them complete, the first one is applied (and fails unless its
    /// schemes are optional).
    Any(&'static [Auth]),
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
        Ok(Body::Form(url::form_urlencoded::parse(encoded.as_bytes()).into_owned().collect()))
    }
}

/// Everything about one call that varies with the caller's arguments.
#[derive(Debug, Clone, Default)]
pub struct RequestParts {
    /// The path with parameters substituted and percent-encoded, e.g. `/oauth_clients/abc`.
    pub path: String,
    /// Query pairs under their wire names (`page[size]`), values not yet encoded.
    pub query: Vec<(Cow<'static, str>, String)>,
    /// Header parameters (cookie parameters are joined into one `cookie` entry).
    pub headers: Vec<(&'static str, String)>,
    /// Query pieces already encoded as `name=value` (the delimited styles, whose delimiters must
    /// stay literal), appended after `query`.
    pub query_encoded: Vec<String>,
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

    /// Adds a header parameter (the OpenAPI `simple` style: lists `a,b`, objects `k,v,k2,v2`).
    pub fn header<V: QueryValue + ?Sized>(&mut self, name: &'static str, value: &V) {
        self.header_styled(name, value, false);
    }

    /// Adds a header parameter in the `simple` style; with `explode`, objects are `k=v,k2=v2`.
    pub fn header_styled<V: QueryValue + ?Sized>(&mut self, name: &'static str, value: &V, explode: bool) {
        let joined = join_items(&flat_items(value), explode, ",", "=", |s| s.to_owned());
        self.headers.push((name, joined));
    }

    /// Adds a query parameter whose list items (or object keys and values) are joined by
    /// `delimiter` in a single `name=...` pair (`explode: false` with the `form` style: `,`;
    /// `spaceDelimited`: `%20`; `pipeDelimited`: `|`). Items are encoded, delimiters are not.
    pub fn query_delimited<V: QueryValue + ?Sized>(&mut self, name: &'static str, value: &V, delimiter: &'static str) {
        let joined = join_items(&flat_items(value), false, delimiter, "=", form_encode);
        self.query_encoded.push(format!("{}={joined}", form_encode(name)));
    }

    /// Adds a cookie parameter (the `form` style: `name=value`, lists `name=a,b`; with
    /// `explode`, objects are sent as one cookie per member). All cookie parameters share one
    /// `cookie` header, separated by `; `.
    pub fn cookie<V: QueryValue + ?Sized>(&mut self, name: &'static str, value: &V, explode: bool) {
        let items = flat_items(value);
        let piece = if explode && items.iter().any(|(k, _)| k.is_some()) {
            join_items(&items, true, "; ", "=", cookie_encode)
        } else {
            format!("{}={}", cookie_encode(name), join_items(&items, false, ",", "=", cookie_encode))
        };
        match self.headers.iter_mut().find(|(n, _)| *n == "cookie") {
            Some((_, existing)) => {
                existing.push_str("; ");
                existing.push_str(&piece);
            }
            None => self.headers.push(("cookie", piece)),
        }
    }
}

/// The JSON text of a parameter declared with `content: application/json`, sent (encoded for
/// where it goes) under the parameter's own name.
pub fn json_text<T: serde::Serialize + ?Sized>(name: &str, value: &T) -> crate::runtime::Result<String> {
    serde_json::to_string(value)
        .map_err(|e| crate::runtime::Error::invalid_input(format!("cannot encode parameter `{name}` as JSON: {e}")))
}

/// The OpenAPI styles of a path parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathStyle {
    /// `a,b` (objects `k,v` or, exploded, `k=v`).
    Simple,
    /// `.a,b` (exploded `.a.b`).
    Label,
    /// `;name=a,b` (exploded `;name=a;name=b`, objects `;k=v`).
    Matrix,
}

/// A path parameter of any shape in `style`: each item percent-encoded (everything but RFC 3986
/// unreserved characters), the style's delimiters literal. An empty `simple` value is refused,
/// as in [`encode_path_segment`].
pub fn path_styled<V: QueryValue + ?Sized>(
    name: &str,
    value: &V,
    style: PathStyle,
    explode: bool,
) -> crate::runtime::Result<String> {
    let items = flat_items(value);
    let keyed = items.iter().any(|(k, _)| k.is_some());
    let enc = |s: &str| percent_encoding::utf8_percent_encode(s, PATH_ITEM).to_string();
    let out = match style {
        PathStyle::Simple => join_items(&items, explode, ",", "=", enc),
        PathStyle::Label => format!(".{}", join_items(&items, explode, if explode { "." } else { "," }, "=", enc)),
        PathStyle::Matrix if explode && keyed => format!(";{}", join_items(&items, true, ";", "=", enc)),
        PathStyle::Matrix if explode => {
            items.iter().map(|(_, v)| format!(";{}={}", enc(name), enc(v))).collect::<String>()
        }
        PathStyle::Matrix => format!(";{}={}", enc(name), join_items(&items, false, ",", "=", enc)),
    };
    if out.is_empty() {
        return Err(crate::runtime::Error::invalid_input(format!("path parameter `{name}` must not be empty")));
    }
    Ok(out)
}

const PATH_ITEM: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Bytes that cannot appear in a cookie value (RFC 6265 `cookie-octet`), plus `%` and `,`.
const COOKIE: &percent_encoding::AsciiSet =
    &percent_encoding::CONTROLS.add(b' ').add(b'"').add(b',').add(b';').add(b'\\').add(b'%');

fn cookie_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, COOKIE).to_string()
}

fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A value's items for the delimited styles: list elements (no key), or an object's members
/// (`key`, with nested keys joined by `.`); a scalar is one item.
fn flat_items<V: QueryValue + ?Sized>(value: &V) -> Vec<(Option<String>, String)> {
    let mut pairs = Vec::new();
    value.push_pairs("", &mut pairs);
    pairs
        .into_iter()
        .map(|(k, v)| {
            let key = k.strip_prefix('[').map(|rest| rest.strip_suffix(']').unwrap_or(rest).replace("][", "."));
            (key.filter(|k| !k.is_empty()), v)
        })
        .collect()
}

/// Joins items with `delimiter`: values alone; object members as `key<delimiter>value`, or with
/// `explode` as `key<equals>value`.
fn join_items(
    items: &[(Option<String>, String)],
    explode: bool,
    delimiter: &str,
    equals: &str,
    encode: impl Fn(&str) -> String,
) -> String {
    let mut parts = Vec::with_capacity(items.len() * 2);
    for (key, value) in items {
        match key {
            Some(key) if explode => parts.push(format!("{}{equals}{}", encode(key), encode(value))),
            Some(key) => {
                parts.push(encode(key));
                parts.push(encode(value));
            }
            None => parts.push(encode(value)),
        }
    }
    parts.join(delimiter)
}

/// Whether an operation's server URL is relative (`/v3`, `./v3`, `v3`).
pub(crate) fn is_relative_server(server: &str) -> bool {
    matches!(url::Url::parse(server), Err(url::ParseError::RelativeUrlWithoutBase))
}

/// A relative operation or path server resolved (RFC 3986) against the client's base URL, taken
/// without a trailing slash: with base `https://api.example.com/v2`, `/v3` and `./v3` are both
/// `https://api.example.com/v3`.
pub(crate) fn resolve_relative_server(base: &url::Url, server: &str) -> crate::runtime::Result<url::Url> {
    let mut base = base.clone();
    let trimmed = base.path().trim_end_matches('/').to_owned();
    base.set_path(&trimmed);
    base.set_query(None);
    base.join(server).map_err(|e| crate::runtime::Error::invalid_input(format!("invalid server `{server}`: {e}")))
}

/// Appends already-encoded `name=value` pieces to `url`'s query.
pub fn append_encoded_query(url: &mut url::Url, pieces: &[String]) {
    if pieces.is_empty() {
        return;
    }
    let mut query = url.query().unwrap_or("").to_owned();
    for piece in pieces {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(piece);
    }
    url.set_query(Some(&query));
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
        return Err(crate::runtime::Error::invalid_input(format!("path parameter `{name}` must not be empty")));
    }
    if is_dot_segment(value) {
        return Err(crate::runtime::Error::invalid_input(format!(
            "path parameter `{name}` must not be `.` or `..` (or percent-encode to them)"
        )));
    }
    const SET: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    Ok(percent_encoding::utf8_percent_encode(value, SET).to_string())
}

/// Whether `value` is `.` or `..`, as it is or after percent-decoding it any number of times
/// (a server or proxy may decode more than once).
pub(crate) fn is_dot_segment(value: &str) -> bool {
    let mut current = std::borrow::Cow::Borrowed(value.as_bytes());
    // Each decoding that changes the text makes it shorter, so this ends. Text without `%`
    // decodes to itself: no need to build the decoded copy (the common case, on every request).
    loop {
        if !current.contains(&b'%') {
            return matches!(current.as_ref(), b"." | b"..");
        }
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
            serde_json::Value::Object(map) => map.iter().for_each(|(key, value)| push_nested(name, key, value, out)),
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

#[cfg(test)]
mod style_tests {
    use super::*;

    fn object() -> std::collections::BTreeMap<String, i64> {
        [("x".to_owned(), 1), ("y".to_owned(), 2)].into_iter().collect()
    }

    #[test]
    fn path_styles_follow_the_openapi_table() {
        let list = vec!["a b".to_owned(), "c,d".to_owned()];
        let cases: [(PathStyle, bool, &str, &str); 6] = [
            (PathStyle::Simple, false, "a%20b,c%2Cd", "x,1,y,2"),
            (PathStyle::Simple, true, "a%20b,c%2Cd", "x=1,y=2"),
            (PathStyle::Label, false, ".a%20b,c%2Cd", ".x,1,y,2"),
            (PathStyle::Label, true, ".a%20b.c%2Cd", ".x=1.y=2"),
            (PathStyle::Matrix, false, ";v=a%20b,c%2Cd", ";v=x,1,y,2"),
            (PathStyle::Matrix, true, ";v=a%20b;v=c%2Cd", ";x=1;y=2"),
        ];
        for (style, explode, want_list, want_object) in cases {
            assert_eq!(path_styled("v", &list, style, explode).unwrap(), want_list, "{style:?} {explode}");
            assert_eq!(path_styled("v", &object(), style, explode).unwrap(), want_object, "{style:?} {explode}");
        }
        assert_eq!(path_styled("v", &5_u64, PathStyle::Matrix, false).unwrap(), ";v=5");
        assert!(path_styled("v", &Vec::<String>::new(), PathStyle::Simple, false).is_err());
    }

    #[test]
    fn delimited_queries_headers_and_cookies() {
        let mut parts = RequestParts::default();
        parts.query_delimited("ids", &vec![1, 2], ",");
        parts.query_delimited("t", &vec!["a b".to_owned(), "c|d".to_owned()], "|");
        parts.query_delimited("p", &object(), "%20");
        assert_eq!(parts.query_encoded, ["ids=1,2", "t=a+b|c%7Cd", "p=x%201%20y%202"]);
        parts.header("h", &object());
        parts.header_styled("e", &object(), true);
        parts.cookie("s", "a;b", false);
        parts.cookie("l", &vec!["x".to_owned(), "y".to_owned()], false);
        parts.cookie("o", &object(), true);
        assert_eq!(
            parts.headers,
            [
                ("h", "x,1,y,2".to_owned()),
                ("e", "x=1,y=2".to_owned()),
                ("cookie", "s=a%3Bb; l=x,y; x=1; y=2".to_owned())
            ]
        );
        let mut url = url::Url::parse("http://h/p?a=1").unwrap();
        append_encoded_query(&mut url, &parts.query_encoded);
        assert_eq!(url.as_str(), "http://h/p?a=1&ids=1,2&t=a+b|c%7Cd&p=x%201%20y%202");
    }
}
