//! Spec text is third-party input: everything it contributes to the generated crate's docs and
//! manifest goes through this module, so none of it can become code, compile or run.
//!
//! - [`markdown`]: a description for a `#[doc]` attribute. `cargo test --doc` runs every code block
//!   rustdoc takes for Rust, so the result holds no code block except `text` ones:
//!   - leading whitespace is removed and container markers (`>`, list markers, footnote labels) are
//!     followed by exactly one space, so no line is an indented code block;
//!   - a fence (```` ``` ```` or `~~~`, with any info string) at the top level becomes a block that
//!     opens with exactly ```` ```text ````, after a blank line, and closes with a plain
//!     ```` ``` ````; a block the description leaves open is closed at its end; a line inside it
//!     that would close it early is escaped;
//!   - a fence inside a container, and the start of an HTML block that a blank line does not end
//!     (`<pre>`, `<script>`, `<style>`, `<textarea>`, `<!`, `<?`), is escaped with a backslash, so
//!     it stays text whatever the surrounding markup means.
//!
//!   Each line is safe on its own, and a `text` block only opens after a blank line outside every
//!   container, where CommonMark starts a new block whatever came before.
//! - [`code`]: a value shown as inline code on one line.
//! - [`plain`]: one line of plain text (titles, versions).
//! - [`toml_string`]: a TOML basic string for `Cargo.toml`.
//!
//! All of them first drop control characters (a bare carriage return is a line break), bidi
//! controls and zero-width characters.

/// Bidi embedding, override and isolate controls and marks, which can make text read differently
/// from what it is (CVE-2021-42574).
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Characters that take no space.
fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}' | '\u{00AD}')
}

