//! The mirror in V16, the version finney itself serves: the V15 pallets, extensions and runtime
//! APIs re-expressed in V16's shapes (nothing deprecated, no view functions or associated
//! types, transaction extensions listed once under extension version 0).

use std::collections::BTreeMap;

use frame_metadata::RuntimeMetadataPrefixed;
use frame_metadata::v15;
use frame_metadata::v16::{
    EnumDeprecationInfo, ExtrinsicMetadata, ItemDeprecationInfo, PalletCallMetadata,
    PalletConstantMetadata, PalletErrorMetadata, PalletEventMetadata, PalletMetadata,
    PalletStorageMetadata, RuntimeApiMetadata, RuntimeApiMethodMetadata, RuntimeMetadataV16,
    StorageEntryMetadata, TransactionExtensionMetadata,
};
use parity_scale_codec::Compact;
use scale_info::meta_type;

use super::build::{RUNTIME_API_VERSIONS, pallets, runtime_apis, signed_extensions_v15};
use super::calls::{RuntimeCall, RuntimeError, RuntimeEvent};
use super::types::{MultiAddress, MultiSignature};

/// Version of the transaction extension set (the only one finney has).
const EXTENSION_VERSION: u8 = 0;

fn pallet_v16(p: v15::PalletMetadata) -> PalletMetadata {
    let storage = p.storage.map(|s| PalletStorageMetadata {
        prefix: s.prefix,
        entries: s
            .entries
            .into_iter()
            .map(|e| StorageEntryMetadata {
                name: e.name,
                modifier: e.modifier,
                ty: e.ty,
                default: e.default,
                docs: e.docs,
                deprecation_info: ItemDeprecationInfo::NotDeprecated,
            })
            .collect(),
    });
    PalletMetadata {
        name: p.name,
        storage,
        calls: p.calls.map(|c| PalletCallMetadata {
            ty: c.ty,
            deprecation_info: EnumDeprecationInfo::nothing_deprecated(),
        }),
        event: p.event.map(|e| PalletEventMetadata {
            ty: e.ty,
            deprecation_info: EnumDeprecationInfo::nothing_deprecated(),
        }),
        constants: p
            .constants
            .into_iter()
            .map(|c| PalletConstantMetadata {
                name: c.name,
                ty: c.ty,
                value: c.value,
                docs: c.docs,
                deprecation_info: ItemDeprecationInfo::NotDeprecated,
            })
            .collect(),
        error: p.error.map(|e| PalletErrorMetadata {
            ty: e.ty,
            deprecation_info: EnumDeprecationInfo::nothing_deprecated(),
        }),
        associated_types: Vec::new(),
        view_functions: Vec::new(),
        index: p.index,
        docs: p.docs,
        deprecation_info: ItemDeprecationInfo::NotDeprecated,
    }
}

fn api_v16(api: v15::RuntimeApiMetadata) -> RuntimeApiMetadata {
    let version = RUNTIME_API_VERSIONS
        .iter()
        .find(|(name, _)| *name == api.name)
        .map_or(1, |(_, version)| *version);
    RuntimeApiMetadata {
        name: api.name,
        methods: api
            .methods
            .into_iter()
            .map(|m| RuntimeApiMethodMetadata {
                name: m.name,
                inputs: m.inputs,
                output: m.output,
                docs: m.docs,
                deprecation_info: ItemDeprecationInfo::NotDeprecated,
            })
            .collect(),
        docs: api.docs,
        version: Compact(version),
        deprecation_info: ItemDeprecationInfo::NotDeprecated,
    }
}

/// The mirror as V16 metadata. Extrinsic format 4 only: finney also accepts 5 (general
/// transactions), which nya neither sends nor needs.
pub fn mirror_v16() -> RuntimeMetadataV16 {
    let extensions: Vec<TransactionExtensionMetadata> = signed_extensions_v15()
        .into_iter()
        .map(|e| TransactionExtensionMetadata {
            identifier: e.identifier,
            ty: e.ty,
            implicit: e.additional_signed,
        })
        .collect();
    let all = (0..extensions.len()).map(|i| Compact(u32::try_from(i).unwrap_or(u32::MAX)));
    let extrinsic = ExtrinsicMetadata {
        versions: vec![4],
        address_ty: meta_type::<MultiAddress>(),
        call_ty: meta_type::<RuntimeCall>(),
        signature_ty: meta_type::<MultiSignature>(),
        transaction_extensions_by_version: BTreeMap::from([(EXTENSION_VERSION, all.collect())]),
        transaction_extensions: extensions,
    };
    let outer_enums = v15::OuterEnums {
        call_enum_ty: meta_type::<RuntimeCall>(),
        event_enum_ty: meta_type::<RuntimeEvent>(),
        error_enum_ty: meta_type::<RuntimeError>(),
    };
    RuntimeMetadataV16::new(
        pallets().into_iter().map(pallet_v16).collect(),
        extrinsic,
        runtime_apis().into_iter().map(api_v16).collect(),
        outer_enums,
        v15::CustomMetadata {
            map: BTreeMap::new(),
        },
    )
}

/// The mirror in V16 as a `RuntimeMetadataPrefixed` blob.
pub fn mirror_prefixed_v16() -> RuntimeMetadataPrefixed {
    mirror_v16().into()
}
