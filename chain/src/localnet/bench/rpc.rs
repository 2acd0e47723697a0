//! The over-RPC submission rate: the same pre-signed transfers sent as `author_submitExtrinsic`
//! over a WebSocket to the localnet's JSON-RPC server on loopback, `IN_FLIGHT` requests at a
//! time (a busy client pipelines), so the figure includes JSON, hex and the socket on top of
//! what [`Node::submit`] costs. The pool is drained between batches as in the in-process
//! scenario, and every transfer must then be applied.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde::Serialize;
use subxt::rpcs::RpcClient;
use subxt::rpcs::client::RpcParams;

use super::{BenchError, all_succeeded, include_all};
use crate::localnet::node::Node;
use crate::localnet::rpc;

/// Requests the client keeps in flight.
pub const IN_FLIGHT: usize = 64;

/// The over-RPC submission scenario.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RpcReport {
    /// `memory` or the data dir.
    pub store: String,
    /// Transfers submitted.
    pub transactions: u64,
    /// Requests in flight at once.
    pub in_flight: u64,
    /// Seconds from the first request to the last answer, summed over batches.
    pub seconds: f64,
    /// Transfers applied once the pool was drained.
    pub applied: u64,
}

impl RpcReport {
    /// Transactions admitted per second over RPC.
    pub fn admitted_per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.transactions as f64 / self.seconds
        } else {
            0.0
        }
    }
}

fn rpc_failure(what: impl std::fmt::Display) -> BenchError {
    BenchError::Unexpected {
        scenario: "rpc",
        what: what.to_string(),
    }
}

/// Serves `node` on a free loopback port and submits `transfers` through it.
pub fn run_rpc_submission(
    node: Arc<Node>,
    transfers: &[Vec<u8>],
    batch: usize,
    label: &str,
) -> Result<RpcReport, BenchError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| rpc_failure(format!("starting the async runtime: {e}")))?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let (addr, server) = runtime
        .block_on(rpc::serve(node.clone(), addr))
        .map_err(|e| rpc_failure(format!("serving JSON-RPC on {addr}: {e}")))?;
    let url = format!("ws://{addr}");
    let client = runtime
        .block_on(RpcClient::from_insecure_url(&url))
        .map_err(|e| rpc_failure(format!("connecting to {url}: {e}")))?;

    let batch = batch.max(1);
    let mut seconds = Duration::ZERO;
    let mut blocks = Vec::new();
    let mut outcome = Ok(());
    for (i, chunk) in transfers.chunks(batch).enumerate() {
        match runtime.block_on(submit_batch(&client, chunk, i * batch)) {
            Ok(took) => seconds += took,
            Err(err) => {
                outcome = Err(err);
                break;
            }
        }
        match include_all(&node, chunk.len(), "rpc") {
            Ok(made) => blocks.extend(made),
            Err(err) => {
                outcome = Err(err);
                break;
            }
        }
    }
    drop(client);
    runtime.block_on(server.stop());
    outcome?;
    let applied = all_succeeded(&node, &blocks, "rpc")?;
    Ok(RpcReport {
        store: label.to_owned(),
        transactions: transfers.len() as u64,
        in_flight: IN_FLIGHT as u64,
        seconds: seconds.as_secs_f64(),
        applied,
    })
}

/// Submits one batch, `IN_FLIGHT` at a time; the time until the last answer.
async fn submit_batch(
    client: &RpcClient,
    chunk: &[Vec<u8>],
    first_index: usize,
) -> Result<Duration, BenchError> {
    let requests: Vec<(usize, RpcParams)> = chunk
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            let mut params = RpcParams::new();
            params
                .push(format!("0x{}", hex::encode(bytes)))
                .map_err(rpc_failure)?;
            Ok((first_index + i, params))
        })
        .collect::<Result<_, BenchError>>()?;
    let started = Instant::now();
    let mut answers = futures::stream::iter(requests)
        .map(|(index, params)| async move {
            client
                .request::<String>("author_submitExtrinsic", params)
                .await
                .map_err(|e| rpc_failure(format!("transaction {index}: {e}")))
        })
        .buffer_unordered(IN_FLIGHT);
    while let Some(answer) = answers.next().await {
        answer?;
    }
    Ok(started.elapsed())
}
