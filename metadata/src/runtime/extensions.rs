//! The signed (transaction) extensions of finney spec 393, in the order a v4 extrinsic carries
//! them: each one's explicit data (in the extrinsic) and implicit data (signed over, not sent).

use frame_metadata::v15::SignedExtensionMetadata;
use parity_scale_codec::{Decode, Encode};
use scale_info::{TypeInfo, meta_type};

use super::era::Era;
use super::types::H256;

/// `CheckNonZeroSender`: no data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct CheckNonZeroSender;
/// `CheckSpecVersion`: implicit spec version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct CheckSpecVersion;
/// `CheckTxVersion`: implicit transaction version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct CheckTxVersion;
/// `CheckGenesis`: implicit genesis hash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct CheckGenesis;
/// `CheckMortality`: the era; implicit hash of the era's birth block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct CheckMortality(pub Era);
/// `CheckNonce`: the sender's nonce.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct CheckNonce(#[codec(compact)] pub u32);
/// `CheckWeight`: no data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct CheckWeight;
/// `ChargeTransactionPayment`: the tip in rao.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ChargeTransactionPayment(#[codec(compact)] pub u64);
/// `SudoTransactionExtension`: no data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SudoTransactionExtension;
/// `CheckShieldedTxValidity`: no data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct CheckShieldedTxValidity;
/// `SubtensorTransactionExtension`: no data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SubtensorTransactionExtension;
/// `DrandPriority`: no data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct DrandPriority;

/// `frame_metadata_hash_extension::Mode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum Mode {
    /// No metadata hash is signed over.
    #[default]
    #[codec(index = 0)]
    Disabled,
    /// The metadata hash is signed over.
    #[codec(index = 1)]
    Enabled,
}

/// `CheckMetadataHash`: the mode; implicit `Option<[u8; 32]>` metadata hash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct CheckMetadataHash {
    /// Whether the hash is included.
    pub mode: Mode,
}

/// All explicit extension data of one extrinsic, in order (the metadata's `extra_ty`), nested
/// the way the runtime declares it: (frame_system's seven, subtensor's five, metadata hash).
/// Nesting does not change the encoding, which is the 13 parts back to back.
pub type SignedExtra = (
    (
        CheckNonZeroSender,
        CheckSpecVersion,
        CheckTxVersion,
        CheckGenesis,
        CheckMortality,
        CheckNonce,
        CheckWeight,
    ),
    (
        ChargeTransactionPayment,
        SudoTransactionExtension,
        CheckShieldedTxValidity,
        SubtensorTransactionExtension,
        DrandPriority,
    ),
    CheckMetadataHash,
);

/// The explicit extension data of a transaction with this era, nonce, tip and metadata-hash
/// mode: what a signer puts between the signature and the call.
pub fn signed_extra(era: Era, nonce: u32, tip: u64, mode: Mode) -> SignedExtra {
    (
        (
            CheckNonZeroSender,
            CheckSpecVersion,
            CheckTxVersion,
            CheckGenesis,
            CheckMortality(era),
            CheckNonce(nonce),
            CheckWeight,
        ),
        (
            ChargeTransactionPayment(tip),
            SudoTransactionExtension,
            CheckShieldedTxValidity,
            SubtensorTransactionExtension,
            DrandPriority,
        ),
        CheckMetadataHash { mode },
    )
}

fn extension<T: TypeInfo + 'static, I: TypeInfo + 'static>(
    identifier: &'static str,
) -> SignedExtensionMetadata {
    SignedExtensionMetadata {
        identifier,
        ty: meta_type::<T>(),
        additional_signed: meta_type::<I>(),
    }
}

/// The extension list of spec 393, in order, with explicit and implicit types.
pub fn signed_extensions() -> Vec<SignedExtensionMetadata> {
    vec![
        extension::<CheckNonZeroSender, ()>("CheckNonZeroSender"),
        extension::<CheckSpecVersion, u32>("CheckSpecVersion"),
        extension::<CheckTxVersion, u32>("CheckTxVersion"),
        extension::<CheckGenesis, H256>("CheckGenesis"),
        extension::<CheckMortality, H256>("CheckMortality"),
        extension::<CheckNonce, ()>("CheckNonce"),
        extension::<CheckWeight, ()>("CheckWeight"),
        extension::<ChargeTransactionPayment, ()>("ChargeTransactionPayment"),
        extension::<SudoTransactionExtension, ()>("SudoTransactionExtension"),
        extension::<CheckShieldedTxValidity, ()>("CheckShieldedTxValidity"),
        extension::<SubtensorTransactionExtension, ()>("SubtensorTransactionExtension"),
        extension::<DrandPriority, ()>("DrandPriority"),
        extension::<CheckMetadataHash, Option<[u8; 32]>>("CheckMetadataHash"),
    ]
}
