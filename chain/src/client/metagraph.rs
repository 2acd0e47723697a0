//! The metagraph and hyperparameters of a subnet, read through the runtime APIs at one block.
//!
//! - [`At::metagraph`] calls `NeuronInfoRuntimeApi.get_neurons_lite(netuid)` (a
//!   `Vec<NeuronInfoLite>`, the mirror type) and joins each hotkey's `Commitments.CommitmentOf`
//!   block from one iteration at the same block, so every row is from one snapshot. A neuron's
//!   stake is the sum of its `(coldkey, alpha)` entries, in alpha rao.
//! - [`At::hyperparams`] calls `SubnetInfoRuntimeApi.get_subnet_hyperparams_v2(netuid)`, or
//!   version 1 on a runtime without it (the live metadata says which), `None` for no subnet.
//!
//! Results must decode whole as the mirror types; anything else is a [`ChainError::Decode`]
//! naming the method.

use std::collections::BTreeMap;

use nya_metadata::runtime::apis::{NeuronInfoLite, SubnetHyperparams, SubnetHyperparamsV2};
use nya_metadata::runtime::items::{
    NEURON_INFO_GET_NEURONS_LITE, SUBNET_INFO_GET_SUBNET_HYPERPARAMS,
    SUBNET_INFO_GET_SUBNET_HYPERPARAMS_V2, UsedItem,
};
use nya_metadata::runtime::types::AxonInfo;
use parity_scale_codec::{DecodeAll, Encode};

use super::reads::{decode, item_name};
use super::{At, ChainError};

/// One uid of a subnet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neuron {
    /// Position in the subnet.
    pub uid: u16,
    /// The neuron's hotkey.
    pub hotkey: [u8; 32],
    /// The coldkey owning it.
    pub coldkey: [u8; 32],
    /// Alpha staked on the hotkey in this subnet, in rao (all its stakers together).
    pub stake: u64,
    /// Whether it may set weights on others.
    pub validator_permit: bool,
    /// Set weights within the activity cutoff.
    pub active: bool,
    /// Incentive, as a fraction of `u16::MAX`.
    pub incentive: u16,
    /// Dividends, as a fraction of `u16::MAX`.
    pub dividends: u16,
    /// Emission of the last epoch, in alpha rao.
    pub emission: u64,
    /// Block of its last weights update (0: never).
    pub last_update: u64,
    /// Its served axon, `None` when it never served.
    pub axon: Option<AxonInfo>,
    /// Block of its current `CommitmentOf`, `None` without one.
    pub commitment_block: Option<u32>,
}

impl Neuron {
    fn new(lite: NeuronInfoLite, commitment_block: Option<u32>) -> Neuron {
        let stake = lite
            .stake
            .iter()
            .fold(0u64, |sum, (_, alpha)| sum.saturating_add(alpha.0));
        // The chain answers an all-zero `AxonInfo` for a hotkey that never served.
        let axon = (lite.axon_info != AxonInfo::default()).then_some(lite.axon_info);
        Neuron {
            uid: lite.uid,
            hotkey: lite.hotkey.0,
            coldkey: lite.coldkey.0,
            stake,
            validator_permit: lite.validator_permit,
            active: lite.active,
            incentive: lite.incentive,
            dividends: lite.dividends,
            emission: lite.emission,
            last_update: lite.last_update,
            axon,
            commitment_block,
        }
    }
}

/// Every uid of a subnet at one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metagraph {
    /// The subnet.
    pub netuid: u16,
    /// The block read.
    pub block: u32,
    /// The neurons, by uid.
    pub neurons: Vec<Neuron>,
}

impl Metagraph {
    /// The neuron holding `hotkey`.
    pub fn by_hotkey(&self, hotkey: &[u8; 32]) -> Option<&Neuron> {
        self.neurons.iter().find(|n| &n.hotkey == hotkey)
    }

    /// The neuron at `uid`.
    pub fn by_uid(&self, uid: u16) -> Option<&Neuron> {
        self.neurons.iter().find(|n| n.uid == uid)
    }
}

/// A subnet's hyperparameters: version 2's fields; `version` says which method answered (with
/// version 1 the six fields after `liquid_alpha_enabled` are defaults and not shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hyperparams {
    /// 2, or 1 on a runtime without `get_subnet_hyperparams_v2`.
    pub version: u8,
    /// The values.
    pub params: SubnetHyperparamsV2,
}

