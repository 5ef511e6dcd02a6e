//! The file sinks: round trips through the sources, output visible only after `finish`, empty
//! outputs.

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int64Array, RecordBatch, StringArray, TimestampMillisecondArray,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use sabot_runtime::sink::{self, Sink};
use sabot_runtime::source::{self, ReadRequest, Source};
use std::path::Path;
use std::sync::Arc;

fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("name", DataType::Utf8, true),
        Field::new("price", DataType::Float64, false),
        Field::new("flag", DataType::Boolean, false),
        Field::new("ts", DataType::Timestamp(TimeUnit::Millisecond, None), false),
        Field::new("day", DataType::Date32, false),
        Field::new("amount", DataType::Decimal128(10, 2), false),
    ]))
}

fn batch(ids: std::ops::Range<i64>) -> RecordBatch {
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(ids.clone())),
        Arc::new(StringArray::from_iter(ids.clone().map(|i| (i % 3 != 0).then(|| format!("n, \"{i}\""))))),
        Arc::new(Float64Array::from_iter_values(ids.clone().map(|i| i as f64 * 0.25))),
        Arc::new(BooleanArray::from_iter(ids.clone().map(|i| Some(i % 2 == 0)))),
        Arc::new(TimestampMillisecondArray::from_iter_values(ids.clone().map(|i| 1_700_000_000_000 + i * 1_001))),
        Arc::new(Date32Array::from_iter_values(ids.clone().map(|i| 19_000 + i as i32))),
        Arc::new(Decimal128Array::from_iter_values(ids.map(|i| i128::from(i) * 7 - 50)).with_precision_and_scale(10, 2).unwrap()),
    ];
    RecordBatch::try_new(schema(), columns).unwrap()
}

fn read_back(source: &dyn Source) -> RecordBatch {
    let schema = schema();
    let req = ReadRequest {
        source: "out".into(),
        record: "Row".into(),
        schema: schema.clone(),
        columns: schema.fields().iter().map(|f| f.name().clone()).collect(),
        batch_rows: 1000,
        prune: None,
    };
    let mut batches = Vec::new();
    for split in source.splits(&req).unwrap() {
        for morsel in split.open().unwrap() {
            batches.push(morsel.unwrap().batch);
        }
    }
    // The Parquet source may hand dictionary-encoded text over as dictionary arrays; compare
    // values in the written types.
    let batches: Vec<RecordBatch> = batches
        .iter()
        .map(|b| {
            let columns = b.columns().iter().zip(schema.fields()).map(|(c, f)| arrow::compute::cast(c, f.data_type()).unwrap()).collect();
            RecordBatch::try_new(schema.clone(), columns).unwrap()
        })
        .collect();
    arrow::compute::concat_batches(&schema, &batches).unwrap()
}

/// Visible files of `dir` (hidden temporaries excluded).
fn visible(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

fn write_all(sink: &mut dyn Sink, batches: &[RecordBatch], dir: &Path) {
    sink.open("out", schema()).unwrap();
    for b in batches {
        sink.write(b).unwrap();
    }
    assert!(!dir.exists() || visible(dir).is_empty(), "output visible before finish");
    sink.finish().unwrap();
}

#[test]
fn parquet_round_trip_into_a_new_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let mut sink = sink::parquet(dir.to_str().unwrap());
    write_all(&mut sink, &[batch(0..5), batch(5..12)], &dir);
    assert_eq!(visible(&dir), ["part-00000.parquet"]);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "temporary file left behind");
    let back = read_back(&source::parquet(dir.to_str().unwrap()));
    assert_eq!(back, batch(0..12));
}

#[test]
fn parquet_to_a_file_path_and_empty_output_keeps_the_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("sub").join("empty.parquet");
    let mut sink = sink::parquet(path.to_str().unwrap());
    write_all(&mut sink, &[], &tmp.path().join("sub"));
    let file = std::fs::File::open(&path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    assert_eq!(reader.schema().fields(), schema().fields());
    assert_eq!(reader.metadata().file_metadata().num_rows(), 0);
}

#[test]
fn an_unfinished_sink_leaves_no_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let mut sink = sink::parquet(dir.to_str().unwrap());
    sink.open("out", schema()).unwrap();
    sink.write(&batch(0..3)).unwrap();
    drop(sink);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn csv_round_trip_to_a_file_path() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("out.csv");
    let mut sink = sink::csv(path.to_str().unwrap());
    write_all(&mut sink, &[batch(0..4), batch(4..9)], tmp.path().join("none").as_path());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("id,name,price,flag,ts,day,amount\n"), "{text}");
    let back = read_back(&source::csv(path.to_str().unwrap()));
    // The CSV source reads every column as nullable; compare the values.
    let expected = batch(0..9);
    assert_eq!(back.columns(), expected.columns());
}

#[test]
fn csv_into_a_directory_and_empty_output_has_a_header() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let mut sink = sink::csv(dir.to_str().unwrap());
    write_all(&mut sink, &[], &dir);
    assert_eq!(visible(&dir), ["part-00000.csv"]);
    let text = std::fs::read_to_string(dir.join("part-00000.csv")).unwrap();
    assert_eq!(text, "id,name,price,flag,ts,day,amount\n");
}

#[test]
fn finishing_twice_is_harmless_and_stdout_prints() {
    let tmp = tempfile::tempdir().unwrap();
    let mut sink = sink::csv(tmp.path().join("x.csv").to_str().unwrap());
    sink.open("out", schema()).unwrap();
    sink.finish().unwrap();
    sink.finish().unwrap();
    let mut out = sink::stdout().limit(2);
    out.open("out", schema()).unwrap();
    out.write(&batch(0..5)).unwrap();
    out.finish().unwrap();
}

#[test]
fn opening_again_starts_over() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("out.parquet");
    let mut sink = sink::parquet(path.to_str().unwrap());
    sink.open("out", schema()).unwrap();
    sink.write(&batch(0..3)).unwrap();
    sink.open("out", schema()).unwrap();
    sink.write(&batch(3..5)).unwrap();
    sink.finish().unwrap();
    assert_eq!(read_back(&source::parquet(path.to_str().unwrap())), batch(3..5));
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
}
