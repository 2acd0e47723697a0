//! The deterministic work bound that stands in for FineWeb's 0.1 s extraction timeout.
//!
//! datatrove gave trafilatura 0.1 s per document and dropped the document when it ran over, which
//! depends on the machine. nya instead refuses, before extracting, documents whose HTML is over
//! [`WorkLimits`]: too many bytes, too many elements, or elements nested too deep. The element
//! count and depth are those of the tree html5ever builds (the parser the `trafilatura` crate
//! uses), measured by a tree builder whose sink only counts, fed in small chunks so that a
//! pathological input stops costing work as soon as it crosses a limit: html5ever's tree
//! construction is quadratic in nesting depth and can re-open formatting elements many times over
//! (one `<p>` after a thousand unclosed `<b class=...>` creates a thousand elements), so the
//! limits must be checked while parsing, not after.
//!
//! Depth counts elements from the root (`html` is 1, `body` 2). A node moved by the parser's
//! error recovery keeps the depth it was first inserted at, which can be off by a few levels for
//! misnested markup; the limit is a work bound, not a validity rule.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use html5ever::interface::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{Attribute, ParseOpts, QualName, local_name, ns};

/// Limits on the HTML handed to extraction; see the module documentation for why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkLimits {
    /// Largest HTML accepted, in bytes of UTF-8.
    pub max_html_bytes: usize,
    /// Most elements the parsed tree may have (including those the parser adds or re-opens).
    pub max_elements: usize,
    /// Deepest element nesting accepted (`html` is depth 1).
    pub max_depth: usize,
}

impl WorkLimits {
    /// nya's defaults. 2 MiB is twice CommonCrawl's 1 MiB record truncation, so only inputs from
    /// other sources can hit it. 25,000 elements is about 25 times a large page of the fixtures
    /// (60 to 1,100 elements); the worst shapes under these limits (nested tables) take the crate
    /// under a second on one core. FineWeb's 0.1 s budget was much stricter: Python trafilatura
    /// 1.8.1 spends roughly 0.05 to 0.1 ms per element, so it gave up around one or two thousand
    /// elements; these limits only stop pathological pages. 256 levels is libxml2's default
    /// nesting limit: lxml stops building the tree there, so Python trafilatura extracts
    /// nothing below that depth.
    pub const DEFAULT: WorkLimits = WorkLimits {
        max_html_bytes: 2 * 1024 * 1024,
        max_elements: 25_000,
        max_depth: 256,
    };
}

impl Default for WorkLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Which [`WorkLimits`] bound a document crossed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TooLarge {
    /// More bytes than `max_html_bytes`.
    #[error("HTML is {bytes} bytes, over the extraction limit of {limit} bytes")]
    Bytes { bytes: usize, limit: usize },
    /// More elements than `max_elements`.
    #[error("HTML has more than {limit} elements (the extraction limit)")]
    Elements { limit: usize },
    /// Deeper than `max_depth`.
    #[error("HTML nests elements deeper than {limit} levels (the extraction limit)")]
    Depth { limit: usize },
}

/// Bytes of HTML fed to the counting parser between two limit checks. Small enough that one
/// chunk cannot make the parser do much work past a limit, large enough that the per-call
/// overhead does not show.
const CHUNK_BYTES: usize = 2048;

/// Checks `html` against `limits` without building a DOM.
pub fn check(html: &str, limits: &WorkLimits) -> Result<(), TooLarge> {
    if html.len() > limits.max_html_bytes {
        return Err(TooLarge::Bytes {
            bytes: html.len(),
            limit: limits.max_html_bytes,
        });
    }
    let counts = Rc::new(Counts::default());
    let sink = CountingSink::new(Rc::clone(&counts));
    let mut parser = html5ever::parse_document(sink, ParseOpts::default());
    let mut rest = html;
    while !rest.is_empty() {
        let mut cut = rest.len().min(CHUNK_BYTES);
        while !rest.is_char_boundary(cut) {
            cut -= 1; // at most 3 steps back; `cut` > 0 because position 0 is a boundary
        }
        let (chunk, tail) = rest.split_at(cut);
        parser.process(StrTendril::from_slice(chunk));
        counts.verdict(limits)?;
        rest = tail;
    }
    parser.finish();
    counts.verdict(limits)
}

