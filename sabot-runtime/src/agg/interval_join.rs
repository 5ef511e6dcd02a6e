//! The state of an interval join (`probe.interval_join(build, .., Interval::.., ..)`): each key's
//! rows of both inputs with their event times. A probe row at `t` pairs with the build rows of
//! its key whose event time is in `[t + lower, t + upper]`. In a streaming run a probe row is
//! emitted once no build row it could pair with can still arrive on time, and build rows are
//! dropped once no probe row can still pair with them.

use super::GroupKey;
use super::table::{AggPartial, Finished, GroupTable};
use crate::error::{Error, Result};
use crate::record::Record;
use arrow::array::RecordBatch;
use std::any::Any;
use std::hash::Hash;
use std::time::Duration;

/// Where build rows may lie in event time relative to a probe row: `[t + lower, t + upper]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    lower: i64,
    upper: i64,
}

impl Interval {
    /// Build rows from `before` earlier to `after` later than the probe row, both inclusive.
    pub const fn around(before: Duration, after: Duration) -> Self {
        Interval { lower: -crate::window::nanos(before), upper: crate::window::nanos(after) }
    }

    /// Build rows from `from` to `to` after the probe row, both inclusive.
    pub const fn after(from: Duration, to: Duration) -> Self {
        Interval { lower: crate::window::nanos(from), upper: crate::window::nanos(to) }
    }

    /// Build rows from `from` to `to` before the probe row (`from` the farther), inclusive.
    pub const fn before(from: Duration, to: Duration) -> Self {
        Interval { lower: -crate::window::nanos(from), upper: -crate::window::nanos(to) }
    }

    /// Checks that the interval is not empty.
    pub fn check(self) -> Result<Self> {
        if self.lower > self.upper {
            return Err(Error::Config(format!(
                "an interval join's interval is empty: build rows from {} ms to {} ms around the probe row",
                self.lower as f64 / 1e6,
                self.upper as f64 / 1e6
            )));
        }
        Ok(self)
    }

    /// Whether event time `b` is in the interval of a probe row at `p` (nanoseconds).
    #[inline]
    fn holds(&self, p: i64, b: i64) -> bool {
        b >= p.saturating_add(self.lower) && b <= p.saturating_add(self.upper)
    }

    /// How far behind a build row at `t` the watermark may be before the row is late:
    /// `t + build_slack <= watermark`. A build row pairs with probe rows up to `t - lower`, and
    /// probe rows are kept until their due time, so only rows behind `t` (or `t - lower` for a
    /// negative `lower`) are late.
    fn build_slack(&self) -> i64 {
        1 - self.lower.min(0)
    }

    /// A probe row at `t` is complete at `t + due`: a build row that arrives on time after the
    /// watermark passed that is later than `t + upper`. A probe row arriving when the watermark
    /// has passed its due time is late.
    fn due(&self) -> i64 {
        self.upper.saturating_add(self.build_slack())
    }

    /// A build row at `t` is dropped once the watermark passes `t + keep`: every probe row still
    /// waiting, or arriving on time, is later than `t - lower`.
    fn keep(&self) -> i64 {
        self.due().saturating_sub(self.lower)
    }
}

/// Builds an output row from a pair (the user's `|p, b|` closure).
pub type IntervalPairFn<P, B, O> = for<'a, 'b> fn(<P as Record>::Ref<'a>, <B as Record>::Ref<'b>) -> O;

/// One key's rows of each side, with their event times.
type Sides<P, B> = (Vec<(i64, P)>, Vec<(i64, B)>);

/// Rows of both sides of an interval join, by key.
pub struct IntervalJoin<K, P: Record, B: Record, O> {
    table: GroupTable<K, Sides<P, B>>,
    interval: Interval,
    pair: IntervalPairFn<P, B, O>,
    /// No probe row is due and no build row can be dropped before this watermark, so a lower
    /// one needs no scan.
    next: i64,
}

