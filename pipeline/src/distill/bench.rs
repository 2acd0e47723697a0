//! `nya bench distill`: teacher throughput and storage cost for a model size on a device.
//!
//! The model is a Phi-3-layout decoder with random weights drawn from a seeded stream (no
//! files needed); its shape is one of [`BenchSize`]. One warm-up batch, then `steps`
//! timed batches of `batch` windows × `seq_len` random tokens, each through the whole labelling
//! step: forward, full log-softmax in f32, top-k, back to the host. Bytes per token are those
//! of the last batch's labels written as a zstd Parquet shard in the stored schema (random
//! weights make the log-probs less regular than a trained model's, so this is an upper bound).
//!
//! Model FLOPs utilisation: `flops/token = 2 × (non-embedding parameters) + 2 × layers ×
//! seq_len × heads × head_dim` (the matmuls, and the causal half of QKᵀ and PV), times tokens/s,
//! over the device's peak given by the caller.

use std::fmt;
use std::str::FromStr;
use std::time::Instant;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::config::TeacherConfig;
use super::labels::WindowLabels;
use super::storage::shard_bytes;
use super::teacher::{LoadOptions, available_memory, build_decoder, estimate, run_dtype};
use super::topk::{log_softmax_f32, top_k};
use super::{DeviceKind, DistillError};

/// Model shapes to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BenchSize {
    /// hidden 256, 4 layers, Phi-3's vocabulary: runs anywhere in seconds.
    Tiny,
    /// hidden 1024, 8 layers (≈ 0.2 B parameters).
    Small,
    /// Phi-3-mini's shape (3.8 B parameters).
    Phi3Mini,
}

impl BenchSize {
    /// The Phi-3 `config.json` of the size.
    pub fn config(self) -> Result<TeacherConfig, DistillError> {
        let (hidden, layers, heads, intermediate) = match self {
            Self::Tiny => (256, 4, 4, 688),
            Self::Small => (1024, 8, 16, 2752),
            Self::Phi3Mini => (3072, 32, 32, 8192),
        };
        let config = json!({
            "model_type": "phi3", "vocab_size": 32064, "hidden_size": hidden,
            "intermediate_size": intermediate, "num_hidden_layers": layers,
            "num_attention_heads": heads, "num_key_value_heads": heads, "rms_norm_eps": 1e-5,
            "rope_theta": 10000.0, "sliding_window": 2047, "hidden_act": "silu"
        });
        TeacherConfig::from_json(config.to_string().as_bytes())
    }
}

impl fmt::Display for BenchSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Tiny => "tiny",
            Self::Small => "small",
            Self::Phi3Mini => "phi3-mini",
        })
    }
}

impl FromStr for BenchSize {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "tiny" => Ok(Self::Tiny),
            "small" => Ok(Self::Small),
            "phi3-mini" => Ok(Self::Phi3Mini),
            other => Err(format!(
                "unknown size {other:?}: expected tiny, small or phi3-mini"
            )),
        }
    }
}

/// What to measure.
#[derive(Debug, Clone, Copy)]
pub struct BenchOptions {
    pub size: BenchSize,
    pub device: DeviceKind,
    pub seq_len: usize,
    /// Windows per batch.
    pub batch: usize,
    /// Timed batches.
    pub steps: usize,
    pub k: usize,
    pub seed: u64,
    /// The device's peak dense TFLOP/s in the run dtype, for MFU.
    pub peak_tflops: Option<f64>,
}

/// One measurement.
#[derive(Debug, Clone, Serialize)]
pub struct BenchResult {
    pub size: String,
    pub device: String,
    pub dtype: String,
    pub parameters: u64,
    pub seq_len: usize,
    pub batch: usize,
    pub k: usize,
    pub tokens: u64,
    pub seconds: f64,
    pub tokens_per_second: f64,
    pub bytes_per_token: f64,
    pub flops_per_token: f64,
    pub mfu: Option<f64>,
}

/// Random weights in the Phi-3 layout from a seeded stream (std 0.02; embeddings and head 1.0,
/// so the distributions are peaked as a trained model's are).
fn random_weights(
    config: &TeacherConfig,
    dtype: DType,
    device: &Device,
    seed: u64,
) -> Result<VarBuilder<'static>, DistillError> {
    let mut tensors = std::collections::HashMap::new();
    let h = config.hidden_size;
    let q = config.num_heads * config.head_dim;
    let kv = config.num_kv_heads * config.head_dim;
    let inter = config.intermediate_size;
    // (name, shape, std); std 0 means a gain of ones.
    let mut specs: Vec<(String, Vec<usize>, f32)> = vec![
        (
            "model.embed_tokens.weight".into(),
            vec![config.vocab_size, h],
            1.0,
        ),
        ("lm_head.weight".into(), vec![config.vocab_size, h], 0.2),
        ("model.norm.weight".into(), vec![h], 0.0),
    ];
    for layer in 0..config.num_layers {
        let name = |part: &str| format!("model.layers.{layer}.{part}");
        specs.extend([
            (name("self_attn.qkv_proj.weight"), vec![q + 2 * kv, h], 0.02),
            (name("self_attn.o_proj.weight"), vec![h, q], 0.02),
            (name("mlp.gate_up_proj.weight"), vec![2 * inter, h], 0.02),
            (name("mlp.down_proj.weight"), vec![h, inter], 0.02),
            (name("input_layernorm.weight"), vec![h], 0.0),
            (name("post_attention_layernorm.weight"), vec![h], 0.0),
        ]);
    }
    for (index, (name, shape, std)) in specs.into_iter().enumerate() {
        let tensor = if std == 0.0 {
            Tensor::ones(shape, dtype, device)?
        } else {
            let count = shape.iter().product();
            let values = seeded_normal(count, std, seed ^ ((index as u64) << 32))?;
            Tensor::from_vec(values, shape, device)?.to_dtype(dtype)?
        };
        tensors.insert(name, tensor);
    }
    Ok(VarBuilder::from_tensors(tensors, dtype, device))
}

