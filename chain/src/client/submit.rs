//! Signing, submitting and waiting for finality, across a dropped connection.
//!
//! [`Client::submit`] signs the call with the account's next nonce (the node's
//! `system_accountNextIndex`, which counts the pool), mortal for [`MORTALITY`] blocks from the
//! latest finalized block, and hands it to the node; a refusal is a [`ChainError::Pool`] right
//! there. [`Pending::wait`] follows its status to finality and reads back where it landed and
//! its events. A pallet error in the block becomes [`ChainError::Module`].
//!
//! If the connection drops before the node answers the submission or while its status is
//! followed, [`Pending::wait`] asks the chain where the transaction went ([`super::recovery`])
//! and sends the same signed bytes again only if the node has never seen them.

use subxt::SubstrateConfig;
use subxt::client::OnlineClientAtBlockImpl;
use subxt::config::DefaultExtrinsicParamsBuilder;
use subxt::error::ExtrinsicError;
use subxt::transactions::{TransactionProgress, TransactionStatus};

use super::connection::retrying;
use super::recovery::{MORTALITY, POLL, Search, Signed, Whereabouts};
use super::{Call, ChainError, Client};
use crate::keys::Keypair;

type Progress = TransactionProgress<SubstrateConfig, OnlineClientAtBlockImpl<SubstrateConfig>>;

/// How often a transaction the node lost is handed to it again before giving up.
const MAX_RESENDS: u32 = 3;

