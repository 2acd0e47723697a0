//! Running a localnet: [`spawn`] opens the chain, starts the JSON-RPC server and, unless
//! blocks are sealed by hand, the block timer; the [`LocalnetHandle`] it returns reports the
//! endpoint, makes blocks on demand and stops everything.
//!
//! ```no_run
//! # async fn demo() -> Result<(), nya_chain::localnet::service::LocalnetError> {
//! use nya_chain::localnet::{LocalnetConfig, spawn};
//! let config = LocalnetConfig { port: 0, manual_seal: true, ..LocalnetConfig::default() };
//! let localnet = spawn(config).await?;
//! println!("endpoint {}", localnet.ws_url());
//! localnet.produce_blocks(3).await?;
//! localnet.stop().await;
//! # Ok(()) }
//! ```

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use nya_metadata::runtime::types::H256;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::genesis::GenesisConfig;
use super::node::{Node, NodeConfig, NodeError};
use super::rpc;

/// Default JSON-RPC port, as subtensor's.
pub const DEFAULT_PORT: u16 = 9944;
/// Default block time: subtensor's fast-runtime 250 ms.
pub const DEFAULT_BLOCK_TIME_MS: u64 = 250;

/// How to run a localnet.
#[derive(Clone, Debug)]
pub struct LocalnetConfig {
    /// Loopback port for WebSocket and HTTP JSON-RPC; 0 picks a free one.
    pub port: u16,
    /// Milliseconds between blocks when not sealing by hand.
    pub block_time_ms: u64,
    /// Make blocks only when asked (`dev_produceBlocks` or [`LocalnetHandle::produce_blocks`]).
    pub manual_seal: bool,
    /// Where the chain persists; `None` keeps it in memory.
    pub data_dir: Option<PathBuf>,
    /// Genesis accounts, sudo and subnets (ignored when the data dir already holds a chain).
    pub genesis: GenesisConfig,
    /// Run finney spec 365 from genesis and upgrade to spec 393 at this block (at least 1),
    /// so clients are tested across a runtime upgrade; `None` runs spec 393 throughout.
    /// See [`super::spec`].
    pub upgrade_at: Option<u32>,
}

impl Default for LocalnetConfig {
    fn default() -> Self {
        LocalnetConfig {
            port: DEFAULT_PORT,
            block_time_ms: DEFAULT_BLOCK_TIME_MS,
            manual_seal: false,
            data_dir: None,
            genesis: GenesisConfig::default(),
            upgrade_at: None,
        }
    }
}

/// Why a localnet could not start or make blocks.
#[derive(Debug, thiserror::Error)]
pub enum LocalnetError {
    /// The chain could not be opened or a block could not be made.
    #[error(transparent)]
    Node(#[from] NodeError),
    /// The RPC server could not bind.
    #[error("cannot serve JSON-RPC on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// A blocking task panicked or was cancelled.
    #[error("block production task failed: {0}")]
    Task(String),
}

/// A running localnet.
pub struct LocalnetHandle {
    node: Arc<Node>,
    addr: SocketAddr,
    server: rpc::ServerHandle,
    stop_blocks: watch::Sender<bool>,
    block_task: Option<JoinHandle<()>>,
}

/// Opens the chain, serves JSON-RPC on loopback and starts the block timer (unless manual seal).
pub async fn spawn(config: LocalnetConfig) -> Result<LocalnetHandle, LocalnetError> {
    let node_config = NodeConfig {
        data_dir: config.data_dir.clone(),
        genesis: config.genesis.clone(),
        block_time_ms: config.block_time_ms,
        upgrade_at: config.upgrade_at,
    };
    let node = tokio::task::spawn_blocking(move || Node::open(&node_config))
        .await
        .map_err(|e| LocalnetError::Task(e.to_string()))??;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, config.port));
    let (addr, server) = rpc::serve(node.clone(), addr)
        .await
        .map_err(|source| LocalnetError::Bind { addr, source })?;
    let (stop_blocks, stopped) = watch::channel(false);
    let block_task = (!config.manual_seal).then(|| {
        tokio::spawn(block_timer(
            node.clone(),
            Duration::from_millis(config.block_time_ms.max(1)),
            stopped,
        ))
    });
    Ok(LocalnetHandle {
        node,
        addr,
        server,
        stop_blocks,
        block_task,
    })
}

/// Makes a block every `period` until told to stop. A failed block (disk full, say) is logged
/// and retried on the next tick; nothing half-made is ever announced.
async fn block_timer(node: Arc<Node>, period: Duration, mut stopped: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stopped.changed() => return,
        }
        let node = node.clone();
        match tokio::task::spawn_blocking(move || node.produce_block()).await {
            Ok(Ok(_)) => {}
            Ok(Err(err)) => tracing::error!(%err, "cannot make a block"),
            Err(err) => tracing::error!(%err, "block production task failed"),
        }
    }
}

impl LocalnetHandle {
    /// The WebSocket endpoint, `ws://127.0.0.1:PORT`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// The HTTP endpoint, `http://127.0.0.1:PORT` (same port).
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The chain.
    pub fn node(&self) -> &Arc<Node> {
        &self.node
    }

    /// Makes `count` blocks now (any mode); returns their hashes.
    pub async fn produce_blocks(&self, count: u32) -> Result<Vec<H256>, LocalnetError> {
        let node = self.node.clone();
        Ok(
            tokio::task::spawn_blocking(move || node.produce_blocks(count))
                .await
                .map_err(|e| LocalnetError::Task(e.to_string()))??,
        )
    }

    /// Stops the block timer and the server, and waits for both. The store is durable after
    /// every block, so there is nothing to flush.
    pub async fn stop(mut self) {
        let _ = self.stop_blocks.send(true);
        if let Some(task) = self.block_task.take() {
            let _ = task.await;
        }
        self.server.stop().await;
    }
}
