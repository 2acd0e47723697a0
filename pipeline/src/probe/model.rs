//! The probe: a decoder-only transformer in GPT-2's layout on candle ops.
//!
//! Token + learned position embeddings → `n_layers` pre-LN blocks (causal multi-head attention,
//! GELU MLP, residuals) → final layer norm → logits through the transposed token embedding
//! (tied head). Everything is f32, softmax included.
//!
//! Only differentiable ops are used: candle-nn's fused `layer_norm` and `softmax_last_dim` have
//! no backward pass, so the model calls `layer_norm_slow` and the composed `softmax`.
//!
//! Initialisation (GPT-2's): weights ~ N(0, 0.02²), the two residual projections of each block
//! ~ N(0, (0.02/√(2·n_layers))²), biases 0, layer-norm gains 1. The numbers come from a ChaCha8
//! stream seeded by the caller, drawn in a fixed parameter order, so a seed fixes the model on
//! every machine.

use candle_core::{D, Device, Module, Tensor, Var};
use candle_nn::Linear;
use candle_nn::ops::{layer_norm_slow, log_softmax, softmax};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_distr::{Distribution, Normal};

use super::ProbeError;
use super::config::ModelConfig;

const LAYER_NORM_EPS: f32 = 1e-5;
const INIT_STD: f64 = 0.02;

/// One trainable tensor.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Dotted name (`h.0.attn.qkv.weight`), for debugging and tests.
    pub name: String,
    pub var: Var,
    /// Whether AdamW's weight decay applies (matrices yes; biases, gains and embeddings no).
    pub decay: bool,
}

struct LayerNorm {
    gain: Tensor,
    bias: Tensor,
}

impl LayerNorm {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        layer_norm_slow(x, &self.gain, &self.bias, LAYER_NORM_EPS)
    }
}

struct Block {
    ln_attn: LayerNorm,
    qkv: Linear,
    attn_out: Linear,
    ln_mlp: LayerNorm,
    mlp_in: Linear,
    mlp_out: Linear,
}

/// The model and its parameters.
pub struct ProbeModel {
    config: ModelConfig,
    device: Device,
    token_embedding: Tensor,
    position_embedding: Tensor,
    blocks: Vec<Block>,
    ln_final: LayerNorm,
    parameters: Vec<Parameter>,
}

impl std::fmt::Debug for ProbeModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProbeModel")
            .field("config", &self.config)
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

/// Draws parameters in creation order from one seeded stream.
struct Initialiser<'a> {
    rng: ChaCha8Rng,
    device: &'a Device,
    parameters: Vec<Parameter>,
}

impl Initialiser<'_> {
    fn add(
        &mut self,
        name: String,
        shape: &[usize],
        values: Vec<f32>,
        decay: bool,
    ) -> Result<Tensor, ProbeError> {
        let tensor = Tensor::from_vec(values, shape, self.device)?;
        let var = Var::from_tensor(&tensor)?;
        let handle = var.as_tensor().clone();
        self.parameters.push(Parameter { name, var, decay });
        Ok(handle)
    }

    fn normal(
        &mut self,
        name: String,
        shape: &[usize],
        std: f64,
        decay: bool,
    ) -> Result<Tensor, ProbeError> {
        let normal = Normal::new(0.0f64, std)
            .map_err(|e| ProbeError::Config(format!("initialiser std {std}: {e}")))?;
        let count = shape.iter().product();
        let values = (0..count)
            .map(|_| normal.sample(&mut self.rng) as f32)
            .collect();
        self.add(name, shape, values, decay)
    }

    fn constant(&mut self, name: String, len: usize, value: f32) -> Result<Tensor, ProbeError> {
        self.add(name, &[len], vec![value; len], false)
    }

    fn linear(
        &mut self,
        name: &str,
        inputs: usize,
        outputs: usize,
        std: f64,
    ) -> Result<Linear, ProbeError> {
        let weight = self.normal(format!("{name}.weight"), &[outputs, inputs], std, true)?;
        let bias = self.constant(format!("{name}.bias"), outputs, 0.0)?;
        Ok(Linear::new(weight, Some(bias)))
    }

    fn layer_norm(&mut self, name: &str, width: usize) -> Result<LayerNorm, ProbeError> {
        Ok(LayerNorm {
            gain: self.constant(format!("{name}.weight"), width, 1.0)?,
            bias: self.constant(format!("{name}.bias"), width, 0.0)?,
        })
    }
}

