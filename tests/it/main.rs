//! Workspace-level end-to-end tests: the crates together, as miners and validators use them.
//! One test binary (modules below), so the workspace links it once.

mod chain_client;
mod localnet;
mod miner_contracts;
mod reconnect;
mod ws_proxy;
