//! Block headers and bodies as substrate lays them out, with the localnet's roots.
//!
//! **Header** (`sp_runtime::generic::Header<u32, BlakeTwo256>`), SCALE in field order:
//! `parent_hash: H256`, `number: Compact<u32>`, `state_root: H256`, `extrinsics_root: H256`,
//! `digest: Vec<DigestItem>`. The block hash is `blake2_256(SCALE(header))`.
//!
//! **Digest items** use substrate's tags: `Other(Vec<u8>)` = 0, `Consensus(engine, data)` = 4,
//! `Seal(engine, data)` = 5, `PreRuntime(engine, data)` = 6, `RuntimeEnvironmentUpdated` = 8.
//! Every localnet block carries `PreRuntime(*b"aura", SCALE(slot: u64))` as finney's Aura blocks
//! do, with `slot = timestamp_ms / block_time_ms` (Aura's slot duration is the block time). The
//! localnet has no authority key, so there is no `Seal`.
//!
//! **Roots.** The localnet keeps no Merkle trie, so its roots are deterministic commitments,
//! not trie roots (no client nya serves verifies storage proofs):
//! - `extrinsics_root = blake2_256(SCALE(Vec<Vec<u8>>))` of the block's extrinsics. For an empty
//!   body this is `blake2_256([0])`, which happens to equal substrate's empty-trie root.
//! - `state_root = blake2_256(parent_state_root ++ SCALE(changes))`, where `changes` is the
//!   block's sorted `BTreeMap<key, Option<value>>` (`None` = deleted): a hash chain over every
//!   state change since genesis, whose parent root is all zeroes.
//!
//! **JSON** is substrate's RPC shape: hashes and byte strings as `0x` hex, the number as minimal
//! `0x` hex (`"0x0"`, `"0x1a"`), each digest log as the hex of its SCALE encoding, and a signed
//! block as `{"block":{"header":…,"extrinsics":["0x…"]},"justifications":null}`, where each
//! extrinsic is its full encoding (compact length prefix included: what
//! `author_submitExtrinsic` takes and what the extrinsic hash covers).

use std::collections::BTreeMap;

use nya_metadata::runtime::types::H256;
use parity_scale_codec::{Decode, DecodeAll, Encode};
use serde::de::{Error as _, IgnoredAny};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sp_crypto_hashing::blake2_256;

/// Aura's consensus engine id.
pub const AURA_ENGINE_ID: [u8; 4] = *b"aura";

/// One digest log (`sp_runtime::generic::DigestItem`), with substrate's SCALE tags.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum DigestItem {
    /// Anything else the runtime wants in the header.
    #[codec(index = 0)]
    Other(Vec<u8>),
    /// A message from the runtime to a consensus engine.
    #[codec(index = 4)]
    Consensus([u8; 4], Vec<u8>),
    /// A block seal by a consensus engine (an authority signature).
    #[codec(index = 5)]
    Seal([u8; 4], Vec<u8>),
    /// Data a consensus engine put in before the runtime ran (Aura's slot).
    #[codec(index = 6)]
    PreRuntime([u8; 4], Vec<u8>),
    /// The runtime code or heap pages changed in this block (a runtime upgrade).
    #[codec(index = 8)]
    RuntimeEnvironmentUpdated,
}

impl DigestItem {
    /// Aura's pre-runtime item for `slot`: `PreRuntime(*b"aura", SCALE(slot u64))`.
    pub fn aura_pre_runtime(slot: u64) -> DigestItem {
        DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())
    }
}

/// The Aura slot of a block produced at `timestamp_ms` with `block_time_ms` blocks (Aura's slot
/// duration is the block time). A block time of 0 is treated as 1 ms.
pub fn aura_slot(timestamp_ms: u64, block_time_ms: u64) -> u64 {
    timestamp_ms / block_time_ms.max(1)
}

