//! What users compile: the procedural macros in `telnyx-oauth`'s normal dependency graph.
//!
//! Each proc-macro crate is a compile-time cost every user pays (it is built, loaded and run
//! before their code compiles, and most bring a `syn` of their own). The list below is the budget;
//! a new entry is a decision to make on purpose, not by a default feature.

use std::process::Command;

/// The proc-macro packages (name only) in the normal graph of `telnyx-oauth` with FEATURES.
fn proc_macros(features: &[&str]) -> Vec<String> {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let mut command = Command::new(env!("CARGO"));
    command.args(["tree", "--manifest-path", manifest, "-p", "telnyx-oauth", "-e", "normal", "--prefix", "none"]);
    command.args(["--format", "{p}", "--locked", "--offline"]);
    command.args(features);
    let output = command.output().expect("cargo tree runs");
    assert!(output.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&output.stderr));
    let mut names: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| line.contains("(proc-macro)"))
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// serde's derive and thiserror's are ours; the rest come with `url` (ICU's derives) and,
/// with `jwt`, with the elliptic-curve crates.
const DEFAULT_BUDGET: &[&str] =
    &["displaydoc", "serde_derive", "thiserror-impl", "yoke-derive", "zerofrom-derive", "zerovec-derive"];

#[test]
fn the_default_features_compile_no_proc_macro_beyond_the_budget() {
    assert_eq!(proc_macros(&[]), DEFAULT_BUDGET);
}

#[test]
fn tracing_is_used_without_its_attribute_macro() {
    // `tracing`'s default features build `tracing-attributes` and a second `syn` (2.x beside the
    // 3.x serde uses) for `#[instrument]`, which nothing here uses.
    let all = proc_macros(&["--all-features"]);
    assert!(!all.iter().any(|name| name == "tracing-attributes"), "{all:?}");
    let none = proc_macros(&["--no-default-features"]);
    assert!(!none.iter().any(|name| name == "tracing-attributes"), "{none:?}");
}
