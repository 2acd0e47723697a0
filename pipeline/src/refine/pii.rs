//! PII masking: datatrove 0.2.0's `PIIFormatter` as FineWeb ran it (the recipe's last text step).
//!
//! Two replacers run in order over a document's text:
//! 1. e-mail addresses (datatrove's pattern, case-sensitive as in datatrove: only lower-case
//!    local parts and host names match) become one of `email@example.com`,
//!    `firstname.lastname@example.org`;
//! 2. dotted IPv4 addresses that Python's `ipaddress.ip_address(..).is_global` accepts become one
//!    of six fixed addresses; private, loopback, link-local, shared (100.64/10), documentation,
//!    reserved and broadcast addresses stay, and so does any match Python refuses to parse (an
//!    octet with a leading zero).
//!
//! **Deviation (determinism).** datatrove hands out replacements round-robin in the order matches
//! occur across all the documents a worker has seen, so a document's output depends on what ran
//! before it. nya picks the replacement from SHA-256 of the matched text instead: the same address
//! always gets the same stand-in, in any document, in any order, on any machine — which a validator
//! re-running one sampled document needs.
//!
//! `is_global` follows the table of CPython 3.8–3.11.9 / 3.12.3 (what FineWeb ran in 2024): the
//! later fix (CPython gh-113171) only moves 192.0.0.0/29 + 192.0.0.170/31 to 192.0.0.0/24 minus
//! .9 and .10.

use std::borrow::Cow;
use std::net::Ipv4Addr;
use std::sync::LazyLock;

use regex::Regex;
use sha2::{Digest, Sha256};

use super::pystr;

/// datatrove's e-mail pattern without its leading `\b`, which [`replace_emails`] checks by hand
/// with Python's word characters (Rust's `\b` counts combining marks as word characters, Python's
/// `re` does not).
const EMAIL_PATTERN: &str = concat!(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@",
    r"(?:(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?",
    r"|\[(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}",
    r"(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?|[a-z0-9-]*[a-z0-9]:)\])",
);

/// datatrove's IPv4 pattern (no word boundaries: `1234.5.6.7` yields `234.5.6.7`).
const IPV4_PATTERN: &str = concat!(
    r"(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}",
    r"(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)",
);

static EMAIL: LazyLock<Regex> = LazyLock::new(|| pystr::compile(EMAIL_PATTERN));
static IPV4: LazyLock<Regex> = LazyLock::new(|| pystr::compile(IPV4_PATTERN));

/// datatrove's default e-mail stand-ins (example.com/org are reserved for examples).
pub const DEFAULT_EMAIL_REPLACEMENTS: [&str; 2] =
    ["email@example.com", "firstname.lastname@example.org"];

/// datatrove's default IP stand-ins (random addresses that did not answer pings when chosen).
pub const DEFAULT_IP_REPLACEMENTS: [&str; 6] = [
    "22.214.171.124",
    "126.96.36.199",
    "188.8.131.52",
    "184.108.40.206",
    "220.127.116.11",
    "18.104.22.168",
];

/// A PII formatter's settings; [`Default`] is FineWeb's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PiiOptions {
    /// Replace e-mail addresses.
    pub remove_emails: bool,
    /// Replace IPv4 addresses.
    pub remove_ips: bool,
    /// Replace only addresses Python calls global (FineWeb: true).
    pub only_public_ips: bool,
    /// Stand-ins for e-mail addresses (at least one).
    pub email_replacements: Vec<String>,
    /// Stand-ins for IPv4 addresses (at least one).
    pub ip_replacements: Vec<String>,
}

impl Default for PiiOptions {
    fn default() -> Self {
        Self {
            remove_emails: true,
            remove_ips: true,
            only_public_ips: true,
            email_replacements: DEFAULT_EMAIL_REPLACEMENTS.map(String::from).to_vec(),
            ip_replacements: DEFAULT_IP_REPLACEMENTS.map(String::from).to_vec(),
        }
    }
}

