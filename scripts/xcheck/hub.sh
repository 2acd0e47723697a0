#!/usr/bin/env bash
# Cross-check nya's Hub client and offline hub against huggingface_hub, the Hub's Python client:
# Python creates, uploads (with an LFS file), lists and downloads on `nya hub serve`; nya fetches
# what Python uploaded and Python downloads what nya published (see hub.py for the checks).
#
#   bash scripts/xcheck/hub.sh          from the repository root
#
# NYA_BIN: the nya binary (default: $CARGO_TARGET_DIR/debug/nya, else target/debug/nya).
# NYA_CACHE: where the venv is cached. Everything runs on loopback; PyPI is needed only the first
# time the venv is built.
set -euo pipefail
cd "$(dirname "$0")/../.."

HUGGINGFACE_HUB_VERSION=2.4.0

# shellcheck source=scripts/xcheck/venv.sh
source scripts/xcheck/venv.sh
PYTHON=$(nya_venv huggingface_hub "$HUGGINGFACE_HUB_VERSION")

target_dir="${CARGO_TARGET_DIR:-target}"
[[ "$target_dir" == /* ]] || target_dir="$PWD/$target_dir"
NYA_BIN="${NYA_BIN:-$target_dir/debug/nya}"
if [[ ! -x "$NYA_BIN" ]]; then
  echo "hub.sh: no nya binary at $NYA_BIN; build it (cargo build -p nya-neurons) or set NYA_BIN" >&2
  exit 2
fi

exec "$PYTHON" scripts/xcheck/hub.py --nya "$NYA_BIN" --expect-version "$HUGGINGFACE_HUB_VERSION"
