//! Neuron registration: `burned_register` (and `register`, which since spec 401 burns the
//! same way), the uid bookkeeping of a subnet, pruning when it is full, and the per-block and
//! per-interval registration counters with the burn adjustment.
//!
//! `burned_register` checks, in the chain's order: not the root subnet
//! (`RegistrationNotPermittedOnRootSubnet`), the subnet exists (`SubnetNotExists`),
//! registration is open (`SubNetRegistrationDisabled`), `RegistrationsThisBlock <
//! MaxRegistrationsPerBlock` (`TooManyRegistrationsThisBlock`), `RegistrationsThisInterval <
//! 3 × TargetRegistrationsPerInterval` (`TooManyRegistrationsThisInterval`), the hotkey is not
//! registered here yet (`HotKeyAlreadyRegisteredInSubNet`), the signer's free balance covers
//! `Burn` (`NotEnoughBalanceToStake`); then it claims an unowned hotkey for the signer, which
//! must own it (`NonAssociatedColdKey`), needs a slot (`NoNeuronIdAvailable`) and withdraws the
//! cost keeping the account alive (`ZeroBalanceAfterWithdrawn` if nothing could be taken).
//! The burnt TAO leaves the total issuance (the chain swaps it for alpha and burns that; the
//! localnet's 1:1 price makes that the same). Event: `NeuronRegistered(netuid, uid, hotkey)`.
//!
//! A full subnet replaces the neuron with the lowest pruning score among those out of their
//! immunity period, the earliest registered on a tie (then the lowest uid); only when every
//! neuron is immune is the lowest-scoring immune one taken. The owner's most recent
//! `ImmuneOwnerUidsLimit` hotkeys (the owner hotkey first) are never chosen.

use nya_metadata::runtime::calls::SubtensorModuleEvent;
use nya_metadata::runtime::errors::SubtensorModuleError as E;
use nya_metadata::runtime::types::AccountId32;

use super::storage::{self as st, set_at};
use super::{deposit, ensure, error};
use crate::localnet::runtime::{Ctx, DispatchResult, balances};
use crate::localnet::state::{CorruptValue, Overlay, StorageRead};

/// `burned_register(netuid, hotkey)` signed by `coldkey` (also `register`, see the module doc).
pub fn burned_register(
    ctx: &mut Ctx<'_, '_>,
    coldkey: &AccountId32,
    netuid: u16,
    hotkey: &AccountId32,
) -> DispatchResult {
    ensure(netuid != 0, E::RegistrationNotPermittedOnRootSubnet)?;
    ensure(st::subnet_exists(ctx.state, netuid)?, E::SubnetNotExists)?;
    ensure(
        st::NETWORK_REGISTRATION_ALLOWED.get(ctx.state, &netuid)?,
        E::SubNetRegistrationDisabled,
    )?;
    ensure(
        st::REGISTRATIONS_THIS_BLOCK.get(ctx.state, &netuid)?
            < st::MAX_REGISTRATIONS_PER_BLOCK.get(ctx.state, &netuid)?,
        E::TooManyRegistrationsThisBlock,
    )?;
    let target = st::TARGET_REGISTRATIONS_PER_INTERVAL.get(ctx.state, &netuid)?;
    ensure(
        st::REGISTRATIONS_THIS_INTERVAL.get(ctx.state, &netuid)? < target.saturating_mul(3),
        E::TooManyRegistrationsThisInterval,
    )?;
    ensure(
        st::uid_of(ctx.state, netuid, hotkey)?.is_none(),
        E::HotKeyAlreadyRegisteredInSubNet,
    )?;
    let cost = st::BURN.get(ctx.state, &netuid)?;
    ensure(
        balances::free(ctx.state, coldkey)? >= cost,
        E::NotEnoughBalanceToStake,
    )?;
    create_account_if_non_existent(ctx.state, coldkey, hotkey)?;
    ensure(
        st::OWNER.get(ctx.state, hotkey)? == *coldkey,
        E::NonAssociatedColdKey,
    )?;
    ensure(
        st::MAX_ALLOWED_UIDS.get(ctx.state, &netuid)? != 0,
        E::NoNeuronIdAvailable,
    )?;
    if cost > 0 && balances::withdraw_keep_alive(ctx, coldkey, cost)? == 0 {
        return Err(error(E::ZeroBalanceAfterWithdrawn));
    }

    let block = u64::from(ctx.block);
    let uid = register_neuron(ctx.state, netuid, hotkey, block)?;
    st::BURN_REGISTRATIONS_THIS_INTERVAL
        .update(ctx.state, &netuid, |n| *n = n.saturating_add(1))?;
    st::REGISTRATIONS_THIS_INTERVAL.update(ctx.state, &netuid, |n| *n = n.saturating_add(1))?;
    st::REGISTRATIONS_THIS_BLOCK.update(ctx.state, &netuid, |n| *n = n.saturating_add(1))?;
    st::RAO_RECYCLED_FOR_REGISTRATION
        .update(ctx.state, &netuid, |n| *n = n.saturating_add(cost))?;
    deposit(
        ctx,
        SubtensorModuleEvent::NeuronRegistered(netuid, uid, *hotkey),
    );
    Ok(())
}

