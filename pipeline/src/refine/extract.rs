//! Main-text extraction: HTML in, FineWeb's plain text out (the recipe step after the URL filter).
//!
//! FineWeb ran Python trafilatura 1.8.1 as `extract(html, favor_precision=True,
//! include_comments=False, deduplicate=True)`: fallback extractors on, tables included, no
//! formatting, links or images, TXT output. nya follows 1.8.1's sequence with the `trafilatura`
//! crate (a Rust port of the same algorithm) doing the extraction:
//! 1. refuse documents over the [`WorkLimits`] ([`bounds`]), and input that 1.8.1's `load_html`
//!    would not take for HTML (no `html` in its first 50 characters and a tree of fewer than
//!    two elements);
//! 2. strip formatting tags (`b`, `em`, `sup`, ...) into their text, as 1.8.1's `convert_tags`
//!    does, and run the crate's main extraction;
//! 3. when that text is under 250 characters (1.8.1's `MIN_EXTRACTED_SIZE`), run the crate
//!    again with its readability/justext comparison;
//! 4. when still under 250 characters, take 1.8.1's `baseline` instead ([`baseline`]), which the
//!    crate skips in precision mode;
//! 5. write the extracted tree the way 1.8.1's TXT output does ([`txt`]): the line-based
//!    filters downstream see those exact lines.
//!
//! Deliberate differences from FineWeb:
//! - **Duplicate removal is per document.** 1.8.1's `deduplicate=True` counts text segments in
//!   a process-wide LRU cache, so in FineWeb a paragraph is dropped once it has been seen three
//!   times *in earlier documents of the same worker*, an order-dependent result a validator
//!   could not reproduce. The crate keeps that cache per call: a segment (over 100 characters)
//!   is dropped from its fourth occurrence within one document, and no document is dropped as
//!   a duplicate of another (cross-document duplicates are MinHash's job later in the recipe).
//! - **A work bound replaces the 0.1 s timeout**, rejecting with reason `extraction_too_large`.
//! - **Readability is consulted only for short extractions** (step 3). 1.8.1 runs it on every
//!   page and switches to it when its text is over twice as long as the main extraction; on the
//!   fixture records the crate's comparison picks the wrong candidate more often than that rule
//!   would help, and skipping it halves the extraction time.
//!
//! Other differences come from the crate and are measured by the parity test against 1.8.1's
//! output on real WARC records: its extraction rules differ in places (which blocks it keeps,
//! `<br>` inside list items joined into one line), it normalises text to NFC, and its fallback
//! path can join words separated only by whitespace between inline elements.
//!
//! [`Extractor::extract`] answers `Ok(Some(text))`, `Ok(None)` when nothing is extracted
//! (datatrove drops those documents), or a [`Rejection`] from step `extract`.

mod baseline;
mod bounds;
mod txt;

#[cfg(test)]
mod parity_tests;
#[cfg(test)]
mod tests;

use std::panic::{AssertUnwindSafe, catch_unwind};

use trafilatura::dom::Document;
use trafilatura::{ExtractionFocus, Options, TrafilaturaError};

pub use bounds::{TooLarge, WorkLimits};

use super::pystr;
use super::rejection::Rejection;

/// The recipe step name carried by extraction's rejections.
pub const STEP: &str = "extract";

/// Rejection reason: the document crossed [`WorkLimits`].
pub const TOO_LARGE: &str = "extraction_too_large";

/// Rejection reason: the extractor failed on the document (an internal error of the crate,
/// caught so that one hostile page cannot stop a run).
pub const FAILED: &str = "extraction_failed";

/// 1.8.1's `MIN_EXTRACTED_SIZE`: shorter extractions go to the next strategy.
const MIN_EXTRACTED_SIZE: usize = 250;

/// The tags 1.8.1's `convert_tags` strips when `include_formatting` is off (`REND_TAG_MAPPING`).
/// The crate keeps them and later trims the text around them, gluing words together.
const FORMATTING_TAGS: &[&str] = &[
    "em", "i", "b", "strong", "u", "kbd", "samp", "tt", "var", "sub", "sup",
];

/// Extraction settings. [`Default`] is FineWeb's configuration with nya's default work limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractOptions {
    /// trafilatura's `favor_precision` (FineWeb: true).
    pub favor_precision: bool,
    /// Keep tables (trafilatura's `include_tables`, FineWeb: true).
    pub include_tables: bool,
    /// Run the readability and justext comparison (FineWeb: true, trafilatura's
    /// `no_fallback=False`).
    pub fallback: bool,
    /// Drop text segments repeated more than three times within the document
    /// (`deduplicate`, FineWeb: true; per document here, see the module documentation).
    pub deduplicate: bool,
    /// The work bound checked before extraction.
    pub limits: WorkLimits,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        Self {
            favor_precision: true,
            include_tables: true,
            fallback: true,
            deduplicate: true,
            limits: WorkLimits::DEFAULT,
        }
    }
}

/// Extracts main text from HTML pages; cheap to share across threads.
#[derive(Debug, Clone)]
pub struct Extractor {
    options: ExtractOptions,
    crate_options: Options,
}

