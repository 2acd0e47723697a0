//! `nya hub`: publish dataset folders to the Hugging Face Hub, fetch pinned revisions, and run
//! the offline hub that localnet and tests use.
//!
//! Endpoint and token come from `HF_ENDPOINT` and `HF_TOKEN` (or the `huggingface_hub` token
//! file), like the Hub's own clients. Results go to stdout (text, or one JSON object with
//! `--json`); progress and logs go to stderr.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use nya_metadata::commitment::{RepoId, RepoRef};
use nya_pipeline::hub::fetch::cache_path;
use nya_pipeline::hub::server::{OfflineHub, OfflineHubConfig, ServerLimits};
use nya_pipeline::hub::{
    FetchLimits, FetchRequest, HubSettings, Progress, ProgressEvent, ProgressHandler,
    PublishOptions, RepoKind, UploadEvent, VerifyMode,
};
use serde_json::json;

use crate::config::Settings;

#[derive(Debug, Subcommand)]
pub enum HubCommand {
    /// Run the offline hub (a local Hugging Face Hub for localnet and tests) until Ctrl-C
    Serve(ServeArgs),
    /// Publish a dataset folder as one commit and print the revision to commit on chain
    Publish(PublishArgs),
    /// Fetch a repo at an exact revision into a folder, verified and within limits
    Fetch(FetchArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1", value_name = "IP")]
    pub host: IpAddr,
    /// Port (0 picks a free one; the URL is printed)
    #[arg(long, default_value_t = 0, value_name = "PORT")]
    pub port: u16,
    /// Where repos, objects and tokens are kept [default: ~/.local/share/nya/hub]
    #[arg(long, env = "NYA_HUB_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Files of at least this many bytes are stored as LFS (binary formats always are)
    #[arg(long, default_value_t = 10 << 20, value_name = "BYTES")]
    pub lfs_threshold: u64,
    /// Largest file accepted
    #[arg(long, default_value_t = ServerLimits::default().max_file_bytes, value_name = "BYTES")]
    pub max_file_bytes: u64,
    /// Base URL to hand out in links, when clients reach the hub by another name
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// Print one JSON line (url, data_dir, tokens_file, token) instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Dataset,
    Model,
}

impl From<KindArg> for RepoKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Dataset => RepoKind::Dataset,
            KindArg::Model => RepoKind::Model,
        }
    }
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The folder to publish (a nya dataset: data files, README.md, nya-manifest.json)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Target repo, owner/name (created if missing)
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: RepoId,
    /// Create the repo private
    #[arg(long)]
    pub private: bool,
    /// Commit message
    #[arg(long, default_value = "Upload dataset with nya", value_name = "TEXT")]
    pub message: String,
    /// Repo kind
    #[arg(long, value_enum, default_value = "dataset")]
    pub kind: KindArg,
    /// Publish a folder without nya-manifest.json (skip the dataset check)
    #[arg(long)]
    pub no_manifest: bool,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModeArg {
    /// Verify against nya-manifest.json (nya datasets)
    Manifest,
    /// Verify against the Hub's LFS sha256 and git blob ids (other repos)
    HubLfs,
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// What to fetch: owner/name@<40-hex commit>
    #[arg(value_name = "OWNER/NAME@REVISION")]
    pub repo: RepoRef,
    /// Folder to create (reused, after re-verification, if it holds this very snapshot)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Cache root instead of --out: the snapshot goes to <root>/<kind>s/<owner>/<name>/<revision>
    #[arg(long, value_name = "DIR", conflicts_with = "out")]
    pub cache: Option<PathBuf>,
    /// Repo kind
    #[arg(long, value_enum, default_value = "dataset")]
    pub kind: KindArg,
    /// Verification [default: manifest for datasets, hub-lfs for models]
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// Most bytes in all
    #[arg(long, default_value_t = 50 << 30, value_name = "BYTES")]
    pub max_total_bytes: u64,
    /// Most files
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub max_files: usize,
    /// Largest single file
    #[arg(long, default_value_t = 10 << 30, value_name = "BYTES")]
    pub max_file_bytes: u64,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

pub fn run(command: HubCommand, _settings: &Settings) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    match command {
        HubCommand::Serve(args) => runtime.block_on(serve(args)),
        HubCommand::Publish(args) => runtime.block_on(publish(args)),
        HubCommand::Fetch(args) => runtime.block_on(fetch(args)),
    }
}

fn default_data_dir() -> Result<PathBuf> {
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(xdg).join("nya").join("hub"));
    }
    let home = std::env::var_os("HOME").context("no --data-dir given and HOME is not set")?;
    Ok(PathBuf::from(home).join(".local/share/nya/hub"))
}

