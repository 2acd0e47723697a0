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
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_RANGE, RANGE};

use super::AssetError;

/// How often and how patiently to retry a download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all (at least one is made).
    pub attempts: u32,
    /// Wait before the first retry; doubles on each further one.
    pub first_delay: Duration,
    /// Longest wait between attempts.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 5,
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1-based).
    pub fn delay(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.first_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// Time allowed to connect, and to wait for headers or for each read of the body.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const READ_TIMEOUT: Duration = Duration::from_secs(60);

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
    let client = reqwest::blocking::Client::builder()
        .user_agent(concat!("nya/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(READ_TIMEOUT)
        .build()
        .map_err(|error| AssetError::Request {
            asset: target.asset,
            url: target.url.to_owned(),
            reason: format!("HTTP client: {error}"),
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
            if !range_starts_at(&response, have) {
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

/// Whether a `206` answer's `Content-Range` starts at byte `offset`.
fn range_starts_at(response: &reqwest::blocking::Response, offset: u64) -> bool {
    let Some(value) = response
        .headers()
        .get(CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    value
        .strip_prefix("bytes ")
        .and_then(|range| range.split('-').next())
        .and_then(|first| first.trim().parse::<u64>().ok())
        == Some(offset)
}

fn is_transient(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
}

/// A transport error with its causes (reqwest's top-level message alone is vague).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let policy = RetryPolicy {
            attempts: 10,
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        let delays: Vec<u128> = (1..=6)
            .map(|retry| policy.delay(retry).as_millis())
            .collect();
        assert_eq!(delays, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(policy.delay(200), Duration::from_secs(1));
    }
}