impl Hyperparams {
    fn from_v1(v1: SubnetHyperparams) -> Hyperparams {
        let params = SubnetHyperparamsV2::from(v1);
        Hyperparams { version: 1, params }
    }

    /// `(name, value)` of every field the answering method has, in the chain's field order
    /// (for tables and JSON; the fixed-point steepness as a decimal).
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let p = &self.params;
        let mut out = vec![
            ("rho", p.rho.to_string()),
            ("kappa", p.kappa.to_string()),
            ("immunity_period", p.immunity_period.to_string()),
            ("min_allowed_weights", p.min_allowed_weights.to_string()),
            ("max_weights_limit", p.max_weights_limit.to_string()),
            ("tempo", p.tempo.to_string()),
            ("min_difficulty", p.min_difficulty.to_string()),
            ("max_difficulty", p.max_difficulty.to_string()),
            ("weights_version", p.weights_version.to_string()),
            ("weights_rate_limit", p.weights_rate_limit.to_string()),
            ("adjustment_interval", p.adjustment_interval.to_string()),
            ("activity_cutoff", p.activity_cutoff.to_string()),
            ("registration_allowed", p.registration_allowed.to_string()),
            (
                "target_regs_per_interval",
                p.target_regs_per_interval.to_string(),
            ),
            ("min_burn", p.min_burn.to_string()),
            ("max_burn", p.max_burn.to_string()),
            ("bonds_moving_avg", p.bonds_moving_avg.to_string()),
            ("max_regs_per_block", p.max_regs_per_block.to_string()),
            ("serving_rate_limit", p.serving_rate_limit.to_string()),
            ("max_validators", p.max_validators.to_string()),
            ("adjustment_alpha", p.adjustment_alpha.to_string()),
            ("difficulty", p.difficulty.to_string()),
            ("commit_reveal_period", p.commit_reveal_period.to_string()),
            (
                "commit_reveal_weights_enabled",
                p.commit_reveal_weights_enabled.to_string(),
            ),
            ("alpha_high", p.alpha_high.to_string()),
            ("alpha_low", p.alpha_low.to_string()),
            ("liquid_alpha_enabled", p.liquid_alpha_enabled.to_string()),
        ];
        if self.version >= 2 {
            // I32F32: 32 fraction bits; f64 holds every such value of this range exactly enough
            // for display.
            let steepness = p.alpha_sigmoid_steepness.bits as f64 / 4_294_967_296.0;
            out.extend([
                ("alpha_sigmoid_steepness", steepness.to_string()),
                ("yuma_version", p.yuma_version.to_string()),
                ("subnet_is_active", p.subnet_is_active.to_string()),
                ("transfers_enabled", p.transfers_enabled.to_string()),
                ("bonds_reset_enabled", p.bonds_reset_enabled.to_string()),
                (
                    "user_liquidity_enabled",
                    p.user_liquidity_enabled.to_string(),
                ),
            ]);
        }
        out
    }
}

impl At {
    /// Whether the runtime at this block offers runtime API method `item`.
    fn has_runtime_api(&self, item: UsedItem) -> bool {
        self.inner
            .metadata_ref()
            .runtime_api_trait_by_name(item.owner())
            .is_some_and(|t| t.method_by_name(item.name()).is_some())
    }

    /// Calls runtime API `item` with SCALE `args` and decodes the whole answer as `V`.
    pub(super) async fn runtime_api<V: DecodeAll>(
        &self,
        item: UsedItem,
        args: &[u8],
    ) -> Result<V, ChainError> {
        let method = format!("{}_{}", item.owner(), item.name());
        let bytes = self
            .inner
            .runtime_apis()
            .call_raw(&method, Some(args))
            .await
            .map_err(|e| ChainError::rpc(format!("calling {}", item_name(item)), e))?;
        decode::<V>(item, &bytes)
    }

    /// Every neuron of `netuid` with its commitment block (empty for a subnet without uids or
    /// that does not exist).
    pub async fn metagraph(&self, netuid: u16) -> Result<Metagraph, ChainError> {
        let lite: Vec<NeuronInfoLite> = self
            .runtime_api(NEURON_INFO_GET_NEURONS_LITE, &netuid.encode())
            .await?;
        let commitment_blocks: BTreeMap<[u8; 32], u32> = self
            .commitments(netuid)
            .await?
            .into_iter()
            .map(|record| (record.hotkey, record.block))
            .collect();
        let mut neurons: Vec<Neuron> = lite
            .into_iter()
            .map(|n| {
                let block = commitment_blocks.get(&n.hotkey.0).copied();
                Neuron::new(n, block)
            })
            .collect();
        neurons.sort_by_key(|n| n.uid);
        Ok(Metagraph {
            netuid,
            block: self.number(),
            neurons,
        })
    }

