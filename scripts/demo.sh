#!/usr/bin/env bash
# The main demo: builds the quickstart job in release mode and runs it on generated data
# with the embedded default (in-process, all cores).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# `cargo run` finds the binary wherever the target dir is (CARGO_TARGET_DIR included).
exec cargo run --release -q -p sabot-quickstart -- "$@"
