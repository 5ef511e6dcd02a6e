//! Field value types: how each Rust field type maps to an Arrow column, is read row by row
//! from a typed column view, and is appended to a builder.

mod decimal;
mod option;
mod primitive;
mod string;
mod temporal;

pub use decimal::Decimal;
pub use temporal::{Date, TimeUnit, Timestamp};

use arrow::array::{Array, ArrayRef};
use arrow::datatypes::DataType;

/// A field's check of a conformed column: the first row it cannot hold, and why.
pub type Validate = fn(&dyn Array) -> Result<(), (usize, String)>;

/// Per-field options from `#[sabot(...)]` attributes that change the Arrow type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FieldOpts {
    /// `#[sabot(unit = "ms")]`: the unit a `Timestamp` field is written in.
    pub unit: Option<TimeUnit>,
    /// `#[sabot(decimal(p, s))]`: precision and scale a `Decimal` field is written with.
    pub decimal: Option<(u8, i8)>,
}

/// How a field reads a column whose Arrow type differs from its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accept {
    /// The column is read as it is.
    Exact,
    /// The column is cast to this type first; no value can change.
    Lossless(DataType),
    /// The column can be cast to this type, but values may change: only with `#[sabot(cast)]`.
    Lossy(DataType),
    /// The column cannot be read by this field.
    No,
}

