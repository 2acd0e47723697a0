//! `nya localnet`: an offline subtensor dev chain on loopback (JSON-RPC over WebSocket and HTTP
//! on one port) and, beside it, the offline Hugging Face hub, until Ctrl-C.
//!
//! Prints the endpoint, the dev accounts and the hub's URL and token; `--json` prints them as
//! one JSON line instead (scripts read that).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::task::Poll;

use anyhow::{Context, Result};
use clap::Args;
use nya_chain::keys::Keypair;
use nya_chain::localnet::genesis::{DEV_ACCOUNTS, GenesisConfig};
use nya_chain::localnet::service::{DEFAULT_BLOCK_TIME_MS, DEFAULT_PORT};
use nya_chain::localnet::{LocalnetConfig, spawn};
use nya_pipeline::hub::server::{OfflineHub, OfflineHubConfig};
use serde_json::json;

use crate::config::Settings;

#[derive(Debug, Args)]
pub struct LocalnetArgs {
    /// Loopback port for JSON-RPC (WebSocket and HTTP); 0 picks a free one
    #[arg(long, default_value_t = DEFAULT_PORT, value_name = "PORT")]
    pub port: u16,
    /// Milliseconds between blocks (250 is subtensor's fast runtime; 12000 is finney's)
    #[arg(long, default_value_t = DEFAULT_BLOCK_TIME_MS, value_name = "MS")]
    pub block_time_ms: u64,
    /// Make blocks only on demand, through the `dev_produceBlocks` RPC
    #[arg(long)]
    pub manual_seal: bool,
    /// Persist the chain (and the hub) here; a restart continues from the last block
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Genesis TOML: accounts, sudo, subnets and hyperparameters [default: dev accounts, Alice
    /// owns netuid 1]
    #[arg(long, value_name = "FILE")]
    pub genesis: Option<PathBuf>,
    /// Run finney spec 365 from genesis and upgrade to spec 393 at this block, so clients are
    /// tested across a runtime upgrade [default: spec 393 from genesis]
    #[arg(long, value_name = "BLOCK", value_parser = clap::value_parser!(u32).range(1..))]
    pub upgrade_at: Option<u32>,
    /// Do not start the offline hub
    #[arg(long)]
    pub no_hub: bool,
    /// Print one JSON line (endpoint, http, accounts, hub) instead of text
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: LocalnetArgs, _settings: &Settings) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(args))
}

fn load_genesis(path: Option<&PathBuf>) -> Result<GenesisConfig> {
    let Some(path) = path else {
        return Ok(GenesisConfig::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the genesis file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing the genesis file {}", path.display()))
}

async fn serve(args: LocalnetArgs) -> Result<ExitCode> {
    let config = LocalnetConfig {
        port: args.port,
        block_time_ms: args.block_time_ms,
        manual_seal: args.manual_seal,
        data_dir: args.data_dir.clone(),
        genesis: load_genesis(args.genesis.as_ref())?,
        upgrade_at: args.upgrade_at,
    };
    let localnet = spawn(config).await.context("starting the localnet")?;

    // The hub keeps its repos beside the chain, or in a temporary folder for an in-memory chain.
    let mut scratch = None;
    let hub = if args.no_hub {
        None
    } else {
        let hub_dir = match &args.data_dir {
            Some(dir) => dir.join("hub"),
            None => {
                let dir = tempfile::tempdir().context("creating a folder for the offline hub")?;
                let path = dir.path().to_path_buf();
                scratch = Some(dir);
                path
            }
        };
        let mut hub_config = OfflineHubConfig::new(&hub_dir);
        hub_config.addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        Some(
            OfflineHub::start(hub_config)
                .await
                .with_context(|| format!("starting the offline hub in {}", hub_dir.display()))?,
        )
    };

    // Listen for Ctrl-C before the banner invites it: tokio installs the handler on the first
    // poll, and until then a SIGINT kills the process instead of stopping it.
    let mut ctrl_c = Box::pin(tokio::signal::ctrl_c());
    let early = std::future::poll_fn(|cx| Poll::Ready(ctrl_c.as_mut().poll(cx))).await;

    let accounts: Vec<_> = DEV_ACCOUNTS
        .iter()
        .map(|name| (name, Keypair::dev(name).ss58()))
        .collect();
    let (best, _) = localnet.node().best().context("reading the best block")?;
    if args.json {
        let line = json!({
            "endpoint": localnet.ws_url(),
            "http": localnet.http_url(),
            "best_block": best,
            "manual_seal": args.manual_seal,
            "upgrade_at": args.upgrade_at,
            "accounts": accounts.iter().map(|(n, a)| json!({"name": n, "uri": format!("//{n}"), "ss58": a})).collect::<Vec<_>>(),
            "hub": hub.as_ref().map(|h| json!({
                "url": h.url(),
                "user": h.created_token().map(|g| g.user.clone()),
                "token": h.created_token().map(|g| g.token.clone()),
            })),
        });
        println!("{line}");
    } else {
        println!("endpoint {}", localnet.ws_url());
        println!("http     {}", localnet.http_url());
        println!("best block #{best}");
        match &args.data_dir {
            Some(dir) => println!("data dir {}", dir.display()),
            None => println!("data dir none (in memory)"),
        }
        if args.manual_seal {
            println!("blocks   on demand (JSON-RPC dev_produceBlocks [N])");
        } else {
            println!("blocks   every {} ms", args.block_time_ms);
        }
        if let Some(block) = args.upgrade_at {
            println!("runtime  spec 365, upgrading to spec 393 at block #{block}");
        }
        println!("dev accounts (sr25519 //Name; Alice is sudo and owns netuid 1):");
        for (name, address) in &accounts {
            println!("  {name:<7} {address}");
        }
        if let Some(hub) = &hub {
            println!("offline hub {}", hub.url());
            if let Some(grant) = hub.created_token() {
                println!("  write token for user {}: {}", grant.user, grant.token);
            }
        }
        println!("Ctrl-C stops it.");
    }

    let stop = async move {
        let interrupted = match early {
            Poll::Ready(interrupted) => interrupted,
            Poll::Pending => ctrl_c.await,
        };
        if let Err(error) = interrupted {
            tracing::error!(%error, "cannot listen for Ctrl-C; stopping");
        }
    };
    match hub {
        Some(hub) => hub.run_until(stop).await.context("offline hub")?,
        None => stop.await,
    }
    localnet.stop().await;
    drop(scratch);
    tracing::info!("localnet stopped");
    Ok(ExitCode::SUCCESS)
}
