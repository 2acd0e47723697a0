//! Evaluation: held-out loss and perplexity, and multiple-choice accuracy.
//!
//! **Held-out loss.** The reference documents (any text source of [`super::data`]) are joined
//! into one stream `EOS doc₁ EOS doc₂ EOS …`, capped at a token limit, and cut into windows of
//! `seq_len + 1` ids with stride `seq_len`, so every id after the first is predicted exactly
//! once. The loss is the mean negative log-likelihood in nats per token; perplexity is its
//! exponential.
//!
//! **Multiple choice** (HellaSwag-style JSON lines): each line is an object with a context
//! (`context` or HellaSwag's `ctx`), the choices (`choices` or `endings`: a non-empty array of
//! non-empty strings) and `label` (the 0-based index of the right choice, as an integer or a
//! string of digits). Each choice is scored as `EOS context " " choice` (no space added when the
//! context is empty or either side already has whitespace there); the score is the choice
//! tokens' summed log-likelihood divided by the choice's length in characters (lm-eval's
//! `acc_norm`), and the prediction is the best score (the first on ties).

use std::ops::ControlFlow;
use std::path::Path;

use candle_core::Tensor;

use super::ProbeError;
use super::data::{Visit, kind, probe_jsonl_error, read_texts};
use super::model::ProbeModel;
use super::tokenizer::ProbeTokenizer;
use crate::jsonl;

/// Logit floats one evaluation batch may hold (bounds memory with a 50k vocabulary).
const MAX_BATCH_LOGITS: usize = 1 << 26;
/// Most windows in one evaluation batch.
const MAX_BATCH_WINDOWS: usize = 64;

/// A reference text, tokenised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalSet {
    stream: Vec<u32>,
    documents: u64,
}

impl EvalSet {
    /// From in-memory documents, keeping at most `max_tokens` predicted tokens.
    pub fn from_texts<'a>(
        texts: impl IntoIterator<Item = &'a str>,
        tokenizer: &ProbeTokenizer,
        max_tokens: usize,
    ) -> Result<Self, ProbeError> {
        let mut builder = Builder::new(tokenizer, max_tokens);
        for text in texts {
            if builder.push(text)? == Visit::Stop {
                break;
            }
        }
        builder.finish("the evaluation texts")
    }

    /// From a text source (a folder, `.parquet`, `.jsonl` or `.txt`).
    pub fn from_path(
        path: &Path,
        tokenizer: &ProbeTokenizer,
        max_tokens: usize,
    ) -> Result<Self, ProbeError> {
        let mut builder = Builder::new(tokenizer, max_tokens);
        read_texts(path, &mut |text| builder.push(text))?;
        builder.finish(&path.display().to_string())
    }

    /// Tokens that are predicted (the stream minus its opening end-of-text).
    pub fn tokens(&self) -> u64 {
        self.stream.len().saturating_sub(1) as u64
    }

    /// Documents in the set (the last one possibly cut).
    pub fn documents(&self) -> u64 {
        self.documents
    }
}

struct Builder<'a> {
    tokenizer: &'a ProbeTokenizer,
    stream: Vec<u32>,
    limit: usize,
    documents: u64,
}

impl<'a> Builder<'a> {
    fn new(tokenizer: &'a ProbeTokenizer, max_tokens: usize) -> Self {
        Self {
            tokenizer,
            stream: vec![tokenizer.end_of_text()],
            limit: max_tokens.saturating_add(1),
            documents: 0,
        }
    }

    fn push(&mut self, text: &str) -> Result<Visit, ProbeError> {
        if self.stream.len() >= self.limit {
            return Ok(Visit::Stop);
        }
        if text.is_empty() {
            return Ok(Visit::Continue);
        }
        self.documents += 1;
        self.tokenizer.encode_into(text, &mut self.stream)?;
        self.stream.push(self.tokenizer.end_of_text());
        Ok(if self.stream.len() >= self.limit {
            Visit::Stop
        } else {
            Visit::Continue
        })
    }

    fn finish(mut self, source: &str) -> Result<EvalSet, ProbeError> {
        if self.documents == 0 {
            return Err(ProbeError::EmptyDataset {
                origin: source.to_owned(),
            });
        }
        self.stream.truncate(self.limit);
        Ok(EvalSet {
            stream: self.stream,
            documents: self.documents,
        })
    }
}

