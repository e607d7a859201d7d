//! Robustness: mutated and random specs never make the generator panic, and every failure is a
//! located error. A short deterministic run is part of `cargo test`; set `FUZZ_ITERATIONS`
//! (and optionally `FUZZ_SEED`) for a longer one:
//!
//! ```text
//! FUZZ_ITERATIONS=200000 cargo test --release -p codegen --test fuzz -- --nocapture
//! ```

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use serde_json::{json, Map, Value};

/// A small deterministic PRNG (xorshift64*), so a failing case can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const WEIRD_STRINGS: &[&str] = &[
    "",
    " ",
    "type",
    "self",
    "Self",
    "r#type",
    "日本語",
    "a/b",
    "{id}",
    "#/components/schemas/Nope",
    "../x.yaml#/a",
    "#/components/schemas",
    "null",
    "0",
    "-1",
    "__proto__",
    "$ref",
    "OAuthClient",
    "💥",
    "a\nb",
    "\"quoted\"",
    "page[size]",
    "x-foo",
];

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 3 { 6 } else { 9 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => json!(rng.next() as i64),
        3 => json!(-1.5e300),
        4 | 5 => Value::String(WEIRD_STRINGS[rng.below(WEIRD_STRINGS.len())].to_owned()),
        6 => Value::Array((0..rng.below(3)).map(|_| random_value(rng, depth + 1)).collect()),
        7 => json!({"$ref": WEIRD_STRINGS[rng.below(WEIRD_STRINGS.len())]}),
        _ => {
            let mut map = Map::new();
            for _ in 0..rng.below(4) {
                let key = WEIRD_STRINGS[rng.below(WEIRD_STRINGS.len())].to_owned();
                map.insert(key, random_value(rng, depth + 1));
            }
            Value::Object(map)
        }
    }
}

/// Every (parent pointer, key) pair in the document, to pick mutation sites from.
fn sites(value: &Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let mut p = at.clone();
                p.push(k.clone());
                out.push(p.clone());
                sites(v, p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let mut p = at.clone();
                p.push(i.to_string());
                out.push(p.clone());
                sites(v, p, out);
            }
        }
        _ => {}
    }
}

fn get_mut<'a>(value: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |v, key| match v {
        Value::Object(map) => map.get_mut(key),
        Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
        _ => None,
    })
}

fn mutate(doc: &mut Value, rng: &mut Rng) {
    let mut all = Vec::new();
    sites(doc, Vec::new(), &mut all);
    if all.is_empty() {
        return;
    }
    let path = all[rng.below(all.len())].clone();
    let (parent_path, key) = path.split_at(path.len() - 1);
    let choice = rng.below(5);
    let replacement = random_value(rng, 0);
    let copy_from = all[rng.below(all.len())].clone();
    let copied = get_mut(doc, &copy_from).map(|v| v.clone());
    let Some(parent) = get_mut(doc, parent_path) else { return };
    match (parent, choice) {
        (Value::Object(map), 0) => {
            map.remove(&key[0]);
        }
        (Value::Object(map), 1) => {
            map.insert(key[0].clone(), replacement);
        }
        (Value::Object(map), 2) => {
            if let Some(copied) = copied {
                map.insert(key[0].clone(), copied);
            }
        }
        (Value::Object(map), 3) => {
            let new_key = WEIRD_STRINGS[rng.below(WEIRD_STRINGS.len())].to_owned();
            if let Some(v) = map.remove(&key[0]) {
                map.insert(new_key, v);
            }
        }
        (Value::Array(items), _) => {
            if let Ok(i) = key[0].parse::<usize>() {
                if i < items.len() {
                    if choice.is_multiple_of(2) {
                        items.remove(i);
                    } else {
                        items[i] = replacement;
                    }
                }
            }
        }
        (Value::Object(map), _) => {
            // Nest the value one level deeper under a schema-ish keyword.
            if let Some(v) = map.remove(&key[0]) {
                map.insert(key[0].clone(), json!({"allOf": [v], "nullable": true}));
            }
        }
        _ => {}
    }
}

fn seeds() -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut docs = Vec::new();
    let mut paths: Vec<_> =
        std::fs::read_dir(&dir).expect("fixtures").filter_map(Result::ok).map(|e| e.path()).collect();
    paths.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/telnyx-oauth.openapi.yaml"));
    paths.sort();
    for path in paths.iter().filter(|p| p.extension().is_some_and(|e| e == "yaml")) {
        let text = std::fs::read_to_string(path).expect("readable");
        docs.push(serde_yaml::from_str(&text).expect("seed fixtures are valid YAML"));
    }
    docs
}

/// Runs the generator on `text`; a panic fails the test with the seed that caused it.
fn check(text: &str, case: &str) {
    let options = codegen::Options { spec_path: "fuzz.yaml".into(), skip_unsupported: true, ..Default::default() };
    let result = catch_unwind(AssertUnwindSafe(|| codegen::generate(text, &options)));
    match result {
        Err(_) => panic!("the generator panicked on {case}:\n{text}"),
        Ok(Err(error)) => {
            // A generator defect (for example emitted code that does not parse) is not a
            // refusal of the spec: it fails the run like a panic.
            assert_ne!(error.kind, codegen::ErrorKind::Internal, "internal error on {case}: {error}\n{text}");
            let shown = error.to_string();
            assert!(shown.starts_with("fuzz.yaml"), "error without a location on {case}: {shown}");
            assert!(!error.message.is_empty(), "error without a message on {case}");
        }
        Ok(Ok(_)) => {}
    }
}

