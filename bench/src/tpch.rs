//! `bench tpch`: TPC-H Q1, Q3, Q6 from the same Parquet files, Sabot vs DuckDB, Polars and
//! DataFusion (the scripts in `bench/peers/`), Sabot's answers checked against DuckDB's
//! (`scripts/tpch_data.py` writes them beside the data).

use crate::median;
use sabot::Job;
use sabot::source::parquet;
use sabot_examples::tpch::{Q1Row, Q3Row, Q6Row, q1, q3, q6};
use std::process::Command;
use std::time::Instant;

/// The peers: `bench/peers/{name}_tpch.py` each prints one line "query median_seconds" per query.
const PEERS: [&str; 3] = ["duckdb", "polars", "datafusion"];

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

/// One round: Sabot's median per query, then each peer's (or why it has none).
struct Round {
    sabot: Vec<(&'static str, f64)>,
    peers: Vec<Result<Vec<(String, f64)>, &'static str>>,
}

impl Round {
    /// Each peer's median for `q` in this round, by peer.
    fn peer_times(&self, q: &str) -> Vec<Result<Option<f64>, &'static str>> {
        self.peers.iter().map(|t| t.as_ref().map(|t| t.iter().find(|(n, _)| n == q).map(|(_, s)| *s)).map_err(|e| *e)).collect()
    }

    /// The fastest peer for `q` in this round and its time.
    fn fastest(&self, q: &str) -> Option<(&'static str, f64)> {
        let times = self.peer_times(q);
        PEERS.iter().zip(times).filter_map(|(name, t)| Some((*name, t.ok()??))).min_by(|a, b| a.1.total_cmp(&b.1))
    }
}

/// Runs the benchmark over `dir/lineitem.parquet` (and `orders`, `customer` for Q3), `rounds`
/// times with every engine in each round.
pub fn run(dir: &str, runs: usize, threads: usize, python: &str, queries: &[String], rounds: usize) -> anyhow::Result<()> {
    let file = format!("{dir}/lineitem.parquet");
    let rounds = (0..rounds.max(1))
        .map(|_| -> anyhow::Result<Round> {
            let sabot = sabot_round(dir, &file, runs, threads, queries)?;
            let peers = PEERS.iter().map(|p| peer(python, p, &file, runs, threads)).collect();
            Ok(Round { sabot, peers })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    println!(
        "bench tpch: {file}, {threads} threads on {} cores, median of {runs} warm runs; Sabot's answers checked against DuckDB's",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    for (i, round) in rounds.iter().enumerate() {
        if rounds.len() > 1 {
            println!("round {}", i + 1);
        }
        print!("{:<6} {:>12}", "query", "sabot s");
        PEERS.iter().for_each(|p| print!(" {:>12}", format!("{p} s")));
        println!(" {:>13} {:>14}", "fastest peer", "peer / sabot");
        for &(q, s) in &round.sabot {
            print!("{q:<6} {s:>12.4}");
            for t in round.peer_times(q) {
                match t {
                    Ok(Some(d)) => print!(" {d:>12.4}"),
                    Ok(None) => print!(" {:>12}", "n/a"),
                    Err(why) => print!(" {why:>12}"),
                }
            }
            match round.fastest(q) {
                Some((name, d)) => println!(" {name:>13} {:>13.2}x", d / s),
                None => println!(" {:>13} {:>14}", "n/a", "n/a"),
            }
        }
    }
    if rounds.len() > 1 {
        println!(
            "over {} rounds: per query, the median of the rounds' peer / sabot ratios and the rounds Sabot was at or under the fastest peer",
            rounds.len()
        );
        for &(q, _) in &rounds[0].sabot {
            let ratios: Vec<f64> = rounds.iter().filter_map(|r| Some(r.fastest(q)?.1 / r.sabot.iter().find(|(n, _)| *n == q)?.1)).collect();
            if ratios.is_empty() {
                println!("{q:<6} no peer measured");
                continue;
            }
            let ahead = ratios.iter().filter(|&&r| r >= 1.0).count();
            println!("{q:<6} median ratio {:.2}x, ahead or level in {ahead} of {}", crate::median(ratios.clone()), ratios.len());
        }
    }
    Ok(())
}

/// Sabot's medians for the chosen queries, each answer checked against DuckDB's.
fn sabot_round(dir: &str, file: &str, runs: usize, threads: usize, queries: &[String]) -> anyhow::Result<Vec<(&'static str, f64)>> {
    let on = |q: &str| queries.iter().any(|x| x == q);
    let answer = |name: &str| -> Vec<String> {
        std::fs::read_to_string(format!("{dir}/{name}")).unwrap_or_default().lines().skip(1).map(String::from).collect()
    };
    let mut timings: Vec<(&'static str, f64)> = Vec::new();
    if on("q1") {
        let (s, rows) =
            time(runs, || Job::new(q1).source("lineitem", parquet(file)).parallelism(threads).collect::<Q1Row>().expect("q1 runs"));
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
                .source("lineitem", parquet(file))
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
            time(runs, || Job::new(q6).source("lineitem", parquet(file)).parallelism(threads).collect::<Q6Row>().expect("q6 runs"));
        let got: Vec<String> = rows.iter().map(|r| r.revenue.to_string()).collect();
        anyhow::ensure!(got == answer("q6.answer.csv"), "q6 differs from DuckDB's answer");
        timings.push(("q6", s));
    }
    Ok(timings)
}

/// Runs one peer's script: its timings, or "missing" when Python or the peer's package is not
/// there (an import error), "failed" when the script fails otherwise (its error goes to stderr).
fn peer(python: &str, name: &str, file: &str, runs: usize, threads: usize) -> Result<Vec<(String, f64)>, &'static str> {
    let script = format!("{}/peers/{name}_tpch.py", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(python).args([&script, file, &runs.to_string(), &threads.to_string()]).output().map_err(|e| {
        eprintln!("{name} skipped: {python}: {e}");
        "missing"
    })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        eprintln!("{name} skipped: {}", err.trim().lines().last().unwrap_or("no output"));
        return Err(if err.contains("ModuleNotFoundError") || err.contains("ImportError") { "missing" } else { "failed" });
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(' ').and_then(|(n, s)| Some((n.to_string(), s.parse().ok()?))))
        .collect())
}
