"""Cross-check nya's wallets against bittensor-wallet (the library under btcli).

Run through scripts/xcheck/wallet.sh, which provides the pinned venv and the nya binary. In a
fresh temporary wallet directory:

1. nya creates a wallet (encrypted coldkey, distinct hotkey) and restores an encrypted hotkey
   from a seed; bittensor-wallet loads each key (with the password where encrypted) and must
   see the same addresses.
2. bittensor-wallet creates a wallet (encrypted coldkey, distinct hotkey); nya shows it and signs
   with both keys (coldkey with the password), with the same addresses.
3. nya's signatures verify in Python (Keypair(ss58_address=...).verify) and Python's verify with
   `nya wallet verify`, for coldkey and hotkey; a changed message fails in both.
4. The demo wallet of the shared fixtures (written by bittensor-wallet 4.1.1) loads in both.

Prints one PASS/FAIL line per check and a summary; exits 1 if any check failed.
"""

import argparse
import json
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import bittensor_wallet
from bittensor_wallet import Keypair, Wallet

PASSWORD = "xcheck: correct horse battery staple"
PASSWORD_ENV = "NYA_XCHECK_WALLET_PASSWORD"
DEMO_PASSWORD = "correct horse battery"
DEMO_SS58 = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV"
SEED = "0x" + "5e" * 32
KEYFILE_FIELDS = {
    "secretPhrase", "secretSeed", "privateKey", "publicKey", "accountId", "ss58Address", "cryptoType"
}


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = []

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"PASS  {name}")
        else:
            self.failed.append(name)
            print(f"FAIL  {name}" + (f": {detail}" if detail else ""))

    def skip(self, name, why):
        print(f"SKIP  {name}: {why}")

    def run(self, name, function):
        """Runs a group of checks; an exception fails the group instead of the whole script."""
        try:
            function()
        except Exception as error:  # noqa: BLE001 - report any failure as a FAIL line
            self.failed.append(name)
            print(f"FAIL  {name}: {type(error).__name__}: {error}")


class Nya:
    def __init__(self, binary, root):
        self.binary = binary
        self.root = root
        self.env = dict(os.environ, **{PASSWORD_ENV: PASSWORD}, NYA_XCHECK="1")
        # Settings must come from the flags below, not the caller's environment.
        for variable in ("BT_WALLET_NAME", "BT_WALLET_HOTKEY", "BT_WALLET_PATH"):
            self.env.pop(variable, None)

    def run(self, wallet, hotkey, *args, root=None, password_env=None, stdin=None):
        command = [
            self.binary,
            "--wallet.path", str(root or self.root),
            "--wallet.name", wallet,
            "--wallet.hotkey", hotkey,
            "wallet", *args,
        ]
        env = dict(self.env)
        if password_env is not None:
            env[PASSWORD_ENV] = password_env
        return subprocess.run(command, input=stdin, capture_output=True, text=True, env=env, timeout=120)

    def json(self, wallet, hotkey, *args, **kwargs):
        result = self.run(wallet, hotkey, *args, "--json", **kwargs)
        if result.returncode != 0:
            raise RuntimeError(f"nya wallet {' '.join(args)} failed: {result.stderr.strip()}")
        return json.loads(result.stdout)


def read_json(path):
    return json.loads(Path(path).read_text())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nya", required=True, help="the nya binary")
    parser.add_argument("--fixtures", required=True, help="the shared fixtures directory")
    parser.add_argument("--expect-version", required=True, help="pinned bittensor-wallet version")
    args = parser.parse_args()

    checks = Checks()
    version = getattr(bittensor_wallet, "__version__", "unknown")
    print(f"bittensor-wallet {version}, nya at {args.nya}")
    checks.check("bittensor-wallet is the pinned version", version == args.expect_version, version)

    with tempfile.TemporaryDirectory(prefix="nya-xcheck-wallet-") as root:
        nya = Nya(args.nya, root)
        signatures = {}
        checks.run("nya-created wallet loads in Python", lambda: nya_creates(nya, root, checks, signatures))
        checks.run("Python-created wallet loads in nya", lambda: python_creates(nya, root, checks, signatures))
        checks.run("signatures cross-verify", lambda: cross_verify(nya, checks, signatures))
        checks.run("demo fixture wallet", lambda: demo_wallet(nya, Path(args.fixtures), checks))

    total = checks.passed + len(checks.failed)
    print()
    if checks.failed:
        print(f"wallet cross-check: FAIL ({len(checks.failed)} of {total} failed: {', '.join(checks.failed)})")
        return 1
    print(f"wallet cross-check: PASS ({total} checks, bittensor-wallet {version})")
    return 0


