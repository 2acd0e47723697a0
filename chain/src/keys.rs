//! sr25519 keys: the one key type of nya.
//!
//! [`Keypair`] wraps `schnorrkel::Keypair` and derives keys the way substrate and bittensor do:
//!
//! - BIP-39 phrase → 32-byte mini secret: substrate-bip39, i.e. PBKDF2-HMAC-SHA512 over the
//!   phrase's *entropy* (not the phrase text, unlike BIP-39's own seed), salt
//!   `"mnemonic" + password`, 2048 rounds, first 32 bytes.
//! - mini secret → keypair: schnorrkel's Ed25519 expansion mode (substrate's choice).
//! - the 64-byte `privateKey` of bittensor keyfiles: schnorrkel's canonical
//!   `SecretKey::to_bytes()` (scalar ‖ nonce). bittensor-wallet 4.x writes and reads this form and
//!   refuses the cofactor-multiplied "ed25519" form (`tests::demo_private_key_is_the_canonical_form`).
//! - signatures: schnorrkel, signing context `b"substrate"`, 64 bytes.
//! - addresses: SS58 with the generic substrate prefix 42 (`5…`), via subxt's `AccountId32`.
//! - dev accounts: `//Name` hard derivation from the public substrate dev phrase.
//!
//! Secrets zeroize on drop (schnorrkel's keys do; intermediate buffers here are `Zeroizing`), and
//! neither `Debug` nor any error message ever contains secret material.

use std::fmt;
use std::str::FromStr;

use schnorrkel::derive::{ChainCode, Derivation};
use schnorrkel::{ExpansionMode, MiniSecretKey, SecretKey};
use sha2::Sha512;
use subxt::utils::{AccountId32, MultiSignature};
use subxt_signer::ExposeSecret;
use zeroize::Zeroizing;

pub use subxt_signer::{DEV_PHRASE, DeriveJunction};

/// The schnorrkel signing context of substrate chains (extrinsics, `Keypair.sign` in bittensor).
pub const SIGNING_CONTEXT: &[u8] = b"substrate";

/// The SS58 address type nya writes: 42, generic substrate, which bittensor uses.
pub const SS58_PREFIX: u8 = 42;

/// Mnemonic lengths BIP-39 defines (and btcli offers).
pub const MNEMONIC_WORD_COUNTS: [usize; 5] = [12, 15, 18, 21, 24];

/// Rounds of PBKDF2 in substrate-bip39.
const SUBSTRATE_BIP39_ROUNDS: u32 = 2048;

/// What can be wrong with key material. Messages never quote secrets (phrases, seeds, keys).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("mnemonic has {0} words; it must have 12, 15, 18, 21 or 24")]
    MnemonicWordCount(usize),
    #[error("mnemonic word number {0} is not in the BIP-39 English word list")]
    MnemonicUnknownWord(usize),
    #[error("mnemonic checksum does not match (a word is mistyped or out of order)")]
    MnemonicChecksum,
    #[error("secret seed must be 0x followed by 64 hex digits (32 bytes)")]
    SeedFormat,
    #[error("private key must be 0x followed by 128 hex digits (64 bytes)")]
    PrivateKeyFormat,
    #[error("private key bytes are not a valid sr25519 secret key")]
    PrivateKey,
    #[error("secret URI is malformed; expected `[phrase or 0x-seed][//hard][/soft][///password]`")]
    UriFormat,
    #[error("cannot get randomness from the operating system: {0}")]
    Randomness(String),
    #[error("{shown} is not a valid SS58 address: {problem}")]
    Ss58 { shown: String, problem: String },
    #[error("public key must be 0x followed by 64 hex digits (32 bytes)")]
    PublicKeyFormat,
}

/// An sr25519 keypair. Cloning copies the secret; dropping zeroizes it.
#[derive(Clone)]
pub struct Keypair(schnorrkel::Keypair);

impl Keypair {
    /// The keypair of a 32-byte mini secret (a keyfile's `secretSeed`), Ed25519 expansion.
    pub fn from_mini_secret(seed: &[u8; 32]) -> Self {
        // Cannot fail: `MiniSecretKey::from_bytes` checks only the length, fixed here by the type.
        let mini = MiniSecretKey::from_bytes(seed).expect("32 bytes are a valid mini secret");
        Keypair(mini.expand_to_keypair(ExpansionMode::Ed25519))
    }

