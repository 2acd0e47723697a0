//! The offline hub's storage: content-addressed objects and immutable commits on disk.
//!
//! Layout under the data dir:
//! - `objects/<aa>/<sha256>`: file contents, named by their SHA-256, written once (temp file,
//!   then rename), never modified.
//! - `repos/<datasets|models>/<owner>/<name>/repo.json`: `{private, created_at}`.
//! - `.../commits/<id>.json`: a commit (parent, title, description, time, and every file's
//!   path, sha256, size, git blob id and LFS flag). Ids are 40 hex (SHA-1 of the canonical
//!   commit JSON), written with `create_new` and never rewritten: a revision is immutable.
//! - `.../refs/main`: the head commit id, replaced atomically (temp file, rename).
//! - `tmp/`: uploads in flight.
//!
//! Like the Hub, a new repo starts with one commit holding `.gitattributes`. Only the `main`
//! branch exists; commits to it are serialised by one lock.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use nya_metadata::commitment::RepoId;
use nya_metadata::manifest::{RepoPathError, validate_repo_path};
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::hub::RepoKind;

/// The only branch.
pub const MAIN: &str = "main";

/// Path patterns the initial `.gitattributes` marks as LFS (a subset of the Hub's default).
pub const LFS_SUFFIXES: [&str; 10] = [
    ".parquet",
    ".arrow",
    ".bin",
    ".safetensors",
    ".pt",
    ".gz",
    ".zst",
    ".zip",
    ".npy",
    ".onnx",
];

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {error}")]
    Io { path: PathBuf, error: io::Error },
    #[error("{path}: corrupt store record: {error}")]
    Corrupt {
        path: PathBuf,
        error: serde_json::Error,
    },
    #[error("{repo}: {error}")]
    BadPath { repo: String, error: RepoPathError },
    #[error("{repo}: {path}: under .git/, which is not a file path")]
    GitPath { repo: String, path: String },
    #[error("{repo}: {path}: a file and a folder cannot share a path")]
    FileFolderClash { repo: String, path: String },
    #[error("{repo}: cannot delete {path}: not in the repo")]
    DeleteMissing { repo: String, path: String },
    #[error("{repo}: the commit would hold {count} files, more than the limit of {limit}")]
    TooManyFiles {
        repo: String,
        count: usize,
        limit: usize,
    },
    #[error("{repo}: parent commit {expected} is not the head {head}")]
    StaleParent {
        repo: String,
        expected: String,
        head: String,
    },
    #[error("object {sha256} is not stored (upload it through the LFS batch API first)")]
    MissingObject { sha256: String },
    #[error("the uploaded bytes hash to {actual}, not {expected}")]
    HashMismatch { expected: String, actual: String },
    #[error("object {sha256} is {actual} bytes, the commit says {declared}")]
    ObjectSize {
        sha256: String,
        declared: u64,
        actual: u64,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |error| StoreError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// One file of a commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// SHA-256 of the content (the object's name).
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Git blob id: of the content, or of the LFS pointer when `lfs`.
    pub git_oid: String,
    /// Stored with LFS (listed with `lfs`, resolved through a redirect).
    pub lfs: bool,
}

/// An immutable commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    /// 40 hex.
    pub id: String,
    /// The previous head, if any.
    pub parent: Option<String>,
    /// Title.
    pub summary: String,
    /// Body.
    pub description: String,
    /// Seconds since the Unix epoch.
    pub timestamp: u64,
    /// Every file, by path.
    pub files: BTreeMap<String, FileRecord>,
}

/// A repo's settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoMeta {
    /// Readable only by its owner.
    pub private: bool,
    /// Seconds since the Unix epoch.
    pub created_at: u64,
}

/// A stored object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectInfo {
    /// SHA-256, hex.
    pub sha256: String,
    /// Size.
    pub size: u64,
    /// Git blob id of the content, hex.
    pub git_oid: String,
}

/// One change in a commit.
#[derive(Clone, Debug)]
pub enum Change {
    /// Add or replace a file with a stored object.
    Add {
        path: String,
        object: ObjectInfo,
        lfs: bool,
    },
    /// Delete a file.
    Delete { path: String },
    /// Delete every file under a folder.
    DeleteFolder { path: String },
}

