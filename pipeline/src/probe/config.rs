//! Probe sizes and their model and training settings.
//!
//! | size  | layers | width | heads | context | tokenizer | parameters |
//! |-------|--------|-------|-------|---------|-----------|------------|
//! | tiny  | 2      | 64    | 2     | 64      | bytes     | ≈ 0.12 M   |
//! | small | 6      | 320   | 5     | 256     | GPT-2     | ≈ 23.6 M   |
//! | base  | 12     | 768   | 12    | 1024    | GPT-2     | 124.4 M    |
//!
//! `base` is GPT-2 small's shape (124,439,808 parameters with tied embeddings). Training uses
//! AdamW (β = 0.9, 0.95; weight decay 0.1 on matrices only), a linear warm-up over a fixed
//! 10 % of the steps, cosine decay to 10 % of the peak rate, and global-norm clipping at 1.0.

use std::fmt;
use std::str::FromStr;

use super::tokenizer::TokenizerKind;

/// A probe size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProbeSize {
    /// For tests: trains in seconds on a CPU.
    Tiny,
    /// ≈ 23.6 M parameters.
    Small,
    /// GPT-2 small's shape, ≈ 124 M parameters.
    Base,
}

impl ProbeSize {
    /// Every size, smallest first.
    pub const ALL: [ProbeSize; 3] = [Self::Tiny, Self::Small, Self::Base];

    /// The tokenizer this size trains with by default.
    pub fn tokenizer(self) -> TokenizerKind {
        match self {
            Self::Tiny => TokenizerKind::Bytes,
            Self::Small | Self::Base => TokenizerKind::Gpt2,
        }
    }

    /// The model shape for a vocabulary of `vocab_size` ids.
    pub fn model(self, vocab_size: usize) -> ModelConfig {
        let (n_layers, d_model, n_heads, context) = match self {
            Self::Tiny => (2, 64, 2, 64),
            Self::Small => (6, 320, 5, 256),
            Self::Base => (12, 768, 12, 1024),
        };
        ModelConfig {
            vocab_size,
            context,
            d_model,
            n_layers,
            n_heads,
            d_ff: 4 * d_model,
        }
    }

    /// The training settings of this size.
    pub fn training(self) -> TrainConfig {
        let (batch_size, seq_len, peak_lr) = match self {
            Self::Tiny => (8, 64, 3e-3),
            Self::Small => (8, 256, 1e-3),
            Self::Base => (8, 1024, 6e-4),
        };
        TrainConfig {
            batch_size,
            seq_len,
            peak_lr,
            min_lr_fraction: 0.1,
            warmup_fraction: 0.1,
            weight_decay: 0.1,
            beta1: 0.9,
            beta2: 0.95,
            grad_clip: 1.0,
        }
    }
}

impl fmt::Display for ProbeSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Tiny => "tiny",
            Self::Small => "small",
            Self::Base => "base",
        })
    }
}

/// `tiny`, `small` or `base` was expected.
#[derive(Debug, thiserror::Error)]
#[error("unknown probe size {0:?}: expected tiny, small or base")]
pub struct UnknownSize(pub String);

impl FromStr for ProbeSize {
    type Err = UnknownSize;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "tiny" => Ok(Self::Tiny),
            "small" => Ok(Self::Small),
            "base" => Ok(Self::Base),
            other => Err(UnknownSize(other.to_owned())),
        }
    }
}

/// A decoder-only transformer's shape (GPT-2 layout: learned positions, pre-LN blocks with
/// biases, GELU MLP, output head tied to the token embedding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ModelConfig {
    pub vocab_size: usize,
    /// Longest sequence the model takes (learned position embeddings).
    pub context: usize,
    pub d_model: usize,
    pub n_layers: usize,
    pub n_heads: usize,
    /// Hidden width of the MLP.
    pub d_ff: usize,
}

impl ModelConfig {
    /// Checks the shape is buildable.
    pub fn validate(&self) -> Result<(), String> {
        if self.vocab_size == 0 || self.context == 0 || self.n_layers == 0 || self.d_ff == 0 {
            return Err(format!("every dimension must be positive: {self:?}"));
        }
        if self.n_heads == 0 || self.d_model == 0 || !self.d_model.is_multiple_of(self.n_heads) {
            return Err(format!(
                "width {} is not a positive multiple of {} heads",
                self.d_model, self.n_heads
            ));
        }
        Ok(())
    }

    /// Exact number of trainable parameters (the tied head counts once).
    pub fn parameter_count(&self) -> u64 {
        let d = self.d_model as u64;
        let ff = self.d_ff as u64;
        let embeddings = (self.vocab_size as u64 + self.context as u64) * d;
        // Two layer norms (4d), QKV (3d² + 3d), output projection (d² + d), MLP (2·d·ff + ff + d).
        let per_layer = 4 * d + 3 * d * d + 3 * d + d * d + d + 2 * d * ff + ff + d;
        embeddings + self.n_layers as u64 * per_layer + 2 * d
    }
}

/// Optimiser and schedule settings.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainConfig {
    /// Sequences per step.
    pub batch_size: usize,
    /// Tokens per sequence (at most the model's context).
    pub seq_len: usize,
    pub peak_lr: f64,
    /// The rate the cosine decays to, as a fraction of the peak.
    pub min_lr_fraction: f64,
    /// Share of the steps spent warming up linearly.
    pub warmup_fraction: f64,
    pub weight_decay: f64,
    pub beta1: f64,
    pub beta2: f64,
    /// Largest global gradient norm; larger gradients are scaled down to it.
    pub grad_clip: f64,
}

