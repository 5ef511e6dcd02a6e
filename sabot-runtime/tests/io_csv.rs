//! The CSV source: types from the record, projection, origins, and errors that name the file,
//! line, column and field.

use arrow::array::{Array, AsArray};
use arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Field, Float64Type, Int64Type, Schema, SchemaRef, TimeUnit, TimestampMillisecondType,
};
use sabot_runtime::source::{ReadRequest, Source, csv};
use sabot_runtime::stage::Morsel;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("count", DataType::Int64, false),
        Field::new("price", DataType::Float64, false),
        Field::new("day", DataType::Date32, false),
        Field::new("ts", DataType::Timestamp(TimeUnit::Millisecond, None), false),
        Field::new("amount", DataType::Decimal128(10, 2), false),
        Field::new("flag", DataType::Boolean, true),
        Field::new("name", DataType::Utf8, false),
    ]))
}

fn request(columns: &[&str], batch_rows: usize) -> ReadRequest {
    ReadRequest {
        record: "Order".into(),
        source: "orders".into(),
        schema: schema(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        batch_rows,
        prune: None,
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn read(source: &dyn Source, req: &ReadRequest) -> sabot_runtime::Result<(usize, Vec<Morsel>)> {
    let splits = source.splits(req)?;
    let n = splits.len();
    let mut morsels = Vec::new();
    for split in splits {
        for morsel in split.open()? {
            morsels.push(morsel?);
        }
    }
    Ok((n, morsels))
}

/// The error reading `text` as one file, with columns `columns`.
fn error(text: &str, columns: &[&str], batch_rows: usize) -> (PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "orders.csv", text);
    let err = read(&csv(path.to_str().unwrap()), &request(columns, batch_rows)).expect_err("the file has an error");
    (path, err.to_string())
}

const GOOD: &str = "\
note,id,day,ts,amount,price,name,flag
x,1,2024-01-02,2024-01-02T03:04:05.678,12.5,1.5,\"a, b\",true
\"two
lines\",2,2024-02-29,2024-02-29 00:00:00,-0.01,2,plain,
y,3,1970-01-01,1970-01-01T00:00:00Z,100,-3.25,z,FALSE
";

#[test]
fn types_come_from_the_record_and_only_requested_columns_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "orders.csv", GOOD);
    let cols = ["name", "id", "day", "ts", "amount", "price", "flag"];
    let (splits, morsels) = read(&csv(path.to_str().unwrap()), &request(&cols, 2)).unwrap();
    assert_eq!(splits, 1);
    assert_eq!(morsels.len(), 2);
    assert_eq!(morsels[0].origin.first_row, 0);
    assert_eq!(morsels[1].origin.first_row, 2);
    assert_eq!(morsels[1].origin.file.as_deref(), Some(path.display().to_string().as_str()));
    assert_eq!(&*morsels[0].origin.source, "orders");

    let b = arrow::compute::concat_batches(&morsels[0].batch.schema(), morsels.iter().map(|m| &m.batch)).unwrap();
    let names: Vec<_> = b.schema().fields().iter().map(|f| f.name().clone()).collect();
    // File order; `note` is not requested.
    assert_eq!(names, ["id", "day", "ts", "amount", "price", "name", "flag"]);
    assert_eq!(b.column(0).as_primitive::<Int64Type>().values().to_vec(), [1, 2, 3]);
    let day = b.column(1).as_primitive::<Date32Type>();
    assert_eq!(day.values().to_vec(), [19724, 19782, 0]);
    let ts = b.column(2).as_primitive::<TimestampMillisecondType>();
    assert_eq!(ts.values().to_vec(), [1_704_164_645_678, 1_709_164_800_000, 0]);
    let amount = b.column(3).as_primitive::<Decimal128Type>();
    assert_eq!(amount.data_type(), &DataType::Decimal128(10, 2));
    assert_eq!(amount.values().to_vec(), [1250, -1, 10000]);
    assert_eq!(b.column(4).as_primitive::<Float64Type>().values().to_vec(), [1.5, 2.0, -3.25]);
    let name = b.column(5).as_string::<i32>();
    assert_eq!((name.value(0), name.value(1), name.value(2)), ("a, b", "plain", "z"));
    let flag = b.column(6).as_boolean();
    assert!(flag.value(0) && flag.is_null(1) && !flag.value(2));
}

#[test]
fn delimiter_and_no_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "orders.csv", "7;8;0.5;2024-01-01;2024-01-01T00:00:00;1;true;a\n");
    let source = csv(path.to_str().unwrap()).delimiter(b';').has_header(false);
    let (_, morsels) = read(&source, &request(&["count", "name"], 100)).unwrap();
    let b = &morsels[0].batch;
    assert_eq!(b.column(0).as_primitive::<Int64Type>().value(0), 8);
    assert_eq!(b.column(1).as_string::<i32>().value(0), "a");
}

#[test]
fn a_directory_gives_one_split_per_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.csv", "id,count\n1,2\n");
    write(dir.path(), "b.csv", "count,id\n4,3\n5,6\n");
    write(dir.path(), "notes.txt", "ignored");
    let (splits, morsels) = read(&csv(dir.path().to_str().unwrap()), &request(&["id"], 100)).unwrap();
    assert_eq!(splits, 2);
    let ids: Vec<i64> = morsels.iter().flat_map(|m| m.batch.column(0).as_primitive::<Int64Type>().values().to_vec()).collect();
    assert_eq!(ids, [1, 3, 6]);
}

