//! What every HTTP download in nya shares: the retry policy, the blocking client's timeouts, which
//! statuses are worth another attempt, and reading a `206` answer's `Content-Range`.
//!
//! Used by the asset cache (whole files into a `.part` file) and by remote WARC sources (a
//! resumable stream). The client is reqwest's blocking one: call it from plain threads, never
//! from inside an async runtime.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::CONTENT_RANGE;

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

/// Time allowed to connect.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Time allowed to wait for headers or for each read of the body (reqwest's blocking client
/// applies its timeout per operation, so long downloads are not cut off).
pub const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// The blocking client every download uses: nya's user agent and the timeouts above.
pub fn blocking_client() -> Result<reqwest::blocking::Client, String> {
    reqwest::blocking::Client::builder()
        .user_agent(concat!("nya/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(READ_TIMEOUT)
        .build()
        .map_err(|error| format!("HTTP client: {}", describe(&error)))
}

/// Statuses another attempt may cure: server errors, `408` and `429`.
pub fn is_transient(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
}

/// The first byte of a `206` answer's `Content-Range: bytes FIRST-LAST/TOTAL`.
pub fn content_range_start(response: &reqwest::blocking::Response) -> Option<u64> {
    response
        .headers()
        .get(CONTENT_RANGE)?
        .to_str()
        .ok()?
        .strip_prefix("bytes ")?
        .split('-')
        .next()?
        .trim()
        .parse()
        .ok()
}

/// A transport error with its causes (reqwest's top-level message alone is vague).
pub fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
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

    #[test]
    fn transient_statuses() {
        for code in [408, 429, 500, 502, 503, 504] {
            assert!(is_transient(StatusCode::from_u16(code).unwrap()), "{code}");
        }
        for code in [200, 206, 301, 400, 401, 403, 404, 416] {
            assert!(!is_transient(StatusCode::from_u16(code).unwrap()), "{code}");
        }
    }
}
