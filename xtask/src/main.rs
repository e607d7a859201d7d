//! Project tasks: `cargo xtask regen | check | check-fixtures [NAME...]`,
//! `cargo xtask generate --spec FILE --out DIR [--crate-name NAME] [--skip-unsupported]`.
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const SPEC: &str = "spec/telnyx-oauth.openapi.yaml";
/// Rust names pinned by the maintainer (JSON pointer → name), read by `regen` and `check`.
const RENAMES: &str = "spec/renames.yaml";
/// Component schemas replaced by hand-written types (JSON pointer → Rust path), read by `regen`
/// and `check` only: a standalone crate from `generate` has no hand-written modules to refer to.
const REPLACEMENTS: &str = "spec/replacements.yaml";
const CLIENT_DIR: &str = "generated-client";
const GENERATED_DIR: &str = "src/generated";
const RUNTIME_DIR: &str = "generated-client/src/runtime";
/// The generated client's public API, relative to `CLIENT_DIR` (see `codegen::manifest`).
const MANIFEST: &str = "api-manifest.txt";
/// Regen adds the API changes it finds under this file's "Unreleased" heading.
const CHANGELOG: &str = "CHANGELOG.md";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("regen") => regen(&root(), Mode::Write),
        Some("check") => regen(&root(), Mode::Check),
        Some("generate") => generate_cmd(&args[1..]),
        Some("check-fixtures") => check_fixtures(&args[1..]),
        _ => Err(format!(
            "usage: cargo xtask <command>\n\
             \n  regen      rewrite {CLIENT_DIR}/{GENERATED_DIR} from {SPEC}\
             \n  check      fail if the generated code differs from what regen would write\
             \n  generate   --spec FILE --out DIR [--crate-name NAME] [--skip-unsupported]: \
             a standalone client crate for any OpenAPI 3.0/3.1 document\
             \n             (an unsupported construct is an error unless --skip-unsupported leaves its operation out)\
             \n  check-fixtures [NAME...]  generate every codegen test fixture (a .yaml file, or a folder with \
             an openapi.yaml), or the named ones, as a standalone crate, build it with warnings denied and run \
             its wire test (NAME.wire.rs);\
             \n                  `cargo test --doc` on the doc_* ones must run no doctest from the spec"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives one level below it).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Write,
    Check,
}

fn telnyx_options(renames: codegen::Renames, replacements: codegen::Replacements) -> codegen::Options {
    codegen::Options {
        spec_path: SPEC.into(),
        env_prefix: "TELNYX".into(),
        regen_command: "cargo xtask regen".into(),
        standalone_crate: None,
        skip_unsupported: false,
        renames,
        replacements,
    }
}

/// The renames file next to a spec, if there is one.
fn read_renames(path: &Path, label: &str) -> Result<codegen::Renames, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => codegen::Renames::parse(&text, label).map_err(|e| e.to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(codegen::Renames::default()),
        Err(e) => Err(format!("cannot read {label}: {e}")),
    }
}

/// The replacements file, if there is one.
fn read_replacements(path: &Path, label: &str) -> Result<codegen::Replacements, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => codegen::Replacements::parse(&text, label).map_err(|e| e.to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(codegen::Replacements::default()),
        Err(e) => Err(format!("cannot read {label}: {e}")),
    }
}

