//! `nya_chain::client` against a manual-seal localnet over a real socket: register (twice: the
//! second submits nothing), serve, three commits in three blocks read back decoded with their
//! blocks (and the first one again, pinned to its own block), the subnet listing, transfer, and
//! each refusal as the sentence a user sees.
//!
//! Blocks are sealed by a task that seals whenever the pool holds a transaction, so operations
//! that submit and wait (`register`, `commit`, …) finish without racing a block timer.

use std::sync::Arc;

use nya_chain::client::{AxonEndpoint, ChainError, Client, Payload, Registered};
use nya_chain::keys::Keypair;
use nya_chain::localnet::node::Node;
use nya_chain::localnet::{LocalnetConfig, LocalnetHandle, spawn};
use nya_metadata::commitment::{Commitment, RepoRef};
use nya_metadata::manifest::Sha256Digest;
use nya_metadata::task::{TaskId, TaskKind};
use tokio::task::JoinHandle;

/// 1 TAO in rao.
const TAO: u64 = 1_000_000_000;
const NETUID: u16 = 1;

async fn start() -> (LocalnetHandle, Client) {
    let config = LocalnetConfig {
        port: 0,
        manual_seal: true,
        ..LocalnetConfig::default()
    };
    let localnet = spawn(config).await.expect("localnet starts");
    let client = Client::connect_url(&localnet.ws_url())
        .await
        .expect("client connects");
    (localnet, client)
}

/// Seals a block whenever a transaction waits in the pool, until aborted.
fn sealer(node: Arc<Node>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let waiting = node.pending_extrinsics().map(|p| !p.is_empty());
            if waiting.expect("pool readable") {
                let node = node.clone();
                tokio::task::spawn_blocking(move || node.produce_blocks(1))
                    .await
                    .expect("seal task")
                    .expect("block sealed");
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    })
}

fn fresh(name: &str) -> Keypair {
    Keypair::from_uri(&format!("//nya-client/{name}")).expect("dev uri")
}

fn commitment(revision_digit: char, task: &str) -> Commitment {
    let repo: RepoRef = format!(
        "nya-miner/refined@{}",
        revision_digit.to_string().repeat(40)
    )
    .parse()
    .expect("repo ref");
    let digest: Sha256Digest = revision_digit
        .to_string()
        .repeat(64)
        .parse()
        .expect("digest");
    Commitment::new(
        repo,
        digest,
        TaskKind::Refine,
        TaskId::new(task).expect("task id"),
    )
    .expect("commitment")
}

