//! The `nya` command line: global options shared by every command, and the command tree.
//!
//! Option names follow the Bittensor tools (btcli and the SDK's argparse) so users feel at home:
//! both the dotted (`--wallet.name`) and dashed (`--wallet-name`) long forms, the SDK's
//! environment variables, and no short flags that clash with btcli's (`-n` is netuid there).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands;

/// nya: a Bittensor subnet neuron kit for refined pretraining data and distillation soft labels.
///
/// Settings come from, in order of precedence: flags, environment variables
/// (BT_WALLET_NAME, BT_WALLET_HOTKEY, BT_WALLET_PATH, BT_SUBTENSOR_NETWORK,
/// BT_SUBTENSOR_CHAIN_ENDPOINT), the TOML file given with --config, built-in defaults.
#[derive(Debug, Parser)]
#[command(name = "nya", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts. Each is `Option` so that a config file can fill what neither
/// the flag nor the environment gave; `crate::config::Settings` applies the precedence.
#[derive(Debug, Args, Default, Clone)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Wallet name (directory under the wallet path) [default: default]
    #[arg(
        long = "wallet.name",
        visible_alias = "wallet-name",
        env = "BT_WALLET_NAME",
        global = true,
        value_name = "NAME"
    )]
    pub wallet_name: Option<String>,

    /// Hotkey name inside the wallet [default: default]
    #[arg(
        long = "wallet.hotkey",
        visible_alias = "wallet-hotkey",
        env = "BT_WALLET_HOTKEY",
        global = true,
        value_name = "NAME"
    )]
    pub wallet_hotkey: Option<String>,

    /// Directory holding wallets [default: ~/.bittensor/wallets]
    #[arg(
        long = "wallet.path",
        visible_alias = "wallet-path",
        env = "BT_WALLET_PATH",
        global = true,
        value_name = "DIR"
    )]
    pub wallet_path: Option<PathBuf>,

    /// Network: finney, test, archive, local, or a ws:// or wss:// URL [default: finney]
    #[arg(
        long = "subtensor.network",
        visible_alias = "network",
        env = "BT_SUBTENSOR_NETWORK",
        global = true,
        value_name = "NETWORK"
    )]
    pub network: Option<String>,

    /// Endpoint URL; overrides the endpoint the network name implies
    #[arg(
        long = "subtensor.chain_endpoint",
        visible_alias = "chain-endpoint",
        env = "BT_SUBTENSOR_CHAIN_ENDPOINT",
        global = true,
        value_name = "URL"
    )]
    pub chain_endpoint: Option<String>,

    /// Subnet id
    #[arg(long, global = true, value_name = "NETUID")]
    pub netuid: Option<u16>,

    /// TOML configuration file (keys: [wallet] name, hotkey, path; [subtensor] network,
    /// chain_endpoint, netuid; [log] format, level)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Log format [default: human]
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormat>,

    /// Log level or filter directives, e.g. `debug` or `nya=debug,subxt=warn` [default: info];
    /// RUST_LOG is honoured when this is not given
    #[arg(long, global = true, value_name = "FILTER")]
    pub log_level: Option<String>,
}

/// How log lines are written (to stderr; stdout is for command output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Human,
    /// One JSON object a line.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Walk through what a miner does, offline, checking each step (the main job until the local
    /// network lands)
    Demo(commands::demo::DemoArgs),

    /// Show the settings commands would use (flags > environment > --config file > defaults)
    Config(commands::config::ConfigArgs),

    /// Create, restore and inspect bittensor wallets (coldkeys and hotkeys)
    #[command(subcommand)]
    Wallet(commands::wallet::WalletCommand),

    /// The on-chain commitment payload: encode/decode offline, show/list from the chain
    #[command(subcommand)]
    Commitments(commands::commitments::CommitmentsCommand),

    /// Verify a dataset folder against its nya-manifest.json
    #[command(subcommand)]
    Manifest(commands::manifest::ManifestCommand),

    /// Refine local CommonCrawl WARC files with the FineWeb recipe into a dataset folder
    Refine(commands::refine::RefineArgs),

    /// Teacher soft labels: top-k log-probs per token as a dataset folder; `verify` recomputes a
    /// sample
    Distill(commands::distill::DistillArgs),

    /// Score a dataset: train a small LM on it and evaluate on reference text (and
    /// multiple-choice questions)
    Probe(commands::probe::ProbeArgs),

    /// Publish to and fetch from the Hugging Face Hub; run the offline hub
    #[command(subcommand)]
    Hub(commands::hub::HubCommand),

    /// Run an offline subtensor dev chain (and the offline hub) on loopback until Ctrl-C
    Localnet(commands::localnet::LocalnetArgs),

    /// Free balance of the wallet's coldkey (or --ss58) at the best block
    Balance(commands::chain::BalanceArgs),

    /// Send TAO from the wallet's coldkey (transfer_keep_alive)
    Transfer(commands::chain::TransferArgs),

    /// Register the wallet's hotkey on --netuid by burning TAO from its coldkey
    Register(commands::chain::RegisterArgs),

    /// Announce the hotkey's axon (ip, port, protocol) on --netuid
    Serve(commands::chain::ServeArgs),

    /// Write a nya commitment on --netuid with the wallet's hotkey
    Commit(commands::chain::CommitArgs),

    /// Every uid of --netuid: keys, stake, permit, incentive, dividends, emission, axon, commit
    Metagraph(commands::validator::ReadArgs),

    /// The hyperparameters of --netuid
    Hyperparams(commands::validator::ReadArgs),

    /// Set (or commit and reveal) the validator's weights on --netuid
    #[command(subcommand)]
    Weights(commands::validator::WeightsCommand),

    /// Stake TAO on a hotkey in --netuid, or unstake
    #[command(subcommand)]
    Stake(commands::validator::StakeCommand),

    /// Measure speed: refine per core and per step, distill and probe tokens/s
    #[command(subcommand)]
    Bench(commands::bench::BenchCommand),
}
