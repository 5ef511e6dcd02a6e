//! The table of a windowed aggregation with a trigger (`.window(w).trigger(t).group_by(..)
//! .aggregate(..)`). A trigger decides per row (every `n` rows, say), so groups cannot be
//! summed per split and merged: each split keeps its input records, and merging the splits in
//! input order runs them through the generated update one by one, asking the trigger after
//! each. Watermarks and ticks of the wall clock ask it too; the end of input fires what is left.

use super::table::{AggPartial, Finished, GroupTable};
use crate::error::{Error, Result};
use crate::record::Record;
use crate::trigger::{Trigger, TriggerAction};
use crate::value::Timestamp;
use crate::window::Window;
use arrow::array::RecordBatch;
use std::any::Any;
use std::hash::Hash;
use std::time::Instant;

/// A group's state: the accumulators, rows since it was purged, rows since it last fired.
pub type Counted<A> = (A, u64, u64);

/// Adds one row to the table under each of its windows, listing the groups it touched.
pub trait UpdateFn<K, A, I: Record>: for<'r> FnMut(&mut GroupTable<(Window, K), Counted<A>>, I::Ref<'r>, &mut Vec<(Window, K)>) {}
impl<K, A, I: Record, F> UpdateFn<K, A, I> for F where
    F: for<'r> FnMut(&mut GroupTable<(Window, K), Counted<A>>, I::Ref<'r>, &mut Vec<(Window, K)>)
{
}

/// Input records waiting, and the groups with their trigger.
pub struct Triggered<I, K, A, U, F, T, O> {
    pending: Vec<I>,
    /// Rows the trigger fired while records merged, handed on at the next watermark, tick or
    /// the end.
    fired: Vec<O>,
    table: GroupTable<(Window, K), Counted<A>>,
    update: U,
    finish: F,
    trigger: T,
    touched: Vec<(Window, K)>,
    /// When `on_tick` runs next.
    next_tick: Option<Instant>,
}

impl<I, K, A, U, F, T, O> Triggered<I, K, A, U, F, T, O>
where
    I: Record,
    K: Hash + Eq + Clone + Send + 'static,
    A: Clone + Send + 'static,
    U: UpdateFn<K, A, I> + Send + 'static,
    F: Fn((Window, K), A) -> O + Send + 'static,
    T: Trigger,
    O: Record,
{
    /// A split's result: its input records, and the update, finish and trigger the table
    /// they merge into runs them through. `sessions` and `lateness` describe the window
    /// assigner: triggers apply to neither yet.
    pub fn boxed(rows: Vec<I>, trigger: T, update: U, finish: F, sessions: bool, lateness: i64) -> Result<Box<dyn AggPartial>> {
        if sessions || lateness > 0 {
            return Err(Error::Config(
                "a `trigger` applies to `Tumbling`, `Sliding` and `Global` windows without `allowed_lateness`".into(),
            ));
        }
        let next_tick = trigger.tick_every().map(|d| Instant::now() + d);
        Ok(Box::new(Triggered {
            pending: rows,
            fired: Vec::new(),
            table: GroupTable::new(),
            update,
            finish,
            trigger,
            touched: Vec::new(),
            next_tick,
        }))
    }

    /// Applies the trigger's answer for group `key`, adding a row to `out` when it fires. A
    /// window with no rows since it last fired would emit the same result again: a `Fire` of it
    /// does nothing and a `FireAndPurge` only purges.
    fn act(&mut self, key: (Window, K), action: TriggerAction, out: &mut Vec<O>) {
        let unchanged = self.table.get_owned_mut(&key).is_some_and(|s| s.2 == 0);
        let action = match action {
            TriggerAction::Fire if unchanged => TriggerAction::Continue,
            TriggerAction::FireAndPurge if unchanged => TriggerAction::Purge,
            other => other,
        };
        match action {
            TriggerAction::Continue => {}
            TriggerAction::Fire => {
                if let Some(state) = self.table.get_owned_mut(&key) {
                    state.2 = 0;
                    let acc = state.0.clone();
                    out.push((self.finish)(key, acc));
                }
            }
            TriggerAction::FireAndPurge => {
                if let Some((acc, _, _)) = self.table.remove_owned(&key) {
                    out.push((self.finish)(key, acc));
                }
            }
            TriggerAction::Purge => {
                self.table.remove_owned(&key);
            }
        }
    }

    /// Runs the waiting records through the table, asking the trigger after each.
    fn drain(&mut self, out: &mut Vec<O>) {
        for row in std::mem::take(&mut self.pending) {
            let mut touched = std::mem::take(&mut self.touched);
            (self.update)(&mut self.table, row.as_row(), &mut touched);
            for key in touched.drain(..) {
                let Some(count) = self.table.get_owned_mut(&key).map(|s| s.1) else { continue };
                let action = self.trigger.on_row(key.0, count);
                self.act(key, action, out);
            }
            self.touched = touched;
        }
    }

    /// Asks the trigger about the groups at `watermark` that took rows since they last fired or
    /// whose window has ended (so it can purge windows it fired and kept; `act` does not repeat
    /// a result that did not change).
    fn watermark(&mut self, watermark: i64, out: &mut Vec<O>) {
        let keys: Vec<(Window, K)> = self.table.iter().filter(|(k, s)| s.2 > 0 || k.0.end.0 <= watermark).map(|(k, _)| k.clone()).collect();
        for key in keys {
            let action = self.trigger.on_watermark(key.0, Timestamp(watermark));
            self.act(key, action, out);
        }
    }

    /// Asks the trigger about every group with rows since it fired, when a tick is due.
    fn tick_due(&mut self, out: &mut Vec<O>) {
        let (Some(at), Some(every)) = (self.next_tick, self.trigger.tick_every()) else { return };
        let now = Instant::now();
        if now < at {
            return;
        }
        self.next_tick = Some(now + every);
        let keys: Vec<((Window, K), u64)> = self.table.iter().filter(|(_, s)| s.2 > 0).map(|(k, s)| (k.clone(), s.2)).collect();
        for (key, since) in keys {
            let action = self.trigger.on_tick(key.0, since);
            self.act(key, action, out);
        }
    }
}