    /// The keypair of a BIP-39 English phrase and optional password, substrate-bip39 style.
    pub fn from_phrase(phrase: &str, password: Option<&str>) -> Result<Self, KeyError> {
        Ok(Self::from_mini_secret(&*mini_secret_from_phrase(
            phrase, password,
        )?))
    }

    /// The keypair of a keyfile `privateKey`: schnorrkel's canonical 64-byte secret key
    /// (scalar ‖ nonce), the form bittensor-wallet 4.x writes.
    pub fn from_private_key(bytes: &[u8; 64]) -> Result<Self, KeyError> {
        let secret = SecretKey::from_bytes(bytes).map_err(|_| KeyError::PrivateKey)?;
        Ok(Keypair(secret.into()))
    }

    /// The keypair of a 64-byte secret in the Ed25519-expanded form (scalar times the cofactor ‖
    /// nonce), as polkadot.js and some older tools store it.
    pub fn from_ed25519_private_key(bytes: &[u8; 64]) -> Result<Self, KeyError> {
        let secret = SecretKey::from_ed25519_bytes(bytes).map_err(|_| KeyError::PrivateKey)?;
        Ok(Keypair(secret.into()))
    }

    /// A fresh random keypair and its phrase of `words` words (12, 15, 18, 21 or 24).
    pub fn generate(words: usize) -> Result<(Self, Zeroizing<String>), KeyError> {
        let phrase = generate_phrase(words)?;
        let keypair = Self::from_phrase(&phrase, None)?;
        Ok((keypair, phrase))
    }

    /// A substrate dev account: `//name` hard-derived from [`DEV_PHRASE`] (`dev("Alice")` is the
    /// well-known Alice, `5GrwvaEF…`). Public knowledge: never hold value with these.
    pub fn dev(name: &str) -> Self {
        // Cannot fail: DEV_PHRASE is a constant valid mnemonic (tested below).
        let root = Self::from_phrase(DEV_PHRASE, None).expect("the dev phrase is valid");
        root.derive([DeriveJunction::hard(name)])
    }

    /// The keypair of a substrate secret URI: `phrase//hard/soft///password`, `0xSEED//hard`,
    /// or `//Alice` (no phrase means the dev phrase), as `Keypair.create_from_uri` reads it.
    pub fn from_uri(uri: &str) -> Result<Self, KeyError> {
        let parsed = subxt_signer::SecretUri::from_str(uri).map_err(|_| KeyError::UriFormat)?;
        let phrase = parsed.phrase.expose_secret();
        let root = match phrase.strip_prefix("0x") {
            // As substrate does, a hex seed ignores the `///password` part.
            Some(_) => Self::from_mini_secret(&*parse_seed_hex(phrase)?),
            None => Self::from_phrase(phrase, parsed.password.as_ref().map(|p| p.expose_secret()))?,
        };
        Ok(root.derive(parsed.junctions.iter().copied()))
    }

    /// The key derived from this one along `junctions` (hard: from the secret; soft: also
    /// derivable from the public key), as substrate derives `//hard/soft` paths.
    pub fn derive(&self, junctions: impl IntoIterator<Item = DeriveJunction>) -> Self {
        let secret = junctions
            .into_iter()
            .fold(self.0.secret.clone(), |secret, junction| match junction {
                DeriveJunction::Soft(code) => secret.derived_key_simple(ChainCode(code), []).0,
                DeriveJunction::Hard(code) => secret
                    .hard_derive_mini_secret_key(Some(ChainCode(code)), b"")
                    .0
                    .expand(ExpansionMode::Ed25519),
            });
        Keypair(secret.into())
    }

    /// The 32-byte public key (the account id).
    pub fn public_key(&self) -> [u8; 32] {
        self.0.public.to_bytes()
    }

    /// The account id, as subxt types it.
    pub fn account_id(&self) -> AccountId32 {
        AccountId32(self.public_key())
    }

