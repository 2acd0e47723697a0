//! The teacher: a local model folder, checked for fit, then loaded.
//!
//! A folder holds `config.json`, `tokenizer.json` and the weights: the shards named by
//! `model.safetensors.index.json` (its `weight_map`) when that file exists, otherwise every
//! `*.safetensors` file in the folder. f32 on CPU, bf16 on CUDA.
//!
//! Memory check, before any weight is read: parameters (from the config) × dtype bytes (and an
//! f32 copy of the output head when running in bf16), plus the
//! largest shard file twice (the file is read whole, then turned into tensors, before conversion
//! to the run dtype), plus [`TeacherConfig::activation_bytes`] for one batch. That is compared
//! with what the device has free: `MemAvailable` of `/proc/meminfo` on CPU, the driver's free
//! memory on CUDA. A caller may pass the available figure itself (tests, or an operator
//! reserving memory for other work).

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::{Embedding, Linear, VarBuilder, rms_norm};
use nya_metadata::manifest::Sha256Digest;
use serde::Deserialize;
use tokenizers::Tokenizer;

use super::config::{BF16_BYTES, F32_BYTES, Family, TeacherConfig};
use super::model::Decoder;
use super::{DistillError, llama, phi3};

pub const CONFIG_FILE: &str = "config.json";
pub const TOKENIZER_FILE: &str = "tokenizer.json";
pub const INDEX_FILE: &str = "model.safetensors.index.json";

const GIB: f64 = (1u64 << 30) as f64;

/// The files of a teacher folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeacherFiles {
    pub dir: PathBuf,
    pub config: PathBuf,
    pub tokenizer: PathBuf,
    /// Weight shards, sorted.
    pub shards: Vec<PathBuf>,
}

#[derive(Deserialize)]
struct ShardIndex {
    weight_map: HashMap<String, String>,
}

impl TeacherFiles {
    /// Finds the files of `dir`, or names the first one missing.
    pub fn locate(dir: &Path) -> Result<Self, DistillError> {
        if !dir.is_dir() {
            return Err(DistillError::MissingFile {
                dir: dir.to_path_buf(),
                file: "the folder itself".into(),
            });
        }
        let required = |file: &str| {
            let path = dir.join(file);
            if path.is_file() {
                Ok(path)
            } else {
                Err(DistillError::MissingFile {
                    dir: dir.to_path_buf(),
                    file: file.into(),
                })
            }
        };
        let config = required(CONFIG_FILE)?;
        let tokenizer = required(TOKENIZER_FILE)?;
        let index = dir.join(INDEX_FILE);
        let shards = if index.is_file() {
            shards_from_index(dir, &index)?
        } else {
            let listing = fs::read_dir(dir).map_err(|source| DistillError::Io {
                action: "listing",
                path: dir.to_path_buf(),
                source,
            })?;
            let mut shards = Vec::new();
            for entry in listing {
                let path = entry
                    .map_err(|source| DistillError::Io {
                        action: "listing",
                        path: dir.to_path_buf(),
                        source,
                    })?
                    .path();
                if path.extension().is_some_and(|e| e == "safetensors") && path.is_file() {
                    shards.push(path);
                }
            }
            shards.sort();
            shards
        };
        if shards.is_empty() {
            return Err(DistillError::MissingFile {
                dir: dir.to_path_buf(),
                file: "*.safetensors weights".into(),
            });
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            config,
            tokenizer,
            shards,
        })
    }

    /// Size of the largest shard file.
    fn largest_shard(&self) -> Result<u64, DistillError> {
        let mut largest = 0;
        for shard in &self.shards {
            let meta = fs::metadata(shard).map_err(|source| DistillError::Io {
                action: "inspecting",
                path: shard.clone(),
                source,
            })?;
            largest = largest.max(meta.len());
        }
        Ok(largest)
    }
}

