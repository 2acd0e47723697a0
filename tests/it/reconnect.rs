//! A connection dropped in the middle of a submission is recovered without a second submission.
//!
//! The client talks to a manual-seal localnet through [`WsProxy`], which cuts the connection at
//! three points: before the node receives the transaction, after the node took it but before
//! the client heard back, and while the client follows its status. Each time the transfer
//! lands exactly once: the sender's nonce moves by one, the receiver is paid once, one
//! `Balances.Transfer` event, and the proxy counts what reached the node.

use std::time::Duration;

use nya_chain::client::{Client, Included, calls};
use nya_chain::keys::Keypair;
use nya_chain::localnet::{LocalnetConfig, LocalnetHandle, spawn};

use crate::ws_proxy::{OnSubmission, WsProxy};

const TAO: u64 = 1_000_000_000;
const AMOUNT: u64 = 7 * TAO;

async fn start() -> (LocalnetHandle, WsProxy, Client) {
    let config = LocalnetConfig {
        port: 0,
        manual_seal: true,
        ..LocalnetConfig::default()
    };
    let localnet = spawn(config).await.expect("localnet starts");
    let proxy = WsProxy::start(localnet.addr()).await;
    let client = Client::connect_url(&proxy.ws_url())
        .await
        .expect("client connects through the proxy");
    (localnet, proxy, client)
}

