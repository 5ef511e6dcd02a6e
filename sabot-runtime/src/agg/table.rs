//! The hash table of one split's groups, and the type-erased partial result the executor
//! merges across splits and finishes into output batches.

use super::StageCtx;
use super::key::GroupKey;
use super::memo::KeyMemo;
use super::spill::{self, PARTITIONS, SpillCtx, SpillHook, Spillable, WriteFn};
use crate::error::{Error, Result};
use crate::record::{Record, RecordBuilder};
use crate::source::MorselIter;
use arrow::array::RecordBatch;
use hashbrown::{DefaultHashBuilder, HashTable};
use sabot_state::StateCodec;
use std::any::Any;
use std::hash::{BuildHasher, Hash};
use std::sync::Arc;

/// The most groups [`GroupTable::expect_splits`] makes room for in advance: splits' keys may
/// overlap, so the expected count is an upper bound, and past this the table grows as it fills.
const EXPECT_MAX: usize = 1 << 22;

/// Groups of one split: owned key and accumulator state per group.
pub struct GroupTable<K, A> {
    table: HashTable<(K, A)>,
    hasher: DefaultHashBuilder,
    /// Bytes the keys own outside the table (string text), for the memory budget.
    heap: usize,
    /// Set once a memory budget applies: how to write the table out and read it back.
    spill: Option<Hook<K, A>>,
}

type Hook<K, A> = SpillHook<WriteFn<GroupTable<K, A>>, ReadFn<K, A>>;

/// Reads back the groups of (stage, partition) in input order.
type ReadFn<K, A> = fn(&SpillCtx, usize, usize, &mut dyn FnMut(K, A)) -> Result<()>;

/// A copy of the groups (without the spill hook: a copy never spills).
impl<K: Clone, A: Clone> Clone for GroupTable<K, A> {
    fn clone(&self) -> Self {
        GroupTable { table: self.table.clone(), hasher: self.hasher.clone(), heap: self.heap, spill: None }
    }
}