/// A transaction handed to the node, not yet finalized.
pub struct Pending {
    client: Client,
    signed: Signed,
    /// The node's status stream; `None` when the connection that carried it dropped.
    progress: Option<Progress>,
    /// Whether a connection dropped since the submission: statuses from then on are checked
    /// against the chain instead of trusted.
    lost: bool,
    call: String,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("call", &self.call)
            .field("hash", &hex::encode(self.extrinsic_hash()))
            .field("nonce", &self.signed.nonce)
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

/// Whether a submission failed because the socket dropped (the node may or may not have it).
fn dropped(err: &ExtrinsicError) -> bool {
    matches!(err, ExtrinsicError::ErrorSubmittingTransaction(backend)
        if backend.is_disconnected_will_reconnect())
}

impl Client {
    /// Signs `call` with `signer` and hands it to the node.
    pub async fn submit(&self, call: &Call, signer: &Keypair) -> Result<Pending, ChainError> {
        let name = call.name();
        let at = self
            .api
            .at_current_block()
            .await
            .map_err(|e| ChainError::rpc(format!("preparing {name}"), e))?;
        let mut tx = at.tx();
        let payload = call.payload();
        // Encoding against the live metadata first gives a clear error for a changed call.
        tx.validate(&payload).map_err(|e| {
            ChainError::Input(format!("{name} does not match the node's metadata: {e}"))
        })?;
        let account = subxt::transactions::Signer::<SubstrateConfig>::account_id(signer);
        let nonce = retrying(
            &format!("asking for the nonce of {}", signer.ss58()),
            || self.rpc.system_account_next_index(&account),
        )
        .await?;
        let params = DefaultExtrinsicParamsBuilder::<SubstrateConfig>::new()
            .nonce(nonce)
            .mortal(MORTALITY)
            .build();
        let transaction = tx
            .create_signed(&payload, signer, params)
            .await
            .map_err(|e| ChainError::rpc(format!("signing {name}"), e))?;
        let signed = Signed {
            bytes: transaction.encoded().to_vec(),
            hash: transaction.hash().0,
            account,
            nonce,
            era_start: at.block_number(),
        };
        let (progress, lost) = match transaction.submit_and_watch().await {
            Ok(progress) => (Some(progress), false),
            Err(e) if dropped(&e) => {
                tracing::warn!(
                    "{name}: the connection dropped while submitting; checking the chain"
                );
                (None, true)
            }
            Err(e) => return Err(ChainError::from_submission(e)),
        };
        Ok(Pending {
            client: self.clone(),
            signed,
            progress,
            lost,
            call: name,
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

    /// Hands the node `signed` again.
    async fn resend(&self, signed: &Signed, call: &str) -> Result<Resent, ChainError> {
        let at = self
            .api
            .at_current_block()
            .await
            .map_err(|e| ChainError::rpc(format!("preparing to resend {call}"), e))?;
        match at
            .tx()
            .from_bytes(signed.bytes.clone())
            .submit_and_watch()
            .await
        {
            Ok(progress) => Ok(Resent::Following(progress)),
            Err(e) if dropped(&e) => Ok(Resent::Dropped),
            Err(e) => match ChainError::from_submission(e) {
                // Already in the pool (1013), recently included (1012, banned), or its nonce
                // used (1010 "outdated"): the chain knows it, and the next look says where.
                ChainError::Pool { code, data, .. }
                    if code == 1013
                        || code == 1012
                        || (code == 1010
                            && data.as_deref().is_some_and(|d| d.contains("outdated"))) =>
                {
                    Ok(Resent::Known)
                }
                other => Err(other),
            },
        }
    }
}

/// What handing a transaction to the node again did.
enum Resent {
    /// The node took it as new; its status stream.
    Following(Progress),
    /// The node already knows it.
    Known,
    /// The connection dropped again before the node answered.
    Dropped,
}

/// How following a status stream ended.
enum Followed {
    /// In this finalized block.
    Finalized([u8; 32]),
    /// The node reported it invalid, dropped or failed.
    Refused(String),
    /// The stream broke or ended without a final status.
    Lost(String),
}

async fn follow(mut progress: Progress) -> Followed {
    while let Some(status) = progress.next().await {
        match status {
            Ok(TransactionStatus::InFinalizedBlock(block)) => {
                return Followed::Finalized(block.block_hash().0);
            }
            Ok(TransactionStatus::Error { message }) => {
                return Followed::Refused(format!("error: {message}"));
            }
            Ok(TransactionStatus::Invalid { message }) => {
                return Followed::Refused(format!("invalid: {message}"));
            }
            Ok(TransactionStatus::Dropped { message }) => {
                return Followed::Refused(format!("dropped: {message}"));
            }
            Ok(_) => continue,
            Err(e) => return Followed::Lost(e.to_string()),
        }
    }
    Followed::Lost("the status stream ended".to_owned())
}

impl Pending {
    /// The extrinsic's hash.
    pub fn extrinsic_hash(&self) -> [u8; 32] {
        self.signed.hash
    }

    /// The nonce the transaction carries.
    pub fn nonce(&self) -> u64 {
        self.signed.nonce
    }

    /// Waits until the transaction is finalized; its events, or why it failed.
    pub async fn wait(mut self) -> Result<Included, ChainError> {
        let call = self.call.clone();
        let mut search = Search::new(&self.signed);
        let mut resent = 0;
        loop {
            if let Some(progress) = self.progress.take() {
                match follow(progress).await {
                    Followed::Finalized(block) => {
                        return self.client.included(&call, block, self.signed.hash).await;
                    }
                    Followed::Refused(why) if !self.lost => {
                        return Err(ChainError::NotFinalized(format!("{call}: {why}")));
                    }
                    Followed::Refused(why) | Followed::Lost(why) => {
                        tracing::warn!(
                            "{call}: lost track of the transaction ({why}); checking the chain"
                        );
                        self.lost = true;
                    }
                }
            }
            match self.client.locate(&self.signed, &mut search).await? {
                Whereabouts::InBlock { number, hash } => {
                    match self.client.finality_of(number, hash).await? {
                        Some(true) => {
                            return self.client.included(&call, hash, self.signed.hash).await;
                        }
                        // Another block was finalized at that height: search from there again.
                        Some(false) => search.rewind_to(number.saturating_sub(1)),
                        None => tokio::time::sleep(POLL).await,
                    }
                }
                Whereabouts::InPool => tokio::time::sleep(POLL).await,
                Whereabouts::Unknown => {
                    if resent == MAX_RESENDS {
                        return Err(ChainError::NotFinalized(format!(
                            "{call}: the node lost the transaction {MAX_RESENDS} times; nothing was included"
                        )));
                    }
                    tracing::warn!(
                        "{call}: the node does not have the transaction; handing it the same signed bytes again"
                    );
                    match self.client.resend(&self.signed, &call).await? {
                        // Only a copy the node takes as new counts towards the limit.
                        Resent::Following(progress) => {
                            resent += 1;
                            self.progress = Some(progress);
                        }
                        Resent::Known | Resent::Dropped => tokio::time::sleep(POLL).await,
                    }
                }
                Whereabouts::Usurped { next_nonce } => {
                    return Err(ChainError::NotFinalized(format!(
                        "{call}: another transaction of this account used nonce {} (its next nonce is {next_nonce}); this one was not included",
                        self.signed.nonce
                    )));
                }
                Whereabouts::Expired => {
                    return Err(ChainError::NotFinalized(format!(
                        "{call}: not included by block #{}, the end of its {MORTALITY}-block era, so it never will be; submitting it again is safe",
                        self.signed.last_valid_block()
                    )));
                }
            }
        }
    }
}
