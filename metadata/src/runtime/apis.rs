//! Runtime API types of finney spec 393, shaped exactly as the chain's metadata describes the
//! inputs and outputs of the runtime API methods nya's local chain serves (field names, order,
//! `Compact` wrappers, `Option`s), plus the methods' metadata for the V15/V16 `apis` section.
//!
//! Clients decode `state_call` results through these types (the Python SDK builds its decoder
//! from the served metadata), so the SCALE layout is the contract: every struct derives its codec
//! and its `TypeInfo` from the same field list, and the mirror test compares each method's subxt
//! validation hash and structure with the spec-393 blob.
//!
//! Subtensor's `NetUid`, `TaoBalance` and `AlphaBalance` are a plain `u16` and `u64` in the
//! metadata; `I96F32`/`I32F32` are `substrate_fixed` numbers, a composite with one `bits` field.

use std::borrow::Cow;

use frame_metadata::v15::{
    RuntimeApiMetadata, RuntimeApiMethodMetadata, RuntimeApiMethodParamMetadata,
};
use parity_scale_codec::{Compact, Decode, Encode};
use scale_info::build::Fields;
use scale_info::{Path, Type, TypeInfo, meta_type};
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use super::build::UncheckedExtrinsic;
use super::dispatch::{DispatchClass, Weight};
use super::types::{AccountId32, AxonInfo};

/// `pallet_subtensor::PrometheusInfo`, the value of `SubtensorModule.Prometheus`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct PrometheusInfo {
    /// Block the endpoint was served at.
    pub block: u64,
    /// Software version.
    pub version: u32,
    /// IPv4 or IPv6 address as an integer.
    pub ip: u128,
    /// TCP port.
    pub port: u16,
    /// 4 or 6.
    pub ip_type: u8,
}

/// `pallet_subtensor::SubnetIdentityV3`, the value of `SubtensorModule.SubnetIdentitiesV3`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SubnetIdentityV3 {
    /// Display name (UTF-8).
    pub subnet_name: Vec<u8>,
    /// Source repository URL.
    pub github_repo: Vec<u8>,
    /// Contact address.
    pub subnet_contact: Vec<u8>,
    /// Web site.
    pub subnet_url: Vec<u8>,
    /// Discord handle.
    pub discord: Vec<u8>,
    /// Free text.
    pub description: Vec<u8>,
    /// Logo URL.
    pub logo_url: Vec<u8>,
    /// Anything else.
    pub additional: Vec<u8>,
}

/// `pallet_subtensor::ChainIdentityV2`, the value of `SubtensorModule.IdentitiesV2` (per coldkey).
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ChainIdentityV2 {
    /// Display name.
    pub name: Vec<u8>,
    /// Web site.
    pub url: Vec<u8>,
    /// Source repository URL.
    pub github_repo: Vec<u8>,
    /// Image URL.
    pub image: Vec<u8>,
    /// Discord handle.
    pub discord: Vec<u8>,
    /// Free text.
    pub description: Vec<u8>,
    /// Anything else.
    pub additional: Vec<u8>,
}

/// `substrate_fixed::FixedI128<U32>` (`I96F32`): a signed number with 32 fraction bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct I96F32 {
    /// The raw two's-complement bits (value × 2³²).
    pub bits: i128,
}

impl I96F32 {
    /// The exact fixed-point value of an integer.
    pub fn from_int(value: i64) -> I96F32 {
        I96F32 {
            bits: i128::from(value) << 32,
        }
    }
}

/// `substrate_fixed::FixedI64<U32>` (`I32F32`): a signed number with 32 fraction bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct I32F32 {
    /// The raw two's-complement bits (value × 2³²).
    pub bits: i64,
}

impl I32F32 {
    /// The exact fixed-point value of an `i16` (what `AlphaSigmoidSteepness` holds).
    pub fn from_i16(value: i16) -> I32F32 {
        I32F32 {
            bits: i64::from(value) << 32,
        }
    }
}

/// `pallet_subtensor::rpc_info::neuron_info::NeuronInfoLite<AccountId32>`: one neuron without
/// its weights and bonds (`NeuronInfoRuntimeApi.get_neurons_lite` / `get_neuron_lite`).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct NeuronInfoLite {
    /// The neuron's hotkey.
    pub hotkey: AccountId32,
    /// The coldkey owning the hotkey.
    pub coldkey: AccountId32,
    /// Position in the subnet.
    #[codec(compact)]
    pub uid: u16,
    /// The subnet.
    #[codec(compact)]
    pub netuid: u16,
    /// Set weights within the activity cutoff.
    pub active: bool,
    /// Served axon (all zero when none).
    pub axon_info: AxonInfo,
    /// Served Prometheus endpoint (all zero when none).
    pub prometheus_info: PrometheusInfo,
    /// (coldkey, alpha stake on this hotkey in this subnet).
    pub stake: Vec<(AccountId32, Compact<u64>)>,
    /// Rank, u16-normalised.
    #[codec(compact)]
    pub rank: u16,
    /// Emission of the last epoch, in alpha rao.
    #[codec(compact)]
    pub emission: u64,
    /// Incentive, u16-normalised.
    #[codec(compact)]
    pub incentive: u16,
    /// Consensus, u16-normalised.
    #[codec(compact)]
    pub consensus: u16,
    /// Trust, u16-normalised.
    #[codec(compact)]
    pub trust: u16,
    /// Validator trust, u16-normalised.
    #[codec(compact)]
    pub validator_trust: u16,
    /// Dividends, u16-normalised.
    #[codec(compact)]
    pub dividends: u16,
    /// Block of the last weights update.
    #[codec(compact)]
    pub last_update: u64,
    /// Whether the neuron may set weights.
    pub validator_permit: bool,
    /// Pruning score, u16-normalised.
    #[codec(compact)]
    pub pruning_score: u16,
}

