//! Value types of the finney spec-393 items nya uses, shaped exactly as the chain's metadata
//! describes them (field names, order and primitive widths); SCALE encoding is derived.
//!
//! The Commitments `Data` and `CommitmentInfo` types live in [`crate::commitment`] with their
//! hand-written codec; this module gives them their `TypeInfo`.

use parity_scale_codec::{Compact, Decode, Encode};
use scale_info::build::{Fields, VariantBuilder, Variants};
use scale_info::form::MetaForm;
use scale_info::{Path, Type, TypeInfo};

use crate::commitment::{CommitmentInfo, Data, data};

/// An sr25519 public key / SS58 account (`sp_core::crypto::AccountId32`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode)]
pub struct AccountId32(pub [u8; 32]);

/// A 32-byte hash (`primitive_types::H256`): block hashes, genesis hash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode)]
pub struct H256(pub [u8; 32]);

/// A newtype over `[u8; 32]` registered under the chain's own type path: clients (the Python
/// SDK among them) recognise accounts and hashes by path, which a derive would set to ours.
fn bytes32_type(name: &'static str, module: &'static str) -> Type {
    Type::builder()
        .path(Path::new(name, module))
        .composite(Fields::unnamed().field(|f| f.ty::<[u8; 32]>().type_name("[u8; 32]")))
}

impl TypeInfo for AccountId32 {
    type Identity = Self;

    fn type_info() -> Type {
        bytes32_type("AccountId32", "sp_core::crypto")
    }
}

impl TypeInfo for H256 {
    type Identity = Self;

    fn type_info() -> Type {
        bytes32_type("H256", "primitive_types")
    }
}

/// `pallet_balances::types::ExtraFlags`: a bit set whose top bit marks accounts on the
/// current reference-counting logic; new accounts carry it, hence the non-zero default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ExtraFlags(pub u128);

impl ExtraFlags {
    /// `IS_NEW_LOGIC`: set on every account created by the current balances pallet.
    pub const NEW_LOGIC: u128 = 1 << 127;
}

impl Default for ExtraFlags {
    fn default() -> Self {
        ExtraFlags(Self::NEW_LOGIC)
    }
}

/// `pallet_balances::types::AccountData<u64>` (balances in rao).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct AccountData {
    /// Spendable balance.
    pub free: u64,
    /// Reserved balance.
    pub reserved: u64,
    /// Frozen (locked) part of `free`.
    pub frozen: u64,
    /// Account flags.
    pub flags: ExtraFlags,
}

/// `frame_system::AccountInfo<u32, AccountData<u64>>`, the value of `System.Account`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct AccountInfo {
    /// Transactions sent so far.
    pub nonce: u32,
    /// Consumer references.
    pub consumers: u32,
    /// Provider references.
    pub providers: u32,
    /// Sufficient references.
    pub sufficients: u32,
    /// Balances.
    pub data: AccountData,
}

/// `sp_runtime::multiaddress::MultiAddress<AccountId32, ()>`, the `dest` of transfers.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum MultiAddress {
    /// An account id.
    #[codec(index = 0)]
    Id(AccountId32),
    /// An account index (finney has no indices pallet, so the index type is `()`).
    #[codec(index = 1)]
    Index(Compact<()>),
    /// Raw address bytes.
    #[codec(index = 2)]
    Raw(Vec<u8>),
    /// A 32-byte address.
    #[codec(index = 3)]
    Address32([u8; 32]),
    /// A 20-byte address.
    #[codec(index = 4)]
    Address20([u8; 20]),
}

/// `sp_runtime::MultiSignature`, the signature type of extrinsics.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum MultiSignature {
    /// An ed25519 signature.
    #[codec(index = 0)]
    Ed25519([u8; 64]),
    /// An sr25519 signature.
    #[codec(index = 1)]
    Sr25519([u8; 64]),
    /// An ECDSA signature.
    #[codec(index = 2)]
    Ecdsa([u8; 65]),
}

/// `pallet_subtensor::AxonInfo`, the value of `SubtensorModule.Axons`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct AxonInfo {
    /// Block the axon was served at.
    pub block: u64,
    /// Axon software version.
    pub version: u32,
    /// IPv4 or IPv6 address as an integer.
    pub ip: u128,
    /// TCP port.
    pub port: u16,
    /// 4 or 6.
    pub ip_type: u8,
    /// Protocol tag.
    pub protocol: u8,
    /// Reserved.
    pub placeholder1: u8,
    /// Reserved.
    pub placeholder2: u8,
}

/// `bounded_collections::BoundedVec<T, S>`: in metadata a composite around `Vec<T>` (the
/// bound is erased); used here only for its type information.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct BoundedVec<T>(pub Vec<T>);

/// `pallet_commitments::types::Registration`, the value of `Commitments.CommitmentOf`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Registration {
    /// Deposit held (zero on finney).
    pub deposit: u64,
    /// Block of the commitment.
    pub block: u32,
    /// The committed fields.
    pub info: CommitmentInfo,
}

