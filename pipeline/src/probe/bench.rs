//! Training throughput: tokens per second of a size on a device.
//!
//! The benchmark trains a fresh model (seed 0) on random token ids (seeded) with the size's
//! batch and sequence length, runs one untimed warm-up step (allocations, kernel compilation),
//! then times `steps` steps. Each step ends with the loss read back to the host, so the device
//! has finished the step when the clock is read.

use std::time::{Duration, Instant};

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;

use super::config::ProbeSize;
use super::data::PackedSequences;
use super::model::ProbeModel;
use super::run::tokenizer_for;
use super::train;
use super::{DeviceKind, ProbeError, device_name};

/// One size's throughput.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BenchResult {
    pub size: ProbeSize,
    pub device: String,
    pub parameter_count: u64,
    pub batch_size: usize,
    pub seq_len: usize,
    /// Timed steps (after one warm-up step).
    pub steps: u64,
    pub seconds: f64,
    pub tokens_per_second: f64,
}

/// Measures training tokens/s of `size` on `device` over `steps` timed steps.
pub fn bench(size: ProbeSize, device: DeviceKind, steps: u64) -> Result<BenchResult, ProbeError> {
    if steps == 0 {
        return Err(ProbeError::Config(
            "benchmark steps must be positive".into(),
        ));
    }
    let device = device.open()?;
    let vocab_size = tokenizer_for(size.tokenizer())?.vocab_size();
    let model_config = size.model(vocab_size);
    let config = size.training();
    let total_steps = steps + 1;
    let windows = train::windows_for(total_steps, &config)?;
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let vocab = u32::try_from(vocab_size)
        .map_err(|_| ProbeError::Config(format!("vocabulary of {vocab_size} ids")))?;
    let tokens: Vec<u32> = (0..windows * (config.seq_len + 1))
        .map(|_| rng.random_range(0..vocab))
        .collect();
    let data = PackedSequences::from_ids(tokens, config.seq_len)?;
    let model = ProbeModel::new(model_config, 0, &device)?;
    let mut timer: Option<Instant> = None;
    let mut elapsed = Duration::ZERO;
    train::train(
        &model,
        &data,
        &config,
        total_steps,
        0,
        &mut |_| match timer {
            None => timer = Some(Instant::now()),
            Some(start) => elapsed = start.elapsed(),
        },
    )?;
    let seconds = elapsed.as_secs_f64();
    let tokens = steps * config.tokens_per_step();
    Ok(BenchResult {
        size,
        device: device_name(&device),
        parameter_count: model.parameter_count(),
        batch_size: config.batch_size,
        seq_len: config.seq_len,
        steps,
        seconds,
        tokens_per_second: if seconds > 0.0 {
            tokens as f64 / seconds
        } else {
            0.0
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_the_tiny_size() {
        let result = bench(ProbeSize::Tiny, DeviceKind::Cpu, 2).unwrap();
        assert_eq!(result.device, "cpu");
        assert_eq!(result.steps, 2);
        assert_eq!(
            result.parameter_count,
            ProbeSize::Tiny.model(257).parameter_count()
        );
        assert!(result.tokens_per_second > 0.0 && result.seconds > 0.0);
        assert!(bench(ProbeSize::Tiny, DeviceKind::Cpu, 0).is_err());
    }
}
