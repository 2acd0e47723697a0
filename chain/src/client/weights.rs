//! Setting weights the way a validator must: normalised as the bittensor SDK does, checked
//! against every chain rule at one pinned block before anything is signed, and, on a subnet
//! with commit-reveal, committed as a hash whose salt survives a restart until it is revealed.
//!
//! **Normalisation** (the SDK's `convert_weights_and_uids_for_emit`): weights must be finite
//! and non-negative; all zero → nothing to set; otherwise each is divided by the largest and
//! scaled to `u16::MAX` (rounded half away from zero), and zeros are dropped.
//!
//! **Rules**, in the chain's order (`set_weights` / `reveal_weights`): not the root subnet; no
//! more uids than neurons; the hotkey registered; its stake weight (alpha `TotalHotkeyAlpha` plus
//! root TAO × `TaoWeight`) reaches `StakeThreshold` unless it is the subnet owner's hotkey; `version_key ≥ WeightsVersionKey`
//! unless that is 0; `WeightsSetRateLimit` blocks since its `LastUpdate` (0 = never) for a set
//! or a commit, checked against the next block; a validator permit unless the only weight is
//! on itself; no duplicate uids; every uid in use; at least `min(MinAllowedWeights, n)` weights
//! and no share above `MaxWeightsLimit / u16::MAX` unless a self-weight. The share check is an
//! exact rational comparison; the chain's 32-bit fixed point can differ by one ulp at the edge.
//!
//! **Commit-reveal** (`CommitRevealWeightsEnabled`): the commit hash is
//! `blake2_256(SCALE(hotkey, netuid, uids, values, salt: Vec<u16>, version_key))`. Epochs are
//! numbered `(block + netuid + 1) / (tempo + 1)`; a commit in epoch `e` is revealable only in
//! epoch `e + RevealPeriodEpochs`. The salt and the reveal plan are written to
//! `<state dir>/weights-<genesis prefix>-<netuid>-<hotkey hex>.json` *before* the commit is
//! submitted (atomically: a temporary file renamed over the old one), completed with the commit
//! block and reveal window once it is in, and removed when revealed. [`Client::reveal_pending`]
//! reveals what is due, in commit order.
//!
//! **Timelocked commits**: a runtime whose metadata offers
//! `SubtensorModule.commit_timelocked_weights` (finney since the drand commit-reveal) expects
//! validators to commit drand-timelocked weights (`CommitRevealWeightsVersion`, 4 on spec
//! 393), which the SDK does and this module does not yet: on such a chain with commit-reveal on,
//! [`Client::set_weights`] refuses with [`WeightsError::TimelockRequired`] instead of committing
//! a hash nobody reveals the usual way. The localnet does not offer that call.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use nya_metadata::runtime::items::{
    SUBTENSOR_COMMIT_REVEAL_WEIGHTS_ENABLED, SUBTENSOR_COMMIT_WEIGHTS, SUBTENSOR_LAST_UPDATE,
    SUBTENSOR_MAX_WEIGHTS_LIMIT, SUBTENSOR_MIN_ALLOWED_WEIGHTS, SUBTENSOR_REVEAL_PERIOD_EPOCHS,
    SUBTENSOR_REVEAL_WEIGHTS, SUBTENSOR_SET_WEIGHTS, SUBTENSOR_STAKE_THRESHOLD,
    SUBTENSOR_SUBNET_OWNER_HOTKEY, SUBTENSOR_SUBNETWORK_N, SUBTENSOR_TAO_WEIGHT, SUBTENSOR_TEMPO,
    SUBTENSOR_TOTAL_HOTKEY_ALPHA, SUBTENSOR_VALIDATOR_PERMIT, SUBTENSOR_WEIGHTS_SET_RATE_LIMIT,
    SUBTENSOR_WEIGHTS_VERSION_KEY, UsedItem,
};
use nya_metadata::runtime::storage::{ROOT_NETUID, stake_weight_bits};
use parity_scale_codec::{DecodeAll, Encode};
use serde::{Deserialize, Serialize};
use sp_crypto_hashing::blake2_256;
use subxt::dynamic::Value;
use subxt::ext::frame_decode::storage::{IntoDecodableValues, IntoEncodableValues};

use super::calls::Call;
use super::reads::{decode, item_name};
use super::{At, ChainError, Client, Included};
use crate::keys::Keypair;

/// Salt length, as the SDK uses.
const SALT_LEN: usize = 8;
/// The call whose presence means the runtime expects drand-timelocked commits.
const TIMELOCKED_COMMIT_CALL: &str = "commit_timelocked_weights";

