//! Facts the emitters print are computed once, in lowering, by one walk of the type graph: the
//! tag features that gate each type, which generated modules use deprecated items, tri-state
//! fields; and the emitters print them (a standalone crate puts each gated type's `#[cfg]` on
//! every one of its items).

use std::collections::BTreeSet;
use std::path::Path;

use codegen::ir::{Api, TypeKind};

fn fixture() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tag_features.yaml");
    std::fs::read_to_string(path).expect("fixture is readable")
}

fn options() -> codegen::Options {
    codegen::Options { spec_path: "fixtures/tag_features.yaml".into(), ..Default::default() }
}

fn api() -> Api {
    let (api, notes) = codegen::parse(&fixture(), &options()).unwrap_or_else(|e| panic!("{e}"));
    assert!(notes.is_empty(), "{notes:?}");
    api
}

fn features<'a>(api: &'a Api, name: &str) -> Vec<&'a str> {
    let def = api.types.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no type {name}"));
    def.features.iter().map(String::as_str).collect()
}

#[test]
fn each_type_is_gated_by_the_features_of_the_tags_that_use_it() {
    let api = api();
    // One tag's operations only: its parameter, its response and what that holds.
    assert_eq!(features(&api, "AlphaFilter"), ["alpha"]);
    assert_eq!(features(&api, "AlphaOnly"), ["alpha"]);
    // Two tags' request bodies, and the additional properties' type inside.
    assert_eq!(features(&api, "Shared"), ["alpha", "beta"]);
    assert_eq!(features(&api, "Patch"), ["alpha", "beta"]);
    // Named only by an error enum.
    assert_eq!(features(&api, "BetaProblem"), ["beta"]);
    assert_eq!(features(&api, "GammaBox"), ["gamma"]);
    assert_eq!(features(&api, "OldThing"), ["gamma"]);
    // Every tag uses it: never gated.
    assert!(features(&api, "Everywhere").is_empty());
    // No operation uses the webhook payload: it and what it holds always compile, although
    // `AlphaPayload` is also alpha's.
    assert!(features(&api, "Event").is_empty());
    assert!(features(&api, "AlphaPayload").is_empty());
}

#[test]
fn modules_that_use_deprecated_items_are_known() {
    let api = api();
    // beta has a deprecated parameter, gamma reaches a deprecated type; alpha uses neither.
    let expected: BTreeSet<String> = ["beta", "gamma"].into_iter().map(str::to_owned).collect();
    assert_eq!(api.uses.deprecated_in_modules, expected);
    assert!(api.uses.deprecated_in_models);

    let output = codegen::generate(&fixture(), &options()).unwrap_or_else(|e| panic!("{e}"));
    for (module, allows) in [("alpha", false), ("beta", true), ("gamma", true)] {
        let code = &output.files[&format!("src/generated/operations/{module}.rs")];
        assert_eq!(code.contains("#![allow(deprecated)]"), allows, "{module}:\n{code}");
    }
    assert!(output.files["src/generated/models.rs"].contains("#![allow(deprecated)]"));
    // Nothing deprecated: no allowance anywhere.
    let plain = fixture().replace("deprecated: true", "deprecated: false");
    let output = codegen::generate(&plain, &options()).unwrap_or_else(|e| panic!("{e}"));
    assert!(output.files.values().all(|code| !code.contains("allow(deprecated)")));
}

#[test]
fn optional_nullable_fields_are_tri_state_wherever_a_request_body_holds_the_type() {
    // `Patch` is only reachable from the request bodies through `Shared`'s additional properties
    // (a map's values): its optional nullable field must still tell "absent" from `null`.
    let api = api();
    let tri_state = |name: &str| {
        let def = api.types.iter().find(|t| t.name == name).expect("type");
        let TypeKind::Struct(s) = &def.kind else { panic!("{name} is a struct") };
        s.fields[0].tri_state
    };
    assert!(tri_state("Patch"));
    // A response-only type keeps `Option<T>`.
    let response_only = fixture().replace("note: {type: string, nullable: true}", "note: {type: string}").replace(
        "    AlphaFilter: {type: object, properties: {q: {type: string}}}",
        "    AlphaFilter: {type: object, properties: {q: {type: string, nullable: true}}}",
    );
    let (api, _) = codegen::parse(&response_only, &options()).unwrap_or_else(|e| panic!("{e}"));
    let def = api.types.iter().find(|t| t.name == "AlphaFilter").expect("type");
    let TypeKind::Struct(s) = &def.kind else { panic!("a struct") };
    assert!(!s.fields[0].tri_state);
}

#[test]
fn a_standalone_crate_gates_every_item_of_a_gated_type() {
    let options = codegen::Options { standalone_crate: Some("tag_features".into()), ..options() };
    let output = codegen::generate(&fixture(), &options).unwrap_or_else(|e| panic!("{e}"));
    let models = syn::parse_file(&output.files["src/generated/models.rs"]).expect("parses");
    let api = api();
    let cfg_of = |attrs: &[syn::Attribute]| -> Option<String> {
        attrs.iter().find(|a| a.path().is_ident("cfg")).map(|a| quote::quote!(#a).to_string())
    };
    let mut checked = 0;
    for item in &models.items {
        // The type an item belongs to: its own name, or the type an impl is for.
        let (owner, attrs) = match item {
            syn::Item::Struct(s) => (s.ident.to_string(), &s.attrs),
            syn::Item::Enum(e) => (e.ident.to_string(), &e.attrs),
            syn::Item::Impl(i) => match &*i.self_ty {
                syn::Type::Path(p) => (p.path.segments.last().expect("a name").ident.to_string(), &i.attrs),
                _ => continue,
            },
            _ => continue,
        };
        let Some(def) = api.types.iter().find(|t| t.name == owner) else { continue };
        let expected = match &def.features[..] {
            [] => None,
            [one] => Some(format!("# [cfg (feature = \"{one}\")]")),
            many => Some(format!(
                "# [cfg (any ({}))]",
                many.iter().map(|f| format!("feature = \"{f}\"")).collect::<Vec<_>>().join(" , ")
            )),
        };
        assert_eq!(cfg_of(attrs), expected, "{owner}");
        checked += 1;
    }
    // Structs, the impls with `new` and setters, and AlphaFilter's `QueryValue`.
    assert!(checked > 2 * api.types.len(), "{checked}");
    assert!(output.files["src/generated/models.rs"].contains("impl crate::runtime::QueryValue for AlphaFilter"));
}
