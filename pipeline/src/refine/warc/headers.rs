//! A WARC record's header block: the version line (`WARC/1.0`, `WARC/1.1`, …) then
//! `Name: value` lines up to a blank line, CRLF or bare LF.
//!
//! Parsing is as lenient as warcio (which datatrove reads through): names match
//! case-insensitively and the first occurrence wins; a line starting with a space or tab continues
//! the previous value; lines without a colon are ignored; a name or value that is not UTF-8 is
//! read as ISO-8859-1 (lossless, as warcio does), so such records are kept, not skipped.
//! `Content-Length`, `WARC-Type` and `WARC-Record-ID` are mandatory (WARC 1.0/1.1 §5); a record
//! lacking one is skipped.

use std::ops::Range;

use memchr::memchr;

use super::error::{SkipReason, clip};

/// The `WARC-Type` of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordType {
    /// `warcinfo`
    Warcinfo,
    /// `response`
    Response,
    /// `resource`
    Resource,
    /// `request`
    Request,
    /// `metadata`
    Metadata,
    /// `revisit`
    Revisit,
    /// `conversion` (CommonCrawl WET records)
    Conversion,
    /// `continuation`
    Continuation,
    /// Any other value, kept verbatim (types are matched case-sensitively, as warcio does).
    Other(String),
}

impl RecordType {
    fn from_value(value: &str) -> Self {
        match value {
            "warcinfo" => RecordType::Warcinfo,
            "response" => RecordType::Response,
            "resource" => RecordType::Resource,
            "request" => RecordType::Request,
            "metadata" => RecordType::Metadata,
            "revisit" => RecordType::Revisit,
            "conversion" => RecordType::Conversion,
            "continuation" => RecordType::Continuation,
            other => RecordType::Other(other.to_owned()),
        }
    }

    /// The header value.
    pub fn as_str(&self) -> &str {
        match self {
            RecordType::Warcinfo => "warcinfo",
            RecordType::Response => "response",
            RecordType::Resource => "resource",
            RecordType::Request => "request",
            RecordType::Metadata => "metadata",
            RecordType::Revisit => "revisit",
            RecordType::Conversion => "conversion",
            RecordType::Continuation => "continuation",
            RecordType::Other(other) => other,
        }
    }
}

/// True when `line` starts like a record: `WARC/` and a version digit.
pub(super) fn starts_record(line: &[u8]) -> bool {
    line.starts_with(b"WARC/") && line.get(5).is_some_and(u8::is_ascii_digit)
}

#[derive(Debug, Clone)]
struct Field {
    name: Range<usize>,
    value: Range<usize>,
}

/// The parsed header block of one record. Every `WarcHeaders` handed out has passed validation,
/// so the mandatory fields are always there.
#[derive(Debug, Clone)]
pub struct WarcHeaders {
    /// Version, names and values, decoded and concatenated; `fields` index into it.
    text: String,
    version: Range<usize>,
    fields: Vec<Field>,
    record_type: RecordType,
    record_id: Range<usize>,
    content_length: u64,
}

/// A header block that cannot be accepted; `content_length` is set when the block can still be
/// skipped by its length (otherwise the reader has to resynchronise).
pub(super) struct Invalid {
    pub reason: SkipReason,
    pub content_length: Option<u64>,
    pub record_id: Option<String>,
}

impl WarcHeaders {
    /// A reusable empty value for the reader; never handed out before [`WarcHeaders::parse`].
    pub(super) fn empty() -> Self {
        WarcHeaders {
            text: String::new(),
            version: 0..0,
            fields: Vec::new(),
            record_type: RecordType::Warcinfo,
            record_id: 0..0,
            content_length: 0,
        }
    }

    /// Parses `head` (the version line through the blank line) into `self`, reusing its buffers.
    pub(super) fn parse(&mut self, head: &[u8]) -> Result<(), Invalid> {
        self.text.clear();
        self.fields.clear();
        let mut lines = head.split(|&b| b == b'\n').map(strip_cr);
        let version_line = lines.next().unwrap_or_default();
        self.version = push_decoded(&mut self.text, version_line.trim_ascii());
        for line in lines {
            match line.first() {
                None => break,
                Some(b' ' | b'\t') => {
                    // A folded continuation of the previous value (the value is the text's end).
                    if let Some(last) = self.fields.last_mut() {
                        self.text.push(' ');
                        push_decoded(&mut self.text, line.trim_ascii());
                        last.value.end = self.text.len();
                    }
                }
                Some(_) => {
                    let Some(colon) = memchr(b':', line) else {
                        continue;
                    };
                    let name = line[..colon].trim_ascii();
                    if name.is_empty() {
                        continue;
                    }
                    let name = push_decoded(&mut self.text, name);
                    let value = push_decoded(&mut self.text, line[colon + 1..].trim_ascii());
                    self.fields.push(Field { name, value });
                }
            }
        }
        self.validate()
    }

