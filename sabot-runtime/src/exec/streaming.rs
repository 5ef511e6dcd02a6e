//! Streaming execution: the same compiled stages as batch, driven by readers that never need
//! their input to end. Each reader thread pulls splits of a source in order, runs the source's
//! stage on every morsel and sends the result (rows for the sinks, or a partial aggregation)
//! with its watermark through one bounded channel: a slow sink blocks the coordinator, the
//! channel fills and readers stop reading (backpressure). The coordinator merges partials,
//! takes the minimum watermark of the readers that are neither done nor idle, and fires the
//! windows that end at or before it into the stages downstream. Bounded input ends with a
//! final watermark, so a batch pipeline runs unchanged.
//!
//! Threads and a bounded channel rather than tokio tasks: every stage is CPU-bound compiled
//! code, so an async runtime would only add a hop; tokio comes in with network sources.

use super::{RunOptions, RunSummary};
use crate::agg::{AggPartial, StageCtx};
use crate::error::{Error, Result};
use crate::sink::Sink;
use crate::source::{ReadRequest, Source};
use crate::stage::{Morsel, PipelineSpec, StageInput, StageOutput, StageRun};
use arrow::array::{Array, RecordBatch};
use arrow::datatypes::{DataType, TimeUnit};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// How a streaming run makes watermarks and moves data.
#[derive(Debug, Clone)]
pub struct StreamOptions {
    /// How far behind the latest event time a reader has seen its watermark stays (bounded
    /// out-of-orderness; zero for monotonic event times).
    pub out_of_orderness: Duration,
    /// A reader that sends nothing for this long stops holding the watermark back.
    pub idle_timeout: Duration,
    /// Messages (one morsel's output each) in flight between readers and the coordinator.
    pub queue: usize,
    /// Set to stop an unbounded run: readers stop at their next morsel, and what they sent
    /// is still processed and written.
    pub stop: Arc<AtomicBool>,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            out_of_orderness: Duration::ZERO,
            idle_timeout: Duration::from_secs(5),
            queue: 8,
            stop: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// What a reader sends after each morsel.
enum Msg {
    Data { stage: usize, reader: usize, out: Out, rows: u64, watermark: Option<i64> },
    Done { stage: usize, reader: usize },
    Failed(Error),
}

enum Out {
    Rows(Vec<Vec<RecordBatch>>),
    Partial(Box<dyn AggPartial>),
}

/// Per stage: its running aggregation, the watermark its input has reached, and the one it
/// has fired to (lower for a two-sided join while its other input is behind).
#[derive(Default)]
struct StageState {
    partial: Option<Box<dyn AggPartial>>,
    fired: Option<i64>,
    emitted: Option<i64>,
}

/// Per reader: its latest watermark, when it last sent, whether its input ended.
struct ReaderState {
    watermark: Option<i64>,
    last_seen: Instant,
    done: bool,
    /// Set by the reader while it waits for input (only then can it be idle; a reader blocked
    /// by backpressure is not).
    waiting: Arc<AtomicBool>,
}

/// Runs `spec` over `sources` into `sinks` as a stream (see the module doc).
/// Late rows (input records of a windowed aggregation that arrived after their windows fired)
/// go to `late` when given; otherwise they are only counted, and a warning says how many.
pub fn run_streaming(
    spec: &PipelineSpec,
    sources: &[&dyn Source],
    sinks: &mut [Box<dyn Sink>],
    mut late: Option<&mut Box<dyn Sink>>,
    opts: &RunOptions,
    stream: &StreamOptions,
) -> Result<RunSummary> {
    let started = Instant::now();
    check_shape(spec)?;
    // Readers free and allocate columns per morsel, as bounded workers do.
    super::bounded::keep_freed_pages(opts.memory_limit.is_none());
    for (sink, s) in sinks.iter_mut().zip(spec.sinks) {
        sink.open(s.name, (s.schema)())?;
    }
    let late_schema = late_schema(spec);
    if let (Some(sink), Some(schema)) = (late.as_deref_mut(), &late_schema) {
        sink.open("late", schema.clone())?;
    }
    let (ctx, build_rows) = build_sides(spec, sources, opts.batch_rows)?;
    let ctx = ctx.with_state(Arc::clone(&opts.state));
    let (tx, rx) = mpsc::sync_channel::<Msg>(stream.queue.max(1));
    let depth = Arc::new(AtomicUsize::new(0));
    let mut coord = Coordinator {
        spec,
        sinks,
        ctx: ctx.clone(),
        stages: (0..spec.stages.len()).map(|_| StageState::default()).collect(),
        readers: Vec::new(),
        summary: RunSummary { rows_in: build_rows, rows_out: vec![0; spec.sinks.len()], ..Default::default() },
        batch_rows: opts.batch_rows,
        late,
        late_schema,
    };
    let parallelism = opts.parallelism.max(1);
    std::thread::scope(|scope| -> Result<()> {
        for (index, stage) in spec.stages.iter().enumerate() {
            let StageInput::Source(i) = stage.input else { continue };
            if matches!(stage.run, StageRun::Build(_)) {
                continue;
            }
            let req = read_request(spec, i, opts.batch_rows);
            let marks = marks_of(spec, i);
            let splits = Arc::new(Mutex::new(sources[i].split_stream(&req)?));
            let mut states = Vec::new();
            for r in 0..parallelism {
                let waiting = Arc::new(AtomicBool::new(false));
                states.push(ReaderState { watermark: None, last_seen: Instant::now(), done: false, waiting: Arc::clone(&waiting) });
                let reader = Reader {
                    stage: index,
                    reader: r,
                    run: stage.run,
                    n_sinks: spec.sinks.len(),
                    splits: Arc::clone(&splits),
                    marks,
                    delay: stream.out_of_orderness.as_nanos().min(i64::MAX as u128) as i64,
                    tx: tx.clone(),
                    depth: Arc::clone(&depth),
                    stop: Arc::clone(&stream.stop),
                    waiting,
                    ctx: ctx.at(index, r),
                };
                scope.spawn(move || reader.run());
            }
            coord.readers.push((index, states));
        }
        drop(tx);
        let result = coord.receive(&rx, &depth, stream.idle_timeout);
        if result.is_err() {
            // Readers blocked on a full channel wake up when it goes away.
            stream.stop.store(true, Ordering::Relaxed);
            drop(rx);
        }
        result
    })?;
    coord.finish()?;
    coord.write_late()?;
    for sink in coord.sinks.iter_mut() {
        sink.finish()?;
    }
    if let Some(sink) = coord.late.as_deref_mut() {
        sink.finish()?;
    }
    coord.summary.late = ctx.late_records();
    if coord.summary.late > 0 && coord.late.is_none() {
        tracing::warn!(
            late = coord.summary.late,
            "records arrived after their windows fired and changed no result; bind a late sink (--late-sink) to keep them"
        );
    }
    coord.summary.elapsed = started.elapsed();
    Ok(coord.summary)
}

/// The schema of late rows: the first windowed aggregation's input record, and when that is
/// a source's record, only the columns the pipeline reads (the others were never decoded).
fn late_schema(spec: &PipelineSpec) -> Option<arrow::datatypes::SchemaRef> {
    let stage = spec.stages.iter().find(|s| s.late.is_some())?;
    let schema = (stage.late?)();
    let StageInput::Source(i) = stage.input else { return Some(schema) };
    if schema != (spec.sources[i].schema)() {
        return Some(schema);
    }
    let read = read_request(spec, i, 1).columns;
    let fields: Vec<_> = schema.fields().iter().filter(|f| read.iter().any(|c| c == f.name())).cloned().collect();
    Some(Arc::new(arrow::datatypes::Schema::new(fields)))
}

/// Streaming runs read each source in one stage, and join only against build sides read
/// from a source (a bounded side input, read whole before the stream starts).
fn check_shape(spec: &PipelineSpec) -> Result<()> {
    for (i, stage) in spec.stages.iter().enumerate() {
        if matches!(stage.run, StageRun::Build(_)) && !matches!(stage.input, StageInput::Source(_)) {
            return Err(Error::Config(format!(
                "pipeline `{}`: stage {i} builds a join table from another stage's output, which streaming runs do not support yet; run it as a batch job",
                spec.name
            )));
        }
    }
    for (k, s) in spec.sources.iter().enumerate() {
        let readers = spec.stages.iter().filter(|st| st.input == StageInput::Source(k)).count();
        if readers > 1 {
            return Err(Error::Config(format!(
                "pipeline `{}`: source `{}` feeds {readers} stages, which streaming runs do not support yet",
                spec.name, s.name
            )));
        }
    }
    Ok(())
}

/// Reads every join build side whole, split by split, before the stream starts: the joins a
/// stream runs are lookups in bounded side inputs (a build source that never ends would
/// never let the stream start).
fn build_sides(spec: &PipelineSpec, sources: &[&dyn Source], batch_rows: usize) -> Result<(StageCtx, u64)> {
    let mut ctx = StageCtx::default();
    let rows = Arc::new(std::sync::atomic::AtomicU64::new(0));
    for (index, stage) in spec.stages.iter().enumerate() {
        let (StageRun::Build(f), StageInput::Source(i)) = (stage.run, stage.input) else { continue };
        let req = read_request(spec, i, batch_rows);
        let mut merged: Option<Box<dyn crate::agg::BuildPartial>> = None;
        for (k, split) in sources[i].splits(&req)?.into_iter().enumerate() {
            let counter = Arc::clone(&rows);
            let counted = split.open()?.inspect(move |m| {
                if let Ok(m) = m {
                    counter.fetch_add(m.batch.num_rows() as u64, Ordering::Relaxed);
                }
            });
            let part = f(Box::new(counted), &ctx.at(index, k))?;
            match &mut merged {
                Some(m) => m.merge(part)?,
                None => merged = Some(part),
            }
        }
        let table = match merged {
            Some(m) => m.finish()?,
            None => StageCtx::empty_build(),
        };
        tracing::info!(stage = index, source = spec.sources[i].name, "read a join's build side");
        ctx.set(index, table);
    }
    Ok((ctx, rows.load(Ordering::Relaxed)))
}

/// What the source's stage reads, plus its event-time column (watermarks come from it).
fn read_request(spec: &PipelineSpec, i: usize, batch_rows: usize) -> ReadRequest {
    let s = &spec.sources[i];
    let mut columns: Vec<String> = s.columns().into_iter().map(String::from).collect();
    for f in (s.fields)().iter().filter(|f| f.event_time || f.watermark) {
        if !columns.iter().any(|c| c == f.name) {
            columns.push(f.name.to_string());
        }
    }
    ReadRequest { source: s.name.into(), record: s.record.into(), schema: (s.schema)(), columns, batch_rows, prune: s.prune }
}

/// Where a source's watermarks come from.
#[derive(Debug, Clone, Copy)]
enum Marks {
    /// The latest event time seen, minus the allowed disorder.
    EventTime(&'static str),
    /// The latest value of a `#[sabot(watermark)]` column (punctuation in the data).
    Punctuated(&'static str),
    /// None: windows fire at the end of input.
    None,
}

fn marks_of(spec: &PipelineSpec, i: usize) -> Marks {
    let fields = (spec.sources[i].fields)();
    if let Some(f) = fields.iter().find(|f| f.watermark) {
        return Marks::Punctuated(f.name);
    }
    fields.iter().find(|f| f.event_time).map_or(Marks::None, |f| Marks::EventTime(f.name))
}

/// One reader thread of a source stage.
struct Reader {
    stage: usize,
    reader: usize,
    run: StageRun,
    n_sinks: usize,
    splits: Arc<Mutex<crate::source::SplitStream>>,
    marks: Marks,
    delay: i64,
    tx: mpsc::SyncSender<Msg>,
    depth: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    /// Set while waiting for input (`ReaderState::waiting`).
    waiting: Arc<AtomicBool>,
    ctx: StageCtx,
}

impl Reader {
    fn run(self) {
        let (stage, reader) = (self.stage, self.reader);
        let msg = match self.read_all() {
            Ok(()) => Msg::Done { stage, reader },
            Err(e) => Msg::Failed(e),
        };
        self.send(msg);
    }

    fn send(&self, msg: Msg) -> bool {
        self.depth.fetch_add(1, Ordering::Relaxed);
        self.tx.send(msg).is_ok()
    }

    fn read_all(&self) -> Result<()> {
        let mut max_seen: Option<i64> = None;
        let waiting = &self.waiting;
        // Rows are late only against this reader's own watermark, so there is no race with the
        // coordinator: windows fire at the minimum over readers.
        let (column, delay) = match self.marks {
            Marks::EventTime(c) => (Some(c), self.delay),
            Marks::Punctuated(c) => (Some(c), 0),
            Marks::None => (None, 0),
        };
        loop {
            waiting.store(true, Ordering::Relaxed);
            let next = self.splits.lock().unwrap_or_else(|p| p.into_inner()).next();
            let Some(split) = next else { return Ok(()) };
            let mut morsels = split?.open()?;
            loop {
                waiting.store(true, Ordering::Relaxed);
                let Some(morsel) = morsels.next() else { break };
                waiting.store(false, Ordering::Relaxed);
                if self.stop.load(Ordering::Relaxed) {
                    return Ok(());
                }
                let morsel = morsel?;
                let rows = morsel.batch.num_rows() as u64;
                let floor = max_seen.map(|m| m.saturating_sub(delay));
                if let Some(t) = column.and_then(|c| max_event_time(&morsel.batch, c)) {
                    max_seen = Some(max_seen.map_or(t, |m| m.max(t)));
                }
                let out = self.process(morsel, floor)?;
                let watermark = max_seen.map(|m| m.saturating_sub(delay));
                if !self.send(Msg::Data { stage: self.stage, reader: self.reader, out, rows, watermark }) {
                    return Ok(());
                }
            }
        }
    }

    fn process(&self, morsel: Morsel, watermark: Option<i64>) -> Result<Out> {
        let ctx = self.ctx.with_watermark(watermark);
        match self.run {
            StageRun::Fused(f) => {
                let mut out = StageOutput::new(self.n_sinks);
                f(&morsel, &mut out, &ctx)?;
                Ok(Out::Rows(out.into_parts()))
            }
            StageRun::Aggregate(f) => Ok(Out::Partial(f(Box::new(std::iter::once(Ok(morsel))), &ctx)?)),
            StageRun::Build(_) => Err(Error::Config("join build stages do not run in streaming mode".into())),
        }
    }
}

/// The largest event time in a batch's timestamp column, in nanoseconds.
fn max_event_time(batch: &RecordBatch, column: &str) -> Option<i64> {
    use arrow::array::{AsArray, PrimitiveArray};
    use arrow::datatypes::{TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType};
    fn max_of<T: arrow::datatypes::ArrowPrimitiveType<Native = i64>>(a: &PrimitiveArray<T>) -> Option<i64> {
        arrow::compute::max(a)
    }
    let col = batch.column_by_name(column)?;
    let (v, scale) = match col.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => (max_of(col.as_primitive::<TimestampSecondType>()), 1_000_000_000),
        DataType::Timestamp(TimeUnit::Millisecond, _) => (max_of(col.as_primitive::<TimestampMillisecondType>()), 1_000_000),
        DataType::Timestamp(TimeUnit::Microsecond, _) => (max_of(col.as_primitive::<TimestampMicrosecondType>()), 1_000),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => (max_of(col.as_primitive::<TimestampNanosecondType>()), 1),
        _ => return None,
    };
    // `max` skips nulls: an all-null column gives no watermark.
    v.map(|v| v.saturating_mul(scale))
}

/// The calling thread's side: merges, fires windows, runs downstream stages, writes sinks.
struct Coordinator<'a> {
    spec: &'a PipelineSpec,
    sinks: &'a mut [Box<dyn Sink>],
    ctx: StageCtx,
    stages: Vec<StageState>,
    /// Per source stage: its readers.
    readers: Vec<(usize, Vec<ReaderState>)>,
    summary: RunSummary,
    batch_rows: usize,
    /// Where late rows go, and their schema (the first windowed aggregation's input).
    late: Option<&'a mut Box<dyn Sink>>,
    late_schema: Option<arrow::datatypes::SchemaRef>,
}

impl Coordinator<'_> {
    /// Writes the late rows readers kept since the last call.
    fn write_late(&mut self) -> Result<()> {
        let rows = self.ctx.take_late();
        let Some(sink) = self.late.as_deref_mut() else { return Ok(()) };
        let Some(schema) = &self.late_schema else { return Ok(()) };
        for b in rows {
            // Keep the columns of the late schema (those decoded), by name.
            let columns: Option<Vec<_>> = schema.fields().iter().map(|f| b.column_by_name(f.name()).cloned()).collect();
            let batch = columns.and_then(|c| RecordBatch::try_new(schema.clone(), c).ok()).ok_or_else(|| {
                Error::Config(format!(
                    "pipeline `{}`: late rows of two windowed aggregations with different records cannot share one late sink",
                    self.spec.name
                ))
            })?;
            sink.write(&batch)?;
        }
        Ok(())
    }

