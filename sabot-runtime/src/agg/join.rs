//! Hash-join build sides: the build stream's rows, owned, under their join key. Each split
//! builds a table; tables merge in split order (so matches come back in build-input order),
//! and the probe stage looks rows up by borrowed key.

use super::StageCtx;
use super::dense::{BitmapCell, KeyBitmap};
use super::key::GroupKey;
use super::spill::{self, PARTITIONS, SpillCtx, SpillHook, Spillable, WriteFn};
use super::table::GroupTable;
use crate::error::{Error, Result};
use crate::record::Record;
use arrow::array::{ArrayRef, AsArray, BinaryBuilder, RecordBatch, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use sabot_state::StateCodec;
use smallvec::{SmallVec, smallvec};
use std::any::Any;
use std::hash::Hash;
use std::sync::Arc;

/// The build rows of one key, and whether a probe row matched them (right and full joins
/// emit the groups no probe row matched). A key's only row (a primary key's, as the orders
/// of TPC-H Q3 are) sits in the table's slot: no allocation per build row, and a probe
/// reaches it without following a pointer.
pub struct Rows<B> {
    rows: SmallVec<[B; 1]>,
    matched: std::sync::atomic::AtomicBool,
}

impl<B> Rows<B> {
    fn new(rows: SmallVec<[B; 1]>) -> Self {
        Rows { rows, matched: std::sync::atomic::AtomicBool::new(false) }
    }
}

/// Build rows by key: a group table whose state is the group's rows.
pub struct JoinTable<K, B> {
    groups: GroupTable<K, Rows<B>>,
    /// Keeps rows whose key has a null part (right and full joins emit them unmatched).
    outer: bool,
    rows: usize,
    /// Set once a memory budget applies: how to write the rows out and read a partition back.
    spill: Option<Hook<K, B>>,
    /// For a spilled build side, the partition this table holds: probe rows of other
    /// partitions are skipped (they meet their partition in another pass).
    partition: Option<usize>,
    /// The keys as a bitmap when they are integers close together, made at the first probe
    /// (the table no longer changes then): see `DenseKeys`.
    dense: BitmapCell,
}

type Hook<K, B> = SpillHook<WriteFn<JoinTable<K, B>>, LoadFn<K, B>>;

/// Reads partition `p` of a spilled build side of stage `stage` into a table.
type LoadFn<K, B> = fn(&SpillCtx, usize, usize) -> Result<JoinTable<K, B>>;

impl<K, B> Default for JoinTable<K, B> {
    fn default() -> Self {
        JoinTable { groups: GroupTable::default(), outer: false, rows: 0, spill: None, partition: None, dense: std::sync::OnceLock::new() }
    }
}

impl<K: Hash + Eq + Send + Sync + 'static, B: Send + Sync + 'static> JoinTable<K, B> {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty table for a right or full join: it also keeps rows whose key has a null part,
    /// which never match but are output as unmatched.
    pub fn outer() -> Self {
        JoinTable { outer: true, ..Self::default() }
    }

    /// Adds a build row under its key (copied only for a new key); a key with a null part can
    /// never match, so its row is kept only by an outer table.
    #[inline]
    pub fn insert<Q: GroupKey<Owned = K>>(&mut self, key: Q, row: B) {
        if self.outer || !key.has_null() {
            // A bitmap made before this row would rule its key out.
            self.dense.take();
            self.groups.entry(key, || Rows::new(SmallVec::new())).rows.push(row);
            self.rows += 1;
        }
    }

    /// As [`JoinTable::get`], and records that the key's rows matched (right and full joins).
    #[inline]
    pub fn get_marking<Q: GroupKey<Owned = K>>(&self, key: Q) -> &[B] {
        if key.has_null() || !self.may_hold(&key) {
            return &[];
        }
        match self.groups.get(key) {
            Some(g) => {
                g.matched.store(true, std::sync::atomic::Ordering::Relaxed);
                &g.rows
            }
            None => &[],
        }
    }

    /// The rows no probe row matched (after probing with [`JoinTable::get_marking`]).
    pub fn unmatched(&self) -> impl Iterator<Item = &B> {
        self.groups.values().filter(|g| !g.matched.load(std::sync::atomic::Ordering::Relaxed)).flat_map(|g| g.rows.iter())
    }

    /// The build rows whose key equals `key` (empty when none, and for a key with a null part).
    #[inline]
    pub fn get<Q: GroupKey<Owned = K>>(&self, key: Q) -> &[B] {
        if key.has_null() || !self.may_hold(&key) {
            return &[];
        }
        self.groups.get(key).map_or(&[], |g| g.rows.as_slice())
    }

    /// Whether a probe made the keys' bitmap.
    #[cfg(test)]
    pub(super) fn dense_built(&self) -> bool {
        self.dense.get().is_some_and(Option::is_some)
    }

    /// Whether a probe row with `key` belongs to this table's partition (always, unless the
    /// build side spilled).
    #[inline]
    pub fn owns<Q: GroupKey<Owned = K>>(&self, key: Q) -> bool {
        // A key with a null part matches nothing; its row is handled once, in partition 0.
        self.partition.is_none_or(|p| if key.has_null() { p == 0 } else { spill::partition_of(&key) == p })
    }

    /// Erases the types for the executor.
    pub fn boxed(self) -> Box<dyn BuildPartial> {
        Box::new(self)
    }

    /// Bytes the table holds: slots (each with room for one row), key text and the rows
    /// kept outside the slots (their inline size).
    pub fn bytes(&self) -> usize {
        self.groups.bytes() + self.rows.saturating_sub(self.groups.len()) * std::mem::size_of::<B>()
    }

    /// Joins the job's memory budget (when it has one) and spills the rows to the state
    /// backend when the job is over it. Generated build code calls this after each morsel.
    pub fn check_budget(&mut self, ctx: &StageCtx) -> Result<()>
    where
        K: StateCodec,
        B: Record,
    {
        // A spill empties the table: a bitmap made before would still hold its keys.
        self.dense.take();
        self.check_budget_with(ctx, write_build::<K, B>, read_build::<K, B>)
    }
}

impl<K: Hash + Eq + Send + Sync + 'static, B: Send + Sync + 'static> KeyBitmap for JoinTable<K, B> {
    type Key = K;
    type State = Rows<B>;
    /// Under a memory budget (a hook, or a spilled partition) no bitmap is made.
    #[inline(always)]
    fn bitmap_parts(&self) -> (&BitmapCell, bool, &GroupTable<K, Rows<B>>) {
        (&self.dense, self.spill.is_some() || self.partition.is_some(), &self.groups)
    }
}

impl<K: Hash + Eq + Send + Sync + 'static, B: Send + Sync + 'static> Spillable for JoinTable<K, B> {
    type Read = LoadFn<K, B>;
    fn hook(&mut self) -> &mut Option<Hook<K, B>> {
        &mut self.spill
    }
    fn hook_ref(&self) -> Option<&Hook<K, B>> {
        self.spill.as_ref()
    }
    fn held_bytes(&self) -> usize {
        self.bytes() + self.groups.growth_bytes()
    }
    fn holds_nothing(&self) -> bool {
        self.rows == 0
    }
    fn merge_growth(&self, other: &Self) -> usize {
        self.groups.merge_growth(other.groups.len())
    }
}

/// Writes a build table's rows to the partitions of its stage, as the build record's columns
/// plus the key's bytes and the spill's order, and empties it.
fn write_build<K: StateCodec + Hash + Eq, B: Record>(
    table: &mut JoinTable<K, B>,
    spill: &SpillCtx,
    stage: usize,
    order: u64,
) -> Result<()> {
    let mut parts: Vec<(Vec<B>, BinaryBuilder)> = (0..PARTITIONS).map(|_| (Vec::new(), BinaryBuilder::new())).collect();
    let mut buf = Vec::new();
    let rows = table.rows as u64;
    table.rows = 0;
    // Written in slices (as group tables are, see `spill::write_runs`): the table is freed only
    // once every row is out, and a full copy of it beside it doubled the spill's memory.
    let slice_rows = (spill.flush_bytes() / std::mem::size_of::<B>().max(1)).max(1024);
    let mut pending = 0usize;
    for (key, group) in table.groups.take_groups() {
        let group = group.rows;
        let (out, keys) = &mut parts[spill::partition_of(&key)];
        buf.clear();
        key.encode(&mut buf);
        pending += group.len();
        for row in group {
            keys.append_value(&buf);
            out.push(row);
        }
        if pending >= slice_rows {
            flush_build(&mut parts, spill, stage, order)?;
            pending = 0;
        }
    }
    flush_build(&mut parts, spill, stage, order)?;
    spill.note_spill(rows);
    Ok(())
}

/// Appends each partition's rows, with their keys' bytes and the spill's order, and empties it.
fn flush_build<B: Record>(parts: &mut [(Vec<B>, BinaryBuilder)], spill: &SpillCtx, stage: usize, order: u64) -> Result<()> {
    for (p, (rows, keys)) in parts.iter_mut().enumerate() {
        if rows.is_empty() {
            continue;
        }
        let name = spill.table(format_args!("s{stage}/p{p}"));
        let keys: ArrayRef = Arc::new(keys.finish());
        let orders: ArrayRef = Arc::new(UInt64Array::from_value(order, rows.len()));
        for batch in B::to_batches(rows, rows.len()) {
            let mut fields: Vec<Field> = batch.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
            fields.push(Field::new("__sabot_key", DataType::Binary, false));
            fields.push(Field::new("__sabot_order", DataType::UInt64, false));
            let mut columns = batch.columns().to_vec();
            columns.push(Arc::clone(&keys));
            columns.push(Arc::clone(&orders));
            let batch =
                RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).map_err(|e| Error::arrow(format!("spilling to {name}"), e))?;
            spill.backend().append(&name, &batch)?;
        }
        rows.clear();
    }
    Ok(())
}

