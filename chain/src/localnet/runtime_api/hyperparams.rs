//! `SubnetInfoRuntimeApi.get_subnet_hyperparams` and `get_subnet_hyperparams_v2`: a subnet's
//! hyperparameters from storage (entry defaults where unset), `None` for a missing subnet.

use nya_metadata::runtime::apis::{I32F32, SubnetHyperparams, SubnetHyperparamsV2};

use super::neurons::Subnet;
use super::storage as extra;
use crate::localnet::runtime::subtensor::storage as st;
use crate::localnet::state::{CorruptValue, StorageRead};

/// Version 1 of a subnet's hyperparameters.
pub fn v1<S: StorageRead + ?Sized>(
    state: &S,
    netuid: u16,
) -> Result<Option<SubnetHyperparams>, CorruptValue> {
    let subnet = Subnet::new(state, netuid);
    if !subnet.exists()? {
        return Ok(None);
    }
    let (alpha_low, alpha_high) = subnet.read_extra(&extra::ALPHA_VALUES)?;
    Ok(Some(SubnetHyperparams {
        rho: subnet.read(&st::RHO)?,
        kappa: subnet.read(&st::KAPPA)?,
        immunity_period: subnet.read(&st::IMMUNITY_PERIOD)?,
        min_allowed_weights: subnet.read(&st::MIN_ALLOWED_WEIGHTS)?,
        max_weights_limit: subnet.read(&st::MAX_WEIGHTS_LIMIT)?,
        tempo: subnet.read(&st::TEMPO)?,
        min_difficulty: subnet.read(&st::MIN_DIFFICULTY)?,
        max_difficulty: subnet.read(&st::MAX_DIFFICULTY)?,
        weights_version: subnet.read(&st::WEIGHTS_VERSION_KEY)?,
        weights_rate_limit: subnet.read(&st::WEIGHTS_SET_RATE_LIMIT)?,
        adjustment_interval: subnet.read(&st::ADJUSTMENT_INTERVAL)?,
        activity_cutoff: subnet.read(&st::ACTIVITY_CUTOFF)?,
        registration_allowed: subnet.read(&st::NETWORK_REGISTRATION_ALLOWED)?,
        target_regs_per_interval: subnet.read(&st::TARGET_REGISTRATIONS_PER_INTERVAL)?,
        min_burn: subnet.read(&st::MIN_BURN)?,
        max_burn: subnet.read(&st::MAX_BURN)?,
        bonds_moving_avg: subnet.read(&st::BONDS_MOVING_AVERAGE)?,
        max_regs_per_block: subnet.read(&st::MAX_REGISTRATIONS_PER_BLOCK)?,
        serving_rate_limit: subnet.read(&st::SERVING_RATE_LIMIT)?,
        max_validators: subnet.read(&st::MAX_ALLOWED_VALIDATORS)?,
        adjustment_alpha: subnet.read(&st::ADJUSTMENT_ALPHA)?,
        difficulty: subnet.read(&st::DIFFICULTY)?,
        commit_reveal_period: subnet.read(&st::REVEAL_PERIOD_EPOCHS)?,
        commit_reveal_weights_enabled: subnet.read(&st::COMMIT_REVEAL_WEIGHTS_ENABLED)?,
        alpha_high,
        alpha_low,
        liquid_alpha_enabled: subnet.read_extra(&extra::LIQUID_ALPHA_ON)?,
    }))
}

/// Version 2: version 1 plus steepness, Yuma version and four switches.
pub fn v2<S: StorageRead + ?Sized>(
    state: &S,
    netuid: u16,
) -> Result<Option<SubnetHyperparamsV2>, CorruptValue> {
    let Some(v1) = v1(state, netuid)? else {
        return Ok(None);
    };
    let subnet = Subnet::new(state, netuid);
    Ok(Some(SubnetHyperparamsV2 {
        alpha_sigmoid_steepness: I32F32::from_i16(
            subnet.read_extra(&extra::ALPHA_SIGMOID_STEEPNESS)?,
        ),
        yuma_version: if subnet.read_extra(&extra::YUMA3_ON)? {
            3
        } else {
            2
        },
        subnet_is_active: subnet.read(&st::SUBTOKEN_ENABLED)?,
        transfers_enabled: subnet.read_extra(&extra::TRANSFER_TOGGLE)?,
        bonds_reset_enabled: subnet.read_extra(&extra::BONDS_RESET_ON)?,
        user_liquidity_enabled: subnet.read_extra(&extra::ENABLED_USER_LIQUIDITY)?,
        ..SubnetHyperparamsV2::from(v1)
    }))
}
