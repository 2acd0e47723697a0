//! One probe run from paths: check the inputs, pack the training data, train, evaluate, report.
//!
//! Inputs are all read and checked before training starts (the reference text, the
//! multiple-choice file, the training windows), so a bad file fails in seconds rather than after
//! an hour of training.

use std::path::PathBuf;
use std::time::Instant;

use candle_core::Device;

use super::config::{ModelConfig, ProbeSize, TrainConfig};
use super::data::PackedSequences;
use super::eval::{self, ChoiceItem, EvalSet};
use super::model::ProbeModel;
use super::report::ProbeReport;
use super::tokenizer::{ProbeTokenizer, TokenizerKind};
use super::train::{self, TrainProgress};
use super::{DeviceKind, ProbeError, device_name};

/// Reference tokens evaluated by default.
pub const DEFAULT_EVAL_TOKENS: usize = 1 << 18;

/// What `nya probe` asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeOptions {
    /// Training data: a dataset folder or a `.parquet`/`.jsonl`/`.txt` file.
    pub data: PathBuf,
    /// Reference text for the held-out loss.
    pub eval: PathBuf,
    /// Optional multiple-choice JSON lines.
    pub multiple_choice: Option<PathBuf>,
    pub size: ProbeSize,
    /// Training token budget.
    pub tokens: u64,
    pub seed: u64,
    pub device: DeviceKind,
    /// Most reference tokens evaluated.
    pub max_eval_tokens: usize,
}

/// A probe's model and training settings for one tokenizer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProbeSpec {
    pub size: ProbeSize,
    pub model: ModelConfig,
    pub training: TrainConfig,
    pub tokens: u64,
    pub seed: u64,
}

impl ProbeSpec {
    /// The size's settings for `tokenizer`'s vocabulary.
    pub fn new(size: ProbeSize, tokenizer: &ProbeTokenizer, tokens: u64, seed: u64) -> Self {
        Self {
            size,
            model: size.model(tokenizer.vocab_size()),
            training: size.training(),
            tokens,
            seed,
        }
    }

    /// Steps the budget takes.
    pub fn steps(&self) -> Result<u64, ProbeError> {
        train::steps_for(self.tokens, &self.training)
    }

    /// Training windows the budget reads.
    pub fn windows(&self) -> Result<usize, ProbeError> {
        train::windows_for(self.steps()?, &self.training)
    }
}

/// The tokenizer of a kind that needs no training data.
pub fn tokenizer_for(kind: TokenizerKind) -> Result<ProbeTokenizer, ProbeError> {
    match kind {
        TokenizerKind::Gpt2 => ProbeTokenizer::gpt2(),
        TokenizerKind::Bytes => Ok(ProbeTokenizer::bytes()),
        TokenizerKind::TrainedBpe => Err(ProbeError::Config(
            "a trained BPE is built from texts, not chosen by name".into(),
        )),
    }
}