#[tokio::test]
async fn register_serve_commit_and_read_back_pinned_to_blocks() {
    let (localnet, client) = start().await;
    let seal = sealer(localnet.node().clone());
    let bob = Keypair::dev("Bob");
    let hotkey = fresh("miner");

    let nonce_before = client
        .at_best()
        .await
        .expect("best")
        .nonce(&bob.public_key())
        .await
        .expect("nonce");
    let first = client
        .register(NETUID, &bob, &hotkey.public_key())
        .await
        .expect("register");
    let Registered::New { uid, included } = &first else {
        panic!("a fresh hotkey is newly registered, got {first:?}");
    };
    assert!(
        included.has_event("SubtensorModule", "NeuronRegistered"),
        "{included:?}"
    );
    let at = client.at_best().await.expect("best");
    assert_eq!(
        at.uid(NETUID, &hotkey.public_key()).await.expect("uid"),
        Some(*uid)
    );
    let nonce_after = at.nonce(&bob.public_key()).await.expect("nonce");
    assert_eq!(nonce_after, nonce_before + 1);

    // Again: the existing uid, and nothing submitted (the nonce did not move).
    let again = client
        .register(NETUID, &bob, &hotkey.public_key())
        .await
        .expect("register again");
    assert_eq!(again, Registered::Already { uid: *uid });
    let at = client.at_best().await.expect("best");
    assert_eq!(
        at.nonce(&bob.public_key()).await.expect("nonce"),
        nonce_after
    );

    // The hotkey pays its own fees.
    let before = at
        .free_balance(&hotkey.public_key())
        .await
        .expect("balance");
    client
        .transfer(&bob, &hotkey.public_key(), 2 * TAO)
        .await
        .expect("transfer");
    let after = client
        .at_best()
        .await
        .expect("best")
        .free_balance(&hotkey.public_key())
        .await
        .expect("balance");
    assert_eq!(after - before, 2 * TAO);

    let endpoint = AxonEndpoint {
        ip: "10.0.0.7".parse().expect("ip"),
        port: 8091,
        protocol: 4,
    };
    let served = client
        .serve_axon(NETUID, &hotkey, &endpoint)
        .await
        .expect("serve_axon");
    assert!(
        served.has_event("SubtensorModule", "AxonServed"),
        "{served:?}"
    );

    let commitments = [
        commitment('a', "t-1"),
        commitment('b', "t-2"),
        commitment('c', "t-3"),
    ];
    let mut blocks = Vec::new();
    for c in &commitments {
        let included = client
            .commit(NETUID, &hotkey, c)
            .await
            .expect("set_commitment");
        assert!(
            included.has_event("Commitments", "Commitment"),
            "{included:?}"
        );
        let record = client
            .at_best()
            .await
            .expect("best")
            .commitment(NETUID, &hotkey.public_key())
            .await
            .expect("read CommitmentOf")
            .expect("a commitment is stored");
        assert_eq!(record.block, included.block_number);
        assert_eq!(record.payload, Payload::Nya(c.clone()));
        assert_eq!(record.uid, Some(*uid));
        blocks.push((included.block_number, included.block_hash));
    }
    assert!(
        blocks.windows(2).all(|w| w[0].0 < w[1].0),
        "three blocks: {blocks:?}"
    );

    // A read pinned to the first commit's block still sees the first commitment.
    let first_at = client.at(blocks[0].1).await.expect("first commit block");
    assert_eq!(first_at.number(), blocks[0].0);
    let old = first_at
        .commitment(NETUID, &hotkey.public_key())
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(old.payload.nya(), Some(&commitments[0]));

    // The listing: one iteration, joined with uids.
    let listing = client
        .at_best()
        .await
        .expect("best")
        .commitments(NETUID)
        .await
        .expect("list");
    let mine: Vec<_> = listing
        .iter()
        .filter(|r| r.hotkey == hotkey.public_key())
        .collect();
    assert_eq!(mine.len(), 1, "{listing:?}");
    assert_eq!(mine[0].uid, Some(*uid));
    assert_eq!(mine[0].block, blocks[2].0);
    assert_eq!(mine[0].payload.nya(), Some(&commitments[2]));

    seal.abort();
    localnet.stop().await;
}

#[tokio::test]
async fn submission_can_be_sealed_before_waiting() {
    let (localnet, client) = start().await;
    let alice = Keypair::dev("Alice");
    let receiver = fresh("receiver");
    let before = client.at_best().await.expect("best");
    let call = nya_chain::client::calls::transfer_keep_alive(&receiver.public_key(), 3 * TAO);
    let pending = client.submit(&call, &alice).await.expect("pool accepts");
    let sealed = localnet.produce_blocks(1).await.expect("seal");
    let included = pending.wait().await.expect("finalized");
    assert_eq!(included.block_hash, sealed[0].0);
    assert_eq!(included.block_number, before.number() + 1);
    assert!(included.has_event("Balances", "Transfer"), "{included:?}");
    // The old snapshot still answers for its own block.
    assert_eq!(
        before
            .free_balance(&receiver.public_key())
            .await
            .expect("old"),
        0
    );
    let now = client.at(included.block_hash).await.expect("new block");
    assert_eq!(
        now.free_balance(&receiver.public_key()).await.expect("new"),
        3 * TAO
    );
    localnet.stop().await;
}

fn expect_module(
    result: Result<impl std::fmt::Debug, ChainError>,
    pallet: &str,
    error: &str,
    remedy: &str,
) {
    let err = result.expect_err("the chain refuses");
    assert_eq!(err.module_error(), Some((pallet, error)), "{err}");
    let text = err.to_string();
    assert!(text.contains(&format!("{pallet}.{error}")), "{text}");
    assert!(text.contains(remedy), "{text}");
}

