//! `nya localnet` as a separate process, the way a developer or a CI job runs it:
//! - persistence: real work (transfers, a registration, a commitment), then a SIGKILL while
//!   transactions are in flight and blocks are being sealed, then a restart on the same data
//!   dir, where every block whose hash the chain handed out is still at its number, the state at
//!   every such block (balances, uids, commitments) is what it was, and the chain goes on;
//! - the data dir's exclusive lock (a second localnet on it is refused, the first carries on);
//! - the text banner (endpoint and dev accounts) and a clean stop on SIGINT;
//! - a genesis file with an unknown key.
//!
//! Every wait is bounded ([`STARTUP_LIMIT`], [`RPC_LIMIT`], [`EXIT_LIMIT`]) so a hang fails the
//! test instead of blocking CI; a child still running when a test ends is killed on drop.

use std::collections::BTreeMap;
use std::fs::File;
use std::future::Future;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nya_chain::keys::Keypair;
use nya_metadata::runtime::types::{AccountInfo, Registration};
use parity_scale_codec::DecodeAll;
use serde::de::DeserializeOwned;
use subxt::backend::BlockRef;
use subxt::client::OnlineClientAtBlockImpl;
use subxt::config::SubstrateExtrinsicParamsBuilder;
use subxt::dynamic::{self, Value};
use subxt::rpcs::client::RpcParams;
use subxt::rpcs::{RpcClient, rpc_params};
use subxt::transactions::{Payload, TransactionProgress};
use subxt::utils::H256;
use subxt::{OnlineClient, SubstrateConfig};
use tokio::sync::mpsc;

use crate::nya;

/// How long a `nya localnet` may take to print its endpoint (a debug build on a busy CI box).
const STARTUP_LIMIT: Duration = Duration::from_secs(60);
/// How long one JSON-RPC exchange or transaction may take.
const RPC_LIMIT: Duration = Duration::from_secs(30);
/// How long a process may take to exit once told to (or once it should fail).
const EXIT_LIMIT: Duration = Duration::from_secs(15);

/// 1 TAO in rao.
const TAO: u64 = 1_000_000_000;

/// The substrate dev accounts and their well-known SS58 addresses (prefix 42).
const DEV_ADDRESSES: [(&str, &str); 6] = [
    ("Alice", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"),
    ("Bob", "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"),
    (
        "Charlie",
        "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y",
    ),
    ("Dave", "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy"),
    ("Eve", "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw"),
    ("Ferdie", "5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL"),
];

/// Awaits `fut`, failing the test if it takes longer than `limit`.
async fn bounded<F: Future>(limit: Duration, what: &str, fut: F) -> F::Output {
    match tokio::time::timeout(limit, fut).await {
        Ok(output) => output,
        Err(_) => panic!("{what}: no result within {limit:?}"),
    }
}

/// Waits up to `limit` for `child` to exit; `None` if it is still running.
async fn wait_exit(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() >= deadline => return None,
            Ok(None) => tokio::time::sleep(Duration::from_millis(25)).await,
            Err(err) => panic!("cannot wait for the localnet process: {err}"),
        }
    }
}