/// Generates the Telnyx client from `root/spec` and writes (or checks)
/// `root/generated-client/src/generated` and the API manifest beside it. Prints what changed in
/// the public API since the committed manifest; `Write` also adds it to `CHANGELOG.md`.
fn regen(root: &Path, mode: Mode) -> Result<(), String> {
    let started = Instant::now();
    let renames = read_renames(&root.join(RENAMES), RENAMES)?;
    let replacements = read_replacements(&root.join(REPLACEMENTS), REPLACEMENTS)?;
    let output = codegen::generate_from_path(&root.join(SPEC), &telnyx_options(renames, replacements))
        .map_err(|e| e.to_string())?;
    report_skipped(&output);
    let dir = root.join(CLIENT_DIR);
    // Without a committed manifest there is nothing to compare with: every item would be "added".
    let changes = match std::fs::read_to_string(dir.join(MANIFEST)) {
        Ok(old_manifest) => codegen::manifest::diff(&old_manifest, &output.manifest),
        Err(_) => {
            println!("no {CLIENT_DIR}/{MANIFEST} yet: the API change report starts from this one");
            Vec::new()
        }
    };
    for change in &changes {
        println!("{change}");
    }
    let mut files = output.files.clone();
    files.insert(MANIFEST.to_owned(), output.manifest.clone());
    let problems = sync_files(&dir, GENERATED_DIR, &files, mode)?;
    match mode {
        Mode::Write => {
            if !changes.is_empty() {
                let path = root.join(CHANGELOG);
                let current = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Changelog\n".to_owned());
                let updated = codegen::manifest::changelog_with(&current, &changes);
                if updated != current {
                    write_atomic(&path, &updated)?;
                }
            }
            println!(
                "regen: {} operations, {} types, {} of {} files written, {} API changes ({} breaking), in {} ms",
                output.operations,
                output.types,
                problems.len(),
                files.len(),
                changes.len(),
                changes.iter().filter(|c| c.class == codegen::manifest::Class::Breaking).count(),
                started.elapsed().as_millis()
            );
            Ok(())
        }
        Mode::Check if problems.is_empty() => {
            println!("check: {} generated files and the API manifest are up to date", output.files.len());
            Ok(())
        }
        Mode::Check => Err(format!(
            "generated code is stale or was edited by hand:\n{}\nrun `cargo xtask regen` and commit the result",
            problems.iter().map(|p| format!("  {CLIENT_DIR}/{p}")).collect::<Vec<_>>().join("\n")
        )),
    }
}

fn report_skipped(output: &codegen::Output) {
    for e in &output.skipped {
        eprintln!("skipped: {e}");
    }
    for e in &output.warnings {
        eprintln!("warning: {e}");
    }
}

/// Makes `dir/<files>` equal `files`, and removes files under `dir/owned` that are not in it.
/// Returns the paths that differed (written in `Write` mode, reported in `Check` mode).
/// Nothing is written until everything is generated; each file is replaced atomically.
fn sync_files(dir: &Path, owned: &str, files: &BTreeMap<String, String>, mode: Mode) -> Result<Vec<String>, String> {
    let mut differing = Vec::new();
    for (rel, content) in files {
        let path = dir.join(rel);
        if !same_content(&path, content) {
            differing.push(rel.clone());
            if mode == Mode::Write {
                write_atomic(&path, content)?;
            }
        }
    }
    let mut existing = Vec::new();
    list_files(dir, Path::new(owned), &mut existing);
    existing.sort();
    for rel in existing.into_iter().filter(|rel| !files.contains_key(rel)) {
        if mode == Mode::Write {
            std::fs::remove_file(dir.join(&rel)).map_err(|e| format!("cannot remove {rel}: {e}"))?;
        }
        differing.push(rel);
    }
    Ok(differing)
}

/// Whether the file at `path` holds exactly `content`; a file of another size is not read.
fn same_content(path: &Path, content: &str) -> bool {
    same_bytes(path, content.len() as u64, content.as_bytes())
}

/// Whether the file at `path` holds exactly the `len` bytes `expected` yields. A file of another
/// size is not read, and neither side is read into memory whole: both are compared a block at a
/// time.
fn same_bytes(path: &Path, len: u64, mut expected: impl std::io::Read) -> bool {
    let Ok(mut file) = std::fs::File::open(path) else { return false };
    if !file.metadata().is_ok_and(|m| m.is_file() && m.len() == len) {
        return false;
    }
    let (mut have, mut want) = ([0u8; 8192], [0u8; 8192]);
    loop {
        match (fill(&mut file, &mut have), fill(&mut expected, &mut want)) {
            (Ok(0), Ok(0)) => return true,
            (Ok(a), Ok(b)) if a == b && have[..a] == want[..b] => {}
            _ => return false,
        }
    }
}

