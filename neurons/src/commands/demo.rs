//! `nya demo`: the main job on the embedded defaults, offline.
//!
//! It walks through what a miner and a validator do, as far as nya has been built: a wallet, a
//! dataset folder with its manifest and card, publishing it to an offline Hugging Face Hub
//! started in-process, fetching that exact revision back as a validator would, and the commitment
//! that binds it. Each step uses the same library calls the real commands use, and checks its
//! own output (load what it wrote, verify what it signed, fetch what it published, decode what
//! it encoded), so a broken piece fails the demo rather than printing a plausible story. The last
//! step starts a local chain in-process (`nya localnet`'s), registers the hotkey and commits the
//! revision on chain, then reads the commitment back as a validator would.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, ensure};
use nya_chain::client::{Client, Payload, Registered};
use nya_chain::keys;
use nya_chain::localnet::{LocalnetConfig, spawn};
use nya_chain::wallet::Wallet;
use nya_metadata::commitment::{Commitment, RepoId, RepoRef};
use nya_metadata::manifest::{
    CardOptions, ContentDigest, FileEntry, MANIFEST_FILE_NAME, ManifestDraft, Pipeline,
    dataset_card,
};
use nya_metadata::task::{TaskId, TaskKind};
use nya_pipeline::dataset_dir;
use nya_pipeline::hub::server::{OfflineHub, OfflineHubConfig};
use nya_pipeline::hub::{
    self, FetchLimits, FetchRequest, HubSettings, HubToken, PublishOptions, RepoKind, VerifyMode,
};

use crate::config::Settings;

/// Options of `nya demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Work in this directory (kept afterwards) instead of a temporary one
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// The demo coldkey's password: a demo wallet guards nothing.
const DEMO_PASSWORD: &str = "nya-demo-password";

/// A few documents, standing in for refined output until `nya refine` writes Parquet shards.
const DOCUMENTS: [(&str, &str); 3] = [
    (
        "demo-0",
        "Rivers carry sediment downstream, and where they slow the sand settles out.",
    ),
    (
        "demo-1",
        "A lighthouse keeper logged the weather every four hours for thirty years.",
    ),
    (
        "demo-2",
        "Bread rises because yeast turns sugar into carbon dioxide and alcohol.",
    ),
];

pub fn run(args: DemoArgs, _settings: &Settings) -> Result<ExitCode> {
    // The temp dir is removed when `temp_dir` drops, at the end of the demo.
    let (root, temp_dir) = match args.dir {
        Some(dir) => (dir, None),
        None => {
            let temp = tempfile_dir()?;
            (temp.path().to_path_buf(), Some(temp))
        }
    };
    println!("nya demo, offline, in {}\n", root.display());

    let (coldkey, hotkey) = wallet_step(&root.join("wallets"))?;
    let dataset = root.join("dataset");
    let manifest = dataset_step(&dataset)?;
    let repo = hub_step(&root.join("hub"), &dataset, &manifest)?;
    let commitment = commitment_step(&hotkey, &manifest, repo)?;
    chain_step(&coldkey, &hotkey, &commitment)?;

    println!("\nAll steps checked. Wallet owner {}.", coldkey.ss58());
    if temp_dir.is_some() {
        println!("(The demo folder is removed on exit; pass --dir DIR to keep it.)");
    }
    Ok(ExitCode::SUCCESS)
}

/// Creates an encrypted coldkey and a hotkey, reloads both, signs and verifies.
fn wallet_step(wallets: &Path) -> Result<(keys::Keypair, keys::Keypair)> {
    println!("1. wallet (bittensor-wallet 4.x format)");
    let wallet = Wallet::new(wallets, "demo", "miner")?;
    wallet.create_coldkey(12, Some(DEMO_PASSWORD), true)?;
    wallet.create_hotkey(12, None, true)?;
    let coldkey = wallet.load_coldkey(Some(DEMO_PASSWORD))?;
    let hotkey = wallet.load_hotkey(None)?;
    ensure!(
        coldkey.ss58() == wallet.coldkey_ss58()?,
        "coldkey does not match coldkeypub.txt"
    );
    ensure!(
        hotkey.ss58() == wallet.hotkey_ss58()?,
        "hotkey does not match its pub file"
    );
    println!(
        "   coldkey {} (encrypted: {})",
        coldkey.ss58(),
        wallet.coldkey_is_encrypted()?
    );
    println!("   hotkey  {}", hotkey.ss58());

    let message = b"nya demo: signed by the hotkey";
    let signature = hotkey.sign(message);
    ensure!(
        keys::verify(&signature, message, &hotkey.public_key()),
        "signature did not verify"
    );
    ensure!(
        !keys::verify(&signature, b"another message", &hotkey.public_key()),
        "a signature verified for a message it did not sign"
    );
    println!(
        "   sr25519 signature verified: 0x{}…",
        &hex::encode(signature)[..16]
    );
    Ok((coldkey, hotkey))
}

