//! Real-chain conformance, offline: what nya's client sends and reads checked against finney's
//! own metadata (`chain/finney-spec393.scale`, and `chain/finney-spec365.scale` from before an
//! upgrade), with no node.
//!
//! One subxt `OfflineClient` holds both blobs as one chain that upgrades from spec 365 to spec
//! 393 at [`UPGRADE_BLOCK`] (genesis hash and transaction version are stand-ins: call data and
//! storage keys do not depend on them). At a block of each spec:
//!
//! - **calls**: the client's builders (`super::calls`, `super::weights`) are encoded by name against the blob,
//!   then decoded twice: by subxt against the blob's own type registry (pallet and call index
//!   from the blob, every argument by name and value) and as the mirror's `RuntimeCall` (the
//!   exact value nya meant, no trailing bytes);
//! - **storage keys**: the keys subxt computes from the blob for the addresses and key types the
//!   client reads with (`super::reads::address`) equal the localnet's key builders, which is
//!   what makes a localnet read mean the same as a finney read.
//!
//! Skips with the fixtures helper's message when `../shared` is absent.

use nya_metadata::commitment::{Commitment, Data, RepoRef};
use nya_metadata::manifest::Sha256Digest;
use nya_metadata::runtime::calls::{CommitmentsCall, RuntimeCall, SubtensorModuleCall};
use nya_metadata::runtime::items::{
    COMMITMENTS_COMMITMENT_OF, COMMITMENTS_SET_COMMITMENT, SUBTENSOR_AXONS, SUBTENSOR_BURN,
    SUBTENSOR_BURNED_REGISTER, SUBTENSOR_COMMIT_WEIGHTS, SUBTENSOR_KEYS, SUBTENSOR_REVEAL_WEIGHTS,
    SUBTENSOR_SERVE_AXON, SUBTENSOR_SET_WEIGHTS, SUBTENSOR_UIDS, SUBTENSOR_WEIGHTS, SYSTEM_ACCOUNT,
    UsedItem,
};
use nya_metadata::runtime::types::{AccountId32, H256, Registration};
use nya_metadata::task::{TaskId, TaskKind};
use parity_scale_codec::{DecodeAll, Encode};
use subxt::client::{ClientAtBlock, OfflineClientAtBlockImpl};
use subxt::config::substrate::{H256 as SubxtH256, SpecVersionForRange};
use subxt::dynamic::Value;
use subxt::ext::frame_decode::storage::{IntoDecodableValues, IntoEncodableValues};
use subxt::ext::scale_value::{Composite, Primitive, ValueDef};
use subxt::transactions::Payload;
use subxt::{Metadata, OfflineClient, SubstrateConfig};

use super::calls::{self, AxonEndpoint};
use super::reads::address;
use super::weights::{
    PendingReveal, commit_hash, commit_weights_call, normalize, reveal_weights_call,
    set_weights_call,
};
use crate::localnet::runtime::commitments::commitment_of;
use crate::localnet::runtime::subtensor::storage::{AXONS, BURN, KEYS, UIDS, WEIGHTS};
use crate::localnet::runtime::system::account_key;
use crate::localnet::state::MemoryState;

type OfflineAt = ClientAtBlock<SubstrateConfig, OfflineClientAtBlockImpl<SubstrateConfig>>;

/// The block at which the offline chain switches from spec 365 to spec 393.
const UPGRADE_BLOCK: u64 = 1_000;

/// Each blob, its spec version, and the blocks it serves.
const SPECS: [(u32, &str, std::ops::Range<u64>); 2] = [
    (365, "chain/finney-spec365.scale", 0..UPGRADE_BLOCK),
    (393, "chain/finney-spec393.scale", UPGRADE_BLOCK..u64::MAX),
];

const NETUID: u16 = 7;
const HOTKEY: [u8; 32] = [0x5a; 32];
const COLDKEY: [u8; 32] = [0xc0; 32];

