"""Cross-check `nya localnet` against the Python bittensor SDK, a client nobody here wrote.

Run through scripts/xcheck/localnet.sh, which starts the localnet (--manual-seal), lets nya set
up state and write the expectations, and provides the pinned venv. Against the running chain:

1. The SDK connects (it reads V14 metadata, V15 through Metadata_metadata_at_version, the
   runtime version) and sees spec 393.
2. Blocks: `dev_produceBlocks [3]` moves `get_current_block()` by exactly 3; the new head is
   finalized; an older block's hash is unchanged (archive).
3. What nya set, read back exactly: the metagraph of the netuid (uids, hotkeys, coldkeys,
   stake, axons) through `metagraph()`, `get_metagraph_info()` and `neurons_lite()`;
   `get_commitment()` for every uid and `get_all_commitments()` equal to the strings nya
   committed (the SDK returns "" on errors, so both sides are compared exactly); balances.
4. The SDK's own transactions, each checked on the chain at the block that included it:
   a transfer from //Alice to a new key (amount + fee leave Alice, amount arrives); a commitment
   by that key while unregistered, which the chain refuses with AccountNotAllowedCommit; a
   transfer from an unfunded key, refused before inclusion ("Inability to pay some fees");
   `burned_register` of the new key as a hotkey of //Alice on the netuid (burn + fee leave
   Alice, the next uid, a neuron with both keys); a commitment by the now registered hotkey,
   read back by `get_commitment`/`get_all_commitments` with its block.
5. Writes what it did as JSON (--report) so nya can read it back.

Under --manual-seal a submitted extrinsic waits for a block, and the SDK blocks until it is
finalized, so a helper thread asks for one block at a time on its own connection while a
submission is in flight.

The expectation file (--expect), written by nya:
    {"netuid": 1,
     "neurons": [{"uid": 0, "hotkey": SS58, "coldkey": SS58,
                  "stake_rao": INT (optional; total stake as metagraph.S shows it),
                  "axon": {"ip": "1.2.3.4", "port": INT, "ip_type": 4, "protocol": INT,
                           "version": INT} or null (never served)}],
     "commitments": {HOTKEY_SS58: "text of field 0", ...}   (every hotkey with a commitment),
     "balances": {SS58: free rao, ...}                       (optional)}

The report (--report, and one `REPORT {json}` line on stdout) that nya reads back; a section is
missing when its step failed:
    {"url", "netuid", "sdk": {distribution: version},
     "blocks": {"before", "after"},
     "transfer": {"from", "to", "amount_rao", "fee_rao", "fee_estimate_rao", "block",
                  "block_hash", "extrinsic_hash"},
     "refused_commitment": {"hotkey", "netuid", "data", "error", "block", "fee_rao"},
     "refused_transfer": {"from", "to", "amount_rao", "error"},
     "register": {"netuid", "coldkey", "hotkey", "uid", "burn_rao", "fee_rao", "block",
                  "block_hash"},
     "commitment": {"netuid", "hotkey", "uid", "data", "block"}}
(balances change by exactly amount + fee / burn + fee in "block"; `CommitmentOf(netuid,
hotkey)` holds `data` as field 0 `Raw` with that block; nothing for the refused ones.)

Prints one PASS/FAIL line per check and a summary; exits 1 if any check failed.
"""

import argparse
import hashlib
import json
import sys
import tempfile
import threading
import traceback
from importlib.metadata import version as dist_version

NEW_KEY_URI = "//NyaXcheck//hotkey"
EMPTY_KEY_URI = "//NyaXcheck//empty"
TRANSFER_RAO = 5_000_000_000  # 5 TAO: pays for the key's own commitments.
PUMP_INTERVAL_S = 0.2


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = []

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"PASS  {name}", flush=True)
        else:
            self.failed.append(name)
            print(f"FAIL  {name}" + (f": {detail}" if detail else ""), flush=True)
        return condition

    def equal(self, name, got, want):
        return self.check(name, got == want, f"got {got!r}, want {want!r}")

    def run(self, name, function):
        """Runs a group of checks; an exception fails the group instead of the whole script."""
        try:
            return function()
        except Exception as error:  # noqa: BLE001 - report any failure as a FAIL line
            self.failed.append(name)
            print(f"FAIL  {name}: {type(error).__name__}: {error}", flush=True)
            traceback.print_exc(file=sys.stderr)
            return None