/// Makes `coldkey` the owner of `hotkey` unless the hotkey already has one (`Owner`,
/// `OwnedHotkeys`, `StakingHotkeys`).
pub fn create_account_if_non_existent(
    state: &mut Overlay<'_>,
    coldkey: &AccountId32,
    hotkey: &AccountId32,
) -> Result<(), CorruptValue> {
    if st::OWNER.contains(state, hotkey) {
        return Ok(());
    }
    st::OWNER.set(state, hotkey, coldkey);
    for entry in [&st::OWNED_HOTKEYS, &st::STAKING_HOTKEYS] {
        entry.update(state, coldkey, |hotkeys| {
            if !hotkeys.contains(hotkey) {
                hotkeys.push(*hotkey);
            }
        })?;
    }
    Ok(())
}

/// Gives `hotkey` a uid: the next free one, or the one [`neuron_to_prune`] picks when full.
pub fn register_neuron(
    state: &mut Overlay<'_>,
    netuid: u16,
    hotkey: &AccountId32,
    block: u64,
) -> Result<u16, CorruptValue> {
    let n = st::SUBNETWORK_N.get(state, &netuid)?;
    if n < st::MAX_ALLOWED_UIDS.get(state, &netuid)? {
        append_neuron(state, netuid, hotkey, block)?;
        Ok(n)
    } else {
        let uid = neuron_to_prune(state, netuid, block)?;
        replace_neuron(state, netuid, uid, hotkey, block)?;
        Ok(uid)
    }
}

/// Sets element `uid` of a per-uid vector, first padding it to that length (so a vector that
/// fell out of step with `SubnetworkN` cannot shift later uids).
fn put_at<T: Clone + Default>(values: &mut Vec<T>, uid: u16, value: T) {
    let index = usize::from(uid);
    if values.len() <= index {
        values.resize(index + 1, T::default());
    }
    set_at(values, uid, value);
}

/// Adds `hotkey` as uid `SubnetworkN` and grows every per-uid vector (active, last update =
/// the registration block, everything else zero).
pub fn append_neuron(
    state: &mut Overlay<'_>,
    netuid: u16,
    hotkey: &AccountId32,
    block: u64,
) -> Result<(), CorruptValue> {
    let uid = st::SUBNETWORK_N.get(state, &netuid)?;
    st::SUBNETWORK_N.set(state, &netuid, &uid.saturating_add(1));
    for entry in [
        &st::RANK,
        &st::TRUST,
        &st::CONSENSUS,
        &st::INCENTIVE,
        &st::DIVIDENDS,
        &st::PRUNING_SCORES,
        &st::VALIDATOR_TRUST,
    ] {
        entry.update(state, &netuid, |v| put_at(v, uid, 0))?;
    }
    st::ACTIVE.update(state, &netuid, |v| put_at(v, uid, true))?;
    st::VALIDATOR_PERMIT.update(state, &netuid, |v| put_at(v, uid, false))?;
    st::EMISSION.update(state, &netuid, |v| put_at(v, uid, 0))?;
    st::LAST_UPDATE.update(state, &netuid, |v| put_at(v, uid, block))?;
    bind_hotkey(state, netuid, uid, hotkey, block);
    Ok(())
}

