//! Punkt sentence tokenizer (Kiss & Strunk 2006) with trained parameters, as NLTK 3.10 runs it.
//!
//! datatrove 0.2.0 splits sentences with `nltk.sent_tokenize(text, "english")`, i.e. NLTK's
//! `PunktTokenizer` loaded from the `punkt_tab/english` parameter files:
//!
//! - `abbrev_types.txt`, `sent_starters.txt`: one word type per line;
//! - `collocations.tab`: `first<TAB>second` per line (a known "word. Word" pair, no break);
//! - `ortho_context.tab`: `type<TAB>flags` per line, flags an integer of `ORTHO_*` bits
//!   (the cases a type was seen in at sentence start, inside and in unknown position).
//!
//! Tokenizing follows NLTK's `span_tokenize`: every `.`, `?` or `!` followed by closing
//! punctuation or by whitespace and a token is a candidate; the word before it, the mark and what
//! follows form a context; Punkt's word splitter, the first-pass annotation (sentence-end marks,
//! ellipses, known abbreviations) and the second pass (collocations, the orthographic heuristic,
//! frequent sentence starters, initials and numbers) decide whether the context holds a break;
//! finally closing quotes and brackets after a break are moved onto the sentence they close.
//! NLTK 3.10 compiles its patterns with the `regex` module, whose `\s`/`\w` are the Unicode
//! classes Rust uses; Python string methods (`strip`, `rstrip`) use `str.isspace()` ([`pystr`]).
//! Spans are byte ranges of the input.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use ahash::{AHashMap, AHashSet};
use regex::Regex;

use super::pystr;

/// Seen with an upper-case first letter at the start of a sentence.
pub const ORTHO_BEG_UC: u32 = 1 << 1;
/// Seen with an upper-case first letter inside a sentence.
pub const ORTHO_MID_UC: u32 = 1 << 2;
/// Seen with an upper-case first letter in unknown position.
pub const ORTHO_UNK_UC: u32 = 1 << 3;
/// Seen with a lower-case first letter at the start of a sentence.
pub const ORTHO_BEG_LC: u32 = 1 << 4;
/// Seen with a lower-case first letter inside a sentence.
pub const ORTHO_MID_LC: u32 = 1 << 5;
/// Seen with a lower-case first letter in unknown position.
pub const ORTHO_UNK_LC: u32 = 1 << 6;
const ORTHO_UC: u32 = ORTHO_BEG_UC | ORTHO_MID_UC | ORTHO_UNK_UC;
const ORTHO_LC: u32 = ORTHO_BEG_LC | ORTHO_MID_LC | ORTHO_UNK_LC;

/// The four parameter files of a `punkt_tab` language directory.
pub const ABBREV_TYPES_FILE: &str = "abbrev_types.txt";
/// See [`ABBREV_TYPES_FILE`].
pub const COLLOCATIONS_FILE: &str = "collocations.tab";
/// See [`ABBREV_TYPES_FILE`].
pub const SENT_STARTERS_FILE: &str = "sent_starters.txt";
/// See [`ABBREV_TYPES_FILE`].
pub const ORTHO_CONTEXT_FILE: &str = "ortho_context.tab";

/// A Punkt parameter directory that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PunktLoadError {
    /// A file is missing or unreadable (or not UTF-8).
    #[error("cannot read Punkt parameter file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A line of a `.tab` file is malformed.
    #[error("{}:{line}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
}

/// Trained Punkt parameters (what NLTK's `PunktParameters` holds).
#[derive(Debug, Clone, Default)]
pub struct PunktParameters {
    abbrev_types: AHashSet<String>,
    /// First type → the second types it forms a known collocation with.
    collocations: AHashMap<String, AHashSet<String>>,
    sent_starters: AHashSet<String>,
    ortho_context: AHashMap<String, u32>,
}

