//! Parquet files as a sink (being written).

use super::Sink;
use crate::error::{Error, Result};
use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;

/// Writes parquet output.
#[derive(Debug)]
pub struct ParquetSink {
    path: String,
}

/// A sink writing to `path`.
pub fn parquet(path: impl Into<String>) -> ParquetSink {
    ParquetSink { path: path.into() }
}

impl Sink for ParquetSink {
    fn open(&mut self, _: &str, _: SchemaRef) -> Result<()> {
        Err(Error::Config(format!("{}: parquet sink not available yet", self.path)))
    }
    fn write(&mut self, _: &RecordBatch) -> Result<()> {
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
    fn describe(&self) -> String {
        format!("parquet {}", self.path)
    }
}
