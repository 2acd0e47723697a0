//! The training loop: AdamW on packed windows, warm-up then cosine decay, global-norm clipping.
//!
//! A run of `steps` steps reads `steps × batch_size` distinct windows in an order drawn from the
//! seed (ChaCha8, stream 1; the initial weights use stream 0), so no window is seen twice and the
//! same seed gives the same order. Two AdamW optimisers share each step's gradients: one with
//! weight decay for the matrices, one without for biases, gains and embeddings.
//!
//! Each step: forward, mean cross-entropy, backward, global gradient norm (all parameters); when
//! it exceeds `grad_clip` every gradient is scaled by `grad_clip / norm`; then the learning rate
//! of the schedule and the optimiser step. A non-finite loss or gradient norm stops the run with
//! [`ProbeError::Diverged`] rather than training on.

use candle_core::{Device, Tensor, Var};
use candle_nn::optim::{AdamW, Optimizer, ParamsAdamW};
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;

use super::ProbeError;
use super::config::TrainConfig;
use super::data::PackedSequences;
use super::model::ProbeModel;

/// What the loop reports after each step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainProgress {
    /// Steps done (1-based).
    pub step: u64,
    pub steps: u64,
    /// Target tokens trained on so far.
    pub tokens_seen: u64,
    /// This step's mean loss (nats per token).
    pub loss: f64,
    pub learning_rate: f64,
    /// Global gradient norm before clipping.
    pub grad_norm: f64,
}

/// The outcome of a training run.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainSummary {
    pub steps: u64,
    pub tokens_seen: u64,
    /// Mean loss over the last tenth of the steps (at least one step): a single step's loss is
    /// too noisy to compare runs by.
    pub final_loss: f64,
    /// Every step's loss, in order.
    pub losses: Vec<f64>,
}

/// Steps needed to train on at least `tokens` tokens.
pub fn steps_for(tokens: u64, config: &TrainConfig) -> Result<u64, ProbeError> {
    if tokens == 0 {
        return Err(ProbeError::Config(
            "the token budget must be positive".into(),
        ));
    }
    Ok(tokens.div_ceil(config.tokens_per_step()))
}

/// Windows a run of `steps` steps reads.
pub fn windows_for(steps: u64, config: &TrainConfig) -> Result<usize, ProbeError> {
    steps
        .checked_mul(config.batch_size as u64)
        .and_then(|w| usize::try_from(w).ok())
        .ok_or_else(|| ProbeError::Config(format!("{steps} steps is too many")))
}

