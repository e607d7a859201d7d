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

/// A description made safe to use as rustdoc Markdown (see the module docs).
pub fn markdown(raw: &str) -> String {
    let cleaned = clean(raw);
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
    fn sanitizing_twice_changes_nothing() {
        for raw in ["```rust\nx\n````\n> ```\n    y", "<pre>\n```", "a\n~~~\n```\n~~~"] {
            let once = markdown(raw);
            assert_eq!(markdown(&once), once, "for {raw:?}");
        }
    }
}
