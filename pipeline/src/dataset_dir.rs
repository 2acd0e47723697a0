//! A dataset folder on disk, as published to and fetched from the Hub: data files, `README.md`
//! (the dataset card) and `nya-manifest.json`.
//!
//! [`verify`] is what a validator runs on a fetched snapshot and an operator runs before
//! publishing: every file the manifest lists is there with its size and sha256, nothing else is
//! (besides the card and a few Hub housekeeping files), and the file digest matches.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use nya_metadata::manifest::{MANIFEST_FILE_NAME, Manifest, ManifestError, Sha256Digest};
use sha2::{Digest, Sha256};

/// Files a dataset repo may hold besides its data files.
pub const HOUSEKEEPING_FILES: [&str; 3] = [MANIFEST_FILE_NAME, "README.md", ".gitattributes"];

/// Why a dataset folder does not match its manifest. Each names the path and the rule.
#[derive(Debug, thiserror::Error)]
pub enum DatasetDirError {
    #[error("{path}: cannot read: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: {source}")]
    Manifest {
        path: PathBuf,
        source: ManifestError,
    },
    #[error("{path}: listed in the manifest but missing")]
    Missing { path: PathBuf },
    #[error("{path}: size {actual} bytes, manifest says {expected}")]
    Size {
        path: PathBuf,
        expected: u64,
        actual: u64,
    },
    #[error("{path}: sha256 {actual}, manifest says {expected}")]
    Sha256 {
        path: PathBuf,
        expected: Sha256Digest,
        actual: Sha256Digest,
    },
    #[error("{path}: not listed in the manifest")]
    Unexpected { path: PathBuf },
    #[error("{path}: a symbolic link; dataset folders hold plain files only")]
    Symlink { path: PathBuf },
}

/// SHA-256 and size of a file, streamed (data files can be large).
pub fn hash_file(path: &Path) -> Result<(Sha256Digest, u64), DatasetDirError> {
    let io_err = |source| DatasetDirError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io_err)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer).map_err(io_err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
    Ok((Sha256Digest(hasher.finalize().into()), size))
}

/// Reads `dir/nya-manifest.json` (strictly: schema, rules and file digest).
pub fn read_manifest(dir: &Path) -> Result<Manifest, DatasetDirError> {
    let path = dir.join(MANIFEST_FILE_NAME);
    let bytes = std::fs::read(&path).map_err(|source| DatasetDirError::Io {
        path: path.clone(),
        source,
    })?;
    Manifest::from_json(&bytes).map_err(|source| DatasetDirError::Manifest { path, source })
}

/// Checks a dataset folder against its manifest and returns the manifest.
pub fn verify(dir: &Path) -> Result<Manifest, DatasetDirError> {
    let manifest = read_manifest(dir)?;
    for entry in &manifest.files {
        let path = dir.join(&entry.path);
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(DatasetDirError::Missing { path });
            }
            Err(source) => return Err(DatasetDirError::Io { path, source }),
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(DatasetDirError::Symlink { path });
            }
            Ok(_) => {}
        }
        let (sha256, size) = hash_file(&path)?;
        if size != entry.size {
            return Err(DatasetDirError::Size {
                path,
                expected: entry.size,
                actual: size,
            });
        }
        if sha256 != entry.sha256 {
            return Err(DatasetDirError::Sha256 {
                path,
                expected: entry.sha256,
                actual: sha256,
            });
        }
    }
    let listed: BTreeSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    for relative in list_files(dir)? {
        if !listed.contains(relative.as_str()) && !HOUSEKEEPING_FILES.contains(&relative.as_str()) {
            return Err(DatasetDirError::Unexpected {
                path: dir.join(relative),
            });
        }
    }
    Ok(manifest)
}

