//! Commitment history: every commitment a hotkey (or every hotkey of a subnet) made, with the
//! block it was written in and its decoded payload.
//!
//! The chain keeps only each hotkey's latest `Commitments.CommitmentOf(netuid, hotkey)` =
//! `Registration { deposit, block, info }`, so history has to be recovered from past states.
//! Two methods, both needing the node to serve old state (an archive node; a pruning node keeps
//! only the last few hundred blocks and fails with [`HistoryError::State`]):
//!
//! - **Walk-back** ([`Method::Walk`]): read `CommitmentOf` at the newest block of the range;
//!   its `block` is where that commitment was written. Then read `CommitmentOf` in the state of
//!   `block - 1`, which holds the commitment before it, and so on until there is none or it is
//!   older than the range. One hotkey costs two block openings per commitment (the read at
//!   `block - 1`, and the commit's own block for the uid it had then), whatever the length of
//!   the range. For a whole subnet the hotkeys are the `CommitmentOf` keys at the newest block
//!   of the range; a hotkey whose `CommitmentOf` was removed (a runtime that purges it on
//!   deregistration) is invisible to the walk: use the scan for those. Two commitments in one
//!   block leave only the last in state, so the walk reports one entry for that block.
//! - **Event scan** ([`Method::Scan`]): read `System.Events` of every block of the range
//!   (`Commitments.Commitment` and `Commitments.TimelockCommitment`, decoded against that
//!   block's runtime metadata), keep those of the netuid (and hotkey), and join each with
//!   `CommitmentOf` in that block's state. It sees every hotkey that committed in the range,
//!   deregistered or not, and every commitment, including two by one hotkey in one block; but
//!   state keeps only the block's final value, so both entries of such a block carry the data
//!   of the last one (their event indexes tell them apart). It costs one block opening per
//!   block of the range, so it is for ranges, and the walk for "everything ever".
//!
//! Every entry carries the hotkey's uid in the state of the commit's block (a hotkey may be
//! deregistered later and registered again under another uid; its history does not depend on
//! the uid). Entries come sorted by block, then event index, then hotkey.

use std::collections::BTreeSet;

use futures::{StreamExt, TryStreamExt};
use nya_metadata::runtime::items::COMMITMENTS_COMMITMENT_OF;
use nya_metadata::runtime::types::AccountId32;
use parity_scale_codec::DecodeAll;
use subxt::SubstrateConfig;
use subxt::client::{ClientAtBlock, OnlineClientAtBlockImpl};
use subxt::config::substrate::H256;
use subxt::rpcs::rpc_params;

use super::reads::{At, CommitmentRecord, Payload};
use super::{ChainError, Client, connection};

/// The event a plain `set_commitment` emits.
pub const COMMITMENT_EVENT: &str = "Commitment";
/// The event a `set_commitment` with a timelocked field emits.
pub const TIMELOCK_COMMITMENT_EVENT: &str = "TimelockCommitment";

/// Blocks (or hotkeys) worked on at once by default: enough to hide round trips, few enough
/// not to flood a public node.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// Block hashes asked for in one request by the event scan.
const HASH_BATCH: u32 = 256;

/// How to recover the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Follow `Registration.block` back through past states.
    Walk,
    /// Read every block's events in the range.
    Scan,
}

/// What to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    /// The subnet.
    pub netuid: u16,
    /// One hotkey, or every hotkey of the subnet.
    pub hotkey: Option<[u8; 32]>,
    /// Oldest block of interest (inclusive).
    pub from_block: u32,
    /// Newest block of interest (inclusive); `None`: the best block.
    pub to_block: Option<u32>,
    /// Blocks (scan) or hotkeys (walk) in flight at once; at least 1.
    pub concurrency: usize,
}

impl HistoryQuery {
    /// Everything `hotkey` (or the whole subnet) ever committed on `netuid`.
    pub fn new(netuid: u16, hotkey: Option<[u8; 32]>) -> Self {
        HistoryQuery {
            netuid,
            hotkey,
            from_block: 0,
            to_block: None,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }
}

/// One commitment in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The committing hotkey.
    pub hotkey: [u8; 32],
    /// The block it was written in.
    pub block: u32,
    /// The hotkey's uid in that block's state (`None` if it was not registered there).
    pub uid: Option<u16>,
    /// The event's index in the block's `System.Events` (scan only).
    pub event_index: Option<u32>,
    /// The stored data, or `None` when the scan saw the event but `CommitmentOf` in that block's
    /// state holds no commitment written in it (removed in the same block).
    pub commitment: Option<StoredCommitment>,
}

