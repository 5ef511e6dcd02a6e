//! The CSV source's fast path, for rows without quotes or carriage returns: rows are split at
//! their delimiters 64 bytes at a time, and integer, timestamp and text columns are built from
//! the file's bytes directly, without arrow-csv's copy of every field into a record buffer.
//!
//! At the first thing it does not handle (a quote, a `\r`, an empty line, a wrong number of
//! fields, a value that does not parse as written here) it stops, and arrow-csv reads the rest
//! of the file from the first row not yet returned: arrow-csv then decodes what it can and
//! locates what it cannot. So every value the fast path returns is the one arrow-csv returns,
//! and every error is arrow-csv's, located as before.

use super::CsvFile;
use super::classify::{Masks, classify};
use super::values::{LastDate, signed, timestamp_after, unsigned};
use crate::error::{Error, Result};
use arrow::array::{ArrayRef, PrimitiveArray, RecordBatch, StringArray};
use arrow::buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow::datatypes::{
    ArrowPrimitiveType, DataType, Int8Type, Int16Type, Int32Type, Int64Type, SchemaRef, TimeUnit, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

/// How the fast path builds one requested column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kind {
    /// A signed integer of this many bits.
    Signed(u32),
    /// An unsigned integer of this many bits.
    Unsigned(u32),
    /// UTF-8 text.
    Text,
    /// A timestamp without time zone, in this unit.
    Timestamp(TimeUnit),
}

impl Kind {
    /// The fast path's way to build a column of `data_type`, if it has one.
    pub(super) fn of(data_type: &DataType) -> Option<Kind> {
        use DataType::*;
        Some(match data_type {
            Int8 => Kind::Signed(8),
            Int16 => Kind::Signed(16),
            Int32 => Kind::Signed(32),
            Int64 => Kind::Signed(64),
            UInt8 => Kind::Unsigned(8),
            UInt16 => Kind::Unsigned(16),
            UInt32 => Kind::Unsigned(32),
            UInt64 => Kind::Unsigned(64),
            Utf8 => Kind::Text,
            Timestamp(unit, None) => Kind::Timestamp(*unit),
            _ => return None,
        })
    }
}

/// Bytes read per refill of the buffer: small enough that a refill's rows are still in cache
/// when their columns are built.
const READ_BYTES: usize = 1 << 20;

/// Marks a field no column is built from.
const SKIPPED: u16 = u16::MAX;

/// What [`FastReader::next_batch`] found.
pub(super) enum Step {
    /// The next rows.
    Batch(RecordBatch),
    /// The end of the file.
    End,
    /// Rows the fast path does not read: arrow-csv reads on from this file offset. It is the
    /// start of the batch the fast path stopped in, so that batches are cut where arrow-csv
    /// alone cuts them and an error fails the batch it would fail. Past the first row it is the
    /// newline before the batch, which arrow-csv skips as a blank line: a fresh arrow-csv reader
    /// drops a byte order mark opening its input, one reading the whole file keeps it there.
    Handover(u64),
}

/// The fast path over one file: its buffered bytes and the columns being built.
pub(super) struct FastReader {
    file: File,
    path: PathBuf,
    /// Bytes read from the file; `buf[pos..len]` are not returned yet.
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    /// File offset of `buf[0]`.
    base: u64,
    /// File offset of the first data row.
    start: u64,
    eof: bool,
    delimiter: u8,
    /// Per field of a row: the index of the column built from it, or [`SKIPPED`].
    slots: Vec<u16>,
    /// The projected schema of the batches.
    schema: SchemaRef,
    columns: Vec<Column>,
    /// Per indexed row, per column: where its field starts and ends in `buf`.
    spans: Vec<[u32; 2]>,
    /// Rows in `columns`.
    rows: usize,
}

impl FastReader {
    /// A reader of `csv`'s rows from `file` (open at its first data row), building its
    /// requested columns as `kinds`.
    pub(super) fn new(csv: &CsvFile, file: File, kinds: &[Kind]) -> Result<Self> {
        let (fields, projection) = (csv.schema.fields().len(), &csv.projection);
        let schema = csv.schema.project(projection).map_err(|e| Error::arrow("reading csv", e))?;
        let mut slots = vec![SKIPPED; fields];
        for (column, &field) in projection.iter().enumerate() {
            slots[field] = column as u16;
        }
        Ok(FastReader {
            file,
            path: csv.path.clone(),
            buf: vec![0; READ_BYTES],
            pos: 0,
            len: 0,
            base: csv.data_start,
            start: csv.data_start,
            eof: false,
            delimiter: csv.delimiter,
            slots,
            schema: Arc::new(schema),
            columns: kinds.iter().map(|&kind| Column::new(kind)).collect(),
            spans: Vec::new(),
            rows: 0,
        })
    }

