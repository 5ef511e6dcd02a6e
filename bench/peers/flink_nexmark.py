"""The `bench nexmark` peer: Nexmark queries on Apache Flink (PyFlink's local mini-cluster,
Flink SQL, streaming mode) over the bid CSV files `bench nexmark` wrote, into a blackhole sink.

Usage: python flink_nexmark.py ROOT RUNS PARALLELISM WATERMARK_S QUERIES (ROOT holds persons/,
auctions/ and bids/)
-> one line per query: "name median_seconds" (wall time from submission to the job's end,
one untimed warm-up run first). Needs `pip install apache-flink==2.3.0` and Java 17. The SQL is
the Nexmark suite's (q5 and q7 join their window results back, keeping every tie).
"""
import statistics
import sys
import time

root, runs, parallelism, watermark_s, queries = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]

SQL = {
    "q0": "SELECT auction, bidder, price, date_time, extra FROM bid",
    "q1": "SELECT auction, bidder, 0.908 * price AS price, date_time, extra FROM bid",
    "q2": "SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0",
    "q3": """
SELECT P.name, P.city, P.state, A.id FROM auction AS A INNER JOIN person AS P ON A.seller = P.id
WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')""",
    "q4": """
SELECT Q.category, AVG(Q.final) FROM (
  SELECT MAX(B.price) AS final, A.category FROM auction A, bid B
  WHERE A.id = B.auction AND B.date_time BETWEEN A.date_time AND A.expires
  GROUP BY A.id, A.category) Q
GROUP BY Q.category""",
    "q5": """
SELECT AuctionBids.auction, AuctionBids.num FROM (
  SELECT auction, count(*) AS num, window_start AS starttime, window_end AS endtime
  FROM TABLE(HOP(TABLE bid, DESCRIPTOR(date_time), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
  GROUP BY auction, window_start, window_end) AS AuctionBids
JOIN (
  SELECT max(CountBids.num) AS maxn, CountBids.starttime, CountBids.endtime FROM (
    SELECT count(*) AS num, window_start AS starttime, window_end AS endtime
    FROM TABLE(HOP(TABLE bid, DESCRIPTOR(date_time), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
    GROUP BY auction, window_start, window_end) AS CountBids
  GROUP BY CountBids.starttime, CountBids.endtime) AS MaxBids
ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.endtime = MaxBids.endtime
   AND AuctionBids.num >= MaxBids.maxn""",
    "q7": """
SELECT B.auction, B.price, B.bidder, B.date_time, B.extra FROM bid B
JOIN (
  SELECT MAX(price) AS maxprice, window_end AS date_time
  FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(date_time), INTERVAL '10' SECOND))
  GROUP BY window_start, window_end) B1
ON B.price = B1.maxprice
WHERE B.date_time BETWEEN B1.date_time - INTERVAL '10' SECOND AND B1.date_time""",
    "q8": """
SELECT P.id, P.name, P.starttime FROM (
  SELECT id, name, window_start AS starttime, window_end AS endtime
  FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(date_time), INTERVAL '10' SECOND))
  GROUP BY id, name, window_start, window_end) P
JOIN (
  SELECT seller, window_start AS starttime, window_end AS endtime
  FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(date_time), INTERVAL '10' SECOND))
  GROUP BY seller, window_start, window_end) A
ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime""",
    "q18": """
SELECT auction, bidder, price, channel, url, date_time, extra FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY date_time DESC) AS rank_number FROM bid)
WHERE rank_number <= 1""",
    "q20": """
SELECT auction, bidder, price, channel, url, B.date_time AS bid_date_time, B.extra AS bid_extra, item_name, description,
  initial_bid, reserve, A.date_time AS auction_date_time, expires, seller, category, A.extra AS auction_extra
FROM bid AS B INNER JOIN auction AS A ON B.auction = A.id WHERE A.category = 10""",
    "q11": """
SELECT bidder, count(*) AS bid_count, window_start AS starttime, window_end AS endtime
FROM TABLE(SESSION(TABLE bid PARTITION BY bidder, DESCRIPTOR(date_time), INTERVAL '10' SECOND))
GROUP BY bidder, window_start, window_end""",
    "q17": """
SELECT auction, DATE_FORMAT(date_time, 'yyyy-MM-dd') AS `day`, count(*) AS total_bids,
  count(*) FILTER (WHERE price < 10000) AS rank1_bids,
  count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
  count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
  min(price) AS min_price, max(price) AS max_price, avg(price) AS avg_price, sum(price) AS sum_price
FROM bid GROUP BY auction, DATE_FORMAT(date_time, 'yyyy-MM-dd')""",
}

from pyflink.common import Configuration  # noqa: E402
from pyflink.table import EnvironmentSettings, TableDescriptor, TableEnvironment  # noqa: E402

conf = Configuration()
conf.set_string("parallelism.default", parallelism)
conf.set_string("pipeline.object-reuse", "true")
env = TableEnvironment.create(EnvironmentSettings.new_instance().with_configuration(conf).in_streaming_mode().build())
WM = f"WATERMARK FOR date_time AS date_time - INTERVAL '{watermark_s}' SECOND"
env.execute_sql(f"""
CREATE TABLE bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, date_time TIMESTAMP(3), extra STRING, {WM}
) WITH ('connector' = 'filesystem', 'path' = 'file://{root}/bids', 'format' = 'csv')""")
env.execute_sql(f"""
CREATE TABLE person (
  id BIGINT, name STRING, email_address STRING, credit_card STRING, city STRING, state STRING,
  date_time TIMESTAMP(3), extra STRING, {WM}
) WITH ('connector' = 'filesystem', 'path' = 'file://{root}/persons', 'format' = 'csv')""")
env.execute_sql(f"""
CREATE TABLE auction (
  id BIGINT, item_name STRING, description STRING, initial_bid BIGINT, reserve BIGINT, date_time TIMESTAMP(3),
  expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra STRING, {WM}
) WITH ('connector' = 'filesystem', 'path' = 'file://{root}/auctions', 'format' = 'csv')""")


def once(sql):
    t = time.perf_counter()
    env.sql_query(sql).execute_insert(TableDescriptor.for_connector("blackhole").build()).wait()
    return time.perf_counter() - t


for name in queries.split(","):
    if name not in SQL:
        print(f"{name} missing", flush=True)
        continue
    once(SQL[name])
    print(name, statistics.median(once(SQL[name]) for _ in range(runs)), flush=True)
