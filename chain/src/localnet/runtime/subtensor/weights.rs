//! `set_weights` and `set_mechanism_weights`, with every check the chain makes, in its order.
//!
//! The calls themselves first refuse a subnet with commit-reveal on (`CommitRevealEnabled`;
//! `CommitRevealWeightsEnabled` defaults to true, so a netuid that does not exist fails here
//! too, as on the chain). Then, shared with the reveal path:
//!
//! 1. not the root subnet (`CanNotSetRootNetworkWeights`);
//! 2. as many weights as uids (`WeightVecNotEqualSize`);
//! 3. the subnet and mechanism exist (`MechanismDoesNotExist`); only mechanism 0 exists here
//!    (the localnet never raises `MechanismCountCurrent` above its default 1);
//! 4. no more uids than neurons (`UidsLengthExceedUidsInSubNet`);
//! 5. the signer is registered (`HotKeyNotRegisteredInSubNet`);
//! 6. its stake weight (alpha plus root TAO × `TaoWeight`) reaches `StakeThreshold`, unless it
//!    is the subnet owner's hotkey (`NotEnoughStakeToSetWeights`);
//! 7. `version_key ≥ WeightsVersionKey` unless that is 0 (`IncorrectWeightVersionKey`);
//! 8. without commit-reveal, `WeightsSetRateLimit` blocks since its `LastUpdate` (0 = never)
//!    (`SettingWeightsTooFast`);
//! 9. a validator permit, unless the only weight is on itself (`NeuronNoValidatorPermit`);
//! 10. no duplicate uids (`DuplicateUids`); 11. every uid in use (`UidVecContainInvalidOne`);
//! 12. at least `min(MinAllowedWeights, SubnetworkN)` weights unless a self-weight
//!     (`WeightVecLengthIsLow`);
//! 13. after max-upscaling to `u16::MAX`, no normalised weight above `MaxWeightsLimit` unless a
//!     self-weight (`MaxWeightExceeded`).
//!
//! The max-upscaled weights are stored in `Weights(netuid, uid)`, `LastUpdate` moves to this
//! block (without commit-reveal; a commit moved it already), and `WeightsSet(netuid, uid)` is
//! emitted.

use nya_metadata::runtime::calls::SubtensorModuleEvent;
use nya_metadata::runtime::errors::SubtensorModuleError as E;
use nya_metadata::runtime::storage::stake_weight_bits;
use nya_metadata::runtime::types::AccountId32;

use super::fixed::{is_max_limited, max_upscale_u16};
use super::storage::{self as st, set_at};
use super::{deposit, ensure, error};
use crate::localnet::runtime::{Ctx, DispatchResult};
use crate::localnet::runtime_api::storage::TAO_WEIGHT;
use crate::localnet::state::{CorruptValue, StorageRead};

/// The main mechanism.
pub const MAIN_MECHANISM: u8 = 0;

/// `set_weights(netuid, dests, weights, version_key)` signed by `hotkey`.
pub fn set_weights(
    ctx: &mut Ctx<'_, '_>,
    hotkey: &AccountId32,
    netuid: u16,
    uids: &[u16],
    values: &[u16],
    version_key: u64,
) -> DispatchResult {
    set_mechanism_weights(
        ctx,
        hotkey,
        netuid,
        MAIN_MECHANISM,
        uids,
        values,
        version_key,
    )
}

/// `set_mechanism_weights(netuid, mecid, dests, weights, version_key)` signed by `hotkey`.
pub fn set_mechanism_weights(
    ctx: &mut Ctx<'_, '_>,
    hotkey: &AccountId32,
    netuid: u16,
    mecid: u8,
    uids: &[u16],
    values: &[u16],
    version_key: u64,
) -> DispatchResult {
    ensure(
        !st::COMMIT_REVEAL_WEIGHTS_ENABLED.get(ctx.state, &netuid)?,
        E::CommitRevealEnabled,
    )?;
    store_weights(ctx, hotkey, netuid, mecid, uids, values, version_key)
}

/// The chain's `ensure_mechanism_exists`, restricted to mechanism 0 (see the module doc).
pub fn ensure_mechanism_exists(
    state: &(impl StorageRead + ?Sized),
    netuid: u16,
    mecid: u8,
) -> DispatchResult {
    ensure(st::subnet_exists(state, netuid)?, E::MechanismDoesNotExist)?;
    ensure(
        mecid < st::MECHANISM_COUNT_CURRENT.get(state, &netuid)? && mecid == MAIN_MECHANISM,
        E::MechanismDoesNotExist,
    )
}

