//! The bench machinery at tiny sizes: it counts what it did correctly (every transfer applied,
//! balances and nonces moved, reads see the right states, the subnet filled). No timing is
//! asserted: speed is the bench's output, not a test's.

use nya_metadata::runtime::types::AccountInfo;

use super::*;
use crate::keys::Keypair;
use crate::localnet::runtime::fees;

fn tiny() -> BenchConfig {
    BenchConfig {
        accounts: 6,
        transactions: 20,
        reads: 40,
        neurons: 6,
        validators: 3,
        tempo: 3,
        epochs: 1,
        seed: 7,
    }
}

fn memory_node(genesis: &GenesisConfig) -> Arc<Node> {
    open(&BenchStore::Memory, "transfers", genesis).unwrap()
}

#[test]
fn bench_keys_are_the_uris_substrate_derives() {
    let keys = BenchKeys::derive(3).unwrap();
    assert_eq!(keys.len(), 3);
    for i in 0..3 {
        let expected = Keypair::from_uri(&BenchKeys::uri(i)).unwrap().public_key();
        assert_eq!(keys.ids()[i].0, expected, "{}", BenchKeys::uri(i));
    }
    assert_ne!(keys.ids()[0], keys.ids()[1]);
}

#[test]
fn bench_transfers_are_all_applied_and_move_balances_and_nonces() {
    let config = tiny();
    let keys = BenchKeys::derive(6).unwrap();
    let node = memory_node(&transfer_genesis(&config, &keys));
    let transfers = sign_transfers(&keys, &config, node.genesis_hash()).unwrap();
    assert_eq!(transfers.len(), 20);
    // Batches of 7 (the pool limit's stand-in): three rounds of admission and blocks.
    let (report, before) = run_transfers(&node, &transfers, 7, "memory").unwrap();
    assert_eq!(before, 0);
    assert_eq!((report.transactions, report.applied), (20, 20));
    assert!(report.blocks >= 3, "{} blocks", report.blocks);
    assert_eq!(node.best().unwrap().0 as u64, report.blocks);

    // Sender k % 6 pays value + fee; k % 6 + 1 receives the value.
    let mut sent = [0u64; 6];
    let mut fees_paid = [0u64; 6];
    let mut received = [0u64; 6];
    for (k, bytes) in transfers.iter().enumerate() {
        let call = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
            dest: MultiAddress::Id(keys.ids()[(k % 6 + 1) % 6]),
            value: TRANSFER_VALUE,
        });
        let (fee, _) = fees::fee_for(&call, bytes.len() as u32);
        assert!(fee > 0);
        sent[k % 6] += 1;
        fees_paid[k % 6] += fee;
        received[(k % 6 + 1) % 6] += 1;
    }
    node.with_state(None, |state, _| {
        for i in 0..6 {
            let info: AccountInfo = get_decoded(state, &system::account_key(&keys.ids()[i]))
                .unwrap()
                .unwrap();
            assert_eq!(u64::from(info.nonce), sent[i], "nonce of account {i}");
            assert_eq!(
                info.data.free,
                ACCOUNT_BALANCE - sent[i] * TRANSFER_VALUE - fees_paid[i]
                    + received[i] * TRANSFER_VALUE,
                "balance of account {i}"
            );
        }
    })
    .unwrap();

    // Reads: every pick finds its account; the head sees the new nonces, genesis none.
    let reads = run_reads(&node, &keys, &config, before, "memory").unwrap();
    assert_eq!(
        (reads.reads, reads.head_found, reads.historical_found),
        (40, 40, 40)
    );
    let expected_nonces: u64 = (0..40).map(|i| sent[pick(7, i, 6)]).sum();
    assert_eq!(reads.head_nonce_sum, expected_nonces);
    assert!(expected_nonces > 0);
    assert_eq!(reads.historical_nonce_sum, 0);
    assert_eq!(reads.historical_block, 0);
}

