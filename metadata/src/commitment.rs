//! The commitment a miner writes with `Commitments.set_commitment` — the on-chain contract.
//!
//! # Format, version 1
//!
//! A nya commitment is a [`CommitmentInfo`] of exactly three fields:
//!
//! | field | `Data` variant | content                                                      |
//! |-------|----------------|--------------------------------------------------------------|
//! | 0     | `Raw`          | UTF-8 `<owner>/<name>@<revision>` ([`RepoRef`])               |
//! | 1     | `Sha256`       | the manifest's content digest (32 bytes)                      |
//! | 2     | `Raw`          | UTF-8 tag `nya<version>:<kind>:<task id>`, e.g. `nya1:refine:t-42` |
//!
//! - Field 0 is what the Python SDK's `get_commitment` shows as text. `owner` and `name` follow
//!   the Hub's rules, `revision` is 40 lowercase hex (uppercase is rejected, see
//!   [`Revision`]). A `Raw` holds at most 128 bytes, so `owner` + `name` may total at most
//!   [`MAX_REPO_ID_CHARS_IN_COMMITMENT`] (= 128 − 40 − `/` − `@`) characters.
//! - Field 1 is the content digest of `nya-manifest.json` (see [`crate::manifest`]): it names the
//!   documents, not the files, so re-sharding the same data commits to the same digest.
//! - Field 2: `nya`, the format version in decimal (`1`; no sign, no leading zero), `:`, the task
//!   kind (`refine` | `distill`), `:`, the task server's [`TaskId`]
//!   (`[A-Za-z0-9][A-Za-z0-9._-]{0,63}`, so never a `:`). At most 77 bytes.
//!
//! Parsing is strict: anything else is an error naming the field and what was wrong. The tag is
//! read first, because its version decides how the other fields read: a future version is
//! reported as such, not as a malformed version 1.
//!
//! The SCALE layer ([`Data`], [`CommitmentInfo`]) mirrors the pallet's types byte for byte; see
//! [`data`].

pub mod data;
pub mod repo;

use std::fmt;

pub use data::{
    BigRawBytes, BoundedBytes, CommitmentInfo, Data, DataError, MAX_BIG_RAW_LEN, MAX_FIELDS,
    MAX_RAW_LEN, MAX_TIMELOCK_LEN, RawBytes, TimelockBytes, TooLong, TooManyFields,
};
pub use repo::{
    MAX_REPO_PART_LEN, REVISION_LEN, RepoId, RepoIdError, RepoRef, RepoRefError, Revision,
    RevisionError,
};

use crate::manifest::Sha256Digest;
use crate::task::{TaskId, TaskIdError, TaskKind, UnknownTaskKind, excerpt};

/// The commitment format this build writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Number of fields in a version-1 commitment.
pub const FIELD_COUNT: usize = 3;
/// First bytes of the field-2 tag.
pub const TAG_PREFIX: &str = "nya";
/// Most characters `owner` and `name` may have together so field 0 fits a `Raw`.
pub const MAX_REPO_ID_CHARS_IN_COMMITMENT: usize = MAX_RAW_LEN - REVISION_LEN - 2;

