//! Where a refined row came from: enough to Range-fetch its WARC record and re-run the pipeline.
//!
//! Every refined row carries four provenance columns:
//!
//! - `warc_path`: the `.warc.gz` file, either relative to the CommonCrawl root
//!   (`crawl-data/CC-MAIN-2020-34/segments/1596439735792.85/warc/CC-MAIN-…-00000.warc.gz`) or an
//!   absolute `https://`, `http://` or `file://` URL (the last for local runs). Relative paths are
//!   printable ASCII without spaces, `\`, `?` or `#`, with no empty, `.` or `..` segment and no
//!   leading `/`; at most [`MAX_LOCATION_LEN`] bytes.
//! - `record_offset`, `record_length`: the byte offset and length of the record's **gzip
//!   member** inside the compressed `.warc.gz` (CommonCrawl writes one member per record, which
//!   is what its own CDX index stores). A validator fetches
//!   `Range: bytes=OFFSET-(OFFSET+LENGTH-1)` (inclusive end, RFC 9110) and gunzips that member
//!   alone to get exactly one WARC record. The length is never 0.
//! - `warc_record_id`: the record's `WARC-Record-ID`, `<urn:uuid:8-4-4-4-12 hex>` (either case:
//!   CommonCrawl writes lowercase, wget uppercase), so the fetched record can be checked to be
//!   the right one.

use serde::{Deserialize, Serialize};

use crate::task::excerpt;

/// Longest WARC location (path or URL), in bytes.
pub const MAX_LOCATION_LEN: usize = 2_048;

/// URL schemes a WARC location or a base may use.
const URL_SCHEMES: [&str; 3] = ["https://", "http://", "file://"];
/// `<urn:uuid:` + 36 + `>`.
const RECORD_ID_PREFIX: &str = "<urn:uuid:";

/// Why a provenance value is unusable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProvenanceError {
    /// The WARC location breaks the path/URL rules.
    #[error("WARC location {location:?}: {reason}")]
    Location {
        /// The location (shortened).
        location: String,
        /// What was wrong.
        reason: &'static str,
    },
    /// The base URL given to [`Provenance::url`] is unusable.
    #[error("base URL {base:?}: {reason}")]
    Base {
        /// The base (shortened).
        base: String,
        /// What was wrong.
        reason: &'static str,
    },
    /// The record id is not `<urn:uuid:…>`.
    #[error(
        "WARC-Record-ID {id:?} is not of the form <urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx>"
    )]
    RecordId {
        /// The id (shortened).
        id: String,
    },
    /// A record length of 0 names no bytes.
    #[error("record length is 0")]
    ZeroLength,
    /// offset + length does not fit in a u64.
    #[error("record offset {offset} + length {length} overflows u64")]
    RangeOverflow {
        /// The offset.
        offset: u64,
        /// The length.
        length: u64,
    },
}

/// Where one refined row came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// The `.warc.gz` file: CommonCrawl-relative path or URL.
    pub warc_path: String,
    /// Offset of the record's gzip member in the compressed file.
    pub record_offset: u64,
    /// Length of that gzip member, in bytes.
    pub record_length: u64,
    /// The record's `WARC-Record-ID`, `<urn:uuid:…>`.
    pub warc_record_id: String,
}

impl Provenance {
    /// A checked provenance.
    pub fn new(
        warc_path: impl Into<String>,
        record_offset: u64,
        record_length: u64,
        warc_record_id: impl Into<String>,
    ) -> Result<Self, ProvenanceError> {
        let provenance = Provenance {
            warc_path: warc_path.into(),
            record_offset,
            record_length,
            warc_record_id: warc_record_id.into(),
        };
        provenance.validate()?;
        Ok(provenance)
    }

    /// Checks every field (for values read from a dataset).
    pub fn validate(&self) -> Result<(), ProvenanceError> {
        validate_warc_location(&self.warc_path)?;
        validate_warc_record_id(&self.warc_record_id)?;
        self.inclusive_end().map(|_| ())
    }

    /// Last byte of the record, inclusive.
    fn inclusive_end(&self) -> Result<u64, ProvenanceError> {
        if self.record_length == 0 {
            return Err(ProvenanceError::ZeroLength);
        }
        self.record_offset
            .checked_add(self.record_length - 1)
            .ok_or(ProvenanceError::RangeOverflow {
                offset: self.record_offset,
                length: self.record_length,
            })
    }

    /// The HTTP `Range` header value that fetches exactly this record: `bytes=OFFSET-END`,
    /// END inclusive.
    pub fn range_header(&self) -> Result<String, ProvenanceError> {
        let end = self.inclusive_end()?;
        Ok(format!("bytes={}-{end}", self.record_offset))
    }

