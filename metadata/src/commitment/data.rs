//! SCALE mirror of `pallet_commitments::types::{Data, CommitmentInfo}` (finney spec 393).
//!
//! `Data` is encoded by hand on chain because the variant index of `Raw` carries its length, so
//! it cannot be derived; this module does the same, byte for byte:
//!
//! | index   | variant                        | after the index byte                     |
//! |---------|--------------------------------|------------------------------------------|
//! | 0       | `None`                         | nothing                                  |
//! | 1..=129 | `Raw0`..`Raw128`               | `index - 1` bytes, no length prefix      |
//! | 130     | `BlakeTwo256`                  | 32 bytes                                 |
//! | 131     | `Sha256`                       | 32 bytes                                 |
//! | 132     | `Keccak256`                    | 32 bytes                                 |
//! | 133     | `ShaThree256`                  | 32 bytes                                 |
//! | 134     | `TimelockEncrypted`            | `Compact<u32>` len ≤ 1024, bytes, u64 LE |
//! | 135     | `ResetBondsFlag`               | nothing                                  |
//! | 136     | `BigRaw`                       | `Compact<u32>` len ≤ 512, bytes          |
//!
//! `CommitmentInfo` is `{ fields: BoundedVec<Data, MaxFields = 3> }`: a `Compact<u32>` count ≤ 3,
//! then the fields. Indices, shapes and `MaxFields` are checked against the spec-393 metadata by
//! a fixture test; the 1024/512 bounds are erased from metadata and come from subtensor's
//! `MAX_TIMELOCK_COMMITMENT_SIZE_BYTES` and `MAX_BIGRAW_COMMITMENT_SIZE_BYTES`.
//!
//! Decoding is strict where the chain is: over-long lengths, unknown indices and non-canonical
//! compact lengths are errors, and [`Data::from_scale`] / [`CommitmentInfo::from_scale`] also
//! refuse trailing bytes. Lengths are checked before anything is allocated.

use std::fmt;

use parity_scale_codec::{Compact, Decode, Encode, EncodeLike, Input, Output};

/// Most fields in one [`CommitmentInfo`] (`Commitments.MaxFields`).
pub const MAX_FIELDS: usize = 3;
/// Longest `Raw` payload.
pub const MAX_RAW_LEN: usize = 128;
/// Longest `BigRaw` payload.
pub const MAX_BIG_RAW_LEN: usize = 512;
/// Longest `TimelockEncrypted` ciphertext.
pub const MAX_TIMELOCK_LEN: usize = 1024;

/// Variant index of `None`.
pub const INDEX_NONE: u8 = 0;
/// Variant index of `Raw0`; `RawN` is at `INDEX_RAW0 + N`.
pub const INDEX_RAW0: u8 = 1;
/// Variant index of `BlakeTwo256`.
pub const INDEX_BLAKE_TWO_256: u8 = 130;
/// Variant index of `Sha256`.
pub const INDEX_SHA256: u8 = 131;
/// Variant index of `Keccak256`.
pub const INDEX_KECCAK256: u8 = 132;
/// Variant index of `ShaThree256`.
pub const INDEX_SHA_THREE_256: u8 = 133;
/// Variant index of `TimelockEncrypted`.
pub const INDEX_TIMELOCK_ENCRYPTED: u8 = 134;
/// Variant index of `ResetBondsFlag`.
pub const INDEX_RESET_BONDS_FLAG: u8 = 135;
/// Variant index of `BigRaw`.
pub const INDEX_BIG_RAW: u8 = 136;

/// A byte string of at most `MAX` bytes (the chain's `BoundedVec<u8, ConstU32<MAX>>`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BoundedBytes<const MAX: usize>(Vec<u8>);

/// Payload of `Raw` (≤ 128 bytes).
pub type RawBytes = BoundedBytes<MAX_RAW_LEN>;
/// Payload of `BigRaw` (≤ 512 bytes).
pub type BigRawBytes = BoundedBytes<MAX_BIG_RAW_LEN>;
/// Ciphertext of `TimelockEncrypted` (≤ 1024 bytes).
pub type TimelockBytes = BoundedBytes<MAX_TIMELOCK_LEN>;

