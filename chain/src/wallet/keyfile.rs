//! Keyfile JSON, as bittensor-wallet 4.x reads and writes it (the plaintext of an encrypted
//! keyfile, or the whole of a plain one).
//!
//! One JSON object of 0x-hex strings:
//!
//! | field          | content                                                        |
//! |----------------|----------------------------------------------------------------|
//! | `secretPhrase` | BIP-39 phrase; absent when the key came from a seed             |
//! | `secretSeed`   | 32-byte mini secret                                             |
//! | `privateKey`   | 64-byte schnorrkel secret key, canonical scalar ‖ nonce         |
//! | `publicKey`    | 32-byte public key                                              |
//! | `accountId`    | the same 32 bytes                                               |
//! | `ss58Address`  | SS58 (prefix 42) of the public key                              |
//! | `cryptoType`   | 1 = sr25519 (0 = ed25519, which nya does not support)           |
//!
//! Public files (`coldkeypub.txt`, `hotkeys/<name>pub.txt`) hold the last four. bittensor
//! writes the fields in arbitrary (hash map) order; nya writes a fixed order.
//!
//! Reading takes the secret from `secretPhrase`, else `secretSeed`, else `privateKey`; with
//! none of them the file is public-only (`ss58Address`, `publicKey` or `accountId`). Every
//! public field present must agree with the key found, so a hand-edited file cannot pair one
//! account's address with another's secret. Older files without `secretPhrase` or `cryptoType`
//! read fine.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::keys::{self, KeyError, Keypair};

/// `cryptoType` of sr25519 keys.
pub const CRYPTO_TYPE_SR25519: u64 = 1;

/// What is wrong with keyfile JSON. Messages name fields, never their secret values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyfileError {
    #[error("not valid keyfile JSON: {0}")]
    Json(String),
    #[error("not valid keyfile JSON: expected an object")]
    NotObject,
    #[error("field {field} must be {expected}")]
    FieldType {
        field: &'static str,
        expected: &'static str,
    },
    #[error("field {field}: {source}")]
    Key {
        field: &'static str,
        source: KeyError,
    },
    #[error("cryptoType {0} is not supported; nya handles sr25519 keys (cryptoType 1) only")]
    CryptoType(u64),
    #[error("key mismatch: {source_field} gives {derived} but {field} says {stored}")]
    Mismatch {
        source_field: &'static str,
        derived: String,
        field: &'static str,
        stored: String,
    },
    #[error("no key: needs secretPhrase, secretSeed, privateKey, ss58Address or publicKey")]
    NoKey,
}

/// A decoded keyfile: the keypair when the file holds a secret, and the public key always.
#[derive(Debug)]
pub struct Contents {
    pub keypair: Option<Keypair>,
    pub public: [u8; 32],
}