/// A header's digest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode)]
pub struct Digest {
    /// The logs, in order.
    pub logs: Vec<DigestItem>,
}

impl Digest {
    /// The slot in the first Aura pre-runtime item, if there is one that decodes.
    pub fn aura_slot(&self) -> Option<u64> {
        self.logs.iter().find_map(|item| match item {
            DigestItem::PreRuntime(engine, data) if *engine == AURA_ENGINE_ID => {
                u64::decode_all(&mut data.as_slice()).ok()
            }
            _ => None,
        })
    }
}

/// A block header (`sp_runtime::generic::Header<u32, BlakeTwo256>`).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Header {
    /// Hash of the parent block; all zeroes for genesis.
    pub parent_hash: H256,
    /// Block number.
    #[codec(compact)]
    pub number: u32,
    /// See the module doc: a hash chain over state changes, not a trie root.
    pub state_root: H256,
    /// See the module doc: blake2 of the SCALE extrinsics list, not a trie root.
    pub extrinsics_root: H256,
    /// Digest logs.
    pub digest: Digest,
}

impl Header {
    /// The block hash: blake2_256 of the SCALE header.
    pub fn hash(&self) -> H256 {
        H256(blake2_256(&self.encode()))
    }
}

/// `blake2_256(SCALE(Vec<Vec<u8>>))` of the block's extrinsics (see the module doc).
pub fn extrinsics_root(extrinsics: &[Vec<u8>]) -> H256 {
    H256(blake2_256(&extrinsics.encode()))
}

/// `blake2_256(parent_state_root ++ SCALE(changes))` (see the module doc). Genesis passes an
/// all-zero parent root and its whole state as changes.
pub fn state_root(parent_state_root: &H256, changes: &BTreeMap<Vec<u8>, Option<Vec<u8>>>) -> H256 {
    let mut preimage = parent_state_root.0.to_vec();
    changes.encode_to(&mut preimage);
    H256(blake2_256(&preimage))
}

/// A block: header and extrinsics (each its full encoding, length prefix included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// The header.
    pub header: Header,
    /// The extrinsics, in order.
    pub extrinsics: Vec<Vec<u8>>,
}

/// What `chain_getBlock` returns. Localnet blocks are final at once, without justifications,
/// so `justifications` is always `null`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedBlock {
    /// The block.
    pub block: Block,
}

/// A JSON block or header that is not in substrate's shape.
#[derive(Debug, thiserror::Error)]
#[error("block JSON field `{field}`: {reason}")]
pub struct BlockJsonError {
    /// The field, e.g. `digest.logs[1]`.
    pub field: String,
    /// What was wrong.
    pub reason: String,
}

fn json_error(field: impl Into<String>, reason: impl Into<String>) -> BlockJsonError {
    BlockJsonError {
        field: field.into(),
        reason: reason.into(),
    }
}

/// `0x` + lowercase hex of a hash.
pub fn hash_to_hex(hash: &H256) -> String {
    bytes_to_hex(&hash.0)
}

/// `0x` + lowercase hex.
pub fn bytes_to_hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// Parses `0x`-prefixed hex bytes; `field` names the input in the error.
pub fn bytes_from_hex(text: &str, field: &str) -> Result<Vec<u8>, BlockJsonError> {
    let digits = text
        .strip_prefix("0x")
        .ok_or_else(|| json_error(field, format!("{text:?} does not start with 0x")))?;
    hex::decode(digits).map_err(|e| json_error(field, format!("{text:?} is not hex: {e}")))
}

/// Parses a `0x`-prefixed 32-byte hash; `field` names the input in the error.
pub fn hash_from_hex(text: &str, field: &str) -> Result<H256, BlockJsonError> {
    let bytes = bytes_from_hex(text, field)?;
    let array: [u8; 32] = bytes
        .try_into()
        .map_err(|b: Vec<u8>| json_error(field, format!("{} bytes, expected 32", b.len())))?;
    Ok(H256(array))
}