/// Held-out loss of a model on an [`EvalSet`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HeldOutLoss {
    /// Tokens predicted.
    pub tokens: u64,
    /// Mean negative log-likelihood, nats per token.
    pub loss: f64,
    /// `exp(loss)`.
    pub perplexity: f64,
}

/// Evaluates `model` on `set` in windows of `seq_len` predictions.
pub fn held_out_loss(
    model: &ProbeModel,
    set: &EvalSet,
    seq_len: usize,
) -> Result<HeldOutLoss, ProbeError> {
    if seq_len == 0 || seq_len > model.config().context {
        return Err(ProbeError::Config(format!(
            "evaluation windows of {seq_len} tokens; the model takes 1 to {}",
            model.config().context
        )));
    }
    // Window k covers stream[k·seq_len ..= (k+1)·seq_len]; the last one may be shorter.
    let windows: Vec<&[u32]> = (0..set.stream.len().saturating_sub(1))
        .step_by(seq_len)
        .filter_map(|start| {
            let end = (start + seq_len + 1).min(set.stream.len());
            set.stream.get(start..end)
        })
        .collect();
    let per_window = seq_len * model.config().vocab_size;
    let batch = (MAX_BATCH_LOGITS / per_window.max(1)).clamp(1, MAX_BATCH_WINDOWS);
    let mut total = 0f64;
    let mut count = 0u64;
    let mut start = 0;
    while start < windows.len() {
        // Full windows go in batches; the shorter last window goes alone.
        let length = windows.get(start).map_or(0, |w| w.len());
        let end = windows
            .iter()
            .skip(start)
            .take(batch)
            .take_while(|w| w.len() == length)
            .count()
            + start;
        let group = windows.get(start..end).unwrap_or_default();
        let (sum, n) = score_windows(model, group)?;
        total += sum;
        count += n;
        start = end.max(start + 1);
    }
    if count == 0 {
        return Err(ProbeError::Config(
            "the evaluation set predicts no token".into(),
        ));
    }
    let loss = -total / count as f64;
    Ok(HeldOutLoss {
        tokens: count,
        loss,
        perplexity: loss.exp(),
    })
}

/// Summed log-likelihood and count of the predicted tokens of equal-length windows.
fn score_windows(model: &ProbeModel, windows: &[&[u32]]) -> Result<(f64, u64), ProbeError> {
    let Some(length) = windows.first().map(|w| w.len()) else {
        return Ok((0.0, 0));
    };
    if length < 2 {
        return Ok((0.0, 0));
    }
    let steps = length - 1;
    let mut inputs: Vec<u32> = Vec::with_capacity(windows.len() * steps);
    let mut targets: Vec<u32> = Vec::with_capacity(windows.len() * steps);
    for window in windows {
        inputs.extend(window.iter().take(steps));
        targets.extend(window.iter().skip(1));
    }
    let shape = (windows.len(), steps);
    let device = model.device();
    let log_probs = model.target_log_probs(
        &Tensor::from_vec(inputs, shape, device)?,
        &Tensor::from_vec(targets, shape, device)?,
    )?;
    let rows = log_probs.to_vec2::<f32>()?;
    let sum = rows.iter().flatten().map(|&v| f64::from(v)).sum();
    Ok((sum, (windows.len() * steps) as u64))
}

/// One multiple-choice question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceItem {
    pub context: String,
    pub choices: Vec<String>,
    /// Index of the right choice.
    pub label: usize,
}

/// Reads a multiple-choice JSON-lines file (format in the module doc).
pub fn read_multiple_choice(path: &Path) -> Result<Vec<ChoiceItem>, ProbeError> {
    let bad = |line: u64, reason: String| ProbeError::MultipleChoice {
        path: path.to_path_buf(),
        line,
        reason,
    };
    let mut items = Vec::new();
    // Every line is visited (the visitor never breaks), so the flow carries nothing.
    let _ = jsonl::for_each_value(
        path,
        |e| probe_jsonl_error(path, e, bad),
        |line, value| {
            items.push(parse_item(&value).map_err(|reason| bad(line, reason))?);
            Ok(ControlFlow::Continue(()))
        },
    )?;
    if items.is_empty() {
        return Err(ProbeError::NoMultipleChoice {
            path: path.to_path_buf(),
        });
    }
    Ok(items)
}

