use std::fmt;

/// A place in the spec: the file as the caller named it and a JSON pointer into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file name given in [`crate::Options::spec_path`], or for text read from another
    /// file through a `$ref`, that file's path relative to it (`spec/schemas/pet.yaml`).
    pub file: String,
    /// An RFC 6901 JSON pointer (`/paths/~1oauth~1token/post`), or `line:column` for syntax errors.
    pub pointer: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.starts_with('/') || self.pointer.is_empty() {
            write!(f, "{}#{}", self.file, self.pointer)
        } else {
            write!(f, "{}:{}", self.file, self.pointer)
        }
    }
}

/// Why a spec could not be turned into code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text is not valid YAML or JSON.
    Syntax,
    /// The document is not an OpenAPI 3.0/3.1 document we can read.
    Invalid,
    /// The document uses a construct the generator does not support.
    Unsupported,
    /// A defect in the generator itself (for example emitted code that does not parse); never
    /// the spec's fault, always a bug to report.
    Internal,
}

/// A located generator error: `spec/x.yaml#/paths/~1a/get: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What kind of problem it is.
    pub kind: ErrorKind,
    /// Where it is.
    pub location: Location,
    /// What is wrong, in lowercase without a trailing period.
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            ErrorKind::Syntax => "syntax error",
            ErrorKind::Invalid => "invalid spec",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Internal => "internal error",
        };
        write!(f, "{}: {kind}: {}", self.location, self.message)
    }
}

impl std::error::Error for Error {}

/// Builds JSON pointers and errors for one spec file.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub file: String,
}

impl Ctx {
    pub fn err(&self, kind: ErrorKind, pointer: &str, message: impl Into<String>) -> Error {
        Error {
            kind,
            location: Location { file: self.file.clone(), pointer: pointer.to_owned() },
            message: message.into(),
        }
    }

    pub fn invalid(&self, pointer: &str, message: impl Into<String>) -> Error {
        self.err(ErrorKind::Invalid, pointer, message)
    }

    pub fn unsupported(&self, pointer: &str, message: impl Into<String>) -> Error {
        self.err(ErrorKind::Unsupported, pointer, message)
    }
}

/// Appends one reference token to a JSON pointer, escaping `~` and `/` (RFC 6901).
pub(crate) fn ptr(base: &str, token: &str) -> String {
    let mut out = String::with_capacity(base.len() + token.len() + 1);
    out.push_str(base);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}
