//! `nya-manifest.json`: the file at the root of every published dataset repo.
//!
//! # Schema `nya-manifest/1`
//!
//! ```json
//! {
//!   "schema": "nya-manifest/1",
//!   "task_id": "refine-000042",
//!   "kind": "refine",
//!   "source_files": ["crawl-data/CC-MAIN-2020-34/segments/…/warc/…-00000.warc.gz"],
//!   "pipeline": {"version": "nya-refine/0.1.0", "parameters": {"min_words": 50}},
//!   "row_count": 1234,
//!   "token_count": 567890,
//!   "files": [{"path": "data/train-00000.parquet", "sha256": "<64 hex>", "size": 1048576}],
//!   "file_digest": "<64 hex>",
//!   "content_digest": "<64 hex>"
//! }
//! ```
//!
//! - Every object rejects unknown fields; `schema` must be exactly `nya-manifest/1`.
//! - `source_files`: what the task read (WARC paths or URLs, dataset files), 1 to
//!   [`MAX_SOURCE_FILES`], unique, no whitespace or control characters, ≤ 2048 bytes each.
//! - `pipeline.parameters`: any JSON object; written with keys sorted at every level so the
//!   same parameters always serialise to the same bytes.
//! - `files`: the data files, 1 to [`MAX_FILES`], sorted by path when sealed. Paths follow
//!   [`validate_repo_path`] (relative, `/`-separated, no `..`), are unique, and are never the
//!   manifest itself.
//! - `file_digest` and `content_digest`: see [`digest`]. The file digest is recomputed and
//!   checked on every load; the content digest needs the documents, so the validator recomputes
//!   it with [`ContentDigest`] and calls [`Manifest::check_content_digest`].
//!
//! [`dataset_card`] renders the repo's `README.md` from a manifest.

pub mod card;
pub mod digest;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

pub use card::{CardOptions, dataset_card};
pub use digest::{
    CONTENT_DIGEST_DOMAIN, ContentDigest, ContentDigestError, DigestParseError, FILE_DIGEST_DOMAIN,
    Sha256Digest, file_digest,
};

use crate::task::{TaskId, TaskKind, excerpt};

/// The schema tag this build writes and reads.
pub const MANIFEST_SCHEMA: &str = "nya-manifest/1";
/// File name of the manifest in a dataset repo.
pub const MANIFEST_FILE_NAME: &str = "nya-manifest.json";
/// Largest manifest accepted by [`Manifest::from_json`], in bytes.
pub const MAX_MANIFEST_BYTES: usize = 32 * 1024 * 1024;
/// Most data files in one manifest.
pub const MAX_FILES: usize = 100_000;
/// Most source files in one manifest.
pub const MAX_SOURCE_FILES: usize = 100_000;
/// Longest data-file path, in bytes.
pub const MAX_PATH_LEN: usize = 1_024;
/// Longest source-file entry, in bytes.
pub const MAX_SOURCE_FILE_LEN: usize = 2_048;
/// Longest pipeline version string, in bytes.
pub const MAX_PIPELINE_VERSION_LEN: usize = 128;

/// The `"schema"` field: serialises as [`MANIFEST_SCHEMA`] and accepts nothing else.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Schema;

impl Serialize for Schema {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(MANIFEST_SCHEMA)
    }
}

impl<'de> Deserialize<'de> for Schema {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let tag = String::deserialize(deserializer)?;
        if tag == MANIFEST_SCHEMA {
            Ok(Schema)
        } else {
            Err(serde::de::Error::custom(format!(
                "unsupported manifest schema {:?} (this build reads {MANIFEST_SCHEMA:?})",
                excerpt(&tag)
            )))
        }
    }
}

/// Which pipeline produced the data, with what settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pipeline {
    /// Pipeline name and version, e.g. `nya-refine/0.1.0`.
    pub version: String,
    /// Its parameters (a JSON object; written with sorted keys).
    pub parameters: BTreeMap<String, Value>,
}

