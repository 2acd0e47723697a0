//! Gopher repetition filter (Rae et al. 2021, table A1) as datatrove 0.2.0's
//! `GopherRepetitionFilter` applies it.
//!
//! In order, the first failing check removes the document (reason strings are datatrove's):
//!
//! 1. paragraphs (`text.strip()` split on runs of two or more `\n`): duplicated paragraphs /
//!    paragraphs > 0.3 → `dup_para_frac`; characters in duplicated paragraphs / characters of
//!    the text > 0.2 → `dup_para_char_frac`;
//! 2. lines (`text.splitlines()`, so blank lines count, and repeat): duplicated lines / lines
//!    > 0.3 → `dup_line_frac`; their characters / characters > 0.2 → `dup_line_char_frac`;
//! 3. words (`nltk.word_tokenize`): for n = 2, 3, 4, the most frequent n-gram (words joined by
//!    spaces; ties go to the first seen) times its count, in characters, / characters > 0.20,
//!    0.18, 0.16 → `top_{n}_gram`;
//! 4. for n = 5..10, characters of repeated n-grams (words concatenated without spaces; after a
//!    repeat the scan jumps past it) / characters > 0.15, 0.14, 0.13, 0.12, 0.11, 0.10 →
//!    `duplicated_{n}_n_grams`.
//!
//! "Duplicated" means every occurrence after the first. Characters are code points. A threshold
//! of `None` (datatrove's `None` or 0) disables its check. datatrove divides by zero on an empty
//! text; here the ratios are then NaN and the empty text passes (Gopher quality removes it).
//!
//! Comparisons are exact, as Python's: lines and paragraphs are keyed by their text, n-grams by
//! word ids or by verified byte hashes (`NGrams`). The maps use ahash: this filter does about
//! nine map operations per word, and SipHash made it the slowest step.

use std::collections::hash_map::Entry;

use ahash::{AHashMap, AHashSet};

use super::pystr;
use super::rejection::Rejection;
use super::words::{DocWords, Words};

/// The step name in FineWeb's pipeline.
pub const STEP: &str = "gopher_rep";

/// datatrove's `GopherRepetitionFilter` thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct GopherRepetition {
    /// Maximum fraction of duplicated lines (0.3).
    pub dup_line_frac: Option<f64>,
    /// Maximum fraction of duplicated paragraphs (0.3).
    pub dup_para_frac: Option<f64>,
    /// Maximum fraction of the text's characters in duplicated lines (0.2).
    pub dup_line_char_frac: Option<f64>,
    /// Maximum fraction of the text's characters in duplicated paragraphs (0.2).
    pub dup_para_char_frac: Option<f64>,
    /// `(n, max fraction)`: characters covered by the most frequent n-gram
    /// ((2, 0.20), (3, 0.18), (4, 0.16)).
    pub top_n_grams: Vec<(usize, f64)>,
    /// `(n, max fraction)`: characters in repeated n-grams
    /// ((5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10)).
    pub dup_n_grams: Vec<(usize, f64)>,
}

impl Default for GopherRepetition {
    fn default() -> Self {
        Self {
            dup_line_frac: Some(0.3),
            dup_para_frac: Some(0.3),
            dup_line_char_frac: Some(0.2),
            dup_para_char_frac: Some(0.2),
            top_n_grams: vec![(2, 0.2), (3, 0.18), (4, 0.16)],
            dup_n_grams: vec![
                (5, 0.15),
                (6, 0.14),
                (7, 0.13),
                (8, 0.12),
                (9, 0.11),
                (10, 0.10),
            ],
        }
    }
}

/// Repetition among a sequence of strings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Duplicates {
    /// How many strings there are.
    pub total: usize,
    /// How many are repeats of an earlier one.
    pub repeats: usize,
    /// Characters (code points) in the repeats.
    pub repeat_chars: usize,
}

