//! Storage as the runtime sees it: raw keys and SCALE values, the way a substrate trie holds
//! them, plus the key hashing the metadata's hashers name.
//!
//! - [`StorageRead`]: read access at one block (the store's snapshot, or an overlay on it).
//! - [`Overlay`]: the changes one block makes on top of its parent's state, with one nested
//!   layer per extrinsic so that a failed call rolls back its own writes but keeps the fee and
//!   nonce bump the chain charged before dispatch.
//! - [`key`]: storage key builders (`twox128(pallet) ++ twox128(entry) ++ hashed keys`).

use std::collections::BTreeMap;
use std::ops::Bound;

use parity_scale_codec::{Decode, Encode};

/// Read access to the state at one block.
pub trait StorageRead {
    /// The value at `key`, if any.
    fn get(&self, key: &[u8]) -> Option<Vec<u8>>;

    /// The first key strictly after `key` (in byte order), if any. Used to walk prefixes.
    fn next_key(&self, key: &[u8]) -> Option<Vec<u8>>;

    /// Every `(key, value)` whose key starts with `prefix`, in key order.
    fn prefix_pairs(&self, prefix: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut out = Vec::new();
        let mut cursor = prefix.to_vec();
        // `prefix` itself may hold a value (a plain entry); next_key is strictly after it.
        if let Some(value) = self.get(&cursor) {
            out.push((cursor.clone(), value));
        }
        while let Some(next) = self.next_key(&cursor) {
            if !next.starts_with(prefix) {
                break;
            }
            if let Some(value) = self.get(&next) {
                out.push((next.clone(), value));
            }
            cursor = next;
        }
        out
    }
}

/// A value that was in storage but did not decode as its declared type. The runtime turns it
/// into `DispatchError::Corruption`; it can only happen if the store itself was damaged.
#[derive(Debug, thiserror::Error)]
#[error("storage value at 0x{key} does not decode as {type_name}: {reason}")]
pub struct CorruptValue {
    /// The key, hex.
    pub key: String,
    /// The declared value type.
    pub type_name: &'static str,
    /// The codec's message.
    pub reason: String,
}

/// Decodes the value at `key` as `T`, or `None` when the key is empty.
pub fn get_decoded<T: Decode>(
    state: &(impl StorageRead + ?Sized),
    key: &[u8],
) -> Result<Option<T>, CorruptValue> {
    let Some(bytes) = state.get(key) else {
        return Ok(None);
    };
    T::decode(&mut bytes.as_slice())
        .map(Some)
        .map_err(|e| CorruptValue {
            key: hex::encode(key),
            type_name: std::any::type_name::<T>(),
            reason: e.to_string(),
        })
}

/// Decodes the value at `key` as `T`, or `T::default()` when empty (a `ValueQuery` entry whose
/// default is `T::default()`).
pub fn get_or_default<T: Decode + Default>(
    state: &(impl StorageRead + ?Sized),
    key: &[u8],
) -> Result<T, CorruptValue> {
    Ok(get_decoded(state, key)?.unwrap_or_default())
}

/// The changes made on top of a base state: committed ones (earlier extrinsics of this block)
/// and the open layer of the extrinsic being applied. `None` marks a deletion.
pub struct Overlay<'a> {
    base: &'a dyn StorageRead,
    committed: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    layer: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

impl<'a> Overlay<'a> {
    /// An empty overlay on `base`.
    pub fn new(base: &'a dyn StorageRead) -> Overlay<'a> {
        Overlay {
            base,
            committed: BTreeMap::new(),
            layer: BTreeMap::new(),
        }
    }

    /// Writes `value` (already SCALE-encoded) at `key`.
    pub fn set_raw(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.layer.insert(key, Some(value));
    }

    /// Encodes and writes `value` at `key`.
    pub fn set<T: Encode>(&mut self, key: Vec<u8>, value: &T) {
        self.set_raw(key, value.encode());
    }

    /// Deletes `key`.
    pub fn remove(&mut self, key: Vec<u8>) {
        self.layer.insert(key, None);
    }

    /// Keeps the open layer's writes (the extrinsic succeeded, or the writes are
    /// unconditional such as fee payment and the nonce bump).
    pub fn commit_layer(&mut self) {
        let layer = std::mem::take(&mut self.layer);
        self.committed.extend(layer);
    }

    /// Drops the open layer's writes (the call failed).
    pub fn rollback_layer(&mut self) {
        self.layer.clear();
    }

    /// Every change of the block, committing the open layer first. `None` is a deletion.
    pub fn into_changes(mut self) -> BTreeMap<Vec<u8>, Option<Vec<u8>>> {
        self.commit_layer();
        self.committed
    }

    /// The overlay's own entry for `key`: `Some(None)` when deleted here.
    fn own(&self, key: &[u8]) -> Option<&Option<Vec<u8>>> {
        self.layer.get(key).or_else(|| self.committed.get(key))
    }

    /// First key strictly after `key` in one of the overlay maps (deleted ones included).
    fn own_next(&self, key: &[u8]) -> Option<Vec<u8>> {
        let after = (Bound::Excluded(key.to_vec()), Bound::Unbounded);
        let a = self
            .layer
            .range::<Vec<u8>, _>(after.clone())
            .next()
            .map(|(k, _)| k);
        let b = self
            .committed
            .range::<Vec<u8>, _>(after)
            .next()
            .map(|(k, _)| k);
        match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b).clone()),
            (a, b) => a.or(b).cloned(),
        }
    }
}