/// The uid ↔ hotkey association and registration block.
fn bind_hotkey(state: &mut Overlay<'_>, netuid: u16, uid: u16, hotkey: &AccountId32, block: u64) {
    st::KEYS.set(state, &(netuid, uid), hotkey);
    st::UIDS.set(state, &(netuid, *hotkey), &uid);
    st::BLOCK_AT_REGISTRATION.set(state, &(netuid, uid), &block);
    st::IS_NETWORK_MEMBER.set(state, &(*hotkey, netuid), &true);
}

/// Puts `hotkey` at `uid` in place of its current hotkey, which loses its uid and axon (its
/// stake stays on the hotkey). The uid's per-neuron values are reset, its weights and bonds
/// dropped, and its last update set to the registration block as for a new uid. As on the
/// chain, the subnet owner's hotkey is never replaced (the call then changes nothing).
pub fn replace_neuron(
    state: &mut Overlay<'_>,
    netuid: u16,
    uid: u16,
    hotkey: &AccountId32,
    block: u64,
) -> Result<(), CorruptValue> {
    let old = st::KEYS.get(state, &(netuid, uid))?;
    if st::SUBNET_OWNER_HOTKEY.contains(state, &netuid)
        && st::SUBNET_OWNER_HOTKEY.get(state, &netuid)? == old
    {
        return Ok(());
    }
    st::UIDS.remove(state, &(netuid, old));
    st::IS_NETWORK_MEMBER.remove(state, &(old, netuid));
    st::AXONS.remove(state, &(netuid, old));
    st::ALPHA_DIVIDENDS_PER_SUBNET.remove(state, &(netuid, old));
    bind_hotkey(state, netuid, uid, hotkey, block);

    for entry in [
        &st::RANK,
        &st::TRUST,
        &st::CONSENSUS,
        &st::INCENTIVE,
        &st::DIVIDENDS,
        &st::VALIDATOR_TRUST,
    ] {
        entry.update(state, &netuid, |v| set_at(v, uid, 0))?;
    }
    st::ACTIVE.update(state, &netuid, |v| set_at(v, uid, true))?;
    st::VALIDATOR_PERMIT.update(state, &netuid, |v| set_at(v, uid, false))?;
    st::EMISSION.update(state, &netuid, |v| set_at(v, uid, 0))?;
    st::LAST_UPDATE.update(state, &netuid, |v| set_at(v, uid, block))?;
    st::WEIGHTS.remove(state, &(netuid, uid));
    st::BONDS.remove(state, &(netuid, uid));
    Ok(())
}

/// Whether `uid` is still in its immunity period at `block`.
fn is_immune(
    state: &(impl StorageRead + ?Sized),
    netuid: u16,
    uid: u16,
    block: u64,
) -> Result<bool, CorruptValue> {
    let registered = st::BLOCK_AT_REGISTRATION.get(state, &(netuid, uid))?;
    let immunity = u64::from(st::IMMUNITY_PERIOD.get(state, &netuid)?);
    Ok(block.saturating_sub(registered) < immunity)
}

