//! Emission and the per-tempo epoch: a documented simplification of Yuma consensus that moves
//! the metagraph the way miners and validators expect, in the chain's `I32F32` arithmetic and
//! with the chain's storage outputs.
//!
//! Every block (from `FirstEmissionBlockNumber` on) a subnet other than root accrues
//! `BlockEmission` alpha: the owner's `SubnetOwnerCut` share to `PendingOwnerCut`, the rest split
//! evenly into `PendingServerEmission` and `PendingValidatorEmission` (finney also splits out
//! root dividends; the localnet has no root stake). The epoch runs in the block where
//! `(block + netuid + 1) % (tempo + 1) == tempo`, on the pending total `E`:
//!
//! 1. **Stake** `s`: `TotalHotkeyAlpha` per uid, normalised. **Active**: `LastUpdate +
//!    ActivityCutoff ≥ block`. **New validator permits**: the top `MaxAllowedValidators` by
//!    stake among non-zero stakes (ties favour the higher uid, as the chain's stable sort does).
//! 2. **Active stake** `a`: `s` with inactive uids and uids without a permit (from the previous
//!    epoch) zeroed, normalised.
//! 3. **Weights** `W`: rows of uids with a permit, self-weights removed, weights set before the
//!    target registered removed, rows normalised.
//! 4. **Consensus** `c_j`: the largest weight that validators holding at least `Kappa` of the
//!    active stake give `j` or more (a stake-weighted quantile; the chain computes a weighted
//!    median with the same meaning). **Clipped weights** `C = min(W, c)`.
//! 5. **Ranks** `r = Cᵀa`, **trust** `r / (Wᵀa)`, **incentive** `r` normalised (stored as
//!    `Rank` and `Incentive`), **validator trust** the row sums of `C`.
//! 6. **Dividends**: bonds `B = C·a` per row, each column normalised, taken as they are (the
//!    chain keeps an exponential moving average of them; here it is instantaneous, so no
//!    `Bonds` are stored); dividends `B·incentive`, normalised.
//! 7. **Emission** (the chain's formula): miners get `E·incentive/(Σincentive + Σdividends)`,
//!    validators `E·dividends/(Σincentive + Σdividends)`; with no usable weights at all,
//!    validators get `E` by active stake (by stake when no stake is active). Each uid's
//!    alpha is staked to its hotkey for the hotkey's owner coldkey (finney shares a validator's
//!    dividends with its nominators after a take); the owner cut is staked to the owner hotkey
//!    for the owner coldkey. `Emission` holds each uid's total, `AlphaDividendsPerSubnet` its
//!    dividends.
//! 8. `PruningScores` are the normalised total emission, max-upscaled to `u16::MAX`; the other
//!    per-uid vectors are proportions of `u16::MAX`, floored.

use nya_metadata::runtime::types::AccountId32;

use super::fixed::{
    I32F32, max_upscale_to_u16, normalize, normalize_amounts, proportion_to_u16, sum,
};
use super::staking::increase_stake;
use super::storage as st;
use crate::localnet::state::{CorruptValue, Overlay};

/// Whether `netuid`'s epoch runs in `block` (`blocks_until_next_epoch == 0`).
pub fn is_epoch_block(tempo: u16, netuid: u16, block: u64) -> bool {
    if tempo == 0 {
        return false;
    }
    let tempo = u64::from(tempo);
    block.saturating_add(u64::from(netuid) + 1) % (tempo + 1) == tempo
}

/// Everything the epoch reads, per uid.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EpochInput {
    /// The block the epoch runs in.
    pub block: u64,
    /// Alpha staked on each uid's hotkey.
    pub stake: Vec<u64>,
    /// `LastUpdate`.
    pub last_update: Vec<u64>,
    /// `BlockAtRegistration`.
    pub registered_at: Vec<u64>,
    /// `ValidatorPermit` from the previous epoch.
    pub permits: Vec<bool>,
    /// `Weights` rows.
    pub weights: Vec<Vec<(u16, u16)>>,
    /// `ActivityCutoff`.
    pub activity_cutoff: u16,
    /// `Kappa`.
    pub kappa: u16,
    /// `MaxAllowedValidators`.
    pub max_validators: u16,
}

