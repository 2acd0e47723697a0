//! Who may do what on the offline hub, and signed transfer URLs.
//!
//! - Tokens (`tokens.json` in the data dir, or given in-process): each names a user and grants
//!   `read` or `write`. A write token writes only repos whose owner is its user; a private
//!   repo is read only by its owner's tokens; public repos are read by anyone.
//! - LFS transfer URLs (upload, verify, download after the resolve redirect) carry no token:
//!   the Python client sends none on the upload `PUT`. They are signed instead:
//!   `HMAC-SHA256(secret, purpose|repo|object|size|expiry)`, with the secret in
//!   `<data dir>/secret` (created on first start), so they survive restarts and expire.

use std::path::Path;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::store::now;

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Read the user's private repos.
    Read,
    /// Also create repos and commit under the user's namespace.
    Write,
}

/// One token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenGrant {
    /// The secret the client sends as `Authorization: Bearer …`.
    pub token: String,
    /// The user (and namespace) it acts for.
    pub user: String,
    /// Its rights.
    pub access: Access,
}

impl std::fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenGrant")
            .field("user", &self.user)
            .field("access", &self.access)
            .finish_non_exhaustive()
    }
}

/// Why tokens or the signing secret could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{path}: {error}")]
    Io {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
    #[error("{path}: not a JSON list of {{token, user, access}}: {error}")]
    Tokens {
        path: std::path::PathBuf,
        error: serde_json::Error,
    },
    #[error("{path}: the secret must be 64 hex characters")]
    Secret { path: std::path::PathBuf },
    #[error("cannot draw random bytes: {0}")]
    Random(getrandom::Error),
}

/// The token table.
#[derive(Clone, Debug, Default)]
pub struct Tokens {
    grants: Vec<TokenGrant>,
}

impl Tokens {
    /// From a list.
    pub fn new(grants: Vec<TokenGrant>) -> Self {
        Tokens { grants }
    }

    /// Loads `tokens.json` from `data_dir`; when there is none, creates it with one fresh
    /// write token for `user` and returns that token too.
    pub fn load_or_create(
        data_dir: &Path,
        user: &str,
    ) -> Result<(Tokens, Option<TokenGrant>), AuthError> {
        let path = data_dir.join("tokens.json");
        match std::fs::read(&path) {
            Ok(bytes) => {
                let grants = serde_json::from_slice(&bytes)
                    .map_err(|error| AuthError::Tokens { path, error })?;
                Ok((Tokens { grants }, None))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let grant = TokenGrant {
                    token: format!("hf_nya_{}", random_hex(20)?),
                    user: user.to_string(),
                    access: Access::Write,
                };
                let grants = vec![grant.clone()];
                let json =
                    serde_json::to_vec_pretty(&grants).map_err(|error| AuthError::Tokens {
                        path: path.clone(),
                        error,
                    })?;
                write_private(&path, &json)?;
                Ok((Tokens { grants }, Some(grant)))
            }
            Err(error) => Err(AuthError::Io { path, error }),
        }
    }

    /// The grant for a bearer token.
    pub fn find(&self, token: &str) -> Option<&TokenGrant> {
        self.grants
            .iter()
            .find(|g| constant_time_eq(&g.token, token))
    }
}

/// Compares without an early exit on the first differing byte.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// `n` random bytes as hex.
pub fn random_hex(n: usize) -> Result<String, AuthError> {
    let mut bytes = vec![0u8; n];
    getrandom::getrandom(&mut bytes).map_err(AuthError::Random)?;
    Ok(hex::encode(bytes))
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), AuthError> {
    let io = |error| AuthError::Io {
        path: path.to_path_buf(),
        error,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io)?;
    std::io::Write::write_all(&mut file, bytes).map_err(io)
}

/// Signs and checks transfer URLs.
#[derive(Clone)]
pub struct Signer {
    key: [u8; 32],
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(<secret>)")
    }
}

/// How long a signed URL stays valid, in seconds.
pub const SIGNED_URL_TTL: u64 = 3_600;

impl Signer {
    /// Loads `<data_dir>/secret`, creating it on first start.
    pub fn load_or_create(data_dir: &Path) -> Result<Signer, AuthError> {
        let path = data_dir.join("secret");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let text = random_hex(32)?;
                write_private(&path, text.as_bytes())?;
                text
            }
            Err(error) => return Err(AuthError::Io { path, error }),
        };
        let mut key = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut key).map_err(|_| AuthError::Secret { path })?;
        Ok(Signer { key })
    }

    fn mac(&self, message: &str) -> Option<Hmac<Sha256>> {
        // HMAC takes keys of any length, so this is always `Some`.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).ok()?;
        mac.update(message.as_bytes());
        Some(mac)
    }

    /// `(expiry, signature)` for `message`, valid for [`SIGNED_URL_TTL`].
    pub fn sign(&self, message: &str) -> Option<(u64, String)> {
        let expires = now() + SIGNED_URL_TTL;
        let mac = self.mac(&format!("{message}|{expires}"))?;
        Some((expires, hex::encode(mac.finalize().into_bytes())))
    }

    /// Whether `signature` signs `message` with `expires`, and has not expired.
    pub fn verify(&self, message: &str, expires: u64, signature: &str) -> bool {
        let Ok(bytes) = hex::decode(signature) else {
            return false;
        };
        let Some(mac) = self.mac(&format!("{message}|{expires}")) else {
            return false;
        };
        expires >= now() && mac.verify_slice(&bytes).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_created_once_and_found() {
        let tmp = tempfile::tempdir().unwrap();
        let (tokens, created) = Tokens::load_or_create(tmp.path(), "nya").unwrap();
        let created = created.unwrap();
        assert_eq!(created.access, Access::Write);
        assert!(created.token.starts_with("hf_nya_"));
        assert_eq!(tokens.find(&created.token).unwrap().user, "nya");
        assert!(tokens.find("hf_other").is_none());
        let (again, none) = Tokens::load_or_create(tmp.path(), "nya").unwrap();
        assert!(none.is_none());
        assert_eq!(again.find(&created.token), Some(&created));
        assert!(!format!("{created:?}").contains(&created.token));
    }

    #[test]
    fn signatures_bind_the_message_and_survive_reload() {
        let tmp = tempfile::tempdir().unwrap();
        let signer = Signer::load_or_create(tmp.path()).unwrap();
        let (expires, signature) = signer.sign("put|a/b|abc|3").unwrap();
        assert!(signer.verify("put|a/b|abc|3", expires, &signature));
        assert!(!signer.verify("put|a/b|abc|4", expires, &signature));
        assert!(!signer.verify("put|a/b|abc|3", expires + 1, &signature));
        assert!(!signer.verify("put|a/b|abc|3", 1, &signature));
        assert!(!signer.verify("put|a/b|abc|3", expires, "zz"));
        let reloaded = Signer::load_or_create(tmp.path()).unwrap();
        assert!(reloaded.verify("put|a/b|abc|3", expires, &signature));
    }
}