/// Parses a block number in `0x` hex (what substrate writes; leading zeros are accepted).
fn number_from_hex(text: &str, field: &str) -> Result<u32, BlockJsonError> {
    let digits = text
        .strip_prefix("0x")
        .ok_or_else(|| json_error(field, format!("{text:?} does not start with 0x")))?;
    if digits.is_empty() {
        return Err(json_error(field, "no hex digits after 0x"));
    }
    u32::from_str_radix(digits, 16)
        .map_err(|e| json_error(field, format!("{text:?} is not a u32 in hex: {e}")))
}

#[derive(Serialize, Deserialize)]
struct DigestJson {
    logs: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HeaderJson {
    parent_hash: String,
    number: String,
    state_root: String,
    extrinsics_root: String,
    digest: DigestJson,
}

impl From<&Header> for HeaderJson {
    fn from(header: &Header) -> HeaderJson {
        HeaderJson {
            parent_hash: hash_to_hex(&header.parent_hash),
            number: format!("{:#x}", header.number),
            state_root: hash_to_hex(&header.state_root),
            extrinsics_root: hash_to_hex(&header.extrinsics_root),
            digest: DigestJson {
                logs: header
                    .digest
                    .logs
                    .iter()
                    .map(|item| bytes_to_hex(&item.encode()))
                    .collect(),
            },
        }
    }
}

impl TryFrom<HeaderJson> for Header {
    type Error = BlockJsonError;

