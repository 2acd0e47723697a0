//! The spec-393 storage entries the runtime APIs read that the pallets' own storage tables do
//! not declare (the runtime never writes them, or another pallet owns them: subnet identities,
//! pool and price values, liquid-alpha and Yuma switches, `Swap`, `Commitments`), each with the
//! pallet, name, key hashers, modifier and default bytes of finney's metadata (a test checks
//! every one against the spec-393 blob). Reading an absent key gives the chain's default, so
//! the runtime APIs report what finney's getters would.
//!
//! The entries the subtensor pallet writes are read through its own table,
//! [`crate::localnet::runtime::subtensor::storage`].

use std::marker::PhantomData;

use nya_metadata::runtime::apis::{ChainIdentityV2, I96F32, PrometheusInfo, SubnetIdentityV3};
use parity_scale_codec::{Decode, Encode};
use sp_crypto_hashing::{blake2_128, twox_64};

use crate::localnet::state::{CorruptValue, StorageRead, get_decoded, key};

/// How one key part is hashed into the storage key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hasher {
    /// The encoded key as is.
    Identity,
    /// blake2-128 of the encoded key, then the key.
    Blake2_128Concat,
    /// xxhash-64 of the encoded key, then the key.
    Twox64Concat,
}

impl Hasher {
    fn apply(self, out: &mut Vec<u8>, encoded: &[u8]) {
        match self {
            Hasher::Identity => {}
            Hasher::Blake2_128Concat => out.extend_from_slice(&blake2_128(encoded)),
            Hasher::Twox64Concat => out.extend_from_slice(&twox_64(encoded)),
        }
        out.extend_from_slice(encoded);
    }
}

/// What an absent key reads as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modifier {
    /// `ValueQuery`: these default bytes (SCALE of the value type).
    Default(&'static [u8]),
    /// `OptionQuery`: nothing.
    Optional,
}

/// One storage entry with value type `V`.
pub struct Entry<V> {
    /// Pallet (storage prefix).
    pub pallet: &'static str,
    /// Entry name.
    pub name: &'static str,
    /// One hasher per key part (empty for a plain value).
    pub hashers: &'static [Hasher],
    /// Default or optional.
    pub modifier: Modifier,
    value: PhantomData<fn() -> V>,
}

impl<V: Decode> Entry<V> {
    const fn new(
        pallet: &'static str,
        name: &'static str,
        hashers: &'static [Hasher],
        modifier: Modifier,
    ) -> Entry<V> {
        Entry {
            pallet,
            name,
            hashers,
            modifier,
            value: PhantomData,
        }
    }

    /// The full key for these encoded key parts, one per hasher.
    pub fn key(&self, parts: &[&[u8]]) -> Vec<u8> {
        let mut out = key::prefix(self.pallet, self.name);
        for (hasher, part) in self.hashers.iter().zip(parts) {
            hasher.apply(&mut out, part);
        }
        out
    }

    /// The value at the key, or `None` when absent.
    pub fn get_opt(
        &self,
        state: &(impl StorageRead + ?Sized),
        parts: &[&[u8]],
    ) -> Result<Option<V>, CorruptValue> {
        get_decoded(state, &self.key(parts))
    }

    /// The value at the key, or the entry's default when absent (`None` only for an optional
    /// entry).
    pub fn get_or_default(
        &self,
        state: &(impl StorageRead + ?Sized),
        parts: &[&[u8]],
    ) -> Result<Option<V>, CorruptValue> {
        if let Some(value) = self.get_opt(state, parts)? {
            return Ok(Some(value));
        }
        match self.modifier {
            Modifier::Optional => Ok(None),
            Modifier::Default(bytes) => {
                V::decode(&mut &bytes[..])
                    .map(Some)
                    .map_err(|e| CorruptValue {
                        key: format!("default of {}.{}", self.pallet, self.name),
                        type_name: std::any::type_name::<V>(),
                        reason: e.to_string(),
                    })
            }
        }
    }
}

impl<V: Decode + Default> Entry<V> {
    /// The value at a `ValueQuery` entry's key (its default when absent).
    pub fn get(
        &self,
        state: &(impl StorageRead + ?Sized),
        parts: &[&[u8]],
    ) -> Result<V, CorruptValue> {
        Ok(self.get_or_default(state, parts)?.unwrap_or_default())
    }

    /// [`Entry::get`] of a map keyed by one netuid.
    pub fn of(&self, state: &(impl StorageRead + ?Sized), netuid: u16) -> Result<V, CorruptValue> {
        self.get(state, &[&netuid.encode()])
    }
}

use Hasher::{Blake2_128Concat as Blake2, Identity as Id, Twox64Concat as Twox};

const fn value<V: Decode>(
    pallet: &'static str,
    name: &'static str,
    hashers: &'static [Hasher],
    default: &'static [u8],
) -> Entry<V> {
    Entry::new(pallet, name, hashers, Modifier::Default(default))
}

