//! Staking: `add_stake` moves TAO from the coldkey onto a hotkey in a subnet (as alpha);
//! `remove_stake` moves alpha back to the coldkey as TAO. Both are signed by the coldkey.
//!
//! A validator needs stake for a permit (and to reach `StakeThreshold`). Amounts are in rao
//! (TAO) for `add_stake` and in alpha rao for `remove_stake`, as the chain takes them; zero is
//! refused before anything is signed.

use nya_metadata::runtime::items::{SUBTENSOR_ADD_STAKE, SUBTENSOR_REMOVE_STAKE};
use subxt::dynamic::Value;

use super::calls::Call;
use super::{ChainError, Client, Included};
use crate::keys::Keypair;

/// `SubtensorModule.add_stake(hotkey, netuid, amount_staked)`.
pub fn add_stake_call(hotkey: &[u8; 32], netuid: u16, rao: u64) -> Call {
    Call::new(
        SUBTENSOR_ADD_STAKE,
        vec![
            ("hotkey", Value::from_bytes(hotkey)),
            ("netuid", Value::u128(u128::from(netuid))),
            ("amount_staked", Value::u128(u128::from(rao))),
        ],
    )
}

/// `SubtensorModule.remove_stake(hotkey, netuid, amount_unstaked)`.
pub fn remove_stake_call(hotkey: &[u8; 32], netuid: u16, alpha: u64) -> Call {
    Call::new(
        SUBTENSOR_REMOVE_STAKE,
        vec![
            ("hotkey", Value::from_bytes(hotkey)),
            ("netuid", Value::u128(u128::from(netuid))),
            ("amount_unstaked", Value::u128(u128::from(alpha))),
        ],
    )
}

impl Client {
    /// Stakes `rao` TAO from `coldkey` on `hotkey` in `netuid`.
    pub async fn add_stake(
        &self,
        coldkey: &Keypair,
        hotkey: &[u8; 32],
        netuid: u16,
        rao: u64,
    ) -> Result<Included, ChainError> {
        if rao == 0 {
            return Err(ChainError::Input("staking 0 rao does nothing".into()));
        }
        self.submit_and_wait(&add_stake_call(hotkey, netuid, rao), coldkey)
            .await
    }

    /// Unstakes `alpha` (alpha rao) of `coldkey`'s stake on `hotkey` in `netuid`.
    pub async fn remove_stake(
        &self,
        coldkey: &Keypair,
        hotkey: &[u8; 32],
        netuid: u16,
        alpha: u64,
    ) -> Result<Included, ChainError> {
        if alpha == 0 {
            return Err(ChainError::Input("unstaking 0 does nothing".into()));
        }
        self.submit_and_wait(&remove_stake_call(hotkey, netuid, alpha), coldkey)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nya_metadata::runtime::items;

    #[test]
    fn stake_calls_are_used_items_with_the_chains_argument_names() {
        let add = add_stake_call(&[1; 32], 3, 5);
        assert_eq!(add.item(), items::SUBTENSOR_ADD_STAKE);
        assert!(items::USED_ITEMS.contains(&add.item()));
        let remove = remove_stake_call(&[1; 32], 3, 5);
        assert_eq!(remove.name(), "SubtensorModule.remove_stake");
        let text = format!("{:?}", remove.args());
        assert!(text.contains("amount_unstaked"), "{text}");
    }
}
