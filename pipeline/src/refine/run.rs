//! The refine driver: WARC files in, a verified dataset folder out.
//!
//! Flow, per source file in the order given: documents are read sequentially from the WARC
//! stream into batches of [`RefineOptions::batch_size`] (so at most one batch of HTML is in
//! memory), each batch is filtered in parallel on a rayon pool ([`Recipe::filter`]), and the
//! results are tallied in batch order. Candidates (text after C4, a few KB each) are kept for the
//! whole task, because MinHash dedup needs all of them; then the survivors get PII masking and
//! token counts in parallel, and [`output::write_dataset`] writes the folder.
//!
//! Every per-document result is a pure function of the record, dedup picks the smallest id per
//! cluster and rows are sorted by id, so the output bytes do not depend on the thread count.
//!
//! Stats are returned (and rendered by [`RefineStats::table`]), not written into the dataset
//! folder: `dataset_dir::verify` rejects files the manifest does not list, and stats describe a
//! run rather than the data. The CLI prints them (or writes them as JSON where asked).
//!
//! The trace (`--trace FILE`) has one JSON line per WARC document or skipped record: first, in
//! reading order, every record skipped by the reader (`"step": "warc"`) or removed by a
//! per-document step; then, by id, every document removed by dedup (reason
//! `minhash_duplicate_of:<survivor id>`) or kept (`"kept": true`).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use nya_metadata::manifest::{Manifest, Pipeline};
use nya_metadata::task::{TaskId, TaskIdError};
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::dedup::{self, DedupError};
use super::lid::LidScratch;
use super::minhash::MinHashSignature;
use super::output::{self, DatasetInfo, OutputError, Row};
use super::recipe::{self, Candidate, FINEWEB_STEPS, Recipe, Step};
use super::rejection::Rejection;
use super::source::{DEFAULT_COMMONCRAWL_BASE, SourceError, WarcSource};
use super::warc::{DocumentReader, RecordLocation, Skipped, WarcDocument, WarcError, WarcItem};
use crate::net::RetryPolicy;

/// Documents filtered per parallel batch.
pub const DEFAULT_BATCH_SIZE: usize = 256;

/// What to refine and where to put it.
#[derive(Debug, Clone)]
pub struct RefineOptions {
    /// WARC sources in order: paths, `file://` or `http(s)://` URLs, CommonCrawl paths
    /// (rules in [`super::source`]).
    pub sources: Vec<String>,
    /// Root that CommonCrawl paths (`crawl-data/…`) are fetched from.
    pub commoncrawl_base: String,
    /// Retries for remote sources.
    pub retry: RetryPolicy,
    /// The dataset folder to create.
    pub out: PathBuf,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// JSON-lines trace file.
    pub trace: Option<PathBuf>,
    /// `dump` column; None derives it per file (`CC-MAIN-YYYY-WW` in the path, else `local`).
    pub dump: Option<String>,
    /// Task id; None derives `local-<12 hex of sha256 of the sorted sources>`.
    pub task_id: Option<TaskId>,
    /// Replace a non-empty output folder.
    pub force: bool,
    /// Documents per parallel batch.
    pub batch_size: usize,
}

