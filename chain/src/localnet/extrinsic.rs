//! Extrinsics of finney spec 393: decoding what `author_submitExtrinsic` receives and the
//! validity check a Substrate node runs before admitting a transaction to its pool
//! (`TaggedTransactionQueue_validate_transaction`), with Substrate's errors.
//!
//! # Format
//! `Compact<u32>` length, then that many bytes: one preamble byte (low six bits the format
//! version, top two the kind), then
//! - `0x84`, v4 signed: `MultiAddress` signer, `MultiSignature`, the explicit data of the 13
//!   signed extensions ([`SignedExtra`]), then the [`RuntimeCall`];
//! - `0x04` / `0x05`, v4 / v5 bare: the call alone;
//! - `0x45`, v5 general: extension version (0), the extension data, the call.
//!
//! Any other preamble byte is "Invalid transaction version".
//!
//! # Layers, in the order a Substrate node runs them
//! 1. The node reads the submitted bytes as an opaque byte string (`Vec<u8>`). Failure is RPC
//!    1040 "Client error: …" (1001 "Extrinsic has invalid format: …" from
//!    `author_submitAndWatchExtrinsic`). Bytes after the declared length are not part of the
//!    extrinsic: the node ignores them, and so does [`extrinsic_bytes`].
//! 2. The runtime decodes the extrinsic with a nesting limit of 256 and requires the declared
//!    length to be consumed exactly ("Invalid length prefix"). Failure (garbage, truncation,
//!    an unknown pallet or call index, trailing bytes inside the declared length) is RPC 1002
//!    "Verification Error: … Bad input data provided to validate_transaction: …".
//! 3. Validity ([`check`]), refusals being [`TransactionValidityError`]s (RPC 1010/1011):
//!    - bare (unsigned) extrinsics: finney validates no unsigned call nya's mirror knows, so
//!      `Unknown(NoUnsignedValidator)`, as `ValidateUnsigned` answers for such calls;
//!    - v5 general extrinsics authorize no signer, so no extension provides a tag and the pool
//!      refuses them with 1018 "No tags provided" ([`CheckError::NoTagsProvided`]);
//!    - signed ones: signer lookup (only `MultiAddress::Id`, else `Unknown(CannotLookup)`),
//!      implicit data (era birth hash missing from `System.BlockHash`: `AncientBirthBlock`),
//!      signature over `call ++ extra ++ implicit` (blake2-256 of it when longer than 256
//!      bytes; wrong genesis, spec version, transaction version or birth hash make it fail:
//!      `BadProof`), a mandatory call (`MandatoryValidation`), then the extensions in order:
//!      `CheckNonZeroSender` (`BadSigner`), `CheckMortality` (longevity), subtensor's
//!      `CheckNonce` (no account and a call that pays a fee: `Payment`; lower nonce: `Stale`;
//!      higher: valid, requiring the previous nonce), `CheckWeight` (the block length limit of the call's class:
//!      `ExhaustsResources`), `ChargeTransactionPaymentWrapper` (fee + tip withdrawable
//!      keeping the existential deposit: else `Payment`; flat priority by class) and
//!      `SudoTransactionExtension` (a sudo call not signed by `Sudo.Key`: `BadSigner`).
//!
//! # What the localnet does not do like finney
//! - ECDSA signatures are refused with `BadProof` (no secp256k1 verifier in the build).
//! - `CheckMetadataHash` in mode `Enabled`: the implicit hash is taken as `None`, as a runtime
//!   built without `RUNTIME_METADATA_HASH` does, so a signature over a metadata hash fails
//!   with `BadProof` (the localnet cannot produce finney's merkleized metadata hash). subxt
//!   and the Python SDK sign with mode `Disabled`.
//! - `SubtensorTransactionExtension`'s pool-level checks (weights min stake, commit found and
//!   in its reveal window, registration rate limit, `serve_axon` input; `Custom(n)` errors)
//!   are not run here: such calls enter the pool and fail at dispatch with the pallet error.
//! - `CheckWeight` checks the length limit only; nya's calls are far below the weight limit.

pub mod validity;

#[cfg(test)]
mod tests;

