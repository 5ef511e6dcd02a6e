//! CSV files as a source: one split per file, typed by the record's schema.
//!
//! The header names the file's columns; a column the record has is parsed as the record field's
//! type (as arrow-csv parses it), any other column as text, and only the requested columns are
//! decoded. A row that does not parse is located again, record by record, from the start of
//! its batch, so the error names the file, the 1-based line and column, and the field.
//!
//! Files whose requested columns are integers, timestamps without time zone or text are read by
//! the fast path in [`scan`] until it meets a row it does not read (a quote, for one); arrow-csv
//! reads the rest of the file from there.

mod classify;
#[cfg(test)]
mod equivalence;
mod scan;
mod values;

use super::{MorselIter, ReadRequest, Source, Split, expand_paths};
use crate::conform::Origin;
use crate::error::{Error, Result};
use crate::stage::Morsel;
use arrow::array::{Array, AsArray, RecordBatch};
use arrow::csv::ReaderBuilder;
use arrow::csv::reader::{Decoder, Format};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::error::ArrowError;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Reads csv files: one file, a directory of them, or a glob.
#[derive(Debug, Clone)]
pub struct CsvSource {
    path: String,
    delimiter: u8,
    has_header: bool,
    /// Whether files may be read by the fast path (tests compare it with arrow-csv alone).
    fast: bool,
}

/// A source over `path` (file, directory or glob of `.csv` files), with a header row and `,`
/// as delimiter.
pub fn csv(path: impl Into<String>) -> CsvSource {
    CsvSource { path: path.into(), delimiter: b',', has_header: true, fast: true }
}

impl CsvSource {
    /// Sets the field delimiter (`,` by default).
    pub fn delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = delimiter;
        self
    }

    /// Sets whether the first line names the columns (the default). Without a header the
    /// columns are the record's fields, in order.
    pub fn has_header(mut self, has_header: bool) -> Self {
        self.has_header = has_header;
        self
    }

    /// Reads the header of `path` and plans the decoding of `req.columns`.
    fn plan(&self, path: &Path, req: &ReadRequest) -> Result<CsvFile> {
        let (names, data_start) = if self.has_header {
            read_header(path, self.delimiter)?
        } else {
            let names = req.schema.fields().iter().map(|f| f.name().clone());
            (names.collect(), 0)
        };
        let origin = Origin { source: req.source.clone(), file: Some(path.display().to_string().into()), first_row: 0 };
        let mut projection = Vec::with_capacity(req.columns.len());
        for column in &req.columns {
            let Some(idx) = names.iter().position(|n| n == column) else {
                let found: Vec<_> = names.iter().map(|n| format!("`{n}`")).collect();
                let found = Some(found.join(", ")).filter(|f| !f.is_empty());
                return Err(Error::MissingColumn {
                    origin: origin.to_string(),
                    column: column.clone(),
                    record: req.record.to_string(),
                    found: found.unwrap_or_else(|| "none (empty file)".into()),
                });
            };
            if !projection.contains(&idx) {
                projection.push(idx);
            }
        }
        projection.sort_unstable();
        let fields: Vec<Field> = names
            .iter()
            .map(|name| {
                let data_type = match req.schema.field_with_name(name) {
                    Ok(f) if csv_parses(f.data_type()) => f.data_type().clone(),
                    _ => DataType::Utf8,
                };
                // Nulls in non-`Option` fields are reported by `conform`, with the row.
                Field::new(name, data_type, true)
            })
            .collect();
        // CSV writes an empty string and a null the same way: a `String` field (not `Option`)
        // reads an empty field as an empty string.
        let empty_is_text = projection
            .iter()
            .map(|&i| req.schema.field_with_name(&names[i]).is_ok_and(|f| !f.is_nullable() && f.data_type() == &DataType::Utf8))
            .collect();
        let schema = Arc::new(Schema::new(fields));
        // The fast path splits on the delimiter with quotes, `\r`, `\n` and NUL (its padding)
        // meaning something else.
        let quoting = [b'"', b'\r', b'\n', 0].contains(&self.delimiter) || !self.delimiter.is_ascii();
        let kinds: Option<Vec<_>> = projection.iter().map(|&i| scan::Kind::of(schema.field(i).data_type())).collect();
        Ok(CsvFile {
            path: path.to_path_buf(),
            fast: kinds.filter(|_| self.fast && !quoting),
            schema,
            projection,
            empty_is_text,
            delimiter: self.delimiter,
            data_start,
            batch_rows: req.batch_rows.max(1),
            origin,
        })
    }
}

