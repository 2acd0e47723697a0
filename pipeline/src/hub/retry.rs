//! Retries with exponential backoff around whole Hub operations.
//!
//! hf-hub already retries single requests on 408/429/5xx and connection failures; these retries
//! sit one level up and cover what it does not: a download whose body breaks off midway
//! (restarted from zero), a commit whose response was lost, a rate limit that outlasted
//! hf-hub's attempts (its `Retry-After` is honoured). The schedule is deterministic (no jitter)
//! so runs are reproducible: [`RetryPolicy`] is the one nya's other downloads use
//! ([`crate::net`]).

use std::future::Future;
use std::time::Duration;

use hf_hub::HFError;

pub use crate::net::RetryPolicy;

/// Delay after failed attempt number `attempt` (0-based): the policy's schedule, or the
/// server's `Retry-After` when longer (capped at the policy's longest delay).
pub fn delay(policy: &RetryPolicy, attempt: u32, hint: Option<Duration>) -> Duration {
    let backoff = policy.delay(attempt.saturating_add(1));
    match hint {
        Some(hint) => backoff.max(hint.min(policy.max_delay)),
        None => backoff,
    }
}

/// Whether an error is worth another attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transience {
    /// Do not retry: the same request would fail the same way.
    Permanent,
    /// Retry, after at least this long if the server said so.
    Transient(Option<Duration>),
}

/// Runs `operation` until it succeeds, fails permanently, or the attempts run out; returns
/// the last error then.
pub async fn with_retry<T, E, F, Fut>(
    policy: &RetryPolicy,
    classify: impl Fn(&E) -> Transience,
    mut operation: F,
) -> Result<T, E>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let attempts = policy.attempts.max(1);
    let mut attempt = 0;
    loop {
        match operation(attempt).await {
            Ok(value) => return Ok(value),
            Err(error) => {
                let hint = match classify(&error) {
                    Transience::Permanent => return Err(error),
                    Transience::Transient(hint) => hint,
                };
                if attempt + 1 >= attempts {
                    return Err(error);
                }
                let delay = delay(policy, attempt, hint);
                tracing::debug!(attempt, ?delay, "hub: transient failure, retrying");
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
        }
    }
}

/// Classifies hf-hub errors: rate limits, 408/5xx, timeouts, refused connections and broken
/// bodies are transient; answers the server meant (401, 403, 404, 409, bad data) are not.
pub fn classify_hf_error(error: &HFError) -> Transience {
    match error {
        HFError::RateLimited { retry_after, .. } => Transience::Transient(*retry_after),
        HFError::Http { context } => match context.status.as_u16() {
            408 | 429 | 500 | 502 | 503 | 504 => Transience::Transient(None),
            _ => Transience::Permanent,
        },
        HFError::Request { source, .. } => {
            // A body cut off midway surfaces as a decode error of the stream: retry from zero.
            let broken = source.is_timeout()
                || source.is_connect()
                || source.is_body()
                || source.is_decode()
                || source.is_request();
            if broken {
                Transience::Transient(None)
            } else {
                Transience::Permanent
            }
        }
        HFError::Io(_) => Transience::Transient(None),
        _ => Transience::Permanent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn the_schedule_doubles_and_caps_and_honours_retry_after() {
        let policy = RetryPolicy {
            attempts: 10,
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        let delays: Vec<u128> = (0..6)
            .map(|a| delay(&policy, a, None).as_millis())
            .collect();
        assert_eq!(delays, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(
            delay(&policy, 0, Some(Duration::from_millis(700))).as_millis(),
            700
        );
        assert_eq!(
            delay(&policy, 0, Some(Duration::from_secs(60))).as_millis(),
            1000
        );
        assert_eq!(delay(&policy, u32::MAX, None).as_millis(), 1000);
    }

    #[tokio::test]
    async fn transient_errors_are_retried_until_success_or_exhaustion() {
        let policy = RetryPolicy {
            attempts: 3,
            first_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        };
        let calls = Cell::new(0);
        let result: Result<u32, &str> = with_retry(
            &policy,
            |_| Transience::Transient(None),
            |attempt| {
                calls.set(calls.get() + 1);
                async move {
                    if attempt < 2 {
                        Err("flaky")
                    } else {
                        Ok(attempt)
                    }
                }
            },
        )
        .await;
        assert_eq!(result, Ok(2));
        assert_eq!(calls.get(), 3);

        calls.set(0);
        let result: Result<u32, &str> = with_retry(
            &policy,
            |_| Transience::Transient(None),
            |_| {
                calls.set(calls.get() + 1);
                async { Err("down") }
            },
        )
        .await;
        assert_eq!(result, Err("down"));
        assert_eq!(calls.get(), 3);
    }

    #[tokio::test]
    async fn permanent_errors_are_not_retried() {
        let calls = Cell::new(0);
        let result: Result<(), &str> = with_retry(
            &RetryPolicy::default(),
            |_| Transience::Permanent,
            |_| {
                calls.set(calls.get() + 1);
                async { Err("forbidden") }
            },
        )
        .await;
        assert_eq!(result, Err("forbidden"));
        assert_eq!(calls.get(), 1);
    }
}
