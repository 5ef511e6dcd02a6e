//! The state of a windowed join (`.window(w).join(..)`): the rows of both inputs under their
//! window and key. Each input's stage fills a table per split; the tables merge into one, and
//! when a window closes (or the input ends) every pair of a key's rows in it becomes one output
//! row through the generated pair function.

use super::GroupKey;
use super::table::{AggPartial, Finished, GroupTable};
use crate::error::{Error, Result};
use crate::record::{Record, RecordBuilder};
use crate::window::Window;
use arrow::array::RecordBatch;
use std::any::Any;
use std::hash::Hash;

/// Builds an output row from a window and a pair of rows (the user's `|w, p, b|` closure).
pub type PairFn<P, B, O> = for<'a, 'b> fn(Window, <P as Record>::Ref<'a>, <B as Record>::Ref<'b>) -> O;

/// One window and key's rows of each side.
type Group<K, P, B> = ((Window, K), (Vec<P>, Vec<B>));

/// Rows of both sides of a windowed join, by window and key.
pub struct WindowJoin<K, P: Record, B: Record, O> {
    table: GroupTable<(Window, K), (Vec<P>, Vec<B>)>,
    pair: PairFn<P, B, O>,
    /// No group's window ends before this (`i64::MIN`: not known).
    min_end: i64,
}

impl<K, P, B, O> WindowJoin<K, P, B, O>
where
    K: Hash + Eq + Clone + Send + 'static,
    P: Record + Send + 'static,
    B: Record + Send + 'static,
    O: Record + 'static,
{
    /// An empty table whose pairs become rows through `pair`.
    pub fn new(pair: PairFn<P, B, O>) -> Self {
        WindowJoin { table: GroupTable::new(), pair, min_end: i64::MIN }
    }

    /// Adds a row of the probe side (the stream `join` is called on). A key with a null part
    /// matches nothing, as in SQL, so such rows are not kept.
    #[inline]
    pub fn probe_row<Q: GroupKey<Owned = K>>(&mut self, key: (Window, Q), row: impl FnOnce() -> P) {
        if !key.1.has_null() {
            self.table.entry(key, Default::default).0.push(row());
        }
    }

    /// Adds a row of the build side (the stream passed to `join`).
    #[inline]
    pub fn build_row<Q: GroupKey<Owned = K>>(&mut self, key: (Window, Q), row: impl FnOnce() -> B) {
        if !key.1.has_null() {
            self.table.entry(key, Default::default).1.push(row());
        }
    }

    /// Erases the types behind `AggPartial`, which the executor merges and fires.
    pub fn boxed(self) -> Box<dyn AggPartial> {
        Box::new(self)
    }

    /// The pairs of `groups`, earliest window first, in batches of `rows_per_batch`.
    fn rows(&self, mut groups: Vec<Group<K, P, B>>, rows_per_batch: usize) -> Vec<RecordBatch> {
        groups.sort_by_key(|((w, _), _)| w.end);
        let mut out = Vec::new();
        let mut builder = O::builder(rows_per_batch.clamp(1, 1024));
        for ((w, _), (probe, build)) in groups {
            for p in &probe {
                for b in &build {
                    builder.append((self.pair)(w, p.as_row(), b.as_row()).as_row());
                    if builder.len() >= rows_per_batch {
                        out.push(builder.finish());
                    }
                }
            }
        }
        if !builder.is_empty() {
            out.push(builder.finish());
        }
        out
    }
}

impl<K, P, B, O> AggPartial for WindowJoin<K, P, B, O>
where
    K: Hash + Eq + Clone + Send + 'static,
    P: Record + Send + 'static,
    B: Record + Send + 'static,
    O: Record + 'static,
{
    fn merge(&mut self, other: Box<dyn AggPartial>) -> Result<()> {
        let mut other =
            other.into_any().downcast::<Self>().map_err(|_| Error::Config("merging tables of different windowed joins".into()))?;
        if self.min_end != i64::MIN {
            self.min_end = other.table.keys().map(|(w, _)| w.end.0).fold(self.min_end, i64::min);
        }
        merge_sides(&mut self.table, std::mem::take(&mut other.table));
        Ok(())
    }

    fn finish(mut self: Box<Self>, rows_per_batch: usize) -> Result<Finished> {
        let groups = self.table.take_groups().collect();
        Ok(Finished::Batches(self.rows(groups, rows_per_batch)))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }

    fn fire(&mut self, watermark: i64, rows_per_batch: usize) -> Result<Vec<RecordBatch>> {
        if watermark < self.min_end {
            return Ok(Vec::new());
        }
        let groups = self.table.take_where(|(w, _)| w.end.0 <= watermark);
        self.min_end = self.table.keys().map(|(w, _)| w.end.0).min().unwrap_or(i64::MAX);
        Ok(self.rows(groups, rows_per_batch))
    }
}

/// Merges another split's table of a two-sided join: each group's rows of both sides, in order.
pub(super) fn merge_sides<K: Hash + Eq, A, B>(table: &mut GroupTable<K, (Vec<A>, Vec<B>)>, other: GroupTable<K, (Vec<A>, Vec<B>)>) {
    table.merge(other, |a, b| {
        a.0.extend(b.0);
        a.1.extend(b.1);
    });
}

/// Applies a windowed join's closure; the bound gives its arguments their types.
#[inline(always)]
pub fn window_join_apply<P, B, O>(w: Window, p: P, b: B, f: impl FnOnce(Window, P, B) -> O) -> O {
    f(w, p, b)
}
