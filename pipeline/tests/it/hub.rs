//! The Hub client against the offline hub, over loopback: publish → fetch round trips, pinned
//! revisions, limits, hostile servers and stores, tokens, restarts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nya_metadata::commitment::{RepoId, RepoRef, Revision};
use nya_metadata::manifest::{
    ContentDigest, FileEntry, MANIFEST_FILE_NAME, Manifest, ManifestDraft, Pipeline,
};
use nya_metadata::task::{TaskId, TaskKind};
use nya_pipeline::dataset_dir::hash_file;
use nya_pipeline::hub::fetch::{RECORD_PATH, cache_path};
use nya_pipeline::hub::server::{
    Access, OfflineHub, OfflineHubConfig, ServerLimits, TokenGrant, TokenSetup,
};
use nya_pipeline::hub::{
    FetchLimits, FetchRequest, HubError, HubSettings, HubToken, PublishOptions, RepoKind,
    RetryPolicy, VerifyMode, fetch, publish,
};

const ALICE_WRITE: &str = "hf_alice_write";
const ALICE_READ: &str = "hf_alice_read";
const BOB_WRITE: &str = "hf_bob_write";

const LIMITS: FetchLimits = FetchLimits {
    max_total_bytes: 64 << 20,
    max_files: 100,
    max_file_bytes: 32 << 20,
};

fn grants() -> Vec<TokenGrant> {
    let grant = |token: &str, user: &str, access| TokenGrant {
        token: token.into(),
        user: user.into(),
        access,
    };
    vec![
        grant(ALICE_WRITE, "alice", Access::Write),
        grant(ALICE_READ, "alice", Access::Read),
        grant(BOB_WRITE, "bob", Access::Write),
    ]
}

/// A hub with fixed tokens, LFS from 4 KiB, and two-entry tree pages (pagination exercised).
async fn start_hub(data_dir: &Path) -> OfflineHub {
    let mut config = OfflineHubConfig::new(data_dir);
    config.tokens = TokenSetup::Fixed(grants());
    config.lfs_threshold = 4 << 10;
    config.limits = ServerLimits {
        tree_page_size: 2,
        ..ServerLimits::default()
    };
    OfflineHub::start(config).await.unwrap()
}

fn settings(hub: &OfflineHub, token: Option<&str>) -> HubSettings {
    let mut settings = HubSettings::new(hub.url(), token.map(HubToken::explicit));
    settings.retry = RetryPolicy {
        attempts: 2,
        first_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(10),
    };
    settings
}

fn repo(id: &str) -> RepoId {
    RepoId::new(id).unwrap()
}

/// A sealed dataset folder: the given shards, a card, and the manifest.
fn write_dataset(dir: &Path, shards: &[(&str, Vec<u8>)]) -> Manifest {
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(
        dir.join("README.md"),
        b"---\nlicense: odc-by\n---\n# nya test data\n",
    )
    .unwrap();
    let mut files = Vec::new();
    for (path, bytes) in shards {
        let local = dir.join(path);
        std::fs::create_dir_all(local.parent().unwrap()).unwrap();
        std::fs::write(&local, bytes).unwrap();
        let (sha256, size) = hash_file(&local).unwrap();
        files.push(FileEntry {
            path: path.to_string(),
            sha256,
            size,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut content = ContentDigest::new();
    content.add("doc-1", "hello").unwrap();
    let manifest = ManifestDraft {
        task_id: TaskId::new("t-hub").unwrap(),
        kind: TaskKind::Refine,
        source_files: vec!["crawl-data/x.warc.gz".into()],
        pipeline: Pipeline {
            version: "nya-refine/0.1.0".into(),
            parameters: Default::default(),
        },
        row_count: 1,
        token_count: 1,
        files,
        content_digest: content.finish().unwrap(),
    }
    .seal()
    .unwrap();
    std::fs::write(
        dir.join(MANIFEST_FILE_NAME),
        manifest.to_json_pretty().unwrap(),
    )
    .unwrap();
    manifest
}

/// Pseudo-random bytes from a seed (deterministic, incompressible enough).
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// Every file under `dir` except the fetch record, by path.
fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    nya_pipeline::dataset_dir::list_files(dir)
        .unwrap()
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(dir.join(&p)).unwrap();
            (p, bytes)
        })
        .collect()
}