/// Writes a dataset folder (one shard, manifest, card) and verifies it.
fn dataset_step(dataset: &Path) -> Result<nya_metadata::manifest::Manifest> {
    println!("\n2. dataset folder with manifest and card");
    let shard_path = "data/train-00000.jsonl";
    std::fs::create_dir_all(dataset.join("data"))
        .with_context(|| format!("cannot create {}", dataset.display()))?;
    let mut shard = std::fs::File::create(dataset.join(shard_path))?;
    let mut content = ContentDigest::new();
    for (id, text) in DOCUMENTS {
        writeln!(shard, "{}", serde_json::json!({ "id": id, "text": text }))?;
        content.add(id, text)?;
    }
    shard.sync_all()?;
    let (sha256, size) = dataset_dir::hash_file(&dataset.join(shard_path))?;
    let manifest = ManifestDraft {
        task_id: TaskId::new("demo-0001")?,
        kind: TaskKind::Refine,
        source_files: vec!["generated-by-nya-demo".to_owned()],
        pipeline: Pipeline {
            version: format!("nya-demo/{}", env!("CARGO_PKG_VERSION")),
            parameters: Default::default(),
        },
        row_count: DOCUMENTS.len() as u64,
        token_count: DOCUMENTS
            .iter()
            .map(|(_, t)| t.split_whitespace().count() as u64)
            .sum(),
        files: vec![FileEntry {
            path: shard_path.to_owned(),
            sha256,
            size,
        }],
        content_digest: content.finish()?,
    }
    .seal()?;
    std::fs::write(dataset.join(MANIFEST_FILE_NAME), manifest.to_json_pretty()?)?;
    let card = dataset_card(
        &manifest,
        &CardOptions {
            data_files: "data/*.jsonl",
            language: Some("en"),
            ..Default::default()
        },
    );
    std::fs::write(dataset.join("README.md"), card)?;

    let verified = dataset_dir::verify(dataset)?;
    ensure!(
        verified == manifest,
        "the manifest read back differs from the one written"
    );
    println!(
        "   {} documents, file digest {}",
        manifest.row_count, manifest.file_digest
    );
    println!("   content digest {}", manifest.content_digest);
    println!("   verified: every file's size and sha256, no unlisted files");
    Ok(manifest)
}

/// Starts an offline hub, publishes the dataset, and fetches the returned revision back into a
/// fresh folder verified against the manifest, as a validator would.
fn hub_step(
    hub_dir: &Path,
    dataset: &Path,
    manifest: &nya_metadata::manifest::Manifest,
) -> Result<RepoRef> {
    println!("\n3. publish to the offline Hugging Face Hub, fetch the revision back");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("tokio runtime")?;
    runtime.block_on(async {
        let server = OfflineHub::start(OfflineHubConfig::new(hub_dir.join("data")))
            .await
            .context("starting the offline hub")?;
        let grant = server
            .created_token()
            .context("a fresh offline hub has a write token")?;
        let settings = HubSettings::new(server.url(), Some(HubToken::explicit(&grant.token)));
        let repo = RepoId::new(format!("{}/refine-demo", grant.user))?;
        let options = PublishOptions {
            message: "nya demo dataset".to_owned(),
            ..PublishOptions::default()
        };
        let published = hub::publish(&settings, dataset, &repo, &options)
            .await
            .context("publishing the dataset")?;
        println!(
            "   {} at {}: {} files, {} bytes",
            server.url(),
            published.repo_ref,
            published.files,
            published.bytes
        );
        let request = FetchRequest {
            repo: published.repo_ref.clone(),
            kind: RepoKind::Dataset,
            mode: VerifyMode::Manifest,
            // A validator sizes these to what it is willing to download; the demo's folder is tiny.
            limits: FetchLimits {
                max_total_bytes: 1 << 20,
                max_files: 16,
                max_file_bytes: 1 << 20,
            },
            target: hub_dir.join("fetched"),
        };
        let snapshot = hub::fetch(&settings, &request)
            .await
            .context("fetching the published revision")?;
        ensure!(
            snapshot.manifest.as_ref() == Some(manifest),
            "the fetched manifest differs from the published one"
        );
        // The snapshot also holds the Hub's own `.gitattributes`; every file of ours must match.
        for path in dataset_dir::list_files(dataset)? {
            let original = std::fs::read(dataset.join(&path))?;
            let fetched = std::fs::read(snapshot.dir.join(&path))
                .with_context(|| format!("{path} is missing from the fetched revision"))?;
            ensure!(original == fetched, "{path} changed on the way");
        }
        println!(
            "   fetched {} files at that revision; every file matches the manifest and the original",
            snapshot.files.len()
        );
        server.shutdown().await.context("stopping the offline hub")?;
        Ok(published.repo_ref)
    })
}