/// What the epoch writes, per uid.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EpochOutput {
    /// `Active`.
    pub active: Vec<bool>,
    /// `Rank` (equal to `Incentive`).
    pub rank: Vec<u16>,
    /// `Trust`.
    pub trust: Vec<u16>,
    /// `Consensus`.
    pub consensus: Vec<u16>,
    /// `Incentive`.
    pub incentive: Vec<u16>,
    /// `Dividends`.
    pub dividends: Vec<u16>,
    /// `ValidatorTrust`.
    pub validator_trust: Vec<u16>,
    /// `PruningScores`.
    pub pruning_scores: Vec<u16>,
    /// `ValidatorPermit` for the next epoch.
    pub permits: Vec<bool>,
    /// Alpha to each uid as a miner.
    pub server_emission: Vec<u64>,
    /// Alpha to each uid as a validator.
    pub validator_emission: Vec<u64>,
}

/// True for the `k` largest non-zero values (all non-zero ones when fewer than `k`); among
/// equal values the later index wins, as the chain's ascending stable sort leaves it.
fn top_k_nonzero(values: &[I32F32], k: usize) -> Vec<bool> {
    let mut chosen: Vec<bool> = values.iter().map(|v| *v != I32F32::ZERO).collect();
    if values.len() < k {
        return chosen;
    }
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by_key(|i| values.get(*i).copied().unwrap_or_default());
    for i in order.into_iter().take(values.len() - k) {
        if let Some(slot) = chosen.get_mut(i) {
            *slot = false;
        }
    }
    chosen
}

/// The largest weight that holders of at least `kappa` of the stake give (see the module doc).
fn consensus_of(column: &mut [(I32F32, I32F32)], kappa: I32F32) -> I32F32 {
    // (weight, stake), heaviest weight first.
    column.sort_by_key(|entry| std::cmp::Reverse(entry.0));
    let mut supported = I32F32::ZERO;
    for (i, (weight, stake)) in column.iter().enumerate() {
        supported = supported.saturating_add(*stake);
        let group_ends = column.get(i + 1).is_none_or(|next| next.0 != *weight);
        if group_ends && supported >= kappa && supported > I32F32::ZERO {
            return *weight;
        }
    }
    I32F32::ZERO
}