/// A single weight on oneself: allowed without a permit, below the minimum count and above the
/// max weight limit.
fn is_self_weight(uid: u16, uids: &[u16], values: &[u16]) -> bool {
    values.len() == 1 && uids.first() == Some(&uid)
}

/// Whether `uid` may set weights again at `block` (`check_rate_limit`): never set (0), or
/// `WeightsSetRateLimit` blocks since `LastUpdate`.
pub fn passes_rate_limit(
    state: &(impl StorageRead + ?Sized),
    netuid: u16,
    uid: u16,
    block: u64,
) -> Result<bool, CorruptValue> {
    if st::hotkey_of(state, netuid, uid)?.is_none() {
        return Ok(false);
    }
    let last = st::at(&st::LAST_UPDATE.get(state, &netuid)?, uid, 0);
    if last == 0 {
        return Ok(true);
    }
    Ok(block.saturating_sub(last) >= st::WEIGHTS_SET_RATE_LIMIT.get(state, &netuid)?)
}

/// Sets `LastUpdate[uid]`, when the vector reaches that far.
pub fn set_last_update(
    ctx: &mut Ctx<'_, '_>,
    netuid: u16,
    uid: u16,
    block: u64,
) -> Result<(), CorruptValue> {
    st::LAST_UPDATE.update(ctx.state, &netuid, |v| set_at(v, uid, block))
}

/// Whether `hotkey` has the stake to set weights: the subnet owner's hotkey always does.
fn has_weights_stake(
    state: &(impl StorageRead + ?Sized),
    netuid: u16,
    hotkey: &AccountId32,
) -> Result<bool, CorruptValue> {
    if st::SUBNET_OWNER_HOTKEY.contains(state, &netuid)
        && st::SUBNET_OWNER_HOTKEY.get(state, &netuid)? == *hotkey
    {
        return Ok(true);
    }
    let alpha = st::TOTAL_HOTKEY_ALPHA.get(state, &(*hotkey, netuid))?;
    let root_tao = st::TOTAL_HOTKEY_ALPHA.get(state, &(*hotkey, st::ROOT_NETUID))?;
    let tao_weight = TAO_WEIGHT.get(state, &[])?;
    let threshold = st::STAKE_THRESHOLD.get(state)?;
    Ok(stake_weight_bits(alpha, root_tao, tao_weight) >= u128::from(threshold) << 32)
}

/// Checks and stores weights (the chain's `internal_set_weights`); also the reveal path.
pub fn store_weights(
    ctx: &mut Ctx<'_, '_>,
    hotkey: &AccountId32,
    netuid: u16,
    mecid: u8,
    uids: &[u16],
    values: &[u16],
    version_key: u64,
) -> DispatchResult {
    let state = &*ctx.state;
    ensure(netuid != st::ROOT_NETUID, E::CanNotSetRootNetworkWeights)?;
    ensure(uids.len() == values.len(), E::WeightVecNotEqualSize)?;
    ensure_mechanism_exists(state, netuid, mecid)?;
    let n = st::SUBNETWORK_N.get(state, &netuid)?;
    ensure(
        uids.len() <= usize::from(n),
        E::UidsLengthExceedUidsInSubNet,
    )?;
    let Some(uid) = st::uid_of(state, netuid, hotkey)? else {
        return Err(error(E::HotKeyNotRegisteredInSubNet));
    };
    ensure(
        has_weights_stake(state, netuid, hotkey)?,
        E::NotEnoughStakeToSetWeights,
    )?;
    let network_key = st::WEIGHTS_VERSION_KEY.get(state, &netuid)?;
    ensure(
        network_key == 0 || version_key >= network_key,
        E::IncorrectWeightVersionKey,
    )?;
    let block = u64::from(ctx.block);
    let commit_reveal = st::COMMIT_REVEAL_WEIGHTS_ENABLED.get(state, &netuid)?;
    if !commit_reveal {
        ensure(
            passes_rate_limit(state, netuid, uid, block)?,
            E::SettingWeightsTooFast,
        )?;
    }
    let permitted = st::at(&st::VALIDATOR_PERMIT.get(state, &netuid)?, uid, false);
    ensure(
        is_self_weight(uid, uids, values) || permitted,
        E::NeuronNoValidatorPermit,
    )?;
    let mut seen = std::collections::BTreeSet::new();
    ensure(uids.iter().all(|u| seen.insert(*u)), E::DuplicateUids)?;
    for target in uids {
        ensure(
            st::KEYS.contains(state, &(netuid, *target)),
            E::UidVecContainInvalidOne,
        )?;
    }
    let min_weights = usize::from(st::MIN_ALLOWED_WEIGHTS.get(state, &netuid)?.min(n));
    ensure(
        is_self_weight(uid, uids, values) || values.len() >= min_weights,
        E::WeightVecLengthIsLow,
    )?;
    let upscaled = max_upscale_u16(values);
    let limit = st::MAX_WEIGHTS_LIMIT.get(state, &netuid)?;
    ensure(
        is_self_weight(uid, uids, &upscaled)
            || limit == u16::MAX
            || is_max_limited(&upscaled, limit),
        E::MaxWeightExceeded,
    )?;

    let stored: Vec<(u16, u16)> = uids.iter().copied().zip(upscaled).collect();
    st::WEIGHTS.set(ctx.state, &(netuid, uid), &stored);
    if !commit_reveal {
        set_last_update(ctx, netuid, uid, block)?;
    }
    deposit(ctx, SubtensorModuleEvent::WeightsSet(netuid, uid));
    Ok(())
}

