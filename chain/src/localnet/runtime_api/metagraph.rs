//! `SubnetInfoRuntimeApi.get_selective_metagraph` and `get_selective_mechagraph`: a
//! [`SelectiveMetagraph`] with only the asked-for fields filled in.
//!
//! Chain semantics kept: a missing subnet gives `None`; indices past the last field are
//! ignored; `netuid` reads 0 unless index 0 is asked for (the metagraph variant) and is always
//! the netuid in the mechagraph variant; for a mechanism `m`, `incentives` and `last_update`
//! come from storage index `m × 4096 + netuid` and everything else from the subnet itself.
//! Asking for an index twice is the same as asking once, so indices are deduplicated first
//! (a hostile list of thousands of repeats costs no more than one of each).

use std::collections::BTreeSet;

use nya_metadata::runtime::apis::{MetagraphField, SelectiveMetagraph};
use nya_metadata::runtime::types::AccountId32;
use parity_scale_codec::{Compact, Encode};

use super::neurons::{Subnet, compact};
use super::storage as extra;
use crate::localnet::runtime::subtensor::storage::{self as st, Map};
use crate::localnet::state::{CorruptValue, StorageRead};

/// (account, its commitment's SCALE bytes one `Compact<u8>` each), the `commitments` field.
type Commitments = Vec<(AccountId32, Vec<Compact<u8>>)>;

/// Subnets per mechanism in the storage index (subtensor's `GLOBAL_MAX_SUBNET_COUNT`).
const GLOBAL_MAX_SUBNET_COUNT: u16 = 4096;

/// Which mechanism's per-uid epoch outputs to report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Graph {
    /// `get_selective_metagraph`.
    Metagraph,
    /// `get_selective_mechagraph` for this mechanism id.
    Mechagraph(u8),
}

/// The selective metagraph of `netuid` at `block`, or `None` when the subnet does not exist.
pub fn selective<S: StorageRead + ?Sized>(
    state: &S,
    netuid: u16,
    graph: Graph,
    indexes: &[u16],
    block: u32,
) -> Result<Option<SelectiveMetagraph>, CorruptValue> {
    let subnet = Subnet::new(state, netuid);
    if !subnet.exists()? {
        return Ok(None);
    }
    let fields: BTreeSet<MetagraphField> = indexes
        .iter()
        .filter_map(|i| MetagraphField::from_index(*i))
        .collect();
    let mut out = SelectiveMetagraph::default();
    let filler = Filler {
        subnet: &subnet,
        epoch_index: match graph {
            Graph::Metagraph => netuid,
            Graph::Mechagraph(mecid) => u16::from(mecid)
                .saturating_mul(GLOBAL_MAX_SUBNET_COUNT)
                .saturating_add(netuid),
        },
        block: u64::from(block),
    };
    for field in fields {
        filler.fill(&mut out, field)?;
    }
    if let Graph::Mechagraph(_) = graph {
        out.netuid = netuid;
    }
    Ok(Some(out))
}

/// Fills one field at a time from the subnet's state.
struct Filler<'a, 's, S: StorageRead + ?Sized> {
    subnet: &'a Subnet<'s, S>,
    /// Storage index of the mechanism's epoch outputs (`Incentive`, `LastUpdate`).
    epoch_index: u16,
    /// Block the call runs at.
    block: u64,
}

impl<S: StorageRead + ?Sized> Filler<'_, '_, S> {
    fn read<V: parity_scale_codec::Decode + Encode + Clone>(
        &self,
        map: &Map<u16, V>,
    ) -> Result<V, CorruptValue> {
        self.subnet.read(map)
    }

    fn u16c(&self, map: &Map<u16, u16>) -> Result<Option<Compact<u16>>, CorruptValue> {
        Ok(Some(Compact(self.read(map)?)))
    }

    fn u64c(&self, map: &Map<u16, u64>) -> Result<Option<Compact<u64>>, CorruptValue> {
        Ok(Some(Compact(self.read(map)?)))
    }

    fn extra_u64c(&self, entry: &extra::Entry<u64>) -> Result<Option<Compact<u64>>, CorruptValue> {
        Ok(Some(Compact(self.subnet.read_extra(entry)?)))
    }

