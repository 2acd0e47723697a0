//! External assets the recipe needs but nya never ships: the fastText language-ID model, the UT1
//! adult blacklist, datatrove's banned-word lists and NLTK's Punkt English parameters.
//!
//! Each [`Asset`] pins the file's SHA-256 and size. [`AssetCache::get`] returns a verified local
//! path, looking in this order:
//! 1. source directories (`NYA_ASSET_DIR`, a path list, or [`AssetCache::with_source_dir`]):
//!    `<dir>/<group>/<file_name>` or `<dir>/<file_name>`; used in place, verified all the same
//!    (tests and CI point this at `../shared/fixtures/refine`);
//! 2. the cache, `<cache dir>/<group>/<file_name>` (`$NYA_CACHE/assets`, else
//!    `$XDG_CACHE_HOME/nya/assets`, else `~/.cache/nya/assets`); a file that fails verification
//!    is deleted and fetched again;
//! 3. a download from the asset's URL (overridable per asset: [`AssetCache::with_url`], else
//!    `NYA_ASSET_URL_<NAME>`), announced with `tracing::info!`, streamed into
//!    `<file_name>.part` in the cache directory with retries, backoff and HTTP Range resume (see
//!    [`http`]), size-capped, verified, fsynced and renamed into place atomically. A download that
//!    does not match the pin is deleted and reported with both hashes. Assets that live inside a
//!    zip (Punkt) are extracted from the downloaded archive, then verified the same way.
//!
//! `NYA_ASSET_OFFLINE=1` (or [`AssetCache::offline`]) forbids step 3.
//!
//! The HTTP client is reqwest's blocking one: call [`AssetCache::get`] from a plain thread (in
//! async code, from `tokio::task::spawn_blocking`), never directly on an async runtime thread.
//! Several processes sharing one cache may race on a `.part` file; the pin check catches any
//! mix-up and a retry repairs it.

pub mod http;
mod registry;
#[cfg(test)]
mod test_server;

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use sha2::{Digest, Sha256};

pub use crate::net::RetryPolicy;
pub use registry::{
    ALL, Asset, BANNED_SUBWORDS, BANNED_WORDS, LID_176, PUNKT_ENGLISH, PUNKT_ENGLISH_ABBREV_TYPES,
    PUNKT_ENGLISH_COLLOCATIONS, PUNKT_ENGLISH_ORTHO_CONTEXT, PUNKT_ENGLISH_SENT_STARTERS,
    SOFT_BANNED_WORDS, UT1_ADULT_BLACKLIST, by_name, url_env_var,
};

/// Largest zip archive downloaded for archive-member assets.
const MAX_ARCHIVE_BYTES: u64 = 256 << 20;

