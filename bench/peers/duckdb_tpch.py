"""DuckDB peer of `bench tpch`: TPC-H queries straight from a Parquet file.

Usage: python duckdb_tpch.py LINEITEM.parquet RUNS THREADS (orders.parquet and customer.parquet beside it) -> one line per query: "name median_seconds".
"""
import statistics
import sys
import time

import duckdb

path, runs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
con = duckdb.connect()
con.execute(f"SET threads TO {threads}")
con.execute(f"CREATE VIEW lineitem AS SELECT * FROM read_parquet('{path}')")
base = path.rsplit("/", 1)[0]
con.execute(f"CREATE VIEW orders AS SELECT * FROM read_parquet('{base}/orders.parquet')")
con.execute(f"CREATE VIEW customer AS SELECT * FROM read_parquet('{base}/customer.parquet')")
QUERIES = {
    "q1": """SELECT l_returnflag, l_linestatus, sum(l_quantity), sum(l_extendedprice),
               sum(l_extendedprice * (1 - l_discount)), sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)),
               avg(l_quantity), avg(l_extendedprice), avg(l_discount), count(*)
             FROM lineitem WHERE l_shipdate <= DATE '1998-09-02'
             GROUP BY l_returnflag, l_linestatus""",
    "q3": """SELECT l_orderkey, sum(l_extendedprice * (1 - l_discount)) AS revenue, o_orderdate, o_shippriority
             FROM customer, orders, lineitem
             WHERE c_mktsegment = 'BUILDING' AND c_custkey = o_custkey AND l_orderkey = o_orderkey
               AND o_orderdate < DATE '1995-03-15' AND l_shipdate > DATE '1995-03-15'
             GROUP BY l_orderkey, o_orderdate, o_shippriority
             ORDER BY revenue DESC, o_orderdate LIMIT 10""",
    "q6": """SELECT sum(l_extendedprice * l_discount) FROM lineitem
             WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01'
               AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24""",
}
for name, q in QUERIES.items():
    con.execute(q).fetch_arrow_table()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        con.execute(q).fetch_arrow_table()
        times.append(time.perf_counter() - t)
    print(f"{name} {statistics.median(times)}")