/// A Rust type that can be a `Record` field.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a Record field",
    label = "unsupported field type",
    note = "supported: i8-i64, u8-u64, f32, f64, bool, String, Timestamp, Date, Decimal and Option of those"
)]
pub trait Value: Sized + Send + Sync + 'static {
    /// What closures see for this field: `&str` for `String`, the value itself for scalars.
    type Ref<'a>: Copy;
    /// A typed view of one column, cheap to copy.
    type Col<'a>: Copy;
    /// The columnar builder for this field.
    type Builder: Send;
    /// Whether the field accepts nulls (`Option<T>`).
    const NULLABLE: bool = false;

    /// The Arrow type this field is written as.
    fn data_type(opts: &FieldOpts) -> DataType;
    /// Whether (and how) a column of type `found` can be read into this field.
    fn accept(found: &DataType, opts: &FieldOpts) -> Accept;
    /// Checks a conformed column's values before rows are read; returns the first offending row
    /// and why (a value this field cannot represent). Most types accept every value.
    fn validate(_arr: &dyn Array) -> Result<(), (usize, String)> {
        Ok(())
    }
    /// The typed view over a column already conformed to an accepted type; `None` for a column
    /// the pipeline does not read.
    fn col(arr: Option<&dyn Array>) -> Self::Col<'_>;
    /// Rows in a column view (`usize::MAX` for a column that is not read, so it never bounds a loop).
    fn len(col: Self::Col<'_>) -> usize;
    /// [`Value::len`] for a field declared with `opts`: the rows [`Value::get_declared`] reads
    /// (bounding the row loop by them lets the compiler drop its bounds checks).
    #[inline(always)]
    fn len_declared(col: Self::Col<'_>, _opts: &FieldOpts) -> usize {
        Self::len(col)
    }
    /// The value at row `i` of a column the pipeline reads.
    fn get<'a>(col: Self::Col<'a>, i: usize) -> Self::Ref<'a>;
    /// [`Value::get`] for a field declared with `opts`. Generated code passes `opts` as a
    /// constant, so what the options fix (a decimal's scale, which `conform` made the column's)
    /// folds into the code that uses the value.
    #[inline(always)]
    fn get_declared<'a>(col: Self::Col<'a>, i: usize, _opts: &FieldOpts) -> Self::Ref<'a> {
        Self::get(col, i)
    }
    /// The value closures see for a field the pipeline never reads.
    fn unread<'a>() -> Self::Ref<'a>;
    /// Borrows an owned value as closures see it.
    fn as_ref(&self) -> Self::Ref<'_>;
    /// Copies a borrowed value into an owned one.
    fn from_ref(r: Self::Ref<'_>) -> Self;
    /// A builder with room for `capacity` values.
    fn builder(opts: &FieldOpts, capacity: usize) -> Self::Builder;
    /// Appends one value.
    fn append(builder: &mut Self::Builder, value: Self::Ref<'_>);
    /// Appends one value into room reserved when the builder was made (see
    /// `RecordBuilder::append_within`). Fixed-width columns override this so the hot loop has
    /// no growth path, which lets the compiler keep the column's length in a register.
    #[inline(always)]
    fn append_within(builder: &mut Self::Builder, value: Self::Ref<'_>) {
        Self::append(builder, value);
    }
    /// Appends one value into reserved room and keeps it only if `keep`. Fixed-width columns
    /// write unconditionally and advance by `keep`, with no branch on data.
    #[inline(always)]
    fn append_if(builder: &mut Self::Builder, value: Self::Ref<'_>, keep: bool) {
        if keep {
            Self::append(builder, value);
        }
    }
    /// Finishes the column and leaves the builder empty.
    fn finish(builder: &mut Self::Builder, opts: &FieldOpts) -> ArrayRef;
}

/// Writes `v` after the last element of `b` and keeps it only if `keep`, without a branch on
/// `keep`: the slot is written either way and the length advances by `keep`. There is no
/// growth path (that call would make `b` escape and its length live in memory): running out
/// of the reserved room panics, which generated code rules out by reserving enough.
#[inline(always)]
pub(crate) fn push_if<T: Copy>(b: &mut Vec<T>, v: T, keep: bool) {
    let len = b.len();
    b.spare_capacity_mut()[0].write(v);
    // SAFETY: slot `len` (the first spare one) was just initialised.
    unsafe { b.set_len(len + keep as usize) };
}

/// A `Value` that is never null, so it can sit inside `Option`.
pub trait NonNull: Value {
    /// Appends a placeholder under a null slot.
    fn append_placeholder(builder: &mut Self::Builder);
}

/// Whether an integer or float type widens into another without loss.
pub(crate) fn numeric_rank(dt: &DataType) -> Option<(bool, bool, u8)> {
    // (is_float, is_signed, bits)
    use DataType::*;
    Some(match dt {
        Int8 => (false, true, 8),
        Int16 => (false, true, 16),
        Int32 => (false, true, 32),
        Int64 => (false, true, 64),
        UInt8 => (false, false, 8),
        UInt16 => (false, false, 16),
        UInt32 => (false, false, 32),
        UInt64 => (false, false, 64),
        Float16 => (true, true, 16),
        Float32 => (true, true, 32),
        Float64 => (true, true, 64),
        _ => return None,
    })
}

/// The acceptance rule shared by all numeric fields: widening is lossless, narrowing lossy.
pub(crate) fn accept_numeric(found: &DataType, target: &DataType) -> Accept {
    if found == target {
        return Accept::Exact;
    }
    let (Some(f), Some(t)) = (numeric_rank(found), numeric_rank(target)) else {
        return match found {
            DataType::Decimal32(..)
            | DataType::Decimal64(..)
            | DataType::Decimal128(..)
            | DataType::Decimal256(..)
            | DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Boolean => Accept::Lossy(target.clone()),
            _ => Accept::No,
        };
    };
    let lossless = match (f, t) {
        // int -> int: same signedness and wider, or unsigned into a wider signed
        ((false, fs, fb), (false, ts, tb)) => (fs == ts && fb <= tb) || (!fs && ts && fb < tb),
        // int -> float: exact while the mantissa holds every value
        ((false, _, fb), (true, _, tb)) => (tb == 32 && fb <= 16) || (tb == 64 && fb <= 32),
        ((true, _, fb), (true, _, tb)) => fb <= tb,
        ((true, _, _), (false, _, _)) => false,
    };
    if lossless { Accept::Lossless(target.clone()) } else { Accept::Lossy(target.clone()) }
}
