//! Every Rust identifier the generator emits is made here, so names are consistent and valid.

use std::collections::HashSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in",
    "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
    "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box",
    "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Every method `Client` has besides the operations: the runtime's (`generated-client/src/runtime`,
/// `src/oauth`), the constructors `generated/mod.rs` adds, and those of derived or implemented
/// traits. An operation named like one gets a suffix (E0592 otherwise). The test
/// `codegen/tests/reserved_names.rs` reads the runtime's `impl Client` blocks and fails when a
/// method is missing here.
pub const CLIENT_METHODS: &[&str] = &[
    // generated/mod.rs
    "new",
    "builder",
    "from_env",
    // runtime/*.rs (inherent methods of Client, private ones too: any of them clashes)
    "http",
    "client_credentials",
    "base_url",
    "max_retries",
    "timeout",
    "builder_for",
    "builder_from_env",
    "url_for",
    "execute",
    "send_with_retries",
    "backoff",
    "prepare",
    "attempt_request",
    "apply_auth",
    "has_credentials",
    "api_key_named",
    "execute_at",
    "execute_to",
    // oauth/token_source.rs
    "oauth",
    // Clone, Debug
    "clone",
    "fmt",
];

/// Every method and field a request builder has besides its parameters' setters: those of
/// `request_builder!` (`runtime/macros.rs`, checked by the same test), the ones the emitter
/// writes (`parts`, `decode`, `body`, `encoding`, the `client` and `options`
/// fields), and those of derived traits. A parameter named like one gets a `_param` suffix.
pub const BUILDER_METHODS: &[&str] = &[
    // runtime/macros.rs
    "send",
    "items",
    "pages",
    "header",
    "query_param",
    "timeout",
    "max_retries",
    "into_future",
    "idempotent",
    "max_response_bytes",
    "total_timeout",
    "send_typed",
    "send_data",
    "send_with_response",
    // emit/operations.rs
    "parts",
    "decode",
    "body",
    "encoding",
    "client",
    "options",
    // Clone, Debug
    "clone",
    "fmt",
];

/// The field that holds the members a schema does not list (`additionalProperties`); a property
/// with the same name gets a suffix.
pub const ADDITIONAL_PROPERTIES_FIELD: &str = "additional_properties";

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Treats "OAuth" as one word, so `ListOAuthClients` becomes `list_oauth_clients`, not
/// `list_o_auth_clients`.
/// Also keeps a plural acronym together: `URLs` → `urls`, `IPs` → `ips` (not `ur_ls`, `i_ps`).
fn prepare(raw: &str) -> String {
    let raw = raw.replace("OAuth", "Oauth");
    let chars: Vec<char> = raw.chars().collect();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        while i < chars.len() && chars[i].is_ascii_uppercase() {
            i += 1;
        }
        let run = i - start;
        let plural = run >= 2 && chars.get(i) == Some(&'s') && chars.get(i + 1).is_none_or(|c| !c.is_ascii_lowercase());
        out.extend(&chars[start..i]);
        if plural {
            out.push('S');
            i += 1;
        } else if i == start {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Keeps only ASCII letters, digits and separators, so identifiers stay ASCII.
fn ascii_words(raw: &str) -> String {
    raw.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect()
}

/// `UpperCamelCase` for a type or variant; "" when nothing usable is left.
pub fn camel(raw: &str) -> String {
    memo(&CAMEL, raw, |raw| restore_oauth(&ascii_words(&prepare(raw)).to_upper_camel_case()))
}

/// Names already made on this thread, by case. A document repeats the same property and schema
/// names thousands of times (`id`, `created_at`, `record_type`), and heck writes every character
/// through `core::fmt`: looking a name up costs a fraction of making it again. The functions are
/// pure, so a memo cannot change a name; it is cleared when it reaches [`MEMO_LIMIT`] entries so
/// that a long-lived process generating many documents keeps bounded memory.
type Memo = std::cell::RefCell<std::collections::HashMap<Box<str>, String>>;

const MEMO_LIMIT: usize = 1 << 16;

thread_local! {
    static CAMEL: Memo = Memo::default();
    static SNAKE: Memo = Memo::default();
}

fn memo(cache: &'static std::thread::LocalKey<Memo>, raw: &str, make: fn(&str) -> String) -> String {
    cache.with(|cache| {
        if let Some(name) = cache.borrow().get(raw) {
            return name.clone();
        }
        let name = make(raw);
        let mut cache = cache.borrow_mut();
        if cache.len() >= MEMO_LIMIT {
            cache.clear();
        }
        cache.insert(raw.into(), name.clone());
        name
    })
}

fn restore_oauth(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len());
    let bytes = camel.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if camel[i..].starts_with("Oauth") {
            let next = bytes.get(i + 5);
            if next.is_none_or(|b| !b.is_ascii_lowercase()) {
                out.push_str("OAuth");
                i += 5;
                continue;
            }
        }
        out.push(bytes[i] as char);
        i += 1;
    }
    out
}

/// `snake_case` for a function, field or argument; "" when nothing usable is left.
pub fn snake(raw: &str) -> String {
    memo(&SNAKE, raw, |raw| ascii_words(&prepare(raw)).to_snake_case())
}

