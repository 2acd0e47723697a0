//! The two manifest digests and the SHA-256 value type they use.
//!
//! Both are SHA-256 over a length-prefixed byte string, so no two different inputs share an
//! encoding; `u64be(n)` is `n` as 8 big-endian bytes, `‖` concatenation.
//!
//! **File digest** (what files the repo holds), entries sorted by path bytes:
//!
//! ```text
//! sha256( "nya-file-digest/1\n" ‖ u64be(count)
//!         ‖ for each entry: u64be(len(path)) ‖ path ‖ sha256_of_file[32] ‖ u64be(size) )
//! ```
//!
//! **Content digest** (what documents the data holds), pairs sorted by id bytes, ids unique:
//!
//! ```text
//! sha256( "nya-content-digest/1\n" ‖ u64be(count)
//!         ‖ for each document: u64be(len(id)) ‖ id ‖ sha256(text)[32] )
//! ```
//!
//! `text` is the document's UTF-8 bytes exactly as published (no normalisation). Neither digest
//! covers the manifest itself, and sorting makes both independent of file order and of how the
//! documents are split into files, so re-sharding the same documents keeps the content digest
//! (which is what copy detection compares).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::FileEntry;
use crate::task::excerpt;

/// Domain prefix of the file digest.
pub const FILE_DIGEST_DOMAIN: &[u8] = b"nya-file-digest/1\n";
/// Domain prefix of the content digest.
pub const CONTENT_DIGEST_DOMAIN: &[u8] = b"nya-content-digest/1\n";

/// A SHA-256 value; text and JSON form is 64 lowercase hex characters.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Sha256Digest(pub [u8; 32]);

impl Sha256Digest {
    /// SHA-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Sha256Digest(Sha256::digest(bytes).into())
    }

    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

/// Text that is not 64 lowercase hex characters.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("sha256 {text:?}: {reason}")]
pub struct DigestParseError {
    /// The text (shortened).
    pub text: String,
    /// What was wrong.
    pub reason: &'static str,
}

impl FromStr for Sha256Digest {
    type Err = DigestParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fail = |reason| DigestParseError {
            text: excerpt(s),
            reason,
        };
        if s.len() != 64 {
            return Err(fail("expected 64 lowercase hex characters"));
        }
        if !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(fail("not lowercase hex"));
        }
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(s, &mut bytes).map_err(|_| fail("not lowercase hex"))?;
        Ok(Sha256Digest(bytes))
    }
}

impl TryFrom<String> for Sha256Digest {
    type Error = DigestParseError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Sha256Digest> for String {
    fn from(digest: Sha256Digest) -> String {
        digest.to_string()
    }
}

/// Appends `u64be(len) ‖ bytes`.
fn push_prefixed(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_be_bytes());
    hasher.update(bytes);
}

/// The file digest of `entries` (any order; see the module doc).
pub fn file_digest(entries: &[FileEntry]) -> Sha256Digest {
    let mut sorted: Vec<&FileEntry> = entries.iter().collect();
    // Paths are unique in a valid manifest; the tie-breakers keep this a total order anyway.
    sorted.sort_by(|a, b| {
        (a.path.as_bytes(), &a.sha256, a.size).cmp(&(b.path.as_bytes(), &b.sha256, b.size))
    });
    let mut hasher = Sha256::new();
    hasher.update(FILE_DIGEST_DOMAIN);
    hasher.update((sorted.len() as u64).to_be_bytes());
    for entry in sorted {
        push_prefixed(&mut hasher, entry.path.as_bytes());
        hasher.update(entry.sha256.0);
        hasher.update(entry.size.to_be_bytes());
    }
    Sha256Digest(hasher.finalize().into())
}

/// Why a content digest cannot be computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContentDigestError {
    /// A document id is empty.
    #[error("document id is empty")]
    EmptyId,
    /// Two documents share an id.
    #[error("document id {id:?} appears more than once")]
    DuplicateId {
        /// The id (shortened).
        id: String,
    },
}

/// Collects `(document id, text)` pairs in any order and computes the content digest.
///
/// Memory is one id and 32 bytes per document; texts are hashed as they arrive.
#[derive(Clone, Debug, Default)]
pub struct ContentDigest {
    documents: Vec<(String, [u8; 32])>,
}

impl ContentDigest {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a document by its text.
    pub fn add(&mut self, id: impl Into<String>, text: &str) -> Result<(), ContentDigestError> {
        self.add_text_hash(id, Sha256Digest::of(text.as_bytes()))
    }

    /// Adds a document whose text was hashed already (`sha256(text)`).
    pub fn add_text_hash(
        &mut self,
        id: impl Into<String>,
        text_sha256: Sha256Digest,
    ) -> Result<(), ContentDigestError> {
        let id = id.into();
        if id.is_empty() {
            return Err(ContentDigestError::EmptyId);
        }
        self.documents.push((id, text_sha256.0));
        Ok(())
    }

    /// Number of documents added.
    pub fn len(&self) -> usize {
        self.documents.len()
    }

