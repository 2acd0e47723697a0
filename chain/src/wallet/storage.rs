//! Key files on disk: private permissions, atomic writes, no accidental overwrite.
//!
//! A write goes to a hidden temporary file in the target directory (mode 0600), is flushed to
//! disk, then takes the target name: by `rename` when overwriting is allowed, by `hard_link`
//! otherwise, which fails if the name exists even when another process created it a moment
//! ago. Readers never see a half-written key. Directories are created 0700. On non-Unix systems
//! the modes are left to the platform.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};

/// Mode of key files (owner read/write), as bittensor writes them.
pub const FILE_MODE: u32 = 0o600;
/// Mode of directories nya creates.
pub const DIR_MODE: u32 = 0o700;

/// Why a file operation failed; the caller adds what the file is.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("{}: file not found", path.display())]
    Missing { path: PathBuf },
    #[error("{}: cannot read: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{}: cannot write: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("{}: already exists; pass overwrite to replace it", path.display())]
    Exists { path: PathBuf },
}

/// Reads a whole file; a missing file is its own error.
pub fn read(path: &Path) -> Result<Vec<u8>, StorageError> {
    fs::read(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => StorageError::Missing {
            path: path.to_path_buf(),
        },
        _ => StorageError::Read {
            path: path.to_path_buf(),
            source,
        },
    })
}

/// Creates `dir` and its missing parents with mode 0700 (existing ones are left as they are).
pub fn create_dir(dir: &Path) -> Result<(), StorageError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(DIR_MODE);
    builder.create(dir).map_err(|source| StorageError::Write {
        path: dir.to_path_buf(),
        source,
    })
}

/// Fails with [`StorageError::Exists`] when `path` exists (any kind of entry, even a broken link).
pub fn refuse_existing(path: &Path) -> Result<(), StorageError> {
    match fs::symlink_metadata(path) {
        Ok(_) => Err(StorageError::Exists {
            path: path.to_path_buf(),
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(StorageError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Writes `bytes` to `path` atomically with mode 0600; the parent directory must exist.
pub fn write_atomic(path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), StorageError> {
    let write_error = |source| StorageError::Write {
        path: path.to_path_buf(),
        source,
    };
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(write_error(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file path",
        )));
    };
    let temp = dir.join(temp_name(name));
    let result = write_new_file(&temp, bytes).and_then(|()| {
        if overwrite {
            fs::rename(&temp, path)
        } else {
            link_without_overwrite(&temp, path)
        }
    });
    // After a rename the temp name is gone already; otherwise it must not linger.
    let _ = fs::remove_file(&temp);
    match result {
        Ok(()) => {
            sync_dir(dir);
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(StorageError::Exists {
            path: path.to_path_buf(),
        }),
        Err(source) => Err(write_error(source)),
    }
}

/// `.<name>.tmp-<pid>-<n>`: hidden, unique within this process, recognisable as debris.
fn temp_name(name: &std::ffi::OsStr) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(".{}.tmp-{}-{n}", name.to_string_lossy(), std::process::id())
}

fn write_new_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(FILE_MODE);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Gives `temp` the name `path` unless `path` exists. A hard link is atomic about that; on file
/// systems without hard links, fall back to check-then-rename.
fn link_without_overwrite(temp: &Path, path: &Path) -> io::Result<()> {
    match fs::hard_link(temp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => {
            if fs::symlink_metadata(path).is_ok() {
                return Err(io::Error::from(io::ErrorKind::AlreadyExists));
            }
            fs::rename(temp, path)
        }
    }
}

/// Makes the new directory entry durable; best effort (not every platform can open a directory).
fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_private_atomic_and_refuse_to_overwrite() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        create_dir(&dir).unwrap();
        let path = dir.join("key");
        write_atomic(&path, b"one", false).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"one");

        let error = write_atomic(&path, b"two", false).unwrap_err();
        assert!(matches!(error, StorageError::Exists { .. }), "{error}");
        assert_eq!(
            fs::read(&path).unwrap(),
            b"one",
            "a refused write leaves the file alone"
        );
        assert!(refuse_existing(&path).is_err() && refuse_existing(&dir.join("none")).is_ok());

        write_atomic(&path, b"two", true).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let leftovers: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            leftovers,
            vec![std::ffi::OsString::from("key")],
            "no temp files remain"
        );

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), FILE_MODE);
            assert_eq!(mode(&dir), DIR_MODE);
            assert_eq!(mode(&root.path().join("a")), DIR_MODE);
        }
    }

    #[test]
    fn missing_and_unwritable_paths_say_so() {
        let root = tempfile::tempdir().unwrap();
        let missing = root.path().join("nope");
        let error = read(&missing).unwrap_err().to_string();
        assert_eq!(error, format!("{}: file not found", missing.display()));
        let error = write_atomic(&root.path().join("no-dir/key"), b"x", false).unwrap_err();
        assert!(error.to_string().contains("cannot write"), "{error}");
    }
}
