//! `pallet_balances` for the localnet: free balances in `System.Account`, `Balances.TotalIssuance`,
//! `transfer_keep_alive`, and the burn/mint/withdraw primitives the other pallets use.
//!
//! Rules copied from finney spec 393 (pallet_balances on the fungible traits, subtensor's
//! configuration):
//! - Existential deposit 500 rao. An account exists (has a provider reference) while its free
//!   balance is at least that; crossing up creates it (`System.NewAccount`, then
//!   `Balances.Endowed` for a fresh record), crossing down reaps it (`System.KilledAccount`, its
//!   record and nonce go, and any remainder is burnt with `Balances.DustLost`).
//! - `transfer_keep_alive` checks, in the chain's order: `dest` must be `MultiAddress::Id`
//!   (`CannotLookup`); amount above the sender's free balance → `Token(FundsUnavailable)`;
//!   sender left below the existential deposit → `Token(NotExpendable)`; receiver left below it →
//!   `Token(BelowMinimum)`; overflow → `Arithmetic(Overflow)`. A transfer to oneself passes the
//!   checks and changes nothing. Events: receiver creation, then `Balances.Transfer`.
//! - Fees and subtensor's burns are withdrawn (`Balances.Withdraw`) and leave the total issuance;
//!   mints are deposited (`Balances.Deposit`) and add to it.
//!
//! The localnet has no reserves, holds, locks or freezes, so `reserved` and `frozen` stay zero
//! and no account ever has consumer references.

use nya_metadata::runtime::build::EXISTENTIAL_DEPOSIT;
use nya_metadata::runtime::calls::{BalancesCall, BalancesEvent, RuntimeEvent, SystemEvent};
use nya_metadata::runtime::dispatch::{ArithmeticError, DispatchError, TokenError};
use nya_metadata::runtime::errors::BalancesError;
use nya_metadata::runtime::items::BALANCES_TOTAL_ISSUANCE;
use nya_metadata::runtime::types::{AccountData, AccountId32, MultiAddress};

use super::system::{self, item_prefix};
use super::{Ctx, DispatchResult, Origin};
use crate::localnet::state::{CorruptValue, Overlay, StorageRead, get_or_default};

/// Pallet index of Balances in finney's runtime.
pub const PALLET_INDEX: u8 = 5;

/// `Balances(err)` as a dispatch error.
pub fn error(err: BalancesError) -> DispatchError {
    DispatchError::module(PALLET_INDEX, err as u8)
}

/// Whether a withdrawal may leave the account below the existential deposit (and so reap it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existence {
    /// The account must stay alive (`Preservation::Preserve`).
    KeepAlive,
    /// The account may be reaped (`Preservation::Expendable`).
    AllowDeath,
}

/// `Balances` calls.
pub fn dispatch(ctx: &mut Ctx<'_, '_>, origin: Origin, call: BalancesCall) -> DispatchResult {
    match call {
        BalancesCall::transfer_keep_alive { dest, value } => {
            let from = origin.signed()?;
            let to = lookup(dest)?;
            transfer(ctx, &from, &to, value, Existence::KeepAlive)
        }
    }
}

/// `AccountIdLookup`: only `MultiAddress::Id` names an account on finney (no indices pallet).
fn lookup(dest: MultiAddress) -> Result<AccountId32, DispatchError> {
    match dest {
        MultiAddress::Id(id) => Ok(id),
        _ => Err(DispatchError::CannotLookup),
    }
}

/// Free balance of `who` in rao (0 for an account that does not exist).
pub fn free(state: &impl StorageRead, who: &AccountId32) -> Result<u64, CorruptValue> {
    Ok(system::account(state, who)?.data.free)
}

/// `Balances.TotalIssuance`.
pub fn total_issuance(state: &impl StorageRead) -> Result<u64, CorruptValue> {
    get_or_default(state, &item_prefix(BALANCES_TOTAL_ISSUANCE))
}

/// Overwrites `Balances.TotalIssuance` (genesis; everything else moves it through the functions
/// below).
pub fn set_total_issuance(state: &mut Overlay<'_>, total: u64) {
    state.set(item_prefix(BALANCES_TOTAL_ISSUANCE), &total);
}

