//! `nya commitments history`: every commitment a hotkey (or every hotkey of `--netuid`) made,
//! with the block it was written in, the uid it had then and the decoded payload, through
//! `nya_chain::client::history` (walk-back by default, `--method scan` for an event scan of a
//! block range). A progress bar on stderr while it reads; the listing on stdout as a table,
//! JSON (one object) or CSV (a header row, then one row per commitment).
//!
//! Also `nya bench history` ([`bench`]): the listings' speed on a localnet built for it.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nya_chain::client::Payload;
use nya_chain::client::bench_history::{self, HistoryBenchConfig};
use nya_chain::client::history::{
    DEFAULT_CONCURRENCY, HistoryEntry, HistoryQuery, Method, Progress,
};
use nya_chain::keys;
use serde_json::{Value, json};

use super::chain;
use crate::config::Settings;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this hotkey (SS58 address)
    #[arg(long, value_name = "SS58", conflicts_with = "uid")]
    pub hotkey: Option<String>,
    /// Only the hotkey holding this uid now (its earlier commitments under other uids are
    /// listed too)
    #[arg(long, value_name = "UID")]
    pub uid: Option<u16>,
    /// Oldest block to list (inclusive)
    #[arg(long, value_name = "BLOCK", default_value_t = 0)]
    pub from_block: u32,
    /// Newest block to list (inclusive) [default: the best block]
    #[arg(long, value_name = "BLOCK")]
    pub to_block: Option<u32>,
    /// walk: follow each hotkey's commitments back through past states (cost grows with the
    /// commitments); scan: read every block's events in the range (cost grows with the
    /// blocks; also sees two commits in one block and hotkeys whose commitment was removed)
    #[arg(long, value_enum, default_value = "walk")]
    pub method: MethodArg,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Requests in flight at once
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
}

/// `--method` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MethodArg {
    Walk,
    Scan,
}

