"""What the `bench tpch` peers share: their command line, the queries as SQL (DuckDB and
DataFusion run this text as is; Polars builds the same plans) and the timing loop.

Usage of a peer: python PEER_tpch.py LINEITEM.parquet RUNS THREADS [--check]
(orders.parquet and customer.parquet beside it) -> one line per query: "name median_seconds";
with --check, each query's rows instead (groups sorted when the query has no ORDER BY), to
compare the engines' answers by hand.
"""
import statistics
import sys
import time

path, runs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
base = path.rsplit("/", 1)[0]
SQL = {
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


def arrow_rows(table):
    """A pyarrow Table's rows as tuples."""
    return [tuple(r.values()) for r in table.to_pylist()]


def bench(queries, rows):
    """Times each `queries[name]()` (one warm-up, then the median of RUNS runs, each
    materialising the whole result); `rows(result)` turns a result into tuples for --check."""
    for name, run in queries.items():
        result = run()  # warm-up
        if "--check" in sys.argv:
            got = rows(result)
            print(f"{name} rows={len(got)}")
            for r in got if "ORDER BY" in SQL[name] else sorted(got):
                print("  " + ", ".join(str(v) for v in r))
            continue
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            run()
            times.append(time.perf_counter() - t)
        print(f"{name} {statistics.median(times)}")
