//! Turning a payload's bytes into text, in this order:
//!
//! 1. strict UTF-8 (as datatrove's `content_bytes.decode("utf-8")`: a BOM stays as U+FEFF);
//! 2. a UTF-16 byte-order mark;
//! 3. the declared charset: the HTTP `Content-Type` parameter, else a `<meta … charset=…>` in the
//!    first 1024 bytes, looked up with encoding_rs's WHATWG label table (UTF-8, UTF-16 and
//!    `replacement` labels are ignored here);
//! 4. chardetng's guess, given the URL's top-level domain as browsers do.
//!
//! Steps 2–4 decode without replacement: bytes that are malformed in the chosen encoding make the
//! payload undecodable, and the record is skipped (datatrove likewise drops records its detected
//! charset cannot decode). datatrove detects with cchardet and ignores declarations; here the
//! declaration is tried first because it is usually right for legacy pages and makes the result
//! independent of detector heuristics, with chardetng (Firefox's detector) as the fallback.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// Bytes searched for a `<meta>` charset declaration (the WHATWG prescan window).
const META_PRESCAN: usize = 1024;

/// The decoded text and the encoding that produced it.
#[derive(Debug)]
pub(super) struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
}

/// Decodes `bytes` (see the module doc); `Err` names the last encoding tried.
pub(super) fn decode(
    bytes: &[u8],
    declared: Option<&[u8]>,
    url: &str,
) -> Result<Decoded, &'static Encoding> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: text.to_owned(),
            encoding: UTF_8,
        });
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes)
        && encoding != UTF_8
    {
        return strict(&bytes[bom_len..], encoding);
    }
    let declared = declared
        .and_then(Encoding::for_label_no_replacement)
        .or_else(|| meta_charset(bytes).and_then(Encoding::for_label_no_replacement))
        .filter(|e| ![UTF_8, UTF_16LE, UTF_16BE].contains(e));
    if let Some(encoding) = declared
        && let Ok(decoded) = strict(bytes, encoding)
    {
        return Ok(decoded);
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let tld = top_level_domain(url);
    let guess = detector.guess(tld.as_deref().map(str::as_bytes), false);
    strict(bytes, guess)
}

fn strict(bytes: &[u8], encoding: &'static Encoding) -> Result<Decoded, &'static Encoding> {
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| Decoded {
            text: text.into_owned(),
            encoding,
        })
        .ok_or(encoding)
}

/// The label of the first `<meta …charset=…>` in the prescan window (a simplified WHATWG
/// prescan: covers `<meta charset=x>` and `<meta http-equiv … content="…; charset=x">`).
/// Hand-written: encoding_rs leaves the prescan to its callers.
pub(super) fn meta_charset(bytes: &[u8]) -> Option<&[u8]> {
    let window = &bytes[..bytes.len().min(META_PRESCAN)];
    let mut from = 0;
    while let Some(at) = find_ignore_case(&window[from..], b"<meta") {
        let tag_start = from + at + 5;
        let tag_end =
            memchr::memchr(b'>', &window[tag_start..]).map_or(window.len(), |e| tag_start + e);
        let tag = &window[tag_start..tag_end];
        if let Some(label) = charset_in_tag(tag) {
            return Some(label);
        }
        from = tag_start;
    }
    None
}

