//! Projection pushdown and input conformance: only read columns reach the stage, other columns
//! may even hold types the record could not read, and type problems are reported by name.

use arrow::array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt32Array, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use sabot::prelude::*;
use sabot::source::{ReadRequest, Source, Split, memory};
use std::sync::{Arc, Mutex};

#[derive(Record, Debug, Clone, PartialEq)]
struct Bid {
    auction: u64,
    bidder: u64,
    price: u64,
    channel: String,
    url: String,
    #[sabot(event_time)]
    date_time: Timestamp,
    extra: String,
}

#[derive(Record, Debug, Clone, PartialEq)]
struct Converted {
    auction: u64,
    price_eur: f64,
}

#[sabot::pipeline]
fn converted(bids: Stream<Bid>) -> Stream<Converted> {
    bids.filter(|b| b.auction % 2 == 0).map(|b| Converted { auction: b.auction, price_eur: b.price as f64 * 0.5 })
}

/// A memory source that records what it was asked for.
struct Recording {
    inner: sabot::source::MemorySource,
    asked: Arc<Mutex<Vec<String>>>,
}

impl Source for Recording {
    fn splits(&self, req: &ReadRequest) -> sabot::Result<Vec<Box<dyn Split>>> {
        *self.asked.lock().unwrap() = req.columns.clone();
        self.inner.splits(req)
    }
    fn describe(&self) -> String {
        "recording".into()
    }
}

fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    let fields: Vec<Field> = columns.iter().map(|(n, a)| Field::new(*n, a.data_type().clone(), true)).collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns.into_iter().map(|(_, a)| a).collect()).unwrap()
}

fn run(b: RecordBatch) -> sabot::Result<Vec<Converted>> {
    Job::new(converted).source("bids", memory(vec![b])).collect()
}

#[test]
fn source_is_asked_for_two_of_seven_columns() {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let rows: Vec<Bid> = (0..4)
        .map(|i| Bid { auction: i, bidder: 0, price: 10, channel: "c".into(), url: "u".into(), date_time: Timestamp(0), extra: "".into() })
        .collect();
    let src = Recording { inner: memory(rows), asked: asked.clone() };
    let out: Vec<Converted> = Job::new(converted).source("bids", src).collect().unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!(*asked.lock().unwrap(), vec!["auction".to_string(), "price".to_string()]);
}

#[test]
fn unread_columns_are_never_decoded() {
    // `channel` holds integers and `url` floats: reading them as String would fail.
    let b = batch(vec![
        ("auction", Arc::new(UInt64Array::from(vec![1, 2, 4])) as ArrayRef),
        ("channel", Arc::new(UInt64Array::from(vec![7, 7, 7]))),
        ("url", Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0]))),
        ("price", Arc::new(UInt64Array::from(vec![10, 20, 40]))),
    ]);
    let out = run(b).unwrap();
    assert_eq!(out, vec![Converted { auction: 2, price_eur: 10.0 }, Converted { auction: 4, price_eur: 20.0 }]);
}

#[test]
fn lossless_casts_apply() {
    let b = batch(vec![("auction", Arc::new(UInt32Array::from(vec![2])) as ArrayRef), ("price", Arc::new(UInt32Array::from(vec![8])))]);
    assert_eq!(run(b).unwrap(), vec![Converted { auction: 2, price_eur: 4.0 }]);
}

#[test]
fn type_mismatch_names_both_types() {
    let b = batch(vec![("auction", Arc::new(UInt64Array::from(vec![2])) as ArrayRef), ("price", Arc::new(StringArray::from(vec!["x"])))]);
    let e = run(b).unwrap_err().to_string();
    assert!(e.contains("`price`") && e.contains("UInt64") && e.contains("Utf8") && e.contains("`bids`"), "{e}");
}

#[test]
fn lossy_cast_needs_the_cast_attribute() {
    let b = batch(vec![("auction", Arc::new(UInt64Array::from(vec![2])) as ArrayRef), ("price", Arc::new(Float64Array::from(vec![1.5])))]);
    let e = run(b).unwrap_err().to_string();
    assert!(e.contains("Float64") && e.contains("#[sabot(cast)]"), "{e}");
}

