"""Polars peer of `bench tpch`: the same queries as DuckDB's SQL built with Polars' lazy API
over `scan_parquet`, POLARS_MAX_THREADS = THREADS, each run a `.collect()`.

Polars 2 keeps a decimal product at the larger of its operands' scales (rounding), where SQL
adds them; products are cast to SQL's scale first so the sums equal DuckDB's to the digit.

Usage: python polars_tpch.py LINEITEM.parquet RUNS THREADS [--check] (see tpch_peer.py).
"""
import os
from datetime import date
from decimal import Decimal

from tpch_peer import base, bench, path, threads

os.environ["POLARS_MAX_THREADS"] = str(threads)  # read once, when polars is imported
import polars as pl  # noqa: E402

c = pl.col
lineitem, orders, customer = (pl.scan_parquet(p) for p in (path, f"{base}/orders.parquet", f"{base}/customer.parquet"))
disc_price = c("l_extendedprice").cast(pl.Decimal(38, 4)) * (1 - c("l_discount"))  # scale 2 + 2
charge = disc_price.cast(pl.Decimal(38, 6)) * (1 + c("l_tax"))  # scale 4 + 2
q1 = (
    lineitem.filter(c("l_shipdate") <= date(1998, 9, 2))
    .group_by("l_returnflag", "l_linestatus")
    .agg(
        c("l_quantity").sum(), c("l_extendedprice").sum(), disc_price.sum().alias("disc_price"), charge.sum().alias("charge"),
        c("l_quantity").mean().alias("avg_qty"), c("l_extendedprice").mean().alias("avg_price"),
        c("l_discount").mean().alias("avg_disc"), pl.len(),
    )
)
q3 = (
    customer.filter(c("c_mktsegment") == "BUILDING")
    .join(orders.filter(c("o_orderdate") < date(1995, 3, 15)), left_on="c_custkey", right_on="o_custkey")
    .join(lineitem.filter(c("l_shipdate") > date(1995, 3, 15)), left_on="o_orderkey", right_on="l_orderkey")
    .group_by(c("o_orderkey").alias("l_orderkey"), "o_orderdate", "o_shippriority")
    .agg(disc_price.sum().alias("revenue"))
    .select("l_orderkey", "revenue", "o_orderdate", "o_shippriority")
    .sort("revenue", "o_orderdate", descending=[True, False])
    .head(10)
)
q6 = lineitem.filter(
    c("l_shipdate") >= date(1994, 1, 1), c("l_shipdate") < date(1995, 1, 1),
    c("l_discount").is_between(Decimal("0.05"), Decimal("0.07")), c("l_quantity") < 24,
).select((c("l_extendedprice").cast(pl.Decimal(38, 4)) * c("l_discount")).sum())
bench({"q1": q1.collect, "q3": q3.collect, "q6": q6.collect}, lambda df: df.rows())