/// Reads into `buf` until it is full or the reader ends; the number of bytes read.
fn fill(reader: &mut impl std::io::Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Every file below `dir/rel`, as paths relative to `dir` with `/` separators.
fn list_files(dir: &Path, rel: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir.join(rel)) else { return };
    for entry in entries.filter_map(Result::ok) {
        let child = rel.join(entry.file_name());
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            list_files(dir, &child, out);
        } else {
            out.push(child.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn write_atomic(path: &Path, content: &str) -> Result<(), String> {
    replace_atomic(path, |tmp| std::fs::write(tmp, content))
}

/// Writes `path` by `write`ing a temporary file beside it and renaming it over `path`.
fn replace_atomic(path: &Path, write: impl FnOnce(&Path) -> std::io::Result<()>) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let tmp = path.with_extension("tmp~");
    write(&tmp).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Copies each `(relative path, source file)` to `dir/<relative path>` unless it already holds
/// the same bytes; returns how many files were written.
fn sync_copies(dir: &Path, sources: &[(String, PathBuf)]) -> Result<usize, String> {
    let mut written = 0;
    for (rel, source) in sources {
        let cannot_read = |e: std::io::Error| format!("cannot read {}: {e}", source.display());
        let file = std::fs::File::open(source).map_err(cannot_read)?;
        let len = file.metadata().map_err(cannot_read)?.len();
        let path = dir.join(rel);
        if !same_bytes(&path, len, file) {
            replace_atomic(&path, |tmp| std::fs::copy(source, tmp).map(drop))?;
            written += 1;
        }
    }
    Ok(written)
}

/// `generate --spec FILE --out DIR [--crate-name NAME] [--skip-unsupported]`: a standalone crate
/// with its own Cargo.toml, the generated code and a copy of the runtime. An operation using an
/// unsupported construct fails the run, unless `--skip-unsupported` asks to leave it out.
fn generate_cmd(args: &[String]) -> Result<(), String> {
    let started = Instant::now();
    let mut spec = None;
    let mut out = None;
    let mut crate_name = None;
    let mut skip_unsupported = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || it.next().cloned().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--spec" => spec = Some(value()?),
            "--out" => out = Some(value()?),
            "--crate-name" => crate_name = Some(value()?),
            "--skip-unsupported" => skip_unsupported = true,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let spec = spec.ok_or("--spec FILE is required")?;
    let out = PathBuf::from(out.ok_or("--out DIR is required")?);
    let crate_name = match crate_name {
        Some(name) => name,
        None => out
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .filter(|n| !n.is_empty())
            .ok_or("cannot derive a crate name from --out; pass --crate-name")?,
    };
    let crate_name = codegen::naming::snake(&crate_name).replace('_', "-");
    if crate_name.is_empty() {
        return Err("the crate name has no usable characters".into());
    }
    let options = codegen::Options {
        spec_path: spec.clone(),
        env_prefix: codegen::naming::snake(&crate_name).to_uppercase(),
        regen_command: format!("cargo xtask generate --spec {spec}"),
        standalone_crate: Some(crate_name.clone()),
        skip_unsupported,
        renames: read_renames(&Path::new(&spec).with_file_name("renames.yaml"), "renames.yaml next to the spec")?,
        replacements: codegen::Replacements::default(),
    };
    let output = codegen::generate_from_path(Path::new(&spec), &options).map_err(|e| e.to_string())?;
    report_skipped(&output);
    let runtime = runtime_sources()?;
    let written = sync_files(&out, GENERATED_DIR, &output.files, Mode::Write)?.len() + sync_copies(&out, &runtime)?;
    println!(
        "generate: {} operations, {} types, {} skipped, {} of {} files written to {}, in {} ms",
        output.operations,
        output.types,
        output.skipped.len(),
        written,
        output.files.len() + runtime.len(),
        out.display(),
        started.elapsed().as_millis()
    );
    Ok(())
}

/// Generates each fixture in `codegen/tests/fixtures` (a `.yaml` file, or a folder of files
/// whose entry is `openapi.yaml`) as a standalone crate under
/// `target/fixtures/` and runs `cargo clippy` on it with warnings denied, sharing one target
/// directory and the workspace's lock file so dependencies build once.
///
/// A fixture `foo.yaml` with a sibling `foo.wire.rs` also gets that file as `tests/wire.rs` (with
/// `wire_server.rs` as `tests/common/mod.rs`, a local HTTP server that records requests) and
/// `cargo test` is run in its crate: the generated code is exercised against a server on
/// 127.0.0.1. `check-fixtures NAME...` checks only the named fixtures.
fn check_fixtures(only: &[String]) -> Result<(), String> {
    let root = root();
    let fixtures = root.join("codegen/tests/fixtures");
    let out_root = root.join("target/fixtures");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .map_err(|e| format!("cannot read {}: {e}", fixtures.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter_map(|p| match p.extension() {
            Some(e) if e == "yaml" => Some(p),
            _ if p.join("openapi.yaml").is_file() => Some(p.join("openapi.yaml")),
            _ => None,
        })
        .filter(|p| {
            let named = if p.ends_with("openapi.yaml") { p.parent().unwrap_or(p) } else { p.as_path() };
            only.is_empty() || named.file_stem().is_some_and(|s| only.iter().any(|o| o.as_str() == s))
        })
        .collect();
    names.sort();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut failed = Vec::new();
    let mut wire_tests = 0;
    for spec in &names {
        let named = if spec.ends_with("openapi.yaml") { spec.parent().unwrap_or(spec) } else { spec };
        let name = named.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
        let out = out_root.join(&name);
        generate_cmd(&[
            "--spec".into(),
            spec.to_string_lossy().to_string(),
            "--out".into(),
            out.to_string_lossy().to_string(),
        ])?;
        std::fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock"))
            .map_err(|e| format!("cannot copy Cargo.lock: {e}"))?;
        let wire = fixtures.join(format!("{name}.wire.rs"));
        let has_wire = install_wire_test(&fixtures, &wire, &out)?;
        let run = |args: &[&str]| {
            std::process::Command::new(&cargo)
                .args(args)
                .current_dir(&out)
                .env("CARGO_TARGET_DIR", out_root.join("target"))
                .status()
                .map_err(|e| format!("cannot run cargo: {e}"))
        };
        let mut ok = run(&["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"])?.success();
        // A crate with tag features also builds warning-free with each of them alone: every type
        // an operation of that tag uses must be compiled, and nothing else may be left unused.
        for feature in tag_features(&out)? {
            if ok {
                ok = run(&[
                    "clippy",
                    "--quiet",
                    "--no-default-features",
                    "--features",
                    &feature,
                    "--",
                    "-D",
                    "warnings",
                ])?
                .success();
            }
        }
        if ok && has_wire {
            wire_tests += 1;
            ok = run(&["test", "--quiet", "--test", "wire"])?.success();
        }
        // The docs build warning-free too: the generator's own links resolve, and the crate's
        // title (spec text) cannot be read as links or HTML.
        if ok {
            ok = std::process::Command::new(&cargo)
                .args(["doc", "--quiet", "--no-deps"])
                .current_dir(&out)
                .env("CARGO_TARGET_DIR", out_root.join("target"))
                .env("RUSTDOCFLAGS", "-D warnings")
                .status()
                .map_err(|e| format!("cannot run cargo: {e}"))?
                .success();
        }
        if !ok {
            failed.push(name);
        } else if name.starts_with("doc_") {
            if let Err(message) = no_spec_doctests(&out, &out_root.join("target")) {
                eprintln!("check-fixtures: {name}: {message}");
                failed.push(name);
            }
        }
    }
    if failed.is_empty() {
        println!(
            "check-fixtures: {} fixture crates build and document warning-free (missing docs denied, each tag feature \
             alone too), {wire_tests} wire tests pass",
            names.len()
        );
        Ok(())
    } else {
        Err(format!("fixture crates failed to build: {}", failed.join(", ")))
    }
}

/// The tag features of a generated crate's `Cargo.toml` (`name = []`; the TLS features enable
/// dependencies' features).
fn tag_features(dir: &Path) -> Result<Vec<String>, String> {
    let manifest = dir.join("Cargo.toml");
    let toml = std::fs::read_to_string(&manifest).map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    Ok(toml.lines().filter_map(|line| line.strip_suffix(" = []")).map(str::to_owned).collect())
}

/// Runs `cargo test --doc` on a generated crate and fails if it fails or if any doctest comes
/// from generated code (spec text must never compile or run; the runtime's own doctests may).
fn no_spec_doctests(dir: &Path, target: &Path) -> Result<(), String> {
    let output = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["test", "--doc", "--all-features"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!("`cargo test --doc` failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr)));
    }
    let from_spec = spec_doctests(&stdout);
    if !from_spec.is_empty() {
        return Err(format!("doctests from the spec ran:\n{}", from_spec.join("\n")));
    }
    println!("check-fixtures: no doctest in {} comes from the spec", dir.display());
    Ok(())
}

/// The doctests in `cargo test --doc` output that are not in the copied runtime.
fn spec_doctests(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|line| line.strip_prefix("test "))
        .filter(|test| test.contains(" - ") && !test.starts_with("src/runtime/"))
        .map(str::to_owned)
        .collect()
}

/// Copies a fixture's wire test (when it has one) into the generated crate, with the shared test
/// server and the dev-dependencies they need. Returns whether there is one.
fn install_wire_test(fixtures: &Path, wire: &Path, out: &Path) -> Result<bool, String> {
    let tests = out.join("tests");
    if !wire.exists() {
        // A fixture whose wire test was removed must not keep running a stale copy.
        if tests.exists() {
            std::fs::remove_dir_all(&tests).map_err(|e| format!("cannot remove {}: {e}", tests.display()))?;
        }
        return Ok(false);
    }
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    write_atomic(&tests.join("wire.rs"), &read(wire)?)?;
    write_atomic(&tests.join("common/mod.rs"), &read(&fixtures.join("wire_server.rs"))?)?;
    let manifest = out.join("Cargo.toml");
    let mut toml = read(&manifest)?;
    if !toml.contains("[dev-dependencies]") {
        toml.push_str(
            "\n[dev-dependencies]\n\
             tokio = { version = \"1\", features = [\"macros\", \"rt\", \"net\", \"io-util\"] }\n",
        );
        write_atomic(&manifest, &toml)?;
    }
    Ok(true)
}

/// The hand-written runtime's files, copied into standalone crates: each one's path in the crate
/// (`src/runtime/client.rs`) and in the workspace, in name order.
fn runtime_sources() -> Result<Vec<(String, PathBuf)>, String> {
    let dir = root().join(RUNTIME_DIR);
    let mut files = Vec::new();
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "rs") {
            files.push((format!("src/runtime/{}", entry.file_name().to_string_lossy()), path));
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// A spec with one supported and one unsupported operation (a multipart body that is not an
    /// object), written to a fresh folder under the system temp dir.
    fn spec_with_unsupported_operation(name: &str) -> (PathBuf, PathBuf) {
        let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let spec = dir.join("openapi.yaml");
        std::fs::write(
            &spec,
            r#"openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /ok:
    get:
      operationId: getOk
      responses: {"204": {description: ok}}
  /upload:
    post:
      operationId: upload
      requestBody:
        content:
          multipart/form-data:
            schema: {type: string}
      responses: {"204": {description: ok}}
"#,
        )
        .expect("spec written");
        (spec, dir.join("out"))
    }

    fn generate(spec: &std::path::Path, out: &std::path::Path, extra: &[&str]) -> Result<(), String> {
        let mut args =
            vec!["--spec".to_owned(), spec.display().to_string(), "--out".to_owned(), out.display().to_string()];
        args.extend(extra.iter().map(|a| a.to_string()));
        super::generate_cmd(&args)
    }

    #[test]
    fn generate_refuses_an_unsupported_construct_by_default() {
        let (spec, out) = spec_with_unsupported_operation("strict");
        let error = generate(&spec, &out, &[]).expect_err("an unsupported operation fails the run");
        assert!(error.contains("openapi.yaml#/paths/~1upload/post") && error.contains("unsupported"), "{error}");
        assert!(!out.exists(), "nothing is written when the run fails");
        let _ = std::fs::remove_dir_all(spec.parent().expect("temp dir"));
    }

    #[test]
    fn generate_skips_unsupported_operations_only_when_asked() {
        let (spec, out) = spec_with_unsupported_operation("lenient");
        generate(&spec, &out, &["--skip-unsupported"]).expect("the unsupported operation is left out");
        let operations =
            std::fs::read_to_string(out.join("src/generated/operations/untagged.rs")).expect("operations written");
        assert!(operations.contains("get_ok") && !operations.contains("fn upload"), "{operations}");
        let _ = std::fs::remove_dir_all(spec.parent().expect("temp dir"));
    }

    #[test]
    fn doctests_outside_the_runtime_are_reported() {
        let stdout = "running 3 tests\ntest src/runtime/error.rs - runtime::error::ApiError (line 20) ... ignored\n\
                      test src/generated/models.rs - generated::models::Item (line 5) ... ok\n\
                      test src/lib.rs - (line 3) ... FAILED\ntest result: ok";
        assert_eq!(
            super::spec_doctests(stdout),
            ["src/generated/models.rs - generated::models::Item (line 5) ... ok", "src/lib.rs - (line 3) ... FAILED"]
        );
    }

    use super::{
        list_files, regen, root, Mode, CHANGELOG, CLIENT_DIR, GENERATED_DIR, MANIFEST, RENAMES, REPLACEMENTS, SPEC,
    };

    /// A scratch copy of what `regen` reads and writes, removed when dropped.
    struct Scratch(std::path::PathBuf);

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn scratch_copy() -> Scratch {
        let dir = std::env::temp_dir().join(format!("xtask-regen-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let root = root();
        let mut files = vec![
            SPEC.to_owned(),
            RENAMES.to_owned(),
            REPLACEMENTS.to_owned(),
            CHANGELOG.to_owned(),
            format!("{CLIENT_DIR}/{MANIFEST}"),
        ];
        let mut generated = Vec::new();
        list_files(&root.join(CLIENT_DIR), Path::new(GENERATED_DIR), &mut generated);
        files.extend(generated.into_iter().map(|f| format!("{CLIENT_DIR}/{f}")));
        for file in files {
            let to = dir.join(&file);
            std::fs::create_dir_all(to.parent().expect("a parent")).expect("scratch dir");
            std::fs::copy(root.join(&file), &to).unwrap_or_else(|e| panic!("copy {file}: {e}"));
        }
        Scratch(dir)
    }

    #[test]
    fn check_fails_on_a_stale_manifest_and_regen_reports_and_records_the_change() {
        let scratch = scratch_copy();
        let dir = &scratch.0;
        regen(dir, Mode::Check).expect("a copy of the committed state is up to date");

        // The committed manifest predates the type `ClientType`.
        let manifest_path = dir.join(CLIENT_DIR).join(MANIFEST);
        let manifest = std::fs::read_to_string(&manifest_path).expect("manifest");
        let block = manifest.find("\ntype ClientType: enum\n").expect("ClientType is in the manifest");
        let end = manifest[block + 1..].find("\n\n").map_or(manifest.len(), |i| block + 1 + i);
        std::fs::write(&manifest_path, format!("{}{}", &manifest[..block], &manifest[end..])).expect("write");

        let error = regen(dir, Mode::Check).expect_err("a stale manifest fails the check");
        assert!(error.contains(&format!("{CLIENT_DIR}/{MANIFEST}")), "{error}");
        let changelog_before = std::fs::read_to_string(dir.join(CHANGELOG)).expect("changelog");

        regen(dir, Mode::Write).expect("regen");
        regen(dir, Mode::Check).expect("up to date after regen");
        assert_eq!(std::fs::read_to_string(&manifest_path).expect("manifest"), manifest);
        let changelog = std::fs::read_to_string(dir.join(CHANGELOG)).expect("changelog");
        let added: Vec<&str> = changelog.lines().filter(|l| !changelog_before.lines().any(|b| b == *l)).collect();
        assert_eq!(added, ["- additive: type `ClientType`"]);

        regen(dir, Mode::Write).expect("regen again");
        assert_eq!(std::fs::read_to_string(dir.join(CHANGELOG)).expect("changelog"), changelog, "nothing added twice");
    }

    /// `cargo test` fails when the committed generated code differs from what regen writes.
    #[test]
    fn a_file_is_the_same_only_with_the_same_bytes() {
        let dir = std::env::temp_dir().join(format!("xtask-same-content-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let path = dir.join("f.rs");
        std::fs::write(&path, "fn a() {}\n").expect("write");
        assert!(super::same_content(&path, "fn a() {}\n"));
        assert!(!super::same_content(&path, "fn b() {}\n"), "same size, other bytes");
        assert!(!super::same_content(&path, "fn a() {}"), "other size");
        assert!(!super::same_content(&dir.join("missing.rs"), ""), "no file");
        assert!(!super::same_content(&dir, ""), "a folder is not a file");
        // Larger than the comparison's block: a difference in a later block counts too.
        let long: String = (0..20_000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
        std::fs::write(&path, &long).expect("write");
        assert!(super::same_content(&path, &long));
        let mut other = long.clone().into_bytes();
        other[15_000] = b'#';
        assert!(!super::same_content(&path, std::str::from_utf8(&other).expect("ascii")), "differs in block 2");
        assert!(super::same_bytes(&path, 20_000, std::fs::File::open(&path).expect("open")), "file against file");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn generated_code_is_up_to_date() {
        if let Err(message) = regen(&root(), Mode::Check) {
            panic!("{message}");
        }
    }
}
