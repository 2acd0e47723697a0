//! Call, event and error enums of the pallets nya uses, restricted to the variants nya uses but
//! each at its finney spec-393 index with the chain's argument names, order and types. The outer
//! `RuntimeCall`/`RuntimeEvent`/`RuntimeError` place each pallet at its pallet index.
//!
//! Variant names are the chain's call names (snake_case), because subxt and the Python SDK
//! address calls by those names.
#![allow(non_camel_case_types)]

use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

use super::admin::{AdminUtilsCall, AdminUtilsError, SudoCall, SudoError, SudoEvent};
use super::dispatch::{DispatchError, DispatchEventInfo};
use super::errors::{BalancesError, SubtensorModuleError};
use super::types::{AccountId32, H256, MultiAddress};
use crate::commitment::CommitmentInfo;

/// `frame_system::pallet::Call` (pallet index 0).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum SystemCall {
    /// Make a remark (stores nothing).
    #[codec(index = 0)]
    remark {
        /// The remark bytes.
        remark: Vec<u8>,
    },
}

/// `pallet_balances::pallet::Call` (pallet index 5).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum BalancesCall {
    /// Transfer that refuses to kill the sender's account.
    #[codec(index = 3)]
    transfer_keep_alive {
        /// Receiver.
        dest: MultiAddress,
        /// Amount in rao.
        #[codec(compact)]
        value: u64,
    },
}

/// `pallet_subtensor::pallet::Call` (pallet index 7).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum SubtensorModuleCall {
    /// Set the caller's weights on a subnet.
    #[codec(index = 0)]
    set_weights {
        /// Subnet.
        netuid: u16,
        /// Target uids.
        dests: Vec<u16>,
        /// Weights, one per target.
        weights: Vec<u16>,
        /// Must match the subnet's `WeightsVersionKey`.
        version_key: u64,
    },
    /// Stake TAO from the caller coldkey onto `hotkey` on a subnet.
    #[codec(index = 2)]
    add_stake {
        /// Hotkey to stake on.
        hotkey: AccountId32,
        /// Subnet.
        netuid: u16,
        /// TAO in rao.
        amount_staked: u64,
    },
    /// Unstake alpha from `hotkey` on a subnet back to the caller coldkey.
    #[codec(index = 3)]
    remove_stake {
        /// Hotkey to unstake from.
        hotkey: AccountId32,
        /// Subnet.
        netuid: u16,
        /// Alpha in its smallest unit.
        amount_unstaked: u64,
    },
    /// Publish the caller hotkey's axon endpoint.
    #[codec(index = 4)]
    serve_axon {
        /// Subnet.
        netuid: u16,
        /// Axon software version.
        version: u32,
        /// IP address as an integer.
        ip: u128,
        /// TCP port.
        port: u16,
        /// 4 or 6.
        ip_type: u8,
        /// Protocol tag.
        protocol: u8,
        /// Reserved.
        placeholder1: u8,
        /// Reserved.
        placeholder2: u8,
    },
    /// Register `hotkey` on a subnet with a proof of work (spec-393 shape).
    #[codec(index = 6)]
    register {
        /// Subnet.
        netuid: u16,
        /// Block the work was done against.
        block_number: u64,
        /// Nonce found.
        nonce: u64,
        /// The work (a hash).
        work: Vec<u8>,
        /// Hotkey to register.
        hotkey: AccountId32,
        /// Coldkey that owns it.
        coldkey: AccountId32,
    },
    /// Register `hotkey` on a subnet by burning the registration cost from the caller.
    #[codec(index = 7)]
    burned_register {
        /// Subnet.
        netuid: u16,
        /// Hotkey to register.
        hotkey: AccountId32,
    },
    /// Commit to weights by hash, to reveal later.
    #[codec(index = 96)]
    commit_weights {
        /// Subnet.
        netuid: u16,
        /// Hash of (hotkey, netuid, uids, values, salt, version_key).
        commit_hash: H256,
    },
    /// Reveal weights committed earlier.
    #[codec(index = 97)]
    reveal_weights {
        /// Subnet.
        netuid: u16,
        /// Target uids.
        uids: Vec<u16>,
        /// Weights, one per target.
        values: Vec<u16>,
        /// Salt used in the commit.
        salt: Vec<u16>,
        /// Weights version key.
        version_key: u64,
    },
    /// `set_weights` for one mechanism of a subnet.
    #[codec(index = 119)]
    set_mechanism_weights {
        /// Subnet.
        netuid: u16,
        /// Mechanism id (0 is the main one).
        mecid: u8,
        /// Target uids.
        dests: Vec<u16>,
        /// Weights, one per target.
        weights: Vec<u16>,
        /// Must match the subnet's `WeightsVersionKey`.
        version_key: u64,
    },
}

