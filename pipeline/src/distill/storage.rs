//! The soft-label dataset folder: Parquet shards, card and manifest.
//!
//! ```text
//! data/train-00000.parquet …   one row per window, sorted by (id, window)
//! README.md                    dataset card
//! nya-manifest.json            kind "distill"; teacher and settings in pipeline.parameters
//! ```
//!
//! # Columns (schema `nya-distill/1`)
//!
//! | column         | type        | meaning                                                   |
//! |----------------|-------------|-----------------------------------------------------------|
//! | `id`           | string      | document id                                               |
//! | `window`       | uint32      | window index within the document                          |
//! | `start`        | uint32      | offset of the window's first token in the document        |
//! | `input_ids`    | list<uint32>| the window's `n` tokens                                   |
//! | `top_ids`      | list<uint32>| `n × k` ids, position-major: `[t*k + j]` = j-th best at t |
//! | `top_logprobs` | list<uint32>| `n × k` fixed-point log-probs, same order as `top_ids`    |
//!
//! Log-prob encoding: `q = round(-logprob × 1024)`, clamped to `0..=65535`, so
//! `logprob = -q / 1024`: a step of 1/1024 nat (error ≤ 1/2048), range down to -63.999 (a
//! probability of 1.6e-28; anything less likely reads as that). Values fit 16 bits; the column is
//! uint32 because this build's polars has no UInt16, and Parquet stores both as INT32 anyway
//! (UINT_16 is only an annotation), so on disk they cost the same once compressed. In Python:
//! `-np.asarray(row["top_logprobs"], dtype=np.float32).reshape(-1, k) / 1024`. pyarrow reads
//! `id` as `string_view` and the lists as `large_list<uint32>` (checked with pyarrow 26).
//!
//! Bytes per token at k = 16: stored as uint32 throughout, 4 + k × 8 = 132 bytes uncompressed;
//! the information is 4 + k × (4 + 2) = 100 bytes (2 + k × (2 + 2) = 66 for vocabularies of at
//! most 65536, such as Phi-3's and Mistral's). zstd removes most of the zero high bytes:
//! measured 74 bytes per token for a random-weight Phi-3-shaped model (vocab 32064, 2048-token
//! windows, `nya bench distill --size tiny`), a worst case because random weights give
//! irregular log-probs. A run reports its own figure in [`LabelSetSummary::bytes_per_token`].
//!
//! Atomicity: everything is written to a hidden sibling folder, verified with
//! [`crate::dataset_dir::verify`], then renamed into place; a failed run leaves nothing that
//! looks complete.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use nya_metadata::manifest::{
    CardOptions, ContentDigest, FileEntry, MANIFEST_FILE_NAME, Manifest, ManifestDraft, Pipeline,
    Sha256Digest, dataset_card,
};
use nya_metadata::task::{TaskId, TaskKind};
use polars::prelude::*;
use serde_json::{Value, json};

use super::DistillError;
use super::labels::{Document, WindowLabels};
use crate::dataset_dir;

/// `pipeline.version` of distill manifests.
pub const PIPELINE_VERSION: &str = "nya-distill/0.1.0";
/// The column layout tag, stored in `pipeline.parameters.schema`.
pub const SCHEMA: &str = "nya-distill/1";
/// Fixed-point steps per nat of log-probability.
pub const LOGPROB_SCALE: f32 = 1024.0;
/// A shard is closed at this many rows…
pub const SHARD_MAX_ROWS: usize = 50_000;
/// …or once it holds this many tokens.
pub const SHARD_MAX_TOKENS: usize = 2_000_000;
const CARD_FILE_NAME: &str = "README.md";

/// Fixed-point code of a log-prob (see the module doc).
pub fn encode_logprob(logprob: f32) -> u32 {
    if logprob.is_nan() {
        return u16::MAX as u32;
    }
    (-logprob * LOGPROB_SCALE)
        .round()
        .clamp(0.0, u16::MAX as f32) as u32
}

