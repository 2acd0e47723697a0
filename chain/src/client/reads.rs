//! Reads pinned to one block: balances, uids, burn, and nya commitments.
//!
//! Every storage item is addressed by the names in `nya_metadata::runtime::items` and every
//! value decodes with the mirror's SCALE types (`AccountInfo`, `Registration`, …), refusing
//! trailing bytes, so a value whose shape changed is an error naming the item, never a silent
//! misread.

use std::collections::BTreeMap;

use nya_metadata::commitment::{Commitment, CommitmentInfo};
use nya_metadata::runtime::items::{
    COMMITMENTS_COMMITMENT_OF, SUBTENSOR_BURN, SUBTENSOR_KEYS, SUBTENSOR_UIDS, SYSTEM_ACCOUNT,
    UsedItem,
};
use nya_metadata::runtime::types::{AccountInfo, Registration};
use parity_scale_codec::DecodeAll;
use subxt::SubstrateConfig;
use subxt::client::{ClientAtBlock, OnlineClientAtBlockImpl};
use subxt::dynamic::Value;
use subxt::ext::frame_decode::storage::{IntoDecodableValues, IntoEncodableValues};
use subxt::storage::DynamicAddress;

use super::ChainError;

/// Reads answered from one block.
pub struct At {
    pub(super) inner: ClientAtBlock<SubstrateConfig, OnlineClientAtBlockImpl<SubstrateConfig>>,
    number: u32,
}

impl std::fmt::Debug for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("At")
            .field("number", &self.number)
            .field("hash", &hex::encode(self.hash()))
            .finish()
    }
}

/// What a hotkey's `CommitmentOf` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// A nya commitment.
    Nya(Commitment),
    /// Something else (another subnet's format, or a malformed nya one): the raw fields and
    /// why they are not a nya commitment.
    Other {
        /// The fields as stored.
        info: CommitmentInfo,
        /// The parse error.
        reason: String,
    },
}

impl Payload {
    fn from_info(info: CommitmentInfo) -> Self {
        match Commitment::from_info(&info) {
            Ok(commitment) => Payload::Nya(commitment),
            Err(err) => Payload::Other {
                info,
                reason: err.to_string(),
            },
        }
    }

    /// The nya commitment, if it is one.
    pub fn nya(&self) -> Option<&Commitment> {
        match self {
            Payload::Nya(c) => Some(c),
            Payload::Other { .. } => None,
        }
    }
}

/// One hotkey's latest commitment on a subnet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentRecord {
    /// The committing hotkey's public key.
    pub hotkey: [u8; 32],
    /// Its uid on the subnet at the read block (`None` once deregistered).
    pub uid: Option<u16>,
    /// The block the commitment was written in.
    pub block: u32,
    /// Deposit held for it (zero on finney).
    pub deposit: u64,
    /// The decoded payload.
    pub payload: Payload,
}

impl CommitmentRecord {
    fn new(hotkey: [u8; 32], uid: Option<u16>, registration: Registration) -> Self {
        CommitmentRecord {
            hotkey,
            uid,
            block: registration.block,
            deposit: registration.deposit,
            payload: Payload::from_info(registration.info),
        }
    }
}

pub(super) fn item_name(item: UsedItem) -> String {
    format!("{}.{}", item.owner(), item.name())
}

/// The subxt address of storage `item` with keys of type `K`, resolved by name against
/// whatever metadata the block serves (the offline conformance tests use it on finney's).
pub(super) fn address<K: IntoEncodableValues>(item: UsedItem) -> DynamicAddress<K, Value> {
    subxt::dynamic::storage::<K, Value>(item.owner(), item.name())
}

impl At {
    pub(super) fn new(
        inner: ClientAtBlock<SubstrateConfig, OnlineClientAtBlockImpl<SubstrateConfig>>,
    ) -> Result<Self, ChainError> {
        let number = u32::try_from(inner.block_number()).map_err(|_| {
            ChainError::rpc(
                "opening a block",
                format!("block number {} is over u32", inner.block_number()),
            )
        })?;
        Ok(At { inner, number })
    }

