//! `state_*`: storage reads at any block, runtime API calls, metadata, the runtime version,
//! and the storage and runtime-version subscriptions.
//!
//! Storage semantics follow Substrate's full node:
//! - `state_getKeysPaged`: keys under `prefix` (all keys when absent), in byte order, strictly
//!   after `startKey` when it is given (a `startKey` before the prefix starts at the prefix),
//!   at most `count` ≤ 1000 (more → `4002`).
//! - `state_getStorageHash`: blake2-256 of the value. `state_getStorageSize`: the value's
//!   length, or when the key holds nothing, the summed length of the values under it as a
//!   prefix (`null` when that is zero).
//! - `state_queryStorageAt`: one change set for the block with every key asked for (`null` for
//!   empty ones); no keys → `[]`. `state_queryStorage`: a change set for the first block with
//!   every key, then one for each later block where a value differs.
//! - `state_getMetadata`: the runtime's `Metadata_metadata` bytes (the SCALE
//!   `RuntimeMetadataPrefixed`, without the outer length). `state_getRuntimeVersion`: the
//!   runtime's `Core_version`, as JSON.
//! - `state_subscribeStorage([keys])`: first the current values of all keys, then for each new
//!   best block the keys whose values differ from those last sent. Watching every key (no key
//!   list) is refused: the localnet keeps no per-block change feed for it.
//! - `state_subscribeRuntimeVersion`: the current version, then each change (an upgrade).
//!
//! The unpaged `state_getKeys`, `state_getPairs` and prefix sizes stop at
//! [`MAX_UNPAGED_KEYS`] keys with a `4003` error rather than build an unbounded answer.

use std::sync::Arc;

use jsonrpsee::core::{RegisterMethodError, SubscriptionError, SubscriptionResult};
use jsonrpsee::types::Params;
use jsonrpsee::{PendingSubscriptionSink, RpcModule, SubscriptionSink};
use nya_metadata::runtime::types::H256;
use parity_scale_codec::DecodeAll;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use super::{RpcContext, RpcResult, at_or_best, blocking, notify};
use crate::localnet::rpc::json::{
    HexBytes, HexHash, ParamReader, RuntimeVersion, StorageChangeSet, to_hex,
};
use crate::localnet::rpc::{BackendError, ChainBackend, Header, errors};
use crate::localnet::state::StorageRead;

/// Substrate's cap on `state_getKeysPaged`'s `count`.
pub const STORAGE_KEYS_PAGED_MAX_COUNT: u32 = 1000;
/// Most keys `state_getKeys`, `state_getPairs` and prefix sizes walk before refusing.
pub const MAX_UNPAGED_KEYS: usize = 100_000;
/// Most keys one `state_subscribeStorage` may watch.
pub const MAX_STORAGE_SUBSCRIPTION_KEYS: usize = 1000;
/// Most storage reads (keys × blocks) one `state_queryStorage` may make.
pub const MAX_QUERY_STORAGE_READS: usize = 100_000;

