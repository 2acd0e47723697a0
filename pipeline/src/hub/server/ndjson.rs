//! The commit body of `POST /api/<type>s/<repo>/commit/<rev>`, read with bounded memory.
//!
//! Format (NDJSON, one JSON object a line, `{"key": …, "value": …}`): first a `header`
//! (`summary`, `description`, optional `parentCommit`), then operations: `file` (`path`,
//! `content`, `encoding: "base64"`), `lfsFile` (`path`, `algo: "sha256"`, `oid`, `size`),
//! `deletedFile` and `deletedFolder` (`path`).
//!
//! A `file` line can hold a whole large file in base64 (hf-hub sends LFS-sized files inline
//! when the server offers no Xet), so lines are not read whole: a small scanner copies each
//! line into a "skeleton" but diverts any string longer than [`SPILL_THRESHOLD`] into a spill
//! file (JSON escapes decoded on the way) and leaves a placeholder in its place. The skeleton,
//! at most [`MAX_SKELETON_BYTES`], is then parsed with serde_json. Hand-written because
//! serde_json buffers every string whole; the scanner only tracks string boundaries.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Strings longer than this go to a spill file.
pub const SPILL_THRESHOLD: usize = 64 * 1024;
/// Most bytes of a line outside its spilled strings.
pub const MAX_SKELETON_BYTES: usize = 1 << 20;
/// Marks a spilled string in the skeleton (NUL cannot appear raw in JSON text).
const PLACEHOLDER: &str = "\u{0}nya-spill:";

/// The commit header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub summary: String,
    pub description: String,
    pub parent_commit: Option<String>,
}

/// Base64 content, small (in memory) or spilled to a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    Inline(String),
    Spilled(PathBuf),
}

/// One operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operation {
    File {
        path: String,
        content: Content,
    },
    LfsFile {
        path: String,
        oid: String,
        size: u64,
    },
    DeletedFile {
        path: String,
    },
    DeletedFolder {
        path: String,
    },
}

/// A parsed commit body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitBody {
    pub header: Header,
    pub operations: Vec<Operation>,
}

/// Why a commit body was refused; `line` is 1-based.
#[derive(Debug, thiserror::Error)]
pub enum NdjsonError {
    #[error("commit body line {line}: {reason}")]
    Line { line: usize, reason: String },
    #[error("commit body: the first line must be the header")]
    NoHeader,
    #[error("commit body: more than {limit} operations")]
    TooManyOperations { limit: usize },
    #[error("commit body: {0}")]
    Io(#[from] io::Error),
}

fn line_error(line: usize, reason: impl Into<String>) -> NdjsonError {
    NdjsonError::Line {
        line,
        reason: reason.into(),
    }
}

/// Splits the body into lines, spilling long strings into files under `spill_dir`.
struct Scanner<'a> {
    spill_dir: &'a Path,
    line: usize,
    skeleton: Vec<u8>,
    in_string: bool,
    escape: bool,
    raw: Vec<u8>,
    spill: Option<BufWriter<File>>,
    spills: Vec<PathBuf>,
}

impl<'a> Scanner<'a> {
    fn new(spill_dir: &'a Path) -> Self {
        Scanner {
            spill_dir,
            line: 1,
            skeleton: Vec::new(),
            in_string: false,
            escape: false,
            raw: Vec::new(),
            spill: None,
            spills: Vec::new(),
        }
    }

