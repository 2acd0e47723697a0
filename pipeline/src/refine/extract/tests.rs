//! End-to-end tests of [`Extractor`] on synthetic pages. Every expected text below is what
//! Python trafilatura 1.8.1 returns for the same page with FineWeb's arguments (checked with
//! `trafilatura.extract(html, favor_precision=True, include_comments=False, deduplicate=True)`
//! and an empty duplicate cache).

use super::*;

const INTRO: &str = "This paragraph explains the subject of the article in enough words to count \
                     as real content for the extractor.";
const INTRO_2: &str = "That paragraph explains the subject of the article in enough words to count \
                       as real content for the extractor.";
const CLOSING: &str =
    "A closing paragraph with enough words to be kept by the extractor as content of the page.";

/// An article page: two introductory paragraphs, `body`, a closing paragraph.
fn page(body: &str) -> String {
    format!(
        "<html><body><article><p>{INTRO}</p><p>{INTRO_2}</p>{body}<p>{CLOSING}</p></article>\
         </body></html>"
    )
}

/// The lines 1.8.1 extracts from [`page`]`(body)`, given the lines of `body`.
fn page_text(body_lines: &[&str]) -> String {
    let mut lines = vec![INTRO, INTRO_2];
    lines.extend_from_slice(body_lines);
    lines.push(CLOSING);
    lines.join("\n")
}

fn extract(html: &str) -> Option<String> {
    match Extractor::default().extract(html, Some("https://example.com/page")) {
        Ok(text) => text,
        Err(rejection) => panic!("unexpected rejection {rejection}"),
    }
}

#[test]
fn navigation_cookie_banner_and_footer_are_removed() {
    let html = format!(
        "<html><head><title>Story</title></head><body><nav><ul><li><a href=\"/\">Home</a></li>\
         <li><a href=\"/about\">About us</a></li></ul></nav><div id=\"cookie-banner\" \
         class=\"cookie-consent\">We use cookies to improve your experience. <button>Accept all \
         cookies</button></div><article><h1>Main Title of the Story</h1><p>{INTRO}</p><p>A second \
         paragraph continues the story with more detail about the events that took place \
         yesterday in the city.</p><p>The third paragraph closes the story with a quote from a \
         local resident who saw everything happen.</p></article><footer><p>Copyright 2024 \
         Example Corp. All rights reserved.</p><a href=\"/privacy\">Privacy policy</a></footer>\
         </body></html>"
    );
    let expected = [
        "Main Title of the Story",
        INTRO,
        "A second paragraph continues the story with more detail about the events that took \
         place yesterday in the city.",
        "The third paragraph closes the story with a quote from a local resident who saw \
         everything happen.",
    ]
    .join("\n");
    assert_eq!(extract(&html), Some(expected));
}

#[test]
fn list_items_are_followed_by_a_dash_line() {
    let html = page(
        "<p>The list below has three items:</p><ul><li>First item of the list</li><li>Second \
         item with <b>bold</b> text</li><li>Third item</li></ul>",
    );
    let expected = page_text(&[
        "The list below has three items:",
        "First item of the list",
        "-",
        "Second item with bold text",
        "-",
        "Third item",
        "-",
    ]);
    assert_eq!(extract(&html), Some(expected));
}

#[test]
fn table_cells_are_lines_ending_in_a_bar() {
    let html = page(
        "<table><tr><th>Name</th><th>Year</th></tr><tr><td>Alice</td><td>2001</td></tr><tr>\
         <td>Bob</td><td>1999</td></tr></table>",
    );
    let expected = page_text(&["Name|", "Year|", "Alice|", "2001|", "Bob|", "1999|"]);
    assert_eq!(extract(&html), Some(expected));
}

#[test]
fn headings_and_line_breaks_make_lines() {
    let html = page(
        "<h2>Section heading</h2><p>Line one of a poem<br>line two of a poem<br/>line three of \
         a poem</p>",
    );
    let expected = page_text(&[
        "Section heading",
        "Line one of a poem",
        "line two of a poem",
        "line three of a poem",
    ]);
    assert_eq!(extract(&html), Some(expected));
}

#[test]
fn entities_are_decoded_twice_like_1_8_1() {
    let html = page(
        "<p>Research &amp; development at AT&amp;T costs &euro;5 &lt;per&gt; unit, written \
         &amp;lt;b&amp;gt; in source &amp;copy 2024.</p>",
    );
    let expected = page_text(&[
        "Research & development at AT&T costs €5 <per> unit, written <b> in source © 2024.",
    ]);
    assert_eq!(extract(&html), Some(expected));
}

