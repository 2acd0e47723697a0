//! `pallet_commitments` for the localnet: `set_commitment` with finney spec 393's rules.
//!
//! In the chain's order:
//! 1. signed origin (`BadOrigin` for root);
//! 2. the signer must be a hotkey registered on `netuid` (the runtime's `CanCommit` is
//!    `is_hotkey_registered_on_network`) → `AccountNotAllowedCommit`;
//! 3. at most `MaxFields` (3) fields → `TooManyFieldsInCommitmentInfo`. Unreachable through a
//!    real extrinsic, as on finney: the call's `BoundedVec` refuses a fourth field when it is
//!    decoded, so such a transaction never reaches dispatch;
//! 4. per-epoch space: each call uses `max(100, Σ field bytes)` (hash fields count 32, raw and
//!    timelocked fields their length, `None` and `ResetBondsFlag` nothing) out of `MaxSpace`
//!    (3100) per (netuid, hotkey) per subnet epoch, where the epoch index is subtensor's
//!    `(block + netuid + 1) / (tempo + 1)`; the count restarts when the epoch changes
//!    (`UsedSpaceOf`) → `SpaceLimitExceeded`.
//!
//! Then `CommitmentOf` gets `Registration { deposit, block, info }` (finney's deposits are
//! zero: `InitialDeposit` and `FieldDeposit` are 0, so nothing is reserved), `LastCommitment`
//! the block, and the event is `TimelockCommitment { netuid, who, reveal_round }` when a field
//! is timelock-encrypted, else `Commitment { netuid, who }`.
//!
//! Not modelled: drand timelock reveals (`TimelockedIndex`, `RevealedCommitments`) and the bond
//! reset a `ResetBondsFlag` field triggers (`LastBondsReset`); the localnet has no drand and no
//! bonds.

use nya_metadata::commitment::{CommitmentInfo, Data, MAX_FIELDS};
use nya_metadata::runtime::calls::{
    CommitmentsCall, CommitmentsError, CommitmentsEvent, RuntimeEvent,
};
use nya_metadata::runtime::dispatch::DispatchError;
use nya_metadata::runtime::items::{
    COMMITMENTS_COMMITMENT_OF, COMMITMENTS_LAST_COMMITMENT, COMMITMENTS_MAX_SPACE,
    COMMITMENTS_USED_SPACE_OF, UsedItem,
};
use nya_metadata::runtime::storage::DEFAULT_MAX_SPACE;
use nya_metadata::runtime::types::{AccountId32, Registration, UsageTracker};

use super::system::item_prefix;
use super::{Ctx, DispatchResult, Origin, subtensor};
use crate::localnet::state::{CorruptValue, StorageRead, get_decoded, key};

/// Pallet index of Commitments in finney's runtime.
pub const PALLET_INDEX: u8 = 18;

/// Space every `set_commitment` uses at least, in bytes.
pub const MIN_USED_SPACE: u64 = 100;

/// `Commitments(err)` as a dispatch error.
pub fn error(err: CommitmentsError) -> DispatchError {
    DispatchError::module(PALLET_INDEX, err as u8)
}

/// Key of a `(netuid: Identity, who: Twox64Concat)` double map of this pallet.
fn key_of(item: UsedItem, netuid: u16, who: &AccountId32) -> Vec<u8> {
    let mut k = item_prefix(item);
    key::identity(&mut k, &netuid);
    key::twox_64_concat(&mut k, who);
    k
}

/// `Commitments.CommitmentOf(netuid, who)`.
pub fn commitment_of(
    state: &impl StorageRead,
    netuid: u16,
    who: &AccountId32,
) -> Result<Option<Registration>, CorruptValue> {
    get_decoded(state, &key_of(COMMITMENTS_COMMITMENT_OF, netuid, who))
}

/// `Commitments.LastCommitment(netuid, who)`: the block of the latest commitment.
pub fn last_commitment(
    state: &impl StorageRead,
    netuid: u16,
    who: &AccountId32,
) -> Result<Option<u32>, CorruptValue> {
    get_decoded(state, &key_of(COMMITMENTS_LAST_COMMITMENT, netuid, who))
}

/// `Commitments.UsedSpaceOf(netuid, who)`.
pub fn used_space_of(
    state: &impl StorageRead,
    netuid: u16,
    who: &AccountId32,
) -> Result<Option<UsageTracker>, CorruptValue> {
    get_decoded(state, &key_of(COMMITMENTS_USED_SPACE_OF, netuid, who))
}

