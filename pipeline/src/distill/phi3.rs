//! Phi-3's checkpoint layout: fused projections, no biases.
//!
//! ```text
//! model.embed_tokens.weight                         [vocab, hidden]
//! model.layers.N.input_layernorm.weight             [hidden]
//! model.layers.N.self_attn.qkv_proj.weight          [(heads + 2 kv_heads) × head_dim, hidden]
//! model.layers.N.self_attn.o_proj.weight            [hidden, heads × head_dim]
//! model.layers.N.post_attention_layernorm.weight    [hidden]
//! model.layers.N.mlp.gate_up_proj.weight            [2 × intermediate, hidden]  (gate rows first)
//! model.layers.N.mlp.down_proj.weight               [hidden, intermediate]
//! model.norm.weight                                 [hidden]
//! lm_head.weight                                    [vocab, hidden]  (absent when tied)
//! ```
//!
//! The fused tensors already have the row order [`LayerWeights`] expects, so they load as-is.

use candle_nn::{VarBuilder, linear_no_bias, rms_norm};

use super::DistillError;
use super::config::TeacherConfig;
use super::model::LayerWeights;

/// Loads layer `index` (the `VarBuilder` is rooted at the checkpoint).
pub fn load_layer(
    vb: &VarBuilder,
    config: &TeacherConfig,
    index: usize,
) -> Result<LayerWeights, DistillError> {
    let vb = vb.pp(format!("model.layers.{index}"));
    let h = config.hidden_size;
    let q = config.num_heads * config.head_dim;
    let kv = config.num_kv_heads * config.head_dim;
    let eps = config.rms_norm_eps;
    Ok(LayerWeights {
        input_norm: rms_norm(h, eps, vb.pp("input_layernorm"))?,
        qkv: linear_no_bias(h, q + 2 * kv, vb.pp("self_attn.qkv_proj"))?,
        o_proj: linear_no_bias(q, h, vb.pp("self_attn.o_proj"))?,
        post_attention_norm: rms_norm(h, eps, vb.pp("post_attention_layernorm"))?,
        gate_up: linear_no_bias(h, 2 * config.intermediate_size, vb.pp("mlp.gate_up_proj"))?,
        down: linear_no_bias(config.intermediate_size, h, vb.pp("mlp.down_proj"))?,
    })
}
