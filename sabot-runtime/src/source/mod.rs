//! Sources: split an input into parts that can be read in parallel, each yielding morsels with
//! only the columns the pipeline reads.

mod csv;
mod memory;
mod nexmark;
mod parquet;
mod pread;
mod prune;
mod stored;
mod zstd_pages;

pub use self::csv::{CsvSource, csv};
pub use self::memory::{MemorySource, memory};
pub use self::nexmark::{DEFAULT_RATE, EventKind, Nexmark, NexmarkConfig, NexmarkSource, nexmark};
pub use self::parquet::{ParquetSource, parquet};
pub use self::prune::{FileStats, KeepRowGroup, PruneByStats, PruneFn, RowGroupStats, StatBound, StatValue};
pub use self::stored::StoredSource;

use crate::error::Result;
use crate::stage::Morsel;
use arrow::datatypes::SchemaRef;
use std::sync::Arc;

/// Rows per morsel unless a source is told otherwise.
pub const DEFAULT_BATCH_ROWS: usize = 65_536;

/// What a pipeline asks of a source.
#[derive(Debug, Clone)]
pub struct ReadRequest {
    /// The source's name in the pipeline.
    pub source: Arc<str>,
    /// The record type the pipeline reads it as, for messages.
    pub record: Arc<str>,
    /// The record's full schema (types for schema-less formats such as CSV).
    pub schema: SchemaRef,
    /// The columns to decode; the others are skipped.
    pub columns: Vec<String>,
    /// Rows per morsel.
    pub batch_rows: usize,
    /// The row-group test of the filter after the source, if it has bounds (Parquet only).
    pub prune: Option<PruneFn>,
}

/// The morsels of one split, in order.
pub type MorselIter = Box<dyn Iterator<Item = Result<Morsel>> + Send>;

/// Splits made one at a time, in input order: how streaming runs read inputs that never end.
pub type SplitStream = Box<dyn Iterator<Item = Result<Box<dyn Split>>> + Send>;

/// A part of a source read by one worker, in order (a Parquet row group, a CSV file...).
pub trait Split: Send {
    /// Opens the split.
    fn open(self: Box<Self>) -> Result<MorselIter>;
}

/// An input of a job.
pub trait Source: Send + Sync {
    /// Splits the input for reading `req.columns`; splits are read in parallel and their
    /// outputs kept in split order.
    fn splits(&self, req: &ReadRequest) -> Result<Vec<Box<dyn Split>>>;
    /// The splits one at a time; sources that may never end (an unbounded generator) make
    /// them lazily. By default, `splits` in order.
    fn split_stream(&self, req: &ReadRequest) -> Result<SplitStream> {
        Ok(Box::new(self.splits(req)?.into_iter().map(Ok)))
    }
    /// A one-line description for logs and `explain`.
    fn describe(&self) -> String;
    /// Rows this source holds, when it can tell without reading them (the planner picks a
    /// join's build side from it); `None` by default.
    fn estimated_rows(&self) -> Option<u64> {
        None
    }
}

/// A source given by a CLI spec `KIND:PATH` (`parquet:data/bids/`, `csv:logs.csv`).
pub fn from_spec(spec: &str) -> Result<Box<dyn Source>> {
    let (kind, path) = spec.split_once(':').ok_or_else(|| {
        crate::Error::Config(format!("source `{spec}`: expected KIND:PATH, e.g. parquet:data/bids/ (kinds: parquet, csv, nexmark)"))
    })?;
    match kind {
        "parquet" => Ok(Box::new(parquet(path))),
        "csv" => Ok(Box::new(csv(path))),
        "nexmark" => nexmark_spec(spec, path),
        other => Err(crate::Error::Config(format!("source `{spec}`: unknown kind `{other}` (kinds: parquet, csv, nexmark)"))),
    }
}

/// `nexmark:KIND:EVENTS`: the generator's persons, auctions or bids out of EVENTS events.
fn nexmark_spec(spec: &str, rest: &str) -> Result<Box<dyn Source>> {
    let usage = || {
        crate::Error::Config(format!(
            "source `{spec}`: expected nexmark:KIND:EVENTS, e.g. nexmark:bids:10000000 (kinds: persons, auctions, bids)"
        ))
    };
    let (kind, events) = rest.split_once(':').ok_or_else(usage)?;
    let events: u64 = events.replace('_', "").parse().map_err(|_| usage())?;
    let n = nexmark(NexmarkConfig { events, ..NexmarkConfig::default() });
    Ok(match kind {
        "persons" => Box::new(n.persons()),
        "auctions" => Box::new(n.auctions()),
        "bids" => Box::new(n.bids()),
        _ => return Err(usage()),
    })
}

/// Files named by a path: the file itself, every file of a directory (sorted, hidden files
/// skipped), or the matches of a glob pattern (sorted).
pub fn expand_paths(path: &str, extension: &str) -> Result<Vec<std::path::PathBuf>> {
    use crate::Error;
    let p = std::path::Path::new(path);
    let mut files = if p.is_dir() {
        let rd = std::fs::read_dir(p).map_err(|e| Error::io(p, e))?;
        let mut v = Vec::new();
        for entry in rd {
            let entry = entry.map_err(|e| Error::io(p, e))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_file() && !name.starts_with('.') && !name.starts_with('_') && path.extension().is_some_and(|e| e == extension) {
                v.push(path);
            }
        }
        v
    } else if path.contains(['*', '?', '[']) {
        let paths = glob::glob(path).map_err(|e| Error::Config(format!("bad glob `{path}`: {e}")))?;
        paths.filter_map(|r| r.ok()).filter(|p| p.is_file()).collect()
    } else if p.is_file() {
        vec![p.to_path_buf()]
    } else {
        return Err(Error::io(p, std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory")));
    };
    files.sort();
    if files.is_empty() {
        return Err(Error::Config(format!("{path}: no .{extension} files found")));
    }
    Ok(files)
}
