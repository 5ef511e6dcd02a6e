//! Tumbling, sliding and session windows equal a naive reference on random inputs (null and
//! skewed keys, empty input, random morsel sizes), in batch runs and as streams: events in
//! random order with enough allowed disorder, and in order with none; no row is late then.

use proptest::prelude::*;
use sabot::prelude::*;
use sabot::source::memory;
use sabot::{Job, StreamOptions};
use std::collections::BTreeMap;

#[derive(Record, Debug, Clone, PartialEq)]
struct Ev {
    key: Option<u64>,
    v: i64,
    #[sabot(event_time, unit = "ms")]
    t: Timestamp,
}

#[derive(Record, Debug, Clone, PartialEq, PartialOrd)]
struct Agg {
    key: Option<u64>,
    #[sabot(unit = "ms")]
    start: Timestamp,
    #[sabot(unit = "ms")]
    end: Timestamp,
    n: u64,
    total: i64,
}

const MS: i64 = 1_000_000;

#[sabot::pipeline]
fn tumbling(evs: Stream<Ev>) -> Stream<Agg> {
    evs.window(Tumbling::of(Duration::from_millis(100))).group_by(|e| e.key).aggregate(|w, key, e| Agg {
        key,
        start: w.start,
        end: w.end,
        n: count(),
        total: sum(e.v),
    })
}

#[sabot::pipeline]
fn sliding(evs: Stream<Ev>) -> Stream<Agg> {
    evs.window(Sliding::of(Duration::from_millis(100), Duration::from_millis(25))).group_by(|e| e.key).aggregate(|w, key, e| Agg {
        key,
        start: w.start,
        end: w.end,
        n: count(),
        total: sum(e.v),
    })
}

#[sabot::pipeline]
fn sessions(evs: Stream<Ev>) -> Stream<Agg> {
    evs.window(Session::with_gap(Duration::from_millis(50))).group_by(|e| e.key).aggregate(|w, key, e| Agg {
        key,
        start: w.start,
        end: w.end,
        n: count(),
        total: sum(e.v),
    })
}

/// Windows by start and end (ms) per key, from each row's windows.
fn naive_fixed(evs: &[Ev], size: i64, slide: i64) -> Vec<Agg> {
    let mut m: BTreeMap<(Option<u64>, i64), (u64, i64)> = BTreeMap::new();
    for e in evs {
        let t = e.t.millis();
        let mut start = t.div_euclid(slide) * slide;
        while start > t - size {
            let g = m.entry((e.key, start)).or_default();
            g.0 += 1;
            g.1 += e.v;
            start -= slide;
        }
    }
    m.into_iter().map(|((key, s), (n, total))| agg(key, s, s + size, n, total)).collect()
}

/// Sessions: a key's rows at most `gap` apart, ending `gap` after the last.
fn naive_sessions(evs: &[Ev], gap: i64) -> Vec<Agg> {
    let mut by_key: BTreeMap<Option<u64>, Vec<(i64, i64)>> = BTreeMap::new();
    for e in evs {
        by_key.entry(e.key).or_default().push((e.t.millis(), e.v));
    }
    let mut out = Vec::new();
    for (key, mut rows) in by_key {
        rows.sort_unstable();
        let (mut first, mut last, mut n, mut total) = (rows[0].0, rows[0].0, 0u64, 0i64);
        for &(t, v) in &rows {
            if t > last + gap {
                out.push(agg(key, first, last + gap, n, total));
                (first, n, total) = (t, 0, 0);
            }
            last = t;
            n += 1;
            total += v;
        }
        out.push(agg(key, first, last + gap, n, total));
    }
    out
}

fn agg(key: Option<u64>, start: i64, end: i64, n: u64, total: i64) -> Agg {
    Agg { key, start: Timestamp(start * MS), end: Timestamp(end * MS), n, total }
}

