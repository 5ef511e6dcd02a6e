//! The job binary's command line: `run` and `explain` (clap).

use crate::error::{Error, Result};
use crate::job::Job;
use crate::stage::{Pipeline, PipelineSpec};
use crate::{sink, source};
use clap::{Parser, Subcommand};

/// A compiled Sabot job.
#[derive(Debug, Parser)]
#[command(version, about = "A compiled Sabot job", propagate_version = true)]
struct Cli {
    /// Log more (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process: the size of the `run` variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
    /// Run the job: on bounded input by default, or as a stream with `--stream`.
    Run {
        /// An input: NAME=KIND:PATH, e.g. bids=parquet:data/bids/ (kinds: parquet, csv), or
        /// NAME=nexmark:KIND:EVENTS for generated events (bids=nexmark:bids:10000000).
        #[arg(long = "source", value_name = "NAME=KIND:PATH")]
        sources: Vec<String>,
        /// An output: NAME=KIND:PATH, NAME=stdout or NAME=blackhole (kinds: parquet, csv); default stdout.
        #[arg(long = "sink", value_name = "NAME=KIND:PATH")]
        sinks: Vec<String>,
        /// Worker threads (default: all cores).
        #[arg(long, short = 'p')]
        parallelism: Option<usize>,
        /// Rows per morsel.
        #[arg(long, default_value_t = source::DEFAULT_BATCH_ROWS)]
        batch_rows: usize,
        /// Where state and spilled tables go: memory, rocksdb:DIR or tonbo:DIR.
        #[arg(long, default_value = "memory", value_name = "SPEC")]
        state: sabot_state::StateSpec,
        /// Bytes hash tables may hold before they spill to the state backend (e.g. 512MiB, 2G).
        #[arg(long, value_name = "SIZE", value_parser = parse_size)]
        memory_limit: Option<usize>,
        /// Run as a stream: watermarks from the sources' event-time fields, each window emitted
        /// once the watermark passes its end (bounded input ends with a final watermark).
        #[arg(long)]
        stream: bool,
        /// With --stream: how far the watermark stays behind the latest event time seen
        /// (bounded out-of-orderness), e.g. 4s or 500ms.
        #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration, default_value = "0s", requires = "stream")]
        out_of_orderness: std::time::Duration,
        /// With --stream: where late rows go (KIND:PATH, as for --sink); without it they are
        /// only counted.
        #[arg(long, value_name = "KIND:PATH", requires = "stream")]
        late_sink: Option<String>,
        /// Roll directory sinks (parquet:DIR, csv:DIR) into part files of at most this many rows.
        #[arg(long, value_name = "N")]
        roll_rows: Option<u64>,
        /// Roll directory sinks into part files of about this size (Arrow bytes written, e.g. 128MiB).
        #[arg(long, value_name = "SIZE", value_parser = parse_size)]
        roll_bytes: Option<usize>,
        /// Roll directory sinks into a new part file this often (e.g. 10s, 1m).
        #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
        roll_every: Option<std::time::Duration>,
    },
    /// Show the plan, each optimisation pass, the fused stages and the generated code.
    Explain {
        /// The plan before and after each pass.
        #[arg(long)]
        passes: bool,
        /// The generated Rust.
        #[arg(long)]
        code: bool,
    },
}

/// Runs the job CLI for `pipeline` with the process's arguments; on error prints a report and
/// exits with status 1, so `main` can simply return this.
pub fn main(pipeline: impl Pipeline) -> Result<()> {
    main_with_args(pipeline, std::env::args_os())
}

/// `main` with explicit arguments (the first is the program name), for binaries that pick a
/// pipeline from their own first argument.
pub fn main_with_args<I, T>(pipeline: impl Pipeline, args: I) -> Result<()>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = Cli::parse_from(args);
    init_logging(cli.verbose);
    match execute(pipeline.spec(), cli.command) {
        Ok(()) => Ok(()),
        Err(e) => {
            let top = e.to_string();
            eprintln!("error: {top}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                // Our messages already include their direct cause's text; print only news.
                let text = s.to_string();
                if !top.contains(&text) {
                    eprintln!("  caused by: {text}");
                }
                source = s.source();
            }
            std::process::exit(1);
        }
    }
}