/// Why weights were refused before anything was submitted; each names the chain rule.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WeightsRefusal {
    /// Input lengths differ.
    #[error("{uids} uids but {weights} weights: give one weight per uid")]
    LengthMismatch {
        /// Uids given.
        uids: usize,
        /// Weights given.
        weights: usize,
    },
    /// A weight is negative, NaN or infinite.
    #[error("weight #{index} ({value}) is not a finite non-negative number")]
    BadWeight {
        /// Position in the input.
        index: usize,
        /// The value.
        value: f64,
    },
    /// Nothing non-zero to set.
    #[error("every weight is zero: there is nothing to set")]
    AllZero,
    /// The root subnet takes no weights this way.
    #[error("netuid 0 is the root subnet, which takes no weights (CanNotSetRootNetworkWeights)")]
    RootSubnet,
    /// More uids than neurons.
    #[error("{given} weights but subnet {netuid} has only {n} uids (UidsLengthExceedUidsInSubNet)")]
    TooManyUids {
        /// The subnet.
        netuid: u16,
        /// Weights given.
        given: usize,
        /// Neurons in the subnet.
        n: u16,
    },
    /// The signing hotkey has no uid.
    #[error(
        "the hotkey has no uid on subnet {netuid}; register it first (HotKeyNotRegisteredInSubNet)"
    )]
    NotRegistered {
        /// The subnet.
        netuid: u16,
    },
    /// Below the stake threshold.
    #[error(
        "the hotkey's stake weight on subnet {netuid} is {stake} rao (alpha plus root TAO × \
         TaoWeight), below the StakeThreshold of {threshold} rao; add stake \
         (NotEnoughStakeToSetWeights)"
    )]
    NotEnoughStake {
        /// The subnet.
        netuid: u16,
        /// The hotkey's alpha stake.
        stake: u64,
        /// The threshold.
        threshold: u64,
    },
    /// Version key below the subnet's.
    #[error(
        "version key {given} is below subnet {netuid}'s WeightsVersionKey {required}; \
         update the validator (IncorrectWeightVersionKey)"
    )]
    VersionKey {
        /// The subnet.
        netuid: u16,
        /// The key given.
        given: u64,
        /// The subnet's key.
        required: u64,
    },
    /// Too soon after the last update.
    #[error(
        "weights were last set at block {last}; subnet {netuid}'s WeightsSetRateLimit of {limit} \
         blocks allows the next set from block {next} (the next block is {now}) \
         (SettingWeightsTooFast)"
    )]
    RateLimit {
        /// The subnet.
        netuid: u16,
        /// `LastUpdate` of the uid.
        last: u64,
        /// `WeightsSetRateLimit`.
        limit: u64,
        /// First block allowed.
        next: u64,
        /// The block the transaction would land in.
        now: u64,
    },
    /// No validator permit for weights on others.
    #[error(
        "uid {uid} has no validator permit on subnet {netuid}, which weights on other uids \
         need; stake more and wait for an epoch (NeuronNoValidatorPermit)"
    )]
    NoPermit {
        /// The subnet.
        netuid: u16,
        /// The signer's uid.
        uid: u16,
    },
    /// A uid appears twice.
    #[error("uid {uid} appears more than once (DuplicateUids)")]
    DuplicateUid {
        /// The repeated uid.
        uid: u16,
    },
    /// A uid not in use.
    #[error(
        "uid {uid} is not in use on subnet {netuid}, which has uids 0..{n} \
         (UidVecContainInvalidOne)"
    )]
    InvalidUid {
        /// The subnet.
        netuid: u16,
        /// The uid.
        uid: u16,
        /// Neurons in the subnet.
        n: u16,
    },
    /// Fewer weights than the minimum.
    #[error(
        "{given} non-zero weights but subnet {netuid}'s MinAllowedWeights requires at least \
         {min} (WeightVecLengthIsLow)"
    )]
    TooFewWeights {
        /// The subnet.
        netuid: u16,
        /// Non-zero weights given.
        given: usize,
        /// The minimum.
        min: u16,
    },
    /// One share above the cap.
    #[error(
        "uid {uid} would get {value} of {total} of the weight, above subnet {netuid}'s \
         MaxWeightsLimit of {limit}/65535 for one uid (MaxWeightExceeded)"
    )]
    MaxWeightExceeded {
        /// The subnet.
        netuid: u16,
        /// The uid with the largest weight.
        uid: u16,
        /// Its weight.
        value: u16,
        /// Sum of all weights.
        total: u64,
        /// `MaxWeightsLimit`.
        limit: u16,
    },
    /// The hotkey already has the chain's maximum of unrevealed, unexpired commits.
    #[error(
        "the hotkey has {count} commits on subnet {netuid} not yet revealed, the chain's \
         limit; reveal them first (`nya weights reveal`) or wait for them to expire \
         (TooManyUnrevealedCommits)"
    )]
    TooManyUnrevealedCommits {
        /// The subnet.
        netuid: u16,
        /// Unrevealed commits in the reveal state file that have not expired.
        count: usize,
    },
}

/// The most unrevealed commits a hotkey may hold on a subnet (`commit_weights` refuses the 11th).
pub const MAX_UNREVEALED_COMMITS: usize = 10;

/// Commits of `pending` the chain still holds at `next_block`: not expired, or still in flight.
fn unexpired_commits(pending: &[PendingReveal], next_block: u64) -> usize {
    pending
        .iter()
        .filter(|p| p.reveal_until.is_none_or(|until| until >= next_block))
        .count()
}

/// What can go wrong setting or revealing weights.
#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    /// A chain rule refuses these weights; nothing was submitted.
    #[error("weights not submitted: {0}")]
    Refused(#[from] WeightsRefusal),
    /// The chain or the connection failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The reveal state file could not be read or written.
    #[error("reveal state {path}: {detail}")]
    State {
        /// The file.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
    /// The chain expects drand-timelocked commits.
    #[error(
        "subnet {netuid} has commit-reveal on and this runtime expects timelocked (drand) \
         weight commits (it offers SubtensorModule.commit_timelocked_weights); nya commits \
         hashes only, so nothing was submitted"
    )]
    TimelockRequired {
        /// The subnet.
        netuid: u16,
    },
}