/// Registers the state API.
pub fn register<B: ChainBackend>(
    module: &mut RpcModule<RpcContext<B>>,
) -> Result<(), RegisterMethodError> {
    module.register_blocking_method("state_getStorage", |params, context, _| {
        storage(&params, &*context.backend)
    })?;
    module.register_alias("state_getStorageAt", "state_getStorage")?;
    module.register_blocking_method("state_getStorageHash", |params, context, _| {
        storage_hash(&params, &*context.backend)
    })?;
    module.register_alias("state_getStorageHashAt", "state_getStorageHash")?;
    module.register_blocking_method("state_getStorageSize", |params, context, _| {
        storage_size(&params, &*context.backend)
    })?;
    module.register_alias("state_getStorageSizeAt", "state_getStorageSize")?;
    module.register_blocking_method("state_getKeys", |params, context, _| {
        keys_unpaged(&params, &*context.backend)
    })?;
    module.register_blocking_method("state_getPairs", |params, context, _| {
        pairs(&params, &*context.backend)
    })?;
    module.register_blocking_method("state_getKeysPaged", |params, context, _| {
        keys_paged_method(&params, &*context.backend)
    })?;
    module.register_alias("state_getKeysPagedAt", "state_getKeysPaged")?;
    module.register_blocking_method("state_queryStorageAt", |params, context, _| {
        query_storage_at(&params, &*context.backend)
    })?;
    module.register_blocking_method("state_queryStorage", |params, context, _| {
        query_storage(&params, &*context.backend)
    })?;
    module.register_blocking_method("state_call", |params, context, _| {
        call(&params, &*context.backend)
    })?;
    module.register_alias("state_callAt", "state_call")?;
    module.register_blocking_method("state_getMetadata", |params, context, _| {
        let mut reader = ParamReader::new(&params)?;
        let at: Option<HexHash> = reader.optional("hash")?;
        let backend = &*context.backend;
        at_or_best(backend, at)
            .and_then(|at| metadata(backend, at))
            .map(HexBytes)
            .map_err(|e| errors::state_client(&e))
    })?;
    module.register_blocking_method("state_getRuntimeVersion", |params, context, _| {
        let mut reader = ParamReader::new(&params)?;
        let at: Option<HexHash> = reader.optional("hash")?;
        let backend = &*context.backend;
        at_or_best(backend, at)
            .and_then(|at| runtime_version(backend, at))
            .map_err(|e| errors::state_client(&e))
    })?;
    module.register_alias("chain_getRuntimeVersion", "state_getRuntimeVersion")?;

    module.register_subscription(
        "state_subscribeRuntimeVersion",
        "state_runtimeVersion",
        "state_unsubscribeRuntimeVersion",
        |_params, pending, context, _| follow_runtime_version(pending, context),
    )?;
    module.register_alias(
        "chain_subscribeRuntimeVersion",
        "state_subscribeRuntimeVersion",
    )?;
    module.register_alias(
        "chain_unsubscribeRuntimeVersion",
        "state_unsubscribeRuntimeVersion",
    )?;
    module.register_subscription(
        "state_subscribeStorage",
        "state_storage",
        "state_unsubscribeStorage",
        |params, pending, context, _| follow_storage(params, pending, context),
    )?;
    Ok(())
}

/// Reads the state after `at`, turning backend failures into state errors (`4003`).
fn read_state<B: ChainBackend, T>(
    backend: &B,
    at: Option<HexHash>,
    read: impl FnOnce(&dyn StorageRead) -> Result<T, BackendError>,
) -> RpcResult<T> {
    at_or_best(backend, at)
        .and_then(|at| backend.with_state(at, read))
        .and_then(|result| result)
        .map_err(|e| errors::state_client(&e))
}

fn storage<B: ChainBackend>(params: &Params<'_>, backend: &B) -> RpcResult<Option<HexBytes>> {
    let mut reader = ParamReader::new(params)?;
    let key: HexBytes = reader.required("key")?;
    let at: Option<HexHash> = reader.optional("hash")?;
    read_state(backend, at, |state| Ok(state.get(&key.0).map(HexBytes)))
}

fn storage_hash<B: ChainBackend>(params: &Params<'_>, backend: &B) -> RpcResult<Option<HexHash>> {
    let mut reader = ParamReader::new(params)?;
    let key: HexBytes = reader.required("key")?;
    let at: Option<HexHash> = reader.optional("hash")?;
    read_state(backend, at, |state| {
        Ok(state
            .get(&key.0)
            .map(|value| HexHash(H256(sp_crypto_hashing::blake2_256(&value)))))
    })
}

fn storage_size<B: ChainBackend>(params: &Params<'_>, backend: &B) -> RpcResult<Option<u64>> {
    let mut reader = ParamReader::new(params)?;
    let key: HexBytes = reader.required("key")?;
    let at: Option<HexHash> = reader.optional("hash")?;
    read_state(backend, at, |state| {
        if let Some(value) = state.get(&key.0) {
            return Ok(Some(value.len() as u64));
        }
        let keys = bounded_keys(state, &key.0)?;
        let total: u64 = keys
            .iter()
            .filter_map(|k| state.get(k))
            .map(|v| v.len() as u64)
            .sum();
        Ok((total > 0).then_some(total))
    })
}