#[test]
fn a_header_only_file_has_no_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "orders.csv", "id,count\n");
    let (_, morsels) = read(&csv(path.to_str().unwrap()), &request(&["id"], 100)).unwrap();
    assert!(morsels.is_empty());
}

#[test]
fn a_missing_column_is_named() {
    let (path, text) = error("id,price\n1,2\n", &["id", "count"], 100);
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains("`count` is missing"), "{text}");
    assert!(text.contains("`id`, `price`"), "{text}");
}

#[test]
fn a_bad_integer_names_file_line_column_and_field() {
    for batch_rows in [1, 2, 100] {
        let (path, text) = error("id,count,price\n1,2,3\n1,abc,3\n", &["id", "count", "price"], batch_rows);
        let expected = format!("{}:3: column 2 (`count`): cannot parse `abc` as Int64", path.display());
        assert_eq!(text, expected, "batch_rows {batch_rows}");
    }
}

#[test]
fn a_bad_value_in_a_later_batch_counts_physical_lines() {
    // Line 3 holds a quoted newline, so the bad row is on line 7 although it is row 5.
    let text = "id,count,name\n1,1,a\n2,2,\"x\ny\"\n3,3,c\n4,4,d\n5,5x,e\n6,6,f\n";
    let (path, text) = error(text, &["count", "name"], 2);
    assert!(text.starts_with(&format!("{}:7: column 2 (`count`)", path.display())), "{text}");
    assert!(text.contains("`5x`"), "{text}");
}

#[test]
fn bad_decimal_timestamp_date_and_boolean_values_are_located() {
    let header = "id,amount,ts,day,flag\n";
    let good = "1,1.5,2024-01-01T00:00:00,2024-01-01,true\n";
    let cases = [
        ("2,1.2.3,2024-01-01T00:00:00,2024-01-01,true\n", 2, "amount"),
        ("2,1.5,yesterday,2024-01-01,true\n", 3, "ts"),
        ("2,1.5,2024-01-01T00:00:00,2024-13-01,true\n", 4, "day"),
        ("2,1.5,2024-01-01T00:00:00,2024-01-01,perhaps\n", 5, "flag"),
    ];
    for (bad, column, field) in cases {
        let file = format!("{header}{good}{good}{bad}{good}");
        let (path, text) = error(&file, &["id", "amount", "ts", "day", "flag"], 100);
        let expected = format!("{}:4: column {column} (`{field}`)", path.display());
        assert!(text.starts_with(&expected), "{text}");
    }
}

#[test]
fn an_unrequested_bad_value_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "orders.csv", "id,count\n1,abc\n");
    let (_, morsels) = read(&csv(path.to_str().unwrap()), &request(&["id"], 100)).unwrap();
    assert_eq!(morsels[0].batch.num_rows(), 1);
}

#[test]
fn too_few_fields_name_file_and_line() {
    let (path, text) = error("id,count,price\n1,2,3\n4,5\n6,7,8\n", &["id"], 100);
    let expected = format!("{}:3: column 3 (`price`): expected 3 fields, found 2", path.display());
    assert_eq!(text, expected);
}

#[test]
fn too_many_fields_name_file_and_line() {
    for batch_rows in [1, 100] {
        let (path, text) = error("id,count\n1,2\n3,4\n5,6\n7,8,9\n", &["id"], batch_rows);
        let expected = format!("{}:5: column 3", path.display());
        assert!(text.starts_with(&expected), "batch_rows {batch_rows}: {text}");
        assert!(text.contains("expected 2 fields"), "{text}");
    }
}

#[test]
fn crlf_line_endings_count_lines() {
    let (path, text) = error("id,count\r\n1,2\r\n3,x\r\n", &["count"], 100);
    assert!(text.starts_with(&format!("{}:3: column 2 (`count`)", path.display())), "{text}");
}

#[test]
fn invalid_utf8_and_blank_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    std::fs::write(&path, b"id,name\n\n1,a\r\n\r\n2,b\xff\n").unwrap();
    let err = read(&csv(path.to_str().unwrap()), &request(&["id"], 100)).expect_err("bad UTF-8");
    let expected = format!("{}:5: column 2 (`name`): invalid UTF-8", path.display());
    assert_eq!(err.to_string(), expected);
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_first_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "orders.csv", "\u{feff}id,count\n1,2\n");
    let (_, morsels) = read(&csv(path.to_str().unwrap()), &request(&["id"], 100)).unwrap();
    let ids = morsels[0].batch.column(0).as_primitive::<Int64Type>();
    assert_eq!(ids.values().to_vec(), [1]);
}

#[test]
fn an_empty_field_is_an_empty_string_for_a_string_field_and_null_for_an_option() {
    let dir = tempfile::tempdir().unwrap();
    // `name` is a `String` (not nullable), `flag` an `Option<bool>`.
    let path = write(dir.path(), "orders.csv", "id,name,flag\n1,,\n2,b,true\n");
    let req = ReadRequest { columns: vec!["id".into(), "name".into(), "flag".into()], ..request(&[], 1024) };
    let (_, morsels) = read(&csv(path.to_str().unwrap()), &req).unwrap();
    let b = &morsels[0].batch;
    let names = b.column_by_name("name").unwrap().as_string::<i32>();
    assert_eq!((names.null_count(), names.value(0), names.value(1)), (0, "", "b"));
    assert!(b.column_by_name("flag").unwrap().is_null(0));
}