impl PunktParameters {
    /// Loads a `punkt_tab` language directory (e.g. `punkt_tab/english`).
    pub fn load(dir: &Path) -> Result<Self, PunktLoadError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path)
                .map(|text| (path.clone(), text))
                .map_err(|source| PunktLoadError::Read { path, source })
        };
        let (_, abbrev) = read(ABBREV_TYPES_FILE)?;
        let (colloc_path, colloc) = read(COLLOCATIONS_FILE)?;
        let (_, starters) = read(SENT_STARTERS_FILE)?;
        let (ortho_path, ortho) = read(ORTHO_CONTEXT_FILE)?;
        Ok(Self {
            abbrev_types: parse_set(&abbrev),
            collocations: parse_collocations(&colloc_path, &colloc)?,
            sent_starters: parse_set(&starters),
            ortho_context: parse_ortho_context(&ortho_path, &ortho)?,
        })
    }

    /// Parses the four files' contents (as [`load`](Self::load) does); errors name the file as
    /// its standard file name.
    pub fn from_texts(
        abbrev_types: &str,
        collocations: &str,
        sent_starters: &str,
        ortho_context: &str,
    ) -> Result<Self, PunktLoadError> {
        Ok(Self {
            abbrev_types: parse_set(abbrev_types),
            collocations: parse_collocations(Path::new(COLLOCATIONS_FILE), collocations)?,
            sent_starters: parse_set(sent_starters),
            ortho_context: parse_ortho_context(Path::new(ORTHO_CONTEXT_FILE), ortho_context)?,
        })
    }

    /// Whether `word_type` (lower case, no final period) is a known abbreviation.
    pub fn is_abbreviation(&self, word_type: &str) -> bool {
        self.abbrev_types.contains(word_type)
    }

    /// Whether `first second` is a known collocation.
    pub fn is_collocation(&self, first: &str, second: &str) -> bool {
        self.collocations
            .get(first)
            .is_some_and(|seconds| seconds.contains(second))
    }

    /// Whether `word_type` is a frequent sentence starter.
    pub fn is_sent_starter(&self, word_type: &str) -> bool {
        self.sent_starters.contains(word_type)
    }

    /// The orthographic context flags of `word_type` (0 when unseen).
    pub fn ortho_context(&self, word_type: &str) -> u32 {
        self.ortho_context.get(word_type).copied().unwrap_or(0)
    }
}

/// The lines of a parameter file as Python's text mode reads them (universal newlines, no
/// trailing empty line after the final terminator).
fn file_lines(text: &str) -> impl Iterator<Item = &str> {
    let body = (!text.is_empty()).then(|| {
        text.strip_suffix("\r\n")
            .or_else(|| text.strip_suffix('\n'))
            .or_else(|| text.strip_suffix('\r'))
            .unwrap_or(text)
    });
    body.into_iter()
        .flat_map(|body| body.split('\n'))
        .flat_map(|line| line.strip_suffix('\r').unwrap_or(line).split('\r'))
}

/// A `.txt` parameter file: every line is one entry (as NLTK reads it, blank lines included).
fn parse_set(text: &str) -> AHashSet<String> {
    file_lines(text).map(str::to_owned).collect()
}

/// Splits a `.tab` line into exactly two fields.
fn two_fields<'a>(
    path: &Path,
    number: usize,
    line: &'a str,
) -> Result<(&'a str, &'a str), PunktLoadError> {
    let mut fields = line.split('\t');
    match (fields.next(), fields.next(), fields.next()) {
        (Some(first), Some(second), None) => Ok((first, second)),
        _ => Err(PunktLoadError::Parse {
            path: path.to_path_buf(),
            line: number,
            message: format!(
                "expected two tab-separated fields, found {}: {line:?}",
                line.split('\t').count()
            ),
        }),
    }
}

fn parse_collocations(
    path: &Path,
    text: &str,
) -> Result<AHashMap<String, AHashSet<String>>, PunktLoadError> {
    let mut collocations: AHashMap<String, AHashSet<String>> = AHashMap::new();
    for (index, line) in file_lines(text).enumerate() {
        let (first, second) = two_fields(path, index + 1, line)?;
        collocations
            .entry(first.to_owned())
            .or_default()
            .insert(second.to_owned());
    }
    Ok(collocations)
}

