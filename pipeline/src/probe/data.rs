//! Training and evaluation text: where it is read from and how it is packed.
//!
//! A text source is one of:
//! - a dataset folder (as `refine` writes it): every `.parquet` and `.jsonl` file under it, in
//!   sorted path order (`README.md`, the manifest and other files are skipped);
//! - a single `.parquet` file with a `text` column (String; null rows are skipped);
//! - a single `.jsonl` file, one JSON object per line with a string field `text` (blank lines
//!   skipped);
//! - a single `.txt` file, read as one document.
//!
//! Packing: each document's ids followed by the end-of-text id form one stream, cut into
//! non-overlapping windows of `seq_len + 1` ids (inputs are a window's first `seq_len` ids,
//! targets its last `seq_len`). Reading stops as soon as the windows a run needs are full, so
//! only the data the token budget uses is read and held (as u32 ids, never as one tensor).

use std::fs::File;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use polars::prelude::{DataType, ParquetReader, SerReader};

use super::ProbeError;
use super::tokenizer::ProbeTokenizer;
use crate::dataset_dir;
use crate::jsonl::{self, JsonlError};

/// What a visitor tells the reader after each document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visit {
    Continue,
    Stop,
}

/// The data files of `path`: the file itself, or a folder's `.parquet`/`.jsonl` files, sorted.
pub fn data_files(path: &Path) -> Result<Vec<PathBuf>, ProbeError> {
    let meta = std::fs::metadata(path).map_err(|source| ProbeError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        return match FileKind::of(path) {
            Some(_) => Ok(vec![path.to_path_buf()]),
            None => Err(ProbeError::UnsupportedFile {
                path: path.to_path_buf(),
            }),
        };
    }
    let files: Vec<PathBuf> = dataset_dir::list_files(path)
        .map_err(|e| ProbeError::Dataset(e.to_string()))?
        .into_iter()
        .map(|relative| path.join(relative))
        .filter(|file| {
            matches!(
                FileKind::of(file),
                Some(FileKind::Parquet | FileKind::Jsonl)
            )
        })
        .collect();
    if files.is_empty() {
        return Err(ProbeError::NoDataFiles {
            path: path.to_path_buf(),
        });
    }
    Ok(files)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Parquet,
    Jsonl,
    Text,
}

impl FileKind {
    fn of(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "parquet" => Some(Self::Parquet),
            "jsonl" => Some(Self::Jsonl),
            "txt" => Some(Self::Text),
            _ => None,
        }
    }
}

/// Calls `visit` with every document of `path` (see the module doc) until it says stop.
/// Returns the number of documents visited.
pub fn read_texts(
    path: &Path,
    visit: &mut dyn FnMut(&str) -> Result<Visit, ProbeError>,
) -> Result<u64, ProbeError> {
    let mut documents = 0u64;
    let mut counted = |text: &str| {
        documents += 1;
        visit(text)
    };
    for file in data_files(path)? {
        let flow = match FileKind::of(&file) {
            Some(FileKind::Parquet) => read_parquet(&file, &mut counted)?,
            Some(FileKind::Jsonl) => read_jsonl(&file, &mut counted)?,
            Some(FileKind::Text) => {
                let text = std::fs::read_to_string(&file).map_err(|source| ProbeError::Io {
                    path: file.clone(),
                    source,
                })?;
                counted(&text)?
            }
            None => Visit::Continue,
        };
        if flow == Visit::Stop {
            break;
        }
    }
    Ok(documents)
}

