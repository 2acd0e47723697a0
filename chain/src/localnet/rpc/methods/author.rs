//! `author_*`: submitting transactions, watching them, listing the pool.
//!
//! Refusals carry the backend's error object unchanged (Substrate's transaction-pool codes).
//! A watched transaction's notifications (`author_extrinsicUpdate`) are the statuses the
//! backend reports, in order; the subscription ends after a final one (`finalized`,
//! `usurped`, `dropped`, `invalid`, `finalityTimeout`), as Substrate's does. A refused
//! `author_submitAndWatchExtrinsic` is answered with the error instead of a subscription id.

use std::sync::Arc;

use jsonrpsee::core::{RegisterMethodError, SubscriptionResult};
use jsonrpsee::types::Params;
use jsonrpsee::{PendingSubscriptionSink, RpcModule};
use tokio::sync::mpsc;

use super::{RpcContext, RpcResult, blocking, notify};
use crate::localnet::rpc::json::{HexBytes, HexHash, ParamReader};
use crate::localnet::rpc::{ChainBackend, TxStatus, errors};

/// Registers the author API.
pub fn register<B: ChainBackend>(
    module: &mut RpcModule<RpcContext<B>>,
) -> Result<(), RegisterMethodError> {
    module.register_blocking_method("author_submitExtrinsic", |params, context, _| {
        submit(&params, &*context.backend)
    })?;
    module.register_blocking_method("author_pendingExtrinsics", |_, context, _| {
        context
            .backend
            .pending_extrinsics()
            .map(|all| all.into_iter().map(HexBytes).collect::<Vec<_>>())
            .map_err(|e| errors::author_client(&e))
    })?;
    module.register_subscription(
        "author_submitAndWatchExtrinsic",
        "author_extrinsicUpdate",
        "author_unwatchExtrinsic",
        |params, pending, context, _| watch(params, pending, context),
    )?;
    Ok(())
}

fn submit<B: ChainBackend>(params: &Params<'_>, backend: &B) -> RpcResult<HexHash> {
    let mut reader = ParamReader::new(params)?;
    let extrinsic: HexBytes = reader.required("extrinsic")?;
    backend
        .submit(extrinsic.0, None)
        .map(HexHash)
        .map_err(errors::submit)
}

async fn watch<B: ChainBackend>(
    params: Params<'static>,
    pending: PendingSubscriptionSink,
    context: Arc<RpcContext<B>>,
) -> SubscriptionResult {
    let extrinsic: HexBytes = match ParamReader::new(&params).and_then(|mut r| r.required("bytes"))
    {
        Ok(bytes) => bytes,
        Err(e) => {
            pending.reject(e).await;
            return Ok(());
        }
    };
    let (sender, mut statuses) = mpsc::unbounded_channel();
    let submitted = blocking(&context, move |backend| {
        backend.submit(extrinsic.0, Some(sender))
    })
    .await;
    match submitted {
        Ok(Ok(_hash)) => {}
        Ok(Err(refused)) => {
            pending.reject(errors::submit(refused)).await;
            return Ok(());
        }
        Err(e) => {
            pending.reject(e).await;
            return Ok(());
        }
    }
    let sink = pending.accept().await?;
    loop {
        let status: TxStatus = tokio::select! {
            _ = sink.closed() => return Ok(()),
            next = statuses.recv() => match next {
                Some(status) => status,
                // The backend dropped the watcher without a final status (it shut down).
                None => return Ok(()),
            },
        };
        if !notify(&sink, &status).await || status.is_final() {
            return Ok(());
        }
    }
}
