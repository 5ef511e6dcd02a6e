//! Morsel-driven execution of bounded input on a rayon pool. Each split (row group, file,
//! slice of a batch) is read and pushed through its stage by one worker; up to a window of
//! splits run at once, and the calling thread writes their outputs to the sinks in split
//! order, so output order equals input order and memory stays bounded by the window.

use crate::error::{Error, Result};
use crate::sink::Sink;
use crate::source::{ReadRequest, Source, Split};
use crate::stage::{PipelineSpec, StageOutput, StageSpec};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::{Duration, Instant};

/// How to run a bounded job.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Worker threads (default: all cores).
    pub parallelism: usize,
    /// Rows per morsel.
    pub batch_rows: usize,
    /// Show a progress bar on stderr when it is a terminal.
    pub progress: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            parallelism: std::thread::available_parallelism().map_or(1, |n| n.get()),
            batch_rows: crate::source::DEFAULT_BATCH_ROWS,
            progress: false,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    /// Rows read from all sources.
    pub rows_in: u64,
    /// Rows written, per sink.
    pub rows_out: Vec<u64>,
    /// Wall time of the run.
    pub elapsed: Duration,
}

/// Output of one split: batches per sink, plus rows read.
type SplitResult = Result<(Vec<Vec<arrow::array::RecordBatch>>, u64)>;

/// Runs every stage of `spec` over `sources` (indexed like `spec.sources`) into `sinks`
/// (indexed like `spec.sinks`).
pub fn run_bounded(spec: &PipelineSpec, sources: &[&dyn Source], sinks: &mut [Box<dyn Sink>], opts: &RunOptions) -> Result<RunSummary> {
    let started = Instant::now();
    keep_freed_pages();
    let pool = worker_pool(opts.parallelism.max(1))?;
    for (sink, s) in sinks.iter_mut().zip(spec.sinks) {
        sink.open(s.name, (s.schema)())?;
    }
    let mut summary = RunSummary { rows_out: vec![0; spec.sinks.len()], ..Default::default() };
    for stage in spec.stages {
        let source_spec = &spec.sources[stage.source];
        let req = ReadRequest {
            source: source_spec.name.into(),
            record: source_spec.record.into(),
            schema: (source_spec.schema)(),
            columns: source_spec.columns().into_iter().map(String::from).collect(),
            batch_rows: opts.batch_rows,
        };
        let source = sources[stage.source];
        tracing::info!(source = source_spec.name, input = %source.describe(), columns = ?req.columns, "reading");
        let splits = source.splits(&req)?;
        run_stage(&pool, stage, spec.sinks.len(), splits, sinks, &mut summary, opts)?;
    }
    for sink in sinks.iter_mut() {
        sink.finish()?;
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}

fn run_stage(
    pool: &rayon::ThreadPool,
    stage: &'static StageSpec,
    n_sinks: usize,
    splits: Vec<Box<dyn Split>>,
    sinks: &mut [Box<dyn Sink>],
    summary: &mut RunSummary,
    opts: &RunOptions,
) -> Result<()> {
    let total = splits.len();
    let window = (opts.parallelism * 4).max(4);
    let bar = progress_bar(opts.progress, total);
    let (tx, rx) = mpsc::channel::<(usize, SplitResult)>();
    let mut pending = splits.into_iter().enumerate();
    let mut ready: BTreeMap<usize, SplitResult> = BTreeMap::new();
    let (mut in_flight, mut next_to_write) = (0usize, 0usize);
    while next_to_write < total {
        while in_flight < window {
            let Some((idx, split)) = pending.next() else { break };
            let tx = tx.clone();
            pool.spawn(move || {
                // The receiver only goes away when an earlier split failed; nothing to report then.
                let _ = tx.send((idx, run_split(stage, n_sinks, split)));
            });
            in_flight += 1;
        }
        let (idx, result) = rx.recv().map_err(|_| Error::Config("a worker thread stopped unexpectedly".into()))?;
        in_flight -= 1;
        ready.insert(idx, result);
        while let Some(result) = ready.remove(&next_to_write) {
            let (per_sink, rows) = result?;
            summary.rows_in += rows;
            for (k, batches) in per_sink.iter().enumerate() {
                for b in batches {
                    summary.rows_out[k] += b.num_rows() as u64;
                    sinks[k].write(b)?;
                }
            }
            next_to_write += 1;
            if let Some(bar) = &bar {
                bar.inc(1);
            }
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(())
}

fn run_split(stage: &StageSpec, n_sinks: usize, split: Box<dyn Split>) -> SplitResult {
    let mut out = StageOutput::new(n_sinks);
    let mut rows = 0u64;
    for morsel in split.open()? {
        let morsel = morsel?;
        rows += morsel.batch.num_rows() as u64;
        (stage.run)(&morsel, &mut out)?;
    }
    Ok((out.into_parts(), rows))
}

fn progress_bar(wanted: bool, total: usize) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !wanted || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    let style = indicatif::ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} splits ({elapsed})").ok()?;
    bar.set_style(style.progress_chars("=> "));
    bar.set_message("running");
    Some(bar)
}

/// The process's worker pool of `threads` threads, started on first use and kept: jobs run
/// one after another (tests, notebooks, a service) reuse warm threads and their allocator
/// heaps instead of faulting in fresh pages every run.
fn worker_pool(threads: usize) -> Result<Arc<rayon::ThreadPool>> {
    static POOLS: OnceLock<Mutex<BTreeMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    let mut pools = POOLS.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    if let Some(pool) = pools.get(&threads) {
        return Ok(pool.clone());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("sabot-worker-{i}"))
        .build()
        .map_err(|e| Error::Config(format!("cannot start {threads} worker threads: {e}")))?;
    let pool = Arc::new(pool);
    pools.insert(threads, pool.clone());
    Ok(pool)
}

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (mimalloc.h, v2).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Tells mimalloc (when it is the global allocator, see `sabot::Allocator`) to keep freed
/// pages for a second instead of 10 ms: stages free and allocate output columns per morsel,
/// and pages returned to the kernel come back as page faults on the next morsel.
fn keep_freed_pages() {
    // SAFETY: setting an option is a plain store in mimalloc; harmless when it is not in use.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 1000) };
}
