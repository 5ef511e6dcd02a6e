//! Row-group pruning: bounds of the filter after a Parquet source skip row groups whose
//! statistics rule them out, and the result equals filtering every row.

use sabot::prelude::*;

#[derive(Record, Debug, Clone, PartialEq)]
struct Sale {
    id: u64,
    day: Date,
    #[sabot(decimal(12, 2))]
    amount: Decimal,
    shop: String,
    note: Option<String>,
}

const FROM: Date = Date::from_ymd(2024, 3, 1).unwrap();
const TO: Date = Date::from_ymd(2024, 3, 11).unwrap();
const MIN: Decimal = Decimal::new(5000, 2);

#[sabot::pipeline]
fn march(sales: Stream<Sale>) -> Stream<Sale> {
    sales.filter(|s| s.day >= FROM && s.day < TO && MIN < s.amount && s.id != 7)
}

#[sabot::pipeline]
fn by_shop(sales: Stream<Sale>) -> Stream<Sale> {
    sales.filter(|s| s.shop == "s3" && 100 <= s.id)
}

/// `note` is an `Option`: its bound has no statistics comparison and prunes nothing.
#[sabot::pipeline]
fn with_note(sales: Stream<Sale>) -> Stream<Sale> {
    sales.filter(|s| s.note == Some("n1"))
}

const ROWS: u64 = 10_000;

/// Sorted by day and shop: each row group of 1000 rows covers a few days and one shop range.
fn sales() -> Vec<Sale> {
    (0..ROWS)
        .map(|i| Sale {
            id: i,
            day: Date(Date::from_ymd(2024, 1, 1).unwrap().0 + (i / 50) as i32),
            amount: Decimal::new((i as i128 * 37) % 10_000, 2),
            shop: format!("s{}", i / 2_000),
            note: (i % 3 == 0).then(|| format!("n{}", i % 2)),
        })
        .collect()
}

fn write(path: &std::path::Path) {
    let props = parquet::file::properties::WriterProperties::builder().set_max_row_group_size(1000).build();
    let mut w = parquet::arrow::ArrowWriter::try_new(std::fs::File::create(path).unwrap(), Sale::schema(), Some(props)).unwrap();
    for b in Sale::to_batches(&sales(), 4096) {
        w.write(&b).unwrap();
    }
    w.close().unwrap();
}

fn run(p: impl sabot::Pipeline, path: &std::path::Path) -> (Vec<Sale>, u64) {
    let (sink, rows) = sabot::sink::collect();
    let summary = Job::new(p).source("sales", sabot::source::parquet(path.display().to_string())).sink("out", sink).run().unwrap();
    let out = rows.lock().unwrap().iter().flat_map(|b| Sale::from_batch(b).unwrap()).collect();
    (out, summary.rows_in)
}

#[test]
fn bounds_skip_row_groups_and_keep_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sales.parquet");
    write(&path);
    let all = sales();

    let (got, read) = run(march, &path);
    let want: Vec<Sale> = all.iter().filter(|s| s.day >= FROM && s.day < TO && MIN < s.amount && s.id != 7).cloned().collect();
    assert!(!want.is_empty());
    assert_eq!(got, want);
    // Days 60..70 of the year sit in rows 3000..3500: one row group of ten is read.
    assert_eq!(read, 1000, "only the row group holding March 1-10 is read");

    let (got, read) = run(by_shop, &path);
    let want: Vec<Sale> = all.iter().filter(|s| s.shop == "s3" && 100 <= s.id).cloned().collect();
    assert_eq!(got, want);
    assert_eq!(read, 2000, "shop s3 is rows 6000..8000");

    let (got, read) = run(with_note, &path);
    let want: Vec<Sale> = all.iter().filter(|s| s.note.as_deref() == Some("n1")).cloned().collect();
    assert_eq!(got, want);
    assert_eq!(read, ROWS, "a bound without a statistics comparison prunes nothing");
}

#[test]
fn explain_shows_the_bounds() {
    let text = sabot::explain_text(sabot::Pipeline::spec(&march), true, false);
    assert!(text.contains("prune=[day >= FROM, day < TO, amount > MIN]"), "{text}");
}

/// A price read at scale 2 from a column of scale 3: values are rounded as they are read.
#[derive(Record, Debug, Clone, PartialEq)]
struct Price {
    #[sabot(decimal(12, 2), cast)]
    price: Decimal,
}

const ONE: Decimal = Decimal::new(100, 2);

#[sabot::pipeline]
fn at_least_one(prices: Stream<Price>) -> Stream<Price> {
    prices.filter(|p| p.price >= ONE)
}

#[test]
fn statistics_are_compared_at_the_scale_a_declared_decimal_is_read_at() {
    use arrow::array::{Decimal128Array, RecordBatch};
    use arrow::datatypes::{DataType, Field, Schema};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prices.parquet");
    // One row group whose maximum, 0.995, rounds to 1.00 when read.
    let schema = std::sync::Arc::new(Schema::new(vec![Field::new("price", DataType::Decimal128(10, 3), false)]));
    let column = Decimal128Array::from(vec![990, 995]).with_precision_and_scale(10, 3).unwrap();
    let batch = RecordBatch::try_new(schema.clone(), vec![std::sync::Arc::new(column)]).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let (sink, rows) = sabot::sink::collect();
    Job::new(at_least_one).source("prices", sabot::source::parquet(path.display().to_string())).sink("out", sink).run().unwrap();
    let got: Vec<Price> = rows.lock().unwrap().iter().flat_map(|b| Price::from_batch(b).unwrap()).collect();
    assert_eq!(got, [Price { price: Decimal::new(100, 2) }]);
}