impl RefineOptions {
    /// Options with the defaults for everything but sources and output.
    pub fn new(sources: Vec<String>, out: PathBuf) -> Self {
        Self {
            sources,
            commoncrawl_base: DEFAULT_COMMONCRAWL_BASE.to_owned(),
            retry: RetryPolicy::default(),
            out,
            threads: 0,
            trace: None,
            dump: None,
            task_id: None,
            force: false,
            batch_size: DEFAULT_BATCH_SIZE,
        }
    }
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum RefineError {
    #[error("no WARC sources given")]
    NoSources,
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("WARC source {0} is given twice")]
    DuplicateSource(String),
    #[error(transparent)]
    Warc(#[from] WarcError),
    #[error("cannot start {threads} worker threads: {detail}")]
    ThreadPool { threads: usize, detail: String },
    #[error("two documents share the WARC-Record-ID {0}; ids must be unique within a task")]
    DuplicateRecordId(String),
    #[error("dedup: {0}")]
    Dedup(DedupError),
    #[error("derived task id: {0}")]
    TaskId(#[from] TaskIdError),
    #[error("writing the trace {path}: {source}")]
    Trace { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// Where a run stands, reported after every batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ProgressSnapshot {
    /// WARC records read so far (all types).
    pub records: u64,
    /// Documents filtered so far.
    pub documents: u64,
    /// Documents that passed the per-document steps so far.
    pub candidates: u64,
    /// Compressed bytes read so far, over all files.
    pub bytes_read: u64,
    /// Total size of all source files.
    pub bytes_total: u64,
}

/// Counters of the WARC reading stage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WarcStats {
    pub files: u64,
    /// Compressed bytes read.
    pub bytes: u64,
    /// Records whose headers were read.
    pub records: u64,
    /// Documents handed to the recipe.
    pub documents: u64,
    /// Records of other types (request, metadata, warcinfo, …).
    pub other_types: u64,
    /// Response/conversion records whose payload type is not HTML.
    pub not_html: u64,
    /// Skipped records and byte runs, by reason.
    pub skipped: BTreeMap<String, u64>,
}

/// One step's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StepStats {
    pub step: &'static str,
    pub documents_in: u64,
    pub documents_out: u64,
    /// Removals by reason (for PII: documents modified, under `masked`).
    pub reasons: BTreeMap<String, u64>,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RefineStats {
    pub warc: WarcStats,
    pub steps: Vec<StepStats>,
    pub rows: u64,
    pub tokens: u64,
}

impl RefineStats {
    /// A closing table in the spirit of datatrove's stats: one line per step with documents in,
    /// out, kept share, then its reasons.
    pub fn table(&self) -> String {
        let w = &self.warc;
        let mut out = format!(
            "WARC: {} files, {:.1} MB, {} records, {} documents, {} other types, {} not html",
            w.files,
            w.bytes as f64 / 1e6,
            w.records,
            w.documents,
            w.other_types,
            w.not_html
        );
        for (reason, count) in &w.skipped {
            out.push_str(&format!("\n  skipped {reason}: {count}"));
        }
        out.push_str(&format!(
            "\n{:<14} {:>10} {:>10} {:>8}",
            "step", "in", "out", "kept"
        ));
        for step in &self.steps {
            let kept = if step.documents_in == 0 {
                100.0
            } else {
                100.0 * step.documents_out as f64 / step.documents_in as f64
            };
            out.push_str(&format!(
                "\n{:<14} {:>10} {:>10} {:>7.1}%",
                step.step, step.documents_in, step.documents_out, kept
            ));
            for (reason, count) in &step.reasons {
                out.push_str(&format!("\n    {reason}: {count}"));
            }
        }
        out.push_str(&format!(
            "\nrows {}, GPT-2 tokens {}",
            self.rows, self.tokens
        ));
        out
    }
}

/// The result of a run.
#[derive(Debug, Clone)]
pub struct RefineReport {
    pub manifest: Manifest,
    pub stats: RefineStats,
}

/// `local-<first 12 hex of sha256 of the sorted sources joined by newlines>`.
pub fn default_task_id(sources: &[String]) -> Result<TaskId, TaskIdError> {
    let mut sorted: Vec<&str> = sources.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    let digest = Sha256::digest(sorted.join("\n").as_bytes());
    TaskId::new(format!("local-{}", &hex::encode(digest)[..12]))
}

/// The CommonCrawl dump named in a path (`CC-MAIN-2020-34`, any case), else `local`.
pub fn dump_from_path(path: &str) -> String {
    let upper = path.to_ascii_uppercase();
    let bytes = upper.as_bytes();
    // Hand-written: one fixed pattern, `CC-MAIN-` + 4 digits + `-` + 2 digits.
    for (start, _) in upper.match_indices("CC-MAIN-") {
        let rest = &bytes[start + 8..];
        let shape = rest.len() >= 7
            && rest[..4].iter().all(u8::is_ascii_digit)
            && rest[4] == b'-'
            && rest[5..7].iter().all(u8::is_ascii_digit)
            && rest.get(7).is_none_or(|b| !b.is_ascii_digit());
        if shape {
            return upper[start..start + 15].to_owned();
        }
    }
    "local".to_owned()
}

/// Counts bytes as they are read.
struct CountingRead<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A document that passed the per-document steps, waiting for dedup.
struct Pending {
    id: String,
    url: String,
    date: String,
    file: usize,
    location: RecordLocation,
    candidate: Candidate,
}

/// One trace line.
#[derive(Serialize)]
struct TraceLine<'a> {
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file_path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<u64>,
    kept: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    step: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

struct Trace {
    path: PathBuf,
    out: Option<BufWriter<File>>,
}

impl Trace {
    fn open(path: Option<&Path>) -> Result<Self, RefineError> {
        let Some(path) = path else {
            return Ok(Self {
                path: PathBuf::new(),
                out: None,
            });
        };
        let file = File::create(path).map_err(|source| RefineError::Trace {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            out: Some(BufWriter::new(file)),
        })
    }

    fn line(&mut self, line: &TraceLine<'_>) -> Result<(), RefineError> {
        let Some(out) = &mut self.out else {
            return Ok(());
        };
        let result = serde_json::to_writer(&mut *out, line)
            .map_err(io::Error::from)
            .and_then(|()| out.write_all(b"\n"));
        result.map_err(|source| RefineError::Trace {
            path: self.path.clone(),
            source,
        })
    }

    fn finish(self) -> Result<(), RefineError> {
        match self.out {
            None => Ok(()),
            Some(mut out) => out.flush().map_err(|source| RefineError::Trace {
                path: self.path,
                source,
            }),
        }
    }
}

/// Resolves the sources before any work: at least one, each usable, no file twice.
pub(crate) fn resolve_sources(options: &RefineOptions) -> Result<Vec<WarcSource>, RefineError> {
    if options.sources.is_empty() {
        return Err(RefineError::NoSources);
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut resolved = Vec::with_capacity(options.sources.len());
    for given in &options.sources {
        let source = WarcSource::resolve(given, &options.commoncrawl_base)?;
        if !seen.insert(source.file_path.clone()) {
            return Err(RefineError::DuplicateSource(given.clone()));
        }
        resolved.push(source);
    }
    Ok(resolved)
}

/// The checks [`run`] makes before any work (sources usable and unique, output folder free),
/// for callers that want to fail fast before loading the recipe's assets.
pub fn check_options(options: &RefineOptions) -> Result<Vec<WarcSource>, RefineError> {
    let sources = resolve_sources(options)?;
    output::check_target(&options.out, options.force)?;
    Ok(sources)
}

/// Runs the recipe over `options.sources` and writes `options.out`; `progress` is called after
/// every batch.
pub fn run(
    recipe: &Recipe,
    options: &RefineOptions,
    progress: &mut dyn FnMut(&ProgressSnapshot),
) -> Result<RefineReport, RefineError> {
    let sources = check_options(options)?;
    let task_id = match &options.task_id {
        Some(id) => id.clone(),
        None => default_task_id(&options.sources)?,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()
        .map_err(|e| RefineError::ThreadPool {
            threads: options.threads,
            detail: e.to_string(),
        })?;
    let mut trace = Trace::open(options.trace.as_deref())?;
    let mut removed: BTreeMap<&'static str, BTreeMap<String, u64>> = BTreeMap::new();
    let mut warc_stats = WarcStats::default();
    let mut snapshot = ProgressSnapshot {
        bytes_total: sources.iter().filter_map(WarcSource::local_size).sum(),
        ..ProgressSnapshot::default()
    };
    let bytes_read = Arc::new(AtomicU64::new(0));
    let mut pending: Vec<Pending> = Vec::new();
    let batch_size = options.batch_size.max(1);

    for (file, source) in sources.iter().enumerate() {
        let reader = CountingRead {
            inner: source.open(options.retry)?,
            count: Arc::clone(&bytes_read),
        };
        let mut documents = DocumentReader::new(reader);
        warc_stats.files += 1;
        let mut finished = false;
        while !finished {
            let mut batch: Vec<WarcDocument> = Vec::with_capacity(batch_size);
            while batch.len() < batch_size {
                match documents.next() {
                    None => {
                        finished = true;
                        break;
                    }
                    Some(item) => match item? {
                        WarcItem::Document(doc) => batch.push(doc),
                        WarcItem::Skipped(skipped) => {
                            trace.line(&skip_line(&skipped, &source.file_path))?;
                        }
                    },
                }
            }
            let results: Vec<Result<Candidate, Rejection>> = pool.install(|| {
                batch
                    .par_iter()
                    .map_init(LidScratch::default, |scratch, doc| {
                        recipe.filter(doc, scratch)
                    })
                    .collect()
            });
            for (doc, result) in batch.into_iter().zip(results) {
                match result {
                    Ok(candidate) => pending.push(Pending {
                        id: doc.id,
                        url: doc.url,
                        date: doc.date,
                        file,
                        location: doc.location,
                        candidate,
                    }),
                    Err(rejection) => {
                        *removed
                            .entry(rejection.step)
                            .or_default()
                            .entry(rejection.reason.to_string())
                            .or_default() += 1;
                        trace.line(&TraceLine {
                            id: Some(&doc.id),
                            url: Some(&doc.url),
                            file_path: None,
                            offset: None,
                            kept: false,
                            step: Some(rejection.step),
                            reason: Some(&rejection.reason),
                        })?;
                    }
                }
            }
            let selection = documents.stats();
            snapshot.records = warc_stats.records + selection.records;
            snapshot.documents = warc_stats.documents + selection.documents;
            snapshot.candidates = pending.len() as u64;
            snapshot.bytes_read = bytes_read.load(Ordering::Relaxed);
            progress(&snapshot);
        }
        let selection = documents.stats();
        warc_stats.records += selection.records;
        warc_stats.documents += selection.documents;
        warc_stats.other_types += selection.other_types;
        warc_stats.not_html += selection.not_html;
        for (reason, count) in &selection.skipped {
            *warc_stats.skipped.entry((*reason).to_owned()).or_default() += count;
        }
    }
    warc_stats.bytes = bytes_read.load(Ordering::Relaxed);

    // MinHash dedup over the whole task.
    let keys: Vec<(&str, Option<MinHashSignature>)> = pending
        .iter()
        .map(|p| (p.id.as_str(), p.candidate.signature))
        .collect();
    let clusters = dedup::cluster(&keys).map_err(|e| match e {
        DedupError::DuplicateId { id, .. } => RefineError::DuplicateRecordId(id),
        other => RefineError::Dedup(other),
    })?;
    let mut by_id: Vec<usize> = (0..pending.len()).collect();
    by_id.sort_unstable_by(|&a, &b| pending[a].id.as_bytes().cmp(pending[b].id.as_bytes()));
    for &index in &by_id {
        let survivor = clusters.survivor_of(index).unwrap_or(index);
        if survivor != index {
            let reason = format!("minhash_duplicate_of:{}", pending[survivor].id);
            *removed
                .entry(recipe::DEDUP_STEP)
                .or_default()
                .entry("duplicate".to_owned())
                .or_default() += 1;
            trace.line(&TraceLine {
                id: Some(&pending[index].id),
                url: Some(&pending[index].url),
                file_path: None,
                offset: None,
                kept: false,
                step: Some(recipe::DEDUP_STEP),
                reason: Some(&reason),
            })?;
        } else {
            trace.line(&TraceLine {
                id: Some(&pending[index].id),
                url: Some(&pending[index].url),
                file_path: None,
                offset: None,
                kept: true,
                step: None,
                reason: None,
            })?;
        }
    }
    trace.finish()?;

    let survivors: Vec<Pending> = pending
        .into_iter()
        .enumerate()
        .filter(|(index, _)| clusters.keeps(*index))
        .map(|(_, p)| p)
        .collect();
    let dumps: Vec<String> = options
        .sources
        .iter()
        .map(|s| options.dump.clone().unwrap_or_else(|| dump_from_path(s)))
        .collect();
    let (rows, masked): (Vec<Row>, Vec<bool>) = pool.install(|| {
        survivors
            .into_par_iter()
            .map(|p| {
                let finished = recipe.finish(&p.candidate.text);
                let masked = finished.text != p.candidate.text;
                let row = Row {
                    text: finished.text,
                    id: p.id,
                    dump: dumps.get(p.file).cloned().unwrap_or_default(),
                    url: p.url,
                    date: p.date,
                    file_path: sources
                        .get(p.file)
                        .map(|s| s.file_path.clone())
                        .unwrap_or_default(),
                    language: p.candidate.language,
                    language_score: p.candidate.language_score,
                    token_count: finished.token_count,
                    record_offset: p.location.offset,
                    record_length: p.location.length,
                };
                (row, masked)
            })
            .unzip()
    });
    let masked_count = masked.iter().filter(|&&m| m).count() as u64;

    let stats = RefineStats {
        steps: step_stats(warc_stats.documents, &removed, masked_count),
        warc: warc_stats,
        rows: rows.len() as u64,
        tokens: rows.iter().map(|r| r.token_count).sum(),
    };
    let info = DatasetInfo {
        task_id,
        source_files: sources.iter().map(|s| s.file_path.clone()).collect(),
        pipeline: Pipeline {
            version: recipe::PIPELINE_VERSION.to_owned(),
            parameters: recipe.parameters(),
        },
    };
    let manifest = output::write_dataset(&options.out, options.force, rows, info)?;
    Ok(RefineReport { manifest, stats })
}

fn skip_line<'a>(skipped: &'a Skipped, source: &'a str) -> TraceLine<'a> {
    TraceLine {
        id: skipped.record_id.as_deref(),
        url: None,
        file_path: Some(source),
        offset: Some(skipped.offset),
        kept: false,
        step: Some("warc"),
        reason: Some(skipped.reason.kind()),
    }
}

/// Per-step in/out from the first-failing-step tallies (keyed by step name; every rejection
/// names a step of [`FINEWEB_STEPS`]).
fn step_stats(
    documents: u64,
    removed: &BTreeMap<&'static str, BTreeMap<String, u64>>,
    masked: u64,
) -> Vec<StepStats> {
    let mut remaining = documents;
    FINEWEB_STEPS
        .into_iter()
        .map(|step| {
            let reasons = removed.get(step.name()).cloned().unwrap_or_default();
            let gone: u64 = reasons.values().sum();
            let documents_in = remaining;
            remaining = remaining.saturating_sub(gone);
            let mut reasons = reasons;
            if step == Step::Pii && masked > 0 {
                reasons.insert("masked".to_owned(), masked);
            }
            StepStats {
                step: step.name(),
                documents_in,
                documents_out: remaining,
                reasons,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dump_is_found_in_commoncrawl_paths() {
        assert_eq!(
            dump_from_path("crawl-data/CC-MAIN-2020-34/segments/x/warc/a.warc.gz"),
            "CC-MAIN-2020-34"
        );
        assert_eq!(
            dump_from_path("/x/cc-main-2020-34-excerpt.warc.gz"),
            "CC-MAIN-2020-34"
        );
        assert_eq!(dump_from_path("/x/CC-MAIN-20201-34.warc.gz"), "local");
        assert_eq!(dump_from_path("/x/CC-MAIN-2020-345.warc.gz"), "local");
        assert_eq!(dump_from_path("wget.warc.gz"), "local");
        assert_eq!(dump_from_path("CC-MAIN-"), "local");
    }

    #[test]
    fn default_task_id_ignores_source_order() {
        let a = default_task_id(&["b".into(), "a".into()]).unwrap();
        let b = default_task_id(&["a".into(), "b".into()]).unwrap();
        assert_eq!(a, b);
        assert!(a.to_string().starts_with("local-"));
        assert_eq!(a.to_string().len(), "local-".len() + 12);
    }

    #[test]
    fn sources_are_checked_before_any_work() {
        let dir = tempfile::tempdir().unwrap();
        let options = |sources: &[&str]| {
            RefineOptions::new(
                sources.iter().map(|s| s.to_string()).collect(),
                dir.path().join("out"),
            )
        };
        assert!(matches!(
            resolve_sources(&options(&[])),
            Err(RefineError::NoSources)
        ));
        let missing = resolve_sources(&options(&["no/such.warc.gz"])).unwrap_err();
        assert!(missing.to_string().contains("no such file"), "{missing}");
        let cc = "crawl-data/CC-MAIN-2024-10/x.warc.gz";
        // The same CommonCrawl file named by path and by URL is one file.
        let twice = [
            cc,
            "https://data.commoncrawl.org/crawl-data/CC-MAIN-2024-10/x.warc.gz",
        ];
        assert!(matches!(
            resolve_sources(&options(&twice)),
            Err(RefineError::DuplicateSource(_))
        ));
    }

    #[test]
    fn step_stats_chain_in_and_out() {
        let mut removed = BTreeMap::new();
        removed.insert("extract", BTreeMap::from([("no_text".to_owned(), 2)]));
        removed.insert("c4", BTreeMap::from([("curly_bracket".to_owned(), 1)]));
        let stats = step_stats(10, &removed, 1);
        assert_eq!(stats[0].documents_in, 10);
        assert_eq!(stats[1].documents_out, 8);
        assert_eq!(stats[5].documents_in, 8);
        assert_eq!(stats[5].documents_out, 7);
        assert_eq!(stats.last().map(|s| s.documents_out), Some(7));
        assert_eq!(stats[8].reasons.get("masked"), Some(&1));
    }
}
