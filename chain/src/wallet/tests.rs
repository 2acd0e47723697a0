//! Wallet tests. Each Argon2 key derivation costs about a second and 512 MiB, so the tests that
//! decrypt or encrypt are few and say so.

use super::*;
use crate::keys::DEV_PHRASE;

const DEMO_PASSWORD: &str = "correct horse battery";
const DEMO_SS58: &str = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV";
const DEMO_SEED: &str = "0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e";
const DEMO_PRIVATE: &str = "05d65584630d16cd4af6d0bec10f34bb504a5dcb62dba2122d49f5a663763d0a";

/// The demo wallet written by bittensor-wallet 4.1.1, or None (test skipped) without fixtures.
fn demo() -> Option<Wallet> {
    let dir = nya_metadata::fixtures::path("wallet/demo")?;
    let root = dir.parent()?.to_path_buf();
    Some(Wallet::new(root, "demo", "hk1").unwrap())
}

/// A scratch wallet root with the demo phrase as a plain hotkey `hk`, for corrupting.
fn scratch() -> (tempfile::TempDir, Wallet) {
    let root = tempfile::tempdir().unwrap();
    let wallet = Wallet::new(root.path(), "w", "hk").unwrap();
    wallet
        .regen_hotkey(&KeySource::mnemonic(DEV_PHRASE), None, false)
        .unwrap();
    (root, wallet)
}

/// Fails when a message contains any secret of the demo wallet.
fn assert_no_secret(message: &str) {
    let secrets = [
        DEV_PHRASE,
        "bottom drive",
        DEMO_PASSWORD,
        "horse",
        &DEMO_SEED[2..18],
        &DEMO_PRIVATE[..16],
    ];
    for secret in secrets {
        assert!(
            !message.contains(secret),
            "error message leaks a secret: {message}"
        );
    }
    assert!(
        !message.contains('\n'),
        "error message is not one line: {message}"
    );
}

fn error_of<T: fmt::Debug>(result: Result<T, WalletError>) -> String {
    let message = result.unwrap_err().to_string();
    assert_no_secret(&message);
    message
}

#[test]
fn demo_wallet_loads_with_its_password() {
    let Some(wallet) = demo() else { return };
    assert_eq!(wallet.coldkey_ss58().unwrap(), DEMO_SS58);
    assert_eq!(wallet.hotkey_ss58().unwrap(), DEMO_SS58);
    assert!(wallet.coldkey_is_encrypted().unwrap());
    assert!(!wallet.hotkey_is_encrypted().unwrap());
    assert_eq!(wallet.load_hotkey(None).unwrap().ss58(), DEMO_SS58);
    // One Argon2 derivation.
    assert_eq!(
        wallet.load_coldkey(Some(DEMO_PASSWORD)).unwrap().ss58(),
        DEMO_SS58
    );
    let message = error_of(wallet.load_coldkey(None));
    assert_eq!(
        message,
        format!(
            "{}: the keyfile is encrypted and no password was given",
            wallet.coldkey_path().display()
        )
    );
}

#[test]
fn demo_coldkey_refuses_a_wrong_password() {
    let Some(wallet) = demo() else { return };
    // One Argon2 derivation.
    let message = error_of(wallet.load_coldkey(Some("correct horse battery staple")));
    assert_eq!(
        message,
        format!(
            "{}: wrong password, or the file is damaged (decryption failed)",
            wallet.coldkey_path().display()
        )
    );
}

#[test]
fn an_encrypted_hotkey_loads_with_its_password() {
    let Some(demo) = demo() else { return };
    let (_root, wallet) = scratch();
    // A hotkey file may be encrypted like a coldkey; use the demo coldkey's bytes as one.
    fs::write(wallet.hotkey_path(), fs::read(demo.coldkey_path()).unwrap()).unwrap();
    assert!(wallet.hotkey_is_encrypted().unwrap());
    assert!(matches!(
        wallet.load_hotkey(None),
        Err(WalletError::PasswordRequired { .. })
    ));
    // One Argon2 derivation.
    assert_eq!(
        wallet.load_hotkey(Some(DEMO_PASSWORD)).unwrap().ss58(),
        DEMO_SS58
    );
}

