//! Stage 6: token streams printed as readable Rust, without parsing them again.
//!
//! The emitters build `proc_macro2` token streams; this module prints them directly: 4-space
//! indentation, one statement, item, field, variant or match arm per line, doc attributes as
//! `///` / `//!` lines, and Rust's usual spacing around punctuation. The layout is not
//! rustfmt's (the generated module is `#[rustfmt::skip]`), but it is stable and deterministic.
//!
//! It is lossless: lexing the printed text gives back the emitted tokens (string literals compared
//! by value, since a doc attribute comes back as a `///` comment), which the tests check on the
//! spec's output and on the codegen fixtures. Whitespace is only ever placed between tokens, and
//! two punctuation characters are printed next to each other only when they were joined in the
//! emitted stream or cannot form an operator (or a comment) together.
//!
//! The tokens are first copied into a flat list (their text in one buffer), consuming the stream
//! once; layout decisions then look ahead and measure without cloning token trees.

use std::borrow::Cow;
use std::fmt::Write as _;

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// Lines longer than this break a parenthesized or bracketed list at its commas.
const WIDTH: usize = 100;
/// A brace group whose content would print in at most this many columns, with no statements,
/// items or arms in it, stays on one line (`Auth::Bearer { optional: false }`, `{ a } else { b }`).
const SHORT_BRACE: usize = 60;

/// Prints `tokens` as the text of a Rust file (ending with a newline unless empty).
pub(crate) fn render(tokens: TokenStream) -> String {
    // The flat list's buffers are kept for the thread's next file: its pages are already mapped
    // and it grows no more (a file has tens of thousands of tokens).
    thread_local! {
        static FLAT: std::cell::Cell<Flat> =
            const { std::cell::Cell::new(Flat { toks: Vec::new(), text: String::new() }) };
    }
    let mut flat = FLAT.take();
    flat.toks.clear();
    flat.text.clear();
    flat.push_stream(tokens);
    let mut printer = Printer { flat: &flat, out: String::with_capacity(flat.text.len() * 2), indent: 0, col: 0 };
    printer.seq(0, flat.toks.len(), Mode::Block);
    if !printer.out.is_empty() && !printer.out.ends_with('\n') {
        printer.out.push('\n');
    }
    let out = printer.out;
    FLAT.set(flat);
    out
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Ident,
    Literal,
    /// A punctuation character; `true` when joined to the next one.
    Punct(char, bool),
    /// An opening delimiter with the index of its closing one.
    Open(Delimiter, usize),
    Close(Delimiter),
}

#[derive(Clone, Copy, Debug)]
struct Tok {
    kind: Kind,
    /// Text range in [`Flat::text`] (identifiers and literals only).
    start: usize,
    end: usize,
}

/// The token tree as a flat list; groups are `Open … Close` ranges, invisible groups are spliced.
#[derive(Default)]
struct Flat {
    toks: Vec<Tok>,
    text: String,
}

impl Flat {
    fn push_stream(&mut self, stream: TokenStream) {
        for tree in stream {
            match tree {
                TokenTree::Group(group) => {
                    let delimiter = group.delimiter();
                    let inner = group.stream();
                    // Dropping the group leaves `inner` the only owner, so iterating it moves the
                    // trees instead of copying them.
                    drop(group);
                    if delimiter == Delimiter::None {
                        self.push_stream(inner);
                        continue;
                    }
                    let open = self.toks.len();
                    self.toks.push(Tok { kind: Kind::Open(delimiter, 0), start: 0, end: 0 });
                    self.push_stream(inner);
                    let close = self.toks.len();
                    self.toks.push(Tok { kind: Kind::Close(delimiter), start: 0, end: 0 });
                    self.toks[open].kind = Kind::Open(delimiter, close);
                }
                TokenTree::Punct(p) => self.toks.push(Tok {
                    kind: Kind::Punct(p.as_char(), p.spacing() == Spacing::Joint),
                    start: 0,
                    end: 0,
                }),
                TokenTree::Ident(i) => self.push_text(Kind::Ident, &i),
                TokenTree::Literal(l) => self.push_text(Kind::Literal, &l),
            }
        }
    }

    fn push_text(&mut self, kind: Kind, value: &dyn std::fmt::Display) {
        let start = self.text.len();
        let _ = write!(self.text, "{value}");
        self.toks.push(Tok { kind, start, end: self.text.len() });
    }

    fn text(&self, i: usize) -> &str {
        let t = &self.toks[i];
        &self.text[t.start..t.end]
    }

    fn punct(&self, i: usize) -> Option<char> {
        match self.toks.get(i)?.kind {
            Kind::Punct(c, _) => Some(c),
            _ => None,
        }
    }

    fn is_ident(&self, i: usize, word: &str) -> bool {
        i < self.toks.len() && self.toks[i].kind == Kind::Ident && self.text(i) == word
    }

    /// Index after the token or group starting at `i`.
    fn after(&self, i: usize) -> usize {
        match self.toks[i].kind {
            Kind::Open(_, close) => close + 1,
            _ => i + 1,
        }
    }

    /// The printed width of `lo..hi` on one line, approximately (a space per token), or more
    /// than `budget` (counting stops there).
    fn width(&self, lo: usize, hi: usize, budget: usize) -> usize {
        let mut w = 0;
        for (i, t) in self.toks[lo..hi].iter().enumerate() {
            let word = |k: Kind| matches!(k, Kind::Ident | Kind::Literal);
            w += match t.kind {
                Kind::Ident | Kind::Literal => {
                    let spaced = self.toks.get(lo + i + 1).is_some_and(|n| word(n.kind));
                    t.end - t.start + usize::from(spaced)
                }
                Kind::Punct(',' | ';' | '=' | '+' | '|' | '-' | '<' | '>' | '&' | '*', _) => 2,
                Kind::Punct(..) | Kind::Open(..) | Kind::Close(..) => 1,
            };
            if w > budget {
                break;
            }
        }
        w
    }
}

