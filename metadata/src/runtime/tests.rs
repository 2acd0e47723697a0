//! Mirror vs finney spec 393: subxt's per-item validation hashes for every used item, and a
//! structural diff for what those hashes ignore (indices, field order, hashers, defaults).

use std::collections::BTreeSet;

use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed, v15, v16};
use parity_scale_codec::{Decode, Encode};
use scale_info::{PortableRegistry, Registry, TypeDef, TypeInfo, meta_type};
use subxt_metadata::Metadata;

use super::calls::{CommitmentsCall, RuntimeCall, SubtensorModuleCall};
use super::items::{HASH_DIFFERS_BY_DESIGN, USED_ITEMS, UsedItem};
use super::types::{AccountId32, AccountInfo, Registration};
use super::{
    mirror_prefixed, mirror_prefixed_v14, mirror_prefixed_v16, mirror_v14, mirror_v15, mirror_v16,
};
use crate::commitment::{CommitmentInfo, Data, RawBytes};

const BLOB: &str = "chain/finney-spec393.scale";

pub(super) fn blob_bytes() -> Option<Vec<u8>> {
    let path = crate::fixtures::path(BLOB)?;
    Some(std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display())))
}

pub(super) fn blob_v16(bytes: &[u8]) -> v16::RuntimeMetadataV16 {
    let prefixed = RuntimeMetadataPrefixed::decode(&mut &bytes[..]).expect("spec-393 blob decodes");
    match prefixed.1 {
        RuntimeMetadata::V16(md) => md,
        other => panic!("spec-393 blob is V{}, expected V16", other.version()),
    }
}

/// One storage entry, version-independent.
struct EntryView {
    modifier: String,
    hashers: Vec<String>,
    key: Option<u32>,
    value: u32,
    default: Vec<u8>,
}

/// One pallet, version-independent.
struct PalletView {
    index: u8,
    calls: Option<u32>,
    events: Option<u32>,
    errors: Option<u32>,
    prefix: Option<String>,
    entries: Vec<(String, EntryView)>,
    constants: Vec<(String, u32, Vec<u8>)>,
}

fn view_v15(p: &v15::PalletMetadata<scale_info::form::PortableForm>) -> PalletView {
    let entries = p.storage.iter().flat_map(|s| &s.entries).map(|e| {
        let (hashers, key, value) = match &e.ty {
            v15::StorageEntryType::Plain(v) => (Vec::new(), None, v.id),
            v15::StorageEntryType::Map {
                hashers,
                key,
                value,
            } => (
                hashers.iter().map(|h| format!("{h:?}")).collect(),
                Some(key.id),
                value.id,
            ),
        };
        let modifier = format!("{:?}", e.modifier);
        (
            e.name.clone(),
            EntryView {
                modifier,
                hashers,
                key,
                value,
                default: e.default.clone(),
            },
        )
    });
    PalletView {
        index: p.index,
        calls: p.calls.as_ref().map(|c| c.ty.id),
        events: p.event.as_ref().map(|c| c.ty.id),
        errors: p.error.as_ref().map(|c| c.ty.id),
        prefix: p.storage.as_ref().map(|s| s.prefix.clone()),
        entries: entries.collect(),
        constants: p
            .constants
            .iter()
            .map(|c| (c.name.clone(), c.ty.id, c.value.clone()))
            .collect(),
    }
}

fn view_v16(p: &v16::PalletMetadata<scale_info::form::PortableForm>) -> PalletView {
    let entries = p.storage.iter().flat_map(|s| &s.entries).map(|e| {
        let (hashers, key, value) = match &e.ty {
            v16::StorageEntryType::Plain(v) => (Vec::new(), None, v.id),
            v16::StorageEntryType::Map {
                hashers,
                key,
                value,
            } => (
                hashers.iter().map(|h| format!("{h:?}")).collect(),
                Some(key.id),
                value.id,
            ),
        };
        let modifier = format!("{:?}", e.modifier);
        (
            e.name.clone(),
            EntryView {
                modifier,
                hashers,
                key,
                value,
                default: e.default.clone(),
            },
        )
    });
    PalletView {
        index: p.index,
        calls: p.calls.as_ref().map(|c| c.ty.id),
        events: p.event.as_ref().map(|c| c.ty.id),
        errors: p.error.as_ref().map(|c| c.ty.id),
        prefix: p.storage.as_ref().map(|s| s.prefix.clone()),
        entries: entries.collect(),
        constants: p
            .constants
            .iter()
            .map(|c| (c.name.clone(), c.ty.id, c.value.clone()))
            .collect(),
    }
}