impl ProbeModel {
    /// A freshly initialised model; the same `config` and `seed` give the same numbers.
    pub fn new(config: ModelConfig, seed: u64, device: &Device) -> Result<Self, ProbeError> {
        config.validate().map_err(ProbeError::Config)?;
        let d = config.d_model;
        let mut init = Initialiser {
            rng: ChaCha8Rng::seed_from_u64(seed),
            device,
            parameters: Vec::new(),
        };
        let token_embedding =
            init.normal("wte".into(), &[config.vocab_size, d], INIT_STD, false)?;
        let position_embedding =
            init.normal("wpe".into(), &[config.context, d], INIT_STD, false)?;
        let residual_std = INIT_STD / (2.0 * config.n_layers as f64).sqrt();
        let mut blocks = Vec::with_capacity(config.n_layers);
        for layer in 0..config.n_layers {
            let name = |part: &str| format!("h.{layer}.{part}");
            blocks.push(Block {
                ln_attn: init.layer_norm(&name("ln_1"), d)?,
                qkv: init.linear(&name("attn.qkv"), d, 3 * d, INIT_STD)?,
                attn_out: init.linear(&name("attn.proj"), d, d, residual_std)?,
                ln_mlp: init.layer_norm(&name("ln_2"), d)?,
                mlp_in: init.linear(&name("mlp.fc"), d, config.d_ff, INIT_STD)?,
                mlp_out: init.linear(&name("mlp.proj"), config.d_ff, d, residual_std)?,
            });
        }
        let ln_final = init.layer_norm("ln_f", d)?;
        Ok(Self {
            config,
            device: device.clone(),
            token_embedding,
            position_embedding,
            blocks,
            ln_final,
            parameters: init.parameters,
        })
    }

    /// The model's shape.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// The device the parameters live on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Trainable tensors in creation order.
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// Number of trainable numbers.
    pub fn parameter_count(&self) -> u64 {
        self.parameters
            .iter()
            .map(|p| p.var.elem_count() as u64)
            .sum()
    }

    /// Logits `(batch, time, vocab)` for token ids `(batch, time)` (u32), each position seeing
    /// only itself and earlier positions.
    pub fn forward(&self, ids: &Tensor) -> Result<Tensor, ProbeError> {
        let (batch, time) = ids.dims2()?;
        if time == 0 || time > self.config.context {
            return Err(ProbeError::Config(format!(
                "sequence of {time} tokens; the model takes 1 to {}",
                self.config.context
            )));
        }
        let d = self.config.d_model;
        let tokens = self
            .token_embedding
            .index_select(&ids.flatten_all()?, 0)?
            .reshape((batch, time, d))?;
        let positions = self.position_embedding.narrow(0, 0, time)?;
        let mut x = tokens.broadcast_add(&positions)?;
        let mask = causal_mask(time, &self.device)?;
        for block in &self.blocks {
            x = self.block_forward(block, &x, &mask)?;
        }
        let x = self.ln_final.forward(&x)?;
        let logits = x
            .reshape((batch * time, d))?
            .matmul(&self.token_embedding.t()?)?
            .reshape((batch, time, self.config.vocab_size))?;
        Ok(logits)
    }

    fn block_forward(
        &self,
        block: &Block,
        x: &Tensor,
        mask: &Tensor,
    ) -> candle_core::Result<Tensor> {
        let (batch, time, d) = x.dims3()?;
        let heads = self.config.n_heads;
        let head_dim = d / heads;
        let qkv = block.qkv.forward(&block.ln_attn.forward(x)?)?;
        let split = |index: usize| -> candle_core::Result<Tensor> {
            qkv.narrow(2, index * d, d)?
                .reshape((batch, time, heads, head_dim))?
                .transpose(1, 2)?
                .contiguous()
        };
        let (q, k, v) = (split(0)?, split(1)?, split(2)?);
        let scores = (q.matmul(&k.t()?)? * (1.0 / (head_dim as f64).sqrt()))?;
        let weights = softmax(&scores.broadcast_add(mask)?, D::Minus1)?;
        let attended = weights
            .matmul(&v)?
            .transpose(1, 2)?
            .reshape((batch, time, d))?;
        let x = (x + block.attn_out.forward(&attended)?)?;
        let hidden = block.mlp_in.forward(&block.ln_mlp.forward(&x)?)?.gelu()?;
        x + block.mlp_out.forward(&hidden)?
    }

    /// Mean next-token cross-entropy (nats) of `targets` `(batch, time)` given `inputs`.
    pub fn loss(&self, inputs: &Tensor, targets: &Tensor) -> Result<Tensor, ProbeError> {
        let logits = self.forward(inputs)?;
        let (batch, time, vocab) = logits.dims3()?;
        let flat = logits.reshape((batch * time, vocab))?;
        Ok(candle_nn::loss::cross_entropy(
            &flat,
            &targets.flatten_all()?,
        )?)
    }

