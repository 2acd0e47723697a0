//! The runtimes a localnet runs and the upgrade between them.
//!
//! A localnet runs finney spec 393 from genesis or, with an upgrade scheduled at block `U`
//! (`LocalnetConfig::upgrade_at`), spec 365 from genesis and spec 393 from the upgrade on,
//! the way a scheduled `System.set_code` plays out on a Substrate chain:
//!
//! - The state after each block holds one runtime, recorded as the block's `spec_version`.
//!   Queries at a block's hash (`Core_version`, `Metadata_*`, every `state_call`) run that
//!   runtime, and it is the one that validates transactions for the next block and builds it.
//! - Block `U` is still built by spec 365 (its transactions are checked against 365's spec and
//!   transaction versions, its events written in 365's numbering) and enacts the upgrade: its
//!   header carries a `RuntimeEnvironmentUpdated` digest item, its events a
//!   `System.CodeUpdated`, and the state after it holds spec 393. From block `U + 1` on, spec
//!   393 builds every block, so a transaction signed for 365 is refused with `BadProof`.
//!
//! Both runtimes run the spec-393 state machine: what differs is what clients see (versions,
//! metadata, event and error numbering; see [`nya_metadata::runtime::mirror_365`]). Spec 365's
//! own rules where they differed (a `MaxAllowedUids` default of 4096, coldkey-swap scheduling)
//! are not run. `System.LastRuntimeUpgrade`, which frame updates in the first block the new
//! runtime builds, is not written: the mirror does not have that entry.

use std::sync::OnceLock;

use nya_metadata::runtime::apis::RuntimeVersion;
use nya_metadata::runtime::calls::{RuntimeCall, RuntimeEvent};
use nya_metadata::runtime::items::UsedItem;
use nya_metadata::runtime::mirror_365::{self, ITEMS_ADDED_AFTER_365};
use nya_metadata::runtime::types::EventRecord;
use parity_scale_codec::{Compact, Encode};

use super::runtime_api;

/// A runtime the localnet can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuntimeSpec {
    /// finney spec 365, the runtime before a scheduled upgrade.
    Spec365,
    /// finney spec 393, the runtime the localnet implements.
    Spec393,
}

impl RuntimeSpec {
    /// The runtime a localnet without a scheduled upgrade runs, and every upgrade's target.
    pub const LATEST: RuntimeSpec = RuntimeSpec::Spec393;

    /// The runtime with `spec_version`, if the localnet has it.
    pub fn from_spec_version(spec_version: u32) -> Option<RuntimeSpec> {
        [RuntimeSpec::Spec365, RuntimeSpec::Spec393]
            .into_iter()
            .find(|spec| spec.spec_version() == spec_version)
    }

    /// Its `spec_version`.
    pub fn spec_version(self) -> u32 {
        match self {
            RuntimeSpec::Spec365 => mirror_365::SPEC_VERSION,
            RuntimeSpec::Spec393 => runtime_api::SPEC_VERSION,
        }
    }

    /// What its `Core_version` returns. Spec 365 differs from 393 in the spec version only:
    /// the transaction version and the API versions listed are the same (checked against the
    /// spec-365 blob by the metadata crate's tests).
    pub fn runtime_version(self) -> RuntimeVersion {
        RuntimeVersion {
            spec_version: self.spec_version(),
            ..runtime_api::runtime_version()
        }
    }

