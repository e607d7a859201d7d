//! Generated names never collide with the runtime's or with each other, and pass rustc's case
//! lints. The reserved lists live in `codegen::naming`; these tests read the runtime sources, so
//! a new runtime method cannot silently collide with an operation or parameter of that name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn client_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated-client/src")
}

fn parse(path: &Path) -> syn::File {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn rs_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files
}

fn unraw(ident: &syn::Ident) -> String {
    let name = ident.to_string();
    name.strip_prefix("r#").map(str::to_owned).unwrap_or(name)
}

/// The last segment of an impl's self type (`rt::Client` → `Client`).
fn self_type(imp: &syn::ItemImpl) -> Option<String> {
    match &*imp.self_ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| unraw(&s.ident)),
        _ => None,
    }
}

/// Inherent methods per type in `items` (and in inline modules).
fn inherent_methods(items: &[syn::Item], out: &mut BTreeMap<String, Vec<String>>) {
    for item in items {
        match item {
            syn::Item::Impl(imp) if imp.trait_.is_none() => {
                if let Some(ty) = self_type(imp) {
                    for member in &imp.items {
                        if let syn::ImplItem::Fn(f) = member {
                            out.entry(ty.clone()).or_default().push(unraw(&f.sig.ident));
                        }
                    }
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    inherent_methods(items, out);
                }
            }
            _ => {}
        }
    }
}

/// `Client`'s methods outside the generated operations: the runtime, the OAuth helpers and the
/// constructors of `generated/mod.rs`.
fn runtime_client_methods() -> Vec<String> {
    let dir = client_dir();
    let mut files = rs_files(&dir.join("runtime"));
    files.extend(rs_files(&dir.join("oauth")));
    files.push(dir.join("generated/mod.rs"));
    let mut methods = BTreeMap::new();
    for file in files {
        inherent_methods(&parse(&file).items, &mut methods);
    }
    methods.remove("Client").unwrap_or_default()
}

