//! Values of the CSV fast path, parsed from a field's bytes exactly as arrow-csv parses them
//! (integers, and timestamps without time zone in the forms CSV writers use); any other form
//! is `None`, and arrow-csv reads the row instead.

use arrow::datatypes::TimeUnit;

/// Digits as an unsigned integer of `bits` bits; `None` for anything else, or out of range.
#[inline]
pub(super) fn unsigned(field: &[u8], bits: u32) -> Option<u64> {
    if field.is_empty() || field.len() > 20 {
        return None;
    }
    let mut value: u64 = 0;
    for &b in field {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(digit))?;
    }
    (bits == 64 || value >> bits == 0).then_some(value)
}

/// Digits, after an optional `-`, as a signed integer of `bits` bits.
#[inline]
pub(super) fn signed(field: &[u8], bits: u32) -> Option<i64> {
    let (negative, digits) = match field {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, field),
    };
    if digits.is_empty() {
        return None;
    }
    let magnitude = i128::from(unsigned(digits, 64)?);
    let value = if negative { -magnitude } else { magnitude };
    let limit = 1i128 << (bits - 1);
    (-limit..limit).contains(&value).then_some(value as i64)
}

/// `YYYY-MM-DD`, optionally followed by ` HH:MM:SS` (or `T`) and a fraction of 1 to 9 digits,
/// as a count of `unit`s since 1970 UTC, as arrow-csv reads it for a timestamp without time
/// zone; `None` for any other form.
#[cfg(test)]
pub(super) fn timestamp(field: &[u8], unit: TimeUnit) -> Option<i64> {
    timestamp_after(field, unit, &mut None)
}

/// [`timestamp`], reusing the days of the date `last` read when this one is the same.
#[inline]
pub(super) fn timestamp_after(field: &[u8], unit: TimeUnit, last: &mut Option<LastDate>) -> Option<i64> {
    let days = match (field.get(..10), &*last) {
        (Some(date), Some((text, days))) if date == text => *days,
        (Some(date), _) => {
            let days = date_days(date)?;
            *last = Some((date.try_into().ok()?, days));
            days
        }
        (None, _) => return None,
    };
    time_of_day(field, unit, days)
}

/// A date's text and its days since 1970.
pub(super) type LastDate = ([u8; 10], i64);

/// Digits `at..at + n` of `field` as a number.
#[inline]
fn digits(field: &[u8], at: usize, n: usize) -> Option<i64> {
    let mut value = 0;
    for &b in field.get(at..at + n)? {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value * 10 + i64::from(digit);
    }
    Some(value)
}

