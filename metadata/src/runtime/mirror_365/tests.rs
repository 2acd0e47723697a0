//! The spec-365 mirror against finney's spec-365 blob: per-item validation hashes, the
//! structural diff, runtime API versions, and the renumbering rules against both blobs.

use std::collections::BTreeMap;

use frame_metadata::v15::StorageEntryType;
use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed, v16};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeDef;
use subxt_metadata::Metadata;

use super::*;
use crate::runtime::calls::{BalancesEvent, SubtensorModuleEvent};
use crate::runtime::dispatch::DispatchEventInfo;
use crate::runtime::errors::SubtensorModuleError;
use crate::runtime::items::{self, HASH_DIFFERS_BY_DESIGN, USED_ITEMS};
use crate::runtime::mirror_v15;
use crate::runtime::tests::{item_hash, structure_diffs};
use crate::runtime::types::{AccountId32, H256};

/// A finney blob as V16, or `None` (skip) without the fixtures.
fn blob(spec: u32) -> Option<(Vec<u8>, v16::RuntimeMetadataV16)> {
    let path = crate::fixtures::path(&format!("chain/finney-spec{spec}.scale"))?;
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let prefixed = RuntimeMetadataPrefixed::decode(&mut &bytes[..])
        .unwrap_or_else(|e| panic!("spec-{spec} blob does not decode: {e}"));
    match prefixed.1 {
        RuntimeMetadata::V16(md) => Some((bytes, md)),
        other => panic!("spec-{spec} blob is V{}, expected V16", other.version()),
    }
}

fn subxt(prefixed: RuntimeMetadataPrefixed) -> Metadata {
    Metadata::decode_from(&prefixed.encode()).expect("subxt reads the mirror")
}

#[test]
fn runtime_mirror_365_item_hashes_match_spec365() {
    let Some((bytes, _)) = blob(365) else { return };
    let chain = Metadata::decode_from(&bytes).expect("subxt decodes the spec-365 blob");
    let mirror = subxt(mirror_365_prefixed());
    let mut diffs = Vec::new();
    for item in USED_ITEMS {
        let (ours, theirs) = (item_hash(&mirror, item), item_hash(&chain, item));
        if ITEMS_ADDED_AFTER_365.contains(item) {
            if ours.is_some() || theirs.is_some() {
                diffs.push(format!("{item:?} is listed as newer than 365 but is there"));
            }
        } else if theirs.is_none() {
            diffs.push(format!(
                "{item:?} is not in spec 365: list it in ITEMS_ADDED_AFTER_365"
            ));
        } else if !HASH_DIFFERS_BY_DESIGN.contains(item) && ours != theirs {
            diffs.push(format!("{item:?}: mirror {ours:02x?} chain {theirs:02x?}"));
        }
    }
    assert!(diffs.is_empty(), "hash mismatches:\n{}", diffs.join("\n"));
}

#[test]
fn runtime_mirror_365_differs_from_393_where_the_blobs_do() {
    // Only MaxAllowedUids' default changes a used item's hash between the two specs (and the
    // partial outer enums, by design): the 365 mirror must not drift elsewhere.
    let (old, new) = (subxt(mirror_365_prefixed()), subxt(mirror_v15().into()));
    let changed: Vec<_> = USED_ITEMS
        .iter()
        .filter(|i| !HASH_DIFFERS_BY_DESIGN.contains(i))
        .filter(|i| item_hash(&old, i) != item_hash(&new, i))
        .collect();
    assert_eq!(changed, [&items::SUBTENSOR_MAX_ALLOWED_UIDS]);
}

#[test]
fn runtime_mirror_365_structure_matches_spec365() {
    let Some((_, chain)) = blob(365) else { return };
    let diffs = structure_diffs(&mirror_365_v15(), &chain);
    assert!(diffs.is_empty(), "structural diffs:\n{}", diffs.join("\n"));
}

#[test]
fn runtime_mirror_365_v16_api_versions_match_spec365() {
    let Some((_, chain)) = blob(365) else { return };
    for api in &mirror_365_v16().apis {
        let theirs = chain
            .apis
            .iter()
            .find(|a| a.name == api.name)
            .map(|a| a.version);
        assert_eq!(
            Some(api.version),
            theirs,
            "runtime API {} version",
            api.name
        );
    }
}

/// (name → index) of the variants of `pallet`'s event or error enum in a blob.
fn variants(md: &v16::RuntimeMetadataV16, pallet: &str, errors: bool) -> BTreeMap<String, u8> {
    let p = md
        .pallets
        .iter()
        .find(|p| p.name == pallet)
        .expect("pallet in blob");
    let id = if errors {
        p.error.as_ref().map(|e| e.ty.id)
    } else {
        p.event.as_ref().map(|e| e.ty.id)
    };
    match id.and_then(|id| md.types.resolve(id)).map(|t| &t.type_def) {
        Some(TypeDef::Variant(def)) => def
            .variants
            .iter()
            .map(|v| (v.name.clone(), v.index))
            .collect(),
        other => panic!("{pallet} enum is {other:?}"),
    }
}

