#!/usr/bin/env bash
# Cross-check nya's wallets against bittensor-wallet, the Python library under btcli: each reads
# the wallets, keys and signatures of the other (see wallet.py for the checks).
#
#   bash scripts/xcheck/wallet.sh          from the repository root
#
# NYA_BIN: the nya binary (default: $CARGO_TARGET_DIR/debug/nya, else target/debug/nya).
# NYA_FIXTURES: the shared fixtures (default ../shared/fixtures); without them the demo-wallet
# check is skipped, unless NYA_REQUIRE_FIXTURES=1. NYA_CACHE: where the venv is cached.
set -euo pipefail
cd "$(dirname "$0")/../.."

BITTENSOR_WALLET_VERSION=4.1.1

# shellcheck source=scripts/xcheck/venv.sh
source scripts/xcheck/venv.sh
PYTHON=$(nya_venv bittensor-wallet "$BITTENSOR_WALLET_VERSION")

target_dir="${CARGO_TARGET_DIR:-target}"
[[ "$target_dir" == /* ]] || target_dir="$PWD/$target_dir"
NYA_BIN="${NYA_BIN:-$target_dir/debug/nya}"
if [[ ! -x "$NYA_BIN" ]]; then
  echo "wallet.sh: no nya binary at $NYA_BIN; build it (cargo build -p nya-neurons) or set NYA_BIN" >&2
  exit 2
fi

exec "$PYTHON" scripts/xcheck/wallet.py \
  --nya "$NYA_BIN" \
  --fixtures "${NYA_FIXTURES:-$PWD/../shared/fixtures}" \
  --expect-version "$BITTENSOR_WALLET_VERSION"