/// `Commitments.MaxSpace` (3100 unless set).
pub fn max_space(state: &impl StorageRead) -> Result<u32, CorruptValue> {
    Ok(get_decoded(state, &item_prefix(COMMITMENTS_MAX_SPACE))?.unwrap_or(DEFAULT_MAX_SPACE))
}

/// subtensor's epoch index of `block` on `netuid`: `(block + netuid + 1) / (tempo + 1)`.
pub fn epoch_index(netuid: u16, tempo: u16, block: u64) -> u64 {
    let with_offset = block.saturating_add(u64::from(netuid)).saturating_add(1);
    with_offset / (u64::from(tempo) + 1)
}

/// Bytes a field counts against the space limit (`Data::len_for_rate_limit`).
fn rate_limit_len(field: &Data) -> u64 {
    let len = match field {
        Data::None | Data::ResetBondsFlag => 0,
        Data::Raw(bytes) => bytes.len(),
        Data::BlakeTwo256(hash)
        | Data::Sha256(hash)
        | Data::Keccak256(hash)
        | Data::ShaThree256(hash) => hash.len(),
        Data::TimelockEncrypted { encrypted, .. } => encrypted.len(),
        Data::BigRaw(bytes) => bytes.len(),
    };
    u64::try_from(len).unwrap_or(u64::MAX)
}

/// `Commitments` calls.
pub fn dispatch(ctx: &mut Ctx<'_, '_>, origin: Origin, call: CommitmentsCall) -> DispatchResult {
    match call {
        CommitmentsCall::set_commitment { netuid, info } => {
            set_commitment(ctx, origin, netuid, info)
        }
    }
}

fn set_commitment(
    ctx: &mut Ctx<'_, '_>,
    origin: Origin,
    netuid: u16,
    info: CommitmentInfo,
) -> DispatchResult {
    let who = origin.signed()?;
    if subtensor::uid_of(ctx.state, netuid, &who)?.is_none() {
        return Err(error(CommitmentsError::AccountNotAllowedCommit));
    }
    if info.fields().len() > MAX_FIELDS {
        return Err(error(CommitmentsError::TooManyFieldsInCommitmentInfo));
    }

    let required = info
        .fields()
        .iter()
        .map(rate_limit_len)
        .fold(0u64, u64::saturating_add)
        .max(MIN_USED_SPACE);
    let tempo = subtensor::tempo(ctx.state, netuid)?;
    let current_epoch = epoch_index(netuid, tempo, u64::from(ctx.block));
    let mut usage = used_space_of(ctx.state, netuid, &who)?.unwrap_or_default();
    if usage.last_epoch != current_epoch {
        usage = UsageTracker {
            last_epoch: current_epoch,
            used_space: 0,
        };
    }
    let allowed = u64::from(max_space(ctx.state)?);
    if usage.used_space.saturating_add(required) > allowed {
        return Err(error(CommitmentsError::SpaceLimitExceeded));
    }
    usage.used_space = usage.used_space.saturating_add(required);
    ctx.state
        .set(key_of(COMMITMENTS_USED_SPACE_OF, netuid, &who), &usage);

    let reveal_round = info.fields().iter().find_map(|field| match field {
        Data::TimelockEncrypted { reveal_round, .. } => Some(*reveal_round),
        _ => None,
    });
    // Deposits are zero on finney (InitialDeposit = FieldDeposit = 0): nothing to reserve.
    let registration = Registration {
        deposit: 0,
        block: ctx.block,
        info,
    };
    ctx.state.set(
        key_of(COMMITMENTS_COMMITMENT_OF, netuid, &who),
        &registration,
    );
    ctx.state.set(
        key_of(COMMITMENTS_LAST_COMMITMENT, netuid, &who),
        &ctx.block,
    );
    let event = match reveal_round {
        Some(reveal_round) => CommitmentsEvent::TimelockCommitment {
            netuid,
            who,
            reveal_round,
        },
        None => CommitmentsEvent::Commitment { netuid, who },
    };
    ctx.deposit_event(RuntimeEvent::Commitments(event));
    Ok(())
}

#[cfg(test)]
mod tests {
    use nya_metadata::commitment::{RawBytes, TimelockBytes};
    use nya_metadata::runtime::calls::RuntimeCall;
    use nya_metadata::runtime::types::{EventRecord, Phase};
    use parity_scale_codec::{Decode, Encode};

    use super::*;
    use crate::localnet::runtime::subtensor::SubnetParams;
    use crate::localnet::state::{MemoryState, Overlay};

    const NETUID: u16 = 1;

