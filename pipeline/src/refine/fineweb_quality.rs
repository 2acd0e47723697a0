//! FineWeb's own quality filter, as datatrove 0.2.0's `FineWebQualityFilter` applies it.
//!
//! Lines are `text.split("\n")` (only `\n`; a final newline makes an empty last line). In order,
//! the first failing check removes the document:
//!
//! 1. lines ending in `.`, `'`, `"`, `!` or `?` / lines ≤ 0.12 → `line_punct_ratio` (unless the
//!    ratio is 0 and `line_punct_exclude_zero` is set);
//! 2. lines of at most 30 code points / lines ≥ 0.67 → `short_line_ratio`;
//! 3. characters in repeated non-blank lines (blank: empty after `strip()`) / characters of the
//!    text without its newlines ≥ 0.01 → `char_dup_ratio`;
//! 4. newlines / `nltk.word_tokenize` words > 0.3 → `list_ratio`.
//!
//! Where datatrove divides by zero (a text of only newlines, no words) the ratio here is NaN (the
//! check passes) or infinite (it fails).

use super::gopher_repetition::find_duplicates;
use super::pystr;
use super::rejection::Rejection;
use super::words::DocWords;

/// The step name in FineWeb's pipeline.
pub const STEP: &str = "fineweb_qual";

/// datatrove's `FineWebQualityFilter` thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct FineWebQuality {
    /// Highest fraction of lines ending in terminal punctuation that still removes (0.12).
    pub line_punct_thr: f64,
    /// Spare documents where no line ends in terminal punctuation (false).
    pub line_punct_exclude_zero: bool,
    /// Fraction of short lines that removes (0.67).
    pub short_line_thr: f64,
    /// Longest "short" line, in code points (30).
    pub short_line_length: usize,
    /// Fraction of characters in repeated lines that removes (0.01).
    pub char_duplicates_ratio: f64,
    /// Highest newlines per word (0.3).
    pub new_line_ratio: f64,
}

impl Default for FineWebQuality {
    fn default() -> Self {
        Self {
            line_punct_thr: 0.12,
            line_punct_exclude_zero: false,
            short_line_thr: 0.67,
            short_line_length: 30,
            char_duplicates_ratio: 0.01,
            new_line_ratio: 0.3,
        }
    }
}

