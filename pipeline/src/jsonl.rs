//! JSON-lines input read one way everywhere (probe data and evaluation files, distillation
//! documents): one JSON value per line, blank lines skipped, and failures that say which line and
//! what was wrong. Each caller turns a [`JsonlError`] into its own error type.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::ops::ControlFlow;
use std::path::Path;

/// What went wrong below the caller's own checks.
#[derive(Debug)]
pub enum JsonlError {
    /// The file could not be opened or read (`action` is "opening" or "reading").
    Io {
        action: &'static str,
        source: io::Error,
    },
    /// Line `line` (1-based) is not valid UTF-8 or not JSON.
    Line { line: u64, reason: String },
}

/// Parses each non-blank line of `path` and hands it to `visit` with its 1-based line number,
/// until the end or until `visit` breaks. `error` converts this module's failures.
pub fn for_each_value<E>(
    path: &Path,
    error: impl Fn(JsonlError) -> E,
    mut visit: impl FnMut(u64, serde_json::Value) -> Result<ControlFlow<()>, E>,
) -> Result<ControlFlow<()>, E> {
    let io_error = |action, source| error(JsonlError::Io { action, source });
    let file = File::open(path).map_err(|source| io_error("opening", source))?;
    for (index, line) in BufReader::new(file).lines().enumerate() {
        let line_no = index as u64 + 1;
        let bad = |reason: String| {
            error(JsonlError::Line {
                line: line_no,
                reason,
            })
        };
        let line = line.map_err(|e| match e.kind() {
            io::ErrorKind::InvalidData => bad("not valid UTF-8".into()),
            _ => io_error("reading", e),
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let value = serde_json::from_str(&line).map_err(|e| bad(format!("not JSON: {e}")))?;
        if visit(line_no, value)?.is_break() {
            return Ok(ControlFlow::Break(()));
        }
    }
    Ok(ControlFlow::Continue(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &[u8]) -> Result<Vec<(u64, serde_json::Value)>, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        std::fs::write(&path, text).unwrap();
        let mut values = Vec::new();
        let error = |e: JsonlError| match e {
            JsonlError::Io { action, source } => format!("{action}: {source}"),
            JsonlError::Line { line, reason } => format!("line {line}: {reason}"),
        };
        let _ = for_each_value(&path, error, |line, value| {
            values.push((line, value));
            Ok(ControlFlow::Continue(()))
        })?;
        Ok(values)
    }

    #[test]
    fn values_come_with_line_numbers_and_bad_lines_are_named() {
        let values = read(b"{\"a\": 1}\n\n  \n[2]\n").unwrap();
        assert_eq!(values.len(), 2);
        assert_eq!(values[1], (4, serde_json::json!([2])));
        assert!(
            read(b"{}\n{oops\n")
                .unwrap_err()
                .starts_with("line 2: not JSON")
        );
        assert_eq!(
            read(b"{}\n\"\xff\"\n").unwrap_err(),
            "line 2: not valid UTF-8"
        );
        let missing = for_each_value(
            Path::new("/nonexistent/nya.jsonl"),
            |e| {
                matches!(
                    e,
                    JsonlError::Io {
                        action: "opening",
                        ..
                    }
                )
            },
            |_, _| Ok(ControlFlow::Continue(())),
        );
        assert_eq!(missing, Err(true));
    }

    #[test]
    fn visit_can_stop_early() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        std::fs::write(&path, "1\n2\n3\n").unwrap();
        let mut seen = 0;
        let flow = for_each_value(
            &path,
            |_| (),
            |_, _| {
                seen += 1;
                Ok(if seen == 2 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                })
            },
        );
        assert_eq!((flow, seen), (Ok(ControlFlow::Break(())), 2));
    }
}
