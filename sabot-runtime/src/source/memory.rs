//! In-memory input: rows or batches handed to the job directly.

use super::{MorselIter, ReadRequest, Source, Split};
use crate::conform::Origin;
use crate::error::{Error, Result};
use crate::record::Record;
use crate::stage::Morsel;
use arrow::array::RecordBatch;

/// Batches held in memory; each batch is one split.
#[derive(Debug, Clone)]
pub struct MemorySource {
    batches: Vec<RecordBatch>,
}

impl MemorySource {
    /// The schema of the batches, if there are any.
    pub fn schema(&self) -> Option<arrow::datatypes::SchemaRef> {
        self.batches.first().map(|b| b.schema())
    }
}

/// Anything `memory` accepts: rows of a record, or Arrow batches.
pub trait IntoBatches {
    /// The batches.
    fn into_batches(self) -> Vec<RecordBatch>;
}

impl<T: Record> IntoBatches for Vec<T> {
    fn into_batches(self) -> Vec<RecordBatch> {
        T::to_batches(&self, super::DEFAULT_BATCH_ROWS)
    }
}

impl IntoBatches for Vec<RecordBatch> {
    fn into_batches(self) -> Vec<RecordBatch> {
        self
    }
}

/// A source over rows (`Vec<T>` of a record) or batches (`Vec<RecordBatch>`).
pub fn memory(data: impl IntoBatches) -> MemorySource {
    MemorySource { batches: data.into_batches() }
}

struct MemorySplit {
    morsel: Morsel,
    columns: Vec<String>,
}

impl Split for MemorySplit {
    fn open(self: Box<Self>) -> Result<MorselIter> {
        let Morsel { batch, origin } = self.morsel;
        let schema = batch.schema();
        // A missing column is reported by `conform` with the record's name; keep what exists.
        let indices: Vec<usize> = self.columns.iter().filter_map(|c| schema.column_with_name(c).map(|(i, _)| i)).collect();
        let batch = batch.project(&indices).map_err(|e| Error::arrow(format!("{origin}: projecting"), e))?;
        Ok(Box::new(std::iter::once(Ok(Morsel { batch, origin }))))
    }
}

impl Source for MemorySource {
    /// One split per morsel-sized slice, so one large batch still runs on every core.
    fn splits(&self, req: &ReadRequest) -> Result<Vec<Box<dyn Split>>> {
        let step = req.batch_rows.max(1);
        let mut splits: Vec<Box<dyn Split>> = Vec::new();
        let mut first_row = 0u64;
        for b in &self.batches {
            let mut start = 0;
            while start < b.num_rows() {
                let len = step.min(b.num_rows() - start);
                let origin = Origin { source: req.source.clone(), file: None, first_row: first_row + start as u64 };
                splits.push(Box::new(MemorySplit { morsel: Morsel { batch: b.slice(start, len), origin }, columns: req.columns.clone() }));
                start += len;
            }
            first_row += b.num_rows() as u64;
        }
        Ok(splits)
    }

    fn describe(&self) -> String {
        let rows: usize = self.batches.iter().map(|b| b.num_rows()).sum();
        format!("memory ({} batches, {rows} rows)", self.batches.len())
    }

    fn estimated_rows(&self) -> Option<u64> {
        Some(self.batches.iter().map(|b| b.num_rows() as u64).sum())
    }
}
