//! Interval joins equal a naive reference on random inputs (null and skewed keys, empty sides,
//! intervals around, after and before the probe row, random morsels), in batch runs and as
//! streams of both inputs at once: in random order with enough allowed disorder, and in order
//! with none; no row is late then.

use proptest::prelude::*;
use sabot::prelude::*;
use sabot::source::memory;
use sabot::{Job, StreamOptions};

#[derive(Record, Debug, Clone, PartialEq)]
struct Ev {
    key: Option<u64>,
    v: i64,
    #[sabot(event_time, unit = "ms")]
    t: Timestamp,
}

#[derive(Record, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Pair {
    key: u64,
    #[sabot(unit = "ms")]
    left: Timestamp,
    #[sabot(unit = "ms")]
    right: Timestamp,
    v: i64,
}

const MS: i64 = 1_000_000;

const AROUND: Interval = Interval::around(Duration::from_millis(30), Duration::from_millis(10));
const AFTER: Interval = Interval::after(Duration::from_millis(5), Duration::from_millis(40));
const BEFORE: Interval = Interval::before(Duration::from_millis(50), Duration::from_millis(20));

fn pair(l: EvRef<'_>, r: EvRef<'_>) -> Pair {
    Pair { key: l.key.unwrap_or(u64::MAX), left: l.t, right: r.t, v: l.v * 10 + r.v }
}

#[sabot::pipeline]
fn around(lhs: Stream<Ev>, rhs: Stream<Ev>) -> Stream<Pair> {
    lhs.interval_join(
        rhs,
        |l| l.key,
        |r| r.key,
        AROUND,
        |l, r| Pair { key: l.key.unwrap_or(u64::MAX), left: l.t, right: r.t, v: l.v * 10 + r.v },
    )
}

#[sabot::pipeline]
fn after(lhs: Stream<Ev>, rhs: Stream<Ev>) -> Stream<Pair> {
    lhs.filter(|l| l.v != 0).interval_join(
        rhs,
        |l| l.key,
        |r| r.key,
        AFTER,
        |l, r| Pair { key: l.key.unwrap_or(u64::MAX), left: l.t, right: r.t, v: l.v * 10 + r.v },
    )
}

#[sabot::pipeline]
fn before(lhs: Stream<Ev>, rhs: Stream<Ev>) -> Stream<Pair> {
    lhs.interval_join(
        rhs,
        |l| l.key,
        |r| r.key,
        BEFORE,
        |l, r| Pair { key: l.key.unwrap_or(u64::MAX), left: l.t, right: r.t, v: l.v * 10 + r.v },
    )
}

/// Pairs with equal keys whose right time is in `[left + lower, left + upper]` (ms).
fn naive(lhs: &[Ev], rhs: &[Ev], lower: i64, upper: i64, keep: impl Fn(&Ev) -> bool) -> Vec<Pair> {
    let mut out = Vec::new();
    for l in lhs.iter().filter(|l| keep(l)) {
        for r in rhs {
            let (Some(k), Some(rk)) = (l.key, r.key) else { continue };
            let d = r.t.millis() - l.t.millis();
            if k == rk && (lower..=upper).contains(&d) {
                out.push(pair(l.as_row(), r.as_row()));
            }
        }
    }
    out.sort();
    out
}

fn ev() -> impl Strategy<Value = Ev> {
    // One key holds nine rows in ten; one in twenty is null.
    let key = prop_oneof![18 => Just(Some(0u64)), 1 => (1u64..6).prop_map(Some), 1 => Just(None)];
    (key, -5i64..5, 0i64..1000).prop_map(|(key, v, t)| Ev { key, v, t: Timestamp(t * MS) })
}

fn run(
    p: impl sabot::Pipeline + Copy,
    lhs: &[Ev],
    rhs: &[Ev],
    morsel: usize,
    readers: usize,
    stream: Option<StreamOptions>,
) -> (Vec<Pair>, u64) {
    let (sink, out) = sabot::sink::collect();
    let job = Job::new(p)
        .source("lhs", memory(Ev::to_batches(lhs, morsel)))
        .source("rhs", memory(Ev::to_batches(rhs, morsel)))
        .parallelism(readers)
        .sink("out", sink);
    let job = match stream {
        Some(s) => job.streaming(s),
        None => job,
    };
    let summary = job.run().unwrap();
    let mut got: Vec<Pair> = out.lock().unwrap().iter().flat_map(|b| Pair::from_batch(b).unwrap()).collect();
    got.sort();
    (got, summary.late)
}

