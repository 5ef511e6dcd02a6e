//! The parquet source: splits per row group, projection, morsel sizes and origins, errors.

use arrow::array::{
    ArrayRef, AsArray, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use arrow::datatypes::{DataType, Field, Float64Type, Int64Type, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use sabot_runtime::source::{ReadRequest, Source, parquet};
use sabot_runtime::stage::Morsel;
use std::path::Path;
use std::sync::Arc;

const ROWS_PER_GROUP: usize = 10;
const GROUPS: usize = 3;

fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("name", DataType::Utf8, true),
        Field::new("price", DataType::Float64, false),
        Field::new("flag", DataType::Boolean, false),
        Field::new("ts", DataType::Timestamp(TimeUnit::Microsecond, None), false),
        Field::new("day", DataType::Date32, false),
        Field::new("amount", DataType::Decimal128(10, 2), false),
    ]))
}

/// Rows `start..end`: id = row, price = row / 2.
fn batch(start: i64, end: i64) -> RecordBatch {
    let ids = start..end;
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(ids.clone())),
        Arc::new(StringArray::from_iter_values(ids.clone().map(|i| format!("n{i}")))),
        Arc::new(Float64Array::from_iter_values(ids.clone().map(|i| i as f64 / 2.0))),
        Arc::new(BooleanArray::from_iter(ids.clone().map(|i| Some(i % 2 == 0)))),
        Arc::new(TimestampMicrosecondArray::from_iter_values(ids.clone().map(|i| i * 1_000_000))),
        Arc::new(Date32Array::from_iter_values(ids.clone().map(|i| i as i32))),
        Arc::new(Decimal128Array::from_iter_values(ids.map(i128::from)).with_precision_and_scale(10, 2).unwrap()),
    ];
    RecordBatch::try_new(schema(), columns).unwrap()
}

/// Writes `groups` row groups of `ROWS_PER_GROUP` rows, ids counting from `first_id`.
fn write_file(path: &Path, first_id: i64, groups: usize) {
    let file = std::fs::File::create(path).unwrap();
    let props = WriterProperties::builder().set_max_row_group_size(ROWS_PER_GROUP).build();
    let mut writer = ArrowWriter::try_new(file, schema(), Some(props)).unwrap();
    let rows = (groups * ROWS_PER_GROUP) as i64;
    writer.write(&batch(first_id, first_id + rows)).unwrap();
    writer.close().unwrap();
}

fn request(columns: &[&str], batch_rows: usize) -> ReadRequest {
    ReadRequest {
        record: "Bid".into(),
        source: "bids".into(),
        schema: schema(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        batch_rows,
        prune: None,
    }
}

fn read_all(source: &dyn Source, req: &ReadRequest) -> (usize, Vec<Morsel>) {
    let splits = source.splits(req).unwrap();
    let n = splits.len();
    let mut morsels = Vec::new();
    for split in splits {
        for morsel in split.open().unwrap() {
            morsels.push(morsel.unwrap());
        }
    }
    (n, morsels)
}

#[test]
fn one_split_per_row_group_with_only_the_requested_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bids.parquet");
    write_file(&path, 0, GROUPS);
    let source = parquet(path.to_str().unwrap());
    let (splits, morsels) = read_all(&source, &request(&["price", "id"], 4));
    assert_eq!(splits, GROUPS);

    let file = path.display().to_string();
    let mut ids = Vec::new();
    let mut first_rows = Vec::new();
    for m in &morsels {
        assert!(m.batch.num_rows() <= 4);
        let names: Vec<_> = m.batch.schema().fields().iter().map(|f| f.name().clone()).collect();
        assert_eq!(names, ["id", "price"]);
        assert_eq!(&*m.origin.source, "bids");
        assert_eq!(m.origin.file.as_deref(), Some(file.as_str()));
        first_rows.push(m.origin.first_row);
        let id = m.batch.column(0).as_primitive::<Int64Type>();
        let price = m.batch.column(1).as_primitive::<Float64Type>();
        for i in 0..id.len() {
            assert_eq!(id.value(i) as u64, m.origin.first_row + i as u64);
            assert_eq!(price.value(i), id.value(i) as f64 / 2.0);
        }
        ids.extend(id.values().iter().copied());
    }
    assert_eq!(ids, (0..(GROUPS * ROWS_PER_GROUP) as i64).collect::<Vec<_>>());
    // 10-row groups in morsels of at most 4 rows.
    assert_eq!(first_rows, [0, 4, 8, 10, 14, 18, 20, 24, 28]);
}