#[test]
fn spaces_around_formatting_tags_survive() {
    let html = page(
        "<p>Nayha (University of Washington): <em>Scientific Text Mining</em> and \
         <strong>more</strong>, <i>italic</i>.</p>",
    );
    let expected =
        page_text(&["Nayha (University of Washington): Scientific Text Mining and more, italic."]);
    assert_eq!(extract(&html), Some(expected));
}

#[test]
fn control_and_format_characters_are_dropped() {
    let html = page(
        "<p>Text with a NUL \u{0} char, a bell \u{7}, a zero\u{200b}width space and a \
         soft\u{ad}hyphen in it.</p>",
    );
    let expected =
        page_text(&["Text with a NUL char, a bell , a zerowidth space and a softhyphen in it."]);
    assert_eq!(extract(&html), Some(expected));
}

const REPEATED: &str = "This exact sentence is repeated many times on the page, which trafilatura's \
                        deduplication catches after three.";

#[test]
fn a_segment_is_kept_three_times_per_document() {
    let html = page(&format!("<p>{REPEATED}</p>").repeat(5));
    let expected = page_text(&[REPEATED, REPEATED, REPEATED]);
    assert_eq!(extract(&html), Some(expected.clone()));
    // Per document: a process-wide cache (Python's) would now drop the paragraphs and then the
    // whole document; nya gives the same text however many times and in whatever order.
    let extractor = Extractor::default();
    for _ in 0..4 {
        let other = page("<p>Another document with different words in its middle paragraph.</p>");
        assert!(
            extractor
                .extract(&other, None)
                .is_ok_and(|text| text.is_some())
        );
        assert_eq!(extractor.extract(&html, None), Ok(Some(expected.clone())));
    }
}

#[test]
fn deduplication_can_be_switched_off() {
    let html = page(&format!("<p>{REPEATED}</p>").repeat(5));
    let extractor = Extractor::new(ExtractOptions {
        deduplicate: false,
        ..ExtractOptions::default()
    });
    let text = extractor
        .extract(&html, None)
        .ok()
        .flatten()
        .unwrap_or_default();
    assert_eq!(text.matches(REPEATED).count(), 5);
}

#[test]
fn broken_markup_is_read_like_a_browser_would() {
    let html = "<html><body><p>Unclosed <b>bold <i>italic</p><p>next para with enough words to \
                maybe count</div></span><table><td>cell without row<li>item outside list</body>";
    assert_eq!(
        extract(html).as_deref(),
        Some(
            "Unclosed bold italicnext para with enough words to maybe countcell without rowitem outside list"
        )
    );
}

#[test]
fn short_pages_fall_back_to_the_baseline() {
    let div_text = "Some text in a div that is long enough to pass the baseline's hundred \
                    character limit but it is not in a paragraph at all.";
    let html = format!(
        "<html><body><nav>Menu</nav><div>{div_text}</div><footer>foot</footer></body></html>"
    );
    assert_eq!(extract(&html), Some(format!("Menu\n{div_text}")));
    let json_ld = "<html><head><script type=\"application/ld+json\">{\"@type\": \"NewsArticle\", \
                   \"articleBody\": \"The body of the article from JSON-LD.\"}</script></head>\
                   <body><div>x</div></body></html>";
    assert_eq!(
        extract(json_ld).as_deref(),
        Some("The body of the article from JSON-LD.")
    );
    let tiny = "<html><body><div class='x'><span>Just a short note.</span></div><p>Tiny.</p>\
                </body></html>";
    assert_eq!(extract(tiny).as_deref(), Some("Just a short note.Tiny."));
}

#[test]
fn input_that_is_not_an_html_document_follows_load_html() {
    let two = "<p>First top level paragraph of a fragment page with enough words in it.</p><p>\
               Second top level paragraph of a fragment page with enough words in it.</p>";
    assert_eq!(
        extract(two).as_deref(),
        Some(
            "First top level paragraph of a fragment page with enough words in it.\n\
             Second top level paragraph of a fragment page with enough words in it."
        )
    );
    let one = "<div><p>Only one fragment paragraph with enough words to be content for the \
               extractor to keep it.</p></div>";
    assert_eq!(extract(one), None);
    assert_eq!(
        extract("just some plain text without any markup at all"),
        None
    );
    assert_eq!(extract(""), None);
}

