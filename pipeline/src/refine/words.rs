//! NLTK word tokenization as datatrove 0.2.0 uses it: `nltk.word_tokenize(text, "english")`.
//!
//! That is Punkt sentence splitting ([`super::punkt`]) followed, per sentence, by NLTK's
//! "improved Treebank" tokenizer (`NLTKWordTokenizer.tokenize`), a fixed sequence of regular
//! expression rewrites that pad punctuation with spaces, then a split on whitespace:
//!
//! 1. starting quotes: `«“‘„` and backtick runs padded, a leading `"` becomes ` `` `, `"`/`''` after
//!    a space or opening bracket becomes ` `` `, and a `'` that starts a word is split off unless
//!    a clitic (`'re 've 'll 'm 't 's 'd 'n`) follows;
//! 2. punctuation: the sentence-final period (with trailing closing quotes/brackets), `:` and `,`
//!    not before a digit, ellipses, `;@#$%&`, figure/en/em dashes and horizontal bars, `?!`, a
//!    `'` before a space, `*`;
//! 3. brackets `[](){}<>`, then double dashes;
//! 4. ending quotes: `»”’` padded, `''` and `"` become ` '' `, whitespace runs become one space,
//!    clitics (`'s 'm 'd 'll 're 've n't` and a bare `'`) split off before a space;
//! 5. contractions: `cannot d'ye gimme gonna gotta lemme more'n wanna 'tis 'twas` split in two.
//!
//! The rules are NLTK 3.10's (the version the golden file was produced with; 3.9 lacks the dash
//! rule and treats curly quotes differently in Punkt). NLTK compiles rules 1-4 with the `regex`
//! module (Unicode `\w`/`\s`, as Rust's `regex` crate) and rule 5 with stdlib `re` (`\w` = letters,
//! numbers, `_`; case-insensitive `i` also matches `İ ı`, `s` matches `ſ`). Rules with
//! lookaround or Python's `$` are hand-written below (Rust's `regex` has neither), each with its
//! pattern in a comment. Consecutive rules that cannot interact are merged into one pass.

use std::cell::OnceCell;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::punkt::PunktTokenizer;
use super::pystr;

/// Tokens of a text, stored as one space-separated buffer (tokens never contain whitespace), so
/// that consecutive tokens joined by spaces are a plain slice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Words {
    buf: String,
    starts: Vec<usize>,
}

impl Words {
    /// No tokens.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Removes all tokens, keeping the allocations.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.starts.clear();
    }

    /// Token `index`.
    pub fn get(&self, index: usize) -> Option<&str> {
        let start = *self.starts.get(index)?;
        self.buf.get(start..self.token_end(index))
    }

    /// The tokens in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        // Each token ends one byte (the separating space) before the next one starts.
        let ends = self
            .starts
            .iter()
            .skip(1)
            .map(|next| next - 1)
            .chain(std::iter::once(self.buf.len()));
        self.starts
            .iter()
            .zip(ends)
            .map(|(&start, end)| self.buf.get(start..end).unwrap_or(""))
    }

    /// Tokens `range` joined by single spaces (Python `" ".join(words[range])`); empty when the
    /// range is empty or out of bounds.
    pub fn joined(&self, range: Range<usize>) -> &str {
        if range.start >= range.end || range.end > self.len() {
            return "";
        }
        let start = self.starts.get(range.start).copied().unwrap_or(0);
        self.buf
            .get(start..self.token_end(range.end - 1))
            .unwrap_or("")
    }

    /// All tokens joined by single spaces.
    pub fn as_joined(&self) -> &str {
        &self.buf
    }

    /// Appends a token (which must not contain whitespace).
    fn push(&mut self, token: &str) {
        if !self.buf.is_empty() {
            self.buf.push(' ');
        }
        self.starts.push(self.buf.len());
        self.buf.push_str(token);
    }

    fn token_end(&self, index: usize) -> usize {
        self.starts
            .get(index + 1)
            .map_or(self.buf.len(), |next| next - 1)
    }
}

/// `nltk.word_tokenize` with English Punkt parameters.
#[derive(Debug, Clone)]
pub struct WordTokenizer {
    punkt: PunktTokenizer,
}

impl WordTokenizer {
    /// A word tokenizer splitting sentences with `punkt`.
    pub fn new(punkt: PunktTokenizer) -> Self {
        Self { punkt }
    }

