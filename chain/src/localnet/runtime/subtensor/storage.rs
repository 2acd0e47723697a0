//! `SubtensorModule` storage exactly as finney spec 393 lays it out: pallet prefix
//! `SubtensorModule`, the entry names, the hashers in key order, the value types and the
//! `ValueQuery` defaults (checked against `chain/spec393-SubtensorModule_storage.txt` by a test),
//! so that a client reading raw storage sees what it would on finney.
//!
//! Each entry is a typed constant ([`Value`], [`Map`], [`OptMap`]) that builds its keys and
//! decodes its values; the rest of the pallet never spells a key by hand. Also here: the
//! read-side helpers other modules use ([`subnet_exists`], [`tempo`], [`uid_of`]) and
//! [`neurons`], one [`NeuronState`] per uid for the runtime APIs.

use std::marker::PhantomData;

use nya_metadata::runtime::types::{AccountId32, AxonInfo, H256};
use parity_scale_codec::{Decode, Encode, Output};

use crate::localnet::state::{CorruptValue, Overlay, StorageRead, get_decoded, key};

/// The pallet's storage prefix.
pub const PALLET: &str = "SubtensorModule";

pub use nya_metadata::runtime::storage::ROOT_NETUID;

/// A storage hasher of the metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hasher {
    /// The encoded key as is.
    Identity,
    /// 16-byte blake2 of the encoded key, then the key.
    Blake2_128Concat,
    /// 8-byte xxhash of the encoded key, then the key.
    Twox64Concat,
}

impl Hasher {
    /// The metadata's name for the hasher.
    pub fn name(self) -> &'static str {
        match self {
            Hasher::Identity => "Identity",
            Hasher::Blake2_128Concat => "Blake2_128Concat",
            Hasher::Twox64Concat => "Twox64Concat",
        }
    }

    fn append(self, out: &mut Vec<u8>, encoded: &[u8]) {
        let part = Encoded(encoded);
        match self {
            Hasher::Identity => key::identity(out, &part),
            Hasher::Blake2_128Concat => key::blake2_128_concat(out, &part),
            Hasher::Twox64Concat => key::twox_64_concat(out, &part),
        }
    }
}

/// Bytes that are already SCALE-encoded (so the key builders hash them as they are).
struct Encoded<'a>(&'a [u8]);

impl Encode for Encoded<'_> {
    fn size_hint(&self) -> usize {
        self.0.len()
    }

    fn encode_to<T: Output + ?Sized>(&self, dest: &mut T) {
        dest.write(self.0);
    }
}

/// A key of a storage map: one encoded part per hasher.
pub trait StorageKey {
    /// How many parts (hashers) the key has.
    const ARITY: usize;
    /// The encoded parts, in key order.
    fn parts(&self) -> Vec<Vec<u8>>;
}

macro_rules! scalar_key {
    ($($t:ty),*) => {$(
        impl StorageKey for $t {
            const ARITY: usize = 1;
            fn parts(&self) -> Vec<Vec<u8>> {
                vec![self.encode()]
            }
        }
    )*};
}
scalar_key!(u16, u64, AccountId32);

impl<A: StorageKey, B: StorageKey> StorageKey for (A, B) {
    const ARITY: usize = A::ARITY + B::ARITY;
    fn parts(&self) -> Vec<Vec<u8>> {
        let mut parts = self.0.parts();
        parts.extend(self.1.parts());
        parts
    }
}

impl<A: StorageKey, B: StorageKey, C: StorageKey> StorageKey for (A, B, C) {
    const ARITY: usize = A::ARITY + B::ARITY + C::ARITY;
    fn parts(&self) -> Vec<Vec<u8>> {
        let mut parts = self.0.parts();
        parts.extend(self.1.parts());
        parts.extend(self.2.parts());
        parts
    }
}

fn map_key(name: &str, hashers: &[Hasher], parts: Vec<Vec<u8>>) -> Vec<u8> {
    let mut out = key::prefix(PALLET, name);
    for (hasher, part) in hashers.iter().zip(parts) {
        hasher.append(&mut out, &part);
    }
    out
}

/// A plain `ValueQuery` entry.
pub struct Value<V> {
    /// Entry name.
    pub name: &'static str,
    /// Value when absent.
    pub default: V,
}

impl<V: Encode + Decode + Clone> Value<V> {
    /// The storage key.
    pub fn key(&self) -> Vec<u8> {
        key::prefix(PALLET, self.name)
    }

    /// The value, or the default when absent.
    pub fn get(&self, state: &(impl StorageRead + ?Sized)) -> Result<V, CorruptValue> {
        Ok(get_decoded(state, &self.key())?.unwrap_or_else(|| self.default.clone()))
    }

    /// Writes the value.
    pub fn set(&self, state: &mut Overlay<'_>, value: &V) {
        state.set(self.key(), value);
    }
}

/// A `ValueQuery` map.
pub struct Map<K, V> {
    /// Entry name.
    pub name: &'static str,
    /// Hashers, in key order.
    pub hashers: &'static [Hasher],
    /// Value when absent.
    pub default: V,
    key: PhantomData<fn(K)>,
}

