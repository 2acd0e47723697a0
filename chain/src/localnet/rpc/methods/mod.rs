//! Registration of every method on one jsonrpsee [`RpcModule`], and the helpers the method
//! groups share: running backend calls on the blocking pool, resolving the optional block
//! hash parameter, and sending subscription notifications.
//!
//! - [`chain`]: `chain_*` (blocks, headers, head subscriptions).
//! - [`state`]: `state_*` (storage, runtime calls, metadata, runtime version, subscriptions).
//! - [`author`]: `author_*` (transaction submission and watching).
//! - [`system`]: `system_*`, `account_nextIndex`, `chainSpec_v1_*`.
//! - [`dev`]: the manual seal, `dev_produceBlocks`.

mod author;
mod chain;
mod dev;
mod state;
mod system;

use std::sync::Arc;

use jsonrpsee::core::RegisterMethodError;
use jsonrpsee::types::ErrorObjectOwned;
use jsonrpsee::{RpcModule, SubscriptionSink};
use nya_metadata::runtime::types::H256;
use serde::Serialize;
use serde_json::json;

use super::errors;
use super::json::HexHash;
use super::server::SystemInfo;
use super::{BackendError, ChainBackend};

pub use dev::MAX_PRODUCE_BLOCKS;
pub use state::{MAX_STORAGE_SUBSCRIPTION_KEYS, MAX_UNPAGED_KEYS};

/// What every method handler sees.
pub struct RpcContext<B> {
    /// The chain.
    pub backend: Arc<B>,
    /// What `system_*` reports.
    pub system: SystemInfo,
    /// `system_localPeerId`.
    pub peer_id: String,
}

/// A method result: the value, or a JSON-RPC error object.
pub type RpcResult<T> = Result<T, ErrorObjectOwned>;

/// Every method, then `rpc_methods` listing them all (itself included), sorted, as Substrate's
/// service does.
pub fn build_module<B: ChainBackend>(
    context: RpcContext<B>,
) -> Result<RpcModule<RpcContext<B>>, RegisterMethodError> {
    let mut module = RpcModule::new(context);
    chain::register(&mut module)?;
    state::register(&mut module)?;
    author::register(&mut module)?;
    system::register(&mut module)?;
    dev::register(&mut module)?;

    let mut names: Vec<&'static str> = module.method_names().collect();
    names.push("rpc_methods");
    names.sort_unstable();
    let listing = json!({ "methods": names });
    module.register_method("rpc_methods", move |_, _, _| RpcResult::Ok(listing.clone()))?;
    Ok(module)
}

/// Runs `work` against the backend on tokio's blocking pool (backend calls may touch SQLite).
pub async fn blocking<B, T, F>(context: &Arc<RpcContext<B>>, work: F) -> RpcResult<T>
where
    B: ChainBackend,
    T: Send + 'static,
    F: FnOnce(&B) -> T + Send + 'static,
{
    let backend = context.backend.clone();
    tokio::task::spawn_blocking(move || work(&backend))
        .await
        .map_err(|e| errors::internal(format!("backend task failed: {e}")))
}

/// The block a state query reads: the given hash, or the best block.
pub fn at_or_best<B: ChainBackend>(backend: &B, at: Option<HexHash>) -> Result<H256, BackendError> {
    match at {
        Some(HexHash(hash)) => Ok(hash),
        None => backend.best().map(|(_, hash)| hash),
    }
}

/// Sends one notification; `false` when the client is gone (the subscription should end).
pub async fn notify<T: Serialize>(sink: &SubscriptionSink, item: &T) -> bool {
    match serde_json::value::to_raw_value(item) {
        Ok(raw) => sink.send(raw).await.is_ok(),
        Err(e) => {
            // Only a bug in a Serialize impl gets here; end the subscription rather than lie.
            tracing::error!(error = %e, method = sink.method_name(), "cannot serialise notification");
            false
        }
    }
}
