//! Parquet files as a sink, zstd-compressed, made visible by an atomic rename when complete.
//!
//! Also holds [`Staged`], the write-to-a-hidden-name-then-rename logic shared with the CSV sink.

use super::Sink;
use crate::error::{Error, Result};
use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Writes parquet output: to `path` if it ends in `.parquet`, else to `part-00000.parquet` in
/// the directory `path` (created if missing).
#[derive(Debug)]
pub struct ParquetSink {
    path: String,
    open: Option<OpenParquet>,
}

#[derive(Debug)]
struct OpenParquet {
    staged: Staged,
    writer: ArrowWriter<File>,
}

/// A sink writing to `path` (a `.parquet` file or a directory).
pub fn parquet(path: impl Into<String>) -> ParquetSink {
    ParquetSink { path: path.into(), open: None }
}

impl ParquetSink {
    fn not_open(&self) -> Error {
        Error::Config(format!("parquet sink {}: written before open", self.path))
    }
}

impl Sink for ParquetSink {
    fn open(&mut self, _name: &str, schema: SchemaRef) -> Result<()> {
        // An earlier open's temporary file has the same name: drop (remove) it first.
        self.open = None;
        let staged = Staged::new(&self.path, "parquet")?;
        let file = staged.create()?;
        let props = WriterProperties::builder().set_compression(Compression::ZSTD(ZstdLevel::default())).build();
        let writer = ArrowWriter::try_new(file, schema, Some(props))
            .map_err(|e| Error::Parquet { path: staged.path.clone(), message: e.to_string() })?;
        self.open = Some(OpenParquet { staged, writer });
        Ok(())
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let Some(open) = self.open.as_mut() else {
            return Err(self.not_open());
        };
        open.writer.write(batch).map_err(|e| Error::Parquet { path: open.staged.path.clone(), message: e.to_string() })
    }

    /// Writes the footer and renames the file into place; a second call does nothing.
    fn finish(&mut self) -> Result<()> {
        let Some(OpenParquet { staged, writer }) = self.open.take() else {
            return Ok(());
        };
        let file = writer.into_inner().map_err(|e| Error::Parquet { path: staged.path.clone(), message: e.to_string() })?;
        staged.commit(file)
    }

    fn describe(&self) -> String {
        format!("parquet {}", self.path)
    }
}

/// An output file written under a hidden temporary name in its final directory and renamed
/// into place by [`Staged::commit`]; dropped before that, it removes the temporary file.
#[derive(Debug)]
pub(super) struct Staged {
    /// Where the output appears.
    pub(super) path: PathBuf,
    temp: PathBuf,
    committed: bool,
}

impl Staged {
    /// The output for `path`: the file itself if it ends in `.extension` (and is not a
    /// directory), else `part-00000.extension` inside the directory `path`. Creates the
    /// directory.
    pub(super) fn new(path: &str, extension: &str) -> Result<Self> {
        let p = Path::new(path);
        let file = if p.extension().is_some_and(|e| e == extension) && !p.is_dir() {
            p.to_path_buf()
        } else {
            p.join(format!("part-00000.{extension}"))
        };
        let dir = match file.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let name = file.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        // Hidden, so a reader of the directory skips it while it is incomplete.
        let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        Ok(Staged { path: file, temp, committed: false })
    }

    /// Creates (or truncates) the temporary file.
    pub(super) fn create(&self) -> Result<File> {
        File::create(&self.temp).map_err(|e| Error::io(&self.temp, e))
    }

    /// Syncs `file` (the temporary file, fully written) and renames it to the final path.
    pub(super) fn commit(mut self, file: File) -> Result<()> {
        file.sync_all().map_err(|e| Error::io(&self.temp, e))?;
        drop(file);
        std::fs::rename(&self.temp, &self.path).map_err(|e| Error::io(&self.path, e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: an unfinished output must not be left behind.
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}
