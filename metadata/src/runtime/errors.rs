//! Error enums of the pallets whose calls nya makes, complete and at finney spec-393 indices:
//! a failed call's `DispatchError::Module { index, error }` carries the pallet index and the
//! variant index below. Copied from the spec-393 metadata (checked by the mirror test).

use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

/// `pallet_balances::pallet::Error` (all variants).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Encode, Decode, TypeInfo)]
#[scale_info(capture_docs = "always")]
#[allow(missing_docs)] // Names are the chain's; see the pallet for meanings.
pub enum BalancesError {
    #[codec(index = 0)]
    VestingBalance,
    #[codec(index = 1)]
    LiquidityRestrictions,
    #[codec(index = 2)]
    InsufficientBalance,
    #[codec(index = 3)]
    ExistentialDeposit,
    #[codec(index = 4)]
    Expendability,
    #[codec(index = 5)]
    ExistingVestingSchedule,
    #[codec(index = 6)]
    DeadAccount,
    #[codec(index = 7)]
    TooManyReserves,
    #[codec(index = 8)]
    TooManyHolds,
    #[codec(index = 9)]
    TooManyFreezes,
    #[codec(index = 10)]
    IssuanceDeactivated,
    #[codec(index = 11)]
    DeltaZero,
}

/// `pallet_subtensor::pallet::Error` (all variants).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Encode, Decode, TypeInfo)]
#[scale_info(capture_docs = "always")]
#[allow(missing_docs)] // Names are the chain's; see the pallet for meanings.
pub enum SubtensorModuleError {
    #[codec(index = 0)]
    RootNetworkDoesNotExist,
    #[codec(index = 1)]
    InvalidIpType,
    #[codec(index = 2)]
    InvalidIpAddress,
    #[codec(index = 3)]
    InvalidPort,
    #[codec(index = 4)]
    HotKeyNotRegisteredInSubNet,
    #[codec(index = 5)]
    HotKeyAccountNotExists,
    #[codec(index = 6)]
    HotKeyNotRegisteredInNetwork,
    #[codec(index = 7)]
    NonAssociatedColdKey,
    #[codec(index = 8)]
    NotEnoughStake,
    #[codec(index = 9)]
    NotEnoughStakeToWithdraw,
    #[codec(index = 10)]
    NotEnoughStakeToSetWeights,
    #[codec(index = 11)]
    NotEnoughStakeToSetChildkeys,
    #[codec(index = 12)]
    NotEnoughBalanceToStake,
    #[codec(index = 13)]
    BalanceWithdrawalError,
    #[codec(index = 14)]
    ZeroBalanceAfterWithdrawn,
    #[codec(index = 15)]
    NeuronNoValidatorPermit,
    #[codec(index = 16)]
    WeightVecNotEqualSize,
    #[codec(index = 17)]
    DuplicateUids,
    #[codec(index = 18)]
    UidVecContainInvalidOne,
    #[codec(index = 19)]
    WeightVecLengthIsLow,
    #[codec(index = 20)]
    TooManyRegistrationsThisBlock,
    #[codec(index = 21)]
    HotKeyAlreadyRegisteredInSubNet,
    #[codec(index = 22)]
    NewHotKeyIsSameWithOld,
    #[codec(index = 23)]
    InvalidWorkBlock,
    #[codec(index = 24)]
    InvalidDifficulty,
    #[codec(index = 25)]
    InvalidSeal,
    #[codec(index = 26)]
    MaxWeightExceeded,
    #[codec(index = 27)]
    HotKeyAlreadyDelegate,
    #[codec(index = 28)]
    SettingWeightsTooFast,
    #[codec(index = 29)]
    IncorrectWeightVersionKey,
    #[codec(index = 30)]
    ServingRateLimitExceeded,
    #[codec(index = 31)]
    UidsLengthExceedUidsInSubNet,
    #[codec(index = 32)]
    NetworkTxRateLimitExceeded,
    #[codec(index = 33)]
    DelegateTxRateLimitExceeded,
    #[codec(index = 34)]
    HotKeySetTxRateLimitExceeded,
    #[codec(index = 35)]
    StakingRateLimitExceeded,
    #[codec(index = 36)]
    SubNetRegistrationDisabled,
    #[codec(index = 37)]
    TooManyRegistrationsThisInterval,
    #[codec(index = 38)]
    TransactorAccountShouldBeHotKey,
    #[codec(index = 39)]
    FaucetDisabled,
    #[codec(index = 40)]
    NotSubnetOwner,
    #[codec(index = 41)]
    RegistrationNotPermittedOnRootSubnet,
    #[codec(index = 42)]
    StakeTooLowForRoot,
    #[codec(index = 43)]
    AllNetworksInImmunity,
    #[codec(index = 44)]
    NotEnoughBalanceToPaySwapHotKey,
    #[codec(index = 45)]
    NotRootSubnet,
    #[codec(index = 46)]
    CanNotSetRootNetworkWeights,
    #[codec(index = 47)]
    NoNeuronIdAvailable,
    #[codec(index = 48)]
    DelegateTakeTooLow,
    #[codec(index = 49)]
    DelegateTakeTooHigh,
    #[codec(index = 50)]
    NoWeightsCommitFound,
    #[codec(index = 51)]
    InvalidRevealCommitHashNotMatch,
    #[codec(index = 52)]
    CommitRevealEnabled,
    #[codec(index = 53)]
    CommitRevealDisabled,
    #[codec(index = 54)]
    LiquidAlphaDisabled,
    #[codec(index = 55)]
    AlphaHighTooLow,
    #[codec(index = 56)]
    AlphaLowOutOfRange,
    #[codec(index = 57)]
    ColdKeyAlreadyAssociated,
    #[codec(index = 58)]
    NotEnoughBalanceToPaySwapColdKey,
    #[codec(index = 59)]
    InvalidChild,
    #[codec(index = 60)]
    DuplicateChild,
    #[codec(index = 61)]
    ProportionOverflow,
    #[codec(index = 62)]
    TooManyChildren,
    #[codec(index = 63)]
    TxRateLimitExceeded,
    #[codec(index = 64)]
    ColdkeySwapAnnouncementNotFound,
    #[codec(index = 65)]
    ColdkeySwapTooEarly,
    #[codec(index = 66)]
    ColdkeySwapReannouncedTooEarly,
    #[codec(index = 67)]
    AnnouncedColdkeyHashDoesNotMatch,
    #[codec(index = 68)]
    ColdkeySwapAlreadyDisputed,
    #[codec(index = 69)]
    NewColdKeyIsHotkey,
    #[codec(index = 70)]
    InvalidChildkeyTake,
    #[codec(index = 71)]
    TxChildkeyTakeRateLimitExceeded,
    #[codec(index = 72)]
    InvalidIdentity,
    #[codec(index = 73)]
    MechanismDoesNotExist,
    #[codec(index = 74)]
    CannotUnstakeLock,
    #[codec(index = 75)]
    SubnetNotExists,
    #[codec(index = 76)]
    TooManyUnrevealedCommits,
    #[codec(index = 77)]
    ExpiredWeightCommit,
    #[codec(index = 78)]
    RevealTooEarly,
    #[codec(index = 79)]
    InputLengthsUnequal,
    #[codec(index = 80)]
    CommittingWeightsTooFast,
    #[codec(index = 81)]
    AmountTooLow,
    #[codec(index = 82)]
    InsufficientLiquidity,
    #[codec(index = 83)]
    SlippageTooHigh,
    #[codec(index = 84)]
    TransferDisallowed,
    #[codec(index = 85)]
    ActivityCutoffTooLow,
    #[codec(index = 86)]
    CallDisabled,
    #[codec(index = 87)]
    FirstEmissionBlockNumberAlreadySet,
    #[codec(index = 88)]
    NeedWaitingMoreBlocksToStarCall,
    #[codec(index = 89)]
    NotEnoughAlphaOutToRecycle,
    #[codec(index = 90)]
    CannotBurnOrRecycleOnRootSubnet,
    #[codec(index = 91)]
    UnableToRecoverPublicKey,
    #[codec(index = 92)]
    InvalidRecoveredPublicKey,
    #[codec(index = 93)]
    SubtokenDisabled,
    #[codec(index = 94)]
    HotKeySwapOnSubnetIntervalNotPassed,
    #[codec(index = 95)]
    ZeroMaxStakeAmount,
    #[codec(index = 96)]
    SameNetuid,
    #[codec(index = 97)]
    InsufficientBalance,
    #[codec(index = 98)]
    StakingOperationRateLimitExceeded,
    #[codec(index = 99)]
    InvalidLeaseBeneficiary,
    #[codec(index = 100)]
    LeaseCannotEndInThePast,
    #[codec(index = 101)]
    LeaseNetuidNotFound,
    #[codec(index = 102)]
    LeaseDoesNotExist,
    #[codec(index = 103)]
    LeaseHasNoEndBlock,
    #[codec(index = 104)]
    LeaseHasNotEnded,
    #[codec(index = 105)]
    Overflow,
    #[codec(index = 106)]
    BeneficiaryDoesNotOwnHotkey,
    #[codec(index = 107)]
    ExpectedBeneficiaryOrigin,
    #[codec(index = 108)]
    AdminActionProhibitedDuringWeightsWindow,
    #[codec(index = 109)]
    SymbolDoesNotExist,
    #[codec(index = 110)]
    SymbolAlreadyInUse,
    #[codec(index = 111)]
    IncorrectCommitRevealVersion,
    #[codec(index = 112)]
    RevealPeriodTooLarge,
    #[codec(index = 113)]
    RevealPeriodTooSmall,
    #[codec(index = 114)]
    InvalidValue,
    #[codec(index = 115)]
    SubnetLimitReached,
    #[codec(index = 116)]
    CannotAffordLockCost,
    #[codec(index = 117)]
    EvmKeyAssociateRateLimitExceeded,
    #[codec(index = 118)]
    SameAutoStakeHotkeyAlreadySet,
    #[codec(index = 119)]
    UidMapCouldNotBeCleared,
    #[codec(index = 120)]
    TrimmingWouldExceedMaxImmunePercentage,
    #[codec(index = 121)]
    ChildParentInconsistency,
    #[codec(index = 122)]
    InvalidNumRootClaim,
    #[codec(index = 123)]
    InvalidRootClaimThreshold,
    #[codec(index = 124)]
    InvalidSubnetNumber,
    #[codec(index = 125)]
    TooManyUIDsPerMechanism,
    #[codec(index = 126)]
    VotingPowerTrackingNotEnabled,
    #[codec(index = 127)]
    InvalidVotingPowerEmaAlpha,
    #[codec(index = 128)]
    PrecisionLoss,
    #[codec(index = 129)]
    Deprecated,
    #[codec(index = 130)]
    AddStakeBurnRateLimitExceeded,
    #[codec(index = 131)]
    ColdkeySwapAnnounced,
    #[codec(index = 132)]
    ColdkeySwapDisputed,
    #[codec(index = 133)]
    ColdkeySwapClearTooEarly,
    #[codec(index = 134)]
    DisabledTemporarily,
}