#[cfg(test)]
mod tests {
    use nya_metadata::runtime::calls::SubtensorModuleCall;

    use super::super::staking::increase_stake;
    use super::super::testing::{World, account};
    use super::*;

    fn weights(netuid: u16, dests: Vec<u16>, weights: Vec<u16>, key: u64) -> SubtensorModuleCall {
        SubtensorModuleCall::set_weights {
            netuid,
            dests,
            weights,
            version_key: key,
        }
    }

    /// Subnet 1 without commit-reveal, a 10-block rate limit, the owner (uid 0) holding a
    /// validator permit, and miners at uids 1 and 2 (hotkeys 11, 12) registered at block 1.
    fn network() -> World {
        let mut w = World::with(|p| {
            p.commit_reveal_weights_enabled = false;
            p.weights_set_rate_limit = 10;
            p.max_registrations_per_block = 10;
            p.target_registrations_per_interval = 10;
        });
        w.fund(&account(10), 10_000_000_000);
        for hotkey in [11, 12] {
            let call = SubtensorModuleCall::burned_register {
                netuid: 1,
                hotkey: account(hotkey),
            };
            assert_eq!(w.call(&account(10), call), Ok(()));
        }
        w.set(|s| st::VALIDATOR_PERMIT.set(s, &1, &vec![true, false, false]));
        w
    }

    #[test]
    fn weights_are_max_upscaled_stored_and_announced() {
        let mut w = network();
        assert_eq!(
            w.call(&account(1), weights(1, vec![1, 2], vec![1, 3], 0)),
            Ok(())
        );
        w.read(|s| {
            assert_eq!(
                st::WEIGHTS.get(s, &(1, 0)).unwrap(),
                vec![(1, 21845), (2, 65535)]
            );
            assert_eq!(st::LAST_UPDATE.get(s, &1).unwrap(), vec![1, 1, 1]);
        });
        assert!(w.emitted(&SubtensorModuleEvent::WeightsSet(1, 0)));
        // set_mechanism_weights on mechanism 0 is the same call.
        w.run_to(11);
        let call = SubtensorModuleCall::set_mechanism_weights {
            netuid: 1,
            mecid: 0,
            dests: vec![2],
            weights: vec![5],
            version_key: 0,
        };
        assert_eq!(w.call(&account(1), call), Ok(()));
        w.read(|s| {
            assert_eq!(st::WEIGHTS.get(s, &(1, 0)).unwrap(), vec![(2, 65535)]);
            assert_eq!(st::LAST_UPDATE.get(s, &1).unwrap(), vec![11, 1, 1]);
        });
    }

