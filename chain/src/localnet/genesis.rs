//! The localnet's genesis: which accounts hold what, who is sudo, which subnets exist with which
//! hyperparameters, read from a TOML file and turned into the genesis state.
//!
//! ```toml
//! sudo = "Alice"                 # the Sudo.Key account
//!
//! [[account]]                    # funded accounts (balances in rao)
//! id = "Alice"
//! balance = 1_000_000_000_000_000
//!
//! [[subnet]]
//! netuid = 1
//! owner_coldkey = "Alice"
//! owner_hotkey = "Alice"
//! tempo = 10                     # any hyperparameter of SubnetParams, by its chain name
//! commit_reveal_weights_enabled = false
//! ```
//!
//! An account is named by a dev name (`Alice`, `Bob`, `Charlie`, `Dave`, `Eve`, `Ferdie`, any
//! case), a substrate secret URI on the dev phrase (`//Alice`, `//Alice//stash`), an SS58
//! address, or `0x` and 64 hex digits (the public key).
//!
//! Each top-level item that is left out takes its default, and one that is given replaces the
//! default entirely (`subnet = []` means no subnets): the six dev accounts with 1,000,000 TAO
//! each (enough for any test, far below the 21M supply so issuance stays realistic), Alice as
//! sudo, and netuid 1 owned by Alice (coldkey and hotkey) with [`SubnetParams::default`].
//! Unknown keys anywhere are errors. Netuid 0 is finney's root network, which the localnet does
//! not model.
//!
//! [`GenesisConfig::build`] writes the genesis storage: `System.Account` and
//! `Balances.TotalIssuance` for the accounts, `Sudo.Key`, and every subnet through
//! [`create_subnet`] (`NetworksAdded`, `SubnetOwner`, hyperparameters, the owner hotkey as uid
//! 0). `System.BlockHash(0)` needs the genesis block's hash, so the node writes it.

use std::collections::BTreeSet;

use nya_metadata::runtime::dispatch::DispatchError;
use nya_metadata::runtime::types::AccountId32;
use serde::Deserialize;
use serde::de::Error as _;

use super::runtime::subtensor::{SubnetParams, SubnetParamsError, create_subnet};
use super::runtime::{admin, balances};
use super::state::{CorruptValue, MemoryState, Overlay};
use crate::keys::{Keypair, parse_ss58};

/// The dev accounts the default genesis funds, in substrate's order.
pub const DEV_ACCOUNTS: [&str; 6] = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"];

/// Rao per TAO.
pub const RAO_PER_TAO: u64 = 1_000_000_000;

/// What the default genesis gives each dev account: 1,000,000 TAO.
pub const DEV_BALANCE: u64 = 1_000_000 * RAO_PER_TAO;

/// The netuid of the default genesis subnet.
pub const DEFAULT_NETUID: u16 = 1;

/// An account as the genesis file names it, resolved to its id when the file is read.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct AccountRef {
    /// What the file said.
    pub text: String,
    /// The account.
    pub id: AccountId32,
}

/// An account reference that names no account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{text:?} names no account ({reason}); use a dev name (Alice … Ferdie), a //URI, an SS58 address or 0x + 64 hex digits"
)]
pub struct AccountRefError {
    /// What the file said.
    pub text: String,
    /// Why it was refused.
    pub reason: String,
}

impl AccountRef {
    /// The dev account `name` (`Alice` … `Ferdie`).
    pub fn dev(name: &str) -> AccountRef {
        AccountRef {
            text: name.to_owned(),
            id: AccountId32(Keypair::dev(name).public_key()),
        }
    }

