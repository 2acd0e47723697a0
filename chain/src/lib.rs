//! Everything nya says to a subtensor chain.
//!
//! - [`network`]: network names and endpoints.

pub mod network;