/// The log-prob a code stands for.
pub fn decode_logprob(code: u32) -> f32 {
    -(code as f32) / LOGPROB_SCALE
}

/// The teacher and settings a label set was made with (the manifest's `pipeline.parameters`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSetParams {
    /// Hub repo of the teacher, or the local folder it was loaded from.
    pub model_repo: String,
    /// Commit of the teacher repo (`local` for a folder).
    pub model_revision: String,
    pub family: String,
    pub tokenizer_sha256: Sha256Digest,
    pub vocab_size: usize,
    pub k: usize,
    pub seq_len: usize,
    /// `f32` or `bf16`.
    pub dtype: String,
    pub documents: u64,
}

impl LabelSetParams {
    fn to_parameters(&self) -> BTreeMap<String, Value> {
        let entries = [
            ("schema", json!(SCHEMA)),
            ("model_repo", json!(self.model_repo)),
            ("model_revision", json!(self.model_revision)),
            ("family", json!(self.family)),
            ("tokenizer_sha256", json!(self.tokenizer_sha256.to_string())),
            ("vocab_size", json!(self.vocab_size)),
            ("k", json!(self.k)),
            ("seq_len", json!(self.seq_len)),
            ("dtype", json!(self.dtype)),
            ("documents", json!(self.documents)),
            (
                "logprob_encoding",
                json!("-logprob*1024 rounded, uint16 range"),
            ),
        ];
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
    }

    fn from_parameters(
        parameters: &BTreeMap<String, Value>,
        path: &Path,
    ) -> Result<Self, DistillError> {
        let bad = |message: String| DistillError::Labels {
            path: path.to_path_buf(),
            message: format!("manifest pipeline.parameters: {message}"),
        };
        let text = |name: &str| {
            parameters
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| bad(format!("`{name}` missing or not a string")))
        };
        let number = |name: &str| {
            parameters
                .get(name)
                .and_then(Value::as_u64)
                .ok_or_else(|| bad(format!("`{name}` missing or not a whole number")))
        };
        let size = |name: &str| {
            number(name).and_then(|n| {
                usize::try_from(n).map_err(|_| bad(format!("`{name}` {n} is too large")))
            })
        };
        let schema = text("schema")?;
        if schema != SCHEMA {
            return Err(bad(format!(
                "schema {schema:?}, this build reads {SCHEMA:?}"
            )));
        }
        for name in ["k", "seq_len", "vocab_size"] {
            if size(name)? == 0 {
                return Err(bad(format!("`{name}` is 0")));
            }
        }
        let tokenizer_sha256 = text("tokenizer_sha256")?
            .parse()
            .map_err(|e| bad(format!("tokenizer_sha256: {e}")))?;
        Ok(Self {
            model_repo: text("model_repo")?,
            model_revision: text("model_revision")?,
            family: text("family")?,
            tokenizer_sha256,
            vocab_size: size("vocab_size")?,
            k: size("k")?,
            seq_len: size("seq_len")?,
            dtype: text("dtype")?,
            documents: number("documents")?,
        })
    }
}

/// What a written label set holds.
#[derive(Debug, Clone)]
pub struct LabelSetSummary {
    pub manifest: Manifest,
    pub tokens: u64,
    pub data_bytes: u64,
}

impl LabelSetSummary {
    /// Data-file bytes per labelled token.
    pub fn bytes_per_token(&self) -> f64 {
        self.data_bytes as f64 / self.tokens.max(1) as f64
    }
}

