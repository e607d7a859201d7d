//! OpenAPI 3.0/3.1 to Rust client generator.
//!
//! Entry points: [`generate`] (spec text in, generated files or a located [`Error`] out),
//! [`generate_from_path`] and [`generate_with_reader`] (a spec file and the files its `$ref`s
//! name, read from the file system or with the caller's reader). Nothing is written here;
//! `xtask` writes the files.
//!
//! The stages, each with one entry point (private modules and functions of this crate):
//! 1. `load`: YAML or JSON text to a JSON value;
//! 2. `bundle`: references to other files and below components resolved into
//!    one document whose references all name its own components (the version check of stage 3
//!    runs before it);
//! 3. `normalize`: OpenAPI 3.1 constructs lowered to 3.0 and parsed into `openapiv3`;
//! 4. `lower`: validated and turned into the plain-data [`ir`], then
//!    `aliases` refuses aliases that name themselves;
//! 5. `emit`: IR to token streams with `quote!`;
//! 6. `render`: token streams printed as Rust text without parsing them again, with a header
//!    naming the regenerate command.
//!
//! Beside the code, [`manifest`] describes the generated public API as text and classifies
//! what changed between two versions of it.
#![forbid(unsafe_code)]

mod aliases;
mod bundle;
mod emit;
mod error;
pub mod ir;
mod load;
mod lower;
pub mod manifest;
pub mod naming;
mod normalize;
mod render;
mod replacements;
mod shape;
pub mod text;

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

pub use error::{Error, ErrorKind, Location};
pub use replacements::Replacements;

/// What to generate and how to label it.
#[derive(Debug, Clone)]
pub struct Options {
    /// How errors name the spec file (`spec/telnyx-oauth.openapi.yaml`).
    pub spec_path: String,
    /// Prefix of the environment variables the client reads (`TELNYX` → `TELNYX_API_KEY`).
    pub env_prefix: String,
    /// The command the header of every file names (`cargo xtask regen`).
    pub regen_command: String,
    /// With `Some(name)`, also emit `Cargo.toml` and `src/lib.rs` for a standalone crate called
    /// `name`; the runtime sources are added by the caller.
    pub standalone_crate: Option<String>,
    /// Leave out an operation that uses an unsupported construct (listed in
    /// [`Output::skipped`]) instead of failing the whole run; resolve a type name collision with
    /// a numbered suffix and a warning instead of failing.
    pub skip_unsupported: bool,
    /// Rust names chosen by the maintainer, by JSON pointer (see [`Renames`]).
    pub renames: Renames,
    /// Component schemas replaced by hand-written types (see [`Replacements`]).
    pub replacements: Replacements,
}

/// Rust names chosen by the maintainer for schemas (their types) and operations (their methods),
/// read from a small YAML file next to the spec: `JSON pointer: RustName`, for example
/// `/components/schemas/OAuthClient/properties/client_type: ClientType`. An entry wins over the
/// spec's `x-rust-name` and over the natural name; an entry that names nothing is an error.
#[derive(Debug, Clone, Default)]
pub struct Renames {
    /// How errors name the file (`spec/renames.yaml`).
    pub path: String,
    /// Rust name by JSON pointer.
    pub names: BTreeMap<String, String>,
}

impl Renames {
    /// Parses the renames file (`path` is for error messages). An empty file has no entries.
    pub fn parse(text: &str, path: &str) -> Result<Self, Error> {
        let located = |message: String| Error {
            kind: ErrorKind::Invalid,
            location: Location { file: path.to_owned(), pointer: String::new() },
            message,
        };
        let names: Option<BTreeMap<String, String>> = serde_yaml::from_str(text)
            .map_err(|e| located(format!("expected a map of JSON pointer to Rust name: {e}")))?;
        let names = names.unwrap_or_default();
        if let Some((pointer, _)) = names.iter().find(|(p, name)| !p.starts_with('/') || naming::camel(name).is_empty())
        {
            return Err(located(format!(
                "entry `{pointer}`: the key must be a JSON pointer into the spec \
                 and the value a name with letters or digits"
            )));
        }
        Ok(Self { path: path.to_owned(), names })
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            spec_path: "openapi.yaml".into(),
            env_prefix: "API".into(),
            regen_command: "cargo xtask regen".into(),
            standalone_crate: None,
            skip_unsupported: false,
            renames: Renames::default(),
            replacements: Replacements::default(),
        }
    }
}

