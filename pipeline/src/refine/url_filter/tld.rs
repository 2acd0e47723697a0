//! The two host names datatrove's URL filter looks up, computed as `tldextract.TLDExtract()` (5.x,
//! defaults) does: `registered_domain` (`bbc.co.uk` for `forums.news.bbc.co.uk`) and `fqdn` (the
//! whole host), both empty unless the host ends in a public suffix with a label before it.
//!
//! tldextract's steps, reproduced here:
//! - netloc: drop a `scheme://` (scheme of `[A-Za-z0-9+.-]`) or a leading `//`; cut at the first
//!   `/`, `?`, `#`; keep what follows the last `@`; a `[...]` IPv6 literal is kept whole, otherwise
//!   cut at `:`, strip whitespace, strip trailing dots (ASCII and the three ideographic ones);
//! - labels: split on `.` after mapping `。．｡` to `.`;
//! - suffix: the longest **ICANN** public suffix (tldextract leaves private suffixes such as
//!   `blogspot.com` out by default), matched on lower-cased labels; a host ending in no known
//!   suffix (an IPv4 address, `localhost`, an unknown TLD) has none;
//! - the results keep the labels as written (case included).
//!
//! The public suffix list comes from the `psl` crate (compiled in; punycode and Unicode forms).
//! `psl` returns the longest suffix of either section; when that one is private, the ICANN
//! suffix is found by asking again without the private suffix's first label.
//! Deviation: tldextract fetches the list live; nya uses the snapshot its `psl` release embeds.

use psl::{Psl, Type};

use crate::refine::pystr;

/// `registered_domain` and `fqdn` of a URL, as tldextract reports them (empty when absent).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HostParts {
    /// `domain.suffix`, e.g. `example.co.uk`.
    pub registered_domain: String,
    /// `subdomain.domain.suffix`, the whole host without a trailing dot.
    pub fqdn: String,
}

/// Splits `url` like tldextract (see the module docs).
pub fn host_parts(url: &str) -> HostParts {
    let netloc = lenient_netloc(url);
    let host: String = netloc
        .chars()
        .map(|c| match c {
            '\u{3002}' | '\u{ff0e}' | '\u{ff61}' => '.',
            c => c,
        })
        .collect();
    let labels: Vec<&str> = host.split('.').collect();
    let suffix_labels = icann_suffix_len(&labels);
    let Some(domain_index) = labels.len().checked_sub(suffix_labels + 1) else {
        return HostParts::default();
    };
    let domain = labels.get(domain_index).copied().unwrap_or_default();
    if suffix_labels == 0 || domain.is_empty() {
        return HostParts::default();
    }
    let suffix = labels[domain_index + 1..].join(".");
    let subdomain = labels[..domain_index].join(".");
    let registered_domain = format!("{domain}.{suffix}");
    let fqdn = if subdomain.is_empty() {
        registered_domain.clone()
    } else {
        format!("{subdomain}.{registered_domain}")
    };
    HostParts {
        registered_domain,
        fqdn,
    }
}

/// tldextract's `lenient_netloc`.
fn lenient_netloc(url: &str) -> &str {
    let rest = schemeless(url);
    let rest = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let after_userinfo = rest.rsplit('@').next().unwrap_or_default();
    if after_userinfo.starts_with('[')
        && let Some(close) = after_userinfo.find(']')
    {
        return &after_userinfo[..=close];
    }
    let host = after_userinfo.split(':').next().unwrap_or_default();
    pystr::strip(host).trim_end_matches(['.', '\u{3002}', '\u{ff0e}', '\u{ff61}'])
}

/// tldextract's `_schemeless_url`: drops `scheme://` only when everything before `://` is scheme
/// characters (and at least one of them), or a leading `//`.
fn schemeless(url: &str) -> &str {
    let Some(slashes) = url.find("//") else {
        return url;
    };
    if slashes == 0 {
        return &url[2..];
    }
    let before = &url[..slashes];
    let Some(scheme) = before.strip_suffix(':') else {
        return url;
    };
    let scheme_chars = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.');
    if scheme.is_empty() || !scheme.chars().all(scheme_chars) {
        return url;
    }
    &url[slashes + 2..]
}

