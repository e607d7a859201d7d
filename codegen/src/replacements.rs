//! Component schemas replaced by hand-written types (`spec/replacements.yaml`), the way
//! progenitor's `with_replacement` and typify's `replace` work: the generator emits
//! `pub use <path> as <Name>;` instead of a type, so a concept the hand-written code already
//! models (an OAuth token response, say) has one type, reachable under both names.
//!
//! This is maintainer configuration, not spec text: still, the path is checked to be a plain Rust
//! path (identifiers separated by `::`) before it becomes code.

use std::collections::BTreeMap;

use crate::error::{Error, ErrorKind, Location};

/// Hand-written types that replace component schemas: `JSON pointer: Rust path`, for example
/// `/components/schemas/TokenResponse: crate::oauth::TokenResponse`, or of a parameter's string
/// enum (`/paths/~1authorize/get/parameters/6/schema: crate::oauth::PkceMethod`). The type must
/// decode and encode everything the schema describes. An entry for a schema the spec does not
/// have is an error.
#[derive(Debug, Clone, Default)]
pub struct Replacements {
    /// How errors name the file (`spec/replacements.yaml`).
    pub path: String,
    /// Rust path by JSON pointer of a component schema.
    pub types: BTreeMap<String, String>,
}

const SCHEMAS: &str = "/components/schemas/";

impl Replacements {
    /// Parses the replacements file (`path` is for error messages). An empty file has no entries.
    pub fn parse(text: &str, path: &str) -> Result<Self, Error> {
        let located = |pointer: &str, message: String| Error {
            kind: ErrorKind::Invalid,
            location: Location { file: path.to_owned(), pointer: pointer.to_owned() },
            message,
        };
        let types: Option<BTreeMap<String, String>> = serde_yaml::from_str(text)
            .map_err(|e| located("", format!("expected a map of JSON pointer to Rust path: {e}")))?;
        let types = types.unwrap_or_default();
        for (pointer, rust_path) in &types {
            let schema = pointer.strip_prefix(SCHEMAS).unwrap_or_default();
            let component = !schema.is_empty() && !schema.contains('/');
            let parameter = pointer.starts_with("/paths/") && pointer.ends_with("/schema");
            if !(component || parameter) {
                return Err(located(
                    pointer,
                    format!(
                        "replacements entry `{pointer}`: the key must be the JSON pointer of a component schema \
                         (`{SCHEMAS}Name`) or of a parameter's string enum schema \
                         (`/paths/.../parameters/N/schema`)"
                    ),
                ));
            }
            if !is_plain_path(rust_path) {
                return Err(located(
                    pointer,
                    format!(
                        "replacements entry `{pointer}`: `{}` is not a plain Rust path such as \
                         `crate::module::Type` (identifiers separated by `::`)",
                        rust_path.escape_debug()
                    ),
                ));
            }
        }
        Ok(Self { path: path.to_owned(), types })
    }
}

/// `crate::a::B`: two or more segments, each an identifier (ASCII letters, digits, `_`, not
/// starting with a digit), keywords only as the leading `crate`.
pub(crate) fn is_plain_path(path: &str) -> bool {
    let segments: Vec<&str> = path.split("::").collect();
    segments.len() >= 2
        && segments.iter().enumerate().all(|(i, s)| {
            let ident = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && *s != "_";
            ident && (!crate::naming::is_keyword(s) || (i == 0 && *s == "crate"))
        })
}