/// Normalised weights: the SDK's u16 form, zeros dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightVector {
    /// Target uids.
    pub uids: Vec<u16>,
    /// Weights, max-upscaled to `u16::MAX`.
    pub values: Vec<u16>,
}

/// The SDK's `convert_weights_and_uids_for_emit`, refusing duplicate uids up front.
pub fn normalize(uids: &[u16], weights: &[f64]) -> Result<WeightVector, WeightsRefusal> {
    if uids.len() != weights.len() {
        return Err(WeightsRefusal::LengthMismatch {
            uids: uids.len(),
            weights: weights.len(),
        });
    }
    if let Some((index, &value)) = weights
        .iter()
        .enumerate()
        .find(|(_, w)| !w.is_finite() || **w < 0.0)
    {
        return Err(WeightsRefusal::BadWeight { index, value });
    }
    let mut seen = BTreeSet::new();
    if let Some(&uid) = uids.iter().find(|u| !seen.insert(**u)) {
        return Err(WeightsRefusal::DuplicateUid { uid });
    }
    let max = weights.iter().copied().fold(0.0f64, f64::max);
    if max <= 0.0 {
        return Err(WeightsRefusal::AllZero);
    }
    let mut out = WeightVector {
        uids: Vec::new(),
        values: Vec::new(),
    };
    for (&uid, &weight) in uids.iter().zip(weights) {
        // In [0, 65535] since 0 ≤ weight ≤ max; the cast cannot truncate.
        let scaled = (weight / max * f64::from(u16::MAX)).round() as u16;
        if scaled != 0 {
            out.uids.push(uid);
            out.values.push(scaled);
        }
    }
    Ok(out)
}

/// The chain state the rules read, for one hotkey on one subnet at one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightRules {
    /// The subnet.
    pub netuid: u16,
    /// The block a transaction sent now lands in (the pinned block + 1).
    pub next_block: u64,
    /// `SubnetworkN`.
    pub n: u16,
    /// The signer's uid.
    pub uid: Option<u16>,
    /// Its stake weight on the subnet, floored: alpha plus root TAO × `TaoWeight`.
    pub stake: u64,
    /// `StakeThreshold`.
    pub stake_threshold: u64,
    /// Whether the signer is `SubnetOwnerHotkey` (exempt from the threshold).
    pub is_owner: bool,
    /// `WeightsVersionKey`.
    pub version_key: u64,
    /// Its `LastUpdate`.
    pub last_update: u64,
    /// `WeightsSetRateLimit`.
    pub rate_limit: u64,
    /// Its `ValidatorPermit`.
    pub permit: bool,
    /// `MinAllowedWeights`.
    pub min_allowed: u16,
    /// `MaxWeightsLimit`.
    pub max_weights_limit: u16,
    /// `CommitRevealWeightsEnabled`.
    pub commit_reveal: bool,
    /// `Tempo`.
    pub tempo: u16,
    /// `RevealPeriodEpochs`.
    pub reveal_period: u64,
}

/// Which submission the rules are checked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submission {
    /// `set_weights` or `commit_weights`: the rate limit applies.
    SetOrCommit,
    /// `reveal_weights`: no rate limit.
    Reveal,
}

impl WeightRules {
    /// The epoch `block` is in.
    pub fn epoch(&self, block: u64) -> u64 {
        block.saturating_add(u64::from(self.netuid) + 1) / (u64::from(self.tempo) + 1)
    }

    /// First and last block in which a commit made at `commit_block` can be revealed.
    pub fn reveal_window(&self, commit_block: u64) -> (u64, u64) {
        let reveal_epoch = self.epoch(commit_block).saturating_add(self.reveal_period);
        let first = reveal_epoch
            .saturating_mul(u64::from(self.tempo) + 1)
            .saturating_sub(u64::from(self.netuid) + 1);
        (first, first.saturating_add(u64::from(self.tempo)))
    }

    /// Every rule for `weights` with `version_key`, in the chain's order.
    pub fn check(
        &self,
        weights: &WeightVector,
        version_key: u64,
        submission: Submission,
    ) -> Result<(), WeightsRefusal> {
        let netuid = self.netuid;
        let (uids, values) = (&weights.uids, &weights.values);
        if netuid == 0 {
            return Err(WeightsRefusal::RootSubnet);
        }
        if uids.len() != values.len() {
            return Err(WeightsRefusal::LengthMismatch {
                uids: uids.len(),
                weights: values.len(),
            });
        }
        if uids.len() > usize::from(self.n) {
            return Err(WeightsRefusal::TooManyUids {
                netuid,
                given: uids.len(),
                n: self.n,
            });
        }
        let Some(uid) = self.uid else {
            return Err(WeightsRefusal::NotRegistered { netuid });
        };
        if !self.is_owner && self.stake < self.stake_threshold {
            return Err(WeightsRefusal::NotEnoughStake {
                netuid,
                stake: self.stake,
                threshold: self.stake_threshold,
            });
        }
        if self.version_key != 0 && version_key < self.version_key {
            return Err(WeightsRefusal::VersionKey {
                netuid,
                given: version_key,
                required: self.version_key,
            });
        }
        let next = self.last_update.saturating_add(self.rate_limit);
        if submission == Submission::SetOrCommit && self.last_update != 0 && self.next_block < next
        {
            return Err(WeightsRefusal::RateLimit {
                netuid,
                last: self.last_update,
                limit: self.rate_limit,
                next,
                now: self.next_block,
            });
        }
        let self_weight = values.len() == 1 && uids.first() == Some(&uid);
        if !self_weight && !self.permit {
            return Err(WeightsRefusal::NoPermit { netuid, uid });
        }
        let mut seen = BTreeSet::new();
        if let Some(&dup) = uids.iter().find(|u| !seen.insert(**u)) {
            return Err(WeightsRefusal::DuplicateUid { uid: dup });
        }
        if let Some(&bad) = uids.iter().find(|u| **u >= self.n) {
            return Err(WeightsRefusal::InvalidUid {
                netuid,
                uid: bad,
                n: self.n,
            });
        }
        let min = self.min_allowed.min(self.n);
        if !self_weight && values.len() < usize::from(min) {
            return Err(WeightsRefusal::TooFewWeights {
                netuid,
                given: values.len(),
                min,
            });
        }
        let total: u64 = values.iter().map(|v| u64::from(*v)).sum();
        if let Some((&top_uid, &top)) = uids.iter().zip(values).max_by_key(|(_, v)| **v)
            && !self_weight
            && self.max_weights_limit != u16::MAX
            && u128::from(top) * u128::from(u16::MAX)
                > u128::from(self.max_weights_limit) * u128::from(total)
        {
            return Err(WeightsRefusal::MaxWeightExceeded {
                netuid,
                uid: top_uid,
                value: top,
                total,
                limit: self.max_weights_limit,
            });
        }
        Ok(())
    }
}

