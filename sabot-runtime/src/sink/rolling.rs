//! Files rolled by size or time, for streaming outputs: a directory of `part-00000.parquet`,
//! `part-00001.parquet`, ... where each part is closed (and renamed into place, so readers see
//! only whole files) once it holds enough rows or bytes or has been open long enough, as
//! Flink's file sink rolls its part files.

use super::{Sink, csv, parquet};
use crate::error::{Error, Result};
use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use std::time::{Duration, Instant};

/// When a part file is closed and the next one started (whichever comes first).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RollPolicy {
    /// Rows per part.
    pub max_rows: Option<u64>,
    /// Bytes per part, counted as the Arrow size of the batches written (the file is smaller:
    /// it is encoded and compressed).
    pub max_bytes: Option<u64>,
    /// How long a part stays open; checked when a batch arrives.
    pub interval: Option<Duration>,
}

/// The file format of the parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartFormat {
    /// Parquet, zstd.
    Parquet,
    /// CSV with a header row.
    Csv,
}

/// Writes `dir/part-NNNNN.EXT` files, rolling to the next one by `policy`.
pub struct RollingSink {
    dir: String,
    format: PartFormat,
    policy: RollPolicy,
    name: String,
    schema: Option<SchemaRef>,
    part: Option<Part>,
    next: u64,
}

struct Part {
    sink: Box<dyn Sink>,
    rows: u64,
    bytes: u64,
    opened: Instant,
}

/// A rolling sink of `format` parts in the directory `dir`.
pub fn rolling(dir: impl Into<String>, format: PartFormat, policy: RollPolicy) -> RollingSink {
    RollingSink { dir: dir.into(), format, policy, name: String::new(), schema: None, part: None, next: 0 }
}

impl RollingSink {
    /// Part files closed so far.
    pub fn parts(&self) -> u64 {
        self.next - u64::from(self.part.is_some())
    }

    fn start_part(&mut self) -> Result<()> {
        let schema = self.schema.clone().ok_or_else(|| Error::Config(format!("rolling sink {}: written before open", self.dir)))?;
        let path = match self.format {
            PartFormat::Parquet => format!("{}/part-{:05}.parquet", self.dir, self.next),
            PartFormat::Csv => format!("{}/part-{:05}.csv", self.dir, self.next),
        };
        let mut sink: Box<dyn Sink> = match self.format {
            PartFormat::Parquet => Box::new(parquet(path)),
            PartFormat::Csv => Box::new(csv(path)),
        };
        sink.open(&self.name, schema)?;
        self.next += 1;
        self.part = Some(Part { sink, rows: 0, bytes: 0, opened: Instant::now() });
        Ok(())
    }

    fn full(&self, part: &Part) -> bool {
        let p = &self.policy;
        p.max_rows.is_some_and(|n| part.rows >= n)
            || p.max_bytes.is_some_and(|n| part.bytes >= n)
            || p.interval.is_some_and(|d| part.opened.elapsed() >= d)
    }
}

impl Sink for RollingSink {
    fn open(&mut self, name: &str, schema: SchemaRef) -> Result<()> {
        std::fs::create_dir_all(&self.dir).map_err(|e| Error::io(std::path::Path::new(&self.dir), e))?;
        self.name = name.to_string();
        self.schema = Some(schema);
        Ok(())
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        if let Some(part) = &self.part
            && self.full(part)
        {
            let mut done = self.part.take().expect("checked");
            done.sink.finish()?;
        }
        if self.part.is_none() {
            self.start_part()?;
        }
        let part = self.part.as_mut().expect("started");
        part.sink.write(batch)?;
        part.rows += batch.num_rows() as u64;
        part.bytes += batch.get_array_memory_size() as u64;
        Ok(())
    }

    /// Closes the open part; a run that wrote nothing leaves no part.
    fn finish(&mut self) -> Result<()> {
        match self.part.take() {
            Some(mut part) => part.sink.finish(),
            None => Ok(()),
        }
    }

    fn describe(&self) -> String {
        format!("{} parts in {}", if self.format == PartFormat::Parquet { "parquet" } else { "csv" }, self.dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{ArrayRef, UInt64Array};
    use std::sync::Arc;

    fn batch(rows: u64) -> RecordBatch {
        let col: ArrayRef = Arc::new(UInt64Array::from_iter_values(0..rows));
        RecordBatch::try_from_iter([("n", col)]).unwrap()
    }

    fn parts(dir: &std::path::Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn rolls_by_rows_and_keeps_every_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_string_lossy().into_owned();
        let mut sink = rolling(&path, PartFormat::Csv, RollPolicy { max_rows: Some(250), ..Default::default() });
        sink.open("out", batch(1).schema()).unwrap();
        for _ in 0..10 {
            sink.write(&batch(100)).unwrap();
        }
        sink.finish().unwrap();
        // 100 rows at a time, closed at 300, 600, 900: four parts.
        assert_eq!(parts(dir.path()), ["part-00000.csv", "part-00001.csv", "part-00002.csv", "part-00003.csv"]);
        let lines: usize = parts(dir.path()).iter().map(|p| std::fs::read_to_string(dir.path().join(p)).unwrap().lines().count() - 1).sum();
        assert_eq!(lines, 1000);
    }

    #[test]
    fn rolls_by_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_string_lossy().into_owned();
        let mut sink = rolling(&path, PartFormat::Parquet, RollPolicy { interval: Some(Duration::from_millis(30)), ..Default::default() });
        sink.open("out", batch(1).schema()).unwrap();
        sink.write(&batch(5)).unwrap();
        sink.write(&batch(5)).unwrap();
        std::thread::sleep(Duration::from_millis(40));
        sink.write(&batch(5)).unwrap();
        sink.finish().unwrap();
        assert_eq!(parts(dir.path()), ["part-00000.parquet", "part-00001.parquet"]);
        assert_eq!(sink.parts(), 2);
    }

    #[test]
    fn writes_no_part_without_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out").to_string_lossy().into_owned();
        let mut sink = rolling(&path, PartFormat::Parquet, RollPolicy::default());
        sink.open("out", batch(1).schema()).unwrap();
        sink.finish().unwrap();
        assert!(parts(&dir.path().join("out")).is_empty());
    }
}