fn keys_unpaged<B: ChainBackend>(params: &Params<'_>, backend: &B) -> RpcResult<Vec<HexBytes>> {
    let mut reader = ParamReader::new(params)?;
    let prefix: HexBytes = reader.required("prefix")?;
    let at: Option<HexHash> = reader.optional("hash")?;
    read_state(backend, at, |state| {
        Ok(bounded_keys(state, &prefix.0)?
            .into_iter()
            .map(HexBytes)
            .collect())
    })
}

fn pairs<B: ChainBackend>(
    params: &Params<'_>,
    backend: &B,
) -> RpcResult<Vec<(HexBytes, HexBytes)>> {
    let mut reader = ParamReader::new(params)?;
    let prefix: HexBytes = reader.required("prefix")?;
    let at: Option<HexHash> = reader.optional("hash")?;
    read_state(backend, at, |state| {
        let keys = bounded_keys(state, &prefix.0)?;
        Ok(keys
            .into_iter()
            .filter_map(|key| {
                let value = state.get(&key)?;
                Some((HexBytes(key), HexBytes(value)))
            })
            .collect())
    })
}

fn keys_paged_method<B: ChainBackend>(
    params: &Params<'_>,
    backend: &B,
) -> RpcResult<Vec<HexBytes>> {
    let mut reader = ParamReader::new(params)?;
    let prefix: Option<HexBytes> = reader.optional("prefix")?;
    let count: u32 = reader.required("count")?;
    let start_key: Option<HexBytes> = reader.optional("start_key")?;
    let at: Option<HexHash> = reader.optional("hash")?;
    if count > STORAGE_KEYS_PAGED_MAX_COUNT {
        return Err(errors::state_invalid_count(
            count,
            STORAGE_KEYS_PAGED_MAX_COUNT,
        ));
    }
    let prefix = prefix.map(|p| p.0).unwrap_or_default();
    read_state(backend, at, |state| {
        Ok(keys_paged(
            state,
            &prefix,
            start_key.as_ref().map(|k| k.0.as_slice()),
            count as usize,
        )
        .into_iter()
        .map(HexBytes)
        .collect())
    })
}

/// Keys under `prefix` in byte order, strictly after `start_after` when given, at most `count`.
pub fn keys_paged(
    state: &dyn StorageRead,
    prefix: &[u8],
    start_after: Option<&[u8]>,
    count: usize,
) -> Vec<Vec<u8>> {
    let mut keys = Vec::new();
    if count == 0 {
        return keys;
    }
    let mut cursor = match start_after {
        Some(start) if start >= prefix => start.to_vec(),
        _ => {
            // The prefix itself may be a key (a plain storage value); next_key skips it.
            if state.get(prefix).is_some() {
                keys.push(prefix.to_vec());
            }
            prefix.to_vec()
        }
    };
    while keys.len() < count {
        match state.next_key(&cursor) {
            Some(next) if next.starts_with(prefix) => {
                keys.push(next.clone());
                cursor = next;
            }
            _ => break,
        }
    }
    keys
}

/// Every key under `prefix`, or an error past [`MAX_UNPAGED_KEYS`].
fn bounded_keys(state: &dyn StorageRead, prefix: &[u8]) -> Result<Vec<Vec<u8>>, BackendError> {
    let keys = keys_paged(state, prefix, None, MAX_UNPAGED_KEYS + 1);
    if keys.len() > MAX_UNPAGED_KEYS {
        return Err(BackendError::Internal(format!(
            "more than {MAX_UNPAGED_KEYS} keys under prefix {}; use state_getKeysPaged",
            to_hex(prefix)
        )));
    }
    Ok(keys)
}