fn parse_ortho_context(path: &Path, text: &str) -> Result<AHashMap<String, u32>, PunktLoadError> {
    let mut context = AHashMap::new();
    for (index, line) in file_lines(text).enumerate() {
        let (word_type, flags) = two_fields(path, index + 1, line)?;
        let flags = flags
            .trim()
            .parse::<u32>()
            .map_err(|error| PunktLoadError::Parse {
                path: path.to_path_buf(),
                line: index + 1,
                message: format!(
                    "orthographic flags {flags:?} are not a non-negative integer: {error}"
                ),
            })?;
        context.insert(word_type.to_owned(), flags);
    }
    Ok(context)
}

/// NLTK's `PunktTokenizer`: sentence spans of a text.
#[derive(Debug, Clone)]
pub struct PunktTokenizer {
    params: PunktParameters,
}

/// A candidate sentence end: the `.`/`?`/`!` at `mark`, and what follows it.
#[derive(Debug, Clone, Copy)]
struct EndCandidate {
    /// Byte offset of the mark.
    mark: usize,
    /// Where the following token starts, when the mark is followed by whitespace and a token.
    next_token: Option<usize>,
    /// End of the context (the closing character, or the following token).
    context_end: usize,
}

impl EndCandidate {
    /// One past the mark (the mark is ASCII).
    fn end(&self) -> usize {
        self.mark + 1
    }
}

impl PunktTokenizer {
    /// A tokenizer with these parameters.
    pub fn new(params: PunktParameters) -> Self {
        Self { params }
    }

    /// Loads the parameters from a `punkt_tab` language directory.
    pub fn load(dir: &Path) -> Result<Self, PunktLoadError> {
        PunktParameters::load(dir).map(Self::new)
    }

    /// The parameters.
    pub fn params(&self) -> &PunktParameters {
        &self.params
    }

    /// The sentences of `text` as byte ranges (NLTK's `span_tokenize` with realigned boundaries).
    pub fn span_tokenize(&self, text: &str) -> Vec<Range<usize>> {
        let mut spans = Vec::new();
        self.span_tokenize_into(text, &mut spans);
        spans
    }

    /// [`span_tokenize`](Self::span_tokenize) into a reused vector (cleared first).
    pub fn span_tokenize_into(&self, text: &str, spans: &mut Vec<Range<usize>>) {
        spans.clear();
        let slices = self.raw_slices(text);
        realign_boundaries(text, &slices, spans);
    }

