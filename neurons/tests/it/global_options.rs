//! Global options: both Bittensor spellings, environment variables, the config file, and their
//! precedence (flag > env > config > default), read back through `nya config --json`.

use crate::{json, nya, run, write};

#[test]
fn defaults_follow_the_bittensor_sdk() {
    let (ok, out, err) = run(nya()
        .args(["config", "--json"])
        .env("HOME", "/home/someone"));
    assert!(ok, "{err}");
    let v = json(&out);
    assert_eq!(v["wallet"]["name"], "default");
    assert_eq!(v["wallet"]["hotkey"], "default");
    assert_eq!(v["wallet"]["path"], "/home/someone/.bittensor/wallets");
    assert_eq!(v["subtensor"]["network"], "finney");
    assert_eq!(
        v["subtensor"]["chain_endpoint"],
        "wss://entrypoint-finney.opentensor.ai:443"
    );
}

#[test]
fn dotted_and_dashed_spellings_are_the_same_option() {
    for (name_flag, network_flag) in [
        ("--wallet.name", "--subtensor.network"),
        ("--wallet-name", "--network"),
    ] {
        let (ok, out, err) =
            run(nya().args(["config", "--json", name_flag, "w1", network_flag, "local"]));
        assert!(ok, "{err}");
        let v = json(&out);
        assert_eq!(v["wallet"]["name"], "w1", "{name_flag}");
        assert_eq!(
            v["subtensor"]["chain_endpoint"], "ws://127.0.0.1:9944",
            "{network_flag}"
        );
    }
    let (ok, out, _) = run(nya().args([
        "--wallet.hotkey",
        "hk",
        "--wallet-path",
        "/w",
        "--subtensor.chain_endpoint",
        "ws://127.0.0.1:9000",
        "--netuid",
        "3",
        "config",
        "--json",
    ]));
    assert!(ok);
    let v = json(&out);
    assert_eq!(v["wallet"]["hotkey"], "hk");
    assert_eq!(v["wallet"]["path"], "/w");
    assert_eq!(v["subtensor"]["chain_endpoint"], "ws://127.0.0.1:9000");
    assert_eq!(v["subtensor"]["netuid"], 3);
}

#[test]
fn flag_beats_env_beats_config_beats_default() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("nya.toml");
    write(
        &config,
        "[wallet]\nname = \"from-config\"\nhotkey = \"hk-config\"\npath = \"/config/wallets\"\n\
         [subtensor]\nnetwork = \"test\"\nnetuid = 9\n",
    );
    let (ok, out, err) = run(nya()
        .args(["--config", config.to_str().unwrap(), "config", "--json"])
        .args(["--wallet.name", "from-flag"])
        .env("BT_WALLET_NAME", "from-env")
        .env("BT_WALLET_HOTKEY", "hk-env")
        .env("BT_SUBTENSOR_CHAIN_ENDPOINT", "ws://127.0.0.1:9999"));
    assert!(ok, "{err}");
    let v = json(&out);
    assert_eq!(v["wallet"]["name"], "from-flag", "flag > env");
    assert_eq!(v["wallet"]["hotkey"], "hk-env", "env > config");
    assert_eq!(v["wallet"]["path"], "/config/wallets", "config > default");
    assert_eq!(v["subtensor"]["network"], "test");
    assert_eq!(
        v["subtensor"]["chain_endpoint"], "ws://127.0.0.1:9999",
        "env endpoint wins"
    );
    assert_eq!(v["subtensor"]["netuid"], 9);
}

#[test]
fn bad_settings_fail_with_one_line_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bad.toml");
    write(&config, "[wallet]\nnmae = \"typo\"\n");
    let (ok, _, err) = run(nya().args(["--config", config.to_str().unwrap(), "config"]));
    assert!(!ok);
    assert!(
        err.contains("bad.toml") && err.contains("unknown field `nmae`"),
        "{err}"
    );

    let (ok, _, err) = run(nya()
        .args(["config"])
        .env("BT_SUBTENSOR_NETWORK", "mainnet"));
    assert!(!ok);
    assert!(
        err.starts_with("error: unknown network \"mainnet\""),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");

    let (ok, _, err) = run(nya().args(["--config", "/no/such/file.toml", "config"]));
    assert!(!ok);
    assert!(
        err.contains("cannot read config file /no/such/file.toml"),
        "{err}"
    );
}

#[test]
fn every_command_has_complete_help() {
    let (ok, out, _) = run(nya().arg("--help"));
    assert!(ok);
    for word in [
        "demo",
        "config",
        "wallet",
        "commitments",
        "manifest",
        "--wallet.name",
        "--netuid",
    ] {
        assert!(out.contains(word), "--help lacks {word}:\n{out}");
    }
    assert!(!out.to_lowercase().contains("not implemented"));
    // Every subcommand's help renders, with a description line for each of its subcommands.
    for group in ["wallet", "commitments", "manifest"] {
        let (ok, out, err) = run(nya().args([group, "--help"]));
        assert!(ok, "{group}: {err}");
        assert!(out.contains("Commands:"), "{group}:\n{out}");
    }
    let (ok, _, _) = run(nya().args(["-n", "1", "config"]));
    assert!(
        !ok,
        "-n is btcli's netuid; nya must not give it another meaning"
    );
}