/// One data file of the repo.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Path in the repo, e.g. `data/train-00000.parquet`.
    pub path: String,
    /// SHA-256 of the file's bytes.
    pub sha256: Sha256Digest,
    /// Size in bytes.
    pub size: u64,
}

/// The parsed manifest (schema in the module doc).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`MANIFEST_SCHEMA`].
    pub schema: Schema,
    /// The task this data answers.
    pub task_id: TaskId,
    /// The task's kind.
    pub kind: TaskKind,
    /// What the task read.
    pub source_files: Vec<String>,
    /// What produced the data.
    pub pipeline: Pipeline,
    /// Rows (documents) in the data files.
    pub row_count: u64,
    /// GPT-2 tokens in the documents.
    pub token_count: u64,
    /// The data files, sorted by path.
    pub files: Vec<FileEntry>,
    /// Digest of `files` (see [`digest`]).
    pub file_digest: Sha256Digest,
    /// Digest of the documents (see [`digest`]).
    pub content_digest: Sha256Digest,
}

/// Everything a manifest holds except what [`ManifestDraft::seal`] computes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestDraft {
    /// The task this data answers.
    pub task_id: TaskId,
    /// The task's kind.
    pub kind: TaskKind,
    /// What the task read.
    pub source_files: Vec<String>,
    /// What produced the data.
    pub pipeline: Pipeline,
    /// Rows (documents) in the data files.
    pub row_count: u64,
    /// GPT-2 tokens in the documents.
    pub token_count: u64,
    /// The data files, any order.
    pub files: Vec<FileEntry>,
    /// From [`ContentDigest::finish`].
    pub content_digest: Sha256Digest,
}

impl ManifestDraft {
    /// Sorts the files, computes the file digest, and validates the result.
    pub fn seal(self) -> Result<Manifest, ManifestError> {
        let mut files = self.files;
        files.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
        let manifest = Manifest {
            schema: Schema,
            task_id: self.task_id,
            kind: self.kind,
            source_files: self.source_files,
            pipeline: self.pipeline,
            row_count: self.row_count,
            token_count: self.token_count,
            file_digest: file_digest(&files),
            files,
            content_digest: self.content_digest,
        };
        manifest.validate()?;
        Ok(manifest)
    }
}

/// Why a data-file path is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("path {path:?}: {reason}")]
pub struct RepoPathError {
    /// The path (shortened).
    pub path: String,
    /// What was wrong.
    pub reason: &'static str,
}

/// Checks a path inside a repo: relative, `/`-separated, no empty, `.` or `..` segment, no
/// backslash, `:` or control character, at most [`MAX_PATH_LEN`] bytes.
pub fn validate_repo_path(path: &str) -> Result<(), RepoPathError> {
    let fail = |reason| RepoPathError {
        path: excerpt(path),
        reason,
    };
    if path.is_empty() {
        return Err(fail("is empty"));
    }
    if path.len() > MAX_PATH_LEN {
        return Err(fail("is longer than 1024 bytes"));
    }
    if path.starts_with('/') {
        return Err(fail("is absolute; paths are relative to the repo root"));
    }
    if path.contains('\\') {
        return Err(fail("contains '\\'; the separator is '/'"));
    }
    if path.contains(':') {
        return Err(fail(
            "contains ':' (a drive letter or URL is not a repo path)",
        ));
    }
    if path.chars().any(char::is_control) {
        return Err(fail("contains a control character"));
    }
    if path.split('/').any(|segment| segment == "..") {
        return Err(fail("contains a '..' segment"));
    }
    if path
        .split('/')
        .any(|segment| segment.is_empty() || segment == ".")
    {
        return Err(fail("has an empty or '.' segment"));
    }
    Ok(())
}

