//! `nya bench history`: how fast [`Client::commitment_history`] lists commitments by each
//! method, on a localnet made for it.
//!
//! Setup (untimed): an in-process localnet in manual-seal mode, served over JSON-RPC on
//! loopback. The genesis funds `hotkeys` bench accounts (`//bench/i`) and gives netuid 1 to
//! `//bench/0` (uid 0), with room for every hotkey, all registrations in one block and a tempo
//! long enough that the per-epoch commitment space never runs out; accounts 1… register
//! themselves (`burned_register`, each its own coldkey) in one block. Then `commitments`
//! `set_commitment` calls, commitment `k` by hotkey `k mod hotkeys`, are spread evenly over the
//! remaining blocks up to `blocks`, the gaps filled with empty blocks made by the node
//! directly. Transactions are signed by the localnet's own bench signer and handed to the node,
//! not sent over RPC, so the setup stays quick.
//!
//! Timed, through a [`Client`] over the socket: the whole subnet's history and one hotkey's
//! (`//bench/1`), each by walk-back and by event scan. Every listing must find what was
//! committed (all commitments for the subnet, that hotkey's share for one hotkey) or the bench
//! fails, so a fast wrong answer cannot pass as a result.

use std::sync::Arc;
use std::time::{Duration, Instant};

use nya_metadata::commitment::{Commitment, RepoRef};
use nya_metadata::manifest::Sha256Digest;
use nya_metadata::runtime::calls::{CommitmentsCall, RuntimeCall, SubtensorModuleCall};
use nya_metadata::runtime::types::AccountId32;
use nya_metadata::task::{TaskId, TaskKind};
use serde::Serialize;

use super::history::{DEFAULT_CONCURRENCY, HistoryError, HistoryQuery, Method};
use super::{ChainError, Client};
use crate::keys::KeyError;
use crate::localnet::bench::{BenchKeys, funded, signed_extrinsic};
use crate::localnet::genesis::{GenesisConfig, GenesisSubnet};
use crate::localnet::node::{Node, NodeError};
use crate::localnet::runtime::subtensor::SubnetParams;
use crate::localnet::service::LocalnetError;
use crate::localnet::{LocalnetConfig, spawn};

/// The bench subnet.
const NETUID: u16 = 1;
/// Tempo of the bench subnet: one commitment per hotkey per epoch stays far inside the
/// 3,100-byte space of each epoch.
const TEMPO: u16 = 1_000;

/// What to build and measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryBenchConfig {
    /// Blocks of the chain (at least one more than the commitments need to be in blocks of
    /// their own after the registrations).
    pub blocks: u32,
    /// Hotkeys on the subnet, the owner's included (2 to 4,096).
    pub hotkeys: u16,
    /// Commitments made in all.
    pub commitments: u32,
    /// Requests in flight during the listings.
    pub concurrency: usize,
}

impl Default for HistoryBenchConfig {
    fn default() -> Self {
        HistoryBenchConfig {
            blocks: 10_000,
            hotkeys: 256,
            commitments: 2_000,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }
}

/// One timed listing.
#[derive(Debug, Clone, Serialize)]
pub struct ListingTiming {
    /// `subnet` or `hotkey`.
    pub scope: &'static str,
    /// `walk` or `scan`.
    pub method: &'static str,
    /// Commitments listed.
    pub found: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// `found / seconds`.
    pub commitments_per_second: f64,
}

/// The bench's result.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryBenchReport {
    /// Blocks in the chain.
    pub blocks: u32,
    /// Hotkeys that committed.
    pub hotkeys: u16,
    /// Commitments made.
    pub commitments: u32,
    /// Seconds spent building the chain.
    pub setup_seconds: f64,
    /// The four listings.
    pub listings: Vec<ListingTiming>,
}