#[test]
fn a_created_wallet_loads_back() {
    let root = tempfile::tempdir().unwrap();
    let wallet = Wallet::new(root.path().join("wallets"), "alice", "miner").unwrap();
    // Two Argon2 derivations: encrypting the coldkey, decrypting it.
    let cold = wallet.create_coldkey(12, Some("pw one"), false).unwrap();
    let hot = wallet.create_hotkey(24, None, false).unwrap();
    assert_eq!(cold.mnemonic.split(' ').count(), 12);
    assert_eq!(hot.mnemonic.split(' ').count(), 24);
    assert_ne!(cold.keypair.ss58(), hot.keypair.ss58());

    assert_eq!(
        wallet.load_coldkey(Some("pw one")).unwrap().ss58(),
        cold.keypair.ss58()
    );
    assert_eq!(wallet.load_hotkey(None).unwrap().ss58(), hot.keypair.ss58());
    assert_eq!(wallet.coldkey_ss58().unwrap(), cold.keypair.ss58());
    assert_eq!(wallet.hotkey_ss58().unwrap(), hot.keypair.ss58());
    assert_eq!(
        Keypair::from_phrase(&cold.mnemonic, None).unwrap().ss58(),
        cold.keypair.ss58()
    );

    assert!(
        fs::read(wallet.coldkey_path())
            .unwrap()
            .starts_with(encryption::NACL_MAGIC)
    );
    let hotkey: serde_json::Value =
        serde_json::from_slice(&fs::read(wallet.hotkey_path()).unwrap()).unwrap();
    assert_eq!(hotkey["secretPhrase"], hot.mnemonic.as_str());
    assert_eq!(hotkey["ss58Address"], hot.keypair.ss58());
    assert!(
        !format!("{cold:?}").contains(cold.mnemonic.as_str()),
        "Debug hides the phrase"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        for file in [
            wallet.coldkey_path(),
            wallet.coldkeypub_path(),
            wallet.hotkey_path(),
            wallet.hotkeypub_path(),
        ] {
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
        for dir in [
            root.path().join("wallets"),
            wallet.dir(),
            wallet.dir().join("hotkeys"),
        ] {
            assert_eq!(mode(&dir), 0o700, "{}", dir.display());
        }
    }
}

#[test]
fn existing_keys_are_replaced_only_when_asked() {
    let root = tempfile::tempdir().unwrap();
    let wallet = Wallet::new(root.path(), "w", "hk").unwrap();
    let first = wallet.create_coldkey(12, None, false).unwrap();
    let message = error_of(wallet.create_coldkey(12, None, false));
    assert_eq!(
        message,
        format!(
            "{}: already exists; pass overwrite to replace it",
            wallet.coldkey_path().display()
        )
    );
    assert_eq!(
        wallet.load_coldkey(None).unwrap().ss58(),
        first.keypair.ss58(),
        "unchanged"
    );

    // A lone public file (a watch-only wallet) is protected too, and nothing is half-written.
    fs::remove_file(wallet.coldkey_path()).unwrap();
    let message = error_of(wallet.regen_coldkey(&KeySource::mnemonic(DEV_PHRASE), None, false));
    assert!(
        message.starts_with(&wallet.coldkeypub_path().display().to_string()),
        "{message}"
    );
    assert!(!wallet.coldkey_path().exists());

    let second = wallet.create_coldkey(12, None, true).unwrap();
    assert_ne!(second.keypair.ss58(), first.keypair.ss58());
    assert_eq!(
        wallet.load_coldkey(None).unwrap().ss58(),
        second.keypair.ss58()
    );
    assert_eq!(wallet.coldkey_ss58().unwrap(), second.keypair.ss58());
}

#[test]
fn keys_regenerate_from_a_phrase_or_a_seed() {
    let root = tempfile::tempdir().unwrap();
    let wallet = Wallet::new(root.path(), "w", "hk").unwrap();
    let sloppy = format!("  {}\n", DEV_PHRASE.to_uppercase().replace(' ', "  "));
    let cold = wallet
        .regen_coldkey(&KeySource::mnemonic(&sloppy), None, false)
        .unwrap();
    assert_eq!(cold.ss58(), DEMO_SS58);
    let file: serde_json::Value =
        serde_json::from_slice(&fs::read(wallet.coldkey_path()).unwrap()).unwrap();
    assert_eq!(
        file["secretPhrase"], DEV_PHRASE,
        "the phrase is stored normalised"
    );
    assert_eq!(file["secretSeed"], DEMO_SEED);

    let hot = wallet
        .regen_hotkey(&KeySource::seed_hex(DEMO_SEED).unwrap(), None, false)
        .unwrap();
    assert_eq!(hot.ss58(), DEMO_SS58);
    let file: serde_json::Value =
        serde_json::from_slice(&fs::read(wallet.hotkey_path()).unwrap()).unwrap();
    assert!(file.get("secretPhrase").is_none(), "a seed has no phrase");
    assert_eq!(file["secretSeed"], DEMO_SEED);
    assert_eq!(wallet.load_hotkey(None).unwrap().ss58(), DEMO_SS58);

    let bad = Wallet::new(root.path(), "x", "hk").unwrap();
    let message =
        error_of(bad.regen_coldkey(&KeySource::mnemonic("bottom drive obey"), None, false));
    assert_eq!(
        message,
        "mnemonic has 3 words; it must have 12, 15, 18, 21 or 24"
    );
    assert!(!bad.dir().exists(), "nothing is written for a bad phrase");
    assert_eq!(
        KeySource::seed_hex("0x12").unwrap_err(),
        KeyError::SeedFormat
    );
}

#[test]
fn truncated_coldkeys_are_reported() {
    let Some(demo) = demo() else { return };
    let full = fs::read(demo.coldkey_path()).unwrap();
    let (_root, wallet) = scratch();
    let path = wallet.coldkey_path();
    let cut = |len: usize| fs::write(&path, &full[..len]).unwrap();
    cut(0);
    assert_eq!(
        error_of(wallet.load_coldkey(Some(DEMO_PASSWORD))),
        format!("{}: empty file", path.display())
    );
    for len in [3, 5, 29, 44] {
        cut(len);
        assert_eq!(
            error_of(wallet.load_coldkey(Some(DEMO_PASSWORD))),
            format!(
                "{}: truncated: {len} bytes, an encrypted keyfile has at least 45",
                path.display()
            )
        );
    }
    // Cut inside the ciphertext, the tag no longer matches. One Argon2 derivation.
    cut(300);
    assert_eq!(
        error_of(wallet.load_coldkey(Some(DEMO_PASSWORD))),
        format!(
            "{}: wrong password, or the file is damaged (decryption failed)",
            path.display()
        )
    );
}

#[test]
fn damaged_and_foreign_keyfiles_are_reported() {
    let (_root, wallet) = scratch();
    let path = wallet.hotkey_path();
    let shown = path.display().to_string();
    let plain = fs::read(&path).unwrap();
    let cases: Vec<(Vec<u8>, String)> = vec![
        (
            plain[..plain.len() / 2].to_vec(),
            format!("{shown}: not valid keyfile JSON: EOF while parsing"),
        ),
        (
            b"{\"secretPhrase\": }".to_vec(),
            format!("{shown}: not valid keyfile JSON: expected value"),
        ),
        (
            b"$XYZ\x00\x01\x02".to_vec(),
            format!("{shown}: unknown keyfile format"),
        ),
        (
            b"\x89PNG\r\n".to_vec(),
            format!("{shown}: unknown keyfile format"),
        ),
        (
            b"$ANSIBLE_VAULT;1.1;AES256\n6162".to_vec(),
            format!(
                "{shown}: legacy Ansible Vault encryption, which nya does not read; run `btcli wallet update`"
            ),
        ),
        (
            b"gAAAAABkZXJw".to_vec(),
            format!("{shown}: legacy Fernet encryption"),
        ),
    ];
    for (bytes, expected) in cases {
        fs::write(&path, &bytes).unwrap();
        let message = error_of(wallet.load_hotkey(None));
        assert!(
            message.starts_with(&expected),
            "{message:?} should start with {expected:?}"
        );
    }
    fs::remove_file(&path).unwrap();
    assert_eq!(
        error_of(wallet.load_hotkey(None)),
        format!("{shown}: file not found")
    );
}

#[test]
fn a_key_that_does_not_match_its_public_key_is_refused() {
    let (_root, wallet) = scratch();
    let path = wallet.hotkey_path();
    let alice = Keypair::dev("Alice");
    let mut file: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    file["publicKey"] = format!("0x{}", hex::encode(alice.public_key())).into();
    fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
    assert_eq!(
        error_of(wallet.load_hotkey(None)),
        format!(
            "{}: key mismatch: secretPhrase gives {DEMO_SS58} but publicKey says {}",
            path.display(),
            alice.ss58()
        )
    );
}

#[test]
fn public_only_and_older_keyfiles() {
    let (_root, wallet) = scratch();
    // Only the public file: the address is known, the key is not.
    fs::write(
        wallet.hotkey_path(),
        fs::read(wallet.hotkeypub_path()).unwrap(),
    )
    .unwrap();
    assert_eq!(wallet.hotkey_ss58().unwrap(), DEMO_SS58);
    assert_eq!(
        error_of(wallet.load_hotkey(None)),
        format!(
            "{}: holds only a public key; the secret key is needed",
            wallet.hotkey_path().display()
        )
    );
    // Older bittensor: no secretPhrase, no cryptoType, no pub.txt beside the hotkey.
    let old = serde_json::json!({ "secretSeed": DEMO_SEED, "ss58Address": DEMO_SS58 });
    fs::write(wallet.hotkey_path(), serde_json::to_vec(&old).unwrap()).unwrap();
    fs::remove_file(wallet.hotkeypub_path()).unwrap();
    assert_eq!(wallet.load_hotkey(None).unwrap().ss58(), DEMO_SS58);
    assert_eq!(
        wallet.hotkey_ss58().unwrap(),
        DEMO_SS58,
        "read from the plain hotkey file"
    );
    // No coldkey at all: the missing public file is what is reported.
    assert_eq!(
        error_of(wallet.coldkey_ss58()),
        format!("{}: file not found", wallet.coldkeypub_path().display())
    );
}

#[test]
fn wallets_are_listed_sorted_and_junk_is_tolerated() {
    let root = tempfile::tempdir().unwrap();
    let base = root.path();
    for (name, hotkey) in [("zeta", "b"), ("zeta", "a"), ("alpha", "default")] {
        let wallet = Wallet::new(base, name, hotkey).unwrap();
        wallet
            .regen_hotkey(
                &KeySource::seed_hex(&format!("0x{}", "11".repeat(32))).unwrap(),
                None,
                false,
            )
            .unwrap();
    }
    Wallet::new(base, "alpha", "default")
        .unwrap()
        .regen_coldkey(&KeySource::mnemonic(DEV_PHRASE), None, false)
        .unwrap();
    fs::create_dir(base.join("empty-dir")).unwrap();
    fs::write(base.join("stray-file"), b"x").unwrap();
    fs::create_dir_all(base.join(".hidden/hotkeys")).unwrap();
    fs::write(base.join("zeta/hotkeys/notes"), b"not a key").unwrap();
    fs::write(base.join("zeta/hotkeys/.b.tmp-1-0"), b"debris").unwrap();

    let wallets = list_wallets(base).unwrap();
    let names: Vec<&str> = wallets.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["alpha", "zeta"]);
    assert_eq!(wallets[0].coldkey, Ok(DEMO_SS58.to_owned()));
    let zeta = &wallets[1];
    assert!(
        zeta.coldkey
            .as_ref()
            .is_err_and(|e| e.ends_with("coldkeypub.txt: file not found"))
    );
    let hotkeys: Vec<&str> = zeta.hotkeys.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(hotkeys, ["a", "b", "notes"]);
    let seed_ss58 = Keypair::from_mini_secret(&[0x11; 32]).ss58();
    assert_eq!(zeta.hotkeys[0].ss58, Ok(seed_ss58.clone()));
    assert_eq!(zeta.hotkeys[1].ss58, Ok(seed_ss58));
    assert!(
        zeta.hotkeys[2].ss58.is_err(),
        "junk is listed with its reason, not fatal"
    );

    assert!(list_wallets(&base.join("missing")).unwrap().is_empty());
}

#[test]
fn names_cannot_escape_the_wallet_root() {
    for (name, problem) in [
        ("", "must not be empty"),
        ("../x", "must not contain / or \\"),
        ("..", "must not start with a dot"),
        (".hidden", "must not start with a dot"),
    ] {
        let message = Wallet::new("/tmp", name, "hk").unwrap_err().to_string();
        assert_eq!(message, format!("invalid wallet name {name:?}: {problem}"));
    }
    let message = Wallet::new("/tmp", "w", "hkpub.txt")
        .unwrap_err()
        .to_string();
    assert!(message.contains("must not end in pub.txt"), "{message}");
    let wallet = Wallet::new("/r", "w", "h").unwrap();
    assert_eq!(wallet.hotkeypub_path(), Path::new("/r/w/hotkeys/hpub.txt"));
    assert_eq!(wallet.coldkeypub_path(), Path::new("/r/w/coldkeypub.txt"));
}