/// The epoch over one subnet's inputs, distributing `emission` alpha.
pub fn run(input: &EpochInput, emission: u64) -> EpochOutput {
    let n = input.stake.len();
    let uid_value = |values: &[u64], i: usize| values.get(i).copied().unwrap_or(0);

    let active: Vec<bool> = (0..n)
        .map(|i| {
            uid_value(&input.last_update, i).saturating_add(u64::from(input.activity_cutoff))
                >= input.block
        })
        .collect();
    let stake = normalize_amounts(&input.stake);
    let permits = top_k_nonzero(&stake, usize::from(input.max_validators));
    let permitted = |i: usize| input.permits.get(i).copied().unwrap_or(false);

    let mut active_stake: Vec<I32F32> = (0..n)
        .map(|i| {
            let counts = active.get(i).copied().unwrap_or(false) && permitted(i);
            if counts {
                stake.get(i).copied().unwrap_or_default()
            } else {
                I32F32::ZERO
            }
        })
        .collect();
    normalize(&mut active_stake);
    let a = |i: usize| active_stake.get(i).copied().unwrap_or_default();

    // Sparse weight rows: (target, weight), normalised.
    let mut rows: Vec<Vec<(usize, I32F32)>> = vec![Vec::new(); n];
    for (i, row) in rows.iter_mut().enumerate() {
        if !permitted(i) {
            continue;
        }
        let set_at = uid_value(&input.last_update, i);
        for &(target, weight) in input.weights.get(i).map_or(&[][..], |w| w.as_slice()) {
            let j = usize::from(target);
            let outdated = set_at <= uid_value(&input.registered_at, j);
            if j != i && j < n && !outdated {
                row.push((j, I32F32::from_u64(u64::from(weight))));
            }
        }
        let total = row
            .iter()
            .fold(I32F32::ZERO, |acc, (_, w)| acc.saturating_add(*w));
        if total > I32F32::ZERO {
            for (_, w) in row.iter_mut() {
                *w = w.safe_div(total);
            }
        }
    }

    // Pre-ranks, and each column's (weight, active stake) over validators with active stake
    // (a validator without one adds nothing to either).
    let mut preranks = vec![I32F32::ZERO; n];
    let mut columns: Vec<Vec<(I32F32, I32F32)>> = vec![Vec::new(); n];
    for (i, row) in rows.iter().enumerate() {
        let stake_i = a(i);
        if stake_i == I32F32::ZERO {
            continue;
        }
        let mut weight_on = vec![I32F32::ZERO; n];
        for &(j, w) in row {
            if let Some(p) = preranks.get_mut(j) {
                *p = p.saturating_add(w.saturating_mul(stake_i));
            }
            if let Some(slot) = weight_on.get_mut(j) {
                *slot = w;
            }
        }
        for (column, w) in columns.iter_mut().zip(weight_on) {
            column.push((w, stake_i));
        }
    }
    let kappa =
        I32F32::from_u64(u64::from(input.kappa)).safe_div(I32F32::from_u64(u64::from(u16::MAX)));
    let consensus: Vec<I32F32> = columns
        .iter_mut()
        .map(|column| consensus_of(column, kappa))
        .collect();

    let clipped: Vec<Vec<(usize, I32F32)>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|&(j, w)| (j, w.min(consensus.get(j).copied().unwrap_or_default())))
                .collect()
        })
        .collect();
    let validator_trust: Vec<I32F32> = clipped
        .iter()
        .map(|row| {
            row.iter()
                .fold(I32F32::ZERO, |acc, (_, w)| acc.saturating_add(*w))
        })
        .collect();
    let mut ranks = vec![I32F32::ZERO; n];
    for (i, row) in clipped.iter().enumerate() {
        for &(j, w) in row {
            if let Some(r) = ranks.get_mut(j) {
                *r = r.saturating_add(w.saturating_mul(a(i)));
            }
        }
    }
    let trust: Vec<I32F32> = ranks
        .iter()
        .zip(&preranks)
        .map(|(r, p)| r.safe_div(*p))
        .collect();
    let mut incentive = ranks;
    normalize(&mut incentive);

    // Bonds: clipped weight times the validator's active stake, each column normalised.
    let mut bond_column_sum = vec![I32F32::ZERO; n];
    let bonds: Vec<Vec<(usize, I32F32)>> = clipped
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .map(|&(j, w)| {
                    let delta = w.saturating_mul(a(i));
                    if let Some(total) = bond_column_sum.get_mut(j) {
                        *total = total.saturating_add(delta);
                    }
                    (j, delta)
                })
                .collect()
        })
        .collect();
    let mut dividends: Vec<I32F32> = bonds
        .iter()
        .map(|row| {
            row.iter().fold(I32F32::ZERO, |acc, &(j, delta)| {
                let column = bond_column_sum.get(j).copied().unwrap_or_default();
                let bond = if column == I32F32::ZERO {
                    delta
                } else {
                    delta.safe_div(column)
                };
                acc.saturating_add(
                    bond.saturating_mul(incentive.get(j).copied().unwrap_or_default()),
                )
            })
        })
        .collect();
    normalize(&mut dividends);

    let emission_sum = sum(&incentive).saturating_add(sum(&dividends));
    let mut combined: Vec<I32F32> = incentive
        .iter()
        .zip(&dividends)
        .map(|(i, d)| i.saturating_add(*d))
        .collect();
    normalize(&mut combined);
    let (server_share, validator_share): (Vec<I32F32>, Vec<I32F32>) =
        if emission_sum == I32F32::ZERO {
            let fallback = if sum(&active_stake) == I32F32::ZERO {
                stake.clone()
            } else {
                active_stake.clone()
            };
            combined.clone_from(&fallback);
            (vec![I32F32::ZERO; n], fallback)
        } else {
            (
                incentive.iter().map(|v| v.safe_div(emission_sum)).collect(),
                dividends.iter().map(|v| v.safe_div(emission_sum)).collect(),
            )
        };

    let to_u16 = |values: &[I32F32]| values.iter().map(|v| proportion_to_u16(*v)).collect();
    EpochOutput {
        active,
        rank: to_u16(&incentive),
        trust: to_u16(&trust),
        consensus: to_u16(&consensus),
        incentive: to_u16(&incentive),
        dividends: to_u16(&dividends),
        validator_trust: to_u16(&validator_trust),
        pruning_scores: max_upscale_to_u16(&combined),
        permits,
        server_emission: server_share.iter().map(|v| v.share_of(emission)).collect(),
        validator_emission: validator_share
            .iter()
            .map(|v| v.share_of(emission))
            .collect(),
    }
}

