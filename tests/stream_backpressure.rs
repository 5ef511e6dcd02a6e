//! Streaming backpressure: a slow sink slows an unbounded source instead of letting messages
//! pile up; the queue between readers and the coordinator stays within its bound, and the
//! run stops when asked with everything read also written.

use sabot::nexmark::{Bid, NexmarkConfig, nexmark};
use sabot::prelude::*;
use sabot::sink::Sink;
use sabot::{Result, StreamOptions};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

#[sabot::pipeline]
fn pass(bids: Stream<Bid>) -> Stream<Bid> {
    bids.filter(|b| b.price > 0)
}

/// Takes 20 ms per batch and stops the run after `after` batches.
struct SlowSink {
    batches: Arc<AtomicU64>,
    after: u64,
    stop: Arc<AtomicBool>,
}

impl Sink for SlowSink {
    fn open(&mut self, _: &str, _: arrow::datatypes::SchemaRef) -> Result<()> {
        Ok(())
    }
    fn write(&mut self, _: &arrow::array::RecordBatch) -> Result<()> {
        std::thread::sleep(Duration::from_millis(20));
        if self.batches.fetch_add(1, Ordering::Relaxed) + 1 >= self.after {
            self.stop.store(true, Ordering::Relaxed);
        }
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
    fn describe(&self) -> String {
        "slow".into()
    }
}

#[test]
fn a_slow_sink_holds_back_an_unbounded_source() {
    // As good as endless: the generator would make millions of rows while the sink writes 20
    // batches, if nothing held it back.
    let events = nexmark(NexmarkConfig { events: i64::MAX as u64, ..NexmarkConfig::default() });
    let stream = StreamOptions { queue: 4, ..StreamOptions::default() };
    let batches = Arc::new(AtomicU64::new(0));
    let sink = SlowSink { batches: Arc::clone(&batches), after: 20, stop: Arc::clone(&stream.stop) };
    let (readers, rows) = (2usize, 100usize);
    let summary = Job::new(pass)
        .source("bids", events.bids())
        .parallelism(readers)
        .batch_rows(rows)
        .streaming(stream)
        .sink("out", sink)
        .run()
        .unwrap();
    // In flight at most: the queue, plus one message per reader blocked sending.
    assert!(summary.max_queue <= 4 + readers, "{} messages were in flight", summary.max_queue);
    // Read at most: what was written before the stop, what the queue held, one morsel per
    // reader in hand; every row read was still written.
    let written = batches.load(Ordering::Relaxed);
    assert!(written >= 20);
    assert!(
        summary.rows_in <= ((written + 4 + 2 * readers as u64) * rows as u64),
        "{} rows read, {written} batches written",
        summary.rows_in
    );
    assert_eq!(summary.rows_out[0], summary.rows_in);
}
