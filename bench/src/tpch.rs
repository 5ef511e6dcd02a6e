//! `bench tpch`: TPC-H Q1, Q3, Q6 from the same Parquet files, Sabot vs DuckDB, answers checked
//! against DuckDB's (`scripts/tpch_data.py` writes them beside the data).

use crate::median;
use sabot::Job;
use sabot::source::parquet;
use sabot_examples::tpch::{Q1Row, Q3Row, Q6Row, q1, q3, q6};
use std::time::Instant;

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let first = f();
    let times = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64()
        })
        .collect();
    (median(times), first)
}

/// Runs the benchmark over `dir/lineitem.parquet`.
pub fn run(dir: &str, runs: usize, threads: usize, python: &str) -> anyhow::Result<()> {
    let file = format!("{dir}/lineitem.parquet");
    let (q1_s, q1_rows) =
        time(runs, || Job::new(q1).source("lineitem", parquet(&file)).parallelism(threads).collect::<Q1Row>().expect("q1 runs"));
    let (q6_s, q6_rows) =
        time(runs, || Job::new(q6).source("lineitem", parquet(&file)).parallelism(threads).collect::<Q6Row>().expect("q6 runs"));
    let (q3_s, q3_rows) = time(runs, || {
        Job::new(q3)
            .source("customer", parquet(format!("{dir}/customer.parquet")))
            .source("orders", parquet(format!("{dir}/orders.parquet")))
            .source("lineitem", parquet(&file))
            .parallelism(threads)
            .collect::<Q3Row>()
            .expect("q3 runs")
    });
    let q3_text: Vec<String> =
        q3_rows.iter().map(|r| format!("{},{},{},{}", r.l_orderkey, r.revenue, r.o_orderdate, r.o_shippriority)).collect();
    let want_q3: Vec<String> =
        std::fs::read_to_string(format!("{dir}/q3.answer.csv")).unwrap_or_default().lines().skip(1).map(String::from).collect();
    anyhow::ensure!(q3_text == want_q3, "q3 differs from DuckDB's answer");
    let answers = std::fs::read_to_string(format!("{dir}/q6.answer.csv")).unwrap_or_default();
    let want_q6 = answers.lines().nth(1).unwrap_or("?");
    anyhow::ensure!(
        q6_rows.first().map(|r| r.revenue.to_string()).as_deref() == Some(want_q6),
        "q6 differs from DuckDB's answer {want_q6}"
    );
    anyhow::ensure!(q1_rows.len() == 4, "q1 returned {} groups", q1_rows.len());

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/peers/duckdb_tpch.py");
    let out = std::process::Command::new(python).args([script, &file, &runs.to_string(), &threads.to_string()]).output()?;
    let duck: Vec<(String, f64)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(' ').and_then(|(n, s)| Some((n.to_string(), s.parse().ok()?))))
        .collect();
    let peer = |q: &str| duck.iter().find(|(n, _)| n == q).map(|(_, s)| *s);
    println!(
        "bench tpch: {file}, {threads} threads on {} cores, median of {runs} warm runs",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!("{:<6} {:>12} {:>12} {:>18}", "query", "sabot s", "duckdb s", "duckdb / sabot");
    for (q, s) in [("q1", q1_s), ("q3", q3_s), ("q6", q6_s)] {
        match peer(q) {
            Some(d) => println!("{q:<6} {s:>12.4} {d:>12.4} {:>17.2}x", d / s),
            None => println!("{q:<6} {s:>12.4} {:>12} {:>18}", "n/a", "n/a"),
        }
    }
    if !out.status.success() {
        eprintln!("duckdb failed: {}", String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or(""));
    }
    Ok(())
}
