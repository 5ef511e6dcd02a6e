#!/usr/bin/env python3
"""DuckDB's answers to Nexmark q5, q7, q8 and q11 over events written by `nexmark_gen`.

    nexmark_gen --events 20000 --rate 100 --out /tmp/nx
    python scripts/nexmark_answers.py --bids /tmp/nx/bids.parquet --out examples/data/nexmark

writes q5.csv, q7.csv, q8.csv and q11.csv (times in epoch milliseconds), the answers
examples/tests/nexmark_windows.rs and nexmark_joins.rs compare Sabot's windows with. q8 reads
persons.parquet and auctions.parquet beside the bids. Same semantics as the pipelines in examples/src/nexmark.rs: q5 keeps,
per 10 s window sliding by 2 s, the auction with the most bids (smallest id among ties); q7 keeps,
per 10 s tumbling window, the highest bid (earliest, then smallest auction and bidder, among ties);
q11 counts each bidder's sessions (bids at most 10 s apart; a session ends 10 s after its last bid);
q8 lists the people who opened an auction in the 10 s tumbling window in which they registered.
With `--check DIR`, it then compares Sabot's outputs DIR/q5.csv, DIR/q7.csv, DIR/q8.csv and DIR/q11.csv
(written by `nexmark QUERY run --source bids=nexmark:bids:EVENTS --sink out=csv:DIR/QUERY.csv
--stream`, timestamps as `2024-01-01 00:00:10.120`) with the answers, row for row, and exits
with status 1 on a difference. Needs `pip install duckdb==1.5.5`.
"""
import argparse
import csv
import datetime
import os
import sys

import duckdb

Q5 = """
WITH b AS (SELECT auction, epoch_ms(date_time) AS t FROM read_parquet($bids)),
w AS (SELECT auction, (t // 2000) * 2000 - k * 2000 AS starttime FROM b, range(0, 5) r(k)),
c AS (SELECT auction, starttime, count(*) AS num FROM w GROUP BY ALL),
r AS (SELECT *, row_number() OVER (PARTITION BY starttime ORDER BY num DESC, auction) AS rn FROM c)
SELECT auction, num, starttime, starttime + 10000 AS endtime FROM r WHERE rn = 1 ORDER BY starttime
"""

Q7 = """
WITH b AS (SELECT auction, bidder, price, epoch_ms(date_time) AS t FROM read_parquet($bids)),
r AS (SELECT *, (t // 10000) * 10000 + 10000 AS window_end,
             row_number() OVER (PARTITION BY t // 10000 ORDER BY price DESC, t, auction, bidder) AS rn FROM b)
SELECT auction, bidder, price, t AS date_time, window_end FROM r WHERE rn = 1 ORDER BY window_end
"""


# Sessions are cut over each bidder's distinct bid times: with bids at equal times, `lag` and
# the running sum could otherwise order the tied rows differently and split one session.
Q11 = """
WITH b AS (SELECT bidder, epoch_ms(date_time) AS t FROM read_parquet($bids)),
d AS (SELECT DISTINCT bidder, t FROM b),
s AS (SELECT bidder, t, CASE WHEN t - lag(t) OVER (PARTITION BY bidder ORDER BY t) <= 10000 THEN 0 ELSE 1 END AS new FROM d),
g AS (SELECT bidder, t, sum(new) OVER (PARTITION BY bidder ORDER BY t ROWS UNBOUNDED PRECEDING) AS sid FROM s)
SELECT b.bidder, count(*) AS bid_count, min(b.t) AS starttime, max(b.t) + 10000 AS endtime
FROM b JOIN g ON b.bidder = g.bidder AND b.t = g.t GROUP BY b.bidder, g.sid ORDER BY b.bidder, starttime
"""

Q8 = """
WITH p AS (SELECT id, name, (epoch_ms(date_time) // 10000) * 10000 AS starttime FROM read_parquet($persons)),
a AS (SELECT DISTINCT seller, (epoch_ms(date_time) // 10000) * 10000 AS starttime FROM read_parquet($auctions))
SELECT p.id, p.name, p.starttime FROM p JOIN a ON p.id = a.seller AND p.starttime = a.starttime ORDER BY p.starttime, p.id
"""


COLUMNS = {
    "q5": ["auction", "num", "starttime", "endtime"],
    "q7": ["auction", "bidder", "price", "date_time", "window_end"],
    "q11": ["bidder", "bid_count", "starttime", "endtime"],
    "q8": ["id", "name", "starttime"],
}


def as_ms(value):
    """An integer, or a UTC timestamp as Sabot's CSV sink writes it, in epoch milliseconds."""
    if value.lstrip("-").isdigit():
        return int(value)
    try:
        t = datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return value  # text, such as a name
    return round(t.timestamp() * 1000)


def rows(path, cols):
    with open(path) as f:
        return sorted(tuple(as_ms(r[c]) for c in cols) for r in csv.DictReader(f))


def check(answers, outputs):
    same = True
    for name, cols in COLUMNS.items():
        want, got = rows(os.path.join(answers, f"{name}.csv"), cols), rows(os.path.join(outputs, f"{name}.csv"), cols)
        diff = next(((g, w) for g, w in zip(got, want) if g != w), None)
        ok = len(got) == len(want) and diff is None
        same = same and ok
        print(f"{name}: {len(got)} rows from Sabot, {len(want)} from DuckDB: {'equal' if ok else f'DIFFER, first {diff}'}")
    return same


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bids", required=True, help="bids.parquet written by nexmark_gen")
    p.add_argument("--out", required=True, help="directory for q5.csv, q7.csv, q8.csv and q11.csv")
    p.add_argument("--check", help="directory with Sabot's q5.csv, q7.csv, q8.csv and q11.csv to compare")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    con = duckdb.connect()
    here = os.path.dirname(args.bids)
    events = {"persons": os.path.join(here, "persons.parquet"), "auctions": os.path.join(here, "auctions.parquet")}
    for name, sql, params in [("q5", Q5, {"bids": args.bids}), ("q7", Q7, {"bids": args.bids}), ("q8", Q8, events), ("q11", Q11, {"bids": args.bids})]:
        rel = con.execute(sql, params)
        cols = [d[0] for d in rel.description]
        rows = rel.fetchall()
        path = os.path.join(args.out, f"{name}.csv")
        with open(path, "w") as f:
            f.write(",".join(cols) + "\n")
            for row in rows:
                f.write(",".join(str(v) for v in row) + "\n")
        print(f"{name}: {len(rows)} windows to {path}")
    if args.check and not check(args.out, args.check):
        sys.exit(1)


if __name__ == "__main__":
    main()
