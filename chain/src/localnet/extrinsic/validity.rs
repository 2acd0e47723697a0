//! Transaction-validity errors with Substrate's names, SCALE indices and messages
//! (`sp_runtime::transaction_validity`), and the JSON-RPC error objects a Substrate node's
//! `author_submitExtrinsic` answers with (`sc_rpc_api::author::error`).
//!
//! RPC codes: 1001 bad format, 1002 verification error (the runtime could not decode or run
//! the validation), 1010 invalid transaction (data: the validity message), 1011 unknown
//! validity (data: the variant's `Debug` name), 1012 banned, 1013 already imported, 1014
//! priority too low, 1015 cycle, 1016 immediately dropped, 1017 unactionable, 1018 no tags,
//! 1019 invalid block id, 1020 future transactions refused, 1040 other (client) errors.

use std::fmt;

use parity_scale_codec::{Decode, Encode};

/// JSON-RPC error codes of Substrate's author API.
pub mod codes {
    /// The extrinsic has an invalid format.
    pub const BAD_FORMAT: i32 = 1001;
    /// The runtime failed while verifying the extrinsic (it did not decode, for one).
    pub const VERIFICATION_ERROR: i32 = 1002;
    /// The pool rejected the transaction as invalid.
    pub const POOL_INVALID_TX: i32 = 1010;
    /// The transaction's validity cannot be determined.
    pub const POOL_UNKNOWN_VALIDITY: i32 = 1011;
    /// The transaction is temporarily banned.
    pub const POOL_TEMPORARILY_BANNED: i32 = 1012;
    /// The transaction is already in the pool.
    pub const POOL_ALREADY_IMPORTED: i32 = 1013;
    /// The transaction's priority is too low to replace the one already pooled.
    pub const POOL_TOO_LOW_PRIORITY: i32 = 1014;
    /// Including the transaction would create a dependency cycle.
    pub const POOL_CYCLE_DETECTED: i32 = 1015;
    /// The pool is full and the transaction was the one to go.
    pub const POOL_IMMEDIATELY_DROPPED: i32 = 1016;
    /// The transaction is not propagable and the node does not author blocks.
    pub const POOL_UNACTIONABLE: i32 = 1017;
    /// The transaction provides no tags.
    pub const POOL_NO_TAGS: i32 = 1018;
    /// The block id is not valid.
    pub const POOL_INVALID_BLOCK_ID: i32 = 1019;
    /// The pool does not accept future transactions.
    pub const POOL_FUTURE_TX: i32 = 1020;
    /// Any other error (the node's `Error::Client`, e.g. bytes that are not a byte string).
    pub const OTHER_ERR: i32 = 1040;
}

/// A JSON-RPC error object: what the RPC layer turns into `{"code", "message", "data"}`.
/// `data`, when present, is a JSON string, as Substrate sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpcError {
    /// The error code.
    pub code: i32,
    /// The message.
    pub message: String,
    /// The data string, if any.
    pub data: Option<String>,
}

impl RpcError {
    /// An error object without data.
    pub fn new(code: i32, message: impl Into<String>) -> RpcError {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// An error object with a data string.
    pub fn with_data(code: i32, message: impl Into<String>, data: impl Into<String>) -> RpcError {
        RpcError {
            code,
            message: message.into(),
            data: Some(data.into()),
        }
    }
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(data) = &self.data {
            write!(f, " ({data})")?;
        }
        Ok(())
    }
}

impl From<RpcError> for jsonrpsee::types::ErrorObjectOwned {
    fn from(error: RpcError) -> Self {
        jsonrpsee::types::ErrorObject::owned(error.code, error.message, error.data)
    }
}