    /// Feeds one byte; returns `true` at the end of a line.
    fn push(&mut self, byte: u8) -> Result<bool, NdjsonError> {
        if !self.in_string {
            match byte {
                b'\n' => return Ok(true),
                b'"' => {
                    self.in_string = true;
                    self.raw.clear();
                }
                _ => self.push_skeleton(&[byte])?,
            }
            return Ok(false);
        }
        if let Some(spill) = self.spill.as_mut() {
            if self.escape {
                self.escape = false;
                let decoded = decode_escape(byte).ok_or_else(|| {
                    line_error(self.line, "a long string holds a \\u or invalid escape")
                })?;
                spill.write_all(&[decoded])?;
            } else if byte == b'\\' {
                self.escape = true;
            } else if byte == b'"' {
                self.finish_spill()?;
            } else {
                spill.write_all(&[byte])?;
            }
            return Ok(false);
        }
        if self.escape {
            self.escape = false;
            self.raw.push(byte);
        } else if byte == b'\\' {
            self.escape = true;
            self.raw.push(byte);
        } else if byte == b'"' {
            self.in_string = false;
            let raw = std::mem::take(&mut self.raw);
            self.push_skeleton(b"\"")?;
            self.push_skeleton(&raw)?;
            self.push_skeleton(b"\"")?;
            return Ok(false);
        } else {
            self.raw.push(byte);
        }
        if !self.escape && self.raw.len() > SPILL_THRESHOLD {
            self.start_spill()?;
        }
        Ok(false)
    }

    fn push_skeleton(&mut self, bytes: &[u8]) -> Result<(), NdjsonError> {
        if self.skeleton.len() + bytes.len() > MAX_SKELETON_BYTES {
            return Err(line_error(
                self.line,
                format!("more than {MAX_SKELETON_BYTES} bytes outside long strings"),
            ));
        }
        self.skeleton.extend_from_slice(bytes);
        Ok(())
    }

    fn start_spill(&mut self) -> Result<(), NdjsonError> {
        let path = self
            .spill_dir
            .join(format!("spill-{}-{}", self.line, self.spills.len()));
        let mut out = BufWriter::new(File::create(&path)?);
        let raw = std::mem::take(&mut self.raw);
        let mut bytes = raw.iter();
        while let Some(&byte) = bytes.next() {
            if byte == b'\\' {
                let next = bytes
                    .next()
                    .copied()
                    .and_then(decode_escape)
                    .ok_or_else(|| {
                        line_error(self.line, "a long string holds a \\u or invalid escape")
                    })?;
                out.write_all(&[next])?;
            } else {
                out.write_all(&[byte])?;
            }
        }
        self.spill = Some(out);
        self.spills.push(path);
        Ok(())
    }

    fn finish_spill(&mut self) -> Result<(), NdjsonError> {
        if let Some(mut out) = self.spill.take() {
            out.flush()?;
        }
        self.in_string = false;
        let placeholder = format!("\"\\u0000nya-spill:{}\"", self.spills.len() - 1);
        self.push_skeleton(placeholder.as_bytes())
    }

    /// The finished line's skeleton and spill files; resets for the next line.
    fn take_line(&mut self) -> Result<(Vec<u8>, Vec<PathBuf>), NdjsonError> {
        if self.in_string {
            return Err(line_error(self.line, "unterminated string"));
        }
        self.line += 1;
        Ok((
            std::mem::take(&mut self.skeleton),
            std::mem::take(&mut self.spills),
        ))
    }
}

fn decode_escape(byte: u8) -> Option<u8> {
    Some(match byte {
        b'"' => b'"',
        b'\\' => b'\\',
        b'/' => b'/',
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        _ => return None,
    })
}

