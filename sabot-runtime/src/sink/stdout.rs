//! A pretty table on standard output, cut to the first rows (20 by default) so that a large
//! output does not flood the terminal; a last line gives the row count.

use super::Sink;
use crate::error::{Error, Result};
use arrow::array::RecordBatch;
use arrow::datatypes::{Schema, SchemaRef};
use arrow::util::pretty::{pretty_format_batches, pretty_format_batches_with_schema};
use std::io::Write;
use std::sync::Arc;

/// Rows printed unless [`StdoutSink::limit`] says otherwise.
const DEFAULT_LIMIT: usize = 20;

/// Prints the first rows as a table, then `(N rows)`.
#[derive(Debug)]
pub struct StdoutSink {
    limit: usize,
    schema: Option<SchemaRef>,
    /// The rows kept for printing, at most `limit`.
    shown: Vec<RecordBatch>,
    shown_rows: usize,
    total_rows: u64,
}

impl Default for StdoutSink {
    fn default() -> Self {
        StdoutSink { limit: DEFAULT_LIMIT, schema: None, shown: Vec::new(), shown_rows: 0, total_rows: 0 }
    }
}

/// A sink printing a table of the first 20 rows to standard output.
pub fn stdout() -> StdoutSink {
    StdoutSink::default()
}

impl StdoutSink {
    /// Prints at most `rows` rows (the others are only counted).
    pub fn limit(mut self, rows: usize) -> Self {
        self.limit = rows;
        self
    }

    /// The table and the count line, as printed by `finish`.
    fn render(&self) -> Result<String> {
        let table = if self.shown.is_empty() {
            let schema = self.schema.clone().unwrap_or_else(|| Arc::new(Schema::empty()));
            pretty_format_batches_with_schema(schema, &[]).map(|t| t.to_string())
        } else {
            pretty_format_batches(&self.shown).map(|t| t.to_string())
        }
        .map_err(|e| Error::arrow("formatting the output table", e))?;
        let total = self.total_rows;
        let plural = if total == 1 { "" } else { "s" };
        let hidden = total - self.shown_rows as u64;
        let count = if hidden > 0 { format!("... {hidden} more rows ({total} row{plural})") } else { format!("({total} row{plural})") };
        Ok(format!("{table}\n{count}\n"))
    }
}

impl Sink for StdoutSink {
    fn open(&mut self, _name: &str, schema: SchemaRef) -> Result<()> {
        self.schema = Some(schema);
        Ok(())
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.total_rows += batch.num_rows() as u64;
        let take = batch.num_rows().min(self.limit.saturating_sub(self.shown_rows));
        if take > 0 {
            self.shown.push(batch.slice(0, take));
            self.shown_rows += take;
        }
        Ok(())
    }

    /// Prints the table; a failed write (a closed pipe...) is an error.
    fn finish(&mut self) -> Result<()> {
        let text = self.render()?;
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(|e| Error::io("<stdout>", e))?;
        self.shown.clear();
        self.shown_rows = 0;
        self.total_rows = 0;
        Ok(())
    }

    fn describe(&self) -> String {
        "stdout".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Int64Array;
    use arrow::datatypes::{DataType, Field};

    fn batch(values: std::ops::Range<i64>) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, false)]));
        let column = Arc::new(Int64Array::from_iter_values(values));
        RecordBatch::try_new(schema, vec![column]).unwrap()
    }

    #[test]
    fn prints_at_most_the_limit_then_the_count() {
        let mut sink = stdout().limit(3);
        sink.open("out", batch(0..0).schema()).unwrap();
        sink.write(&batch(0..2)).unwrap();
        sink.write(&batch(2..10)).unwrap();
        let text = sink.render().unwrap();
        assert!(text.contains("| 2 |"), "{text}");
        assert!(!text.contains("| 3 |"), "{text}");
        assert!(text.ends_with("... 7 more rows (10 rows)\n"), "{text}");
    }

    #[test]
    fn prints_a_header_for_no_rows() {
        let mut sink = stdout();
        sink.open("out", batch(0..0).schema()).unwrap();
        let text = sink.render().unwrap();
        assert!(text.contains("| n |"), "{text}");
        assert!(text.ends_with("(0 rows)\n"), "{text}");
    }

    #[test]
    fn all_rows_under_the_limit() {
        let mut sink = stdout();
        sink.open("out", batch(0..0).schema()).unwrap();
        sink.write(&batch(0..1)).unwrap();
        let text = sink.render().unwrap();
        assert!(text.ends_with("| 0 |\n+---+\n(1 row)\n"), "{text}");
    }
}
