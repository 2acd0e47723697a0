//! Governance on the localnet: `Sudo.sudo` (pallet 12) and the `AdminUtils` hyperparameter
//! setters (pallet 19), with finney spec 393's origins, checks and errors.
//!
//! `Sudo.sudo(call)`: the signer must be the `Sudo.Key` account (`Sudo(RequireSudo)`
//! otherwise; root itself cannot call it: `BadOrigin`). The inner call runs as root in its own
//! storage layer, so a failing inner call leaves no trace but `Sudo.Sudid { sudo_result:
//! Err(..) }`; the `sudo` extrinsic itself succeeds either way, and pays no fee. On finney a
//! `sudo` from any other signer never gets that far: `SudoTransactionExtension` refuses it as
//! `InvalidTransaction::BadSigner` when it is validated ([`sudo_signer_allowed`] is that check).
//!
//! `AdminUtils.sudo_set_*`: each setter's origin is root only, or root or the subnet's owner
//! coldkey (`SubnetOwner`), as spec 393 has it; anyone else gets `BadOrigin`. Then, in the
//! chain's order, AdminUtils' own checks (`SubnetDoesNotExist`, the `MaxAllowedUids` bounds, the
//! `MinBurn`/`MaxBurn` bounds as `ValueNotInBounds`) and pallet_subtensor's
//! ([`set_hyperparameter`]: `ActivityCutoffTooLow`, `RevealPeriodTooSmall`/`TooLarge`), then the
//! write and pallet_subtensor's event for it (`TempoSet`, `WeightsVersionKeySet`, ...).
//!
//! Not modelled (documented simplifications): the admin freeze window before each epoch
//! (`AdminActionProhibitedDuringWeightsWindow`; as if `AdminFreezeWindow` were 0, which is how
//! subtensor's own localnet tests run) and the owner's hyperparameter rate limits
//! (`TxRateLimitExceeded` for repeated owner calls). `sudo_set_serving_rate_limit` and
//! `sudo_set_network_registration_allowed` do not check the subnet on finney; here a root call
//! on a missing subnet fails with SubtensorModule's `SubnetNotExists` instead of writing
//! storage nobody reads.

use nya_metadata::runtime::admin::{
    AdminUtilsCall, AdminUtilsError, SudoCall, SudoError, SudoEvent,
};
use nya_metadata::runtime::calls::{RuntimeCall, RuntimeEvent};
use nya_metadata::runtime::dispatch::DispatchError;
use nya_metadata::runtime::items::SUDO_KEY;
use nya_metadata::runtime::storage::DEFAULT_MAX_ALLOWED_UIDS;
use nya_metadata::runtime::types::AccountId32;

use super::subtensor::storage as st;
use super::subtensor::{HyperParam, hyperparameter_event, set_hyperparameter};
use super::system::item_prefix;
use super::{Ctx, DispatchResult, Origin};
use crate::localnet::state::{CorruptValue, Overlay, StorageRead, get_decoded};

/// Pallet index of Sudo in finney's runtime.
pub const SUDO_PALLET_INDEX: u8 = 12;
/// Pallet index of AdminUtils in finney's runtime.
pub const ADMIN_UTILS_PALLET_INDEX: u8 = 19;

/// `MinAllowedUids` of every subnet: its spec-393 default. The localnet has no setter for it
/// (`sudo_set_min_allowed_uids` is not mirrored), so it never differs from this.
pub const MIN_ALLOWED_UIDS: u16 = 64;
/// subtensor's `MinBurnUpperBound`: `MinBurn` must stay below 1 TAO.
pub const MIN_BURN_UPPER_BOUND: u64 = 1_000_000_000;
/// subtensor's `MaxBurnLowerBound`: `MaxBurn` must stay above 0.1 TAO.
pub const MAX_BURN_LOWER_BOUND: u64 = 100_000_000;

/// `Sudo(err)` as a dispatch error.
pub fn sudo_error(err: SudoError) -> DispatchError {
    DispatchError::module(SUDO_PALLET_INDEX, err as u8)
}