fn query_storage_at<B: ChainBackend>(
    params: &Params<'_>,
    backend: &B,
) -> RpcResult<Vec<StorageChangeSet>> {
    let mut reader = ParamReader::new(params)?;
    let keys: Vec<HexBytes> = reader.required("keys")?;
    let at: Option<HexHash> = reader.optional("at")?;
    let block = at_or_best(backend, at).map_err(|e| errors::state_client(&e))?;
    let changes = read_state(backend, Some(HexHash(block)), |state| {
        Ok(keys
            .into_iter()
            .map(|key| {
                let value = state.get(&key.0).map(HexBytes);
                (key, value)
            })
            .collect::<Vec<_>>())
    })?;
    // Substrate leaves out change sets without changes, so no keys gives `[]`.
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    Ok(vec![StorageChangeSet {
        block: HexHash(block),
        changes,
    }])
}

fn query_storage<B: ChainBackend>(
    params: &Params<'_>,
    backend: &B,
) -> RpcResult<Vec<StorageChangeSet>> {
    let mut reader = ParamReader::new(params)?;
    let keys: Vec<HexBytes> = reader.required("keys")?;
    let HexHash(from) = reader.required("block")?;
    let to: Option<HexHash> = reader.optional("hash")?;

    let from_text = to_hex(&from.0);
    let to_text = match to {
        Some(HexHash(hash)) => format!("Some({})", to_hex(&hash.0)),
        None => "None".to_string(),
    };
    let range_error =
        |details: &str| errors::state_invalid_block_range(&from_text, &to_text, details);
    let number_of = |hash: H256| -> RpcResult<u32> {
        match backend.header(hash) {
            Ok(Some(header)) => Ok(header.number),
            Ok(None) => Err(range_error(&BackendError::UnknownBlock(hash).to_string())),
            Err(e) => Err(range_error(&e.to_string())),
        }
    };
    let to = at_or_best(backend, to).map_err(|e| range_error(&e.to_string()))?;
    let from_number = number_of(from)?;
    let to_number = number_of(to)?;
    if from_number > to_number {
        return Err(range_error("from number > to number"));
    }
    match backend.block_hash(from_number) {
        Ok(Some(hash)) if hash == from => {}
        Ok(_) => return Err(range_error("from and to are on different forks")),
        Err(e) => return Err(range_error(&e.to_string())),
    }
    let blocks = (to_number - from_number) as usize + 1;
    if blocks.saturating_mul(keys.len()) > MAX_QUERY_STORAGE_READS {
        return Err(range_error(&format!(
            "{blocks} blocks × {} keys is more than {MAX_QUERY_STORAGE_READS} storage reads",
            keys.len()
        )));
    }

    let mut last: Vec<Option<Option<Vec<u8>>>> = vec![None; keys.len()];
    let mut sets = Vec::new();
    for number in from_number..=to_number {
        let hash = match backend.block_hash(number) {
            Ok(Some(hash)) => hash,
            Ok(None) => return Err(range_error(&format!("block {number} is missing"))),
            Err(e) => return Err(range_error(&e.to_string())),
        };
        let values = read_state(backend, Some(HexHash(hash)), |state| {
            Ok(keys.iter().map(|k| state.get(&k.0)).collect::<Vec<_>>())
        })?;
        let mut changes = Vec::new();
        for ((key, value), previous) in keys.iter().zip(values).zip(last.iter_mut()) {
            if previous.as_ref() != Some(&value) {
                changes.push((key.clone(), value.clone().map(HexBytes)));
                *previous = Some(value);
            }
        }
        if !changes.is_empty() {
            sets.push(StorageChangeSet {
                block: HexHash(hash),
                changes,
            });
        }
    }
    Ok(sets)
}

fn call<B: ChainBackend>(params: &Params<'_>, backend: &B) -> RpcResult<HexBytes> {
    let mut reader = ParamReader::new(params)?;
    let method: String = reader.required("name")?;
    let data: HexBytes = reader.required("bytes")?;
    let at: Option<HexHash> = reader.optional("hash")?;
    at_or_best(backend, at)
        .and_then(|at| backend.call(at, &method, &data.0))
        .map(HexBytes)
        .map_err(|e| errors::state_client(&e))
}