/// Reads partition `p` of a spilled build side back into a table that owns only that partition.
fn read_build<K: StateCodec + Hash + Eq + Send + Sync + 'static, B: Record>(
    spill: &SpillCtx,
    stage: usize,
    p: usize,
) -> Result<JoinTable<K, B>> {
    let name = spill.table(format_args!("s{stage}/p{p}"));
    let batches = spill.backend().read(&name)?;
    let mut table = JoinTable::new();
    table.partition = Some(p);
    let Some(n) = batches.first().map(|b| b.num_columns()) else {
        spill.backend().drop_table(&name)?;
        return Ok(table);
    };
    let record_columns: Vec<usize> = (0..n - 2).collect();
    // In spill order, so that each key's rows keep build-input order (Tonbo hands back
    // batches that mix spills).
    for (b, rows) in spill::in_tag_order(&batches, n - 1) {
        let batch = batches[b].slice(rows.start, rows.len());
        let keys = batch.column(n - 2).as_binary::<i32>().clone();
        let rows = B::from_batch(&batch.project(&record_columns).map_err(|e| Error::arrow(format!("reading {name}"), e))?)?;
        for (i, row) in rows.into_iter().enumerate() {
            let (key, _) = K::decode(keys.value(i)).ok_or_else(|| sabot_state::StateError::Decode {
                what: name.clone(),
                message: "a spilled join key does not decode".into(),
            })?;
            table.groups.insert_owned(key, Rows::new(smallvec![row]), |mine, new| mine.rows.extend(new.rows));
            table.rows += 1;
        }
    }
    spill.backend().drop_table(&name)?;
    Ok(table)
}

