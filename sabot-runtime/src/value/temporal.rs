//! `Timestamp` and `Date` fields.

use super::{Accept, FieldOpts, NonNull, Value, push_if};
use arrow::array::{Array, ArrayRef, AsArray, Date32Array, PrimitiveArray};
use arrow::datatypes::{self as adt, DataType};
use std::fmt;
use std::sync::Arc;

/// The unit a timestamp column is stored in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimeUnit {
    /// Seconds.
    Second,
    /// Milliseconds.
    Millisecond,
    /// Microseconds (the default, as DuckDB's `TIMESTAMP`).
    Microsecond,
    /// Nanoseconds.
    Nanosecond,
}

impl TimeUnit {
    /// Nanoseconds per unit.
    pub const fn nanos(self) -> i64 {
        match self {
            TimeUnit::Second => 1_000_000_000,
            TimeUnit::Millisecond => 1_000_000,
            TimeUnit::Microsecond => 1_000,
            TimeUnit::Nanosecond => 1,
        }
    }

    fn arrow(self) -> adt::TimeUnit {
        match self {
            TimeUnit::Second => adt::TimeUnit::Second,
            TimeUnit::Millisecond => adt::TimeUnit::Millisecond,
            TimeUnit::Microsecond => adt::TimeUnit::Microsecond,
            TimeUnit::Nanosecond => adt::TimeUnit::Nanosecond,
        }
    }

    fn from_arrow(u: &adt::TimeUnit) -> Self {
        match u {
            adt::TimeUnit::Second => TimeUnit::Second,
            adt::TimeUnit::Millisecond => TimeUnit::Millisecond,
            adt::TimeUnit::Microsecond => TimeUnit::Microsecond,
            adt::TimeUnit::Nanosecond => TimeUnit::Nanosecond,
        }
    }
}

/// An instant as nanoseconds since the Unix epoch (UTC); reads timestamp columns of any unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// From milliseconds since the epoch.
    pub const fn from_millis(ms: i64) -> Self {
        Timestamp(ms * 1_000_000)
    }
    /// From microseconds since the epoch.
    pub const fn from_micros(us: i64) -> Self {
        Timestamp(us * 1_000)
    }
    /// Milliseconds since the epoch (rounded toward negative infinity).
    pub const fn millis(self) -> i64 {
        self.0.div_euclid(1_000_000)
    }
    /// Microseconds since the epoch (rounded toward negative infinity).
    pub const fn micros(self) -> i64 {
        self.0.div_euclid(1_000)
    }
    /// Nanoseconds since the epoch.
    pub const fn nanos(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.div_euclid(1_000_000_000);
        let sub = self.0.rem_euclid(1_000_000_000);
        let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        write!(f, "{} {:02}:{:02}:{:02}", Date(days as i32), rem / 3600, rem / 60 % 60, rem % 60)?;
        if sub != 0 {
            write!(f, ".{:09}", sub)?;
        }
        Ok(())
    }
}

/// A timestamp column view: raw values and the factor to nanoseconds.
#[derive(Clone, Copy)]
pub struct TsCol<'a> {
    values: &'a [i64],
    scale: i64,
}

fn unit_of(opts: &FieldOpts) -> TimeUnit {
    opts.unit.unwrap_or(TimeUnit::Microsecond)
}

impl Value for Timestamp {
    type Ref<'a> = Timestamp;
    type Col<'a> = TsCol<'a>;
    type Builder = Vec<i64>;

