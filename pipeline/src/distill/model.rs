//! nya's decoder forward for the teacher families, on candle-nn ops, every position's logits.
//!
//! One pre-norm decoder serves all four families; they differ only in how their checkpoints
//! name and split the weights (see `phi3.rs` and `llama.rs`) and in config flags (biases,
//! sliding window). Per layer:
//!
//! ```text
//! h = x + o_proj(attention(rope(q), rope(k), v))      with q, k, v = qkv(rms_norm(x))
//! y = h + down(silu(gate) * up)                         with gate, up = gate_up(rms_norm(h))
//! ```
//!
//! then `lm_head(rms_norm(y))`. Where the published implementations lose precision in bf16,
//! this one does not: the rotary angles are computed in f64 and the rotation is applied to f32
//! copies of q and k; scores, mask and softmax and the product with v are f32; the output head
//! runs in f32 on an f32 copy of its weight (bf16 logits would be rounded to 1/8 nat near 20).
//! The other linear layers run in the model dtype (bf16 on CUDA).
//!
//! Masking: query `i` sees key `j` iff `j <= i` and, with a sliding window `w`, `i - j < w`
//! (Hugging Face's sliding-window mask: `w` keys including itself).

use candle_core::{D, DType, Device, Module, Tensor};
use candle_nn::{Embedding, Linear, RmsNorm};

use super::DistillError;
use super::config::TeacherConfig;

/// One decoder layer's weights, with q/k/v and gate/up already fused into single projections.
pub struct LayerWeights {
    pub input_norm: RmsNorm,
    /// Output rows: q (`heads × head_dim`), then k, then v (`kv_heads × head_dim` each).
    pub qkv: Linear,
    pub o_proj: Linear,
    pub post_attention_norm: RmsNorm,
    /// Output rows: gate (`intermediate_size`), then up.
    pub gate_up: Linear,
    pub down: Linear,
}

/// The loaded teacher network.
pub struct Decoder {
    config: TeacherConfig,
    device: Device,
    dtype: DType,
    embed: Embedding,
    layers: Vec<LayerWeights>,
    norm: RmsNorm,
    lm_head: Linear,
    /// `theta^(-2i/head_dim)` for `i < head_dim/2`, in f64.
    inverse_frequencies: Vec<f64>,
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("config", &self.config)
            .field("dtype", &self.dtype)
            .finish_non_exhaustive()
    }
}

impl Decoder {
    /// Assembles a decoder from weights already on `device` in `dtype`.
    pub fn new(
        config: TeacherConfig,
        embed: Embedding,
        layers: Vec<LayerWeights>,
        norm: RmsNorm,
        lm_head: Linear,
        dtype: DType,
        device: Device,
    ) -> Result<Self, DistillError> {
        let inverse_frequencies = inverse_frequencies(config.rope_theta, config.head_dim);
        // The head runs in f32: bf16 logits of magnitude 16-32 are rounded to steps of 1/8, more
        // than the log-prob tolerances allow.
        let lm_head = Linear::new(
            lm_head.weight().to_dtype(DType::F32)?,
            lm_head.bias().map(|b| b.to_dtype(DType::F32)).transpose()?,
        );
        Ok(Self {
            config,
            device,
            dtype,
            embed,
            layers,
            norm,
            lm_head,
            inverse_frequencies,
        })
    }