/// Bytes over a [`BoundedBytes`] limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{len} bytes exceed the limit of {max}")]
pub struct TooLong {
    /// Length given.
    pub len: usize,
    /// The limit.
    pub max: usize,
}

impl<const MAX: usize> BoundedBytes<MAX> {
    /// The bytes, if there are at most `MAX`.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, TooLong> {
        let bytes = bytes.into();
        if bytes.len() > MAX {
            return Err(TooLong {
                len: bytes.len(),
                max: MAX,
            });
        }
        Ok(BoundedBytes(bytes))
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, owned.
    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<const MAX: usize> AsRef<[u8]> for BoundedBytes<MAX> {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl<const MAX: usize> TryFrom<Vec<u8>> for BoundedBytes<MAX> {
    type Error = TooLong;

    fn try_from(bytes: Vec<u8>) -> Result<Self, Self::Error> {
        BoundedBytes::new(bytes)
    }
}

impl<const MAX: usize> TryFrom<&[u8]> for BoundedBytes<MAX> {
    type Error = TooLong;

    fn try_from(bytes: &[u8]) -> Result<Self, Self::Error> {
        BoundedBytes::new(bytes)
    }
}

/// One commitment field, as the Commitments pallet stores it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Data {
    /// No data.
    #[default]
    None,
    /// Bytes stored directly (≤ 128).
    Raw(RawBytes),
    /// A BLAKE2b-256 hash.
    BlakeTwo256([u8; 32]),
    /// A SHA-256 hash.
    Sha256([u8; 32]),
    /// A Keccak-256 hash.
    Keccak256([u8; 32]),
    /// A SHA3-256 hash.
    ShaThree256([u8; 32]),
    /// Timelock-encrypted bytes, revealed at a drand round.
    TimelockEncrypted {
        /// The ciphertext (≤ 1024 bytes).
        encrypted: TimelockBytes,
        /// The drand round that reveals it.
        reveal_round: u64,
    },
    /// Asks the chain to reset the committer's bonds.
    ResetBondsFlag,
    /// Bytes stored directly (≤ 512).
    BigRaw(BigRawBytes),
}

impl Data {
    /// `Raw` holding `bytes`, if they fit in 128 bytes.
    pub fn raw(bytes: impl Into<Vec<u8>>) -> Result<Self, TooLong> {
        RawBytes::new(bytes).map(Data::Raw)
    }

    /// `BigRaw` holding `bytes`, if they fit in 512 bytes.
    pub fn big_raw(bytes: impl Into<Vec<u8>>) -> Result<Self, TooLong> {
        BigRawBytes::new(bytes).map(Data::BigRaw)
    }

    /// The SCALE variant index (for `Raw`, 1 + its length).
    pub fn variant_index(&self) -> u8 {
        match self {
            Data::None => INDEX_NONE,
            // ≤ 128 by construction, so the sum is ≤ 129.
            Data::Raw(bytes) => INDEX_RAW0 + bytes.len() as u8,
            Data::BlakeTwo256(_) => INDEX_BLAKE_TWO_256,
            Data::Sha256(_) => INDEX_SHA256,
            Data::Keccak256(_) => INDEX_KECCAK256,
            Data::ShaThree256(_) => INDEX_SHA_THREE_256,
            Data::TimelockEncrypted { .. } => INDEX_TIMELOCK_ENCRYPTED,
            Data::ResetBondsFlag => INDEX_RESET_BONDS_FLAG,
            Data::BigRaw(_) => INDEX_BIG_RAW,
        }
    }

    /// The variant's name as the metadata spells it (`Raw` without its length).
    pub fn variant_name(&self) -> &'static str {
        match self {
            Data::None => "None",
            Data::Raw(_) => "Raw",
            Data::BlakeTwo256(_) => "BlakeTwo256",
            Data::Sha256(_) => "Sha256",
            Data::Keccak256(_) => "Keccak256",
            Data::ShaThree256(_) => "ShaThree256",
            Data::TimelockEncrypted { .. } => "TimelockEncrypted",
            Data::ResetBondsFlag => "ResetBondsFlag",
            Data::BigRaw(_) => "BigRaw",
        }
    }

