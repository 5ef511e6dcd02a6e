//! Parquet files as a source: one split per row group of every file, each decoding only the
//! columns the pipeline reads.
//!
//! The footer of each file is read once, in [`Source::splits`], and shared by the splits of its
//! row groups. Columns keep the file's types: the runtime's `conform` casts them afterwards.

use super::pread::PreadFile;
use super::zstd_pages::{ZstdRowGroup, has_zstd};
use super::{MorselIter, ReadRequest, Source, Split, expand_paths};
use crate::conform::Origin;
use crate::error::{Error, Result};
use crate::stage::Morsel;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Reads parquet files: one file, a directory of them, or a glob.
#[derive(Debug, Clone)]
pub struct ParquetSource {
    path: String,
}

/// A source over `path` (file, directory or glob of `.parquet` files).
pub fn parquet(path: impl Into<String>) -> ParquetSource {
    ParquetSource { path: path.into() }
}

/// One row group of one file.
struct RowGroupSplit {
    path: PathBuf,
    /// The file's footer, shared by all its row groups.
    meta: ArrowReaderMetadata,
    row_group: usize,
    projection: ProjectionMask,
    batch_rows: usize,
    /// Where the row group's first row is, for error messages.
    origin: Origin,
}

impl ParquetSource {
    /// The splits of one file: its footer is read here, once.
    fn file_splits(&self, path: &Path, req: &ReadRequest, out: &mut Vec<Box<dyn Split>>) -> Result<()> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let meta = ArrowReaderMetadata::load(&file, ArrowReaderOptions::default())
            .map_err(|e| Error::Parquet { path: path.to_path_buf(), message: format!("cannot read the footer: {e}") })?;
        let meta = with_dictionary_strings(meta);
        let file_name: Arc<str> = path.display().to_string().into();
        let origin = Origin { source: req.source.clone(), file: Some(file_name), first_row: 0 };
        let indices = column_indices(&meta, req, &origin)?;
        let projection = ProjectionMask::roots(meta.parquet_schema(), indices);
        let mut first_row = 0u64;
        let stats = super::FileStats::new(&meta);
        let mut pruned = 0usize;
        for (row_group, rg) in meta.metadata().row_groups().iter().enumerate() {
            let rows = u64::try_from(rg.num_rows()).unwrap_or(0);
            let keep = req.prune.is_none_or(|may_match| may_match(&stats.row_group(row_group)));
            pruned += usize::from(rows > 0 && !keep);
            if rows > 0 && keep {
                out.push(Box::new(RowGroupSplit {
                    path: path.to_path_buf(),
                    meta: meta.clone(),
                    row_group,
                    projection: projection.clone(),
                    batch_rows: req.batch_rows.max(1),
                    origin: Origin { first_row, ..origin.clone() },
                }));
            }
            first_row += rows;
        }
        if pruned > 0 {
            tracing::info!(file = %path.display(), pruned, "row groups skipped by their statistics");
        }
        Ok(())
    }
}

/// Reads string columns that are dictionary-encoded in every row group as Arrow dictionary
/// arrays: the reader then hands over the codes instead of expanding every string (about a
/// tenth of TPC-H Q1's time), and `String` fields read them as they are. Decimals stored as
/// INT64 are read as `Decimal64` instead of being widened to `Decimal128` value by value (13%
/// of TPC-H Q6's decode time); `Decimal` fields read both.
fn with_dictionary_strings(meta: ArrowReaderMetadata) -> ArrowReaderMetadata {
    use arrow::datatypes::{DataType, Field, Schema};
    let schema = meta.schema();
    let groups = meta.metadata().row_groups();
    // Flat files only: there, field `i` is leaf column `i`.
    if groups.is_empty() || schema.fields().len() != meta.parquet_schema().num_columns() {
        return meta;
    }
    let mut changed = false;
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let dictionary = groups.iter().all(|g| g.column(i).dictionary_page_offset().is_some());
            let int64 = meta.parquet_schema().column(i).physical_type() == parquet::basic::Type::INT64;
            match f.data_type() {
                DataType::Utf8 if dictionary => {
                    changed = true;
                    f.as_ref().clone().with_data_type(DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)))
                }
                DataType::Decimal128(p, s) if int64 && *p <= 18 => {
                    changed = true;
                    f.as_ref().clone().with_data_type(DataType::Decimal64(*p, *s))
                }
                _ => f.as_ref().clone(),
            }
        })
        .collect();
    if !changed {
        return meta;
    }
    let hint = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    ArrowReaderMetadata::try_new(meta.metadata().clone(), ArrowReaderOptions::new().with_schema(hint)).unwrap_or(meta)
}

