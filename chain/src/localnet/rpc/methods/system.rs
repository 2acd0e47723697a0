//! `system_*`, `account_nextIndex` and `chainSpec_v1_*`: node and chain identity, health, and
//! the next nonce of an account.
//!
//! The localnet is one authoring node without peers: `system_health` is
//! `{"peers":0,"isSyncing":false,"shouldHavePeers":false}` (a development chain expects no
//! peers), `system_peers` and `system_localListenAddresses` are empty (there is no p2p
//! listener), `system_nodeRoles` is `["Authority"]`, and `system_syncState` reports the best
//! block as both current and highest.

use jsonrpsee::RpcModule;
use jsonrpsee::core::RegisterMethodError;
use jsonrpsee::types::Params;
use nya_metadata::runtime::types::AccountId32;
use serde::Serialize;
use serde_json::Value;

use super::{RpcContext, RpcResult};
use crate::keys::parse_ss58;
use crate::localnet::rpc::json::{HexHash, ParamReader};
use crate::localnet::rpc::{ChainBackend, errors};

/// `system_health`'s result.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Health {
    peers: usize,
    is_syncing: bool,
    should_have_peers: bool,
}

/// `system_syncState`'s result.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SyncState {
    starting_block: u32,
    current_block: u32,
    highest_block: u32,
}

/// Registers the system and chain-spec APIs.
pub fn register<B: ChainBackend>(
    module: &mut RpcModule<RpcContext<B>>,
) -> Result<(), RegisterMethodError> {
    module.register_method("system_name", |_, context, _| {
        RpcResult::Ok(context.system.node_name.clone())
    })?;
    module.register_method("system_version", |_, context, _| {
        RpcResult::Ok(context.system.node_version.clone())
    })?;
    module.register_method("system_chain", |_, context, _| {
        RpcResult::Ok(context.system.chain_name.clone())
    })?;
    module.register_method("system_chainType", |_, context, _| {
        RpcResult::Ok(context.system.chain_type.clone())
    })?;
    module.register_method("system_properties", |_, context, _| {
        RpcResult::Ok(Value::Object(context.system.properties.clone()))
    })?;
    module.register_method("system_health", |_, _, _| {
        RpcResult::Ok(Health {
            peers: 0,
            is_syncing: false,
            should_have_peers: false,
        })
    })?;
    module.register_method("system_localPeerId", |_, context, _| {
        RpcResult::Ok(context.peer_id.clone())
    })?;
    module.register_method("system_localListenAddresses", |_, _, _| {
        RpcResult::Ok(Vec::<String>::new())
    })?;
    module.register_method("system_peers", |_, _, _| RpcResult::Ok(Vec::<Value>::new()))?;
    module.register_method("system_nodeRoles", |_, _, _| {
        RpcResult::Ok(vec!["Authority".to_string()])
    })?;
    module.register_blocking_method("system_syncState", |_, context, _| {
        let (best, _) = context
            .backend
            .best()
            .map_err(|e| errors::internal(e.to_string()))?;
        RpcResult::Ok(SyncState {
            starting_block: 0,
            current_block: best,
            highest_block: best,
        })
    })?;
    module.register_blocking_method("system_accountNextIndex", |params, context, _| {
        account_next_index(&params, &*context.backend)
    })?;
    module.register_alias("account_nextIndex", "system_accountNextIndex")?;

    module.register_method("chainSpec_v1_chainName", |_, context, _| {
        RpcResult::Ok(context.system.chain_name.clone())
    })?;
    module.register_method("chainSpec_v1_genesisHash", |_, context, _| {
        RpcResult::Ok(HexHash(context.backend.genesis_hash()))
    })?;
    module.register_method("chainSpec_v1_properties", |_, context, _| {
        RpcResult::Ok(Value::Object(context.system.properties.clone()))
    })?;
    Ok(())
}

fn account_next_index<B: ChainBackend>(params: &Params<'_>, backend: &B) -> RpcResult<u32> {
    let mut reader = ParamReader::new(params)?;
    let address: String = reader.required("account")?;
    let public =
        parse_ss58(&address).map_err(|e| errors::invalid_param(0, "account", &e.to_string()))?;
    backend
        .account_next_index(&AccountId32(public))
        .map_err(|e| errors::nonce_query(&e))
}
