//! Runtime interface mirror: Rust types that copy, for every chain item nya uses, the exact
//! shape finney spec 393 gives it (pallet and call indices, argument names and types, storage
//! prefixes, hashers, keys, values and defaults, event fields, error indices), assembled into
//! runtime metadata that a local chain can serve and that subxt accepts as finney's.
//!
//! - [`items`]: the one list of items nya uses ([`items::USED_ITEMS`]).
//! - [`types`]: value types (`AccountInfo`, `AxonInfo`, `Registration`, `MultiAddress`, ...).
//! - [`calls`]: call, event and error enums and the outer `RuntimeCall`/`RuntimeEvent`.
//! - [`admin`]: `Sudo` and `AdminUtils` (the dev chain's governance calls).
//! - [`storage`]: storage entries.
//! - [`dispatch`]: `DispatchError` and the other dispatch outcome types.
//! - [`era`]: transaction mortality.
//! - [`errors`]: complete error enums of Balances and SubtensorModule.
//! - [`error_docs`]: docs for every served error variant (the Python SDK needs them).
//! - [`extensions`]: the signed extensions, in order.
//! - [`paths`]: finney's type path for each mirrored type, applied to the built registry.
//! - [`apis`]: the runtime API structs (neuron and subnet info, metagraph, hyperparameters,
//!   fee info, runtime version) and their methods' metadata.
//! - [`build`]: the V15 and V14 metadata built from all of the above; [`build_v16`]: V16.
//! - [`mirror_365`]: the same as finney spec 365 served it (for runtime-upgrade tests).

pub mod admin;
pub mod apis;
pub mod build;
pub mod build_v16;
pub mod calls;
pub mod dispatch;
pub mod era;
pub mod error_docs;
pub mod errors;
pub mod extensions;
pub mod items;
pub mod mirror_365;
pub mod paths;
pub mod storage;
pub mod types;

pub use build::{mirror_prefixed, mirror_prefixed_v14, mirror_v14, mirror_v15};
pub use build_v16::{mirror_prefixed_v16, mirror_v16};
pub use items::{USED_ITEMS, UsedItem};

#[cfg(test)]
mod tests;