/// `sp_runtime::transaction_validity::InvalidTransaction`, same variants and SCALE indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub enum InvalidTransaction {
    /// The call is not expected.
    #[codec(index = 0)]
    Call,
    /// The sender cannot pay the fee (or the account does not exist).
    #[codec(index = 1)]
    Payment,
    /// Not valid yet (nonce too high); only when applying, the pool keeps such transactions.
    #[codec(index = 2)]
    Future,
    /// Outdated (nonce too low).
    #[codec(index = 3)]
    Stale,
    /// The signature does not verify (also: wrong genesis, spec or transaction version, or
    /// era birth hash, since those are signed over but not sent).
    #[codec(index = 4)]
    BadProof,
    /// The era's birth block is not in `System.BlockHash`.
    #[codec(index = 5)]
    AncientBirthBlock,
    /// The transaction does not fit in a block.
    #[codec(index = 6)]
    ExhaustsResources,
    /// A runtime-specific reason.
    #[codec(index = 7)]
    Custom(u8),
    /// A mandatory call failed.
    #[codec(index = 8)]
    BadMandatory,
    /// A mandatory call was submitted for validation.
    #[codec(index = 9)]
    MandatoryValidation,
    /// The signer is not allowed (zero account, or not the sudo key for a sudo call).
    #[codec(index = 10)]
    BadSigner,
    /// The implicit (signed-over) data could not be computed.
    #[codec(index = 11)]
    IndeterminateImplicit,
    /// No extension authorized an origin.
    #[codec(index = 12)]
    UnknownOrigin,
}

impl InvalidTransaction {
    /// Substrate's message for this variant.
    pub fn message(self) -> &'static str {
        match self {
            InvalidTransaction::Call => "Transaction call is not expected",
            InvalidTransaction::Payment => {
                "Inability to pay some fees (e.g. account balance too low)"
            }
            InvalidTransaction::Future => "Transaction will be valid in the future",
            InvalidTransaction::Stale => "Transaction is outdated",
            InvalidTransaction::BadProof => "Transaction has a bad signature",
            InvalidTransaction::AncientBirthBlock => "Transaction has an ancient birth block",
            InvalidTransaction::ExhaustsResources => "Transaction would exhaust the block limits",
            InvalidTransaction::Custom(_) => "InvalidTransaction custom error",
            InvalidTransaction::BadMandatory => {
                "A call was labelled as mandatory, but resulted in an Error."
            }
            InvalidTransaction::MandatoryValidation => {
                "Transaction dispatch is mandatory; transactions must not be validated."
            }
            InvalidTransaction::BadSigner => "Invalid signing address",
            InvalidTransaction::IndeterminateImplicit => {
                "The implicit data was unable to be calculated"
            }
            InvalidTransaction::UnknownOrigin => {
                "The transaction extension did not authorize any origin"
            }
        }
    }
}

/// `sp_runtime::transaction_validity::UnknownTransaction`, same variants and SCALE indices.
/// The derived `Debug` (`CannotLookup`, `Custom(3)`) is what the RPC error's data shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub enum UnknownTransaction {
    /// Information needed to validate could not be looked up (a non-`Id` signer address).
    #[codec(index = 0)]
    CannotLookup,
    /// An unsigned transaction that no pallet validates.
    #[codec(index = 1)]
    NoUnsignedValidator,
    /// A runtime-specific reason.
    #[codec(index = 2)]
    Custom(u8),
}

impl UnknownTransaction {
    /// Substrate's message for this variant.
    pub fn message(self) -> &'static str {
        match self {
            UnknownTransaction::CannotLookup => {
                "Could not lookup information required to validate the transaction"
            }
            UnknownTransaction::NoUnsignedValidator => {
                "Could not find an unsigned validator for the unsigned transaction"
            }
            UnknownTransaction::Custom(_) => "UnknownTransaction custom error",
        }
    }
}

/// `sp_runtime::transaction_validity::TransactionValidityError`: why a transaction is refused.
/// `Display` is Substrate's message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, thiserror::Error)]
pub enum TransactionValidityError {
    /// The transaction is invalid.
    #[codec(index = 0)]
    #[error("{}", .0.message())]
    Invalid(InvalidTransaction),
    /// The transaction's validity cannot be determined.
    #[codec(index = 1)]
    #[error("{}", .0.message())]
    Unknown(UnknownTransaction),
}