#[test]
fn bench_a_refused_transfer_is_an_error_naming_it() {
    let config = tiny();
    let keys = BenchKeys::derive(6).unwrap();
    let node = memory_node(&transfer_genesis(&config, &keys));
    // Signed for another chain: a bad proof.
    let transfers = sign_transfers(&keys, &config, H256([9; 32])).unwrap();
    let err = run_transfers(&node, &transfers, 7, "memory").unwrap_err();
    assert!(
        matches!(&err, BenchError::Refused { index: 0, error, .. } if error.code == 1010),
        "{err}"
    );
}

#[test]
fn bench_subnet_fills_every_uid_and_measures_an_epoch() {
    let config = tiny();
    let keys = BenchKeys::derive(6).unwrap();
    let node = open(
        &BenchStore::Memory,
        "subnet",
        &subnet_genesis(&config, &keys),
    )
    .unwrap();
    let report = run_subnet(&node, &keys, &config, "memory").unwrap();
    assert_eq!((report.neurons, report.validators, report.tempo), (6, 3, 3));
    assert_eq!(report.weights_stored, 3 * 6);
    let registrations: u64 = report
        .setup
        .iter()
        .filter(|b| b.kind == BlockKind::Registrations)
        .map(|b| b.extrinsics)
        .sum();
    let stakes: u64 = report
        .setup
        .iter()
        .filter(|b| b.kind == BlockKind::Stakes)
        .map(|b| b.extrinsics)
        .sum();
    assert_eq!((registrations, stakes), (5, 3));
    assert_eq!(
        report.setup.last().map(|b| b.kind),
        Some(BlockKind::Epoch),
        "setup ends with the epoch that gives permits"
    );
    let weights: u64 = report
        .measured
        .iter()
        .filter(|b| b.kind == BlockKind::Weights)
        .map(|b| b.extrinsics)
        .sum();
    assert_eq!(weights, 3);
    assert!(
        report
            .measured
            .iter()
            .any(|b| is_epoch_block(3, NETUID, u64::from(b.number))),
        "the measured blocks include an epoch"
    );
    // Blocks are numbered without gaps from 1.
    let numbers: Vec<u32> = report
        .setup
        .iter()
        .chain(&report.measured)
        .map(|b| b.number)
        .collect();
    assert_eq!(numbers, (1..=numbers.len() as u32).collect::<Vec<_>>());
    // The stakes and weights are on chain: uid 1 has a permit and uid 0 a weights row.
    node.with_state(None, |state, _| {
        let permits = st::VALIDATOR_PERMIT.get(state, &NETUID).unwrap();
        assert_eq!(permits, [true, true, true, false, false, false]);
        assert_eq!(st::WEIGHTS.get(state, &(NETUID, 2)).unwrap().len(), 6);
        assert!(st::WEIGHTS.get(state, &(NETUID, 3)).unwrap().is_empty());
    })
    .unwrap();
}

#[test]
fn bench_runs_on_memory_and_disk_and_refuses_a_used_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let stores = [BenchStore::Memory, BenchStore::Disk(dir.path().to_owned())];
    let mut heard = Vec::new();
    let report = run(&tiny(), &stores, &mut |m| heard.push(m.to_owned())).unwrap();
    assert_eq!(report.transfers.len(), 2);
    assert_eq!(report.reads.len(), 2);
    assert_eq!(report.subnet.len(), 2);
    assert_eq!(report.rpc.len(), 1, "over RPC on the first store only");
    assert_eq!(
        (report.rpc[0].transactions, report.rpc[0].applied),
        (20, 20)
    );
    assert_eq!(report.rpc[0].store, "memory");
    assert_eq!(report.transfers[1].store, dir.path().display().to_string());
    for t in &report.transfers {
        assert_eq!((t.transactions, t.applied), (20, 20));
    }
    // Same genesis, same transactions: both stores end in the same state.
    assert_eq!(
        report.reads[0].head_nonce_sum,
        report.reads[1].head_nonce_sum
    );
    assert!(dir.path().join("transfers").join(DB_FILE_NAME).exists());
    assert!(dir.path().join("subnet").join(DB_FILE_NAME).exists());
    assert!(heard.iter().any(|m| m.contains("signing 20 transfers")));
    assert_eq!(
        heard.iter().filter(|m| m.contains("signing")).count(),
        1,
        "signed once for both stores"
    );
    let table = report.table();
    assert!(table.contains("≥ 1000 tx/s"), "{table}");
    assert!(table.contains("< 250 ms"), "{table}");
    assert!(table.contains("at block #0"), "{table}");
    assert!(table.contains("admitted over WebSocket"), "{table}");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["transfers"][0]["applied"], 20);
    assert_eq!(json["subnet"][0]["measured"][0]["kind"], "weights");

    let err = run(&tiny(), &stores[1..], &mut |_| {}).unwrap_err();
    assert!(
        matches!(&err, BenchError::Config(m) if m.contains("already holds a chain")),
        "{err}"
    );
}