impl<I, K, A, U, F, T, O> AggPartial for Triggered<I, K, A, U, F, T, O>
where
    I: Record,
    K: Hash + Eq + Clone + Send + 'static,
    A: Clone + Send + 'static,
    U: UpdateFn<K, A, I> + Send + 'static,
    F: Fn((Window, K), A) -> O + Send + 'static,
    T: Trigger,
    O: Record,
{
    fn merge(&mut self, other: Box<dyn AggPartial>) -> Result<()> {
        let other =
            other.into_any().downcast::<Self>().map_err(|_| Error::Config("merging tables of different triggered aggregations".into()))?;
        // A table that already ran records comes from another pass over the input (a spilled
        // join's partition before this stage): its groups and fired rows would be lost.
        if !other.table.is_empty() || !other.fired.is_empty() {
            return Err(Error::Config(
                "a triggered window after a join whose build side spilled runs once per partition, which it cannot yet; raise --memory-limit".into(),
            ));
        }
        // This table's own records first: splits merge in input order.
        let mut out = Vec::new();
        self.drain(&mut out);
        self.pending = other.pending;
        self.drain(&mut out);
        self.fired.extend(out);
        Ok(())
    }

    fn finish(mut self: Box<Self>, rows_per_batch: usize) -> Result<Finished> {
        let mut out = std::mem::take(&mut self.fired);
        self.drain(&mut out);
        self.watermark(i64::MAX, &mut out);
        // Windows a trigger kept past the end of input fire once more if rows came since they
        // last fired.
        let rest: Vec<_> = self.table.take_groups().filter(|(_, s)| s.2 > 0).collect();
        out.extend(rest.into_iter().map(|(k, (acc, _, _))| (self.finish)(k, acc)));
        Ok(Finished::Batches(O::to_batches(&out, rows_per_batch)))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }

    fn fire(&mut self, watermark: i64, rows_per_batch: usize) -> Result<Vec<RecordBatch>> {
        let mut out = std::mem::take(&mut self.fired);
        self.drain(&mut out);
        if watermark < i64::MAX {
            self.watermark(watermark, &mut out);
            self.tick_due(&mut out);
        }
        Ok(O::to_batches(&out, rows_per_batch))
    }

    fn single_pass(&self) -> bool {
        true
    }

    fn tick(&mut self, rows_per_batch: usize) -> Result<Vec<RecordBatch>> {
        let mut out = std::mem::take(&mut self.fired);
        self.drain(&mut out);
        self.tick_due(&mut out);
        Ok(O::to_batches(&out, rows_per_batch))
    }
}