/// A valid field, argument or function identifier (keywords become raw identifiers).
pub fn ident_snake(raw: &str, fallback: &str) -> String {
    let mut name = snake(raw);
    if name.is_empty() {
        name = fallback.to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    escape_keyword(name)
}

/// A valid type or variant identifier.
pub fn ident_camel(raw: &str, fallback: &str) -> String {
    let mut name = camel(raw);
    if name.is_empty() {
        name = fallback.to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    escape_keyword(name)
}

/// A Rust keyword (strict or reserved), which a plain identifier cannot be.
pub(crate) fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

fn escape_keyword(name: String) -> String {
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// `name` with a suffix such as `_param`, without doubling an escaping underscore
/// (`self_` → `self_param`, not `self__param`, which `non_snake_case` rejects).
pub fn suffixed(name: &str, suffix: &str) -> String {
    format!("{}{suffix}", unraw(name).trim_end_matches('_'))
}

/// The plain form of a possibly raw identifier (`r#type` → `type`).
pub fn unraw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// `ConsentScopes` → `ConsentScope`, `Policies` → `Policy`: a name for one item of a list.
pub fn singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies") {
        format!("{stem}y")
    } else if name.ends_with("ss") || name.ends_with("us") {
        format!("{name}Item")
    } else if let Some(stem) = name.strip_suffix('s') {
        stem.to_owned()
    } else {
        format!("{name}Item")
    }
}

/// Hands out names unique within one scope, adding `2`, `3`, ... on collision.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    used: HashSet<String>,
}

impl Scope {
    /// A scope where `reserved` are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Self { used: reserved.iter().map(|s| (*s).to_owned()).collect() }
    }

    /// Whether `name` is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.used.contains(unraw(name))
    }

    /// Claims `base`, or `base2`, `base3`, ... if taken (`V1_2` after a digit; an escaped
    /// type name `Self_` continues as `Self2`, since `non_camel_case_types` rejects `Self_2`).
    pub fn claim(&mut self, base: &str) -> String {
        if self.used.insert(unraw(base).to_owned()) {
            return base.to_owned();
        }
        let plain = unraw(base);
        let plain =
            if plain.starts_with(|c: char| c.is_ascii_uppercase()) { plain.trim_end_matches('_') } else { plain };
        let sep = if plain.ends_with(|c: char| c.is_ascii_digit()) { "_" } else { "" };
        (2..)
            .map(|n| format!("{plain}{sep}{n}"))
            .find(|candidate| self.used.insert(candidate.clone()))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memo_gives_the_names_heck_gives_and_stays_bounded() {
        let made = |raw: &str| restore_oauth(&ascii_words(&prepare(raw)).to_upper_camel_case());
        for raw in ["ListOAuthClients", "page[size]", "Global IPs"] {
            assert_eq!(camel(raw), made(raw), "first use of {raw}");
            assert_eq!(camel(raw), made(raw), "memoized {raw}");
            assert_eq!(snake(raw), ascii_words(&prepare(raw)).to_snake_case(), "{raw}");
        }
        for i in 0..=MEMO_LIMIT {
            let raw = format!("Name{i}");
            assert_eq!(camel(&raw), raw);
        }
        let len = CAMEL.with(|cache| cache.borrow().len());
        assert!(len > 0 && len < MEMO_LIMIT, "the memo holds {len} names");
        assert_eq!(camel("ListOAuthClients"), "ListOAuthClients", "after a clear");
    }

    #[test]
    fn names_read_like_hand_written_rust() {
        let cases = [
            ("ListOAuthClients", "list_oauth_clients", "ListOAuthClients"),
            ("GetOAuthJWKS", "get_oauth_jwks", "GetOAuthJwks"),
            ("oauth_Error", "oauth_error", "OAuthError"),
            ("page[size]", "page_size", "PageSize"),
            (
                "filter[allowed_grant_types][contains]",
                "filter_allowed_grant_types_contains",
                "FilterAllowedGrantTypesContains",
            ),
            ("JWKSet", "jwk_set", "JwkSet"),
            ("S256", "s256", "S256"),
            ("Presigned Object URLs", "presigned_object_urls", "PresignedObjectUrls"),
            ("Global IPs", "global_ips", "GlobalIps"),
            ("ListFQDNsResponse", "list_fqdns_response", "ListFqdnsResponse"),
            ("IDs", "ids", "Ids"),
        ];
        for (raw, s, c) in cases {
            assert_eq!(snake(raw), s, "snake of {raw}");
            assert_eq!(camel(raw), c, "camel of {raw}");
        }
    }

    #[test]
    fn identifiers_are_always_valid() {
        assert_eq!(ident_snake("type", "f"), "r#type");
        assert_eq!(ident_snake("self", "f"), "self_");
        assert_eq!(ident_snake("123abc", "f"), "_123abc");
        assert_eq!(ident_snake("日本", "field"), "field");
        assert_eq!(ident_camel("Self", "T"), "Self_");
        assert_eq!(ident_camel("2xx", "T"), "V2xx");
    }

    #[test]
    fn scope_suffixes_collisions() {
        let mut scope = Scope::default();
        assert_eq!(scope.claim("Name"), "Name");
        assert_eq!(scope.claim("Name"), "Name2");
        assert_eq!(scope.claim("V1"), "V1");
        assert_eq!(scope.claim("V1"), "V1_2");
    }

    #[test]
    fn suffixes_after_an_escape_keep_the_case_lints_quiet() {
        let mut scope = Scope::default();
        assert_eq!(scope.claim("Self_"), "Self_");
        assert_eq!(scope.claim("Self_"), "Self2");
        assert_eq!(scope.claim("self_"), "self_");
        assert_eq!(scope.claim("self_"), "self_2");
        assert_eq!(suffixed("self_", "_param"), "self_param");
        assert_eq!(suffixed("r#type", "_param"), "type_param");
    }
}
