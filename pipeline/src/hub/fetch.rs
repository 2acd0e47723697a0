//! Fetching a Hub repo at an exact commit, verified, within limits, atomically.
//!
//! Contract:
//! - The revision is a 40-hex commit id ([`RepoRef`]); branch names cannot be asked for, and
//!   every file's `X-Repo-Commit` must be that id, so a branch moved after the commit changes
//!   nothing.
//! - The tree is listed first and checked against the caller's [`FetchLimits`] (file count,
//!   largest file, total bytes) and path rules (relative, no `..`, no `.git/` or `.cache/`)
//!   before a byte of content is downloaded; a download is cut off past its listed size.
//! - [`VerifyMode::Manifest`] (nya datasets): `nya-manifest.json` must be there; every other
//!   file must be listed in it (or be the card or `.gitattributes`) with its size and sha256.
//!   [`VerifyMode::HubLfs`] (teacher models, evaluation sets): LFS files are checked against the
//!   Hub's sha256 (the tree's `lfs.oid`, else the `X-Linked-Etag` of the resolve call, which the
//!   Hub sets to the LFS sha256), other files against their git blob id.
//! - Files are written into a fresh sibling folder and renamed into place when all are
//!   verified, so a target folder that exists is complete; an interrupted fetch leaves only a
//!   `.partial` folder. hf-hub restarts a failed download from zero; so does each retry here.
//! - A target that exists is reused, not fetched again: its record
//!   (`.cache/nya-fetch.json`, which Hub dataset tools skip like `huggingface_hub`'s own
//!   `.cache/`) must name the same repo and revision, and every file is re-hashed against it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use futures::StreamExt;
use hf_hub::repository::{RepoTreeEntry, RepoTypeDataset};
use hf_hub::{HFError, HFRepository, RepoType, RepoTypeModel};
use nya_metadata::commitment::RepoRef;
use nya_metadata::manifest::{
    MANIFEST_FILE_NAME, MAX_MANIFEST_BYTES, Manifest, Sha256Digest, validate_repo_path,
};
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::retry::{Transience, classify_hf_error, with_retry};
use super::{HubError, HubSettings, RepoKind};
use crate::dataset_dir::{self, HOUSEKEEPING_FILES};

/// Where a snapshot keeps its fetch record, relative to the snapshot folder.
pub const RECORD_PATH: &str = ".cache/nya-fetch.json";

/// Hard limits chosen by the caller; anything over them is refused before download.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FetchLimits {
    /// Most bytes in all.
    pub max_total_bytes: u64,
    /// Most files.
    pub max_files: usize,
    /// Largest single file.
    pub max_file_bytes: u64,
}

/// How fetched files are verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerifyMode {
    /// A nya dataset: against its `nya-manifest.json`.
    Manifest,
    /// Any other repo: against the Hub's LFS sha256 and git blob ids.
    HubLfs,
}

/// One fetch.
#[derive(Clone, Debug)]
pub struct FetchRequest {
    /// Repo and commit.
    pub repo: RepoRef,
    /// Dataset or model repo.
    pub kind: RepoKind,
    /// How to verify.
    pub mode: VerifyMode,
    /// Limits.
    pub limits: FetchLimits,
    /// The folder the snapshot ends up in (must not exist, or hold this very snapshot).
    pub target: PathBuf,
}

/// The conventional place of a snapshot under a cache root:
/// `<root>/<datasets|models>/<owner>/<name>/<revision>`.
pub fn cache_path(root: &Path, kind: RepoKind, repo: &RepoRef) -> PathBuf {
    root.join(kind.plural())
        .join(repo.repo.owner())
        .join(repo.repo.name())
        .join(repo.revision.as_str())
}

/// A fetched, verified file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotFile {
    /// Path in the repo.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the bytes.
    pub sha256: Sha256Digest,
}

