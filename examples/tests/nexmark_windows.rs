//! Nexmark q5 and q7 (event-time windows), batch and streaming: equal to a naive computation
//! over the same generated bids and to DuckDB's answers committed for the same events
//! (`scripts/nexmark_answers.py`); late records are counted exactly.

use arrow::array::AsArray;
use arrow::datatypes::UInt64Type;
use sabot::nexmark::{Bid, NexmarkConfig, nexmark};
use sabot::prelude::*;
use sabot::{Job, StreamOptions};
use sabot_examples::nexmark::{Q5Row, Q7Row, Q11Row, Q17Row, q0, q5, q7, q11, q17};
use std::cmp::Reverse;
use std::collections::BTreeMap;

/// 20 000 events at 100 per second: 200 s of event time, 20 tumbling and ~100 sliding windows.
fn config(out_of_order: u64) -> NexmarkConfig {
    NexmarkConfig { events: 20_000, rate: Some(100), out_of_order_group_size: out_of_order, ..NexmarkConfig::default() }
}

const SEC: i64 = 1_000_000_000;

fn bids(cfg: &NexmarkConfig) -> Vec<Bid> {
    Job::new(q0).source("bids", nexmark(cfg.clone()).bids()).parallelism(1).collect().unwrap()
}

fn naive_q7(bids: &[Bid]) -> Vec<Q7Row> {
    let mut best: BTreeMap<i64, &Bid> = BTreeMap::new();
    let rank = |b: &Bid| (b.price, Reverse(b.date_time), Reverse(b.auction), Reverse(b.bidder));
    for b in bids {
        let start = b.date_time.0.div_euclid(10 * SEC) * 10 * SEC;
        let e = best.entry(start).or_insert(b);
        if rank(b) > rank(e) {
            *e = b;
        }
    }
    best.into_iter()
        .map(|(start, b)| Q7Row {
            auction: b.auction,
            bidder: b.bidder,
            price: b.price,
            date_time: b.date_time,
            window_end: Timestamp(start + 10 * SEC),
        })
        .collect()
}

fn naive_q5(bids: &[Bid]) -> Vec<Q5Row> {
    let mut counts: BTreeMap<(i64, u64), u64> = BTreeMap::new();
    for b in bids {
        let last = b.date_time.0.div_euclid(2 * SEC) * 2 * SEC;
        for k in 0..5 {
            *counts.entry((last - k * 2 * SEC, b.auction)).or_default() += 1;
        }
    }
    let mut best: BTreeMap<i64, (u64, Reverse<u64>)> = BTreeMap::new();
    for ((start, auction), num) in counts {
        let e = best.entry(start).or_insert((num, Reverse(auction)));
        *e = (*e).max((num, Reverse(auction)));
    }
    best.into_iter()
        .map(|(start, (num, Reverse(auction)))| Q5Row { auction, num, starttime: Timestamp(start), endtime: Timestamp(start + 10 * SEC) })
        .collect()
}

/// Each bidder's sessions: bids at most 10 s apart, ending 10 s after the last.
fn naive_q11(bids: &[Bid]) -> Vec<Q11Row> {
    let mut by_bidder: BTreeMap<u64, Vec<i64>> = BTreeMap::new();
    for b in bids {
        by_bidder.entry(b.bidder).or_default().push(b.date_time.0);
    }
    let mut out = Vec::new();
    for (bidder, mut times) in by_bidder {
        times.sort_unstable();
        let mut start = 0;
        for i in 1..=times.len() {
            if i == times.len() || times[i] - times[i - 1] > 10 * SEC {
                let (first, last) = (times[start], times[i - 1]);
                out.push(Q11Row {
                    bidder,
                    bid_count: (i - start) as u64,
                    starttime: Timestamp(first),
                    endtime: Timestamp(last + 10 * SEC),
                });
                start = i;
            }
        }
    }
    out
}

fn sorted_q11(mut rows: Vec<Q11Row>) -> Vec<Q11Row> {
    rows.sort_by_key(|r| (r.bidder, r.starttime));
    rows
}

