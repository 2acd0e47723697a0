//! One subnet as the runtime APIs see it ([`Subnet`]): its neurons' keys, per-uid columns and
//! stake, read from spec-393 storage the way subtensor's getters read them (absent values are
//! the entry defaults, short columns read as zero); and the APIs built only from those:
//! `NeuronInfoRuntimeApi.get_neuron(s)_lite`, `NeuronInfoRuntimeApi.get_neuron` (the lite record
//! plus the uid's non-zero `Weights` and `Bonds`) and `SubnetInfoRuntimeApi.get_subnet_state`.
//!
//! Stake: a neuron's alpha stake is `TotalHotkeyAlpha(hotkey, netuid)`, its TAO stake
//! `TotalHotkeyAlpha(hotkey, 0)` (root), and its stake weight `alpha + tao × TaoWeight / u64::MAX`
//! following the chain's fixed-point steps in integers (the weight truncated to 32 fraction
//! bits, the product kept exact, the floor taken at the end). The local chain has no child
//! keys, so "inherited" stake is the hotkey's own.

use std::cell::OnceCell;

use nya_metadata::runtime::apis::{NeuronInfo, NeuronInfoLite, SubnetState};
use nya_metadata::runtime::storage::stake_weight_bits;
use nya_metadata::runtime::types::{AccountId32, AxonInfo};
use parity_scale_codec::{Compact, Encode};

use super::storage as extra;
use crate::localnet::runtime::subtensor::storage::{self as st, Map, ROOT_NETUID};
use crate::localnet::state::{CorruptValue, StorageRead};

/// A neuron's stake weight with 32 fraction bits, as subtensor's `I64F64` carries it before
/// the final conversion (the validator filter compares it unrounded).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct StakeWeight(u128);

impl StakeWeight {
    /// The floor, saturating at `u64::MAX` (subtensor's `fixed64_to_u64`).
    pub fn floor(self) -> u64 {
        u64::try_from(self.0 >> 32).unwrap_or(u64::MAX)
    }

    /// Strictly above a whole-rao threshold.
    pub fn exceeds(self, threshold: u64) -> bool {
        self.0 > u128::from(threshold) << 32
    }
}

/// One neuron's stake in its subnet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stake {
    /// Alpha staked on the hotkey in this subnet.
    pub alpha: u64,
    /// TAO staked on the hotkey on root.
    pub tao: u64,
    /// `alpha + tao × TaoWeight`.
    pub weight: StakeWeight,
}

/// A subnet's state at one block. Hotkeys and stakes are read on first use and kept, since
/// several metagraph fields need them.
pub struct Subnet<'s, S: StorageRead + ?Sized> {
    /// The state.
    pub state: &'s S,
    /// The subnet.
    pub netuid: u16,
    hotkeys: OnceCell<Vec<Option<AccountId32>>>,
    stakes: OnceCell<Vec<Stake>>,
}

impl<'s, S: StorageRead + ?Sized> Subnet<'s, S> {
    /// A view of `netuid` (whether it exists or not: see [`Subnet::exists`]).
    pub fn new(state: &'s S, netuid: u16) -> Subnet<'s, S> {
        Subnet {
            state,
            netuid,
            hotkeys: OnceCell::new(),
            stakes: OnceCell::new(),
        }
    }

    /// `NetworksAdded(netuid)`: what every subnet API checks first.
    pub fn exists(&self) -> Result<bool, CorruptValue> {
        st::subnet_exists(self.state, self.netuid)
    }

    /// A subtensor map keyed by this netuid.
    pub fn read<V: parity_scale_codec::Decode + Encode + Clone>(
        &self,
        map: &Map<u16, V>,
    ) -> Result<V, CorruptValue> {
        map.get(self.state, &self.netuid)
    }

    /// One of [`extra`]'s maps keyed by this netuid.
    pub fn read_extra<V: parity_scale_codec::Decode + Default>(
        &self,
        entry: &extra::Entry<V>,
    ) -> Result<V, CorruptValue> {
        entry.of(self.state, self.netuid)
    }

    /// `SubnetworkN`: uids in use, `0..n`.
    pub fn n(&self) -> Result<u16, CorruptValue> {
        self.read(&st::SUBNETWORK_N)
    }

    /// `Keys(netuid, uid)` for every uid below `n`; `None` where no key is stored.
    fn key_slots(&self) -> Result<&[Option<AccountId32>], CorruptValue> {
        if let Some(keys) = self.hotkeys.get() {
            return Ok(keys);
        }
        let keys = (0..self.n()?)
            .map(|uid| st::hotkey_of(self.state, self.netuid, uid))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.hotkeys.get_or_init(|| keys))
    }

    /// The hotkey at `uid`, if one is stored (`Keys::try_get`, whatever `SubnetworkN` says).
    pub fn hotkey_at(&self, uid: u16) -> Result<Option<AccountId32>, CorruptValue> {
        match self
            .hotkeys
            .get()
            .and_then(|keys| keys.get(usize::from(uid)))
        {
            Some(slot) => Ok(*slot),
            None => st::hotkey_of(self.state, self.netuid, uid),
        }
    }