/// `pallet_subtensor::rpc_info::neuron_info::NeuronInfo<AccountId32>`: one neuron with its
/// weights and bonds (`NeuronInfoRuntimeApi.get_neuron`); [`NeuronInfoLite`]'s fields with
/// `weights` and `bonds` between `validator_permit` and `pruning_score`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct NeuronInfo {
    /// The neuron's hotkey.
    pub hotkey: AccountId32,
    /// The coldkey owning the hotkey.
    pub coldkey: AccountId32,
    /// Position in the subnet.
    #[codec(compact)]
    pub uid: u16,
    /// The subnet.
    #[codec(compact)]
    pub netuid: u16,
    /// Set weights within the activity cutoff.
    pub active: bool,
    /// Served axon (all zero when none).
    pub axon_info: AxonInfo,
    /// Served Prometheus endpoint (all zero when none).
    pub prometheus_info: PrometheusInfo,
    /// (coldkey, alpha stake on this hotkey in this subnet).
    pub stake: Vec<(AccountId32, Compact<u64>)>,
    /// Rank, u16-normalised.
    #[codec(compact)]
    pub rank: u16,
    /// Emission of the last epoch, in alpha rao.
    #[codec(compact)]
    pub emission: u64,
    /// Incentive, u16-normalised.
    #[codec(compact)]
    pub incentive: u16,
    /// Consensus, u16-normalised.
    #[codec(compact)]
    pub consensus: u16,
    /// Trust, u16-normalised.
    #[codec(compact)]
    pub trust: u16,
    /// Validator trust, u16-normalised.
    #[codec(compact)]
    pub validator_trust: u16,
    /// Dividends, u16-normalised.
    #[codec(compact)]
    pub dividends: u16,
    /// Block of the last weights update.
    #[codec(compact)]
    pub last_update: u64,
    /// Whether the neuron may set weights.
    pub validator_permit: bool,
    /// (target uid, weight) of the neuron's non-zero weights.
    pub weights: Vec<(Compact<u16>, Compact<u16>)>,
    /// (target uid, bond) of the neuron's non-zero bonds.
    pub bonds: Vec<(Compact<u16>, Compact<u16>)>,
    /// Pruning score, u16-normalised.
    #[codec(compact)]
    pub pruning_score: u16,
}

impl NeuronInfo {
    /// The full record of a neuron: its lite record plus weights and bonds.
    pub fn from_lite(
        lite: NeuronInfoLite,
        weights: Vec<(Compact<u16>, Compact<u16>)>,
        bonds: Vec<(Compact<u16>, Compact<u16>)>,
    ) -> NeuronInfo {
        NeuronInfo {
            hotkey: lite.hotkey,
            coldkey: lite.coldkey,
            uid: lite.uid,
            netuid: lite.netuid,
            active: lite.active,
            axon_info: lite.axon_info,
            prometheus_info: lite.prometheus_info,
            stake: lite.stake,
            rank: lite.rank,
            emission: lite.emission,
            incentive: lite.incentive,
            consensus: lite.consensus,
            trust: lite.trust,
            validator_trust: lite.validator_trust,
            dividends: lite.dividends,
            last_update: lite.last_update,
            validator_permit: lite.validator_permit,
            weights,
            bonds,
            pruning_score: lite.pruning_score,
        }
    }
}

/// `pallet_subtensor::rpc_info::show_subnet::SubnetState<AccountId32>`
/// (`SubnetInfoRuntimeApi.get_subnet_state`): per-uid columns of one subnet.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SubnetState {
    /// The subnet.
    #[codec(compact)]
    pub netuid: u16,
    /// Hotkey per uid.
    pub hotkeys: Vec<AccountId32>,
    /// Coldkey per uid.
    pub coldkeys: Vec<AccountId32>,
    /// `SubtensorModule.Active`.
    pub active: Vec<bool>,
    /// `SubtensorModule.ValidatorPermit`.
    pub validator_permit: Vec<bool>,
    /// `SubtensorModule.PruningScores`.
    pub pruning_score: Vec<Compact<u16>>,
    /// `SubtensorModule.LastUpdate`.
    pub last_update: Vec<Compact<u64>>,
    /// `SubtensorModule.Emission`.
    pub emission: Vec<Compact<u64>>,
    /// `SubtensorModule.Dividends`.
    pub dividends: Vec<Compact<u16>>,
    /// `SubtensorModule.Incentive`.
    pub incentives: Vec<Compact<u16>>,
    /// `SubtensorModule.Consensus`.
    pub consensus: Vec<Compact<u16>>,
    /// `SubtensorModule.Trust`.
    pub trust: Vec<Compact<u16>>,
    /// `SubtensorModule.Rank`.
    pub rank: Vec<Compact<u16>>,
    /// `SubtensorModule.BlockAtRegistration` per uid.
    pub block_at_registration: Vec<Compact<u64>>,
    /// Alpha stake per uid.
    pub alpha_stake: Vec<Compact<u64>>,
    /// Root (TAO) stake per uid.
    pub tao_stake: Vec<Compact<u64>>,
    /// Stake weight per uid (alpha + TAO × `TaoWeight`).
    pub total_stake: Vec<Compact<u64>>,
    /// Per subnet (in `NetworksAdded` order), the last emission of each of `hotkeys`.
    pub emission_history: Vec<Vec<Compact<u64>>>,
}

