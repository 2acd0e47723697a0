//! [`ProbeReport`]: what a probe run measured, as JSON (serde) or a human summary.
//!
//! Every field but `wall_seconds` is a function of the seed, the data and the device, so two
//! runs can be compared with [`ProbeReport::without_wall_time`].

use std::fmt::Write as _;

use super::config::ProbeSize;
use super::eval::ChoiceAccuracy;
use super::tokenizer::TokenizerKind;

/// The result of one probe run.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProbeReport {
    pub size: ProbeSize,
    pub tokenizer: TokenizerKind,
    pub vocab_size: usize,
    pub parameter_count: u64,
    pub seed: u64,
    /// `cpu` or `cuda:N`.
    pub device: String,
    /// The token budget asked for.
    pub tokens_requested: u64,
    /// Target tokens trained on (the budget rounded up to whole steps).
    pub tokens_seen: u64,
    pub steps: u64,
    pub batch_size: usize,
    pub seq_len: usize,
    /// Documents read from the training data to fill the windows.
    pub training_documents: u64,
    /// Mean loss over the last tenth of the steps, nats per token.
    pub final_train_loss: f64,
    /// Tokens of the reference text that were predicted.
    pub eval_tokens: u64,
    /// Held-out loss on the reference text, nats per token.
    pub eval_loss: f64,
    pub perplexity: f64,
    /// Multiple-choice accuracy, when a file was given.
    pub multiple_choice: Option<ChoiceAccuracy>,
    pub wall_seconds: f64,
}

impl ProbeReport {
    /// The report with the wall time zeroed, for comparing runs.
    pub fn without_wall_time(&self) -> Self {
        Self {
            wall_seconds: 0.0,
            ..self.clone()
        }
    }

    /// A few lines for people.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "probe {} ({:.1} M parameters, {} tokenizer, {} ids) on {}, seed {}",
            self.size,
            self.parameter_count as f64 / 1e6,
            self.tokenizer,
            self.vocab_size,
            self.device,
            self.seed
        );
        let _ = writeln!(
            out,
            "trained on {} tokens ({} steps of {}×{}, {} documents): final train loss {:.4}",
            self.tokens_seen,
            self.steps,
            self.batch_size,
            self.seq_len,
            self.training_documents,
            self.final_train_loss
        );
        let _ = writeln!(
            out,
            "held-out: {} tokens, loss {:.4} nats/token, perplexity {:.2}",
            self.eval_tokens, self.eval_loss, self.perplexity
        );
        if let Some(mc) = &self.multiple_choice {
            let _ = writeln!(
                out,
                "multiple choice: {}/{} correct, accuracy {:.4}",
                mc.correct, mc.items, mc.accuracy
            );
        }
        let _ = write!(out, "wall time {:.1} s", self.wall_seconds);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> ProbeReport {
        ProbeReport {
            size: ProbeSize::Tiny,
            tokenizer: TokenizerKind::Bytes,
            vocab_size: 257,
            parameter_count: 120_640,
            seed: 3,
            device: "cpu".into(),
            tokens_requested: 1000,
            tokens_seen: 512,
            steps: 1,
            batch_size: 8,
            seq_len: 64,
            training_documents: 4,
            final_train_loss: 5.5,
            eval_tokens: 300,
            eval_loss: 5.0,
            perplexity: 5f64.exp(),
            multiple_choice: Some(ChoiceAccuracy {
                items: 4,
                correct: 1,
                accuracy: 0.25,
            }),
            wall_seconds: 1.5,
        }
    }

    #[test]
    fn round_trips_as_json() {
        let report = report();
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["size"], "tiny");
        assert_eq!(json["tokenizer"], "bytes");
        assert_eq!(json["multiple_choice"]["correct"], 1);
        let back: ProbeReport = serde_json::from_value(json).unwrap();
        assert_eq!(back, report);
        assert_eq!(report.without_wall_time().wall_seconds, 0.0);
    }

    #[test]
    fn the_summary_names_the_numbers() {
        let text = report().summary();
        assert!(text.contains("probe tiny (0.1 M parameters"), "{text}");
        assert!(text.contains("loss 5.0000 nats/token"), "{text}");
        assert!(text.contains("1/4 correct"), "{text}");
    }
}