    /// Resolves a dev name, `//URI`, SS58 address or 0x public key.
    pub fn parse(text: &str) -> Result<AccountRef, AccountRefError> {
        let refused = |reason: String| AccountRefError {
            text: text.to_owned(),
            reason,
        };
        let trimmed = text.trim();
        let id = if let Some(name) = DEV_ACCOUNTS
            .iter()
            .find(|name| name.eq_ignore_ascii_case(trimmed))
        {
            Keypair::dev(name).public_key()
        } else if trimmed.starts_with("//") {
            Keypair::from_uri(trimmed)
                .map_err(|e| refused(e.to_string()))?
                .public_key()
        } else if let Some(hex_digits) = trimmed.strip_prefix("0x") {
            let bytes = hex::decode(hex_digits).map_err(|e| refused(format!("bad hex: {e}")))?;
            <[u8; 32]>::try_from(bytes.as_slice())
                .map_err(|_| refused(format!("{} bytes of hex, need 32", bytes.len())))?
        } else {
            parse_ss58(trimmed).map_err(|e| refused(e.to_string()))?
        };
        Ok(AccountRef {
            text: text.to_owned(),
            id: AccountId32(id),
        })
    }
}

impl TryFrom<String> for AccountRef {
    type Error = AccountRefError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        AccountRef::parse(&text)
    }
}

/// One `[[account]]` table.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisAccount {
    /// The account.
    pub id: AccountRef,
    /// Its free balance in rao (at least the existential deposit, 500).
    pub balance: u64,
}

/// One `[[subnet]]` table: `netuid`, the owner keys, and the hyperparameters inline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenesisSubnet {
    /// The subnet's id (1 or above).
    pub netuid: u16,
    /// The owner's coldkey (`SubnetOwner`).
    pub owner_coldkey: AccountRef,
    /// The owner's hotkey, registered as uid 0.
    pub owner_hotkey: AccountRef,
    /// Everything else in the table.
    pub params: SubnetParams,
}

impl<'de> Deserialize<'de> for GenesisSubnet {
    // Hand-written: serde cannot combine `flatten` with `deny_unknown_fields`, so the table's
    // own keys are taken out and the rest goes to `SubnetParams`, which refuses unknown keys.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut table = toml::Table::deserialize(deserializer)?;
        let mut take = |key: &str| {
            table
                .remove(key)
                .ok_or_else(|| D::Error::custom(format!("[[subnet]] is missing `{key}`")))
        };
        let netuid = take("netuid")?;
        let owner_coldkey = take("owner_coldkey")?;
        let owner_hotkey = take("owner_hotkey")?;
        let netuid = u16::deserialize(netuid)
            .map_err(|e| D::Error::custom(format!("[[subnet]] netuid: {e}")))?;
        let at = |key: &str, e: toml::de::Error| {
            D::Error::custom(format!("[[subnet]] netuid {netuid} {key}: {}", e.message()))
        };
        let owner_coldkey =
            AccountRef::deserialize(owner_coldkey).map_err(|e| at("owner_coldkey", e))?;
        let owner_hotkey =
            AccountRef::deserialize(owner_hotkey).map_err(|e| at("owner_hotkey", e))?;
        let params = SubnetParams::deserialize(toml::Value::Table(table))
            .map_err(|e| at("hyperparameters", e))?;
        Ok(GenesisSubnet {
            netuid,
            owner_coldkey,
            owner_hotkey,
            params,
        })
    }
}

/// The whole genesis file.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisConfig {
    /// `[[account]]`: funded accounts.
    #[serde(rename = "account", default = "default_accounts")]
    pub accounts: Vec<GenesisAccount>,
    /// The `Sudo.Key` account.
    #[serde(default = "default_sudo")]
    pub sudo: AccountRef,
    /// `[[subnet]]`: subnets.
    #[serde(rename = "subnet", default = "default_subnets")]
    pub subnets: Vec<GenesisSubnet>,
}

fn default_accounts() -> Vec<GenesisAccount> {
    DEV_ACCOUNTS
        .iter()
        .map(|name| GenesisAccount {
            id: AccountRef::dev(name),
            balance: DEV_BALANCE,
        })
        .collect()
}