/// `CommitmentOf` as it stood at the end of the entry's block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCommitment {
    /// Deposit held for it.
    pub deposit: u64,
    /// The decoded payload.
    pub payload: Payload,
}

impl HistoryEntry {
    fn from_record(record: CommitmentRecord, event_index: Option<u32>) -> Self {
        HistoryEntry {
            hotkey: record.hotkey,
            block: record.block,
            uid: record.uid,
            event_index,
            commitment: Some(StoredCommitment {
                deposit: record.deposit,
                payload: record.payload,
            }),
        }
    }
}

/// How far a listing has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Units done: hotkeys walked, or blocks scanned.
    pub done: u64,
    /// Units in all.
    pub total: u64,
    /// Commitments found so far.
    pub found: u64,
}

/// Why a history could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The range is empty or beyond the chain.
    #[error("block range {from}..={to} is not valid: {reason}")]
    Range {
        /// `--from-block`.
        from: u32,
        /// `--to-block` (or the best block).
        to: u32,
        /// What is wrong.
        reason: String,
    },
    /// No concurrency.
    #[error("concurrency must be at least 1")]
    Concurrency,
    /// A past block or its state could not be read.
    #[error(
        "cannot read the state at block {block} ({source}); commitment history reads past states, which only an archive node keeps (use --subtensor.network archive or a node run with --state-pruning archive)"
    )]
    State {
        /// The block.
        block: u32,
        /// What failed.
        #[source]
        source: ChainError,
    },
    /// A stored registration claims a block that is not older than the state it was read
    /// from: walking on would not terminate.
    #[error(
        "CommitmentOf of {hotkey} read at block {read_at} says it was written in block {claimed}, not before it; the node's state is inconsistent"
    )]
    NotOlder {
        /// The hotkey, hex.
        hotkey: String,
        /// Block whose state was read.
        read_at: u32,
        /// The `Registration.block` found there.
        claimed: u32,
    },
    /// An event of the commitments pallet did not decode.
    #[error("block {block}, event {index}: Commitments.{name} does not decode: {detail}")]
    Event {
        /// The block.
        block: u32,
        /// Index in `System.Events`.
        index: u32,
        /// The event's name.
        name: String,
        /// What went wrong.
        detail: String,
    },
    /// A request against the best block failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
}

type AtBlock = ClientAtBlock<SubstrateConfig, OnlineClientAtBlockImpl<SubstrateConfig>>;

