//! The main demo: generates bids, runs Nexmark q1+q2 compiled by Sabot, prints a few results
//! and the throughput. With arguments it is the job CLI (`quickstart explain --passes`).

#[global_allocator]
static ALLOC: sabot::Allocator = sabot::Allocator;

use sabot::Record;
use sabot_quickstart::{Bid, converted, generate_bids};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    if std::env::args().len() > 1 {
        return Ok(sabot::main(converted)?);
    }
    let n: u64 = std::env::var("QUICKSTART_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(5_000_000);
    eprintln!("generating {n} Nexmark bids in memory ...");
    let batches = Bid::to_batches(&generate_bids(n), 65_536);
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let started = Instant::now();
    let out = sabot::Job::new(converted).source("bids", sabot::source::memory(batches)).collect_batches()?;
    let secs = started.elapsed().as_secs_f64();
    let rows: usize = out.iter().map(|b| b.num_rows()).sum();
    let head: Vec<_> = out.iter().take(1).map(|b| b.slice(0, b.num_rows().min(8))).collect();
    println!("{}", sabot::sink::pretty(&head)?);
    println!(
        "{rows} of {n} bids kept; {:.1} M rows/s on {cores} cores ({:.1} M rows/s per core), {:.1} ms",
        n as f64 / secs / 1e6,
        n as f64 / secs / 1e6 / cores as f64,
        secs * 1e3
    );
    Ok(())
}