#[test]
fn runtime_mirror_365_renumbering_reproduces_both_blobs() {
    let (Some((_, old)), Some((_, new))) = (blob(365), blob(393)) else {
        return;
    };
    for (errors, changes) in [
        (false, SUBTENSOR_EVENT_CHANGES),
        (true, SUBTENSOR_ERROR_CHANGES),
    ] {
        let (was, is) = (
            variants(&old, "SubtensorModule", errors),
            variants(&new, "SubtensorModule", errors),
        );
        // Every spec-393 variant: its spec-365 index by the rule equals the spec-365 blob's.
        for (name, index) in &is {
            assert_eq!(
                changes.index_365(*index),
                was.get(name).copied(),
                "{name} (errors: {errors})"
            );
        }
        for (index, name) in changes.added {
            assert_eq!(is.get(*name), Some(index), "added {name}");
        }
        for (index, name) in changes.removed {
            assert_eq!(
                (was.get(*name), is.get(*name)),
                (Some(index), None),
                "removed {name}"
            );
        }
        assert!(
            changes.removed.windows(2).all(|w| w[0].0 < w[1].0),
            "removed is ascending"
        );
        // The spec-365 enum is what the rule gives: its variants, renumbered, plus the removed.
        let kept = is
            .values()
            .filter(|i| changes.index_365(**i).is_some())
            .count();
        assert_eq!(kept + changes.removed.len(), was.len());
    }
}

#[test]
fn runtime_mirror_365_is_accepted_by_subxt_in_every_version() {
    let v15 = subxt(mirror_365_prefixed());
    let v14 = subxt(mirror_365_prefixed_v14());
    let v16 = subxt(mirror_365_prefixed_v16());
    for md in [&v14, &v15, &v16] {
        let ext = md.extrinsic();
        let version = ext.transaction_extension_version_to_use_for_encoding();
        let names: Vec<_> = ext
            .transaction_extensions_by_version(version)
            .into_iter()
            .flatten()
            .map(|e| e.identifier().to_owned())
            .collect();
        assert_eq!(names.len(), 12, "{names:?}");
        assert!(!names.iter().any(|n| n == "CheckShieldedTxValidity"));
    }
    for item in USED_ITEMS {
        assert!(item_hash(&v15, item).is_some(), "{item:?} missing");
        assert_eq!(
            item_hash(&v16, item),
            item_hash(&v15, item),
            "{item:?}: V16 vs V15"
        );
        if !matches!(item, UsedItem::RuntimeApi(..)) {
            assert_eq!(
                item_hash(&v14, item),
                item_hash(&v15, item),
                "{item:?}: V14 vs V15"
            );
        }
    }
    let (v14, v15, v16) = (mirror_365_v14(), mirror_365_v15(), mirror_365_v16());
    assert!(
        v14.types == v15.types && v16.types == v15.types,
        "one registry"
    );
    let uxt = v15
        .types
        .resolve(v14.extrinsic.ty.id)
        .expect("V14 extrinsic type");
    assert_eq!(
        uxt.path.segments.join("::"),
        "sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic"
    );
    let extra = uxt
        .type_params
        .iter()
        .find(|p| p.name == "Extra")
        .and_then(|p| p.ty);
    assert_eq!(extra.map(|t| t.id), Some(v15.extrinsic.extra_ty.id));
    let ours: Vec<String> = v15
        .types
        .types
        .iter()
        .map(|t| t.ty.path.segments.join("::"))
        .collect();
    assert!(
        !ours.iter().any(|p| p.starts_with("nya_metadata")),
        "a path of this crate is served"
    );
}

#[test]
fn runtime_mirror_365_extrinsics_encode_as_393s() {
    // The extension dropped since 365 carries no data and signs over nothing, so one
    // extrinsic's bytes read the same under both specs.
    let dropped = signed_extensions()
        .into_iter()
        .find(|e| e.identifier == EXTENSION_ADDED_AFTER_365)
        .expect("spec 393 has it");
    let mut registry = scale_info::Registry::new();
    let explicit = registry.register_type(&dropped.ty).id;
    let implicit = registry.register_type(&dropped.additional_signed).id;
    let types: PortableRegistry = registry.into();
    for id in [explicit, implicit] {
        let def = types.resolve(id).map(|t| &t.type_def);
        let empty = match def {
            Some(TypeDef::Composite(c)) => c.fields.is_empty(),
            Some(TypeDef::Tuple(t)) => t.fields.is_empty(),
            _ => false,
        };
        assert!(
            empty,
            "{EXTENSION_ADDED_AFTER_365} type {id} is not empty: {def:?}"
        );
    }
}

#[test]
fn runtime_mirror_365_drop_items_leaves_them_out() {
    let mut md = mirror_v15();
    let dropped = [
        items::SYSTEM_REMARK,
        items::SUBTENSOR_BURN,
        items::ACCOUNT_NONCE,
    ];
    drop_items(&mut md, &dropped);
    let after = Metadata::decode_from(&RuntimeMetadataPrefixed::from(md.clone()).encode())
        .expect("subxt reads it");
    for item in USED_ITEMS {
        assert_eq!(
            item_hash(&after, item).is_none(),
            dropped.contains(item),
            "{item:?}"
        );
    }
    // System.remark is call 0 of pallet 0; the calls left are unchanged.
    let (before, now) = (call_indices(&mirror_v15()), call_indices(&md));
    assert!(before.contains(&(0, 0)) && !now.contains(&(0, 0)));
    assert_eq!(before.len(), now.len() + 1);
    assert!(
        !md.apis.iter().any(|a| a.name == "AccountNonceApi"),
        "empty trait dropped"
    );
}

