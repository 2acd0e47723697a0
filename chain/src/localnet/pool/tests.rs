//! Pool behaviour: ready/future queues, refusals with Substrate's RPC errors, limits, bans,
//! block order and pruning after a block.

use std::sync::LazyLock;

use nya_metadata::runtime::calls::{BalancesCall, RuntimeCall, SystemCall};
use nya_metadata::runtime::types::{AccountData, AccountInfo, MultiAddress};
use parity_scale_codec::Encode;
use sp_crypto_hashing::blake2_256;

use super::*;
use crate::keys::Keypair;
use crate::localnet::extrinsic::{
    NORMAL_DISPATCH_PRIORITY, OPERATIONAL_DISPATCH_PRIORITY, Preamble, UncheckedExtrinsic,
};
use crate::localnet::runtime::system;
use crate::localnet::state::MemoryState;

fn who(n: u8) -> AccountId32 {
    AccountId32([n; 32])
}

/// A checked transaction of `size` bytes from sender `n` with `nonce`, as `check` would
/// return it for an account whose nonce is `account_nonce`.
fn tx(n: u8, nonce: u32, account_nonce: u32, priority: u64, size: usize) -> Checked {
    let mut encoded = (n, nonce, priority).encode();
    encoded.resize(size.max(encoded.len()), 0xee);
    let sender = who(n);
    Checked {
        hash: H256(blake2_256(&encoded)),
        call: SignedCall {
            signer: sender,
            nonce,
            tip: 0,
            call: RuntimeCall::System(SystemCall::remark { remark: vec![] }),
            encoded_len: u32::try_from(encoded.len()).unwrap(),
        },
        encoded,
        priority,
        longevity: 64,
        valid_till: 100 + 64,
        provides: (sender, nonce),
        requires: (nonce > account_nonce).then(|| (sender, nonce - 1)),
        account_nonce,
    }
}

fn normal(n: u8, nonce: u32, account_nonce: u32) -> Checked {
    tx(n, nonce, account_nonce, NORMAL_DISPATCH_PRIORITY, 100)
}

fn hashes(txs: &[PooledTx]) -> Vec<H256> {
    txs.iter().map(|tx| tx.hash).collect()
}

fn at(start: Instant, seconds: u64) -> Instant {
    start + Duration::from_secs(seconds)
}

#[test]
fn pool_promotes_future_transactions_when_the_gap_fills() {
    let now = Instant::now();
    let mut pool = Pool::default();
    let (a0, a1, a2) = (normal(1, 0, 0), normal(1, 1, 0), normal(1, 2, 0));
    let (h0, h1, h2) = (a0.hash, a1.hash, a2.hash);
    pool.submit(a0, now).unwrap();
    pool.submit(a2, now).unwrap();
    assert_eq!(pool.is_ready(&h0), Some(true));
    assert_eq!(pool.is_ready(&h2), Some(false));
    assert_eq!(pool.next_index(&who(1), 0), 1, "stops at the gap");
    assert_eq!(hashes(&pool.ready_for_block(|_| 0)), vec![h0]);
    pool.submit(a1, now).unwrap();
    assert_eq!(pool.is_ready(&h2), Some(true));
    assert_eq!(pool.next_index(&who(1), 0), 3);
    assert_eq!(
        pool.next_index(&who(2), 7),
        7,
        "nothing pooled: the state's nonce"
    );
    assert_eq!(hashes(&pool.ready_for_block(|_| 0)), vec![h0, h1, h2]);
    assert_eq!(
        pool.take_events(),
        vec![
            PoolEvent::Ready(h0),
            PoolEvent::Future(h2),
            PoolEvent::Ready(h1),
            PoolEvent::Ready(h2),
        ]
    );
    assert!(pool.take_events().is_empty());
}

