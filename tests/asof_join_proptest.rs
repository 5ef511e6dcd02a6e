//! `asof_join`: each trade with its symbol's latest quote at or before it (the last read among
//! equal times), against a naive search, in batch runs (null and skewed keys, ties, random
//! morsels and workers) and as streams: in random order with enough allowed disorder, in order
//! with none, and disordered beyond the bound, where the late rows of both inputs are counted
//! exactly and the result equals the naive answer over the rows that were on time.

use proptest::prelude::*;
use sabot::prelude::*;
use sabot::source::memory;
use sabot::{Job, StreamOptions};

#[derive(Record, Debug, Clone, PartialEq)]
struct Trade {
    sym: Option<u64>,
    qty: i64,
    #[sabot(event_time, unit = "ms")]
    t: Timestamp,
}

#[derive(Record, Debug, Clone, PartialEq)]
struct Quote {
    sym: Option<u64>,
    price: i64,
    #[sabot(event_time, unit = "ms")]
    t: Timestamp,
}

#[derive(Record, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Priced {
    sym: Option<u64>,
    #[sabot(unit = "ms")]
    t: Timestamp,
    qty: i64,
    price: i64,
    #[sabot(unit = "ms")]
    quoted: Timestamp,
}

#[sabot::pipeline]
fn priced(trades: Stream<Trade>, quotes: Stream<Quote>) -> Stream<Priced> {
    trades.asof_join(quotes, |t| t.sym, |q| q.sym, |t, q| Priced { sym: t.sym, t: t.t, qty: t.qty, price: q.price, quoted: q.t })
}

const MS: i64 = 1_000_000;

fn naive(trades: &[Trade], quotes: &[Quote]) -> Vec<Priced> {
    let mut out = Vec::new();
    for t in trades.iter().filter(|t| t.sym.is_some()) {
        // The latest at or before the trade; among equal times the last read.
        let best = quotes.iter().filter(|q| q.sym == t.sym && q.t <= t.t).fold(None::<&Quote>, |b, q| match b {
            Some(b) if b.t > q.t => Some(b),
            _ => Some(q),
        });
        if let Some(q) = best {
            out.push(Priced { sym: t.sym, t: t.t, qty: t.qty, price: q.price, quoted: q.t });
        }
    }
    out.sort();
    out
}

fn sym() -> impl Strategy<Value = Option<u64>> {
    // One key holds nine rows in ten; one in twenty is null.
    prop_oneof![18 => Just(Some(0u64)), 1 => (1u64..4).prop_map(Some), 1 => Just(None)]
}

fn trades() -> impl Strategy<Value = Vec<Trade>> {
    prop::collection::vec((sym(), 0i64..100, 0i64..500), 0..150)
        .prop_map(|v| v.into_iter().map(|(sym, qty, t)| Trade { sym, qty, t: Timestamp(t * MS) }).collect())
}

/// Quotes with times 0..500 ms (ties among them unless `unique`: distinct for up to 151).
fn quotes(unique: bool) -> impl Strategy<Value = Vec<Quote>> {
    prop::collection::vec((sym(), 0i64..1000, 0i64..500), 0..150).prop_map(move |v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (sym, price, t))| Quote { sym, price, t: Timestamp(if unique { i as i64 * 7 % 151 * 3 * MS } else { t * MS }) })
            .collect()
    })
}

fn run(trades: &[Trade], quotes: &[Quote], morsel: usize, workers: usize, stream: Option<StreamOptions>) -> (Vec<Priced>, u64) {
    let (sink, out) = sabot::sink::collect();
    let job = Job::new(priced)
        .source("trades", memory(Trade::to_batches(trades, morsel)))
        .source("quotes", memory(Quote::to_batches(quotes, morsel)))
        .parallelism(workers)
        .sink("out", sink);
    let job = match stream {
        Some(s) => job.streaming(s),
        None => job,
    };
    let summary = job.run().unwrap();
    let mut got: Vec<Priced> = out.lock().unwrap().iter().flat_map(|b| Priced::from_batch(b).unwrap()).collect();
    got.sort();
    (got, summary.late)
}

/// Rows earlier than the largest event time of the morsels before theirs (one reader, no
/// allowed disorder) are late; the others.
fn on_time<T: Clone>(rows: &[T], morsel: usize, time: impl Fn(&T) -> i64) -> (Vec<T>, u64) {
    let (mut kept, mut late, mut max_seen) = (Vec::new(), 0, None::<i64>);
    for chunk in rows.chunks(morsel.max(1)) {
        for r in chunk {
            if max_seen.is_some_and(|m| time(r) < m) {
                late += 1;
            } else {
                kept.push(r.clone());
            }
        }
        max_seen = chunk.iter().map(&time).chain(max_seen).max();
    }
    (kept, late)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn batch_equals_naive(trades in trades(), quotes in quotes(false), morsel in 1usize..40, workers in 1usize..3) {
        prop_assert_eq!(run(&trades, &quotes, morsel, workers, None).0, naive(&trades, &quotes));
    }

    #[test]
    fn streams_equal_naive(trades in trades(), quotes in quotes(true), morsel in 1usize..40) {
        let want = naive(&trades, &quotes);
        // Random order, 1 s of disorder allowed (times span 0.5 s): nothing is late.
        let (got, late) = run(&trades, &quotes, morsel, 2, Some(StreamOptions { out_of_orderness: Duration::from_secs(1), ..StreamOptions::default() }));
        prop_assert_eq!(late, 0);
        prop_assert_eq!(got, want.clone());
        // In order, none allowed: still nothing late, equal times included.
        let (mut t, mut q) = (trades.clone(), quotes.clone());
        t.sort_by_key(|r| r.t);
        q.sort_by_key(|r| r.t);
        let (got, late) = run(&t, &q, morsel, 1, Some(StreamOptions::default()));
        prop_assert_eq!(late, 0);
        prop_assert_eq!(got, want);
    }

    #[test]
    fn late_rows_are_counted_exactly(trades in trades(), quotes in quotes(true), morsel in 1usize..40) {
        let (t_ok, t_late) = on_time(&trades, morsel, |r| r.t.0);
        let (q_ok, q_late) = on_time(&quotes, morsel, |r| r.t.0);
        let (got, late) = run(&trades, &quotes, morsel, 1, Some(StreamOptions::default()));
        prop_assert_eq!(late, t_late + q_late);
        prop_assert_eq!(got, naive(&t_ok, &q_ok));
    }
}
