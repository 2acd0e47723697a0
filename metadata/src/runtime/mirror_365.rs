//! The mirror as finney spec 365 served it, for a localnet that runs a runtime upgrade (blocks
//! before it serve spec 365, blocks after it spec 393), so clients are tested across one.
//!
//! Spec 365 is expressed as the spec-393 mirror plus the differences below, found by decoding
//! both finney blobs (`finney-spec365.scale` and `finney-spec393.scale`, both V16) and checked
//! against the spec-365 blob by this module's tests (subxt's per-item validation hashes, the
//! structural diff of [`super::tests`], the runtime API versions):
//!
//! 1. **Version**: `spec_version` 365 ([`SPEC_VERSION`]). The transaction version (1) and the
//!    versions of the runtime API traits nya uses are spec 393's.
//! 2. **SubtensorModule events and errors** are numbered in declaration order, and variants were
//!    added and removed between the two specs ([`SUBTENSOR_EVENT_CHANGES`],
//!    [`SUBTENSOR_ERROR_CHANGES`]): `WeightsCommitted` is event 79 in spec 365 and 83 in 393,
//!    `RevealTooEarly` error 76 and 78. The removed errors are served (errors are unit variants,
//!    so the error enum stays as complete as spec 393's); removed events are not (the mirror
//!    holds only the events the localnet emits). [`event_bytes_365`] and [`dispatch_error_365`]
//!    give the state machine's spec-393 values their spec-365 encoding.
//! 3. **`SubtensorModule.MaxAllowedUids`** defaulted to 4096 ([`MAX_ALLOWED_UIDS_DEFAULT`]).
//! 4. **Transaction extensions**: no `CheckShieldedTxValidity`, so twelve extensions in one flat
//!    tuple ([`SignedExtra365`]). The extrinsic bytes are the same, since that extension carries
//!    no data and signs over nothing. `CheckMortality` and `SubtensorTransactionExtension` lived
//!    under other type paths ([`EXTENSION_PATHS`]).
//! 5. **Items added after spec 365**: [`ITEMS_ADDED_AFTER_365`] lists the used calls, storage
//!    entries and runtime API methods spec 365 lacks; its metadata leaves them out, and
//!    [`call_exists_365`] refuses such calls. None of nya's items is newer than spec 365 today
//!    (a test fails if one becomes so without being listed here).
//!
//! Everything else nya uses (calls and their indices, storage, runtime API structs, the other
//! pallets' events and errors) is the same in both specs.

use std::any::TypeId;
use std::collections::BTreeSet;
use std::sync::OnceLock;

use frame_metadata::v15::{RuntimeMetadataV15, SignedExtensionMetadata};
use frame_metadata::{RuntimeMetadataPrefixed, v14, v16};
use parity_scale_codec::Encode;
use scale_info::build::Fields;
use scale_info::interner::UntrackedSymbol;
use scale_info::{
    Path, PortableRegistry, Type, TypeDef, TypeInfo, TypeParameter, Variant, meta_type,
};

use super::admin::SudoEvent;
use super::build::{build_with, to_v14};
use super::build_v16::to_v16;
use super::calls::{RuntimeCall, RuntimeEvent, SystemEvent};
use super::dispatch::{DispatchError, ModuleError};
use super::error_docs::sentence_from_name;
use super::extensions::{
    ChargeTransactionPayment, CheckGenesis, CheckMetadataHash, CheckMortality, CheckNonZeroSender,
    CheckNonce, CheckSpecVersion, CheckTxVersion, CheckWeight, DrandPriority,
    SubtensorTransactionExtension, SudoTransactionExtension, signed_extensions,
};
use super::items::UsedItem;
use super::types::{MultiAddress, MultiSignature};

/// finney's spec version before the upgrade the localnet can run.
pub const SPEC_VERSION: u32 = 365;

