//! The Hugging Face Hub: publishing dataset folders, fetching pinned revisions, and an offline
//! Hub for localnet and tests.
//!
//! - [`publish`]: create the repo if missing and upload a folder as one commit; returns the
//!   40-hex commit id that goes on chain.
//! - [`fetch`]: download a repo at an exact commit with caller-chosen limits, verified against
//!   the nya manifest or the Hub's own hashes, written atomically.
//! - [`server`]: [`server::OfflineHub`], the subset of the Hub HTTP API that hf-hub and the
//!   Python `huggingface_hub` client use, on loopback with on-disk storage.
//!
//! All HTTP to the Hub goes through the `hf-hub` crate. Settings follow the Hub's clients:
//! endpoint from `HF_ENDPOINT` (default `https://huggingface.co`), token from [`token`].

pub mod fetch;
pub mod publish;
pub mod retry;
pub mod server;
pub mod token;

use std::fmt;
use std::path::PathBuf;

use hf_hub::{HFClient, HFError};
use nya_metadata::manifest::{ManifestError, RepoPathError};

pub use fetch::{FetchLimits, FetchRequest, Snapshot, SnapshotFile, VerifyMode, fetch};
/// Upload progress events (hf-hub's), for a progress bar in the CLI.
pub use hf_hub::progress::{Progress, ProgressEvent, ProgressHandler, UploadEvent};
pub use publish::{PublishOptions, Published, publish};
pub use retry::RetryPolicy;
pub use token::{HubToken, TokenSource, resolve_token};

use crate::dataset_dir::DatasetDirError;

/// The public Hub.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

/// Which kind of Hub repo (the Hub keeps them in separate namespaces).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RepoKind {
    /// A dataset repo (what miners publish).
    #[default]
    Dataset,
    /// A model repo (teacher models).
    Model,
}

impl RepoKind {
    /// The API's plural segment: `datasets` or `models`.
    pub fn plural(self) -> &'static str {
        match self {
            RepoKind::Dataset => "datasets",
            RepoKind::Model => "models",
        }
    }

    /// The `type` field of the create-repo call: `dataset` or `model`.
    pub fn singular(self) -> &'static str {
        match self {
            RepoKind::Dataset => "dataset",
            RepoKind::Model => "model",
        }
    }

    /// Prefix of web and resolve URLs: `datasets/` or nothing for models.
    pub fn url_prefix(self) -> &'static str {
        match self {
            RepoKind::Dataset => "datasets/",
            RepoKind::Model => "",
        }
    }
}

impl fmt::Display for RepoKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.singular())
    }
}

/// Where the Hub is and who we are on it.
#[derive(Clone, Debug)]
pub struct HubSettings {
    /// Base URL, no trailing slash.
    pub endpoint: String,
    /// Access token. With `None`, hf-hub falls back to its own lookup of the same sources as
    /// [`resolve_token`] (it has no switch for "anonymous" but an environment variable).
    pub token: Option<HubToken>,
    /// Retries around whole operations (hf-hub retries single requests itself).
    pub retry: RetryPolicy,
}

impl HubSettings {
    /// An endpoint and token given directly.
    pub fn new(endpoint: impl Into<String>, token: Option<HubToken>) -> Self {
        HubSettings {
            endpoint: endpoint.into().trim_end_matches('/').to_string(),
            token,
            retry: RetryPolicy::default(),
        }
    }

