//! What a validator (and its operator) does on chain: `nya metagraph`, `nya hyperparams`,
//! `nya weights set|reveal`, `nya stake add|remove`, over `nya_chain::client`. Reads are
//! pinned to the best block; text tables by default, one JSON object with `--json`.
//!
//! `nya weights set` checks every chain rule before signing (see
//! `nya_chain::client::weights`); on a commit-reveal subnet it commits and prints the reveal
//! window, and `nya weights reveal` (run again any time, e.g. from cron) reveals what is due
//! from the salts kept under `--state-dir`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use nya_chain::client::{Metagraph, RevealOutcome, WeightsOutcome};
use nya_chain::keys;
use serde_json::{Value, json};

use super::chain::{block_on, connect, format_tao, included_json, key, netuid, parse_tao};
use super::wallet::{OutputArgs, PasswordArgs, Role};
use crate::config::Settings;

#[derive(Debug, Args)]
pub struct ReadArgs {
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum WeightsCommand {
    /// Set weights (or commit them on a commit-reveal subnet), after checking every chain rule
    Set(WeightsSetArgs),
    /// Reveal the committed weights whose reveal window is open
    Reveal(WeightsRevealArgs),
}

#[derive(Debug, Args)]
pub struct StateDirArgs {
    /// Where commit salts are kept until revealed [default: <wallet path>/../nya/weights]
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct WeightsSetArgs {
    /// Target uids, comma-separated
    #[arg(long, value_delimiter = ',', required = true)]
    pub uids: Vec<u16>,
    /// Weights, one per uid, comma-separated (any non-negative scale; max-upscaled to u16)
    #[arg(long, value_delimiter = ',', required = true)]
    pub weights: Vec<f64>,
    /// Weights version key [default: the subnet's WeightsVersionKey]
    #[arg(long, value_name = "K")]
    pub version_key: Option<u64>,
    #[command(flatten)]
    pub state: StateDirArgs,
    #[command(flatten)]
    pub password: PasswordArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct WeightsRevealArgs {
    #[command(flatten)]
    pub state: StateDirArgs,
    #[command(flatten)]
    pub password: PasswordArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum StakeCommand {
    /// Stake TAO from the coldkey on a hotkey in --netuid
    Add(StakeArgs),
    /// Unstake alpha from a hotkey in --netuid back to the coldkey
    Remove(StakeArgs),
}

#[derive(Debug, Args)]
pub struct StakeArgs {
    /// Amount (TAO to stake, alpha to unstake), up to 9 decimals
    #[arg(long, value_name = "AMOUNT")]
    pub amount: String,
    /// Hotkey to stake on [default: the wallet's hotkey]
    #[arg(long, value_name = "ADDRESS")]
    pub hotkey: Option<String>,
    #[command(flatten)]
    pub password: PasswordArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

fn print(json_out: bool, json: Value, text: String) -> ExitCode {
    if json_out {
        println!("{json}");
    } else {
        print!("{text}");
    }
    ExitCode::SUCCESS
}

fn state_dir(args: &StateDirArgs, settings: &Settings) -> PathBuf {
    args.state_dir.clone().unwrap_or_else(|| {
        let base = settings
            .wallet_path
            .parent()
            .unwrap_or(&settings.wallet_path);
        base.join("nya").join("weights")
    })
}

/// u16-normalised value as a fraction with 4 decimals.
fn share(value: u16) -> String {
    format!("{:.4}", f64::from(value) / f64::from(u16::MAX))
}

fn metagraph_json(graph: &Metagraph) -> Value {
    let rows: Vec<Value> = graph
        .neurons
        .iter()
        .map(|n| {
            json!({
                "uid": n.uid,
                "hotkey": keys::ss58_encode(&n.hotkey),
                "coldkey": keys::ss58_encode(&n.coldkey),
                "stake_rao": n.stake,
                "validator_permit": n.validator_permit,
                "active": n.active,
                "incentive": n.incentive,
                "dividends": n.dividends,
                "emission_rao": n.emission,
                "last_update": n.last_update,
                "axon": n.axon.map(|a| json!({
                    "ip": a.ip.to_string(), "ip_type": a.ip_type, "port": a.port,
                    "protocol": a.protocol, "block": a.block,
                })),
                "commitment_block": n.commitment_block,
            })
        })
        .collect();
    json!({ "netuid": graph.netuid, "block": graph.block, "neurons": rows })
}

fn axon_text(axon: &nya_metadata::runtime::types::AxonInfo) -> String {
    let ip = match axon.ip_type {
        4 => u32::try_from(axon.ip)
            .map(|v| std::net::Ipv4Addr::from(v).to_string())
            .unwrap_or_else(|_| axon.ip.to_string()),
        _ => std::net::Ipv6Addr::from(axon.ip).to_string(),
    };
    format!("{ip}:{}", axon.port)
}

fn metagraph_text(graph: &Metagraph) -> String {
    let mut out = format!(
        "subnet {} at block {}: {} neurons\n{:>4}  {:<48}  {:<48}  {:>18}  {:>1}  {:>6}  {:>6}  {:>12}  {:>8}  {:<22}  {}\n",
        graph.netuid,
        graph.block,
        graph.neurons.len(),
        "uid",
        "hotkey",
        "coldkey",
        "stake",
        "V",
        "incent",
        "divs",
        "emission",
        "updated",
        "axon",
        "commit"
    );
    for n in &graph.neurons {
        out.push_str(&format!(
            "{:>4}  {:<48}  {:<48}  {:>18}  {:>1}  {:>6}  {:>6}  {:>12}  {:>8}  {:<22}  {}\n",
            n.uid,
            keys::ss58_encode(&n.hotkey),
            keys::ss58_encode(&n.coldkey),
            format_tao(n.stake),
            if n.validator_permit { "*" } else { "" },
            share(n.incentive),
            share(n.dividends),
            format_tao(n.emission),
            n.last_update,
            n.axon.as_ref().map(axon_text).unwrap_or_else(|| "-".into()),
            n.commitment_block
                .map(|b| b.to_string())
                .unwrap_or_else(|| "-".into()),
        ));
    }
    out
}

pub fn metagraph(args: ReadArgs, settings: &Settings) -> Result<ExitCode> {
    let netuid = netuid(settings)?;
    let graph = block_on(async {
        let at = connect(settings).await?.at_best().await?;
        Ok(at.metagraph(netuid).await?)
    })?;
    Ok(print(
        args.output.json,
        metagraph_json(&graph),
        metagraph_text(&graph),
    ))
}

pub fn hyperparams(args: ReadArgs, settings: &Settings) -> Result<ExitCode> {
    let netuid = netuid(settings)?;
    let (params, block) = block_on(async {
        let at = connect(settings).await?.at_best().await?;
        Ok((at.hyperparams(netuid).await?, at.number()))
    })?;
    let params = params.ok_or_else(|| anyhow!("no subnet {netuid} at block {block}"))?;
    let fields = params.fields();
    let json = json!({
        "netuid": netuid,
        "block": block,
        "version": params.version,
        "params": fields.iter().map(|(k, v)| ((*k).to_owned(), Value::String(v.clone()))).collect::<serde_json::Map<_, _>>(),
    });
    let mut text = format!("subnet {netuid} at block {block}\n");
    for (name, value) in &fields {
        text.push_str(&format!("{name:<30} {value}\n"));
    }
    Ok(print(args.output.json, json, text))
}

fn weights_json(uids: &[u16], values: &[u16]) -> Value {
    json!(
        uids.iter()
            .zip(values)
            .map(|(u, v)| json!({"uid": u, "weight": v}))
            .collect::<Vec<_>>()
    )
}

pub fn weights(command: WeightsCommand, settings: &Settings) -> Result<ExitCode> {
    let netuid = netuid(settings)?;
    match command {
        WeightsCommand::Set(args) => {
            let dir = state_dir(&args.state, settings);
            let hotkey = key(settings, Role::Hotkey, &args.password)?;
            let outcome = block_on(async {
                let client = connect(settings).await?;
                Ok(client
                    .set_weights(
                        netuid,
                        &hotkey,
                        &args.uids,
                        &args.weights,
                        args.version_key,
                        &dir,
                    )
                    .await?)
            })?;
            let (json, text) = match &outcome {
                WeightsOutcome::Set { weights, included } => (
                    json!({
                        "action": "set",
                        "weights": weights_json(&weights.uids, &weights.values),
                        "included": included_json(included),
                    }),
                    format!(
                        "weights set on subnet {netuid} in block {} ({} uids)\n",
                        included.block_number,
                        weights.uids.len()
                    ),
                ),
                WeightsOutcome::Committed { pending, included } => {
                    let window = match (pending.reveal_from, pending.reveal_until) {
                        (Some(from), Some(until)) => format!("blocks {from}..={until}"),
                        _ => "the next reveal epoch".to_owned(),
                    };
                    (
                        json!({
                            "action": "committed",
                            "commit_hash": pending.commit_hash,
                            "weights": weights_json(&pending.weights.uids, &pending.weights.values),
                            "reveal_from": pending.reveal_from,
                            "reveal_until": pending.reveal_until,
                            "state_dir": dir.display().to_string(),
                            "included": included_json(included),
                        }),
                        format!(
                            "weights committed on subnet {netuid} in block {} (hash {}); reveal \
                             in {window} with `nya weights reveal` (salt kept in {})\n",
                            included.block_number,
                            pending.commit_hash,
                            dir.display()
                        ),
                    )
                }
            };
            Ok(print(args.output.json, json, text))
        }
        WeightsCommand::Reveal(args) => {
            let dir = state_dir(&args.state, settings);
            let hotkey = key(settings, Role::Hotkey, &args.password)?;
            let outcomes = block_on(async {
                let client = connect(settings).await?;
                Ok(client.reveal_pending(netuid, &hotkey, &dir).await?)
            })?;
            let mut rows = Vec::new();
            let mut text = String::new();
            for outcome in &outcomes {
                let (status, pending, detail) = match outcome {
                    RevealOutcome::Revealed { pending, included } => (
                        "revealed",
                        pending,
                        format!("in block {}", included.block_number),
                    ),
                    RevealOutcome::Waiting { pending } => (
                        "waiting",
                        pending,
                        pending
                            .reveal_from
                            .map(|b| format!("window opens at block {b}"))
                            .unwrap_or_else(|| "too early".into()),
                    ),
                    RevealOutcome::Dropped { pending, reason } => {
                        ("dropped", pending, reason.clone())
                    }
                    RevealOutcome::Failed { pending, reason } => {
                        ("failed", pending, reason.clone())
                    }
                };
                text.push_str(&format!("{} {status}: {detail}\n", pending.commit_hash));
                rows.push(
                    json!({"commit_hash": pending.commit_hash, "status": status, "detail": detail}),
                );
            }
            if outcomes.is_empty() {
                text.push_str("no pending commits\n");
            }
            Ok(print(args.output.json, json!({ "reveals": rows }), text))
        }
    }
}

pub fn stake(command: StakeCommand, settings: &Settings) -> Result<ExitCode> {
    let netuid = netuid(settings)?;
    let (add, args) = match command {
        StakeCommand::Add(args) => (true, args),
        StakeCommand::Remove(args) => (false, args),
    };
    let amount = parse_tao(&args.amount)?;
    if amount == 0 {
        bail!("--amount must be above 0");
    }
    let hotkey = match &args.hotkey {
        Some(address) => keys::parse_ss58(address.trim())
            .with_context(|| format!("hotkey address {address:?}"))?,
        None => {
            let ss58 = super::chain::wallet(settings)?.hotkey_ss58()?;
            keys::parse_ss58(&ss58).with_context(|| format!("wallet hotkey {ss58:?}"))?
        }
    };
    let coldkey = key(settings, Role::Coldkey, &args.password)?;
    let included = block_on(async {
        let client = connect(settings).await?;
        Ok(if add {
            client.add_stake(&coldkey, &hotkey, netuid, amount).await?
        } else {
            client
                .remove_stake(&coldkey, &hotkey, netuid, amount)
                .await?
        })
    })?;
    let verb = if add { "staked" } else { "unstaked" };
    let json = json!({
        "action": verb,
        "amount_rao": amount,
        "hotkey": keys::ss58_encode(&hotkey),
        "netuid": netuid,
        "included": included_json(&included),
    });
    let text = format!(
        "{verb} {} on {} in subnet {netuid} (block {})\n",
        format_tao(amount),
        keys::ss58_encode(&hotkey),
        included.block_number
    );
    Ok(print(args.output.json, json, text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nya_chain::client::Neuron;
    use nya_metadata::runtime::types::AxonInfo;

    #[test]
    fn metagraph_rows_print_as_table_and_json() {
        let graph = Metagraph {
            netuid: 1,
            block: 9,
            neurons: vec![Neuron {
                uid: 0,
                hotkey: [1; 32],
                coldkey: [2; 32],
                stake: 1_500_000_000,
                validator_permit: true,
                active: true,
                incentive: u16::MAX,
                dividends: 0,
                emission: 0,
                last_update: 7,
                axon: Some(AxonInfo {
                    ip: 0x0a00_0007,
                    ip_type: 4,
                    port: 8091,
                    ..AxonInfo::default()
                }),
                commitment_block: Some(5),
            }],
        };
        let text = metagraph_text(&graph);
        assert!(
            text.starts_with("subnet 1 at block 9: 1 neurons\n"),
            "{text}"
        );
        assert!(text.contains("1.500000000"), "{text}");
        assert!(text.contains("10.0.0.7:8091"), "{text}");
        assert!(text.contains("1.0000"), "{text}");
        let json = metagraph_json(&graph);
        assert_eq!(json["neurons"][0]["commitment_block"], 5);
        assert_eq!(json["neurons"][0]["stake_rao"], 1_500_000_000u64);
        assert_eq!(json["neurons"][0]["hotkey"], keys::ss58_encode(&[1; 32]));
    }
}
