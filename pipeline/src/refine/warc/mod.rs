//! Reading WARC files (ISO 28500, WARC/1.0 and 1.1) as the first step of the refine pipeline.
//!
//! Two levels:
//! - [`WarcReader`]: every record, with its headers, block and [`RecordLocation`] (the gzip
//!   member's compressed offset and length, which a validator Range-fetches to re-run a record).
//!   Streams from any `Read`: multi-member gzip (one record per member, as CommonCrawl writes),
//!   single-member gzip holding many records, or uncompressed. Memory stays bounded by
//!   [`ReaderConfig`] whatever the input.
//! - [`DocumentReader`]: the records datatrove 0.2.0's `WarcReader` keeps (response/conversion,
//!   MIME `text/html`), payload decoded to text: what extraction consumes.
//!
//! Errors: a failing source is fatal ([`WarcError`], iteration ends); everything wrong with the
//! data itself (truncated or corrupt gzip, garbage between records, oversized or malformed
//! records, undecodable payloads) yields a [`Skipped`] item with a [`SkipReason`] and reading
//! goes on. The rules for resynchronising and for offsets are in `input` and `reader`; the
//! selection rules and where they differ from datatrove in `select`, `http` and `charset`.
//! [`WarcWriter`] writes WARC files for tests and the synthetic corpus generator.

mod charset;
mod error;
mod headers;
mod http;
mod input;
mod reader;
mod select;
mod writer;

#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod hostile_tests;

use std::io::Read;

pub use error::{SkipReason, Skipped, WarcError};
pub use headers::{RecordType, WarcHeaders};
pub use reader::{
    Event, ReaderConfig, RecordItem, RecordLocation, RecordView, WarcReader, WarcRecord,
};
pub use select::{DocumentReader, SelectionStats, WarcDocument, WarcItem};
pub use writer::{HttpResponse, WarcWriter, WrittenRecord, record_id_for};

/// Opens a local WARC file (a path or a `file://` URL) for reading. Other schemes are refused:
/// remote fetching belongs to the caller, which can pass any `Read` to the readers.
pub fn open(source: &str) -> Result<Box<dyn Read + Send>, WarcError> {
    let path = match source.split_once("://") {
        None => source,
        Some(("file", path)) => path,
        Some(_) => return Err(WarcError::UnsupportedSource(source.to_owned())),
    };
    let file = std::fs::File::open(path).map_err(|source| WarcError::Open {
        path: path.to_owned(),
        source,
    })?;
    Ok(Box::new(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_reads_local_paths_and_refuses_remote_ones() {
        let missing = open("/nonexistent/nya/file.warc.gz").err().unwrap();
        assert!(
            matches!(missing, WarcError::Open { ref path, .. } if path == "/nonexistent/nya/file.warc.gz")
        );
        assert!(
            missing
                .to_string()
                .contains("/nonexistent/nya/file.warc.gz")
        );
        let remote = open("https://data.commoncrawl.org/x.warc.gz")
            .err()
            .unwrap();
        assert!(matches!(remote, WarcError::UnsupportedSource(_)));

        let Some(path) =
            nya_metadata::fixtures::path("refine/warc/cc-main-2024-22-one-page.warc.gz")
        else {
            return;
        };
        let path = path.to_str().unwrap().to_owned();
        for source in [path.clone(), format!("file://{path}")] {
            let reader = WarcReader::new(open(&source).unwrap());
            assert_eq!(
                reader
                    .filter(|item| matches!(item, Ok(RecordItem::Record(_))))
                    .count(),
                4
            );
        }
    }
}