fn parse_item(value: &serde_json::Value) -> Result<ChoiceItem, String> {
    let field = |names: [&str; 2]| names.iter().find_map(|n| value.get(*n));
    let context = match field(["context", "ctx"]) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => return Err(format!("the context is {}, not a string", kind(other))),
        None => return Err("no `context` (or `ctx`) field".into()),
    };
    let choices = match field(["choices", "endings"]) {
        Some(serde_json::Value::Array(list)) => list,
        Some(other) => return Err(format!("the choices are {}, not an array", kind(other))),
        None => return Err("no `choices` (or `endings`) field".into()),
    };
    if choices.is_empty() {
        return Err("the choices are empty".into());
    }
    let choices = choices
        .iter()
        .enumerate()
        .map(|(i, choice)| match choice {
            serde_json::Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
            serde_json::Value::String(_) => Err(format!("choice {i} is empty")),
            other => Err(format!("choice {i} is {}, not a string", kind(other))),
        })
        .collect::<Result<Vec<String>, String>>()?;
    let label = match value.get("label") {
        Some(serde_json::Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| format!("label {n} is not a non-negative integer"))?,
        Some(serde_json::Value::String(s)) => s
            .trim()
            .parse::<u64>()
            .map_err(|_| format!("label {s:?} is not a non-negative integer"))?,
        Some(other) => return Err(format!("the label is {}, not an integer", kind(other))),
        None => return Err("no `label` field".into()),
    };
    let label = usize::try_from(label)
        .ok()
        .filter(|&l| l < choices.len())
        .ok_or_else(|| {
            format!(
                "label {label} is out of range for {} choices",
                choices.len()
            )
        })?;
    Ok(ChoiceItem {
        context,
        choices,
        label,
    })
}

/// Multiple-choice accuracy.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChoiceAccuracy {
    pub items: u64,
    pub correct: u64,
    pub accuracy: f64,
}

/// Scores every item (see the module doc); sequences longer than `max_len` tokens keep their
/// last `max_len` tokens, and a choice that alone does not fit is an error naming the item.
pub fn multiple_choice_accuracy(
    model: &ProbeModel,
    tokenizer: &ProbeTokenizer,
    items: &[ChoiceItem],
    max_len: usize,
) -> Result<ChoiceAccuracy, ProbeError> {
    if max_len < 2 || max_len > model.config().context + 1 {
        return Err(ProbeError::Config(format!(
            "multiple-choice sequences of {max_len} tokens; the model takes 2 to {}",
            model.config().context + 1
        )));
    }
    let mut correct = 0u64;
    for (index, item) in items.iter().enumerate() {
        if predict(model, tokenizer, item, max_len, index)? == item.label {
            correct += 1;
        }
    }
    let count = items.len() as u64;
    Ok(ChoiceAccuracy {
        items: count,
        correct,
        accuracy: if count == 0 {
            0.0
        } else {
            correct as f64 / count as f64
        },
    })
}

