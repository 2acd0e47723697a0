//! `add_stake` / `remove_stake`, simplified: every subnet trades TAO and its alpha 1:1 with no
//! swap fee and no slippage (as a stable subnet does; finney's dynamic subnets price alpha with
//! a liquidity pool). Stake lives where finney keeps it: the coldkey's shares in the hotkey's
//! pool (`Alpha(hotkey, coldkey, netuid)`, `U64F64`), the pool's denominator
//! (`TotalHotkeyShares`) and value (`TotalHotkeyAlpha`). Because all alpha that ever enters a
//! pool (stake, and the epoch's payouts, which go to the hotkey owner's coldkey) enters as
//! shares 1:1, a share is always worth exactly one alpha.
//!
//! `add_stake` checks, in the chain's order: the subnet exists (`SubnetNotExists`), staking is
//! open on it (`SubtokenDisabled`), the amount is at least `DefaultMinStake` (2,000,000 rao;
//! plus a swap fee, zero here) (`AmountTooLow`), the free balance covers it
//! (`NotEnoughBalanceToStake`), the hotkey has an owner, i.e. registered somewhere
//! (`HotKeyAccountNotExists`). The TAO is withdrawn keeping the account alive (as the chain's
//! `remove_balance_from_coldkey_account`; `ZeroBalanceAfterWithdrawn` if nothing could be
//! taken) and what was taken is staked. Event: `StakeAdded(coldkey, hotkey, tao, alpha, netuid,
//! fee)`. A stake blocks an unstake of the same (hotkey, coldkey, netuid) in the same block
//! (`StakingOperationRateLimiter`, cleared at the start of each block).
//!
//! `remove_stake` checks: the subnet exists, no stake of the same triple in this block
//! (`StakingOperationRateLimitExceeded`), a non-zero amount (`AmountTooLow`), at most the
//! coldkey's stake (`NotEnoughStakeToWithdraw`), what stays staked is zero or the TAO out is at
//! least `DefaultMinStake` (`AmountTooLow`), the hotkey has an owner
//! (`HotKeyAccountNotExists`). The TAO is minted to the coldkey. Event: `StakeRemoved`.

use nya_metadata::runtime::calls::SubtensorModuleEvent;
use nya_metadata::runtime::errors::SubtensorModuleError as E;
use nya_metadata::runtime::types::AccountId32;

use super::storage::{self as st, U64F64};
use super::{deposit, ensure, error};
use crate::localnet::runtime::{Ctx, DispatchResult, balances};
use crate::localnet::state::{CorruptValue, Overlay, StorageRead};

/// `DefaultMinStake`: the smallest stake (and unstake that leaves stake behind), in rao.
pub const DEFAULT_MIN_STAKE: u64 = 2_000_000;

/// Alpha `coldkey` holds on `hotkey` in `netuid`.
pub fn stake_of(
    state: &(impl StorageRead + ?Sized),
    hotkey: &AccountId32,
    coldkey: &AccountId32,
    netuid: u16,
) -> Result<u64, CorruptValue> {
    let shares = st::ALPHA.get(state, &(*hotkey, *coldkey, netuid))?;
    let total_shares = st::TOTAL_HOTKEY_SHARES.get(state, &(*hotkey, netuid))?;
    let value = st::TOTAL_HOTKEY_ALPHA.get(state, &(*hotkey, netuid))?;
    if total_shares.int() == 0 {
        return Ok(0);
    }
    // shares / total_shares of the pool's value, floored (whole shares: they enter 1:1).
    let amount = u128::from(value) * u128::from(shares.int()) / u128::from(total_shares.int());
    Ok(u64::try_from(amount).unwrap_or(u64::MAX))
}