#[tokio::test]
async fn refusals_say_which_rule_and_what_to_do() {
    let (localnet, client) = start().await;
    let seal = sealer(localnet.node().clone());
    let alice = Keypair::dev("Alice");

    // An unregistered hotkey may not commit.
    let stranger = fresh("stranger");
    client
        .transfer(&alice, &stranger.public_key(), TAO)
        .await
        .expect("fund");
    expect_module(
        client
            .commit(NETUID, &stranger, &commitment('d', "t-9"))
            .await,
        "Commitments",
        "AccountNotAllowedCommit",
        "register it first",
    );

    // Enough for fees, not for the burn.
    let poor = fresh("poor");
    client
        .transfer(&alice, &poor.public_key(), 10_000_000)
        .await
        .expect("fund");
    expect_module(
        client
            .register(NETUID, &poor, &fresh("poor-hotkey").public_key())
            .await,
        "SubtensorModule",
        "NotEnoughBalanceToStake",
        "fund it",
    );

    // An account with nothing cannot pay the fee: the pool refuses before any block.
    let empty = fresh("empty");
    let err = client
        .transfer(&empty, &alice.public_key(), TAO)
        .await
        .expect_err("no fee money");
    match &err {
        ChainError::Pool { code, .. } => assert_eq!(*code, 1010, "{err}"),
        other => panic!("expected a pool refusal, got {other}"),
    }
    assert!(
        err.to_string().contains("cannot pay the transaction fee"),
        "{err}"
    );

    let err = Client::connect_url("ws://127.0.0.1:1")
        .await
        .expect_err("nothing listens");
    assert!(
        err.to_string()
            .starts_with("cannot connect to ws://127.0.0.1:1:"),
        "{err}"
    );

    seal.abort();
    localnet.stop().await;
}

// ---- Commitment history (`nya_chain::client::history`) ----

use nya_chain::client::history::{HistoryEntry, HistoryQuery, Method};
use nya_chain::localnet::bench::signed_extrinsic;
use nya_chain::localnet::genesis::GenesisConfig;
use nya_metadata::runtime::calls::{CommitmentsCall, RuntimeCall};

/// Both methods' listing for `hotkey` (or the subnet), checked to report the same commitments.
async fn history_both(
    client: &Client,
    hotkey: Option<[u8; 32]>,
) -> (Vec<HistoryEntry>, Vec<HistoryEntry>) {
    let query = HistoryQuery::new(NETUID, hotkey);
    let walked = client
        .commitment_history(&query, Method::Walk, &|_| {})
        .await
        .expect("walk-back");
    let scanned = client
        .commitment_history(&query, Method::Scan, &|_| {})
        .await
        .expect("event scan");
    (walked, scanned)
}

/// `(block, uid, payload)` of each entry, for comparing listings.
fn summary(entries: &[HistoryEntry]) -> Vec<(u32, Option<u16>, Option<Commitment>)> {
    entries
        .iter()
        .map(|e| {
            let payload = e.commitment.as_ref().and_then(|c| c.payload.nya().cloned());
            (e.block, e.uid, payload)
        })
        .collect()
}

/// Registers `hotkey` under `coldkey` and funds it for its own fees; its uid.
async fn registered_miner(client: &Client, coldkey: &Keypair, hotkey: &Keypair) -> u16 {
    let uid = client
        .register(NETUID, coldkey, &hotkey.public_key())
        .await
        .expect("register")
        .uid();
    client
        .transfer(coldkey, &hotkey.public_key(), 2 * TAO)
        .await
        .expect("fund the hotkey");
    uid
}

#[tokio::test]
async fn history_lists_three_commits_by_walk_and_by_scan() {
    let (localnet, client) = start().await;
    let seal = sealer(localnet.node().clone());
    let bob = Keypair::dev("Bob");
    let miner = fresh("history-miner");
    let uid = registered_miner(&client, &bob, &miner).await;

    let commitments = [
        commitment('1', "h-1"),
        commitment('2', "h-2"),
        commitment('3', "h-3"),
    ];
    let mut expected = Vec::new();
    for c in &commitments {
        let included = client.commit(NETUID, &miner, c).await.expect("commit");
        // Empty blocks between commits, so the walk has gaps to jump.
        localnet.produce_blocks(3).await.expect("empty blocks");
        expected.push((included.block_number, Some(uid), Some(c.clone())));
    }

    let (walked, scanned) = history_both(&client, Some(miner.public_key())).await;
    assert_eq!(summary(&walked), expected);
    assert_eq!(summary(&scanned), expected);
    assert!(walked.iter().all(|e| e.event_index.is_none()), "{walked:?}");
    assert!(
        scanned.iter().all(|e| e.event_index.is_some()),
        "{scanned:?}"
    );
    assert!(walked.iter().all(|e| e.hotkey == miner.public_key()));

    // The whole subnet: the owner never committed, so the same three.
    let (walked, scanned) = history_both(&client, None).await;
    assert_eq!(summary(&walked), expected);
    assert_eq!(summary(&scanned), expected);

    // A range keeps only what was written inside it, by either method.
    let mut query = HistoryQuery::new(NETUID, Some(miner.public_key()));
    query.from_block = expected[1].0;
    query.to_block = Some(expected[2].0 - 1);
    for method in [Method::Walk, Method::Scan] {
        let progress = std::sync::Mutex::new(Vec::new());
        let ranged = client
            .commitment_history(&query, method, &|p| {
                progress.lock().expect("progress lock").push(p)
            })
            .await
            .expect("ranged history");
        assert_eq!(summary(&ranged), expected[1..2].to_vec(), "{method:?}");
        let last = *progress
            .lock()
            .expect("progress lock")
            .last()
            .expect("progress reported");
        assert_eq!(
            (last.done, last.total, last.found),
            (last.total, last.total, 1)
        );
    }

    // A range past the chain is refused with the reason.
    query.to_block = Some(u32::MAX);
    let err = client
        .commitment_history(&query, Method::Walk, &|_| {})
        .await
        .expect_err("beyond the best block");
    assert!(err.to_string().contains("the best block is"), "{err}");

    seal.abort();
    localnet.stop().await;
}