use nya_metadata::runtime::admin::SudoCall;
use nya_metadata::runtime::build::EXISTENTIAL_DEPOSIT;
use nya_metadata::runtime::calls::RuntimeCall;
use nya_metadata::runtime::dispatch::{DispatchClass, Pays};
use nya_metadata::runtime::extensions::SignedExtra;
use nya_metadata::runtime::items::SUDO_KEY;
use nya_metadata::runtime::types::{AccountId32, AccountInfo, H256, MultiAddress, MultiSignature};
use parity_scale_codec::{Compact, Decode, DecodeLimit, Encode, Input};
use sp_crypto_hashing::blake2_256;

use super::runtime::{SignedCall, fees, system};
use super::state::{CorruptValue, StorageRead, get_decoded, get_or_default};
pub use validity::{
    InvalidTransaction, RpcError, TransactionValidityError, UnknownTransaction, ValidTransaction,
    codes,
};

/// Nesting limit of the runtime's extrinsic decoding (`MAX_EXTRINSIC_DEPTH`).
pub const MAX_EXTRINSIC_DEPTH: u32 = 256;
/// Signed payloads longer than this are signed as their blake2-256 hash.
pub const MAX_UNHASHED_PAYLOAD_LEN: usize = 256;
/// Transaction priority of `Normal` (and `Mandatory`) calls on finney (flat, tip ignored).
pub const NORMAL_DISPATCH_PRIORITY: u64 = 1;
/// Transaction priority of `Operational` calls on finney.
pub const OPERATIONAL_DISPATCH_PRIORITY: u64 = 10_000_000_000;
/// Longest `Normal` extrinsic (finney's `System.BlockLength`: 75 % of 10 MiB).
pub const MAX_NORMAL_EXTRINSIC_LEN: u64 = 7_864_320;
/// Longest `Operational` or `Mandatory` extrinsic (finney's `System.BlockLength`: 10 MiB).
pub const MAX_OPERATIONAL_EXTRINSIC_LEN: u64 = 10_485_760;

const VERSION_MASK: u8 = 0b0011_1111;
const KIND_MASK: u8 = 0b1100_0000;
const KIND_BARE: u8 = 0b0000_0000;
const KIND_SIGNED: u8 = 0b1000_0000;
const KIND_GENERAL: u8 = 0b0100_0000;
const LEGACY_FORMAT: u8 = 4;
const GENERAL_FORMAT: u8 = 5;
/// The one transaction-extension version finney declares.
const EXTENSION_VERSION: u8 = 0;

/// What the chain's head looks like to a transaction being validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainContext {
    /// `Core_version` spec version (signed over).
    pub spec_version: u32,
    /// `Core_version` transaction version (signed over).
    pub transaction_version: u32,
    /// Number of the best block; the transaction is validated as if in the next one.
    pub best_number: u32,
    /// Hash of the best block. The state at `best_number` has no `System.BlockHash` entry for
    /// it yet (frame writes it when the next block starts, which validation simulates), so a
    /// transaction whose era was born at the best block finds its birth hash here.
    pub best_hash: H256,
}

/// The part of an extrinsic before the call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Preamble {
    /// No signature, no extensions (v4 `0x04` or v5 `0x05`).
    Bare {
        /// Format version, 4 or 5.
        version: u8,
    },
    /// A v4 signed transaction (`0x84`).
    Signed {
        /// The signer.
        address: MultiAddress,
        /// Its signature of the signed payload.
        signature: MultiSignature,
        /// The extensions' explicit data.
        extra: SignedExtra,
    },
    /// A v5 general transaction (`0x45`): extensions without a signature.
    General {
        /// The extension version (finney has only 0).
        extension_version: u8,
        /// The extensions' explicit data.
        extra: SignedExtra,
    },
}

impl Decode for Preamble {
    fn decode<I: Input>(input: &mut I) -> Result<Self, parity_scale_codec::Error> {
        let byte = input.read_byte()?;
        match (byte & VERSION_MASK, byte & KIND_MASK) {
            (LEGACY_FORMAT, KIND_SIGNED) => Ok(Preamble::Signed {
                address: Decode::decode(input)?,
                signature: Decode::decode(input)?,
                extra: Decode::decode(input)?,
            }),
            (version @ (LEGACY_FORMAT | GENERAL_FORMAT), KIND_BARE) => {
                Ok(Preamble::Bare { version })
            }
            (GENERAL_FORMAT, KIND_GENERAL) => {
                let extension_version = input.read_byte()?;
                if extension_version != EXTENSION_VERSION {
                    return Err("Invalid extension version".into());
                }
                Ok(Preamble::General {
                    extension_version,
                    extra: Decode::decode(input)?,
                })
            }
            _ => Err("Invalid transaction version".into()),
        }
    }
}

