//! `nya bench …`: speed measurements that print a comparison. Targets live here, never in tests.
//!
//! - `nya bench refine WARC…`: documents/s and MB/s per core, the multi-thread speed-up, and
//!   where the time goes per recipe step. `--datatrove-rate R` (records per CPU-second measured
//!   by `scripts/bench/refine-vs-datatrove.sh` on the same files) adds the side-by-side ratio.
//! - `nya bench distill`: the teacher's tokens/s per size and device.
//! - `nya bench probe`: probe training tokens/s per size and device.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use nya_pipeline::assets::AssetCache;
use nya_pipeline::refine::bench;
use nya_pipeline::refine::recipe::Recipe;
use nya_pipeline::refine::run::RefineOptions;
use serde_json::json;

use crate::config::Settings;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Time the refine recipe on WARC files: docs/s and MB/s per core, per-step profile
    Refine(BenchRefineArgs),
    /// Time the distillation teacher: tokens/s (and MFU given --peak-tflops) per size and device
    Distill(super::distill::DistillBenchArgs),
    /// Time probe training: tokens/s per size and device; `--discrimination` runs the clean /
    /// boilerplate / shuffled-words experiment at a size
    Probe(super::probe::ProbeBenchArgs),
}

#[derive(Debug, Args)]
pub struct BenchRefineArgs {
    /// WARC files (as for `nya refine`); their documents are held in memory, so use samples
    #[arg(required = true, value_name = "WARC")]
    pub sources: Vec<String>,
    /// Worker threads for the parallel pass (0: one per core; 1: skip it)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub threads: usize,
    /// Where CommonCrawl paths are fetched from
    #[arg(long = "commoncrawl-url", env = "NYA_COMMONCRAWL_URL", value_name = "URL",
          default_value = nya_pipeline::refine::source::DEFAULT_COMMONCRAWL_BASE)]
    pub commoncrawl_base: String,
    /// datatrove's speed on the same files, in documents per CPU-second, for the ratio
    #[arg(long, value_name = "DOCS_PER_S")]
    pub datatrove_rate: Option<f64>,
    /// Print JSON instead of the table
    #[arg(long)]
    pub json: bool,
}

pub fn run(command: BenchCommand, settings: &Settings) -> Result<ExitCode> {
    match command {
        BenchCommand::Refine(args) => refine(args),
        BenchCommand::Distill(args) => super::distill::bench(args),
        BenchCommand::Probe(args) => super::probe::bench(args, settings),
    }
}

fn refine(args: BenchRefineArgs) -> Result<ExitCode> {
    if let Some(rate) = args.datatrove_rate
        && !(rate.is_finite() && rate > 0.0)
    {
        anyhow::bail!("--datatrove-rate {rate}: must be a positive number of documents per second");
    }
    // The bench writes nothing; the output folder is only part of the shared options.
    let mut options = RefineOptions::new(args.sources, std::env::temp_dir());
    options.commoncrawl_base = args.commoncrawl_base;
    let cache = AssetCache::from_env().context("asset cache")?;
    eprintln!("loading the recipe's assets (language ID, URL blacklist, Punkt)…");
    let recipe = Recipe::from_assets(&cache).context("loading the recipe")?;
    eprintln!("reading the sources, then timing the recipe on 1 thread and on all threads…");
    let report = bench::run(&recipe, &options, args.threads).context("bench")?;
    let ratio = args
        .datatrove_rate
        .map(|rate| report.docs_per_core_second() / rate);
    if args.json {
        let value = json!({
            "report": report,
            "docs_per_core_second": report.docs_per_core_second(),
            "mb_per_core_second": report.mb_per_core_second(),
            "datatrove_docs_per_core_second": args.datatrove_rate,
            "ratio_vs_datatrove": ratio,
        });
        println!("{value:#}");
    } else {
        print!("{}", report.table());
        if let (Some(rate), Some(ratio)) = (args.datatrove_rate, ratio) {
            println!(
                "\nper core: nya {:.1} docs/s, datatrove 0.2.0 {rate:.1} docs/s: {ratio:.1}×",
                report.docs_per_core_second()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