/// `pallet_commitments::pallet::Call` (pallet index 18).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum CommitmentsCall {
    /// Store the caller hotkey's commitment on a subnet.
    #[codec(index = 0)]
    set_commitment {
        /// Subnet.
        netuid: u16,
        /// The fields.
        info: CommitmentInfo,
    },
}

/// `node_subtensor_runtime::RuntimeCall`, restricted to the pallets above.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum RuntimeCall {
    /// System calls.
    #[codec(index = 0)]
    System(SystemCall),
    /// Balances calls.
    #[codec(index = 5)]
    Balances(BalancesCall),
    /// Subtensor calls.
    #[codec(index = 7)]
    SubtensorModule(SubtensorModuleCall),
    /// Sudo calls.
    #[codec(index = 12)]
    Sudo(SudoCall),
    /// Commitments calls.
    #[codec(index = 18)]
    Commitments(CommitmentsCall),
    /// AdminUtils calls.
    #[codec(index = 19)]
    AdminUtils(AdminUtilsCall),
}

/// `frame_system::pallet::Event`, the variants a chain emits for ordinary transactions.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum SystemEvent {
    /// An extrinsic succeeded.
    #[codec(index = 0)]
    ExtrinsicSuccess {
        /// Weight, class and fee flag.
        dispatch_info: DispatchEventInfo,
    },
    /// An extrinsic failed.
    #[codec(index = 1)]
    ExtrinsicFailed {
        /// Why.
        dispatch_error: DispatchError,
        /// Weight, class and fee flag.
        dispatch_info: DispatchEventInfo,
    },
    /// The runtime's code was updated (a runtime upgrade).
    #[codec(index = 2)]
    CodeUpdated,
    /// An account was created.
    #[codec(index = 3)]
    NewAccount {
        /// The account.
        account: AccountId32,
    },
    /// An account was reaped.
    #[codec(index = 4)]
    KilledAccount {
        /// The account.
        account: AccountId32,
    },
    /// A remark with event was made.
    #[codec(index = 5)]
    Remarked {
        /// Who made it.
        sender: AccountId32,
        /// Hash of the remark.
        hash: H256,
    },
}

/// `frame_system::pallet::Error` (all variants).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
#[scale_info(capture_docs = "always")]
#[allow(missing_docs)] // Names are the chain's; meanings are Substrate's.
pub enum SystemError {
    #[codec(index = 0)]
    InvalidSpecName,
    #[codec(index = 1)]
    SpecVersionNeedsToIncrease,
    #[codec(index = 2)]
    FailedToExtractRuntimeVersion,
    #[codec(index = 3)]
    NonDefaultComposite,
    #[codec(index = 4)]
    NonZeroRefCount,
    #[codec(index = 5)]
    CallFiltered,
    #[codec(index = 6)]
    MultiBlockMigrationsOngoing,
    #[codec(index = 7)]
    NothingAuthorized,
    #[codec(index = 8)]
    Unauthorized,
}

/// `pallet_transaction_payment::pallet::Event` (pallet index 6).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum TransactionPaymentEvent {
    /// A fee was paid.
    #[codec(index = 0)]
    TransactionFeePaid {
        /// Payer.
        who: AccountId32,
        /// Fee charged, in rao.
        actual_fee: u64,
        /// Tip, in rao.
        tip: u64,
    },
}