fn default_sudo() -> AccountRef {
    AccountRef::dev("Alice")
}

fn default_subnets() -> Vec<GenesisSubnet> {
    vec![GenesisSubnet {
        netuid: DEFAULT_NETUID,
        owner_coldkey: AccountRef::dev("Alice"),
        owner_hotkey: AccountRef::dev("Alice"),
        params: SubnetParams::default(),
    }]
}

impl Default for GenesisConfig {
    fn default() -> Self {
        GenesisConfig {
            accounts: default_accounts(),
            sudo: default_sudo(),
            subnets: default_subnets(),
        }
    }
}

/// A genesis the chain cannot start from.
#[derive(Debug, thiserror::Error)]
pub enum GenesisError {
    /// The TOML does not parse or has unknown or ill-typed keys.
    #[error("genesis TOML: {0}")]
    Toml(#[from] toml::de::Error),
    /// The same account twice in `[[account]]`.
    #[error("[[account]] lists {first:?} and {second:?}, which are the same account")]
    DuplicateAccount {
        /// The first mention.
        first: String,
        /// The second mention.
        second: String,
    },
    /// A balance the chain would not keep.
    #[error(
        "[[account]] {id:?}: balance {balance} rao is below the existential deposit of 500 rao"
    )]
    BelowExistentialDeposit {
        /// The account as written.
        id: String,
        /// The balance.
        balance: u64,
    },
    /// Balances adding up past `u64::MAX` rao.
    #[error("[[account]] balances add up to more than {} rao", u64::MAX)]
    IssuanceOverflow,
    /// The same netuid twice.
    #[error("[[subnet]] netuid {0} is listed twice")]
    DuplicateSubnet(u16),
    /// Netuid 0.
    #[error(
        "[[subnet]] netuid 0 is finney's root network, which the localnet does not model; use 1 or above"
    )]
    RootNetuid,
    /// Hyperparameters the chain could not work with.
    #[error("[[subnet]] netuid {netuid}: {source}")]
    Params {
        /// The subnet.
        netuid: u16,
        /// What is wrong.
        #[source]
        source: SubnetParamsError,
    },
    /// The state being built did not decode (cannot happen with a fresh state).
    #[error("building the genesis state: {0}")]
    State(#[from] CorruptValue),
}

impl GenesisConfig {
    /// Reads a genesis TOML document.
    pub fn from_toml(text: &str) -> Result<GenesisConfig, GenesisError> {
        Ok(toml::from_str(text)?)
    }