    /// The next batch of `batch_rows` rows (fewer at the end), the end, or where arrow-csv
    /// takes over.
    pub(super) fn next_batch(&mut self, batch_rows: usize) -> Result<Step> {
        let batch_start = self.base + self.pos as u64;
        while self.rows < batch_rows {
            let want = batch_rows - self.rows;
            let Indexed { rows, end, stop } = self.index(want);
            if rows > 0 && !self.build(rows, want) {
                return Ok(self.handover(batch_start));
            }
            self.rows += rows;
            self.pos = end;
            if rows == want {
                // The batch is whole; what stopped the fast path lies in the next one.
                break;
            } else if stop {
                return Ok(self.handover(batch_start));
            } else if self.eof {
                break;
            }
            self.fill()?;
        }
        if self.rows > 0 {
            return self.finish().map(Step::Batch);
        }
        Ok(Step::End)
    }

    /// Drops the batch begun at file offset `batch_start` and hands over there.
    fn handover(&mut self, batch_start: u64) -> Step {
        self.columns.iter_mut().for_each(Column::clear);
        self.rows = 0;
        Step::Handover(if batch_start > self.start { batch_start - 1 } else { batch_start })
    }

    /// Moves the bytes not returned to the front of the buffer and reads more after them,
    /// growing the buffer when one row does not fit.
    fn fill(&mut self) -> Result<()> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.len, 0);
            self.base += self.pos as u64;
            self.len -= self.pos;
            self.pos = 0;
        }
        if self.buf.len() - self.len < READ_BYTES / 2 {
            self.buf.resize(self.buf.len() + READ_BYTES, 0);
        }
        while self.len < self.buf.len() {
            let n = self.file.read(&mut self.buf[self.len..]).map_err(|e| Error::io(&self.path, e))?;
            if n == 0 {
                self.eof = true;
                break;
            }
            self.len += n;
        }
        Ok(())
    }

    /// Finds up to `max` whole rows from `pos` and records their built fields' spans.
    fn index(&mut self, max: usize) -> Indexed {
        let buf = &self.buf[..self.len];
        let fields = self.slots.len();
        self.spans.clear();
        let (mut row_start, mut field_start, mut field) = (self.pos, self.pos, 0);
        let mut row_spans = 0;
        let (mut rows, mut non_ascii, mut stop) = (0, false, false);
        let mut at = self.pos;
        // arrow-csv drops a byte order mark that opens its input: leave the first row to it.
        if self.base + self.pos as u64 == self.start && buf[self.pos..].starts_with(b"\xef\xbb\xbf") {
            return Indexed { rows: 0, end: self.pos, stop: true };
        }
        'blocks: while at < buf.len() {
            let Masks { mut split, newline, special, high } = block_masks(buf, at, self.delimiter);
            if special != 0 {
                // Rows up to the row with the quote or `\r` are read here, the rest by arrow-csv.
                split &= (1 << special.trailing_zeros()) - 1;
                stop = true;
            }
            non_ascii |= high != 0;
            while split != 0 {
                let bit = split.trailing_zeros();
                split &= split - 1;
                let p = at + bit as usize;
                let Some(&slot) = self.slots.get(field) else {
                    stop = true;
                    break 'blocks;
                };
                if slot != SKIPPED {
                    self.spans.push([field_start as u32, p as u32]);
                }
                field += 1;
                field_start = p + 1;
                if newline >> bit & 1 == 1 {
                    // An empty line, or a row of another width.
                    if field != fields || p == row_start {
                        stop = true;
                        break 'blocks;
                    }
                    rows += 1;
                    (row_start, field) = (p + 1, 0);
                    row_spans = self.spans.len();
                    if rows == max {
                        break 'blocks;
                    }
                }
            }
            if stop {
                break;
            }
            at += 64;
        }
        if !stop && rows < max && self.eof && row_start < buf.len() {
            // The last row, without a newline.
            if field + 1 == fields {
                if self.slots[field] != SKIPPED {
                    self.spans.push([field_start as u32, buf.len() as u32]);
                }
                rows += 1;
                row_start = buf.len();
                row_spans = self.spans.len();
            } else {
                stop = true;
            }
        }
        self.spans.truncate(row_spans);
        // A field with bytes that are not UTF-8 is an error arrow-csv reports.
        if non_ascii && std::str::from_utf8(&buf[self.pos..row_start]).is_err() {
            return Indexed { rows: 0, end: self.pos, stop: true };
        }
        Indexed { rows, end: row_start, stop }
    }

    /// Appends the `rows` indexed rows (of `room` the batch still has) to the columns; false
    /// on a value it does not parse (the batch then goes to arrow-csv).
    fn build(&mut self, rows: usize, room: usize) -> bool {
        let width = self.columns.len();
        self.columns.iter_mut().enumerate().all(|(i, column)| {
            let spans = self.spans.iter().skip(i).step_by(width);
            column.append(&self.buf, spans, rows, room)
        })
    }

    /// The built rows as a batch; the columns start again empty.
    fn finish(&mut self) -> Result<RecordBatch> {
        let rows = std::mem::take(&mut self.rows);
        let columns = self.columns.iter_mut().map(|c| c.finish(rows)).collect();
        // A read of no columns (a count) still has rows.
        let options = arrow::array::RecordBatchOptions::new().with_row_count(Some(rows));
        let batch = RecordBatch::try_new_with_options(self.schema.clone(), columns, &options);
        batch.map_err(|e| Error::arrow(self.path.display().to_string(), e))
    }
}