/// Moves `amount` from `from` to `to` with the chain's checks (see the module docs).
pub fn transfer(
    ctx: &mut Ctx<'_, '_>,
    from: &AccountId32,
    to: &AccountId32,
    amount: u64,
    existence: Existence,
) -> DispatchResult {
    let from_free = free(ctx.state, from)?;
    check_withdraw(ctx.state, from_free, amount, existence)?;
    let to_free = free(ctx.state, to)?;
    check_deposit(to_free, amount)?;
    if from == to {
        return Ok(());
    }
    // Both checked above: no underflow, no overflow.
    write_free(ctx, from, from_free.saturating_sub(amount))?;
    write_free(ctx, to, to_free.saturating_add(amount))?;
    ctx.deposit_event(RuntimeEvent::Balances(BalancesEvent::Transfer {
        from: *from,
        to: *to,
        amount,
    }));
    Ok(())
}

/// `fungible::Inspect::can_withdraw` (without locks, which the localnet has none of).
fn check_withdraw(
    state: &impl StorageRead,
    free: u64,
    amount: u64,
    existence: Existence,
) -> DispatchResult {
    if amount == 0 {
        return Ok(());
    }
    if total_issuance(state)? < amount {
        return Err(DispatchError::Arithmetic(ArithmeticError::Underflow));
    }
    let Some(left) = free.checked_sub(amount) else {
        return Err(DispatchError::Token(TokenError::FundsUnavailable));
    };
    if left < EXISTENTIAL_DEPOSIT && existence == Existence::KeepAlive {
        return Err(DispatchError::Token(TokenError::NotExpendable));
    }
    Ok(())
}

/// `fungible::Inspect::can_deposit` of an existing amount (a transfer, not a mint).
fn check_deposit(free: u64, amount: u64) -> DispatchResult {
    if amount == 0 {
        return Ok(());
    }
    match free.checked_add(amount) {
        None => Err(DispatchError::Arithmetic(ArithmeticError::Overflow)),
        Some(total) if total < EXISTENTIAL_DEPOSIT => {
            Err(DispatchError::Token(TokenError::BelowMinimum))
        }
        Some(_) => Ok(()),
    }
}

/// Takes exactly `amount` out of `who`'s free balance and out of the total issuance (a
/// registration burn, a stake): `Balances(InsufficientBalance)` if the balance is short. The
/// account may be reaped (subtensor lets a coldkey stake everything); `Balances.Withdraw`.
pub fn burn(ctx: &mut Ctx<'_, '_>, who: &AccountId32, amount: u64) -> DispatchResult {
    if amount == 0 {
        return Ok(());
    }
    let balance = free(ctx.state, who)?;
    let Some(left) = balance.checked_sub(amount) else {
        return Err(error(BalancesError::InsufficientBalance));
    };
    take_from_issuance(ctx.state, amount)?;
    write_free(ctx, who, left)?;
    ctx.deposit_event(RuntimeEvent::Balances(BalancesEvent::Withdraw {
        who: *who,
        amount,
    }));
    Ok(())
}

/// subtensor's `remove_balance_from_coldkey_account`: withdraws up to `amount` but never below
/// the existential deposit (best effort, keep alive), returning what was taken; 0 means nothing
/// could be (the caller turns that into its own error). `Balances.Withdraw` when non-zero.
pub fn withdraw_keep_alive(
    ctx: &mut Ctx<'_, '_>,
    who: &AccountId32,
    amount: u64,
) -> Result<u64, DispatchError> {
    let balance = free(ctx.state, who)?;
    let taken = amount.min(balance.saturating_sub(EXISTENTIAL_DEPOSIT));
    if taken == 0 {
        return Ok(0);
    }
    take_from_issuance(ctx.state, taken)?;
    write_free(ctx, who, balance.saturating_sub(taken))?;
    ctx.deposit_event(RuntimeEvent::Balances(BalancesEvent::Withdraw {
        who: *who,
        amount: taken,
    }));
    Ok(taken)
}

/// Adds `amount` to `who`'s free balance and to the total issuance (unstake, emission payout),
/// like subtensor's best-effort deposit: an amount that would leave a non-existent account
/// below the existential deposit is dropped (nothing changes). `Balances.Deposit`, preceded by
/// the account's creation events when it is new.
pub fn mint(ctx: &mut Ctx<'_, '_>, who: &AccountId32, amount: u64) -> DispatchResult {
    if amount == 0 {
        return Ok(());
    }
    let balance = free(ctx.state, who)?;
    let new_free = balance
        .checked_add(amount)
        .ok_or(DispatchError::Arithmetic(ArithmeticError::Overflow))?;
    if new_free < EXISTENTIAL_DEPOSIT {
        return Ok(());
    }
    let issuance = total_issuance(ctx.state)?
        .checked_add(amount)
        .ok_or(DispatchError::Arithmetic(ArithmeticError::Overflow))?;
    set_total_issuance(ctx.state, issuance);
    write_free(ctx, who, new_free)?;
    ctx.deposit_event(RuntimeEvent::Balances(BalancesEvent::Deposit {
        who: *who,
        amount,
    }));
    Ok(())
}