/// The owner's hotkeys that are never pruned: its hotkeys registered here, most recently
/// registered first (then lowest uid), cut to `ImmuneOwnerUidsLimit`, with the owner hotkey put
/// first when registered.
pub fn immune_owner_hotkeys(
    state: &(impl StorageRead + ?Sized),
    netuid: u16,
) -> Result<Vec<AccountId32>, CorruptValue> {
    let owner = st::SUBNET_OWNER.get(state, &netuid)?;
    let mut registered = Vec::new();
    for hotkey in st::OWNED_HOTKEYS.get(state, &owner)? {
        if let Some(uid) = st::uid_of(state, netuid, &hotkey)? {
            let block = st::BLOCK_AT_REGISTRATION.get(state, &(netuid, uid))?;
            registered.push((block, uid, hotkey));
        }
    }
    registered.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let limit = usize::from(st::IMMUNE_OWNER_UIDS_LIMIT.get(state, &netuid)?);
    registered.truncate(limit);
    let mut immune: Vec<AccountId32> = registered.into_iter().map(|(_, _, h)| h).collect();
    if st::SUBNET_OWNER_HOTKEY.contains(state, &netuid) {
        let owner_hotkey = st::SUBNET_OWNER_HOTKEY.get(state, &netuid)?;
        if st::uid_of(state, netuid, &owner_hotkey)?.is_some() && !immune.contains(&owner_hotkey) {
            immune.insert(0, owner_hotkey);
            immune.truncate(limit);
        }
    }
    Ok(immune)
}

/// The uid a full subnet replaces (see the module doc). Marks its pruning score `u16::MAX`, as
/// the chain does, so the newcomer starts last in line until the next epoch scores it.
pub fn neuron_to_prune(
    state: &mut Overlay<'_>,
    netuid: u16,
    block: u64,
) -> Result<u16, CorruptValue> {
    let n = st::SUBNETWORK_N.get(state, &netuid)?;
    if n == 0 {
        return Ok(0);
    }
    let immortal = immune_owner_hotkeys(state, netuid)?;
    let scores = st::PRUNING_SCORES.get(state, &netuid)?;
    // (score, registration block, uid) of the best candidate out of immunity and in it.
    let mut outside: Option<(u16, u64, u16)> = None;
    let mut inside: Option<(u16, u64, u16)> = None;
    for uid in 0..n {
        if let Some(hotkey) = st::hotkey_of(state, netuid, uid)?
            && immortal.contains(&hotkey)
        {
            continue;
        }
        let score = st::at(&scores, uid, u16::MAX);
        let registered = st::BLOCK_AT_REGISTRATION.get(state, &(netuid, uid))?;
        let slot = if is_immune(state, netuid, uid, block)? {
            &mut inside
        } else {
            &mut outside
        };
        // Strictly lower score, or equal score and earlier registration; uids ascend, so the
        // first of a full tie stays.
        let better = slot.is_none_or(|(s, r, _)| score < s || (score == s && registered < r));
        if better {
            *slot = Some((score, registered, uid));
        }
    }
    let uid = outside.or(inside).map_or(0, |(_, _, uid)| uid);
    st::PRUNING_SCORES.update(state, &netuid, |v| set_at(v, uid, u16::MAX))?;
    Ok(uid)
}

/// Start-of-block registration bookkeeping of one subnet: every `AdjustmentInterval` blocks the
/// burn moves toward the target registration rate and the interval counters reset; the
/// per-block counter resets every block.
///
/// The chain adjusts burn or proof-of-work difficulty depending on which kind of registration
/// dominated. Every localnet registration burns, so: more registrations than the target raise
/// the burn; none at all lower it; a non-zero number at or under the target leaves it (the
/// chain lowers the difficulty then, which nothing here uses).
pub fn adjust_registration_terms(
    state: &mut Overlay<'_>,
    netuid: u16,
    block: u64,
) -> Result<(), CorruptValue> {
    let last = st::LAST_ADJUSTMENT_BLOCK.get(state, &netuid)?;
    let interval = u64::from(st::ADJUSTMENT_INTERVAL.get(state, &netuid)?);
    if block.saturating_sub(last) >= interval {
        let registrations = st::REGISTRATIONS_THIS_INTERVAL.get(state, &netuid)?;
        let pow = st::POW_REGISTRATIONS_THIS_INTERVAL.get(state, &netuid)?;
        let burned = st::BURN_REGISTRATIONS_THIS_INTERVAL.get(state, &netuid)?;
        let target = st::TARGET_REGISTRATIONS_PER_INTERVAL.get(state, &netuid)?;
        let adjust = if registrations > target {
            burned >= pow
        } else {
            pow >= burned
        };
        if adjust && target > 0 {
            let burn = upgraded_burn(
                st::BURN.get(state, &netuid)?,
                registrations,
                target,
                st::ADJUSTMENT_ALPHA.get(state, &netuid)?,
                st::MIN_BURN.get(state, &netuid)?,
                st::MAX_BURN.get(state, &netuid)?,
            );
            st::BURN.set(state, &netuid, &burn);
        }
        st::LAST_ADJUSTMENT_BLOCK.set(state, &netuid, &block);
        st::REGISTRATIONS_THIS_INTERVAL.set(state, &netuid, &0);
        st::POW_REGISTRATIONS_THIS_INTERVAL.set(state, &netuid, &0);
        st::BURN_REGISTRATIONS_THIS_INTERVAL.set(state, &netuid, &0);
    }
    st::REGISTRATIONS_THIS_BLOCK.set(state, &netuid, &0);
    Ok(())
}