/// Rows found by [`FastReader::index`].
struct Indexed {
    rows: usize,
    /// Where the last row ends.
    end: usize,
    /// Whether the fast path stops after these rows.
    stop: bool,
}

/// The masks of the 64 bytes of `buf` from `at`; bytes past the end are in no class.
fn block_masks(buf: &[u8], at: usize, delimiter: u8) -> Masks {
    match buf.get(at..at + 64) {
        Some(block) => classify(block.try_into().expect("64 bytes"), delimiter),
        None => {
            let mut block = [0u8; 64];
            let tail = &buf[at..];
            block[..tail.len()].copy_from_slice(tail);
            // Zero bytes are in no class, so the padding adds nothing to the masks.
            classify(&block, delimiter)
        }
    }
}

/// One column being built.
struct Column {
    kind: Kind,
    data: Data,
    /// Per row, whether it has a value; kept only once a null was seen.
    valid: Option<Vec<bool>>,
    /// The last date a timestamp column read: rows in a file mostly share it.
    last_date: Option<LastDate>,
}

/// A column's values.
enum Data {
    /// Signed integers and timestamps, as `i64`.
    Signed(Vec<i64>),
    /// Unsigned integers, as `u64`.
    Unsigned(Vec<u64>),
    /// Text: the end offset of each value, and the bytes.
    Text(Vec<i32>, Vec<u8>),
}

impl Column {
    fn new(kind: Kind) -> Self {
        let data = match kind {
            Kind::Signed(_) | Kind::Timestamp(_) => Data::Signed(Vec::new()),
            Kind::Unsigned(_) => Data::Unsigned(Vec::new()),
            Kind::Text => Data::Text(vec![0], Vec::new()),
        };
        Column { kind, data, valid: None, last_date: None }
    }