/// Adds `alpha` to `coldkey`'s stake on `hotkey` (1:1 shares; see the module doc).
pub fn increase_stake(
    state: &mut Overlay<'_>,
    hotkey: &AccountId32,
    coldkey: &AccountId32,
    netuid: u16,
    alpha: u64,
) -> Result<(), CorruptValue> {
    if alpha == 0 {
        return Ok(());
    }
    let added = U64F64::from_int(alpha).0;
    st::ALPHA.update(state, &(*hotkey, *coldkey, netuid), |s| {
        s.0 = s.0.saturating_add(added);
    })?;
    st::TOTAL_HOTKEY_SHARES.update(state, &(*hotkey, netuid), |s| {
        s.0 = s.0.saturating_add(added);
    })?;
    st::TOTAL_HOTKEY_ALPHA.update(state, &(*hotkey, netuid), |v| *v = v.saturating_add(alpha))?;
    st::SUBNET_ALPHA_OUT.update(state, &netuid, |v| *v = v.saturating_add(alpha))?;
    Ok(())
}

/// Takes `alpha` off `coldkey`'s stake on `hotkey`; entries that reach zero are removed, as
/// the chain's share pool removes them.
fn decrease_stake(
    state: &mut Overlay<'_>,
    hotkey: &AccountId32,
    coldkey: &AccountId32,
    netuid: u16,
    alpha: u64,
) -> Result<(), CorruptValue> {
    let removed = U64F64::from_int(alpha).0;
    let share_key = (*hotkey, *coldkey, netuid);
    let pool_key = (*hotkey, netuid);
    let shares = st::ALPHA.get(state, &share_key)?.0.saturating_sub(removed);
    let total = st::TOTAL_HOTKEY_SHARES
        .get(state, &pool_key)?
        .0
        .saturating_sub(removed);
    let value = st::TOTAL_HOTKEY_ALPHA
        .get(state, &pool_key)?
        .saturating_sub(alpha);
    if shares == 0 {
        st::ALPHA.remove(state, &share_key);
    } else {
        st::ALPHA.set(state, &share_key, &U64F64(shares));
    }
    if total == 0 {
        st::TOTAL_HOTKEY_SHARES.remove(state, &pool_key);
    } else {
        st::TOTAL_HOTKEY_SHARES.set(state, &pool_key, &U64F64(total));
    }
    if value == 0 {
        st::TOTAL_HOTKEY_ALPHA.remove(state, &pool_key);
    } else {
        st::TOTAL_HOTKEY_ALPHA.set(state, &pool_key, &value);
    }
    st::SUBNET_ALPHA_OUT.update(state, &netuid, |v| *v = v.saturating_sub(alpha))?;
    Ok(())
}

/// Clears `StakingOperationRateLimiter` (start of every block).
pub fn clear_operation_limits(state: &mut Overlay<'_>) {
    let keys: Vec<Vec<u8>> = state
        .prefix_pairs(&st::STAKING_OPERATION_RATE_LIMITER.prefix())
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    for k in keys {
        state.remove(k);
    }
}

/// `add_stake(hotkey, netuid, amount_staked)` signed by `coldkey`.
pub fn add_stake(
    ctx: &mut Ctx<'_, '_>,
    coldkey: &AccountId32,
    hotkey: &AccountId32,
    netuid: u16,
    amount: u64,
) -> DispatchResult {
    ensure(st::subnet_exists(ctx.state, netuid)?, E::SubnetNotExists)?;
    ensure(
        st::SUBTOKEN_ENABLED.get(ctx.state, &netuid)?,
        E::SubtokenDisabled,
    )?;
    ensure(amount >= DEFAULT_MIN_STAKE, E::AmountTooLow)?;
    ensure(
        balances::free(ctx.state, coldkey)? >= amount,
        E::NotEnoughBalanceToStake,
    )?;
    ensure(
        st::OWNER.contains(ctx.state, hotkey),
        E::HotKeyAccountNotExists,
    )?;

    let tao = balances::withdraw_keep_alive(ctx, coldkey, amount)?;
    if tao == 0 {
        return Err(error(E::ZeroBalanceAfterWithdrawn));
    }
    let alpha = tao;
    increase_stake(ctx.state, hotkey, coldkey, netuid, alpha)?;
    st::STAKING_HOTKEYS.update(ctx.state, coldkey, |hotkeys| {
        if !hotkeys.contains(hotkey) {
            hotkeys.push(*hotkey);
        }
    })?;
    st::TOTAL_STAKE.set(
        ctx.state,
        &st::TOTAL_STAKE.get(ctx.state)?.saturating_add(tao),
    );
    st::SUBNET_TAO.update(ctx.state, &netuid, |v| *v = v.saturating_add(tao))?;
    st::STAKING_OPERATION_RATE_LIMITER.set(ctx.state, &(*hotkey, *coldkey, netuid), &true);
    deposit(
        ctx,
        SubtensorModuleEvent::StakeAdded(*coldkey, *hotkey, tao, alpha, netuid, 0),
    );
    Ok(())
}