    fn validate(&mut self) -> Result<(), Invalid> {
        let record_id = self.field("WARC-Record-ID").map(|f| f.value.clone());
        let record_id_text = record_id.clone().map(|r| self.text[r].to_owned());
        let invalid = |reason, content_length| Invalid {
            reason,
            content_length,
            record_id: record_id_text.clone(),
        };
        let Some(length) = self.get("Content-Length") else {
            return Err(invalid(
                SkipReason::MissingField {
                    field: "Content-Length",
                },
                None,
            ));
        };
        let content_length = parse_decimal(length).ok_or_else(|| {
            invalid(
                SkipReason::InvalidContentLength {
                    value: clip(length, 64),
                },
                None,
            )
        })?;
        let Some(record_type) = self.get("WARC-Type") else {
            return Err(invalid(
                SkipReason::MissingField { field: "WARC-Type" },
                Some(content_length),
            ));
        };
        self.record_type = RecordType::from_value(record_type);
        let Some(record_id) = record_id else {
            return Err(invalid(
                SkipReason::MissingField {
                    field: "WARC-Record-ID",
                },
                Some(content_length),
            ));
        };
        self.record_id = record_id;
        self.content_length = content_length;
        Ok(())
    }

    fn field(&self, name: &str) -> Option<&Field> {
        self.fields
            .iter()
            .find(|f| self.text[f.name.clone()].eq_ignore_ascii_case(name))
    }

    /// The first value of field `name` (matched case-insensitively).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.field(name).map(|f| &self.text[f.value.clone()])
    }

    /// All fields in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields
            .iter()
            .map(|f| (&self.text[f.name.clone()], &self.text[f.value.clone()]))
    }

    /// The version line, e.g. `WARC/1.0`.
    pub fn version(&self) -> &str {
        &self.text[self.version.clone()]
    }

    /// `WARC-Type`.
    pub fn record_type(&self) -> &RecordType {
        &self.record_type
    }

    /// `WARC-Record-ID`, verbatim (e.g. `<urn:uuid:…>`).
    pub fn record_id(&self) -> &str {
        &self.text[self.record_id.clone()]
    }

    /// `Content-Length`: the size of the record's block.
    pub fn content_length(&self) -> u64 {
        self.content_length
    }

    /// `WARC-Date`.
    pub fn date(&self) -> Option<&str> {
        self.get("WARC-Date")
    }

    /// `WARC-Target-URI` without the angle brackets some writers (wget) put around it.
    pub fn target_uri(&self) -> Option<&str> {
        self.get("WARC-Target-URI").map(|uri| {
            uri.strip_prefix('<')
                .and_then(|u| u.strip_suffix('>'))
                .unwrap_or(uri)
        })
    }

    /// `WARC-Identified-Payload-Type` (CommonCrawl's detected MIME type of the payload).
    pub fn identified_payload_type(&self) -> Option<&str> {
        self.get("WARC-Identified-Payload-Type")
    }

    /// The record's own `Content-Type` (e.g. `application/http; msgtype=response`).
    pub fn content_type(&self) -> Option<&str> {
        self.get("Content-Type")
    }
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Appends `bytes` as UTF-8, or as ISO-8859-1 when they are not UTF-8; returns the new range.
fn push_decoded(text: &mut String, bytes: &[u8]) -> Range<usize> {
    let start = text.len();
    match std::str::from_utf8(bytes) {
        Ok(s) => text.push_str(s),
        Err(_) => text.extend(bytes.iter().map(|&b| char::from(b))),
    }
    start..text.len()
}

