//! Starts `oidc-provider` (panva's OpenID Certified authorization server, pinned in
//! `tools/oidc/`, installed by `npm ci --prefix tools/oidc`) once per test binary, and a tiny
//! scripted "browser" (reqwest without redirects, plus a cookie jar) that walks its login,
//! consent and device verification pages.
//!
//! Without `tools/oidc/node_modules` or `node`, [`require`] prints why and the tests skip,
//! unless `CI=true`, where they fail.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{mpsc, OnceLock};
use std::time::Duration;

use url::Url;

/// The clients configured in `tools/oidc/server.mjs`.
pub const BASIC_CLIENT_ID: &str = "basic client:1";
/// A secret full of characters that RFC 6749 §2.3.1 form-encoding changes.
pub const BASIC_CLIENT_SECRET: &str = "a b:c%+/=&?";
pub const POST_CLIENT_ID: &str = "post-client";
pub const POST_CLIENT_SECRET: &str = "post secret/+=&";
pub const PUBLIC_CLIENT_ID: &str = "public-pkce";
pub const REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";

const STARTUP_TIMEOUT: Duration = Duration::from_secs(45);

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("crate has a parent directory").to_path_buf()
}

fn server_script() -> PathBuf {
    workspace_root().join("tools/oidc/server.mjs")
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true"))
}

/// `Ok(())` when the server can be started here, or the reason it cannot.
pub fn available() -> Result<(), String> {
    let module = workspace_root().join("tools/oidc/node_modules/oidc-provider/package.json");
    if !module.exists() {
        return Err(format!("{} is missing: run `npm ci --prefix tools/oidc`", module.display()));
    }
    match Command::new("node").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("`node --version` failed ({status})")),
        Err(e) => Err(format!("node is not runnable: {e}")),
    }
}

/// The running server's issuer (`http://127.0.0.1:PORT`), starting it on first use; `None`
/// (after printing why) when the test should skip. Panics when `CI=true` and it cannot run.
pub fn require(test: &str) -> Option<&'static str> {
    if let Err(reason) = available() {
        if in_ci() {
            panic!("{test}: oidc-provider is required when CI=true, but {reason}");
        }
        eprintln!("SKIPPED {test}: {reason}");
        return None;
    }
    static ISSUER: OnceLock<Result<String, String>> = OnceLock::new();
    match ISSUER.get_or_init(start) {
        Ok(issuer) => Some(issuer.as_str()),
        Err(e) => panic!("{test}: oidc-provider did not start: {e}"),
    }
}

