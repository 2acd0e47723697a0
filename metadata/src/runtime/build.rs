//! Assembles the mirror types into V15 runtime metadata: pallets at their finney indices with
//! their call, event and error enums, storage and the constants nya reads, plus the outer enums
//! and the extrinsic shape (v4, `MultiAddress`, `MultiSignature`). V14 (and V16, in
//! [`super::build_v16`]) are derived from V15 and keep its type registry, which is built once:
//! `AccountId32` first (type id 0, as on finney), then the header `Digest`, finney's type paths
//! ([`super::paths`]) and docs for every error variant ([`super::error_docs`]).

use std::any::TypeId;
use std::collections::BTreeMap;

use frame_metadata::RuntimeMetadataPrefixed;
use frame_metadata::v15::{
    CustomMetadata, ExtrinsicMetadata, OuterEnums, PalletCallMetadata, PalletConstantMetadata,
    PalletErrorMetadata, PalletEventMetadata, PalletMetadata, RuntimeApiMetadata,
    RuntimeApiMethodMetadata, RuntimeApiMethodParamMetadata, RuntimeMetadataV15,
};
use frame_metadata::{v14, v15};
use parity_scale_codec::{Decode, Encode};
use scale_info::build::Fields;
use scale_info::interner::UntrackedSymbol;
use scale_info::{
    IntoPortable, Path, PortableRegistry, Registry, Type, TypeInfo, TypeParameter, meta_type,
};

use super::admin::{AdminUtilsCall, AdminUtilsError, SudoCall, SudoError, SudoEvent};
use super::calls::{
    BalancesCall, BalancesEvent, CommitmentsCall, CommitmentsError, CommitmentsEvent, RuntimeCall,
    RuntimeError, RuntimeEvent, SubtensorModuleCall, SubtensorModuleEvent, SystemCall, SystemError,
    SystemEvent, TransactionPaymentEvent,
};
use super::error_docs::document_errors;
use super::errors::{BalancesError, SubtensorModuleError};
use super::extensions::{SignedExtra, signed_extensions};
use super::paths::to_finney_paths;
use super::storage;
use super::types::{AccountId32, Digest, MultiAddress, MultiSignature};
use crate::commitment::MAX_FIELDS;

/// `Balances.ExistentialDeposit` on finney: 500 rao.
pub const EXISTENTIAL_DEPOSIT: u64 = 500;

/// The runtime marker type the metadata names (`node_subtensor_runtime::Runtime`).
#[derive(TypeInfo)]
pub struct Runtime;

/// A pallet with nothing yet; the builders below fill in what it has.
fn pallet(name: &'static str, index: u8) -> PalletMetadata {
    PalletMetadata {
        name,
        storage: None,
        calls: None,
        event: None,
        constants: Vec::new(),
        error: None,
        index,
        docs: Vec::new(),
    }
}

fn calls<T: TypeInfo + 'static>() -> Option<PalletCallMetadata> {
    Some(PalletCallMetadata {
        ty: meta_type::<T>(),
    })
}

fn events<T: TypeInfo + 'static>() -> Option<PalletEventMetadata> {
    Some(PalletEventMetadata {
        ty: meta_type::<T>(),
    })
}

fn constant<T: TypeInfo + Encode + 'static>(
    name: &'static str,
    value: T,
) -> PalletConstantMetadata {
    PalletConstantMetadata {
        name,
        ty: meta_type::<T>(),
        value: value.encode(),
        docs: Vec::new(),
    }
}

/// The mirror as V15 metadata, in the one type registry that V14 and V16 share (same type ids
/// in every version, as a node serves them): `AccountId32` is type 0, as on finney (the Python
/// SDK takes `scale_info::0` for an account when it encodes runtime API arguments), and every
/// type carries finney's path ([`super::paths`]).
pub fn mirror_v15() -> RuntimeMetadataV15 {
    build().0
}

/// V15 metadata and the id, in its registry, of [`UncheckedExtrinsic`] (V14's extrinsic type).
fn build() -> (RuntimeMetadataV15, UntrackedSymbol<TypeId>) {
    build_with::<SignedExtra, UncheckedExtrinsic>(signed_extensions())
}

