//! `chain_*`: block hashes, headers, blocks, the finalized head, and head subscriptions.
//!
//! Head subscriptions send the current head first, then every new one, as Substrate does. The
//! localnet has no forks, so "all heads" and "new heads" carry the same headers; a head is sent
//! once even if it arrives both as the current head and through the stream. A client too slow
//! to keep up skips heads (it gets the newest), as Substrate's bounded buffers do.

use std::sync::Arc;

use jsonrpsee::core::{RegisterMethodError, SubscriptionResult};
use jsonrpsee::types::Params;
use jsonrpsee::{PendingSubscriptionSink, RpcModule};
use tokio::sync::broadcast::error::RecvError;

use super::{RpcContext, RpcResult, blocking, notify};
use crate::localnet::block::{Header, SignedBlock};
use crate::localnet::rpc::json::{HexHash, ListOrValue, NumberOrHex, ParamReader};
use crate::localnet::rpc::{ChainBackend, errors};

/// Most block numbers one `chain_getBlockHash` call may ask for.
pub const MAX_BLOCK_HASH_LIST: usize = 10_000;

/// Registers the chain API.
pub fn register<B: ChainBackend>(
    module: &mut RpcModule<RpcContext<B>>,
) -> Result<(), RegisterMethodError> {
    module.register_blocking_method("chain_getBlockHash", |params, context, _| {
        block_hash(&params, &*context.backend)
    })?;
    module.register_alias("chain_getHead", "chain_getBlockHash")?;

    module.register_blocking_method("chain_getHeader", |params, context, _| {
        header(&params, &*context.backend)
    })?;
    module.register_blocking_method("chain_getBlock", |params, context, _| {
        block(&params, &*context.backend)
    })?;

    module.register_blocking_method("chain_getFinalizedHead", |_, context, _| {
        context
            .backend
            .finalized()
            .map(|(_, hash)| HexHash(hash))
            .map_err(|e| errors::chain_client(&e))
    })?;
    module.register_alias("chain_getFinalisedHead", "chain_getFinalizedHead")?;

    register_heads(
        module,
        Heads::All,
        [
            "chain_subscribeAllHeads",
            "chain_allHead",
            "chain_unsubscribeAllHeads",
        ],
        &[],
        &[],
    )?;
    register_heads(
        module,
        Heads::Best,
        [
            "chain_subscribeNewHeads",
            "chain_newHead",
            "chain_unsubscribeNewHeads",
        ],
        &["subscribe_newHead", "chain_subscribeNewHead"],
        &["unsubscribe_newHead", "chain_unsubscribeNewHead"],
    )?;
    register_heads(
        module,
        Heads::Finalized,
        [
            "chain_subscribeFinalizedHeads",
            "chain_finalizedHead",
            "chain_unsubscribeFinalizedHeads",
        ],
        &["chain_subscribeFinalisedHeads"],
        &["chain_unsubscribeFinalisedHeads"],
    )?;
    Ok(())
}

fn block_hash<B: ChainBackend>(
    params: &Params<'_>,
    backend: &B,
) -> RpcResult<ListOrValue<Option<HexHash>>> {
    let mut reader = ParamReader::new(params)?;
    let requested: Option<ListOrValue<NumberOrHex>> = reader.optional("hash")?;
    let lookup = |number: &NumberOrHex| -> RpcResult<Option<HexHash>> {
        let number = number.to_block_number().map_err(errors::chain_other)?;
        backend
            .block_hash(number)
            .map(|hash| hash.map(HexHash))
            .map_err(|e| errors::chain_client(&e))
    };
    match requested {
        None => backend
            .best()
            .map(|(_, hash)| ListOrValue::Value(Some(HexHash(hash))))
            .map_err(|e| errors::chain_client(&e)),
        Some(ListOrValue::Value(number)) => lookup(&number).map(ListOrValue::Value),
        Some(ListOrValue::List(numbers)) => {
            if numbers.len() > MAX_BLOCK_HASH_LIST {
                return Err(errors::invalid_param(
                    0,
                    "hash",
                    &format!(
                        "lists {} block numbers; at most {MAX_BLOCK_HASH_LIST} per call",
                        numbers.len()
                    ),
                ));
            }
            numbers
                .iter()
                .map(lookup)
                .collect::<RpcResult<Vec<_>>>()
                .map(ListOrValue::List)
        }
    }
}