impl<K, A> Default for GroupTable<K, A> {
    fn default() -> Self {
        GroupTable { table: HashTable::new(), hasher: DefaultHashBuilder::default(), heap: 0, spill: None }
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
                self.heap += key.heap_size();
                self.table.insert_unique(hash, (key.to_owned_key(), init()), |(k, _)| hasher.hash_one(k));
            }
        }
    }

    /// [`upsert`](Self::upsert) through `memo`: a row whose key identity the memo holds goes
    /// straight to its group's bucket, without hashing or comparing the key.
    #[inline(always)]
    pub fn upsert_memo<Q: GroupKey<Owned = K>>(
        &mut self,
        memo: &mut KeyMemo<Q::Ident>,
        key: Q,
        init: impl FnOnce() -> A,
        update: impl FnOnce(&mut A),
    ) {
        if !memo.active::<Q>() {
            return self.upsert(key, init, update);
        }
        // One call of `update` only: with two, the compiler stops inlining a large one.
        let bucket = match memo.get(&key).filter(|&b| self.table.get_bucket(b).is_some()) {
            Some(hit) => hit,
            None => {
                let hash = self.hasher.hash_one(key);
                let Some(found) = self.table.find_bucket_index(hash, |(k, _)| key.matches(k)) else {
                    // The insert may move other groups: what the memo holds is stale.
                    memo.forget();
                    let hasher = &self.hasher;
                    self.heap += key.heap_size();
                    let new = self.table.insert_unique(hash, (key.to_owned_key(), init()), |(k, _)| hasher.hash_one(k));
                    memo.put(&key, new.bucket_index());
                    return;
                };
                memo.put(&key, found);
                found
            }
        };
        if let Some((_, state)) = self.table.get_bucket_mut(bucket) {
            update(state);
        }
    }

    /// The state of `key`'s group, created with `init` when the key is new (copied only then).
    #[inline(always)]
    pub fn entry<Q: GroupKey<Owned = K>>(&mut self, key: Q, init: impl FnOnce() -> A) -> &mut A {
        let hash = self.hasher.hash_one(key);
        let hasher = &self.hasher;
        let heap = &mut self.heap;
        let entry = self.table.entry(hash, |(k, _)| key.matches(k), |(k, _)| hasher.hash_one(k));
        &mut entry
            .or_insert_with(|| {
                *heap += key.heap_size();
                (key.to_owned_key(), init())
            })
            .into_mut()
            .1
    }

    /// The state of `key`'s group, if it has one.
    #[inline(always)]
    pub fn get<Q: GroupKey<Owned = K>>(&self, key: Q) -> Option<&A> {
        let hash = self.hasher.hash_one(key);
        self.table.find(hash, |(k, _)| key.matches(k)).map(|(_, a)| a)
    }

    /// The state of the group with owned key `key`, if it has one.
    pub fn get_owned_mut(&mut self, key: &K) -> Option<&mut A> {
        let hash = self.hasher.hash_one(key);
        self.table.find_mut(hash, |(k, _)| k == key).map(|(_, a)| a)
    }

    /// Removes the group with owned key `key`, returning its state.
    pub fn remove_owned(&mut self, key: &K) -> Option<A> {
        let hash = self.hasher.hash_one(key);
        self.table.find_entry(hash, |(k, _)| k == key).ok().map(|e| e.remove().0.1)
    }

    /// The groups, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &A)> {
        self.table.iter().map(|(k, a)| (k, a))
    }

    /// The groups as stored (key and state side by side), in the order of [`GroupTable::iter`].
    pub(crate) fn entries(&self) -> impl Iterator<Item = &(K, A)> {
        self.table.iter()
    }

    /// Adds a group by owned key, combining with an existing state of the key through `merge`.
    pub fn insert_owned(&mut self, key: K, state: A, merge: impl FnOnce(&mut A, A)) {
        let hash = self.hasher.hash_one(&key);
        match self.table.find_mut(hash, |(k, _)| *k == key) {
            Some((_, mine)) => merge(mine, state),
            None => {
                let hasher = &self.hasher;
                self.table.insert_unique(hash, (key, state), |(k, _)| hasher.hash_one(k));
            }
        }
    }

    /// Adds another split's groups, combining states of equal keys with `merge`.
    pub fn merge(&mut self, mut other: Self, merge: impl Fn(&mut A, A)) {
        self.heap += other.heap;
        for (key, state) in other.take_groups() {
            self.insert_owned(key, state, &merge);
        }
    }

    /// Makes room at once for as many more groups as `splits` more tables the size of this one
    /// (at most 4M). Not for a table under a memory budget, which grows, and spills, as rows come.
    pub fn expect_splits(&mut self, splits: usize) {
        let hasher = &self.hasher;
        self.table.reserve(self.table.len().saturating_mul(splits).min(EXPECT_MAX), |(k, _)| hasher.hash_one(k));
    }

    /// Groups in the table.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether no group was seen.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// The states, in no particular order.
    pub fn values(&self) -> impl Iterator<Item = &A> {
        self.table.iter().map(|(_, a)| a)
    }

    /// The keys, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.table.iter().map(|(k, _)| k)
    }

    /// Empties the table, handing out its groups.
    pub fn take_groups(&mut self) -> impl Iterator<Item = (K, A)> + use<K, A> {
        self.heap = 0;
        std::mem::take(&mut self.table).into_iter()
    }

    /// Takes out the groups whose key `pick` selects (heap accounting is left as it was).
    pub fn take_where(&mut self, mut pick: impl FnMut(&K) -> bool) -> Vec<(K, A)> {
        self.table.extract_if(|(k, _)| pick(k)).collect()
    }

    /// Keeps the groups for which `keep` is true, which may change their state in place (heap
    /// accounting is left as it was).
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut A) -> bool) {
        self.table.retain(|(k, a)| keep(k, a));
    }

    /// Consumes the table, group by group.
    pub fn into_groups(mut self) -> impl Iterator<Item = (K, A)> {
        self.take_groups()
    }

    /// Bytes the table holds: its slots (with hashbrown's control bytes and spare capacity)
    /// and the keys' text.
    pub fn bytes(&self) -> usize {
        Self::slot_bytes(self.table.capacity()) + self.heap
    }

    /// Bytes of a table with room for `capacity` groups: the slots with hashbrown's control
    /// bytes and the buckets kept free.
    fn slot_bytes(capacity: usize) -> usize {
        capacity * (std::mem::size_of::<(K, A)>() + 1) * 8 / 7
    }

    /// What the next morsel may need on top of `bytes`: when fewer free slots are left than a
    /// morsel has rows, the table may grow, and while it moves its groups the old slots and
    /// the twice as many new ones are both held. Counting that before it happens lets the
    /// budget spill the table first, so peak memory stays near the limit.
    pub fn growth_bytes(&self) -> usize {
        let free = self.table.capacity() - self.table.len();
        if free >= crate::source::DEFAULT_BATCH_ROWS {
            return 0;
        }
        Self::slot_bytes(self.table.capacity().max(4) * 2)
    }

    /// The most bytes of new slots merging `more` groups into this table can allocate (none
    /// when they fit), held beside the old slots while the groups move: hashbrown's growth
    /// rule, room for `len + more` at 7/8 load in a power-of-two number of buckets. An upper
    /// bound: groups the two tables share need no slot.
    pub(crate) fn merge_growth(&self, more: usize) -> usize {
        let want = self.table.len() + more;
        if want <= self.table.capacity() {
            return 0;
        }
        let buckets = (want.max(8) * 8).div_ceil(7).next_power_of_two();
        Self::slot_bytes(buckets / 8 * 7)
    }

    /// Joins the job's memory budget (when it has one) and spills the table to the state
    /// backend when the job's tables are over it. Generated code calls this after each morsel.
    pub fn check_budget(&mut self, ctx: &StageCtx) -> Result<()>
    where
        K: StateCodec,
        A: StateCodec,
    {
        self.check_budget_with(ctx, spill::write_runs::<K, A>, spill::read_partition::<K, A>)
    }
}

