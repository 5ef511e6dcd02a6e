//! `bench nexmark`: Nexmark q0 to q5, q7, q8, q11, q17, q18 and q20 over the same generated events, Sabot's
//! streaming executor vs Apache Flink (PyFlink, `bench/peers/flink_nexmark.py`), both reading
//! the same CSV files (PyFlink ships no Parquet format) into a blackhole sink. Also Sabot
//! reading the generator directly, without files.

use crate::median;
use sabot::Job;
use sabot::nexmark::{NexmarkConfig, nexmark};
use sabot::sink::{Sink, blackhole};
use sabot::source::{Source, csv};
use sabot::{Pipeline, StreamOptions};
use sabot_examples::nexmark::{all_auctions, all_persons, q0, q1, q2, q3, q4, q5, q7, q8, q11, q17, q18, q20};
use std::process::Command;
use std::time::{Duration, Instant};

/// The queries Sabot runs as streams, by name.
fn pipeline(name: &str) -> Option<&'static sabot::__private::PipelineSpec> {
    Some(match name {
        "q0" => q0.spec(),
        "q1" => q1.spec(),
        "q2" => q2.spec(),
        "q3" => q3.spec(),
        "q4" => q4.spec(),
        "q5" => q5.spec(),
        "q7" => q7.spec(),
        "q8" => q8.spec(),
        "q11" => q11.spec(),
        "q17" => q17.spec(),
        "q18" => q18.spec(),
        "q20" => q20.spec(),
        _ => return None,
    })
}

/// Rows written per kind of event.
#[derive(Debug, Clone, Copy)]
struct Counts {
    persons: u64,
    auctions: u64,
    bids: u64,
}

