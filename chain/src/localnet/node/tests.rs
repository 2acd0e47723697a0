//! The node across a scheduled runtime upgrade: which runtime answers at each block, which
//! versions transactions must be signed for, what the upgrade block records, and how a
//! reopened chain remembers it.

use nya_metadata::runtime::apis::RuntimeVersion;
use nya_metadata::runtime::calls::{BalancesCall, RuntimeCall, SubtensorModuleCall};
use nya_metadata::runtime::dispatch::DispatchError;
use nya_metadata::runtime::era::Era;
use nya_metadata::runtime::extensions::{Mode, SignedExtra, signed_extra};
use nya_metadata::runtime::items::SYSTEM_EVENTS;
use nya_metadata::runtime::types::{AccountInfo, MultiAddress, MultiSignature};
use parity_scale_codec::{Decode, Encode};
use sp_crypto_hashing::blake2_256;

use super::*;
use crate::keys::Keypair;
use crate::localnet::extrinsic::{MAX_UNHASHED_PAYLOAD_LEN, Preamble, UncheckedExtrinsic};
use crate::localnet::runtime::system::{self, item_prefix};
use crate::localnet::state::get_or_default;

fn node(upgrade_at: Option<u32>, data_dir: Option<PathBuf>) -> Arc<Node> {
    Node::open(&NodeConfig {
        data_dir,
        genesis: GenesisConfig::default(),
        block_time_ms: 250,
        upgrade_at,
    })
    .expect("node opens")
}

/// An immortal extrinsic of `call` by `key`, signed for `spec`'s spec and transaction
/// versions (what a client that read that runtime's `Core_version` signs).
fn signed(node: &Node, key: &Keypair, nonce: u32, call: RuntimeCall, spec: RuntimeSpec) -> Vec<u8> {
    let extra: SignedExtra = signed_extra(Era::Immortal, nonce, 0, Mode::Disabled);
    let version = spec.runtime_version();
    let genesis = node.genesis_hash();
    let mut payload = call.encode();
    extra.encode_to(&mut payload);
    let implicit = (
        version.spec_version,
        version.transaction_version,
        genesis,
        genesis,
        None::<[u8; 32]>,
    );
    implicit.encode_to(&mut payload);
    if payload.len() > MAX_UNHASHED_PAYLOAD_LEN {
        payload = blake2_256(&payload).to_vec();
    }
    UncheckedExtrinsic {
        preamble: Preamble::Signed {
            address: MultiAddress::Id(AccountId32(key.public_key())),
            signature: MultiSignature::Sr25519(key.sign(&payload)),
            extra,
        },
        call,
    }
    .encode()
}

fn transfer(to: &Keypair, value: u64) -> RuntimeCall {
    RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
        dest: MultiAddress::Id(AccountId32(to.public_key())),
        value,
    })
}

fn version_at(node: &Node, at: H256) -> RuntimeVersion {
    let bytes = node
        .call(Some(at), "Core_version", &[])
        .expect("known block")
        .expect("Core_version runs");
    RuntimeVersion::decode(&mut &bytes[..]).expect("a RuntimeVersion")
}

fn header(node: &Node, number: u32) -> Header {
    node.with_store(|store| store.block_by_number(number))
        .expect("lock")
        .expect("store reads")
        .expect("block stored")
        .header
}

fn free(node: &Node, who: &Keypair) -> u64 {
    node.with_state(None, |state, _| {
        get_or_default::<AccountInfo>(state, &system::account_key(&AccountId32(who.public_key())))
            .map(|a| a.data.free)
    })
    .expect("best state")
    .expect("account decodes")
}

/// The raw `System.Events` of block `at`.
fn raw_events(node: &Node, at: H256) -> Vec<u8> {
    node.with_state(Some(at), |state, _| state.get(&item_prefix(SYSTEM_EVENTS)))
        .expect("known block")
        .expect("events written")
}

#[test]
fn node_without_an_upgrade_runs_spec_393_throughout() {
    let node = node(None, None);
    let hashes = node.produce_blocks(3).expect("blocks");
    assert_eq!(version_at(&node, node.genesis_hash()).spec_version, 393);
    for (hash, number) in hashes.iter().zip(1..) {
        assert_eq!(version_at(&node, *hash).spec_version, 393);
        let logs = header(&node, number).digest.logs;
        assert!(!logs.contains(&DigestItem::RuntimeEnvironmentUpdated));
    }
    assert_eq!(node.runtime_at(None).expect("best"), RuntimeSpec::Spec393);
}