/// `count` draws from N(0, std²): chunks of 2^20 filled in parallel, chunk `i` from a ChaCha8
/// stream seeded with `seed + i`, so the values do not depend on the thread count.
fn seeded_normal(count: usize, std: f32, seed: u64) -> Result<Vec<f32>, DistillError> {
    const CHUNK: usize = 1 << 20;
    let normal = Normal::new(0.0f32, std)
        .map_err(|e| DistillError::Input(format!("bench weight std {std}: {e}")))?;
    let mut values = vec![0f32; count];
    values
        .par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(chunk, out)| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(chunk as u64));
            for value in out {
                *value = normal.sample(&mut rng);
            }
        });
    Ok(values)
}

/// Measures `options` (see the module doc).
pub fn bench(options: &BenchOptions) -> Result<BenchResult, DistillError> {
    if options.seq_len == 0 || options.batch == 0 || options.steps == 0 {
        return Err(DistillError::Input(
            "bench: seq_len, batch and steps must be at least 1".into(),
        ));
    }
    let config = options.size.config()?;
    let device = options.device.open()?;
    let dtype = run_dtype(&device);
    let load = LoadOptions {
        batch_tokens: options.batch * options.seq_len,
        seq_len: options.seq_len,
        available_memory: None,
        dtype: None,
    };
    if let Some(available) = available_memory(&device) {
        estimate(&config, dtype, 0, &load).check(&options.device.to_string(), available)?;
    }
    let vb = random_weights(&config, dtype, &device, options.seed)?;
    let decoder = build_decoder(&vb, &config, dtype, &device)?;
    drop(vb);
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let vocab = config.vocab_size as u32;
    let mut batch_of_tokens = || -> Vec<Vec<u32>> {
        (0..options.batch)
            .map(|_| {
                (0..options.seq_len)
                    .map(|_| rng.random_range(0..vocab))
                    .collect()
            })
            .collect()
    };
    let label = |rows: &[Vec<u32>]| -> Result<Vec<WindowLabels>, DistillError> {
        let logprobs = log_softmax_f32(&decoder.forward(rows)?)?;
        let (b, t, v) = logprobs.dims3()?;
        let selected = top_k(&logprobs.reshape((b * t, v))?, options.k)?;
        let per_row = t * options.k;
        Ok(rows
            .iter()
            .zip(
                selected
                    .ids
                    .chunks(per_row)
                    .zip(selected.logprobs.chunks(per_row)),
            )
            .enumerate()
            .map(|(index, (input, (ids, lps)))| WindowLabels {
                id: format!("bench-{index}"),
                window: 0,
                start: 0,
                input_ids: input.clone(),
                top_ids: ids.to_vec(),
                top_logprobs: lps.to_vec(),
            })
            .collect())
    };
    label(&batch_of_tokens())?;
    let started = Instant::now();
    let mut last = Vec::new();
    for _ in 0..options.steps {
        last = label(&batch_of_tokens())?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let tokens = (options.steps * options.batch * options.seq_len) as u64;
    let last_tokens: usize = last.iter().map(|w| w.input_ids.len()).sum();
    let refs: Vec<&WindowLabels> = last.iter().collect();
    let bytes_per_token = shard_bytes(&refs)? as f64 / last_tokens.max(1) as f64;
    let embedding = (config.vocab_size * config.hidden_size) as u64;
    let non_embedding = config.parameter_count().saturating_sub(embedding);
    let attention = 2.0
        * config.num_layers as f64
        * options.seq_len as f64
        * (config.num_heads * config.head_dim) as f64;
    let flops_per_token = 2.0 * non_embedding as f64 + attention;
    let tokens_per_second = tokens as f64 / seconds.max(1e-9);
    Ok(BenchResult {
        size: options.size.to_string(),
        device: options.device.to_string(),
        dtype: format!("{dtype:?}").to_lowercase(),
        parameters: config.parameter_count(),
        seq_len: options.seq_len,
        batch: options.batch,
        k: options.k,
        tokens,
        seconds,
        tokens_per_second,
        bytes_per_token,
        flops_per_token,
        mfu: options
            .peak_tflops
            .filter(|p| *p > 0.0)
            .map(|peak| tokens_per_second * flops_per_token / (peak * 1e12)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_the_tiny_bench_reports_sane_numbers() {
        assert_eq!(
            "phi3-mini".parse::<BenchSize>().unwrap(),
            BenchSize::Phi3Mini
        );
        assert!("huge".parse::<BenchSize>().unwrap_err().contains("tiny"));
        assert_eq!(
            BenchSize::Phi3Mini.config().unwrap().parameter_count(),
            3_821_079_552
        );
        let result = bench(&BenchOptions {
            size: BenchSize::Tiny,
            device: DeviceKind::Cpu,
            seq_len: 64,
            batch: 2,
            steps: 1,
            k: 4,
            seed: 1,
            peak_tflops: Some(1.0),
        })
        .unwrap();
        assert_eq!(result.tokens, 128);
        assert!(result.tokens_per_second > 0.0);
        // 4 bytes of input id and 4 × 6 of top-k before compression; zstd keeps it below that.
        assert!(result.bytes_per_token > 1.0 && result.bytes_per_token < 60.0);
        assert!(result.mfu.is_some_and(|m| m > 0.0));
    }
}