/// `SubtensorModule.MaxAllowedUids`' default in spec 365 (spec 393: 256).
pub const MAX_ALLOWED_UIDS_DEFAULT: u16 = 4096;

/// Calls, storage entries and runtime API methods of [`super::USED_ITEMS`] that spec 365 lacks.
pub const ITEMS_ADDED_AFTER_365: &[UsedItem] = &[];

/// The extension that spec 365 did not have yet.
const EXTENSION_ADDED_AFTER_365: &str = "CheckShieldedTxValidity";

/// `SubtensorModule`'s pallet index (the same in both specs).
const SUBTENSOR_MODULE_INDEX: u8 = 7;

/// (spec-393 path, spec-365 path) of the extension types that moved.
pub const EXTENSION_PATHS: &[(&str, &str)] = &[
    (
        "node_subtensor_runtime::check_mortality::CheckMortality",
        "frame_system::extensions::check_mortality::CheckMortality",
    ),
    (
        "pallet_subtensor::extensions::subtensor::SubtensorTransactionExtension",
        "pallet_subtensor::transaction_extension::SubtensorTransactionExtension",
    ),
];

/// How an enum whose variants are numbered in declaration order (a pallet's events or errors)
/// changed from spec 365 to spec 393: the variants declared since, and those dropped since.
/// Every other variant keeps its place in the order, so its spec-365 index follows.
#[derive(Clone, Copy, Debug)]
pub struct Renumbering {
    /// Variants spec 393 added, at their spec-393 index.
    pub added: &'static [(u8, &'static str)],
    /// Variants spec 393 no longer has, at their spec-365 index, ascending.
    pub removed: &'static [(u8, &'static str)],
}

impl Renumbering {
    /// The spec-365 index of the variant at `index_393`, or `None` if spec 365 lacks it.
    pub fn index_365(&self, index_393: u8) -> Option<u8> {
        if self.added.iter().any(|(index, _)| *index == index_393) {
            return None;
        }
        let added_before = self.added.iter().filter(|(i, _)| *i < index_393).count();
        // Its place among the variants both specs have, then past the dropped ones before it.
        let mut index = usize::from(index_393).saturating_sub(added_before);
        for (removed, _) in self.removed {
            if usize::from(*removed) <= index {
                index += 1;
            }
        }
        u8::try_from(index).ok()
    }
}

/// `pallet_subtensor::pallet::Event` from spec 365 to 393.
pub const SUBTENSOR_EVENT_CHANGES: Renumbering = Renumbering {
    added: &[
        (58, "StartCallDelaySet"),
        (67, "ColdkeySwapAnnounced"),
        (68, "ColdkeySwapReset"),
        (70, "ColdkeySwapDisputed"),
        (79, "ColdkeySwapAnnouncementDelaySet"),
        (80, "ColdkeySwapReannouncementDelaySet"),
        (114, "VotingPowerTrackingEnabled"),
        (115, "VotingPowerTrackingDisableScheduled"),
        (116, "VotingPowerTrackingDisabled"),
        (117, "VotingPowerEmaAlphaSet"),
        (119, "AddStakeBurn"),
        (120, "ColdkeySwapCleared"),
    ],
    removed: &[
        (68, "ColdkeySwapScheduled"),
        (76, "ColdkeySwapScheduleDurationSet"),
    ],
};

/// `pallet_subtensor::pallet::Error` from spec 365 to 393.
pub const SUBTENSOR_ERROR_CHANGES: Renumbering = Renumbering {
    added: &[
        (64, "ColdkeySwapAnnouncementNotFound"),
        (65, "ColdkeySwapTooEarly"),
        (66, "ColdkeySwapReannouncedTooEarly"),
        (67, "AnnouncedColdkeyHashDoesNotMatch"),
        (68, "ColdkeySwapAlreadyDisputed"),
        (125, "TooManyUIDsPerMechanism"),
        (126, "VotingPowerTrackingNotEnabled"),
        (127, "InvalidVotingPowerEmaAlpha"),
        (129, "Deprecated"),
        (130, "AddStakeBurnRateLimitExceeded"),
        (131, "ColdkeySwapAnnounced"),
        (132, "ColdkeySwapDisputed"),
        (133, "ColdkeySwapClearTooEarly"),
        (134, "DisabledTemporarily"),
    ],
    removed: &[
        (59, "ColdkeyIsInArbitration"),
        (65, "SwapAlreadyScheduled"),
        (66, "FailedToSchedule"),
    ],
};

