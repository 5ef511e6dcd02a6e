//! Window triggers: `.window(Global::new()).trigger(CountTrigger::of(n))` gives each key's
//! rows in input order in groups of exactly `n` (the rest at the end of input), with tumbling
//! windows a count trigger splits each window, a custom `Trigger` fires running results, and a
//! processing-time trigger fires running results while a stream runs; against naive
//! computations in batch runs (random morsels and workers) and as streams.

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

#[derive(Record, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Agg {
    key: Option<u64>,
    #[sabot(unit = "ns")]
    end: Timestamp,
    n: u64,
    total: i64,
}

#[sabot::pipeline]
fn threes(evs: Stream<Ev>) -> Stream<Agg> {
    evs.window(Global::new()).trigger(CountTrigger::of(3)).group_by(|e| e.key).aggregate(|w, key, e| Agg {
        key,
        end: w.end,
        n: count(),
        total: sum(e.v),
    })
}

#[sabot::pipeline]
fn windowed_pairs(evs: Stream<Ev>) -> Stream<Agg> {
    evs.window(Tumbling::of(Duration::from_millis(100))).trigger(CountTrigger::of(2)).group_by(|e| e.key).aggregate(|w, key, e| Agg {
        key,
        end: w.end,
        n: count(),
        total: sum(e.v),
    })
}

/// Fires (keeping state) after every second row, and fires and purges at the window's end.
struct EveryOther;

impl Trigger for EveryOther {
    fn on_row(&mut self, _: Window, count: u64) -> TriggerAction {
        if count.is_multiple_of(2) { TriggerAction::Fire } else { TriggerAction::Continue }
    }
}

#[sabot::pipeline]
fn running(evs: Stream<Ev>) -> Stream<Agg> {
    evs.window(Global::new()).trigger(EveryOther).group_by(|e| e.key).aggregate(|w, key, e| Agg {
        key,
        end: w.end,
        n: count(),
        total: sum(e.v),
    })
}

#[sabot::pipeline]
fn ticking(evs: Stream<Ev>) -> Stream<Agg> {
    evs.window(Global::new())
        .trigger(ProcessingTimeTrigger::every(Duration::from_millis(1)))
        .group_by(|e| e.key)
        .aggregate(|w, key, e| Agg { key, end: w.end, n: count(), total: sum(e.v) })
}

const END: Timestamp = Timestamp(i64::MAX);

/// Per key (and window), rows in input order cut after every `n`; the rest at the end.
fn naive_counts(evs: &[Ev], n: u64, window_ms: Option<i64>) -> Vec<Agg> {
    let mut open: BTreeMap<(Option<u64>, Timestamp), (u64, i64)> = BTreeMap::new();
    let mut out = Vec::new();
    for e in evs {
        let end = window_ms.map_or(END, |w| Timestamp((e.t.millis().div_euclid(w) * w + w) * 1_000_000));
        let g = open.entry((e.key, end)).or_default();
        g.0 += 1;
        g.1 += e.v;
        if g.0 == n {
            out.push(Agg { key: e.key, end, n, total: g.1 });
            open.remove(&(e.key, end));
        }
    }
    out.extend(open.into_iter().map(|((key, end), (n, total))| Agg { key, end, n, total }));
    out.sort();
    out
}

/// Running results after every second row of a key, and the total at the end when rows came
/// after the last of those (an unchanged result is not emitted twice).
fn naive_running(evs: &[Ev]) -> Vec<Agg> {
    let mut per: BTreeMap<Option<u64>, (u64, i64)> = BTreeMap::new();
    let mut out = Vec::new();
    for e in evs {
        let g = per.entry(e.key).or_default();
        g.0 += 1;
        g.1 += e.v;
        if g.0.is_multiple_of(2) {
            out.push(Agg { key: e.key, end: END, n: g.0, total: g.1 });
        }
    }
    out.extend(per.into_iter().filter(|(_, (n, _))| n % 2 == 1).map(|(key, (n, total))| Agg { key, end: END, n, total }));
    out.sort();
    out
}

fn ev() -> impl Strategy<Value = Ev> {
    // One key holds nine rows in ten; a few are null.
    let key = prop_oneof![18 => Just(Some(0u64)), 1 => (1u64..4).prop_map(Some), 1 => Just(None)];
    (key, -50i64..50, 0i64..1000).prop_map(|(key, v, t)| Ev { key, v, t: Timestamp(t * 1_000_000) })
}

