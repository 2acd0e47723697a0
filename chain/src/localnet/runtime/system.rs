//! `frame_system` for the localnet: accounts (`System.Account`), nonces, `System.remark`, and
//! the end-of-block bookkeeping (`System.Events`, `Number`, `BlockHash`, `ParentHash`).
//!
//! Storage, as finney spec 393 lays it out:
//! - `System.Account`: `Blake2_128Concat(AccountId32) -> AccountInfo` (nonce, reference counts,
//!   balances). A record that holds nothing (the type's default) is not stored, as frame stores
//!   nothing for an account it has never seen; [`set_account`] removes such records.
//! - `System.BlockHash`: `Twox64Concat(u32) -> H256`, the hash of every recent block; entries
//!   older than [`BLOCK_HASH_COUNT`] are pruned the way frame prunes them (block 0, the genesis
//!   hash, is never pruned: `CheckGenesis` reads it).
//!
//! Account lifetime (providers, `NewAccount`/`KilledAccount`) is driven by the balances pallet:
//! see [`super::balances`].

use nya_metadata::runtime::calls::{RuntimeEvent, SystemCall};
use nya_metadata::runtime::items::{
    SYSTEM_ACCOUNT, SYSTEM_BLOCK_HASH, SYSTEM_EVENTS, SYSTEM_NUMBER, SYSTEM_PARENT_HASH, UsedItem,
};
use nya_metadata::runtime::types::{AccountId32, AccountInfo, EventRecord, H256};

use super::{Ctx, DispatchResult, Origin};
use crate::localnet::state::{CorruptValue, Overlay, StorageRead, get_or_default, key};

/// `frame_system::Config::BlockHashCount` of subtensor: how many recent block hashes are kept.
pub const BLOCK_HASH_COUNT: u32 = 4096;

/// The key of a plain storage item, or the prefix of a map, for an item of
/// [`nya_metadata::runtime::USED_ITEMS`] (so every key the runtime touches is a listed item).
pub fn item_prefix(item: UsedItem) -> Vec<u8> {
    key::prefix(item.owner(), item.name())
}

/// The `System.Account` key of `who`.
pub fn account_key(who: &AccountId32) -> Vec<u8> {
    let mut k = item_prefix(SYSTEM_ACCOUNT);
    key::blake2_128_concat(&mut k, who);
    k
}

/// The `System.BlockHash` key of block `number`.
pub fn block_hash_key(number: u32) -> Vec<u8> {
    let mut k = item_prefix(SYSTEM_BLOCK_HASH);
    key::twox_64_concat(&mut k, &number);
    k
}

/// `System` calls. `remark` stores nothing and emits nothing; frame accepts it from a signed
/// origin or root.
pub fn dispatch(_ctx: &mut Ctx<'_, '_>, origin: Origin, call: SystemCall) -> DispatchResult {
    match call {
        SystemCall::remark { remark: _ } => match origin {
            Origin::Signed(_) | Origin::Root => Ok(()),
        },
    }
}

/// The account record of `who` (the default, empty record when it has none).
pub fn account(state: &impl StorageRead, who: &AccountId32) -> Result<AccountInfo, CorruptValue> {
    get_or_default(state, &account_key(who))
}

/// Writes the account record of `who`, or removes it when it holds nothing (the default
/// record), so that an account that was never used and one that was emptied look the same.
pub fn set_account(state: &mut Overlay<'_>, who: &AccountId32, info: &AccountInfo) {
    if *info == AccountInfo::default() {
        state.remove(account_key(who));
    } else {
        state.set(account_key(who), info);
    }
}

/// Removes the account record of `who` outright: frame's reaping when the last provider goes
/// (the nonce goes with it).
pub fn remove_account(state: &mut Overlay<'_>, who: &AccountId32) {
    state.remove(account_key(who));
}

/// Bumps the nonce of `who` (subtensor's `CheckNonce`): written even for an account without
/// providers, since subtensor lets fee-less calls come from accounts that hold nothing.
pub fn increment_nonce(ctx: &mut Ctx<'_, '_>, who: &AccountId32) -> Result<(), CorruptValue> {
    let mut info = account(ctx.state, who)?;
    info.nonce = info.nonce.wrapping_add(1);
    set_account(ctx.state, who, &info);
    Ok(())
}

/// Start-of-block bookkeeping (`frame_system::initialize`): the parent's hash under
/// `BlockHash(block - 1)`, which `CheckGenesis` and `CheckMortality` read, and in `ParentHash`.
pub fn note_parent(state: &mut Overlay<'_>, block: u32, parent_hash: H256) {
    state.set(item_prefix(SYSTEM_PARENT_HASH), &parent_hash);
    if let Some(parent) = block.checked_sub(1) {
        state.set(block_hash_key(parent), &parent_hash);
    }
}

/// End-of-block bookkeeping: the block's events, its number, and pruning of the hash that fell
/// out of the `BLOCK_HASH_COUNT` window.
pub fn finalize(state: &mut Overlay<'_>, block: u32, events: Vec<EventRecord<RuntimeEvent>>) {
    state.set(item_prefix(SYSTEM_EVENTS), &events);
    state.set(item_prefix(SYSTEM_NUMBER), &block);
    let expired = block.saturating_sub(BLOCK_HASH_COUNT).saturating_sub(1);
    if expired != 0 {
        state.remove(block_hash_key(expired));
    }
}

#[cfg(test)]
mod tests {
    use nya_metadata::runtime::calls::BalancesEvent;
    use nya_metadata::runtime::types::Phase;
    use parity_scale_codec::Decode;

