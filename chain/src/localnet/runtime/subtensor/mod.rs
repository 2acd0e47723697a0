//! `pallet_subtensor` (pallet index 7) of finney spec 393 for the calls nya and its users make,
//! with the chain's checks in the chain's order and its exact errors
//! (`DispatchError::Module { index: 7, error: [variant, 0, 0, 0] }`):
//!
//! - [`registration`] — `burned_register`, and `register` in its spec-393 shape but with the
//!   semantics finney adopted in spec 401 when proof of work ended (the work fields are ignored
//!   and it burns exactly like `burned_register`, paid by the signer); replacement of the
//!   lowest-pruning-score neuron when a subnet is full; the per-block registration counters and
//!   the burn adjustment each `AdjustmentInterval`.
//! - [`serving`] — `serve_axon`.
//! - [`staking`] — `add_stake` / `remove_stake`, simplified to a 1:1 TAO↔alpha price (see there).
//! - [`weights`] — `set_weights` / `set_mechanism_weights` (mechanism 0 only).
//! - [`commit_reveal`] — `commit_weights` / `reveal_weights` with the chain's hash and window.
//! - [`epoch`] — the per-block emission and the per-tempo epoch, a documented simplification of
//!   Yuma consensus.
//! - [`hyperparams`] — the setters `AdminUtils` maps onto; [`params`] — genesis subnets.
//! - [`storage`] — every entry, keyed exactly as on finney, and [`neurons`] for the runtime APIs.

pub mod commit_reveal;
pub mod epoch;
pub mod fixed;
pub mod hyperparams;
pub mod params;
pub mod registration;
pub mod serving;
pub mod staking;
pub mod storage;
pub mod weights;

#[cfg(test)]
pub(crate) mod testing;

use nya_metadata::runtime::calls::{RuntimeEvent, SubtensorModuleCall, SubtensorModuleEvent};
use nya_metadata::runtime::dispatch::DispatchError;
use nya_metadata::runtime::errors::SubtensorModuleError;
use parity_scale_codec::Encode;

use super::{Ctx, DispatchResult, Origin};
use crate::localnet::state::CorruptValue;

pub use hyperparams::{HyperParam, hyperparameter_event, set_hyperparameter};
pub use params::{SubnetParams, SubnetParamsError, create_subnet};
pub use storage::{NeuronState, neurons, subnet_exists, tempo, uid_of};

/// The pallet's index in `construct_runtime!`.
pub const PALLET_INDEX: u8 = 7;

/// The chain's `DispatchError::Module` for a subtensor error.
pub fn error(err: SubtensorModuleError) -> DispatchError {
    // A field-less variant encodes as its index byte.
    let index = err.using_encoded(|bytes| bytes.first().copied().unwrap_or_default());
    DispatchError::module(PALLET_INDEX, index)
}

/// `ensure!`: `Ok` when `condition` holds, the subtensor error otherwise.
pub(crate) fn ensure(condition: bool, err: SubtensorModuleError) -> DispatchResult {
    if condition { Ok(()) } else { Err(error(err)) }
}

/// Records a subtensor event.
pub(crate) fn deposit(ctx: &mut Ctx<'_, '_>, event: SubtensorModuleEvent) {
    ctx.deposit_event(RuntimeEvent::SubtensorModule(event));
}

/// Routes a `SubtensorModule` call.
pub fn dispatch(
    ctx: &mut Ctx<'_, '_>,
    origin: Origin,
    call: SubtensorModuleCall,
) -> DispatchResult {
    let who = origin.signed()?;
    match call {
        SubtensorModuleCall::set_weights {
            netuid,
            dests,
            weights,
            version_key,
        } => weights::set_weights(ctx, &who, netuid, &dests, &weights, version_key),
        SubtensorModuleCall::set_mechanism_weights {
            netuid,
            mecid,
            dests,
            weights,
            version_key,
        } => {
            weights::set_mechanism_weights(ctx, &who, netuid, mecid, &dests, &weights, version_key)
        }
        SubtensorModuleCall::add_stake {
            hotkey,
            netuid,
            amount_staked,
        } => staking::add_stake(ctx, &who, &hotkey, netuid, amount_staked),
        SubtensorModuleCall::remove_stake {
            hotkey,
            netuid,
            amount_unstaked,
        } => staking::remove_stake(ctx, &who, &hotkey, netuid, amount_unstaked),
        SubtensorModuleCall::serve_axon {
            netuid,
            version,
            ip,
            port,
            ip_type,
            protocol,
            placeholder1,
            placeholder2,
        } => serving::serve_axon(
            ctx,
            &who,
            netuid,
            serving::Endpoint {
                version,
                ip,
                port,
                ip_type,
                protocol,
                placeholder1,
                placeholder2,
            },
        ),
        SubtensorModuleCall::register { netuid, hotkey, .. } => {
            registration::burned_register(ctx, &who, netuid, &hotkey)
        }
        SubtensorModuleCall::burned_register { netuid, hotkey } => {
            registration::burned_register(ctx, &who, netuid, &hotkey)
        }
        SubtensorModuleCall::commit_weights {
            netuid,
            commit_hash,
        } => commit_reveal::commit_weights(ctx, &who, netuid, commit_hash),
        SubtensorModuleCall::reveal_weights {
            netuid,
            uids,
            values,
            salt,
            version_key,
        } => commit_reveal::reveal_weights(
            ctx,
            &who,
            netuid,
            &commit_reveal::Reveal {
                uids,
                values,
                salt,
                version_key,
            },
        ),
    }
}

/// Start-of-block hook: clears the per-block staking limiter, runs the registration
/// bookkeeping of every subnet, then its emission and, when its tempo ends here, its epoch.
pub fn on_initialize(ctx: &mut Ctx<'_, '_>) -> Result<(), CorruptValue> {
    staking::clear_operation_limits(ctx.state);
    let block = u64::from(ctx.block);
    for netuid in storage::all_netuids(ctx.state)? {
        registration::adjust_registration_terms(ctx.state, netuid, block)?;
    }
    for netuid in storage::all_netuids(ctx.state)? {
        epoch::block_step(ctx.state, netuid, block)?;
    }
    Ok(())
}
