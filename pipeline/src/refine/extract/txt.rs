//! Python trafilatura 1.8.1's TXT serialisation, rebuilt over the `trafilatura` crate's output.
//!
//! FineWeb's text is what `trafilatura.extract(..., output_format="txt")` 1.8.1 returns, and the
//! line-based filters downstream (Gopher repetition, C4, FineWeb quality) see its exact lines. The
//! crate joins its text with spaces, so nya serialises the crate's extracted HTML itself, the way
//! 1.8.1's `xmltotxt` walks its TEI tree:
//!
//! - HTML tags map to trafilatura's TEI tags: `p`; `h1`-`h6` → `head`; `ul`/`ol`/`dl` → `list`;
//!   `li`/`dt`/`dd` → `item`; `table`, `tr` → `row`, `td`/`th` → `cell`; `br`/`hr` → `lb`;
//!   `blockquote`/`q`/`pre` → `quote`; `code`. Inline markup (`b`, `em`, `a`, `span`, ...) is
//!   stripped into the surrounding text as trafilatura does without `include_formatting` and
//!   `include_links`; other containers (`div`, `section`, ...) stay as unnamed elements.
//! - Every element has lxml's `text` (before its first child) and `tail` (after it, before the
//!   next sibling); either may be absent. An element writes its text, then its children, then,
//!   only if it has a text or a tail, a closing mark and its tail: `|\n` for a cell, `\n- \n` for
//!   an item, `\n\n` for the other TEI elements and a space for unnamed ones. An element with
//!   neither text nor tail writes nothing after its children, except a newline for `row` and
//!   `table`.
//! - The result is split with `str.splitlines()`; each line loses control characters (not
//!   `str.isprintable()` and not `str.isspace()`), has its whitespace runs collapsed and trimmed,
//!   and empty lines are dropped; the lines are joined by `\n` and the whole text goes through
//!   `html.unescape` (a second entity decoding, as in 1.8.1).
//!
//! So a list item's `- ` marker lands on its own line *after* the item's text (trimmed to `-`), a
//! cell ends in `|` and a newline, a paragraph whose only content is a child element gets no line
//! break of its own: these are 1.8.1's quirks, reproduced because FineWeb's text has them.
//!
//! Every walk here is iterative, so a deep tree cannot overflow the stack.

use std::sync::LazyLock;

use html5ever::data::NAMED_ENTITIES;
use regex::Regex;
use trafilatura::dom::{Document, NodeId};

use crate::refine::pystr;

/// trafilatura's TEI element kinds that matter to the TXT serialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tei {
    P,
    Head,
    List,
    Item,
    Table,
    Row,
    Cell,
    Lb,
    Quote,
    Code,
    /// A container trafilatura has no TEI name for (`div`, `section`, the body itself).
    Other,
}

impl Tei {
    /// What the element writes after its children when it has a text or a tail (1.8.1's
    /// `NEWLINE_ELEMS`; every other element writes a space).
    fn closing(self) -> &'static str {
        match self {
            Tei::Cell => "|\n",
            Tei::Item => "\n- \n",
            Tei::Other => " ",
            Tei::P
            | Tei::Head
            | Tei::List
            | Tei::Table
            | Tei::Row
            | Tei::Lb
            | Tei::Quote
            | Tei::Code => "\n\n",
        }
    }
}

/// How one HTML element of the crate's output enters the TEI tree.
enum Mapping {
    /// Becomes a TEI element.
    Element(Tei),
    /// Stripped: its text and children join its parent (lxml `strip_tags`).
    Strip,
    /// Dropped with everything inside it (not text).
    Drop,
}

fn mapping(tag: &str) -> Mapping {
    match tag {
        "p" => Mapping::Element(Tei::P),
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Mapping::Element(Tei::Head),
        "ul" | "ol" | "dl" => Mapping::Element(Tei::List),
        "li" | "dt" | "dd" => Mapping::Element(Tei::Item),
        "table" => Mapping::Element(Tei::Table),
        "tr" => Mapping::Element(Tei::Row),
        "td" | "th" => Mapping::Element(Tei::Cell),
        "br" | "hr" => Mapping::Element(Tei::Lb),
        "blockquote" | "q" | "pre" => Mapping::Element(Tei::Quote),
        "code" => Mapping::Element(Tei::Code),
        "div" | "section" | "article" | "main" | "header" | "footer" | "aside" | "nav"
        | "figure" | "figcaption" | "details" | "summary" | "caption" | "center" | "form"
        | "fieldset" | "address" => Mapping::Element(Tei::Other),
        "script" | "style" | "template" | "noscript" | "head" | "title" | "img" | "svg"
        | "math" | "iframe" | "object" | "embed" | "video" | "audio" | "canvas" | "picture"
        | "source" | "input" | "select" | "textarea" | "button" => Mapping::Drop,
        _ => Mapping::Strip,
    }
}

