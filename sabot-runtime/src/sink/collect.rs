//! Collecting output batches in memory, for `Job::collect` and tests.

use super::Sink;
use crate::error::Result;
use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use std::sync::{Arc, Mutex};

/// The batches a `CollectSink` gathered; shared with the caller.
pub type Collected = Arc<Mutex<Vec<RecordBatch>>>;

/// Keeps every batch in memory.
#[derive(Debug, Default)]
pub struct CollectSink {
    batches: Collected,
}

/// A sink that gathers batches into the returned shared vector.
pub fn collect() -> (CollectSink, Collected) {
    let sink = CollectSink::default();
    let handle = sink.batches.clone();
    (sink, handle)
}

impl Sink for CollectSink {
    fn open(&mut self, _: &str, _: SchemaRef) -> Result<()> {
        Ok(())
    }
    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.batches.lock().unwrap_or_else(|p| p.into_inner()).push(batch.clone());
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
    fn describe(&self) -> String {
        "collect".into()
    }
}