    /// The sentences of `text` (NLTK's `sent_tokenize`).
    pub fn sentences<'t>(&self, text: &'t str) -> Vec<&'t str> {
        self.span_tokenize(text)
            .into_iter()
            .filter_map(|span| text.get(span))
            .collect()
    }

    /// `len(sent_tokenize(text))`.
    pub fn count_sentences(&self, text: &str) -> usize {
        let slices = self.raw_slices(text);
        let mut spans = Vec::with_capacity(slices.len());
        realign_boundaries(text, &slices, &mut spans);
        spans.len()
    }

    /// NLTK's `_slices_from_text`: break after every candidate whose context holds a break.
    fn raw_slices(&self, text: &str) -> Vec<Range<usize>> {
        let mut slices = Vec::new();
        let mut last_break = 0;
        let mut tokens = Vec::new();
        let mut judge = |candidate: &EndCandidate, context_start: usize| {
            let context = text.get(context_start..candidate.context_end).unwrap_or("");
            if self.text_contains_sentbreak(context, &mut tokens) {
                slices.push(last_break..candidate.end());
                last_break = candidate.next_token.unwrap_or(candidate.end());
            }
        };
        // NLTK's `_match_potential_end_contexts`: the context of a candidate starts after the last
        // ASCII whitespace between the previous candidate and this one; when there is none (or it
        // is the very first character of that stretch) it starts where the previous context did,
        // and the previous candidate is then dropped in favour of this one ("acting!!! I").
        let mut previous: Option<(EndCandidate, Range<usize>)> = None;
        let mut previous_word = 0..0;
        for mark in memchr::memchr3_iter(b'.', b'?', b'!', text.as_bytes()) {
            let Some(candidate) = end_candidate(text, mark) else {
                continue;
            };
            let before = text.as_bytes().get(previous_word.end..mark).unwrap_or(&[]);
            let last_space = before
                .iter()
                .rposition(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
                .unwrap_or(0);
            let word_start = if last_space != 0 {
                previous_word.end + last_space + 1
            } else {
                previous_word.start
            };
            if let Some((previous_candidate, word)) = previous.take()
                && word.end <= word_start
            {
                judge(&previous_candidate, word.start);
            }
            previous_word = word_start..mark;
            previous = Some((candidate, previous_word.clone()));
        }
        if let Some((candidate, word)) = previous {
            judge(&candidate, word.start);
        }
        slices.push(last_break..pystr::rstrip(text).len());
        slices
    }

    /// NLTK's `text_contains_sentbreak`: whether a token other than the last one of `context`
    /// ends a sentence after both annotation passes.
    /// `tokens` is scratch space reused across contexts.
    fn text_contains_sentbreak<'t>(&self, context: &'t str, tokens: &mut Vec<Token<'t>>) -> bool {
        tokens.clear();
        for line in context.split('\n') {
            if !pystr::strip(line).is_empty() {
                punkt_words(line, |word| tokens.push(Token::new(word)));
            }
        }
        // The second pass only looks at the types of a period-final token and of the token after
        // it, so only those are computed.
        let mut after_period = false;
        for token in tokens.iter_mut() {
            if token.period_final || after_period {
                token.compute_type();
            }
            after_period = token.period_final;
            self.first_pass(token);
        }
        let mut rest = tokens.as_mut_slice();
        while let [first, second, ..] = rest {
            self.second_pass(first, second);
            rest = &mut rest[1..];
        }
        tokens
            .split_last()
            .is_some_and(|(_, before_last)| before_last.iter().any(|token| token.sentbreak))
    }

    /// Type-based annotation: sentence-end marks, ellipses, abbreviations, other period-final
    /// words.
    fn first_pass(&self, token: &mut Token<'_>) {
        let text = token.text;
        if matches!(text, "." | "?" | "!") {
            token.sentbreak = true;
        } else if is_ellipsis(text) {
            token.ellipsis = true;
        } else if token.period_final && !text.ends_with("..") {
            let stem = lowercase(text.strip_suffix('.').unwrap_or(text));
            let last_part = stem.rsplit('-').next().unwrap_or(&stem);
            if self.params.is_abbreviation(&stem) || self.params.is_abbreviation(last_part) {
                token.abbr = true;
            } else {
                token.sentbreak = true;
            }
        }
    }

    /// Token-based annotation of `first` given the `second` that follows it (NLTK's
    /// `_second_pass_annotation`).
    fn second_pass(&self, first: &mut Token<'_>, second: &Token<'_>) {
        if !first.period_final {
            return;
        }
        let word_type = first.type_no_period();
        let next_type = second.type_no_sentperiod();
        let is_initial = is_initial(first.text);

        if self.params.is_collocation(word_type, next_type) {
            first.sentbreak = false;
            first.abbr = true;
            return;
        }
        if (first.abbr || first.ellipsis) && !is_initial {
            if self.ortho_heuristic(second) == Ortho::SentenceStart {
                first.sentbreak = true;
                return;
            }
            if second.first_upper() && self.params.is_sent_starter(next_type) {
                first.sentbreak = true;
                return;
            }
        }
        if is_initial || word_type == NUMBER_TYPE {
            let ortho = self.ortho_heuristic(second);
            if ortho == Ortho::NotStart {
                first.sentbreak = false;
                first.abbr = true;
                return;
            }
            if ortho == Ortho::Unknown
                && is_initial
                && second.first_upper()
                && self.params.ortho_context(next_type) & ORTHO_LC == 0
            {
                first.sentbreak = false;
                first.abbr = true;
            }
        }
    }

    /// Whether `token` looks like the first word of a sentence, from the cases its type was seen
    /// in during training.
    fn ortho_heuristic(&self, token: &Token<'_>) -> Ortho {
        if matches!(token.text, ";" | ":" | "," | "." | "!" | "?") {
            return Ortho::NotStart;
        }
        let context = self.params.ortho_context(token.type_no_sentperiod());
        if token.first_upper() && context & ORTHO_LC != 0 && context & ORTHO_MID_UC == 0 {
            return Ortho::SentenceStart;
        }
        if token.first_lower() && (context & ORTHO_UC != 0 || context & ORTHO_BEG_LC == 0) {
            return Ortho::NotStart;
        }
        Ortho::Unknown
    }
}

