//! Allowed lateness: a window fires when the watermark passes its end, keeps its state for the
//! allowed lateness after that, and fires again with the updated result when late rows change
//! it; rows later than that are late. Checked against a naive model of one reader's watermark,
//! morsel by morsel, on random disordered input, with tumbling and sliding windows; a batch run
//! gives every window once.

use proptest::prelude::*;
use sabot::prelude::*;
use sabot::source::memory;
use sabot::{Job, StreamOptions};
use std::collections::{BTreeMap, BTreeSet};

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
const LATENESS_MS: i64 = 150;

#[sabot::pipeline]
fn tumbling(evs: Stream<Ev>) -> Stream<Agg> {
    evs.window(Tumbling::of(Duration::from_millis(100)).allowed_lateness(Duration::from_millis(150)))
        .group_by(|e| e.key)
        .aggregate(|w, key, e| Agg { key, start: w.start, end: w.end, n: count(), total: sum(e.v) })
}

#[sabot::pipeline]
fn sliding(evs: Stream<Ev>) -> Stream<Agg> {
    evs.window(Sliding::of(Duration::from_millis(100), Duration::from_millis(50)).allowed_lateness(Duration::from_millis(150)))
        .group_by(|e| e.key)
        .aggregate(|w, key, e| Agg { key, start: w.start, end: w.end, n: count(), total: sum(e.v) })
}

/// A group: window start and end (ms) and key.
type Group = (i64, i64, Option<u64>);

/// What one reader with no allowed disorder does: per morsel, rows whose every window ended
/// `lateness` or more before the watermark are late; then the watermark moves to the largest
/// event time seen, windows due fire (first time, or again when late rows changed them), and
/// windows past their lateness are dropped. The end of input fires what is left.
fn model(evs: &[Ev], morsel: usize, size: i64, slide: i64) -> (Vec<Agg>, u64) {
    let mut state: BTreeMap<Group, (u64, i64)> = BTreeMap::new();
    let (mut fired, mut max_seen): (Option<i64>, Option<i64>) = (None, None);
    let mut dirty: BTreeSet<Group> = BTreeSet::new();
    let (mut out, mut late) = (Vec::new(), 0u64);
    let fire =
        |state: &mut BTreeMap<Group, (u64, i64)>, dirty: &mut BTreeSet<Group>, fired: &mut Option<i64>, wm: i64, out: &mut Vec<Agg>| {
            for (g, (n, total)) in state.iter() {
                if g.1 <= wm && (fired.is_none_or(|f| g.1 > f) || dirty.contains(g)) {
                    out.push(Agg { key: g.2, start: Timestamp(g.0 * MS), end: Timestamp(g.1 * MS), n: *n, total: *total });
                }
            }
            dirty.clear();
            *fired = Some(wm);
            state.retain(|g, _| g.1.saturating_add(LATENESS_MS) > wm);
        };
    for chunk in evs.chunks(morsel.max(1)) {
        let floor = max_seen;
        for e in chunk {
            let t = e.t.millis();
            let mut on_time = false;
            let mut start = t.div_euclid(slide) * slide;
            while start > t - size {
                let g = (start, start + size, e.key);
                start -= slide;
                if floor.is_some_and(|f| g.1 + LATENESS_MS <= f) {
                    continue;
                }
                on_time = true;
                let s = state.entry(g).or_default();
                s.0 += 1;
                s.1 += e.v;
                if fired.is_some_and(|f| g.1 <= f) {
                    dirty.insert(g);
                }
            }
            late += u64::from(!on_time);
        }
        max_seen = chunk.iter().map(|e| e.t.millis()).chain(max_seen).max();
        if let Some(wm) = max_seen
            && Some(wm) > fired
        {
            fire(&mut state, &mut dirty, &mut fired, wm, &mut out);
        }
    }
    fire(&mut state, &mut dirty, &mut fired, i64::MAX, &mut out);
    (out, late)
}

/// Every window once, with all its rows (a batch run).
fn batch_answer(evs: &[Ev], size: i64, slide: i64) -> Vec<Agg> {
    let mut m: BTreeMap<Group, (u64, i64)> = BTreeMap::new();
    for e in evs {
        let t = e.t.millis();
        let mut start = t.div_euclid(slide) * slide;
        while start > t - size {
            let g = m.entry((start, start + size, e.key)).or_default();
            g.0 += 1;
            g.1 += e.v;
            start -= slide;
        }
    }
    m.into_iter().map(|(g, (n, total))| Agg { key: g.2, start: Timestamp(g.0 * MS), end: Timestamp(g.1 * MS), n, total }).collect()
}

