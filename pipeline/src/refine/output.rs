//! The refine output folder: Parquet shards, the dataset card and the manifest.
//!
//! Layout (what [`crate::dataset_dir::verify`] checks):
//!
//! ```text
//! data/train-00000.parquet …   rows sorted by id, ≤ SHARD_MAX_ROWS rows / ≈ SHARD_MAX_TEXT_BYTES
//! README.md                    dataset card (Hub YAML header, language en)
//! nya-manifest.json            manifest (task, sources, pipeline parameters, counts, digests)
//! ```
//!
//! Columns, in order: FineWeb's `text` (String), `id` (String, the `WARC-Record-ID`), `dump`
//! (String), `url` (String), `date` (String, `WARC-Date`), `file_path` (String, the WARC path as
//! given), `language` (String), `language_score` (Float64), `token_count` (Int64), then the
//! provenance columns `record_offset` (UInt64, the gzip member's offset) and `record_length`
//! (UInt64, null when the record cannot be fetched on its own: see `warc::RecordLocation`).
//!
//! Determinism: rows are sorted by id and shards cut at fixed row/byte bounds; Parquet is written
//! zstd-compressed with polars' fixed settings, so the same rows give the same bytes.
//!
//! Atomicity: [`write_dataset`] writes everything into a hidden sibling folder
//! (`.<name>.nya-tmp-<pid>`), verifies it, and only then renames it to the target. A crash
//! leaves at most the hidden folder, never a target that verifies but is incomplete. An existing
//! target must be empty unless `force` is set; with `force` it is moved aside and deleted only
//! after the new folder is in place.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use nya_metadata::manifest::{
    CardOptions, ContentDigest, ContentDigestError, FileEntry, MANIFEST_FILE_NAME, Manifest,
    ManifestDraft, ManifestError, Pipeline, dataset_card,
};
use nya_metadata::task::{TaskId, TaskKind};
use polars::prelude::*;

use crate::dataset_dir::{self, DatasetDirError};

/// Most rows per shard.
pub const SHARD_MAX_ROWS: usize = 100_000;
/// A shard is closed once its texts reach this many bytes.
pub const SHARD_MAX_TEXT_BYTES: usize = 256 << 20;
/// The dataset card's file name.
pub const CARD_FILE_NAME: &str = "README.md";

/// One refined document.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub text: String,
    pub id: String,
    pub dump: String,
    pub url: String,
    pub date: String,
    pub file_path: String,
    pub language: String,
    pub language_score: f64,
    pub token_count: u64,
    pub record_offset: u64,
    pub record_length: Option<u64>,
}

/// What the manifest needs besides the rows.
#[derive(Debug, Clone)]
pub struct DatasetInfo {
    pub task_id: TaskId,
    pub source_files: Vec<String>,
    pub pipeline: Pipeline,
}