/// A commit waiting for its reveal, as kept in the state file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingReveal {
    /// The subnet.
    pub netuid: u16,
    /// The committed weights.
    pub weights: WeightVector,
    /// The salt.
    pub salt: Vec<u16>,
    /// The version key committed.
    pub version_key: u64,
    /// `0x`-hex commit hash.
    pub commit_hash: String,
    /// Block the commit landed in; `None` while it is being submitted.
    pub commit_block: Option<u32>,
    /// First block of the reveal window.
    pub reveal_from: Option<u64>,
    /// Last block of the reveal window.
    pub reveal_until: Option<u64>,
}

/// The state file's contents.
#[derive(Debug, Default, Serialize, Deserialize)]
struct RevealFile {
    /// `0x`-hex genesis hash of the chain the commits are on.
    genesis: String,
    /// `0x`-hex hotkey.
    hotkey: String,
    /// Commits in commit order.
    pending: Vec<PendingReveal>,
}

/// The pending reveals of one hotkey on one subnet of one chain, on disk.
#[derive(Debug, Clone)]
pub struct RevealStore {
    path: PathBuf,
    genesis: String,
    hotkey: String,
}

impl RevealStore {
    /// The store under `dir` for `hotkey` on `netuid` of the chain with `genesis`.
    pub fn new(dir: &Path, genesis: &[u8; 32], netuid: u16, hotkey: &[u8; 32]) -> RevealStore {
        let genesis = hex::encode(genesis);
        let hotkey = hex::encode(hotkey);
        let prefix = genesis.get(..16).unwrap_or(&genesis);
        RevealStore {
            path: dir.join(format!("weights-{prefix}-{netuid}-{hotkey}.json")),
            genesis: format!("0x{genesis}"),
            hotkey: format!("0x{hotkey}"),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self, detail: impl std::fmt::Display) -> WeightsError {
        WeightsError::State {
            path: self.path.clone(),
            detail: detail.to_string(),
        }
    }

    /// The pending commits (none when the file does not exist).
    pub fn load(&self) -> Result<Vec<PendingReveal>, WeightsError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.error(e)),
        };
        let file: RevealFile = serde_json::from_str(&text).map_err(|e| self.error(e))?;
        if file.genesis != self.genesis || file.hotkey != self.hotkey {
            return Err(self.error(format!(
                "written for chain {} and hotkey {}, not {} and {}",
                file.genesis, file.hotkey, self.genesis, self.hotkey
            )));
        }
        Ok(file.pending)
    }

    /// Replaces the file's contents atomically; removes it when nothing is pending.
    pub fn save(&self, pending: &[PendingReveal]) -> Result<(), WeightsError> {
        if pending.is_empty() {
            return match std::fs::remove_file(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(self.error(e)),
                _ => Ok(()),
            };
        }
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| self.error(e))?;
        let file = RevealFile {
            genesis: self.genesis.clone(),
            hotkey: self.hotkey.clone(),
            pending: pending.to_vec(),
        };
        let text = serde_json::to_string_pretty(&file).map_err(|e| self.error(e))?;
        let tmp = self
            .path
            .with_extension(format!("json.tmp-{}", std::process::id()));
        let write = || -> std::io::Result<()> {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, &self.path)
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            self.error(e)
        })
    }
}

/// The commit hash of these weights (see the module doc).
pub fn commit_hash(
    hotkey: &[u8; 32],
    netuid: u16,
    weights: &WeightVector,
    salt: &[u16],
    version_key: u64,
) -> [u8; 32] {
    blake2_256(
        &(
            hotkey,
            netuid,
            &weights.uids,
            &weights.values,
            salt,
            version_key,
        )
            .encode(),
    )
}

fn u16s(values: &[u16]) -> Value {
    Value::unnamed_composite(values.iter().map(|v| Value::u128(u128::from(*v))))
}