    fn fill(
        &self,
        out: &mut SelectiveMetagraph,
        field: MetagraphField,
    ) -> Result<(), CorruptValue> {
        use MetagraphField as F;
        let subnet = self.subnet;
        let state = subnet.state;
        let netuid = subnet.netuid;
        match field {
            F::Netuid => out.netuid = netuid,
            F::Name => out.name = Some(bytes_compact(&self.name()?)),
            F::Symbol => {
                out.symbol = Some(bytes_compact(
                    &self.subnet.read_extra(&extra::TOKEN_SYMBOL)?,
                ))
            }
            F::Identity => {
                out.identity =
                    Some(extra::SUBNET_IDENTITIES_V3.get_opt(state, &[&netuid.encode()])?)
            }
            F::NetworkRegisteredAt => {
                out.network_registered_at = self.u64c(&st::NETWORK_REGISTERED_AT)?
            }
            F::OwnerHotkey => out.owner_hotkey = Some(self.read(&st::SUBNET_OWNER_HOTKEY)?),
            F::OwnerColdkey => out.owner_coldkey = Some(self.read(&st::SUBNET_OWNER)?),
            F::Block => out.block = Some(Compact(self.block)),
            F::Tempo => out.tempo = self.u16c(&st::TEMPO)?,
            F::LastStep => out.last_step = self.u64c(&st::LAST_MECHANISM_STEP_BLOCK)?,
            F::BlocksSinceLastStep => {
                let last = self.read(&st::LAST_MECHANISM_STEP_BLOCK)?;
                out.blocks_since_last_step = Some(Compact(self.block.saturating_sub(last)));
            }
            // The chain reports these two as zero since emissions moved to the pools.
            F::SubnetEmission => out.subnet_emission = Some(Compact(0)),
            F::PendingRootEmission => out.pending_root_emission = Some(Compact(0)),
            F::AlphaIn => out.alpha_in = self.extra_u64c(&extra::SUBNET_ALPHA_IN)?,
            F::AlphaOut => out.alpha_out = self.u64c(&st::SUBNET_ALPHA_OUT)?,
            F::TaoIn => out.tao_in = self.u64c(&st::SUBNET_TAO)?,
            F::AlphaOutEmission => {
                out.alpha_out_emission = self.extra_u64c(&extra::SUBNET_ALPHA_OUT_EMISSION)?
            }
            F::AlphaInEmission => {
                out.alpha_in_emission = self.extra_u64c(&extra::SUBNET_ALPHA_IN_EMISSION)?
            }
            F::TaoInEmission => {
                out.tao_in_emission = self.extra_u64c(&extra::SUBNET_TAO_IN_EMISSION)?
            }
            F::PendingAlphaEmission => {
                let validator = self.read(&st::PENDING_VALIDATOR_EMISSION)?;
                let server = self.read(&st::PENDING_SERVER_EMISSION)?;
                out.pending_alpha_emission = Some(Compact(validator.saturating_add(server)));
            }
            F::SubnetVolume => {
                out.subnet_volume = Some(Compact(self.subnet.read_extra(&extra::SUBNET_VOLUME)?))
            }
            F::MovingPrice => {
                out.moving_price = Some(self.subnet.read_extra(&extra::SUBNET_MOVING_PRICE)?)
            }
            F::Rho => out.rho = self.u16c(&st::RHO)?,
            F::Kappa => out.kappa = self.u16c(&st::KAPPA)?,
            F::MinAllowedWeights => {
                out.min_allowed_weights = self.u16c(&st::MIN_ALLOWED_WEIGHTS)?
            }
            F::MaxWeightsLimit => out.max_weights_limit = self.u16c(&st::MAX_WEIGHTS_LIMIT)?,
            F::WeightsVersion => out.weights_version = self.u64c(&st::WEIGHTS_VERSION_KEY)?,
            F::WeightsRateLimit => {
                out.weights_rate_limit = self.u64c(&st::WEIGHTS_SET_RATE_LIMIT)?
            }
            F::ActivityCutoff => out.activity_cutoff = self.u16c(&st::ACTIVITY_CUTOFF)?,
            F::MaxValidators => out.max_validators = self.u16c(&st::MAX_ALLOWED_VALIDATORS)?,
            F::NumUids => out.num_uids = self.u16c(&st::SUBNETWORK_N)?,
            F::MaxUids => out.max_uids = self.u16c(&st::MAX_ALLOWED_UIDS)?,
            F::Burn => out.burn = self.u64c(&st::BURN)?,
            F::Difficulty => out.difficulty = self.u64c(&st::DIFFICULTY)?,
            F::RegistrationAllowed => {
                out.registration_allowed = Some(self.read(&st::NETWORK_REGISTRATION_ALLOWED)?)
            }
            F::PowRegistrationAllowed => {
                out.pow_registration_allowed =
                    Some(self.read(&st::NETWORK_POW_REGISTRATION_ALLOWED)?)
            }
            F::ImmunityPeriod => out.immunity_period = self.u16c(&st::IMMUNITY_PERIOD)?,
            F::MinDifficulty => out.min_difficulty = self.u64c(&st::MIN_DIFFICULTY)?,
            F::MaxDifficulty => out.max_difficulty = self.u64c(&st::MAX_DIFFICULTY)?,
            F::MinBurn => out.min_burn = self.u64c(&st::MIN_BURN)?,
            F::MaxBurn => out.max_burn = self.u64c(&st::MAX_BURN)?,
            F::AdjustmentAlpha => out.adjustment_alpha = self.u64c(&st::ADJUSTMENT_ALPHA)?,
            F::AdjustmentInterval => {
                out.adjustment_interval = self.u16c(&st::ADJUSTMENT_INTERVAL)?
            }
            F::TargetRegsPerInterval => {
                out.target_regs_per_interval = self.u16c(&st::TARGET_REGISTRATIONS_PER_INTERVAL)?
            }
            F::MaxRegsPerBlock => {
                out.max_regs_per_block = self.u16c(&st::MAX_REGISTRATIONS_PER_BLOCK)?
            }
            F::ServingRateLimit => out.serving_rate_limit = self.u64c(&st::SERVING_RATE_LIMIT)?,
            F::CommitRevealWeightsEnabled => {
                out.commit_reveal_weights_enabled =
                    Some(self.read(&st::COMMIT_REVEAL_WEIGHTS_ENABLED)?)
            }
            F::CommitRevealPeriod => {
                out.commit_reveal_period = self.u64c(&st::REVEAL_PERIOD_EPOCHS)?
            }
            F::LiquidAlphaEnabled => {
                out.liquid_alpha_enabled = Some(self.subnet.read_extra(&extra::LIQUID_ALPHA_ON)?)
            }
            F::AlphaHigh => {
                out.alpha_high = Some(Compact(self.subnet.read_extra(&extra::ALPHA_VALUES)?.1))
            }
            F::AlphaLow => {
                out.alpha_low = Some(Compact(self.subnet.read_extra(&extra::ALPHA_VALUES)?.0))
            }
            F::BondsMovingAvg => out.bonds_moving_avg = self.u64c(&st::BONDS_MOVING_AVERAGE)?,
            F::Hotkeys => out.hotkeys = Some(subnet.hotkeys()?),
            F::Coldkeys => out.coldkeys = Some(subnet.coldkeys()?),
            F::Identities => {
                let identities = subnet
                    .coldkeys()?
                    .iter()
                    .map(|c| extra::IDENTITIES_V2.get_opt(state, &[&c.encode()]))
                    .collect::<Result<_, _>>()?;
                out.identities = Some(identities);
            }
            F::Axons => {
                let axons = subnet
                    .hotkeys()?
                    .iter()
                    .map(|h| subnet.axon_of(h))
                    .collect::<Result<_, _>>()?;
                out.axons = Some(axons);
            }
            F::Active => out.active = Some(self.read(&st::ACTIVE)?),
            F::ValidatorPermit => out.validator_permit = Some(self.read(&st::VALIDATOR_PERMIT)?),
            F::PruningScore => out.pruning_score = Some(compact(self.read(&st::PRUNING_SCORES)?)),
            F::LastUpdate => {
                out.last_update = Some(compact(st::LAST_UPDATE.get(state, &self.epoch_index)?))
            }
            F::Emission => out.emission = Some(compact(self.read(&st::EMISSION)?)),
            F::Dividends => out.dividends = Some(compact(self.read(&st::DIVIDENDS)?)),
            F::Incentives => {
                out.incentives = Some(compact(st::INCENTIVE.get(state, &self.epoch_index)?))
            }
            F::Consensus => out.consensus = Some(compact(self.read(&st::CONSENSUS)?)),
            F::Trust => out.trust = Some(compact(self.read(&st::TRUST)?)),
            F::Rank => out.rank = Some(compact(self.read(&st::RANK)?)),
            F::BlockAtRegistration => {
                out.block_at_registration = Some(compact(subnet.registration_blocks()?))
            }
            F::AlphaStake => {
                out.alpha_stake = Some(subnet.stakes()?.iter().map(|s| Compact(s.alpha)).collect())
            }
            F::TaoStake => {
                out.tao_stake = Some(subnet.stakes()?.iter().map(|s| Compact(s.tao)).collect())
            }
            F::TotalStake => {
                out.total_stake = Some(
                    subnet
                        .stakes()?
                        .iter()
                        .map(|s| Compact(s.weight.floor()))
                        .collect(),
                )
            }
            // Root dividends were removed from the chain: zero for every hotkey.
            F::TaoDividendsPerHotkey => {
                out.tao_dividends_per_hotkey = Some(
                    subnet
                        .hotkeys()?
                        .into_iter()
                        .map(|h| (h, Compact(0)))
                        .collect(),
                )
            }
            F::AlphaDividendsPerHotkey => {
                let dividends = subnet
                    .hotkeys()?
                    .into_iter()
                    .map(|h| {
                        let d = st::ALPHA_DIVIDENDS_PER_SUBNET.get(state, &(netuid, h))?;
                        Ok((h, Compact(d)))
                    })
                    .collect::<Result<_, CorruptValue>>()?;
                out.alpha_dividends_per_hotkey = Some(dividends);
            }
            F::Validators => out.validators = Some(self.validators()?),
            F::Commitments => out.commitments = Some(self.commitments()?),
        }
        Ok(())
    }

