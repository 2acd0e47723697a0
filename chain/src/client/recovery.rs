//! Where a transaction went after the connection carrying its status dropped.
//!
//! A dropped socket leaves the sender not knowing whether the node received the transaction.
//! Sending it again blindly is how a transfer gets paid twice (with a fresh nonce) or how a
//! pool bans an account for spam. Instead [`Client::locate`] asks the chain, in this order:
//!
//! 1. the node's pool (`author_pendingExtrinsics`), read first: a transaction that leaves the
//!    pool after this read has been put in a block, which step 2 then sees;
//! 2. every block of the best chain from the one the transaction was signed against to the best
//!    head (or the end of its mortal era), by extrinsic hash, each block scanned once;
//! 3. the account's next nonce at that head: past the transaction's nonce with the transaction
//!    in no block means another transaction used the nonce.
//!
//! Only when the node has the transaction neither in its pool nor in a block, and its nonce is
//! still unused, does [`super::Pending::wait`] hand the node the same signed bytes again. The
//! nonce makes that idempotent: the bytes can be applied at most once, however many copies a
//! node ever receives.

use std::time::Duration;

use subxt::config::substrate::H256;
use subxt::events::Phase;
use subxt::rpcs::methods::legacy::Bytes;
use subxt::rpcs::rpc_params;
use subxt::utils::AccountId32;

use super::connection::retrying;
use super::{ChainError, Client, EventSummary, Included};

/// Blocks a transaction stays valid for after the block it is signed against (its mortal era).
pub(super) const MORTALITY: u64 = 32;

/// How often a transaction waiting in the pool (or a block waiting for finality) is looked at.
pub(super) const POLL: Duration = Duration::from_millis(250);

/// A signed transaction as it was handed to the node.
#[derive(Debug, Clone)]
pub(super) struct Signed {
    /// The SCALE-encoded extrinsic.
    pub bytes: Vec<u8>,
    /// Its blake2-256 hash.
    pub hash: [u8; 32],
    /// The signer.
    pub account: AccountId32,
    /// The nonce it carries.
    pub nonce: u64,
    /// The number of the block it was signed against (the start of its era).
    pub era_start: u64,
}

impl Signed {
    /// The last block that can include it.
    pub fn last_valid_block(&self) -> u64 {
        self.era_start + MORTALITY
    }
}

/// What [`Client::locate`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Whereabouts {
    /// In this block of the best chain (maybe not final yet).
    InBlock { number: u64, hash: [u8; 32] },
    /// Waiting in the node's pool.
    InPool,
    /// Neither in the pool nor in a block, and its nonce is unused: the node never received it
    /// or dropped it.
    Unknown,
    /// In no block, and the account's next nonce is past it: another transaction used it.
    Usurped { next_nonce: u64 },
    /// In no block up to the end of its era: it can never be included now.
    Expired,
}

/// How far the best chain has been searched, so each look scans only new blocks.
#[derive(Debug, Clone, Copy)]
pub(super) struct Search {
    scanned_to: u64,
}

impl Search {
    /// Nothing searched yet: the transaction cannot be in its era's first block or earlier.
    pub fn new(signed: &Signed) -> Self {
        Search {
            scanned_to: signed.era_start,
        }
    }

    /// Searches blocks after `number` again (a block there left the best chain).
    pub fn rewind_to(&mut self, number: u64) {
        self.scanned_to = self.scanned_to.min(number);
    }
}

impl Client {
    /// Where `signed` is now (see the module doc), searching from where `search` stopped.
    pub(super) async fn locate(
        &self,
        signed: &Signed,
        search: &mut Search,
    ) -> Result<Whereabouts, ChainError> {
        // A node that does not serve its pool only makes "in the pool" look like "unknown": the
        // same bytes then go again, and the node's "already imported" answer says the rest.
        let in_pool = match retrying("reading the node's transaction pool", || {
            self.raw
                .request::<Vec<Bytes>>("author_pendingExtrinsics", rpc_params![])
        })
        .await
        {
            Ok(pool) => pool.iter().any(|tx| tx.0 == signed.bytes),
            Err(e) => {
                tracing::debug!("{e}");
                false
            }
        };

        let (best_number, best_hash) = self.best_head().await?;
        if let Some(found) = self.scan_for(signed, search, best_number).await? {
            return Ok(found);
        }
        if in_pool {
            return Ok(Whereabouts::InPool);
        }
        let next_nonce = self.next_nonce_at(&signed.account, best_hash).await?;
        if next_nonce > signed.nonce {
            // A block scanned earlier may have left the best chain with the transaction in it
            // and come back at the same height with it: look at the whole era once more.
            let mut again = Search::new(signed);
            if let Some(found) = self.scan_for(signed, &mut again, best_number).await? {
                *search = again;
                return Ok(found);
            }
            return Ok(Whereabouts::Usurped { next_nonce });
        }
        if best_number >= signed.last_valid_block() {
            return Ok(Whereabouts::Expired);
        }
        Ok(Whereabouts::Unknown)
    }

    /// Scans the best chain's blocks after `search` up to `best_number` (and the era's end).
    async fn scan_for(
        &self,
        signed: &Signed,
        search: &mut Search,
        best_number: u64,
    ) -> Result<Option<Whereabouts>, ChainError> {
        let last = best_number.min(signed.last_valid_block());
        while search.scanned_to < last {
            let number = search.scanned_to + 1;
            let what = format!("reading block #{number}");
            let Some(hash) =
                retrying(&what, || self.rpc.chain_get_block_hash(Some(number.into()))).await?
            else {
                // The best chain got shorter since its head was read; look again later.
                break;
            };
            let body = self.block_body(hash.0).await?;
            if body
                .iter()
                .any(|tx| sp_crypto_hashing::blake2_256(tx) == signed.hash)
            {
                return Ok(Some(Whereabouts::InBlock {
                    number,
                    hash: hash.0,
                }));
            }
            search.scanned_to = number;
        }
        Ok(None)
    }