/// A verified snapshot on disk.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The folder.
    pub dir: PathBuf,
    /// What was fetched.
    pub repo: RepoRef,
    /// Its files, sorted by path.
    pub files: Vec<SnapshotFile>,
    /// Total size.
    pub total_bytes: u64,
    /// The manifest, in [`VerifyMode::Manifest`].
    pub manifest: Option<Manifest>,
    /// Whether the snapshot was already there (nothing downloaded).
    pub from_cache: bool,
}

/// What `.cache/nya-fetch.json` holds.
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    repo: RepoRef,
    kind: String,
    files: Vec<SnapshotFile>,
}

/// One file of the listed tree.
#[derive(Clone, Debug)]
struct TreeFile {
    path: String,
    size: u64,
    /// Git blob id (of the content, or of the LFS pointer for LFS files).
    oid: String,
    /// Whether the Hub stores it with LFS, and the sha256 when the listing carried it.
    lfs: Option<Option<String>>,
}

/// What a downloaded file must match.
#[derive(Clone, Debug)]
enum Expect {
    /// A known sha256 (from the manifest, or the Hub's LFS listing).
    Sha256(Sha256Digest, &'static str),
    /// An LFS file whose sha256 is read from the resolve call's `X-Linked-Etag`.
    LfsEtag,
    /// A plain git file: its git blob id.
    GitBlob(String),
}

/// Fetches `request.repo` into `request.target` (see the module doc for the contract).
pub async fn fetch(settings: &HubSettings, request: &FetchRequest) -> Result<Snapshot, HubError> {
    if std::fs::symlink_metadata(&request.target).is_ok() {
        return reuse(request);
    }
    let client = settings.client()?;
    let (owner, name) = (request.repo.repo.owner(), request.repo.repo.name());
    match request.kind {
        RepoKind::Dataset => {
            fetch_from(
                settings,
                &client.repository(RepoTypeDataset, owner, name),
                request,
            )
            .await
        }
        RepoKind::Model => {
            fetch_from(
                settings,
                &client.repository(RepoTypeModel, owner, name),
                request,
            )
            .await
        }
    }
}

async fn fetch_from<T: RepoType>(
    settings: &HubSettings,
    handle: &HFRepository<T>,
    request: &FetchRequest,
) -> Result<Snapshot, HubError> {
    let label = request.repo.to_string();
    let revision = request.repo.revision.as_str();
    let tree = with_retry(&settings.retry, classify_hf_error, |_| {
        list_tree(handle, revision, request.limits.max_files)
    })
    .await
    .map_err(HubError::hub(&label, "list files"))?;
    let tree = check_tree(&label, tree, &request.limits)?;

    let partial = partial_dir(&request.target)?;
    let result = download_all(settings, handle, request, &label, &tree, &partial).await;
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(error) => {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(error);
        }
    };
    let (files, manifest) = outcome;
    let record = Record {
        repo: request.repo.clone(),
        kind: request.kind.singular().to_string(),
        files: files.clone(),
    };
    let record_path = partial.join(RECORD_PATH);
    if let Some(parent) = record_path.parent() {
        std::fs::create_dir_all(parent).map_err(HubError::io(parent))?;
    }
    let json = serde_json::to_vec_pretty(&record).map_err(|error| HubError::CacheRecord {
        path: record_path.clone(),
        error,
    })?;
    std::fs::write(&record_path, json).map_err(HubError::io(&record_path))?;
    if let Err(error) = std::fs::rename(&partial, &request.target) {
        let _ = std::fs::remove_dir_all(&partial);
        // Another fetch of the same snapshot finished first: use its result.
        if request.target.join(RECORD_PATH).is_file() {
            return reuse(request);
        }
        return Err(HubError::Io {
            path: request.target.clone(),
            error,
        });
    }
    let total_bytes = files.iter().map(|f| f.size).sum();
    Ok(Snapshot {
        dir: request.target.clone(),
        repo: request.repo.clone(),
        files,
        total_bytes,
        manifest,
        from_cache: false,
    })
}