/// One block of emission bookkeeping for `netuid`, and its epoch when due.
pub fn block_step(state: &mut Overlay<'_>, netuid: u16, block: u64) -> Result<(), CorruptValue> {
    if netuid == 0 {
        return Ok(());
    }
    let emitting = st::FIRST_EMISSION_BLOCK_NUMBER
        .get(state, &netuid)?
        .is_some_and(|first| block >= first);
    if emitting {
        accrue(state, netuid)?;
    }
    st::BLOCKS_SINCE_LAST_STEP.update(state, &netuid, |b| *b = b.saturating_add(1))?;
    if is_epoch_block(st::tempo(state, netuid)?, netuid, block) {
        epoch(state, netuid, block)?;
        st::BLOCKS_SINCE_LAST_STEP.set(state, &netuid, &0);
        st::LAST_MECHANISM_STEP_BLOCK.set(state, &netuid, &block);
    }
    Ok(())
}

/// Adds one block's emission to the subnet's pending amounts.
fn accrue(state: &mut Overlay<'_>, netuid: u16) -> Result<(), CorruptValue> {
    let emission = st::BLOCK_EMISSION.get(state)?;
    let cut_share = st::SUBNET_OWNER_CUT.get(state)?;
    let cut = u128::from(emission) * u128::from(cut_share) / u128::from(u16::MAX);
    let cut = u64::try_from(cut).unwrap_or(emission);
    let rest = emission.saturating_sub(cut);
    let server = rest / 2;
    st::PENDING_OWNER_CUT.update(state, &netuid, |v| *v = v.saturating_add(cut))?;
    st::PENDING_SERVER_EMISSION.update(state, &netuid, |v| *v = v.saturating_add(server))?;
    st::PENDING_VALIDATOR_EMISSION.update(state, &netuid, |v| {
        *v = v.saturating_add(rest - server);
    })?;
    Ok(())
}