fn sorted_q5(mut rows: Vec<Q5Row>) -> Vec<Q5Row> {
    rows.sort_by_key(|r| r.starttime);
    rows
}

fn sorted_q7(mut rows: Vec<Q7Row>) -> Vec<Q7Row> {
    rows.sort_by_key(|r| r.window_end);
    rows
}

/// Rows of a committed DuckDB answer: comma-separated integers, times in epoch milliseconds.
fn answer(name: &str) -> Vec<Vec<i64>> {
    let path = format!("{}/data/nexmark/{name}.csv", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines().skip(1).map(|l| l.split(',').map(|v| v.parse().unwrap()).collect()).collect()
}

#[test]
fn q7_batch_equals_naive_and_duckdb() {
    let cfg = config(1);
    let got = sorted_q7(Job::new(q7).source("bids", nexmark(cfg.clone()).bids()).parallelism(2).collect().unwrap());
    let want = naive_q7(&bids(&cfg));
    assert_eq!(want.len(), 20);
    assert_eq!(got, want);
    let duck: Vec<Vec<i64>> =
        got.iter().map(|r| vec![r.auction as i64, r.bidder as i64, r.price as i64, r.date_time.millis(), r.window_end.millis()]).collect();
    assert_eq!(duck, answer("q7"));
}

#[test]
fn q5_batch_equals_naive_and_duckdb() {
    let cfg = config(1);
    let got = sorted_q5(Job::new(q5).source("bids", nexmark(cfg.clone()).bids()).parallelism(2).collect().unwrap());
    let want = naive_q5(&bids(&cfg));
    assert!(want.len() >= 100, "{} windows", want.len());
    assert_eq!(got, want);
    let duck: Vec<Vec<i64>> = got.iter().map(|r| vec![r.auction as i64, r.num as i64, r.starttime.millis(), r.endtime.millis()]).collect();
    assert_eq!(duck, answer("q5"));
}

#[test]
fn q11_sessions_equal_naive_and_duckdb_in_batch_and_stream() {
    let cfg = config(1);
    let batch = sorted_q11(Job::new(q11).source("bids", nexmark(cfg.clone()).bids()).parallelism(2).batch_rows(1000).collect().unwrap());
    let want = naive_q11(&bids(&cfg));
    assert!(want.len() > 1000 && want.iter().any(|r| r.bid_count > 10), "{} sessions", want.len());
    assert_eq!(batch, want);
    let duck: Vec<Vec<i64>> =
        batch.iter().map(|r| vec![r.bidder as i64, r.bid_count as i64, r.starttime.millis(), r.endtime.millis()]).collect();
    assert_eq!(duck, answer("q11"));
    for (p, rows) in [(1, 65_536), (2, 1000)] {
        let stream: Vec<Q11Row> = Job::new(q11)
            .source("bids", nexmark(cfg.clone()).bids())
            .parallelism(p)
            .batch_rows(rows)
            .streaming(StreamOptions::default())
            .collect()
            .unwrap();
        assert_eq!(sorted_q11(stream), want, "{p} readers");
    }
}

#[test]
fn q17_daily_statistics_equal_naive_in_batch_and_stream() {
    // Half a million events at 5 per second: 100 000 s, so the bids span the first day and the next.
    let cfg = NexmarkConfig { events: 500_000, rate: Some(5), ..NexmarkConfig::default() };
    let mut naive: BTreeMap<(u64, i64), Vec<u64>> = BTreeMap::new();
    for b in bids(&cfg) {
        naive.entry((b.auction, b.date_time.0.div_euclid(86_400 * SEC) * 86_400 * SEC)).or_default().push(b.price);
    }
    let want: Vec<Q17Row> = naive
        .into_iter()
        .map(|((auction, day), p)| Q17Row {
            auction,
            day: Timestamp(day),
            total_bids: p.len() as u64,
            rank1_bids: p.iter().filter(|&&x| x < 10_000).count() as u64,
            rank2_bids: p.iter().filter(|&&x| (10_000..1_000_000).contains(&x)).count() as u64,
            rank3_bids: p.iter().filter(|&&x| x >= 1_000_000).count() as u64,
            min_price: *p.iter().min().unwrap(),
            max_price: *p.iter().max().unwrap(),
            avg_price: p.iter().sum::<u64>() as f64 / p.len() as f64,
            sum_price: p.iter().sum(),
        })
        .collect();
    assert!(want.iter().any(|r| r.day.0 > want[0].day.0), "two days");
    let sorted = |mut v: Vec<Q17Row>| {
        v.sort_by_key(|r| (r.auction, r.day));
        v
    };
    let close = |got: Vec<Q17Row>| {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(
                (g.auction, g.day, g.total_bids, g.rank1_bids, g.rank2_bids, g.rank3_bids),
                (w.auction, w.day, w.total_bids, w.rank1_bids, w.rank2_bids, w.rank3_bids)
            );
            assert_eq!((g.min_price, g.max_price, g.sum_price), (w.min_price, w.max_price, w.sum_price));
            assert!((g.avg_price - w.avg_price).abs() <= 1e-9 * w.avg_price, "{} vs {}", g.avg_price, w.avg_price);
        }
    };
    close(sorted(Job::new(q17).source("bids", nexmark(cfg.clone()).bids()).parallelism(2).collect().unwrap()));
    close(sorted(Job::new(q17).source("bids", nexmark(cfg).bids()).parallelism(2).streaming(StreamOptions::default()).collect().unwrap()));
}