    /// The subnet identity's name when set and non-empty. The chain falls back to a built-in
    /// table of names by netuid; the local chain's subnets have no such history, so the
    /// fallback here is the chain's own last resort, `unknown`.
    fn name(&self) -> Result<Vec<u8>, CorruptValue> {
        let identity = extra::SUBNET_IDENTITIES_V3
            .get_opt(self.subnet.state, &[&self.subnet.netuid.encode()])?;
        Ok(match identity {
            Some(identity) if !identity.subnet_name.is_empty() => identity.subnet_name,
            _ => b"unknown".to_vec(),
        })
    }

    /// Uids with a validator permit whose stake weight is above `StakeThreshold`, in ascending
    /// stake order; equal stakes keep the order of the `Keys` map (little-endian uid bytes).
    fn validators(&self) -> Result<Vec<Compact<u16>>, CorruptValue> {
        let subnet = self.subnet;
        let permits = self.read(&st::VALIDATOR_PERMIT)?;
        let threshold = st::STAKE_THRESHOLD.get(subnet.state)?;
        let mut prefix = st::KEYS.prefix();
        prefix.extend(subnet.netuid.encode());
        let mut validators = Vec::new();
        for (key, value) in subnet.state.prefix_pairs(&prefix) {
            let uid = key_suffix_u16(&prefix, &key)?;
            if !permits.get(usize::from(uid)).copied().unwrap_or(false) {
                continue;
            }
            let hotkey =
                parity_scale_codec::Decode::decode(&mut value.as_slice()).map_err(|e| {
                    CorruptValue {
                        key: hex::encode(&key),
                        type_name: "AccountId32",
                        reason: e.to_string(),
                    }
                })?;
            validators.push((uid, subnet.stake_of(&hotkey)?.weight));
        }
        validators.sort_by_key(|(_, weight)| *weight);
        Ok(validators
            .into_iter()
            .filter(|(_, weight)| weight.exceeds(threshold))
            .map(|(uid, _)| Compact(uid))
            .collect())
    }