/// The generated files and what went into them.
#[derive(Debug, Clone, Default)]
pub struct Output {
    /// File contents by path relative to the crate root (`src/generated/models.rs`), in a
    /// stable order.
    pub files: BTreeMap<String, String>,
    /// Number of operations generated.
    pub operations: usize,
    /// Number of named types generated.
    pub types: usize,
    /// Operations left out, each with its location and reason.
    pub skipped: Vec<Error>,
    /// Problems worked around (for example a duplicate operationId given a suffixed name).
    pub warnings: Vec<Error>,
    /// The public API as text ([`manifest::manifest`]), for `regen` to commit and compare.
    pub manifest: String,
}

/// Generates a client from spec text. A reference to another file is an error: use
/// [`generate_from_path`] or [`generate_with_reader`] for documents in several files.
pub fn generate(spec_text: &str, options: &Options) -> Result<Output, Error> {
    let (api, notes) = parse(spec_text, options)?;
    emit_output(api, notes, options)
}

/// Generates a client from the spec file at `path`, following relative `$ref`s to other files
/// (read from the file system, relative to the file that refers to them).
pub fn generate_from_path(path: &Path, options: &Options) -> Result<Output, Error> {
    // Absolute, so that a reference climbing above the file system's root is recognized.
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    generate_with_reader(&path, &read_spec_file, options)
}

/// Larger spec files are refused (the full Telnyx document is 4.2 MB).
const MAX_SPEC_FILE: u64 = 64 << 20;

/// Reads a regular file of at most [`MAX_SPEC_FILE`] bytes: a reference to `/dev/zero`, a
/// FIFO or a folder fails instead of hanging or filling the memory.
fn read_spec_file(path: &Path) -> io::Result<String> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"));
    }
    let too_large = || io::Error::new(io::ErrorKind::InvalidData, format!("larger than {} MiB", MAX_SPEC_FILE >> 20));
    if metadata.len() > MAX_SPEC_FILE {
        return Err(too_large());
    }
    let mut text = String::new();
    file.take(MAX_SPEC_FILE + 1).read_to_string(&mut text)?;
    if text.len() as u64 > MAX_SPEC_FILE {
        return Err(too_large());
    }
    Ok(text)
}

/// Generates a client from the spec file `entry`, reading it and every file its `$ref`s name
/// with `read` (given `entry`'s folder joined with the relative path, `/`-separated).
pub fn generate_with_reader(
    entry: &Path,
    read: &dyn Fn(&Path) -> io::Result<String>,
    options: &Options,
) -> Result<Output, Error> {
    let text = read(entry).map_err(|e| Error {
        kind: ErrorKind::Invalid,
        location: Location { file: options.spec_path.clone(), pointer: String::new() },
        message: format!("cannot read the file: {e}"),
    })?;
    let (api, notes) = parse_source(entry, &text, read, options)?;
    emit_output(api, notes, options)
}

