//! Signing, submitting and waiting for finality.
//!
//! [`Client::submit`] returns as soon as the node's pool accepted the transaction (a refusal is
//! a [`ChainError::Pool`] right there); [`Pending::wait`] then follows its status to finality
//! and reads back where it landed and its events. A pallet error in the block becomes
//! [`ChainError::Module`].

use subxt::SubstrateConfig;
use subxt::client::OnlineClientAtBlockImpl;
use subxt::error::{TransactionEventsError, TransactionProgressError, TransactionStatusError};
use subxt::transactions::TransactionProgress;

use super::{Call, ChainError, Client};
use crate::keys::Keypair;

/// A transaction the pool accepted, not yet finalized.
pub struct Pending {
    progress: TransactionProgress<SubstrateConfig, OnlineClientAtBlockImpl<SubstrateConfig>>,
    call: String,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("call", &self.call)
            .field("hash", &hex::encode(self.extrinsic_hash()))
            .finish()
    }
}

/// A finalized, successful transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Included {
    /// The block it is in.
    pub block_hash: [u8; 32],
    /// That block's number.
    pub block_number: u32,
    /// Its position in the block.
    pub extrinsic_index: u32,
    /// The extrinsic's hash.
    pub extrinsic_hash: [u8; 32],
    /// The events it emitted, in order.
    pub events: Vec<EventSummary>,
}

/// One event, by name, with its SCALE-encoded fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSummary {
    /// Pallet name.
    pub pallet: String,
    /// Event name.
    pub name: String,
    /// The fields' SCALE bytes.
    pub fields: Vec<u8>,
}

impl Included {
    /// Whether it emitted `pallet.name`.
    pub fn has_event(&self, pallet: &str, name: &str) -> bool {
        self.events
            .iter()
            .any(|e| e.pallet == pallet && e.name == name)
    }
}

impl Client {
    /// Signs `call` with `signer` (nonce from the chain) and hands it to the node.
    pub async fn submit(&self, call: &Call, signer: &Keypair) -> Result<Pending, ChainError> {
        let mut tx = self
            .api
            .tx()
            .await
            .map_err(|e| ChainError::rpc(format!("preparing {}", call.name()), e))?;
        let payload = call.payload();
        // Encoding against the live metadata first gives a clear error for a changed call.
        tx.validate(&payload).map_err(|e| {
            ChainError::Input(format!(
                "{} does not match the node's metadata: {e}",
                call.name()
            ))
        })?;
        let progress = tx
            .sign_and_submit_then_watch_default(&payload, signer)
            .await
            .map_err(ChainError::from_submission)?;
        Ok(Pending {
            progress,
            call: call.name(),
        })
    }

    /// [`Client::submit`] and [`Pending::wait`].
    pub async fn submit_and_wait(
        &self,
        call: &Call,
        signer: &Keypair,
    ) -> Result<Included, ChainError> {
        self.submit(call, signer).await?.wait().await
    }
}

impl Pending {
    /// The extrinsic's hash.
    pub fn extrinsic_hash(&self) -> [u8; 32] {
        self.progress.extrinsic_hash().0
    }

    /// Waits until the transaction is finalized; its events, or why it failed.
    pub async fn wait(self) -> Result<Included, ChainError> {
        let call = self.call;
        let in_block = self
            .progress
            .wait_for_finalized()
            .await
            .map_err(|e| match e {
                TransactionProgressError::TransactionStatusError(status) => {
                    ChainError::NotFinalized(match status {
                        TransactionStatusError::Error(m) => format!("{call}: error: {m}"),
                        TransactionStatusError::Invalid(m) => format!("{call}: invalid: {m}"),
                        TransactionStatusError::Dropped(m) => format!("{call}: dropped: {m}"),
                        other => format!("{call}: {other}"),
                    })
                }
                other => ChainError::rpc(format!("following {call}"), other),
            })?;
        let events = in_block.wait_for_success().await.map_err(|e| match e {
            TransactionEventsError::ExtrinsicFailed(dispatch) => {
                ChainError::from_dispatch(dispatch)
            }
            other => ChainError::rpc(format!("reading the events of {call}"), other),
        })?;
        let at = in_block
            .at()
            .await
            .map_err(|e| ChainError::rpc(format!("opening the block of {call}"), e))?;
        let block_number = u32::try_from(at.block_number()).map_err(|_| {
            ChainError::rpc(
                format!("opening the block of {call}"),
                "block number over u32",
            )
        })?;
        let extrinsic_index = u32::try_from(events.extrinsic_index()).map_err(|_| {
            ChainError::rpc(
                format!("reading the events of {call}"),
                "extrinsic index over u32",
            )
        })?;
        let mut summaries = Vec::new();
        for event in events.iter() {
            let event =
                event.map_err(|e| ChainError::rpc(format!("decoding the events of {call}"), e))?;
            summaries.push(EventSummary {
                pallet: event.pallet_name().to_owned(),
                name: event.event_name().to_owned(),
                fields: event.field_bytes().to_vec(),
            });
        }
        Ok(Included {
            block_hash: in_block.block_hash().0,
            block_number,
            extrinsic_index,
            extrinsic_hash: events.extrinsic_hash().0,
            events: summaries,
        })
    }
}