    /// Log-probability `(batch, time)` of each target token given the inputs up to it.
    pub fn target_log_probs(
        &self,
        inputs: &Tensor,
        targets: &Tensor,
    ) -> Result<Tensor, ProbeError> {
        let log_probs = log_softmax(&self.forward(inputs)?, D::Minus1)?;
        Ok(log_probs.gather(&targets.unsqueeze(2)?, 2)?.squeeze(2)?)
    }
}

/// `(time, time)`: 0 where a query may attend (key ≤ query), −∞ elsewhere.
fn causal_mask(time: usize, device: &Device) -> candle_core::Result<Tensor> {
    let values: Vec<f32> = (0..time)
        .flat_map(|query| {
            (0..time).map(move |key| if key <= query { 0.0 } else { f32::NEG_INFINITY })
        })
        .collect();
    Tensor::from_vec(values, (time, time), device)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::config::ProbeSize;
    use crate::probe::tokenizer::BYTES_VOCAB_SIZE;
    use candle_core::DType;

    fn tiny() -> ModelConfig {
        ProbeSize::Tiny.model(BYTES_VOCAB_SIZE)
    }

    fn values(model: &ProbeModel) -> Vec<Vec<f32>> {
        model
            .parameters()
            .iter()
            .map(|p| p.var.flatten_all().unwrap().to_vec1::<f32>().unwrap())
            .collect()
    }

    #[test]
    fn parameter_count_matches_the_formula() {
        let model = ProbeModel::new(tiny(), 1, &Device::Cpu).unwrap();
        assert_eq!(model.parameter_count(), tiny().parameter_count());
        let names: Vec<&str> = model.parameters().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names[..3], ["wte", "wpe", "h.0.ln_1.weight"]);
        assert_eq!(names.last(), Some(&"ln_f.bias"));
    }

    #[test]
    fn a_seed_fixes_the_weights() {
        let a = ProbeModel::new(tiny(), 7, &Device::Cpu).unwrap();
        let b = ProbeModel::new(tiny(), 7, &Device::Cpu).unwrap();
        let c = ProbeModel::new(tiny(), 8, &Device::Cpu).unwrap();
        assert_eq!(values(&a), values(&b));
        assert_ne!(values(&a), values(&c));
        let wte = &values(&a)[0];
        let std = (wte.iter().map(|v| v * v).sum::<f32>() / wte.len() as f32).sqrt();
        assert!((std - 0.02).abs() < 0.002, "std {std}");
    }

    #[test]
    fn attention_is_causal() {
        let model = ProbeModel::new(tiny(), 3, &Device::Cpu).unwrap();
        let a = Tensor::new(&[[5u32, 6, 7, 8]], &Device::Cpu).unwrap();
        let b = Tensor::new(&[[5u32, 6, 7, 200]], &Device::Cpu).unwrap();
        let la = model.forward(&a).unwrap().to_vec3::<f32>().unwrap();
        let lb = model.forward(&b).unwrap().to_vec3::<f32>().unwrap();
        assert_eq!(
            la[0][..3],
            lb[0][..3],
            "earlier positions ignore later tokens"
        );
        assert_ne!(la[0][3], lb[0][3]);
        assert_eq!(la[0][0].len(), BYTES_VOCAB_SIZE);
    }

    #[test]
    fn too_long_sequences_are_refused() {
        let model = ProbeModel::new(tiny(), 3, &Device::Cpu).unwrap();
        let ids = Tensor::zeros((1, 65), DType::U32, &Device::Cpu).unwrap();
        let err = model.forward(&ids).unwrap_err().to_string();
        assert!(err.contains("1 to 64"), "{err}");
    }

    #[test]
    fn a_fresh_model_predicts_near_uniform() {
        let model = ProbeModel::new(tiny(), 3, &Device::Cpu).unwrap();
        let inputs = Tensor::new(&[[1u32, 2, 3, 4]], &Device::Cpu).unwrap();
        let targets = Tensor::new(&[[2u32, 3, 4, 5]], &Device::Cpu).unwrap();
        let loss = model
            .loss(&inputs, &targets)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        let uniform = (BYTES_VOCAB_SIZE as f32).ln();
        assert!((loss - uniform).abs() < 0.1, "{loss} vs {uniform}");
        let log_probs = model
            .target_log_probs(&inputs, &targets)
            .unwrap()
            .to_vec2::<f32>()
            .unwrap();
        let mean = -log_probs[0].iter().sum::<f32>() / 4.0;
        assert!((mean - loss).abs() < 1e-4);
    }
}