    fn receive(&mut self, rx: &mpsc::Receiver<Msg>, depth: &AtomicUsize, idle: Duration) -> Result<()> {
        loop {
            // Wake at least every 50 ms without input: processing-time timers and triggers are
            // due by the clock, and idle readers are noticed.
            let msg = match rx.recv_timeout((idle / 2).clamp(Duration::from_millis(5), Duration::from_millis(50))) {
                Ok(m) => m,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    self.advance_all(idle)?;
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
            };
            // Counted before a reader's `send`, so the count also holds readers blocked in it;
            // what is left once this message is taken is what still waits.
            let waiting = depth.fetch_sub(1, Ordering::Relaxed) - 1;
            self.summary.max_queue = self.summary.max_queue.max(waiting);
            match msg {
                Msg::Failed(e) => return Err(e),
                Msg::Done { stage, reader } => {
                    self.reader(stage, reader).done = true;
                }
                Msg::Data { stage, reader, out, rows, watermark } => {
                    self.summary.rows_in += rows;
                    self.write_late()?;
                    match out {
                        Out::Rows(per_sink) => self.write(per_sink)?,
                        Out::Partial(p) => {
                            let owner = self.owner(stage);
                            merge_into(&mut self.stages[owner].partial, p)?
                        }
                    }
                    let r = self.reader(stage, reader);
                    r.last_seen = Instant::now();
                    if watermark > r.watermark {
                        r.watermark = watermark;
                    }
                }
            }
            self.advance_all(idle)?;
        }
    }