/// Indices, in the file's schema, of the columns `req` reads; a missing one is an error naming
/// the file and the columns it has.
fn column_indices(meta: &ArrowReaderMetadata, req: &ReadRequest, origin: &Origin) -> Result<Vec<usize>> {
    let schema = meta.schema();
    let mut indices = Vec::with_capacity(req.columns.len());
    for column in &req.columns {
        let Some((idx, _)) = schema.column_with_name(column) else {
            let found: Vec<_> = schema.fields().iter().map(|f| format!("`{}`", f.name())).collect();
            return Err(Error::MissingColumn {
                origin: origin.to_string(),
                column: column.clone(),
                record: req.record.to_string(),
                found: found.join(", "),
            });
        };
        if !indices.contains(&idx) {
            indices.push(idx);
        }
    }
    Ok(indices)
}

impl Split for RowGroupSplit {
    fn open(self: Box<Self>) -> Result<MorselIter> {
        let RowGroupSplit { path, meta, row_group, projection, batch_rows, origin } = *self;
        let file = File::open(&path).and_then(PreadFile::new).map_err(|e| Error::io(&path, e))?;
        let fail = |e: parquet::errors::ParquetError| Error::Parquet { path: path.clone(), message: format!("row group {row_group}: {e}") };
        let reader = if has_zstd(meta.metadata(), row_group) {
            let rg = ZstdRowGroup::new(file, Arc::clone(meta.metadata()), row_group).map_err(fail)?;
            let levels = parquet::arrow::parquet_to_arrow_field_levels(meta.parquet_schema(), projection, Some(meta.schema().fields()))
                .map_err(fail)?;
            ParquetRecordBatchReader::try_new_with_row_groups(&levels, &rg, batch_rows, None).map_err(fail)?
        } else {
            ParquetRecordBatchReaderBuilder::new_with_metadata(file, meta)
                .with_projection(projection)
                .with_row_groups(vec![row_group])
                .with_batch_size(batch_rows)
                .build()
                .map_err(fail)?
        };
        let mut next_row = origin.first_row;
        Ok(Box::new(reader.map(move |batch| {
            let batch = batch
                .map_err(|e| Error::Parquet { path: path.clone(), message: format!("row group {row_group}, near row {next_row}: {e}") })?;
            let origin = Origin { first_row: next_row, ..origin.clone() };
            next_row += batch.num_rows() as u64;
            Ok(Morsel { batch, origin })
        })))
    }
}

impl Source for ParquetSource {
    /// One split per non-empty row group of every file, in file then row-group order.
    fn splits(&self, req: &ReadRequest) -> Result<Vec<Box<dyn Split>>> {
        let mut splits = Vec::new();
        for path in expand_paths(&self.path, "parquet")? {
            self.file_splits(&path, req, &mut splits)?;
        }
        Ok(splits)
    }

    fn describe(&self) -> String {
        format!("parquet {}", self.path)
    }

    /// The row counts in the files' footers (before any row-group pruning); `None` when a
    /// file cannot be read (the run then reports it).
    fn estimated_rows(&self) -> Option<u64> {
        let mut rows = 0u64;
        for path in expand_paths(&self.path, "parquet").ok()? {
            let file = File::open(&path).ok()?;
            let meta = parquet::file::metadata::ParquetMetaDataReader::new().parse_and_finish(&file).ok()?;
            rows += u64::try_from(meta.file_metadata().num_rows()).ok()?;
        }
        Some(rows)
    }
}
