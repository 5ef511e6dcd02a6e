//! TPC-H Q1, Q3, Q5, Q6, Q10 and Q18 over DuckDB-written SF 0.01 Parquet equal DuckDB's
//! answers: decimal sums to the last digit, averages to 1e-12, counts exactly; Q1 and Q6 also
//! read split into many parts so partial aggregates are merged.

use sabot::Job;
use sabot::source::{memory, parquet};
use sabot_examples::tpch::{LineItem, Q1Row, Q6Row, q1, q6};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/tpch-sf0.01");

fn answer(name: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(format!("{DATA}/{name}")).unwrap();
    text.lines().skip(1).map(csv_fields).collect()
}

/// Splits a line of DuckDB's CSV: a field in double quotes may hold commas, and `""` is a quote.
fn csv_fields(line: &str) -> Vec<String> {
    let (mut fields, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

fn source(table: &str) -> sabot::source::ParquetSource {
    parquet(format!("{DATA}/{table}.parquet"))
}

fn close(a: f64, b: &str) -> bool {
    let b: f64 = b.parse().unwrap();
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

fn lineitem_in_memory() -> Vec<sabot::__private::RecordBatch> {
    // Read through Sabot itself, then hand the rows back as many small batches.
    #[sabot::pipeline]
    fn all(l: Stream<LineItem>) -> Stream<LineItem> {
        l.filter(|_| true)
    }
    use sabot::prelude::*;
    let rows: Vec<LineItem> = Job::new(all).source("l", parquet(format!("{DATA}/lineitem.parquet"))).collect().unwrap();
    LineItem::to_batches(&rows, 997)
}

fn check_q1(got: Vec<Q1Row>) {
    // The pipeline sorts like the query's ORDER BY: compared row for row.
    let want = answer("q1.answer.csv");
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!((g.l_returnflag.as_str(), g.l_linestatus.as_str()), (w[0].as_str(), w[1].as_str()));
        assert_eq!(g.sum_qty.to_string(), w[2]);
        assert_eq!(g.sum_base_price.to_string(), w[3]);
        assert_eq!(g.sum_disc_price.to_string(), w[4]);
        assert_eq!(g.sum_charge.to_string(), w[5]);
        assert!(close(g.avg_qty, &w[6]) && close(g.avg_price, &w[7]) && close(g.avg_disc, &w[8]), "{g:?} vs {w:?}");
        assert_eq!(g.count_order.to_string(), w[9]);
    }
}

#[test]
fn q1_equals_duckdb_from_parquet() {
    check_q1(Job::new(q1).source("lineitem", parquet(format!("{DATA}/lineitem.parquet"))).parallelism(2).collect().unwrap());
}

#[test]
fn q1_equals_duckdb_when_partial_aggregates_merge() {
    let got: Vec<Q1Row> = Job::new(q1).source("lineitem", memory(lineitem_in_memory())).parallelism(2).batch_rows(500).collect().unwrap();
    check_q1(got);
}

#[test]
fn q1_and_q6_run_unchanged_as_streams() {
    // The batch pipelines on the streaming executor: the input's end is the final watermark,
    // which finishes the aggregates with the batch answer.
    let stream = || sabot::StreamOptions::default();
    check_q1(Job::new(q1).source("lineitem", memory(lineitem_in_memory())).parallelism(2).streaming(stream()).collect().unwrap());
    let got: Vec<Q6Row> = Job::new(q6).source("lineitem", source("lineitem")).parallelism(2).streaming(stream()).collect().unwrap();
    assert_eq!(got[0].revenue.to_string(), answer("q6.answer.csv")[0][0]);
}

#[test]
fn q6_equals_duckdb() {
    let want = answer("q6.answer.csv");
    for job in [
        Job::new(q6).source("lineitem", parquet(format!("{DATA}/lineitem.parquet"))),
        Job::new(q6).source("lineitem", memory(lineitem_in_memory())).batch_rows(333),
    ] {
        let got: Vec<Q6Row> = job.parallelism(2).collect().unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].revenue.to_string(), want[0][0]);
    }
}