fn shards_from_index(dir: &Path, index: &Path) -> Result<Vec<PathBuf>, DistillError> {
    let bytes = fs::read(index).map_err(|source| DistillError::Io {
        action: "reading",
        path: index.to_path_buf(),
        source,
    })?;
    let parsed: ShardIndex = serde_json::from_slice(&bytes).map_err(|e| DistillError::Weights {
        path: index.to_path_buf(),
        message: format!("not a safetensors index: {e}"),
    })?;
    let names: BTreeSet<&str> = parsed.weight_map.values().map(String::as_str).collect();
    let mut shards = Vec::with_capacity(names.len());
    for name in names {
        // A shard name is a file beside the index, never a path out of the folder.
        if name.is_empty() || name.contains(['/', '\\']) || name == ".." || name == "." {
            return Err(DistillError::Weights {
                path: index.to_path_buf(),
                message: format!("shard name {name:?} is not a file name in the folder"),
            });
        }
        let path = dir.join(name);
        if !path.is_file() {
            return Err(DistillError::MissingFile {
                dir: dir.to_path_buf(),
                file: format!("{name} (named by {INDEX_FILE})"),
            });
        }
        shards.push(path);
    }
    Ok(shards)
}

/// How to load the teacher.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Tokens of the largest batch the run will push through (sizes the activation estimate).
    pub batch_tokens: usize,
    /// Longest sequence of a batch.
    pub seq_len: usize,
    /// Bytes available on the device; measured when `None`.
    pub available_memory: Option<u64>,
    /// Run dtype; [`run_dtype`] of the device when `None` (bf16 on CPU is for measuring what
    /// bf16 changes, e.g. verification tolerances).
    pub dtype: Option<DType>,
}

/// What loading will need, from the config and the shard sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryEstimate {
    pub parameters: u64,
    pub weight_bytes: u64,
    pub loading_bytes: u64,
    pub activation_bytes: u64,
}

impl MemoryEstimate {
    pub fn total(&self) -> u64 {
        self.weight_bytes + self.loading_bytes + self.activation_bytes
    }

    /// Refuses when `available` cannot hold [`Self::total`].
    pub fn check(&self, device: &str, available: u64) -> Result<(), DistillError> {
        if self.total() <= available {
            return Ok(());
        }
        Err(DistillError::TooLarge {
            device: device.into(),
            need_gib: self.total() as f64 / GIB,
            available_gib: available as f64 / GIB,
            detail: format!(
                "{} parameters = {:.1} GiB of weights, {:.1} GiB while loading a shard, {:.1} \
                 GiB of activations",
                self.parameters,
                self.weight_bytes as f64 / GIB,
                self.loading_bytes as f64 / GIB,
                self.activation_bytes as f64 / GIB
            ),
        })
    }
}

/// The run dtype of a device: bf16 on CUDA, f32 elsewhere.
pub fn run_dtype(device: &Device) -> DType {
    if device.is_cuda() {
        DType::BF16
    } else {
        DType::F32
    }
}

/// Estimates what `config` needs in `dtype` with shards of at most `largest_shard` bytes.
pub fn estimate(
    config: &TeacherConfig,
    dtype: DType,
    largest_shard: u64,
    options: &LoadOptions,
) -> MemoryEstimate {
    let parameters = config.parameter_count();
    let bytes = if dtype == DType::BF16 {
        BF16_BYTES
    } else {
        F32_BYTES
    };
    let seq_len = options.seq_len.max(1);
    let batch = (options.batch_tokens / seq_len).max(1);
    // The output head is kept in f32 as well (see `model.rs`).
    let f32_head = (config.vocab_size * config.hidden_size) as u64 * (F32_BYTES - bytes);
    MemoryEstimate {
        parameters,
        weight_bytes: parameters * bytes + f32_head,
        loading_bytes: 2 * largest_shard,
        activation_bytes: config.activation_bytes(batch, seq_len),
    }
}

/// Free bytes on `device`, or `None` where nya cannot measure it.
pub fn available_memory(device: &Device) -> Option<u64> {
    if device.is_cuda() {
        return cuda_free_memory();
    }
    let meminfo = fs::read_to_string("/proc/meminfo").ok()?;
    mem_available(&meminfo)
}

/// `MemAvailable` of a `/proc/meminfo` text, in bytes.
pub fn mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line
        .trim_start_matches("MemAvailable:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    kib.checked_mul(1024)
}

