//! Verification: recompute a seeded sample of positions with the teacher and measure agreement.
//!
//! Every stored position is first checked for shape (ids distinct and in the vocabulary,
//! log-probs ≤ 0, non-increasing, total probability ≤ 1). Then `samples` positions are drawn
//! uniformly without replacement from all stored positions with a ChaCha8 stream seeded by the
//! caller; each sampled window is re-run once (batch size 1, up to its last sampled position,
//! which causality makes equivalent to the full window) and, per sampled position, stored
//! top-k `S` is compared with the recomputed distribution `R` (its own top-k `T`):
//!
//! - **top-1 match**: `S[0] == T[0]`;
//! - **top-k overlap**: `|S ∩ T| / k`;
//! - **mean |Δ log-prob|**: over ids in `S ∩ T`, `|stored − recomputed|`;
//! - **KL**: `KL(p ‖ q)` with `p` the stored log-probs renormalised over `S` and `q` the
//!   recomputed log-probs of the same ids, renormalised.
//!
//! [`compare`] measures two label sets (two miners) over the same windows the same way, with
//! the second set's top-k as `R` (KL over the shared ids).
//!
//! # Tolerances (PROVISIONAL)
//!
//! Two sets, chosen by the run dtypes of the two sides ([`Tolerances::for_dtypes`]):
//!
//! - [`F32_TOLERANCES`], both sides f32. Measured on CPU, tiny random teachers, batch size 1 vs
//!   batched windows: identical ids and |Δ| ≤ 1/2048 (the fixed-point storage), so the bounds
//!   are that plus room for reduction-order noise between machines.
//! - [`BF16_TOLERANCES`], either side bf16. Measured on CPU, the tiny Phi-3 of the tests
//!   (hidden 32, weights large enough that distributions are peaked) in bf16 vs f32, 292
//!   positions: top-1 0.983, overlap 0.984, mean |Δ| 0.109 nats, mean KL 0.0045. bf16 noise
//!   grows with weight scale and depth, so a real teacher may differ either way.
//!
//! Both stay provisional until measured with a real teacher (Phi-3-medium, bf16 on a GPU vs
//! f32 on a CPU, batch 1 vs packed batches).

use std::collections::{BTreeMap, BTreeSet};

use rand::SeedableRng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use nya_metadata::manifest::ContentDigest;

use super::DistillError;
use super::labels::{Document, WindowLabels, logprobs};
use super::storage::{LOGPROB_SCALE, LabelSet};
use super::teacher::Teacher;
use super::topk::top_k_host;

/// Bounds an [`Agreement`] must meet.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Tolerances {
    /// Least share of positions whose top-1 ids agree.
    pub min_top1_match: f64,
    /// Least mean share of the top-k sets that agree.
    pub min_topk_overlap: f64,
    /// Most mean |Δ log-prob| (nats) on shared ids.
    pub max_mean_abs_logprob_diff: f64,
    /// Most mean KL (nats) of the renormalised top-k.
    pub max_mean_kl: f64,
}

/// Both sides ran in f32 (see the module doc).
pub const F32_TOLERANCES: Tolerances = Tolerances {
    min_top1_match: 0.99,
    min_topk_overlap: 0.98,
    max_mean_abs_logprob_diff: 0.01,
    max_mean_kl: 0.001,
};

/// At least one side ran in bf16 (see the module doc).
pub const BF16_TOLERANCES: Tolerances = Tolerances {
    min_top1_match: 0.95,
    min_topk_overlap: 0.95,
    max_mean_abs_logprob_diff: 0.15,
    max_mean_kl: 0.02,
};

impl Tolerances {
    /// The set for two sides' run dtypes (`f32`, `bf16`; anything else counts as bf16).
    pub fn for_dtypes(a: &str, b: &str) -> Self {
        if a == "f32" && b == "f32" {
            F32_TOLERANCES
        } else {
            BF16_TOLERANCES
        }
    }
}

/// Slack for fixed-point rounding in the structural checks.
const QUANTUM: f32 = 1.0 / LOGPROB_SCALE;

