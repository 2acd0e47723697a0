//! Bittensor wallets on disk, in the layout and formats of bittensor-wallet 4.x (btcli).
//!
//! ```text
//! <root>/<name>/coldkey                  keyfile, $NACL-encrypted (plain JSON with --no-password)
//! <root>/<name>/coldkeypub.txt           public keyfile JSON
//! <root>/<name>/hotkeys/<hotkey>         keyfile JSON, unencrypted by default (may be encrypted)
//! <root>/<name>/hotkeys/<hotkey>pub.txt  public keyfile JSON
//! ```
//!
//! The default root is `~/.bittensor/wallets`. Keyfile contents are described in [`keyfile`],
//! encryption in [`encryption`], and file handling (0600 files, 0700 directories, atomic writes,
//! no overwrite unless asked) in [`storage`]. Every error is one line naming the file and the
//! problem, and never contains a secret (phrase, seed, private key or password).

pub mod encryption;
pub mod keyfile;
pub mod storage;

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use zeroize::Zeroizing;

use crate::keys::{self, KeyError, Keypair};
use encryption::{EncryptionError, Format};
use keyfile::KeyfileError;
use storage::StorageError;

/// Where btcli keeps wallets (the `~` is the user's home directory).
pub const DEFAULT_WALLET_PATH: &str = "~/.bittensor/wallets";
/// The name btcli gives a wallet and a hotkey when none is chosen.
pub const DEFAULT_NAME: &str = "default";

const COLDKEY_FILE: &str = "coldkey";
const COLDKEYPUB_FILE: &str = "coldkeypub.txt";
const HOTKEYS_DIR: &str = "hotkeys";
const PUB_SUFFIX: &str = "pub.txt";

/// Everything that can go wrong with a wallet. One line each, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    #[error("invalid {what} name {name:?}: {problem}")]
    BadName {
        what: &'static str,
        name: String,
        problem: &'static str,
    },
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("{}: empty file", path.display())]
    Empty { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Encryption {
        path: PathBuf,
        source: EncryptionError,
    },
    #[error("{}: the keyfile is encrypted and no password was given", path.display())]
    PasswordRequired { path: PathBuf },
    #[error(
        "{}: legacy {format} encryption, which nya does not read; run `btcli wallet update` to convert it to the current format",
        path.display()
    )]
    LegacyEncryption { path: PathBuf, format: &'static str },
    #[error("{}: unknown keyfile format (neither keyfile JSON nor $NACL-encrypted)", path.display())]
    UnknownFormat { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Keyfile { path: PathBuf, source: KeyfileError },
    #[error("{}: holds only a public key; the secret key is needed", path.display())]
    PublicOnly { path: PathBuf },
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// Where a restored key comes from.
pub enum KeySource {
    /// A BIP-39 phrase (written to the keyfile in normalised form: lowercase, single spaces).
    Mnemonic(Zeroizing<String>),
    /// A 32-byte mini secret (the keyfile's `secretSeed`).
    Seed(Zeroizing<[u8; 32]>),
}

impl KeySource {
    /// A phrase, normalised; validity is checked when the key is made.
    pub fn mnemonic(phrase: &str) -> Self {
        let mut normalized = Zeroizing::new(String::with_capacity(phrase.len()));
        for word in phrase.split_whitespace() {
            if !normalized.is_empty() {
                normalized.push(' ');
            }
            normalized.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        }
        KeySource::Mnemonic(normalized)
    }

    /// A seed from `0x` + 64 hex digits.
    pub fn seed_hex(text: &str) -> Result<Self, KeyError> {
        keys::parse_seed_hex(text).map(KeySource::Seed)
    }

    /// The keypair, and the phrase and seed to store beside it.
    fn derive(&self) -> Result<Derived<'_>, KeyError> {
        match self {
            KeySource::Mnemonic(phrase) => {
                let seed = keys::mini_secret_from_phrase(phrase, None)?;
                let keypair = Keypair::from_mini_secret(&seed);
                Ok(Derived {
                    keypair,
                    phrase: Some(phrase.as_str()),
                    seed,
                })
            }
            KeySource::Seed(seed) => Ok(Derived {
                keypair: Keypair::from_mini_secret(seed),
                phrase: None,
                seed: seed.clone(),
            }),
        }
    }
}

/// What a [`KeySource`] gives: the keypair and the secrets its keyfile records.
struct Derived<'a> {
    keypair: Keypair,
    phrase: Option<&'a str>,
    seed: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::Mnemonic(_) => f.write_str("KeySource::Mnemonic(<secret>)"),
            KeySource::Seed(_) => f.write_str("KeySource::Seed(<secret>)"),
        }
    }
}