    /// Hotkey per uid, the all-zero account where none is stored (`Keys::get`).
    pub fn hotkeys(&self) -> Result<Vec<AccountId32>, CorruptValue> {
        Ok(self
            .key_slots()?
            .iter()
            .map(|k| k.unwrap_or_default())
            .collect())
    }

    /// `Owner(hotkey)`: the coldkey.
    pub fn coldkey_of(&self, hotkey: &AccountId32) -> Result<AccountId32, CorruptValue> {
        st::OWNER.get(self.state, hotkey)
    }

    /// Coldkey per uid.
    pub fn coldkeys(&self) -> Result<Vec<AccountId32>, CorruptValue> {
        self.hotkeys()?.iter().map(|h| self.coldkey_of(h)).collect()
    }

    /// `BlockAtRegistration(netuid, uid)` per uid.
    pub fn registration_blocks(&self) -> Result<Vec<u64>, CorruptValue> {
        (0..self.n()?)
            .map(|uid| st::BLOCK_AT_REGISTRATION.get(self.state, &(self.netuid, uid)))
            .collect()
    }

    /// The served axon of `hotkey` here (all zero when none).
    pub fn axon_of(&self, hotkey: &AccountId32) -> Result<AxonInfo, CorruptValue> {
        Ok(st::AXONS
            .get(self.state, &(self.netuid, *hotkey))?
            .unwrap_or_default())
    }

    /// `TotalHotkeyAlpha(hotkey, netuid)`.
    fn alpha_of(&self, hotkey: &AccountId32, netuid: u16) -> Result<u64, CorruptValue> {
        st::TOTAL_HOTKEY_ALPHA.get(self.state, &(*hotkey, netuid))
    }

    /// A hotkey's stake in this subnet.
    pub fn stake_of(&self, hotkey: &AccountId32) -> Result<Stake, CorruptValue> {
        let alpha = self.alpha_of(hotkey, self.netuid)?;
        let tao = self.alpha_of(hotkey, ROOT_NETUID)?;
        let tao_weight = extra::TAO_WEIGHT.get(self.state, &[])?;
        let weight = StakeWeight(stake_weight_bits(alpha, tao, tao_weight));
        Ok(Stake { alpha, tao, weight })
    }

