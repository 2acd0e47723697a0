//! `nya probe`: train a small language model on a dataset and score it on reference text;
//! `nya bench probe`: training throughput per size (and, with `--discrimination`, the
//! clean / boilerplate / shuffled-words experiment at a size).
//!
//! A progress bar on stderr shows steps, tokens/s and the loss; the report (a summary, or with
//! `--json` the `ProbeReport` as JSON) goes to stdout.
//!
//! `--data` and `--eval` take a local dataset folder or file, or a Hub dataset as
//! `owner/name@<commit sha>` (fetched once into the nya cache from `HF_ENDPOINT`; `--data` is
//! verified against its nya manifest). A local path that exists always wins.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use nya_metadata::commitment::RepoRef;
use nya_pipeline::assets;
use nya_pipeline::hub::{self, FetchLimits, FetchRequest, HubSettings, RepoKind, VerifyMode};
use nya_pipeline::probe::bench::bench as bench_size;
use nya_pipeline::probe::config::ProbeSize;
use nya_pipeline::probe::run::{self, DEFAULT_EVAL_TOKENS, ProbeOptions};
use nya_pipeline::probe::synthetic;
use nya_pipeline::probe::train::TrainProgress;
use nya_pipeline::probe::{DeviceKind, device_name};

use crate::config::Settings;

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// Training data: a dataset folder (Parquet shards with a `text` column), a .parquet, .jsonl
    /// or .txt file, or a Hub dataset `owner/name@REVISION`
    #[arg(long, value_name = "DIR|owner/name@REV")]
    pub data: String,
    /// Reference text for the held-out loss: a .parquet, .jsonl or .txt file, a folder, or a Hub
    /// dataset `owner/name@REVISION`
    #[arg(long, value_name = "FILE")]
    pub eval: String,
    /// Multiple-choice questions (JSON lines with context/ctx, choices/endings, label)
    #[arg(long, value_name = "FILE")]
    pub mc: Option<PathBuf>,
    /// Probe size: tiny, small (≈ 24 M parameters) or base (GPT-2 small, 124 M)
    #[arg(long, default_value = "small", value_name = "SIZE")]
    pub size: ProbeSize,
    /// Training token budget
    #[arg(long, value_name = "N")]
    pub tokens: u64,
    /// Seed of the initial weights and the data order
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u64,
    /// Device: cpu or cuda (cuda needs a build with the `cuda` feature)
    #[arg(long, default_value = "cpu", value_name = "DEVICE")]
    pub device: DeviceKind,
    /// Most reference tokens to evaluate
    #[arg(long, default_value_t = DEFAULT_EVAL_TOKENS, value_name = "N")]
    pub eval_tokens: usize,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ProbeBenchArgs {
    /// Device: cpu or cuda
    #[arg(long, default_value = "cpu", value_name = "DEVICE")]
    pub device: DeviceKind,
    /// Sizes to measure, comma-separated
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "tiny,small",
        value_name = "SIZES"
    )]
    pub sizes: Vec<ProbeSize>,
    /// Timed training steps per size (after one warm-up step)
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub steps: u64,
    /// Also run the discrimination experiment (clean prose vs boilerplate pages vs shuffled
    /// words, held-out hand-written prose) at each size
    #[arg(long)]
    pub discrimination: bool,
    /// Training tokens per probe in the discrimination experiment [default: 150 steps]
    #[arg(long, value_name = "N")]
    pub tokens: Option<u64>,
    /// Seeds of the discrimination experiment, comma-separated
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1,2,3",
        value_name = "SEEDS"
    )]
    pub seeds: Vec<u64>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Hard limits on a dataset fetched for probing: a refine task's output is far below these.
const DATASET_FETCH_LIMITS: FetchLimits = FetchLimits {
    max_total_bytes: 20 << 30,
    max_files: 10_000,
    max_file_bytes: 5 << 30,
};

/// Where text comes from: a local path that exists, else `owner/name@<commit sha>` on the Hub
/// (fetched once into `<nya cache>/hub`; a branch name is refused, since a score must name the
/// exact data), else a local path whose absence the reader reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextSource {
    Local(PathBuf),
    Hub(RepoRef),
}