/// Reads keyfile JSON bytes.
pub fn decode(json: &[u8]) -> Result<Contents, KeyfileError> {
    // Parse to a Value first and read fields by hand: serde's typed errors quote the offending
    // value, which here could be a secret.
    let value: Value =
        serde_json::from_slice(json).map_err(|e| KeyfileError::Json(e.to_string()))?;
    let Value::Object(mut fields) = value else {
        return Err(KeyfileError::NotObject);
    };
    check_crypto_type(&fields)?;
    let phrase = take_string(&mut fields, "secretPhrase")?;
    let seed = take_string(&mut fields, "secretSeed")?;
    let private_key = take_string(&mut fields, "privateKey")?;

    let secret = if let Some(phrase) = phrase {
        Some((key_from_phrase(&phrase)?, "secretPhrase"))
    } else {
        match seed.as_deref().map(|seed| keys::parse_seed_hex(seed)) {
            Some(Ok(seed)) => Some((Keypair::from_mini_secret(&seed), "secretSeed")),
            // bittensor-wallet 4.1.1's `regenerate_*key(seed=...)` writes "0x" and then the seed's
            // raw bytes as characters; the privateKey beside it is intact, so use that.
            Some(Err(_)) if private_key.is_some() => None,
            Some(Err(source)) => {
                return Err(KeyfileError::Key {
                    field: "secretSeed",
                    source,
                });
            }
            None => None,
        }
    };
    let public_fields = read_public_fields(&fields)?;
    let secret = match (secret, private_key) {
        (Some(secret), _) => Some(secret),
        (None, Some(hex)) => Some((key_from_private_key(&hex, &public_fields)?, "privateKey")),
        (None, None) => None,
    };

    match secret {
        Some((keypair, source_field)) => {
            let derived = keypair.public_key();
            for (field, stored) in &public_fields {
                if *stored != derived {
                    return Err(KeyfileError::Mismatch {
                        source_field,
                        derived: keys::ss58_encode(&derived),
                        field,
                        stored: keys::ss58_encode(stored),
                    });
                }
            }
            Ok(Contents {
                public: derived,
                keypair: Some(keypair),
            })
        }
        None => {
            let ((first_field, public), rest) =
                public_fields.split_first().ok_or(KeyfileError::NoKey)?;
            if let Some((field, stored)) = rest.iter().find(|(_, other)| other != public) {
                return Err(KeyfileError::Mismatch {
                    source_field: first_field,
                    derived: keys::ss58_encode(public),
                    field,
                    stored: keys::ss58_encode(stored),
                });
            }
            Ok(Contents {
                keypair: None,
                public: *public,
            })
        }
    }
}

/// The JSON of a private keyfile. `phrase` and `seed` are written when known (a key restored
/// from a seed has no phrase), as bittensor does.
pub fn encode_private(
    keypair: &Keypair,
    phrase: Option<&str>,
    seed: Option<&[u8; 32]>,
) -> Zeroizing<Vec<u8>> {
    let public = hex_0x(&keypair.public_key());
    let seed = seed.map(|seed| hex_0x(seed));
    let private_key = hex_0x(&*keypair.private_key());
    let file = KeyfileJson {
        secret_seed: seed.as_deref().map(String::as_str),
        secret_phrase: phrase,
        crypto_type: CRYPTO_TYPE_SR25519,
        account_id: &public,
        public_key: &public,
        private_key: Some(&private_key),
        ss58_address: &keypair.ss58(),
    };
    to_json(&file)
}

/// The JSON of a public keyfile (`coldkeypub.txt`, `<hotkey>pub.txt`).
pub fn encode_public(public: &[u8; 32]) -> Vec<u8> {
    let hex = hex_0x(public);
    let file = KeyfileJson {
        secret_seed: None,
        secret_phrase: None,
        crypto_type: CRYPTO_TYPE_SR25519,
        account_id: &hex,
        public_key: &hex,
        private_key: None,
        ss58_address: &keys::ss58_encode(public),
    };
    to_json(&file).to_vec()
}

/// Field order of the demo hotkey bittensor-wallet wrote; any order reads the same.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyfileJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_seed: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_phrase: Option<&'a str>,
    crypto_type: u64,
    account_id: &'a str,
    public_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    private_key: Option<&'a str>,
    ss58_address: &'a str,
}

fn to_json(file: &KeyfileJson<'_>) -> Zeroizing<Vec<u8>> {
    // Room for the largest file up front, so no reallocation leaves a copy of secrets behind.
    let mut out = Zeroizing::new(Vec::with_capacity(1024));
    // Writing strings and an integer into memory cannot fail.
    serde_json::to_writer(&mut *out, file).expect("serialising a keyfile into memory");
    out
}

/// `0x` + lowercase hex, in a buffer that zeroizes (the input may be a secret).
fn hex_0x(bytes: &[u8]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(2 + 2 * bytes.len()));
    out.push_str("0x");
    for byte in bytes {
        // Writing into a String with enough capacity cannot fail or reallocate.
        let _ = write!(out, "{byte:02x}");
    }
    out
}