/// Withdraws a transaction fee (fee plus tip), which leaves the total issuance as subtensor's
/// fee handler burns it. The validity check has already made sure the payer can pay without
/// dropping below the existential deposit; should the block's earlier transactions have spent
/// it since, only what keeps the account alive is taken. Returns the amount taken.
pub fn withdraw_fee(
    ctx: &mut Ctx<'_, '_>,
    who: &AccountId32,
    total: u64,
) -> Result<u64, CorruptValue> {
    if total == 0 {
        return Ok(0);
    }
    let balance = free(ctx.state, who)?;
    let taken = total.min(balance.saturating_sub(EXISTENTIAL_DEPOSIT));
    if taken < total {
        tracing::warn!(
            payer = ?who,
            fee = total,
            taken,
            "fee payer can no longer pay the full fee; taking what keeps the account alive"
        );
    }
    if taken == 0 {
        return Ok(0);
    }
    let issuance = total_issuance(ctx.state)?;
    set_total_issuance(ctx.state, issuance.saturating_sub(taken));
    write_free(ctx, who, balance.saturating_sub(taken))?;
    ctx.deposit_event(RuntimeEvent::Balances(BalancesEvent::Withdraw {
        who: *who,
        amount: taken,
    }));
    Ok(taken)
}

/// Whether `who` can pay `total` rao of fees and stay above the existential deposit: the
/// transaction payment check (`InvalidTransaction::Payment` otherwise). Zero is always payable.
pub fn can_pay(
    state: &impl StorageRead,
    who: &AccountId32,
    total: u64,
) -> Result<bool, CorruptValue> {
    if total == 0 {
        return Ok(true);
    }
    let balance = free(state, who)?;
    Ok(balance
        .checked_sub(total)
        .is_some_and(|left| left >= EXISTENTIAL_DEPOSIT))
}

/// Endows `who` with `amount` at genesis (no events): creates the account when the amount
/// reaches the existential deposit and adds it to the total issuance.
pub fn endow_at_genesis(
    state: &mut Overlay<'_>,
    who: &AccountId32,
    amount: u64,
) -> Result<(), DispatchError> {
    let mut info = system::account(state, who)?;
    let was_alive = info.data.free >= EXISTENTIAL_DEPOSIT;
    info.data.free = info
        .data
        .free
        .checked_add(amount)
        .ok_or(DispatchError::Arithmetic(ArithmeticError::Overflow))?;
    if info.data.free < EXISTENTIAL_DEPOSIT {
        return Err(DispatchError::Token(TokenError::BelowMinimum));
    }
    if !was_alive {
        info.providers = info.providers.saturating_add(1);
    }
    let issuance = total_issuance(state)?
        .checked_add(amount)
        .ok_or(DispatchError::Arithmetic(ArithmeticError::Overflow))?;
    set_total_issuance(state, issuance);
    system::set_account(state, who, &info);
    Ok(())
}

/// Lowers the total issuance by `amount`, which must not exceed it.
fn take_from_issuance(state: &mut Overlay<'_>, amount: u64) -> DispatchResult {
    let issuance = total_issuance(state)?
        .checked_sub(amount)
        .ok_or(DispatchError::Arithmetic(ArithmeticError::Underflow))?;
    set_total_issuance(state, issuance);
    Ok(())
}