/// Whether arrow-csv parses text into `data_type`; other columns are read as text and cast
/// by `conform`.
fn csv_parses(data_type: &DataType) -> bool {
    use DataType::*;
    match data_type {
        Boolean | Float32 | Float64 | Date32 | Date64 | Timestamp(_, _) | Utf8 | Utf8View => true,
        Time32(unit) => matches!(unit, TimeUnit::Second | TimeUnit::Millisecond),
        Time64(unit) => matches!(unit, TimeUnit::Microsecond | TimeUnit::Nanosecond),
        Dictionary(key, value) => key.is_dictionary_key_type() && **value == Utf8,
        other => other.is_integer() || other.is_decimal(),
    }
}

/// The header's column names and its length in bytes.
fn read_header(path: &Path, delimiter: u8) -> Result<(Vec<String>, u64)> {
    let context = || format!("{}: reading the header", path.display());
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let format = Format::default().with_header(true).with_delimiter(delimiter);
    let (schema, _) = format.infer_schema(BufReader::new(&file), Some(0)).map_err(|e| Error::arrow(context(), e))?;
    let mut names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    if let Some(first) = names.first_mut() {
        // A UTF-8 byte order mark is not part of the first name.
        *first = first.trim_start_matches('\u{feff}').to_string();
    }
    // Decode the header as one text record to learn where the data starts.
    let mut reader = BufReader::new(&file);
    reader.rewind().map_err(|e| Error::io(path, e))?;
    let mut decoder = text_decoder(names.len(), delimiter);
    let header = feed_record(&mut reader, &mut decoder, path)?;
    match header.error {
        Some(e) => Err(Error::arrow(context(), e)),
        None => Ok((names, header.bytes.len() as u64)),
    }
}

/// A decoder of one record of `n` text columns.
fn text_decoder(n: usize, delimiter: u8) -> Decoder {
    let fields: Vec<Field> = (0..n).map(|i| Field::new(format!("c{i}"), DataType::Utf8, true)).collect();
    ReaderBuilder::new(Arc::new(Schema::new(fields))).with_header(false).with_delimiter(delimiter).with_batch_size(1).build_decoder()
}

/// One record fed to a decoder of batch size 1.
struct Fed {
    /// Its bytes; on error, the bytes read so far and the rest of the buffer.
    bytes: Vec<u8>,
    /// The decoder's error (a wrong number of fields).
    error: Option<ArrowError>,
    /// Whether input remains after it.
    more: bool,
}

/// Feeds `decoder` (of batch size 1) one record from `reader`.
fn feed_record(reader: &mut impl BufRead, decoder: &mut Decoder, path: &Path) -> Result<Fed> {
    let mut bytes = Vec::new();
    loop {
        let buf = reader.fill_buf().map_err(|e| Error::io(path, e))?;
        let (error, more) = match decoder.decode(buf) {
            Ok(0) => (None, !buf.is_empty()),
            Ok(n) => {
                bytes.extend_from_slice(&buf[..n]);
                reader.consume(n);
                continue;
            }
            Err(e) => {
                bytes.extend_from_slice(buf);
                (Some(e), true)
            }
        };
        return Ok(Fed { bytes, error, more });
    }
}

