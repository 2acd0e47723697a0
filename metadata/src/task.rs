//! Task-server wire types (JSON over HTTP) and the signed-request envelope.
//!
//! # Identifiers
//!
//! - [`TaskId`]: the task server's id for one task, `[A-Za-z0-9][A-Za-z0-9._-]{0,63}` (ASCII,
//!   1–64 characters, first one alphanumeric so an id is never `.`/`..` or a hidden file name
//!   when a miner keeps per-task state on disk). It is the last part of the on-chain tag
//!   (see [`crate::commitment`]), which is why it may not contain `:`.
//! - [`TaskKind`]: `refine` | `distill` (JSON and text form are the lowercase names).
//! - [`Ss58Address`]: a hotkey in SS58 text form. Only the shape is checked here (base58
//!   alphabet, 47–50 characters); decoding the key and its blake2 checksum needs the key types of
//!   `nya-chain`.
//!
//! # JSON bodies (every struct rejects unknown fields)
//!
//! ```json
//! POST /v1/tasks/next     {"netuid": 7, "kind": "refine"}            ("kind" optional)
//!   200                   {"task": {"id": "refine-000042", "netuid": 7,
//!                            "assigned_to": "5F…", "created_at_block": 1200,
//!                            "payload": {"kind": "refine", "warcs": ["crawl-data/…warc.gz"]}}}
//!                         {"task": null}                              (nothing to do now)
//! POST /v1/tasks/finish   {"task_id": "refine-000042", "repo": "alice/nya-refine",
//!                          "revision": "<40 lowercase hex>", "content_digest": "<64 hex>"}
//! GET  /v1/tasks/{id}     {"task_id": "…", "status": {"state": "finished", "repo": "o/n@rev",
//!                          "content_digest": "…"}}
//! errors                  {"error": "what was wrong"}
//! ```
//!
//! A distill payload reads
//! `{"kind": "distill", "documents": [{"dataset": "o/n@rev", "file": "data/x.parquet",
//! "first_row": 0, "rows": 512}], "model": "o/m@rev", "top_k": 20, "seq_len": 2048}`.
//!
//! The route names above are the task server's business; this module fixes the bodies. Serde
//! checks the shape and every identifier; `validate()` (called by the `from_json` helpers) checks
//! the cross-field limits (non-empty lists, `top_k`, `seq_len`).
//!
//! # Signed requests
//!
//! See [`signing`]: every request carries `X-Nya-Hotkey`, `X-Nya-Timestamp`, `X-Nya-Nonce` and
//! `X-Nya-Signature`, an sr25519 signature over [`signing::signing_message`].

pub mod signing;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::commitment::{RepoId, RepoRef, Revision};
use crate::manifest::Sha256Digest;
use crate::provenance::{ProvenanceError, validate_warc_location};

pub use signing::{
    HEADER_HOTKEY, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, HeaderError, Nonce,
    ReplayError, ReplayKey, ReplayWindow, SIGNING_DOMAIN, Signature, SignedHeaders, SigningError,
    signing_message,
};

/// Longest [`TaskId`], in bytes (all ASCII).
pub const MAX_TASK_ID_LEN: usize = 64;
/// Most WARC files one refine task may name.
pub const MAX_WARCS_PER_TASK: usize = 1_000;
/// Most document slices one distill task may name.
pub const MAX_DOCUMENT_SLICES_PER_TASK: usize = 10_000;
/// Largest `top_k` a distill task may ask for.
pub const MAX_TOP_K: u32 = 1_024;
/// Largest `seq_len` (tokens per window) a distill task may ask for.
pub const MAX_SEQ_LEN: u32 = 131_072;
/// Longest error message in an [`ErrorResponse`], in bytes.
pub const MAX_ERROR_MESSAGE_LEN: usize = 4_096;

/// Longest excerpt of hostile input quoted back in an error message, in characters.
const EXCERPT_CHARS: usize = 100;