/// Why an asset could not be provided.
#[derive(Debug, thiserror::Error)]
pub enum AssetError {
    /// Neither `NYA_CACHE` nor a home directory is set.
    #[error("no asset cache directory: set NYA_CACHE (or HOME)")]
    NoCacheDir,
    /// A local file operation failed.
    #[error("asset {asset}: {action} {path}: {source}")]
    Io {
        /// Asset name.
        asset: &'static str,
        /// What was being done, e.g. `reading`.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A file (downloaded, cached or in a source directory) does not match the pin.
    #[error(
        "asset {asset}: {origin} has sha256 {actual_sha256} ({actual_size} bytes), \
         expected {expected_sha256} ({expected_size} bytes)"
    )]
    Mismatch {
        /// Asset name.
        asset: &'static str,
        /// Where the bytes came from (URL or path).
        origin: String,
        /// The pinned hash.
        expected_sha256: &'static str,
        /// The hash found.
        actual_sha256: String,
        /// The pinned size.
        expected_size: u64,
        /// The size found.
        actual_size: u64,
    },
    /// The server answered with a status that retrying cannot fix (e.g. 404).
    #[error("asset {asset}: {url} answered HTTP {status}")]
    HttpStatus {
        /// Asset name.
        asset: &'static str,
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The server sent more bytes than the asset may have.
    #[error("asset {asset}: {url} sends more than the {limit} bytes allowed")]
    TooLarge {
        /// Asset name.
        asset: &'static str,
        /// The URL.
        url: String,
        /// The cap.
        limit: u64,
    },
    /// Every attempt failed with a transient error (timeouts, 5xx, dropped connections).
    #[error("asset {asset}: fetching {url} failed {attempts} times; last error: {last_error}")]
    Exhausted {
        /// Asset name.
        asset: &'static str,
        /// The URL.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last_error: String,
    },
    /// The URL cannot be requested at all, or the HTTP client cannot start.
    #[error("asset {asset}: cannot request {url}: {reason}")]
    Request {
        /// Asset name.
        asset: &'static str,
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The file is not in any source directory and downloads are off.
    #[error("asset {asset}: {file_name} not found in {searched} and downloads are off (offline)")]
    Offline {
        /// Asset name.
        asset: &'static str,
        /// The file looked for.
        file_name: &'static str,
        /// The places searched.
        searched: String,
    },
    /// The downloaded archive is unreadable or lacks the member.
    #[error("asset {asset}: archive from {url}: {reason}")]
    Archive {
        /// Asset name.
        asset: &'static str,
        /// The archive URL.
        url: String,
        /// What was wrong.
        reason: String,
    },
}

/// Where assets come from and are kept (see the module docs).
#[derive(Debug)]
pub struct AssetCache {
    dir: PathBuf,
    source_dirs: Vec<PathBuf>,
    urls: BTreeMap<String, String>,
    offline: bool,
    retry: RetryPolicy,
    /// Paths already verified in this process, by asset name.
    resolved: Mutex<BTreeMap<String, PathBuf>>,
    /// Serialises fetches so threads never write the same `.part` file.
    fetching: Mutex<()>,
}

impl AssetCache {
    /// A cache in `dir`, downloads allowed, no source directories, default retries.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            source_dirs: Vec::new(),
            urls: BTreeMap::new(),
            offline: false,
            retry: RetryPolicy::default(),
            resolved: Mutex::new(BTreeMap::new()),
            fetching: Mutex::new(()),
        }
    }

    /// The cache the environment describes: [`default_dir`], `NYA_ASSET_DIR` source directories,
    /// `NYA_ASSET_OFFLINE=1`.
    pub fn from_env() -> Result<Self, AssetError> {
        let mut cache = Self::new(default_dir()?);
        if let Some(dirs) = std::env::var_os("NYA_ASSET_DIR") {
            cache.source_dirs = std::env::split_paths(&dirs)
                .filter(|dir| !dir.as_os_str().is_empty())
                .collect();
        }
        cache.offline = std::env::var("NYA_ASSET_OFFLINE").is_ok_and(|value| value == "1");
        Ok(cache)
    }

    /// Adds a directory to take files from instead of downloading (searched in order added).
    pub fn with_source_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.source_dirs.push(dir.into());
        self
    }

    /// Overrides the URL of the asset called `name` (wins over `NYA_ASSET_URL_<NAME>`).
    pub fn with_url(mut self, name: &str, url: &str) -> Self {
        self.urls.insert(name.to_owned(), url.to_owned());
        self
    }

    /// Forbids (or allows) downloads.
    pub fn offline(mut self, offline: bool) -> Self {
        self.offline = offline;
        self
    }

    /// Sets the download retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The URL `asset` is fetched from: [`Self::with_url`], else `NYA_ASSET_URL_<NAME>`, else the
    /// asset's default.
    pub fn url_for(&self, asset: &Asset) -> String {
        if let Some(url) = self.urls.get(asset.name) {
            return url.clone();
        }
        match std::env::var(url_env_var(asset)) {
            Ok(url) if !url.is_empty() => url,
            _ => asset.url.to_owned(),
        }
    }

    /// Where `asset` lives in the cache directory.
    pub fn cache_path(&self, asset: &Asset) -> PathBuf {
        self.dir.join(asset.group).join(asset.file_name)
    }

    /// A verified local path to `asset` (see the module docs for the search order).
    pub fn get(&self, asset: &'static Asset) -> Result<PathBuf, AssetError> {
        if let Some(path) = lock(&self.resolved).get(asset.name) {
            return Ok(path.clone());
        }
        let path = self.resolve(asset)?;
        lock(&self.resolved).insert(asset.name.to_owned(), path.clone());
        Ok(path)
    }

    /// Verified paths to several assets, in order.
    pub fn get_all(&self, assets: &[&'static Asset]) -> Result<Vec<PathBuf>, AssetError> {
        assets.iter().map(|asset| self.get(asset)).collect()
    }

    fn resolve(&self, asset: &'static Asset) -> Result<PathBuf, AssetError> {
        for dir in &self.source_dirs {
            for candidate in [
                dir.join(asset.group).join(asset.file_name),
                dir.join(asset.file_name),
            ] {
                if candidate.is_file() {
                    verify_file(asset, &candidate, &candidate.display().to_string())?;
                    tracing::debug!(asset = asset.name, path = %candidate.display(), "asset from source directory");
                    return Ok(candidate);
                }
            }
        }
        let _fetching = lock(&self.fetching);
        let dest = self.cache_path(asset);
        if dest.is_file() {
            match verify_file(asset, &dest, &dest.display().to_string()) {
                Ok(()) => return Ok(dest),
                Err(AssetError::Mismatch { actual_sha256, .. }) => {
                    tracing::warn!(
                        asset = asset.name,
                        path = %dest.display(),
                        found = %actual_sha256,
                        "cached asset does not match its pin; fetching it again"
                    );
                    remove(asset, &dest)?;
                }
                Err(other) => return Err(other),
            }
        }
        if self.offline {
            let mut searched: Vec<String> = self
                .source_dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect();
            searched.push(self.dir.display().to_string());
            return Err(AssetError::Offline {
                asset: asset.name,
                file_name: asset.file_name,
                searched: searched.join(", "),
            });
        }
        let group_dir = self.dir.join(asset.group);
        fs::create_dir_all(&group_dir).map_err(|source| AssetError::Io {
            asset: asset.name,
            action: "creating",
            path: group_dir.clone(),
            source,
        })?;
        let url = self.url_for(asset);
        tracing::info!(
            asset = asset.name,
            url = %url,
            into = %dest.display(),
            bytes = asset.size,
            "fetching external asset"
        );
        match asset.archive_member {
            None => self.fetch_file(asset, &url, &dest)?,
            Some(member) => self.fetch_member(asset, &url, member, &dest)?,
        }
        tracing::info!(asset = asset.name, path = %dest.display(), "asset ready (sha256 verified)");
        Ok(dest)
    }

    /// Downloads a plain file into `<dest>.part`, verifies it, then renames it to `dest`.
    fn fetch_file(&self, asset: &'static Asset, url: &str, dest: &Path) -> Result<(), AssetError> {
        let part = part_path(dest);
        let target = http::Target {
            asset: asset.name,
            url,
            path: &part,
            limit: asset.size,
            expected_size: Some(asset.size),
        };
        http::download(&target, &self.retry)?;
        if let Err(error) = verify_file(asset, &part, url) {
            remove(asset, &part)?;
            return Err(error);
        }
        commit(asset, &part, dest)
    }

    /// Downloads the zip at `url`, extracts `member` (and the other registered members of the
    /// same archive, so one download serves them all), verifies and commits each.
    fn fetch_member(
        &self,
        asset: &'static Asset,
        url: &str,
        member: &str,
        dest: &Path,
    ) -> Result<(), AssetError> {
        let archive_part = self.dir.join(asset.group).join(".archive.zip.part");
        let target = http::Target {
            asset: asset.name,
            url,
            path: &archive_part,
            limit: MAX_ARCHIVE_BYTES,
            expected_size: None,
        };
        http::download(&target, &self.retry)?;
        let result = self.extract_members(asset, url, member, dest, &archive_part);
        remove(asset, &archive_part)?;
        result
    }

    fn extract_members(
        &self,
        asset: &'static Asset,
        url: &str,
        member: &str,
        dest: &Path,
        archive_path: &Path,
    ) -> Result<(), AssetError> {
        let archive_error = |reason: String| AssetError::Archive {
            asset: asset.name,
            url: url.to_owned(),
            reason,
        };
        let file = File::open(archive_path).map_err(|source| AssetError::Io {
            asset: asset.name,
            action: "opening",
            path: archive_path.to_owned(),
            source,
        })?;
        let mut archive = zip::ZipArchive::new(file)
            .map_err(|error| archive_error(format!("not a zip archive: {error}")))?;
        extract_one(&mut archive, asset, url, member, dest)?;
        // Siblings from the same archive that the cache lacks: best effort, the pin still rules.
        for sibling in ALL {
            let same_archive = sibling.group == asset.group && self.url_for(sibling) == url;
            let (Some(sibling_member), true) = (sibling.archive_member, same_archive) else {
                continue;
            };
            let sibling_dest = self.cache_path(sibling);
            if sibling.name == asset.name || sibling_dest.is_file() {
                continue;
            }
            if let Err(error) =
                extract_one(&mut archive, sibling, url, sibling_member, &sibling_dest)
            {
                tracing::warn!(asset = sibling.name, %error, "could not take this asset from the shared archive");
            }
        }
        Ok(())
    }
}