impl<K, V> Map<K, V> {
    /// An entry description.
    pub const fn new(name: &'static str, hashers: &'static [Hasher], default: V) -> Map<K, V> {
        Map {
            name,
            hashers,
            default,
            key: PhantomData,
        }
    }
}

impl<K: StorageKey, V: Encode + Decode + Clone> Map<K, V> {
    /// The storage key of `k`.
    pub fn key(&self, k: &K) -> Vec<u8> {
        map_key(self.name, self.hashers, k.parts())
    }

    /// The entry's prefix (all its keys start with it).
    pub fn prefix(&self) -> Vec<u8> {
        key::prefix(PALLET, self.name)
    }

    /// The value at `k`, or the default when absent.
    pub fn get(&self, state: &(impl StorageRead + ?Sized), k: &K) -> Result<V, CorruptValue> {
        Ok(get_decoded(state, &self.key(k))?.unwrap_or_else(|| self.default.clone()))
    }

    /// Whether `k` holds a value.
    pub fn contains(&self, state: &(impl StorageRead + ?Sized), k: &K) -> bool {
        state.get(&self.key(k)).is_some()
    }

    /// Writes the value at `k`.
    pub fn set(&self, state: &mut Overlay<'_>, k: &K, value: &V) {
        state.set(self.key(k), value);
    }

    /// Deletes `k`.
    pub fn remove(&self, state: &mut Overlay<'_>, k: &K) {
        state.remove(self.key(k));
    }

    /// Reads, changes and writes back the value at `k`.
    pub fn update(
        &self,
        state: &mut Overlay<'_>,
        k: &K,
        change: impl FnOnce(&mut V),
    ) -> Result<(), CorruptValue> {
        let mut value = self.get(state, k)?;
        change(&mut value);
        self.set(state, k, &value);
        Ok(())
    }
}

/// An `OptionQuery` map (absent means `None`).
pub struct OptMap<K, V> {
    /// Entry name.
    pub name: &'static str,
    /// Hashers, in key order.
    pub hashers: &'static [Hasher],
    entry: PhantomData<fn(K) -> V>,
}

impl<K, V> OptMap<K, V> {
    /// An entry description.
    pub const fn new(name: &'static str, hashers: &'static [Hasher]) -> OptMap<K, V> {
        OptMap {
            name,
            hashers,
            entry: PhantomData,
        }
    }
}

impl<K: StorageKey, V: Encode + Decode> OptMap<K, V> {
    /// The storage key of `k`.
    pub fn key(&self, k: &K) -> Vec<u8> {
        map_key(self.name, self.hashers, k.parts())
    }

    /// The value at `k`, if any.
    pub fn get(
        &self,
        state: &(impl StorageRead + ?Sized),
        k: &K,
    ) -> Result<Option<V>, CorruptValue> {
        get_decoded(state, &self.key(k))
    }

    /// Writes the value at `k`.
    pub fn set(&self, state: &mut Overlay<'_>, k: &K, value: &V) {
        state.set(self.key(k), value);
    }

    /// Deletes `k`.
    pub fn remove(&self, state: &mut Overlay<'_>, k: &K) {
        state.remove(self.key(k));
    }
}

/// `substrate_fixed::FixedU128<U64>` (`U64F64`) as stored: the raw bits, SCALE-encoded as `u128`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Encode, Decode)]
pub struct U64F64(pub u128);

impl U64F64 {
    /// A whole number.
    pub fn from_int(value: u64) -> U64F64 {
        U64F64(u128::from(value) << 64)
    }

    /// The integer part.
    pub fn int(self) -> u64 {
        u64::try_from(self.0 >> 64).unwrap_or(u64::MAX)
    }
}

/// One `WeightCommits` entry: (commit hash, commit block, first reveal block, last reveal block).
pub type WeightCommit = (H256, u64, u64, u64);

use Hasher::{Blake2_128Concat as B2, Identity as Id, Twox64Concat as Tx};

const NET: &[Hasher] = &[Id];
const NET_UID: &[Hasher] = &[Id, Id];
const NET_ACCOUNT: &[Hasher] = &[Id, B2];
const ACCOUNT: &[Hasher] = &[B2];
const ACCOUNT_NET: &[Hasher] = &[B2, Id];
const HOT_COLD_NET: &[Hasher] = &[B2, B2, Id];

// ---- Global values.

/// `StakeThreshold`: stake a hotkey needs to set weights.
pub const STAKE_THRESHOLD: Value<u64> = Value {
    name: "StakeThreshold",
    default: 0,
};
/// `TotalNetworks`: number of subnets.
pub const TOTAL_NETWORKS: Value<u16> = Value {
    name: "TotalNetworks",
    default: 0,
};
/// `TotalStake`: TAO staked, all subnets.
pub const TOTAL_STAKE: Value<u64> = Value {
    name: "TotalStake",
    default: 0,
};
/// `BlockEmission`: alpha a subnet emits per block (1 TAO-sized unit).
pub const BLOCK_EMISSION: Value<u64> = Value {
    name: "BlockEmission",
    default: 1_000_000_000,
};
/// `SubnetOwnerCut`: the owner's share of emission, as a fraction of `u16::MAX` (18%).
pub const SUBNET_OWNER_CUT: Value<u16> = Value {
    name: "SubnetOwnerCut",
    default: 11_796,
};
/// `MinActivityCutoff`: the lowest `ActivityCutoff` the setters accept.
pub const MIN_ACTIVITY_CUTOFF: Value<u16> = Value {
    name: "MinActivityCutoff",
    default: 360,
};

