//! `nya commitments`: the on-chain commitment payload, offline.
//!
//! `encode` builds the `CommitmentInfo` a miner passes to `Commitments.set_commitment`; `decode`
//! reads one back from its SCALE bytes (as `state_getStorage` or a block explorer shows them).

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use nya_metadata::commitment::{Commitment, RepoRef};
use nya_metadata::manifest::Sha256Digest;
use nya_metadata::task::{TaskId, TaskKind};
use serde_json::json;

use crate::config::Settings;

#[derive(Debug, Subcommand)]
pub enum CommitmentsCommand {
    /// Build the three-field commitment for a published dataset and print its fields and SCALE
    /// bytes (the `info` argument of `Commitments.set_commitment`)
    Encode {
        /// The dataset repo at the exact published revision: owner/name@<40-hex commit sha>
        #[arg(long, value_name = "OWNER/NAME@REV")]
        repo: String,
        /// The manifest's content digest (64 lowercase hex)
        #[arg(long, value_name = "HEX")]
        digest: String,
        /// What the dataset answers
        #[arg(long, value_enum, default_value = "refine")]
        kind: KindArg,
        /// The task server's id of the task
        #[arg(long, value_name = "ID")]
        task: String,
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Decode a commitment from its SCALE bytes (0x-hex of a `CommitmentInfo`)
    Decode {
        /// The SCALE bytes as hex, with or without 0x
        #[arg(value_name = "HEX")]
        scale: String,
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
}

/// `--kind` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum KindArg {
    Refine,
    Distill,
}

impl From<KindArg> for TaskKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Refine => TaskKind::Refine,
            KindArg::Distill => TaskKind::Distill,
        }
    }
}

pub fn run(command: CommitmentsCommand, _settings: &Settings) -> Result<ExitCode> {
    match command {
        CommitmentsCommand::Encode {
            repo,
            digest,
            kind,
            task,
            json,
        } => {
            let repo: RepoRef = repo.parse().with_context(|| format!("--repo {repo:?}"))?;
            let digest: Sha256Digest = digest
                .parse()
                .with_context(|| format!("--digest {digest:?}"))?;
            let task = TaskId::new(task.clone()).with_context(|| format!("--task {task:?}"))?;
            let commitment = Commitment::new(repo, digest, kind.into(), task)?;
            print(&commitment, json);
        }
        CommitmentsCommand::Decode { scale, json } => {
            let hex_text = scale.trim().trim_start_matches("0x");
            let bytes = hex::decode(hex_text).context("the SCALE bytes are not valid hex")?;
            let commitment = Commitment::from_scale(&bytes)?;
            print(&commitment, json);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print(commitment: &Commitment, json: bool) {
    let scale = format!("0x{}", hex::encode(commitment.to_scale()));
    if json {
        let value = json!({
            "repo": commitment.repo().as_str(),
            "revision": commitment.revision().to_string(),
            "field0": commitment.field0(),
            "content_digest": commitment.content_digest().to_string(),
            "version": commitment.version(),
            "kind": commitment.kind().to_string(),
            "task_id": commitment.task_id().to_string(),
            "tag": commitment.tag(),
            "scale": scale,
        });
        println!("{value:#}");
    } else {
        println!("field 0 (Raw)     {}", commitment.field0());
        println!("field 1 (Sha256)  {}", commitment.content_digest());
        println!("field 2 (Raw)     {}", commitment.tag());
        println!("SCALE             {scale}");
    }
}
