//! `nya distill`: run a teacher over documents and write soft labels (top-k log-probs per
//! token) as a dataset folder; `nya distill verify DIR`: recompute a seeded sample of positions
//! with the teacher and report agreement.
//!
//! A progress bar on stderr shows tokens and tokens/s; the summary (or with `--json` the
//! summary / report as JSON) goes to stdout. `verify` exits with status 1 when the labels fail.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use nya_metadata::task::TaskId;
use nya_pipeline::assets;
use nya_pipeline::distill::DeviceKind;
use nya_pipeline::distill::bench::{BenchOptions, BenchSize, bench as run_bench};
use nya_pipeline::distill::labels::{
    DEFAULT_BATCH_TOKENS, DEFAULT_SEQ_LEN, DEFAULT_TOP_K, LabelParams,
};
use nya_pipeline::distill::run::{DistillOptions, ModelSource, distill, verify_folder};
use nya_pipeline::hub::HubSettings;

/// `nya distill [verify]`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct DistillArgs {
    #[command(subcommand)]
    pub command: Option<DistillCommand>,
    #[command(flatten)]
    pub run: DistillRunArgs,
}

#[derive(Debug, Subcommand)]
pub enum DistillCommand {
    /// Recompute a seeded sample of positions with the teacher and compare
    Verify(DistillVerifyArgs),
}

