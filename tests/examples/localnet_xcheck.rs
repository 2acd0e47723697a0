//! nya's side of the Python SDK cross-check (scripts/xcheck/localnet.sh), and a worked example
//! of driving `nya localnet` with subxt: calls built from nya's own runtime mirror
//! (`nya_metadata::runtime::calls`), signed with nya keys, sealed with `dev_produceBlocks`,
//! and storage and runtime APIs read back and decoded with the mirror's types.
//!
//! ```text
//! localnet_xcheck seed   --url ws://127.0.0.1:PORT --out EXPECT.json
//! localnet_xcheck verify --url ws://127.0.0.1:PORT --report REPORT.json
//! ```
//!
//! - `seed` (on a fresh `--manual-seal` localnet with the default genesis): registers two miner
//!   hotkeys on netuid 1 with `burned_register` under the //Bob and //Charlie coldkeys, funds
//!   them, serves an axon for each (distinct ip and port), stakes TAO from //Bob on the first,
//!   sets a three-field nya commitment for each (field 0 `owner/name@<40 hex>`, see
//!   `nya_metadata::commitment`) through nya's client (`nya_chain::client::Client::commit`, the
//!   code path of `nya commit`, so the SDK's `get_commitment` reads what nya wrote), then reads the subnet back from the chain, checks it is what
//!   it did, and writes the expectation file whose schema scripts/xcheck/localnet_check.py
//!   documents.
//! - `verify` reads back what the Python SDK did, per the report schema of localnet_check.py:
//!   the transfer's balances at its block, the registration's uid/hotkey/coldkey, the
//!   commitment's field 0 and block, and nothing stored for the refused ones. It prints one line
//!   per check and exits 1 naming each mismatch (2 when it cannot run at all).

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail, ensure};
use nya_chain::client::{ChainError, Client, Included};
use nya_chain::keys::{Keypair, parse_ss58, ss58_encode};
use nya_chain::localnet::genesis::{DEFAULT_NETUID, DEV_ACCOUNTS, RAO_PER_TAO};
use nya_metadata::commitment::{Commitment, RepoRef};
use nya_metadata::manifest::Sha256Digest;
use nya_metadata::runtime::apis::SubnetState;
use nya_metadata::runtime::calls::{BalancesCall, RuntimeCall, SubtensorModuleCall};
use nya_metadata::runtime::types::{
    AccountId32, AccountInfo, AxonInfo, MultiAddress, Registration,
};
use nya_metadata::task::{TaskId, TaskKind};
use parity_scale_codec::{Decode, DecodeAll, Encode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value as Json, json};
use subxt::client::{ClientAtBlock, OnlineClientAtBlockImpl};
use subxt::dynamic::{self, Value};
use subxt::error::StorageError;
use subxt::ext::frame_decode::storage::{IntoDecodableValues, IntoEncodableValues};
use subxt::rpcs::{RpcClient, rpc_params};
use subxt::{OnlineClient, SubstrateConfig};

/// The subnet under test: the default genesis' netuid 1 (owner //Alice, uid 0).
const NETUID: u16 = DEFAULT_NETUID;

/// A chain view at one block.
type At = ClientAtBlock<SubstrateConfig, OnlineClientAtBlockImpl<SubstrateConfig>>;

/// A miner `seed` registers: its coldkey (a funded dev account) and what it publishes.
struct Miner {
    coldkey: &'static str,
    /// Name of the dataset repo it commits (`nya-xcheck/<repo>`).
    repo: &'static str,
    ip: [u8; 4],
    port: u16,
    /// TAO (rao) the coldkey stakes on the hotkey; 0 for none.
    stake: u64,
}

const MINERS: [Miner; 2] = [
    Miner {
        coldkey: "Bob",
        repo: "miner-bob",
        ip: [203, 0, 113, 10],
        port: 8091,
        stake: 100 * RAO_PER_TAO,
    },
    Miner {
        coldkey: "Charlie",
        repo: "miner-charlie",
        ip: [198, 51, 100, 20],
        port: 8092,
        stake: 0,
    },
];