/// A build side that spilled: the probing stage runs once per partition with that partition's
/// table loaded.
pub struct SpilledBuild {
    load: Box<dyn Fn(usize) -> Result<Arc<dyn Any + Send + Sync>> + Send + Sync>,
}

impl SpilledBuild {
    /// A spilled build side whose partition `p` is read back by `load(p)`.
    pub(crate) fn new(load: Box<dyn Fn(usize) -> Result<Arc<dyn Any + Send + Sync>> + Send + Sync>) -> Self {
        SpilledBuild { load }
    }

    /// The table of partition `p`, for `StageCtx::set`.
    pub fn load(&self, p: usize) -> Result<Arc<dyn Any + Send + Sync>> {
        (self.load)(p)
    }
}

/// What the probe code gets for a row: its matches, or `None` when the row belongs to another
/// partition of a spilled build side (the row is skipped in this pass). With `MARK` (right
/// and full joins) the matched build rows are recorded.
#[inline]
pub fn probe<const MARK: bool, K, B, Q>(table: Option<&JoinTable<K, B>>, key: Q) -> Option<&[B]>
where
    K: Hash + Eq + Send + Sync + 'static,
    B: Send + Sync + 'static,
    Q: GroupKey<Owned = K>,
{
    match table {
        None => Some(&[]),
        Some(t) if !t.owns(key) => None,
        Some(t) if MARK => Some(t.get_marking(key)),
        Some(t) => Some(t.get(key)),
    }
}

/// One split's build table, merged with the others' and then shared with the probe stage.
pub trait BuildPartial: Send {
    /// Adds another split's rows (of the same join).
    fn merge(&mut self, other: Box<dyn BuildPartial>) -> Result<()>;
    /// Before `splits` more splits are merged into this first one: room for their keys (see
    /// `AggPartial::expect_splits`).
    fn expect_splits(&mut self, splits: usize) {
        let _ = splits;
    }
    /// The finished table, for `StageCtx::built` (a `SpilledBuild` when it spilled).
    fn finish(self: Box<Self>) -> Result<Arc<dyn Any + Send + Sync>>;
    /// For `merge`'s downcast.
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

impl<K: Hash + Eq + Send + Sync + 'static, B: Send + Sync + 'static> BuildPartial for JoinTable<K, B> {
    fn expect_splits(&mut self, splits: usize) {
        self.groups.expect_splits(splits);
    }

    fn merge(&mut self, other: Box<dyn BuildPartial>) -> Result<()> {
        let mut other = other.into_any().downcast::<Self>().map_err(|_| Error::Config("merging build sides of different joins".into()))?;
        self.dense.take();
        if self.merge_spilled(&mut other)? {
            return Ok(());
        }
        // Later splits' rows go after earlier ones': matches keep build-input order.
        self.rows += std::mem::take(&mut other.rows);
        self.groups.merge(std::mem::take(&mut other.groups), |mine, new| mine.rows.extend(new.rows));
        if self.account() {
            self.spill_now()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<Arc<dyn Any + Send + Sync>> {
        if !self.wrote() {
            return Ok(Arc::new(*self));
        }
        self.spill_now()?;
        let hook = self.spill.as_ref().expect("a table that wrote has a hook");
        let (ctx, stage, read) = (Arc::clone(&hook.ctx), hook.stage, hook.read);
        let load = move |p: usize| -> Result<Arc<dyn Any + Send + Sync>> { Ok(Arc::new(read(&ctx, stage, p)?)) };
        Ok(Arc::new(SpilledBuild::new(Box::new(load))))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}
