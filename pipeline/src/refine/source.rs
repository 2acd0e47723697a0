//! Where a refine run reads its WARC files from, and what each row's `file_path` says about it.
//!
//! A source given on the command line is one of:
//! - an `http://` or `https://` URL: streamed with [`RemoteWarc`] (retries, resume);
//! - a `file://` URL or a path that exists: read from disk;
//! - a CommonCrawl path (`crawl-data/CC-MAIN-…`) that does not exist locally: streamed from the
//!   CommonCrawl base URL ([`DEFAULT_COMMONCRAWL_BASE`] unless configured).
//!
//! The `file_path` column (the provenance a validator Range-fetches from) is the CommonCrawl path
//! relative to the crawl root whenever the file is one of CommonCrawl's (a URL under the base, or
//! a local file whose path contains `crawl-data/CC-MAIN-`, as CommonCrawl's own layout does), so a
//! row refined from a downloaded copy points at the public original. Other URLs are kept as
//! given; other local files become `file://` URLs of their absolute path.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use nya_metadata::provenance::{WarcLocation, validate_warc_location};

use super::remote::RemoteWarc;
use crate::net::RetryPolicy;

/// CommonCrawl's public HTTPS root.
pub const DEFAULT_COMMONCRAWL_BASE: &str = "https://data.commoncrawl.org";

/// The first segment of every path in CommonCrawl's layout.
const CRAWL_ROOT: &str = "crawl-data/";

/// Why a source cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Neither a URL, nor an existing file, nor a CommonCrawl path.
    #[error("WARC source {0:?}: no such file (CommonCrawl paths start with crawl-data/)")]
    NotFound(String),
    /// The source cannot be stated as provenance (see `nya_metadata::provenance`).
    #[error("WARC source {given:?}: {reason}")]
    Unusable {
        /// The source as given.
        given: String,
        /// What was wrong.
        reason: String,
    },
    /// The file or the download could not be opened.
    #[error("opening WARC source {given:?}: {source}")]
    Open {
        /// The source as given.
        given: String,
        /// The underlying error (HTTP errors carry the URL and status).
        source: io::Error,
    },
}

/// A resolved source: how to read it and what rows record about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarcSource {
    /// The source as given (for messages and the manifest's source list).
    pub given: String,
    /// Where the bytes come from.
    pub origin: Origin,
    /// The `file_path` column value: a CommonCrawl-relative path or a URL.
    pub file_path: String,
}

/// Where a source's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A local file.
    Local(PathBuf),
    /// An HTTP(S) URL.
    Remote(String),
}

impl WarcSource {
    /// Resolves `given` (rules in the module docs) against the CommonCrawl `base` URL.
    pub fn resolve(given: &str, commoncrawl_base: &str) -> Result<Self, SourceError> {
        let unusable = |reason: String| SourceError::Unusable {
            given: given.to_owned(),
            reason,
        };
        let base = commoncrawl_base.trim_end_matches('/');
        let lower = given.to_ascii_lowercase();
        let (origin, file_path) = if lower.starts_with("http://") || lower.starts_with("https://") {
            let relative = given
                .strip_prefix(base)
                .and_then(|rest| rest.strip_prefix('/'))
                .filter(|rest| rest.starts_with(CRAWL_ROOT));
            let file_path = relative.unwrap_or(given).to_owned();
            (Origin::Remote(given.to_owned()), file_path)
        } else {
            let path = given.strip_prefix("file://").unwrap_or(given);
            if Path::new(path).exists() {
                let absolute = std::path::absolute(path)
                    .map_err(|error| unusable(format!("cannot make the path absolute: {error}")))?;
                let file_path = match commoncrawl_part(&absolute) {
                    Some(relative) => relative,
                    // Percent-encoded, so spaces and non-ASCII names stay valid provenance.
                    None => url::Url::from_file_path(&absolute)
                        .map_err(|()| unusable("cannot be written as a file:// URL".into()))?
                        .to_string(),
                };
                (Origin::Local(absolute), file_path)
            } else if path == given && given.starts_with(CRAWL_ROOT) {
                (Origin::Remote(format!("{base}/{given}")), given.to_owned())
            } else {
                return Err(SourceError::NotFound(given.to_owned()));
            }
        };
        match validate_warc_location(&file_path) {
            Ok(WarcLocation::Relative | WarcLocation::Url) => {}
            Err(error) => return Err(unusable(error.to_string())),
        }
        Ok(WarcSource {
            given: given.to_owned(),
            origin,
            file_path,
        })
    }