#[test]
fn runtime_mirror_365_knows_every_mirrored_call() {
    let (old, new) = (call_indices(&mirror_365_v15()), call_indices(&mirror_v15()));
    assert_eq!(old, new);
    assert!(
        new.contains(&(SUBTENSOR_MODULE_INDEX, 7)),
        "burned_register"
    );
    let hotkey = AccountId32([1; 32]);
    let call = RuntimeCall::SubtensorModule(
        crate::runtime::calls::SubtensorModuleCall::burned_register { netuid: 1, hotkey },
    );
    assert!(call_exists_365(&call));
}

#[test]
fn runtime_events_and_errors_take_their_spec365_indices() {
    let weights = RuntimeEvent::SubtensorModule(SubtensorModuleEvent::WeightsCommitted(
        AccountId32([2; 32]),
        1,
        H256([3; 32]),
    ));
    let (new, old) = (weights.encode(), event_bytes_365(&weights));
    assert_eq!(
        (new[..2].to_vec(), old[..2].to_vec()),
        (vec![7, 83], vec![7, 79])
    );
    assert_eq!(new[2..], old[2..]);

    let too_early = SubtensorModuleError::RevealTooEarly as u8;
    assert_eq!(too_early, 78);
    let failed = RuntimeEvent::System(SystemEvent::ExtrinsicFailed {
        dispatch_error: DispatchError::module(SUBTENSOR_MODULE_INDEX, too_early),
        dispatch_info: DispatchEventInfo::default(),
    });
    let expected = RuntimeEvent::System(SystemEvent::ExtrinsicFailed {
        dispatch_error: DispatchError::module(SUBTENSOR_MODULE_INDEX, 76),
        dispatch_info: DispatchEventInfo::default(),
    });
    assert_eq!(event_bytes_365(&failed), expected.encode());
    let sudid = RuntimeEvent::Sudo(SudoEvent::Sudid {
        sudo_result: Err(DispatchError::module(SUBTENSOR_MODULE_INDEX, too_early)),
    });
    let expected = RuntimeEvent::Sudo(SudoEvent::Sudid {
        sudo_result: Err(DispatchError::module(SUBTENSOR_MODULE_INDEX, 76)),
    });
    assert_eq!(event_bytes_365(&sudid), expected.encode());
    // Other pallets' errors and events are the same in both specs.
    let balances = DispatchError::module(5, 2);
    assert_eq!(dispatch_error_365(balances), balances);
    let deposit = RuntimeEvent::Balances(BalancesEvent::Deposit {
        who: AccountId32([4; 32]),
        amount: 5,
    });
    assert_eq!(event_bytes_365(&deposit), deposit.encode());
}

#[test]
fn runtime_mirror_365_has_every_mirrored_event_and_error() {
    // So event_bytes_365 and dispatch_error_365 never keep a spec-393 index.
    let md = mirror_v15();
    let pallet = md
        .pallets
        .iter()
        .find(|p| p.name == "SubtensorModule")
        .expect("pallet");
    assert_eq!(pallet.index, SUBTENSOR_MODULE_INDEX);
    for (id, changes, what) in [
        (
            pallet.event.as_ref().map(|e| e.ty.id),
            SUBTENSOR_EVENT_CHANGES,
            "event",
        ),
        (
            pallet.error.as_ref().map(|e| e.ty.id),
            SUBTENSOR_ERROR_CHANGES,
            "error",
        ),
    ] {
        let Some(TypeDef::Variant(def)) =
            id.and_then(|id| md.types.resolve(id)).map(|t| &t.type_def)
        else {
            panic!("SubtensorModule {what} enum");
        };
        for v in &def.variants {
            let added = changes.added.iter().any(|(_, name)| *name == v.name);
            assert_eq!(
                changes.index_365(v.index).is_none(),
                added,
                "{what} {}",
                v.name
            );
        }
        // Errors the localnet never raises may be newer than 365; events must all exist.
        if what == "event" {
            assert!(
                def.variants
                    .iter()
                    .all(|v| changes.index_365(v.index).is_some())
            );
        }
    }
}

/// The MaxAllowedUids default the 365 metadata serves.
#[test]
fn runtime_mirror_365_max_allowed_uids_default_is_4096() {
    let md = mirror_365_v15();
    let entry = md
        .pallets
        .iter()
        .filter_map(|p| p.storage.as_ref())
        .flat_map(|s| &s.entries)
        .find(|e| e.name == "MaxAllowedUids")
        .expect("MaxAllowedUids");
    assert!(matches!(entry.ty, StorageEntryType::Map { .. }));
    assert_eq!(entry.default, 4096u16.encode());
}
