//! The HTTP message inside a `response` record: status line and headers (parsed with httparse,
//! leniently: bare LF, obsolete folding, spaces before colons and invalid header lines are
//! tolerated), then the payload with its transfer and content codings undone, as warcio's
//! `content_stream()` (which datatrove reads) does:
//!
//! - `Transfer-Encoding: chunked` is removed. Like warcio, a malformed chunk-size line ends the
//!   chunked reading and the remaining bytes are kept as they are; a truncated last chunk keeps
//!   what is there. (A chunk-size line ending in a bare LF counts as malformed: httparse requires
//!   CRLF there.)
//! - `Content-Encoding` gzip / x-gzip / deflate (zlib or raw) is decoded, several codings in
//!   reverse order. Like warcio, a payload that fails to decode from its first byte is taken as not
//!   encoded at all, and one that fails part-way keeps what was decoded. Other codings (br, zstd,
//!   compress) make the record skipped; warcio without brotli would pass the still-compressed bytes
//!   on as text.
//!
//! CommonCrawl stores payloads already decoded (renaming the headers `X-Crawler-…`), so these
//! paths matter for wget and other crawlers' WARCs.

use std::borrow::Cow;
use std::io::Read;

use flate2::read::{DeflateDecoder, GzDecoder, ZlibDecoder};

use super::error::{SkipReason, clip};

/// Header lines an HTTP head may have.
const MAX_HTTP_HEADERS: usize = 256;
/// Codings one `Content-Encoding` may stack.
const MAX_CODINGS: usize = 4;

/// What the selection needs from an HTTP response head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ResponseHead<'a> {
    pub status: u16,
    /// Bytes of the block taken by the status line, headers and blank line.
    pub head_len: usize,
    pub content_type: Option<&'a [u8]>,
    pub chunked: bool,
    pub content_encoding: Option<&'a [u8]>,
}

fn lenient_config() -> httparse::ParserConfig {
    let mut config = httparse::ParserConfig::default();
    config
        .allow_spaces_after_header_name_in_responses(true)
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_multiple_spaces_in_response_status_delimiters(true)
        .allow_space_before_first_header_name(true)
        .ignore_invalid_headers_in_responses(true);
    config
}

/// Parses the status line and headers at the start of `block`.
pub(super) fn parse_response_head(block: &[u8]) -> Result<ResponseHead<'_>, SkipReason> {
    let mut storage = [httparse::EMPTY_HEADER; MAX_HTTP_HEADERS];
    let mut response = httparse::Response::new(&mut storage);
    match lenient_config().parse_response(&mut response, block) {
        Ok(httparse::Status::Complete(head_len)) => {
            let status = response.code.unwrap_or_default();
            Ok(head_from(status, head_len, response.headers))
        }
        Ok(httparse::Status::Partial) => Err(incomplete()),
        // httparse knows only HTTP/1.x status lines; read others (HTTP/2, odd reasons) here.
        Err(httparse::Error::Version | httparse::Error::Status) => parse_other_status_line(block),
        Err(error) => Err(malformed(error)),
    }
}

/// Hand-written because httparse rejects status lines other than `HTTP/1.x NNN reason`.
fn parse_other_status_line(block: &[u8]) -> Result<ResponseHead<'_>, SkipReason> {
    let line_end = memchr::memchr(b'\n', block).ok_or_else(incomplete)?;
    let line = block[..line_end]
        .strip_suffix(b"\r")
        .unwrap_or(&block[..line_end]);
    let bad_status = || SkipReason::MalformedHttp {
        detail: format!(
            "bad status line {:?}",
            clip(&String::from_utf8_lossy(line), 80)
        ),
    };
    let mut parts = line.splitn(3, |&b| b == b' ');
    let protocol = parts.next().unwrap_or_default();
    let code = parts.next().unwrap_or_default();
    if !protocol.starts_with(b"HTTP/") || code.len() != 3 || !code.iter().all(u8::is_ascii_digit) {
        return Err(bad_status());
    }
    let status = code.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    let rest = &block[line_end + 1..];
    let mut storage = [httparse::EMPTY_HEADER; MAX_HTTP_HEADERS];
    match httparse::parse_headers(rest, &mut storage) {
        Ok(httparse::Status::Complete((len, headers))) => {
            Ok(head_from(status, line_end + 1 + len, headers))
        }
        Ok(httparse::Status::Partial) => Err(incomplete()),
        Err(error) => Err(malformed(error)),
    }
}