fn read_parquet(
    path: &Path,
    visit: &mut dyn FnMut(&str) -> Result<Visit, ProbeError>,
) -> Result<Visit, ProbeError> {
    let parquet_error = |source| ProbeError::Parquet {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(|source| ProbeError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = ParquetReader::new(file);
    let schema = reader.schema().map_err(parquet_error)?;
    if schema.get("text").is_none() {
        let columns: Vec<String> = schema.iter_names().map(|n| format!("{n:?}")).collect();
        return Err(ProbeError::NoTextColumn {
            path: path.to_path_buf(),
            columns: columns.join(", "),
        });
    }
    let frame = reader
        .with_columns(Some(vec!["text".into()]))
        .finish()
        .map_err(parquet_error)?;
    let column = frame.column("text").map_err(parquet_error)?;
    if column.dtype() != &DataType::String {
        return Err(ProbeError::NotTextColumn {
            path: path.to_path_buf(),
            dtype: column.dtype().to_string(),
        });
    }
    let texts = column.str().map_err(parquet_error)?;
    for text in texts.iter().flatten() {
        if visit(text)? == Visit::Stop {
            return Ok(Visit::Stop);
        }
    }
    Ok(Visit::Continue)
}

fn read_jsonl(
    path: &Path,
    visit: &mut dyn FnMut(&str) -> Result<Visit, ProbeError>,
) -> Result<Visit, ProbeError> {
    let flow = jsonl::for_each_value(
        path,
        |e| {
            probe_jsonl_error(path, e, |line, reason| ProbeError::Jsonl {
                path: path.to_path_buf(),
                line,
                reason,
            })
        },
        |line, value| {
            let bad = |reason: String| ProbeError::Jsonl {
                path: path.to_path_buf(),
                line,
                reason,
            };
            let text = match value.get("text") {
                Some(serde_json::Value::String(text)) => text,
                Some(other) => return Err(bad(format!("`text` is {}, not a string", kind(other)))),
                None => return Err(bad("no `text` field".into())),
            };
            Ok(match visit(text)? {
                Visit::Stop => ControlFlow::Break(()),
                Visit::Continue => ControlFlow::Continue(()),
            })
        },
    )?;
    Ok(if flow.is_break() {
        Visit::Stop
    } else {
        Visit::Continue
    })
}

/// A [`JsonlError`] as a probe error: I/O as such, a bad line through `line_error`.
pub(crate) fn probe_jsonl_error(
    path: &Path,
    error: JsonlError,
    line_error: impl FnOnce(u64, String) -> ProbeError,
) -> ProbeError {
    match error {
        JsonlError::Io { source, .. } => ProbeError::Io {
            path: path.to_path_buf(),
            source,
        },
        JsonlError::Line { line, reason } => line_error(line, reason),
    }
}

/// A JSON value's kind, for messages.
pub(crate) fn kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Packed training windows of `seq_len + 1` ids each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedSequences {
    tokens: Vec<u32>,
    window: usize,
    documents: u64,
}

impl PackedSequences {
    /// Packs `count` windows from in-memory texts.
    pub fn from_texts<'a>(
        texts: impl IntoIterator<Item = &'a str>,
        tokenizer: &ProbeTokenizer,
        seq_len: usize,
        count: usize,
    ) -> Result<Self, ProbeError> {
        let mut packer = Packer::new(seq_len, count)?;
        for text in texts {
            if packer.push(tokenizer, text)? == Visit::Stop {
                break;
            }
        }
        packer.finish("the training texts")
    }

    /// Packs `count` windows from the text source `path`.
    pub fn from_path(
        path: &Path,
        tokenizer: &ProbeTokenizer,
        seq_len: usize,
        count: usize,
    ) -> Result<Self, ProbeError> {
        let mut packer = Packer::new(seq_len, count)?;
        read_texts(path, &mut |text| packer.push(tokenizer, text))?;
        packer.finish(&path.display().to_string())
    }

    /// Whole windows of `seq_len + 1` ids cut from ids tokenised elsewhere (the remainder is
    /// dropped).
    pub fn from_ids(mut tokens: Vec<u32>, seq_len: usize) -> Result<Self, ProbeError> {
        let window = seq_len
            .checked_add(1)
            .filter(|_| seq_len > 0)
            .ok_or_else(|| ProbeError::Config(format!("sequence length {seq_len}")))?;
        let count = tokens.len() / window;
        if count == 0 {
            return Err(ProbeError::NotEnoughData {
                origin: "the given ids".into(),
                needed: window as u64,
                available: tokens.len() as u64,
            });
        }
        tokens.truncate(count * window);
        Ok(Self {
            tokens,
            window,
            documents: 0,
        })
    }

    /// Number of windows.
    pub fn len(&self) -> usize {
        self.tokens.len() / self.window
    }

    /// Whether there is no window (never true for a packed set).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Tokens per window (`seq_len + 1`).
    pub fn window(&self) -> usize {
        self.window
    }

    /// Documents read to fill the windows (the last one possibly in part).
    pub fn documents(&self) -> u64 {
        self.documents
    }

    /// Window `index`.
    pub fn get(&self, index: usize) -> Option<&[u32]> {
        let start = index.checked_mul(self.window)?;
        self.tokens.get(start..start.checked_add(self.window)?)
    }
}

/// Accumulates ids until `count` windows are full.
struct Packer {
    tokens: Vec<u32>,
    window: usize,
    needed: usize,
    documents: u64,
}

impl Packer {
    fn new(seq_len: usize, count: usize) -> Result<Self, ProbeError> {
        let window = seq_len
            .checked_add(1)
            .filter(|_| seq_len > 0)
            .ok_or_else(|| ProbeError::Config(format!("sequence length {seq_len}")))?;
        let needed = window
            .checked_mul(count)
            .filter(|n| *n > 0)
            .ok_or_else(|| ProbeError::Config(format!("{count} windows of {window} tokens")))?;
        Ok(Self {
            tokens: Vec::new(),
            window,
            needed,
            documents: 0,
        })
    }

    fn push(&mut self, tokenizer: &ProbeTokenizer, text: &str) -> Result<Visit, ProbeError> {
        if self.tokens.len() >= self.needed {
            return Ok(Visit::Stop);
        }
        if text.is_empty() {
            return Ok(Visit::Continue);
        }
        self.documents += 1;
        tokenizer.encode_into(text, &mut self.tokens)?;
        self.tokens.push(tokenizer.end_of_text());
        Ok(if self.tokens.len() >= self.needed {
            Visit::Stop
        } else {
            Visit::Continue
        })
    }

    fn finish(mut self, source: &str) -> Result<PackedSequences, ProbeError> {
        if self.documents == 0 {
            return Err(ProbeError::EmptyDataset {
                origin: source.to_owned(),
            });
        }
        if self.tokens.len() < self.needed {
            return Err(ProbeError::NotEnoughData {
                origin: source.to_owned(),
                needed: self.needed as u64,
                available: self.tokens.len() as u64,
            });
        }
        self.tokens.truncate(self.needed);
        self.tokens.shrink_to_fit();
        Ok(PackedSequences {
            tokens: self.tokens,
            window: self.window,
            documents: self.documents,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{Column, DataFrame, ParquetWriter};

    fn write_parquet(path: &Path, columns: Vec<Column>) {
        let rows = columns.first().map_or(0, |c| c.len());
        let mut frame = DataFrame::new(rows, columns).unwrap();
        ParquetWriter::new(File::create(path).unwrap())
            .finish(&mut frame)
            .unwrap();
    }

    fn collect(path: &Path) -> Result<Vec<String>, ProbeError> {
        let mut out = Vec::new();
        read_texts(path, &mut |t| {
            out.push(t.to_owned());
            Ok(Visit::Continue)
        })?;
        Ok(out)
    }

    #[test]
    fn reads_a_dataset_folder_in_path_order() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("data")).unwrap();
        let shard = |name: &str, texts: &[Option<&str>]| {
            write_parquet(
                &tmp.path().join("data").join(name),
                vec![
                    Column::new("text".into(), texts.to_vec()),
                    Column::new("id".into(), vec!["x"; texts.len()]),
                ],
            )
        };
        shard("train-00001.parquet", &[Some("c")]);
        shard("train-00000.parquet", &[Some("a"), None, Some("b")]);
        std::fs::write(tmp.path().join("README.md"), "# card").unwrap();
        std::fs::write(tmp.path().join("extra.jsonl"), "{\"text\": \"d\"}\n\n").unwrap();
        assert_eq!(collect(tmp.path()).unwrap(), ["a", "b", "c", "d"]);
    }

    #[test]
    fn bad_sources_are_named() {
        let tmp = tempfile::tempdir().unwrap();
        let err = collect(tmp.path()).unwrap_err().to_string();
        assert!(err.contains("no data files"), "{err}");

        let numbers = tmp.path().join("numbers.parquet");
        write_parquet(&numbers, vec![Column::new("text".into(), vec![1i64, 2])]);
        let err = collect(&numbers).unwrap_err().to_string();
        assert!(
            err.contains("numbers.parquet") && err.contains("i64"),
            "{err}"
        );

        let other = tmp.path().join("other.parquet");
        write_parquet(&other, vec![Column::new("body".into(), vec!["x"])]);
        let err = collect(&other).unwrap_err().to_string();
        assert!(
            err.contains("no `text` column") && err.contains("\"body\""),
            "{err}"
        );

        let jsonl = tmp.path().join("bad.jsonl");
        std::fs::write(&jsonl, "{\"text\": \"ok\"}\n{\"text\": 3}\n").unwrap();
        let err = collect(&jsonl).unwrap_err().to_string();
        assert!(
            err.contains("bad.jsonl:2") && err.contains("a number"),
            "{err}"
        );
        std::fs::write(&jsonl, "{\"body\": \"x\"}\n").unwrap();
        let err = collect(&jsonl).unwrap_err().to_string();
        assert!(err.contains("bad.jsonl:1: no `text` field"), "{err}");
        std::fs::write(&jsonl, "not json\n").unwrap();
        assert!(
            collect(&jsonl)
                .unwrap_err()
                .to_string()
                .contains("not JSON")
        );

        let csv = tmp.path().join("a.csv");
        std::fs::write(&csv, "text\nx\n").unwrap();
        let err = collect(&csv).unwrap_err().to_string();
        assert!(
            err.contains("a.csv") && err.contains("unsupported"),
            "{err}"
        );
        let err = collect(&tmp.path().join("missing"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing: cannot read"), "{err}");
    }

    #[test]
    fn packs_documents_with_end_of_text() {
        let tokenizer = ProbeTokenizer::bytes();
        let packed = PackedSequences::from_texts(["ab", "", "cde"], &tokenizer, 2, 2).unwrap();
        assert_eq!(packed.len(), 2);
        assert_eq!(packed.get(0), Some(&[97, 98, 256][..]));
        assert_eq!(packed.get(1), Some(&[99, 100, 101][..]));
        assert_eq!(packed.get(2), None);
        assert_eq!(packed.documents(), 2);
    }

    #[test]
    fn too_little_or_no_data_is_an_error() {
        let tokenizer = ProbeTokenizer::bytes();
        let err = PackedSequences::from_texts(["abc"], &tokenizer, 4, 3)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("needs 15 tokens") && err.contains("only 4"),
            "{err}"
        );
        let err = PackedSequences::from_texts(["", ""], &tokenizer, 4, 3)
            .unwrap_err()
            .to_string();
        assert!(err.contains("holds no text"), "{err}");
    }

    #[test]
    fn reading_stops_once_the_windows_are_full() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("docs.jsonl");
        // The third line is broken: reading must stop before it.
        std::fs::write(
            &path,
            "{\"text\": \"abcdef\"}\n{\"text\": \"gh\"}\nbroken\n",
        )
        .unwrap();
        let packed = PackedSequences::from_path(&path, &ProbeTokenizer::bytes(), 3, 2).unwrap();
        assert_eq!(packed.len(), 2);
        assert_eq!(packed.documents(), 2);
    }
}