const fn optional<V: Decode>(
    pallet: &'static str,
    name: &'static str,
    hashers: &'static [Hasher],
) -> Entry<V> {
    Entry::new(pallet, name, hashers, Modifier::Optional)
}

const ST: &str = "SubtensorModule";

// Subnets.
pub const SUBNET_IDENTITIES_V3: Entry<SubnetIdentityV3> =
    optional(ST, "SubnetIdentitiesV3", &[Blake2]);
pub const TOKEN_SYMBOL: Entry<Vec<u8>> =
    value(ST, "TokenSymbol", &[Id], &[0x10, 0xf0, 0x9d, 0x9c, 0x8f]);
pub const SUBNET_ALPHA_IN: Entry<u64> = value(ST, "SubnetAlphaIn", &[Id], &[0; 8]);
pub const SUBNET_ALPHA_OUT_EMISSION: Entry<u64> =
    value(ST, "SubnetAlphaOutEmission", &[Id], &[0; 8]);
pub const SUBNET_ALPHA_IN_EMISSION: Entry<u64> = value(ST, "SubnetAlphaInEmission", &[Id], &[0; 8]);
pub const SUBNET_TAO_IN_EMISSION: Entry<u64> = value(ST, "SubnetTaoInEmission", &[Id], &[0; 8]);
pub const SUBNET_VOLUME: Entry<u128> = value(ST, "SubnetVolume", &[Id], &[0; 16]);
pub const SUBNET_MOVING_PRICE: Entry<I96F32> = value(ST, "SubnetMovingPrice", &[Id], &[0; 16]);

// Hyperparameters.
pub const LIQUID_ALPHA_ON: Entry<bool> = value(ST, "LiquidAlphaOn", &[Blake2], &[0]);
/// (alpha_low, alpha_high).
pub const ALPHA_VALUES: Entry<(u16, u16)> =
    value(ST, "AlphaValues", &[Id], &[0x33, 0xb3, 0x66, 0xe6]);
pub const ALPHA_SIGMOID_STEEPNESS: Entry<i16> =
    value(ST, "AlphaSigmoidSteepness", &[Id], &[0xe8, 0x03]);
pub const YUMA3_ON: Entry<bool> = value(ST, "Yuma3On", &[Blake2], &[0]);
pub const TRANSFER_TOGGLE: Entry<bool> = value(ST, "TransferToggle", &[Id], &[1]);
pub const BONDS_RESET_ON: Entry<bool> = value(ST, "BondsResetOn", &[Id], &[0]);
pub const ENABLED_USER_LIQUIDITY: Entry<bool> =
    value("Swap", "EnabledUserLiquidity", &[Twox], &[0]);

// Neurons and stake.
pub const PROMETHEUS: Entry<PrometheusInfo> = optional(ST, "Prometheus", &[Id, Blake2]);
pub const IDENTITIES_V2: Entry<ChainIdentityV2> = optional(ST, "IdentitiesV2", &[Blake2]);
pub const LAST_HOTKEY_EMISSION_ON_NETUID: Entry<u64> =
    value(ST, "LastHotkeyEmissionOnNetuid", &[Blake2, Id], &[0; 8]);
pub const TAO_WEIGHT: Entry<u64> = value(
    ST,
    "TaoWeight",
    &[],
    &[0xfc, 0x62, 0xe0, 0x3e, 0xfa, 0x3c, 0x7c, 0x0d],
);

// Commitments: the stored bytes are read raw (the runtime API returns them as stored).
pub const COMMITMENT_OF: Entry<Vec<u8>> = optional("Commitments", "CommitmentOf", &[Id, Twox]);

