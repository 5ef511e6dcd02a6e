//! Parquet files as a source (being written).

use super::{ReadRequest, Source, Split};
use crate::error::{Error, Result};

/// Reads parquet files: one file, a directory of them, or a glob.
#[derive(Debug, Clone)]
pub struct ParquetSource {
    path: String,
}

/// A source over `path` (file, directory or glob).
pub fn parquet(path: impl Into<String>) -> ParquetSource {
    ParquetSource { path: path.into() }
}

impl Source for ParquetSource {
    fn splits(&self, _req: &ReadRequest) -> Result<Vec<Box<dyn Split>>> {
        Err(Error::Config(format!("{}: parquet source not available yet", self.path)))
    }
    fn describe(&self) -> String {
        format!("parquet {}", self.path)
    }
}
