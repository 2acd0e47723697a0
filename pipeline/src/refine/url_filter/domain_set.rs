//! A compact, immutable set of strings for the 4.5 M-entry UT1 domain list.
//!
//! Sorted, deduplicated entries are front-coded in blocks of `BLOCK_LEN`: each block starts with
//! one entry in full, the others store only how many leading bytes they share with the previous
//! entry and the bytes that differ. A lookup binary-searches the blocks by their first entry and
//! decodes at most one block. The real list (4.5 M domains, 118 MB of text) takes 32 MiB and
//! builds in about a second in a release build (`ut1_load_cost` in the parent module measures it).
//!
//! Layout of `data`: per entry, LEB128 `shared` (0 for a block's first entry), LEB128 `len` of the
//! rest, then those bytes.

/// Entries per front-coded block.
const BLOCK_LEN: usize = 16;

/// Why a set could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainSetError {
    /// The encoded data would not fit 32-bit block offsets.
    #[error("domain list too large: {bytes} encoded bytes exceed the 4 GiB limit")]
    TooLarge {
        /// Encoded size reached.
        bytes: usize,
    },
}

/// An immutable set of byte strings, front-coded (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct DomainSet {
    data: Vec<u8>,
    /// Offset in `data` of each block's first entry.
    blocks: Vec<u32>,
    len: usize,
}

impl DomainSet {
    /// Builds the set from entries in any order; duplicates collapse.
    pub fn from_entries<'a>(
        entries: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, DomainSetError> {
        let mut sorted: Vec<&[u8]> = entries.into_iter().map(str::as_bytes).collect();
        // Stable sort: the UT1 list is almost sorted already, which merge-based sorting exploits.
        sorted.sort();
        sorted.dedup();
        let mut set = Self {
            data: Vec::new(),
            blocks: Vec::with_capacity(sorted.len().div_ceil(BLOCK_LEN)),
            len: sorted.len(),
        };
        let mut previous: &[u8] = &[];
        for (index, entry) in sorted.iter().enumerate() {
            let shared = if index % BLOCK_LEN == 0 {
                let offset =
                    u32::try_from(set.data.len()).map_err(|_| DomainSetError::TooLarge {
                        bytes: set.data.len(),
                    })?;
                set.blocks.push(offset);
                0
            } else {
                common_prefix(previous, entry)
            };
            let rest = entry.get(shared..).unwrap_or_default();
            push_leb128(&mut set.data, shared);
            push_leb128(&mut set.data, rest.len());
            set.data.extend_from_slice(rest);
            previous = entry;
        }
        set.data.shrink_to_fit();
        Ok(set)
    }

    /// Number of distinct entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the set holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes of heap memory the set holds.
    pub fn heap_bytes(&self) -> usize {
        self.data.capacity() + self.blocks.capacity() * size_of::<u32>()
    }

    /// Whether `key` is in the set.
    pub fn contains(&self, key: &str) -> bool {
        let key = key.as_bytes();
        // The last block whose first entry is <= key.
        let after = self
            .blocks
            .partition_point(|&offset| self.first_entry(offset).is_some_and(|first| first <= key));
        let Some(block) = after.checked_sub(1) else {
            return false;
        };
        let Some(&start) = self.blocks.get(block) else {
            return false;
        };
        let mut cursor = start as usize;
        let mut entry: Vec<u8> = Vec::with_capacity(key.len() + 16);
        for _ in 0..BLOCK_LEN {
            let Some((shared, rest, next)) = self.decode(cursor) else {
                return false;
            };
            entry.truncate(shared);
            entry.extend_from_slice(rest);
            match entry.as_slice().cmp(key) {
                std::cmp::Ordering::Equal => return true,
                std::cmp::Ordering::Greater => return false,
                std::cmp::Ordering::Less => cursor = next,
            }
            if cursor >= self.data.len() {
                return false;
            }
        }
        false
    }

    /// A block's first entry, stored whole.
    fn first_entry(&self, offset: u32) -> Option<&[u8]> {
        self.decode(offset as usize).map(|(_, rest, _)| rest)
    }

