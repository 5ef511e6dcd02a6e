//! Conforming input batches to a record: find each read column by name, cast it when the
//! file's type differs (losslessly, or lossily where the field says `#[sabot(cast)]`), and
//! reject nulls in non-`Option` fields, with errors naming source, file, column and types.

use crate::error::{Error, Result};
use crate::record::{FieldMask, Record};
use crate::value::Accept;
use arrow::array::{Array, ArrayRef, RecordBatch};
use arrow::compute::{CastOptions, cast_with_options};
use std::fmt;
use std::sync::Arc;

/// Where a batch came from: source name, file and the row number of its first row.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The source's name in the pipeline.
    pub source: Arc<str>,
    /// The file, when the source reads files.
    pub file: Option<Arc<str>>,
    /// Row number of the batch's first row within its file or source (0-based).
    pub first_row: u64,
}

impl Origin {
    /// An origin with only a source name.
    pub fn new(source: &str) -> Self {
        Origin { source: source.into(), file: None, first_row: 0 }
    }

    /// The same origin for a batch starting at row `first_row`.
    pub fn at_row(self, first_row: u64) -> Self {
        Origin { first_row, ..self }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "source `{}` ({file})", self.source),
            None => write!(f, "source `{}`", self.source),
        }
    }
}

/// The arrays of `batch` that record `R` reads under `mask`, one slot per field, each of a type
/// the field's `Value::col` accepts.
pub fn conform<R: Record>(batch: &RecordBatch, mask: FieldMask, origin: &Origin) -> Result<Vec<Option<ArrayRef>>> {
    let schema = batch.schema();
    let mut out = Vec::with_capacity(R::fields().len());
    for (k, field) in R::fields().iter().enumerate() {
        if k >= 128 || mask & (1 << k) == 0 {
            out.push(None);
            continue;
        }
        let Some((idx, _)) = schema.column_with_name(field.name) else {
            let found: Vec<_> = schema.fields().iter().map(|f| format!("`{}`", f.name())).collect();
            return Err(Error::MissingColumn {
                origin: origin.to_string(),
                column: field.name.into(),
                record: R::NAME.into(),
                found: found.join(", "),
            });
        };
        let col = batch.column(idx);
        let found = col.data_type();
        let target = match field.accept(found) {
            Accept::Exact => None,
            Accept::Lossless(t) => Some(t),
            Accept::Lossy(t) if field.cast => Some(t),
            accept => {
                let hint = match accept {
                    Accept::Lossy(_) => {
                        format!("; this cast can change values: add `#[sabot(cast)]` to field `{}` to allow it", field.name)
                    }
                    _ => String::new(),
                };
                return Err(Error::TypeMismatch {
                    origin: origin.to_string(),
                    column: field.name.into(),
                    record: R::NAME.into(),
                    expected: field.data_type.to_string(),
                    found: found.to_string(),
                    hint,
                });
            }
        };
        let col = match target {
            None => col.clone(),
            Some(t) => {
                let opts = CastOptions { safe: false, ..Default::default() };
                cast_with_options(col, &t, &opts).map_err(|e| Error::Cast {
                    origin: origin.to_string(),
                    column: field.name.into(),
                    expected: t.to_string(),
                    found: found.to_string(),
                    message: e.to_string(),
                })?
            }
        };
        if !field.nullable && col.null_count() > 0 {
            let row = col.logical_nulls().and_then(|n| (0..n.len()).find(|&i| n.is_null(i))).unwrap_or(0);
            return Err(Error::UnexpectedNull {
                origin: origin.to_string(),
                column: field.name.into(),
                record: R::NAME.into(),
                row: origin.first_row + row as u64,
            });
        }
        if let Err((row, message)) = field.validate(col.as_ref()) {
            return Err(Error::Cast {
                origin: origin.to_string(),
                column: field.name.into(),
                expected: field.data_type.to_string(),
                found: format!("{} (row {})", col.data_type(), origin.first_row + row as u64),
                message,
            });
        }
        out.push(Some(col));
    }
    check_lengths(&out, batch.num_rows())?;
    Ok(out)
}

/// Fails unless every array is as long as the batch (guards hand-built inputs).
fn check_lengths(arrays: &[Option<ArrayRef>], rows: usize) -> Result<()> {
    match arrays.iter().flatten().find(|a| a.len() != rows) {
        Some(a) => Err(Error::Config(format!("column of {} rows in a batch of {rows}", a.len()))),
        None => Ok(()),
    }
}
