//! What can go wrong while reading a WARC file, split in two: [`WarcError`] is fatal (the byte
//! source itself failed, so iteration stops), [`SkipReason`] is per record (the record, or a run of
//! bytes that is not a record, is skipped and reported as a [`Skipped`] item so callers can count
//! it). Hostile or damaged input only ever produces skips.

use std::io;

/// A fatal error: the underlying source could not be opened or read. Iteration ends after it.
#[derive(Debug, thiserror::Error)]
pub enum WarcError {
    /// The source path could not be opened.
    #[error("cannot open WARC source {path}: {source}")]
    Open {
        /// The path as given.
        path: String,
        /// The operating system's error.
        source: io::Error,
    },
    /// The source names a scheme this module does not read (only local files are read here).
    #[error("unsupported WARC source {0:?}: only local paths and file:// URLs are readable here")]
    UnsupportedSource(String),
    /// Reading the underlying source failed (not a decoding problem: those are skips).
    #[error("reading the WARC source failed near file offset {offset}: {source}")]
    Io {
        /// File offset (compressed bytes) reached when the read failed.
        offset: u64,
        /// The reader's error.
        source: io::Error,
    },
}

/// One record (or run of bytes) that was skipped, where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Where the skipped bytes start, in the same terms as `RecordLocation::offset`: the gzip
    /// member's file offset for gzip input, the byte offset for uncompressed input.
    pub offset: u64,
    /// The record's `WARC-Record-ID` when the header got far enough to name it.
    pub record_id: Option<String>,
    /// Why it was skipped.
    pub reason: SkipReason,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "skipped at offset {}", self.offset)?;
        if let Some(id) = &self.record_id {
            write!(f, " (record {id})")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Why a record or a run of bytes was skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    /// Bytes that are neither a gzip member nor a `WARC/` record start were passed over while
    /// resynchronising.
    #[error("{bytes} bytes of garbage before the next record")]
    Garbage {
        /// How many bytes were passed over.
        bytes: u64,
    },
    /// A gzip member that decompressed to nothing but blank lines.
    #[error("gzip member holds no record")]
    EmptyMember,
    /// The deflate data or the gzip checksum of a member is damaged.
    #[error("corrupt gzip member: {detail}")]
    CorruptGzip {
        /// flate2's description of the damage.
        detail: String,
    },
    /// The input ended inside a gzip member.
    #[error("input ends inside a gzip member")]
    TruncatedGzip,
    /// The record's header block did not end (blank line) before its member or the input did.
    #[error("record header is cut off before its blank line")]
    HeaderIncomplete,
    /// The record's header block is longer than the configured limit.
    #[error("record header exceeds {limit} bytes")]
    HeaderTooLong {
        /// The configured limit.
        limit: usize,
    },
    /// The record's header has more lines than the configured limit.
    #[error("record header has more than {limit} lines")]
    TooManyHeaderFields {
        /// The configured limit.
        limit: usize,
    },
    /// A field the WARC standard makes mandatory (and this reader needs) is absent.
    #[error("record lacks the mandatory {field} field")]
    MissingField {
        /// The field's name.
        field: &'static str,
    },
    /// `Content-Length` is not a decimal number that fits in 64 bits.
    #[error("invalid Content-Length {value:?}")]
    InvalidContentLength {
        /// The value, cut to 64 characters.
        value: String,
    },
    /// The record's block is larger than the configured limit; it was streamed past unread.
    #[error("record of {length} bytes exceeds the {limit}-byte limit")]
    RecordTooLarge {
        /// The declared `Content-Length`.
        length: u64,
        /// The configured limit.
        limit: u64,
    },
    /// The block ended (member or input end) before `Content-Length` bytes were read.
    #[error("record block has {available} of its {expected} declared bytes")]
    TruncatedRecord {
        /// The declared `Content-Length`.
        expected: u64,
        /// Bytes actually present.
        available: u64,
    },
    /// The HTTP response head of a `response` record could not be parsed.
    #[error("malformed HTTP response head: {detail}")]
    MalformedHttp {
        /// What was wrong.
        detail: String,
    },
    /// The payload uses a `Content-Encoding` this reader does not decode.
    #[error("unsupported Content-Encoding {encoding:?}")]
    UnsupportedContentEncoding {
        /// The header's value, cut to 64 characters.
        encoding: String,
    },
    /// Undoing the `Content-Encoding` produced more than the configured limit.
    #[error("decoded payload exceeds {limit} bytes")]
    DecodedTooLarge {
        /// The configured limit.
        limit: u64,
    },
    /// The selected record's payload is empty.
    #[error("empty payload")]
    EmptyPayload,
    /// The payload is not UTF-8 and the detected (or declared) charset does not decode it cleanly.
    #[error("payload is not valid UTF-8 nor valid {charset}")]
    Undecodable {
        /// The last charset tried.
        charset: &'static str,
    },
}

impl SkipReason {
    /// A stable snake_case name per variant, for counters and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            SkipReason::Garbage { .. } => "garbage",
            SkipReason::EmptyMember => "empty_member",
            SkipReason::CorruptGzip { .. } => "corrupt_gzip",
            SkipReason::TruncatedGzip => "truncated_gzip",
            SkipReason::HeaderIncomplete => "header_incomplete",
            SkipReason::HeaderTooLong { .. } => "header_too_long",
            SkipReason::TooManyHeaderFields { .. } => "too_many_header_fields",
            SkipReason::MissingField { .. } => "missing_field",
            SkipReason::InvalidContentLength { .. } => "invalid_content_length",
            SkipReason::RecordTooLarge { .. } => "record_too_large",
            SkipReason::TruncatedRecord { .. } => "truncated_record",
            SkipReason::MalformedHttp { .. } => "malformed_http",
            SkipReason::UnsupportedContentEncoding { .. } => "unsupported_content_encoding",
            SkipReason::DecodedTooLarge { .. } => "decoded_too_large",
            SkipReason::EmptyPayload => "empty_payload",
            SkipReason::Undecodable { .. } => "undecodable",
        }
    }
}

/// `text` cut to at most `max` characters, for error values quoted from hostile input.
pub(super) fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_problem_and_place() {
        let skipped = Skipped {
            offset: 940,
            record_id: Some("<urn:uuid:x>".into()),
            reason: SkipReason::RecordTooLarge {
                length: 2_000_000_000,
                limit: 64 << 20,
            },
        };
        assert_eq!(
            skipped.to_string(),
            "skipped at offset 940 (record <urn:uuid:x>): record of 2000000000 bytes exceeds the \
             67108864-byte limit"
        );
        assert_eq!(skipped.reason.kind(), "record_too_large");
    }

    #[test]
    fn clip_counts_characters_not_bytes() {
        assert_eq!(clip("ééé", 2), "éé");
        assert_eq!(clip("ab", 5), "ab");
    }
}