/// Parses a commit body from `reader`; long strings land in files under `spill_dir` (the
/// caller removes it).
pub fn parse(
    reader: impl Read,
    spill_dir: &Path,
    max_operations: usize,
) -> Result<CommitBody, NdjsonError> {
    let mut scanner = Scanner::new(spill_dir);
    let mut header = None;
    let mut operations = Vec::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut reader = reader;
    let mut handle_line = |scanner: &mut Scanner| -> Result<(), NdjsonError> {
        let line_no = scanner.line;
        let (skeleton, spills) = scanner.take_line()?;
        if skeleton.iter().all(u8::is_ascii_whitespace) && spills.is_empty() {
            return Ok(());
        }
        let value: Value = serde_json::from_slice(&skeleton)
            .map_err(|e| line_error(line_no, format!("not JSON: {e}")))?;
        let line = Line {
            no: line_no,
            value: &value,
            spills: &spills,
        };
        let key = line.text_at(&["key"])?;
        if header.is_none() {
            if key != "header" {
                return Err(NdjsonError::NoHeader);
            }
            header = Some(Header {
                summary: line.text_at(&["value", "summary"])?,
                description: line
                    .optional_text(&["value", "description"])?
                    .unwrap_or_default(),
                parent_commit: line.optional_text(&["value", "parentCommit"])?,
            });
            return Ok(());
        }
        if operations.len() >= max_operations {
            return Err(NdjsonError::TooManyOperations {
                limit: max_operations,
            });
        }
        let path = line.text_at(&["value", "path"])?;
        let operation = match key.as_str() {
            "file" => {
                let encoding = line.optional_text(&["value", "encoding"])?;
                if encoding.as_deref() != Some("base64") {
                    return Err(line_error(line_no, "file content must be base64"));
                }
                Operation::File {
                    path,
                    content: line.content(&["value", "content"])?,
                }
            }
            "lfsFile" => {
                let algo = line.optional_text(&["value", "algo"])?;
                if algo.as_deref().is_some_and(|a| a != "sha256") {
                    return Err(line_error(line_no, "lfsFile algo must be sha256"));
                }
                let oid = line.text_at(&["value", "oid"])?;
                if oid.len() != 64 || !oid.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(line_error(line_no, "lfsFile oid must be 64 hex characters"));
                }
                let size = line
                    .get(&["value", "size"])
                    .and_then(Value::as_u64)
                    .ok_or_else(|| line_error(line_no, "lfsFile size must be a whole number"))?;
                Operation::LfsFile {
                    path,
                    oid: oid.to_ascii_lowercase(),
                    size,
                }
            }
            "deletedFile" => Operation::DeletedFile { path },
            "deletedFolder" => Operation::DeletedFolder { path },
            other => {
                return Err(line_error(
                    line_no,
                    format!(
                        "unsupported operation {other:?} (file, lfsFile, deletedFile, deletedFolder)"
                    ),
                ));
            }
        };
        operations.push(operation);
        Ok(())
    };
    loop {
        let n = reader.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        for &byte in buffer.get(..n).unwrap_or_default() {
            if scanner.push(byte)? {
                handle_line(&mut scanner)?;
            }
        }
    }
    handle_line(&mut scanner)?;
    let header = header.ok_or(NdjsonError::NoHeader)?;
    Ok(CommitBody { header, operations })
}

/// One parsed line and its spilled strings.
struct Line<'a> {
    no: usize,
    value: &'a Value,
    spills: &'a [PathBuf],
}