/// [`build`] with another extension set: `Extra`, the extensions' explicit data in order,
/// `Uxt` the `UncheckedExtrinsic` that names it (spec 365 had one extension fewer).
pub(super) fn build_with<Extra: TypeInfo + 'static, Uxt: TypeInfo + 'static>(
    signed_extensions: Vec<v15::SignedExtensionMetadata>,
) -> (RuntimeMetadataV15, UntrackedSymbol<TypeId>) {
    let mut registry = Registry::new();
    // Registered first, so it gets id 0.
    registry.register_type(&meta_type::<AccountId32>());
    let extrinsic = ExtrinsicMetadata {
        version: 4,
        address_ty: meta_type::<MultiAddress>(),
        call_ty: meta_type::<RuntimeCall>(),
        signature_ty: meta_type::<MultiSignature>(),
        extra_ty: meta_type::<Extra>(),
        signed_extensions,
    }
    .into_portable(&mut registry);
    let unchecked_extrinsic = registry.register_type(&meta_type::<Uxt>());
    // Referenced by no item, but clients decode block header logs with it.
    registry.register_type(&meta_type::<Digest>());
    let pallets = registry.map_into_portable(pallets());
    let ty = registry.register_type(&meta_type::<Runtime>());
    let apis = registry.map_into_portable(runtime_apis());
    let outer_enums = OuterEnums {
        call_enum_ty: meta_type::<RuntimeCall>(),
        event_enum_ty: meta_type::<RuntimeEvent>(),
        error_enum_ty: meta_type::<RuntimeError>(),
    }
    .into_portable(&mut registry);
    let custom = CustomMetadata {
        map: BTreeMap::new(),
    }
    .into_portable(&mut registry);
    let mut types: PortableRegistry = registry.into();
    to_finney_paths(&mut types);
    let error_types: Vec<u32> = pallets
        .iter()
        .filter_map(|p| p.error.as_ref().map(|e| e.ty.id))
        .collect();
    document_errors(&mut types, &error_types);
    let metadata = RuntimeMetadataV15 {
        types,
        pallets,
        extrinsic,
        ty,
        apis,
        outer_enums,
        custom,
    };
    (metadata, unchecked_extrinsic)
}

/// The mirror as V14 metadata, derived from [`mirror_v15`] with the same registry (no runtime
/// APIs, outer enums or pallet docs in V14; clients find the extrinsic parts through the type
/// parameters of [`UncheckedExtrinsic`]).
pub fn mirror_v14() -> v14::RuntimeMetadataV14 {
    let (v15, unchecked_extrinsic) = build();
    to_v14(v15, unchecked_extrinsic)
}

/// V15 metadata in V14's shape, over the same registry; `unchecked_extrinsic` is the id of
/// its `UncheckedExtrinsic` type.
pub(super) fn to_v14(
    v15: RuntimeMetadataV15,
    unchecked_extrinsic: UntrackedSymbol<TypeId>,
) -> v14::RuntimeMetadataV14 {
    let pallets = v15
        .pallets
        .into_iter()
        .map(|p| v14::PalletMetadata {
            name: p.name,
            storage: p.storage,
            calls: p.calls,
            event: p.event,
            constants: p.constants,
            error: p.error,
            index: p.index,
        })
        .collect();
    let extrinsic = v14::ExtrinsicMetadata {
        ty: unchecked_extrinsic,
        version: 4,
        signed_extensions: v15
            .extrinsic
            .signed_extensions
            .into_iter()
            .map(|e| v14::SignedExtensionMetadata {
                identifier: e.identifier,
                ty: e.ty,
                additional_signed: e.additional_signed,
            })
            .collect(),
    };
    v14::RuntimeMetadataV14 {
        types: v15.types,
        pallets,
        extrinsic,
        ty: v15.ty,
    }
}

/// Every mirrored pallet, in pallet-index order.
pub(super) fn pallets() -> Vec<PalletMetadata> {
    let system = PalletMetadata {
        storage: Some(storage::system()),
        calls: calls::<SystemCall>(),
        event: events::<SystemEvent>(),
        error: Some(PalletErrorMetadata {
            ty: meta_type::<SystemError>(),
        }),
        ..pallet("System", 0)
    };
    let transaction_payment = PalletMetadata {
        event: events::<TransactionPaymentEvent>(),
        ..pallet("TransactionPayment", 6)
    };
    let balances = PalletMetadata {
        storage: Some(storage::balances()),
        calls: calls::<BalancesCall>(),
        event: events::<BalancesEvent>(),
        constants: vec![constant("ExistentialDeposit", EXISTENTIAL_DEPOSIT)],
        error: Some(PalletErrorMetadata {
            ty: meta_type::<BalancesError>(),
        }),
        ..pallet("Balances", 5)
    };
    let subtensor = PalletMetadata {
        storage: Some(storage::subtensor_module()),
        calls: calls::<SubtensorModuleCall>(),
        event: events::<SubtensorModuleEvent>(),
        error: Some(PalletErrorMetadata {
            ty: meta_type::<SubtensorModuleError>(),
        }),
        ..pallet("SubtensorModule", 7)
    };
    let sudo = PalletMetadata {
        storage: Some(storage::sudo()),
        calls: calls::<SudoCall>(),
        event: events::<SudoEvent>(),
        error: Some(PalletErrorMetadata {
            ty: meta_type::<SudoError>(),
        }),
        ..pallet("Sudo", 12)
    };
    let admin_utils = PalletMetadata {
        calls: calls::<AdminUtilsCall>(),
        error: Some(PalletErrorMetadata {
            ty: meta_type::<AdminUtilsError>(),
        }),
        ..pallet("AdminUtils", 19)
    };
    let max_fields = u32::try_from(MAX_FIELDS).unwrap_or(u32::MAX);
    let commitments = PalletMetadata {
        storage: Some(storage::commitments()),
        calls: calls::<CommitmentsCall>(),
        event: events::<CommitmentsEvent>(),
        constants: vec![constant("MaxFields", max_fields)],
        error: Some(PalletErrorMetadata {
            ty: meta_type::<CommitmentsError>(),
        }),
        ..pallet("Commitments", 18)
    };
    vec![
        system,
        balances,
        transaction_payment,
        subtensor,
        sudo,
        commitments,
        admin_utils,
    ]
}