    /// The sentence tokenizer.
    pub fn punkt(&self) -> &PunktTokenizer {
        &self.punkt
    }

    /// The words of `text`.
    pub fn tokenize(&self, text: &str) -> Words {
        let mut words = Words::new();
        self.tokenize_into(text, &mut words);
        words
    }

    /// [`tokenize`](Self::tokenize) into a reused buffer (cleared first).
    pub fn tokenize_into(&self, text: &str, words: &mut Words) {
        words.clear();
        let mut rewriter = Rewriter::default();
        for span in self.punkt.span_tokenize(text) {
            if let Some(sentence) = text.get(span) {
                treebank_with(sentence, words, &mut rewriter);
            }
        }
    }
}

/// A document's text with its words computed on first use, so that consecutive filters on the
/// same text (Gopher repetition, then Gopher quality) tokenize once, and a filter that rejects
/// early never tokenizes.
#[derive(Debug)]
pub struct DocWords<'a> {
    text: &'a str,
    tokenizer: &'a WordTokenizer,
    words: OnceCell<Words>,
}

impl<'a> DocWords<'a> {
    /// Wraps `text`; nothing is computed yet.
    pub fn new(text: &'a str, tokenizer: &'a WordTokenizer) -> Self {
        Self {
            text,
            tokenizer,
            words: OnceCell::new(),
        }
    }

    /// The text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The words of the text (tokenized on the first call).
    pub fn words(&self) -> &Words {
        self.words
            .get_or_init(|| self.tokenizer.tokenize(self.text))
    }
}

/// The Treebank rewrites, compiled once. Replacements are written by hand from the match (no
/// capture groups: the matches' structure is fixed, and captures cost the regex engine a slower
/// path).
struct Rules {
    /// `([«“‘„]|[`]+)` → ` \1 `
    opening_quotes: Regex,
    /// ` `` ` → `  ``  `
    double_backticks: Regex,
    /// `([ \(\[{<])(\"|\'{2})` → `\1 `` ` (the regex finds the quotes; the opener before them is
    /// checked by hand)
    quote_after_opener: Regex,
    /// `([:,])([^\d])` → ` \1 \2`
    colon_comma: Regex,
    /// `\.{2,}`, `[;@#$%&]`, `[\u2012-\u2015]` → ` \g<0> ` (three consecutive rules on disjoint
    /// characters, one pass).
    symbols: Regex,
    /// `[?!]` → ` \g<0> `
    question_exclamation: Regex,
    /// `([^'])' ` → `\1 ' ` (the character before is checked by hand)
    quote_before_space: Regex,
    /// `[*]` then `[\]\[\(\)\{\}\<\>]` → ` \g<0> ` (consecutive, disjoint: one pass)
    star_brackets: Regex,
    /// `--` → ` -- `
    double_dash: Regex,
    /// `([»”’])` → ` \1 `
    closing_quotes: Regex,
    /// `''` then `"` → ` '' ` (consecutive; `"` never forms `''`: one pass)
    double_quotes: Regex,
    /// `([^' ])('[sS]|'[mM]|'[dD]|') ` → `\1 \2 ` (the character before is checked by hand)
    clitics_short: Regex,
    /// `([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ` → `\1 \2 ` (likewise)
    clitics_long: Regex,
    /// Cheap screen for the contraction rules (Rust's case folding covers `ſ`; `İ ı` are checked
    /// separately).
    contraction_screen: Regex,
}