fn header<B: ChainBackend>(params: &Params<'_>, backend: &B) -> RpcResult<Option<Header>> {
    let mut reader = ParamReader::new(params)?;
    let at: Option<HexHash> = reader.optional("hash")?;
    let found = match at {
        Some(HexHash(hash)) => backend.header(hash),
        None => backend.best().and_then(|(_, hash)| backend.header(hash)),
    };
    found.map_err(|e| errors::chain_client(&e))
}

fn block<B: ChainBackend>(params: &Params<'_>, backend: &B) -> RpcResult<Option<SignedBlock>> {
    let mut reader = ParamReader::new(params)?;
    let at: Option<HexHash> = reader.optional("hash")?;
    let found = match at {
        Some(HexHash(hash)) => backend.block(hash),
        None => backend.best().and_then(|(_, hash)| backend.block(hash)),
    };
    found
        .map(|block| block.map(|block| SignedBlock { block }))
        .map_err(|e| errors::chain_client(&e))
}

/// Which heads a subscription follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Heads {
    All,
    Best,
    Finalized,
}

fn register_heads<B: ChainBackend>(
    module: &mut RpcModule<RpcContext<B>>,
    heads: Heads,
    [subscribe, notification, unsubscribe]: [&'static str; 3],
    subscribe_aliases: &[&'static str],
    unsubscribe_aliases: &[&'static str],
) -> Result<(), RegisterMethodError> {
    module.register_subscription(
        subscribe,
        notification,
        unsubscribe,
        move |_params, pending, context, _| follow_heads(pending, context, heads),
    )?;
    for alias in subscribe_aliases {
        module.register_alias(alias, subscribe)?;
    }
    for alias in unsubscribe_aliases {
        module.register_alias(alias, unsubscribe)?;
    }
    Ok(())
}

async fn follow_heads<B: ChainBackend>(
    pending: PendingSubscriptionSink,
    context: Arc<RpcContext<B>>,
    heads: Heads,
) -> SubscriptionResult {
    // Subscribe before reading the current head, so no block falls between the two.
    let mut stream = match heads {
        Heads::All | Heads::Best => context.backend.subscribe_best_heads(),
        Heads::Finalized => context.backend.subscribe_finalized_heads(),
    };
    let current = blocking(&context, move |backend| {
        let head = match heads {
            Heads::All | Heads::Best => backend.best(),
            Heads::Finalized => backend.finalized(),
        };
        head.and_then(|(_, hash)| backend.header(hash))
    })
    .await;
    let sink = pending.accept().await?;

    let mut last_sent: Option<u32> = None;
    match current {
        Ok(Ok(Some(header))) => {
            if !notify(&sink, &header).await {
                return Ok(());
            }
            last_sent = Some(header.number);
        }
        // Substrate logs a missing current head and goes on with the stream.
        Ok(Ok(None)) => tracing::warn!(method = sink.method_name(), "current head not found"),
        Ok(Err(e)) => tracing::warn!(method = sink.method_name(), error = %e, "current head"),
        Err(e) => tracing::warn!(method = sink.method_name(), error = ?e, "current head"),
    }

    loop {
        let header = tokio::select! {
            _ = sink.closed() => return Ok(()),
            next = stream.recv() => match next {
                Ok(header) => header,
                Err(RecvError::Lagged(skipped)) => {
                    tracing::debug!(method = sink.method_name(), skipped, "slow subscriber skipped heads");
                    continue;
                }
                Err(RecvError::Closed) => return Ok(()),
            },
        };
        if last_sent.is_some_and(|number| header.number <= number) {
            continue;
        }
        if !notify(&sink, &header).await {
            return Ok(());
        }
        last_sent = Some(header.number);
    }
}