// ---- Per subnet (netuid, Identity).

/// `NetworksAdded`: the subnet exists.
pub const NETWORKS_ADDED: Map<u16, bool> = Map::new("NetworksAdded", NET, false);
/// `SubnetworkN`: registered neurons.
pub const SUBNETWORK_N: Map<u16, u16> = Map::new("SubnetworkN", NET, 0);
/// `Tempo`: blocks between epochs, less one.
pub const TEMPO: Map<u16, u16> = Map::new("Tempo", NET, 360);
/// `NetworkRegistrationAllowed`.
pub const NETWORK_REGISTRATION_ALLOWED: Map<u16, bool> =
    Map::new("NetworkRegistrationAllowed", NET, true);
/// `NetworkPowRegistrationAllowed`.
pub const NETWORK_POW_REGISTRATION_ALLOWED: Map<u16, bool> =
    Map::new("NetworkPowRegistrationAllowed", NET, true);
/// `NetworkRegisteredAt`: block the subnet was created.
pub const NETWORK_REGISTERED_AT: Map<u16, u64> = Map::new("NetworkRegisteredAt", NET, 0);
/// `SubnetOwner`: owner coldkey.
pub const SUBNET_OWNER: Map<u16, AccountId32> = Map::new("SubnetOwner", NET, AccountId32([0; 32]));
/// `SubnetOwnerHotkey`: owner hotkey.
pub const SUBNET_OWNER_HOTKEY: Map<u16, AccountId32> =
    Map::new("SubnetOwnerHotkey", NET, AccountId32([0; 32]));
/// `ServingRateLimit`: blocks between two `serve_axon` of one hotkey.
pub const SERVING_RATE_LIMIT: Map<u16, u64> = Map::new("ServingRateLimit", NET, 50);
/// `Rho`.
pub const RHO: Map<u16, u16> = Map::new("Rho", NET, 10);
/// `Kappa`: the consensus majority, as a fraction of `u16::MAX`.
pub const KAPPA: Map<u16, u16> = Map::new("Kappa", NET, 32_767);
/// `RegistrationsThisInterval`.
pub const REGISTRATIONS_THIS_INTERVAL: Map<u16, u16> =
    Map::new("RegistrationsThisInterval", NET, 0);
/// `POWRegistrationsThisInterval`.
pub const POW_REGISTRATIONS_THIS_INTERVAL: Map<u16, u16> =
    Map::new("POWRegistrationsThisInterval", NET, 0);
/// `BurnRegistrationsThisInterval`.
pub const BURN_REGISTRATIONS_THIS_INTERVAL: Map<u16, u16> =
    Map::new("BurnRegistrationsThisInterval", NET, 0);
/// `MaxAllowedUids`.
pub const MAX_ALLOWED_UIDS: Map<u16, u16> = Map::new("MaxAllowedUids", NET, 256);
/// `ImmunityPeriod`: blocks a new neuron cannot be pruned.
pub const IMMUNITY_PERIOD: Map<u16, u16> = Map::new("ImmunityPeriod", NET, 4096);
/// `ActivityCutoff`: blocks without weights before a neuron counts as inactive.
pub const ACTIVITY_CUTOFF: Map<u16, u16> = Map::new("ActivityCutoff", NET, 5000);
/// `MaxWeightsLimit`: largest normalised weight, as a fraction of `u16::MAX`.
pub const MAX_WEIGHTS_LIMIT: Map<u16, u16> = Map::new("MaxWeightsLimit", NET, u16::MAX);
/// `WeightsVersionKey`: the lowest version key `set_weights` accepts.
pub const WEIGHTS_VERSION_KEY: Map<u16, u64> = Map::new("WeightsVersionKey", NET, 0);
/// `MinAllowedWeights`.
pub const MIN_ALLOWED_WEIGHTS: Map<u16, u16> = Map::new("MinAllowedWeights", NET, 1024);
/// `MaxAllowedValidators`: validator permits per subnet.
pub const MAX_ALLOWED_VALIDATORS: Map<u16, u16> = Map::new("MaxAllowedValidators", NET, 128);
/// `AdjustmentInterval`: blocks between registration-cost adjustments.
pub const ADJUSTMENT_INTERVAL: Map<u16, u16> = Map::new("AdjustmentInterval", NET, 100);
/// `BondsMovingAverage`.
pub const BONDS_MOVING_AVERAGE: Map<u16, u64> = Map::new("BondsMovingAverage", NET, 900_000);
/// `WeightsSetRateLimit`: blocks between two weight settings of one uid.
pub const WEIGHTS_SET_RATE_LIMIT: Map<u16, u64> = Map::new("WeightsSetRateLimit", NET, 100);
/// `TargetRegistrationsPerInterval`.
pub const TARGET_REGISTRATIONS_PER_INTERVAL: Map<u16, u16> =
    Map::new("TargetRegistrationsPerInterval", NET, 2);