/// What the counting sink has seen so far.
#[derive(Debug, Default)]
struct Counts {
    elements: Cell<usize>,
    max_depth: Cell<usize>,
}

impl Counts {
    fn verdict(&self, limits: &WorkLimits) -> Result<(), TooLarge> {
        if self.elements.get() > limits.max_elements {
            return Err(TooLarge::Elements {
                limit: limits.max_elements,
            });
        }
        if self.max_depth.get() > limits.max_depth {
            return Err(TooLarge::Depth {
                limit: limits.max_depth,
            });
        }
        Ok(())
    }
}

/// One node as the counting sink knows it: its name (the tree builder asks for it), the depth it
/// was inserted at, and whether it currently has a parent.
#[derive(Debug)]
struct CountedNode {
    name: QualName,
    depth: Cell<usize>,
    attached: Cell<bool>,
    /// The content fragment of a `<template>`, created with it.
    template_contents: RefCell<Option<Handle>>,
    annotation_xml_integration_point: bool,
}

type Handle = Rc<CountedNode>;

impl CountedNode {
    fn new(name: QualName, annotation_xml_integration_point: bool) -> Handle {
        Rc::new(CountedNode {
            name,
            depth: Cell::new(0),
            attached: Cell::new(false),
            template_contents: RefCell::new(None),
            annotation_xml_integration_point,
        })
    }

    fn unnamed() -> Handle {
        Self::new(QualName::new(None, ns!(), local_name!("")), false)
    }
}

/// An html5ever tree sink that keeps no tree, only [`Counts`].
struct CountingSink {
    document: Handle,
    counts: Rc<Counts>,
}

impl CountingSink {
    fn new(counts: Rc<Counts>) -> Self {
        let document = CountedNode::unnamed();
        document.attached.set(true);
        Self { document, counts }
    }

    fn insert(&self, depth: usize, child: NodeOrText<Handle>) {
        if let NodeOrText::AppendNode(node) = child {
            node.depth.set(depth);
            node.attached.set(true);
            if depth > self.counts.max_depth.get() {
                self.counts.max_depth.set(depth);
            }
        }
    }
}

impl TreeSink for CountingSink {
    type Handle = Handle;
    type Output = ();
    type ElemName<'a> = &'a QualName;

    fn finish(self) {}

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> Handle {
        Rc::clone(&self.document)
    }

    fn elem_name<'a>(&'a self, target: &'a Handle) -> &'a QualName {
        &target.name
    }

    fn create_element(
        &self,
        name: QualName,
        _attrs: Vec<Attribute>,
        flags: ElementFlags,
    ) -> Handle {
        self.counts.elements.set(self.counts.elements.get() + 1);
        let node = CountedNode::new(name, flags.mathml_annotation_xml_integration_point);
        if flags.template {
            *node.template_contents.borrow_mut() = Some(CountedNode::unnamed());
        }
        node
    }