/// `SubtensorModule.set_weights(netuid, dests, weights, version_key)`, signed by the hotkey.
pub fn set_weights_call(netuid: u16, weights: &WeightVector, version_key: u64) -> Call {
    Call::new(
        SUBTENSOR_SET_WEIGHTS,
        vec![
            ("netuid", Value::u128(u128::from(netuid))),
            ("dests", u16s(&weights.uids)),
            ("weights", u16s(&weights.values)),
            ("version_key", Value::u128(u128::from(version_key))),
        ],
    )
}

/// `SubtensorModule.commit_weights(netuid, commit_hash)`.
pub fn commit_weights_call(netuid: u16, hash: &[u8; 32]) -> Call {
    Call::new(
        SUBTENSOR_COMMIT_WEIGHTS,
        vec![
            ("netuid", Value::u128(u128::from(netuid))),
            ("commit_hash", Value::from_bytes(hash)),
        ],
    )
}

/// `SubtensorModule.reveal_weights(netuid, uids, values, salt, version_key)`.
pub fn reveal_weights_call(pending: &PendingReveal) -> Call {
    Call::new(
        SUBTENSOR_REVEAL_WEIGHTS,
        vec![
            ("netuid", Value::u128(u128::from(pending.netuid))),
            ("uids", u16s(&pending.weights.uids)),
            ("values", u16s(&pending.weights.values)),
            ("salt", u16s(&pending.salt)),
            ("version_key", Value::u128(u128::from(pending.version_key))),
        ],
    )
}

impl At {
    /// `item` at `keys`, or the entry's declared default.
    async fn value<K, V>(&self, item: UsedItem, keys: K) -> Result<V, ChainError>
    where
        K: IntoEncodableValues + IntoDecodableValues,
        V: DecodeAll,
    {
        let address = subxt::dynamic::storage::<K, Value>(item.owner(), item.name());
        let value = self
            .inner
            .storage()
            .fetch(address, keys)
            .await
            .map_err(|e| ChainError::rpc(format!("reading {}", item_name(item)), e))?;
        decode::<V>(item, value.bytes())
    }

    /// Whether the runtime expects drand-timelocked weight commits (see the module doc).
    pub fn expects_timelocked_commits(&self) -> bool {
        self.inner
            .metadata_ref()
            .pallet_by_name("SubtensorModule")
            .is_some_and(|p| p.call_variant_by_name(TIMELOCKED_COMMIT_CALL).is_some())
    }

    /// The state the weight rules read for `hotkey` on `netuid`.
    pub async fn weight_rules(
        &self,
        netuid: u16,
        hotkey: &[u8; 32],
    ) -> Result<WeightRules, ChainError> {
        let uid = self.uid(netuid, hotkey).await?;
        let last_update: Vec<u64> = self.value(SUBTENSOR_LAST_UPDATE, (netuid,)).await?;
        let permits: Vec<bool> = self.value(SUBTENSOR_VALIDATOR_PERMIT, (netuid,)).await?;
        let index = uid.map(usize::from);
        let alpha: u64 = self
            .value(SUBTENSOR_TOTAL_HOTKEY_ALPHA, (*hotkey, netuid))
            .await?;
        let root_tao: u64 = self
            .value(SUBTENSOR_TOTAL_HOTKEY_ALPHA, (*hotkey, ROOT_NETUID))
            .await?;
        let tao_weight: u64 = self.value(SUBTENSOR_TAO_WEIGHT, ()).await?;
        let owner: [u8; 32] = self.value(SUBTENSOR_SUBNET_OWNER_HOTKEY, (netuid,)).await?;
        let stake_weight = stake_weight_bits(alpha, root_tao, tao_weight) >> 32;
        Ok(WeightRules {
            netuid,
            next_block: u64::from(self.number()) + 1,
            n: self.value(SUBTENSOR_SUBNETWORK_N, (netuid,)).await?,
            uid,
            stake: u64::try_from(stake_weight).unwrap_or(u64::MAX),
            stake_threshold: self.value(SUBTENSOR_STAKE_THRESHOLD, ()).await?,
            is_owner: owner == *hotkey,
            version_key: self.value(SUBTENSOR_WEIGHTS_VERSION_KEY, (netuid,)).await?,
            last_update: index.and_then(|i| last_update.get(i).copied()).unwrap_or(0),
            rate_limit: self
                .value(SUBTENSOR_WEIGHTS_SET_RATE_LIMIT, (netuid,))
                .await?,
            permit: index.and_then(|i| permits.get(i).copied()).unwrap_or(false),
            min_allowed: self.value(SUBTENSOR_MIN_ALLOWED_WEIGHTS, (netuid,)).await?,
            max_weights_limit: self.value(SUBTENSOR_MAX_WEIGHTS_LIMIT, (netuid,)).await?,
            commit_reveal: self
                .value(SUBTENSOR_COMMIT_REVEAL_WEIGHTS_ENABLED, (netuid,))
                .await?,
            tempo: self.value(SUBTENSOR_TEMPO, (netuid,)).await?,
            reveal_period: self
                .value(SUBTENSOR_REVEAL_PERIOD_EPOCHS, (netuid,))
                .await?,
        })
    }
}

/// What [`Client::set_weights`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeightsOutcome {
    /// `set_weights` went through.
    Set {
        /// The weights sent.
        weights: WeightVector,
        /// Where.
        included: Included,
    },
    /// `commit_weights` went through; reveal with [`Client::reveal_pending`] in the window.
    Committed {
        /// The commit as persisted.
        pending: PendingReveal,
        /// Where.
        included: Included,
    },
}