/// Every entry above, as (pallet, name, hashers, modifier), for the check against spec 393.
#[cfg(test)]
pub fn all() -> Vec<(&'static str, &'static str, &'static [Hasher], Modifier)> {
    macro_rules! list {
        ($($entry:ident),* $(,)?) => {
            vec![$(($entry.pallet, $entry.name, $entry.hashers, $entry.modifier)),*]
        };
    }
    list![
        SUBNET_IDENTITIES_V3,
        TOKEN_SYMBOL,
        SUBNET_ALPHA_IN,
        SUBNET_ALPHA_OUT_EMISSION,
        SUBNET_ALPHA_IN_EMISSION,
        SUBNET_TAO_IN_EMISSION,
        SUBNET_VOLUME,
        SUBNET_MOVING_PRICE,
        LIQUID_ALPHA_ON,
        ALPHA_VALUES,
        ALPHA_SIGMOID_STEEPNESS,
        YUMA3_ON,
        TRANSFER_TOGGLE,
        BONDS_RESET_ON,
        ENABLED_USER_LIQUIDITY,
        PROMETHEUS,
        IDENTITIES_V2,
        LAST_HOTKEY_EMISSION_ON_NETUID,
        TAO_WEIGHT,
        COMMITMENT_OF,
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use nya_metadata::runtime::types::AccountId32;

    use super::*;
    use crate::localnet::state::MemoryState;

    /// Every entry's hashers, modifier and default bytes equal spec 393's.
    #[test]
    fn runtime_api_storage_entries_match_spec393() {
        let Some(path) = nya_metadata::fixtures::path("chain/finney-spec393.scale") else {
            return;
        };
        let bytes = std::fs::read(&path).expect("reading the spec-393 blob");
        let md = subxt::Metadata::decode_from(&bytes).expect("the blob decodes");
        let mut diffs = Vec::new();
        for (pallet, name, hashers, modifier) in all() {
            let Some(entry) = md
                .pallet_by_name(pallet)
                .and_then(|p| p.storage())
                .and_then(|s| s.entry_by_name(name))
            else {
                diffs.push(format!("{pallet}.{name}: not in spec 393"));
                continue;
            };
            let chain_hashers: Vec<String> =
                entry.keys().map(|k| format!("{:?}", k.hasher)).collect();
            let ours: Vec<String> = hashers.iter().map(|h| format!("{h:?}")).collect();
            if ours != chain_hashers {
                diffs.push(format!(
                    "{pallet}.{name}: hashers {ours:?}, chain {chain_hashers:?}"
                ));
            }
            let ours = match modifier {
                Modifier::Default(bytes) => Some(bytes),
                Modifier::Optional => None,
            };
            if ours != entry.default_value() {
                diffs.push(format!(
                    "{pallet}.{name}: default {ours:02x?}, chain {:02x?}",
                    entry.default_value()
                ));
            }
        }
        assert!(
            diffs.is_empty(),
            "storage entry diffs:\n{}",
            diffs.join("\n")
        );
    }

    /// Each default decodes as its value type with no bytes left (catches a wrong width).
    #[test]
    fn runtime_api_storage_defaults_decode_exactly() {
        fn exact<V: Decode>(entry: &Entry<V>) -> Result<(), String> {
            let Modifier::Default(bytes) = entry.modifier else {
                return Ok(());
            };
            let mut input = bytes;
            V::decode(&mut input).map_err(|e| format!("{}: {e}", entry.name))?;
            if input.is_empty() {
                Ok(())
            } else {
                Err(format!("{}: {} bytes left", entry.name, input.len()))
            }
        }
        let results = [
            exact(&TOKEN_SYMBOL),
            exact(&SUBNET_ALPHA_IN),
            exact(&SUBNET_ALPHA_OUT_EMISSION),
            exact(&SUBNET_ALPHA_IN_EMISSION),
            exact(&SUBNET_TAO_IN_EMISSION),
            exact(&SUBNET_VOLUME),
            exact(&SUBNET_MOVING_PRICE),
            exact(&LIQUID_ALPHA_ON),
            exact(&ALPHA_VALUES),
            exact(&ALPHA_SIGMOID_STEEPNESS),
            exact(&YUMA3_ON),
            exact(&TRANSFER_TOGGLE),
            exact(&BONDS_RESET_ON),
            exact(&ENABLED_USER_LIQUIDITY),
            exact(&LAST_HOTKEY_EMISSION_ON_NETUID),
            exact(&TAO_WEIGHT),
        ];
        let errors: Vec<String> = results.into_iter().filter_map(Result::err).collect();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            TRANSFER_TOGGLE.of(&MemoryState::default(), 1).ok(),
            Some(true)
        );
        assert_eq!(
            ALPHA_VALUES.of(&MemoryState::default(), 1).ok(),
            Some((45875, 58982))
        );
    }

    #[test]
    fn runtime_api_storage_keys_use_the_entry_hashers() {
        // Identity u16 key: the prefix then the two little-endian bytes.
        let alpha_in_key = SUBNET_ALPHA_IN.key(&[&7u16.encode()]);
        assert_eq!(&alpha_in_key[32..], &[7, 0]);
        // (Identity netuid, Blake2_128Concat hotkey).
        let hotkey = AccountId32([4; 32]);
        let prometheus_key = PROMETHEUS.key(&[&1u16.encode(), &hotkey.encode()]);
        assert_eq!(prometheus_key.len(), 32 + 2 + 16 + 32);
        assert_eq!(&prometheus_key[34..50], &blake2_128(&[4; 32]));
        // A stored value wins over the default; a corrupt one is an error naming the key.
        let mut state = MemoryState(BTreeMap::new());
        state.0.insert(alpha_in_key.clone(), 10u64.encode());
        assert_eq!(SUBNET_ALPHA_IN.of(&state, 7).ok(), Some(10));
        state.0.insert(alpha_in_key, vec![1]);
        let err = SUBNET_ALPHA_IN
            .of(&state, 7)
            .expect_err("one byte is not a u64");
        assert!(err.to_string().contains("does not decode"), "{err}");
        let parts: [&[u8]; 2] = [&1u16.encode(), &hotkey.encode()];
        assert_eq!(PROMETHEUS.get_or_default(&state, &parts).ok(), Some(None));
    }
}
