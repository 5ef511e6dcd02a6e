//! The `Record` trait that `#[derive(Record)]` implements: a Rust struct as an Arrow schema,
//! a borrowed row view for closures, and columnar builders.

use crate::conform::{Origin, conform};
use crate::error::Result;
use crate::value::{Accept, FieldOpts, Value};
use arrow::array::{ArrayRef, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use std::sync::Arc;

/// Bit mask of the fields a pipeline reads (bit `k` is field `k`); at most 128 fields.
pub type FieldMask = u128;

/// Every field read.
pub const ALL_FIELDS: FieldMask = u128::MAX;

/// One field of a record, as the derive describes it.
#[derive(Debug, Clone)]
pub struct FieldInfo {
    /// Column name.
    pub name: &'static str,
    /// Arrow type the field is written as.
    pub data_type: DataType,
    /// Whether the field is `Option<_>`.
    pub nullable: bool,
    /// `#[sabot(cast)]`: lossy casts allowed.
    pub cast: bool,
    /// `#[sabot(event_time)]`.
    pub event_time: bool,
    /// `#[sabot(watermark)]`: its values, where present, are watermarks (punctuation).
    pub watermark: bool,
    /// The field's type-specific options.
    pub opts: FieldOpts,
    accept: fn(&DataType, &FieldOpts) -> Accept,
    validate: crate::value::Validate,
}

impl FieldInfo {
    /// Describes a field of value type `V`.
    pub fn of<V: Value>(name: &'static str, opts: FieldOpts, cast: bool, event_time: bool) -> Self {
        FieldInfo {
            name,
            data_type: V::data_type(&opts),
            nullable: V::NULLABLE,
            cast,
            event_time,
            watermark: false,
            opts,
            accept: V::accept,
            validate: V::validate,
        }
    }

    /// The same field marked `#[sabot(watermark)]`.
    pub fn punctuating(mut self) -> Self {
        self.watermark = true;
        self
    }

    /// Checks a conformed column's values: the first row this field cannot hold, and why.
    pub fn validate(&self, arr: &dyn arrow::array::Array) -> Result<(), (usize, String)> {
        (self.validate)(arr)
    }

    /// How this field reads a column of type `found`.
    pub fn accept(&self, found: &DataType) -> Accept {
        (self.accept)(found, &self.opts)
    }
}

/// A Rust struct that is a row of an Arrow `RecordBatch`; implemented by `#[derive(Record)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a Sabot record",
    label = "streams carry records",
    note = "add `#[derive(Record)]` to a struct with named fields and use it as the stream's item type"
)]
pub trait Record: Sized + Send + Sync + 'static {
    /// The borrowed row view closures see (`&str` for `String` fields).
    type Ref<'a>: Copy;
    /// Typed views over the columns of one batch.
    type Columns<'a>;
    /// Builds batches of this record.
    type Builder: RecordBuilder<Self>;

    /// The struct's name, for messages.
    const NAME: &'static str;
    /// Field names in declaration order; bit `k` of a `FieldMask` is `FIELD_NAMES[k]`.
    const FIELD_NAMES: &'static [&'static str];
    /// The bit of the `#[sabot(event_time)]` field, if the record has one (windows read it).
    const EVENT_TIME_MASK: FieldMask = 0;

    /// The fields, with their Arrow types and options.
    fn fields() -> &'static [FieldInfo];
    /// Typed column views over conformed arrays (one slot per field; `None` where not read).
    fn columns<'a, const M: FieldMask>(arrays: &'a [Option<ArrayRef>]) -> Self::Columns<'a>;
    /// Rows readable from `cols`: the shortest column in `M` (all are as long as the batch, and
    /// a loop bounded by this lets the compiler drop per-field bounds checks).
    fn len<const M: FieldMask>(cols: &Self::Columns<'_>) -> usize;
    /// Row `i`, reading only the fields in `M` (the others hold placeholder values).
    fn row<'a, const M: FieldMask>(cols: &Self::Columns<'a>, i: usize) -> Self::Ref<'a>;
    /// Borrows an owned record as a row view.
    fn as_row(&self) -> Self::Ref<'_>;
    /// Copies a row view into an owned record.
    fn from_row(row: Self::Ref<'_>) -> Self;
    /// A builder with room for `capacity` rows.
    fn builder(capacity: usize) -> Self::Builder;

    /// The Arrow schema of this record.
    fn schema() -> SchemaRef {
        let fields: Vec<Field> = Self::fields().iter().map(|f| Field::new(f.name, f.data_type.clone(), f.nullable)).collect();
        Arc::new(Schema::new(fields))
    }

    /// Converts rows to batches of at most `rows_per_batch` rows (at least one row each).
    fn to_batches(rows: &[Self], rows_per_batch: usize) -> Vec<RecordBatch> {
        rows.chunks(rows_per_batch.max(1))
            .map(|chunk| {
                let mut b = Self::builder(chunk.len());
                for r in chunk {
                    b.append(r.as_row());
                }
                b.finish()
            })
            .collect()
    }

    /// Reads every row of a batch, casting columns losslessly where their types differ.
    fn from_batch(batch: &RecordBatch) -> Result<Vec<Self>> {
        let arrays = conform::<Self>(batch, ALL_FIELDS, &Origin::new("batch"))?;
        let cols = Self::columns::<ALL_FIELDS>(&arrays);
        Ok((0..batch.num_rows()).map(|i| Self::from_row(Self::row::<ALL_FIELDS>(&cols, i))).collect())
    }
}

