//! Documents in, soft labels out.
//!
//! Input: a `.jsonl` file (one object per line with string fields `id` and `text`; blank lines
//! skipped) or a `.parquet` file with String columns `id` and `text`. Ids must be unique and
//! non-empty; texts must not be empty or tokenize to nothing.
//!
//! Each document is tokenized once with the tokenizer's special tokens (so a BOS, where the
//! tokenizer adds one, starts the first window only), then cut into consecutive windows of at
//! most `seq_len` tokens. Windows are independent sequences: position 0 of every window starts
//! a fresh context. Windows of equal length are batched together, up to `batch_tokens` tokens
//! per forward pass; every row of a batch is the same length, so no padding touches the result.
//! For every position the teacher's top-k log-probs of the *next* token are kept.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use polars::prelude::{DataType, ParquetReader, SerReader};

use super::DistillError;
use super::teacher::Teacher;
use super::topk::{log_softmax_f32, top_k};
use crate::jsonl::{self, JsonlError};

/// Default positions per window.
pub const DEFAULT_SEQ_LEN: usize = 2048;
/// Default log-probs kept per position.
pub const DEFAULT_TOP_K: usize = 16;
/// Default tokens per forward pass.
pub const DEFAULT_BATCH_TOKENS: usize = 8192;

/// One input document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: String,
    pub text: String,
}

/// Labelling settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabelParams {
    pub k: usize,
    pub seq_len: usize,
    pub batch_tokens: usize,
}

impl Default for LabelParams {
    fn default() -> Self {
        Self {
            k: DEFAULT_TOP_K,
            seq_len: DEFAULT_SEQ_LEN,
            batch_tokens: DEFAULT_BATCH_TOKENS,
        }
    }
}

impl LabelParams {
    fn validate(&self, vocab: usize) -> Result<(), DistillError> {
        if self.seq_len == 0 || self.seq_len > u32::MAX as usize {
            return Err(DistillError::Input(format!(
                "seq_len {} must be at least 1",
                self.seq_len
            )));
        }
        if self.k == 0 || self.k > vocab {
            return Err(DistillError::Input(format!(
                "top-k {} must be 1 to the vocabulary size {vocab}",
                self.k
            )));
        }
        Ok(())
    }
}

/// One window's labels. `top_ids`/`top_logprobs` are row-major `[input_ids.len(), k]`: entry
/// `t * k + j` is the `j`-th most likely token to follow `input_ids[..=t]`.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowLabels {
    pub id: String,
    /// Index of the window within its document.
    pub window: u32,
    /// Offset of the window's first token within the document's tokens.
    pub start: u32,
    pub input_ids: Vec<u32>,
    pub top_ids: Vec<u32>,
    pub top_logprobs: Vec<f32>,
}

/// Reads documents from a `.jsonl` or `.parquet` file (see the module doc).
pub fn read_documents(path: &Path) -> Result<Vec<Document>, DistillError> {
    let documents = match path.extension().and_then(|e| e.to_str()) {
        Some("jsonl") => read_jsonl(path)?,
        Some("parquet") => read_parquet(path)?,
        _ => {
            return Err(DistillError::Documents {
                path: path.to_path_buf(),
                message: "expected a .jsonl or .parquet file".into(),
            });
        }
    };
    check_documents(&documents).map_err(|message| DistillError::Documents {
        path: path.to_path_buf(),
        message,
    })?;
    Ok(documents)
}

/// Reads every file with [`read_documents`], in order; ids must be unique across all of them.
pub fn read_document_files(paths: &[PathBuf]) -> Result<Vec<Document>, DistillError> {
    let Some(first) = paths.first() else {
        return Err(DistillError::Documents {
            path: PathBuf::new(),
            message: "no document files given".into(),
        });
    };
    let mut documents = Vec::new();
    let mut origin: BTreeMap<String, usize> = BTreeMap::new();
    for (index, path) in paths.iter().enumerate() {
        for doc in read_documents(path)? {
            if let Some(earlier) = origin.insert(doc.id.clone(), index) {
                let earlier = paths.get(earlier).unwrap_or(first);
                return Err(DistillError::Documents {
                    path: path.clone(),
                    message: format!(
                        "document id {:?} also appears in {}",
                        doc.id,
                        earlier.display()
                    ),
                });
            }
            documents.push(doc);
        }
    }
    Ok(documents)
}