/// `AdminUtils(err)` as a dispatch error.
pub fn admin_error(err: AdminUtilsError) -> DispatchError {
    DispatchError::module(ADMIN_UTILS_PALLET_INDEX, err as u8)
}

/// `Sudo.Key`.
pub fn sudo_key(state: &impl StorageRead) -> Result<Option<AccountId32>, CorruptValue> {
    get_decoded(state, &item_prefix(SUDO_KEY))
}

/// Sets `Sudo.Key` (genesis).
pub fn set_sudo_key(state: &mut Overlay<'_>, key: &AccountId32) {
    state.set(item_prefix(SUDO_KEY), key);
}

/// `SubtensorModule.SubnetOwner(netuid)`: the coldkey that may call the owner setters.
pub fn subnet_owner(state: &impl StorageRead, netuid: u16) -> Result<AccountId32, CorruptValue> {
    st::SUBNET_OWNER.get(state, &netuid)
}

/// `SudoTransactionExtension`'s validity rule: a `Sudo` call is valid only from the sudo key
/// (`InvalidTransaction::BadSigner` otherwise); every other call passes.
pub fn sudo_signer_allowed(
    state: &impl StorageRead,
    signer: &AccountId32,
    call: &RuntimeCall,
) -> Result<bool, CorruptValue> {
    match call {
        RuntimeCall::Sudo(_) => Ok(sudo_key(state)?.as_ref() == Some(signer)),
        _ => Ok(true),
    }
}

/// `Sudo` calls.
pub fn dispatch_sudo(ctx: &mut Ctx<'_, '_>, origin: Origin, call: SudoCall) -> DispatchResult {
    match call {
        SudoCall::sudo { call } => {
            let who = origin.signed()?;
            if sudo_key(ctx.state)?.as_ref() != Some(&who) {
                return Err(sudo_error(SudoError::RequireSudo));
            }
            // sudo has written nothing and cannot fail from here on, so the open layer becomes
            // the inner call's own: rolled back alone if it fails, as frame's storage layer is.
            ctx.state.commit_layer();
            let events_before = ctx.events.len();
            let sudo_result = super::dispatch(ctx, Origin::Root, *call);
            if sudo_result.is_err() {
                ctx.state.rollback_layer();
                ctx.events.truncate(events_before);
            }
            ctx.deposit_event(RuntimeEvent::Sudo(SudoEvent::Sudid { sudo_result }));
            Ok(())
        }
    }
}

/// Who may call a setter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Allowed {
    /// Root only (`ensure_root`).
    Root,
    /// Root or the subnet's owner coldkey (`ensure_subnet_owner_or_root`).
    RootOrOwner,
}

fn check_origin(
    state: &impl StorageRead,
    origin: Origin,
    netuid: u16,
    allowed: Allowed,
) -> DispatchResult {
    match (origin, allowed) {
        (Origin::Root, _) => Ok(()),
        (Origin::Signed(_), Allowed::Root) => Err(DispatchError::BadOrigin),
        (Origin::Signed(who), Allowed::RootOrOwner) => {
            if subnet_owner(state, netuid)? == who {
                Ok(())
            } else {
                Err(DispatchError::BadOrigin)
            }
        }
    }
}

/// AdminUtils' `SubnetDoesNotExist` check.
fn ensure_subnet(state: &impl StorageRead, netuid: u16) -> DispatchResult {
    if st::subnet_exists(state, netuid)? {
        Ok(())
    } else {
        Err(admin_error(AdminUtilsError::SubnetDoesNotExist))
    }
}

fn ensure_admin(condition: bool, err: AdminUtilsError) -> DispatchResult {
    if condition {
        Ok(())
    } else {
        Err(admin_error(err))
    }
}

/// What one setter needs: who may call it, whether AdminUtils checks the subnet first, and the
/// hyperparameter it writes.
struct Setter {
    netuid: u16,
    allowed: Allowed,
    checks_subnet: bool,
    param: HyperParam,
}