class BlockPump:
    """Asks the localnet for one block every PUMP_INTERVAL_S on a connection of its own, while
    a submission waits for inclusion and finality (the SDK call blocks the main thread)."""

    def __init__(self, url):
        self.url = url
        self.stop = threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self._pump, daemon=True)

    def _pump(self):
        from websockets.sync.client import connect

        try:
            with connect(self.url, max_size=None) as ws:
                request_id = 0
                while not self.stop.wait(PUMP_INTERVAL_S):
                    request_id += 1
                    ws.send(json.dumps({"jsonrpc": "2.0", "id": request_id,
                                        "method": "dev_produceBlocks", "params": [1]}))
                    reply = json.loads(ws.recv(timeout=30))
                    if "error" in reply:
                        raise RuntimeError(f"dev_produceBlocks: {reply['error']}")
        except Exception as error:  # noqa: BLE001 - surfaced by __exit__
            self.error = error

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=35)
        if self.error is not None and exc[0] is None:
            raise RuntimeError(f"block pump failed: {self.error}")
        return False


def make_wallet(root, name, coldkey_uri, hotkey_uri):
    from bittensor_wallet import Wallet

    wallet = Wallet(name=name, hotkey="default", path=root)
    wallet.create_coldkey_from_uri(coldkey_uri, use_password=False, overwrite=True, suppress=True)
    wallet.create_hotkey_from_uri(hotkey_uri, use_password=False, overwrite=True, suppress=True)
    return wallet


def expected_axon(neuron):
    """The axon fields as the SDK's AxonInfo shows them; an unserved axon reads as zeros."""
    axon = neuron.get("axon")
    if axon is None:
        return {"ip": "0.0.0.0", "port": 0, "ip_type": 0, "protocol": 0, "version": 0}
    return {k: axon[k] for k in ("ip", "port", "ip_type", "protocol", "version")}


