//! The calls nya submits, built by name against whatever metadata the node serves.
//!
//! Each [`Call`] is a `UsedItem` from `nya_metadata::runtime::items` plus its arguments as a
//! *named* composite, so subxt matches every argument to the live metadata by its name and type:
//! a runtime upgrade that reorders pallets, calls or arguments but keeps nya's items unchanged
//! changes nothing, and one that changes them fails at encoding with the item's name.

use nya_metadata::commitment::{CommitmentInfo, Data};
use nya_metadata::runtime::items::{
    self, BALANCES_TRANSFER_KEEP_ALIVE, COMMITMENTS_SET_COMMITMENT, SUBTENSOR_BURNED_REGISTER,
    SUBTENSOR_SERVE_AXON, UsedItem,
};
use subxt::dynamic::Value;
use subxt::transactions::DynamicPayload;

/// A call to submit: which item, with which arguments.
#[derive(Debug, Clone)]
pub struct Call {
    item: UsedItem,
    args: Value,
}

impl Call {
    /// `item` (a `UsedItem::Call`) with named arguments.
    pub(crate) fn new(item: UsedItem, args: Vec<(&'static str, Value)>) -> Self {
        debug_assert!(matches!(item, UsedItem::Call(..)), "{item:?} is not a call");
        Call {
            item,
            args: Value::named_composite(args),
        }
    }

    /// The call's item (`Pallet.call`).
    pub fn item(&self) -> UsedItem {
        self.item
    }

    /// `Pallet.call`, for messages.
    pub fn name(&self) -> String {
        format!("{}.{}", self.item.owner(), self.item.name())
    }

    /// The subxt payload.
    pub(crate) fn payload(&self) -> DynamicPayload<Value> {
        subxt::dynamic::transaction(self.item.owner(), self.item.name(), self.args.clone())
    }

    /// The arguments, as given.
    pub fn args(&self) -> &Value {
        &self.args
    }
}

fn account(public: &[u8; 32]) -> Value {
    Value::from_bytes(public)
}

/// `Balances.transfer_keep_alive(dest, value)`: refuses to drop the sender below the
/// existential deposit.
pub fn transfer_keep_alive(dest: &[u8; 32], rao: u64) -> Call {
    Call::new(
        BALANCES_TRANSFER_KEEP_ALIVE,
        vec![
            ("dest", Value::unnamed_variant("Id", [account(dest)])),
            ("value", Value::u128(u128::from(rao))),
        ],
    )
}

/// `SubtensorModule.burned_register(netuid, hotkey)`, signed by the coldkey that pays the burn.
pub fn burned_register(netuid: u16, hotkey: &[u8; 32]) -> Call {
    Call::new(
        SUBTENSOR_BURNED_REGISTER,
        vec![
            ("netuid", Value::u128(u128::from(netuid))),
            ("hotkey", account(hotkey)),
        ],
    )
}

/// Where an axon listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AxonEndpoint {
    /// IPv4 or IPv6 address.
    pub ip: std::net::IpAddr,
    /// TCP port.
    pub port: u16,
    /// Protocol tag (the SDK's default is 4).
    pub protocol: u8,
}

impl AxonEndpoint {
    /// The address as the chain stores it: the integer value, and 4 or 6.
    pub fn ip_as_chain(&self) -> (u128, u8) {
        match self.ip {
            std::net::IpAddr::V4(v4) => (u128::from(u32::from(v4)), 4),
            std::net::IpAddr::V6(v6) => (u128::from(v6), 6),
        }
    }
}

/// The version `serve_axon` announces: this crate's version in the integer form the bittensor
/// SDK gives its own (`version_as_int`): each part in base 1000, `major*1_000_000 +
/// minor*1_000 + patch` (10.2.1 is 10_002_001).
pub fn axon_version() -> u32 {
    version_as_int(
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
    )
}

fn version_as_int(major: &str, minor: &str, patch: &str) -> u32 {
    // Each part must stay below the base, as the SDK asserts; a pre-release suffix counts as 0.
    let part = |text: &str| text.parse::<u32>().unwrap_or(0).min(999);
    part(major) * 1_000_000 + part(minor) * 1_000 + part(patch)
}

/// `SubtensorModule.serve_axon(...)`, signed by the hotkey.
pub fn serve_axon(netuid: u16, endpoint: &AxonEndpoint) -> Call {
    let (ip, ip_type) = endpoint.ip_as_chain();
    Call::new(
        SUBTENSOR_SERVE_AXON,
        vec![
            ("netuid", Value::u128(u128::from(netuid))),
            ("version", Value::u128(u128::from(axon_version()))),
            ("ip", Value::u128(ip)),
            ("port", Value::u128(u128::from(endpoint.port))),
            ("ip_type", Value::u128(u128::from(ip_type))),
            ("protocol", Value::u128(u128::from(endpoint.protocol))),
            ("placeholder1", Value::u128(0)),
            ("placeholder2", Value::u128(0)),
        ],
    )
}

