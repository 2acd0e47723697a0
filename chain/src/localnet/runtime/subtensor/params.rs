//! Subnet hyperparameters as the genesis TOML's `[[subnet]]` tables give them
//! ([`SubnetParams`]), and [`create_subnet`], which writes a subnet into the genesis state.
//!
//! Defaults are what a subnet created with `register_network` on finney spec 393 has: the
//! storage defaults, overridden by the values `init_new_network` writes explicitly
//! (`MaxAllowedValidators` 64, `MinAllowedWeights` 1, `AdjustmentInterval` 360,
//! `TargetRegistrationsPerInterval` 1, `AdjustmentAlpha` 0.97, `ImmunityPeriod` 5000,
//! `Min/MaxDifficulty` `u64::MAX`, commit-reveal on). `StakeThreshold` is global, not per
//! subnet: it is set through [`super::HyperParam::StakeThreshold`].

use nya_metadata::runtime::types::AccountId32;
use serde::Deserialize;

use super::registration::{append_neuron, create_account_if_non_existent};
use super::storage::{self as st};
use crate::localnet::state::{CorruptValue, Overlay};

/// The highest `RevealPeriodEpochs` the chain accepts.
pub const MAX_REVEAL_PERIOD: u64 = 100;
/// The lowest `RevealPeriodEpochs` the chain accepts.
pub const MIN_REVEAL_PERIOD: u64 = 1;

/// One subnet's hyperparameters (field names are the chain's hyperparameter names).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SubnetParams {
    /// Blocks between epochs, less one.
    pub tempo: u16,
    /// Neuron slots.
    pub max_allowed_uids: u16,
    /// Blocks after registration during which a neuron is not pruned.
    pub immunity_period: u16,
    /// Fewest weights a validator must set (capped by the neuron count).
    pub min_allowed_weights: u16,
    /// Largest normalised weight, as a fraction of `u16::MAX`.
    pub max_weights_limit: u16,
    /// Lowest version key `set_weights` accepts (0 accepts all).
    pub weights_version_key: u64,
    /// Blocks between two weight settings of one uid.
    pub weights_set_rate_limit: u64,
    /// Weights go through commit-reveal (and `set_weights` is refused).
    pub commit_reveal_weights_enabled: bool,
    /// Epochs between a commit and its reveal.
    pub reveal_period_epochs: u64,
    /// Registration cost in rao.
    pub burn: u64,
    /// Lowest registration cost the adjustment reaches.
    pub min_burn: u64,
    /// Highest registration cost the adjustment reaches.
    pub max_burn: u64,
    /// Proof-of-work difficulty (stored for clients; registration always burns).
    pub difficulty: u64,
    /// Blocks between two `serve_axon` of one hotkey.
    pub serving_rate_limit: u64,
    /// Blocks without weights before a neuron counts as inactive.
    pub activity_cutoff: u16,
    /// Validator permits.
    pub max_allowed_validators: u16,
    /// Registration is open.
    pub registration_allowed: bool,
    /// Registrations allowed in one block.
    pub max_registrations_per_block: u16,
    /// Registrations per adjustment interval the burn adjustment aims for.
    pub target_registrations_per_interval: u16,
    /// Blocks between registration-cost adjustments.
    pub adjustment_interval: u16,
    /// Smoothing of the burn adjustment, as a fraction of `u64::MAX`.
    pub adjustment_alpha: u64,
    /// Consensus majority, as a fraction of `u16::MAX`.
    pub kappa: u16,
    /// Sigmoid steepness (stored for clients).
    pub rho: u16,
    /// Bonds moving average (stored for clients; this epoch keeps no bonds).
    pub bonds_moving_avg: u64,
    /// How many of the owner's hotkeys are never pruned.
    pub immune_owner_uids_limit: u16,
}

impl Default for SubnetParams {
    fn default() -> Self {
        SubnetParams {
            tempo: st::TEMPO.default,
            max_allowed_uids: 256,
            immunity_period: 5000,
            min_allowed_weights: 1,
            max_weights_limit: u16::MAX,
            weights_version_key: st::WEIGHTS_VERSION_KEY.default,
            weights_set_rate_limit: st::WEIGHTS_SET_RATE_LIMIT.default,
            commit_reveal_weights_enabled: true,
            reveal_period_epochs: st::REVEAL_PERIOD_EPOCHS.default,
            burn: st::BURN.default,
            min_burn: st::MIN_BURN.default,
            max_burn: st::MAX_BURN.default,
            difficulty: st::DIFFICULTY.default,
            serving_rate_limit: st::SERVING_RATE_LIMIT.default,
            activity_cutoff: st::ACTIVITY_CUTOFF.default,
            max_allowed_validators: 64,
            registration_allowed: true,
            max_registrations_per_block: st::MAX_REGISTRATIONS_PER_BLOCK.default,
            target_registrations_per_interval: 1,
            adjustment_interval: 360,
            // u64::MAX * 0.97, as `init_new_network` writes it.
            adjustment_alpha: 17_893_341_751_498_265_066,
            kappa: st::KAPPA.default,
            rho: st::RHO.default,
            bonds_moving_avg: st::BONDS_MOVING_AVERAGE.default,
            immune_owner_uids_limit: st::IMMUNE_OWNER_UIDS_LIMIT.default,
        }
    }
}

