//! Telnyx OAuth 2.0 API client.
#![warn(missing_docs)]

pub mod runtime;

pub use runtime::{ApiError, ApiResponse, Client, ClientBuilder, Error, Page, RequestOptions, Result, Secret};