#[cfg(feature = "cuda")]
fn cuda_free_memory() -> Option<u64> {
    // The context candle created for the device is current on this thread.
    candle_core::cuda_backend::cudarc::driver::result::mem_get_info()
        .ok()
        .map(|(free, _total)| free as u64)
}

#[cfg(not(feature = "cuda"))]
fn cuda_free_memory() -> Option<u64> {
    None
}

/// A loaded teacher: network, tokenizer and where they came from.
pub struct Teacher {
    pub files: TeacherFiles,
    pub config: TeacherConfig,
    pub decoder: Decoder,
    pub tokenizer: Tokenizer,
    /// SHA-256 of `tokenizer.json`'s bytes.
    pub tokenizer_sha256: Sha256Digest,
}

impl std::fmt::Debug for Teacher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Teacher")
            .field("files", &self.files)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Teacher {
    /// Reads the config and tokenizer, checks the fit, then loads the weights onto `device`.
    pub fn load(dir: &Path, device: &Device, options: &LoadOptions) -> Result<Self, DistillError> {
        let files = TeacherFiles::locate(dir)?;
        let config_bytes = fs::read(&files.config).map_err(|source| DistillError::Io {
            action: "reading",
            path: files.config.clone(),
            source,
        })?;
        let config = TeacherConfig::from_json(&config_bytes)?;
        let tokenizer_bytes = fs::read(&files.tokenizer).map_err(|source| DistillError::Io {
            action: "reading",
            path: files.tokenizer.clone(),
            source,
        })?;
        let tokenizer =
            Tokenizer::from_bytes(&tokenizer_bytes).map_err(|e| DistillError::Tokenizer {
                path: files.tokenizer.clone(),
                message: e.to_string(),
            })?;
        let tokenizer_vocab = tokenizer.get_vocab_size(true);
        if tokenizer_vocab > config.vocab_size {
            return Err(DistillError::Tokenizer {
                path: files.tokenizer.clone(),
                message: format!(
                    "{tokenizer_vocab} tokens, more than the model's vocab_size {} in {}",
                    config.vocab_size,
                    files.config.display()
                ),
            });
        }
        let dtype = options.dtype.unwrap_or_else(|| run_dtype(device));
        if !matches!(dtype, DType::F32 | DType::BF16) {
            return Err(DistillError::Config(format!(
                "run dtype {dtype:?}: the teacher runs in f32 or bf16"
            )));
        }
        let need = estimate(&config, dtype, files.largest_shard()?, options);
        let device_name = if device.is_cuda() { "cuda" } else { "cpu" };
        match options
            .available_memory
            .or_else(|| available_memory(device))
        {
            Some(available) => need.check(device_name, available)?,
            None => tracing::warn!(
                need_bytes = need.total(),
                "cannot measure free memory on {device_name}; loading without a fit check"
            ),
        }
        let decoder = load_decoder(&files, &config, dtype, device)?;
        Ok(Self {
            files,
            config,
            decoder,
            tokenizer,
            tokenizer_sha256: Sha256Digest::of(&tokenizer_bytes),
        })
    }

    /// Token ids of `text` with the tokenizer's special tokens (e.g. a leading BOS).
    pub fn tokenize(&self, text: &str) -> Result<Vec<u32>, DistillError> {
        let encoding = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| DistillError::Tokenizer {
                path: self.files.tokenizer.clone(),
                message: format!("encoding: {e}"),
            })?;
        Ok(encoding.get_ids().to_vec())
    }
}

fn load_decoder(
    files: &TeacherFiles,
    config: &TeacherConfig,
    dtype: DType,
    device: &Device,
) -> Result<Decoder, DistillError> {
    let mut tensors: HashMap<String, Tensor> = HashMap::new();
    for shard in &files.shards {
        let weights_error = |message: String| DistillError::Weights {
            path: shard.clone(),
            message,
        };
        let loaded = candle_core::safetensors::load(shard, device)
            .map_err(|e| weights_error(format!("not a readable safetensors file: {e}")))?;
        for (name, tensor) in loaded {
            // Convert shard by shard so at most one shard is held in its file dtype.
            let tensor = tensor
                .to_dtype(dtype)
                .map_err(|e| weights_error(format!("{name}: {e}")))?;
            if tensors.insert(name.clone(), tensor).is_some() {
                return Err(weights_error(format!(
                    "tensor {name} appears in two shards"
                )));
            }
        }
    }
    let vb = VarBuilder::from_tensors(tensors, dtype, device);
    build_decoder(&vb, config, dtype, device).map_err(|e| match e {
        DistillError::Candle(e) => DistillError::Weights {
            path: files.dir.clone(),
            message: format!("{} checkpoint: {e}", config.family.model_type()),
        },
        other => other,
    })
}

