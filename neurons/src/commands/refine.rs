//! `nya refine`: run the FineWeb recipe over local WARC files into a verified dataset folder.
//!
//! Assets (lid.176, the UT1 blacklist, banned-word lists, Punkt) come from the asset cache
//! (`NYA_ASSET_DIR`, the cache, or an announced download). A progress bar on stderr shows
//! records/s, MB/s and the share of documents kept so far; the closing per-step table (or, with
//! `--json`, the stats as JSON) goes to stdout. `--stats FILE` also writes the stats as JSON.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use nya_metadata::task::TaskId;
use nya_pipeline::assets::AssetCache;
use nya_pipeline::refine::recipe::Recipe;
use nya_pipeline::refine::run::{self, ProgressSnapshot, RefineOptions};
use serde_json::json;

use crate::config::Settings;

#[derive(Debug, Args)]
pub struct RefineArgs {
    /// WARC files to refine: local paths, file:// or http(s):// URLs, or CommonCrawl paths
    /// (crawl-data/CC-MAIN-…, fetched from --commoncrawl-url unless the file exists locally)
    #[arg(required = true, value_name = "WARC")]
    pub sources: Vec<String>,
    /// Where CommonCrawl paths are fetched from
    #[arg(long = "commoncrawl-url", env = "NYA_COMMONCRAWL_URL", value_name = "URL",
          default_value = nya_pipeline::refine::source::DEFAULT_COMMONCRAWL_BASE)]
    pub commoncrawl_base: String,
    /// Dataset folder to create (Parquet shards, README.md, nya-manifest.json)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Worker threads (0: one per core)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub threads: usize,
    /// Write one JSON line per record: kept, or the step and reason that removed it
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Value of the `dump` column (default: CC-MAIN-YYYY-WW found in each path, else "local")
    #[arg(long, value_name = "NAME")]
    pub dump: Option<String>,
    /// Task id for the manifest (default: local-<hash of the sorted sources>)
    #[arg(long, value_name = "ID")]
    pub task: Option<TaskId>,
    /// Replace a non-empty output folder
    #[arg(long)]
    pub force: bool,
    /// Also write the run's statistics as JSON to this file (kept outside the dataset folder)
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,
    /// Print JSON instead of the table
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: RefineArgs, _settings: &Settings) -> Result<ExitCode> {
    refine(args, || AssetCache::from_env().context("asset cache"))
}

