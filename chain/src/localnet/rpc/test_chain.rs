//! Test fixture: `TestChain`, a small in-memory chain implementing [`ChainBackend`] so the RPC
//! server can be driven over real sockets without the node. Not production code.
//!
//! What it does, deliberately simple but real enough for every RPC shape:
//! - blocks 0..=best with headers built by `block.rs` (Aura pre-runtime digest, roots), each
//!   with a full copy of its state (a `MemoryState`);
//! - every block writes `System.Number` (so subxt can read it) and a per-block counter key;
//! - `Core_version` reads the spec version from the state (`:test:spec` key), so a scheduled
//!   upgrade changes the runtime version from one block on; `Metadata_*` serve the mirror;
//! - `submit` accepts any SCALE `Vec<u8>`-framed extrinsic starting with `0x84` (a v4 signed
//!   extrinsic's first byte), refuses others with `1001` and duplicates with `1013`, as the
//!   real pool's errors look; watchers get `ready`, then `inBlock` and `finalized`.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, OnceLock};

use nya_metadata::runtime::build::{mirror_prefixed, mirror_prefixed_v14};
use nya_metadata::runtime::types::{AccountId32, H256};
use parity_scale_codec::{Decode, DecodeAll, Encode};
use tokio::sync::{broadcast, mpsc};

use super::{BackendError, ChainBackend, SubmitError, TxStatus};
use crate::localnet::block::{self, Block, Digest, DigestItem, Header};
use crate::localnet::state::{MemoryState, StorageRead, key};

/// Where the fixture keeps its spec version.
pub const SPEC_KEY: &[u8] = b":test:spec";
/// A key every block rewrites with its number, to watch with `state_subscribeStorage`.
pub const COUNTER_KEY: &[u8] = b"test:counter";
/// A key that never changes after genesis.
pub const CONSTANT_KEY: &[u8] = b"test:constant";
/// The genesis spec version.
pub const GENESIS_SPEC: u32 = 393;

/// `twox128("System") ++ twox128("Number")`.
pub fn system_number_key() -> Vec<u8> {
    key::prefix("System", "Number")
}

struct Stored {
    block: Block,
    hash: H256,
    state: MemoryState,
}

struct Inner {
    blocks: Vec<Stored>,
    by_hash: BTreeMap<H256, usize>,
    pool: Vec<(H256, Vec<u8>)>,
    watchers: BTreeMap<H256, mpsc::UnboundedSender<TxStatus>>,
    nonces: BTreeMap<AccountId32, u32>,
    upgrade_to: Option<u32>,
}

/// The fixture chain.
pub struct TestChain {
    inner: Mutex<Inner>,
    genesis: H256,
    heads: broadcast::Sender<Header>,
}