#[test]
fn node_refuses_an_upgrade_at_genesis() {
    let config = NodeConfig {
        upgrade_at: Some(0),
        ..NodeConfig::default()
    };
    assert!(matches!(
        Node::open(&config),
        Err(NodeError::UpgradeAtGenesis)
    ));
}

#[test]
fn node_switches_runtime_at_the_scheduled_block() {
    let node = node(Some(3), None);
    let hashes = node.produce_blocks(4).expect("blocks");
    let genesis = node.genesis_hash();
    let at = |n: usize| hashes[n - 1];
    // Genesis, 1 and 2 hold spec 365; block 3 enacts the upgrade; 4 is built by 393.
    for (hash, spec) in [
        (genesis, 365),
        (at(1), 365),
        (at(2), 365),
        (at(3), 393),
        (at(4), 393),
    ] {
        assert_eq!(version_at(&node, hash).spec_version, spec);
    }
    for number in [1, 2, 4] {
        let logs = header(&node, number).digest.logs;
        assert!(
            !logs.contains(&DigestItem::RuntimeEnvironmentUpdated),
            "block {number}"
        );
    }
    let logs = header(&node, 3).digest.logs;
    assert_eq!(logs.last(), Some(&DigestItem::RuntimeEnvironmentUpdated));
    assert!(
        Digest { logs: logs.clone() }.aura_slot().is_some(),
        "Aura slot kept"
    );
    // Block 3's events hold System.CodeUpdated, at initialization.
    let code_updated = EventRecord {
        phase: Phase::Initialization,
        event: RuntimeEvent::System(SystemEvent::CodeUpdated),
        topics: Vec::new(),
    }
    .encode();
    let contains = |hash| {
        raw_events(&node, hash)
            .windows(code_updated.len())
            .any(|w| w == code_updated.as_slice())
    };
    assert!(contains(at(3)));
    assert!(!contains(at(2)) && !contains(at(4)));
    // Metadata follows the block: the 365 mirror before, 393 from the upgrade block.
    for (hash, spec) in [(at(2), RuntimeSpec::Spec365), (at(3), RuntimeSpec::Spec393)] {
        let bytes = node
            .call(Some(hash), "Metadata_metadata_at_version", &15u32.encode())
            .expect("known block")
            .expect("runs");
        let served = Option::<Vec<u8>>::decode(&mut &bytes[..]).expect("Option<OpaqueMetadata>");
        assert_eq!(served.as_deref(), spec.metadata(15));
    }
    assert_eq!(
        node.runtime_at(Some(at(2))).expect("known"),
        RuntimeSpec::Spec365
    );
    assert_eq!(node.runtime_at(None).expect("best"), RuntimeSpec::Spec393);
}

#[test]
fn node_checks_transactions_against_the_runtime_that_builds_the_next_block() {
    let node = node(Some(3), None);
    let (alice, bob) = (Keypair::dev("Alice"), Keypair::dev("Bob"));
    let before = free(&node, &bob);
    // Best is genesis (365): a 393 signature is a bad proof, a 365 one is accepted.
    let wrong = signed(
        &node,
        &alice,
        0,
        transfer(&bob, 1_000),
        RuntimeSpec::Spec393,
    );
    let err = node
        .submit(wrong, None)
        .expect_err("signed for the wrong spec");
    assert_eq!(err.code, 1010);
    assert_eq!(err.data.as_deref(), Some("Transaction has a bad signature"));
    let ok = signed(
        &node,
        &alice,
        0,
        transfer(&bob, 1_000),
        RuntimeSpec::Spec365,
    );
    node.submit(ok, None).expect("365 transaction accepted");
    node.produce_blocks(2).expect("blocks 1, 2");
    assert_eq!(free(&node, &bob), before + 1_000);
    // Best is 2: block 3 is still built by 365, so a 365 transaction goes into it.
    let in_upgrade_block = signed(
        &node,
        &alice,
        1,
        transfer(&bob, 2_000),
        RuntimeSpec::Spec365,
    );
    node.submit(in_upgrade_block, None)
        .expect("accepted for block 3");
    node.produce_blocks(1).expect("block 3");
    assert_eq!(free(&node, &bob), before + 3_000);
    // After the upgrade a transaction signed for 365 is refused, one for 393 goes in.
    let stale = signed(
        &node,
        &alice,
        2,
        transfer(&bob, 4_000),
        RuntimeSpec::Spec365,
    );
    let err = node
        .submit(stale, None)
        .expect_err("signed for the old runtime");
    assert_eq!(err.code, 1010);
    assert_eq!(err.data.as_deref(), Some("Transaction has a bad signature"));
    let fresh = signed(
        &node,
        &alice,
        2,
        transfer(&bob, 8_000),
        RuntimeSpec::Spec393,
    );
    node.submit(fresh, None).expect("393 transaction accepted");
    node.produce_blocks(1).expect("block 4");
    assert_eq!(free(&node, &bob), before + 11_000);
}