#[test]
fn a_directory_reads_its_files_in_order_and_skips_hidden_ones() {
    let dir = tempfile::tempdir().unwrap();
    write_file(&dir.path().join("a.parquet"), 0, 2);
    write_file(&dir.path().join("b.parquet"), 100, 1);
    std::fs::write(dir.path().join(".b.parquet.tmp"), b"partial").unwrap();
    let source = parquet(dir.path().to_str().unwrap());
    let (splits, morsels) = read_all(&source, &request(&["id"], 1000));
    assert_eq!(splits, 3);
    let ids: Vec<i64> = morsels.iter().flat_map(|m| m.batch.column(0).as_primitive::<Int64Type>().values().to_vec()).collect();
    let expected: Vec<i64> = (0..20).chain(100..110).collect();
    assert_eq!(ids, expected);
    // Row numbers restart with each file.
    let origins: Vec<_> =
        morsels.iter().map(|m| (m.origin.file.as_deref().unwrap_or("").ends_with("b.parquet"), m.origin.first_row)).collect();
    assert_eq!(origins, [(false, 0), (false, 10), (true, 0)]);
}

#[test]
fn a_glob_selects_files() {
    let dir = tempfile::tempdir().unwrap();
    write_file(&dir.path().join("x1.parquet"), 0, 1);
    write_file(&dir.path().join("y1.parquet"), 50, 1);
    let pattern = dir.path().join("x*.parquet");
    let source = parquet(pattern.to_str().unwrap());
    let (splits, morsels) = read_all(&source, &request(&["id"], 1000));
    assert_eq!(splits, 1);
    assert_eq!(morsels[0].batch.column(0).as_primitive::<Int64Type>().value(0), 0);
}

#[test]
fn no_columns_still_counts_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bids.parquet");
    write_file(&path, 0, 2);
    let (_, morsels) = read_all(&parquet(path.to_str().unwrap()), &request(&[], 1000));
    let rows: usize = morsels.iter().map(|m| m.batch.num_rows()).sum();
    assert_eq!(rows, 20);
    assert!(morsels.iter().all(|m| m.batch.num_columns() == 0));
}

#[test]
fn a_missing_column_names_file_column_and_found_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bids.parquet");
    write_file(&path, 0, 1);
    let err = parquet(path.to_str().unwrap()).splits(&request(&["id", "bidder"], 1000)).err().expect("a missing column is an error");
    let text = err.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains("`bidder` is missing"), "{text}");
    assert!(text.contains("`id`, `name`, `price`, `flag`, `ts`, `day`, `amount`"), "{text}");
}

#[test]
fn a_file_that_is_not_parquet_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.parquet");
    std::fs::write(&path, b"id,price\n1,2\n").unwrap();
    let err = parquet(path.to_str().unwrap()).splits(&request(&["id"], 1000)).err().expect("not parquet");
    let text = err.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
}

#[test]
fn a_missing_path_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nothing.parquet");
    let err = parquet(path.to_str().unwrap()).splits(&request(&["id"], 1000));
    assert!(err.is_err());
}

#[test]
fn dictionary_encoded_text_arrives_as_dictionary_arrays() {
    use arrow::array::StringArray;
    use arrow::datatypes::{DataType, Field, Schema};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flags.parquet");
    let schema = Arc::new(Schema::new(vec![Field::new("flag", DataType::Utf8, false)]));
    let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(StringArray::from(vec!["A", "N", "A", "R"]))]).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema.clone(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let req =
        ReadRequest { record: "Flag".into(), source: "flags".into(), schema, columns: vec!["flag".into()], batch_rows: 100, prune: None };
    let splits = sabot_runtime::source::parquet(path.to_str().unwrap()).splits(&req).unwrap();
    let morsels: Vec<_> = splits.into_iter().flat_map(|s| s.open().unwrap()).map(|m| m.unwrap()).collect();
    let col = morsels[0].batch.column(0);
    assert!(matches!(col.data_type(), DataType::Dictionary(..)), "{:?}", col.data_type());
    let plain = arrow::compute::cast(col, &DataType::Utf8).unwrap();
    assert_eq!(plain.as_any().downcast_ref::<StringArray>().unwrap(), &StringArray::from(vec!["A", "N", "A", "R"]));
}