/// Whether two punctuation characters printed side by side would lex as something else: a
/// multi-character operator, a comment, or the old `<-` arrow.
fn fuses(a: char, b: char) -> bool {
    matches!(
        (a, b),
        (':', ':')
            | ('-', '>' | '=')
            | ('=', '>' | '=')
            | ('!', '=')
            | ('<', '=' | '<' | '-')
            | ('>', '=' | '>')
            | ('&', '&' | '=')
            | ('|', '|' | '=')
            | ('+' | '*' | '%' | '^', '=')
            | ('/', '=' | '/' | '*')
            | ('*', '/')
            | ('.', '.')
    )
}

/// Operators of several characters, longest first within each start.
const OPERATORS: &[&str] = &[
    "..=", "...", "<<=", ">>=", "::", "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=", "%=",
    "^=", "&=", "|=", "<<", ">>", "..",
];

/// What was printed last on the current line, as far as spacing is concerned.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Prev {
    /// Start of a line or just after an opening delimiter.
    Start,
    /// An identifier or keyword.
    Word(Word),
    Lifetime,
    Literal,
    Close(Delimiter),
    Op(Op),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Word {
    /// A name or a keyword that ends an expression or path (`self`, `Self`, `crate`, `true`, …).
    operand: bool,
    /// Starts with an uppercase letter (a type, so `<` after it opens generics).
    upper: bool,
    /// Names what `fn`, `struct`, `enum`, `type`, `trait` or `union` declares.
    declared: bool,
    /// `pub`: `pub(crate)` takes no space.
    is_pub: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    Binary,
    Unary,
    Path,
    Dot,
    Comma,
    Semi,
    Colon,
    GenericOpen,
    GenericClose,
    /// The `>` of `impl<…>` or `for<…>`.
    KeywordGenericClose,
    Question,
    MacroBang,
    ClosureOpen,
    ClosureClose,
    Pound,
    Other,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// Brace content or the file: statements, items, fields, arms, one per line.
    Block,
    /// Parentheses or brackets on one line.
    Inline,
    /// Parentheses or brackets one element per line.
    Broken,
}

/// Layout state of one delimited level.
struct Level {
    mode: Mode,
    prev: Prev,
    /// Generic angle brackets open at this level.
    angles: usize,
    /// For each open angle bracket, whether it follows a keyword (`impl<T>`, `for<'a>`): a path
    /// after its `>` is a new type (`impl<T> ::serde::Serialize`), not a segment.
    after_keyword: Vec<bool>,
    /// Between the pipes of a closure's parameters.
    closure_params: bool,
    /// In a `where` clause (one predicate per line).
    in_where: bool,
    /// The current line declares an item (`fn`, `struct`, `impl`, …): its braces are a block.
    item_line: bool,
    /// The next word is the name of a declaration.
    declaring: bool,
    /// A long method chain is being printed one call per line (indented one more level).
    chain: bool,
}

struct Printer<'a> {
    flat: &'a Flat,
    out: String,
    indent: usize,
    /// Columns used on the current line.
    col: usize,
}

/// What a word is to the layout: a keyword, a keyword that ends an expression or path (`self`,
/// `true`, …), a keyword that declares a name (`fn`, `struct`, …), a keyword that starts an item.
#[derive(Clone, Copy)]
struct WordClass {
    keyword: bool,
    operand_keyword: bool,
    declaring: bool,
    item: bool,
}

/// One `match` instead of a scan of keyword lists per identifier.
fn word_class(text: &str) -> WordClass {
    // Every word below has at most 11 characters and starts with one of these: most names (types,
    // fields) are told apart without comparing them with each keyword.
    let candidate = text.len() <= 11
        && matches!(
            text.as_bytes().first(),
            Some(b'a'..=b'f' | b'i' | b'l' | b'm' | b'p' | b'r'..=b'u' | b'w' | b'y' | b'S' | b'_')
        );
    if !candidate {
        return WordClass { keyword: false, operand_keyword: false, declaring: false, item: false };
    }
    let (keyword, operand_keyword, declaring, item) = match text {
        "fn" | "struct" | "enum" | "union" | "trait" => (true, false, true, true),
        "type" => (true, false, true, false),
        "impl" | "mod" => (true, false, false, true),
        "macro_rules" => (false, false, false, true),
        "self" | "Self" | "super" | "crate" | "true" | "false" | "await" => (true, true, false, false),
        "_" => (false, true, false, false),
        "as" | "async" | "break" | "const" | "continue" | "dyn" | "else" | "extern" | "for" | "if" | "in" | "let"
        | "loop" | "match" | "move" | "mut" | "pub" | "ref" | "return" | "static" | "unsafe" | "use" | "where"
        | "while" | "yield" => (true, false, false, false),
        _ => (false, false, false, false),
    };
    WordClass { keyword, operand_keyword, declaring, item }
}

