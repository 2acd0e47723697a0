//! `nya config`: the settings every command would use, after flag > env > file > default.

use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use crate::cli::LogFormat;
use crate::config::Settings;

/// Options of `nya config`.
#[derive(Debug, clap::Args)]
pub struct ConfigArgs {
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ConfigArgs, settings: &Settings) -> Result<ExitCode> {
    let log_format = match settings.log_format {
        LogFormat::Human => "human",
        LogFormat::Json => "json",
    };
    let value = json!({
        "wallet": {
            "name": settings.wallet_name,
            "hotkey": settings.wallet_hotkey,
            "path": settings.wallet_path.display().to_string(),
        },
        "subtensor": {
            "network": settings.network.name(),
            "chain_endpoint": settings.endpoint,
            "netuid": settings.netuid,
        },
        "log": { "format": log_format, "level": settings.log_level },
    });
    if args.json {
        println!("{value:#}");
    } else {
        println!("wallet.name                {}", settings.wallet_name);
        println!("wallet.hotkey              {}", settings.wallet_hotkey);
        println!(
            "wallet.path                {}",
            settings.wallet_path.display()
        );
        println!("subtensor.network          {}", settings.network);
        println!("subtensor.chain_endpoint   {}", settings.endpoint);
        let netuid = settings
            .netuid
            .map_or_else(|| "(not set)".to_owned(), |n| n.to_string());
        println!("netuid                     {netuid}");
        println!("log.format                 {log_format}");
    }
    Ok(ExitCode::SUCCESS)
}