async fn serve(args: ServeArgs) -> Result<ExitCode> {
    let data_dir = match args.data_dir {
        Some(dir) => dir,
        None => default_data_dir()?,
    };
    let mut config = OfflineHubConfig::new(&data_dir);
    config.addr = SocketAddr::new(args.host, args.port);
    config.lfs_threshold = args.lfs_threshold;
    config.limits.max_file_bytes = args.max_file_bytes;
    config.public_url = args.public_url;
    let hub = OfflineHub::start(config)
        .await
        .with_context(|| format!("starting the offline hub in {}", data_dir.display()))?;
    let tokens_file = data_dir.join("tokens.json");
    let created = hub.created_token().cloned();
    if args.json {
        let line = json!({
            "url": hub.url(),
            "data_dir": data_dir,
            "tokens_file": tokens_file,
            "user": created.as_ref().map(|g| g.user.clone()),
            "token": created.as_ref().map(|g| g.token.clone()),
        });
        println!("{line}");
    } else {
        println!("offline hub listening on {}", hub.url());
        println!("data dir     {}", data_dir.display());
        println!("tokens       {}", tokens_file.display());
        if let Some(grant) = &created {
            println!(
                "created a write token for user {}: {}",
                grant.user, grant.token
            );
            println!(
                "use it with: HF_ENDPOINT={} HF_TOKEN={} nya hub publish DIR --repo {}/NAME",
                hub.url(),
                grant.token,
                grant.user
            );
        } else {
            println!(
                "use it with: HF_ENDPOINT={} HF_TOKEN=<a token from the tokens file>",
                hub.url()
            );
        }
        println!("Ctrl-C stops it; the data dir keeps everything.");
    }
    hub.run_until(async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C; stopping");
        }
    })
    .await
    .context("offline hub")?;
    Ok(ExitCode::SUCCESS)
}

/// Draws hf-hub's upload events as a progress bar on stderr.
struct UploadBar(ProgressBar);

impl ProgressHandler for UploadBar {
    fn on_progress(&self, event: &ProgressEvent) {
        let ProgressEvent::Upload(event) = event else {
            return;
        };
        match event {
            UploadEvent::Start {
                total_files,
                total_bytes,
            } => {
                self.0.set_length(*total_bytes);
                self.0.set_message(format!("uploading {total_files} files"));
            }
            UploadEvent::Progress {
                bytes_completed, ..
            } => self.0.set_position(*bytes_completed),
            UploadEvent::Committing => {
                self.0.set_message("committing");
                self.0.enable_steady_tick(Duration::from_millis(200));
            }
            UploadEvent::Complete => self.0.finish_and_clear(),
        }
    }
}

async fn publish(args: PublishArgs) -> Result<ExitCode> {
    let settings = HubSettings::from_env()?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {bytes}/{total_bytes} {wide_bar} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    if args.json {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let options = PublishOptions {
        kind: args.kind.into(),
        private: args.private,
        message: args.message,
        description: String::new(),
        require_manifest: !args.no_manifest,
        progress: Some(Progress::new(UploadBar(bar.clone()))),
    };
    let published = nya_pipeline::hub::publish(&settings, &args.dir, &args.repo, &options).await;
    bar.finish_and_clear();
    let published = published?;
    if args.json {
        let value = json!({
            "endpoint": settings.endpoint,
            "repo": published.repo_ref.repo.as_str(),
            "revision": published.repo_ref.revision.as_str(),
            "repo_ref": published.repo_ref.to_string(),
            "files": published.files,
            "bytes": published.bytes,
            "content_digest": published.manifest.as_ref().map(|m| m.content_digest.to_string()),
        });
        println!("{value:#}");
    } else {
        println!(
            "published {} to {} ({} files, {} bytes)\n{}",
            args.dir.display(),
            settings.endpoint,
            published.files,
            published.bytes,
            published.repo_ref
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn fetch(args: FetchArgs) -> Result<ExitCode> {
    let settings = HubSettings::from_env()?;
    let kind: RepoKind = args.kind.into();
    let target = match (args.out, args.cache) {
        (Some(out), _) => out,
        (None, Some(root)) => cache_path(&root, kind, &args.repo),
        (None, None) => anyhow::bail!("give --out DIR or --cache DIR"),
    };
    let mode = match (args.mode, kind) {
        (Some(ModeArg::Manifest), _) | (None, RepoKind::Dataset) => VerifyMode::Manifest,
        (Some(ModeArg::HubLfs), _) | (None, RepoKind::Model) => VerifyMode::HubLfs,
    };
    let request = FetchRequest {
        repo: args.repo,
        kind,
        mode,
        limits: FetchLimits {
            max_total_bytes: args.max_total_bytes,
            max_files: args.max_files,
            max_file_bytes: args.max_file_bytes,
        },
        target,
    };
    let snapshot = nya_pipeline::hub::fetch(&settings, &request).await?;
    if args.json {
        let value = json!({
            "repo_ref": snapshot.repo.to_string(),
            "dir": snapshot.dir,
            "files": snapshot.files.iter().map(|f| json!({
                "path": f.path, "size": f.size, "sha256": f.sha256.to_string(),
            })).collect::<Vec<_>>(),
            "bytes": snapshot.total_bytes,
            "from_cache": snapshot.from_cache,
            "content_digest": snapshot.manifest.as_ref().map(|m| m.content_digest.to_string()),
        });
        println!("{value:#}");
    } else {
        println!(
            "{} {} into {} ({} files, {} bytes{})",
            if snapshot.from_cache {
                "verified cached"
            } else {
                "fetched"
            },
            snapshot.repo,
            snapshot.dir.display(),
            snapshot.files.len(),
            snapshot.total_bytes,
            if snapshot.manifest.is_some() {
                ", manifest verified"
            } else {
                ""
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
