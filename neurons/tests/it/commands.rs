//! The offline commands end to end: wallet, commitments, manifest, demo.

use crate::{json, nya, run};

#[test]
fn wallet_created_by_the_cli_loads_signs_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap();
    let wallet = [
        "--wallet.path",
        root,
        "--wallet.name",
        "cli",
        "--wallet.hotkey",
        "hk",
    ];
    let (ok, out, err) = run(nya()
        .args(wallet)
        .args([
            "wallet",
            "create",
            "--password-env",
            "NYA_TEST_PW",
            "--json",
        ])
        .env("NYA_TEST_PW", "a good password"));
    assert!(ok, "{err}");
    let created = json(&out);
    let coldkey = created["coldkey"]["ss58"]
        .as_str()
        .expect("coldkey ss58")
        .to_owned();
    let hotkey = created["hotkey"]["ss58"]
        .as_str()
        .expect("hotkey ss58")
        .to_owned();
    assert_ne!(coldkey, hotkey);
    assert!(
        !err.contains(created["coldkey"]["mnemonic"].as_str().unwrap()),
        "secret in logs"
    );

    let (ok, out, err) = run(nya().args(wallet).args(["wallet", "show", "--json"]));
    assert!(ok, "{err}");
    let shown = out.clone();
    assert!(
        shown.contains(&coldkey) && shown.contains(&hotkey),
        "{shown}"
    );

    let (ok, out, err) = run(nya()
        .args(wallet)
        .args([
            "wallet",
            "sign",
            "--message",
            "hello nya",
            "--password-env",
            "NYA_TEST_PW",
        ])
        .env("NYA_TEST_PW", "a good password"));
    assert!(ok, "{err}");
    let signature = out.trim().to_owned();
    assert!(
        signature.starts_with("0x") && signature.len() == 130,
        "{signature}"
    );

    let verify = |message: &str| {
        run(nya()
            .args(["wallet", "verify", "--message", message])
            .args(["--signature", &signature, "--ss58", &coldkey]))
    };
    assert!(verify("hello nya").0, "the coldkey's signature verifies");
    assert!(!verify("hello nyb").0, "a changed message does not");

    let (ok, _, err) = run(nya()
        .args(wallet)
        .args([
            "wallet",
            "sign",
            "--message",
            "x",
            "--password-env",
            "NYA_TEST_PW",
        ])
        .env("NYA_TEST_PW", "the wrong password"));
    assert!(!ok);
    assert!(
        err.contains("coldkey") && err.to_lowercase().contains("password"),
        "{err}"
    );
    assert!(
        !err.contains("the wrong password"),
        "the password leaked: {err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn commitments_encode_then_decode_round_trips() {
    let repo = "miner-7/fineweb-cc-2020-34@0123456789abcdef0123456789abcdef01234567";
    let digest = "ab".repeat(32);
    let (ok, out, err) = run(nya()
        .args(["commitments", "encode", "--repo", repo])
        .args(["--digest", &digest, "--task", "t-42", "--json"]));
    assert!(ok, "{err}");
    let encoded = json(&out);
    assert_eq!(encoded["field0"], repo);
    assert_eq!(encoded["tag"], "nya1:refine:t-42");
    let scale = encoded["scale"].as_str().unwrap().to_owned();

    let (ok, out, err) = run(nya().args(["commitments", "decode", &scale, "--json"]));
    assert!(ok, "{err}");
    assert_eq!(json(&out), encoded);

    let (ok, _, err) = run(nya()
        .args(["commitments", "encode", "--repo", "bad repo@123"])
        .args(["--digest", &digest, "--task", "t"]));
    assert!(!ok);
    assert!(err.contains("--repo \"bad repo@123\""), "{err}");

    let (ok, _, err) = run(nya().args(["commitments", "decode", "0x0c99"]));
    assert!(!ok);
    assert!(err.starts_with("error: "), "{err}");
}

#[test]
fn demo_runs_and_its_dataset_verifies_with_manifest_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = run(nya().args(["demo", "--dir", dir.path().to_str().unwrap()]));
    assert!(ok, "{err}");
    assert!(out.contains("All steps checked"), "{out}");
    // The commitment names the revision the offline hub returned, and the validator-side fetch
    // of that revision is a verifiable copy of the dataset.
    let field0 = out
        .lines()
        .find_map(|line| line.trim().strip_prefix("field 0 "))
        .expect("field 0 printed");
    let (repo, revision) = field0.split_once('@').expect("owner/name@rev");
    assert_eq!(repo, "nya/refine-demo");
    assert!(revision.len() == 40 && revision.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(out.contains(&format!("at {field0}")), "{out}");
    let fetched = dir.path().join("hub/fetched");
    let (ok, _, err) = run(nya().args(["manifest", "verify", fetched.to_str().unwrap()]));
    assert!(ok, "{err}");

    let dataset = dir.path().join("dataset");
    let (ok, out, err) =
        run(nya().args(["manifest", "verify", dataset.to_str().unwrap(), "--json"]));
    assert!(ok, "{err}");
    assert_eq!(json(&out)["rows"], 3);

    std::fs::write(dataset.join("data/train-00000.jsonl"), "tampered\n").unwrap();
    let (ok, _, err) = run(nya().args(["manifest", "verify", dataset.to_str().unwrap()]));
    assert!(!ok);
    assert!(err.contains("train-00000.jsonl: size"), "{err}");
}
