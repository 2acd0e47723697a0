//! Hugging Face repo ids, git revisions, and the `owner/name@revision` form that joins them.
//!
//! - [`RepoId`] `owner/name`: each part 1–96 ASCII letters, digits, `-`, `_`, `.`; neither part
//!   starts or ends with `-` or `.`, nor contains `--` or `..` (the Hub's rules for repo names,
//!   applied to the owner too). nya always names an owner.
//! - [`Revision`]: a full git commit id, exactly 40 **lowercase** hex characters. Uppercase is
//!   rejected, not normalised: git and the Hub print lowercase, and one commit must have exactly
//!   one on-chain byte string so commitments can be compared as bytes.
//! - [`RepoRef`] `owner/name@revision`: what field 0 of a commitment holds and what operators
//!   type (`--repo alice/nya-refine@0123…`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::task::excerpt;

/// Longest owner or repo name, in characters (the Hub's limit on names).
pub const MAX_REPO_PART_LEN: usize = 96;
/// Length of a [`Revision`].
pub const REVISION_LEN: usize = 40;

/// Why a string is not a [`RepoId`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RepoIdError {
    /// Not exactly one `/`.
    #[error("repo id {id:?} must be <owner>/<name> with exactly one '/'")]
    NotOwnerSlashName {
        /// The id (shortened).
        id: String,
    },
    /// The owner or the name is empty.
    #[error("repo id {id:?}: the {part} is empty")]
    EmptyPart {
        /// The id (shortened).
        id: String,
        /// `owner` or `name`.
        part: &'static str,
    },
    /// The owner or the name is over [`MAX_REPO_PART_LEN`].
    #[error("repo id {id:?}: the {part} is {len} characters, more than {MAX_REPO_PART_LEN}")]
    PartTooLong {
        /// The id (shortened).
        id: String,
        /// `owner` or `name`.
        part: &'static str,
        /// Its length.
        len: usize,
    },
    /// A character outside `[A-Za-z0-9._-]`.
    #[error(
        "repo id {id:?}: the {part} has {ch:?} at position {at}; only ASCII letters, digits, '-', '_' and '.' are allowed"
    )]
    BadChar {
        /// The id (shortened).
        id: String,
        /// `owner` or `name`.
        part: &'static str,
        /// The character.
        ch: char,
        /// Its character position within the part.
        at: usize,
    },
    /// Starts or ends with `-` or `.`.
    #[error("repo id {id:?}: the {part} starts or ends with {ch:?}")]
    BadEdge {
        /// The id (shortened).
        id: String,
        /// `owner` or `name`.
        part: &'static str,
        /// The character.
        ch: char,
    },
    /// Contains `--` or `..`.
    #[error("repo id {id:?}: the {part} contains {pair:?}")]
    DoubledSeparator {
        /// The id (shortened).
        id: String,
        /// `owner` or `name`.
        part: &'static str,
        /// `--` or `..`.
        pair: &'static str,
    },
}

/// A Hugging Face repo id, `owner/name` (rules in the module doc).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RepoId {
    /// `owner/name`.
    id: String,
    /// Byte position of the `/`.
    slash: usize,
}

impl RepoId {
    /// Checks `id` against the rules.
    pub fn new(id: impl Into<String>) -> Result<Self, RepoIdError> {
        let id = id.into();
        let mut parts = id.split('/');
        let (Some(owner), Some(name), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(RepoIdError::NotOwnerSlashName { id: excerpt(&id) });
        };
        check_part(&id, "owner", owner)?;
        check_part(&id, "name", name)?;
        let slash = owner.len();
        Ok(RepoId { id, slash })
    }

    /// From an owner and a name.
    pub fn from_parts(owner: &str, name: &str) -> Result<Self, RepoIdError> {
        RepoId::new(format!("{owner}/{name}"))
    }

    /// The owner (user or organisation).
    pub fn owner(&self) -> &str {
        &self.id[..self.slash]
    }

    /// The repo name.
    pub fn name(&self) -> &str {
        &self.id[self.slash + 1..]
    }

    /// `owner/name`.
    pub fn as_str(&self) -> &str {
        &self.id
    }
}

