//! Hyperparameter setters, what `AdminUtils`' `sudo_set_*` calls end in
//! ([`set_hyperparameter`]), and the event pallet_subtensor's setter deposits for each
//! ([`hyperparameter_event`]).
//!
//! Only the checks pallet_subtensor itself makes live here: the subnet exists
//! (`SubnetNotExists`; `StakeThreshold` is global and takes no subnet), `ActivityCutoff` at
//! least `MinActivityCutoff` (`ActivityCutoffTooLow`), `RevealPeriodEpochs` within 1..=100
//! (`RevealPeriodTooSmall` / `RevealPeriodTooLarge`). The checks that raise `AdminUtils` errors
//! (its own subnet-existence error, `MaxAllowedUids` not below the neuron count, validators not
//! above uids, owner origins and rate limits) belong to the caller, `runtime::admin`, and must
//! run before this.

use nya_metadata::runtime::calls::SubtensorModuleEvent;
use nya_metadata::runtime::errors::SubtensorModuleError as E;

use super::ensure;
use super::params::{MAX_REVEAL_PERIOD, MIN_REVEAL_PERIOD};
use super::storage as st;
use crate::localnet::runtime::DispatchResult;
use crate::localnet::state::Overlay;

/// A hyperparameter and its new value (storage entry in brackets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HyperParam {
    /// `Tempo`.
    Tempo(u16),
    /// `MaxAllowedUids`.
    MaxAllowedUids(u16),
    /// `ImmunityPeriod`.
    ImmunityPeriod(u16),
    /// `MinAllowedWeights`.
    MinAllowedWeights(u16),
    /// `MaxWeightsLimit`.
    MaxWeightsLimit(u16),
    /// `WeightsVersionKey`.
    WeightsVersionKey(u64),
    /// `WeightsSetRateLimit`.
    WeightsSetRateLimit(u64),
    /// `CommitRevealWeightsEnabled`.
    CommitRevealWeightsEnabled(bool),
    /// `RevealPeriodEpochs` (AdminUtils' `sudo_set_commit_reveal_weights_interval`).
    RevealPeriodEpochs(u64),
    /// `Burn`.
    Burn(u64),
    /// `MinBurn`.
    MinBurn(u64),
    /// `MaxBurn`.
    MaxBurn(u64),
    /// `Difficulty`.
    Difficulty(u64),
    /// `ServingRateLimit`.
    ServingRateLimit(u64),
    /// `ActivityCutoff`.
    ActivityCutoff(u16),
    /// `MaxAllowedValidators`.
    MaxAllowedValidators(u16),
    /// `NetworkRegistrationAllowed`.
    RegistrationAllowed(bool),
    /// `NetworkPowRegistrationAllowed`.
    PowRegistrationAllowed(bool),
    /// `MaxRegistrationsPerBlock`.
    MaxRegistrationsPerBlock(u16),
    /// `TargetRegistrationsPerInterval`.
    TargetRegistrationsPerInterval(u16),
    /// `AdjustmentInterval`.
    AdjustmentInterval(u16),
    /// `AdjustmentAlpha`.
    AdjustmentAlpha(u64),
    /// `Kappa`.
    Kappa(u16),
    /// `Rho`.
    Rho(u16),
    /// `BondsMovingAverage`.
    BondsMovingAverage(u64),
    /// `ImmuneOwnerUidsLimit`.
    ImmuneOwnerUidsLimit(u16),
    /// `StakeThreshold` (global: the netuid is ignored).
    StakeThreshold(u64),
}