    /// The SS58 address (prefix 42).
    pub fn ss58(&self) -> String {
        ss58_encode(&self.public_key())
    }

    /// The 64-byte secret key in the keyfile `privateKey` form (canonical scalar ‖ nonce).
    pub fn private_key(&self) -> Zeroizing<[u8; 64]> {
        Zeroizing::new(self.0.secret.to_bytes())
    }

    /// Signs `message` with the substrate signing context; 64 bytes.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        let context = schnorrkel::signing_context(SIGNING_CONTEXT);
        self.0.sign(context.bytes(message)).to_bytes()
    }
}

/// Only the address: a secret must never reach a log line through `{:?}`.
impl fmt::Debug for Keypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Keypair({})", self.ss58())
    }
}

/// Signs transactions for any subxt config whose account id and signature types come from
/// `AccountId32` and `MultiSignature` (`SubstrateConfig`, `PolkadotConfig`, subtensor's).
impl<T> subxt::transactions::Signer<T> for Keypair
where
    T: subxt::Config,
    T::AccountId: From<AccountId32>,
    T::Signature: From<MultiSignature>,
{
    fn account_id(&self) -> T::AccountId {
        Keypair::account_id(self).into()
    }

    fn sign(&self, signer_payload: &[u8]) -> T::Signature {
        MultiSignature::Sr25519(Keypair::sign(self, signer_payload)).into()
    }
}

/// True when `signature` is `public`'s sr25519 signature of `message` (substrate context).
pub fn verify(signature: &[u8; 64], message: &[u8], public: &[u8; 32]) -> bool {
    let Ok(signature) = schnorrkel::Signature::from_bytes(signature) else {
        return false;
    };
    let Ok(public) = schnorrkel::PublicKey::from_bytes(public) else {
        return false;
    };
    public
        .verify_simple(SIGNING_CONTEXT, message, &signature)
        .is_ok()
}

/// [`verify`], also accepting a signature of `<Bytes>message</Bytes>`: browser wallets
/// (polkadot.js `signRaw`) wrap messages so, and bittensor's `Keypair.verify` accepts both.
pub fn verify_message(signature: &[u8; 64], message: &[u8], public: &[u8; 32]) -> bool {
    if verify(signature, message, public) {
        return true;
    }
    let wrapped = [b"<Bytes>".as_slice(), message, b"</Bytes>"].concat();
    verify(signature, &wrapped, public)
}

/// The SS58 address (prefix 42) of a public key.
pub fn ss58_encode(public: &[u8; 32]) -> String {
    AccountId32(*public).to_string()
}

/// The public key of an SS58 address. Any valid address type is accepted (the key is the
/// same on every chain); the checksum must match.
pub fn parse_ss58(address: &str) -> Result<[u8; 32], KeyError> {
    AccountId32::from_str(address.trim())
        .map(|id| id.0)
        .map_err(|error| KeyError::Ss58 {
            shown: shown_address(address),
            // subxt's messages: bad base58, bad length, invalid checksum, invalid prefix byte.
            problem: error.to_string().trim_end_matches('.').to_lowercase(),
        })
}

/// How an unparseable address appears in an error: quoted when it looks like an address, else
/// only its length, since a user may have pasted a phrase or seed into the wrong place.
fn shown_address(input: &str) -> String {
    let looks_like_address = input.len() <= 64 && input.chars().all(|c| c.is_ascii_alphanumeric());
    if looks_like_address {
        format!("{input:?}")
    } else {
        format!("input of {} characters", input.chars().count())
    }
}

