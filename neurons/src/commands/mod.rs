//! One module per command group; each exposes its clap subcommand type and a `run`.

use std::process::ExitCode;

use crate::cli::Command;
use crate::config::Settings;

pub mod bench;
pub mod chain;
pub mod commitment_history;
pub mod commitments;
pub mod config;
pub mod demo;
pub mod distill;
pub mod hub;
pub mod localnet;
pub mod manifest;
pub mod probe;
pub mod refine;
pub mod validator;
pub mod wallet;

/// Runs a parsed command with resolved settings.
pub fn run(command: Command, settings: &Settings) -> anyhow::Result<ExitCode> {
    match command {
        Command::Config(args) => config::run(args, settings),
        Command::Demo(args) => demo::run(args, settings),
        Command::Wallet(cmd) => wallet::run(cmd, settings),
        Command::Commitments(cmd) => commitments::run(cmd, settings),
        Command::Manifest(cmd) => manifest::run(cmd, settings),
        Command::Refine(args) => refine::run(args, settings),
        Command::Distill(args) => distill::run(args),
        Command::Hub(cmd) => hub::run(cmd, settings),
        Command::Localnet(args) => localnet::run(args, settings),
        Command::Probe(args) => probe::run(args, settings),
        Command::Bench(cmd) => bench::run(cmd, settings),
        Command::Balance(args) => chain::balance(args, settings),
        Command::Transfer(args) => chain::transfer(args, settings),
        Command::Register(args) => chain::register(args, settings),
        Command::Serve(args) => chain::serve(args, settings),
        Command::Commit(args) => chain::commit(args, settings),
        Command::Metagraph(args) => validator::metagraph(args, settings),
        Command::Hyperparams(args) => validator::hyperparams(args, settings),
        Command::Weights(cmd) => validator::weights(cmd, settings),
        Command::Stake(cmd) => validator::stake(cmd, settings),
    }
}
