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

# Lints run inside the real build: clippy-driver stands in for rustc on the workspace's own crates
# (what `cargo clippy` does, minus its check-only mode), so the dependencies are compiled once. A
# separate `cargo clippy` type-checks every dependency a second time: 13 of a cold run's 37
# minutes on 2 cores. Warnings are errors, on every target (`--all-targets`).
if command -v rustup >/dev/null; then
  RUSTC_WORKSPACE_WRAPPER=$(rustup which clippy-driver)
else
  RUSTC_WORKSPACE_WRAPPER=$(command -v clippy-driver)
fi
export RUSTC_WORKSPACE_WRAPPER
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

step "cargo build + clippy (the nya binary the end-to-end tests and cross-checks drive)"
cargo build --locked -p nya-neurons --bin nya

step "cargo test + clippy (all targets, warnings are errors)"
cargo test --workspace --all-targets --locked

if [[ "${NYA_SKIP_XCHECK:-0}" == "1" ]]; then
  step "cross-checks skipped (NYA_SKIP_XCHECK=1)"
  exit 0
fi

for check in scripts/xcheck/*.sh; do
  [[ "$(basename "$check")" == venv.sh ]] && continue
  step "cross-check: $check"
  bash "$check"
done