impl TestChain {
    /// A chain with only its genesis block.
    pub fn new() -> TestChain {
        let mut state = MemoryState::default();
        state.0.insert(SPEC_KEY.to_vec(), GENESIS_SPEC.encode());
        state.0.insert(CONSTANT_KEY.to_vec(), vec![0xc0, 0xde]);
        state.0.insert(COUNTER_KEY.to_vec(), 0u32.encode());
        state.0.insert(system_number_key(), 0u32.encode());
        for (i, name) in ["a", "ab", "abc", "b"].iter().enumerate() {
            state.0.insert(
                format!("test:keys:{name}").into_bytes(),
                vec![i as u8; i + 1],
            );
        }
        let header = header_for(H256::default(), 0, &H256::default(), &state, &[]);
        let hash = header.hash();
        let genesis = Stored {
            block: Block {
                header,
                extrinsics: Vec::new(),
            },
            hash,
            state,
        };
        let (heads, _) = broadcast::channel(64);
        TestChain {
            inner: Mutex::new(Inner {
                blocks: vec![genesis],
                by_hash: BTreeMap::from([(hash, 0)]),
                pool: Vec::new(),
                watchers: BTreeMap::new(),
                nonces: BTreeMap::new(),
                upgrade_to: None,
            }),
            genesis: hash,
            heads,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A poisoned fixture lock means an earlier test assertion panicked inside it.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sets the state nonce `account_next_index` reports.
    pub fn set_nonce(&self, account: AccountId32, nonce: u32) {
        self.lock().nonces.insert(account, nonce);
    }

    /// The next block switches to spec version `spec`.
    pub fn schedule_upgrade(&self, spec: u32) {
        self.lock().upgrade_to = Some(spec);
    }

    /// The hash of block `number` (panics if missing: tests only).
    pub fn hash_of(&self, number: u32) -> H256 {
        let inner = self.lock();
        inner.blocks[number as usize].hash
    }

    /// The header of block `number` (panics if missing: tests only).
    pub fn header_of(&self, number: u32) -> Header {
        let inner = self.lock();
        inner.blocks[number as usize].block.header.clone()
    }

    fn produce_one(&self) -> H256 {
        let mut inner = self.lock();
        let parent = match inner.blocks.last() {
            Some(parent) => parent,
            None => unreachable!("the fixture always has its genesis block"),
        };
        let number = parent.block.header.number + 1;
        let parent_hash = parent.hash;
        let parent_root = parent.block.header.state_root;
        let mut state = MemoryState(parent.state.0.clone());
        state.0.insert(system_number_key(), number.encode());
        state.0.insert(COUNTER_KEY.to_vec(), number.encode());
        if let Some(spec) = inner.upgrade_to.take() {
            state.0.insert(SPEC_KEY.to_vec(), spec.encode());
        }
        let included: Vec<(H256, Vec<u8>)> = std::mem::take(&mut inner.pool);
        let extrinsics: Vec<Vec<u8>> = included.iter().map(|(_, x)| x.clone()).collect();
        let header = header_for(parent_hash, number, &parent_root, &state, &extrinsics);
        let hash = header.hash();
        for (tx, _) in &included {
            if let Some(watcher) = inner.watchers.remove(tx) {
                let _ = watcher.send(TxStatus::InBlock(hash));
                let _ = watcher.send(TxStatus::Finalized(hash));
            }
        }
        let index = inner.blocks.len();
        inner.by_hash.insert(hash, index);
        inner.blocks.push(Stored {
            block: Block {
                header: header.clone(),
                extrinsics,
            },
            hash,
            state,
        });
        drop(inner);
        let _ = self.heads.send(header);
        hash
    }
}

fn header_for(
    parent_hash: H256,
    number: u32,
    parent_root: &H256,
    state: &MemoryState,
    extrinsics: &[Vec<u8>],
) -> Header {
    let changes: BTreeMap<Vec<u8>, Option<Vec<u8>>> = state
        .0
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    Header {
        parent_hash,
        number,
        state_root: block::state_root(parent_root, &changes),
        extrinsics_root: block::extrinsics_root(extrinsics),
        digest: Digest {
            logs: vec![DigestItem::aura_pre_runtime(u64::from(number) + 1_000)],
        },
    }
}

fn core_version(spec: u32) -> Vec<u8> {
    let apis: Vec<([u8; 8], u32)> = vec![
        ([0xdf, 0x6a, 0xcb, 0x68, 0x99, 0x07, 0x60, 0x9b], 5),
        ([0x37, 0xe3, 0x97, 0xfc, 0x7c, 0x91, 0xf5, 0xe4], 2),
    ];
    let mut out = (
        "node-subtensor".to_string(),
        "node-subtensor".to_string(),
        1u32,
        spec,
        1u32,
        apis,
    )
        .encode();
    out.extend(1u32.encode()); // transaction_version
    out.push(1); // system_version
    out
}

fn metadata_v15() -> &'static Vec<u8> {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| mirror_prefixed().encode())
}

fn metadata_v14() -> &'static Vec<u8> {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| mirror_prefixed_v14().encode())
}

impl ChainBackend for TestChain {
    fn genesis_hash(&self) -> H256 {
        self.genesis
    }

    fn best(&self) -> Result<(u32, H256), BackendError> {
        let inner = self.lock();
        inner
            .blocks
            .last()
            .map(|b| (b.block.header.number, b.hash))
            .ok_or_else(|| BackendError::Internal("no blocks".into()))
    }