    fn reader(&mut self, stage: usize, reader: usize) -> &mut ReaderState {
        let states = self.readers.iter_mut().find(|(s, _)| *s == stage).map(|(_, r)| r).expect("a reader of a source stage");
        &mut states[reader]
    }

    /// Advances each source stage to the minimum watermark of its live, active readers.
    fn advance_all(&mut self, idle: Duration) -> Result<()> {
        let now = Instant::now();
        let mut moves = Vec::new();
        for (stage, readers) in &self.readers {
            let idle_reader = |r: &ReaderState| r.waiting.load(Ordering::Relaxed) && now.duration_since(r.last_seen) >= idle;
            let active: Vec<&ReaderState> = readers.iter().filter(|r| !r.done && !idle_reader(r)).collect();
            let wm = if active.is_empty() {
                // Only idle and finished readers: go as far as any reader got (rows of the
                // idle ones behind that will be late); all finished is the end of input.
                if readers.iter().all(|r| r.done) {
                    continue;
                }
                readers.iter().map(|r| r.watermark).max().flatten()
            } else {
                // A reader that has read nothing yet (no watermark) holds everything back.
                active.iter().map(|r| r.watermark).min().flatten()
            };
            if let Some(wm) = wm
                && Some(wm) > self.stages[*stage].fired
            {
                moves.push((*stage, wm));
            }
        }
        for (stage, wm) in moves {
            self.advance(stage, wm)?;
        }
        self.tick()
    }