impl Client {
    /// Lists the commitments `query` asks for by `method`, calling `progress` as it goes.
    pub async fn commitment_history(
        &self,
        query: &HistoryQuery,
        method: Method,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<Vec<HistoryEntry>, HistoryError> {
        if query.concurrency == 0 {
            return Err(HistoryError::Concurrency);
        }
        let best = self.at_best().await?.number();
        let to = query.to_block.unwrap_or(best);
        let range_error = |reason: String| HistoryError::Range {
            from: query.from_block,
            to,
            reason,
        };
        if to > best {
            return Err(range_error(format!("the best block is {best}")));
        }
        if query.from_block > to {
            return Err(range_error("the first block is after the last".to_owned()));
        }
        let mut entries = match method {
            Method::Walk => self.walk(query, to, progress).await?,
            Method::Scan => self.scan(query, to, progress).await?,
        };
        entries.sort_by_key(|e| (e.block, e.event_index, e.hotkey));
        Ok(entries)
    }

    /// Opens block `number` (its hash by `chain_getBlockHash`, then its runtime).
    async fn open_block(&self, number: u32) -> Result<AtBlock, HistoryError> {
        let state = |source| HistoryError::State {
            block: number,
            source,
        };
        self.api.at_block(u64::from(number)).await.map_err(|e| {
            use subxt::error::OnlineClientAtBlockError as E;
            match e {
                E::BlockNotFound { .. } => state(ChainError::UnknownBlock(number.to_string())),
                other => state(ChainError::rpc(format!("opening block {number}"), other)),
            }
        })
    }

    /// `CommitmentOf(netuid, hotkey)` with the uid, in the state of block `number`.
    async fn commitment_at(
        &self,
        number: u32,
        netuid: u16,
        hotkey: &[u8; 32],
    ) -> Result<Option<CommitmentRecord>, HistoryError> {
        let at = At::new(self.open_block(number).await?)?;
        at.commitment(netuid, hotkey)
            .await
            .map_err(|source| HistoryError::State {
                block: number,
                source,
            })
    }

    async fn walk(
        &self,
        query: &HistoryQuery,
        to: u32,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<Vec<HistoryEntry>, HistoryError> {
        let hotkeys: Vec<[u8; 32]> = match query.hotkey {
            Some(hotkey) => vec![hotkey],
            None => {
                let at = At::new(self.open_block(to).await?)?;
                let records = at
                    .commitments(query.netuid)
                    .await
                    .map_err(|source| HistoryError::State { block: to, source })?;
                let keys: BTreeSet<[u8; 32]> = records.into_iter().map(|r| r.hotkey).collect();
                keys.into_iter().collect()
            }
        };
        let total = hotkeys.len() as u64;
        progress(Progress {
            done: 0,
            total,
            found: 0,
        });
        let mut walks = futures::stream::iter(hotkeys)
            .map(|hotkey| self.walk_hotkey(query.netuid, hotkey, query.from_block, to))
            .buffer_unordered(query.concurrency);
        let mut entries = Vec::new();
        let mut done = 0;
        while let Some(found) = walks.try_next().await? {
            entries.extend(found);
            done += 1;
            progress(Progress {
                done,
                total,
                found: entries.len() as u64,
            });
        }
        Ok(entries)
    }

    /// One hotkey's walk-back, newest first.
    async fn walk_hotkey(
        &self,
        netuid: u16,
        hotkey: [u8; 32],
        from: u32,
        to: u32,
    ) -> Result<Vec<HistoryEntry>, HistoryError> {
        let mut entries = Vec::new();
        let mut read_at = to;
        loop {
            let Some(found) = self.commitment_at(read_at, netuid, &hotkey).await? else {
                break;
            };
            if found.block > read_at {
                return Err(HistoryError::NotOlder {
                    hotkey: hex::encode(hotkey),
                    read_at,
                    claimed: found.block,
                });
            }
            if found.block < from {
                break;
            }
            // The uid is the one the hotkey had when it committed, read in that block.
            let record = if found.block == read_at {
                found
            } else {
                match self.commitment_at(found.block, netuid, &hotkey).await? {
                    Some(own) if own.block == found.block => own,
                    _ => CommitmentRecord { uid: None, ..found },
                }
            };
            let block = record.block;
            entries.push(HistoryEntry::from_record(record, None));
            match block.checked_sub(1) {
                Some(previous) if previous >= from => read_at = previous,
                _ => break,
            }
        }
        Ok(entries)
    }

    async fn scan(
        &self,
        query: &HistoryQuery,
        to: u32,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<Vec<HistoryEntry>, HistoryError> {
        let total = u64::from(to - query.from_block) + 1;
        progress(Progress {
            done: 0,
            total,
            found: 0,
        });
        // Hashes come HASH_BATCH at a time (one request each), so a block costs the two
        // requests of opening it by hash and reading its events.
        let batches = (query.from_block..=to)
            .step_by(HASH_BATCH as usize)
            .map(move |first| first..=first.saturating_add(HASH_BATCH - 1).min(to));
        let blocks = futures::stream::iter(batches)
            .then(|numbers| self.block_hashes(numbers))
            .map_ok(|hashes| futures::stream::iter(hashes.into_iter().map(Ok)))
            .try_flatten()
            .map_ok(|(number, hash)| self.scan_block(number, hash, query.netuid, query.hotkey))
            .try_buffered(query.concurrency);
        let mut blocks = std::pin::pin!(blocks);
        let mut entries = Vec::new();
        let mut done = 0;
        while let Some(found) = blocks.try_next().await? {
            entries.extend(found);
            done += 1;
            // Every block would redraw a bar thousands of times a second; 64 is smooth enough.
            if done % 64 == 0 || done == total {
                progress(Progress {
                    done,
                    total,
                    found: entries.len() as u64,
                });
            }
        }
        Ok(entries)
    }

    /// The hashes of blocks `numbers`, from one `chain_getBlockHash` with a list of numbers.
    async fn block_hashes(
        &self,
        numbers: std::ops::RangeInclusive<u32>,
    ) -> Result<Vec<(u32, H256)>, HistoryError> {
        let first = *numbers.start();
        let state = |source| HistoryError::State {
            block: first,
            source,
        };
        let list: Vec<u32> = numbers.clone().collect();
        let hashes: Vec<Option<H256>> = connection::retrying(
            &format!(
                "asking for the hashes of blocks {first}..={}",
                numbers.end()
            ),
            || self.raw.request("chain_getBlockHash", rpc_params![&list]),
        )
        .await
        .map_err(state)?;
        if hashes.len() != list.len() {
            return Err(state(ChainError::rpc(
                "asking for block hashes",
                format!("{} hashes for {} blocks", hashes.len(), list.len()),
            )));
        }
        list.into_iter()
            .zip(hashes)
            .map(|(number, hash)| match hash {
                Some(hash) => Ok((number, hash)),
                None => Err(HistoryError::State {
                    block: number,
                    source: ChainError::UnknownBlock(number.to_string()),
                }),
            })
            .collect()
    }

    /// The commitments of block `number` (with `hash`) on `netuid` (by `hotkey`), from its
    /// events.
    async fn scan_block(
        &self,
        number: u32,
        hash: H256,
        netuid: u16,
        hotkey: Option<[u8; 32]>,
    ) -> Result<Vec<HistoryEntry>, HistoryError> {
        let block = self
            .api
            .at_block_hash_and_number(hash, u64::from(number))
            .await
            .map_err(|e| HistoryError::State {
                block: number,
                source: ChainError::rpc(format!("opening block {number}"), e),
            })?;
        let events = block
            .events()
            .fetch()
            .await
            .map_err(|e| HistoryError::State {
                block: number,
                source: ChainError::rpc("reading System.Events", e),
            })?;
        let pallet = COMMITMENTS_COMMITMENT_OF.owner();
        let mut seen = Vec::new();
        for event in events.iter() {
            let event = event.map_err(|e| HistoryError::State {
                block: number,
                source: ChainError::rpc("decoding System.Events", e),
            })?;
            if event.pallet_name() != pallet {
                continue;
            }
            let name = event.event_name();
            let decode_error = |detail: String| HistoryError::Event {
                block: number,
                index: event.index(),
                name: name.to_owned(),
                detail,
            };
            let mut fields = event.field_bytes();
            let (event_netuid, who) = match name {
                COMMITMENT_EVENT => <(u16, AccountId32)>::decode_all(&mut fields)
                    .map_err(|e| decode_error(e.to_string()))?,
                TIMELOCK_COMMITMENT_EVENT => {
                    let (netuid, who, _round) = <(u16, AccountId32, u64)>::decode_all(&mut fields)
                        .map_err(|e| decode_error(e.to_string()))?;
                    (netuid, who)
                }
                _ => continue,
            };
            if event_netuid == netuid && hotkey.is_none_or(|h| h == who.0) {
                seen.push((event.index(), who.0));
            }
        }
        if seen.is_empty() {
            return Ok(Vec::new());
        }
        let at = At::new(block)?;
        let mut entries = Vec::with_capacity(seen.len());
        // One read per hotkey: two events of one hotkey share the block's final value.
        let mut records: Vec<([u8; 32], Option<CommitmentRecord>)> = Vec::new();
        for (index, who) in seen {
            let record = match records.iter().find(|(h, _)| *h == who) {
                Some((_, record)) => record.clone(),
                None => {
                    let record = at.commitment(netuid, &who).await.map_err(|source| {
                        HistoryError::State {
                            block: number,
                            source,
                        }
                    })?;
                    records.push((who, record.clone()));
                    record
                }
            };
            entries.push(match record {
                Some(record) if record.block == number => {
                    HistoryEntry::from_record(record, Some(index))
                }
                other => {
                    HistoryEntry {
                        hotkey: who,
                        block: number,
                        uid: match other {
                            Some(record) => record.uid,
                            None => at.uid(netuid, &who).await.map_err(|source| {
                                HistoryError::State {
                                    block: number,
                                    source,
                                }
                            })?,
                        },
                        event_index: Some(index),
                        commitment: None,
                    }
                }
            });
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_block_and_the_remedy() {
        let err = HistoryError::State {
            block: 42,
            source: ChainError::UnknownBlock("42".into()),
        };
        let text = err.to_string();
        assert!(
            text.starts_with("cannot read the state at block 42"),
            "{text}"
        );
        assert!(text.contains("archive"), "{text}");
        let err = HistoryError::Range {
            from: 9,
            to: 3,
            reason: "the first block is after the last".into(),
        };
        assert_eq!(
            err.to_string(),
            "block range 9..=3 is not valid: the first block is after the last"
        );
    }

    #[test]
    fn a_query_defaults_to_everything_up_to_the_best_block() {
        let query = HistoryQuery::new(3, None);
        assert_eq!(query.from_block, 0);
        assert_eq!(query.to_block, None);
        assert_eq!(query.concurrency, DEFAULT_CONCURRENCY);
    }
}
