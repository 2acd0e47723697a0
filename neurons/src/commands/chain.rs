//! `nya balance`, `nya transfer`, `nya register`, `nya serve`, `nya commit`: the chain
//! operations, over `nya_chain::client`, against the endpoint of `--subtensor.network` /
//! `--subtensor.chain_endpoint`. Keys come from the wallet options; an encrypted key's password
//! comes from `--password-env VAR`, `--password-stdin` or a prompt, as for `nya wallet sign`.
//! Text by default, one JSON object with `--json`. `--netuid` is the global option.

use std::io::{self, BufRead, Write};
use std::net::IpAddr;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use nya_chain::client::{AxonEndpoint, Client, Included, Registered};
use nya_chain::keys::{self, Keypair};
use nya_chain::wallet::Wallet;
use nya_metadata::commitment::{Commitment, RepoRef};
use nya_metadata::manifest::Sha256Digest;
use nya_metadata::task::TaskId;
use serde_json::{Value, json};

use super::commitments::KindArg;
use super::wallet::{OutputArgs, PasswordArgs, Passwords, Role, TerminalPrompt, load};
use crate::config::Settings;

/// Rao in one TAO.
pub const RAO_PER_TAO: u64 = 1_000_000_000;

#[derive(Debug, Args)]
pub struct BalanceArgs {
    /// Any account's SS58 address [default: the wallet's coldkey]
    #[arg(long, value_name = "ADDRESS")]
    pub ss58: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct TransferArgs {
    /// Receiver's SS58 address
    #[arg(long, value_name = "ADDRESS")]
    pub dest: String,
    /// Amount in TAO (up to 9 decimals), e.g. 1.5
    #[arg(long, value_name = "TAO")]
    pub amount: String,
    #[command(flatten)]
    pub password: PasswordArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// Do not ask for confirmation
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub password: PasswordArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Public IPv4 or IPv6 address of the axon
    #[arg(long)]
    pub ip: IpAddr,
    /// TCP port of the axon
    #[arg(long)]
    pub port: u16,
    /// Protocol tag
    #[arg(long, default_value_t = 4)]
    pub protocol: u8,
    #[command(flatten)]
    pub password: PasswordArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct CommitArgs {
    /// The dataset repo at the exact published revision: owner/name@<40-hex commit sha>
    #[arg(long, value_name = "OWNER/NAME@REV")]
    pub repo: String,
    /// The manifest's content digest (64 lowercase hex)
    #[arg(long, value_name = "HEX")]
    pub digest: String,
    /// What the dataset answers
    #[arg(long, value_enum, default_value = "refine")]
    pub kind: KindArg,
    /// The task server's id of the task
    #[arg(long, value_name = "ID")]
    pub task: String,
    #[command(flatten)]
    pub password: PasswordArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// A chain command's printed result.
struct Printed {
    json: Value,
    text: String,
}

fn emit(printed: Printed, json: bool) -> ExitCode {
    if json {
        println!("{}", printed.json);
    } else {
        print!("{}", printed.text);
    }
    ExitCode::SUCCESS
}

/// Runs `future` on a fresh runtime.
pub(crate) fn block_on<T>(future: impl Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("tokio runtime")?
        .block_on(future)
}

pub(crate) async fn connect(settings: &Settings) -> Result<Client> {
    Ok(Client::connect_url(&settings.endpoint).await?)
}

pub(crate) fn netuid(settings: &Settings) -> Result<u16> {
    settings
        .netuid
        .ok_or_else(|| anyhow!("--netuid is required (or [subtensor] netuid in --config)"))
}

pub(crate) fn wallet(settings: &Settings) -> Result<Wallet> {
    Ok(Wallet::new(
        &settings.wallet_path,
        &settings.wallet_name,
        &settings.wallet_hotkey,
    )?)
}

pub(crate) fn key(settings: &Settings, role: Role, password: &PasswordArgs) -> Result<Keypair> {
    let mut prompt = TerminalPrompt;
    let mut passwords = Passwords::new(password, &mut prompt);
    load(&wallet(settings)?, role, &mut passwords)
}

/// `12.5` TAO → rao; at most 9 decimals, no sign, no exponent.
pub fn parse_tao(text: &str) -> Result<u64> {
    let text = text.trim();
    let bad = || anyhow!("amount {text:?} is not a TAO amount like 1 or 0.25 (at most 9 decimals)");
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty())
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > 9
    {
        return Err(bad());
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let fraction: u64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<9}").parse().map_err(|_| bad())?
    };
    whole
        .checked_mul(RAO_PER_TAO)
        .and_then(|rao| rao.checked_add(fraction))
        .ok_or_else(|| anyhow!("amount {text:?} TAO is too large"))
}

/// Rao as TAO with 9 decimals.
pub fn format_tao(rao: u64) -> String {
    format!("{}.{:09}", rao / RAO_PER_TAO, rao % RAO_PER_TAO)
}

pub(crate) fn included_json(included: &Included) -> Value {
    json!({
        "block": included.block_number,
        "block_hash": format!("0x{}", hex::encode(included.block_hash)),
        "extrinsic_index": included.extrinsic_index,
        "events": included.events.iter().map(|e| format!("{}.{}", e.pallet, e.name)).collect::<Vec<_>>(),
    })
}

pub fn balance(args: BalanceArgs, settings: &Settings) -> Result<ExitCode> {
    let address = match &args.ss58 {
        Some(address) => address.trim().to_owned(),
        None => wallet(settings)?.coldkey_ss58()?,
    };
    let public = keys::parse_ss58(&address).with_context(|| format!("address {address:?}"))?;
    let (free, block) = block_on(async {
        let at = connect(settings).await?.at_best().await?;
        Ok((at.free_balance(&public).await?, at.number()))
    })?;
    let printed = Printed {
        json: json!({ "ss58": address, "free_rao": free, "free_tao": format_tao(free), "block": block }),
        text: format!("{address}  {} TAO  (block {block})\n", format_tao(free)),
    };
    Ok(emit(printed, args.output.json))
}

pub fn transfer(args: TransferArgs, settings: &Settings) -> Result<ExitCode> {
    let dest =
        keys::parse_ss58(args.dest.trim()).with_context(|| format!("--dest {:?}", args.dest))?;
    let rao = parse_tao(&args.amount)?;
    let coldkey = key(settings, Role::Coldkey, &args.password)?;
    let included = block_on(async {
        Ok(connect(settings)
            .await?
            .transfer(&coldkey, &dest, rao)
            .await?)
    })?;
    let mut json = included_json(&included);
    json["amount_rao"] = json!(rao);
    json["dest"] = json!(args.dest.trim());
    let text = format!(
        "sent {} TAO to {} in block {}\n",
        format_tao(rao),
        args.dest.trim(),
        included.block_number
    );
    Ok(emit(Printed { json, text }, args.output.json))
}

/// Asks `question` on stderr; true for y/yes.
fn confirm(question: &str) -> Result<bool> {
    eprint!("{question} [y/N] ");
    io::stderr().flush().ok();
    let mut line = String::new();
    io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the answer")?;
    Ok(matches!(
        line.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

pub fn register(args: RegisterArgs, settings: &Settings) -> Result<ExitCode> {
    let netuid = netuid(settings)?;
    let wallet = wallet(settings)?;
    let hotkey = keys::parse_ss58(&wallet.hotkey_ss58()?)?;
    let coldkey_ss58 = wallet.coldkey_ss58()?;
    let coldkey_public = keys::parse_ss58(&coldkey_ss58)?;
    block_on(async {
        let client = connect(settings).await?;
        let at = client.at_best().await?;
        if let Some(uid) = at.uid(netuid, &hotkey).await? {
            let printed = Printed {
                json: json!({ "netuid": netuid, "uid": uid, "already_registered": true }),
                text: format!(
                    "hotkey {} is already registered on netuid {netuid} as uid {uid}\n",
                    keys::ss58_encode(&hotkey)
                ),
            };
            return Ok(emit(printed, args.output.json));
        }
        let burn = at.burn(netuid).await?;
        let free = at.free_balance(&coldkey_public).await?;
        eprintln!(
            "registering hotkey {} on netuid {netuid}: burn {} TAO, coldkey {coldkey_ss58} holds {} TAO",
            keys::ss58_encode(&hotkey),
            format_tao(burn),
            format_tao(free)
        );
        if !args.yes && !confirm("burn and register?")? {
            bail!("not registered: cancelled");
        }
        let coldkey = key(settings, Role::Coldkey, &args.password)?;
        let registered = client.register(netuid, &coldkey, &hotkey).await?;
        let (json, text) = match &registered {
            Registered::Already { uid } => (
                json!({ "netuid": netuid, "uid": uid, "already_registered": true }),
                format!("already registered on netuid {netuid} as uid {uid}\n"),
            ),
            Registered::New { uid, included } => {
                let mut json = included_json(included);
                json["netuid"] = json!(netuid);
                json["uid"] = json!(uid);
                json["already_registered"] = json!(false);
                json["burn_rao"] = json!(burn);
                (
                    json,
                    format!(
                        "registered on netuid {netuid} as uid {uid} (block {})\n",
                        included.block_number
                    ),
                )
            }
        };
        Ok(emit(Printed { json, text }, args.output.json))
    })
}

pub fn serve(args: ServeArgs, settings: &Settings) -> Result<ExitCode> {
    let netuid = netuid(settings)?;
    let hotkey = key(settings, Role::Hotkey, &args.password)?;
    let endpoint = AxonEndpoint {
        ip: args.ip,
        port: args.port,
        protocol: args.protocol,
    };
    let included = block_on(async {
        Ok(connect(settings)
            .await?
            .serve_axon(netuid, &hotkey, &endpoint)
            .await?)
    })?;
    let mut json = included_json(&included);
    json["netuid"] = json!(netuid);
    json["ip"] = json!(args.ip.to_string());
    json["port"] = json!(args.port);
    let text = format!(
        "serving {}:{} on netuid {netuid} (block {})\n",
        args.ip, args.port, included.block_number
    );
    Ok(emit(Printed { json, text }, args.output.json))
}

pub fn commit(args: CommitArgs, settings: &Settings) -> Result<ExitCode> {
    let netuid = netuid(settings)?;
    let repo: RepoRef = args
        .repo
        .parse()
        .with_context(|| format!("--repo {:?}", args.repo))?;
    let digest: Sha256Digest = args
        .digest
        .parse()
        .with_context(|| format!("--digest {:?}", args.digest))?;
    let task = TaskId::new(args.task.clone()).with_context(|| format!("--task {:?}", args.task))?;
    let commitment = Commitment::new(repo, digest, args.kind.into(), task)?;
    let hotkey = key(settings, Role::Hotkey, &args.password)?;
    let included = block_on(async {
        Ok(connect(settings)
            .await?
            .commit(netuid, &hotkey, &commitment)
            .await?)
    })?;
    let mut json = included_json(&included);
    json["netuid"] = json!(netuid);
    json["commitment"] = json!(commitment.to_string());
    let text = format!(
        "committed {commitment} on netuid {netuid} (block {})\n",
        included.block_number
    );
    Ok(emit(Printed { json, text }, args.output.json))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tao_amounts_parse_exactly() {
        assert_eq!(parse_tao("1").unwrap(), RAO_PER_TAO);
        assert_eq!(parse_tao("0.25").unwrap(), 250_000_000);
        assert_eq!(parse_tao(".000000001").unwrap(), 1);
        assert_eq!(parse_tao("12.5").unwrap(), 12_500_000_000);
        for bad in ["", ".", "-1", "1e3", "0.0000000001", "1,5", "abc"] {
            assert!(parse_tao(bad).is_err(), "{bad}");
        }
        assert!(
            parse_tao("99999999999999")
                .unwrap_err()
                .to_string()
                .contains("too large")
        );
        assert_eq!(format_tao(1_500_000_000), "1.500000000");
    }
}
