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