def nya_creates(nya, root, checks, signatures):
    created = nya.json("nyaw", "nyahk", "create", "--password-env", PASSWORD_ENV)
    cold, hot = created["coldkey"]["ss58"], created["hotkey"]["ss58"]
    checks.check("nya create: coldkey and hotkey differ", cold != hot)

    wallet = Wallet(name="nyaw", hotkey="nyahk", path=root)
    checks.check("Python sees nya's coldkey as encrypted", wallet.coldkey_file.is_encrypted())
    checks.check("Python sees nya's hotkey as unencrypted", not wallet.hotkey_file.is_encrypted())
    python_cold = wallet.get_coldkey(password=PASSWORD)
    checks.check("nya coldkey decrypts in Python, same ss58", python_cold.ss58_address == cold,
                 f"{python_cold.ss58_address} != {cold}")
    checks.check("nya coldkeypub.txt loads in Python", wallet.get_coldkeypub().ss58_address == cold)
    python_hot = wallet.get_hotkey()
    checks.check("nya hotkey loads in Python, same ss58", python_hot.ss58_address == hot,
                 f"{python_hot.ss58_address} != {hot}")
    checks.check("nya hotkey pub.txt loads in Python", wallet.get_hotkeypub().ss58_address == hot)
    # The mnemonic nya printed restores the same keys in Python.
    checks.check("nya's coldkey mnemonic gives the same key in Python",
                 Keypair.create_from_mnemonic(created["coldkey"]["mnemonic"]).ss58_address == cold)

    hotkey_file = Path(root, "nyaw", "hotkeys", "nyahk")
    fields = set(read_json(hotkey_file))
    checks.check("nya hotkey file has bittensor's fields", fields == KEYFILE_FIELDS, sorted(fields ^ KEYFILE_FIELDS))
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in Path(root, "nyaw").rglob("*") if p.is_file()}
    checks.check("nya key files are mode 0600", set(modes.values()) == {0o600}, modes)

    # An encrypted hotkey from a seed: no phrase in the file, password needed.
    restored = nya.json("nyaw", "seedhk", "regen-hotkey", "--seed", SEED, "--use-password",
                        "--password-env", PASSWORD_ENV)
    seeded = Wallet(name="nyaw", hotkey="seedhk", path=root)
    checks.check("nya encrypted seed hotkey is encrypted for Python", seeded.hotkey_file.is_encrypted())
    python_seeded = seeded.get_hotkey(password=PASSWORD)
    checks.check("nya encrypted seed hotkey decrypts in Python, same ss58",
                 python_seeded.ss58_address == restored["ss58"] == Keypair.create_from_seed(SEED).ss58_address)

    for key, flags in (("coldkey", ["--password-env", PASSWORD_ENV]), ("hotkey", ["--hotkey"])):
        signed = nya.json("nyaw", "nyahk", "sign", "--message", f"nya {key} says hi", *flags)
        signatures[f"nya-{key}"] = (signed["ss58"], f"nya {key} says hi", signed["signature"])


