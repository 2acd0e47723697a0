//! What `nya bench localnet` found, and the plain-text table that compares it with the targets
//! of issue 3 ([`TARGET_APPLIED_TX_PER_SECOND`], [`BLOCK_BUDGET_MS`]).

use serde::Serialize;

use super::BenchConfig;
use super::rpc::RpcReport;

/// Applied transactions per second the localnet should reach on 2 cores.
pub const TARGET_APPLIED_TX_PER_SECOND: f64 = 1_000.0;

/// The block time every block must stay well under (subtensor's fast-runtime 250 ms).
pub const BLOCK_BUDGET_MS: f64 = 250.0;

/// The transfer scenario on one store.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TransferReport {
    /// `memory` or the data dir.
    pub store: String,
    /// Transfers submitted.
    pub transactions: u64,
    /// Blocks it took to include them all.
    pub blocks: u64,
    /// Seconds in `Node::submit` (decode, signature, validity, pool insertion).
    pub admission_seconds: f64,
    /// Seconds in `Node::produce_block` (re-check, apply, commit, pool update).
    pub production_seconds: f64,
    /// The most transfers one block took.
    pub largest_block: u64,
    /// Milliseconds the slowest of those blocks took to make.
    pub slowest_block_ms: f64,
    /// Transactions whose call succeeded (`System.ExtrinsicSuccess`; the bench stops with an
    /// error if any call fails).
    pub applied: u64,
}

impl TransferReport {
    /// Transactions admitted to the pool per second.
    pub fn admitted_per_second(&self) -> f64 {
        per_second(self.transactions as f64, self.admission_seconds)
    }

    /// Transactions applied per second of block production.
    pub fn applied_per_second(&self) -> f64 {
        per_second(self.applied as f64, self.production_seconds)
    }

    /// Transactions applied per second of admission and block production together: what the
    /// node sustains when clients keep it busy.
    pub fn sustained_per_second(&self) -> f64 {
        per_second(
            self.applied as f64,
            self.admission_seconds + self.production_seconds,
        )
    }
}

/// The storage-read scenario on one store.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReadReport {
    /// `memory` or the data dir.
    pub store: String,
    /// `System.Account` reads per pass.
    pub reads: u64,
    /// Seconds for all reads at the head in one `Node::with_state` call.
    pub head_seconds: f64,
    /// Seconds for all reads at the head, one `Node::with_state` call each (the RPC's path).
    pub head_per_call_seconds: f64,
    /// The older block read from (the last one before the transfers).
    pub historical_block: u32,
    /// Seconds for all reads at that block in one call (SQLite point lookups).
    pub historical_seconds: f64,
    /// Reads that found an account, head pass.
    pub head_found: u64,
    /// Reads that found an account, historical pass.
    pub historical_found: u64,
    /// Sum of the nonces the head pass read (the transfers moved them).
    pub head_nonce_sum: u64,
    /// Sum of the nonces the historical pass read (0: the state before the transfers).
    pub historical_nonce_sum: u64,
}

impl ReadReport {
    /// Head reads per second, one snapshot.
    pub fn head_per_second(&self) -> f64 {
        per_second(self.reads as f64, self.head_seconds)
    }

    /// Head reads per second, one call each.
    pub fn head_per_call_per_second(&self) -> f64 {
        per_second(self.reads as f64, self.head_per_call_seconds)
    }

    /// Historical reads per second.
    pub fn historical_per_second(&self) -> f64 {
        per_second(self.reads as f64, self.historical_seconds)
    }
}

/// What a block of the subnet scenario carried.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// `burned_register` transactions.
    Registrations,
    /// `add_stake` transactions.
    Stakes,
    /// `set_weights` transactions.
    Weights,
    /// Nothing but the per-block hooks.
    Idle,
    /// The subnet's epoch ran (and nothing else was in it).
    Epoch,
}

