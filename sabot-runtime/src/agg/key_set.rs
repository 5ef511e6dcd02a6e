//! Semi- and anti-join build sides: the build keys alone. Such a join emits probe rows only,
//! so a slot holds the key and nothing else, and a probe's lookups touch a fraction of the
//! memory a table of whole build rows takes (TPC-H Q3's customers: 8-byte slots, not 64).

use super::StageCtx;
use super::dense::{BitmapCell, KeyBitmap};
use super::join::{BuildPartial, SpilledBuild};
use super::key::GroupKey;
use super::spill::{self, Spillable};
use super::table::GroupTable;
use crate::error::{Error, Result};
use sabot_state::StateCodec;
use std::any::Any;
use std::hash::Hash;
use std::sync::Arc;

/// The distinct keys of a semi or anti join's build side.
pub struct KeySet<K> {
    keys: GroupTable<K, ()>,
    /// For a spilled build side, the partition this set holds (see `JoinTable`).
    partition: Option<usize>,
    /// The keys as a bitmap when they are integers close together (see `JoinTable`).
    dense: BitmapCell,
}

impl<K> Default for KeySet<K> {
    fn default() -> Self {
        KeySet { keys: GroupTable::default(), partition: None, dense: std::sync::OnceLock::new() }
    }
}

impl<K: Hash + Eq + Send + Sync + 'static> KeySet<K> {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a build row's key (copied only when new); a key with a null part matches nothing
    /// and is not kept.
    #[inline]
    pub fn insert<Q: GroupKey<Owned = K>>(&mut self, key: Q) {
        if !key.has_null() {
            self.dense.take();
            self.keys.entry(key, || ());
        }
    }

    /// Whether some build row has key `key` (never for a key with a null part).
    #[inline]
    pub fn contains<Q: GroupKey<Owned = K>>(&self, key: Q) -> bool {
        if key.has_null() {
            return false;
        }
        // The bitmap, when there is one, is the whole answer for an integer key. Under a memory
        // budget none is made (see `JoinTable`).
        match self.bitmap::<Q>().and_then(|d| d.holds(&key)) {
            Some(found) => found,
            None => self.keys.get(key).is_some(),
        }
    }

    /// Whether a probe row with `key` belongs to this set's partition (always, unless the
    /// build side spilled); as `JoinTable::owns`.
    #[inline]
    pub fn owns<Q: GroupKey<Owned = K>>(&self, key: Q) -> bool {
        self.partition.is_none_or(|p| if key.has_null() { p == 0 } else { spill::partition_of(&key) == p })
    }

    /// Whether a probe made the keys' bitmap.
    #[cfg(test)]
    pub(super) fn dense_built(&self) -> bool {
        self.dense.get().is_some_and(Option::is_some)
    }

    /// Keys in the set.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set holds no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Erases the types for the executor.
    pub fn boxed(self) -> Box<dyn BuildPartial> {
        Box::new(self)
    }

    /// Joins the job's memory budget (when it has one) and spills the keys to the state
    /// backend when the job is over it. Generated build code calls this after each morsel.
    pub fn check_budget(&mut self, ctx: &StageCtx) -> Result<()>
    where
        K: StateCodec,
    {
        // A spill empties the set: a bitmap made before would still hold its keys.
        self.dense.take();
        self.keys.check_budget(ctx)
    }
}

impl<K: Hash + Eq + Send + Sync + 'static> KeyBitmap for KeySet<K> {
    type Key = K;
    type State = ();
    #[inline(always)]
    fn bitmap_parts(&self) -> (&BitmapCell, bool, &GroupTable<K, ()>) {
        (&self.dense, self.keys.hook_ref().is_some() || self.partition.is_some(), &self.keys)
    }
}

/// What the probe code gets for a row: whether its key is in the set, or `None` when the row
/// belongs to another partition of a spilled build side (it is skipped in this pass).
#[inline]
pub fn probe_keys<K, Q>(set: Option<&KeySet<K>>, key: Q) -> Option<bool>
where
    K: Hash + Eq + Send + Sync + 'static,
    Q: GroupKey<Owned = K>,
{
    match set {
        None => Some(false),
        Some(s) if !s.owns(key) => None,
        Some(s) => Some(s.contains(key)),
    }
}

impl<K: Hash + Eq + Send + Sync + 'static> BuildPartial for KeySet<K> {
    fn expect_splits(&mut self, splits: usize) {
        self.keys.expect_splits(splits);
    }

    fn merge(&mut self, other: Box<dyn BuildPartial>) -> Result<()> {
        let mut other = other.into_any().downcast::<Self>().map_err(|_| Error::Config("merging build sides of different joins".into()))?;
        self.dense.take();
        if self.keys.merge_spilled(&mut other.keys)? {
            return Ok(());
        }
        self.keys.merge(std::mem::take(&mut other.keys), |_, _| ());
        if self.keys.account() {
            self.keys.spill_now()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<Arc<dyn Any + Send + Sync>> {
        if !self.keys.wrote() {
            return Ok(Arc::new(*self));
        }
        self.keys.spill_now()?;
        let hook = self.keys.hook_ref().expect("a set that wrote has a hook");
        let (ctx, stage, read) = (Arc::clone(&hook.ctx), hook.stage, hook.read);
        let load = move |p: usize| -> Result<Arc<dyn Any + Send + Sync>> {
            let mut keys = GroupTable::new();
            read(&ctx, stage, p, &mut |key, ()| keys.insert_owned(key, (), |_, _| ()))?;
            Ok(Arc::new(KeySet { keys, partition: Some(p), dense: std::sync::OnceLock::new() }))
        };
        Ok(Arc::new(SpilledBuild::new(Box::new(load))))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_with_a_null_part_are_never_kept_or_found() {
        let mut set = KeySet::<Option<i64>>::new();
        set.insert(Some(1i64));
        set.insert(Some(1i64));
        set.insert(None::<i64>);
        assert_eq!(set.len(), 1);
        assert!(set.contains(Some(1i64)));
        assert!(!set.contains(None::<i64>));
        assert_eq!(probe_keys(Some(&set), Some(2i64)), Some(false));
        assert_eq!(probe_keys(None::<&KeySet<Option<i64>>>, Some(1i64)), Some(false));
    }

    #[test]
    fn merged_sets_hold_the_union() {
        let mut a = KeySet::<i64>::new();
        let mut b = KeySet::<i64>::new();
        (0..10i64).for_each(|k| a.insert(k));
        (5..20i64).for_each(|k| b.insert(k));
        let mut a: Box<dyn BuildPartial> = a.boxed();
        a.merge(b.boxed()).unwrap();
        let set = a.finish().unwrap().downcast::<KeySet<i64>>().unwrap();
        assert_eq!(set.len(), 20);
        assert!((0..20i64).all(|k| set.contains(k)) && !set.contains(20i64));
    }
}
