//! What can go wrong talking to a chain, as sentences a miner or operator can act on.
//!
//! Three families: the endpoint cannot be reached or answers nonsense (`Connect`, `Rpc`,
//! `Decode`); the transaction pool refuses a transaction before it is in a block (`Pool`, the
//! author API's JSON-RPC codes 1010–1016); the runtime dispatches it and it fails (`Module`
//! for a pallet's error, `Dispatch` for the other `DispatchError`s). Pallet errors carry their
//! `Pallet.Error` name, the runtime's own doc line, and for the errors nya users meet, what to do.

use subxt::error::{DispatchError, ExtrinsicError};

/// An error from [`super::Client`].
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The endpoint could not be reached, or is not a substrate node.
    #[error("cannot connect to {endpoint}: {detail}")]
    Connect {
        /// The URL tried.
        endpoint: String,
        /// Why.
        detail: String,
    },
    /// A request failed (connection dropped, method missing, …).
    #[error("{what}: {detail}")]
    Rpc {
        /// What was being asked.
        what: String,
        /// Why it failed.
        detail: String,
    },
    /// A storage value did not decode as the mirror type of the item.
    #[error("{item}: the stored value does not decode ({detail})")]
    Decode {
        /// `Pallet.Entry`.
        item: String,
        /// What went wrong.
        detail: String,
    },
    /// The transaction pool refused the transaction; nothing was included.
    #[error("the node refused the transaction ({code} {message}{}): {hint}", data_suffix(.data))]
    Pool {
        /// JSON-RPC error code (1010 invalid, 1012 banned, 1013 already imported, …).
        code: i32,
        /// The JSON-RPC message.
        message: String,
        /// The JSON-RPC data (the invalidity reason for 1010).
        data: Option<String>,
        /// What it means and what to do.
        hint: String,
    },
    /// The transaction was included and a pallet refused it.
    #[error("the chain refused the call: {pallet}.{error}: {docs}{}", hint_suffix(.hint))]
    Module {
        /// Pallet name.
        pallet: String,
        /// Error variant name.
        error: String,
        /// The error's doc line from the runtime metadata.
        docs: String,
        /// What to do, for the errors nya users meet.
        hint: Option<&'static str>,
    },
    /// The transaction was included and failed with a non-pallet `DispatchError`.
    #[error("the chain refused the call: {0}")]
    Dispatch(String),
    /// The transaction left the pool without being finalized (invalid, dropped, usurped).
    #[error("the transaction was not finalized: {0}")]
    NotFinalized(String),
    /// A block the caller named is not known to the node.
    #[error("block {0} is not known to the node (pruned, or from another chain)")]
    UnknownBlock(String),
    /// The caller's input cannot be sent (bad address, value out of range).
    #[error("{0}")]
    Input(String),
}

fn data_suffix(data: &Option<String>) -> String {
    data.as_ref().map(|d| format!(": {d}")).unwrap_or_default()
}

fn hint_suffix(hint: &Option<&'static str>) -> String {
    hint.map(|h| format!(" — {h}")).unwrap_or_default()
}

impl ChainError {
    /// `(pallet, error)` when a pallet refused the call.
    pub fn module_error(&self) -> Option<(&str, &str)> {
        match self {
            ChainError::Module { pallet, error, .. } => Some((pallet, error)),
            _ => None,
        }
    }

    /// An RPC-level failure while doing `what`.
    pub(crate) fn rpc(what: impl Into<String>, err: impl std::fmt::Display) -> Self {
        ChainError::Rpc {
            what: what.into(),
            detail: err.to_string(),
        }
    }