    fn who(n: u8) -> AccountId32 {
        AccountId32([n; 32])
    }

    /// Subnet 1 (tempo 10) owned by account 1 with hotkey 2 registered.
    fn subnet_with_hotkey() -> MemoryState {
        let base = MemoryState::default();
        let mut overlay = Overlay::new(&base);
        let params = SubnetParams {
            tempo: 10,
            ..SubnetParams::default()
        };
        subtensor::create_subnet(&mut overlay, NETUID, &who(1), &who(2), &params).unwrap();
        let mut state = MemoryState::default();
        state.apply(&overlay.into_changes());
        state
    }

    fn raw(len: usize) -> Data {
        Data::Raw(RawBytes::new(vec![b'x'; len]).unwrap())
    }

    fn info(fields: Vec<Data>) -> CommitmentInfo {
        CommitmentInfo::new(fields).unwrap()
    }

    fn commit(
        base: &MemoryState,
        block: u32,
        signer: AccountId32,
        fields: Vec<Data>,
    ) -> (DispatchResult, Vec<RuntimeEvent>, MemoryState) {
        let mut overlay = Overlay::new(base);
        let mut events: Vec<EventRecord<RuntimeEvent>> = Vec::new();
        let out = {
            let mut ctx = Ctx {
                state: &mut overlay,
                block,
                events: &mut events,
                phase: Phase::ApplyExtrinsic(0),
            };
            let call = CommitmentsCall::set_commitment {
                netuid: NETUID,
                info: info(fields),
            };
            dispatch(&mut ctx, Origin::Signed(signer), call)
        };
        let mut after = base.clone();
        if out.is_ok() {
            after.apply(&overlay.into_changes());
        }
        (out, events.into_iter().map(|r| r.event).collect(), after)
    }

    #[test]
    fn commitments_epoch_index_matches_subtensor() {
        // tempo 10, netuid 1: blocks 0..=8 are epoch 0, block 9 starts epoch 1.
        assert_eq!(epoch_index(1, 10, 8), 0);
        assert_eq!(epoch_index(1, 10, 9), 1);
        assert_eq!(epoch_index(1, 10, 19), 1);
        assert_eq!(epoch_index(1, 10, 20), 2);
        assert_eq!(epoch_index(3, 360, 357), 1);
    }

    #[test]
    fn commitments_registered_hotkey_commits_and_the_chain_storage_follows() {
        let base = subnet_with_hotkey();
        let fields = vec![raw(20), Data::Sha256([7; 32])];
        let (out, events, after) = commit(&base, 3, who(2), fields.clone());
        assert_eq!(out, Ok(()));
        assert_eq!(
            events,
            vec![RuntimeEvent::Commitments(CommitmentsEvent::Commitment {
                netuid: NETUID,
                who: who(2)
            })]
        );
        let registration = commitment_of(&after, NETUID, &who(2)).unwrap().unwrap();
        assert_eq!(
            registration,
            Registration {
                deposit: 0,
                block: 3,
                info: info(fields)
            }
        );
        assert_eq!(last_commitment(&after, NETUID, &who(2)).unwrap(), Some(3));
        // 20 + 32 = 52 bytes, counted as the minimum of 100.
        assert_eq!(
            used_space_of(&after, NETUID, &who(2)).unwrap(),
            Some(UsageTracker {
                last_epoch: 0,
                used_space: 100
            })
        );
        // The stored value decodes the way clients read it.
        let bytes = after
            .get(&key_of(COMMITMENTS_COMMITMENT_OF, NETUID, &who(2)))
            .unwrap();
        assert_eq!(
            Registration::decode(&mut bytes.as_slice()).ok(),
            Some(registration)
        );
    }

    #[test]
    fn commitments_unregistered_hotkey_is_not_allowed() {
        let base = subnet_with_hotkey();
        let (out, events, _) = commit(&base, 3, who(9), vec![raw(4)]);
        assert_eq!(out, Err(DispatchError::module(18, 1)));
        assert!(events.is_empty());
        // The coldkey that owns the subnet is not a registered hotkey either.
        let (out, _, _) = commit(&base, 3, who(1), vec![raw(4)]);
        assert_eq!(out, Err(error(CommitmentsError::AccountNotAllowedCommit)));
    }