/// `pallet_subtensor::rpc_info::metagraph::SelectiveMetagraph<AccountId32>`
/// (`get_selective_metagraph` / `get_selective_mechagraph`): every field but `netuid` is
/// `None` unless its [`MetagraphField`] index was asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SelectiveMetagraph {
    /// The subnet (0 when index 0 was not asked for, as on the chain).
    #[codec(compact)]
    pub netuid: u16,
    /// Subnet name, one `Compact<u8>` per UTF-8 byte.
    pub name: Option<Vec<Compact<u8>>>,
    /// Token symbol, one `Compact<u8>` per UTF-8 byte.
    pub symbol: Option<Vec<Compact<u8>>>,
    /// The owner's subnet identity, if set.
    pub identity: Option<Option<SubnetIdentityV3>>,
    /// Block the subnet was registered at.
    pub network_registered_at: Option<Compact<u64>>,
    /// Owner hotkey.
    pub owner_hotkey: Option<AccountId32>,
    /// Owner coldkey.
    pub owner_coldkey: Option<AccountId32>,
    /// Block the call ran at.
    pub block: Option<Compact<u64>>,
    /// Blocks per epoch.
    pub tempo: Option<Compact<u16>>,
    /// Block of the last epoch.
    pub last_step: Option<Compact<u64>>,
    /// Blocks since the last epoch.
    pub blocks_since_last_step: Option<Compact<u64>>,
    /// Subnet emission (always 0 on the chain now).
    pub subnet_emission: Option<Compact<u64>>,
    /// Alpha in the pool.
    pub alpha_in: Option<Compact<u64>>,
    /// Alpha outstanding.
    pub alpha_out: Option<Compact<u64>>,
    /// TAO in the pool.
    pub tao_in: Option<Compact<u64>>,
    /// Alpha injected outstanding per block.
    pub alpha_out_emission: Option<Compact<u64>>,
    /// Alpha injected into the pool per block.
    pub alpha_in_emission: Option<Compact<u64>>,
    /// TAO injected per block.
    pub tao_in_emission: Option<Compact<u64>>,
    /// Alpha pending distribution (server + validator).
    pub pending_alpha_emission: Option<Compact<u64>>,
    /// Root dividends pending (always 0 on the chain now).
    pub pending_root_emission: Option<Compact<u64>>,
    /// Traded volume.
    pub subnet_volume: Option<Compact<u128>>,
    /// Moving alpha price.
    pub moving_price: Option<I96F32>,
    /// Rho.
    pub rho: Option<Compact<u16>>,
    /// Kappa.
    pub kappa: Option<Compact<u16>>,
    /// Minimum number of weights per validator.
    pub min_allowed_weights: Option<Compact<u16>>,
    /// Largest single weight.
    pub max_weights_limit: Option<Compact<u16>>,
    /// Required weights version key.
    pub weights_version: Option<Compact<u64>>,
    /// Blocks between weight sets.
    pub weights_rate_limit: Option<Compact<u64>>,
    /// Activity cutoff in blocks.
    pub activity_cutoff: Option<Compact<u16>>,
    /// Maximum validators.
    pub max_validators: Option<Compact<u16>>,
    /// Registered neurons.
    pub num_uids: Option<Compact<u16>>,
    /// Maximum neurons.
    pub max_uids: Option<Compact<u16>>,
    /// Registration burn.
    pub burn: Option<Compact<u64>>,
    /// Proof-of-work difficulty.
    pub difficulty: Option<Compact<u64>>,
    /// Registration open.
    pub registration_allowed: Option<bool>,
    /// Proof-of-work registration open.
    pub pow_registration_allowed: Option<bool>,
    /// Immunity period in blocks.
    pub immunity_period: Option<Compact<u16>>,
    /// Minimum difficulty.
    pub min_difficulty: Option<Compact<u64>>,
    /// Maximum difficulty.
    pub max_difficulty: Option<Compact<u64>>,
    /// Minimum burn.
    pub min_burn: Option<Compact<u64>>,
    /// Maximum burn.
    pub max_burn: Option<Compact<u64>>,
    /// Adjustment alpha.
    pub adjustment_alpha: Option<Compact<u64>>,
    /// Adjustment interval in blocks.
    pub adjustment_interval: Option<Compact<u16>>,
    /// Target registrations per interval.
    pub target_regs_per_interval: Option<Compact<u16>>,
    /// Maximum registrations per block.
    pub max_regs_per_block: Option<Compact<u16>>,
    /// Axon serving rate limit in blocks.
    pub serving_rate_limit: Option<Compact<u64>>,
    /// Commit-reveal enabled.
    pub commit_reveal_weights_enabled: Option<bool>,
    /// Reveal period in epochs.
    pub commit_reveal_period: Option<Compact<u64>>,
    /// Liquid alpha enabled.
    pub liquid_alpha_enabled: Option<bool>,
    /// Alpha high.
    pub alpha_high: Option<Compact<u16>>,
    /// Alpha low.
    pub alpha_low: Option<Compact<u16>>,
    /// Bonds moving average.
    pub bonds_moving_avg: Option<Compact<u64>>,
    /// Hotkey per uid.
    pub hotkeys: Option<Vec<AccountId32>>,
    /// Coldkey per uid.
    pub coldkeys: Option<Vec<AccountId32>>,
    /// Coldkey identity per uid.
    pub identities: Option<Vec<Option<ChainIdentityV2>>>,
    /// Axon per uid.
    pub axons: Option<Vec<AxonInfo>>,
    /// Active per uid.
    pub active: Option<Vec<bool>>,
    /// Validator permit per uid.
    pub validator_permit: Option<Vec<bool>>,
    /// Pruning score per uid.
    pub pruning_score: Option<Vec<Compact<u16>>>,
    /// Last weights update per uid.
    pub last_update: Option<Vec<Compact<u64>>>,
    /// Emission per uid.
    pub emission: Option<Vec<Compact<u64>>>,
    /// Dividends per uid.
    pub dividends: Option<Vec<Compact<u16>>>,
    /// Incentive per uid.
    pub incentives: Option<Vec<Compact<u16>>>,
    /// Consensus per uid.
    pub consensus: Option<Vec<Compact<u16>>>,
    /// Trust per uid.
    pub trust: Option<Vec<Compact<u16>>>,
    /// Rank per uid.
    pub rank: Option<Vec<Compact<u16>>>,
    /// Registration block per uid.
    pub block_at_registration: Option<Vec<Compact<u64>>>,
    /// Alpha stake per uid.
    pub alpha_stake: Option<Vec<Compact<u64>>>,
    /// Root (TAO) stake per uid.
    pub tao_stake: Option<Vec<Compact<u64>>>,
    /// Stake weight per uid.
    pub total_stake: Option<Vec<Compact<u64>>>,
    /// (hotkey, TAO dividends) per uid.
    pub tao_dividends_per_hotkey: Option<Vec<(AccountId32, Compact<u64>)>>,
    /// (hotkey, alpha dividends) per uid.
    pub alpha_dividends_per_hotkey: Option<Vec<(AccountId32, Compact<u64>)>>,
    /// Uids of permitted validators above the stake threshold, by ascending stake.
    pub validators: Option<Vec<Compact<u16>>>,
    /// (hotkey, SCALE of its `Commitments.CommitmentOf` registration, one `Compact<u8>` per byte).
    pub commitments: Option<Vec<(AccountId32, Vec<Compact<u8>>)>>,
}

