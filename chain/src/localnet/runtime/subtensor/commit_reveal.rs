//! Hash commit-reveal of weights: `commit_weights` stores a hash, `reveal_weights` later shows
//! the weights behind it and sets them.
//!
//! The hash is `blake2_256(SCALE(hotkey: AccountId32, netuid: u16, uids: Vec<u16>,
//! values: Vec<u16>, salt: Vec<u16>, version_key: u64))` (the netuid is the mechanism storage
//! index, the netuid itself for mechanism 0), what the Python SDK's `generate_weight_hash`
//! computes. Epochs are numbered `(block + netuid + 1) / (tempo + 1)`; a commit made in epoch
//! `e` can be revealed only during epoch `e + RevealPeriodEpochs`, and expires after it.
//!
//! `commit_weights` checks: the subnet and mechanism exist (`MechanismDoesNotExist`),
//! commit-reveal is on (`CommitRevealDisabled`), the signer is registered
//! (`HotKeyNotRegisteredInSubNet`), `WeightsSetRateLimit` blocks since its `LastUpdate`
//! (`CommittingWeightsTooFast`); expired commits are dropped from the front of its queue, which
//! must then hold fewer than 10 (`TooManyUnrevealedCommits`). It stores `(hash, commit block,
//! first reveal block, last reveal block)` in `WeightCommits(netuid, hotkey)`, emits
//! `WeightsCommitted(hotkey, netuid, hash)` and moves `LastUpdate` to this block.
//!
//! `reveal_weights` checks: the subnet exists (`SubnetNotExists`), commit-reveal is on
//! (`CommitRevealDisabled`), the signer has commits (`NoWeightsCommitFound`); expired ones are
//! dropped; none left → `ExpiredWeightCommit` if the hash was among the expired, else
//! `NoWeightsCommitFound`; the hash not among the rest → `ExpiredWeightCommit` or
//! `InvalidRevealCommitHashNotMatch` likewise; outside its reveal epoch → `RevealTooEarly`.
//! The commit and every older one are removed, the weights go through every `set_weights`
//! check (without the rate limit), and `WeightsRevealed(hotkey, netuid, hash)` follows
//! `WeightsSet`. Any failure leaves the queue untouched.

use nya_metadata::runtime::calls::SubtensorModuleEvent;
use nya_metadata::runtime::errors::SubtensorModuleError as E;
use nya_metadata::runtime::types::{AccountId32, H256};
use parity_scale_codec::Encode;
use sp_crypto_hashing::blake2_256;

use super::storage::{self as st, WeightCommit};
use super::weights::{
    MAIN_MECHANISM, ensure_mechanism_exists, passes_rate_limit, set_last_update, store_weights,
};
use super::{deposit, ensure, error};
use crate::localnet::runtime::{Ctx, DispatchResult};
use crate::localnet::state::{CorruptValue, StorageRead};

/// Unrevealed commits one hotkey may hold per subnet.
pub const MAX_UNREVEALED_COMMITS: usize = 10;

/// The weights a reveal shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reveal {
    /// Target uids.
    pub uids: Vec<u16>,
    /// Weights, one per uid.
    pub values: Vec<u16>,
    /// The salt used in the commit.
    pub salt: Vec<u16>,
    /// Weights version key.
    pub version_key: u64,
}

/// The commit hash of `reveal` by `hotkey` on `netuid` (see the module doc).
pub fn commit_hash(hotkey: &AccountId32, netuid: u16, reveal: &Reveal) -> H256 {
    let encoded = (
        hotkey,
        netuid,
        &reveal.uids,
        &reveal.values,
        &reveal.salt,
        reveal.version_key,
    )
        .encode();
    H256(blake2_256(&encoded))
}

/// The epoch `block` belongs to on `netuid`.
pub fn epoch_index(tempo: u16, netuid: u16, block: u64) -> u64 {
    let offset = block.saturating_add(u64::from(netuid) + 1);
    offset / (u64::from(tempo) + 1)
}

/// Epoch numbering inputs of a subnet.
struct Schedule {
    tempo: u16,
    netuid: u16,
    reveal_period: u64,
}

impl Schedule {
    fn read(state: &(impl StorageRead + ?Sized), netuid: u16) -> Result<Schedule, CorruptValue> {
        Ok(Schedule {
            tempo: st::tempo(state, netuid)?,
            netuid,
            reveal_period: st::REVEAL_PERIOD_EPOCHS.get(state, &netuid)?,
        })
    }

    fn epoch(&self, block: u64) -> u64 {
        epoch_index(self.tempo, self.netuid, block)
    }

    /// The commit has passed its reveal epoch.
    fn expired(&self, commit_block: u64, now: u64) -> bool {
        self.epoch(now) > self.epoch(commit_block).saturating_add(self.reveal_period)
    }

