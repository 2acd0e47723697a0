//! A teacher's `config.json`, read by `model_type` into one shape every family shares.
//!
//! Supported families (the Hugging Face `model_type` values):
//!
//! | `model_type` | projections                 | biases       | sliding window            |
//! |--------------|-----------------------------|--------------|---------------------------|
//! | `phi3`       | fused `qkv_proj`, `gate_up` | none         | `sliding_window` if set   |
//! | `llama`      | separate q/k/v, gate/up     | `attention_bias` | none                  |
//! | `mistral`    | separate q/k/v, gate/up     | none         | `sliding_window` if set   |
//! | `qwen2`      | separate q/k/v, gate/up     | q/k/v always | refused when enabled      |
//!
//! A config without `model_type` is read as `phi3`, the default teacher family. Anything the
//! forward pass would silently get wrong is refused with the field named: another `model_type`,
//! `hidden_act` other than SiLU, any `rope_scaling` (Phi-3 128k's longrope, Llama 3.1's llama3),
//! a partial rotary factor, MLP biases, Qwen2's per-layer sliding window, and sizes that do not
//! divide (heads by key/value heads, hidden size by heads).

use serde::Deserialize;
use serde_json::Value;

use super::DistillError;

/// Bytes of one weight in each dtype the teacher runs in.
pub const F32_BYTES: u64 = 4;
/// Bytes of one bf16 weight.
pub const BF16_BYTES: u64 = 2;

/// The model families nya's forward implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Phi3,
    Llama,
    Mistral,
    Qwen2,
}

impl Family {
    /// The `model_type` string of `config.json`.
    pub fn model_type(self) -> &'static str {
        match self {
            Self::Phi3 => "phi3",
            Self::Llama => "llama",
            Self::Mistral => "mistral",
            Self::Qwen2 => "qwen2",
        }
    }

    fn parse(model_type: &str) -> Result<Self, DistillError> {
        match model_type {
            "phi3" => Ok(Self::Phi3),
            "llama" => Ok(Self::Llama),
            "mistral" => Ok(Self::Mistral),
            "qwen2" => Ok(Self::Qwen2),
            other => Err(DistillError::Config(format!(
                "model_type {other:?} is not supported; nya's teacher runs phi3, llama, mistral \
                 and qwen2"
            ))),
        }
    }
}

/// What `config.json` holds, as Hugging Face writes it (unknown fields ignored: real configs
/// carry many that do not change the forward pass).
#[derive(Debug, Deserialize)]
struct RawConfig {
    model_type: Option<String>,
    vocab_size: usize,
    hidden_size: usize,
    intermediate_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    num_key_value_heads: Option<usize>,
    head_dim: Option<usize>,
    rms_norm_eps: f64,
    rope_theta: Option<f64>,
    hidden_act: Option<String>,
    sliding_window: Option<usize>,
    use_sliding_window: Option<bool>,
    tie_word_embeddings: Option<bool>,
    rope_scaling: Option<Value>,
    partial_rotary_factor: Option<f64>,
    attention_bias: Option<bool>,
    mlp_bias: Option<bool>,
}

/// The teacher's shape, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct TeacherConfig {
    pub family: Family,
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub intermediate_size: usize,
    pub num_layers: usize,
    pub num_heads: usize,
    pub num_kv_heads: usize,
    pub head_dim: usize,
    pub rms_norm_eps: f64,
    pub rope_theta: f64,
    /// Keys visible to a query: `j <= i && i - j < window` (Hugging Face's sliding-window mask).
    pub sliding_window: Option<usize>,
    pub tie_word_embeddings: bool,
    /// Biases on the q, k and v projections (Qwen2; Llama with `attention_bias`).
    pub qkv_bias: bool,
    /// Bias on the output projection (Llama with `attention_bias`).
    pub o_bias: bool,
}

const DEFAULT_ROPE_THETA: f64 = 10_000.0;

