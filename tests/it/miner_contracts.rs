//! A miner's offline round, across crates: its hotkey from a real bittensor wallet signs a
//! task-server request; its dataset folder's manifest is sealed and verified; the commitment
//! it would write decodes to the same repo, revision and digest.

use nya_chain::request::{sign_request, verify_request};
use nya_chain::wallet::Wallet;
use nya_metadata::commitment::{Commitment, RepoRef};
use nya_metadata::manifest::{
    ContentDigest, FileEntry, MANIFEST_FILE_NAME, ManifestDraft, Pipeline,
};
use nya_metadata::task::signing::{Nonce, ReplayWindow, SignedHeaders};
use nya_metadata::task::{TaskId, TaskKind};
use nya_pipeline::dataset_dir;

/// The demo wallet written by Python bittensor-wallet 4.1.1 (hotkey stored unencrypted).
const DEMO_HOTKEY_SS58: &str = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV";

#[test]
fn a_real_bittensor_hotkey_signs_task_requests_the_server_accepts() {
    let Some(wallets) = nya_metadata::fixture!("wallet") else {
        return;
    };
    let hotkey = Wallet::new(&wallets, "demo", "hk1")
        .unwrap()
        .load_hotkey(None)
        .unwrap();
    assert_eq!(hotkey.ss58(), DEMO_HOTKEY_SS58);

    let body = br#"{"netuid":1,"kind":"refine"}"#;
    let now_ms = 1_763_000_000_000;
    let headers = sign_request(
        &hotkey,
        "POST",
        "/v1/tasks/next",
        body,
        now_ms,
        Nonce([42; 16]),
    )
    .unwrap();

    // What the server does: parse the headers it received, check the clock, then the signature.
    let sent = headers.to_header_pairs();
    let received = SignedHeaders::parse(|name| {
        sent.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_bytes())
    })
    .unwrap();
    ReplayWindow::default()
        .check_timestamp(received.timestamp_ms, now_ms + 5_000)
        .unwrap();
    let signer = verify_request(&received, "POST", "/v1/tasks/next", body).unwrap();
    assert_eq!(signer, hotkey.public_key());

    assert!(
        ReplayWindow::default()
            .check_timestamp(received.timestamp_ms, now_ms + 600_000)
            .is_err()
    );
    assert!(verify_request(&received, "POST", "/v1/tasks/next", b"{}").is_err());
}

#[test]
fn a_sealed_dataset_verifies_and_its_commitment_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let shard = "data/train-00000.jsonl";
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(
        dir.path().join(shard),
        "{\"id\":\"a\",\"text\":\"alpha\"}\n",
    )
    .unwrap();
    let (sha256, size) = dataset_dir::hash_file(&dir.path().join(shard)).unwrap();
    let mut content = ContentDigest::new();
    content.add("a", "alpha").unwrap();
    let manifest = ManifestDraft {
        task_id: TaskId::new("t-7").unwrap(),
        kind: TaskKind::Refine,
        source_files: vec!["crawl-data/CC-MAIN-2020-34/x.warc.gz".into()],
        pipeline: Pipeline {
            version: "nya-refine/0.1.0".into(),
            parameters: Default::default(),
        },
        row_count: 1,
        token_count: 1,
        files: vec![FileEntry {
            path: shard.into(),
            sha256,
            size,
        }],
        content_digest: content.finish().unwrap(),
    }
    .seal()
    .unwrap();
    std::fs::write(
        dir.path().join(MANIFEST_FILE_NAME),
        manifest.to_json_pretty().unwrap(),
    )
    .unwrap();
    let verified = dataset_dir::verify(dir.path()).unwrap();

    let repo: RepoRef = "miner/refined@89abcdef0123456789abcdef0123456789abcdef"
        .parse()
        .unwrap();
    let commitment = Commitment::new(
        repo.clone(),
        verified.content_digest,
        verified.kind,
        verified.task_id,
    )
    .unwrap();
    let decoded = Commitment::from_scale(&commitment.to_scale()).unwrap();
    assert_eq!(decoded.repo_ref(), &repo);
    assert_eq!(decoded.content_digest(), &manifest.content_digest);
    assert_eq!(decoded.task_id().to_string(), "t-7");
}