/// Agreement over the compared positions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Agreement {
    pub positions: usize,
    pub top1_match_rate: f64,
    pub topk_overlap: f64,
    pub mean_abs_logprob_diff: f64,
    pub mean_kl: f64,
}

impl Agreement {
    /// The tolerances this agreement breaks, as sentences (empty when it passes).
    pub fn failures(&self, tolerances: &Tolerances) -> Vec<String> {
        let t = tolerances;
        let mut out = Vec::new();
        if self.positions == 0 {
            out.push("no positions were compared".to_owned());
        }
        if self.top1_match_rate < t.min_top1_match {
            out.push(format!(
                "top-1 match rate {:.4} < {}",
                self.top1_match_rate, t.min_top1_match
            ));
        }
        if self.topk_overlap < t.min_topk_overlap {
            out.push(format!(
                "top-k overlap {:.4} < {}",
                self.topk_overlap, t.min_topk_overlap
            ));
        }
        if self.mean_abs_logprob_diff > t.max_mean_abs_logprob_diff {
            out.push(format!(
                "mean |Δ log-prob| {:.4} > {}",
                self.mean_abs_logprob_diff, t.max_mean_abs_logprob_diff
            ));
        }
        if self.mean_kl > t.max_mean_kl {
            out.push(format!("mean KL {:.4} > {}", self.mean_kl, t.max_mean_kl));
        }
        out
    }
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifyReport {
    pub agreement: Agreement,
    /// The bounds applied (by the stored and the recomputing dtype).
    pub tolerances: Tolerances,
    /// Everything wrong: teacher mismatch, shape violations, broken tolerances.
    pub failures: Vec<String>,
}

impl VerifyReport {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Sums over positions.
#[derive(Debug, Default)]
struct Tally {
    positions: usize,
    top1: usize,
    overlap: f64,
    abs_diff: f64,
    shared: usize,
    kl: f64,
}

impl Tally {
    /// Adds one position: `stored` top-k against `other`'s top-k ids and a lookup of `other`'s
    /// log-prob by id.
    fn add(
        &mut self,
        stored_ids: &[u32],
        stored_logprobs: &[f32],
        other_ids: &[u32],
        other_logprob: &dyn Fn(u32) -> Option<f32>,
    ) {
        let k = stored_ids.len().max(1);
        self.positions += 1;
        if !stored_ids.is_empty() && stored_ids.first() == other_ids.first() {
            self.top1 += 1;
        }
        let other_set: BTreeSet<u32> = other_ids.iter().copied().collect();
        let mut shared = 0;
        let mut pairs = Vec::with_capacity(stored_ids.len());
        for (&id, &lp) in stored_ids.iter().zip(stored_logprobs) {
            if other_set.contains(&id)
                && let Some(theirs) = other_logprob(id)
            {
                shared += 1;
                self.abs_diff += (lp as f64 - theirs as f64).abs();
            }
            if let Some(theirs) = other_logprob(id) {
                pairs.push((lp as f64, theirs as f64));
            }
        }
        self.shared += shared;
        self.overlap += shared as f64 / k as f64;
        self.kl += renormalised_kl(&pairs);
    }