    /// Appends the fields at `spans` of `rows` rows, of `room` rows the batch still has; false
    /// on a value not parsed here.
    fn append<'a>(&mut self, buf: &[u8], spans: impl Iterator<Item = &'a [u32; 2]> + Clone, rows: usize, room: usize) -> bool {
        let start = self.len();
        if let Data::Text(ends, bytes) = &mut self.data {
            ends.reserve(room);
            let added: usize = spans.clone().map(|[from, to]| (to - from) as usize).sum();
            if bytes.capacity() - bytes.len() < added {
                // Room for the rest of the batch at these rows' size, plus an eighth, so the
                // text is not copied again each time the buffer doubles.
                let expected = added * room / rows.max(1);
                bytes.reserve(expected + expected / 8);
            }
        }
        for [from, to] in spans {
            let field = &buf[*from as usize..*to as usize];
            if field.is_empty() {
                // arrow-csv reads an empty field as a null of any type.
                self.push_null(start + rows);
                continue;
            }
            let parsed = match (&mut self.data, self.kind) {
                (Data::Signed(values), Kind::Signed(bits)) => signed(field, bits).map(|v| values.push(v)),
                (Data::Signed(values), Kind::Timestamp(unit)) => timestamp_after(field, unit, &mut self.last_date).map(|v| values.push(v)),
                (Data::Unsigned(values), Kind::Unsigned(bits)) => unsigned(field, bits).map(|v| values.push(v)),
                (Data::Text(ends, bytes), _) => {
                    bytes.extend_from_slice(field);
                    i32::try_from(bytes.len()).ok().map(|end| ends.push(end))
                }
                _ => None,
            };
            if parsed.is_none() {
                return false;
            }
            if let Some(valid) = &mut self.valid {
                valid.push(true);
            }
        }
        true
    }

    /// Rows in the column.
    fn len(&self) -> usize {
        match &self.data {
            Data::Signed(v) => v.len(),
            Data::Unsigned(v) => v.len(),
            Data::Text(ends, _) => ends.len() - 1,
        }
    }

    /// Appends a null; `expected` is the length the column will have, to size the validity.
    fn push_null(&mut self, expected: usize) {
        let len = self.len();
        let valid = self.valid.get_or_insert_with(|| {
            let mut valid = Vec::with_capacity(expected);
            valid.resize(len, true);
            valid
        });
        valid.push(false);
        match &mut self.data {
            Data::Signed(v) => v.push(0),
            Data::Unsigned(v) => v.push(0),
            Data::Text(ends, bytes) => ends.push(bytes.len() as i32),
        }
    }

    /// Drops every row.
    fn clear(&mut self) {
        *self = Column::new(self.kind);
    }

    /// The column's `rows` rows as an array; the column starts again empty.
    fn finish(&mut self, rows: usize) -> ArrayRef {
        debug_assert_eq!(rows, self.len());
        let nulls = self.valid.take().map(|v| NullBuffer::from(v.as_slice()));
        let data = std::mem::replace(&mut self.data, Column::new(self.kind).data);
        match (data, self.kind) {
            (Data::Signed(v), Kind::Signed(8)) => narrow::<Int8Type, _>(v, nulls),
            (Data::Signed(v), Kind::Signed(16)) => narrow::<Int16Type, _>(v, nulls),
            (Data::Signed(v), Kind::Signed(32)) => narrow::<Int32Type, _>(v, nulls),
            (Data::Signed(v), Kind::Signed(_)) => array::<Int64Type>(v, nulls),
            (Data::Signed(v), Kind::Timestamp(TimeUnit::Second)) => array::<TimestampSecondType>(v, nulls),
            (Data::Signed(v), Kind::Timestamp(TimeUnit::Millisecond)) => array::<TimestampMillisecondType>(v, nulls),
            (Data::Signed(v), Kind::Timestamp(TimeUnit::Microsecond)) => array::<TimestampMicrosecondType>(v, nulls),
            (Data::Signed(v), Kind::Timestamp(TimeUnit::Nanosecond)) => array::<TimestampNanosecondType>(v, nulls),
            (Data::Unsigned(v), Kind::Unsigned(8)) => narrow::<UInt8Type, _>(v, nulls),
            (Data::Unsigned(v), Kind::Unsigned(16)) => narrow::<UInt16Type, _>(v, nulls),
            (Data::Unsigned(v), Kind::Unsigned(32)) => narrow::<UInt32Type, _>(v, nulls),
            (Data::Unsigned(v), _) => array::<UInt64Type>(v, nulls),
            (Data::Text(ends, bytes), _) => {
                let offsets = OffsetBuffer::new(ScalarBuffer::from(ends));
                // SAFETY: every field is UTF-8: the classifier saw only ASCII, or `index`
                // checked the rows' bytes, and fields start and end at ASCII delimiters. The
                // offsets start at 0 and only grow, up to the bytes' length.
                Arc::new(unsafe { StringArray::new_unchecked(offsets, Buffer::from_vec(bytes), nulls) })
            }
            (Data::Signed(_), Kind::Unsigned(_) | Kind::Text) => {
                unreachable!("a column's data follows its kind")
            }
        }
    }
}

/// An array of `T` holding `values` as they are.
fn array<T: ArrowPrimitiveType>(values: Vec<T::Native>, nulls: Option<NullBuffer>) -> ArrayRef {
    Arc::new(PrimitiveArray::<T>::new(ScalarBuffer::from(values), nulls))
}