/// `s` shortened for an error message: at most [`EXCERPT_CHARS`] characters, `…` when cut.
/// Error messages quote input with `{:?}`, which escapes control characters.
pub(crate) fn excerpt(s: &str) -> String {
    match s.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

/// What a task asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskKind {
    /// Run the refine recipe over WARC files and publish the refined documents.
    Refine,
    /// Run the teacher model over documents and publish top-k log-probabilities.
    Distill,
}

impl TaskKind {
    /// Every kind, in a fixed order.
    pub const ALL: [TaskKind; 2] = [TaskKind::Refine, TaskKind::Distill];

    /// The wire name: `refine` or `distill`.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::Refine => "refine",
            TaskKind::Distill => "distill",
        }
    }
}

impl fmt::Display for TaskKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not a [`TaskKind`] name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown task kind {found:?} (expected \"refine\" or \"distill\")")]
pub struct UnknownTaskKind {
    /// The rejected text (shortened).
    pub found: String,
}

impl FromStr for TaskKind {
    type Err = UnknownTaskKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TaskKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| UnknownTaskKind { found: excerpt(s) })
    }
}

/// Why a string is not a [`TaskId`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TaskIdError {
    /// The id is empty.
    #[error("task id is empty")]
    Empty,
    /// The id is longer than [`MAX_TASK_ID_LEN`].
    #[error("task id {id:?} is {len} bytes, more than {MAX_TASK_ID_LEN}")]
    TooLong {
        /// The id (shortened).
        id: String,
        /// Its length in bytes.
        len: usize,
    },
    /// A character outside `[A-Za-z0-9._-]`, or a first character that is not alphanumeric.
    #[error(
        "task id {id:?} has {ch:?} at position {at}; ids are [A-Za-z0-9._-] and start with a letter or digit"
    )]
    BadChar {
        /// The id (shortened).
        id: String,
        /// The offending character.
        ch: char,
        /// Its character position.
        at: usize,
    },
}

/// A task server's task id: `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TaskId(String);

impl TaskId {
    /// Checks `id` against the grammar.
    pub fn new(id: impl Into<String>) -> Result<Self, TaskIdError> {
        let id = id.into();
        if id.is_empty() {
            return Err(TaskIdError::Empty);
        }
        for (at, ch) in id.chars().enumerate() {
            let allowed = ch.is_ascii_alphanumeric() || (at > 0 && matches!(ch, '.' | '_' | '-'));
            if !allowed {
                return Err(TaskIdError::BadChar {
                    id: excerpt(&id),
                    ch,
                    at,
                });
            }
        }
        // All ASCII by now, so bytes are characters.
        if id.len() > MAX_TASK_ID_LEN {
            return Err(TaskIdError::TooLong {
                id: excerpt(&id),
                len: id.len(),
            });
        }
        Ok(TaskId(id))
    }

    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TaskId {
    type Err = TaskIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TaskId::new(s)
    }
}

impl TryFrom<String> for TaskId {
    type Error = TaskIdError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        TaskId::new(s)
    }
}

impl From<TaskId> for String {
    fn from(id: TaskId) -> String {
        id.0
    }
}

/// Base58 alphabet (Bitcoin order): no `0`, `O`, `I`, `l`.
const BASE58_ALPHABET: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/// Shortest SS58 text of a 32-byte account (1-byte network prefix, 2-byte checksum).
const SS58_MIN_LEN: usize = 47;
/// Longest SS58 text of a 32-byte account (2-byte network prefix, 2-byte checksum).
const SS58_MAX_LEN: usize = 50;

