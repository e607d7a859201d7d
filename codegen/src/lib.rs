//! OpenAPI 3.0/3.1 to Rust client generator.