/// A freshly generated key and its phrase, to be shown to the user once.
pub struct NewKey {
    pub keypair: Keypair,
    pub mnemonic: Zeroizing<String>,
}

impl fmt::Debug for NewKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewKey")
            .field("keypair", &self.keypair)
            .field("mnemonic", &"<secret>")
            .finish()
    }
}

/// One wallet (a coldkey) and the hotkey in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wallet {
    root: PathBuf,
    name: String,
    hotkey: String,
}

impl Wallet {
    /// The wallet `name` under `root` with hotkey `hotkey`. Names are single path components
    /// (no `/`, not `.` or `..`, no leading `.`), so a name cannot escape the wallet root.
    pub fn new(root: impl Into<PathBuf>, name: &str, hotkey: &str) -> Result<Self, WalletError> {
        check_name("wallet", name)?;
        check_name("hotkey", hotkey)?;
        if hotkey.ends_with(PUB_SUFFIX) {
            return Err(WalletError::BadName {
                what: "hotkey",
                name: hotkey.to_owned(),
                problem: "must not end in pub.txt (the public key file's suffix)",
            });
        }
        Ok(Wallet {
            root: root.into(),
            name: name.to_owned(),
            hotkey: hotkey.to_owned(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn hotkey(&self) -> &str {
        &self.hotkey
    }

    /// `<root>/<name>`.
    pub fn dir(&self) -> PathBuf {
        self.root.join(&self.name)
    }

    pub fn coldkey_path(&self) -> PathBuf {
        self.dir().join(COLDKEY_FILE)
    }

    pub fn coldkeypub_path(&self) -> PathBuf {
        self.dir().join(COLDKEYPUB_FILE)
    }

    pub fn hotkey_path(&self) -> PathBuf {
        self.dir().join(HOTKEYS_DIR).join(&self.hotkey)
    }

    pub fn hotkeypub_path(&self) -> PathBuf {
        self.dir()
            .join(HOTKEYS_DIR)
            .join(format!("{}{PUB_SUFFIX}", self.hotkey))
    }

    /// Generates a coldkey of `words` words; encrypted when `password` is given.
    pub fn create_coldkey(
        &self,
        words: usize,
        password: Option<&str>,
        overwrite: bool,
    ) -> Result<NewKey, WalletError> {
        let mnemonic = keys::generate_phrase(words)?;
        let keypair =
            self.regen_coldkey(&KeySource::Mnemonic(mnemonic.clone()), password, overwrite)?;
        Ok(NewKey { keypair, mnemonic })
    }

    /// Generates a hotkey of `words` words; encrypted when `password` is given.
    pub fn create_hotkey(
        &self,
        words: usize,
        password: Option<&str>,
        overwrite: bool,
    ) -> Result<NewKey, WalletError> {
        let mnemonic = keys::generate_phrase(words)?;
        let keypair =
            self.regen_hotkey(&KeySource::Mnemonic(mnemonic.clone()), password, overwrite)?;
        Ok(NewKey { keypair, mnemonic })
    }

    /// Writes the coldkey (and `coldkeypub.txt`) from a phrase or seed.
    pub fn regen_coldkey(
        &self,
        source: &KeySource,
        password: Option<&str>,
        overwrite: bool,
    ) -> Result<Keypair, WalletError> {
        self.write_key(
            &self.coldkey_path(),
            &self.coldkeypub_path(),
            source,
            password,
            overwrite,
        )
    }

    /// Writes the hotkey (and its `pub.txt`) from a phrase or seed.
    pub fn regen_hotkey(
        &self,
        source: &KeySource,
        password: Option<&str>,
        overwrite: bool,
    ) -> Result<Keypair, WalletError> {
        self.write_key(
            &self.hotkey_path(),
            &self.hotkeypub_path(),
            source,
            password,
            overwrite,
        )
    }

    /// The coldkey; `password` is needed when it is encrypted (it is ignored otherwise).
    pub fn load_coldkey(&self, password: Option<&str>) -> Result<Keypair, WalletError> {
        load_secret(&self.coldkey_path(), password)
    }

    /// The hotkey; `password` is needed only when it is encrypted.
    pub fn load_hotkey(&self, password: Option<&str>) -> Result<Keypair, WalletError> {
        load_secret(&self.hotkey_path(), password)
    }

    /// True when the coldkey file is encrypted (so loading it needs a password).
    pub fn coldkey_is_encrypted(&self) -> Result<bool, WalletError> {
        is_encrypted(&self.coldkey_path())
    }

    /// True when the hotkey file is encrypted.
    pub fn hotkey_is_encrypted(&self) -> Result<bool, WalletError> {
        is_encrypted(&self.hotkey_path())
    }

    /// The coldkey address from `coldkeypub.txt` (or an unencrypted coldkey); no password.
    pub fn coldkey_ss58(&self) -> Result<String, WalletError> {
        public_address(&self.coldkeypub_path(), &self.coldkey_path())
    }

    /// The hotkey address from its `pub.txt` (or the unencrypted hotkey file); no password.
    pub fn hotkey_ss58(&self) -> Result<String, WalletError> {
        public_address(&self.hotkeypub_path(), &self.hotkey_path())
    }

    fn write_key(
        &self,
        key_path: &Path,
        pub_path: &Path,
        source: &KeySource,
        password: Option<&str>,
        overwrite: bool,
    ) -> Result<Keypair, WalletError> {
        if !overwrite {
            // Both names are checked before anything is written, so a refusal changes nothing.
            storage::refuse_existing(key_path)?;
            storage::refuse_existing(pub_path)?;
        }
        let Derived {
            keypair,
            phrase,
            seed,
        } = source.derive()?;
        let json = keyfile::encode_private(&keypair, phrase, Some(&seed));
        let contents = match password {
            Some(password) => {
                Zeroizing::new(encryption::encrypt(&json, password).map_err(|source| {
                    WalletError::Encryption {
                        path: key_path.into(),
                        source,
                    }
                })?)
            }
            None => json,
        };
        if let Some(dir) = key_path.parent() {
            storage::create_dir(dir)?;
        }
        storage::write_atomic(key_path, &contents, overwrite)?;
        storage::write_atomic(
            pub_path,
            &keyfile::encode_public(&keypair.public_key()),
            overwrite,
        )?;
        Ok(keypair)
    }
}

/// A wallet found under a root, for listing. Each address is the address or why it is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletSummary {
    pub name: String,
    pub coldkey: Result<String, String>,
    pub hotkeys: Vec<HotkeySummary>,
}

/// A hotkey found in a wallet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotkeySummary {
    pub name: String,
    pub ss58: Result<String, String>,
}

/// The wallets under `root`, sorted by name, with their hotkeys sorted by name. Directories that
/// hold none of `coldkey`, `coldkeypub.txt` or `hotkeys/` are skipped; unreadable keys are listed
/// with the reason. A missing root has no wallets.
pub fn list_wallets(root: &Path) -> Result<Vec<WalletSummary>, WalletError> {
    let names = match sorted_entries(root) {
        Ok(names) => names,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(StorageError::Read {
                path: root.to_path_buf(),
                source,
            }
            .into());
        }
    };
    let mut wallets = Vec::new();
    for name in names {
        let dir = root.join(&name);
        let looks_like_wallet = [COLDKEY_FILE, COLDKEYPUB_FILE, HOTKEYS_DIR]
            .iter()
            .any(|entry| dir.join(entry).exists());
        if !dir.is_dir() || !looks_like_wallet || check_name("wallet", &name).is_err() {
            continue;
        }
        let hotkey_names = list_hotkey_names(&dir.join(HOTKEYS_DIR));
        let mut hotkeys = Vec::with_capacity(hotkey_names.len());
        for hotkey in hotkey_names {
            let ss58 = Wallet::new(root, &name, &hotkey)
                .and_then(|w| w.hotkey_ss58())
                .map_err(|e| e.to_string());
            hotkeys.push(HotkeySummary { name: hotkey, ss58 });
        }
        let coldkey = Wallet::new(root, &name, DEFAULT_NAME)
            .and_then(|w| w.coldkey_ss58())
            .map_err(|e| e.to_string());
        wallets.push(WalletSummary {
            name,
            coldkey,
            hotkeys,
        });
    }
    Ok(wallets)
}

/// Hotkey names in a `hotkeys/` directory: key files, and public files without their key.
fn list_hotkey_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = sorted_entries(dir) else {
        return Vec::new();
    };
    let names: BTreeSet<String> = entries
        .into_iter()
        .filter(|name| dir.join(name).is_file())
        .map(|name| {
            name.strip_suffix(PUB_SUFFIX)
                .map(str::to_owned)
                .unwrap_or(name)
        })
        .filter(|name| check_name("hotkey", name).is_ok())
        .collect();
    names.into_iter().collect()
}

