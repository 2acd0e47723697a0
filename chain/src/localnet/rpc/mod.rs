//! The localnet's JSON-RPC server: Substrate's legacy RPC methods, with Substrate's names,
//! aliases, parameter shapes, result shapes, error codes and subscription notifications, served
//! over WebSocket and HTTP on one loopback port by jsonrpsee (the server Substrate itself uses,
//! so envelopes, batch handling and transport errors are the same).
//!
//! The server talks to the chain through [`ChainBackend`]; the node implements it, and the tests
//! drive the server against a small in-memory chain.
//!
//! # Methods
//!
//! | method (aliases) | params | result |
//! |---|---|---|
//! | `chain_getBlockHash` (`chain_getHead`) | `[number \| "0x…" \| [..]]?` | hash, `null`, or a list |
//! | `chain_getHeader` | `[hash?]` | header or `null` |
//! | `chain_getBlock` | `[hash?]` | `{"block":{"header","extrinsics"},"justifications":null}` or `null` |
//! | `chain_getFinalizedHead` (`chain_getFinalisedHead`) | | hash |
//! | `chain_subscribeNewHeads` (`subscribe_newHead`, `chain_subscribeNewHead`) | | `chain_newHead` |
//! | `chain_subscribeAllHeads` | | `chain_allHead` |
//! | `chain_subscribeFinalizedHeads` (`chain_subscribeFinalisedHeads`) | | `chain_finalizedHead` |
//! | `state_getStorage` (`state_getStorageAt`) | `[key, hash?]` | value or `null` |
//! | `state_getStorageHash` (`…At`), `state_getStorageSize` (`…At`) | `[key, hash?]` | hash / size or `null` |
//! | `state_getKeys`, `state_getPairs` | `[prefix, hash?]` | keys / `[key, value]` pairs |
//! | `state_getKeysPaged` (`state_getKeysPagedAt`) | `[prefix?, count ≤ 1000, startKey?, hash?]` | keys |
//! | `state_queryStorageAt` | `[[keys], hash?]` | `[{"block","changes":[[key, value \| null]]}]` |
//! | `state_queryStorage` | `[[keys], fromHash, toHash?]` | one change set per block that changed |
//! | `state_call` (`state_callAt`) | `[method, data, hash?]` | SCALE result |
//! | `state_getMetadata` | `[hash?]` | `RuntimeMetadataPrefixed` |
//! | `state_getRuntimeVersion` (`chain_getRuntimeVersion`) | `[hash?]` | runtime version |
//! | `state_subscribeRuntimeVersion` (`chain_subscribeRuntimeVersion`) | | `state_runtimeVersion` |
//! | `state_subscribeStorage` | `[[keys]]` | `state_storage` change sets |
//! | `author_submitExtrinsic` | `[extrinsic]` | transaction hash |
//! | `author_submitAndWatchExtrinsic` | `[extrinsic]` | `author_extrinsicUpdate` ([`TxStatus`]) |
//! | `author_pendingExtrinsics` | | extrinsics |
//! | `system_chain`, `system_name`, `system_version`, `system_chainType`, `system_properties`, `system_health`, `system_localPeerId`, `system_localListenAddresses`, `system_peers`, `system_nodeRoles`, `system_syncState` | | as Substrate |
//! | `system_accountNextIndex` (`account_nextIndex`) | `[ss58]` | next nonce, counting the pool |
//! | `chainSpec_v1_genesisHash`, `chainSpec_v1_chainName`, `chainSpec_v1_properties` | | as Substrate |
//! | `dev_produceBlocks` | `[count?]` (default 1, at most [`MAX_PRODUCE_BLOCKS`]) | hashes of the new blocks |
//! | `rpc_methods` | | `{"methods":[…]}`, sorted |
//!
//! Every subscription method also registers its unsubscribe method (and aliases) as Substrate
//! does. Neither `chainHead_v1_*` nor `archive_v1_*` is served, so subxt's default
//! `CombinedBackend` falls back to its `LegacyBackend`, which uses only the methods above.
//!
//! `dev_produceBlocks` is the localnet's own (Substrate's manual seal has `engine_createBlock`):
//! it makes blocks at once, in any sealing mode, so tests need not wait for the block timer.
//!
//! # Encodings and errors
//!
//! Bytes and hashes are `0x` hex (input also without `0x`, odd lengths padded, as Substrate's
//! `impl-serde`). Block numbers are JSON numbers or `0x` hex. Errors use Substrate's codes:
//! `-32700` parse error, `-32601` unknown method, `-32602` invalid params (the data names the
//! param), `-32007` request too big, `-32008` response too big; chain `3001`/`3002`, state
//! `4002` (`count exceeds maximum value`) and `4003` (`Client error: …`, e.g. an unknown block),
//! author errors as the transaction pool reports them (`1010 Invalid Transaction`, …).
//!
//! # Transport
//!
//! See [`server`](ServerHandle): Substrate's default limits, `GET /health`, a loopback-only
//! `Host` filter, 16-character subscription ids, graceful stop.

mod errors;
mod json;
mod methods;
mod server;

#[cfg(test)]
mod test_chain;
#[cfg(test)]
mod tests;

use std::fmt;

use nya_metadata::runtime::types::{AccountId32, H256};
use serde::Serialize;
use tokio::sync::{broadcast, mpsc};

use super::block::{Block, Header};
use super::state::StorageRead;

