//! Distillation soft labels: run a teacher LLM over documents and keep, for every token
//! position, the teacher's top-k next-token log-probabilities.
//!
//! - [`config`]: `config.json` by `model_type` (phi3 default; llama, mistral, qwen2), parameter
//!   count and memory estimate.
//! - [`teacher`]: a local model folder (config, safetensors shards, `tokenizer.json`) loaded
//!   after a memory check; f32 on CPU, bf16 on CUDA.
//! - [`model`] with [`phi3`] and [`llama`]: nya's own forward (all positions; rotary and
//!   softmax in f32).
//! - [`topk`]: full log-softmax in f32 and top-k selection without candle's arg-sort.
//! - [`labels`]: documents in (jsonl/parquet), windows of `seq_len`, batches by length.
//! - [`storage`]: Parquet shards + manifest (schema and bytes per token documented there).
//! - [`verify`]: recompute a seeded sample and measure agreement against tolerances.
//! - [`bench`]: throughput, bytes per token and MFU for a model size on a device.
//! - [`run`]: the entry points (`distill`, `verify_folder`) the CLI calls.

pub mod bench;
pub mod config;
pub mod labels;
pub mod llama;
pub mod model;
pub mod phi3;
pub mod run;
pub mod storage;
pub mod teacher;
pub mod topk;
pub mod verify;

#[cfg(test)]
pub(crate) mod test_model;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

/// Why distillation failed. Each variant names what was wrong and where.
#[derive(Debug, thiserror::Error)]
pub enum DistillError {
    #[error("teacher config: {0}")]
    Config(String),
    #[error("teacher folder {dir}: missing {file}")]
    MissingFile { dir: PathBuf, file: String },
    #[error("teacher weights {path}: {message}")]
    Weights { path: PathBuf, message: String },
    #[error("tokenizer {path}: {message}")]
    Tokenizer { path: PathBuf, message: String },
    #[error(
        "the teacher does not fit: it needs about {need_gib:.1} GiB on {device} ({detail}) but \
         {available_gib:.1} GiB are available"
    )]
    TooLarge {
        device: String,
        need_gib: f64,
        available_gib: f64,
        detail: String,
    },
    #[error("{0}")]
    Input(String),
    #[error("documents {path}: {message}")]
    Documents { path: PathBuf, message: String },
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("soft labels {path}: {message}")]
    Labels { path: PathBuf, message: String },
    #[error("teacher on the Hub: {0}")]
    HubModel(String),
    #[error(transparent)]
    Device(#[from] crate::device::DeviceError),
    #[error("tensor op: {0}")]
    Candle(#[from] candle_core::Error),
}

pub use crate::device::DeviceKind;