fn emit_output(api: ir::Api, notes: Vec<Error>, options: &Options) -> Result<Output, Error> {
    let (skipped, warnings): (Vec<Error>, Vec<Error>) =
        notes.into_iter().partition(|e| e.kind == ErrorKind::Unsupported);
    let header = format!(
        "// @generated by `{}` from {}. Do not edit by hand: change the spec or the generator and regenerate.\n\n",
        text::plain(&options.regen_command),
        text::plain(&options.spec_path)
    );
    // The manifest is one more independent piece of work, done beside the files' parts.
    let manifest_part = || manifest::manifest(&api, &options.regen_command);
    let threads = emit_threads(&api);
    let (rendered, manifest) =
        emit_parts(&api, options, threads, manifest_part, |path, tokens| render_file(path, tokens, options));
    let manifest = manifest.ok_or_else(|| internal(options, "the API manifest did not finish".to_owned()))?;
    // A file's parts are consecutive: each file is assembled once, at its final size.
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let mut rendered = rendered.into_iter().peekable();
    while let Some((path, first)) = rendered.next() {
        let mut parts = vec![first.ok_or_else(|| internal(options, format!("rendering {path} did not finish")))??];
        while let Some((_, code)) = rendered.next_if(|(next, _)| *next == path) {
            parts.push(code.ok_or_else(|| internal(options, format!("rendering {path} did not finish")))??);
        }
        let mut code = String::with_capacity(header.len() + parts.iter().map(String::len).sum::<usize>());
        code.push_str(&header);
        parts.iter().for_each(|part| code.push_str(part));
        files.insert(path, code);
    }
    if let Some(name) = &options.standalone_crate {
        let modules = emit::modules(&api);
        let tag_features = modules.len() > 1;
        let features: Vec<&str> =
            if tag_features { modules.iter().map(|m| naming::unraw(m.name)).collect() } else { Vec::new() };
        files.insert("Cargo.toml".to_owned(), standalone_manifest(name, &api, &features));
    }
    Ok(Output { files, operations: api.operations.len(), types: api.types.len(), skipped, warnings, manifest })
}

/// How many threads emit `api`: one below [`PARALLEL_FROM`] types and operations together (the
/// threads and the malloc arena each one gets cost more than a small document's whole
/// emission), otherwise one per core.
fn emit_threads(api: &ir::Api) -> usize {
    if api.types.len() + api.operations.len() < PARALLEL_FROM {
        1
    } else {
        usize::MAX
    }
}

/// Emits every part of every generated file and passes each part's tokens to `finish` (which
/// renders them), on up to `threads` threads, and runs `extra` beside them;
/// returns the results with their file paths, in file order (a file's parts in order), so the
/// output does not depend on the scheduling, and `extra`'s result.
fn emit_parts<R: Send, X: Send>(
    api: &ir::Api,
    options: &Options,
    threads: usize,
    extra: impl Fn() -> X + Sync,
    finish: impl Fn(&str, proc_macro2::TokenStream) -> R + Sync,
) -> (Vec<(String, Option<R>)>, Option<X>) {
    // Standalone crates get a cargo feature per tag, so a user compiles only what they use.
    let modules = emit::modules(api);
    let tag_features = options.standalone_crate.is_some() && modules.len() > 1;
    let model_cx = emit::ModelContext::new(api, tag_features);
    // `extra` first, so that a worker takes it while the others take the files.
    let mut parts: Vec<(String, Part<'_>)> = vec![
        (String::new(), Part::Extra),
        ("src/generated/mod.rs".into(), Part::Root),
        ("src/generated/models.rs".into(), Part::ModelsHeader),
    ];
    parts.extend(api.types.chunks(MODEL_CHUNK).map(|chunk| ("src/generated/models.rs".into(), Part::Models(chunk))));
    parts.push(("src/generated/operations/mod.rs".into(), Part::OperationsRoot));
    for (i, module) in modules.iter().enumerate() {
        parts.push((format!("src/generated/operations/{}.rs", naming::unraw(module.name)), Part::Operations(i)));
    }
    if options.standalone_crate.is_some() {
        parts.push(("src/lib.rs".into(), Part::Lib));
    }
    let extra_result = std::sync::Mutex::new(None);
    let mut results = parallel_map(&parts, threads, |(path, part)| {
        let tokens = match part {
            Part::Root => emit::root(api, options),
            Part::ModelsHeader => emit::models_header(api),
            Part::Models(types) => emit::models_items(types, &model_cx),
            Part::OperationsRoot => emit::operations_root(api, &modules, tag_features),
            Part::Operations(i) => emit::operations_module(api, &modules[*i]),
            Part::Lib => standalone_lib(api),
            Part::Extra => {
                let x = extra();
                if let Ok(mut slot) = extra_result.lock() {
                    *slot = Some(x);
                }
                return None;
            }
        };
        Some(finish(path, tokens))
    });
    results.remove(0);
    parts.remove(0);
    let rendered = parts.into_iter().map(|(path, _)| path).zip(results.into_iter().map(Option::flatten)).collect();
    (rendered, extra_result.into_inner().ok().flatten())
}

