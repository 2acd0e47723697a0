//! The mirror in V16, the version finney itself serves: the V15 pallets, extensions and runtime
//! APIs re-expressed in V16's shapes (nothing deprecated, no view functions or associated
//! types, transaction extensions listed once under extension version 0), over the V15 type
//! registry itself, so type ids agree across every version served.

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
use scale_info::form::PortableForm;

use super::build::{RUNTIME_API_VERSIONS, mirror_v15};

/// Version of the transaction extension set (the only one finney has).
const EXTENSION_VERSION: u8 = 0;

fn pallet_v16(p: v15::PalletMetadata<PortableForm>) -> PalletMetadata<PortableForm> {
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

fn api_v16(api: v15::RuntimeApiMetadata<PortableForm>) -> RuntimeApiMetadata<PortableForm> {
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

/// The mirror as V16 metadata, over [`mirror_v15`]'s registry. Extrinsic format 4 only:
/// finney also accepts 5 (general transactions), which nya neither sends nor needs.
pub fn mirror_v16() -> RuntimeMetadataV16 {
    to_v16(mirror_v15())
}

/// V15 metadata in V16's shape, over the same registry.
pub(super) fn to_v16(v15: v15::RuntimeMetadataV15) -> RuntimeMetadataV16 {
    let extensions: Vec<TransactionExtensionMetadata<PortableForm>> = v15
        .extrinsic
        .signed_extensions
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
        address_ty: v15.extrinsic.address_ty,
        call_ty: v15.extrinsic.call_ty,
        signature_ty: v15.extrinsic.signature_ty,
        transaction_extensions_by_version: BTreeMap::from([(EXTENSION_VERSION, all.collect())]),
        transaction_extensions: extensions,
    };
    RuntimeMetadataV16 {
        types: v15.types,
        pallets: v15.pallets.into_iter().map(pallet_v16).collect(),
        extrinsic,
        apis: v15.apis.into_iter().map(api_v16).collect(),
        outer_enums: v15.outer_enums,
        custom: v15.custom,
    }
}

/// The mirror in V16 as a `RuntimeMetadataPrefixed` blob.
pub fn mirror_prefixed_v16() -> RuntimeMetadataPrefixed {
    mirror_v16().into()
}
