//! The interface between generated code and the runtime: a pipeline's static description and
//! its fused stage functions, which map one input morsel to output batches for its sinks.

use crate::conform::Origin;
use crate::error::Result;
use crate::record::{FieldInfo, FieldMask};
use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;

/// A slice of input (about 64K rows) and where it came from.
#[derive(Debug, Clone)]
pub struct Morsel {
    /// The rows, with at least the columns the pipeline reads.
    pub batch: RecordBatch,
    /// Source, file and first row, for error messages.
    pub origin: Origin,
}

/// Where a stage puts its output: batches per sink index.
#[derive(Debug, Default)]
pub struct StageOutput {
    per_sink: Vec<Vec<RecordBatch>>,
}

impl StageOutput {
    /// An output with room for `sinks` sinks.
    pub fn new(sinks: usize) -> Self {
        StageOutput { per_sink: vec![Vec::new(); sinks] }
    }
    /// Adds a batch for sink `sink`; empty batches are dropped.
    pub fn emit(&mut self, sink: usize, batch: RecordBatch) {
        if batch.num_rows() > 0 {
            self.per_sink[sink].push(batch);
        }
    }
    /// Takes the batches, per sink.
    pub fn into_parts(self) -> Vec<Vec<RecordBatch>> {
        self.per_sink
    }
}

/// A fused stage: reads a morsel of its input (and the build tables in the context), writes
/// rows for one or more sinks.
pub type StageFn = fn(&Morsel, &mut StageOutput, &crate::agg::StageCtx) -> Result<()>;

/// Runs once after a fused stage has read all its input (a right or full join's unmatched
/// build rows).
pub type StageEndFn = fn(&mut StageOutput, &crate::agg::StageCtx) -> Result<()>;

/// A named input of a pipeline (a parameter of the pipeline fn).
#[derive(Debug)]
pub struct SourceSpec {
    /// Parameter name, used by `--source NAME=...`.
    pub name: &'static str,
    /// Record type name.
    pub record: &'static str,
    /// The record's fields.
    pub fields: fn() -> &'static [FieldInfo],
    /// The record's Arrow schema.
    pub schema: fn() -> SchemaRef,
    /// The fields the pipeline reads: only these columns are decoded.
    pub mask: FieldMask,
    /// Whether a Parquet row group may hold rows the filter after the source keeps.
    pub prune: Option<crate::source::PruneFn>,
}

impl SourceSpec {
    /// Names of the columns the pipeline reads, in field order.
    pub fn columns(&self) -> Vec<&'static str> {
        (self.fields)().iter().enumerate().filter(|(k, _)| *k < 128 && self.mask & (1 << k) != 0).map(|(_, f)| f.name).collect()
    }
}

/// A named output of a pipeline (an element of the returned stream tuple).
#[derive(Debug)]
pub struct SinkSpec {
    /// Sink name, used by `--sink NAME=...` (`out`, or `out0`, `out1`... for tuples).
    pub name: &'static str,
    /// Record type name.
    pub record: &'static str,
    /// The record's Arrow schema.
    pub schema: fn() -> SchemaRef,
}

/// What a stage reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageInput {
    /// The pipeline's source with this index.
    Source(usize),
    /// The output of the earlier stage with this index (an aggregation's groups).
    Stage(usize),
}

/// How a stage runs.
#[derive(Debug, Clone, Copy)]
pub enum StageRun {
    /// Stateless operators fused into one function per morsel, writing to sinks.
    Fused(StageFn),
    /// Operators ending in an aggregation or sort: one partial result per split, merged, then
    /// finished into rows that a later stage reads.
    Aggregate(crate::agg::AggFn),
    /// Operators ending in a join's build side: one table per split, merged, then shared with
    /// the stages that probe it.
    Build(crate::agg::BuildFn),
}