/// What [`Client::reveal_pending`] did with one pending commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevealOutcome {
    /// Revealed; removed from the file.
    Revealed {
        /// The commit.
        pending: PendingReveal,
        /// Where.
        included: Included,
    },
    /// Its window has not opened; kept.
    Waiting {
        /// The commit.
        pending: PendingReveal,
    },
    /// The chain no longer holds it (expired, or never landed); removed.
    Dropped {
        /// The commit.
        pending: PendingReveal,
        /// Why.
        reason: String,
    },
    /// The reveal failed for a reason that may pass (kept for the next try).
    Failed {
        /// The commit.
        pending: PendingReveal,
        /// Why.
        reason: String,
    },
}

/// Whether a failed submission certainly left nothing on chain (so its salt can go).
fn definitely_not_included(err: &ChainError) -> bool {
    matches!(
        err,
        ChainError::Pool { .. }
            | ChainError::Module { .. }
            | ChainError::Dispatch(_)
            | ChainError::NotFinalized(_)
            | ChainError::Input(_)
    )
}

fn random_salt() -> Result<Vec<u16>, ChainError> {
    let mut bytes = [0u8; SALT_LEN * 2];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| ChainError::Input(format!("no randomness for the salt: {e}")))?;
    Ok(bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect())
}

impl Client {
    /// The reveal store of `hotkey` on `netuid` of this chain under `state_dir`.
    pub fn reveal_store(&self, state_dir: &Path, netuid: u16, hotkey: &[u8; 32]) -> RevealStore {
        RevealStore::new(state_dir, &self.genesis_hash(), netuid, hotkey)
    }

    /// Normalises `weights` for `uids`, checks every rule at the best block, then sets them, or
    /// on a commit-reveal subnet commits their hash (salt persisted under `state_dir` first).
    /// `version_key` defaults to the subnet's `WeightsVersionKey`.
    pub async fn set_weights(
        &self,
        netuid: u16,
        hotkey: &Keypair,
        uids: &[u16],
        weights: &[f64],
        version_key: Option<u64>,
        state_dir: &Path,
    ) -> Result<WeightsOutcome, WeightsError> {
        let vector = normalize(uids, weights)?;
        let public = hotkey.public_key();
        let at = self.at_best().await?;
        let rules = at.weight_rules(netuid, &public).await?;
        let version_key = version_key.unwrap_or(rules.version_key);
        rules.check(&vector, version_key, Submission::SetOrCommit)?;
        if !rules.commit_reveal {
            let included = self
                .submit_and_wait(&set_weights_call(netuid, &vector, version_key), hotkey)
                .await?;
            return Ok(WeightsOutcome::Set {
                weights: vector,
                included,
            });
        }
        if at.expects_timelocked_commits() {
            return Err(WeightsError::TimelockRequired { netuid });
        }
        let salt = random_salt()?;
        let hash = commit_hash(&public, netuid, &vector, &salt, version_key);
        let mut pending = PendingReveal {
            netuid,
            weights: vector,
            salt,
            version_key,
            commit_hash: format!("0x{}", hex::encode(hash)),
            commit_block: None,
            reveal_from: None,
            reveal_until: None,
        };
        let store = self.reveal_store(state_dir, netuid, &public);
        let mut all = store.load()?;
        let count = unexpired_commits(&all, rules.next_block);
        if count >= MAX_UNREVEALED_COMMITS {
            return Err(WeightsRefusal::TooManyUnrevealedCommits { netuid, count }.into());
        }
        all.push(pending.clone());
        // Persisted before submitting: a crash after the commit lands must not lose the salt.
        store.save(&all)?;
        let result = self
            .submit_and_wait(&commit_weights_call(netuid, &hash), hotkey)
            .await;
        let included = match result {
            Ok(included) => included,
            Err(err) => {
                if definitely_not_included(&err) {
                    all.retain(|p| p.commit_hash != pending.commit_hash);
                    store.save(&all)?;
                }
                return Err(err.into());
            }
        };
        let window_rules = self
            .at(included.block_hash)
            .await?
            .weight_rules(netuid, &public)
            .await?;
        let (from, until) = window_rules.reveal_window(u64::from(included.block_number));
        pending.commit_block = Some(included.block_number);
        pending.reveal_from = Some(from);
        pending.reveal_until = Some(until);
        for entry in &mut all {
            if entry.commit_hash == pending.commit_hash {
                *entry = pending.clone();
            }
        }
        store.save(&all)?;
        Ok(WeightsOutcome::Committed { pending, included })
    }