/// Adds the index ↔ field table of [`SelectiveMetagraph`]: the `metagraph_indexes` a client
/// passes name fields by their position in the struct (subtensor's `SelectiveMetagraphIndex`).
macro_rules! metagraph_fields {
    ($($variant:ident = $field:literal,)*) => {
        /// A field of [`SelectiveMetagraph`], by the index clients ask for it with.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum MetagraphField {
            $(
                #[doc = concat!("`", $field, "`.")]
                $variant,
            )*
        }

        impl MetagraphField {
            /// Every field, in index order.
            pub const ALL: &'static [MetagraphField] = &[$(MetagraphField::$variant,)*];

            /// The field at `index`, or `None` past the last one (the chain ignores those).
            pub fn from_index(index: u16) -> Option<MetagraphField> {
                Self::ALL.get(usize::from(index)).copied()
            }

            /// The struct field's name.
            pub fn name(self) -> &'static str {
                match self {
                    $(MetagraphField::$variant => $field,)*
                }
            }
        }
    };
}

metagraph_fields! {
    Netuid = "netuid",
    Name = "name",
    Symbol = "symbol",
    Identity = "identity",
    NetworkRegisteredAt = "network_registered_at",
    OwnerHotkey = "owner_hotkey",
    OwnerColdkey = "owner_coldkey",
    Block = "block",
    Tempo = "tempo",
    LastStep = "last_step",
    BlocksSinceLastStep = "blocks_since_last_step",
    SubnetEmission = "subnet_emission",
    AlphaIn = "alpha_in",
    AlphaOut = "alpha_out",
    TaoIn = "tao_in",
    AlphaOutEmission = "alpha_out_emission",
    AlphaInEmission = "alpha_in_emission",
    TaoInEmission = "tao_in_emission",
    PendingAlphaEmission = "pending_alpha_emission",
    PendingRootEmission = "pending_root_emission",
    SubnetVolume = "subnet_volume",
    MovingPrice = "moving_price",
    Rho = "rho",
    Kappa = "kappa",
    MinAllowedWeights = "min_allowed_weights",
    MaxWeightsLimit = "max_weights_limit",
    WeightsVersion = "weights_version",
    WeightsRateLimit = "weights_rate_limit",
    ActivityCutoff = "activity_cutoff",
    MaxValidators = "max_validators",
    NumUids = "num_uids",
    MaxUids = "max_uids",
    Burn = "burn",
    Difficulty = "difficulty",
    RegistrationAllowed = "registration_allowed",
    PowRegistrationAllowed = "pow_registration_allowed",
    ImmunityPeriod = "immunity_period",
    MinDifficulty = "min_difficulty",
    MaxDifficulty = "max_difficulty",
    MinBurn = "min_burn",
    MaxBurn = "max_burn",
    AdjustmentAlpha = "adjustment_alpha",
    AdjustmentInterval = "adjustment_interval",
    TargetRegsPerInterval = "target_regs_per_interval",
    MaxRegsPerBlock = "max_regs_per_block",
    ServingRateLimit = "serving_rate_limit",
    CommitRevealWeightsEnabled = "commit_reveal_weights_enabled",
    CommitRevealPeriod = "commit_reveal_period",
    LiquidAlphaEnabled = "liquid_alpha_enabled",
    AlphaHigh = "alpha_high",
    AlphaLow = "alpha_low",
    BondsMovingAvg = "bonds_moving_avg",
    Hotkeys = "hotkeys",
    Coldkeys = "coldkeys",
    Identities = "identities",
    Axons = "axons",
    Active = "active",
    ValidatorPermit = "validator_permit",
    PruningScore = "pruning_score",
    LastUpdate = "last_update",
    Emission = "emission",
    Dividends = "dividends",
    Incentives = "incentives",
    Consensus = "consensus",
    Trust = "trust",
    Rank = "rank",
    BlockAtRegistration = "block_at_registration",
    AlphaStake = "alpha_stake",
    TaoStake = "tao_stake",
    TotalStake = "total_stake",
    TaoDividendsPerHotkey = "tao_dividends_per_hotkey",
    AlphaDividendsPerHotkey = "alpha_dividends_per_hotkey",
    Validators = "validators",
    Commitments = "commitments",
}

