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
  # trybuild links a ~200 MB binary per compile-pass case and run and never removes them:
  # drop those older than a day so the kept dir does not fill the disk (they are rebuilt).
  find "$CARGO_TARGET_DIR/tests/trybuild" -maxdepth 4 -type f -name 'trybuild[0-9]*' -mtime +1 -delete 2>/dev/null || true
fi
start=$(date +%s)
cargo fmt --all --check
cargo clippy --workspace --all-targets -q -- -D warnings
cargo test --workspace --no-fail-fast
echo "test.sh: done in $(( $(date +%s) - start )) s"