/// Writes the events of `events` generated events as `root/{persons,auctions,bids}/part-N.csv`,
/// `files` CSV files per kind without a header (rows dealt round-robin by batch), unless
/// `root/.events` says they are there. (Readers of a directory skip hidden files.)
fn generate(root: &str, events: u64, files: usize) -> anyhow::Result<Counts> {
    let marker = format!("{root}/.events");
    let known: Option<Vec<u64>> =
        std::fs::read_to_string(&marker).ok().map(|m| m.split_whitespace().filter_map(|v| v.parse().ok()).collect());
    if let Some([e, persons, auctions, bids]) = known.as_deref()
        && *e == events
    {
        return Ok(Counts { persons: *persons, auctions: *auctions, bids: *bids });
    }
    let _ = std::fs::remove_dir_all(root);
    let t = Instant::now();
    let events_gen = nexmark(NexmarkConfig { events, ..NexmarkConfig::default() });
    let mut written = Vec::new();
    for kind in ["persons", "auctions", "bids"] {
        let dir = format!("{root}/{kind}");
        std::fs::create_dir_all(&dir)?;
        let sinks: Vec<Box<dyn Sink>> =
            (0..files).map(|i| Box::new(sabot::sink::csv(format!("{dir}/part-{i}.csv")).header(false)) as Box<dyn Sink>).collect();
        let out = RoundRobin { sinks, next: 0 };
        let summary = match kind {
            "persons" => Job::new(all_persons).source("persons", events_gen.persons()).sink("out", out).run()?,
            "auctions" => Job::new(all_auctions).source("auctions", events_gen.auctions()).sink("out", out).run()?,
            _ => Job::new(q0).source("bids", events_gen.bids()).sink("out", out).run()?,
        };
        written.push(summary.rows_out[0]);
    }
    let counts = Counts { persons: written[0], auctions: written[1], bids: written[2] };
    std::fs::write(&marker, format!("{events} {} {} {}", counts.persons, counts.auctions, counts.bids))?;
    eprintln!("wrote {counts:?} of {events} events to {root} in {:.1} s", t.elapsed().as_secs_f64());
    Ok(counts)
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

/// A pipeline's sources by parameter name.
type Bound = Vec<(&'static str, Box<dyn Source>)>;

/// Makes a fresh set of a pipeline's sources for each run.
type Binder<'a> = Box<dyn Fn() -> Bound + 'a>;

/// One timed streaming run of `spec` with its sources bound: seconds and rows read.
fn sabot_run(spec: &'static sabot::__private::PipelineSpec, sources: Bound, threads: usize) -> anyhow::Result<(f64, u64)> {
    let stream = StreamOptions { out_of_orderness: Duration::from_secs(4), ..StreamOptions::default() };
    let mut job = Job::from_spec(spec).parallelism(threads).streaming(stream).sink("out", blackhole());
    for (name, source) in sources {
        job = job.source_boxed(name, source);
    }
    let t = Instant::now();
    let summary = job.run()?;
    Ok((t.elapsed().as_secs_f64(), summary.rows_in))
}

/// Runs the benchmark; `python` has apache-flink installed (without it Flink is not run).
pub fn run(events: u64, root: &str, runs: usize, threads: usize, python: Option<&str>, queries: &[String]) -> anyhow::Result<()> {
    let counts = generate(root, events, threads.max(1))?;
    let mut rows = Vec::new();
    for q in queries {
        let Some(spec) = pipeline(q) else { anyhow::bail!("unknown query `{q}` (q0 to q5, q7, q8, q11, q17, q18, q20)") };
        let files = |kind: &str| Box::new(csv(format!("{root}/{kind}")).has_header(false)) as Box<dyn Source>;
        let generator = || nexmark(NexmarkConfig { events, ..NexmarkConfig::default() });
        // q3 and q8 read auctions and persons, q4 and q20 bids and auctions, the others bids.
        let (from_files, from_gen, input): (Binder<'_>, Binder<'_>, u64) = if q == "q4" || q == "q20" {
            (
                Box::new(move || vec![("bids", files("bids")), ("auctions", files("auctions"))]),
                Box::new(move || {
                    let g = generator();
                    vec![("bids", Box::new(g.bids()) as Box<dyn Source>), ("auctions", Box::new(g.auctions()) as Box<dyn Source>)]
                }),
                counts.bids + counts.auctions,
            )
        } else if q == "q3" || q == "q8" {
            (
                Box::new(move || vec![("auctions", files("auctions")), ("persons", files("persons"))]),
                Box::new(move || {
                    let g = generator();
                    vec![("auctions", Box::new(g.auctions()) as Box<dyn Source>), ("persons", Box::new(g.persons()) as Box<dyn Source>)]
                }),
                counts.persons + counts.auctions,
            )
        } else {
            (
                Box::new(move || vec![("bids", files("bids"))]),
                Box::new(move || vec![("bids", Box::new(generator().bids()) as Box<dyn Source>)]),
                counts.bids,
            )
        };
        // One untimed run first, as the Flink script does: the first run in a process pays
        // for page faults and the page cache (measured: q0 3.5 s first, 1.8 s after).
        sabot_run(spec, from_files(), threads)?;
        let mut file_times = Vec::new();
        let mut gen_times = Vec::new();
        for _ in 0..runs.max(1) {
            let (s, read) = sabot_run(spec, from_files(), threads)?;
            anyhow::ensure!(read == input, "{q}: read {read} rows from the files, wrote {input}");
            file_times.push(s);
            gen_times.push(sabot_run(spec, from_gen(), threads)?.0);
        }
        rows.push((q.clone(), input, median(file_times), median(gen_times)));
        eprintln!("sabot {q}: done");
    }
    let flink: Vec<(String, f64)> = match python {
        Some(py) => flink(py, root, runs, threads, queries)?,
        None => Vec::new(),
    };
    println!("Nexmark, {events} events ({counts:?}), {threads} threads, median of {runs}, M input rows/s per core (seconds):");
    println!("| query | input rows | Sabot, CSV files | Sabot, generator | Flink 2.3, CSV files | Sabot / Flink |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for (q, input, files, generated) in rows {
        let per_core = |secs: f64| input as f64 / secs / threads as f64 / 1e6;
        let f = flink.iter().find(|(n, _)| *n == q).map(|(_, s)| *s);
        let (fl, ratio) = match f {
            Some(s) => (format!("{:.3} ({s:.2} s)", per_core(s)), format!("{:.1}x", s / files)),
            None => ("-".into(), "-".into()),
        };
        println!(
            "| {q} | {input} | {:.3} ({files:.2} s) | {:.3} ({generated:.2} s) | {fl} | {ratio} |",
            per_core(files),
            per_core(generated)
        );
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
