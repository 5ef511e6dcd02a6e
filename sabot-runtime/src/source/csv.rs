//! Csv files as a source (being written).

use super::{ReadRequest, Source, Split};
use crate::error::{Error, Result};

/// Reads csv files: one file, a directory of them, or a glob.
#[derive(Debug, Clone)]
pub struct CsvSource {
    path: String,
}

/// A source over `path` (file, directory or glob).
pub fn csv(path: impl Into<String>) -> CsvSource {
    CsvSource { path: path.into() }
}

impl Source for CsvSource {
    fn splits(&self, _req: &ReadRequest) -> Result<Vec<Box<dyn Split>>> {
        Err(Error::Config(format!("{}: csv source not available yet", self.path)))
    }
    fn describe(&self) -> String {
        format!("csv {}", self.path)
    }
}