/// One TEI element with lxml's text/tail model.
#[derive(Debug)]
struct Node {
    kind: Tei,
    text: Option<String>,
    tail: Option<String>,
    children: Vec<usize>,
}

/// The TEI tree: `nodes[0]` is the body.
struct TeiTree {
    nodes: Vec<Node>,
}

impl TeiTree {
    /// Builds the TEI tree from the children of `root` in `doc`.
    fn build(doc: &Document, root: NodeId) -> Self {
        let mut tree = TeiTree {
            nodes: vec![Node {
                kind: Tei::Other,
                text: None,
                tail: None,
                children: Vec::new(),
            }],
        };
        enum Step {
            Enter(NodeId),
            Leave,
        }
        // `open` holds the TEI elements whose HTML element is being walked; text goes to the
        // innermost one's text (before its first child) or to its last child's tail.
        let mut open: Vec<usize> = vec![0];
        let mut steps: Vec<Step> = doc
            .child_nodes(root)
            .into_iter()
            .rev()
            .map(Step::Enter)
            .collect();
        while let Some(step) = steps.pop() {
            let id = match step {
                Step::Leave => {
                    open.pop();
                    continue;
                }
                Step::Enter(id) => id,
            };
            if doc.is_text(id) {
                tree.add_text(open.last().copied().unwrap_or(0), &doc.text_content(id));
                continue;
            }
            if !doc.is_element(id) {
                continue; // comments, doctype, processing instructions
            }
            match mapping(doc.tag_name(id)) {
                Mapping::Drop => {}
                Mapping::Strip => {
                    steps.extend(doc.child_nodes(id).into_iter().rev().map(Step::Enter));
                }
                Mapping::Element(kind) => {
                    let parent = open.last().copied().unwrap_or(0);
                    let index = tree.nodes.len();
                    tree.nodes.push(Node {
                        kind,
                        text: None,
                        tail: None,
                        children: Vec::new(),
                    });
                    if let Some(node) = tree.nodes.get_mut(parent) {
                        node.children.push(index);
                    }
                    open.push(index);
                    steps.push(Step::Leave);
                    steps.extend(doc.child_nodes(id).into_iter().rev().map(Step::Enter));
                }
            }
        }
        tree
    }

    /// Appends `text` where lxml would put it inside `parent`: its text before it has
    /// children, else its last child's tail.
    fn add_text(&mut self, parent: usize, text: &str) {
        let target = match self.nodes.get(parent) {
            Some(node) => match node.children.last() {
                Some(&last) => self.nodes.get_mut(last).map(|child| &mut child.tail),
                None => self.nodes.get_mut(parent).map(|node| &mut node.text),
            },
            None => None,
        };
        if let Some(slot) = target {
            slot.get_or_insert_with(String::new).push_str(text);
        }
    }

    /// 1.8.1's `process_element` over the whole tree, iteratively: the raw text before
    /// `sanitize`.
    fn raw_text(&self) -> String {
        enum Step {
            Open(usize),
            Close(usize),
        }
        let mut out = String::new();
        let mut steps = vec![Step::Open(0)];
        while let Some(step) = steps.pop() {
            match step {
                Step::Open(index) => {
                    let Some(node) = self.nodes.get(index) else {
                        continue;
                    };
                    if let Some(text) = &node.text {
                        out.push_str(text);
                    }
                    steps.push(Step::Close(index));
                    steps.extend(node.children.iter().rev().map(|&child| Step::Open(child)));
                }
                Step::Close(index) => {
                    let Some(node) = self.nodes.get(index) else {
                        continue;
                    };
                    if node.text.is_none() && node.tail.is_none() {
                        if matches!(node.kind, Tei::Row | Tei::Table) {
                            out.push('\n');
                        }
                        continue;
                    }
                    out.push_str(node.kind.closing());
                    if let Some(tail) = &node.tail {
                        out.push_str(tail);
                    }
                }
            }
        }
        out
    }
}

