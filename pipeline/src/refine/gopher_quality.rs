//! Gopher quality filter (Rae et al. 2021) as datatrove 0.2.0's `GopherQualityFilter` applies it.
//!
//! Words are `nltk.word_tokenize` tokens; "non-symbol words" are those with at least one character
//! outside datatrove's `PUNCTUATION_SET`. In order, the first failing check removes the document:
//!
//! - non-symbol words < 50 → `gopher_short_doc`; > 100 000 → `gopher_long_doc`;
//! - mean length (code points) of non-symbol words < 3 → `gopher_below_avg_threshold`;
//!   > 10 → `gopher_above_avg_threshold`;
//! - `#` occurrences / words > 0.1 → `gopher_too_many_hashes`; (`...` + `…` occurrences) / words
//!   > 0.1 → `gopher_too_many_ellipsis`;
//! - lines (`splitlines()`) starting with `•` or `-` after left-stripping / lines > 0.9 →
//!   `gopher_too_many_bullets`; lines ending with `...` or `…` after right-stripping / lines > 0.3
//!   → `gopher_too_many_end_ellipsis`;
//! - words with an alphabetic character (`str.isalpha`, general category `L*`) / words < 0.8 →
//!   `gopher_below_alpha_threshold`;
//! - occurrences (not distinct words) of the stop words `the be to of and that have with`,
//!   case-sensitive, < 2 → `gopher_enough_stop_words`.
//!
//! A threshold of `None` (datatrove's `None` or 0) disables its check. Ratios over zero words or
//! lines are NaN or infinite here where datatrove raises `ZeroDivisionError`; with the default
//! word minimum such documents are already removed as short.

use ahash::AHashSet;

use super::pystr;
use super::rejection::Rejection;
use super::words::DocWords;

/// The step name in FineWeb's pipeline.
pub const STEP: &str = "gopher_qual";

/// datatrove's default stop words.
pub const STOP_WORDS: [&str; 8] = ["the", "be", "to", "of", "and", "that", "have", "with"];

/// datatrove's `GopherQualityFilter` thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct GopherQuality {
    /// Fewest non-symbol words (50).
    pub min_doc_words: Option<usize>,
    /// Most non-symbol words (100 000).
    pub max_doc_words: Option<usize>,
    /// Lowest mean non-symbol word length (3).
    pub min_avg_word_length: Option<f64>,
    /// Highest mean non-symbol word length (10).
    pub max_avg_word_length: Option<f64>,
    /// Highest `#` per word and ellipses per word (0.1 each).
    pub max_symbol_word_ratio: Option<f64>,
    /// Highest fraction of lines starting with a bullet (0.9).
    pub max_bullet_lines_ratio: Option<f64>,
    /// Highest fraction of lines ending with an ellipsis (0.3).
    pub max_ellipsis_lines_ratio: Option<f64>,
    /// Lowest fraction of words with a letter (0.8; datatrove's name says "max").
    pub max_non_alpha_words_ratio: Option<f64>,
    /// Fewest stop-word occurrences (2).
    pub min_stop_words: Option<usize>,
    /// The stop words ([`STOP_WORDS`]).
    pub stop_words: AHashSet<String>,
}

impl Default for GopherQuality {
    fn default() -> Self {
        Self {
            min_doc_words: Some(50),
            max_doc_words: Some(100_000),
            min_avg_word_length: Some(3.0),
            max_avg_word_length: Some(10.0),
            max_symbol_word_ratio: Some(0.1),
            max_bullet_lines_ratio: Some(0.9),
            max_ellipsis_lines_ratio: Some(0.3),
            max_non_alpha_words_ratio: Some(0.8),
            min_stop_words: Some(2),
            stop_words: STOP_WORDS.iter().map(|&word| word.to_owned()).collect(),
        }
    }
}