fn charset_in_tag(tag: &[u8]) -> Option<&[u8]> {
    let at = find_ignore_case(tag, b"charset")?;
    let rest = tag[at + 7..].trim_ascii_start();
    let rest = rest.strip_prefix(b"=")?.trim_ascii_start();
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let end = rest
        .iter()
        .position(|&b| matches!(b, b'"' | b'\'' | b';' | b'/' | b'>') || b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// The URL's top-level domain in the form chardetng accepts (lower-case ASCII label, no dots),
/// or `None` (chardetng then assumes `.com`).
fn top_level_domain(url: &str) -> Option<String> {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = host
        .split(':')
        .next()
        .unwrap_or_default()
        .trim_end_matches('.');
    let label = host
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let valid = !label.is_empty()
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    // chardetng panics on anything else; an IDN TLD not in Punycode is simply not passed.
    valid.then_some(label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{GBK, SHIFT_JIS, WINDOWS_1251, WINDOWS_1252};

    #[test]
    fn utf8_first_and_bom_kept() {
        let decoded = decode(
            "\u{feff}héllo".as_bytes(),
            Some(b"windows-1252"),
            "http://a.fr/",
        )
        .unwrap();
        assert_eq!(decoded.text, "\u{feff}héllo");
        assert_eq!(decoded.encoding, UTF_8);
    }

    #[test]
    fn utf16_bom() {
        let mut bytes = vec![0xff, 0xfe];
        for unit in "<p>ok".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let decoded = decode(&bytes, None, "http://a.com/").unwrap();
        assert_eq!(decoded.text, "<p>ok");
        assert_eq!(decoded.encoding, UTF_16LE);
    }

    #[test]
    fn declared_charset_from_http_and_meta() {
        let russian = "Привет, как дела? Это тестовая страница на русском языке.";
        let (bytes, _, _) = WINDOWS_1251.encode(russian);
        let decoded = decode(&bytes, Some(b"cp1251"), "http://example.com/").unwrap();
        assert_eq!(decoded.text, russian);
        assert_eq!(decoded.encoding, WINDOWS_1251);

        let page = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">\
                    </head><body>中文网页内容，这是一个测试。</body></html>";
        let (bytes, _, _) = GBK.encode(page);
        let decoded = decode(&bytes, None, "http://example.cn/").unwrap();
        assert_eq!(decoded.text, page);
        assert_eq!(decoded.encoding, GBK);
    }

    #[test]
    fn detection_without_declaration() {
        let japanese =
            "日本語のテキストです。これは文字コードの判定のための文章です。ひらがなとカタカナ。"
                .repeat(4);
        let (bytes, _, _) = SHIFT_JIS.encode(&japanese);
        let decoded = decode(&bytes, None, "https://example.jp/page").unwrap();
        assert_eq!(decoded.text, japanese);
        assert_eq!(decoded.encoding, SHIFT_JIS);

        let russian = "Съешь же ещё этих мягких французских булок, да выпей чаю. ".repeat(5);
        let (bytes, _, _) = WINDOWS_1251.encode(&russian);
        let decoded = decode(&bytes, None, "http://example.ru/").unwrap();
        assert_eq!(decoded.text, russian);
    }

    #[test]
    fn wrong_declaration_falls_back_to_detection() {
        let japanese = "日本語のテキストです。これは文字コードの判定のための文章です。".repeat(4);
        let (bytes, _, _) = SHIFT_JIS.encode(&japanese);
        // Shift_JIS bytes are malformed as EUC-KR, so the declaration is dropped.
        let decoded = decode(&bytes, Some(b"euc-kr"), "https://example.jp/").unwrap();
        assert_eq!(decoded.encoding, SHIFT_JIS);
    }

    #[test]
    fn undecodable_payloads_are_reported() {
        // Lone lead bytes are malformed in Shift_JIS, and this declares Shift_JIS.
        let bytes = b"abc\x81";
        let error = decode(bytes, Some(b"shift_jis"), "http://example.jp/").unwrap_err();
        assert!(error != UTF_8);
        // A single-byte guess decodes anything.
        let decoded = decode(b"caf\xe9", None, "http://example.fr/").unwrap();
        assert_eq!(decoded.encoding, WINDOWS_1252);
        assert_eq!(decoded.text, "café");
    }

    #[test]
    fn meta_prescan() {
        assert_eq!(
            meta_charset(b"<META CHARSET='koi8-r'>"),
            Some(&b"koi8-r"[..])
        );
        assert_eq!(
            meta_charset(b"<meta name=x><meta charset = utf-8 />"),
            Some(&b"utf-8"[..])
        );
        assert_eq!(meta_charset(b"<meta charset=>"), None);
        let late = [vec![b' '; 1100], b"<meta charset=koi8-r>".to_vec()].concat();
        assert_eq!(meta_charset(&late), None);
    }

    #[test]
    fn top_level_domains_chardetng_accepts() {
        let tld = |url| top_level_domain(url);
        assert_eq!(
            tld("http://user@www.Example.RU:8080/x").as_deref(),
            Some("ru")
        );
        assert_eq!(tld("https://a.b.xn--p1ai/").as_deref(), Some("xn--p1ai"));
        assert_eq!(tld("https://example.com./?q").as_deref(), Some("com"));
        assert_eq!(tld("https://example.рф/"), None);
        assert_eq!(tld(""), None);
        assert_eq!(tld("http://[::1]/"), None);
    }
}