    #[test]
    fn each_check_rejects_with_the_chain_error() {
        let mut w = network();
        let owner = account(1);
        let call = |n, d: Vec<u16>, v: Vec<u16>, k| weights(n, d, v, k);
        assert_eq!(
            w.call(&owner, call(0, vec![1], vec![1], 0)),
            Err(error(E::CommitRevealEnabled)),
            "root has commit-reveal on by default"
        );
        w.set(|s| st::COMMIT_REVEAL_WEIGHTS_ENABLED.set(s, &0, &false));
        assert_eq!(
            w.call(&owner, call(0, vec![1], vec![1], 0)),
            Err(error(E::CanNotSetRootNetworkWeights))
        );
        assert_eq!(
            w.call(&owner, call(1, vec![1, 2], vec![1], 0)),
            Err(error(E::WeightVecNotEqualSize))
        );
        w.set(|s| st::COMMIT_REVEAL_WEIGHTS_ENABLED.set(s, &5, &false));
        assert_eq!(
            w.call(&owner, call(5, vec![1], vec![1], 0)),
            Err(error(E::MechanismDoesNotExist))
        );
        assert_eq!(
            w.call(&owner, call(1, vec![0, 1, 2, 3], vec![1, 1, 1, 1], 0)),
            Err(error(E::UidsLengthExceedUidsInSubNet))
        );
        assert_eq!(
            w.call(&account(50), call(1, vec![1], vec![1], 0)),
            Err(error(E::HotKeyNotRegisteredInSubNet))
        );
        // Stake threshold: miners below it are refused, the owner is exempt.
        w.set(|s| st::STAKE_THRESHOLD.set(s, &1_000));
        assert_eq!(
            w.call(&account(11), call(1, vec![1], vec![1], 0)),
            Err(error(E::NotEnoughStakeToSetWeights))
        );
        // Root TAO counts at TaoWeight (about 5.27 %): 18,983 rao of root stake weigh 999.97,
        // 18,984 weigh 1,000.02 and pass.
        w.set(|s| increase_stake(s, &account(11), &account(10), st::ROOT_NETUID, 18_983).unwrap());
        assert_eq!(
            w.call(&account(11), call(1, vec![1], vec![1], 0)),
            Err(error(E::NotEnoughStakeToSetWeights))
        );
        w.set(|s| increase_stake(s, &account(11), &account(10), st::ROOT_NETUID, 1).unwrap());
        assert_ne!(
            w.call(&account(11), call(1, vec![1], vec![1], 0)),
            Err(error(E::NotEnoughStakeToSetWeights))
        );
        w.set(|s| {
            increase_stake(s, &account(11), &account(10), 1, 1_000).unwrap();
            increase_stake(s, &account(12), &account(10), 1, 1_000).unwrap();
            st::WEIGHTS_VERSION_KEY.set(s, &1, &5);
        });
        assert_eq!(
            w.call(&owner, call(1, vec![1], vec![1], 4)),
            Err(error(E::IncorrectWeightVersionKey))
        );
        // Miners registered at block 1 wait WeightsSetRateLimit (10) blocks.
        assert_eq!(
            w.call(&account(11), call(1, vec![1], vec![1], 5)),
            Err(error(E::SettingWeightsTooFast))
        );
        w.run_to(11);
        assert_eq!(
            w.call(&account(11), call(1, vec![2], vec![1], 5)),
            Err(error(E::NeuronNoValidatorPermit))
        );
        // A self-weight needs no permit.
        assert_eq!(w.call(&account(11), call(1, vec![1], vec![1], 5)), Ok(()));
        assert_eq!(
            w.call(&owner, call(1, vec![1, 1], vec![1, 1], 5)),
            Err(error(E::DuplicateUids))
        );
        assert_eq!(
            w.call(&owner, call(1, vec![1, 7], vec![1, 1], 5)),
            Err(error(E::UidVecContainInvalidOne))
        );
        w.set(|s| st::MIN_ALLOWED_WEIGHTS.set(s, &1, &2));
        assert_eq!(
            w.call(&owner, call(1, vec![1], vec![1], 5)),
            Err(error(E::WeightVecLengthIsLow))
        );
        // Half the u16 range as the cap: [1, 3] normalises to [0.25, 0.75].
        w.set(|s| st::MAX_WEIGHTS_LIMIT.set(s, &1, &32_768));
        assert_eq!(
            w.call(&owner, call(1, vec![1, 2], vec![1, 3], 5)),
            Err(error(E::MaxWeightExceeded))
        );
        assert_eq!(w.call(&owner, call(1, vec![1, 2], vec![1, 1], 5)), Ok(()));
        // Too fast for the owner now.
        w.next_block();
        assert_eq!(
            w.call(&owner, call(1, vec![1, 2], vec![1, 1], 5)),
            Err(error(E::SettingWeightsTooFast))
        );
    }

    #[test]
    fn commit_reveal_and_other_mechanisms_are_refused() {
        let mut w = World::new();
        assert_eq!(
            w.call(&account(1), weights(1, vec![0], vec![1], 0)),
            Err(error(E::CommitRevealEnabled))
        );
        let mut w = network();
        let call = SubtensorModuleCall::set_mechanism_weights {
            netuid: 1,
            mecid: 1,
            dests: vec![1],
            weights: vec![1],
            version_key: 0,
        };
        assert_eq!(
            w.call(&account(1), call),
            Err(error(E::MechanismDoesNotExist))
        );
    }
}