/// Why a [`PiiFormatter`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PiiError {
    /// A replacement list was empty while its replacer is on.
    #[error("PII options: the {what} replacement list is empty")]
    NoReplacements {
        /// `"e-mail"` or `"IP"`.
        what: &'static str,
    },
}

/// datatrove's `PIIFormatter`, deterministic per document (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct PiiFormatter {
    options: PiiOptions,
}

impl PiiFormatter {
    /// FineWeb's formatter: both replacers on, public IPs only, datatrove's stand-ins.
    pub fn new() -> Self {
        Self::default()
    }

    /// A formatter with custom settings.
    pub fn with_options(options: PiiOptions) -> Result<Self, PiiError> {
        if options.remove_emails && options.email_replacements.is_empty() {
            return Err(PiiError::NoReplacements { what: "e-mail" });
        }
        if options.remove_ips && options.ip_replacements.is_empty() {
            return Err(PiiError::NoReplacements { what: "IP" });
        }
        Ok(Self { options })
    }

    /// The settings in force.
    pub fn options(&self) -> &PiiOptions {
        &self.options
    }

    /// The text with e-mail addresses, then IPv4 addresses, replaced. Borrows when nothing changed.
    pub fn format<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let after_emails = if self.options.remove_emails {
            replace_emails(text, &self.options.email_replacements)
        } else {
            Cow::Borrowed(text)
        };
        if !self.options.remove_ips {
            return after_emails;
        }
        let public_only = self.options.only_public_ips;
        let replacements = &self.options.ip_replacements;
        match after_emails {
            Cow::Borrowed(text) => replace_ips(text, replacements, public_only),
            Cow::Owned(text) => {
                Cow::Owned(replace_ips(&text, replacements, public_only).into_owned())
            }
        }
    }
}

/// Replaces every e-mail match that starts at a Python `re` word boundary (datatrove's leading
/// `\b`). Python tries each start position left to right; a candidate that fails the boundary
/// test cannot start anywhere inside its run of same-class characters, so the search resumes at
/// the next class change (keeps the scan linear on hostile input).
fn replace_emails<'a>(text: &'a str, replacements: &[String]) -> Cow<'a, str> {
    let mut out: Option<String> = None;
    let mut copied_up_to = 0;
    let mut search_from = 0;
    while let Some(found) = EMAIL.find_at(text, search_from) {
        let start = found.start();
        if !is_word_boundary(text, start) {
            match next_class_change(text, start) {
                Some(next) => {
                    search_from = next;
                    continue;
                }
                None => break,
            }
        }
        let buffer = out.get_or_insert_with(|| String::with_capacity(text.len()));
        buffer.push_str(&text[copied_up_to..start]);
        buffer.push_str(pick(replacements, found.as_str()));
        copied_up_to = found.end();
        search_from = found.end();
    }
    match out {
        Some(mut buffer) => {
            buffer.push_str(&text[copied_up_to..]);
            Cow::Owned(buffer)
        }
        None => Cow::Borrowed(text),
    }
}

/// Python `re`'s `\b` at byte offset `at` (a char boundary): the characters on either side differ
/// in being word characters; before the first character counts as a non-word character.
fn is_word_boundary(text: &str, at: usize) -> bool {
    let before = text[..at]
        .chars()
        .next_back()
        .is_some_and(pystr::is_re_word);
    let after = text[at..].chars().next().is_some_and(pystr::is_re_word);
    before != after
}

/// The first offset after `at` where a word character meets a non-word character (or the reverse).
fn next_class_change(text: &str, at: usize) -> Option<usize> {
    let mut chars = text[at..].char_indices();
    let (_, first) = chars.next()?;
    let class = pystr::is_re_word(first);
    chars
        .find(|&(_, c)| pystr::is_re_word(c) != class)
        .map(|(offset, _)| at + offset)
}