/// Writes `windows` (any order) as the dataset folder `out`, atomically. `documents` are the
/// inputs, for the content digest; `out` must not exist or be empty.
pub fn write_label_set(
    out: &Path,
    windows: &[WindowLabels],
    documents: &[Document],
    task_id: TaskId,
    source_files: Vec<String>,
    params: &LabelSetParams,
) -> Result<LabelSetSummary, DistillError> {
    check_target(out)?;
    for window in windows {
        check_window(window, params).map_err(|message| labels_error(out, message))?;
    }
    let mut sorted: Vec<&WindowLabels> = windows.iter().collect();
    sorted.sort_by(|a, b| {
        a.id.as_bytes()
            .cmp(b.id.as_bytes())
            .then(a.window.cmp(&b.window))
    });
    dataset_dir::write_atomically(out, |tmp| {
        let summary = write_into(tmp, &sorted, documents, task_id, source_files, params)?;
        dataset_dir::verify(tmp).map_err(|e| labels_error(tmp, e.to_string()))?;
        Ok(summary)
    })
}

impl From<dataset_dir::FolderIoError> for DistillError {
    fn from(error: dataset_dir::FolderIoError) -> Self {
        DistillError::Io {
            action: error.action,
            path: error.path,
            source: error.source,
        }
    }
}

/// Refuses an output folder that exists and holds anything.
pub fn check_target(out: &Path) -> Result<(), DistillError> {
    match fs::read_dir(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(DistillError::Io {
            action: "inspecting",
            path: out.to_path_buf(),
            source,
        }),
        Ok(mut entries) => match entries.next() {
            None => Ok(()),
            Some(_) => Err(labels_error(
                out,
                "output folder exists and is not empty".into(),
            )),
        },
    }
}

