//! The runtime APIs the localnet serves through `state_call`, by their `Trait_method` names,
//! with finney spec 393's argument and result types (the structs of
//! [`nya_metadata::runtime::apis`], which the served metadata describes):
//!
//! | method | arguments | result |
//! |---|---|---|
//! | `Core_version` | – | [`RuntimeVersion`] |
//! | `Metadata_metadata` | – | `OpaqueMetadata` (V14) |
//! | `Metadata_metadata_at_version` | `u32` | `Option<OpaqueMetadata>` (14, 15, 16) |
//! | `Metadata_metadata_versions` | – | `Vec<u32>` |
//! | `AccountNonceApi_account_nonce` | `AccountId32` | `u32` |
//! | `TransactionPaymentApi_query_info` | extrinsic, `u32` length | `RuntimeDispatchInfo` |
//! | `NeuronInfoRuntimeApi_get_neuron` | `u16`, `u16` | `Option<NeuronInfo>` |
//! | `NeuronInfoRuntimeApi_get_neurons_lite` | `u16` | `Vec<NeuronInfoLite>` |
//! | `NeuronInfoRuntimeApi_get_neuron_lite` | `u16`, `u16` | `Option<NeuronInfoLite>` |
//! | `SubnetInfoRuntimeApi_get_subnet_state` | `u16` | `Option<SubnetState>` |
//! | `SubnetInfoRuntimeApi_get_selective_metagraph` | `u16`, `Vec<u16>` | `Option<SelectiveMetagraph>` |
//! | `SubnetInfoRuntimeApi_get_selective_mechagraph` | `u16`, `u8`, `Vec<u16>` | `Option<SelectiveMetagraph>` |
//! | `SubnetInfoRuntimeApi_get_subnet_hyperparams(_v2)` | `u16` | `Option<SubnetHyperparams(V2)>` |
//!
//! Arguments are the SCALE encoding of the parameters back to back, decoded the way the
//! runtime does (nesting limited, every byte consumed); anything else is
//! [`RuntimeApiError::BadInput`], Substrate's "Bad input data provided to …". Results are
//! SCALE-encoded. The method table is [`SERVED`], built from the mirror's
//! [`UsedItem`]s, so what is served is exactly what the metadata advertises.

mod hyperparams;
mod metagraph;
mod neurons;
mod payment;
pub(crate) mod storage;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::sync::OnceLock;

use nya_metadata::runtime::apis::{NeuronInfoLite, RuntimeVersion};
use nya_metadata::runtime::build::{OpaqueMetadata, RUNTIME_API_VERSIONS};
use nya_metadata::runtime::items::{self, UsedItem};
use nya_metadata::runtime::types::{AccountId32, AccountInfo};
use nya_metadata::runtime::{mirror_prefixed, mirror_prefixed_v14, mirror_prefixed_v16};
use parity_scale_codec::{Decode, DecodeLimit, Encode};
use sp_crypto_hashing::blake2_64;

pub use metagraph::Graph;

use super::runtime::system;
use super::spec::RuntimeSpec;
use super::state::{CorruptValue, StorageRead, get_or_default};

/// finney's `spec_name` and `impl_name`.
pub const SPEC_NAME: &str = "node-subtensor";
/// The runtime spec the localnet implements.
pub const SPEC_VERSION: u32 = 393;
/// finney's transaction version at spec 393 (signed over by every extrinsic).
pub const TRANSACTION_VERSION: u32 = 1;
/// Nesting limit for decoding arguments (`MAX_EXTRINSIC_DEPTH` in Substrate).
const MAX_DECODE_DEPTH: u32 = 256;
/// Metadata versions `Metadata_metadata_versions` lists and `metadata_at_version` serves.
pub const METADATA_VERSIONS: [u32; 3] = [14, 15, 16];
/// Longest method name quoted back in an error (names come from clients).
const MAX_QUOTED_NAME: usize = 128;

