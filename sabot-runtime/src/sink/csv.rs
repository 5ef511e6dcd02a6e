//! CSV files as a sink: a header row (unless turned off), then the rows; made visible by an
//! atomic rename when complete. Timestamps are written as `2024-01-01 00:00:00.120`, the SQL
//! form Flink, DuckDB and Spark read.

use super::Sink;
use super::parquet::Staged;
use crate::error::{Error, Result};
use arrow::array::RecordBatch;
use arrow::csv::{Writer, WriterBuilder};
use arrow::datatypes::SchemaRef;
use std::fs::File;
use std::io::BufWriter;

/// Writes csv output: to `path` if it ends in `.csv`, else to `part-00000.csv` in the
/// directory `path` (created if missing).
#[derive(Debug)]
pub struct CsvSink {
    path: String,
    header: bool,
    open: Option<OpenCsv>,
}

#[derive(Debug)]
struct OpenCsv {
    staged: Staged,
    writer: Writer<BufWriter<File>>,
    schema: SchemaRef,
    /// Whether a batch (and so the header) was written.
    wrote: bool,
}

/// Timestamps without a time zone: date, time, and as many fractional digits as needed.
const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.f";

/// A sink writing to `path` (a `.csv` file or a directory).
pub fn csv(path: impl Into<String>) -> CsvSink {
    CsvSink { path: path.into(), header: true, open: None }
}

impl CsvSink {
    /// Whether the file starts with a header row of column names (default: yes).
    pub fn header(mut self, header: bool) -> Self {
        self.header = header;
        self
    }
}

impl OpenCsv {
    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.wrote = true;
        self.writer.write(batch).map_err(|e| Error::arrow(format!("{}: writing csv", self.staged.path.display()), e))
    }
}

impl Sink for CsvSink {
    fn open(&mut self, _name: &str, schema: SchemaRef) -> Result<()> {
        // An earlier open's temporary file has the same name: drop (remove) it first.
        self.open = None;
        let staged = Staged::new(&self.path, "csv")?;
        let file = staged.create()?;
        let writer =
            WriterBuilder::new().with_header(self.header).with_timestamp_format(TIMESTAMP_FORMAT.into()).build(BufWriter::new(file));
        self.open = Some(OpenCsv { staged, writer, schema, wrote: false });
        Ok(())
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        match self.open.as_mut() {
            Some(open) => open.write(batch),
            None => Err(Error::Config(format!("csv sink {}: written before open", self.path))),
        }
    }

    /// Flushes and renames the file into place; a second call does nothing.
    fn finish(&mut self) -> Result<()> {
        let Some(mut open) = self.open.take() else {
            return Ok(());
        };
        if !open.wrote {
            // The writer writes the header with the first batch: an empty one still has it.
            open.write(&RecordBatch::new_empty(open.schema.clone()))?;
        }
        let OpenCsv { staged, writer, .. } = open;
        let file = writer.into_inner().into_inner().map_err(|e| Error::io(&staged.path, e.into_error()))?;
        staged.commit(file)
    }

    fn describe(&self) -> String {
        format!("csv {}", self.path)
    }
}