/// The TXT text of the extracted content under `root` (the body of the crate's
/// `content_html`): one line per block, no blank lines, empty when there is no text.
pub(crate) fn serialise(doc: &Document, root: NodeId) -> String {
    finish(&TeiTree::build(doc, root).raw_text())
}

/// The last two steps of 1.8.1's `xmltotxt`: `sanitize` the raw text, then `html.unescape` it.
pub(crate) fn finish(raw: &str) -> String {
    unescape(&sanitize(raw))
}

/// 1.8.1's `sanitize` in its line mode: `splitlines`, then per line `line_processing`
/// (spacing entities left as text, control characters removed, whitespace collapsed and
/// trimmed), dropping lines that end up empty.
fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut line_buf = String::new();
    for line in pystr::splitlines(text) {
        line_buf.clear();
        // `line_processing` turns these literal entity spellings into whitespace characters,
        // which the trimming below then collapses.
        let line = if line.contains('&') {
            line.replace("&#13;", " ")
                .replace("&#10;", " ")
                .replace("&nbsp;", " ")
        } else {
            line.to_owned()
        };
        let printable = remove_control_characters(&line);
        for word in pystr::split_whitespace(&printable) {
            if !line_buf.is_empty() {
                line_buf.push(' ');
            }
            line_buf.push_str(word);
        }
        if line_buf.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&line_buf);
    }
    out
}

/// Drops the characters Python's `str.isprintable()` and `str.isspace()` both reject: control
/// (except the whitespace ones), format, private-use and unassigned code points.
fn remove_control_characters(line: &str) -> std::borrow::Cow<'_, str> {
    static NOT_PRINTABLE: LazyLock<Regex> = LazyLock::new(|| {
        pystr::compile(r"[\p{Cf}\p{Co}\p{Cn}[\p{Cc}--[\t\n\x0B\x0C\r\x1C-\x1F\x{85}]]]")
    });
    NOT_PRINTABLE.replace_all(line, "")
}

/// Python's `html.unescape`: numeric and named character references (HTML5 names, with the
/// longest-prefix rule for names without `;`), decoded the way the standard library does.
pub(crate) fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        match decode_reference(after) {
            Some((decoded, used)) => {
                out.push_str(&decoded);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes the character reference at the start of `s` (just after `&`), returning the
/// replacement and how many bytes of `s` it consumed; `None` when Python's pattern
/// `&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)` does not match there.
fn decode_reference(s: &str) -> Option<(String, usize)> {
    if let Some(number) = s.strip_prefix('#') {
        let (digits, radix, prefix) = match number.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16, 2),
            None => (number, 10, 1),
        };
        let len = digits
            .bytes()
            .take_while(|b| {
                if radix == 16 {
                    b.is_ascii_hexdigit()
                } else {
                    b.is_ascii_digit()
                }
            })
            .count();
        if len == 0 {
            return None;
        }
        let semicolon = usize::from(digits.as_bytes().get(len) == Some(&b';'));
        let value = digits
            .get(..len)
            .and_then(|d| parse_codepoint(d, radix))
            .unwrap_or(u32::MAX);
        return Some((numeric_reference(value), prefix + len + semicolon));
    }
    // Named: up to 32 characters that are not `\t\n\f <&#;`, then an optional `;`.
    let mut name_end = 0;
    for (count, (offset, c)) in s.char_indices().enumerate() {
        if count == 32 || matches!(c, '\t' | '\n' | '\x0c' | ' ' | '<' | '&' | '#' | ';') {
            break;
        }
        name_end = offset + c.len_utf8();
    }
    if name_end == 0 {
        return None;
    }
    let with_semicolon = s.as_bytes().get(name_end) == Some(&b';');
    let candidate_len = name_end + usize::from(with_semicolon);
    let candidate = s.get(..candidate_len)?;
    if let Some(decoded) = named_entity(candidate) {
        return Some((decoded, candidate_len));
    }
    // Longest proper prefix (at least two characters) that is an entity, the rest kept.
    let mut cut = candidate_len;
    while let Some((offset, _)) = candidate
        .get(..cut)
        .and_then(|p| p.char_indices().next_back())
    {
        cut = offset;
        if candidate.get(..cut).is_none_or(|p| p.chars().count() < 2) {
            break;
        }
        if let Some(decoded) = candidate.get(..cut).and_then(named_entity) {
            return Some((decoded, cut));
        }
    }
    // No entity: Python puts back `&` and the whole matched text unchanged.
    Some((format!("&{candidate}"), candidate_len))
}