#[tokio::test]
async fn two_commits_in_one_block_as_each_method_sees_them() {
    let (localnet, client) = start().await;
    let seal = sealer(localnet.node().clone());
    let bob = Keypair::dev("Bob");
    let miner = fresh("double-miner");
    let uid = registered_miner(&client, &bob, &miner).await;
    let earlier = commitment('e', "d-0");
    let before = client
        .commit(NETUID, &miner, &earlier)
        .await
        .expect("first commit");
    seal.abort();

    // Both in the pool, then one block seals them (nonces n and n + 1).
    let first = commitment('f', "d-1");
    let second = commitment('5', "d-2");
    let call = |c: &Commitment| nya_chain::client::calls::set_commitment(NETUID, &c.to_info());
    let pending_first = client.submit(&call(&first), &miner).await.expect("pool");
    // `Client::submit` takes the nonce from the best block, which the pooled one already
    // holds: the second is signed with the next nonce and handed to the node directly.
    let nonce = client
        .at_best()
        .await
        .expect("best")
        .nonce(&miner.public_key())
        .await
        .expect("nonce");
    let node = localnet.node().clone();
    let second_call = RuntimeCall::Commitments(CommitmentsCall::set_commitment {
        netuid: NETUID,
        info: second.to_info(),
    });
    let bytes = signed_extrinsic(&miner, nonce + 1, second_call, node.genesis_hash());
    node.submit(bytes, None).expect("pool takes the second");
    let sealed = localnet.produce_blocks(1).await.expect("seal");
    let a = pending_first.wait().await.expect("first in block");
    assert_eq!(a.block_hash, sealed[0].0);
    assert!(a.has_event("Commitments", "Commitment"), "{a:?}");
    assert_eq!(
        client
            .at(a.block_hash)
            .await
            .expect("block")
            .nonce(&miner.public_key())
            .await
            .expect("nonce"),
        nonce + 2,
        "both commits are in the block"
    );
    let block = a.block_number;

    let (walked, scanned) = history_both(&client, Some(miner.public_key())).await;
    // State keeps the block's last value: the walk reports that one commitment.
    assert_eq!(
        summary(&walked),
        vec![
            (before.block_number, Some(uid), Some(earlier.clone())),
            (block, Some(uid), Some(second.clone())),
        ]
    );
    // The scan sees both events; both carry the block's final data, told apart by index.
    assert_eq!(
        summary(&scanned),
        vec![
            (before.block_number, Some(uid), Some(earlier)),
            (block, Some(uid), Some(second.clone())),
            (block, Some(uid), Some(second)),
        ]
    );
    let indexes: Vec<_> = scanned[1..].iter().map(|e| e.event_index).collect();
    assert!(
        matches!(indexes[..], [Some(x), Some(y)] if x < y),
        "{indexes:?}"
    );
    localnet.stop().await;
}