/// The runtime's metadata at `at` (`Metadata_metadata` returns `OpaqueMetadata`, a SCALE
/// `Vec<u8>` whose content is the `RuntimeMetadataPrefixed`).
fn metadata<B: ChainBackend>(backend: &B, at: H256) -> Result<Vec<u8>, BackendError> {
    let encoded = backend.call(at, "Metadata_metadata", &[])?;
    Vec::<u8>::decode_all(&mut encoded.as_slice()).map_err(|e| {
        BackendError::Execution(format!(
            "Metadata_metadata returned {} bytes that are not a SCALE byte vector: {e}",
            encoded.len()
        ))
    })
}

/// The runtime version at `at`, from the runtime's `Core_version`.
fn runtime_version<B: ChainBackend>(backend: &B, at: H256) -> Result<RuntimeVersion, BackendError> {
    let encoded = backend.call(at, "Core_version", &[])?;
    RuntimeVersion::decode_core_version(&encoded).map_err(BackendError::Execution)
}

/// Accepts a subscription whose first answer was read, or rejects it with the read's error;
/// `None` when rejected.
async fn accept_or_reject<T>(
    pending: PendingSubscriptionSink,
    initial: RpcResult<Result<T, BackendError>>,
) -> Result<Option<(SubscriptionSink, T)>, SubscriptionError> {
    match initial {
        Ok(Ok(found)) => Ok(Some((pending.accept().await?, found))),
        Ok(Err(e)) => {
            pending.reject(errors::state_client(&e)).await;
            Ok(None)
        }
        Err(e) => {
            pending.reject(e).await;
            Ok(None)
        }
    }
}

/// The next best head above `seen_up_to` (which it moves), or `None` once the subscriber left
/// or the node stopped. Heads up to the block the first answer was read at are skipped: they
/// are accounted for, and reporting them would look like going back.
async fn next_new_head(
    sink: &SubscriptionSink,
    heads: &mut broadcast::Receiver<Header>,
    seen_up_to: &mut u32,
) -> Option<Header> {
    loop {
        let header = tokio::select! {
            _ = sink.closed() => return None,
            next = heads.recv() => match next {
                Ok(header) => header,
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return None,
            },
        };
        if header.number > *seen_up_to {
            *seen_up_to = header.number;
            return Some(header);
        }
    }
}

async fn follow_runtime_version<B: ChainBackend>(
    pending: PendingSubscriptionSink,
    context: Arc<RpcContext<B>>,
) -> SubscriptionResult {
    let mut heads = context.backend.subscribe_best_heads();
    let initial = blocking(&context, |backend| {
        let (number, hash) = backend.best()?;
        runtime_version(backend, hash).map(|version| (number, version))
    })
    .await;
    let Some((sink, (mut seen_up_to, mut current))) = accept_or_reject(pending, initial).await?
    else {
        return Ok(());
    };
    if !notify(&sink, &current).await {
        return Ok(());
    }
    while let Some(header) = next_new_head(&sink, &mut heads, &mut seen_up_to).await {
        let hash = header.hash();
        match blocking(&context, move |backend| runtime_version(backend, hash)).await {
            Ok(Ok(version)) if version != current => {
                if !notify(&sink, &version).await {
                    return Ok(());
                }
                current = version;
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "runtime version of a new block"),
            Err(e) => tracing::warn!(error = ?e, "runtime version of a new block"),
        }
    }
    Ok(())
}