/// Why a manifest is not acceptable.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// Over [`MAX_MANIFEST_BYTES`].
    #[error("manifest is {len} bytes, more than the limit of {MAX_MANIFEST_BYTES}")]
    TooLarge {
        /// Its size.
        len: usize,
    },
    /// Not JSON of the right shape (serde's message names the field, line and column).
    #[error("manifest JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// A list is empty or too long.
    #[error("manifest {field} has {len} entries; expected 1 to {max}")]
    ListLength {
        /// The field.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The most allowed.
        max: usize,
    },
    /// A bad data-file path.
    #[error("manifest files[{index}]: {source}")]
    Path {
        /// Position in `files`.
        index: usize,
        /// What was wrong.
        #[source]
        source: RepoPathError,
    },
    /// The manifest lists itself.
    #[error(
        "manifest files[{index}] is the manifest itself ({MANIFEST_FILE_NAME}), which it cannot describe"
    )]
    ListsItself {
        /// Position in `files`.
        index: usize,
    },
    /// Two entries share a path.
    #[error("manifest files: path {path:?} appears more than once")]
    DuplicatePath {
        /// The path (shortened).
        path: String,
    },
    /// A bad source-file entry.
    #[error("manifest source_files[{index}] {entry:?}: {reason}")]
    SourceFile {
        /// Position in `source_files`.
        index: usize,
        /// The entry (shortened).
        entry: String,
        /// What was wrong.
        reason: &'static str,
    },
    /// A bad pipeline version.
    #[error(
        "manifest pipeline.version {version:?}: must be 1 to {MAX_PIPELINE_VERSION_LEN} bytes without control characters"
    )]
    PipelineVersion {
        /// The version (shortened).
        version: String,
    },
    /// `file_digest` does not match `files`.
    #[error("manifest file_digest is {recorded} but the files listed give {computed}")]
    FileDigestMismatch {
        /// The digest in the manifest.
        recorded: Sha256Digest,
        /// The digest of its `files`.
        computed: Sha256Digest,
    },
    /// `content_digest` does not match the documents.
    #[error("manifest content_digest is {recorded} but the documents give {computed}")]
    ContentDigestMismatch {
        /// The digest in the manifest.
        recorded: Sha256Digest,
        /// The digest recomputed from the data.
        computed: Sha256Digest,
    },
    /// Serialising failed (not expected for these types; kept instead of a panic).
    #[error("manifest serialisation: {0}")]
    Serialize(#[source] serde_json::Error),
}

impl Manifest {
    /// Parses strictly: size limit, shape, then [`Manifest::validate`] (which recomputes the file
    /// digest).
    pub fn from_json(json: &[u8]) -> Result<Self, ManifestError> {
        if json.len() > MAX_MANIFEST_BYTES {
            return Err(ManifestError::TooLarge { len: json.len() });
        }
        let manifest: Manifest = serde_json::from_slice(json).map_err(ManifestError::Json)?;
        manifest.validate()?;
        Ok(manifest)
    }

    /// Pretty JSON with sorted parameter keys at every level, ending in a newline.
    pub fn to_json_pretty(&self) -> Result<String, ManifestError> {
        let mut canonical = self.clone();
        canonical.pipeline.parameters = canonical
            .pipeline
            .parameters
            .into_iter()
            .map(|(key, value)| (key, sort_keys(value)))
            .collect();
        let mut json =
            serde_json::to_string_pretty(&canonical).map_err(ManifestError::Serialize)?;
        json.push('\n');
        Ok(json)
    }

    /// Checks every rule of the schema, including the file digest.
    pub fn validate(&self) -> Result<(), ManifestError> {
        check_list("files", self.files.len(), MAX_FILES)?;
        check_list("source_files", self.source_files.len(), MAX_SOURCE_FILES)?;
        let mut paths = BTreeSet::new();
        for (index, entry) in self.files.iter().enumerate() {
            validate_repo_path(&entry.path)
                .map_err(|source| ManifestError::Path { index, source })?;
            if entry.path == MANIFEST_FILE_NAME {
                return Err(ManifestError::ListsItself { index });
            }
            if !paths.insert(entry.path.as_str()) {
                return Err(ManifestError::DuplicatePath {
                    path: excerpt(&entry.path),
                });
            }
        }
        let mut sources = BTreeSet::new();
        for (index, entry) in self.source_files.iter().enumerate() {
            let reason = if entry.is_empty() {
                Some("is empty")
            } else if entry.len() > MAX_SOURCE_FILE_LEN {
                Some("is longer than 2048 bytes")
            } else if entry.chars().any(|c| c.is_whitespace() || c.is_control()) {
                Some("contains whitespace or a control character")
            } else if !sources.insert(entry.as_str()) {
                Some("appears more than once")
            } else {
                None
            };
            if let Some(reason) = reason {
                return Err(ManifestError::SourceFile {
                    index,
                    entry: excerpt(entry),
                    reason,
                });
            }
        }
        let version = &self.pipeline.version;
        if version.is_empty()
            || version.len() > MAX_PIPELINE_VERSION_LEN
            || version.chars().any(char::is_control)
        {
            return Err(ManifestError::PipelineVersion {
                version: excerpt(version),
            });
        }
        self.verify_digests()
    }