    /// Its metadata in V14 as SCALE `RuntimeMetadataPrefixed`: what `Metadata_metadata` (and
    /// so `state_getMetadata`) returns. Built once per process.
    pub fn metadata_v14(self) -> &'static [u8] {
        static V14_365: OnceLock<Vec<u8>> = OnceLock::new();
        match self {
            RuntimeSpec::Spec365 => {
                V14_365.get_or_init(|| mirror_365::mirror_365_prefixed_v14().encode())
            }
            RuntimeSpec::Spec393 => runtime_api::metadata_v14(),
        }
    }

    /// Its metadata in `version` (14, 15 or 16, as `Metadata_metadata_versions` lists) as
    /// SCALE `RuntimeMetadataPrefixed`; each is built once per process.
    pub fn metadata(self, version: u32) -> Option<&'static [u8]> {
        static V15_365: OnceLock<Vec<u8>> = OnceLock::new();
        static V16_365: OnceLock<Vec<u8>> = OnceLock::new();
        match (self, version) {
            (_, 14) => Some(self.metadata_v14()),
            (RuntimeSpec::Spec393, _) => runtime_api::metadata_bytes(version),
            (RuntimeSpec::Spec365, 15) => {
                Some(V15_365.get_or_init(|| mirror_365::mirror_365_prefixed().encode()))
            }
            (RuntimeSpec::Spec365, 16) => {
                Some(V16_365.get_or_init(|| mirror_365::mirror_365_prefixed_v16().encode()))
            }
            (RuntimeSpec::Spec365, _) => None,
        }
    }

    /// Whether it has runtime API method `item` (spec 365 lacks the methods added after it).
    pub fn has_api(self, item: &UsedItem) -> bool {
        self == RuntimeSpec::Spec393 || !ITEMS_ADDED_AFTER_365.contains(item)
    }

    /// Whether its `RuntimeCall` has `call` (spec 365 lacks the calls added after it).
    pub fn has_call(self, call: &RuntimeCall) -> bool {
        self == RuntimeSpec::Spec393 || mirror_365::call_exists_365(call)
    }

    /// `System.Events` as this runtime writes it: SCALE `Vec<EventRecord>`, each event in
    /// this runtime's numbering.
    pub fn encode_events(self, events: &[EventRecord<RuntimeEvent>]) -> Vec<u8> {
        if self == RuntimeSpec::Spec393 {
            return events.encode();
        }
        // Hand-assembled because each record's event takes spec 365's encoding, which the
        // mirror's spec-393 `Encode` cannot give: the vector length, then per record its
        // phase, event and topics (`EventRecord`'s field order).
        let length = u32::try_from(events.len()).unwrap_or(u32::MAX);
        let mut out = Compact(length).encode();
        for record in events {
            record.phase.encode_to(&mut out);
            out.extend(mirror_365::event_bytes_365(&record.event));
            record.topics.encode_to(&mut out);
        }
        out
    }
}

/// Which runtime builds a block, and which its state holds after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockRuntime {
    /// The runtime that validates the block's transactions and builds it (the parent's).
    pub builds: RuntimeSpec,
    /// The runtime in the state after the block (its recorded `spec_version`).
    pub after: RuntimeSpec,
}

impl BlockRuntime {
    /// The runtimes of block `number` on a parent whose state holds `parent`, with an upgrade
    /// to [`RuntimeSpec::LATEST`] scheduled at `upgrade_at`: a block at or past the scheduled
    /// one that an older runtime builds enacts the upgrade (a chain reopened with a schedule
    /// already passed upgrades at its next block).
    pub fn of_block(parent: RuntimeSpec, number: u32, upgrade_at: Option<u32>) -> BlockRuntime {
        let due = upgrade_at.is_some_and(|at| number >= at);
        let after = if due && parent < RuntimeSpec::LATEST {
            RuntimeSpec::LATEST
        } else {
            parent
        };
        BlockRuntime {
            builds: parent,
            after,
        }
    }

    /// Whether the block enacts a runtime upgrade.
    pub fn upgrades(&self) -> bool {
        self.builds != self.after
    }
}

/// The runtime that a chain with an upgrade scheduled at `upgrade_at` starts from.
pub fn genesis_runtime(upgrade_at: Option<u32>) -> RuntimeSpec {
    match upgrade_at {
        Some(_) => RuntimeSpec::Spec365,
        None => RuntimeSpec::LATEST,
    }
}