/// Ids unique and non-empty, texts non-empty.
pub fn check_documents(documents: &[Document]) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for (index, doc) in documents.iter().enumerate() {
        if doc.id.is_empty() {
            return Err(format!("document {index} has an empty id"));
        }
        if doc.text.is_empty() {
            return Err(format!("document {:?} has empty text", doc.id));
        }
        if !seen.insert(doc.id.as_str()) {
            return Err(format!("document id {:?} appears more than once", doc.id));
        }
    }
    Ok(())
}

fn read_jsonl(path: &Path) -> Result<Vec<Document>, DistillError> {
    let bad = |line: u64, message: String| DistillError::Documents {
        path: path.to_path_buf(),
        message: format!("line {line}: {message}"),
    };
    let mut documents = Vec::new();
    // Every line is visited (the visitor never breaks), so the flow carries nothing.
    let _ = jsonl::for_each_value(
        path,
        |e| match e {
            JsonlError::Io { action, source } => DistillError::Io {
                action,
                path: path.to_path_buf(),
                source,
            },
            JsonlError::Line { line, reason } => bad(line, reason),
        },
        |line, value| {
            let field = |name: &str| match value.get(name) {
                Some(serde_json::Value::String(s)) => Ok(s.clone()),
                Some(_) => Err(bad(line, format!("`{name}` is not a string"))),
                None => Err(bad(line, format!("no `{name}` field"))),
            };
            documents.push(Document {
                id: field("id")?,
                text: field("text")?,
            });
            Ok(ControlFlow::Continue(()))
        },
    )?;
    Ok(documents)
}

fn read_parquet(path: &Path) -> Result<Vec<Document>, DistillError> {
    let bad = |message: String| DistillError::Documents {
        path: path.to_path_buf(),
        message,
    };
    let file = File::open(path).map_err(|source| DistillError::Io {
        action: "opening",
        path: path.to_path_buf(),
        source,
    })?;
    let frame = ParquetReader::new(file)
        .finish()
        .map_err(|e| bad(format!("not readable Parquet: {e}")))?;
    let strings = |name: &str| -> Result<Vec<String>, DistillError> {
        let column = frame
            .column(name)
            .map_err(|_| bad(format!("no `{name}` column")))?;
        if column.dtype() != &DataType::String {
            return Err(bad(format!("`{name}` is {}, not String", column.dtype())));
        }
        let values = column.str().map_err(|e| bad(e.to_string()))?;
        values
            .iter()
            .enumerate()
            .map(|(row, v)| {
                v.map(str::to_owned)
                    .ok_or_else(|| bad(format!("row {row}: `{name}` is null")))
            })
            .collect()
    };
    let ids = strings("id")?;
    let texts = strings("text")?;
    Ok(ids
        .into_iter()
        .zip(texts)
        .map(|(id, text)| Document { id, text })
        .collect())
}

/// A window waiting to run.
struct PendingWindow {
    document: usize,
    window: u32,
    start: u32,
    ids: Vec<u32>,
}

