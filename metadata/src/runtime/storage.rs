//! Storage entries of the pallets nya uses, as finney spec 393 declares them: prefix, name,
//! modifier, hashers, key and value types, and the default value bytes.

use frame_metadata::v15::{
    PalletStorageMetadata, StorageEntryMetadata, StorageEntryModifier, StorageEntryType,
    StorageHasher,
};
use parity_scale_codec::Encode;
use scale_info::{TypeInfo, meta_type};

use super::calls::RuntimeEvent;
use super::types::{
    AccountId32, AccountInfo, AxonInfo, EventRecord, H256, Registration, UsageTracker,
};

/// Default of `SubtensorModule.Burn`: 0.1 TAO in rao.
pub const DEFAULT_BURN: u64 = 100_000_000;
/// Default of `SubtensorModule.Tempo`: blocks per epoch.
pub const DEFAULT_TEMPO: u16 = 360;
/// Default of `SubtensorModule.MaxAllowedUids`.
pub const DEFAULT_MAX_ALLOWED_UIDS: u16 = 256;
/// Default of `SubtensorModule.ImmunityPeriod`, in blocks.
pub const DEFAULT_IMMUNITY_PERIOD: u16 = 4096;
/// Default of `SubtensorModule.ActivityCutoff`, in blocks.
pub const DEFAULT_ACTIVITY_CUTOFF: u16 = 5000;
/// Default of `SubtensorModule.MaxWeightsLimit` (no limit).
pub const DEFAULT_MAX_WEIGHTS_LIMIT: u16 = u16::MAX;
/// Default of `SubtensorModule.MinAllowedWeights`.
pub const DEFAULT_MIN_ALLOWED_WEIGHTS: u16 = 1024;
/// Default of `SubtensorModule.WeightsSetRateLimit`, in blocks.
pub const DEFAULT_WEIGHTS_SET_RATE_LIMIT: u64 = 100;
/// Default of `SubtensorModule.RevealPeriodEpochs`.
pub const DEFAULT_REVEAL_PERIOD_EPOCHS: u64 = 1;
/// Default of `Commitments.MaxSpace`: bytes per (netuid, hotkey) per epoch.
pub const DEFAULT_MAX_SPACE: u32 = 3100;
/// The root subnet, where TAO is staked (its `TotalHotkeyAlpha` is a hotkey's TAO stake).
pub const ROOT_NETUID: u16 = 0;
/// `SubtensorModule.TaoWeight` default: the share of root TAO stake counted in a validator's
/// stake weight, as a fraction of `u64::MAX` (about 0.0527).
pub const DEFAULT_TAO_WEIGHT: u64 = 0x0d7c_3cfa_3ee0_62fc;

/// A hotkey's stake weight on a subnet as subtensor computes it for the weights threshold and
/// validator permits: `alpha + root TAO × TaoWeight / u64::MAX`, in fixed point with 32
/// fraction bits (the TAO weight truncated to 32 fraction bits first, as `get_tao_weight` does).
pub fn stake_weight_bits(alpha: u64, root_tao: u64, tao_weight: u64) -> u128 {
    let tao_weight_bits = (u128::from(tao_weight) << 32) / u128::from(u64::MAX);
    (u128::from(alpha) << 32).saturating_add(u128::from(root_tao) * tao_weight_bits)
}

/// A `Plain` entry with the given modifier and default bytes.
fn plain<V: TypeInfo + 'static>(
    name: &'static str,
    modifier: StorageEntryModifier,
    default: Vec<u8>,
) -> StorageEntryMetadata {
    StorageEntryMetadata {
        name,
        modifier,
        ty: StorageEntryType::Plain(meta_type::<V>()),
        default,
        docs: Vec::new(),
    }
}