/// The runtime APIs nya calls and the local chain serves (the subtensor and fee ones are
/// described in [`super::apis`]).
pub(super) fn runtime_apis() -> Vec<RuntimeApiMetadata> {
    let mut apis = vec![
        RuntimeApiMetadata {
            name: "AccountNonceApi",
            methods: vec![method::<u32>(
                "account_nonce",
                vec![param::<AccountId32>("account")],
            )],
            docs: Vec::new(),
        },
        RuntimeApiMetadata {
            name: "Metadata",
            methods: vec![
                method::<OpaqueMetadata>("metadata", Vec::new()),
                method::<Option<OpaqueMetadata>>(
                    "metadata_at_version",
                    vec![param::<u32>("version")],
                ),
                method::<Vec<u32>>("metadata_versions", Vec::new()),
            ],
            docs: Vec::new(),
        },
    ];
    apis.extend(super::apis::runtime_apis());
    apis
}

/// Version of each mirrored runtime API trait in spec 393 (V16 records it, and `Core.version`
/// lists them), in the order the chain's runtime declares them.
pub const RUNTIME_API_VERSIONS: &[(&str, u32)] = &[
    ("Core", 5),
    ("Metadata", 2),
    ("AccountNonceApi", 1),
    ("TransactionPaymentApi", 4),
    ("NeuronInfoRuntimeApi", 1),
    ("SubnetInfoRuntimeApi", 1),
];

fn method<Out: TypeInfo + 'static>(
    name: &'static str,
    inputs: Vec<RuntimeApiMethodParamMetadata>,
) -> RuntimeApiMethodMetadata {
    RuntimeApiMethodMetadata {
        name,
        inputs,
        output: meta_type::<Out>(),
        docs: Vec::new(),
    }
}

fn param<T: TypeInfo + 'static>(name: &'static str) -> RuntimeApiMethodParamMetadata {
    RuntimeApiMethodParamMetadata {
        name,
        ty: meta_type::<T>(),
    }
}

/// `sp_core::OpaqueMetadata`: SCALE-encoded `RuntimeMetadataPrefixed` bytes.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct OpaqueMetadata(pub Vec<u8>);

/// The mirror as the `RuntimeMetadataPrefixed` blob a node serves (`0x6d657461` + V15).
pub fn mirror_prefixed() -> RuntimeMetadataPrefixed {
    mirror_v15().into()
}

/// The mirror in V14 as a `RuntimeMetadataPrefixed` blob.
pub fn mirror_prefixed_v14() -> RuntimeMetadataPrefixed {
    mirror_v14().into()
}

/// `sp_runtime::generic::UncheckedExtrinsic<Address, Call, Signature, Extra>` as metadata
/// describes it: opaque bytes, with the parts named by type parameters (what V14 readers use).
pub struct UncheckedExtrinsic;

impl TypeInfo for UncheckedExtrinsic {
    type Identity = Self;

    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("UncheckedExtrinsic", module_path!()))
            .type_params(vec![
                TypeParameter::new("Address", Some(meta_type::<MultiAddress>())),
                TypeParameter::new("Call", Some(meta_type::<RuntimeCall>())),
                TypeParameter::new("Signature", Some(meta_type::<MultiSignature>())),
                TypeParameter::new("Extra", Some(meta_type::<SignedExtra>())),
            ])
            .composite(Fields::unnamed().field(|f| f.ty::<Vec<u8>>()))
    }
}