/// What each hotkey gets from its coldkey to pay its own fees.
const HOTKEY_FUNDING: u64 = RAO_PER_TAO;
/// The axon fields every miner serves besides ip and port (`protocol` 4 is the SDK's default).
const AXON_VERSION: u32 = 100;
const AXON_PROTOCOL: u8 = 4;

enum Command {
    Seed { url: String, out: PathBuf },
    Verify { url: String, report: PathBuf },
}

const USAGE: &str = "usage: localnet_xcheck seed --url URL --out FILE\n       \
                     localnet_xcheck verify --url URL --report FILE";

/// Two subcommands with two flags each: parsed by hand rather than adding clap to the crate.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Command> {
    let command = args
        .next()
        .ok_or_else(|| anyhow!("no subcommand\n{USAGE}"))?;
    let mut flags = BTreeMap::new();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| anyhow!("{flag} needs a value\n{USAGE}"))?;
        flags.insert(flag, value);
    }
    let mut take = |flag: &str| {
        flags
            .remove(flag)
            .ok_or_else(|| anyhow!("{command} needs {flag}\n{USAGE}"))
    };
    let parsed = match command.as_str() {
        "seed" => Command::Seed {
            url: take("--url")?,
            out: take("--out")?.into(),
        },
        "verify" => Command::Verify {
            url: take("--url")?,
            report: take("--report")?.into(),
        },
        other => bail!("unknown subcommand {other:?}\n{USAGE}"),
    };
    if let Some(flag) = flags.keys().next() {
        bail!("unknown flag {flag} for {command}\n{USAGE}");
    }
    Ok(parsed)
}