/// Every file under `dir` as a `/`-separated relative path, sorted; symlinks are refused and
/// Hub cache folders (`.cache`, `.git`) skipped.
pub fn list_files(dir: &Path) -> Result<Vec<String>, DatasetDirError> {
    let mut out = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let absolute = dir.join(&relative);
        let entries = std::fs::read_dir(&absolute).map_err(|source| DatasetDirError::Io {
            path: absolute.clone(),
            source,
        })?;
        for entry in entries {
            let entry = entry.map_err(|source| DatasetDirError::Io {
                path: absolute.clone(),
                source,
            })?;
            let name = entry.file_name();
            let child = relative.join(&name);
            let kind = entry.file_type().map_err(|source| DatasetDirError::Io {
                path: dir.join(&child),
                source,
            })?;
            if kind.is_symlink() {
                return Err(DatasetDirError::Symlink {
                    path: dir.join(&child),
                });
            }
            if kind.is_dir() {
                if relative.as_os_str().is_empty() && (name == ".git" || name == ".cache") {
                    continue;
                }
                pending.push(child);
            } else {
                let text = child.to_string_lossy().replace('\\', "/");
                out.push(text);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// An I/O step of [`write_atomically`] that failed.
#[derive(Debug, thiserror::Error)]
#[error("{action} {}: {source}", path.display())]
pub struct FolderIoError {
    /// What was being done ("renaming into place", …).
    pub action: &'static str,
    /// The path it was done to.
    pub path: PathBuf,
    /// The operating system's error.
    pub source: io::Error,
}

/// Writes a dataset folder so that `out` only ever holds a complete one, whatever crashes when:
/// `fill` writes into a hidden sibling (`.<name>.nya-tmp-<pid>`; it should verify what it wrote),
/// which then takes `out`'s place (an existing `out` is moved aside first and removed after).
/// When `fill` fails the sibling is removed and `out` is untouched.
pub fn write_atomically<T, E: From<FolderIoError>>(
    out: &Path,
    fill: impl FnOnce(&Path) -> Result<T, E>,
) -> Result<T, E> {
    let failed = |action: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| {
            E::from(FolderIoError {
                action,
                path,
                source,
            })
        }
    };
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "dataset".to_owned());
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(failed("creating", &parent))?;
    let tmp = parent.join(format!(".{name}.nya-tmp-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(failed("removing stale", &tmp))?;
    }
    let result = fill(&tmp).and_then(|value| {
        if out.exists() {
            let aside = parent.join(format!(".{name}.nya-old-{}", std::process::id()));
            std::fs::rename(out, &aside).map_err(failed("moving aside", out))?;
            std::fs::rename(&tmp, out).map_err(failed("renaming into place", &tmp))?;
            std::fs::remove_dir_all(&aside).map_err(failed("removing", &aside))?;
        } else {
            std::fs::rename(&tmp, out).map_err(failed("renaming into place", &tmp))?;
        }
        Ok(value)
    });
    if result.is_err() {
        // Best effort: the hidden folder is garbage now; the error that matters is returned.
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use nya_metadata::manifest::{ContentDigest, FileEntry, ManifestDraft, Pipeline};
    use nya_metadata::task::{TaskId, TaskKind};

    fn write_dataset(dir: &Path) -> Manifest {
        std::fs::create_dir_all(dir.join("data")).unwrap();
        std::fs::write(dir.join("data/train-00000.parquet"), b"shard zero").unwrap();
        std::fs::write(dir.join("data/train-00001.parquet"), b"shard one!").unwrap();
        std::fs::write(dir.join("README.md"), b"# card").unwrap();
        let mut files = Vec::new();
        for path in ["data/train-00000.parquet", "data/train-00001.parquet"] {
            let (sha256, size) = hash_file(&dir.join(path)).unwrap();
            files.push(FileEntry {
                path: path.into(),
                sha256,
                size,
            });
        }
        let mut content = ContentDigest::new();
        content.add("doc-1", "hello").unwrap();
        let manifest = ManifestDraft {
            task_id: TaskId::new("t-1").unwrap(),
            kind: TaskKind::Refine,
            source_files: vec!["crawl-data/x.warc.gz".into()],
            pipeline: Pipeline {
                version: "nya-refine/0.1.0".into(),
                parameters: Default::default(),
            },
            row_count: 1,
            token_count: 1,
            files,
            content_digest: content.finish().unwrap(),
        }
        .seal()
        .unwrap();
        std::fs::write(
            dir.join(MANIFEST_FILE_NAME),
            manifest.to_json_pretty().unwrap(),
        )
        .unwrap();
        manifest
    }

    #[test]
    fn an_intact_folder_verifies() {
        let tmp = tempfile::tempdir().unwrap();
        let written = write_dataset(tmp.path());
        assert_eq!(verify(tmp.path()).unwrap(), written);
    }

    #[test]
    fn every_mismatch_is_named() {
        let tmp = tempfile::tempdir().unwrap();
        write_dataset(tmp.path());
        let shard = tmp.path().join("data/train-00001.parquet");

        std::fs::write(&shard, b"shard ONE!").unwrap();
        let err = verify(tmp.path()).unwrap_err().to_string();
        assert!(err.contains("train-00001.parquet: sha256"), "{err}");

        std::fs::write(&shard, b"short").unwrap();
        let err = verify(tmp.path()).unwrap_err().to_string();
        assert!(err.contains("size 5 bytes, manifest says 10"), "{err}");

        std::fs::remove_file(&shard).unwrap();
        let err = verify(tmp.path()).unwrap_err().to_string();
        assert!(err.contains("listed in the manifest but missing"), "{err}");

        write_dataset(tmp.path());
        std::fs::write(tmp.path().join("data/extra.parquet"), b"x").unwrap();
        let err = verify(tmp.path()).unwrap_err().to_string();
        assert!(
            err.contains("extra.parquet: not listed in the manifest"),
            "{err}"
        );
    }

    #[test]
    fn a_tampered_or_missing_manifest_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let err = verify(tmp.path()).unwrap_err().to_string();
        assert!(err.contains("nya-manifest.json: cannot read"), "{err}");
        write_dataset(tmp.path());
        let path = tmp.path().join(MANIFEST_FILE_NAME);
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"size\": 10", "\"size\": 11");
        std::fs::write(&path, text).unwrap();
        let err = verify(tmp.path()).unwrap_err().to_string();
        assert!(err.contains("nya-manifest.json"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        write_dataset(tmp.path());
        std::os::unix::fs::symlink("/etc/passwd", tmp.path().join("data/link")).unwrap();
        let err = verify(tmp.path()).unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");
    }

    #[test]
    fn atomic_writes_replace_on_success_and_leave_nothing_on_failure() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("ds");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("old.txt"), "old").unwrap();
        let failed: Result<(), FolderIoError> = write_atomically(&out, |tmp| {
            std::fs::create_dir(tmp).unwrap();
            std::fs::write(tmp.join("half.txt"), "half").unwrap();
            Err(FolderIoError {
                action: "writing",
                path: tmp.join("half.txt"),
                source: io::Error::other("disk full"),
            })
        });
        assert!(failed.unwrap_err().to_string().contains("disk full"));
        let names = |dir: &Path| -> Vec<String> {
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        assert_eq!(names(root.path()), ["ds"], "no hidden sibling is left");
        assert_eq!(names(&out), ["old.txt"], "the old folder is untouched");

        let written: Result<u8, FolderIoError> = write_atomically(&out, |tmp| {
            std::fs::create_dir(tmp).unwrap();
            std::fs::write(tmp.join("new.txt"), "new").unwrap();
            Ok(7)
        });
        assert_eq!(written.unwrap(), 7);
        assert_eq!(names(root.path()), ["ds"]);
        assert_eq!(names(&out), ["new.txt"]);
    }
}
