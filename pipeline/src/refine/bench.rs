//! `nya bench refine`: how fast the recipe runs on given WARC files, per core and on all cores,
//! and where the time goes.
//!
//! Three timed phases over the same input:
//! 1. **read**: every source read and decoded into documents (WARC parsing, gunzip, charset);
//!    the documents are then held in memory, so the bench is meant for sample files, not crawls;
//! 2. **one thread**: the whole recipe (filters, MinHash dedup over the set, PII, token counts)
//!    on one thread, each step timed: the per-core speed and the profile;
//! 3. **all threads** (when more than one is asked for): the same work on a rayon pool, for the
//!    scaling.
//!
//! Speeds are documents per second and compressed MB per second, the units datatrove's stats
//! and the fixtures README use; `scripts/bench/refine-vs-datatrove.sh` prints the side-by-side.

use std::hint::black_box;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use super::dedup;
use super::lid::LidScratch;
use super::minhash::MinHashSignature;
use super::recipe::{Candidate, FINEWEB_STEPS, Recipe, Step, StepTimes};
use super::run::{RefineError, RefineOptions};
use super::warc::{DocumentReader, WarcDocument, WarcItem};

/// What one timed pass did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Pass {
    /// Worker threads.
    pub threads: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// CPU seconds of the timing thread, where the OS tells (Linux); one-thread passes only.
    pub cpu_seconds: Option<f64>,
    /// Documents kept after every step.
    pub kept: u64,
}

/// Seconds one step took in the one-thread pass, and its share of the recipe's time.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StepProfile {
    /// The step's name (as in stats and traces).
    pub step: &'static str,
    /// Seconds spent in the step over all documents that reached it.
    pub seconds: f64,
    /// Share of the one-thread recipe time, 0 to 1.
    pub share: f64,
}

/// The bench's findings.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BenchReport {
    /// Source files read.
    pub files: usize,
    /// Compressed bytes of all sources.
    pub bytes: u64,
    /// WARC records read (all types).
    pub records: u64,
    /// Documents the recipe ran on (HTML responses).
    pub documents: u64,
    /// Seconds spent reading and decoding the sources.
    pub read_seconds: f64,
    /// CPU seconds of that, where the OS tells (Linux).
    pub read_cpu_seconds: Option<f64>,
    /// The recipe on one thread.
    pub single: Pass,
    /// The recipe on all requested threads, when more than one.
    pub parallel: Option<Pass>,
    /// Where the one-thread time went, in recipe order (dedup clustering counted under
    /// `minhash`, with the signatures).
    pub profile: Vec<StepProfile>,
}

impl BenchReport {
    /// Documents per second on one core, reading included.
    pub fn docs_per_core_second(&self) -> f64 {
        per_second(
            self.documents as f64,
            self.read_seconds + self.single.seconds,
        )
    }

    /// Compressed MB (10^6 bytes) per second on one core, reading included.
    pub fn mb_per_core_second(&self) -> f64 {
        per_second(
            self.bytes as f64 / 1e6,
            self.read_seconds + self.single.seconds,
        )
    }

    /// A plain-text report: speeds, then the per-step profile.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{} files, {:.1} MB, {} records, {} documents\n",
            self.files,
            self.bytes as f64 / 1e6,
            self.records,
            self.documents
        );
        out.push_str(&format!(
            "read + decode      {:>8.2} s\n1 thread           {:>8.2} s  {:>8.1} docs/s  {:>6.2} MB/s  (per core-second, reading included{})\n",
            self.read_seconds,
            self.single.seconds,
            self.docs_per_core_second(),
            self.mb_per_core_second(),
            match self.single.cpu_seconds {
                Some(cpu) => format!("; {cpu:.2} CPU s"),
                None => String::new(),
            },
        ));
        if let Some(parallel) = &self.parallel {
            let docs = per_second(self.documents as f64, parallel.seconds);
            out.push_str(&format!(
                "{:<2} threads         {:>8.2} s  {:>8.1} docs/s  ({:.1} docs/s per thread, {:.2}× one thread)\n",
                parallel.threads,
                parallel.seconds,
                docs,
                docs / parallel.threads.max(1) as f64,
                per_second(self.single.seconds, parallel.seconds),
            ));
        }
        out.push_str(&format!(
            "kept {} of {} documents\n\n",
            self.single.kept, self.documents
        ));
        out.push_str("step                  seconds   share\n");
        for step in &self.profile {
            out.push_str(&format!(
                "{:<20} {:>8.3}  {:>5.1} %\n",
                step.step,
                step.seconds,
                step.share * 100.0
            ));
        }
        out
    }
}

fn per_second(amount: f64, seconds: f64) -> f64 {
    if seconds > 0.0 { amount / seconds } else { 0.0 }
}