impl TextSource {
    pub fn parse(flag: &str, text: &str) -> Result<Self> {
        let local = PathBuf::from(text);
        if local.exists() || !text.contains('@') {
            return Ok(Self::Local(local));
        }
        let repo = text.parse::<RepoRef>().map_err(|error| {
            anyhow::anyhow!("{flag} {text}: not a local path, and not a Hub dataset: {error}")
        })?;
        Ok(Self::Hub(repo))
    }

    /// The local path, fetching a Hub dataset first: `mode` says how its files are verified
    /// (a nya dataset against its manifest; other repos against the Hub's hashes).
    fn local(self, flag: &str, mode: VerifyMode) -> Result<PathBuf> {
        let repo = match self {
            Self::Local(path) => return Ok(path),
            Self::Hub(repo) => repo,
        };
        let settings = HubSettings::from_env().context("Hub settings")?;
        let cache = assets::cache_root().context("cache folder")?.join("hub");
        let request = FetchRequest {
            target: hub::fetch::cache_path(&cache, RepoKind::Dataset, &repo),
            repo: repo.clone(),
            kind: RepoKind::Dataset,
            mode,
            limits: DATASET_FETCH_LIMITS,
        };
        eprintln!("{flag}: fetching {repo} from {} …", settings.endpoint);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("tokio runtime")?;
        let snapshot = runtime
            .block_on(hub::fetch(&settings, &request))
            .with_context(|| format!("{flag} {repo}"))?;
        Ok(snapshot.dir)
    }
}

pub fn run(args: ProbeArgs, _settings: &Settings) -> Result<ExitCode> {
    probe(args)
}

/// The command; it needs no global settings.
fn probe(args: ProbeArgs) -> Result<ExitCode> {
    let options = ProbeOptions {
        data: TextSource::parse("--data", &args.data)?.local("--data", VerifyMode::Manifest)?,
        eval: TextSource::parse("--eval", &args.eval)?.local("--eval", VerifyMode::HubLfs)?,
        multiple_choice: args.mc,
        size: args.size,
        tokens: args.tokens,
        seed: args.seed,
        device: args.device,
        max_eval_tokens: args.eval_tokens,
    };
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{wide_bar}] {pos}/{len} steps {msg}")
            .context("progress bar template")?
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(250));
    bar.set_message("reading data…");
    let started = Instant::now();
    let report = run::run(&options, &mut |progress: &TrainProgress| {
        let seconds = started.elapsed().as_secs_f64().max(1e-3);
        bar.set_length(progress.steps);
        bar.set_position(progress.step);
        bar.set_message(format!(
            "{:.0} tokens/s, loss {:.4}, lr {:.2e}",
            progress.tokens_seen as f64 / seconds,
            progress.loss,
            progress.learning_rate
        ));
        if progress.step == progress.steps {
            bar.set_message("evaluating…");
        }
    });
    bar.finish_and_clear();
    let report = report.with_context(|| format!("probing {}", options.data.display()))?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).context("serialising the report")?
        );
    } else {
        println!("{}", report.summary());
    }
    Ok(ExitCode::SUCCESS)
}