/// A commit to make: its parent as the client saw it (refused if `main` moved), message and
/// changes.
#[derive(Clone, Debug, Default)]
pub struct NewCommit {
    pub parent: Option<String>,
    pub summary: String,
    pub description: String,
    pub changes: Vec<Change>,
}

/// The on-disk store.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    commit_lock: Mutex<()>,
    temp_counter: AtomicU64,
    /// Files at or over this size are LFS.
    lfs_threshold: u64,
}

impl Store {
    /// Opens (creating if needed) a store at `root`.
    pub fn open(root: &Path, lfs_threshold: u64) -> Result<Store, StoreError> {
        // Uploads that were in flight when a previous run stopped are dead: start `tmp/` empty.
        let tmp = root.join("tmp");
        match std::fs::remove_dir_all(&tmp) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(StoreError::Io { path: tmp, error }),
        }
        for sub in ["objects", "repos", "tmp"] {
            let dir = root.join(sub);
            std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        }
        Ok(Store {
            root: root.to_path_buf(),
            commit_lock: Mutex::new(()),
            temp_counter: AtomicU64::new(0),
            lfs_threshold,
        })
    }

    /// The data dir.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether a file is stored with LFS: large, or a binary data format.
    pub fn is_lfs(&self, path: &str, size: u64) -> bool {
        size > 0
            && (size >= self.lfs_threshold
                || LFS_SUFFIXES.iter().any(|suffix| path.ends_with(suffix)))
    }

    /// A fresh path under `tmp/`.
    pub fn temp_path(&self, tag: &str) -> PathBuf {
        let n = self.temp_counter.fetch_add(1, Ordering::Relaxed);
        self.root
            .join("tmp")
            .join(format!("{tag}-{}-{}-{n}", std::process::id(), now()))
    }

    /// Where an object lives.
    pub fn object_path(&self, sha256: &str) -> PathBuf {
        let prefix = sha256.get(..2).unwrap_or("00");
        self.root.join("objects").join(prefix).join(sha256)
    }

    /// The stored size of an object, if stored.
    pub fn object_size(&self, sha256: &str) -> Option<u64> {
        std::fs::metadata(self.object_path(sha256))
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len())
    }

    /// Hashes a finished temp file and moves it into `objects/` (consuming it). With
    /// `expected`, a file hashing to anything else is deleted instead and refused.
    pub fn ingest(&self, temp: &Path, expected: Option<&str>) -> Result<ObjectInfo, StoreError> {
        let mut file = File::open(temp).map_err(io_err(temp))?;
        let size = file.metadata().map_err(io_err(temp))?.len();
        let mut sha256 = Sha256::new();
        let mut git = Sha1::new();
        git.update(format!("blob {size}\0").as_bytes());
        let mut buffer = vec![0u8; 1 << 16];
        loop {
            let n = file.read(&mut buffer).map_err(io_err(temp))?;
            if n == 0 {
                break;
            }
            let chunk = buffer.get(..n).unwrap_or_default();
            sha256.update(chunk);
            git.update(chunk);
        }
        drop(file);
        let info = ObjectInfo {
            sha256: hex::encode(sha256.finalize()),
            size,
            git_oid: hex::encode(git.finalize()),
        };
        if let Some(expected) = expected.filter(|e| *e != info.sha256) {
            std::fs::remove_file(temp).map_err(io_err(temp))?;
            return Err(StoreError::HashMismatch {
                expected: expected.to_string(),
                actual: info.sha256,
            });
        }
        let dest = self.object_path(&info.sha256);
        if self.object_size(&info.sha256) == Some(size) {
            std::fs::remove_file(temp).map_err(io_err(temp))?;
        } else {
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent).map_err(io_err(parent))?;
            }
            std::fs::rename(temp, &dest).map_err(io_err(&dest))?;
        }
        Ok(info)
    }

    /// Stores `bytes` as an object.
    pub fn put_bytes(&self, bytes: &[u8]) -> Result<ObjectInfo, StoreError> {
        let temp = self.temp_path("bytes");
        std::fs::write(&temp, bytes).map_err(io_err(&temp))?;
        self.ingest(&temp, None)
    }

    fn repo_dir(&self, kind: RepoKind, repo: &RepoId) -> PathBuf {
        self.root
            .join("repos")
            .join(kind.plural())
            .join(repo.owner())
            .join(repo.name())
    }

    /// A repo's settings, if it exists.
    pub fn repo_meta(&self, kind: RepoKind, repo: &RepoId) -> Result<Option<RepoMeta>, StoreError> {
        read_json_opt(&self.repo_dir(kind, repo).join("repo.json"))
    }

    /// Creates a repo with its initial `.gitattributes` commit; `false` if it already existed.
    pub fn create_repo(
        &self,
        kind: RepoKind,
        repo: &RepoId,
        private: bool,
    ) -> Result<bool, StoreError> {
        let _guard = self.lock();
        let dir = self.repo_dir(kind, repo);
        let meta_path = dir.join("repo.json");
        if meta_path.exists() {
            return Ok(false);
        }
        for sub in ["commits", "refs"] {
            let path = dir.join(sub);
            std::fs::create_dir_all(&path).map_err(io_err(&path))?;
        }
        let object = self.put_bytes(initial_gitattributes().as_bytes())?;
        let commit = self.build_commit(
            None,
            "initial commit".to_string(),
            String::new(),
            BTreeMap::from([(
                ".gitattributes".to_string(),
                FileRecord {
                    sha256: object.sha256,
                    size: object.size,
                    git_oid: object.git_oid,
                    lfs: false,
                },
            )]),
        );
        self.write_commit(&dir, &commit)?;
        write_atomically(&dir.join("refs").join(MAIN), commit.id.as_bytes())?;
        let meta = RepoMeta {
            private,
            created_at: commit.timestamp,
        };
        let json = serde_json::to_vec_pretty(&meta).map_err(|error| StoreError::Corrupt {
            path: meta_path.clone(),
            error,
        })?;
        // Written last: a repo is visible only once it is complete.
        write_atomically(&meta_path, &json)?;
        Ok(true)
    }

    /// The commit `revision` names (`main` or a 40-hex id), if any.
    pub fn resolve(
        &self,
        kind: RepoKind,
        repo: &RepoId,
        revision: &str,
    ) -> Result<Option<Commit>, StoreError> {
        let dir = self.repo_dir(kind, repo);
        let id = if revision == MAIN {
            match std::fs::read_to_string(dir.join("refs").join(MAIN)) {
                Ok(id) => id.trim().to_string(),
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                Err(error) => {
                    return Err(StoreError::Io {
                        path: dir.join("refs").join(MAIN),
                        error,
                    });
                }
            }
        } else if is_commit_id(revision) {
            revision.to_string()
        } else {
            return Ok(None);
        };
        read_json_opt(&dir.join("commits").join(format!("{id}.json")))
    }

    /// Applies `new` on top of the head of `main` and returns the new commit.
    pub fn commit(
        &self,
        kind: RepoKind,
        repo: &RepoId,
        new: NewCommit,
        max_files: usize,
    ) -> Result<Commit, StoreError> {
        let NewCommit {
            parent: parent_expected,
            summary,
            description,
            changes,
        } = new;
        let _guard = self.lock();
        let label = || repo.to_string();
        let head = self.resolve(kind, repo, MAIN)?;
        if let Some(expected) = parent_expected.as_deref() {
            let head_id = head.as_ref().map(|c| c.id.clone()).unwrap_or_default();
            if expected != head_id {
                return Err(StoreError::StaleParent {
                    repo: label(),
                    expected: expected.to_string(),
                    head: head_id,
                });
            }
        }
        let mut files = head.as_ref().map(|c| c.files.clone()).unwrap_or_default();
        for change in changes {
            match change {
                Change::Add { path, object, lfs } => {
                    validate_repo_path(&path).map_err(|error| StoreError::BadPath {
                        repo: label(),
                        error,
                    })?;
                    if path == ".git" || path.starts_with(".git/") {
                        return Err(StoreError::GitPath {
                            repo: label(),
                            path,
                        });
                    }
                    let git_oid = if lfs {
                        pointer_oid(&object.sha256, object.size)
                    } else {
                        object.git_oid.clone()
                    };
                    files.insert(
                        path,
                        FileRecord {
                            sha256: object.sha256,
                            size: object.size,
                            git_oid,
                            lfs,
                        },
                    );
                }
                Change::Delete { path } => {
                    if files.remove(&path).is_none() {
                        return Err(StoreError::DeleteMissing {
                            repo: label(),
                            path,
                        });
                    }
                }
                Change::DeleteFolder { path } => {
                    let prefix = format!("{}/", path.trim_end_matches('/'));
                    files.retain(|p, _| !p.starts_with(&prefix));
                }
            }
        }
        if files.len() > max_files {
            return Err(StoreError::TooManyFiles {
                repo: label(),
                count: files.len(),
                limit: max_files,
            });
        }
        // `a` as a file and `a/b` beside it cannot both exist in a git tree.
        for path in files.keys() {
            let mut prefix = String::new();
            for segment in path.split('/') {
                if !prefix.is_empty() && files.contains_key(&prefix) {
                    return Err(StoreError::FileFolderClash {
                        repo: label(),
                        path: prefix,
                    });
                }
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(segment);
            }
        }
        let commit = self.build_commit(head.map(|c| c.id), summary, description, files);
        let dir = self.repo_dir(kind, repo);
        self.write_commit(&dir, &commit)?;
        write_atomically(&dir.join("refs").join(MAIN), commit.id.as_bytes())?;
        Ok(commit)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        // A panic while holding the lock leaves no half-written state (writes are atomic).
        self.commit_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn build_commit(
        &self,
        parent: Option<String>,
        summary: String,
        description: String,
        files: BTreeMap<String, FileRecord>,
    ) -> Commit {
        let mut commit = Commit {
            id: String::new(),
            parent,
            summary,
            description,
            timestamp: now(),
            files,
        };
        // Serialising plain strings, numbers and maps cannot fail.
        let canonical = serde_json::to_vec(&commit).unwrap_or_default();
        commit.id = hex::encode(Sha1::digest(&canonical));
        commit
    }

    fn write_commit(&self, repo_dir: &Path, commit: &Commit) -> Result<(), StoreError> {
        let path = repo_dir.join("commits").join(format!("{}.json", commit.id));
        let json = serde_json::to_vec_pretty(commit).map_err(|error| StoreError::Corrupt {
            path: path.clone(),
            error,
        })?;
        let temp = self.temp_path("commit");
        std::fs::write(&temp, &json).map_err(io_err(&temp))?;
        // hard_link fails if the commit exists: an identical commit (same id) is kept as is.
        match std::fs::hard_link(&temp, &path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(error) => {
                let _ = std::fs::remove_file(&temp);
                return Err(StoreError::Io { path, error });
            }
        }
        std::fs::remove_file(&temp).map_err(io_err(&temp))
    }
}