    /// The URL of the WARC file: `warc_path` itself when it is a URL, else `base` + `/` +
    /// `warc_path` (e.g. base `https://data.commoncrawl.org`).
    pub fn url(&self, base: &str) -> Result<String, ProvenanceError> {
        match validate_warc_location(&self.warc_path)? {
            WarcLocation::Url => Ok(self.warc_path.clone()),
            WarcLocation::Relative => {
                validate_base(base)?;
                Ok(format!("{}/{}", base.trim_end_matches('/'), self.warc_path))
            }
        }
    }
}

/// What kind of WARC location a string is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WarcLocation {
    /// A path relative to a base (the CommonCrawl root).
    Relative,
    /// An absolute URL.
    Url,
}

/// Checks a WARC location (rules in the module doc) and says which kind it is.
pub fn validate_warc_location(location: &str) -> Result<WarcLocation, ProvenanceError> {
    let fail = |reason| ProvenanceError::Location {
        location: excerpt(location),
        reason,
    };
    if location.is_empty() {
        return Err(fail("is empty"));
    }
    if location.len() > MAX_LOCATION_LEN {
        return Err(fail("is longer than 2048 bytes"));
    }
    if !location.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(fail(
            "has a byte that is not printable ASCII (space, control or non-ASCII)",
        ));
    }
    if location.contains('\\') {
        return Err(fail("contains '\\'"));
    }
    if let Some(rest) = URL_SCHEMES.iter().find_map(|s| location.strip_prefix(s)) {
        if rest.is_empty() {
            return Err(fail("URL has nothing after the scheme"));
        }
        return Ok(WarcLocation::Url);
    }
    if location.contains("://") {
        return Err(fail("URL scheme must be https://, http:// or file://"));
    }
    if location.starts_with('/') {
        return Err(fail(
            "is an absolute path; use a path relative to the CommonCrawl root or a URL",
        ));
    }
    if location.contains(['?', '#']) {
        return Err(fail("relative path contains '?' or '#'"));
    }
    if location
        .split('/')
        .any(|segment| matches!(segment, "" | "." | ".."))
    {
        return Err(fail("relative path has an empty, '.' or '..' segment"));
    }
    Ok(WarcLocation::Relative)
}

/// A base URL: one of the allowed schemes, printable ASCII, no query or fragment.
fn validate_base(base: &str) -> Result<(), ProvenanceError> {
    let fail = |reason| ProvenanceError::Base {
        base: excerpt(base),
        reason,
    };
    let Some(rest) = URL_SCHEMES.iter().find_map(|s| base.strip_prefix(s)) else {
        return Err(fail("must start with https://, http:// or file://"));
    };
    if rest.trim_end_matches('/').is_empty() && !base.starts_with("file://") {
        return Err(fail("has no host"));
    }
    if !base.bytes().all(|b| b.is_ascii_graphic()) || base.contains(['\\', '?', '#']) {
        return Err(fail(
            "must be printable ASCII without spaces, '\\', '?' or '#'",
        ));
    }
    Ok(())
}

