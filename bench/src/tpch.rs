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

/// Runs the benchmark over `dir/lineitem.parquet` (and `orders`, `customer` for Q3).
pub fn run(dir: &str, runs: usize, threads: usize, python: &str, queries: &[String]) -> anyhow::Result<()> {
    let file = format!("{dir}/lineitem.parquet");
    let on = |q: &str| queries.iter().any(|x| x == q);
    let answer = |name: &str| -> Vec<String> {
        std::fs::read_to_string(format!("{dir}/{name}")).unwrap_or_default().lines().skip(1).map(String::from).collect()
    };
    let mut timings: Vec<(&str, f64)> = Vec::new();
    if on("q1") {
        let (s, rows) =
            time(runs, || Job::new(q1).source("lineitem", parquet(&file)).parallelism(threads).collect::<Q1Row>().expect("q1 runs"));
        let got: Vec<String> = rows
            .iter()
            .map(|r| {
                format!("{},{},{},{},{},{}", r.l_returnflag, r.l_linestatus, r.sum_qty, r.sum_base_price, r.sum_disc_price, r.sum_charge)
            })
            .collect();
        let want: Vec<String> = answer("q1.answer.csv").iter().map(|l| l.split(',').take(6).collect::<Vec<_>>().join(",")).collect();
        anyhow::ensure!(got == want, "q1 differs from DuckDB's answer");
        timings.push(("q1", s));
    }
    if on("q3") {
        let (s, rows) = time(runs, || {
            Job::new(q3)
                .source("customer", parquet(format!("{dir}/customer.parquet")))
                .source("orders", parquet(format!("{dir}/orders.parquet")))
                .source("lineitem", parquet(&file))
                .parallelism(threads)
                .collect::<Q3Row>()
                .expect("q3 runs")
        });
        let got: Vec<String> =
            rows.iter().map(|r| format!("{},{},{},{}", r.l_orderkey, r.revenue, r.o_orderdate, r.o_shippriority)).collect();
        anyhow::ensure!(got == answer("q3.answer.csv"), "q3 differs from DuckDB's answer");
        timings.push(("q3", s));
    }
    if on("q6") {
        let (s, rows) =
            time(runs, || Job::new(q6).source("lineitem", parquet(&file)).parallelism(threads).collect::<Q6Row>().expect("q6 runs"));
        let got: Vec<String> = rows.iter().map(|r| r.revenue.to_string()).collect();
        anyhow::ensure!(got == answer("q6.answer.csv"), "q6 differs from DuckDB's answer");
        timings.push(("q6", s));
    }

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/peers/duckdb_tpch.py");
    let out = std::process::Command::new(python).args([script, &file, &runs.to_string(), &threads.to_string()]).output();
    let duck: Vec<(String, f64)> = match &out {
        Ok(o) => String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter_map(|l| l.split_once(' ').and_then(|(n, s)| Some((n.to_string(), s.parse().ok()?))))
            .collect(),
        Err(e) => {
            eprintln!("duckdb skipped: {e}");
            Vec::new()
        }
    };
    let peer = |q: &str| duck.iter().find(|(n, _)| n == q).map(|(_, s)| *s);
    println!(
        "bench tpch: {file}, {threads} threads on {} cores, median of {runs} warm runs; answers checked against DuckDB's",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!("{:<6} {:>12} {:>12} {:>18}", "query", "sabot s", "duckdb s", "duckdb / sabot");
    for &(q, s) in &timings {
        match peer(q) {
            Some(d) => println!("{q:<6} {s:>12.4} {d:>12.4} {:>17.2}x", d / s),
            None => println!("{q:<6} {s:>12.4} {:>12} {:>18}", "n/a", "n/a"),
        }
    }
    Ok(())
}