    /// Hands on what tables have ready without a watermark moving (a `process` function's
    /// rows and its processing-time timers due now), in stage order.
    fn tick(&mut self) -> Result<()> {
        for k in 0..self.stages.len() {
            let Some(p) = self.stages[k].partial.as_mut() else { continue };
            let rows = p.tick(self.batch_rows)?;
            if rows.is_empty() {
                continue;
            }
            for r in self.readers_of(k) {
                self.deliver(r, &rows)?;
            }
        }
        Ok(())
    }

    /// The stage whose table stage `k`'s partial results go into: itself, or for one input of
    /// a windowed or interval join, the stage of the other input.
    fn owner(&self, k: usize) -> usize {
        self.spec.stages[k].merge_into.unwrap_or(k)
    }

    /// The watermark stage `owner`'s table may fire to: its input's, or for a two-sided join the
    /// minimum over both inputs (`None` until each has one).
    fn table_watermark(&self, owner: usize) -> Option<i64> {
        (0..self.stages.len()).filter(|&k| self.owner(k) == owner).map(|k| self.stages[k].fired).min().flatten()
    }

    /// Stage `stage`'s input watermark moves to `wm`: fire its windows into the stages that
    /// read it, and move theirs too.
    fn advance(&mut self, stage: usize, wm: i64) -> Result<()> {
        self.summary.watermarks += 1;
        self.stages[stage].fired = Some(wm);
        self.fire_table(self.owner(stage))
    }