/// Checks `<urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx>` (hex of either case).
pub fn validate_warc_record_id(id: &str) -> Result<(), ProvenanceError> {
    let uuid = id
        .strip_prefix(RECORD_ID_PREFIX)
        .and_then(|rest| rest.strip_suffix('>'));
    let well_formed = uuid.is_some_and(|uuid| {
        let groups: Vec<&str> = uuid.split('-').collect();
        groups.len() == 5
            && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, len)| {
                group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit())
            })
    });
    if well_formed {
        Ok(())
    } else {
        Err(ProvenanceError::RecordId { id: excerpt(id) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CC_PATH: &str = "crawl-data/CC-MAIN-2020-34/segments/1596439735792.85/warc/CC-MAIN-20200803083123-20200803113123-00000.warc.gz";
    const RECORD_ID: &str = "<urn:uuid:bf152d21-9d43-435a-891c-89fd9743b4cd>";

    #[test]
    fn range_header_is_inclusive() {
        let p = Provenance::new(CC_PATH, 1000, 500, RECORD_ID).unwrap();
        assert_eq!(p.range_header().unwrap(), "bytes=1000-1499");
        let one = Provenance::new(CC_PATH, 0, 1, RECORD_ID).unwrap();
        assert_eq!(one.range_header().unwrap(), "bytes=0-0");
        let last = Provenance::new(CC_PATH, u64::MAX - 9, 10, RECORD_ID).unwrap();
        assert_eq!(
            last.range_header().unwrap(),
            format!("bytes={}-{}", u64::MAX - 9, u64::MAX)
        );
    }

    #[test]
    fn zero_length_and_overflow_are_rejected() {
        assert_eq!(
            Provenance::new(CC_PATH, 5, 0, RECORD_ID).unwrap_err(),
            ProvenanceError::ZeroLength
        );
        let err = Provenance::new(CC_PATH, u64::MAX - 8, 10, RECORD_ID).unwrap_err();
        assert_eq!(
            err,
            ProvenanceError::RangeOverflow {
                offset: u64::MAX - 8,
                length: 10
            }
        );
        // The public fields can be set directly; range_header checks again.
        let mut p = Provenance::new(CC_PATH, 0, 1, RECORD_ID).unwrap();
        p.record_length = 0;
        assert_eq!(p.range_header().unwrap_err(), ProvenanceError::ZeroLength);
    }

    #[test]
    fn url_joins_relative_paths_and_keeps_urls() {
        let p = Provenance::new(CC_PATH, 0, 1, RECORD_ID).unwrap();
        let expected = format!("https://data.commoncrawl.org/{CC_PATH}");
        assert_eq!(p.url("https://data.commoncrawl.org").unwrap(), expected);
        assert_eq!(p.url("https://data.commoncrawl.org/").unwrap(), expected);
        assert_eq!(
            p.url("file:///srv/cc").unwrap(),
            format!("file:///srv/cc/{CC_PATH}")
        );
        for bad in [
            "",
            "data.commoncrawl.org",
            "https://",
            "https://x/?q",
            "ftp://x",
        ] {
            assert!(
                matches!(p.url(bad), Err(ProvenanceError::Base { .. })),
                "{bad:?}"
            );
        }
        let url = "https://example.org/a.warc.gz";
        let p = Provenance::new(url, 0, 1, RECORD_ID).unwrap();
        assert_eq!(p.url("https://ignored.example").unwrap(), url);
    }

    #[test]
    fn warc_locations() {
        assert_eq!(
            validate_warc_location(CC_PATH).unwrap(),
            WarcLocation::Relative
        );
        assert_eq!(
            validate_warc_location("https://data.commoncrawl.org/x.warc.gz").unwrap(),
            WarcLocation::Url
        );
        let cases = [
            ("", "is empty"),
            ("/etc/passwd", "absolute path"),
            ("a/../b", "'..' segment"),
            ("a//b", "empty"),
            ("./a", "'.'"),
            ("a\\b", "'\\'"),
            ("a b", "printable ASCII"),
            ("a/é", "printable ASCII"),
            ("a?x=1", "'?'"),
            ("s3://bucket/x", "scheme"),
            ("https://", "nothing after the scheme"),
        ];
        for (location, reason) in cases {
            let msg = validate_warc_location(location).unwrap_err().to_string();
            assert!(msg.contains(reason), "{location:?}: {msg}");
        }
        let long = "a".repeat(MAX_LOCATION_LEN + 1);
        assert!(validate_warc_location(&long).is_err());
    }

    #[test]
    fn record_ids() {
        validate_warc_record_id(RECORD_ID).unwrap();
        validate_warc_record_id("<urn:uuid:EA0CC90A-7905-4A8E-A2F4-219EE9E46377>").unwrap();
        for bad in [
            "",
            "urn:uuid:bf152d21-9d43-435a-891c-89fd9743b4cd",
            "<urn:uuid:bf152d21-9d43-435a-891c-89fd9743b4c>",
            "<urn:uuid:bf152d21-9d43-435a-891c-89fd9743b4cdd>",
            "<urn:uuid:bf152d219d43-435a-891c-89fd9743b4cd->",
            "<urn:uuid:gf152d21-9d43-435a-891c-89fd9743b4cd>",
            "<urn:uuid:bf152d21-9d43-435a-891c-89fd9743b4cd>x",
        ] {
            assert_eq!(
                validate_warc_record_id(bad).unwrap_err(),
                ProvenanceError::RecordId { id: bad.to_owned() },
                "{bad:?}"
            );
        }
    }

    #[test]
    fn serde_round_trip_rejects_unknown_fields() {
        let p = Provenance::new(CC_PATH, 42, 4242, RECORD_ID).unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Provenance>(&json).unwrap(), p);
        let extra = json.replace("{", "{\"x\":1,");
        assert!(serde_json::from_str::<Provenance>(&extra).is_err());
    }

    proptest! {
        #[test]
        fn range_header_never_panics(offset in any::<u64>(), length in any::<u64>()) {
            let p = Provenance {
                warc_path: CC_PATH.to_owned(),
                record_offset: offset,
                record_length: length,
                warc_record_id: RECORD_ID.to_owned(),
            };
            match p.range_header() {
                Ok(header) => {
                    let end = offset + (length - 1);
                    prop_assert_eq!(header, format!("bytes={offset}-{end}"));
                }
                Err(_) => prop_assert!(length == 0 || offset.checked_add(length - 1).is_none()),
            }
        }

        #[test]
        fn arbitrary_locations_and_ids_never_panic(s in "\\PC{0,64}", base in "\\PC{0,32}") {
            let _ = validate_warc_location(&s);
            let _ = validate_warc_record_id(&s);
            let p = Provenance { warc_path: s, record_offset: 0, record_length: 1,
                warc_record_id: RECORD_ID.to_owned() };
            if let Ok(url) = p.url(&base) {
                prop_assert!(url.ends_with(&p.warc_path));
            }
        }
    }
}
