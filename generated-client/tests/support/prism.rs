//! Starts and stops Prism (`@stoplight/prism-cli`, pinned in `tools/prism/`) for contract tests.
//!
//! One [`Prism`] is one `prism mock` child process serving our `spec/` document on 127.0.0.1 at a
//! free port. Dropping it kills the child's whole process group and reaps it, also when the test
//! panics; on Linux the child additionally gets SIGKILL if the thread that started it dies
//! without running destructors (a test binary killed from outside), so no node process outlives
//! the test.
//!
//! Without `tools/prism/node_modules` (run `npm ci --prefix tools/prism`) or without `node`,
//! [`Prism::available`] says why; the tests then skip, unless `CI=true`, where they fail.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How Prism makes up responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The spec's examples (or examples Prism derives from the schema, which are fixed).
    Static,
    /// Random but schema-valid responses (`-d`), reproducible with the given `--seed`.
    Dynamic { seed: u32 },
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mode::Static => f.write_str("static"),
            Mode::Dynamic { seed } => write!(f, "dynamic seed {seed}"),
        }
    }
}

/// How long Prism may take to answer its first request (it takes about a second; CI may be
/// busy compiling in parallel).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(45);

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("crate has a parent directory").to_path_buf()
}

/// The OpenAPI document Prism serves: ours, never the reference copy.
pub fn spec_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/telnyx-oauth.openapi.yaml")
}

/// The pinned Prism launcher installed by `npm ci --prefix tools/prism`.
pub fn prism_bin() -> PathBuf {
    workspace_root().join("tools/prism/node_modules/.bin/prism")
}

/// Whether `CI=true`: missing tools then fail the test instead of skipping it.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true"))
}

/// `Ok(())` when Prism can be started here, or the reason it cannot.
pub fn available() -> Result<(), String> {
    let bin = prism_bin();
    if !bin.exists() {
        return Err(format!("{} is missing: run `npm ci --prefix tools/prism`", bin.display()));
    }
    match Command::new("node").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("`node --version` failed ({status})")),
        Err(e) => Err(format!("node is not runnable: {e}")),
    }
}

/// Returns `true` when the calling test should go on; prints why and returns `false` when it
/// should skip. Panics in CI (`CI=true`), where skipping is not allowed.
pub fn require(test: &str) -> bool {
    match available() {
        Ok(()) => true,
        Err(reason) if in_ci() => panic!("{test}: Prism is required when CI=true, but {reason}"),
        Err(reason) => {
            eprintln!("SKIPPED {test}: {reason}");
            false
        }
    }
}

/// A running Prism mock server. Killed (with its process group) on drop.
#[derive(Debug)]
pub struct Prism {
    child: Option<Child>,
    addr: SocketAddr,
    mode: Mode,
    log: PathBuf,
    spawned: Instant,
    /// How long it took from spawn to the first answer.
    startup: Option<Duration>,
}

impl Prism {
    /// Spawns Prism without waiting for it; call [`Prism::wait_ready`] before use. Spawning
    /// several first and then waiting lets them start in parallel.
    pub fn spawn(mode: Mode) -> Prism {
        let port = free_port();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let log = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "prism-{}-{port}.log",
            match mode {
                Mode::Static => "static".to_owned(),
                Mode::Dynamic { seed } => format!("dynamic-{seed}"),
            }
        ));
        let out = File::create(&log).unwrap_or_else(|e| panic!("cannot create {}: {e}", log.display()));
        let err = out.try_clone().expect("log file handle");
        let mut command = Command::new(prism_bin());
        command
            .arg("mock")
            .arg("--host")
            .arg("127.0.0.1")
            .arg("--port")
            .arg(port.to_string())
            // `--errors` is left off: request violations are reported through the
            // `sl-violations` header and Prism's own 4xx answers, which the tests check.
            .arg("--verboseLevel")
            .arg("info");
        if let Mode::Dynamic { seed } = mode {
            command.arg("--dynamic").arg("--seed").arg(seed.to_string());
        }
        command
            .arg(spec_path())
            .current_dir(workspace_root())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            // Prism needs no network; keep npm's and analytics packages quiet.
            .env("SCARF_ANALYTICS", "false")
            .env("DO_NOT_TRACK", "1")
            .env("NO_COLOR", "1");
        crate::child_process::die_with_parent(&mut command);
        let child = command.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", prism_bin().display()));
        Prism { child: Some(child), addr, mode, log, spawned: Instant::now(), startup: None }
    }

    /// Starts Prism and waits until it answers.
    pub fn start(mode: Mode) -> Prism {
        let mut prism = Prism::spawn(mode);
        prism.wait_ready();
        prism
    }

    /// Blocks until Prism answers HTTP. Restarts it on another port if it exited early (for
    /// instance because the free port was taken in between); panics with its log otherwise.
    pub fn wait_ready(&mut self) {
        for attempt in 1..=3 {
            match self.poll_ready() {
                Ok(()) => {
                    self.startup = Some(self.spawned.elapsed());
                    return;
                }
                Err(reason) if attempt < 3 && reason.starts_with("exited") => {
                    eprintln!("prism ({}) {reason}; restarting on another port", self.mode);
                    let mode = self.mode;
                    self.kill();
                    *self = Prism::spawn(mode);
                }
                Err(reason) => panic!("prism ({}) did not come up: {reason}\n{}", self.mode, self.log_tail(60)),
            }
        }
    }

    fn poll_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                return Err(format!("exited with {status} before answering"));
            }
            if answers_http(self.addr) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("no answer on {} within {STARTUP_TIMEOUT:?}", self.addr));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `http://127.0.0.1:PORT`, with no path: Prism serves every operation at its root.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How long Prism took to answer its first request (after [`Prism::wait_ready`]).
    pub fn startup(&self) -> Option<Duration> {
        self.startup
    }

    /// The mode this server runs in.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The last `lines` lines of Prism's log, for failure messages.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        let start = all.len().saturating_sub(lines);
        format!("--- {} (last {} lines) ---\n{}", self.log.display(), all.len() - start, all[start..].join("\n"))
    }

    fn kill(&mut self) {
        let Some(mut child) = self.child.take() else { return };
        kill_group(&mut child);
        let _ = child.wait();
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind an ephemeral port on 127.0.0.1");
    listener.local_addr().expect("local address").port()
}

/// True once something on `addr` answers a plain HTTP request with a status line.
fn answers_http(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /oauth/jwks HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.")
}

#[cfg(unix)]
#[allow(unsafe_code)] // kill(2) on a process group has no safe std equivalent
fn kill_group(child: &mut Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: plain kill(2) on the group we created for this child.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
}

#[cfg(not(unix))]
fn kill_group(child: &mut Child) {
    let _ = child.kill();
}