    /// The bytes of a `Raw` field.
    pub fn as_raw(&self) -> Option<&[u8]> {
        match self {
            Data::Raw(bytes) => Some(bytes.as_slice()),
            _ => None,
        }
    }

    /// Decodes exactly one `Data` from `bytes` (no trailing bytes).
    pub fn from_scale(bytes: &[u8]) -> Result<Self, DataError> {
        let mut input = bytes;
        let data = decode_data(&mut input)?;
        ensure_consumed(input)?;
        Ok(data)
    }

    /// The SCALE bytes.
    pub fn to_scale(&self) -> Vec<u8> {
        self.encode()
    }
}

/// Why bytes are not a valid `Data` or `CommitmentInfo`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    /// The input ended inside a value.
    #[error("input ends inside {what}")]
    Truncated {
        /// What was being read.
        what: &'static str,
    },
    /// A variant index the pallet does not define (137..=255).
    #[error("unknown Data variant index {0} (valid: 0..=136)")]
    UnknownVariant(u8),
    /// A compact length prefix that is truncated or not in canonical form.
    #[error("bad compact length prefix of {what} (truncated or not canonical)")]
    BadLength {
        /// What the length was for.
        what: &'static str,
    },
    /// A length prefix over its bound.
    #[error("{what} is {len} long, more than the limit of {max}")]
    OverBound {
        /// What the length was for.
        what: &'static str,
        /// The decoded length.
        len: u64,
        /// The bound.
        max: usize,
    },
    /// Bytes left after the value.
    #[error("{0} trailing bytes after the value")]
    TrailingBytes(usize),
    /// A field of a `CommitmentInfo` failed to decode.
    #[error("field {index}: {source}")]
    Field {
        /// Which field.
        index: usize,
        /// What was wrong with it.
        #[source]
        source: Box<DataError>,
    },
}

impl DataError {
    /// A fixed description, for `parity_scale_codec::Error` (which only carries static text).
    fn summary(&self) -> &'static str {
        match self {
            DataError::Truncated { .. } => "Data: input ends inside a value",
            DataError::UnknownVariant(_) => "Data: unknown variant index",
            DataError::BadLength { .. } => "Data: bad compact length prefix",
            DataError::OverBound { .. } => "Data: length over its bound",
            DataError::TrailingBytes(_) => "Data: trailing bytes",
            DataError::Field { source, .. } => source.summary(),
        }
    }
}

fn ensure_consumed(rest: &[u8]) -> Result<(), DataError> {
    if rest.is_empty() {
        Ok(())
    } else {
        Err(DataError::TrailingBytes(rest.len()))
    }
}

/// Reads a Compact<u32> length and checks it against `max` before anything is allocated.
fn decode_bounded_len<I: Input>(
    input: &mut I,
    what: &'static str,
    max: usize,
) -> Result<usize, DataError> {
    let Compact(len) = Compact::<u32>::decode(input).map_err(|_| DataError::BadLength { what })?;
    let len = usize::try_from(len)
        .ok()
        .filter(|&len| len <= max)
        .ok_or(DataError::OverBound {
            what,
            len: u64::from(len),
            max,
        })?;
    Ok(len)
}

/// Reads exactly `len` bytes (`len` is already bounded by the caller).
fn read_bytes<I: Input>(
    input: &mut I,
    len: usize,
    what: &'static str,
) -> Result<Vec<u8>, DataError> {
    let mut bytes = vec![0u8; len];
    input
        .read(&mut bytes)
        .map_err(|_| DataError::Truncated { what })?;
    Ok(bytes)
}

fn read_hash<I: Input>(input: &mut I, what: &'static str) -> Result<[u8; 32], DataError> {
    let mut hash = [0u8; 32];
    input
        .read(&mut hash)
        .map_err(|_| DataError::Truncated { what })?;
    Ok(hash)
}