/// Why the bench could not run or its answer was wrong.
#[derive(Debug, thiserror::Error)]
pub enum HistoryBenchError {
    /// The configuration cannot be built.
    #[error("{0}")]
    Config(String),
    /// Key derivation failed.
    #[error("deriving the bench keys: {0}")]
    Keys(#[from] KeyError),
    /// The localnet failed to start.
    #[error(transparent)]
    Localnet(#[from] LocalnetError),
    /// The node failed to make a block.
    #[error(transparent)]
    Node(#[from] NodeError),
    /// The node refused a setup transaction.
    #[error("the node refused setup transaction {what}: {code} {message}{}", .data.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Refused {
        /// Which one.
        what: String,
        /// JSON-RPC code.
        code: i32,
        /// Message.
        message: String,
        /// Data.
        data: Option<String>,
    },
    /// A blocking setup task panicked.
    #[error("the setup task failed: {0}")]
    Task(String),
    /// The client failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// A listing failed.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// A listing missed (or invented) commitments.
    #[error("{scope} history by {method} found {found} commitments, not the {expected} made")]
    Mismatch {
        /// `subnet` or `hotkey`.
        scope: &'static str,
        /// `walk` or `scan`.
        method: &'static str,
        /// What it listed.
        found: u64,
        /// What was made.
        expected: u64,
    },
}

impl HistoryBenchConfig {
    /// Checks that the chain can be built as asked.
    pub fn validate(&self) -> Result<(), HistoryBenchError> {
        let bad = |m: String| Err(HistoryBenchError::Config(m));
        if !(2..=4_096).contains(&self.hotkeys) {
            return bad(format!("--hotkeys {} must be 2 to 4096", self.hotkeys));
        }
        if self.commitments == 0 {
            return bad("--commitments must be at least 1".into());
        }
        if self.concurrency == 0 {
            return bad("--concurrency must be at least 1".into());
        }
        // Block 1 holds the registrations; the commitments need blocks of their own after it
        // (several per block when there are more commitments than blocks).
        if self.blocks < 2 {
            return bad(format!("--blocks {} must be at least 2", self.blocks));
        }
        let per_block = self.commitments.div_ceil(self.blocks - 1);
        if per_block > u32::from(self.hotkeys) {
            return bad(format!(
                "{} commitments in {} blocks need {per_block} per block, more than the {} hotkeys can make one each",
                self.commitments, self.blocks, self.hotkeys
            ));
        }
        Ok(())
    }

    /// The block (2 ..= blocks) commitment `k` goes in: spread evenly after the registrations.
    fn block_of(&self, k: u32) -> u32 {
        let span = u64::from(self.blocks - 1);
        let at = u64::from(k) * span / u64::from(self.commitments);
        2 + u32::try_from(at).unwrap_or(u32::MAX)
    }

    /// Commitments `hotkey` index makes.
    fn made_by(&self, hotkey: u16) -> u64 {
        (0..self.commitments)
            .filter(|k| k % u32::from(self.hotkeys) == u32::from(hotkey))
            .count() as u64
    }
}

/// Commitment `k`: distinct repo revision, digest and task per commitment.
fn commitment(k: u32) -> Result<Commitment, HistoryBenchError> {
    let config = |e: String| HistoryBenchError::Config(format!("bench commitment {k}: {e}"));
    let repo: RepoRef = format!("nya-bench/history@{k:040x}")
        .parse()
        .map_err(|e| config(format!("{e}")))?;
    let digest: Sha256Digest = format!("{:064x}", u64::from(k) + 1)
        .parse()
        .map_err(|e| config(format!("{e}")))?;
    let task = TaskId::new(format!("bench-{k}")).map_err(|e| config(e.to_string()))?;
    Commitment::new(repo, digest, TaskKind::Refine, task).map_err(|e| config(e.to_string()))
}

fn genesis(keys: &BenchKeys, config: &HistoryBenchConfig) -> GenesisConfig {
    let (accounts, owner) = funded(keys, usize::from(config.hotkeys));
    GenesisConfig {
        accounts,
        sudo: owner.clone(),
        subnets: vec![GenesisSubnet {
            netuid: NETUID,
            owner_coldkey: owner.clone(),
            owner_hotkey: owner,
            params: SubnetParams {
                tempo: TEMPO,
                max_allowed_uids: config.hotkeys,
                max_registrations_per_block: config.hotkeys,
                target_registrations_per_interval: config.hotkeys,
                ..SubnetParams::default()
            },
        }],
    }
}

fn submit(node: &Node, bytes: Vec<u8>, what: impl Fn() -> String) -> Result<(), HistoryBenchError> {
    node.submit(bytes, None)
        .map(|_| ())
        .map_err(|e| HistoryBenchError::Refused {
            what: what(),
            code: e.code,
            message: e.message,
            data: e.data,
        })
}

/// Registers every hotkey in block 1, then makes the commitments over the remaining blocks.
fn build_chain(
    node: &Node,
    keys: &BenchKeys,
    config: &HistoryBenchConfig,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<(), HistoryBenchError> {
    let genesis_hash = node.genesis_hash();
    let key = |i: usize| {
        keys.key(i)
            .ok_or_else(|| HistoryBenchError::Config(format!("no bench key {i}")))
    };
    progress(&format!("registering {} hotkeys", config.hotkeys - 1));
    for i in 1..usize::from(config.hotkeys) {
        let signer = key(i)?;
        let call = RuntimeCall::SubtensorModule(SubtensorModuleCall::burned_register {
            netuid: NETUID,
            hotkey: AccountId32(signer.public_key()),
        });
        let bytes = signed_extrinsic(signer, 0, call, genesis_hash);
        submit(node, bytes, || {
            format!("burned_register of {}", BenchKeys::uri(i))
        })?;
    }
    node.produce_block()?;
    let mut nonces = vec![1u32; usize::from(config.hotkeys)];
    if let Some(owner) = nonces.first_mut() {
        *owner = 0;
    }

    progress(&format!(
        "making {} commitments over {} blocks",
        config.commitments, config.blocks
    ));
    let mut made = 1u32;
    for k in 0..config.commitments {
        let target = config.block_of(k);
        if target > made + 1 {
            node.produce_blocks(target - made - 1)?;
            made = target - 1;
        }
        let index = (k % u32::from(config.hotkeys)) as usize;
        let signer = key(index)?;
        let nonce = nonces
            .get_mut(index)
            .ok_or_else(|| HistoryBenchError::Config(format!("no nonce for key {index}")))?;
        let call = RuntimeCall::Commitments(CommitmentsCall::set_commitment {
            netuid: NETUID,
            info: commitment(k)?.to_info(),
        });
        submit(
            node,
            signed_extrinsic(signer, *nonce, call, genesis_hash),
            || format!("set_commitment {k}"),
        )?;
        *nonce += 1;
        let next_target = (k + 1 < config.commitments).then(|| config.block_of(k + 1));
        if next_target != Some(target) {
            node.produce_block()?;
            made = target;
        }
    }
    if config.blocks > made {
        node.produce_blocks(config.blocks - made)?;
    }
    Ok(())
}

/// Builds the chain, then times the four listings.
pub async fn run(
    config: &HistoryBenchConfig,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<HistoryBenchReport, HistoryBenchError> {
    config.validate()?;
    let started = Instant::now();
    progress(&format!("deriving {} keys", config.hotkeys));
    let keys = Arc::new(BenchKeys::derive(usize::from(config.hotkeys))?);
    let localnet = spawn(LocalnetConfig {
        port: 0,
        manual_seal: true,
        genesis: genesis(&keys, config),
        ..LocalnetConfig::default()
    })
    .await?;
    let node = localnet.node().clone();
    // The progress callback is not 'static; report the setup's phases from here instead.
    let setup_config = config.clone();
    let setup_keys = keys.clone();
    let (phase_tx, phase_rx) = std::sync::mpsc::channel::<String>();
    let setup = tokio::task::spawn_blocking(move || {
        build_chain(&node, &setup_keys, &setup_config, &|m: &str| {
            let _ = phase_tx.send(m.to_owned());
        })
    });
    let result = loop {
        while let Ok(phase) = phase_rx.try_recv() {
            progress(&phase);
        }
        if setup.is_finished() {
            break setup.await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    result.map_err(|e| HistoryBenchError::Task(e.to_string()))??;
    let setup_seconds = started.elapsed().as_secs_f64();

    let client = Client::connect_url(&localnet.ws_url()).await?;
    let one = keys
        .ids()
        .get(1)
        .map(|id| id.0)
        .ok_or_else(|| HistoryBenchError::Config("no hotkey 1".into()))?;
    let mut listings = Vec::new();
    for (scope, hotkey, expected) in [
        ("subnet", None, u64::from(config.commitments)),
        ("hotkey", Some(one), config.made_by(1)),
    ] {
        for (method, name) in [(Method::Walk, "walk"), (Method::Scan, "scan")] {
            progress(&format!("listing the {scope}'s history by {name}"));
            let query = HistoryQuery {
                concurrency: config.concurrency,
                ..HistoryQuery::new(NETUID, hotkey)
            };
            let clock = Instant::now();
            let entries = client.commitment_history(&query, method, &|_| {}).await?;
            let seconds = clock.elapsed().as_secs_f64();
            let found = entries.len() as u64;
            if found != expected {
                return Err(HistoryBenchError::Mismatch {
                    scope,
                    method: name,
                    found,
                    expected,
                });
            }
            listings.push(ListingTiming {
                scope,
                method: name,
                found,
                seconds,
                commitments_per_second: found as f64 / seconds.max(f64::MIN_POSITIVE),
            });
        }
    }
    localnet.stop().await;
    Ok(HistoryBenchReport {
        blocks: config.blocks,
        hotkeys: config.hotkeys,
        commitments: config.commitments,
        setup_seconds,
        listings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitments_spread_over_the_blocks_after_the_registrations() {
        let config = HistoryBenchConfig::default();
        config.validate().expect("default is valid");
        assert_eq!(config.block_of(0), 2);
        let last = config.block_of(config.commitments - 1);
        assert!(last <= config.blocks, "{last}");
        let blocks: Vec<u32> = (0..config.commitments)
            .map(|k| config.block_of(k))
            .collect();
        assert!(blocks.windows(2).all(|w| w[0] < w[1]), "one per block");
        let total: u64 = (0..config.hotkeys).map(|h| config.made_by(h)).sum();
        assert_eq!(total, u64::from(config.commitments));
    }

    #[test]
    fn impossible_configs_are_refused_with_the_reason() {
        let crowded = HistoryBenchConfig {
            blocks: 3,
            hotkeys: 2,
            commitments: 10,
            ..HistoryBenchConfig::default()
        };
        let err = crowded.validate().unwrap_err().to_string();
        assert!(err.contains("need 5 per block"), "{err}");
        let lonely = HistoryBenchConfig {
            hotkeys: 1,
            ..HistoryBenchConfig::default()
        };
        assert!(
            lonely
                .validate()
                .unwrap_err()
                .to_string()
                .contains("--hotkeys 1")
        );
        // Several per block are fine while each hotkey makes at most one in it.
        let dense = HistoryBenchConfig {
            blocks: 11,
            hotkeys: 4,
            commitments: 40,
            ..HistoryBenchConfig::default()
        };
        dense.validate().expect("4 per block with 4 hotkeys");
        assert!(commitment(7).is_ok());
    }
}
