//! Python string semantics the datatrove filters depend on.
//!
//! datatrove and NLTK are Python: `len()` counts code points, `str.strip()`/`str.split()` treat
//! `str.isspace()` characters as whitespace (Unicode White_Space plus U+001C..U+001F),
//! `str.splitlines()` breaks on ten separators, stdlib `re` has its own `\w`, and NLTK 3.10 routes
//! its patterns through the third-party `regex` module, whose `\w`/`\s` are the Unicode ones that
//! Rust's `regex` crate uses. A port that mixes these up changes word and line counts on real web
//! text, so every filter takes its string primitives from here.

use std::sync::LazyLock;

use regex::Regex;

/// Python `str.isspace()` for one character: Unicode White_Space plus the ASCII information
/// separators U+001C..U+001F (which Python counts as whitespace and Rust does not).
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python `s.strip()`.
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// Python `s.lstrip()`.
pub fn lstrip(s: &str) -> &str {
    s.trim_start_matches(is_space)
}

/// Python `s.rstrip()`.
pub fn rstrip(s: &str) -> &str {
    s.trim_end_matches(is_space)
}

/// Python `s.split()`: runs of `str.isspace()` characters separate words; no empty words.
pub fn split_whitespace(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_space).filter(|word| !word.is_empty())
}

/// Python `len(s)`: the number of code points.
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Python `s.splitlines()`: lines without their terminators, no trailing empty line after a
/// final terminator, nothing for an empty string. Terminators: `\n`, `\r`, `\r\n`, `\x0b`, `\x0c`,
/// `\x1c`, `\x1d`, `\x1e`, `\x85`, `\u2028`, `\u2029`.
pub fn splitlines(s: &str) -> SplitLines<'_> {
    SplitLines { rest: s }
}

/// Bytes that are, or may start, a `splitlines()` terminator.
static MAY_END_LINE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = matches!(byte, 0x0a..=0x0d | 0x1c..=0x1e | 0xc2 | 0xe2);
        byte += 1;
    }
    table
};

/// Iterator of [`splitlines`].
#[derive(Debug, Clone)]
pub struct SplitLines<'a> {
    rest: &'a str,
}

impl<'a> Iterator for SplitLines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        let bytes = self.rest.as_bytes();
        // Byte scan: the ASCII terminators are single bytes, the others have fixed UTF-8 forms
        // (C2 85, E2 80 A8, E2 80 A9), and a valid UTF-8 string never has these bytes elsewhere.
        let mut from = 0;
        while let Some(offset) = bytes
            .get(from..)
            .and_then(|tail| tail.iter().position(|&b| MAY_END_LINE[usize::from(b)]))
        {
            let i = from + offset;
            let terminator_len = match (bytes.get(i), bytes.get(i + 1), bytes.get(i + 2)) {
                (Some(b'\r'), Some(b'\n'), _) => 2,
                (Some(0xc2), Some(0x85), _) => 2,
                (Some(0xe2), Some(0x80), Some(0xa8 | 0xa9)) => 3,
                (Some(0xc2 | 0xe2), _, _) => 0,
                _ => 1,
            };
            if terminator_len > 0 {
                let line = self.rest.get(..i).unwrap_or("");
                self.rest = self.rest.get(i + terminator_len..).unwrap_or("");
                return Some(line);
            }
            from = i + 1;
        }
        let line = self.rest;
        self.rest = "";
        Some(line)
    }
}

/// Python stdlib `re`'s `\w` for one character: letters, numbers (any `N*` category) and `_`.
pub fn is_re_word(c: char) -> bool {
    static WORD: LazyLock<Regex> = LazyLock::new(|| compile(r"[\p{L}\p{N}_]"));
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    WORD.is_match(c.encode_utf8(&mut [0; 4]))
}

/// The `regex` module's (and Rust `regex`'s) `\w` for one character: Unicode "word" characters
/// (alphabetic, marks, decimal digits, connector punctuation, join controls).
pub fn is_regex_word(c: char) -> bool {
    static WORD: LazyLock<Regex> = LazyLock::new(|| compile(r"\w"));
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    WORD.is_match(c.encode_utf8(&mut [0; 4]))
}

/// Python `any(c.isalpha() for c in s)`: some character of general category `L*`.
pub fn has_alpha(s: &str) -> bool {
    static LETTER: LazyLock<Regex> = LazyLock::new(|| compile(r"\p{L}"));
    if s.bytes().any(|b| b.is_ascii_alphabetic()) {
        return true;
    }
    !s.is_ascii() && LETTER.is_match(s)
}

/// Compiles one of this module's (or its siblings') fixed patterns.
pub(crate) fn compile(pattern: &str) -> Regex {
    match Regex::new(pattern) {
        Ok(regex) => regex,
        // The patterns are constants checked by the unit tests; a failure is a programming error.
        Err(error) => panic!("invalid built-in pattern {pattern:?}: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitlines_matches_python() {
        fn lines(s: &str) -> Vec<&str> {
            splitlines(s).collect()
        }
        assert_eq!(lines(""), Vec::<&str>::new());
        assert_eq!(lines("a"), ["a"]);
        assert_eq!(lines("a\n"), ["a"]);
        assert_eq!(lines("a\n\n"), ["a", ""]);
        assert_eq!(lines("\n"), [""]);
        assert_eq!(lines("a\r\nb\rc\nd"), ["a", "b", "c", "d"]);
        assert_eq!(lines("a\r\rb"), ["a", "", "b"]);
        assert_eq!(
            lines("1\x0b2\x0c3\x1c4\x1d5\x1e6\u{85}7\u{2028}8\u{2029}9\x1f10"),
            ["1", "2", "3", "4", "5", "6", "7", "8", "9\x1f10"]
        );
        assert_eq!(lines("é\u{2027}x"), ["é\u{2027}x"]);
    }

    #[test]
    fn whitespace_is_python_isspace() {
        assert!(is_space('\x1c') && is_space('\x1f') && is_space('\u{a0}') && is_space('\u{3000}'));
        assert!(!is_space('\u{200b}') && !is_space('x'));
        assert_eq!(strip("\x1f a b\u{a0}\n"), "a b");
        assert_eq!(lstrip("  a "), "a ");
        assert_eq!(rstrip("  a \x1c"), "  a");
        let words: Vec<_> = split_whitespace(" a\x1cb  c\u{2003}d ").collect();
        assert_eq!(words, ["a", "b", "c", "d"]);
    }

    #[test]
    fn character_classes_follow_their_engine() {
        // stdlib re: numbers of any kind are word characters, combining marks are not.
        assert!(is_re_word('²') && is_re_word('½') && is_re_word('_') && is_re_word('é'));
        assert!(!is_re_word('\u{301}') && !is_re_word('-'));
        // regex module: combining marks and connector punctuation are, superscripts are not.
        assert!(is_regex_word('\u{301}') && is_regex_word('‿') && is_regex_word('é'));
        assert!(!is_regex_word('²') && !is_regex_word('\''));
        assert!(has_alpha("3a") && has_alpha("ß") && has_alpha("中"));
        assert!(!has_alpha("123") && !has_alpha("\u{2160}") && !has_alpha("..."));
        assert_eq!(char_len("naïve"), 5);
    }
}