/// `AdjustmentAlpha`: smoothing of the burn adjustment, as a fraction of `u64::MAX`.
pub const ADJUSTMENT_ALPHA: Map<u16, u64> = Map::new("AdjustmentAlpha", NET, 0);
/// `CommitRevealWeightsEnabled`.
pub const COMMIT_REVEAL_WEIGHTS_ENABLED: Map<u16, bool> =
    Map::new("CommitRevealWeightsEnabled", NET, true);
/// `Burn`: registration cost in rao.
pub const BURN: Map<u16, u64> = Map::new("Burn", NET, 100_000_000);
/// `Difficulty` (proof of work; unused since registration always burns).
pub const DIFFICULTY: Map<u16, u64> = Map::new("Difficulty", NET, 10_000_000);
/// `MinBurn`.
pub const MIN_BURN: Map<u16, u64> = Map::new("MinBurn", NET, 500_000);
/// `MaxBurn`.
pub const MAX_BURN: Map<u16, u64> = Map::new("MaxBurn", NET, 100_000_000_000);
/// `MinDifficulty`.
pub const MIN_DIFFICULTY: Map<u16, u64> = Map::new("MinDifficulty", NET, 10_000_000);
/// `MaxDifficulty`.
pub const MAX_DIFFICULTY: Map<u16, u64> = Map::new("MaxDifficulty", NET, u64::MAX / 4);
/// `LastAdjustmentBlock`.
pub const LAST_ADJUSTMENT_BLOCK: Map<u16, u64> = Map::new("LastAdjustmentBlock", NET, 0);
/// `RegistrationsThisBlock`.
pub const REGISTRATIONS_THIS_BLOCK: Map<u16, u16> = Map::new("RegistrationsThisBlock", NET, 0);
/// `MaxRegistrationsPerBlock`.
pub const MAX_REGISTRATIONS_PER_BLOCK: Map<u16, u16> = Map::new("MaxRegistrationsPerBlock", NET, 1);
/// `RAORecycledForRegistration`.
pub const RAO_RECYCLED_FOR_REGISTRATION: Map<u16, u64> =
    Map::new("RAORecycledForRegistration", NET, 0);
/// `SubtokenEnabled`: staking is open (set when the subnet starts).
pub const SUBTOKEN_ENABLED: Map<u16, bool> = Map::new("SubtokenEnabled", NET, false);
/// `ImmuneOwnerUidsLimit`: how many of the owner's hotkeys are never pruned.
pub const IMMUNE_OWNER_UIDS_LIMIT: Map<u16, u16> = Map::new("ImmuneOwnerUidsLimit", NET, 1);
/// `FirstEmissionBlockNumber`.
pub const FIRST_EMISSION_BLOCK_NUMBER: OptMap<u16, u64> =
    OptMap::new("FirstEmissionBlockNumber", NET);
/// `PendingServerEmission`: alpha for miners, paid at the next epoch.
pub const PENDING_SERVER_EMISSION: Map<u16, u64> = Map::new("PendingServerEmission", NET, 0);
/// `PendingValidatorEmission`: alpha for validators, paid at the next epoch.
pub const PENDING_VALIDATOR_EMISSION: Map<u16, u64> = Map::new("PendingValidatorEmission", NET, 0);
/// `PendingOwnerCut`: alpha for the owner, paid at the next epoch.
pub const PENDING_OWNER_CUT: Map<u16, u64> = Map::new("PendingOwnerCut", NET, 0);
/// `BlocksSinceLastStep`.
pub const BLOCKS_SINCE_LAST_STEP: Map<u16, u64> = Map::new("BlocksSinceLastStep", NET, 0);
/// `LastMechansimStepBlock` (sic): block of the last epoch.
pub const LAST_MECHANISM_STEP_BLOCK: Map<u16, u64> = Map::new("LastMechansimStepBlock", NET, 0);
/// `SubnetTAO`: TAO staked into the subnet.
pub const SUBNET_TAO: Map<u16, u64> = Map::new("SubnetTAO", NET, 0);
/// `SubnetAlphaOut`: alpha held by stakers.
pub const SUBNET_ALPHA_OUT: Map<u16, u64> = Map::new("SubnetAlphaOut", NET, 0);
/// `Active`, one flag per uid.
pub const ACTIVE: Map<u16, Vec<bool>> = Map::new("Active", NET, Vec::new());
/// `Rank`, one `u16` proportion per uid.
pub const RANK: Map<u16, Vec<u16>> = Map::new("Rank", NET, Vec::new());
/// `Trust`.
pub const TRUST: Map<u16, Vec<u16>> = Map::new("Trust", NET, Vec::new());
/// `Consensus`.
pub const CONSENSUS: Map<u16, Vec<u16>> = Map::new("Consensus", NET, Vec::new());
/// `Incentive` (keyed by the mechanism storage index, the netuid for mechanism 0).
pub const INCENTIVE: Map<u16, Vec<u16>> = Map::new("Incentive", NET, Vec::new());
/// `Dividends`.
pub const DIVIDENDS: Map<u16, Vec<u16>> = Map::new("Dividends", NET, Vec::new());
/// `Emission`: alpha each uid received at the last epoch.
pub const EMISSION: Map<u16, Vec<u64>> = Map::new("Emission", NET, Vec::new());
/// `LastUpdate`: block each uid last set (or committed) weights (mechanism storage index).
pub const LAST_UPDATE: Map<u16, Vec<u64>> = Map::new("LastUpdate", NET, Vec::new());
/// `ValidatorTrust`.
pub const VALIDATOR_TRUST: Map<u16, Vec<u16>> = Map::new("ValidatorTrust", NET, Vec::new());
/// `PruningScores`.
pub const PRUNING_SCORES: Map<u16, Vec<u16>> = Map::new("PruningScores", NET, Vec::new());
/// `ValidatorPermit`.
pub const VALIDATOR_PERMIT: Map<u16, Vec<bool>> = Map::new("ValidatorPermit", NET, Vec::new());