/// The runtime API methods served, in the metadata's order.
pub const SERVED: &[UsedItem] = &[
    items::CORE_VERSION,
    items::METADATA,
    items::METADATA_AT_VERSION,
    items::METADATA_VERSIONS,
    items::ACCOUNT_NONCE,
    items::TRANSACTION_PAYMENT_QUERY_INFO,
    items::NEURON_INFO_GET_NEURON,
    items::NEURON_INFO_GET_NEURONS_LITE,
    items::NEURON_INFO_GET_NEURON_LITE,
    items::SUBNET_INFO_GET_SUBNET_STATE,
    items::SUBNET_INFO_GET_SELECTIVE_METAGRAPH,
    items::SUBNET_INFO_GET_SELECTIVE_MECHAGRAPH,
    items::SUBNET_INFO_GET_SUBNET_HYPERPARAMS,
    items::SUBNET_INFO_GET_SUBNET_HYPERPARAMS_V2,
];

/// Why a runtime API call failed. The messages follow a Substrate node's for the same
/// failure (the RPC layer wraps them in its error object).
#[derive(Debug, thiserror::Error)]
pub enum RuntimeApiError {
    /// No such `Trait_method` in the runtime.
    #[error("Execution failed: Other: Exported method {0} is not found")]
    MethodNotFound(String),
    /// The arguments do not decode as the method's parameters (or bytes are left over).
    #[error("Execution failed: Runtime panicked: Bad input data provided to {method}: {reason}")]
    BadInput {
        /// The method (without its trait), as Substrate names it.
        method: &'static str,
        /// The codec's message.
        reason: String,
    },
    /// A stored value did not decode (a damaged store).
    #[error("Execution failed: {0}")]
    Corrupt(#[from] CorruptValue),
}

/// Runs runtime API `method` (e.g. `Core_version`) with SCALE `args` against `state`, the
/// state at block `block`, and returns the SCALE-encoded result.
pub fn call<S: StorageRead + ?Sized>(
    state: &S,
    method: &str,
    args: &[u8],
    block: u32,
) -> Result<Vec<u8>, RuntimeApiError> {
    call_for(RuntimeSpec::LATEST, state, method, args, block)
}

/// [`call`] run by `spec`, the runtime in `state`: `Core_version` and `Metadata_*` answer
/// with its version and metadata, and methods it lacks are not found.
pub fn call_for<S: StorageRead + ?Sized>(
    spec: RuntimeSpec,
    state: &S,
    method: &str,
    args: &[u8],
    block: u32,
) -> Result<Vec<u8>, RuntimeApiError> {
    let item = SERVED
        .iter()
        .copied()
        .filter(|item| spec.has_api(item))
        .find(|item| state_call_name(item) == method)
        .ok_or_else(|| RuntimeApiError::MethodNotFound(quoted(method)))?;
    let name = item.name();
    Ok(match item {
        items::CORE_VERSION => {
            decode_args::<()>(name, args)?;
            spec.runtime_version().encode()
        }
        items::METADATA => {
            decode_args::<()>(name, args)?;
            OpaqueMetadata(spec.metadata_v14().to_vec()).encode()
        }
        items::METADATA_AT_VERSION => {
            let version: u32 = decode_args(name, args)?;
            spec.metadata(version)
                .map(|bytes| OpaqueMetadata(bytes.to_vec()))
                .encode()
        }
        items::METADATA_VERSIONS => {
            decode_args::<()>(name, args)?;
            METADATA_VERSIONS.to_vec().encode()
        }
        items::ACCOUNT_NONCE => {
            let who: AccountId32 = decode_args(name, args)?;
            let account: AccountInfo = get_or_default(state, &system::account_key(&who))?;
            account.nonce.encode()
        }
        items::TRANSACTION_PAYMENT_QUERY_INFO => {
            let (uxt, len) = decode_args(name, args)?;
            payment::query_info(&uxt, len).encode()
        }
        items::NEURON_INFO_GET_NEURON => {
            let (netuid, uid): (u16, u16) = decode_args(name, args)?;
            let subnet = neurons::Subnet::new(state, netuid);
            let neuron = if subnet.exists()? {
                subnet.neuron(uid, &neurons::Columns::read(&subnet)?)?
            } else {
                None
            };
            neuron.encode()
        }
        items::NEURON_INFO_GET_NEURONS_LITE => {
            let netuid: u16 = decode_args(name, args)?;
            let subnet = neurons::Subnet::new(state, netuid);
            if subnet.exists()? {
                subnet.neurons_lite()?.encode()
            } else {
                Vec::<NeuronInfoLite>::new().encode()
            }
        }
        items::NEURON_INFO_GET_NEURON_LITE => {
            let (netuid, uid): (u16, u16) = decode_args(name, args)?;
            let subnet = neurons::Subnet::new(state, netuid);
            let neuron = if subnet.exists()? {
                subnet.neuron_lite(uid, &neurons::Columns::read(&subnet)?)?
            } else {
                None
            };
            neuron.encode()
        }
        items::SUBNET_INFO_GET_SUBNET_STATE => {
            let netuid: u16 = decode_args(name, args)?;
            let subnet = neurons::Subnet::new(state, netuid);
            let info = if subnet.exists()? {
                Some(subnet.state_info()?)
            } else {
                None
            };
            info.encode()
        }
        items::SUBNET_INFO_GET_SELECTIVE_METAGRAPH => {
            let (netuid, indexes): (u16, Vec<u16>) = decode_args(name, args)?;
            metagraph::selective(state, netuid, Graph::Metagraph, &indexes, block)?.encode()
        }
        items::SUBNET_INFO_GET_SELECTIVE_MECHAGRAPH => {
            let (netuid, mecid, indexes): (u16, u8, Vec<u16>) = decode_args(name, args)?;
            let graph = Graph::Mechagraph(mecid);
            metagraph::selective(state, netuid, graph, &indexes, block)?.encode()
        }
        items::SUBNET_INFO_GET_SUBNET_HYPERPARAMS => {
            let netuid: u16 = decode_args(name, args)?;
            hyperparams::v1(state, netuid)?.encode()
        }
        items::SUBNET_INFO_GET_SUBNET_HYPERPARAMS_V2 => {
            let netuid: u16 = decode_args(name, args)?;
            hyperparams::v2(state, netuid)?.encode()
        }
        other => return Err(RuntimeApiError::MethodNotFound(state_call_name(&other))),
    })
}

/// `Trait_method`, the name `state_call` uses.
pub fn state_call_name(item: &UsedItem) -> String {
    format!("{}_{}", item.owner(), item.name())
}

/// What `Core_version` returns: finney spec 393's version, listing the API traits served.
pub fn runtime_version() -> RuntimeVersion {
    let apis: Vec<([u8; 8], u32)> = RUNTIME_API_VERSIONS
        .iter()
        .map(|(name, version)| (blake2_64(name.as_bytes()), *version))
        .collect();
    RuntimeVersion {
        spec_name: Cow::Borrowed(SPEC_NAME),
        impl_name: Cow::Borrowed(SPEC_NAME),
        authoring_version: 1,
        spec_version: SPEC_VERSION,
        impl_version: 1,
        apis: Cow::Owned(apis),
        transaction_version: TRANSACTION_VERSION,
        system_version: 1,
    }
}

static METADATA_V14: OnceLock<Vec<u8>> = OnceLock::new();
static METADATA_V15: OnceLock<Vec<u8>> = OnceLock::new();
static METADATA_V16: OnceLock<Vec<u8>> = OnceLock::new();

/// The SCALE `RuntimeMetadataPrefixed` of the mirror in V14, what `Metadata_metadata` (and so
/// `state_getMetadata`) returns. Each version is built once per process: the type registry
/// takes a while to build and never changes.
pub fn metadata_v14() -> &'static [u8] {
    METADATA_V14.get_or_init(|| mirror_prefixed_v14().encode())
}

/// The mirror's metadata in `version`, for the versions of [`METADATA_VERSIONS`].
pub fn metadata_bytes(version: u32) -> Option<&'static [u8]> {
    match version {
        14 => Some(metadata_v14()),
        15 => Some(METADATA_V15.get_or_init(|| mirror_prefixed().encode())),
        16 => Some(METADATA_V16.get_or_init(|| mirror_prefixed_v16().encode())),
        _ => None,
    }
}

/// Decodes a method's arguments as the runtime does: nesting-limited, every byte consumed.
fn decode_args<T: Decode>(method: &'static str, args: &[u8]) -> Result<T, RuntimeApiError> {
    let mut input = args;
    T::decode_all_with_depth_limit(MAX_DECODE_DEPTH, &mut input).map_err(|e| {
        RuntimeApiError::BadInput {
            method,
            reason: e.to_string(),
        }
    })
}

/// A client-supplied name, cut short if long, for an error message.
fn quoted(name: &str) -> String {
    match name.char_indices().nth(MAX_QUOTED_NAME) {
        Some((end, _)) => format!("{}…", name.get(..end).unwrap_or(name)),
        None => name.to_owned(),
    }
}