impl TeacherConfig {
    /// Parses `config.json` bytes.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DistillError> {
        let raw: RawConfig = serde_json::from_slice(bytes)
            .map_err(|e| DistillError::Config(format!("config.json: {e}")))?;
        let family = Family::parse(raw.model_type.as_deref().unwrap_or("phi3"))?;
        let refuse = |what: String| {
            Err(DistillError::Config(format!(
                "{}: {what}",
                family.model_type()
            )))
        };
        if let Some(act) = raw.hidden_act.as_deref()
            && act != "silu"
        {
            return refuse(format!("hidden_act {act:?} is not supported (only silu)"));
        }
        if let Some(scaling) = raw.rope_scaling.as_ref()
            && !scaling.is_null()
        {
            return refuse(format!(
                "rope_scaling {scaling} is not supported (only plain rotary embeddings)"
            ));
        }
        if let Some(factor) = raw.partial_rotary_factor
            && factor != 1.0
        {
            return refuse(format!("partial_rotary_factor {factor} is not supported"));
        }
        if raw.mlp_bias == Some(true) {
            return refuse("mlp_bias = true is not supported".into());
        }
        let sliding_window = match family {
            Family::Phi3 | Family::Mistral => raw.sliding_window,
            Family::Llama => None,
            Family::Qwen2 if raw.use_sliding_window == Some(true) => {
                return refuse(
                    "use_sliding_window = true (a per-layer window) is not supported".into(),
                );
            }
            Family::Qwen2 => None,
        };
        if sliding_window == Some(0) {
            return refuse("sliding_window is 0".into());
        }
        let sizes = [
            ("vocab_size", raw.vocab_size),
            ("hidden_size", raw.hidden_size),
            ("intermediate_size", raw.intermediate_size),
            ("num_hidden_layers", raw.num_hidden_layers),
            ("num_attention_heads", raw.num_attention_heads),
        ];
        if let Some((name, _)) = sizes.iter().find(|(_, v)| *v == 0) {
            return refuse(format!("{name} is 0"));
        }
        let num_heads = raw.num_attention_heads;
        let num_kv_heads = raw.num_key_value_heads.unwrap_or(num_heads);
        if num_kv_heads == 0 || !num_heads.is_multiple_of(num_kv_heads) {
            return refuse(format!(
                "num_attention_heads {num_heads} is not a multiple of num_key_value_heads \
                 {num_kv_heads}"
            ));
        }
        let head_dim = match raw.head_dim {
            Some(d) => d,
            None if raw.hidden_size.is_multiple_of(num_heads) => raw.hidden_size / num_heads,
            None => {
                return refuse(format!(
                    "hidden_size {} is not a multiple of num_attention_heads {num_heads}",
                    raw.hidden_size
                ));
            }
        };
        if head_dim == 0 || head_dim % 2 != 0 {
            return refuse(format!("head_dim {head_dim} must be even and positive"));
        }
        let rope_theta = raw.rope_theta.unwrap_or(DEFAULT_ROPE_THETA);
        if !(rope_theta.is_finite() && rope_theta > 1.0) {
            return refuse(format!(
                "rope_theta {rope_theta} must be a finite number above 1"
            ));
        }
        if !(raw.rms_norm_eps.is_finite() && raw.rms_norm_eps > 0.0) {
            return refuse(format!(
                "rms_norm_eps {} must be positive",
                raw.rms_norm_eps
            ));
        }
        let attention_bias = raw.attention_bias.unwrap_or(false);
        Ok(Self {
            family,
            vocab_size: raw.vocab_size,
            hidden_size: raw.hidden_size,
            intermediate_size: raw.intermediate_size,
            num_layers: raw.num_hidden_layers,
            num_heads,
            num_kv_heads,
            head_dim,
            rms_norm_eps: raw.rms_norm_eps,
            rope_theta,
            sliding_window,
            tie_word_embeddings: raw.tie_word_embeddings.unwrap_or(false),
            qkv_bias: family == Family::Qwen2 || (family == Family::Llama && attention_bias),
            o_bias: family == Family::Llama && attention_bias,
        })
    }

    /// Number of weights the checkpoint holds (embeddings, every layer, final norm, and the
    /// output head unless tied), from the shapes alone.
    pub fn parameter_count(&self) -> u64 {
        let h = self.hidden_size as u64;
        let q = (self.num_heads * self.head_dim) as u64;
        let kv = (self.num_kv_heads * self.head_dim) as u64;
        let inter = self.intermediate_size as u64;
        let vocab = self.vocab_size as u64;
        let bias = |on: bool, n: u64| if on { n } else { 0 };
        let attention =
            h * (q + 2 * kv) + q * h + bias(self.qkv_bias, q + 2 * kv) + bias(self.o_bias, h);
        let mlp = 3 * h * inter;
        let layer = attention + mlp + 2 * h;
        let head = if self.tie_word_embeddings {
            0
        } else {
            vocab * h
        };
        vocab * h + self.num_layers as u64 * layer + h + head
    }

    /// Bytes a forward pass over `batch` sequences of `seq_len` tokens needs on top of the
    /// weights: f32 logits (three copies: logits, log-softmax, its temporaries), one layer's
    /// f32 attention scores and probabilities, and a few hidden-state-sized activations per
    /// layer kept alive by the graph.
    pub fn activation_bytes(&self, batch: usize, seq_len: usize) -> u64 {
        let tokens = (batch * seq_len) as u64;
        let logits = 3 * tokens * self.vocab_size as u64 * F32_BYTES;
        let scores = 2 * (batch * self.num_heads) as u64 * (seq_len as u64).pow(2) * F32_BYTES;
        let widest = self.hidden_size.max(2 * self.intermediate_size) as u64;
        let hidden = 8 * tokens * widest * F32_BYTES;
        logits + scores + hidden
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn phi3_mini() -> Value {
        // Phi-3-mini-4k-instruct's config (the fields nya reads).
        json!({
            "model_type": "phi3", "vocab_size": 32064, "hidden_size": 3072,
            "intermediate_size": 8192, "num_hidden_layers": 32, "num_attention_heads": 32,
            "num_key_value_heads": 32, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
            "sliding_window": 2047, "tie_word_embeddings": false, "rope_scaling": null,
            "hidden_act": "silu", "max_position_embeddings": 4096
        })
    }

    fn parse(value: &Value) -> Result<TeacherConfig, DistillError> {
        TeacherConfig::from_json(value.to_string().as_bytes())
    }

    #[test]
    fn phi3_mini_parses_and_counts_its_published_parameters() {
        let config = parse(&phi3_mini()).unwrap();
        assert_eq!(config.family, Family::Phi3);
        assert_eq!(config.head_dim, 96);
        assert_eq!(config.sliding_window, Some(2047));
        // Phi-3-mini is published as 3.82 B parameters.
        assert_eq!(config.parameter_count(), 3_821_079_552);
    }

    #[test]
    fn mistral_7b_counts_its_published_parameters() {
        let config = parse(&json!({
            "model_type": "mistral", "vocab_size": 32768, "hidden_size": 4096,
            "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32,
            "num_key_value_heads": 8, "rms_norm_eps": 1e-5, "rope_theta": 1e6,
            "sliding_window": null, "hidden_act": "silu"
        }))
        .unwrap();
        assert_eq!(config.sliding_window, None);
        // Mistral-7B-v0.3: 7,248,023,552 parameters.
        assert_eq!(config.parameter_count(), 7_248_023_552);
    }

    #[test]
    fn missing_model_type_is_phi3_and_others_are_refused() {
        let mut value = phi3_mini();
        value.as_object_mut().unwrap().remove("model_type");
        assert_eq!(parse(&value).unwrap().family, Family::Phi3);
        value["model_type"] = json!("gpt2");
        let err = parse(&value).unwrap_err().to_string();
        assert!(err.contains("\"gpt2\" is not supported"), "{err}");
    }

    #[test]
    fn forward_changing_fields_are_refused_by_name() {
        let cases = [
            ("rope_scaling", json!({"type": "longrope"}), "rope_scaling"),
            ("hidden_act", json!("gelu"), "hidden_act"),
            ("num_key_value_heads", json!(5), "num_key_value_heads"),
            ("partial_rotary_factor", json!(0.5), "partial_rotary_factor"),
            ("vocab_size", json!(0), "vocab_size is 0"),
        ];
        for (field, value, needle) in cases {
            let mut config = phi3_mini();
            config[field] = value;
            let err = parse(&config).unwrap_err().to_string();
            assert!(err.contains(needle), "{field}: {err}");
        }
        let mut qwen = phi3_mini();
        qwen["model_type"] = json!("qwen2");
        qwen["use_sliding_window"] = json!(true);
        assert!(
            parse(&qwen)
                .unwrap_err()
                .to_string()
                .contains("use_sliding_window")
        );
        let err = TeacherConfig::from_json(b"{\"model_type\": \"phi3\"}").unwrap_err();
        assert!(err.to_string().contains("missing field"), "{err}");
    }
}