    fn finish(&self) -> Agreement {
        let per_position = |sum: f64| sum / self.positions.max(1) as f64;
        Agreement {
            positions: self.positions,
            top1_match_rate: per_position(self.top1 as f64),
            topk_overlap: per_position(self.overlap),
            mean_abs_logprob_diff: self.abs_diff / self.shared.max(1) as f64,
            mean_kl: per_position(self.kl),
        }
    }
}

fn log_sum_exp(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let max = values.clone().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + values.map(|v| (v - max).exp()).sum::<f64>().ln()
}

/// KL(p ‖ q) of the two log-prob lists, each renormalised over the listed ids.
fn renormalised_kl(pairs: &[(f64, f64)]) -> f64 {
    if pairs.is_empty() {
        return 0.0;
    }
    let p_norm = log_sum_exp(pairs.iter().map(|p| p.0));
    let q_norm = log_sum_exp(pairs.iter().map(|p| p.1));
    pairs
        .iter()
        .map(|&(p, q)| {
            let (lp, lq) = (p - p_norm, q - q_norm);
            lp.exp() * (lp - lq)
        })
        .sum::<f64>()
        .max(0.0)
}

/// Shape violations of one window's positions (first few), for [`verify`].
fn structural_failures(window: &WindowLabels, k: usize) -> Option<String> {
    for (position, (ids, lps)) in window
        .top_ids
        .chunks(k)
        .zip(window.top_logprobs.chunks(k))
        .enumerate()
    {
        let at = || {
            format!(
                "document {:?} window {} position {position}",
                window.id, window.window
            )
        };
        let distinct: BTreeSet<u32> = ids.iter().copied().collect();
        if distinct.len() != ids.len() {
            return Some(format!("{}: repeated token ids in the top-k", at()));
        }
        if lps.iter().any(|&lp| lp.is_nan() || lp > 0.0) {
            return Some(format!("{}: a log-prob above 0", at()));
        }
        if lps.windows(2).any(|pair| pair[1] > pair[0]) {
            return Some(format!("{}: log-probs not in descending order", at()));
        }
        let total: f64 = lps.iter().map(|&lp| ((lp - QUANTUM) as f64).exp()).sum();
        if total > 1.0 + 1e-3 {
            return Some(format!(
                "{}: top-k probabilities sum to {total:.4} > 1",
                at()
            ));
        }
    }
    None
}

/// Positions to recompute: `(window index, position)` pairs, sorted.
pub fn sample_positions(
    windows: &[WindowLabels],
    samples: usize,
    seed: u64,
) -> Vec<(usize, usize)> {
    let total: usize = windows.iter().map(|w| w.input_ids.len()).sum();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut flat: Vec<usize> = sample(&mut rng, total, samples.min(total)).into_vec();
    flat.sort_unstable();
    let mut out = Vec::with_capacity(flat.len());
    let mut window = 0;
    let mut offset = 0;
    for index in flat {
        while let Some(w) = windows.get(window)
            && index >= offset + w.input_ids.len()
        {
            offset += w.input_ids.len();
            window += 1;
        }
        out.push((window, index - offset));
    }
    out
}

/// Checks `set` against `teacher`: same tokenizer and vocabulary, every window well-formed, and
/// a seeded sample of `samples` positions within the tolerances.
pub fn verify(
    teacher: &Teacher,
    set: &LabelSet,
    samples: usize,
    seed: u64,
) -> Result<VerifyReport, DistillError> {
    let mut failures = Vec::new();
    let params = &set.params;
    if params.tokenizer_sha256 != teacher.tokenizer_sha256 {
        failures.push(format!(
            "tokenizer sha256 {} differs from the teacher's {}",
            params.tokenizer_sha256, teacher.tokenizer_sha256
        ));
    }
    if params.vocab_size != teacher.config.vocab_size {
        failures.push(format!(
            "vocab_size {} differs from the teacher's {}",
            params.vocab_size, teacher.config.vocab_size
        ));
    }
    let k = params.k;
    if let Some(problem) = set.windows.iter().find_map(|w| structural_failures(w, k)) {
        failures.push(problem);
    }
    let mut by_window: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (window, position) in sample_positions(&set.windows, samples, seed) {
        by_window.entry(window).or_default().push(position);
    }
    let mut tally = Tally::default();
    for (index, positions) in by_window {
        let Some(window) = set.windows.get(index) else {
            continue;
        };
        let last = positions.iter().copied().max().unwrap_or(0);
        let Some(prefix) = window.input_ids.get(..=last) else {
            continue;
        };
        let recomputed = logprobs(teacher, &[prefix.to_vec()])?.squeeze(0)?;
        for position in positions {
            let row = recomputed.get(position)?.to_vec1::<f32>()?;
            let theirs = top_k_host(&row, row.len(), k.min(row.len()))?;
            let (Some(ids), Some(lps)) = (
                window.top_ids.get(position * k..(position + 1) * k),
                window.top_logprobs.get(position * k..(position + 1) * k),
            ) else {
                continue;
            };
            tally.add(ids, lps, &theirs.ids, &|id| row.get(id as usize).copied());
        }
    }
    let agreement = tally.finish();
    let tolerances = Tolerances::for_dtypes(&params.dtype, &dtype_name(teacher.decoder.dtype()));
    failures.extend(agreement.failures(&tolerances));
    Ok(VerifyReport {
        agreement,
        tolerances,
        failures,
    })
}

/// Checks that `set` labels exactly `documents`: the content digest matches, every document is
/// there, and each document's windows are its tokens cut every `seq_len` (so a miner cannot
/// label token sequences of its own choosing). Returns the problems found (empty when none).
pub fn check_inputs(
    teacher: &Teacher,
    set: &LabelSet,
    documents: &[Document],
) -> Result<Vec<String>, DistillError> {
    let mut failures = Vec::new();
    let mut digest = ContentDigest::new();
    for doc in documents {
        if let Err(e) = digest.add(doc.id.as_str(), &doc.text) {
            failures.push(format!("documents: {e}"));
            return Ok(failures);
        }
    }
    match digest.finish() {
        Ok(computed) => {
            if let Err(e) = set.manifest.check_content_digest(&computed) {
                failures.push(e.to_string());
            }
        }
        Err(e) => failures.push(format!("documents: {e}")),
    }
    let mut by_id: BTreeMap<&str, Vec<&WindowLabels>> = BTreeMap::new();
    for window in &set.windows {
        by_id.entry(window.id.as_str()).or_default().push(window);
    }
    let seq_len = set.params.seq_len.max(1);
    for doc in documents {
        let Some(mut windows) = by_id.remove(doc.id.as_str()) else {
            failures.push(format!("document {:?} has no labels", doc.id));
            continue;
        };
        windows.sort_by_key(|w| w.window);
        let tokens = teacher.tokenize(&doc.text)?;
        let expected: Vec<&[u32]> = tokens.chunks(seq_len).collect();
        let matches = windows.len() == expected.len()
            && windows
                .iter()
                .zip(&expected)
                .enumerate()
                .all(|(index, (w, ids))| {
                    w.window as usize == index
                        && w.start as usize == index * seq_len
                        && w.input_ids.as_slice() == *ids
                });
        if !matches {
            failures.push(format!(
                "document {:?}: stored input ids are not its tokens cut every {seq_len}",
                doc.id
            ));
        }
    }
    if let Some(extra) = by_id.keys().next() {
        failures.push(format!(
            "labels for {extra:?}, which is not among the documents"
        ));
    }
    Ok(failures)
}

/// The manifest's name of a run dtype (`f32`, `bf16`).
pub fn dtype_name(dtype: candle_core::DType) -> String {
    format!("{dtype:?}").to_lowercase()
}

/// Agreement of two label sets over the windows both hold (matched by id and window), every
/// position compared; the second set plays the recomputation.
pub fn compare(a: &LabelSet, b: &LabelSet) -> Result<Agreement, DistillError> {
    if a.params.k != b.params.k || a.params.tokenizer_sha256 != b.params.tokenizer_sha256 {
        return Err(DistillError::Input(
            "the two label sets use different k or tokenizers; they cannot be compared".into(),
        ));
    }
    let k = a.params.k;
    let theirs: BTreeMap<(&str, u32), &WindowLabels> = b
        .windows
        .iter()
        .map(|w| ((w.id.as_str(), w.window), w))
        .collect();
    let mut tally = Tally::default();
    for mine in &a.windows {
        let Some(other) = theirs.get(&(mine.id.as_str(), mine.window)) else {
            continue;
        };
        if other.input_ids != mine.input_ids {
            continue;
        }
        let rows = mine
            .top_ids
            .chunks(k)
            .zip(mine.top_logprobs.chunks(k))
            .zip(other.top_ids.chunks(k).zip(other.top_logprobs.chunks(k)));
        for ((ids, lps), (other_ids, other_lps)) in rows {
            let lookup: BTreeMap<u32, f32> = other_ids
                .iter()
                .copied()
                .zip(other_lps.iter().copied())
                .collect();
            tally.add(ids, lps, other_ids, &|id| lookup.get(&id).copied());
        }
    }
    Ok(tally.finish())
}