/// Entry names of a directory that are valid UTF-8, sorted.
fn sorted_entries(dir: &Path) -> io::Result<Vec<String>> {
    let mut names: Vec<String> = fs::read_dir(dir)?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    Ok(names)
}

fn check_name(what: &'static str, name: &str) -> Result<(), WalletError> {
    let problem = if name.is_empty() {
        Some("must not be empty")
    } else if name.len() > 255 {
        Some("must be at most 255 bytes")
    } else if name.contains(['/', '\\', '\0']) {
        Some("must not contain / or \\")
    } else if name.starts_with('.') {
        Some("must not start with a dot")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(WalletError::BadName {
            what,
            name: name.to_owned(),
            problem,
        }),
        None => Ok(()),
    }
}

/// The JSON of a keyfile, decrypting it when encrypted.
fn read_keyfile(path: &Path, password: Option<&str>) -> Result<keyfile::Contents, WalletError> {
    let bytes = Zeroizing::new(storage::read(path)?);
    let path_buf = || path.to_path_buf();
    let json = match Format::detect(&bytes) {
        Format::Json => bytes,
        Format::Nacl => {
            let password =
                password.ok_or_else(|| WalletError::PasswordRequired { path: path_buf() })?;
            encryption::decrypt(&bytes, password).map_err(|source| WalletError::Encryption {
                path: path_buf(),
                source,
            })?
        }
        Format::Empty => return Err(WalletError::Empty { path: path_buf() }),
        Format::AnsibleVault => {
            return Err(WalletError::LegacyEncryption {
                path: path_buf(),
                format: "Ansible Vault",
            });
        }
        Format::Fernet => {
            return Err(WalletError::LegacyEncryption {
                path: path_buf(),
                format: "Fernet",
            });
        }
        Format::Unknown => return Err(WalletError::UnknownFormat { path: path_buf() }),
    };
    keyfile::decode(&json).map_err(|source| WalletError::Keyfile {
        path: path_buf(),
        source,
    })
}

fn load_secret(path: &Path, password: Option<&str>) -> Result<Keypair, WalletError> {
    read_keyfile(path, password)?
        .keypair
        .ok_or_else(|| WalletError::PublicOnly {
            path: path.to_path_buf(),
        })
}

fn is_encrypted(path: &Path) -> Result<bool, WalletError> {
    Ok(Format::detect(&storage::read(path)?).is_encrypted())
}

/// The address in a public file, or in the unencrypted key file when the public one is missing.
fn public_address(pub_path: &Path, key_path: &Path) -> Result<String, WalletError> {
    match read_keyfile(pub_path, None) {
        Ok(contents) => Ok(keys::ss58_encode(&contents.public)),
        Err(missing @ WalletError::Storage(StorageError::Missing { .. })) => {
            match read_keyfile(key_path, None) {
                Ok(contents) => Ok(keys::ss58_encode(&contents.public)),
                // An encrypted or absent key file cannot stand in: report the missing public file.
                Err(_) => Err(missing),
            }
        }
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests;