/// Lists every file at `revision`, stopping as soon as there are more than `max_files`.
async fn list_tree<T: RepoType>(
    handle: &HFRepository<T>,
    revision: &str,
    max_files: usize,
) -> Result<Vec<TreeFile>, HFError> {
    let stream = handle
        .list_tree()
        .revision(revision)
        .recursive(true)
        .send()?;
    futures::pin_mut!(stream);
    let mut files = Vec::new();
    while let Some(entry) = stream.next().await {
        if let RepoTreeEntry::File {
            oid,
            size,
            path,
            lfs,
            ..
        } = entry?
        {
            files.push(TreeFile {
                path,
                size,
                oid,
                lfs: lfs.map(|info| info.sha256),
            });
            // One over the limit is enough to refuse; do not page through a hostile listing.
            if files.len() > max_files {
                break;
            }
        }
    }
    Ok(files)
}

/// Applies the limits and path rules to the listing; returns it sorted by path.
fn check_tree(
    label: &str,
    mut tree: Vec<TreeFile>,
    limits: &FetchLimits,
) -> Result<Vec<TreeFile>, HubError> {
    if tree.len() > limits.max_files {
        return Err(HubError::TooManyFiles {
            repo: label.to_string(),
            count: tree.len(),
            limit: limits.max_files,
        });
    }
    tree.sort_by(|a, b| a.path.cmp(&b.path));
    let mut total = 0u64;
    let mut previous: Option<&str> = None;
    for file in &tree {
        validate_repo_path(&file.path).map_err(|error| HubError::BadPath {
            repo: label.to_string(),
            error,
        })?;
        let first = file.path.split('/').next().unwrap_or_default();
        if first == ".git" || first == ".cache" {
            return Err(HubError::ReservedPath {
                repo: label.to_string(),
                file: file.path.clone(),
            });
        }
        if previous == Some(file.path.as_str()) {
            return Err(HubError::DuplicatePath {
                repo: label.to_string(),
                file: file.path.clone(),
            });
        }
        previous = Some(&file.path);
        if file.size > limits.max_file_bytes {
            return Err(HubError::FileTooLarge {
                repo: label.to_string(),
                file: file.path.clone(),
                size: file.size,
                limit: limits.max_file_bytes,
            });
        }
        total = total.saturating_add(file.size);
        if total > limits.max_total_bytes {
            return Err(HubError::TotalTooLarge {
                repo: label.to_string(),
                total,
                limit: limits.max_total_bytes,
            });
        }
    }
    Ok(tree)
}

