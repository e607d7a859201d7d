//! Every Rust identifier the generator emits is made here, so names are consistent and valid.

use std::collections::HashSet;

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

/// The text names are made from: every character that is not an ASCII letter or digit becomes
/// a space (so identifiers stay ASCII), "OAuth" is one word (`ListOAuthClients` becomes
/// `list_oauth_clients`, not `list_o_auth_clients`), and a plural acronym stays together
/// (`URLs` → `urls`, `IPs` → `ips`, not `ur_ls`, `i_ps`).
fn prepare(raw: &str) -> Vec<u8> {
    let mut b: Vec<u8> = raw.chars().map(|c| if c.is_ascii_alphanumeric() { c as u8 } else { b' ' }).collect();
    let mut i = 0;
    while i + 5 <= b.len() {
        if &b[i..i + 5] == b"OAuth" {
            b[i + 1] = b'a';
            i += 5;
        } else {
            i += 1;
        }
    }
    let mut i = 0;
    while i < b.len() {
        let start = i;
        while i < b.len() && b[i].is_ascii_uppercase() {
            i += 1;
        }
        let run = i - start;
        if run >= 2 && b.get(i) == Some(&b's') && b.get(i + 1).is_none_or(|c| !c.is_ascii_lowercase()) {
            b[i] = b'S';
            i += 1;
        } else if run == 0 {
            i += 1;
        }
    }
    b
}

/// Calls `word` with each word of `text` (ASCII letters and digits; anything else separates
/// words), splitting where the case changes: after a lowercase letter followed by an uppercase
/// one (`fooBar`), and before the last of several uppercase letters followed by a lowercase one
/// (`JWKSet` → `JWK`, `Set`). These are `heck`'s rules (0.5), which the names were first made
/// with, on the ASCII text [`prepare`] leaves; the test `the_same_names_as_heck` holds them to it.
fn words(text: &[u8], mut word: impl FnMut(&[u8])) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Boundary,
        Lower,
        Upper,
    }
    for part in text.split(|c| !c.is_ascii_alphanumeric()) {
        let mut init = 0;
        let mut mode = Mode::Boundary;
        for i in 0..part.len() {
            let c = part[i];
            let Some(&next) = part.get(i + 1) else {
                word(&part[init..]);
                break;
            };
            let next_mode = if c.is_ascii_lowercase() {
                Mode::Lower
            } else if c.is_ascii_uppercase() {
                Mode::Upper
            } else {
                mode
            };
            if next_mode == Mode::Lower && next.is_ascii_uppercase() {
                word(&part[init..=i]);
                init = i + 1;
                mode = Mode::Boundary;
            } else if mode == Mode::Upper && c.is_ascii_uppercase() && next.is_ascii_lowercase() {
                word(&part[init..i]);
                init = i;
                mode = Mode::Boundary;
            } else {
                mode = next_mode;
            }
        }
    }
}

/// `UpperCamelCase` for a type or variant; "" when nothing usable is left.
pub fn camel(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    words(&prepare(raw), |w| {
        if let Some((first, rest)) = w.split_first() {
            out.push(first.to_ascii_uppercase() as char);
            out.extend(rest.iter().map(|c| c.to_ascii_lowercase() as char));
        }
    });
    restore_oauth(out)
}

/// `Oauth` as a word of its own is written `OAuth`.
fn restore_oauth(camel: String) -> String {
    if !camel.contains("Oauth") {
        return camel;
    }
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
    let mut out = String::with_capacity(raw.len() + 4);
    words(&prepare(raw), |w| {
        if !w.is_empty() {
            if !out.is_empty() {
                out.push('_');
            }
            out.extend(w.iter().map(|c| c.to_ascii_lowercase() as char));
        }
    });
    out
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

    /// The names as they were made with `heck` (0.5) before [`words`] replaced it: the
    /// reference the new code must match exactly, or every generated name could change.
    mod reference {
        use heck::{ToSnakeCase, ToUpperCamelCase};

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
                let plural =
                    run >= 2 && chars.get(i) == Some(&'s') && chars.get(i + 1).is_none_or(|c| !c.is_ascii_lowercase());
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

        fn ascii_words(raw: &str) -> String {
            raw.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect()
        }

        pub(super) fn camel(raw: &str) -> String {
            let camel = ascii_words(&prepare(raw)).to_upper_camel_case();
            super::restore_oauth(camel)
        }

        pub(super) fn snake(raw: &str) -> String {
            ascii_words(&prepare(raw)).to_snake_case()
        }
    }

    #[test]
    fn the_same_names_as_heck() {
        let mut inputs: Vec<String> = [
            "ListOAuthClients",
            "GetOAuthJWKS",
            "oauth_Error",
            "OAuthOAuth",
            "OAuths",
            "xOAuthy",
            "page[size]",
            "JWKSet",
            "Presigned Object URLs",
            "ListFQDNsResponse",
            "IDs",
            "IDsX",
            "HTTPSProxy",
            "already_snake_case",
            "__leading_and_trailing__",
            "with-dashes and.dots",
            "Ünïcödé Straße ΣΑΣ",
            "v2BetaAPIs",
            "2xx",
            "",
            "   ",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        // Every string of up to four characters over an alphabet with each kind of character the
        // rules look at (lowercase, uppercase, `s`/`S`, digit, separators, non-ASCII), and up to
        // six over a smaller one.
        let wide = ['a', 'b', 's', 'A', 'B', 'O', 'S', '1', '_', ' ', 'é', 'Σ'];
        let narrow = ['a', 's', 'A', 'S', '1', '_'];
        for (alphabet, max) in [(&wide[..], 4), (&narrow[..], 6)] {
            let mut level = vec![String::new()];
            for _ in 0..max {
                level = level.iter().flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}"))).collect();
                inputs.extend(level.iter().cloned());
                inputs.extend(level.iter().map(|s| format!("{s}OAuth{s}")));
            }
        }
        for raw in &inputs {
            assert_eq!(snake(raw), reference::snake(raw), "snake of {raw:?}");
            assert_eq!(camel(raw), reference::camel(raw), "camel of {raw:?}");
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