/// The days since 1970 of a valid `YYYY-MM-DD`.
fn date_days(field: &[u8]) -> Option<i64> {
    if !(field.get(4) == Some(&b'-') && field.get(7) == Some(&b'-')) {
        return None;
    }
    let digits = |at, n| digits(field, at, n);
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// The timestamp `field` whose date is `days` after 1970: the time of day after the date.
#[inline]
fn time_of_day(field: &[u8], unit: TimeUnit, days: i64) -> Option<i64> {
    let digits = |at, n| digits(field, at, n);
    let at = |i: usize, b: u8| field.get(i) == Some(&b);
    let (mut seconds, mut nanos) = (days * 86_400, 0);
    if field.len() > 10 {
        if !(matches!(field[10], b' ' | b'T' | b't') && at(13, b':') && at(16, b':')) {
            return None;
        }
        let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        seconds += hour * 3600 + minute * 60 + second;
        match field.len() {
            19 => {}
            21..=29 if at(19, b'.') => {
                let n = field.len() - 20;
                nanos = digits(20, n)? * 10i64.pow(9 - n as u32);
            }
            _ => return None,
        }
    }
    match unit {
        TimeUnit::Second => Some(seconds),
        TimeUnit::Millisecond => Some(seconds * 1_000 + nanos / 1_000_000),
        TimeUnit::Microsecond => Some(seconds * 1_000_000 + nanos / 1_000),
        TimeUnit::Nanosecond => seconds.checked_mul(1_000_000_000)?.checked_add(nanos),
    }
}

/// Days in `month` of `year` (proleptic Gregorian).
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a valid date (proleptic Gregorian; H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::timezone::Tz;
    use arrow::compute::kernels::cast_utils::string_to_datetime;
    use arrow::datatypes::{Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type};
    use proptest::prelude::*;

    /// arrow-csv's reading of `text` as a timestamp without time zone, in `unit`.
    fn arrow_timestamp(text: &str, unit: TimeUnit) -> Option<i64> {
        let utc: Tz = "+00:00".parse().expect("a fixed offset");
        let date = string_to_datetime(&utc, text).ok()?;
        match unit {
            TimeUnit::Second => Some(date.timestamp()),
            TimeUnit::Millisecond => Some(date.timestamp_millis()),
            TimeUnit::Microsecond => Some(date.timestamp_micros()),
            TimeUnit::Nanosecond => date.timestamp_nanos_opt(),
        }
    }

    const UNITS: [TimeUnit; 4] = [TimeUnit::Second, TimeUnit::Millisecond, TimeUnit::Microsecond, TimeUnit::Nanosecond];

    proptest! {
        /// Every timestamp read here is the one arrow-csv reads; near-misses in form are left to it.
        #[test]
        fn timestamps_equal_arrows(
            year in 0i64..10_000, month in 0i64..14, day in 0i64..33, hour in 0i64..26, minute in 0i64..62,
            second in 0i64..62, fraction in proptest::option::of("[0-9]{0,11}"), sep in prop::sample::select(vec![" ", "T", "t", "_"]),
            date_only: bool,
        ) {
            let mut text = format!("{year:04}-{month:02}-{day:02}");
            if !date_only {
                text += &format!("{sep}{hour:02}:{minute:02}:{second:02}");
                if let Some(f) = &fraction {
                    text += &format!(".{f}");
                }
            }
            for unit in UNITS {
                if let Some(ours) = timestamp(text.as_bytes(), unit) {
                    prop_assert_eq!(Some(ours), arrow_timestamp(&text, unit), "{} in {:?}", text, unit);
                }
            }
        }

        /// Every integer read here is the one arrow reads.
        #[test]
        fn integers_equal_arrows(text in "-?[0-9]{0,21}|[+ 0-9a]{1,4}") {
            use arrow::compute::kernels::cast_utils::Parser;
            for bits in [8, 16, 32, 64] {
                if let Some(ours) = signed(text.as_bytes(), bits) {
                    let theirs = match bits {
                        8 => Int8Type::parse(&text).map(i64::from),
                        16 => Int16Type::parse(&text).map(i64::from),
                        32 => Int32Type::parse(&text).map(i64::from),
                        _ => Int64Type::parse(&text),
                    };
                    prop_assert_eq!(Some(ours), theirs);
                }
                if let Some(ours) = unsigned(text.as_bytes(), bits) {
                    let theirs = match bits {
                        8 => UInt8Type::parse(&text).map(u64::from),
                        16 => UInt16Type::parse(&text).map(u64::from),
                        32 => UInt32Type::parse(&text).map(u64::from),
                        _ => UInt64Type::parse(&text),
                    };
                    prop_assert_eq!(Some(ours), theirs);
                }
            }
        }
    }

    #[test]
    fn common_timestamps_are_read_here() {
        assert_eq!(timestamp(b"2024-01-01 00:00:00", TimeUnit::Millisecond), Some(1_704_067_200_000));
        assert_eq!(timestamp(b"2024-01-01 00:00:00.011", TimeUnit::Millisecond), Some(1_704_067_200_011));
        assert_eq!(timestamp(b"1969-12-31T23:59:59.5", TimeUnit::Millisecond), Some(-500));
        assert_eq!(timestamp(b"2024-02-30", TimeUnit::Second), None);
    }
}