    /// `HF_ENDPOINT` (default [`DEFAULT_ENDPOINT`]) and the token from [`resolve_token`].
    pub fn from_env() -> Result<Self, HubError> {
        let endpoint = std::env::var("HF_ENDPOINT")
            .ok()
            .filter(|e| !e.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
        Ok(HubSettings::new(endpoint, resolve_token()?))
    }

    /// An hf-hub client for these settings. Its own file cache is off: [`fetch`] keeps its
    /// own, verified cache; its own request retries stay on.
    pub(crate) fn client(&self) -> Result<HFClient, HubError> {
        let mut builder = HFClient::builder()
            .endpoint(self.endpoint.clone())
            .cache_enabled(false)
            .user_agent(concat!("nya/", env!("CARGO_PKG_VERSION")));
        if let Some(token) = &self.token {
            builder = builder.token(token.secret());
        }
        builder.build().map_err(|error| HubError::Client {
            endpoint: self.endpoint.clone(),
            error: Box::new(error),
        })
    }
}

/// Everything that can go wrong talking to the Hub. Each names the repo (and file) and the
/// rule that was broken.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error(transparent)]
    Token(#[from] token::TokenError),
    #[error("cannot set up a Hub client for {endpoint}: {error}")]
    Client {
        endpoint: String,
        error: Box<HFError>,
    },
    #[error("{repo}: {action} failed: {error}")]
    Hub {
        repo: String,
        action: &'static str,
        error: Box<HFError>,
    },
    #[error("{repo}: {file}: download failed: {error}")]
    Transfer {
        repo: String,
        file: String,
        error: Box<HFError>,
    },
    #[error("{dir}: not publishable: {error}")]
    Dataset {
        dir: PathBuf,
        error: DatasetDirError,
    },
    #[error("{dir}: no files to publish")]
    EmptyFolder { dir: PathBuf },
    #[error("{repo}: the Hub answered the commit without a 40-hex commit id (got {got:?})")]
    BadCommitId { repo: String, got: Option<String> },
    #[error("{repo}: {count} files, more than the limit of {limit}")]
    TooManyFiles {
        repo: String,
        count: usize,
        limit: usize,
    },
    #[error("{repo}: {file}: {size} bytes, more than the per-file limit of {limit}")]
    FileTooLarge {
        repo: String,
        file: String,
        size: u64,
        limit: u64,
    },
    #[error("{repo}: {total} bytes in all, more than the limit of {limit}")]
    TotalTooLarge {
        repo: String,
        total: u64,
        limit: u64,
    },
    #[error("{repo}: refused {error}")]
    BadPath { repo: String, error: RepoPathError },
    #[error("{repo}: {file}: reserved path (`.git/` and `.cache/` are never fetched)")]
    ReservedPath { repo: String, file: String },
    #[error("{repo}: {file}: listed twice by the Hub")]
    DuplicatePath { repo: String, file: String },
    #[error("{repo}: no {manifest} at this revision; a nya dataset must carry its manifest")]
    MissingManifest {
        repo: String,
        manifest: &'static str,
    },
    #[error("{repo}: {manifest}: {error}")]
    Manifest {
        repo: String,
        manifest: &'static str,
        error: ManifestError,
    },
    #[error("{repo}: {file}: in the repo but not listed in the manifest")]
    Unlisted { repo: String, file: String },
    #[error("{repo}: {file}: listed in the manifest but not in the repo")]
    NotInRepo { repo: String, file: String },
    #[error("{repo}: {file}: {actual} bytes, {rule} says {expected}")]
    SizeMismatch {
        repo: String,
        file: String,
        expected: u64,
        actual: u64,
        rule: &'static str,
    },
    #[error("{repo}: {file}: sha256 {actual}, {rule} says {expected}")]
    Sha256Mismatch {
        repo: String,
        file: String,
        /// Hex, as printed (keeps the error small).
        expected: String,
        actual: String,
        rule: &'static str,
    },
    #[error("{repo}: {file}: git blob id {actual}, the Hub tree says {expected}")]
    GitOidMismatch {
        repo: String,
        file: String,
        expected: String,
        actual: String,
    },
    #[error("{repo}: {file}: download truncated: got {got} of {expected} bytes")]
    Truncated {
        repo: String,
        file: String,
        expected: u64,
        got: u64,
    },
    #[error("{repo}: {file}: the server sent more than the {expected} bytes it listed")]
    Oversent {
        repo: String,
        file: String,
        expected: u64,
    },
    #[error("{repo}: {file}: served from commit {served:?}, not the requested {requested}")]
    WrongCommit {
        repo: String,
        file: String,
        requested: String,
        served: String,
    },
    #[error("{repo}: {file}: no hash to verify against (not LFS and no git blob id)")]
    Unverifiable { repo: String, file: String },
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path}: cached snapshot record is unreadable: {error}")]
    CacheRecord {
        path: PathBuf,
        error: serde_json::Error,
    },
}

impl HubError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> HubError {
        let path = path.into();
        move |error| HubError::Io { path, error }
    }

    pub(crate) fn hub(repo: &str, action: &'static str) -> impl FnOnce(HFError) -> HubError {
        let repo = repo.to_string();
        move |error| HubError::Hub {
            repo,
            action,
            error: Box::new(error),
        }
    }
}