    fn data_type(opts: &FieldOpts) -> DataType {
        DataType::Timestamp(unit_of(opts).arrow(), None)
    }
    fn accept(found: &DataType, opts: &FieldOpts) -> Accept {
        match found {
            // Any unit is read as is and scaled to nanoseconds per value; time zones are UTC instants.
            DataType::Timestamp(..) => Accept::Exact,
            DataType::Date32 | DataType::Date64 => Accept::Lossless(Self::data_type(opts)),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Accept::Lossy(Self::data_type(opts)),
            _ => Accept::No,
        }
    }
    fn validate(arr: &dyn Array) -> Result<(), (usize, String)> {
        let col = Self::col(Some(arr));
        if col.scale == 1 {
            return Ok(());
        }
        // Nanoseconds since 1970 in an i64 span 1677-09-21 to 2262-04-11.
        let (lo, hi) = (i64::MIN / col.scale, i64::MAX / col.scale);
        match col.values.iter().position(|v| *v < lo || *v > hi) {
            Some(row) if arr.is_valid(row) => {
                Err((row, format!("{} is outside the years 1677-2262 that `Timestamp` (nanoseconds) holds", col.values[row])))
            }
            _ => Ok(()),
        }
    }
    fn col(arr: Option<&dyn Array>) -> TsCol<'_> {
        let Some(a) = arr else { return TsCol { values: &[], scale: 1 } };
        let DataType::Timestamp(unit, _) = a.data_type() else { return TsCol { values: &[], scale: 1 } };
        let values: &[i64] = match unit {
            adt::TimeUnit::Second => a.as_primitive::<adt::TimestampSecondType>().values(),
            adt::TimeUnit::Millisecond => a.as_primitive::<adt::TimestampMillisecondType>().values(),
            adt::TimeUnit::Microsecond => a.as_primitive::<adt::TimestampMicrosecondType>().values(),
            adt::TimeUnit::Nanosecond => a.as_primitive::<adt::TimestampNanosecondType>().values(),
        };
        TsCol { values, scale: TimeUnit::from_arrow(unit).nanos() }
    }
    #[inline(always)]
    fn len(col: Self::Col<'_>) -> usize {
        col.values.len()
    }
    #[inline(always)]
    fn get<'a>(col: Self::Col<'a>, i: usize) -> Self::Ref<'a> {
        // `validate` rejected values that do not fit; saturation only affects null slots.
        Timestamp(col.values[i].saturating_mul(col.scale))
    }
    fn unread<'a>() -> Self::Ref<'a> {
        Timestamp(0)
    }
    fn as_ref(&self) -> Timestamp {
        *self
    }
    fn from_ref(r: Timestamp) -> Timestamp {
        r
    }
    #[inline(always)]
    fn builder(_: &FieldOpts, capacity: usize) -> Vec<i64> {
        Vec::with_capacity(capacity)
    }
    #[inline(always)]
    fn append(b: &mut Vec<i64>, v: Timestamp) {
        // Stored as nanoseconds until `finish` knows the unit.
        b.push(v.0);
    }
    #[inline(always)]
    fn append_within(b: &mut Vec<i64>, v: Timestamp) {
        push_if(b, v.0, true);
    }
    #[inline(always)]
    fn append_if(b: &mut Vec<i64>, v: Timestamp, keep: bool) {
        push_if(b, v.0, keep);
    }
    fn finish(b: &mut Vec<i64>, opts: &FieldOpts) -> ArrayRef {
        let unit = unit_of(opts);
        let div = unit.nanos();
        let v: Vec<i64> = std::mem::take(b).into_iter().map(|n| n.div_euclid(div)).collect();
        match unit {
            TimeUnit::Second => Arc::new(PrimitiveArray::<adt::TimestampSecondType>::from(v)),
            TimeUnit::Millisecond => Arc::new(PrimitiveArray::<adt::TimestampMillisecondType>::from(v)),
            TimeUnit::Microsecond => Arc::new(PrimitiveArray::<adt::TimestampMicrosecondType>::from(v)),
            TimeUnit::Nanosecond => Arc::new(PrimitiveArray::<adt::TimestampNanosecondType>::from(v)),
        }
    }
}

impl NonNull for Timestamp {
    fn append_placeholder(b: &mut Vec<i64>) {
        b.push(0);
    }
}