/// A codepoint from ASCII digits; `None` above `u32::MAX` (Python: a huge int → U+FFFD).
fn parse_codepoint(digits: &str, radix: u32) -> Option<u32> {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.len() > 10 {
        return None;
    }
    u32::from_str_radix(if trimmed.is_empty() { "0" } else { trimmed }, radix).ok()
}

/// Python's `_replace_charref` for a numeric reference.
fn numeric_reference(value: u32) -> String {
    if let Some(replacement) = windows_1252_replacement(value) {
        return replacement.to_string();
    }
    if (0xD800..=0xDFFF).contains(&value) || value > 0x10FFFF {
        return '\u{FFFD}'.to_string();
    }
    let invalid = matches!(value, 0x1..=0x8 | 0xB | 0xE..=0x1F | 0x7F..=0x9F | 0xFDD0..=0xFDEF)
        || (value & 0xFFFE) == 0xFFFE;
    if invalid {
        return String::new();
    }
    char::from_u32(value).map(String::from).unwrap_or_default()
}

/// `html._invalid_charrefs`: references to 0x00, 0x0D and 0x80-0x9F decode as Windows-1252.
fn windows_1252_replacement(value: u32) -> Option<char> {
    Some(match value {
        0x00 => '\u{FFFD}',
        0x0D => '\r',
        0x80 => '\u{20AC}',
        0x81 => '\u{81}',
        0x82 => '\u{201A}',
        0x83 => '\u{0192}',
        0x84 => '\u{201E}',
        0x85 => '\u{2026}',
        0x86 => '\u{2020}',
        0x87 => '\u{2021}',
        0x88 => '\u{02C6}',
        0x89 => '\u{2030}',
        0x8A => '\u{0160}',
        0x8B => '\u{2039}',
        0x8C => '\u{0152}',
        0x8D => '\u{8D}',
        0x8E => '\u{017D}',
        0x8F => '\u{8F}',
        0x90 => '\u{90}',
        0x91 => '\u{2018}',
        0x92 => '\u{2019}',
        0x93 => '\u{201C}',
        0x94 => '\u{201D}',
        0x95 => '\u{2022}',
        0x96 => '\u{2013}',
        0x97 => '\u{2014}',
        0x98 => '\u{02DC}',
        0x99 => '\u{2122}',
        0x9A => '\u{0161}',
        0x9B => '\u{203A}',
        0x9C => '\u{0153}',
        0x9D => '\u{9D}',
        0x9E => '\u{017E}',
        0x9F => '\u{0178}',
        _ => return None,
    })
}