#[tokio::test]
async fn a_hotkey_deregistered_and_registered_again_keeps_its_history() {
    // Three slots (the owner's uid 0 is never pruned), no immunity, room to register often.
    let genesis = GenesisConfig::from_toml(
        r#"
        [[subnet]]
        netuid = 1
        owner_coldkey = "Alice"
        owner_hotkey = "Alice"
        max_allowed_uids = 3
        immunity_period = 0
        max_registrations_per_block = 10
        target_registrations_per_interval = 10
        "#,
    )
    .expect("genesis");
    let config = LocalnetConfig {
        port: 0,
        manual_seal: true,
        genesis,
        ..LocalnetConfig::default()
    };
    let localnet = spawn(config).await.expect("localnet starts");
    let client = Client::connect_url(&localnet.ws_url())
        .await
        .expect("client connects");
    let seal = sealer(localnet.node().clone());
    let (bob, charlie, dave) = (
        Keypair::dev("Bob"),
        Keypair::dev("Charlie"),
        Keypair::dev("Dave"),
    );
    let miner = fresh("rereg-miner");
    let other = fresh("rereg-other");
    let newcomer = fresh("rereg-newcomer");

    let first_uid = registered_miner(&client, &bob, &miner).await;
    assert_eq!(first_uid, 1);
    let (c1, c2, c3) = (
        commitment('7', "r-1"),
        commitment('8', "r-2"),
        commitment('9', "r-3"),
    );
    let b1 = client.commit(NETUID, &miner, &c1).await.expect("c1");
    let b2 = client.commit(NETUID, &miner, &c2).await.expect("c2");

    // The subnet fills (uid 2), then a newcomer replaces the earliest registered: the miner.
    assert_eq!(registered_miner(&client, &charlie, &other).await, 2);
    let newcomer_uid = registered_miner(&client, &dave, &newcomer).await;
    assert_eq!(newcomer_uid, first_uid);
    let at = client.at_best().await.expect("best");
    assert_eq!(
        at.uid(NETUID, &miner.public_key()).await.expect("uid"),
        None
    );
    let nc = client
        .commit(NETUID, &newcomer, &commitment('6', "r-n"))
        .await
        .expect("newcomer commits");

    // Registered again, the miner takes the other's uid and commits once more.
    let second_uid = client
        .register(NETUID, &bob, &miner.public_key())
        .await
        .expect("register again")
        .uid();
    assert_eq!(second_uid, 2);
    let b3 = client.commit(NETUID, &miner, &c3).await.expect("c3");

    let expected = vec![
        (b1.block_number, Some(first_uid), Some(c1)),
        (b2.block_number, Some(first_uid), Some(c2)),
        (b3.block_number, Some(second_uid), Some(c3)),
    ];
    let (walked, scanned) = history_both(&client, Some(miner.public_key())).await;
    assert_eq!(summary(&walked), expected);
    assert_eq!(summary(&scanned), expected);

    // The subnet: the miner's three and the newcomer's one, in block order.
    let (walked, scanned) = history_both(&client, None).await;
    for listing in [&walked, &scanned] {
        let who: Vec<_> = listing.iter().map(|e| (e.block, e.hotkey)).collect();
        let mut want = vec![
            (b1.block_number, miner.public_key()),
            (b2.block_number, miner.public_key()),
            (nc.block_number, newcomer.public_key()),
            (b3.block_number, miner.public_key()),
        ];
        want.sort();
        assert_eq!(who, want);
    }

    seal.abort();
    localnet.stop().await;
}

// ---- Weights, commit-reveal, stake and the metagraph (validator operations).

use nya_chain::client::weights::WeightsRefusal;
use nya_chain::client::{RevealOutcome, WeightsError, WeightsOutcome};
use subxt::dynamic::Value as DynValue;

/// `Sudo.sudo(AdminUtils.<setter>(netuid 1, value))` signed by Alice, the genesis sudo key.
async fn sudo_set(client: &Client, setter: &str, field: &str, value: DynValue) {
    let inner = DynValue::named_variant(setter, [("netuid", DynValue::u128(1)), (field, value)]);
    let call = subxt::dynamic::transaction(
        "Sudo",
        "sudo",
        (DynValue::unnamed_variant("AdminUtils", [inner]),),
    );
    client
        .subxt()
        .tx()
        .await
        .expect("transactions client")
        .sign_and_submit_then_watch_default(&call, &Keypair::dev("Alice"))
        .await
        .expect("the pool accepts sudo")
        .wait_for_finalized_success()
        .await
        .unwrap_or_else(|e| panic!("sudo {setter}: {e}"));
}

/// `Weights(netuid 1, uid)` at the best block.
async fn stored_weights(client: &Client, uid: u16) -> Vec<(u16, u16)> {
    let at = client.subxt().at_current_block().await.expect("best");
    at.storage()
        .try_fetch(
            subxt::dynamic::storage::<(u16, u16), Vec<(u16, u16)>>("SubtensorModule", "Weights"),
            (NETUID, uid),
        )
        .await
        .expect("read Weights")
        .map(|v| v.decode().expect("weights decode"))
        .unwrap_or_default()
}