/// A `Map` entry; `K` is the key tuple when there is more than one hasher.
fn map<K: TypeInfo + 'static, V: TypeInfo + 'static>(
    name: &'static str,
    modifier: StorageEntryModifier,
    hashers: &[StorageHasher],
    default: Vec<u8>,
) -> StorageEntryMetadata {
    StorageEntryMetadata {
        name,
        modifier,
        ty: StorageEntryType::Map {
            hashers: hashers.to_vec(),
            key: meta_type::<K>(),
            value: meta_type::<V>(),
        },
        default,
        docs: Vec::new(),
    }
}

/// SCALE encoding of `Option::None`: the default of every `Optional` entry.
fn none() -> Vec<u8> {
    vec![0]
}

/// `System` storage.
pub fn system() -> PalletStorageMetadata {
    use StorageEntryModifier::Default as D;
    PalletStorageMetadata {
        prefix: "System",
        entries: vec![
            map::<AccountId32, AccountInfo>(
                "Account",
                D,
                &[StorageHasher::Blake2_128Concat],
                AccountInfo::default().encode(),
            ),
            plain::<u32>("Number", D, 0u32.encode()),
            plain::<Vec<EventRecord<RuntimeEvent>>>(
                "Events",
                D,
                Vec::<EventRecord<RuntimeEvent>>::new().encode(),
            ),
            map::<u32, H256>(
                "BlockHash",
                D,
                &[StorageHasher::Twox64Concat],
                H256::default().encode(),
            ),
            plain::<H256>("ParentHash", D, H256::default().encode()),
        ],
    }
}

/// `SubtensorModule` storage.
pub fn subtensor_module() -> PalletStorageMetadata {
    use StorageEntryModifier::{Default as D, Optional as O};
    use StorageHasher::{Blake2_128Concat, Identity};
    PalletStorageMetadata {
        prefix: "SubtensorModule",
        entries: vec![
            map::<u16, u16>("SubnetworkN", D, &[Identity], 0u16.encode()),
            map::<u16, u64>("Burn", D, &[Identity], DEFAULT_BURN.encode()),
            map::<(u16, AccountId32), u16>("Uids", O, &[Identity, Blake2_128Concat], none()),
            map::<(u16, u16), AccountId32>(
                "Keys",
                D,
                &[Identity, Identity],
                AccountId32::default().encode(),
            ),
            map::<u16, Vec<u64>>("LastUpdate", D, &[Identity], Vec::<u64>::new().encode()),
            map::<(u16, AccountId32), AxonInfo>("Axons", O, &[Identity, Blake2_128Concat], none()),
            map::<u16, bool>("NetworksAdded", D, &[Identity], false.encode()),
            map::<u16, bool>("NetworkRegistrationAllowed", D, &[Identity], true.encode()),
            map::<u16, AccountId32>(
                "SubnetOwner",
                D,
                &[Identity],
                AccountId32::default().encode(),
            ),
            map::<u16, u16>("Tempo", D, &[Identity], DEFAULT_TEMPO.encode()),
            map::<u16, u16>(
                "MaxAllowedUids",
                D,
                &[Identity],
                DEFAULT_MAX_ALLOWED_UIDS.encode(),
            ),
            map::<u16, u16>(
                "ImmunityPeriod",
                D,
                &[Identity],
                DEFAULT_IMMUNITY_PERIOD.encode(),
            ),
            map::<u16, u16>(
                "ActivityCutoff",
                D,
                &[Identity],
                DEFAULT_ACTIVITY_CUTOFF.encode(),
            ),
            map::<u16, u16>(
                "MaxWeightsLimit",
                D,
                &[Identity],
                DEFAULT_MAX_WEIGHTS_LIMIT.encode(),
            ),
            map::<u16, u64>("WeightsVersionKey", D, &[Identity], 0u64.encode()),
            map::<u16, u16>(
                "MinAllowedWeights",
                D,
                &[Identity],
                DEFAULT_MIN_ALLOWED_WEIGHTS.encode(),
            ),
            map::<u16, u64>(
                "WeightsSetRateLimit",
                D,
                &[Identity],
                DEFAULT_WEIGHTS_SET_RATE_LIMIT.encode(),
            ),
            map::<u16, bool>("CommitRevealWeightsEnabled", D, &[Identity], true.encode()),
            map::<u16, u64>(
                "RevealPeriodEpochs",
                D,
                &[StorageHasher::Twox64Concat],
                DEFAULT_REVEAL_PERIOD_EPOCHS.encode(),
            ),
            map::<u16, Vec<bool>>(
                "ValidatorPermit",
                D,
                &[Identity],
                Vec::<bool>::new().encode(),
            ),
            map::<(u16, u16), Vec<(u16, u16)>>(
                "Weights",
                D,
                &[Identity, Identity],
                Vec::<(u16, u16)>::new().encode(),
            ),
            map::<(u16, u16), u64>(
                "BlockAtRegistration",
                D,
                &[Identity, Identity],
                0u64.encode(),
            ),
            plain::<u64>("StakeThreshold", D, 0u64.encode()),
            map::<u16, AccountId32>(
                "SubnetOwnerHotkey",
                D,
                &[Identity],
                AccountId32::default().encode(),
            ),
            map::<(AccountId32, u16), u64>(
                "TotalHotkeyAlpha",
                D,
                &[Blake2_128Concat, Identity],
                0u64.encode(),
            ),
            plain::<u64>("TaoWeight", D, DEFAULT_TAO_WEIGHT.encode()),
        ],
    }
}