async fn follow_storage<B: ChainBackend>(
    params: Params<'static>,
    pending: PendingSubscriptionSink,
    context: Arc<RpcContext<B>>,
) -> SubscriptionResult {
    let keys = match storage_subscription_keys(&params) {
        Ok(keys) => keys,
        Err(e) => {
            pending.reject(e).await;
            return Ok(());
        }
    };
    let mut heads = context.backend.subscribe_best_heads();
    let read_keys = Arc::new(keys);
    let initial = {
        let keys = read_keys.clone();
        blocking(&context, move |backend| {
            let (number, best) = backend.best()?;
            let values = backend.with_state(best, |state| {
                keys.iter().map(|k| state.get(&k.0)).collect::<Vec<_>>()
            })?;
            Ok::<_, BackendError>((number, best, values))
        })
        .await
    };
    let Some((sink, (mut seen_up_to, block, mut last))) =
        accept_or_reject(pending, initial).await?
    else {
        return Ok(());
    };
    if !read_keys.is_empty() {
        let initial_set = StorageChangeSet {
            block: HexHash(block),
            changes: read_keys
                .iter()
                .zip(&last)
                .map(|(key, value)| (key.clone(), value.clone().map(HexBytes)))
                .collect(),
        };
        if !notify(&sink, &initial_set).await {
            return Ok(());
        }
    }
    while let Some(header) = next_new_head(&sink, &mut heads, &mut seen_up_to).await {
        let hash = header.hash();
        let keys = read_keys.clone();
        let values = blocking(&context, move |backend| {
            backend.with_state(hash, |state| {
                keys.iter().map(|k| state.get(&k.0)).collect::<Vec<_>>()
            })
        })
        .await;
        let values = match values {
            Ok(Ok(values)) => values,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "storage subscription read");
                continue;
            }
            Err(e) => {
                tracing::warn!(error = ?e, "storage subscription read");
                continue;
            }
        };
        let changes: Vec<(HexBytes, Option<HexBytes>)> = read_keys
            .iter()
            .zip(values.iter().zip(&last))
            .filter(|(_, (now, before))| now != before)
            .map(|(key, (now, _))| (key.clone(), now.clone().map(HexBytes)))
            .collect();
        last = values;
        if changes.is_empty() {
            continue;
        }
        let set = StorageChangeSet {
            block: HexHash(hash),
            changes,
        };
        if !notify(&sink, &set).await {
            return Ok(());
        }
    }
    Ok(())
}

fn storage_subscription_keys(
    params: &Params<'_>,
) -> Result<Vec<HexBytes>, jsonrpsee::types::ErrorObjectOwned> {
    let mut reader = ParamReader::new(params)?;
    let keys: Option<Vec<HexBytes>> = reader.optional("keys")?;
    let keys = keys.ok_or_else(|| {
        errors::invalid_param(
            0,
            "keys",
            "is required: the localnet watches listed keys only, not all storage",
        )
    })?;
    if keys.len() > MAX_STORAGE_SUBSCRIPTION_KEYS {
        return Err(errors::invalid_param(
            0,
            "keys",
            &format!(
                "lists {} keys; at most {MAX_STORAGE_SUBSCRIPTION_KEYS} per subscription",
                keys.len()
            ),
        ));
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::localnet::state::MemoryState;

    fn state(keys: &[&[u8]]) -> MemoryState {
        MemoryState(keys.iter().map(|k| (k.to_vec(), vec![1])).collect())
    }

    #[test]
    fn keys_paged_walks_prefix_and_start_key_like_substrate() {
        let s = state(&[b"a", b"ab", b"abc", b"abd", b"b", b"ba"]);
        let all = |p: &[u8], start: Option<&[u8]>, n| keys_paged(&s, p, start, n);
        assert_eq!(
            all(b"ab", None, 10),
            vec![b"ab".to_vec(), b"abc".to_vec(), b"abd".to_vec()]
        );
        // start key is exclusive
        assert_eq!(
            all(b"ab", Some(b"ab"), 10),
            vec![b"abc".to_vec(), b"abd".to_vec()]
        );
        assert_eq!(all(b"ab", Some(b"abc"), 10), vec![b"abd".to_vec()]);
        // a start key before the prefix starts at the prefix
        assert_eq!(all(b"ab", Some(b"a"), 1), vec![b"ab".to_vec()]);
        // past the prefix: nothing
        assert!(all(b"ab", Some(b"b"), 10).is_empty());
        // empty prefix = every key; count caps
        assert_eq!(
            all(b"", None, 3),
            vec![b"a".to_vec(), b"ab".to_vec(), b"abc".to_vec()]
        );
        assert!(all(b"", None, 0).is_empty());
        assert!(all(b"zz", None, 10).is_empty());
    }
}
