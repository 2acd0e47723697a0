//! Publishing a folder to a Hub repo as one commit.
//!
//! 1. A nya dataset folder is verified first ([`crate::dataset_dir::verify`]): what goes on
//!    the Hub is exactly what the manifest lists, plus the card.
//! 2. The repo is created if missing (`exist_ok`), public unless asked otherwise.
//! 3. Every file (symlinks refused, `.git/` and `.cache/` skipped) is added in a single commit
//!    through hf-hub's `create_commit`, which asks the Hub's preupload endpoint which files are
//!    LFS. On the real Hub those go through Xet; a server that offers no Xet (the offline hub)
//!    gets them inline, base64 in the commit body. Small files are always inline.
//!    Files the repo holds at its head but the folder does not are deleted in the same commit
//!    (the revision is exactly the folder), and the commit names that head as its parent, so
//!    a concurrent push makes it fail instead of mixing.
//! 4. The commit id the Hub answers must be 40 lowercase hex: it is what goes on chain.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use futures::StreamExt;

use hf_hub::RepoTypeModel;
use hf_hub::repository::{CommitOperation, RepoTreeEntry, RepoTypeDataset};
use nya_metadata::commitment::{RepoId, RepoRef, Revision};
use nya_metadata::manifest::{Manifest, validate_repo_path};

use super::retry::{classify_hf_error, with_retry};
use super::{HubError, HubSettings, Progress, RepoKind};
use crate::dataset_dir;

/// How to publish.
#[derive(Clone, Debug)]
pub struct PublishOptions {
    /// Dataset or model repo.
    pub kind: RepoKind,
    /// Create the repo private (ignored when it already exists).
    pub private: bool,
    /// Commit title.
    pub message: String,
    /// Commit description (may be empty).
    pub description: String,
    /// Verify the folder as a nya dataset (manifest present and matching) before uploading.
    pub require_manifest: bool,
    /// Upload progress (hf-hub's events).
    pub progress: Option<Progress>,
}

impl Default for PublishOptions {
    fn default() -> Self {
        PublishOptions {
            kind: RepoKind::Dataset,
            private: false,
            message: "Upload dataset with nya".to_string(),
            description: String::new(),
            require_manifest: true,
            progress: None,
        }
    }
}

/// What was published.
#[derive(Clone, Debug)]
pub struct Published {
    /// The repo at the new commit: what goes on chain.
    pub repo_ref: RepoRef,
    /// Files in the commit.
    pub files: usize,
    /// Their total size.
    pub bytes: u64,
    /// The manifest, when the folder was verified as a nya dataset.
    pub manifest: Option<Manifest>,
}

/// Publishes `dir` to `repo` as one commit and returns the new revision.
pub async fn publish(
    settings: &HubSettings,
    dir: &Path,
    repo: &RepoId,
    options: &PublishOptions,
) -> Result<Published, HubError> {
    let manifest = if options.require_manifest {
        Some(dataset_dir::verify(dir).map_err(|error| HubError::Dataset {
            dir: dir.to_path_buf(),
            error,
        })?)
    } else {
        None
    };
    let files = dataset_dir::list_files(dir).map_err(|error| HubError::Dataset {
        dir: dir.to_path_buf(),
        error,
    })?;
    if files.is_empty() {
        return Err(HubError::EmptyFolder {
            dir: dir.to_path_buf(),
        });
    }
    let mut operations = Vec::with_capacity(files.len());
    let mut bytes = 0u64;
    for relative in &files {
        validate_repo_path(relative).map_err(|error| HubError::BadPath {
            repo: repo.to_string(),
            error,
        })?;
        let local: PathBuf = dir.join(relative);
        let size = std::fs::metadata(&local)
            .map_err(HubError::io(&local))?
            .len();
        bytes += size;
        operations.push(CommitOperation::add_file(relative.clone(), local));
    }

    let client = settings.client()?;
    let id = repo.as_str();
    with_retry(&settings.retry, classify_hf_error, |_| async {
        match options.kind {
            RepoKind::Dataset => {
                client
                    .create_repository()
                    .repo_id(id)
                    .repo_type(RepoTypeDataset)
                    .private(options.private)
                    .exist_ok(true)
                    .send()
                    .await
            }
            RepoKind::Model => {
                client
                    .create_repository()
                    .repo_id(id)
                    .repo_type(RepoTypeModel)
                    .private(options.private)
                    .exist_ok(true)
                    .send()
                    .await
            }
        }
    })
    .await
    .map_err(HubError::hub(id, "create repo"))?;

    let local: BTreeSet<&str> = files.iter().map(String::as_str).collect();
    let commit = with_retry(&settings.retry, classify_hf_error, |_| {
        let mut operations = operations.clone();
        let client = &client;
        let local = &local;
        async move {
            let (owner, name) = (repo.owner(), repo.name());
            match options.kind {
                RepoKind::Dataset => {
                    let handle = client.dataset(owner, name);
                    let head = handle.info().send().await?.sha;
                    delete_stale(&handle, head.as_deref(), local, &mut operations).await?;
                    commit_with(&handle, head, operations, options).await
                }
                RepoKind::Model => {
                    let handle = client.model(owner, name);
                    let head = handle.info().send().await?.sha;
                    delete_stale(&handle, head.as_deref(), local, &mut operations).await?;
                    commit_with(&handle, head, operations, options).await
                }
            }
        }
    })
    .await
    .map_err(HubError::hub(id, "commit"))?;

    let revision = commit
        .commit_oid
        .as_deref()
        .and_then(|oid| Revision::new(oid).ok())
        .ok_or_else(|| HubError::BadCommitId {
            repo: id.to_string(),
            got: commit.commit_oid.clone(),
        })?;
    Ok(Published {
        repo_ref: RepoRef::new(repo.clone(), revision),
        files: files.len(),
        bytes,
        manifest,
    })
}

/// Adds a delete for every file at `head` the folder no longer has (but `.gitattributes`),
/// so the new revision holds exactly the folder.
async fn delete_stale<T: hf_hub::RepoType>(
    handle: &hf_hub::HFRepository<T>,
    head: Option<&str>,
    local: &BTreeSet<&str>,
    operations: &mut Vec<CommitOperation>,
) -> hf_hub::HFResult<()> {
    let Some(head) = head else {
        return Ok(());
    };
    let stream = handle.list_tree().revision(head).recursive(true).send()?;
    futures::pin_mut!(stream);
    while let Some(entry) = stream.next().await {
        if let RepoTreeEntry::File { path, .. } = entry?
            && path != ".gitattributes"
            && !local.contains(path.as_str())
        {
            operations.push(CommitOperation::delete(path));
        }
    }
    Ok(())
}

/// One commit on top of `head` (the Hub refuses it if `main` moved meanwhile).
async fn commit_with<T: hf_hub::RepoType>(
    handle: &hf_hub::HFRepository<T>,
    head: Option<String>,
    operations: Vec<CommitOperation>,
    options: &PublishOptions,
) -> hf_hub::HFResult<hf_hub::repository::CommitInfo> {
    handle
        .create_commit()
        .maybe_parent_commit(head)
        .operations(operations)
        .commit_message(options.message.clone())
        .commit_description(options.description.clone())
        .maybe_progress(options.progress.clone())
        .send()
        .await
}