// ---- Per subnet, Twox64Concat.

/// `RevealPeriodEpochs`: epochs between a commit and its reveal.
pub const REVEAL_PERIOD_EPOCHS: Map<u16, u64> = Map::new("RevealPeriodEpochs", &[Tx], 1);
/// `MechanismCountCurrent`: mechanisms of the subnet.
pub const MECHANISM_COUNT_CURRENT: Map<u16, u8> = Map::new("MechanismCountCurrent", &[Tx], 1);

// ---- Per (netuid, uid).

/// `Keys`: hotkey of a uid.
pub const KEYS: Map<(u16, u16), AccountId32> = Map::new("Keys", NET_UID, AccountId32([0; 32]));
/// `BlockAtRegistration`.
pub const BLOCK_AT_REGISTRATION: Map<(u16, u16), u64> = Map::new("BlockAtRegistration", NET_UID, 0);
/// `Weights`: (target uid, max-upscaled weight) set by a uid (mechanism storage index).
pub const WEIGHTS: Map<(u16, u16), Vec<(u16, u16)>> = Map::new("Weights", NET_UID, Vec::new());
/// `Bonds` (cleared for a replaced uid; this epoch keeps no bonds).
pub const BONDS: Map<(u16, u16), Vec<(u16, u16)>> = Map::new("Bonds", NET_UID, Vec::new());

// ---- Per (netuid, hotkey).

/// `Uids`: uid of a hotkey.
pub const UIDS: OptMap<(u16, AccountId32), u16> = OptMap::new("Uids", NET_ACCOUNT);
/// `Axons`.
pub const AXONS: OptMap<(u16, AccountId32), AxonInfo> = OptMap::new("Axons", NET_ACCOUNT);
/// `AlphaDividendsPerSubnet`: alpha dividends of a hotkey at the last epoch.
pub const ALPHA_DIVIDENDS_PER_SUBNET: Map<(u16, AccountId32), u64> =
    Map::new("AlphaDividendsPerSubnet", NET_ACCOUNT, 0);
/// `WeightCommits` (mechanism storage index, hotkey), both Twox64Concat.
pub const WEIGHT_COMMITS: OptMap<(u16, AccountId32), Vec<WeightCommit>> =
    OptMap::new("WeightCommits", &[Tx, Tx]);

// ---- Per account.

/// `Owner`: coldkey of a hotkey.
pub const OWNER: Map<AccountId32, AccountId32> = Map::new("Owner", ACCOUNT, AccountId32([0; 32]));
/// `OwnedHotkeys`: hotkeys of a coldkey.
pub const OWNED_HOTKEYS: Map<AccountId32, Vec<AccountId32>> =
    Map::new("OwnedHotkeys", ACCOUNT, Vec::new());
/// `StakingHotkeys`: hotkeys a coldkey stakes on.
pub const STAKING_HOTKEYS: Map<AccountId32, Vec<AccountId32>> =
    Map::new("StakingHotkeys", ACCOUNT, Vec::new());

// ---- Per (hotkey, netuid).

/// `TotalHotkeyAlpha`: alpha staked on a hotkey in a subnet.
pub const TOTAL_HOTKEY_ALPHA: Map<(AccountId32, u16), u64> =
    Map::new("TotalHotkeyAlpha", ACCOUNT_NET, 0);
/// `TotalHotkeyShares`: the hotkey's share-pool denominator.
pub const TOTAL_HOTKEY_SHARES: Map<(AccountId32, u16), U64F64> =
    Map::new("TotalHotkeyShares", ACCOUNT_NET, U64F64(0));
/// `IsNetworkMember`.
pub const IS_NETWORK_MEMBER: Map<(AccountId32, u16), bool> =
    Map::new("IsNetworkMember", ACCOUNT_NET, false);

// ---- Per (hotkey, coldkey, netuid).

/// `Alpha`: a coldkey's shares in a hotkey's pool on a subnet.
pub const ALPHA: Map<(AccountId32, AccountId32, u16), U64F64> =
    Map::new("Alpha", HOT_COLD_NET, U64F64(0));
/// `StakingOperationRateLimiter`: set by a stake in this block, blocks an unstake.
pub const STAKING_OPERATION_RATE_LIMITER: Map<(AccountId32, AccountId32, u16), bool> =
    Map::new("StakingOperationRateLimiter", HOT_COLD_NET, false);