fn labels_error(path: &Path, message: String) -> DistillError {
    DistillError::Labels {
        path: path.to_path_buf(),
        message,
    }
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> DistillError {
    let path = path.to_path_buf();
    move |source| DistillError::Io {
        action,
        path,
        source,
    }
}

/// Shape rules every stored window follows: 1 to `seq_len` tokens, `k` entries per token, ids
/// inside the vocabulary.
pub fn check_window(window: &WindowLabels, params: &LabelSetParams) -> Result<(), String> {
    let (k, vocab) = (params.k, params.vocab_size);
    let n = window.input_ids.len();
    let at = || format!("document {:?} window {}", window.id, window.window);
    if n == 0 {
        return Err(format!("{}: no tokens", at()));
    }
    if n > params.seq_len {
        return Err(format!(
            "{}: {n} tokens, more than seq_len {}",
            at(),
            params.seq_len
        ));
    }
    if window.top_ids.len() != n * k || window.top_logprobs.len() != n * k {
        return Err(format!(
            "{}: {} tokens need {} top-k entries, found {} ids and {} log-probs",
            at(),
            n,
            n * k,
            window.top_ids.len(),
            window.top_logprobs.len()
        ));
    }
    let outside = |id: &u32| *id as usize >= vocab;
    if window.input_ids.iter().chain(&window.top_ids).any(outside) {
        return Err(format!(
            "{}: a token id is outside the vocabulary of {vocab}",
            at()
        ));
    }
    Ok(())
}

fn write_into(
    dir: &Path,
    windows: &[&WindowLabels],
    documents: &[Document],
    task_id: TaskId,
    source_files: Vec<String>,
    params: &LabelSetParams,
) -> Result<LabelSetSummary, DistillError> {
    let data = dir.join("data");
    fs::create_dir_all(&data).map_err(io_error("creating", &data))?;
    let mut files = Vec::new();
    let mut data_bytes = 0;
    for (index, shard) in shards(windows).into_iter().enumerate() {
        let relative = format!("data/train-{index:05}.parquet");
        let path = dir.join(&relative);
        write_shard(&path, shard)?;
        let (sha256, size) =
            dataset_dir::hash_file(&path).map_err(|e| labels_error(&path, e.to_string()))?;
        data_bytes += size;
        files.push(FileEntry {
            path: relative,
            sha256,
            size,
        });
    }
    let mut digest = ContentDigest::new();
    for doc in documents {
        digest
            .add(doc.id.as_str(), &doc.text)
            .map_err(|e| labels_error(dir, format!("content digest: {e}")))?;
    }
    let tokens: u64 = windows.iter().map(|w| w.input_ids.len() as u64).sum();
    let manifest = ManifestDraft {
        task_id,
        kind: TaskKind::Distill,
        source_files,
        pipeline: Pipeline {
            version: PIPELINE_VERSION.to_owned(),
            parameters: params.to_parameters(),
        },
        row_count: windows.len() as u64,
        token_count: tokens,
        files,
        content_digest: digest
            .finish()
            .map_err(|e| labels_error(dir, format!("content digest: {e}")))?,
    }
    .seal()
    .map_err(|e| labels_error(dir, format!("manifest: {e}")))?;
    let manifest_path = dir.join(MANIFEST_FILE_NAME);
    let json = manifest
        .to_json_pretty()
        .map_err(|e| labels_error(dir, format!("manifest: {e}")))?;
    fs::write(&manifest_path, json).map_err(io_error("writing", &manifest_path))?;
    let card = dataset_card(&manifest, &CardOptions::default());
    let card_path = dir.join(CARD_FILE_NAME);
    fs::write(&card_path, card).map_err(io_error("writing", &card_path))?;
    Ok(LabelSetSummary {
        manifest,
        tokens,
        data_bytes,
    })
}

/// Cuts sorted windows into shards; always at least one (possibly empty) shard.
fn shards<'a>(windows: &'a [&'a WindowLabels]) -> Vec<&'a [&'a WindowLabels]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut tokens = 0usize;
    for (index, window) in windows.iter().enumerate() {
        if index - start >= SHARD_MAX_ROWS || tokens >= SHARD_MAX_TOKENS {
            out.push(&windows[start..index]);
            start = index;
            tokens = 0;
        }
        tokens += window.input_ids.len();
    }
    out.push(&windows[start..]);
    out
}

/// The windows as a polars frame with the columns of the module doc.
pub fn to_frame(windows: &[&WindowLabels]) -> Result<DataFrame, PolarsError> {
    let list = |name: &str, get: &dyn Fn(&WindowLabels) -> Vec<u32>| {
        let rows: Vec<Series> = windows
            .iter()
            .map(|w| Series::new(PlSmallStr::EMPTY, get(w)))
            .collect();
        let mut series = Series::new(name.into(), rows);
        if windows.is_empty() {
            series = Series::new_empty(name.into(), &DataType::List(Box::new(DataType::UInt32)));
        }
        Column::from(series)
    };
    let columns = vec![
        Column::new(
            "id".into(),
            windows.iter().map(|w| w.id.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "window".into(),
            windows.iter().map(|w| w.window).collect::<Vec<u32>>(),
        ),
        Column::new(
            "start".into(),
            windows.iter().map(|w| w.start).collect::<Vec<u32>>(),
        ),
        list("input_ids", &|w| w.input_ids.clone()),
        list("top_ids", &|w| w.top_ids.clone()),
        list("top_logprobs", &|w| {
            w.top_logprobs
                .iter()
                .map(|&lp| encode_logprob(lp))
                .collect()
        }),
    ];
    DataFrame::new(windows.len(), columns)
}

/// Size in bytes of `windows` written as one shard (for benchmarks: bytes per token).
pub fn shard_bytes(windows: &[&WindowLabels]) -> Result<u64, DistillError> {
    let parquet_error = |e: PolarsError| labels_error(Path::new("<memory>"), e.to_string());
    let mut frame = to_frame(windows).map_err(parquet_error)?;
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(&mut frame)
        .map_err(parquet_error)?;
    Ok(bytes.len() as u64)
}

fn write_shard(path: &Path, windows: &[&WindowLabels]) -> Result<(), DistillError> {
    let parquet_error = |e: PolarsError| labels_error(path, format!("writing Parquet: {e}"));
    let mut frame = to_frame(windows).map_err(parquet_error)?;
    let file = fs::File::create(path).map_err(io_error("creating", path))?;
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(&mut frame)
        .map_err(parquet_error)?;
    Ok(())
}

/// A label set read back: manifest, its parameters and every window (log-probs decoded).
#[derive(Debug, Clone)]
pub struct LabelSet {
    pub manifest: Manifest,
    pub params: LabelSetParams,
    pub windows: Vec<WindowLabels>,
}

/// Reads and checks a label set folder: the folder verifies against its manifest, the
/// manifest is a distill manifest, and every window has the documented shape.
pub fn read_label_set(dir: &Path) -> Result<LabelSet, DistillError> {
    let manifest = dataset_dir::verify(dir).map_err(|e| labels_error(dir, e.to_string()))?;
    if manifest.kind != TaskKind::Distill {
        return Err(labels_error(
            dir,
            format!("manifest kind is {}, not distill", manifest.kind.as_str()),
        ));
    }
    let params = LabelSetParams::from_parameters(&manifest.pipeline.parameters, dir)?;
    let mut windows = Vec::new();
    for file in &manifest.files {
        let path = dir.join(&file.path);
        read_shard(&path, &mut windows)?;
    }
    for window in &windows {
        check_window(window, &params).map_err(|message| labels_error(dir, message))?;
    }
    if windows.len() as u64 != manifest.row_count {
        return Err(labels_error(
            dir,
            format!(
                "{} rows in the shards, manifest row_count {}",
                windows.len(),
                manifest.row_count
            ),
        ));
    }
    Ok(LabelSet {
        manifest,
        params,
        windows,
    })
}

fn read_shard(path: &Path, out: &mut Vec<WindowLabels>) -> Result<(), DistillError> {
    let bad = |message: String| labels_error(path, message);
    let file = fs::File::open(path).map_err(io_error("opening", path))?;
    let frame = ParquetReader::new(file)
        .finish()
        .map_err(|e| bad(format!("not readable Parquet: {e}")))?;
    let column = |name: &str| {
        frame
            .column(name)
            .map_err(|_| bad(format!("no `{name}` column")))
    };
    let ids = column("id")?
        .str()
        .map_err(|e| bad(format!("`id`: {e}")))?
        .clone();
    let scalar = |name: &str| -> Result<Vec<u32>, DistillError> {
        let values = column(name)?
            .u32()
            .map_err(|e| bad(format!("`{name}`: {e}")))?
            .clone();
        values
            .iter()
            .enumerate()
            .map(|(row, v)| v.ok_or_else(|| bad(format!("row {row}: `{name}` is null"))))
            .collect()
    };
    let lists = |name: &str| -> Result<Vec<Vec<u32>>, DistillError> {
        let values = column(name)?
            .list()
            .map_err(|e| bad(format!("`{name}`: {e}")))?
            .clone();
        values
            .series_iter()
            .enumerate()
            .map(|(row, v)| {
                let series = v.ok_or_else(|| bad(format!("row {row}: `{name}` is null")))?;
                let items = series
                    .u32()
                    .map_err(|e| bad(format!("row {row}: `{name}`: {e}")))?;
                items
                    .iter()
                    .map(|x| x.ok_or_else(|| bad(format!("row {row}: null in `{name}`"))))
                    .collect()
            })
            .collect()
    };
    let windows = scalar("window")?;
    let starts = scalar("start")?;
    let inputs = lists("input_ids")?;
    let top_ids = lists("top_ids")?;
    let top_logprobs = lists("top_logprobs")?;
    for (row, id) in ids.iter().enumerate() {
        let id = id.ok_or_else(|| bad(format!("row {row}: `id` is null")))?;
        let (Some(window), Some(start), Some(input), Some(tops), Some(codes)) = (
            windows.get(row),
            starts.get(row),
            inputs.get(row),
            top_ids.get(row),
            top_logprobs.get(row),
        ) else {
            return Err(bad(format!("row {row}: columns have different lengths")));
        };
        out.push(WindowLabels {
            id: id.to_owned(),
            window: *window,
            start: *start,
            input_ids: input.clone(),
            top_ids: tops.clone(),
            top_logprobs: codes.iter().map(|&c| decode_logprob(c)).collect(),
        });
    }
    Ok(())
}
