//! Python trafilatura 1.8.1's `baseline`, the last resort for pages with little main text.
//!
//! 1.8.1 replaces any extraction still shorter than `MIN_EXTRACTED_SIZE` (250 characters) after
//! the fallback comparison with `baseline(tree)`, whatever `favor_precision` says; the crate
//! skips that in precision mode, so nya runs it here, on a fresh parse of the original page. The
//! first rule that yields text wins:
//! 1. a `<script type="application/ld+json">` containing `"article` and an `"articleBody": "…"`
//!    string: that string (JSON `\"` unescaped, whitespace collapsed) as one paragraph;
//! 2. after removing `aside`, `footer`, `script` and `style` (with their tails): the first
//!    `<article>`'s text, whitespace collapsed, if over 100 characters;
//! 3. the text of every `blockquote`, `code`, `p`, `pre`, `q` and `quote` element in document
//!    order, each distinct text once, as paragraphs, if together over 100 characters;
//! 4. every text node of `<body>`, trimmed, one per line, if over 100 characters;
//! 5. the text of `<body>`, whitespace collapsed, as one paragraph.
//!
//! The paragraphs are then written like any extraction (see [`super::txt`]).

use std::collections::HashSet;

use trafilatura::dom::{Document, NodeId};

use crate::refine::pystr;

/// The TXT text 1.8.1's baseline gives for `html` (empty when it finds nothing).
pub(crate) fn extract(html: &str) -> String {
    let mut doc = Document::parse(html);
    let paragraphs = baseline_paragraphs(&mut doc);
    let mut raw = String::new();
    for paragraph in paragraphs.iter().filter(|p| !p.is_empty()) {
        raw.push_str(paragraph);
        raw.push_str("\n\n");
    }
    super::txt::finish(&raw)
}

/// The paragraphs (`<p>` texts of the baseline body), per the rules in the module documentation.
fn baseline_paragraphs(doc: &mut Document) -> Vec<String> {
    let root = doc.root();
    if let Some(body) = json_article_body(doc, root) {
        return vec![trim(&body)];
    }
    for tag in ["aside", "footer", "script", "style"] {
        for id in doc.get_elements_by_tag_name(root, tag) {
            doc.remove(id, false);
        }
    }
    if let Some(&article) = doc.get_elements_by_tag_name(root, "article").first() {
        let text = trim(&doc.text_content(article));
        if pystr::char_len(&text) > 100 {
            return vec![text];
        }
    }
    let mut seen = HashSet::new();
    let mut paragraphs = Vec::new();
    for id in elements_in_order(doc, root, &["blockquote", "code", "p", "pre", "q", "quote"]) {
        let text = doc.text_content(id);
        if seen.insert(text.clone()) {
            paragraphs.push(text);
        }
    }
    if pystr::char_len(&trim(&paragraphs.join("\n"))) > 100 {
        return paragraphs;
    }
    let Some(body) = doc.body() else {
        return Vec::new();
    };
    let lines: Vec<String> = text_nodes(doc, body).iter().map(|t| trim(t)).collect();
    let joined = lines.join("\n");
    if pystr::char_len(&joined) > 100 {
        return vec![joined];
    }
    vec![trim(&doc.text_content(body))]
}

/// Python `' '.join(s.split()).strip()`.
fn trim(s: &str) -> String {
    pystr::split_whitespace(s).collect::<Vec<_>>().join(" ")
}

/// The `"articleBody"` string of the first JSON-LD script that mentions `"article`, matched like
/// 1.8.1's `"articlebody": *"(.+?)(?<!\\)"` (case-insensitive, no newline inside).
fn json_article_body(doc: &Document, root: NodeId) -> Option<String> {
    for script in doc.get_elements_by_tag_name(root, "script") {
        if doc.get_attribute(script, "type").as_deref() != Some("application/ld+json") {
            continue;
        }
        let text = doc.text_content(script);
        if !text.contains("\"article") {
            continue;
        }
        if let Some(body) = find_article_body(&text) {
            return Some(body.replace("\\\"", "\""));
        }
    }
    None
}