/// Tempo 10, weights rate limit 0, commit-reveal as given; a miner registered by Bob; Alice
/// (the subnet owner, uid 0) staked and through an epoch so that she holds a permit.
async fn validator_network(commit_reveal: bool) -> (LocalnetHandle, Client, JoinHandle<()>, u16) {
    let (localnet, client) = start().await;
    let seal = sealer(localnet.node().clone());
    sudo_set(&client, "sudo_set_tempo", "tempo", DynValue::u128(10)).await;
    sudo_set(
        &client,
        "sudo_set_commit_reveal_weights_enabled",
        "enabled",
        DynValue::bool(commit_reveal),
    )
    .await;
    sudo_set(
        &client,
        "sudo_set_weights_set_rate_limit",
        "weights_set_rate_limit",
        DynValue::u128(0),
    )
    .await;
    let miner = fresh("weights-miner");
    let uid = client
        .register(NETUID, &Keypair::dev("Bob"), &miner.public_key())
        .await
        .expect("register miner")
        .uid();
    (localnet, client, seal, uid)
}

async fn stake_and_wait_an_epoch(localnet: &LocalnetHandle, client: &Client) {
    let alice = Keypair::dev("Alice");
    let included = client
        .add_stake(&alice, &alice.public_key(), NETUID, 100 * TAO)
        .await
        .expect("add_stake");
    assert!(
        included.has_event("SubtensorModule", "StakeAdded"),
        "{included:?}"
    );
    localnet.produce_blocks(12).await.expect("an epoch passes");
}

fn refused(result: Result<WeightsOutcome, WeightsError>, rule: &str) -> WeightsRefusal {
    match result {
        Err(WeightsError::Refused(refusal)) => {
            let text = WeightsError::Refused(refusal.clone()).to_string();
            assert!(text.starts_with("weights not submitted: "), "{text}");
            assert!(text.contains(rule), "{rule} in {text}");
            refusal
        }
        other => panic!("expected a refusal naming {rule}, got {other:?}"),
    }
}

#[tokio::test]
async fn a_staked_validator_sets_weights_and_each_rule_is_checked_before_submitting() {
    let (localnet, client, seal, miner) = validator_network(false).await;
    let alice = Keypair::dev("Alice");
    let dir = tempfile::tempdir().expect("state dir");
    let nonce = |client: &Client| {
        let client = client.clone();
        async move {
            client
                .at_best()
                .await
                .expect("best")
                .nonce(&Keypair::dev("Alice").public_key())
                .await
                .expect("nonce")
        }
    };
    let set = |uids: Vec<u16>, weights: Vec<f64>, key: Option<u64>| {
        let (client, alice, dir) = (client.clone(), alice.clone(), dir.path().to_owned());
        async move {
            client
                .set_weights(NETUID, &alice, &uids, &weights, key, &dir)
                .await
        }
    };

    // Before staking and an epoch, Alice has no permit for weights on the miner.
    let before = nonce(&client).await;
    let refusal = refused(
        set(vec![0, miner], vec![1.0, 1.0], None).await,
        "NeuronNoValidatorPermit",
    );
    assert_eq!(
        refusal,
        WeightsRefusal::NoPermit {
            netuid: NETUID,
            uid: 0
        }
    );
    assert_eq!(nonce(&client).await, before, "nothing was submitted");

    stake_and_wait_an_epoch(&localnet, &client).await;
    let before = nonce(&client).await;
    refused(
        set(vec![miner, miner], vec![1.0, 1.0], None).await,
        "DuplicateUids",
    );
    // MinAllowedWeights 5 is capped at the 2 uids in use.
    sudo_set(
        &client,
        "sudo_set_min_allowed_weights",
        "min_allowed_weights",
        DynValue::u128(5),
    )
    .await;
    refused(
        set(vec![miner], vec![1.0], None).await,
        "WeightVecLengthIsLow",
    );
    refused(
        set(vec![0, 7], vec![1.0, 1.0], None).await,
        "UidVecContainInvalidOne",
    );
    sudo_set(
        &client,
        "sudo_set_weights_version_key",
        "weights_version_key",
        DynValue::u128(7),
    )
    .await;
    let after_sudo = nonce(&client).await;
    assert_eq!(after_sudo, before + 2, "only the sudo calls were submitted");
    refused(
        set(vec![0, miner], vec![1.0, 3.0], Some(6)).await,
        "IncorrectWeightVersionKey",
    );
    assert_eq!(nonce(&client).await, after_sudo);

    // Normalised as the SDK does: [0.25, 0.75] max-upscales to [21845, 65535]; the default
    // version key is the subnet's.
    let outcome = set(vec![0, miner], vec![0.25, 0.75], None)
        .await
        .expect("set_weights");
    let WeightsOutcome::Set { weights, included } = outcome else {
        panic!("commit-reveal is off: {outcome:?}");
    };
    assert_eq!(weights.values, vec![21845, u16::MAX]);
    assert!(
        included.has_event("SubtensorModule", "WeightsSet"),
        "{included:?}"
    );
    assert_eq!(
        stored_weights(&client, 0).await,
        vec![(0, 21845), (miner, u16::MAX)]
    );

    sudo_set(
        &client,
        "sudo_set_weights_set_rate_limit",
        "weights_set_rate_limit",
        DynValue::u128(100),
    )
    .await;
    let refusal = refused(
        set(vec![0, miner], vec![1.0, 1.0], None).await,
        "SettingWeightsTooFast",
    );
    let WeightsRefusal::RateLimit { last, next, .. } = refusal else {
        panic!("rate limit expected: {refusal:?}");
    };
    assert_eq!(
        (last, next),
        (
            u64::from(included.block_number),
            u64::from(included.block_number) + 100
        )
    );
    assert!(
        std::fs::read_dir(dir.path()).expect("dir").next().is_none(),
        "no reveal state without commit-reveal"
    );

    seal.abort();
    localnet.stop().await;
}

