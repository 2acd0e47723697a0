#!/usr/bin/env bash
# Cross-check `nya localnet` against the Python bittensor SDK, a client nobody here wrote: nya
# sets up state on a fresh localnet, Python reads it back exactly and submits a transfer, a
# burned_register and a commitment of its own, and nya reads those back (see
# localnet_check.py for the checks).
#
#   bash scripts/xcheck/localnet.sh          from the repository root
#
# Steps, each on the same fresh chain (--manual-seal, a data dir in a temporary folder):
#   1. `nya localnet --port 0 --manual-seal --no-hub --json --data-dir D` prints one JSON line
#      with the endpoint (the text form's `endpoint ws://…` line is accepted too).
#   2. Seed: `localnet_xcheck seed --url URL --out EXPECT` (tests/examples/localnet_xcheck.rs,
#      subxt with nya's keys and runtime mirror) registers two miners, serves their axons,
#      stakes, commits and writes the expectation file localnet_check.py documents.
#   3. Python: localnet_check.py --url URL --expect EXPECT --report REPORT.
#   4. Read-back: `localnet_xcheck verify --url URL --report REPORT` checks with subxt what
#      Python did.
#
# NYA_BIN: the nya binary (default: $CARGO_TARGET_DIR/debug/nya, else target/debug/nya); the
# example is built into the same target dir. NYA_CACHE: where the venv is cached. Everything runs
# on loopback; PyPI is needed only the first time the venv is built. NYA_XCHECK_KEEP=1 keeps the
# temporary folder (logs, expect, report).
set -euo pipefail
cd "$(dirname "$0")/../.."

# bittensor 10.2.x is the SDK of finney spec 393's era: it knows add_stake_burn and the coldkey
# swap announcements (both in 393) and not register_limit (added after 393, used by 10.3's
# `register`). 10.2.1 is 10.2.0's code with async-substrate-interface bounded below 2.
BITTENSOR_VERSION=10.2.1
# Its key dependencies, pinned to what it resolves to: bittensor-wallet and scalecodec are exact
# pins of bittensor 10.2.1 itself, bt-decode an exact pin of async-substrate-interface 1.6.4
# (the last release below bittensor's bound of 2.0).
PINS=(
  bittensor-wallet==4.0.1
  async-substrate-interface==1.6.4
  bt-decode==0.8.0
  scalecodec==1.2.12
  websockets==17.4
  bittensor-drand==1.3.0
)
START_TIMEOUT_S=120

# shellcheck source=scripts/xcheck/venv.sh
source scripts/xcheck/venv.sh
PYTHON=$(nya_venv bittensor "$BITTENSOR_VERSION" "${PINS[@]}")

target_dir="${CARGO_TARGET_DIR:-target}"
[[ "$target_dir" == /* ]] || target_dir="$PWD/$target_dir"
NYA_BIN="${NYA_BIN:-$target_dir/debug/nya}"
if [[ ! -x "$NYA_BIN" ]]; then
  echo "localnet.sh: no nya binary at $NYA_BIN; build it (cargo build -p nya-neurons) or set NYA_BIN" >&2
  exit 2
fi
# nya's seed/verify side (tests/examples/localnet_xcheck.rs). Built here every time: a no-op when
# it is fresh, and `cargo test --all-targets` compiles examples only as test harnesses, so it
# would not leave this binary behind.
CARGO_TARGET_DIR="$target_dir" cargo build -q -p nya-e2e --example localnet_xcheck
XCHECK_BIN="$target_dir/debug/examples/localnet_xcheck"

work=$(mktemp -d "${TMPDIR:-/tmp}/nya-xcheck-localnet.XXXXXX")
localnet_pid=""
cleanup() {
  local status=$?
  if [[ -n "$localnet_pid" ]] && kill -0 "$localnet_pid" 2>/dev/null; then
    # Ctrl-C is how the localnet stops cleanly; a hard kill only if it does not.
    kill -INT "$localnet_pid" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$localnet_pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$localnet_pid" 2>/dev/null || true
    wait "$localnet_pid" 2>/dev/null || true
  fi
  if [[ $status -ne 0 && -s "$work/localnet.err" ]]; then
    echo "--- last lines of the localnet's stderr ($work/localnet.err):" >&2
    tail -n 30 "$work/localnet.err" >&2
  fi
  if [[ "${NYA_XCHECK_KEEP:-0}" == "1" || $status -ne 0 ]]; then
    echo "localnet.sh: kept $work" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT

# 1. Start the localnet and read its endpoint from the first line it prints.
"$NYA_BIN" localnet --port 0 --manual-seal --no-hub --json --data-dir "$work/chain" \
  >"$work/localnet.out" 2>"$work/localnet.err" &
localnet_pid=$!
for _ in $(seq $((START_TIMEOUT_S * 5))); do
  [[ -s "$work/localnet.out" ]] && break
  if ! kill -0 "$localnet_pid" 2>/dev/null; then
    echo "localnet.sh: nya localnet exited before printing its endpoint" >&2
    exit 1
  fi
  sleep 0.2
done
if [[ ! -s "$work/localnet.out" ]]; then
  echo "localnet.sh: nya localnet printed nothing in ${START_TIMEOUT_S}s" >&2
  exit 1
fi
url=$("$PYTHON" - "$work/localnet.out" <<'EOF'
import json, sys
line = open(sys.argv[1]).readline().strip()
if line.startswith("{"):
    print(json.loads(line)["endpoint"])
elif line.startswith("endpoint "):
    print(line.split()[1])
else:
    sys.exit(f"unexpected first line from nya localnet: {line!r}")
EOF
)
echo "localnet at $url (data dir $work/chain)"

# 2. Seed: nya sets up state and says what it set.
expect="$work/expect.json"
"$XCHECK_BIN" seed --url "$url" --out "$expect"

# 3. The Python SDK. Its failures are counted, and nya still reads back what it reported.
report="$work/report.json"
python_status=0
"$PYTHON" scripts/xcheck/localnet_check.py --url "$url" --expect "$expect" --report "$report" \
  --expect-version "$BITTENSOR_VERSION" || python_status=$?

# 4. nya reads back what Python did.
verify_status=0
if [[ -s "$report" ]]; then
  "$XCHECK_BIN" verify --url "$url" --report "$report" || verify_status=$?
else
  echo "localnet.sh: localnet_check.py wrote no report; nothing to read back" >&2
  verify_status=1
fi
if [[ $python_status -ne 0 || $verify_status -ne 0 ]]; then
  echo "localnet.sh: FAIL (python checks exit $python_status, nya read-back exit $verify_status)" >&2
  exit 1
fi
echo "localnet.sh: PASS"
