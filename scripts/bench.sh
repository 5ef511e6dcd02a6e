#!/usr/bin/env bash
# Runs Sabot's benchmarks with their peers in the same run (docs/benchmarks.md).
# Installs the Python peers (duckdb, polars, datafusion, pyarrow) into a venv under /tmp on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
VENV=${SABOT_BENCH_VENV:-/tmp/sabot-bench-venv}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import duckdb, pyarrow, polars, datafusion" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q duckdb==1.5.5 duckdb-extension-tpch==1.5.5 pyarrow polars==2.1.0 datafusion==55.0.0
fi
TPCH=${TPCH_DIR:-/tmp/tpch-sf1}
[ -f "$TPCH/lineitem.parquet" ] && [ -f "$TPCH/orders.parquet" ] && [ -f "$TPCH/customer.parquet" ] ||
  "$VENV/bin/python" scripts/tpch_data.py --sf 1 --out "$TPCH" --tables lineitem,orders,customer
cargo build --release -q -p sabot-bench
BENCH=${CARGO_TARGET_DIR:-target}/release/bench
"$BENCH" chain --rows "${ROWS:-20000000}" --runs 5 --threads "${THREADS:-2}" --python "$VENV/bin/python"
"$BENCH" tpch --data "$TPCH" --runs 5 --threads "${THREADS:-2}" --python "$VENV/bin/python"
"$BENCH" spill --keys "${SPILL_KEYS:-10000000}" --limit "${SPILL_LIMIT:-48MiB}" --threads "${THREADS:-2}"
"$BENCH" build --runs 3