#[tokio::main]
async fn main() -> ExitCode {
    let outcome = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Seed { url, out }) => seed(&url, &out).await.map(|()| true),
        Ok(Command::Verify { url, report }) => verify(&url, &report).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("localnet_xcheck: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// A subxt client on the localnet and a raw RPC connection for `dev_produceBlocks`.
struct Chain {
    api: OnlineClient<SubstrateConfig>,
    rpc: RpcClient,
}

impl Chain {
    async fn connect(url: &str) -> Result<Self> {
        let api = OnlineClient::<SubstrateConfig>::from_url(url)
            .await
            .with_context(|| format!("connecting subxt to {url}"))?;
        let rpc = RpcClient::from_url(url)
            .await
            .with_context(|| format!("connecting to {url}"))?;
        Ok(Chain { api, rpc })
    }

    /// Seals `n` blocks (the localnet runs with `--manual-seal`).
    async fn seal(&self, n: u32) -> Result<()> {
        self.rpc
            .request::<Json>("dev_produceBlocks", rpc_params![n])
            .await
            .context("dev_produceBlocks")?;
        Ok(())
    }

    /// Signs `call` as `signer`, submits it, seals the block that includes it and waits until
    /// it is finalized; a dispatch error is an error naming `what`.
    async fn submit(&self, what: &str, call: RuntimeCall, signer: &Keypair) -> Result<()> {
        let mut tx = self.api.tx().await.context("transactions client")?;
        // The call is encoded by nya's mirror; subxt decodes it against the served metadata.
        let payload = tx
            .from_call_data_bytes(&call.encode())
            .with_context(|| format!("{what}: the localnet's metadata refuses the call"))?;
        let progress = tx
            .sign_and_submit_then_watch_default(&payload, signer)
            .await
            .with_context(|| format!("{what}: submitting"))?;
        self.seal(1).await?;
        progress
            .wait_for_finalized_success()
            .await
            .with_context(|| format!("{what}: failed"))?;
        Ok(())
    }

    /// Runs one of nya's client operations (which submit, then wait for finality) to its end,
    /// sealing a block whenever a transaction waits in the pool meanwhile.
    async fn sealing<F: Future<Output = Result<Included, ChainError>>>(
        &self,
        operation: F,
    ) -> Result<Result<Included, ChainError>> {
        let mut operation = std::pin::pin!(operation);
        loop {
            tokio::select! {
                outcome = &mut operation => return Ok(outcome),
                () = tokio::time::sleep(Duration::from_millis(20)) => {
                    let pending: Vec<Json> = self
                        .rpc
                        .request("author_pendingExtrinsics", rpc_params![])
                        .await
                        .context("author_pendingExtrinsics")?;
                    if !pending.is_empty() {
                        self.seal(1).await?;
                    }
                }
            }
        }
    }

    async fn at_best(&self) -> Result<At> {
        self.api
            .at_current_block()
            .await
            .context("reading the best block")
    }

    async fn at(&self, block: u64) -> Result<At> {
        self.api
            .at_block(block)
            .await
            .with_context(|| format!("reading block #{block}"))
    }
}

/// `pallet.entry(key)` at `at`, decoded with nya's mirror type; `None` when nothing is stored
/// (subxt's `try_fetch` would hand back the entry's default instead).
async fn read<K: IntoEncodableValues + IntoDecodableValues, V: Decode>(
    at: &At,
    pallet: &str,
    entry: &str,
    key: K,
) -> Result<Option<V>> {
    let context = || format!("reading {pallet}.{entry} at #{}", at.block_number());
    let storage = at.storage();
    let key = storage
        .entry(dynamic::storage::<K, Value>(pallet, entry))
        .and_then(|e| e.fetch_key(key))
        .with_context(context)?;
    match storage.fetch_raw(key).await {
        Ok(bytes) => Ok(Some(
            V::decode_all(&mut bytes.as_slice()).with_context(context)?,
        )),
        Err(StorageError::NoValueFound) => Ok(None),
        Err(error) => Err(error).with_context(context),
    }
}

/// Free balance of `who` (0 for an account that does not exist).
async fn free(at: &At, who: &AccountId32) -> Result<u64> {
    let info: Option<AccountInfo> = read(at, "System", "Account", (who.0,)).await?;
    Ok(info.map_or(0, |i| i.data.free))
}

/// `SubnetInfoRuntimeApi.get_subnet_state(netuid)`: hotkeys, coldkeys and stakes per uid.
async fn subnet_state(at: &At, netuid: u16) -> Result<SubnetState> {
    let bytes = at
        .runtime_apis()
        .call_raw(
            "SubnetInfoRuntimeApi_get_subnet_state",
            Some(&netuid.encode()),
        )
        .await
        .context("calling SubnetInfoRuntimeApi_get_subnet_state")?;
    Option::<SubnetState>::decode_all(&mut bytes.as_slice())
        .context("decoding SubnetState")?
        .ok_or_else(|| anyhow!("the chain has no subnet {netuid}"))
}

/// `SubtensorModule.Burn(netuid)`, the registration price (the metadata's default when unset).
async fn burn(at: &At, netuid: u16) -> Result<u64> {
    let address = dynamic::storage::<(u16,), u64>("SubtensorModule", "Burn");
    let value = at.storage().fetch(address, (netuid,)).await;
    let context = || format!("reading SubtensorModule.Burn at #{}", at.block_number());
    value.with_context(context)?.decode().with_context(context)
}

/// Field 0 of `CommitmentOf(netuid, hotkey)` as text, and the block it was made in.
async fn commitment_of(
    at: &At,
    netuid: u16,
    hotkey: &AccountId32,
) -> Result<Option<(String, u32)>> {
    let Some(registration) =
        read::<_, Registration>(at, "Commitments", "CommitmentOf", (netuid, hotkey.0)).await?
    else {
        return Ok(None);
    };
    let field0 = registration
        .info
        .fields()
        .first()
        .and_then(|f| f.as_raw())
        .ok_or_else(|| {
            anyhow!(
                "commitment of {} has no Raw field 0",
                ss58_encode(&hotkey.0)
            )
        })?;
    let text = String::from_utf8(field0.to_vec())
        .with_context(|| format!("commitment of {} is not UTF-8", ss58_encode(&hotkey.0)))?;
    Ok(Some((text, registration.block)))
}

fn account(keypair: &Keypair) -> AccountId32 {
    AccountId32(keypair.public_key())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The miner's hotkey, derived from its coldkey's dev URI.
fn hotkey_of(miner: &Miner) -> Result<Keypair> {
    Keypair::from_uri(&format!("//{}//nya-xcheck-miner", miner.coldkey))
        .context("deriving a miner hotkey")
}

/// The nya commitment a miner publishes: a dataset revision, its manifest digest and a task.
fn commitment_for(miner: &Miner, hotkey: &AccountId32) -> Result<Commitment> {
    // A stand-in commit sha: 20 bytes that differ per hotkey.
    let revision = hex(&sp_crypto_hashing::blake2_256(&hotkey.0)[..20]);
    let repo = RepoRef::parse(&format!("nya-xcheck/{}@{revision}", miner.repo))?;
    let digest = Sha256Digest::of(format!("nya-manifest of {}", miner.repo).as_bytes());
    Ok(Commitment::new(
        repo,
        digest,
        TaskKind::Refine,
        TaskId::new("xcheck-1")?,
    )?)
}

/// The axon as the SDK prints it: dotted IPv4 or IPv6 text.
fn axon_json(axon: &AxonInfo) -> Json {
    let ip = match (axon.ip_type, u32::try_from(axon.ip)) {
        (4, Ok(v4)) => Ipv4Addr::from(v4).to_string(),
        _ => Ipv6Addr::from(axon.ip).to_string(),
    };
    json!({"ip": ip, "port": axon.port, "ip_type": axon.ip_type, "protocol": axon.protocol,
           "version": axon.version})
}

async fn seed(url: &str, out: &PathBuf) -> Result<()> {
    let chain = Chain::connect(url).await?;
    let client = Client::connect_url(url)
        .await
        .with_context(|| format!("connecting nya's client to {url}"))?;
    for miner in &MINERS {
        let coldkey = Keypair::dev(miner.coldkey);
        let hotkey = hotkey_of(miner)?;
        let hot = account(&hotkey);
        let label = |step: &str| format!("{step} ({} miner)", miner.coldkey);
        let register = SubtensorModuleCall::burned_register {
            netuid: NETUID,
            hotkey: hot,
        };
        chain
            .submit(
                &label("burned_register"),
                RuntimeCall::SubtensorModule(register),
                &coldkey,
            )
            .await?;
        let fund = BalancesCall::transfer_keep_alive {
            dest: MultiAddress::Id(hot),
            value: HOTKEY_FUNDING,
        };
        chain
            .submit(
                &label("funding the hotkey"),
                RuntimeCall::Balances(fund),
                &coldkey,
            )
            .await?;
        let serve = SubtensorModuleCall::serve_axon {
            netuid: NETUID,
            version: AXON_VERSION,
            ip: u128::from(u32::from_be_bytes(miner.ip)),
            port: miner.port,
            ip_type: 4,
            protocol: AXON_PROTOCOL,
            placeholder1: 0,
            placeholder2: 0,
        };
        chain
            .submit(
                &label("serve_axon"),
                RuntimeCall::SubtensorModule(serve),
                &hotkey,
            )
            .await?;
        if miner.stake > 0 {
            let stake = SubtensorModuleCall::add_stake {
                hotkey: hot,
                netuid: NETUID,
                amount_staked: miner.stake,
            };
            chain
                .submit(
                    &label("add_stake"),
                    RuntimeCall::SubtensorModule(stake),
                    &coldkey,
                )
                .await?;
        }
        // Written by nya's own client operation, so the Python SDK's `get_commitment` reads
        // back what `nya commit` would have written.
        let commitment = commitment_for(miner, &hot)?;
        let included = chain
            .sealing(client.commit(NETUID, &hotkey, &commitment))
            .await?
            .with_context(|| label("nya's client commit"))?;
        ensure!(
            included.has_event("Commitments", "Commitment"),
            "{}: no Commitments.Commitment event in block {}",
            label("nya's client commit"),
            included.block_number
        );
        println!(
            "seeded {} miner {} (coldkey {})",
            miner.coldkey,
            hotkey.ss58(),
            coldkey.ss58()
        );
    }

    let expect = read_expectations(&chain).await?;
    check_seeded(&expect)?;
    let text = serde_json::to_string_pretty(&expect).context("encoding the expectations")?;
    std::fs::write(out, text + "\n").with_context(|| format!("writing {}", out.display()))?;
    println!("expectations in {}", out.display());
    Ok(())
}

/// The expectation file, every value read back from the chain at the best block.
async fn read_expectations(chain: &Chain) -> Result<Json> {
    let at = chain.at_best().await?;
    let state = subnet_state(&at, NETUID).await?;
    let n: u16 = read(&at, "SubtensorModule", "SubnetworkN", (NETUID,))
        .await?
        .unwrap_or(0);
    let mut neurons = Vec::new();
    let mut commitments = BTreeMap::new();
    for uid in 0..n {
        let hotkey: AccountId32 = read(&at, "SubtensorModule", "Keys", (NETUID, uid))
            .await?
            .ok_or_else(|| anyhow!("no hotkey at uid {uid}"))?;
        let index = usize::from(uid);
        ensure!(
            state.hotkeys.get(index) == Some(&hotkey),
            "SubnetState disagrees with Keys about uid {uid}"
        );
        let coldkey = state
            .coldkeys
            .get(index)
            .ok_or_else(|| anyhow!("SubnetState has no coldkey for uid {uid}"))?;
        let stake = state
            .total_stake
            .get(index)
            .ok_or_else(|| anyhow!("SubnetState has no stake for uid {uid}"))?;
        let axon: Option<AxonInfo> =
            read(&at, "SubtensorModule", "Axons", (NETUID, hotkey.0)).await?;
        neurons.push(json!({
            "uid": uid,
            "hotkey": ss58_encode(&hotkey.0),
            "coldkey": ss58_encode(&coldkey.0),
            "stake_rao": stake.0,
            "axon": axon.as_ref().map(axon_json),
        }));
        if let Some((text, _block)) = commitment_of(&at, NETUID, &hotkey).await? {
            commitments.insert(ss58_encode(&hotkey.0), text);
        }
    }
    let mut balances = BTreeMap::new();
    let dev = DEV_ACCOUNTS.iter().map(|name| Keypair::dev(name));
    let hotkeys = MINERS.iter().map(hotkey_of).collect::<Result<Vec<_>>>()?;
    for key in dev.chain(hotkeys) {
        balances.insert(key.ss58(), free(&at, &account(&key)).await?);
    }
    let expect = json!({"netuid": NETUID, "neurons": neurons, "commitments": commitments,
                        "balances": balances});
    Ok(expect)
}

/// The chain holds what `seed` did: each miner's hotkey, coldkey, axon, stake and commitment.
fn check_seeded(expect: &Json) -> Result<()> {
    let neurons = expect["neurons"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    for miner in &MINERS {
        let hotkey = hotkey_of(miner)?;
        let hot = account(&hotkey);
        let neuron = neurons
            .iter()
            .find(|n| n["hotkey"] == hotkey.ss58())
            .ok_or_else(|| anyhow!("{} miner's hotkey is not in the metagraph", miner.coldkey))?;
        let want = json!({
            "hotkey": hotkey.ss58(),
            "coldkey": Keypair::dev(miner.coldkey).ss58(),
            "stake_rao": miner.stake,
            "axon": {"ip": Ipv4Addr::from(miner.ip).to_string(), "port": miner.port,
                     "ip_type": 4, "protocol": AXON_PROTOCOL, "version": AXON_VERSION},
            "commitment": commitment_for(miner, &hot)?.field0(),
        });
        let got = json!({
            "hotkey": neuron["hotkey"], "coldkey": neuron["coldkey"],
            "stake_rao": neuron["stake_rao"], "axon": neuron["axon"],
            "commitment": expect["commitments"][hotkey.ss58()],
        });
        ensure!(
            got == want,
            "{} miner reads back as {got}, not {want}",
            miner.coldkey
        );
    }
    Ok(())
}

/// One line per check; the mismatches decide the exit status.
#[derive(Default)]
struct Findings {
    passed: usize,
    mismatches: Vec<String>,
}

impl Findings {
    fn equal<T: PartialEq + Debug>(&mut self, what: &str, got: T, want: T) {
        if got == want {
            self.passed += 1;
            println!("ok        {what}");
        } else {
            self.fail(format!(
                "{what}: chain has {got:?}, the SDK reported {want:?}"
            ));
        }
    }

    fn check(&mut self, what: &str, ok: bool, detail: String) {
        if ok {
            self.passed += 1;
            println!("ok        {what}");
        } else {
            self.fail(format!("{what}: {detail}"));
        }
    }

    fn fail(&mut self, mismatch: String) {
        println!("MISMATCH  {mismatch}");
        self.mismatches.push(mismatch);
    }
}

/// Report sections (the schema in localnet_check.py); only the fields checked here.
#[derive(Deserialize)]
struct TransferReport {
    from: String,
    to: String,
    amount_rao: u64,
    fee_rao: u64,
    block: u64,
    block_hash: String,
}

#[derive(Deserialize)]
struct RefusedCommitmentReport {
    hotkey: String,
    netuid: u16,
    block: u64,
}

#[derive(Deserialize)]
struct RefusedTransferReport {
    from: String,
}

#[derive(Deserialize)]
struct RegisterReport {
    netuid: u16,
    coldkey: String,
    hotkey: String,
    uid: u16,
    burn_rao: u64,
    fee_rao: u64,
    block: u64,
    block_hash: String,
}

#[derive(Deserialize)]
struct CommitmentReport {
    netuid: u16,
    hotkey: String,
    uid: u16,
    data: String,
    block: u64,
}

fn address(ss58: &str) -> Result<AccountId32> {
    Ok(AccountId32(parse_ss58(ss58)?))
}

/// The chain's hash of block `at`, `0x`-hex as the SDK writes it.
fn hash_of(at: &At) -> String {
    format!("0x{}", hex(&at.block_hash().0))
}

/// The chain just before and at `block`.
async fn around(chain: &Chain, block: u64) -> Result<(At, At)> {
    let before = block
        .checked_sub(1)
        .ok_or_else(|| anyhow!("the report names the genesis block as including a transaction"))?;
    Ok((chain.at(before).await?, chain.at(block).await?))
}

async fn verify(url: &str, report_path: &PathBuf) -> Result<bool> {
    let text = std::fs::read_to_string(report_path)
        .with_context(|| format!("reading {}", report_path.display()))?;
    let report: BTreeMap<String, Json> = serde_json::from_str(&text)
        .with_context(|| format!("parsing {} as a JSON object", report_path.display()))?;
    let chain = Chain::connect(url).await?;
    let mut findings = Findings::default();

    // Each section is checked on its own: a missing or malformed one (its SDK step failed) is a
    // mismatch, and the others are still checked.
    macro_rules! section {
        ($name:literal, $check:ident) => {
            match section(&report, $name) {
                Ok(body) => {
                    if let Err(error) = $check(&chain, body, &mut findings).await {
                        findings.fail(format!("{}: {error:#}", $name));
                    }
                }
                Err(error) => findings.fail(format!("{}: {error:#}", $name)),
            }
        };
    }
    section!("transfer", verify_transfer);
    section!("refused_commitment", verify_refused_commitment);
    section!("refused_transfer", verify_refused_transfer);
    section!("register", verify_register);
    section!("commitment", verify_commitment);

    let total = findings.passed + findings.mismatches.len();
    println!("\n{}/{total} read-back checks passed", findings.passed);
    if !findings.mismatches.is_empty() {
        println!("mismatches:");
        for mismatch in &findings.mismatches {
            println!("  {mismatch}");
        }
    }
    Ok(findings.mismatches.is_empty())
}

fn section<T: DeserializeOwned>(report: &BTreeMap<String, Json>, name: &str) -> Result<T> {
    let body = report
        .get(name)
        .ok_or_else(|| anyhow!("the report has no section (the SDK step failed)"))?;
    serde_json::from_value(body.clone()).context("the report's section is malformed")
}

async fn verify_transfer(chain: &Chain, r: TransferReport, f: &mut Findings) -> Result<()> {
    let (from, to) = (address(&r.from)?, address(&r.to)?);
    let (before, at) = around(chain, r.block).await?;
    f.equal(
        "transfer: hash of its block",
        hash_of(&at),
        r.block_hash.to_lowercase(),
    );
    let paid = i128::from(free(&before, &from).await?) - i128::from(free(&at, &from).await?);
    f.equal(
        "transfer: sender pays amount + fee in its block",
        paid,
        i128::from(r.amount_rao) + i128::from(r.fee_rao),
    );
    let received = i128::from(free(&at, &to).await?) - i128::from(free(&before, &to).await?);
    f.equal(
        "transfer: receiver gets the amount",
        received,
        i128::from(r.amount_rao),
    );
    Ok(())
}

async fn verify_refused_commitment(
    chain: &Chain,
    r: RefusedCommitmentReport,
    f: &mut Findings,
) -> Result<()> {
    let hotkey = address(&r.hotkey)?;
    let at = chain.at(r.block).await?;
    let stored = commitment_of(&at, r.netuid, &hotkey).await?;
    f.equal(
        "refused_commitment: nothing stored in its block",
        stored,
        None,
    );
    Ok(())
}

async fn verify_refused_transfer(
    chain: &Chain,
    r: RefusedTransferReport,
    f: &mut Findings,
) -> Result<()> {
    let from = address(&r.from)?;
    let info: Option<AccountInfo> =
        read(&chain.at_best().await?, "System", "Account", (from.0,)).await?;
    f.equal(
        "refused_transfer: the unfunded account stays unstored",
        info,
        None,
    );
    Ok(())
}

async fn verify_register(chain: &Chain, r: RegisterReport, f: &mut Findings) -> Result<()> {
    let (coldkey, hotkey) = (address(&r.coldkey)?, address(&r.hotkey)?);
    let (before, at) = around(chain, r.block).await?;
    f.equal(
        "register: hash of its block",
        hash_of(&at),
        r.block_hash.to_lowercase(),
    );
    let uid_before: Option<u16> =
        read(&before, "SubtensorModule", "Uids", (r.netuid, hotkey.0)).await?;
    f.equal("register: no uid before its block", uid_before, None);
    let uid: Option<u16> = read(&at, "SubtensorModule", "Uids", (r.netuid, hotkey.0)).await?;
    f.equal("register: Uids(netuid, hotkey)", uid, Some(r.uid));
    let key: Option<AccountId32> = read(&at, "SubtensorModule", "Keys", (r.netuid, r.uid)).await?;
    f.equal(
        "register: Keys(netuid, uid)",
        key.map(|k| ss58_encode(&k.0)),
        Some(r.hotkey.clone()),
    );
    let state = subnet_state(&at, r.netuid).await?;
    let owner = state
        .coldkeys
        .get(usize::from(r.uid))
        .map(|k| ss58_encode(&k.0));
    f.equal(
        "register: coldkey of the uid",
        owner,
        Some(r.coldkey.clone()),
    );
    let paid = i128::from(free(&before, &coldkey).await?) - i128::from(free(&at, &coldkey).await?);
    f.equal(
        "register: coldkey pays burn + fee",
        paid,
        i128::from(r.burn_rao) + i128::from(r.fee_rao),
    );
    // The block's hooks may move the price before the call pays it, as localnet_check.py allows.
    let prices = [burn(&before, r.netuid).await?, burn(&at, r.netuid).await?];
    f.check(
        "register: the burn is the subnet's Burn",
        prices.contains(&r.burn_rao),
        format!("the SDK reported {}, Burn was {prices:?}", r.burn_rao),
    );
    Ok(())
}

async fn verify_commitment(chain: &Chain, r: CommitmentReport, f: &mut Findings) -> Result<()> {
    let hotkey = address(&r.hotkey)?;
    let at = chain.at_best().await?;
    let uid: Option<u16> = read(&at, "SubtensorModule", "Uids", (r.netuid, hotkey.0)).await?;
    f.equal("commitment: the hotkey's uid", uid, Some(r.uid));
    let stored = commitment_of(&at, r.netuid, &hotkey).await?;
    let block = u32::try_from(r.block).context("the commitment's block is not a u32")?;
    f.equal(
        "commitment: field 0 and block",
        stored,
        Some((r.data, block)),
    );
    Ok(())
}