/// A calendar date as days since 1970-01-01 (Arrow `Date32`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Date(pub i32);

impl Date {
    /// The date of a proleptic Gregorian year, month (1-12) and day (1-31), if it exists.
    pub const fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        if m < 1 || m > 12 || d < 1 || d > days_in_month(y, m) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if m <= 2 { y - 1 } else { y };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = (y - era * 400) as u32;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Date(era * 146_097 + doe as i32 - 719_468))
    }

    /// The date of a valid year, month and day, for constants: `const D: Date = Date::new(1994, 1, 1);`
    /// (an invalid date fails the build when used in a constant).
    pub const fn new(y: i32, m: u32, d: u32) -> Date {
        match Date::from_ymd(y, m, d) {
            Some(date) => date,
            None => panic!("invalid date"),
        }
    }

    /// Year, month and day of this date.
    pub const fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = (z - era * 146_097) as u32;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe as i32 + era * 400 + if m <= 2 { 1 } else { 0 };
        (y, m, d)
    }

    /// Days since 1970-01-01.
    pub const fn days(self) -> i32 {
        self.0
    }
}

const fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl Value for Date {
    type Ref<'a> = Date;
    type Col<'a> = &'a [i32];
    type Builder = Vec<i32>;

    fn data_type(_: &FieldOpts) -> DataType {
        DataType::Date32
    }
    fn accept(found: &DataType, _: &FieldOpts) -> Accept {
        match found {
            DataType::Date32 => Accept::Exact,
            DataType::Date64 => Accept::Lossless(DataType::Date32),
            DataType::Timestamp(..) | DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Accept::Lossy(DataType::Date32),
            _ => Accept::No,
        }
    }
    fn col(arr: Option<&dyn Array>) -> &[i32] {
        arr.map(|a| a.as_primitive::<adt::Date32Type>().values().as_ref()).unwrap_or(&[])
    }
    #[inline(always)]
    fn len(col: Self::Col<'_>) -> usize {
        col.len()
    }
    #[inline(always)]
    fn get<'a>(col: Self::Col<'a>, i: usize) -> Self::Ref<'a> {
        Date(col[i])
    }
    fn unread<'a>() -> Self::Ref<'a> {
        Date(0)
    }
    fn as_ref(&self) -> Date {
        *self
    }
    fn from_ref(r: Date) -> Date {
        r
    }
    #[inline(always)]
    fn builder(_: &FieldOpts, capacity: usize) -> Vec<i32> {
        Vec::with_capacity(capacity)
    }
    #[inline(always)]
    fn append(b: &mut Vec<i32>, v: Date) {
        b.push(v.0);
    }
    #[inline(always)]
    fn append_within(b: &mut Vec<i32>, v: Date) {
        push_if(b, v.0, true);
    }
    #[inline(always)]
    fn append_if(b: &mut Vec<i32>, v: Date, keep: bool) {
        push_if(b, v.0, keep);
    }
    fn finish(b: &mut Vec<i32>, _: &FieldOpts) -> ArrayRef {
        Arc::new(Date32Array::from(std::mem::take(b)))
    }
}

impl NonNull for Date {
    fn append_placeholder(b: &mut Vec<i32>) {
        b.push(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_round_trips_through_ymd() {
        for days in [-800_000, -1, 0, 1, 9_000, 10_957, 2_932_896] {
            let (y, m, d) = Date(days).ymd();
            assert_eq!(Date::from_ymd(y, m, d), Some(Date(days)));
        }
        assert_eq!(Date::from_ymd(1998, 9, 2).map(|d| d.to_string()), Some("1998-09-02".into()));
        assert_eq!(Date::from_ymd(1999, 2, 29), None);
    }

    #[test]
    fn timestamp_displays_as_utc() {
        assert_eq!(Timestamp::from_millis(1_500).to_string(), "1970-01-01 00:00:01.500000000");
    }
}