    /// Fires stage `owner`'s table to its watermark and forwards the rows; once every input of
    /// the table has ended, finishes it instead.
    fn fire_table(&mut self, owner: usize) -> Result<()> {
        let Some(wm) = self.table_watermark(owner) else { return Ok(()) };
        if self.stages[owner].emitted >= Some(wm) {
            return Ok(());
        }
        self.stages[owner].emitted = Some(wm);
        if wm == i64::MAX {
            return self.end_table(owner);
        }
        let fired = match self.stages[owner].partial.as_mut() {
            Some(p) => p.fire(wm, self.batch_rows)?,
            None => Vec::new(),
        };
        self.forward(owner, fired, Some(wm))
    }

    /// Hands `batches` produced by `stage` to the stages that read it, then moves their
    /// watermark to `wm` (`None`: end of input).
    fn forward(&mut self, stage: usize, batches: Vec<RecordBatch>, wm: Option<i64>) -> Result<()> {
        for k in self.readers_of(stage) {
            self.deliver(k, &batches)?;
            match wm {
                Some(wm) => self.advance(k, wm)?,
                None => self.end(k)?,
            }
        }
        Ok(())
    }

    /// The stages that read stage `stage`'s output.
    fn readers_of(&self, stage: usize) -> Vec<usize> {
        (0..self.spec.stages.len()).filter(|&k| self.spec.stages[k].input == StageInput::Stage(stage)).collect()
    }

