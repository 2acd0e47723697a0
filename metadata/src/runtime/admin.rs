//! The governance pallets of finney spec 393 that a dev chain needs: `Sudo` (pallet index 12)
//! and `AdminUtils` (pallet index 19), restricted to the calls nya's localnet tests use (each at
//! its spec-393 call index with the chain's argument names and types), with Sudo's event and
//! the complete error enums of both pallets.
//!
//! Spec 393 has no `sudo_set_max_weight_limit` (call index 12 was removed) and no
//! `sudo_set_burn`; `MaxWeightsLimit` and `Burn` change only through genesis or the chain's own
//! burn adjustment there.
#![allow(non_camel_case_types)]

use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

use super::calls::RuntimeCall;
use super::dispatch::DispatchError;

/// `pallet_sudo::pallet::Call` (pallet index 12).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum SudoCall {
    /// Dispatch `call` as root; only the `Sudo.Key` account may.
    #[codec(index = 0)]
    sudo {
        /// The call to run as root.
        call: Box<RuntimeCall>,
    },
}

/// `pallet_admin_utils::pallet::Call` (pallet index 19): the hyperparameter setters.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum AdminUtilsCall {
    /// `ServingRateLimit` of a subnet (root or subnet owner).
    #[codec(index = 3)]
    sudo_set_serving_rate_limit {
        /// Subnet.
        netuid: u16,
        /// Blocks between two `serve_axon` of one hotkey.
        serving_rate_limit: u64,
    },
    /// `WeightsVersionKey` of a subnet (root or subnet owner).
    #[codec(index = 6)]
    sudo_set_weights_version_key {
        /// Subnet.
        netuid: u16,
        /// The version key `set_weights` must carry.
        weights_version_key: u64,
    },
    /// `WeightsSetRateLimit` of a subnet (root).
    #[codec(index = 7)]
    sudo_set_weights_set_rate_limit {
        /// Subnet.
        netuid: u16,
        /// Blocks between two weight settings of one neuron.
        weights_set_rate_limit: u64,
    },
    /// `ImmunityPeriod` of a subnet (root or subnet owner).
    #[codec(index = 13)]
    sudo_set_immunity_period {
        /// Subnet.
        netuid: u16,
        /// Blocks.
        immunity_period: u16,
    },
    /// `MinAllowedWeights` of a subnet (root or subnet owner).
    #[codec(index = 14)]
    sudo_set_min_allowed_weights {
        /// Subnet.
        netuid: u16,
        /// Fewest weights a `set_weights` may carry.
        min_allowed_weights: u16,
    },
    /// `MaxAllowedUids` of a subnet (root or subnet owner).
    #[codec(index = 15)]
    sudo_set_max_allowed_uids {
        /// Subnet.
        netuid: u16,
        /// Uid slots.
        max_allowed_uids: u16,
    },
    /// `ActivityCutoff` of a subnet (root or subnet owner).
    #[codec(index = 18)]
    sudo_set_activity_cutoff {
        /// Subnet.
        netuid: u16,
        /// Blocks.
        activity_cutoff: u16,
    },
    /// `NetworkRegistrationAllowed` of a subnet (root).
    #[codec(index = 19)]
    sudo_set_network_registration_allowed {
        /// Subnet.
        netuid: u16,
        /// Whether `burned_register` is open.
        registration_allowed: bool,
    },
    /// `TargetRegistrationsPerInterval` of a subnet (root).
    #[codec(index = 21)]
    sudo_set_target_registrations_per_interval {
        /// Subnet.
        netuid: u16,
        /// Registrations per adjustment interval.
        target_registrations_per_interval: u16,
    },
    /// `MinBurn` of a subnet (root or subnet owner).
    #[codec(index = 22)]
    sudo_set_min_burn {
        /// Subnet.
        netuid: u16,
        /// Rao.
        min_burn: u64,
    },
    /// `MaxBurn` of a subnet (root or subnet owner).
    #[codec(index = 23)]
    sudo_set_max_burn {
        /// Subnet.
        netuid: u16,
        /// Rao.
        max_burn: u64,
    },
    /// `MaxRegistrationsPerBlock` of a subnet (root).
    #[codec(index = 27)]
    sudo_set_max_registrations_per_block {
        /// Subnet.
        netuid: u16,
        /// Registrations per block.
        max_registrations_per_block: u16,
    },
    /// `Tempo` of a subnet (root).
    #[codec(index = 30)]
    sudo_set_tempo {
        /// Subnet.
        netuid: u16,
        /// Blocks per epoch.
        tempo: u16,
    },
    /// The global `StakeThreshold` a validator needs to set weights (root).
    #[codec(index = 42)]
    sudo_set_stake_threshold {
        /// Rao.
        min_stake: u64,
    },
    /// `CommitRevealWeightsEnabled` of a subnet (root or subnet owner).
    #[codec(index = 49)]
    sudo_set_commit_reveal_weights_enabled {
        /// Subnet.
        netuid: u16,
        /// Whether weights must go through commit-reveal.
        enabled: bool,
    },
    /// `RevealPeriodEpochs` of a subnet (root or subnet owner).
    #[codec(index = 57)]
    sudo_set_commit_reveal_weights_interval {
        /// Subnet.
        netuid: u16,
        /// Epochs between a commit and its reveal.
        interval: u64,
    },
}

/// `pallet_sudo::pallet::Event`, the variant a `sudo` call emits.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum SudoEvent {
    /// The root call ran; its outcome (the `sudo` extrinsic itself succeeds either way).
    #[codec(index = 0)]
    Sudid {
        /// The inner call's result.
        sudo_result: Result<(), DispatchError>,
    },
}

/// `pallet_sudo::pallet::Error` (all variants).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Encode, Decode, TypeInfo)]
#[scale_info(capture_docs = "always")]
pub enum SudoError {
    /// The sender is not the sudo key.
    #[codec(index = 0)]
    RequireSudo,
}

/// `pallet_admin_utils::pallet::Error` (all variants).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Encode, Decode, TypeInfo)]
#[scale_info(capture_docs = "always")]
#[allow(missing_docs)] // Names are the chain's; see the pallet for meanings.
pub enum AdminUtilsError {
    #[codec(index = 0)]
    SubnetDoesNotExist,
    #[codec(index = 1)]
    MaxValidatorsLargerThanMaxUIds,
    #[codec(index = 2)]
    MaxAllowedUIdsLessThanCurrentUIds,
    #[codec(index = 3)]
    BondsMovingAverageMaxReached,
    #[codec(index = 4)]
    NegativeSigmoidSteepness,
    #[codec(index = 5)]
    ValueNotInBounds,
    #[codec(index = 6)]
    MinAllowedUidsGreaterThanCurrentUids,
    #[codec(index = 7)]
    MinAllowedUidsGreaterThanMaxAllowedUids,
    #[codec(index = 8)]
    MaxAllowedUidsLessThanMinAllowedUids,
    #[codec(index = 9)]
    MaxAllowedUidsGreaterThanDefaultMaxAllowedUids,
    #[codec(index = 10)]
    InvalidValue,
}