#[test]
fn missing_column_is_named() {
    let b = batch(vec![("auction", Arc::new(UInt64Array::from(vec![2])) as ArrayRef)]);
    let e = run(b).unwrap_err().to_string();
    assert!(e.contains("column `price` is missing") && e.contains("`auction`"), "{e}");
}

#[test]
fn null_in_required_field_is_reported_with_its_row() {
    let b = batch(vec![
        ("auction", Arc::new(UInt64Array::from(vec![Some(2), None])) as ArrayRef),
        ("price", Arc::new(UInt64Array::from(vec![1, 2]))),
    ]);
    let e = run(b).unwrap_err().to_string();
    assert!(e.contains("null at row 1") && e.contains("Option<_>"), "{e}");
}

#[test]
fn lossy_cast_with_attribute_and_overflow_error() {
    #[derive(Record, Debug, Clone, PartialEq)]
    struct Narrow {
        #[sabot(cast)]
        v: u8,
    }
    #[sabot::pipeline]
    fn same(n: Stream<Narrow>) -> Stream<Narrow> {
        n.filter(|_| true)
    }
    let ok = batch(vec![("v", Arc::new(UInt64Array::from(vec![7])) as ArrayRef)]);
    assert_eq!(Job::new(same).source("n", memory(vec![ok])).collect::<Narrow>().unwrap(), vec![Narrow { v: 7 }]);
    let big = batch(vec![("v", Arc::new(UInt64Array::from(vec![300])) as ArrayRef)]);
    let e = Job::new(same).source("n", memory(vec![big])).collect::<Narrow>().unwrap_err().to_string();
    assert!(e.contains("cannot cast UInt64 to UInt8"), "{e}");
    let _ = DataType::UInt8;
}

#[test]
fn string_fields_read_dictionary_columns_with_nulls() {
    use arrow::array::DictionaryArray;
    use arrow::datatypes::Int32Type;
    #[derive(Record, Debug, Clone, PartialEq)]
    struct Tagged {
        tag: Option<String>,
        name: String,
    }
    #[sabot::pipeline]
    fn tagged(t: Stream<Tagged>) -> Stream<Tagged> {
        t.filter(|t| t.name != "skip")
    }
    let tags: DictionaryArray<Int32Type> = vec![Some("a"), None, Some("b"), Some("a")].into_iter().collect();
    let names: DictionaryArray<Int32Type> = vec!["x", "z", "y", "skip"].into_iter().collect();
    let b = batch(vec![("tag", Arc::new(tags) as ArrayRef), ("name", Arc::new(names))]);
    let got: Vec<Tagged> = Job::new(tagged).source("t", memory(vec![b])).collect().unwrap();
    assert_eq!(
        got,
        vec![
            Tagged { tag: Some("a".into()), name: "x".into() },
            Tagged { tag: None, name: "z".into() },
            Tagged { tag: Some("b".into()), name: "y".into() },
        ]
    );
}

#[test]
fn timestamps_beyond_nanosecond_range_are_errors_not_clamped() {
    use arrow::array::TimestampSecondArray;
    #[derive(Record, Debug, Clone, PartialEq)]
    struct Ev {
        at: Timestamp,
    }
    #[sabot::pipeline]
    fn evs(e: Stream<Ev>) -> Stream<Ev> {
        e.filter(|_| true)
    }
    let ok = batch(vec![("at", Arc::new(TimestampSecondArray::from(vec![0, 1_700_000_000])) as ArrayRef)]);
    let rows: Vec<Ev> = Job::new(evs).source("e", memory(vec![ok])).collect().unwrap();
    assert_eq!(rows[1].at, Timestamp(1_700_000_000 * 1_000_000_000));
    // Year ~3300 in seconds: fits the column, not nanoseconds in an i64.
    let far = batch(vec![("at", Arc::new(TimestampSecondArray::from(vec![0, 42_000_000_000])) as ArrayRef)]);
    let e = Job::new(evs).source("e", memory(vec![far])).collect::<Ev>().unwrap_err().to_string();
    assert!(e.contains("`at`") && e.contains("row 1") && e.contains("1677-2262"), "{e}");
}
