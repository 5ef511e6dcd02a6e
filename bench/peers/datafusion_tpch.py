"""DataFusion peer of `bench tpch`: the same SQL as DuckDB's over the same Parquet files,
`target_partitions` = THREADS and a Tokio runtime of THREADS workers.

Usage: python datafusion_tpch.py LINEITEM.parquet RUNS THREADS [--check] (see tpch_peer.py).
"""
import os

from tpch_peer import SQL, arrow_rows, base, bench, path, threads

os.environ["TOKIO_WORKER_THREADS"] = str(threads)  # read when datafusion starts its runtime
import datafusion  # noqa: E402
import pyarrow as pa  # noqa: E402

ctx = datafusion.SessionContext(datafusion.SessionConfig().with_target_partitions(threads))
ctx.register_parquet("lineitem", path)
ctx.register_parquet("orders", f"{base}/orders.parquet")
ctx.register_parquet("customer", f"{base}/customer.parquet")
bench({name: lambda q=q: ctx.sql(q).collect() for name, q in SQL.items()}, lambda b: arrow_rows(pa.Table.from_batches(b)))
