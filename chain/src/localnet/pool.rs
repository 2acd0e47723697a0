//! The transaction pool: checked transactions waiting for a block, keyed by (sender, nonce),
//! behaving like Substrate's pool where clients can tell.
//!
//! - **Ready / future.** A sender's transactions are ready when their nonces run without a gap
//!   from the account's nonce; the rest wait (future) until the gap fills or the account's
//!   nonce catches up, then they are promoted.
//! - **Refusals** (author RPC codes): a banned hash → 1012, a hash already pooled → 1013, a
//!   second transaction for a pooled (sender, nonce) that does not have a strictly higher
//!   priority → 1014 "Priority is too low: (old vs new)" (a higher one replaces it, the old one
//!   being usurped), a full pool dropping the newcomer → 1016.
//! - **Limits** as Substrate's defaults: 8192 ready transactions / 20 MiB, a tenth of that for
//!   future ones. When over, the worst transaction goes (lowest priority, newest first), a
//!   ready one together with the same sender's later nonces that depend on it.
//! - **Bans.** Like Substrate, hashes of transactions found invalid and of transactions
//!   included in a block are banned for 30 minutes: resubmitting them is refused with 1012
//!   before any validation. Time is passed in (`now`) so behaviour is deterministic.
//! - **Block building** ([`Pool::ready_for_block`]): ready transactions, best priority first,
//!   then oldest first, each sender's in nonce order.
//! - **Events** ([`Pool::take_events`]): status changes for `author_submitAndWatchExtrinsic`
//!   (ready, future, usurped, dropped, invalid); the node adds in-block and finalized.
//!
//! Every map is a `BTreeMap`/`BTreeSet`: iteration, and hence output, order is deterministic.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::time::{Duration, Instant};

use nya_metadata::runtime::types::{AccountId32, H256};

use super::extrinsic::{self, ChainContext, CheckError, Checked, RpcError, codes};
use super::runtime::SignedCall;
use super::state::StorageRead;

/// Size limits and ban time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolLimits {
    /// Most ready transactions.
    pub ready_count: usize,
    /// Most bytes of ready transactions.
    pub ready_bytes: usize,
    /// Most future transactions.
    pub future_count: usize,
    /// Most bytes of future transactions.
    pub future_bytes: usize,
    /// How long a banned hash stays banned.
    pub ban_time: Duration,
    /// Most banned hashes remembered (the soonest to expire are forgotten first).
    pub max_banned: usize,
}

impl Default for PoolLimits {
    /// Substrate's defaults (`--pool-limit 8192 --pool-kbytes 20480`, future a tenth,
    /// 30-minute bans).
    fn default() -> Self {
        PoolLimits {
            ready_count: 8192,
            ready_bytes: 20 * 1024 * 1024,
            future_count: 819,
            future_bytes: 2 * 1024 * 1024,
            ban_time: Duration::from_secs(30 * 60),
            max_banned: 20_480,
        }
    }
}

/// A pooled transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PooledTx {
    /// Transaction hash.
    pub hash: H256,
    /// The extrinsic's bytes (what goes into the block).
    pub encoded: Vec<u8>,
    /// Signer, nonce, tip, call.
    pub call: SignedCall,
    /// Pool priority.
    pub priority: u64,
    /// The last best block number at which it is kept.
    pub valid_till: u64,
    /// Arrival order (ties in priority go to the oldest).
    pub insertion: u64,
}

/// A status change of a pooled transaction, for transaction watchers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolEvent {
    /// It can go into the next block.
    Ready(H256),
    /// It waits for an earlier nonce.
    Future(H256),
    /// Another transaction with the same sender and nonce and a higher priority replaced it.
    Usurped {
        /// The replaced transaction.
        hash: H256,
        /// The replacement.
        by: H256,
    },
    /// The pool dropped it (limits, or removal on request).
    Dropped(H256),
    /// It became invalid (stale nonce, expired era, or found invalid) and was banned.
    Invalid(H256),
}

