//! C4 quality filter (Raffel et al. 2020) as datatrove 0.2.0's `C4QualityFilter` applies it.
//!
//! The filter both judges and rewrites: it walks the lines (`str.splitlines()`, each
//! `str.strip()`-ed), drops some, keeps the rest, and the document's text becomes the kept lines
//! joined by `\n` (then stripped). Per line, in order:
//!
//! 1. a whitespace-separated word longer than 1000 code points → drop the line;
//! 2. Wikipedia-style citations `[12]`, `[]`, `[edit]`, `[citation needed]` are deleted;
//! 3. (only with `filter_no_terminal_punct`) a line not ending in `. ? ! " '`, or ending in
//!    `...`, is dropped — FineWeb turns this off;
//! 4. fewer than 3 words (counted before step 2) → drop the line;
//! 5. `lorem ipsum` (case-insensitive) → remove the document (`lorem_ipsum`);
//! 6. `javascript` (case-insensitive) → drop the line;
//! 7. `{` → remove the document (`curly_bracket`);
//! 8. `terms of use`, `privacy policy`, `cookie policy`, `uses cookies`, `use of cookies`,
//!    `use cookies` (case-insensitive) → drop the line;
//! 9. otherwise keep it and count its Punkt sentences.
//!
//! Fewer than 5 sentences in the kept lines removes the document (`too_few_sentences`). With
//! `split_paragraph = false` the "lines" are Punkt sentences, each counts as one, and kept ones
//! are joined by spaces. datatrove's `-1` ("disabled") for the numeric options is `None` here.

use std::sync::LazyLock;

use regex::Regex;

use super::punkt::PunktTokenizer;
use super::pystr;
use super::rejection::Rejection;

/// The step name in FineWeb's pipeline.
pub const STEP: &str = "c4";

/// Phrases that mark cookie banners and legal boilerplate.
pub const POLICY_SUBSTRINGS: [&str; 6] = [
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
];

/// datatrove's `C4QualityFilter` options. `Default` is datatrove's default;
/// [`C4Quality::fineweb`] is the configuration of the FineWeb recipe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct C4Quality {
    /// Lines are `splitlines()` lines (true) or Punkt sentences (false).
    pub split_paragraph: bool,
    /// Delete `[1]`, `[edit]`, `[citation needed]` (true).
    pub remove_citations: bool,
    /// Drop lines without terminal punctuation (true; FineWeb: false).
    pub filter_no_terminal_punct: bool,
    /// Fewest sentences in the kept lines (5).
    pub min_num_sentences: Option<usize>,
    /// Fewest words in a kept line (3).
    pub min_words_per_line: Option<usize>,
    /// Longest word, in code points, of a kept line (1000).
    pub max_word_length: Option<usize>,
    /// Remove documents containing "lorem ipsum" (true).
    pub filter_lorem_ipsum: bool,
    /// Drop lines mentioning "javascript" (true).
    pub filter_javascript: bool,
    /// Remove documents containing `{` (true).
    pub filter_curly_bracket: bool,
    /// Drop lines with a [`POLICY_SUBSTRINGS`] phrase (true).
    pub filter_policy: bool,
}

impl Default for C4Quality {
    fn default() -> Self {
        Self {
            split_paragraph: true,
            remove_citations: true,
            filter_no_terminal_punct: true,
            min_num_sentences: Some(5),
            min_words_per_line: Some(3),
            max_word_length: Some(1000),
            filter_lorem_ipsum: true,
            filter_javascript: true,
            filter_curly_bracket: true,
            filter_policy: true,
        }
    }
}

impl C4Quality {
    /// FineWeb's configuration: datatrove's defaults with `filter_no_terminal_punct = False`.
    pub fn fineweb() -> Self {
        Self {
            filter_no_terminal_punct: false,
            ..Self::default()
        }
    }

    /// Keeps the document with its rewritten text, or rejects it.
    pub fn filter(&self, text: &str, punkt: &PunktTokenizer) -> Result<String, Rejection> {
        if self.split_paragraph {
            self.filter_lines(pystr::splitlines(text), punkt)
        } else {
            self.filter_lines(punkt.sentences(text).into_iter(), punkt)
        }
    }

    fn filter_lines<'a>(
        &self,
        lines: impl Iterator<Item = &'a str>,
        punkt: &PunktTokenizer,
    ) -> Result<String, Rejection> {
        static CITATION: LazyLock<Regex> =
            LazyLock::new(|| pystr::compile(r"\[\d*\]|\[edit\]|\[citation needed\]"));
        let separator = if self.split_paragraph { '\n' } else { ' ' };
        let mut kept = String::new();
        let mut kept_any = false;
        let mut sentences = 0usize;
        let mut lower = String::new();

        for line in lines {
            let line = pystr::strip(line);
            let mut words = 0usize;
            let mut too_long = false;
            for word in pystr::split_whitespace(line) {
                words += 1;
                if self
                    .max_word_length
                    .is_some_and(|max| word.len() > max && pystr::char_len(word) > max)
                {
                    too_long = true;
                    break;
                }
            }
            if too_long {
                continue;
            }
            let line = if self.remove_citations && line.contains('[') {
                CITATION.replace_all(line, "")
            } else {
                line.into()
            };
            if self.filter_no_terminal_punct
                && (!line.ends_with(['.', '?', '!', '"', '\'']) || line.ends_with("..."))
            {
                continue;
            }
            if self.min_words_per_line.is_some_and(|min| words < min) {
                continue;
            }
            lowercase_into(&line, &mut lower);
            if self.filter_lorem_ipsum && lower.contains("lorem ipsum") {
                return Err(Rejection::new(STEP, "lorem_ipsum"));
            }
            if self.filter_javascript && lower.contains("javascript") {
                continue;
            }
            if self.filter_curly_bracket && line.contains('{') {
                return Err(Rejection::new(STEP, "curly_bracket"));
            }
            if self.filter_policy
                && POLICY_SUBSTRINGS
                    .iter()
                    .any(|phrase| lower.contains(phrase))
            {
                continue;
            }
            sentences += if self.split_paragraph {
                punkt.count_sentences(&line)
            } else {
                1
            };
            if kept_any {
                kept.push(separator);
            }
            kept.push_str(&line);
            kept_any = true;
        }

        if self.min_num_sentences.is_some_and(|min| sentences < min) {
            return Err(Rejection::new(STEP, "too_few_sentences"));
        }
        let stripped = pystr::strip(&kept);
        if stripped.len() != kept.len() {
            kept = stripped.to_owned();
        }
        Ok(kept)
    }
}