/// Assembles the decoder from a `VarBuilder` rooted at a checkpoint in the families' naming.
pub fn build_decoder(
    vb: &VarBuilder,
    config: &TeacherConfig,
    dtype: DType,
    device: &Device,
) -> Result<Decoder, DistillError> {
    let h = config.hidden_size;
    let embed_weight = vb.get((config.vocab_size, h), "model.embed_tokens.weight")?;
    let lm_head = if config.tie_word_embeddings {
        Linear::new(embed_weight.clone(), None)
    } else {
        Linear::new(vb.get((config.vocab_size, h), "lm_head.weight")?, None)
    };
    let mut layers = Vec::with_capacity(config.num_layers);
    for index in 0..config.num_layers {
        layers.push(match config.family {
            Family::Phi3 => phi3::load_layer(vb, config, index)?,
            Family::Llama | Family::Mistral | Family::Qwen2 => {
                llama::load_layer(vb, config, index)?
            }
        });
    }
    let norm = rms_norm(h, config.rms_norm_eps, vb.pp("model.norm"))?;
    Decoder::new(
        config.clone(),
        Embedding::new(embed_weight, h),
        layers,
        norm,
        lm_head,
        dtype,
        device.clone(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_available_reads_proc_meminfo() {
        let text = "MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   16000000 kB\n";
        assert_eq!(mem_available(text), Some(16_000_000 * 1024));
        assert_eq!(mem_available("MemTotal: 5 kB\n"), None);
        assert_eq!(mem_available("MemAvailable: lots kB\n"), None);
    }

    #[test]
    fn estimates_count_weights_head_copy_shards_and_activations() {
        let config = TeacherConfig::from_json(
            br#"{"model_type": "phi3", "vocab_size": 32064, "hidden_size": 5120,
                "intermediate_size": 17920, "num_hidden_layers": 40, "num_attention_heads": 40,
                "num_key_value_heads": 10, "rms_norm_eps": 1e-5, "sliding_window": 2047}"#,
        )
        .unwrap();
        let options = LoadOptions {
            batch_tokens: 2048,
            seq_len: 2048,
            available_memory: None,
            dtype: None,
        };
        // Phi-3-medium: ~14 B parameters, ~56 GB in f32 as the issue says.
        let f32_need = estimate(&config, DType::F32, 5 << 30, &options);
        assert_eq!(f32_need.parameters, 13_960_238_080);
        assert_eq!(f32_need.weight_bytes, 13_960_238_080 * 4);
        assert_eq!(f32_need.loading_bytes, 10 << 30);
        let err = f32_need.check("cpu", 24 << 30).unwrap_err().to_string();
        assert!(err.contains("does not fit") && err.contains("GiB"), "{err}");
        let bf16_need = estimate(&config, DType::BF16, 5 << 30, &options);
        let head_copy = 32064 * 5120 * 2;
        assert_eq!(bf16_need.weight_bytes, 13_960_238_080 * 2 + head_copy);
        assert!(bf16_need.check("cuda", 80 << 30).is_ok());
    }

    #[test]
    fn an_index_cannot_point_outside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join(INDEX_FILE);
        fs::write(&index, r#"{"weight_map": {"a": "../outside.safetensors"}}"#).unwrap();
        let err = shards_from_index(dir.path(), &index)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a file name in the folder"), "{err}");
        fs::write(&index, r#"{"weights": {}}"#).unwrap();
        let err = shards_from_index(dir.path(), &index)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a safetensors index"), "{err}");
    }
}