/// Why the pool refuses a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    /// The hash is banned (found invalid or included recently).
    #[error("transaction {} is temporarily banned", hex_hash(.0))]
    TemporarilyBanned(H256),
    /// The same transaction is already pooled.
    #[error("transaction {} is already in the pool", hex_hash(.0))]
    AlreadyImported(H256),
    /// A transaction with the same sender and nonce is pooled with at least this priority.
    #[error(
        "priority {new} does not beat the pooled transaction's {old} for this sender and nonce"
    )]
    TooLowPriority {
        /// Priority of the pooled transaction.
        old: u64,
        /// Priority of the newcomer.
        new: u64,
    },
    /// The pool is full and the newcomer is the transaction to go.
    #[error("the pool is full and the transaction was dropped")]
    ImmediatelyDropped,
}

impl PoolError {
    /// The author RPC error a Substrate node answers with.
    pub fn rpc_error(&self) -> RpcError {
        match *self {
            PoolError::TemporarilyBanned(_) => RpcError::new(
                codes::POOL_TEMPORARILY_BANNED,
                "Transaction is temporarily banned",
            ),
            PoolError::AlreadyImported(hash) => RpcError::with_data(
                codes::POOL_ALREADY_IMPORTED,
                "Transaction Already Imported",
                hex_hash(&hash),
            ),
            PoolError::TooLowPriority { old, new } => RpcError::with_data(
                codes::POOL_TOO_LOW_PRIORITY,
                format!("Priority is too low: ({old} vs {new})"),
                "The transaction has too low priority to replace another transaction already in the pool.",
            ),
            PoolError::ImmediatelyDropped => RpcError::with_data(
                codes::POOL_IMMEDIATELY_DROPPED,
                "Immediately Dropped",
                "The transaction couldn't enter the pool because of the limit",
            ),
        }
    }
}