/// Every existing subnet, in netuid order.
pub fn all_netuids(state: &(impl StorageRead + ?Sized)) -> Result<Vec<u16>, CorruptValue> {
    let prefix = NETWORKS_ADDED.prefix();
    let mut netuids = Vec::new();
    for (raw_key, value) in state.prefix_pairs(&prefix) {
        let added = bool::decode(&mut value.as_slice()).map_err(|e| CorruptValue {
            key: hex::encode(&raw_key),
            type_name: "bool",
            reason: e.to_string(),
        })?;
        // An Identity-hashed u16 key: the two little-endian bytes after the prefix.
        let netuid = raw_key
            .get(prefix.len()..)
            .and_then(|mut rest| u16::decode(&mut rest).ok());
        match netuid {
            Some(netuid) if added => netuids.push(netuid),
            Some(_) => {}
            None => {
                return Err(CorruptValue {
                    key: hex::encode(&raw_key),
                    type_name: "NetworksAdded key (u16)",
                    reason: "key does not end in a netuid".into(),
                });
            }
        }
    }
    Ok(netuids)
}

/// Whether subnet `netuid` exists (`NetworksAdded`).
pub fn subnet_exists(
    state: &(impl StorageRead + ?Sized),
    netuid: u16,
) -> Result<bool, CorruptValue> {
    NETWORKS_ADDED.get(state, &netuid)
}

/// The subnet's tempo.
pub fn tempo(state: &(impl StorageRead + ?Sized), netuid: u16) -> Result<u16, CorruptValue> {
    TEMPO.get(state, &netuid)
}

/// The uid of `hotkey` on `netuid`, if registered.
pub fn uid_of(
    state: &(impl StorageRead + ?Sized),
    netuid: u16,
    hotkey: &AccountId32,
) -> Result<Option<u16>, CorruptValue> {
    UIDS.get(state, &(netuid, *hotkey))
}

/// The hotkey at `uid` on `netuid`, if the uid is in use.
pub fn hotkey_of(
    state: &(impl StorageRead + ?Sized),
    netuid: u16,
    uid: u16,
) -> Result<Option<AccountId32>, CorruptValue> {
    let k = (netuid, uid);
    if KEYS.contains(state, &k) {
        KEYS.get(state, &k).map(Some)
    } else {
        Ok(None)
    }
}

/// Sets element `index` of a per-uid vector, when it exists (the chain's `set_element_at`).
pub fn set_at<T>(values: &mut [T], index: u16, value: T) {
    if let Some(slot) = values.get_mut(usize::from(index)) {
        *slot = value;
    }
}

/// Element `index` of a per-uid vector, or `fallback` past its end.
pub fn at<T: Copy>(values: &[T], index: u16, fallback: T) -> T {
    values.get(usize::from(index)).copied().unwrap_or(fallback)
}

/// One neuron of a subnet as the metagraph shows it (what `NeuronInfoLite` and the metagraph
/// runtime APIs report). Proportions are `u16` fractions of `u16::MAX`; amounts are in rao.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeuronState {
    /// Position in the subnet.
    pub uid: u16,
    /// The neuron's hotkey.
    pub hotkey: AccountId32,
    /// The coldkey owning the hotkey (`Owner`).
    pub coldkey: AccountId32,
    /// Set weights within `ActivityCutoff` blocks at the last epoch.
    pub active: bool,
    /// The served endpoint (all zero when never served).
    pub axon: AxonInfo,
    /// Alpha staked on the hotkey in this subnet (`TotalHotkeyAlpha`).
    pub stake: u64,
    /// Rank at the last epoch.
    pub rank: u16,
    /// Alpha emitted to the uid at the last epoch.
    pub emission: u64,
    /// Incentive at the last epoch.
    pub incentive: u16,
    /// Consensus at the last epoch.
    pub consensus: u16,
    /// Trust at the last epoch.
    pub trust: u16,
    /// Validator trust at the last epoch.
    pub validator_trust: u16,
    /// Dividends at the last epoch.
    pub dividends: u16,
    /// Block the uid last set or committed weights (its registration block before that).
    pub last_update: u64,
    /// May set weights on other uids.
    pub validator_permit: bool,
    /// Pruning score (lowest is replaced first when the subnet is full).
    pub pruning_score: u16,
    /// Block the hotkey registered at this uid.
    pub block_at_registration: u64,
}