/// The explicit data of spec 365's twelve extensions, in order (one flat tuple, as spec 365
/// declares it).
pub type SignedExtra365 = (
    CheckNonZeroSender,
    CheckSpecVersion,
    CheckTxVersion,
    CheckGenesis,
    CheckMortality,
    CheckNonce,
    CheckWeight,
    ChargeTransactionPayment,
    SudoTransactionExtension,
    SubtensorTransactionExtension,
    DrandPriority,
    CheckMetadataHash,
);

/// Spec 365's extension list: spec 393's without `CheckShieldedTxValidity`.
pub fn signed_extensions_365() -> Vec<SignedExtensionMetadata> {
    signed_extensions()
        .into_iter()
        .filter(|e| e.identifier != EXTENSION_ADDED_AFTER_365)
        .collect()
}

/// `sp_runtime::generic::UncheckedExtrinsic` over [`SignedExtra365`] (V14's extrinsic type).
/// Its `TypeInfo` is written by hand to carry finney's path directly.
pub struct UncheckedExtrinsic365;

impl TypeInfo for UncheckedExtrinsic365 {
    type Identity = Self;

    fn type_info() -> Type {
        Type::builder()
            .path(Path::new(
                "UncheckedExtrinsic",
                "sp_runtime::generic::unchecked_extrinsic",
            ))
            .type_params(vec![
                TypeParameter::new("Address", Some(meta_type::<MultiAddress>())),
                TypeParameter::new("Call", Some(meta_type::<RuntimeCall>())),
                TypeParameter::new("Signature", Some(meta_type::<MultiSignature>())),
                TypeParameter::new("Extra", Some(meta_type::<SignedExtra365>())),
            ])
            .composite(Fields::unnamed().field(|f| f.ty::<Vec<u8>>()))
    }
}

/// The spec-365 mirror as V15 metadata (one registry shared with its V14 and V16 forms).
pub fn mirror_365_v15() -> RuntimeMetadataV15 {
    build_365().0
}

/// The spec-365 mirror as V14 metadata.
pub fn mirror_365_v14() -> v14::RuntimeMetadataV14 {
    let (v15, unchecked_extrinsic) = build_365();
    to_v14(v15, unchecked_extrinsic)
}

/// The spec-365 mirror as V16 metadata, the version finney served at spec 365.
pub fn mirror_365_v16() -> v16::RuntimeMetadataV16 {
    to_v16(mirror_365_v15())
}

/// [`mirror_365_v15`] as the blob a node serves.
pub fn mirror_365_prefixed() -> RuntimeMetadataPrefixed {
    mirror_365_v15().into()
}

/// [`mirror_365_v14`] as the blob a node serves.
pub fn mirror_365_prefixed_v14() -> RuntimeMetadataPrefixed {
    mirror_365_v14().into()
}

/// [`mirror_365_v16`] as the blob a node serves.
pub fn mirror_365_prefixed_v16() -> RuntimeMetadataPrefixed {
    mirror_365_v16().into()
}