/// Two registries' views of one type: same type paths, definitions, field names and order,
/// variant names and indices, array lengths and primitives (docs are not compared).
struct Shapes<'a> {
    mirror: &'a PortableRegistry,
    chain: &'a PortableRegistry,
    seen: BTreeSet<(u32, u32)>,
    /// Mirror enums that hold only some of the chain's variants (calls, events, errors).
    partial: BTreeSet<u32>,
    diffs: Vec<String>,
}

impl<'a> Shapes<'a> {
    fn new(mirror: &'a PortableRegistry, chain: &'a PortableRegistry) -> Self {
        Shapes {
            mirror,
            chain,
            seen: BTreeSet::new(),
            partial: BTreeSet::new(),
            diffs: Vec::new(),
        }
    }

    fn fields(
        &mut self,
        at: &str,
        ours: &[scale_info::Field<scale_info::form::PortableForm>],
        theirs: &[scale_info::Field<scale_info::form::PortableForm>],
    ) {
        if ours.len() != theirs.len() {
            self.diffs.push(format!(
                "{at}: {} fields, chain has {}",
                ours.len(),
                theirs.len()
            ));
            return;
        }
        for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
            let name = a.name.clone().unwrap_or_else(|| i.to_string());
            if a.name != b.name {
                self.diffs.push(format!(
                    "{at}: field {i} named {:?}, chain {:?}",
                    a.name, b.name
                ));
            }
            self.compare(&format!("{at}.{name}"), a.ty.id, b.ty.id);
        }
    }

    fn variant(
        &mut self,
        at: &str,
        ours: &scale_info::Variant<scale_info::form::PortableForm>,
        theirs: &scale_info::Variant<scale_info::form::PortableForm>,
    ) {
        if ours.index != theirs.index {
            self.diffs.push(format!(
                "{at}: index {}, chain {}",
                ours.index, theirs.index
            ));
        }
        self.fields(at, &ours.fields, &theirs.fields);
    }

    fn compare(&mut self, at: &str, ours: u32, theirs: u32) {
        if !self.seen.insert((ours, theirs)) {
            return;
        }
        let (Some(a), Some(b)) = (self.mirror.resolve(ours), self.chain.resolve(theirs)) else {
            self.diffs
                .push(format!("{at}: type #{ours} or chain #{theirs} missing"));
            return;
        };
        if a.path != b.path {
            let (ours, theirs) = (a.path.segments.join("::"), b.path.segments.join("::"));
            self.diffs
                .push(format!("{at}: path {ours:?}, chain {theirs:?}"));
        }
        match (&a.type_def, &b.type_def) {
            (TypeDef::Composite(x), TypeDef::Composite(y)) => self.fields(at, &x.fields, &y.fields),
            (TypeDef::Variant(x), TypeDef::Variant(y)) => {
                if x.variants.len() != y.variants.len() && !self.partial.contains(&ours) {
                    let n = (x.variants.len(), y.variants.len());
                    self.diffs
                        .push(format!("{at}: {} variants, chain has {}", n.0, n.1));
                }
                for v in &x.variants {
                    match y.variants.iter().find(|w| w.name == v.name) {
                        Some(w) => self.variant(&format!("{at}::{}", v.name), v, w),
                        None => self
                            .diffs
                            .push(format!("{at}: chain has no variant {}", v.name)),
                    }
                }
            }
            (TypeDef::Sequence(x), TypeDef::Sequence(y)) => {
                self.compare(&format!("{at}[]"), x.type_param.id, y.type_param.id)
            }
            (TypeDef::Array(x), TypeDef::Array(y)) => {
                if x.len != y.len {
                    self.diffs
                        .push(format!("{at}: array of {}, chain {}", x.len, y.len));
                }
                self.compare(&format!("{at}[]"), x.type_param.id, y.type_param.id)
            }
            (TypeDef::Tuple(x), TypeDef::Tuple(y)) => {
                if x.fields.len() != y.fields.len() {
                    let n = (x.fields.len(), y.fields.len());
                    self.diffs
                        .push(format!("{at}: {}-tuple, chain {}-tuple", n.0, n.1));
                }
                for (i, (p, q)) in x.fields.iter().zip(&y.fields).enumerate() {
                    self.compare(&format!("{at}.{i}"), p.id, q.id);
                }
            }
            (TypeDef::Primitive(x), TypeDef::Primitive(y)) if x == y => {}
            (TypeDef::Compact(x), TypeDef::Compact(y)) => {
                self.compare(&format!("{at}<compact>"), x.type_param.id, y.type_param.id)
            }
            (x, y) => self.diffs.push(format!("{at}: {x:?} vs chain {y:?}")),
        }
    }

    /// Each of our enum's variants against the chain's same-named variant (the chain's enum
    /// may have more: the mirror holds only what nya uses).
    fn subset_enum(&mut self, at: &str, ours: u32, theirs: u32) {
        let (Some(a), Some(b)) = (self.mirror.resolve(ours), self.chain.resolve(theirs)) else {
            self.diffs.push(format!("{at}: enum type missing"));
            return;
        };
        let (TypeDef::Variant(x), TypeDef::Variant(y)) = (&a.type_def, &b.type_def) else {
            self.diffs.push(format!("{at}: not an enum on both sides"));
            return;
        };
        for v in &x.variants {
            match y.variants.iter().find(|w| w.name == v.name) {
                Some(w) => self.variant(&format!("{at}::{}", v.name), v, w),
                None => self
                    .diffs
                    .push(format!("{at}: chain has no variant {}", v.name)),
            }
        }
    }
}