/// The command with the asset cache supplied by the caller (tests point it at the fixtures).
fn refine(args: RefineArgs, assets: impl FnOnce() -> Result<AssetCache>) -> Result<ExitCode> {
    if let Some(dump) = &args.dump
        && (dump.is_empty() || dump.chars().any(char::is_control))
    {
        anyhow::bail!("--dump {dump:?}: must be non-empty printable text");
    }
    let mut options = RefineOptions::new(args.sources, args.out.clone());
    options.commoncrawl_base = args.commoncrawl_base;
    options.threads = args.threads;
    options.trace = args.trace;
    options.dump = args.dump;
    options.task_id = args.task;
    options.force = args.force;
    run::check_options(&options)?;

    let cache = assets()?;
    eprintln!("loading the recipe's assets (language ID, URL blacklist, Punkt)…");
    let recipe = Recipe::from_assets(&cache).context("loading the recipe")?;

    let started = Instant::now();
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {msg}")
            .context("progress bar template")?
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(250));
    let mut last = ProgressSnapshot::default();
    let report = run::run(&recipe, &options, &mut |snapshot| {
        let seconds = started.elapsed().as_secs_f64().max(1e-3);
        // Remote sources have no size up front: the bar then shows bytes read only.
        if snapshot.bytes_total > 0 {
            bar.set_length(snapshot.bytes_total);
        }
        bar.set_position(snapshot.bytes_read);
        let kept = if snapshot.documents == 0 {
            0.0
        } else {
            100.0 * snapshot.candidates as f64 / snapshot.documents as f64
        };
        bar.set_message(format!(
            "{:.0} records/s, {:.1} MB/s, kept {kept:.1}% of {} docs",
            snapshot.records as f64 / seconds,
            snapshot.bytes_read as f64 / 1e6 / seconds,
            snapshot.documents,
        ));
        last = *snapshot;
    });
    bar.finish_and_clear();
    let report = report.with_context(|| format!("refining into {}", args.out.display()))?;
    let seconds = started.elapsed().as_secs_f64();

    let stats_json = serde_json::to_value(&report.stats).context("serialising stats")?;
    if let Some(path) = &args.stats {
        let text = serde_json::to_string_pretty(&stats_json).context("serialising stats")?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let manifest = &report.manifest;
    let docs_per_s = report.stats.warc.documents as f64 / seconds.max(1e-9);
    if args.json {
        let value = json!({
            "ok": true,
            "out": args.out.display().to_string(),
            "task_id": manifest.task_id.to_string(),
            "rows": manifest.row_count,
            "tokens": manifest.token_count,
            "files": manifest.files.len(),
            "file_digest": manifest.file_digest.to_string(),
            "content_digest": manifest.content_digest.to_string(),
            "seconds": seconds,
            "documents_per_second": docs_per_s,
            "stats": stats_json,
        });
        println!("{value:#}");
    } else {
        println!("{}", report.stats.table());
        println!(
            "{}: {} rows, {} tokens in {} files; task {}; {:.1} s ({:.1} docs/s, {:.1} MB/s)\ncontent digest  {}",
            args.out.display(),
            manifest.row_count,
            manifest.token_count,
            manifest.files.len(),
            manifest.task_id,
            seconds,
            docs_per_s,
            last.bytes_read as f64 / 1e6 / seconds.max(1e-9),
            manifest.content_digest,
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn parse(args: &[&str]) -> RefineArgs {
        let cli = Cli::try_parse_from(args).unwrap();
        match cli.command {
            Command::Refine(args) => args,
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn parses_the_documented_flags() {
        let args = parse(&[
            "nya",
            "refine",
            "a.warc.gz",
            "b.warc.gz",
            "--out",
            "ds",
            "--threads",
            "3",
            "--trace",
            "t.jsonl",
            "--dump",
            "CC-MAIN-2020-34",
            "--task",
            "refine-000042",
            "--force",
            "--json",
        ]);
        assert_eq!(args.sources, ["a.warc.gz", "b.warc.gz"]);
        assert_eq!(args.out, PathBuf::from("ds"));
        assert_eq!(args.threads, 3);
        assert_eq!(
            args.task.map(|t| t.to_string()).as_deref(),
            Some("refine-000042")
        );
        assert!(args.force && args.json);
        assert!(Cli::try_parse_from(["nya", "refine", "--out", "ds"]).is_err());
        assert!(
            Cli::try_parse_from(["nya", "refine", "a", "--out", "d", "--task", "bad id"]).is_err()
        );
    }

    #[test]
    fn refuses_missing_sources_before_loading_assets() {
        let args = parse(&["nya", "refine", "no/such/file.warc.gz", "--out", "d"]);
        let err = refine(args, || panic!("assets must not be loaded")).unwrap_err();
        assert!(err.to_string().contains("no such file"), "{err:#}");
    }

    #[test]
    fn refines_a_fixture_warc_into_a_verified_folder() {
        let Some(warc) = nya_metadata::fixtures::path("refine/warc/wget-2024-sample-0000.warc.gz")
        else {
            return;
        };
        let Some(assets) = nya_metadata::fixtures::path("refine/lid") else {
            return;
        };
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("ds");
        let stats = root.path().join("stats.json");
        let out_arg = out.display().to_string();
        let stats_arg = stats.display().to_string();
        let warc_arg = warc.display().to_string();
        let args = parse(&[
            "nya", "refine", &warc_arg, "--out", &out_arg, "--stats", &stats_arg, "--json",
        ]);
        let cache_dir = root.path().join("cache");
        let source = assets.parent().unwrap().to_path_buf();
        let code = refine(args, || {
            Ok(AssetCache::new(cache_dir)
                .with_source_dir(source)
                .offline(true))
        })
        .unwrap();
        assert_eq!(code, ExitCode::SUCCESS);
        let manifest = nya_pipeline::dataset_dir::verify(&out).unwrap();
        assert!(manifest.row_count > 0);
        let stats: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
        assert_eq!(stats["rows"], manifest.row_count);
        assert_eq!(stats["steps"][0]["step"], "url");
    }
}
