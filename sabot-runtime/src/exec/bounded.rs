//! Morsel-driven execution of bounded input on a rayon pool. Each split (row group, file,
//! slice of a batch) is read and pushed through its stage by one worker, and the workers write
//! outputs to the sinks in split order (see [`in_split_order`]), so output order equals input
//! order and memory stays bounded by a window of results.

use crate::agg::{Finished, SpillCtx, StageCtx};
use crate::error::{Error, Result};
use crate::sink::Sink;
use crate::source::{MemorySource, MorselIter, ReadRequest, Source, Split, StoredSource};
use crate::stage::{PipelineSpec, StageFn, StageInput, StageOutput, StageRun};
use sabot_state::StateBackend;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
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
    /// Where keyed state and spilled tables go (`--state`).
    pub state: Arc<dyn StateBackend>,
    /// Bytes the job's hash tables may hold before they spill to `state` (`--memory-limit`).
    pub memory_limit: Option<usize>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            parallelism: std::thread::available_parallelism().map_or(1, |n| n.get()),
            batch_rows: crate::source::DEFAULT_BATCH_ROWS,
            progress: false,
            state: Arc::new(sabot_state::MemoryBackend::default()),
            memory_limit: None,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    /// Rows read from the pipeline's sources.
    pub rows_in: u64,
    /// Rows written, per sink.
    pub rows_out: Vec<u64>,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// Times a hash table was written to the state backend, and the groups written.
    pub spills: (u64, u64),
    /// Streaming: records that arrived after every window holding them had fired (they
    /// update no result).
    pub late: u64,
    /// Streaming: watermark advances processed.
    pub watermarks: u64,
    /// Streaming: the most messages seen waiting for the coordinator (in the queue or in a
    /// reader blocked sending), each time it took one.
    pub max_queue: usize,
    /// Bounded: the run used the pipeline's alternative, whose join builds on its written
    /// probe side (that source had fewer rows; see `PipelineSpec::choose`).
    pub swapped_join: bool,
}

/// Output of one split: batches per sink, plus rows read.
type SplitResult = Result<(Vec<Vec<arrow::array::RecordBatch>>, u64)>;