/// datatrove's `PUNCTUATION_SET`: ASCII punctuation, the C0 controls except tab and newline, DEL
/// and the C1 controls, and a list of typographic and CJK punctuation (including, as datatrove
/// has it, the full-width digit one).
pub fn is_punctuation(c: char) -> bool {
    match c {
        '\0'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        _ if c.is_ascii() => c.is_ascii_punctuation(),
        _ => matches!(
            c,
            '«' | '´'
                | '»'
                | '–'
                | '—'
                | '’'
                | '“'
                | '”'
                | '„'
                | '…'
                | '∶'
                | '━'
                | '►'
                | '、'
                | '。'
                | '〈'
                | '〉'
                | '《'
                | '》'
                | '「'
                | '」'
                | '【'
                | '】'
                | '！'
                | '％'
                | '（'
                | '）'
                | '，'
                | '．'
                | '１'
                | '：'
                | '；'
                | '？'
                | '～'
        ),
    }
}

/// `threshold` unless datatrove would skip the check (`None` or 0).
fn active<T: Copy + Default + PartialEq>(threshold: Option<T>) -> Option<T> {
    threshold.filter(|&value| value != T::default())
}

impl GopherQuality {
    /// Keeps or rejects the document.
    pub fn filter(&self, doc: &DocWords<'_>) -> Result<(), Rejection> {
        let text = doc.text();
        let words = doc.words();
        let n_words = words.len() as f64;

        let mut non_symbol_words = 0usize;
        let mut non_symbol_chars = 0usize;
        for word in words.iter() {
            if word.chars().any(|c| !is_punctuation(c)) {
                non_symbol_words += 1;
                non_symbol_chars += pystr::char_len(word);
            }
        }
        if active(self.min_doc_words).is_some_and(|min| non_symbol_words < min) {
            return Err(Rejection::new(STEP, "gopher_short_doc"));
        }
        if active(self.max_doc_words).is_some_and(|max| non_symbol_words > max) {
            return Err(Rejection::new(STEP, "gopher_long_doc"));
        }

        // numpy's mean of integer lengths: exact sum, one division.
        let mean_length = non_symbol_chars as f64 / non_symbol_words as f64;
        if active(self.min_avg_word_length).is_some_and(|min| mean_length < min) {
            return Err(Rejection::new(STEP, "gopher_below_avg_threshold"));
        }
        if active(self.max_avg_word_length).is_some_and(|max| mean_length > max) {
            return Err(Rejection::new(STEP, "gopher_above_avg_threshold"));
        }

        if let Some(max) = active(self.max_symbol_word_ratio) {
            let hashes = memchr::memchr_iter(b'#', text.as_bytes()).count();
            if hashes as f64 / n_words > max {
                return Err(Rejection::new(STEP, "gopher_too_many_hashes"));
            }
            let ellipses = text.matches("...").count() + text.matches('…').count();
            if ellipses as f64 / n_words > max {
                return Err(Rejection::new(STEP, "gopher_too_many_ellipsis"));
            }
        }

        let mut lines = 0usize;
        let mut bullet_lines = 0usize;
        let mut ellipsis_lines = 0usize;
        for line in pystr::splitlines(text) {
            lines += 1;
            let start = pystr::lstrip(line);
            if start.starts_with('•') || start.starts_with('-') {
                bullet_lines += 1;
            }
            let end = pystr::rstrip(line);
            if end.ends_with("...") || end.ends_with('…') {
                ellipsis_lines += 1;
            }
        }
        if active(self.max_bullet_lines_ratio)
            .is_some_and(|max| bullet_lines as f64 / lines as f64 > max)
        {
            return Err(Rejection::new(STEP, "gopher_too_many_bullets"));
        }
        if active(self.max_ellipsis_lines_ratio)
            .is_some_and(|max| ellipsis_lines as f64 / lines as f64 > max)
        {
            return Err(Rejection::new(STEP, "gopher_too_many_end_ellipsis"));
        }

        if let Some(min) = active(self.max_non_alpha_words_ratio) {
            let alpha_words = words.iter().filter(|word| pystr::has_alpha(word)).count();
            if (alpha_words as f64 / n_words) < min {
                return Err(Rejection::new(STEP, "gopher_below_alpha_threshold"));
            }
        }

        if let Some(min) = active(self.min_stop_words) {
            let stop_words = words
                .iter()
                .filter(|&word| self.stop_words.contains(word))
                .count();
            if stop_words < min {
                return Err(Rejection::new(STEP, "gopher_enough_stop_words"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refine::punkt::{PunktParameters, PunktTokenizer};
    use crate::refine::words::WordTokenizer;

    fn tokenizer() -> WordTokenizer {
        match PunktParameters::from_texts("", "", "", "") {
            Ok(params) => WordTokenizer::new(PunktTokenizer::new(params)),
            Err(error) => panic!("{error}"),
        }
    }

    fn reason(text: &str) -> Option<String> {
        let tokenizer = tokenizer();
        GopherQuality::default()
            .filter(&DocWords::new(text, &tokenizer))
            .err()
            .map(|rejection| rejection.reason.into_owned())
    }

    /// `n` words of four letters, two of them stop words, on one line.
    fn plain_words(n: usize) -> String {
        let mut words = vec!["the".to_owned(), "with".to_owned()];
        words.extend((2..n).map(|i| format!("w{}", 100 + i % 900)));
        words.join(" ")
    }

    #[test]
    fn document_length() {
        assert_eq!(reason(&plain_words(50)), None);
        assert_eq!(
            reason(&plain_words(49)).as_deref(),
            Some("gopher_short_doc")
        );
        // Symbol-only tokens do not count as words.
        assert_eq!(
            reason(&format!("{} , ; ...", plain_words(49))).as_deref(),
            Some("gopher_short_doc")
        );
        let short_limit = GopherQuality {
            max_doc_words: Some(60),
            ..GopherQuality::default()
        };
        let tokenizer = tokenizer();
        assert_eq!(
            short_limit.filter(&DocWords::new(&plain_words(60), &tokenizer)),
            Ok(())
        );
        assert_eq!(
            short_limit.filter(&DocWords::new(&plain_words(61), &tokenizer)),
            Err(Rejection::new(STEP, "gopher_long_doc"))
        );
    }

    #[test]
    fn mean_word_length() {
        // 50 words averaging exactly 3 characters pass; one shorter word fails.
        let exact: Vec<&str> = std::iter::repeat_n("the", 2)
            .chain(std::iter::repeat_n("abc", 48))
            .collect();
        assert_eq!(reason(&exact.join(" ")), None);
        let below: Vec<&str> = std::iter::repeat_n("the", 2)
            .chain(std::iter::repeat_n("abc", 47))
            .chain(["ab"])
            .collect();
        assert_eq!(
            reason(&below.join(" ")).as_deref(),
            Some("gopher_below_avg_threshold")
        );
        // A mean just above 10 fails; just below passes.
        let long = "abcdefghijklmn"; // 14 chars
        let above: Vec<&str> = std::iter::repeat_n("the", 2)
            .chain(std::iter::repeat_n("abcdefghij", 44))
            .chain(std::iter::repeat_n(long, 4))
            .collect();
        // (2*3 + 44*10 + 4*14) / 50 = 502 / 50 = 10.04
        assert_eq!(
            reason(&above.join(" ")).as_deref(),
            Some("gopher_above_avg_threshold")
        );
        let below: Vec<&str> = std::iter::repeat_n("with", 2)
            .chain(std::iter::repeat_n("abcdefghij", 46))
            .chain(std::iter::repeat_n(long, 2))
            .collect();
        // (2*4 + 46*10 + 2*14) / 50 = 496 / 50 = 9.92
        assert_eq!(reason(&below.join(" ")), None);
    }

    #[test]
    fn hashes_and_ellipses() {
        // `#` is split off as its own (symbol) token: 5 hashes over 55 tokens pass, 6 over 56
        // fail (> 0.1).
        assert_eq!(
            reason(&format!("{} {}", plain_words(50), "# ".repeat(5))),
            None
        );
        assert_eq!(
            reason(&format!("{} {}", plain_words(50), "# ".repeat(6))).as_deref(),
            Some("gopher_too_many_hashes")
        );
        // `...` and `…` both count; kept away from the line end (an ellipsis line is another check):
        // 5 over 56 tokens pass, 6 over 57 fail.
        let ellipses = |n: usize| {
            let marks: Vec<&str> = (0..n)
                .map(|i| if i % 2 == 0 { "..." } else { "…" })
                .collect();
            format!("{} {} end", marks.join(" "), plain_words(50))
        };
        assert_eq!(reason(&ellipses(5)), None);
        assert_eq!(
            reason(&ellipses(6)).as_deref(),
            Some("gopher_too_many_ellipsis")
        );
    }

    #[test]
    fn bullet_and_ellipsis_lines() {
        let body = plain_words(60);
        let mut bullets: Vec<String> = (0..9).map(|_| " • item number".to_owned()).collect();
        bullets.push(body.clone());
        // 9 of 10 lines: 0.9 is not > 0.9.
        assert_eq!(reason(&bullets.join("\n")), None);
        bullets.insert(0, "- one more".to_owned());
        assert_eq!(
            reason(&bullets.join("\n")).as_deref(),
            Some("gopher_too_many_bullets")
        );

        let mut lines: Vec<String> = vec![body.clone()];
        lines.extend((0..3).map(|i| format!("and so on {i}... ")));
        lines.extend((0..6).map(|i| format!("plain line {i}")));
        // 3 of 10 lines end with an ellipsis: 0.3 is not > 0.3; 4 of 11 is.
        assert_eq!(reason(&lines.join("\n")), None);
        lines.push("to be continued…".to_owned());
        assert_eq!(
            reason(&lines.join("\n")).as_deref(),
            Some("gopher_too_many_end_ellipsis")
        );
    }

    #[test]
    fn alphabetic_words() {
        // 50 alphabetic words + 12 numbers: 50/62 = 0.806 passes; 13 numbers: 50/63 = 0.79 fails.
        let numbers = |n: usize| {
            (0..n)
                .map(|i| format!("{}", 1000 + i))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            reason(&format!("{} {}", plain_words(50), numbers(12))),
            None
        );
        assert_eq!(
            reason(&format!("{} {}", plain_words(50), numbers(13))).as_deref(),
            Some("gopher_below_alpha_threshold")
        );
        // Non-ASCII letters count as alphabetic.
        assert_eq!(
            reason(&format!("{} {}", plain_words(50), "日本 ".repeat(20))),
            None
        );
    }

    #[test]
    fn stop_words_are_counted_by_occurrence_and_case() {
        let words = |first: &str, second: &str| {
            let mut words = vec![first.to_owned(), second.to_owned()];
            words.extend((0..60).map(|i| format!("w{}", 100 + i)));
            words.join(" ")
        };
        assert_eq!(reason(&words("the", "the")), None);
        assert_eq!(
            reason(&words("The", "the")).as_deref(),
            Some("gopher_enough_stop_words")
        );
        assert_eq!(
            reason(&words("thee", "of")).as_deref(),
            Some("gopher_enough_stop_words")
        );
    }

    #[test]
    fn punctuation_set() {
        for c in [
            '!', '/', '\u{1}', '\u{b}', '\u{1f}', '\u{7f}', '\u{85}', '«', '…', '１', '～',
        ] {
            assert!(is_punctuation(c), "{c:?}");
        }
        for c in ['\t', '\n', ' ', 'a', '0', '\u{a0}', '‘', '2', '２', 'é'] {
            assert!(!is_punctuation(c), "{c:?}");
        }
    }
}
