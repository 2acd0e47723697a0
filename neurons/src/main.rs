//! The `nya` binary.

use clap::Parser;

use nya_neurons::cli::Cli;
use nya_neurons::config::Settings;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::resolve(&cli.global) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    if let Err(e) = nya_neurons::logging::init(settings.log_format, settings.log_level.as_deref()) {
        return fail(&e);
    }
    match nya_neurons::commands::run(cli.command, &settings) {
        Ok(code) => code,
        Err(e) => fail(&e),
    }
}

/// One line on stderr (the error and its causes), exit status 1.
fn fail(error: &anyhow::Error) -> std::process::ExitCode {
    eprintln!("error: {error:#}");
    std::process::ExitCode::FAILURE
}
