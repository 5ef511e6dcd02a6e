//! Punctuated watermarks: a `#[sabot(watermark)]` field's values, where present, are the
//! stream's watermark, instead of the latest event time seen.

use sabot::prelude::*;
use sabot::{Job, StreamOptions};

#[derive(Record, Debug, Clone, PartialEq)]
struct Reading {
    sensor: u64,
    #[sabot(event_time, unit = "ms")]
    t: Timestamp,
    /// Set on the rows that promise no earlier readings follow.
    #[sabot(watermark, unit = "ms")]
    done_until: Option<Timestamp>,
}

/// The same readings without punctuation: watermarks follow the event times.
#[derive(Record, Debug, Clone, PartialEq)]
struct Plain {
    sensor: u64,
    #[sabot(event_time, unit = "ms")]
    t: Timestamp,
}

#[derive(Record, Debug, Clone, PartialEq)]
struct PerSecond {
    #[sabot(unit = "ms")]
    end: Timestamp,
    n: u64,
}

#[sabot::pipeline]
fn punctuated(r: Stream<Reading>) -> Stream<PerSecond> {
    r.window(Tumbling::of(Duration::from_secs(1))).aggregate(|w, _r| PerSecond { end: w.end, n: count() })
}

#[sabot::pipeline]
fn by_event_time(r: Stream<Plain>) -> Stream<PerSecond> {
    r.window(Tumbling::of(Duration::from_secs(1))).aggregate(|w, _r| PerSecond { end: w.end, n: count() })
}

/// One morsel per reading: (event time ms, watermark ms).
const READINGS: [(i64, Option<i64>); 6] = [(100, None), (200, None), (1500, None), (950, None), (2500, Some(2000)), (1900, None)];

fn run<R: Record>(rows: Vec<R>) -> (Vec<PerSecond>, u64) {
    let batches: Vec<_> = rows.iter().map(|r| R::to_batches(std::slice::from_ref(r), 1).remove(0)).collect();
    let (sink, out) = sabot::sink::collect();
    let job = if R::NAME == "Reading" { Job::new(punctuated) } else { Job::new(by_event_time) };
    let summary =
        job.source("r", sabot::source::memory(batches)).parallelism(1).streaming(StreamOptions::default()).sink("out", sink).run().unwrap();
    let mut counts: Vec<PerSecond> = out.lock().unwrap().iter().flat_map(|b| PerSecond::from_batch(b).unwrap()).collect();
    counts.sort_by_key(|c| c.end);
    (counts, summary.late)
}

fn per_second(counts: &[(i64, u64)]) -> Vec<PerSecond> {
    counts.iter().map(|&(end, n)| PerSecond { end: Timestamp::from_millis(end), n }).collect()
}

#[test]
fn punctuation_decides_what_is_late() {
    let rows: Vec<Reading> = READINGS
        .iter()
        .map(|&(t, mark)| Reading { sensor: 1, t: Timestamp::from_millis(t), done_until: mark.map(Timestamp::from_millis) })
        .collect();
    let (counts, late) = run(rows);
    // Until the mark at 2 s nothing is late: the reading at 0.95 s still counts. After it, the
    // reading at 1.9 s is late (its window ended at 2 s).
    assert_eq!(late, 1);
    assert_eq!(counts, per_second(&[(1000, 3), (2000, 1), (3000, 1)]));
}

#[test]
fn without_punctuation_event_times_decide() {
    let rows: Vec<Plain> = READINGS.iter().map(|&(t, _)| Plain { sensor: 1, t: Timestamp::from_millis(t) }).collect();
    let (counts, late) = run(rows);
    // The reading at 0.95 s comes after one at 1.5 s: late; so is the one at 1.9 s after 2.5 s.
    assert_eq!(late, 2);
    assert_eq!(counts, per_second(&[(1000, 2), (2000, 1), (3000, 1)]));
}