/// Decodes one `Data`; the typed errors behind both [`Data::from_scale`] and [`Decode`].
fn decode_data<I: Input>(input: &mut I) -> Result<Data, DataError> {
    let index = input.read_byte().map_err(|_| DataError::Truncated {
        what: "the variant index",
    })?;
    // Bounded types are built from lengths checked here, so the `new` calls cannot fail; they
    // are mapped to errors anyway rather than unwrapped.
    let data = match index {
        INDEX_NONE => Data::None,
        INDEX_RAW0..=129 => {
            let len = usize::from(index - INDEX_RAW0);
            let bytes = read_bytes(input, len, "Raw bytes")?;
            Data::Raw(RawBytes::new(bytes).map_err(|e| over_bound("Raw", e))?)
        }
        INDEX_BLAKE_TWO_256 => Data::BlakeTwo256(read_hash(input, "a BlakeTwo256 hash")?),
        INDEX_SHA256 => Data::Sha256(read_hash(input, "a Sha256 hash")?),
        INDEX_KECCAK256 => Data::Keccak256(read_hash(input, "a Keccak256 hash")?),
        INDEX_SHA_THREE_256 => Data::ShaThree256(read_hash(input, "a ShaThree256 hash")?),
        INDEX_TIMELOCK_ENCRYPTED => {
            let what = "TimelockEncrypted.encrypted";
            let len = decode_bounded_len(input, what, MAX_TIMELOCK_LEN)?;
            let encrypted = read_bytes(input, len, what)?;
            let reveal_round = u64::decode(input).map_err(|_| DataError::Truncated {
                what: "TimelockEncrypted.reveal_round",
            })?;
            Data::TimelockEncrypted {
                encrypted: TimelockBytes::new(encrypted).map_err(|e| over_bound(what, e))?,
                reveal_round,
            }
        }
        INDEX_RESET_BONDS_FLAG => Data::ResetBondsFlag,
        INDEX_BIG_RAW => {
            let len = decode_bounded_len(input, "BigRaw", MAX_BIG_RAW_LEN)?;
            let bytes = read_bytes(input, len, "BigRaw bytes")?;
            Data::BigRaw(BigRawBytes::new(bytes).map_err(|e| over_bound("BigRaw", e))?)
        }
        unknown => return Err(DataError::UnknownVariant(unknown)),
    };
    Ok(data)
}

fn over_bound(what: &'static str, e: TooLong) -> DataError {
    DataError::OverBound {
        what,
        len: e.len as u64,
        max: e.max,
    }
}

/// Bytes taken by the Compact<u32> prefix of a bounded length.
fn compact_len_size(len: usize) -> usize {
    Compact(len as u32).size_hint()
}

fn encode_len_prefixed<T: Output + ?Sized>(bytes: &[u8], dest: &mut T) {
    // Bounded by 1024, so the cast is exact.
    Compact(bytes.len() as u32).encode_to(dest);
    dest.write(bytes);
}

impl Encode for Data {
    fn size_hint(&self) -> usize {
        match self {
            Data::None | Data::ResetBondsFlag => 1,
            Data::Raw(bytes) => 1 + bytes.len(),
            Data::BlakeTwo256(_) | Data::Sha256(_) | Data::Keccak256(_) | Data::ShaThree256(_) => {
                33
            }
            Data::TimelockEncrypted { encrypted, .. } => {
                1 + compact_len_size(encrypted.len()) + encrypted.len() + 8
            }
            Data::BigRaw(bytes) => 1 + compact_len_size(bytes.len()) + bytes.len(),
        }
    }

    fn encode_to<T: Output + ?Sized>(&self, dest: &mut T) {
        dest.push_byte(self.variant_index());
        match self {
            Data::None | Data::ResetBondsFlag => {}
            Data::Raw(bytes) => dest.write(bytes.as_slice()),
            Data::BlakeTwo256(hash)
            | Data::Sha256(hash)
            | Data::Keccak256(hash)
            | Data::ShaThree256(hash) => dest.write(hash),
            Data::TimelockEncrypted {
                encrypted,
                reveal_round,
            } => {
                encode_len_prefixed(encrypted.as_slice(), dest);
                reveal_round.encode_to(dest);
            }
            Data::BigRaw(bytes) => encode_len_prefixed(bytes.as_slice(), dest),
        }
    }
}

impl EncodeLike for Data {}

impl Decode for Data {
    fn decode<I: Input>(input: &mut I) -> Result<Self, parity_scale_codec::Error> {
        decode_data(input).map_err(|e| e.summary().into())
    }
}