/// Which runtime the state after each stored block holds: the genesis runtime up to the
/// upgrade, the latest from the block that enacted it (runtimes only move forward).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpecHistory {
    /// The genesis block's runtime.
    pub genesis: RuntimeSpec,
    /// The block that enacted the upgrade to [`RuntimeSpec::LATEST`], if one did.
    pub upgraded_at: Option<u32>,
}

impl SpecHistory {
    /// The runtime in the state after block `number`.
    pub fn at(&self, number: u32) -> RuntimeSpec {
        match self.upgraded_at {
            Some(at) if number >= at => RuntimeSpec::LATEST,
            _ => self.genesis,
        }
    }

    /// Notes a new best block `number` with `runtime` after it.
    pub fn record(&mut self, number: u32, runtime: RuntimeSpec) {
        if self.upgraded_at.is_none() && runtime != self.genesis {
            self.upgraded_at = Some(number);
        }
    }
}

#[cfg(test)]
mod tests {
    use nya_metadata::runtime::calls::{
        BalancesEvent, SubtensorModuleCall, SubtensorModuleEvent, SystemEvent,
    };
    use nya_metadata::runtime::dispatch::{DispatchError, DispatchEventInfo};
    use nya_metadata::runtime::items;
    use nya_metadata::runtime::types::{AccountId32, H256, Phase};

    use super::*;

    #[test]
    fn spec_versions_round_trip_and_unknown_ones_are_refused() {
        for spec in [RuntimeSpec::Spec365, RuntimeSpec::Spec393] {
            assert_eq!(
                RuntimeSpec::from_spec_version(spec.spec_version()),
                Some(spec)
            );
        }
        assert_eq!(RuntimeSpec::Spec365.spec_version(), 365);
        assert_eq!(RuntimeSpec::from_spec_version(394), None);
        assert_eq!(RuntimeSpec::from_spec_version(0), None);
    }

    #[test]
    fn spec_365_version_differs_from_393_in_the_spec_version_only() {
        let (old, new) = (
            RuntimeSpec::Spec365.runtime_version(),
            RuntimeSpec::Spec393.runtime_version(),
        );
        assert_eq!((old.spec_version, new.spec_version), (365, 393));
        assert_eq!(new, runtime_api::runtime_version());
        assert_eq!(old.transaction_version, new.transaction_version);
        assert_eq!(old.apis, new.apis);
        assert_eq!(&*old.spec_name, "node-subtensor");
    }

    #[test]
    fn spec_365_serves_its_own_metadata_in_every_version() {
        for version in runtime_api::METADATA_VERSIONS {
            let old = RuntimeSpec::Spec365.metadata(version).expect("365 served");
            let new = RuntimeSpec::Spec393.metadata(version).expect("393 served");
            assert_ne!(old, new, "V{version}");
            assert_eq!(old.get(4), Some(&u8::try_from(version).expect("small")));
            let md = subxt::Metadata::decode_from(old).expect("subxt reads it");
            let extensions = md.extrinsic().transaction_extensions_by_version(0);
            assert_eq!(extensions.map(|e| e.count()), Some(12), "V{version}");
        }
        assert_eq!(RuntimeSpec::Spec365.metadata(13), None);
        assert_eq!(RuntimeSpec::Spec365.metadata(17), None);
    }

    #[test]
    fn spec_365_has_every_call_and_api_the_localnet_serves() {
        let call = RuntimeCall::SubtensorModule(SubtensorModuleCall::burned_register {
            netuid: 1,
            hotkey: AccountId32([1; 32]),
        });
        assert!(RuntimeSpec::Spec365.has_call(&call));
        assert!(RuntimeSpec::Spec393.has_call(&call));
        for item in runtime_api::SERVED {
            assert!(RuntimeSpec::Spec365.has_api(item), "{item:?}");
        }
        assert!(RuntimeSpec::Spec393.has_api(&items::CORE_VERSION));
    }