/// Number of trailing labels forming the longest ICANN public suffix (0 when there is none).
fn icann_suffix_len(labels: &[&str]) -> usize {
    let lowered: Vec<String> = labels.iter().map(|label| label.to_lowercase()).collect();
    let mut start = 0;
    while start < lowered.len() {
        let tail = &lowered[start..];
        let info = psl::List.find(tail.iter().rev().map(|label| label.as_bytes()));
        let Some(count) = labels_in_suffix(tail, info.len) else {
            return 0;
        };
        match info.typ {
            Some(Type::Icann) => return count,
            // Ask again without the private suffix's first label.
            Some(Type::Private) if count > 1 => start = lowered.len() - (count - 1),
            _ => return 0,
        }
    }
    0
}

/// How many trailing labels of `labels` make up a suffix of `suffix_bytes` bytes.
fn labels_in_suffix(labels: &[String], suffix_bytes: usize) -> Option<usize> {
    if suffix_bytes == 0 {
        return None;
    }
    let mut total = 0;
    for (count, label) in labels.iter().rev().enumerate() {
        total += label.len() + usize::from(count > 0);
        if total == suffix_bytes {
            return Some(count + 1);
        }
        if total > suffix_bytes {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(url: &str) -> (String, String) {
        let parts = host_parts(url);
        (parts.registered_domain, parts.fqdn)
    }

    fn pair(registered: &str, fqdn: &str) -> (String, String) {
        (registered.to_owned(), fqdn.to_owned())
    }

    // Expected values come from tldextract 5.1.2 (`TLDExtract()`, its bundled suffix list).
    #[test]
    fn matches_tldextract() {
        let cases = [
            (
                "http://forums.news.cnn.com/",
                pair("cnn.com", "forums.news.cnn.com"),
            ),
            (
                "https://forums.bbc.co.uk/path?q#f",
                pair("bbc.co.uk", "forums.bbc.co.uk"),
            ),
            (
                "http://www.example.com:8080/x",
                pair("example.com", "www.example.com"),
            ),
            (
                "http://user:pw@Shop.Example.COM./",
                pair("Example.COM", "Shop.Example.COM"),
            ),
            (
                "foo.blogspot.com/post",
                pair("blogspot.com", "foo.blogspot.com"),
            ),
            ("https://a.b.github.io", pair("github.io", "a.b.github.io")),
            ("http://127.0.0.1/admin", pair("", "")),
            ("http://[2001:db8::1]:80/", pair("", "")),
            ("http://localhost:8080", pair("", "")),
            ("http://example.invalidtld/", pair("", "")),
            ("http://co.uk/", pair("", "")),
            ("http://www.ck/", pair("www.ck", "www.ck")),
            ("http://a.b.ck/", pair("a.b.ck", "a.b.ck")), // `*.ck`: the suffix is b.ck
            ("http://x.a.b.ck/", pair("a.b.ck", "x.a.b.ck")),
            (
                "http://city.kawasaki.jp",
                pair("city.kawasaki.jp", "city.kawasaki.jp"),
            ),
            ("http://例子.中国/", pair("例子.中国", "例子.中国")),
            (
                "http://www.xn--fiqs8s/",
                pair("www.xn--fiqs8s", "www.xn--fiqs8s"),
            ),
            (
                "http://www。example。com/",
                pair("example.com", "www.example.com"),
            ),
            (
                "ftp://a..example.com/",
                pair("example.com", "a..example.com"),
            ),
            (
                "//cdn.example.org/lib.js",
                pair("example.org", "cdn.example.org"),
            ),
            (
                "mailto://x@mail.example.net",
                pair("example.net", "mail.example.net"),
            ),
            ("1http://x.com", pair("x.com", "x.com")),
            ("ht tp://x.com/", pair("", "")),
            ("example.com", pair("example.com", "example.com")),
            ("", pair("", "")),
        ];
        for (url, expected) in cases {
            assert_eq!(parts(url), expected, "url {url:?}");
        }
    }

    #[test]
    fn netloc_rules() {
        assert_eq!(lenient_netloc("https://a.com:443/x"), "a.com");
        assert_eq!(lenient_netloc("https://u@v@a.com/"), "a.com");
        assert_eq!(lenient_netloc("http://[::1]:8080/"), "[::1]");
        assert_eq!(lenient_netloc("http:// a.com /"), "a.com");
        assert_eq!(lenient_netloc("a.com..."), "a.com");
        assert_eq!(schemeless("git+ssh://h/x"), "h/x");
        assert_eq!(schemeless("x://"), "");
        assert_eq!(schemeless("a/b://c"), "a/b://c");
        assert_eq!(schemeless("://c"), "://c");
    }
}