fn run(pipeline: impl sabot::Pipeline, evs: &[Ev], morsel: usize, workers: usize, stream: bool) -> Vec<Agg> {
    let job = Job::new(pipeline).source("evs", memory(Ev::to_batches(evs, morsel))).parallelism(workers);
    let job = if stream { job.streaming(StreamOptions::default()) } else { job };
    let mut got: Vec<Agg> = job.collect().unwrap();
    got.sort();
    got
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn count_trigger_cuts_each_key_every_n_rows(evs in prop::collection::vec(ev(), 0..200), morsel in 1usize..30, workers in 1usize..3) {
        let want = naive_counts(&evs, 3, None);
        prop_assert_eq!(run(threes, &evs, morsel, workers, false), want.clone());
        // One reader keeps each key's input order as a stream.
        prop_assert_eq!(run(threes, &evs, morsel, 1, true), want);
    }

    #[test]
    fn count_trigger_splits_tumbling_windows(evs in prop::collection::vec(ev(), 0..200), morsel in 1usize..30, workers in 1usize..3) {
        let want = naive_counts(&evs, 2, Some(100));
        prop_assert_eq!(run(windowed_pairs, &evs, morsel, workers, false), want.clone());
        // In event-time order as a stream: windows also fire (and purge) at the watermark.
        let mut sorted = evs.clone();
        sorted.sort_by_key(|e| e.t);
        prop_assert_eq!(run(windowed_pairs, &sorted, morsel, 1, true), naive_counts(&sorted, 2, Some(100)));
    }

    #[test]
    fn a_custom_trigger_fires_running_results(evs in prop::collection::vec(ev(), 0..200), morsel in 1usize..30, workers in 1usize..3) {
        let want = naive_running(&evs);
        prop_assert_eq!(run(running, &evs, morsel, workers, false), want.clone());
        prop_assert_eq!(run(running, &evs, morsel, 1, true), want);
    }
}

#[test]
fn two_readers_still_cut_every_key_into_threes() {
    let evs: Vec<Ev> = (0..3000).map(|i| Ev { key: Some(i % 7), v: i as i64, t: Timestamp(i as i64 * 1_000_000) }).collect();
    let got = run(threes, &evs, 64, 2, true);
    let mut per: BTreeMap<Option<u64>, (u64, i64)> = BTreeMap::new();
    for a in &got {
        assert_eq!(a.end, END);
        let g = per.entry(a.key).or_default();
        g.0 += a.n;
        g.1 += a.total;
    }
    // Every key's rows in groups of three, but for its last, whatever the interleaving.
    for key in 0..7u64 {
        let short = got.iter().filter(|a| a.key == Some(key) && a.n != 3).count();
        assert!(short <= 1, "key {key}: {short} groups that are not three rows");
        let rows: Vec<&Ev> = evs.iter().filter(|e| e.key == Some(key)).collect();
        assert_eq!(per[&Some(key)], (rows.len() as u64, rows.iter().map(|e| e.v).sum::<i64>()));
    }
}

#[test]
fn a_processing_time_trigger_fires_running_results_while_a_stream_runs() {
    let evs: Vec<Ev> = (0..200_000).map(|i| Ev { key: Some(i % 3), v: 1, t: Timestamp(i as i64 * 1_000_000) }).collect();
    let got: Vec<Agg> = Job::new(ticking)
        .source("evs", memory(Ev::to_batches(&evs, 100)))
        .parallelism(1)
        .streaming(StreamOptions::default())
        .collect()
        .unwrap();
    for key in 0..3u64 {
        let counts: Vec<u64> = got.iter().filter(|a| a.key == Some(key)).map(|a| a.n).collect();
        let total = evs.iter().filter(|e| e.key == Some(key)).count() as u64;
        assert_eq!(counts.last(), Some(&total), "the end of input fires the total");
        assert!(counts.windows(2).all(|w| w[0] < w[1]), "running results grow: {counts:?}");
        assert!(counts.len() > 1, "the wall clock fired before the end: {counts:?}");
    }
}

#[sabot::pipeline]
fn session_counts(evs: Stream<Ev>) -> Stream<Agg> {
    evs.window(Session::with_gap(Duration::from_millis(10))).trigger(CountTrigger::of(2)).group_by(|e| e.key).aggregate(|w, key, e| Agg {
        key,
        end: w.end,
        n: count(),
        total: sum(e.v),
    })
}

#[test]
fn sessions_refuse_triggers() {
    let evs = vec![Ev { key: Some(1), v: 1, t: Timestamp(0) }];
    let err = Job::new(session_counts).source("evs", memory(evs)).collect::<Agg>().unwrap_err();
    assert!(err.to_string().contains("a `trigger` applies to `Tumbling`, `Sliding` and `Global` windows"), "{err}");
}

/// Fires at the window's end without purging.
struct FireAtEnd;

impl Trigger for FireAtEnd {
    fn on_watermark(&mut self, window: Window, watermark: Timestamp) -> TriggerAction {
        if window.end <= watermark { TriggerAction::Fire } else { TriggerAction::Continue }
    }
}

#[sabot::pipeline]
fn fire_at_end(evs: Stream<Ev>) -> Stream<Agg> {
    evs.window(Tumbling::of(Duration::from_millis(100))).trigger(FireAtEnd).group_by(|e| e.key).aggregate(|w, key, e| Agg {
        key,
        end: w.end,
        n: count(),
        total: sum(e.v),
    })
}

#[test]
fn a_window_fired_and_kept_at_the_end_is_not_repeated() {
    let evs: Vec<Ev> = (0..500).map(|i| Ev { key: Some(i % 3), v: 1, t: Timestamp(i as i64 * 1_000_000) }).collect();
    let want = naive_counts(&evs, u64::MAX, Some(100));
    for (workers, stream) in [(2, false), (1, true)] {
        assert_eq!(run(fire_at_end, &evs, 50, workers, stream), want, "stream: {stream}");
    }
}
