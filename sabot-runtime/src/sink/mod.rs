//! Sinks: take a pipeline output's batches in order and write them somewhere.

mod blackhole;
mod collect;
mod csv;
mod parquet;
mod rolling;
mod stdout;

pub use self::blackhole::{BlackholeSink, blackhole};
pub use self::collect::{CollectSink, Collected, collect};
pub use self::csv::{CsvSink, csv};
pub use self::parquet::{ParquetSink, parquet};
pub use self::rolling::{PartFormat, RollPolicy, RollingSink, rolling};
pub use self::stdout::{StdoutSink, stdout};

use crate::error::Result;
use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;

/// An output of a job.
pub trait Sink: Send {
    /// Called once before the first batch, with the output's name and schema.
    fn open(&mut self, name: &str, schema: SchemaRef) -> Result<()>;
    /// Writes one batch; batches arrive in output order.
    fn write(&mut self, batch: &RecordBatch) -> Result<()>;
    /// Flushes and closes; a file sink makes its output visible only here.
    fn finish(&mut self) -> Result<()>;
    /// A one-line description for logs.
    fn describe(&self) -> String;
}

/// Batches as a text table (for examples and the stdout sink).
pub fn pretty(batches: &[RecordBatch]) -> Result<String> {
    arrow::util::pretty::pretty_format_batches(batches).map(|t| t.to_string()).map_err(|e| crate::Error::arrow("formatting a table", e))
}

/// A sink given by a CLI spec, with `parquet:DIR` and `csv:DIR` rolled into part files by
/// `policy` when it sets a limit (`--roll-rows`, `--roll-bytes`, `--roll-every`).
pub fn from_spec_rolled(spec: &str, policy: RollPolicy) -> Result<Box<dyn Sink>> {
    if policy == RollPolicy::default() {
        return from_spec(spec);
    }
    match spec.split_once(':') {
        Some(("parquet", dir)) if !dir.ends_with(".parquet") => Ok(Box::new(rolling(dir, PartFormat::Parquet, policy))),
        Some(("csv", dir)) if !dir.ends_with(".csv") => Ok(Box::new(rolling(dir, PartFormat::Csv, policy))),
        _ => from_spec(spec),
    }
}

/// A sink given by a CLI spec `KIND:PATH` or `stdout`.
pub fn from_spec(spec: &str) -> Result<Box<dyn Sink>> {
    match spec {
        "stdout" => return Ok(Box::new(stdout())),
        "blackhole" => return Ok(Box::new(blackhole())),
        _ => {}
    }
    let (kind, path) = spec
        .split_once(':')
        .ok_or_else(|| crate::Error::Config(format!("sink `{spec}`: expected KIND:PATH, stdout or blackhole (kinds: parquet, csv)")))?;
    match kind {
        "parquet" => Ok(Box::new(parquet(path))),
        "csv" => Ok(Box::new(csv(path))),
        "stdout" => Ok(Box::new(stdout())),
        other => Err(crate::Error::Config(format!("sink `{spec}`: unknown kind `{other}` (kinds: parquet, csv; or stdout, blackhole)"))),
    }
}
