//! The localnet's fee rule: finney spec 393's formula with a fixed weight table.
//!
//! ```text
//! fee = round(BASE_WEIGHT / 2000) + encoded_len + round(call_weight / 2000)   (Pays::Yes)
//! fee = 0                                                                      (Pays::No)
//! ```
//!
//! - Weight to fee: subtensor's `LinearWeightToFee` in this era, `Perbill::from_parts(500_000)`
//!   of the weight's `ref_time` (0.0005 rao per picosecond, rounded to nearest, ties down), fee
//!   multiplier 1 (`ConstFeeMultiplier`). Length to fee: `IdentityFee`, 1 rao per byte.
//! - `BASE_WEIGHT` is frame's `ExtrinsicBaseWeight` (125 µs); call weights are the spec-393
//!   declared weights of each call (`Weight::from_parts(..)` plus `RocksDbWeight` reads at 25 µs
//!   and writes at 100 µs), fixed rather than benchmarked on this machine, and not refunded
//!   after dispatch (finney's post-dispatch refunds are rare for these calls).
//! - `Pays::No` where finney declares it: `set_weights`, `set_mechanism_weights`,
//!   `commit_weights`, `reveal_weights`, `serve_axon`, `set_commitment`; and `Sudo.sudo`, which
//!   finney refunds after dispatch (`Pays::No` in its post-dispatch info; only the sudo key gets
//!   that far, `SudoTransactionExtension` refuses other signers as `BadSigner`). Charging
//!   nothing up front, the localnet leaves out finney's withdraw-then-refund pair of
//!   `Balances.Withdraw`/`Deposit` events for it.
//! - The tip is charged on top, whatever `Pays` says. Fees and tips are burnt (subtensor's fee
//!   handler takes them out of the total issuance); `Balances.Withdraw` records the withdrawal
//!   and `TransactionPayment.TransactionFeePaid { actual_fee: fee + tip, tip }` the payment.

use nya_metadata::runtime::admin::{AdminUtilsCall, SudoCall};
use nya_metadata::runtime::calls::{
    BalancesCall, CommitmentsCall, RuntimeCall, RuntimeEvent, SubtensorModuleCall, SystemCall,
    TransactionPaymentEvent,
};
use nya_metadata::runtime::dispatch::{DispatchClass, DispatchEventInfo, Pays, Weight};
use nya_metadata::runtime::types::AccountId32;

use super::{Ctx, balances};
use crate::localnet::state::{CorruptValue, StorageRead};

/// frame's `ExtrinsicBaseWeight` (ref_time, picoseconds): the cost of any extrinsic.
pub const BASE_WEIGHT: u64 = 125_000_000;
/// `RocksDbWeight` read (ref_time).
const DB_READ: u64 = 25_000_000;
/// `RocksDbWeight` write (ref_time).
const DB_WRITE: u64 = 100_000_000;
/// Rao per byte of the encoded extrinsic.
const FEE_PER_BYTE: u64 = 1;
/// Denominator of the weight fee: 500_000 parts per billion = 1 / 2000.
const REF_TIME_PER_RAO: u64 = 2_000;

/// A declared call weight: execution time plus database reads and writes.
const fn declared(ref_time: u64, reads: u64, writes: u64) -> u64 {
    ref_time + reads * DB_READ + writes * DB_WRITE
}

/// Weight, class and `Pays` of a call, as spec 393 declares it (see the module docs).
pub fn call_info(call: &RuntimeCall) -> (u64, DispatchClass, Pays) {
    use DispatchClass::Normal;
    match call {
        RuntimeCall::System(SystemCall::remark { remark }) => {
            // frame_system's remark weight grows with the remark's length.
            let len = u64::try_from(remark.len()).unwrap_or(u64::MAX);
            (
                2_000_000u64.saturating_add(len.saturating_mul(400)),
                Normal,
                Pays::Yes,
            )
        }
        RuntimeCall::Balances(BalancesCall::transfer_keep_alive { .. }) => {
            (declared(35_000_000, 1, 1), Normal, Pays::Yes)
        }
        RuntimeCall::SubtensorModule(call) => subtensor_info(call),
        RuntimeCall::Commitments(CommitmentsCall::set_commitment { .. }) => {
            (declared(40_000_000, 5, 4), Normal, Pays::No)
        }
        RuntimeCall::Sudo(SudoCall::sudo { call }) => {
            let (inner, class, _) = call_info(call);
            (
                inner.saturating_add(declared(10_000_000, 1, 0)),
                class,
                Pays::No,
            )
        }
        RuntimeCall::AdminUtils(call) => (admin_utils_weight(call), Normal, Pays::Yes),
    }
}