impl Printer<'_> {
    fn newline(&mut self) {
        if self.col > 0 {
            self.out.push('\n');
            self.col = 0;
        }
    }

    /// Writes `s` on the current line, indenting first at the start of a line.
    fn put(&mut self, s: &str) {
        if self.col == 0 {
            for _ in 0..self.indent {
                self.out.push_str("    ");
            }
            self.col = self.indent * 4;
        }
        self.out.push_str(s);
        // Most tokens are ASCII: their width is their length.
        self.col += if s.is_ascii() { s.len() } else { s.chars().count() };
    }

    fn space(&mut self) {
        if self.col > 0 && !self.out.ends_with(' ') {
            self.out.push(' ');
            self.col += 1;
        }
    }

    /// Prints the tokens `lo..hi` (the content of one group, or the file) in `mode`.
    fn seq(&mut self, lo: usize, hi: usize, mode: Mode) {
        let f = self.flat;
        let mut lv = Level {
            mode,
            prev: Prev::Start,
            angles: 0,
            after_keyword: Vec::new(),
            closure_params: false,
            in_where: false,
            item_line: false,
            declaring: false,
            chain: false,
        };
        let mut i = lo;
        while i < hi {
            let t = f.toks[i];
            match t.kind {
                Kind::Punct('#', _) if self.attribute_end(i, hi).is_some() => {
                    i = self.attribute(i, hi, &mut lv);
                    continue;
                }
                Kind::Ident => {
                    let text = f.text(i);
                    if text == "where" && mode == Mode::Block && lv.angles == 0 {
                        self.newline();
                        self.put("where");
                        self.newline();
                        self.indent += 1;
                        lv.in_where = true;
                        lv.prev = Prev::Start;
                        i += 1;
                        continue;
                    }
                    if self.needs_space_before_word(lv.prev) {
                        self.space();
                    }
                    self.put(text);
                    let class = word_class(text);
                    lv.prev = Prev::Word(Word {
                        operand: !class.keyword || class.operand_keyword,
                        upper: text.strip_prefix("r#").unwrap_or(text).starts_with(|c: char| c.is_ascii_uppercase()),
                        declared: lv.declaring,
                        is_pub: text == "pub",
                    });
                    lv.declaring = class.declaring;
                    if mode == Mode::Block && class.item {
                        lv.item_line = true;
                    }
                    i += 1;
                }
                Kind::Literal => {
                    if self.needs_space_before_word(lv.prev) {
                        self.space();
                    }
                    self.put(f.text(i));
                    lv.prev = Prev::Literal;
                    lv.declaring = false;
                    i += 1;
                }
                Kind::Punct('\'', true) if i + 1 < hi && f.toks[i + 1].kind == Kind::Ident => {
                    if self.needs_space_before_word(lv.prev) {
                        self.space();
                    }
                    self.put("'");
                    self.put(f.text(i + 1));
                    lv.prev = Prev::Lifetime;
                    i += 2;
                }
                Kind::Punct(..) => {
                    i = self.operator(i, hi, &mut lv);
                }
                Kind::Open(delimiter, close) => {
                    if delimiter == Delimiter::Brace {
                        self.end_chain(&mut lv);
                    }
                    if lv.in_where && delimiter == Delimiter::Brace && lv.angles == 0 {
                        // The body after a `where` clause starts on a line of its own.
                        self.newline();
                        self.indent -= 1;
                        lv.in_where = false;
                        lv.prev = Prev::Start;
                    }
                    self.group(i, delimiter, close, hi, &mut lv);
                    lv.prev = Prev::Close(delimiter);
                    lv.declaring = false;
                    i = close + 1;
                    if delimiter == Delimiter::Brace && mode == Mode::Block && self.breaks_after_brace(i, hi) {
                        self.newline();
                        lv.prev = Prev::Start;
                        lv.item_line = false;
                    }
                }
                Kind::Close(_) => i += 1, // not reached: groups are skipped whole
            }
        }
        self.end_chain(&mut lv);
        if lv.in_where {
            self.indent -= 1;
        }
    }

    fn end_chain(&mut self, lv: &mut Level) {
        if lv.chain {
            lv.chain = false;
            self.indent -= 1;
        }
    }

    /// Where the expression containing the token at `i` ends: the next `,`, `;` or brace group
    /// of this level.
    fn expression_end(&self, i: usize, hi: usize) -> usize {
        let f = self.flat;
        let mut j = i;
        while j < hi {
            match f.toks[j].kind {
                Kind::Punct(',' | ';', _) | Kind::Open(Delimiter::Brace, _) => break,
                _ => j = f.after(j),
            }
        }
        j
    }

    fn needs_space_before_word(&self, prev: Prev) -> bool {
        match prev {
            Prev::Start => false,
            Prev::Word(_) | Prev::Lifetime | Prev::Literal | Prev::Close(_) => true,
            Prev::Op(op) => matches!(
                op,
                Op::Binary
                    | Op::Comma
                    | Op::Semi
                    | Op::Colon
                    | Op::GenericClose
                    | Op::KeywordGenericClose
                    | Op::Question
                    | Op::ClosureClose
            ),
        }
    }

    /// Whether `prev` ends an operand, so that an operator after it is binary.
    fn operand_end(prev: Prev) -> bool {
        match prev {
            Prev::Word(w) => w.operand,
            Prev::Lifetime | Prev::Literal | Prev::Close(_) => true,
            Prev::Op(op) => matches!(op, Op::GenericClose | Op::KeywordGenericClose | Op::Question),
            Prev::Start => false,
        }
    }

    /// Spacing before something that starts an operand (`&x`, `-1`, `!a`, `<T as X>`, `|x|`).
    fn space_before_operand(prev: Prev) -> bool {
        match prev {
            Prev::Start => false,
            Prev::Word(_) | Prev::Lifetime | Prev::Literal | Prev::Close(_) => true,
            Prev::Op(op) => matches!(
                op,
                Op::Binary
                    | Op::Comma
                    | Op::Semi
                    | Op::Colon
                    | Op::ClosureClose
                    | Op::GenericClose
                    | Op::KeywordGenericClose
                    | Op::Question
            ),
        }
    }

    /// Prints the punctuation starting at `i` (joined characters split into operators).
    fn operator(&mut self, i: usize, hi: usize, lv: &mut Level) -> usize {
        let f = self.flat;
        // The run of joined characters.
        let mut end = i;
        // Punctuation is ASCII: a run is collected on the stack, and on the heap only when it is
        // longer than any operator (never emitted, but printed as losslessly).
        let mut buf = [0_u8; 16];
        let mut len = 0;
        let mut spill: Vec<u8> = Vec::new();
        while end < hi {
            match f.toks[end].kind {
                // A lifetime or an attribute starts a token of its own.
                Kind::Punct('\'' | '#', _) if end > i => break,
                Kind::Punct(c, joint) if c.is_ascii() => {
                    if len < buf.len() {
                        buf[len] = c as u8;
                    } else {
                        if spill.is_empty() {
                            spill.extend_from_slice(&buf);
                        }
                        spill.push(c as u8);
                    }
                    len += 1;
                    end += 1;
                    if !joint || f.punct(end).is_none() || end >= hi {
                        break;
                    }
                }
                _ => break,
            }
        }
        if len == 0 {
            // Not reached: proc_macro2 only makes ASCII punctuation.
            return i + 1;
        }
        let run = if spill.is_empty() { &buf[..len] } else { &spill[..] };
        let mut rest = std::str::from_utf8(run).unwrap_or_default();
        let mut glued = false;
        while !rest.is_empty() {
            let piece = OPERATORS.iter().find(|op| rest.starts_with(**op)).copied().unwrap_or(&rest[..1]);
            rest = &rest[piece.len()..];
            self.op_piece(piece, glued, lv, i, hi);
            // The next piece is glued to this one when they would otherwise fuse differently.
            glued = rest.chars().next().is_some_and(|c| fuses(piece.chars().last().unwrap_or(' '), c));
        }
        end
    }

    fn op_piece(&mut self, piece: &str, glued: bool, lv: &mut Level, at: usize, hi: usize) {
        let prev = lv.prev;
        let operand_end = Self::operand_end(prev);
        // A method call on the result of a call: a long chain gets one call per line.
        if piece == "."
            && matches!(prev, Prev::Close(Delimiter::Parenthesis) | Prev::Op(Op::Question))
            && lv.angles == 0
        {
            if !lv.chain {
                let budget = WIDTH.saturating_sub(self.col);
                if self.flat.width(at, self.expression_end(at, hi), budget) > budget {
                    lv.chain = true;
                    self.indent += 1;
                }
            }
            if lv.chain {
                self.newline();
            }
        }
        let (op, space) = match piece {
            "," => (Op::Comma, false),
            ";" => (Op::Semi, false),
            ":" => (Op::Colon, false),
            "?" => (Op::Question, false),
            "." | ".." | "..=" | "..." => {
                (Op::Dot, !operand_end && !matches!(prev, Prev::Op(Op::Dot)) && Self::space_before_operand(prev))
            }
            "::" => {
                let space = match prev {
                    Prev::Word(w) => !w.operand,
                    Prev::Op(op) => matches!(
                        op,
                        Op::Binary | Op::Comma | Op::Colon | Op::Semi | Op::ClosureClose | Op::KeywordGenericClose
                    ),
                    _ => false,
                };
                (Op::Path, space)
            }
            "#" => (Op::Pound, Self::space_before_operand(prev)),
            "!" if matches!(prev, Prev::Word(w) if w.operand) => (Op::MacroBang, false),
            "<" if self.opens_generics(prev) => {
                lv.angles += 1;
                lv.after_keyword.push(matches!(prev, Prev::Word(w) if !w.operand));
                (
                    Op::GenericOpen,
                    matches!(prev, Prev::Op(Op::Binary | Op::Comma | Op::Colon | Op::Semi | Op::ClosureClose)),
                )
            }
            ">" if lv.angles > 0 => {
                lv.angles -= 1;
                let keyword = lv.after_keyword.pop().unwrap_or(false);
                (if keyword { Op::KeywordGenericClose } else { Op::GenericClose }, false)
            }
            ">>" if lv.angles > 1 => {
                lv.angles -= 2;
                lv.after_keyword.pop();
                let keyword = lv.after_keyword.pop().unwrap_or(false);
                (if keyword { Op::KeywordGenericClose } else { Op::GenericClose }, false)
            }
            "|" if lv.closure_params => {
                lv.closure_params = false;
                (Op::ClosureClose, false)
            }
            "|" if !operand_end => {
                lv.closure_params = true;
                (Op::ClosureOpen, Self::space_before_operand(prev))
            }
            "||" if !operand_end => (Op::ClosureClose, Self::space_before_operand(prev)),
            "&" | "*" | "-" | "!" | "&&" if !operand_end => (Op::Unary, Self::space_before_operand(prev)),
            "$" | "~" => (Op::Other, Self::space_before_operand(prev)),
            _ => (Op::Binary, true),
        };
        if glued {
            // Printed right after the previous piece, whatever the rules say.
        } else if space && prev != Prev::Start {
            self.space();
        } else if let Some(last) = self.out.chars().last() {
            // Two characters that would fuse into another token stay apart, except the `>>` that
            // closes two generic lists (which Rust reads as two `>` there).
            let first = piece.chars().next().unwrap_or(' ');
            let generic_pair = last == '>' && first == '>' && matches!(op, Op::GenericClose | Op::KeywordGenericClose);
            if self.col > 0 && fuses(last, first) && !generic_pair {
                self.space();
            }
        }
        self.put(piece);
        lv.prev = Prev::Op(op);
        lv.declaring = false;
        let top = lv.angles == 0 && !lv.closure_params;
        if top && matches!(op, Op::Comma | Op::Semi) {
            self.end_chain(lv);
        }
        match op {
            Op::Semi if lv.mode == Mode::Block => {
                self.newline();
                lv.prev = Prev::Start;
                lv.item_line = false;
                lv.in_where = self.end_where(lv.in_where);
            }
            Op::Comma if top && (lv.mode == Mode::Broken || lv.mode == Mode::Block) => {
                self.newline();
                lv.prev = Prev::Start;
                lv.item_line = lv.in_where;
            }
            _ => {}
        }
    }

    fn end_where(&mut self, in_where: bool) -> bool {
        if in_where {
            self.indent -= 1;
        }
        false
    }

    fn opens_generics(&self, prev: Prev) -> bool {
        match prev {
            Prev::Word(w) => !w.operand || w.upper || w.declared,
            Prev::Op(Op::Path) => true,
            Prev::Literal | Prev::Lifetime | Prev::Close(_) => false,
            Prev::Op(op) => !matches!(op, Op::GenericClose | Op::KeywordGenericClose | Op::Question),
            Prev::Start => true,
        }
    }

    /// For `#` at `i` starting an attribute (`#[…]` or `#![…]`), the index after it.
    fn attribute_end(&self, i: usize, hi: usize) -> Option<usize> {
        let f = self.flat;
        let mut j = i + 1;
        if f.punct(j) == Some('!') {
            j += 1;
        }
        match f.toks.get(j)?.kind {
            Kind::Open(Delimiter::Bracket, close) if close < hi => Some(close + 1),
            _ => None,
        }
    }

    /// Prints the attribute at `i`: a doc attribute as a `///` or `//!` line where that keeps its
    /// text exactly, others as `#[…]`; on a line of its own in a block.
    fn attribute(&mut self, i: usize, hi: usize, lv: &mut Level) -> usize {
        let f = self.flat;
        let end = self.attribute_end(i, hi).unwrap_or(i + 1);
        let inner = f.punct(i + 1) == Some('!');
        let open = if inner { i + 2 } else { i + 1 };
        let block = lv.mode == Mode::Block;
        if block {
            self.newline();
        } else if Self::space_before_operand(lv.prev) {
            self.space();
        }
        let doc = if block { doc_comment(f, open + 1, end - 1, inner) } else { None };
        match doc {
            Some(text) => {
                self.put(if inner { "//!" } else { "///" });
                self.put(&text);
            }
            None => {
                self.put(if inner { "#![" } else { "#[" });
                self.seq(open + 1, end - 1, Mode::Inline);
                self.put("]");
            }
        }
        if block {
            self.newline();
            lv.prev = Prev::Start;
        } else {
            lv.prev = Prev::Op(Op::Comma); // a space follows
        }
        end
    }

    /// Whether a line ends after a brace group that is followed by the token at `next`.
    fn breaks_after_brace(&self, next: usize, hi: usize) -> bool {
        let f = self.flat;
        if next >= hi {
            return false;
        }
        match f.toks[next].kind {
            Kind::Ident => !matches!(f.text(next), "else" | "as"),
            Kind::Literal | Kind::Open(..) => true,
            Kind::Punct('#', _) => true,
            Kind::Punct(..) | Kind::Close(_) => false,
        }
    }

    fn group(&mut self, open: usize, delimiter: Delimiter, close: usize, level_hi: usize, lv: &mut Level) {
        let f = self.flat;
        let prev = lv.prev;
        let space = match delimiter {
            Delimiter::Brace => !matches!(prev, Prev::Start | Prev::Op(Op::Path)),
            Delimiter::Parenthesis => match prev {
                Prev::Word(w) => !w.operand && !w.is_pub,
                Prev::Op(op) => {
                    matches!(
                        op,
                        Op::Binary | Op::Comma | Op::Semi | Op::Colon | Op::ClosureClose | Op::KeywordGenericClose
                    )
                }
                // `&'a (A, B)`, `&'a [T]`: after a lifetime only a type starts here.
                Prev::Lifetime => true,
                _ => false,
            },
            Delimiter::Bracket => match prev {
                Prev::Word(w) => !w.operand,
                Prev::Op(op) => {
                    matches!(
                        op,
                        Op::Binary | Op::Comma | Op::Semi | Op::Colon | Op::ClosureClose | Op::KeywordGenericClose
                    )
                }
                // `&'a (A, B)`, `&'a [T]`: after a lifetime only a type starts here.
                Prev::Lifetime => true,
                _ => false,
            },
            Delimiter::None => false,
        };
        if space {
            self.space();
        }
        let (lo, hi) = (open + 1, close);
        match delimiter {
            Delimiter::Brace => {
                if lo == hi {
                    self.put("{}");
                } else if prev == Prev::Op(Op::Path) {
                    self.put("{");
                    self.seq(lo, hi, Mode::Inline);
                    self.put("}");
                } else if !lv.item_line && self.short_brace(lo, hi) && self.col + f.width(lo, hi, WIDTH) + 4 <= WIDTH {
                    self.put("{ ");
                    self.seq(lo, hi, Mode::Inline);
                    self.put(" }");
                } else {
                    self.put("{");
                    self.indent += 1;
                    self.newline();
                    self.seq(lo, hi, Mode::Block);
                    self.indent -= 1;
                    self.newline();
                    self.put("}");
                }
            }
            Delimiter::Parenthesis | Delimiter::Bracket => {
                let (o, c) = if delimiter == Delimiter::Bracket { ("[", "]") } else { ("(", ")") };
                self.put(o);
                let budget = WIDTH.saturating_sub(self.col);
                // A list ending in a block (`string_enum!(Name, Unknown, { … })`) is measured up to it.
                let until = match self.first_brace(lo, hi) {
                    Some(open) if !self.short_brace_at(open) => open,
                    _ => hi,
                };
                // What follows on the same line (`-> Type` before a body) counts too.
                let tail =
                    if until == hi { f.width(close + 1, self.expression_end(close + 1, level_hi), budget) } else { 0 };
                if self.has_top_comma(lo, hi) && f.width(lo, until, budget) + tail > budget {
                    self.indent += 1;
                    self.newline();
                    self.seq(lo, hi, Mode::Broken);
                    self.indent -= 1;
                    self.newline();
                } else {
                    self.seq(lo, hi, Mode::Inline);
                }
                self.put(c);
            }
            Delimiter::None => self.seq(lo, hi, lv.mode),
        }
    }

    /// The first brace group in `lo..hi` outside other groups.
    fn first_brace(&self, lo: usize, hi: usize) -> Option<usize> {
        let f = self.flat;
        let mut i = lo;
        while i < hi {
            if matches!(f.toks[i].kind, Kind::Open(Delimiter::Brace, _)) {
                return Some(i);
            }
            i = f.after(i);
        }
        None
    }

    /// Whether the brace group opening at `open` would stay on one line (by its content).
    fn short_brace_at(&self, open: usize) -> bool {
        match self.flat.toks[open].kind {
            Kind::Open(Delimiter::Brace, close) => self.short_brace(open + 1, close),
            _ => false,
        }
    }

    /// A brace group with only an expression or a few fields in it, short enough for one line.
    fn short_brace(&self, lo: usize, hi: usize) -> bool {
        let f = self.flat;
        let mut i = lo;
        while i < hi {
            match f.toks[i].kind {
                Kind::Punct(';' | '#', _) => return false,
                Kind::Punct('=', _) if f.punct(i + 1) == Some('>') => return false,
                Kind::Open(Delimiter::Brace, _) => return false,
                Kind::Ident if matches!(f.text(i), "let" | "return" | "match" | "if" | "for" | "while" | "loop") => {
                    return false
                }
                _ => {}
            }
            i = f.after(i);
        }
        // A trailing comma asks for one member per line.
        f.punct(hi - 1) != Some(',') && f.width(lo, hi, SHORT_BRACE) <= SHORT_BRACE
    }

    /// Whether `lo..hi` has a comma outside any group and generic brackets.
    fn has_top_comma(&self, lo: usize, hi: usize) -> bool {
        let f = self.flat;
        let mut i = lo;
        while i < hi {
            if f.punct(i) == Some(',') {
                return true;
            }
            i = f.after(i);
        }
        false
    }
}