static RULES: LazyLock<Rules> = LazyLock::new(|| Rules {
    opening_quotes: pystr::compile(r"[«“‘„]|`+"),
    double_backticks: pystr::compile(r"``"),
    quote_after_opener: pystr::compile(r#""|''"#),
    colon_comma: pystr::compile(r"[:,]\D"),
    symbols: pystr::compile(r"\.{2,}|[;@#$%&\u{2012}-\u{2015}]"),
    question_exclamation: pystr::compile(r"[?!]"),
    quote_before_space: pystr::compile(r"' "),
    star_brackets: pystr::compile(r"[*\]\[(){}<>]"),
    double_dash: pystr::compile(r"--"),
    closing_quotes: pystr::compile(r"[»”’]"),
    double_quotes: pystr::compile(r#"''|""#),
    clitics_short: pystr::compile(r"'[sSmMdD]? "),
    clitics_long: pystr::compile(r"(?:'ll|'LL|'re|'RE|'ve|'VE|n't|N'T) "),
    contraction_screen: pystr::compile(
        r"(?i)cannot|d'ye|gimme|gonna|gotta|lemme|more'n|wanna|'tis|'twas",
    ),
});

/// The sentence being rewritten and a spare buffer; a rewrite fills the spare and swaps, so a
/// document's sentences reuse two allocations.
#[derive(Debug, Default)]
struct Rewriter {
    text: String,
    spare: String,
}

impl Rewriter {
    /// Replaces every match of `regex` with what `replace` appends for it.
    fn rewrite(&mut self, regex: &Regex, mut replace: impl FnMut(&str, &mut String)) {
        let mut copied = 0;
        let mut matched = false;
        for found in regex.find_iter(&self.text) {
            if !matched {
                self.spare.clear();
                matched = true;
            }
            self.spare
                .push_str(self.text.get(copied..found.start()).unwrap_or(""));
            replace(found.as_str(), &mut self.spare);
            copied = found.end();
        }
        if matched {
            self.spare.push_str(self.text.get(copied..).unwrap_or(""));
            std::mem::swap(&mut self.text, &mut self.spare);
        }
    }

    /// `(X)(pattern)` → `X` + replacement, where `X` is one character satisfying `before` that an
    /// earlier match did not consume. Searching for the pattern alone and checking `X` by hand
    /// lets the regex engine scan for the pattern's literals instead of trying every `X`.
    fn rewrite_after(
        &mut self,
        regex: &Regex,
        before: fn(char) -> bool,
        mut replace: impl FnMut(&str, &mut String),
    ) {
        let mut copied = 0;
        let mut matched = false;
        for found in regex.find_iter(&self.text) {
            let head = self.text.get(..found.start()).unwrap_or("");
            let Some(x) = head.chars().next_back() else {
                continue;
            };
            if found.start() - x.len_utf8() < copied || !before(x) {
                continue;
            }
            if !matched {
                self.spare.clear();
                matched = true;
            }
            self.spare
                .push_str(self.text.get(copied..found.start()).unwrap_or(""));
            replace(found.as_str(), &mut self.spare);
            copied = found.end();
        }
        if matched {
            self.spare.push_str(self.text.get(copied..).unwrap_or(""));
            std::mem::swap(&mut self.text, &mut self.spare);
        }
    }

    /// Surrounds every match of `regex` with spaces (` \g<0> `).
    fn pad(&mut self, regex: &Regex) {
        self.rewrite(regex, |found, out| {
            out.push(' ');
            out.push_str(found);
            out.push(' ');
        });
    }

    /// `\s+` → ` ` (Unicode White_Space, as the regex module's `\s`).
    fn collapse_whitespace(&mut self) {
        let text = &self.text;
        let out = &mut self.spare;
        out.clear();
        let mut run_start = 0;
        let mut in_space = false;
        let mut at = 0;
        let bytes = text.as_bytes();
        while let Some(&byte) = bytes.get(at) {
            let (len, space) = if byte.is_ascii() {
                (1, matches!(byte, b' ' | b'\t'..=b'\r'))
            } else {
                let c = text
                    .get(at..)
                    .and_then(|rest| rest.chars().next())
                    .unwrap_or(' ');
                (c.len_utf8(), c.is_whitespace())
            };
            if space {
                if !in_space {
                    out.push_str(text.get(run_start..at).unwrap_or(""));
                    out.push(' ');
                    in_space = true;
                }
            } else if in_space {
                run_start = at;
                in_space = false;
            }
            at += len;
        }
        if !in_space {
            out.push_str(text.get(run_start..).unwrap_or(""));
        }
        std::mem::swap(&mut self.text, &mut self.spare);
    }
}

/// Splits a match into its first character and the rest.
fn split_first_char(found: &str) -> (&str, &str) {
    let first = found.chars().next().map_or(0, char::len_utf8);
    (
        found.get(..first).unwrap_or(""),
        found.get(first..).unwrap_or(""),
    )
}

/// The two sentence-final-period rules: `([^\.])(\.)([\]\)}>"\'»”’ ]*+)\s*$` → `\1 \2 \3 `
/// (`spaced`, closing class with the space) and `([^\.])(\.)([\]\)}>"\']*)\s*$` → `\1 \2\3 `.
/// Hand-written from the end of the text (a regex would try every period): what follows the
/// period must be closing characters then whitespace, so the period sits right before the
/// longest such tail; the closing run is then the longest run of closing characters (Python's
/// `$` before a final newline changes nothing: `\s*` takes the newline).
fn split_final_period(rewriter: &mut Rewriter, closing: fn(char) -> bool, spaced: bool) {
    let text = &rewriter.text;
    let tail_start = text
        .trim_end_matches(char::is_whitespace)
        .trim_end_matches(closing)
        .len();
    let Some(head) = text
        .get(..tail_start)
        .and_then(|head| head.strip_suffix('.'))
    else {
        return;
    };
    let Some(before) = head.chars().next_back().filter(|&c| c != '.') else {
        return;
    };
    let tail = text.get(tail_start..).unwrap_or("");
    let closers = tail.len() - tail.trim_start_matches(closing).len();
    let out = &mut rewriter.spare;
    out.clear();
    out.push_str(head.get(..head.len() - before.len_utf8()).unwrap_or(""));
    out.push(before);
    out.push_str(if spaced { " . " } else { " ." });
    out.push_str(tail.get(..closers).unwrap_or(""));
    out.push(' ');
    std::mem::swap(&mut rewriter.text, &mut rewriter.spare);
}

/// Closing characters of the first final-period rule (`[\]\)}>"\'»”’ ]`).
fn is_final_closing(c: char) -> bool {
    matches!(
        c,
        ']' | ')' | '}' | '>' | '"' | '\'' | '»' | '”' | '’' | ' '
    )
}

/// Closing characters of the second final-period rule (`[\]\)}>"\']`).
fn is_final_closing_ascii(c: char) -> bool {
    matches!(c, ']' | ')' | '}' | '>' | '"' | '\'')
}

/// NLTK's `NLTKWordTokenizer.tokenize` on one sentence, appending the tokens to `words`.
pub fn treebank_tokenize_into(sentence: &str, words: &mut Words) {
    treebank_with(sentence, words, &mut Rewriter::default());
}

/// Which characters a sentence contains, by class: a rule whose trigger characters are all absent
/// cannot match and is skipped (the rules only insert spaces, apart from the quote conversions,
/// which are accounted for where they happen).
#[derive(Debug, Clone, Copy)]
struct Triggers(u16);

impl Triggers {
    const BACKTICK: u16 = 1 << 0;
    const DOUBLE_QUOTE: u16 = 1 << 1;
    const SINGLE_QUOTE: u16 = 1 << 2;
    const COLON_COMMA: u16 = 1 << 3;
    const SYMBOL: u16 = 1 << 4;
    const QUESTION_EXCLAMATION: u16 = 1 << 5;
    const BRACKET: u16 = 1 << 6;
    const HYPHEN: u16 = 1 << 7;
    /// Curly quotes, guillemets, dashes, `İ ı ſ`, Unicode spaces: all outside ASCII.
    const NON_ASCII: u16 = 1 << 8;
    /// ASCII whitespace other than the space (`\t \n \x0b \x0c \r`).
    const OTHER_SPACE: u16 = 1 << 9;
    /// The byte → class table.
    const TABLE: [u16; 256] = {
        let mut table = [0u16; 256];
        let mut byte = 0;
        while byte < 256 {
            table[byte] = match byte as u8 {
                b'`' => Self::BACKTICK,
                b'"' => Self::DOUBLE_QUOTE,
                b'\'' => Self::SINGLE_QUOTE,
                b':' | b',' => Self::COLON_COMMA,
                b'.' | b';' | b'@' | b'#' | b'$' | b'%' | b'&' => Self::SYMBOL,
                b'?' | b'!' => Self::QUESTION_EXCLAMATION,
                b'*' | b'[' | b']' | b'(' | b')' | b'{' | b'}' | b'<' | b'>' => Self::BRACKET,
                b'-' => Self::HYPHEN,
                b'\t'..=b'\r' => Self::OTHER_SPACE,
                0x80..=0xff => Self::NON_ASCII,
                _ => 0,
            };
            byte += 1;
        }
        table
    };

    fn of(text: &str) -> Self {
        Self(
            text.bytes()
                .fold(0, |bits, byte| bits | Self::TABLE[usize::from(byte)]),
        )
    }

    fn any(self, classes: u16) -> bool {
        self.0 & classes != 0
    }
}

fn treebank_with(sentence: &str, words: &mut Words, rewriter: &mut Rewriter) {
    let rules = &*RULES;
    rewriter.text.clear();
    rewriter.text.push_str(sentence);
    let mut has = Triggers::of(sentence);

    // Starting quotes.
    if has.any(Triggers::BACKTICK | Triggers::NON_ASCII) {
        rewriter.pad(&rules.opening_quotes);
    }
    // `^\"` → ``` `` ```
    if rewriter.text.starts_with('"') {
        rewriter.text.replace_range(..1, "``");
        has.0 |= Triggers::BACKTICK;
    }
    if has.any(Triggers::BACKTICK) {
        rewriter.pad(&rules.double_backticks);
    }
    if has.any(Triggers::DOUBLE_QUOTE | Triggers::SINGLE_QUOTE) {
        rewriter.rewrite_after(
            &rules.quote_after_opener,
            |c| matches!(c, ' ' | '(' | '[' | '{' | '<'),
            |_, out| out.push_str(" `` "),
        );
    }
    if has.any(Triggers::SINGLE_QUOTE) {
        split_opening_single_quotes(rewriter);
    }

    // Punctuation.
    split_final_period(rewriter, is_final_closing, true);
    if has.any(Triggers::COLON_COMMA) {
        rewriter.rewrite(&rules.colon_comma, |found, out| {
            let (mark, next) = split_first_char(found);
            out.push(' ');
            out.push_str(mark);
            out.push(' ');
            out.push_str(next);
        });
        pad_final_colon_comma(&mut rewriter.text);
    }
    if has.any(Triggers::SYMBOL | Triggers::NON_ASCII) {
        rewriter.pad(&rules.symbols);
    }
    split_final_period(rewriter, is_final_closing_ascii, false);
    if has.any(Triggers::QUESTION_EXCLAMATION) {
        rewriter.pad(&rules.question_exclamation);
    }
    if has.any(Triggers::SINGLE_QUOTE) {
        rewriter.rewrite_after(
            &rules.quote_before_space,
            |c| c != '\'',
            |_, out| out.push_str(" ' "),
        );
    }
    if has.any(Triggers::BRACKET) {
        rewriter.pad(&rules.star_brackets);
    }
    if has.any(Triggers::HYPHEN) {
        rewriter.pad(&rules.double_dash);
    }

    // Ending quotes, on the text padded with a space at both ends.
    rewriter.text.insert(0, ' ');
    rewriter.text.push(' ');
    if has.any(Triggers::NON_ASCII) {
        rewriter.pad(&rules.closing_quotes);
    }
    if has.any(Triggers::DOUBLE_QUOTE | Triggers::SINGLE_QUOTE) {
        rewriter.rewrite(&rules.double_quotes, |_, out| out.push_str(" '' "));
    }
    // `\s+` → ` `. Only the clitic and contraction rules below look at whitespace, and for them
    // (and for the final split) a run of spaces acts like one space: the rewrite matters only when
    // other whitespace characters are present.
    if has.any(Triggers::OTHER_SPACE | Triggers::NON_ASCII) {
        rewriter.collapse_whitespace();
    }
    if has.any(Triggers::DOUBLE_QUOTE | Triggers::SINGLE_QUOTE) {
        let split_clitic = |found: &str, out: &mut String| {
            out.push(' ');
            out.push_str(found);
        };
        let not_quote_or_space = |c| c != '\'' && c != ' ';
        rewriter.rewrite_after(&rules.clitics_short, not_quote_or_space, split_clitic);
        rewriter.rewrite_after(&rules.clitics_long, not_quote_or_space, split_clitic);
    }

    // Contractions.
    let text = &rewriter.text;
    if rules.contraction_screen.is_match(text)
        || (has.any(Triggers::NON_ASCII) && (text.contains('\u{130}') || text.contains('\u{131}')))
    {
        for contraction in &CONTRACTIONS {
            contraction.split(rewriter);
        }
    }

    let text = &rewriter.text;
    if text.bytes().any(|byte| (0x1c..=0x1f).contains(&byte)) {
        pystr::split_whitespace(text).for_each(|token| words.push(token));
    } else {
        // Whitespace is collapsed to single spaces by now; U+001C..U+001F are the only other
        // characters Python's `split()` would split on.
        text.split(' ')
            .filter(|token| !token.is_empty())
            .for_each(|token| words.push(token));
    }
}

/// `(?i)(?<!\w)(\')(?!(?:re|ve|ll|m|t|s|d|n)\b)(?=\w)` → `\1 ` (regex module): a quote that
/// starts a word is split from it, unless the word is a clitic. Hand-written: lookbehind and
/// lookahead.
fn split_opening_single_quotes(rewriter: &mut Rewriter) {
    let text = &rewriter.text;
    let out = &mut rewriter.spare;
    let mut copied = 0;
    let mut matched = false;
    for (quote, _) in text.match_indices('\'') {
        let before = text.get(..quote).and_then(|head| head.chars().next_back());
        if before.is_some_and(pystr::is_regex_word) {
            continue;
        }
        let after = text.get(quote + 1..).unwrap_or("");
        if !after.chars().next().is_some_and(pystr::is_regex_word) || starts_with_clitic(after) {
            continue;
        }
        if !matched {
            out.clear();
            matched = true;
        }
        out.push_str(text.get(copied..=quote).unwrap_or(""));
        out.push(' ');
        copied = quote + 1;
    }
    if matched {
        out.push_str(text.get(copied..).unwrap_or(""));
        std::mem::swap(&mut rewriter.text, &mut rewriter.spare);
    }
}

/// `(?i)(?:re|ve|ll|m|t|s|d|n)\b` at the start of `text` (regex module folding: `ſ` is `s`).
fn starts_with_clitic(text: &str) -> bool {
    let fold = |c: char| {
        if c == '\u{17f}' {
            's'
        } else {
            c.to_ascii_lowercase()
        }
    };
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let second = match fold(first) {
        'r' | 'v' => Some('e'),
        'l' => Some('l'),
        'm' | 't' | 's' | 'd' | 'n' => None,
        _ => return false,
    };
    if let Some(expected) = second
        && chars.next().map(fold) != Some(expected)
    {
        return false;
    }
    !chars.next().is_some_and(pystr::is_regex_word)
}

/// `([:,])$` → ` \1 `, with Python's `$` (end of text, or before a final newline).
fn pad_final_colon_comma(text: &mut String) {
    let bytes = text.as_bytes();
    let at = match bytes {
        [.., b':' | b','] => bytes.len() - 1,
        [.., b':' | b',', b'\n'] => bytes.len() - 2,
        _ => return,
    };
    text.insert(at + 1, ' ');
    text.insert(at, ' ');
}

/// How a contraction pattern ends.
#[derive(Debug, Clone, Copy)]
enum ContractionEnd {
    /// `\b`
    WordBoundary,
    /// `(?=\s)`
    BeforeSpace,
}

/// One of NLTK's contraction patterns (stdlib `re`, case-insensitive), e.g.
/// `(?i)\b(can)(?#X)(not)\b` → ` \1 \2 `.
#[derive(Debug)]
struct Contraction {
    /// The pattern starts with a literal space instead of `\b` (`(?i) ('t)(?#X)(is)\b`).
    leading_space: bool,
    first: &'static str,
    second: &'static str,
    end: ContractionEnd,
}

const fn contraction(first: &'static str, second: &'static str) -> Contraction {
    Contraction {
        leading_space: false,
        first,
        second,
        end: ContractionEnd::WordBoundary,
    }
}

/// NLTK's `CONTRACTIONS2` then `CONTRACTIONS3`, in order.
const CONTRACTIONS: [Contraction; 10] = [
    contraction("can", "not"),
    contraction("d", "'ye"),
    contraction("gim", "me"),
    contraction("gon", "na"),
    contraction("got", "ta"),
    contraction("lem", "me"),
    contraction("more", "'n"),
    Contraction {
        leading_space: false,
        first: "wan",
        second: "na",
        end: ContractionEnd::BeforeSpace,
    },
    Contraction {
        leading_space: true,
        first: "'t",
        second: "is",
        end: ContractionEnd::WordBoundary,
    },
    Contraction {
        leading_space: true,
        first: "'t",
        second: "was",
        end: ContractionEnd::WordBoundary,
    },
];

impl Contraction {
    /// Rewrites every non-overlapping match, left to right.
    /// Hand-written: stdlib `re` folds `İ`/`ı` to `i`, which Rust's `regex` does not.
    fn split(&self, rewriter: &mut Rewriter) {
        let text = &rewriter.text;
        let out = &mut rewriter.spare;
        let mut copied = 0;
        let mut matched = false;
        let mut at = 0;
        while at < text.len() {
            if let Some((first, end)) = self.match_at(text, at) {
                if !matched {
                    out.clear();
                    matched = true;
                }
                let start = if self.leading_space { at + 1 } else { at };
                out.push_str(text.get(copied..at).unwrap_or(""));
                out.push(' ');
                out.push_str(text.get(start..first).unwrap_or(""));
                out.push(' ');
                out.push_str(text.get(first..end).unwrap_or(""));
                out.push(' ');
                copied = end;
                at = end;
            } else {
                at += text
                    .get(at..)
                    .and_then(|rest| rest.chars().next())
                    .map_or(1, char::len_utf8);
            }
        }
        if matched {
            out.push_str(text.get(copied..).unwrap_or(""));
            std::mem::swap(&mut rewriter.text, &mut rewriter.spare);
        }
    }

    /// A match starting at byte `at`: where the second group starts and where the match ends.
    fn match_at(&self, text: &str, at: usize) -> Option<(usize, usize)> {
        let mut position = at;
        if self.leading_space {
            if text.as_bytes().get(at) != Some(&b' ') {
                return None;
            }
            position += 1;
        } else if text
            .get(..at)
            .and_then(|head| head.chars().next_back())
            .is_some_and(pystr::is_re_word)
        {
            // `\b` before a pattern that starts with a letter.
            return None;
        }
        position = match_folded(text, position, self.first)?;
        let first_end = position;
        position = match_folded(text, position, self.second)?;
        let next = text.get(position..).and_then(|rest| rest.chars().next());
        let ends = match self.end {
            ContractionEnd::WordBoundary => !next.is_some_and(pystr::is_re_word),
            ContractionEnd::BeforeSpace => next.is_some_and(pystr::is_space),
        };
        ends.then_some((first_end, position))
    }
}

/// Matches the lower-case ASCII `pattern` at byte `at` case-insensitively as stdlib `re` does;
/// returns the end of the match.
fn match_folded(text: &str, at: usize, pattern: &str) -> Option<usize> {
    let mut chars = text.get(at..)?.chars();
    let mut position = at;
    for expected in pattern.chars() {
        let c = chars.next()?;
        let equal = c.to_ascii_lowercase() == expected
            || (expected == 's' && c == '\u{17f}')
            || (expected == 'i' && matches!(c, '\u{130}' | '\u{131}'));
        if !equal {
            return None;
        }
        position += c.len_utf8();
    }
    Some(position)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn treebank(sentence: &str) -> Vec<String> {
        let mut words = Words::new();
        treebank_tokenize_into(sentence, &mut words);
        words.iter().map(str::to_owned).collect()
    }

    #[test]
    fn words_buffer_slices() {
        let mut words = Words::new();
        for token in ["a", "bc", "d"] {
            words.push(token);
        }
        assert_eq!(words.len(), 3);
        assert_eq!(words.get(1), Some("bc"));
        assert_eq!(words.get(3), None);
        assert_eq!(words.joined(0..2), "a bc");
        assert_eq!(words.joined(1..3), "bc d");
        assert_eq!(words.joined(2..2), "");
        assert_eq!(words.joined(2..9), "");
        assert_eq!(words.iter().collect::<Vec<_>>(), ["a", "bc", "d"]);
        words.clear();
        assert!(words.is_empty());
    }

    // Expected outputs below are what NLTK 3.10's `NLTKWordTokenizer().tokenize` returns.

    #[test]
    fn contractions_and_clitics() {
        assert_eq!(
            treebank("I can't go, they're here and it's John's."),
            [
                "I", "ca", "n't", "go", ",", "they", "'re", "here", "and", "it", "'s", "John",
                "'s", "."
            ]
        );
        assert_eq!(
            treebank("I cannot, you wanna gimme that?"),
            [
                "I", "can", "not", ",", "you", "wan", "na", "gim", "me", "that", "?"
            ]
        );
        // NLTK 3.10 splits a word-initial quote first, so "'Tis" never reaches the 't+is rule.
        assert_eq!(
            treebank("'Tis rock 'n' roll"),
            ["'", "Tis", "rock", "'n", "'", "roll"]
        );
        assert_eq!(
            treebank("We'd DON'T you'LL"),
            ["We", "'d", "DO", "N'T", "you", "'LL"]
        );
    }

    #[test]
    fn quotes() {
        assert_eq!(
            treebank("\"Hello,\" she said."),
            ["``", "Hello", ",", "''", "she", "said", "."]
        );
        assert_eq!(
            treebank("He said \"yes\" and 'no'."),
            ["He", "said", "``", "yes", "''", "and", "'", "no", "'", "."]
        );
        assert_eq!(
            treebank("“Smart” ‘quotes’ «here»"),
            ["“", "Smart", "”", "‘", "quotes", "’", "«", "here", "»"]
        );
    }

    #[test]
    fn periods_numbers_and_symbols() {
        assert_eq!(
            treebank("The U.S. economy grew 3.5% to $1,000,000."),
            [
                "The",
                "U.S.",
                "economy",
                "grew",
                "3.5",
                "%",
                "to",
                "$",
                "1,000,000",
                "."
            ]
        );
        assert_eq!(
            treebank("Wait... what?! (No) [way] a--b"),
            [
                "Wait", "...", "what", "?", "!", "(", "No", ")", "[", "way", "]", "a", "--", "b"
            ]
        );
        assert_eq!(
            treebank("Item 1: apples, 3,4 and 5:6"),
            ["Item", "1", ":", "apples", ",", "3,4", "and", "5:6"]
        );
        assert_eq!(
            treebank("en\u{2013}dash and em\u{2014}dash"),
            ["en", "\u{2013}", "dash", "and", "em", "\u{2014}", "dash"]
        );
        assert_eq!(treebank("trailing comma,"), ["trailing", "comma", ","]);
        assert_eq!(treebank("He said.)"), ["He", "said", ".", ")"]);
    }

    #[test]
    fn word_tokenize_splits_sentences_first() {
        let Some(dir) = nya_metadata::fixtures::path("refine/punkt_tab_english") else {
            return;
        };
        let punkt = match PunktTokenizer::load(&dir) {
            Ok(punkt) => punkt,
            Err(error) => panic!("{error}"),
        };
        let tokenizer = WordTokenizer::new(punkt);
        // Each sentence's final period is split off; the period inside "3.88" is not.
        let words = tokenizer
            .tokenize("Good muffins cost $3.88 in New York. Please buy me two of them. Thanks.");
        assert_eq!(
            words.iter().collect::<Vec<_>>(),
            [
                "Good", "muffins", "cost", "$", "3.88", "in", "New", "York", ".", "Please", "buy",
                "me", "two", "of", "them", ".", "Thanks", "."
            ]
        );
        let doc = DocWords::new("Mr. Smith left. He's gone...", &tokenizer);
        assert_eq!(
            doc.words().iter().collect::<Vec<_>>(),
            ["Mr.", "Smith", "left", ".", "He", "'s", "gone", "..."]
        );
        // Expected outputs are NLTK 3.10's `word_tokenize` with the English punkt_tab model.
        let cases: [(&str, &[&str]); 5] = [
            (
                "He said, \"I can't go.\" Then he left... Didn't he?",
                &[
                    "He", "said", ",", "``", "I", "ca", "n't", "go", ".", "''", "Then", "he",
                    "left", "...", "Did", "n't", "he", "?",
                ],
            ),
            (
                "Prices rose 3.5% to $1,000,000 in the U.S. Mr. Smith disagreed.",
                &[
                    "Prices",
                    "rose",
                    "3.5",
                    "%",
                    "to",
                    "$",
                    "1,000,000",
                    "in",
                    "the",
                    "U.S.",
                    "Mr.",
                    "Smith",
                    "disagreed",
                    ".",
                ],
            ),
            (
                "Wait . . . what? 'Tis the season -- isn't it?",
                &[
                    "Wait", ".", ".", ".", "what", "?", "'", "Tis", "the", "season", "--", "is",
                    "n't", "it", "?",
                ],
            ),
            (
                // "p.m." ends a sentence (its period is split off), "a.m." does not.
                "He arrived at 5 p.m. He left at 6 a.m. the next day.",
                &[
                    "He", "arrived", "at", "5", "p.m", ".", "He", "left", "at", "6", "a.m.", "the",
                    "next", "day", ".",
                ],
            ),
            (
                "Jan. 5, 2020. In the '90s.",
                &["Jan.", "5", ",", "2020", ".", "In", "the", "'", "90s", "."],
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                tokenizer.tokenize(text).iter().collect::<Vec<_>>(),
                expected,
                "{text}"
            );
        }
    }
}