impl Extractor {
    /// An extractor with `options` (prepared once, reused for every page).
    pub fn new(options: ExtractOptions) -> Self {
        let mut crate_options = Options::default();
        crate_options.focus = if options.favor_precision {
            ExtractionFocus::FavorPrecision
        } else {
            ExtractionFocus::Balanced
        };
        crate_options.exclude_comments = true;
        crate_options.exclude_tables = !options.include_tables;
        crate_options.deduplicate = options.deduplicate;
        crate_options.include_images = false;
        crate_options.include_links = false;
        // Dates are metadata only; skipping them saves work and cannot change the text.
        crate_options.html_date_mode = trafilatura::HtmlDateMode::Disabled;
        Self {
            options,
            crate_options,
        }
    }

    /// The options this extractor was made with.
    pub fn options(&self) -> &ExtractOptions {
        &self.options
    }

    /// The main text of `html` in trafilatura 1.8.1's TXT form (one block per line, no blank
    /// lines), or `None` when nothing is extracted. `url` is the page's address, which
    /// trafilatura uses only to resolve links and fill metadata, neither of which reaches the
    /// text; an unparsable URL is ignored.
    pub fn extract(&self, html: &str, url: Option<&str>) -> Result<Option<String>, Rejection> {
        bounds::check(html, &self.options.limits).map_err(|_| Rejection::new(STEP, TOO_LARGE))?;
        let original_url = url.and_then(|url| url::Url::parse(url).ok());
        // The crate has internal `expect`s; a page that trips one is rejected, not fatal.
        let text = catch_unwind(AssertUnwindSafe(|| {
            self.extract_within_limits(html, original_url)
        }))
        .map_err(|_| Rejection::new(STEP, FAILED))??;
        Ok(Some(text).filter(|text| !text.is_empty()))
    }

    /// Like [`Extractor::extract`], but says which limit a too-large document crossed.
    pub fn check_limits(&self, html: &str) -> Result<(), TooLarge> {
        bounds::check(html, &self.options.limits)
    }

    /// 1.8.1's sequence: the main extraction; when it is short, the fallback comparison; when
    /// that is still short, the baseline, which then replaces it whatever its length.
    fn extract_within_limits(
        &self,
        html: &str,
        original_url: Option<url::Url>,
    ) -> Result<String, Rejection> {
        if !looks_like_html(html) {
            return Ok(String::new());
        }
        let mut options = self.crate_options.clone();
        options.original_url = original_url;
        options.enable_fallback = false;
        if let Some(content_html) = run_crate(html, &options)? {
            return Ok(serialise_content(&content_html));
        }
        if self.options.fallback {
            options.enable_fallback = true;
            if let Some(content_html) = run_crate(html, &options)? {
                return Ok(serialise_content(&content_html));
            }
        }
        Ok(baseline::extract(html))
    }
}

impl Default for Extractor {
    fn default() -> Self {
        Self::new(ExtractOptions::default())
    }
}

/// Runs the crate on `html` prepared like 1.8.1's `convert_tags` (formatting tags stripped
/// into their text), returning its content HTML when its text reaches 1.8.1's
/// `MIN_EXTRACTED_SIZE`, `None` when shorter or empty.
///
/// The main extraction alone decides documents that reach the threshold (see the module
/// documentation for why).
fn run_crate(html: &str, options: &Options) -> Result<Option<String>, Rejection> {
    let mut doc = Document::parse(html);
    let root = doc.root();
    doc.strip_tags(root, FORMATTING_TAGS);
    match trafilatura::extract_document(doc, options) {
        Ok(result) if pystr::char_len(&result.content_text) >= MIN_EXTRACTED_SIZE => {
            Ok(Some(result.content_html))
        }
        Ok(_)
        | Err(TrafilaturaError::InsufficientContent { .. } | TrafilaturaError::DuplicateContent) => {
            Ok(None)
        }
        Err(_) => Err(Rejection::new(STEP, FAILED)),
    }
}

/// 1.8.1's `load_html` sanity check: input without `html` in its first 50 characters is
/// parsed as lxml's `fromstring` would (a lone top-level element stands for the document)
/// and refused when that tree has fewer than two child elements. A page with head elements
/// keeps its whole document, which always passes.
fn looks_like_html(html: &str) -> bool {
    let beginning: String = html.chars().take(50).collect();
    if beginning.to_lowercase().contains("html") {
        return true;
    }
    let doc = Document::parse(html);
    let root = doc.root();
    let has_head_content = doc
        .get_elements_by_tag_name(root, "head")
        .first()
        .is_some_and(|&head| !doc.children(head).is_empty());
    let Some(body) = doc.body() else {
        return has_head_content;
    };
    if has_head_content {
        return true;
    }
    let children = doc.children(body);
    let only_child = match children.as_slice() {
        [only]
            if pystr::strip(&doc.text(body)).is_empty()
                && pystr::strip(&doc.tail(*only)).is_empty() =>
        {
            Some(*only)
        }
        _ => None,
    };
    let top_level_children = match only_child {
        Some(element) => doc.children(element).len(),
        None => children.len(),
    };
    top_level_children >= 2
}

/// The TXT text of the crate's `content_html` (the inner HTML of its result body).
fn serialise_content(content_html: &str) -> String {
    let doc = Document::parse(content_html);
    let root = doc.body().unwrap_or_else(|| doc.root());
    txt::serialise(&doc, root)
}
