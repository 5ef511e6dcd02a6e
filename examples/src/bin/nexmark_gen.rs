//! Writes Nexmark events to Parquet for other engines: `nexmark_gen --events N --out DIR
//! [--seed S] [--rate EVENTS_PER_S] [--out-of-order GROUP]` writes `DIR/persons.parquet`,
//! `DIR/auctions.parquet` and `DIR/bids.parquet` (see `docs/nexmark.md`). With `--discard`
//! instead of `--out` it generates every column and drops the rows, to time the generator.

#[global_allocator]
static ALLOC: sabot::Allocator = sabot::Allocator;

use anyhow::{Context, bail};
use sabot::Job;
use sabot::nexmark::{NexmarkConfig, nexmark};
use sabot::sink::Sink;
use sabot_examples::nexmark::{all_auctions, all_persons, q0};
use std::path::PathBuf;
use std::time::Instant;

const USAGE: &str =
    "usage: nexmark_gen --events N (--out DIR | --discard) [--seed S] [--rate EVENTS_PER_S] [--out-of-order GROUP] [-p PARALLELISM]";

fn main() -> anyhow::Result<()> {
    let Args { config, out, parallelism } = parse(std::env::args().skip(1))?;
    if let Some(out) = &out {
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    }
    let events = nexmark(config.clone());
    let started = Instant::now();
    for (name, job) in [
        ("persons", Job::new(all_persons).source("persons", events.persons())),
        ("auctions", Job::new(all_auctions).source("auctions", events.auctions())),
        ("bids", Job::new(q0).source("bids", events.bids())),
    ] {
        let job = match parallelism {
            Some(p) => job.parallelism(p),
            None => job,
        };
        let (sink, to): (Box<dyn Sink>, String) = match &out {
            Some(dir) => {
                let path = dir.join(format!("{name}.parquet")).to_string_lossy().into_owned();
                (Box::new(sabot::sink::parquet(&path)), path)
            }
            None => (Box::new(Discard), "nowhere".into()),
        };
        let t = Instant::now();
        let summary = job.sink_boxed("out", sink).run()?;
        eprintln!("{name}: {} rows to {to} in {:.3} s", summary.rows_out[0], t.elapsed().as_secs_f64());
    }
    let secs = started.elapsed().as_secs_f64();
    let rate = config.events as f64 / secs / 1e6;
    let to = out.as_ref().map_or("nowhere (--discard)".to_string(), |o| o.display().to_string());
    println!("{} events (seed {}) to {to} in {secs:.2} s: {rate:.2} M events/s", config.events, config.seed);
    Ok(())
}

/// What the command line asks for.
struct Args {
    config: NexmarkConfig,
    /// `None` with `--discard`.
    out: Option<PathBuf>,
    parallelism: Option<usize>,
}

/// A sink that drops its rows.
struct Discard;

impl Sink for Discard {
    fn open(&mut self, _name: &str, _schema: arrow::datatypes::SchemaRef) -> sabot::Result<()> {
        Ok(())
    }
    fn write(&mut self, _batch: &arrow::array::RecordBatch) -> sabot::Result<()> {
        Ok(())
    }
    fn finish(&mut self) -> sabot::Result<()> {
        Ok(())
    }
    fn describe(&self) -> String {
        "discard".into()
    }
}

fn parse(mut args: impl Iterator<Item = String>) -> anyhow::Result<Args> {
    let mut config = NexmarkConfig::default();
    let (mut events, mut out, mut discard, mut parallelism) = (None, None, false, None);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        if flag == "--discard" {
            discard = true;
            continue;
        }
        let value = args.next().with_context(|| format!("`{flag}` needs a value\n{USAGE}"))?;
        let number = || value.replace('_', "").parse::<u64>().with_context(|| format!("`{flag}`: `{value}` is not a number"));
        match flag.as_str() {
            "--events" => events = Some(number()?),
            "--seed" => config.seed = number()?,
            "--rate" => config.rate = Some(number()?),
            "--out-of-order" => config.out_of_order_group_size = number()?,
            "-p" | "--parallelism" => parallelism = Some(number()? as usize),
            "--out" => out = Some(PathBuf::from(&value)),
            other => bail!("unknown argument `{other}`\n{USAGE}"),
        }
    }
    config.events = events.with_context(|| format!("`--events` is required\n{USAGE}"))?;
    if out.is_none() && !discard {
        bail!("`--out DIR` (or `--discard`) is required\n{USAGE}");
    }
    Ok(Args { config, out, parallelism })
}