/// The text with line breaks normalized to `\n` (`\r\n`, a bare `\r`, U+2028, U+2029), tabs
/// expanded to four spaces, and other control, bidi and zero-width characters removed.
pub fn clean(raw: &str) -> String {
    // Printable ASCII and line feeds (most spec text) come out as they are.
    if raw.bytes().all(|b| b == b'\n' || (b' '..=b'~').contains(&b)) {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' | '\u{2028}' | '\u{2029}' => out.push('\n'),
            '\t' => out.push_str("    "),
            c if c.is_control() || is_bidi(c) || is_zero_width(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// One line of plain text: [`clean`]ed, with every run of whitespace (line breaks included)
/// made one space.
pub fn plain(raw: &str) -> String {
    clean(raw).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `value` as a Markdown inline code span on one line, whatever backticks it holds.
pub fn code(value: &str) -> String {
    let value = plain(value);
    let longest = value.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest + 1);
    if value.starts_with('`') || value.ends_with('`') {
        format!("{ticks} {value} {ticks}")
    } else {
        format!("{ticks}{value}{ticks}")
    }
}

/// A TOML basic string (with its quotes) holding `value` as one line of [`plain`] text.
pub fn toml_string(value: &str) -> String {
    let mut out = String::from('"');
    for c in plain(value).chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A fence opening or closing line: the fence character and how many of it start the line.
fn fence_run(line: &str) -> Option<(char, usize)> {
    let c = line.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = line.chars().take_while(|x| *x == c).count();
    (len >= 3).then_some((c, len))
}

/// Splits a line (leading whitespace already removed) into its container markers, rewritten
/// with one space after each (`>`, `-`/`*`/`+`, `1.`/`1)`, `[^note]:`), and the rest.
fn containers(line: &str) -> (String, &str) {
    let mut prefix = String::new();
    let mut rest = line;
    loop {
        let bullet = rest.starts_with(['-', '*', '+']) && rest[1..].chars().next().is_none_or(char::is_whitespace);
        let marker_len = if rest.starts_with('>') || bullet {
            1
        } else if let Some(digits) =
            Some(rest.chars().take_while(char::is_ascii_digit).count()).filter(|d| (1..=9).contains(d))
        {
            let next = rest[digits..].chars().next();
            let after = rest[digits..].chars().nth(1);
            if matches!(next, Some('.' | ')')) && after.is_none_or(char::is_whitespace) {
                digits + 1
            } else {
                break;
            }
        } else if rest.starts_with("[^") {
            match rest.find("]:") {
                Some(end) => end + 2,
                None => break,
            }
        } else {
            break;
        };
        prefix.push_str(&rest[..marker_len]);
        prefix.push(' ');
        rest = rest[marker_len..].trim_start();
    }
    (prefix, rest)
}

/// Whether a line (after its container markers) would start an HTML block that only an end
/// marker, not a blank line, ends (CommonMark block kinds 1 to 5).
fn starts_unbounded_html(rest: &str) -> bool {
    let lower = rest.get(..10).unwrap_or(rest).to_ascii_lowercase();
    rest.starts_with("<!")
        || rest.starts_with("<?")
        || ["<pre", "<script", "<style", "<textarea"].iter().any(|tag| {
            lower.strip_prefix(tag).is_some_and(|after| after.is_empty() || after.starts_with(['>', ' ', '/']))
        })
}

/// A description made safe to use as rustdoc Markdown (see the module docs): no code, and no
/// link, HTML or bare URL rustdoc would warn about.
pub fn markdown(raw: &str) -> String {
    neutralize_markup(markdown_blocks(raw))
}

/// The part of [`markdown`] that keeps code out: fences become closed `text` blocks, nothing is
/// indented. Links are left as they are: the emitters apply it to every doc, whose spec parts
/// went through [`markdown`] and whose generator parts link to generated items.
pub fn markdown_blocks(raw: &str) -> String {
    let cleaned = clean(raw);
    // Most descriptions are plain lines: nothing to indent, no marker or fence, no blank line
    // at either end. Those come out as they are (what the line by line rewrite below gives them).
    if plain_lines(&cleaned) {
        return cleaned;
    }
    blocks_by_line(&cleaned)
}

/// Whether each line of `text` is empty or starts with no whitespace, container marker, fence
/// character, digit or `<` and ends with no whitespace, and the first and last lines are not
/// empty: text that [`blocks_by_line`] returns unchanged.
fn plain_lines(text: &str) -> bool {
    let plain_line = |line: &str| match (line.chars().next(), line.chars().next_back()) {
        (None, _) | (_, None) => true,
        (Some(first), Some(last)) => {
            !first.is_whitespace()
                && !first.is_ascii_digit()
                && !matches!(first, '>' | '-' | '*' | '+' | '[' | '<' | '`' | '~')
                && !last.is_whitespace()
        }
    };
    !text.is_empty() && !text.starts_with('\n') && !text.ends_with('\n') && text.split('\n').all(plain_line)
}

/// [`markdown_blocks`] of cleaned text, line by line.
fn blocks_by_line(cleaned: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    // The open fence's character and length.
    let mut fence: Option<(char, usize)> = None;
    for line in cleaned.split('\n') {
        if let Some((c, len)) = fence {
            let trimmed = line.trim();
            if fence_run(trimmed).is_some_and(|(x, n)| x == c && n >= len && n == trimmed.chars().count()) {
                out.push("```".into());
                fence = None;
            } else if trimmed.starts_with("```") && trimmed.chars().all(|x| x == '`') {
                // It would close the `text` block although it does not close the original fence.
                out.push(format!("\\{trimmed}"));
            } else {
                out.push(line.trim_end().to_owned());
            }
            continue;
        }
        let (prefix, rest) = containers(line.trim_start());
        let rest = rest.trim_end();
        let opener = fence_run(rest).filter(|(c, len)| *c == '~' || !rest[*len..].contains('`'));
        if let (Some(open), true) = (opener, prefix.is_empty()) {
            if out.last().is_some_and(|l| !l.is_empty()) {
                out.push(String::new());
            }
            out.push("```text".into());
            fence = Some(open);
        } else if fence_run(rest).is_some() || starts_unbounded_html(rest) {
            out.push(format!("{prefix}\\{rest}"));
        } else {
            out.push(format!("{prefix}{rest}").trim_end().to_owned());
        }
    }
    if fence.is_some() {
        out.push("```".into());
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    let start = out.iter().position(|l| !l.is_empty()).unwrap_or(out.len());
    out.drain(..start);
    out.join("\n")
}

/// The Markdown extensions rustdoc reads docs with (its `main_body_opts`).
fn rustdoc_options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options as O;
    O::ENABLE_TABLES | O::ENABLE_FOOTNOTES | O::ENABLE_STRIKETHROUGH | O::ENABLE_TASKLISTS | O::ENABLE_SMART_PUNCTUATION
}

/// Prose that rustdoc would read as markup the spec did not write for it, made plain text:
/// brackets that are no link the text defines (rustdoc would look them up as intra-doc links to
/// items of the crate) and raw HTML get a backslash before their `[` or `<`; a bare URL is
/// wrapped in `<...>` (an autolink). The text is parsed as rustdoc parses it, with the Markdown
/// parser rustdoc uses, so the generated crate documents warning-free. Only backslashes, `<` and
/// `>` are inserted, never at the start of a line, so no code block can appear.
fn neutralize_markup(mut md: String) -> String {
    if !md.contains(['[', '<']) && !md.contains("http") {
        return md;
    }
    // Plain text again can form new markup (`[a][b]` is a link to `b` once `[a]` is escaped):
    // repeat until nothing changes; each round only inserts, so it ends.
    // The last rounds escape every `<` of raw HTML, balanced or not.
    for round in 0..16 {
        let edits = markup_edits(&md, round >= 12);
        if edits.is_empty() {
            break;
        }
        let mut out = String::with_capacity(md.len() + edits.len());
        let mut at = 0;
        for (offset, insert) in edits {
            out.push_str(&md[at..offset]);
            out.push_str(insert);
            at = offset;
        }
        out.push_str(&md[at..]);
        md = out;
    }
    md
}

/// Where [`neutralize_markup`] inserts what, in offset order.
fn markup_edits(md: &str, all_html: bool) -> Vec<(usize, &'static str)> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut broken = Vec::new();
    let mut edits = Vec::new();
    let mut texts: Vec<std::ops::Range<usize>> = Vec::new();
    // Each `<` of raw HTML, with the first `<` of the HTML block it is in: a backslash does not
    // escape anything inside an HTML block, so the block's own start is escaped instead (the
    // block then becomes a paragraph, read again in the next round).
    let mut html: Vec<(usize, Option<usize>)> = Vec::new();
    let mut block: Option<Option<usize>> = None;
    {
        let callback = |link: pulldown_cmark::BrokenLink<'_>| {
            broken.push(link.span.clone());
            None
        };
        let parser = Parser::new_with_broken_link_callback(md, rustdoc_options(), Some(callback));
        // Inside a link, an image or a code block: URLs there are no bare URLs.
        let mut inside = 0usize;
        for (event, range) in parser.into_offset_iter() {
            match event {
                Event::Start(Tag::Link { .. } | Tag::Image { .. } | Tag::CodeBlock(_)) => inside += 1,
                Event::End(TagEnd::Link | TagEnd::Image | TagEnd::CodeBlock) => inside = inside.saturating_sub(1),
                Event::Start(Tag::HtmlBlock) => block = Some(None),
                Event::End(TagEnd::HtmlBlock) => block = None,
                Event::Html(_) | Event::InlineHtml(_) => {
                    for (i, _) in md[range.clone()].match_indices('<') {
                        let start = block.as_mut().map(|first| *first.get_or_insert(range.start + i));
                        html.push((range.start + i, start));
                    }
                }
                // The parser splits text where emphasis could start (`_`, `*`): a URL may span
                // several adjacent text events.
                Event::Text(_) if inside == 0 => match texts.last_mut() {
                    Some(last) if last.end == range.start => last.end = range.end,
                    _ => texts.push(range),
                },
                _ => {}
            }
        }
    }
    for range in texts {
        bare_urls(md, range, &mut edits);
    }
    let starts: Vec<usize> = html.iter().map(|(at, _)| *at).collect();
    let escape = if all_html { starts } else { unbalanced_html(md, &starts) };
    for at in escape {
        let block = html.iter().find(|(x, _)| *x == at).and_then(|(_, block)| *block);
        edits.push((block.unwrap_or(at), "\\"));
    }
    for span in broken {
        edits.extend(md[span.clone()].match_indices('[').map(|(i, _)| (span.start + i, "\\")));
    }
    edits.sort_unstable();
    edits.dedup();
    edits
}

/// Elements that need no closing tag (rustdoc's `invalid_html_tags` does not ask for one).
const VOID_ELEMENTS: [&str; 15] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param", "source", "track",
    "wbr",
];

/// Of the `<` at `starts` (raw HTML, in order), those rustdoc's `invalid_html_tags` would report:
/// a tag never closed, a closing tag never opened, a comment never ended, a `<` that starts no
/// complete tag. Balanced HTML (`<code>x</code>`, `<ul><li>..</li></ul>`, `<br/>`) is kept.
fn unbalanced_html(md: &str, starts: &[usize]) -> Vec<usize> {
    let mut bad = Vec::new();
    let mut open: Vec<(String, usize)> = Vec::new();
    for &at in starts {
        let rest = &md[at + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            if !comment.contains("-->") {
                bad.push(at);
            }
            continue;
        }
        let closing = rest.starts_with('/');
        let name: String = rest[usize::from(closing)..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase();
        let Some(end) = rest.find('>') else {
            bad.push(at);
            continue;
        };
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            bad.push(at);
        } else if closing {
            match open.iter().rposition(|(n, _)| *n == name) {
                Some(i) => bad.extend(open.drain(i..).skip(1).map(|(_, at)| at)),
                None => bad.push(at),
            }
        } else if !rest[..end].ends_with('/') && !VOID_ELEMENTS.contains(&name.as_str()) {
            open.push((name, at));
        }
    }
    bad.extend(open.into_iter().map(|(_, at)| at));
    bad
}

/// `<` and `>` around each `http://` or `https://` URL in `md[range]`, without the sentence's
/// punctuation after it.
fn bare_urls(md: &str, range: std::ops::Range<usize>, edits: &mut Vec<(usize, &'static str)>) {
    let text = &md[range.clone()];
    let mut from = 0;
    while let Some(start) = ["https://", "http://"].iter().filter_map(|p| text[from..].find(p)).min().map(|i| from + i)
    {
        let len = text[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | '\\'))
            .unwrap_or(text.len() - start);
        let mut url = &text[start..start + len];
        loop {
            let mut trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '*', '_']);
            for (open, close) in [('(', ')'), ('[', ']')] {
                if trimmed.ends_with(close) && trimmed.matches(close).count() > trimmed.matches(open).count() {
                    trimmed = &trimmed[..trimmed.len() - 1];
                }
            }
            if trimmed.len() == url.len() {
                break;
            }
            url = trimmed;
        }
        if !url.ends_with("//") {
            edits.push((range.start + start, "<"));
            edits.push((range.start + start + url.len(), ">"));
        }
        from = start + len.max(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_become_closed_text_blocks() {
        assert_eq!(markdown("Intro\n```rust\nfn main() {}\n```\nAfter"), "Intro\n\n```text\nfn main() {}\n```\nAfter");
        assert_eq!(markdown("~~~\npanic!()"), "```text\npanic!()\n```");
        assert_eq!(markdown("````\n```\n````"), "```text\n\\```\n```");
        assert_eq!(markdown("```text rust\nx\n```"), "```text\nx\n```");
    }

    #[test]
    fn nothing_is_indented_or_fenced_inside_containers() {
        assert_eq!(markdown("    indented();"), "indented();");
        assert_eq!(markdown(">     quoted_code();"), "> quoted_code();");
        assert_eq!(markdown("> ```rust\n> x\n> ```"), "> \\```rust\n> x\n> \\```");
        assert_eq!(markdown("-     item_code();\n1)    also();"), "- item_code();\n1) also();");
        assert_eq!(markdown("[^1]: ```rust"), "[^1]: \\```rust");
        assert_eq!(markdown("<pre>\n\n```"), "\\<pre>\n\n```text\n```");
    }

    #[test]
    fn invisible_and_control_characters_are_removed() {
        assert_eq!(clean("a\u{202E}b\u{2066}c\u{200B}d\u{FEFF}e\u{7}f"), "abcdef");
        assert_eq!(markdown("a\r```rust\rpanic!()"), "a\n\n```text\npanic!()\n```");
        assert_eq!(plain("My \"API\"\n\\ v1\r\n"), "My \"API\" \\ v1");
    }

    #[test]
    fn inline_code_holds_any_backticks() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code("a\n```rust"), "````a ```rust````");
    }

    #[test]
    fn toml_strings_escape_quotes_backslashes_and_line_breaks() {
        assert_eq!(toml_string("a \"b\" \\c\nd"), r#""a \"b\" \\c d""#);
    }

    #[test]
    fn brackets_html_and_bare_urls_stay_prose() {
        assert_eq!(markdown("Use page[number] and [x][y]."), "Use page\\[number] and \\[x]\\[y].");
        assert_eq!(markdown("See [the docs](https://example.com/a)."), "See [the docs](https://example.com/a).");
        assert_eq!(markdown("[ref]\n\n[ref]: https://example.com"), "[ref]\n\n[ref]: https://example.com");
        // Balanced HTML stays HTML; a tag never closed or never opened becomes text.
        assert_eq!(markdown("An <id> or <b>bold</b>.<br/>"), "An \\<id> or <b>bold</b>.<br/>");
        assert_eq!(markdown("x <ul><li><code>a</code></li><li>b</ul>"), "x <ul><li><code>a</code></li>\\<li>b</ul>");
        // In an HTML block a backslash escapes nothing: the block itself becomes text.
        assert_eq!(markdown("<ul><li><code>a</code></li><li>b</ul>"), "\\<ul><li><code>a</code></li>\\<li>b\\</ul>");
        assert_eq!(markdown("a</b> <!-- c -->"), "a\\</b> <!-- c -->");
        assert_eq!(markdown("<div>\nx"), "\\<div>\nx");
        assert_eq!(markdown("<div>\nx\n</div>"), "<div>\nx\n</div>");
        assert_eq!(markdown("Docs: https://example.com/x_(y)."), "Docs: <https://example.com/x_(y)>.");
        assert_eq!(markdown("(see https://example.com)"), "(see <https://example.com>)");
        assert_eq!(
            markdown("Already <https://example.com>, `https://in.code`"),
            "Already <https://example.com>, `https://in.code`"
        );
        assert_eq!(markdown("```\n<b> [x] https://a.b\n```"), "```text\n<b> [x] https://a.b\n```");
    }

    #[test]
    fn plain_lines_come_out_as_the_line_by_line_rewrite_gives_them() {
        let texts = [
            "One line.",
            "Two lines.\nThe second.",
            "A paragraph.\n\nAnother, after a blank line.",
            "Ends with spaces.   ",
            "  Starts indented.",
            "\n\nBlank lines first.\n\n",
            "- a list\n- of two",
            "1. numbered",
            "2024 is a year, not a list",
            "> quoted",
            "[^note]: a footnote",
            "[a link](x) first",
            "<pre>html</pre>",
            "```\nfenced\n```",
            "~~~\nfenced\n~~~",
            "text\n```rust\nlet x = 1;\n```",
            "tab\tinside and ünïcödé ✓",
            "\u{3000}ideographic space first",
            "last\u{3000}",
            "",
            "\n",
        ];
        let mut plain = 0;
        for text in texts {
            let cleaned = clean(text);
            plain += usize::from(plain_lines(&cleaned));
            assert_eq!(markdown_blocks(text), blocks_by_line(&cleaned), "{text:?}");
        }
        assert_eq!(plain, 4, "the texts taken as they are");
    }

    #[test]
    fn sanitizing_twice_changes_nothing() {
        for raw in [
            "```rust\nx\n````\n> ```\n    y",
            "<pre>\n```",
            "a\n~~~\n```\n~~~",
            "[a][b] <i>x</i> https://e.com/[x] <!-- c -->",
        ] {
            let once = markdown(raw);
            assert_eq!(markdown(&once), once, "for {raw:?}");
        }
    }
}