/// A fresh folder beside `target` (same filesystem, so the final rename is atomic).
fn partial_dir(target: &Path) -> Result<PathBuf, HubError> {
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(HubError::io(&parent))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "snapshot".to_string());
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let partial = parent.join(format!(".{name}.partial-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&partial).map_err(HubError::io(&partial))?;
    Ok(partial)
}

async fn download_all<T: RepoType>(
    settings: &HubSettings,
    handle: &HFRepository<T>,
    request: &FetchRequest,
    label: &str,
    tree: &[TreeFile],
    partial: &Path,
) -> Result<(Vec<SnapshotFile>, Option<Manifest>), HubError> {
    let mut files = Vec::with_capacity(tree.len());
    let mut plan: Vec<(&TreeFile, Expect)> = Vec::with_capacity(tree.len());
    let mut manifest = None;
    match request.mode {
        VerifyMode::Manifest => {
            let Some(entry) = tree.iter().find(|f| f.path == MANIFEST_FILE_NAME) else {
                return Err(HubError::MissingManifest {
                    repo: label.to_string(),
                    manifest: MANIFEST_FILE_NAME,
                });
            };
            if entry.size > MAX_MANIFEST_BYTES as u64 {
                return Err(HubError::FileTooLarge {
                    repo: label.to_string(),
                    file: entry.path.clone(),
                    size: entry.size,
                    limit: MAX_MANIFEST_BYTES as u64,
                });
            }
            let expect = hub_expectation(entry);
            let fetched =
                download_with_retry(settings, handle, request, label, entry, &expect, partial)
                    .await?;
            let path = partial.join(MANIFEST_FILE_NAME);
            let bytes = std::fs::read(&path).map_err(HubError::io(&path))?;
            let parsed = Manifest::from_json(&bytes).map_err(|error| HubError::Manifest {
                repo: label.to_string(),
                manifest: MANIFEST_FILE_NAME,
                error,
            })?;
            files.push(fetched);
            let listed: BTreeMap<&str, _> =
                parsed.files.iter().map(|f| (f.path.as_str(), f)).collect();
            let present: BTreeSet<&str> = tree.iter().map(|f| f.path.as_str()).collect();
            for wanted in listed.keys() {
                if !present.contains(wanted) {
                    return Err(HubError::NotInRepo {
                        repo: label.to_string(),
                        file: (*wanted).to_string(),
                    });
                }
            }
            for file in tree.iter().filter(|f| f.path != MANIFEST_FILE_NAME) {
                match listed.get(file.path.as_str()) {
                    Some(entry) => {
                        if entry.size != file.size {
                            return Err(HubError::SizeMismatch {
                                repo: label.to_string(),
                                file: file.path.clone(),
                                expected: entry.size,
                                actual: file.size,
                                rule: "the manifest",
                            });
                        }
                        plan.push((file, Expect::Sha256(entry.sha256, "the manifest")));
                    }
                    None if HOUSEKEEPING_FILES.contains(&file.path.as_str()) => {
                        plan.push((file, hub_expectation(file)));
                    }
                    None => {
                        return Err(HubError::Unlisted {
                            repo: label.to_string(),
                            file: file.path.clone(),
                        });
                    }
                }
            }
            manifest = Some(parsed);
        }
        VerifyMode::HubLfs => {
            for file in tree {
                plan.push((file, hub_expectation(file)));
            }
        }
    }
    for (file, expect) in plan {
        files.push(
            download_with_retry(settings, handle, request, label, file, &expect, partial).await?,
        );
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((files, manifest))
}

/// What the Hub itself vouches for: the LFS sha256, or the git blob id.
fn hub_expectation(file: &TreeFile) -> Expect {
    match &file.lfs {
        Some(Some(sha)) => match sha.parse::<Sha256Digest>() {
            Ok(digest) => Expect::Sha256(digest, "the Hub's LFS sha256"),
            Err(_) => Expect::LfsEtag,
        },
        Some(None) => Expect::LfsEtag,
        None => Expect::GitBlob(file.oid.clone()),
    }
}

/// Whether a failed file download is worth restarting from zero.
fn classify_download(error: &HubError) -> Transience {
    match error {
        HubError::Transfer { error, .. } => classify_hf_error(error),
        HubError::Truncated { .. } => Transience::Transient(None),
        _ => Transience::Permanent,
    }
}

async fn download_with_retry<T: RepoType>(
    settings: &HubSettings,
    handle: &HFRepository<T>,
    request: &FetchRequest,
    label: &str,
    file: &TreeFile,
    expect: &Expect,
    partial: &Path,
) -> Result<SnapshotFile, HubError> {
    with_retry(&settings.retry, classify_download, |_| {
        download_one(handle, request, label, file, expect, partial)
    })
    .await
}

async fn download_one<T: RepoType>(
    handle: &HFRepository<T>,
    request: &FetchRequest,
    label: &str,
    file: &TreeFile,
    expect: &Expect,
    partial: &Path,
) -> Result<SnapshotFile, HubError> {
    let revision = request.repo.revision.as_str();
    let transfer = |error: HFError| HubError::Transfer {
        repo: label.to_string(),
        file: file.path.clone(),
        error: Box::new(error),
    };
    let metadata = handle
        .get_file_metadata()
        .filepath(file.path.clone())
        .revision(revision)
        .send()
        .await
        .map_err(transfer)?;
    if metadata.commit_hash != revision {
        return Err(HubError::WrongCommit {
            repo: label.to_string(),
            file: file.path.clone(),
            requested: revision.to_string(),
            served: metadata.commit_hash,
        });
    }
    let expect = match expect {
        Expect::LfsEtag => match metadata.etag.parse::<Sha256Digest>() {
            Ok(digest) => Expect::Sha256(digest, "the Hub's LFS etag"),
            Err(_) => {
                return Err(HubError::Unverifiable {
                    repo: label.to_string(),
                    file: file.path.clone(),
                });
            }
        },
        other => other.clone(),
    };

    let dest = partial.join(&file.path);
    if let Some(parent) = dest.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(HubError::io(parent))?;
    }
    // `create` truncates: a retry restarts the file from zero.
    let mut out = tokio::fs::File::create(&dest)
        .await
        .map_err(HubError::io(&dest))?;
    let (_, stream) = handle
        .download_file_stream()
        .filename(file.path.clone())
        .revision(revision)
        .send()
        .await
        .map_err(transfer)?;
    futures::pin_mut!(stream);
    let mut sha256 = Sha256::new();
    let mut git = Sha1::new();
    git.update(format!("blob {}\0", file.size).as_bytes());
    let mut got = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(transfer)?;
        got = got.saturating_add(chunk.len() as u64);
        if got > file.size {
            return Err(HubError::Oversent {
                repo: label.to_string(),
                file: file.path.clone(),
                expected: file.size,
            });
        }
        sha256.update(&chunk);
        git.update(&chunk);
        out.write_all(&chunk).await.map_err(HubError::io(&dest))?;
    }
    if got < file.size {
        return Err(HubError::Truncated {
            repo: label.to_string(),
            file: file.path.clone(),
            expected: file.size,
            got,
        });
    }
    out.sync_all().await.map_err(HubError::io(&dest))?;
    let actual = Sha256Digest(sha256.finalize().into());
    match expect {
        Expect::Sha256(expected, rule) if expected != actual => {
            return Err(HubError::Sha256Mismatch {
                repo: label.to_string(),
                file: file.path.clone(),
                expected: expected.to_string(),
                actual: actual.to_string(),
                rule,
            });
        }
        Expect::GitBlob(expected) => {
            let actual_oid = hex::encode(git.finalize());
            if !expected.eq_ignore_ascii_case(&actual_oid) {
                return Err(HubError::GitOidMismatch {
                    repo: label.to_string(),
                    file: file.path.clone(),
                    expected,
                    actual: actual_oid,
                });
            }
        }
        _ => {}
    }
    Ok(SnapshotFile {
        path: file.path.clone(),
        size: got,
        sha256: actual,
    })
}