/// (kind, pallet, name) of an item.
type ItemKey = (&'static str, String, String);

fn key(item: &UsedItem) -> ItemKey {
    let kind = match item {
        UsedItem::Call(..) => "call",
        UsedItem::Storage(..) => "storage",
        UsedItem::RuntimeApi(..) => "runtime api",
    };
    (kind, item.owner().to_owned(), item.name().to_owned())
}

/// Every call and storage entry the mirror metadata holds.
fn mirror_items() -> BTreeSet<ItemKey> {
    let md = mirror_v15();
    let mut items = BTreeSet::new();
    for p in &md.pallets {
        if let Some(TypeDef::Variant(v)) = p
            .calls
            .as_ref()
            .and_then(|c| md.types.resolve(c.ty.id))
            .map(|t| &t.type_def)
        {
            for call in &v.variants {
                items.insert(("call", p.name.clone(), call.name.clone()));
            }
        }
        for e in p.storage.iter().flat_map(|s| &s.entries) {
            items.insert(("storage", p.name.clone(), e.name.clone()));
        }
    }
    for api in &md.apis {
        for method in &api.methods {
            items.insert(("runtime api", api.name.clone(), method.name.clone()));
        }
    }
    items
}

/// subxt's validation hash of one item, if the metadata has it.
pub(super) fn item_hash(md: &Metadata, item: &UsedItem) -> Option<[u8; 32]> {
    match item {
        UsedItem::Call(pallet, name) => md.pallet_by_name(pallet)?.call_hash(name),
        UsedItem::Storage(pallet, name) => md.pallet_by_name(pallet)?.storage_hash(name),
        UsedItem::RuntimeApi(api, name) => Some(
            md.runtime_api_trait_by_name(api)?
                .method_by_name(name)?
                .hash(),
        ),
    }
}

#[test]
fn runtime_mirror_holds_exactly_the_used_items() {
    let listed: BTreeSet<ItemKey> = USED_ITEMS.iter().map(key).collect();
    assert_eq!(listed.len(), USED_ITEMS.len(), "USED_ITEMS has duplicates");
    assert_eq!(mirror_items(), listed);
}

#[test]
fn runtime_mirror_is_accepted_by_subxt() {
    let bytes = mirror_prefixed().encode();
    let md = Metadata::decode_from(&bytes).expect("subxt decodes the mirror");
    let v14 = Metadata::decode_from(&mirror_prefixed_v14().encode()).expect("subxt reads V14");
    let v16 = Metadata::decode_from(&mirror_prefixed_v16().encode()).expect("subxt reads V16");
    for md in [&md, &v14, &v16] {
        let ext = md.extrinsic();
        let version = ext.transaction_extension_version_to_use_for_encoding();
        let names: Vec<_> = ext
            .transaction_extensions_by_version(version)
            .into_iter()
            .flatten()
            .map(|e| e.identifier().to_owned())
            .collect();
        assert_eq!(names.len(), 13, "{names:?}");
        assert_eq!(names.last().map(String::as_str), Some("CheckMetadataHash"));
    }
    for item in USED_ITEMS {
        let (ours, v16_hash) = (item_hash(&md, item), item_hash(&v16, item));
        assert_eq!(v16_hash, ours, "{item:?}: V16 differs from V15");
        if !matches!(item, UsedItem::RuntimeApi(..)) {
            assert_eq!(
                item_hash(&v14, item),
                item_hash(&md, item),
                "{item:?}: V14 differs from V15"
            );
        }
        assert!(
            item_hash(&md, item).is_some(),
            "{item:?} missing from the mirror as subxt sees it"
        );
    }
}

#[test]
fn runtime_mirror_versions_share_one_registry_with_account_id_first() {
    let (v14, v15, v16) = (mirror_v14(), mirror_v15(), mirror_v16());
    assert!(v14.types == v15.types, "V14 and V15 registries differ");
    assert!(v16.types == v15.types, "V16 and V15 registries differ");
    let path = |id: u32| v15.types.resolve(id).map(|t| t.path.segments.join("::"));
    assert_eq!(path(0).as_deref(), Some("sp_core::crypto::AccountId32"));
    // V14 names the extrinsic through sp_runtime's UncheckedExtrinsic, whose parameters are
    // V15's extrinsic parts (same ids).
    assert_eq!(v14.extrinsic.version, 4);
    let uxt = v15
        .types
        .resolve(v14.extrinsic.ty.id)
        .expect("V14's extrinsic type is in the registry");
    assert_eq!(
        uxt.path.segments.join("::"),
        "sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic"
    );
    let params: Vec<_> = uxt
        .type_params
        .iter()
        .map(|p| (p.name.as_str(), p.ty.map(|t| t.id)))
        .collect();
    let ext = &v15.extrinsic;
    assert_eq!(
        params,
        [
            ("Address", Some(ext.address_ty.id)),
            ("Call", Some(ext.call_ty.id)),
            ("Signature", Some(ext.signature_ty.id)),
            ("Extra", Some(ext.extra_ty.id)),
        ]
    );
    let v14_extensions: Vec<_> = v14
        .extrinsic
        .signed_extensions
        .iter()
        .map(|e| (e.ty.id, e.additional_signed.id))
        .collect();
    let v15_extensions: Vec<_> = ext
        .signed_extensions
        .iter()
        .map(|e| (e.ty.id, e.additional_signed.id))
        .collect();
    assert_eq!(v14_extensions, v15_extensions);
    assert_eq!(
        (v16.extrinsic.address_ty.id, v16.extrinsic.call_ty.id),
        (ext.address_ty.id, ext.call_ty.id)
    );
    assert_eq!(
        v16.outer_enums.event_enum_ty.id,
        v15.outer_enums.event_enum_ty.id
    );
    // Pallets point at the same ids in V14 and V15.
    for (old, new) in v14.pallets.iter().zip(&v15.pallets) {
        assert_eq!(old.name, new.name);
        assert!(old.storage == new.storage, "{} storage", old.name);
        assert!(old.constants == new.constants, "{} constants", old.name);
        assert!(old.calls == new.calls, "{} calls", old.name);
        assert!(old.event == new.event, "{} events", old.name);
        assert!(old.error == new.error, "{} errors", old.name);
    }
    assert_eq!(v14.pallets.len(), v15.pallets.len());
    // The SDK reads Balances.ExistentialDeposit from V14 before a transfer.
    let deposit = v14
        .pallets
        .iter()
        .find(|p| p.name == "Balances")
        .and_then(|p| p.constants.iter().find(|c| c.name == "ExistentialDeposit"))
        .expect("Balances.ExistentialDeposit in V14");
    assert_eq!(deposit.value, 500u64.encode());
}

#[test]
fn runtime_mirror_item_hashes_match_spec393() {
    let Some(bytes) = blob_bytes() else { return };
    let chain = Metadata::decode_from(&bytes).expect("subxt decodes the spec-393 blob");
    let mirror =
        Metadata::decode_from(&mirror_prefixed().encode()).expect("subxt decodes the mirror");
    let mut diffs = Vec::new();
    for item in USED_ITEMS
        .iter()
        .filter(|i| !HASH_DIFFERS_BY_DESIGN.contains(i))
    {
        let (ours, theirs) = (item_hash(&mirror, item), item_hash(&chain, item));
        if ours.is_none() || ours != theirs {
            diffs.push(format!("{item:?}: mirror {ours:02x?} chain {theirs:02x?}"));
        }
    }
    assert!(diffs.is_empty(), "hash mismatches:\n{}", diffs.join("\n"));
}

#[test]
fn runtime_mirror_structure_matches_spec393() {
    let Some(bytes) = blob_bytes() else { return };
    let diffs = structure_diffs(&mirror_v15(), &blob_v16(&bytes));
    assert!(diffs.is_empty(), "structural diffs:\n{}", diffs.join("\n"));
}

/// Where `mirror` departs from `chain` in what the validation hashes ignore: pallet, call,
/// variant and error indices, field order, storage hashers and defaults, constants, runtime API
/// inputs and outputs, the signed extensions and the extrinsic parts.
pub(super) fn structure_diffs(
    mirror: &v15::RuntimeMetadataV15,
    chain: &v16::RuntimeMetadataV16,
) -> Vec<String> {
    let mut shapes = Shapes::new(&mirror.types, &chain.types);
    let outer = &mirror.outer_enums;
    shapes.partial.extend([
        outer.call_enum_ty.id,
        outer.event_enum_ty.id,
        outer.error_enum_ty.id,
    ]);
    for p in &mirror.pallets {
        let enums = [
            p.calls.as_ref().map(|c| c.ty.id),
            p.event.as_ref().map(|e| e.ty.id),
        ];
        shapes.partial.extend(enums.into_iter().flatten());
        shapes.partial.extend(p.error.as_ref().map(|e| e.ty.id));
    }
    for ours in &mirror.pallets {
        let Some(theirs) = chain.pallets.iter().find(|p| p.name == ours.name) else {
            shapes
                .diffs
                .push(format!("chain has no pallet {}", ours.name));
            continue;
        };
        let (a, b) = (view_v15(ours), view_v16(theirs));
        let at = ours.name.as_str();
        if a.index != b.index {
            shapes
                .diffs
                .push(format!("{at}: pallet index {}, chain {}", a.index, b.index));
        }
        for (what, x, y) in [
            ("calls", a.calls, b.calls),
            ("events", a.events, b.events),
            ("errors", a.errors, b.errors),
        ] {
            match (x, y) {
                (Some(x), Some(y)) => shapes.subset_enum(&format!("{at} {what}"), x, y),
                (Some(_), None) => shapes.diffs.push(format!("{at}: chain has no {what}")),
                _ => {}
            }
        }
        if a.prefix.is_some() && a.prefix != b.prefix {
            shapes.diffs.push(format!(
                "{at}: storage prefix {:?}, chain {:?}",
                a.prefix, b.prefix
            ));
        }
        for (name, e) in &a.entries {
            let at = format!("{at}.{name}");
            let Some((_, f)) = b.entries.iter().find(|(n, _)| n == name) else {
                shapes.diffs.push(format!("{at}: not in chain storage"));
                continue;
            };
            if (&e.modifier, &e.hashers, &e.default) != (&f.modifier, &f.hashers, &f.default) {
                shapes.diffs.push(format!(
                    "{at}: {} {:?} default {} vs chain {} {:?} default {}",
                    e.modifier,
                    e.hashers,
                    hex::encode(&e.default),
                    f.modifier,
                    f.hashers,
                    hex::encode(&f.default)
                ));
            }
            match (e.key, f.key) {
                (Some(x), Some(y)) => shapes.compare(&format!("{at} key"), x, y),
                (None, None) => {}
                _ => shapes.diffs.push(format!("{at}: plain vs map")),
            }
            shapes.compare(&format!("{at} value"), e.value, f.value);
        }
        for (name, ty, value) in &a.constants {
            let at = format!("{at}.{name}");
            match b.constants.iter().find(|(n, _, _)| n == name) {
                Some((_, chain_ty, chain_value)) => {
                    if value != chain_value {
                        shapes.diffs.push(format!(
                            "{at}: value {value:02x?}, chain {chain_value:02x?}"
                        ));
                    }
                    shapes.compare(&at, *ty, *chain_ty);
                }
                None => shapes.diffs.push(format!("{at}: not a chain constant")),
            }
        }
    }
    for api in &mirror.apis {
        let Some(theirs) = chain.apis.iter().find(|a| a.name == api.name) else {
            shapes
                .diffs
                .push(format!("chain has no runtime API {}", api.name));
            continue;
        };
        for m in &api.methods {
            let at = format!("{}.{}", api.name, m.name);
            let Some(tm) = theirs.methods.iter().find(|t| t.name == m.name) else {
                shapes.diffs.push(format!("{at}: not in chain"));
                continue;
            };
            let names: Vec<_> = m.inputs.iter().map(|i| &i.name).collect();
            let chain_names: Vec<_> = tm.inputs.iter().map(|i| &i.name).collect();
            if names != chain_names {
                shapes
                    .diffs
                    .push(format!("{at}: inputs {names:?}, chain {chain_names:?}"));
            }
            for (i, j) in m.inputs.iter().zip(&tm.inputs) {
                shapes.compare(&format!("{at}({})", i.name), i.ty.id, j.ty.id);
            }
            shapes.compare(&format!("{at} output"), m.output.id, tm.output.id);
        }
    }
    let ours_ext = &mirror.extrinsic.signed_extensions;
    let by_version = chain.extrinsic.transaction_extensions_by_version.get(&0);
    let chain_ext: Vec<_> = by_version
        .into_iter()
        .flatten()
        .filter_map(|i| chain.extrinsic.transaction_extensions.get(i.0 as usize))
        .collect();
    let names: Vec<_> = ours_ext.iter().map(|e| e.identifier.as_str()).collect();
    let chain_names: Vec<_> = chain_ext.iter().map(|e| e.identifier.as_str()).collect();
    if names != chain_names {
        shapes.diffs.push(format!(
            "signed extensions {names:?}, chain {chain_names:?}"
        ));
    }
    for (e, f) in ours_ext.iter().zip(&chain_ext) {
        shapes.compare(&format!("extension {}", e.identifier), e.ty.id, f.ty.id);
        let at = format!("extension {} implicit", e.identifier);
        shapes.compare(&at, e.additional_signed.id, f.implicit.id);
    }
    let ext = (&mirror.extrinsic, &chain.extrinsic);
    shapes.compare(
        "extrinsic address",
        ext.0.address_ty.id,
        ext.1.address_ty.id,
    );
    shapes.compare(
        "extrinsic signature",
        ext.0.signature_ty.id,
        ext.1.signature_ty.id,
    );
    if !chain.extrinsic.versions.contains(&mirror.extrinsic.version) {
        shapes.diffs.push(format!(
            "extrinsic v{} not supported by chain",
            mirror.extrinsic.version
        ));
    }
    shapes.diffs
}

/// `T` alone in a registry, under finney's paths as the mirror serves it.
fn portable<T: TypeInfo + 'static>() -> (PortableRegistry, u32) {
    let mut registry = Registry::new();
    let id = registry.register_type(&meta_type::<T>()).id;
    let mut types = registry.into();
    super::paths::to_finney_paths(&mut types);
    (types, id)
}

