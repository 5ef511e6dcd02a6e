"""DuckDB peer of `bench tpch`: TPC-H queries straight from the Parquet files.

Usage: python duckdb_tpch.py LINEITEM.parquet RUNS THREADS [--check] (see tpch_peer.py).
"""
import duckdb
from tpch_peer import SQL, arrow_rows, base, bench, path, threads

con = duckdb.connect()
con.execute(f"SET threads TO {threads}")
con.execute(f"CREATE VIEW lineitem AS SELECT * FROM read_parquet('{path}')")
con.execute(f"CREATE VIEW orders AS SELECT * FROM read_parquet('{base}/orders.parquet')")
con.execute(f"CREATE VIEW customer AS SELECT * FROM read_parquet('{base}/customer.parquet')")
bench({name: lambda q=q: con.execute(q).fetch_arrow_table() for name, q in SQL.items()}, arrow_rows)