/// The offline chain at one block of each spec, or `None` (skipped) without the fixtures.
fn finney_blocks() -> Option<Vec<(u32, OfflineAt)>> {
    let mut metadata = Vec::new();
    for (spec, fixture, _) in &SPECS {
        let path = nya_metadata::fixtures::path(fixture)?;
        let bytes =
            std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let decoded = Metadata::decode_from(&bytes)
            .unwrap_or_else(|e| panic!("subxt decodes {}: {e}", path.display()));
        metadata.push((*spec, decoded.arc()));
    }
    let config = SubstrateConfig::builder()
        .set_genesis_hash(SubxtH256([0x2f; 32]))
        .set_metadata_for_spec_versions(metadata)
        .set_spec_version_for_block_ranges(SPECS.iter().map(|(spec, _, blocks)| {
            SpecVersionForRange {
                block_range: blocks.clone(),
                spec_version: *spec,
                transaction_version: 1,
            }
        }))
        .build();
    let client = OfflineClient::new_with_config(config);
    let blocks = SPECS
        .iter()
        .map(|(spec, _, blocks)| {
            let at = client
                .at_block(blocks.start)
                .unwrap_or_else(|e| panic!("offline client at block {}: {e}", blocks.start));
            assert_eq!(at.spec_version(), *spec, "block {}", blocks.start);
            (*spec, at)
        })
        .collect();
    Some(blocks)
}

/// A call's arguments as the blob's registry decodes them, by name.
struct DecodedArgs {
    spec: u32,
    call: String,
    args: Vec<(String, Value<()>)>,
}

impl DecodedArgs {
    fn names(&self) -> Vec<&str> {
        self.args.iter().map(|(name, _)| name.as_str()).collect()
    }

    fn get(&self, name: &str) -> &Value<()> {
        self.args
            .iter()
            .find(|(arg, _)| arg == name)
            .map(|(_, value)| value)
            .unwrap_or_else(|| panic!("spec {}: {} has no argument {name}", self.spec, self.call))
    }

    /// An integer argument.
    fn uint(&self, name: &str) -> u128 {
        match self.get(name).value {
            ValueDef::Primitive(Primitive::U128(n)) => n,
            ref other => panic!(
                "spec {}: {}.{name} is not an integer: {other:?}",
                self.spec, self.call
            ),
        }
    }

    /// A sequence (or fixed array, or newtype around one) of integers, flattened.
    fn uints(&self, name: &str) -> Vec<u128> {
        let mut out = Vec::new();
        flatten_uints(self.get(name), &mut out);
        out
    }

    /// Bytes (`AccountId32`, `H256`, `Vec<u8>`).
    fn bytes(&self, name: &str) -> Vec<u8> {
        self.uints(name)
            .into_iter()
            .map(|n| {
                u8::try_from(n).unwrap_or_else(|_| panic!("{}.{name}: {n} is no byte", self.call))
            })
            .collect()
    }
}

fn flatten_uints(value: &Value<()>, out: &mut Vec<u128>) {
    match &value.value {
        ValueDef::Primitive(Primitive::U128(n)) => out.push(*n),
        ValueDef::Composite(composite) => {
            for inner in composite.values() {
                flatten_uints(inner, out);
            }
        }
        other => panic!("not integers: {other:?}"),
    }
}

/// The value inside single-field wrappers around a sequence or struct (`BoundedVec`, …).
fn unwrap_newtypes(mut value: &Value<()>) -> &Value<()> {
    while let ValueDef::Composite(composite) = &value.value {
        let mut inner = composite.values();
        match (inner.next(), inner.next()) {
            (Some(only), None) if matches!(only.value, ValueDef::Composite(_)) => value = only,
            _ => break,
        }
    }
    value
}