    /// Reveals every persisted commit of `hotkey` on `netuid` whose window is open, in commit
    /// order; keeps those not yet due and drops those the chain no longer holds.
    pub async fn reveal_pending(
        &self,
        netuid: u16,
        hotkey: &Keypair,
        state_dir: &Path,
    ) -> Result<Vec<RevealOutcome>, WeightsError> {
        let public = hotkey.public_key();
        let store = self.reveal_store(state_dir, netuid, &public);
        let mut remaining = store.load()?;
        let mut outcomes = Vec::new();
        let mut index = 0;
        while let Some(pending) = remaining.get(index).cloned() {
            let at = self.at_best().await?;
            let rules = at.weight_rules(netuid, &public).await?;
            let outcome = self.reveal_one(&rules, pending, hotkey).await?;
            let keep = matches!(
                outcome,
                RevealOutcome::Waiting { .. } | RevealOutcome::Failed { .. }
            );
            if keep {
                index += 1;
            } else {
                remaining.remove(index);
                store.save(&remaining)?;
            }
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    async fn reveal_one(
        &self,
        rules: &WeightRules,
        pending: PendingReveal,
        hotkey: &Keypair,
    ) -> Result<RevealOutcome, WeightsError> {
        let now = rules.next_block;
        if let (Some(from), Some(until)) = (pending.reveal_from, pending.reveal_until) {
            if now < from {
                return Ok(RevealOutcome::Waiting { pending });
            }
            if now > until {
                let reason = format!("its reveal window (blocks {from}..={until}) has passed");
                return Ok(RevealOutcome::Dropped { pending, reason });
            }
        }
        if let Err(refusal) = rules.check(&pending.weights, pending.version_key, Submission::Reveal)
        {
            let reason = refusal.to_string();
            return Ok(RevealOutcome::Failed { pending, reason });
        }
        match self
            .submit_and_wait(&reveal_weights_call(&pending), hotkey)
            .await
        {
            Ok(included) => Ok(RevealOutcome::Revealed { pending, included }),
            Err(err) => match err.module_error() {
                Some((_, "RevealTooEarly")) => Ok(RevealOutcome::Waiting { pending }),
                Some((
                    _,
                    "NoWeightsCommitFound"
                    | "ExpiredWeightCommit"
                    | "InvalidRevealCommitHashNotMatch",
                )) => Ok(RevealOutcome::Dropped {
                    pending,
                    reason: err.to_string(),
                }),
                _ if definitely_not_included(&err) => Ok(RevealOutcome::Failed {
                    pending,
                    reason: err.to_string(),
                }),
                _ => Err(err.into()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> WeightRules {
        WeightRules {
            netuid: 1,
            next_block: 100,
            n: 4,
            uid: Some(0),
            stake: 1_000,
            stake_threshold: 500,
            is_owner: false,
            version_key: 0,
            last_update: 0,
            rate_limit: 10,
            permit: true,
            min_allowed: 1,
            max_weights_limit: u16::MAX,
            commit_reveal: false,
            tempo: 10,
            reveal_period: 1,
        }
    }

    fn vector(uids: &[u16], values: &[u16]) -> WeightVector {
        WeightVector {
            uids: uids.to_vec(),
            values: values.to_vec(),
        }
    }

    #[test]
    fn normalisation_follows_the_sdk() {
        let v = normalize(&[3, 1, 2], &[0.5, 0.0, 0.25]).unwrap();
        assert_eq!(v, vector(&[3, 2], &[65535, 32768]));
        let v = normalize(&[0, 1], &[1.0, 3.0]).unwrap();
        assert_eq!(v, vector(&[0, 1], &[21845, 65535]));
        // A weight that rounds to zero is dropped too.
        let v = normalize(&[0, 1], &[1.0, 1e-9]).unwrap();
        assert_eq!(v, vector(&[0], &[65535]));
        assert_eq!(
            normalize(&[0, 1], &[0.0, 0.0]),
            Err(WeightsRefusal::AllZero)
        );
        assert!(matches!(
            normalize(&[0], &[f64::NAN]),
            Err(WeightsRefusal::BadWeight { index: 0, .. })
        ));
        assert!(matches!(
            normalize(&[0, 1], &[1.0, -1.0]),
            Err(WeightsRefusal::BadWeight { index: 1, .. })
        ));
        assert_eq!(
            normalize(&[0, 1], &[1.0]),
            Err(WeightsRefusal::LengthMismatch {
                uids: 2,
                weights: 1
            })
        );
        assert_eq!(
            normalize(&[2, 2], &[1.0, 1.0]),
            Err(WeightsRefusal::DuplicateUid { uid: 2 })
        );
    }

    #[test]
    fn each_rule_refuses_with_its_chain_error_name() {
        let ok = vector(&[1, 2], &[1, 1]);
        assert_eq!(rules().check(&ok, 0, Submission::SetOrCommit), Ok(()));
        let cases: Vec<(WeightRules, WeightVector, u64, &str)> = vec![
            (
                WeightRules {
                    netuid: 0,
                    ..rules()
                },
                ok.clone(),
                0,
                "CanNotSetRootNetworkWeights",
            ),
            (
                rules(),
                vector(&[0, 1, 2, 3, 0], &[1; 5]),
                0,
                "UidsLengthExceedUidsInSubNet",
            ),
            (
                WeightRules {
                    uid: None,
                    ..rules()
                },
                ok.clone(),
                0,
                "HotKeyNotRegisteredInSubNet",
            ),
            (
                WeightRules {
                    stake: 499,
                    ..rules()
                },
                ok.clone(),
                0,
                "NotEnoughStakeToSetWeights",
            ),
            (
                WeightRules {
                    version_key: 7,
                    ..rules()
                },
                ok.clone(),
                6,
                "IncorrectWeightVersionKey",
            ),
            (
                WeightRules {
                    last_update: 95,
                    ..rules()
                },
                ok.clone(),
                0,
                "SettingWeightsTooFast",
            ),
            (
                WeightRules {
                    permit: false,
                    ..rules()
                },
                ok.clone(),
                0,
                "NeuronNoValidatorPermit",
            ),
            (rules(), vector(&[1, 1], &[1, 1]), 0, "DuplicateUids"),
            (
                rules(),
                vector(&[1, 9], &[1, 1]),
                0,
                "UidVecContainInvalidOne",
            ),
            (
                WeightRules {
                    min_allowed: 3,
                    ..rules()
                },
                ok.clone(),
                0,
                "WeightVecLengthIsLow",
            ),
            (
                WeightRules {
                    max_weights_limit: 32_768,
                    ..rules()
                },
                vector(&[1, 2], &[1, 3]),
                0,
                "MaxWeightExceeded",
            ),
        ];
        for (r, v, key, name) in cases {
            let err = r.check(&v, key, Submission::SetOrCommit).unwrap_err();
            assert!(err.to_string().contains(name), "{name}: {err}");
        }
        // Exemptions: the owner below the threshold, a self-weight without a permit, a reveal
        // inside the rate limit, a zero network key, and the rate limit's exact edge.
        let owner = WeightRules {
            stake: 0,
            is_owner: true,
            ..rules()
        };
        assert_eq!(owner.check(&ok, 0, Submission::SetOrCommit), Ok(()));
        let no_permit = WeightRules {
            permit: false,
            min_allowed: 3,
            ..rules()
        };
        assert_eq!(
            no_permit.check(&vector(&[0], &[9]), 0, Submission::SetOrCommit),
            Ok(())
        );
        let recent = WeightRules {
            last_update: 95,
            ..rules()
        };
        assert_eq!(recent.check(&ok, 0, Submission::Reveal), Ok(()));
        let edge = WeightRules {
            last_update: 90,
            ..rules()
        };
        assert_eq!(edge.check(&ok, 0, Submission::SetOrCommit), Ok(()));
        let capped = WeightRules {
            max_weights_limit: 32_768,
            ..rules()
        };
        assert_eq!(capped.check(&ok, 0, Submission::SetOrCommit), Ok(()));
    }

    #[test]
    fn reveal_windows_follow_the_epoch_formula() {
        // tempo 10, netuid 1: epoch e spans blocks 11e-2 ..= 11e+8.
        let r = rules();
        assert_eq!((r.epoch(8), r.epoch(9)), (0, 1));
        assert_eq!(r.reveal_window(5), (9, 19));
        assert_eq!(r.reveal_window(9), (20, 30));
        let two = WeightRules {
            reveal_period: 2,
            ..rules()
        };
        assert_eq!(two.reveal_window(5), (20, 30));
    }

    #[test]
    fn the_commit_hash_is_blake2_of_the_scale_tuple() {
        let hotkey = [1u8; 32];
        let mut bytes = hotkey.to_vec();
        bytes.extend_from_slice(&1u16.to_le_bytes());
        bytes.extend_from_slice(&[0x04, 1, 0, 0x04, 7, 0, 0x08, 1, 0, 2, 0]);
        bytes.extend_from_slice(&0u64.to_le_bytes());
        assert_eq!(
            commit_hash(&hotkey, 1, &vector(&[1], &[7]), &[1, 2], 0),
            blake2_256(&bytes)
        );
    }

    #[test]
    fn only_commits_the_chain_still_holds_count_towards_the_limit() {
        let commit = |until: Option<u64>| PendingReveal {
            netuid: 1,
            weights: vector(&[1], &[65535]),
            salt: vec![1],
            version_key: 0,
            commit_hash: "0x00".into(),
            commit_block: until.map(|_| 1),
            reveal_from: until.map(|u| u - 10),
            reveal_until: until,
        };
        let pending = [
            commit(Some(99)),
            commit(Some(100)),
            commit(None),
            commit(Some(500)),
        ];
        // At block 100 the first has expired; the in-flight one counts.
        assert_eq!(unexpired_commits(&pending, 100), 3);
        assert_eq!(unexpired_commits(&pending, 501), 1);
        let refusal = WeightsRefusal::TooManyUnrevealedCommits {
            netuid: 3,
            count: MAX_UNREVEALED_COMMITS,
        };
        let text = refusal.to_string();
        assert!(text.contains("10 commits on subnet 3"), "{text}");
        assert!(text.ends_with("(TooManyUnrevealedCommits)"), "{text}");
    }

    #[test]
    fn the_store_round_trips_atomically_and_refuses_another_chains_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = RevealStore::new(dir.path(), &[9; 32], 1, &[4; 32]);
        assert_eq!(store.load().unwrap(), Vec::new());
        let pending = PendingReveal {
            netuid: 1,
            weights: vector(&[1], &[65535]),
            salt: vec![1, 2, 3],
            version_key: 5,
            commit_hash: "0x00".into(),
            commit_block: Some(7),
            reveal_from: Some(9),
            reveal_until: Some(19),
        };
        store.save(std::slice::from_ref(&pending)).unwrap();
        assert_eq!(store.load().unwrap(), vec![pending.clone()]);
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
        let other = RevealStore::new(dir.path(), &[9; 32], 1, &[4; 32]);
        std::fs::write(
            other.path(),
            std::fs::read_to_string(store.path())
                .unwrap()
                .replace(&hex::encode([4u8; 32]), &hex::encode([5u8; 32])),
        )
        .unwrap();
        let err = other.load().unwrap_err().to_string();
        assert!(err.contains("written for chain"), "{err}");
        std::fs::write(store.path(), "{").unwrap();
        assert!(
            store
                .load()
                .unwrap_err()
                .to_string()
                .starts_with("reveal state")
        );
        store.save(&[]).unwrap();
        assert!(!store.path().exists());
    }
}
