//! Where an operation is sent: the client's base URL, or the operation's own server.

use url::Url;

use super::client::Client;
use super::error::{Error, Result};
use super::request::Operation;

impl Client {
    /// The URL an operation is sent to.
    pub fn url_for(&self, op: &Operation, path: &str) -> Result<Url> {
        // URL parsing resolves `.` and `..` segments (also `%2e%2e`): a path built by hand must
        // not climb out of the operation's path any more than a generated one can.
        if path.split('/').any(super::request::is_dot_segment) {
            return Err(Error::invalid_input(format!("{}: the path must not contain `.` or `..` segments", op.id)));
        }
        let base = match (op.server, &self.inner.root_base) {
            (Some(server), _) if super::request::is_relative_server(server) => {
                super::request::resolve_relative_server(&self.inner.api_base, server)?
            }
            (Some(server), Some(root)) => {
                let server_url =
                    Url::parse(server).map_err(|e| Error::invalid_input(format!("invalid server `{server}`: {e}")))?;
                let same_host =
                    self.inner.default_host.is_some() && self.inner.default_host.as_deref() == server_url.host_str();
                if same_host {
                    let mut url = root.clone();
                    let joined =
                        format!("{}{}", root.path().trim_end_matches('/'), server_url.path().trim_end_matches('/'));
                    url.set_path(&joined);
                    url
                } else {
                    server_url
                }
            }
            _ => self.inner.api_base.clone(),
        };
        let mut url = base;
        // Sized up front (`format!` would start empty and grow twice).
        let base_path = url.path().trim_end_matches('/');
        let mut joined = String::with_capacity(base_path.len() + path.len());
        joined.push_str(base_path);
        joined.push_str(path);
        url.set_path(&joined);
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::{ApiInfo, Auth};
    use reqwest::Method;

    static INFO: ApiInfo = ApiInfo {
        default_server: "https://api.example.com/v2",
        env_api_key: "RUNTIME_TEST_API_KEY",
        env_base_url: "RUNTIME_TEST_BASE_URL",
        env_client_id: "RUNTIME_TEST_CLIENT_ID",
        env_client_secret: "RUNTIME_TEST_CLIENT_SECRET",
        user_agent: "runtime-test/1.0",
    };

    static API_OP: Operation =
        Operation { id: "List", method: Method::GET, path: "/things", server: None, auth: Auth::None };
    static ROOT_OP: Operation = Operation {
        id: "WellKnown",
        method: Method::GET,
        path: "/.well-known/thing",
        server: Some("https://api.example.com"),
        auth: Auth::None,
    };
    static OTHER_HOST_OP: Operation = Operation {
        id: "Elsewhere",
        method: Method::GET,
        path: "/x",
        server: Some("https://auth.other.com/base"),
        auth: Auth::None,
    };

    fn urls(base_url: Option<&str>) -> [String; 3] {
        let mut builder = Client::builder_for(&INFO);
        if let Some(url) = base_url {
            builder = builder.base_url(url);
        }
        let client = builder.build().expect("client builds");
        [&API_OP, &ROOT_OP, &OTHER_HOST_OP].map(|op| client.url_for(op, op.path).expect("url").to_string())
    }

    #[test]
    fn base_url_layouts() {
        let table: [(Option<&str>, [&str; 3]); 6] = [
            (
                None,
                [
                    "https://api.example.com/v2/things",
                    "https://api.example.com/.well-known/thing",
                    "https://auth.other.com/base/x",
                ],
            ),
            (
                Some("http://127.0.0.1:8080/v2"),
                [
                    "http://127.0.0.1:8080/v2/things",
                    "http://127.0.0.1:8080/.well-known/thing",
                    "https://auth.other.com/base/x",
                ],
            ),
            (
                Some("http://127.0.0.1:8080/v2/"),
                [
                    "http://127.0.0.1:8080/v2/things",
                    "http://127.0.0.1:8080/.well-known/thing",
                    "https://auth.other.com/base/x",
                ],
            ),
            (
                Some("http://proxy.local/telnyx/v2"),
                [
                    "http://proxy.local/telnyx/v2/things",
                    "http://proxy.local/telnyx/.well-known/thing",
                    "https://auth.other.com/base/x",
                ],
            ),
            (
                Some("http://127.0.0.1:4010"),
                ["http://127.0.0.1:4010/things", "http://127.0.0.1:4010/.well-known/thing", "http://127.0.0.1:4010/x"],
            ),
            (
                Some("http://127.0.0.1:4010/mock/"),
                [
                    "http://127.0.0.1:4010/mock/things",
                    "http://127.0.0.1:4010/mock/.well-known/thing",
                    "http://127.0.0.1:4010/mock/x",
                ],
            ),
        ];
        for (base, expected) in table {
            assert_eq!(urls(base), expected.map(str::to_owned), "base URL {base:?}");
        }
    }

    #[test]
    fn hand_built_paths_with_dot_segments_are_refused() {
        let client = Client::builder_for(&INFO).build().expect("client builds");
        for path in ["/things/..", "/things/./x", "/things/%2e%2E", "/things/%252e"] {
            let error = client.url_for(&API_OP, path).expect_err(path);
            assert!(matches!(error, Error::InvalidInput(_)), "{path}: {error:?}");
        }
        assert_eq!(client.url_for(&API_OP, "/things/a..b").expect("url").path(), "/v2/things/a..b");
    }

    #[test]
    fn invalid_base_urls_are_input_errors_without_echoing_the_url() {
        for raw in ["not a url", "ftp://host/v2", "127.0.0.1:4010?api_key=SECRETKEY"] {
            let error = Client::builder_for(&INFO).base_url(raw).build().expect_err("refused");
            assert!(matches!(error, Error::InvalidInput(_)), "{raw}: {error:?}");
            assert!(!error.to_string().contains("SECRETKEY"), "{error}");
        }
    }
}