    /// The entry at `cursor`: (shared prefix length, differing bytes, offset of the next entry).
    fn decode(&self, cursor: usize) -> Option<(usize, &[u8], usize)> {
        let (shared, cursor) = read_leb128(&self.data, cursor)?;
        let (len, cursor) = read_leb128(&self.data, cursor)?;
        let end = cursor.checked_add(len)?;
        let rest = self.data.get(cursor..end)?;
        Some((shared, rest, end))
    }
}

/// Length of the common prefix, eight bytes at a time (the build compares 4.5 M neighbours).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let limit = a.len().min(b.len());
    let word = |bytes: &[u8], at: usize| {
        bytes
            .get(at..at + 8)
            .and_then(|chunk| <[u8; 8]>::try_from(chunk).ok())
            .map(u64::from_le_bytes)
    };
    let mut at = 0;
    while at + 8 <= limit {
        let (Some(x), Some(y)) = (word(a, at), word(b, at)) else {
            break;
        };
        let differ = x ^ y;
        if differ != 0 {
            // Little-endian: the lowest set bit lies in the first differing byte.
            return at + (differ.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + a
        .get(at..limit)
        .unwrap_or_default()
        .iter()
        .zip(b.get(at..limit).unwrap_or_default())
        .take_while(|(x, y)| x == y)
        .count()
}

fn push_leb128(out: &mut Vec<u8>, mut value: usize) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read_leb128(data: &[u8], mut cursor: usize) -> Option<(usize, usize)> {
    let mut value: usize = 0;
    for shift in (0..usize::BITS).step_by(7) {
        let byte = *data.get(cursor)?;
        cursor += 1;
        value |= usize::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some((value, cursor));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(entries: &[&str]) -> DomainSet {
        match DomainSet::from_entries(entries.iter().copied()) {
            Ok(set) => set,
            Err(error) => panic!("{error}"),
        }
    }

    #[test]
    fn finds_every_entry_and_nothing_else() {
        // Enough entries for several blocks, with long shared prefixes and a long entry.
        let mut owned: Vec<String> = (0..100).map(|i| format!("sub{i:03}.example.com")).collect();
        owned.push("a".repeat(300));
        owned.push("zzz.org".into());
        owned.push("sub050.example.com".into()); // duplicate
        let entries: Vec<&str> = owned.iter().map(String::as_str).collect();
        let set = build(&entries);
        assert_eq!(set.len(), 102);
        for entry in &entries {
            assert!(set.contains(entry), "{entry}");
        }
        for absent in [
            "",
            "sub050.example.co",
            "sub050.example.comm",
            "sub1000.example.com",
            "0.com",
            "zzzz",
            "sub099.example.com.",
        ] {
            assert!(!set.contains(absent), "{absent}");
        }
    }

    #[test]
    fn empty_set_and_empty_entry() {
        let empty = build(&[]);
        assert!(empty.is_empty() && !empty.contains("") && !empty.contains("a.com"));
        let with_blank = build(&["", "b.com"]);
        assert!(
            with_blank.contains("") && with_blank.contains("b.com") && !with_blank.contains("a")
        );
    }

    #[test]
    fn common_prefix_lengths() {
        let cases: [(&[u8], &[u8], usize); 7] = [
            (b"", b"abc", 0),
            (b"abc", b"abd", 2),
            (b"abcdefgh", b"abcdefgh", 8),
            (b"abcdefghij", b"abcdefghiz", 9),
            (b"abcdefgXij", b"abcdefghij", 7),
            (b"0123456789abcdefg", b"0123456789abcdefh", 16),
            (b"short", b"shorter", 5),
        ];
        for (a, b, expected) in cases {
            assert_eq!(common_prefix(a, b), expected, "{a:?} {b:?}");
            assert_eq!(common_prefix(b, a), expected, "{b:?} {a:?}");
        }
    }

    #[test]
    fn leb128_round_trips() {
        for value in [0usize, 1, 127, 128, 300, 16_384, usize::MAX >> 1] {
            let mut out = Vec::new();
            push_leb128(&mut out, value);
            assert_eq!(read_leb128(&out, 0), Some((value, out.len())));
        }
        assert_eq!(read_leb128(&[0x80, 0x80], 0), None);
    }
}