/// Why the field-2 tag is not `nya1:<kind>:<task id>`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TagError {
    /// Does not start with `nya`.
    #[error("tag {tag:?} does not start with \"nya\"")]
    MissingPrefix {
        /// The tag (shortened).
        tag: String,
    },
    /// Not `nya<digits>:<kind>:<task id>`.
    #[error("tag {tag:?} is not of the form nya<version>:<kind>:<task id>")]
    Malformed {
        /// The tag (shortened).
        tag: String,
    },
    /// A version this build does not read.
    #[error(
        "unknown commitment format version {found:?} (this build reads version {FORMAT_VERSION})"
    )]
    UnknownVersion {
        /// The version text.
        found: String,
    },
    /// Not `refine` or `distill`.
    #[error(transparent)]
    UnknownKind(#[from] UnknownTaskKind),
    /// A bad task id.
    #[error(transparent)]
    TaskId(#[from] TaskIdError),
}

/// Why a [`CommitmentInfo`] is not a nya commitment, or a commitment cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CommitmentError {
    /// Not exactly three fields.
    #[error(
        "commitment has {found} fields; a nya commitment has exactly {FIELD_COUNT} (Raw repo@revision, Sha256 content digest, Raw tag)"
    )]
    FieldCount {
        /// How many there were.
        found: usize,
    },
    /// A field of the wrong `Data` variant.
    #[error("field {field}: expected {expected}, found {found}")]
    WrongVariant {
        /// Which field.
        field: usize,
        /// The variant expected.
        expected: &'static str,
        /// The variant found.
        found: &'static str,
    },
    /// A `Raw` field that is not UTF-8.
    #[error("field {field}: bytes are not UTF-8 (valid up to byte {valid_up_to})")]
    NotUtf8 {
        /// Which field.
        field: usize,
        /// Length of the valid prefix.
        valid_up_to: usize,
    },
    /// Field 0 is not `owner/name@revision`.
    #[error("field 0: {0}")]
    RepoRef(#[source] RepoRefError),
    /// Field 2 is not a valid tag.
    #[error("field 2: {0}")]
    Tag(#[source] TagError),
    /// The repo reference does not fit a 128-byte `Raw`.
    #[error(
        "repo reference {repo_ref:?} is {len} bytes; field 0 holds at most {MAX_RAW_LEN} (owner and name together at most {MAX_REPO_ID_CHARS_IN_COMMITMENT} characters)"
    )]
    RepoTooLong {
        /// The reference (shortened).
        repo_ref: String,
        /// Its length in bytes.
        len: usize,
    },
    /// The bytes are not a `CommitmentInfo`.
    #[error("SCALE: {0}")]
    Scale(#[from] DataError),
}

/// A nya commitment: which dataset revision holds which content, for which task.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Commitment {
    repo: RepoRef,
    content_digest: Sha256Digest,
    kind: TaskKind,
    task_id: TaskId,
}

impl Commitment {
    /// A version-1 commitment; fails when `repo` does not fit field 0.
    pub fn new(
        repo: RepoRef,
        content_digest: Sha256Digest,
        kind: TaskKind,
        task_id: TaskId,
    ) -> Result<Self, CommitmentError> {
        let text = repo.to_string();
        if text.len() > MAX_RAW_LEN {
            return Err(CommitmentError::RepoTooLong {
                repo_ref: excerpt(&text),
                len: text.len(),
            });
        }
        Ok(Commitment {
            repo,
            content_digest,
            kind,
            task_id,
        })
    }

    /// The dataset repo and revision.
    pub fn repo_ref(&self) -> &RepoRef {
        &self.repo
    }

    /// The dataset repo.
    pub fn repo(&self) -> &RepoId {
        &self.repo.repo
    }

    /// The dataset revision.
    pub fn revision(&self) -> &Revision {
        &self.repo.revision
    }

    /// The manifest's content digest.
    pub fn content_digest(&self) -> &Sha256Digest {
        &self.content_digest
    }

    /// The format version ([`FORMAT_VERSION`]).
    pub fn version(&self) -> u8 {
        FORMAT_VERSION
    }

    /// The task kind.
    pub fn kind(&self) -> TaskKind {
        self.kind
    }

    /// The task id.
    pub fn task_id(&self) -> &TaskId {
        &self.task_id
    }

    /// Field 0 text, `owner/name@revision`.
    pub fn field0(&self) -> String {
        self.repo.to_string()
    }

    /// Field 2 text, `nya1:<kind>:<task id>`.
    pub fn tag(&self) -> String {
        format!(
            "{TAG_PREFIX}{FORMAT_VERSION}:{}:{}",
            self.kind, self.task_id
        )
    }

    /// Parses the `owner/name@revision` form (field 0, and what operators type).
    pub fn parse_field0(text: &str) -> Result<RepoRef, RepoRefError> {
        RepoRef::parse(text)
    }

