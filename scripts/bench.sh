#!/usr/bin/env bash
# Runs Sabot's benchmarks with their peers in the same run (docs/benchmarks.md).
# Installs the Python peers (duckdb, polars, datafusion, pyarrow; apache-flink in its own venv) under /tmp on first use.
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
"$BENCH" tpch --data "$TPCH" --runs 5 --rounds "${TPCH_ROUNDS:-5}" --threads "${THREADS:-2}" --python "$VENV/bin/python"
"$BENCH" spill --keys "${SPILL_KEYS:-10000000}" --limit "${SPILL_LIMIT:-48MiB}" --threads "${THREADS:-2}"
"$BENCH" build --runs 3
# Nexmark as streams against Flink 2.3 (PyFlink pins its own pyarrow: a venv of its own).
FLINK_VENV=${SABOT_FLINK_VENV:-/tmp/sabot-flink-venv}
if [ ! -x "$FLINK_VENV/bin/python" ] || ! "$FLINK_VENV/bin/python" -c "import pyflink" 2>/dev/null; then
  python3 -m venv "$FLINK_VENV"
  "$FLINK_VENV/bin/pip" install -q apache-flink==2.3.0
fi
"$BENCH" nexmark --events "${NEXMARK_EVENTS:-10000000}" --queries q0,q1,q2,q3,q4,q5,q7,q8,q11,q18,q20 --runs "${NEXMARK_RUNS:-1}" --threads "${THREADS:-2}" --python "$FLINK_VENV/bin/python"
"$BENCH" latency --rate 1000000 --seconds 40 --threads "${THREADS:-2}"
