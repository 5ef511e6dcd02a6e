//! Every example runs on small data: in process through `Job`, and as the job binary a user
//! ships, through its CLI.

use sabot::Job;
use sabot::prelude::*;
use sabot::source::{csv, parquet};
use sabot_examples::{log_filter, tpch_filter};
use std::process::Command;

#[test]
fn log_filter_csv_to_parquet_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs.csv");
    std::fs::write(&logs, log_filter::generate_csv(5_000)).unwrap();
    let out_dir = dir.path().join("incidents");
    let status = Command::new(env!("CARGO_BIN_EXE_log_filter"))
        .args([
            "run",
            "--source",
            &format!("logs=csv:{}", logs.display()),
            "--sink",
            &format!("out=parquet:{}", out_dir.display()),
            "-p",
            "2",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    // Read the written Parquet back through Sabot and compare with the in-process run.
    #[sabot::pipeline]
    fn read_back(rows: Stream<log_filter::Incident>) -> Stream<log_filter::Incident> {
        rows.filter(|_| true)
    }
    let written: Vec<log_filter::Incident> = Job::new(read_back).source("rows", parquet(out_dir.to_str().unwrap())).collect().unwrap();
    let direct: Vec<log_filter::Incident> = Job::new(log_filter::incidents).source("logs", csv(logs.to_str().unwrap())).collect().unwrap();
    assert!(!direct.is_empty());
    assert_eq!(written, direct);
}

#[test]
fn a_malformed_csv_row_is_reported_with_file_line_column_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("bad.csv");
    let mut text = log_filter::generate_csv(10);
    text.push_str("2024-03-01T10:00:00,INFO,auth,abc,5,/x,ok\n");
    std::fs::write(&logs, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_log_filter"))
        .args(["run", "--source", &format!("logs=csv:{}", logs.display()), "--sink", "out=stdout"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("bad.csv:12:") && err.contains("column 4") && err.contains("`status`"), "{err}");
}

#[test]
fn a_parquet_file_missing_a_used_column_names_it() {
    #[derive(Record, Debug, Clone, PartialEq)]
    struct Partial {
        l_orderkey: i64,
        l_shipdate: Date,
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lineitem.parquet");
    let rows = vec![Partial { l_orderkey: 1, l_shipdate: Date::new(1994, 2, 1) }];
    write_parquet(&path, Partial::to_batches(&rows, 10));
    let err = Job::new(tpch_filter::q6_lines)
        .source("lineitem", parquet(path.to_str().unwrap()))
        .collect::<tpch_filter::Revenue>()
        .unwrap_err()
        .to_string();
    assert!(err.contains("lineitem.parquet") && err.contains("is missing (the record `LineItem` reads it)"), "{err}");
}

#[test]
fn tpch_filter_computes_exact_revenue_on_decimal_columns() {
    let lines: Vec<tpch_filter::LineItem> = (0..2_000)
        .map(|i| tpch_filter::LineItem {
            l_orderkey: i,
            l_quantity: Decimal::new(i128::from(i % 50) * 100, 2),
            l_extendedprice: Decimal::new(100_000 + i128::from(i) * 37, 2),
            l_discount: Decimal::new(i128::from(i % 11), 2),
            l_tax: Decimal::new(2, 2),
            l_returnflag: "N".into(),
            l_shipdate: Date(Date::new(1993, 6, 1).days() + (i as i32 % 700)),
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lineitem.parquet");
    write_parquet(&path, tpch_filter::LineItem::to_batches(&lines, 300));
    let got: Vec<tpch_filter::Revenue> =
        Job::new(tpch_filter::q6_lines).source("lineitem", parquet(path.to_str().unwrap())).collect().unwrap();
    let (from, to) = (Date::new(1994, 1, 1), Date::new(1995, 1, 1));
    let want: Vec<tpch_filter::Revenue> = lines
        .iter()
        .filter(|l| l.l_shipdate >= from && l.l_shipdate < to)
        .filter(|l| l.l_discount >= Decimal::new(5, 2) && l.l_discount <= Decimal::new(7, 2) && l.l_quantity < Decimal::new(24, 0))
        .map(|l| tpch_filter::Revenue { l_orderkey: l.l_orderkey, revenue: l.l_extendedprice * l.l_discount })
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got, want);
    let total = got.iter().fold(Decimal::new(0, 4), |acc, r| acc + r.revenue);
    let want_total = want.iter().fold(Decimal::new(0, 4), |acc, r| acc + r.revenue);
    assert_eq!(total.to_string(), want_total.to_string());
}

fn write_parquet(path: &std::path::Path, batches: Vec<sabot::__private::RecordBatch>) {
    let mut sink = sabot::sink::parquet(path.to_str().unwrap());
    use sabot::sink::Sink;
    sink.open("t", batches[0].schema()).unwrap();
    for b in &batches {
        sink.write(b).unwrap();
    }
    sink.finish().unwrap();
}

#[test]
fn tpch_filter_matches_duckdb_to_the_cent_on_duckdb_written_parquet() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/tpch-sf0.01");
    let answer = std::fs::read_to_string(format!("{dir}/q6_lines.answer")).unwrap();
    let field = |k: &str| answer.lines().find_map(|l| l.strip_prefix(&format!("{k}="))).unwrap().to_string();
    let got: Vec<tpch_filter::Revenue> =
        Job::new(tpch_filter::q6_lines).source("lineitem", parquet(format!("{dir}/lineitem.parquet"))).parallelism(2).collect().unwrap();
    let total = got.iter().fold(Decimal::new(0, 4), |acc, r| acc + r.revenue);
    assert_eq!(got.len().to_string(), field("lines"));
    assert_eq!(total.to_string(), field("revenue"));
}