    /// The best head's number and hash.
    async fn best_head(&self) -> Result<(u64, H256), ChainError> {
        let what = "asking for the best block";
        let hash = retrying(what, || self.rpc.chain_get_block_hash(None))
            .await?
            .ok_or_else(|| ChainError::rpc(what, "the node has none"))?;
        Ok((self.block_number_of(hash, what).await?, hash))
    }

    /// The latest finalized block's number.
    async fn finalized_number(&self) -> Result<u64, ChainError> {
        let what = "asking for the finalized block";
        let hash = retrying(what, || self.rpc.chain_get_finalized_head()).await?;
        self.block_number_of(hash, what).await
    }

    async fn block_number_of(&self, hash: H256, what: &str) -> Result<u64, ChainError> {
        let header = retrying(what, || self.rpc.chain_get_header(Some(hash)))
            .await?
            .ok_or_else(|| ChainError::UnknownBlock(format!("0x{}", hex::encode(hash.0))))?;
        Ok(header.number)
    }

    /// The extrinsics of block `hash`, as bytes.
    async fn block_body(&self, hash: [u8; 32]) -> Result<Vec<Vec<u8>>, ChainError> {
        let what = format!("reading the body of block 0x{}", hex::encode(hash));
        let block = retrying(&what, || self.rpc.chain_get_block(Some(H256(hash))))
            .await?
            .ok_or_else(|| ChainError::UnknownBlock(format!("0x{}", hex::encode(hash))))?;
        Ok(block.block.extrinsics.into_iter().map(|b| b.0).collect())
    }

    /// `account`'s next nonce in the state of block `at` (the pool not counted).
    async fn next_nonce_at(&self, account: &AccountId32, at: H256) -> Result<u64, ChainError> {
        let what = "reading the account's nonce";
        let block = self
            .api
            .at_block(at)
            .await
            .map_err(|e| ChainError::rpc(what, e))?;
        block
            .tx()
            .account_nonce(account)
            .await
            .map_err(|e| ChainError::rpc(what, e))
    }

    /// Whether block `number` with `hash` is final: `Some(true)` once finalized, `Some(false)`
    /// if another block was finalized at its height, `None` while finality has not reached it.
    pub(super) async fn finality_of(
        &self,
        number: u64,
        hash: [u8; 32],
    ) -> Result<Option<bool>, ChainError> {
        let finalized = self.finalized_number().await?;
        if finalized < number {
            return Ok(None);
        }
        let what = format!("reading block #{number}");
        let canonical = retrying(&what, || self.rpc.chain_get_block_hash(Some(number.into())))
            .await?
            .ok_or_else(|| ChainError::rpc(what.as_str(), "the node has no such block"))?;
        Ok(Some(canonical.0 == hash))
    }

    /// The transaction with `extrinsic_hash` in finalized block `block_hash`: its position and
    /// events, or the pallet error it failed with.
    pub(super) async fn included(
        &self,
        call: &str,
        block_hash: [u8; 32],
        extrinsic_hash: [u8; 32],
    ) -> Result<Included, ChainError> {
        let body = self.block_body(block_hash).await?;
        let index = body
            .iter()
            .position(|tx| sp_crypto_hashing::blake2_256(tx) == extrinsic_hash)
            .ok_or_else(|| {
                ChainError::rpc(
                    format!("reading the block of {call}"),
                    format!(
                        "block 0x{} does not hold extrinsic 0x{}",
                        hex::encode(block_hash),
                        hex::encode(extrinsic_hash)
                    ),
                )
            })?;
        let extrinsic_index = u32::try_from(index).map_err(|_| {
            ChainError::rpc(
                format!("reading the block of {call}"),
                "extrinsic index over u32",
            )
        })?;
        let at = self
            .api
            .at_block(H256(block_hash))
            .await
            .map_err(|e| ChainError::rpc(format!("opening the block of {call}"), e))?;
        let block_number = u32::try_from(at.block_number()).map_err(|_| {
            ChainError::rpc(
                format!("opening the block of {call}"),
                "block number over u32",
            )
        })?;
        let events = at
            .events()
            .fetch()
            .await
            .map_err(|e| ChainError::rpc(format!("reading the events of {call}"), e))?;
        let mut summaries = Vec::new();
        for event in events.iter() {
            let event =
                event.map_err(|e| ChainError::rpc(format!("decoding the events of {call}"), e))?;
            if event.phase() != Phase::ApplyExtrinsic(extrinsic_index) {
                continue;
            }
            if event.pallet_name() == "System" && event.event_name() == "ExtrinsicFailed" {
                let dispatch =
                    subxt::error::DispatchError::decode_from(event.field_bytes(), at.metadata())
                        .map_err(|e| ChainError::rpc(format!("decoding why {call} failed"), e))?;
                return Err(ChainError::from_dispatch(dispatch));
            }
            summaries.push(EventSummary {
                pallet: event.pallet_name().to_owned(),
                name: event.event_name().to_owned(),
                fields: event.field_bytes().to_vec(),
            });
        }
        Ok(Included {
            block_hash,
            block_number,
            extrinsic_index,
            extrinsic_hash,
            events: summaries,
        })
    }
}