impl From<MethodArg> for Method {
    fn from(method: MethodArg) -> Self {
        match method {
            MethodArg::Walk => Method::Walk,
            MethodArg::Scan => Method::Scan,
        }
    }
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

pub fn run(args: HistoryArgs, settings: &Settings) -> Result<()> {
    let netuid = chain::netuid(settings)?;
    if args.concurrency == 0 {
        return Err(anyhow!("--concurrency must be at least 1"));
    }
    let hotkey = match &args.hotkey {
        Some(address) => Some(
            keys::parse_ss58(address.trim()).with_context(|| format!("--hotkey {address:?}"))?,
        ),
        None => None,
    };
    let method = Method::from(args.method);
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {pos}/{len} {wide_bar} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let unit = match method {
        Method::Walk => "hotkeys walked",
        Method::Scan => "blocks scanned",
    };
    let entries = chain::block_on(async {
        let client = chain::connect(settings).await?;
        let hotkey = match (hotkey, args.uid) {
            (Some(hotkey), _) => Some(hotkey),
            (None, Some(uid)) => Some(
                client
                    .at_best()
                    .await?
                    .hotkey(netuid, uid)
                    .await?
                    .ok_or_else(|| anyhow!("no hotkey holds uid {uid} on netuid {netuid}"))?,
            ),
            (None, None) => None,
        };
        let query = HistoryQuery {
            netuid,
            hotkey,
            from_block: args.from_block,
            to_block: args.to_block,
            concurrency: args.concurrency,
        };
        let on_progress = |p: Progress| {
            bar.set_length(p.total);
            bar.set_position(p.done);
            bar.set_message(format!("{} commitments; {unit}", p.found));
        };
        Ok(client
            .commitment_history(&query, method, &on_progress)
            .await?)
    });
    bar.finish_and_clear();
    let entries = entries?;
    let text = match args.format {
        Format::Table => table(netuid, &entries),
        Format::Json => format!("{:#}\n", document(netuid, method, &entries)),
        Format::Csv => csv(&entries),
    };
    print!("{text}");
    Ok(())
}

/// The payload's columns: repo@revision, digest, kind, task; or why it is not nya's.
fn payload_columns(entry: &HistoryEntry) -> [String; 4] {
    match entry.commitment.as_ref().map(|c| &c.payload) {
        Some(Payload::Nya(c)) => [
            format!("{}@{}", c.repo().as_str(), c.revision()),
            c.content_digest().to_string(),
            c.kind().to_string(),
            c.task_id().to_string(),
        ],
        Some(Payload::Other { reason, .. }) => [
            format!("(not nya: {reason})"),
            String::new(),
            String::new(),
            String::new(),
        ],
        None => [
            "(event without stored data)".to_owned(),
            String::new(),
            String::new(),
            String::new(),
        ],
    }
}

fn optional<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn table(netuid: u16, entries: &[HistoryEntry]) -> String {
    let mut out = format!("netuid {netuid}: {} commitments\n", entries.len());
    out.push_str(&format!(
        "{:>8}  {:>5}  {:<48}  {:>5}  commitment\n",
        "block", "uid", "hotkey", "event"
    ));
    for entry in entries {
        let [repo, digest, kind, task] = payload_columns(entry);
        let detail = if digest.is_empty() {
            repo
        } else {
            format!("{repo} {kind} task {task} digest {digest}")
        };
        out.push_str(&format!(
            "{:>8}  {:>5}  {:<48}  {:>5}  {detail}\n",
            entry.block,
            optional(entry.uid),
            keys::ss58_encode(&entry.hotkey),
            optional(entry.event_index),
        ));
    }
    out
}

fn entry_json(entry: &HistoryEntry) -> Value {
    let payload = match entry.commitment.as_ref().map(|c| &c.payload) {
        Some(Payload::Nya(c)) => json!({
            "repo": c.repo().as_str(),
            "revision": c.revision().to_string(),
            "content_digest": c.content_digest().to_string(),
            "kind": c.kind().to_string(),
            "task_id": c.task_id().to_string(),
        }),
        Some(Payload::Other { info, reason }) => json!({
            "error": reason,
            "scale": format!("0x{}", hex::encode(info.to_scale())),
        }),
        None => Value::Null,
    };
    json!({
        "block": entry.block,
        "hotkey": keys::ss58_encode(&entry.hotkey),
        "uid": entry.uid,
        "event_index": entry.event_index,
        "deposit": entry.commitment.as_ref().map(|c| c.deposit),
        "nya": matches!(entry.commitment.as_ref().map(|c| &c.payload), Some(Payload::Nya(_))),
        "payload": payload,
    })
}

fn document(netuid: u16, method: Method, entries: &[HistoryEntry]) -> Value {
    let method = match method {
        Method::Walk => "walk",
        Method::Scan => "scan",
    };
    json!({
        "netuid": netuid,
        "method": method,
        "commitments": entries.iter().map(entry_json).collect::<Vec<_>>(),
    })
}

/// One CSV field, quoted when it holds a comma, quote or line break (RFC 4180; four lines do
/// not warrant a crate).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn csv(entries: &[HistoryEntry]) -> String {
    let mut out = String::from("block,uid,hotkey,event_index,repo,content_digest,kind,task_id\n");
    for entry in entries {
        let [repo, digest, kind, task] = payload_columns(entry);
        let row = [
            entry.block.to_string(),
            entry.uid.map(|u| u.to_string()).unwrap_or_default(),
            keys::ss58_encode(&entry.hotkey),
            entry.event_index.map(|i| i.to_string()).unwrap_or_default(),
            repo,
            digest,
            kind,
            task,
        ];
        let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use nya_chain::client::history::StoredCommitment;
    use nya_metadata::commitment::{CommitmentInfo, Data};

    fn foreign(reason: &str) -> HistoryEntry {
        let info = CommitmentInfo::new(vec![Data::raw(b"x".to_vec()).expect("raw")]).expect("info");
        HistoryEntry {
            hotkey: [7; 32],
            block: 12,
            uid: Some(3),
            event_index: None,
            commitment: Some(StoredCommitment {
                deposit: 0,
                payload: Payload::Other {
                    info,
                    reason: reason.to_owned(),
                },
            }),
        }
    }

    #[test]
    fn csv_quotes_what_would_break_a_row() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        let text = csv(&[foreign("bad, \"very\" bad")]);
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("block,uid,hotkey,event_index,repo,content_digest,kind,task_id")
        );
        let row = lines.next().expect("a row");
        assert!(row.starts_with("12,3,"), "{row}");
        assert!(
            row.contains(",,\"(not nya: bad, \"\"very\"\" bad)\",,,"),
            "{row}"
        );
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn json_and_table_keep_every_entry() {
        let mut missing = foreign("x");
        missing.commitment = None;
        missing.event_index = Some(4);
        let entries = [foreign("not three fields"), missing];
        let value = document(5, Method::Scan, &entries);
        assert_eq!(value["method"], "scan");
        let rows = value["commitments"].as_array().expect("array");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["payload"]["error"], "not three fields");
        assert_eq!(rows[1]["payload"], Value::Null);
        assert_eq!(rows[1]["event_index"], 4);
        let text = table(5, &entries);
        assert!(text.starts_with("netuid 5: 2 commitments\n"), "{text}");
        assert!(text.contains("(event without stored data)"), "{text}");
    }
}

#[derive(Debug, Args)]
pub struct BenchHistoryArgs {
    /// Blocks in the bench chain
    #[arg(long, value_name = "N", default_value_t = HistoryBenchConfig::default().blocks)]
    pub blocks: u32,
    /// Hotkeys on the subnet (the owner's included), all committing
    #[arg(long, value_name = "N", default_value_t = HistoryBenchConfig::default().hotkeys)]
    pub hotkeys: u16,
    /// Commitments made in all, spread over the blocks
    #[arg(long, value_name = "N", default_value_t = HistoryBenchConfig::default().commitments)]
    pub commitments: u32,
    /// Requests in flight during the listings
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    /// Print JSON instead of the table
    #[arg(long)]
    pub json: bool,
}

/// `nya bench history`.
pub fn bench(args: BenchHistoryArgs) -> Result<ExitCode> {
    let config = HistoryBenchConfig {
        blocks: args.blocks,
        hotkeys: args.hotkeys,
        commitments: args.commitments,
        concurrency: args.concurrency,
    };
    let report = chain::block_on(async {
        Ok(bench_history::run(&config, &|phase| eprintln!("{phase}…")).await?)
    })?;
    if args.json {
        println!("{:#}", serde_json::to_value(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} commitments by {} hotkeys over {} blocks (built in {:.1} s)",
        report.commitments, report.hotkeys, report.blocks, report.setup_seconds
    );
    println!(
        "{:<8}  {:<6}  {:>6}  {:>9}  {:>14}",
        "history", "method", "found", "seconds", "commitments/s"
    );
    for row in &report.listings {
        println!(
            "{:<8}  {:<6}  {:>6}  {:>9.3}  {:>14.1}",
            row.scope, row.method, row.found, row.seconds, row.commitments_per_second
        );
    }
    Ok(ExitCode::SUCCESS)
}