/// Runs a probe from paths.
pub fn run(
    options: &ProbeOptions,
    progress: &mut dyn FnMut(&TrainProgress),
) -> Result<ProbeReport, ProbeError> {
    let started = Instant::now();
    let device = options.device.open()?;
    let tokenizer = tokenizer_for(options.size.tokenizer())?;
    let spec = ProbeSpec::new(options.size, &tokenizer, options.tokens, options.seed);
    spec.model.validate().map_err(ProbeError::Config)?;
    spec.training
        .validate(&spec.model)
        .map_err(ProbeError::Config)?;
    let eval_set = EvalSet::from_path(&options.eval, &tokenizer, options.max_eval_tokens)?;
    let choices = options
        .multiple_choice
        .as_deref()
        .map(eval::read_multiple_choice)
        .transpose()?;
    let data = PackedSequences::from_path(
        &options.data,
        &tokenizer,
        spec.training.seq_len,
        spec.windows()?,
    )?;
    let mut report = train_and_evaluate(
        &spec,
        &tokenizer,
        &device,
        &data,
        &eval_set,
        choices.as_deref(),
        progress,
    )?;
    report.wall_seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Trains a fresh model of `spec` on `data` and evaluates it; the report's wall time covers
/// training and evaluation.
pub fn train_and_evaluate(
    spec: &ProbeSpec,
    tokenizer: &ProbeTokenizer,
    device: &Device,
    data: &PackedSequences,
    eval_set: &EvalSet,
    choices: Option<&[ChoiceItem]>,
    progress: &mut dyn FnMut(&TrainProgress),
) -> Result<ProbeReport, ProbeError> {
    let started = Instant::now();
    let model = ProbeModel::new(spec.model, spec.seed, device)?;
    let steps = spec.steps()?;
    let summary = train::train(&model, data, &spec.training, steps, spec.seed, progress)?;
    let held_out = eval::held_out_loss(&model, eval_set, spec.training.seq_len)?;
    let multiple_choice = choices
        .map(|items| {
            eval::multiple_choice_accuracy(&model, tokenizer, items, spec.training.seq_len + 1)
        })
        .transpose()?;
    Ok(ProbeReport {
        size: spec.size,
        tokenizer: tokenizer.kind(),
        vocab_size: tokenizer.vocab_size(),
        parameter_count: model.parameter_count(),
        seed: spec.seed,
        device: device_name(device),
        tokens_requested: spec.tokens,
        tokens_seen: summary.tokens_seen,
        steps: summary.steps,
        batch_size: spec.training.batch_size,
        seq_len: spec.training.seq_len,
        training_documents: data.documents(),
        final_train_loss: summary.final_loss,
        eval_tokens: held_out.tokens,
        eval_loss: held_out.loss,
        perplexity: held_out.perplexity,
        multiple_choice,
        wall_seconds: started.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// A small learnable language with a multiple-choice file that tests it.
    fn write_inputs(dir: &Path) -> ProbeOptions {
        let sentences = [
            "the cat sat on the mat.",
            "the dog ran in the park.",
            "a bird sang in the tree.",
        ];
        let mut lines = String::new();
        for i in 0..600 {
            let text = format!("{} {}", sentences[i % 3], sentences[(i * 7 + 1) % 3]);
            lines.push_str(&serde_json::json!({ "text": text }).to_string());
            lines.push('\n');
        }
        std::fs::write(dir.join("train.jsonl"), lines).unwrap();
        std::fs::write(
            dir.join("eval.txt"),
            "the dog sat in the tree. the cat ran.",
        )
        .unwrap();
        std::fs::write(
            dir.join("mc.jsonl"),
            "{\"ctx\": \"the cat sat on the\", \"endings\": [\"park.\", \"mat.\"], \"label\": 1}\n\
             {\"ctx\": \"a bird sang in the\", \"endings\": [\"tree.\", \"mat.\"], \"label\": 0}\n",
        )
        .unwrap();
        ProbeOptions {
            data: dir.join("train.jsonl"),
            eval: dir.join("eval.txt"),
            multiple_choice: Some(dir.join("mc.jsonl")),
            size: ProbeSize::Tiny,
            tokens: 8 * 64 * 40,
            seed: 4,
            device: DeviceKind::Cpu,
            max_eval_tokens: DEFAULT_EVAL_TOKENS,
        }
    }

    #[test]
    fn two_runs_report_the_same_numbers() {
        let tmp = tempfile::tempdir().unwrap();
        let options = write_inputs(tmp.path());
        let mut steps = 0;
        let first = run(&options, &mut |_| steps += 1).unwrap();
        let second = run(&options, &mut |_| {}).unwrap();
        assert_eq!(steps, 40);
        assert_eq!(first.without_wall_time(), second.without_wall_time());
        assert_eq!(first.tokens_seen, 8 * 64 * 40);
        assert_eq!(first.eval_tokens, 38);
        assert!(first.eval_loss < 257f64.ln() - 1.0, "{}", first.summary());
        let mc = first.multiple_choice.unwrap();
        assert_eq!((mc.items, mc.correct), (2, 2), "{}", first.summary());
        let other_seed = run(&ProbeOptions { seed: 5, ..options }, &mut |_| {}).unwrap();
        assert_ne!(other_seed.eval_loss, first.eval_loss);
    }

    #[test]
    fn bad_inputs_fail_before_training() {
        let tmp = tempfile::tempdir().unwrap();
        let options = write_inputs(tmp.path());
        let never = &mut |_: &TrainProgress| panic!("must not train");

        let big = ProbeOptions {
            tokens: 10_000_000,
            ..options.clone()
        };
        let err = run(&big, never).unwrap_err().to_string();
        assert!(err.contains("train.jsonl: not enough data"), "{err}");

        std::fs::write(
            tmp.path().join("bad-mc.jsonl"),
            "{\"ctx\": \"a\", \"endings\": [\"b\"], \"label\": 3}\n",
        )
        .unwrap();
        let bad_mc = ProbeOptions {
            multiple_choice: Some(tmp.path().join("bad-mc.jsonl")),
            ..options.clone()
        };
        let err = run(&bad_mc, never).unwrap_err().to_string();
        assert!(
            err.contains("bad-mc.jsonl:1") && err.contains("out of range"),
            "{err}"
        );

        std::fs::create_dir(tmp.path().join("empty")).unwrap();
        std::fs::write(tmp.path().join("empty/a.jsonl"), "{\"text\": \"\"}\n").unwrap();
        let empty = ProbeOptions {
            data: tmp.path().join("empty"),
            ..options.clone()
        };
        let err = run(&empty, never).unwrap_err().to_string();
        assert!(err.contains("empty: the dataset holds no text"), "{err}");

        let zero = ProbeOptions {
            tokens: 0,
            ..options
        };
        let err = run(&zero, never).unwrap_err().to_string();
        assert!(err.contains("token budget must be positive"), "{err}");
    }
}