/// `pallet_balances::pallet::Event`, the variants a transfer or fee produces.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum BalancesEvent {
    /// An account was created with a balance.
    #[codec(index = 0)]
    Endowed {
        /// The account.
        account: AccountId32,
        /// Its first balance.
        free_balance: u64,
    },
    /// An account was reaped with less than the existential deposit left; that dust is burnt.
    #[codec(index = 1)]
    DustLost {
        /// The account.
        account: AccountId32,
        /// The dust, in rao.
        amount: u64,
    },
    /// A transfer succeeded.
    #[codec(index = 2)]
    Transfer {
        /// Sender.
        from: AccountId32,
        /// Receiver.
        to: AccountId32,
        /// Amount in rao.
        amount: u64,
    },
    /// Funds were deposited into an account.
    #[codec(index = 7)]
    Deposit {
        /// The account.
        who: AccountId32,
        /// Amount in rao.
        amount: u64,
    },
    /// Funds were withdrawn from an account (fees).
    #[codec(index = 8)]
    Withdraw {
        /// The account.
        who: AccountId32,
        /// Amount in rao.
        amount: u64,
    },
}

/// `pallet_subtensor::pallet::Event`, the variants nya reads (unnamed fields, as on chain).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum SubtensorModuleEvent {
    /// Stake added: (coldkey, hotkey, TAO, alpha, netuid, fee).
    #[codec(index = 2)]
    StakeAdded(AccountId32, AccountId32, u64, u64, u16, u64),
    /// Stake removed: (coldkey, hotkey, TAO, alpha, netuid, fee).
    #[codec(index = 3)]
    StakeRemoved(AccountId32, AccountId32, u64, u64, u16, u64),
    /// Weights set: (netuid storage index, uid).
    #[codec(index = 5)]
    WeightsSet(u16, u16),
    /// Neuron registered: (netuid, uid, hotkey).
    #[codec(index = 6)]
    NeuronRegistered(u16, u16, AccountId32),
    /// `MaxAllowedUids` set: (netuid, value).
    #[codec(index = 9)]
    MaxAllowedUidsSet(u16, u16),
    /// `MaxWeightsLimit` set: (netuid, value).
    #[codec(index = 10)]
    MaxWeightLimitSet(u16, u16),
    /// `Difficulty` set: (netuid, value).
    #[codec(index = 11)]
    DifficultySet(u16, u64),
    /// `AdjustmentInterval` set: (netuid, value).
    #[codec(index = 12)]
    AdjustmentIntervalSet(u16, u16),
    /// `TargetRegistrationsPerInterval` set: (netuid, value).
    #[codec(index = 13)]
    RegistrationPerIntervalSet(u16, u16),
    /// `MaxRegistrationsPerBlock` set: (netuid, value).
    #[codec(index = 14)]
    MaxRegistrationsPerBlockSet(u16, u16),
    /// `ActivityCutoff` set: (netuid, value).
    #[codec(index = 15)]
    ActivityCutoffSet(u16, u16),
    /// `Rho` set: (netuid, value).
    #[codec(index = 16)]
    RhoSet(u16, u16),
    /// `Kappa` set: (netuid, value).
    #[codec(index = 18)]
    KappaSet(u16, u16),
    /// `MinAllowedWeights` set: (netuid, value).
    #[codec(index = 19)]
    MinAllowedWeightSet(u16, u16),
    /// `WeightsSetRateLimit` set: (netuid, value).
    #[codec(index = 22)]
    WeightsSetRateLimitSet(u16, u64),
    /// `ImmunityPeriod` set: (netuid, value).
    #[codec(index = 23)]
    ImmunityPeriodSet(u16, u16),
    /// `BondsMovingAverage` set: (netuid, value).
    #[codec(index = 24)]
    BondsMovingAverageSet(u16, u64),
    /// `MaxAllowedValidators` set: (netuid, value).
    #[codec(index = 27)]
    MaxAllowedValidatorsSet(u16, u16),
    /// Axon served: (netuid, hotkey).
    #[codec(index = 28)]
    AxonServed(u16, AccountId32),
    /// `WeightsVersionKey` set: (netuid, value).
    #[codec(index = 32)]
    WeightsVersionKeySet(u16, u64),
    /// `ServingRateLimit` set: (netuid, value).
    #[codec(index = 35)]
    ServingRateLimitSet(u16, u64),
    /// `Burn` set: (netuid, value).
    #[codec(index = 36)]
    BurnSet(u16, u64),
    /// `MaxBurn` set: (netuid, value).
    #[codec(index = 37)]
    MaxBurnSet(u16, u64),
    /// `MinBurn` set: (netuid, value).
    #[codec(index = 38)]
    MinBurnSet(u16, u64),
    /// `NetworkRegistrationAllowed` set: (netuid, value).
    #[codec(index = 48)]
    RegistrationAllowed(u16, bool),
    /// `NetworkPowRegistrationAllowed` set: (netuid, value).
    #[codec(index = 49)]
    PowRegistrationAllowed(u16, bool),
    /// `Tempo` set: (netuid, value).
    #[codec(index = 50)]
    TempoSet(u16, u16),
    /// `StakeThreshold` set: (value).
    #[codec(index = 52)]
    StakeThresholdSet(u64),
    /// `AdjustmentAlpha` set: (netuid, value).
    #[codec(index = 53)]
    AdjustmentAlphaSet(u16, u64),
    /// Weights committed: (hotkey, netuid storage index, hash).
    #[codec(index = 83)]
    WeightsCommitted(AccountId32, u16, H256),
    /// Weights revealed: (hotkey, netuid storage index, hash).
    #[codec(index = 84)]
    WeightsRevealed(AccountId32, u16, H256),
    /// `RevealPeriodEpochs` set: (netuid, value).
    #[codec(index = 98)]
    CommitRevealPeriodsSet(u16, u64),
    /// `CommitRevealWeightsEnabled` set: (netuid, value).
    #[codec(index = 99)]
    CommitRevealEnabled(u16, bool),
}