#[test]
fn explain_shows_the_aggregation_ending_a_stage() {
    let text = sabot::explain_text(sabot::Pipeline::spec(&q1), true, false);
    assert!(
        text.contains(
            "source lineitem: LineItem columns=[l_discount, l_extendedprice, l_linestatus, l_quantity, l_returnflag, l_shipdate, l_tax]"
        ),
        "{text}"
    );
    assert!(
        text.contains("stage 0: source(n0) -> filter(n1) -> aggregate(n2)")
            && text.contains("stage 1: groups(n2) -> sort_by(n3)")
            && text.contains("stage 2: sorted(n3) -> sink(n4)"),
        "{text}"
    );
}

#[test]
fn the_tpch_binary_runs_q1_and_q6() {
    for (query, rows) in [("q1", "(4 rows)"), ("q6", "(1 row)")] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tpch"))
            .args([query, "run", "--source", &format!("lineitem=parquet:{DATA}/lineitem.parquet"), "-p", "2"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(rows), "{text}");
    }
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_tpch")).arg("q99").output().unwrap();
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("q1|q3|q5|q6|q10|q18"));
}

#[test]
fn q3_equals_duckdb() {
    use sabot_examples::tpch::{Q3Row, q3};
    let want = answer("q3.answer.csv");
    let got: Vec<Q3Row> = Job::new(q3)
        .source("customer", parquet(format!("{DATA}/customer.parquet")))
        .source("orders", parquet(format!("{DATA}/orders.parquet")))
        .source("lineitem", parquet(format!("{DATA}/lineitem.parquet")))
        .parallelism(2)
        .collect()
        .unwrap();
    let got: Vec<Vec<String>> = got
        .iter()
        .map(|r| vec![r.l_orderkey.to_string(), r.revenue.to_string(), r.o_orderdate.to_string(), r.o_shippriority.to_string()])
        .collect();
    assert_eq!(got, want);
}

#[test]
fn q5_equals_duckdb() {
    use sabot_examples::tpch::{Q5Row, q5};
    let mut job = Job::new(q5);
    for table in ["customer", "orders", "lineitem", "supplier", "nation", "region"] {
        job = job.source(table, source(table));
    }
    let got: Vec<Q5Row> = job.parallelism(2).collect().unwrap();
    let got: Vec<Vec<String>> = got.iter().map(|r| vec![r.n_name.clone(), r.revenue.to_string()]).collect();
    assert_eq!(got, answer("q5.answer.csv"));
}

#[test]
fn q10_equals_duckdb() {
    use sabot_examples::tpch::{Q10Row, q10};
    let mut job = Job::new(q10);
    for table in ["customer", "orders", "lineitem", "nation"] {
        job = job.source(table, source(table));
    }
    let got: Vec<Q10Row> = job.parallelism(2).collect().unwrap();
    let got: Vec<Vec<String>> = got
        .iter()
        .map(|r| {
            vec![
                r.c_custkey.to_string(),
                r.c_name.clone(),
                r.revenue.to_string(),
                r.c_acctbal.to_string(),
                r.n_name.clone(),
                r.c_address.clone(),
                r.c_phone.clone(),
                r.c_comment.clone(),
            ]
        })
        .collect();
    assert_eq!(got, answer("q10.answer.csv"));
}

#[test]
fn q18_equals_duckdb() {
    use sabot_examples::tpch::{Q18Row, q18};
    let mut job = Job::new(q18);
    for table in ["customer", "orders", "lineitem"] {
        job = job.source(table, source(table));
    }
    let got: Vec<Q18Row> = job.parallelism(2).collect().unwrap();
    let got: Vec<Vec<String>> = got
        .iter()
        .map(|r| {
            vec![
                r.c_name.clone(),
                r.c_custkey.to_string(),
                r.o_orderkey.to_string(),
                r.o_orderdate.to_string(),
                r.o_totalprice.to_string(),
                r.sum_qty.to_string(),
            ]
        })
        .collect();
    assert_eq!(got, answer("q18.answer.csv"));
}

#[test]
fn the_tpch_binary_runs_q5_q10_and_q18() {
    for (query, tables, rows) in [
        ("q5", &["customer", "orders", "lineitem", "supplier", "nation", "region"][..], "(5 rows)"),
        ("q10", &["customer", "orders", "lineitem", "nation"][..], "(20 rows)"),
        ("q18", &["customer", "orders", "lineitem"][..], "(2 rows)"),
    ] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tpch"));
        cmd.args([query, "run", "-p", "2"]);
        for table in tables {
            cmd.args(["--source", &format!("{table}=parquet:{DATA}/{table}.parquet")]);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(rows), "{text}");
    }
}
