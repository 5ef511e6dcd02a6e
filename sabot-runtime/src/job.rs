//! `Job`: running a compiled pipeline in-process, for tests, notebooks and the CLI.

use crate::error::{Error, Result};
use crate::exec::{RunOptions, RunSummary, StreamOptions, run_bounded, run_streaming};
use crate::record::Record;
use crate::sink::{self, Sink};
use crate::source::Source;
use crate::stage::{Pipeline, PipelineSpec};
use arrow::array::RecordBatch;

/// A pipeline with its inputs and outputs bound, ready to run.
pub struct Job {
    spec: &'static PipelineSpec,
    sources: Vec<Option<Box<dyn Source>>>,
    sinks: Vec<Option<Box<dyn Sink>>>,
    options: RunOptions,
    stream: Option<StreamOptions>,
    late: Option<Box<dyn Sink>>,
    problems: Vec<String>,
}

impl Job {
    /// A job for a compiled pipeline (the name of a `#[sabot::pipeline]` fn).
    pub fn new(pipeline: impl Pipeline) -> Self {
        Self::from_spec(pipeline.spec())
    }

    /// A job for a pipeline's static description.
    pub fn from_spec(spec: &'static PipelineSpec) -> Self {
        Job {
            spec,
            sources: spec.sources.iter().map(|_| None).collect(),
            sinks: spec.sinks.iter().map(|_| None).collect(),
            options: RunOptions::default(),
            stream: None,
            late: None,
            problems: Vec::new(),
        }
    }

    /// Binds the source parameter `name`.
    pub fn source(self, name: &str, source: impl Source + 'static) -> Self {
        self.source_boxed(name, Box::new(source))
    }

    /// Binds the source parameter `name` to a boxed source.
    pub fn source_boxed(mut self, name: &str, source: Box<dyn Source>) -> Self {
        match self.spec.sources.iter().position(|s| s.name == name) {
            Some(i) => self.sources[i] = Some(source),
            None => self.problems.push(format!("pipeline `{}` has no source `{name}` (sources: {})", self.spec.name, self.source_names())),
        }
        self
    }

    /// Binds the output `name` (`out` for a single result; `out0`, `out1`... for a tuple).
    pub fn sink(self, name: &str, sink: impl Sink + 'static) -> Self {
        self.sink_boxed(name, Box::new(sink))
    }

    /// Binds the output `name` to a boxed sink.
    pub fn sink_boxed(mut self, name: &str, sink: Box<dyn Sink>) -> Self {
        match self.spec.sinks.iter().position(|s| s.name == name) {
            Some(i) => self.sinks[i] = Some(sink),
            None => {
                let names: Vec<_> = self.spec.sinks.iter().map(|s| s.name).collect();
                self.problems.push(format!("pipeline `{}` has no output `{name}` (outputs: {})", self.spec.name, names.join(", ")));
            }
        }
        self
    }

    /// Worker threads (default: all cores).
    pub fn parallelism(mut self, n: usize) -> Self {
        self.options.parallelism = n.max(1);
        self
    }

    /// Rows per morsel (default 65536; at most 2^24, as stages index rows with `u32`).
    pub fn batch_rows(mut self, n: usize) -> Self {
        self.options.batch_rows = n.clamp(1, 1 << 24);
        self
    }

    /// Keeps state and spilled tables in `backend` (default: memory).
    pub fn state(mut self, backend: std::sync::Arc<dyn sabot_state::StateBackend>) -> Self {
        self.options.state = backend;
        self
    }

    /// Lets hash tables hold at most `bytes` before they spill to the state backend.
    pub fn memory_limit(mut self, bytes: usize) -> Self {
        self.options.memory_limit = Some(bytes);
        self
    }

    /// Runs as a stream: readers on `parallelism` threads, watermarks from the sources'
    /// event-time fields, windows fired as they pass, bounded queues (see `StreamOptions`).
    /// Bounded input ends with a final watermark, so results equal the batch run's.
    pub fn streaming(mut self, options: StreamOptions) -> Self {
        self.stream = Some(options);
        self
    }

    /// Streaming: where late rows go (records of a windowed aggregation's input that arrived
    /// after every window holding them had fired). Without one they are counted and a warning
    /// is logged.
    pub fn late_sink(mut self, sink: impl Sink + 'static) -> Self {
        self.late = Some(Box::new(sink));
        self
    }

    /// `late_sink` with a boxed sink.
    pub fn late_sink_boxed(mut self, sink: Box<dyn Sink>) -> Self {
        self.late = Some(sink);
        self
    }

    /// Shows a progress bar when stderr is a terminal.
    pub fn progress(mut self, on: bool) -> Self {
        self.options.progress = on;
        self
    }

    /// Runs to completion; outputs without a sink go to standard output.
    pub fn run(mut self) -> Result<RunSummary> {
        if !self.problems.is_empty() {
            return Err(Error::Config(self.problems.join("; ")));
        }
        let missing: Vec<_> = self.spec.sources.iter().zip(&self.sources).filter(|(_, s)| s.is_none()).map(|(s, _)| s.name).collect();
        if !missing.is_empty() {
            return Err(Error::Config(format!("pipeline `{}`: no input given for source(s) {}", self.spec.name, missing.join(", "))));
        }
        let sources: Vec<&dyn Source> = self.sources.iter().flatten().map(|s| s.as_ref()).collect();
        let mut sinks: Vec<Box<dyn Sink>> = self.sinks.into_iter().map(|s| s.unwrap_or_else(|| Box::new(sink::stdout()))).collect();
        match &self.stream {
            Some(stream) => run_streaming(self.spec, &sources, &mut sinks, self.late.as_mut(), &self.options, stream),
            None => {
                let spec = self.spec.choose(&sources);
                let mut summary = run_bounded(spec, &sources, &mut sinks, &self.options)?;
                summary.swapped_join = !std::ptr::eq(spec, self.spec);
                Ok(summary)
            }
        }
    }

    /// Runs and returns the only output's batches.
    pub fn collect_batches(self) -> Result<Vec<RecordBatch>> {
        let name = self.only_output()?;
        let (sink, handle) = sink::collect();
        self.sink(name, sink).run()?;
        let batches = std::mem::take(&mut *handle.lock().unwrap_or_else(|p| p.into_inner()));
        Ok(batches)
    }

    /// Runs and returns the only output's rows.
    pub fn collect<T: Record>(self) -> Result<Vec<T>> {
        let name = self.only_output()?;
        let record = self.spec.sinks[0].record;
        if record != T::NAME && !record.ends_with(&format!("::{}", T::NAME)) {
            return Err(Error::Config(format!("output `{name}` holds `{record}` rows, not `{}`", T::NAME)));
        }
        let mut rows = Vec::new();
        for b in self.collect_batches()? {
            rows.extend(T::from_batch(&b)?);
        }
        Ok(rows)
    }

    fn only_output(&self) -> Result<&'static str> {
        match self.spec.sinks {
            [only] => Ok(only.name),
            sinks => {
                Err(Error::Config(format!("pipeline `{}` has {} outputs; bind each with `.sink(name, ...)`", self.spec.name, sinks.len())))
            }
        }
    }

    fn source_names(&self) -> String {
        self.spec.sources.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
    }
}