/// `Commitments.set_commitment(netuid, info)`, signed by the hotkey.
pub fn set_commitment(netuid: u16, info: &CommitmentInfo) -> Call {
    Call::new(
        COMMITMENTS_SET_COMMITMENT,
        vec![
            ("netuid", Value::u128(u128::from(netuid))),
            ("info", commitment_info_value(info)),
        ],
    )
}

/// A `CommitmentInfo` as a value: `{ fields: [Data, …] }`.
pub fn commitment_info_value(info: &CommitmentInfo) -> Value {
    let fields = info.fields().iter().map(data_value);
    Value::named_composite([("fields", Value::unnamed_composite(fields))])
}

/// One `Data` as the pallet's enum: `Raw` of n bytes is the variant `Raw<n>`.
fn data_value(data: &Data) -> Value {
    match data {
        Data::None => Value::unnamed_variant("None", []),
        Data::Raw(bytes) => Value::unnamed_variant(
            format!("Raw{}", bytes.len()),
            [Value::from_bytes(bytes.as_slice())],
        ),
        Data::BlakeTwo256(hash) => Value::unnamed_variant("BlakeTwo256", [Value::from_bytes(hash)]),
        Data::Sha256(hash) => Value::unnamed_variant("Sha256", [Value::from_bytes(hash)]),
        Data::Keccak256(hash) => Value::unnamed_variant("Keccak256", [Value::from_bytes(hash)]),
        Data::ShaThree256(hash) => Value::unnamed_variant("ShaThree256", [Value::from_bytes(hash)]),
        Data::TimelockEncrypted {
            encrypted,
            reveal_round,
        } => Value::named_variant(
            "TimelockEncrypted",
            [
                ("encrypted", Value::from_bytes(encrypted.as_slice())),
                ("reveal_round", Value::u128(u128::from(*reveal_round))),
            ],
        ),
        Data::ResetBondsFlag => Value::unnamed_variant("ResetBondsFlag", []),
        Data::BigRaw(bytes) => {
            Value::unnamed_variant("BigRaw", [Value::from_bytes(bytes.as_slice())])
        }
    }
}

/// Every call this module builds is in nya's list of used items (so the mirror metadata and
/// the spec-393 conformance tests cover it).
pub const CALLS: [UsedItem; 4] = [
    items::BALANCES_TRANSFER_KEEP_ALIVE,
    items::SUBTENSOR_BURNED_REGISTER,
    items::SUBTENSOR_SERVE_AXON,
    items::COMMITMENTS_SET_COMMITMENT,
];

#[cfg(test)]
mod tests {
    use super::*;
    use subxt::ext::scale_value::{Composite, ValueDef};

    fn variant_name(value: &Value) -> &str {
        match &value.value {
            ValueDef::Variant(v) => &v.name,
            other => panic!("not a variant: {other:?}"),
        }
    }

    #[test]
    fn versions_are_base_1000_like_the_sdks_version_as_int() {
        assert_eq!(version_as_int("10", "2", "1"), 10_002_001);
        assert_eq!(version_as_int("0", "1", "0"), 1_000);
        assert_eq!(version_as_int("1", "0", "0-rc1"), 1_000_000);
        assert_eq!(
            axon_version(),
            version_as_int(
                env!("CARGO_PKG_VERSION_MAJOR"),
                env!("CARGO_PKG_VERSION_MINOR"),
                env!("CARGO_PKG_VERSION_PATCH")
            )
        );
    }

    #[test]
    fn every_call_is_a_used_item() {
        for item in CALLS {
            assert!(items::USED_ITEMS.contains(&item), "{item:?}");
        }
        assert_eq!(
            burned_register(1, &[7; 32]).name(),
            "SubtensorModule.burned_register"
        );
    }

    #[test]
    fn data_variants_carry_the_metadata_names() {
        let info = CommitmentInfo::new(vec![
            Data::raw(b"abc".to_vec()).unwrap(),
            Data::Sha256([1; 32]),
            Data::None,
        ])
        .unwrap();
        let value = commitment_info_value(&info);
        let ValueDef::Composite(Composite::Named(fields)) = &value.value else {
            panic!("named composite expected: {value:?}");
        };
        assert_eq!(fields.len(), 1);
        assert_eq!(fields[0].0, "fields");
        let ValueDef::Composite(Composite::Unnamed(items)) = &fields[0].1.value else {
            panic!("a sequence of Data expected");
        };
        let names: Vec<&str> = items.iter().map(variant_name).collect();
        assert_eq!(names, ["Raw3", "Sha256", "None"]);
        assert_eq!(
            variant_name(&data_value(&Data::raw(Vec::new()).unwrap())),
            "Raw0"
        );
    }

    #[test]
    fn axon_addresses_are_the_chains_integers() {
        let v4 = AxonEndpoint {
            ip: "10.0.0.7".parse().unwrap(),
            port: 8091,
            protocol: 4,
        };
        assert_eq!(v4.ip_as_chain(), (0x0a00_0007, 4));
        let v6 = AxonEndpoint {
            ip: "::1".parse().unwrap(),
            port: 1,
            protocol: 4,
        };
        assert_eq!(v6.ip_as_chain(), (1, 6));
    }
}
