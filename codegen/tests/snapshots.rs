//! Snapshot tests of the generated code: one fixture per concern, the error fixtures, and the
//! Telnyx spec itself. Review changes with `cargo insta review`.

use std::path::Path;

fn options(path: &Path) -> codegen::Options {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    codegen::Options { spec_path: format!("fixtures/{name}"), env_prefix: "EXAMPLE".into(), ..Default::default() }
}

/// All generated files of one run, each under a banner with its path.
fn combined(output: &codegen::Output) -> String {
    let mut text = String::new();
    for (path, content) in &output.files {
        text.push_str(&format!("==> {path}\n{content}\n"));
    }
    for skipped in &output.skipped {
        text.push_str(&format!("skipped: {skipped}\n"));
    }
    for warning in &output.warnings {
        text.push_str(&format!("warning: {warning}\n"));
    }
    text
}

#[test]
fn fixtures_generate_the_expected_code() {
    insta::glob!("fixtures/*.yaml", |path| {
        let text = std::fs::read_to_string(path).expect("fixture is readable");
        let output = codegen::generate(&text, &options(path)).unwrap_or_else(|e| panic!("{e}"));
        insta::assert_snapshot!(combined(&output));
    });
}

/// Options for a fixture that is a folder of files (`fixtures/<name>/openapi.yaml`).
fn folder_options(path: &Path) -> codegen::Options {
    let folder = path.parent().and_then(Path::file_name).map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    codegen::Options {
        spec_path: format!("fixtures/{folder}/openapi.yaml"),
        env_prefix: "EXAMPLE".into(),
        ..Default::default()
    }
}

/// The entry file of every folder fixture, by folder name.
fn folder_fixtures() -> Vec<(String, std::path::PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut entries: Vec<(String, std::path::PathBuf)> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(Result::ok)
        .map(|e| (e.file_name().to_string_lossy().to_string(), e.path().join("openapi.yaml")))
        .filter(|(_, entry)| entry.is_file())
        .collect();
    entries.sort();
    entries
}

#[test]
fn folder_fixtures_generate_the_expected_code() {
    let fixtures = folder_fixtures();
    assert!(!fixtures.is_empty(), "there is a multi-file fixture");
    for (name, entry) in fixtures {
        let output = codegen::generate_from_path(&entry, &folder_options(&entry)).unwrap_or_else(|e| panic!("{e}"));
        insta::assert_snapshot!(format!("folder_fixture@{name}"), combined(&output));
    }
}

#[test]
fn folder_fixtures_generate_deterministically() {
    for (_, entry) in folder_fixtures() {
        let first = codegen::generate_from_path(&entry, &folder_options(&entry)).map(|o| combined(&o));
        let second = codegen::generate_from_path(&entry, &folder_options(&entry)).map(|o| combined(&o));
        assert_eq!(first, second, "two runs differ for {}", entry.display());
    }
}

#[test]
fn invalid_specs_fail_with_a_located_error() {
    insta::glob!("fixtures/invalid/*.yaml", |path| {
        match codegen::generate_from_path(path, &options(path)) {
            Ok(_) => panic!("{} generated code but should have failed", path.display()),
            Err(error) => insta::assert_snapshot!(error.to_string()),
        }
    });
}

#[test]
fn telnyx_spec_generates_the_committed_client() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/telnyx-oauth.openapi.yaml");
    let text = std::fs::read_to_string(&spec).expect("spec/ is readable");
    let renames = std::fs::read_to_string(spec.with_file_name("renames.yaml")).expect("spec/renames.yaml is readable");
    let replacements =
        std::fs::read_to_string(spec.with_file_name("replacements.yaml")).expect("spec/replacements.yaml is readable");
    let options = codegen::Options {
        spec_path: "spec/telnyx-oauth.openapi.yaml".into(),
        env_prefix: "TELNYX".into(),
        renames: codegen::Renames::parse(&renames, "spec/renames.yaml").expect("spec/renames.yaml is valid"),
        replacements: codegen::Replacements::parse(&replacements, "spec/replacements.yaml")
            .expect("spec/replacements.yaml is valid"),
        ..Default::default()
    };
    let output = codegen::generate(&text, &options).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.operations, 17, "every Telnyx OAuth operation is generated");
    assert!(output.skipped.is_empty(), "nothing skipped: {:?}", output.skipped);
    insta::assert_snapshot!(combined(&output));
}

#[test]
fn output_is_deterministic() {
    insta::glob!("fixtures/*.yaml", |path| {
        let text = std::fs::read_to_string(path).expect("fixture is readable");
        let first = codegen::generate(&text, &options(path)).map(|o| combined(&o));
        let second = codegen::generate(&text, &options(path)).map(|o| combined(&o));
        assert_eq!(first, second, "two runs differ for {}", path.display());
    });
}

#[test]
fn json_documents_are_accepted_like_yaml() {
    let yaml = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/recursive.yaml"))
        .expect("fixture is readable");
    let value: serde_json::Value = serde_yaml::from_str(&yaml).expect("fixture is YAML");
    let json = serde_json::to_string_pretty(&value).expect("serializable");
    let opts = codegen::Options {
        spec_path: "fixtures/recursive.yaml".into(),
        env_prefix: "EXAMPLE".into(),
        ..Default::default()
    };
    let from_yaml = codegen::generate(&yaml, &opts).map(|o| combined(&o));
    let from_json = codegen::generate(&json, &opts).map(|o| combined(&o));
    assert_eq!(from_yaml, from_json);
}
