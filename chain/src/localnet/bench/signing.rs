//! The bench's client side: its accounts (`//bench/i`, soft-derived from `//bench` on the dev
//! phrase, as substrate reads that URI) and v4 signed, immortal extrinsics built with the
//! localnet's own [`UncheckedExtrinsic`] encoder and signed over the payload finney checks:
//! `call ++ extra ++ (spec_version, transaction_version, genesis, birth = genesis, None)`,
//! blake2-256 of it when longer than 256 bytes, metadata-hash mode `Disabled`.

use nya_metadata::runtime::calls::RuntimeCall;
use nya_metadata::runtime::era::Era;
use nya_metadata::runtime::extensions::{Mode, SignedExtra, signed_extra};
use nya_metadata::runtime::types::{AccountId32, H256, MultiAddress, MultiSignature};
use parity_scale_codec::Encode;
use sp_crypto_hashing::blake2_256;

use crate::keys::{DeriveJunction, KeyError, Keypair};
use crate::localnet::extrinsic::{MAX_UNHASHED_PAYLOAD_LEN, Preamble, UncheckedExtrinsic};
use crate::localnet::runtime_api;

/// The URI every bench account derives from.
pub const ROOT_URI: &str = "//bench";

/// `count` bench accounts: key `i` is `//bench/i`.
pub struct BenchKeys {
    keys: Vec<Keypair>,
    ids: Vec<AccountId32>,
}

impl BenchKeys {
    /// Derives `//bench/0` … `//bench/{count-1}`. The phrase is stretched once (PBKDF2 for
    /// `//bench`); each account is then one soft derivation, the junction `/i` being the
    /// number `i` as a `u64`, which is how substrate parses a numeric junction.
    pub fn derive(count: usize) -> Result<BenchKeys, KeyError> {
        let root = Keypair::from_uri(ROOT_URI)?;
        let keys: Vec<Keypair> = (0..count)
            .map(|i| root.derive([DeriveJunction::soft(i as u64)]))
            .collect();
        let ids = keys.iter().map(|k| AccountId32(k.public_key())).collect();
        Ok(BenchKeys { keys, ids })
    }

    /// How many accounts.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Account ids, by index.
    pub fn ids(&self) -> &[AccountId32] {
        &self.ids
    }

    /// Account `i`, if derived.
    pub fn key(&self, i: usize) -> Option<&Keypair> {
        self.keys.get(i)
    }

    /// The URI of account `i`.
    pub fn uri(i: usize) -> String {
        format!("{ROOT_URI}/{i}")
    }
}

/// The explicit data of the 13 signed extensions for an immortal transaction without a tip.
fn immortal_extra(nonce: u32) -> SignedExtra {
    signed_extra(Era::Immortal, nonce, 0, Mode::Disabled)
}

/// A v4 signed, immortal extrinsic of `call` by `key` with `nonce`, for the chain whose genesis
/// hash is `genesis`, encoded as `author_submitExtrinsic` takes it (length prefix included).
pub fn signed_extrinsic(key: &Keypair, nonce: u32, call: RuntimeCall, genesis: H256) -> Vec<u8> {
    let version = runtime_api::runtime_version();
    let extra = immortal_extra(nonce);
    let mut payload = call.encode();
    extra.encode_to(&mut payload);
    // Implicit data: versions, genesis, the era's birth block (genesis for immortal), and no
    // metadata hash.
    (
        version.spec_version,
        version.transaction_version,
        genesis,
        genesis,
        None::<[u8; 32]>,
    )
        .encode_to(&mut payload);
    if payload.len() > MAX_UNHASHED_PAYLOAD_LEN {
        payload = blake2_256(&payload).to_vec();
    }
    let signature = MultiSignature::Sr25519(key.sign(&payload));
    UncheckedExtrinsic {
        preamble: Preamble::Signed {
            address: MultiAddress::Id(AccountId32(key.public_key())),
            signature,
            extra,
        },
        call,
    }
    .encode()
}
