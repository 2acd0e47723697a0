//! Integration tests of the `nya` binary: the command line as a user drives it.

mod commands;
mod global_options;
mod localnet;

use std::path::Path;
use std::process::{Command, Output};

/// A `nya` command with a clean environment: no BT_* variables leak in from the caller.
pub fn nya() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_nya"));
    for var in [
        "BT_WALLET_NAME",
        "BT_WALLET_HOTKEY",
        "BT_WALLET_PATH",
        "BT_SUBTENSOR_NETWORK",
        "BT_SUBTENSOR_CHAIN_ENDPOINT",
        "RUST_LOG",
    ] {
        command.env_remove(var);
    }
    command
}

/// Runs and returns (status ok, stdout, stderr).
pub fn run(command: &mut Command) -> (bool, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("the nya binary runs");
    (
        status.success(),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// Parses stdout as JSON, with the text in the panic message when it is not.
pub fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

pub fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}