/// A decoded, not yet checked extrinsic (`sp_runtime::generic::UncheckedExtrinsic`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UncheckedExtrinsic {
    /// Signature and extensions, if any.
    pub preamble: Preamble,
    /// The call.
    pub call: RuntimeCall,
}

impl Decode for UncheckedExtrinsic {
    fn decode<I: Input>(input: &mut I) -> Result<Self, parity_scale_codec::Error> {
        let Compact(declared) = Compact::<u32>::decode(input)?;
        let before = input.remaining_len()?;
        let preamble = Preamble::decode(input)?;
        let call = RuntimeCall::decode(input)?;
        // Inputs that know their length (a byte slice does) must hold exactly the declared
        // length: a shorter extrinsic with trailing bytes inside the prefix is refused.
        if let (Some(before), Some(after)) = (before, input.remaining_len()?)
            && usize::try_from(declared).ok() != Some(before.saturating_sub(after))
        {
            return Err("Invalid length prefix".into());
        }
        Ok(UncheckedExtrinsic { preamble, call })
    }
}

impl Encode for UncheckedExtrinsic {
    fn encode(&self) -> Vec<u8> {
        let mut body = Vec::new();
        match &self.preamble {
            Preamble::Bare { version } => body.push(version & VERSION_MASK),
            Preamble::Signed {
                address,
                signature,
                extra,
            } => {
                body.push(KIND_SIGNED | LEGACY_FORMAT);
                address.encode_to(&mut body);
                signature.encode_to(&mut body);
                extra.encode_to(&mut body);
            }
            Preamble::General {
                extension_version,
                extra,
            } => {
                body.push(KIND_GENERAL | GENERAL_FORMAT);
                body.push(*extension_version);
                extra.encode_to(&mut body);
            }
        }
        self.call.encode_to(&mut body);
        // An extrinsic over 4 GiB cannot be built in memory here; saturate rather than wrap.
        let mut out = Compact(u32::try_from(body.len()).unwrap_or(u32::MAX)).encode();
        out.extend(body);
        out
    }
}