    /// Stake per uid (zero where no key is stored).
    pub fn stakes(&self) -> Result<&[Stake], CorruptValue> {
        if let Some(stakes) = self.stakes.get() {
            return Ok(stakes);
        }
        let stakes = self
            .key_slots()?
            .iter()
            .map(|slot| match slot {
                Some(hotkey) => self.stake_of(hotkey),
                None => Ok(Stake::default()),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.stakes.get_or_init(|| stakes))
    }

    /// `NeuronInfoLite` of `uid`, or `None` when no hotkey holds it.
    pub fn neuron_lite(
        &self,
        uid: u16,
        columns: &Columns,
    ) -> Result<Option<NeuronInfoLite>, CorruptValue> {
        let Some(hotkey) = self.hotkey_at(uid)? else {
            return Ok(None);
        };
        let coldkey = self.coldkey_of(&hotkey)?;
        let at = usize::from(uid);
        Ok(Some(NeuronInfoLite {
            hotkey,
            coldkey,
            uid,
            netuid: self.netuid,
            active: cell(&columns.active, at),
            axon_info: self.axon_of(&hotkey)?,
            prometheus_info: extra::PROMETHEUS
                .get_opt(self.state, &[&self.netuid.encode(), &hotkey.encode()])?
                .unwrap_or_default(),
            stake: vec![(coldkey, Compact(self.stake_of(&hotkey)?.alpha))],
            rank: cell(&columns.rank, at),
            emission: cell(&columns.emission, at),
            incentive: cell(&columns.incentive, at),
            consensus: cell(&columns.consensus, at),
            trust: cell(&columns.trust, at),
            validator_trust: cell(&columns.validator_trust, at),
            dividends: cell(&columns.dividends, at),
            last_update: cell(&columns.last_update, at),
            validator_permit: cell(&columns.validator_permit, at),
            pruning_score: cell(&columns.pruning_score, at),
        }))
    }

    /// `NeuronInfo` of `uid` (its lite record plus the non-zero entries of its mechanism-0
    /// `Weights` and `Bonds` rows, whose storage index is the netuid), or `None` when no hotkey
    /// holds it.
    pub fn neuron(&self, uid: u16, columns: &Columns) -> Result<Option<NeuronInfo>, CorruptValue> {
        let Some(lite) = self.neuron_lite(uid, columns)? else {
            return Ok(None);
        };
        let row = (self.netuid, uid);
        let weights = non_zero(st::WEIGHTS.get(self.state, &row)?);
        let bonds = non_zero(st::BONDS.get(self.state, &row)?);
        Ok(Some(NeuronInfo::from_lite(lite, weights, bonds)))
    }

    /// Every neuron's `NeuronInfoLite` in uid order, stopping at the first uid without a
    /// hotkey (as the chain does).
    pub fn neurons_lite(&self) -> Result<Vec<NeuronInfoLite>, CorruptValue> {
        let columns = Columns::read(self)?;
        let mut neurons = Vec::new();
        for uid in 0..self.n()? {
            match self.neuron_lite(uid, &columns)? {
                Some(neuron) => neurons.push(neuron),
                None => break,
            }
        }
        Ok(neurons)
    }

    /// Last emission of each hotkey on every subnet, one row per subnet in `NetworksAdded`
    /// key order (subtensor's `get_emissions_history`).
    fn emission_history(
        &self,
        hotkeys: &[AccountId32],
    ) -> Result<Vec<Vec<Compact<u64>>>, CorruptValue> {
        st::all_netuids(self.state)?
            .into_iter()
            .map(|netuid| {
                hotkeys
                    .iter()
                    .map(|hotkey| {
                        extra::LAST_HOTKEY_EMISSION_ON_NETUID
                            .get(self.state, &[&hotkey.encode(), &netuid.encode()])
                            .map(Compact)
                    })
                    .collect()
            })
            .collect()
    }

    /// `SubnetState` of this (existing) subnet.
    pub fn state_info(&self) -> Result<SubnetState, CorruptValue> {
        let columns = Columns::read(self)?;
        let hotkeys = self.hotkeys()?;
        let stakes = self.stakes()?;
        Ok(SubnetState {
            netuid: self.netuid,
            coldkeys: self.coldkeys()?,
            active: columns.active,
            validator_permit: columns.validator_permit,
            pruning_score: compact(columns.pruning_score),
            last_update: compact(columns.last_update),
            emission: compact(columns.emission),
            dividends: compact(columns.dividends),
            incentives: compact(columns.incentive),
            consensus: compact(columns.consensus),
            trust: compact(columns.trust),
            rank: compact(columns.rank),
            block_at_registration: compact(self.registration_blocks()?),
            alpha_stake: stakes.iter().map(|s| Compact(s.alpha)).collect(),
            tao_stake: stakes.iter().map(|s| Compact(s.tao)).collect(),
            total_stake: stakes.iter().map(|s| Compact(s.weight.floor())).collect(),
            emission_history: self.emission_history(&hotkeys)?,
            hotkeys,
        })
    }
}

/// The per-uid vectors of a subnet, as stored (they may be shorter than `n`).
pub struct Columns {
    /// `Active`.
    pub active: Vec<bool>,
    /// `ValidatorPermit`.
    pub validator_permit: Vec<bool>,
    /// `Rank`.
    pub rank: Vec<u16>,
    /// `Trust`.
    pub trust: Vec<u16>,
    /// `Consensus`.
    pub consensus: Vec<u16>,
    /// `Incentive` (keyed by the mechanism-0 storage index, which is the netuid).
    pub incentive: Vec<u16>,
    /// `Dividends`.
    pub dividends: Vec<u16>,
    /// `ValidatorTrust`.
    pub validator_trust: Vec<u16>,
    /// `PruningScores`.
    pub pruning_score: Vec<u16>,
    /// `Emission`.
    pub emission: Vec<u64>,
    /// `LastUpdate` (mechanism-0 storage index).
    pub last_update: Vec<u64>,
}

impl Columns {
    /// Reads every column of `subnet`.
    pub fn read<S: StorageRead + ?Sized>(subnet: &Subnet<'_, S>) -> Result<Columns, CorruptValue> {
        Ok(Columns {
            active: subnet.read(&st::ACTIVE)?,
            validator_permit: subnet.read(&st::VALIDATOR_PERMIT)?,
            rank: subnet.read(&st::RANK)?,
            trust: subnet.read(&st::TRUST)?,
            consensus: subnet.read(&st::CONSENSUS)?,
            incentive: subnet.read(&st::INCENTIVE)?,
            dividends: subnet.read(&st::DIVIDENDS)?,
            validator_trust: subnet.read(&st::VALIDATOR_TRUST)?,
            pruning_score: subnet.read(&st::PRUNING_SCORES)?,
            emission: subnet.read(&st::EMISSION)?,
            last_update: subnet.read(&st::LAST_UPDATE)?,
        })
    }
}

/// `column[at]`, or the zero value past its end (subtensor's `get_*_for_uid`).
fn cell<T: Copy + Default>(column: &[T], at: usize) -> T {
    column.get(at).copied().unwrap_or_default()
}

/// The (uid, value) pairs of a `Weights`/`Bonds` row whose value is not zero, compact-wrapped.
fn non_zero(row: Vec<(u16, u16)>) -> Vec<(Compact<u16>, Compact<u16>)> {
    row.into_iter()
        .filter(|(_, value)| *value > 0)
        .map(|(uid, value)| (Compact(uid), Compact(value)))
        .collect()
}

/// Each value compact-wrapped.
pub fn compact<T>(values: Vec<T>) -> Vec<Compact<T>> {
    values.into_iter().map(Compact).collect()
}