/// Writes `param` for `netuid` after pallet_subtensor's own checks (see the module doc).
pub fn set_hyperparameter(
    state: &mut Overlay<'_>,
    netuid: u16,
    param: HyperParam,
) -> DispatchResult {
    use HyperParam as H;
    if let H::StakeThreshold(value) = param {
        st::STAKE_THRESHOLD.set(state, &value);
        return Ok(());
    }
    ensure(st::subnet_exists(state, netuid)?, E::SubnetNotExists)?;
    let n = &netuid;
    match param {
        H::Tempo(v) => st::TEMPO.set(state, n, &v),
        H::MaxAllowedUids(v) => st::MAX_ALLOWED_UIDS.set(state, n, &v),
        H::ImmunityPeriod(v) => st::IMMUNITY_PERIOD.set(state, n, &v),
        H::MinAllowedWeights(v) => st::MIN_ALLOWED_WEIGHTS.set(state, n, &v),
        H::MaxWeightsLimit(v) => st::MAX_WEIGHTS_LIMIT.set(state, n, &v),
        H::WeightsVersionKey(v) => st::WEIGHTS_VERSION_KEY.set(state, n, &v),
        H::WeightsSetRateLimit(v) => st::WEIGHTS_SET_RATE_LIMIT.set(state, n, &v),
        H::CommitRevealWeightsEnabled(v) => st::COMMIT_REVEAL_WEIGHTS_ENABLED.set(state, n, &v),
        H::RevealPeriodEpochs(v) => {
            ensure(v <= MAX_REVEAL_PERIOD, E::RevealPeriodTooLarge)?;
            ensure(v >= MIN_REVEAL_PERIOD, E::RevealPeriodTooSmall)?;
            st::REVEAL_PERIOD_EPOCHS.set(state, n, &v);
        }
        H::Burn(v) => st::BURN.set(state, n, &v),
        H::MinBurn(v) => st::MIN_BURN.set(state, n, &v),
        H::MaxBurn(v) => st::MAX_BURN.set(state, n, &v),
        H::Difficulty(v) => st::DIFFICULTY.set(state, n, &v),
        H::ServingRateLimit(v) => st::SERVING_RATE_LIMIT.set(state, n, &v),
        H::ActivityCutoff(v) => {
            ensure(
                v >= st::MIN_ACTIVITY_CUTOFF.get(state)?,
                E::ActivityCutoffTooLow,
            )?;
            st::ACTIVITY_CUTOFF.set(state, n, &v);
        }
        H::MaxAllowedValidators(v) => st::MAX_ALLOWED_VALIDATORS.set(state, n, &v),
        H::RegistrationAllowed(v) => st::NETWORK_REGISTRATION_ALLOWED.set(state, n, &v),
        H::PowRegistrationAllowed(v) => st::NETWORK_POW_REGISTRATION_ALLOWED.set(state, n, &v),
        H::MaxRegistrationsPerBlock(v) => st::MAX_REGISTRATIONS_PER_BLOCK.set(state, n, &v),
        H::TargetRegistrationsPerInterval(v) => {
            st::TARGET_REGISTRATIONS_PER_INTERVAL.set(state, n, &v)
        }
        H::AdjustmentInterval(v) => st::ADJUSTMENT_INTERVAL.set(state, n, &v),
        H::AdjustmentAlpha(v) => st::ADJUSTMENT_ALPHA.set(state, n, &v),
        H::Kappa(v) => st::KAPPA.set(state, n, &v),
        H::Rho(v) => st::RHO.set(state, n, &v),
        H::BondsMovingAverage(v) => st::BONDS_MOVING_AVERAGE.set(state, n, &v),
        H::ImmuneOwnerUidsLimit(v) => st::IMMUNE_OWNER_UIDS_LIMIT.set(state, n, &v),
        H::StakeThreshold(_) => {}
    }
    Ok(())
}