/// The `info` argument of `set_commitment`: at most [`MAX_FIELDS`] fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct CommitmentInfo {
    fields: Vec<Data>,
}

/// More than [`MAX_FIELDS`] fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a commitment holds at most {MAX_FIELDS} fields, got {0}")]
pub struct TooManyFields(pub usize);

impl CommitmentInfo {
    /// The fields, if there are at most [`MAX_FIELDS`].
    pub fn new(fields: Vec<Data>) -> Result<Self, TooManyFields> {
        if fields.len() > MAX_FIELDS {
            return Err(TooManyFields(fields.len()));
        }
        Ok(CommitmentInfo { fields })
    }

    /// The fields.
    pub fn fields(&self) -> &[Data] {
        &self.fields
    }

    /// The fields, owned.
    pub fn into_fields(self) -> Vec<Data> {
        self.fields
    }

    /// Decodes exactly one `CommitmentInfo` from `bytes` (no trailing bytes).
    pub fn from_scale(bytes: &[u8]) -> Result<Self, DataError> {
        let mut input = bytes;
        let info = decode_info(&mut input)?;
        ensure_consumed(input)?;
        Ok(info)
    }

    /// The SCALE bytes.
    pub fn to_scale(&self) -> Vec<u8> {
        self.encode()
    }
}

fn decode_info<I: Input>(input: &mut I) -> Result<CommitmentInfo, DataError> {
    let count = decode_bounded_len(input, "the field list", MAX_FIELDS)?;
    let mut fields = Vec::with_capacity(count);
    for index in 0..count {
        let field = decode_data(input).map_err(|source| DataError::Field {
            index,
            source: Box::new(source),
        })?;
        fields.push(field);
    }
    Ok(CommitmentInfo { fields })
}

impl Encode for CommitmentInfo {
    fn size_hint(&self) -> usize {
        compact_len_size(self.fields.len())
            + self.fields.iter().map(Encode::size_hint).sum::<usize>()
    }

    fn encode_to<T: Output + ?Sized>(&self, dest: &mut T) {
        // ≤ 3 by construction.
        Compact(self.fields.len() as u32).encode_to(dest);
        for field in &self.fields {
            field.encode_to(dest);
        }
    }
}

impl EncodeLike for CommitmentInfo {}

impl Decode for CommitmentInfo {
    fn decode<I: Input>(input: &mut I) -> Result<Self, parity_scale_codec::Error> {
        decode_info(input).map_err(|e| e.summary().into())
    }
}