/// Whether `text` is a full commit id.
pub fn is_commit_id(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The LFS pointer file git stores for an LFS object.
pub fn lfs_pointer(sha256: &str, size: u64) -> String {
    format!("version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n")
}

/// Git blob id of the LFS pointer (what the Hub lists as an LFS file's `oid`).
fn pointer_oid(sha256: &str, size: u64) -> String {
    let pointer = lfs_pointer(sha256, size);
    let mut git = Sha1::new();
    git.update(format!("blob {}\0", pointer.len()).as_bytes());
    git.update(pointer.as_bytes());
    hex::encode(git.finalize())
}

fn initial_gitattributes() -> String {
    LFS_SUFFIXES
        .iter()
        .map(|suffix| format!("*{suffix} filter=lfs diff=lfs merge=lfs -text\n"))
        .collect()
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn read_json_opt<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, StoreError> {
    match std::fs::read(path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|error| StoreError::Corrupt {
                    path: path.to_path_buf(),
                    error,
                })
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(StoreError::Io {
            path: path.to_path_buf(),
            error,
        }),
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let temp = path.with_extension("tmp-write");
    let mut file = File::create(&temp).map_err(io_err(&temp))?;
    file.write_all(bytes).map_err(io_err(&temp))?;
    file.sync_all().map_err(io_err(&temp))?;
    std::fs::rename(&temp, path).map_err(io_err(path))
}

/// `2024-05-01T12:00:00.000Z` for a Unix time.
pub fn iso8601(seconds: u64) -> String {
    // Hand-written to avoid a date crate for one format: days-to-civil (proleptic Gregorian).
    let days = seconds / 86_400;
    let rem = seconds % 86_400;
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> RepoId {
        RepoId::new("alice/data").unwrap()
    }

    #[test]
    fn dates_format_like_the_hub() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso8601(1_714_564_800), "2024-05-01T12:00:00.000Z");
    }

    #[test]
    fn objects_carry_sha256_and_git_blob_ids() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path(), 1 << 20).unwrap();
        let info = store.put_bytes(b"hello\n").unwrap();
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(info.git_oid, "ce013625030ba8dba906f756967f9e9ca394464a");
        assert_eq!(
            info.sha256,
            "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
        );
        assert_eq!(store.object_size(&info.sha256), Some(6));
    }

    #[test]
    fn commits_are_immutable_and_main_moves_forward() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path(), 1 << 20).unwrap();
        assert!(
            store
                .create_repo(RepoKind::Dataset, &repo(), false)
                .unwrap()
        );
        assert!(!store.create_repo(RepoKind::Dataset, &repo(), true).unwrap());
        let initial = store
            .resolve(RepoKind::Dataset, &repo(), MAIN)
            .unwrap()
            .unwrap();
        assert!(initial.files.contains_key(".gitattributes"));

        let a = store.put_bytes(b"a").unwrap();
        let add = |path: &str, object: &ObjectInfo| Change::Add {
            path: path.into(),
            object: object.clone(),
            lfs: false,
        };
        let first = store
            .commit(
                RepoKind::Dataset,
                &repo(),
                NewCommit {
                    parent: None,
                    summary: "one".into(),
                    description: String::new(),
                    changes: vec![add("x", &a)],
                },
                10,
            )
            .unwrap();
        assert!(is_commit_id(&first.id));
        assert_eq!(first.parent.as_deref(), Some(initial.id.as_str()));
        let b = store.put_bytes(b"b").unwrap();
        let second = store
            .commit(
                RepoKind::Dataset,
                &repo(),
                NewCommit {
                    parent: Some(first.id.clone()),
                    summary: "two".into(),
                    description: String::new(),
                    changes: vec![add("x", &b)],
                },
                10,
            )
            .unwrap();
        let old = store
            .resolve(RepoKind::Dataset, &repo(), &first.id)
            .unwrap()
            .unwrap();
        assert_eq!(old.files["x"].sha256, a.sha256);
        let head = store
            .resolve(RepoKind::Dataset, &repo(), MAIN)
            .unwrap()
            .unwrap();
        assert_eq!(head.id, second.id);

        let stale = store
            .commit(
                RepoKind::Dataset,
                &repo(),
                NewCommit {
                    parent: Some(first.id.clone()),
                    summary: "three".into(),
                    description: String::new(),
                    changes: vec![],
                },
                10,
            )
            .unwrap_err();
        assert!(stale.to_string().contains("is not the head"), "{stale}");
        let clash = store
            .commit(
                RepoKind::Dataset,
                &repo(),
                NewCommit {
                    parent: None,
                    summary: "c".into(),
                    description: String::new(),
                    changes: vec![add("x/y", &a)],
                },
                10,
            )
            .unwrap_err();
        assert!(
            clash.to_string().contains("x: a file and a folder"),
            "{clash}"
        );
        let traversal = store
            .commit(
                RepoKind::Dataset,
                &repo(),
                NewCommit {
                    parent: None,
                    summary: "t".into(),
                    description: String::new(),
                    changes: vec![add("../x", &a)],
                },
                10,
            )
            .unwrap_err();
        assert!(traversal.to_string().contains("'..'"), "{traversal}");
        let too_many = store
            .commit(
                RepoKind::Dataset,
                &repo(),
                NewCommit {
                    parent: None,
                    summary: "m".into(),
                    description: String::new(),
                    changes: vec![add("y", &a), add("z", &a)],
                },
                3,
            )
            .unwrap_err();
        assert!(
            too_many
                .to_string()
                .contains("4 files, more than the limit of 3"),
            "{too_many}"
        );

        // Reopening the data dir sees the same history.
        drop(store);
        let reopened = Store::open(tmp.path(), 1 << 20).unwrap();
        let head = reopened
            .resolve(RepoKind::Dataset, &repo(), MAIN)
            .unwrap()
            .unwrap();
        assert_eq!(head.id, second.id);
    }

    #[test]
    fn lfs_pointer_ids_match_git() {
        let sha = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";
        // `printf 'version https://git-lfs.github.com/spec/v1\noid sha256:<sha>\nsize 12345\n'
        //  | git hash-object --stdin`
        assert_eq!(lfs_pointer(sha, 12345).len(), 130);
        assert_eq!(
            pointer_oid(sha, 12345),
            "60c8d8ab2adcf57a391163a7eeb0cdb8bf348e44"
        );
    }
}