/// Runs the epoch of `netuid` on its stored state, writes the outputs and pays the emission.
fn epoch(state: &mut Overlay<'_>, netuid: u16, block: u64) -> Result<(), CorruptValue> {
    let pending = st::PENDING_SERVER_EMISSION
        .get(state, &netuid)?
        .saturating_add(st::PENDING_VALIDATOR_EMISSION.get(state, &netuid)?);
    let owner_cut = st::PENDING_OWNER_CUT.get(state, &netuid)?;
    st::PENDING_SERVER_EMISSION.set(state, &netuid, &0);
    st::PENDING_VALIDATOR_EMISSION.set(state, &netuid, &0);
    st::PENDING_OWNER_CUT.set(state, &netuid, &0);

    let n = st::SUBNETWORK_N.get(state, &netuid)?;
    let mut hotkeys: Vec<Option<AccountId32>> = Vec::with_capacity(usize::from(n));
    let mut input = EpochInput {
        block,
        last_update: st::LAST_UPDATE.get(state, &netuid)?,
        permits: st::VALIDATOR_PERMIT.get(state, &netuid)?,
        activity_cutoff: st::ACTIVITY_CUTOFF.get(state, &netuid)?,
        kappa: st::KAPPA.get(state, &netuid)?,
        max_validators: st::MAX_ALLOWED_VALIDATORS.get(state, &netuid)?,
        ..EpochInput::default()
    };
    for uid in 0..n {
        let hotkey = st::hotkey_of(state, netuid, uid)?;
        let stake = match &hotkey {
            Some(h) => st::TOTAL_HOTKEY_ALPHA.get(state, &(*h, netuid))?,
            None => 0,
        };
        input.stake.push(stake);
        input
            .registered_at
            .push(st::BLOCK_AT_REGISTRATION.get(state, &(netuid, uid))?);
        input.weights.push(st::WEIGHTS.get(state, &(netuid, uid))?);
        hotkeys.push(hotkey);
    }
    let out = run(&input, pending);

    st::ACTIVE.set(state, &netuid, &out.active);
    st::RANK.set(state, &netuid, &out.rank);
    st::TRUST.set(state, &netuid, &out.trust);
    st::CONSENSUS.set(state, &netuid, &out.consensus);
    st::INCENTIVE.set(state, &netuid, &out.incentive);
    st::DIVIDENDS.set(state, &netuid, &out.dividends);
    st::VALIDATOR_TRUST.set(state, &netuid, &out.validator_trust);
    st::PRUNING_SCORES.set(state, &netuid, &out.pruning_scores);
    st::VALIDATOR_PERMIT.set(state, &netuid, &out.permits);
    let totals: Vec<u64> = out
        .server_emission
        .iter()
        .zip(&out.validator_emission)
        .map(|(s, v)| s.saturating_add(*v))
        .collect();
    st::EMISSION.set(state, &netuid, &totals);

    for ((hotkey, total), dividends) in hotkeys.iter().zip(&totals).zip(&out.validator_emission) {
        let Some(hotkey) = hotkey else { continue };
        st::ALPHA_DIVIDENDS_PER_SUBNET.set(state, &(netuid, *hotkey), dividends);
        let coldkey = st::OWNER.get(state, hotkey)?;
        increase_stake(state, hotkey, &coldkey, netuid, *total)?;
    }
    if owner_cut > 0 && st::SUBNET_OWNER_HOTKEY.contains(state, &netuid) {
        let owner_hotkey = st::SUBNET_OWNER_HOTKEY.get(state, &netuid)?;
        let owner = st::SUBNET_OWNER.get(state, &netuid)?;
        increase_stake(state, &owner_hotkey, &owner, netuid, owner_cut)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use nya_metadata::runtime::calls::SubtensorModuleCall;

    use super::super::testing::{World, account};
    use super::*;

    #[test]
    fn epochs_run_on_the_chain_schedule() {
        // tempo 10, netuid 1: (block + 2) % 11 == 10.
        let blocks: Vec<u64> = (0..40).filter(|b| is_epoch_block(10, 1, *b)).collect();
        assert_eq!(blocks, vec![8, 19, 30]);
        assert!(!is_epoch_block(0, 1, 8));
        assert!(is_epoch_block(360, 0, 359));
    }

    #[test]
    fn top_k_keeps_the_largest_non_zero_stakes() {
        let v = |x: u64| I32F32::from_u64(x);
        assert_eq!(
            top_k_nonzero(&[v(3), v(0), v(5)], 4),
            vec![true, false, true]
        );
        assert_eq!(
            top_k_nonzero(&[v(3), v(1), v(5)], 2),
            vec![true, false, true]
        );
        // A tie: the later uid is kept.
        assert_eq!(
            top_k_nonzero(&[v(2), v(2), v(1)], 1),
            vec![false, true, false]
        );
    }

    /// Subnet 1, tempo 10 (epoch at block 8), no block emission of its own, uids: 0 the owner
    /// (hotkey 1), then hotkeys 11.. registered at block 1 by coldkey 10.
    fn network(extra: &[u8]) -> World {
        let mut w = World::with(|p| {
            p.tempo = 10;
            p.commit_reveal_weights_enabled = false;
            p.max_registrations_per_block = 10;
            p.target_registrations_per_interval = 10;
            p.weights_set_rate_limit = 0;
        });
        w.fund(&account(10), 10_000_000_000);
        for hotkey in extra {
            let call = SubtensorModuleCall::burned_register {
                netuid: 1,
                hotkey: account(*hotkey),
            };
            assert_eq!(w.call(&account(10), call), Ok(()));
        }
        w.set(|s| {
            st::BLOCK_EMISSION.set(s, &0);
            st::PENDING_SERVER_EMISSION.set(s, &1, &400);
            st::PENDING_VALIDATOR_EMISSION.set(s, &1, &400);
            st::PENDING_OWNER_CUT.set(s, &1, &50);
        });
        w.next_block();
        w
    }

    fn set_weights(w: &mut World, hotkey: u8, dests: Vec<u16>, weights: Vec<u16>) {
        let call = SubtensorModuleCall::set_weights {
            netuid: 1,
            dests,
            weights,
            version_key: 0,
        };
        assert_eq!(w.call(&account(hotkey), call), Ok(()));
    }

    #[test]
    fn one_validator_pays_its_miners_by_weight() {
        let mut w = network(&[11, 12]);
        w.set(|s| {
            increase_stake(s, &account(1), &account(2), 1, 1_000).unwrap();
            st::VALIDATOR_PERMIT.set(s, &1, &vec![true, false, false]);
        });
        set_weights(&mut w, 1, vec![1, 2], vec![3, 1]);
        w.run_to(8);
        w.read(|s| {
            assert_eq!(st::INCENTIVE.get(s, &1).unwrap(), vec![0, 49151, 16383]);
            assert_eq!(st::RANK.get(s, &1).unwrap(), vec![0, 49151, 16383]);
            assert_eq!(st::CONSENSUS.get(s, &1).unwrap(), vec![0, 49151, 16383]);
            assert_eq!(st::TRUST.get(s, &1).unwrap(), vec![0, 65535, 65535]);
            assert_eq!(st::DIVIDENDS.get(s, &1).unwrap(), vec![65535, 0, 0]);
            assert_eq!(st::VALIDATOR_TRUST.get(s, &1).unwrap(), vec![65535, 0, 0]);
            assert_eq!(
                st::PRUNING_SCORES.get(s, &1).unwrap(),
                vec![65535, 49151, 16384]
            );
            assert_eq!(st::EMISSION.get(s, &1).unwrap(), vec![400, 300, 100]);
            assert_eq!(st::ACTIVE.get(s, &1).unwrap(), vec![true, true, true]);
            assert_eq!(
                st::VALIDATOR_PERMIT.get(s, &1).unwrap(),
                vec![true, false, false]
            );
            // Stake: the owner's 1000 + 400 dividends + 50 owner cut; miners their incentive.
            assert_eq!(
                st::TOTAL_HOTKEY_ALPHA.get(s, &(account(1), 1)).unwrap(),
                1_450
            );
            assert_eq!(
                st::TOTAL_HOTKEY_ALPHA.get(s, &(account(11), 1)).unwrap(),
                300
            );
            assert_eq!(
                st::TOTAL_HOTKEY_ALPHA.get(s, &(account(12), 1)).unwrap(),
                100
            );
            assert_eq!(
                st::ALPHA_DIVIDENDS_PER_SUBNET
                    .get(s, &(1, account(1)))
                    .unwrap(),
                400
            );
            assert_eq!(st::PENDING_SERVER_EMISSION.get(s, &1).unwrap(), 0);
            assert_eq!(st::LAST_MECHANISM_STEP_BLOCK.get(s, &1).unwrap(), 8);
            assert_eq!(st::BLOCKS_SINCE_LAST_STEP.get(s, &1).unwrap(), 0);
            let neurons = st::neurons(s, 1).unwrap();
            assert_eq!(neurons[1].incentive, 49151);
            assert_eq!(neurons[1].emission, 300);
            assert_eq!(neurons[1].coldkey, account(10));
            assert_eq!(neurons[0].stake, 1_450);
        });
    }

    #[test]
    fn consensus_clips_the_minority_validator() {
        // uids: 0 owner (validator, 3/4 of the stake), 1 validator (1/4), 2 and 3 miners.
        let mut w = network(&[11, 12, 13]);
        w.set(|s| {
            increase_stake(s, &account(1), &account(2), 1, 3_000).unwrap();
            increase_stake(s, &account(11), &account(10), 1, 1_000).unwrap();
            st::VALIDATOR_PERMIT.set(s, &1, &vec![true, true, false, false]);
        });
        set_weights(&mut w, 1, vec![2], vec![1]);
        set_weights(&mut w, 11, vec![3], vec![1]);
        w.run_to(8);
        w.read(|s| {
            assert_eq!(st::CONSENSUS.get(s, &1).unwrap(), vec![0, 0, 65535, 0]);
            assert_eq!(st::INCENTIVE.get(s, &1).unwrap(), vec![0, 0, 65535, 0]);
            assert_eq!(st::TRUST.get(s, &1).unwrap(), vec![0, 0, 65535, 0]);
            assert_eq!(
                st::VALIDATOR_TRUST.get(s, &1).unwrap(),
                vec![65535, 0, 0, 0]
            );
            assert_eq!(st::DIVIDENDS.get(s, &1).unwrap(), vec![65535, 0, 0, 0]);
            assert_eq!(st::EMISSION.get(s, &1).unwrap(), vec![400, 0, 400, 0]);
            assert_eq!(
                st::VALIDATOR_PERMIT.get(s, &1).unwrap(),
                vec![true, true, false, false]
            );
        });
    }

    #[test]
    fn without_weights_validators_are_paid_by_active_stake() {
        let mut w = network(&[11, 12]);
        w.set(|s| {
            increase_stake(s, &account(1), &account(2), 1, 3_000).unwrap();
            increase_stake(s, &account(11), &account(10), 1, 1_000).unwrap();
            st::VALIDATOR_PERMIT.set(s, &1, &vec![true, true, false]);
        });
        w.run_to(8);
        w.read(|s| {
            assert_eq!(st::EMISSION.get(s, &1).unwrap(), vec![600, 200, 0]);
            assert_eq!(st::INCENTIVE.get(s, &1).unwrap(), vec![0, 0, 0]);
            assert_eq!(st::DIVIDENDS.get(s, &1).unwrap(), vec![0, 0, 0]);
            assert_eq!(
                st::PRUNING_SCORES.get(s, &1).unwrap(),
                vec![65535, 21845, 0]
            );
            assert_eq!(
                st::VALIDATOR_PERMIT.get(s, &1).unwrap(),
                vec![true, true, false]
            );
            assert_eq!(
                st::TOTAL_HOTKEY_ALPHA.get(s, &(account(11), 1)).unwrap(),
                1_200
            );
        });
    }

    #[test]
    fn emission_accrues_each_block_with_the_owner_cut() {
        let mut w = World::new();
        // Block 1 ran at World::new: one block of 1 TAO-sized alpha.
        w.read(|s| {
            assert_eq!(st::PENDING_OWNER_CUT.get(s, &1).unwrap(), 179_995_422);
            assert_eq!(st::PENDING_SERVER_EMISSION.get(s, &1).unwrap(), 410_002_289);
            assert_eq!(
                st::PENDING_VALIDATOR_EMISSION.get(s, &1).unwrap(),
                410_002_289
            );
            assert_eq!(st::BLOCKS_SINCE_LAST_STEP.get(s, &1).unwrap(), 1);
        });
        w.next_block();
        w.read(|s| assert_eq!(st::PENDING_OWNER_CUT.get(s, &1).unwrap(), 2 * 179_995_422));
    }

    #[test]
    fn inactive_uids_lose_their_validator_stake() {
        let mut input = EpochInput {
            block: 100,
            stake: vec![1, 1],
            last_update: vec![100, 10],
            registered_at: vec![0, 0],
            permits: vec![true, true],
            weights: vec![vec![], vec![]],
            activity_cutoff: 50,
            kappa: 32_767,
            max_validators: 64,
        };
        let out = run(&input, 1_000);
        assert_eq!(out.active, vec![true, false]);
        assert_eq!(out.validator_emission, vec![1_000, 0]);
        // Nobody active: paid by stake.
        input.last_update = vec![10, 10];
        let out = run(&input, 1_000);
        assert_eq!(out.validator_emission, vec![500, 500]);
        assert!(run(&EpochInput::default(), 10).server_emission.is_empty());
    }
}