/// The chain's burn update in its own `I110F18` arithmetic (18 fractional bits, products
/// floored, quotients truncated): `updated = burn × (registrations + target) / (2 × target)`,
/// `next = a·burn + (1 − a)·updated` with `a = alpha / u64::MAX`, clamped to
/// `[min_burn, max_burn]`. A zero target (which the chain would divide by) keeps the burn.
pub fn upgraded_burn(
    burn: u64,
    registrations: u16,
    target: u16,
    alpha: u64,
    min_burn: u64,
    max_burn: u64,
) -> u64 {
    const FRAC: u32 = 18;
    if target == 0 {
        return burn;
    }
    let one = 1u128 << FRAC;
    let burn_fixed = u128::from(burn) << FRAC;
    let sum = u128::from(registrations) + u128::from(target);
    let updated = ((u128::from(burn) * sum) << FRAC) / (2 * u128::from(target));
    let alpha = (u128::from(alpha) << FRAC) / u128::from(u64::MAX);
    let next = ((alpha * burn_fixed) >> FRAC) + (((one - alpha) * updated) >> FRAC);
    if next >= u128::from(max_burn) << FRAC {
        max_burn
    } else if next <= u128::from(min_burn) << FRAC {
        min_burn
    } else {
        u64::try_from(next >> FRAC).unwrap_or(max_burn)
    }
}

#[cfg(test)]
mod tests {
    use nya_metadata::runtime::calls::SubtensorModuleCall;
    use nya_metadata::runtime::dispatch::{DispatchError, ModuleError};

    use super::super::testing::{World, account};
    use super::*;

    fn burned(netuid: u16, hotkey: AccountId32) -> SubtensorModuleCall {
        SubtensorModuleCall::burned_register { netuid, hotkey }
    }

    #[test]
    fn burned_register_takes_the_burn_and_emits_the_event() {
        let mut w = World::new();
        let (cold, hot) = (account(10), account(11));
        w.fund(&cold, 1_000_000_000);
        let issuance = w.total_issuance();
        assert_eq!(w.call(&cold, burned(1, hot)), Ok(()));
        assert_eq!(w.free(&cold), 1_000_000_000 - 100_000_000);
        assert_eq!(w.total_issuance(), issuance - 100_000_000);
        w.read(|s| {
            assert_eq!(st::uid_of(s, 1, &hot).unwrap(), Some(1));
            assert_eq!(st::SUBNETWORK_N.get(s, &1).unwrap(), 2);
            assert_eq!(st::OWNER.get(s, &hot).unwrap(), cold);
            assert_eq!(st::BLOCK_AT_REGISTRATION.get(s, &(1, 1)).unwrap(), 1);
            assert_eq!(st::LAST_UPDATE.get(s, &1).unwrap(), vec![0, 1]);
            assert_eq!(st::REGISTRATIONS_THIS_BLOCK.get(s, &1).unwrap(), 1);
            assert_eq!(
                st::RAO_RECYCLED_FOR_REGISTRATION.get(s, &1).unwrap(),
                100_000_000
            );
            assert!(st::AXONS.get(s, &(1, hot)).unwrap().is_none());
        });
        assert!(w.emitted(&SubtensorModuleEvent::NeuronRegistered(1, 1, hot)));
    }

