//! The hash table of one split's groups, and the type-erased partial result the executor
//! merges across splits and finishes into output batches.

use super::key::GroupKey;
use crate::error::{Error, Result};
use crate::record::{Record, RecordBuilder};
use crate::source::MorselIter;
use arrow::array::RecordBatch;
use hashbrown::{DefaultHashBuilder, HashTable};
use std::any::Any;
use std::hash::{BuildHasher, Hash};

/// Groups of one split: owned key and accumulator state per group.
pub struct GroupTable<K, A> {
    table: HashTable<(K, A)>,
    hasher: DefaultHashBuilder,
}

impl<K: Hash + Eq, A> Default for GroupTable<K, A> {
    fn default() -> Self {
        GroupTable { table: HashTable::new(), hasher: DefaultHashBuilder::default() }
    }
}

impl<K: Hash + Eq, A> GroupTable<K, A> {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a row to its group: `update` the group's state, or create it with `init` (which
    /// already counts this row) when the key is new. The key is copied only then.
    #[inline(always)]
    pub fn upsert<Q: GroupKey<Owned = K>>(&mut self, key: Q, init: impl FnOnce() -> A, update: impl FnOnce(&mut A)) {
        let hash = self.hasher.hash_one(key);
        match self.table.find_mut(hash, |(k, _)| key.matches(k)) {
            Some((_, state)) => update(state),
            None => {
                let hasher = &self.hasher;
                self.table.insert_unique(hash, (key.to_owned_key(), init()), |(k, _)| hasher.hash_one(k));
            }
        }
    }

    /// The state of `key`'s group, created with `init` when the key is new (copied only then).
    #[inline(always)]
    pub fn entry<Q: GroupKey<Owned = K>>(&mut self, key: Q, init: impl FnOnce() -> A) -> &mut A {
        let hash = self.hasher.hash_one(key);
        let hasher = &self.hasher;
        let entry = self.table.entry(hash, |(k, _)| key.matches(k), |(k, _)| hasher.hash_one(k));
        &mut entry.or_insert_with(|| (key.to_owned_key(), init())).into_mut().1
    }

    /// The state of `key`'s group, if it has one.
    #[inline(always)]
    pub fn get<Q: GroupKey<Owned = K>>(&self, key: Q) -> Option<&A> {
        let hash = self.hasher.hash_one(key);
        self.table.find(hash, |(k, _)| key.matches(k)).map(|(_, a)| a)
    }

    /// Adds another split's groups, combining states of equal keys with `merge`.
    pub fn merge(&mut self, other: Self, merge: impl Fn(&mut A, A)) {
        for (key, state) in other.table {
            let hash = self.hasher.hash_one(&key);
            match self.table.find_mut(hash, |(k, _)| *k == key) {
                Some((_, mine)) => merge(mine, state),
                None => {
                    let hasher = &self.hasher;
                    self.table.insert_unique(hash, (key, state), |(k, _)| hasher.hash_one(k));
                }
            }
        }
    }

    /// Groups in the table.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether no group was seen.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Consumes the table, group by group.
    pub fn into_groups(self) -> impl Iterator<Item = (K, A)> {
        self.table.into_iter()
    }
}

/// One split's aggregation result, merged with the others' and then finished.
pub trait AggPartial: Send {
    /// Adds another split's result (of the same aggregation).
    fn merge(&mut self, other: Box<dyn AggPartial>) -> Result<()>;
    /// Output rows, one per group, as batches of the aggregation's record.
    fn finish(self: Box<Self>, rows_per_batch: usize) -> Vec<RecordBatch>;
    /// For `merge`'s downcast.
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

/// Runs an aggregation or sort stage over one split; generated per pipeline.
pub type AggFn = fn(MorselIter, &super::StageCtx) -> Result<Box<dyn AggPartial>>;

/// Runs a join's build stage over one split; generated per pipeline.
pub type BuildFn = fn(MorselIter, &super::StageCtx) -> Result<Box<dyn super::BuildPartial>>;

/// A group table with the generated merge and finish code for its state.
pub struct Partial<K, A, M, F> {
    table: GroupTable<K, A>,
    merge: M,
    finish: F,
}

impl<K, A, M, F, O> Partial<K, A, M, F>
where
    K: Hash + Eq + Send + 'static,
    A: Send + 'static,
    M: Fn(&mut A, A) + Send + 'static,
    F: Fn(K, A) -> O + Send + 'static,
    O: Record,
{
    /// Erases the table's types behind `AggPartial`.
    pub fn boxed(table: GroupTable<K, A>, merge: M, finish: F) -> Box<dyn AggPartial> {
        Box::new(Partial { table, merge, finish })
    }
}

impl<K, A, M, F, O> AggPartial for Partial<K, A, M, F>
where
    K: Hash + Eq + Send + 'static,
    A: Send + 'static,
    M: Fn(&mut A, A) + Send + 'static,
    F: Fn(K, A) -> O + Send + 'static,
    O: Record,
{
    fn merge(&mut self, other: Box<dyn AggPartial>) -> Result<()> {
        let other =
            other.into_any().downcast::<Self>().map_err(|_| Error::Config("merging partial results of different aggregations".into()))?;
        self.table.merge(other.table, &self.merge);
        Ok(())
    }

    fn finish(self: Box<Self>, rows_per_batch: usize) -> Vec<RecordBatch> {
        let Partial { table, finish, .. } = *self;
        let mut out = Vec::new();
        let mut builder = O::builder(rows_per_batch.min(table.len()).max(1));
        for (key, state) in table.into_groups() {
            let row = finish(key, state);
            builder.append(row.as_row());
            if builder.len() >= rows_per_batch {
                out.push(builder.finish());
            }
        }
        if !builder.is_empty() {
            out.push(builder.finish());
        }
        out
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}
