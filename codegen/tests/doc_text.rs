//! No text from a spec may ever compile or run: `cargo test --doc` runs every code block that
//! rustdoc takes for Rust. These tests read the generated docs with the Markdown parser rustdoc
//! uses and fail on any code block that is not a `text` block. (`cargo xtask check-fixtures`
//! also runs `cargo test --doc` on the `doc_*` fixture crates.)

use std::path::Path;

use proc_macro2::{TokenStream, TokenTree};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag};

/// The Markdown extensions rustdoc turns on, so the tests read the docs as rustdoc does.
fn rustdoc_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
}

/// The code blocks rustdoc would make doctests of: indented blocks, and fenced blocks whose info
/// string is not exactly `text` (rustdoc runs ```` ```text rust ```` and ```` ``` ````).
fn rust_blocks(markdown: &str) -> Vec<String> {
    let options = rustdoc_options();
    let mut found = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let runs = match &kind {
                    CodeBlockKind::Indented => true,
                    CodeBlockKind::Fenced(info) => info.trim() != "text",
                };
                current = runs.then(|| format!("{kind:?}: "));
            }
            Event::Text(text) => {
                if let Some(block) = &mut current {
                    block.push_str(&text);
                }
            }
            Event::End(pulldown_cmark::TagEnd::CodeBlock) => found.extend(current.take()),
            _ => {}
        }
    }
    found
}

/// Every doc string of a generated file, one per run of consecutive `#[doc]` attributes (that
/// is what rustdoc joins into one Markdown document), unindented like rustdoc does.
fn docs(file: &str) -> Vec<String> {
    fn walk(tokens: TokenStream, docs: &mut Vec<String>, current: &mut Vec<String>) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            // `#` (`!`)? `[doc = "..."]`
            if let TokenTree::Punct(p) = &tokens[i] {
                if p.as_char() == '#' {
                    let bang = matches!(tokens.get(i + 1), Some(TokenTree::Punct(b)) if b.as_char() == '!');
                    let at = i + 1 + usize::from(bang);
                    if let Some(TokenTree::Group(g)) = tokens.get(at) {
                        let attr: syn::Result<syn::MetaNameValue> = syn::parse2(g.stream());
                        if let Ok(meta) = attr.as_ref() {
                            if meta.path.is_ident("doc") {
                                if let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) = &meta.value {
                                    current.push(s.value());
                                    i = at + 1;
                                    continue;
                                }
                            }
                        }
                        flush(docs, current);
                        i = at + 1;
                        continue;
                    }
                }
            }
            flush(docs, current);
            if let TokenTree::Group(g) = &tokens[i] {
                walk(g.stream(), docs, current);
                flush(docs, current);
            }
            i += 1;
        }
    }
    fn flush(docs: &mut Vec<String>, current: &mut Vec<String>) {
        if current.is_empty() {
            return;
        }
        let indent =
            current.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
        let lines: Vec<&str> = current.iter().map(|l| l.get(indent..).unwrap_or("")).collect();
        docs.push(lines.join("\n"));
        current.clear();
    }
    let tokens: TokenStream = file.parse().expect("generated code tokenizes");
    let mut out = Vec::new();
    let mut current = Vec::new();
    walk(tokens, &mut out, &mut current);
    flush(&mut out, &mut current);
    out
}

fn hostile() -> codegen::Output {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/doc_text_hostile.yaml");
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    let options = codegen::Options {
        spec_path: "fixtures/doc_text_hostile.yaml".into(),
        standalone_crate: Some("doc-text-hostile".into()),
        ..Default::default()
    };
    codegen::generate(&text, &options).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn no_doc_of_the_hostile_fixture_holds_a_rust_code_block() {
    let output = hostile();
    let mut offending = Vec::new();
    let mut count = 0;
    for (path, content) in output.files.iter().filter(|(p, _)| p.ends_with(".rs")) {
        for doc in docs(content) {
            count += 1;
            for block in rust_blocks(&doc) {
                offending.push(format!("{path}: {block}\n--- in ---\n{doc}"));
            }
        }
    }
    assert!(count > 20, "the docs were found ({count})");
    assert!(offending.is_empty(), "code blocks rustdoc would run:\n{}", offending.join("\n=====\n"));
    // The spec's own code is still shown, as text.
    let models = &output.files["src/generated/models.rs"];
    assert!(
        models.contains("/// ```text\n/// compile_error!(\"fence after a closed fence compiled\");\n/// ```"),
        "{models}"
    );
}

/// What rustdoc would warn about in a doc: an HTML tag never closed or never opened
/// (`invalid_html_tags`; balanced HTML is fine), a URL outside a link
/// (`bare_urls`), and a bracketed reference no link defines, which rustdoc looks up as an item
/// path (`broken_intra_doc_links`) — except the generator's own links to generated items, which
/// are code spans (`` [`Item`] ``).
fn rustdoc_warnings(markdown: &str) -> Vec<String> {
    let options = rustdoc_options();
    let mut found = Vec::new();
    let mut references = Vec::new();
    let callback = |link: pulldown_cmark::BrokenLink<'_>| {
        references.push(link.reference.to_string());
        None
    };
    let mut inside = 0;
    let mut open: Vec<String> = Vec::new();
    let void = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param", "source",
        "track", "wbr",
    ];
    for event in Parser::new_with_broken_link_callback(markdown, options, Some(callback)) {
        match event {
            Event::Start(Tag::Link { .. } | Tag::Image { .. } | Tag::CodeBlock(_)) => inside += 1,
            Event::End(
                pulldown_cmark::TagEnd::Link | pulldown_cmark::TagEnd::Image | pulldown_cmark::TagEnd::CodeBlock,
            ) => inside -= 1,
            Event::Html(html) | Event::InlineHtml(html) => {
                for tag in html.split('<').skip(1) {
                    let name: String =
                        tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
                    if tag.starts_with('!') || void.contains(&name.to_ascii_lowercase().as_str()) {
                        continue;
                    }
                    if tag.starts_with('/') {
                        if open.pop().as_deref() != Some(name.as_str()) {
                            found.push(format!("unopened HTML tag {name:?} in {html:?}"));
                        }
                    } else if !tag.split('>').next().unwrap_or_default().ends_with('/') {
                        open.push(name);
                    }
                }
            }
            Event::Text(text) if inside == 0 && text.contains("://") => found.push(format!("bare URL in {text:?}")),
            _ => {}
        }
    }
    found.extend(open.into_iter().map(|name| format!("unclosed HTML tag {name:?}")));
    let generated = |r: &str| r.len() > 2 && r.starts_with('`') && r.ends_with('`');
    found.extend(references.into_iter().filter(|r| !generated(r)).map(|r| format!("link to {r:?}")));
    found
}

