//! Deprecated schemas and operations keep `#[deprecated]` for users, while the generated code's
//! own uses of them are allowed: a generated crate builds warning-free under `-D warnings`
//! (`cargo xtask check-fixtures` builds `fixtures/deprecated_items.yaml` that way).

use std::path::Path;

fn attrs_of(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs.iter().map(|a| quote::quote!(#a).to_string()).collect()
}

#[test]
fn deprecated_items_stay_deprecated_and_their_generated_uses_are_allowed() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deprecated_items.yaml");
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    let options = codegen::Options { spec_path: "fixtures/deprecated_items.yaml".into(), ..Default::default() };
    let output = codegen::generate(&text, &options).unwrap_or_else(|e| panic!("{e}"));
    let allow = "# ! [allow (deprecated)]".to_owned();
    for (path, code) in output.files.iter().filter(|(p, _)| {
        (p.starts_with("src/generated/operations/") && !p.ends_with("mod.rs")) || p.ends_with("models.rs")
    }) {
        let file = syn::parse_file(code).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(attrs_of(&file.attrs).contains(&allow), "{path} does not allow its own uses of deprecated items");
    }
    let models = syn::parse_file(&output.files["src/generated/models.rs"]).expect("parses");
    let deprecated: Vec<String> = models
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) if attrs_of(&s.attrs).iter().any(|a| a == "# [deprecated]") => {
                Some(s.ident.to_string())
            }
            syn::Item::Enum(e) if attrs_of(&e.attrs).iter().any(|a| a == "# [deprecated]") => Some(e.ident.to_string()),
            syn::Item::Type(t) if attrs_of(&t.attrs).iter().any(|a| a == "# [deprecated]") => Some(t.ident.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(deprecated, ["Old", "OldMode", "OldAlias", "OldChoice"]);
    let ops = output
        .files
        .iter()
        .find(|(p, _)| p.starts_with("src/generated/operations/") && !p.ends_with("mod.rs"))
        .expect("one module")
        .1;
    assert!(ops.contains("    #[deprecated]\n    #[inline]\n    pub fn get_old("), "{ops}");
}