/// Below this many types and operations together, a document is emitted on the calling thread.
const PARALLEL_FROM: usize = 2 * MODEL_CHUNK;

/// A generator defect, located at the spec as a whole.
fn internal(options: &Options, message: String) -> Error {
    Error {
        kind: ErrorKind::Internal,
        location: Location { file: options.spec_path.clone(), pointer: String::new() },
        message,
    }
}

/// Types per chunk of `models.rs` rendered on one thread.
const MODEL_CHUNK: usize = 150;

/// One independently rendered piece of a generated file.
enum Part<'a> {
    Root,
    ModelsHeader,
    Models(&'a [ir::TypeDef]),
    OperationsRoot,
    Operations(usize),
    Lib,
    /// Not a file: the work `emit_parts` runs beside the files.
    Extra,
}

/// `f` over `items` on up to `max_threads` threads (at most one per core), results in the order
/// of `items` (`None` only if a worker died).
fn parallel_map<T: Sync, R: Send>(items: &[T], max_threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<Option<R>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    if max_threads <= 1 {
        return items.iter().map(|item| Some(f(item))).collect();
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len()).min(max_threads);
    if threads <= 1 {
        return items.iter().map(|item| Some(f(item))).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(item) = items.get(i) else { break };
        let result = f(item);
        if let Ok(mut slot) = results[i].lock() {
            *slot = Some(result);
        }
    };
    std::thread::scope(|scope| {
        // The calling thread only waits: making it one of the workers (one thread fewer to start)
        // was not faster on the full document in interleaved runs, and slower in one of them.
        for _ in 0..threads {
            scope.spawn(work);
        }
    });
    results.into_iter().map(|slot| slot.into_inner().ok().flatten()).collect()
}

/// Parses and lowers a spec into the IR without emitting code. The second value lists the
/// operations left out and the problems worked around (see [`Output`]).
pub fn parse(spec_text: &str, options: &Options) -> Result<(ir::Api, Vec<Error>), Error> {
    let no_files = |_: &Path| -> io::Result<String> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "the document was given as text; generate it from its file to follow references to other files",
        ))
    };
    parse_source(Path::new(&options.spec_path), spec_text, &no_files, options)
}

/// [`parse`] for the text of the file `entry`, reading the files it refers to with `read`.
fn parse_source(
    entry: &Path,
    text: &str,
    read: &dyn Fn(&Path) -> io::Result<String>,
    options: &Options,
) -> Result<(ir::Api, Vec<Error>), Error> {
    let ctx = error::Ctx { file: options.spec_path.clone() };
    let load_bundled = || {
        let value = load::load(&ctx, text)?;
        normalize::check_document(&ctx, &value)?;
        bundle::bundle(&ctx, entry, value, read)
    };
    let (value, sources) = load_bundled()?;
    // Later stages locate errors in the bundled document; they are moved to the text's origin.
    let relocate = |mut e: Error| {
        sources.relocate(&mut e, &ctx.file);
        e
    };
    let spec = normalize::normalize(&ctx, value, &|| load_bundled().map(|(value, _)| value)).map_err(relocate)?;
    let (mut api, notes) = lower::lower(&ctx, &spec, options.skip_unsupported, &options.renames, &options.replacements)
        .map_err(relocate)?;
    aliases::check(&ctx, &api).map_err(relocate)?;
    for def in &mut api.types {
        if let Some(origin) = sources.origin(&def.origin) {
            def.origin = if origin.file == ctx.file { origin.pointer } else { origin.to_string() };
        }
    }
    Ok((api, notes.into_iter().map(relocate).collect()))
}

/// Formats the tokens of the generated file `path`; tokens that do not parse are a generator
/// defect ([`ErrorKind::Internal`]), never the spec's fault.
fn render_file(path: &str, tokens: proc_macro2::TokenStream, options: &Options) -> Result<String, Error> {
    render(tokens).map_err(|message| internal(options, format!("generated {path} does not parse: {message}")))
}