/// Why a string is not shaped like an SS58 address.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Ss58Error {
    /// Wrong number of characters.
    #[error(
        "SS58 address {address:?} is {len} characters; an account address has {SS58_MIN_LEN} to {SS58_MAX_LEN}"
    )]
    Length {
        /// The address (shortened).
        address: String,
        /// Its length in characters.
        len: usize,
    },
    /// A character outside the base58 alphabet.
    #[error("SS58 address {address:?} has {ch:?} at position {at}, which is not base58")]
    NotBase58 {
        /// The address (shortened).
        address: String,
        /// The offending character.
        ch: char,
        /// Its character position.
        at: usize,
    },
}

/// A hotkey or coldkey in SS58 text form, checked for shape only (alphabet and length).
///
/// The checksum and the public key are checked by `nya-chain`, which owns the key types.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Ss58Address(String);

impl Ss58Address {
    /// Checks the shape of `address`.
    pub fn new(address: impl Into<String>) -> Result<Self, Ss58Error> {
        let address = address.into();
        if let Some((at, ch)) = address
            .chars()
            .enumerate()
            .find(|(_, ch)| !BASE58_ALPHABET.contains(*ch))
        {
            return Err(Ss58Error::NotBase58 {
                address: excerpt(&address),
                ch,
                at,
            });
        }
        // Base58 is ASCII, so bytes are characters.
        if !(SS58_MIN_LEN..=SS58_MAX_LEN).contains(&address.len()) {
            return Err(Ss58Error::Length {
                len: address.len(),
                address: excerpt(&address),
            });
        }
        Ok(Ss58Address(address))
    }

    /// The address text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Ss58Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Ss58Address {
    type Err = Ss58Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ss58Address::new(s)
    }
}

impl TryFrom<String> for Ss58Address {
    type Error = Ss58Error;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Ss58Address::new(s)
    }
}

impl From<Ss58Address> for String {
    fn from(address: Ss58Address) -> String {
        address.0
    }
}

/// One task as the server hands it out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// The server's id for it.
    pub id: TaskId,
    /// The subnet it belongs to.
    pub netuid: u16,
    /// The hotkey it is assigned to.
    pub assigned_to: Ss58Address,
    /// The chain block at which the server created it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at_block: Option<u64>,
    /// What to do; its `kind` tag is the task's kind.
    pub payload: TaskPayload,
}

impl Task {
    /// The task's kind (from its payload).
    pub fn kind(&self) -> TaskKind {
        self.payload.kind()
    }

    /// Checks the limits serde cannot express.
    pub fn validate(&self) -> Result<(), TaskError> {
        self.payload.validate()
    }

    /// Parses and validates a task from JSON.
    pub fn from_json(json: &[u8]) -> Result<Self, TaskError> {
        let task: Task = serde_json::from_slice(json).map_err(TaskError::Json)?;
        task.validate()?;
        Ok(task)
    }
}

/// What a task asks the miner to do, tagged by `kind`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum TaskPayload {
    /// Refine these WARC files.
    Refine {
        /// CommonCrawl-relative paths or URLs of `.warc.gz` files (see
        /// [`crate::provenance::validate_warc_location`]).
        warcs: Vec<String>,
    },
    /// Distill the teacher over these documents.
    Distill {
        /// Where the documents come from.
        documents: Vec<DocumentSlice>,
        /// The teacher model, pinned to a revision.
        model: RepoRef,
        /// Log-probabilities kept per token.
        top_k: u32,
        /// Tokens per window.
        seq_len: u32,
    },
}

impl TaskPayload {
    /// The kind this payload belongs to.
    pub fn kind(&self) -> TaskKind {
        match self {
            TaskPayload::Refine { .. } => TaskKind::Refine,
            TaskPayload::Distill { .. } => TaskKind::Distill,
        }
    }

