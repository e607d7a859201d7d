//! Telnyx OAuth client.