impl BlockKind {
    fn name(self) -> &'static str {
        match self {
            BlockKind::Registrations => "registrations",
            BlockKind::Stakes => "stakes",
            BlockKind::Weights => "weights",
            BlockKind::Idle => "idle",
            BlockKind::Epoch => "epoch",
        }
    }
}

/// One timed block.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BlockSample {
    /// Block number.
    pub number: u32,
    /// What it carried.
    pub kind: BlockKind,
    /// Extrinsics in it.
    pub extrinsics: u64,
    /// Milliseconds `Node::produce_block` took.
    pub millis: f64,
}

/// The full-subnet block-time scenario on one store.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SubnetReport {
    /// `memory` or the data dir.
    pub store: String,
    /// Neurons registered on netuid 1.
    pub neurons: u16,
    /// Validator permits after the first epoch (the validators that set weights).
    pub validators: u16,
    /// The subnet's tempo.
    pub tempo: u16,
    /// Weights stored after each measured weights block (validators × neurons each time).
    pub weights_stored: u64,
    /// Blocks that filled the subnet (registrations, stakes, waiting for the first epoch).
    pub setup: Vec<BlockSample>,
    /// The measured epochs: each validator sets weights, then blocks up to the epoch's.
    pub measured: Vec<BlockSample>,
}

impl SubnetReport {
    /// The `p`-th percentile (0 to 1, nearest rank) of the measured blocks, in ms.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        let mut millis: Vec<f64> = self.measured.iter().map(|b| b.millis).collect();
        millis.sort_by(f64::total_cmp);
        let rank = (p * millis.len() as f64).ceil() as usize;
        millis
            .get(rank.saturating_sub(1))
            .copied()
            .unwrap_or_default()
    }

    /// The slowest measured block of `kind` (all kinds when `None`), in ms.
    pub fn max_ms(&self, kind: Option<BlockKind>) -> f64 {
        self.measured
            .iter()
            .filter(|b| kind.is_none_or(|k| b.kind == k))
            .map(|b| b.millis)
            .fold(0.0, f64::max)
    }

    /// The slowest block of the whole scenario, setup included.
    pub fn slowest(&self) -> Option<&BlockSample> {
        self.setup
            .iter()
            .chain(&self.measured)
            .max_by(|a, b| a.millis.total_cmp(&b.millis))
    }
}

/// Everything the bench measured.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BenchReport {
    /// The sizes it ran with.
    pub config: BenchConfig,
    /// `debug` or `release` (the workspace's own crates are unoptimised in debug builds).
    pub build: &'static str,
    /// Cores the OS offers this process.
    pub cores: usize,
    /// Transfers, per store.
    pub transfers: Vec<TransferReport>,
    /// Storage reads, per store.
    pub reads: Vec<ReadReport>,
    /// Submission over JSON-RPC (first store only).
    pub rpc: Vec<RpcReport>,
    /// Block times with a full subnet, per store.
    pub subnet: Vec<SubnetReport>,
}

/// `ok` or `MISSED`.
fn verdict(met: bool) -> &'static str {
    if met { "ok" } else { "MISSED" }
}

/// One line of the table: what, the figure, and the target with its verdict when there is one.
fn row(out: &mut String, measure: &str, result: String, target: Option<(&str, bool)>) {
    let target = target
        .map(|(target, met)| format!("  {target:<14} {}", verdict(met)))
        .unwrap_or_default();
    out.push_str(&format!("  {measure:<40} {result:>14}{target}\n"));
}

impl BenchReport {
    /// Whether every measured figure meets its target.
    pub fn meets_targets(&self) -> bool {
        self.transfers
            .iter()
            .all(|t| t.applied_per_second() >= TARGET_APPLIED_TX_PER_SECOND)
            && self.subnet.iter().all(|s| {
                s.slowest()
                    .is_none_or(|slowest| slowest.millis < BLOCK_BUDGET_MS)
            })
    }