impl TrainConfig {
    /// Tokens one step trains on.
    pub fn tokens_per_step(&self) -> u64 {
        self.batch_size as u64 * self.seq_len as u64
    }

    /// Checks the settings against the model.
    pub fn validate(&self, model: &ModelConfig) -> Result<(), String> {
        if self.batch_size == 0 || self.seq_len == 0 {
            return Err("batch size and sequence length must be positive".into());
        }
        if self.seq_len > model.context {
            return Err(format!(
                "sequence length {} exceeds the model's context {}",
                self.seq_len, model.context
            ));
        }
        let fractions = [self.min_lr_fraction, self.warmup_fraction];
        if fractions.iter().any(|f| !(0.0..=1.0).contains(f)) {
            return Err("min_lr_fraction and warmup_fraction must lie in [0, 1]".into());
        }
        let positive = [self.peak_lr, self.grad_clip];
        if positive.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
            return Err("the peak learning rate and clip norm must be positive".into());
        }
        if !(0.0..1.0).contains(&self.beta1) || !(0.0..1.0).contains(&self.beta2) {
            return Err("AdamW betas must lie in [0, 1)".into());
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return Err("weight decay must be non-negative".into());
        }
        Ok(())
    }

    /// Warm-up steps for a run of `steps` steps (at least one when there is any step).
    pub fn warmup_steps(&self, steps: u64) -> u64 {
        ((steps as f64 * self.warmup_fraction).round() as u64).clamp(steps.min(1), steps)
    }

    /// The learning rate of step `step` (0-based) of `steps`: linear warm-up to the peak, then
    /// cosine decay to `min_lr_fraction` of it at the last step.
    pub fn learning_rate(&self, step: u64, steps: u64) -> f64 {
        let warmup = self.warmup_steps(steps);
        if step < warmup {
            return self.peak_lr * (step + 1) as f64 / warmup as f64;
        }
        let decay_steps = steps.saturating_sub(warmup).saturating_sub(1);
        let progress = if decay_steps == 0 {
            1.0
        } else {
            ((step - warmup) as f64 / decay_steps as f64).min(1.0)
        };
        let min_lr = self.peak_lr * self.min_lr_fraction;
        min_lr + 0.5 * (self.peak_lr - min_lr) * (1.0 + (std::f64::consts::PI * progress).cos())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::tokenizer::{BYTES_VOCAB_SIZE, GPT2_VOCAB_SIZE};

    #[test]
    fn base_is_gpt2_small() {
        // GPT-2 small (124M) with tied embeddings has exactly 124,439,808 parameters.
        assert_eq!(
            ProbeSize::Base.model(GPT2_VOCAB_SIZE).parameter_count(),
            124_439_808
        );
        let small = ProbeSize::Small.model(GPT2_VOCAB_SIZE).parameter_count();
        assert!((20_000_000..=30_000_000).contains(&small), "{small}");
        let tiny = ProbeSize::Tiny.model(BYTES_VOCAB_SIZE).parameter_count();
        assert!(tiny < 200_000, "{tiny}");
        for size in ProbeSize::ALL {
            let model = size.model(GPT2_VOCAB_SIZE);
            model.validate().unwrap();
            size.training().validate(&model).unwrap();
        }
    }

    #[test]
    fn sizes_parse_and_print() {
        for size in ProbeSize::ALL {
            assert_eq!(size.to_string().parse::<ProbeSize>().unwrap(), size);
        }
        let err = "huge".parse::<ProbeSize>().unwrap_err().to_string();
        assert!(err.contains("\"huge\"") && err.contains("tiny, small or base"));
    }

    #[test]
    fn schedule_warms_up_then_decays() {
        let config = ProbeSize::Tiny.training();
        let steps = 100;
        assert_eq!(config.warmup_steps(steps), 10);
        let lrs: Vec<f64> = (0..steps).map(|s| config.learning_rate(s, steps)).collect();
        let peak = config.peak_lr;
        assert!((lrs[0] - peak / 10.0).abs() < 1e-12);
        assert!((lrs[9] - peak).abs() < 1e-12);
        assert!((lrs[10] - peak).abs() < 1e-12, "decay starts at the peak");
        assert!(
            lrs[10..].windows(2).all(|w| w[1] <= w[0]),
            "decay is monotone"
        );
        assert!((lrs[99] - peak * 0.1).abs() < 1e-12, "ends at the floor");
        // One-step and tiny runs still get a positive rate.
        assert!((config.learning_rate(0, 1) - peak).abs() < 1e-12);
        assert!(config.learning_rate(1, 2) > 0.0);
    }

    #[test]
    fn invalid_settings_are_named() {
        let model = ProbeSize::Tiny.model(BYTES_VOCAB_SIZE);
        let mut config = ProbeSize::Tiny.training();
        config.seq_len = 65;
        assert!(config.validate(&model).unwrap_err().contains("context 64"));
        let mut odd = model;
        odd.n_heads = 3;
        assert!(odd.validate().unwrap_err().contains("3 heads"));
    }
}