#[test]
fn node_drops_a_pooled_old_transaction_once_the_new_runtime_builds() {
    let node = node(Some(1), None);
    let (alice, bob) = (Keypair::dev("Alice"), Keypair::dev("Bob"));
    let before = free(&node, &bob);
    // Signed for 365 with a nonce gap, it waits in the pool past the upgrade block.
    let waiting = signed(
        &node,
        &alice,
        1,
        transfer(&bob, 2_000),
        RuntimeSpec::Spec365,
    );
    node.submit(waiting, None).expect("accepted as future");
    node.produce_blocks(1).expect("block 1 (the upgrade)");
    let first = signed(
        &node,
        &alice,
        0,
        transfer(&bob, 1_000),
        RuntimeSpec::Spec393,
    );
    node.submit(first, None).expect("accepted");
    node.produce_blocks(1).expect("block 2, built by 393");
    assert_eq!(
        free(&node, &bob),
        before + 1_000,
        "only the 393 one went in"
    );
    assert!(
        node.pending_extrinsics().expect("pool").is_empty(),
        "the 365 one was dropped"
    );
}

#[test]
fn node_writes_events_in_the_building_runtimes_numbering() {
    let node = node(Some(3), None);
    let alice = Keypair::dev("Alice");
    let register = |netuid| {
        RuntimeCall::SubtensorModule(SubtensorModuleCall::burned_register {
            netuid,
            hotkey: AccountId32([7; 32]),
        })
    };
    // SubnetNotExists is SubtensorModule error 73 in spec 365, 75 in spec 393.
    let failed_with = |hash| -> Option<DispatchError> {
        let events = raw_events(&node, hash);
        let records = Vec::<EventRecord<RuntimeEvent>>::decode(&mut &events[..]).ok()?;
        records.into_iter().find_map(|r| match r.event {
            RuntimeEvent::System(SystemEvent::ExtrinsicFailed { dispatch_error, .. }) => {
                Some(dispatch_error)
            }
            _ => None,
        })
    };
    let old = signed(&node, &alice, 0, register(99), RuntimeSpec::Spec365);
    node.submit(old, None).expect("accepted");
    let block1 = node.produce_block().expect("block 1");
    assert_eq!(failed_with(block1), Some(DispatchError::module(7, 73)));
    node.produce_blocks(2).expect("blocks 2, 3");
    let new = signed(&node, &alice, 1, register(99), RuntimeSpec::Spec393);
    node.submit(new, None).expect("accepted");
    let block4 = node.produce_block().expect("block 4");
    assert_eq!(failed_with(block4), Some(DispatchError::module(7, 75)));
}

#[test]
fn node_reopened_remembers_each_blocks_runtime() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = Some(dir.path().to_path_buf());
    let hashes = {
        let node = node(Some(3), data_dir.clone());
        node.produce_blocks(5).expect("blocks")
    };
    // Reopened without a schedule: the history stays, the chain stays on 393.
    let node_again = node(None, data_dir.clone());
    let specs = node_again.lock().expect("lock").specs;
    assert_eq!(
        specs,
        SpecHistory {
            genesis: RuntimeSpec::Spec365,
            upgraded_at: Some(3)
        }
    );
    assert_eq!(version_at(&node_again, hashes[1]).spec_version, 365);
    assert_eq!(version_at(&node_again, hashes[2]).spec_version, 393);
    let next = node_again.produce_block().expect("block 6");
    assert_eq!(version_at(&node_again, next).spec_version, 393);
    drop(node_again);

    // A chain still on 365 stays there without a schedule, and upgrades at its next block
    // when reopened with one already passed.
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = Some(dir.path().to_path_buf());
    node(Some(10), data_dir.clone())
        .produce_blocks(2)
        .expect("blocks");
    let unscheduled = node(None, data_dir.clone());
    let third = unscheduled.produce_block().expect("block 3");
    assert_eq!(version_at(&unscheduled, third).spec_version, 365);
    drop(unscheduled);
    let passed = node(Some(2), data_dir);
    let fourth = passed.produce_block().expect("block 4");
    assert_eq!(version_at(&passed, fourth).spec_version, 393);
    assert_eq!(
        header(&passed, 4).digest.logs.last(),
        Some(&DigestItem::RuntimeEnvironmentUpdated)
    );
}