fn execute(spec: &'static PipelineSpec, command: Command) -> Result<()> {
    match command {
        Command::Run {
            sources,
            sinks,
            parallelism,
            batch_rows,
            state,
            memory_limit,
            stream,
            out_of_orderness,
            late_sink,
            roll_rows,
            roll_bytes,
            roll_every,
        } => {
            let roll = sink::RollPolicy { max_rows: roll_rows, max_bytes: roll_bytes.map(|b| b as u64), interval: roll_every };
            let mut job = Job::from_spec(spec).batch_rows(batch_rows).progress(true).state(sabot_state::open(&state)?);
            if stream {
                job = job.streaming(crate::exec::StreamOptions { out_of_orderness, ..Default::default() });
            }
            if let Some(spec) = &late_sink {
                job = job.late_sink_boxed(sink::from_spec(spec)?);
            }
            if let Some(bytes) = memory_limit {
                job = job.memory_limit(bytes);
            }
            if let Some(n) = parallelism {
                job = job.parallelism(n);
            }
            for s in &sources {
                let (name, kind) = split_binding(s, "--source")?;
                job = job.source_boxed(name, source::from_spec(kind)?);
            }
            for s in &sinks {
                let (name, kind) = split_binding(s, "--sink")?;
                job = job.sink_boxed(name, sink::from_spec_rolled(kind, roll)?);
            }
            let summary = job.run()?;
            let secs = summary.elapsed.as_secs_f64();
            let rows_out: u64 = summary.rows_out.iter().sum();
            eprintln!(
                "{}: {} rows in, {} rows out in {:.3} s ({:.1} M rows/s)",
                spec.name,
                summary.rows_in,
                rows_out,
                secs,
                summary.rows_in as f64 / secs.max(1e-9) / 1e6
            );
            if stream {
                eprintln!("{} watermarks, {} late records (after every window holding them had fired)", summary.watermarks, summary.late);
            }
            if summary.spills.0 > 0 {
                eprintln!("spilled {} times ({} groups) to {state}", summary.spills.0, summary.spills.1);
            }
            Ok(())
        }
        Command::Explain { passes, code } => {
            print!("{}", explain_text(spec, passes, code));
            Ok(())
        }
    }
}

/// A byte size: a number with an optional K/M/G suffix (KB/KiB... all powers of 1024).
pub fn parse_size(text: &str) -> std::result::Result<usize, String> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(digits);
    let n: usize = num.parse().map_err(|_| format!("`{text}` is not a size (e.g. 512MiB, 2G, 1048576)"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("`{text}`: unknown unit `{unit}` (use K, M or G)")),
    };
    n.checked_mul(1 << shift).ok_or_else(|| format!("`{text}` is too large"))
}

/// The text `explain` prints.
pub fn explain_text(spec: &PipelineSpec, passes: bool, code: bool) -> String {
    let e = spec.explain;
    let mut out = String::new();
    if passes {
        for (name, plan) in e.passes {
            out.push_str(&format!("== {name} ==\n{plan}\n"));
        }
    } else if let Some((_, plan)) = e.passes.last() {
        out.push_str(&format!("== plan ==\n{plan}\n"));
    }
    out.push_str(&format!("== stages ==\n{}\n", e.stages));
    if let Some(alt) = spec.alternative {
        let (probe, build) = (spec.sources[alt.probe_source].name, spec.sources[alt.build_source].name);
        out.push_str(&format!(
            "== stages when `{build}` has more rows than `{probe}` (the join builds on `{probe}`) ==\n{}\n",
            alt.spec.explain.stages
        ));
        if let Some((_, plan)) = alt.spec.explain.passes.last() {
            out.push_str(&format!("{plan}\n"));
        }
    }
    if code {
        out.push_str(&format!("== generated code ==\n{}\n", e.code));
    }
    out
}

fn split_binding<'a>(arg: &'a str, flag: &str) -> Result<(&'a str, &'a str)> {
    arg.split_once('=').ok_or_else(|| Error::Config(format!("{flag} `{arg}`: expected NAME=KIND:PATH")))
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
