//! Writes WARC/1.0 files: each record as its own gzip member (CommonCrawl's layout, so every
//! record can be Range-fetched on its own) or uncompressed. Used by tests and by the synthetic
//! corpus generator.
//!
//! Record layout: `WARC/1.0`, the caller's fields, `Content-Length`, a blank line, the block, and
//! two CRLFs. Record ids made by [`record_id_for`] are UUID-shaped and derived from SHA-256 of the
//! record's content, so a generated corpus is byte-for-byte reproducible.

use std::io::{self, Write};

use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};

use super::reader::RecordLocation;

/// Writes records to `W`, tracking each one's location.
pub struct WarcWriter<W: Write> {
    out: W,
    offset: u64,
    /// `None` writes uncompressed records.
    compression: Option<Compression>,
    record: Vec<u8>,
    member: Vec<u8>,
}

/// A record written by one of the typed helpers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenRecord {
    /// The `WARC-Record-ID` it was given.
    pub record_id: String,
    /// Where it is in the output.
    pub location: RecordLocation,
}

/// An HTTP response to store as a `response` record.
#[derive(Debug, Clone, Copy)]
pub struct HttpResponse<'a> {
    /// `WARC-Target-URI`.
    pub target_uri: &'a str,
    /// `WARC-Date` (ISO 8601, e.g. `2024-05-18T01:58:10Z`).
    pub date: &'a str,
    /// HTTP status code.
    pub status: u16,
    /// HTTP reason phrase.
    pub reason: &'a str,
    /// HTTP headers, in order.
    pub headers: &'a [(&'a str, &'a str)],
    /// The payload, as stored (any codings named in `headers` must already be applied).
    pub body: &'a [u8],
    /// `WARC-Identified-Payload-Type`, as CommonCrawl writes it; `None` omits the field (wget).
    pub identified_payload_type: Option<&'a str>,
}