/// Encodes `payload` against the blob at `at`, checks the pallet and call indices are the
/// blob's for `item`, decodes the bytes back with the blob's registry and returns the bytes and
/// the arguments.
fn encode_and_decode<P: Payload>(
    spec: u32,
    at: &OfflineAt,
    item: UsedItem,
    payload: &P,
) -> (Vec<u8>, DecodedArgs) {
    let name = format!("{}.{}", item.owner(), item.name());
    let tx = at.tx();
    let bytes = tx
        .call_data(payload)
        .unwrap_or_else(|e| panic!("spec {spec}: {name} does not encode: {e}"));
    let pallet = at
        .metadata_ref()
        .pallet_by_name(item.owner())
        .unwrap_or_else(|| panic!("spec {spec}: no pallet {}", item.owner()));
    let variant = pallet
        .call_variant_by_name(item.name())
        .unwrap_or_else(|| panic!("spec {spec}: no call {name}"));
    assert_eq!(
        bytes.get(..2),
        Some([pallet.call_index(), variant.index].as_slice()),
        "spec {spec}: {name} indices"
    );
    let decoded = tx
        .from_call_data_bytes(&bytes)
        .unwrap_or_else(|e| panic!("spec {spec}: {name} does not decode under the blob: {e}"));
    assert_eq!(
        (decoded.pallet_name(), decoded.call_name()),
        (item.owner(), item.name()),
        "spec {spec}"
    );
    let args = match decoded.call_data() {
        Composite::Named(args) => args.clone(),
        Composite::Unnamed(args) => panic!("spec {spec}: {name} decoded without names: {args:?}"),
    };
    (
        bytes,
        DecodedArgs {
            spec,
            call: name,
            args,
        },
    )
}

/// The same bytes decode, whole, as the mirror's call `want`.
fn assert_mirror_decodes(spec: u32, bytes: &[u8], want: &RuntimeCall) {
    assert_eq!(
        RuntimeCall::decode_all(&mut &bytes[..]).ok().as_ref(),
        Some(want),
        "spec {spec}: the mirror reads other values"
    );
    assert_eq!(
        bytes,
        want.encode(),
        "spec {spec}: bytes differ from the mirror's"
    );
}

fn widen(values: &[u16]) -> Vec<u128> {
    values.iter().map(|v| u128::from(*v)).collect()
}

fn sample_commitment() -> Commitment {
    let repo: RepoRef = format!("nya-miner/refined@{}", "3c".repeat(20))
        .parse()
        .expect("repo ref");
    let digest: Sha256Digest = "ab".repeat(32).parse().expect("digest");
    let task = TaskId::new("t-393").expect("task id");
    Commitment::new(repo, digest, TaskKind::Refine, task).expect("commitment")
}

#[test]
fn conformance_burned_register_and_serve_axon_decode_under_finney() {
    let Some(blocks) = finney_blocks() else {
        return;
    };
    for (spec, at) in &blocks {
        let call = calls::burned_register(NETUID, &HOTKEY);
        let (bytes, args) =
            encode_and_decode(*spec, at, SUBTENSOR_BURNED_REGISTER, &call.payload());
        assert_eq!(args.names(), ["netuid", "hotkey"]);
        assert_eq!(args.uint("netuid"), u128::from(NETUID));
        assert_eq!(args.bytes("hotkey"), HOTKEY);
        let want = SubtensorModuleCall::burned_register {
            netuid: NETUID,
            hotkey: AccountId32(HOTKEY),
        };
        assert_mirror_decodes(*spec, &bytes, &RuntimeCall::SubtensorModule(want));

        for (ip, integer, ip_type) in [
            ("203.0.113.9", 0xcb00_7109_u128, 4),
            ("2001:db8::7", 0x2001_0db8_0000_0000_0000_0000_0000_0007, 6),
        ] {
            let endpoint = AxonEndpoint {
                ip: ip.parse().expect("ip"),
                port: 8091,
                protocol: 4,
            };
            let call = calls::serve_axon(NETUID, &endpoint);
            let (bytes, args) = encode_and_decode(*spec, at, SUBTENSOR_SERVE_AXON, &call.payload());
            assert_eq!(
                args.names(),
                [
                    "netuid",
                    "version",
                    "ip",
                    "port",
                    "ip_type",
                    "protocol",
                    "placeholder1",
                    "placeholder2"
                ]
            );
            assert_eq!(args.uint("ip"), integer, "{ip}");
            assert_eq!(args.uint("ip_type"), ip_type, "{ip}");
            assert_eq!(args.uint("port"), 8091);
            assert_eq!(args.uint("protocol"), 4);
            assert_eq!(args.uint("version"), u128::from(calls::axon_version()));
            assert_eq!(
                (args.uint("placeholder1"), args.uint("placeholder2")),
                (0, 0)
            );
            let want = SubtensorModuleCall::serve_axon {
                netuid: NETUID,
                version: calls::axon_version(),
                ip: integer,
                port: 8091,
                ip_type: u8::try_from(ip_type).expect("4 or 6"),
                protocol: 4,
                placeholder1: 0,
                placeholder2: 0,
            };
            assert_mirror_decodes(*spec, &bytes, &RuntimeCall::SubtensorModule(want));
        }
    }
}