    use super::*;
    use crate::localnet::state::{MemoryState, get_decoded};

    fn who(n: u8) -> AccountId32 {
        AccountId32([n; 32])
    }

    #[test]
    fn system_account_key_is_blake2_128_concat_of_the_id() {
        let k = account_key(&who(7));
        // 32-byte pallet/entry prefix, 16-byte blake2, then the raw id.
        assert_eq!(k.len(), 32 + 16 + 32);
        assert_eq!(&k[48..], &[7; 32]);
        assert_eq!(
            hex::encode(&k[..32]),
            "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9"
        );
    }

    #[test]
    fn system_missing_account_reads_as_default_and_empty_records_are_not_stored() {
        let base = MemoryState::default();
        let mut overlay = Overlay::new(&base);
        assert_eq!(
            account(&overlay, &who(1)).ok(),
            Some(AccountInfo::default())
        );

        let mut data = AccountInfo::default().data;
        data.free = 1_000;
        let info = AccountInfo {
            providers: 1,
            data,
            ..AccountInfo::default()
        };
        set_account(&mut overlay, &who(1), &info);
        assert_eq!(account(&overlay, &who(1)).ok(), Some(info));

        set_account(&mut overlay, &who(1), &AccountInfo::default());
        assert_eq!(overlay.get(&account_key(&who(1))), None);
    }

    #[test]
    fn system_nonce_bump_is_stored_even_without_providers() {
        let base = MemoryState::default();
        let mut overlay = Overlay::new(&base);
        let mut events = Vec::new();
        let mut ctx = Ctx {
            state: &mut overlay,
            block: 1,
            events: &mut events,
            phase: Phase::ApplyExtrinsic(0),
        };
        increment_nonce(&mut ctx, &who(2)).unwrap();
        increment_nonce(&mut ctx, &who(2)).unwrap();
        let info = account(&overlay, &who(2)).unwrap();
        assert_eq!((info.nonce, info.providers), (2, 0));
        assert!(events.is_empty());
    }

    #[test]
    fn system_remark_is_accepted_from_signed_and_root() {
        let base = MemoryState::default();
        let mut overlay = Overlay::new(&base);
        let mut events = Vec::new();
        let mut ctx = Ctx {
            state: &mut overlay,
            block: 1,
            events: &mut events,
            phase: Phase::ApplyExtrinsic(0),
        };
        let call = || SystemCall::remark {
            remark: b"hello".to_vec(),
        };
        assert_eq!(dispatch(&mut ctx, Origin::Signed(who(1)), call()), Ok(()));
        assert_eq!(dispatch(&mut ctx, Origin::Root, call()), Ok(()));
        assert!(events.is_empty());
        assert!(overlay.into_changes().is_empty(), "remark stores nothing");
    }

    #[test]
    fn system_finalize_writes_events_number_and_parent_hash() {
        let base = MemoryState::default();
        let mut overlay = Overlay::new(&base);
        let events = vec![EventRecord {
            phase: Phase::ApplyExtrinsic(0),
            event: RuntimeEvent::Balances(BalancesEvent::Withdraw {
                who: who(1),
                amount: 5,
            }),
            topics: Vec::new(),
        }];
        let parent = H256([9; 32]);
        note_parent(&mut overlay, 7, parent);
        finalize(&mut overlay, 7, events.clone());
        let stored: Vec<EventRecord<RuntimeEvent>> =
            get_decoded(&overlay, &item_prefix(SYSTEM_EVENTS))
                .unwrap()
                .unwrap();
        assert_eq!(stored, events);
        let number: Option<u32> = get_decoded(&overlay, &item_prefix(SYSTEM_NUMBER)).unwrap();
        assert_eq!(number, Some(7));
        let hash: Option<H256> = get_decoded(&overlay, &block_hash_key(6)).unwrap();
        assert_eq!(hash, Some(parent));
        let parent_hash: Option<H256> =
            get_decoded(&overlay, &item_prefix(SYSTEM_PARENT_HASH)).unwrap();
        assert_eq!(parent_hash, Some(parent));
    }

    #[test]
    fn system_finalize_prunes_hashes_older_than_the_window_but_keeps_genesis() {
        let mut base = MemoryState::default();
        for n in [0u32, 1, 2] {
            base.0
                .insert(block_hash_key(n), H256([n as u8 + 1; 32]).0.to_vec());
        }
        let mut overlay = Overlay::new(&base);
        // Block BLOCK_HASH_COUNT + 2 drops the hash of block 1; block 0 stays.
        finalize(&mut overlay, BLOCK_HASH_COUNT + 2, Vec::new());
        assert!(overlay.get(&block_hash_key(0)).is_some());
        assert_eq!(overlay.get(&block_hash_key(1)), None);
        assert!(overlay.get(&block_hash_key(2)).is_some());
        let events = overlay.get(&item_prefix(SYSTEM_EVENTS)).unwrap();
        assert_eq!(
            Vec::<EventRecord<RuntimeEvent>>::decode(&mut events.as_slice()).unwrap(),
            Vec::new()
        );
    }

    #[test]
    fn system_damaged_account_record_is_corruption_not_a_panic() {
        let mut base = MemoryState::default();
        base.0.insert(account_key(&who(3)), vec![1, 2, 3]);
        let err = account(&base, &who(3)).unwrap_err();
        assert!(err.to_string().contains("AccountInfo"), "{err}");
    }
}