/// A deterministic UUID-shaped record id, `<urn:uuid:…>`, from SHA-256 over `parts`
/// (length-prefixed so that part boundaries matter). Version nibble 8 (custom), RFC 9562 variant.
pub fn record_id_for(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let mut bytes: [u8; 16] = [0; 16];
    bytes.copy_from_slice(&hasher.finalize()[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!(
        "<urn:uuid:{}-{}-{}-{}-{}>",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn sha256_label(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

impl<W: Write> WarcWriter<W> {
    /// One gzip member per record, compression level 6.
    pub fn new(out: W) -> Self {
        Self::with_compression(out, Some(Compression::default()))
    }

    /// Uncompressed records.
    pub fn uncompressed(out: W) -> Self {
        Self::with_compression(out, None)
    }

    /// One gzip member per record at `compression`, or uncompressed for `None`.
    pub fn with_compression(out: W, compression: Option<Compression>) -> Self {
        WarcWriter {
            out,
            offset: 0,
            compression,
            record: Vec::new(),
            member: Vec::new(),
        }
    }

    /// Bytes written so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Writes one record: `WARC/1.0`, `fields` (which must include `WARC-Type`,
    /// `WARC-Record-ID` and `WARC-Date`, and must not include `Content-Length`), then `block`.
    /// Names or values with CR/LF, and names with `:`, are refused (they would forge fields).
    pub fn write_record(
        &mut self,
        fields: &[(&str, &str)],
        block: &[u8],
    ) -> io::Result<RecordLocation> {
        for (name, value) in fields {
            if name.is_empty() || name.contains([':', '\r', '\n']) || value.contains(['\r', '\n']) {
                return Err(invalid(format!(
                    "WARC field {name:?}: {value:?} is not writable"
                )));
            }
            if name.eq_ignore_ascii_case("Content-Length") {
                return Err(invalid("Content-Length is computed by the writer".into()));
            }
        }
        self.record.clear();
        self.record.extend_from_slice(b"WARC/1.0\r\n");
        for (name, value) in fields {
            for part in [name.as_bytes(), b": ", value.as_bytes(), b"\r\n"] {
                self.record.extend_from_slice(part);
            }
        }
        self.record
            .extend_from_slice(format!("Content-Length: {}\r\n\r\n", block.len()).as_bytes());
        self.record.extend_from_slice(block);
        self.record.extend_from_slice(b"\r\n\r\n");

        let bytes = match self.compression {
            Some(level) => {
                let mut encoder = GzEncoder::new(std::mem::take(&mut self.member), level);
                encoder.write_all(&self.record)?;
                self.member = encoder.finish()?;
                &self.member
            }
            None => &self.record,
        };
        self.out.write_all(bytes)?;
        let location = RecordLocation {
            offset: self.offset,
            length: Some(bytes.len() as u64),
            inner_offset: 0,
        };
        self.offset += bytes.len() as u64;
        self.member.clear();
        Ok(location)
    }

    /// A `warcinfo` record with `application/warc-fields` content.
    pub fn write_warcinfo(
        &mut self,
        date: &str,
        filename: &str,
        info: &[(&str, &str)],
    ) -> io::Result<WrittenRecord> {
        let mut block = String::new();
        for (name, value) in info {
            if name.contains([':', '\r', '\n']) || value.contains(['\r', '\n']) {
                return Err(invalid(format!(
                    "warcinfo field {name:?}: {value:?} is not writable"
                )));
            }
            block.push_str(&format!("{name}: {value}\r\n"));
        }
        let record_id = record_id_for(&[
            b"warcinfo",
            filename.as_bytes(),
            date.as_bytes(),
            block.as_bytes(),
        ]);
        let location = self.write_record(
            &[
                ("WARC-Type", "warcinfo"),
                ("WARC-Date", date),
                ("WARC-Filename", filename),
                ("WARC-Record-ID", &record_id),
                ("Content-Type", "application/warc-fields"),
            ],
            block.as_bytes(),
        )?;
        Ok(WrittenRecord {
            record_id,
            location,
        })
    }

    /// A `response` record holding the HTTP status line, headers and body.
    pub fn write_response(&mut self, response: &HttpResponse<'_>) -> io::Result<WrittenRecord> {
        let HttpResponse {
            target_uri,
            date,
            status,
            reason,
            headers,
            body,
            identified_payload_type,
        } = *response;
        let mut block = format!("HTTP/1.1 {status} {reason}\r\n").into_bytes();
        for (name, value) in headers {
            if name.is_empty() || name.contains([':', '\r', '\n']) || value.contains(['\r', '\n']) {
                return Err(invalid(format!(
                    "HTTP header {name:?}: {value:?} is not writable"
                )));
            }
            block.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        block.extend_from_slice(b"\r\n");
        block.extend_from_slice(body);
        let record_id =
            record_id_for(&[b"response", target_uri.as_bytes(), date.as_bytes(), &block]);
        let block_digest = sha256_label(&block);
        let payload_digest = sha256_label(body);
        let mut fields = vec![
            ("WARC-Type", "response"),
            ("WARC-Date", date),
            ("WARC-Record-ID", record_id.as_str()),
            ("Content-Type", "application/http; msgtype=response"),
            ("WARC-Target-URI", target_uri),
            ("WARC-Block-Digest", block_digest.as_str()),
            ("WARC-Payload-Digest", payload_digest.as_str()),
        ];
        if let Some(mime) = identified_payload_type {
            fields.push(("WARC-Identified-Payload-Type", mime));
        }
        let location = self.write_record(&fields, &block)?;
        Ok(WrittenRecord {
            record_id,
            location,
        })
    }

    /// Flushes and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{RecordItem, WarcReader};
    use super::*;

    #[test]
    fn record_ids_are_deterministic_uuid_shaped_and_boundary_sensitive() {
        let id = record_id_for(&[b"ab", b"c"]);
        assert_eq!(id, record_id_for(&[b"ab", b"c"]));
        assert_ne!(id, record_id_for(&[b"a", b"bc"]));
        let uuid = id
            .strip_prefix("<urn:uuid:")
            .and_then(|u| u.strip_suffix('>'))
            .unwrap();
        let groups: Vec<usize> = uuid.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert_eq!(&uuid[14..15], "8");
        assert!(matches!(&uuid[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn refuses_fields_that_would_forge_headers() {
        let mut writer = WarcWriter::new(Vec::new());
        for fields in [
            &[("WARC-Type", "response\r\nContent-Length: 1")][..],
            &[("Bad:Name", "x")],
            &[("", "x")],
            &[("content-length", "5")],
        ] {
            let error = writer.write_record(fields, b"").unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
        }
        let response = HttpResponse {
            target_uri: "https://example.com/",
            date: "2024-01-01T00:00:00Z",
            status: 200,
            reason: "OK",
            headers: &[("X-Injected", "a\r\n\r\n<html>")],
            body: b"",
            identified_payload_type: None,
        };
        assert!(writer.write_response(&response).is_err());
        assert_eq!(writer.offset(), 0, "nothing was written");
    }

    #[test]
    fn uncompressed_output_is_byte_exact() {
        let mut writer = WarcWriter::uncompressed(Vec::new());
        let location = writer
            .write_record(
                &[("WARC-Type", "resource"), ("WARC-Record-ID", "<urn:x>")],
                b"hello",
            )
            .unwrap();
        let bytes = writer.finish().unwrap();
        let expected = b"WARC/1.0\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:x>\r\n\
            Content-Length: 5\r\n\r\nhello\r\n\r\n";
        assert_eq!(bytes, expected);
        assert_eq!(
            location,
            RecordLocation {
                offset: 0,
                length: Some(expected.len() as u64),
                inner_offset: 0
            }
        );
    }

    #[test]
    fn response_records_carry_digests_and_read_back() {
        let mut writer = WarcWriter::new(Vec::new());
        let info = writer
            .write_warcinfo("2024-01-01T00:00:00Z", "t.warc.gz", &[("software", "nya")])
            .unwrap();
        let body = b"<html><p>hi</p></html>";
        let written = writer
            .write_response(&HttpResponse {
                target_uri: "https://example.com/",
                date: "2024-01-01T00:00:00Z",
                status: 404,
                reason: "Not Found",
                headers: &[("Content-Type", "text/html")],
                body,
                identified_payload_type: Some("text/html"),
            })
            .unwrap();
        assert_eq!(written.location.offset, info.location.length.unwrap());
        let bytes = writer.finish().unwrap();
        let records: Vec<_> = WarcReader::new(&bytes[..])
            .map(|item| match item.unwrap() {
                RecordItem::Record(record) => record,
                RecordItem::Skipped(skipped) => panic!("{skipped}"),
            })
            .collect();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].block, b"software: nya\r\n");
        let response = &records[1];
        assert_eq!(response.headers.record_id(), written.record_id);
        assert_eq!(
            response.headers.identified_payload_type(),
            Some("text/html")
        );
        assert!(response.block.starts_with(b"HTTP/1.1 404 Not Found\r\n"));
        assert!(response.block.ends_with(body));
        assert_eq!(
            response.headers.get("WARC-Payload-Digest"),
            Some(sha256_label(body).as_str())
        );
        assert_eq!(
            response.headers.get("WARC-Block-Digest"),
            Some(sha256_label(&response.block).as_str())
        );
    }
}
