//! The emitted operations are `#[inline]`: compiled in the crate that calls them, not in the
//! generated library for every operation whether called or not (BENCHMARKS.md §8, fourth session).

/// Every `fn` of the operation files of `spec/`'s document, and how many of them are not
/// directly preceded by `#[inline]`.
fn functions_without_inline() -> (usize, Vec<String>) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let spec = std::fs::read_to_string(root.join("spec/telnyx-oauth.openapi.yaml")).expect("spec");
    let output = codegen::generate(&spec, &codegen::Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let (mut functions, mut missing) = (0, Vec::new());
    for (path, code) in output.files.iter().filter(|(path, _)| path.contains("/operations")) {
        let lines: Vec<&str> = code.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let item = line.trim_start().trim_start_matches("pub ");
            if item.starts_with("fn ") {
                functions += 1;
                if i == 0 || lines[i - 1].trim() != "#[inline]" {
                    missing.push(format!("{path}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    (functions, missing)
}

#[test]
fn every_emitted_operation_function_is_inline() {
    let (functions, missing) = functions_without_inline();
    // The client methods, builders, parts, decode and error enums of 17 operations.
    assert!(functions > 17 * 4, "only {functions} functions found in the operation files");
    assert!(missing.is_empty(), "not #[inline]:\n{}", missing.join("\n"));
}