/// One file to read, planned in `splits`.
#[derive(Debug)]
struct CsvFile {
    path: PathBuf,
    /// Every column of the file, typed.
    schema: SchemaRef,
    /// Indices of the requested columns, in file order.
    projection: Vec<usize>,
    /// Per projected column: whether an empty field is an empty string rather than a null.
    empty_is_text: Vec<bool>,
    delimiter: u8,
    /// Byte offset of the first record after the header.
    data_start: u64,
    batch_rows: usize,
    origin: Origin,
    /// How the fast path builds each requested column, when it can build them all.
    fast: Option<Vec<scan::Kind>>,
}

impl CsvFile {
    /// A decoder of the data records, without header, of `batch` rows, decoding `projection`.
    fn decoder(&self, batch: usize, projection: Vec<usize>) -> Decoder {
        ReaderBuilder::new(self.schema.clone())
            .with_header(false)
            .with_delimiter(self.delimiter)
            .with_batch_size(batch)
            .with_projection(projection)
            .build_decoder()
    }

    /// The file, buffered, from byte `offset`.
    fn open_at(&self, offset: u64, capacity: usize) -> Result<BufReader<File>> {
        Ok(BufReader::with_capacity(capacity, self.file_at(offset)?))
    }

    /// The file from byte `offset`.
    fn file_at(&self, offset: u64) -> Result<File> {
        let mut file = File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
        let at = file.seek(SeekFrom::Start(offset));
        at.map_err(|e| Error::io(&self.path, e))?;
        Ok(file)
    }

    /// arrow-csv reading the file from `offset`.
    fn arrow_input(&self, offset: u64) -> Result<ArrowInput> {
        Ok(ArrowInput {
            reader: self.open_at(offset, 1 << 20)?,
            decoder: self.decoder(self.batch_rows, self.projection.clone()),
            batch_start: offset,
            consumed: offset,
        })
    }

    /// The name of column `column`, or a placeholder for an extra field.
    fn field_name(&self, column: usize) -> String {
        let field = self.schema.fields().get(column);
        field.map_or_else(|| "<extra field>".into(), |f| f.name().clone())
    }
}

impl Split for CsvFile {
    fn open(self: Box<Self>) -> Result<MorselIter> {
        let input = match &self.fast {
            Some(kinds) => Input::Fast(scan::FastReader::new(&self, self.file_at(self.data_start)?, kinds)?),
            None => Input::Arrow(Box::new(self.arrow_input(self.data_start)?)),
        };
        Ok(Box::new(CsvMorsels { input, next_row: 0, done: false, file: *self }))
    }
}

/// The morsels of one file.
struct CsvMorsels {
    file: CsvFile,
    input: Input,
    /// Row number (0-based, after the header) of the current batch's first row.
    next_row: u64,
    done: bool,
}

/// Who reads the file's next rows.
enum Input {
    Fast(scan::FastReader),
    Arrow(Box<ArrowInput>),
}

/// arrow-csv reading a file from some offset.
struct ArrowInput {
    reader: BufReader<File>,
    decoder: Decoder,
    /// Byte offset of the current batch's first record.
    batch_start: u64,
    /// Bytes handed to the decoder so far, from the file's start.
    consumed: u64,
}

impl CsvMorsels {
    fn next_batch(&mut self) -> Result<Option<RecordBatch>> {
        let batch = loop {
            match &mut self.input {
                Input::Fast(fast) => match fast.next_batch(self.file.batch_rows)? {
                    scan::Step::Batch(batch) => break Some(batch),
                    scan::Step::End => break None,
                    scan::Step::Handover(offset) => self.input = Input::Arrow(Box::new(self.file.arrow_input(offset)?)),
                },
                Input::Arrow(arrow) => break arrow.next_batch(&self.file)?,
            }
        };
        batch.map(|b| empty_strings(b, &self.file.empty_is_text)).transpose()
    }
}