/// A non-empty run of ASCII digits that fits in a u64.
fn parse_decimal(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(head: &[u8]) -> Result<WarcHeaders, Invalid> {
        let mut headers = WarcHeaders::empty();
        headers.parse(head).map(|()| headers)
    }

    #[test]
    fn parses_fields_crlf_and_bare_lf() {
        for newline in ["\r\n", "\n"] {
            let head = [
                "WARC/1.1",
                "WARC-Type: response",
                "warc-record-id:<urn:uuid:1>",
                "Content-Length:  42 ",
                "WARC-Target-URI: <https://example.com/a b>",
                "WARC-Identified-Payload-Type: text/html",
                "",
                "",
            ]
            .join(newline);
            let headers = parse(head.as_bytes()).ok().unwrap();
            assert_eq!(headers.version(), "WARC/1.1");
            assert_eq!(headers.record_type(), &RecordType::Response);
            assert_eq!(headers.record_id(), "<urn:uuid:1>");
            assert_eq!(headers.content_length(), 42);
            assert_eq!(headers.target_uri(), Some("https://example.com/a b"));
            assert_eq!(headers.identified_payload_type(), Some("text/html"));
            assert_eq!(headers.get("CONTENT-LENGTH"), Some("42"));
            assert_eq!(headers.iter().count(), 5);
        }
    }

    #[test]
    fn first_occurrence_wins_and_folding_and_junk_lines() {
        let head = b"WARC/1.0\r\nWARC-Type: metadata\r\nWARC-Record-ID: <a>\r\nX: one\r\n  two\r\n\
            no colon here\r\n: no name\r\nX: second\r\nContent-Length: 0\r\n\r\n";
        let headers = parse(head).ok().unwrap();
        assert_eq!(headers.get("x"), Some("one two"));
        assert_eq!(headers.iter().filter(|(n, _)| *n == "X").count(), 2);
        assert_eq!(headers.record_type(), &RecordType::Metadata);
    }

    #[test]
    fn non_utf8_values_are_read_as_latin1() {
        let head = b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <b>\r\n\
            WARC-Target-URI: http://example.com/caf\xe9\r\nContent-Length: 1\r\n\r\n";
        let headers = parse(head).ok().unwrap();
        assert_eq!(headers.target_uri(), Some("http://example.com/café"));
    }

    #[test]
    fn mandatory_fields_and_bad_lengths() {
        let missing_length =
            parse(b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <c>\r\n\r\n");
        let invalid = missing_length.err().unwrap();
        assert_eq!(
            invalid.reason,
            SkipReason::MissingField {
                field: "Content-Length"
            }
        );
        assert_eq!(invalid.content_length, None);
        assert_eq!(invalid.record_id.as_deref(), Some("<c>"));

        for bad in ["-1", "12a", "", "99999999999999999999999", "0x10"] {
            let head = format!("WARC/1.0\r\nWARC-Type: response\r\nContent-Length: {bad}\r\n\r\n");
            let invalid = parse(head.as_bytes()).err().unwrap();
            assert_eq!(invalid.reason.kind(), "invalid_content_length", "{bad}");
            assert_eq!(invalid.content_length, None);
        }

        let no_id = parse(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 7\r\n\r\n");
        let invalid = no_id.err().unwrap();
        assert_eq!(
            invalid.reason,
            SkipReason::MissingField {
                field: "WARC-Record-ID"
            }
        );
        assert_eq!(invalid.content_length, Some(7));

        let no_type = parse(b"WARC/1.0\r\nWARC-Record-ID: <d>\r\nContent-Length: 7\r\n\r\n");
        assert_eq!(
            no_type.err().unwrap().reason,
            SkipReason::MissingField { field: "WARC-Type" }
        );
    }

    #[test]
    fn record_start_needs_a_version_digit() {
        assert!(starts_record(b"WARC/1.0\r\n"));
        assert!(starts_record(b"WARC/0.17"));
        assert!(!starts_record(b"WARC/x"));
        assert!(!starts_record(b"WARC/"));
        assert!(!starts_record(b" WARC/1.0"));
    }

    #[test]
    fn other_record_types_are_kept_verbatim() {
        let headers =
            parse(b"WARC/1.0\nWARC-Type: Response\nWARC-Record-ID: <e>\nContent-Length: 0\n\n")
                .ok()
                .unwrap();
        assert_eq!(headers.record_type(), &RecordType::Other("Response".into()));
        assert_eq!(headers.record_type().as_str(), "Response");
    }
}
