//! A sink that drops every batch after counting it: for benchmarks, where writing would
//! measure the disk (Flink's `blackhole` connector).

use super::Sink;
use crate::error::Result;
use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counts rows and drops them.
#[derive(Debug, Default, Clone)]
pub struct BlackholeSink {
    rows: Arc<AtomicU64>,
}

/// A sink that drops its rows; `rows()` tells how many arrived.
pub fn blackhole() -> BlackholeSink {
    BlackholeSink::default()
}

impl BlackholeSink {
    /// Rows written so far (shared by clones).
    pub fn rows(&self) -> u64 {
        self.rows.load(Ordering::Relaxed)
    }
}

impl Sink for BlackholeSink {
    fn open(&mut self, _name: &str, _schema: SchemaRef) -> Result<()> {
        Ok(())
    }
    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        // Touch nothing but the row count: the batch is already computed.
        self.rows.fetch_add(batch.num_rows() as u64, Ordering::Relaxed);
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
    fn describe(&self) -> String {
        "blackhole".into()
    }
}