/// The 32-byte mini secret of a phrase (substrate-bip39). Hand-written (a few lines over pbkdf2)
/// because subxt-signer keeps its copy private and the keyfile needs the mini secret itself.
pub fn mini_secret_from_phrase(
    phrase: &str,
    password: Option<&str>,
) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let normalized = Zeroizing::new(phrase.to_ascii_lowercase());
    let mnemonic = bip39::Mnemonic::parse_in_normalized(bip39::Language::English, &normalized)
        .map_err(|error| match error {
            bip39::Error::BadWordCount(n) => KeyError::MnemonicWordCount(n),
            bip39::Error::UnknownWord(index) => KeyError::MnemonicUnknownWord(index + 1),
            _ => KeyError::MnemonicChecksum,
        })?;
    let (entropy, entropy_len) = mnemonic.to_entropy_array();
    let entropy = Zeroizing::new(entropy);
    let entropy = entropy
        .get(..entropy_len)
        .ok_or(KeyError::MnemonicChecksum)?;
    let mut salt = Zeroizing::new(String::with_capacity(8 + password.map_or(0, str::len)));
    salt.push_str("mnemonic");
    salt.push_str(password.unwrap_or(""));
    let mut seed = Zeroizing::new([0u8; 64]);
    pbkdf2::pbkdf2_hmac::<Sha512>(entropy, salt.as_bytes(), SUBSTRATE_BIP39_ROUNDS, &mut *seed);
    let mut mini = Zeroizing::new([0u8; 32]);
    mini.copy_from_slice(&seed[..32]);
    Ok(mini)
}

/// A fresh random BIP-39 English phrase of `words` words.
pub fn generate_phrase(words: usize) -> Result<Zeroizing<String>, KeyError> {
    if !MNEMONIC_WORD_COUNTS.contains(&words) {
        return Err(KeyError::MnemonicWordCount(words));
    }
    // 11 bits a word, 1 checksum bit per 32 entropy bits: 4 entropy bytes per 3 words.
    let mut entropy = Zeroizing::new([0u8; 32]);
    let entropy = entropy
        .get_mut(..words / 3 * 4)
        .ok_or(KeyError::MnemonicWordCount(words))?;
    getrandom::getrandom(entropy).map_err(|e| KeyError::Randomness(e.to_string()))?;
    let mnemonic = bip39::Mnemonic::from_entropy_in(bip39::Language::English, entropy)
        .map_err(|_| KeyError::MnemonicWordCount(words))?;
    Ok(Zeroizing::new(mnemonic.to_string()))
}