    /// `now` is in the commit's reveal epoch.
    fn revealable(&self, commit_block: u64, now: u64) -> bool {
        self.epoch(now) == self.epoch(commit_block).saturating_add(self.reveal_period)
    }

    /// First and last block of the commit's reveal epoch.
    fn reveal_blocks(&self, commit_block: u64) -> (u64, u64) {
        let tempo_plus_one = u64::from(self.tempo) + 1;
        let reveal_epoch = self.epoch(commit_block).saturating_add(self.reveal_period);
        let first = reveal_epoch
            .saturating_mul(tempo_plus_one)
            .saturating_sub(u64::from(self.netuid) + 1);
        (first, first.saturating_add(u64::from(self.tempo)))
    }

    /// Splits off the expired commits at the front of the queue, returning their hashes.
    fn drop_expired(&self, commits: &mut Vec<WeightCommit>, now: u64) -> Vec<H256> {
        let keep_from = commits
            .iter()
            .position(|c| !self.expired(c.1, now))
            .unwrap_or(commits.len());
        commits.drain(..keep_from).map(|c| c.0).collect()
    }
}

/// `commit_weights(netuid, commit_hash)` signed by `hotkey`.
pub fn commit_weights(
    ctx: &mut Ctx<'_, '_>,
    hotkey: &AccountId32,
    netuid: u16,
    hash: H256,
) -> DispatchResult {
    ensure_mechanism_exists(ctx.state, netuid, MAIN_MECHANISM)?;
    ensure(
        st::COMMIT_REVEAL_WEIGHTS_ENABLED.get(ctx.state, &netuid)?,
        E::CommitRevealDisabled,
    )?;
    let Some(uid) = st::uid_of(ctx.state, netuid, hotkey)? else {
        return Err(error(E::HotKeyNotRegisteredInSubNet));
    };
    let block = u64::from(ctx.block);
    ensure(
        passes_rate_limit(ctx.state, netuid, uid, block)?,
        E::CommittingWeightsTooFast,
    )?;
    let schedule = Schedule::read(ctx.state, netuid)?;
    let (first, last) = schedule.reveal_blocks(block);
    let key = (netuid, *hotkey);
    let mut commits = st::WEIGHT_COMMITS.get(ctx.state, &key)?.unwrap_or_default();
    schedule.drop_expired(&mut commits, block);
    ensure(
        commits.len() < MAX_UNREVEALED_COMMITS,
        E::TooManyUnrevealedCommits,
    )?;
    commits.push((hash, block, first, last));
    st::WEIGHT_COMMITS.set(ctx.state, &key, &commits);
    deposit(
        ctx,
        SubtensorModuleEvent::WeightsCommitted(*hotkey, netuid, hash),
    );
    set_last_update(ctx, netuid, uid, block)?;
    Ok(())
}