/// `pallet_commitments::pallet::Event` (all variants).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum CommitmentsEvent {
    /// A commitment was stored.
    #[codec(index = 0)]
    Commitment {
        /// Subnet.
        netuid: u16,
        /// Committing hotkey.
        who: AccountId32,
    },
    /// A timelocked commitment was stored.
    #[codec(index = 1)]
    TimelockCommitment {
        /// Subnet.
        netuid: u16,
        /// Committing hotkey.
        who: AccountId32,
        /// Drand round that reveals it.
        reveal_round: u64,
    },
    /// A timelocked commitment was revealed.
    #[codec(index = 2)]
    CommitmentRevealed {
        /// Subnet.
        netuid: u16,
        /// Committing hotkey.
        who: AccountId32,
    },
}

/// `node_subtensor_runtime::RuntimeEvent`, restricted to the pallets above.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum RuntimeEvent {
    /// System events.
    #[codec(index = 0)]
    System(SystemEvent),
    /// Balances events.
    #[codec(index = 5)]
    Balances(BalancesEvent),
    /// Transaction payment events.
    #[codec(index = 6)]
    TransactionPayment(TransactionPaymentEvent),
    /// Subtensor events.
    #[codec(index = 7)]
    SubtensorModule(SubtensorModuleEvent),
    /// Sudo events.
    #[codec(index = 12)]
    Sudo(SudoEvent),
    /// Commitments events.
    #[codec(index = 18)]
    Commitments(CommitmentsEvent),
}

/// `pallet_commitments::pallet::Error` (all variants).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
#[scale_info(capture_docs = "always")]
pub enum CommitmentsError {
    /// More than `MaxFields` fields.
    #[codec(index = 0)]
    TooManyFieldsInCommitmentInfo,
    /// The hotkey is not registered on the subnet.
    #[codec(index = 1)]
    AccountNotAllowedCommit,
    /// The per-epoch space limit is used up.
    #[codec(index = 2)]
    SpaceLimitExceeded,
    /// Deposit bookkeeping error.
    #[codec(index = 3)]
    UnexpectedUnreserveLeftover,
}

/// `node_subtensor_runtime::RuntimeError`, restricted to the pallets above.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum RuntimeError {
    /// System errors.
    #[codec(index = 0)]
    System(SystemError),
    /// Balances errors.
    #[codec(index = 5)]
    Balances(BalancesError),
    /// Subtensor errors.
    #[codec(index = 7)]
    SubtensorModule(SubtensorModuleError),
    /// Sudo errors.
    #[codec(index = 12)]
    Sudo(SudoError),
    /// Commitments errors.
    #[codec(index = 18)]
    Commitments(CommitmentsError),
    /// AdminUtils errors.
    #[codec(index = 19)]
    AdminUtils(AdminUtilsError),
}