    /// A failed submission: a pool refusal when the node answered with a JSON-RPC error.
    pub(crate) fn from_submission(err: ExtrinsicError) -> Self {
        if let ExtrinsicError::ErrorSubmittingTransaction(backend) = &err
            && let Some(user) = user_error(backend)
        {
            let data = user.data.as_ref().map(|raw| {
                serde_json::from_str::<String>(raw.get()).unwrap_or_else(|_| raw.get().to_owned())
            });
            let hint = pool_hint(user.code, data.as_deref());
            return ChainError::Pool {
                code: user.code,
                message: user.message.clone(),
                data,
                hint,
            };
        }
        ChainError::rpc("submitting the transaction", err)
    }

    /// A `DispatchError` from an included transaction.
    pub(crate) fn from_dispatch(err: DispatchError) -> Self {
        match err {
            DispatchError::Module(module) => match module.details() {
                Ok(details) => {
                    let error = details.variant.name.clone();
                    let docs = details.variant.docs.join(" ").trim().to_owned();
                    ChainError::Module {
                        pallet: details.pallet.name().to_owned(),
                        hint: module_hint(&error),
                        error,
                        docs,
                    }
                }
                Err(_) => ChainError::Dispatch(module.details_string()),
            },
            other => ChainError::Dispatch(other.to_string()),
        }
    }
}

/// The JSON-RPC error the node answered with, if that is what `err` is.
fn user_error(err: &subxt::error::BackendError) -> Option<&subxt::rpcs::UserError> {
    match err {
        subxt::error::BackendError::Rpc(subxt::error::RpcError::ClientError(
            subxt::rpcs::Error::User(user),
        )) => Some(user),
        _ => None,
    }
}

/// What to do about the pallet errors nya's users run into (by error name, so a runtime
/// upgrade that renumbers errors changes nothing).
pub fn module_hint(error: &str) -> Option<&'static str> {
    Some(match error {
        "HotKeyAlreadyRegisteredInSubNet" => {
            "this hotkey already has a uid on the subnet; nothing to do (`nya register` prints it)"
        }
        "NotEnoughBalanceToStake" => {
            "the coldkey's free balance is below the burn plus fees; fund it (`nya transfer`) or wait for the burn to fall"
        }
        "BalanceWithdrawalError" => {
            "the coldkey could not pay the burn; fund it (`nya transfer`) and retry"
        }
        "TooManyRegistrationsThisBlock" | "TooManyRegistrationsThisInterval" => {
            "the subnet's registration limit is reached for now; retry in a later block"
        }
        "SubNetRegistrationDisabled" => "the subnet owner has closed registration",
        "SubNetworkDoesNotExist" | "MechanismDoesNotExist" => {
            "no subnet has this netuid on this network; check --netuid and --subtensor.network"
        }
        "AccountNotAllowedCommit" => {
            "only hotkeys registered on the subnet may commit; register it first (`nya register`)"
        }
        "SpaceLimitExceeded" => {
            "this hotkey used up its commitment space for the current epoch; commit again after the epoch ends"
        }
        "TooManyFieldsInCommitmentInfo" => "a commitment holds at most 3 fields",
        "ServingRateLimitExceeded" => {
            "the axon was served too recently; wait for the subnet's serving rate limit (blocks) to pass"
        }
        "InvalidIpAddress" | "InvalidIpType" | "InvalidPort" => {
            "give a public IPv4/IPv6 address and a non-zero port"
        }
        "HotKeyNotRegisteredInSubNet" | "HotKeyNotRegisteredInNetwork" => {
            "this hotkey has no uid on the subnet; register it first (`nya register`)"
        }
        "NotEnoughStakeToSetWeights" => {
            "the hotkey's stake is below the subnet's weights threshold; add stake"
        }
        "NeuronNoValidatorPermit" => {
            "only validators with a permit may set weights on other uids; stake more and wait an epoch"
        }
        "SettingWeightsTooFast" => {
            "weights were set too recently; wait for the subnet's weights rate limit (blocks) to pass"
        }
        "CommitRevealEnabled" => {
            "this subnet uses commit-reveal: commit a hash of the weights, then reveal them in the next window"
        }
        "IncorrectWeightVersionKey" => "the subnet expects a newer weights version key; update nya",
        "InsufficientBalance" | "FundsUnavailable" => {
            "the sending account does not have that much free balance"
        }
        "Expendability" | "KeepAlive" => {
            "the transfer would leave the sender below the existential deposit; send less"
        }
        _ => return None,
    })
}

