//! A `Decimal` field declared `decimal(p, s)` reads its column at scale `s`: a smaller scale is
//! raised exactly, a larger one needs `#[sabot(cast)]` to round, and an undeclared field reads
//! any scale as it is.

use arrow::array::{ArrayRef, Decimal64Array, Decimal128Array, Int64Array, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema};
use sabot::prelude::*;
use std::sync::Arc;

#[derive(Record, Debug, Clone, PartialEq)]
struct Declared {
    #[sabot(decimal(15, 2))]
    price: Decimal,
}

#[derive(Record, Debug, Clone, PartialEq)]
struct Rounded {
    #[sabot(decimal(15, 2), cast)]
    price: Decimal,
}

#[derive(Record, Debug, Clone, PartialEq)]
struct Undeclared {
    price: Decimal,
}

fn batch(column: ArrayRef) -> RecordBatch {
    let schema = Schema::new(vec![Field::new("price", column.data_type().clone(), false)]);
    RecordBatch::try_new(Arc::new(schema), vec![column]).unwrap()
}

fn decimals(values: &[i128], precision: u8, scale: i8) -> ArrayRef {
    Arc::new(Decimal128Array::from(values.to_vec()).with_precision_and_scale(precision, scale).unwrap())
}

fn texts<R: Record>(rows: &[R], price: impl Fn(&R) -> Decimal) -> Vec<String> {
    rows.iter().map(|r| format!("{} (scale {})", price(r), price(r).scale())).collect()
}

#[test]
fn the_declared_scale_is_read_as_is() {
    let narrow: ArrayRef = Arc::new(Decimal64Array::from(vec![12345, -5]).with_precision_and_scale(15, 2).unwrap());
    let rows = Declared::from_batch(&batch(narrow)).unwrap();
    assert_eq!(texts(&rows, |r| r.price), ["123.45 (scale 2)", "-0.05 (scale 2)"]);
}

#[test]
fn a_decimal32_column_of_the_declared_scale_is_read() {
    use arrow::array::Decimal32Array;
    let narrow: ArrayRef = Arc::new(Decimal32Array::from(vec![12345, -5]).with_precision_and_scale(9, 2).unwrap());
    let rows = Declared::from_batch(&batch(narrow)).unwrap();
    assert_eq!(texts(&rows, |r| r.price), ["123.45 (scale 2)", "-0.05 (scale 2)"]);
}

#[test]
fn a_smaller_scale_or_an_integer_is_raised_exactly() {
    let rows = Declared::from_batch(&batch(decimals(&[12345, -5], 10, 1))).unwrap();
    assert_eq!(texts(&rows, |r| r.price), ["1234.50 (scale 2)", "-0.50 (scale 2)"]);
    let rows = Declared::from_batch(&batch(Arc::new(Int64Array::from(vec![7, -3])))).unwrap();
    assert_eq!(texts(&rows, |r| r.price), ["7.00 (scale 2)", "-3.00 (scale 2)"]);
}

#[test]
fn a_larger_scale_needs_cast_and_is_rounded() {
    let wider = decimals(&[123_456, -1_005, 1_004], 10, 3);
    let err = Declared::from_batch(&batch(wider.clone())).unwrap_err().to_string();
    assert!(err.contains("price") && err.contains("#[sabot(cast)]"), "{err}");
    let rows = Rounded::from_batch(&batch(wider)).unwrap();
    assert_eq!(texts(&rows, |r| r.price), ["123.46 (scale 2)", "-1.01 (scale 2)", "1.00 (scale 2)"]);
}

#[test]
fn an_undeclared_field_reads_any_scale() {
    let rows = Undeclared::from_batch(&batch(decimals(&[123_456], 10, 3))).unwrap();
    assert_eq!(texts(&rows, |r| r.price), ["123.456 (scale 3)"]);
    assert_eq!(Undeclared::schema().field(0).data_type(), &DataType::Decimal128(38, 10));
}

/// A field declared with at most 18 digits is read from 64-bit mantissas: a 128-bit column of
/// its scale is narrowed first, with its values kept, and a value too wide for 64 bits is an
/// error naming the column, not a wrapped number.
#[test]
fn a_wide_column_is_narrowed_for_a_field_of_18_digits_or_fewer() {
    let rows = Declared::from_batch(&batch(decimals(&[12345, -5, 999_999_999_999_999_999], 38, 2))).unwrap();
    assert_eq!(texts(&rows, |r| r.price), ["123.45 (scale 2)", "-0.05 (scale 2)", "9999999999999999.99 (scale 2)"]);
    let err = Declared::from_batch(&batch(decimals(&[1, i128::from(i64::MAX) * 10], 38, 2))).unwrap_err().to_string();
    assert!(err.contains("price"), "{err}");
    let err = Rounded::from_batch(&batch(decimals(&[i128::from(i64::MAX) * 10], 38, 3))).unwrap_err().to_string();
    assert!(err.contains("price"), "{err}");
}

#[sabot::pipeline]
fn dearer(items: Stream<Declared>) -> Stream<Declared> {
    items.filter(|r| r.price > Decimal::new(100, 0))
}

/// A stage reading 128-bit decimals (as a sink of another job writes them) filters on the
/// narrowed values.
#[test]
fn a_stage_filters_a_narrowed_column() {
    let wide = batch(decimals(&[12345, 9_999, 10_001, -5], 38, 2));
    let rows: Vec<Declared> = Job::new(dearer).source("items", sabot::source::memory(vec![wide])).collect().unwrap();
    assert_eq!(texts(&rows, |r| r.price), ["123.45 (scale 2)", "100.01 (scale 2)"]);
}