    fn create_comment(&self, _text: StrTendril) -> Handle {
        CountedNode::unnamed()
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> Handle {
        CountedNode::unnamed()
    }

    fn append(&self, parent: &Handle, child: NodeOrText<Handle>) {
        self.insert(parent.depth.get() + 1, child);
    }

    fn append_based_on_parent_node(
        &self,
        element: &Handle,
        prev_element: &Handle,
        child: NodeOrText<Handle>,
    ) {
        if element.attached.get() {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &Handle) -> Handle {
        let contents = target.template_contents.borrow().as_ref().map(Rc::clone);
        // The tree builder asks only for templates it created; a fresh node keeps counting sane
        // if it ever asks for another.
        contents.unwrap_or_else(|| {
            let node = CountedNode::unnamed();
            node.depth.set(target.depth.get());
            node
        })
    }

    fn same_node(&self, x: &Handle, y: &Handle) -> bool {
        Rc::ptr_eq(x, y)
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &Handle, new_node: NodeOrText<Handle>) {
        self.insert(sibling.depth.get(), new_node);
    }

    fn add_attrs_if_missing(&self, _target: &Handle, _attrs: Vec<Attribute>) {}

    fn remove_from_parent(&self, target: &Handle) {
        target.attached.set(false);
    }

    fn reparent_children(&self, _node: &Handle, _new_parent: &Handle) {}

    fn is_mathml_annotation_xml_integration_point(&self, handle: &Handle) -> bool {
        handle.annotation_xml_integration_point
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_html_bytes: usize, max_elements: usize, max_depth: usize) -> WorkLimits {
        WorkLimits {
            max_html_bytes,
            max_elements,
            max_depth,
        }
    }

    fn nested(tag: &str, depth: usize) -> String {
        format!(
            "{}x{}",
            format!("<{tag}>").repeat(depth),
            format!("</{tag}>").repeat(depth)
        )
    }

    #[test]
    fn counts_elements_including_implied_ones() {
        // html, head, body are implied: 3 + 2 paragraphs.
        let html = "<p>a</p><p>b</p>";
        assert!(check(html, &limits(100, 5, 10)).is_ok());
        assert_eq!(
            check(html, &limits(100, 4, 10)),
            Err(TooLarge::Elements { limit: 4 })
        );
    }

    #[test]
    fn depth_counts_from_html_and_stops_at_the_limit() {
        // html(1) > body(2) > 10 divs: depth 12.
        let html = nested("div", 10);
        assert!(check(&html, &limits(1 << 20, 1000, 12)).is_ok());
        assert_eq!(
            check(&html, &limits(1 << 20, 1000, 11)),
            Err(TooLarge::Depth { limit: 11 })
        );
    }

    #[test]
    fn byte_limit_is_checked_first() {
        let html = "a".repeat(101);
        assert_eq!(
            check(&html, &limits(100, 1, 1)),
            Err(TooLarge::Bytes {
                bytes: 101,
                limit: 100
            })
        );
        assert!(check(&"a".repeat(100), &limits(100, 10, 10)).is_ok());
    }

    #[test]
    fn chunk_boundaries_inside_multibyte_characters_are_safe() {
        // 'é' is two bytes; an odd offset puts one on every chunk boundary.
        let html = format!("<p>x{}</p>", "é".repeat(CHUNK_BYTES * 3));
        assert!(check(&html, &WorkLimits::DEFAULT).is_ok());
    }

    #[test]
    fn deep_nesting_is_refused_while_parsing() {
        // 100k nested divs: html5ever alone would spend minutes on this (quadratic).
        let html = nested("div", 100_000);
        assert_eq!(
            check(&html, &WorkLimits::DEFAULT),
            Err(TooLarge::Depth {
                limit: WorkLimits::DEFAULT.max_depth
            })
        );
    }

    #[test]
    fn reopened_formatting_elements_count_as_elements() {
        // A thousand distinct unclosed <b>s, closed by </div>, are re-opened by html5ever inside
        // every later paragraph: 2000 paragraphs would create two million elements.
        let bolds: String = (0..1000).map(|i| format!("<b class=c{i}>")).collect();
        let html = format!("<div>{bolds}</div>{}", "<p>x".repeat(2000));
        let result = check(&html, &WorkLimits::DEFAULT);
        assert!(
            matches!(
                result,
                Err(TooLarge::Elements { .. } | TooLarge::Depth { .. })
            ),
            "{result:?}"
        );
    }

    #[test]
    fn ordinary_markup_passes_the_defaults() {
        let page = format!(
            "<!DOCTYPE html><html><head><title>t</title><template><p>t</p></template></head>\
             <body><svg><g><path/></g></svg><math><mi>x</mi></math>{}</body></html>",
            "<div><ul><li><a href='#'>link</a></li></ul><table><tr><td>c</td></tr></table></div>"
                .repeat(200)
        );
        assert!(check(&page, &WorkLimits::DEFAULT).is_ok());
    }

    #[test]
    fn errors_name_the_limit() {
        assert_eq!(
            TooLarge::Depth { limit: 256 }.to_string(),
            "HTML nests elements deeper than 256 levels (the extraction limit)"
        );
    }
}
