//! Row-group pruning: generated code tests a Parquet row group's column statistics against
//! the bounds of the filter after its source (`l_shipdate >= FROM`), and the source skips row
//! groups where no row can pass. Statistics are read with arrow-rs' `StatisticsConverter`, so
//! they carry the column's Arrow type (dates, decimals with their scale, strings).

use crate::value::{Date, Decimal, Timestamp};
use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::DataType;
use parquet::arrow::arrow_reader::ArrowReaderMetadata;
use parquet::arrow::arrow_reader::statistics::StatisticsConverter;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;

/// Generated per source with bounds: whether a row group may hold a row meeting all of them.
pub type PruneFn = fn(&RowGroupStats<'_>) -> bool;

/// One file's column statistics, read per column on first use.
pub struct FileStats<'a> {
    meta: &'a ArrowReaderMetadata,
    columns: RefCell<HashMap<String, Option<(ArrayRef, ArrayRef)>>>,
}

impl<'a> FileStats<'a> {
    /// The statistics of the file whose footer is `meta`.
    pub fn new(meta: &'a ArrowReaderMetadata) -> Self {
        FileStats { meta, columns: RefCell::default() }
    }

    /// The view of row group `row_group`.
    pub fn row_group(&self, row_group: usize) -> RowGroupStats<'_> {
        RowGroupStats { file: self, row_group }
    }

    /// Min and max of `column` for every row group (`None` when the file has no statistics
    /// for it).
    fn column(&self, column: &str) -> Option<(ArrayRef, ArrayRef)> {
        if let Some(c) = self.columns.borrow().get(column) {
            return c.clone();
        }
        let read = || {
            let conv = StatisticsConverter::try_new(column, self.meta.schema(), self.meta.parquet_schema()).ok()?;
            let groups = self.meta.metadata().row_groups();
            Some((conv.row_group_mins(groups.iter()).ok()?, conv.row_group_maxes(groups.iter()).ok()?))
        };
        let stats = read();
        self.columns.borrow_mut().insert(column.to_string(), stats.clone());
        stats
    }
}

/// One row group's statistics, as the generated prune function sees them.
pub struct RowGroupStats<'a> {
    file: &'a FileStats<'a>,
    row_group: usize,
}

impl RowGroupStats<'_> {
    /// How the row group's min and max of `column` compare with `value`, for a field read at
    /// decimal scale `scale` when it has one.
    fn range<T: StatValue + ?Sized>(&self, column: &str, value: &T, scale: Option<i8>) -> Option<(Ordering, Ordering)> {
        let (mins, maxs) = self.file.column(column)?;
        let i = self.row_group;
        if i >= mins.len() || mins.is_null(i) || maxs.is_null(i) {
            return None;
        }
        Some((value.stat_cmp_at(mins.as_ref(), i, scale)?, value.stat_cmp_at(maxs.as_ref(), i, scale)?))
    }
}

/// A value a bound compares a column with, comparable to that column's statistics.
pub trait StatValue {
    /// How the statistic at `i` compares with this value; `None` when the types do not match.
    fn stat_cmp(&self, stats: &dyn Array, i: usize) -> Option<Ordering>;
    /// [`StatValue::stat_cmp`] for a field whose decimal column is read at `scale` (rounded
    /// when the column has more digits): the statistic is compared as rows will see it.
    fn stat_cmp_at(&self, stats: &dyn Array, i: usize, scale: Option<i8>) -> Option<Ordering> {
        let _ = scale;
        self.stat_cmp(stats, i)
    }
}

fn int_stat(stats: &dyn Array, i: usize) -> Option<i128> {
    use arrow::datatypes::*;
    Some(match stats.data_type() {
        DataType::Int8 => stats.as_primitive::<Int8Type>().value(i) as i128,
        DataType::Int16 => stats.as_primitive::<Int16Type>().value(i) as i128,
        DataType::Int32 => stats.as_primitive::<Int32Type>().value(i) as i128,
        DataType::Int64 => stats.as_primitive::<Int64Type>().value(i) as i128,
        DataType::UInt8 => stats.as_primitive::<UInt8Type>().value(i) as i128,
        DataType::UInt16 => stats.as_primitive::<UInt16Type>().value(i) as i128,
        DataType::UInt32 => stats.as_primitive::<UInt32Type>().value(i) as i128,
        DataType::UInt64 => stats.as_primitive::<UInt64Type>().value(i) as i128,
        _ => return None,
    })
}