    /// The `set_commitment` info.
    pub fn to_info(&self) -> CommitmentInfo {
        // Field 0 fits by construction (checked in `new`), and field 2 is at most 77 bytes;
        // on the impossible overflow a field would be `None`, which `from_info` rejects.
        let raw = |text: String| Data::raw(text.into_bytes()).unwrap_or(Data::None);
        let fields = vec![
            raw(self.field0()),
            Data::Sha256(self.content_digest.0),
            raw(self.tag()),
        ];
        CommitmentInfo::new(fields).unwrap_or_default()
    }

    /// Reads a nya commitment from the chain's `CommitmentInfo`.
    pub fn from_info(info: &CommitmentInfo) -> Result<Self, CommitmentError> {
        let [field0, field1, field2] = info.fields() else {
            return Err(CommitmentError::FieldCount {
                found: info.fields().len(),
            });
        };
        let (kind, task_id) = parse_tag(raw_text(2, field2)?).map_err(CommitmentError::Tag)?;
        let repo = RepoRef::parse(raw_text(0, field0)?).map_err(CommitmentError::RepoRef)?;
        let Data::Sha256(digest) = field1 else {
            return Err(CommitmentError::WrongVariant {
                field: 1,
                expected: "Sha256",
                found: field1.variant_name(),
            });
        };
        Commitment::new(repo, Sha256Digest(*digest), kind, task_id)
    }

    /// The SCALE bytes of [`Commitment::to_info`].
    pub fn to_scale(&self) -> Vec<u8> {
        self.to_info().to_scale()
    }

    /// Reads a commitment from SCALE bytes of a `CommitmentInfo` (no trailing bytes).
    pub fn from_scale(bytes: &[u8]) -> Result<Self, CommitmentError> {
        Commitment::from_info(&CommitmentInfo::from_scale(bytes)?)
    }
}

impl fmt::Display for Commitment {
    /// `owner/name@revision sha256:<hex> nya1:<kind>:<task id>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} sha256:{} {}",
            self.repo,
            self.content_digest,
            self.tag()
        )
    }
}

/// The UTF-8 text of `Raw` field `field`.
fn raw_text(field: usize, data: &Data) -> Result<&str, CommitmentError> {
    let bytes = data.as_raw().ok_or(CommitmentError::WrongVariant {
        field,
        expected: "Raw",
        found: data.variant_name(),
    })?;
    std::str::from_utf8(bytes).map_err(|e| CommitmentError::NotUtf8 {
        field,
        valid_up_to: e.valid_up_to(),
    })
}