fn subtensor_info(call: &SubtensorModuleCall) -> (u64, DispatchClass, Pays) {
    use DispatchClass::Normal;
    use SubtensorModuleCall as C;
    match call {
        C::set_weights { .. } | C::set_mechanism_weights { .. } => {
            (declared(15_540_000_000, 4111, 2), Normal, Pays::No)
        }
        C::add_stake { .. } => (declared(340_800_000, 25, 16), Normal, Pays::Yes),
        C::remove_stake { .. } => (declared(196_800_000, 19, 10), Normal, Pays::Yes),
        C::serve_axon { .. } => (declared(33_010_000, 4, 1), Normal, Pays::No),
        C::register { .. } => (declared(197_900_000, 24, 20), Normal, Pays::Yes),
        C::burned_register { .. } => (declared(354_200_000, 47, 40), Normal, Pays::Yes),
        C::commit_weights { .. } => (declared(67_770_000, 10, 2), Normal, Pays::No),
        C::reveal_weights { .. } => (declared(122_000_000, 17, 2), Normal, Pays::No),
    }
}

fn admin_utils_weight(call: &AdminUtilsCall) -> u64 {
    use AdminUtilsCall as A;
    match call {
        A::sudo_set_stake_threshold { .. } => declared(5_000_000, 0, 1),
        A::sudo_set_network_registration_allowed { .. } => declared(7_343_000, 0, 1),
        A::sudo_set_weights_set_rate_limit { .. } => declared(15_060_000, 1, 1),
        A::sudo_set_max_allowed_uids { .. } => declared(32_140_000, 5, 1),
        A::sudo_set_activity_cutoff { .. } => declared(28_720_000, 4, 1),
        A::sudo_set_min_burn { .. } | A::sudo_set_max_burn { .. } => declared(30_000_000, 4, 1),
        A::sudo_set_serving_rate_limit { .. }
        | A::sudo_set_weights_version_key { .. }
        | A::sudo_set_immunity_period { .. }
        | A::sudo_set_min_allowed_weights { .. }
        | A::sudo_set_target_registrations_per_interval { .. }
        | A::sudo_set_max_registrations_per_block { .. }
        | A::sudo_set_tempo { .. }
        | A::sudo_set_commit_reveal_weights_enabled { .. }
        | A::sudo_set_commit_reveal_weights_interval { .. } => declared(26_500_000, 3, 1),
    }
}

/// `Perbill::from_parts(500_000) * ref_time`: rounded to the nearest rao, ties down.
fn weight_fee(ref_time: u64) -> u64 {
    let half_down = REF_TIME_PER_RAO / 2 - 1;
    ref_time.saturating_add(half_down) / REF_TIME_PER_RAO
}

/// The fee (without tip) of `call` in an extrinsic of `encoded_len` bytes, and the dispatch
/// info its `ExtrinsicSuccess`/`ExtrinsicFailed` event carries (weight includes the base).
pub fn fee_for(call: &RuntimeCall, encoded_len: u32) -> (u64, DispatchEventInfo) {
    let (call_weight, class, pays_fee) = call_info(call);
    let info = DispatchEventInfo {
        weight: Weight {
            ref_time: call_weight.saturating_add(BASE_WEIGHT),
            proof_size: 0,
        },
        class,
        pays_fee,
    };
    let fee = match pays_fee {
        Pays::No => 0,
        Pays::Yes => weight_fee(BASE_WEIGHT)
            .saturating_add(u64::from(encoded_len).saturating_mul(FEE_PER_BYTE))
            .saturating_add(weight_fee(call_weight)),
    };
    (fee, info)
}

/// Whether `who` can pay `fee + tip` and stay alive: the transaction-validity payment check
/// (`InvalidTransaction::Payment` when false).
pub fn can_pay(
    state: &impl StorageRead,
    who: &AccountId32,
    fee: u64,
    tip: u64,
) -> Result<bool, CorruptValue> {
    balances::can_pay(state, who, fee.saturating_add(tip))
}

/// Withdraws `fee + tip` from `who` (`Balances.Withdraw`; nothing when both are zero).
pub fn charge(
    ctx: &mut Ctx<'_, '_>,
    who: &AccountId32,
    fee: u64,
    tip: u64,
) -> Result<(), CorruptValue> {
    balances::withdraw_fee(ctx, who, fee.saturating_add(tip))?;
    Ok(())
}