#[test]
fn q13_looks_a_stream_up_in_a_bounded_side_input() {
    use sabot_examples::nexmark::{Q13Row, SideInput, q13};
    // Values for every other key: bids of other auctions have no match (inner join).
    let side: Vec<SideInput> = (0..10_000).step_by(2).map(|key| SideInput { key, value: format!("v{key}") }).collect();
    let cfg = config(1);
    let want: Vec<Q13Row> = bids(&cfg)
        .into_iter()
        .filter(|b| (b.auction % 10_000) % 2 == 0)
        .map(|b| Q13Row {
            auction: b.auction,
            bidder: b.bidder,
            price: b.price,
            date_time: b.date_time,
            value: format!("v{}", b.auction % 10_000),
        })
        .collect();
    assert!(!want.is_empty());
    let key = |r: &Q13Row| (r.date_time, r.auction, r.bidder, r.price);
    for streaming in [false, true] {
        let job =
            Job::new(q13).source("bids", nexmark(cfg.clone()).bids()).source("side", sabot::source::memory(side.clone())).parallelism(2);
        let job = if streaming { job.streaming(StreamOptions::default()) } else { job };
        let mut got: Vec<Q13Row> = job.collect().unwrap();
        got.sort_by_key(key);
        let mut want = want.clone();
        want.sort_by_key(key);
        assert_eq!(got, want, "streaming: {streaming}");
    }
}

#[test]
fn q3_joins_auctions_with_their_sellers_in_batch_and_stream() {
    use sabot::nexmark::{Auction, Person};
    use sabot_examples::nexmark::{Q3Row, all_auctions, all_persons, q3};
    let cfg = NexmarkConfig { events: 200_000, ..NexmarkConfig::default() };
    let persons: Vec<Person> = Job::new(all_persons).source("persons", nexmark(cfg.clone()).persons()).collect().unwrap();
    let auctions: Vec<Auction> = Job::new(all_auctions).source("auctions", nexmark(cfg.clone()).auctions()).collect().unwrap();
    let sellers: BTreeMap<u64, &Person> =
        persons.iter().filter(|p| ["OR", "ID", "CA"].contains(&p.state.as_str())).map(|p| (p.id, p)).collect();
    let mut want: Vec<Q3Row> = auctions
        .iter()
        .filter(|a| a.category == 10)
        .filter_map(|a| {
            sellers.get(&a.seller).map(|p| Q3Row { name: p.name.clone(), city: p.city.clone(), state: p.state.clone(), id: a.id })
        })
        .collect();
    want.sort_by_key(|r| r.id);
    assert!(want.len() > 10, "{} rows", want.len());
    for streaming in [false, true] {
        let events = nexmark(cfg.clone());
        let job = Job::new(q3).source("auctions", events.auctions()).source("persons", events.persons()).parallelism(2);
        let job = if streaming { job.streaming(StreamOptions::default()) } else { job };
        let mut got: Vec<Q3Row> = job.collect().unwrap();
        got.sort_by_key(|r| r.id);
        assert_eq!(got, want, "streaming: {streaming}");
    }
}

