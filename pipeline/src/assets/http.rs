//! Resumable, size-capped HTTP downloads for [`super::AssetCache`].
//!
//! One download writes a `.part` file. Each attempt asks for the bytes the file lacks
//! (`Range: bytes=N-`) when it already holds some: a `206` with a matching `Content-Range` is
//! appended, a `200` (server ignores ranges) starts over, a `416` drops the partial file. Timeouts,
//! connection errors, a body cut short, `408`, `429` and `5xx` are retried with exponential
//! backoff, keeping what arrived; other statuses fail at once. More bytes than the cap fail at
//! once and delete the partial file. The caller verifies the finished file's hash.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

use reqwest::StatusCode;
use reqwest::header::RANGE;

use super::AssetError;
use crate::net::{RetryPolicy, blocking_client, content_range_start, describe, is_transient};

/// One file to fetch.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// Asset name, for errors and logs.
    pub asset: &'static str,
    /// Where from.
    pub url: &'a str,
    /// The `.part` file to fill (kept between attempts and runs for resuming).
    pub path: &'a Path,
    /// Most bytes accepted.
    pub limit: u64,
    /// Exact size when known: a file of that size is complete, a shorter body is retried.
    pub expected_size: Option<u64>,
}

/// Why one attempt failed.
enum Failure {
    /// Worth another attempt.
    Transient(String),
    /// Retrying cannot help.
    Fatal(AssetError),
}

/// Fills `target.path` with the body at `target.url` (see the module docs).
pub fn download(target: &Target<'_>, retry: &RetryPolicy) -> Result<(), AssetError> {
    let client = blocking_client().map_err(|reason| AssetError::Request {
        asset: target.asset,
        url: target.url.to_owned(),
        reason,
    })?;
    let attempts = retry.attempts.max(1);
    let mut last_error = String::new();
    for attempt in 1..=attempts {
        if attempt > 1 {
            std::thread::sleep(retry.delay(attempt - 1));
        }
        match attempt_once(&client, target) {
            Ok(()) => return Ok(()),
            Err(Failure::Fatal(error)) => return Err(error),
            Err(Failure::Transient(reason)) => {
                tracing::warn!(asset = target.asset, url = target.url, attempt, %reason, "download attempt failed");
                last_error = reason;
            }
        }
    }
    Err(AssetError::Exhausted {
        asset: target.asset,
        url: target.url.to_owned(),
        attempts,
        last_error,
    })
}

fn attempt_once(client: &reqwest::blocking::Client, target: &Target<'_>) -> Result<(), Failure> {
    let mut have = fs::metadata(target.path)
        .map(|meta| meta.len())
        .unwrap_or(0);
    if have > target.limit {
        remove_part(target)?;
        have = 0;
    }
    if have > 0 && target.expected_size == Some(have) {
        return Ok(()); // complete from an earlier run; the caller checks the hash
    }
    let mut request = client.get(target.url);
    if have > 0 {
        request = request.header(RANGE, format!("bytes={have}-"));
    }
    let mut response = request.send().map_err(|error| {
        if error.is_builder() {
            Failure::Fatal(AssetError::Request {
                asset: target.asset,
                url: target.url.to_owned(),
                reason: error.to_string(),
            })
        } else {
            Failure::Transient(describe(&error))
        }
    })?;
    let status = response.status();
    let start = match status {
        StatusCode::OK => 0,
        StatusCode::PARTIAL_CONTENT if have > 0 => {
            if content_range_start(&response) != Some(have) {
                remove_part(target)?;
                return Err(Failure::Transient(format!(
                    "server resumed at another offset than byte {have}; starting over"
                )));
            }
            have
        }
        StatusCode::RANGE_NOT_SATISFIABLE => {
            remove_part(target)?;
            return Err(Failure::Transient(format!(
                "server refused to resume at byte {have}; starting over"
            )));
        }
        status if is_transient(status) => return Err(Failure::Transient(format!("HTTP {status}"))),
        status => {
            return Err(Failure::Fatal(AssetError::HttpStatus {
                asset: target.asset,
                url: target.url.to_owned(),
                status: status.as_u16(),
            }));
        }
    };
    if let Some(length) = response.content_length()
        && start.saturating_add(length) > target.limit
    {
        remove_part(target)?;
        return Err(too_large(target));
    }
    let mut file = open_part(target, start > 0)?;
    let mut written = start;
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let read = match response.read(&mut buffer) {
            Ok(read) => read,
            Err(error) => {
                // Keep what arrived: the next attempt resumes from it.
                sync(target, &file)?;
                return Err(Failure::Transient(format!(
                    "connection broke after {written} bytes: {error}"
                )));
            }
        };
        let Some(chunk) = buffer.get(..read).filter(|chunk| !chunk.is_empty()) else {
            break;
        };
        written += read as u64;
        if written > target.limit {
            drop(file);
            remove_part(target)?;
            return Err(too_large(target));
        }
        file.write_all(chunk)
            .map_err(|source| io_failure(target, "writing", source))?;
    }
    sync(target, &file)?;
    match target.expected_size {
        Some(expected) if written < expected => Err(Failure::Transient(format!(
            "body ended after {written} of {expected} bytes"
        ))),
        _ => Ok(()),
    }
}

fn open_part(target: &Target<'_>, append: bool) -> Result<File, Failure> {
    let mut options = OpenOptions::new();
    if append {
        options.append(true);
    } else {
        options.write(true).create(true).truncate(true);
    }
    options
        .open(target.path)
        .map_err(|source| io_failure(target, "opening", source))
}

fn sync(target: &Target<'_>, file: &File) -> Result<(), Failure> {
    file.sync_all()
        .map_err(|source| io_failure(target, "syncing", source))
}

fn remove_part(target: &Target<'_>) -> Result<(), Failure> {
    match fs::remove_file(target.path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(io_failure(target, "removing", source)),
    }
}

fn io_failure(target: &Target<'_>, action: &'static str, source: io::Error) -> Failure {
    Failure::Fatal(AssetError::Io {
        asset: target.asset,
        action,
        path: target.path.to_owned(),
        source,
    })
}

fn too_large(target: &Target<'_>) -> Failure {
    Failure::Fatal(AssetError::TooLarge {
        asset: target.asset,
        url: target.url.to_owned(),
        limit: target.limit,
    })
}
