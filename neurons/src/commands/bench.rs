//! `nya bench …`: speed measurements that print a comparison. Targets live here, never in tests.
//!
//! - `nya bench refine WARC…`: documents/s and MB/s per core, the multi-thread speed-up, and
//!   where the time goes per recipe step. `--datatrove-rate R` (records per CPU-second measured
//!   by `scripts/bench/refine-vs-datatrove.sh` on the same files) adds the side-by-side ratio.
//! - `nya bench distill`: the teacher's tokens/s per size and device.
//! - `nya bench probe`: probe training tokens/s per size and device.
//! - `nya bench localnet`: the localnet's transactions/s (pool admission, application in
//!   blocks), `System.Account` reads/s (head and history) and block times with a full subnet,
//!   in memory and on disk, against issue 3's targets (≥ 1,000 tx/s; blocks well under 250 ms).
//! - `nya bench history`: commitment history listings/s by walk-back and by event scan
//!   ([`super::commitment_history::bench`]).

use std::process::ExitCode;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use nya_chain::localnet::bench::{self as localnet_bench, BenchConfig, BenchStore};
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
    /// Time the localnet: transactions/s admitted and applied, storage reads/s, and block
    /// times with a full subnet, in memory and on disk
    Localnet(BenchLocalnetArgs),
    /// Time `nya commitments history` on a localnet built for it: commitments/s for the
    /// subnet's and one hotkey's history, by walk-back and by event scan
    History(super::commitment_history::BenchHistoryArgs),
}

#[derive(Debug, Args)]
pub struct BenchLocalnetArgs {
    /// Funded accounts (//bench/i) that send the transfers and are read back
    #[arg(long, default_value_t = BenchConfig::default().accounts, value_name = "N")]
    pub accounts: u32,
    /// Pre-signed transfers to admit and apply
    #[arg(long, default_value_t = BenchConfig::default().transactions, value_name = "M")]
    pub transactions: u32,
    /// System.Account reads per pass (head, head one call each, historical)
    #[arg(long, default_value_t = BenchConfig::default().reads, value_name = "R")]
    pub reads: u32,
    /// Neurons registered on netuid 1 for the block-time scenario
    #[arg(long, default_value_t = BenchConfig::default().neurons, value_name = "N")]
    pub neurons: u16,
    /// Validators among them (each sets weights on every uid once per epoch)
    #[arg(long, default_value_t = BenchConfig::default().validators, value_name = "N")]
    pub validators: u16,
    /// The subnet's tempo (blocks between epochs, less one)
    #[arg(long, default_value_t = BenchConfig::default().tempo, value_name = "BLOCKS")]
    pub tempo: u16,
    /// Measured epochs
    #[arg(long, default_value_t = BenchConfig::default().epochs, value_name = "N")]
    pub epochs: u32,
    /// Seed of the read picks and weight values
    #[arg(long, default_value_t = BenchConfig::default().seed, value_name = "SEED")]
    pub seed: u64,
    /// Run the on-disk store here (kept afterwards; must not hold a bench chain) instead of in
    /// a temporary folder
    #[arg(long, value_name = "DIR", conflicts_with = "memory_only")]
    pub data_dir: Option<PathBuf>,
    /// Only the in-memory store (skip the on-disk run)
    #[arg(long)]
    pub memory_only: bool,
    /// Print JSON instead of the table
    #[arg(long)]
    pub json: bool,
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
        BenchCommand::Localnet(args) => localnet(args),
        BenchCommand::History(args) => super::commitment_history::bench(args),
    }
}

fn localnet(args: BenchLocalnetArgs) -> Result<ExitCode> {
    let config = BenchConfig {
        accounts: args.accounts,
        transactions: args.transactions,
        reads: args.reads,
        neurons: args.neurons,
        validators: args.validators,
        tempo: args.tempo,
        epochs: args.epochs,
        seed: args.seed,
    };
    // The temporary folder lives until the bench is done, then goes.
    let mut scratch = None;
    let mut stores = vec![BenchStore::Memory];
    if !args.memory_only {
        let dir = match args.data_dir {
            Some(dir) => dir,
            None => {
                let dir = tempfile::tempdir().context("creating a folder for the on-disk run")?;
                let path = dir.path().to_path_buf();
                scratch = Some(dir);
                path
            }
        };
        stores.push(BenchStore::Disk(dir));
    }
    let report = localnet_bench::run(&config, &stores, &mut |step| eprintln!("{step}…"))
        .context("localnet bench")?;
    drop(scratch);
    if args.json {
        let value = json!({
            "report": report,
            "meets_targets": report.meets_targets(),
        });
        println!("{value:#}");
    } else {
        print!("{}", report.table());
    }
    Ok(ExitCode::SUCCESS)
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

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(subcommand)]
        bench: BenchCommand,
    }

    #[test]
    fn bench_localnet_parses_its_flags_with_the_library_defaults() {
        let Cli {
            bench: BenchCommand::Localnet(args),
        } = Cli::try_parse_from(["bench", "localnet"]).unwrap()
        else {
            panic!("not the localnet bench");
        };
        let defaults = BenchConfig::default();
        assert_eq!(
            (args.accounts, args.transactions, args.reads),
            (defaults.accounts, defaults.transactions, defaults.reads)
        );
        assert_eq!((args.neurons, args.tempo), (256, defaults.tempo));
        assert!(args.data_dir.is_none() && !args.memory_only && !args.json);

        let Cli {
            bench: BenchCommand::Localnet(args),
        } = Cli::try_parse_from([
            "bench",
            "localnet",
            "--accounts",
            "10",
            "--transactions",
            "30",
            "--data-dir",
            "/tmp/x",
            "--json",
        ])
        .unwrap()
        else {
            panic!("not the localnet bench");
        };
        assert_eq!((args.accounts, args.transactions), (10, 30));
        assert_eq!(args.data_dir, Some(PathBuf::from("/tmp/x")));
        assert!(args.json);

        let err = Cli::try_parse_from(["bench", "localnet", "--data-dir", "d", "--memory-only"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("--memory-only"), "{err}");
    }
}
