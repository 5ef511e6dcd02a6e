//! `bench nexmark`: Nexmark q0, q1, q2, q5, q7 and q11 over the same generated bids, Sabot's
//! streaming executor vs Apache Flink (PyFlink, `bench/peers/flink_nexmark.py`), both reading
//! the same CSV files (PyFlink ships no Parquet format) into a blackhole sink. Also Sabot
//! reading the generator directly, without files.

use crate::median;
use sabot::Job;
use sabot::nexmark::{NexmarkConfig, nexmark};
use sabot::sink::{Sink, blackhole};
use sabot::source::csv;
use sabot::{Pipeline, StreamOptions};
use sabot_examples::nexmark::{q0, q1, q2, q5, q7, q11, q17};
use std::process::Command;
use std::time::{Duration, Instant};

/// The queries Sabot runs as streams, by name.
fn pipeline(name: &str) -> Option<&'static sabot::__private::PipelineSpec> {
    Some(match name {
        "q0" => q0.spec(),
        "q1" => q1.spec(),
        "q2" => q2.spec(),
        "q5" => q5.spec(),
        "q7" => q7.spec(),
        "q11" => q11.spec(),
        "q17" => q17.spec(),
        _ => return None,
    })
}

/// Writes the bids of `events` generated events as `files` CSV files without a header (rows
/// dealt round-robin by batch), unless `dir/.events` says they are there. Returns the bid
/// count. (Readers of the directory skip hidden files.)
fn generate(dir: &str, events: u64, files: usize) -> anyhow::Result<u64> {
    let marker = format!("{dir}/.events");
    if let Some((e, bids)) = std::fs::read_to_string(&marker).ok().as_deref().and_then(|m| m.trim().split_once(' '))
        && e == events.to_string()
        && let Ok(bids) = bids.parse()
    {
        return Ok(bids);
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    let t = Instant::now();
    let sinks: Vec<Box<dyn Sink>> =
        (0..files).map(|i| Box::new(sabot::sink::csv(format!("{dir}/part-{i}.csv")).header(false)) as Box<dyn Sink>).collect();
    let summary = Job::new(q0)
        .source("bids", nexmark(NexmarkConfig { events, ..NexmarkConfig::default() }).bids())
        .sink("out", RoundRobin { sinks, next: 0 })
        .run()?;
    std::fs::write(&marker, format!("{events} {}", summary.rows_out[0]))?;
    eprintln!("wrote {} bids of {events} events to {dir} in {:.1} s", summary.rows_out[0], t.elapsed().as_secs_f64());
    Ok(summary.rows_out[0])
}

/// Deals batches to several sinks in turn (one CSV file per Flink and Sabot reader).
struct RoundRobin {
    sinks: Vec<Box<dyn Sink>>,
    next: usize,
}

impl Sink for RoundRobin {
    fn open(&mut self, name: &str, schema: arrow::datatypes::SchemaRef) -> sabot::Result<()> {
        self.sinks.iter_mut().try_for_each(|s| s.open(name, schema.clone()))
    }
    fn write(&mut self, batch: &arrow::array::RecordBatch) -> sabot::Result<()> {
        let k = self.next % self.sinks.len();
        self.next += 1;
        self.sinks[k].write(batch)
    }
    fn finish(&mut self) -> sabot::Result<()> {
        self.sinks.iter_mut().try_for_each(|s| s.finish())
    }
    fn describe(&self) -> String {
        format!("{} files in turn", self.sinks.len())
    }
}

/// One timed streaming run of `spec`: seconds and rows read.
fn sabot_run(
    spec: &'static sabot::__private::PipelineSpec,
    source: Box<dyn sabot::source::Source>,
    threads: usize,
) -> anyhow::Result<(f64, u64)> {
    let stream = StreamOptions { out_of_orderness: Duration::from_secs(4), ..StreamOptions::default() };
    let t = Instant::now();
    let summary =
        Job::from_spec(spec).source_boxed("bids", source).parallelism(threads).streaming(stream).sink("out", blackhole()).run()?;
    Ok((t.elapsed().as_secs_f64(), summary.rows_in))
}

/// Runs the benchmark; `python` has apache-flink installed (Flink is skipped with `--no-flink`).
pub fn run(events: u64, dir: &str, runs: usize, threads: usize, python: Option<&str>, queries: &[String]) -> anyhow::Result<()> {
    let bids = generate(dir, events, threads.max(1))?;
    let mut rows = Vec::new();
    for q in queries {
        let Some(spec) = pipeline(q) else { anyhow::bail!("unknown query `{q}` (q0, q1, q2, q5, q7, q11, q17)") };
        let files = || Box::new(csv(dir).has_header(false)) as Box<dyn sabot::source::Source>;
        let generator = || Box::new(nexmark(NexmarkConfig { events, ..NexmarkConfig::default() }).bids()) as Box<dyn sabot::source::Source>;
        let mut file_times = Vec::new();
        let mut gen_times = Vec::new();
        for _ in 0..runs.max(1) {
            let (s, read) = sabot_run(spec, files(), threads)?;
            anyhow::ensure!(read == bids, "{q}: read {read} bids from the files, wrote {bids}");
            file_times.push(s);
            gen_times.push(sabot_run(spec, generator(), threads)?.0);
        }
        rows.push((q.clone(), median(file_times), median(gen_times)));
        eprintln!("sabot {q}: done");
    }
    let flink: Vec<(String, f64)> = match python {
        Some(py) => flink(py, dir, runs, threads, queries)?,
        None => Vec::new(),
    };
    let per_core = |secs: f64| bids as f64 / secs / threads as f64 / 1e6;
    println!("Nexmark, {bids} bids ({events} events), {threads} threads, median of {runs} (M bids/s per core):");
    println!("| query | Sabot, CSV files | Sabot, generator | Flink 2.3, CSV files | Sabot / Flink |");
    println!("| --- | --- | --- | --- | --- |");
    for (q, files, generated) in rows {
        let f = flink.iter().find(|(n, _)| *n == q).map(|(_, s)| *s);
        let (fl, ratio) = match f {
            Some(s) => (format!("{:.3} ({s:.2} s)", per_core(s)), format!("{:.1}x", s / files)),
            None => ("-".into(), "-".into()),
        };
        println!("| {q} | {:.3} ({files:.2} s) | {:.3} ({generated:.2} s) | {fl} | {ratio} |", per_core(files), per_core(generated));
    }
    Ok(())
}

/// Flink's median seconds per query, from the peer script.
fn flink(python: &str, dir: &str, runs: usize, threads: usize, queries: &[String]) -> anyhow::Result<Vec<(String, f64)>> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/peers/flink_nexmark.py");
    let out = Command::new(python)
        .args([script, &std::fs::canonicalize(dir)?.to_string_lossy(), &runs.to_string(), &threads.to_string(), "4", &queries.join(",")])
        .output()?;
    if !out.status.success() {
        anyhow::bail!("flink failed: {}", String::from_utf8_lossy(&out.stderr).lines().rev().take(20).collect::<Vec<_>>().join("\n"));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (q, s) = l.split_once(' ')?;
            Some((q.to_string(), s.parse().ok()?))
        })
        .collect())
}