macro_rules! int_values {
    ($($t:ty),*) => {$(
        impl StatValue for $t {
            fn stat_cmp(&self, stats: &dyn Array, i: usize) -> Option<Ordering> {
                Some(int_stat(stats, i)?.cmp(&(*self as i128)))
            }
        }
    )*};
}
int_values!(i8, i16, i32, i64, u8, u16, u32, u64);

macro_rules! float_values {
    ($($t:ty),*) => {$(
        impl StatValue for $t {
            fn stat_cmp(&self, stats: &dyn Array, i: usize) -> Option<Ordering> {
                let stat = match stats.data_type() {
                    DataType::Float32 => stats.as_primitive::<arrow::datatypes::Float32Type>().value(i) as f64,
                    DataType::Float64 => stats.as_primitive::<arrow::datatypes::Float64Type>().value(i),
                    _ => return None,
                };
                stat.partial_cmp(&(*self as f64))
            }
        }
    )*};
}
float_values!(f32, f64);

impl StatValue for Date {
    fn stat_cmp(&self, stats: &dyn Array, i: usize) -> Option<Ordering> {
        match stats.data_type() {
            DataType::Date32 => Some(stats.as_primitive::<arrow::datatypes::Date32Type>().value(i).cmp(&self.0)),
            _ => None,
        }
    }
}

impl StatValue for Timestamp {
    fn stat_cmp(&self, stats: &dyn Array, i: usize) -> Option<Ordering> {
        use arrow::datatypes::*;
        let ns = match stats.data_type() {
            DataType::Timestamp(TimeUnit::Second, _) => stats.as_primitive::<TimestampSecondType>().value(i) as i128 * 1_000_000_000,
            DataType::Timestamp(TimeUnit::Millisecond, _) => stats.as_primitive::<TimestampMillisecondType>().value(i) as i128 * 1_000_000,
            DataType::Timestamp(TimeUnit::Microsecond, _) => stats.as_primitive::<TimestampMicrosecondType>().value(i) as i128 * 1_000,
            DataType::Timestamp(TimeUnit::Nanosecond, _) => stats.as_primitive::<TimestampNanosecondType>().value(i) as i128,
            _ => return None,
        };
        Some(ns.cmp(&(self.0 as i128)))
    }
}

impl StatValue for Decimal {
    fn stat_cmp(&self, stats: &dyn Array, i: usize) -> Option<Ordering> {
        self.stat_cmp_at(stats, i, None)
    }
    fn stat_cmp_at(&self, stats: &dyn Array, i: usize, read_at: Option<i8>) -> Option<Ordering> {
        let stat = match stats.data_type() {
            DataType::Decimal128(_, scale) => Decimal::new(stats.as_primitive::<arrow::datatypes::Decimal128Type>().value(i), *scale),
            DataType::Decimal64(_, scale) => Decimal::new(stats.as_primitive::<arrow::datatypes::Decimal64Type>().value(i) as i128, *scale),
            _ => return None,
        };
        // Rounding is monotonic, so rounded bounds bound the rounded rows.
        let stat = match read_at {
            Some(scale) if scale < stat.scale() => stat.rescale(scale),
            _ => stat,
        };
        stat.partial_cmp(self)
    }
}

impl StatValue for str {
    fn stat_cmp(&self, stats: &dyn Array, i: usize) -> Option<Ordering> {
        let stat = match stats.data_type() {
            DataType::Utf8 => stats.as_string::<i32>().value(i),
            DataType::LargeUtf8 => stats.as_string::<i64>().value(i),
            DataType::Utf8View => stats.as_string_view().value(i),
            _ => return None,
        };
        Some(stat.as_bytes().cmp(self.as_bytes()))
    }
}