    /// Recomputes the file digest from `files` and compares it with `file_digest`.
    pub fn verify_digests(&self) -> Result<(), ManifestError> {
        let computed = file_digest(&self.files);
        if computed != self.file_digest {
            return Err(ManifestError::FileDigestMismatch {
                recorded: self.file_digest,
                computed,
            });
        }
        Ok(())
    }

    /// Compares `content_digest` with one recomputed from the data ([`ContentDigest`]).
    pub fn check_content_digest(&self, computed: &Sha256Digest) -> Result<(), ManifestError> {
        if *computed != self.content_digest {
            return Err(ManifestError::ContentDigestMismatch {
                recorded: self.content_digest,
                computed: *computed,
            });
        }
        Ok(())
    }

    /// The entry for `path`, if listed.
    pub fn file(&self, path: &str) -> Option<&FileEntry> {
        self.files.iter().find(|entry| entry.path == path)
    }

    /// Total size of the data files, in bytes (saturating).
    pub fn total_size(&self) -> u64 {
        self.files
            .iter()
            .fold(0u64, |sum, entry| sum.saturating_add(entry.size))
    }
}

fn check_list(field: &'static str, len: usize, max: usize) -> Result<(), ManifestError> {
    if (1..=max).contains(&len) {
        Ok(())
    } else {
        Err(ManifestError::ListLength { field, len, max })
    }
}