fn head_from<'a>(
    status: u16,
    head_len: usize,
    headers: &[httparse::Header<'a>],
) -> ResponseHead<'a> {
    let first = |name: &str| {
        headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
    };
    // The last transfer coding is the one applied last; only chunked is meaningful in a WARC.
    let chunked = first("Transfer-Encoding").is_some_and(|value| {
        value
            .rsplit(|&b| b == b',')
            .next()
            .is_some_and(|last| last.trim_ascii().eq_ignore_ascii_case(b"chunked"))
    });
    ResponseHead {
        status,
        head_len,
        content_type: first("Content-Type"),
        chunked,
        content_encoding: first("Content-Encoding"),
    }
}

fn incomplete() -> SkipReason {
    SkipReason::MalformedHttp {
        detail: "the head has no terminating blank line".into(),
    }
}

fn malformed(error: httparse::Error) -> SkipReason {
    SkipReason::MalformedHttp {
        detail: error.to_string(),
    }
}

/// The media type of a `Content-Type` value, lower-cased, without parameters.
pub(super) fn media_type(value: &[u8]) -> String {
    let end = memchr::memchr(b';', value).unwrap_or(value.len());
    String::from_utf8_lossy(value[..end].trim_ascii()).to_ascii_lowercase()
}

/// The `charset` parameter of a `Content-Type` value, unquoted.
pub(super) fn charset_param(value: &[u8]) -> Option<&[u8]> {
    value.split(|&b| b == b';').skip(1).find_map(|param| {
        let eq = memchr::memchr(b'=', param)?;
        let (name, value) = (param[..eq].trim_ascii(), param[eq + 1..].trim_ascii());
        name.eq_ignore_ascii_case(b"charset").then(|| {
            let value = value.strip_prefix(b"\"").unwrap_or(value);
            value.strip_suffix(b"\"").unwrap_or(value).trim_ascii()
        })
    })
}

/// Removes the chunked transfer coding (see the module doc for the tolerance rules).
pub(super) fn dechunk(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len());
    let mut pos = 0;
    while pos < payload.len() {
        let rest = &payload[pos..];
        let Ok(httparse::Status::Complete((line_len, size))) = httparse::parse_chunk_size(rest)
        else {
            out.extend_from_slice(rest);
            break;
        };
        if size == 0 {
            break; // the last chunk; trailers carry nothing we use
        }
        let data = &rest[line_len..];
        let take = usize::try_from(size).map_or(data.len(), |size| size.min(data.len()));
        out.extend_from_slice(&data[..take]);
        pos += line_len + take;
        let after = &payload[pos..];
        if after.starts_with(b"\r\n") {
            pos += 2;
        } else if after.starts_with(b"\n") {
            pos += 1;
        } else if !after.is_empty() {
            out.extend_from_slice(after);
            break;
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Gzip,
    Deflate,
}

/// Undoes the `Content-Encoding` codings named in `value`, stopping at `limit` decoded bytes.
pub(super) fn decode_content<'a>(
    payload: Cow<'a, [u8]>,
    value: &[u8],
    limit: u64,
) -> Result<Cow<'a, [u8]>, SkipReason> {
    let mut codings = Vec::new();
    for name in value.split(|&b| b == b',').map(<[u8]>::trim_ascii) {
        let coding = match name.to_ascii_lowercase().as_slice() {
            b"" | b"identity" | b"none" => continue,
            b"gzip" | b"x-gzip" => Coding::Gzip,
            b"deflate" => Coding::Deflate,
            _ => {
                return Err(SkipReason::UnsupportedContentEncoding {
                    encoding: clip(&String::from_utf8_lossy(value), 64),
                });
            }
        };
        codings.push(coding);
    }
    if codings.len() > MAX_CODINGS {
        return Err(SkipReason::UnsupportedContentEncoding {
            encoding: clip(&String::from_utf8_lossy(value), 64),
        });
    }
    let mut payload = payload;
    for coding in codings.into_iter().rev() {
        if let Some(decoded) = decode_one(&payload, coding, limit)? {
            payload = Cow::Owned(decoded);
        }
    }
    Ok(payload)
}

/// One coding; `None` when the data is not in that coding at all (kept as it is).
fn decode_one(data: &[u8], coding: Coding, limit: u64) -> Result<Option<Vec<u8>>, SkipReason> {
    match coding {
        Coding::Gzip if data.starts_with(&[0x1f, 0x8b]) => {
            read_limited(GzDecoder::new(data), limit)
        }
        Coding::Gzip => Ok(None),
        Coding::Deflate if looks_like_zlib(data) => {
            match read_limited(ZlibDecoder::new(data), limit)? {
                Some(decoded) => Ok(Some(decoded)),
                None => read_limited(DeflateDecoder::new(data), limit),
            }
        }
        Coding::Deflate => read_limited(DeflateDecoder::new(data), limit),
    }
}