/// `reveal_weights(netuid, uids, values, salt, version_key)` signed by `hotkey`.
pub fn reveal_weights(
    ctx: &mut Ctx<'_, '_>,
    hotkey: &AccountId32,
    netuid: u16,
    reveal: &Reveal,
) -> DispatchResult {
    ensure(st::subnet_exists(ctx.state, netuid)?, E::SubnetNotExists)?;
    ensure(
        st::COMMIT_REVEAL_WEIGHTS_ENABLED.get(ctx.state, &netuid)?,
        E::CommitRevealDisabled,
    )?;
    let key = (netuid, *hotkey);
    let Some(mut commits) = st::WEIGHT_COMMITS.get(ctx.state, &key)? else {
        return Err(error(E::NoWeightsCommitFound));
    };
    let now = u64::from(ctx.block);
    let schedule = Schedule::read(ctx.state, netuid)?;
    let expired = schedule.drop_expired(&mut commits, now);
    let hash = commit_hash(hotkey, netuid, reveal);
    let not_found = if expired.contains(&hash) {
        E::ExpiredWeightCommit
    } else if commits.is_empty() {
        E::NoWeightsCommitFound
    } else {
        E::InvalidRevealCommitHashNotMatch
    };
    let Some(position) = commits.iter().position(|c| c.0 == hash) else {
        return Err(error(not_found));
    };
    let commit_block = commits.get(position).map_or(0, |c| c.1);
    ensure(schedule.revealable(commit_block, now), E::RevealTooEarly)?;
    commits.drain(..=position);

    store_weights(
        ctx,
        hotkey,
        netuid,
        MAIN_MECHANISM,
        &reveal.uids,
        &reveal.values,
        reveal.version_key,
    )?;
    if commits.is_empty() {
        st::WEIGHT_COMMITS.remove(ctx.state, &key);
    } else {
        st::WEIGHT_COMMITS.set(ctx.state, &key, &commits);
    }
    deposit(
        ctx,
        SubtensorModuleEvent::WeightsRevealed(*hotkey, netuid, hash),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use nya_metadata::runtime::calls::SubtensorModuleCall;

    use super::super::testing::{World, account};
    use super::*;

    /// Subnet 1 with tempo 10 (epochs of 11 blocks: epoch e spans blocks 11e-2 ..= 11e+8),
    /// reveal period 1, rate limit 2, owner uid 0 staked and holding a validator permit (which
    /// the epochs keep renewing), miner uid 1.
    fn network() -> World {
        let mut w = World::with(|p| {
            p.tempo = 10;
            p.weights_set_rate_limit = 2;
        });
        w.fund(&account(10), 10_000_000_000);
        let call = SubtensorModuleCall::burned_register {
            netuid: 1,
            hotkey: account(11),
        };
        assert_eq!(w.call(&account(10), call), Ok(()));
        w.set(|s| {
            super::super::staking::increase_stake(s, &account(1), &account(2), 1, 1_000).unwrap();
            st::VALIDATOR_PERMIT.set(s, &1, &vec![true, false]);
        });
        w
    }

    fn reveal_of(salt: u16) -> Reveal {
        Reveal {
            uids: vec![1],
            values: vec![7],
            salt: vec![salt, 2],
            version_key: 0,
        }
    }

    fn commit(hash: H256) -> SubtensorModuleCall {
        SubtensorModuleCall::commit_weights {
            netuid: 1,
            commit_hash: hash,
        }
    }

    fn reveal(r: &Reveal) -> SubtensorModuleCall {
        SubtensorModuleCall::reveal_weights {
            netuid: 1,
            uids: r.uids.clone(),
            values: r.values.clone(),
            salt: r.salt.clone(),
            version_key: r.version_key,
        }
    }

    #[test]
    fn the_hash_is_blake2_of_the_scale_tuple() {
        let hotkey = account(1);
        let r = reveal_of(1);
        let mut bytes = hotkey.0.to_vec();
        bytes.extend_from_slice(&1u16.to_le_bytes());
        // Compact lengths (1 item = 0x04), then little-endian u16s.
        bytes.extend_from_slice(&[0x04, 1, 0]);
        bytes.extend_from_slice(&[0x04, 7, 0]);
        bytes.extend_from_slice(&[0x08, 1, 0, 2, 0]);
        bytes.extend_from_slice(&0u64.to_le_bytes());
        assert_eq!(commit_hash(&hotkey, 1, &r), H256(blake2_256(&bytes)));
    }

    #[test]
    fn epochs_and_reveal_windows_follow_the_chain_formula() {
        assert_eq!(epoch_index(10, 1, 0), 0);
        assert_eq!(epoch_index(10, 1, 8), 0);
        assert_eq!(epoch_index(10, 1, 9), 1);
        let s = Schedule {
            tempo: 10,
            netuid: 1,
            reveal_period: 1,
        };
        assert_eq!(s.reveal_blocks(5), (9, 19));
        assert!(!s.revealable(5, 8));
        assert!(s.revealable(5, 9) && s.revealable(5, 19));
        assert!(!s.expired(5, 19) && s.expired(5, 20));
    }

    #[test]
    fn commit_then_reveal_in_the_next_epoch_sets_the_weights() {
        let mut w = network();
        let owner = account(1);
        let r = reveal_of(1);
        let hash = commit_hash(&owner, 1, &r);
        w.run_to(5);
        assert_eq!(w.call(&owner, commit(hash)), Ok(()));
        w.read(|s| {
            assert_eq!(
                st::WEIGHT_COMMITS.get(s, &(1, owner)).unwrap(),
                Some(vec![(hash, 5, 9, 19)])
            );
            assert_eq!(st::LAST_UPDATE.get(s, &1).unwrap()[0], 5);
        });
        assert!(w.emitted(&SubtensorModuleEvent::WeightsCommitted(owner, 1, hash)));
        // Still epoch 0.
        w.run_to(8);
        assert_eq!(w.call(&owner, reveal(&r)), Err(error(E::RevealTooEarly)));
        w.run_to(9);
        assert_eq!(w.call(&owner, reveal(&r)), Ok(()));
        w.read(|s| {
            assert_eq!(st::WEIGHTS.get(s, &(1, 0)).unwrap(), vec![(1, 65535)]);
            assert_eq!(st::WEIGHT_COMMITS.get(s, &(1, owner)).unwrap(), None);
            // The reveal does not move LastUpdate; the commit did.
            assert_eq!(st::LAST_UPDATE.get(s, &1).unwrap()[0], 5);
        });
        assert!(w.emitted(&SubtensorModuleEvent::WeightsSet(1, 0)));
        assert!(w.emitted(&SubtensorModuleEvent::WeightsRevealed(owner, 1, hash)));
        assert_eq!(
            w.call(&owner, reveal(&r)),
            Err(error(E::NoWeightsCommitFound))
        );
    }

    #[test]
    fn reveal_errors_tell_expired_from_unknown() {
        let mut w = network();
        let owner = account(1);
        let (old, new) = (reveal_of(1), reveal_of(2));
        // Block 1 is epoch 0, block 9 epoch 1.
        assert_eq!(w.call(&owner, commit(commit_hash(&owner, 1, &old))), Ok(()));
        w.run_to(9);
        assert_eq!(w.call(&owner, commit(commit_hash(&owner, 1, &new))), Ok(()));
        // Block 20 is epoch 2: the first commit expired, the second is in its reveal epoch.
        w.run_to(20);
        assert_eq!(
            w.call(&owner, reveal(&old)),
            Err(error(E::ExpiredWeightCommit))
        );
        assert_eq!(
            w.call(&owner, reveal(&reveal_of(3))),
            Err(error(E::InvalidRevealCommitHashNotMatch))
        );
        // Failed reveals left the queue as it was, expired commit included.
        let stored = w.read(|s| st::WEIGHT_COMMITS.get(s, &(1, owner)).unwrap().unwrap());
        assert_eq!(stored.len(), 2);
        assert_eq!(
            w.call(&account(11), reveal(&old)),
            Err(error(E::NoWeightsCommitFound))
        );
        // Revealing the second drops the expired one before it too.
        assert_eq!(w.call(&owner, reveal(&new)), Ok(()));
        w.read(|s| assert_eq!(st::WEIGHT_COMMITS.get(s, &(1, owner)).unwrap(), None));
        // Every commit expired: an unknown hash finds nothing, the expired one says so.
        let last = reveal_of(4);
        assert_eq!(
            w.call(&owner, commit(commit_hash(&owner, 1, &last))),
            Ok(())
        );
        w.run_to(42);
        assert_eq!(
            w.call(&owner, reveal(&new)),
            Err(error(E::NoWeightsCommitFound))
        );
        assert_eq!(
            w.call(&owner, reveal(&last)),
            Err(error(E::ExpiredWeightCommit))
        );
    }

    #[test]
    fn commit_rejections_carry_the_chain_errors() {
        let mut w = network();
        let owner = account(1);
        let h = H256([9; 32]);
        let other = SubtensorModuleCall::commit_weights {
            netuid: 4,
            commit_hash: h,
        };
        assert_eq!(w.call(&owner, other), Err(error(E::MechanismDoesNotExist)));
        assert_eq!(
            w.call(&account(50), commit(h)),
            Err(error(E::HotKeyNotRegisteredInSubNet))
        );
        // The miner registered at block 1 with a rate limit of 2.
        assert_eq!(
            w.call(&account(11), commit(h)),
            Err(error(E::CommittingWeightsTooFast))
        );
        // Ten commits, one per block: six in epoch 0 (blocks 3..=8), four in epoch 1.
        w.set(|s| st::WEIGHTS_SET_RATE_LIMIT.set(s, &1, &1));
        for block in 3..=12u8 {
            w.run_to(u32::from(block));
            assert_eq!(
                w.call(&owner, commit(H256([block; 32]))),
                Ok(()),
                "block {block}"
            );
        }
        w.run_to(13);
        assert_eq!(
            w.call(&owner, commit(H256([13; 32]))),
            Err(error(E::TooManyUnrevealedCommits))
        );
        // Block 20 is epoch 2: the six epoch-0 commits expired and are dropped first.
        w.run_to(20);
        assert_eq!(w.call(&owner, commit(H256([20; 32]))), Ok(()));
        let stored = w.read(|s| st::WEIGHT_COMMITS.get(s, &(1, owner)).unwrap().unwrap());
        let blocks: Vec<u64> = stored.iter().map(|c| c.1).collect();
        assert_eq!(blocks, vec![9, 10, 11, 12, 20]);
        w.set(|s| st::COMMIT_REVEAL_WEIGHTS_ENABLED.set(s, &1, &false));
        assert_eq!(
            w.call(&owner, commit(h)),
            Err(error(E::CommitRevealDisabled))
        );
        assert_eq!(
            w.call(&owner, reveal(&reveal_of(1))),
            Err(error(E::CommitRevealDisabled))
        );
        let missing = SubtensorModuleCall::reveal_weights {
            netuid: 4,
            uids: vec![],
            values: vec![],
            salt: vec![],
            version_key: 0,
        };
        assert_eq!(w.call(&owner, missing), Err(error(E::SubnetNotExists)));
    }
}