/// `pallet_subtensor::rpc_info::subnet_info::SubnetHyperparams`
/// (`SubnetInfoRuntimeApi.get_subnet_hyperparams`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SubnetHyperparams {
    /// Rho.
    #[codec(compact)]
    pub rho: u16,
    /// Kappa.
    #[codec(compact)]
    pub kappa: u16,
    /// Immunity period in blocks.
    #[codec(compact)]
    pub immunity_period: u16,
    /// Minimum number of weights per validator.
    #[codec(compact)]
    pub min_allowed_weights: u16,
    /// Largest single weight.
    #[codec(compact)]
    pub max_weights_limit: u16,
    /// Blocks per epoch.
    #[codec(compact)]
    pub tempo: u16,
    /// Minimum difficulty.
    #[codec(compact)]
    pub min_difficulty: u64,
    /// Maximum difficulty.
    #[codec(compact)]
    pub max_difficulty: u64,
    /// Required weights version key.
    #[codec(compact)]
    pub weights_version: u64,
    /// Blocks between weight sets.
    #[codec(compact)]
    pub weights_rate_limit: u64,
    /// Adjustment interval in blocks.
    #[codec(compact)]
    pub adjustment_interval: u16,
    /// Activity cutoff in blocks.
    #[codec(compact)]
    pub activity_cutoff: u16,
    /// Registration open.
    pub registration_allowed: bool,
    /// Target registrations per interval.
    #[codec(compact)]
    pub target_regs_per_interval: u16,
    /// Minimum burn.
    #[codec(compact)]
    pub min_burn: u64,
    /// Maximum burn.
    #[codec(compact)]
    pub max_burn: u64,
    /// Bonds moving average.
    #[codec(compact)]
    pub bonds_moving_avg: u64,
    /// Maximum registrations per block.
    #[codec(compact)]
    pub max_regs_per_block: u16,
    /// Axon serving rate limit in blocks.
    #[codec(compact)]
    pub serving_rate_limit: u64,
    /// Maximum validators.
    #[codec(compact)]
    pub max_validators: u16,
    /// Adjustment alpha.
    #[codec(compact)]
    pub adjustment_alpha: u64,
    /// Proof-of-work difficulty.
    #[codec(compact)]
    pub difficulty: u64,
    /// Reveal period in epochs.
    #[codec(compact)]
    pub commit_reveal_period: u64,
    /// Commit-reveal enabled.
    pub commit_reveal_weights_enabled: bool,
    /// Alpha high.
    #[codec(compact)]
    pub alpha_high: u16,
    /// Alpha low.
    #[codec(compact)]
    pub alpha_low: u16,
    /// Liquid alpha enabled.
    pub liquid_alpha_enabled: bool,
}

/// `pallet_subtensor::rpc_info::subnet_info::SubnetHyperparamsV2`
/// (`SubnetInfoRuntimeApi.get_subnet_hyperparams_v2`): version 1's fields, then six more.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SubnetHyperparamsV2 {
    /// Rho.
    #[codec(compact)]
    pub rho: u16,
    /// Kappa.
    #[codec(compact)]
    pub kappa: u16,
    /// Immunity period in blocks.
    #[codec(compact)]
    pub immunity_period: u16,
    /// Minimum number of weights per validator.
    #[codec(compact)]
    pub min_allowed_weights: u16,
    /// Largest single weight.
    #[codec(compact)]
    pub max_weights_limit: u16,
    /// Blocks per epoch.
    #[codec(compact)]
    pub tempo: u16,
    /// Minimum difficulty.
    #[codec(compact)]
    pub min_difficulty: u64,
    /// Maximum difficulty.
    #[codec(compact)]
    pub max_difficulty: u64,
    /// Required weights version key.
    #[codec(compact)]
    pub weights_version: u64,
    /// Blocks between weight sets.
    #[codec(compact)]
    pub weights_rate_limit: u64,
    /// Adjustment interval in blocks.
    #[codec(compact)]
    pub adjustment_interval: u16,
    /// Activity cutoff in blocks.
    #[codec(compact)]
    pub activity_cutoff: u16,
    /// Registration open.
    pub registration_allowed: bool,
    /// Target registrations per interval.
    #[codec(compact)]
    pub target_regs_per_interval: u16,
    /// Minimum burn.
    #[codec(compact)]
    pub min_burn: u64,
    /// Maximum burn.
    #[codec(compact)]
    pub max_burn: u64,
    /// Bonds moving average.
    #[codec(compact)]
    pub bonds_moving_avg: u64,
    /// Maximum registrations per block.
    #[codec(compact)]
    pub max_regs_per_block: u16,
    /// Axon serving rate limit in blocks.
    #[codec(compact)]
    pub serving_rate_limit: u64,
    /// Maximum validators.
    #[codec(compact)]
    pub max_validators: u16,
    /// Adjustment alpha.
    #[codec(compact)]
    pub adjustment_alpha: u64,
    /// Proof-of-work difficulty.
    #[codec(compact)]
    pub difficulty: u64,
    /// Reveal period in epochs.
    #[codec(compact)]
    pub commit_reveal_period: u64,
    /// Commit-reveal enabled.
    pub commit_reveal_weights_enabled: bool,
    /// Alpha high.
    #[codec(compact)]
    pub alpha_high: u16,
    /// Alpha low.
    #[codec(compact)]
    pub alpha_low: u16,
    /// Liquid alpha enabled.
    pub liquid_alpha_enabled: bool,
    /// Alpha sigmoid steepness.
    pub alpha_sigmoid_steepness: I32F32,
    /// 3 with Yuma3 on, else 2.
    #[codec(compact)]
    pub yuma_version: u16,
    /// The subnet's token is enabled (`SubtokenEnabled`).
    pub subnet_is_active: bool,
    /// Alpha transfers enabled (`TransferToggle`).
    pub transfers_enabled: bool,
    /// Bonds reset on commitment (`BondsResetOn`).
    pub bonds_reset_enabled: bool,
    /// User liquidity enabled (`Swap.EnabledUserLiquidity`).
    pub user_liquidity_enabled: bool,
}

