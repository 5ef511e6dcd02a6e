//! The state of an as-of join (`probe.asof_join(build, |p| key, |b| key, |p, b| Out { .. })`):
//! each probe row pairs with the build row of its key whose event time is the latest at or
//! before its own (the last one read among equal times), as DuckDB's `ASOF JOIN` and Polars'
//! `join_asof` (backward). Probe rows without one produce nothing.
//!
//! In a stream, the table fires at the smaller of both inputs' watermarks `W`:
//! - probe rows before `W` are emitted: every build row at or before them has arrived, since a
//!   build row earlier than its own input's watermark is late;
//! - of each key's build rows before `W` only the latest is kept: probe rows still to come on
//!   time are at `W` or later, and need nothing older;
//! - a row of either input earlier than its own input's watermark is late (counted, dropped),
//!   so in-order input is never late, even with equal event times.

use super::GroupKey;
use super::interval_join::IntervalPairFn;
use super::table::{AggPartial, Finished, GroupTable};
use crate::error::{Error, Result};
use crate::record::Record;
use arrow::array::RecordBatch;
use std::any::Any;
use std::hash::Hash;

/// One key's waiting probe rows and kept build rows, with their event times.
type Sides<P, B> = (Vec<(i64, P)>, Vec<(i64, B)>);

/// Rows of both sides of an as-of join, by key.
pub struct AsofJoin<K, P: Record, B: Record, O> {
    table: GroupTable<K, Sides<P, B>>,
    pair: IntervalPairFn<P, B, O>,
    /// No row is before this time, so a watermark at or below it fires nothing and prunes
    /// nothing: no scan.
    next: i64,
}

impl<K, P, B, O> AsofJoin<K, P, B, O>
where
    K: Hash + Eq + Clone + Send + 'static,
    P: Record + Send + 'static,
    B: Record + Send + 'static,
    O: Record + 'static,
{
    /// An empty table whose pairs become rows through `pair`.
    pub fn new(pair: IntervalPairFn<P, B, O>) -> Self {
        AsofJoin { table: GroupTable::new(), pair, next: i64::MAX }
    }

    /// Whether a probe row at `t` is late for a reader at `watermark`: the build rows it
    /// needs may have been pruned.
    #[inline]
    pub fn probe_late(&self, t: i64, watermark: Option<i64>) -> bool {
        watermark.is_some_and(|wm| t < wm)
    }

    /// Whether a build row at `t` is late: probe rows it is the match of may have left.
    #[inline]
    pub fn build_late(&self, t: i64, watermark: Option<i64>) -> bool {
        watermark.is_some_and(|wm| t < wm)
    }

    /// Adds a probe row at event time `t`; a key with a null part matches nothing.
    #[inline]
    pub fn probe_row<Q: GroupKey<Owned = K>>(&mut self, key: Q, t: i64, row: impl FnOnce() -> P) {
        if !key.has_null() {
            self.next = self.next.min(t);
            self.table.entry(key, Default::default).0.push((t, row()));
        }
    }

    /// Adds a build row at event time `t`.
    #[inline]
    pub fn build_row<Q: GroupKey<Owned = K>>(&mut self, key: Q, t: i64, row: impl FnOnce() -> B) {
        if !key.has_null() {
            self.next = self.next.min(t);
            self.table.entry(key, Default::default).1.push((t, row()));
        }
    }

    /// Erases the types behind `AggPartial`, which the executor merges and fires.
    pub fn boxed(self) -> Box<dyn AggPartial> {
        Box::new(self)
    }

    /// Emits the probe rows before `watermark` (all of them for `i64::MAX`) with their match,
    /// and keeps, of each key's build rows before it, only the latest.
    fn emit(&mut self, watermark: i64, rows_per_batch: usize) -> Vec<RecordBatch> {
        let all = watermark == i64::MAX;
        if !all && watermark <= self.next {
            return Vec::new();
        }
        let pair = self.pair;
        let mut rows: Vec<(i64, O)> = Vec::new();
        let mut next = i64::MAX;
        self.table.retain(|_, (probe, build)| {
            // Stable: build rows of equal time stay in the order they were read.
            build.sort_by_key(|(t, _)| *t);
            probe.retain(|(t, p)| {
                if !all && *t >= watermark {
                    next = next.min(*t);
                    return true;
                }
                let at = build.partition_point(|(tb, _)| tb <= t);
                if let Some((_, b)) = at.checked_sub(1).map(|i| &build[i]) {
                    rows.push((*t, pair(p.as_row(), b.as_row())));
                }
                false
            });
            let before = build.partition_point(|(tb, _)| *tb < watermark);
            build.drain(..before.saturating_sub(1));
            if let Some((t, _)) = build.iter().find(|(t, _)| *t >= watermark) {
                next = next.min(*t);
            }
            !all && (!probe.is_empty() || !build.is_empty())
        });
        self.next = next;
        super::interval_join::in_time_order(rows, rows_per_batch)
    }
}

impl<K, P, B, O> AggPartial for AsofJoin<K, P, B, O>
where
    K: Hash + Eq + Clone + Send + 'static,
    P: Record + Send + 'static,
    B: Record + Send + 'static,
    O: Record + 'static,
{
    fn merge(&mut self, other: Box<dyn AggPartial>) -> Result<()> {
        let mut other = other.into_any().downcast::<Self>().map_err(|_| Error::Config("merging tables of different as-of joins".into()))?;
        self.next = self.next.min(other.next);
        super::window_join::merge_sides(&mut self.table, std::mem::take(&mut other.table));
        Ok(())
    }

    fn finish(mut self: Box<Self>, rows_per_batch: usize) -> Result<Finished> {
        Ok(Finished::Batches(self.emit(i64::MAX, rows_per_batch)))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }

    fn fire(&mut self, watermark: i64, rows_per_batch: usize) -> Result<Vec<RecordBatch>> {
        Ok(self.emit(watermark, rows_per_batch))
    }
}