/// Extracts `member` to `<dest>.part`, verifies it and renames it to `dest`.
fn extract_one(
    archive: &mut zip::ZipArchive<File>,
    asset: &'static Asset,
    url: &str,
    member: &str,
    dest: &Path,
) -> Result<(), AssetError> {
    let archive_error = |reason: String| AssetError::Archive {
        asset: asset.name,
        url: url.to_owned(),
        reason,
    };
    let mut entry = archive
        .by_name(member)
        .map_err(|error| archive_error(format!("member {member}: {error}")))?;
    let part = part_path(dest);
    let io_error = |action, source| AssetError::Io {
        asset: asset.name,
        action,
        path: part.clone(),
        source,
    };
    let mut out = File::create(&part).map_err(|source| io_error("creating", source))?;
    // One byte over the pin is enough to know the member is wrong; never inflate more.
    let copied = io::copy(&mut (&mut entry).take(asset.size + 1), &mut out)
        .map_err(|error| archive_error(format!("member {member}: {error}")));
    let synced = out.sync_all().map_err(|source| io_error("syncing", source));
    drop(out);
    if let Err(error) = copied.and(synced) {
        remove(asset, &part)?;
        return Err(error);
    }
    if let Err(error) = verify_file(asset, &part, &format!("{url} (member {member})")) {
        remove(asset, &part)?;
        return Err(error);
    }
    commit(asset, &part, dest)
}

