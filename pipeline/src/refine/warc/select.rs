//! Which records become documents, as datatrove 0.2.0's `WarcReader` (`process_record`) decides,
//! and their payloads decoded to text.
//!
//! - Record type: `response` and `conversion` (WET) only.
//! - MIME: when `WARC-Identified-Payload-Type` is present it must be exactly `text/html`, or
//!   `text/plain` for a conversion record (so CommonCrawl's `application/xhtml+xml` pages are
//!   dropped, as in FineWeb). When it is absent (wget, older crawls) datatrove sniffs the payload
//!   with libmagic; here the declared type decides instead: the HTTP `Content-Type` of a response
//!   (the record's own `Content-Type` for a non-HTTP block or a conversion), and only when that is
//!   absent too, the WHATWG HTML signature sniff (a conversion record with no type at all is
//!   kept: WET blocks are text). So a page served as `text/html` that libmagic would call
//!   `text/xml` or `text/plain` is kept here, and the reverse.
//! - Payload: the HTTP head is removed and transfer/content codings undone (see `http`), then the
//!   bytes are decoded (see `charset`). Undecodable payloads are skipped with a reason.
//! - Fields: id = `WARC-Record-ID`, url = `WARC-Target-URI` (angle brackets stripped),
//!   date = `WARC-Date`. datatrove crashes on records without them; here they are skipped.
//! - Deviations besides the MIME fallback: empty payloads are skipped (datatrove yields an empty
//!   document that later steps drop); unsupported content codings are skipped (see `http`).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Read;

use super::charset;
use super::error::{SkipReason, Skipped, WarcError};
use super::headers::{RecordType, WarcHeaders};
use super::http::{self, ResponseHead};
use super::reader::{Event, ReaderConfig, RecordLocation, RecordView, WarcReader};

/// A selected record, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarcDocument {
    /// `WARC-Record-ID`, verbatim (`<urn:uuid:…>`).
    pub id: String,
    /// `WARC-Target-URI`, without angle brackets.
    pub url: String,
    /// `WARC-Date`.
    pub date: String,
    /// `Response` or `Conversion`.
    pub record_type: RecordType,
    /// Where the record is in the file.
    pub location: RecordLocation,
    /// `WARC-Identified-Payload-Type`, if present.
    pub identified_payload_type: Option<String>,
    /// The HTTP status, for response records with an HTTP block.
    pub http_status: Option<u16>,
    /// The encoding the payload was decoded with (encoding_rs name, e.g. `UTF-8`).
    pub encoding: &'static str,
    /// The decoded payload: HTML for responses, text for conversion records.
    pub content: String,
}

/// What [`DocumentReader`] yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarcItem {
    /// A selected, decoded record.
    Document(WarcDocument),
    /// A record (or run of bytes) that was selected or unreadable but could not be used.
    Skipped(Skipped),
}

/// Counters over everything a [`DocumentReader`] has read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelectionStats {
    /// Records whose headers were read.
    pub records: u64,
    /// Documents yielded.
    pub documents: u64,
    /// Records of other types (request, metadata, warcinfo, …).
    pub other_types: u64,
    /// Response or conversion records whose payload type is not selected.
    pub not_html: u64,
    /// Skips by [`SkipReason::kind`].
    pub skipped: BTreeMap<&'static str, u64>,
}

/// datatrove's record-type rule.
fn selected_type(record_type: &RecordType) -> bool {
    matches!(record_type, RecordType::Response | RecordType::Conversion)
}

/// datatrove's `WARC-Identified-Payload-Type` rule (absent passes, to be decided on the payload).
fn identified_type_allowed(headers: &WarcHeaders) -> bool {
    let conversion = *headers.record_type() == RecordType::Conversion;
    headers
        .identified_payload_type()
        .is_none_or(|mime| mime == "text/html" || (conversion && mime == "text/plain"))
}

fn media_type_allowed(mime: &str, conversion: bool) -> bool {
    mime == "text/html" || (conversion && mime == "text/plain")
}

/// Yields the documents of a WARC file as datatrove's `WarcReader` selects them (see the module
/// doc), plus a [`WarcItem::Skipped`] for every record that could not be used.
pub struct DocumentReader<R> {
    reader: WarcReader<R>,
    stats: SelectionStats,
}

impl<R: Read> DocumentReader<R> {
    /// A reader with the default limits.
    pub fn new(source: R) -> Self {
        Self::with_config(source, ReaderConfig::default())
    }

