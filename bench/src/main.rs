//! `bench`: Sabot's figures beside peers measured in the same run, on this machine.
//! `bench chain` (fused filter -> map -> filter vs arrow-rs kernels vs DuckDB), `bench tpch`
//! (TPC-H Q1, Q3, Q6 from Parquet vs DuckDB, Polars, DataFusion), `bench spill` (group-by
//! under a memory limit on each state backend, peak RSS) and
//! `bench build` (incremental rebuild after editing a pipeline, macro expansion time).

mod build;
mod chain;
mod latency;
mod nexmark;
mod spill;
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
        /// Rounds, each timing every engine in turn (Sabot, then each peer): on a machine
        /// whose speed drifts, engines measured side by side round after round compare fairly,
        /// and a summary counts the rounds Sabot was at or under the fastest peer.
        #[arg(long, default_value_t = 1)]
        rounds: usize,
    },
    /// Group-by with many distinct keys, and a join with a large build side, under a memory
    /// limit, spilling to each state backend: time, spills and peak RSS per run (each run in
    /// its own process).
    Spill {
        /// Distinct keys (each appears in two rows).
        #[arg(long, default_value_t = 10_000_000)]
        keys: u64,
        /// Distinct keys of the join's probe side (its build side has half as many rows); the
        /// group-by's `--keys` when not given. A build side five times the limit needs more
        /// keys than a group-by does: 52M keys make a 1.3 GB build table.
        #[arg(long)]
        join_keys: Option<u64>,
        /// The memory limit for the spilling runs.
        #[arg(long, default_value = "64MiB")]
        limit: String,
        /// State backends to run (`memory` runs without a limit, as the baseline).
        #[arg(long, value_delimiter = ',', default_value = "memory,rocksdb:/tmp/sabot-spill/rocksdb,tonbo:/tmp/sabot-spill/tonbo")]
        states: Vec<String>,
        /// Where the input and output Parquet files go.
        #[arg(long, default_value = "/tmp/sabot-spill")]
        data: String,
        /// Worker threads.
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
    /// Nexmark q0 to q5, q7, q8, q11, q18 and q20 over the same generated events as streams: Sabot vs Flink 2.3
    /// (PyFlink), both reading the same CSV files.
    Nexmark {
        /// Generated events (bids are 46 in 50).
        #[arg(long, default_value_t = 10_000_000)]
        events: u64,
        /// Where the event CSV files go (`persons/`, `auctions/`, `bids/`; reused when they hold
        /// the same number of events).
        #[arg(long, default_value = "/tmp/sabot-nexmark")]
        data: String,
        /// Timed runs per engine and query (the median is reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Readers (Sabot) and parallelism (Flink); also the number of CSV files.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Python with apache-flink installed; without it Flink is not run.
        #[arg(long)]
        python: Option<String>,
        /// Queries to run (comma separated).
        #[arg(long, value_delimiter = ',', default_value = "q0,q1,q2,q3,q4,q5,q7,q8,q11,q18,q20")]
        queries: Vec<String>,
    },
    /// End-to-end latency (p50, p99) of Nexmark q1 and q7 as streams at a fixed input rate.
    Latency {
        /// Events per second the generator delivers.
        #[arg(long, default_value_t = 1_000_000)]
        rate: u64,
        /// Seconds of input per query.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Readers.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Rows per morsel (smaller: lower latency, more overhead).
        #[arg(long, default_value_t = 1000)]
        batch_rows: usize,
    },
    /// One run of `bench spill` (internal).
    #[command(hide = true)]
    SpillChild {
        #[arg(long)]
        query: String,
        #[arg(long)]
        keys: u64,
        #[arg(long)]
        input: String,
        #[arg(long)]
        accounts: String,
        #[arg(long)]
        out: String,
        #[arg(long)]
        state: String,
        #[arg(long, value_parser = sabot::parse_size)]
        limit: Option<usize>,
        #[arg(long)]
        threads: usize,
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
        Command::Latency { rate, seconds, threads, batch_rows } => latency::run(rate, seconds, threads, batch_rows),
        Command::Nexmark { events, data, runs, threads, python, queries } => {
            nexmark::run(events, &data, runs, threads, python.as_deref(), &queries)
        }
        Command::Tpch { data, runs, threads, python, queries, rounds } => tpch::run(&data, runs, threads, &python, &queries, rounds),
        Command::Spill { keys, join_keys, limit, states, data, threads } => {
            spill::run(keys, join_keys.unwrap_or(keys), &limit, &states, &data, threads)
        }
        Command::SpillChild { query, keys, input, accounts, out, state, limit, threads } => {
            spill::child(&query, keys, &input, &accounts, &out, &state, limit, threads)
        }
    }
}

/// The median of some timings, in seconds.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