/// An HTML5 named reference (`amp;`, legacy `amp`, ...) from html5ever's table, whose
/// prefix-only entries map to (0, 0).
fn named_entity(name: &str) -> Option<String> {
    let &(first, second) = NAMED_ENTITIES.get(name)?;
    let first = char::from_u32(first).filter(|&c| c != '\0')?;
    let mut decoded = String::from(first);
    if let Some(second) = char::from_u32(second).filter(|&c| c != '\0') {
        decoded.push(second);
    }
    Some(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The TXT text of a content fragment (what the crate puts in `content_html`).
    fn txt(content_html: &str) -> String {
        let doc = Document::parse(content_html);
        let body = doc.body().unwrap_or_else(|| doc.root());
        serialise(&doc, body)
    }

    #[test]
    fn blocks_are_lines_and_inline_markup_joins_its_text() {
        assert_eq!(
            txt(
                "<h2>Title <small>small</small></h2><p>text <a href='/x'>link</a> <b>bold</b> \
                 tail</p><blockquote>quoted</blockquote><pre>pre one\npre two</pre>"
            ),
            "Title small\ntext link bold tail\nquoted\npre one\npre two"
        );
        assert_eq!(
            txt("<p>line one<br>line two<hr>line three</p>"),
            "line one\nline two\nline three"
        );
        // Inline <code> is its own TEI element in 1.8.1, hence its own line.
        assert_eq!(
            txt("<p>Use the <code>foo()</code> function</p>"),
            "Use the foo()\nfunction"
        );
    }

    #[test]
    fn list_items_get_1_8_1_dash_lines_after_their_text() {
        assert_eq!(
            txt("<ul><li>one</li><li>two <b>bold</b></li><li><p>para in item</p></li></ul>"),
            "one\n-\ntwo bold\n-\npara in item"
        );
        assert_eq!(
            txt("<dl><dt>term</dt><dd>definition</dd></dl>"),
            "term\n-\ndefinition\n-"
        );
    }

    #[test]
    fn table_cells_end_in_a_bar_and_rows_in_a_newline() {
        assert_eq!(
            txt(
                "<table><tr><th>Name</th><th>Year</th></tr><tr><td>Ada</td><td><p>1815</p></td>\
                 </tr></table><p>after</p>"
            ),
            "Name|\nYear|\nAda|\n1815\nafter"
        );
    }

    #[test]
    fn elements_without_text_or_tail_add_no_line_break() {
        // 1.8.1 writes nothing after a `p` whose only content is a child element.
        assert_eq!(txt("<p><br>after</p><p>next</p>"), "afternext");
        assert_eq!(
            txt("<div><p>in div</p> div tail</div><p>last</p>"),
            "in div\ndiv taillast"
        );
    }

    #[test]
    fn no_blank_lines_and_whitespace_collapsed() {
        let out =
            txt("<p>  a \t b  </p>\n\n<p>\u{a0}</p><p></p><p>c\u{2028}d</p><p>e&amp;nbsp;f</p>");
        assert_eq!(out, "a b\nc\nd\ne f");
    }

    #[test]
    fn unprintable_characters_are_removed() {
        assert_eq!(
            txt("<p>zero\u{200b}width soft\u{ad}hyphen bell\u{7} private\u{e000}use</p>"),
            "zerowidth softhyphen bell privateuse"
        );
    }

    #[test]
    fn scripts_and_styles_are_dropped_with_their_content() {
        assert_eq!(
            txt("<p>a<script>var x;</script>b<style>p{}</style>c</p>"),
            "abc"
        );
    }

    #[test]
    fn text_is_unescaped_a_second_time() {
        assert_eq!(
            txt("<p>R&amp;D &amp;lt;b&amp;gt; &amp;copy 2024 &amp;amp;</p>"),
            "R&D <b> © 2024 &"
        );
    }

    #[test]
    fn unescape_matches_python_html_unescape() {
        let cases = [
            ("&amp;", "&"),
            ("&amp", "&"),
            ("&notit;", "¬it;"),
            ("&notin;", "∉"),
            ("&#65;", "A"),
            ("&#x41", "A"),
            ("&#0;", "\u{fffd}"),
            ("&#128;", "€"),
            ("&#xD800;", "\u{fffd}"),
            ("&#1;", ""),
            ("&#99999999999;", "\u{fffd}"),
            ("&bogus;", "&bogus;"),
            ("& x", "& x"),
            ("&#;", "&#;"),
            ("&#x;", "&#x;"),
            ("&AMP;x", "&x"),
            ("&ampx", "&x"),
            ("&LTx", "<x"),
            ("a&copy2024", "a©2024"),
            ("&#13;", "\r"),
            ("&#xFFFF;", ""),
            ("&#x10FFFF;", ""),
            ("&#x110000;", "\u{fffd}"),
            ("&Eacutex", "Éx"),
            ("&nbsp;&NewLine;x", "\u{a0}\nx"),
            ("&jopf;", "\u{1d55b}"),
            ("&NotEqualTilde;", "\u{2242}\u{338}"),
            ("no references", "no references"),
            ("trailing &", "trailing &"),
        ];
        for (input, expected) in cases {
            assert_eq!(unescape(input), expected, "unescape({input:?})");
        }
        let long = format!("&{};", "a".repeat(40));
        assert_eq!(unescape(&long), long);
    }

    #[test]
    fn deep_content_is_serialised_without_recursion() {
        // Nested `q` elements: html5ever nests them in linear time (unlike `div`), and each one
        // is a TEI element, so both walks go 100k levels deep on the test thread's small stack.
        let depth = 100_000;
        let html = format!("{}deep text{}", "<q>".repeat(depth), "</q>".repeat(depth));
        let doc = Document::parse(&html);
        let body = doc.body().unwrap_or_else(|| doc.root());
        assert_eq!(serialise(&doc, body), "deep text");
    }
}