/// An array of the narrower `T`; `values` were range-checked when parsed.
fn narrow<T: ArrowPrimitiveType, W: Copy>(values: Vec<W>, nulls: Option<NullBuffer>) -> ArrayRef
where
    T::Native: TryFrom<W>,
{
    let narrowed = values.into_iter().map(|v| T::Native::try_from(v).unwrap_or_default());
    Arc::new(PrimitiveArray::<T>::new(narrowed.collect(), nulls))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::AsArray;
    use arrow::datatypes::{Field, Schema};
    use std::path::Path;

    const KINDS: [Kind; 3] = [Kind::Unsigned(64), Kind::Text, Kind::Timestamp(TimeUnit::Millisecond)];

    /// `text` as a file in `dir`.
    fn written(dir: &tempfile::TempDir, text: &str) -> PathBuf {
        let path = dir.path().join("f.csv");
        std::fs::write(&path, text).unwrap();
        path
    }

    /// A fast reader of `path`, whose rows are `id,name,ts` without a header.
    fn reader(path: &Path) -> FastReader {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::UInt64, true),
            Field::new("name", DataType::Utf8, true),
            Field::new("ts", DataType::Timestamp(TimeUnit::Millisecond, None), true),
        ]));
        let csv = CsvFile {
            path: path.to_path_buf(),
            schema,
            projection: vec![0, 1, 2],
            empty_is_text: vec![false; 3],
            delimiter: b',',
            data_start: 0,
            batch_rows: 10,
            origin: crate::conform::Origin { source: "s".into(), file: None, first_row: 0 },
            fast: Some(KINDS.to_vec()),
        };
        FastReader::new(&csv, File::open(path).unwrap(), &KINDS).unwrap()
    }

    #[test]
    fn rows_are_read_here_up_to_a_quote_and_handed_over_there() {
        let dir = tempfile::tempdir().unwrap();
        let path = written(&dir, "1,a,2024-01-01 00:00:00.011\n2,,2024-01-01 00:00:01\n3,\"c\",2024-01-01 00:00:02\n");
        let mut reader = reader(&path);
        let Step::Batch(batch) = reader.next_batch(2).unwrap() else { panic!("the first batch is read here") };
        assert_eq!(batch.num_rows(), 2);
        assert_eq!(batch.column(0).as_primitive::<UInt64Type>().values(), &[1, 2]);
        assert_eq!(batch.column(1).as_string::<i32>().iter().collect::<Vec<_>>(), [Some("a"), None]);
        assert_eq!(batch.column(2).as_primitive::<TimestampMillisecondType>().values(), &[1_704_067_200_011, 1_704_067_201_000]);
        // From the newline that ends row 2.
        let Step::Handover(offset) = reader.next_batch(2).unwrap() else { panic!("arrow-csv reads row 3") };
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!((offset, &text[offset as usize..]), (50, "\n3,\"c\",2024-01-01 00:00:02\n"));
    }

    #[test]
    fn a_batch_with_a_row_not_read_here_goes_to_arrow_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = written(&dir, "1,a,2024-01-01 00:00:00\n2,\"b\",2024-01-01 00:00:01\n");
        assert!(matches!(reader(&path).next_batch(10).unwrap(), Step::Handover(0)));
    }

    #[test]
    fn a_byte_order_mark_opening_the_rows_is_left_to_arrow() {
        let dir = tempfile::tempdir().unwrap();
        let path = written(&dir, "\u{feff}1,a,2024-01-01 00:00:00\n");
        assert!(matches!(reader(&path).next_batch(10).unwrap(), Step::Handover(0)));
    }

    #[test]
    fn rows_longer_than_a_refill_are_read_here_whole() {
        let dir = tempfile::tempdir().unwrap();
        let long = "x".repeat(3 * READ_BYTES);
        let path = written(&dir, &format!("1,{long},2024-01-01 00:00:00\n2,b,2024-01-01 00:00:01\n3,{long},2024-01-01 00:00:02"));
        let mut reader = reader(&path);
        let Step::Batch(batch) = reader.next_batch(10).unwrap() else { panic!("long rows are read here") };
        assert_eq!(batch.column(0).as_primitive::<UInt64Type>().values(), &[1, 2, 3]);
        let lens: Vec<usize> = batch.column(1).as_string::<i32>().iter().map(|s| s.map_or(0, str::len)).collect();
        assert_eq!(lens, [3 * READ_BYTES, 1, 3 * READ_BYTES]);
        assert!(matches!(reader.next_batch(10).unwrap(), Step::End));
    }
}