fn check_part(id: &str, part: &'static str, text: &str) -> Result<(), RepoIdError> {
    if text.is_empty() {
        return Err(RepoIdError::EmptyPart {
            id: excerpt(id),
            part,
        });
    }
    if let Some((at, ch)) = text
        .chars()
        .enumerate()
        .find(|(_, ch)| !(ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.')))
    {
        return Err(RepoIdError::BadChar {
            id: excerpt(id),
            part,
            ch,
            at,
        });
    }
    // ASCII from here on, so bytes are characters.
    if text.len() > MAX_REPO_PART_LEN {
        return Err(RepoIdError::PartTooLong {
            id: excerpt(id),
            part,
            len: text.len(),
        });
    }
    for edge in [text.chars().next(), text.chars().next_back()]
        .into_iter()
        .flatten()
    {
        if matches!(edge, '-' | '.') {
            return Err(RepoIdError::BadEdge {
                id: excerpt(id),
                part,
                ch: edge,
            });
        }
    }
    for pair in ["--", ".."] {
        if text.contains(pair) {
            return Err(RepoIdError::DoubledSeparator {
                id: excerpt(id),
                part,
                pair,
            });
        }
    }
    Ok(())
}

impl fmt::Display for RepoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

impl FromStr for RepoId {
    type Err = RepoIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RepoId::new(s)
    }
}

impl TryFrom<String> for RepoId {
    type Error = RepoIdError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        RepoId::new(s)
    }
}

impl From<RepoId> for String {
    fn from(id: RepoId) -> String {
        id.id
    }
}

/// Why a string is not a [`Revision`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RevisionError {
    /// Not 40 characters.
    #[error("revision {revision:?} is not {REVISION_LEN} hex characters (found {len})")]
    WrongLength {
        /// The revision (shortened).
        revision: String,
        /// Its length in characters.
        len: usize,
    },
    /// A character that is not a hex digit.
    #[error("revision {revision:?} has {ch:?} at position {at}, which is not a hex digit")]
    NotHex {
        /// The revision (shortened).
        revision: String,
        /// The character.
        ch: char,
        /// Its position.
        at: usize,
    },
    /// Hex with uppercase letters.
    #[error(
        "revision {revision:?} has uppercase hex; write the commit id in lowercase, as git and the Hub print it"
    )]
    Uppercase {
        /// The revision.
        revision: String,
    },
}

/// A git commit id: 40 lowercase hex characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Revision(String);

impl Revision {
    /// Checks `revision`.
    pub fn new(revision: impl Into<String>) -> Result<Self, RevisionError> {
        let revision = revision.into();
        let len = revision.chars().count();
        if len != REVISION_LEN {
            return Err(RevisionError::WrongLength {
                revision: excerpt(&revision),
                len,
            });
        }
        if let Some((at, ch)) = revision
            .chars()
            .enumerate()
            .find(|(_, ch)| !ch.is_ascii_hexdigit())
        {
            return Err(RevisionError::NotHex {
                revision: excerpt(&revision),
                ch,
                at,
            });
        }
        if revision.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(RevisionError::Uppercase { revision });
        }
        Ok(Revision(revision))
    }

    /// The 40 hex characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Revision {
    type Err = RevisionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Revision::new(s)
    }
}

impl TryFrom<String> for Revision {
    type Error = RevisionError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Revision::new(s)
    }
}

impl From<Revision> for String {
    fn from(revision: Revision) -> String {
        revision.0
    }
}

/// Why a string is not a [`RepoRef`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RepoRefError {
    /// No `@`.
    #[error("{input:?} has no '@'; expected <owner>/<name>@<40-hex revision>")]
    MissingAt {
        /// The input (shortened).
        input: String,
    },
    /// The part before `@`.
    #[error(transparent)]
    Repo(#[from] RepoIdError),
    /// The part after `@`.
    #[error(transparent)]
    Revision(#[from] RevisionError),
}

/// A repo pinned to a commit: `owner/name@revision`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RepoRef {
    /// The repo.
    pub repo: RepoId,
    /// The commit.
    pub revision: Revision,
}

impl RepoRef {
    /// Joins a repo and a revision.
    pub fn new(repo: RepoId, revision: Revision) -> Self {
        RepoRef { repo, revision }
    }

    /// Parses `owner/name@revision` (repo ids cannot contain `@`, so the first `@` splits).
    pub fn parse(input: &str) -> Result<Self, RepoRefError> {
        let (repo, revision) = input
            .split_once('@')
            .ok_or_else(|| RepoRefError::MissingAt {
                input: excerpt(input),
            })?;
        Ok(RepoRef {
            repo: RepoId::new(repo)?,
            revision: Revision::new(revision)?,
        })
    }
}

impl fmt::Display for RepoRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.repo, self.revision)
    }
}

impl FromStr for RepoRef {
    type Err = RepoRefError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RepoRef::parse(s)
    }
}

impl TryFrom<String> for RepoRef {
    type Error = RepoRefError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        RepoRef::parse(&s)
    }
}