fn check(p: impl sabot::Pipeline + Copy, lhs: &[Ev], rhs: &[Ev], morsel: usize, want: Vec<Pair>) -> Result<(), TestCaseError> {
    prop_assert_eq!(run(p, lhs, rhs, morsel, 2, None), (want.clone(), 0));
    let disorder = StreamOptions { out_of_orderness: Duration::from_secs(1), ..StreamOptions::default() };
    prop_assert_eq!(run(p, lhs, rhs, morsel, 2, Some(disorder)), (want.clone(), 0));
    let (mut l, mut r) = (lhs.to_vec(), rhs.to_vec());
    l.sort_by_key(|e| e.t);
    r.sort_by_key(|e| e.t);
    prop_assert_eq!(run(p, &l, &r, morsel, 1, Some(StreamOptions::default())), (want, 0));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn around_equals_naive(lhs in prop::collection::vec(ev(), 0..100), rhs in prop::collection::vec(ev(), 0..100), morsel in 1usize..40) {
        check(around, &lhs, &rhs, morsel, naive(&lhs, &rhs, -30, 10, |_| true))?;
    }

    #[test]
    fn after_equals_naive(lhs in prop::collection::vec(ev(), 0..100), rhs in prop::collection::vec(ev(), 0..100), morsel in 1usize..40) {
        check(after, &lhs, &rhs, morsel, naive(&lhs, &rhs, 5, 40, |l| l.v != 0))?;
    }

    #[test]
    fn before_equals_naive(lhs in prop::collection::vec(ev(), 0..100), rhs in prop::collection::vec(ev(), 0..100), morsel in 1usize..40) {
        check(before, &lhs, &rhs, morsel, naive(&lhs, &rhs, -50, -20, |_| true))?;
    }
}

#[test]
fn an_empty_interval_is_an_error() {
    #[sabot::pipeline]
    fn empty(lhs: Stream<Ev>, rhs: Stream<Ev>) -> Stream<Pair> {
        lhs.interval_join(
            rhs,
            |l| l.key,
            |r| r.key,
            Interval::after(Duration::from_millis(9), Duration::from_millis(1)),
            |l, r| Pair { key: 0, left: l.t, right: r.t, v: 0 },
        )
    }
    let evs = vec![Ev { key: Some(1), v: 1, t: Timestamp(0) }];
    let err = Job::new(empty).source("lhs", memory(evs.clone())).source("rhs", memory(evs)).collect::<Pair>().unwrap_err();
    assert!(err.to_string().contains("interval is empty"), "{err}");
}

/// Which rows of `rows` (read in morsels of `morsel`, one reader) arrive when the watermark of
/// the morsels before them (their latest event time) has reached `t + slack` (ms, exclusive).
fn late(rows: &[Ev], morsel: usize, slack: i64) -> Vec<bool> {
    let mut floor: Option<i64> = None;
    let mut out = Vec::new();
    for m in rows.chunks(morsel) {
        out.extend(m.iter().map(|e| floor.is_some_and(|f| e.t.millis() + slack < f)));
        let max = m.iter().map(|e| e.t.millis()).max().unwrap();
        floor = Some(floor.map_or(max, |f| f.max(max)));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn late_rows_are_counted_exactly_and_change_no_result(
        lhs in prop::collection::vec(ev(), 0..100),
        rhs in prop::collection::vec(ev(), 0..100),
        morsel in 1usize..20,
    ) {
        // `around` is [-30 ms, +10 ms]: a probe row is late once the watermark is more than
        // 40 ms past it, a build row once it is more than 30 ms past it.
        let (late_l, late_r) = (late(&lhs, morsel, 40), late(&rhs, morsel, 30));
        let on_time = |rows: &[Ev], late: &[bool]| -> Vec<Ev> { rows.iter().zip(late).filter(|(_, l)| !**l).map(|(e, _)| e.clone()).collect() };
        let want = naive(&on_time(&lhs, &late_l), &on_time(&rhs, &late_r), -30, 10, |_| true);
        let count = late_l.iter().chain(&late_r).filter(|l| **l).count() as u64;
        prop_assert_eq!(run(around, &lhs, &rhs, morsel, 1, Some(StreamOptions::default())), (want, count));
    }
}