impl TransactionValidityError {
    /// The author RPC error Substrate answers with for this refusal.
    pub fn rpc_error(&self) -> RpcError {
        match *self {
            TransactionValidityError::Invalid(InvalidTransaction::Custom(code)) => {
                RpcError::with_data(
                    codes::POOL_INVALID_TX,
                    "Invalid Transaction",
                    format!("Custom error: {code}"),
                )
            }
            TransactionValidityError::Invalid(invalid) => RpcError::with_data(
                codes::POOL_INVALID_TX,
                "Invalid Transaction",
                invalid.message(),
            ),
            TransactionValidityError::Unknown(unknown) => RpcError::with_data(
                codes::POOL_UNKNOWN_VALIDITY,
                "Unknown Transaction Validity",
                format!("{unknown:?}"),
            ),
        }
    }
}

impl From<InvalidTransaction> for TransactionValidityError {
    fn from(invalid: InvalidTransaction) -> Self {
        TransactionValidityError::Invalid(invalid)
    }
}

impl From<UnknownTransaction> for TransactionValidityError {
    fn from(unknown: UnknownTransaction) -> Self {
        TransactionValidityError::Unknown(unknown)
    }
}

/// `sp_runtime::transaction_validity::ValidTransaction`: what `validate_transaction` returns
/// for a valid transaction, tags SCALE-encoded (`(AccountId32, u32)` for the nonce tags).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct ValidTransaction {
    /// Higher goes first.
    pub priority: u64,
    /// Tags that must be provided by earlier transactions.
    pub requires: Vec<Vec<u8>>,
    /// Tags this transaction provides.
    pub provides: Vec<Vec<u8>>,
    /// Blocks the validity holds for at least.
    pub longevity: u64,
    /// Whether to gossip it.
    pub propagate: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_messages_and_rpc_errors_are_substrates() {
        let bad_proof = TransactionValidityError::from(InvalidTransaction::BadProof);
        assert_eq!(bad_proof.to_string(), "Transaction has a bad signature");
        assert_eq!(
            bad_proof.rpc_error(),
            RpcError::with_data(
                1010,
                "Invalid Transaction",
                "Transaction has a bad signature"
            )
        );
        let custom = TransactionValidityError::from(InvalidTransaction::Custom(3));
        assert_eq!(custom.to_string(), "InvalidTransaction custom error");
        assert_eq!(custom.rpc_error().data.as_deref(), Some("Custom error: 3"));
        let unknown = TransactionValidityError::from(UnknownTransaction::NoUnsignedValidator);
        assert_eq!(
            unknown.rpc_error(),
            RpcError::with_data(1011, "Unknown Transaction Validity", "NoUnsignedValidator")
        );
        assert_eq!(
            TransactionValidityError::from(UnknownTransaction::Custom(7))
                .rpc_error()
                .data
                .as_deref(),
            Some("Custom(7)")
        );
        assert_eq!(
            TransactionValidityError::from(InvalidTransaction::Payment).to_string(),
            "Inability to pay some fees (e.g. account balance too low)"
        );
    }

    #[test]
    fn validity_errors_encode_with_substrate_indices() {
        // Result<ValidTransaction, TransactionValidityError> as the runtime API returns it.
        assert_eq!(
            TransactionValidityError::from(InvalidTransaction::Stale).encode(),
            vec![0, 3]
        );
        assert_eq!(
            TransactionValidityError::from(InvalidTransaction::Custom(9)).encode(),
            vec![0, 7, 9]
        );
        assert_eq!(
            TransactionValidityError::from(InvalidTransaction::UnknownOrigin).encode(),
            vec![0, 12]
        );
        assert_eq!(
            TransactionValidityError::from(UnknownTransaction::CannotLookup).encode(),
            vec![1, 0]
        );
    }

    #[test]
    fn rpc_errors_become_jsonrpsee_objects() {
        let object: jsonrpsee::types::ErrorObjectOwned =
            TransactionValidityError::from(InvalidTransaction::Stale)
                .rpc_error()
                .into();
        assert_eq!(object.code(), 1010);
        assert_eq!(object.message(), "Invalid Transaction");
        assert_eq!(
            object.data().map(|raw| raw.get()),
            Some("\"Transaction is outdated\"")
        );
    }
}