/// Builds the on-chain commitment for the published revision and decodes it back.
fn commitment_step(
    hotkey: &keys::Keypair,
    manifest: &nya_metadata::manifest::Manifest,
    repo: RepoRef,
) -> Result<Commitment> {
    println!("\n4. commitment (Commitments.set_commitment payload)");
    let commitment = Commitment::new(
        repo,
        manifest.content_digest,
        manifest.kind,
        manifest.task_id.clone(),
    )?;
    let scale = commitment.to_scale();
    let decoded = Commitment::from_scale(&scale)?;
    ensure!(
        decoded == commitment,
        "the commitment decoded differs from the one encoded"
    );
    println!("   field 0 {}", commitment.field0());
    println!("   field 1 sha256:{}", commitment.content_digest());
    println!("   field 2 {}", commitment.tag());
    println!(
        "   {} SCALE bytes, decoded back identical; signer {}",
        scale.len(),
        hotkey.ss58()
    );
    Ok(commitment)
}

/// On an in-process localnet (blocks every 250 ms): the dev account //Alice funds the coldkey,
/// the coldkey registers the hotkey on netuid 1, the hotkey commits, and the commitment is read
/// back from the chain and decoded.
fn chain_step(
    coldkey: &keys::Keypair,
    hotkey: &keys::Keypair,
    commitment: &Commitment,
) -> Result<()> {
    const NETUID: u16 = 1;
    const FUNDING_RAO: u64 = 10_000_000_000;
    println!("\n5. local chain: fund, register, commit, read back");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("tokio runtime")?;
    runtime.block_on(async {
        let localnet = spawn(LocalnetConfig {
            port: 0,
            ..LocalnetConfig::default()
        })
        .await
        .context("starting the localnet")?;
        let client = Client::connect_url(&localnet.ws_url()).await?;
        println!(
            "   localnet {} (netuid {NETUID} owned by //Alice)",
            localnet.ws_url()
        );
        let funded = client
            .transfer(
                &keys::Keypair::dev("Alice"),
                &coldkey.public_key(),
                FUNDING_RAO,
            )
            .await?;
        println!(
            "   //Alice sent 10 TAO to the coldkey in block {}",
            funded.block_number
        );
        let uid = match client
            .register(NETUID, coldkey, &hotkey.public_key())
            .await?
        {
            Registered::New { uid, included } => {
                println!(
                    "   registered the hotkey as uid {uid} in block {}",
                    included.block_number
                );
                uid
            }
            Registered::Already { uid } => uid,
        };
        let included = client.commit(NETUID, hotkey, commitment).await?;
        let record = client
            .at_best()
            .await?
            .commitment(NETUID, &hotkey.public_key())
            .await?
            .context("the chain holds no commitment for the hotkey")?;
        ensure!(
            record.block == included.block_number && record.uid == Some(uid),
            "the commitment read back is from block {} for uid {:?}, expected block {} uid {uid}",
            record.block,
            record.uid,
            included.block_number
        );
        ensure!(
            matches!(&record.payload, Payload::Nya(read) if read == commitment),
            "the commitment read back from the chain differs from the one committed"
        );
        println!(
            "   committed in block {}; read back from the chain and decoded: {}",
            included.block_number,
            commitment.field0()
        );
        localnet.stop().await;
        Ok(())
    })
}

fn tempfile_dir() -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("nya-demo-")
        .tempdir()
        .context("cannot create a temp dir")
}