/// Prints tokens as a Rust file. Builds with debug assertions (tests, `cargo xtask regen` and
/// `check`, CI) also parse the printed text with `syn`, so emitted code that is not Rust is an
/// error there; release builds (benchmarks, `--release` generation) skip that parse, which
/// costs about as much as all the rest of generation. The printer itself never fails: whatever
/// the tokens, the text lexes back to them (see [`render`](crate::render)).
fn render(tokens: proc_macro2::TokenStream) -> Result<String, String> {
    let text = render::render(tokens);
    #[cfg(debug_assertions)]
    syn::parse_file(&text).map_err(|e| e.to_string())?;
    Ok(text)
}

fn standalone_lib(api: &ir::Api) -> proc_macro2::TokenStream {
    // Title and version are spec text: code spans, so that rustdoc reads no link or HTML in them.
    let title =
        emit::inner_doc(&format!("Client for {}, version {}.", text::code(&api.title), text::code(&api.version)));
    quote::quote! {
        #title
        pub mod runtime;
        mod generated;

        pub use generated::{models, operations};
        pub use runtime::{ApiError, ApiResponse, Client, ClientBuilder, Error, Page, RequestOptions, Result, Secret};
    }
}

fn standalone_manifest(name: &str, api: &ir::Api, features: &[&str]) -> String {
    // The only spec text in the manifest, as a TOML string: quotes, backslashes and line breaks
    // in a title or version cannot end it early.
    let description = text::toml_string(&format!("Client for {} {}", api.title, api.version));
    // TLS features have a `-` in their names, which no tag feature (a module name) can have.
    let mut feature_table = String::from(
        "\n# TLS: `rustls-webpki-roots` (Mozilla roots compiled in) or `rustls-native-roots` (the system's);\n\
         # with neither, plain HTTP only.\n[features]\n",
    );
    let mut defaults = vec!["\"rustls-webpki-roots\"".to_owned()];
    let mut tags = String::new();
    if !features.is_empty() {
        feature_table.push_str(
            "# One feature per tag: `default-features = false, \
             features = [\"rustls-webpki-roots\", \"...\"]` compiles only those operations.\n",
        );
        defaults.extend(features.iter().map(|f| format!("\"{f}\"")));
        tags = features.iter().map(|f| format!("{f} = []\n")).collect();
    }
    feature_table.push_str(&format!(
        "default = [{}]\n\
         rustls-webpki-roots = [\"reqwest/rustls-tls-webpki-roots\"]\n\
         rustls-native-roots = [\"reqwest/rustls-tls-native-roots\"]\n{tags}",
        defaults.join(", ")
    ));
    format!(
        r#"# @generated by `cargo xtask generate`. Do not edit by hand.
[package]
name = "{name}"
version = "0.1.0"
edition = "2021"
description = {description}
publish = false

[dependencies]
reqwest = {{ version = "0.12", default-features = false, features = ["http2"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
serde_urlencoded = "0.7"
serde_path_to_error = "0.1"
tokio = {{ version = "1", features = ["time", "sync"] }}
futures = {{ package = "futures-util", version = "0.3", default-features = false, features = ["std"] }}
url = "2"
percent-encoding = "2"
bytes = {{ version = "1", features = ["serde"] }}
tracing = {{ version = "0.1", default-features = false, features = ["std"] }}
thiserror = "2"
httpdate = "1"
fastrand = "2"
hyper = {{ version = "1", default-features = false }}
base64 = "0.22"

# Every public item is documented (the generator writes a doc for each), and nothing needs unsafe.
[lints.rust]
missing_docs = "warn"
unsafe_code = "forbid"

[workspace]
{feature_table}"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standalone_manifest_offers_a_tls_choice_beside_the_tag_features() {
        let spec = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\n";
        let options = Options { spec_path: "spec.yaml".into(), ..Options::default() };
        let (api, _) = parse(spec, &options).expect("parses");
        let tls = "rustls-webpki-roots = [\"reqwest/rustls-tls-webpki-roots\"]\n\
                   rustls-native-roots = [\"reqwest/rustls-tls-native-roots\"]\n";
        let tagged = standalone_manifest("c", &api, &["pets", "stores"]);
        let features = &tagged[tagged.find("[features]\n").expect("a feature table")..];
        assert!(
            features.contains(&format!(
                "default = [\"rustls-webpki-roots\", \"pets\", \"stores\"]\n{tls}pets = []\nstores = []\n"
            )),
            "{tagged}"
        );
        let untagged = standalone_manifest("c", &api, &[]);
        assert!(untagged.contains(&format!("[features]\ndefault = [\"rustls-webpki-roots\"]\n{tls}")), "{untagged}");
        // TLS comes from the features only, and the runtime needs no tokio runtime or futures facade.
        for manifest in [&tagged, &untagged] {
            assert!(
                manifest
                    .contains("reqwest = { version = \"0.12\", default-features = false, features = [\"http2\"] }\n"),
                "{manifest}"
            );
            assert!(manifest.contains("tokio = { version = \"1\", features = [\"time\", \"sync\"] }\n"), "{manifest}");
            assert!(manifest.contains("futures = { package = \"futures-util\""), "{manifest}");
            // `tracing`'s default `attributes` feature builds a proc macro and a second `syn`.
            let tracing = "tracing = { version = \"0.1\", default-features = false, features = [\"std\"] }\n";
            assert!(manifest.contains(tracing), "{manifest}");
            assert_eq!(manifest.matches("[features]").count(), 1, "{manifest}");
            assert!(
                manifest.contains("[lints.rust]\nmissing_docs = \"warn\"\nunsafe_code = \"forbid\"\n"),
                "{manifest}"
            );
        }
    }

    #[test]
    fn parallel_map_keeps_the_order_of_the_items_on_any_number_of_threads() {
        let items: Vec<usize> = (0..200).collect();
        let expected: Vec<Option<String>> = items.iter().map(|i| Some(format!("item {i}"))).collect();
        for max_threads in [1, 2, usize::MAX] {
            let threads = std::sync::Mutex::new(std::collections::HashSet::new());
            let results = parallel_map(&items, max_threads, |i| {
                threads.lock().expect("not poisoned").insert(std::thread::current().id());
                format!("item {i}")
            });
            assert_eq!(results, expected, "max_threads {max_threads}");
            let used = threads.into_inner().expect("not poisoned");
            assert!(used.len() <= max_threads, "max_threads {max_threads}: {} threads", used.len());
            if max_threads == 1 {
                assert_eq!(used.into_iter().collect::<Vec<_>>(), [std::thread::current().id()], "the calling thread");
            }
        }
    }

    #[test]
    fn the_files_do_not_depend_on_how_many_threads_emit_them() {
        let spec_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/telnyx-oauth.openapi.yaml");
        let spec = std::fs::read_to_string(spec_file).expect("spec");
        for standalone in [None, Some("c".to_owned())] {
            let options = Options { spec_path: "spec.yaml".into(), standalone_crate: standalone, ..Options::default() };
            let (api, _) = parse(&spec, &options).expect("parses");
            let emit = |threads| {
                let (files, manifest) =
                    emit_parts(&api, &options, threads, || manifest::manifest(&api, "x"), |_, tokens| render(tokens));
                (files.into_iter().map(|(path, code)| (path, code.map(Result::ok))).collect::<Vec<_>>(), manifest)
            };
            let one = emit(1);
            assert!(one.0.len() > 5 && one.0.iter().all(|(_, code)| matches!(code, Some(Some(_)))), "{:?}", one.0);
            assert!(one.1.is_some());
            assert!(one == emit(usize::MAX), "standalone: {:?}", options.standalone_crate);
        }
    }

    #[test]
    #[cfg(debug_assertions)]
    fn emitted_code_that_does_not_parse_is_an_internal_error() {
        let options = Options { spec_path: "spec.yaml".into(), ..Options::default() };
        let error = render_file("src/generated/models.rs", quote::quote! { pub struct }, &options).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Internal);
        assert!(
            error
                .to_string()
                .starts_with("spec.yaml#: internal error: generated src/generated/models.rs does not parse"),
            "{error}"
        );
    }
}