#[derive(Debug, Args)]
pub struct DistillRunArgs {
    /// Teacher: a local folder (config.json, *.safetensors, tokenizer.json) or a Hub model
    /// `owner/name@REVISION`
    #[arg(long, required = true, value_name = "DIR|owner/name@REV")]
    pub model: Option<String>,
    /// Documents: .jsonl files (objects with string `id` and `text`) or .parquet files with
    /// String columns `id` and `text`; several may be given, ids unique across them
    #[arg(long, visible_alias = "input", required = true, num_args = 1.., value_name = "FILE")]
    pub data: Vec<PathBuf>,
    /// Output dataset folder (must not exist or be empty)
    #[arg(long, required = true, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Log-probs kept per position
    #[arg(long, visible_alias = "top-k", default_value_t = DEFAULT_TOP_K, value_name = "K")]
    pub k: usize,
    /// Tokens per window (longer documents are split into consecutive windows)
    #[arg(long, default_value_t = DEFAULT_SEQ_LEN, value_name = "N")]
    pub seq_len: usize,
    /// Tokens per forward pass (windows of equal length are batched up to this)
    #[arg(long, default_value_t = DEFAULT_BATCH_TOKENS, value_name = "N")]
    pub batch_tokens: usize,
    /// Device: cpu (f32) or cuda (bf16; needs a build with the `cuda` feature)
    #[arg(long, default_value = "cpu", value_name = "DEVICE")]
    pub device: DeviceKind,
    /// Task id written into the manifest
    #[arg(long, default_value = "local-distill", value_name = "ID")]
    pub task_id: String,
    /// Memory the teacher may use, in GiB [default: what the device has free]
    #[arg(long, value_name = "GIB")]
    pub max_memory_gib: Option<f64>,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DistillVerifyArgs {
    /// The soft-label dataset folder
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Teacher: a local folder or a Hub model `owner/name@REVISION`
    #[arg(long, value_name = "DIR|owner/name@REV")]
    pub model: String,
    /// The task's documents (.jsonl or .parquet with id, text): also check the labels cover
    /// exactly these, tokenized by the teacher's tokenizer
    #[arg(long, num_args = 1.., value_name = "FILE")]
    pub data: Vec<PathBuf>,
    /// Positions to recompute
    #[arg(long, default_value_t = 64, value_name = "N")]
    pub samples: usize,
    /// Seed of the sample
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u64,
    /// Device: cpu or cuda
    #[arg(long, default_value = "cpu", value_name = "DEVICE")]
    pub device: DeviceKind,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
}

/// `nya bench distill`.
#[derive(Debug, Args)]
pub struct DistillBenchArgs {
    /// Model shape: tiny, small or phi3-mini (random weights, Phi-3 layout)
    #[arg(long, default_value = "tiny", value_name = "SIZE")]
    pub size: BenchSize,
    /// Device: cpu (f32) or cuda (bf16)
    #[arg(long, default_value = "cpu", value_name = "DEVICE")]
    pub device: DeviceKind,
    /// Tokens per window
    #[arg(long, default_value_t = DEFAULT_SEQ_LEN, value_name = "N")]
    pub seq_len: usize,
    /// Windows per batch
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub batch: usize,
    /// Timed batches (after one warm-up batch)
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub steps: usize,
    /// Log-probs kept per position
    #[arg(long, visible_alias = "top-k", default_value_t = DEFAULT_TOP_K, value_name = "K")]
    pub k: usize,
    /// Seed of the random weights and tokens
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u64,
    /// The device's peak dense TFLOP/s in the run dtype (e.g. 989 for an H100 SXM in bf16),
    /// to report model FLOPs utilisation
    #[arg(long, value_name = "TFLOPS")]
    pub peak_tflops: Option<f64>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Runs `nya bench distill`.
pub fn bench(args: DistillBenchArgs) -> Result<ExitCode> {
    eprintln!("measuring {} on {}…", args.size, args.device);
    let result = run_bench(&BenchOptions {
        size: args.size,
        device: args.device,
        seq_len: args.seq_len,
        batch: args.batch,
        steps: args.steps,
        k: args.k,
        seed: args.seed,
        peak_tflops: args.peak_tflops,
    })
    .with_context(|| format!("benchmarking distill at size {}", args.size))?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&result).context("serialising the result")?
        );
    } else {
        let mfu = result
            .mfu
            .map(|m| format!(", MFU {:.1} %", 100.0 * m))
            .unwrap_or_default();
        println!(
            "{} ({} parameters, {}) on {}: {:.0} tokens/s, {:.1} bytes/token at k = {}{mfu}",
            result.size,
            result.parameters,
            result.dtype,
            result.device,
            result.tokens_per_second,
            result.bytes_per_token,
            result.k
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `nya distill` or `nya distill verify`.
pub fn run(args: DistillArgs) -> Result<ExitCode> {
    match args.command {
        Some(DistillCommand::Verify(verify)) => run_verify(verify),
        None => run_distill(args.run),
    }
}

/// The teacher named by `--model`: a local folder, or `owner/name@<commit>` fetched once into
/// `<nya cache>/hub` from `HF_ENDPOINT` (verified against the Hub's hashes).
fn teacher(text: &str) -> Result<ModelSource> {
    let source = ModelSource::parse(text)?;
    if !matches!(source, ModelSource::Hub(_)) {
        return Ok(source);
    }
    let settings = HubSettings::from_env().context("Hub settings")?;
    let cache = assets::cache_root().context("cache folder")?.join("hub");
    eprintln!("fetching the teacher {text} from {} …", settings.endpoint);
    Ok(source.fetch(&settings, &cache)?)
}

fn run_distill(args: DistillRunArgs) -> Result<ExitCode> {
    let (Some(model), data, Some(out)) = (args.model, args.data, args.out) else {
        bail!("--model, --data and --out are required");
    };
    if data.is_empty() {
        bail!("--model, --data and --out are required");
    }
    let available_memory = match args.max_memory_gib {
        Some(gib) if gib.is_finite() && gib > 0.0 => Some((gib * (1u64 << 30) as f64) as u64),
        Some(gib) => bail!("--max-memory-gib {gib}: must be a positive number"),
        None => None,
    };
    let options = DistillOptions {
        model: teacher(&model)?,
        data,
        out,
        params: LabelParams {
            k: args.k,
            seq_len: args.seq_len,
            batch_tokens: args.batch_tokens,
        },
        device: args.device,
        task_id: TaskId::new(args.task_id.clone())
            .with_context(|| format!("--task-id {:?}", args.task_id))?,
        available_memory,
    };
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{wide_bar}] {pos}/{len} tokens {msg}")
            .context("progress bar template")?
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(250));
    bar.set_message("loading the teacher…");
    let mut started: Option<Instant> = None;
    let summary = distill(&options, &mut |done, total| {
        let since = *started.get_or_insert_with(Instant::now);
        bar.set_length(total);
        bar.set_position(done);
        let seconds = since.elapsed().as_secs_f64().max(1e-3);
        bar.set_message(format!("{:.0} tokens/s", done as f64 / seconds));
    });
    bar.finish_and_clear();
    let summary = summary.with_context(|| {
        let names: Vec<String> = options
            .data
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        format!("distilling {}", names.join(", "))
    })?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&summary).context("serialising the summary")?
        );
    } else {
        println!(
            "{} documents, {} windows, {} tokens → {} ({:.1} bytes/token, {:.0} tokens/s on {}, \
             {} teacher with {} parameters)",
            summary.documents,
            summary.windows,
            summary.tokens,
            summary.out.display(),
            summary.bytes_per_token,
            summary.tokens_per_second,
            summary.device,
            summary.family,
            summary.parameters
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn run_verify(args: DistillVerifyArgs) -> Result<ExitCode> {
    let model = teacher(&args.model)?;
    let report = verify_folder(
        &model,
        &args.dir,
        &args.data,
        args.samples,
        args.seed,
        args.device,
    )
    .with_context(|| format!("verifying {}", args.dir.display()))?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).context("serialising the report")?
        );
    } else {
        let a = &report.agreement;
        println!(
            "{} positions: top-1 match {:.4}, top-k overlap {:.4}, mean |Δ log-prob| {:.5}, \
             mean KL {:.5}",
            a.positions, a.top1_match_rate, a.topk_overlap, a.mean_abs_logprob_diff, a.mean_kl
        );
        for failure in &report.failures {
            println!("FAIL: {failure}");
        }
        println!("{}", if report.passed() { "PASS" } else { "FAIL" });
    }
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        distill: DistillArgs,
    }

    #[test]
    fn run_and_verify_forms_parse() {
        let cli = Cli::try_parse_from([
            "nya", "--model", "m", "--data", "d.jsonl", "--out", "o", "--top-k", "8",
        ])
        .unwrap();
        assert!(cli.distill.command.is_none());
        assert_eq!(cli.distill.run.k, 8);
        let several = Cli::try_parse_from([
            "nya",
            "--model",
            "m",
            "--input",
            "a.jsonl",
            "b.parquet",
            "--out",
            "o",
        ])
        .unwrap();
        assert_eq!(several.distill.run.data.len(), 2);
        assert_eq!(cli.distill.run.seq_len, DEFAULT_SEQ_LEN);
        let cli =
            Cli::try_parse_from(["nya", "verify", "labels", "--model", "m", "--samples", "5"])
                .unwrap();
        let Some(DistillCommand::Verify(verify)) = cli.distill.command else {
            panic!("expected verify");
        };
        assert_eq!((verify.samples, verify.seed), (5, 0));
        assert!(Cli::try_parse_from(["nya", "--model", "m"]).is_err());
    }
}
