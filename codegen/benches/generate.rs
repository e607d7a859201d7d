//! Generation time, split into stages, next to the parse-only floor.
//!
//! `cargo bench -p codegen --bench generate`
//!
//! Inputs:
//! - `spec/telnyx-oauth.openapi.yaml` (always);
//! - the full Telnyx document, `../shared/reference/telnyx-full.openapi.yaml` relative to the
//!   workspace root, or the file named by `TELNYX_FULL_SPEC`. Optional: skipped with a message
//!   when absent.
//!
//! Stages measured for each document (same run, so their ratios are meaningful):
//! - `floor_yaml_to_json_value`: `serde_yaml` straight into a `serde_json::Value` (no OpenAPI
//!   model, no validation): the least any YAML-reading generator must spend;
//! - `parse_to_ir`: `codegen::parse`, stages 1-4 of the list in `codegen/src/lib.rs` (load,
//!   bundle, 3.1 normalization into openapiv3, lowering to the IR);
//! - `generate`: `codegen::generate` (the above + stage 5, `quote!` emission, + stage 6,
//!   printing of every file by `codegen`'s own renderer).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_main, Criterion};

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn options(skip_unsupported: bool) -> codegen::Options {
    codegen::Options {
        spec_path: "bench.yaml".into(),
        env_prefix: "TELNYX".into(),
        regen_command: "cargo bench".into(),
        standalone_crate: None,
        skip_unsupported,
        ..codegen::Options::default()
    }
}

fn full_spec_path() -> PathBuf {
    std::env::var_os("TELNYX_FULL_SPEC")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared/reference/telnyx-full.openapi.yaml"))
}

fn stages(c: &mut Criterion, group: &str, text: &str, skip_unsupported: bool, heavy: bool) {
    let opts = options(skip_unsupported);
    // Fail loudly (not inside the timing loop) if the document does not generate.
    let out = codegen::generate(text, &opts).unwrap_or_else(|e| panic!("{group}: generation failed: {e}"));
    println!(
        "{group}: {} bytes of spec, {} operations, {} types, {} skipped, {} files, {} bytes of Rust",
        text.len(),
        out.operations,
        out.types,
        out.skipped.len(),
        out.files.len(),
        out.files.values().map(String::len).sum::<usize>()
    );
    let mut g = c.benchmark_group(group);
    if heavy {
        g.sample_size(10).measurement_time(Duration::from_secs(30)).warm_up_time(Duration::from_secs(3));
    }
    g.bench_function("floor_yaml_to_json_value", |b| {
        b.iter(|| {
            let v: serde_json::Value = serde_yaml::from_str(black_box(text)).expect("valid YAML");
            v
        })
    });
    g.bench_function("parse_to_ir", |b| b.iter(|| codegen::parse(black_box(text), &opts).expect("parses")));
    g.bench_function("generate", |b| b.iter(|| codegen::generate(black_box(text), &opts).expect("generates")));
    g.finish();
}

fn oauth(c: &mut Criterion) {
    let path = workspace_root().join("spec/telnyx-oauth.openapi.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    stages(c, "oauth_spec", &text, false, false);
}

fn full(c: &mut Criterion) {
    let path = full_spec_path();
    match std::fs::read_to_string(&path) {
        Ok(text) => stages(c, "telnyx_full", &text, true, true),
        Err(e) => {
            println!("skipping telnyx_full: cannot read {} ({e}); set TELNYX_FULL_SPEC to run it", path.display())
        }
    }
}

// `criterion_group!` defines an undocumented `pub fn`; in a private module it is not public API.
mod group {
    criterion::criterion_group!(benches, super::oauth, super::full);
}
criterion_main!(group::benches);