#[test]
fn runtime_mirror_v16_api_versions_match_spec393() {
    let Some(bytes) = blob_bytes() else { return };
    let chain = blob_v16(&bytes);
    for api in &mirror_v16().apis {
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

#[test]
fn runtime_data_type_matches_spec393_variant_for_variant() {
    let Some(bytes) = blob_bytes() else { return };
    let chain = blob_v16(&bytes);
    let data_id = chain
        .types
        .types
        .iter()
        .find(|t| t.ty.path.segments == ["pallet_commitments", "types", "Data"])
        .map(|t| t.id)
        .expect("spec 393 has pallet_commitments::types::Data");
    let (ours, id) = portable::<Data>();
    let mut shapes = Shapes::new(&ours, &chain.types);
    shapes.compare("Data", id, data_id);
    assert!(
        shapes.diffs.is_empty(),
        "Data diffs:\n{}",
        shapes.diffs.join("\n")
    );
}

#[test]
fn runtime_mirror_digest_matches_spec393() {
    let Some(bytes) = blob_bytes() else { return };
    let chain = blob_v16(&bytes);
    let mirror = mirror_v15();
    let path = ["sp_runtime", "generic", "digest", "Digest"];
    let id_in = |types: &PortableRegistry| {
        types
            .types
            .iter()
            .find(|t| t.ty.path.segments == path)
            .map(|t| t.id)
    };
    let (Some(ours), Some(theirs)) = (id_in(&mirror.types), id_in(&chain.types)) else {
        panic!("Digest missing from the mirror or the blob");
    };
    let mut shapes = Shapes::new(&mirror.types, &chain.types);
    shapes.compare("Digest", ours, theirs);
    assert!(shapes.diffs.is_empty(), "{}", shapes.diffs.join("\n"));
    // The Aura pre-runtime log of a localnet header decodes with it.
    let aura = super::types::DigestItem::PreRuntime(*b"aura", 7u64.encode());
    let bytes = aura.encode();
    assert_eq!(&bytes[..5], &[6, b'a', b'u', b'r', b'a']);
}

#[test]
fn runtime_data_type_info_agrees_with_its_codec() {
    let (registry, id) = portable::<Data>();
    let Some(TypeDef::Variant(def)) = registry.resolve(id).map(|t| &t.type_def) else {
        panic!("Data is not an enum");
    };
    let index_of = |name: &str| {
        def.variants
            .iter()
            .find(|v| v.name == name)
            .map(|v| v.index)
    };
    assert_eq!(def.variants.len(), 137);
    for len in [0usize, 1, 31, 32, 33, 64, 127, 128] {
        let raw = RawBytes::new(vec![7u8; len]).expect("within the Raw limit");
        let encoded = Data::Raw(raw).encode();
        assert_eq!(
            encoded.first().copied(),
            index_of(&format!("Raw{len}")),
            "Raw{len}"
        );
        assert_eq!(encoded.len(), len + 1);
    }
    assert_eq!(index_of("BigRaw"), Some(136));
    assert_eq!(index_of("None"), Some(Data::None.encode()[0]));
}

#[test]
fn runtime_calls_encode_with_pallet_and_call_indices() {
    let hotkey = AccountId32([9; 32]);
    let call =
        RuntimeCall::SubtensorModule(SubtensorModuleCall::burned_register { netuid: 3, hotkey });
    let mut want = vec![7, 7, 3, 0];
    want.extend_from_slice(&[9; 32]);
    assert_eq!(call.encode(), want);

    let info = CommitmentInfo::new(vec![Data::Raw(
        RawBytes::new(b"hi".to_vec()).expect("short"),
    )])
    .expect("one field");
    let call = RuntimeCall::Commitments(CommitmentsCall::set_commitment { netuid: 1, info });
    assert_eq!(call.encode(), vec![18, 0, 1, 0, 4, 3, b'h', b'i']);
    assert_eq!(
        RuntimeCall::decode(&mut &call.encode()[..]).ok(),
        Some(call)
    );
}

#[test]
fn runtime_storage_values_round_trip() {
    let account = AccountInfo::default();
    assert_eq!(
        account.encode().last(),
        Some(&0x80),
        "new accounts carry IS_NEW_LOGIC"
    );
    let reg = Registration {
        deposit: 0,
        block: 42,
        info: CommitmentInfo::default(),
    };
    assert_eq!(Registration::decode(&mut &reg.encode()[..]).ok(), Some(reg));
}