impl<K: Hash + Eq, A> Spillable for GroupTable<K, A> {
    type Read = ReadFn<K, A>;
    fn hook(&mut self) -> &mut Option<Hook<K, A>> {
        &mut self.spill
    }
    fn hook_ref(&self) -> Option<&Hook<K, A>> {
        self.spill.as_ref()
    }
    fn held_bytes(&self) -> usize {
        self.bytes() + self.growth_bytes()
    }
    fn holds_nothing(&self) -> bool {
        self.is_empty()
    }
    fn merge_growth(&self, other: &Self) -> usize {
        GroupTable::merge_growth(self, other.len())
    }
}

/// What a finished aggregation or sort produced, for the stage that reads it.
pub enum Finished {
    /// Rows in memory.
    Batches(Vec<RecordBatch>),
    /// Rows written to state-backend tables (an aggregation that spilled), one per partition.
    Stored {
        /// The backend holding them.
        backend: Arc<dyn sabot_state::StateBackend>,
        /// Table names, one split each.
        tables: Vec<String>,
        /// The rows' schema.
        schema: arrow::datatypes::SchemaRef,
    },
}

/// One split's aggregation result, merged with the others' and then finished.
pub trait AggPartial: Send {
    /// Adds another split's result (of the same aggregation).
    fn merge(&mut self, other: Box<dyn AggPartial>) -> Result<()>;
    /// Output rows, one per group, in batches of the aggregation's record.
    fn finish(self: Box<Self>, rows_per_batch: usize) -> Result<Finished>;
    /// For `merge`'s downcast.
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
    /// Streaming: takes out the groups of windows that end at or before `watermark` and
    /// finishes them into rows. Unwindowed aggregations and sorts emit only at `finish`.
    fn fire(&mut self, watermark: i64, rows_per_batch: usize) -> Result<Vec<RecordBatch>> {
        let _ = (watermark, rows_per_batch);
        Ok(Vec::new())
    }
    /// Before `splits` more splits' results are merged into this first one, when no memory
    /// budget applies: room for as many groups as each of them may add, so the merged table does
    /// not grow by doubling.
    fn expect_splits(&mut self, splits: usize) {
        let _ = splits;
    }
    /// Whether the table must see its whole input in one pass, in input order (a `process`
    /// function, a triggered window): a stage that probes a spilled join runs once per
    /// partition, which such a table cannot follow.
    fn single_pass(&self) -> bool {
        false
    }
    /// Streaming: rows ready without a watermark moving (a `process` function's output and
    /// its processing-time timers due now). Other tables have none.
    fn tick(&mut self, rows_per_batch: usize) -> Result<Vec<RecordBatch>> {
        let _ = rows_per_batch;
        Ok(Vec::new())
    }
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
    /// For a windowed aggregation: the end of a group's window (nanoseconds).
    end: Option<fn(&K) -> i64>,
    /// Session windows: a key's windows merge before they are emitted.
    sessions: Option<SessionsFn<K, A, M>>,
    /// No group's window ends before this (`i64::MIN`: not known), so a watermark below it
    /// fires nothing and needs no scan.
    min_end: i64,
    /// Windows with allowed lateness: kept after they fire, and fired again when late rows
    /// change them.
    late: Option<Lateness<K, A>>,
}

/// Copies the groups due at a watermark, given the last one fired to and the dirty keys.
type DueFn<K, A> = fn(&GroupTable<K, A>, Option<i64>, i64, &hashbrown::HashSet<K>) -> Vec<(K, A)>;