/// The orthographic heuristic's verdict (NLTK's `True` / `False` / `"unknown"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ortho {
    SentenceStart,
    NotStart,
    Unknown,
}

/// The type NLTK gives every numeric token.
const NUMBER_TYPE: &str = "##number##";

/// A word of a context with its annotations (NLTK's `PunktToken`).
#[derive(Debug)]
struct Token<'a> {
    text: &'a str,
    /// Lower-cased text, or `##number##` for numbers (computed only where needed).
    word_type: String,
    period_final: bool,
    sentbreak: bool,
    abbr: bool,
    ellipsis: bool,
}

impl<'a> Token<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            word_type: String::new(),
            period_final: text.ends_with('.'),
            sentbreak: false,
            abbr: false,
            ellipsis: false,
        }
    }

    /// Sets the type: the lower-cased text, or `##number##` when that looks like a number.
    fn compute_type(&mut self) {
        static NUMERIC: LazyLock<Regex> =
            LazyLock::new(|| pystr::compile(r"\A-?[.,]?\d[\d,.\-]*\.?\z"));
        let lower = lowercase(self.text);
        self.word_type = if NUMERIC.is_match(&lower) {
            NUMBER_TYPE.to_owned()
        } else {
            lower
        };
    }

    /// The type without its final period (kept when the type is just ".").
    fn type_no_period(&self) -> &str {
        let word_type = self.word_type.as_str();
        match word_type.strip_suffix('.') {
            Some(stem) if !stem.is_empty() => stem,
            _ => word_type,
        }
    }

    /// The type without a final period that is marked as a sentence break.
    fn type_no_sentperiod(&self) -> &str {
        if self.sentbreak {
            self.type_no_period()
        } else {
            &self.word_type
        }
    }

    fn first_upper(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }

    fn first_lower(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_lowercase)
    }
}

/// Python `str.lower()`, with an allocation-light path for ASCII.
fn lowercase(text: &str) -> String {
    if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        text.to_lowercase()
    }
}

/// `\.\.+$`: two or more periods and nothing else.
fn is_ellipsis(text: &str) -> bool {
    text.len() >= 2 && text.bytes().all(|b| b == b'.')
}

/// `[^\W\d]\.$` (regex module): one word character that is not a decimal digit, then a period.
fn is_initial(text: &str) -> bool {
    static INITIAL: LazyLock<Regex> = LazyLock::new(|| pystr::compile(r"\A[^\W\d]\.\z"));
    text.len() <= 5 && text.ends_with('.') && INITIAL.is_match(text)
}

/// NLTK's period-context pattern at one `.`/`?`/`!`: the mark must be followed by a character
/// that cannot be inside a word, or by whitespace and a token. Hand-written because Rust's
/// `regex` has no lookahead (the pattern matches the mark alone and looks ahead for the rest).
fn end_candidate(text: &str, mark: usize) -> Option<EndCandidate> {
    let after = text.get(mark + 1..)?;
    let next = after.chars().next()?;
    if is_non_word(next) {
        return Some(EndCandidate {
            mark,
            next_token: None,
            context_end: mark + 1 + next.len_utf8(),
        });
    }
    if !next.is_whitespace() {
        return None;
    }
    let token_start = after.find(|c: char| !c.is_whitespace())?;
    let token = after.get(token_start..).unwrap_or("");
    let token_len = token.find(char::is_whitespace).unwrap_or(token.len());
    Some(EndCandidate {
        mark,
        next_token: Some(mark + 1 + token_start),
        context_end: mark + 1 + token_start + token_len,
    })
}

