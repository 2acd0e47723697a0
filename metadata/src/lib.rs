//! What nya writes where, and nothing that does I/O: the contracts every other crate agrees on.
//!
//! - [`commitment`]: the payload a miner writes with `Commitments.set_commitment`.
//! - [`manifest`]: the `nya-manifest.json` inside every published dataset repo, and its digests.
//! - [`provenance`]: how a refined row points back at its WARC record.
//! - [`task`]: task-server wire types and the signed-request envelope.
//! - [`runtime`]: the mirror of finney spec 393 for every chain item nya uses (types with
//!   `TypeInfo`, built into V14/V15/V16 metadata the localnet will serve).
//! - [`fixtures`]: where tests find `../shared/fixtures` (test support, path lookup only).

pub mod commitment;
pub mod fixtures;
pub mod manifest;
pub mod provenance;
pub mod runtime;
pub mod task;