    /// Checks list sizes, WARC locations and numeric limits.
    pub fn validate(&self) -> Result<(), TaskError> {
        match self {
            TaskPayload::Refine { warcs } => {
                check_list_len("warcs", warcs.len(), MAX_WARCS_PER_TASK)?;
                for (index, warc) in warcs.iter().enumerate() {
                    validate_warc_location(warc)
                        .map_err(|source| TaskError::Warc { index, source })?;
                }
                Ok(())
            }
            TaskPayload::Distill {
                documents,
                top_k,
                seq_len,
                ..
            } => {
                check_list_len("documents", documents.len(), MAX_DOCUMENT_SLICES_PER_TASK)?;
                for (index, slice) in documents.iter().enumerate() {
                    slice
                        .validate()
                        .map_err(|reason| TaskError::Document { index, reason })?;
                }
                check_range("top_k", *top_k, MAX_TOP_K)?;
                check_range("seq_len", *seq_len, MAX_SEQ_LEN)
            }
        }
    }
}

fn check_list_len(field: &'static str, len: usize, max: usize) -> Result<(), TaskError> {
    if (1..=max).contains(&len) {
        Ok(())
    } else {
        Err(TaskError::ListLength { field, len, max })
    }
}

fn check_range(field: &'static str, value: u32, max: u32) -> Result<(), TaskError> {
    if (1..=max).contains(&value) {
        Ok(())
    } else {
        Err(TaskError::OutOfRange { field, value, max })
    }
}

/// A run of rows in one Parquet file of a published dataset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentSlice {
    /// The dataset, pinned to a revision.
    pub dataset: RepoRef,
    /// The file inside the dataset repo (same path rules as manifest entries).
    pub file: String,
    /// Index of the first row.
    pub first_row: u64,
    /// Number of rows (at least 1).
    pub rows: u64,
}

impl DocumentSlice {
    /// Checks the file path and the row range; the error is a reason phrase.
    fn validate(&self) -> Result<(), String> {
        crate::manifest::validate_repo_path(&self.file).map_err(|e| e.to_string())?;
        if self.rows == 0 {
            return Err("rows is 0".to_owned());
        }
        if self.first_row.checked_add(self.rows).is_none() {
            return Err(format!(
                "first_row {} + rows {} overflows u64",
                self.first_row, self.rows
            ));
        }
        Ok(())
    }
}

/// Body of "give me a task": the hotkey comes from the signed headers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextTaskRequest {
    /// The subnet the miner works on.
    pub netuid: u16,
    /// Only this kind, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<TaskKind>,
}

/// Answer to [`NextTaskRequest`]: a task, or `null` when there is none for now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextTaskResponse {
    /// The assigned task.
    pub task: Option<Task>,
}

impl NextTaskResponse {
    /// Parses the response and validates the task in it.
    pub fn from_json(json: &[u8]) -> Result<Self, TaskError> {
        let response: NextTaskResponse = serde_json::from_slice(json).map_err(TaskError::Json)?;
        if let Some(task) = &response.task {
            task.validate()?;
        }
        Ok(response)
    }
}

/// Body of "I finished this task": where the output is published and what it commits to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinishTaskRequest {
    /// The finished task.
    pub task_id: TaskId,
    /// The dataset repo.
    pub repo: RepoId,
    /// The commit holding the output.
    pub revision: Revision,
    /// The manifest's content digest (also committed on chain).
    pub content_digest: Sha256Digest,
}

/// Where a task stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase", deny_unknown_fields)]
pub enum TaskState {
    /// Handed out, not finished yet.
    Assigned,
    /// Reported finished.
    Finished {
        /// The published output.
        repo: RepoRef,
        /// Its content digest.
        content_digest: Sha256Digest,
    },
    /// Not finished in time; the server may hand it out again.
    Expired,
}

/// Answer to a status query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskStatus {
    /// The task asked about.
    pub task_id: TaskId,
    /// Its state.
    pub status: TaskState,
}

/// The body of every non-2xx answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorResponse {
    /// What was wrong, for a human (at most [`MAX_ERROR_MESSAGE_LEN`] bytes).
    pub error: String,
}