    fn finalized(&self) -> Result<(u32, H256), BackendError> {
        self.best()
    }

    fn block_hash(&self, number: u32) -> Result<Option<H256>, BackendError> {
        Ok(self.lock().blocks.get(number as usize).map(|b| b.hash))
    }

    fn block(&self, hash: H256) -> Result<Option<Block>, BackendError> {
        let inner = self.lock();
        Ok(inner
            .by_hash
            .get(&hash)
            .and_then(|&i| inner.blocks.get(i))
            .map(|b| b.block.clone()))
    }

    fn with_state<T, F>(&self, at: H256, read: F) -> Result<T, BackendError>
    where
        F: FnOnce(&dyn StorageRead) -> T,
    {
        let inner = self.lock();
        let stored = inner
            .by_hash
            .get(&at)
            .and_then(|&i| inner.blocks.get(i))
            .ok_or(BackendError::UnknownBlock(at))?;
        Ok(read(&stored.state))
    }

    fn call(&self, at: H256, method: &str, args: &[u8]) -> Result<Vec<u8>, BackendError> {
        let spec = self.with_state(at, |state| state.get(SPEC_KEY))?;
        match method {
            "Core_version" => {
                let spec = spec
                    .and_then(|bytes| u32::decode_all(&mut bytes.as_slice()).ok())
                    .ok_or_else(|| BackendError::Internal("fixture spec key missing".into()))?;
                Ok(core_version(spec))
            }
            "Metadata_metadata" => Ok(metadata_v15().encode()),
            "Metadata_metadata_versions" => Ok(vec![14u32, 15].encode()),
            "Metadata_metadata_at_version" => {
                let version = u32::decode(&mut &args[..]).map_err(|e| {
                    BackendError::Execution(format!("cannot decode the version argument: {e}"))
                })?;
                let found = match version {
                    14 => Some(metadata_v14().clone()),
                    15 => Some(metadata_v15().clone()),
                    _ => None,
                };
                Ok(found.encode())
            }
            other => Err(BackendError::Execution(format!(
                "Exported method {other} is not found"
            ))),
        }
    }

    fn submit(
        &self,
        extrinsic: Vec<u8>,
        watcher: Option<mpsc::UnboundedSender<TxStatus>>,
    ) -> Result<H256, SubmitError> {
        let framed_ok = Vec::<u8>::decode_all(&mut extrinsic.as_slice())
            .map(|body| body.first() == Some(&0x84))
            .unwrap_or(false);
        if !framed_ok {
            return Err(SubmitError {
                code: 1001,
                message: "Extrinsic has invalid format: Could not decode extrinsic".into(),
                data: None,
            });
        }
        let hash = H256(sp_crypto_hashing::blake2_256(&extrinsic));
        let mut inner = self.lock();
        if inner.pool.iter().any(|(h, _)| *h == hash) {
            return Err(SubmitError {
                code: 1013,
                message: "Transaction Already Imported".into(),
                data: Some(format!("0x{}", hex::encode(hash.0))),
            });
        }
        inner.pool.push((hash, extrinsic));
        if let Some(watcher) = watcher {
            let _ = watcher.send(TxStatus::Ready);
            inner.watchers.insert(hash, watcher);
        }
        Ok(hash)
    }

    fn pending_extrinsics(&self) -> Result<Vec<Vec<u8>>, BackendError> {
        Ok(self.lock().pool.iter().map(|(_, x)| x.clone()).collect())
    }

    fn account_next_index(&self, account: &AccountId32) -> Result<u32, BackendError> {
        Ok(self.lock().nonces.get(account).copied().unwrap_or(0))
    }

    fn subscribe_best_heads(&self) -> broadcast::Receiver<Header> {
        self.heads.subscribe()
    }

    fn subscribe_finalized_heads(&self) -> broadcast::Receiver<Header> {
        self.heads.subscribe()
    }

    fn produce_blocks(&self, count: u32) -> Result<Vec<H256>, BackendError> {
        Ok((0..count).map(|_| self.produce_one()).collect())
    }
}