impl FineWebQuality {
    /// Keeps or rejects the document.
    pub fn filter(&self, doc: &DocWords<'_>) -> Result<(), Rejection> {
        let text = doc.text();
        let mut lines = 0usize;
        let mut punctuated = 0usize;
        let mut short = 0usize;
        for line in text.split('\n') {
            lines += 1;
            if line.ends_with(['.', '\'', '"', '!', '?']) {
                punctuated += 1;
            }
            if line.len() <= self.short_line_length
                || pystr::char_len(line) <= self.short_line_length
            {
                short += 1;
            }
        }
        let lines = lines as f64;

        let ratio = punctuated as f64 / lines;
        if ratio <= self.line_punct_thr && !(ratio == 0.0 && self.line_punct_exclude_zero) {
            return Err(Rejection::new(STEP, "line_punct_ratio"));
        }
        if short as f64 / lines >= self.short_line_thr {
            return Err(Rejection::new(STEP, "short_line_ratio"));
        }

        let newlines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
        let repeated = find_duplicates(
            text.split('\n')
                .filter(|line| !pystr::strip(line).is_empty()),
        );
        let chars_without_newlines = pystr::char_len(text) - newlines;
        if repeated.repeat_chars as f64 / chars_without_newlines as f64
            >= self.char_duplicates_ratio
        {
            return Err(Rejection::new(STEP, "char_dup_ratio"));
        }

        if newlines as f64 / doc.words().len() as f64 > self.new_line_ratio {
            return Err(Rejection::new(STEP, "list_ratio"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refine::punkt::{PunktParameters, PunktTokenizer};
    use crate::refine::words::WordTokenizer;

    fn reason(text: &str) -> Option<String> {
        let tokenizer = match PunktParameters::from_texts("", "", "", "") {
            Ok(params) => WordTokenizer::new(PunktTokenizer::new(params)),
            Err(error) => panic!("{error}"),
        };
        FineWebQuality::default()
            .filter(&DocWords::new(text, &tokenizer))
            .err()
            .map(|rejection| rejection.reason.into_owned())
    }

    /// A distinct line of more than 30 characters, ending with `end`.
    fn long_line(i: usize, end: &str) -> String {
        format!("this is line number {i} with enough words{end}")
    }

    #[test]
    fn terminal_punctuation_ratio() {
        // 3 of 25 lines end in punctuation: 0.12 removes; 4 of 25 (0.16) passes.
        let lines = |punctuated: usize| {
            (0..25)
                .map(|i| long_line(i, if i < punctuated { "." } else { "" }))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(reason(&lines(3)).as_deref(), Some("line_punct_ratio"));
        assert_eq!(reason(&lines(4)), None);
        // Each terminal mark counts; a trailing newline adds an empty, unpunctuated line.
        for end in ["'", "\"", "!", "?"] {
            let text = format!("{}\n{}", long_line(0, end), long_line(1, "."));
            assert_eq!(reason(&text), None, "{end}");
        }
        let text = format!("{}\n", long_line(0, "."));
        assert_eq!(reason(&text), None);
        // No punctuated line at all: removed, unless zero is excluded.
        let bare = (0..5)
            .map(|i| long_line(i, ""))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(reason(&bare).as_deref(), Some("line_punct_ratio"));
        let zero_spared = FineWebQuality {
            line_punct_exclude_zero: true,
            ..FineWebQuality::default()
        };
        let tokenizer = match PunktParameters::from_texts("", "", "", "") {
            Ok(params) => WordTokenizer::new(PunktTokenizer::new(params)),
            Err(error) => panic!("{error}"),
        };
        assert_eq!(
            zero_spared.filter(&DocWords::new(&bare, &tokenizer)),
            Ok(())
        );
    }

    #[test]
    fn short_line_ratio() {
        // 30-character lines are short, 31-character ones are not.
        let short = "a".repeat(29) + ".";
        let long = "b".repeat(30) + ".";
        assert_eq!(pystr::char_len(&short), 30);
        // 2 short of 3 lines = 0.667 < 0.67 passes ...
        let text = format!("{short} x\n{long}\n{short}");
        assert_eq!(reason(&text), None);
        // ... 67 of 100 removes.
        let mut lines: Vec<String> = (0..67).map(|i| format!("short {i}.")).collect();
        lines.extend((0..33).map(|i| long_line(i, ".")));
        assert_eq!(
            reason(&lines.join("\n")).as_deref(),
            Some("short_line_ratio")
        );
        lines.remove(0);
        assert_eq!(reason(&lines.join("\n")), None);
    }

    #[test]
    fn duplicated_line_characters() {
        let mut lines: Vec<String> = (0..40).map(|i| long_line(i, ".")).collect();
        let base = lines.join("\n");
        assert_eq!(reason(&base), None);
        // Blank lines may repeat freely.
        assert_eq!(reason(&format!("{base}\n \n \n\n")), None);
        lines.push(long_line(3, "."));
        assert_eq!(reason(&lines.join("\n")).as_deref(), Some("char_dup_ratio"));

        // A 40-character line repeated once: exactly 0.01 of 4000 characters (newlines not
        // counted) removes; of 4001 passes.
        let line = |tag: usize, len: usize| format!("line {tag:04} {}.", "x".repeat(len - 11));
        let text = |filler: usize| {
            let mut lines = vec![line(0, 40)];
            lines.extend((1..=39).map(|i| line(i, 100)));
            lines.push(line(40, filler));
            lines.push(line(0, 40));
            lines.join("\n")
        };
        let newlines = 41;
        assert_eq!(pystr::char_len(&text(20)) - newlines, 40 + 3900 + 20 + 40);
        assert_eq!(reason(&text(20)).as_deref(), Some("char_dup_ratio"));
        assert_eq!(reason(&text(21)), None);
    }

    #[test]
    fn newlines_per_word() {
        // 3 newlines over 10 tokens (0.3) pass; over 9 tokens (0.33) fail. Every line is long,
        // distinct and ends with a period (its own token).
        let lines = |first: &str| {
            [
                first.to_owned(),
                format!("{}.", "x".repeat(31)),
                format!("{}.", "y".repeat(31)),
                format!("{}.", "z".repeat(31)),
            ]
            .join("\n")
        };
        assert_eq!(
            reason(&lines("alphaaaaaaaaaa betaaaaaaaaaa gammaaaaaaaa.")),
            None
        );
        assert_eq!(
            reason(&lines("alphaaaaaaaaaaaaaaa betaaaaaaaaaaaaaaaa.")).as_deref(),
            Some("list_ratio")
        );
    }
}
