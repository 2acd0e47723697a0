//! The chain: one store, one transaction pool, one runtime, and the block producer that ties
//! them together. Every block is final the moment it is stored (there is one author and no
//! forks), and it is durable on disk before anyone hears of it.
//!
//! Runtimes: the state after each block holds one runtime (finney spec 365 or 393, recorded
//! with the block); it answers runtime API calls at that block, validates transactions for the
//! next one and builds it, and a scheduled upgrade switches it ([`super::spec`]).
//!
//! Locking: one mutex around the store and pool. Block production holds it while it builds,
//! commits (fsync) and prunes, so readers see either the old head or the new one, never half.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nya_metadata::runtime::calls::{RuntimeEvent, SystemEvent};
use nya_metadata::runtime::items::SYSTEM_EVENTS;
use nya_metadata::runtime::types::{AccountId32, EventRecord, H256, Phase};
use tokio::sync::{broadcast, mpsc};

use super::block::{self, Block, Digest, DigestItem, Header};
use super::extrinsic::{self, ChainContext, CheckError, RpcError, codes};
use super::genesis::{GenesisConfig, GenesisError};
use super::pool::{Pool, PoolEvent, PoolLimits};
use super::rpc::{BackendError, ChainBackend, SubmitError, TxStatus};
use super::runtime::{self, ApplyOutcome};
use super::runtime_api::{self, RuntimeApiError};
use super::spec::{BlockRuntime, RuntimeSpec, SpecHistory, genesis_runtime};
use super::state::{MemoryState, Overlay, StorageRead};
use super::store::{Store, StoreError, StoredBlock};

