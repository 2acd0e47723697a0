use std::collections::VecDeque;
use std::path::Path;

use clap::Parser;

use super::*;
use crate::cli::GlobalArgs;

const DEV_PHRASE: &str = nya_chain::keys::DEV_PHRASE;
const DEMO_SS58: &str = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV";

#[derive(Parser)]
struct TestCli {
    #[command(subcommand)]
    command: WalletCommand,
}

/// Answers prompts from a list; a prompt beyond it fails the test.
struct Scripted(VecDeque<&'static str>);

impl Prompt for Scripted {
    fn secret(&mut self, prompt: &str) -> io::Result<String> {
        match self.0.pop_front() {
            Some(answer) => Ok(answer.to_owned()),
            None => panic!("unexpected prompt {prompt:?}"),
        }
    }
}

fn settings(root: &Path) -> Settings {
    let args = GlobalArgs {
        wallet_path: Some(root.to_path_buf()),
        wallet_name: Some("w".into()),
        wallet_hotkey: Some("hk".into()),
        ..Default::default()
    };
    Settings::resolve(&args).unwrap()
}

fn run_with(root: &Path, args: &[&str], answers: &[&'static str]) -> Result<Outcome> {
    let cli = TestCli::try_parse_from([&["wallet"], args].concat()).map_err(|e| anyhow!("{e}"))?;
    let mut prompt = Scripted(answers.iter().copied().collect());
    let outcome = execute(cli.command, &settings(root), &mut prompt);
    assert!(
        prompt.0.is_empty(),
        "not every scripted answer was asked for"
    );
    outcome
}

fn ok(root: &Path, args: &[&str]) -> Outcome {
    let outcome = run_with(root, args, &[]).unwrap();
    assert!(outcome.success, "{args:?} failed: {}", outcome.text);
    outcome
}

#[test]
fn create_show_sign_and_verify() {
    let root = tempfile::tempdir().unwrap();
    let created = ok(
        root.path(),
        &["create", "--no-password", "--n-words", "15", "--json"],
    );
    let cold = created.json["coldkey"]["ss58"].as_str().unwrap().to_owned();
    let hot = created.json["hotkey"]["ss58"].as_str().unwrap().to_owned();
    assert_ne!(cold, hot);
    for key in ["coldkey", "hotkey"] {
        let mnemonic = created.json[key]["mnemonic"].as_str().unwrap();
        assert_eq!(mnemonic.split(' ').count(), 15);
        assert_eq!(
            created.text.matches(mnemonic).count(),
            1,
            "the mnemonic is printed once"
        );
    }
    assert!(
        created
            .text
            .contains("IMPORTANT: write down this coldkey mnemonic")
    );

    let shown = ok(root.path(), &["show", "--json"]);
    assert_eq!(shown.json["coldkey"]["ss58"], cold.as_str());
    assert_eq!(shown.json["coldkey"]["encrypted"], false);
    assert_eq!(shown.json["hotkey"]["ss58"], hot.as_str());
    assert!(
        !shown
            .text
            .contains(created.json["coldkey"]["mnemonic"].as_str().unwrap())
    );

    for (flags, signer) in [(vec![], &cold), (vec!["--hotkey"], &hot)] {
        let signed = ok(
            root.path(),
            &[&["sign", "--message", "hello nya"][..], &flags].concat(),
        );
        let signature = signed.text.trim().to_owned();
        assert!(
            signature.starts_with("0x") && signature.len() == 130,
            "{signature}"
        );
        let verified = ok(
            root.path(),
            &[
                "verify",
                "--message",
                "hello nya",
                "--signature",
                &signature,
                "--ss58",
                signer,
            ],
        );
        assert!(verified.text.starts_with("valid"));
        let forged = run_with(
            root.path(),
            &[
                "verify",
                "--message",
                "hello nyb",
                "--signature",
                &signature,
                "--ss58",
                signer,
            ],
            &[],
        )
        .unwrap();
        assert!(
            !forged.success && forged.text.starts_with("INVALID"),
            "{}",
            forged.text
        );
    }
}

#[test]
fn existing_keys_are_kept_unless_overwrite_is_given() {
    let root = tempfile::tempdir().unwrap();
    ok(root.path(), &["new-hotkey"]);
    let before = ok(root.path(), &["show", "--json"]);
    let error = run_with(root.path(), &["create", "--no-password"], &[])
        .unwrap_err()
        .to_string();
    assert!(
        error.ends_with("hk: already exists; pass overwrite to replace it"),
        "{error}"
    );
    assert!(
        !root.path().join("w/coldkey").exists(),
        "nothing written after a refusal"
    );
    ok(root.path(), &["new-hotkey", "--overwrite"]);
    let after = ok(root.path(), &["show", "--json"]);
    assert_ne!(before.json["hotkey"]["ss58"], after.json["hotkey"]["ss58"]);
}

#[test]
fn passwords_are_asked_twice_and_must_match() {
    let root = tempfile::tempdir().unwrap();
    let error = run_with(root.path(), &["new-coldkey"], &["one", "two"])
        .unwrap_err()
        .to_string();
    assert_eq!(error, "the two passwords differ; nothing was written");
    assert!(!root.path().join("w/coldkey").exists());
    let error = run_with(root.path(), &["new-coldkey"], &["", ""])
        .unwrap_err()
        .to_string();
    assert!(error.contains("password is empty"), "{error}");

    // Two Argon2 derivations: encrypting, then decrypting to sign.
    let created = run_with(root.path(), &["new-coldkey", "--json"], &["pw", "pw"]).unwrap();
    assert_eq!(created.json["encrypted"], true);
    let signed = run_with(root.path(), &["sign", "--message", "m", "--json"], &["pw"]).unwrap();
    assert_eq!(signed.json["ss58"], created.json["ss58"]);
}

#[test]
fn keys_are_restored_from_a_mnemonic_or_a_seed() {
    let root = tempfile::tempdir().unwrap();
    let cold = ok(
        root.path(),
        &[
            "regen-coldkey",
            "--mnemonic",
            DEV_PHRASE,
            "--no-password",
            "--json",
        ],
    );
    assert_eq!(cold.json["ss58"], DEMO_SS58);
    assert!(
        cold.json.get("mnemonic").is_none(),
        "a restored key's secret is not echoed"
    );
    let seed = "0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e";
    let hot = ok(root.path(), &["regen-hotkey", "--seed", seed, "--json"]);
    assert_eq!(hot.json["ss58"], DEMO_SS58);
    // Prompted when neither option is given.
    let other = tempfile::tempdir().unwrap();
    let prompted = run_with(other.path(), &["regen-hotkey", "--json"], &[DEV_PHRASE]).unwrap();
    assert_eq!(prompted.json["ss58"], DEMO_SS58);

    // A bad phrase fails before any password prompt (Scripted would panic) and writes nothing.
    let typo = DEV_PHRASE.replace("lake", "laek");
    let fresh = tempfile::tempdir().unwrap();
    let error = run_with(fresh.path(), &["regen-coldkey", "--mnemonic", &typo], &[]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "mnemonic word number 4 is not in the BIP-39 English word list"
    );
    assert!(!fresh.path().join("w").exists());
    let error = run_with(fresh.path(), &["regen-hotkey", "--seed", "0x1234"], &[]).unwrap_err();
    assert_eq!(
        format!("{error:#}"),
        "--seed: secret seed must be 0x followed by 64 hex digits (32 bytes)"
    );
}

#[test]
fn list_reports_wallets_and_hotkeys() {
    let root = tempfile::tempdir().unwrap();
    ok(
        root.path(),
        &["regen-coldkey", "--mnemonic", DEV_PHRASE, "--no-password"],
    );
    ok(root.path(), &["new-hotkey"]);
    let listed = ok(root.path(), &["list", "--json"]);
    let wallets = listed.json["wallets"].as_array().unwrap();
    assert_eq!(wallets.len(), 1);
    assert_eq!(wallets[0]["name"], "w");
    assert_eq!(wallets[0]["ss58"], DEMO_SS58);
    assert_eq!(wallets[0]["hotkeys"][0]["name"], "hk");
    assert!(listed.text.contains(DEMO_SS58));
    let empty = ok(&root.path().join("none"), &["list"]);
    assert!(empty.text.starts_with("No wallets in"));
}

#[test]
fn bad_input_is_refused_clearly() {
    let root = tempfile::tempdir().unwrap();
    let error = run_with(root.path(), &["new-hotkey", "--n-words", "13"], &[])
        .unwrap_err()
        .to_string();
    assert!(error.contains("must be 12, 15, 18, 21 or 24"), "{error}");
    let error = run_with(
        root.path(),
        &[
            "verify",
            "--message",
            "m",
            "--signature",
            "0x12",
            "--ss58",
            DEMO_SS58,
        ],
        &[],
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        error,
        "--signature must be 0x followed by 128 hex digits (64 bytes)"
    );
    let error = run_with(root.path(), &["show"], &[])
        .unwrap_err()
        .to_string();
    assert!(error.ends_with("coldkeypub.txt: file not found"), "{error}");
    let error = run_with(
        root.path(),
        &["regen-hotkey", "--mnemonic", "a", "--seed", "0x00"],
        &[],
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("cannot be used with"), "{error}");
}