    /// Every `CommitmentOf(netuid, account)` in storage key order, the stored registration bytes
    /// one `Compact<u8>` each.
    fn commitments(&self) -> Result<Commitments, CorruptValue> {
        let prefix = extra::COMMITMENT_OF.key(&[&self.subnet.netuid.encode()]);
        self.subnet
            .state
            .prefix_pairs(&prefix)
            .into_iter()
            .map(|(key, value)| {
                // Twox64Concat: 8 hash bytes, then the 32-byte account.
                let account = key
                    .get(prefix.len() + 8..)
                    .and_then(|rest| <[u8; 32]>::try_from(rest).ok())
                    .ok_or_else(|| CorruptValue {
                        key: hex::encode(&key),
                        type_name: "CommitmentOf key (Twox64Concat AccountId32)",
                        reason: "wrong key length".into(),
                    })?;
                Ok((AccountId32(account), bytes_compact(&value)))
            })
            .collect()
    }
}

/// The `u16` after `prefix` in an Identity-hashed key.
fn key_suffix_u16(prefix: &[u8], key: &[u8]) -> Result<u16, CorruptValue> {
    key.get(prefix.len()..)
        .and_then(|rest| <[u8; 2]>::try_from(rest).ok())
        .map(u16::from_le_bytes)
        .ok_or_else(|| CorruptValue {
            key: hex::encode(key),
            type_name: "Keys key (Identity u16)",
            reason: "wrong key length".into(),
        })
}

/// Bytes as `Vec<Compact<u8>>`, how the chain returns names and commitments.
fn bytes_compact(bytes: &[u8]) -> Vec<Compact<u8>> {
    bytes.iter().map(|b| Compact(*b)).collect()
}
