//! Bench (a): `filter(a > 1000 && c < 0.5) -> map { a, x = c * 2 + d, y = b - 1 } -> filter(x > 0.3)`
//! over in-memory rows of four columns, materialising the output in every engine.

use crate::median;
use arrow::array::{ArrayRef, Float64Array, Int64Array, RecordBatch};
use arrow::compute::filter_record_batch;
use arrow::compute::kernels::{boolean, cmp, numeric};
use arrow::datatypes::{DataType, Field, Schema};
use rayon::prelude::*;
use sabot::prelude::*;
use std::sync::Arc;
use std::time::Instant;

/// An input row.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Row4 {
    /// Key-like integer.
    pub a: i64,
    /// Another integer.
    pub b: i64,
    /// A fraction in [0, 1).
    pub c: f64,
    /// A value in [-1, 1).
    pub d: f64,
}

/// An output row.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Out3 {
    /// `a`.
    pub a: i64,
    /// `c * 2 + d`.
    pub x: f64,
    /// `b - 1`.
    pub y: i64,
}

/// The chain as a Sabot pipeline.
#[sabot::pipeline]
pub fn chain(rows: Stream<Row4>) -> Stream<Out3> {
    rows.filter(|r| r.a > 1000 && r.c < 0.5).map(|r| Out3 { a: r.a, x: r.c * 2.0 + r.d, y: r.b - 1 }).filter(|o| o.x > 0.3)
}

const MORSEL: usize = 65_536;

fn generate(rows: usize) -> Vec<RecordBatch> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int64, false),
        Field::new("b", DataType::Int64, false),
        Field::new("c", DataType::Float64, false),
        Field::new("d", DataType::Float64, false),
    ]));
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..rows)
        .step_by(MORSEL)
        .map(|start| {
            let n = MORSEL.min(rows - start);
            let (mut a, mut b, mut c, mut d) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
            for _ in 0..n {
                let r = next();
                a.push((r % 2000) as i64);
                b.push((r >> 20) as i64 % 1_000_000);
                c.push((r >> 11) as f64 / (1u64 << 53) as f64);
                d.push(((next() >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0);
            }
            let cols: Vec<ArrayRef> = vec![
                Arc::new(Int64Array::from(a)),
                Arc::new(Int64Array::from(b)),
                Arc::new(Float64Array::from(c)),
                Arc::new(Float64Array::from(d)),
            ];
            RecordBatch::try_new(schema.clone(), cols).expect("columns match the schema")
        })
        .collect()
}

/// The same chain with arrow-rs compute kernels, one morsel at a time.
fn arrow_chain(batch: &RecordBatch) -> RecordBatch {
    let col = |b: &RecordBatch, i: usize| b.column(i).clone();
    let m1 = boolean::and(
        &cmp::gt(&col(batch, 0), &Int64Array::new_scalar(1000)).expect("same types"),
        &cmp::lt(&col(batch, 2), &Float64Array::new_scalar(0.5)).expect("same types"),
    )
    .expect("same lengths");
    let f = filter_record_batch(batch, &m1).expect("mask fits");
    let x = numeric::add(&numeric::mul(&col(&f, 2), &Float64Array::new_scalar(2.0)).expect("f64"), &col(&f, 3)).expect("f64");
    let y = numeric::sub(&col(&f, 1), &Int64Array::new_scalar(1)).expect("i64");
    let schema = Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int64, false),
        Field::new("x", DataType::Float64, false),
        Field::new("y", DataType::Int64, false),
    ]));
    let mapped = RecordBatch::try_new(schema, vec![col(&f, 0), x.clone(), y]).expect("columns match");
    let m2 = cmp::gt(&x, &Float64Array::new_scalar(0.3)).expect("f64");
    filter_record_batch(&mapped, &m2).expect("mask fits")
}

fn time<F: FnMut() -> usize>(runs: usize, mut f: F) -> (f64, usize) {
    let out = f(); // warm-up
    let times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let n = f();
            assert_eq!(n, out, "every run returns the same rows");
            t.elapsed().as_secs_f64()
        })
        .collect();
    (median(times), out)
}

/// Runs bench (a) and prints the table.
pub fn run(rows: usize, runs: usize, threads: usize, python: &str, engines: &[String]) -> anyhow::Result<()> {
    eprintln!("generating {rows} rows of 4 columns ...");
    let batches = generate(rows);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
    let on = |e: &str| engines.iter().any(|x| x == e);
    let mut results: Vec<(&str, f64, usize)> = Vec::new();
    if on("sabot") {
        let (s, n) = time(runs, || {
            let out = Job::new(chain)
                .source("rows", sabot::source::memory(batches.clone()))
                .parallelism(threads)
                .collect_batches()
                .expect("in-memory run");
            out.iter().map(|b| b.num_rows()).sum()
        });
        results.push(("sabot (fused)", s, n));
    }
    if on("arrow") {
        let (s, n) = time(runs, || pool.install(|| batches.par_iter().map(arrow_chain).map(|b| b.num_rows()).sum()));
        results.push(("arrow-rs kernels", s, n));
    }
    if on("duckdb") {
        match duckdb(&batches, runs, threads, python) {
            Ok((s, n)) => results.push(("duckdb (in-memory table)", s, n)),
            Err(e) => eprintln!("duckdb skipped: {e}"),
        }
    }
    let Some(&(_, base, base_rows)) = results.first() else { anyhow::bail!("no engine ran") };
    let per_core = |s: f64| rows as f64 / s / threads as f64 / 1e6;
    println!("bench chain: {rows} rows x 4 columns in memory, {threads} threads on {} cores, median of {runs} runs", num_cores());
    println!("{:<28} {:>10} {:>16} {:>14}", "engine", "seconds", "M rows/s/core", "time / first");
    for (name, s, n) in &results {
        anyhow::ensure!(*n == base_rows, "{name} returned {n} rows, the first engine {base_rows}");
        println!("{name:<28} {s:>10.4} {:>16.1} {:>13.2}x", per_core(*s), s / base);
    }
    println!("output rows: {base_rows}; 'time / first' above 1 means the first engine is faster");
    Ok(())
}

fn num_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Writes the batches to Parquet and times DuckDB on them loaded into a native table.
fn duckdb(batches: &[RecordBatch], runs: usize, threads: usize, python: &str) -> anyhow::Result<(f64, usize)> {
    let dir = std::env::temp_dir().join("sabot-bench-chain");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("rows.parquet");
    let file = std::fs::File::create(&path)?;
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batches[0].schema(), None)?;
    for b in batches {
        w.write(b)?;
    }
    w.close()?;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/peers/duckdb_chain.py");
    let out =
        std::process::Command::new(python).args([script, &path.to_string_lossy(), &runs.to_string(), &threads.to_string()]).output()?;
    anyhow::ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("duckdb failed"));
    let text = String::from_utf8(out.stdout)?;
    let mut parts = text.split_whitespace();
    let secs: f64 = parts.next().ok_or_else(|| anyhow::anyhow!("no output"))?.parse()?;
    let n: usize = parts.next().ok_or_else(|| anyhow::anyhow!("no row count"))?.parse()?;
    Ok((secs, n))
}