impl From<SubnetHyperparams> for SubnetHyperparamsV2 {
    /// The v2 record of a v1 one: the shared fields copied, the fields v2 added at their
    /// defaults.
    fn from(v1: SubnetHyperparams) -> SubnetHyperparamsV2 {
        SubnetHyperparamsV2 {
            rho: v1.rho,
            kappa: v1.kappa,
            immunity_period: v1.immunity_period,
            min_allowed_weights: v1.min_allowed_weights,
            max_weights_limit: v1.max_weights_limit,
            tempo: v1.tempo,
            min_difficulty: v1.min_difficulty,
            max_difficulty: v1.max_difficulty,
            weights_version: v1.weights_version,
            weights_rate_limit: v1.weights_rate_limit,
            adjustment_interval: v1.adjustment_interval,
            activity_cutoff: v1.activity_cutoff,
            registration_allowed: v1.registration_allowed,
            target_regs_per_interval: v1.target_regs_per_interval,
            min_burn: v1.min_burn,
            max_burn: v1.max_burn,
            bonds_moving_avg: v1.bonds_moving_avg,
            max_regs_per_block: v1.max_regs_per_block,
            serving_rate_limit: v1.serving_rate_limit,
            max_validators: v1.max_validators,
            adjustment_alpha: v1.adjustment_alpha,
            difficulty: v1.difficulty,
            commit_reveal_period: v1.commit_reveal_period,
            commit_reveal_weights_enabled: v1.commit_reveal_weights_enabled,
            alpha_high: v1.alpha_high,
            alpha_low: v1.alpha_low,
            liquid_alpha_enabled: v1.liquid_alpha_enabled,
            ..SubnetHyperparamsV2::default()
        }
    }
}

/// `pallet_transaction_payment::types::RuntimeDispatchInfo<u64, Weight>`
/// (`TransactionPaymentApi.query_info`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct RuntimeDispatchInfo {
    /// Weight of the call.
    pub weight: Weight,
    /// Class of the call.
    pub class: DispatchClass,
    /// Fee without the tip, in rao (0 when the call does not pay).
    pub partial_fee: u64,
}

/// The extrinsic argument of `TransactionPaymentApi.query_info`: the encoded extrinsic behind
/// its compact length, as `fp_self_contained::UncheckedExtrinsic` wrapping
/// `sp_runtime::generic::UncheckedExtrinsic` (two nested composites in the metadata).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct OpaqueExtrinsic(pub Vec<u8>);

impl TypeInfo for OpaqueExtrinsic {
    type Identity = Self;

    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("UncheckedExtrinsic", module_path!()))
            .composite(Fields::unnamed().field(|f| f.ty::<UncheckedExtrinsic>()))
    }
}

/// The (id, version) list of runtime API traits in [`RuntimeVersion::apis`]: the id is
/// blake2-64 of the trait name.
pub type ApiVersions = Cow<'static, [([u8; 8], u32)]>;

/// `sp_version::RuntimeVersion`, what `Core.version` returns and `state_getRuntimeVersion`
/// shows as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct RuntimeVersion {
    /// `node-subtensor`.
    pub spec_name: Cow<'static, str>,
    /// `node-subtensor`.
    pub impl_name: Cow<'static, str>,
    /// Authoring version.
    pub authoring_version: u32,
    /// Runtime spec version (393).
    pub spec_version: u32,
    /// Implementation version.
    pub impl_version: u32,
    /// Runtime API traits served, with their versions.
    pub apis: ApiVersions,
    /// Transaction format version (signed over by every extrinsic).
    pub transaction_version: u32,
    /// Storage/system version.
    pub system_version: u8,
}

/// The `apis` list in JSON: `[["0x<8 bytes hex>", version], ...]`.
struct ApisJson<'a>(&'a [([u8; 8], u32)]);

impl Serialize for ApisJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for (id, version) in self.0 {
            seq.serialize_element(&(format!("0x{}", hex::encode(id)), version))?;
        }
        seq.end()
    }
}

/// The JSON shape of `state_getRuntimeVersion`: camelCase keys, `apis` as `[hex id, version]`
/// pairs, and the system version under both its current name and the older `stateVersion`.
impl Serialize for RuntimeVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("RuntimeVersion", 9)?;
        state.serialize_field("specName", &self.spec_name)?;
        state.serialize_field("implName", &self.impl_name)?;
        state.serialize_field("authoringVersion", &self.authoring_version)?;
        state.serialize_field("specVersion", &self.spec_version)?;
        state.serialize_field("implVersion", &self.impl_version)?;
        state.serialize_field("apis", &ApisJson(&self.apis))?;
        state.serialize_field("transactionVersion", &self.transaction_version)?;
        state.serialize_field("systemVersion", &self.system_version)?;
        state.serialize_field("stateVersion", &self.system_version)?;
        state.end()
    }
}

fn method<Out: TypeInfo + 'static>(
    name: &'static str,
    inputs: Vec<RuntimeApiMethodParamMetadata>,
) -> RuntimeApiMethodMetadata {
    RuntimeApiMethodMetadata {
        name,
        inputs,
        output: meta_type::<Out>(),
        docs: Vec::new(),
    }
}

fn param<T: TypeInfo + 'static>(name: &'static str) -> RuntimeApiMethodParamMetadata {
    RuntimeApiMethodParamMetadata {
        name,
        ty: meta_type::<T>(),
    }
}