/// A 32-byte secret seed from `0x` + 64 hex digits (the `0x` is optional).
pub fn parse_seed_hex(text: &str) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let mut seed = Zeroizing::new([0u8; 32]);
    let digits = text.trim().strip_prefix("0x").unwrap_or(text.trim());
    hex::decode_to_slice(digits, &mut *seed).map_err(|_| KeyError::SeedFormat)?;
    Ok(seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO_SS58: &str = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV";
    const ALICE_SS58: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    /// The demo hotkey file's `secretSeed` and `privateKey` (public test vectors).
    const DEMO_SEED: &str = "0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e";
    const DEMO_PRIVATE_KEY: &str = "05d65584630d16cd4af6d0bec10f34bb504a5dcb62dba2122d49f5a663763d0afd190cce74df356432b410bd64682309d6dedb27c76845daf388557cbac3ca34";

    fn private_key_bytes(text: &str) -> [u8; 64] {
        let mut bytes = [0u8; 64];
        hex::decode_to_slice(text, &mut bytes).unwrap();
        bytes
    }

    #[test]
    fn the_dev_phrase_gives_the_known_address_and_seed() {
        let keypair = Keypair::from_phrase(DEV_PHRASE, None).unwrap();
        assert_eq!(keypair.ss58(), DEMO_SS58);
        let seed = mini_secret_from_phrase(DEV_PHRASE, None).unwrap();
        assert_eq!(format!("0x{}", hex::encode(*seed)), DEMO_SEED);
        // Extra spaces and capitals do not change the key.
        let sloppy = format!("  {}  ", DEV_PHRASE.to_uppercase().replace(' ', "   "));
        assert_eq!(
            Keypair::from_phrase(&sloppy, None).unwrap().ss58(),
            DEMO_SS58
        );
    }

    #[test]
    fn a_phrase_password_changes_the_key() {
        let plain = Keypair::from_phrase(DEV_PHRASE, None).unwrap();
        let with_password = Keypair::from_phrase(DEV_PHRASE, Some("pw")).unwrap();
        assert_ne!(plain.public_key(), with_password.public_key());
        assert_eq!(
            Keypair::from_uri(&format!("{DEV_PHRASE}///pw"))
                .unwrap()
                .ss58(),
            with_password.ss58()
        );
    }

    #[test]
    fn dev_accounts_match_the_well_known_addresses() {
        assert_eq!(Keypair::dev("Alice").ss58(), ALICE_SS58);
        assert_eq!(
            Keypair::dev("Bob").ss58(),
            "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
        );
        assert_eq!(Keypair::from_uri("//Alice").unwrap().ss58(), ALICE_SS58);
        // Soft derivation: the published //Alice/stash is hard-then-hard (`//stash`).
        assert_eq!(
            Keypair::from_uri("//Alice//stash").unwrap().ss58(),
            "5GNJqTPyNqANBkUVMN1LPPrxXnFouWXoe2wNSmmEoLctxiZY"
        );
        let soft = Keypair::from_uri("//Alice/stash").unwrap();
        assert_ne!(
            soft.ss58(),
            Keypair::from_uri("//Alice//stash").unwrap().ss58()
        );
        assert_eq!(
            Keypair::from_uri(&format!("{DEMO_SEED}//Alice"))
                .unwrap()
                .ss58(),
            ALICE_SS58,
            "a hex seed root gives the same key as its phrase"
        );
    }

    #[test]
    fn demo_private_key_is_the_canonical_form() {
        let seed = parse_seed_hex(DEMO_SEED).unwrap();
        let keypair = Keypair::from_mini_secret(&seed);
        // bittensor-wallet writes schnorrkel's canonical SecretKey::to_bytes(), not the ed25519 form.
        assert_eq!(hex::encode(*keypair.private_key()), DEMO_PRIVATE_KEY);
        assert_ne!(
            hex::encode(keypair.0.secret.to_ed25519_bytes()),
            DEMO_PRIVATE_KEY
        );
        let loaded = Keypair::from_private_key(&private_key_bytes(DEMO_PRIVATE_KEY)).unwrap();
        assert_eq!(loaded.ss58(), DEMO_SS58);
        // The ed25519 form of the same secret loads through its own constructor.
        let ed = Keypair::from_ed25519_private_key(&keypair.0.secret.to_ed25519_bytes()).unwrap();
        assert_eq!(ed.ss58(), DEMO_SS58);
        // Read as ed25519 form, the canonical bytes give another key or none at all.
        let misread = Keypair::from_ed25519_private_key(&private_key_bytes(DEMO_PRIVATE_KEY));
        assert!(misread.map_or(true, |k| k.ss58() != DEMO_SS58));
    }

    #[test]
    fn signatures_verify_and_reject_tampering() {
        let keypair = Keypair::dev("Alice");
        let signature = keypair.sign(b"hello");
        let public = keypair.public_key();
        assert!(verify(&signature, b"hello", &public));
        assert!(!verify(&signature, b"hellp", &public));
        assert!(!verify(
            &signature,
            b"hello",
            &Keypair::dev("Bob").public_key()
        ));
        let mut bad = signature;
        bad[5] ^= 1;
        assert!(!verify(&bad, b"hello", &public));
        assert!(
            !verify(&[0u8; 64], b"hello", &public),
            "garbage signature is just invalid"
        );
        assert!(
            !verify(&signature, b"hello", &[0xffu8; 32]),
            "bad point is just invalid"
        );
        let wrapped = keypair.sign(b"<Bytes>hello</Bytes>");
        assert!(!verify(&wrapped, b"hello", &public));
        assert!(verify_message(&wrapped, b"hello", &public));
        assert!(verify_message(&signature, b"hello", &public));
    }

    #[test]
    fn the_subxt_signer_trait_gives_account_and_sr25519_signature() {
        use subxt::transactions::Signer;
        let keypair = Keypair::dev("Alice");
        let account = <Keypair as Signer<subxt::SubstrateConfig>>::account_id(&keypair);
        assert_eq!(account.to_string(), ALICE_SS58);
        let signature = <Keypair as Signer<subxt::PolkadotConfig>>::sign(&keypair, b"payload");
        match signature {
            MultiSignature::Sr25519(bytes) => {
                assert!(verify(&bytes, b"payload", &keypair.public_key()))
            }
            other => panic!("expected an sr25519 signature, got {other:?}"),
        }
    }

    #[test]
    fn generated_phrases_have_the_requested_length_and_round_trip() {
        for words in MNEMONIC_WORD_COUNTS {
            let (keypair, phrase) = Keypair::generate(words).unwrap();
            assert_eq!(phrase.split_whitespace().count(), words);
            assert_eq!(
                Keypair::from_phrase(&phrase, None).unwrap().ss58(),
                keypair.ss58()
            );
        }
        let (a, _) = Keypair::generate(12).unwrap();
        let (b, _) = Keypair::generate(12).unwrap();
        assert_ne!(a.public_key(), b.public_key());
        assert_eq!(
            Keypair::generate(13).unwrap_err(),
            KeyError::MnemonicWordCount(13)
        );
    }

    #[test]
    fn bad_phrases_give_clear_errors_without_the_words() {
        let words: Vec<&str> = DEV_PHRASE.split(' ').collect();
        let eleven = words[..11].join(" ");
        assert_eq!(
            Keypair::from_phrase(&eleven, None).unwrap_err(),
            KeyError::MnemonicWordCount(11)
        );
        let unknown = DEV_PHRASE.replace("lake", "laek");
        let error = Keypair::from_phrase(&unknown, None).unwrap_err();
        assert_eq!(error, KeyError::MnemonicUnknownWord(4));
        assert!(!error.to_string().contains("laek"), "{error}");
        let swapped = DEV_PHRASE.replace("bottom drive", "drive bottom");
        assert_eq!(
            Keypair::from_phrase(&swapped, None).unwrap_err(),
            KeyError::MnemonicChecksum
        );
    }

    #[test]
    fn ss58_round_trips_and_bad_addresses_are_named() {
        let public = Keypair::dev("Alice").public_key();
        assert_eq!(parse_ss58(ALICE_SS58).unwrap(), public);
        assert_eq!(parse_ss58(&format!(" {ALICE_SS58}\n")).unwrap(), public);
        assert_eq!(ss58_encode(&public), ALICE_SS58);

        let mistyped = ALICE_SS58.replace("Grwva", "Grwvb");
        let error = parse_ss58(&mistyped).unwrap_err().to_string();
        assert!(
            error.contains(&mistyped) && error.contains("checksum"),
            "{error}"
        );
        let error = parse_ss58("5Grwva0OIl").unwrap_err().to_string();
        assert!(error.contains("base 58"), "{error}");
        let error = parse_ss58("5Grwva").unwrap_err().to_string();
        assert!(
            error.starts_with("\"5Grwva\" is not a valid SS58 address: "),
            "{error}"
        );
        let error = parse_ss58(&ALICE_SS58[..40]).unwrap_err().to_string();
        assert!(error.ends_with("length is bad"), "{error}");
        // A phrase pasted where an address belongs is not echoed back.
        let error = parse_ss58(DEV_PHRASE).unwrap_err().to_string();
        let length = format!("input of {} characters", DEV_PHRASE.len());
        assert!(
            !error.contains("bottom") && error.contains(&length),
            "{error}"
        );
    }

    #[test]
    fn seeds_parse_strictly() {
        assert_eq!(
            *parse_seed_hex(DEMO_SEED).unwrap(),
            *parse_seed_hex(&DEMO_SEED[2..]).unwrap()
        );
        assert_eq!(parse_seed_hex("0x1234").unwrap_err(), KeyError::SeedFormat);
        assert_eq!(
            parse_seed_hex(&DEMO_SEED.replace('f', "g")).unwrap_err(),
            KeyError::SeedFormat
        );
        assert_eq!(
            Keypair::from_private_key(&[0xff; 64]).unwrap_err(),
            KeyError::PrivateKey,
            "a non-canonical scalar is refused"
        );
    }

    #[test]
    fn debug_shows_only_the_address() {
        let keypair = Keypair::from_phrase(DEV_PHRASE, None).unwrap();
        let shown = format!("{keypair:?}");
        assert_eq!(shown, format!("Keypair({DEMO_SS58})"));
        assert!(!shown.contains(&DEMO_PRIVATE_KEY[..16]));
    }
}