/// Parses `nya<version>:<kind>:<task id>`.
fn parse_tag(tag: &str) -> Result<(TaskKind, TaskId), TagError> {
    let rest = tag
        .strip_prefix(TAG_PREFIX)
        .ok_or_else(|| TagError::MissingPrefix { tag: excerpt(tag) })?;
    let malformed = || TagError::Malformed { tag: excerpt(tag) };
    let (version, rest) = rest.split_once(':').ok_or_else(malformed)?;
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed());
    }
    if version != FORMAT_VERSION.to_string() {
        return Err(TagError::UnknownVersion {
            found: excerpt(version),
        });
    }
    let (kind, task_id) = rest.split_once(':').ok_or_else(malformed)?;
    Ok((kind.parse()?, TaskId::new(task_id)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const REV: &str = "0123456789abcdef0123456789abcdef01234567";

    fn sample() -> Commitment {
        Commitment::new(
            RepoRef::parse(&format!("nya/d@{REV}")).unwrap(),
            Sha256Digest([0x11; 32]),
            TaskKind::Refine,
            TaskId::new("t1").unwrap(),
        )
        .unwrap()
    }

    fn info_with(fields: Vec<Data>) -> CommitmentInfo {
        CommitmentInfo::new(fields).unwrap()
    }

    fn raw(text: &str) -> Data {
        Data::raw(text.as_bytes()).unwrap()
    }

    #[test]
    fn golden_scale_bytes() {
        // By hand from the rules:
        //   0x0c                 Compact(3) fields
        //   0x2f + 46 bytes      Raw46 (index 46 + 1 = 47) "nya/d@0123…4567": 5 + 1 + 40 = 46
        //   0x83 + 32 × 0x11     Sha256 (index 131)
        //   0x0f + 14 bytes      Raw14 (index 15) "nya1:refine:t1"
        let expected = concat!(
            "0c",
            "2f",
            "6e79612f6440",                     // "nya/d@"
            "30313233343536373839616263646566", // "0123456789abcdef"
            "30313233343536373839616263646566", // "0123456789abcdef"
            "3031323334353637",                 // "01234567"
            "83",
            "1111111111111111111111111111111111111111111111111111111111111111",
            "0f",
            "6e7961313a726566696e653a7431", // "nya1:refine:t1"
        );
        assert_eq!(hex::encode(sample().to_scale()), expected);
        let bytes = hex::decode(expected).unwrap();
        assert_eq!(Commitment::from_scale(&bytes).unwrap(), sample());
    }

    #[test]
    fn fields_and_display() {
        let c = sample();
        assert_eq!(c.field0(), format!("nya/d@{REV}"));
        assert_eq!(c.tag(), "nya1:refine:t1");
        assert_eq!(c.version(), 1);
        assert_eq!(c.repo().as_str(), "nya/d");
        assert_eq!(c.revision().as_str(), REV);
        assert_eq!(
            c.to_string(),
            format!("nya/d@{REV} sha256:{} nya1:refine:t1", "11".repeat(32))
        );
        assert_eq!(
            Commitment::parse_field0(&c.field0()).unwrap(),
            *c.repo_ref()
        );
    }

    #[test]
    fn repo_must_fit_field0() {
        // owner + name = 86 characters fills the Raw exactly: 86 + 2 + 40 = 128.
        let fits = RepoRef::parse(&format!("{}/{}@{REV}", "o".repeat(43), "n".repeat(43))).unwrap();
        let c = Commitment::new(
            fits,
            Sha256Digest([0; 32]),
            TaskKind::Distill,
            TaskId::new("x").unwrap(),
        )
        .unwrap();
        assert_eq!(c.to_info().fields()[0].variant_index(), 129);
        let over = RepoRef::parse(&format!("{}/{}@{REV}", "o".repeat(43), "n".repeat(44))).unwrap();
        let err = Commitment::new(
            over,
            Sha256Digest([0; 32]),
            TaskKind::Refine,
            TaskId::new("x").unwrap(),
        )
        .unwrap_err();
        assert!(matches!(err, CommitmentError::RepoTooLong { len: 129, .. }));
        assert!(err.to_string().contains("at most 86 characters"), "{err}");
    }

    #[test]
    fn every_malformation_has_its_own_error() {
        let good = sample().to_info().into_fields();
        let with = |index: usize, data: Data| {
            let mut fields = good.clone();
            fields[index] = data;
            Commitment::from_info(&info_with(fields)).unwrap_err()
        };
        assert_eq!(
            Commitment::from_info(&info_with(good[..2].to_vec())).unwrap_err(),
            CommitmentError::FieldCount { found: 2 }
        );
        assert_eq!(
            with(0, Data::Sha256([0; 32])),
            CommitmentError::WrongVariant {
                field: 0,
                expected: "Raw",
                found: "Sha256"
            }
        );
        assert_eq!(
            with(1, raw("digest")),
            CommitmentError::WrongVariant {
                field: 1,
                expected: "Sha256",
                found: "Raw"
            }
        );
        assert_eq!(
            with(1, Data::BlakeTwo256([0; 32])).to_string(),
            "field 1: expected Sha256, found BlakeTwo256"
        );
        assert_eq!(
            with(2, Data::big_raw(*b"nya1:refine:t1").unwrap()).to_string(),
            "field 2: expected Raw, found BigRaw"
        );
        assert_eq!(
            with(0, Data::raw([b'a', 0xff]).unwrap()),
            CommitmentError::NotUtf8 {
                field: 0,
                valid_up_to: 1
            }
        );
        let msg = |index, text: &str| with(index, raw(text)).to_string();
        assert_eq!(
            msg(0, "nya/d@abc"),
            "field 0: revision \"abc\" is not 40 hex characters (found 3)"
        );
        assert!(msg(0, &format!("nya/d@{}", REV.to_uppercase())).contains("uppercase"));
        assert!(msg(0, "nya-d").contains("has no '@'"));
        assert!(msg(0, &format!("nya--d/x@{REV}")).starts_with("field 0: repo id"));
        assert_eq!(
            msg(2, "nyb1:refine:t1"),
            "field 2: tag \"nyb1:refine:t1\" does not start with \"nya\""
        );
        assert_eq!(
            msg(2, "nya2:refine:t1"),
            "field 2: unknown commitment format version \"2\" (this build reads version 1)"
        );
        assert!(msg(2, "nya01:refine:t1").contains("unknown commitment format version \"01\""));
        assert!(msg(2, "nya:refine:t1").contains("not of the form"));
        assert!(msg(2, "nyax:refine:t1").contains("not of the form"));
        assert!(msg(2, "nya1-refine-t1").contains("not of the form"));
        assert!(msg(2, "nya1:refine").contains("not of the form"));
        assert_eq!(
            msg(2, "nya1:train:t1"),
            "field 2: unknown task kind \"train\" (expected \"refine\" or \"distill\")"
        );
        assert_eq!(msg(2, "nya1:refine:"), "field 2: task id is empty");
        assert!(msg(2, "nya1:refine:a:b").contains("':' at position 1"));
    }

    #[test]
    fn version_is_checked_before_layout() {
        // A future version with a different field 0 reports the version, not field 0.
        let mut fields = sample().to_info().into_fields();
        fields[0] = Data::Keccak256([0; 32]);
        fields[2] = raw("nya2:refine:t1");
        assert!(matches!(
            Commitment::from_info(&info_with(fields)),
            Err(CommitmentError::Tag(TagError::UnknownVersion { .. }))
        ));
    }

    #[test]
    fn scale_errors_are_reported() {
        let mut bytes = sample().to_scale();
        bytes.push(0);
        assert_eq!(
            Commitment::from_scale(&bytes).unwrap_err(),
            CommitmentError::Scale(DataError::TrailingBytes(1))
        );
        bytes.truncate(10);
        assert!(matches!(
            Commitment::from_scale(&bytes),
            Err(CommitmentError::Scale(DataError::Field { index: 0, .. }))
        ));
    }

    fn any_commitment() -> impl Strategy<Value = Commitment> {
        (
            "[A-Za-z0-9_]([A-Za-z0-9_]|[-.][A-Za-z0-9_]){0,20}",
            "[A-Za-z0-9_]([A-Za-z0-9_]|[-.][A-Za-z0-9_]){0,30}",
            "[0-9a-f]{40}",
            any::<[u8; 32]>(),
            prop_oneof![Just(TaskKind::Refine), Just(TaskKind::Distill)],
            "[A-Za-z0-9][A-Za-z0-9._-]{0,63}",
        )
            .prop_map(|(owner, name, rev, digest, kind, task)| {
                Commitment::new(
                    RepoRef::parse(&format!("{owner}/{name}@{rev}")).unwrap(),
                    Sha256Digest(digest),
                    kind,
                    TaskId::new(task).unwrap(),
                )
                .unwrap()
            })
    }

    proptest! {
        #[test]
        fn commitments_round_trip(c in any_commitment()) {
            prop_assert_eq!(Commitment::from_info(&c.to_info()).unwrap(), c.clone());
            prop_assert_eq!(Commitment::from_scale(&c.to_scale()).unwrap(), c);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            if let Ok(c) = Commitment::from_scale(&bytes) {
                // Accepted bytes are exactly the canonical encoding.
                prop_assert_eq!(c.to_scale(), bytes);
            }
        }

        #[test]
        fn arbitrary_field_texts_never_panic(f0 in "\\PC{0,32}", f2 in "\\PC{0,32}", digest in any::<[u8; 32]>()) {
            let fields = [f0.as_bytes(), f2.as_bytes()]
                .map(|b| Data::raw(b.to_vec()).unwrap());
            let [field0, field2] = fields;
            let info = info_with(vec![field0, Data::Sha256(digest), field2]);
            if let Ok(c) = Commitment::from_info(&info) {
                prop_assert_eq!(c.field0(), f0);
                prop_assert_eq!(c.tag(), f2);
            }
        }
    }
}