fn replace_ips<'a>(text: &'a str, replacements: &[String], public_only: bool) -> Cow<'a, str> {
    let mut out: Option<String> = None;
    let mut copied_up_to = 0;
    // Like Python's `re.sub` with a validator that returns a refused match unchanged: the scan
    // goes on after every match, replaced or not.
    for found in IPV4.find_iter(text) {
        if !python_accepts_ip(found.as_str(), public_only) {
            continue;
        }
        let buffer = out.get_or_insert_with(|| String::with_capacity(text.len()));
        buffer.push_str(&text[copied_up_to..found.start()]);
        buffer.push_str(pick(replacements, found.as_str()));
        copied_up_to = found.end();
    }
    match out {
        Some(mut buffer) => {
            buffer.push_str(&text[copied_up_to..]);
            Cow::Owned(buffer)
        }
        None => Cow::Borrowed(text),
    }
}

/// datatrove's `public_ip_validator`: Python's `ipaddress.ip_address` must parse the text (it
/// refuses octets with leading zeros, as does Rust's parser) and, when `public_only`, the address
/// must be global.
fn python_accepts_ip(text: &str, public_only: bool) -> bool {
    match text.parse::<Ipv4Addr>() {
        Ok(address) => !public_only || is_global_ipv4(address),
        Err(_) => false,
    }
}

/// Python's `IPv4Address.is_global` (CPython ≤ 3.11.9 / 3.12.3): not in 100.64.0.0/10 and not in
/// any of the "private" networks below.
pub fn is_global_ipv4(address: Ipv4Addr) -> bool {
    const SHARED: (u32, u32) = (0x6440_0000, 10); // 100.64.0.0/10
    const PRIVATE: [(u32, u32); 14] = [
        (0x0000_0000, 8),  // 0.0.0.0/8
        (0x0a00_0000, 8),  // 10.0.0.0/8
        (0x7f00_0000, 8),  // 127.0.0.0/8
        (0xa9fe_0000, 16), // 169.254.0.0/16
        (0xac10_0000, 12), // 172.16.0.0/12
        (0xc000_0000, 29), // 192.0.0.0/29
        (0xc000_00aa, 31), // 192.0.0.170/31
        (0xc000_0200, 24), // 192.0.2.0/24
        (0xc0a8_0000, 16), // 192.168.0.0/16
        (0xc612_0000, 15), // 198.18.0.0/15
        (0xc633_6400, 24), // 198.51.100.0/24
        (0xcb00_7100, 24), // 203.0.113.0/24
        (0xf000_0000, 4),  // 240.0.0.0/4
        (0xffff_ffff, 32), // 255.255.255.255/32
    ];
    let bits = u32::from(address);
    let within = |&(network, prefix): &(u32, u32)| {
        let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
        bits & mask == network
    };
    !within(&SHARED) && !PRIVATE.iter().any(within)
}