    fn record(phase: Phase, event: RuntimeEvent) -> EventRecord<RuntimeEvent> {
        EventRecord {
            phase,
            event,
            topics: vec![H256([9; 32])],
        }
    }

    #[test]
    fn spec_365_writes_events_in_its_numbering() {
        let events = vec![
            record(
                Phase::ApplyExtrinsic(0),
                RuntimeEvent::SubtensorModule(SubtensorModuleEvent::WeightsRevealed(
                    AccountId32([1; 32]),
                    3,
                    H256([2; 32]),
                )),
            ),
            record(
                Phase::ApplyExtrinsic(1),
                RuntimeEvent::System(SystemEvent::ExtrinsicFailed {
                    dispatch_error: DispatchError::module(7, 78),
                    dispatch_info: DispatchEventInfo::default(),
                }),
            ),
            record(
                Phase::Finalization,
                RuntimeEvent::Balances(BalancesEvent::Deposit {
                    who: AccountId32([3; 32]),
                    amount: 7,
                }),
            ),
        ];
        assert_eq!(RuntimeSpec::Spec393.encode_events(&events), events.encode());
        let old = RuntimeSpec::Spec365.encode_events(&events);
        // The spec-393 records with WeightsRevealed at 80 (not 84) and error 76 (not 78).
        let mut expected = events.clone();
        expected[1].event = RuntimeEvent::System(SystemEvent::ExtrinsicFailed {
            dispatch_error: DispatchError::module(7, 76),
            dispatch_info: DispatchEventInfo::default(),
        });
        let mut bytes = expected.encode();
        let at = bytes
            .windows(2)
            .position(|w| w == [7, 84])
            .expect("WeightsRevealed");
        bytes[at + 1] = 80;
        assert_eq!(old, bytes);
        assert_eq!(RuntimeSpec::Spec365.encode_events(&[]), vec![0]);
    }

    #[test]
    fn the_upgrade_block_is_built_by_the_old_runtime_and_holds_the_new() {
        let old = RuntimeSpec::Spec365;
        let before = BlockRuntime::of_block(old, 2, Some(3));
        assert_eq!(
            (before.builds, before.after, before.upgrades()),
            (old, old, false)
        );
        let upgrade = BlockRuntime::of_block(old, 3, Some(3));
        assert_eq!(
            (upgrade.builds, upgrade.after, upgrade.upgrades()),
            (old, RuntimeSpec::Spec393, true)
        );
        let after = BlockRuntime::of_block(RuntimeSpec::Spec393, 4, Some(3));
        assert!(!after.upgrades());
        assert_eq!(after.builds, RuntimeSpec::Spec393);
        // A schedule already passed (a reopened chain) upgrades at the next block.
        assert!(BlockRuntime::of_block(old, 10, Some(3)).upgrades());
        // No schedule: nothing changes, whatever the runtime.
        assert!(!BlockRuntime::of_block(old, 10, None).upgrades());
        assert_eq!(genesis_runtime(Some(3)), old);
        assert_eq!(genesis_runtime(None), RuntimeSpec::Spec393);
    }

    #[test]
    fn spec_history_answers_per_block() {
        let mut history = SpecHistory {
            genesis: RuntimeSpec::Spec365,
            upgraded_at: None,
        };
        history.record(1, RuntimeSpec::Spec365);
        history.record(3, RuntimeSpec::Spec393);
        history.record(4, RuntimeSpec::Spec393);
        assert_eq!(history.upgraded_at, Some(3));
        assert_eq!(history.at(0), RuntimeSpec::Spec365);
        assert_eq!(history.at(2), RuntimeSpec::Spec365);
        assert_eq!(history.at(3), RuntimeSpec::Spec393);
        assert_eq!(history.at(u32::MAX), RuntimeSpec::Spec393);
        let latest = SpecHistory {
            genesis: RuntimeSpec::Spec393,
            upgraded_at: None,
        };
        assert_eq!(latest.at(5), RuntimeSpec::Spec393);
    }
}