fn ev() -> impl Strategy<Value = Ev> {
    // One key holds nine rows in ten; one in twenty is null.
    let key = prop_oneof![18 => Just(Some(0u64)), 1 => (1u64..4).prop_map(Some), 1 => Just(None)];
    (key, -50i64..50, 0i64..400).prop_map(|(key, v, jitter)| Ev { key, v, t: Timestamp(jitter * MS) })
}

/// Rows about 10 ms apart, each moved back by up to 400 ms: some are on time, some within
/// the lateness, some beyond it.
fn disordered(raw: Vec<Ev>) -> Vec<Ev> {
    raw.into_iter().enumerate().map(|(i, e)| Ev { t: Timestamp((i as i64 * 10 + 400 - e.t.millis()) * MS), ..e }).collect()
}

fn sorted(mut v: Vec<Agg>) -> Vec<Agg> {
    v.sort_by(|a, b| a.partial_cmp(b).expect("no floats"));
    v
}

fn check(pipeline: impl sabot::Pipeline + Copy, evs: &[Ev], morsel: usize, size: i64, slide: i64) -> Result<(), TestCaseError> {
    let batches = || Ev::to_batches(evs, morsel);
    let batch: Vec<Agg> = Job::new(pipeline).source("evs", memory(batches())).parallelism(2).collect().unwrap();
    prop_assert_eq!(sorted(batch), sorted(batch_answer(evs, size, slide)));
    let (want, want_late) = model(evs, morsel, size, slide);
    let (sink, out) = sabot::sink::collect();
    let (late_sink, late_rows) = sabot::sink::collect();
    let summary = Job::new(pipeline)
        .source("evs", memory(batches()))
        .parallelism(1)
        .streaming(StreamOptions::default())
        .sink("out", sink)
        .late_sink(late_sink)
        .run()
        .unwrap();
    let got: Vec<Agg> = out.lock().unwrap().iter().flat_map(|b| Agg::from_batch(b).unwrap()).collect();
    prop_assert_eq!(sorted(got), sorted(want));
    prop_assert_eq!(summary.late, want_late);
    let kept: usize = late_rows.lock().unwrap().iter().map(|b| b.num_rows()).sum();
    prop_assert_eq!(kept as u64, want_late, "every late row reaches the late sink");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn tumbling_windows_fire_again_for_late_rows(raw in prop::collection::vec(ev(), 0..200), morsel in 1usize..24) {
        check(tumbling, &disordered(raw), morsel, 100, 100)?;
    }

    #[test]
    fn sliding_windows_fire_again_for_late_rows(raw in prop::collection::vec(ev(), 0..200), morsel in 1usize..24) {
        check(sliding, &disordered(raw), morsel, 100, 50)?;
    }
}

#[test]
fn some_rows_update_fired_windows_and_some_are_late() {
    // The generator above must reach all three cases; check one fixed input does.
    let raw: Vec<Ev> = (0..200).map(|i| Ev { key: Some(i % 3), v: i as i64, t: Timestamp(((i * 37) % 400) as i64 * MS) }).collect();
    let evs = disordered(raw);
    let (out, late) = model(&evs, 5, 100, 100);
    let mut per: BTreeMap<(Option<u64>, Timestamp), usize> = BTreeMap::new();
    for a in &out {
        *per.entry((a.key, a.start)).or_default() += 1;
    }
    assert!(per.values().any(|&n| n > 1), "some window fires again");
    assert!(late > 0, "some rows are later than the lateness");
}

#[derive(Record, Debug, Clone, PartialEq)]
struct Pair {
    key: Option<u64>,
    left: i64,
    right: i64,
}

#[sabot::pipeline]
fn joined_late(lhs: Stream<Ev>, rhs: Stream<Ev>) -> Stream<Pair> {
    lhs.window(Tumbling::of(Duration::from_millis(100)).allowed_lateness(Duration::from_millis(10))).join(
        rhs,
        |l| l.key,
        |r| r.key,
        |_w, l, r| Pair { key: l.key, left: l.v, right: r.v },
    )
}

#[test]
fn windowed_joins_refuse_allowed_lateness() {
    let rows = vec![Ev { key: Some(1), v: 1, t: Timestamp(0) }];
    let err = Job::new(joined_late).source("lhs", memory(rows.clone())).source("rhs", memory(rows)).collect::<Pair>().unwrap_err();
    assert!(err.to_string().contains("`allowed_lateness` applies to windowed aggregations"), "{err}");
}
