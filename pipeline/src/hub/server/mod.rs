//! The offline hub: the part of the Hugging Face Hub HTTP API that hf-hub and the Python
//! `huggingface_hub` client use to create repos, commit, list and download, served on
//! loopback from a data dir.
//!
//! Endpoints (`<t>` is `datasets` or `models`; web paths of models have no prefix):
//! - `GET /api/whoami-v2`; `POST /api/repos/create`; `POST /api/validate-yaml` (checks only
//!   that a card's front matter is closed: no YAML parser offline);
//! - `GET /api/<t>/<owner>/<name>[/revision/<rev>]` (repo info with `sha` and `siblings`);
//! - `POST /api/<t>/<repo>/preupload/<rev>` (which files are LFS);
//! - `POST /api/<t>/<repo>/commit/main` (NDJSON; inline base64 and `lfsFile` entries; bodies
//!   are spooled to disk and parsed with bounded memory, see [`ndjson`]);
//! - `POST /[datasets/]<repo>.git/info/lfs/objects/batch` (git-lfs batch API, `basic`
//!   transfer; no Xet) with signed `PUT` upload and `POST` verify URLs;
//! - `GET /api/<t>/<repo>/tree/<rev>[/<path>]` (`recursive`, paginated by `Link` headers),
//!   `POST /api/<t>/<repo>/paths-info/<rev>`;
//! - `GET|HEAD /[datasets/]<repo>/resolve/<rev>/<path>`: plain files answer `200` with
//!   `ETag` (git blob id), `X-Repo-Commit`, `Content-Length`; LFS files answer `302` to a
//!   signed object URL with `X-Linked-Etag` (sha256), `X-Linked-Size` and `X-Repo-Commit`, as
//!   the Hub does when it redirects to its CDN. Single byte ranges are honoured.
//!
//! Storage and revisions: see [`store`]. Tokens and signed URLs: see [`auth`].

pub mod auth;
pub mod ndjson;
mod routes;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use auth::{Access, TokenGrant};

/// Limits the server enforces on clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerLimits {
    /// Largest file (inline or LFS).
    pub max_file_bytes: u64,
    /// Largest commit body (inline files are base64 inside it).
    pub max_commit_bytes: u64,
    /// Most files in a repo at one revision.
    pub max_repo_files: usize,
    /// Largest JSON request body.
    pub max_json_bytes: usize,
    /// Entries per page of a tree listing.
    pub tree_page_size: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            max_file_bytes: 50 << 30,
            max_commit_bytes: 100 << 30,
            max_repo_files: 100_000,
            max_json_bytes: 16 << 20,
            tree_page_size: 1_000,
        }
    }
}

/// Where the tokens come from.
#[derive(Clone, Debug)]
pub enum TokenSetup {
    /// `<data dir>/tokens.json`; created on first start with one write token for this user.
    DataDir { default_user: String },
    /// Exactly these (tests, localnet).
    Fixed(Vec<TokenGrant>),
}

/// How to run the offline hub.
#[derive(Clone, Debug)]
pub struct OfflineHubConfig {
    /// Where repos, objects, tokens and the signing secret live.
    pub data_dir: PathBuf,
    /// Address to listen on (port 0 picks a free one).
    pub addr: SocketAddr,
    /// Tokens.
    pub tokens: TokenSetup,
    /// Files at or over this size are LFS (the Hub uses 10 MiB); binary formats always are.
    pub lfs_threshold: u64,
    /// Limits.
    pub limits: ServerLimits,
    /// Base URL for links the server hands out; default `http://<Host header>`.
    pub public_url: Option<String>,
}

impl OfflineHubConfig {
    /// Loopback, a free port, tokens in the data dir (user `nya`), Hub-like defaults.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        OfflineHubConfig {
            data_dir: data_dir.into(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            tokens: TokenSetup::DataDir {
                default_user: "nya".to_string(),
            },
            lfs_threshold: 10 << 20,
            limits: ServerLimits::default(),
            public_url: None,
        }
    }
}

/// Why the offline hub could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("offline hub data dir: {0}")]
    Store(#[from] store::StoreError),
    #[error("offline hub credentials: {0}")]
    Auth(#[from] auth::AuthError),
    #[error("cannot listen on {addr}: {error}")]
    Bind {
        addr: SocketAddr,
        error: std::io::Error,
    },
    #[error("offline hub stopped with an error: {0}")]
    Serve(std::io::Error),
}

/// A running offline hub.
#[derive(Debug)]
pub struct OfflineHub {
    url: String,
    addr: SocketAddr,
    data_dir: PathBuf,
    created_token: Option<TokenGrant>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl OfflineHub {
    /// Opens the data dir and starts serving (inside the current tokio runtime).
    pub async fn start(config: OfflineHubConfig) -> Result<OfflineHub, ServerError> {
        std::fs::create_dir_all(&config.data_dir).map_err(|error| store::StoreError::Io {
            path: config.data_dir.clone(),
            error,
        })?;
        let store = store::Store::open(&config.data_dir, config.lfs_threshold)?;
        let signer = auth::Signer::load_or_create(&config.data_dir)?;
        let (tokens, created_token) = match &config.tokens {
            TokenSetup::DataDir { default_user } => {
                auth::Tokens::load_or_create(&config.data_dir, default_user)?
            }
            TokenSetup::Fixed(grants) => (auth::Tokens::new(grants.clone()), None),
        };
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|error| ServerError::Bind {
                addr: config.addr,
                error,
            })?;
        let addr = listener.local_addr().map_err(|error| ServerError::Bind {
            addr: config.addr,
            error,
        })?;
        let state = Arc::new(routes::HubState {
            store,
            tokens,
            signer,
            limits: config.limits,
            public_url: config.public_url.clone(),
        });
        let app = routes::router(state);
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
        });
        Ok(OfflineHub {
            url: format!("http://{addr}"),
            addr,
            data_dir: config.data_dir,
            created_token,
            shutdown: Some(tx),
            task,
        })
    }

    /// Base URL, e.g. `http://127.0.0.1:41234` (what `HF_ENDPOINT` should be).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The data dir.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    /// The write token created on first start of a data dir, if this start created one.
    pub fn created_token(&self) -> Option<&TokenGrant> {
        self.created_token.as_ref()
    }

    /// Serves until `signal` completes, then shuts down.
    pub async fn run_until(
        self,
        signal: impl std::future::Future<Output = ()>,
    ) -> Result<(), ServerError> {
        let mut this = self;
        tokio::select! {
            _ = signal => this.stop().await,
            joined = &mut this.task => match joined {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(ServerError::Serve(e)),
                Err(e) => Err(ServerError::Serve(std::io::Error::other(e))),
            },
        }
    }

    /// Stops serving: in-flight requests get a few seconds to finish.
    pub async fn shutdown(mut self) -> Result<(), ServerError> {
        self.stop().await
    }

    async fn stop(&mut self) -> Result<(), ServerError> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match tokio::time::timeout(Duration::from_secs(5), &mut self.task).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(e))) => Err(ServerError::Serve(e)),
            Ok(Err(e)) if e.is_cancelled() => Ok(()),
            Ok(Err(e)) => Err(ServerError::Serve(std::io::Error::other(e))),
            // Idle keep-alive connections hold graceful shutdown open: cut them.
            Err(_) => {
                self.task.abort();
                Ok(())
            }
        }
    }
}

impl Drop for OfflineHub {
    fn drop(&mut self) {
        self.task.abort();
    }
}
