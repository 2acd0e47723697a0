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