impl fmt::Display for Data {
    /// Human form for logs: `Raw("text")` when UTF-8, else hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes_text = |bytes: &[u8]| match std::str::from_utf8(bytes) {
            Ok(text) => format!("{text:?}"),
            Err(_) => format!("0x{}", hex::encode(bytes)),
        };
        match self {
            Data::Raw(bytes) => write!(f, "Raw({})", bytes_text(bytes.as_slice())),
            Data::BigRaw(bytes) => write!(f, "BigRaw({})", bytes_text(bytes.as_slice())),
            Data::BlakeTwo256(h) | Data::Sha256(h) | Data::Keccak256(h) | Data::ShaThree256(h) => {
                write!(f, "{}(0x{})", self.variant_name(), hex::encode(h))
            }
            Data::TimelockEncrypted {
                encrypted,
                reveal_round,
            } => write!(
                f,
                "TimelockEncrypted({} bytes, round {reveal_round})",
                encrypted.len()
            ),
            Data::None | Data::ResetBondsFlag => f.write_str(self.variant_name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn golden_encodings() {
        assert_eq!(Data::None.to_scale(), [0]);
        assert_eq!(Data::raw(*b"").unwrap().to_scale(), [1]);
        assert_eq!(
            Data::raw(*b"hello").unwrap().to_scale(),
            [6, b'h', b'e', b'l', b'l', b'o']
        );
        let full = Data::raw(vec![0xaa; 128]).unwrap().to_scale();
        assert_eq!(full[0], 129);
        assert_eq!(full.len(), 129);
        let mut sha = vec![131];
        sha.extend([9u8; 32]);
        assert_eq!(Data::Sha256([9; 32]).to_scale(), sha);
        assert_eq!(Data::BlakeTwo256([0; 32]).to_scale()[0], 130);
        assert_eq!(Data::Keccak256([0; 32]).to_scale()[0], 132);
        assert_eq!(Data::ShaThree256([0; 32]).to_scale()[0], 133);
        assert_eq!(Data::ResetBondsFlag.to_scale(), [135]);
        // BigRaw: index, Compact(3) = 3 << 2 = 0x0c, bytes.
        assert_eq!(
            Data::big_raw(*b"abc").unwrap().to_scale(),
            [136, 0x0c, b'a', b'b', b'c']
        );
        // 300 bytes: two-byte compact mode, (300 << 2) | 1 = 1201 = 0x04b1 little-endian.
        let big = Data::big_raw(vec![1; 300]).unwrap().to_scale();
        assert_eq!(big[..3], [136, 0xb1, 0x04]);
        assert_eq!(big.len(), 303);
        let timelock = Data::TimelockEncrypted {
            encrypted: TimelockBytes::new(*b"xy").unwrap(),
            reveal_round: 0x0102030405060708,
        };
        assert_eq!(
            timelock.to_scale(),
            [134, 0x08, b'x', b'y', 8, 7, 6, 5, 4, 3, 2, 1]
        );
        let info = CommitmentInfo::new(vec![Data::None, Data::raw(*b"a").unwrap()]).unwrap();
        assert_eq!(info.to_scale(), [0x08, 0, 2, b'a']);
        assert_eq!(CommitmentInfo::default().to_scale(), [0]);
    }

    #[test]
    fn bounds_are_enforced_when_building() {
        assert_eq!(
            Data::raw(vec![0; 129]).unwrap_err(),
            TooLong { len: 129, max: 128 }
        );
        assert!(Data::big_raw(vec![0; 512]).is_ok());
        assert_eq!(
            Data::big_raw(vec![0; 513]).unwrap_err().to_string(),
            "513 bytes exceed the limit of 512"
        );
        assert!(TimelockBytes::new(vec![0; 1025]).is_err());
        assert_eq!(
            CommitmentInfo::new(vec![Data::None; 4]).unwrap_err(),
            TooManyFields(4)
        );
    }

    #[test]
    fn hostile_bytes_get_precise_errors() {
        let cases: Vec<(Vec<u8>, DataError)> = vec![
            (
                vec![],
                DataError::Truncated {
                    what: "the variant index",
                },
            ),
            (vec![137], DataError::UnknownVariant(137)),
            (vec![255], DataError::UnknownVariant(255)),
            (vec![6, b'a'], DataError::Truncated { what: "Raw bytes" }),
            (
                vec![131, 0],
                DataError::Truncated {
                    what: "a Sha256 hash",
                },
            ),
            (vec![0, 0], DataError::TrailingBytes(1)),
            (
                // BigRaw of 513: (513 << 2) | 1 = 2053 = 0x0805.
                vec![136, 0x05, 0x08],
                DataError::OverBound {
                    what: "BigRaw",
                    len: 513,
                    max: 512,
                },
            ),
            (
                // Timelock of 1025: (1025 << 2) | 1 = 4101 = 0x1005.
                vec![134, 0x05, 0x10],
                DataError::OverBound {
                    what: "TimelockEncrypted.encrypted",
                    len: 1025,
                    max: 1024,
                },
            ),
            (
                // A 4-byte-mode compact of u32::MAX; must not allocate 4 GiB.
                vec![136, 0x03, 0xff, 0xff, 0xff, 0xff],
                DataError::OverBound {
                    what: "BigRaw",
                    len: u64::from(u32::MAX),
                    max: 512,
                },
            ),
            (
                // Compact 3 in two-byte mode is not canonical.
                vec![136, 0x0d, 0x00],
                DataError::BadLength { what: "BigRaw" },
            ),
            (
                vec![134, 0x04, b'x'],
                DataError::Truncated {
                    what: "TimelockEncrypted.reveal_round",
                },
            ),
        ];
        for (bytes, expected) in cases {
            assert_eq!(Data::from_scale(&bytes), Err(expected), "{bytes:?}");
        }
        assert_eq!(
            CommitmentInfo::from_scale(&[0x10]).unwrap_err(),
            DataError::OverBound {
                what: "the field list",
                len: 4,
                max: 3
            }
        );
        let err = CommitmentInfo::from_scale(&[0x08, 0, 200]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "field 1: unknown Data variant index 200 (valid: 0..=136)"
        );
        assert_eq!(
            CommitmentInfo::from_scale(&[0x04, 0, 0]).unwrap_err(),
            DataError::TrailingBytes(1)
        );
    }

    #[test]
    fn codec_trait_path_agrees() {
        let info = CommitmentInfo::new(vec![
            Data::Sha256([3; 32]),
            Data::raw(*b"x").unwrap(),
            Data::ResetBondsFlag,
        ])
        .unwrap();
        let bytes = info.encode();
        assert_eq!(CommitmentInfo::decode(&mut &bytes[..]).unwrap(), info);
        // The generic codec path sees the same errors, as static text.
        let err = Data::decode(&mut &[200u8][..]).unwrap_err();
        assert!(err.to_string().contains("unknown variant index"), "{err}");
        // A commitment nested in a larger value (e.g. a storage tuple) decodes in place.
        let mut nested = (7u64, 9u32).encode();
        nested.extend(&bytes);
        let decoded = <(u64, u32, CommitmentInfo)>::decode(&mut &nested[..]).unwrap();
        assert_eq!(decoded, (7, 9, info));
    }

    #[test]
    fn display_for_logs() {
        assert_eq!(Data::raw(*b"a/b").unwrap().to_string(), "Raw(\"a/b\")");
        assert_eq!(Data::raw([0xff]).unwrap().to_string(), "Raw(0xff)");
        assert!(
            Data::Sha256([0; 32])
                .to_string()
                .starts_with("Sha256(0x0000")
        );
    }

    /// Spec 393 metadata agrees with every index and shape encoded above.
    #[test]
    fn matches_spec393_metadata() {
        use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};
        use scale_info::{TypeDef, TypeDefPrimitive};

        let Some(path) = crate::fixtures::path("chain/finney-spec393.scale") else {
            return;
        };
        let bytes = std::fs::read(&path).unwrap();
        let prefixed = RuntimeMetadataPrefixed::decode(&mut &bytes[..]).unwrap();
        let RuntimeMetadata::V16(metadata) = prefixed.1 else {
            panic!("finney-spec393.scale is not V16 metadata");
        };
        let types = &metadata.types;
        let type_def = |id: u32| &types.resolve(id).unwrap().type_def;
        let data_type = types
            .types
            .iter()
            .find(|t| t.ty.path.segments == ["pallet_commitments", "types", "Data"])
            .expect("pallet_commitments::types::Data in metadata");
        let TypeDef::Variant(data) = &data_type.ty.type_def else {
            panic!("Data is not an enum");
        };
        assert_eq!(data.variants.len(), 137);
        let array_len = |id: u32| match type_def(id) {
            TypeDef::Array(array) => array.len,
            other => panic!("expected an array, found {other:?}"),
        };
        for variant in &data.variants {
            let sample = match variant.name.as_str() {
                "None" => Data::None,
                "BlakeTwo256" => Data::BlakeTwo256([0; 32]),
                "Sha256" => Data::Sha256([0; 32]),
                "Keccak256" => Data::Keccak256([0; 32]),
                "ShaThree256" => Data::ShaThree256([0; 32]),
                "ResetBondsFlag" => Data::ResetBondsFlag,
                "TimelockEncrypted" => {
                    let names: Vec<_> = variant.fields.iter().map(|f| f.name.as_deref()).collect();
                    assert_eq!(names, [Some("encrypted"), Some("reveal_round")]);
                    assert!(matches!(
                        type_def(variant.fields[1].ty.id),
                        TypeDef::Primitive(TypeDefPrimitive::U64)
                    ));
                    Data::TimelockEncrypted {
                        encrypted: TimelockBytes::default(),
                        reveal_round: 0,
                    }
                }
                "BigRaw" => Data::BigRaw(BigRawBytes::default()),
                raw => {
                    let len: usize = raw
                        .strip_prefix("Raw")
                        .and_then(|n| n.parse().ok())
                        .unwrap_or_else(|| panic!("unexpected Data variant {raw}"));
                    assert_eq!(array_len(variant.fields[0].ty.id) as usize, len, "{raw}");
                    Data::raw(vec![0; len]).unwrap()
                }
            };
            assert_eq!(sample.variant_index(), variant.index, "{}", variant.name);
            if matches!(
                sample,
                Data::BlakeTwo256(_) | Data::Sha256(_) | Data::Keccak256(_) | Data::ShaThree256(_)
            ) {
                assert_eq!(array_len(variant.fields[0].ty.id), 32, "{}", variant.name);
            }
            if matches!(sample, Data::BigRaw(_) | Data::TimelockEncrypted { .. }) {
                let bounded = types.resolve(variant.fields[0].ty.id).unwrap();
                assert_eq!(
                    bounded.path.segments.last().map(String::as_str),
                    Some("BoundedVec")
                );
            }
        }
        let commitments = metadata
            .pallets
            .iter()
            .find(|p| p.name == "Commitments")
            .expect("Commitments pallet");
        let max_fields = commitments
            .constants
            .iter()
            .find(|c| c.name == "MaxFields")
            .expect("MaxFields constant");
        assert_eq!(
            u32::decode(&mut &max_fields.value[..]).unwrap() as usize,
            MAX_FIELDS
        );
    }

    fn any_data() -> impl Strategy<Value = Data> {
        prop_oneof![
            Just(Data::None),
            Just(Data::ResetBondsFlag),
            proptest::collection::vec(any::<u8>(), 0..=MAX_RAW_LEN)
                .prop_map(|b| Data::raw(b).unwrap()),
            any::<[u8; 32]>().prop_map(Data::BlakeTwo256),
            any::<[u8; 32]>().prop_map(Data::Sha256),
            any::<[u8; 32]>().prop_map(Data::Keccak256),
            any::<[u8; 32]>().prop_map(Data::ShaThree256),
            (
                proptest::collection::vec(any::<u8>(), 0..=MAX_TIMELOCK_LEN),
                any::<u64>()
            )
                .prop_map(|(b, reveal_round)| Data::TimelockEncrypted {
                    encrypted: TimelockBytes::new(b).unwrap(),
                    reveal_round
                }),
            proptest::collection::vec(any::<u8>(), 0..=MAX_BIG_RAW_LEN)
                .prop_map(|b| Data::big_raw(b).unwrap()),
        ]
    }

    proptest! {
        #[test]
        fn data_round_trips(data in any_data()) {
            let bytes = data.to_scale();
            prop_assert_eq!(bytes.len(), data.size_hint());
            prop_assert_eq!(Data::from_scale(&bytes).unwrap(), data);
        }

        #[test]
        fn info_round_trips(fields in proptest::collection::vec(any_data(), 0..=MAX_FIELDS)) {
            let info = CommitmentInfo::new(fields).unwrap();
            let bytes = info.to_scale();
            prop_assert_eq!(bytes.len(), info.size_hint());
            prop_assert_eq!(CommitmentInfo::from_scale(&bytes).unwrap(), info);
        }

        /// Whatever decodes re-encodes to the same bytes: the codec is canonical, so no two
        /// byte strings mean the same commitment.
        #[test]
        fn arbitrary_bytes_never_panic_and_decode_canonically(
            bytes in proptest::collection::vec(any::<u8>(), 0..700)
        ) {
            if let Ok(data) = Data::from_scale(&bytes) {
                prop_assert_eq!(data.to_scale(), bytes.clone());
            }
            if let Ok(info) = CommitmentInfo::from_scale(&bytes) {
                prop_assert_eq!(info.to_scale(), bytes);
            }
        }

        #[test]
        fn arbitrary_bytes_with_plausible_prefix_never_panic(
            index in prop_oneof![Just(134u8), Just(136u8), 0u8..=255],
            rest in proptest::collection::vec(any::<u8>(), 0..40)
        ) {
            let mut bytes = vec![index];
            bytes.extend(rest);
            let _ = Data::from_scale(&bytes);
            let mut info = vec![0x0c];
            info.extend(&bytes);
            let _ = CommitmentInfo::from_scale(&info);
        }
    }
}