fn setter_of(call: AdminUtilsCall) -> Setter {
    use AdminUtilsCall as A;
    use Allowed::{Root, RootOrOwner};
    use HyperParam as H;
    let (netuid, allowed, checks_subnet, param) = match call {
        A::sudo_set_serving_rate_limit {
            netuid,
            serving_rate_limit,
        } => (
            netuid,
            RootOrOwner,
            false,
            H::ServingRateLimit(serving_rate_limit),
        ),
        A::sudo_set_weights_version_key {
            netuid,
            weights_version_key,
        } => (
            netuid,
            RootOrOwner,
            true,
            H::WeightsVersionKey(weights_version_key),
        ),
        A::sudo_set_weights_set_rate_limit {
            netuid,
            weights_set_rate_limit,
        } => (
            netuid,
            Root,
            true,
            H::WeightsSetRateLimit(weights_set_rate_limit),
        ),
        A::sudo_set_immunity_period {
            netuid,
            immunity_period,
        } => (
            netuid,
            RootOrOwner,
            true,
            H::ImmunityPeriod(immunity_period),
        ),
        A::sudo_set_min_allowed_weights {
            netuid,
            min_allowed_weights,
        } => (
            netuid,
            RootOrOwner,
            true,
            H::MinAllowedWeights(min_allowed_weights),
        ),
        A::sudo_set_max_allowed_uids {
            netuid,
            max_allowed_uids,
        } => (
            netuid,
            RootOrOwner,
            true,
            H::MaxAllowedUids(max_allowed_uids),
        ),
        A::sudo_set_activity_cutoff {
            netuid,
            activity_cutoff,
        } => (
            netuid,
            RootOrOwner,
            true,
            H::ActivityCutoff(activity_cutoff),
        ),
        A::sudo_set_network_registration_allowed {
            netuid,
            registration_allowed,
        } => (
            netuid,
            Root,
            false,
            H::RegistrationAllowed(registration_allowed),
        ),
        A::sudo_set_target_registrations_per_interval {
            netuid,
            target_registrations_per_interval,
        } => (
            netuid,
            Root,
            true,
            H::TargetRegistrationsPerInterval(target_registrations_per_interval),
        ),
        A::sudo_set_min_burn { netuid, min_burn } => {
            (netuid, RootOrOwner, true, H::MinBurn(min_burn))
        }
        A::sudo_set_max_burn { netuid, max_burn } => {
            (netuid, RootOrOwner, true, H::MaxBurn(max_burn))
        }
        A::sudo_set_max_registrations_per_block {
            netuid,
            max_registrations_per_block,
        } => (
            netuid,
            Root,
            true,
            H::MaxRegistrationsPerBlock(max_registrations_per_block),
        ),
        A::sudo_set_tempo { netuid, tempo } => (netuid, Root, true, H::Tempo(tempo)),
        // Global: no subnet, root only.
        A::sudo_set_stake_threshold { min_stake } => (0, Root, false, H::StakeThreshold(min_stake)),
        A::sudo_set_commit_reveal_weights_enabled { netuid, enabled } => (
            netuid,
            RootOrOwner,
            true,
            H::CommitRevealWeightsEnabled(enabled),
        ),
        A::sudo_set_commit_reveal_weights_interval { netuid, interval } => {
            (netuid, RootOrOwner, true, H::RevealPeriodEpochs(interval))
        }
    };
    Setter {
        netuid,
        allowed,
        checks_subnet,
        param,
    }
}

/// AdminUtils' own value checks of a setter, after the subnet check.
fn check_value(state: &impl StorageRead, netuid: u16, param: &HyperParam) -> DispatchResult {
    use AdminUtilsError as E;
    match *param {
        HyperParam::MaxAllowedUids(max) => {
            ensure_admin(
                max >= MIN_ALLOWED_UIDS,
                E::MaxAllowedUidsLessThanMinAllowedUids,
            )?;
            let registered = st::SUBNETWORK_N.get(state, &netuid)?;
            ensure_admin(registered <= max, E::MaxAllowedUIdsLessThanCurrentUIds)?;
            ensure_admin(
                max <= DEFAULT_MAX_ALLOWED_UIDS,
                E::MaxAllowedUidsGreaterThanDefaultMaxAllowedUids,
            )
        }
        HyperParam::MinBurn(min) => {
            ensure_admin(min < MIN_BURN_UPPER_BOUND, E::ValueNotInBounds)?;
            ensure_admin(min < st::MAX_BURN.get(state, &netuid)?, E::ValueNotInBounds)
        }
        HyperParam::MaxBurn(max) => {
            ensure_admin(max > MAX_BURN_LOWER_BOUND, E::ValueNotInBounds)?;
            ensure_admin(max > st::MIN_BURN.get(state, &netuid)?, E::ValueNotInBounds)
        }
        _ => Ok(()),
    }
}