/// The index of the best-scoring choice of `item`.
fn predict(
    model: &ProbeModel,
    tokenizer: &ProbeTokenizer,
    item: &ChoiceItem,
    max_len: usize,
    index: usize,
) -> Result<usize, ProbeError> {
    let mut context = vec![tokenizer.end_of_text()];
    tokenizer.encode_into(&item.context, &mut context)?;
    // Each sequence: (ids, where the choice starts, choice length in characters).
    let mut sequences = Vec::with_capacity(item.choices.len());
    for (choice_index, choice) in item.choices.iter().enumerate() {
        let joined = item.context.is_empty()
            || item.context.ends_with(char::is_whitespace)
            || choice.starts_with(char::is_whitespace);
        let continuation = if joined {
            choice.clone()
        } else {
            format!(" {choice}")
        };
        let choice_ids = tokenizer.encode(&continuation)?;
        if choice_ids.is_empty() || choice_ids.len() >= max_len {
            return Err(ProbeError::Config(format!(
                "multiple-choice item {index}, choice {choice_index}: {} tokens do not fit a {max_len}-token sequence",
                choice_ids.len()
            )));
        }
        let mut ids = context.clone();
        ids.extend_from_slice(&choice_ids);
        let cut = ids.len().saturating_sub(max_len);
        let ids = ids.split_off(cut);
        let start = ids.len() - choice_ids.len();
        sequences.push((ids, start, choice.chars().count().max(1)));
    }
    // One batch per item: pad to the longest with end-of-text (causal: padding after a
    // sequence cannot change its scores).
    let longest = sequences.iter().map(|s| s.0.len()).max().unwrap_or(2);
    let steps = longest - 1;
    let mut inputs: Vec<u32> = Vec::with_capacity(sequences.len() * steps);
    let mut targets: Vec<u32> = Vec::with_capacity(sequences.len() * steps);
    for (ids, _, _) in &sequences {
        let mut padded = ids.clone();
        padded.resize(longest, tokenizer.end_of_text());
        inputs.extend(padded.iter().take(steps));
        targets.extend(padded.iter().skip(1));
    }
    let shape = (sequences.len(), steps);
    let device = model.device();
    let rows = model
        .target_log_probs(
            &Tensor::from_vec(inputs, shape, device)?,
            &Tensor::from_vec(targets, shape, device)?,
        )?
        .to_vec2::<f32>()?;
    let mut best = (0usize, f64::NEG_INFINITY);
    for (choice_index, ((ids, start, chars), row)) in sequences.iter().zip(&rows).enumerate() {
        // Target position p predicts ids[p + 1]; the choice's ids are ids[start..].
        let log_likelihood: f64 = row
            .get(start.saturating_sub(1)..ids.len().saturating_sub(1))
            .unwrap_or_default()
            .iter()
            .map(|&v| f64::from(v))
            .sum();
        let score = log_likelihood / *chars as f64;
        if score > best.1 {
            best = (choice_index, score);
        }
    }
    Ok(best.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::config::ProbeSize;
    use candle_core::Device;
    use std::path::PathBuf;

    fn tiny_model() -> ProbeModel {
        ProbeModel::new(ProbeSize::Tiny.model(257), 11, &Device::Cpu).unwrap()
    }

    #[test]
    fn every_token_is_predicted_once() {
        let tokenizer = ProbeTokenizer::bytes();
        let text = "a".repeat(150);
        let set = EvalSet::from_texts([text.as_str(), "bc"], &tokenizer, 10_000).unwrap();
        // 150 + EOS + 2 + EOS predicted tokens.
        assert_eq!(set.tokens(), 154);
        let model = tiny_model();
        let result = held_out_loss(&model, &set, 64).unwrap();
        assert_eq!(result.tokens, 154);
        assert!((result.perplexity - result.loss.exp()).abs() < 1e-9);
        // A fresh model is roughly uniform (the tied head favours repeating the input a bit).
        assert!((result.loss - 257f64.ln()).abs() < 1.0, "{}", result.loss);
        // The cap keeps the first tokens.
        let capped = EvalSet::from_texts([text.as_str()], &tokenizer, 20).unwrap();
        assert_eq!(capped.tokens(), 20);
        let err = EvalSet::from_texts([""], &tokenizer, 20).unwrap_err();
        assert!(err.to_string().contains("holds no text"), "{err}");
    }

    #[test]
    fn window_size_does_not_change_which_tokens_count() {
        let tokenizer = ProbeTokenizer::bytes();
        let set = EvalSet::from_texts(["hello world, again and again"], &tokenizer, 1000).unwrap();
        let model = tiny_model();
        let a = held_out_loss(&model, &set, 7).unwrap();
        let b = held_out_loss(&model, &set, 64).unwrap();
        assert_eq!(a.tokens, b.tokens);
        assert!(held_out_loss(&model, &set, 65).is_err());
    }

    fn write(dir: &Path, lines: &str) -> PathBuf {
        let path = dir.join("mc.jsonl");
        std::fs::write(&path, lines).unwrap();
        path
    }

    #[test]
    fn multiple_choice_files_are_checked() {
        let tmp = tempfile::tempdir().unwrap();
        let ok = write(
            tmp.path(),
            "{\"ctx\": \"A cat\", \"endings\": [\"sat.\", \"ran.\"], \"label\": \"1\"}\n\n\
             {\"context\": \"\", \"choices\": [\"x\"], \"label\": 0}\n",
        );
        let items = read_multiple_choice(&ok).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].label, 1);
        assert_eq!(items[0].choices, ["sat.", "ran."]);

        let cases = [
            (
                "{\"ctx\": \"a\", \"endings\": [\"b\"], \"label\": 1}",
                "label 1 is out of range for 1 choices",
            ),
            (
                "{\"ctx\": \"a\", \"endings\": [\"b\"], \"label\": -1}",
                "label -1 is not a non-negative integer",
            ),
            (
                "{\"ctx\": \"a\", \"endings\": [\"b\"], \"label\": \"x\"}",
                "label \"x\" is not",
            ),
            (
                "{\"ctx\": \"a\", \"endings\": [\"b\"], \"label\": 0.5}",
                "not a non-negative integer",
            ),
            ("{\"ctx\": \"a\", \"endings\": [\"b\"]}", "no `label` field"),
            (
                "{\"ctx\": \"a\", \"endings\": [], \"label\": 0}",
                "the choices are empty",
            ),
            (
                "{\"ctx\": \"a\", \"endings\": [\"b\", \" \"], \"label\": 0}",
                "choice 1 is empty",
            ),
            (
                "{\"ctx\": \"a\", \"endings\": [\"b\", 2], \"label\": 0}",
                "choice 1 is a number",
            ),
            (
                "{\"ctx\": 1, \"endings\": [\"b\"], \"label\": 0}",
                "the context is a number",
            ),
            ("{\"endings\": [\"b\"], \"label\": 0}", "no `context`"),
            ("{\"ctx\": \"a\", \"label\": 0}", "no `choices`"),
            ("[1, 2]", "no `context`"),
            ("nope", "not JSON"),
        ];
        for (line, expected) in cases {
            let path = write(
                tmp.path(),
                &format!("{{\"ctx\": \"a\", \"endings\": [\"b\"], \"label\": 0}}\n{line}\n"),
            );
            let err = read_multiple_choice(&path).unwrap_err().to_string();
            assert!(err.contains("mc.jsonl:2: multiple-choice item"), "{err}");
            assert!(err.contains(expected), "{line}: {err}");
        }
        let empty = write(tmp.path(), "\n");
        let err = read_multiple_choice(&empty).unwrap_err().to_string();
        assert!(err.contains("no multiple-choice items"), "{err}");
    }

    #[test]
    fn scoring_matches_the_held_out_log_likelihood() {
        let tokenizer = ProbeTokenizer::bytes();
        let model = tiny_model();
        let item = ChoiceItem {
            context: "ab".into(),
            choices: vec!["cd".into(), "efgh".into()],
            label: 0,
        };
        // Score each choice by hand from the model's log-probabilities.
        let by_hand: Vec<f64> = item
            .choices
            .iter()
            .map(|choice| {
                let ids = tokenizer.encode(&format!("\u{0}ab {choice}")).unwrap();
                let mut ids = ids;
                ids[0] = tokenizer.end_of_text();
                let n = ids.len() - 1;
                let inputs = Tensor::from_vec(ids[..n].to_vec(), (1, n), &Device::Cpu).unwrap();
                let targets = Tensor::from_vec(ids[1..].to_vec(), (1, n), &Device::Cpu).unwrap();
                let row = model
                    .target_log_probs(&inputs, &targets)
                    .unwrap()
                    .to_vec2::<f32>()
                    .unwrap();
                let choice_tokens = choice.len() + 1; // the space and the bytes
                row[0][n - choice_tokens..]
                    .iter()
                    .map(|&v| f64::from(v))
                    .sum::<f64>()
                    / choice.len() as f64
            })
            .collect();
        let expected = if by_hand[1] > by_hand[0] { 1 } else { 0 };
        let predicted = predict(&model, &tokenizer, &item, 65, 0).unwrap();
        assert_eq!(predicted, expected, "{by_hand:?}");
        let accuracy =
            multiple_choice_accuracy(&model, &tokenizer, std::slice::from_ref(&item), 65).unwrap();
        assert_eq!(accuracy.items, 1);
        assert_eq!(accuracy.correct, u64::from(expected == 0));

        let long = ChoiceItem {
            context: "ctx".into(),
            choices: vec!["z".repeat(70)],
            label: 0,
        };
        let err = multiple_choice_accuracy(&model, &tokenizer, &[item, long], 65)
            .unwrap_err()
            .to_string();
        assert!(err.contains("item 1, choice 0"), "{err}");
    }
}
