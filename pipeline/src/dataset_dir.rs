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
}