/// `AdminUtils` calls.
pub fn dispatch_admin_utils(
    ctx: &mut Ctx<'_, '_>,
    origin: Origin,
    call: AdminUtilsCall,
) -> DispatchResult {
    let setter = setter_of(call);
    check_origin(ctx.state, origin, setter.netuid, setter.allowed)?;
    if setter.checks_subnet {
        ensure_subnet(ctx.state, setter.netuid)?;
    }
    check_value(ctx.state, setter.netuid, &setter.param)?;
    set_hyperparameter(ctx.state, setter.netuid, setter.param)?;
    if let Some(event) = hyperparameter_event(setter.netuid, &setter.param) {
        ctx.deposit_event(RuntimeEvent::SubtensorModule(event));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use nya_metadata::runtime::calls::{
        BalancesCall, SubtensorModuleEvent, SystemCall, SystemEvent,
    };
    use nya_metadata::runtime::dispatch::Pays;
    use nya_metadata::runtime::errors::SubtensorModuleError;
    use nya_metadata::runtime::types::{EventRecord, MultiAddress, Phase};

    use super::*;
    use crate::localnet::runtime::subtensor::SubnetParams;
    use crate::localnet::runtime::{
        ApplyOutcome, SignedCall, apply_extrinsic, balances, fees, subtensor,
    };
    use crate::localnet::state::MemoryState;

    const NETUID: u16 = 1;

    fn who(n: u8) -> AccountId32 {
        AccountId32([n; 32])
    }
    fn sudo_account() -> AccountId32 {
        who(1)
    }
    fn owner() -> AccountId32 {
        who(2)
    }

    /// Sudo key 1 (funded), subnet 1 owned by coldkey 2 (funded) with hotkey 3.
    fn chain() -> MemoryState {
        let base = MemoryState::default();
        let mut overlay = Overlay::new(&base);
        set_sudo_key(&mut overlay, &sudo_account());
        balances::endow_at_genesis(&mut overlay, &sudo_account(), 1_000_000_000_000).unwrap();
        balances::endow_at_genesis(&mut overlay, &owner(), 1_000_000_000_000).unwrap();
        subtensor::create_subnet(
            &mut overlay,
            NETUID,
            &owner(),
            &who(3),
            &SubnetParams::default(),
        )
        .unwrap();
        let mut state = MemoryState::default();
        state.apply(&overlay.into_changes());
        state
    }

    fn run(
        base: &MemoryState,
        f: impl FnOnce(&mut Ctx<'_, '_>) -> DispatchResult,
    ) -> (DispatchResult, Vec<RuntimeEvent>, MemoryState) {
        let mut overlay = Overlay::new(base);
        let mut events: Vec<EventRecord<RuntimeEvent>> = Vec::new();
        let out = {
            let mut ctx = Ctx {
                state: &mut overlay,
                block: 5,
                events: &mut events,
                phase: Phase::ApplyExtrinsic(0),
            };
            f(&mut ctx)
        };
        let mut after = base.clone();
        if out.is_ok() {
            after.apply(&overlay.into_changes());
        }
        (out, events.into_iter().map(|r| r.event).collect(), after)
    }

    fn sudo(call: RuntimeCall) -> SudoCall {
        SudoCall::sudo {
            call: Box::new(call),
        }
    }

    fn set_tempo(tempo: u16) -> AdminUtilsCall {
        AdminUtilsCall::sudo_set_tempo {
            netuid: NETUID,
            tempo,
        }
    }

    fn admin(
        base: &MemoryState,
        origin: Origin,
        call: AdminUtilsCall,
    ) -> (DispatchResult, Vec<RuntimeEvent>, MemoryState) {
        run(base, |ctx| dispatch_admin_utils(ctx, origin, call))
    }

    #[test]
    fn admin_sudo_runs_the_inner_call_as_root_and_reports_it() {
        let base = chain();
        let call = sudo(RuntimeCall::AdminUtils(set_tempo(12)));
        let (out, events, after) = run(&base, |ctx| {
            dispatch_sudo(ctx, Origin::Signed(sudo_account()), call)
        });
        assert_eq!(out, Ok(()));
        assert_eq!(
            events,
            vec![
                RuntimeEvent::SubtensorModule(SubtensorModuleEvent::TempoSet(NETUID, 12)),
                RuntimeEvent::Sudo(SudoEvent::Sudid {
                    sudo_result: Ok(())
                }),
            ]
        );
        assert_eq!(subtensor::tempo(&after, NETUID).unwrap(), 12);
    }

    #[test]
    fn admin_sudo_from_anyone_else_requires_sudo() {
        let base = chain();
        let call = sudo(RuntimeCall::AdminUtils(set_tempo(12)));
        let (out, events, _) = run(&base, |ctx| {
            dispatch_sudo(ctx, Origin::Signed(owner()), call)
        });
        assert_eq!(out, Err(DispatchError::module(12, 0)));
        assert_eq!(out, Err(sudo_error(SudoError::RequireSudo)));
        assert!(events.is_empty());
        // Nested sudo: the inner sudo sees root, which is not a signed origin.
        let nested = sudo(RuntimeCall::Sudo(sudo(RuntimeCall::AdminUtils(set_tempo(
            12,
        )))));
        let (out, events, after) = run(&base, |ctx| {
            dispatch_sudo(ctx, Origin::Signed(sudo_account()), nested)
        });
        assert_eq!(out, Ok(()));
        assert_eq!(
            events,
            vec![RuntimeEvent::Sudo(SudoEvent::Sudid {
                sudo_result: Err(DispatchError::BadOrigin)
            })]
        );
        assert_eq!(subtensor::tempo(&after, NETUID).unwrap(), 360);
    }

    #[test]
    fn admin_sudo_without_a_key_requires_sudo() {
        let empty = MemoryState::default();
        let call = sudo(RuntimeCall::System(SystemCall::remark { remark: vec![] }));
        let (out, _, _) = run(&empty, |ctx| {
            dispatch_sudo(ctx, Origin::Signed(who(1)), call)
        });
        assert_eq!(out, Err(sudo_error(SudoError::RequireSudo)));
    }

    #[test]
    fn admin_sudo_rolls_back_a_failing_inner_call_but_succeeds() {
        let base = chain();
        // Root cannot transfer (BadOrigin); the inner error is reported, not returned.
        let inner = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
            dest: MultiAddress::Id(who(9)),
            value: 1_000,
        });
        let (out, events, after) = run(&base, |ctx| {
            dispatch_sudo(ctx, Origin::Signed(sudo_account()), sudo(inner))
        });
        assert_eq!(out, Ok(()));
        assert_eq!(
            events,
            vec![RuntimeEvent::Sudo(SudoEvent::Sudid {
                sudo_result: Err(DispatchError::BadOrigin)
            })]
        );
        assert_eq!(after, base);

        // An inner setter failing after a write leaves nothing behind either.
        let inner = RuntimeCall::AdminUtils(AdminUtilsCall::sudo_set_activity_cutoff {
            netuid: NETUID,
            activity_cutoff: 10,
        });
        let (out, events, after) = run(&base, |ctx| {
            dispatch_sudo(ctx, Origin::Signed(sudo_account()), sudo(inner))
        });
        assert_eq!(out, Ok(()));
        assert_eq!(
            events,
            vec![RuntimeEvent::Sudo(SudoEvent::Sudid {
                sudo_result: Err(subtensor::error(SubtensorModuleError::ActivityCutoffTooLow))
            })]
        );
        assert_eq!(after, base);
    }

    #[test]
    fn admin_sudo_through_apply_extrinsic_is_free_and_succeeds_even_if_the_inner_call_fails() {
        let base = chain();
        let call = RuntimeCall::Sudo(sudo(RuntimeCall::AdminUtils(set_tempo(7))));
        let (fee, info) = fees::fee_for(&call, 90);
        assert_eq!((fee, info.pays_fee), (0, Pays::No));
        let mut overlay = Overlay::new(&base);
        let mut events: Vec<EventRecord<RuntimeEvent>> = Vec::new();
        let xt = SignedCall {
            signer: sudo_account(),
            nonce: 0,
            tip: 0,
            call,
            encoded_len: 90,
        };
        let outcome = apply_extrinsic(&mut overlay, 5, 0, xt, &mut events).unwrap();
        assert_eq!(outcome, ApplyOutcome::Success);
        let events: Vec<_> = events.into_iter().map(|r| r.event).collect();
        assert_eq!(
            events,
            vec![
                RuntimeEvent::SubtensorModule(SubtensorModuleEvent::TempoSet(NETUID, 7)),
                RuntimeEvent::Sudo(SudoEvent::Sudid {
                    sudo_result: Ok(())
                }),
                fees::fee_paid_event(sudo_account(), 0, 0),
                RuntimeEvent::System(SystemEvent::ExtrinsicSuccess {
                    dispatch_info: info
                }),
            ]
        );
        assert_eq!(subtensor::tempo(&overlay, NETUID).unwrap(), 7);
        assert_eq!(
            balances::free(&overlay, &sudo_account()).unwrap(),
            1_000_000_000_000
        );
    }

    #[test]
    fn admin_root_only_setters_refuse_the_subnet_owner() {
        let base = chain();
        for call in [
            set_tempo(5),
            AdminUtilsCall::sudo_set_weights_set_rate_limit {
                netuid: NETUID,
                weights_set_rate_limit: 0,
            },
            AdminUtilsCall::sudo_set_network_registration_allowed {
                netuid: NETUID,
                registration_allowed: false,
            },
            AdminUtilsCall::sudo_set_target_registrations_per_interval {
                netuid: NETUID,
                target_registrations_per_interval: 3,
            },
            AdminUtilsCall::sudo_set_max_registrations_per_block {
                netuid: NETUID,
                max_registrations_per_block: 3,
            },
            AdminUtilsCall::sudo_set_stake_threshold { min_stake: 1 },
        ] {
            let (out, events, _) = admin(&base, Origin::Signed(owner()), call.clone());
            assert_eq!(out, Err(DispatchError::BadOrigin), "{call:?}");
            assert!(events.is_empty());
            let (out, _, _) = admin(&base, Origin::Root, call.clone());
            assert_eq!(out, Ok(()), "{call:?}");
        }
    }

    #[test]
    fn admin_owner_setters_accept_the_owner_and_refuse_others() {
        let base = chain();
        let call = AdminUtilsCall::sudo_set_weights_version_key {
            netuid: NETUID,
            weights_version_key: 42,
        };
        let (out, events, after) = admin(&base, Origin::Signed(owner()), call.clone());
        assert_eq!(out, Ok(()));
        assert_eq!(
            events,
            vec![RuntimeEvent::SubtensorModule(
                SubtensorModuleEvent::WeightsVersionKeySet(NETUID, 42)
            )]
        );
        assert_eq!(st::WEIGHTS_VERSION_KEY.get(&after, &NETUID).unwrap(), 42);
        // The owner's hotkey and strangers are not the owner.
        for stranger in [who(3), who(9), sudo_account()] {
            let (out, _, _) = admin(&base, Origin::Signed(stranger), call.clone());
            assert_eq!(out, Err(DispatchError::BadOrigin));
        }
        let call = AdminUtilsCall::sudo_set_commit_reveal_weights_enabled {
            netuid: NETUID,
            enabled: false,
        };
        let (out, events, after) = admin(&base, Origin::Signed(owner()), call);
        assert_eq!(out, Ok(()));
        assert_eq!(
            events,
            vec![RuntimeEvent::SubtensorModule(
                SubtensorModuleEvent::CommitRevealEnabled(NETUID, false)
            )]
        );
        assert!(
            !st::COMMIT_REVEAL_WEIGHTS_ENABLED
                .get(&after, &NETUID)
                .unwrap()
        );
    }

    #[test]
    fn admin_missing_subnet_is_admin_utils_subnet_does_not_exist() {
        let base = chain();
        let call = AdminUtilsCall::sudo_set_tempo {
            netuid: 9,
            tempo: 5,
        };
        let (out, _, _) = admin(&base, Origin::Root, call);
        assert_eq!(out, Err(DispatchError::module(19, 0)));
        assert_eq!(out, Err(admin_error(AdminUtilsError::SubnetDoesNotExist)));
        // For an owner setter the origin check comes first: nobody owns subnet 9.
        let call = AdminUtilsCall::sudo_set_immunity_period {
            netuid: 9,
            immunity_period: 5,
        };
        let (out, _, _) = admin(&base, Origin::Signed(owner()), call);
        assert_eq!(out, Err(DispatchError::BadOrigin));
    }

    #[test]
    fn admin_max_allowed_uids_bounds() {
        let base = chain();
        let set = |max_allowed_uids| AdminUtilsCall::sudo_set_max_allowed_uids {
            netuid: NETUID,
            max_allowed_uids,
        };
        let (out, _, _) = admin(&base, Origin::Root, set(63));
        assert_eq!(
            out,
            Err(admin_error(
                AdminUtilsError::MaxAllowedUidsLessThanMinAllowedUids
            ))
        );
        let (out, _, _) = admin(&base, Origin::Root, set(257));
        assert_eq!(
            out,
            Err(admin_error(
                AdminUtilsError::MaxAllowedUidsGreaterThanDefaultMaxAllowedUids
            ))
        );
        let mut crowded = base.clone();
        crowded.0.insert(
            st::SUBNETWORK_N.key(&NETUID),
            parity_scale_codec::Encode::encode(&100u16),
        );
        let (out, _, _) = admin(&crowded, Origin::Root, set(99));
        assert_eq!(
            out,
            Err(admin_error(
                AdminUtilsError::MaxAllowedUIdsLessThanCurrentUIds
            ))
        );
        let (out, events, after) = admin(&base, Origin::Signed(owner()), set(128));
        assert_eq!(out, Ok(()));
        assert_eq!(
            events,
            vec![RuntimeEvent::SubtensorModule(
                SubtensorModuleEvent::MaxAllowedUidsSet(NETUID, 128)
            )]
        );
        assert_eq!(st::MAX_ALLOWED_UIDS.get(&after, &NETUID).unwrap(), 128);
    }

    #[test]
    fn admin_burn_bounds_are_value_not_in_bounds() {
        let base = chain();
        let min = |min_burn| AdminUtilsCall::sudo_set_min_burn {
            netuid: NETUID,
            min_burn,
        };
        let max = |max_burn| AdminUtilsCall::sudo_set_max_burn {
            netuid: NETUID,
            max_burn,
        };
        let not_in_bounds = Err(admin_error(AdminUtilsError::ValueNotInBounds));
        assert_eq!(
            admin(&base, Origin::Root, min(MIN_BURN_UPPER_BOUND)).0,
            not_in_bounds
        );
        assert_eq!(
            admin(&base, Origin::Root, max(MAX_BURN_LOWER_BOUND)).0,
            not_in_bounds
        );
        // MaxBurn must stay above MinBurn (500_000 by default) and vice versa.
        let (out, _, lowered) = admin(&base, Origin::Root, max(200_000_000));
        assert_eq!(out, Ok(()));
        assert_eq!(
            admin(&lowered, Origin::Root, min(200_000_000)).0,
            not_in_bounds
        );
        let (out, events, after) = admin(&lowered, Origin::Signed(owner()), min(1_000_000));
        assert_eq!(out, Ok(()));
        assert_eq!(
            events,
            vec![RuntimeEvent::SubtensorModule(
                SubtensorModuleEvent::MinBurnSet(NETUID, 1_000_000)
            )]
        );
        assert_eq!(st::MIN_BURN.get(&after, &NETUID).unwrap(), 1_000_000);
    }

    #[test]
    fn admin_subtensor_checks_surface_with_subtensor_errors() {
        let base = chain();
        let call = AdminUtilsCall::sudo_set_commit_reveal_weights_interval {
            netuid: NETUID,
            interval: 0,
        };
        let (out, _, _) = admin(&base, Origin::Signed(owner()), call);
        assert_eq!(
            out,
            Err(subtensor::error(SubtensorModuleError::RevealPeriodTooSmall))
        );
        let call = AdminUtilsCall::sudo_set_commit_reveal_weights_interval {
            netuid: NETUID,
            interval: 3,
        };
        let (out, _, after) = admin(&base, Origin::Signed(owner()), call);
        assert_eq!(out, Ok(()));
        assert_eq!(st::REVEAL_PERIOD_EPOCHS.get(&after, &NETUID).unwrap(), 3);
    }

    #[test]
    fn admin_every_setter_writes_its_hyperparameter() {
        let base = chain();
        let n = NETUID;
        let calls = [
            AdminUtilsCall::sudo_set_serving_rate_limit {
                netuid: n,
                serving_rate_limit: 7,
            },
            AdminUtilsCall::sudo_set_weights_set_rate_limit {
                netuid: n,
                weights_set_rate_limit: 0,
            },
            AdminUtilsCall::sudo_set_immunity_period {
                netuid: n,
                immunity_period: 11,
            },
            AdminUtilsCall::sudo_set_min_allowed_weights {
                netuid: n,
                min_allowed_weights: 2,
            },
            AdminUtilsCall::sudo_set_activity_cutoff {
                netuid: n,
                activity_cutoff: 400,
            },
            AdminUtilsCall::sudo_set_network_registration_allowed {
                netuid: n,
                registration_allowed: false,
            },
            AdminUtilsCall::sudo_set_target_registrations_per_interval {
                netuid: n,
                target_registrations_per_interval: 4,
            },
            AdminUtilsCall::sudo_set_max_registrations_per_block {
                netuid: n,
                max_registrations_per_block: 5,
            },
            AdminUtilsCall::sudo_set_stake_threshold { min_stake: 1_000 },
        ];
        let mut state = base;
        for call in calls {
            let (out, events, after) = admin(&state, Origin::Root, call.clone());
            assert_eq!(out, Ok(()), "{call:?}");
            assert_eq!(events.len(), 1, "{call:?}: one subtensor event");
            state = after;
        }
        assert_eq!(st::SERVING_RATE_LIMIT.get(&state, &n).unwrap(), 7);
        assert_eq!(st::WEIGHTS_SET_RATE_LIMIT.get(&state, &n).unwrap(), 0);
        assert_eq!(st::IMMUNITY_PERIOD.get(&state, &n).unwrap(), 11);
        assert_eq!(st::MIN_ALLOWED_WEIGHTS.get(&state, &n).unwrap(), 2);
        assert_eq!(st::ACTIVITY_CUTOFF.get(&state, &n).unwrap(), 400);
        assert!(!st::NETWORK_REGISTRATION_ALLOWED.get(&state, &n).unwrap());
        assert_eq!(
            st::TARGET_REGISTRATIONS_PER_INTERVAL
                .get(&state, &n)
                .unwrap(),
            4
        );
        assert_eq!(st::MAX_REGISTRATIONS_PER_BLOCK.get(&state, &n).unwrap(), 5);
        assert_eq!(st::STAKE_THRESHOLD.get(&state).unwrap(), 1_000);
    }

    #[test]
    fn admin_sudo_signer_rule_is_the_extension_check() {
        let base = chain();
        let call = RuntimeCall::Sudo(sudo(RuntimeCall::AdminUtils(set_tempo(5))));
        assert!(sudo_signer_allowed(&base, &sudo_account(), &call).unwrap());
        assert!(!sudo_signer_allowed(&base, &owner(), &call).unwrap());
        let transfer = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
            dest: MultiAddress::Id(who(9)),
            value: 1,
        });
        assert!(sudo_signer_allowed(&base, &owner(), &transfer).unwrap());
    }
}