fn check_crypto_type(fields: &Map<String, Value>) -> Result<(), KeyfileError> {
    match fields.get("cryptoType") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(CRYPTO_TYPE_SR25519) => Ok(()),
            Some(other) => Err(KeyfileError::CryptoType(other)),
            None => Err(KeyfileError::FieldType {
                field: "cryptoType",
                expected: "1 (sr25519)",
            }),
        },
        Some(_) => Err(KeyfileError::FieldType {
            field: "cryptoType",
            expected: "1 (sr25519)",
        }),
    }
}

/// Removes a string field (so its buffer can zeroize); null or blank counts as absent.
fn take_string(
    fields: &mut Map<String, Value>,
    field: &'static str,
) -> Result<Option<Zeroizing<String>>, KeyfileError> {
    match fields.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => {
            let text = Zeroizing::new(text);
            Ok((!text.trim().is_empty()).then_some(text))
        }
        Some(_) => Err(KeyfileError::FieldType {
            field,
            expected: "a string",
        }),
    }
}

fn key_from_phrase(phrase: &str) -> Result<Keypair, KeyfileError> {
    Keypair::from_phrase(phrase, None).map_err(|source| KeyfileError::Key {
        field: "secretPhrase",
        source,
    })
}

/// The canonical form first (what bittensor-wallet writes); the ed25519-expanded form only when
/// it is what matches the file's public key (other tools store that form).
fn key_from_private_key(
    hex: &str,
    public_fields: &[(&'static str, [u8; 32])],
) -> Result<Keypair, KeyfileError> {
    let field = "privateKey";
    let mut bytes = Zeroizing::new([0u8; 64]);
    let digits = hex.trim().strip_prefix("0x").unwrap_or(hex.trim());
    hex::decode_to_slice(digits, &mut *bytes).map_err(|_| KeyfileError::Key {
        field,
        source: KeyError::PrivateKeyFormat,
    })?;
    let canonical = Keypair::from_private_key(&bytes);
    let Some((_, public)) = public_fields.first() else {
        return canonical.map_err(|source| KeyfileError::Key { field, source });
    };
    if let Ok(keypair) = &canonical
        && keypair.public_key() == *public
    {
        return canonical.map_err(|source| KeyfileError::Key { field, source });
    }
    match Keypair::from_ed25519_private_key(&bytes) {
        Ok(keypair) if keypair.public_key() == *public => Ok(keypair),
        // Neither form matches: report the canonical reading (a mismatch, or invalid bytes).
        _ => canonical.map_err(|source| KeyfileError::Key { field, source }),
    }
}

/// The public key in each public field present, in the order publicKey, accountId, ss58Address.
fn read_public_fields(
    fields: &Map<String, Value>,
) -> Result<Vec<(&'static str, [u8; 32])>, KeyfileError> {
    let mut found = Vec::with_capacity(3);
    for field in ["publicKey", "accountId"] {
        match fields.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::String(text)) => {
                let digits = text.trim().strip_prefix("0x").unwrap_or(text.trim());
                let mut public = [0u8; 32];
                hex::decode_to_slice(digits, &mut public).map_err(|_| KeyfileError::Key {
                    field,
                    source: KeyError::PublicKeyFormat,
                })?;
                found.push((field, public));
            }
            Some(_) => {
                return Err(KeyfileError::FieldType {
                    field,
                    expected: "a string",
                });
            }
        }
    }
    match fields.get("ss58Address") {
        None | Some(Value::Null) => {}
        Some(Value::String(text)) => {
            let public = keys::parse_ss58(text).map_err(|source| KeyfileError::Key {
                field: "ss58Address",
                source,
            })?;
            found.push(("ss58Address", public));
        }
        Some(_) => {
            return Err(KeyfileError::FieldType {
                field: "ss58Address",
                expected: "a string",
            });
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::DEV_PHRASE;

    const DEMO_SS58: &str = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV";
    const DEMO_PUBLIC: &str = "0x46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a";
    const DEMO_SEED: &str = "0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e";
    const DEMO_PRIVATE: &str = "0x05d65584630d16cd4af6d0bec10f34bb504a5dcb62dba2122d49f5a663763d0afd190cce74df356432b410bd64682309d6dedb27c76845daf388557cbac3ca34";

    fn demo_keypair() -> Keypair {
        Keypair::from_phrase(DEV_PHRASE, None).unwrap()
    }

    fn json(value: serde_json::Value) -> Vec<u8> {
        serde_json::to_vec(&value).unwrap()
    }

    #[test]
    fn written_files_carry_the_fields_bittensor_writes() {
        let seed = keys::parse_seed_hex(DEMO_SEED).unwrap();
        let private = encode_private(&demo_keypair(), Some(DEV_PHRASE), Some(&seed));
        let written: Value = serde_json::from_slice(&private).unwrap();
        let expected = serde_json::json!({
            "secretSeed": DEMO_SEED, "secretPhrase": DEV_PHRASE, "cryptoType": 1,
            "accountId": DEMO_PUBLIC, "publicKey": DEMO_PUBLIC, "privateKey": DEMO_PRIVATE,
            "ss58Address": DEMO_SS58,
        });
        assert_eq!(written, expected);
        let public: Value =
            serde_json::from_slice(&encode_public(&demo_keypair().public_key())).unwrap();
        let expected = serde_json::json!({
            "cryptoType": 1, "accountId": DEMO_PUBLIC, "publicKey": DEMO_PUBLIC,
            "ss58Address": DEMO_SS58,
        });
        assert_eq!(public, expected);
        // Compact, as bittensor writes: no space after separators.
        assert!(!String::from_utf8_lossy(&private).contains(": "));
    }

    #[test]
    fn each_secret_source_reads_in_priority_order() {
        let full = decode(&encode_private(&demo_keypair(), Some(DEV_PHRASE), None)).unwrap();
        assert_eq!(full.keypair.unwrap().ss58(), DEMO_SS58);
        // Older files: no secretPhrase, no cryptoType.
        let seed_only =
            json(serde_json::json!({ "secretSeed": DEMO_SEED, "ss58Address": DEMO_SS58 }));
        assert_eq!(
            decode(&seed_only).unwrap().keypair.unwrap().ss58(),
            DEMO_SS58
        );
        let private_only = json(serde_json::json!({ "privateKey": DEMO_PRIVATE }));
        assert_eq!(
            decode(&private_only).unwrap().keypair.unwrap().ss58(),
            DEMO_SS58
        );
        let public_only = json(serde_json::json!({ "ss58Address": DEMO_SS58, "cryptoType": 1 }));
        let contents = decode(&public_only).unwrap();
        assert!(contents.keypair.is_none());
        assert_eq!(keys::ss58_encode(&contents.public), DEMO_SS58);
        // The phrase wins over a (here: different) seed.
        let phrase_first = json(serde_json::json!({
            "secretPhrase": DEV_PHRASE, "secretSeed": "0x".to_owned() + &"11".repeat(32),
        }));
        assert_eq!(
            decode(&phrase_first).unwrap().public,
            demo_keypair().public_key()
        );
    }

    #[test]
    fn the_ed25519_private_key_form_reads_when_it_matches_the_public_key() {
        let seed = keys::parse_seed_hex(DEMO_SEED).unwrap();
        let secret = schnorrkel::MiniSecretKey::from_bytes(&*seed)
            .unwrap()
            .expand(schnorrkel::ExpansionMode::Ed25519);
        let ed25519 = format!("0x{}", hex::encode(secret.to_ed25519_bytes()));
        let file = json(serde_json::json!({ "privateKey": ed25519, "publicKey": DEMO_PUBLIC }));
        assert_eq!(decode(&file).unwrap().keypair.unwrap().ss58(), DEMO_SS58);
    }

    #[test]
    fn bittensor_4_1_1_broken_seed_falls_back_to_the_private_key() {
        // What `Wallet.regenerate_hotkey(seed="11…11")` writes in bittensor-wallet 4.1.1.
        let broken_seed = format!("0x{}", "\u{11}".repeat(32));
        let keypair = Keypair::from_mini_secret(&[0x11; 32]);
        let file = json(serde_json::json!({
            "secretSeed": broken_seed,
            "privateKey": format!("0x{}", hex::encode(*keypair.private_key())),
            "ss58Address": keypair.ss58(),
        }));
        assert_eq!(
            decode(&file).unwrap().keypair.unwrap().ss58(),
            keypair.ss58()
        );
        // Without a private key to fall back on, the broken seed is an error naming the field.
        let file = json(serde_json::json!({ "secretSeed": format!("0x{}", "\u{11}".repeat(32)) }));
        let error = decode(&file).unwrap_err();
        assert_eq!(
            error,
            KeyfileError::Key {
                field: "secretSeed",
                source: KeyError::SeedFormat
            }
        );
    }

    #[test]
    fn mismatched_public_fields_are_refused() {
        let alice = Keypair::dev("Alice");
        let file = json(serde_json::json!({
            "secretPhrase": DEV_PHRASE, "publicKey": DEMO_PUBLIC, "ss58Address": alice.ss58(),
        }));
        let error = decode(&file).unwrap_err().to_string();
        assert_eq!(
            error,
            format!(
                "key mismatch: secretPhrase gives {DEMO_SS58} but ss58Address says {}",
                alice.ss58()
            )
        );
        let public_only =
            json(serde_json::json!({ "publicKey": DEMO_PUBLIC, "ss58Address": alice.ss58() }));
        assert!(matches!(
            decode(&public_only).unwrap_err(),
            KeyfileError::Mismatch { .. }
        ));
        let wrong_private = json(serde_json::json!({
            "privateKey": format!("0x{}", hex::encode(*alice.private_key())),
            "publicKey": DEMO_PUBLIC,
        }));
        assert!(matches!(
            decode(&wrong_private).unwrap_err(),
            KeyfileError::Mismatch {
                source_field: "privateKey",
                ..
            }
        ));
    }

    #[test]
    fn malformed_files_name_the_problem_but_not_the_secret() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (
                b"{\"secretPhrase\": \"bottom drive".to_vec(),
                "not valid keyfile JSON: EOF",
            ),
            (
                b"[1, 2]".to_vec(),
                "not valid keyfile JSON: expected an object",
            ),
            (
                json(serde_json::json!({ "secretPhrase": 12 })),
                "field secretPhrase must be a string",
            ),
            (
                json(serde_json::json!({ "cryptoType": 0, "ss58Address": DEMO_SS58 })),
                "cryptoType 0 is not supported",
            ),
            (
                json(serde_json::json!({ "cryptoType": "x" })),
                "field cryptoType must be 1",
            ),
            (
                json(serde_json::json!({ "accountId": 5 })),
                "field accountId must be a string",
            ),
            (
                json(serde_json::json!({ "publicKey": "0x12" })),
                "field publicKey: public key must be",
            ),
            (
                json(serde_json::json!({ "privateKey": DEMO_PRIVATE.replace('5', "z") })),
                "field privateKey: private key must be",
            ),
            (
                json(
                    serde_json::json!({ "secretPhrase": DEV_PHRASE.replace("bottom drive", "drive bottom") }),
                ),
                "field secretPhrase: mnemonic checksum",
            ),
            (
                json(serde_json::json!({ "secretSeed": &DEMO_SEED[..40] })),
                "field secretSeed: secret seed must be",
            ),
            (
                json(serde_json::json!({ "cryptoType": 1 })),
                "no key: needs secretPhrase",
            ),
        ];
        for (file, expected) in cases {
            let error = decode(&file).unwrap_err().to_string();
            assert!(
                error.starts_with(expected),
                "{error:?} should start with {expected:?}"
            );
            for secret in ["bottom", "drive", &DEMO_SEED[2..20], &DEMO_PRIVATE[2..20]] {
                assert!(!error.contains(secret), "{error:?} leaks a secret");
            }
        }
    }
}
