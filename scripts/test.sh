#!/usr/bin/env bash
# nya's whole test suite: formatting, lints, every Rust test, then the cross-checks against the
# real Python clients (each in its own pinned venv cached outside the clone).
#
#   bash scripts/test.sh              everything
#   NYA_SKIP_XCHECK=1 bash scripts/test.sh   Rust only (no PyPI needed)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo build (the nya binary the end-to-end tests and cross-checks drive)"
cargo build --locked -p nya-neurons --bin nya

step "cargo test"
cargo test --workspace --locked

if [[ "${NYA_SKIP_XCHECK:-0}" == "1" ]]; then
  step "cross-checks skipped (NYA_SKIP_XCHECK=1)"
  exit 0
fi

for check in scripts/xcheck/*.sh; do
  [[ "$(basename "$check")" == venv.sh ]] && continue
  step "cross-check: $check"
  bash "$check"
done