    /// The genesis state.
    pub fn build(&self) -> Result<MemoryState, GenesisError> {
        let empty = MemoryState::default();
        let mut state = Overlay::new(&empty);

        let mut seen: Vec<(AccountId32, &str)> = Vec::new();
        for account in &self.accounts {
            if let Some((_, first)) = seen.iter().find(|(id, _)| *id == account.id.id) {
                return Err(GenesisError::DuplicateAccount {
                    first: (*first).to_owned(),
                    second: account.id.text.clone(),
                });
            }
            seen.push((account.id.id, &account.id.text));
            balances::endow_at_genesis(&mut state, &account.id.id, account.balance).map_err(
                |e| match e {
                    DispatchError::Arithmetic(_) => GenesisError::IssuanceOverflow,
                    _ => GenesisError::BelowExistentialDeposit {
                        id: account.id.text.clone(),
                        balance: account.balance,
                    },
                },
            )?;
        }

        admin::set_sudo_key(&mut state, &self.sudo.id);

        let mut netuids = BTreeSet::new();
        for subnet in &self.subnets {
            if subnet.netuid == 0 {
                return Err(GenesisError::RootNetuid);
            }
            if !netuids.insert(subnet.netuid) {
                return Err(GenesisError::DuplicateSubnet(subnet.netuid));
            }
            subnet
                .params
                .validate()
                .map_err(|source| GenesisError::Params {
                    netuid: subnet.netuid,
                    source,
                })?;
            create_subnet(
                &mut state,
                subnet.netuid,
                &subnet.owner_coldkey.id,
                &subnet.owner_hotkey.id,
                &subnet.params,
            )?;
        }

        let mut genesis = MemoryState::default();
        genesis.apply(&state.into_changes());
        Ok(genesis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::localnet::runtime::subtensor::{subnet_exists, tempo, uid_of};
    use crate::localnet::runtime::system;

    fn dev(name: &str) -> AccountId32 {
        AccountId32(Keypair::dev(name).public_key())
    }

    #[test]
    fn genesis_default_funds_the_dev_accounts_and_gives_alice_sudo_and_netuid_1() {
        let state = GenesisConfig::default().build().unwrap();
        for name in DEV_ACCOUNTS {
            let info = system::account(&state, &dev(name)).unwrap();
            assert_eq!((info.providers, info.data.free), (1, DEV_BALANCE), "{name}");
        }
        assert_eq!(balances::total_issuance(&state).unwrap(), 6 * DEV_BALANCE);
        assert_eq!(admin::sudo_key(&state).unwrap(), Some(dev("Alice")));
        assert!(subnet_exists(&state, 1).unwrap());
        assert_eq!(uid_of(&state, 1, &dev("Alice")).unwrap(), Some(0));
        assert_eq!(
            admin::subnet_owner(&state, 1).unwrap(),
            dev("Alice"),
            "Alice's coldkey owns netuid 1"
        );
        // Alice is the well-known 5Grwva… key.
        assert_eq!(
            hex::encode(dev("Alice").0),
            "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
        );
    }

    #[test]
    fn genesis_an_empty_file_is_the_default() {
        assert_eq!(
            GenesisConfig::from_toml("").unwrap(),
            GenesisConfig::default()
        );
    }

    #[test]
    fn genesis_toml_sets_accounts_sudo_and_subnets() {
        let text = r#"
            sudo = "bob"

            [[account]]
            id = "//Alice"
            balance = 2_000_000_000

            [[account]]
            id = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
            balance = 500

            [[account]]
            id = "0x0101010101010101010101010101010101010101010101010101010101010101"
            balance = 7_000

            [[subnet]]
            netuid = 3
            owner_coldkey = "Charlie"
            owner_hotkey = "Dave"
            tempo = 10
            commit_reveal_weights_enabled = false
        "#;
        let config = GenesisConfig::from_toml(text).unwrap();
        let state = config.build().unwrap();
        assert_eq!(
            balances::free(&state, &dev("Alice")).unwrap(),
            2_000_000_000
        );
        // The SS58 address above is Bob's.
        assert_eq!(balances::free(&state, &dev("Bob")).unwrap(), 500);
        assert_eq!(
            balances::free(&state, &AccountId32([1; 32])).unwrap(),
            7_000
        );
        assert_eq!(balances::free(&state, &dev("Eve")).unwrap(), 0);
        assert_eq!(
            balances::total_issuance(&state).unwrap(),
            2_000_000_000 + 500 + 7_000
        );
        assert_eq!(admin::sudo_key(&state).unwrap(), Some(dev("Bob")));
        assert!(!subnet_exists(&state, 1).unwrap());
        assert!(subnet_exists(&state, 3).unwrap());
        assert_eq!(tempo(&state, 3).unwrap(), 10);
        assert_eq!(admin::subnet_owner(&state, 3).unwrap(), dev("Charlie"));
        assert_eq!(uid_of(&state, 3, &dev("Dave")).unwrap(), Some(0));
        assert!(!config.subnets[0].params.commit_reveal_weights_enabled);
    }

    #[test]
    fn genesis_no_subnets_when_asked() {
        let state = GenesisConfig::from_toml("subnet = []")
            .unwrap()
            .build()
            .unwrap();
        assert!(!subnet_exists(&state, 1).unwrap());
    }

    #[test]
    fn genesis_unknown_keys_are_refused_at_every_level() {
        let err = GenesisConfig::from_toml("sudoo = \"Alice\"").unwrap_err();
        assert!(err.to_string().contains("sudoo"), "{err}");
        let err = GenesisConfig::from_toml("[[account]]\nid = \"Alice\"\nbalance = 600\ncolor = 1")
            .unwrap_err();
        assert!(err.to_string().contains("color"), "{err}");
        let text =
            "[[subnet]]\nnetuid = 2\nowner_coldkey = \"Alice\"\nowner_hotkey = \"Bob\"\ntempoo = 5";
        let err = GenesisConfig::from_toml(text).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("tempoo") && message.contains("netuid 2"),
            "{message}"
        );
    }

    #[test]
    fn genesis_bad_account_references_name_the_value() {
        for bad in ["Mallory", "0x1234", "0xzz", "5Grwva"] {
            let text = format!("sudo = {bad:?}");
            let err = GenesisConfig::from_toml(&text).unwrap_err();
            assert!(err.to_string().contains(bad), "{bad}: {err}");
        }
        let text = "[[subnet]]\nnetuid = 2\nowner_coldkey = \"Zed\"\nowner_hotkey = \"Bob\"";
        let err = GenesisConfig::from_toml(text).unwrap_err();
        assert!(err.to_string().contains("owner_coldkey"), "{err}");
        let err =
            GenesisConfig::from_toml("[[subnet]]\nnetuid = 2\nowner_hotkey = \"Bob\"").unwrap_err();
        assert!(err.to_string().contains("owner_coldkey"), "{err}");
    }

    #[test]
    fn genesis_refuses_what_the_chain_could_not_hold() {
        let below = "[[account]]\nid = \"Alice\"\nbalance = 499";
        let err = GenesisConfig::from_toml(below)
            .unwrap()
            .build()
            .unwrap_err();
        assert!(
            matches!(
                err,
                GenesisError::BelowExistentialDeposit { balance: 499, .. }
            ),
            "{err}"
        );

        let twice = "[[account]]\nid = \"Alice\"\nbalance = 600\n[[account]]\nid = \"//Alice\"\nbalance = 600";
        let err = GenesisConfig::from_toml(twice)
            .unwrap()
            .build()
            .unwrap_err();
        assert!(
            matches!(&err, GenesisError::DuplicateAccount { first, second } if first == "Alice" && second == "//Alice"),
            "{err}"
        );

        // Three times i64::MAX (TOML's largest integer) is past u64::MAX.
        let overflow: String = ["Alice", "Bob", "Eve"]
            .iter()
            .map(|name| format!("[[account]]\nid = {name:?}\nbalance = {}\n", i64::MAX))
            .collect();
        let err = GenesisConfig::from_toml(&overflow)
            .unwrap()
            .build()
            .unwrap_err();
        assert!(matches!(err, GenesisError::IssuanceOverflow), "{err}");

        let subnet = |netuid: u16, extra: &str| {
            format!(
                "[[subnet]]\nnetuid = {netuid}\nowner_coldkey = \"Alice\"\nowner_hotkey = \"Alice\"\n{extra}\n"
            )
        };
        let err = GenesisConfig::from_toml(&subnet(0, ""))
            .unwrap()
            .build()
            .unwrap_err();
        assert!(matches!(err, GenesisError::RootNetuid), "{err}");
        let twice = format!("{}{}", subnet(2, ""), subnet(2, ""));
        let err = GenesisConfig::from_toml(&twice)
            .unwrap()
            .build()
            .unwrap_err();
        assert!(matches!(err, GenesisError::DuplicateSubnet(2)), "{err}");
        let err = GenesisConfig::from_toml(&subnet(2, "burn = 1"))
            .unwrap()
            .build()
            .unwrap_err();
        assert!(
            matches!(err, GenesisError::Params { netuid: 2, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("burn 1"), "{err}");
    }
}