impl ErrorResponse {
    /// An error body, the message cut to [`MAX_ERROR_MESSAGE_LEN`] bytes on a char boundary.
    pub fn new(message: impl Into<String>) -> Self {
        let mut error = message.into();
        if error.len() > MAX_ERROR_MESSAGE_LEN {
            let cut = (0..=MAX_ERROR_MESSAGE_LEN)
                .rev()
                .find(|&i| error.is_char_boundary(i))
                .unwrap_or(0);
            error.truncate(cut);
        }
        ErrorResponse { error }
    }
}

/// Why a task body is not acceptable.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// Not JSON of the right shape (serde's message names the field and position).
    #[error("task JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// A list is empty or too long.
    #[error("{field} has {len} entries; expected 1 to {max}")]
    ListLength {
        /// The list's field name.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The most allowed.
        max: usize,
    },
    /// A number outside `1..=max`.
    #[error("{field} is {value}; expected 1 to {max}")]
    OutOfRange {
        /// The field name.
        field: &'static str,
        /// Its value.
        value: u32,
        /// The most allowed.
        max: u32,
    },
    /// A WARC location that is neither a clean relative path nor a URL.
    #[error("warcs[{index}]: {source}")]
    Warc {
        /// Position in `warcs`.
        index: usize,
        /// What was wrong.
        #[source]
        source: ProvenanceError,
    },
    /// A bad document slice.
    #[error("documents[{index}]: {reason}")]
    Document {
        /// Position in `documents`.
        index: usize,
        /// What was wrong.
        reason: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HOTKEY: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    const REV: &str = "0123456789abcdef0123456789abcdef01234567";

    fn refine_task() -> Task {
        Task {
            id: TaskId::new("refine-000042").unwrap(),
            netuid: 7,
            assigned_to: Ss58Address::new(HOTKEY).unwrap(),
            created_at_block: Some(1200),
            payload: TaskPayload::Refine {
                warcs: vec![
                    "crawl-data/CC-MAIN-2020-34/segments/1596439735792.85/warc/CC-MAIN-20200803083123-20200803113123-00000.warc.gz"
                        .to_owned(),
                ],
            },
        }
    }

    fn distill_task() -> Task {
        Task {
            id: TaskId::new("distill.7_a").unwrap(),
            netuid: 7,
            assigned_to: Ss58Address::new(HOTKEY).unwrap(),
            created_at_block: None,
            payload: TaskPayload::Distill {
                documents: vec![DocumentSlice {
                    dataset: format!("alice/nya-refine@{REV}").parse().unwrap(),
                    file: "data/train-00000.parquet".to_owned(),
                    first_row: 0,
                    rows: 512,
                }],
                model: format!("microsoft/Phi-3-medium-4k-instruct@{REV}")
                    .parse()
                    .unwrap(),
                top_k: 20,
                seq_len: 2048,
            },
        }
    }

    #[test]
    fn task_kind_text_and_json() {
        assert_eq!("refine".parse::<TaskKind>().unwrap(), TaskKind::Refine);
        assert_eq!("distill".parse::<TaskKind>().unwrap(), TaskKind::Distill);
        let err = "Refine".parse::<TaskKind>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown task kind \"Refine\" (expected \"refine\" or \"distill\")"
        );
        assert_eq!(
            serde_json::to_string(&TaskKind::Distill).unwrap(),
            "\"distill\""
        );
    }

    #[test]
    fn task_id_grammar() {
        for ok in ["a", "refine-000042", "A.b_c-9", &"x".repeat(64)] {
            assert_eq!(TaskId::new(ok).unwrap().as_str(), ok);
        }
        assert_eq!(TaskId::new("").unwrap_err(), TaskIdError::Empty);
        assert!(matches!(
            TaskId::new("x".repeat(65)),
            Err(TaskIdError::TooLong { len: 65, .. })
        ));
        for (bad, ch, at) in [
            (".hidden", '.', 0),
            ("-x", '-', 0),
            ("a:b", ':', 1),
            ("a b", ' ', 1),
            ("é", 'é', 0),
        ] {
            assert_eq!(
                TaskId::new(bad).unwrap_err(),
                TaskIdError::BadChar {
                    id: bad.to_owned(),
                    ch,
                    at
                },
                "{bad}"
            );
        }
        let msg = TaskId::new("a:b").unwrap_err().to_string();
        assert!(msg.contains("':' at position 1"), "{msg}");
    }

    #[test]
    fn ss58_shape() {
        assert_eq!(Ss58Address::new(HOTKEY).unwrap().as_str(), HOTKEY);
        let zero = HOTKEY.replace('G', "0");
        assert!(matches!(
            Ss58Address::new(zero),
            Err(Ss58Error::NotBase58 { ch: '0', at: 1, .. })
        ));
        assert!(matches!(
            Ss58Address::new(&HOTKEY[..40]),
            Err(Ss58Error::Length { len: 40, .. })
        ));
    }

    #[test]
    fn task_json_round_trip_and_shape() {
        for task in [refine_task(), distill_task()] {
            let json = serde_json::to_vec(&task).unwrap();
            assert_eq!(Task::from_json(&json).unwrap(), task);
        }
        let value = serde_json::to_value(refine_task()).unwrap();
        assert_eq!(value["payload"]["kind"], "refine");
        assert_eq!(value["id"], "refine-000042");
        assert_eq!(refine_task().kind(), TaskKind::Refine);
        assert_eq!(distill_task().kind(), TaskKind::Distill);
        // created_at_block is optional and omitted when absent.
        let value = serde_json::to_value(distill_task()).unwrap();
        assert!(value.get("created_at_block").is_none());
    }

    #[test]
    fn hostile_task_json_is_rejected_with_reasons() {
        let good = serde_json::to_value(refine_task()).unwrap();
        let cases: Vec<(serde_json::Value, &str)> = vec![
            (
                {
                    let mut v = good.clone();
                    v["extra"] = 1.into();
                    v
                },
                "unknown field `extra`",
            ),
            (
                {
                    let mut v = good.clone();
                    v["payload"]["extra"] = 1.into();
                    v
                },
                "unknown field `extra`",
            ),
            (
                {
                    let mut v = good.clone();
                    v["payload"]["kind"] = "train".into();
                    v
                },
                "unknown variant `train`",
            ),
            (
                {
                    let mut v = good.clone();
                    v["id"] = "a:b".into();
                    v
                },
                "task id \"a:b\" has ':'",
            ),
            (
                {
                    let mut v = good.clone();
                    v["netuid"] = 70000.into();
                    v
                },
                "invalid value",
            ),
            (
                {
                    let mut v = good.clone();
                    v["payload"]["warcs"] = serde_json::json!([]);
                    v
                },
                "warcs has 0 entries",
            ),
            (
                {
                    let mut v = good.clone();
                    v["payload"]["warcs"] = serde_json::json!(["../etc/passwd"]);
                    v
                },
                "warcs[0]:",
            ),
        ];
        for (value, expected) in cases {
            let err = Task::from_json(&serde_json::to_vec(&value).unwrap()).unwrap_err();
            assert!(
                err.to_string().contains(expected),
                "{err} should contain {expected:?}"
            );
        }
    }

    #[test]
    fn distill_limits() {
        let mut task = distill_task();
        if let TaskPayload::Distill { top_k, .. } = &mut task.payload {
            *top_k = 0;
        }
        assert_eq!(
            task.validate().unwrap_err().to_string(),
            "top_k is 0; expected 1 to 1024"
        );
        let mut task = distill_task();
        if let TaskPayload::Distill { documents, .. } = &mut task.payload {
            documents[0].first_row = u64::MAX;
        }
        let msg = task.validate().unwrap_err().to_string();
        assert!(msg.starts_with("documents[0]: first_row"), "{msg}");
        let mut task = distill_task();
        if let TaskPayload::Distill { documents, .. } = &mut task.payload {
            documents[0].file = "/abs.parquet".to_owned();
        }
        let msg = task.validate().unwrap_err().to_string();
        assert!(msg.starts_with("documents[0]:"), "{msg}");
    }

    #[test]
    fn requests_and_status_round_trip() {
        let finish = FinishTaskRequest {
            task_id: TaskId::new("t1").unwrap(),
            repo: "alice/nya-refine".parse().unwrap(),
            revision: REV.parse().unwrap(),
            content_digest: Sha256Digest([7; 32]),
        };
        let json = serde_json::to_string(&finish).unwrap();
        assert_eq!(
            serde_json::from_str::<FinishTaskRequest>(&json).unwrap(),
            finish
        );
        let upper = json.replace("abcdef", "ABCDEF");
        let err = serde_json::from_str::<FinishTaskRequest>(&upper).unwrap_err();
        assert!(err.to_string().contains("uppercase"), "{err}");

        let next = NextTaskRequest {
            netuid: 7,
            kind: None,
        };
        assert_eq!(serde_json::to_string(&next).unwrap(), r#"{"netuid":7}"#);
        let status = TaskStatus {
            task_id: TaskId::new("t1").unwrap(),
            status: TaskState::Finished {
                repo: format!("alice/x@{REV}").parse().unwrap(),
                content_digest: Sha256Digest([1; 32]),
            },
        };
        let json = serde_json::to_value(&status).unwrap();
        assert_eq!(json["status"]["state"], "finished");
        assert_eq!(serde_json::from_value::<TaskStatus>(json).unwrap(), status);
        let response = NextTaskResponse {
            task: Some(refine_task()),
        };
        let bytes = serde_json::to_vec(&response).unwrap();
        assert_eq!(NextTaskResponse::from_json(&bytes).unwrap(), response);
        assert_eq!(
            NextTaskResponse::from_json(br#"{"task":null}"#).unwrap(),
            NextTaskResponse { task: None }
        );
    }

    #[test]
    fn error_response_is_capped_on_a_char_boundary() {
        let long = "é".repeat(MAX_ERROR_MESSAGE_LEN);
        let response = ErrorResponse::new(long);
        assert!(response.error.len() <= MAX_ERROR_MESSAGE_LEN);
        assert!(response.error.chars().all(|c| c == 'é'));
        assert_eq!(ErrorResponse::new("short").error, "short");
    }

    #[test]
    fn excerpt_cuts_long_input() {
        assert_eq!(excerpt("abc"), "abc");
        let long = "é".repeat(150);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
    }

    proptest! {
        #[test]
        fn arbitrary_json_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = Task::from_json(&bytes);
            let _ = NextTaskResponse::from_json(&bytes);
            let _ = serde_json::from_slice::<FinishTaskRequest>(&bytes);
            let _ = serde_json::from_slice::<TaskStatus>(&bytes);
        }

        #[test]
        fn mutated_task_json_never_panics(index in any::<prop::sample::Index>(), byte in any::<u8>()) {
            let mut json = serde_json::to_vec(&distill_task()).unwrap();
            let at = index.index(json.len());
            json[at] = byte;
            let _ = Task::from_json(&json);
        }

        #[test]
        fn task_id_parse_is_total(s in "\\PC{0,80}") {
            match TaskId::new(s.clone()) {
                Ok(id) => prop_assert_eq!(id.as_str(), s.as_str()),
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }

        #[test]
        fn valid_task_ids_round_trip(s in "[A-Za-z0-9][A-Za-z0-9._-]{0,63}") {
            let id = TaskId::new(s.clone()).unwrap();
            let json = serde_json::to_string(&id).unwrap();
            prop_assert_eq!(serde_json::from_str::<TaskId>(&json).unwrap(), id);
        }
    }
}