/// Why [`Pool::submit_bytes`] refuses what a client submitted.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// Decoding or validation refused it.
    #[error(transparent)]
    Check(#[from] CheckError),
    /// The pool refused it.
    #[error(transparent)]
    Pool(#[from] PoolError),
}

impl SubmitError {
    /// The error `author_submitExtrinsic` answers with.
    pub fn rpc_error(&self) -> RpcError {
        match self {
            SubmitError::Check(error) => error.rpc_error(),
            SubmitError::Pool(error) => error.rpc_error(),
        }
    }

    /// The error `author_submitAndWatchExtrinsic` answers with (see
    /// [`CheckError::rpc_error_watching`]).
    pub fn rpc_error_watching(&self) -> RpcError {
        match self {
            SubmitError::Check(error) => error.rpc_error_watching(),
            SubmitError::Pool(error) => error.rpc_error(),
        }
    }
}

/// `0x` and 64 hex digits, as Substrate's `H256` debug-prints.
fn hex_hash(hash: &H256) -> String {
    format!("0x{}", hex::encode(hash.0))
}

/// A pooled transaction and whether it is ready.
#[derive(Clone, Debug)]
struct Entry {
    tx: PooledTx,
    ready: bool,
}

/// Count and bytes of one queue.
#[derive(Clone, Copy, Debug, Default)]
struct Usage {
    count: usize,
    bytes: usize,
}

impl Usage {
    fn add(&mut self, bytes: usize) {
        self.count += 1;
        self.bytes += bytes;
    }

    fn sub(&mut self, bytes: usize) {
        self.count = self.count.saturating_sub(1);
        self.bytes = self.bytes.saturating_sub(bytes);
    }
}

/// The transaction pool. See the module docs.
#[derive(Debug)]
pub struct Pool {
    limits: PoolLimits,
    entries: BTreeMap<(AccountId32, u32), Entry>,
    by_hash: BTreeMap<H256, (AccountId32, u32)>,
    /// The latest known account nonce of each sender with pooled transactions.
    account_nonce: BTreeMap<AccountId32, u32>,
    ready_usage: Usage,
    future_usage: Usage,
    banned_until: BTreeMap<H256, Instant>,
    ban_expiry: BTreeSet<(Instant, H256)>,
    next_insertion: u64,
    events: Vec<PoolEvent>,
}

impl Default for Pool {
    fn default() -> Self {
        Pool::new(PoolLimits::default())
    }
}

impl Pool {
    /// An empty pool.
    pub fn new(limits: PoolLimits) -> Pool {
        Pool {
            limits,
            entries: BTreeMap::new(),
            by_hash: BTreeMap::new(),
            account_nonce: BTreeMap::new(),
            ready_usage: Usage::default(),
            future_usage: Usage::default(),
            banned_until: BTreeMap::new(),
            ban_expiry: BTreeSet::new(),
            next_insertion: 0,
            events: Vec::new(),
        }
    }

    /// Number of pooled transactions.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the pool is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The pooled transaction with this hash.
    pub fn get(&self, hash: &H256) -> Option<&PooledTx> {
        let key = self.by_hash.get(hash)?;
        self.entries.get(key).map(|entry| &entry.tx)
    }

    /// Whether the pooled transaction with this hash is ready (`None` when not pooled).
    pub fn is_ready(&self, hash: &H256) -> Option<bool> {
        let key = self.by_hash.get(hash)?;
        self.entries.get(key).map(|entry| entry.ready)
    }

    /// Whether `hash` is banned at `now`.
    pub fn is_banned(&self, hash: &H256, now: Instant) -> bool {
        self.banned_until
            .get(hash)
            .is_some_and(|until| *until > now)
    }

    /// Bans `hash` until `now + ban_time`.
    pub fn ban(&mut self, hash: H256, now: Instant) {
        // A ban time past what `Instant` can hold bans until the latest time it can.
        let until = now
            .checked_add(self.limits.ban_time)
            .or_else(|| now.checked_add(Duration::from_secs(u64::from(u32::MAX))))
            .unwrap_or(now);
        if let Some(previous) = self.banned_until.insert(hash, until) {
            self.ban_expiry.remove(&(previous, hash));
        }
        self.ban_expiry.insert((until, hash));
        while self.banned_until.len() > self.limits.max_banned {
            let Some((until, hash)) = self.ban_expiry.pop_first() else {
                break;
            };
            if self.banned_until.get(&hash) == Some(&until) {
                self.banned_until.remove(&hash);
            }
        }
    }

    /// Status changes since the last call, oldest first.
    pub fn take_events(&mut self) -> Vec<PoolEvent> {
        std::mem::take(&mut self.events)
    }

    /// Decodes, validates (against the best block's state) and pools what a client
    /// submitted: the whole of `author_submitExtrinsic` after hex decoding. Banned and
    /// already pooled hashes are refused before validation, as Substrate does, and a
    /// transaction found invalid is banned.
    pub fn submit_bytes(
        &mut self,
        submitted: &[u8],
        chain: &ChainContext,
        state: &impl StorageRead,
        now: Instant,
    ) -> Result<H256, SubmitError> {
        let hash = extrinsic::hash_of(submitted)?;
        self.refuse_known(&hash, now)?;
        match extrinsic::check(submitted, chain, state) {
            Ok(checked) => Ok(self.submit(checked, now)?),
            Err(error) => {
                if error.bans() {
                    self.ban(hash, now);
                }
                Err(error.into())
            }
        }
    }

    /// Pools a transaction [`extrinsic::check`] accepted (against the best block's state,
    /// whose nonce for the signer is `checked.account_nonce`). Returns its hash.
    pub fn submit(&mut self, checked: Checked, now: Instant) -> Result<H256, PoolError> {
        let hash = checked.hash;
        self.refuse_known(&hash, now)?;
        let key = (checked.call.signer, checked.call.nonce);
        let mut events = Vec::new();
        let replaced = match self.entries.get(&key) {
            Some(old) if checked.priority <= old.tx.priority => {
                return Err(PoolError::TooLowPriority {
                    old: old.tx.priority,
                    new: checked.priority,
                });
            }
            Some(old) => Some(old.tx.hash),
            None => None,
        };
        if let Some(old) = replaced {
            self.take_entry(&key);
            events.push(PoolEvent::Usurped {
                hash: old,
                by: hash,
            });
        }

        let sender = key.0;
        let nonce = self.account_nonce.entry(sender).or_insert(0);
        *nonce = (*nonce).max(checked.account_nonce);
        let tx = PooledTx {
            hash,
            encoded: checked.encoded,
            call: checked.call,
            priority: checked.priority,
            valid_till: checked.valid_till,
            insertion: self.next_insertion,
        };
        self.next_insertion += 1;
        self.future_usage.add(tx.encoded.len());
        self.by_hash.insert(hash, key);
        self.entries.insert(key, Entry { tx, ready: false });
        self.refresh_sender(&sender, &mut events);
        if self.entries.get(&key).is_some_and(|entry| !entry.ready) {
            events.push(PoolEvent::Future(hash));
        }

        let dropped = self.enforce_limits();
        let rejected = dropped.contains(&hash);
        if rejected {
            // The newcomer never entered: nothing about it is reported, and what it usurped
            // is simply gone.
            events = events
                .into_iter()
                .filter_map(|event| match event {
                    PoolEvent::Usurped { hash: old, .. } => Some(PoolEvent::Dropped(old)),
                    event if mentions(&event, &hash) => None,
                    event => Some(event),
                })
                .collect();
        }
        events.extend(
            dropped
                .iter()
                .filter(|dropped| **dropped != hash)
                .map(|dropped| PoolEvent::Dropped(*dropped)),
        );
        self.events.extend(events);
        if rejected {
            return Err(PoolError::ImmediatelyDropped);
        }
        Ok(hash)
    }

    /// The ready transactions for a block on a state whose account nonces `nonce_of` gives:
    /// each sender's run of consecutive nonces from its account nonce, merged best priority
    /// first, then oldest first, each sender's in nonce order.
    pub fn ready_for_block(&self, nonce_of: impl Fn(&AccountId32) -> u32) -> Vec<PooledTx> {
        self.ordered(|sender| nonce_of(sender))
            .into_iter()
            .cloned()
            .collect()
    }

    /// The ready transactions in block order, by the account nonces the pool last saw
    /// (`author_pendingExtrinsics`).
    pub fn pending(&self) -> Vec<&PooledTx> {
        self.ordered(|sender| self.account_nonce.get(sender).copied().unwrap_or(0))
    }

    /// The nonce the sender's next transaction should carry (`system_accountNextIndex`):
    /// the account's nonce moved past the pooled transactions that follow it without a gap.
    pub fn next_index(&self, account: &AccountId32, state_nonce: u32) -> u32 {
        let mut next = state_nonce;
        while next < u32::MAX && self.entries.contains_key(&(*account, next)) {
            next += 1;
        }
        next
    }

    /// Removes the transactions with these hashes and, for each, the same sender's later
    /// nonces that depend on it (as Substrate removes a subtree). Returns every removed hash.
    pub fn remove(&mut self, hashes: &[H256]) -> Vec<H256> {
        let removed = self.remove_subtrees(hashes);
        self.events
            .extend(removed.iter().map(|hash| PoolEvent::Dropped(*hash)));
        removed
    }

    /// [`Pool::remove`] for transactions found invalid (e.g. while building a block): they
    /// and their dependents are removed, banned, and reported invalid.
    pub fn remove_invalid(&mut self, hashes: &[H256], now: Instant) -> Vec<H256> {
        let removed = self.remove_subtrees(hashes);
        for hash in &removed {
            self.ban(*hash, now);
            self.events.push(PoolEvent::Invalid(*hash));
        }
        removed
    }

    /// Updates the pool after block `best_number` was imported: removes (and bans) the
    /// transactions it included, removes, bans and reports invalid those whose nonce is now
    /// below the account's (stale) or whose era ended (`valid_till < best_number`), and
    /// promotes future transactions whose gap closed. Returns the hashes found invalid.
    pub fn on_block_imported(
        &mut self,
        best_number: u32,
        included: &[H256],
        nonce_of: impl Fn(&AccountId32) -> u32,
        now: Instant,
    ) -> Vec<H256> {
        for hash in included {
            if let Some(key) = self.by_hash.get(hash).copied() {
                self.take_entry(&key);
            }
            self.ban(*hash, now);
        }
        let senders: Vec<AccountId32> = self.account_nonce.keys().copied().collect();
        let mut invalid = Vec::new();
        for sender in &senders {
            let nonce = nonce_of(sender);
            self.account_nonce.insert(*sender, nonce);
            let stale: Vec<H256> = self
                .entries
                .range((*sender, 0)..(*sender, nonce))
                .map(|(_, entry)| entry.tx.hash)
                .collect();
            for hash in stale {
                if let Some(key) = self.by_hash.get(&hash).copied() {
                    self.take_entry(&key);
                    invalid.push(hash);
                }
            }
        }
        let expired: Vec<H256> = self
            .entries
            .values()
            .filter(|entry| entry.tx.valid_till < u64::from(best_number))
            .map(|entry| entry.tx.hash)
            .collect();
        invalid.extend(self.remove_subtrees(&expired));
        for hash in &invalid {
            self.ban(*hash, now);
            self.events.push(PoolEvent::Invalid(*hash));
        }
        let mut events = Vec::new();
        for sender in &senders {
            self.refresh_sender(sender, &mut events);
        }
        self.events.extend(events);
        self.forget_expired_bans(now);
        invalid
    }

    /// Refuses a banned or already pooled hash.
    fn refuse_known(&self, hash: &H256, now: Instant) -> Result<(), PoolError> {
        if self.is_banned(hash, now) {
            return Err(PoolError::TemporarilyBanned(*hash));
        }
        if self.by_hash.contains_key(hash) {
            return Err(PoolError::AlreadyImported(*hash));
        }
        Ok(())
    }

    /// Ready transactions in block order, for account nonces `nonce_of`.
    fn ordered(&self, nonce_of: impl Fn(&AccountId32) -> u32) -> Vec<&PooledTx> {
        // Heap of each sender's next ready transaction: (priority, oldest, sender, nonce).
        let mut heads = BinaryHeap::new();
        for sender in self.account_nonce.keys() {
            let nonce = nonce_of(sender);
            if let Some(entry) = self.entries.get(&(*sender, nonce)) {
                heads.push((
                    entry.tx.priority,
                    Reverse(entry.tx.insertion),
                    *sender,
                    nonce,
                ));
            }
        }
        let mut out = Vec::new();
        while let Some((_, _, sender, nonce)) = heads.pop() {
            let Some(entry) = self.entries.get(&(sender, nonce)) else {
                continue;
            };
            out.push(&entry.tx);
            let Some(next) = nonce.checked_add(1) else {
                continue;
            };
            if let Some(next_entry) = self.entries.get(&(sender, next)) {
                heads.push((
                    next_entry.tx.priority,
                    Reverse(next_entry.tx.insertion),
                    sender,
                    next,
                ));
            }
        }
        out
    }

    /// Recomputes which of `sender`'s transactions are ready, keeping the usage counters
    /// right and reporting transactions that changed queue.
    fn refresh_sender(&mut self, sender: &AccountId32, events: &mut Vec<PoolEvent>) {
        let mut expected = self.account_nonce.get(sender).copied().unwrap_or(0);
        let mut gap = false;
        for (&(_, nonce), entry) in self.entries.range_mut((*sender, 0)..=(*sender, u32::MAX)) {
            let ready = if !gap && nonce == expected {
                expected = expected.saturating_add(1);
                true
            } else {
                // Stale entries (below the account nonce) wait for pruning; they are not ready.
                gap |= nonce > expected;
                false
            };
            if ready == entry.ready {
                continue;
            }
            let len = entry.tx.encoded.len();
            if ready {
                self.future_usage.sub(len);
                self.ready_usage.add(len);
                events.push(PoolEvent::Ready(entry.tx.hash));
            } else {
                self.ready_usage.sub(len);
                self.future_usage.add(len);
                events.push(PoolEvent::Future(entry.tx.hash));
            }
            entry.ready = ready;
        }
    }

    /// Removes one entry, keeping the indexes and counters right.
    fn take_entry(&mut self, key: &(AccountId32, u32)) -> Option<PooledTx> {
        let entry = self.entries.remove(key)?;
        self.by_hash.remove(&entry.tx.hash);
        let len = entry.tx.encoded.len();
        if entry.ready {
            self.ready_usage.sub(len);
        } else {
            self.future_usage.sub(len);
        }
        let sender = key.0;
        let sender_has_more = self
            .entries
            .range((sender, 0)..=(sender, u32::MAX))
            .next()
            .is_some();
        if !sender_has_more {
            self.account_nonce.remove(&sender);
        }
        Some(entry.tx)
    }

    /// Removes each transaction and the same sender's consecutive later nonces.
    fn remove_subtrees(&mut self, hashes: &[H256]) -> Vec<H256> {
        let mut removed = Vec::new();
        for hash in hashes {
            let Some(&(sender, mut nonce)) = self.by_hash.get(hash) else {
                continue;
            };
            while let Some(tx) = self.take_entry(&(sender, nonce)) {
                removed.push(tx.hash);
                let Some(next) = nonce.checked_add(1) else {
                    break;
                };
                nonce = next;
            }
        }
        removed
    }

    /// Drops the worst transactions until both queues are within limits; returns them.
    fn enforce_limits(&mut self) -> Vec<H256> {
        let mut dropped = Vec::new();
        while self.ready_usage.count > self.limits.ready_count
            || self.ready_usage.bytes > self.limits.ready_bytes
        {
            let Some(worst) = self.worst(true) else {
                break;
            };
            dropped.extend(self.remove_subtrees(&[worst]));
        }
        while self.future_usage.count > self.limits.future_count
            || self.future_usage.bytes > self.limits.future_bytes
        {
            let Some(worst) = self.worst(false) else {
                break;
            };
            if let Some(key) = self.by_hash.get(&worst).copied() {
                self.take_entry(&key);
            }
            dropped.push(worst);
        }
        dropped
    }

    /// The lowest-priority, newest transaction of the ready or the future queue.
    fn worst(&self, ready: bool) -> Option<H256> {
        self.entries
            .values()
            .filter(|entry| entry.ready == ready)
            .min_by_key(|entry| (entry.tx.priority, Reverse(entry.tx.insertion)))
            .map(|entry| entry.tx.hash)
    }

    /// Forgets bans that have expired.
    fn forget_expired_bans(&mut self, now: Instant) {
        while let Some(&(until, hash)) = self.ban_expiry.first() {
            if until > now {
                break;
            }
            self.ban_expiry.pop_first();
            if self.banned_until.get(&hash) == Some(&until) {
                self.banned_until.remove(&hash);
            }
        }
    }
}

/// Whether `event` is about `hash`.
fn mentions(event: &PoolEvent, hash: &H256) -> bool {
    match event {
        PoolEvent::Ready(h)
        | PoolEvent::Future(h)
        | PoolEvent::Dropped(h)
        | PoolEvent::Invalid(h) => h == hash,
        PoolEvent::Usurped { hash: h, by } => h == hash || by == hash,
    }
}

#[cfg(test)]
mod tests;