#[tokio::test]
async fn commit_then_reveal_across_a_restart_from_the_persisted_salt() {
    let (localnet, client, seal, miner) = validator_network(true).await;
    let alice = Keypair::dev("Alice");
    let dir = tempfile::tempdir().expect("state dir");
    stake_and_wait_an_epoch(&localnet, &client).await;

    // Epochs of netuid 1 with tempo 10 are (block + 2) / 11: commit where the next block is
    // still in the commit's epoch, so the first reveal attempt is early.
    let best = || localnet.node().best().expect("best").0;
    sudo_set(
        &client,
        "sudo_set_min_allowed_weights",
        "min_allowed_weights",
        DynValue::u128(2),
    )
    .await;
    while (best() + 3) % 11 > 8 {
        localnet.produce_blocks(1).await.expect("block");
    }
    let outcome = client
        .set_weights(NETUID, &alice, &[miner], &[1.0], None, dir.path())
        .await;
    // One weight on another uid is below MinAllowedWeights 2: refused, nothing persisted.
    assert!(std::fs::read_dir(dir.path()).expect("dir").next().is_none());
    match outcome {
        Err(WeightsError::Refused(WeightsRefusal::TooFewWeights { .. })) => {}
        other => panic!("expected too few weights, got {other:?}"),
    }
    let outcome = client
        .set_weights(NETUID, &alice, &[0, miner], &[1.0, 2.0], None, dir.path())
        .await
        .expect("commit_weights");
    let WeightsOutcome::Committed { pending, included } = outcome else {
        panic!("commit-reveal is on: {outcome:?}");
    };
    assert!(
        included.has_event("SubtensorModule", "WeightsCommitted"),
        "{included:?}"
    );
    let store = client.reveal_store(dir.path(), NETUID, &alice.public_key());
    assert!(store.path().exists(), "the salt is on disk");
    assert_eq!(pending.commit_block, Some(included.block_number));
    let (from, until) = (
        pending.reveal_from.expect("window"),
        pending.reveal_until.expect("window"),
    );
    assert_eq!(until - from, 10, "one epoch of tempo 10");
    assert!(from > u64::from(included.block_number) + 1);

    let early = client
        .reveal_pending(NETUID, &alice, dir.path())
        .await
        .expect("reveal pending");
    assert!(
        matches!(early.as_slice(), [RevealOutcome::Waiting { .. }]),
        "{early:?}"
    );
    assert_eq!(stored_weights(&client, 0).await, Vec::new());

    // "Restart": drop the client and everything in memory, reach the window, reconnect.
    drop(client);
    drop(pending);
    let to_window = from.saturating_sub(u64::from(best()) + 1);
    localnet
        .produce_blocks(u32::try_from(to_window).expect("few blocks"))
        .await
        .expect("into the reveal window");
    let client = Client::connect_url(&localnet.ws_url())
        .await
        .expect("reconnect");
    let revealed = client
        .reveal_pending(NETUID, &alice, dir.path())
        .await
        .expect("reveal");
    let [RevealOutcome::Revealed { included, .. }] = revealed.as_slice() else {
        panic!("one reveal expected: {revealed:?}");
    };
    assert!(
        included.has_event("SubtensorModule", "WeightsRevealed"),
        "{included:?}"
    );
    assert!(u64::from(included.block_number) >= from);
    assert_eq!(
        stored_weights(&client, 0).await,
        vec![(0, 32768), (miner, u16::MAX)]
    );
    assert!(!store.path().exists(), "revealed commits leave the file");
    let nothing = client
        .reveal_pending(NETUID, &alice, dir.path())
        .await
        .expect("nothing pending");
    assert!(nothing.is_empty());

    seal.abort();
    localnet.stop().await;
}