/// Why a submitted extrinsic is refused.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The bytes are not a length-prefixed byte string (the node's first decode).
    #[error("extrinsic bytes are not a length-prefixed byte string: {0}")]
    Malformed(String),
    /// The extrinsic does not decode as a finney spec-393 extrinsic of a call the localnet knows.
    #[error("extrinsic does not decode as a spec-393 extrinsic: {0}")]
    Undecodable(String),
    /// A v5 general transaction: it authorizes no signer, so it provides no pool tags.
    #[error("general (v5) transactions authorize no signer and provide no tags")]
    NoTagsProvided,
    /// The runtime's validity verdict.
    #[error(transparent)]
    Validity(#[from] TransactionValidityError),
    /// The state holds a value that does not decode (a damaged store).
    #[error(transparent)]
    State(#[from] CorruptValue),
}

impl From<InvalidTransaction> for CheckError {
    fn from(invalid: InvalidTransaction) -> Self {
        CheckError::Validity(invalid.into())
    }
}

impl From<UnknownTransaction> for CheckError {
    fn from(unknown: UnknownTransaction) -> Self {
        CheckError::Validity(unknown.into())
    }
}

/// What a Substrate node's runtime reports when an API call's input does not decode.
const BAD_INPUT: &str =
    "Execution failed: Runtime panicked: Bad input data provided to validate_transaction";

impl CheckError {
    /// The author RPC error a Substrate node answers with.
    pub fn rpc_error(&self) -> RpcError {
        match self {
            CheckError::Malformed(reason) => {
                RpcError::new(codes::OTHER_ERR, format!("Client error: {reason}"))
            }
            CheckError::Undecodable(reason) => {
                let runtime_error = format!("{BAD_INPUT}: {reason}");
                RpcError::with_data(
                    codes::VERIFICATION_ERROR,
                    format!("Verification Error: Runtime error: {runtime_error}"),
                    format!("RuntimeApi({runtime_error:?})"),
                )
            }
            CheckError::NoTagsProvided => RpcError::with_data(
                codes::POOL_NO_TAGS,
                "No tags provided",
                "Transaction does not provide any tags, so the pool can't identify it",
            ),
            CheckError::Validity(error) => error.rpc_error(),
            CheckError::State(error) => {
                let runtime_error = format!("Execution failed: {error}");
                RpcError::with_data(
                    codes::VERIFICATION_ERROR,
                    format!("Verification Error: Runtime error: {runtime_error}"),
                    format!("RuntimeApi({runtime_error:?})"),
                )
            }
        }
    }

    /// The error `author_submitAndWatchExtrinsic` answers with: the same as
    /// [`CheckError::rpc_error`] except for bytes that are not a byte string, which that method
    /// reports as 1001 "Extrinsic has invalid format: …" (it decodes through a different path).
    pub fn rpc_error_watching(&self) -> RpcError {
        match self {
            CheckError::Malformed(reason) => RpcError::new(
                codes::BAD_FORMAT,
                format!("Extrinsic has invalid format: {reason}"),
            ),
            other => other.rpc_error(),
        }
    }

    /// Whether a Substrate pool bans the transaction's hash for this refusal (it bans
    /// transactions found invalid, not those of unknown validity or undecodable ones).
    pub fn bans(&self) -> bool {
        matches!(
            self,
            CheckError::Validity(TransactionValidityError::Invalid(_))
        )
    }
}

/// A transaction that passed [`check`]: what the pool keeps and the block builder applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    /// blake2-256 of [`Checked::encoded`]: the transaction hash clients see.
    pub hash: H256,
    /// The extrinsic's bytes, length prefix included (what goes into a block).
    pub encoded: Vec<u8>,
    /// Signer, nonce, tip, call and encoded length, for the runtime.
    pub call: SignedCall,
    /// Pool priority (finney: flat by dispatch class).
    pub priority: u64,
    /// Blocks from the next one during which the transaction stays valid (its era).
    pub longevity: u64,
    /// The last best block number at which the pool keeps it (`best + longevity`).
    pub valid_till: u64,
    /// The tag it provides: (signer, nonce).
    pub provides: (AccountId32, u32),
    /// The tag it waits for when its nonce is ahead of the account's: (signer, nonce - 1).
    pub requires: Option<(AccountId32, u32)>,
    /// The signer's account nonce in the state it was checked against.
    pub account_nonce: u32,
}

impl Checked {
    /// The signer.
    pub fn signer(&self) -> &AccountId32 {
        &self.call.signer
    }

    /// The `ValidTransaction` the runtime's `validate_transaction` would return.
    pub fn valid_transaction(&self) -> ValidTransaction {
        ValidTransaction {
            priority: self.priority,
            requires: self.requires.iter().map(Encode::encode).collect(),
            provides: vec![self.provides.encode()],
            longevity: self.longevity,
            propagate: true,
        }
    }
}

/// The extrinsic's own bytes within what a client submitted (length prefix included): the
/// node's `Vec<u8>` decode. Bytes after the declared length are left out, as a node does.
pub fn extrinsic_bytes(submitted: &[u8]) -> Result<&[u8], CheckError> {
    let mut rest = submitted;
    <Vec<u8>>::decode(&mut rest).map_err(|e| CheckError::Malformed(e.to_string()))?;
    let consumed = submitted.len().saturating_sub(rest.len());
    Ok(submitted.get(..consumed).unwrap_or(submitted))
}

/// The transaction hash of what a client submitted (blake2-256 of the extrinsic's bytes).
pub fn hash_of(submitted: &[u8]) -> Result<H256, CheckError> {
    Ok(H256(blake2_256(extrinsic_bytes(submitted)?)))
}

/// Decodes an extrinsic's bytes (as [`extrinsic_bytes`] returns them) the way the runtime
/// does: nesting limited, declared length consumed exactly.
pub fn decode_extrinsic(extrinsic: &[u8]) -> Result<UncheckedExtrinsic, CheckError> {
    let mut input = extrinsic;
    UncheckedExtrinsic::decode_with_depth_limit(MAX_EXTRINSIC_DEPTH, &mut input)
        .map_err(|e| CheckError::Undecodable(e.to_string()))
}