/// `remove_stake(hotkey, netuid, amount_unstaked)` signed by `coldkey`.
pub fn remove_stake(
    ctx: &mut Ctx<'_, '_>,
    coldkey: &AccountId32,
    hotkey: &AccountId32,
    netuid: u16,
    alpha: u64,
) -> DispatchResult {
    ensure(st::subnet_exists(ctx.state, netuid)?, E::SubnetNotExists)?;
    ensure(
        !st::STAKING_OPERATION_RATE_LIMITER.get(ctx.state, &(*hotkey, *coldkey, netuid))?,
        E::StakingOperationRateLimitExceeded,
    )?;
    ensure(alpha != 0, E::AmountTooLow)?;
    let staked = stake_of(ctx.state, hotkey, coldkey, netuid)?;
    let Some(remaining) = staked.checked_sub(alpha) else {
        return Err(error(E::NotEnoughStakeToWithdraw));
    };
    let tao = alpha;
    ensure(remaining == 0 || tao >= DEFAULT_MIN_STAKE, E::AmountTooLow)?;
    ensure(
        st::OWNER.contains(ctx.state, hotkey),
        E::HotKeyAccountNotExists,
    )?;

    decrease_stake(ctx.state, hotkey, coldkey, netuid, alpha)?;
    st::TOTAL_STAKE.set(
        ctx.state,
        &st::TOTAL_STAKE.get(ctx.state)?.saturating_sub(tao),
    );
    st::SUBNET_TAO.update(ctx.state, &netuid, |v| *v = v.saturating_sub(tao))?;
    balances::mint(ctx, coldkey, tao)?;
    deposit(
        ctx,
        SubtensorModuleEvent::StakeRemoved(*coldkey, *hotkey, tao, alpha, netuid, 0),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use nya_metadata::runtime::calls::SubtensorModuleCall;

    use super::super::testing::{World, account};
    use super::*;

    fn add(hotkey: AccountId32, netuid: u16, amount: u64) -> SubtensorModuleCall {
        SubtensorModuleCall::add_stake {
            hotkey,
            netuid,
            amount_staked: amount,
        }
    }

    fn remove(hotkey: AccountId32, netuid: u16, amount: u64) -> SubtensorModuleCall {
        SubtensorModuleCall::remove_stake {
            hotkey,
            netuid,
            amount_unstaked: amount,
        }
    }

    #[test]
    fn stake_round_trip_moves_tao_into_alpha_and_back() {
        let mut w = World::new();
        let (cold, hot) = (account(30), account(1));
        w.fund(&cold, 10_000_000_000);
        let issuance = w.total_issuance();
        assert_eq!(w.call(&cold, add(hot, 1, 3_000_000_000)), Ok(()));
        assert_eq!(w.free(&cold), 7_000_000_000);
        assert_eq!(w.total_issuance(), issuance - 3_000_000_000);
        w.read(|s| {
            assert_eq!(stake_of(s, &hot, &cold, 1).unwrap(), 3_000_000_000);
            assert_eq!(
                st::TOTAL_HOTKEY_ALPHA.get(s, &(hot, 1)).unwrap(),
                3_000_000_000
            );
            assert_eq!(
                st::ALPHA.get(s, &(hot, cold, 1)).unwrap(),
                U64F64::from_int(3_000_000_000)
            );
            assert_eq!(st::STAKING_HOTKEYS.get(s, &cold).unwrap(), vec![hot]);
            assert_eq!(st::TOTAL_STAKE.get(s).unwrap(), 3_000_000_000);
            assert_eq!(st::neurons(s, 1).unwrap()[0].stake, 3_000_000_000);
        });
        assert!(w.emitted(&SubtensorModuleEvent::StakeAdded(
            cold,
            hot,
            3_000_000_000,
            3_000_000_000,
            1,
            0
        )));
        // Same block: the unstake is rate limited.
        assert_eq!(
            w.call(&cold, remove(hot, 1, 1_000_000_000)),
            Err(error(E::StakingOperationRateLimitExceeded))
        );
        w.next_block();
        assert_eq!(w.call(&cold, remove(hot, 1, 1_000_000_000)), Ok(()));
        assert_eq!(w.free(&cold), 8_000_000_000);
        assert!(w.emitted(&SubtensorModuleEvent::StakeRemoved(
            cold,
            hot,
            1_000_000_000,
            1_000_000_000,
            1,
            0
        )));
        // All of the rest, even below the minimum, since nothing stays.
        assert_eq!(w.call(&cold, remove(hot, 1, 2_000_000_000)), Ok(()));
        w.read(|s| {
            assert_eq!(stake_of(s, &hot, &cold, 1).unwrap(), 0);
            assert!(!st::ALPHA.contains(s, &(hot, cold, 1)));
            assert!(!st::TOTAL_HOTKEY_ALPHA.contains(s, &(hot, 1)));
        });
        assert_eq!(w.free(&cold), 10_000_000_000);
        assert_eq!(w.total_issuance(), issuance);
    }

    #[test]
    fn add_stake_rejections_follow_the_chain_order() {
        let mut w = World::new();
        let cold = account(30);
        w.fund(&cold, 10_000_000);
        assert_eq!(
            w.call(&cold, add(account(1), 4, 5_000_000)),
            Err(error(E::SubnetNotExists))
        );
        assert_eq!(
            w.call(&cold, add(account(1), 1, 1_999_999)),
            Err(error(E::AmountTooLow))
        );
        assert_eq!(
            w.call(&cold, add(account(1), 1, 20_000_000)),
            Err(error(E::NotEnoughBalanceToStake))
        );
        assert_eq!(
            w.call(&cold, add(account(77), 1, 5_000_000)),
            Err(error(E::HotKeyAccountNotExists))
        );
        w.set(|s| st::SUBTOKEN_ENABLED.set(s, &1, &false));
        assert_eq!(
            w.call(&cold, add(account(1), 1, 1)),
            Err(error(E::SubtokenDisabled))
        );
    }

    #[test]
    fn staking_everything_keeps_the_account_alive() {
        let mut w = World::new();
        let cold = account(30);
        w.fund(&cold, 10_000_000);
        assert_eq!(w.call(&cold, add(account(1), 1, 10_000_000)), Ok(()));
        // The existential deposit stays; the rest is staked.
        assert_eq!(w.free(&cold), 500);
        let staked = w.read(|s| stake_of(s, &account(1), &cold, 1).unwrap());
        assert_eq!(staked, 10_000_000 - 500);
    }

    #[test]
    fn remove_stake_rejections_follow_the_chain_order() {
        let mut w = World::new();
        let (cold, hot) = (account(30), account(1));
        w.fund(&cold, 10_000_000_000);
        assert_eq!(w.call(&cold, add(hot, 1, 5_000_000)), Ok(()));
        w.next_block();
        assert_eq!(
            w.call(&cold, remove(hot, 3, 1)),
            Err(error(E::SubnetNotExists))
        );
        assert_eq!(
            w.call(&cold, remove(hot, 1, 0)),
            Err(error(E::AmountTooLow))
        );
        assert_eq!(
            w.call(&cold, remove(hot, 1, 5_000_001)),
            Err(error(E::NotEnoughStakeToWithdraw))
        );
        // Leaving 4,000,000 behind while taking out less than the minimum.
        assert_eq!(
            w.call(&cold, remove(hot, 1, 1_000_000)),
            Err(error(E::AmountTooLow))
        );
        assert_eq!(
            w.call(&cold, remove(account(88), 1, 1)),
            Err(error(E::NotEnoughStakeToWithdraw))
        );
    }
}