/// The spec-393 mirror built over spec 365's extensions, with the other differences applied.
fn build_365() -> (RuntimeMetadataV15, UntrackedSymbol<TypeId>) {
    let (mut md, unchecked_extrinsic) =
        build_with::<SignedExtra365, UncheckedExtrinsic365>(signed_extensions_365());
    let subtensor = md
        .pallets
        .iter()
        .find(|p| p.name == "SubtensorModule")
        .map(|p| {
            (
                p.event.as_ref().map(|e| e.ty.id),
                p.error.as_ref().map(|e| e.ty.id),
            )
        });
    if let Some((events, errors)) = subtensor {
        if let Some(id) = events {
            renumber(&mut md.types, id, &SUBTENSOR_EVENT_CHANGES, false);
        }
        if let Some(id) = errors {
            renumber(&mut md.types, id, &SUBTENSOR_ERROR_CHANGES, true);
        }
    }
    set_storage_default(
        &mut md,
        "SubtensorModule",
        "MaxAllowedUids",
        MAX_ALLOWED_UIDS_DEFAULT.encode(),
    );
    move_paths(&mut md.types, EXTENSION_PATHS);
    drop_items(&mut md, ITEMS_ADDED_AFTER_365);
    (md, unchecked_extrinsic)
}

/// Gives the enum `type_id` its spec-365 numbering: variants spec 365 lacks go, the others
/// take their spec-365 index, and with `serve_removed` the variants spec 393 dropped come back
/// (as unit variants: only for errors, which have no fields).
fn renumber(
    types: &mut PortableRegistry,
    type_id: u32,
    changes: &Renumbering,
    serve_removed: bool,
) {
    let Some(entry) = types.types.iter_mut().find(|t| t.id == type_id) else {
        return;
    };
    let TypeDef::Variant(def) = &mut entry.ty.type_def else {
        return;
    };
    let mut variants: Vec<Variant<_>> = std::mem::take(&mut def.variants)
        .into_iter()
        .filter_map(|mut v| {
            v.index = changes.index_365(v.index)?;
            Some(v)
        })
        .collect();
    if serve_removed {
        variants.extend(changes.removed.iter().map(|(index, name)| Variant {
            name: (*name).to_owned(),
            fields: Vec::new(),
            index: *index,
            docs: vec![sentence_from_name(name)],
        }));
    }
    variants.sort_by_key(|v| v.index);
    def.variants = variants;
}

/// Sets the default of storage entry `pallet.entry`, if the metadata has it.
fn set_storage_default(md: &mut RuntimeMetadataV15, pallet: &str, entry: &str, default: Vec<u8>) {
    let entries = md
        .pallets
        .iter_mut()
        .filter(|p| p.name == pallet)
        .filter_map(|p| p.storage.as_mut())
        .flat_map(|s| s.entries.iter_mut());
    for e in entries.filter(|e| e.name == entry) {
        e.default = default.clone();
    }
}

/// Rewrites the type paths listed as (from, to).
fn move_paths(types: &mut PortableRegistry, moves: &[(&str, &str)]) {
    for entry in &mut types.types {
        let path = entry.ty.path.segments.join("::");
        if let Some((_, to)) = moves.iter().find(|(from, _)| *from == path) {
            entry.ty.path.segments = to.split("::").map(str::to_owned).collect();
        }
    }
}

/// Leaves `items` out of `md`: call variants from their pallet's call enum, storage entries,
/// runtime API methods (and a trait left with none).
pub(super) fn drop_items(md: &mut RuntimeMetadataV15, items: &[UsedItem]) {
    for item in items {
        match *item {
            UsedItem::Call(pallet, call) => {
                let enum_id = md
                    .pallets
                    .iter()
                    .find(|p| p.name == pallet)
                    .and_then(|p| p.calls.as_ref())
                    .map(|c| c.ty.id);
                let entry = enum_id.and_then(|id| md.types.types.iter_mut().find(|t| t.id == id));
                if let Some(TypeDef::Variant(def)) = entry.map(|t| &mut t.ty.type_def) {
                    def.variants.retain(|v| v.name != call);
                }
            }
            UsedItem::Storage(pallet, name) => {
                let storage = md.pallets.iter_mut().filter(|p| p.name == pallet);
                for s in storage.filter_map(|p| p.storage.as_mut()) {
                    s.entries.retain(|e| e.name != name);
                }
            }
            UsedItem::RuntimeApi(api, method) => {
                for a in md.apis.iter_mut().filter(|a| a.name == api) {
                    a.methods.retain(|m| m.name != method);
                }
                md.apis.retain(|a| !a.methods.is_empty());
            }
        }
    }
}