impl StorageRead for Overlay<'_> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        match self.own(key) {
            Some(value) => value.clone(),
            None => self.base.get(key),
        }
    }

    fn next_key(&self, key: &[u8]) -> Option<Vec<u8>> {
        // Merge the base's key order with the overlay's, skipping keys the overlay deleted.
        let mut cursor = key.to_vec();
        loop {
            let base = self.base.next_key(&cursor);
            let own = self.own_next(&cursor);
            let candidate = match (base, own) {
                (Some(b), Some(o)) => b.min(o),
                (b, o) => b.or(o)?,
            };
            match self.own(&candidate) {
                Some(None) => cursor = candidate,
                _ => return Some(candidate),
            }
        }
    }
}

/// An in-memory state, sorted by key: genesis building, tests, and the head state cache.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryState(pub BTreeMap<Vec<u8>, Vec<u8>>);

impl MemoryState {
    /// Applies a block's changes.
    pub fn apply(&mut self, changes: &BTreeMap<Vec<u8>, Option<Vec<u8>>>) {
        for (key, value) in changes {
            match value {
                Some(value) => {
                    self.0.insert(key.clone(), value.clone());
                }
                None => {
                    self.0.remove(key);
                }
            }
        }
    }
}

impl StorageRead for MemoryState {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.0.get(key).cloned()
    }

    fn next_key(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.0
            .range::<Vec<u8>, _>((Bound::Excluded(key.to_vec()), Bound::Unbounded))
            .next()
            .map(|(k, _)| k.clone())
    }
}

/// Storage key builders, one function per metadata hasher.
pub mod key {
    use parity_scale_codec::Encode;
    use sp_crypto_hashing::{blake2_128, twox_64, twox_128};

    /// `twox128(pallet) ++ twox128(entry)`: the key of a plain entry, the prefix of a map.
    pub fn prefix(pallet: &str, entry: &str) -> Vec<u8> {
        let mut key = Vec::with_capacity(32 + 48);
        key.extend_from_slice(&twox_128(pallet.as_bytes()));
        key.extend_from_slice(&twox_128(entry.as_bytes()));
        key
    }

    /// `Blake2_128Concat`: 16-byte blake2 of the encoded key, then the key.
    pub fn blake2_128_concat(key: &mut Vec<u8>, part: &impl Encode) {
        let encoded = part.encode();
        key.extend_from_slice(&blake2_128(&encoded));
        key.extend_from_slice(&encoded);
    }

    /// `Twox64Concat`: 8-byte xxhash of the encoded key, then the key.
    pub fn twox_64_concat(key: &mut Vec<u8>, part: &impl Encode) {
        let encoded = part.encode();
        key.extend_from_slice(&twox_64(&encoded));
        key.extend_from_slice(&encoded);
    }

    /// `Identity`: the encoded key as is.
    pub fn identity(key: &mut Vec<u8>, part: &impl Encode) {
        part.encode_to(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> MemoryState {
        let mut state = MemoryState::default();
        for k in [b"a1".to_vec(), b"a3".to_vec(), b"b1".to_vec()] {
            state.0.insert(k.clone(), k);
        }
        state
    }

    #[test]
    fn overlay_reads_through_and_walks_merged_key_order() {
        let base = base();
        let mut overlay = Overlay::new(&base);
        overlay.set_raw(b"a2".to_vec(), b"x".to_vec());
        overlay.remove(b"a3".to_vec());
        overlay.commit_layer();
        overlay.set_raw(b"a4".to_vec(), b"y".to_vec());
        let keys: Vec<_> = overlay
            .prefix_pairs(b"a")
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, vec![b"a1".to_vec(), b"a2".to_vec(), b"a4".to_vec()]);
        assert_eq!(overlay.get(b"a3"), None);
        assert_eq!(overlay.get(b"b1"), Some(b"b1".to_vec()));
    }

    #[test]
    fn rollback_drops_only_the_open_layer() {
        let base = base();
        let mut overlay = Overlay::new(&base);
        overlay.set_raw(b"fee".to_vec(), b"paid".to_vec());
        overlay.commit_layer();
        overlay.set_raw(b"call".to_vec(), b"effect".to_vec());
        overlay.remove(b"a1".to_vec());
        overlay.rollback_layer();
        let changes = overlay.into_changes();
        assert_eq!(changes.len(), 1);
        assert_eq!(
            changes.get(b"fee".as_slice()),
            Some(&Some(b"paid".to_vec()))
        );
    }

    #[test]
    fn system_account_key_matches_the_known_layout() {
        // twox128("System") and twox128("Account") are well-known constants.
        let prefix = key::prefix("System", "Account");
        assert_eq!(
            hex::encode(&prefix),
            "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9"
        );
    }

    #[test]
    fn corrupt_values_are_reported_with_the_key() {
        let mut state = MemoryState::default();
        state.0.insert(vec![1, 2], vec![0xff]);
        let err = get_decoded::<u64>(&state, &[1, 2]).unwrap_err();
        assert!(err.to_string().contains("0x0102"), "{err}");
    }
}