#[test]
fn pool_refuses_duplicates_and_equal_priority_replacements() {
    let now = Instant::now();
    let mut pool = Pool::default();
    let first = normal(1, 0, 0);
    let hash = first.hash;
    pool.submit(first.clone(), now).unwrap();
    let error = pool.submit(first, now).unwrap_err();
    assert_eq!(error, PoolError::AlreadyImported(hash));
    assert_eq!(
        error.rpc_error(),
        RpcError::with_data(
            1013,
            "Transaction Already Imported",
            format!("0x{}", hex::encode(hash.0))
        )
    );
    // Another transaction for the same sender and nonce, same (flat) priority.
    let rival = tx(1, 0, 0, NORMAL_DISPATCH_PRIORITY, 120);
    let error = pool.submit(rival, now).unwrap_err();
    assert_eq!(error, PoolError::TooLowPriority { old: 1, new: 1 });
    assert_eq!(
        error.rpc_error(),
        RpcError::with_data(
            1014,
            "Priority is too low: (1 vs 1)",
            "The transaction has too low priority to replace another transaction already in the pool."
        )
    );
    // A higher priority replaces it.
    let better = tx(1, 0, 0, OPERATIONAL_DISPATCH_PRIORITY, 120);
    let better_hash = better.hash;
    pool.submit(better, now).unwrap();
    assert_eq!(pool.len(), 1);
    assert!(pool.get(&hash).is_none());
    assert!(pool.take_events().contains(&PoolEvent::Usurped {
        hash,
        by: better_hash
    }));
}

#[test]
fn pool_orders_blocks_by_priority_then_age_within_nonce_order() {
    let now = Instant::now();
    let mut pool = Pool::default();
    let a0 = normal(1, 0, 0);
    let b0 = normal(2, 0, 0);
    let a1 = normal(1, 1, 0);
    let b1 = normal(2, 1, 0);
    let c0 = tx(3, 0, 0, OPERATIONAL_DISPATCH_PRIORITY, 100);
    let d5 = normal(4, 5, 3); // waits for nonces 3 and 4
    let expected = vec![c0.hash, a0.hash, b0.hash, a1.hash, b1.hash];
    for checked in [a0, b0, a1, b1, c0, d5] {
        pool.submit(checked, now).unwrap();
    }
    assert_eq!(hashes(&pool.ready_for_block(|_| 0)), expected);
    assert_eq!(
        pool.pending().iter().map(|tx| tx.hash).collect::<Vec<_>>(),
        expected
    );
    // On a state where sender 1 already used nonce 0 and sender 4 reached 5.
    let order = hashes(&pool.ready_for_block(|sender| match sender.0[0] {
        1 => 1,
        4 => 5,
        _ => 0,
    }));
    assert_eq!(order.len(), 5);
    assert!(
        !order.contains(&expected[1]),
        "a stale nonce is not offered"
    );
    assert!(
        order.contains(&normal(4, 5, 3).hash),
        "the gap closed on chain"
    );
}

#[test]
fn pool_limits_drop_the_newest_lowest_priority_transaction() {
    let now = Instant::now();
    let limits = PoolLimits {
        ready_count: 2,
        future_count: 1,
        ..PoolLimits::default()
    };
    let mut pool = Pool::new(limits);
    let first = normal(1, 0, 0);
    let second = normal(2, 0, 0);
    pool.submit(first.clone(), now).unwrap();
    pool.submit(second.clone(), now).unwrap();
    let error = pool.submit(normal(3, 0, 0), now).unwrap_err();
    assert_eq!(error, PoolError::ImmediatelyDropped);
    assert_eq!(
        error.rpc_error(),
        RpcError::with_data(
            1016,
            "Immediately Dropped",
            "The transaction couldn't enter the pool because of the limit"
        )
    );
    assert_eq!(pool.len(), 2);
    pool.take_events();
    // An operational transaction pushes out the newest normal one.
    let urgent = tx(4, 0, 0, OPERATIONAL_DISPATCH_PRIORITY, 100);
    pool.submit(urgent.clone(), now).unwrap();
    assert!(pool.get(&second.hash).is_none());
    assert!(pool.get(&first.hash).is_some());
    assert_eq!(
        pool.take_events(),
        vec![
            PoolEvent::Ready(urgent.hash),
            PoolEvent::Dropped(second.hash)
        ]
    );
    // The future queue has its own limit.
    pool.submit(normal(5, 3, 0), now).unwrap();
    assert_eq!(
        pool.submit(normal(6, 3, 0), now).unwrap_err(),
        PoolError::ImmediatelyDropped
    );
}