#[test]
fn conformance_set_commitment_carries_the_nya_fields_under_finney() {
    let Some(blocks) = finney_blocks() else {
        return;
    };
    let commitment = sample_commitment();
    let info = commitment.to_info();
    for (spec, at) in &blocks {
        // What `Client::commit` submits.
        let call = calls::set_commitment(NETUID, &info);
        let (bytes, args) =
            encode_and_decode(*spec, at, COMMITMENTS_SET_COMMITMENT, &call.payload());
        assert_eq!(args.names(), ["netuid", "info"]);
        assert_eq!(args.uint("netuid"), u128::from(NETUID));
        let ValueDef::Composite(Composite::Named(info_fields)) = &args.get("info").value else {
            panic!("spec {spec}: info is not a named composite");
        };
        let [(fields_name, fields)] = info_fields.as_slice() else {
            panic!(
                "spec {spec}: CommitmentInfo has {} fields",
                info_fields.len()
            );
        };
        assert_eq!(fields_name, "fields");
        // `fields` is a `BoundedVec`, a newtype around the sequence.
        let ValueDef::Composite(fields) = &unwrap_newtypes(fields).value else {
            panic!("spec {spec}: CommitmentInfo.fields is not a sequence");
        };
        let decoded: Vec<(String, Vec<u8>)> = fields
            .values()
            .map(|data| match &data.value {
                ValueDef::Variant(variant) => {
                    let mut bytes = Vec::new();
                    for inner in variant.values.values() {
                        let mut ints = Vec::new();
                        flatten_uints(inner, &mut ints);
                        bytes.extend(ints.into_iter().map(|n| u8::try_from(n).expect("byte")));
                    }
                    (variant.name.clone(), bytes)
                }
                other => panic!("spec {spec}: a Data field is not a variant: {other:?}"),
            })
            .collect();
        let field0 = commitment.field0().into_bytes();
        let tag = commitment.tag().into_bytes();
        let want = vec![
            (format!("Raw{}", field0.len()), field0),
            ("Sha256".to_owned(), commitment.content_digest().0.to_vec()),
            (format!("Raw{}", tag.len()), tag),
        ];
        assert_eq!(decoded, want, "spec {spec}");
        // The blob numbers `Raw<n>` at n + 1: the byte right after the netuid.
        let expected_index = info.fields().first().map(|d| match d {
            Data::Raw(raw) => raw.len() + 1,
            other => panic!("field 0 is {other:?}"),
        });
        assert_eq!(bytes.get(5).map(|b| usize::from(*b)), expected_index);
        let want = CommitmentsCall::set_commitment {
            netuid: NETUID,
            info: info.clone(),
        };
        assert_mirror_decodes(*spec, &bytes, &RuntimeCall::Commitments(want));
    }
}