/// Sets `who`'s free balance to `new_free`, keeping the provider reference, the account record
/// and the total issuance (dust) in step the way pallet_balances' account mutation does, with
/// its events in its order: `NewAccount` / `KilledAccount`, then `Endowed`, then `DustLost`.
fn write_free(ctx: &mut Ctx<'_, '_>, who: &AccountId32, new_free: u64) -> Result<(), CorruptValue> {
    let mut info = system::account(ctx.state, who)?;
    let is_new = info.data == AccountData::default();
    let did_provide = info.data.free >= EXISTENTIAL_DEPOSIT;
    let does_provide = new_free >= EXISTENTIAL_DEPOSIT;
    info.data.free = new_free;
    if !did_provide && does_provide {
        if info.providers == 0 && info.sufficients == 0 {
            ctx.deposit_event(RuntimeEvent::System(SystemEvent::NewAccount {
                account: *who,
            }));
        }
        info.providers = info.providers.saturating_add(1);
    }
    if did_provide && !does_provide {
        info.providers = info.providers.saturating_sub(1);
        if info.providers == 0 && info.sufficients == 0 {
            ctx.deposit_event(RuntimeEvent::System(SystemEvent::KilledAccount {
                account: *who,
            }));
        }
    }
    // Below the existential deposit the balance is not kept: what is left is dust.
    let dust = if new_free < EXISTENTIAL_DEPOSIT && info.data.reserved == 0 {
        info.data.free = 0;
        (new_free > 0).then_some(new_free)
    } else {
        None
    };
    if info.providers > 0 || info.sufficients > 0 {
        system::set_account(ctx.state, who, &info);
    } else {
        system::remove_account(ctx.state, who);
    }
    if is_new && does_provide {
        ctx.deposit_event(RuntimeEvent::Balances(BalancesEvent::Endowed {
            account: *who,
            free_balance: new_free,
        }));
    }
    if let Some(amount) = dust {
        let issuance = total_issuance(ctx.state)?;
        set_total_issuance(ctx.state, issuance.saturating_sub(amount));
        ctx.deposit_event(RuntimeEvent::Balances(BalancesEvent::DustLost {
            account: *who,
            amount,
        }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use nya_metadata::runtime::types::{AccountInfo, EventRecord, Phase};

    use super::*;
    use crate::localnet::state::MemoryState;

    const TAO: u64 = 1_000_000_000;

    fn who(n: u8) -> AccountId32 {
        AccountId32([n; 32])
    }

    /// A state where account 1 holds `balance` (and the issuance matches).
    fn funded(balance: u64) -> MemoryState {
        funded_among(balance, 0)
    }

    /// Account 1 holds `balance` and account 100 holds `others` (0: no such account).
    fn funded_among(balance: u64, others: u64) -> MemoryState {
        let base = MemoryState::default();
        let mut overlay = Overlay::new(&base);
        endow_at_genesis(&mut overlay, &who(1), balance).unwrap();
        if others > 0 {
            endow_at_genesis(&mut overlay, &who(100), others).unwrap();
        }
        let mut state = MemoryState::default();
        state.apply(&overlay.into_changes());
        state
    }

    /// Runs `f` in a fresh block context on `base`; returns its result, the events and the
    /// changed state.
    fn run<T>(
        base: &MemoryState,
        f: impl FnOnce(&mut Ctx<'_, '_>) -> T,
    ) -> (T, Vec<RuntimeEvent>, MemoryState) {
        let mut overlay = Overlay::new(base);
        let mut events: Vec<EventRecord<RuntimeEvent>> = Vec::new();
        let out = {
            let mut ctx = Ctx {
                state: &mut overlay,
                block: 1,
                events: &mut events,
                phase: Phase::ApplyExtrinsic(0),
            };
            f(&mut ctx)
        };
        let mut after = base.clone();
        after.apply(&overlay.into_changes());
        (out, events.into_iter().map(|r| r.event).collect(), after)
    }

    fn transfer_call(to: AccountId32, value: u64) -> BalancesCall {
        BalancesCall::transfer_keep_alive {
            dest: MultiAddress::Id(to),
            value,
        }
    }

    #[test]
    fn balances_transfer_to_a_new_account_creates_it_with_the_chain_events() {
        let base = funded(10 * TAO);
        let (out, events, after) = run(&base, |ctx| {
            dispatch(ctx, Origin::Signed(who(1)), transfer_call(who(2), 3 * TAO))
        });
        assert_eq!(out, Ok(()));
        assert_eq!(
            events,
            vec![
                RuntimeEvent::System(SystemEvent::NewAccount { account: who(2) }),
                RuntimeEvent::Balances(BalancesEvent::Endowed {
                    account: who(2),
                    free_balance: 3 * TAO
                }),
                RuntimeEvent::Balances(BalancesEvent::Transfer {
                    from: who(1),
                    to: who(2),
                    amount: 3 * TAO
                }),
            ]
        );
        assert_eq!(free(&after, &who(1)).unwrap(), 7 * TAO);
        let receiver = system::account(&after, &who(2)).unwrap();
        assert_eq!((receiver.providers, receiver.data.free), (1, 3 * TAO));
        assert_eq!(
            total_issuance(&after).unwrap(),
            10 * TAO,
            "transfers keep issuance"
        );
    }

    #[test]
    fn balances_transfer_to_an_existing_account_emits_only_transfer() {
        let base = funded(10 * TAO);
        let (_, _, base) = run(&base, |ctx| {
            transfer(ctx, &who(1), &who(2), TAO, Existence::KeepAlive)
        });
        let (out, events, after) = run(&base, |ctx| {
            dispatch(ctx, Origin::Signed(who(1)), transfer_call(who(2), TAO))
        });
        assert_eq!(out, Ok(()));
        assert_eq!(
            events,
            vec![RuntimeEvent::Balances(BalancesEvent::Transfer {
                from: who(1),
                to: who(2),
                amount: TAO
            })]
        );
        assert_eq!(free(&after, &who(2)).unwrap(), 2 * TAO);
    }

    #[test]
    fn balances_keep_alive_refuses_to_drop_the_sender_below_the_existential_deposit() {
        let base = funded(10_000);
        // Leaves 499 < 500.
        let (out, events, after) = run(&base, |ctx| {
            dispatch(ctx, Origin::Signed(who(1)), transfer_call(who(2), 9_501))
        });
        assert_eq!(out, Err(DispatchError::Token(TokenError::NotExpendable)));
        assert!(events.is_empty());
        assert_eq!(free(&after, &who(1)).unwrap(), 10_000);
        // Leaving exactly the existential deposit is fine.
        let (out, _, after) = run(&base, |ctx| {
            dispatch(ctx, Origin::Signed(who(1)), transfer_call(who(2), 9_500))
        });
        assert_eq!(out, Ok(()));
        assert_eq!(free(&after, &who(1)).unwrap(), 500);
    }

    #[test]
    fn balances_transfer_more_than_free_is_funds_unavailable() {
        let base = funded_among(10_000, TAO);
        let (out, _, _) = run(&base, |ctx| {
            dispatch(ctx, Origin::Signed(who(1)), transfer_call(who(2), 10_001))
        });
        assert_eq!(out, Err(DispatchError::Token(TokenError::FundsUnavailable)));
        // More than the whole issuance is an arithmetic underflow, checked first as on chain.
        let (out, _, _) = run(&base, |ctx| {
            dispatch(ctx, Origin::Signed(who(1)), transfer_call(who(2), 2 * TAO))
        });
        assert_eq!(
            out,
            Err(DispatchError::Arithmetic(ArithmeticError::Underflow))
        );
    }

    #[test]
    fn balances_receiver_below_the_existential_deposit_is_below_minimum() {
        let base = funded(10_000);
        let (out, events, after) = run(&base, |ctx| {
            dispatch(ctx, Origin::Signed(who(1)), transfer_call(who(2), 499))
        });
        assert_eq!(out, Err(DispatchError::Token(TokenError::BelowMinimum)));
        assert!(events.is_empty());
        assert_eq!(
            system::account(&after, &who(2)).unwrap(),
            AccountInfo::default()
        );
    }

    #[test]
    fn balances_only_account_ids_are_looked_up_and_root_cannot_transfer() {
        let base = funded(10_000);
        let call = BalancesCall::transfer_keep_alive {
            dest: MultiAddress::Address32([2; 32]),
            value: 1_000,
        };
        let (out, _, _) = run(&base, |ctx| dispatch(ctx, Origin::Signed(who(1)), call));
        assert_eq!(out, Err(DispatchError::CannotLookup));
        let (out, _, _) = run(&base, |ctx| {
            dispatch(ctx, Origin::Root, transfer_call(who(2), 1_000))
        });
        assert_eq!(out, Err(DispatchError::BadOrigin));
    }

    #[test]
    fn balances_transfer_to_oneself_changes_nothing() {
        let base = funded(10_000);
        let (out, events, after) = run(&base, |ctx| {
            dispatch(ctx, Origin::Signed(who(1)), transfer_call(who(1), 1_000))
        });
        assert_eq!(out, Ok(()));
        assert!(events.is_empty());
        assert_eq!(after, base);
    }

    #[test]
    fn balances_burn_and_mint_keep_issuance_in_step() {
        let base = funded(10 * TAO);
        let (out, events, after) = run(&base, |ctx| burn(ctx, &who(1), 4 * TAO));
        assert_eq!(out, Ok(()));
        assert_eq!(
            events,
            vec![RuntimeEvent::Balances(BalancesEvent::Withdraw {
                who: who(1),
                amount: 4 * TAO
            })]
        );
        assert_eq!(free(&after, &who(1)).unwrap(), 6 * TAO);
        assert_eq!(total_issuance(&after).unwrap(), 6 * TAO);

        let (out, events, after) = run(&after, |ctx| mint(ctx, &who(3), 2 * TAO));
        assert_eq!(out, Ok(()));
        assert_eq!(
            events,
            vec![
                RuntimeEvent::System(SystemEvent::NewAccount { account: who(3) }),
                RuntimeEvent::Balances(BalancesEvent::Endowed {
                    account: who(3),
                    free_balance: 2 * TAO
                }),
                RuntimeEvent::Balances(BalancesEvent::Deposit {
                    who: who(3),
                    amount: 2 * TAO
                }),
            ]
        );
        assert_eq!(total_issuance(&after).unwrap(), 8 * TAO);
    }

    #[test]
    fn balances_burn_more_than_free_is_insufficient_balance() {
        let base = funded(1_000);
        let (out, events, after) = run(&base, |ctx| burn(ctx, &who(1), 1_001));
        assert_eq!(out, Err(DispatchError::module(5, 2)));
        assert_eq!(out, Err(error(BalancesError::InsufficientBalance)));
        assert!(events.is_empty());
        assert_eq!(after, base);
    }

    #[test]
    fn balances_burn_below_the_existential_deposit_reaps_the_account_and_burns_the_dust() {
        let base = funded(1_000);
        let (out, events, after) = run(&base, |ctx| burn(ctx, &who(1), 700));
        assert_eq!(out, Ok(()));
        assert_eq!(
            events,
            vec![
                RuntimeEvent::System(SystemEvent::KilledAccount { account: who(1) }),
                RuntimeEvent::Balances(BalancesEvent::DustLost {
                    account: who(1),
                    amount: 300
                }),
                RuntimeEvent::Balances(BalancesEvent::Withdraw {
                    who: who(1),
                    amount: 700
                }),
            ]
        );
        assert_eq!(after.get(&system::account_key(&who(1))), None);
        assert_eq!(total_issuance(&after).unwrap(), 0);
    }

    #[test]
    fn balances_mint_below_the_existential_deposit_to_a_new_account_is_dropped() {
        let base = funded(1_000);
        let (out, events, after) = run(&base, |ctx| mint(ctx, &who(4), 499));
        assert_eq!(out, Ok(()));
        assert!(events.is_empty());
        assert_eq!(after, base);
    }

    #[test]
    fn balances_withdraw_keep_alive_takes_at_most_down_to_the_existential_deposit() {
        let base = funded(1_000);
        let (out, events, after) = run(&base, |ctx| withdraw_keep_alive(ctx, &who(1), 800));
        assert_eq!(out, Ok(500));
        assert_eq!(
            events,
            vec![RuntimeEvent::Balances(BalancesEvent::Withdraw {
                who: who(1),
                amount: 500
            })]
        );
        assert_eq!(free(&after, &who(1)).unwrap(), 500);
        let (out, events, _) = run(&after, |ctx| withdraw_keep_alive(ctx, &who(1), 1));
        assert_eq!(out, Ok(0));
        assert!(events.is_empty());
    }

    #[test]
    fn balances_can_pay_requires_the_payer_to_stay_alive() {
        let base = funded(1_000);
        assert!(can_pay(&base, &who(1), 500).unwrap());
        assert!(!can_pay(&base, &who(1), 501).unwrap());
        assert!(!can_pay(&base, &who(9), 1).unwrap());
        assert!(can_pay(&base, &who(9), 0).unwrap());
    }

    #[test]
    fn balances_genesis_endowment_below_the_existential_deposit_is_refused() {
        let base = MemoryState::default();
        let mut overlay = Overlay::new(&base);
        assert_eq!(
            endow_at_genesis(&mut overlay, &who(1), 499),
            Err(DispatchError::Token(TokenError::BelowMinimum))
        );
        endow_at_genesis(&mut overlay, &who(1), 500).unwrap();
        endow_at_genesis(&mut overlay, &who(1), 1).unwrap();
        let info = system::account(&overlay, &who(1)).unwrap();
        assert_eq!((info.providers, info.data.free), (1, 501));
        assert_eq!(total_issuance(&overlay).unwrap(), 501);
    }
}