/// Spawns the server from a thread that lives as long as the test binary: on Linux the child
/// gets SIGKILL when that thread dies (PR_SET_PDEATHSIG), i.e. when the binary exits.
fn start() -> Result<String, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("oidc-provider".into())
        .spawn(move || {
            let log =
                PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("oidc-provider-{}.log", std::process::id()));
            let spawned =
                File::create(&log).map_err(|e| format!("cannot create {}: {e}", log.display())).and_then(|err| {
                    let mut command = Command::new("node");
                    command
                        .arg(server_script())
                        .current_dir(workspace_root())
                        .stdin(Stdio::null())
                        .stdout(Stdio::piped())
                        .stderr(err);
                    crate::child_process::die_with_parent(&mut command);
                    command.spawn().map_err(|e| format!("cannot start node: {e}"))
                });
            let mut child = match spawned {
                Ok(child) => child,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            let stdout = child.stdout.take().expect("piped stdout");
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let first = reader.read_line(&mut line);
            let answer = match (first, line.trim().strip_prefix("listening ")) {
                (Ok(_), Some(issuer)) => Ok(issuer.to_owned()),
                _ => Err(format!(
                    "no `listening` line (got {line:?}); log:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )),
            };
            let ok = answer.is_ok();
            let _ = tx.send(answer);
            if ok {
                // Keep reading its stdout into the log (a closed pipe would kill it with EPIPE)
                // and keep this thread, and so the child, alive until the process exits.
                if let Ok(mut out) = std::fs::OpenOptions::new().append(true).open(&log) {
                    let _ = std::io::copy(&mut reader, &mut out);
                }
            }
            let _ = child.kill();
            let _ = child.wait();
        })
        .map_err(|e| e.to_string())?;
    rx.recv_timeout(STARTUP_TIMEOUT).map_err(|e| format!("no answer within {STARTUP_TIMEOUT:?}: {e}"))?
}

/// A page of the server: status, `Location` (resolved), body.
#[derive(Debug)]
pub struct Page {
    pub url: Url,
    pub status: u16,
    pub location: Option<Url>,
    pub body: String,
}

/// A form: where it posts, and its inputs' names and values (in order).
#[derive(Debug, Clone)]
pub struct Form {
    pub action: Url,
    pub fields: Vec<(String, String)>,
}

impl Form {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn set(&mut self, name: &str, value: &str) {
        match self.fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value.to_owned(),
            None => self.fields.push((name.to_owned(), value.to_owned())),
        }
    }
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The first `<form>` of `page` with its `<input>`s (hidden or text), if it has one.
pub fn first_form(page: &Page) -> Option<Form> {
    let body = &page.body;
    let start = body.find("<form")?;
    let end = body[start..].find("</form>").map(|e| e + start).unwrap_or(body.len());
    let form = &body[start..end];
    let tag_end = form.find('>')?;
    let action = attr(&form[..tag_end], "action").unwrap_or_default();
    let action = page.url.join(&action).ok()?;
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find("<input") {
        let tag_len = rest[i..].find('>').unwrap_or(rest.len() - i);
        let tag = rest[i..i + tag_len].replace(['\n', '\t'], " ");
        if let Some(name) = attr(&tag, "name") {
            fields.push((name, attr(&tag, "value").unwrap_or_default()));
        }
        rest = &rest[i + tag_len..];
    }
    Some(Form { action, fields })
}

/// A scripted user agent: no automatic redirects, cookies kept by name (the server's cookies
/// do not collide across paths).
pub struct Browser {
    http: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .build()
            .expect("a reqwest client");
        Self { http, cookies: BTreeMap::new() }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder, url: Url) -> Page {
        let mut request = request;
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            request = request.header(reqwest::header::COOKIE, jar.join("; "));
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("browser request to {url} failed: {e}"));
        for value in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            let pair = value.split(';').next().unwrap_or("");
            let Some((name, val)) = pair.split_once('=') else { continue };
            let expired = value.to_ascii_lowercase().contains("expires=thu, 01 jan 1970");
            if val.is_empty() || expired {
                self.cookies.remove(name.trim());
            } else {
                self.cookies.insert(name.trim().to_owned(), val.to_owned());
            }
        }
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| url.join(l).ok());
        let body = response.text().await.unwrap_or_default();
        Page { url, status, location, body }
    }

    pub async fn get(&mut self, url: &Url) -> Page {
        let request = self.http.get(url.clone());
        self.send(request, url.clone()).await
    }

    pub async fn submit(&mut self, form: &Form) -> Page {
        let request = self.http.post(form.action.clone()).form(&form.fields);
        self.send(request, form.action.clone()).await
    }

    /// Walks from `start`: follows redirects, and on a page with a form lets `fill` complete
    /// it before posting it. Stops at a redirect to [`REDIRECT_URI`] (returned as the URL the
    /// app would receive) or at a page without a form (returned as `Err(page)`).
    pub async fn walk(&mut self, start: &Url, mut fill: impl FnMut(&mut Form)) -> Result<Url, Page> {
        let mut page = self.get(start).await;
        for _ in 0..30 {
            if let Some(location) = page.location.clone() {
                if location.as_str().starts_with(REDIRECT_URI) {
                    return Ok(location);
                }
                page = self.get(&location).await;
                continue;
            }
            let Some(mut form) = first_form(&page) else { return Err(page) };
            fill(&mut form);
            page = self.submit(&form).await;
        }
        panic!("the browser walk did not finish in 30 steps; last page {} {}: {}", page.url, page.status, page.body);
    }
}

/// Fills the scripted login page as `user` and approves the consent page.
pub fn log_in_and_approve(user: &'static str) -> impl FnMut(&mut Form) {
    move |form: &mut Form| {
        if form.get("step") == Some("login") {
            form.set("login", user);
        }
    }
}