fn request(
    repo_ref: &RepoRef,
    mode: VerifyMode,
    target: PathBuf,
    limits: FetchLimits,
) -> FetchRequest {
    FetchRequest {
        repo: repo_ref.clone(),
        kind: RepoKind::Dataset,
        mode,
        limits,
        target,
    }
}

fn no_partials(parent: &Path) {
    if let Ok(entries) = std::fs::read_dir(parent) {
        for entry in entries {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(!name.contains(".partial-"), "left behind: {name}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_then_fetch_round_trips_and_old_revisions_stay_fetchable() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = start_hub(&tmp.path().join("hub")).await;
    let alice = settings(&hub, Some(ALICE_WRITE));
    let first_dir = tmp.path().join("first");
    // 200 KiB: LFS on this hub, over the server's spill threshold, sent inline by hf-hub.
    write_dataset(
        &first_dir,
        &[
            ("data/train-00000.parquet", noise(1, 200 << 10)),
            ("data/small.jsonl", b"{\"text\":\"hi\"}\n".to_vec()),
        ],
    );
    let options = PublishOptions {
        message: "first shard".into(),
        ..PublishOptions::default()
    };
    let published = publish(&alice, &first_dir, &repo("alice/nya-data"), &options)
        .await
        .unwrap();
    assert_eq!(published.files, 4);
    assert!(published.manifest.is_some());
    let first = published.repo_ref;

    let cache = tmp.path().join("cache");
    let target = cache_path(&cache, RepoKind::Dataset, &first);
    let snapshot = fetch(
        &alice,
        &request(&first, VerifyMode::Manifest, target.clone(), LIMITS),
    )
    .await
    .unwrap();
    assert!(!snapshot.from_cache);
    assert_eq!(
        read_tree(&snapshot.dir),
        read_tree(&first_dir)
            .into_iter()
            .chain([(
                ".gitattributes".to_string(),
                std::fs::read(snapshot.dir.join(".gitattributes")).unwrap(),
            )])
            .collect()
    );
    assert_eq!(snapshot.manifest.as_ref().unwrap().files.len(), 2);
    assert!(snapshot.dir.join(RECORD_PATH).is_file());
    no_partials(target.parent().unwrap());

    // Second publish: new content, new revision; the first still fetches unchanged.
    let second_dir = tmp.path().join("second");
    write_dataset(
        &second_dir,
        &[("data/train-00000.parquet", noise(2, 300 << 10))],
    );
    let second = publish(&alice, &second_dir, &repo("alice/nya-data"), &options)
        .await
        .unwrap()
        .repo_ref;
    assert_ne!(second.revision, first.revision);

    let again = tmp.path().join("again");
    let old = fetch(
        &alice,
        &request(&first, VerifyMode::Manifest, again.clone(), LIMITS),
    )
    .await
    .unwrap();
    assert_eq!(
        std::fs::read(old.dir.join("data/train-00000.parquet")).unwrap(),
        noise(1, 200 << 10)
    );
    let new = fetch(
        &alice,
        &request(
            &second,
            VerifyMode::Manifest,
            tmp.path().join("new"),
            LIMITS,
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        std::fs::read(new.dir.join("data/train-00000.parquet")).unwrap(),
        noise(2, 300 << 10)
    );
    // The second revision is exactly the second folder: the first one's extra file is gone.
    assert!(!new.dir.join("data/small.jsonl").exists());
    assert!(old.dir.join("data/small.jsonl").exists());

    // A cached revision is not fetched twice: the hub can be gone.
    hub.shutdown().await.unwrap();
    let cached = fetch(
        &alice,
        &request(&first, VerifyMode::Manifest, target, LIMITS),
    )
    .await
    .unwrap();
    assert!(cached.from_cache);
    assert_eq!(cached.files, snapshot.files);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_branch_moved_after_the_commit_does_not_change_what_its_sha_fetches() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = start_hub(&tmp.path().join("hub")).await;
    let alice = settings(&hub, Some(ALICE_WRITE));
    let dir = tmp.path().join("ds");
    write_dataset(&dir, &[("data/a.parquet", b"original".to_vec())]);
    let id = repo("alice/moving");
    let committed = publish(&alice, &dir, &id, &PublishOptions::default())
        .await
        .unwrap()
        .repo_ref;
    // main moves on twice after the sha went on chain.
    for round in 0..2u8 {
        write_dataset(&dir, &[("data/a.parquet", vec![b'x' + round; 8])]);
        publish(&alice, &dir, &id, &PublishOptions::default())
            .await
            .unwrap();
    }
    let snapshot = fetch(
        &alice,
        &request(
            &committed,
            VerifyMode::Manifest,
            tmp.path().join("pinned"),
            LIMITS,
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        std::fs::read(snapshot.dir.join("data/a.parquet")).unwrap(),
        b"original"
    );

    // A revision the repo never had is refused, naming it.
    let unknown = RepoRef::new(id, Revision::new("0".repeat(40)).unwrap());
    let err = fetch(
        &alice,
        &request(
            &unknown,
            VerifyMode::Manifest,
            tmp.path().join("unknown"),
            LIMITS,
        ),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("alice/moving@0000000000000000000000000000000000000000"),
        "{err}"
    );
    assert!(!tmp.path().join("unknown").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_refuse_oversized_files_too_many_files_and_too_many_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = start_hub(&tmp.path().join("hub")).await;
    let alice = settings(&hub, Some(ALICE_WRITE));
    let dir = tmp.path().join("ds");
    write_dataset(
        &dir,
        &[
            ("data/big.parquet", noise(3, 10_000)),
            ("data/b.parquet", noise(4, 100)),
        ],
    );
    let published = publish(
        &alice,
        &dir,
        &repo("alice/limits"),
        &PublishOptions::default(),
    )
    .await
    .unwrap()
    .repo_ref;
    let cases = [
        (
            FetchLimits {
                max_file_bytes: 9_999,
                ..LIMITS
            },
            "data/big.parquet: 10000 bytes, more than the per-file limit of 9999",
        ),
        (
            FetchLimits {
                max_files: 4,
                ..LIMITS
            },
            "5 files, more than the limit of 4",
        ),
        (
            FetchLimits {
                max_total_bytes: 10_050,
                ..LIMITS
            },
            "more than the limit of 10050",
        ),
    ];
    for (n, (limits, expected)) in cases.into_iter().enumerate() {
        let target = tmp.path().join(format!("out-{n}"));
        let err = fetch(
            &alice,
            &request(&published, VerifyMode::Manifest, target.clone(), limits),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(err.contains(expected), "{expected:?} not in {err}");
        assert!(err.starts_with(&published.to_string()), "{err}");
        assert!(!target.exists());
    }
    no_partials(tmp.path());
}

/// Overwrites a stored object in the hub's data dir (a hostile or broken server).
fn tamper_object(data_dir: &Path, original: &[u8], replacement: &[u8]) {
    let sha = nya_metadata::manifest::Sha256Digest::of(original).to_string();
    let path = data_dir.join("objects").join(&sha[..2]).join(&sha);
    assert!(path.is_file(), "{path:?}");
    std::fs::write(path, replacement).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_bytes_and_truncated_downloads_are_refused_and_leave_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("hub");
    let hub = start_hub(&data_dir).await;
    let alice = settings(&hub, Some(ALICE_WRITE));
    let lfs_bytes = noise(5, 20_000);
    let plain_bytes = b"plain text shard".to_vec();
    let dir = tmp.path().join("ds");
    write_dataset(
        &dir,
        &[
            ("data/lfs.parquet", lfs_bytes.clone()),
            ("data/plain.txt", plain_bytes.clone()),
        ],
    );
    let published = publish(
        &alice,
        &dir,
        &repo("alice/tamper"),
        &PublishOptions::default(),
    )
    .await
    .unwrap()
    .repo_ref;

    // Same length, other bytes: the manifest's sha256 and the Hub's own LFS sha256 catch it.
    let mut flipped = lfs_bytes.clone();
    flipped[100] ^= 0xff;
    tamper_object(&data_dir, &lfs_bytes, &flipped);
    for (mode, rule) in [
        (VerifyMode::Manifest, "the manifest says"),
        (VerifyMode::HubLfs, "the Hub's LFS etag"),
    ] {
        let target = tmp.path().join(format!("sha-{mode:?}"));
        let err = fetch(&alice, &request(&published, mode, target.clone(), LIMITS))
            .await
            .unwrap_err();
        assert!(matches!(err, HubError::Sha256Mismatch { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("data/lfs.parquet: sha256") && text.contains(rule),
            "{text}"
        );
        assert!(!target.exists());
    }
    tamper_object(&data_dir, &lfs_bytes, &lfs_bytes);

    // A plain (non-LFS) file is checked against its git blob id in Hub mode.
    let mut changed = plain_bytes.clone();
    changed[0] = b'P';
    tamper_object(&data_dir, &plain_bytes, &changed);
    let err = fetch(
        &alice,
        &request(
            &published,
            VerifyMode::HubLfs,
            tmp.path().join("git"),
            LIMITS,
        ),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("data/plain.txt: git blob id"), "{err}");
    tamper_object(&data_dir, &plain_bytes, &plain_bytes);

    // Fewer bytes than listed: truncated (retried, then refused); nothing left behind.
    tamper_object(&data_dir, &lfs_bytes, &lfs_bytes[..5_000]);
    let target = tmp.path().join("short");
    let err = fetch(
        &alice,
        &request(&published, VerifyMode::Manifest, target.clone(), LIMITS),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            HubError::Truncated {
                got: 5_000,
                expected: 20_000,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("data/lfs.parquet: download truncated"),
        "{err}"
    );
    assert!(!target.exists());
    no_partials(tmp.path());

    // Restored, the same request succeeds.
    tamper_object(&data_dir, &lfs_bytes, &lfs_bytes);
    let ok = fetch(
        &alice,
        &request(&published, VerifyMode::Manifest, target, LIMITS),
    )
    .await
    .unwrap();
    assert_eq!(
        std::fs::read(ok.dir.join("data/lfs.parquet")).unwrap(),
        lfs_bytes
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repo_without_manifest_is_refused_as_a_dataset_but_fetches_in_hub_mode() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = start_hub(&tmp.path().join("hub")).await;
    let alice = settings(&hub, Some(ALICE_WRITE));
    let dir = tmp.path().join("model");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.json"), b"{\"vocab_size\": 8}").unwrap();
    std::fs::write(dir.join("model.safetensors"), noise(6, 9_000)).unwrap();
    let options = PublishOptions {
        require_manifest: false,
        ..PublishOptions::default()
    };
    let published = publish(&alice, &dir, &repo("alice/teacher"), &options)
        .await
        .unwrap()
        .repo_ref;
    let err = fetch(
        &alice,
        &request(
            &published,
            VerifyMode::Manifest,
            tmp.path().join("as-dataset"),
            LIMITS,
        ),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, HubError::MissingManifest { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("no nya-manifest.json at this revision"),
        "{err}"
    );

    let snapshot = fetch(
        &alice,
        &request(
            &published,
            VerifyMode::HubLfs,
            tmp.path().join("model-out"),
            LIMITS,
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        std::fs::read(snapshot.dir.join("model.safetensors")).unwrap(),
        noise(6, 9_000)
    );
    assert!(snapshot.manifest.is_none());

    // Publishing it as a dataset is refused before any upload.
    let err = publish(
        &alice,
        &dir,
        &repo("alice/teacher"),
        &PublishOptions::default(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("nya-manifest.json: cannot read"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_need_a_write_token_for_the_namespace_and_private_repos_stay_private() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = start_hub(&tmp.path().join("hub")).await;
    let dir = tmp.path().join("ds");
    write_dataset(&dir, &[("data/a.parquet", b"a".to_vec())]);
    let no_retry = |token: Option<&str>| {
        let mut s = settings(&hub, token);
        s.retry = RetryPolicy {
            attempts: 1,
            ..RetryPolicy::default()
        };
        s
    };
    let cases = [
        (Some(ALICE_READ), "alice/x", "read-only"),
        (
            Some(BOB_WRITE),
            "alice/x",
            "bob cannot write to the namespace alice",
        ),
        (Some("hf_not_a_token"), "alice/x", "Invalid credentials"),
        // hf-hub falls back to an ambient token (HF_TOKEN, the token file) when given none;
        // either way the hub answers 401.
        (None, "alice/x", "Authentication required"),
    ];
    for (token, id, expected) in cases {
        let err = publish(
            &no_retry(token),
            &dir,
            &repo(id),
            &PublishOptions::default(),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("alice/x: create repo failed") && err.contains(expected),
            "{err}"
        );
    }

    let private = PublishOptions {
        private: true,
        ..PublishOptions::default()
    };
    let secret = publish(
        &no_retry(Some(ALICE_WRITE)),
        &dir,
        &repo("alice/secret"),
        &private,
    )
    .await
    .unwrap()
    .repo_ref;
    for token in [None, Some(BOB_WRITE)] {
        let err = fetch(
            &no_retry(token),
            &request(
                &secret,
                VerifyMode::Manifest,
                tmp.path().join("nope"),
                LIMITS,
            ),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("alice/secret@") && err.contains("list files failed"),
            "{err}"
        );
    }
    let own = fetch(
        &no_retry(Some(ALICE_READ)),
        &request(
            &secret,
            VerifyMode::Manifest,
            tmp.path().join("own"),
            LIMITS,
        ),
    )
    .await
    .unwrap();
    assert_eq!(std::fs::read(own.dir.join("data/a.parquet")).unwrap(), b"a");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_refuses_traversal_paths_in_commits() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = start_hub(&tmp.path().join("hub")).await;
    let client = hf_hub::HFClient::builder()
        .endpoint(hub.url())
        .token(ALICE_WRITE)
        .retry_max_attempts(0)
        .build()
        .unwrap();
    client
        .create_repository()
        .repo_id("alice/paths")
        .repo_type(hf_hub::RepoTypeDataset)
        .send()
        .await
        .unwrap();
    for path in ["../escape.txt", "a/../../b", "/abs", ".git/config"] {
        let err = client
            .dataset("alice", "paths")
            .create_commit()
            .operations(vec![hf_hub::repository::CommitOperation::add_bytes(
                path,
                b"x".to_vec(),
            )])
            .commit_message("hostile")
            .send()
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("400 Bad Request"), "{path}: {err}");
    }
}

/// A hostile "hub" whose tree lists a path escaping the target folder.
async fn hostile_hub(path: &'static str) -> (String, tokio::task::JoinHandle<()>) {
    use axum::response::IntoResponse;
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| async move {
        if uri.path().contains("/tree/") {
            axum::Json(serde_json::json!([
                { "type": "file", "oid": "1".repeat(40), "size": 4, "path": path }
            ]))
            .into_response()
        } else {
            (axum::http::StatusCode::NOT_FOUND, "no").into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_listing_with_traversal_paths_is_refused_before_download() {
    let tmp = tempfile::tempdir().unwrap();
    for (path, expected) in [
        ("../escape", "contains a '..' segment"),
        ("data/../../escape", "contains a '..' segment"),
        ("/etc/passwd", "is absolute"),
        (".cache/nya-fetch.json", "reserved path"),
    ] {
        let (url, task) = hostile_hub(path).await;
        let settings = HubSettings::new(url, None);
        let repo_ref = RepoRef::parse(&format!("evil/data@{}", "a".repeat(40))).unwrap();
        let target = tmp.path().join("inner").join("target");
        let err = fetch(
            &settings,
            &request(&repo_ref, VerifyMode::HubLfs, target.clone(), LIMITS),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(
                err,
                HubError::BadPath { .. } | HubError::ReservedPath { .. }
            ),
            "{err}"
        );
        assert!(err.to_string().contains(expected), "{err}");
        assert!(!target.exists());
        assert!(!tmp.path().join("escape").exists() && !tmp.path().join("inner/escape").exists());
        task.abort();
    }
}

/// A hostile "hub" that lists a 10-byte file, then sends 5 bytes under `Content-Length: 10`
/// and closes the connection.
async fn cut_off_hub(
    revision: &'static str,
    gets: std::sync::Arc<std::sync::atomic::AtomicUsize>,
) -> (String, tokio::task::JoinHandle<()>) {
    use axum::response::IntoResponse;
    let app = axum::Router::new().fallback(
        move |method: axum::http::Method, uri: axum::http::Uri| async move {
            let path = uri.path().to_string();
            if path.contains("/tree/") {
                return axum::Json(serde_json::json!([
                    { "type": "file", "oid": "1".repeat(40), "size": 10, "path": "data.bin" }
                ]))
                .into_response();
            }
            if !path.contains("/resolve/") {
                return (axum::http::StatusCode::NOT_FOUND, "no").into_response();
            }
            let headers = [
                ("x-repo-commit", revision.to_string()),
                ("etag", format!("\"{}\"", "1".repeat(40))),
                ("content-length", "10".to_string()),
            ];
            let body = if method == axum::http::Method::HEAD {
                axum::body::Body::empty()
            } else {
                gets.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                // Half the bytes, a pause so they reach the client, then the connection drops.
                let chunks = futures::stream::unfold(0u8, |step| async move {
                    match step {
                        0 => Some((Ok::<_, std::io::Error>(b"12345".to_vec()), 1)),
                        1 => {
                            tokio::time::sleep(Duration::from_millis(200)).await;
                            Some((Err(std::io::Error::other("cut off")), 2))
                        }
                        _ => None,
                    }
                });
                axum::body::Body::from_stream(chunks)
            };
            (headers, body).into_response()
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_cut_off_midway_is_retried_then_refused_and_leaves_nothing() {
    const REVISION: &str = "abababababababababababababababababababab";
    let tmp = tempfile::tempdir().unwrap();
    let gets = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (url, task) = cut_off_hub(REVISION, gets.clone()).await;
    let mut settings = HubSettings::new(url, None);
    settings.retry = RetryPolicy {
        attempts: 2,
        first_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(10),
    };
    let repo_ref = RepoRef::parse(&format!("evil/cut@{REVISION}")).unwrap();
    let target = tmp.path().join("out");
    let err = fetch(
        &settings,
        &request(&repo_ref, VerifyMode::HubLfs, target.clone(), LIMITS),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, HubError::Transfer { .. } | HubError::Truncated { .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with(&format!("evil/cut@{REVISION}: data.bin: download failed")),
        "{err}"
    );
    assert_eq!(
        gets.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "restarted once"
    );
    assert!(!target.exists());
    no_partials(tmp.path());
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_hub_keeps_repos_revisions_and_tokens() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("hub");
    let hub = OfflineHub::start(OfflineHubConfig::new(&data_dir))
        .await
        .unwrap();
    let token = hub.created_token().unwrap().clone();
    assert_eq!((token.user.as_str(), token.access), ("nya", Access::Write));
    let dir = tmp.path().join("ds");
    write_dataset(&dir, &[("data/a.parquet", noise(7, 30_000))]);
    let published = publish(
        &settings(&hub, Some(&token.token)),
        &dir,
        &repo("nya/kept"),
        &PublishOptions::default(),
    )
    .await
    .unwrap()
    .repo_ref;
    hub.shutdown().await.unwrap();

    let hub = OfflineHub::start(OfflineHubConfig::new(&data_dir))
        .await
        .unwrap();
    assert!(hub.created_token().is_none(), "tokens.json is reused");
    let snapshot = fetch(
        &settings(&hub, Some(&token.token)),
        &request(
            &published,
            VerifyMode::Manifest,
            tmp.path().join("out"),
            LIMITS,
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        std::fs::read(snapshot.dir.join("data/a.parquet")).unwrap(),
        noise(7, 30_000)
    );
    // And it still takes commits on top of the old head.
    write_dataset(&dir, &[("data/a.parquet", b"next".to_vec())]);
    let next = publish(
        &settings(&hub, Some(&token.token)),
        &dir,
        &repo("nya/kept"),
        &PublishOptions::default(),
    )
    .await
    .unwrap()
    .repo_ref;
    assert_ne!(next.revision, published.revision);
}

/// The upload path of the Python client (LFS batch API, signed `PUT`, verify, `lfsFile`
/// commit), driven by hand since hf-hub never takes it without Xet.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lfs_batch_upload_path_is_served_and_checked() {
    use sha2::Digest;
    let tmp = tempfile::tempdir().unwrap();
    let hub = start_hub(&tmp.path().join("hub")).await;
    let alice = settings(&hub, Some(ALICE_WRITE));
    let dir = tmp.path().join("seed");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("README.md"), b"# seed").unwrap();
    let no_manifest = PublishOptions {
        require_manifest: false,
        ..PublishOptions::default()
    };
    publish(&alice, &dir, &repo("alice/lfs"), &no_manifest)
        .await
        .unwrap();

    let http = reqwest::Client::new();
    let bytes = noise(8, 50_000);
    let oid = hex::encode(sha2::Sha256::digest(&bytes));
    let batch_url = format!(
        "{}/datasets/alice/lfs.git/info/lfs/objects/batch",
        hub.url()
    );
    let batch_body = serde_json::json!({
        "operation": "upload",
        "transfers": ["basic", "multipart"],
        "objects": [{ "oid": oid, "size": bytes.len() }],
        "hash_algo": "sha256",
    })
    .to_string();
    let batch = |token: Option<&'static str>| {
        let mut request = http.post(&batch_url).body(batch_body.clone());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let body: serde_json::Value =
                serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
            (status, body)
        }
    };
    assert_eq!(batch(None).await.0, 401);
    assert_eq!(batch(Some(BOB_WRITE)).await.0, 403);
    let (status, answer) = batch(Some(ALICE_WRITE)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["transfer"], "basic");
    let upload = answer["objects"][0]["actions"]["upload"]["href"]
        .as_str()
        .unwrap()
        .to_string();
    let verify = answer["objects"][0]["actions"]["verify"]["href"]
        .as_str()
        .unwrap()
        .to_string();

    let put = |url: String, body: Vec<u8>| {
        let request = http.put(url).body(body);
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let forged = upload.replace("signature=", "signature=00");
    assert_eq!(put(forged, bytes.clone()).await.0, 403);
    let mut wrong = bytes.clone();
    wrong[0] ^= 1;
    let (status, text) = put(upload.clone(), wrong).await;
    assert!(
        status == 400 && text.contains("the uploaded bytes hash to"),
        "{status} {text}"
    );
    let (status, text) = put(upload.clone(), bytes[..10].to_vec()).await;
    assert!(
        status == 400 && text.contains("got 10 bytes"),
        "{status} {text}"
    );
    let (status, text) = put(upload, bytes.clone()).await;
    assert_eq!(status, 200, "{text}");
    let verified = http
        .post(verify)
        .body(serde_json::json!({ "oid": oid, "size": bytes.len() }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status().as_u16(), 200);
    let (_, again) = batch(Some(ALICE_WRITE)).await;
    assert!(again["objects"][0].get("actions").is_none(), "{again}");

    let commit_url = format!("{}/api/datasets/alice/lfs/commit/main", hub.url());
    let commit = |lines: Vec<serde_json::Value>| {
        let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let request = http
            .post(&commit_url)
            .bearer_auth(ALICE_WRITE)
            .header("content-type", "application/x-ndjson")
            .body(body);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        }
    };
    let header = serde_json::json!({ "key": "header", "value": { "summary": "weights" } });
    let missing = serde_json::json!({ "key": "lfsFile", "value": {
        "path": "w.bin", "algo": "sha256", "oid": "0".repeat(64), "size": 3 } });
    let (status, text) = commit(vec![header.clone(), missing]).await;
    assert!(
        status == 400 && text.contains("is not stored"),
        "{status} {text}"
    );
    let good = serde_json::json!({ "key": "lfsFile", "value": {
        "path": "w.bin", "algo": "sha256", "oid": oid, "size": bytes.len() } });
    let (status, text) = commit(vec![header, good]).await;
    assert_eq!(status, 200, "{text}");
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap();
    let revision = Revision::new(answer["commitOid"].as_str().unwrap()).unwrap();

    let snapshot = fetch(
        &alice,
        &request(
            &RepoRef::new(repo("alice/lfs"), revision),
            VerifyMode::HubLfs,
            tmp.path().join("out"),
            LIMITS,
        ),
    )
    .await
    .unwrap();
    assert_eq!(std::fs::read(snapshot.dir.join("w.bin")).unwrap(), bytes);
}