impl ArrowInput {
    fn next_batch(&mut self, file: &CsvFile) -> Result<Option<RecordBatch>> {
        loop {
            let buf = self.reader.fill_buf().map_err(|e| Error::io(&file.path, e))?;
            let n = match self.decoder.decode(buf) {
                Ok(n) => n,
                Err(e) => return Err(locate(file, self.batch_start, e)),
            };
            if n == 0 {
                break;
            }
            self.reader.consume(n);
            self.consumed += n as u64;
        }
        let batch = self.decoder.flush().map_err(|e| locate(file, self.batch_start, e))?;
        self.batch_start = self.consumed;
        Ok(batch)
    }
}

/// The batch with the nulls of the marked string columns read as empty strings (the decoder
/// reads an empty field as a null, and leaves its text empty).
fn empty_strings(batch: RecordBatch, marked: &[bool]) -> Result<RecordBatch> {
    use arrow::array::{Array, AsArray, StringArray};
    if !marked.iter().zip(batch.columns()).any(|(m, c)| *m && c.null_count() > 0) {
        return Ok(batch);
    }
    let columns = batch
        .columns()
        .iter()
        .zip(marked)
        .map(|(c, m)| match (m, c.as_string_opt::<i32>()) {
            (true, Some(s)) if s.null_count() > 0 => {
                Arc::new(StringArray::new(s.offsets().clone(), s.values().clone(), None)) as arrow::array::ArrayRef
            }
            _ => c.clone(),
        })
        .collect();
    RecordBatch::try_new(batch.schema(), columns).map_err(|e| Error::arrow("reading csv", e))
}

impl Iterator for CsvMorsels {
    type Item = Result<Morsel>;

    fn next(&mut self) -> Option<Result<Morsel>> {
        if self.done {
            return None;
        }
        let item = self.next_batch().transpose().map(|batch| {
            let batch = batch?;
            let first_row = self.next_row;
            self.next_row += batch.num_rows() as u64;
            let origin = Origin { first_row, ..self.file.origin.clone() };
            Ok(Morsel { batch, origin })
        });
        // After the end or an error, the decoder's state is not worth resuming.
        self.done = !matches!(item, Some(Ok(_)));
        item
    }
}

/// The error for a batch starting at byte `start` that failed with `err`: its records are
/// decoded again one at a time to find the first bad one.
fn locate(file: &CsvFile, start: u64, err: ArrowError) -> Error {
    let fallback = || Error::arrow(file.path.display().to_string(), err);
    find_bad_record(file, start).map_or_else(|e| e, |found| found.unwrap_or_else(fallback))
}

/// The error for the first record from byte `start` that does not decode, if any.
fn find_bad_record(file: &CsvFile, start: u64) -> Result<Option<Error>> {
    let path = &file.path;
    let mut reader = file.open_at(start, 1 << 16)?;
    let mut offset = start;
    loop {
        let mid_file = offset > file.data_start;
        let mut decoder = primed(file.decoder(1, file.projection.clone()), mid_file);
        let fed = feed_record(&mut reader, &mut decoder, path)?;
        if fed.error.is_some() || decoder.flush().is_err() {
            let line = line_of(path, offset, &fed.bytes)?;
            return Ok(Some(diagnose(file, line, &fed.bytes, mid_file)));
        }
        offset += fed.bytes.len() as u64;
        if !fed.more {
            return Ok(None);
        }
    }
}

/// `decoder`, for a record past the start of the data: a fresh decoder drops a byte order mark
/// opening its input, which arrow-csv reading the whole file reads as part of a later row. A
/// newline first, skipped as a blank line, makes the record's bytes read as they do there.
fn primed(mut decoder: Decoder, mid_file: bool) -> Decoder {
    if mid_file {
        // A lone newline is a blank line: it decodes to nothing and cannot fail.
        let _ = decoder.decode(b"\n");
    }
    decoder
}

