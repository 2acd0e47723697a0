//! The localnet's runtime: the state machine that applies finney's calls with the chain's own
//! rules, one pallet per module, all working on an [`Overlay`] of the parent block's state.
//!
//! - [`system`], [`balances`], [`fees`]: accounts, nonces, transfers, the fee rule.
//! - [`subtensor`]: registration, axons, stake, weights, commit-reveal, hyperparameters and the
//!   per-tempo epoch.
//! - [`commitments`]: `set_commitment` and its space limit.
//! - [`admin`]: `Sudo.sudo` and the `AdminUtils` setters.
//!
//! Block flow (driven by the node): [`note_parent`] and [`initialize_block`], then
//! [`apply_extrinsic`] for each transaction, then [`finalize_block`], which writes
//! `System.Events` and `System.Number`.

pub mod admin;
pub mod balances;
pub mod commitments;
pub mod fees;
pub mod subtensor;
pub mod system;

use nya_metadata::runtime::calls::{RuntimeCall, RuntimeEvent, SystemEvent};
use nya_metadata::runtime::dispatch::DispatchError;
use nya_metadata::runtime::types::{AccountId32, EventRecord, H256, Phase};

use super::state::{CorruptValue, Overlay};

/// Who a call is dispatched as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A signed transaction's sender.
    Signed(AccountId32),
    /// Root, reached only through `Sudo.sudo` by the sudo key.
    Root,
}

impl Origin {
    /// The signer, or `BadOrigin` for root.
    pub fn signed(&self) -> Result<AccountId32, DispatchError> {
        match self {
            Origin::Signed(who) => Ok(*who),
            Origin::Root => Err(DispatchError::BadOrigin),
        }
    }

    /// `Ok` for root, `BadOrigin` otherwise.
    pub fn ensure_root(&self) -> Result<(), DispatchError> {
        match self {
            Origin::Root => Ok(()),
            Origin::Signed(_) => Err(DispatchError::BadOrigin),
        }
    }
}

/// A dispatch outcome.
pub type DispatchResult = Result<(), DispatchError>;

impl From<CorruptValue> for DispatchError {
    fn from(err: CorruptValue) -> DispatchError {
        tracing::error!(%err, "corrupt storage value");
        DispatchError::Corruption
    }
}

/// Everything a call sees while it runs: the state, the block it is in and the event sink.
pub struct Ctx<'s, 'a> {
    /// State of the block being built.
    pub state: &'s mut Overlay<'a>,
    /// Number of the block being built.
    pub block: u32,
    /// Events of the block so far.
    pub events: &'s mut Vec<EventRecord<RuntimeEvent>>,
    /// When in the block we are.
    pub phase: Phase,
}

impl Ctx<'_, '_> {
    /// Records an event at the current phase.
    pub fn deposit_event(&mut self, event: RuntimeEvent) {
        self.events.push(EventRecord {
            phase: self.phase,
            event,
            topics: Vec::new(),
        });
    }
}

/// Routes a call to its pallet.
pub fn dispatch(ctx: &mut Ctx<'_, '_>, origin: Origin, call: RuntimeCall) -> DispatchResult {
    match call {
        RuntimeCall::System(call) => system::dispatch(ctx, origin, call),
        RuntimeCall::Balances(call) => balances::dispatch(ctx, origin, call),
        RuntimeCall::SubtensorModule(call) => subtensor::dispatch(ctx, origin, call),
        RuntimeCall::Commitments(call) => commitments::dispatch(ctx, origin, call),
        RuntimeCall::Sudo(call) => admin::dispatch_sudo(ctx, origin, call),
        RuntimeCall::AdminUtils(call) => admin::dispatch_admin_utils(ctx, origin, call),
    }
}

