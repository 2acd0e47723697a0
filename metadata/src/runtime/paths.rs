//! finney's type paths for the mirror's types.
//!
//! Clients choose codecs by a type's path: the Python SDK's scalecodec reads
//! `sp_runtime::multiaddress::MultiAddress` as an address that takes SS58 strings,
//! `sp_runtime::generic::era::Era` as a mortality, `*::RuntimeCall` / `*::RuntimeEvent` /
//! `*::EventRecord` as calls and events, `sp_weights::weight_v2::Weight` as a V2 weight, and
//! finds the extrinsic's address and signature types through
//! `sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic`. So every mirrored type is
//! served under the path spec 393 gives it, not under this crate's module path.
//!
//! [`FINNEY_PATHS`] maps each of our paths (what `TypeInfo` records: module path + type name)
//! to finney's, and [`to_finney_paths`] rewrites a built registry with it. Types whose
//! `TypeInfo` is hand-written with finney's path already (`AccountId32`, `H256`) are not listed.
//! The tests check that no path of this crate is left in the served registry and that every
//! path served exists in the spec-393 blob.

use scale_info::PortableRegistry;

/// (our path, finney's path) for every mirrored type with a path of this crate.
pub const FINNEY_PATHS: &[(&str, &str)] = &[
    // Outer enums and the runtime.
    (
        "nya_metadata::runtime::calls::RuntimeCall",
        "node_subtensor_runtime::RuntimeCall",
    ),
    (
        "nya_metadata::runtime::calls::RuntimeEvent",
        "node_subtensor_runtime::RuntimeEvent",
    ),
    (
        "nya_metadata::runtime::calls::RuntimeError",
        "node_subtensor_runtime::RuntimeError",
    ),
    (
        "nya_metadata::runtime::build::Runtime",
        "node_subtensor_runtime::Runtime",
    ),
    // Pallet call, event and error enums.
    (
        "nya_metadata::runtime::calls::SystemCall",
        "frame_system::pallet::Call",
    ),
    (
        "nya_metadata::runtime::calls::SystemEvent",
        "frame_system::pallet::Event",
    ),
    (
        "nya_metadata::runtime::calls::SystemError",
        "frame_system::pallet::Error",
    ),
    (
        "nya_metadata::runtime::calls::BalancesCall",
        "pallet_balances::pallet::Call",
    ),
    (
        "nya_metadata::runtime::calls::BalancesEvent",
        "pallet_balances::pallet::Event",
    ),
    (
        "nya_metadata::runtime::errors::BalancesError",
        "pallet_balances::pallet::Error",
    ),
    (
        "nya_metadata::runtime::calls::TransactionPaymentEvent",
        "pallet_transaction_payment::pallet::Event",
    ),
    (
        "nya_metadata::runtime::calls::SubtensorModuleCall",
        "pallet_subtensor::pallet::Call",
    ),
    (
        "nya_metadata::runtime::calls::SubtensorModuleEvent",
        "pallet_subtensor::pallet::Event",
    ),
    (
        "nya_metadata::runtime::errors::SubtensorModuleError",
        "pallet_subtensor::pallet::Error",
    ),
    (
        "nya_metadata::runtime::admin::SudoCall",
        "pallet_sudo::pallet::Call",
    ),
    (
        "nya_metadata::runtime::admin::SudoEvent",
        "pallet_sudo::pallet::Event",
    ),
    (
        "nya_metadata::runtime::admin::SudoError",
        "pallet_sudo::pallet::Error",
    ),
    (
        "nya_metadata::runtime::calls::CommitmentsCall",
        "pallet_commitments::pallet::Call",
    ),
    (
        "nya_metadata::runtime::calls::CommitmentsEvent",
        "pallet_commitments::pallet::Event",
    ),
    (
        "nya_metadata::runtime::calls::CommitmentsError",
        "pallet_commitments::pallet::Error",
    ),
    (
        "nya_metadata::runtime::admin::AdminUtilsCall",
        "pallet_admin_utils::pallet::Call",
    ),
    (
        "nya_metadata::runtime::admin::AdminUtilsError",
        "pallet_admin_utils::pallet::Error",
    ),
    // Extrinsic parts.
    (
        "nya_metadata::runtime::build::UncheckedExtrinsic",
        "sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic",
    ),
    (
        "nya_metadata::runtime::apis::UncheckedExtrinsic",
        "fp_self_contained::unchecked_extrinsic::UncheckedExtrinsic",
    ),
    (
        "nya_metadata::runtime::types::MultiAddress",
        "sp_runtime::multiaddress::MultiAddress",
    ),
    (
        "nya_metadata::runtime::types::MultiSignature",
        "sp_runtime::MultiSignature",
    ),
    (
        "nya_metadata::runtime::era::Era",
        "sp_runtime::generic::era::Era",
    ),
    (
        "nya_metadata::runtime::types::Digest",
        "sp_runtime::generic::digest::Digest",
    ),
    (
        "nya_metadata::runtime::types::DigestItem",
        "sp_runtime::generic::digest::DigestItem",
    ),
    // Transaction extensions.
    (
        "nya_metadata::runtime::extensions::CheckNonZeroSender",
        "frame_system::extensions::check_non_zero_sender::CheckNonZeroSender",
    ),
    (
        "nya_metadata::runtime::extensions::CheckSpecVersion",
        "frame_system::extensions::check_spec_version::CheckSpecVersion",
    ),
    (
        "nya_metadata::runtime::extensions::CheckTxVersion",
        "frame_system::extensions::check_tx_version::CheckTxVersion",
    ),
    (
        "nya_metadata::runtime::extensions::CheckGenesis",
        "frame_system::extensions::check_genesis::CheckGenesis",
    ),
    (
        "nya_metadata::runtime::extensions::CheckMortality",
        "node_subtensor_runtime::check_mortality::CheckMortality",
    ),
    (
        "nya_metadata::runtime::extensions::CheckNonce",
        "node_subtensor_runtime::check_nonce::CheckNonce",
    ),
    (
        "nya_metadata::runtime::extensions::CheckWeight",
        "frame_system::extensions::check_weight::CheckWeight",
    ),
    (
        "nya_metadata::runtime::extensions::ChargeTransactionPayment",
        "pallet_transaction_payment::ChargeTransactionPayment",
    ),
    (
        "nya_metadata::runtime::extensions::SudoTransactionExtension",
        "node_subtensor_runtime::sudo_wrapper::SudoTransactionExtension",
    ),
    (
        "nya_metadata::runtime::extensions::CheckShieldedTxValidity",
        "pallet_shield::extension::CheckShieldedTxValidity",
    ),
    (
        "nya_metadata::runtime::extensions::SubtensorTransactionExtension",
        "pallet_subtensor::extensions::subtensor::SubtensorTransactionExtension",
    ),
    (
        "nya_metadata::runtime::extensions::DrandPriority",
        "pallet_drand::drand_priority::DrandPriority",
    ),
    (
        "nya_metadata::runtime::extensions::CheckMetadataHash",
        "frame_metadata_hash_extension::CheckMetadataHash",
    ),
    (
        "nya_metadata::runtime::extensions::Mode",
        "frame_metadata_hash_extension::Mode",
    ),
    // Events and dispatch outcomes.
    (
        "nya_metadata::runtime::types::EventRecord",
        "frame_system::EventRecord",
    ),
    ("nya_metadata::runtime::types::Phase", "frame_system::Phase"),
    (
        "nya_metadata::runtime::dispatch::DispatchEventInfo",
        "frame_system::DispatchEventInfo",
    ),
    (
        "nya_metadata::runtime::dispatch::Weight",
        "sp_weights::weight_v2::Weight",
    ),
    (
        "nya_metadata::runtime::dispatch::DispatchClass",
        "frame_support::dispatch::DispatchClass",
    ),
    (
        "nya_metadata::runtime::dispatch::Pays",
        "frame_support::dispatch::Pays",
    ),
    (
        "nya_metadata::runtime::dispatch::DispatchError",
        "sp_runtime::DispatchError",
    ),
    (
        "nya_metadata::runtime::dispatch::ModuleError",
        "sp_runtime::ModuleError",
    ),
    (
        "nya_metadata::runtime::dispatch::TokenError",
        "sp_runtime::TokenError",
    ),
    (
        "nya_metadata::runtime::dispatch::ArithmeticError",
        "sp_arithmetic::ArithmeticError",
    ),
    (
        "nya_metadata::runtime::dispatch::TransactionalError",
        "sp_runtime::TransactionalError",
    ),
    (
        "nya_metadata::runtime::dispatch::TrieError",
        "sp_runtime::proving_trie::TrieError",
    ),
    // Storage values.
    (
        "nya_metadata::runtime::types::AccountInfo",
        "frame_system::AccountInfo",
    ),
    (
        "nya_metadata::runtime::types::AccountData",
        "pallet_balances::types::AccountData",
    ),
    (
        "nya_metadata::runtime::types::ExtraFlags",
        "pallet_balances::types::ExtraFlags",
    ),
    (
        "nya_metadata::runtime::types::AxonInfo",
        "pallet_subtensor::pallet::AxonInfo",
    ),
    (
        "nya_metadata::runtime::types::BoundedVec",
        "bounded_collections::bounded_vec::BoundedVec",
    ),
    (
        "nya_metadata::runtime::types::Data",
        "pallet_commitments::types::Data",
    ),
    (
        "nya_metadata::runtime::types::CommitmentInfo",
        "pallet_commitments::types::CommitmentInfo",
    ),
    (
        "nya_metadata::runtime::types::Registration",
        "pallet_commitments::types::Registration",
    ),
    (
        "nya_metadata::runtime::types::UsageTracker",
        "pallet_commitments::types::UsageTracker",
    ),
    // Runtime API arguments and results.
    (
        "nya_metadata::runtime::build::OpaqueMetadata",
        "sp_core::OpaqueMetadata",
    ),
    (
        "nya_metadata::runtime::apis::RuntimeVersion",
        "sp_version::RuntimeVersion",
    ),
    (
        "nya_metadata::runtime::apis::RuntimeDispatchInfo",
        "pallet_transaction_payment::types::RuntimeDispatchInfo",
    ),
    (
        "nya_metadata::runtime::apis::NeuronInfo",
        "pallet_subtensor::rpc_info::neuron_info::NeuronInfo",
    ),
    (
        "nya_metadata::runtime::apis::NeuronInfoLite",
        "pallet_subtensor::rpc_info::neuron_info::NeuronInfoLite",
    ),
    (
        "nya_metadata::runtime::apis::PrometheusInfo",
        "pallet_subtensor::pallet::PrometheusInfo",
    ),
    (
        "nya_metadata::runtime::apis::SubnetState",
        "pallet_subtensor::rpc_info::show_subnet::SubnetState",
    ),
    (
        "nya_metadata::runtime::apis::SelectiveMetagraph",
        "pallet_subtensor::rpc_info::metagraph::SelectiveMetagraph",
    ),
    (
        "nya_metadata::runtime::apis::SubnetIdentityV3",
        "pallet_subtensor::pallet::SubnetIdentityV3",
    ),
    (
        "nya_metadata::runtime::apis::ChainIdentityV2",
        "pallet_subtensor::pallet::ChainIdentityV2",
    ),
    (
        "nya_metadata::runtime::apis::SubnetHyperparams",
        "pallet_subtensor::rpc_info::subnet_info::SubnetHyperparams",
    ),
    (
        "nya_metadata::runtime::apis::SubnetHyperparamsV2",
        "pallet_subtensor::rpc_info::subnet_info::SubnetHyperparamsV2",
    ),
    (
        "nya_metadata::runtime::apis::I96F32",
        "substrate_fixed::FixedI128",
    ),
    (
        "nya_metadata::runtime::apis::I32F32",
        "substrate_fixed::FixedI64",
    ),
];

