//! Windowed joins equal a naive reference on random inputs (null and skewed keys, empty sides,
//! rows in several sliding windows, random morsels), in batch runs and as streams of both
//! inputs at once, in random order with enough allowed disorder and in order with none.

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
    start: Timestamp,
    left: i64,
    right: i64,
}

const MS: i64 = 1_000_000;
const SIZE: i64 = 100;
const SLIDE: i64 = 50;

/// Pairs of rows of `lhs` and `rhs` with equal keys in the same 100 ms window (sliding by 50).
#[sabot::pipeline]
fn joined(lhs: Stream<Ev>, rhs: Stream<Ev>) -> Stream<Pair> {
    lhs.window(Sliding::of(Duration::from_millis(SIZE as u64), Duration::from_millis(SLIDE as u64))).join(
        rhs.filter(|r| r.v != 0),
        |l| l.key,
        |r| r.key,
        |w, l, r| Pair { key: l.key.unwrap_or(u64::MAX), start: w.start, left: l.v, right: r.v },
    )
}

fn starts(t: i64) -> impl Iterator<Item = i64> {
    let last = t.div_euclid(SLIDE) * SLIDE;
    (0..SIZE / SLIDE).map(move |k| last - k * SLIDE)
}

fn naive(lhs: &[Ev], rhs: &[Ev]) -> Vec<Pair> {
    let mut out = Vec::new();
    for l in lhs {
        for r in rhs.iter().filter(|r| r.v != 0) {
            let (Some(k), Some(rk)) = (l.key, r.key) else { continue };
            if k != rk {
                continue;
            }
            for s in starts(l.t.millis()).filter(|s| starts(r.t.millis()).any(|x| x == *s)) {
                out.push(Pair { key: k, start: Timestamp(s * MS), left: l.v, right: r.v });
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

fn run(lhs: &[Ev], rhs: &[Ev], morsel: usize, readers: usize, stream: Option<StreamOptions>) -> (Vec<Pair>, u64) {
    let (sink, out) = sabot::sink::collect();
    let job = Job::new(joined)
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn windowed_join_equals_naive(
        lhs in prop::collection::vec(ev(), 0..120),
        rhs in prop::collection::vec(ev(), 0..120),
        morsel in 1usize..40,
    ) {
        let want = naive(&lhs, &rhs);
        prop_assert_eq!(run(&lhs, &rhs, morsel, 2, None), (want.clone(), 0));
        // Random order, 1 s of disorder allowed: nothing is late.
        let disorder = StreamOptions { out_of_orderness: Duration::from_secs(1), ..StreamOptions::default() };
        prop_assert_eq!(run(&lhs, &rhs, morsel, 2, Some(disorder)), (want.clone(), 0));
        // In event-time order, one reader per input, no disorder allowed.
        let (mut l, mut r) = (lhs.clone(), rhs.clone());
        l.sort_by_key(|e| e.t);
        r.sort_by_key(|e| e.t);
        prop_assert_eq!(run(&l, &r, morsel, 1, Some(StreamOptions::default())), (want, 0));
    }
}