#[test]
fn mutated_specs_never_panic() {
    let iterations: usize = std::env::var("FUZZ_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(600);
    let seed: u64 = std::env::var("FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x5eed_cafe_f00d_1234);
    let docs = seeds();
    let mut rng = Rng(seed);
    let mut failures = 0usize;
    for i in 0..iterations {
        let mut doc = docs[i % docs.len()].clone();
        for _ in 0..=rng.below(4) {
            mutate(&mut doc, &mut rng);
        }
        let text = serde_json::to_string(&doc).expect("serializable");
        let case = format!("iteration {i} (FUZZ_SEED={seed})");
        check(&text, &case);
        if codegen::generate(&text, &codegen::Options { skip_unsupported: true, ..Default::default() }).is_err() {
            failures += 1;
        }
    }
    eprintln!("fuzz: {iterations} mutated specs, {failures} rejected with located errors, 0 panics");
}

#[test]
fn random_text_never_panics() {
    let mut rng = Rng(42);
    let alphabet: Vec<char> = "{}[]:,-'\"\n  #&*!|>%@`abc123openapi$ref\t".chars().collect();
    for i in 0..300 {
        let len = rng.below(200);
        let text: String = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
        check(&text, &format!("random text {i}"));
    }
}

#[test]
fn deeply_nested_and_huge_inputs_are_refused_not_crashed() {
    let deep_json = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    check(&deep_json, "100k nested JSON arrays");
    let deep_yaml = format!(
        "openapi: 3.1.0\ninfo: {{title: x, version: '1'}}\npaths: {{}}\nx: {}{}",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    check(&deep_yaml, "5k nested YAML flow sequences");
    // A schema chain deeper than the generator's limit, built with $ref-free inline objects.
    let mut schema = json!({"type": "string"});
    for _ in 0..60 {
        schema = json!({"type": "object", "properties": {"a": schema}});
    }
    let doc = json!({"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {},
        "components": {"schemas": {"Deep": schema}}});
    check(&doc.to_string(), "60 nested inline objects");
    // A $ref cycle through aliases.
    let doc = json!({"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {},
        "components": {"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"},
        "C": {"allOf": [{"$ref": "#/components/schemas/C"}]}}}});
    check(&doc.to_string(), "reference cycles");
}

/// References the multi-file fixture's files make, and broken ones.
const REFERENCES: &[&str] = &[
    "./schemas/pet.yaml",
    "../pet.yaml",
    "./pet.yaml#/properties/owner",
    "../openapi.yaml#/components/responses/Error",
    "#/components/schemas/Pet",
    "#/$defs/Tag",
    "#/paths/~1pets/get",
    "nested/category.yaml",
    "./common/errors.yaml#/components/schemas/Error",
    "./paths/pets.yaml",
    "#",
    "",
    "#/components",
    "#/a~2b",
    "%ZZ",
    "../../../../../../../../x.yaml",
    "/abs.yaml",
    "https://example.com/x.yaml",
    "urn:x",
    "#anchor",
    "./missing.yaml",
];

/// Every file of the multi-file fixture, by path below its folder, as JSON values.
fn multi_file_fixture() -> Vec<(String, Value)> {
    fn collect(dir: &Path, rel: &str, out: &mut Vec<(String, Value)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).expect("fixture folder").filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().to_string();
            let rel = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
            if entry.path().is_dir() {
                collect(&entry.path(), &rel, out);
            } else {
                let text = std::fs::read_to_string(entry.path()).expect("readable");
                out.push((rel, serde_yaml::from_str(&text).expect("fixture files are YAML")));
            }
        }
    }
    let mut files = Vec::new();
    collect(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/multi_file"), "", &mut files);
    files
}

#[test]
fn mutated_multi_file_documents_never_panic() {
    let iterations: usize =
        std::env::var("FUZZ_ITERATIONS").ok().and_then(|v| v.parse().ok()).map_or(200, |n: usize| n / 3);
    let seed: u64 = std::env::var("FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x0b0d_1e5f_11e5_0001);
    let pristine = multi_file_fixture();
    assert!(pristine.len() > 3, "the fixture has several files");
    let mut rng = Rng(seed);
    for i in 0..iterations {
        let mut files = pristine.clone();
        for _ in 0..=rng.below(3) {
            let file = rng.below(files.len());
            let doc = &mut files[file].1;
            if rng.below(2) == 0 {
                mutate(doc, &mut rng);
            } else {
                // Point a random node at one of the references.
                let mut all = Vec::new();
                sites(doc, Vec::new(), &mut all);
                if all.is_empty() {
                    continue;
                }
                let path = all[rng.below(all.len())].clone();
                let reference = REFERENCES[rng.below(REFERENCES.len())];
                if let Some(node) = get_mut(doc, &path) {
                    *node = json!({"$ref": reference});
                }
            }
        }
        let texts: std::collections::HashMap<String, String> = files
            .iter()
            .map(|(rel, doc)| (format!("multi/{rel}"), serde_json::to_string(doc).expect("serializable")))
            .collect();
        let read = |path: &Path| {
            texts
                .get(&path.to_string_lossy().to_string())
                .cloned()
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
        };
        let options =
            codegen::Options { spec_path: "multi/openapi.yaml".into(), skip_unsupported: true, ..Default::default() };
        let case = format!("multi-file iteration {i} (FUZZ_SEED={seed})");
        match catch_unwind(AssertUnwindSafe(|| {
            codegen::generate_with_reader(Path::new("multi/openapi.yaml"), &read, &options)
        })) {
            Err(_) => panic!("the generator panicked on {case}:\n{texts:#?}"),
            Ok(Err(error)) => {
                assert_ne!(error.kind, codegen::ErrorKind::Internal, "internal error on {case}: {error}");
                assert!(
                    error.location.file.starts_with("multi/"),
                    "error not located in the document's files on {case}: {error}"
                );
                assert!(!error.message.is_empty(), "error without a message on {case}");
            }
            Ok(Ok(_)) => {}
        }
    }
}