/// Decodes and validates a submitted extrinsic against the state at the best block, as a
/// Substrate node does before pooling it. A nonce ahead of the account's is valid (the pool
/// holds it until the gap fills): see [`Checked::requires`].
pub fn check(
    submitted: &[u8],
    chain: &ChainContext,
    state: &impl StorageRead,
) -> Result<Checked, CheckError> {
    let encoded = extrinsic_bytes(submitted)?;
    let UncheckedExtrinsic { preamble, call } = decode_extrinsic(encoded)?;
    let encoded_len = u32::try_from(encoded.len()).unwrap_or(u32::MAX);
    let (address, signature, extra) = match preamble {
        Preamble::Bare { .. } => {
            let (_, info) = fees::fee_for(&call, encoded_len);
            if info.class == DispatchClass::Mandatory {
                return Err(InvalidTransaction::MandatoryValidation.into());
            }
            return Err(UnknownTransaction::NoUnsignedValidator.into());
        }
        Preamble::General { .. } => return Err(CheckError::NoTagsProvided),
        Preamble::Signed {
            address,
            signature,
            extra,
        } => (address, signature, extra),
    };
    let who = verify_signer(address, &signature, &call, &extra, chain, state)?;
    let validity = validate_extensions(&who, &call, &extra, encoded_len, chain, state)?;
    let ((_, _, _, _, _, nonce, _), (tip, ..), _) = &extra;
    Ok(Checked {
        hash: H256(blake2_256(encoded)),
        encoded: encoded.to_vec(),
        call: SignedCall {
            signer: who,
            nonce: nonce.0,
            tip: tip.0,
            call,
            encoded_len,
        },
        priority: validity.priority,
        longevity: validity.longevity,
        valid_till: u64::from(chain.best_number).saturating_add(validity.longevity),
        provides: (who, nonce.0),
        requires: validity.requires,
        account_nonce: validity.account_nonce,
    })
}

/// `UncheckedExtrinsic::check`: looks the signer up (finney's `AccountIdLookup` resolves only
/// `Id`), computes the implicit data and verifies the signature over
/// `call ++ extra ++ implicit` (its blake2-256 when longer than 256 bytes).
fn verify_signer(
    address: MultiAddress,
    signature: &MultiSignature,
    call: &RuntimeCall,
    extra: &SignedExtra,
    chain: &ChainContext,
    state: &impl StorageRead,
) -> Result<AccountId32, CheckError> {
    let MultiAddress::Id(who) = address else {
        return Err(UnknownTransaction::CannotLookup.into());
    };
    let ((_, _, _, _, mortality, _, _), _, _) = extra;
    let current = u64::from(chain.best_number).saturating_add(1);
    // In extension order: spec and transaction versions, genesis hash, era birth hash,
    // metadata hash (None in both modes: see the module docs).
    let birth_hash = block_hash(state, chain, mortality.0.birth(current))?
        .ok_or(InvalidTransaction::AncientBirthBlock)?;
    let genesis = get_or_default::<H256>(state, &system::block_hash_key(0))?;
    let implicit = (
        chain.spec_version,
        chain.transaction_version,
        genesis,
        birth_hash,
        None::<[u8; 32]>,
    );
    let mut payload = call.encode();
    extra.encode_to(&mut payload);
    implicit.encode_to(&mut payload);
    if payload.len() > MAX_UNHASHED_PAYLOAD_LEN {
        payload = blake2_256(&payload).to_vec();
    }
    if !verify_signature(signature, &payload, &who) {
        return Err(InvalidTransaction::BadProof.into());
    }
    Ok(who)
}

/// What the extensions' `validate` adds up to for a valid transaction.
struct Validity {
    priority: u64,
    longevity: u64,
    requires: Option<(AccountId32, u32)>,
    account_nonce: u32,
}