/// Characters that cannot appear within words (NLTK's `_re_non_word_chars` for English).
fn is_non_word(c: char) -> bool {
    matches!(
        c,
        ')' | '"'
            | ';'
            | '}'
            | ']'
            | '*'
            | ':'
            | '@'
            | '\''
            | '('
            | '{'
            | '['
            | '?'
            | '!'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{201c}'
            | '\u{201d}'
            | '\u{ab}'
            | '\u{bb}'
    )
}

/// Characters that may start a word token (NLTK's `_re_word_start` excludes these).
fn is_word_start(c: char) -> bool {
    !matches!(
        c,
        '(' | '"'
            | '`'
            | '{'
            | '['
            | ':'
            | ';'
            | '&'
            | '#'
            | '*'
            | '@'
            | ')'
            | '}'
            | ']'
            | '-'
            | ','
    )
}

/// Length of the multi-character punctuation at `at` (`--+`, `..+`, or `. . .` with single
/// whitespace characters between the periods), if any.
fn multi_char_len(line: &str, at: usize) -> Option<usize> {
    let bytes = line.as_bytes();
    let run = |byte: u8| {
        bytes
            .get(at..)
            .map_or(0, |rest| rest.iter().take_while(|&&b| b == byte).count())
    };
    match (bytes.get(at), bytes.get(at + 1)) {
        (Some(b'-'), Some(b'-')) => Some(run(b'-')),
        (Some(b'.'), Some(b'.')) => Some(run(b'.')),
        (Some(b'.'), _) => spaced_ellipsis_len(line, at),
        _ => None,
    }
}

/// `(?:\.\s){2,}\.` at `at`: as many "period, whitespace" pairs as possible, then a period; when
/// the pairs are not followed by one, the last pair's period ends the match (one step of
/// backtracking), provided two pairs remain.
fn spaced_ellipsis_len(line: &str, at: usize) -> Option<usize> {
    let mut position = at;
    let mut pairs = 0;
    let mut last_pair = at;
    while line.as_bytes().get(position) == Some(&b'.') {
        match line
            .get(position + 1..)
            .and_then(|rest| rest.chars().next())
        {
            Some(space) if space.is_whitespace() => {
                last_pair = position;
                position += 1 + space.len_utf8();
                pairs += 1;
            }
            _ => break,
        }
    }
    if pairs >= 2 && line.as_bytes().get(position) == Some(&b'.') {
        Some(position + 1 - at)
    } else if pairs >= 3 {
        Some(last_pair + 1 - at)
    } else {
        None
    }
}

/// Whether a word token that started earlier ends at `at` (the lookahead of NLTK's word
/// pattern): end of line, whitespace, a non-word character, multi-character punctuation, or a
/// comma that is itself followed by one of those.
fn word_ends_at(line: &str, at: usize) -> bool {
    let Some(c) = line.get(at..).and_then(|rest| rest.chars().next()) else {
        return true;
    };
    if c.is_whitespace() || is_non_word(c) || multi_char_len(line, at).is_some() {
        return true;
    }
    if c == ',' {
        let after = at + 1;
        return match line.get(after..).and_then(|rest| rest.chars().next()) {
            None => true,
            Some(next) => {
                next.is_whitespace() || is_non_word(next) || multi_char_len(line, after).is_some()
            }
        };
    }
    false
}

/// Punkt's word splitter for one line (NLTK's `PunktLanguageVars.word_tokenize`): periods stay
/// on their word, other punctuation is split off. Hand-written scanner because the pattern relies
/// on lookahead, which Rust's `regex` lacks.
fn punkt_words<'a>(line: &'a str, mut emit: impl FnMut(&'a str)) {
    let mut at = 0;
    while let Some(c) = line.get(at..).and_then(|rest| rest.chars().next()) {
        if c.is_whitespace() {
            at += c.len_utf8();
            continue;
        }
        let end = if let Some(len) = multi_char_len(line, at) {
            at + len
        } else if is_word_start(c) {
            let mut end = at + c.len_utf8();
            while !word_ends_at(line, end) {
                end += line
                    .get(end..)
                    .and_then(|rest| rest.chars().next())
                    .map_or(1, char::len_utf8);
            }
            end
        } else {
            at + c.len_utf8()
        };
        emit(line.get(at..end).unwrap_or(""));
        at = end;
    }
}

