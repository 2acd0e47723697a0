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
pub mod model;
pub mod report;
pub mod run;
pub mod synthetic;
pub mod tokenizer;
pub mod train;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use candle_core::Device;

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
    #[error("--device cuda needs nya built with the `cuda` feature")]
    CudaNotBuilt,
    #[error("cannot open CUDA device 0: {0}")]
    CudaUnavailable(candle_core::Error),
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

/// Where a probe runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    #[default]
    Cpu,
    Cuda,
}

impl DeviceKind {
    /// Opens the device (CUDA: the first GPU).
    pub fn open(self) -> Result<Device, ProbeError> {
        match self {
            Self::Cpu => Ok(Device::Cpu),
            Self::Cuda => open_cuda(),
        }
    }
}

#[cfg(feature = "cuda")]
fn open_cuda() -> Result<Device, ProbeError> {
    Device::new_cuda(0).map_err(ProbeError::CudaUnavailable)
}

#[cfg(not(feature = "cuda"))]
fn open_cuda() -> Result<Device, ProbeError> {
    Err(ProbeError::CudaNotBuilt)
}

impl fmt::Display for DeviceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Cpu => "cpu",
            Self::Cuda => "cuda",
        })
    }
}

impl FromStr for DeviceKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "cpu" => Ok(Self::Cpu),
            "cuda" => Ok(Self::Cuda),
            other => Err(format!("unknown device {other:?}: expected cpu or cuda")),
        }
    }
}

/// A device's name for reports (`cpu`, `cuda:0`).
pub fn device_name(device: &Device) -> String {
    match device.location() {
        candle_core::DeviceLocation::Cpu => "cpu".into(),
        candle_core::DeviceLocation::Cuda { gpu_id } => format!("cuda:{gpu_id}"),
        candle_core::DeviceLocation::Metal { gpu_id } => format!("metal:{gpu_id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_parse_and_cuda_needs_the_feature() {
        assert_eq!("cpu".parse::<DeviceKind>().unwrap(), DeviceKind::Cpu);
        assert!(
            "tpu"
                .parse::<DeviceKind>()
                .unwrap_err()
                .contains("cpu or cuda")
        );
        assert_eq!(device_name(&DeviceKind::Cpu.open().unwrap()), "cpu");
        if cfg!(not(feature = "cuda")) {
            let err = DeviceKind::Cuda.open().unwrap_err().to_string();
            assert!(err.contains("`cuda` feature"), "{err}");
        }
    }
}
