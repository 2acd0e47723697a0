//! `dev_produceBlocks([count?])`: the localnet's manual seal. Makes `count` blocks (default 1,
//! at most [`MAX_PRODUCE_BLOCKS`]) right away, each with the ready transactions of the pool,
//! and returns their hashes in order. It works with or without the block timer, so tests can
//! move the chain exactly as far as they need and never wait on the clock.

use jsonrpsee::RpcModule;
use jsonrpsee::core::RegisterMethodError;
use jsonrpsee::types::Params;

use super::{RpcContext, RpcResult};
use crate::localnet::rpc::json::{HexHash, ParamReader};
use crate::localnet::rpc::{ChainBackend, errors};

/// Most blocks one `dev_produceBlocks` call makes.
pub const MAX_PRODUCE_BLOCKS: u32 = 10_000;

/// Registers the dev API.
pub fn register<B: ChainBackend>(
    module: &mut RpcModule<RpcContext<B>>,
) -> Result<(), RegisterMethodError> {
    module.register_blocking_method("dev_produceBlocks", |params, context, _| {
        produce_blocks(&params, &*context.backend)
    })?;
    Ok(())
}

fn produce_blocks<B: ChainBackend>(params: &Params<'_>, backend: &B) -> RpcResult<Vec<HexHash>> {
    let mut reader = ParamReader::new(params)?;
    let count: u32 = reader.optional("count")?.unwrap_or(1);
    if count > MAX_PRODUCE_BLOCKS {
        return Err(errors::invalid_param(
            0,
            "count",
            &format!("asks for {count} blocks; at most {MAX_PRODUCE_BLOCKS} per call"),
        ));
    }
    backend
        .produce_blocks(count)
        .map(|hashes| hashes.into_iter().map(HexHash).collect())
        .map_err(|e| errors::block_production(&e))
}