/// `nya bench probe`.
pub fn bench(args: ProbeBenchArgs, _settings: &Settings) -> Result<ExitCode> {
    if args.sizes.is_empty() {
        bail!("--sizes: name at least one of tiny, small, base");
    }
    let mut results = Vec::new();
    for &size in &args.sizes {
        eprintln!("measuring {size} on {}…", args.device);
        let result = bench_size(size, args.device, args.steps)
            .with_context(|| format!("benchmarking {size}"))?;
        if !args.json {
            println!(
                "{:<6} {:>8.1} M params  {:>3}×{:<5} {:>10.0} tokens/s  ({} steps in {:.1} s, {})",
                result.size.to_string(),
                result.parameter_count as f64 / 1e6,
                result.batch_size,
                result.seq_len,
                result.tokens_per_second,
                result.steps,
                result.seconds,
                result.device
            );
        }
        results.push(serde_json::to_value(&result).context("serialising")?);
    }
    let mut experiments = Vec::new();
    if args.discrimination {
        if args.seeds.is_empty() {
            bail!("--seeds: name at least one seed");
        }
        let device = args.device.open()?;
        for &size in &args.sizes {
            let tokens = args
                .tokens
                .unwrap_or(150 * size.training().tokens_per_step());
            eprintln!(
                "discrimination at {size}: 3 corpora × {} seeds × {tokens} tokens on {}…",
                args.seeds.len(),
                device_name(&device)
            );
            let result = synthetic::experiment(size, tokens, &args.seeds, &device)
                .with_context(|| format!("discrimination experiment at {size}"))?;
            if !args.json {
                println!("{}", result.table());
            }
            experiments.push(serde_json::to_value(&result).context("serialising")?);
        }
    }
    if args.json {
        let value = serde_json::json!({ "throughput": results, "discrimination": experiments });
        println!("{value:#}");
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct ProbeCli {
        #[command(flatten)]
        args: ProbeArgs,
    }

    #[derive(Debug, Parser)]
    struct BenchCli {
        #[command(flatten)]
        args: ProbeBenchArgs,
    }

    #[test]
    fn parses_the_documented_flags() {
        let cli = ProbeCli::try_parse_from([
            "probe",
            "--data",
            "ds",
            "--eval",
            "ref.jsonl",
            "--mc",
            "hs.jsonl",
            "--size",
            "base",
            "--tokens",
            "1000",
            "--seed",
            "7",
            "--device",
            "cuda",
            "--json",
        ])
        .unwrap();
        let args = cli.args;
        assert_eq!(args.size, ProbeSize::Base);
        assert_eq!((args.tokens, args.seed), (1000, 7));
        assert_eq!(args.device, DeviceKind::Cuda);
        assert_eq!(args.mc, Some(PathBuf::from("hs.jsonl")));
        assert!(args.json);
        let err = ProbeCli::try_parse_from([
            "probe", "--data", "d", "--eval", "e", "--tokens", "1", "--size", "huge",
        ])
        .unwrap_err()
        .to_string();
        assert!(err.contains("tiny, small or base"), "{err}");
        assert!(ProbeCli::try_parse_from(["probe", "--data", "d", "--eval", "e"]).is_err());

        let bench = BenchCli::try_parse_from(["bench", "--sizes", "tiny,base", "--seeds", "4,5"])
            .unwrap()
            .args;
        assert_eq!(bench.sizes, [ProbeSize::Tiny, ProbeSize::Base]);
        assert_eq!(bench.seeds, [4, 5]);
        assert_eq!(bench.device, DeviceKind::Cpu);
    }

    #[test]
    fn hub_references_need_a_commit_sha_and_local_paths_win() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        let hub = TextSource::parse("--data", &format!("nya-subnet/refined@{sha}")).unwrap();
        assert!(matches!(&hub, TextSource::Hub(repo) if repo.revision.to_string() == sha));
        assert!(matches!(
            TextSource::parse("--data", "data/train").unwrap(),
            TextSource::Local(_)
        ));
        let tmp = tempfile::tempdir().unwrap();
        let odd = tmp.path().join("o@v");
        std::fs::create_dir(&odd).unwrap();
        assert_eq!(
            TextSource::parse("--data", odd.to_str().unwrap()).unwrap(),
            TextSource::Local(odd.clone())
        );
        let err = TextSource::parse("--data", "owner/name@main")
            .unwrap_err()
            .to_string();
        assert!(err.contains("--data owner/name@main"), "{err}");
    }

    #[test]
    fn probes_a_small_jsonl_and_reports_json() {
        let tmp = tempfile::tempdir().unwrap();
        let train = tmp.path().join("train.jsonl");
        let mut lines = String::new();
        for i in 0..200 {
            lines.push_str(&format!(
                "{{\"text\": \"line {i}: the cat sat on the mat.\"}}\n"
            ));
        }
        std::fs::write(&train, lines).unwrap();
        let eval = tmp.path().join("eval.txt");
        std::fs::write(&eval, "the cat sat.").unwrap();
        let cli = ProbeCli::try_parse_from([
            "probe",
            "--data",
            train.to_str().unwrap(),
            "--eval",
            eval.to_str().unwrap(),
            "--size",
            "tiny",
            "--tokens",
            "2048",
            "--json",
        ])
        .unwrap();
        let code = probe(cli.args).unwrap();
        assert_eq!(code, ExitCode::SUCCESS);

        let cli = ProbeCli::try_parse_from([
            "probe", "--data", "o/n@main", "--eval", "e.txt", "--tokens", "1",
        ])
        .unwrap();
        let err = probe(cli.args).unwrap_err().to_string();
        assert!(err.contains("not a Hub dataset"), "{err}");
    }
}
