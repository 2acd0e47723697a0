//! Keyfile encryption as bittensor-wallet 4.x does it, and recognition of the older formats.
//!
//! An encrypted keyfile is `b"$NACL"` ‖ 24-byte random nonce ‖ NaCl secretbox
//! (XSalsa20-Poly1305: 16-byte Poly1305 tag, then the ciphertext) of the keyfile JSON. The box key
//! is Argon2i, version 0x13, 8 passes, 512 MiB (524288 KiB), 1 lane, 32-byte output, of the
//! password with bittensor's fixed salt `137183dff15a09bc9c90b5518739e9b1`. Deriving it takes
//! about a second and half a gigabyte, by design.
//!
//! Older bittensor releases wrote Ansible Vault (`$ANSIBLE_VAULT…`) and Fernet (`gAAAAA…`)
//! keyfiles; they are recognised so the error can tell the user to convert them with
//! `btcli wallet update`, but not decrypted (both need ciphers nya does not otherwise carry).

use argon2::{Algorithm, Argon2, Params, Version};
use crypto_secretbox::XSalsa20Poly1305;
use crypto_secretbox::aead::{Aead, KeyInit};
use zeroize::Zeroizing;

/// The first bytes of a current encrypted keyfile.
pub const NACL_MAGIC: &[u8] = b"$NACL";
/// Secretbox nonce length.
pub const NONCE_LEN: usize = 24;
/// Poly1305 tag length.
pub const TAG_LEN: usize = 16;
/// The shortest possible encrypted keyfile: magic, nonce and tag around an empty message.
pub const MIN_ENCRYPTED_LEN: usize = NACL_MAGIC.len() + NONCE_LEN + TAG_LEN;

/// bittensor's fixed Argon2 salt (the same for every keyfile, so a password always gives the
/// same box key; the random nonce is what differs between files).
const ARGON2_SALT: [u8; 16] = [
    0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc, 0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1,
];
const ARGON2_PASSES: u32 = 8;
const ARGON2_MEMORY_KIB: u32 = 524_288;
const ARGON2_LANES: u32 = 1;

/// What a keyfile's bytes look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Zero bytes.
    Empty,
    /// Unencrypted keyfile JSON (starts with `{` after optional whitespace).
    Json,
    /// `$NACL`: the current encryption (also a file cut inside those five bytes).
    Nacl,
    /// Ansible Vault, bittensor before 2023.
    AnsibleVault,
    /// Fernet (PBKDF2-HMAC-SHA256 key), bittensor before 2021.
    Fernet,
    /// Anything else.
    Unknown,
}

impl Format {
    /// Recognises a keyfile's format from its first bytes.
    pub fn detect(bytes: &[u8]) -> Format {
        if bytes.is_empty() {
            Format::Empty
        } else if bytes.starts_with(NACL_MAGIC) || NACL_MAGIC.starts_with(bytes) {
            Format::Nacl
        } else if bytes.starts_with(b"$ANSIBLE_VAULT") {
            Format::AnsibleVault
        } else if bytes.starts_with(b"gAAAAA") {
            Format::Fernet
        } else if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            Format::Json
        } else {
            Format::Unknown
        }
    }

    /// True for the formats that need a password.
    pub fn is_encrypted(self) -> bool {
        matches!(self, Format::Nacl | Format::AnsibleVault | Format::Fernet)
    }
}

/// Why encryption or decryption failed. Never carries the password or plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncryptionError {
    #[error("does not start with $NACL")]
    NotNacl,
    #[error("truncated: {len} bytes, an encrypted keyfile has at least {MIN_ENCRYPTED_LEN}")]
    Truncated { len: usize },
    #[error("wrong password, or the file is damaged (decryption failed)")]
    Decrypt,
    #[error("key derivation failed: {0}")]
    Kdf(String),
    #[error("cannot get randomness from the operating system: {0}")]
    Randomness(String),
}

/// The secretbox key of a password: Argon2i with bittensor's parameters and salt.
pub fn derive_key(password: &str) -> Result<Zeroizing<[u8; 32]>, EncryptionError> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES, Some(32))
        .map_err(|e| EncryptionError::Kdf(e.to_string()))?;
    let argon2 = Argon2::new(Algorithm::Argon2i, Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; 32]);
    argon2
        .hash_password_into(password.as_bytes(), &ARGON2_SALT, &mut *key)
        .map_err(|e| EncryptionError::Kdf(e.to_string()))?;
    Ok(key)
}

/// Encrypts keyfile bytes under `password` with a fresh random nonce.
pub fn encrypt(plaintext: &[u8], password: &str) -> Result<Vec<u8>, EncryptionError> {
    seal(plaintext, &*derive_key(password)?)
}

/// Decrypts a `$NACL` keyfile. Checks the length before the (costly) key derivation, so a
/// truncated file fails fast with its own message.
pub fn decrypt(data: &[u8], password: &str) -> Result<Zeroizing<Vec<u8>>, EncryptionError> {
    check_length(data)?;
    open(data, &*derive_key(password)?)
}