impl From<RepoRef> for String {
    fn from(repo_ref: RepoRef) -> String {
        repo_ref.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const REV: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn repo_ids_follow_hub_rules() {
        for ok in ["alice/nya-refine", "a/b", "Org_1/x.y_z-2", "_a/b_"] {
            let id = RepoId::new(ok).unwrap();
            assert_eq!(id.as_str(), ok);
            assert_eq!(format!("{}/{}", id.owner(), id.name()), ok);
        }
        let long_name = format!("a/{}", "n".repeat(96));
        assert_eq!(RepoId::new(long_name).unwrap().name().len(), 96);
        let cases = [
            ("alice", "exactly one '/'"),
            ("a/b/c", "exactly one '/'"),
            ("/b", "the owner is empty"),
            ("a/", "the name is empty"),
            ("a/-b", "the name starts or ends with '-'"),
            ("a/b.", "the name starts or ends with '.'"),
            (".a/b", "the owner starts or ends with '.'"),
            ("a/b--c", "contains \"--\""),
            ("a..b/c", "the owner contains \"..\""),
            ("a/b c", "the name has ' ' at position 1"),
            ("a/b@c", "the name has '@' at position 1"),
            ("a/bé", "the name has 'é' at position 1"),
        ];
        for (input, expected) in cases {
            let msg = RepoId::new(input).unwrap_err().to_string();
            assert!(msg.contains(expected), "{input:?}: {msg}");
        }
        let too_long = format!("a/{}", "n".repeat(97));
        assert!(matches!(
            RepoId::new(too_long),
            Err(RepoIdError::PartTooLong {
                part: "name",
                len: 97,
                ..
            })
        ));
    }

    #[test]
    fn revisions_are_40_lowercase_hex() {
        assert_eq!(Revision::new(REV).unwrap().as_str(), REV);
        assert_eq!(
            Revision::new("abc").unwrap_err().to_string(),
            "revision \"abc\" is not 40 hex characters (found 3)"
        );
        let not_hex = format!("{}g", &REV[..39]);
        assert_eq!(
            Revision::new(not_hex).unwrap_err().to_string(),
            format!(
                "revision \"{}g\" has 'g' at position 39, which is not a hex digit",
                &REV[..39]
            )
        );
        let upper = REV.to_uppercase();
        assert!(matches!(
            Revision::new(upper),
            Err(RevisionError::Uppercase { .. })
        ));
        // 40 characters but multi-byte: counted as characters, reported as not hex.
        let accented = format!("é{}", &REV[1..]);
        assert!(matches!(
            Revision::new(accented),
            Err(RevisionError::NotHex {
                ch: 'é', at: 0, ..
            })
        ));
    }

    #[test]
    fn repo_ref_parse_and_display() {
        let text = format!("alice/nya-refine@{REV}");
        let parsed = RepoRef::parse(&text).unwrap();
        assert_eq!(parsed.repo.as_str(), "alice/nya-refine");
        assert_eq!(parsed.revision.as_str(), REV);
        assert_eq!(parsed.to_string(), text);
        assert_eq!(
            serde_json::to_string(&parsed).unwrap(),
            format!("\"{text}\"")
        );
        assert!(matches!(
            RepoRef::parse("alice/nya-refine"),
            Err(RepoRefError::MissingAt { .. })
        ));
        assert!(matches!(
            RepoRef::parse(&format!("alice@{REV}")),
            Err(RepoRefError::Repo(_))
        ));
        assert!(matches!(
            RepoRef::parse(&format!("a/b@{REV}@x")),
            Err(RepoRefError::Revision(_))
        ));
    }

    proptest! {
        #[test]
        fn arbitrary_strings_never_panic(s in "\\PC{0,200}") {
            if let Ok(parsed) = RepoRef::parse(&s) {
                prop_assert_eq!(parsed.to_string(), s.clone());
            }
            if let Ok(id) = RepoId::new(s.clone()) {
                prop_assert_eq!(id.as_str(), s.as_str());
            }
            let _ = Revision::new(s);
        }

        #[test]
        fn valid_refs_round_trip(
            owner in "[A-Za-z0-9_]([A-Za-z0-9_]|[-.][A-Za-z0-9_]){0,20}",
            name in "[A-Za-z0-9_]([A-Za-z0-9_]|[-.][A-Za-z0-9_]){0,40}",
            rev in "[0-9a-f]{40}",
        ) {
            let text = format!("{owner}/{name}@{rev}");
            let parsed = RepoRef::parse(&text).unwrap();
            prop_assert_eq!(parsed.repo.owner(), owner.as_str());
            prop_assert_eq!(parsed.repo.name(), name.as_str());
            prop_assert_eq!(parsed.to_string(), text);
        }
    }
}