/// Why the output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("output folder {path} exists and is not empty (pass --force to replace it)")]
    NotEmpty { path: PathBuf },
    #[error("output path {path} exists and is not a folder")]
    NotADirectory { path: PathBuf },
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("writing Parquet shard {path}: {source}")]
    Parquet { path: PathBuf, source: PolarsError },
    #[error("content digest: {0}")]
    Digest(#[from] ContentDigestError),
    #[error("manifest: {0}")]
    Manifest(#[from] ManifestError),
    #[error("token count {count} of row {id} does not fit Parquet's Int64")]
    TokenCount { id: String, count: u64 },
    #[error("the written folder does not verify: {0}")]
    Verify(#[from] DatasetDirError),
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> OutputError {
    let path = path.to_path_buf();
    move |source| OutputError::Io {
        action,
        path,
        source,
    }
}

/// Refuses a target that exists and holds anything, unless `force`.
pub fn check_target(out: &Path, force: bool) -> Result<(), OutputError> {
    match fs::symlink_metadata(out) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(OutputError::Io {
            action: "inspecting",
            path: out.to_path_buf(),
            source,
        }),
        Ok(meta) if !meta.is_dir() => Err(OutputError::NotADirectory {
            path: out.to_path_buf(),
        }),
        Ok(_) if force => Ok(()),
        Ok(_) => {
            let mut entries = fs::read_dir(out).map_err(io_error("listing", out))?;
            match entries.next() {
                None => Ok(()),
                Some(_) => Err(OutputError::NotEmpty {
                    path: out.to_path_buf(),
                }),
            }
        }
    }
}

/// Writes `rows` (sorted by id here) as the dataset folder `out`, atomically; returns the
/// manifest.
pub fn write_dataset(
    out: &Path,
    force: bool,
    mut rows: Vec<Row>,
    info: DatasetInfo,
) -> Result<Manifest, OutputError> {
    check_target(out, force)?;
    rows.sort_unstable_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
    dataset_dir::write_atomically(out, |tmp| {
        let manifest = write_into(tmp, &rows, info)?;
        dataset_dir::verify(tmp)?;
        Ok(manifest)
    })
}

impl From<dataset_dir::FolderIoError> for OutputError {
    fn from(error: dataset_dir::FolderIoError) -> Self {
        OutputError::Io {
            action: error.action,
            path: error.path,
            source: error.source,
        }
    }
}

fn write_into(dir: &Path, rows: &[Row], info: DatasetInfo) -> Result<Manifest, OutputError> {
    let data = dir.join("data");
    fs::create_dir_all(&data).map_err(io_error("creating", &data))?;
    let mut files = Vec::new();
    for (index, shard) in shards(rows).into_iter().enumerate() {
        let relative = format!("data/train-{index:05}.parquet");
        let path = dir.join(&relative);
        write_shard(&path, shard)?;
        let (sha256, size) = dataset_dir::hash_file(&path)?;
        files.push(FileEntry {
            path: relative,
            sha256,
            size,
        });
    }
    let mut digest = ContentDigest::new();
    for row in rows {
        digest.add(row.id.as_str(), &row.text)?;
    }
    let manifest = ManifestDraft {
        task_id: info.task_id,
        kind: TaskKind::Refine,
        source_files: info.source_files,
        pipeline: info.pipeline,
        row_count: rows.len() as u64,
        token_count: rows.iter().map(|r| r.token_count).sum(),
        files,
        content_digest: digest.finish()?,
    }
    .seal()?;
    let manifest_path = dir.join(MANIFEST_FILE_NAME);
    let json = manifest.to_json_pretty()?;
    fs::write(&manifest_path, json).map_err(io_error("writing", &manifest_path))?;
    let card = dataset_card(
        &manifest,
        &CardOptions {
            language: Some("en"),
            ..CardOptions::default()
        },
    );
    let card_path = dir.join(CARD_FILE_NAME);
    fs::write(&card_path, card).map_err(io_error("writing", &card_path))?;
    Ok(manifest)
}

/// Cuts sorted rows into shards; always at least one (possibly empty) shard.
fn shards(rows: &[Row]) -> Vec<&[Row]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0usize;
    for (index, row) in rows.iter().enumerate() {
        let full = index - start >= SHARD_MAX_ROWS || bytes >= SHARD_MAX_TEXT_BYTES;
        if full {
            out.push(&rows[start..index]);
            start = index;
            bytes = 0;
        }
        bytes += row.text.len();
    }
    out.push(&rows[start..]);
    out
}

/// The rows as a polars frame with the columns of the module doc.
pub fn to_frame(rows: &[Row]) -> Result<DataFrame, OutputError> {
    let strings = |name: &str, get: fn(&Row) -> &str| {
        Column::new(name.into(), rows.iter().map(get).collect::<Vec<_>>())
    };
    let token_counts = rows
        .iter()
        .map(|r| {
            i64::try_from(r.token_count).map_err(|_| OutputError::TokenCount {
                id: r.id.clone(),
                count: r.token_count,
            })
        })
        .collect::<Result<Vec<i64>, _>>()?;
    let columns = vec![
        strings("text", |r| &r.text),
        strings("id", |r| &r.id),
        strings("dump", |r| &r.dump),
        strings("url", |r| &r.url),
        strings("date", |r| &r.date),
        strings("file_path", |r| &r.file_path),
        strings("language", |r| &r.language),
        Column::new(
            "language_score".into(),
            rows.iter().map(|r| r.language_score).collect::<Vec<f64>>(),
        ),
        Column::new("token_count".into(), token_counts),
        Column::new(
            "record_offset".into(),
            rows.iter().map(|r| r.record_offset).collect::<Vec<u64>>(),
        ),
        Column::new(
            "record_length".into(),
            rows.iter()
                .map(|r| r.record_length)
                .collect::<Vec<Option<u64>>>(),
        ),
    ];
    DataFrame::new(rows.len(), columns).map_err(|source| OutputError::Parquet {
        path: PathBuf::from("<frame>"),
        source,
    })
}

fn write_shard(path: &Path, rows: &[Row]) -> Result<(), OutputError> {
    let mut frame = to_frame(rows)?;
    let file = fs::File::create(path).map_err(io_error("creating", path))?;
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(&mut frame)
        .map_err(|source| OutputError::Parquet {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, text: &str) -> Row {
        Row {
            text: text.to_owned(),
            id: id.to_owned(),
            dump: "local".to_owned(),
            url: format!("https://example.com/{id}"),
            date: "2024-01-01T00:00:00Z".to_owned(),
            file_path: "a.warc.gz".to_owned(),
            language: "en".to_owned(),
            language_score: 0.9,
            token_count: 3,
            record_offset: 10,
            record_length: None,
        }
    }

    fn info() -> DatasetInfo {
        DatasetInfo {
            task_id: TaskId::new("local-test").unwrap(),
            source_files: vec!["a.warc.gz".to_owned()],
            pipeline: Pipeline {
                version: "nya-refine/test".to_owned(),
                parameters: Default::default(),
            },
        }
    }

    #[test]
    fn shards_cut_at_the_row_bound_and_never_vanish() {
        assert_eq!(shards(&[]).len(), 1);
        let rows: Vec<Row> = (0..SHARD_MAX_ROWS + 1)
            .map(|i| row(&format!("{i:07}"), ""))
            .collect();
        let cut = shards(&rows);
        assert_eq!(cut.len(), 2);
        assert_eq!(cut[0].len(), SHARD_MAX_ROWS);
        assert_eq!(cut[1].len(), 1);
    }

    #[test]
    fn writes_a_verifying_folder_and_refuses_to_overwrite() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("ds");
        let manifest = write_dataset(
            &out,
            false,
            vec![row("b", "second"), row("a", "first")],
            info(),
        )
        .unwrap();
        assert_eq!(manifest.row_count, 2);
        assert_eq!(manifest.token_count, 6);
        dataset_dir::verify(&out).unwrap();
        // Only the target remains in the parent: no temp folder left over.
        let names: Vec<_> = fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("ds")]);

        let err = write_dataset(&out, false, vec![row("c", "x")], info()).unwrap_err();
        assert!(matches!(err, OutputError::NotEmpty { .. }), "{err}");
        let replaced = write_dataset(&out, true, vec![row("c", "x")], info()).unwrap();
        assert_eq!(replaced.row_count, 1);
        dataset_dir::verify(&out).unwrap();
    }

    #[test]
    fn empty_output_still_has_one_shard_with_the_schema() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("empty");
        let manifest = write_dataset(&out, false, Vec::new(), info()).unwrap();
        assert_eq!(manifest.files.len(), 1);
        assert_eq!(manifest.row_count, 0);
        let frame = to_frame(&[]).unwrap();
        assert_eq!(frame.width(), 11);
    }
}