    /// Runs stage `k` over batches from the stage before it.
    fn deliver(&mut self, k: usize, batches: &[RecordBatch]) -> Result<()> {
        let ctx = self.ctx.at(k, 0).with_watermark(self.stages[k].fired);
        for (n, b) in batches.iter().enumerate() {
            let morsel = Morsel { batch: b.clone(), origin: crate::conform::Origin::new(&format!("stage {k} input")).at_row(n as u64) };
            match self.spec.stages[k].run {
                StageRun::Fused(f) => {
                    let mut out = StageOutput::new(self.spec.sinks.len());
                    f(&morsel, &mut out, &ctx)?;
                    self.write(out.into_parts())?;
                }
                StageRun::Aggregate(f) => {
                    let p = f(Box::new(std::iter::once(Ok(morsel))), &ctx)?;
                    let owner = self.owner(k);
                    merge_into(&mut self.stages[owner].partial, p)?;
                }
                StageRun::Build(_) => return Err(Error::Config("join build stages do not run in streaming mode".into())),
            }
        }
        Ok(())
    }

    /// End of input at stage `k`: the final watermark fires every window, then groups of
    /// unwindowed aggregations and sorts are finished.
    fn end(&mut self, k: usize) -> Result<()> {
        self.stages[k].fired = Some(i64::MAX);
        self.fire_table(self.owner(k))
    }

    /// Every input of stage `k`'s table has ended: fire all windows, finish the rest.
    fn end_table(&mut self, k: usize) -> Result<()> {
        let mut out = Vec::new();
        if let Some(mut p) = self.stages[k].partial.take() {
            out = p.fire(i64::MAX, self.batch_rows)?;
            match p.finish(self.batch_rows)? {
                crate::agg::Finished::Batches(b) => out.extend(b),
                crate::agg::Finished::Stored { .. } => return Err(Error::Config("streaming aggregations do not spill".into())),
            }
        }
        self.forward(k, out, None)
    }

    /// After every reader finished: ends each source stage, in stage order (a right or full
    /// join's unmatched build rows first).
    fn finish(&mut self) -> Result<()> {
        let sources: Vec<usize> = self.readers.iter().map(|(s, _)| *s).collect();
        for s in sources {
            for end in self.spec.stages[s].unmatched {
                let mut out = StageOutput::new(self.spec.sinks.len());
                end(&mut out, &self.ctx.at(s, 0))?;
                self.write(out.into_parts())?;
            }
            self.end(s)?;
        }
        Ok(())
    }

    fn write(&mut self, per_sink: Vec<Vec<RecordBatch>>) -> Result<()> {
        for (k, batches) in per_sink.iter().enumerate() {
            for b in batches {
                self.summary.rows_out[k] += b.num_rows() as u64;
                self.sinks[k].write(b)?;
            }
        }
        Ok(())
    }
}

fn merge_into(slot: &mut Option<Box<dyn AggPartial>>, p: Box<dyn AggPartial>) -> Result<()> {
    match slot {
        Some(m) => m.merge(p),
        None => {
            *slot = Some(p);
            Ok(())
        }
    }
}