/// The executive's dispatch-class check, then each extension's `validate`, in order.
fn validate_extensions(
    who: &AccountId32,
    call: &RuntimeCall,
    extra: &SignedExtra,
    encoded_len: u32,
    chain: &ChainContext,
    state: &impl StorageRead,
) -> Result<Validity, CheckError> {
    let ((_, _, _, _, mortality, nonce, _), (tip, ..), _) = extra;
    let (fee, info) = fees::fee_for(call, encoded_len);
    if info.class == DispatchClass::Mandatory {
        return Err(InvalidTransaction::MandatoryValidation.into());
    }
    // CheckNonZeroSender.
    if who.0 == [0; 32] {
        return Err(InvalidTransaction::BadSigner.into());
    }
    // CheckMortality.
    let current = u64::from(chain.best_number).saturating_add(1);
    let longevity = mortality.0.death(current).saturating_sub(current);
    // CheckNonce (subtensor's: an account that holds nothing may send fee-less calls).
    let account = system::account(state, who)?;
    if info.pays_fee == Pays::Yes && account.providers == 0 && account.sufficients == 0 {
        return Err(InvalidTransaction::Payment.into());
    }
    if nonce.0 < account.nonce {
        return Err(InvalidTransaction::Stale.into());
    }
    let requires = (account.nonce < nonce.0).then(|| (*who, nonce.0.saturating_sub(1)));
    // CheckWeight (block length).
    let max_len = match info.class {
        DispatchClass::Normal => MAX_NORMAL_EXTRINSIC_LEN,
        DispatchClass::Operational | DispatchClass::Mandatory => MAX_OPERATIONAL_EXTRINSIC_LEN,
    };
    if u64::from(encoded_len) > max_len {
        return Err(InvalidTransaction::ExhaustsResources.into());
    }
    // ChargeTransactionPaymentWrapper: the fee and tip must be withdrawable; flat priority.
    if !can_withdraw_fee(&account, fee.saturating_add(tip.0)) {
        return Err(InvalidTransaction::Payment.into());
    }
    let priority = match info.class {
        DispatchClass::Operational => OPERATIONAL_DISPATCH_PRIORITY,
        DispatchClass::Normal | DispatchClass::Mandatory => NORMAL_DISPATCH_PRIORITY,
    };
    // SudoTransactionExtension: a sudo call must come from the sudo key.
    if matches!(call, RuntimeCall::Sudo(SudoCall::sudo { .. }))
        && get_decoded::<AccountId32>(state, &system::item_prefix(SUDO_KEY))? != Some(*who)
    {
        return Err(InvalidTransaction::BadSigner.into());
    }
    // CheckShieldedTxValidity, SubtensorTransactionExtension, DrandPriority and
    // CheckMetadataHash add nothing for these calls (see the module docs).
    Ok(Validity {
        priority,
        longevity,
        requires,
        account_nonce: account.nonce,
    })
}

/// [`check`] for applying in a block built on `chain.best_number`: the nonce must be the
/// account's own (`CheckNonce` at dispatch refuses a nonce ahead with `Future`).
pub fn check_for_block(
    submitted: &[u8],
    chain: &ChainContext,
    state: &impl StorageRead,
) -> Result<Checked, CheckError> {
    let checked = check(submitted, chain, state)?;
    if checked.requires.is_some() {
        return Err(InvalidTransaction::Future.into());
    }
    Ok(checked)
}

/// The hash of block `number` as frame sees it while validating for the block after the
/// best: `System.BlockHash` entries, plus the best block itself.
fn block_hash(
    state: &impl StorageRead,
    chain: &ChainContext,
    number: u64,
) -> Result<Option<H256>, CorruptValue> {
    let Ok(number) = u32::try_from(number) else {
        return Ok(None);
    };
    if number == chain.best_number {
        return Ok(Some(chain.best_hash));
    }
    get_decoded::<H256>(state, &system::block_hash_key(number))
}

/// `MultiSignature::verify` against an `AccountId32` (the public key for sr25519/ed25519).
fn verify_signature(signature: &MultiSignature, message: &[u8], who: &AccountId32) -> bool {
    match signature {
        MultiSignature::Sr25519(signature) => crate::keys::verify(signature, message, &who.0),
        MultiSignature::Ed25519(signature) => ed25519_zebra::VerificationKey::try_from(who.0)
            .and_then(|key| key.verify(&ed25519_zebra::Signature::from_bytes(signature), message))
            .is_ok(),
        // No secp256k1 recovery in the build: see the module docs.
        MultiSignature::Ecdsa(_) => false,
    }
}

/// pallet_balances' `can_withdraw` as the fee payment asks it: the amount must be within the
/// free balance not frozen (beyond what is reserved), and what remains must keep the
/// existential deposit. A zero amount is always withdrawable.
fn can_withdraw_fee(account: &AccountInfo, amount: u64) -> bool {
    if amount == 0 {
        return true;
    }
    let data = &account.data;
    let untouchable = data.frozen.saturating_sub(data.reserved);
    let liquid = data.free.saturating_sub(untouchable);
    amount <= liquid && data.free.saturating_sub(amount) >= EXISTENTIAL_DEPOSIT
}
