//! Tiny teachers for tests: a config, seeded random weights saved as safetensors (optionally
//! sharded with an index) and a word-level tokenizer, written into a folder so tests go through
//! the real loading path.
//!
//! Weights are deliberately large (embeddings and head ~ N(0, 1), other matrices ~ N(0, 0.3²))
//! so the next-token distributions are peaked rather than near-uniform, and attention mixes
//! positions enough for masking bugs to show.

use std::collections::HashMap;
use std::path::Path;

use ahash::AHashMap;
use candle_core::{Device, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde_json::json;
use tokenizers::Tokenizer;
use tokenizers::models::wordlevel::WordLevel;
use tokenizers::pre_tokenizers::whitespace::Whitespace;

use super::config::Family;

/// Shape of a tiny teacher.
#[derive(Debug, Clone, Copy)]
pub struct TinySpec {
    pub family: Family,
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub intermediate: usize,
    /// The model's vocabulary (padded beyond the tokenizer's, as Phi-3's is).
    pub vocab: usize,
    /// Words the tokenizer knows (`[UNK]` plus `w1`…).
    pub words: usize,
    pub sliding_window: Option<usize>,
    pub tie: bool,
    /// Split the weights over two shards with an index file.
    pub sharded: bool,
}

impl TinySpec {
    pub fn new(family: Family) -> Self {
        Self {
            family,
            hidden: 32,
            layers: 2,
            heads: 4,
            kv_heads: 2,
            intermediate: 64,
            vocab: 100,
            words: 90,
            sliding_window: None,
            tie: false,
            sharded: false,
        }
    }

    fn head_dim(&self) -> usize {
        self.hidden / self.heads
    }
}

/// Writes the folder; the same spec and seed give the same files.
pub fn write_tiny_model(dir: &Path, spec: &TinySpec, seed: u64) {
    std::fs::create_dir_all(dir).unwrap();
    let mut config = json!({
        "model_type": spec.family.model_type(),
        "vocab_size": spec.vocab,
        "hidden_size": spec.hidden,
        "intermediate_size": spec.intermediate,
        "num_hidden_layers": spec.layers,
        "num_attention_heads": spec.heads,
        "num_key_value_heads": spec.kv_heads,
        "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0,
        "hidden_act": "silu",
        "tie_word_embeddings": spec.tie,
        "max_position_embeddings": 4096,
    });
    if let Some(window) = spec.sliding_window {
        config["sliding_window"] = json!(window);
    }
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    write_weights(dir, spec, seed);
    write_tokenizer(&dir.join("tokenizer.json"), spec.words);
}

fn normal(shape: &[usize], std: f32, rng: &mut ChaCha8Rng) -> Tensor {
    let normal = Normal::new(0.0f32, std).unwrap();
    let count = shape.iter().product();
    let values: Vec<f32> = (0..count).map(|_| normal.sample(rng)).collect();
    Tensor::from_vec(values, shape, &Device::Cpu).unwrap()
}

/// RMSNorm gains near 1, not exactly 1, so a skipped gain would show.
fn gains(width: usize, rng: &mut ChaCha8Rng) -> Tensor {
    let values: Vec<f32> = (0..width).map(|_| rng.random_range(0.8..1.2)).collect();
    Tensor::from_vec(values, width, &Device::Cpu).unwrap()
}

fn write_weights(dir: &Path, spec: &TinySpec, seed: u64) {
    let rng = &mut ChaCha8Rng::seed_from_u64(seed);
    let mut tensors: Vec<(String, Tensor)> = Vec::new();
    let (h, v, i) = (spec.hidden, spec.vocab, spec.intermediate);
    let q = spec.heads * spec.head_dim();
    let kv = spec.kv_heads * spec.head_dim();
    tensors.push((
        "model.embed_tokens.weight".into(),
        normal(&[v, h], 1.0, rng),
    ));
    for layer in 0..spec.layers {
        let name = |part: &str| format!("model.layers.{layer}.{part}");
        let mut matrix = |part: &str, shape: &[usize], rng: &mut ChaCha8Rng| {
            tensors.push((name(part), normal(shape, 0.3, rng)));
        };
        match spec.family {
            Family::Phi3 => {
                matrix("self_attn.qkv_proj.weight", &[q + 2 * kv, h], rng);
                matrix("mlp.gate_up_proj.weight", &[2 * i, h], rng);
            }
            Family::Llama | Family::Mistral | Family::Qwen2 => {
                matrix("self_attn.q_proj.weight", &[q, h], rng);
                matrix("self_attn.k_proj.weight", &[kv, h], rng);
                matrix("self_attn.v_proj.weight", &[kv, h], rng);
                if spec.family == Family::Qwen2 {
                    matrix("self_attn.q_proj.bias", &[q], rng);
                    matrix("self_attn.k_proj.bias", &[kv], rng);
                    matrix("self_attn.v_proj.bias", &[kv], rng);
                }
                matrix("mlp.gate_proj.weight", &[i, h], rng);
                matrix("mlp.up_proj.weight", &[i, h], rng);
            }
        }
        matrix("self_attn.o_proj.weight", &[h, q], rng);
        matrix("mlp.down_proj.weight", &[h, i], rng);
        tensors.push((name("input_layernorm.weight"), gains(h, rng)));
        tensors.push((name("post_attention_layernorm.weight"), gains(h, rng)));
    }
    tensors.push(("model.norm.weight".into(), gains(h, rng)));
    if !spec.tie {
        tensors.push(("lm_head.weight".into(), normal(&[v, h], 1.0, rng)));
    }
    if spec.sharded {
        let half = tensors.len() / 2;
        let mut weight_map = serde_json::Map::new();
        for (index, part) in [&tensors[..half], &tensors[half..]].into_iter().enumerate() {
            let file = format!("model-{:05}-of-00002.safetensors", index + 1);
            let map: HashMap<String, Tensor> = part.iter().cloned().collect();
            for name in map.keys() {
                weight_map.insert(name.clone(), json!(file));
            }
            candle_core::safetensors::save(&map, dir.join(&file)).unwrap();
        }
        let index = json!({"metadata": {}, "weight_map": weight_map});
        std::fs::write(dir.join("model.safetensors.index.json"), index.to_string()).unwrap();
    } else {
        let map: HashMap<String, Tensor> = tensors.into_iter().collect();
        candle_core::safetensors::save(&map, dir.join("model.safetensors")).unwrap();
    }
}

/// A whitespace word-level tokenizer over `[UNK]`, `w1` … `w{words-1}`.
pub fn write_tokenizer(path: &Path, words: usize) {
    let mut vocab = AHashMap::new();
    vocab.insert("[UNK]".to_owned(), 0u32);
    for id in 1..words {
        vocab.insert(format!("w{id}"), id as u32);
    }
    let model = WordLevel::builder()
        .vocab(vocab)
        .unk_token("[UNK]".into())
        .build()
        .unwrap();
    let mut tokenizer = Tokenizer::new(model);
    tokenizer.with_pre_tokenizer(Some(Whitespace));
    tokenizer.save(path, false).unwrap();
}

/// `count` words of the tokenizer's vocabulary, seeded.
pub fn random_text(words: usize, count: usize, seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| format!("w{}", rng.random_range(1..words)))
        .collect::<Vec<_>>()
        .join(" ")
}