/// Runs the bench on `options.sources` (read as `nya refine` reads them) with `threads`
/// workers for the parallel pass (0: one per core; 1: no parallel pass).
pub fn run(
    recipe: &Recipe,
    options: &RefineOptions,
    threads: usize,
) -> Result<BenchReport, RefineError> {
    let sources = super::run::resolve_sources(options)?;
    let started = Instant::now();
    let read_cpu_started = thread_cpu_seconds();
    let mut documents = Vec::new();
    let mut records = 0;
    let mut bytes = 0;
    for source in &sources {
        bytes += source.local_size().unwrap_or(0);
        let mut reader = DocumentReader::new(source.open(options.retry)?);
        for item in reader.by_ref() {
            if let WarcItem::Document(doc) = item? {
                documents.push(doc);
            }
        }
        records += reader.stats().records;
    }
    let read_seconds = started.elapsed().as_secs_f64();
    let read_cpu_seconds = read_cpu_started
        .zip(thread_cpu_seconds())
        .map(|(start, end)| end - start);

    let mut times = StepTimes::default();
    let started = Instant::now();
    let cpu_started = thread_cpu_seconds();
    let kept = recipe_pass(recipe, &documents, &mut times)?;
    let single = Pass {
        threads: 1,
        seconds: started.elapsed().as_secs_f64(),
        cpu_seconds: cpu_started
            .zip(thread_cpu_seconds())
            .map(|(start, end)| end - start),
        kept,
    };

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RefineError::ThreadPool {
            threads,
            detail: e.to_string(),
        })?;
    let parallel = if pool.current_num_threads() > 1 {
        let started = Instant::now();
        let kept = pool.install(|| parallel_pass(recipe, &documents))?;
        Some(Pass {
            threads: pool.current_num_threads(),
            seconds: started.elapsed().as_secs_f64(),
            cpu_seconds: None,
            kept,
        })
    } else {
        None
    };

    let total = times.total().as_secs_f64();
    let profile = FINEWEB_STEPS
        .iter()
        .map(|&step| {
            let seconds = times.get(step).as_secs_f64();
            StepProfile {
                step: step.name(),
                seconds,
                share: per_second(seconds, total),
            }
        })
        .collect();
    Ok(BenchReport {
        files: sources.len(),
        bytes,
        records,
        documents: documents.len() as u64,
        read_seconds,
        read_cpu_seconds,
        single,
        parallel,
        profile,
    })
}

/// CPU seconds this thread has run, from Linux's `/proc/thread-self/schedstat` (nanoseconds on
/// CPU, first field); None elsewhere. Read from procfs because std has no CPU clock and the
/// workspace forbids the `unsafe` a libc call needs.
fn thread_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(nanos as f64 / 1e9)
}

/// The recipe over `documents` on this thread, timing each step; returns how many are kept.
fn recipe_pass(
    recipe: &Recipe,
    documents: &[WarcDocument],
    times: &mut StepTimes,
) -> Result<u64, RefineError> {
    let mut scratch = LidScratch::default();
    let candidates: Vec<(&str, Candidate)> = documents
        .iter()
        .filter_map(|doc| {
            let candidate = recipe.filter_timed(doc, &mut scratch, times).ok()?;
            Some((doc.id.as_str(), candidate))
        })
        .collect();
    let started = Instant::now();
    let survivors = survivors(&candidates)?;
    times.add(Step::MinHashDedup, started.elapsed());
    for &index in &survivors {
        if let Some((_, candidate)) = candidates.get(index) {
            black_box(recipe.finish_timed(&candidate.text, times));
        }
    }
    Ok(survivors.len() as u64)
}

/// The recipe over `documents` on the current rayon pool; returns how many are kept.
fn parallel_pass(recipe: &Recipe, documents: &[WarcDocument]) -> Result<u64, RefineError> {
    let candidates: Vec<(&str, Candidate)> = documents
        .par_iter()
        .map_init(LidScratch::default, |scratch, doc| {
            let candidate = recipe.filter(doc, scratch).ok()?;
            Some((doc.id.as_str(), candidate))
        })
        .flatten()
        .collect();
    let survivors = survivors(&candidates)?;
    survivors
        .par_iter()
        .filter_map(|&index| candidates.get(index))
        .for_each(|(_, candidate)| {
            black_box(recipe.finish(&candidate.text));
        });
    Ok(survivors.len() as u64)
}

/// Indices of the candidates MinHash dedup keeps.
fn survivors(candidates: &[(&str, Candidate)]) -> Result<Vec<usize>, RefineError> {
    let keys: Vec<(&str, Option<MinHashSignature>)> = candidates
        .iter()
        .map(|(id, candidate)| (*id, candidate.signature))
        .collect();
    let clusters = dedup::cluster(&keys).map_err(RefineError::Dedup)?;
    Ok(clusters.survivors().collect())
}