    #[test]
    fn commitments_root_origin_is_bad_origin() {
        let base = subnet_with_hotkey();
        let mut overlay = Overlay::new(&base);
        let mut events = Vec::new();
        let mut ctx = Ctx {
            state: &mut overlay,
            block: 1,
            events: &mut events,
            phase: Phase::ApplyExtrinsic(0),
        };
        let call = CommitmentsCall::set_commitment {
            netuid: NETUID,
            info: info(vec![raw(1)]),
        };
        assert_eq!(
            dispatch(&mut ctx, Origin::Root, call),
            Err(DispatchError::BadOrigin)
        );
    }

    #[test]
    fn commitments_fourth_field_is_refused_when_the_call_decodes() {
        // What finney does with MaxFields: the bounded field list does not decode.
        let call = RuntimeCall::Commitments(CommitmentsCall::set_commitment {
            netuid: NETUID,
            info: info(vec![raw(1), raw(1), raw(1)]),
        });
        let mut bytes = call.encode();
        // Compact field count 3 (0x0c) sits after pallet, call and netuid bytes.
        assert_eq!(bytes[4], 0x0c);
        bytes[4] = 0x10;
        bytes.extend_from_slice(&raw(1).encode());
        assert!(RuntimeCall::decode(&mut bytes.as_slice()).is_err());
    }

    #[test]
    fn commitments_space_limit_is_per_epoch() {
        let mut state = subnet_with_hotkey();
        // 512 + 128 + 32 = 672 bytes per call; 3100 / 672 = 4 calls fit in one epoch.
        let big = || {
            let big_raw = Data::big_raw(vec![b'y'; 512]).unwrap();
            vec![big_raw, raw(128), Data::Keccak256([1; 32])]
        };
        for n in 0..4 {
            let (out, _, after) = commit(&state, 10 + n, who(2), big());
            assert_eq!(out, Ok(()), "call {n}");
            state = after;
        }
        assert_eq!(
            used_space_of(&state, NETUID, &who(2)).unwrap(),
            Some(UsageTracker {
                last_epoch: 1,
                used_space: 4 * 672
            })
        );
        let (out, events, _) = commit(&state, 19, who(2), big());
        assert_eq!(out, Err(DispatchError::module(18, 2)));
        assert_eq!(out, Err(error(CommitmentsError::SpaceLimitExceeded)));
        assert!(events.is_empty());
        // Blocks 9..=19 are epoch 1 (tempo 10, netuid 1); block 20 starts epoch 2.
        let (out, _, after) = commit(&state, 20, who(2), big());
        assert_eq!(out, Ok(()));
        assert_eq!(
            used_space_of(&after, NETUID, &who(2)).unwrap(),
            Some(UsageTracker {
                last_epoch: 2,
                used_space: 672
            })
        );
    }

    #[test]
    fn commitments_max_space_can_be_lowered_by_storage() {
        let mut state = subnet_with_hotkey();
        state
            .0
            .insert(item_prefix(COMMITMENTS_MAX_SPACE), 150u32.encode());
        let (out, _, after) = commit(&state, 3, who(2), vec![raw(50)]);
        assert_eq!(out, Ok(()));
        let (out, _, _) = commit(&after, 4, who(2), vec![raw(50)]);
        assert_eq!(out, Err(error(CommitmentsError::SpaceLimitExceeded)));
    }

    #[test]
    fn commitments_timelocked_field_emits_the_timelock_event() {
        let base = subnet_with_hotkey();
        let field = Data::TimelockEncrypted {
            encrypted: TimelockBytes::new(vec![1; 300]).unwrap(),
            reveal_round: 42,
        };
        let (out, events, after) = commit(&base, 3, who(2), vec![field]);
        assert_eq!(out, Ok(()));
        assert_eq!(
            events,
            vec![RuntimeEvent::Commitments(
                CommitmentsEvent::TimelockCommitment {
                    netuid: NETUID,
                    who: who(2),
                    reveal_round: 42
                }
            )]
        );
        assert_eq!(
            used_space_of(&after, NETUID, &who(2))
                .unwrap()
                .map(|u| u.used_space),
            Some(300)
        );
    }

    #[test]
    fn commitments_a_new_commitment_replaces_the_old_one() {
        let base = subnet_with_hotkey();
        let (_, _, state) = commit(&base, 3, who(2), vec![raw(10)]);
        let (out, _, after) = commit(&state, 5, who(2), vec![raw(3)]);
        assert_eq!(out, Ok(()));
        let registration = commitment_of(&after, NETUID, &who(2)).unwrap().unwrap();
        assert_eq!(
            (registration.block, registration.info),
            (5, info(vec![raw(3)]))
        );
        assert_eq!(last_commitment(&after, NETUID, &who(2)).unwrap(), Some(5));
    }
}