/// The functions `request_builder!` defines on a request builder (in any of its arms).
fn request_builder_methods() -> Vec<String> {
    let file = parse(&client_dir().join("runtime/macros.rs"));
    let mut names = Vec::new();
    for item in &file.items {
        let syn::Item::Macro(m) = item else { continue };
        if m.ident.as_ref().is_some_and(|i| i == "request_builder") {
            let tokens: Vec<proc_macro2::TokenTree> = flatten(m.mac.tokens.clone());
            for pair in tokens.windows(2) {
                if let [proc_macro2::TokenTree::Ident(f), proc_macro2::TokenTree::Ident(name)] = pair {
                    if f == "fn" {
                        names.push(name.to_string());
                    }
                }
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

fn flatten(tokens: proc_macro2::TokenStream) -> Vec<proc_macro2::TokenTree> {
    let mut out = Vec::new();
    for tt in tokens {
        match tt {
            proc_macro2::TokenTree::Group(g) => out.extend(flatten(g.stream())),
            other => out.push(other),
        }
    }
    out
}

#[test]
fn the_reserved_lists_cover_every_runtime_method() {
    let client = runtime_client_methods();
    assert!(client.iter().any(|m| m == "execute") && client.iter().any(|m| m == "from_env"), "found {client:?}");
    let missing: Vec<&String> =
        client.iter().filter(|m| !codegen::naming::CLIENT_METHODS.contains(&m.as_str())).collect();
    assert!(missing.is_empty(), "add to naming::CLIENT_METHODS: {missing:?}");

    let builder = request_builder_methods();
    assert!(builder.iter().any(|m| m == "send"), "found {builder:?}");
    let missing: Vec<&String> =
        builder.iter().filter(|m| !codegen::naming::BUILDER_METHODS.contains(&m.as_str())).collect();
    assert!(missing.is_empty(), "add to naming::BUILDER_METHODS: {missing:?}");
}

fn generate(fixture: &str) -> codegen::Output {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(fixture);
    let text = std::fs::read_to_string(&path).expect("fixture is readable");
    let options = codegen::Options { spec_path: format!("fixtures/{fixture}"), ..Default::default() };
    codegen::generate(&text, &options).unwrap_or_else(|e| panic!("{e}"))
}

/// The fixture without its `x-rust-name` override, so `Self` and `self` clash: the lenient mode
/// numbers the second name, and the numbered name must pass the case lints too.
fn generate_clashing() -> codegen::Output {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/names_reserved.yaml");
    let text = std::fs::read_to_string(&path).expect("fixture is readable").replace("x-rust-name: LowerSelf, ", "");
    let strict = codegen::Options { spec_path: "fixtures/names_reserved.yaml".into(), ..Default::default() };
    assert!(codegen::generate(&text, &strict).is_err(), "without the override the names clash");
    let lenient = codegen::Options { skip_unsupported: true, ..strict };
    let output = codegen::generate(&text, &lenient).unwrap_or_else(|e| panic!("{e}"));
    assert!(output.files["src/generated/models.rs"].contains("pub struct Self2"), "the clash is numbered Self2");
    output
}

fn duplicates(names: &[String]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    names.iter().filter(|n| !seen.insert(n.as_str())).cloned().collect()
}

#[test]
fn generated_names_do_not_collide() {
    let output = generate("names_reserved.yaml");
    let mut methods: BTreeMap<String, Vec<String>> = BTreeMap::new();
    methods.insert("Client".into(), runtime_client_methods());
    let mut problems = Vec::new();
    for (path, code) in output.files.iter().filter(|(p, _)| p.ends_with(".rs") && *p != "src/generated/mod.rs") {
        let file = syn::parse_file(code).unwrap_or_else(|e| panic!("{path}: {e}"));
        inherent_methods(&file.items, &mut methods);
        for item in &file.items {
            match item {
                syn::Item::Struct(s) => {
                    let fields: Vec<String> = s.fields.iter().filter_map(|f| f.ident.as_ref().map(unraw)).collect();
                    for dup in duplicates(&fields) {
                        problems.push(format!("{path}: struct {} has two fields `{dup}`", s.ident));
                    }
                }
                syn::Item::Macro(m) if m.mac.path.segments.last().is_some_and(|s| s.ident == "request_builder") => {
                    let builder = m.mac.tokens.clone().into_iter().find_map(|t| match t {
                        proc_macro2::TokenTree::Ident(i) => Some(unraw(&i)),
                        _ => None,
                    });
                    if let Some(builder) = builder {
                        methods.entry(builder).or_default().extend(request_builder_methods());
                    }
                }
                _ => {}
            }
        }
    }
    for (ty, names) in &methods {
        for dup in duplicates(names) {
            problems.push(format!("`{ty}` has two methods `{dup}`"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The operations are all there, under other names.
    let client = &methods["Client"];
    for name in ["timeout2", "base_url2", "max_retries2", "prepare2", "execute2", "http2", "backoff2"] {
        assert!(client.iter().any(|m| m == name), "no `{name}` in {client:?}");
    }
}

/// rustc's `non_camel_case_types` test.
fn is_camel_case(name: &str) -> bool {
    let name = name.trim_matches('_');
    let has_case = |c: char| c.is_lowercase() || c.is_uppercase();
    let chars: Vec<char> = name.chars().collect();
    name.is_empty()
        || (!chars[0].is_lowercase()
            && !name.contains("__")
            && !chars.windows(2).any(|w| (has_case(w[0]) && w[1] == '_') || (has_case(w[1]) && w[0] == '_')))
}

/// rustc's `non_snake_case` test.
fn is_snake_case(name: &str) -> bool {
    let name = name.trim_matches('_');
    !name.chars().any(char::is_uppercase) && !name.contains("__")
}

#[test]
fn generated_names_pass_the_case_lints() {
    struct Names(Vec<String>);
    impl Names {
        fn camel(&mut self, what: &str, ident: &syn::Ident) {
            if !is_camel_case(&unraw(ident)) {
                self.0.push(format!("{what} `{ident}` is not UpperCamelCase"));
            }
        }
        fn snake(&mut self, what: &str, ident: &syn::Ident) {
            if !is_snake_case(&unraw(ident)) {
                self.0.push(format!("{what} `{ident}` is not snake_case"));
            }
        }
        fn items(&mut self, items: &[syn::Item]) {
            for item in items {
                match item {
                    syn::Item::Struct(s) => {
                        self.camel("struct", &s.ident);
                        s.fields.iter().filter_map(|f| f.ident.as_ref()).for_each(|f| self.snake("field", f));
                    }
                    syn::Item::Enum(e) => {
                        self.camel("enum", &e.ident);
                        e.variants.iter().for_each(|v| self.camel("variant", &v.ident));
                    }
                    syn::Item::Type(t) => self.camel("type", &t.ident),
                    syn::Item::Mod(m) => {
                        self.snake("module", &m.ident);
                        if let Some((_, items)) = &m.content {
                            self.items(items);
                        }
                    }
                    syn::Item::Impl(imp) => {
                        for member in &imp.items {
                            if let syn::ImplItem::Fn(f) = member {
                                self.snake("method", &f.sig.ident);
                                for input in &f.sig.inputs {
                                    if let syn::FnArg::Typed(t) = input {
                                        if let syn::Pat::Ident(p) = &*t.pat {
                                            self.snake("argument", &p.ident);
                                        }
                                    }
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let mut names = Names(Vec::new());
    let outputs = [generate("names_reserved.yaml"), generate("keywords_collisions.yaml"), generate_clashing()];
    for output in &outputs {
        for (path, code) in output.files.iter().filter(|(p, _)| p.ends_with(".rs")) {
            names.items(&syn::parse_file(code).unwrap_or_else(|e| panic!("{path}: {e}")).items);
        }
    }
    assert!(names.0.is_empty(), "{}", names.0.join("\n"));
    assert!(
        is_camel_case("Self_") && !is_camel_case("Self_2") && is_snake_case("self_") && !is_snake_case("self__param")
    );
}