/// A `[[subnet]]` table that the chain could not hold.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SubnetParamsError {
    /// `max_allowed_uids` is zero.
    #[error("max_allowed_uids must be at least 1 (a subnet needs a slot for its owner)")]
    NoUids,
    /// `min_burn` above `max_burn`.
    #[error("min_burn {min} is above max_burn {max}")]
    BurnBounds {
        /// min_burn.
        min: u64,
        /// max_burn.
        max: u64,
    },
    /// `burn` outside `min_burn..=max_burn`.
    #[error("burn {burn} is outside min_burn..=max_burn ({min}..={max})")]
    BurnOutOfBounds {
        /// burn.
        burn: u64,
        /// min_burn.
        min: u64,
        /// max_burn.
        max: u64,
    },
    /// `reveal_period_epochs` outside what the chain accepts.
    #[error("reveal_period_epochs {0} is outside {MIN_REVEAL_PERIOD}..={MAX_REVEAL_PERIOD}")]
    RevealPeriod(u64),
    /// `max_registrations_per_block` is zero: nobody could register.
    #[error("max_registrations_per_block must be at least 1")]
    NoRegistrationsPerBlock,
}

impl SubnetParams {
    /// Checks the values the chain itself would refuse or could not work with.
    pub fn validate(&self) -> Result<(), SubnetParamsError> {
        if self.max_allowed_uids == 0 {
            return Err(SubnetParamsError::NoUids);
        }
        if self.min_burn > self.max_burn {
            return Err(SubnetParamsError::BurnBounds {
                min: self.min_burn,
                max: self.max_burn,
            });
        }
        if !(self.min_burn..=self.max_burn).contains(&self.burn) {
            return Err(SubnetParamsError::BurnOutOfBounds {
                burn: self.burn,
                min: self.min_burn,
                max: self.max_burn,
            });
        }
        if !(MIN_REVEAL_PERIOD..=MAX_REVEAL_PERIOD).contains(&self.reveal_period_epochs) {
            return Err(SubnetParamsError::RevealPeriod(self.reveal_period_epochs));
        }
        if self.max_registrations_per_block == 0 {
            return Err(SubnetParamsError::NoRegistrationsPerBlock);
        }
        Ok(())
    }
}