#[test]
fn conformance_weights_calls_decode_under_finney() {
    let Some(blocks) = finney_blocks() else {
        return;
    };
    // What a validator hands the client: float weights, normalised as the SDK does (max
    // upscaled to u16::MAX, zeros dropped).
    let weights = normalize(&[0, 3, 5, 9], &[1.0, 0.5, 0.0, 0.25]).expect("valid weights");
    let (uids, values) = (weights.uids.clone(), weights.values.clone());
    assert_eq!(uids, [0, 3, 9]);
    let (salt, version_key) = (vec![11u16, 22, 33, 44], 2_001u64);
    let hash = commit_hash(&HOTKEY, NETUID, &weights, &salt, version_key);
    let pending = PendingReveal {
        netuid: NETUID,
        weights: weights.clone(),
        salt: salt.clone(),
        version_key,
        commit_hash: format!("0x{}", hex::encode(hash)),
        commit_block: Some(100),
        reveal_from: Some(120),
        reveal_until: Some(140),
    };
    for (spec, at) in &blocks {
        let call = set_weights_call(NETUID, &weights, version_key);
        let (bytes, args) = encode_and_decode(*spec, at, SUBTENSOR_SET_WEIGHTS, &call.payload());
        assert_eq!(args.names(), ["netuid", "dests", "weights", "version_key"]);
        assert_eq!(args.uint("netuid"), u128::from(NETUID));
        assert_eq!(args.uints("dests"), widen(&uids));
        assert_eq!(args.uints("weights"), widen(&values));
        assert_eq!(args.uint("version_key"), u128::from(version_key));
        let want = SubtensorModuleCall::set_weights {
            netuid: NETUID,
            dests: uids.clone(),
            weights: values.clone(),
            version_key,
        };
        assert_mirror_decodes(*spec, &bytes, &RuntimeCall::SubtensorModule(want));

        let call = commit_weights_call(NETUID, &hash);
        let (bytes, args) = encode_and_decode(*spec, at, SUBTENSOR_COMMIT_WEIGHTS, &call.payload());
        assert_eq!(args.names(), ["netuid", "commit_hash"]);
        assert_eq!(args.bytes("commit_hash"), hash);
        let want = SubtensorModuleCall::commit_weights {
            netuid: NETUID,
            commit_hash: H256(hash),
        };
        assert_mirror_decodes(*spec, &bytes, &RuntimeCall::SubtensorModule(want));

        let call = reveal_weights_call(&pending);
        let (bytes, args) = encode_and_decode(*spec, at, SUBTENSOR_REVEAL_WEIGHTS, &call.payload());
        assert_eq!(
            args.names(),
            ["netuid", "uids", "values", "salt", "version_key"]
        );
        assert_eq!(args.uints("uids"), widen(&uids));
        assert_eq!(args.uints("values"), widen(&values));
        assert_eq!(args.uints("salt"), widen(&salt));
        assert_eq!(args.uint("version_key"), u128::from(version_key));
        let want = SubtensorModuleCall::reveal_weights {
            netuid: NETUID,
            uids: uids.clone(),
            values: values.clone(),
            salt: salt.clone(),
            version_key,
        };
        assert_mirror_decodes(*spec, &bytes, &RuntimeCall::SubtensorModule(want));
    }
}

/// The full key subxt computes from the blob for `item` at `keys`.
fn blob_key<K: IntoEncodableValues + IntoDecodableValues>(
    spec: u32,
    at: &OfflineAt,
    item: UsedItem,
    keys: K,
) -> Vec<u8> {
    let name = format!("{}.{}", item.owner(), item.name());
    at.storage()
        .entry(address::<K>(item))
        .and_then(|entry| entry.fetch_key(keys))
        .unwrap_or_else(|e| panic!("spec {spec}: key of {name}: {e}"))
}