    /// The block's number.
    pub fn number(&self) -> u32 {
        self.number
    }

    /// The block's hash.
    pub fn hash(&self) -> [u8; 32] {
        self.inner.block_hash().0
    }

    /// The runtime's spec version at this block.
    pub fn spec_version(&self) -> u32 {
        self.inner.spec_version()
    }

    /// Reads `item` at `keys` and decodes it as `V` (no trailing bytes); `None` when absent.
    pub(super) async fn fetch<K, V>(&self, item: UsedItem, keys: K) -> Result<Option<V>, ChainError>
    where
        K: IntoEncodableValues + IntoDecodableValues,
        V: DecodeAll,
    {
        let value = self
            .inner
            .storage()
            .try_fetch(address::<K>(item), keys)
            .await
            .map_err(|e| ChainError::rpc(format!("reading {}", item_name(item)), e))?;
        value.map(|v| decode::<V>(item, v.bytes())).transpose()
    }

    /// `System.Account` of `account`: nonce and balances (zeroes for an unknown account).
    pub async fn account(&self, account: &[u8; 32]) -> Result<AccountInfo, ChainError> {
        Ok(self
            .fetch::<_, AccountInfo>(SYSTEM_ACCOUNT, (*account,))
            .await?
            .unwrap_or_default())
    }

    /// Free balance of `account`, in rao.
    pub async fn free_balance(&self, account: &[u8; 32]) -> Result<u64, ChainError> {
        Ok(self.account(account).await?.data.free)
    }

    /// Transactions `account` has sent so far (its next nonce).
    pub async fn nonce(&self, account: &[u8; 32]) -> Result<u32, ChainError> {
        Ok(self.account(account).await?.nonce)
    }

    /// `SubtensorModule.Uids(netuid, hotkey)`: the hotkey's uid, if registered.
    pub async fn uid(&self, netuid: u16, hotkey: &[u8; 32]) -> Result<Option<u16>, ChainError> {
        self.fetch::<_, u16>(SUBTENSOR_UIDS, (netuid, *hotkey))
            .await
    }

    /// `SubtensorModule.Keys(netuid, uid)`: the hotkey holding `uid`, if any (`Keys` answers a
    /// zero account for a free uid, so the answer is checked against `Uids`).
    pub async fn hotkey(&self, netuid: u16, uid: u16) -> Result<Option<[u8; 32]>, ChainError> {
        let Some(hotkey) = self
            .fetch::<_, [u8; 32]>(SUBTENSOR_KEYS, (netuid, uid))
            .await?
        else {
            return Ok(None);
        };
        Ok(match self.uid(netuid, &hotkey).await? {
            Some(found) if found == uid => Some(hotkey),
            _ => None,
        })
    }

    /// `SubtensorModule.Burn(netuid)`: what registering costs now, in rao.
    pub async fn burn(&self, netuid: u16) -> Result<u64, ChainError> {
        // `fetch` answers the declared default when the subnet never set one.
        let value = self
            .inner
            .storage()
            .fetch(address::<(u16,)>(SUBTENSOR_BURN), (netuid,))
            .await
            .map_err(|e| ChainError::rpc(format!("reading {}", item_name(SUBTENSOR_BURN)), e))?;
        decode::<u64>(SUBTENSOR_BURN, value.bytes())
    }

    /// `Commitments.CommitmentOf(netuid, hotkey)` with the hotkey's uid.
    pub async fn commitment(
        &self,
        netuid: u16,
        hotkey: &[u8; 32],
    ) -> Result<Option<CommitmentRecord>, ChainError> {
        let Some(registration) = self
            .fetch::<_, Registration>(COMMITMENTS_COMMITMENT_OF, (netuid, *hotkey))
            .await?
        else {
            return Ok(None);
        };
        let uid = self.uid(netuid, hotkey).await?;
        Ok(Some(CommitmentRecord::new(*hotkey, uid, registration)))
    }