#[test]
fn output_never_has_blank_or_padded_lines() {
    let pages = [
        page("<ul><li>a</li><li></li><li> </li></ul><table><tr><td></td><td>x</td></tr></table>"),
        page("<p>\n\n  spaced \n\n out  </p><div>\u{a0}</div><pre>\n\ncode\n\n</pre>"),
        "<html><body><p>a<br><br><br>b</p></body></html>".to_owned(),
    ];
    for html in &pages {
        let Some(text) = extract(html) else { continue };
        for line in text.split('\n') {
            assert!(!line.is_empty(), "blank line in {text:?}");
            assert_eq!(line, pystr::strip(line), "padded line in {text:?}");
        }
    }
}

#[test]
fn tables_can_be_excluded() {
    let html = page("<table><tr><td>Cell text that should disappear</td></tr></table>");
    let extractor = Extractor::new(ExtractOptions {
        include_tables: false,
        ..ExtractOptions::default()
    });
    let text = extractor
        .extract(&html, None)
        .ok()
        .flatten()
        .unwrap_or_default();
    assert!(text.contains(CLOSING));
    assert!(!text.contains("Cell text"), "{text}");
}

#[test]
fn deep_nesting_is_rejected_without_stack_overflow() {
    let depth = 100_000;
    let html = format!(
        "<html><body>{}{}</body></html>",
        "<div>".repeat(depth),
        page("")
    );
    let extractor = Extractor::default();
    assert_eq!(
        extractor.extract(&html, None),
        Err(Rejection::new(STEP, TOO_LARGE))
    );
    assert_eq!(
        extractor.check_limits(&html),
        Err(TooLarge::Depth { limit: 256 })
    );
}

#[test]
fn nesting_just_under_the_limit_is_extracted() {
    // Nested tables cost the crate the most per level; 60 of them (four levels each: table,
    // tbody, tr, td) stay under the 256-level limit and must extract on the test thread's
    // small stack.
    let tables = 60;
    let html = format!(
        "<html><body>{}<p>{INTRO}</p><p>{INTRO_2}</p><p>{CLOSING}</p>{}</body></html>",
        "<table><tr><td>".repeat(tables),
        "</td></tr></table>".repeat(tables)
    );
    let extractor = Extractor::default();
    assert_eq!(extractor.check_limits(&html), Ok(()));
    let text = extractor.extract(&html, None);
    assert!(
        text.as_ref()
            .is_ok_and(|text| text.as_deref().is_some_and(|t| t.contains(CLOSING))),
        "{text:?}"
    );
}

#[test]
fn huge_inputs_are_rejected_before_parsing() {
    let limits = WorkLimits::DEFAULT;
    let html = format!(
        "<html><body>{}</body></html>",
        "a".repeat(limits.max_html_bytes)
    );
    let extractor = Extractor::default();
    assert_eq!(
        extractor.extract(&html, None),
        Err(Rejection::new(STEP, TOO_LARGE))
    );
    assert!(matches!(
        extractor.check_limits(&html),
        Err(TooLarge::Bytes { .. })
    ));
    let many = format!(
        "<html><body>{}</body></html>",
        "<span>x</span>".repeat(limits.max_elements)
    );
    assert_eq!(
        extractor.check_limits(&many),
        Err(TooLarge::Elements {
            limit: limits.max_elements
        })
    );
}

#[test]
fn odd_inputs_never_panic() {
    let inputs = [
        "<",
        "<<<<<>>>>",
        "<!--",
        "<!DOCTYPE html><html",
        "<script>never closed",
        "<html><body><p>\u{0}\u{0}\u{0}</p></body></html>",
        "<html><body><svg><foreignObject><p>x</p></foreignObject></svg></body></html>",
        "<html><body><template><p>hidden</p></template><frameset></body></html>",
        "<html><body><table><caption><table><tr><td><table></body></html>",
        "&&&&&#&#x&#xffffffffff;&amp",
        "\u{feff}<html><body><p>bom</p></body></html>",
    ];
    let extractor = Extractor::default();
    for input in inputs {
        match extractor.extract(input, Some("not a url")) {
            Ok(Some(text)) => assert!(!text.is_empty()),
            Ok(None) => {}
            Err(rejection) => assert_eq!(rejection.step, STEP, "{input:?}"),
        }
    }
}

#[test]
fn options_default_to_finewebs_configuration() {
    let options = ExtractOptions::default();
    assert!(options.favor_precision && options.include_tables && options.fallback);
    assert!(options.deduplicate);
    assert_eq!(options.limits, WorkLimits::DEFAULT);
    assert_eq!(Extractor::default().options(), &options);
}
