//! `nya commitments`: the on-chain commitment payload.
//!
//! `encode` builds the `CommitmentInfo` a miner passes to `Commitments.set_commitment`; `decode`
//! reads one back from its SCALE bytes (as `state_getStorage` or a block explorer shows them);
//! both are offline. `show` and `list` read `Commitments.CommitmentOf` from the chain (global
//! `--netuid` and network options), pinned to one block. `history` lists past commitments
//! ([`super::commitment_history`]).

use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::Subcommand;
use nya_chain::client::{CommitmentRecord, Payload};
use nya_chain::keys;
use nya_metadata::commitment::{Commitment, RepoRef};
use nya_metadata::manifest::Sha256Digest;
use nya_metadata::task::{TaskId, TaskKind};
use serde_json::{Value, json};

use super::chain;

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
    /// Read one hotkey's commitment from the chain (by --hotkey or --uid; global --netuid)
    Show {
        /// The hotkey's SS58 address
        #[arg(
            long,
            value_name = "SS58",
            required_unless_present = "uid",
            conflicts_with = "uid"
        )]
        hotkey: Option<String>,
        /// The hotkey's uid on the subnet
        #[arg(long, value_name = "UID")]
        uid: Option<u16>,
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// List every commitment on the subnet (global --netuid), read at one block
    List {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Every commitment a hotkey (or every hotkey of the subnet) made, with its block and data
    /// (global --netuid; reads past states: use an archive node)
    History(HistoryArgs),
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

pub use super::commitment_history::HistoryArgs;

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

pub fn run(command: CommitmentsCommand, settings: &Settings) -> Result<ExitCode> {
    match command {
        CommitmentsCommand::Show { hotkey, uid, json } => show(settings, hotkey, uid, json)?,
        CommitmentsCommand::List { json } => list(settings, json)?,
        CommitmentsCommand::History(args) => super::commitment_history::run(args, settings)?,
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

/// `show`: one hotkey's `CommitmentOf`, by address or by uid.
fn show(settings: &Settings, hotkey: Option<String>, uid: Option<u16>, json: bool) -> Result<()> {
    let netuid = chain::netuid(settings)?;
    let hotkey = match &hotkey {
        Some(address) => Some(
            keys::parse_ss58(address.trim()).with_context(|| format!("--hotkey {address:?}"))?,
        ),
        None => None,
    };
    let (block, record) = chain::block_on(async {
        let at = chain::connect(settings).await?.at_best().await?;
        let hotkey = match (hotkey, uid) {
            (Some(hotkey), _) => hotkey,
            (None, Some(uid)) => at
                .hotkey(netuid, uid)
                .await?
                .ok_or_else(|| anyhow!("no hotkey holds uid {uid} on netuid {netuid}"))?,
            (None, None) => bail!("give --hotkey or --uid"),
        };
        let record = at.commitment(netuid, &hotkey).await?;
        Ok((
            at.number(),
            record.ok_or_else(|| {
                anyhow!(
                    "hotkey {} has no commitment on netuid {netuid} (at block {})",
                    keys::ss58_encode(&hotkey),
                    at.number()
                )
            })?,
        ))
    })?;
    if json {
        let mut value = record_json(&record);
        value["read_at_block"] = json!(block);
        println!("{value:#}");
    } else {
        println!("hotkey            {}", keys::ss58_encode(&record.hotkey));
        println!("uid               {}", uid_text(record.uid));
        println!(
            "committed in      block {} (read at block {block})",
            record.block
        );
        match &record.payload {
            Payload::Nya(commitment) => print(commitment, false),
            Payload::Other { info, reason } => {
                println!("not a nya commitment: {reason}");
                println!("SCALE             0x{}", hex::encode(info.to_scale()));
            }
        }
    }
    Ok(())
}

/// `list`: every `CommitmentOf` on the subnet at one block.
fn list(settings: &Settings, json: bool) -> Result<()> {
    let netuid = chain::netuid(settings)?;
    let (block, records) = chain::block_on(async {
        let at = chain::connect(settings).await?.at_best().await?;
        Ok((at.number(), at.commitments(netuid).await?))
    })?;
    if json {
        let rows: Vec<Value> = records.iter().map(record_json).collect();
        println!(
            "{:#}",
            json!({ "netuid": netuid, "block": block, "commitments": rows })
        );
        return Ok(());
    }
    println!(
        "netuid {netuid}, block {block}: {} commitments",
        records.len()
    );
    println!("{:>5}  {:<48}  {:>8}  commitment", "uid", "hotkey", "block");
    for record in &records {
        let payload = match &record.payload {
            Payload::Nya(commitment) => commitment.to_string(),
            Payload::Other { reason, .. } => format!("(not nya: {reason})"),
        };
        println!(
            "{:>5}  {:<48}  {:>8}  {payload}",
            uid_text(record.uid),
            keys::ss58_encode(&record.hotkey),
            record.block
        );
    }
    Ok(())
}

fn uid_text(uid: Option<u16>) -> String {
    uid.map_or_else(|| "-".to_owned(), |u| u.to_string())
}

fn record_json(record: &CommitmentRecord) -> Value {
    let payload = match &record.payload {
        Payload::Nya(c) => json!({
            "repo": c.repo().as_str(),
            "revision": c.revision().to_string(),
            "content_digest": c.content_digest().to_string(),
            "kind": c.kind().to_string(),
            "task_id": c.task_id().to_string(),
        }),
        Payload::Other { info, reason } => json!({
            "error": reason,
            "scale": format!("0x{}", hex::encode(info.to_scale())),
        }),
    };
    json!({
        "hotkey": keys::ss58_encode(&record.hotkey),
        "uid": record.uid,
        "block": record.block,
        "nya": matches!(record.payload, Payload::Nya(_)),
        "payload": payload,
    })
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
