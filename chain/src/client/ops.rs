//! The operations miners and operators perform, each one call to finality.
//!
//! `register` checks `Uids` first and does not submit for a hotkey that already has a uid (no
//! burn spent twice, no nonce used); after a successful `burned_register` it reads the uid in
//! the inclusion block.

use nya_metadata::commitment::Commitment;

use super::calls::{self, AxonEndpoint};
use super::{ChainError, Client, Included};
use crate::keys::Keypair;

/// The outcome of [`Client::register`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    /// The hotkey already had this uid; nothing was submitted.
    Already {
        /// The existing uid.
        uid: u16,
    },
    /// `burned_register` went through.
    New {
        /// The new uid.
        uid: u16,
        /// Where it was included.
        included: Included,
    },
}

impl Registered {
    /// The hotkey's uid either way.
    pub fn uid(&self) -> u16 {
        match self {
            Registered::Already { uid } | Registered::New { uid, .. } => *uid,
        }
    }
}

impl Client {
    /// Sends `rao` from `coldkey` to `dest`, keeping the sender above the existential deposit.
    pub async fn transfer(
        &self,
        coldkey: &Keypair,
        dest: &[u8; 32],
        rao: u64,
    ) -> Result<Included, ChainError> {
        if rao == 0 {
            return Err(ChainError::Input("a transfer of 0 rao does nothing".into()));
        }
        self.submit_and_wait(&calls::transfer_keep_alive(dest, rao), coldkey)
            .await
    }

    /// Registers `hotkey` on `netuid` by burning, paid by `coldkey`; an already registered
    /// hotkey is reported with its uid without submitting anything.
    pub async fn register(
        &self,
        netuid: u16,
        coldkey: &Keypair,
        hotkey: &[u8; 32],
    ) -> Result<Registered, ChainError> {
        if let Some(uid) = self.at_best().await?.uid(netuid, hotkey).await? {
            return Ok(Registered::Already { uid });
        }
        let included = self
            .submit_and_wait(&calls::burned_register(netuid, hotkey), coldkey)
            .await?;
        let uid = self
            .at(included.block_hash)
            .await?
            .uid(netuid, hotkey)
            .await?
            .ok_or_else(|| {
                ChainError::rpc(
                    "reading the new uid",
                    format!(
                        "burned_register succeeded in block {} but the hotkey has no uid there",
                        included.block_number
                    ),
                )
            })?;
        Ok(Registered::New { uid, included })
    }

    /// Announces the hotkey's axon on `netuid` (signed, and paid, by the hotkey).
    pub async fn serve_axon(
        &self,
        netuid: u16,
        hotkey: &Keypair,
        endpoint: &AxonEndpoint,
    ) -> Result<Included, ChainError> {
        if endpoint.port == 0 {
            return Err(ChainError::Input("the axon port must not be 0".into()));
        }
        self.submit_and_wait(&calls::serve_axon(netuid, endpoint), hotkey)
            .await
    }

    /// Writes `commitment` as the hotkey's `CommitmentOf` on `netuid`.
    pub async fn commit(
        &self,
        netuid: u16,
        hotkey: &Keypair,
        commitment: &Commitment,
    ) -> Result<Included, ChainError> {
        self.submit_and_wait(
            &calls::set_commitment(netuid, &commitment.to_info()),
            hotkey,
        )
        .await
    }
}
