//! Probe training: score a dataset by how well a small language model trained on it predicts
//! held-out reference text.
//!
//! A probe is a GPT-2-shaped decoder ([`model`]) of a fixed [`config::ProbeSize`], initialised
//! from a seed, trained with AdamW for a token budget on packed sequences of the dataset
//! ([`data`], [`train`]), then evaluated ([`eval`]) on a reference text (held-out loss and
//! perplexity) and, optionally, a HellaSwag-style multiple-choice file (accuracy by
//! length-normalised log-likelihood). [`run`] does all of it from paths and returns a
//! [`report::ProbeReport`]; [`bench`] measures training throughput; [`synthetic`] generates the
//! clean / boilerplate / garbage corpora that show the probe tells them apart.
//!
//! Reproducibility: the seed fixes the initial weights and the order of the training windows,
//! and the data is read in sorted file order, so the same seed, data and device give the same
//! report (wall time aside). CPU is the default; CUDA needs the `cuda` feature.

pub mod bench;
pub mod config;
pub mod data;
pub mod eval;
mod grammar;
pub mod model;
pub mod report;
pub mod run;
pub mod synthetic;
pub mod tokenizer;
pub mod train;

use std::path::PathBuf;

/// Why a probe could not be trained or evaluated. Each names the file or setting at fault.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Parquet {
        path: PathBuf,
        source: polars::prelude::PolarsError,
    },
    #[error("{path}: no `text` column (columns: {columns})")]
    NoTextColumn { path: PathBuf, columns: String },
    #[error("{path}: column `text` holds {dtype}, not text (String)")]
    NotTextColumn { path: PathBuf, dtype: String },
    #[error("{path}:{line}: {reason}")]
    Jsonl {
        path: PathBuf,
        line: u64,
        reason: String,
    },
    #[error("{path}: unsupported file type (expected .parquet, .jsonl or .txt)")]
    UnsupportedFile { path: PathBuf },
    #[error("{path}: no data files (.parquet or .jsonl) in the dataset folder")]
    NoDataFiles { path: PathBuf },
    #[error("dataset folder: {0}")]
    Dataset(String),
    #[error("{origin}: the dataset holds no text")]
    EmptyDataset { origin: String },
    #[error(
        "{origin}: not enough data: the token budget needs {needed} tokens, the source holds only {available}"
    )]
    NotEnoughData {
        origin: String,
        needed: u64,
        available: u64,
    },
    #[error("{path}:{line}: multiple-choice item: {reason}")]
    MultipleChoice {
        path: PathBuf,
        line: u64,
        reason: String,
    },
    #[error("{path}: no multiple-choice items")]
    NoMultipleChoice { path: PathBuf },
    #[error(transparent)]
    Device(#[from] crate::device::DeviceError),
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("training diverged: {what} is {value} at step {step}")]
    Diverged {
        what: &'static str,
        value: f64,
        step: u64,
    },
    #[error("invalid probe settings: {0}")]
    Config(String),
    #[error("tensor computation failed: {0}")]
    Candle(#[from] candle_core::Error),
}

pub use crate::device::{DeviceKind, device_name};
