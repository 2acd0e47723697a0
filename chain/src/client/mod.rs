//! A subtensor client over subxt 0.51: block-pinned reads, submission to finality, and the
//! operations miners and operators perform (transfer, register, serve, commit).
//!
//! - [`Client::connect`] takes a [`Network`] (or [`Client::connect_url`] any `ws://`/`wss://`
//!   URL) and uses subxt's default backend over one JSON-RPC connection, which reconnects by
//!   itself when the socket drops ([`connection`]).
//! - [`Client::at_best`] / [`Client::at_finalized`] / [`Client::at`] return an [`At`]: every
//!   read through it is answered from that one block, so a listing is a consistent snapshot.
//! - [`Client::submit`] signs and sends a [`Call`] and returns a [`Pending`]; [`Pending::wait`]
//!   waits for finality and returns the [`Included`] transaction or the [`ChainError`] that names
//!   the pallet error and what to do. Splitting the two lets a caller (a manual-seal test) act
//!   between submission and inclusion. A connection lost in between is recovered without
//!   sending the transaction twice ([`recovery`]).
//! - Storage items and calls are addressed by name through `nya_metadata::runtime::items`, and
//!   values decode with the mirror types, so the wire format is the one the mirror pins.

pub mod bench_history;
pub mod calls;
#[cfg(test)]
mod conformance;
mod connection;
pub mod error;
pub mod history;
mod metagraph;
mod ops;
mod reads;
mod recovery;
pub mod stake;
mod submit;
pub mod weights;

pub use calls::{AxonEndpoint, Call};
pub use error::ChainError;
pub use metagraph::{Hyperparams, Metagraph, Neuron};
pub use ops::Registered;
pub use reads::{At, CommitmentRecord, Payload};
pub use submit::{EventSummary, Included, Pending};
pub use weights::{RevealOutcome, WeightsError, WeightsOutcome};

use subxt::config::RpcConfigFor;
use subxt::rpcs::{LegacyRpcMethods, RpcClient};
use subxt::{OnlineClient, SubstrateConfig};

use crate::network::Network;

/// A connection to one subtensor endpoint.
#[derive(Clone)]
pub struct Client {
    api: OnlineClient<SubstrateConfig>,
    rpc: LegacyRpcMethods<RpcConfigFor<SubstrateConfig>>,
    /// The same connection, for the methods `LegacyRpcMethods` does not wrap.
    raw: RpcClient,
    endpoint: String,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Connects to the network's endpoint.
    pub async fn connect(network: &Network) -> Result<Self, ChainError> {
        Self::connect_url(network.endpoint()).await
    }

    /// Connects to `url` (`ws://` or `wss://`; plain `ws://` is allowed because dev chains and
    /// nodes on a private network use it).
    pub async fn connect_url(url: &str) -> Result<Self, ChainError> {
        let connect_error = |detail: String| ChainError::Connect {
            endpoint: url.to_owned(),
            detail,
        };
        if !crate::network::is_ws_url(url) {
            return Err(connect_error("not a ws:// or wss:// URL".to_owned()));
        }
        let rpc = connection::open(url).await.map_err(connect_error)?;
        let api = OnlineClient::<SubstrateConfig>::from_rpc_client(rpc.clone())
            .await
            .map_err(|e| connect_error(e.to_string()))?;
        Ok(Client {
            api,
            rpc: LegacyRpcMethods::new(rpc.clone()),
            raw: rpc,
            endpoint: url.to_owned(),
        })
    }

    /// The URL this client talks to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The genesis hash of the connected chain.
    pub fn genesis_hash(&self) -> [u8; 32] {
        self.api.genesis_hash().0
    }

    /// The underlying subxt client, for what this module does not wrap.
    pub fn subxt(&self) -> &OnlineClient<SubstrateConfig> {
        &self.api
    }

    /// Reads pinned to the node's best block now.
    pub async fn at_best(&self) -> Result<At, ChainError> {
        let what = "asking for the best block";
        let hash = connection::retrying(what, || self.rpc.chain_get_block_hash(None))
            .await?
            .ok_or_else(|| ChainError::rpc(what, "the node has none"))?;
        self.at(hash.0).await
    }

    /// Reads pinned to the node's latest finalized block now.
    pub async fn at_finalized(&self) -> Result<At, ChainError> {
        let at = self
            .api
            .at_current_block()
            .await
            .map_err(|e| ChainError::rpc("opening the finalized block", e))?;
        At::new(at)
    }

    /// Reads pinned to the block with this hash.
    pub async fn at(&self, block_hash: [u8; 32]) -> Result<At, ChainError> {
        let hash = subxt::config::substrate::H256(block_hash);
        let at = self.api.at_block(hash).await.map_err(|e| {
            use subxt::error::OnlineClientAtBlockError as E;
            match e {
                E::BlockHeaderNotFound { .. } => {
                    ChainError::UnknownBlock(format!("0x{}", hex::encode(block_hash)))
                }
                other => ChainError::rpc(
                    format!("opening block 0x{}", hex::encode(block_hash)),
                    other,
                ),
            }
        })?;
        At::new(at)
    }
}