/// Every neuron of `netuid`, by uid (empty for a subnet that does not exist).
pub fn neurons(
    state: &(impl StorageRead + ?Sized),
    netuid: u16,
) -> Result<Vec<NeuronState>, CorruptValue> {
    let n = SUBNETWORK_N.get(state, &netuid)?;
    let active = ACTIVE.get(state, &netuid)?;
    let rank = RANK.get(state, &netuid)?;
    let trust = TRUST.get(state, &netuid)?;
    let consensus = CONSENSUS.get(state, &netuid)?;
    let incentive = INCENTIVE.get(state, &netuid)?;
    let dividends = DIVIDENDS.get(state, &netuid)?;
    let emission = EMISSION.get(state, &netuid)?;
    let last_update = LAST_UPDATE.get(state, &netuid)?;
    let validator_trust = VALIDATOR_TRUST.get(state, &netuid)?;
    let pruning = PRUNING_SCORES.get(state, &netuid)?;
    let permits = VALIDATOR_PERMIT.get(state, &netuid)?;
    let mut out = Vec::with_capacity(usize::from(n));
    for uid in 0..n {
        let Some(hotkey) = hotkey_of(state, netuid, uid)? else {
            continue;
        };
        out.push(NeuronState {
            uid,
            hotkey,
            coldkey: OWNER.get(state, &hotkey)?,
            active: at(&active, uid, false),
            axon: AXONS.get(state, &(netuid, hotkey))?.unwrap_or_default(),
            stake: TOTAL_HOTKEY_ALPHA.get(state, &(hotkey, netuid))?,
            rank: at(&rank, uid, 0),
            emission: at(&emission, uid, 0),
            incentive: at(&incentive, uid, 0),
            consensus: at(&consensus, uid, 0),
            trust: at(&trust, uid, 0),
            validator_trust: at(&validator_trust, uid, 0),
            dividends: at(&dividends, uid, 0),
            last_update: at(&last_update, uid, 0),
            validator_permit: at(&permits, uid, false),
            pruning_score: at(&pruning, uid, 0),
            block_at_registration: BLOCK_AT_REGISTRATION.get(state, &(netuid, uid))?,
        });
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::localnet::state::MemoryState;

    /// Name, modifier, hashers, key arity and default bytes of one entry.
    struct Described {
        name: &'static str,
        optional: bool,
        hashers: Vec<&'static str>,
        arity: usize,
        default: Vec<u8>,
    }

    fn value<V: Encode>(v: &Value<V>) -> Described {
        Described {
            name: v.name,
            optional: false,
            hashers: Vec::new(),
            arity: 0,
            default: v.default.encode(),
        }
    }

    fn map<K: StorageKey, V: Encode>(m: &Map<K, V>) -> Described {
        Described {
            name: m.name,
            optional: false,
            hashers: m.hashers.iter().map(|h| h.name()).collect(),
            arity: K::ARITY,
            default: m.default.encode(),
        }
    }

    fn opt<K: StorageKey, V>(m: &OptMap<K, V>) -> Described {
        Described {
            name: m.name,
            optional: true,
            hashers: m.hashers.iter().map(|h| h.name()).collect(),
            arity: K::ARITY,
            default: vec![0],
        }
    }

    fn every_entry() -> Vec<Described> {
        vec![
            value(&STAKE_THRESHOLD),
            value(&TOTAL_NETWORKS),
            value(&TOTAL_STAKE),
            value(&BLOCK_EMISSION),
            value(&SUBNET_OWNER_CUT),
            value(&MIN_ACTIVITY_CUTOFF),
            map(&NETWORKS_ADDED),
            map(&SUBNETWORK_N),
            map(&TEMPO),
            map(&NETWORK_REGISTRATION_ALLOWED),
            map(&NETWORK_POW_REGISTRATION_ALLOWED),
            map(&NETWORK_REGISTERED_AT),
            map(&SUBNET_OWNER),
            map(&SUBNET_OWNER_HOTKEY),
            map(&SERVING_RATE_LIMIT),
            map(&RHO),
            map(&KAPPA),
            map(&REGISTRATIONS_THIS_INTERVAL),
            map(&POW_REGISTRATIONS_THIS_INTERVAL),
            map(&BURN_REGISTRATIONS_THIS_INTERVAL),
            map(&MAX_ALLOWED_UIDS),
            map(&IMMUNITY_PERIOD),
            map(&ACTIVITY_CUTOFF),
            map(&MAX_WEIGHTS_LIMIT),
            map(&WEIGHTS_VERSION_KEY),
            map(&MIN_ALLOWED_WEIGHTS),
            map(&MAX_ALLOWED_VALIDATORS),
            map(&ADJUSTMENT_INTERVAL),
            map(&BONDS_MOVING_AVERAGE),
            map(&WEIGHTS_SET_RATE_LIMIT),
            map(&TARGET_REGISTRATIONS_PER_INTERVAL),
            map(&ADJUSTMENT_ALPHA),
            map(&COMMIT_REVEAL_WEIGHTS_ENABLED),
            map(&BURN),
            map(&DIFFICULTY),
            map(&MIN_BURN),
            map(&MAX_BURN),
            map(&MIN_DIFFICULTY),
            map(&MAX_DIFFICULTY),
            map(&LAST_ADJUSTMENT_BLOCK),
            map(&REGISTRATIONS_THIS_BLOCK),
            map(&MAX_REGISTRATIONS_PER_BLOCK),
            map(&RAO_RECYCLED_FOR_REGISTRATION),
            map(&SUBTOKEN_ENABLED),
            map(&IMMUNE_OWNER_UIDS_LIMIT),
            opt(&FIRST_EMISSION_BLOCK_NUMBER),
            map(&PENDING_SERVER_EMISSION),
            map(&PENDING_VALIDATOR_EMISSION),
            map(&PENDING_OWNER_CUT),
            map(&BLOCKS_SINCE_LAST_STEP),
            map(&LAST_MECHANISM_STEP_BLOCK),
            map(&SUBNET_TAO),
            map(&SUBNET_ALPHA_OUT),
            map(&ACTIVE),
            map(&RANK),
            map(&TRUST),
            map(&CONSENSUS),
            map(&INCENTIVE),
            map(&DIVIDENDS),
            map(&EMISSION),
            map(&LAST_UPDATE),
            map(&VALIDATOR_TRUST),
            map(&PRUNING_SCORES),
            map(&VALIDATOR_PERMIT),
            map(&REVEAL_PERIOD_EPOCHS),
            map(&MECHANISM_COUNT_CURRENT),
            map(&KEYS),
            map(&BLOCK_AT_REGISTRATION),
            map(&WEIGHTS),
            map(&BONDS),
            opt(&UIDS),
            opt(&AXONS),
            map(&ALPHA_DIVIDENDS_PER_SUBNET),
            opt(&WEIGHT_COMMITS),
            map(&OWNER),
            map(&OWNED_HOTKEYS),
            map(&STAKING_HOTKEYS),
            map(&TOTAL_HOTKEY_ALPHA),
            map(&TOTAL_HOTKEY_SHARES),
            map(&IS_NETWORK_MEMBER),
            map(&ALPHA),
            map(&STAKING_OPERATION_RATE_LIMITER),
        ]
    }

    /// `name -> (optional, hashers, default hex)` from the spec-393 storage dump.
    fn fixture_entries(text: &str) -> Vec<(String, bool, Vec<String>, String)> {
        let mut out = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            let Some((name, rest)) = line.split_once(' ') else {
                continue;
            };
            let optional = rest.starts_with("[Optional]");
            if !optional && !rest.starts_with("[Default]") {
                continue;
            }
            let hashers = rest
                .split_once("hashers=[")
                .and_then(|(_, h)| h.split_once(']'))
                .map(|(h, _)| {
                    h.split(',')
                        .map(|s| s.trim().trim_matches('\'').to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            let default = rest
                .rsplit_once("default=0x")
                .map(|(_, d)| d.trim().to_string())
                .unwrap_or_default();
            out.push((name.to_string(), optional, hashers, default));
        }
        out
    }

    #[test]
    fn every_entry_matches_the_spec393_layout() {
        let Some(path) = nya_metadata::fixtures::path("chain/spec393-SubtensorModule_storage.txt")
        else {
            return;
        };
        let text = std::fs::read_to_string(&path).expect("fixture is readable");
        let chain = fixture_entries(&text);
        let mut problems = Vec::new();
        for ours in every_entry() {
            assert_eq!(
                ours.hashers.len(),
                ours.arity,
                "{}: one hasher per key part",
                ours.name
            );
            let Some((_, optional, hashers, default)) = chain.iter().find(|c| c.0 == ours.name)
            else {
                problems.push(format!("{}: not in the spec-393 storage", ours.name));
                continue;
            };
            if *optional != ours.optional {
                problems.push(format!(
                    "{}: optional={} chain {}",
                    ours.name, ours.optional, optional
                ));
            }
            if *hashers != ours.hashers {
                problems.push(format!(
                    "{}: hashers {:?} chain {:?}",
                    ours.name, ours.hashers, hashers
                ));
            }
            if !ours.optional && *default != hex::encode(&ours.default) {
                problems.push(format!(
                    "{}: default {} chain {}",
                    ours.name,
                    hex::encode(&ours.default),
                    default
                ));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn keys_are_prefix_then_hashed_parts() {
        let hotkey = AccountId32([7; 32]);
        let k = UIDS.key(&(3, hotkey));
        let mut expected = key::prefix(PALLET, "Uids");
        key::identity(&mut expected, &3u16);
        key::blake2_128_concat(&mut expected, &hotkey);
        assert_eq!(k, expected);
        assert_eq!(k.len(), 32 + 2 + 16 + 32);

        let commits = WEIGHT_COMMITS.key(&(1, hotkey));
        let mut expected = key::prefix(PALLET, "WeightCommits");
        key::twox_64_concat(&mut expected, &1u16);
        key::twox_64_concat(&mut expected, &hotkey);
        assert_eq!(commits, expected);
    }

    #[test]
    fn netuids_are_read_back_from_keys() {
        let base = MemoryState::default();
        let mut overlay = Overlay::new(&base);
        NETWORKS_ADDED.set(&mut overlay, &3, &true);
        NETWORKS_ADDED.set(&mut overlay, &1, &true);
        NETWORKS_ADDED.set(&mut overlay, &2, &false);
        assert_eq!(all_netuids(&overlay).unwrap(), vec![1, 3]);
        assert!(subnet_exists(&overlay, 3).unwrap());
        assert!(!subnet_exists(&overlay, 2).unwrap());
        assert_eq!(tempo(&overlay, 3).unwrap(), 360);
    }

    #[test]
    fn corrupt_values_surface_as_errors() {
        let base = MemoryState::default();
        let mut overlay = Overlay::new(&base);
        overlay.set_raw(SUBNETWORK_N.key(&1), vec![0xff]);
        assert!(SUBNETWORK_N.get(&overlay, &1).is_err());
        assert!(neurons(&overlay, 1).is_err());
    }
}