/// A zlib header: deflate method, and the check bits make the first two bytes a multiple of 31.
fn looks_like_zlib(data: &[u8]) -> bool {
    matches!(data, [cmf, flg, ..] if cmf & 0x0f == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0)
}

/// Reads `decoder` to its end or first error; `None` when it failed before producing anything.
fn read_limited(mut decoder: impl Read, limit: u64) -> Result<Option<Vec<u8>>, SkipReason> {
    let mut out = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        match decoder.read(&mut chunk) {
            Ok(0) => return Ok(Some(out)),
            Ok(n) => {
                out.extend_from_slice(&chunk[..n]);
                if out.len() as u64 > limit {
                    return Err(SkipReason::DecodedTooLarge { limit });
                }
            }
            Err(_) if out.is_empty() => return Ok(None),
            Err(_) => return Ok(Some(out)),
        }
    }
}

/// WHATWG MIME sniffing's HTML signatures (mimesniff §7.1), for payloads without a declared
/// type: after leading whitespace, one of these tags, case-insensitively, then space or `>`.
/// Hand-written: a fixed table of 17 patterns, no crate in the tree does it.
pub(super) fn sniffs_as_html(payload: &[u8]) -> bool {
    const TAGS: [&[u8]; 17] = [
        b"<!DOCTYPE HTML",
        b"<HTML",
        b"<HEAD",
        b"<SCRIPT",
        b"<IFRAME",
        b"<H1",
        b"<DIV",
        b"<FONT",
        b"<TABLE",
        b"<A",
        b"<STYLE",
        b"<TITLE",
        b"<B",
        b"<BODY",
        b"<BR",
        b"<P",
        b"<!--",
    ];
    let start = payload
        .iter()
        .position(|b| !matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' '))
        .unwrap_or(payload.len());
    let text = &payload[start..];
    TAGS.iter().any(|tag| {
        text.len() > tag.len()
            && text[..tag.len()].eq_ignore_ascii_case(tag)
            && matches!(text[tag.len()], b' ' | b'>')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::{GzEncoder, ZlibEncoder};
    use std::io::Write;

    #[test]
    fn parses_heads_with_crlf_bare_lf_and_folding() {
        let block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=ISO-8859-1\r\nX-Folded: a\r\n b\r\n\r\n<html>";
        let head = parse_response_head(block).unwrap();
        assert_eq!(head.status, 200);
        assert_eq!(&block[head.head_len..], b"<html>");
        assert_eq!(
            head.content_type,
            Some(&b"text/html; charset=ISO-8859-1"[..])
        );
        assert!(!head.chunked);

        let block = b"HTTP/1.0 404 Not Found\nContent-Type : text/html\nTransfer-Encoding: gzip, Chunked\nBad Header Line\n\nbody";
        let head = parse_response_head(block).unwrap();
        assert_eq!(head.status, 404);
        assert_eq!(&block[head.head_len..], b"body");
        assert_eq!(head.content_type, Some(&b"text/html"[..]));
        assert!(head.chunked);
    }

    #[test]
    fn parses_http2_status_lines() {
        let block = b"HTTP/2 301\r\nContent-Encoding: gzip\r\n\r\nrest";
        let head = parse_response_head(block).unwrap();
        assert_eq!(head.status, 301);
        assert_eq!(&block[head.head_len..], b"rest");
        assert_eq!(head.content_encoding, Some(&b"gzip"[..]));
    }

    #[test]
    fn rejects_broken_heads() {
        for block in [
            &b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"[..],
            b"<html>no head at all</html>\n\n",
            b"HTTP/1.1 2x0 OK\r\n\r\n",
            b"",
        ] {
            let error = parse_response_head(block).unwrap_err();
            assert_eq!(error.kind(), "malformed_http", "{block:?}");
        }
        let many: String = (0..300).map(|i| format!("X-{i}: v\r\n")).collect();
        let block = format!("HTTP/1.1 200 OK\r\n{many}\r\n");
        let error = parse_response_head(block.as_bytes()).unwrap_err();
        assert!(error.to_string().contains("too many headers"), "{error}");
    }

    #[test]
    fn content_type_parts() {
        assert_eq!(media_type(b" Text/HTML ; charset=utf-8"), "text/html");
        assert_eq!(
            charset_param(b"text/html; charset=\"Shift_JIS\""),
            Some(&b"Shift_JIS"[..])
        );
        assert_eq!(
            charset_param(b"text/html;CHARSET= koi8-r "),
            Some(&b"koi8-r"[..])
        );
        assert_eq!(charset_param(b"text/html"), None);
    }

    #[test]
    fn dechunks_and_tolerates_damage() {
        assert_eq!(
            dechunk(b"4\r\nWiki\r\n6;ext=1\r\npedia \r\n0\r\n\r\n"),
            b"Wikipedia "
        );
        // Truncated last chunk: keep what is there.
        assert_eq!(dechunk(b"4\r\nWiki\r\nA\r\npedia"), b"Wikipedia");
        // Not chunked after all: the rest is kept raw.
        assert_eq!(dechunk(b"4\r\nWiki\r\n<html>"), b"Wiki<html>");
        assert_eq!(dechunk(b"<html>"), b"<html>");
        // Missing chunk terminator: the rest is kept raw.
        assert_eq!(dechunk(b"2\r\nabXY"), b"abXY");
        // A chunk size beyond u64 is malformed.
        assert_eq!(
            dechunk(b"fffffffffffffffff\r\nx"),
            b"fffffffffffffffff\r\nx"
        );
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn decodes_content_codings() {
        let html = b"<html>hello</html>".repeat(50);
        let gz = gzip(&html);
        let decoded = decode_content(Cow::Borrowed(&gz), b"gzip", 1 << 20).unwrap();
        assert_eq!(decoded.as_ref(), &html[..]);

        let mut zlib = ZlibEncoder::new(Vec::new(), Compression::default());
        zlib.write_all(&html).unwrap();
        let zlib = zlib.finish().unwrap();
        let decoded = decode_content(Cow::Borrowed(&zlib), b"Deflate", 1 << 20).unwrap();
        assert_eq!(decoded.as_ref(), &html[..]);

        let mut raw = Vec::new();
        flate2::read::DeflateEncoder::new(&html[..], Compression::default())
            .read_to_end(&mut raw)
            .unwrap();
        let decoded = decode_content(Cow::Borrowed(&raw), b"deflate", 1 << 20).unwrap();
        assert_eq!(decoded.as_ref(), &html[..]);

        // Stacked codings are undone last-first.
        let twice = gzip(&gz);
        let decoded = decode_content(Cow::Borrowed(&twice), b"gzip, x-gzip", 1 << 20).unwrap();
        assert_eq!(decoded.as_ref(), &html[..]);

        // Declared but not actually encoded: passed through (warcio's fallback).
        let decoded = decode_content(Cow::Borrowed(&html), b"gzip", 1 << 20).unwrap();
        assert_eq!(decoded.as_ref(), &html[..]);

        // Truncated gzip keeps the decoded prefix (text varied enough that half the stream
        // decodes to something).
        let mut state = 7u32;
        let html: Vec<u8> = (0..20_000)
            .map(|_| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                b"abcdefghij <>/"[(state >> 16) as usize % 14]
            })
            .collect();
        let gz = gzip(&html);
        let cut = &gz[..gz.len() / 2];
        let decoded = decode_content(Cow::Borrowed(cut), b"gzip", 1 << 20).unwrap();
        assert!(!decoded.is_empty() && html.starts_with(&decoded));
    }

    #[test]
    fn rejects_unsupported_codings_and_bombs() {
        let error = decode_content(Cow::Borrowed(b"x"), b"br", 10).unwrap_err();
        assert_eq!(error.kind(), "unsupported_content_encoding");
        let error =
            decode_content(Cow::Borrowed(b"x"), b"gzip,gzip,gzip,gzip,gzip", 10).unwrap_err();
        assert_eq!(error.kind(), "unsupported_content_encoding");
        let bomb = gzip(&vec![0u8; 10 << 20]);
        let error = decode_content(Cow::Borrowed(&bomb), b"gzip", 1 << 20).unwrap_err();
        assert_eq!(error, SkipReason::DecodedTooLarge { limit: 1 << 20 });
    }

    #[test]
    fn html_sniffing() {
        assert!(sniffs_as_html(b"\r\n  <!doctype html><html>"));
        assert!(sniffs_as_html(b"<HTML lang=en>"));
        assert!(sniffs_as_html(b"<p>text"));
        assert!(!sniffs_as_html(b"<?xml version='1.0'?><html>"));
        assert!(!sniffs_as_html(b"{\"json\": true}"));
        assert!(!sniffs_as_html(b"<pre>"));
        assert!(!sniffs_as_html(b"<html"));
    }
}