/// finney's path for one of ours, if [`FINNEY_PATHS`] lists it.
pub fn finney_path(ours: &str) -> Option<&'static str> {
    FINNEY_PATHS
        .iter()
        .find(|(from, _)| *from == ours)
        .map(|(_, to)| *to)
}

/// Gives every type of `types` that [`FINNEY_PATHS`] lists finney's path; other types (std's
/// `Option`, `Result`, `Cow`, and those already registered under finney's path) are kept.
pub fn to_finney_paths(types: &mut PortableRegistry) {
    for entry in &mut types.types {
        let segments = &mut entry.ty.path.segments;
        if let Some(theirs) = finney_path(&segments.join("::")) {
            *segments = theirs.split("::").map(str::to_owned).collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::runtime::mirror_v15;
    use crate::runtime::tests::{blob_bytes, blob_v16};

    fn joined(types: &PortableRegistry) -> BTreeSet<String> {
        types
            .types
            .iter()
            .map(|t| t.ty.path.segments.join("::"))
            .filter(|p| !p.is_empty())
            .collect()
    }

    #[test]
    fn runtime_paths_leave_no_path_of_this_crate() {
        let paths = joined(&mirror_v15().types);
        let leaked: Vec<_> = paths
            .iter()
            .filter(|p| p.starts_with("nya_metadata"))
            .collect();
        assert!(leaked.is_empty(), "not in FINNEY_PATHS: {leaked:?}");
        // Every entry is in use: its finney path is served (so none is stale).
        let unused: Vec<_> = FINNEY_PATHS
            .iter()
            .filter(|(_, theirs)| !paths.contains(*theirs))
            .collect();
        assert!(
            unused.is_empty(),
            "table entries matching no type: {unused:?}"
        );
        let ours: BTreeSet<_> = FINNEY_PATHS.iter().map(|(o, _)| o).collect();
        assert_eq!(ours.len(), FINNEY_PATHS.len(), "a path is listed twice");
    }

    #[test]
    fn runtime_paths_all_exist_in_spec393() {
        let Some(bytes) = blob_bytes() else { return };
        let chain = joined(&blob_v16(&bytes).types);
        let missing: Vec<_> = joined(&mirror_v15().types)
            .into_iter()
            .filter(|p| !chain.contains(p))
            .collect();
        assert!(
            missing.is_empty(),
            "paths finney does not have: {missing:?}"
        );
    }

    #[test]
    fn runtime_paths_rewrite_only_listed_types() {
        let mut registry = scale_info::Registry::new();
        let listed = registry
            .register_type(&scale_info::meta_type::<crate::runtime::types::Phase>())
            .id;
        let unlisted = registry
            .register_type(&scale_info::meta_type::<Option<u8>>())
            .id;
        let mut types: PortableRegistry = registry.into();
        to_finney_paths(&mut types);
        let path = |id: u32| types.resolve(id).map(|t| t.path.segments.join("::"));
        assert_eq!(path(listed).as_deref(), Some("frame_system::Phase"));
        assert_eq!(path(unlisted).as_deref(), Some("Option"));
        assert_eq!(finney_path("frame_system::Phase"), None);
    }
}
