#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit, integration, property, trybuild and example
# tests. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# CI clones afresh each run: keep compiled dependencies in a target dir outside the clone.
if [ "${CI:-}" = "true" ] && [ -z "${CARGO_TARGET_DIR:-}" ]; then
  export CARGO_TARGET_DIR=/var/tmp/sabot-target
  mkdir -p "$CARGO_TARGET_DIR"
fi
start=$(date +%s)
cargo fmt --all --check
cargo clippy --workspace --all-targets -q -- -D warnings
cargo test --workspace --no-fail-fast
echo "test.sh: done in $(( $(date +%s) - start )) s"