#[tokio::test]
async fn metagraph_rows_are_what_was_registered_served_staked_and_committed() {
    let (localnet, client) = start().await;
    let seal = sealer(localnet.node().clone());
    let bob = Keypair::dev("Bob");
    let alice = Keypair::dev("Alice");
    let miner = fresh("metagraph-miner");
    let uid = client
        .register(NETUID, &bob, &miner.public_key())
        .await
        .expect("register")
        .uid();
    client
        .transfer(&bob, &miner.public_key(), 2 * TAO)
        .await
        .expect("fund hotkey");
    let endpoint = AxonEndpoint {
        ip: "10.0.0.9".parse().expect("ip"),
        port: 8092,
        protocol: 4,
    };
    client
        .serve_axon(NETUID, &miner, &endpoint)
        .await
        .expect("serve");
    let committed = client
        .commit(NETUID, &miner, &commitment('e', "t-m"))
        .await
        .expect("commit");

    let before = client
        .at_best()
        .await
        .expect("best")
        .metagraph(NETUID)
        .await
        .expect("mg");
    let staked = client
        .add_stake(&bob, &miner.public_key(), NETUID, 10 * TAO)
        .await
        .expect("stake");
    let at = client.at(staked.block_hash).await.expect("stake block");
    let graph = at.metagraph(NETUID).await.expect("metagraph");
    assert_eq!(graph.block, staked.block_number);
    let uids: Vec<u16> = graph.neurons.iter().map(|n| n.uid).collect();
    assert_eq!(
        uids,
        (0..u16::try_from(uids.len()).expect("few")).collect::<Vec<_>>()
    );
    let row = graph.by_uid(uid).expect("miner row");
    assert_eq!(row.hotkey, miner.public_key());
    assert_eq!(row.coldkey, bob.public_key());
    let axon = row.axon.expect("served");
    assert_eq!(
        (axon.ip, axon.port, axon.ip_type, axon.protocol),
        (0x0a00_0009, 8092, 4, 4)
    );
    assert_eq!(row.commitment_block, Some(committed.block_number));
    let staked_before = before.by_uid(uid).expect("row").stake;
    assert!(row.stake > staked_before, "{} > {staked_before}", row.stake);
    assert!(row.stake - staked_before <= 10 * TAO);
    let owner = graph.by_hotkey(&alice.public_key()).expect("owner row");
    assert_eq!(owner.uid, 0);
    assert_eq!(owner.commitment_block, None);
    assert_eq!(owner.axon, None);

    // Unstaking half the alpha lowers the row by exactly that much.
    let half = (row.stake - staked_before) / 2;
    let unstaked = client
        .remove_stake(&bob, &miner.public_key(), NETUID, half)
        .await
        .expect("unstake");
    let after = client
        .at(unstaked.block_hash)
        .await
        .expect("block")
        .metagraph(NETUID)
        .await
        .expect("metagraph");
    assert_eq!(after.by_uid(uid).expect("row").stake, row.stake - half);

    let params = at
        .hyperparams(NETUID)
        .await
        .expect("hyperparams")
        .expect("subnet 1 exists");
    assert_eq!(params.version, 2);
    let fields = params.fields();
    assert!(
        fields.contains(&("commit_reveal_weights_enabled", "true".to_owned())),
        "{fields:?}"
    );
    assert_eq!(at.hyperparams(77).await.expect("hyperparams"), None);
    let nobody = at.metagraph(77).await.expect("empty");
    assert!(nobody.neurons.is_empty());

    seal.abort();
    localnet.stop().await;
}