/// Appends row views and produces `RecordBatch`es.
pub trait RecordBuilder<R: Record>: Send {
    /// Appends one row.
    fn append(&mut self, row: R::Ref<'_>);
    /// Appends one row into room reserved by `Record::builder(capacity)`; panics when the
    /// room is used up (generated code reserves an upper bound first).
    fn append_within(&mut self, row: R::Ref<'_>);
    /// Appends one row into reserved room and keeps it only if `keep`; branch-free for
    /// fixed-width columns, so a filter right before a sink costs no misprediction.
    fn append_if(&mut self, row: R::Ref<'_>, keep: bool);
    /// Rows appended since the last `finish`.
    fn len(&self) -> usize;
    /// Whether no row was appended since the last `finish`.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The batch of the rows appended so far; the builder starts over empty.
    fn finish(&mut self) -> RecordBatch;
}

/// Assembles a batch from finished columns; used by generated builders.
pub fn batch_of<R: Record>(columns: Vec<ArrayRef>, rows: usize) -> RecordBatch {
    let options = arrow::array::RecordBatchOptions::new().with_row_count(Some(rows));
    RecordBatch::try_new_with_options(R::schema(), columns, &options).expect("generated builders produce the record's schema")
}

/// Rows `sel` of a morsel's conformed `arrays` (of `rows` rows) as a batch of `R`, sharing or
/// taking the arrays instead of building each row again: for a stage that only filters its input
/// into a sink. `None` unless every field was read and is already of its field's type.
pub fn selected<R: Record>(arrays: &[Option<ArrayRef>], sel: &[u32], rows: usize) -> Option<RecordBatch> {
    let schema = R::schema();
    let same_type = |(a, f): (&Option<ArrayRef>, &arrow::datatypes::FieldRef)| a.clone().filter(|a| a.data_type() == f.data_type());
    let columns: Vec<ArrayRef> = arrays.iter().zip(schema.fields()).map(same_type).collect::<Option<_>>()?;
    let options = arrow::array::RecordBatchOptions::new().with_row_count(Some(rows));
    // Fails (and the rows are built instead) unless every field has its array, of `rows` rows.
    let batch = RecordBatch::try_new_with_options(schema, columns, &options).ok()?;
    if sel.len() == rows {
        return Some(batch);
    }
    arrow::compute::take_record_batch(&batch, &arrow::array::UInt32Array::from(sel.to_vec())).ok()
}

/// The mask with bit `k` set for each of `FIELD_NAMES[k]` in `used`; unknown names are ignored
/// (the closure that names them fails to type-check on its own).
pub const fn mask_of(field_names: &[&str], used: &[&str]) -> FieldMask {
    let mut mask = 0u128;
    let mut k = 0;
    while k < field_names.len() && k < 128 {
        let mut j = 0;
        while j < used.len() {
            if str_eq(field_names[k], used[j]) {
                mask |= 1 << k;
            }
            j += 1;
        }
        k += 1;
    }
    mask
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The names of the fields in `mask`, in declaration order.
pub fn masked_names<R: Record>(mask: FieldMask) -> Vec<&'static str> {
    R::FIELD_NAMES.iter().enumerate().filter(|(k, _)| *k < 128 && mask & (1 << k) != 0).map(|(_, n)| *n).collect()
}