/// Progress after each batch: tokens done so far, and in all.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// Labels every document; windows come back sorted by (document id, window).
pub fn label_documents(
    teacher: &Teacher,
    documents: &[Document],
    params: &LabelParams,
    progress: Progress<'_>,
) -> Result<Vec<WindowLabels>, DistillError> {
    params.validate(teacher.config.vocab_size)?;
    check_documents(documents).map_err(DistillError::Input)?;
    let mut by_length: BTreeMap<usize, Vec<PendingWindow>> = BTreeMap::new();
    for (index, doc) in documents.iter().enumerate() {
        let ids = teacher.tokenize(&doc.text)?;
        if ids.is_empty() {
            return Err(DistillError::Input(format!(
                "document {:?} tokenizes to no tokens",
                doc.id
            )));
        }
        for (window, chunk) in ids.chunks(params.seq_len).enumerate() {
            let pending = PendingWindow {
                document: index,
                window: u32::try_from(window).map_err(|_| too_long(&doc.id))?,
                start: u32::try_from(window * params.seq_len).map_err(|_| too_long(&doc.id))?,
                ids: chunk.to_vec(),
            };
            by_length.entry(chunk.len()).or_default().push(pending);
        }
    }
    let total: u64 = by_length
        .iter()
        .map(|(len, windows)| (len * windows.len()) as u64)
        .sum();
    let mut out = Vec::new();
    let mut done = 0u64;
    for (len, windows) in by_length {
        let per_batch = (params.batch_tokens / len).max(1);
        for batch in windows.chunks(per_batch) {
            let rows: Vec<Vec<u32>> = batch.iter().map(|w| w.ids.clone()).collect();
            let labelled = run_batch(teacher, &rows, params.k)?;
            for (pending, (top_ids, top_logprobs)) in batch.iter().zip(labelled) {
                let id = documents
                    .get(pending.document)
                    .map(|d| d.id.clone())
                    .unwrap_or_default();
                out.push(WindowLabels {
                    id,
                    window: pending.window,
                    start: pending.start,
                    input_ids: pending.ids.clone(),
                    top_ids,
                    top_logprobs,
                });
            }
            done += (batch.len() * len) as u64;
            progress(done, total);
        }
    }
    out.sort_by(|a, b| {
        a.id.as_bytes()
            .cmp(b.id.as_bytes())
            .then(a.window.cmp(&b.window))
    });
    Ok(out)
}

fn too_long(id: &str) -> DistillError {
    DistillError::Input(format!("document {id:?} has more than 2^32 tokens"))
}

/// Full-vocabulary f32 log-probs for each position of each (equal-length) row:
/// `[rows, len, vocab]`.
pub fn logprobs(teacher: &Teacher, rows: &[Vec<u32>]) -> Result<candle_core::Tensor, DistillError> {
    let logits = teacher.decoder.forward(rows)?;
    log_softmax_f32(&logits)
}

/// One row's top-k ids and log-probs, each `[len × k]` row-major.
type RowTopK = (Vec<u32>, Vec<f32>);

/// Top-k ids and log-probs per row.
fn run_batch(teacher: &Teacher, rows: &[Vec<u32>], k: usize) -> Result<Vec<RowTopK>, DistillError> {
    let logprobs = logprobs(teacher, rows)?;
    let (batch, len, vocab) = logprobs.dims3()?;
    let selected = top_k(&logprobs.reshape((batch * len, vocab))?, k)?;
    if let Some(bad) = selected.logprobs.iter().find(|v| !v.is_finite()) {
        return Err(DistillError::Input(format!(
            "the teacher produced a non-finite log-prob ({bad}); the weights may be corrupt"
        )));
    }
    let per_row = len * k;
    Ok(selected
        .ids
        .chunks(per_row)
        .zip(selected.logprobs.chunks(per_row))
        .map(|(ids, lps)| (ids.to_vec(), lps.to_vec()))
        .collect())
}

#[cfg(test)]
mod file_tests {
    use super::*;

    #[test]
    fn several_files_are_read_in_order_with_ids_unique_across_them() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.jsonl");
        let b = dir.path().join("b.jsonl");
        std::fs::write(&a, "{\"id\": \"x\", \"text\": \"one\"}\n").unwrap();
        std::fs::write(&b, "{\"id\": \"y\", \"text\": \"two\"}\n").unwrap();
        let documents = read_document_files(&[a.clone(), b.clone()]).unwrap();
        let ids: Vec<&str> = documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["x", "y"]);

        std::fs::write(&b, "{\"id\": \"x\", \"text\": \"again\"}\n").unwrap();
        let error = read_document_files(&[a, b]).unwrap_err().to_string();
        assert!(error.contains("\"x\" also appears in"), "{error}");
        assert!(read_document_files(&[]).is_err());
    }
}