impl<T: StatValue + ?Sized> StatValue for &T {
    fn stat_cmp(&self, stats: &dyn Array, i: usize) -> Option<Ordering> {
        (**self).stat_cmp(stats, i)
    }
    fn stat_cmp_at(&self, stats: &dyn Array, i: usize, scale: Option<i8>) -> Option<Ordering> {
        (**self).stat_cmp_at(stats, i, scale)
    }
}

impl StatValue for String {
    fn stat_cmp(&self, stats: &dyn Array, i: usize) -> Option<Ordering> {
        self.as_str().stat_cmp(stats, i)
    }
}

/// One bound of a row group test: a column, the row group's statistics and the value.
/// Generated code calls `(&StatBound::new(stats, "col", &value).in_record(fields)).may_ge()` with both traits
/// below in scope: [`PruneByStats`] when the value's type has a statistics comparison, else
/// [`KeepRowGroup`], which keeps the row group.
pub struct StatBound<'a, 's, T: ?Sized> {
    stats: &'a RowGroupStats<'s>,
    column: &'static str,
    value: &'a T,
    /// The decimal scale the column's field is read at, if it declares one.
    scale: Option<i8>,
}

impl<'a, 's, T: ?Sized> StatBound<'a, 's, T> {
    /// The bound `column op value` for one row group.
    pub fn new(stats: &'a RowGroupStats<'s>, column: &'static str, value: &'a T) -> Self {
        StatBound { stats, column, value, scale: None }
    }

    /// The bound on a column of a record with `fields`: a field declared `decimal(p, s)` reads
    /// its column at scale `s`, so the statistics are compared at that scale too.
    pub fn in_record(mut self, fields: &[crate::record::FieldInfo]) -> Self {
        let field = fields.iter().find(|f| f.name == self.column);
        self.scale = field.and_then(|f| f.opts.decimal).map(|(_, s)| s);
        self
    }
}

/// Tests of a bound whose value compares with statistics: `false` only when the row group's
/// min and max prove no row meets it.
pub trait PruneByStats {
    /// `column < value` is possible.
    fn may_lt(&self) -> bool;
    /// `column <= value` is possible.
    fn may_le(&self) -> bool;
    /// `column > value` is possible.
    fn may_gt(&self) -> bool;
    /// `column >= value` is possible.
    fn may_ge(&self) -> bool;
    /// `column == value` is possible.
    fn may_eq(&self) -> bool;
}

impl<T: StatValue + ?Sized> PruneByStats for StatBound<'_, '_, T> {
    fn may_lt(&self) -> bool {
        self.stats.range(self.column, self.value, self.scale).is_none_or(|(min, _)| min == Ordering::Less)
    }
    fn may_le(&self) -> bool {
        self.stats.range(self.column, self.value, self.scale).is_none_or(|(min, _)| min != Ordering::Greater)
    }
    fn may_gt(&self) -> bool {
        self.stats.range(self.column, self.value, self.scale).is_none_or(|(_, max)| max == Ordering::Greater)
    }
    fn may_ge(&self) -> bool {
        self.stats.range(self.column, self.value, self.scale).is_none_or(|(_, max)| max != Ordering::Less)
    }
    fn may_eq(&self) -> bool {
        self.stats.range(self.column, self.value, self.scale).is_none_or(|(min, max)| min != Ordering::Greater && max != Ordering::Less)
    }
}

/// The fallback for values without a statistics comparison: every row group may match.
pub trait KeepRowGroup {
    /// Always true.
    fn may_lt(&self) -> bool {
        true
    }
    /// Always true.
    fn may_le(&self) -> bool {
        true
    }
    /// Always true.
    fn may_gt(&self) -> bool {
        true
    }
    /// Always true.
    fn may_ge(&self) -> bool {
        true
    }
    /// Always true.
    fn may_eq(&self) -> bool {
        true
    }
}

impl<T: ?Sized> KeepRowGroup for &StatBound<'_, '_, T> {}
