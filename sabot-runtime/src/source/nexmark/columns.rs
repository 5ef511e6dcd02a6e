//! The columns of one morsel being generated: only those the pipeline reads are built, and each
//! kind's generator asks `wants` before making a value nobody reads.

use super::strings::StrColumn;
use arrow::array::{ArrayRef, TimestampMillisecondArray, UInt64Array};
use arrow::datatypes::{DataType, TimeUnit};
use std::sync::Arc;

/// The Arrow type of a generated column.
#[derive(Debug, Clone, Copy)]
pub(super) enum ColType {
    /// An id, price or category: `UInt64`.
    U64,
    /// Text of about this many bytes: `Utf8`.
    Str(usize),
    /// An instant: `Timestamp(Millisecond)`.
    Millis,
}

impl ColType {
    /// The Arrow type.
    pub fn data_type(self) -> DataType {
        match self {
            ColType::U64 => DataType::UInt64,
            ColType::Str(_) => DataType::Utf8,
            ColType::Millis => DataType::Timestamp(TimeUnit::Millisecond, None),
        }
    }
}

/// A column of a kind of event: its name (as in Flink's Nexmark schema) and type.
pub(super) type ColumnDef = (&'static str, ColType);

enum Column {
    U64(Vec<u64>),
    Str(StrColumn),
    Millis(Vec<i64>),
}

/// The requested columns of one morsel, indexed by the kind's column number.
pub(super) struct Columns {
    slots: Vec<Option<Column>>,
}

impl Columns {
    /// Builders for the columns `wanted` (indices into `defs`), with room for `rows` rows.
    pub fn new(defs: &[ColumnDef], wanted: &[usize], rows: usize) -> Self {
        let mut slots: Vec<Option<Column>> = defs.iter().map(|_| None).collect();
        for &i in wanted {
            slots[i] = Some(match defs[i].1 {
                ColType::U64 => Column::U64(Vec::with_capacity(rows)),
                ColType::Str(avg) => Column::Str(StrColumn::with_capacity(rows, avg)),
                ColType::Millis => Column::Millis(Vec::with_capacity(rows)),
            });
        }
        Columns { slots }
    }

    /// Whether column `i` is built.
    #[inline(always)]
    pub fn wants(&self, i: usize) -> bool {
        self.slots[i].is_some()
    }

    /// Appends to the integer column `i`, if built (ids and prices are never negative).
    #[inline(always)]
    pub fn u64(&mut self, i: usize, v: i64) {
        if let Some(Column::U64(c)) = &mut self.slots[i] {
            c.push(v as u64);
        }
    }

    /// Appends to the timestamp column `i`, if built.
    #[inline(always)]
    pub fn millis(&mut self, i: usize, ms: i64) {
        if let Some(Column::Millis(c)) = &mut self.slots[i] {
            c.push(ms);
        }
    }

    /// The string column `i`, if built.
    #[inline(always)]
    pub fn str(&mut self, i: usize) -> Option<&mut StrColumn> {
        match &mut self.slots[i] {
            Some(Column::Str(c)) => Some(c),
            _ => None,
        }
    }

    /// The arrays, in the order of `wanted`.
    pub fn finish(mut self, wanted: &[usize]) -> Vec<ArrayRef> {
        wanted
            .iter()
            .map(|&i| match self.slots[i].take().expect("each column is requested once") {
                Column::U64(v) => Arc::new(UInt64Array::from(v)) as ArrayRef,
                Column::Str(c) => c.finish(),
                Column::Millis(v) => Arc::new(TimestampMillisecondArray::from(v)) as ArrayRef,
            })
            .collect()
    }
}