/// Runs every stage of `spec` over `sources` (indexed like `spec.sources`) into `sinks`
/// (indexed like `spec.sinks`).
pub fn run_bounded(spec: &PipelineSpec, sources: &[&dyn Source], sinks: &mut [Box<dyn Sink>], opts: &RunOptions) -> Result<RunSummary> {
    let started = Instant::now();
    keep_freed_pages(opts.memory_limit.is_none());
    let pool = worker_pool(opts.parallelism.max(1))?;
    for (sink, s) in sinks.iter_mut().zip(spec.sinks) {
        sink.open(s.name, (s.schema)())?;
    }
    let mut summary = RunSummary { rows_out: vec![0; spec.sinks.len()], ..Default::default() };
    // Rows an aggregation stage produced, for the stage that reads them.
    let mut produced: BTreeMap<usize, Produced> = BTreeMap::new();
    // Tables of windowed joins filled by one input's stage, by the stage that finishes them.
    let mut pending: BTreeMap<usize, Option<Box<dyn crate::agg::AggPartial>>> = BTreeMap::new();
    let spill = opts.memory_limit.map(|limit| Arc::new(SpillCtx::new(Arc::clone(&opts.state), limit)));
    // Build tables of join stages, for the stages that probe them.
    let mut ctx = StageCtx::with_spill(spill.clone()).with_state(Arc::clone(&opts.state));
    for (index, stage) in spec.stages.iter().enumerate() {
        let (source, req): (&dyn Source, ReadRequest) = match stage.input {
            StageInput::Source(i) => {
                let s = &spec.sources[i];
                let req = ReadRequest {
                    source: s.name.into(),
                    record: s.record.into(),
                    schema: (s.schema)(),
                    columns: s.columns().into_iter().map(String::from).collect(),
                    batch_rows: opts.batch_rows,
                    prune: s.prune,
                };
                (sources[i], req)
            }
            StageInput::Stage(j) => {
                let Some(rows) = produced.get(&j) else {
                    return Err(Error::Config(format!("stage {index} reads stage {j}, which has not run")));
                };
                let schema = rows.schema();
                let columns = schema.as_ref().map(|s| s.fields().iter().map(|f| f.name().clone()).collect()).unwrap_or_default();
                let rows: &dyn Source = match rows {
                    Produced::Memory(m) => m,
                    Produced::Stored(s) => s,
                };
                let req = ReadRequest {
                    source: format!("stage {j}").into(),
                    record: "groups".into(),
                    schema: schema.unwrap_or_else(|| std::sync::Arc::new(arrow::datatypes::Schema::empty())),
                    columns,
                    batch_rows: opts.batch_rows,
                    prune: None,
                };
                (rows, req)
            }
        };
        tracing::info!(stage = index, input = %source.describe(), columns = ?req.columns, "reading");
        // Rows in counts what sources produced, not what later stages or passes re-read.
        let before = summary.rows_in;
        let passes = probe_passes(index, stage, &ctx)?;
        let mut agg: Option<Box<dyn crate::agg::AggPartial>> = None;
        let mut build: Option<Box<dyn crate::agg::BuildPartial>> = None;
        let mut after_first = before;
        for (pass, partition) in passes.iter().enumerate() {
            let mut pass_ctx = ctx.at(index, 0);
            if let Some((from, p)) = *partition {
                tracing::info!(stage = index, build = from, partition = p, "probing a spilled build side");
                let table = ctx.spilled(from).expect("probe_passes found it").load(p)?;
                pass_ctx.set(from, table);
            }
            let splits = source.splits(&req)?;
            let base = pass * splits.len();
            let shared = Arc::new(pass_ctx);
            match stage.run {
                StageRun::Fused(run) => {
                    run_stage(&pool, run, spec.sinks.len(), splits, sinks, &mut summary, opts, Arc::clone(&shared))?;
                    for end in stage.unmatched {
                        let mut out = StageOutput::new(spec.sinks.len());
                        end(&mut out, &shared)?;
                        write_out(out, sinks, &mut summary)?;
                    }
                }
                StageRun::Aggregate(run) => {
                    let merged =
                        merge_splits(&pool, run, splits, base, &mut summary, opts, shared, |m, p| m.merge(p), |m, n| m.expect_splits(n))?;
                    if passes.len() > 1 && merged.as_ref().is_some_and(|m| m.single_pass()) {
                        return Err(Error::Config(format!(
                            "stage {index} ends in a `process` function or a triggered window after a join whose build side spilled; it would run once per partition, out of input order: raise --memory-limit"
                        )));
                    }
                    merge_passes(&mut agg, merged, |m, p| m.merge(p))?;
                }
                StageRun::Build(run) => {
                    let merged =
                        merge_splits(&pool, run, splits, base, &mut summary, opts, shared, |m, p| m.merge(p), |m, n| m.expect_splits(n))?;
                    merge_passes(&mut build, merged, |m, p| m.merge(p))?;
                }
            }
            if pass == 0 {
                after_first = summary.rows_in;
            }
        }
        // Later passes re-read the same input.
        summary.rows_in = after_first;
        match (stage.run, stage.merge_into) {
            (StageRun::Fused(_), _) => {}
            // One input of a two-sided join: its table waits for the other input's stage.
            (StageRun::Aggregate(_), Some(owner)) => merge_passes(pending.entry(owner).or_default(), agg, |m, p| m.merge(p))?,
            (StageRun::Aggregate(_), None) => {
                if let Some(other) = pending.remove(&index) {
                    merge_passes(&mut agg, other, |m, p| m.merge(p))?;
                }
                let rows = match agg.map_or(Ok(Finished::Batches(Vec::new())), |m| m.finish(opts.batch_rows))? {
                    Finished::Batches(rows) => Produced::Memory(crate::source::memory(rows)),
                    Finished::Stored { backend, tables, schema } => Produced::Stored(StoredSource::new(backend, tables, schema)),
                };
                produced.insert(index, rows);
            }
            (StageRun::Build(_), _) => ctx.set(index, build.map_or_else(|| Ok(StageCtx::empty_build()), |m| m.finish())?),
        }
        if matches!(stage.input, StageInput::Stage(_)) {
            summary.rows_in = before;
        }
    }
    for sink in sinks.iter_mut() {
        sink.finish()?;
    }
    if let Some(spill) = spill {
        summary.spills = spill.stats();
        tracing::info!(
            spills = summary.spills.0,
            groups = summary.spills.1,
            for_resident_set = spill.resident_spills(),
            backend = spill.backend().kind(),
            "spilled"
        );
        spill.cleanup()?;
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Runs `splits` through `work` on the pool, at most a window ahead of the oldest unwritten
/// one, and hands each result to `take` in split order.
///
/// The workers themselves hand results on: whichever finishes the oldest outstanding split
/// drains every result ready behind it. The calling thread only waits for the end, so on a
/// fully busy pool no third thread wakes per split and preempts a worker.
fn in_split_order<T: Send>(
    pool: &rayon::ThreadPool,
    splits: Vec<Box<dyn Split>>,
    opts: &RunOptions,
    work: impl Fn(usize, Box<dyn Split>) -> T + Send + Sync,
    take: impl FnMut(T) -> Result<()> + Send,
) -> Result<()> {
    let total = splits.len();
    let threads = opts.parallelism.max(1);
    let window = result_window(opts);
    let bar = progress_bar(opts.progress, total);
    let order = InOrder {
        queue: Mutex::new(Queue { pending: splits.into_iter().enumerate(), ready: BTreeMap::new(), next: 0, error: None, panic: None }),
        drained: std::sync::Condvar::new(),
        take: Mutex::new(take),
        window,
    };
    pool.scope(|s| {
        for _ in 0..threads.min(total) {
            s.spawn(|_| order.worker(&work, bar.as_ref()));
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let queue = order.queue.into_inner().unwrap_or_else(|p| p.into_inner());
    // A panic in user code stays a panic, raised here once every worker has stopped.
    if let Some(payload) = queue.panic {
        std::panic::resume_unwind(payload);
    }
    match queue.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// How many results may wait for an earlier split. Enough that a worker descheduled for a few
/// milliseconds does not stall the others (with 4 per thread, bench chain's time varied by 12%
/// from run to run; with 16, by 4%); a job with a memory limit keeps fewer waiting.
fn result_window(opts: &RunOptions) -> usize {
    let per_thread = if opts.memory_limit.is_some() { 4 } else { 16 };
    (opts.parallelism.max(1) * per_thread).max(per_thread)
}

/// The shared state of [`in_split_order`]'s workers.
struct InOrder<I, T, F> {
    queue: Mutex<Queue<I, T>>,
    /// Signalled when results were handed on, for workers a window ahead.
    drained: std::sync::Condvar,
    /// Held by the one worker handing results on.
    take: Mutex<F>,
    window: usize,
}

/// Splits not started, results not yet handed on, and the index of the next to hand on.
struct Queue<I, T> {
    pending: I,
    ready: BTreeMap<usize, T>,
    next: usize,
    error: Option<Error>,
    /// What a worker's split panicked with: the others stop instead of waiting for its result.
    panic: Option<Box<dyn std::any::Any + Send>>,
}

impl<I, T> Queue<I, T> {
    /// Whether a result failed or a worker panicked: nothing more is started or handed on.
    fn stopped(&self) -> bool {
        self.error.is_some() || self.panic.is_some()
    }
}

impl<I: Iterator<Item = (usize, Box<dyn Split>)>, T, F: FnMut(T) -> Result<()>> InOrder<I, T, F> {
    fn worker(&self, work: &(impl Fn(usize, Box<dyn Split>) -> T + Sync), bar: Option<&indicatif::ProgressBar>) {
        loop {
            let (idx, split) = {
                let mut q = self.lock();
                loop {
                    if q.stopped() {
                        return;
                    }
                    // Memory stays bounded: wait while the next split is a window ahead.
                    if q.ready.len() < self.window {
                        break;
                    }
                    q = self.drained.wait(q).unwrap_or_else(|p| p.into_inner());
                }
                match q.pending.next() {
                    Some(next) => next,
                    None => return,
                }
            };
            let result = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(idx, split))) {
                Ok(result) => result,
                Err(payload) => {
                    self.lock().panic.get_or_insert(payload);
                    self.drained.notify_all();
                    return;
                }
            };
            self.lock().ready.insert(idx, result);
            self.hand_on(bar);
        }
    }

    /// Hands on every result ready in order, unless another worker is doing so (it will see
    /// ours: it checks again after letting go).
    fn hand_on(&self, bar: Option<&indicatif::ProgressBar>) {
        loop {
            let Ok(mut take) = self.take.try_lock() else { return };
            loop {
                let result = {
                    let mut q = self.lock();
                    // Another worker's result failed (or panicked) while this one waited for `take`.
                    if q.stopped() {
                        break;
                    }
                    let next = q.next;
                    match q.ready.remove(&next) {
                        Some(r) => {
                            q.next += 1;
                            r
                        }
                        None => break,
                    }
                };
                // Nothing after a failed split is written. `take` runs user code too (merges,
                // `process` functions): a panic there stops the run like one in `work`.
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| take(result))) {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => {
                        self.lock().error.get_or_insert(e);
                        break;
                    }
                    Err(payload) => {
                        self.lock().panic.get_or_insert(payload);
                        break;
                    }
                }
                if let Some(bar) = bar {
                    bar.inc(1);
                }
            }
            drop(take);
            self.drained.notify_all();
            let q = self.lock();
            if q.stopped() || !q.ready.contains_key(&q.next) {
                return;
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue<I, T>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[allow(clippy::too_many_arguments)]
fn run_stage(
    pool: &rayon::ThreadPool,
    run: StageFn,
    n_sinks: usize,
    splits: Vec<Box<dyn Split>>,
    sinks: &mut [Box<dyn Sink>],
    summary: &mut RunSummary,
    opts: &RunOptions,
    ctx: Arc<StageCtx>,
) -> Result<()> {
    in_split_order(
        pool,
        splits,
        opts,
        move |_, split| run_split(run, n_sinks, split, &ctx),
        |result| {
            let (per_sink, rows) = result?;
            summary.rows_in += rows;
            for (k, batches) in per_sink.iter().enumerate() {
                for b in batches {
                    summary.rows_out[k] += b.num_rows() as u64;
                    sinks[k].write(b)?;
                }
            }
            Ok(())
        },
    )
}

/// Runs `run` over every split on the pool and merges the partial results in split order.
#[allow(clippy::too_many_arguments)]
fn merge_splits<P: ?Sized + Send + 'static>(
    pool: &rayon::ThreadPool,
    run: fn(MorselIter, &StageCtx) -> Result<Box<P>>,
    splits: Vec<Box<dyn Split>>,
    base: usize,
    summary: &mut RunSummary,
    opts: &RunOptions,
    ctx: Arc<StageCtx>,
    merge: impl Fn(&mut Box<P>, Box<P>) -> Result<()> + Sync,
    expect: impl Fn(&mut Box<P>, usize) + Sync,
) -> Result<Option<Box<P>>> {
    let mut merged: Option<Box<P>> = None;
    let later_splits = splits.len().saturating_sub(1);
    in_split_order(
        pool,
        splits,
        opts,
        move |idx, split| {
            let counted = CountRows::new(split.open()?);
            let rows = counted.rows.clone();
            let partial = run(Box::new(counted), &ctx.at(ctx.stage(), base + idx))?;
            Ok((partial, rows.load(std::sync::atomic::Ordering::Relaxed)))
        },
        |result: Result<(Box<P>, u64)>| {
            let (partial, rows) = result?;
            summary.rows_in += rows;
            match &mut merged {
                Some(m) => merge(m, partial)?,
                None => {
                    let mut first = partial;
                    // Under a memory limit tables grow, and spill, as rows come.
                    if opts.memory_limit.is_none() {
                        expect(&mut first, later_splits);
                    }
                    merged = Some(first);
                }
            }
            Ok(())
        },
    )?;
    Ok(merged)
}

/// Merges one pass's merged partial into the stage's.
fn merge_passes<P: ?Sized>(
    all: &mut Option<Box<P>>,
    pass: Option<Box<P>>,
    merge: impl Fn(&mut Box<P>, Box<P>) -> Result<()>,
) -> Result<()> {
    match (all.as_mut(), pass) {
        (Some(a), Some(p)) => merge(a, p),
        (None, p) => {
            *all = p;
            Ok(())
        }
        (Some(_), None) => Ok(()),
    }
}

/// The passes a stage needs: one, or one per partition of the spilled build side it probes
/// (with that partition's table loaded). Refuses shapes where a pass per partition would
/// repeat rows: two spilled build sides, or outputs that bypass the spilled join.
fn probe_passes(index: usize, stage: &crate::stage::StageSpec, ctx: &StageCtx) -> Result<Vec<Option<(usize, usize)>>> {
    let spilled: Vec<(usize, bool)> = stage.probes.iter().copied().filter(|(from, _)| ctx.spilled(*from).is_some()).collect();
    match spilled.as_slice() {
        [] => Ok(vec![None]),
        [(from, true)] => Ok((0..crate::agg::PARTITIONS).map(|p| Some((*from, p))).collect()),
        [(from, false)] => Err(Error::Config(format!(
            "stage {index} probes the build side of stage {from}, which spilled, but also writes rows that do not pass through that join; raise --memory-limit"
        ))),
        _ => Err(Error::Config(format!("stage {index} probes more than one spilled build side; raise --memory-limit"))),
    }
}

/// Rows an aggregation or sort stage left for a later stage.
enum Produced {
    Memory(MemorySource),
    Stored(StoredSource),
}

impl Produced {
    fn schema(&self) -> Option<arrow::datatypes::SchemaRef> {
        match self {
            Produced::Memory(m) => m.schema(),
            Produced::Stored(s) => Some(s.schema()),
        }
    }
}

/// Writes a stage's output to the sinks.
fn write_out(out: StageOutput, sinks: &mut [Box<dyn Sink>], summary: &mut RunSummary) -> Result<()> {
    for (k, batches) in out.into_parts().iter().enumerate() {
        for b in batches {
            summary.rows_out[k] += b.num_rows() as u64;
            sinks[k].write(b)?;
        }
    }
    Ok(())
}

/// Counts the rows of the morsels passing through, for the run summary.
struct CountRows {
    inner: MorselIter,
    rows: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl CountRows {
    fn new(inner: MorselIter) -> Self {
        CountRows { inner, rows: Default::default() }
    }
}

impl Iterator for CountRows {
    type Item = Result<crate::stage::Morsel>;
    fn next(&mut self) -> Option<Self::Item> {
        let m = self.inner.next()?;
        if let Ok(m) = &m {
            self.rows.fetch_add(m.batch.num_rows() as u64, std::sync::atomic::Ordering::Relaxed);
        }
        Some(m)
    }
}

fn run_split(run: StageFn, n_sinks: usize, split: Box<dyn Split>, ctx: &StageCtx) -> SplitResult {
    let mut out = StageOutput::new(n_sinks);
    let mut rows = 0u64;
    for morsel in split.open()? {
        let morsel = morsel?;
        rows += morsel.batch.num_rows() as u64;
        run(&morsel, &mut out, ctx)?;
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

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (mimalloc.h, v2 and v3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Tells mimalloc (when it is the global allocator, see `sabot::Allocator`) to keep freed
/// pages for a second instead of 10 ms: stages free and allocate output columns per morsel,
/// and pages returned to the kernel come back as page faults on the next morsel. A job with a
/// memory limit gives them back after 1 ms instead: what it spilled should leave its RSS.
/// Measured on the 10M-key spill bench at 48 MiB (2 cores): peak RSS 186–213 MiB for the
/// group-by at 1 ms against 245–257 MiB at 10 ms, in about the same time; at 0 (give back
/// on every free) 156 MiB, but the join took twice as long.
pub(super) fn keep_freed_pages(keep: bool) {
    // SAFETY: setting an option is a plain store in mimalloc; harmless when it is not in use.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, if keep { 1000 } else { 1 }) };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A split with nothing in it: the tests' work functions only look at its index.
    struct Empty;
    impl Split for Empty {
        fn open(self: Box<Self>) -> Result<MorselIter> {
            Ok(Box::new(std::iter::empty()))
        }
    }

    fn splits(n: usize) -> Vec<Box<dyn Split>> {
        (0..n).map(|_| Box::new(Empty) as Box<dyn Split>).collect()
    }

    fn opts(threads: usize) -> RunOptions {
        RunOptions { parallelism: threads, ..Default::default() }
    }

    /// Splits finish out of order (later ones sooner, some much later); results still arrive in split order,
    /// and no more than a window of them ever waits.
    #[test]
    fn results_arrive_in_split_order_within_a_window() {
        for threads in [1, 2, 3] {
            let pool = worker_pool(threads).unwrap();
            let waiting = std::sync::atomic::AtomicUsize::new(0);
            let most = std::sync::atomic::AtomicUsize::new(0);
            let mut seen = Vec::new();
            let work = |idx: usize, _| {
                // Every 100th split is slow: without the window, the others would all pile up.
                std::thread::sleep(Duration::from_micros(if idx.is_multiple_of(100) { 20_000 } else { (7 - idx % 8) * 50 } as u64));
                let now = waiting.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                most.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
                idx
            };
            in_split_order(&pool, splits(300), &opts(threads), work, |idx| {
                waiting.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                seen.push(idx);
                Ok(())
            })
            .unwrap();
            assert_eq!(seen, (0..300).collect::<Vec<_>>(), "{threads} threads");
            let window = result_window(&opts(threads));
            assert!(most.into_inner() <= window + threads, "{threads} threads: more than a window waited");
        }
    }

    /// A panic in a split's work or in handing a result on ends the run with that panic on
    /// the calling thread; the other workers stop instead of waiting for the missing result.
    #[test]
    fn a_panicking_split_is_raised_not_waited_for() {
        for threads in [1, 2] {
            let pool = worker_pool(threads).unwrap();
            let work = |idx: usize, _| {
                assert!(idx != 3, "split 3 panics");
                idx
            };
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                in_split_order(&pool, splits(200), &opts(threads), work, |_| Ok(()))
            }));
            let message = caught.expect_err("the panic reaches the caller");
            assert_eq!(message.downcast_ref::<&str>(), Some(&"split 3 panics"));
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                in_split_order(
                    &pool,
                    splits(200),
                    &opts(threads),
                    |idx, _| idx,
                    |idx| {
                        assert!(idx != 5, "taking 5 panics");
                        Ok(())
                    },
                )
            }));
            let message = caught.expect_err("the panic reaches the caller");
            assert_eq!(message.downcast_ref::<&str>(), Some(&"taking 5 panics"));
        }
    }

    /// A failed result stops the run: nothing after it is handed on, and its error is returned.
    #[test]
    fn a_failed_split_stops_what_follows() {
        // Many times over: the race is between the worker whose result failed and another
        // that takes over handing results on.
        for threads in [2, 3] {
            let pool = worker_pool(threads).unwrap();
            for _ in 0..100 {
                let mut seen = Vec::new();
                let out = in_split_order(
                    &pool,
                    splits(50),
                    &opts(threads),
                    |idx, _| idx,
                    |idx| {
                        if idx == 17 {
                            return Err(Error::Config("split 17 failed".into()));
                        }
                        seen.push(idx);
                        Ok(())
                    },
                );
                assert!(matches!(out, Err(Error::Config(m)) if m == "split 17 failed"));
                assert_eq!(seen, (0..17).collect::<Vec<_>>(), "{threads} threads");
            }
        }
    }
}
