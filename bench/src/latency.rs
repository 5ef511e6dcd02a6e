//! `bench latency`: end-to-end latency of Nexmark q1 and q7 as streams at a fixed input rate.
//! The generator delivers event `n` no earlier than `n / rate` seconds after it starts, and
//! stamps it with that instant as its event time, so a q1 row's latency is when the sink sees
//! it minus its `date_time`; a q7 row's is when the sink sees it minus its window's end (the
//! earliest it could be known).

use sabot::nexmark::{NexmarkConfig, nexmark};
use sabot::sink::Sink;
use sabot::{Job, StreamOptions, Timestamp};
use sabot_examples::nexmark::{q1, q7};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// Records, per row, the wall time it reached the sink minus a time column of the row.
struct LatencySink {
    column: &'static str,
    seen: Arc<Mutex<Vec<i64>>>,
}

fn now_ns() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i64)
}

impl Sink for LatencySink {
    fn open(&mut self, _: &str, _: arrow::datatypes::SchemaRef) -> sabot::Result<()> {
        Ok(())
    }
    fn write(&mut self, batch: &arrow::array::RecordBatch) -> sabot::Result<()> {
        use arrow::array::AsArray;
        use arrow::datatypes::TimestampMillisecondType;
        let now = now_ns();
        let Some(col) = batch.column_by_name(self.column) else { return Ok(()) };
        let times = col.as_primitive::<TimestampMillisecondType>();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.extend(times.values().iter().map(|ms| now - ms * 1_000_000));
        Ok(())
    }
    fn finish(&mut self) -> sabot::Result<()> {
        Ok(())
    }
    fn describe(&self) -> String {
        "latency".into()
    }
}

fn percentile(sorted: &[i64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let k = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[k] as f64 / 1e6
}

/// Runs q1 and q7 at `rate` events per second for `seconds`, on `threads` readers.
pub fn run(rate: u64, seconds: u64, threads: usize, batch_rows: usize) -> anyhow::Result<()> {
    println!("Latency at {rate} events/s for {seconds} s, {threads} readers, {batch_rows} rows per morsel, watermark 0 s behind:");
    println!("| query | rows out | p50 ms | p99 ms | max ms | events/s achieved |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for (name, column) in [("q1", "date_time"), ("q7", "window_end")] {
        let events = rate * seconds;
        // The generator's clock starts at its first read, right after this: any gap counts
        // against us as latency.
        let base = Timestamp(now_ns());
        let config = NexmarkConfig { events, rate: Some(rate), max_rate: Some(rate), base_time: base, ..NexmarkConfig::default() };
        // Room for every row up front: growing the vector would stall the sink.
        let seen = Arc::new(Mutex::new(Vec::with_capacity(events as usize)));
        let sink = LatencySink { column, seen: Arc::clone(&seen) };
        let job = match name {
            "q1" => Job::new(q1),
            _ => Job::new(q7),
        };
        let summary = job
            .source("bids", nexmark(config).bids())
            .parallelism(threads)
            .batch_rows(batch_rows)
            .streaming(StreamOptions::default())
            .sink("out", sink)
            .run()?;
        let mut v = std::mem::take(&mut *seen.lock().unwrap_or_else(|p| p.into_inner()));
        v.sort_unstable();
        let achieved = events as f64 / summary.elapsed.as_secs_f64();
        println!(
            "| {name} | {} | {:.1} | {:.1} | {:.1} | {:.0} |",
            v.len(),
            percentile(&v, 0.5),
            percentile(&v, 0.99),
            percentile(&v, 1.0),
            achieved
        );
    }
    Ok(())
}