/// Reuses an existing target: same repo and revision, limits respected, every file re-hashed,
/// nothing extra.
fn reuse(request: &FetchRequest) -> Result<Snapshot, HubError> {
    let label = request.repo.to_string();
    let dir = &request.target;
    let record_path = dir.join(RECORD_PATH);
    let bytes = std::fs::read(&record_path).map_err(HubError::io(&record_path))?;
    let record: Record = serde_json::from_slice(&bytes).map_err(|error| HubError::CacheRecord {
        path: record_path.clone(),
        error,
    })?;
    if record.repo != request.repo || record.kind != request.kind.singular() {
        return Err(HubError::Io {
            path: dir.clone(),
            error: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!(
                    "holds {} {}, not {} {label}",
                    record.kind,
                    record.repo,
                    request.kind.singular()
                ),
            ),
        });
    }
    let tree: Vec<TreeFile> = record
        .files
        .iter()
        .map(|f| TreeFile {
            path: f.path.clone(),
            size: f.size,
            oid: String::new(),
            lfs: None,
        })
        .collect();
    check_tree(&label, tree, &request.limits)?;
    let on_disk = dataset_dir::list_files(dir).map_err(|error| HubError::Dataset {
        dir: dir.clone(),
        error,
    })?;
    let recorded: BTreeSet<&str> = record.files.iter().map(|f| f.path.as_str()).collect();
    for path in &on_disk {
        if !recorded.contains(path.as_str()) {
            return Err(HubError::Unlisted {
                repo: label.clone(),
                file: path.clone(),
            });
        }
    }
    for file in &record.files {
        let path = dir.join(&file.path);
        let (sha256, size) = dataset_dir::hash_file(&path).map_err(|error| HubError::Dataset {
            dir: dir.clone(),
            error,
        })?;
        if size != file.size {
            return Err(HubError::SizeMismatch {
                repo: label.clone(),
                file: file.path.clone(),
                expected: file.size,
                actual: size,
                rule: "the fetch record",
            });
        }
        if sha256 != file.sha256 {
            return Err(HubError::Sha256Mismatch {
                repo: label.clone(),
                file: file.path.clone(),
                expected: file.sha256.to_string(),
                actual: sha256.to_string(),
                rule: "the fetch record",
            });
        }
    }
    let manifest = match request.mode {
        VerifyMode::Manifest => {
            Some(dataset_dir::verify(dir).map_err(|error| HubError::Dataset {
                dir: dir.clone(),
                error,
            })?)
        }
        VerifyMode::HubLfs => None,
    };
    let total_bytes = record.files.iter().map(|f| f.size).sum();
    Ok(Snapshot {
        dir: dir.clone(),
        repo: request.repo.clone(),
        files: record.files,
        total_bytes,
        manifest,
        from_cache: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, size: u64) -> TreeFile {
        TreeFile {
            path: path.into(),
            size,
            oid: String::new(),
            lfs: None,
        }
    }

    const LIMITS: FetchLimits = FetchLimits {
        max_total_bytes: 100,
        max_files: 3,
        max_file_bytes: 60,
    };

    #[test]
    fn the_listing_is_checked_against_limits_and_path_rules() {
        let ok = check_tree("a/b@x", vec![file("b", 10), file("a/c", 50)], &LIMITS).unwrap();
        assert_eq!(ok[0].path, "a/c");
        let cases: Vec<(Vec<TreeFile>, &str)> = vec![
            (
                vec![file("a", 1), file("b", 1), file("c", 1), file("d", 1)],
                "4 files, more than the limit of 3",
            ),
            (
                vec![file("big", 61)],
                "big: 61 bytes, more than the per-file limit of 60",
            ),
            (
                vec![file("a", 60), file("b", 41)],
                "101 bytes in all, more than the limit of 100",
            ),
            (vec![file("../etc/passwd", 1)], "contains a '..' segment"),
            (vec![file("/abs", 1)], "is absolute"),
            (vec![file(".git/config", 1)], "reserved path"),
            (vec![file(".cache/nya-fetch.json", 1)], "reserved path"),
            (vec![file("a", 1), file("a", 1)], "listed twice"),
        ];
        for (tree, expected) in cases {
            let err = check_tree("a/b@x", tree, &LIMITS).unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
            assert!(err.starts_with("a/b@x"), "{err}");
        }
    }

    #[test]
    fn hub_expectations_prefer_the_lfs_sha_then_the_etag_then_the_git_id() {
        let sha = "ab".repeat(32);
        let mut lfs = file("m.bin", 5);
        lfs.lfs = Some(Some(sha.clone()));
        assert!(matches!(hub_expectation(&lfs), Expect::Sha256(d, _) if d.to_string() == sha));
        lfs.lfs = Some(None);
        assert!(matches!(hub_expectation(&lfs), Expect::LfsEtag));
        let mut plain = file("c.json", 5);
        plain.oid = "1".repeat(40);
        assert!(matches!(hub_expectation(&plain), Expect::GitBlob(o) if o == "1".repeat(40)));
    }
}