fn check_length(data: &[u8]) -> Result<(), EncryptionError> {
    if !data.starts_with(NACL_MAGIC) && !NACL_MAGIC.starts_with(data) {
        return Err(EncryptionError::NotNacl);
    }
    if data.len() < MIN_ENCRYPTED_LEN {
        return Err(EncryptionError::Truncated { len: data.len() });
    }
    Ok(())
}

/// `$NACL` ‖ nonce ‖ secretbox under an already derived key.
fn seal(plaintext: &[u8], key: &[u8; 32]) -> Result<Vec<u8>, EncryptionError> {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::getrandom(&mut nonce).map_err(|e| EncryptionError::Randomness(e.to_string()))?;
    let cipher = XSalsa20Poly1305::new(key.into());
    // Fails only beyond the cipher's message length limit, far above any keyfile.
    let boxed = cipher
        .encrypt(&nonce.into(), plaintext)
        .map_err(|_| EncryptionError::Kdf("message too long to encrypt".to_owned()))?;
    let mut out = Vec::with_capacity(NACL_MAGIC.len() + NONCE_LEN + boxed.len());
    out.extend_from_slice(NACL_MAGIC);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&boxed);
    Ok(out)
}

/// Opens what [`seal`] made; a wrong key and a damaged file are indistinguishable (the tag).
fn open(data: &[u8], key: &[u8; 32]) -> Result<Zeroizing<Vec<u8>>, EncryptionError> {
    check_length(data)?;
    let body = data
        .strip_prefix(NACL_MAGIC)
        .ok_or(EncryptionError::NotNacl)?;
    let (nonce, boxed) = body.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce
        .try_into()
        .map_err(|_| EncryptionError::Truncated { len: data.len() })?;
    let cipher = XSalsa20Poly1305::new(key.into());
    cipher
        .decrypt(&nonce.into(), boxed)
        .map(Zeroizing::new)
        .map_err(|_| EncryptionError::Decrypt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_recognised_by_their_first_bytes() {
        assert_eq!(Format::detect(b""), Format::Empty);
        assert_eq!(Format::detect(b"$NACL\x01\x02"), Format::Nacl);
        assert_eq!(
            Format::detect(b"$NA"),
            Format::Nacl,
            "a cut magic is a truncated file"
        );
        assert_eq!(
            Format::detect(b"$ANSIBLE_VAULT;1.1;AES256\n3031"),
            Format::AnsibleVault
        );
        assert_eq!(Format::detect(b"gAAAAABh..."), Format::Fernet);
        assert_eq!(Format::detect(b"  \n{\"a\":1}"), Format::Json);
        assert_eq!(Format::detect(b"$XYZ0123"), Format::Unknown);
        assert_eq!(Format::detect(b"\x00\x01binary"), Format::Unknown);
        assert!(Format::Nacl.is_encrypted() && !Format::Json.is_encrypted());
    }

    #[test]
    fn short_inputs_fail_before_key_derivation() {
        // No Argon2 runs here: these return at the length check.
        for len in [0, 3, 5, 29, MIN_ENCRYPTED_LEN - 1] {
            let data = [NACL_MAGIC, &[7u8; 64]].concat();
            let error = decrypt(&data[..len], "pw").unwrap_err();
            assert_eq!(error, EncryptionError::Truncated { len }, "length {len}");
        }
        assert_eq!(
            decrypt(&[b'x'; 80], "pw").unwrap_err(),
            EncryptionError::NotNacl
        );
    }

    #[test]
    fn sealed_boxes_open_only_with_the_key_and_intact() {
        // One Argon2 derivation (about a second, 512 MiB); the rest uses the derived key.
        let key = derive_key("correct horse battery").unwrap();
        let secret = br#"{"secretPhrase":"x"}"#;
        let boxed = seal(secret, &key).unwrap();
        assert!(boxed.starts_with(NACL_MAGIC));
        assert_eq!(boxed.len(), MIN_ENCRYPTED_LEN + secret.len());
        assert_eq!(open(&boxed, &key).unwrap().as_slice(), secret);
        assert_ne!(
            seal(secret, &key).unwrap(),
            boxed,
            "each file gets a fresh nonce"
        );

        let mut other_key = *key;
        other_key[0] ^= 1;
        assert_eq!(
            open(&boxed, &other_key).unwrap_err(),
            EncryptionError::Decrypt
        );
        for position in [NACL_MAGIC.len(), MIN_ENCRYPTED_LEN - 1, boxed.len() - 1] {
            let mut damaged = boxed.clone();
            damaged[position] ^= 0x80;
            assert_eq!(
                open(&damaged, &key).unwrap_err(),
                EncryptionError::Decrypt,
                "{position}"
            );
        }
        let cut = &boxed[..boxed.len() - 3];
        assert_eq!(open(cut, &key).unwrap_err(), EncryptionError::Decrypt);
    }
}