    /// True before any document is added.
    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    /// The digest; duplicates are found here, after sorting.
    pub fn finish(mut self) -> Result<Sha256Digest, ContentDigestError> {
        self.documents
            .sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        if let Some(pair) = self
            .documents
            .windows(2)
            .find(|pair| pair[0].0 == pair[1].0)
        {
            return Err(ContentDigestError::DuplicateId {
                id: excerpt(&pair[0].0),
            });
        }
        let mut hasher = Sha256::new();
        hasher.update(CONTENT_DIGEST_DOMAIN);
        hasher.update((self.documents.len() as u64).to_be_bytes());
        for (id, text_hash) in &self.documents {
            push_prefixed(&mut hasher, id.as_bytes());
            hasher.update(text_hash);
        }
        Ok(Sha256Digest(hasher.finalize().into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(path: &str, byte: u8, size: u64) -> FileEntry {
        FileEntry {
            path: path.to_owned(),
            sha256: Sha256Digest([byte; 32]),
            size,
        }
    }

    #[test]
    fn digest_text_form() {
        let d = Sha256Digest::of(b"");
        assert_eq!(
            d.to_string(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(d.to_string().parse::<Sha256Digest>().unwrap(), d);
        let upper = d.to_string().to_uppercase();
        assert_eq!(
            upper.parse::<Sha256Digest>().unwrap_err().reason,
            "not lowercase hex"
        );
        assert!("abc".parse::<Sha256Digest>().is_err());
        assert!(
            format!("{}é", &d.to_string()[..62])
                .parse::<Sha256Digest>()
                .is_err()
        );
    }

    #[test]
    fn file_digest_golden() {
        // Written out from the encoding rule, so a change of rule fails here.
        let mut expected = Sha256::new();
        expected.update(b"nya-file-digest/1\n");
        expected.update(2u64.to_be_bytes());
        expected.update(1u64.to_be_bytes());
        expected.update(b"a");
        expected.update([1u8; 32]);
        expected.update(10u64.to_be_bytes());
        expected.update(1u64.to_be_bytes());
        expected.update(b"b");
        expected.update([2u8; 32]);
        expected.update(20u64.to_be_bytes());
        let expected = Sha256Digest(expected.finalize().into());
        assert_eq!(
            file_digest(&[entry("b", 2, 20), entry("a", 1, 10)]),
            expected
        );
    }

    #[test]
    fn content_digest_golden_and_errors() {
        let mut expected = Sha256::new();
        expected.update(b"nya-content-digest/1\n");
        expected.update(1u64.to_be_bytes());
        expected.update(2u64.to_be_bytes());
        expected.update(b"d1");
        expected.update(Sha256::digest(b"hello"));
        let expected = Sha256Digest(expected.finalize().into());
        let mut builder = ContentDigest::new();
        builder.add("d1", "hello").unwrap();
        assert_eq!(builder.finish().unwrap(), expected);

        let mut builder = ContentDigest::new();
        assert_eq!(builder.add("", "x"), Err(ContentDigestError::EmptyId));
        builder.add("x", "1").unwrap();
        builder.add("y", "2").unwrap();
        builder.add("x", "3").unwrap();
        assert_eq!(
            builder.finish().unwrap_err().to_string(),
            "document id \"x\" appears more than once"
        );
    }

    #[test]
    fn length_prefixes_prevent_boundary_shifts() {
        // ("ab", text) and ("a", …) must not collide by moving bytes between id and text.
        let one = {
            let mut b = ContentDigest::new();
            b.add("ab", "c").unwrap();
            b.finish().unwrap()
        };
        let two = {
            let mut b = ContentDigest::new();
            b.add("a", "bc").unwrap();
            b.finish().unwrap()
        };
        assert_ne!(one, two);
        assert_ne!(
            file_digest(&[entry("ab", 1, 1)]),
            file_digest(&[entry("a", 1, 1)])
        );
    }

    proptest! {
        #[test]
        fn content_digest_ignores_order(
            (pairs, shuffled) in proptest::collection::btree_map("[a-z0-9]{1,8}", "\\PC{0,20}", 1..20)
                .prop_map(|docs| docs.into_iter().collect::<Vec<(String, String)>>())
                .prop_flat_map(|pairs| (Just(pairs.clone()), Just(pairs).prop_shuffle()))
        ) {
            let digest = |pairs: &[(String, String)]| {
                let mut b = ContentDigest::new();
                for (id, text) in pairs {
                    b.add(id.clone(), text).unwrap();
                }
                b.finish().unwrap()
            };
            prop_assert_eq!(digest(&pairs), digest(&shuffled));
        }

        #[test]
        fn content_digest_sees_any_change(
            docs in proptest::collection::btree_map("[a-z0-9]{1,8}", "[a-z ]{0,20}", 1..10),
            which in any::<prop::sample::Index>(),
            change_id in any::<bool>()
        ) {
            let pairs: Vec<(String, String)> = docs.into_iter().collect();
            let digest = |pairs: &[(String, String)]| {
                let mut b = ContentDigest::new();
                for (id, text) in pairs {
                    b.add(id.clone(), text).unwrap();
                }
                b.finish().unwrap()
            };
            let mut changed = pairs.clone();
            let i = which.index(changed.len());
            if change_id {
                changed[i].0.push('!'); // '!' is outside the id alphabet, so still unique.
            } else {
                changed[i].1.push('!');
            }
            prop_assert_ne!(digest(&pairs), digest(&changed));
        }

        #[test]
        fn file_digest_ignores_order(
            (entries, shuffled) in proptest::collection::btree_map("[a-z/]{1,12}", (any::<u8>(), any::<u64>()), 1..12)
                .prop_map(|files| files.into_iter().map(|(p, (b, s))| entry(&p, b, s)).collect::<Vec<_>>())
                .prop_flat_map(|entries| (Just(entries.clone()), Just(entries).prop_shuffle()))
        ) {
            prop_assert_eq!(file_digest(&entries), file_digest(&shuffled));
        }

        #[test]
        fn arbitrary_digest_text_never_panics(s in "\\PC{0,70}") {
            if let Ok(d) = s.parse::<Sha256Digest>() {
                prop_assert_eq!(d.to_string(), s);
            }
        }
    }
}