#[test]
fn rustdoc_reads_no_markup_in_spec_text() {
    let output = hostile();
    let mut offending = Vec::new();
    for (path, content) in output.files.iter().filter(|(p, _)| p.ends_with(".rs")) {
        for doc in docs(content) {
            for warning in rustdoc_warnings(&doc) {
                offending.push(format!("{path}: {warning}\n--- in ---\n{doc}"));
            }
        }
    }
    assert!(offending.is_empty(), "rustdoc would warn:\n{}", offending.join("\n=====\n"));
    // The prose is still there, as text.
    let models = &output.files["src/generated/models.rs"];
    let prose = "an \\<id>, <b>bold</b>, page\\[number], \\[x]\\[y], \\[Item], <https://example.com/docs_(v2)>.";
    assert!(models.contains(prose), "{models}");
}

#[test]
fn spec_text_cannot_break_the_manifest_or_literals() {
    let output = hostile();
    let manifest = &output.files["Cargo.toml"];
    let description: Vec<&str> = manifest.lines().filter(|l| l.starts_with("description")).collect();
    assert_eq!(
        description,
        [concat!(
            r#"description = "Client for Hostile \"docs\" \\ API ```rust compile_error!(\"title compiled\"); ``` "#,
            r#"[package]evil 1\" [dependencies] evil = \"1\"""#
        )],
        "{manifest}"
    );
    assert!(!manifest.contains("\nevil"), "{manifest}");
    // Braces in a discriminator or parameter name are never read as format arguments.
    let models = &output.files["src/generated/models.rs"];
    // (Compared with line breaks and indentation folded into single spaces.)
    let flat = models.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("format!( \"no variant of Pet matches (discriminator `{}` = {:?})\", \"pet{type}\", tag )"),
        "{models}"
    );
    let ops = output
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("src/generated/operations/"))
        .map(|(_, c)| c.as_str())
        .collect::<String>();
    assert!(ops.contains("\"`lim{{it}}` must be between 1 and 10\""), "{ops}");
}

#[test]
fn invisible_characters_do_not_reach_the_generated_code() {
    for (path, content) in &hostile().files {
        let bad: Vec<char> = content
            .chars()
            .filter(|c| {
                let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
                let invisible = matches!(c, '\u{200B}'..='\u{200D}' | '\u{2028}' | '\u{2029}' | '\r');
                bidi || invisible || (c.is_control() && *c != '\n')
            })
            .collect();
        assert!(bad.is_empty(), "{path} holds {bad:?}");
    }
}

/// Lines that open, close or hide code blocks, combined at random (a fixed seed) into many
/// descriptions: whatever the combination, the sanitized text holds no block rustdoc would run.
#[test]
fn sanitized_markdown_never_holds_a_rust_code_block() {
    const LINES: &[&str] = &[
        "",
        "```",
        "```rust",
        "```text rust",
        "````",
        "~~~",
        "~~~rust",
        "    ```",
        "   ```",
        "    indented_code();",
        "\tindented_code();",
        "> ```",
        ">     quoted();",
        "> > ```rust",
        "- ```",
        "-     listed();",
        "1. ```",
        "2)     listed();",
        "  - nested",
        "<div>",
        "</div>",
        "<pre>",
        "</pre>",
        "<!--",
        "-->",
        "<script>",
        "| a | b |",
        "|---|---|",
        "[^1]: ```",
        "[^1]:     noted();",
        "text ```rust",
        "``` ``",
        "a\r```",
        "b\u{2028}```rust",
        "Heading\n---",
        "* * *",
        "<p>\n```",
        "x ``` y",
        "> - ```",
        "- > ```rust",
        "1. - ```",
        "    > ```",
        "    - ```",
        "<details>",
        "</details>",
        "<!-- x -->",
        "<PRE>",
        " <div>",
        "\\```",
        "~~~~",
        "> ~~~",
        "```~",
        "`",
        "***",
        "[link]: http://example.com",
        "Term\n: definition",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..20_000 {
        let n = 1 + (next() % 8) as usize;
        let raw: Vec<&str> = (0..n).map(|_| LINES[(next() % LINES.len() as u64) as usize]).collect();
        let raw = raw.join("\n");
        let safe = codegen::text::markdown(&raw);
        let blocks = rust_blocks(&safe);
        assert!(blocks.is_empty(), "round {round}: {raw:?}\nbecame {safe:?}\nwhich holds {blocks:?}");
        assert_eq!(codegen::text::markdown(&safe), safe, "not idempotent for {raw:?}");
    }
}