#[test]
fn conformance_storage_keys_equal_the_localnet_builders() {
    let Some(blocks) = finney_blocks() else {
        return;
    };
    let (hotkey, coldkey, uid) = (AccountId32(HOTKEY), AccountId32(COLDKEY), 41u16);
    for (spec, at) in &blocks {
        let s = *spec;
        assert_eq!(
            blob_key(s, at, SYSTEM_ACCOUNT, (COLDKEY,)),
            account_key(&coldkey),
            "spec {s}: System.Account"
        );
        assert_eq!(
            blob_key(s, at, SUBTENSOR_UIDS, (NETUID, HOTKEY)),
            UIDS.key(&(NETUID, hotkey)),
            "spec {s}: Uids"
        );
        assert_eq!(
            blob_key(s, at, SUBTENSOR_KEYS, (NETUID, uid)),
            KEYS.key(&(NETUID, uid)),
            "spec {s}: Keys"
        );
        assert_eq!(
            blob_key(s, at, SUBTENSOR_AXONS, (NETUID, HOTKEY)),
            AXONS.key(&(NETUID, hotkey)),
            "spec {s}: Axons"
        );
        assert_eq!(
            blob_key(s, at, SUBTENSOR_BURN, (NETUID,)),
            BURN.key(&NETUID),
            "spec {s}: Burn"
        );
        assert_eq!(
            blob_key(s, at, SUBTENSOR_WEIGHTS, (NETUID, uid)),
            WEIGHTS.key(&(NETUID, uid)),
            "spec {s}: Weights"
        );

        // The localnet's commitments pallet reads exactly what sits at finney's key (its key
        // builder is private to it), and nothing at another hotkey's.
        let commitment_key = blob_key(s, at, COMMITMENTS_COMMITMENT_OF, (NETUID, HOTKEY));
        let stored = Registration {
            deposit: 0,
            block: 77,
            info: sample_commitment().to_info(),
        };
        let mut state = MemoryState::default();
        state.0.insert(commitment_key.clone(), stored.encode());
        assert_eq!(
            commitment_of(&state, NETUID, &hotkey).ok().flatten(),
            Some(stored),
            "spec {s}: CommitmentOf"
        );
        assert_eq!(
            commitment_of(&state, NETUID, &coldkey).ok().flatten(),
            None,
            "spec {s}: CommitmentOf of another account"
        );
        // The listing iterates under `(netuid,)`: the blob's prefix of those keys.
        for (item, full) in [
            (COMMITMENTS_COMMITMENT_OF, commitment_key),
            (SUBTENSOR_UIDS, UIDS.key(&(NETUID, hotkey))),
        ] {
            let prefix = at
                .storage()
                .entry(address::<(u16, [u8; 32])>(item))
                .and_then(|entry| entry.iter_key((NETUID,)))
                .unwrap_or_else(|e| panic!("spec {s}: iteration key of {item:?}: {e}"));
            assert_eq!(prefix.len(), 32 + 2, "spec {s}: {item:?}");
            assert!(full.starts_with(&prefix), "spec {s}: {item:?}");
        }
    }
}

#[test]
fn conformance_keys_with_the_wrong_shape_are_refused_by_the_blob() {
    let Some(blocks) = finney_blocks() else {
        return;
    };
    for (spec, at) in &blocks {
        // `Uids` takes (netuid, hotkey): one key part is not a full key.
        let refused = at
            .storage()
            .entry(address::<(u16,)>(SUBTENSOR_UIDS))
            .and_then(|entry| entry.fetch_key((NETUID,)));
        assert!(
            refused.is_err(),
            "spec {spec}: a one-part Uids key was accepted"
        );
        // A call argument of the wrong name does not encode.
        let wrong = subxt::dynamic::transaction(
            SUBTENSOR_BURNED_REGISTER.owner(),
            SUBTENSOR_BURNED_REGISTER.name(),
            Value::named_composite([
                ("netuid", Value::u128(1)),
                ("hot_key", Value::from_bytes(HOTKEY)),
            ]),
        );
        assert!(at.tx().call_data(&wrong).is_err(), "spec {spec}");
    }
}