#[test]
fn pool_byte_limit_counts_encoded_lengths() {
    let now = Instant::now();
    let mut pool = Pool::new(PoolLimits {
        ready_bytes: 250,
        ..PoolLimits::default()
    });
    pool.submit(tx(1, 0, 0, 1, 200), now).unwrap();
    assert_eq!(
        pool.submit(tx(2, 0, 0, 1, 60), now).unwrap_err(),
        PoolError::ImmediatelyDropped
    );
    pool.submit(tx(2, 0, 0, 1, 50), now).unwrap();
}

#[test]
fn pool_removing_a_transaction_removes_its_dependents() {
    let now = Instant::now();
    let mut pool = Pool::default();
    let txs: Vec<Checked> = (0..4).map(|nonce| normal(1, nonce, 0)).collect();
    let all: Vec<H256> = txs.iter().map(|t| t.hash).collect();
    for checked in txs {
        pool.submit(checked, now).unwrap();
    }
    pool.take_events();
    assert_eq!(pool.remove(&[all[1]]), vec![all[1], all[2], all[3]]);
    assert_eq!(pool.len(), 1);
    assert_eq!(
        pool.take_events(),
        vec![
            PoolEvent::Dropped(all[1]),
            PoolEvent::Dropped(all[2]),
            PoolEvent::Dropped(all[3])
        ]
    );
    assert_eq!(pool.remove_invalid(&[all[0]], now), vec![all[0]]);
    assert!(pool.is_empty());
    assert!(pool.is_banned(&all[0], now));
}

#[test]
fn pool_after_a_block_prunes_included_stale_and_expired_and_promotes() {
    let start = Instant::now();
    let mut pool = Pool::default();
    let a0 = normal(1, 0, 0);
    let a1 = normal(1, 1, 0);
    let b0 = normal(2, 0, 0);
    let b2 = normal(2, 2, 0);
    let mut short = normal(3, 0, 0);
    short.valid_till = 101;
    for checked in [
        a0.clone(),
        a1.clone(),
        b0.clone(),
        b2.clone(),
        short.clone(),
    ] {
        pool.submit(checked, start).unwrap();
    }
    pool.take_events();
    // Block 102 included a0; b0 and b1 were applied from elsewhere (Bob's nonce is now 2).
    let invalid = pool.on_block_imported(
        102,
        &[a0.hash],
        |sender| match sender.0[0] {
            1 => 1,
            2 => 2,
            _ => 0,
        },
        at(start, 1),
    );
    assert_eq!(invalid, vec![b0.hash, short.hash]);
    assert_eq!(pool.len(), 2);
    assert_eq!(
        pool.is_ready(&b2.hash),
        Some(true),
        "promoted: the gap closed on chain"
    );
    assert_eq!(
        pool.take_events(),
        vec![
            PoolEvent::Invalid(b0.hash),
            PoolEvent::Invalid(short.hash),
            PoolEvent::Ready(b2.hash),
        ]
    );
    // Included and invalid hashes are banned for the ban time.
    assert_eq!(
        pool.submit(a0.clone(), at(start, 2)).unwrap_err(),
        PoolError::TemporarilyBanned(a0.hash)
    );
    assert_eq!(
        PoolError::TemporarilyBanned(a0.hash).rpc_error(),
        RpcError::new(1012, "Transaction is temporarily banned")
    );
    assert!(pool.is_banned(&b0.hash, at(start, 2)));
    assert!(
        !pool.is_banned(&a0.hash, at(start, 1 + 30 * 60)),
        "bans expire"
    );
    assert_eq!(
        hashes(&pool.ready_for_block(|s| if s.0[0] == 1 { 1 } else { 2 })),
        vec![a1.hash, b2.hash]
    );
}

#[test]
fn pool_forgets_the_oldest_bans_beyond_its_limit() {
    let start = Instant::now();
    let mut pool = Pool::new(PoolLimits {
        max_banned: 2,
        ..PoolLimits::default()
    });
    let hashes: Vec<H256> = (0..3).map(|n| H256([n; 32])).collect();
    for (second, hash) in hashes.iter().enumerate() {
        pool.ban(*hash, at(start, u64::try_from(second).unwrap()));
    }
    assert!(!pool.is_banned(&hashes[0], at(start, 3)));
    assert!(pool.is_banned(&hashes[1], at(start, 3)));
    assert!(pool.is_banned(&hashes[2], at(start, 3)));
}

