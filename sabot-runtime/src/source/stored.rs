//! Rows an earlier stage left in state-backend tables (a spilled aggregation's output), read
//! one table per split so that only one partition is in memory at a time.

use super::{MorselIter, ReadRequest, Source, Split};
use crate::conform::Origin;
use crate::error::{Error, Result};
use crate::stage::Morsel;
use arrow::datatypes::SchemaRef;
use sabot_state::StateBackend;
use std::sync::Arc;

/// Tables of one schema in a state backend; each table is one split.
#[derive(Debug, Clone)]
pub struct StoredSource {
    backend: Arc<dyn StateBackend>,
    tables: Vec<String>,
    schema: SchemaRef,
}

impl StoredSource {
    /// A source over `tables` of `backend`, whose rows have `schema`.
    pub fn new(backend: Arc<dyn StateBackend>, tables: Vec<String>, schema: SchemaRef) -> Self {
        StoredSource { backend, tables, schema }
    }

    /// The rows' schema.
    pub fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
}

struct StoredSplit {
    backend: Arc<dyn StateBackend>,
    table: String,
    columns: Vec<String>,
    source: Arc<str>,
}

impl Split for StoredSplit {
    fn open(self: Box<Self>) -> Result<MorselIter> {
        let batches = self.backend.read(&self.table)?;
        let (columns, source, table) = (self.columns, self.source, self.table);
        let mut first_row = 0u64;
        let morsels = batches.into_iter().map(move |batch| {
            let origin = Origin { source: Arc::clone(&source), file: Some(table.clone().into()), first_row };
            first_row += batch.num_rows() as u64;
            let schema = batch.schema();
            let indices: Vec<usize> = columns.iter().filter_map(|c| schema.column_with_name(c).map(|(i, _)| i)).collect();
            let batch = batch.project(&indices).map_err(|e| Error::arrow(format!("{origin}: projecting"), e))?;
            Ok(Morsel { batch, origin })
        });
        Ok(Box::new(morsels))
    }
}

impl Source for StoredSource {
    fn splits(&self, req: &ReadRequest) -> Result<Vec<Box<dyn Split>>> {
        let split = |t: &String| -> Box<dyn Split> {
            Box::new(StoredSplit {
                backend: Arc::clone(&self.backend),
                table: t.clone(),
                columns: req.columns.clone(),
                source: Arc::clone(&req.source),
            })
        };
        Ok(self.tables.iter().map(split).collect())
    }

    fn describe(&self) -> String {
        format!("{} state tables ({} partitions)", self.backend.kind(), self.tables.len())
    }
}