#[test]
fn streaming_runs_equal_batch_runs() {
    let cfg = config(1);
    let stream = || StreamOptions::default();
    let batch7 = sorted_q7(Job::new(q7).source("bids", nexmark(cfg.clone()).bids()).collect().unwrap());
    let batch5 = sorted_q5(Job::new(q5).source("bids", nexmark(cfg.clone()).bids()).collect().unwrap());
    for (p, rows) in [(1, 65_536), (2, 1000)] {
        let s7: Vec<Q7Row> =
            Job::new(q7).source("bids", nexmark(cfg.clone()).bids()).parallelism(p).batch_rows(rows).streaming(stream()).collect().unwrap();
        let s5: Vec<Q5Row> =
            Job::new(q5).source("bids", nexmark(cfg.clone()).bids()).parallelism(p).batch_rows(rows).streaming(stream()).collect().unwrap();
        assert_eq!(sorted_q7(s7), batch7, "q7, {p} readers");
        assert_eq!(sorted_q5(s5), batch5, "q5, {p} readers");
    }
}

#[test]
fn streaming_fires_windows_in_event_time_order() {
    // One reader, in-order events: each window fires as soon as the watermark passes it, so
    // the results leave in window order without sorting.
    let cfg = config(1);
    let rows: Vec<Q7Row> = Job::new(q7)
        .source("bids", nexmark(cfg.clone()).bids().split_events(1000))
        .parallelism(1)
        .streaming(StreamOptions::default())
        .collect()
        .unwrap();
    assert_eq!(rows, naive_q7(&bids(&cfg)));
}

#[test]
fn out_of_order_events_within_the_bound_are_not_late() {
    // Groups of 1100 events (11 s at 100 events/s) delivered permuted; 11 s of allowed disorder.
    let cfg = config(1100);
    let stream = StreamOptions { out_of_orderness: Duration::from_secs(11), ..StreamOptions::default() };
    let (sink, rows) = sabot::sink::collect();
    let summary =
        Job::new(q7).source("bids", nexmark(cfg.clone()).bids()).parallelism(2).streaming(stream).sink("out", sink).run().unwrap();
    assert_eq!(summary.late, 0);
    let got: Vec<Q7Row> = rows.lock().unwrap().iter().flat_map(|b| Q7Row::from_batch(b).unwrap()).collect();
    assert_eq!(sorted_q7(got), naive_q7(&bids(&cfg)));
}

