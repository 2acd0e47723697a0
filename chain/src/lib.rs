//! Everything nya says to a subtensor chain.
//!
//! - [`client`]: a subtensor client (subxt 0.51): block-pinned reads, submission to finality,
//!   register / serve / commit / transfer, errors that say what to do.
//! - [`keys`]: the project's one key type, an sr25519 [`keys::Keypair`] (substrate derivation,
//!   SS58, signing, subxt `Signer`).
//! - [`localnet`]: the offline subtensor dev chain (`nya localnet`).
//! - [`network`]: network names and endpoints.
//! - [`request`]: sr25519 signing and checking of task API requests.
//! - [`wallet`]: bittensor wallets on disk (btcli layout, keyfile JSON, `$NACL` encryption).

pub mod client;
pub mod keys;
pub mod localnet;
pub mod network;
pub mod request;
pub mod wallet;