// ---------------------------------------------------------------------------------------
// Through `submit_bytes`: real extrinsics, validation, bans.

const BEST: u32 = 10;

fn chain() -> ChainContext {
    ChainContext {
        spec_version: 393,
        transaction_version: 1,
        best_number: BEST,
        best_hash: H256([0xbe; 32]),
    }
}

static ALICE: LazyLock<Keypair> = LazyLock::new(|| Keypair::dev("Alice"));

fn world(alice_nonce: u32) -> MemoryState {
    let mut state = MemoryState::default();
    state
        .0
        .insert(system::block_hash_key(0), H256([0x11; 32]).encode());
    let info = AccountInfo {
        nonce: alice_nonce,
        providers: 1,
        data: AccountData {
            free: 1_000_000_000_000,
            ..AccountData::default()
        },
        ..AccountInfo::default()
    };
    state.0.insert(
        system::account_key(&AccountId32(ALICE.public_key())),
        info.encode(),
    );
    state
}

/// A transfer Alice signs with `nonce`; `corrupt` flips a signature bit.
fn alice_transfer(nonce: u32, value: u64, corrupt: bool) -> Vec<u8> {
    use nya_metadata::runtime::era::Era;
    use nya_metadata::runtime::extensions::*;
    let alice = &*ALICE;
    let call = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
        dest: MultiAddress::Id(who(9)),
        value,
    });
    let extra = signed_extra(Era::Immortal, nonce, 0, Mode::Disabled);
    let mut payload = call.encode();
    extra.encode_to(&mut payload);
    (
        393u32,
        1u32,
        H256([0x11; 32]),
        H256([0x11; 32]),
        None::<[u8; 32]>,
    )
        .encode_to(&mut payload);
    let mut signature = alice.sign(&payload);
    if corrupt {
        signature[0] ^= 1;
    }
    UncheckedExtrinsic {
        preamble: Preamble::Signed {
            address: MultiAddress::Id(AccountId32(alice.public_key())),
            signature: nya_metadata::runtime::types::MultiSignature::Sr25519(signature),
            extra,
        },
        call,
    }
    .encode()
}

#[test]
fn pool_submit_bytes_validates_bans_invalid_and_refuses_repeats() {
    let now = Instant::now();
    let mut pool = Pool::default();
    let state = world(0);
    let good = alice_transfer(0, 10, false);
    let hash = pool.submit_bytes(&good, &chain(), &state, now).unwrap();
    assert_eq!(hash, H256(blake2_256(&good)));
    assert_eq!(
        pool.submit_bytes(&good, &chain(), &state, now)
            .unwrap_err()
            .rpc_error()
            .code,
        1013
    );
    // A nonce ahead waits; the next index counts only the gap-free run.
    pool.submit_bytes(&alice_transfer(2, 10, false), &chain(), &state, now)
        .unwrap();
    assert_eq!(pool.next_index(&AccountId32(ALICE.public_key()), 0), 1);

    let bad = alice_transfer(1, 10, true);
    let error = pool.submit_bytes(&bad, &chain(), &state, now).unwrap_err();
    assert_eq!(
        error.rpc_error(),
        RpcError::with_data(
            1010,
            "Invalid Transaction",
            "Transaction has a bad signature"
        )
    );
    // Substrate bans what it found invalid: the same bytes now meet the ban first.
    assert_eq!(
        pool.submit_bytes(&bad, &chain(), &state, now)
            .unwrap_err()
            .rpc_error(),
        RpcError::new(1012, "Transaction is temporarily banned")
    );
    // Garbage is not banned (it has no transaction hash a node would remember).
    let garbage = [0x08, 0x84, 0x00];
    let first = pool
        .submit_bytes(&garbage, &chain(), &state, now)
        .unwrap_err();
    let second = pool
        .submit_bytes(&garbage, &chain(), &state, now)
        .unwrap_err();
    assert_eq!(first.rpc_error(), second.rpc_error());
    assert_eq!(first.rpc_error().code, 1002);
    // A stale nonce after the block moved on.
    let stale = pool
        .submit_bytes(&alice_transfer(0, 11, false), &chain(), &world(1), now)
        .unwrap_err();
    assert_eq!(
        stale.rpc_error().data.as_deref(),
        Some("Transaction is outdated")
    );
    assert_eq!(pool.len(), 2);
}
