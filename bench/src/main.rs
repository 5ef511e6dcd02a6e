//! `bench`: Sabot's figures beside peers measured in the same run, on this machine.
//! `bench chain` (fused filter -> map -> filter vs arrow-rs kernels vs DuckDB), `bench tpch`
//! (TPC-H Q1, Q3, Q6 from Parquet vs DuckDB, Polars, DataFusion) and
//! `bench build` (incremental rebuild after editing a pipeline, macro expansion time).

mod build;
mod chain;
mod tpch;

use clap::{Parser, Subcommand};

#[global_allocator]
static ALLOC: sabot::Allocator = sabot::Allocator;

#[derive(Parser)]
#[command(about = "Sabot benchmarks (print ratios against peers measured in the same run)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Stateless chain over in-memory rows: Sabot fused vs arrow-rs kernels vs DuckDB.
    Chain {
        /// Rows of input.
        #[arg(long, default_value_t = 20_000_000)]
        rows: usize,
        /// Timed runs per engine (the median is reported).
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Worker threads for every engine.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Python with duckdb and pyarrow installed (skip DuckDB if absent).
        #[arg(long, default_value = "python3")]
        python: String,
        /// Engines to run: sabot, arrow, duckdb (comma separated).
        #[arg(long, value_delimiter = ',', default_value = "sabot,arrow,duckdb")]
        engines: Vec<String>,
    },
    /// TPC-H Q1, Q3 and Q6 from Parquet: Sabot vs DuckDB, Polars and DataFusion on the same files.
    Tpch {
        /// Directory with lineitem.parquet (and DuckDB's answers), from scripts/tpch_data.py.
        #[arg(long, default_value = "/tmp/tpch-sf1")]
        data: String,
        /// Timed runs per engine (the median is reported).
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Worker threads for every engine.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Python with duckdb, polars and datafusion installed (a peer that fails to import is
        /// reported as missing).
        #[arg(long, default_value = "python3")]
        python: String,
        /// Queries to run (comma separated).
        #[arg(long, value_delimiter = ',', default_value = "q1,q3,q6")]
        queries: Vec<String>,
    },
    /// Incremental `cargo build` of the quickstart job after editing its pipeline, and
    /// the expansion time of its macros.
    Build {
        /// Rebuilds to time.
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Chain { rows, runs, threads, python, engines } => chain::run(rows, runs, threads, &python, &engines),
        Command::Build { runs } => build::run(runs),
        Command::Tpch { data, runs, threads, python, queries } => tpch::run(&data, runs, threads, &python, &queries),
    }
}

/// The median of some timings, in seconds.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