fn ev() -> impl Strategy<Value = Ev> {
    // One key holds nine rows in ten; one in twenty is null.
    let key = prop_oneof![18 => Just(Some(0u64)), 1 => (1u64..6).prop_map(Some), 1 => Just(None)];
    (key, -50i64..50, 0i64..2000).prop_map(|(key, v, t)| Ev { key, v, t: Timestamp(t * MS) })
}

fn sorted(mut v: Vec<Agg>) -> Vec<Agg> {
    v.sort_by(|a, b| a.partial_cmp(b).expect("no floats"));
    v
}

/// The pipeline's rows, run as a batch and as two streams, each checked against `want`.
fn check(pipeline: impl sabot::Pipeline + Copy, evs: &[Ev], morsel: usize, want: Vec<Agg>) -> Result<(), TestCaseError> {
    let want = sorted(want);
    let batches = || Ev::to_batches(evs, morsel);
    let batch: Vec<Agg> = Job::new(pipeline).source("evs", memory(batches())).parallelism(2).collect().unwrap();
    prop_assert_eq!(sorted(batch), want.clone());
    // Random order: 2 s of allowed disorder covers every row.
    let stream = StreamOptions { out_of_orderness: Duration::from_secs(3), ..StreamOptions::default() };
    let (sink, out) = sabot::sink::collect();
    let summary = Job::new(pipeline).source("evs", memory(batches())).parallelism(2).streaming(stream).sink("out", sink).run().unwrap();
    prop_assert_eq!(summary.late, 0);
    let got: Vec<Agg> = out.lock().unwrap().iter().flat_map(|b| Agg::from_batch(b).unwrap()).collect();
    prop_assert_eq!(sorted(got), want.clone());
    // In event-time order on one reader, no disorder allowed: still nothing late.
    let mut in_order = evs.to_vec();
    in_order.sort_by_key(|e| e.t);
    let (sink, out) = sabot::sink::collect();
    let summary = Job::new(pipeline)
        .source("evs", memory(Ev::to_batches(&in_order, morsel)))
        .parallelism(1)
        .streaming(StreamOptions::default())
        .sink("out", sink)
        .run()
        .unwrap();
    prop_assert_eq!(summary.late, 0);
    let got: Vec<Agg> = out.lock().unwrap().iter().flat_map(|b| Agg::from_batch(b).unwrap()).collect();
    prop_assert_eq!(sorted(got), want);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn tumbling_windows(evs in prop::collection::vec(ev(), 0..300), morsel in 1usize..64) {
        check(tumbling, &evs, morsel, naive_fixed(&evs, 100, 100))?;
    }

    #[test]
    fn sliding_windows(evs in prop::collection::vec(ev(), 0..300), morsel in 1usize..64) {
        check(sliding, &evs, morsel, naive_fixed(&evs, 100, 25))?;
    }

    #[test]
    fn session_windows(evs in prop::collection::vec(ev(), 0..300), morsel in 1usize..64) {
        check(sessions, &evs, morsel, naive_sessions(&evs, 50))?;
    }
}

#[test]
fn a_session_ending_at_the_watermark_still_takes_rows() {
    // Gap 50 ms, one reader, no allowed disorder, one row per morsel: after the second row the
    // watermark is 50 ms, where key 1's session [0, 50) ends. A row of key 1 at 0 ms is still on
    // time (not behind the watermark), so it joins that session instead of being late.
    let at = |key: u64, ms: i64| Ev { key: Some(key), v: 1, t: Timestamp(ms * MS) };
    let evs = vec![at(1, 0), at(2, 50), at(1, 0)];
    let (sink, out) = sabot::sink::collect();
    let summary = Job::new(sessions)
        .source("evs", memory(Ev::to_batches(&evs, 1)))
        .parallelism(1)
        .streaming(StreamOptions::default())
        .sink("out", sink)
        .run()
        .unwrap();
    assert_eq!(summary.late, 0);
    let got: Vec<Agg> = out.lock().unwrap().iter().flat_map(|b| Agg::from_batch(b).unwrap()).collect();
    assert_eq!(sorted(got), sorted(vec![agg(Some(1), 0, 50, 2, 2), agg(Some(2), 50, 100, 1, 1)]));
}
