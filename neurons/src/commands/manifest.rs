//! `nya manifest`: check a dataset folder against its `nya-manifest.json`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use serde_json::json;

use crate::config::Settings;

#[derive(Debug, Subcommand)]
pub enum ManifestCommand {
    /// Verify a dataset folder: every listed file present with its size and sha256, no unlisted
    /// files, the file digest recomputed
    Verify {
        /// The dataset folder (holds nya-manifest.json)
        dir: PathBuf,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: ManifestCommand, _settings: &Settings) -> Result<ExitCode> {
    match command {
        ManifestCommand::Verify { dir, json } => {
            let manifest = nya_pipeline::dataset_dir::verify(&dir)?;
            if json {
                let value = json!({
                    "ok": true,
                    "task_id": manifest.task_id.to_string(),
                    "kind": manifest.kind.to_string(),
                    "files": manifest.files.len(),
                    "bytes": manifest.total_size(),
                    "rows": manifest.row_count,
                    "tokens": manifest.token_count,
                    "file_digest": manifest.file_digest.to_string(),
                    "content_digest": manifest.content_digest.to_string(),
                });
                println!("{value:#}");
            } else {
                println!(
                    "{}: ok ({} files, {} bytes, {} rows, {} tokens)\nfile digest     {}\ncontent digest  {}",
                    dir.display(),
                    manifest.files.len(),
                    manifest.total_size(),
                    manifest.row_count,
                    manifest.token_count,
                    manifest.file_digest,
                    manifest.content_digest
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
