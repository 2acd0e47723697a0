//! Test harness for the pallet: a [`World`] holding a committed [`MemoryState`] with subnet 1
//! (owner coldkey `account(2)`, owner hotkey `account(1)` at uid 0) built by
//! [`super::create_subnet`], a current block whose start-of-block hook has run, and the events
//! of the calls that succeeded. A failed call leaves the state as it was, as a failed
//! extrinsic's rolled-back layer does.

use nya_metadata::runtime::calls::{RuntimeEvent, SubtensorModuleCall, SubtensorModuleEvent};
use nya_metadata::runtime::types::{AccountId32, EventRecord, Phase};

use super::params::{SubnetParams, create_subnet};
use super::{dispatch, on_initialize};
use crate::localnet::runtime::{Ctx, DispatchResult, Origin, balances};
use crate::localnet::state::{MemoryState, Overlay};

/// A test account whose 32 bytes are all `n`.
pub(crate) fn account(n: u8) -> AccountId32 {
    AccountId32([n; 32])
}

/// A chain in memory, between blocks' calls.
pub(crate) struct World {
    /// The committed state.
    pub state: MemoryState,
    /// The block calls run in.
    pub block: u32,
    /// Events of the successful calls and hooks so far.
    pub events: Vec<EventRecord<RuntimeEvent>>,
}

impl World {
    /// Subnet 1 with the default parameters, at block 1.
    pub fn new() -> World {
        World::with(|_| {})
    }

    /// Subnet 1 with the parameters `tweak` leaves, at block 1.
    pub fn with(tweak: impl FnOnce(&mut SubnetParams)) -> World {
        let mut params = SubnetParams::default();
        tweak(&mut params);
        params.validate().expect("test parameters are valid");
        let mut world = World {
            state: MemoryState::default(),
            block: 0,
            events: Vec::new(),
        };
        world.set(|s| {
            create_subnet(s, 1, &account(2), &account(1), &params).expect("genesis writes");
        });
        world.next_block();
        world
    }

    /// Applies direct storage writes (test setup), as genesis would.
    pub fn set(&mut self, write: impl FnOnce(&mut Overlay<'_>)) {
        let mut overlay = Overlay::new(&self.state);
        write(&mut overlay);
        let changes = overlay.into_changes();
        self.state.apply(&changes);
    }

    /// Reads the committed state.
    pub fn read<T>(&self, read: impl FnOnce(&MemoryState) -> T) -> T {
        read(&self.state)
    }

    /// Gives `who` `amount` rao (added to the total issuance).
    pub fn fund(&mut self, who: &AccountId32, amount: u64) {
        self.set(|s| balances::endow_at_genesis(s, who, amount).expect("endowment fits"));
    }

    /// Free balance of `who`.
    pub fn free(&self, who: &AccountId32) -> u64 {
        balances::free(&self.state, who).expect("account decodes")
    }

    /// `Balances.TotalIssuance`.
    pub fn total_issuance(&self) -> u64 {
        balances::total_issuance(&self.state).expect("issuance decodes")
    }

    /// Dispatches `call` signed by `who` in the current block; commits its writes and events
    /// only when it succeeds.
    pub fn call(&mut self, who: &AccountId32, call: SubtensorModuleCall) -> DispatchResult {
        let mut overlay = Overlay::new(&self.state);
        let mut events = Vec::new();
        let result = {
            let mut ctx = Ctx {
                state: &mut overlay,
                block: self.block,
                events: &mut events,
                phase: Phase::ApplyExtrinsic(0),
            };
            dispatch(&mut ctx, Origin::Signed(*who), call)
        };
        if result.is_ok() {
            let changes = overlay.into_changes();
            self.state.apply(&changes);
            self.events.extend(events);
        }
        result
    }

    /// Moves to the next block and runs its start-of-block hook.
    pub fn next_block(&mut self) {
        self.block += 1;
        let mut overlay = Overlay::new(&self.state);
        let mut events = Vec::new();
        {
            let mut ctx = Ctx {
                state: &mut overlay,
                block: self.block,
                events: &mut events,
                phase: Phase::Initialization,
            };
            on_initialize(&mut ctx).expect("hook state decodes");
        }
        let changes = overlay.into_changes();
        self.state.apply(&changes);
        self.events.extend(events);
    }

    /// Runs blocks until the current one is `block`.
    pub fn run_to(&mut self, block: u32) {
        while self.block < block {
            self.next_block();
        }
    }

    /// Whether a successful call emitted `event`.
    pub fn emitted(&self, event: &SubtensorModuleEvent) -> bool {
        self.events
            .iter()
            .any(|r| matches!(&r.event, RuntimeEvent::SubtensorModule(e) if e == event))
    }
}
