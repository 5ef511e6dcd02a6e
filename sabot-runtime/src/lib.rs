//! Sabot's runtime: what compiled pipelines link against. Records and their Arrow mapping,
//! fused-stage execution over morsels, sources, sinks, the in-process `Job` and the job CLI.

pub mod agg;
pub mod cli;
pub mod conform;
pub mod error;
pub mod exec;
pub mod job;
pub mod process;
pub mod record;
pub mod sink;
pub mod source;
pub mod stage;
pub mod trigger;
pub mod value;
pub mod window;

pub use error::{Error, Result};

pub use agg::acc::{Accumulator, AddValue};
pub use agg::{Interval, TotalOrd, nulls_last};
pub use job::Job;
/// The allocator job binaries should use: `#[global_allocator] static A: sabot::Allocator = sabot::Allocator;`.
/// Stages allocate output columns per morsel; glibc's malloc hands those pages back to the
/// kernel and faults them in again, which on some jobs costs more than the stage itself.
pub use mimalloc::MiMalloc as Allocator;
pub use process::{KeyedProcess, ProcessCtx, ProcessResult, TimeDomain, Timer};
pub use record::{FieldInfo, FieldMask, Record, RecordBuilder};
pub use stage::{Alternative, Pipeline, PipelineSpec, Stream};
pub use trigger::{CountTrigger, EventTimeTrigger, ProcessingTimeTrigger, Trigger, TriggerAction};
pub use value::{Date, Decimal, FieldOpts, TimeUnit, Timestamp, Value};
pub use window::{Global, Session, Sliding, Tumbling, Window, WindowAssigner};

/// Items generated code names through `::sabot::__private`; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::agg::acc::{Accumulator, AddValue, avg, count, count_distinct, custom, first, last, max, min, sum};
    pub use crate::agg::{
        AggPartial, AsofJoin, Budget, BuildPartial, GroupKey, GroupTable, Interval, IntervalJoin, JoinTable, KeepInMemory, KeyMemo, KeySet,
        Partial, Sorted, SpillByCodec, StageCtx, Triggered, WindowJoin, key_filter, probe, probe_keys, window_join_apply,
    };
    pub use crate::conform::{Origin, conform};
    pub use crate::error::Result;
    pub use crate::process::{KeyedProcess, ProcessBuffer, Processing};
    pub use crate::record::{ALL_FIELDS, FieldInfo, FieldMask, Record, RecordBuilder, batch_of, mask_of, selected};
    pub use crate::source::{KeepRowGroup, MorselIter, PruneByStats, RowGroupStats, StatBound};
    pub use crate::stage::{
        Alternative, Explain, Morsel, Pipeline, PipelineSpec, SinkSpec, SourceSpec, StageEndFn, StageInput, StageOutput, StageRun,
        StageSpec,
    };
    pub use crate::trigger::trigger;
    pub use crate::value::{FieldOpts, NonNull, TimeUnit, Timestamp, Value};
    pub use crate::window::{EventTime, Window, WindowAssigner, lateness, merging, unmerged};
    pub use arrow::array::{ArrayRef, RecordBatch};
    pub use arrow::datatypes::SchemaRef;
    pub use sabot_state::StateCodec;
    pub use std::cmp::Ord;
    pub use std::sync::OnceLock;

    /// Applies a filter closure to a row; the bound gives the closure its argument type.
    #[inline(always)]
    pub fn filter<A, F: FnOnce(A) -> bool>(row: A, f: F) -> bool {
        f(row)
    }

    /// Applies a map closure to a row.
    #[inline(always)]
    pub fn map<A, O, F: FnOnce(A) -> O>(row: A, f: F) -> O {
        f(row)
    }

    /// Applies a flat_map closure to a row.
    #[inline(always)]
    pub fn flat_map<A, I: IntoIterator, F: FnOnce(A) -> I>(row: A, f: F) -> I::IntoIter {
        f(row).into_iter()
    }

    thread_local! {
        static SELECTION: std::cell::Cell<Vec<u32>> = const { std::cell::Cell::new(Vec::new()) };
    }

    /// This thread's selection-vector buffer, reused across morsels to avoid a fresh
    /// allocation (and its page faults) per morsel; hand it back with `recycle`.
    pub fn scratch() -> Vec<u32> {
        SELECTION.with(|c| c.take())
    }

    /// Returns a buffer taken with `scratch`.
    pub fn recycle(v: Vec<u32>) {
        SELECTION.with(|c| c.set(v));
    }

    /// Indices `i < n` for which `keep(i)` holds, computed without a branch per row: the
    /// predicate fills a 64-bit mask per 64 rows (a loop the compiler can vectorise), then the
    /// set bits are extracted. This is the selection-vector pass of a stage.
    #[inline(always)]
    pub fn select(n: usize, sel: &mut Vec<u32>, mut keep: impl FnMut(usize) -> bool) {
        sel.clear();
        sel.reserve(n);
        let out = sel.spare_capacity_mut();
        let mut k = 0;
        let mut base = 0;
        while base < n {
            let width = (n - base).min(64);
            let mut bits = 0u64;
            for j in 0..width {
                bits |= (keep(base + j) as u64) << j;
            }
            while bits != 0 {
                // `k` counts set bits seen so far, at most `base + 64 <= n <= out.len()`.
                out[k].write((base + bits.trailing_zeros() as usize) as u32);
                k += 1;
                bits &= bits - 1;
            }
            base += width;
        }
        // SAFETY: slots `0..k` were each written above.
        unsafe { sel.set_len(k) };
    }

    /// Applies a `group_by` closure to a row.
    #[inline(always)]
    pub fn group_key<A, K: GroupKey, F: FnOnce(A) -> K>(row: A, f: F) -> K {
        f(row)
    }

    /// Applies a join's closure to a probe row and its match.
    #[inline(always)]
    pub fn join_apply<P, B, O, F: FnOnce(P, B) -> O>(probe: P, build: B, f: F) -> O {
        f(probe, build)
    }

    /// Compile-time check that a join's two key closures give the same key type.
    #[inline(always)]
    pub fn same_key<A: GroupKey, B: GroupKey<Owned = A::Owned>>(_: A, _: B) {}

    /// A left join's matches: each build row as `Some`, or one `None` when there is none.
    #[inline(always)]
    pub fn left_matches<B>(m: &[B]) -> impl Iterator<Item = Option<&B>> {
        m.iter().map(Some).chain(m.is_empty().then_some(None))
    }

    /// Borrows an owned record (a map's output) as a row view.
    #[inline(always)]
    pub fn as_row<R: Record>(r: &R) -> R::Ref<'_> {
        r.as_row()
    }

    /// Appends a record to a sink's builder.
    #[inline(always)]
    pub fn append<R: Record>(b: &mut R::Builder, r: &R) {
        b.append(r.as_row());
    }
}