    /// The hyperparameters of `netuid`, `None` when no such subnet exists.
    pub async fn hyperparams(&self, netuid: u16) -> Result<Option<Hyperparams>, ChainError> {
        let args = netuid.encode();
        if self.has_runtime_api(SUBNET_INFO_GET_SUBNET_HYPERPARAMS_V2) {
            let v2: Option<SubnetHyperparamsV2> = self
                .runtime_api(SUBNET_INFO_GET_SUBNET_HYPERPARAMS_V2, &args)
                .await?;
            return Ok(v2.map(|params| Hyperparams { version: 2, params }));
        }
        let v1: Option<SubnetHyperparams> = self
            .runtime_api(SUBNET_INFO_GET_SUBNET_HYPERPARAMS, &args)
            .await?;
        Ok(v1.map(Hyperparams::from_v1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nya_metadata::runtime::apis::PrometheusInfo;
    use nya_metadata::runtime::types::AccountId32;
    use parity_scale_codec::Compact;

    fn lite(axon: AxonInfo, stake: Vec<u64>) -> NeuronInfoLite {
        NeuronInfoLite {
            hotkey: AccountId32([1; 32]),
            coldkey: AccountId32([2; 32]),
            uid: 4,
            netuid: 1,
            active: true,
            axon_info: axon,
            prometheus_info: PrometheusInfo::default(),
            stake: stake
                .into_iter()
                .map(|s| (AccountId32([3; 32]), Compact(s)))
                .collect(),
            rank: 0,
            emission: 9,
            incentive: 10,
            dividends: 11,
            consensus: 0,
            trust: 0,
            validator_trust: 0,
            last_update: 12,
            validator_permit: true,
            pruning_score: 0,
        }
    }

    #[test]
    fn rows_sum_stake_and_hide_an_unserved_axon() {
        let row = Neuron::new(lite(AxonInfo::default(), vec![5, u64::MAX]), Some(7));
        assert_eq!(row.stake, u64::MAX, "saturates");
        assert_eq!(row.axon, None);
        assert_eq!(
            (row.uid, row.incentive, row.dividends, row.emission),
            (4, 10, 11, 9)
        );
        assert_eq!(row.commitment_block, Some(7));
        let served = AxonInfo {
            port: 8091,
            ..AxonInfo::default()
        };
        let row = Neuron::new(lite(served, vec![5, 6]), None);
        assert_eq!(row.stake, 11);
        assert_eq!(row.axon.map(|a| a.port), Some(8091));
    }

    #[test]
    fn runtime_answers_decode_whole_or_name_the_method() {
        let bytes = vec![lite(AxonInfo::default(), vec![1])].encode();
        let decoded: Vec<NeuronInfoLite> = decode(NEURON_INFO_GET_NEURONS_LITE, &bytes).unwrap();
        assert_eq!(decoded.len(), 1);
        let mut extra = bytes.clone();
        extra.push(0);
        let err = decode::<Vec<NeuronInfoLite>>(NEURON_INFO_GET_NEURONS_LITE, &extra).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("NeuronInfoRuntimeApi.get_neurons_lite:"),
            "{err}"
        );
    }

    #[test]
    fn version_one_hides_the_fields_it_lacks() {
        let v1 = Hyperparams::from_v1(SubnetHyperparams {
            tempo: 360,
            commit_reveal_weights_enabled: true,
            ..SubnetHyperparams::default()
        });
        let names: Vec<&str> = v1.fields().iter().map(|f| f.0).collect();
        assert_eq!(names.len(), 27);
        assert!(!names.contains(&"yuma_version"));
        assert!(v1.fields().contains(&("tempo", "360".to_owned())));
        let v2 = Hyperparams {
            version: 2,
            params: SubnetHyperparamsV2 {
                alpha_sigmoid_steepness: nya_metadata::runtime::apis::I32F32::from_i16(-3),
                ..SubnetHyperparamsV2::default()
            },
        };
        let fields = v2.fields();
        assert_eq!(fields.len(), 33);
        assert!(fields.contains(&("alpha_sigmoid_steepness", "-3".to_owned())));
    }
}
