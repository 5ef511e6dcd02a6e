//! What generated stage code can reach besides its input: the build tables of earlier stages,
//! which stage and split it runs, and the job's spill context.

use super::spill::SpillCtx;
use crate::error::{Error, Result};
use std::any::Any;
use std::sync::Arc;

/// What a stage may read besides its input: the build tables of earlier stages.
#[derive(Default, Clone)]
pub struct StageCtx {
    built: Vec<Option<Arc<dyn Any + Send + Sync>>>,
    stage: usize,
    split: usize,
    spill: Option<Arc<SpillCtx>>,
    /// Where `process` functions keep keyed state (`--state`).
    state: Option<Arc<dyn sabot_state::StateBackend>>,
    /// The event time up to which windows have fired (`None`: none yet, nothing is late).
    watermark: Option<i64>,
    /// Records that arrived after every window holding them had fired.
    late: Arc<std::sync::atomic::AtomicU64>,
    /// Those records, for the job's late-row output.
    late_rows: Arc<std::sync::Mutex<Vec<arrow::array::RecordBatch>>>,
}

impl StageCtx {
    /// A context whose tables spill through `spill` (`None`: no memory budget).
    pub fn with_spill(spill: Option<Arc<SpillCtx>>) -> Self {
        StageCtx { spill, ..Default::default() }
    }

    /// The same context with keyed state of `process` functions kept in `backend`.
    pub fn with_state(self, backend: Arc<dyn sabot_state::StateBackend>) -> Self {
        StageCtx { state: Some(backend), ..self }
    }

    /// The job's state backend (a fresh in-memory one when none was set).
    pub fn state(&self) -> Arc<dyn sabot_state::StateBackend> {
        self.state.clone().unwrap_or_else(|| Arc::new(sabot_state::MemoryBackend::default()))
    }

    /// The same context for stage `stage`'s split `split`.
    pub fn at(&self, stage: usize, split: usize) -> Self {
        StageCtx { stage, split, ..self.clone() }
    }

    /// The stage running.
    pub fn stage(&self) -> usize {
        self.stage
    }

    /// The split running (its index in input order).
    pub fn split(&self) -> usize {
        self.split
    }

    /// The same context with windows up to `watermark` already fired.
    pub fn with_watermark(&self, watermark: Option<i64>) -> Self {
        StageCtx { watermark, ..self.clone() }
    }

    /// The watermark the rows of this morsel are judged late against, if any.
    pub fn watermark(&self) -> Option<i64> {
        self.watermark
    }

    /// Whether `window` has already fired: its rows are late.
    #[inline(always)]
    pub fn closed(&self, window: crate::window::Window) -> bool {
        self.watermark.is_some_and(|wm| window.end.0 <= wm)
    }

    /// Whether `window` no longer takes rows: it fired and `lateness` has passed since its end.
    #[inline(always)]
    pub fn expired(&self, window: crate::window::Window, lateness: i64) -> bool {
        self.watermark.is_some_and(|wm| window.end.0.saturating_add(lateness) <= wm)
    }

    /// Counts a record that arrived after every window holding it had fired.
    #[cold]
    pub fn late(&self) {
        self.late.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Hands over the late records a stage collected in `rows` (generated code calls this after
    /// each morsel).
    pub fn keep_late<R: crate::record::Record>(&self, rows: &mut R::Builder) {
        use crate::record::RecordBuilder;
        if !rows.is_empty() {
            let batch = rows.finish();
            self.late_rows.lock().unwrap_or_else(|p| p.into_inner()).push(batch);
        }
    }

    /// Takes the late records kept so far (shared by every context cloned from this one).
    pub fn take_late(&self) -> Vec<arrow::array::RecordBatch> {
        std::mem::take(&mut *self.late_rows.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Late records counted so far (shared by every context cloned from this one).
    pub fn late_records(&self) -> u64 {
        self.late.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Where tables spill, when the job has a memory budget.
    pub fn spill(&self) -> Option<&Arc<SpillCtx>> {
        self.spill.as_ref()
    }

    /// Records stage `stage`'s build table.
    pub fn set(&mut self, stage: usize, table: Arc<dyn Any + Send + Sync>) {
        if self.built.len() <= stage {
            self.built.resize(stage + 1, None);
        }
        self.built[stage] = Some(table);
    }

    /// The build side of stage `stage` when it spilled to the state backend.
    pub fn spilled(&self, stage: usize) -> Option<&super::SpilledBuild> {
        self.built.get(stage)?.as_ref()?.downcast_ref::<super::SpilledBuild>()
    }

    /// The build table of stage `stage`, as the type the probe code expects; `None` when the
    /// build input had no splits at all (an empty build side).
    pub fn built<T: Any>(&self, stage: usize) -> Result<Option<&T>> {
        let Some(table) = self.built.get(stage).and_then(|t| t.as_ref()) else {
            return Err(Error::Config(format!("the build side of stage {stage} has not run")));
        };
        if table.is::<EmptyBuild>() {
            return Ok(None);
        }
        table.downcast_ref::<T>().map(Some).ok_or_else(|| Error::Config(format!("the build side of stage {stage} has another type")))
    }
}

/// The build table of a build input without any split (an empty input).
pub struct EmptyBuild;

impl StageCtx {
    /// A placeholder for an empty build side.
    pub fn empty_build() -> Arc<dyn Any + Send + Sync> {
        Arc::new(EmptyBuild)
    }
}