    #[test]
    fn register_burns_like_burned_register_and_ignores_the_work() {
        let mut w = World::new();
        let (cold, hot) = (account(10), account(11));
        w.fund(&cold, 1_000_000_000);
        let call = SubtensorModuleCall::register {
            netuid: 1,
            block_number: 999,
            nonce: 1,
            work: vec![1, 2, 3],
            hotkey: hot,
            coldkey: account(99),
        };
        assert_eq!(w.call(&cold, call), Ok(()));
        assert_eq!(w.free(&cold), 900_000_000);
        w.read(|s| assert_eq!(st::OWNER.get(s, &hot).unwrap(), cold));
    }

    #[test]
    fn registration_rejections_carry_the_chain_errors() {
        let mut w = World::new();
        let (cold, hot) = (account(10), account(11));
        w.fund(&cold, 1_000_000_000);
        // The error encoding itself: pallet 7, variant 21.
        let already = w.call(&cold, burned(1, account(1)));
        assert_eq!(
            already,
            Err(DispatchError::Module(ModuleError {
                index: 7,
                error: [21, 0, 0, 0]
            }))
        );
        assert_eq!(
            w.call(&cold, burned(0, hot)),
            Err(error(E::RegistrationNotPermittedOnRootSubnet))
        );
        assert_eq!(
            w.call(&cold, burned(9, hot)),
            Err(error(E::SubnetNotExists))
        );
        let poor = account(12);
        w.fund(&poor, 1_000);
        assert_eq!(
            w.call(&poor, burned(1, account(13))),
            Err(error(E::NotEnoughBalanceToStake))
        );
        // A hotkey owned by someone else.
        assert_eq!(w.call(&cold, burned(1, hot)), Ok(()));
        w.fund(&account(20), 1_000_000_000);
        w.next_block();
        assert_eq!(
            w.call(&account(20), burned(1, hot)),
            Err(error(E::HotKeyAlreadyRegisteredInSubNet))
        );
        w.set(|s| st::NETWORK_REGISTRATION_ALLOWED.set(s, &1, &false));
        assert_eq!(
            w.call(&cold, burned(1, account(14))),
            Err(error(E::SubNetRegistrationDisabled))
        );
    }

    #[test]
    fn a_hotkey_owned_by_another_coldkey_is_refused() {
        let mut w = World::new();
        w.fund(&account(10), 1_000_000_000);
        w.fund(&account(20), 1_000_000_000);
        w.set(|s| st::OWNER.set(s, &account(11), &account(20)));
        assert_eq!(
            w.call(&account(10), burned(1, account(11))),
            Err(error(E::NonAssociatedColdKey))
        );
    }

    #[test]
    fn per_block_and_per_interval_limits_hold() {
        let mut w = World::new();
        w.fund(&account(10), 10_000_000_000);
        assert_eq!(w.call(&account(10), burned(1, account(11))), Ok(()));
        assert_eq!(
            w.call(&account(10), burned(1, account(12))),
            Err(error(E::TooManyRegistrationsThisBlock))
        );
        // Next block: the per-block counter is reset; the interval allows 3 × target (1) = 3.
        w.next_block();
        assert_eq!(w.call(&account(10), burned(1, account(12))), Ok(()));
        w.next_block();
        assert_eq!(w.call(&account(10), burned(1, account(13))), Ok(()));
        w.next_block();
        assert_eq!(
            w.call(&account(10), burned(1, account(14))),
            Err(error(E::TooManyRegistrationsThisInterval))
        );
    }

