//! Hash-join build sides: the build stream's rows, owned, under their join key. Each split
//! builds a table; tables merge in split order (so matches come back in build-input order),
//! and the probe stage looks rows up by borrowed key.

use super::key::GroupKey;
use super::table::GroupTable;
use crate::error::{Error, Result};
use std::any::Any;
use std::hash::Hash;
use std::sync::Arc;

/// Build rows by key: a group table whose state is the group's rows.
pub struct JoinTable<K, B> {
    groups: GroupTable<K, Vec<B>>,
}

impl<K: Hash + Eq, B> Default for JoinTable<K, B> {
    fn default() -> Self {
        JoinTable { groups: GroupTable::new() }
    }
}

impl<K: Hash + Eq + Send + Sync + 'static, B: Send + Sync + 'static> JoinTable<K, B> {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a build row under its key (copied only for a new key); a key with a null part can
    /// never match, so its row is not kept.
    #[inline]
    pub fn insert<Q: GroupKey<Owned = K>>(&mut self, key: Q, row: B) {
        if !key.has_null() {
            self.groups.entry(key, Vec::new).push(row);
        }
    }

    /// The build rows whose key equals `key` (empty when none, and for a key with a null part).
    #[inline]
    pub fn get<Q: GroupKey<Owned = K>>(&self, key: Q) -> &[B] {
        if key.has_null() {
            return &[];
        }
        self.groups.get(key).map_or(&[], Vec::as_slice)
    }

    /// Erases the types for the executor.
    pub fn boxed(self) -> Box<dyn BuildPartial> {
        Box::new(self)
    }
}

/// One split's build table, merged with the others' and then shared with the probe stage.
pub trait BuildPartial: Send {
    /// Adds another split's rows (of the same join).
    fn merge(&mut self, other: Box<dyn BuildPartial>) -> Result<()>;
    /// The finished table, for `StageCtx::built`.
    fn finish(self: Box<Self>) -> Arc<dyn Any + Send + Sync>;
    /// For `merge`'s downcast.
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

impl<K: Hash + Eq + Send + Sync + 'static, B: Send + Sync + 'static> BuildPartial for JoinTable<K, B> {
    fn merge(&mut self, other: Box<dyn BuildPartial>) -> Result<()> {
        let other = other.into_any().downcast::<Self>().map_err(|_| Error::Config("merging build sides of different joins".into()))?;
        // Later splits' rows go after earlier ones': matches keep build-input order.
        self.groups.merge(other.groups, |mine, rows| mine.extend(rows));
        Ok(())
    }

    fn finish(self: Box<Self>) -> Arc<dyn Any + Send + Sync> {
        Arc::new(*self)
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}