/// datatrove's `find_duplicates`, with the number of items alongside.
pub fn find_duplicates<'a>(items: impl IntoIterator<Item = &'a str>) -> Duplicates {
    let mut seen = AHashSet::new();
    let mut duplicates = Duplicates::default();
    for item in items {
        duplicates.total += 1;
        if !seen.insert(item) {
            duplicates.repeats += 1;
            duplicates.repeat_chars += pystr::char_len(item);
        }
    }
    duplicates
}

/// `re.split(r"\n{2,}", text)`.
fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match memchr::memmem::find(current.as_bytes(), b"\n\n") {
            Some(at) => {
                let run = current.as_bytes().get(at..).map_or(0, |tail| {
                    tail.iter().take_while(|&&byte| byte == b'\n').count()
                });
                rest = current.get(at + run..);
                current.get(..at)
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// A threshold datatrove would apply (`if threshold and ...`: `None` and 0 disable it).
fn active(threshold: Option<f64>) -> Option<f64> {
    threshold.filter(|&value| value != 0.0)
}

/// `numerator / denominator > threshold` with Python's float division.
fn exceeds(numerator: usize, denominator: usize, threshold: f64) -> bool {
    numerator as f64 / denominator as f64 > threshold
}

impl GopherRepetition {
    /// Keeps or rejects the document.
    pub fn filter(&self, doc: &DocWords<'_>) -> Result<(), Rejection> {
        let text = doc.text();
        let text_chars = pystr::char_len(text);

        let paragraphs = find_duplicates(paragraphs(pystr::strip(text)));
        if active(self.dup_para_frac)
            .is_some_and(|limit| exceeds(paragraphs.repeats, paragraphs.total, limit))
        {
            return Err(Rejection::new(STEP, "dup_para_frac"));
        }
        if active(self.dup_para_char_frac)
            .is_some_and(|limit| exceeds(paragraphs.repeat_chars, text_chars, limit))
        {
            return Err(Rejection::new(STEP, "dup_para_char_frac"));
        }

        let lines = find_duplicates(pystr::splitlines(text));
        if active(self.dup_line_frac)
            .is_some_and(|limit| exceeds(lines.repeats, lines.total, limit))
        {
            return Err(Rejection::new(STEP, "dup_line_frac"));
        }
        if active(self.dup_line_char_frac)
            .is_some_and(|limit| exceeds(lines.repeat_chars, text_chars, limit))
        {
            return Err(Rejection::new(STEP, "dup_line_char_frac"));
        }

        let grams = NGrams::new(doc.words());
        for &(n, limit) in &self.top_n_grams {
            if let Some(top) = grams.top_duplicate_chars(n)
                && exceeds(top, text_chars, limit)
            {
                return Err(Rejection::with_reason(STEP, format!("top_{n}_gram")));
            }
        }
        let mut seen = AHashMap::new();
        for &(n, limit) in &self.dup_n_grams {
            if exceeds(grams.repeated_chars(n, &mut seen), text_chars, limit) {
                return Err(Rejection::with_reason(
                    STEP,
                    format!("duplicated_{n}_n_grams"),
                ));
            }
        }
        Ok(())
    }
}

/// Word n-grams of a document, counted without building one string per n-gram.
///
/// Space-joined n-grams are equal exactly when their word sequences are (words never contain
/// spaces), so they are compared as sequences of word ids. Concatenated n-grams can be equal with
/// different words (`ab`+`c`, `a`+`bc`), so they are keyed by a polynomial hash of their bytes
/// (computable for any span from per-word prefixes) and every hash hit is confirmed by comparing
/// the bytes; the rare hash collision between different strings falls back to an exact set.
struct NGrams {
    /// Word ids, equal for equal words.
    ids: Vec<u32>,
    /// All words concatenated.
    concat: String,
    /// Byte offset of each word in `concat`, then `concat.len()`.
    concat_starts: Vec<usize>,
    /// Code points before each word in `concat`, then the total.
    char_starts: Vec<usize>,
    /// `Σ byte[k] · B^k` over `concat` up to each word start, then over all of it (wrapping).
    prefix_hashes: Vec<u64>,
    /// `B^-k` for the byte offset `k` of each word start.
    inverse_powers: Vec<u64>,
}

/// Odd base of the polynomial hash (arithmetic mod 2^64) and its inverse.
const HASH_BASE: u64 = 0x9e37_79b9_7f4a_7c15;
const HASH_BASE_INVERSE: u64 = {
    // Newton's iteration doubles the correct low bits each step: 3 → 6 → ... → 96 ≥ 64.
    let mut inverse = HASH_BASE;
    let mut step = 0;
    while step < 5 {
        inverse = inverse.wrapping_mul(2u64.wrapping_sub(HASH_BASE.wrapping_mul(inverse)));
        step += 1;
    }
    inverse
};

impl NGrams {
    fn new(words: &Words) -> Self {
        let len = words.len();
        let mut ids = Vec::with_capacity(len);
        let mut interned: AHashMap<&str, u32> = AHashMap::with_capacity(len);
        let mut concat = String::with_capacity(words.as_joined().len());
        let mut concat_starts = Vec::with_capacity(len + 1);
        let mut char_starts = Vec::with_capacity(len + 1);
        let mut prefix_hashes = Vec::with_capacity(len + 1);
        let mut inverse_powers = Vec::with_capacity(len + 1);
        let (mut chars, mut hash, mut power, mut inverse_power) = (0, 0u64, 1u64, 1u64);
        for word in words.iter() {
            let next_id = u32::try_from(interned.len()).unwrap_or(u32::MAX);
            ids.push(*interned.entry(word).or_insert(next_id));
            concat_starts.push(concat.len());
            char_starts.push(chars);
            prefix_hashes.push(hash);
            inverse_powers.push(inverse_power);
            concat.push_str(word);
            chars += pystr::char_len(word);
            for &byte in word.as_bytes() {
                hash = hash.wrapping_add(u64::from(byte).wrapping_mul(power));
                power = power.wrapping_mul(HASH_BASE);
                inverse_power = inverse_power.wrapping_mul(HASH_BASE_INVERSE);
            }
        }
        concat_starts.push(concat.len());
        char_starts.push(chars);
        prefix_hashes.push(hash);
        Self {
            ids,
            concat,
            concat_starts,
            char_starts,
            prefix_hashes,
            inverse_powers,
        }
    }

    /// Code points of words `start..start + n` (without separators).
    fn chars(&self, start: usize, n: usize) -> usize {
        let end = self.char_starts.get(start + n).copied().unwrap_or(0);
        end.saturating_sub(self.char_starts.get(start).copied().unwrap_or(0))
    }

    /// datatrove's `find_top_duplicate` on the space-joined n-grams: length of the most frequent
    /// n-gram (the first seen among equals) times its count. `None` when there are no n-grams.
    fn top_duplicate_chars(&self, n: usize) -> Option<usize> {
        if n == 0 || self.ids.len() < n {
            return None;
        }
        // n-gram → (occurrences, first position)
        let mut counts: AHashMap<&[u32], (usize, usize)> =
            AHashMap::with_capacity(self.ids.len() + 1 - n);
        for (start, gram) in self.ids.windows(n).enumerate() {
            counts.entry(gram).or_insert((0, start)).0 += 1;
        }
        let (occurrences, first) = counts
            .into_values()
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))?;
        Some((self.chars(first, n) + n - 1) * occurrences)
    }

    /// Words `start..start + n` concatenated.
    fn concatenated(&self, start: usize, n: usize) -> &str {
        let from = self.concat_starts.get(start).copied().unwrap_or(0);
        let to = self.concat_starts.get(start + n).copied().unwrap_or(0);
        self.concat.get(from..to).unwrap_or("")
    }

    /// Position-independent hash of [`concatenated`](Self::concatenated)`(start, n)`.
    fn concatenated_hash(&self, start: usize, n: usize) -> u64 {
        let prefix = |index: usize| self.prefix_hashes.get(index).copied().unwrap_or(0);
        let shift = self.inverse_powers.get(start).copied().unwrap_or(1);
        prefix(start + n)
            .wrapping_sub(prefix(start))
            .wrapping_mul(shift)
    }

    /// datatrove's `find_all_duplicate`: characters of concatenated n-grams seen before, skipping
    /// past each repeat.
    /// `seen` is scratch space (reused across n to keep its allocation).
    fn repeated_chars(&self, n: usize, seen: &mut AHashMap<(u64, usize), usize>) -> usize {
        if n == 0 {
            // datatrove loops forever on n = 0; there is nothing to count.
            return 0;
        }
        // (hash, byte length) → start of the first n-gram seen with that key.
        seen.clear();
        seen.reserve(self.ids.len());
        // Different n-grams whose key was taken by another one (hash collisions).
        let mut collided: AHashSet<&str> = AHashSet::new();
        let mut repeated = 0;
        let mut start = 0;
        while start + n <= self.ids.len() {
            let gram = self.concatenated(start, n);
            let key = (self.concatenated_hash(start, n), gram.len());
            let is_repeat = match seen.entry(key) {
                Entry::Vacant(vacant) => {
                    vacant.insert(start);
                    false
                }
                Entry::Occupied(first) => {
                    self.concatenated(*first.get(), n) == gram || !collided.insert(gram)
                }
            };
            if is_repeat {
                repeated += self.chars(start, n);
                start += n;
            } else {
                start += 1;
            }
        }
        repeated
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

    fn check(text: &str) -> Result<(), Rejection> {
        let tokenizer = tokenizer();
        GopherRepetition::default().filter(&DocWords::new(text, &tokenizer))
    }

    fn reason(text: &str) -> Option<String> {
        check(text)
            .err()
            .map(|rejection| rejection.reason.into_owned())
    }

    /// `n` distinct lines of distinct words.
    fn distinct_lines(n: usize, tag: &str) -> Vec<String> {
        (0..n)
            .map(|i| format!("{tag}{i} alpha{i} beta{i} gamma{i}"))
            .collect()
    }

    #[test]
    fn duplicated_paragraphs() {
        // 11 paragraphs, 3 repeats: 0.27 is not > 0.3.
        let mut paragraphs = distinct_lines(7, "p");
        paragraphs.extend(std::iter::repeat_n("same paragraph".to_owned(), 4));
        assert_ne!(
            reason(&paragraphs.join("\n\n")).as_deref(),
            Some("dup_para_frac")
        );
        // 11 paragraphs, 4 repeats: 0.36 > 0.3.
        let mut paragraphs = distinct_lines(6, "p");
        paragraphs.extend(std::iter::repeat_n("same paragraph".to_owned(), 5));
        assert_eq!(
            reason(&paragraphs.join("\n\n")).as_deref(),
            Some("dup_para_frac")
        );
    }

    /// A filter with only the given character-fraction check enabled.
    fn only_char_checks(para: Option<f64>, line: Option<f64>) -> GopherRepetition {
        GopherRepetition {
            dup_line_frac: None,
            dup_para_frac: None,
            dup_line_char_frac: line,
            dup_para_char_frac: para,
            top_n_grams: Vec::new(),
            dup_n_grams: Vec::new(),
        }
    }

    #[test]
    fn duplicated_paragraph_characters() {
        // One long paragraph repeated once among short distinct ones: 1 of 5 paragraphs repeats
        // (0.2), but its characters are > 20% of the text.
        let long = "word ".repeat(40);
        let long = long.trim_end();
        let text = format!("{long}\n\na1 b\n\na2 c\n\na3 d\n\n{long}");
        assert_eq!(reason(&text).as_deref(), Some("dup_para_char_frac"));

        // A 40-character paragraph repeated in a text of exactly 200 characters: 0.2 passes,
        // one character less fails.
        let tokenizer = tokenizer();
        let filter = only_char_checks(Some(0.2), None);
        let repeated = "r".repeat(40);
        let text = format!("{repeated}\n\n{}\n\n{repeated}", "f".repeat(200 - 80 - 4));
        assert_eq!(pystr::char_len(&text), 200);
        assert_eq!(filter.filter(&DocWords::new(&text, &tokenizer)), Ok(()));
        let text = format!("{repeated}\n\n{}\n\n{repeated}", "f".repeat(200 - 80 - 5));
        assert_eq!(
            filter.filter(&DocWords::new(&text, &tokenizer)),
            Err(Rejection::new(STEP, "dup_para_char_frac"))
        );
    }

    #[test]
    fn blank_lines_count_as_duplicates() {
        let lines: Vec<String> = (0..4)
            .map(|i| format!("line{i} alpha{i} beta{i} gamma{i} delta{i} epsilon{i} zeta{i}"))
            .collect();
        // Seven lines, three of them blank: two repeats, 2/7 = 0.29 is not > 0.3.
        let text = lines.join("\n\n");
        assert_eq!(pystr::splitlines(&text).count(), 7);
        assert_eq!(find_duplicates(pystr::splitlines(&text)).repeats, 2);
        let paragraph_checks_off = GopherRepetition {
            dup_para_frac: None,
            dup_para_char_frac: None,
            ..GopherRepetition::default()
        };
        let tokenizer = tokenizer();
        let verdict = paragraph_checks_off.filter(&DocWords::new(&text, &tokenizer));
        assert_eq!(verdict, Ok(()));
        // A trailing blank line makes eight lines with three repeats: 0.375 > 0.3.
        let text = format!("{text}\n\n");
        let verdict = paragraph_checks_off.filter(&DocWords::new(&text, &tokenizer));
        assert_eq!(verdict, Err(Rejection::new(STEP, "dup_line_frac")));
    }

    #[test]
    fn duplicated_line_characters() {
        let long = "x".repeat(100);
        let text = format!("{long}\na\nb\nc\nd\ne\nf\ng\nh\n{long}");
        assert_eq!(reason(&text).as_deref(), Some("dup_line_char_frac"));

        // 40 repeated characters in exactly 200: 0.2 passes; in 199 fails. Line terminators are
        // Python's (`\r\n` is one).
        let tokenizer = tokenizer();
        let filter = only_char_checks(None, Some(0.2));
        let repeated = "r".repeat(40);
        let text = format!("{repeated}\r\n{}\n{repeated}", "f".repeat(200 - 80 - 3));
        assert_eq!(pystr::char_len(&text), 200);
        assert_eq!(filter.filter(&DocWords::new(&text, &tokenizer)), Ok(()));
        let text = format!("{repeated}\r\n{}\n{repeated}", "f".repeat(200 - 80 - 4));
        assert_eq!(
            filter.filter(&DocWords::new(&text, &tokenizer)),
            Err(Rejection::new(STEP, "dup_line_char_frac"))
        );
    }

    #[test]
    fn top_n_grams_threshold() {
        // "ab cd" four times: 5 chars * 4 = 20; every longer n-gram occurs once.
        let text = format!("ab cd x1 ab cd x2 ab cd x3 ab cd x4 {}", "q".repeat(64));
        assert_eq!(pystr::char_len(&text), 100);
        // 20 / 100 = 0.2 is not > 0.2.
        assert_eq!(reason(&text), None);
        let text = format!("ab cd x1 ab cd x2 ab cd x3 ab cd x4 {}", "q".repeat(63));
        // 20 / 99 > 0.2.
        assert_eq!(reason(&text).as_deref(), Some("top_2_gram"));
    }

    #[test]
    fn top_n_gram_ties_go_to_the_first_seen() {
        let tokenizer = tokenizer();
        let words = tokenizer.tokenize("a b a b c d c d");
        let grams = NGrams::new(&words);
        // "a b" and "c d" twice each, "b a", "b c", "d c" once: first most frequent is "a b".
        assert_eq!(grams.top_duplicate_chars(2), Some(3 * 2));
        let words = tokenizer.tokenize("xx y xx y z zzzz z zzzz");
        let grams = NGrams::new(&words);
        assert_eq!(grams.top_duplicate_chars(2), Some(4 * 2));
        assert_eq!(grams.top_duplicate_chars(9), None);
    }

    #[test]
    fn repeated_n_grams_skip_past_repeats() {
        let tokenizer = tokenizer();
        let words = tokenizer.tokenize("a b c a b c a b c");
        let grams = NGrams::new(&words);
        // 3-grams: abc bca cab, then abc (repeat, skip 3) → abc (repeat): 2 repeats of 3 chars.
        assert_eq!(grams.repeated_chars(3, &mut AHashMap::new()), 6);
        // Concatenation ignores word boundaries: "ab"+"c" repeats "a"+"bc".
        let words = tokenizer.tokenize("ab c a bc");
        assert_eq!(
            NGrams::new(&words).repeated_chars(2, &mut AHashMap::new()),
            3
        );
        assert_eq!(
            NGrams::new(&words).repeated_chars(0, &mut AHashMap::new()),
            0
        );
    }

    #[test]
    fn hash_collisions_fall_back_to_exact_comparison() {
        // The Thue-Morse word of length 2^11 and its complement collide under any polynomial hash
        // mod 2^64 with an odd base.
        let thue_morse: String = (0..2048u32)
            .map(|i| if i.count_ones() % 2 == 0 { 'a' } else { 'b' })
            .collect();
        let complement: String = thue_morse
            .chars()
            .map(|c| if c == 'a' { 'b' } else { 'a' })
            .collect();
        let tokenizer = tokenizer();
        let words = tokenizer.tokenize(&format!(
            "{thue_morse} {complement} {thue_morse} {complement}"
        ));
        let grams = NGrams::new(&words);
        assert_eq!(grams.concatenated_hash(0, 1), grams.concatenated_hash(1, 1));
        assert_ne!(grams.concatenated(0, 1), grams.concatenated(1, 1));
        // Not a repeat at position 1; repeats at 2 (stored key) and 3 (collided set).
        assert_eq!(grams.repeated_chars(1, &mut AHashMap::new()), 2 * 2048);
    }

    /// `distinct` different 5-letter words, then the first ten of them again.
    fn with_repeated_block(distinct: usize) -> String {
        let words: Vec<String> = (0..distinct).map(|i| format!("w{i:03}x")).collect();
        format!("{} {}", words.join(" "), words[..10].join(" "))
    }

    #[test]
    fn duplicated_n_grams_threshold() {
        // The repeated ten-word block gives two repeated 5-grams (50 chars), one 9-gram (45),
        // while the top 3- and 4-grams occur twice (34 and 46 chars).
        let text = with_repeated_block(40);
        assert_eq!(pystr::char_len(&text), 299);
        // 50 / 299 = 0.167 > 0.15 (46 / 299 = 0.154 is within the 4-gram limit).
        assert_eq!(reason(&text).as_deref(), Some("duplicated_5_n_grams"));
        let text = with_repeated_block(46);
        assert_eq!(pystr::char_len(&text), 335);
        // 50 / 335 = 0.149 passes the 5-gram check; 45 / 335 = 0.134 > 0.11 fails the 9-gram one.
        assert_eq!(reason(&text).as_deref(), Some("duplicated_9_n_grams"));
        let distinct: Vec<String> = (0..60).map(|i| format!("w{i:03}x")).collect();
        assert_eq!(reason(&distinct.join(" ")), None);
    }

    #[test]
    fn empty_text_passes() {
        assert_eq!(check(""), Ok(()));
        assert_eq!(paragraphs("").collect::<Vec<_>>(), [""]);
        assert_eq!(
            paragraphs("a\n\n\nb\nc\n\nd").collect::<Vec<_>>(),
            ["a", "b\nc", "d"]
        );
    }
}