/// Closing punctuation that belongs to the sentence before a break (NLTK 3.10's
/// `re_boundary_realignment` class, curly quotes and guillemets included).
fn is_closing(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | ')'
            | ']'
            | '}'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{201c}'
            | '\u{201d}'
            | '\u{ab}'
            | '\u{bb}'
    )
}

/// `["')\]}‘’“”«»]+?(?:\s+|(?=--)|$)` (multi-line) at the start of `sentence`: the closing run and
/// the whole match length, in bytes.
fn boundary_realignment(sentence: &str) -> Option<(usize, usize)> {
    let closers = sentence
        .char_indices()
        .find(|&(_, c)| !is_closing(c))
        .map_or(sentence.len(), |(index, _)| index);
    if closers == 0 {
        return None;
    }
    let rest = sentence.get(closers..).unwrap_or("");
    match rest.chars().next() {
        None => Some((closers, closers)),
        Some(c) if c.is_whitespace() => {
            let spaces = rest
                .find(|c: char| !c.is_whitespace())
                .unwrap_or(rest.len());
            Some((closers, closers + spaces))
        }
        Some(_) if rest.starts_with("--") => Some((closers, closers)),
        Some(_) => None,
    }
}

/// NLTK's `_realign_boundaries`: moves closing punctuation that starts a slice onto the slice
/// before it; drops empty slices.
fn realign_boundaries(text: &str, slices: &[Range<usize>], spans: &mut Vec<Range<usize>>) {
    let mut realign = 0;
    for (index, slice) in slices.iter().enumerate() {
        let first = slice.start + realign..slice.end;
        let Some(next) = slices.get(index + 1) else {
            if first.start < first.end {
                spans.push(first);
            }
            continue;
        };
        let next_text = text.get(next.clone()).unwrap_or("");
        if let Some((closers, matched)) = boundary_realignment(next_text) {
            spans.push(first.start..next.start + closers);
            realign = matched;
        } else {
            realign = 0;
            if first.start < first.end {
                spans.push(first);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small hand-made model: enough to exercise every rule without the fixture.
    fn tiny() -> PunktTokenizer {
        let params = PunktParameters::from_texts(
            "mr\ndr\nu.s\ne.g\nno\n",
            "##number##\tpercent\nj\tbach\n",
            "but\nthe\n",
            "the\t114\nbut\t2\nthen\t98\nsmith\t4\nhe\t2\nthey\t126\nsaid\t32\n",
        );
        match params {
            Ok(params) => PunktTokenizer::new(params),
            Err(error) => panic!("tiny model: {error}"),
        }
    }

    #[test]
    fn splits_plain_sentences_and_keeps_abbreviations() {
        let punkt = tiny();
        assert_eq!(
            punkt.sentences("Mr. Smith came. He left! Did he? Yes."),
            ["Mr. Smith came.", "He left!", "Did he?", "Yes."]
        );
        // After an abbreviation, a word seen lower case mid-sentence but never upper case there
        // starts a sentence; a word only ever seen capitalised mid-sentence does not.
        assert_eq!(
            punkt.sentences("It was in the U.S. Then it moved."),
            ["It was in the U.S.", "Then it moved."]
        );
        assert_eq!(
            punkt.sentences("It was in the U.S. Smith moved."),
            ["It was in the U.S. Smith moved."]
        );
        assert_eq!(punkt.count_sentences(""), 0);
        assert_eq!(punkt.count_sentences("   "), 0);
        assert_eq!(punkt.sentences("no end mark"), ["no end mark"]);
    }

    #[test]
    fn realigns_closing_quotes_and_brackets() {
        let punkt = tiny();
        assert_eq!(
            punkt.sentences("He said \"stop.\" They did. (It rained.) Then sun."),
            [
                "He said \"stop.\"",
                "They did.",
                "(It rained.)",
                "Then sun."
            ]
        );
        assert_eq!(punkt.sentences("“Go.” They went."), ["“Go.”", "They went."]);
    }

    #[test]
    fn orthographic_heuristic_and_initials() {
        let punkt = tiny();
        // "said" is only seen lower case: after an initial it continues the sentence.
        assert_eq!(
            punkt.sentences("J. said nothing. K. Smith came."),
            ["J. said nothing.", "K. Smith came."]
        );
        // A number before a lower-case word is not a break; collocation "##number## percent".
        assert_eq!(
            punkt.sentences("It rose 5. percent. Then fell."),
            ["It rose 5. percent.", "Then fell."]
        );
        // Repeated marks: the context is the whole run.
        assert_eq!(
            punkt.sentences("Very bad acting!!! They left."),
            ["Very bad acting!!!", "They left."]
        );
    }

    #[test]
    fn punkt_word_splitter() {
        let mut words = Vec::new();
        punkt_words("Hello, world... (a) b-c -- d.e. f. . . g,h \"x\"", |word| {
            words.push(word)
        });
        assert_eq!(
            words,
            [
                "Hello", ",", "world", "...", "(", "a", ")", "b-c", "--", "d.e.", "f", ". . .",
                "g,h", "\"", "x", "\""
            ]
        );
        assert_eq!(spaced_ellipsis_len(". . . . x", 0), Some(7));
        assert_eq!(spaced_ellipsis_len(". . x", 0), None);
        assert_eq!(spaced_ellipsis_len(". . . x", 0), Some(5));
    }

    #[test]
    fn malformed_files_are_reported_with_file_and_line() {
        let bad_flags = PunktParameters::from_texts("", "", "", "the\t2\nfoo\tbar\n");
        let message = bad_flags.map(|_| ()).unwrap_err().to_string();
        assert!(message.starts_with("ortho_context.tab:2: "), "{message}");
        let bad_colloc = PunktParameters::from_texts("", "a\tb\tc\n", "", "");
        let message = bad_colloc.map(|_| ()).unwrap_err().to_string();
        assert!(
            message.starts_with("collocations.tab:1: expected two"),
            "{message}"
        );
        let missing = PunktParameters::load(Path::new("/nonexistent/punkt"));
        let message = missing.map(|_| ()).unwrap_err().to_string();
        assert!(message.contains("abbrev_types.txt"), "{message}");
    }

    #[test]
    fn loads_the_english_fixture() {
        let Some(dir) = nya_metadata::fixtures::path("refine/punkt_tab_english") else {
            return;
        };
        let punkt = match PunktTokenizer::load(&dir) {
            Ok(punkt) => punkt,
            Err(error) => panic!("{error}"),
        };
        assert!(punkt.params().is_abbreviation("u.s"));
        assert!(punkt.params().is_collocation("##number##", "abreast"));
        assert!(punkt.params().is_sent_starter("however"));
        assert_eq!(punkt.params().ortho_context("a"), 126);
        assert_eq!(
            punkt.sentences("The U.S. economy grew 3.5% in 2023. Mr. Smith disagreed."),
            [
                "The U.S. economy grew 3.5% in 2023.",
                "Mr. Smith disagreed."
            ]
        );
        // Expected outputs are NLTK 3.10's `sent_tokenize`.
        assert_eq!(
            punkt.sentences("He said, \"I can't go.\" Then he left... Didn't he?"),
            ["He said, \"I can't go.\"", "Then he left...", "Didn't he?"]
        );
        assert_eq!(
            punkt.sentences("He arrived at 5 p.m. He left at 6 a.m. the next day."),
            ["He arrived at 5 p.m.", "He left at 6 a.m. the next day."]
        );
        // Spaced periods are single-character tokens, each a sentence end.
        assert_eq!(
            punkt.sentences("Wait . . . what? 'Tis the season."),
            ["Wait .", ".", ".", "what?", "'Tis the season."]
        );
    }
}
