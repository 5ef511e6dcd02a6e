//! The fast path reads what arrow-csv alone reads: the same rows and values, and the same error
//! where there is one, on files that mix rows it reads with rows it leaves to arrow-csv.

use super::{CsvSource, csv};
use crate::source::{ReadRequest, Source};
use arrow::array::RecordBatch;
use arrow::compute::concat_batches;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use proptest::prelude::*;
use std::sync::Arc;

const COLUMNS: [&str; 6] = ["id", "small", "name", "ts", "note", "price"];

fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::UInt64, false),
        Field::new("small", DataType::Int16, true),
        Field::new("name", DataType::Utf8, false),
        Field::new("ts", DataType::Timestamp(TimeUnit::Millisecond, None), false),
        Field::new("note", DataType::Utf8, true),
        Field::new("price", DataType::Float64, false),
    ]))
}

/// One field's text: mostly values every reader reads, sometimes one only arrow-csv reads or
/// nobody does.
fn field() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        60 => "[0-9]{1,5}".prop_map(String::into_bytes),
        20 => "-[0-9]{1,6}".prop_map(String::into_bytes),
        20 => "[a-z ]{0,12}".prop_map(String::into_bytes),
        20 => Just(b"2024-02-29 12:30:59.123".to_vec()),
        10 => Just(b"1969-12-31T23:59:59".to_vec()),
        10 => Just(Vec::new()),
        5 => Just("é".as_bytes().to_vec()),
        2 => Just(b"1.5".to_vec()),
        1 => Just(b"\"quoted, with a comma\"".to_vec()),
        1 => Just(b"\"two\nlines\"".to_vec()),
        1 => Just(b"\xff".to_vec()),
        1 => Just(b"99999999999999999999999".to_vec()),
        1 => Just("\u{feff}7".as_bytes().to_vec()),
    ]
}

/// A row of six fields, now and then one field more or less.
fn row() -> impl Strategy<Value = Vec<u8>> {
    let width = prop_oneof![60 => Just(6usize), 1 => Just(5usize), 1 => Just(7usize)];
    (width, prop::collection::vec(field(), 7)).prop_map(|(width, fields)| fields[..width].join(&b","[..]))
}

/// A file's text: a header, rows, now and then a `\r\n` or an empty line.
fn file() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![100 => row(), 1 => Just(Vec::new())];
    let ending = prop_oneof![100 => Just(&b"\n"[..]), 1 => Just(&b"\r\n"[..])];
    (prop::collection::vec((line, ending), 0..80), any::<bool>()).prop_map(|(lines, last_newline)| {
        let mut text = COLUMNS.join(",").into_bytes();
        text.push(b'\n');
        let n = lines.len();
        for (i, (line, ending)) in lines.into_iter().enumerate() {
            text.extend_from_slice(&line);
            if i + 1 < n || last_newline {
                text.extend_from_slice(ending);
            }
        }
        text
    })
}

/// The batches of `path` read with `columns` in batches of `batch_rows`, or the error's message.
fn read(source: &CsvSource, columns: &[&str], batch_rows: usize) -> Result<Vec<RecordBatch>, String> {
    let req = ReadRequest {
        source: "s".into(),
        record: "R".into(),
        schema: schema(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        batch_rows,
        prune: None,
    };
    let mut batches = Vec::new();
    let mut next_row = 0;
    for split in source.splits(&req).map_err(|e| e.to_string())? {
        for morsel in split.open().map_err(|e| e.to_string())? {
            let morsel = morsel.map_err(|e| e.to_string())?;
            assert_eq!(morsel.origin.first_row, next_row, "morsels number their rows in order");
            next_row += morsel.batch.num_rows() as u64;
            batches.push(morsel.batch);
        }
    }
    Ok(batches)
}

/// The batches' rows in one batch.
fn concat(batches: &[RecordBatch]) -> RecordBatch {
    concat_batches(&batches[0].schema(), batches).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_fast_path_reads_what_arrow_csv_reads(
        text in file(),
        crlf in prop::sample::select(vec![false, false, false, true]),
        columns in prop::sample::subsequence(COLUMNS[..5].to_vec(), 1..=5),
        batch_rows in 1usize..40,
    ) {
        let text = if crlf { String::from_utf8_lossy(&text).replace('\n', "\r\n").into_bytes() } else { text };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        std::fs::write(&path, &text).unwrap();
        let source = csv(path.to_str().unwrap());
        let arrow_only = CsvSource { fast: false, ..source.clone() };
        prop_assert_eq!(read(&source, &columns, batch_rows), read(&arrow_only, &columns, batch_rows));
    }
}

#[test]
fn a_long_file_reads_the_same_in_both_and_across_refills() {
    let mut text = String::from("id,small,name,ts,note,price\n");
    for i in 0..60_000u64 {
        let note = if i % 7 == 0 { String::new() } else { "n".repeat((i % 50) as usize) };
        text += &format!("{i},{},name {i},2024-01-01 00:00:{:02}.{:03},{note},1.5\n", i % 300, i % 60, i % 1000);
    }
    text += "1,2,\"quoted\",2024-01-01 00:00:00,x,2\n3,4,after,2024-01-01 00:00:00,,2";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.csv");
    std::fs::write(&path, &text).unwrap();
    let source = csv(path.to_str().unwrap());
    let columns = ["id", "small", "name", "ts", "note"];
    let fast = read(&source, &columns, 4096).unwrap();
    assert_eq!(concat(&fast).num_rows(), 60_002);
    assert_eq!(Ok(fast), read(&CsvSource { fast: false, ..source }, &columns, 4096));
}

#[test]
fn a_byte_order_mark_and_a_read_of_no_columns_are_read_as_arrow_csv_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.csv");
    std::fs::write(&path, "\u{feff}3,4,name,2024-01-01 00:00:00,n,1.5\n5,6,other,2024-01-01 00:00:01,,2\n").unwrap();
    let source = csv(path.to_str().unwrap()).has_header(false);
    let arrow_only = CsvSource { fast: false, ..source.clone() };
    for columns in [&["id", "name"][..], &["name"], &[]] {
        let fast = read(&source, columns, 10);
        assert_eq!(fast.as_ref().map(|b| concat(b).num_rows()), Ok(2), "{columns:?}");
        assert_eq!(fast, read(&arrow_only, columns, 10), "{columns:?}");
    }
}

#[test]
fn a_row_opened_by_a_byte_order_mark_mid_file_fails_alike_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.csv");
    let rows = ["1", "2", "3", "\u{feff}7"].map(|id| format!("{id},0,name,2024-01-01 00:00:00,n,1.5\n"));
    std::fs::write(&path, rows.concat()).unwrap();
    let source = csv(path.to_str().unwrap()).has_header(false);
    let err = read(&source, &["id", "name"], 2).unwrap_err();
    assert!(err.contains(":4") && err.contains("column 1"), "{err}");
    assert_eq!(Err(err), read(&CsvSource { fast: false, ..source }, &["id", "name"], 2));
}
