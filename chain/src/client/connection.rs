//! One JSON-RPC connection that outlives a dropped socket.
//!
//! subxt's reconnecting client (feature `reconnecting-rpc-client`) reopens the WebSocket when it
//! closes. Calls in flight at that moment fail with `DisconnectedWillReconnect`; subxt's own
//! reads retry them, and [`retrying`] does the same for the calls this crate makes directly.
//! Calls made while it reconnects wait for the new socket. Nothing here resubmits a
//! transaction: a submission caught by a drop is settled by `submit`'s recovery, which asks
//! the chain before it sends anything again.

use std::future::Future;
use std::time::Duration;

use subxt::rpcs::client::{ReconnectingRpcClient, RpcClient, jsonrpsee_client};

use super::ChainError;

/// Delays between reconnection attempts: 50 ms doubling to 5 s, about a minute in all, after
/// which the connection is given up and every call fails.
fn reconnect_delays() -> impl Iterator<Item = Duration> + Clone + Send + Sync + 'static {
    std::iter::successors(Some(Duration::from_millis(50)), |delay| {
        Some((*delay * 2).min(Duration::from_secs(5)))
    })
    .take(18)
}

/// How long the first TCP connection may take before the endpoint counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How often one call is retried across reconnections before its error is returned.
const CALL_ATTEMPTS: usize = 8;

/// Opens a reconnecting connection to `url` (already checked to be `ws://` or `wss://`).
pub(super) async fn open(url: &str) -> Result<RpcClient, String> {
    // The reconnecting client retries even its first connection, for a minute; one plain
    // handshake first turns "nothing listens there" or "HTTP 403" into an immediate error.
    match tokio::time::timeout(CONNECT_TIMEOUT, jsonrpsee_client(url)).await {
        Ok(Ok(_probe)) => {}
        Ok(Err(e)) => return Err(e.to_string()),
        Err(_) => return Err(format!("no answer within {}s", CONNECT_TIMEOUT.as_secs())),
    }
    let client = ReconnectingRpcClient::builder()
        .retry_policy(reconnect_delays())
        .connection_timeout(CONNECT_TIMEOUT)
        .build(url)
        .await
        .map_err(|e| e.to_string())?;
    Ok(RpcClient::new(client))
}

/// Whether `err` says the socket dropped and the client is reconnecting.
pub(super) fn is_reconnecting(err: &subxt::rpcs::Error) -> bool {
    matches!(err, subxt::rpcs::Error::DisconnectedWillReconnect(_))
}

/// Runs `call` until it does not fail with a dropped socket (at most [`CALL_ATTEMPTS`] times);
/// `what` names it in the error.
pub(super) async fn retrying<T, F, Fut>(what: &str, mut call: F) -> Result<T, ChainError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, subxt::rpcs::Error>>,
{
    let mut attempt = 1;
    loop {
        match call().await {
            Ok(value) => return Ok(value),
            Err(e) if is_reconnecting(&e) && attempt < CALL_ATTEMPTS => {
                tracing::debug!("{what}: connection dropped, asking again ({e})");
                attempt += 1;
            }
            Err(e) => return Err(ChainError::rpc(what, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnection_backs_off_to_five_seconds_for_about_a_minute() {
        let delays: Vec<Duration> = reconnect_delays().collect();
        assert_eq!(delays[0], Duration::from_millis(50));
        assert_eq!(delays[1], Duration::from_millis(100));
        assert!(delays.iter().all(|d| *d <= Duration::from_secs(5)));
        let total: Duration = delays.iter().sum();
        assert!(
            total > Duration::from_secs(45) && total < Duration::from_secs(90),
            "{total:?}"
        );
    }

    #[tokio::test]
    async fn nothing_listening_is_an_immediate_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let started = std::time::Instant::now();
        let err = open(&format!("ws://127.0.0.1:{port}")).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5), "{err}");
        assert!(err.to_lowercase().contains("refused"), "{err}");
    }

    #[tokio::test]
    async fn a_call_is_asked_again_after_a_drop_and_other_errors_return() {
        let mut calls = 0;
        let value = retrying("asking", || {
            calls += 1;
            let outcome = if calls < 3 {
                Err(subxt::rpcs::Error::DisconnectedWillReconnect("gone".into()))
            } else {
                Ok(7)
            };
            async move { outcome }
        })
        .await
        .unwrap();
        assert_eq!((value, calls), (7, 3));

        let err = retrying::<u8, _, _>("asking for the head", || async {
            Err(subxt::rpcs::Error::DisconnectedWillReconnect("gone".into()))
        })
        .await
        .unwrap_err();
        assert!(err.to_string().starts_with("asking for the head"), "{err}");
    }
}