    /// A plain-text report, one section per store, with the targets beside the figures.
    pub fn table(&self) -> String {
        let c = &self.config;
        let mut out = format!(
            "localnet bench: {} accounts, {} transfers, {} reads, {} neurons ({} validators, tempo {}), {} build, {} cores\n",
            c.accounts,
            c.transactions,
            c.reads,
            c.neurons,
            c.validators,
            c.tempo,
            self.build,
            self.cores
        );
        let mut stores: Vec<&str> = Vec::new();
        let labels = (self.transfers.iter().map(|t| t.store.as_str()))
            .chain(self.reads.iter().map(|r| r.store.as_str()))
            .chain(self.rpc.iter().map(|r| r.store.as_str()))
            .chain(self.subnet.iter().map(|s| s.store.as_str()));
        for label in labels {
            if !stores.contains(&label) {
                stores.push(label);
            }
        }
        let tx_target = format!("≥ {TARGET_APPLIED_TX_PER_SECOND:.0} tx/s");
        let budget = format!("< {BLOCK_BUDGET_MS:.0} ms");
        for store in stores {
            out.push_str(&format!("\nstore: {store}\n"));
            for t in self.transfers.iter().filter(|t| t.store == store) {
                row(
                    &mut out,
                    "transfers admitted to the pool",
                    format!("{:.0} tx/s", t.admitted_per_second()),
                    None,
                );
                row(
                    &mut out,
                    &format!("transfers applied ({} blocks)", t.blocks),
                    format!("{:.0} tx/s", t.applied_per_second()),
                    Some((
                        &tx_target,
                        t.applied_per_second() >= TARGET_APPLIED_TX_PER_SECOND,
                    )),
                );
                row(
                    &mut out,
                    &format!("  slowest block ({} transfers max)", t.largest_block),
                    format!("{:.1} ms", t.slowest_block_ms),
                    None,
                );
                row(
                    &mut out,
                    "admitted and applied",
                    format!("{:.0} tx/s", t.sustained_per_second()),
                    None,
                );
            }
            for r in self.rpc.iter().filter(|r| r.store == store) {
                row(
                    &mut out,
                    &format!("admitted over WebSocket ({} in flight)", r.in_flight),
                    format!("{:.0} tx/s", r.admitted_per_second()),
                    None,
                );
            }
            for r in self.reads.iter().filter(|r| r.store == store) {
                row(
                    &mut out,
                    "System.Account reads at the head",
                    format!("{:.0} /s", r.head_per_second()),
                    None,
                );
                row(
                    &mut out,
                    "  one with_state call each",
                    format!("{:.0} /s", r.head_per_call_per_second()),
                    None,
                );
                row(
                    &mut out,
                    &format!("  at block #{} (SQLite history)", r.historical_block),
                    format!("{:.0} /s", r.historical_per_second()),
                    None,
                );
            }
            for s in self.subnet.iter().filter(|s| s.store == store) {
                let blocks = format!("{} measured blocks", s.measured.len());
                row(
                    &mut out,
                    &format!("block time, {} neurons, p50", s.neurons),
                    format!("{:.1} ms", s.percentile_ms(0.5)),
                    None,
                );
                row(
                    &mut out,
                    &format!("  p99 of {blocks}"),
                    format!("{:.1} ms", s.percentile_ms(0.99)),
                    None,
                );
                for kind in [BlockKind::Weights, BlockKind::Epoch] {
                    row(
                        &mut out,
                        &format!("  slowest {} block", kind.name()),
                        format!("{:.1} ms", s.max_ms(Some(kind))),
                        None,
                    );
                }
                if let Some(slowest) = s.slowest() {
                    row(
                        &mut out,
                        &format!(
                            "  slowest of all (#{} {}, {} xt)",
                            slowest.number,
                            slowest.kind.name(),
                            slowest.extrinsics
                        ),
                        format!("{:.1} ms", slowest.millis),
                        Some((&budget, slowest.millis < BLOCK_BUDGET_MS)),
                    );
                }
            }
        }
        out
    }
}

fn per_second(amount: f64, seconds: f64) -> f64 {
    if seconds > 0.0 { amount / seconds } else { 0.0 }
}