    /// A reader with the given limits (`max_record_bytes` also caps decoded payloads).
    pub fn with_config(source: R, config: ReaderConfig) -> Self {
        DocumentReader {
            reader: WarcReader::with_config(source, config),
            stats: SelectionStats::default(),
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> &SelectionStats {
        &self.stats
    }

    fn skipped(&mut self, skipped: Skipped) -> WarcItem {
        *self.stats.skipped.entry(skipped.reason.kind()).or_default() += 1;
        WarcItem::Skipped(skipped)
    }
}

impl<R: Read> Iterator for DocumentReader<R> {
    type Item = Result<WarcItem, WarcError>;

    fn next(&mut self) -> Option<Self::Item> {
        let limit = self.reader.config().max_record_bytes;
        loop {
            let event = self.reader.next_event(|headers| {
                selected_type(headers.record_type()) && identified_type_allowed(headers)
            });
            let view = match event {
                Err(error) => return Some(Err(error)),
                Ok(None) => return None,
                Ok(Some(Event::Skipped(skipped))) => return Some(Ok(self.skipped(skipped))),
                Ok(Some(Event::Record(view))) => view,
            };
            self.stats.records += 1;
            if view.block.is_none() {
                if selected_type(view.headers.record_type()) {
                    self.stats.not_html += 1;
                } else {
                    self.stats.other_types += 1;
                }
                continue;
            }
            match extract(&view, limit) {
                Ok(document) => {
                    self.stats.documents += 1;
                    return Some(Ok(WarcItem::Document(document)));
                }
                Err(Rejection::NotHtml) => self.stats.not_html += 1,
                Err(Rejection::Skip(reason)) => {
                    let skipped = Skipped {
                        offset: view.location.offset,
                        record_id: Some(view.headers.record_id().to_owned()),
                        reason,
                    };
                    return Some(Ok(self.skipped(skipped)));
                }
            }
        }
    }
}

enum Rejection {
    NotHtml,
    Skip(SkipReason),
}

impl From<SkipReason> for Rejection {
    fn from(reason: SkipReason) -> Self {
        Rejection::Skip(reason)
    }
}

/// True when the block is an HTTP message: the record says `application/http`, or says nothing
/// and the block starts like a status line.
fn is_http_block(headers: &WarcHeaders, block: &[u8]) -> bool {
    match headers.content_type() {
        Some(content_type) => http::media_type(content_type.as_bytes()) == "application/http",
        None => block.starts_with(b"HTTP/"),
    }
}

/// Decodes one selected record into a document.
fn extract(view: &RecordView<'_>, limit: u64) -> Result<WarcDocument, Rejection> {
    let headers = view.headers;
    let block = view.block.unwrap_or_default();
    let missing = |field| Rejection::Skip(SkipReason::MissingField { field });
    let url = headers
        .target_uri()
        .ok_or_else(|| missing("WARC-Target-URI"))?;
    let date = headers.date().ok_or_else(|| missing("WARC-Date"))?;
    let conversion = *headers.record_type() == RecordType::Conversion;
    let identified = headers.identified_payload_type();
    if block.is_empty() {
        return Err(SkipReason::EmptyPayload.into());
    }

    let head = if !conversion && is_http_block(headers, block) {
        Some(http::parse_response_head(block)?)
    } else {
        None
    };
    let (payload, declared_type, charset_hint) = match &head {
        Some(ResponseHead {
            head_len,
            content_type,
            ..
        }) => (
            &block[*head_len..],
            *content_type,
            content_type.and_then(http::charset_param),
        ),
        None => (block, headers.content_type().map(str::as_bytes), None),
    };
    let declared_mime = declared_type.map(http::media_type);
    if identified.is_none()
        && let Some(mime) = &declared_mime
        && !media_type_allowed(mime, conversion)
    {
        return Err(Rejection::NotHtml);
    }

    let mut payload = Cow::Borrowed(payload);
    if let Some(head) = &head {
        if head.chunked {
            payload = Cow::Owned(http::dechunk(&payload));
        }
        if let Some(coding) = head.content_encoding {
            payload = http::decode_content(payload, coding, limit)?;
        }
    }
    if payload.is_empty() {
        return Err(SkipReason::EmptyPayload.into());
    }
    if identified.is_none()
        && declared_mime.is_none()
        && !conversion
        && !http::sniffs_as_html(&payload)
    {
        return Err(Rejection::NotHtml);
    }

    let decoded = charset::decode(&payload, charset_hint, url).map_err(|encoding| {
        SkipReason::Undecodable {
            charset: encoding.name(),
        }
    })?;
    Ok(WarcDocument {
        id: headers.record_id().to_owned(),
        url: url.to_owned(),
        date: date.to_owned(),
        record_type: headers.record_type().clone(),
        location: view.location,
        identified_payload_type: identified.map(str::to_owned),
        http_status: head.map(|h| h.status),
        encoding: decoded.encoding.name(),
        content: decoded.text,
    })
}