/// Why the node could not start or make a block.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The store failed (disk, corruption).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The genesis file is invalid.
    #[error(transparent)]
    Genesis(#[from] GenesisError),
    /// A storage value did not decode (a damaged store).
    #[error(transparent)]
    Corrupt(#[from] super::state::CorruptValue),
    /// A lock was poisoned by a panic in another thread.
    #[error("the localnet's state lock was poisoned by an earlier panic")]
    Poisoned,
    /// An unknown block hash.
    #[error("unknown block 0x{0}")]
    UnknownBlock(String),
    /// A stored block records a runtime this localnet does not have.
    #[error("block {block} records spec version {spec_version}, which this localnet cannot run")]
    UnknownSpec {
        /// The block.
        block: u32,
        /// Its recorded spec version.
        spec_version: u32,
    },
    /// The stored chain's runtime goes back to an older one (runtimes only move forward).
    #[error("the stored chain goes back from spec {from} at genesis to spec {to} at block {block}")]
    SpecDowngrade {
        /// The genesis spec version.
        from: u32,
        /// The later, older spec version.
        to: u32,
        /// The block that records it.
        block: u32,
    },
    /// An upgrade scheduled at genesis, which has no runtime before it.
    #[error("a runtime upgrade cannot be scheduled at block 0; the first block it can enact is 1")]
    UpgradeAtGenesis,
}

/// How to build the node.
#[derive(Clone, Debug, Default)]
pub struct NodeConfig {
    /// Where the chain is persisted; `None` keeps it in memory.
    pub data_dir: Option<PathBuf>,
    /// The genesis (used only when the data dir holds no chain yet).
    pub genesis: GenesisConfig,
    /// Block time, for the Aura slot in each header's digest.
    pub block_time_ms: u64,
    /// Block that enacts a runtime upgrade from spec 365 (run from genesis) to spec 393; `None`
    /// runs spec 393 from genesis. See [`super::spec`].
    pub upgrade_at: Option<u32>,
}

/// Bytes of extrinsics one block takes (finney's normal-class block length, 5 MiB × 75%).
const MAX_BLOCK_BYTES: usize = 3_932_160;

struct Inner {
    store: Store,
    pool: Pool,
    /// Watchers of submitted transactions, by transaction hash.
    watchers: BTreeMap<H256, Vec<mpsc::UnboundedSender<TxStatus>>>,
    /// The runtime each stored block's state holds.
    specs: SpecHistory,
}

/// The localnet chain.
pub struct Node {
    inner: Mutex<Inner>,
    genesis_hash: H256,
    block_time_ms: u64,
    heads: broadcast::Sender<Header>,
    /// Block that enacts the scheduled runtime upgrade, if one is scheduled.
    upgrade_at: Option<u32>,
}

impl Node {
    /// Opens (or creates, from the genesis) the chain.
    pub fn open(config: &NodeConfig) -> Result<Arc<Node>, NodeError> {
        if config.upgrade_at == Some(0) {
            return Err(NodeError::UpgradeAtGenesis);
        }
        let mut store = Store::open(config.data_dir.as_deref())?;
        if store.best().is_none() {
            let state = config.genesis.build()?;
            let header = genesis_header(&state);
            let hash = header.hash();
            let genesis = StoredBlock {
                number: 0,
                hash,
                header,
                extrinsics: Vec::new(),
                spec_version: genesis_runtime(config.upgrade_at).spec_version(),
            };
            let changes = state.0.into_iter().map(|(k, v)| (k, Some(v))).collect();
            store.commit_block(&genesis, &changes)?;
        }
        let genesis_hash = store
            .hash_of(0)?
            .ok_or_else(|| NodeError::UnknownBlock("genesis".into()))?;
        let specs = spec_history(&store)?;
        let (heads, _) = broadcast::channel(256);
        Ok(Arc::new(Node {
            inner: Mutex::new(Inner {
                store,
                pool: Pool::new(PoolLimits::default()),
                watchers: BTreeMap::new(),
                specs,
            }),
            genesis_hash,
            block_time_ms: config.block_time_ms.max(1),
            heads,
            upgrade_at: config.upgrade_at,
        }))
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, NodeError> {
        self.inner.lock().map_err(|_| NodeError::Poisoned)
    }

    /// The genesis block's hash.
    pub fn genesis_hash(&self) -> H256 {
        self.genesis_hash
    }

    /// Number and hash of the best (and finalized) block.
    pub fn best(&self) -> Result<(u32, H256), NodeError> {
        let inner = self.lock()?;
        inner
            .store
            .best()
            .ok_or_else(|| NodeError::UnknownBlock("best".into()))
    }

    /// New best (and finalized) headers as blocks are made.
    pub fn subscribe_heads(&self) -> broadcast::Receiver<Header> {
        self.heads.subscribe()
    }

    /// Runs `f` on the store under the lock.
    pub fn with_store<T>(&self, f: impl FnOnce(&Store) -> T) -> Result<T, NodeError> {
        let inner = self.lock()?;
        Ok(f(&inner.store))
    }

    /// Block number of `at`, or of the best block when `None`.
    fn number_at(store: &Store, at: Option<H256>) -> Result<u32, NodeError> {
        match at {
            None => store
                .best()
                .map(|(n, _)| n)
                .ok_or_else(|| NodeError::UnknownBlock("best".into())),
            Some(hash) => store
                .number_of(&hash)?
                .ok_or_else(|| NodeError::UnknownBlock(hex::encode(hash.0))),
        }
    }

    /// Runs `f` on the state at block `at` (best when `None`).
    pub fn with_state<T>(
        &self,
        at: Option<H256>,
        f: impl FnOnce(&dyn StorageRead, u32) -> T,
    ) -> Result<T, NodeError> {
        self.with_runtime_state(at, |state, number, _| f(state, number))
    }

    /// [`Node::with_state`], also passing the runtime in that state.
    fn with_runtime_state<T>(
        &self,
        at: Option<H256>,
        f: impl FnOnce(&dyn StorageRead, u32, RuntimeSpec) -> T,
    ) -> Result<T, NodeError> {
        let inner = self.lock()?;
        let number = Self::number_at(&inner.store, at)?;
        let state = inner.store.state_at(number)?;
        let result = f(&state, number, inner.specs.at(number));
        // A damaged row reads as absent inside `f`; report it instead of a wrong answer.
        match state.take_error() {
            Some(err) => Err(err.into()),
            None => Ok(result),
        }
    }

    /// A runtime API call (`state_call`) at block `at`, run by the runtime in that block's
    /// state (so `Core_version` and `Metadata_*` answer with that block's version).
    pub fn call(
        &self,
        at: Option<H256>,
        method: &str,
        args: &[u8],
    ) -> Result<Result<Vec<u8>, RuntimeApiError>, NodeError> {
        self.with_runtime_state(at, |state, number, spec| {
            runtime_api::call_for(spec, state, method, args, number)
        })
    }

    /// The runtime in the state after block `at` (the best block when `None`).
    pub fn runtime_at(&self, at: Option<H256>) -> Result<RuntimeSpec, NodeError> {
        let inner = self.lock()?;
        let number = Self::number_at(&inner.store, at)?;
        Ok(inner.specs.at(number))
    }

    /// The context transactions are checked in: the next block on top of `best`, built by
    /// `runtime`, whose spec and transaction versions they must be signed for.
    fn chain_context(runtime: RuntimeSpec, best_number: u32, best_hash: H256) -> ChainContext {
        let version = runtime.runtime_version();
        ChainContext {
            spec_version: version.spec_version,
            transaction_version: version.transaction_version,
            best_number,
            best_hash,
        }
    }

    /// Checks a transaction against the best state and puts it in the pool; returns its hash.
    /// The optional watcher (`author_submitAndWatchExtrinsic`) hears its status changes.
    pub fn submit(
        &self,
        bytes: Vec<u8>,
        watcher: Option<mpsc::UnboundedSender<TxStatus>>,
    ) -> Result<H256, RpcError> {
        let mut guard = self
            .lock()
            .map_err(|e| RpcError::new(codes::OTHER_ERR, e.to_string()))?;
        let inner = &mut *guard;
        let (best_number, best_hash) = inner
            .store
            .best()
            .ok_or_else(|| RpcError::new(codes::OTHER_ERR, "the chain has no best block"))?;
        // Validation runs as if in the next block, where BlockHash(best) is already set
        // (frame's validate_transaction initialises the block first).
        let mut overlay = Overlay::new(inner.store.head());
        runtime::note_parent(&mut overlay, best_number + 1, best_hash);
        let spec = inner.specs.at(best_number);
        if let Err(refused) = refuse_unknown_call(spec, &bytes) {
            return Err(refused.rpc_error());
        }
        let context = Self::chain_context(spec, best_number, best_hash);
        let submitted = inner
            .pool
            .submit_bytes(&bytes, &context, &overlay, Instant::now());
        let hash = match submitted {
            Ok(hash) => hash,
            Err(err) if watcher.is_some() => return Err(err.rpc_error_watching()),
            Err(err) => return Err(err.rpc_error()),
        };
        if let Some(watcher) = watcher {
            let status = match inner.pool.is_ready(&hash) {
                Some(false) => TxStatus::Future,
                _ => TxStatus::Ready,
            };
            let _ = watcher.send(status);
            inner.watchers.entry(hash).or_default().push(watcher);
        }
        // The watcher already heard Ready/Future; drop the pool's copy of that news.
        forward_pool_events(inner, true);
        Ok(hash)
    }

    /// The next nonce for `account`, counting its transactions in the pool.
    pub fn account_next_index(&self, account: &AccountId32) -> Result<u32, NodeError> {
        let inner = self.lock()?;
        let nonce = runtime::system::account(inner.store.head(), account)?.nonce;
        Ok(inner.pool.next_index(account, nonce))
    }

    /// Encoded extrinsics waiting in the pool, in block order.
    pub fn pending_extrinsics(&self) -> Result<Vec<Vec<u8>>, NodeError> {
        Ok(self
            .lock()?
            .pool
            .pending()
            .into_iter()
            .map(|tx| tx.encoded.clone())
            .collect())
    }

    /// Makes `count` blocks now; returns their hashes.
    pub fn produce_blocks(&self, count: u32) -> Result<Vec<H256>, NodeError> {
        (0..count).map(|_| self.produce_block()).collect()
    }

    /// Builds, stores (durably) and announces one block with the ready transactions.
    pub fn produce_block(&self) -> Result<H256, NodeError> {
        let mut guard = self.lock()?;
        let inner = &mut *guard;
        let (parent_number, parent_hash) = inner
            .store
            .best()
            .ok_or_else(|| NodeError::UnknownBlock("best".into()))?;
        let number = parent_number + 1;
        let parent = inner
            .store
            .block_by_number(parent_number)?
            .ok_or_else(|| NodeError::UnknownBlock(parent_number.to_string()))?;

        let head = inner.store.head();
        let mut overlay = Overlay::new(head);
        let mut events: Vec<EventRecord<RuntimeEvent>> = Vec::new();
        runtime::note_parent(&mut overlay, number, parent_hash);
        runtime::initialize_block(&mut overlay, number, &mut events)?;
        let runtimes =
            BlockRuntime::of_block(inner.specs.at(parent_number), number, self.upgrade_at);
        if runtimes.upgrades() {
            // What `System.set_code` records when a scheduled upgrade is enacted.
            events.push(EventRecord {
                phase: Phase::Initialization,
                event: RuntimeEvent::System(SystemEvent::CodeUpdated),
                topics: Vec::new(),
            });
        }

        let context = Self::chain_context(runtimes.builds, parent_number, parent_hash);
        let candidates = inner.pool.ready_for_block(|who| nonce_of(head, who));
        let mut included: Vec<(H256, Vec<u8>)> = Vec::new();
        let mut invalid = Vec::new();
        let mut block_len = 0usize;
        // Like substrate's block author, stop taking transactions at a deadline (half the block
        // time) so a backlog spreads over blocks instead of holding the lock for one long block.
        let deadline = Instant::now() + Duration::from_millis(self.block_time_ms / 2);
        for tx in candidates {
            if block_len + tx.encoded.len() > MAX_BLOCK_BYTES
                || (!included.is_empty() && Instant::now() >= deadline)
            {
                break;
            }
            // Re-check against the block so far: an earlier transaction may have spent the
            // balance this one's fee needs, or used its nonce.
            match extrinsic::check_for_block(&tx.encoded, &context, &overlay) {
                Ok(checked) if !runtimes.builds.has_call(&checked.call.call) => {
                    tracing::debug!(tx = %hex::encode(tx.hash.0), "dropping a call the runtime lacks");
                    invalid.push(tx.hash);
                }
                Ok(checked) => {
                    let index = u32::try_from(included.len()).unwrap_or(u32::MAX);
                    let outcome = runtime::apply_extrinsic(
                        &mut overlay,
                        number,
                        index,
                        checked.call,
                        &mut events,
                    )?;
                    if let ApplyOutcome::Failed(err) = &outcome {
                        tracing::debug!(tx = %hex::encode(tx.hash.0), ?err, "extrinsic failed");
                    }
                    block_len += tx.encoded.len();
                    included.push((tx.hash, tx.encoded));
                }
                Err(err) => {
                    tracing::debug!(tx = %hex::encode(tx.hash.0), %err, "dropping invalid transaction");
                    invalid.push(tx.hash);
                }
            }
        }
        // An older runtime writes its events in its own numbering.
        let old_events = (runtimes.builds != RuntimeSpec::LATEST)
            .then(|| runtimes.builds.encode_events(&events));
        runtime::finalize_block(&mut overlay, number, events);
        if let Some(encoded) = old_events {
            overlay.set_raw(runtime::system::item_prefix(SYSTEM_EVENTS), encoded);
            overlay.commit_layer();
        }
        let changes = overlay.into_changes();

        let extrinsics: Vec<Vec<u8>> = included.iter().map(|(_, b)| b.clone()).collect();
        let header = Header {
            parent_hash,
            number,
            state_root: block::state_root(&parent.header.state_root, &changes),
            extrinsics_root: block::extrinsics_root(&extrinsics),
            digest: Digest {
                logs: digest_logs(self.aura_slot(), runtimes.upgrades()),
            },
        };
        let hash = header.hash();
        let stored = StoredBlock {
            number,
            hash,
            header: header.clone(),
            extrinsics,
            spec_version: runtimes.after.spec_version(),
        };
        inner.store.commit_block(&stored, &changes)?;
        inner.specs.record(number, runtimes.after);

        // Durable: now tell the pool, the watchers and the subscribers.
        let now = Instant::now();
        let included_hashes: Vec<H256> = included.iter().map(|(h, _)| *h).collect();
        inner.pool.remove_invalid(&invalid, now);
        let head = inner.store.head();
        inner
            .pool
            .on_block_imported(number, &included_hashes, |who| nonce_of(head, who), now);
        for tx in &included_hashes {
            if let Some(watchers) = inner.watchers.remove(tx) {
                for w in watchers {
                    let _ = w.send(TxStatus::InBlock(hash));
                    let _ = w.send(TxStatus::Finalized(hash));
                }
            }
        }
        forward_pool_events(inner, false);
        drop(guard);
        let _ = self.heads.send(header);
        Ok(hash)
    }

    /// The Aura slot for a block made now.
    fn aura_slot(&self) -> u64 {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0);
        block::aura_slot(now_ms, self.block_time_ms)
    }
}

/// A block's digest: the Aura pre-runtime slot, then, in a block that enacts a runtime
/// upgrade, `RuntimeEnvironmentUpdated` (what `System.set_code` deposits).
fn digest_logs(slot: u64, upgrades: bool) -> Vec<DigestItem> {
    let mut logs = vec![DigestItem::aura_pre_runtime(slot)];
    if upgrades {
        logs.push(DigestItem::RuntimeEnvironmentUpdated);
    }
    logs
}

/// Refuses an extrinsic whose call `runtime` does not have (a call added in a later spec),
/// as that runtime's own decoding would. Bytes that do not decode are left to the pool's
/// check, which reports them.
fn refuse_unknown_call(runtime: RuntimeSpec, submitted: &[u8]) -> Result<(), CheckError> {
    if runtime == RuntimeSpec::LATEST {
        return Ok(());
    }
    let decoded = extrinsic::extrinsic_bytes(submitted).and_then(extrinsic::decode_extrinsic);
    match decoded {
        Ok(xt) if !runtime.has_call(&xt.call) => Err(CheckError::Undecodable(format!(
            "Could not decode `Call`, variant doesn't exist in spec {}",
            runtime.spec_version()
        ))),
        _ => Ok(()),
    }
}

/// Which runtime each stored block's state holds, read back from the store: the genesis
/// block's and the best block's, and where they differ, the first block with the best's
/// (found by bisection: runtimes only move forward).
fn spec_history(store: &Store) -> Result<SpecHistory, NodeError> {
    let spec_of = |number: u32| -> Result<RuntimeSpec, NodeError> {
        let block = store
            .block_by_number(number)?
            .ok_or_else(|| NodeError::UnknownBlock(number.to_string()))?;
        RuntimeSpec::from_spec_version(block.spec_version).ok_or(NodeError::UnknownSpec {
            block: number,
            spec_version: block.spec_version,
        })
    };
    let (best, _) = store
        .best()
        .ok_or_else(|| NodeError::UnknownBlock("best".into()))?;
    let genesis = spec_of(0)?;
    let latest = spec_of(best)?;
    if latest < genesis {
        return Err(NodeError::SpecDowngrade {
            from: genesis.spec_version(),
            to: latest.spec_version(),
            block: best,
        });
    }
    if latest == genesis {
        return Ok(SpecHistory {
            genesis,
            upgraded_at: None,
        });
    }
    // Invariant: block `high` holds `latest`, blocks before `low` do not.
    let (mut low, mut high) = (1, best);
    while low < high {
        let middle = low + (high - low) / 2;
        if spec_of(middle)? == latest {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    Ok(SpecHistory {
        genesis,
        upgraded_at: Some(high),
    })
}

/// The account nonce of `who` in `state` (0 for a damaged record: the pool then keeps the
/// transaction until the block check refuses it).
fn nonce_of(state: &MemoryState, who: &AccountId32) -> u32 {
    runtime::system::account(state, who)
        .map(|a| a.nonce)
        .unwrap_or(0)
}

/// Passes the pool's status changes to the transactions' watchers; a final status ends the
/// watch. `skip_admission` drops Ready/Future news the submitter already sent.
fn forward_pool_events(inner: &mut Inner, skip_admission: bool) {
    for event in inner.pool.take_events() {
        let (hash, status) = match event {
            PoolEvent::Ready(_) | PoolEvent::Future(_) if skip_admission => continue,
            PoolEvent::Ready(hash) => (hash, TxStatus::Ready),
            PoolEvent::Future(hash) => (hash, TxStatus::Future),
            PoolEvent::Usurped { hash, by } => (hash, TxStatus::Usurped(by)),
            PoolEvent::Dropped(hash) => (hash, TxStatus::Dropped),
            PoolEvent::Invalid(hash) => (hash, TxStatus::Invalid),
        };
        let done = status.is_final();
        if let Some(watchers) = inner.watchers.get_mut(&hash) {
            watchers.retain(|w| w.send(status.clone()).is_ok());
        }
        if done {
            inner.watchers.remove(&hash);
        }
    }
}

/// The genesis header: no parent, the genesis state's root, no extrinsics.
fn genesis_header(state: &MemoryState) -> Header {
    let changes: BTreeMap<Vec<u8>, Option<Vec<u8>>> = state
        .0
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    Header {
        parent_hash: H256::default(),
        number: 0,
        state_root: block::state_root(&H256::default(), &changes),
        extrinsics_root: block::extrinsics_root(&[]),
        digest: Digest { logs: Vec::new() },
    }
}

/// The RPC server's view of the chain.
impl ChainBackend for Node {
    fn genesis_hash(&self) -> H256 {
        self.genesis_hash
    }

    fn best(&self) -> Result<(u32, H256), BackendError> {
        Node::best(self).map_err(internal)
    }

    fn finalized(&self) -> Result<(u32, H256), BackendError> {
        // One author, no forks: every block is final once stored.
        Node::best(self).map_err(internal)
    }

    fn block_hash(&self, number: u32) -> Result<Option<H256>, BackendError> {
        self.with_store(|store| store.hash_of(number))
            .map_err(internal)?
            .map_err(|e| BackendError::Internal(e.to_string()))
    }

    fn block(&self, hash: H256) -> Result<Option<Block>, BackendError> {
        let stored = self
            .with_store(|store| store.block_by_hash(&hash))
            .map_err(internal)?
            .map_err(|e| BackendError::Internal(e.to_string()))?;
        Ok(stored.map(|b| Block {
            header: b.header,
            extrinsics: b.extrinsics,
        }))
    }

    fn with_state<T, F>(&self, at: H256, read: F) -> Result<T, BackendError>
    where
        F: FnOnce(&dyn StorageRead) -> T,
    {
        Node::with_state(self, Some(at), |state, _| read(state)).map_err(|e| match e {
            NodeError::UnknownBlock(_) => BackendError::UnknownBlock(at),
            e => internal(e),
        })
    }

    fn call(&self, at: H256, method: &str, args: &[u8]) -> Result<Vec<u8>, BackendError> {
        match Node::call(self, Some(at), method, args) {
            Ok(Ok(bytes)) => Ok(bytes),
            Ok(Err(err)) => Err(BackendError::Execution(err.to_string())),
            Err(NodeError::UnknownBlock(_)) => Err(BackendError::UnknownBlock(at)),
            Err(err) => Err(internal(err)),
        }
    }

    fn submit(
        &self,
        extrinsic: Vec<u8>,
        watcher: Option<mpsc::UnboundedSender<TxStatus>>,
    ) -> Result<H256, SubmitError> {
        Node::submit(self, extrinsic, watcher).map_err(|e| SubmitError {
            code: e.code,
            message: e.message,
            data: e.data,
        })
    }

    fn pending_extrinsics(&self) -> Result<Vec<Vec<u8>>, BackendError> {
        Node::pending_extrinsics(self).map_err(internal)
    }

    fn account_next_index(&self, account: &AccountId32) -> Result<u32, BackendError> {
        Node::account_next_index(self, account).map_err(internal)
    }

    fn subscribe_best_heads(&self) -> broadcast::Receiver<Header> {
        self.subscribe_heads()
    }

    fn subscribe_finalized_heads(&self) -> broadcast::Receiver<Header> {
        self.subscribe_heads()
    }

    fn produce_blocks(&self, count: u32) -> Result<Vec<H256>, BackendError> {
        Node::produce_blocks(self, count).map_err(internal)
    }
}

fn internal(err: NodeError) -> BackendError {
    BackendError::Internal(err.to_string())
}

#[cfg(test)]
mod tests;
