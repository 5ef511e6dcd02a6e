//! CSV files as a sink: a header row, then the rows; made visible by an atomic rename when
//! complete.

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

/// A sink writing to `path` (a `.csv` file or a directory).
pub fn csv(path: impl Into<String>) -> CsvSink {
    CsvSink { path: path.into(), open: None }
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
        let writer = WriterBuilder::new().with_header(true).build(BufWriter::new(file));
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