    #[test]
    fn a_full_subnet_replaces_the_lowest_pruning_score_outside_immunity() {
        let mut w = World::with(|p| {
            p.max_allowed_uids = 3;
            p.immunity_period = 2;
            p.max_registrations_per_block = 5;
            p.target_registrations_per_interval = 10;
        });
        w.fund(&account(10), 10_000_000_000);
        assert_eq!(w.call(&account(10), burned(1, account(11))), Ok(())); // uid 1, block 1
        assert_eq!(w.call(&account(10), burned(1, account(12))), Ok(())); // uid 2, block 1
        w.set(|s| st::PRUNING_SCORES.set(s, &1, &vec![0, 500, 100]));
        // Block 2: uids 1 and 2 are still immune (2 - 1 < 2): the lowest immune score goes.
        w.next_block();
        w.set(|s| st::AXONS.set(s, &(1, account(12)), &Default::default()));
        assert_eq!(w.call(&account(10), burned(1, account(13))), Ok(()));
        w.read(|s| {
            assert_eq!(st::uid_of(s, 1, &account(13)).unwrap(), Some(2));
            assert_eq!(st::uid_of(s, 1, &account(12)).unwrap(), None);
            assert!(st::AXONS.get(s, &(1, account(12))).unwrap().is_none());
            assert_eq!(
                st::PRUNING_SCORES.get(s, &1).unwrap(),
                vec![0, 500, u16::MAX]
            );
            assert_eq!(st::SUBNETWORK_N.get(s, &1).unwrap(), 3);
            assert_eq!(st::BLOCK_AT_REGISTRATION.get(s, &(1, 2)).unwrap(), 2);
        });
        assert!(w.emitted(&SubtensorModuleEvent::NeuronRegistered(1, 2, account(13))));
        // Block 3: uid 1 (registered at 1) is out of immunity, uid 2 (registered at 2) is not:
        // uid 1 goes although uid 2 scores lower; the owner's uid 0 (score 0) is never chosen.
        w.run_to(3);
        w.set(|s| st::PRUNING_SCORES.set(s, &1, &vec![0, 500, 100]));
        assert_eq!(w.call(&account(10), burned(1, account(14))), Ok(()));
        w.read(|s| {
            assert_eq!(st::uid_of(s, 1, &account(14)).unwrap(), Some(1));
            assert_eq!(st::uid_of(s, 1, &account(11)).unwrap(), None);
            assert_eq!(st::hotkey_of(s, 1, 0).unwrap(), Some(account(1)));
            // The replaced hotkey keeps its owner; only the uid changed hands.
            assert_eq!(st::OWNER.get(s, &account(11)).unwrap(), account(10));
        });
    }

    #[test]
    fn burn_moves_toward_the_target_each_interval() {
        // Over target: 3 registrations against 1 → burn × 4 / 2 (alpha 0).
        assert_eq!(upgraded_burn(1_000, 3, 1, 0, 1, 1_000_000), 2_000);
        // None: burn × 1 / 2.
        assert_eq!(upgraded_burn(1_000, 0, 1, 0, 1, 1_000_000), 500);
        // Clamped.
        assert_eq!(upgraded_burn(1_000, 0, 1, 0, 800, 1_000_000), 800);
        assert_eq!(upgraded_burn(1_000, 9, 1, 0, 1, 3_000), 3_000);
        // alpha = 1/2 of the way: (1000 + 2000) / 2.
        assert_eq!(
            upgraded_burn(1_000, 3, 1, u64::MAX / 2 + 1, 1, 1_000_000),
            1_500
        );

        let mut w = World::with(|p| {
            p.adjustment_interval = 3;
            p.adjustment_alpha = 0;
            p.burn = 1_000_000;
            p.min_burn = 1_000;
        });
        // No registrations in blocks 1..=3: at block 3 the burn halves.
        w.run_to(3);
        w.read(|s| {
            assert_eq!(st::BURN.get(s, &1).unwrap(), 500_000);
            assert_eq!(st::LAST_ADJUSTMENT_BLOCK.get(s, &1).unwrap(), 3);
        });
    }
}