/// (pallet index, call index) of every call in `md`'s call enums.
pub fn call_indices(md: &RuntimeMetadataV15) -> BTreeSet<(u8, u8)> {
    let mut indices = BTreeSet::new();
    for p in &md.pallets {
        let def = p
            .calls
            .as_ref()
            .and_then(|c| md.types.resolve(c.ty.id))
            .map(|t| &t.type_def);
        if let Some(TypeDef::Variant(def)) = def {
            indices.extend(def.variants.iter().map(|v| (p.index, v.index)));
        }
    }
    indices
}

/// Whether a spec-365 runtime knows `call`: its pallet and call index are in the spec-365
/// metadata's call enums (what the runtime's own `RuntimeCall` decoding accepts).
pub fn call_exists_365(call: &RuntimeCall) -> bool {
    static CALLS_365: OnceLock<BTreeSet<(u8, u8)>> = OnceLock::new();
    let known = CALLS_365.get_or_init(|| call_indices(&mirror_365_v15()));
    // A `RuntimeCall` encodes as pallet index, call index, arguments.
    match call.encode().get(..2) {
        Some([pallet, index]) => known.contains(&(*pallet, *index)),
        _ => false,
    }
}

/// A `DispatchError` as the spec-365 runtime reports it: SubtensorModule errors at their
/// spec-365 index. The errors spec 365 lacks belong to calls the localnet does not implement
/// (coldkey-swap announcements, voting power, `add_stake_burn`); one would keep its index.
pub fn dispatch_error_365(error: DispatchError) -> DispatchError {
    match error {
        DispatchError::Module(ModuleError {
            index: SUBTENSOR_MODULE_INDEX,
            error: [variant, rest @ ..],
        }) => {
            let variant = SUBTENSOR_ERROR_CHANGES
                .index_365(variant)
                .unwrap_or(variant);
            let [a, b, c] = rest;
            DispatchError::Module(ModuleError {
                index: SUBTENSOR_MODULE_INDEX,
                error: [variant, a, b, c],
            })
        }
        other => other,
    }
}

/// The SCALE encoding of `event` as the spec-365 runtime writes it into `System.Events`:
/// SubtensorModule events at their spec-365 index, dispatch errors as [`dispatch_error_365`].
/// Every mirrored event exists in spec 365 (tested), so no event loses its meaning.
pub fn event_bytes_365(event: &RuntimeEvent) -> Vec<u8> {
    match event {
        RuntimeEvent::SubtensorModule(_) => {
            let mut bytes = event.encode();
            // An outer event encodes as pallet index, variant index, fields.
            if let Some(variant) = bytes.get_mut(1)
                && let Some(index) = SUBTENSOR_EVENT_CHANGES.index_365(*variant)
            {
                *variant = index;
            }
            bytes
        }
        RuntimeEvent::System(SystemEvent::ExtrinsicFailed {
            dispatch_error,
            dispatch_info,
        }) => RuntimeEvent::System(SystemEvent::ExtrinsicFailed {
            dispatch_error: dispatch_error_365(*dispatch_error),
            dispatch_info: *dispatch_info,
        })
        .encode(),
        RuntimeEvent::Sudo(SudoEvent::Sudid {
            sudo_result: Err(error),
        }) => RuntimeEvent::Sudo(SudoEvent::Sudid {
            sudo_result: Err(dispatch_error_365(*error)),
        })
        .encode(),
        other => other.encode(),
    }
}

#[cfg(test)]
mod tests;
