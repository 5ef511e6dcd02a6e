"""DuckDB peer of `bench chain`: the same filter -> map -> filter over an in-memory table.

Usage: python duckdb_chain.py ROWS.parquet RUNS THREADS  -> prints "median_seconds rows".
"""
import statistics
import sys
import time

import duckdb

path, runs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
con = duckdb.connect()
con.execute(f"SET threads TO {threads}")
con.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{path}')")
q = """SELECT a, c * 2.0 + d AS x, b - 1 AS y FROM t
       WHERE a > 1000 AND c < 0.5 AND c * 2.0 + d > 0.3"""
n = con.execute(q).fetch_arrow_table().num_rows  # warm-up
times = []
for _ in range(runs):
    t = time.perf_counter()
    m = con.execute(q).fetch_arrow_table().num_rows
    times.append(time.perf_counter() - t)
    assert m == n
print(f"{statistics.median(times)} {n}")
