//! Parameters whose generated code did not compile: an `int32` with bounds beyond its range (the
//! check's literal overflowed `i32`) and list path parameters (`Vec` has no `to_string`).
//! `cargo xtask check-fixtures` builds `fixtures/param_types.yaml`; this test reads the code.

use std::path::Path;

fn operations() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/param_types.yaml");
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    let options = codegen::Options { spec_path: "fixtures/param_types.yaml".into(), ..Default::default() };
    let output = codegen::generate(&text, &options).unwrap_or_else(|e| panic!("{e}"));
    output.files.iter().filter(|(p, _)| p.starts_with("src/generated/operations/")).map(|(_, c)| c.as_str()).collect()
}

fn literals(tokens: proc_macro2::TokenStream, out: &mut Vec<String>) {
    for tt in tokens {
        match tt {
            proc_macro2::TokenTree::Group(g) => literals(g.stream(), out),
            proc_macro2::TokenTree::Literal(l) => out.push(l.to_string()),
            _ => {}
        }
    }
}

#[test]
fn int32_bounds_fit_the_type_and_vacuous_ones_are_dropped() {
    let code = operations();
    let tokens: proc_macro2::TokenStream = code.parse().expect("tokenizes");
    let mut found = Vec::new();
    literals(tokens, &mut found);
    let integers: Vec<i128> = found.iter().filter_map(|l| l.parse::<i128>().ok()).collect();
    assert!(integers.contains(&1) && integers.contains(&100), "the bounds inside the range stay: {integers:?}");
    let outside: Vec<&i128> = integers.iter().filter(|v| i32::try_from(**v).is_err()).collect();
    assert!(outside.is_empty(), "literals beyond i32: {outside:?}");
    assert!(!code.contains("`limit` must"), "a bound beyond the type is always met:\n{code}");
    assert!(code.contains("\"`offset` must be at least 1\""), "{code}");
}

#[test]
fn list_path_parameters_are_encoded_as_lists() {
    // Inside `format!`, tokens are spaced freely.
    let code: String = operations().split_whitespace().collect();
    assert!(code.contains("rt::path_styled(\"ids\",&self.ids,rt::PathStyle::Simple,false)?"), "{code}");
    assert!(code.contains("rt::path_styled(\"names\",&self.names,rt::PathStyle::Simple,false)?"), "{code}");
}