def python_creates(nya, root, checks, signatures):
    wallet = Wallet(name="pyw", hotkey="pyhk", path=root)
    wallet.create_new_coldkey(n_words=12, use_password=True, overwrite=False, suppress=True,
                              coldkey_password=PASSWORD)
    wallet.create_new_hotkey(n_words=24, use_password=False, overwrite=False, suppress=True)
    cold = wallet.get_coldkeypub().ss58_address
    hot = wallet.get_hotkey().ss58_address
    checks.check("Python create: coldkey and hotkey differ", cold != hot)

    shown = nya.json("pyw", "pyhk", "show")
    checks.check("nya show: Python coldkey ss58", shown["coldkey"]["ss58"] == cold, shown["coldkey"])
    checks.check("nya show: Python coldkey is encrypted", shown["coldkey"].get("encrypted") is True)
    checks.check("nya show: Python hotkey ss58", shown["hotkey"]["ss58"] == hot, shown["hotkey"])
    listed = nya.json("pyw", "pyhk", "list")
    names = {w["name"]: w for w in listed["wallets"]}
    checks.check("nya list: Python wallet and hotkey", names.get("pyw", {}).get("ss58") == cold
                 and [h["ss58"] for h in names["pyw"]["hotkeys"]] == [hot])

    signed = nya.json("pyw", "pyhk", "sign", "--message", "python coldkey, nya signer",
                      "--password-env", PASSWORD_ENV)
    checks.check("nya decrypts Python's coldkey (sign), same ss58", signed["ss58"] == cold, signed["ss58"])
    wrong = nya.run("pyw", "pyhk", "sign", "--message", "x", "--password-env", PASSWORD_ENV,
                    password_env="not the password")
    checks.check("nya refuses Python's coldkey with a wrong password",
                 wrong.returncode == 1 and "wrong password" in wrong.stderr and PASSWORD not in wrong.stderr,
                 wrong.stderr.strip())
    signatures["nya-on-python-coldkey"] = (cold, "python coldkey, nya signer", signed["signature"])
    piped = nya.run("pyw", "pyhk", "sign", "--message", "piped", "--password-stdin", "--json", stdin=PASSWORD + "\n")
    checks.check("nya reads the password from stdin (--password-stdin)",
                 piped.returncode == 0 and json.loads(piped.stdout)["ss58"] == cold, piped.stderr.strip())
    signed = nya.json("pyw", "pyhk", "sign", "--message", "python hotkey, nya signer", "--hotkey")
    checks.check("nya loads Python's hotkey (sign), same ss58", signed["ss58"] == hot, signed["ss58"])
    signatures["nya-on-python-hotkey"] = (hot, "python hotkey, nya signer", signed["signature"])

    for key, keypair in (("coldkey", wallet.get_coldkey(password=PASSWORD)), ("hotkey", wallet.get_hotkey())):
        message = f"python {key} says hi"
        signatures[f"python-{key}"] = (keypair.ss58_address, message, "0x" + keypair.sign(message.encode()).hex())


def cross_verify(nya, checks, signatures):
    for name, (ss58, message, signature) in sorted(signatures.items()):
        if name.startswith("nya"):
            verifier = Keypair(ss58_address=ss58)
            raw = bytes.fromhex(signature[2:])
            checks.check(f"{name} signature verifies in Python", verifier.verify(message.encode(), raw))
            checks.check(f"{name} signature fails in Python on another message",
                         not verifier.verify((message + "!").encode(), raw))
        else:
            good = nya.run("x", "x", "verify", "--message", message, "--signature", signature, "--ss58", ss58)
            checks.check(f"{name} signature verifies in nya (exit 0)", good.returncode == 0,
                         good.stdout.strip() + good.stderr.strip())
            bad = nya.run("x", "x", "verify", "--message", message + "!", "--signature", signature, "--ss58", ss58)
            checks.check(f"{name} signature fails in nya on another message (exit 1)",
                         bad.returncode == 1 and "INVALID" in bad.stdout, bad.stdout.strip())


def demo_wallet(nya, fixtures, checks):
    demo_root = fixtures / "wallet"
    if not (demo_root / "demo" / "coldkey").exists():
        if os.environ.get("NYA_REQUIRE_FIXTURES") == "1":
            checks.check("demo fixture present", False, f"{demo_root}/demo missing")
        else:
            checks.skip("demo fixture wallet", f"{demo_root}/demo not found (plain clone)")
        return
    wallet = Wallet(name="demo", hotkey="hk1", path=str(demo_root))
    checks.check("demo coldkey loads in Python", wallet.get_coldkey(password=DEMO_PASSWORD).ss58_address == DEMO_SS58)
    checks.check("demo hotkey loads in Python", wallet.get_hotkey().ss58_address == DEMO_SS58)
    shown = nya.json("demo", "hk1", "show", root=demo_root)
    checks.check("demo wallet shows in nya", shown["coldkey"]["ss58"] == DEMO_SS58 == shown["hotkey"]["ss58"], shown)
    signed = nya.json("demo", "hk1", "sign", "--message", "demo", "--password-env", PASSWORD_ENV,
                      root=demo_root, password_env=DEMO_PASSWORD)
    checks.check("demo coldkey decrypts in nya (sign)", signed["ss58"] == DEMO_SS58, signed["ss58"])
    checks.check("nya's demo signature verifies in Python",
                 Keypair(ss58_address=DEMO_SS58).verify(b"demo", bytes.fromhex(signed["signature"][2:])))


if __name__ == "__main__":
    sys.exit(main())