/// Python `line.lower()` into a reused buffer.
fn lowercase_into(line: &str, lower: &mut String) {
    lower.clear();
    if line.is_ascii() {
        lower.push_str(line);
        lower.make_ascii_lowercase();
    } else {
        lower.push_str(&line.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refine::punkt::PunktParameters;

    fn punkt() -> PunktTokenizer {
        match PunktParameters::from_texts("", "", "", "") {
            Ok(params) => PunktTokenizer::new(params),
            Err(error) => panic!("{error}"),
        }
    }

    fn run(filter: &C4Quality, text: &str) -> Result<String, String> {
        filter
            .filter(text, &punkt())
            .map_err(|rejection| rejection.reason.into_owned())
    }

    #[test]
    fn counts_sentences_of_kept_lines() {
        let fineweb = C4Quality::fineweb();
        // Five sentences over kept lines pass; four fail.
        let text = "One two three. Four five six.\nSeven eight nine. Ten eleven twelve\nThirteen fourteen fifteen.";
        assert_eq!(run(&fineweb, text).as_deref(), Ok(text));
        let text = "One two three. Four five six.\nSeven eight nine.\nThirteen fourteen fifteen.";
        assert_eq!(run(&fineweb, text), Err("too_few_sentences".to_owned()));
    }

    #[test]
    fn drops_short_long_javascript_and_policy_lines() {
        let fineweb = C4Quality::fineweb();
        let long_word = "x".repeat(1001);
        let text = format!(
            "  A kept line here.  \nToo short.\nEnable JavaScript to view.\nRead our Privacy Policy now.\nword {long_word} end\nword {} end\nB kept line. C kept line. D kept line. E kept.",
            "y".repeat(1000)
        );
        let kept = run(&fineweb, &text);
        assert_eq!(
            kept,
            Ok(format!(
                "A kept line here.\nword {} end\nB kept line. C kept line. D kept line. E kept.",
                "y".repeat(1000)
            ))
        );
    }

    #[test]
    fn removes_citations_but_counts_words_before() {
        let fineweb = C4Quality::fineweb();
        // "[1] [2] two" has three words before citation removal, so it is kept (as " two").
        let text = "First sentence [1] here. Second [citation needed] one [edit].\n[1] [2] two\nThree more sentences. Four. Five.";
        assert_eq!(
            run(&fineweb, text).as_deref(),
            Ok("First sentence  here. Second  one .\n  two\nThree more sentences. Four. Five.")
        );
    }

    #[test]
    fn whole_document_rejections() {
        let fineweb = C4Quality::fineweb();
        let text = "One two three. Four five six. Seven eight nine. Ten eleven twelve. Thirteen.";
        assert!(run(&fineweb, text).is_ok());
        assert_eq!(
            run(&fineweb, &format!("{text}\nSome LOREM IPSUM dolor sit.")),
            Err("lorem_ipsum".to_owned())
        );
        assert_eq!(
            run(&fineweb, &format!("{text}\nfunction f() {{ return }}")),
            Err("curly_bracket".to_owned())
        );
        // A `{` on a line that was dropped earlier (too few words) does not count.
        assert!(run(&fineweb, &format!("{text}\n{{}}")).is_ok());
    }

    #[test]
    fn terminal_punctuation_option() {
        let strict = C4Quality::default();
        // Four lines end in . ! " ' and are kept; no end mark and a final ellipsis are dropped.
        let text = "One two three.\nno end mark here\nFour five six!\nSeven eight \"nine\"\nTen ends 'eleven'\nTwelve... and so on...";
        assert_eq!(run(&strict, text), Err("too_few_sentences".to_owned()));
        let text = format!("{text}\nA B C?");
        assert_eq!(
            run(&strict, &text).as_deref(),
            Ok("One two three.\nFour five six!\nSeven eight \"nine\"\nTen ends 'eleven'\nA B C?")
        );
        // FineWeb keeps every line: 7 sentences.
        assert!(run(&C4Quality::fineweb(), &text).is_ok_and(|kept| kept == text));
    }

    #[test]
    fn sentence_mode_joins_with_spaces() {
        let by_sentence = C4Quality {
            split_paragraph: false,
            ..C4Quality::fineweb()
        };
        let text = "One two three. Four five six.\nSeven eight nine. Ten. Eleven twelve thirteen. Fourteen fifteen sixteen.";
        assert_eq!(
            run(&by_sentence, text).as_deref(),
            Ok(
                "One two three. Four five six. Seven eight nine. Eleven twelve thirteen. Fourteen fifteen sixteen."
            )
        );
    }
}