impl Line<'_> {
    fn get(&self, path: &[&str]) -> Option<&Value> {
        path.iter().try_fold(self.value, |v, key| v.get(key))
    }

    fn optional_text(&self, path: &[&str]) -> Result<Option<String>, NdjsonError> {
        match self.get(path) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) if text.starts_with(PLACEHOLDER) => Err(line_error(
                self.no,
                format!("{} is longer than {SPILL_THRESHOLD} bytes", path.join(".")),
            )),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(line_error(
                self.no,
                format!("{} must be a string", path.join(".")),
            )),
        }
    }

    fn text_at(&self, path: &[&str]) -> Result<String, NdjsonError> {
        self.optional_text(path)?
            .ok_or_else(|| line_error(self.no, format!("{} is missing", path.join("."))))
    }

    fn content(&self, path: &[&str]) -> Result<Content, NdjsonError> {
        match self.get(path) {
            Some(Value::String(text)) => match text.strip_prefix(PLACEHOLDER) {
                Some(index) => index
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| self.spills.get(i))
                    .map(|p| Content::Spilled(p.clone()))
                    .ok_or_else(|| line_error(self.no, "bad spilled-string reference")),
                None => Ok(Content::Inline(text.clone())),
            },
            _ => Err(line_error(
                self.no,
                format!("{} must be a string", path.join(".")),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(lines: &[String]) -> Vec<u8> {
        lines
            .iter()
            .flat_map(|l| format!("{l}\n").into_bytes())
            .collect()
    }

    #[test]
    fn small_and_long_strings_round_trip() {
        let tmp = tempfile::tempdir().unwrap();
        let long = "QUJD".repeat(SPILL_THRESHOLD / 2);
        let text = body(&[
            r#"{"key":"header","value":{"summary":"add \"x\"","description":"","parentCommit":null}}"#.into(),
            r#"{"key":"file","value":{"content":"aGk=","path":"a.txt","encoding":"base64"}}"#.into(),
            format!(r#"{{"key":"file","value":{{"content":"{}\/","path":"big.bin","encoding":"base64"}}}}"#, long),
            format!(r#"{{"key":"lfsFile","value":{{"path":"m.parquet","algo":"sha256","oid":"{}","size":7}}}}"#, "AB".repeat(32)),
            r#"{"key":"deletedFile","value":{"path":"old"}}"#.into(),
        ]);
        let parsed = parse(text.as_slice(), tmp.path(), 10).unwrap();
        assert_eq!(parsed.header.summary, "add \"x\"");
        assert_eq!(parsed.header.parent_commit, None);
        assert_eq!(parsed.operations.len(), 4);
        assert_eq!(
            parsed.operations[0],
            Operation::File {
                path: "a.txt".into(),
                content: Content::Inline("aGk=".into())
            }
        );
        let Operation::File {
            path,
            content: Content::Spilled(spill),
        } = &parsed.operations[1]
        else {
            panic!("expected a spilled file: {:?}", parsed.operations[1]);
        };
        assert_eq!(path, "big.bin");
        assert_eq!(std::fs::read_to_string(spill).unwrap(), format!("{long}/"));
        assert_eq!(
            parsed.operations[2],
            Operation::LfsFile {
                path: "m.parquet".into(),
                oid: "ab".repeat(32),
                size: 7
            }
        );
    }

    #[test]
    fn hostile_bodies_are_refused_with_the_line() {
        let tmp = tempfile::tempdir().unwrap();
        let header = r#"{"key":"header","value":{"summary":"s"}}"#.to_string();
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (
                body(&[r#"{"key":"file","value":{}}"#.into()]),
                "first line must be the header",
            ),
            (
                body(&[header.clone(), "{not json".into()]),
                "line 2: not JSON",
            ),
            (
                body(&[
                    header.clone(),
                    r#"{"key":"copyFile","value":{"path":"a"}}"#.into(),
                ]),
                "unsupported operation \"copyFile\"",
            ),
            (
                body(&[
                    header.clone(),
                    r#"{"key":"file","value":{"path":"a","content":"x","encoding":"utf-8"}}"#
                        .into(),
                ]),
                "must be base64",
            ),
            (
                body(&[
                    header.clone(),
                    r#"{"key":"lfsFile","value":{"path":"a","oid":"12","size":1}}"#.into(),
                ]),
                "64 hex",
            ),
            (
                body(&[
                    header.clone(),
                    format!(
                        r#"{{"key":"file","value":{{"path":"{}","content":"","encoding":"base64"}}}}"#,
                        "p".repeat(SPILL_THRESHOLD + 1)
                    ),
                ]),
                "value.path is longer than",
            ),
            (
                body(&[
                    header.clone(),
                    format!(
                        r#"{{"key":"file","value":{{"path":"a","content":"{}\u0041","encoding":"base64"}}}}"#,
                        "A".repeat(SPILL_THRESHOLD + 1)
                    ),
                ]),
                "\\u or invalid escape",
            ),
            (
                format!("{header}\n{{\"key\":\"file\",\"value\":{{\"path\":\"a").into_bytes(),
                "line 2: unterminated string",
            ),
            (
                body(&[
                    header.clone(),
                    format!("[{}]", "0,".repeat(MAX_SKELETON_BYTES / 2 + 1)),
                ]),
                "outside long strings",
            ),
        ];
        for (text, expected) in cases {
            let err = parse(text.as_slice(), tmp.path(), 10)
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{expected:?} not in {err}");
        }
        let many = body(&[
            header,
            r#"{"key":"deletedFile","value":{"path":"a"}}"#.into(),
            r#"{"key":"deletedFile","value":{"path":"b"}}"#.into(),
        ]);
        let err = parse(many.as_slice(), tmp.path(), 1)
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than 1 operations"), "{err}");
    }
}