impl<K, P, B, O> IntervalJoin<K, P, B, O>
where
    K: Hash + Eq + Clone + Send + 'static,
    P: Record + Send + 'static,
    B: Record + Send + 'static,
    O: Record + 'static,
{
    /// An empty table for `interval` whose pairs become rows through `pair`.
    pub fn new(interval: Interval, pair: IntervalPairFn<P, B, O>) -> Self {
        IntervalJoin { table: GroupTable::new(), interval, pair, next: i64::MAX }
    }

    /// Whether a probe row at `t` is late for a reader whose watermark is `watermark`: its due
    /// time has passed, so build rows it pairs with may have been dropped.
    #[inline]
    pub fn probe_late(&self, t: i64, watermark: Option<i64>) -> bool {
        watermark.is_some_and(|wm| t.saturating_add(self.interval.due()) <= wm)
    }

    /// Whether a build row at `t` is late: probe rows it pairs with may have been emitted.
    #[inline]
    pub fn build_late(&self, t: i64, watermark: Option<i64>) -> bool {
        watermark.is_some_and(|wm| t.saturating_add(self.interval.build_slack()) <= wm)
    }

    /// Adds a probe row at event time `t`; a key with a null part matches nothing.
    #[inline]
    pub fn probe_row<Q: GroupKey<Owned = K>>(&mut self, key: Q, t: i64, row: impl FnOnce() -> P) {
        if !key.has_null() {
            self.next = self.next.min(t.saturating_add(self.interval.due()));
            self.table.entry(key, Default::default).0.push((t, row()));
        }
    }

    /// Adds a build row at event time `t`.
    #[inline]
    pub fn build_row<Q: GroupKey<Owned = K>>(&mut self, key: Q, t: i64, row: impl FnOnce() -> B) {
        if !key.has_null() {
            self.next = self.next.min(t.saturating_add(self.interval.keep()));
            self.table.entry(key, Default::default).1.push((t, row()));
        }
    }

    /// Erases the types behind `AggPartial`, which the executor merges and fires.
    pub fn boxed(self) -> Box<dyn AggPartial> {
        Box::new(self)
    }

    /// Emits the probe rows due at `watermark` (all of them for `i64::MAX`) with their pairs,
    /// and drops the build rows no probe row can still pair with; groups stay in place.
    fn emit(&mut self, watermark: i64, rows_per_batch: usize) -> Vec<RecordBatch> {
        if watermark < self.next {
            return Vec::new();
        }
        let (iv, pair, all) = (self.interval, self.pair, watermark == i64::MAX);
        let mut rows: Vec<(i64, O)> = Vec::new();
        let mut next = i64::MAX;
        self.table.retain(|_, (probe, build)| {
            probe.retain(|(t, p)| {
                let due = t.saturating_add(iv.due());
                if !all && due > watermark {
                    next = next.min(due);
                    return true;
                }
                rows.extend(build.iter().filter(|(tb, _)| iv.holds(*t, *tb)).map(|(_, b)| (*t, pair(p.as_row(), b.as_row()))));
                false
            });
            build.retain(|(t, _)| {
                let keep = t.saturating_add(iv.keep());
                if all || keep <= watermark {
                    return false;
                }
                next = next.min(keep);
                true
            });
            !all && (!probe.is_empty() || !build.is_empty())
        });
        self.next = next;
        in_time_order(rows, rows_per_batch)
    }
}

/// Output rows of a time-based join, each with its probe row's event time, in batches:
/// earlier probe rows first, so results leave in event-time order.
pub(super) fn in_time_order<O: Record>(mut rows: Vec<(i64, O)>, rows_per_batch: usize) -> Vec<RecordBatch> {
    rows.sort_by_key(|(t, _)| *t);
    let rows: Vec<O> = rows.into_iter().map(|(_, row)| row).collect();
    O::to_batches(&rows, rows_per_batch)
}

impl<K, P, B, O> AggPartial for IntervalJoin<K, P, B, O>
where
    K: Hash + Eq + Clone + Send + 'static,
    P: Record + Send + 'static,
    B: Record + Send + 'static,
    O: Record + 'static,
{
    fn merge(&mut self, other: Box<dyn AggPartial>) -> Result<()> {
        let mut other =
            other.into_any().downcast::<Self>().map_err(|_| Error::Config("merging tables of different interval joins".into()))?;
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