#[test]
fn late_records_are_counted_exactly_and_change_no_result() {
    // One reader, watermark = the latest event time seen (no allowed disorder): a bid whose
    // windows all ended at or before the watermark of the morsels before it is late.
    let cfg = config(1100);
    let all = bids(&cfg);
    // Groups of 11 s straddle window ends. Splits of one group (1100 events: 1012 bids), read
    // in morsels of 50 rows.
    let morsels: Vec<&[Bid]> = all.chunks(1012).flat_map(|split| split.chunks(50)).collect();
    let (mut late7, mut late5) = (Vec::new(), 0u64);
    let mut on_time7 = Vec::new();
    let mut wm: Option<i64> = None;
    for m in &morsels {
        for b in *m {
            let end7 = b.date_time.0.div_euclid(10 * SEC) * 10 * SEC + 10 * SEC;
            let last5 = b.date_time.0.div_euclid(2 * SEC) * 2 * SEC + 10 * SEC;
            if wm.is_some_and(|w| end7 <= w) {
                late7.push(b.clone());
            } else {
                on_time7.push(b.clone());
            }
            late5 += u64::from(wm.is_some_and(|w| last5 <= w));
        }
        let max = m.iter().map(|b| b.date_time.0).max().unwrap();
        wm = Some(wm.map_or(max, |w| w.max(max)));
    }
    assert!(!late7.is_empty() && late5 > 0, "the permuted groups make some bids late");
    let source = || nexmark(cfg.clone()).bids().split_events(1100);
    let (sink, rows) = sabot::sink::collect();
    let (late_sink, late_rows) = sabot::sink::collect();
    let summary = Job::new(q7)
        .source("bids", source())
        .parallelism(1)
        .batch_rows(50)
        .streaming(StreamOptions::default())
        .sink("out", sink)
        .late_sink(late_sink)
        .run()
        .unwrap();
    assert_eq!(summary.late, late7.len() as u64);
    // The late rows themselves, in arrival order, with the columns q7 reads.
    let late_batches = late_rows.lock().unwrap();
    let names: Vec<String> = late_batches[0].schema().fields().iter().map(|f| f.name().clone()).collect();
    assert_eq!(names, ["auction", "bidder", "price", "date_time"]);
    let column = |name: &str| -> Vec<u64> {
        late_batches.iter().flat_map(|b| b.column_by_name(name).unwrap().as_primitive::<UInt64Type>().values().to_vec()).collect()
    };
    assert_eq!(column("auction"), late7.iter().map(|b| b.auction).collect::<Vec<_>>());
    assert_eq!(column("price"), late7.iter().map(|b| b.price).collect::<Vec<_>>());
    let got: Vec<Q7Row> = rows.lock().unwrap().iter().flat_map(|b| Q7Row::from_batch(b).unwrap()).collect();
    assert_eq!(sorted_q7(got), naive_q7(&on_time7));
    let (sink, _) = sabot::sink::collect();
    let summary = Job::new(q5)
        .source("bids", source())
        .parallelism(1)
        .batch_rows(50)
        .streaming(StreamOptions::default())
        .sink("out", sink)
        .run()
        .unwrap();
    assert_eq!(summary.late, late5);
}

#[test]
fn explain_shows_the_windows_and_the_event_time_column() {
    let text = sabot::explain_text(sabot::Pipeline::spec(&q5), true, false);
    assert!(text.contains("source bids: Bid columns=[@event_time, auction]"), "{text}");
    assert!(text.contains("aggregate <- n0 window=Q5_WINDOW key=|b| b.auction"), "{text}");
    assert!(text.contains("window=Q5_REGROUP"), "{text}");
    // Only the auction and the event time are decoded.
    assert_eq!(sabot::Pipeline::spec(&q5).sources[0].columns(), ["auction", "date_time"]);
}

#[test]
fn the_nexmark_binary_runs_q7_as_a_stream() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("q7.csv");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_nexmark"))
        .args(["q7", "run", "--source", "bids=nexmark:bids:20000", "--sink", &format!("out=csv:{}", out.display()), "--stream", "-p", "2"])
        .args(["--out-of-orderness", "1s"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("0 late records"), "{stderr}");
    // 20 000 events at 10 000 per second: 2 s of event time, one 10 s window.
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    let bad =
        std::process::Command::new(env!("CARGO_BIN_EXE_nexmark")).args(["q7", "run", "--source", "bids=nexmark:bidz:10"]).output().unwrap();
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("kinds: persons, auctions, bids"));
}

#[test]
fn a_stream_writes_rolled_part_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bids");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_nexmark"))
        .args(["q0", "run", "--source", "bids=nexmark:bids:20000", "--sink", &format!("out=parquet:{}", out.display())])
        .args(["--stream", "-p", "2", "--batch-rows", "1000", "--roll-rows", "5000"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let parts = std::fs::read_dir(&out).unwrap().filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("part-")).count();
    // 18 400 bids in morsels of about 1000 rows, closed once a part holds 5000: four parts.
    assert_eq!(parts, 4);
    let mut back: Vec<Bid> = Job::new(q0).source("bids", sabot::source::parquet(out.to_string_lossy())).collect().unwrap();
    let mut want = bids(&NexmarkConfig { events: 20_000, ..NexmarkConfig::default() });
    let key = |b: &Bid| (b.date_time, b.auction, b.bidder, b.price);
    back.sort_by_key(key);
    want.sort_by_key(key);
    assert_eq!(back, want);
}
