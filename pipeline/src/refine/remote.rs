//! A WARC file over HTTP(S) as a plain `Read` stream that survives dropped connections.
//!
//! The WARC reader wants one uninterrupted byte stream; networks break. [`RemoteWarc`] counts the
//! bytes it has handed out and, when a connection fails (transport error, body cut short,
//! `408`/`429`/`5xx`), waits per the [`RetryPolicy`] and asks for the rest with
//! `Range: bytes=N-`, guarded by `If-Range` with the first answer's `ETag` (or `Last-Modified`)
//! so a file replaced on the server is never spliced onto the old one's head. Resume rules:
//! - `206` must start exactly at byte N (`Content-Range`), else the read fails;
//! - `200` to a ranged request means the server ignores ranges: the first N bytes are read and
//!   dropped when the validator still matches, and the read fails when the file changed;
//! - the body must reach the size the first answer announced; a short body is resumed.
//!
//! A successful read resets the retry count, so a long download tolerates any number of
//! separated hiccups but not a server that is down. Memory: one response and reqwest's buffers.

use std::io::{self, Read};

use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use reqwest::header::{CONTENT_LENGTH, ETAG, HeaderMap, IF_RANGE, LAST_MODIFIED, RANGE};

use crate::net::{RetryPolicy, blocking_client, content_range_start, describe, is_transient};

/// A remote WARC file being streamed (see the module docs).
pub struct RemoteWarc {
    client: Client,
    url: String,
    retry: RetryPolicy,
    response: Option<Response>,
    /// Bytes handed to the caller so far: where a resumed request starts.
    delivered: u64,
    /// Size announced by the first answer, when it gave one.
    total: Option<u64>,
    /// `ETag` or `Last-Modified` of the first answer, for `If-Range`.
    validator: Option<String>,
    /// Failed attempts since the last byte arrived.
    failures: u32,
}

impl std::fmt::Debug for RemoteWarc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteWarc")
            .field("url", &self.url)
            .field("delivered", &self.delivered)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

/// Why one attempt to (re)connect failed.
enum Attempt {
    Retry(String),
    Fatal(String),
}

impl RemoteWarc {
    /// Connects to `url` (retrying per `retry`) and returns the stream positioned at byte 0.
    pub fn open(url: &str, retry: RetryPolicy) -> io::Result<Self> {
        let client = blocking_client().map_err(io::Error::other)?;
        let mut remote = RemoteWarc {
            client,
            url: url.to_owned(),
            retry,
            response: None,
            delivered: 0,
            total: None,
            validator: None,
            failures: 0,
        };
        remote.reconnect(None)?;
        Ok(remote)
    }

    /// Size of the file, when the server said.
    pub fn len_hint(&self) -> Option<u64> {
        self.total
    }

    /// Opens a response that continues at `self.delivered`, retrying per the policy. `cause` is
    /// why the previous connection ended, counted as one failure.
    fn reconnect(&mut self, cause: Option<String>) -> io::Result<()> {
        self.response = None;
        let mut last = cause;
        if last.is_some() {
            self.failures += 1;
        }
        loop {
            let attempts = self.retry.attempts.max(1);
            if self.failures >= attempts {
                return Err(io::Error::other(format!(
                    "{}: gave up after {attempts} attempts at byte {}: {}",
                    self.url,
                    self.delivered,
                    last.unwrap_or_default()
                )));
            }
            if self.failures > 0 {
                tracing::warn!(url = %self.url, at = self.delivered, reason = ?last, "WARC download interrupted; retrying");
                std::thread::sleep(self.retry.delay(self.failures));
            }
            match self.attempt() {
                Ok(response) => {
                    self.response = response;
                    return Ok(());
                }
                Err(Attempt::Fatal(reason)) => {
                    return Err(io::Error::other(format!("{}: {reason}", self.url)));
                }
                Err(Attempt::Retry(reason)) => {
                    self.failures += 1;
                    last = Some(reason);
                }
            }
        }
    }

    /// One request for the bytes from `self.delivered` on; `None` when there are none left.
    fn attempt(&mut self) -> Result<Option<Response>, Attempt> {
        let mut request = self.client.get(&self.url);
        if self.delivered > 0 {
            request = request.header(RANGE, format!("bytes={}-", self.delivered));
            if let Some(validator) = &self.validator {
                request = request.header(IF_RANGE, validator);
            }
        }
        let mut response = request.send().map_err(|error| {
            if error.is_builder() {
                Attempt::Fatal(describe(&error))
            } else {
                Attempt::Retry(describe(&error))
            }
        })?;
        let status = response.status();
        match status {
            StatusCode::OK if self.delivered == 0 => {
                self.total = announced_length(response.headers());
                self.validator = validator_of(response.headers());
            }
            StatusCode::PARTIAL_CONTENT if self.delivered > 0 => {
                let start = content_range_start(&response);
                if start != Some(self.delivered) {
                    return Err(Attempt::Fatal(format!(
                        "asked to resume at byte {} but the server answered bytes from {start:?}",
                        self.delivered
                    )));
                }
            }
            StatusCode::OK => {
                // A full body to a ranged request: either ranges are unsupported, or If-Range
                // failed because the file changed.
                if self.validator.is_some() && validator_of(response.headers()) != self.validator {
                    return Err(Attempt::Fatal(format!(
                        "the file changed on the server after {} bytes were read",
                        self.delivered
                    )));
                }
                let skipped = io::copy(&mut (&mut response).take(self.delivered), &mut io::sink())
                    .map_err(|error| {
                        Attempt::Retry(format!("skipping to the resume point: {error}"))
                    })?;
                if skipped < self.delivered {
                    return Err(Attempt::Retry(format!(
                        "body ended after {skipped} bytes while skipping to byte {}",
                        self.delivered
                    )));
                }
            }
            StatusCode::RANGE_NOT_SATISFIABLE if self.delivered > 0 && self.total.is_none() => {
                // The size was never announced and every byte has arrived: the connection broke
                // exactly at the end.
                self.total = Some(self.delivered);
                return Ok(None);
            }
            status if is_transient(status) => return Err(Attempt::Retry(format!("HTTP {status}"))),
            status => return Err(Attempt::Fatal(format!("HTTP {status}"))),
        }
        Ok(Some(response))
    }
}

impl Read for RemoteWarc {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if Some(self.delivered) == self.total {
                return Ok(0);
            }
            let Some(response) = self.response.as_mut() else {
                self.reconnect(None)?;
                if self.response.is_none() {
                    return Ok(0);
                }
                continue;
            };
            match response.read(out) {
                Ok(0) => match self.total {
                    Some(total) if self.delivered < total => {
                        let cause = format!("body ended at byte {} of {total}", self.delivered);
                        self.reconnect(Some(cause))?;
                    }
                    _ => return Ok(0),
                },
                Ok(read) => {
                    let read = read.min(out.len());
                    self.delivered += read as u64;
                    self.failures = 0;
                    return Ok(read);
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => self.reconnect(Some(error.to_string()))?,
            }
        }
    }
}

/// The body size of a full `200` answer.
fn announced_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// A strong `ETag`, else `Last-Modified`: what `If-Range` may carry.
fn validator_of(headers: &HeaderMap) -> Option<String> {
    let strong_etag = headers
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .filter(|tag| !tag.starts_with("W/"));
    strong_etag
        .or_else(|| headers.get(LAST_MODIFIED).and_then(|v| v.to_str().ok()))
        .map(str::to_owned)
}