/// The text of `doc = "…"` (tokens `lo..hi`) as a `///` or `//!` comment, when the comment reads
/// back as exactly that string: one line, no carriage return or other control or bidirectional
/// characters, and for outer docs not starting with `/` (`////` is a plain comment).
fn doc_comment(f: &Flat, lo: usize, hi: usize, inner: bool) -> Option<Cow<'_, str>> {
    if hi != lo + 3 || !f.is_ident(lo, "doc") || f.punct(lo + 1) != Some('=') || f.toks[lo + 2].kind != Kind::Literal {
        return None;
    }
    let value = string_value_ref(f.text(lo + 2))?;
    let forbidden = |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if value.chars().any(forbidden) || (!inner && value.starts_with('/')) || (inner && value.starts_with('!')) {
        return None;
    }
    Some(value)
}

/// The value of a string literal token (`"…"` with escapes, or raw `r#"…"#`); `None` for other
/// literals.
#[cfg(test)]
pub(crate) fn string_value(repr: &str) -> Option<String> {
    string_value_ref(repr).map(Cow::into_owned)
}

/// [`string_value`], borrowed from `repr` when the literal has no escapes (most doc lines).
fn string_value_ref(repr: &str) -> Option<Cow<'_, str>> {
    if let Some(raw) = repr.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw.get(hashes..)?.strip_prefix('"')?;
        let body = body.get(..body.len().checked_sub(hashes)?)?.strip_suffix('"')?;
        return Some(Cow::Borrowed(body));
    }
    let body = repr.strip_prefix('"')?.strip_suffix('"')?;
    if !body.contains('\\') {
        return Some(Cow::Borrowed(body));
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '0' => out.push('\0'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            '\'' => out.push('\''),
            'x' => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(char::from(u8::from_str_radix(&hex, 16).ok()?));
            }
            'u' => {
                let rest = chars.as_str().strip_prefix('{')?;
                let close = rest.find('}')?;
                let code = u32::from_str_radix(&rest[..close].replace('_', ""), 16).ok()?;
                out.push(char::from_u32(code)?);
                chars = rest[close + 1..].chars();
            }
            '\n' => {
                // A line continuation skips the line break and the next line's leading whitespace.
                let rest = chars.as_str().trim_start_matches([' ', '\t', '\n', '\r']);
                chars = rest.chars();
            }
            _ => return None,
        }
    }
    Some(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
    use quote::quote;

    use super::{fuses, render, string_value};

    /// A token for comparison: string literals by value (a doc attribute comes back from a `///`
    /// comment as a raw string), a negative number as `-` and the number (how it lexes), and the
    /// spacing of a punctuation character only where it matters: before another one it would
    /// fuse with (`= =` and `==` differ; `> ,` and `>,` do not). Two `>` closing generics read
    /// the same either way.
    #[derive(Debug, PartialEq)]
    enum Norm {
        Ident(String),
        Punct(char, Option<bool>),
        Literal(String),
        Group(char, Vec<Norm>),
    }

    fn normalize(stream: TokenStream) -> Vec<Norm> {
        let mut flat = Vec::new();
        splice(stream, &mut flat);
        let mut out = Vec::new();
        for (i, tree) in flat.iter().enumerate() {
            match tree {
                TokenTree::Ident(ident) => out.push(Norm::Ident(ident.to_string())),
                TokenTree::Punct(p) => {
                    let next = match flat.get(i + 1) {
                        Some(TokenTree::Punct(n)) => Some(n.as_char()),
                        _ => None,
                    };
                    let matters = next.is_some_and(|n| fuses(p.as_char(), n) && !(p.as_char() == '>' && n == '>'));
                    out.push(Norm::Punct(p.as_char(), matters.then_some(p.spacing() == Spacing::Joint)));
                }
                TokenTree::Literal(lit) => {
                    let repr = lit.to_string();
                    let repr = match repr.strip_prefix('-') {
                        Some(rest) => {
                            out.push(Norm::Punct('-', None));
                            rest.to_owned()
                        }
                        None => repr,
                    };
                    out.push(Norm::Literal(string_value(&repr).map_or(repr, |v| format!("string {v:?}"))));
                }
                TokenTree::Group(g) => {
                    let open = match g.delimiter() {
                        Delimiter::Parenthesis => '(',
                        Delimiter::Brace => '{',
                        Delimiter::Bracket => '[',
                        Delimiter::None => unreachable!("spliced"),
                    };
                    out.push(Norm::Group(open, normalize(g.stream())));
                }
            }
        }
        out
    }

    fn splice(stream: TokenStream, out: &mut Vec<TokenTree>) {
        for tree in stream {
            match tree {
                TokenTree::Group(g) if g.delimiter() == Delimiter::None => splice(g.stream(), out),
                other => out.push(other),
            }
        }
    }

    /// Prints `tokens`, then checks that the text is a Rust file for `syn` and lexes back to the
    /// same tokens; returns the text.
    fn round_trip(what: &str, tokens: TokenStream) -> String {
        let text = render(tokens.clone());
        if let Err(e) = syn::parse_file(&text) {
            panic!("{what}: the printed text does not parse: {e}\n{text}");
        }
        let lexed: TokenStream = text.parse().unwrap_or_else(|e| panic!("{what}: does not lex: {e:?}"));
        let (expected, actual) = (normalize(tokens), normalize(lexed));
        if expected != actual {
            let at = expected.iter().zip(&actual).position(|(a, b)| a != b).unwrap_or(expected.len().min(actual.len()));
            panic!(
                "{what}: printed tokens differ at top-level token {at}: emitted {:?}, printed {:?}\n{text}",
                expected.get(at),
                actual.get(at)
            );
        }
        text
    }

    fn emitted_round_trip(label: &str, spec: &str, standalone: bool) -> usize {
        let options = crate::Options {
            spec_path: label.to_owned(),
            skip_unsupported: true,
            standalone_crate: standalone.then(|| "fixture".to_owned()),
            ..crate::Options::default()
        };
        let (api, _) = crate::parse(spec, &options).unwrap_or_else(|e| panic!("{label}: {e}"));
        let (results, _) = crate::emit_parts(
            &api,
            &options,
            usize::MAX,
            || (),
            |path, tokens| {
                // `catch_unwind` keeps the message of a mismatch; the worker threads return it.
                std::panic::catch_unwind(|| round_trip(&format!("{label}: {path}"), tokens).len())
                    .map_err(|e| e.downcast_ref::<String>().cloned().unwrap_or_default())
            },
        );
        let mut printed = 0;
        for (path, result) in results {
            match result {
                Some(Ok(len)) => printed += len,
                Some(Err(message)) => panic!("{message}"),
                None => panic!("{label}: {path} was not printed"),
            }
        }
        printed
    }

    #[test]
    fn printed_spec_output_lexes_back_to_the_emitted_tokens() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let spec = std::fs::read_to_string(root.join("spec/telnyx-oauth.openapi.yaml")).expect("spec");
        assert!(emitted_round_trip("spec", &spec, false) > 100_000);
        assert!(emitted_round_trip("spec (standalone)", &spec, true) > 100_000);
    }

    #[test]
    fn printed_fixture_output_lexes_back_to_the_emitted_tokens() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut checked = 0;
        let mut names: Vec<_> = std::fs::read_dir(&fixtures).expect("fixtures").filter_map(Result::ok).collect();
        names.sort_by_key(|e| e.file_name());
        for entry in names {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "yaml") {
                let spec = std::fs::read_to_string(&path).expect("fixture");
                let label = path.file_name().unwrap_or_default().to_string_lossy().to_string();
                emitted_round_trip(&label, &spec, true);
                checked += 1;
            }
        }
        assert!(checked >= 10, "only {checked} fixtures");
    }

    /// Every doc attribute of `file`, as (inner, value).
    fn docs(file: &syn::File) -> Vec<(bool, String)> {
        let value = |attr: &syn::Attribute| match &attr.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        };
        let mut out: Vec<(bool, String)> = file.attrs.iter().filter_map(|a| value(a).map(|v| (true, v))).collect();
        for item in &file.items {
            if let syn::Item::Struct(s) = item {
                out.extend(s.attrs.iter().filter_map(|a| value(a).map(|v| (false, v))));
                for field in &s.fields {
                    out.extend(field.attrs.iter().filter_map(|a| value(a).map(|v| (false, v))));
                }
            }
        }
        out
    }

    #[test]
    fn doc_text_survives_exactly() {
        let texts = [
            " plain words",
            "",
            " with \"quotes\" and 'apostrophes'",
            " back\\slash \\n \\\" \\u{41}",
            " closes a comment */ and opens one /* here",
            "/starts with a slash",
            "//two slashes",
            "!starts with a bang",
            " line one\nline two",
            " carriage\rreturn",
            " tab\there",
            " trailing spaces   ",
            " ünïcödé ✓ 🦀 \u{301}e\u{200d}",
            " bidi \u{202e} override",
            " nul \0 and bell \u{7}",
            " raw-looking \"# r#\"x\"#",
        ];
        let outer = texts.iter().map(|t| quote!(#[doc = #t]));
        let inner = texts.iter().map(|t| quote!(#![doc = #t]));
        let field_docs = texts.iter().map(|t| quote!(#[doc = #t]));
        let tokens = quote! {
            #(#inner)*
            #(#outer)*
            pub struct S {
                #(#field_docs)*
                pub a: u8,
            }
        };
        let text = round_trip("docs", tokens);
        let file = syn::parse_file(&text).expect("parses");
        let expected: Vec<(bool, String)> = texts
            .iter()
            .map(|t| (true, t.to_string()))
            .chain(texts.iter().map(|t| (false, t.to_string())))
            .chain(texts.iter().map(|t| (false, t.to_string())))
            .collect();
        assert_eq!(docs(&file), expected, "{text}");
        // The common case reads as a comment.
        assert!(text.contains("\n/// plain words\n"), "{text}");
        assert!(text.contains("\n    /// closes a comment */ and opens one /* here\n"), "{text}");
        assert!(text.starts_with("//! plain words\n//!\n"), "{text}");
    }

    #[test]
    fn long_runs_of_joined_punctuation_lex_back() {
        // Longer than any operator the emitters write: the printer must not split the run
        // anywhere but between the operators Rust reads in it.
        // (`/` is left out: two joined slashes are a comment, not a token Rust has.)
        for c in ['=', '<', '>', '-', '.', ':', '&', '|', '*', '+', '!', '%', '^'] {
            for len in [2, 15, 16, 17, 40] {
                let mut run = TokenStream::new();
                run.extend((0..len).map(|i| {
                    let spacing = if i + 1 < len { Spacing::Joint } else { Spacing::Alone };
                    TokenTree::Punct(proc_macro2::Punct::new(c, spacing))
                }));
                round_trip(&format!("{len} joined {c:?}"), quote!(m! { a #run b }));
            }
        }
    }

    #[test]
    fn every_keyword_is_classified_and_names_are_not() {
        let keywords = "fn struct enum union trait type impl mod macro_rules self Self super crate true false await _ \
                        as async break const continue dyn else extern for if in let loop match move mut pub ref \
                        return static unsafe use where while yield";
        for word in keywords.split_whitespace() {
            let class = super::word_class(word);
            assert!(class.keyword || class.operand_keyword || class.declaring || class.item, "{word}");
        }
        for word in ["Pet", "name", "rt", "models", "r#type", "selfish", "Selfie", "macro_rules_x", "x", "__", "i64"] {
            let class = super::word_class(word);
            assert!(!(class.keyword || class.operand_keyword || class.declaring || class.item), "{word}");
        }
    }

    #[test]
    fn layout_reads_like_rust() {
        let tokens = quote! {
            #![allow(clippy::all)]
            use crate::runtime::{self as rt, Client};
            #[doc = " A thing."]
            #[derive(Debug, Clone)]
            pub struct Thing<'a, T: Clone> {
                pub name: &'a str,
                pub items: Vec<Vec<T>>,
                pub pair: &'a (u8, u8),
            }
            const FIELDS: &'static [&'static str] = &["a"];
            impl<'a, T: Clone> Thing<'a, T> {
                pub fn check(&self, value: i64) -> rt::Result<Option<i64>> {
                    if !(1..=100).contains(&value) || *value < -1 {
                        return Err(rt::Error::InvalidInput(format!("{} is out of range", value)));
                    }
                    let total = self.items.iter().map(|x| x.len()).sum::<usize>();
                    match value {
                        1 => Ok(None),
                        _ => Ok(Some(total as i64)),
                    }
                }
            }
            fn null_as_empty<'de, T, D>(d: D) -> Result<T, D::Error>
            where
                T: ::serde::Deserialize<'de> + Default,
                D: ::serde::Deserializer<'de>,
            {
                Ok(<Option<T> as ::serde::Deserialize>::deserialize(d)?.unwrap_or_default())
            }
            static OP: rt::Operation = rt::Operation { id: "x", auth: rt::Auth::Bearer { optional: false } };
            impl<'de> ::serde::Deserialize<'de> for Pet {}
        };
        let expected = r#"#![allow(clippy::all)]
use crate::runtime::{self as rt, Client};
/// A thing.
#[derive(Debug, Clone)]
pub struct Thing<'a, T: Clone> {
    pub name: &'a str,
    pub items: Vec<Vec<T>>,
    pub pair: &'a (u8, u8),
}
const FIELDS: &'static [&'static str] = &["a"];
impl<'a, T: Clone> Thing<'a, T> {
    pub fn check(&self, value: i64) -> rt::Result<Option<i64>> {
        if !(1..=100).contains(&value) || *value < -1 {
            return Err(rt::Error::InvalidInput(format!("{} is out of range", value)));
        }
        let total = self.items.iter().map(|x| x.len()).sum::<usize>();
        match value {
            1 => Ok(None),
            _ => Ok(Some(total as i64)),
        }
    }
}
fn null_as_empty<'de, T, D>(d: D) -> Result<T, D::Error>
where
    T: ::serde::Deserialize<'de> + Default,
    D: ::serde::Deserializer<'de>,
{
    Ok(<Option<T> as ::serde::Deserialize>::deserialize(d)?.unwrap_or_default())
}
static OP: rt::Operation = rt::Operation {
    id: "x",
    auth: rt::Auth::Bearer { optional: false }
};
impl<'de> ::serde::Deserialize<'de> for Pet {}
"#;
        assert_eq!(round_trip("layout", tokens), expected);
    }

    #[test]
    fn fusing_punctuation_stays_apart_and_long_lists_break() {
        // `= =` is not `==`, `& &` is not `&&`, `/ /` must not become a comment.
        let mut tokens = TokenStream::new();
        tokens.extend("fn f() { let a = & &b; let c = d / *e; }".parse::<TokenStream>().expect("lexes"));
        let text = round_trip("fusing", tokens);
        assert!(text.contains("& &b") && text.contains("/ *e"), "{text}");
        let args = (0..12_u8).map(|i| quote::format_ident!("argument_{}", usize::from(i)));
        let text = round_trip("long", quote!(fn g() { call(#(#args),*); }));
        assert!(text.contains("call(\n        argument_0,\n        argument_1,\n"), "{text}");
        assert!(text.contains("        argument_11\n    );\n"), "{text}");
    }
}