    /// Every `(key, value)` of a double map under `netuid`, keys decoded.
    async fn iter_netuid<V: DecodeAll>(
        &self,
        item: UsedItem,
        netuid: u16,
    ) -> Result<Vec<([u8; 32], V)>, ChainError> {
        let what = || format!("listing {}", item_name(item));
        let mut entries = self
            .inner
            .storage()
            .iter(address::<(u16, [u8; 32])>(item), (netuid,))
            .await
            .map_err(|e| ChainError::rpc(what(), e))?;
        let mut out = Vec::new();
        while let Some(entry) = entries.next().await {
            let entry = entry.map_err(|e| ChainError::rpc(what(), e))?;
            let (_, account) =
                entry
                    .key()
                    .and_then(|k| k.decode())
                    .map_err(|e| ChainError::Decode {
                        item: item_name(item),
                        detail: format!("storage key: {e}"),
                    })?;
            out.push((account, decode::<V>(item, entry.value().bytes())?));
        }
        Ok(out)
    }

    /// Every hotkey's commitment on `netuid`, with uids, ordered by uid (unregistered last, by
    /// hotkey). One iteration of `CommitmentOf` and one of `Uids`, both at this block.
    pub async fn commitments(&self, netuid: u16) -> Result<Vec<CommitmentRecord>, ChainError> {
        let uids: BTreeMap<[u8; 32], u16> = self
            .iter_netuid::<u16>(SUBTENSOR_UIDS, netuid)
            .await?
            .into_iter()
            .collect();
        let mut records: Vec<CommitmentRecord> = self
            .iter_netuid::<Registration>(COMMITMENTS_COMMITMENT_OF, netuid)
            .await?
            .into_iter()
            .map(|(hotkey, registration)| {
                CommitmentRecord::new(hotkey, uids.get(&hotkey).copied(), registration)
            })
            .collect();
        records.sort_by_key(|r| (r.uid.is_none(), r.uid, r.hotkey));
        Ok(records)
    }
}

/// Decodes a whole stored value as the mirror type of `item`.
pub(super) fn decode<V: DecodeAll>(item: UsedItem, bytes: &[u8]) -> Result<V, ChainError> {
    V::decode_all(&mut &bytes[..]).map_err(|e| ChainError::Decode {
        item: item_name(item),
        detail: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nya_metadata::commitment::Data;
    use parity_scale_codec::Encode;

    #[test]
    fn stored_values_decode_whole_or_name_the_item() {
        assert_eq!(decode::<u16>(SUBTENSOR_UIDS, &7u16.encode()).unwrap(), 7);
        let err = decode::<u16>(SUBTENSOR_UIDS, &[1, 0, 0]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("SubtensorModule.Uids: the stored value does not decode"),
            "{err}"
        );
        let err = decode::<Registration>(COMMITMENTS_COMMITMENT_OF, &[0; 3]).unwrap_err();
        assert!(
            err.to_string().contains("Commitments.CommitmentOf"),
            "{err}"
        );
    }

    #[test]
    fn foreign_payloads_keep_their_fields_and_say_why() {
        let info = CommitmentInfo::new(vec![Data::raw(b"hello".to_vec()).unwrap()]).unwrap();
        let registration = Registration {
            deposit: 0,
            block: 9,
            info: info.clone(),
        };
        let bytes = registration.encode();
        let decoded = decode::<Registration>(COMMITMENTS_COMMITMENT_OF, &bytes).unwrap();
        let record = CommitmentRecord::new([1; 32], Some(3), decoded);
        assert_eq!(record.block, 9);
        match &record.payload {
            Payload::Other { info: kept, reason } => {
                assert_eq!(kept, &info);
                let expected = Commitment::from_info(&info).unwrap_err().to_string();
                assert_eq!(reason, &expected);
            }
            Payload::Nya(c) => panic!("not a nya commitment: {c}"),
        }
        assert!(record.payload.nya().is_none());
    }
}