/// The state of a windowed table with allowed lateness.
struct Lateness<K, A> {
    /// Nanoseconds a window is kept past its end.
    lateness: i64,
    /// The watermark the table last fired to.
    fired_to: Option<i64>,
    /// Groups of fired windows that late rows changed since (they fire again).
    dirty: hashbrown::HashSet<K>,
    /// Copies of the groups to emit: window ended by the watermark, and never fired (ends after
    /// the last firing) or dirty.
    due: DueFn<K, A>,
    /// Adds the keys of `other` whose windows already fired to `dirty`.
    mark: fn(&GroupTable<K, A>, i64, &mut hashbrown::HashSet<K>),
}

fn due_groups<K: Clone + Hash + Eq, A: Clone>(
    table: &GroupTable<(crate::window::Window, K), A>,
    fired_to: Option<i64>,
    watermark: i64,
    dirty: &hashbrown::HashSet<(crate::window::Window, K)>,
) -> Vec<((crate::window::Window, K), A)> {
    let first = |k: &(crate::window::Window, K)| fired_to.is_none_or(|f| k.0.end.0 > f);
    table
        .table
        .iter()
        .filter(|(k, _)| k.0.end.0 <= watermark && (first(k) || dirty.contains(k)))
        .map(|(k, a)| (k.clone(), a.clone()))
        .collect()
}

fn mark_late<K: Clone + Hash + Eq, A>(
    other: &GroupTable<(crate::window::Window, K), A>,
    fired_to: i64,
    dirty: &mut hashbrown::HashSet<(crate::window::Window, K)>,
) {
    dirty.extend(other.keys().filter(|k| k.0.end.0 <= fired_to).cloned());
}

/// Merges the session windows of each key among some groups.
type SessionsFn<K, A, M> = fn(Vec<(K, A)>, &M) -> Vec<(K, A)>;

fn window_end<K>(key: &(crate::window::Window, K)) -> i64 {
    key.0.end.0
}

/// Merges each key's session windows (`window::merge_sessions`).
fn merge_sessions<K, A, M>(groups: Vec<((crate::window::Window, K), A)>, merge: &M) -> Vec<((crate::window::Window, K), A)>
where
    K: Hash + Eq + Clone,
    M: Fn(&mut A, A),
{
    let mut by_key: hashbrown::HashMap<K, Vec<(crate::window::Window, A)>> = hashbrown::HashMap::new();
    for ((w, k), a) in groups {
        by_key.entry(k).or_default().push((w, a));
    }
    let mut out = Vec::new();
    for (k, windows) in by_key {
        for (w, a) in crate::window::merge_sessions(windows, merge) {
            out.push(((w, k.clone()), a));
        }
    }
    out
}