/// `pallet_commitments::types::UsageTracker`, the value of `Commitments.UsedSpaceOf`: how many
/// bytes a (netuid, hotkey) has committed in the subnet epoch `last_epoch`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct UsageTracker {
    /// Epoch index (`(block + netuid + 1) / (tempo + 1)`) the count belongs to.
    pub last_epoch: u64,
    /// Bytes used in that epoch.
    pub used_space: u64,
}

impl TypeInfo for CommitmentInfo {
    type Identity = Self;

    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("CommitmentInfo", module_path!()))
            .composite(Fields::named().field(|f| {
                f.ty::<BoundedVec<Data>>()
                    .name("fields")
                    .type_name("BoundedVec<Data, FieldLimit>")
            }))
    }
}

/// Adds `RawN([u8; N])` at index `N + 1` for each listed `N`.
macro_rules! raw_variants {
    ($variants:expr; $($len:literal)*) => {{
        let mut variants = $variants;
        $(
            variants = variants.variant(concat!("Raw", $len), |v| {
                v.index(data::INDEX_RAW0 + $len).fields(Fields::unnamed().field(|f| f.ty::<[u8; $len]>()))
            });
        )*
        variants
    }};
}

impl TypeInfo for Data {
    type Identity = Self;

    // Hand-written: the variant index of `Raw` carries its length, which a derive cannot say.
    fn type_info() -> Type {
        let variants = Variants::new().variant("None", |v| v.index(data::INDEX_NONE));
        // Every length from 0 to MAX_RAW_LEN (128), one variant each.
        let variants = raw_variants!(variants; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 119 120 121 122 123 124 125 126 127 128);
        let digest = |v: VariantBuilder<MetaForm>, index: u8| {
            v.index(index)
                .fields(Fields::unnamed().field(|f| f.ty::<[u8; 32]>()))
        };
        let variants = variants
            .variant("BlakeTwo256", |v| digest(v, data::INDEX_BLAKE_TWO_256))
            .variant("Sha256", |v| digest(v, data::INDEX_SHA256))
            .variant("Keccak256", |v| digest(v, data::INDEX_KECCAK256))
            .variant("ShaThree256", |v| digest(v, data::INDEX_SHA_THREE_256))
            .variant("TimelockEncrypted", |v| {
                v.index(data::INDEX_TIMELOCK_ENCRYPTED).fields(
                    Fields::named()
                        .field(|f| f.ty::<BoundedVec<u8>>().name("encrypted"))
                        .field(|f| f.ty::<u64>().name("reveal_round")),
                )
            })
            .variant("ResetBondsFlag", |v| v.index(data::INDEX_RESET_BONDS_FLAG))
            .variant("BigRaw", |v| {
                v.index(data::INDEX_BIG_RAW)
                    .fields(Fields::unnamed().field(|f| f.ty::<BoundedVec<u8>>()))
            });
        Type::builder()
            .path(Path::new("Data", module_path!()))
            .variant(variants)
    }
}

/// `frame_system::Phase`: when in a block an event was emitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum Phase {
    /// While applying the extrinsic at this index.
    #[codec(index = 0)]
    ApplyExtrinsic(u32),
    /// In `on_finalize`.
    #[codec(index = 1)]
    Finalization,
    /// In `on_initialize`.
    #[codec(index = 2)]
    Initialization,
}

/// `frame_system::EventRecord<E, H256>`: one entry of `System.Events`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct EventRecord<E> {
    /// When it happened.
    pub phase: Phase,
    /// The event.
    pub event: E,
    /// Indexed topics (unused by subtensor).
    pub topics: Vec<H256>,
}

/// `sp_runtime::generic::digest::DigestItem`: one log of a block header's digest. No storage
/// item or call of the mirror holds it, but the served registry carries it (finney's does,
/// through `System.Digest`) because clients decode header logs with it: the Python SDK looks
/// the type up by path to read every block it fetches.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum DigestItem {
    /// Data a consensus engine put in before the runtime ran (Aura's slot).
    #[codec(index = 6)]
    PreRuntime([u8; 4], Vec<u8>),
    /// A message from the runtime to a consensus engine.
    #[codec(index = 4)]
    Consensus([u8; 4], Vec<u8>),
    /// A block seal by a consensus engine (an authority signature).
    #[codec(index = 5)]
    Seal([u8; 4], Vec<u8>),
    /// Anything else the runtime wants in the header.
    #[codec(index = 0)]
    Other(Vec<u8>),
    /// The runtime code or heap pages changed in this block.
    #[codec(index = 8)]
    RuntimeEnvironmentUpdated,
}

/// `sp_runtime::generic::digest::Digest`: a header's logs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Digest {
    /// The logs, in order.
    pub logs: Vec<DigestItem>,
}