/// Trains `model` for `steps` steps on `data`, calling `progress` after each step.
pub fn train(
    model: &ProbeModel,
    data: &PackedSequences,
    config: &TrainConfig,
    steps: u64,
    seed: u64,
    progress: &mut dyn FnMut(&TrainProgress),
) -> Result<TrainSummary, ProbeError> {
    config
        .validate(model.config())
        .map_err(ProbeError::Config)?;
    if data.window() != config.seq_len + 1 {
        return Err(ProbeError::Config(format!(
            "data packed in windows of {} tokens, training needs {}",
            data.window(),
            config.seq_len + 1
        )));
    }
    let needed = windows_for(steps, config)?;
    if steps == 0 || data.len() < needed {
        return Err(ProbeError::Config(format!(
            "{steps} steps need {needed} windows, the data has {}",
            data.len()
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(1);
    let mut order: Vec<usize> = (0..data.len()).collect();
    order.shuffle(&mut rng);

    let (decay, no_decay): (Vec<_>, Vec<_>) = model.parameters().iter().partition(|p| p.decay);
    let vars = |params: Vec<&super::model::Parameter>| -> Vec<Var> {
        params.into_iter().map(|p| p.var.clone()).collect()
    };
    let params = |weight_decay| ParamsAdamW {
        lr: config.peak_lr,
        beta1: config.beta1,
        beta2: config.beta2,
        eps: 1e-8,
        weight_decay,
    };
    let mut with_decay = AdamW::new(vars(decay), params(config.weight_decay))?;
    let mut without_decay = AdamW::new(vars(no_decay), params(0.0))?;

    let mut losses = Vec::with_capacity(steps as usize);
    let mut tokens_seen = 0u64;
    for (step, batch) in order
        .chunks_exact(config.batch_size)
        .take(needed / config.batch_size)
        .enumerate()
    {
        let step = step as u64;
        let (inputs, targets) = batch_tensors(data, batch, config.seq_len, model.device())?;
        let loss = model.loss(&inputs, &targets)?;
        let loss_value = f64::from(loss.to_scalar::<f32>()?);
        if !loss_value.is_finite() {
            return Err(ProbeError::Diverged {
                what: "the loss",
                value: loss_value,
                step: step + 1,
            });
        }
        let mut grads = loss.backward()?;
        let grad_norm = global_norm(model, &grads)?;
        if !grad_norm.is_finite() {
            return Err(ProbeError::Diverged {
                what: "the gradient norm",
                value: grad_norm,
                step: step + 1,
            });
        }
        if grad_norm > config.grad_clip {
            let scale = config.grad_clip / (grad_norm + 1e-6);
            for parameter in model.parameters() {
                if let Some(grad) = grads.remove(&parameter.var) {
                    grads.insert(&parameter.var, (grad * scale)?);
                }
            }
        }
        let learning_rate = config.learning_rate(step, steps);
        with_decay.set_learning_rate(learning_rate);
        without_decay.set_learning_rate(learning_rate);
        with_decay.step(&grads)?;
        without_decay.step(&grads)?;

        tokens_seen += config.tokens_per_step();
        losses.push(loss_value);
        progress(&TrainProgress {
            step: step + 1,
            steps,
            tokens_seen,
            loss: loss_value,
            learning_rate,
            grad_norm,
        });
    }
    let tail = (losses.len() / 10).max(1);
    let final_loss = losses.iter().rev().take(tail).sum::<f64>() / tail as f64;
    Ok(TrainSummary {
        steps,
        tokens_seen,
        final_loss,
        losses,
    })
}

/// Inputs and targets `(batch, seq_len)` of the windows `indices`.
fn batch_tensors(
    data: &PackedSequences,
    indices: &[usize],
    seq_len: usize,
    device: &Device,
) -> Result<(Tensor, Tensor), ProbeError> {
    let mut inputs = Vec::with_capacity(indices.len() * seq_len);
    let mut targets = Vec::with_capacity(indices.len() * seq_len);
    for &index in indices {
        let window = data
            .get(index)
            .ok_or_else(|| ProbeError::Config(format!("window {index} out of range")))?;
        let (Some(head), Some(tail)) = (window.get(..seq_len), window.get(1..)) else {
            return Err(ProbeError::Config(format!("window {index} is too short")));
        };
        inputs.extend_from_slice(head);
        targets.extend_from_slice(tail);
    }
    let shape = (indices.len(), seq_len);
    Ok((
        Tensor::from_vec(inputs, shape, device)?,
        Tensor::from_vec(targets, shape, device)?,
    ))
}

/// √(Σ‖g‖²) over every parameter's gradient.
fn global_norm(
    model: &ProbeModel,
    grads: &candle_core::backprop::GradStore,
) -> Result<f64, ProbeError> {
    let mut squares = Vec::new();
    for parameter in model.parameters() {
        if let Some(grad) = grads.get(&parameter.var) {
            squares.push(grad.sqr()?.sum_all()?);
        }
    }
    if squares.is_empty() {
        return Ok(0.0);
    }
    let total = Tensor::stack(&squares, 0)?.sum_all()?.to_scalar::<f32>()?;
    Ok(f64::from(total).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::config::ProbeSize;
    use crate::probe::tokenizer::ProbeTokenizer;
    use rand::Rng;

    /// A learnable language: words from a fixed lexicon, each followed by one of two successors.
    fn synthetic_language(seed: u64, words: usize) -> String {
        let lexicon = [
            "red", "fox", "runs", "over", "blue", "hills", "and", "sleeps",
        ];
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut index = 0usize;
        let mut out = String::new();
        for _ in 0..words {
            out.push_str(lexicon[index]);
            out.push(' ');
            index = (index * 3 + 1 + rng.random_range(0..2)) % lexicon.len();
        }
        out
    }

    fn tiny_run(seed: u64, steps: u64) -> TrainSummary {
        let tokenizer = ProbeTokenizer::bytes();
        let model_config = ProbeSize::Tiny.model(tokenizer.vocab_size());
        let mut config = ProbeSize::Tiny.training();
        config.batch_size = 8;
        config.seq_len = 32;
        let text = synthetic_language(1, 4000);
        let windows = windows_for(steps, &config).unwrap();
        let data =
            PackedSequences::from_texts([text.as_str()], &tokenizer, config.seq_len, windows)
                .unwrap();
        let model = ProbeModel::new(model_config, seed, &Device::Cpu).unwrap();
        let mut calls = 0;
        let summary = train(&model, &data, &config, steps, seed, &mut |p| {
            calls += 1;
            assert_eq!(p.tokens_seen, p.step * 8 * 32);
        })
        .unwrap();
        assert_eq!(calls, steps);
        summary
    }

    #[test]
    fn loss_decreases_on_a_learnable_language() {
        let summary = tiny_run(5, 60);
        let first = summary.losses[0];
        let uniform = (257f64).ln();
        assert!(
            (first - uniform).abs() < 0.2,
            "starts near uniform: {first}"
        );
        // The language has ≈ 1 bit per word of entropy; bytes inside words are determined.
        assert!(
            summary.final_loss < 0.5 * first,
            "final {} vs first {first}",
            summary.final_loss
        );
        assert_eq!(summary.tokens_seen, 60 * 8 * 32);
    }

    #[test]
    fn a_seed_fixes_the_run() {
        let a = tiny_run(9, 6);
        let b = tiny_run(9, 6);
        let c = tiny_run(10, 6);
        assert_eq!(a, b);
        assert_ne!(a.losses, c.losses);
    }

    #[test]
    fn budgets_and_shortfalls_are_checked() {
        let config = ProbeSize::Tiny.training();
        assert_eq!(steps_for(1, &config).unwrap(), 1);
        assert_eq!(steps_for(512, &config).unwrap(), 1);
        assert_eq!(steps_for(513, &config).unwrap(), 2);
        assert!(steps_for(0, &config).is_err());

        let tokenizer = ProbeTokenizer::bytes();
        let data =
            PackedSequences::from_texts(["x".repeat(200).as_str()], &tokenizer, 64, 2).unwrap();
        let model = ProbeModel::new(ProbeSize::Tiny.model(257), 1, &Device::Cpu).unwrap();
        let err = train(&model, &data, &config, 1, 1, &mut |_| {})
            .unwrap_err()
            .to_string();
        assert!(err.contains("need 8 windows, the data has 2"), "{err}");
    }
}