/// The default cache directory: `$NYA_CACHE/assets`, else `$XDG_CACHE_HOME/nya/assets`, else
/// `$HOME/.cache/nya/assets` (`%USERPROFILE%` where there is no `HOME`).
pub fn default_dir() -> Result<PathBuf, AssetError> {
    Ok(cache_root()?.join("assets"))
}

/// nya's cache root, which assets, fetched Hub snapshots and venvs share: `$NYA_CACHE`, else
/// `$XDG_CACHE_HOME/nya`, else `$HOME/.cache/nya` (`%USERPROFILE%` where there is no `HOME`).
pub fn cache_root() -> Result<PathBuf, AssetError> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    if let Some(root) = non_empty("NYA_CACHE") {
        return Ok(PathBuf::from(root));
    }
    if let Some(xdg) = non_empty("XDG_CACHE_HOME") {
        return Ok(PathBuf::from(xdg).join("nya"));
    }
    let home = non_empty("HOME")
        .or_else(|| non_empty("USERPROFILE"))
        .ok_or(AssetError::NoCacheDir)?;
    Ok(PathBuf::from(home).join(".cache").join("nya"))
}

/// Checks `path` against `asset`'s pinned size and SHA-256; `origin` names the source in errors.
pub fn verify_file(asset: &'static Asset, path: &Path, origin: &str) -> Result<(), AssetError> {
    let io_error = |source| AssetError::Io {
        asset: asset.name,
        action: "reading",
        path: path.to_owned(),
        source,
    };
    let mut file = File::open(path).map_err(io_error)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut size: u64 = 0;
    loop {
        let read = file.read(&mut buffer).map_err(io_error)?;
        let Some(chunk) = buffer.get(..read).filter(|chunk| !chunk.is_empty()) else {
            break;
        };
        hasher.update(chunk);
        size += read as u64;
    }
    let actual = hex::encode(hasher.finalize());
    if size != asset.size || !actual.eq_ignore_ascii_case(asset.sha256) {
        return Err(AssetError::Mismatch {
            asset: asset.name,
            origin: origin.to_owned(),
            expected_sha256: asset.sha256,
            actual_sha256: actual,
            expected_size: asset.size,
            actual_size: size,
        });
    }
    Ok(())
}

fn part_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    dest.with_file_name(name)
}

/// Renames a verified `.part` file into place and syncs the directory entry.
fn commit(asset: &'static Asset, part: &Path, dest: &Path) -> Result<(), AssetError> {
    fs::rename(part, dest).map_err(|source| AssetError::Io {
        asset: asset.name,
        action: "renaming into place",
        path: dest.to_owned(),
        source,
    })?;
    sync_parent(asset, dest)
}

#[cfg(unix)]
fn sync_parent(asset: &'static Asset, path: &Path) -> Result<(), AssetError> {
    let Some(parent) = path.parent() else {
        return Ok(());
    };
    File::open(parent)
        .and_then(|dir| dir.sync_all())
        .map_err(|source| AssetError::Io {
            asset: asset.name,
            action: "syncing",
            path: parent.to_owned(),
            source,
        })
}

#[cfg(not(unix))]
fn sync_parent(_asset: &'static Asset, _path: &Path) -> Result<(), AssetError> {
    // Directories cannot be opened for syncing here; the rename itself is atomic.
    Ok(())
}

fn remove(asset: &'static Asset, path: &Path) -> Result<(), AssetError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(AssetError::Io {
            asset: asset.name,
            action: "removing",
            path: path.to_owned(),
            source,
        }),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests;