/// What a pool refusal means, by its JSON-RPC code and data.
pub fn pool_hint(code: i32, data: Option<&str>) -> String {
    let text = match (code, data) {
        (1010, Some("Inability to pay some fees (e.g. account balance too low)")) => {
            "the signing account cannot pay the transaction fee; fund it (`nya transfer`) and retry"
        }
        (1010, Some("Transaction is outdated")) => {
            "its nonce is already used: another transaction from this key got in first; retry"
        }
        (1010, Some("Transaction will be valid in the future")) => {
            "its nonce is ahead of the account's: an earlier transaction from this key is still pending"
        }
        (1010, Some("Transaction has a bad signature")) => {
            "the signature does not verify on this chain (wrong network, or a runtime upgrade since it was signed); retry"
        }
        (1010, Some("Transaction has an ancient birth block")) => {
            "its mortality window has passed; sign it again"
        }
        (1010, Some(reason)) if reason.starts_with("Custom error") => {
            "the runtime's own checks refused it (often a rate limit); wait some blocks and retry"
        }
        (1010, _) => "the runtime says the transaction is invalid",
        (1011, _) => "the runtime could not tell whether the transaction is valid",
        (1012, _) => {
            "the same transaction was submitted recently and is banned for a while; wait, or change it"
        }
        (1013, _) => "an identical transaction is already waiting in the pool",
        (1014, _) => {
            "another transaction with the same nonce is waiting with a higher priority; wait for it"
        }
        (1016, _) => "the node's transaction pool is full; retry later",
        _ => "the node refused it",
    };
    text.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_errors_read_as_sentences() {
        let err = ChainError::Pool {
            code: 1010,
            message: "Invalid Transaction".into(),
            data: Some("Inability to pay some fees (e.g. account balance too low)".into()),
            hint: pool_hint(
                1010,
                Some("Inability to pay some fees (e.g. account balance too low)"),
            ),
        };
        let text = err.to_string();
        assert!(
            text.starts_with(
                "the node refused the transaction (1010 Invalid Transaction: Inability"
            ),
            "{text}"
        );
        assert!(
            text.ends_with("fund it (`nya transfer`) and retry"),
            "{text}"
        );
        assert!(pool_hint(1012, None).contains("banned"));
        assert!(pool_hint(1010, Some("Custom error: 6")).contains("rate limit"));
        assert_eq!(pool_hint(4242, None), "the node refused it");
    }

    #[test]
    fn module_errors_name_the_pallet_error_and_the_remedy() {
        let err = ChainError::Module {
            pallet: "Commitments".into(),
            error: "AccountNotAllowedCommit".into(),
            docs: "The hotkey is not registered on the subnet.".into(),
            hint: module_hint("AccountNotAllowedCommit"),
        };
        assert_eq!(
            err.module_error(),
            Some(("Commitments", "AccountNotAllowedCommit"))
        );
        assert_eq!(
            err.to_string(),
            "the chain refused the call: Commitments.AccountNotAllowedCommit: The hotkey is not \
             registered on the subnet. — only hotkeys registered on the subnet may commit; \
             register it first (`nya register`)"
        );
        for name in [
            "HotKeyAlreadyRegisteredInSubNet",
            "NotEnoughBalanceToStake",
            "SpaceLimitExceeded",
            "ServingRateLimitExceeded",
            "SettingWeightsTooFast",
            "CommitRevealEnabled",
        ] {
            assert!(module_hint(name).is_some(), "{name} has a hint");
        }
        assert_eq!(module_hint("SomethingNew"), None);
    }
}
