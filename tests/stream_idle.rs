//! Idle readers: a reader waiting for input longer than the idle timeout stops holding the
//! watermark back, so windows fire while a quiet partition says nothing.

use arrow::array::{ArrayRef, RecordBatch, TimestampMillisecondArray, UInt64Array};
use sabot::prelude::*;
use sabot::sink::Sink;
use sabot::source::{MorselIter, ReadRequest, Source, Split};
use sabot::{Result, StreamOptions};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Record, Debug, Clone, PartialEq)]
struct Tick {
    key: u64,
    #[sabot(event_time, unit = "ms")]
    t: Timestamp,
}

#[derive(Record, Debug, Clone, PartialEq)]
struct Count {
    #[sabot(unit = "ms")]
    end: Timestamp,
    n: u64,
}

#[sabot::pipeline]
fn per_second(ticks: Stream<Tick>) -> Stream<Count> {
    ticks.window(Tumbling::of(Duration::from_secs(1))).aggregate(|w, _t| Count { end: w.end, n: count() })
}

fn ticks(from_ms: i64, rows: usize) -> RecordBatch {
    let keys: ArrayRef = Arc::new(UInt64Array::from_iter_values(0..rows as u64));
    let times: ArrayRef = Arc::new(TimestampMillisecondArray::from_iter_values((0..rows as i64).map(|i| from_ms + i * 10)));
    RecordBatch::try_from_iter([("key", keys), ("t", times)]).unwrap()
}

/// Two splits: a busy one with ten seconds of ticks, and a quiet one that sends the first
/// hundred ticks, then waits `quiet` before ending.
struct TwoPartitions {
    quiet: Duration,
    quiet_ended: Arc<Mutex<Option<Instant>>>,
}

struct Busy;
struct Quiet(Duration, Arc<Mutex<Option<Instant>>>);

impl Split for Busy {
    fn open(self: Box<Self>) -> Result<MorselIter> {
        let origin = sabot::__private::Origin::new("ticks");
        Ok(Box::new((0..10).map(move |s| Ok(sabot::__private::Morsel { batch: ticks(s * 1000, 100), origin: origin.clone() }))))
    }
}

impl Split for Quiet {
    fn open(self: Box<Self>) -> Result<MorselIter> {
        let (quiet, ended) = (self.0, self.1);
        let origin = sabot::__private::Origin::new("ticks");
        let mut step = 0;
        Ok(Box::new(std::iter::from_fn(move || {
            step += 1;
            match step {
                1 => Some(Ok(sabot::__private::Morsel { batch: ticks(0, 100), origin: origin.clone() })),
                _ => {
                    if step == 2 {
                        std::thread::sleep(quiet);
                        *ended.lock().unwrap() = Some(Instant::now());
                    }
                    None
                }
            }
        })))
    }
}

impl Source for TwoPartitions {
    fn splits(&self, _: &ReadRequest) -> Result<Vec<Box<dyn Split>>> {
        Ok(vec![Box::new(Quiet(self.quiet, Arc::clone(&self.quiet_ended))), Box::new(Busy)])
    }
    fn describe(&self) -> String {
        "two partitions".into()
    }
}

/// Notes when each batch arrives.
struct Stamped(Arc<Mutex<Vec<(Instant, RecordBatch)>>>);

impl Sink for Stamped {
    fn open(&mut self, _: &str, _: arrow::datatypes::SchemaRef) -> Result<()> {
        Ok(())
    }
    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.0.lock().unwrap().push((Instant::now(), batch.clone()));
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
    fn describe(&self) -> String {
        "stamped".into()
    }
}

#[test]
fn a_quiet_partition_does_not_stall_the_windows() {
    let quiet_ended = Arc::new(Mutex::new(None));
    let source = TwoPartitions { quiet: Duration::from_millis(1500), quiet_ended: Arc::clone(&quiet_ended) };
    let out = Arc::new(Mutex::new(Vec::new()));
    let stream = StreamOptions { idle_timeout: Duration::from_millis(100), ..StreamOptions::default() };
    let summary =
        Job::new(per_second).source("ticks", source).parallelism(2).streaming(stream).sink("out", Stamped(Arc::clone(&out))).run().unwrap();
    assert_eq!(summary.late, 0);
    let out = out.lock().unwrap();
    let ended = quiet_ended.lock().unwrap().expect("the quiet split ended");
    assert!(out.first().is_some_and(|(at, _)| *at < ended), "windows waited for the quiet partition to end");
    let mut counts: Vec<Count> = out.iter().flat_map(|(_, b)| Count::from_batch(b).unwrap()).collect();
    counts.sort_by_key(|c| c.end);
    let want: Vec<Count> = (1..=10).map(|s| Count { end: Timestamp::from_millis(s * 1000), n: if s == 1 { 200 } else { 100 } }).collect();
    assert_eq!(counts, want);
}