/// Sends each line of a child's stdout down a channel (a thread, because the pipe blocks).
fn forward_lines(stdout: impl std::io::Read + Send + 'static) -> mpsc::UnboundedReceiver<String> {
    let (sender, receiver) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// A `nya localnet` child process; killed (SIGKILL) when dropped.
struct LocalnetProcess {
    child: Child,
    /// Its stdout, line by line.
    lines: mpsc::UnboundedReceiver<String>,
    /// Where its stderr (logs, errors) goes.
    stderr: PathBuf,
}

impl LocalnetProcess {
    /// Starts `nya localnet --port 0 --manual-seal --no-hub` plus `extra`; stderr goes to
    /// `stderr`.
    fn start(extra: &[&str], stderr: &Path) -> LocalnetProcess {
        let log = File::create(stderr).expect("create the stderr file");
        let mut child = nya()
            .args(["localnet", "--port", "0", "--manual-seal", "--no-hub"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("the nya binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        LocalnetProcess {
            child,
            lines: forward_lines(stdout),
            stderr: stderr.to_path_buf(),
        }
    }

    /// Starts a `--json` localnet on `data_dir` and reads its one JSON line.
    async fn start_json(data_dir: &Path, stderr: &Path) -> (LocalnetProcess, Endpoint) {
        let data_dir = data_dir.to_str().expect("utf-8 temp path");
        let mut process = LocalnetProcess::start(&["--json", "--data-dir", data_dir], stderr);
        let line = process.next_line().await;
        let endpoint = Endpoint::parse(&line)
            .unwrap_or_else(|e| panic!("{e} in the startup line {line:?}\n{}", process.log()));
        (process, endpoint)
    }

    /// The next stdout line; fails with the stderr log if none comes in time.
    async fn next_line(&mut self) -> String {
        match tokio::time::timeout(STARTUP_LIMIT, self.lines.recv()).await {
            Ok(Some(line)) => line,
            Ok(None) => panic!("nya localnet closed its stdout\n{}", self.log()),
            Err(_) => panic!(
                "nya localnet printed nothing in {STARTUP_LIMIT:?}\n{}",
                self.log()
            ),
        }
    }

    /// Its stderr so far, for failure messages.
    fn log(&self) -> String {
        let text = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        format!("--- nya localnet stderr ---\n{text}")
    }

    /// SIGKILL: no chance to flush, close or unlock anything.
    fn kill_hard(&mut self) {
        self.child.kill().expect("SIGKILL the localnet");
        self.child.wait().expect("reap the killed localnet");
    }

    /// SIGINT, as Ctrl-C in a terminal (through `kill`, since this crate forbids unsafe code).
    async fn interrupt(&mut self) -> ExitStatus {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("run kill -INT");
        assert!(status.success(), "kill -INT failed: {status}");
        match wait_exit(&mut self.child, EXIT_LIMIT).await {
            Some(status) => status,
            None => panic!(
                "nya localnet still runs {EXIT_LIMIT:?} after SIGINT\n{}",
                self.log()
            ),
        }
    }
}

impl Drop for LocalnetProcess {
    fn drop(&mut self) {
        // Already exited and reaped is fine; this only keeps a failed test from leaking it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What `nya localnet --json` reports.
struct Endpoint {
    ws: String,
    best_block: u64,
}

impl Endpoint {
    fn parse(line: &str) -> Result<Endpoint, String> {
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("not JSON ({e})"))?;
        let ws = value["endpoint"]
            .as_str()
            .ok_or("no \"endpoint\" string")?
            .to_owned();
        let http = value["http"].as_str().ok_or("no \"http\" string")?;
        let port = ws
            .strip_prefix("ws://127.0.0.1:")
            .ok_or("\"endpoint\" is not ws://127.0.0.1:PORT")?;
        if http != format!("http://127.0.0.1:{port}") || port == "0" {
            return Err(format!("\"http\" {http:?} does not match {ws:?}"));
        }
        let best_block = value["best_block"]
            .as_u64()
            .ok_or("no \"best_block\" number")?;
        Ok(Endpoint { ws, best_block })
    }
}

/// The progress of a submitted, watched transaction.
type Progress = TransactionProgress<SubstrateConfig, OnlineClientAtBlockImpl<SubstrateConfig>>;

/// A subxt client and a raw JSON-RPC client on one localnet.
struct Chain {
    api: OnlineClient<SubstrateConfig>,
    rpc: RpcClient,
}

impl Chain {
    async fn connect(endpoint: &Endpoint) -> Chain {
        let api = bounded(
            RPC_LIMIT,
            "subxt connects",
            OnlineClient::<SubstrateConfig>::from_url(&endpoint.ws),
        )
        .await
        .expect("subxt connects");
        let rpc = bounded(RPC_LIMIT, "rpc connects", RpcClient::from_url(&endpoint.ws))
            .await
            .expect("raw rpc client connects");
        Chain { api, rpc }
    }

    /// One JSON-RPC call, bounded.
    async fn call<T: DeserializeOwned>(&self, method: &str, params: RpcParams) -> T {
        bounded(RPC_LIMIT, method, self.rpc.request::<T>(method, params))
            .await
            .unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    /// Seals `count` blocks with `dev_produceBlocks`; their hashes, in order.
    async fn seal(&self, count: u32) -> Vec<H256> {
        let hashes: Vec<H256> = self.call("dev_produceBlocks", rpc_params![count]).await;
        assert_eq!(hashes.len(), usize::try_from(count).unwrap(), "{hashes:?}");
        hashes
    }

    /// Signs `call` as `signer` and puts it in the pool, watching it.
    async fn submit(&self, call: &impl Payload, signer: &Keypair) -> Progress {
        let mut tx = bounded(RPC_LIMIT, "transactions client", self.api.tx())
            .await
            .expect("transactions client");
        bounded(
            RPC_LIMIT,
            "submit",
            tx.sign_and_submit_then_watch_default(call, signer),
        )
        .await
        .expect("the pool accepts the transaction")
    }

    /// Seals one block and waits until every one of `pending` is finalized and succeeded.
    async fn seal_and_finalize(&self, pending: Vec<Progress>) {
        self.seal(1).await;
        for progress in pending {
            bounded(
                RPC_LIMIT,
                "finalization",
                progress.wait_for_finalized_success(),
            )
            .await
            .unwrap_or_else(|e| panic!("transaction did not succeed: {e}"));
        }
    }

    /// The finalized head: number and hash.
    async fn head(&self) -> (u64, H256) {
        let hash: H256 = self.call("chain_getFinalizedHead", rpc_params![]).await;
        (self.header(hash).await.0, hash)
    }

    /// Number and parent hash of the block `hash`.
    async fn header(&self, hash: H256) -> (u64, H256) {
        let header: serde_json::Value = self.call("chain_getHeader", rpc_params![hash]).await;
        let number = header["number"]
            .as_str()
            .and_then(|n| n.strip_prefix("0x"))
            .and_then(|n| u64::from_str_radix(n, 16).ok())
            .unwrap_or_else(|| panic!("header number in {header}"));
        let parent = serde_json::from_value(header["parentHash"].clone())
            .unwrap_or_else(|e| panic!("parentHash in {header}: {e}"));
        (number, parent)
    }

    /// `chain_getBlockHash(number)`.
    async fn hash_at(&self, number: u64) -> Option<H256> {
        self.call("chain_getBlockHash", rpc_params![number]).await
    }
}

/// Raw SCALE values of the storage items one test watches, at one block; `None` = absent (subxt
/// fills in the metadata default for entries that have one, such as `System.Account`).
type Snapshot = BTreeMap<String, Option<Vec<u8>>>;

/// The storage items the persistence test records and compares.
#[derive(Clone, Debug)]
enum Watched {
    /// `System.Account(who)`, under a name for messages.
    Account(String, [u8; 32]),
    /// `SubtensorModule.Uids(1, hotkey)`.
    Uid([u8; 32]),
    /// `Commitments.CommitmentOf(1, hotkey)`.
    Commitment([u8; 32]),
}

/// The snapshot label of `System.Account` of the account called `name`.
fn account_label(name: &str) -> String {
    format!("System.Account({name})")
}

const UID_LABEL: &str = "SubtensorModule.Uids(1, hotkey)";
const COMMITMENT_LABEL: &str = "Commitments.CommitmentOf(1, hotkey)";

impl Watched {
    fn account(name: &str, who: &Keypair) -> Watched {
        Watched::Account(name.to_owned(), who.public_key())
    }

    fn label(&self) -> String {
        match self {
            Watched::Account(name, _) => account_label(name),
            Watched::Uid(_) => UID_LABEL.to_owned(),
            Watched::Commitment(_) => COMMITMENT_LABEL.to_owned(),
        }
    }
}

/// Reads `watched` at block `at` through subxt (historical state by block hash).
async fn snapshot(api: &OnlineClient<SubstrateConfig>, at: H256, watched: &[Watched]) -> Snapshot {
    bounded(
        RPC_LIMIT,
        "storage snapshot",
        try_snapshot(api, at, watched),
    )
    .await
    .unwrap_or_else(|e| panic!("reading storage at {at:?}: {e}"))
}

async fn try_snapshot(
    api: &OnlineClient<SubstrateConfig>,
    at: H256,
    watched: &[Watched],
) -> Result<Snapshot, String> {
    let client = api
        .at_block(BlockRef::from_hash(at))
        .await
        .map_err(|e| format!("at block: {e}"))?;
    let storage = client.storage();
    let mut values = Snapshot::new();
    for item in watched {
        let value = match item {
            Watched::Account(_, who) => storage
                .try_fetch(
                    dynamic::storage::<([u8; 32],), Value>("System", "Account"),
                    (*who,),
                )
                .await
                .map(|v| v.map(|v| v.bytes().to_vec())),
            Watched::Uid(hotkey) => storage
                .try_fetch(
                    dynamic::storage::<(u16, [u8; 32]), Value>("SubtensorModule", "Uids"),
                    (1u16, *hotkey),
                )
                .await
                .map(|v| v.map(|v| v.bytes().to_vec())),
            Watched::Commitment(hotkey) => storage
                .try_fetch(
                    dynamic::storage::<(u16, [u8; 32]), Value>("Commitments", "CommitmentOf"),
                    (1u16, *hotkey),
                )
                .await
                .map(|v| v.map(|v| v.bytes().to_vec())),
        }
        .map_err(|e| format!("{}: {e}", item.label()))?;
        values.insert(item.label(), value);
    }
    Ok(values)
}

/// The free balance in a raw `System.Account` value (0 for no value).
fn free_of(raw: Option<&Vec<u8>>) -> u64 {
    raw.map(|bytes| {
        AccountInfo::decode_all(&mut bytes.as_slice())
            .expect("AccountInfo decodes")
            .data
            .free
    })
    .unwrap_or(0)
}

/// The one Raw field of a raw `CommitmentOf` value.
fn committed_text(raw: Option<&Vec<u8>>) -> Option<Vec<u8>> {
    raw.map(|bytes| {
        let registration =
            Registration::decode_all(&mut bytes.as_slice()).expect("Registration decodes");
        match registration.info.fields() {
            [field] => field.as_raw().expect("a Raw field").to_vec(),
            fields => panic!("expected one field, got {fields:?}"),
        }
    })
}

fn fresh(name: &str) -> Keypair {
    Keypair::from_uri(&format!("//nya-neurons-localnet/{name}")).expect("dev uri")
}

fn transfer(dest: &Keypair, amount: u64) -> impl Payload {
    dynamic::transaction(
        "Balances",
        "transfer_keep_alive",
        (
            Value::unnamed_variant("Id", [Value::from_bytes(dest.public_key())]),
            amount,
        ),
    )
}

fn burned_register(netuid: u16, hotkey: &Keypair) -> impl Payload {
    dynamic::transaction(
        "SubtensorModule",
        "burned_register",
        (netuid, Value::from_bytes(hotkey.public_key())),
    )
}

/// `Commitments.set_commitment(netuid, { fields: [RawN(text)] })`.
fn set_commitment(netuid: u16, text: &[u8]) -> impl Payload {
    let raw = Value::unnamed_variant(format!("Raw{}", text.len()), [Value::from_bytes(text)]);
    let info = Value::named_composite([("fields", Value::unnamed_composite([raw]))]);
    dynamic::transaction("Commitments", "set_commitment", (netuid, info))
}

/// Blocks the sealer asks for per `dev_produceBlocks` call: several, so that the node spends
/// most of the kill phase making blocks and the kill usually lands inside one.
const BLOCKS_PER_CALL: u32 = 8;

/// What the chain handed out during the kill phase.
#[derive(Default)]
struct Handed {
    /// Hashes that came back from `dev_produceBlocks`, in order; the sealer is the only block
    /// maker then, so block `i` has number `first + i`.
    blocks: Vec<H256>,
    /// Transfers reported finalized, with the state read at their block.
    transfers: Vec<FinalizedTransfer>,
}

/// A transfer the chain reported finalized, and the state right after it.
struct FinalizedTransfer {
    block: H256,
    watched: Vec<Watched>,
    state: Snapshot,
}

/// Ends a kill-phase loop at its first failure (an error or [`RPC_LIMIT`] passing), which must
/// come after the kill; `true` while `outcome` is a success.
fn keep_going(
    killed: &AtomicBool,
    what: &str,
    outcome: Result<Result<(), String>, tokio::time::error::Elapsed>,
) -> bool {
    let failure = match outcome {
        Ok(Ok(())) => return true,
        Ok(Err(err)) => err,
        Err(_) => format!("no answer within {RPC_LIMIT:?}"),
    };
    assert!(
        killed.load(Ordering::SeqCst),
        "{what} failed before the kill: {failure}"
    );
    false
}

/// Seals [`BLOCKS_PER_CALL`] blocks at a time until the node dies.
async fn seal_until_killed(rpc: RpcClient, killed: Arc<AtomicBool>, handed: Arc<Mutex<Handed>>) {
    for call in 0u64.. {
        let step = async {
            let hashes: Vec<H256> = rpc
                .request("dev_produceBlocks", rpc_params![BLOCKS_PER_CALL])
                .await
                .map_err(|e| e.to_string())?;
            if hashes.len() != usize::try_from(BLOCKS_PER_CALL).unwrap() {
                return Err(format!(
                    "asked for {BLOCKS_PER_CALL} blocks, got {hashes:?}"
                ));
            }
            handed.lock().unwrap().blocks.extend(hashes);
            Ok(())
        };
        let outcome = tokio::time::timeout(RPC_LIMIT, step).await;
        if !keep_going(&killed, &format!("sealing call {call}"), outcome) {
            return;
        }
    }
}

/// Until the node dies: a transfer from Dave to a fresh account goes into the pool (where the
/// kill may catch it), and once it is finalized the state at its block is read.
async fn transfer_until_killed(
    api: OnlineClient<SubstrateConfig>,
    killed: Arc<AtomicBool>,
    handed: Arc<Mutex<Handed>>,
) {
    let dave = Keypair::dev("Dave");
    // Immortal: the sealer makes blocks faster than a default 32-block era would last.
    let params = || {
        SubstrateExtrinsicParamsBuilder::<SubstrateConfig>::new()
            .immortal()
            .build()
    };
    for round in 0u64.. {
        let receiver = fresh(&format!("churn-{round}"));
        let watched = vec![
            Watched::account("Dave", &dave),
            Watched::account("churn receiver", &receiver),
        ];
        let step = async {
            let mut tx = api.tx().await.map_err(|e| e.to_string())?;
            let call = transfer(&receiver, TAO + round);
            let progress = tx
                .sign_and_submit_then_watch(&call, &dave, params())
                .await
                .map_err(|e| e.to_string())?;
            let in_block = progress
                .wait_for_finalized()
                .await
                .map_err(|e| e.to_string())?;
            in_block
                .wait_for_success()
                .await
                .map_err(|e| e.to_string())?;
            let block = in_block.block_hash();
            let state = try_snapshot(&api, block, &watched).await?;
            assert_eq!(
                free_of(state[&account_label("churn receiver")].as_ref()),
                TAO + round,
                "the transfer of round {round} is in its block"
            );
            handed.lock().unwrap().transfers.push(FinalizedTransfer {
                block,
                watched: watched.clone(),
                state,
            });
            Ok(())
        };
        let outcome = tokio::time::timeout(RPC_LIMIT, step).await;
        if !keep_going(&killed, &format!("transfer {round}"), outcome) {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_run_loses_nothing_finalized() {
    let data = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let (mut first, endpoint) =
        LocalnetProcess::start_json(data.path(), &logs.path().join("first.log")).await;
    assert_eq!(endpoint.best_block, 0, "a new data dir starts at genesis");
    let chain = Chain::connect(&endpoint).await;

    // Real work, each step sealed and finalized: transfers (two in one block), a burned
    // registration, funding the new hotkey, a commitment by it, and a few empty blocks. One
    // transaction per sender and block: subxt takes the nonce from the state at the head.
    let alice = Keypair::dev("Alice");
    let bob = Keypair::dev("Bob");
    let charlie = Keypair::dev("Charlie");
    let receivers = [fresh("r1"), fresh("r2"), fresh("r3")];
    let amounts = [3 * TAO, 5 * TAO + 7, 11 * TAO + 13];
    let hotkey = fresh("miner-hotkey");
    let text = b"nya:v1 persisted across kill -9".to_vec();

    let pending = vec![
        chain
            .submit(&transfer(&receivers[0], amounts[0]), &alice)
            .await,
        chain
            .submit(&transfer(&receivers[1], amounts[1]), &charlie)
            .await,
    ];
    chain.seal_and_finalize(pending).await;
    let pending = vec![
        chain
            .submit(&transfer(&receivers[2], amounts[2]), &alice)
            .await,
    ];
    chain.seal_and_finalize(pending).await;
    let pending = vec![
        chain.submit(&burned_register(1, &hotkey), &bob).await,
        chain.submit(&transfer(&hotkey, TAO), &alice).await,
    ];
    chain.seal_and_finalize(pending).await;
    let pending = vec![chain.submit(&set_commitment(1, &text), &hotkey).await];
    chain.seal_and_finalize(pending).await;
    chain.seal(3).await;

    let receiver_names = ["receiver 1", "receiver 2", "receiver 3"];
    let mut watched = vec![
        Watched::account("Alice", &alice),
        Watched::account("Bob", &bob),
        Watched::account("Charlie", &charlie),
        Watched::account("hotkey", &hotkey),
        Watched::Uid(hotkey.public_key()),
        Watched::Commitment(hotkey.public_key()),
    ];
    for (name, receiver) in receiver_names.iter().zip(&receivers) {
        watched.push(Watched::account(name, receiver));
    }

    // Record every block and the watched state at each.
    let (best, best_hash) = chain.head().await;
    assert_eq!(best, 7, "4 blocks with transactions and 3 empty ones");
    let mut recorded: Vec<(u64, H256, Snapshot)> = Vec::new();
    for number in 0..=best {
        let hash = chain
            .hash_at(number)
            .await
            .unwrap_or_else(|| panic!("no block {number} below the head {best}"));
        recorded.push((number, hash, snapshot(&chain.api, hash, &watched).await));
    }
    assert_eq!(recorded.last().map(|r| r.1), Some(best_hash));

    // The work really happened, and history differs from the head (so comparing it later means
    // something).
    let at_best = &recorded[usize::try_from(best).unwrap()].2;
    let at_genesis = &recorded[0].2;
    for (name, amount) in receiver_names.iter().zip(amounts) {
        let label = account_label(name);
        assert_eq!(free_of(at_best[&label].as_ref()), amount, "{label}");
        assert_eq!(
            free_of(at_genesis[&label].as_ref()),
            0,
            "{label} at genesis"
        );
    }
    assert_eq!(
        committed_text(at_best[COMMITMENT_LABEL].as_ref()),
        Some(text.clone())
    );
    assert_eq!(at_genesis[COMMITMENT_LABEL], None);
    assert!(at_best[UID_LABEL].is_some(), "hotkey registered");
    assert_eq!(at_genesis[UID_LABEL], None);

    // Now kill -9 mid-run: one task seals blocks back to back while another keeps a transfer
    // in the pool and reads the state after each; once both have made progress, SIGKILL lands
    // wherever the node happens to be (usually inside a block).
    let killed = Arc::new(AtomicBool::new(false));
    let handed = Arc::new(Mutex::new(Handed::default()));
    let sealer = tokio::spawn(seal_until_killed(
        Chain::connect(&endpoint).await.rpc,
        killed.clone(),
        handed.clone(),
    ));
    let sender = tokio::spawn(transfer_until_killed(
        Chain::connect(&endpoint).await.api,
        killed.clone(),
        handed.clone(),
    ));
    bounded(RPC_LIMIT, "blocks and transfers before the kill", async {
        loop {
            {
                let handed = handed.lock().unwrap();
                if handed.transfers.len() >= 5 && handed.blocks.len() >= 40 {
                    break;
                }
            }
            assert!(
                !sealer.is_finished() && !sender.is_finished(),
                "a kill-phase task stopped early"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    killed.store(true, Ordering::SeqCst);
    first.kill_hard();
    for task in [sealer, sender] {
        bounded(RPC_LIMIT, "a kill-phase task notices the kill", task)
            .await
            .expect("the kill-phase task ends without panicking");
    }
    drop(chain);
    let handed = std::mem::take(&mut *handed.lock().unwrap());
    let last_handed = best + u64::try_from(handed.blocks.len()).unwrap();

    // Restart on the same data dir (a new port).
    let (second, endpoint) =
        LocalnetProcess::start_json(data.path(), &logs.path().join("second.log")).await;
    assert!(
        endpoint.best_block >= last_handed,
        "restarted at #{} but #{last_handed} was handed out before the kill\n{}",
        endpoint.best_block,
        second.log()
    );
    let chain = Chain::connect(&endpoint).await;
    let (head, head_hash) = chain.head().await;
    assert_eq!(head, endpoint.best_block);

    // Every recorded block is at its number with the same state.
    for (number, hash, state) in &recorded {
        assert_eq!(chain.hash_at(*number).await, Some(*hash), "block #{number}");
        assert_eq!(
            &snapshot(&chain.api, *hash, &watched).await,
            state,
            "state at #{number}"
        );
    }
    // Every block handed out in the kill phase is at its number, each on the one before.
    let mut parent = best_hash;
    for (number, hash) in (best + 1..).zip(&handed.blocks) {
        assert_eq!(chain.hash_at(number).await, Some(*hash), "block #{number}");
        assert_eq!(
            chain.header(*hash).await,
            (number, parent),
            "block #{number}"
        );
        parent = *hash;
    }
    // Blocks the node stored but could not hand out before it died (the call in flight) extend
    // the chain just the same; there are no more of them than that call asked for.
    assert!(
        head <= last_handed + u64::from(BLOCKS_PER_CALL),
        "#{head} after the restart, but only #{last_handed} and one call in flight"
    );
    for number in last_handed + 1..=head {
        let hash = chain.hash_at(number).await.expect("a block below the head");
        assert_eq!(
            chain.header(hash).await,
            (number, parent),
            "block #{number}"
        );
        parent = hash;
    }
    assert_eq!(parent, head_hash);
    // The state after every finalized transfer is queryable at its block, unchanged.
    for transfer in &handed.transfers {
        assert_eq!(
            snapshot(&chain.api, transfer.block, &transfer.watched).await,
            transfer.state,
            "state at {:?}",
            transfer.block
        );
    }

    // The chain goes on: the next block extends the old head, and transactions still apply
    // (Dave's nonce is the stored one, whatever the kill did to his last transfer).
    let [next] = chain.seal(1).await[..] else {
        unreachable!("seal checks the count")
    };
    assert_eq!(chain.header(next).await, (head + 1, head_hash));
    let late = fresh("after-restart");
    let pending = vec![
        chain
            .submit(&transfer(&late, 2 * TAO), &Keypair::dev("Dave"))
            .await,
    ];
    chain.seal_and_finalize(pending).await;
    let (now, now_hash) = chain.head().await;
    assert_eq!(now, head + 2);
    let state = snapshot(&chain.api, now_hash, &[Watched::account("late", &late)]).await;
    assert_eq!(free_of(state[&account_label("late")].as_ref()), 2 * TAO);
}

#[tokio::test]
async fn a_second_localnet_on_the_same_data_dir_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let (mut first, endpoint) =
        LocalnetProcess::start_json(data.path(), &logs.path().join("first.log")).await;
    let chain = Chain::connect(&endpoint).await;
    let [sealed] = chain.seal(1).await[..] else {
        unreachable!("seal checks the count")
    };

    let mut second = LocalnetProcess::start(
        &["--json", "--data-dir", data.path().to_str().unwrap()],
        &logs.path().join("second.log"),
    );
    let status = wait_exit(&mut second.child, EXIT_LIMIT)
        .await
        .unwrap_or_else(|| panic!("the second localnet did not give up\n{}", second.log()));
    let log = second.log();
    assert!(!status.success(), "the second localnet must fail\n{log}");
    assert!(
        log.contains("in use by another localnet")
            && log.contains(&data.path().display().to_string()),
        "{log}"
    );
    assert_eq!(
        bounded(RPC_LIMIT, "stdout closes", second.lines.recv()).await,
        None,
        "the refused localnet printed an endpoint"
    );

    // The first carries on as if nothing happened.
    let [next] = chain.seal(1).await[..] else {
        unreachable!("seal checks the count")
    };
    assert_eq!(chain.header(next).await, (2, sealed));

    // A clean stop releases the lock: a restart opens the same chain.
    drop(chain);
    assert!(first.interrupt().await.success(), "{}", first.log());
    let (_third, endpoint) =
        LocalnetProcess::start_json(data.path(), &logs.path().join("third.log")).await;
    assert_eq!(endpoint.best_block, 2);
    let chain = Chain::connect(&endpoint).await;
    assert_eq!(chain.hash_at(2).await, Some(next));
}

#[tokio::test]
async fn nya_localnet_prints_endpoint_and_dev_accounts_and_stops_on_sigint() {
    let logs = tempfile::tempdir().unwrap();
    let mut process = LocalnetProcess::start(&[], &logs.path().join("text.log"));

    // Read the banner until the endpoint and all six accounts have appeared.
    let mut endpoint = None;
    let mut accounts: BTreeMap<String, String> = BTreeMap::new();
    let mut banner = String::new();
    while endpoint.is_none() || accounts.len() < DEV_ADDRESSES.len() {
        let line = process.next_line().await;
        banner.push_str(&line);
        banner.push('\n');
        let words: Vec<&str> = line.split_whitespace().collect();
        match words[..] {
            ["endpoint", url] => endpoint = Some(url.to_owned()),
            [name, address] if DEV_ADDRESSES.iter().any(|(n, _)| *n == name) => {
                accounts.insert(name.to_owned(), address.to_owned());
            }
            _ => {}
        }
    }
    let expected: BTreeMap<String, String> = DEV_ADDRESSES
        .iter()
        .map(|(n, a)| (n.to_string(), a.to_string()))
        .collect();
    assert_eq!(accounts, expected, "{banner}");
    let endpoint = endpoint.expect("loop ends with an endpoint");
    let port = endpoint
        .strip_prefix("ws://127.0.0.1:")
        .unwrap_or_else(|| panic!("endpoint {endpoint:?} is not ws://127.0.0.1:PORT"));
    assert_ne!(port, "0", "{banner}");

    // The printed endpoint serves the chain.
    let rpc = bounded(RPC_LIMIT, "connect", RpcClient::from_url(&endpoint))
        .await
        .expect("the printed endpoint accepts connections");
    let genesis: Option<H256> = bounded(
        RPC_LIMIT,
        "chain_getBlockHash",
        rpc.request("chain_getBlockHash", rpc_params![0]),
    )
    .await
    .expect("chain_getBlockHash");
    assert!(genesis.is_some(), "no genesis block");
    drop(rpc);

    let status = process.interrupt().await;
    assert!(
        status.success(),
        "exit {status} after SIGINT\n{}",
        process.log()
    );
}

#[tokio::test]
async fn bad_genesis_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "top.toml",
            "sudo = \"Alice\"\nblocks_per_day = 7200\n",
            "blocks_per_day",
        ),
        (
            "subnet.toml",
            "[[subnet]]\nnetuid = 1\nowner_coldkey = \"Alice\"\nowner_hotkey = \"Alice\"\ntempo_blocks = 5\n",
            "tempo_blocks",
        ),
    ];
    for (file, toml, key) in cases {
        let genesis = dir.path().join(file);
        std::fs::write(&genesis, toml).unwrap();
        let data_dir = dir.path().join(format!("{file}.chain"));
        let mut process = LocalnetProcess::start(
            &[
                "--genesis",
                genesis.to_str().unwrap(),
                "--data-dir",
                data_dir.to_str().unwrap(),
            ],
            &dir.path().join(format!("{file}.log")),
        );
        let status = wait_exit(&mut process.child, EXIT_LIMIT)
            .await
            .unwrap_or_else(|| {
                panic!(
                    "{file}: still running with a bad genesis\n{}",
                    process.log()
                )
            });
        let log = process.log();
        assert!(!status.success(), "{file}: exit {status}\n{log}");
        assert!(
            log.contains(&format!("unknown field `{key}`")) && log.contains(file),
            "{file}: the error must name the key and the file\n{log}"
        );
        assert!(
            !data_dir.join("chain.sqlite3").exists(),
            "{file}: a refused genesis left a chain behind"
        );
    }
}
