//! The Llama checkpoint layout, shared by Llama, Mistral and Qwen2: separate projections.
//!
//! ```text
//! model.layers.N.self_attn.{q,k,v}_proj.weight      [heads|kv_heads × head_dim, hidden]
//! model.layers.N.self_attn.{q,k,v}_proj.bias        (Qwen2; Llama with attention_bias)
//! model.layers.N.self_attn.o_proj.{weight,bias}     [hidden, heads × head_dim] (bias: Llama
//!                                                   with attention_bias)
//! model.layers.N.mlp.{gate,up,down}_proj.weight
//! ```
//!
//! plus the embeddings, norms and head named as in `phi3.rs`. The three families differ only in
//! config flags ([`TeacherConfig::qkv_bias`], `o_bias`, `sliding_window`), so one loader serves
//! them. q/k/v and gate/up are concatenated at load time into the fused projections of
//! [`LayerWeights`], so the forward runs one matmul for each.

use candle_core::Tensor;
use candle_nn::{Linear, VarBuilder, rms_norm};

use super::DistillError;
use super::config::TeacherConfig;
use super::model::LayerWeights;

fn projection(
    vb: &VarBuilder,
    name: &str,
    inputs: usize,
    outputs: usize,
    bias: bool,
) -> Result<(Tensor, Option<Tensor>), DistillError> {
    let vb = vb.pp(name);
    let weight = vb.get((outputs, inputs), "weight")?;
    let bias = if bias {
        Some(vb.get(outputs, "bias")?)
    } else {
        None
    };
    Ok((weight, bias))
}

/// Loads layer `index` (the `VarBuilder` is rooted at the checkpoint).
pub fn load_layer(
    vb: &VarBuilder,
    config: &TeacherConfig,
    index: usize,
) -> Result<LayerWeights, DistillError> {
    let vb = vb.pp(format!("model.layers.{index}"));
    let h = config.hidden_size;
    let q_width = config.num_heads * config.head_dim;
    let kv_width = config.num_kv_heads * config.head_dim;
    let inter = config.intermediate_size;
    let eps = config.rms_norm_eps;
    let (q, q_bias) = projection(&vb, "self_attn.q_proj", h, q_width, config.qkv_bias)?;
    let (k, k_bias) = projection(&vb, "self_attn.k_proj", h, kv_width, config.qkv_bias)?;
    let (v, v_bias) = projection(&vb, "self_attn.v_proj", h, kv_width, config.qkv_bias)?;
    let qkv_bias = match (q_bias, k_bias, v_bias) {
        (Some(q), Some(k), Some(v)) => Some(Tensor::cat(&[q, k, v], 0)?),
        _ => None,
    };
    let (o, o_bias) = projection(&vb, "self_attn.o_proj", q_width, h, config.o_bias)?;
    let (gate, _) = projection(&vb, "mlp.gate_proj", h, inter, false)?;
    let (up, _) = projection(&vb, "mlp.up_proj", h, inter, false)?;
    let (down, _) = projection(&vb, "mlp.down_proj", inter, h, false)?;
    Ok(LayerWeights {
        input_norm: rms_norm(h, eps, vb.pp("input_layernorm"))?,
        qkv: Linear::new(Tensor::cat(&[q, k, v], 0)?, qkv_bias),
        o_proj: Linear::new(o, o_bias),
        post_attention_norm: rms_norm(h, eps, vb.pp("post_attention_layernorm"))?,
        gate_up: Linear::new(Tensor::cat(&[gate, up], 0)?, None),
        down: Linear::new(down, None),
    })
}