    pub fn config(&self) -> &TeacherConfig {
        &self.config
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Logits (f32) for every position: `tokens` is `batch` rows of the same length, the result
    /// `[batch, len, vocab]`. Token ids must be below the vocabulary size.
    pub fn forward(&self, tokens: &[Vec<u32>]) -> Result<Tensor, DistillError> {
        let batch = tokens.len();
        let len = tokens.first().map_or(0, Vec::len);
        if batch == 0 || len == 0 {
            return Err(DistillError::Input(
                "forward needs at least one token".into(),
            ));
        }
        let vocab = self.config.vocab_size;
        let mut flat = Vec::with_capacity(batch * len);
        for (row, ids) in tokens.iter().enumerate() {
            if ids.len() != len {
                return Err(DistillError::Input(format!(
                    "batch row {row} has {} tokens, row 0 has {len}; a batch holds one length",
                    ids.len()
                )));
            }
            if let Some(&bad) = ids.iter().find(|&&id| id as usize >= vocab) {
                return Err(DistillError::Input(format!(
                    "token id {bad} is outside the model's vocabulary of {vocab}"
                )));
            }
            flat.extend_from_slice(ids);
        }
        let ids = Tensor::from_vec(flat, (batch, len), &self.device)?;
        let (cos, sin) = self.rotary_tables(len)?;
        let mask = self.mask(len)?;
        let mut x = self.embed.forward(&ids)?;
        for layer in &self.layers {
            x = self.layer(layer, &x, &cos, &sin, &mask)?;
        }
        let x = self.norm.forward(&x)?.to_dtype(DType::F32)?;
        Ok(self.lm_head.forward(&x)?)
    }

    fn layer(
        &self,
        layer: &LayerWeights,
        x: &Tensor,
        cos: &Tensor,
        sin: &Tensor,
        mask: &Tensor,
    ) -> Result<Tensor, DistillError> {
        let c = &self.config;
        let (batch, len, _) = x.dims3()?;
        let q_width = c.num_heads * c.head_dim;
        let kv_width = c.num_kv_heads * c.head_dim;
        let qkv = layer.qkv.forward(&layer.input_norm.forward(x)?)?;
        // [batch, len, heads × head_dim] → [batch, heads, len, head_dim], f32.
        let heads = |start: usize, width: usize, count: usize| -> candle_core::Result<Tensor> {
            qkv.narrow(D::Minus1, start, width)?
                .reshape((batch, len, count, c.head_dim))?
                .transpose(1, 2)?
                .to_dtype(DType::F32)?
                .contiguous()
        };
        let q = heads(0, q_width, c.num_heads)?;
        let k = heads(q_width, kv_width, c.num_kv_heads)?;
        let v = heads(q_width + kv_width, kv_width, c.num_kv_heads)?;
        let q = candle_nn::rotary_emb::rope(&q, cos, sin)?;
        let k = candle_nn::rotary_emb::rope(&k, cos, sin)?;
        let group = c.num_heads / c.num_kv_heads;
        let k = repeat_kv(k, group)?;
        let v = repeat_kv(v, group)?;
        let scale = 1.0 / (c.head_dim as f64).sqrt();
        let scores = (q.matmul(&k.t()?.contiguous()?)? * scale)?.broadcast_add(mask)?;
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        let attended = probs
            .matmul(&v)?
            .transpose(1, 2)?
            .reshape((batch, len, q_width))?
            .to_dtype(self.dtype)?;
        let h = (x + layer.o_proj.forward(&attended)?)?;
        let gate_up = layer
            .gate_up
            .forward(&layer.post_attention_norm.forward(&h)?)?;
        let gate = gate_up.narrow(D::Minus1, 0, c.intermediate_size)?;
        let up = gate_up.narrow(D::Minus1, c.intermediate_size, c.intermediate_size)?;
        let mlp = layer.down.forward(&(candle_nn::ops::silu(&gate)? * up)?)?;
        Ok((h + mlp)?)
    }

    /// cos and sin of `position × inverse_frequency` for positions `0..len`, `[len, head_dim/2]`
    /// f32: angles in f64 so large positions keep their precision.
    fn rotary_tables(&self, len: usize) -> Result<(Tensor, Tensor), DistillError> {
        let (cos, sin) = rotary_values(&self.inverse_frequencies, len);
        let half = self.inverse_frequencies.len();
        Ok((
            Tensor::from_vec(cos, (len, half), &self.device)?,
            Tensor::from_vec(sin, (len, half), &self.device)?,
        ))
    }

    /// `[len, len]` f32: 0 where the query (row) may see the key (column), -inf elsewhere.
    fn mask(&self, len: usize) -> Result<Tensor, DistillError> {
        let values = causal_mask(len, self.config.sliding_window);
        Ok(Tensor::from_vec(values, (len, len), &self.device)?)
    }
}

/// `theta^(-2i/dim)` for `i < dim/2`.
pub fn inverse_frequencies(theta: f64, dim: usize) -> Vec<f64> {
    (0..dim / 2)
        .map(|i| theta.powf(-2.0 * i as f64 / dim as f64))
        .collect()
}

/// Row-major `[len, freqs.len()]` cos and sin tables of `position × freq`, angles in f64.
pub fn rotary_values(freqs: &[f64], len: usize) -> (Vec<f32>, Vec<f32>) {
    let mut cos = Vec::with_capacity(len * freqs.len());
    let mut sin = Vec::with_capacity(len * freqs.len());
    for position in 0..len {
        for &freq in freqs {
            let angle = position as f64 * freq;
            cos.push(angle.cos() as f32);
            sin.push(angle.sin() as f32);
        }
    }
    (cos, sin)
}

/// Row-major `[len, len]` additive mask (see the module doc).
pub fn causal_mask(len: usize, window: Option<usize>) -> Vec<f32> {
    let mut values = Vec::with_capacity(len * len);
    for query in 0..len {
        for key in 0..len {
            let visible = key <= query && window.is_none_or(|w| query - key < w);
            values.push(if visible { 0.0 } else { f32::NEG_INFINITY });
        }
    }
    values
}

/// `[b, kv_heads, t, d]` → `[b, kv_heads × group, t, d]`, each key/value head serving `group`
/// consecutive query heads (grouped-query attention).
fn repeat_kv(x: Tensor, group: usize) -> candle_core::Result<Tensor> {
    if group == 1 {
        return Ok(x);
    }
    let (b, kv_heads, t, d) = x.dims4()?;
    x.unsqueeze(2)?
        .broadcast_as((b, kv_heads, group, t, d))?
        .reshape((b, kv_heads * group, t, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_sees_exactly_the_window() {
        let len = 7;
        let mask = causal_mask(len, Some(3));
        for query in 0..len {
            for key in 0..len {
                let expected = key <= query && query - key < 3;
                assert_eq!(
                    mask[query * len + key] == 0.0,
                    expected,
                    "q {query} k {key}"
                );
            }
        }
        assert!(causal_mask(4, None).iter().filter(|v| **v == 0.0).count() == 10);
    }

    #[test]
    fn rotary_tables_match_an_f64_reference_far_past_256() {
        let freqs = inverse_frequencies(10_000.0, 96);
        let len = 4096;
        let (cos, sin) = rotary_values(&freqs, len);
        for position in [257usize, 1000, 2047, 4095] {
            for (i, exponent) in [0usize, 1, 17, 47].into_iter().enumerate() {
                let reference = position as f64 / 10_000f64.powf(2.0 * exponent as f64 / 96.0);
                let at = position * freqs.len() + exponent;
                assert!(
                    (cos[at] as f64 - reference.cos()).abs() < 1e-6,
                    "{i} {position}"
                );
                assert!(
                    (sin[at] as f64 - reference.sin()).abs() < 1e-6,
                    "{i} {position}"
                );
            }
        }
    }

    #[test]
    fn rope_in_f32_matches_the_f64_rotation_at_position_3000() {
        // The fused candle kernel applied to an f32 vector equals the rotation done by hand in
        // f64 (rotate-half layout: pairs are (i, i + d/2)).
        let dim = 8;
        let freqs = inverse_frequencies(10_000.0, dim);
        let position = 3000;
        let (cos, sin) = rotary_values(&freqs, position + 1);
        let x: Vec<f32> = (0..dim).map(|i| 0.3 * i as f32 - 1.0).collect();
        let device = Device::Cpu;
        let half = dim / 2;
        let cos_t = Tensor::from_vec(cos.clone(), (position + 1, half), &device).unwrap();
        let sin_t = Tensor::from_vec(sin.clone(), (position + 1, half), &device).unwrap();
        let mut xs = vec![0f32; (position + 1) * dim];
        xs[position * dim..].copy_from_slice(&x);
        let xt = Tensor::from_vec(xs, (1, 1, position + 1, dim), &device).unwrap();
        let rotated = candle_nn::rotary_emb::rope(&xt, &cos_t, &sin_t)
            .unwrap()
            .narrow(2, position, 1)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        for i in 0..half {
            let angle = position as f64 / 10_000f64.powf(2.0 * i as f64 / dim as f64);
            let (a, b) = (x[i] as f64, x[i + half] as f64);
            let first = a * angle.cos() - b * angle.sin();
            let second = b * angle.cos() + a * angle.sin();
            assert!((rotated[i] as f64 - first).abs() < 1e-5, "{i}");
            assert!((rotated[i + half] as f64 - second).abs() < 1e-5, "{i}");
        }
    }
}