/// One stage of a pipeline.
#[derive(Debug)]
pub struct StageSpec {
    /// What it reads.
    pub input: StageInput,
    /// Indices of the sinks it writes.
    pub sinks: &'static [usize],
    /// Whether the output must keep input order (no reordering of morsels).
    pub ordered: bool,
    /// For each right or full join it probes: emits the build rows no probe row matched, once
    /// the stage has read all its input (per partition of a spilled build side).
    pub unmatched: &'static [StageEndFn],
    /// The join build stages it probes, each with whether every row it outputs passes through
    /// that join (then it can run once per partition of a spilled build side).
    pub probes: &'static [(usize, bool)],
    /// For a windowed aggregation: the schema of its input rows, which late rows keep.
    pub late: Option<fn() -> SchemaRef>,
    /// For one input of a windowed or interval join: the stage whose table its partial results
    /// merge into (the join's other input, whose stage the rows downstream read).
    pub merge_into: Option<usize>,
    /// The generated code.
    pub run: StageRun,
}

/// What `explain` prints, produced by the compiler at build time.
#[derive(Debug)]
pub struct Explain {
    /// The pipeline fn as written.
    pub source: &'static str,
    /// The plan after parsing and after each pass: (pass name, plan text).
    pub passes: &'static [(&'static str, &'static str)],
    /// The fused stages.
    pub stages: &'static str,
    /// The generated Rust, formatted.
    pub code: &'static str,
}

/// Everything the runtime needs to run a compiled pipeline.
#[derive(Debug)]
pub struct PipelineSpec {
    /// The pipeline fn's name.
    pub name: &'static str,
    /// Its sources, in parameter order.
    pub sources: &'static [SourceSpec],
    /// Its sinks, in result order.
    pub sinks: &'static [SinkSpec],
    /// Its fused stages.
    pub stages: &'static [StageSpec],
    /// Build-time explanation.
    pub explain: &'static Explain,
    /// The same pipeline with one inner join's sides swapped, for when statistics say its
    /// written build side is the larger (see [`Alternative`]).
    pub alternative: Option<&'static Alternative>,
}

/// A variant of a pipeline whose inner join builds its table from the side written first:
/// the planner compiles it when both sides read one source each through stateless operators,
/// and bounded runs use it when `build_source` has more rows than `probe_source` (as far as
/// the sources can tell before reading: Parquet footers, in-memory batches).
#[derive(Debug)]
pub struct Alternative {
    /// Index of the source feeding the join's written probe side.
    pub probe_source: usize,
    /// Index of the source feeding its written build side.
    pub build_source: usize,
    /// The variant, compiled like the pipeline itself.
    pub spec: &'static PipelineSpec,
}

impl PipelineSpec {
    /// The spec to run over `sources` (indexed like `self.sources`): this one, or its
    /// alternative when the join's written build source is known to have more rows than its
    /// probe source.
    pub fn choose(&'static self, sources: &[&dyn crate::source::Source]) -> &'static PipelineSpec {
        let Some(alt) = self.alternative else { return self };
        let rows = |i: usize| sources.get(i).and_then(|s| s.estimated_rows());
        match (rows(alt.probe_source), rows(alt.build_source)) {
            (Some(probe), Some(build)) if build > probe => {
                tracing::info!(
                    probe = self.sources[alt.probe_source].name,
                    probe_rows = probe,
                    build = self.sources[alt.build_source].name,
                    build_rows = build,
                    "the join builds its table from its written probe side, the smaller input"
                );
                alt.spec
            }
            _ => self,
        }
    }
}

/// A compiled pipeline: `#[sabot::pipeline]` turns the fn into a unit struct implementing this.
pub trait Pipeline: Send + Sync + 'static {
    /// The pipeline's static description.
    fn spec(&self) -> &'static PipelineSpec;
}

/// The type of a pipeline fn's stream parameters and results. It has no methods of its own:
/// `#[sabot::pipeline]` compiles the operator chain written on it.
pub struct Stream<T>(std::marker::PhantomData<fn() -> T>);