/// The event pallet_subtensor deposits when `param` is set on `netuid`, if it deposits one.
pub fn hyperparameter_event(netuid: u16, param: &HyperParam) -> Option<SubtensorModuleEvent> {
    use HyperParam as H;
    use SubtensorModuleEvent as Ev;
    Some(match *param {
        H::Tempo(v) => Ev::TempoSet(netuid, v),
        H::MaxAllowedUids(v) => Ev::MaxAllowedUidsSet(netuid, v),
        H::ImmunityPeriod(v) => Ev::ImmunityPeriodSet(netuid, v),
        H::MinAllowedWeights(v) => Ev::MinAllowedWeightSet(netuid, v),
        H::MaxWeightsLimit(v) => Ev::MaxWeightLimitSet(netuid, v),
        H::WeightsVersionKey(v) => Ev::WeightsVersionKeySet(netuid, v),
        H::WeightsSetRateLimit(v) => Ev::WeightsSetRateLimitSet(netuid, v),
        H::CommitRevealWeightsEnabled(v) => Ev::CommitRevealEnabled(netuid, v),
        H::RevealPeriodEpochs(v) => Ev::CommitRevealPeriodsSet(netuid, v),
        H::Burn(v) => Ev::BurnSet(netuid, v),
        H::MinBurn(v) => Ev::MinBurnSet(netuid, v),
        H::MaxBurn(v) => Ev::MaxBurnSet(netuid, v),
        H::Difficulty(v) => Ev::DifficultySet(netuid, v),
        H::ServingRateLimit(v) => Ev::ServingRateLimitSet(netuid, v),
        H::ActivityCutoff(v) => Ev::ActivityCutoffSet(netuid, v),
        H::MaxAllowedValidators(v) => Ev::MaxAllowedValidatorsSet(netuid, v),
        H::RegistrationAllowed(v) => Ev::RegistrationAllowed(netuid, v),
        H::PowRegistrationAllowed(v) => Ev::PowRegistrationAllowed(netuid, v),
        H::MaxRegistrationsPerBlock(v) => Ev::MaxRegistrationsPerBlockSet(netuid, v),
        H::TargetRegistrationsPerInterval(v) => Ev::RegistrationPerIntervalSet(netuid, v),
        H::AdjustmentInterval(v) => Ev::AdjustmentIntervalSet(netuid, v),
        H::AdjustmentAlpha(v) => Ev::AdjustmentAlphaSet(netuid, v),
        H::Kappa(v) => Ev::KappaSet(netuid, v),
        H::Rho(v) => Ev::RhoSet(netuid, v),
        H::BondsMovingAverage(v) => Ev::BondsMovingAverageSet(netuid, v),
        H::StakeThreshold(v) => Ev::StakeThresholdSet(v),
        H::ImmuneOwnerUidsLimit(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::error;
    use super::super::testing::World;
    use super::*;

    #[test]
    fn setters_write_the_entries_and_name_their_events() {
        let mut w = World::new();
        w.set(|s| {
            assert_eq!(set_hyperparameter(s, 1, HyperParam::Tempo(12)), Ok(()));
            assert_eq!(set_hyperparameter(s, 1, HyperParam::Burn(7)), Ok(()));
            assert_eq!(
                set_hyperparameter(s, 9, HyperParam::StakeThreshold(5)),
                Ok(())
            );
            assert_eq!(
                set_hyperparameter(s, 1, HyperParam::CommitRevealWeightsEnabled(false)),
                Ok(())
            );
        });
        w.read(|s| {
            assert_eq!(st::tempo(s, 1).unwrap(), 12);
            assert_eq!(st::BURN.get(s, &1).unwrap(), 7);
            assert_eq!(st::STAKE_THRESHOLD.get(s).unwrap(), 5);
            assert!(!st::COMMIT_REVEAL_WEIGHTS_ENABLED.get(s, &1).unwrap());
        });
        assert_eq!(
            hyperparameter_event(1, &HyperParam::Tempo(12)),
            Some(SubtensorModuleEvent::TempoSet(1, 12))
        );
        assert_eq!(
            hyperparameter_event(3, &HyperParam::StakeThreshold(5)),
            Some(SubtensorModuleEvent::StakeThresholdSet(5))
        );
        assert_eq!(
            hyperparameter_event(1, &HyperParam::ImmuneOwnerUidsLimit(2)),
            None
        );
    }

    #[test]
    fn the_pallets_own_checks_reject_with_its_errors() {
        let mut w = World::new();
        w.set(|s| {
            assert_eq!(
                set_hyperparameter(s, 4, HyperParam::Tempo(1)),
                Err(error(E::SubnetNotExists))
            );
            assert_eq!(
                set_hyperparameter(s, 1, HyperParam::ActivityCutoff(359)),
                Err(error(E::ActivityCutoffTooLow))
            );
            assert_eq!(
                set_hyperparameter(s, 1, HyperParam::ActivityCutoff(360)),
                Ok(())
            );
            assert_eq!(
                set_hyperparameter(s, 1, HyperParam::RevealPeriodEpochs(101)),
                Err(error(E::RevealPeriodTooLarge))
            );
            assert_eq!(
                set_hyperparameter(s, 1, HyperParam::RevealPeriodEpochs(0)),
                Err(error(E::RevealPeriodTooSmall))
            );
            assert_eq!(
                set_hyperparameter(s, 1, HyperParam::RevealPeriodEpochs(3)),
                Ok(())
            );
        });
        w.read(|s| {
            assert_eq!(st::ACTIVITY_CUTOFF.get(s, &1).unwrap(), 360);
            assert_eq!(st::REVEAL_PERIOD_EPOCHS.get(s, &1).unwrap(), 3);
        });
    }
}
