//! One module per command group; each exposes its clap subcommand type and a `run`.

use std::process::ExitCode;

use crate::cli::Command;
use crate::config::Settings;

pub mod wallet;

/// Runs a parsed command with resolved settings.
pub fn run(command: Command, settings: &Settings) -> anyhow::Result<ExitCode> {
    match command {
        Command::Wallet(cmd) => wallet::run(cmd, settings),
    }
}
