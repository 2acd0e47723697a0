//! `localnet`: an offline subtensor dev chain that, for every item nya uses, behaves like
//! finney spec 393: the same metadata, the same JSON-RPC methods and shapes, real signed
//! extrinsics, the chain's own rules for the calls, blocks on a timer or on demand, every past
//! state queryable, optionally persisted to SQLite.
//!
//! - [`state`]: raw storage access, the per-block overlay, storage key hashing.
//! - [`store`]: per-key history in SQLite (in memory or on disk) plus the head state cache.
//! - [`block`]: headers, digests, block hashes and roots.
//! - [`extrinsic`]: decoding and checking signed extrinsics; transaction-validity errors.
//! - [`pool`]: the transaction pool (ready and future queues by sender nonce).
//! - [`runtime`]: the state machine (pallets) and block hooks.
//! - [`runtime_api`]: `state_call` methods (`Core_version`, `Metadata_*`, neuron and subnet info).
//! - [`genesis`]: the genesis TOML and the genesis state.
//! - [`node`]: the chain itself (block production, imports, subscriptions).
//! - [`rpc`]: the JSON-RPC server (WebSocket and HTTP on one port).
//! - [`service`]: [`spawn`] for tests and the `nya localnet` command.
//! - [`spec`]: the runtimes (finney spec 365 and 393) and a scheduled upgrade between them.
//! - [`bench`]: `nya bench localnet` (transactions/s, storage reads/s, block times).

pub mod bench;
pub mod block;
pub mod extrinsic;
pub mod genesis;
pub mod node;
pub mod pool;
pub mod rpc;
pub mod runtime;
pub mod runtime_api;
pub mod service;
pub mod spec;
pub mod state;
pub mod store;

pub use service::{LocalnetConfig, LocalnetHandle, spawn};