/// Writes subnet `netuid` into the genesis state: every hyperparameter explicitly (as
/// `init_new_network` does), the owner keys, staking open (`SubtokenEnabled`, as after
/// `start_call`), emission from block 1, and the owner hotkey registered as uid 0 at block 0
/// (as `register_network` does). Call [`SubnetParams::validate`] first.
pub fn create_subnet(
    state: &mut Overlay<'_>,
    netuid: u16,
    owner_coldkey: &AccountId32,
    owner_hotkey: &AccountId32,
    params: &SubnetParams,
) -> Result<(), CorruptValue> {
    let p = params;
    st::NETWORKS_ADDED.set(state, &netuid, &true);
    let total = st::TOTAL_NETWORKS.get(state)?;
    st::TOTAL_NETWORKS.set(state, &total.saturating_add(1));
    st::SUBNETWORK_N.set(state, &netuid, &0);
    st::NETWORK_REGISTERED_AT.set(state, &netuid, &0);
    st::SUBNET_OWNER.set(state, &netuid, owner_coldkey);
    st::SUBNET_OWNER_HOTKEY.set(state, &netuid, owner_hotkey);
    st::SUBTOKEN_ENABLED.set(state, &netuid, &true);
    st::FIRST_EMISSION_BLOCK_NUMBER.set(state, &netuid, &1);

    st::TEMPO.set(state, &netuid, &p.tempo);
    st::MAX_ALLOWED_UIDS.set(state, &netuid, &p.max_allowed_uids);
    st::IMMUNITY_PERIOD.set(state, &netuid, &p.immunity_period);
    st::MIN_ALLOWED_WEIGHTS.set(state, &netuid, &p.min_allowed_weights);
    st::MAX_WEIGHTS_LIMIT.set(state, &netuid, &p.max_weights_limit);
    st::WEIGHTS_VERSION_KEY.set(state, &netuid, &p.weights_version_key);
    st::WEIGHTS_SET_RATE_LIMIT.set(state, &netuid, &p.weights_set_rate_limit);
    st::COMMIT_REVEAL_WEIGHTS_ENABLED.set(state, &netuid, &p.commit_reveal_weights_enabled);
    st::REVEAL_PERIOD_EPOCHS.set(state, &netuid, &p.reveal_period_epochs);
    st::BURN.set(state, &netuid, &p.burn);
    st::MIN_BURN.set(state, &netuid, &p.min_burn);
    st::MAX_BURN.set(state, &netuid, &p.max_burn);
    st::DIFFICULTY.set(state, &netuid, &p.difficulty);
    st::MIN_DIFFICULTY.set(state, &netuid, &u64::MAX);
    st::MAX_DIFFICULTY.set(state, &netuid, &u64::MAX);
    st::SERVING_RATE_LIMIT.set(state, &netuid, &p.serving_rate_limit);
    st::ACTIVITY_CUTOFF.set(state, &netuid, &p.activity_cutoff);
    st::MAX_ALLOWED_VALIDATORS.set(state, &netuid, &p.max_allowed_validators);
    st::NETWORK_REGISTRATION_ALLOWED.set(state, &netuid, &p.registration_allowed);
    st::MAX_REGISTRATIONS_PER_BLOCK.set(state, &netuid, &p.max_registrations_per_block);
    st::TARGET_REGISTRATIONS_PER_INTERVAL.set(state, &netuid, &p.target_registrations_per_interval);
    st::ADJUSTMENT_INTERVAL.set(state, &netuid, &p.adjustment_interval);
    st::ADJUSTMENT_ALPHA.set(state, &netuid, &p.adjustment_alpha);
    st::KAPPA.set(state, &netuid, &p.kappa);
    st::RHO.set(state, &netuid, &p.rho);
    st::BONDS_MOVING_AVERAGE.set(state, &netuid, &p.bonds_moving_avg);
    st::IMMUNE_OWNER_UIDS_LIMIT.set(state, &netuid, &p.immune_owner_uids_limit);

    create_account_if_non_existent(state, owner_coldkey, owner_hotkey)?;
    append_neuron(state, netuid, owner_hotkey, 0)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::localnet::state::MemoryState;

    #[test]
    fn toml_tables_fill_in_defaults_and_refuse_unknown_fields() {
        let params: SubnetParams = toml::from_str("tempo = 10\nburn = 1000000\n").unwrap();
        assert_eq!(params.tempo, 10);
        assert_eq!(params.burn, 1_000_000);
        assert_eq!(params.max_allowed_validators, 64);
        assert!(params.commit_reveal_weights_enabled);
        let err = toml::from_str::<SubnetParams>("tempo = 10\ntempoo = 3\n").unwrap_err();
        assert!(err.to_string().contains("tempoo"), "{err}");
        assert_eq!(params.validate(), Ok(()));
    }

    #[test]
    fn validation_names_the_bad_value() {
        let bad = SubnetParams {
            burn: 1,
            ..SubnetParams::default()
        };
        assert_eq!(
            bad.validate(),
            Err(SubnetParamsError::BurnOutOfBounds {
                burn: 1,
                min: 500_000,
                max: 100_000_000_000
            })
        );
        let bad = SubnetParams {
            reveal_period_epochs: 0,
            ..SubnetParams::default()
        };
        assert_eq!(bad.validate(), Err(SubnetParamsError::RevealPeriod(0)));
        let bad = SubnetParams {
            max_allowed_uids: 0,
            ..SubnetParams::default()
        };
        assert_eq!(bad.validate(), Err(SubnetParamsError::NoUids));
    }

    #[test]
    fn create_subnet_writes_the_params_and_registers_the_owner() {
        let base = MemoryState::default();
        let mut state = Overlay::new(&base);
        let (cold, hot) = (AccountId32([1; 32]), AccountId32([2; 32]));
        let params = SubnetParams {
            tempo: 7,
            kappa: 100,
            ..SubnetParams::default()
        };
        create_subnet(&mut state, 1, &cold, &hot, &params).unwrap();
        assert!(st::subnet_exists(&state, 1).unwrap());
        assert_eq!(st::TOTAL_NETWORKS.get(&state).unwrap(), 1);
        assert_eq!(st::tempo(&state, 1).unwrap(), 7);
        assert_eq!(st::KAPPA.get(&state, &1).unwrap(), 100);
        assert_eq!(st::SUBNETWORK_N.get(&state, &1).unwrap(), 1);
        assert_eq!(st::uid_of(&state, 1, &hot).unwrap(), Some(0));
        assert_eq!(st::OWNER.get(&state, &hot).unwrap(), cold);
        assert_eq!(st::OWNED_HOTKEYS.get(&state, &cold).unwrap(), vec![hot]);
        assert_eq!(st::SUBNET_OWNER_HOTKEY.get(&state, &1).unwrap(), hot);
        assert!(st::SUBTOKEN_ENABLED.get(&state, &1).unwrap());
        let neurons = st::neurons(&state, 1).unwrap();
        assert_eq!(neurons.len(), 1);
        assert_eq!(neurons[0].hotkey, hot);
        assert_eq!(neurons[0].coldkey, cold);
        assert!(neurons[0].active);
    }
}
