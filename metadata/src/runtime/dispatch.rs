//! Dispatch outcome types of finney spec 393: what `System.ExtrinsicSuccess` and
//! `System.ExtrinsicFailed` carry, with the chain's variant indices.

use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

/// `sp_weights::weight_v2::Weight` (both parts compact-encoded).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Weight {
    /// Execution time in picoseconds.
    #[codec(compact)]
    pub ref_time: u64,
    /// Proof size in bytes.
    #[codec(compact)]
    pub proof_size: u64,
}

/// `frame_support::dispatch::DispatchClass`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum DispatchClass {
    /// Ordinary transactions.
    #[default]
    #[codec(index = 0)]
    Normal,
    /// Operational transactions.
    #[codec(index = 1)]
    Operational,
    /// Inherents and hooks.
    #[codec(index = 2)]
    Mandatory,
}

/// `frame_support::dispatch::Pays`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum Pays {
    /// The sender pays the fee.
    #[default]
    #[codec(index = 0)]
    Yes,
    /// No fee.
    #[codec(index = 1)]
    No,
}

/// `frame_system::DispatchEventInfo`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct DispatchEventInfo {
    /// Weight used.
    pub weight: Weight,
    /// Class of the call.
    pub class: DispatchClass,
    /// Whether a fee was paid.
    pub pays_fee: Pays,
}

/// `sp_runtime::ModuleError`: a pallet's error, as pallet index and the encoded error
/// (the error variant index then padding).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ModuleError {
    /// Pallet index.
    pub index: u8,
    /// Error variant index in byte 0; the rest is zero for field-less errors.
    pub error: [u8; 4],
}

/// `sp_runtime::TokenError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
#[allow(missing_docs)] // Names are the chain's; meanings are Substrate's.
pub enum TokenError {
    #[codec(index = 0)]
    FundsUnavailable,
    #[codec(index = 1)]
    OnlyProvider,
    #[codec(index = 2)]
    BelowMinimum,
    #[codec(index = 3)]
    CannotCreate,
    #[codec(index = 4)]
    UnknownAsset,
    #[codec(index = 5)]
    Frozen,
    #[codec(index = 6)]
    Unsupported,
    #[codec(index = 7)]
    CannotCreateHold,
    #[codec(index = 8)]
    NotExpendable,
    #[codec(index = 9)]
    Blocked,
}

/// `sp_arithmetic::ArithmeticError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
#[allow(missing_docs)]
pub enum ArithmeticError {
    #[codec(index = 0)]
    Underflow,
    #[codec(index = 1)]
    Overflow,
    #[codec(index = 2)]
    DivisionByZero,
}

/// `sp_runtime::TransactionalError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
#[allow(missing_docs)]
pub enum TransactionalError {
    #[codec(index = 0)]
    LimitReached,
    #[codec(index = 1)]
    NoLayer,
}

/// `sp_runtime::proving_trie::TrieError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
#[allow(missing_docs)]
pub enum TrieError {
    #[codec(index = 0)]
    InvalidStateRoot,
    #[codec(index = 1)]
    IncompleteDatabase,
    #[codec(index = 2)]
    ValueAtIncompleteKey,
    #[codec(index = 3)]
    DecoderError,
    #[codec(index = 4)]
    InvalidHash,
    #[codec(index = 5)]
    DuplicateKey,
    #[codec(index = 6)]
    ExtraneousNode,
    #[codec(index = 7)]
    ExtraneousValue,
    #[codec(index = 8)]
    ExtraneousHashReference,
    #[codec(index = 9)]
    InvalidChildReference,
    #[codec(index = 10)]
    ValueMismatch,
    #[codec(index = 11)]
    IncompleteProof,
    #[codec(index = 12)]
    RootMismatch,
    #[codec(index = 13)]
    DecodeError,
}

/// `sp_runtime::DispatchError`, the reason in `System.ExtrinsicFailed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
#[allow(missing_docs)]
pub enum DispatchError {
    #[codec(index = 0)]
    Other,
    #[codec(index = 1)]
    CannotLookup,
    #[codec(index = 2)]
    BadOrigin,
    #[codec(index = 3)]
    Module(ModuleError),
    #[codec(index = 4)]
    ConsumerRemaining,
    #[codec(index = 5)]
    NoProviders,
    #[codec(index = 6)]
    TooManyConsumers,
    #[codec(index = 7)]
    Token(TokenError),
    #[codec(index = 8)]
    Arithmetic(ArithmeticError),
    #[codec(index = 9)]
    Transactional(TransactionalError),
    #[codec(index = 10)]
    Exhausted,
    #[codec(index = 11)]
    Corruption,
    #[codec(index = 12)]
    Unavailable,
    #[codec(index = 13)]
    RootNotAllowed,
    #[codec(index = 14)]
    Trie(TrieError),
}

impl DispatchError {
    /// The `Module` error for variant `error` of the pallet at `pallet_index`.
    pub fn module(pallet_index: u8, error: u8) -> DispatchError {
        DispatchError::Module(ModuleError {
            index: pallet_index,
            error: [error, 0, 0, 0],
        })
    }
}