/// `TransactionPayment.TransactionFeePaid`: `actual_fee` includes the tip, as on chain.
pub fn fee_paid_event(who: AccountId32, fee: u64, tip: u64) -> RuntimeEvent {
    RuntimeEvent::TransactionPayment(TransactionPaymentEvent::TransactionFeePaid {
        who,
        actual_fee: fee.saturating_add(tip),
        tip,
    })
}

#[cfg(test)]
mod tests {
    use nya_metadata::runtime::calls::{BalancesEvent, SystemEvent};
    use nya_metadata::runtime::dispatch::{DispatchError, TokenError};
    use nya_metadata::runtime::types::{EventRecord, MultiAddress};

    use super::*;
    use crate::localnet::runtime::{ApplyOutcome, SignedCall, apply_extrinsic, system};
    use crate::localnet::state::{MemoryState, Overlay};

    fn who(n: u8) -> AccountId32 {
        AccountId32([n; 32])
    }

    fn transfer(to: AccountId32, value: u64) -> RuntimeCall {
        RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
            dest: MultiAddress::Id(to),
            value,
        })
    }

    /// Account 1 holds `balance`; account 100 holds 1 TAO (so the issuance exceeds it).
    fn funded(balance: u64) -> MemoryState {
        let base = MemoryState::default();
        let mut overlay = Overlay::new(&base);
        balances::endow_at_genesis(&mut overlay, &who(1), balance).unwrap();
        balances::endow_at_genesis(&mut overlay, &who(100), 1_000_000_000).unwrap();
        let mut state = MemoryState::default();
        state.apply(&overlay.into_changes());
        state
    }

    #[test]
    fn fees_follow_the_documented_formula() {
        let (fee, info) = fee_for(&transfer(who(2), 1), 100);
        let call_weight = 35_000_000 + 25_000_000 + 100_000_000;
        assert_eq!(fee, 62_500 + 100 + 80_000);
        assert_eq!(
            info,
            DispatchEventInfo {
                weight: Weight {
                    ref_time: call_weight + BASE_WEIGHT,
                    proof_size: 0
                },
                class: DispatchClass::Normal,
                pays_fee: Pays::Yes,
            }
        );
        // Longer extrinsics cost one rao more per byte.
        assert_eq!(fee_for(&transfer(who(2), 1), 101).0, fee + 1);
    }

    #[test]
    fn fees_weight_fee_rounds_to_nearest_with_ties_down() {
        assert_eq!(weight_fee(999), 0);
        assert_eq!(weight_fee(1_000), 0);
        assert_eq!(weight_fee(1_001), 1);
        assert_eq!(weight_fee(4_000), 2);
    }

    #[test]
    fn fees_pays_no_calls_are_free() {
        let calls = [
            RuntimeCall::SubtensorModule(SubtensorModuleCall::set_weights {
                netuid: 1,
                dests: vec![0],
                weights: vec![1],
                version_key: 0,
            }),
            RuntimeCall::SubtensorModule(SubtensorModuleCall::serve_axon {
                netuid: 1,
                version: 1,
                ip: 1,
                port: 1,
                ip_type: 4,
                protocol: 0,
                placeholder1: 0,
                placeholder2: 0,
            }),
            RuntimeCall::Commitments(CommitmentsCall::set_commitment {
                netuid: 1,
                info: Default::default(),
            }),
            RuntimeCall::Sudo(SudoCall::sudo {
                call: Box::new(transfer(who(2), 1)),
            }),
        ];
        for call in calls {
            let (fee, info) = fee_for(&call, 200);
            assert_eq!((fee, info.pays_fee), (0, Pays::No), "{call:?}");
        }
        let (fee, info) = fee_for(
            &RuntimeCall::SubtensorModule(SubtensorModuleCall::burned_register {
                netuid: 1,
                hotkey: who(3),
            }),
            120,
        );
        assert_eq!(info.pays_fee, Pays::Yes);
        assert_eq!(fee, 62_500 + 120 + 5_529_200_000 / 2_000);
    }

    #[test]
    fn fees_sudo_weight_wraps_the_inner_call() {
        let inner = transfer(who(2), 1);
        let (_, inner_info) = fee_for(&inner, 0);
        let (_, info) = fee_for(
            &RuntimeCall::Sudo(SudoCall::sudo {
                call: Box::new(inner),
            }),
            0,
        );
        assert_eq!(
            info.weight.ref_time,
            inner_info.weight.ref_time + 10_000_000 + 25_000_000
        );
    }

    #[test]
    fn fees_fee_paid_event_counts_the_tip_in_the_actual_fee() {
        assert_eq!(
            fee_paid_event(who(1), 100, 7),
            RuntimeEvent::TransactionPayment(TransactionPaymentEvent::TransactionFeePaid {
                who: who(1),
                actual_fee: 107,
                tip: 7,
            })
        );
    }

    fn apply(base: &MemoryState, xt: SignedCall) -> (ApplyOutcome, Vec<RuntimeEvent>, MemoryState) {
        let mut overlay = Overlay::new(base);
        let mut events: Vec<EventRecord<RuntimeEvent>> = Vec::new();
        let outcome = apply_extrinsic(&mut overlay, 1, 0, xt, &mut events).unwrap();
        let mut after = base.clone();
        after.apply(&overlay.into_changes());
        (
            outcome,
            events.into_iter().map(|r| r.event).collect(),
            after,
        )
    }

    #[test]
    fn fees_charged_on_success_with_events_in_chain_order() {
        let tao = 1_000_000_000;
        let base = funded(10 * tao);
        let call = transfer(who(2), tao);
        let (fee, info) = fee_for(&call, 140);
        let xt = SignedCall {
            signer: who(1),
            nonce: 0,
            tip: 5,
            call,
            encoded_len: 140,
        };
        let (outcome, events, after) = apply(&base, xt);
        assert_eq!(outcome, ApplyOutcome::Success);
        assert_eq!(
            events,
            vec![
                RuntimeEvent::Balances(BalancesEvent::Withdraw {
                    who: who(1),
                    amount: fee + 5
                }),
                RuntimeEvent::System(SystemEvent::NewAccount { account: who(2) }),
                RuntimeEvent::Balances(BalancesEvent::Endowed {
                    account: who(2),
                    free_balance: tao
                }),
                RuntimeEvent::Balances(BalancesEvent::Transfer {
                    from: who(1),
                    to: who(2),
                    amount: tao
                }),
                fee_paid_event(who(1), fee, 5),
                RuntimeEvent::System(SystemEvent::ExtrinsicSuccess {
                    dispatch_info: info
                }),
            ]
        );
        let sender = system::account(&after, &who(1)).unwrap();
        assert_eq!(sender.nonce, 1);
        assert_eq!(sender.data.free, 9 * tao - fee - 5);
        assert_eq!(
            balances::total_issuance(&after).unwrap(),
            11 * tao - fee - 5,
            "fees are burnt"
        );
    }

    #[test]
    fn fees_kept_and_call_rolled_back_when_the_call_fails() {
        let base = funded(10_000_000);
        let call = transfer(who(2), 10_000_000);
        let (fee, info) = fee_for(&call, 140);
        let xt = SignedCall {
            signer: who(1),
            nonce: 0,
            tip: 0,
            call,
            encoded_len: 140,
        };
        let (outcome, events, after) = apply(&base, xt);
        let error = DispatchError::Token(TokenError::FundsUnavailable);
        assert_eq!(outcome, ApplyOutcome::Failed(error));
        assert_eq!(
            events,
            vec![
                RuntimeEvent::Balances(BalancesEvent::Withdraw {
                    who: who(1),
                    amount: fee
                }),
                fee_paid_event(who(1), fee, 0),
                RuntimeEvent::System(SystemEvent::ExtrinsicFailed {
                    dispatch_error: error,
                    dispatch_info: info
                }),
            ]
        );
        let sender = system::account(&after, &who(1)).unwrap();
        assert_eq!((sender.nonce, sender.data.free), (1, 10_000_000 - fee));
        assert_eq!(
            system::account(&after, &who(2)).unwrap(),
            Default::default()
        );
    }

    #[test]
    fn fees_free_call_from_an_empty_account_bumps_its_nonce_without_withdrawing() {
        let base = MemoryState::default();
        let xt = SignedCall {
            signer: who(7),
            nonce: 0,
            tip: 0,
            call: RuntimeCall::Commitments(CommitmentsCall::set_commitment {
                netuid: 1,
                info: Default::default(),
            }),
            encoded_len: 60,
        };
        let (_, events, after) = apply(&base, xt);
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, RuntimeEvent::Balances(BalancesEvent::Withdraw { .. }))),
            "{events:?}"
        );
        assert_eq!(events.first(), Some(&fee_paid_event(who(7), 0, 0)));
        assert_eq!(system::account(&after, &who(7)).unwrap().nonce, 1);
    }

    #[test]
    fn fees_can_pay_includes_the_tip_and_the_existential_deposit() {
        let base = funded(10_000);
        assert!(can_pay(&base, &who(1), 9_000, 500).unwrap());
        assert!(!can_pay(&base, &who(1), 9_000, 501).unwrap());
    }
}