/// `Commitments` storage.
pub fn commitments() -> PalletStorageMetadata {
    use StorageHasher::{Identity, Twox64Concat};
    PalletStorageMetadata {
        prefix: "Commitments",
        entries: vec![
            map::<(u16, AccountId32), Registration>(
                "CommitmentOf",
                StorageEntryModifier::Optional,
                &[Identity, Twox64Concat],
                none(),
            ),
            map::<(u16, AccountId32), u32>(
                "LastCommitment",
                StorageEntryModifier::Optional,
                &[Identity, Twox64Concat],
                none(),
            ),
            plain::<u32>(
                "MaxSpace",
                StorageEntryModifier::Default,
                DEFAULT_MAX_SPACE.encode(),
            ),
            map::<(u16, AccountId32), UsageTracker>(
                "UsedSpaceOf",
                StorageEntryModifier::Optional,
                &[Identity, Twox64Concat],
                none(),
            ),
        ],
    }
}

/// `Sudo` storage.
pub fn sudo() -> PalletStorageMetadata {
    PalletStorageMetadata {
        prefix: "Sudo",
        entries: vec![plain::<AccountId32>(
            "Key",
            StorageEntryModifier::Optional,
            none(),
        )],
    }
}

/// `Balances` storage.
pub fn balances() -> PalletStorageMetadata {
    PalletStorageMetadata {
        prefix: "Balances",
        entries: vec![plain::<u64>(
            "TotalIssuance",
            StorageEntryModifier::Default,
            0u64.encode(),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stake_weight_counts_root_tao_at_the_tao_weight() {
        assert_eq!(stake_weight_bits(7, 0, DEFAULT_TAO_WEIGHT) >> 32, 7);
        // The default TaoWeight is about 5.27 %: 18,984 rao of root stake weigh just over 1,000.
        assert_eq!(
            stake_weight_bits(0, 18_984, DEFAULT_TAO_WEIGHT) >> 32,
            1_000
        );
        assert_eq!(stake_weight_bits(0, 18_983, DEFAULT_TAO_WEIGHT) >> 32, 999);
        assert_eq!(stake_weight_bits(5, 1_000, u64::MAX) >> 32, 1_005);
        assert_eq!(
            stake_weight_bits(u64::MAX, u64::MAX, u64::MAX) >> 32,
            u128::from(u64::MAX) * 2
        );
    }
}