    fn try_from(json: HeaderJson) -> Result<Header, BlockJsonError> {
        let mut logs = Vec::with_capacity(json.digest.logs.len());
        for (i, text) in json.digest.logs.iter().enumerate() {
            let field = format!("digest.logs[{i}]");
            let bytes = bytes_from_hex(text, &field)?;
            let item = DigestItem::decode_all(&mut bytes.as_slice())
                .map_err(|e| json_error(&field, format!("not a SCALE digest item: {e}")))?;
            logs.push(item);
        }
        Ok(Header {
            parent_hash: hash_from_hex(&json.parent_hash, "parentHash")?,
            number: number_from_hex(&json.number, "number")?,
            state_root: hash_from_hex(&json.state_root, "stateRoot")?,
            extrinsics_root: hash_from_hex(&json.extrinsics_root, "extrinsicsRoot")?,
            digest: Digest { logs },
        })
    }
}

impl Serialize for Header {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        HeaderJson::from(self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Header {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Header, D::Error> {
        let json = HeaderJson::deserialize(deserializer)?;
        Header::try_from(json).map_err(D::Error::custom)
    }
}

#[derive(Serialize)]
struct BlockJsonOut<'a> {
    header: &'a Header,
    extrinsics: Vec<String>,
}

#[derive(Deserialize)]
struct BlockJsonIn {
    header: Header,
    extrinsics: Vec<String>,
}

impl Serialize for Block {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        BlockJsonOut {
            header: &self.header,
            extrinsics: self.extrinsics.iter().map(|x| bytes_to_hex(x)).collect(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Block {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Block, D::Error> {
        let json = BlockJsonIn::deserialize(deserializer)?;
        let extrinsics = json
            .extrinsics
            .iter()
            .enumerate()
            .map(|(i, text)| bytes_from_hex(text, &format!("extrinsics[{i}]")))
            .collect::<Result<Vec<_>, _>>()
            .map_err(D::Error::custom)?;
        Ok(Block {
            header: json.header,
            extrinsics,
        })
    }
}

#[derive(Serialize)]
struct SignedBlockJsonOut<'a> {
    block: &'a Block,
    justifications: Option<()>,
}

#[derive(Deserialize)]
struct SignedBlockJsonIn {
    block: Block,
    #[serde(default)]
    justifications: Option<IgnoredAny>,
}

impl Serialize for SignedBlock {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SignedBlockJsonOut {
            block: &self.block,
            justifications: None,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SignedBlock {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SignedBlock, D::Error> {
        let json = SignedBlockJsonIn::deserialize(deserializer)?;
        if json.justifications.is_some() {
            return Err(D::Error::custom(json_error(
                "justifications",
                "must be null: localnet blocks carry no justifications",
            )));
        }
        Ok(SignedBlock { block: json.block })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn h(byte: u8) -> H256 {
        H256([byte; 32])
    }

    fn sample_header() -> Header {
        Header {
            parent_hash: h(0x11),
            number: 31,
            state_root: h(0x22),
            extrinsics_root: h(0x33),
            digest: Digest {
                logs: vec![
                    DigestItem::aura_pre_runtime(0x0102_0304_0506_0708),
                    DigestItem::RuntimeEnvironmentUpdated,
                ],
            },
        }
    }

    /// The header's SCALE bytes, written out by hand from the layout in the module doc.
    fn sample_header_scale() -> Vec<u8> {
        let mut bytes = vec![0x11; 32];
        bytes.push(31 << 2); // compact u32, single-byte mode
        bytes.extend([0x22; 32]);
        bytes.extend([0x33; 32]);
        bytes.push(2 << 2); // two logs
        bytes.extend([6, b'a', b'u', b'r', b'a', 8 << 2]); // PreRuntime, "aura", 8 bytes
        bytes.extend([8, 7, 6, 5, 4, 3, 2, 1]); // slot, u64 little endian
        bytes.push(8); // RuntimeEnvironmentUpdated
        bytes
    }

    #[test]
    fn header_scale_and_hash_match_the_hand_built_bytes() {
        let header = sample_header();
        let scale = sample_header_scale();
        assert_eq!(header.encode(), scale);
        assert_eq!(header.hash(), H256(blake2_256(&scale)));
        assert_eq!(Header::decode_all(&mut scale.as_slice()).unwrap(), header);
        assert_eq!(header.digest.aura_slot(), Some(0x0102_0304_0506_0708));
    }

    #[test]
    fn header_json_built_from_scale_decodes_and_hashes() {
        // The JSON is assembled from hand-written SCALE pieces, not from the serialiser.
        let scale = sample_header_scale();
        let pre_runtime = &scale[32 + 1 + 64 + 1..32 + 1 + 64 + 1 + 14];
        let text = json!({
            "parentHash": format!("0x{}", "11".repeat(32)),
            "number": "0x1f",
            "stateRoot": format!("0x{}", "22".repeat(32)),
            "extrinsicsRoot": format!("0x{}", "33".repeat(32)),
            "digest": {"logs": [format!("0x{}", hex::encode(pre_runtime)), "0x08"]},
        });
        let header: Header = serde_json::from_value(text.clone()).unwrap();
        assert_eq!(header.hash(), H256(blake2_256(&scale)));
        assert_eq!(serde_json::to_value(&header).unwrap(), text);
    }

    /// Real headers from public chains (as `chain_getHeader` returned them) and their hashes:
    /// exercises PreRuntime, Consensus and Seal items and multi-byte compact numbers.
    #[test]
    fn real_substrate_headers_hash_to_their_known_hashes() {
        let cases = [
            (
                json!({
                    "parentHash": "0x0000000000000000000000000000000000000000000000000000000000000000",
                    "number": "0x0",
                    "stateRoot": "0x29d0d972cd27cbc511e9589fcb7a4506d5eb6a9e8df205f00472e5ab354a4e17",
                    "extrinsicsRoot": "0x03170a2e7597b7b7e3d84c05391d139a62b157e78786d8c082f29dcf4c111314",
                    "digest": {"logs": []}
                }),
                "0x91b171bb158e2d3848fa23a9f1c25182fb8e20313b2c1eb49219da7a70ce90c3",
            ),
            (
                json!({
                    "parentHash": "0x3f25d04a0bc013690449554f2fdf93cd5db67be4a54282edc8bab8fc812c12f2",
                    "number": "0xc7bc72",
                    "stateRoot": "0x6d6e099ed4d7264dbe85e5b957768685d5301c8aa6446bba5b6aeaa46966accf",
                    "extrinsicsRoot": "0x0dc76f4c9edd6695dd390b3a609c28aa65c41ee4da060a09530d7c8bb063fd41",
                    "digest": {"logs": [
                        "0x0642414245b501030b0000003d638f10000000008432a99fa96f6fbee0dabdb01d2201e8e61bc1b0b4852340ee9f179db66507364a916e56341350e2a426aae6075d4ea966c73ab522f6d5b3001137a2c71b600164ab70e127c531d798eadd44da7e63e4e77904f8d15f580d1123f495a8fc1700",
                        "0x0542414245010152fd10b29fafa11a76c50119261534c8c820884c5bd917bd2ff00343ded0ef1b759dc0866a12d9d3fa1373662ee45ac3ed7d2ac585be57035b47b353c8cc8586"
                    ]}
                }),
                "0x89f3078e21bacfecb8f892b43f995695f2ae28bc198d67e9e775756a524945be",
            ),
            (
                json!({
                    "parentHash": "0xd0bab120ed5de3bbd2cddfd7839a5eb045171988f53a6a51409b47ae96092e9a",
                    "number": "0x1c45a9f",
                    "stateRoot": "0x320b04be81a87d5c6ceed6c40b933135373cdee52c7abab66ebadbd254fc3c49",
                    "extrinsicsRoot": "0xcddf78abdf0cf9eafd030accb10fd09255a23e7a27a79a715976efc87f56b860",
                    "digest": {"logs": [
                        "0x0642414245b50103110000009089951100000000484aca2d37ff7c027f36cfa05c61e96d727cf8f05d607718aac471fc4adf4c2b3ee9fa490164f3940f0f8811ededfb3ca41cee8352de675739c02244ab4a5400f20ba9f17802860380d545f6a31b8f473568871616542843af74a4f50d417901",
                        "0x04424545468403fec302a6aba3ca535e4a1728789828bce6e662984b02dab84b73877c329abeae",
                        "0x05424142450101ee5f00146ee70997c7e4c4043a82c39fa75fb377182d71f5101382e1cf68f144ca73c2383f315fbe95aeaa5c7b9130164b1141dce7c234b81eb8c2d719259d8d"
                    ]}
                }),
                "0x524660d2802956c072ce112b5220ea6137cab900a87a806caf7d46ac0f225e42",
            ),
        ];
        for (text, hash) in cases {
            let header: Header = serde_json::from_value(text.clone()).unwrap();
            assert_eq!(hash_to_hex(&header.hash()), hash);
            assert_eq!(serde_json::to_value(&header).unwrap(), text);
        }
    }

    #[test]
    fn numbers_are_minimal_hex() {
        let mut header = sample_header();
        for (number, text) in [(0, "0x0"), (26, "0x1a"), (u32::MAX, "0xffffffff")] {
            header.number = number;
            let value = serde_json::to_value(&header).unwrap();
            assert_eq!(value["number"], text);
            let back: Header = serde_json::from_value(value).unwrap();
            assert_eq!(back, header);
        }
    }

    #[test]
    fn signed_block_json_round_trips_in_substrate_shape() {
        let block = SignedBlock {
            block: Block {
                header: sample_header(),
                extrinsics: vec![vec![0x28, 4, 3, 0], vec![]],
            },
        };
        let value = serde_json::to_value(&block).unwrap();
        assert_eq!(value["justifications"], serde_json::Value::Null);
        assert_eq!(value["block"]["extrinsics"], json!(["0x28040300", "0x"]));
        assert_eq!(value["block"]["header"]["number"], "0x1f");
        assert_eq!(
            value["block"]["header"]["digest"]["logs"][0],
            "0x0661757261200807060504030201"
        );
        let back: SignedBlock = serde_json::from_value(value).unwrap();
        assert_eq!(back, block);
    }

    #[test]
    fn malformed_json_is_refused_with_the_field_named() {
        let good = serde_json::to_value(sample_header()).unwrap();
        let cases = [
            ("parentHash", json!("0x1234"), "parentHash"),
            ("stateRoot", json!("22".repeat(32)), "stateRoot"),
            ("number", json!("0x"), "number"),
            ("number", json!("0x100000000"), "number"),
            (
                "extrinsicsRoot",
                json!(format!("0x{}", "zz".repeat(32))),
                "extrinsicsRoot",
            ),
        ];
        for (field, bad, named) in cases {
            let mut value = good.clone();
            value[field] = bad;
            let err = serde_json::from_value::<Header>(value).unwrap_err();
            assert!(err.to_string().contains(named), "{err}");
        }
        for (log, why) in [
            ("0x09", "unknown digest tag"),
            ("0x0861", "trailing bytes"),
            ("0x06617572", "truncated engine id"),
        ] {
            let mut value = good.clone();
            value["digest"]["logs"] = json!([log]);
            let err = serde_json::from_value::<Header>(value).unwrap_err();
            assert!(err.to_string().contains("digest.logs[0]"), "{why}: {err}");
        }
        let signed = json!({
            "block": {"header": good, "extrinsics": ["0x00"]},
            "justifications": [["FRNK", "0x00"]],
        });
        let err = serde_json::from_value::<SignedBlock>(signed).unwrap_err();
        assert!(err.to_string().contains("justifications"), "{err}");
        let bad_extrinsic = json!({
            "block": {"header": good, "extrinsics": ["0x00", "00"]},
            "justifications": null,
        });
        let err = serde_json::from_value::<SignedBlock>(bad_extrinsic).unwrap_err();
        assert!(err.to_string().contains("extrinsics[1]"), "{err}");
    }

    #[test]
    fn roots_are_deterministic_commitments() {
        // Empty body: blake2_256([0]), which equals substrate's empty-trie root.
        assert_eq!(
            hash_to_hex(&extrinsics_root(&[])),
            "0x03170a2e7597b7b7e3d84c05391d139a62b157e78786d8c082f29dcf4c111314"
        );
        let xts = vec![vec![1, 2], vec![3]];
        assert_eq!(extrinsics_root(&xts), H256(blake2_256(&[8, 8, 1, 2, 4, 3])));
        assert_ne!(
            extrinsics_root(&xts),
            extrinsics_root(&[vec![3], vec![1, 2]])
        );

        let mut changes = BTreeMap::new();
        changes.insert(vec![0xaa], Some(vec![1]));
        changes.insert(vec![0xbb], None);
        let mut preimage = vec![0x44; 32];
        preimage.extend([8, 4, 0xaa, 1, 4, 1, 4, 0xbb, 0]);
        assert_eq!(state_root(&h(0x44), &changes), H256(blake2_256(&preimage)));
        // The parent root is chained in.
        assert_ne!(
            state_root(&h(0x44), &changes),
            state_root(&h(0x45), &changes)
        );
    }

    #[test]
    fn aura_slot_is_timestamp_over_block_time() {
        assert_eq!(aura_slot(1_700_000_000_250, 250), 6_800_000_001);
        assert_eq!(aura_slot(24_000, 12_000), 2);
        assert_eq!(aura_slot(5, 0), 5);
        let digest = Digest {
            logs: vec![
                DigestItem::PreRuntime(*b"BABE", vec![1, 2]),
                DigestItem::aura_pre_runtime(42),
            ],
        };
        assert_eq!(digest.aura_slot(), Some(42));
        assert_eq!(Digest::default().aura_slot(), None);
    }
}