    /// Size in bytes when known without downloading (local files only).
    pub fn local_size(&self) -> Option<u64> {
        match &self.origin {
            Origin::Local(path) => std::fs::metadata(path).ok().map(|m| m.len()),
            Origin::Remote(_) => None,
        }
    }

    /// Opens the byte stream (connecting, for remote sources).
    pub fn open(&self, retry: RetryPolicy) -> Result<Box<dyn Read + Send>, SourceError> {
        let open_error = |source| SourceError::Open {
            given: self.given.clone(),
            source,
        };
        Ok(match &self.origin {
            Origin::Local(path) => Box::new(std::fs::File::open(path).map_err(open_error)?),
            Origin::Remote(url) => Box::new(RemoteWarc::open(url, retry).map_err(open_error)?),
        })
    }
}

/// `crawl-data/CC-MAIN-…` from a path laid out like CommonCrawl's bucket.
fn commoncrawl_part(path: &Path) -> Option<String> {
    let text = path.to_str()?;
    let start = text.find("/crawl-data/CC-MAIN-")? + 1;
    text.get(start..).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://data.commoncrawl.org";
    const CC_PATH: &str = "crawl-data/CC-MAIN-2024-10/segments/1/warc/CC-MAIN-1-00000.warc.gz";

    #[test]
    fn commoncrawl_urls_and_paths_record_the_relative_path() {
        let url = format!("{BASE}/{CC_PATH}");
        let remote = WarcSource::resolve(&url, BASE).unwrap();
        assert_eq!(remote.origin, Origin::Remote(url.clone()));
        assert_eq!(remote.file_path, CC_PATH);

        let bare = WarcSource::resolve(CC_PATH, "https://mirror.example/cc/").unwrap();
        assert_eq!(
            bare.origin,
            Origin::Remote(format!("https://mirror.example/cc/{CC_PATH}"))
        );
        assert_eq!(bare.file_path, CC_PATH);
    }

    #[test]
    fn other_urls_are_kept_as_given() {
        let url = "http://127.0.0.1:8080/sample.warc.gz";
        let source = WarcSource::resolve(url, BASE).unwrap();
        assert_eq!(source.origin, Origin::Remote(url.to_owned()));
        assert_eq!(source.file_path, url);
    }

    #[test]
    fn local_files_become_file_urls_unless_laid_out_like_commoncrawl() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("sample.warc.gz");
        std::fs::write(&plain, b"").unwrap();
        let source = WarcSource::resolve(plain.to_str().unwrap(), BASE).unwrap();
        assert_eq!(source.origin, Origin::Local(plain.clone()));
        assert_eq!(source.file_path, format!("file://{}", plain.display()));
        let via_url = WarcSource::resolve(&format!("file://{}", plain.display()), BASE).unwrap();
        assert_eq!(via_url.file_path, source.file_path);

        let mirrored = dir.path().join(CC_PATH);
        std::fs::create_dir_all(mirrored.parent().unwrap()).unwrap();
        std::fs::write(&mirrored, b"").unwrap();
        let source = WarcSource::resolve(mirrored.to_str().unwrap(), BASE).unwrap();
        assert_eq!(source.origin, Origin::Local(mirrored));
        assert_eq!(source.file_path, CC_PATH);
    }

    #[test]
    fn missing_and_unusable_sources_are_refused() {
        let missing = WarcSource::resolve("/nonexistent/nya.warc.gz", BASE).unwrap_err();
        assert!(matches!(missing, SourceError::NotFound(_)), "{missing}");
        let missing_file_url = WarcSource::resolve("file://crawl-data/x", BASE).unwrap_err();
        assert!(matches!(missing_file_url, SourceError::NotFound(_)));
        let spaced = WarcSource::resolve("https://h/a b.warc.gz", BASE).unwrap_err();
        assert!(spaced.to_string().contains("printable ASCII"), "{spaced}");
    }
}
