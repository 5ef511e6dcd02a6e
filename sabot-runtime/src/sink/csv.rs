//! Csv files as a sink (being written).

use super::Sink;
use crate::error::{Error, Result};
use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;

/// Writes csv output.
#[derive(Debug)]
pub struct CsvSink {
    path: String,
}

/// A sink writing to `path`.
pub fn csv(path: impl Into<String>) -> CsvSink {
    CsvSink { path: path.into() }
}

impl Sink for CsvSink {
    fn open(&mut self, _: &str, _: SchemaRef) -> Result<()> {
        Err(Error::Config(format!("{}: csv sink not available yet", self.path)))
    }
    fn write(&mut self, _: &RecordBatch) -> Result<()> {
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
    fn describe(&self) -> String {
        format!("csv {}", self.path)
    }
}
