//! A pretty table on standard output (being written).

use super::Sink;
use crate::error::Result;
use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;

/// Prints rows as a table.
#[derive(Debug, Default)]
pub struct StdoutSink {
    batches: Vec<RecordBatch>,
}

/// A sink printing a table to standard output.
pub fn stdout() -> StdoutSink {
    StdoutSink::default()
}

impl Sink for StdoutSink {
    fn open(&mut self, _: &str, _: SchemaRef) -> Result<()> {
        Ok(())
    }
    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.batches.push(batch.clone());
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        if let Ok(t) = arrow::util::pretty::pretty_format_batches(&self.batches) {
            println!("{t}");
        }
        Ok(())
    }
    fn describe(&self) -> String {
        "stdout".into()
    }
}