/// A transaction the node has decoded and checked (signature, era, nonce, payment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCall {
    /// The sender.
    pub signer: AccountId32,
    /// The sender's nonce the transaction carries.
    pub nonce: u32,
    /// Tip in rao, paid on top of the fee.
    pub tip: u64,
    /// The call.
    pub call: RuntimeCall,
    /// Length of the whole encoded extrinsic, which the fee depends on.
    pub encoded_len: u32,
}

/// How one applied extrinsic ended (the events say the same; this is for the node's logs and
/// the transaction watchers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplyOutcome {
    /// The call succeeded.
    Success,
    /// The call failed; its writes were rolled back, fee and nonce stay.
    Failed(DispatchError),
}

/// What `frame_system::initialize` records before anything else in block `block`: the parent's
/// hash in `System.BlockHash(block - 1)` (which `CheckGenesis` and `CheckMortality` read), and
/// `System.ParentHash`. Transaction validation runs this too, as if in the next block.
pub fn note_parent(state: &mut Overlay<'_>, block: u32, parent_hash: H256) {
    system::note_parent(state, block, parent_hash);
    state.commit_layer();
}

/// Runs the start-of-block hooks: the epoch of every subnet whose tempo ends here.
pub fn initialize_block(
    state: &mut Overlay<'_>,
    block: u32,
    events: &mut Vec<EventRecord<RuntimeEvent>>,
) -> Result<(), CorruptValue> {
    let mut ctx = Ctx {
        state,
        block,
        events,
        phase: Phase::Initialization,
    };
    subtensor::on_initialize(&mut ctx)?;
    ctx.state.commit_layer();
    Ok(())
}

/// Applies extrinsic number `index` of the block: bumps the nonce and charges the fee (kept
/// whatever happens next), then dispatches the call in its own layer, rolled back on failure,
/// and records `ExtrinsicSuccess` or `ExtrinsicFailed` the way `frame_system` does.
pub fn apply_extrinsic(
    state: &mut Overlay<'_>,
    block: u32,
    index: u32,
    xt: SignedCall,
    events: &mut Vec<EventRecord<RuntimeEvent>>,
) -> Result<ApplyOutcome, CorruptValue> {
    let mut ctx = Ctx {
        state,
        block,
        events,
        phase: Phase::ApplyExtrinsic(index),
    };
    let (fee, dispatch_info) = fees::fee_for(&xt.call, xt.encoded_len);
    system::increment_nonce(&mut ctx, &xt.signer)?;
    fees::charge(&mut ctx, &xt.signer, fee, xt.tip)?;
    ctx.state.commit_layer();
    let events_before_call = ctx.events.len();

    let outcome = match dispatch(&mut ctx, Origin::Signed(xt.signer), xt.call) {
        Ok(()) => {
            ctx.state.commit_layer();
            ctx.deposit_event(fees::fee_paid_event(xt.signer, fee, xt.tip));
            ctx.deposit_event(RuntimeEvent::System(SystemEvent::ExtrinsicSuccess {
                dispatch_info,
            }));
            ApplyOutcome::Success
        }
        Err(dispatch_error) => {
            ctx.state.rollback_layer();
            // Events the failed call emitted go too: frame rolls back its storage, events included.
            ctx.events.truncate(events_before_call);
            ctx.deposit_event(fees::fee_paid_event(xt.signer, fee, xt.tip));
            ctx.deposit_event(RuntimeEvent::System(SystemEvent::ExtrinsicFailed {
                dispatch_error,
                dispatch_info,
            }));
            ApplyOutcome::Failed(dispatch_error)
        }
    };
    ctx.state.commit_layer();
    Ok(outcome)
}

/// Writes the block's bookkeeping: `System.Events`, `System.Number`, and the pruning of block
/// hashes past subtensor's window (the parent's hash was written by [`note_parent`]).
pub fn finalize_block(state: &mut Overlay<'_>, block: u32, events: Vec<EventRecord<RuntimeEvent>>) {
    system::finalize(state, block, events);
    state.commit_layer();
}