/// The first match of `"articlebody": *"(.+?)(?<!\\)"` in `text`, case-insensitively.
/// Hand-written because the `regex` crate has no look-behind.
fn find_article_body(text: &str) -> Option<&str> {
    const KEY: &str = "\"articlebody\":";
    let lower = text.to_ascii_lowercase(); // ASCII-only lowering keeps byte offsets
    let mut from = 0;
    while let Some(found) = lower.get(from..).and_then(|rest| rest.find(KEY)) {
        let key_end = from + found + KEY.len();
        from = from + found + 1;
        let after_key = text.get(key_end..)?;
        let value = after_key.trim_start_matches(' ');
        let Some(value) = value.strip_prefix('"') else {
            continue;
        };
        // `.+?` takes at least one character (any but a newline), then stops at the first `"`
        // not preceded by a backslash.
        let mut chars = value.char_indices();
        let Some((_, first)) = chars.next() else {
            continue;
        };
        if first == '\n' {
            continue;
        }
        let mut previous = first;
        for (offset, c) in chars {
            if c == '\n' {
                break;
            }
            if c == '"' && previous != '\\' {
                return value.get(..offset);
            }
            previous = c;
        }
    }
    None
}

/// Elements named in `tags` under `root`, in document order, found iteratively.
fn elements_in_order(doc: &Document, root: NodeId, tags: &[&str]) -> Vec<NodeId> {
    let mut found = Vec::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if doc.is_element(id) && tags.contains(&doc.tag_name(id)) {
            found.push(id);
        }
        stack.extend(doc.children(id).into_iter().rev());
    }
    found
}

/// The text nodes under `root` in document order (lxml `itertext()`), found iteratively.
fn text_nodes(doc: &Document, root: NodeId) -> Vec<String> {
    let mut texts = Vec::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if doc.is_text(id) {
            texts.push(doc.text_content(id));
        } else {
            stack.extend(doc.child_nodes(id).into_iter().rev());
        }
    }
    texts
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: &str = "A sentence that is long enough for the baseline, which wants over a hundred \
                        characters of text before it accepts a rule.";

    #[test]
    fn json_ld_article_body_wins() {
        let html = r#"<html><head><script type="application/ld+json">{"@type": "NewsArticle",
            "articleBody": "Body from \"JSON-LD\" \\"quoted\\" here."}</script></head>
            <body><p>ignored</p></body></html>"#;
        // `(?<!\\)"` also skips `\\"`, and only `\"` is unescaped: 1.8.1 keeps one backslash.
        assert_eq!(extract(html), r#"Body from "JSON-LD" \"quoted\" here."#);
    }

    #[test]
    fn article_body_match_follows_python_regex() {
        assert_eq!(
            find_article_body(r#"{"ArticleBody":  "a\"b" }"#),
            Some(r#"a\"b"#)
        );
        // `.+?` needs one character, even a quote, before the closing quote.
        assert_eq!(find_article_body(r#""articleBody": ""x""#), Some("\"x"));
        // No newline inside the value: the first key fails, the second matches.
        assert_eq!(
            find_article_body("\"articlebody\": \"a\nb\" \"articlebody\":\"ok\""),
            Some("ok")
        );
        assert_eq!(find_article_body(r#""articleBody": 5"#), None);
    }

    #[test]
    fn article_text_is_one_collapsed_paragraph() {
        let html = format!(
            "<html><body><article><h1>Head</h1><div>{LONG}</div><footer>gone</footer></article>\
             <p>outside</p></body></html>"
        );
        assert_eq!(extract(&html), format!("Head{LONG}"));
    }

    #[test]
    fn paragraph_rule_keeps_distinct_texts_in_order() {
        let html = format!(
            "<html><body><p>{LONG}</p><blockquote>quote\nsecond line</blockquote><p>{LONG}</p>\
             <aside><p>aside text</p></aside></body></html>"
        );
        assert_eq!(extract(&html), format!("{LONG}\nquote\nsecond line"));
    }

    #[test]
    fn body_text_nodes_become_lines_then_everything_collapses() {
        let html = format!("<html><body><div>{LONG}</div><span>tail node</span></body></html>");
        assert_eq!(extract(&html), format!("{LONG}\ntail node"));
        let short = "<html><body><div>short</div><span>text</span></body></html>";
        assert_eq!(extract(short), "shorttext");
        assert_eq!(extract(""), "");
    }
}
