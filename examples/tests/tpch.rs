//! TPC-H Q1 and Q6 over DuckDB-written SF 0.01 Parquet equal DuckDB's answers: decimal sums to
//! the last digit, averages to 1e-12, counts exactly; read whole and split into many parts so
//! partial aggregates are merged.

use sabot::Job;
use sabot::source::{memory, parquet};
use sabot_examples::tpch::{LineItem, Q1Row, Q6Row, q1, q6};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/tpch-sf0.01");

fn answer(name: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(format!("{DATA}/{name}")).unwrap();
    text.lines().skip(1).map(|l| l.split(',').map(String::from).collect()).collect()
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
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("q1|q3|q6"));
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