pub use methods::{MAX_PRODUCE_BLOCKS, MAX_STORAGE_SUBSCRIPTION_KEYS, MAX_UNPAGED_KEYS};
pub use server::{RpcConfig, ServerHandle, SystemInfo, serve, serve_with_config};

/// What the RPC server needs from the chain. All methods may block (they run on tokio's
/// blocking pool); none is called while another holds a lock the server owns.
pub trait ChainBackend: Send + Sync + 'static {
    /// The genesis block's hash.
    fn genesis_hash(&self) -> H256;

    /// Number and hash of the best block.
    fn best(&self) -> Result<(u32, H256), BackendError>;

    /// Number and hash of the last finalized block.
    fn finalized(&self) -> Result<(u32, H256), BackendError>;

    /// The hash of the canonical block at `number`, if there is one.
    fn block_hash(&self, number: u32) -> Result<Option<H256>, BackendError>;

    /// The block with hash `hash`, if known.
    fn block(&self, hash: H256) -> Result<Option<Block>, BackendError>;

    /// The header of block `hash`, if known.
    fn header(&self, hash: H256) -> Result<Option<Header>, BackendError> {
        Ok(self.block(hash)?.map(|block| block.header))
    }

    /// Runs `read` on the state after block `at`; [`BackendError::UnknownBlock`] if `at` is
    /// not a known block.
    fn with_state<T, F>(&self, at: H256, read: F) -> Result<T, BackendError>
    where
        F: FnOnce(&dyn StorageRead) -> T;

    /// A runtime API call (`Core_version`, `Metadata_metadata`, …) against the state after
    /// block `at`; returns the SCALE-encoded result.
    fn call(&self, at: H256, method: &str, args: &[u8]) -> Result<Vec<u8>, BackendError>;

    /// Checks an encoded extrinsic and puts it in the pool; returns its hash. When `watcher` is
    /// given, the backend sends it every status of the transaction from the first (`Ready` or
    /// `Future`) on, and drops it after a final one.
    fn submit(
        &self,
        extrinsic: Vec<u8>,
        watcher: Option<mpsc::UnboundedSender<TxStatus>>,
    ) -> Result<H256, SubmitError>;

    /// The encoded extrinsics waiting in the pool.
    fn pending_extrinsics(&self) -> Result<Vec<Vec<u8>>, BackendError>;

    /// The next nonce of `account`: its state nonce plus its ready transactions in the pool.
    fn account_next_index(&self, account: &AccountId32) -> Result<u32, BackendError>;

    /// Headers of new best blocks, as they are imported.
    fn subscribe_best_heads(&self) -> broadcast::Receiver<Header>;

    /// Headers of newly finalized blocks.
    fn subscribe_finalized_heads(&self) -> broadcast::Receiver<Header>;

    /// Makes `count` blocks now; returns their hashes in order.
    fn produce_blocks(&self, count: u32) -> Result<Vec<H256>, BackendError>;
}

/// A chain-side failure, as Substrate's client errors read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The block hash is not known.
    #[error("UnknownBlock: Header was not found in the database: {}", json::to_hex(&.0.0))]
    UnknownBlock(H256),
    /// A runtime API call failed (unknown method, undecodable arguments, …).
    #[error("Execution failed: {0}")]
    Execution(String),
    /// Anything else (storage failure, poisoned lock).
    #[error("{0}")]
    Internal(String),
}

/// Why `author_submitExtrinsic` refused a transaction: the JSON-RPC error object Substrate's
/// author API returns for it (`1010 "Invalid Transaction"` with data `"Transaction is
/// outdated"`, `1013 "Transaction Already Imported"`, `1001` for undecodable bytes, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmitError {
    /// JSON-RPC error code.
    pub code: i32,
    /// Error message.
    pub message: String,
    /// Error data, if any (Substrate sends a string).
    pub data: Option<String>,
}

impl fmt::Display for SubmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)?;
        if let Some(data) = &self.data {
            write!(f, ": {data}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SubmitError {}

/// A watched transaction's status, serialised as Substrate's `TransactionStatus`:
/// `"future"`, `"ready"`, `{"broadcast":[peers]}`, `{"inBlock":"0x…"}`, `{"retracted":"0x…"}`,
/// `{"finalityTimeout":"0x…"}`, `{"finalized":"0x…"}`, `{"usurped":"0x…"}`, `"dropped"`,
/// `"invalid"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TxStatus {
    /// In the pool's future queue (waits for a lower nonce).
    Future,
    /// In the pool's ready queue.
    Ready,
    /// Gossiped to these peers (the localnet has none).
    Broadcast(Vec<String>),
    /// Included in this block.
    InBlock(#[serde(serialize_with = "json::serialize_hash")] H256),
    /// The block it was in was retracted.
    Retracted(#[serde(serialize_with = "json::serialize_hash")] H256),
    /// Finality did not come in time.
    FinalityTimeout(#[serde(serialize_with = "json::serialize_hash")] H256),
    /// The block it was in is finalized.
    Finalized(#[serde(serialize_with = "json::serialize_hash")] H256),
    /// Replaced by this transaction (same sender and nonce).
    Usurped(#[serde(serialize_with = "json::serialize_hash")] H256),
    /// Dropped because the pool is full.
    Dropped,
    /// No longer valid.
    Invalid,
}

impl TxStatus {
    /// Whether this is the last status a watcher gets (Substrate's `is_final`).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            TxStatus::Usurped(_)
                | TxStatus::Finalized(_)
                | TxStatus::FinalityTimeout(_)
                | TxStatus::Invalid
                | TxStatus::Dropped
        )
    }
}