fn api(name: &'static str, methods: Vec<RuntimeApiMethodMetadata>) -> RuntimeApiMetadata {
    RuntimeApiMetadata {
        name,
        methods,
        docs: Vec::new(),
    }
}

/// The runtime API traits described here, with the methods the local chain serves, named and
/// typed as in spec 393 (`netuid` is a `u16`, `mecid`/`subid` a `u8`).
pub fn runtime_apis() -> Vec<RuntimeApiMetadata> {
    vec![
        api(
            "Core",
            vec![method::<RuntimeVersion>("version", Vec::new())],
        ),
        api(
            "TransactionPaymentApi",
            vec![method::<RuntimeDispatchInfo>(
                "query_info",
                vec![param::<OpaqueExtrinsic>("uxt"), param::<u32>("len")],
            )],
        ),
        api(
            "NeuronInfoRuntimeApi",
            vec![
                method::<Option<NeuronInfo>>(
                    "get_neuron",
                    vec![param::<u16>("netuid"), param::<u16>("uid")],
                ),
                method::<Vec<NeuronInfoLite>>("get_neurons_lite", vec![param::<u16>("netuid")]),
                method::<Option<NeuronInfoLite>>(
                    "get_neuron_lite",
                    vec![param::<u16>("netuid"), param::<u16>("uid")],
                ),
            ],
        ),
        api(
            "SubnetInfoRuntimeApi",
            vec![
                method::<Option<SubnetHyperparams>>(
                    "get_subnet_hyperparams",
                    vec![param::<u16>("netuid")],
                ),
                method::<Option<SubnetHyperparamsV2>>(
                    "get_subnet_hyperparams_v2",
                    vec![param::<u16>("netuid")],
                ),
                method::<Option<SubnetState>>("get_subnet_state", vec![param::<u16>("netuid")]),
                method::<Option<SelectiveMetagraph>>(
                    "get_selective_metagraph",
                    vec![
                        param::<u16>("netuid"),
                        param::<Vec<u16>>("metagraph_indexes"),
                    ],
                ),
                method::<Option<SelectiveMetagraph>>(
                    "get_selective_mechagraph",
                    vec![
                        param::<u16>("netuid"),
                        param::<u8>("subid"),
                        param::<Vec<u16>>("metagraph_indexes"),
                    ],
                ),
            ],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use scale_info::{PortableRegistry, Registry};

    use super::*;

    fn composite_field_names<T: TypeInfo + 'static>() -> Vec<String> {
        let mut registry = Registry::new();
        let id = registry.register_type(&meta_type::<T>()).id;
        let registry: PortableRegistry = registry.into();
        match registry.resolve(id).map(|t| &t.type_def) {
            Some(scale_info::TypeDef::Composite(c)) => c
                .fields
                .iter()
                .map(|f| f.name.clone().unwrap_or_default())
                .collect(),
            other => panic!("not a composite: {other:?}"),
        }
    }

    fn round_trip<T: Encode + Decode + PartialEq + std::fmt::Debug>(value: &T) -> Vec<u8> {
        let bytes = value.encode();
        let mut input = bytes.as_slice();
        let back = T::decode(&mut input).expect("decodes");
        assert!(input.is_empty(), "trailing bytes after decoding");
        assert_eq!(&back, value);
        bytes
    }

    fn account(byte: u8) -> AccountId32 {
        AccountId32([byte; 32])
    }

    #[test]
    fn runtime_metagraph_field_indices_follow_the_struct_field_order() {
        let names: Vec<&str> = MetagraphField::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(names, composite_field_names::<SelectiveMetagraph>());
        assert_eq!(MetagraphField::from_index(0), Some(MetagraphField::Netuid));
        assert_eq!(
            MetagraphField::from_index(73),
            Some(MetagraphField::Commitments)
        );
        assert_eq!(MetagraphField::from_index(74), None);
        assert_eq!(MetagraphField::from_index(u16::MAX), None);
    }

    #[test]
    fn runtime_neuron_info_lite_encodes_compact_fields() {
        let neuron = NeuronInfoLite {
            hotkey: account(1),
            coldkey: account(2),
            uid: 3,
            netuid: 1,
            active: true,
            axon_info: AxonInfo {
                block: 7,
                version: 1,
                ip: 0x7f00_0001,
                port: 8091,
                ip_type: 4,
                protocol: 4,
                placeholder1: 0,
                placeholder2: 0,
            },
            prometheus_info: PrometheusInfo::default(),
            stake: vec![(account(2), Compact(1_000_000_000))],
            rank: 0,
            emission: 70,
            incentive: 65_535,
            consensus: 0,
            trust: 0,
            validator_trust: 0,
            dividends: 0,
            last_update: 12,
            validator_permit: false,
            pruning_score: 0,
        };
        let bytes = round_trip(&neuron);
        // After the two keys: uid 3 and netuid 1 as one-byte compacts, then `active`.
        assert_eq!(&bytes[64..67], &[3 << 2, 1 << 2, 1]);
        // keys 64, uid/netuid/active 3, axon 34, prometheus 31, stake 1 + 32 + 4, rank 1,
        // emission 70 → 2, incentive 65535 → 4, four zero compacts, last_update, permit, pruning.
        assert_eq!(
            bytes.len(),
            64 + 3 + 34 + 31 + 37 + 1 + 2 + 4 + 4 + 1 + 1 + 1
        );
    }

    #[test]
    fn runtime_neuron_info_adds_weights_and_bonds_before_pruning_score() {
        let lite = NeuronInfoLite {
            hotkey: account(1),
            coldkey: account(2),
            uid: 0,
            netuid: 1,
            active: false,
            axon_info: AxonInfo::default(),
            prometheus_info: PrometheusInfo::default(),
            stake: Vec::new(),
            rank: 0,
            emission: 0,
            incentive: 0,
            consensus: 0,
            trust: 0,
            validator_trust: 0,
            dividends: 0,
            last_update: 0,
            validator_permit: true,
            pruning_score: 9,
        };
        let weights = vec![(Compact(1), Compact(65_535))];
        let full = NeuronInfo::from_lite(lite.clone(), weights.clone(), Vec::new());
        assert_eq!(
            (full.weights.as_slice(), full.pruning_score),
            (&weights[..], 9)
        );
        let bytes = round_trip(&full);
        let lite_bytes = lite.encode();
        // Everything up to `validator_permit` is the lite encoding; `pruning_score` (compact 9)
        // follows one weight (uid 1, weight 65535 as a 4-byte compact) and no bonds.
        let (head, pruning) = lite_bytes.split_at(lite_bytes.len() - 1);
        assert_eq!(pruning, [9 << 2]);
        assert_eq!(
            bytes,
            [head, &[1 << 2, 1 << 2, 0xfe, 0xff, 0x03, 0x00, 0], pruning].concat()
        );
    }

    #[test]
    fn runtime_selective_metagraph_defaults_to_netuid_zero_and_nones() {
        let empty = SelectiveMetagraph::default();
        // netuid compact 0, then 73 `None` bytes.
        assert_eq!(round_trip(&empty), [vec![0u8], vec![0u8; 73]].concat());
        let some = SelectiveMetagraph {
            netuid: 1,
            name: Some(b"apex".iter().map(|b| Compact(*b)).collect()),
            moving_price: Some(I96F32::from_int(1)),
            hotkeys: Some(vec![account(5)]),
            commitments: Some(vec![(account(5), vec![Compact(0u8), Compact(200u8)])]),
            ..SelectiveMetagraph::default()
        };
        let bytes = round_trip(&some);
        // Name: Some, 4 entries, each byte as a compact ('a' = 97 > 63 takes two bytes).
        assert_eq!(&bytes[..3], &[4, 1, 4 << 2]);
        assert_eq!(&bytes[3..5], &Compact(97u8).encode()[..]);
    }

    #[test]
    fn runtime_subnet_state_and_hyperparams_round_trip() {
        let state = SubnetState {
            netuid: 1,
            hotkeys: vec![account(1), account(2)],
            coldkeys: vec![account(3), account(3)],
            active: vec![true, false],
            validator_permit: vec![true, false],
            pruning_score: vec![Compact(1), Compact(2)],
            last_update: vec![Compact(10), Compact(0)],
            emission: vec![Compact(5), Compact(6)],
            dividends: vec![Compact(65_535), Compact(0)],
            incentives: vec![Compact(0), Compact(65_535)],
            consensus: vec![Compact(0), Compact(0)],
            trust: vec![Compact(0), Compact(0)],
            rank: vec![Compact(0), Compact(0)],
            block_at_registration: vec![Compact(1), Compact(2)],
            alpha_stake: vec![Compact(u64::MAX), Compact(0)],
            tao_stake: vec![Compact(0), Compact(0)],
            total_stake: vec![Compact(u64::MAX), Compact(0)],
            emission_history: vec![vec![Compact(0), Compact(9)]],
        };
        round_trip(&state);
        let v1 = SubnetHyperparams {
            tempo: 360,
            max_burn: 100_000_000_000,
            commit_reveal_weights_enabled: true,
            ..SubnetHyperparams::default()
        };
        round_trip(&v1);
        let v2 = SubnetHyperparamsV2 {
            tempo: 360,
            alpha_sigmoid_steepness: I32F32::from_i16(-3),
            yuma_version: 2,
            transfers_enabled: true,
            ..SubnetHyperparamsV2::default()
        };
        let bytes = round_trip(&v2);
        // The fixed-point steepness is 8 little-endian bytes of -3 << 32.
        assert_eq!(I32F32::from_i16(-3).bits, -3 * (1i64 << 32));
        assert!(bytes.windows(8).any(|w| w == (-3i64 << 32).to_le_bytes()));
    }

    #[test]
    fn runtime_version_encodes_and_serialises_like_substrate() {
        let version = RuntimeVersion {
            spec_name: Cow::Borrowed("node-subtensor"),
            impl_name: Cow::Borrowed("node-subtensor"),
            authoring_version: 1,
            spec_version: 393,
            impl_version: 1,
            apis: Cow::Owned(vec![([0xdf, 0x6a, 0xcb, 0x68, 0x99, 0x07, 0x60, 0x9b], 5)]),
            transaction_version: 1,
            system_version: 1,
        };
        let bytes = round_trip(&version);
        assert_eq!(&bytes[..15], b"\x38node-subtensor");
        let json = serde_json::to_value(&version).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({
                "specName": "node-subtensor",
                "implName": "node-subtensor",
                "authoringVersion": 1,
                "specVersion": 393,
                "implVersion": 1,
                "apis": [["0xdf6acb689907609b", 5]],
                "transactionVersion": 1,
                "systemVersion": 1,
                "stateVersion": 1,
            })
        );
    }

    #[test]
    fn runtime_dispatch_info_and_extrinsic_argument_round_trip() {
        let info = RuntimeDispatchInfo {
            weight: Weight {
                ref_time: 1_000,
                proof_size: 0,
            },
            class: DispatchClass::Normal,
            partial_fee: 125_000,
        };
        let bytes = round_trip(&info);
        assert_eq!(
            bytes,
            [vec![0xa1, 0x0f, 0, 0], 125_000u64.encode()].concat()
        );
        let xt = OpaqueExtrinsic(vec![0x84, 1, 2]);
        assert_eq!(round_trip(&xt), vec![3 << 2, 0x84, 1, 2]);
    }
}