/// Why the first record of `record` (on line `line`, past the start of the data when
/// `mid_file`) does not decode: its number of fields, its UTF-8, or the first requested column
/// that does not parse as its type.
fn diagnose(file: &CsvFile, line: u64, record: &[u8], mid_file: bool) -> Error {
    let error = |column: usize, message: String| Error::Csv {
        path: file.path.clone(),
        line,
        column: column + 1,
        field: file.field_name(column),
        message,
    };
    let expected = file.schema.fields().len();
    let found = count_fields(record, file.delimiter);
    if found != expected {
        return error(found.min(expected), format!("expected {expected} fields, found {found}"));
    }
    let values = match decode_all(&mut primed(text_decoder(expected, file.delimiter), mid_file), record) {
        Ok(values) => values,
        Err(e) => {
            // "invalid UTF-8 data for line L and field F": L counts from this record.
            let text = e.to_string();
            let field = text.rsplit(' ').next().and_then(|n| n.parse::<usize>().ok());
            let utf8 = text.contains("invalid UTF-8");
            let message = if utf8 { "invalid UTF-8".into() } else { text };
            return error(field.unwrap_or(1).saturating_sub(1), message);
        }
    };
    for &column in &file.projection {
        if decode_all(&mut primed(file.decoder(1, vec![column]), mid_file), record).is_ok() {
            continue;
        }
        let value = values
            .as_ref()
            .and_then(|b| b.columns().get(column))
            .and_then(|a| a.as_string_opt::<i32>())
            .filter(|a| !a.is_empty())
            .map(|a| a.value(0).to_string())
            .unwrap_or_default();
        let data_type = file.schema.field(column).data_type();
        return error(column, format!("cannot parse `{value}` as {data_type}"));
    }
    error(0, "the record does not decode".into())
}

/// The number of fields of the first record of `bytes`, for messages (`"` quotes, no escapes;
/// leading empty lines skipped).
fn count_fields(bytes: &[u8], delimiter: u8) -> usize {
    let start = bytes.iter().position(|&b| b != b'\n' && b != b'\r');
    let mut fields = 1;
    let mut quoted = false;
    for &b in &bytes[start.unwrap_or(bytes.len())..] {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if b == delimiter && !quoted => fields += 1,
            _ => {}
        }
    }
    fields
}

/// Decodes a whole in-memory input.
fn decode_all(decoder: &mut Decoder, mut input: &[u8]) -> std::result::Result<Option<RecordBatch>, ArrowError> {
    loop {
        let n = decoder.decode(input)?;
        if n == 0 {
            break;
        }
        input = &input[n..];
    }
    decoder.flush()
}

/// The 1-based line of a record read from byte `offset`: newlines before it, plus the empty
/// lines the record's bytes start with.
fn line_of(path: &Path, offset: u64, record: &[u8]) -> Result<u64> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut before = BufReader::new(file.take(offset));
    let mut lines = 1;
    loop {
        let buf = before.fill_buf().map_err(|e| Error::io(path, e))?;
        let n = buf.len();
        if n == 0 {
            break;
        }
        lines += buf.iter().filter(|&&b| b == b'\n').count() as u64;
        before.consume(n);
    }
    let empty = record.iter().take_while(|&&b| b == b'\n' || b == b'\r');
    Ok(lines + empty.filter(|&&b| b == b'\n').count() as u64)
}

impl Source for CsvSource {
    /// One split per file; each file's header is read here.
    fn splits(&self, req: &ReadRequest) -> Result<Vec<Box<dyn Split>>> {
        let mut splits: Vec<Box<dyn Split>> = Vec::new();
        for path in expand_paths(&self.path, "csv")? {
            splits.push(Box::new(self.plan(&path, req)?));
        }
        Ok(splits)
    }

    fn describe(&self) -> String {
        format!("csv {}", self.path)
    }
}