/// `value` with object keys sorted at every level. serde_json keeps insertion order when any
/// crate in the build enables its `preserve_order` feature, so sorting is done here explicitly.
fn sort_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key, sort_keys(value)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn draft() -> ManifestDraft {
        let mut content = ContentDigest::new();
        content.add("doc-2", "second text").unwrap();
        content.add("doc-1", "first text").unwrap();
        ManifestDraft {
            task_id: TaskId::new("refine-000042").unwrap(),
            kind: TaskKind::Refine,
            source_files: vec!["crawl-data/CC-MAIN-2020-34/segments/1/warc/a.warc.gz".to_owned()],
            pipeline: Pipeline {
                version: "nya-refine/0.1.0".to_owned(),
                parameters: [
                    ("min_words".to_owned(), json!(50)),
                    (
                        "filters".to_owned(),
                        json!({"z": 1, "a": [{"y": 2, "b": 3}]}),
                    ),
                ]
                .into_iter()
                .collect(),
            },
            row_count: 2,
            token_count: 6,
            files: vec![
                FileEntry {
                    path: "data/train-00001.parquet".to_owned(),
                    sha256: Sha256Digest([2; 32]),
                    size: 200,
                },
                FileEntry {
                    path: "data/train-00000.parquet".to_owned(),
                    sha256: Sha256Digest([1; 32]),
                    size: 100,
                },
            ],
            content_digest: content.finish().unwrap(),
        }
    }

    fn sealed() -> Manifest {
        draft().seal().unwrap()
    }

    fn reparse(value: &Value) -> Result<Manifest, ManifestError> {
        Manifest::from_json(&serde_json::to_vec(value).unwrap())
    }

    #[test]
    fn seal_sorts_and_round_trips() {
        let manifest = sealed();
        assert_eq!(manifest.files[0].path, "data/train-00000.parquet");
        let json = manifest.to_json_pretty().unwrap();
        assert!(
            json.starts_with("{\n  \"schema\": \"nya-manifest/1\",\n"),
            "{json}"
        );
        assert!(json.ends_with("}\n"));
        assert_eq!(Manifest::from_json(json.as_bytes()).unwrap(), manifest);
        // Nested parameter keys come out sorted.
        let a = json.find("\"a\"").unwrap();
        let z = json.find("\"z\"").unwrap();
        let b = json.find("\"b\"").unwrap();
        let y = json.find("\"y\"").unwrap();
        assert!(a < z && b < y, "{json}");
        assert_eq!(manifest.total_size(), 300);
        assert_eq!(manifest.file("data/train-00001.parquet").unwrap().size, 200);
        assert!(manifest.file("nope").is_none());
    }

    #[test]
    fn reordering_entries_keeps_digests() {
        let mut reordered = draft();
        reordered.files.reverse();
        assert_eq!(reordered.seal().unwrap().file_digest, sealed().file_digest);
        // A manifest listing files in another order still verifies.
        let mut manifest = sealed();
        manifest.files.reverse();
        manifest.verify_digests().unwrap();
    }

    #[test]
    fn changing_any_entry_field_changes_the_file_digest() {
        let base = sealed().file_digest;
        let mutations: [fn(&mut FileEntry); 3] = [
            |e| e.path.push('x'),
            |e| e.sha256.0[31] ^= 1,
            |e| e.size += 1,
        ];
        for mutate in mutations {
            let mut d = draft();
            mutate(&mut d.files[1]);
            assert_ne!(d.seal().unwrap().file_digest, base);
        }
    }

    #[test]
    fn tampering_is_detected_on_load() {
        let mut value = serde_json::to_value(sealed()).unwrap();
        value["files"][0]["size"] = json!(101);
        let err = reparse(&value).unwrap_err();
        assert!(
            matches!(err, ManifestError::FileDigestMismatch { .. }),
            "{err}"
        );
        assert!(err.to_string().starts_with("manifest file_digest is "));
    }

    #[test]
    fn content_digest_check() {
        let manifest = sealed();
        manifest
            .check_content_digest(&manifest.content_digest)
            .unwrap();
        let mut other = ContentDigest::new();
        other.add("doc-1", "first text").unwrap();
        let err = manifest
            .check_content_digest(&other.finish().unwrap())
            .unwrap_err();
        assert!(matches!(err, ManifestError::ContentDigestMismatch { .. }));
    }

    #[test]
    fn hostile_json_is_rejected_with_clear_messages() {
        let good = serde_json::to_value(sealed()).unwrap();
        let edit = |f: &dyn Fn(&mut Value)| {
            let mut v = good.clone();
            f(&mut v);
            reparse(&v).unwrap_err().to_string()
        };
        let cases: Vec<(String, &str)> = vec![
            (edit(&|v| v["extra"] = json!(1)), "unknown field `extra`"),
            (
                edit(&|v| v["files"][0]["mode"] = json!(1)),
                "unknown field `mode`",
            ),
            (
                edit(&|v| v["pipeline"]["x"] = json!(1)),
                "unknown field `x`",
            ),
            (
                edit(&|v| v["schema"] = json!("nya-manifest/2")),
                "unsupported manifest schema \"nya-manifest/2\"",
            ),
            (
                edit(&|v| v["kind"] = json!("train")),
                "unknown variant `train`",
            ),
            (edit(&|v| v["task_id"] = json!("../x")), "task id \"../x\""),
            (
                edit(&|v| v["files"][0]["sha256"] = json!("ABC")),
                "expected 64 lowercase hex",
            ),
            (
                edit(&|v| v["files"][0]["size"] = json!(-1)),
                "invalid value",
            ),
            (edit(&|v| v["row_count"] = json!(1.5)), "invalid type"),
            (
                edit(&|v| {
                    v.as_object_mut()
                        .unwrap()
                        .remove("content_digest")
                        .map(drop)
                        .unwrap_or(())
                }),
                "missing field `content_digest`",
            ),
            (
                edit(&|v| v["files"] = json!([])),
                "manifest files has 0 entries",
            ),
            (
                edit(&|v| v["source_files"] = json!([])),
                "source_files has 0 entries",
            ),
            (
                edit(&|v| v["source_files"] = json!(["a", "a"])),
                "source_files[1] \"a\": appears more than once",
            ),
            (
                edit(&|v| v["source_files"] = json!(["a b"])),
                "contains whitespace",
            ),
            (
                edit(&|v| v["pipeline"]["version"] = json!("")),
                "pipeline.version",
            ),
        ];
        for (msg, expected) in cases {
            assert!(
                msg.contains(expected),
                "{msg:?} should contain {expected:?}"
            );
        }
        let not_json = Manifest::from_json(b"{not json").unwrap_err().to_string();
        assert!(not_json.starts_with("manifest JSON: "), "{not_json}");
        let huge = vec![b' '; MAX_MANIFEST_BYTES + 1];
        assert!(matches!(
            Manifest::from_json(&huge),
            Err(ManifestError::TooLarge { .. })
        ));
    }

    #[test]
    fn path_rules() {
        for ok in ["data/train.parquet", "a", "a/b/c.d", "data/..x", "é/ü"] {
            validate_repo_path(ok).unwrap();
        }
        let cases = [
            ("", "is empty"),
            ("/data/x", "absolute"),
            ("data\\x", "'\\'"),
            ("C:/x", "':'"),
            ("../x", "'..'"),
            ("data/../x", "'..'"),
            ("data//x", "empty or '.'"),
            ("./x", "empty or '.'"),
            ("data/", "empty or '.'"),
            ("a\nb", "control"),
        ];
        for (path, reason) in cases {
            let msg = validate_repo_path(path).unwrap_err().to_string();
            assert!(msg.contains(reason), "{path:?}: {msg}");
        }
        assert!(validate_repo_path(&"a".repeat(MAX_PATH_LEN + 1)).is_err());
    }

    #[test]
    fn seal_rejects_bad_file_lists() {
        let mut d = draft();
        d.files[1].path = d.files[0].path.clone();
        assert!(matches!(d.seal(), Err(ManifestError::DuplicatePath { .. })));
        let mut d = draft();
        d.files[0].path = MANIFEST_FILE_NAME.to_owned();
        assert!(matches!(d.seal(), Err(ManifestError::ListsItself { .. })));
        let mut d = draft();
        d.files[0].path = "../escape".to_owned();
        let msg = d.seal().unwrap_err().to_string();
        assert!(msg.starts_with("manifest files["), "{msg}");
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = Manifest::from_json(&bytes);
        }

        #[test]
        fn mutated_manifest_json_never_panics(
            index in any::<prop::sample::Index>(), byte in any::<u8>()
        ) {
            let mut json = sealed().to_json_pretty().unwrap().into_bytes();
            let at = index.index(json.len());
            json[at] = byte;
            if let Err(e) = Manifest::from_json(&json) {
                prop_assert!(e.to_string().starts_with("manifest "));
            }
        }

        #[test]
        fn any_sealed_manifest_round_trips(
            files in proptest::collection::btree_map("[a-z]{1,6}(/[a-z0-9._-]{1,8}){0,2}", (any::<[u8; 32]>(), any::<u64>()), 1..8),
            rows in any::<u64>(), tokens in any::<u64>()
        ) {
            let mut d = draft();
            d.files = files
                .into_iter()
                .filter(|(p, _)| validate_repo_path(p).is_ok())
                .map(|(path, (sha, size))| FileEntry { path, sha256: Sha256Digest(sha), size })
                .collect();
            prop_assume!(!d.files.is_empty());
            d.row_count = rows;
            d.token_count = tokens;
            let manifest = d.seal().unwrap();
            let json = manifest.to_json_pretty().unwrap();
            prop_assert_eq!(Manifest::from_json(json.as_bytes()).unwrap(), manifest);
        }
    }
}