def axon_fields(axon):
    return {"ip": str(axon.ip), "port": int(axon.port), "ip_type": int(axon.ip_type),
            "protocol": int(axon.protocol), "version": int(axon.version)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="the localnet's ws:// endpoint")
    parser.add_argument("--expect", required=True, help="expectations nya wrote (JSON)")
    parser.add_argument("--report", help="write what this script did here (JSON)")
    parser.add_argument("--expect-version", required=True, help="the pinned bittensor version")
    args = parser.parse_args()

    with open(args.expect) as f:
        expect = json.load(f)
    netuid = int(expect["netuid"])
    neurons = sorted(expect["neurons"], key=lambda n: n["uid"])
    commitments = dict(expect.get("commitments", {}))

    import bittensor
    import numpy as np
    from bittensor import Balance, Subtensor
    from bittensor_wallet import Keypair

    checks = Checks()
    report = {"url": args.url, "netuid": netuid,
              "sdk": {name: dist_version(name) for name in (
                  "bittensor", "bittensor-wallet", "async-substrate-interface", "bt-decode",
                  "scalecodec", "websockets")}}
    checks.equal("bittensor version", bittensor.__version__, args.expect_version)

    sub = Subtensor(network=args.url)
    substrate = sub.substrate
    checks.equal("runtime spec_version", substrate.runtime.runtime_version, 393)
    checks.equal("runtime transaction_version", substrate.runtime.transaction_version, 1)
    checks.check("V15 metadata loaded", substrate.runtime.metadata_v15 is not None)

    # --- 2. blocks
    def blocks():
        before = sub.get_current_block()
        before_hash = sub.get_block_hash(before)
        reply = substrate.rpc_request("dev_produceBlocks", [3])
        checks.check("dev_produceBlocks answers", "result" in reply, str(reply))
        after = sub.get_current_block()
        checks.equal("get_current_block after dev_produceBlocks [3]", after, before + 3)
        head = substrate.get_chain_head()
        checks.equal("get_block_hash(head) is chain_getHead", sub.get_block_hash(after), head)
        checks.equal("the head is finalized", substrate.get_chain_finalised_head(), head)
        checks.equal("an older block keeps its hash", substrate.rpc_request(
            "chain_getBlockHash", [before])["result"], before_hash)
        report["blocks"] = {"before": before, "after": after}

    checks.run("blocks", blocks)

    # --- 3. what nya set
    def metagraph():
        mg = sub.metagraph(netuid)
        n = len(neurons)
        checks.equal("metagraph n", int(mg.n), n)
        checks.equal("metagraph uids", [int(u) for u in mg.uids], [x["uid"] for x in neurons])
        checks.equal("metagraph hotkeys", list(mg.hotkeys), [x["hotkey"] for x in neurons])
        checks.equal("metagraph coldkeys", list(mg.coldkeys), [x["coldkey"] for x in neurons])
        checks.equal("metagraph axons", [axon_fields(a) for a in mg.axons],
                     [expected_axon(x) for x in neurons])
        checks.equal("metagraph axon hotkeys", [a.hotkey for a in mg.axons],
                     [x["hotkey"] for x in neurons])
        if all("stake_rao" in x for x in neurons):
            want = [np.float32(Balance.from_rao(x["stake_rao"]).tao) for x in neurons]
            checks.equal("metagraph S (total stake)", [np.float32(s) for s in mg.S], want)

        info = sub.get_metagraph_info(netuid)
        checks.check("get_metagraph_info is not None", info is not None)
        if info is not None:
            checks.equal("metagraph info num_uids", info.num_uids, n)
            checks.equal("metagraph info hotkeys", info.hotkeys, [x["hotkey"] for x in neurons])
            checks.equal("metagraph info coldkeys", info.coldkeys,
                         [x["coldkey"] for x in neurons])
            if all("stake_rao" in x for x in neurons):
                checks.equal("metagraph info total_stake (rao)",
                             [b.rao for b in info.total_stake], [x["stake_rao"] for x in neurons])

        lite = sub.neurons_lite(netuid)
        checks.equal("neurons_lite uids", [x.uid for x in lite], [x["uid"] for x in neurons])
        checks.equal("neurons_lite hotkeys", [x.hotkey for x in lite],
                     [x["hotkey"] for x in neurons])
        checks.equal("neurons_lite coldkeys", [x.coldkey for x in lite],
                     [x["coldkey"] for x in neurons])
        checks.equal("neurons_lite axons", [axon_fields(x.axon_info) for x in lite],
                     [expected_axon(x) for x in neurons])
        for x in neurons:
            neuron = sub.get_neuron_for_pubkey_and_subnet(x["hotkey"], netuid)
            checks.equal(f"get_neuron_for_pubkey_and_subnet uid {x['uid']}",
                         (neuron.uid, neuron.hotkey, neuron.coldkey),
                         (x["uid"], x["hotkey"], x["coldkey"]))
            checks.check(f"is_hotkey_registered uid {x['uid']}",
                         sub.is_hotkey_registered(x["hotkey"], netuid))

    checks.run("metagraph", metagraph)

    def commitments_read():
        for x in neurons:
            checks.equal(f"get_commitment uid {x['uid']}", sub.get_commitment(netuid, x["uid"]),
                         commitments.get(x["hotkey"], ""))
        checks.equal("get_all_commitments", sub.get_all_commitments(netuid), commitments)

    checks.run("commitments nya set", commitments_read)

    def balances():
        for address, rao in sorted(expect.get("balances", {}).items()):
            checks.equal(f"get_balance {address}", sub.get_balance(address).rao, int(rao))

    checks.run("balances", balances)

    # --- 4. the SDK's own transactions
    wallets_dir = tempfile.TemporaryDirectory(prefix="nya-xcheck-wallets-")
    wallets = wallets_dir.name
    new_key = Keypair.create_from_uri(NEW_KEY_URI)
    alice = make_wallet(wallets, "alice", "//Alice", NEW_KEY_URI)
    newcomer = make_wallet(wallets, "newcomer", NEW_KEY_URI, NEW_KEY_URI)
    empty = make_wallet(wallets, "empty", EMPTY_KEY_URI, EMPTY_KEY_URI)
    alice_ss58 = alice.coldkeypub.ss58_address
    new_ss58 = new_key.ss58_address

    def inclusion(response):
        receipt = response.extrinsic_receipt
        return substrate.get_block_number(receipt.block_hash), receipt

    def balance_at(address, block):
        return sub.get_balance(address, block=block).rao

    def transfer():
        checks.equal("the new key starts empty", sub.get_balance(new_ss58).rao, 0)
        fee_estimate = sub.get_transfer_fee(alice, new_ss58, Balance.from_rao(TRANSFER_RAO))
        with BlockPump(args.url):
            response = sub.transfer(alice, new_ss58, Balance.from_rao(TRANSFER_RAO),
                                    mev_protection=False, wait_for_inclusion=True,
                                    wait_for_finalization=True)
        if not checks.check("transfer succeeds", response.success, response.message):
            return
        block, receipt = inclusion(response)
        fee = receipt.total_fee_amount
        checks.check("transfer fee is charged (TransactionFeePaid)", fee > 0, str(fee))
        checks.equal("Alice pays amount + fee in the including block",
                     balance_at(alice_ss58, block - 1) - balance_at(alice_ss58, block),
                     TRANSFER_RAO + fee)
        checks.equal("the new key receives the amount",
                     balance_at(new_ss58, block) - balance_at(new_ss58, block - 1), TRANSFER_RAO)
        report["transfer"] = {"from": alice_ss58, "to": new_ss58, "amount_rao": TRANSFER_RAO,
                              "fee_rao": fee, "fee_estimate_rao": fee_estimate.rao,
                              "block": block, "block_hash": receipt.block_hash,
                              "extrinsic_hash": receipt.extrinsic_hash}

    checks.run("transfer", transfer)

    def failed_extrinsics_of(signer, first, last):
        """(block, fee, dispatch_error) of each failed extrinsic `signer` paid for in
        blocks first..=last, from the SDK's own event decoding."""
        found = []
        for number in range(first, last + 1):
            by_index = {}
            for event in substrate.get_events(sub.get_block_hash(number)):
                by_index.setdefault(event["extrinsic_idx"], []).append(event["event"])
            for events in by_index.values():
                paid = [e["attributes"]["actual_fee"] for e in events
                        if (e["module_id"], e["event_id"]) == ("TransactionPayment",
                                                               "TransactionFeePaid")
                        and e["attributes"]["who"] == signer]
                failed = [e["attributes"]["dispatch_error"] for e in events
                          if (e["module_id"], e["event_id"]) == ("System", "ExtrinsicFailed")]
                if paid and failed:
                    found.append((number, paid[0], failed[0]))
        return found

    def refused_commitment():
        data = "unregistered-hotkey"
        first = sub.get_current_block() + 1
        with BlockPump(args.url):
            response = sub.set_commitment(newcomer, netuid, data, mev_protection=False)
        last = sub.get_current_block()
        checks.check("a commitment by an unregistered hotkey fails", not response.success)
        checks.check("... with Commitments.AccountNotAllowedCommit",
                     "AccountNotAllowedCommit" in str(response.message), response.message)
        checks.check("... and writes nothing", new_ss58 not in sub.get_all_commitments(netuid))
        failures = failed_extrinsics_of(new_ss58, first, last)
        if not checks.equal("... in exactly one included, failed extrinsic", len(failures), 1):
            return
        block, fee, error = failures[0]
        # Commitments is pallet 18; AccountNotAllowedCommit is its error 1.
        checks.equal("... whose DispatchError is Module { index: 18, error: [1, 0, 0, 0] }",
                     error, {"Module": {"index": 18, "error": "0x01000000"}})
        checks.equal("... while its fee is still charged",
                     balance_at(new_ss58, block - 1) - balance_at(new_ss58, block), fee)
        report["refused_commitment"] = {"hotkey": new_ss58, "netuid": netuid, "data": data,
                                        "error": "AccountNotAllowedCommit", "block": block,
                                        "fee_rao": fee}

    checks.run("refused commitment", refused_commitment)

    def refused_transfer():
        # Through sign_and_send_extrinsic: sub.transfer would refuse it before submitting.
        call = substrate.compose_call("Balances", "transfer_keep_alive",
                                      {"dest": alice_ss58, "value": 1_000})
        with BlockPump(args.url):  # only matters if the chain wrongly accepts it
            response = sub.sign_and_send_extrinsic(call=call, wallet=empty,
                                                   wait_for_inclusion=True,
                                                   wait_for_finalization=True)
        checks.check("a transfer from an unfunded key is refused", not response.success)
        checks.check("... as InvalidTransaction::Payment",
                     "Inability to pay some fees (e.g. account balance too low)"
                     in str(response.message), response.message)
        report["refused_transfer"] = {"from": empty.coldkeypub.ss58_address, "to": alice_ss58,
                                      "amount_rao": 1_000, "error": str(response.message)}

    checks.run("refused transfer", refused_transfer)

    def register():
        n_before = len(sub.metagraph(netuid).hotkeys)
        with BlockPump(args.url):
            response = sub.burned_register(alice, netuid, mev_protection=False)
        if not checks.check("burned_register succeeds", response.success, response.message):
            return
        block, receipt = inclusion(response)
        fee = receipt.total_fee_amount
        burn_before = sub.recycle(netuid, block=block - 1).rao
        burn_at = sub.recycle(netuid, block=block).rao
        paid = balance_at(alice_ss58, block - 1) - balance_at(alice_ss58, block)
        checks.check("Alice pays the burn + fee", paid - fee in (burn_before, burn_at),
                     f"paid {paid} = fee {fee} + {paid - fee}; Burn was {burn_before} "
                     f"(block {block - 1}) / {burn_at} (block {block})")
        uid = sub.get_uid_for_hotkey_on_subnet(new_ss58, netuid)
        checks.equal("the new hotkey gets the next uid", uid, n_before)
        checks.check("is_hotkey_registered", sub.is_hotkey_registered(new_ss58, netuid))
        neuron = sub.get_neuron_for_pubkey_and_subnet(new_ss58, netuid)
        checks.equal("get_neuron_for_pubkey_and_subnet of the new hotkey",
                     (neuron.uid, neuron.hotkey, neuron.coldkey), (uid, new_ss58, alice_ss58))
        mg = sub.metagraph(netuid)
        checks.equal("the metagraph grows by one", len(mg.hotkeys), n_before + 1)
        if uid is not None and uid < len(mg.hotkeys):
            checks.equal("metagraph hotkey of the new uid", mg.hotkeys[uid], new_ss58)
            checks.equal("metagraph coldkey of the new uid", mg.coldkeys[uid], alice_ss58)
        report["register"] = {"netuid": netuid, "coldkey": alice_ss58, "hotkey": new_ss58,
                              "uid": uid, "burn_rao": paid - fee, "fee_rao": fee,
                              "block": block, "block_hash": receipt.block_hash}
        return uid

    uid = checks.run("burned_register", register)

    def commit():
        digest = hashlib.sha1(f"bittensor {bittensor.__version__}".encode()).hexdigest()
        data = f"sdk-xcheck/bittensor-{bittensor.__version__}@{digest}"
        with BlockPump(args.url):
            response = sub.set_commitment(newcomer, netuid, data, mev_protection=False)
        if not checks.check("set_commitment by the registered hotkey succeeds",
                            response.success, response.message):
            return
        block, _ = inclusion(response)
        checks.equal("get_commitment of the new uid", sub.get_commitment(netuid, uid), data)
        metadata = sub.get_commitment_metadata(netuid, new_ss58)
        checks.equal("the commitment records its block", int(metadata["block"]), block)
        checks.equal("get_all_commitments has it beside nya's",
                     sub.get_all_commitments(netuid), {**commitments, new_ss58: data})
        report["commitment"] = {"netuid": netuid, "hotkey": new_ss58, "uid": uid, "data": data,
                                "block": block}

    if uid is not None:
        checks.run("set_commitment", commit)

    sub.close()
    wallets_dir.cleanup()
    if args.report:
        with open(args.report, "w") as f:
            json.dump(report, f, indent=2, sort_keys=True)
    print("REPORT " + json.dumps(report, sort_keys=True))
    total = checks.passed + len(checks.failed)
    print(f"\n{checks.passed}/{total} checks passed")
    if checks.failed:
        print("failed: " + ", ".join(checks.failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