/// The stand-in for `matched`: SHA-256 of the matched text, first 8 bytes little-endian, modulo
/// the number of stand-ins (stable across machines and runs, unlike datatrove's shared counter).
fn pick<'r>(replacements: &'r [String], matched: &str) -> &'r str {
    let digest = Sha256::digest(matched.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let count = replacements.len().max(1) as u64;
    let index = (u64::from_le_bytes(first) % count) as usize;
    replacements.get(index).map_or("", String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A formatter whose stand-ins are single markers, so outputs compare with Python's exactly.
    fn marking() -> PiiFormatter {
        let options = PiiOptions {
            email_replacements: vec!["<EMAIL>".into()],
            ip_replacements: vec!["<IP>".into()],
            ..PiiOptions::default()
        };
        match PiiFormatter::with_options(options) {
            Ok(formatter) => formatter,
            Err(error) => panic!("{error}"),
        }
    }

    // Expected outputs below were produced by datatrove 0.2.0's PIIFormatter (Python 3.11.7) with
    // email_replacement="<EMAIL>", ip_replacement="<IP>".
    #[test]
    fn emails_match_datatrove() {
        let cases = [
            (
                "write to john.doe@example.com today",
                "write to <EMAIL> today",
            ),
            ("a+b_c-d@mail-server.co.uk.", "<EMAIL>."),
            (
                "Mixed Case@Example.com stays",
                "Mixed Case@Example.com stays",
            ),
            ("John@example.com", "John@example.com"),
            ("xjohn@example.com", "<EMAIL>"),
            ("(bob@x.org)", "(<EMAIL>)"),
            ("user@[192.168.0.1] literal", "<EMAIL> literal"),
            ("odd@[1.2.3.ipv6:] tail", "<EMAIL> tail"),
            ("no at sign here", "no at sign here"),
            ("two a@b.cc and c@d.ee", "two <EMAIL> and <EMAIL>"),
            ("éa@b.cc", "éa@b.cc"),
            ("-a@b.cc", "-<EMAIL>"),
            ("x.-a@b.cc", "<EMAIL>"),
            ("Ab.cd@x.com", "Ab.<EMAIL>"),
            ("mail:a.b@c-d.e-f", "mail:<EMAIL>"),
            ("a@b", "a@b"),
            ("a@b-.com", "a@b-.com"),
            ("name@host.com-", "<EMAIL>-"),
            // Python's `\b`: a combining mark is not a word character, `²` and `_` are.
            ("e\u{301}a@b.cc", "e\u{301}<EMAIL>"),
            ("²a@b.cc", "²a@b.cc"),
            ("_a@b.cc", "<EMAIL>"),
            ("a\u{903}b@c.dd", "a\u{903}<EMAIL>"),
        ];
        let formatter = marking();
        for (input, expected) in cases {
            assert_eq!(formatter.format(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn ips_match_datatrove() {
        let cases = [
            ("server 8.8.8.8 answered", "server <IP> answered"),
            (
                "lan 192.168.1.1 and 10.0.0.7",
                "lan 192.168.1.1 and 10.0.0.7",
            ),
            (
                "loop 127.0.0.1 shared 100.64.0.1",
                "loop 127.0.0.1 shared 100.64.0.1",
            ),
            (
                "docs 192.0.2.5 198.51.100.7 203.0.113.9",
                "docs 192.0.2.5 198.51.100.7 203.0.113.9",
            ),
            (
                "multicast 224.0.0.1 is global in Python",
                "multicast <IP> is global in Python",
            ),
            (
                "reserved 240.0.0.1 255.255.255.255",
                "reserved 240.0.0.1 255.255.255.255",
            ),
            (
                "edge 192.0.0.8 192.0.0.170 192.0.0.172",
                "edge <IP> 192.0.0.170 <IP>",
            ),
            ("zero 010.1.1.1 stays", "zero 010.1.1.1 stays"),
            ("glued 1234.1.1.1", "glued 1<IP>"),
            ("version 1.2.3.4.5", "version <IP>.5"),
            ("256.1.1.1", "2<IP>"),
            ("172.32.0.1 vs 172.31.0.1", "<IP> vs 172.31.0.1"),
        ];
        let formatter = marking();
        for (input, expected) in cases {
            assert_eq!(formatter.format(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn emails_go_first_then_ips() {
        let formatter = marking();
        assert_eq!(
            formatter.format("ops@[8.8.8.8] and 8.8.4.4"),
            "<EMAIL> and <IP>"
        );
    }

    #[test]
    fn all_ips_when_not_public_only() {
        let options = PiiOptions {
            only_public_ips: false,
            ip_replacements: vec!["<IP>".into()],
            ..PiiOptions::default()
        };
        let formatter = PiiFormatter::with_options(options).map_err(|e| e.to_string());
        let Ok(formatter) = formatter else {
            panic!("options rejected")
        };
        assert_eq!(formatter.format("192.168.1.1 010.1.1.1"), "<IP> 010.1.1.1");
    }

    #[test]
    fn python_is_global_table() {
        // (address, Python 3.11.7 ipaddress.ip_address(a).is_global)
        let table = [
            ("8.8.8.8", true),
            ("1.1.1.1", true),
            ("0.1.2.3", false),
            ("10.1.2.3", false),
            ("100.64.0.1", false),
            ("100.127.255.255", false),
            ("100.128.0.1", true),
            ("127.0.0.1", false),
            ("169.254.1.1", false),
            ("172.16.0.1", false),
            ("172.31.255.255", false),
            ("172.32.0.1", true),
            ("192.0.0.1", false),
            ("192.0.0.8", true),
            ("192.0.0.9", true),
            ("192.0.0.170", false),
            ("192.0.0.171", false),
            ("192.0.0.172", true),
            ("192.0.2.5", false),
            ("192.168.1.1", false),
            ("198.18.0.1", false),
            ("198.19.255.255", false),
            ("198.20.0.1", true),
            ("198.51.100.7", false),
            ("203.0.113.9", false),
            ("224.0.0.1", true),
            ("239.255.255.255", true),
            ("240.0.0.1", false),
            ("255.255.255.255", false),
            ("0.0.0.0", false),
        ];
        for (text, expected) in table {
            let Ok(address) = text.parse::<Ipv4Addr>() else {
                panic!("{text} did not parse")
            };
            assert_eq!(is_global_ipv4(address), expected, "{text}");
        }
    }

    #[test]
    fn replacements_are_deterministic_per_match_and_order_free() {
        let first = "contact alice@example.net or bob@example.net from 8.8.8.8";
        let second = "bob@example.net again, and 8.8.8.8, and 1.1.1.1";
        let formatter = PiiFormatter::new();
        let forward = [formatter.format(first), formatter.format(second)].map(Cow::into_owned);
        let fresh = PiiFormatter::new();
        let second_first = fresh.format(second).into_owned();
        let then_first = fresh.format(first).into_owned();
        assert_eq!(forward, [then_first, second_first]);
        // Pinned choices (SHA-256 of the match, first 8 bytes little-endian, mod the count): they
        // must never change between releases, or re-runs stop matching published data.
        assert_eq!(
            forward[0],
            "contact firstname.lastname@example.org or firstname.lastname@example.org from 126.96.36.199"
        );
        assert_eq!(
            forward[1],
            "firstname.lastname@example.org again, and 126.96.36.199, and 126.96.36.199"
        );
    }

    #[test]
    fn picks_spread_over_the_stand_ins() {
        let replacements = DEFAULT_IP_REPLACEMENTS.map(String::from).to_vec();
        let mut seen = std::collections::BTreeSet::new();
        for last in 1..=60u8 {
            seen.insert(pick(&replacements, &format!("8.8.8.{last}")).to_owned());
        }
        assert_eq!(seen.len(), replacements.len(), "all stand-ins get used");
    }

    #[test]
    fn untouched_text_is_borrowed() {
        let formatter = PiiFormatter::new();
        assert!(matches!(
            formatter.format("nothing to see"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(formatter.format("lan 10.0.0.1"), Cow::Borrowed(_)));
    }

    #[test]
    fn hostile_runs_stay_linear_and_safe() {
        // A long run without a boundary before '@' (a word character glued in front) never matches.
        let text = format!("É{}@example.com", "a".repeat(200_000));
        assert_eq!(PiiFormatter::new().format(&text), text);
        let dots = "1.".repeat(100_000);
        let _ = PiiFormatter::new().format(&dots);
    }

    #[test]
    fn empty_replacement_lists_are_refused() {
        let options = PiiOptions {
            email_replacements: Vec::new(),
            ..PiiOptions::default()
        };
        assert_eq!(
            PiiFormatter::with_options(options).err(),
            Some(PiiError::NoReplacements { what: "e-mail" })
        );
        let options = PiiOptions {
            remove_ips: false,
            ip_replacements: Vec::new(),
            ..PiiOptions::default()
        };
        assert!(PiiFormatter::with_options(options).is_ok());
    }
}