impl<K, A, M, F, O> Partial<(crate::window::Window, K), A, M, F>
where
    K: Hash + Eq + Clone + Send + 'static,
    A: Clone + Send + 'static,
    M: Fn(&mut A, A) + Send + 'static,
    F: Fn((crate::window::Window, K), A) -> O + Send + 'static,
    O: Record,
{
    /// A windowed aggregation's table (keys are window and group): in streaming runs, its
    /// windows fire as the watermark passes their end. With `sessions`, a key's windows that
    /// overlap merge before they are emitted. With `lateness`, fired windows are kept that long
    /// past their end and fire again when late rows change them.
    pub fn windowed(
        table: GroupTable<(crate::window::Window, K), A>,
        merge: M,
        finish: F,
        sessions: bool,
        lateness: i64,
    ) -> Result<Box<dyn AggPartial>> {
        if sessions && lateness > 0 {
            return Err(Error::Config("`allowed_lateness` does not apply to session windows yet".into()));
        }
        let late = (lateness > 0).then(|| Lateness {
            lateness,
            fired_to: None,
            dirty: hashbrown::HashSet::new(),
            due: due_groups::<K, A>,
            mark: mark_late::<K, A>,
        });
        let sessions = sessions.then_some(merge_sessions::<K, A, M> as fn(Vec<_>, &M) -> Vec<_>);
        Ok(Box::new(Partial { table, merge, finish, end: Some(window_end::<K>), sessions, min_end: i64::MIN, late }))
    }
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
        Box::new(Partial { table, merge, finish, end: None, sessions: None, min_end: i64::MIN, late: None })
    }

    fn rows(&self, groups: impl Iterator<Item = (K, A)>, rows_per_batch: usize, size: usize) -> Vec<RecordBatch> {
        let mut out = Vec::new();
        let mut builder = O::builder(rows_per_batch.min(size).max(1));
        for (key, state) in groups {
            builder.append((self.finish)(key, state).as_row());
            if builder.len() >= rows_per_batch {
                out.push(builder.finish());
            }
        }
        if !builder.is_empty() {
            out.push(builder.finish());
        }
        out
    }

    /// Reads each spilled partition back, merges and finishes it into a table of its own.
    fn finish_spilled(mut self, rows_per_batch: usize) -> Result<Finished> {
        self.table.spill_now()?;
        let hook = self.table.spill.as_ref().expect("a table that wrote has a hook");
        let (ctx, stage, read) = (Arc::clone(&hook.ctx), hook.stage, hook.read);
        let mut tables = Vec::new();
        for p in 0..PARTITIONS {
            let mut groups = GroupTable::new();
            read(&ctx, stage, p, &mut |key, state| groups.insert_owned(key, state, &self.merge))?;
            if groups.is_empty() {
                continue;
            }
            let len = groups.len();
            let name = ctx.table(format_args!("s{stage}/out{p}"));
            for batch in self.rows(groups.into_groups(), rows_per_batch, len) {
                ctx.backend().append(&name, &batch)?;
            }
            tables.push(name);
        }
        Ok(Finished::Stored { backend: Arc::clone(ctx.backend()), tables, schema: O::schema() })
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
    fn expect_splits(&mut self, splits: usize) {
        self.table.expect_splits(splits);
    }

    fn merge(&mut self, other: Box<dyn AggPartial>) -> Result<()> {
        let mut other =
            other.into_any().downcast::<Self>().map_err(|_| Error::Config("merging partial results of different aggregations".into()))?;
        if self.table.merge_spilled(&mut other.table)? {
            return Ok(());
        }
        if let Some(late) = &mut self.late
            && let Some(fired_to) = late.fired_to
        {
            (late.mark)(&other.table, fired_to, &mut late.dirty);
        }
        if let Some(end) = self.end
            && self.min_end != i64::MIN
        {
            self.min_end = other.table.keys().map(end).fold(self.min_end, i64::min);
        }
        let other = std::mem::take(&mut other.table);
        self.table.merge(other, &self.merge);
        if self.table.account() {
            self.table.spill_now()?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>, rows_per_batch: usize) -> Result<Finished> {
        if self.table.wrote() {
            if self.sessions.is_some() {
                return Err(Error::Config("session windows do not spill yet; raise --memory-limit".into()));
            }
            return self.finish_spilled(rows_per_batch);
        }
        let mut me = *self;
        let len = me.table.len();
        if let Some(sessions) = me.sessions {
            let groups = sessions(me.table.take_groups().collect(), &me.merge);
            let len = groups.len();
            return Ok(Finished::Batches(me.rows(groups.into_iter(), rows_per_batch, len)));
        }
        let groups = me.table.take_groups();
        Ok(Finished::Batches(me.rows(groups, rows_per_batch, len)))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }

    fn fire(&mut self, watermark: i64, rows_per_batch: usize) -> Result<Vec<RecordBatch>> {
        let Some(end) = self.end else { return Ok(Vec::new()) };
        if let Some(late) = &mut self.late {
            // Emit copies of the windows due, then drop those past their lateness.
            let mut groups = (late.due)(&self.table, late.fired_to, watermark, &late.dirty);
            late.dirty.clear();
            late.fired_to = Some(watermark);
            let lateness = late.lateness;
            self.table.retain(|k, _| end(k).saturating_add(lateness) > watermark);
            groups.sort_by_key(|(k, _)| end(k));
            let len = groups.len();
            return Ok(self.rows(groups.into_iter(), rows_per_batch, len));
        }
        if watermark < self.min_end {
            return Ok(Vec::new());
        }
        let mut groups = match self.sessions {
            // A session is done when its merged end is behind the watermark: merge every key's
            // windows, keep the open sessions (merged) in the table. A row at the watermark is
            // still on time and would touch a session ending there, so that one stays open.
            Some(sessions) => {
                let all = sessions(self.table.take_groups().collect(), &self.merge);
                let (done, open): (Vec<_>, Vec<_>) = all.into_iter().partition(|(k, _)| end(k) < watermark);
                for (k, a) in open {
                    self.table.insert_owned(k, a, |_, _| {});
                }
                done
            }
            None => self.table.take_where(|k| end(k) <= watermark),
        };
        self.min_end = self.table.keys().map(end).min().unwrap_or(i64::MAX);
        if groups.is_empty() {
            return Ok(Vec::new());
        }
        // Earlier windows first, so results leave in event-time order.
        groups.sort_by_key(|(k, _)| end(k));
        let len = groups.len();
        Ok(self.rows(groups.into_iter(), rows_per_batch, len))
    }
}