#[test]
fn bench_config_refuses_sizes_it_cannot_run() {
    let refused = |config: BenchConfig| match config.validate() {
        Err(BenchError::Config(message)) => message,
        other => panic!("expected a config error, got {other:?}"),
    };
    assert!(
        refused(BenchConfig {
            accounts: 1,
            ..tiny()
        })
        .contains("--accounts 1")
    );
    assert!(
        refused(BenchConfig {
            neurons: 1,
            ..tiny()
        })
        .contains("--neurons 1")
    );
    assert!(
        refused(BenchConfig {
            validators: 7,
            ..tiny()
        })
        .contains("--validators 7")
    );
    assert!(refused(BenchConfig { tempo: 0, ..tiny() }).contains("--tempo 0"));
    assert!(refused(BenchConfig { reads: 0, ..tiny() }).contains("reads"));
    assert!(BenchConfig::default().validate().is_ok());
    assert!(matches!(
        run(&tiny(), &[], &mut |_| {}),
        Err(BenchError::Config(_))
    ));
}

#[test]
fn bench_picks_are_seeded_and_in_range() {
    let a: Vec<usize> = (0..100).map(|i| pick(1, i, 7)).collect();
    let b: Vec<usize> = (0..100).map(|i| pick(1, i, 7)).collect();
    let c: Vec<usize> = (0..100).map(|i| pick(2, i, 7)).collect();
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert!(a.iter().all(|p| *p < 7));
    // Every account gets read.
    assert!((0..7).all(|account| a.contains(&account)));
}

#[test]
fn bench_report_percentiles_are_nearest_rank() {
    let block = |number: u32, kind: BlockKind, millis: f64| BlockSample {
        number,
        kind,
        extrinsics: 0,
        millis,
    };
    let report = SubnetReport {
        store: "memory".into(),
        neurons: 4,
        validators: 1,
        tempo: 3,
        weights_stored: 4,
        setup: vec![block(1, BlockKind::Registrations, 300.0)],
        measured: (1..=100)
            .map(|i| block(i + 1, BlockKind::Idle, f64::from(i)))
            .chain([block(102, BlockKind::Epoch, 150.0)])
            .collect(),
    };
    assert_eq!(report.percentile_ms(0.5), 51.0);
    assert_eq!(report.percentile_ms(0.99), 100.0);
    assert_eq!(report.max_ms(None), 150.0);
    assert_eq!(report.max_ms(Some(BlockKind::Epoch)), 150.0);
    assert_eq!(report.max_ms(Some(BlockKind::Weights)), 0.0);
    assert_eq!(report.slowest().map(|b| b.number), Some(1));
    let full = BenchReport {
        config: tiny(),
        build: "debug",
        cores: 2,
        transfers: Vec::new(),
        reads: Vec::new(),
        rpc: Vec::new(),
        subnet: vec![report],
    };
    assert!(
        !full.meets_targets(),
        "a 300 ms setup block misses the budget"
    );
    assert!(full.table().contains("MISSED"));
}