/// Waits until the node's pool holds `count` transactions.
async fn pool_holds(localnet: &LocalnetHandle, count: usize) {
    for _ in 0..400 {
        if localnet.node().pending_extrinsics().expect("pool").len() == count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the pool never held {count} transactions");
}

/// `account`'s nonce at the best block.
async fn nonce_of(client: &Client, account: &Keypair) -> u32 {
    let best = client.at_best().await.expect("best block");
    best.nonce(&account.public_key()).await.expect("nonce")
}

/// What the chain says after a recovered transfer from `sender` to `receiver`.
async fn assert_paid_once(
    client: &Client,
    localnet: &LocalnetHandle,
    included: &Included,
    sender: &Keypair,
    nonce_before: u32,
    receiver: &Keypair,
) {
    let transfers = included
        .events
        .iter()
        .filter(|e| e.pallet == "Balances" && e.name == "Transfer")
        .count();
    assert_eq!(transfers, 1, "{included:?}");
    // Another block: nothing left in the pool to land a second time.
    localnet.produce_blocks(1).await.expect("seal");
    assert!(
        localnet
            .node()
            .pending_extrinsics()
            .expect("pool")
            .is_empty()
    );
    assert_eq!(nonce_of(client, sender).await, nonce_before + 1);
    let now = client.at_best().await.expect("best block");
    assert_eq!(
        now.free_balance(&receiver.public_key())
            .await
            .expect("balance"),
        AMOUNT
    );
}

#[tokio::test]
async fn the_node_never_got_it_so_the_same_bytes_go_once_more() {
    let (localnet, proxy, client) = start().await;
    let alice = Keypair::dev("Alice");
    let receiver = Keypair::from_uri("//nya-reconnect/never-got-it").expect("dev uri");
    let nonce_before = nonce_of(&client, &alice).await;

    proxy.on_next_submission(OnSubmission::CutBeforeForwarding);
    let call = calls::transfer_keep_alive(&receiver.public_key(), AMOUNT);
    let pending = client.submit(&call, &alice).await.expect("submitted");
    let hash = pending.extrinsic_hash();
    let waiting = tokio::spawn(pending.wait());
    // The client finds the node without it and hands the same bytes over again.
    pool_holds(&localnet, 1).await;
    let pooled = localnet.node().pending_extrinsics().expect("pool");
    assert_eq!(sp_crypto_hashing::blake2_256(&pooled[0]), hash);
    localnet.produce_blocks(1).await.expect("seal");
    let included = tokio::time::timeout(Duration::from_secs(30), waiting)
        .await
        .expect("recovered in time")
        .expect("task")
        .expect("finalized");

    assert_eq!(included.extrinsic_hash, hash);
    assert_eq!(proxy.submissions_sent(), 2);
    assert_eq!(proxy.submissions_forwarded(), 1);
    assert!(proxy.connections() >= 2);
    assert_paid_once(
        &client,
        &localnet,
        &included,
        &alice,
        nonce_before,
        &receiver,
    )
    .await;
    localnet.stop().await;
}

#[tokio::test]
async fn the_node_took_it_and_the_answer_was_lost_so_nothing_is_sent_again() {
    let (localnet, proxy, client) = start().await;
    let bob = Keypair::dev("Bob");
    let receiver = Keypair::from_uri("//nya-reconnect/answer-lost").expect("dev uri");
    let nonce_before = nonce_of(&client, &bob).await;

    proxy.on_next_submission(OnSubmission::ForwardAndMuteAnswers);
    let call = calls::transfer_keep_alive(&receiver.public_key(), AMOUNT);
    let submitting = {
        let client = client.clone();
        tokio::spawn(async move { client.submit(&call, &bob).await?.wait().await })
    };
    // The node has it; the client is still waiting for the answer when the connection goes.
    pool_holds(&localnet, 1).await;
    proxy.cut();
    // Let the client reconnect and find it waiting in the pool before it is sealed.
    tokio::time::sleep(Duration::from_millis(600)).await;
    localnet.produce_blocks(1).await.expect("seal");
    let included = tokio::time::timeout(Duration::from_secs(30), submitting)
        .await
        .expect("recovered in time")
        .expect("task")
        .expect("finalized");

    assert_eq!(proxy.submissions_sent(), 1);
    assert_eq!(proxy.submissions_forwarded(), 1);
    assert!(proxy.connections() >= 2);
    let bob = Keypair::dev("Bob");
    assert_paid_once(&client, &localnet, &included, &bob, nonce_before, &receiver).await;
    localnet.stop().await;
}

#[tokio::test]
async fn the_status_stream_dropped_and_the_block_is_found_by_scanning() {
    let (localnet, proxy, client) = start().await;
    let charlie = Keypair::dev("Charlie");
    let receiver = Keypair::from_uri("//nya-reconnect/stream-dropped").expect("dev uri");
    let nonce_before = nonce_of(&client, &charlie).await;

    let call = calls::transfer_keep_alive(&receiver.public_key(), AMOUNT);
    let pending = client.submit(&call, &charlie).await.expect("submitted");
    let waiting = tokio::spawn(pending.wait());
    // Sealed while the client is cut off: the final status is never delivered.
    proxy.cut();
    let sealed = localnet.produce_blocks(1).await.expect("seal");
    let included = tokio::time::timeout(Duration::from_secs(30), waiting)
        .await
        .expect("recovered in time")
        .expect("task")
        .expect("finalized");

    assert_eq!(included.block_hash, sealed[0].0);
    assert_eq!(proxy.submissions_sent(), 1);
    assert_eq!(proxy.submissions_forwarded(), 1);
    assert_paid_once(
        &client,
        &localnet,
        &included,
        &charlie,
        nonce_before,
        &receiver,
    )
    .await;
    localnet.stop().await;
}

#[tokio::test]
async fn a_nonce_used_by_another_transaction_is_reported_not_resent() {
    let (localnet, proxy, client) = start().await;
    let dave = Keypair::dev("Dave");
    let receiver = Keypair::from_uri("//nya-reconnect/usurped").expect("dev uri");

    // The first transfer never reaches the node; a second client uses the same nonce meanwhile.
    proxy.on_next_submission(OnSubmission::CutBeforeForwarding);
    let call = calls::transfer_keep_alive(&receiver.public_key(), AMOUNT);
    let direct = Client::connect_url(&localnet.ws_url())
        .await
        .expect("direct client");
    let pending = client.submit(&call, &dave).await.expect("submitted");
    let other = calls::transfer_keep_alive(&receiver.public_key(), TAO);
    let other = direct.submit(&other, &dave).await.expect("other accepted");
    assert_eq!(other.nonce(), pending.nonce());
    localnet.produce_blocks(1).await.expect("seal");
    other.wait().await.expect("other finalized");

    let err = tokio::time::timeout(Duration::from_secs(30), pending.wait())
        .await
        .expect("settled in time")
        .expect_err("the nonce is gone");
    let text = err.to_string();
    assert!(text.contains("another transaction"), "{text}");
    assert!(text.contains("was not included"), "{text}");
    assert_eq!(proxy.submissions_forwarded(), 0);
    let now = client.at_best().await.expect("best");
    assert_eq!(
        now.free_balance(&receiver.public_key())
            .await
            .expect("balance"),
        TAO
    );
    localnet.stop().await;
}
