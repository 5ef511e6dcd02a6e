//! Spilling: when a job's group tables pass `--memory-limit`, a table is written to the state
//! backend in hash partitions (key and state as bytes) and emptied; at the end each partition is
//! read back alone, merged and finished, so only one partition's groups are in memory at once.

use super::table::GroupTable;
use crate::error::Result;
use arrow::array::{Array, ArrayRef, AsArray, BinaryBuilder, RecordBatch, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, UInt64Type};
use sabot_state::{StateBackend, StateCodec, StateError};
use std::collections::BTreeSet;
use std::hash::{BuildHasher, BuildHasherDefault, Hash};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Hash partitions of spilled state: one partition's groups must fit the budget at the end.
pub const PARTITIONS: usize = 64;

/// Where a job spills and how much memory its hash tables may hold, shared by every split.
#[derive(Debug)]
pub struct SpillCtx {
    backend: Arc<dyn StateBackend>,
    /// The tables' share of the job's limit (see `SpillCtx::new`).
    limit: usize,
    /// Bytes a spill encodes before appending them to the backend.
    flush_bytes: usize,
    used: AtomicUsize,
    /// The job's whole limit, which the process's resident set is held to.
    resident_limit: usize,
    /// What is left under `resident_limit` for a spill while it writes (see `SpillCtx::new`).
    headroom: usize,
    /// Bytes the tables have grown by in all (reservations added, never taken back), and the
    /// figure at which the resident set is next looked at.
    grown: AtomicU64,
    next_look: AtomicU64,
    /// How the resident set is read (`resident::bytes`; tests give their own).
    resident: fn() -> Option<usize>,
    /// Looks that found the resident set over the limit.
    resident_spills: AtomicU64,
    prefix: String,
    tables: Mutex<BTreeSet<String>>,
    spills: AtomicU64,
    rows: AtomicU64,
}

impl SpillCtx {
    /// Spilling into `backend` for a job limited to `limit` bytes. The tables get at most three
    /// quarters of it; the rest is for what every run holds besides them: decoded input
    /// morsels, the encoded slices a spill writes (a 32nd of the limit each, at most 8 MiB) and
    /// the backend's write buffers. How much that rest is depends on the backend and the
    /// input, so the process's resident set is looked at as the tables grow, and they spill
    /// sooner when it is over `limit` less the room a spill needs while it writes: its
    /// encoded slices (two in flight) and the backend's write buffers, at least an eighth of
    /// the limit and at most half.
    pub fn new(backend: Arc<dyn StateBackend>, limit: usize) -> Self {
        static RUNS: AtomicU64 = AtomicU64::new(0);
        let prefix = format!("spill-{}-{}", std::process::id(), RUNS.fetch_add(1, Ordering::Relaxed));
        let flush_bytes = (limit / 32).clamp(64 << 10, FLUSH_BYTES);
        let headroom = backend.write_buffer_bytes().saturating_add(2 * flush_bytes).clamp(limit / 8, limit / 2);
        SpillCtx {
            backend,
            limit: limit / 4 * 3,
            flush_bytes,
            used: AtomicUsize::new(0),
            resident_limit: limit,
            headroom,
            grown: AtomicU64::new(0),
            next_look: AtomicU64::new(0),
            resident: super::resident::bytes,
            resident_spills: AtomicU64::new(0),
            prefix,
            tables: Mutex::default(),
            spills: AtomicU64::new(0),
            rows: AtomicU64::new(0),
        }
    }

    /// The tables' memory budget in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Bytes a spill encodes before appending them to the backend.
    pub(crate) fn flush_bytes(&self) -> usize {
        self.flush_bytes
    }

    /// The backend spilled state goes to.
    pub fn backend(&self) -> &Arc<dyn StateBackend> {
        &self.backend
    }

    /// Adjusts the bytes held by tables (`delta` may be negative) and says whether the table
    /// that asked should spill: the tables hold more than their share of the limit, or they
    /// grew and (when `look` is set; a merge that already looked through
    /// [`SpillCtx::room_for`] does not) the process's resident set is over the limit less the
    /// headroom.
    fn reserve(&self, delta: isize, look: bool) -> bool {
        if delta < 0 {
            let now = self.used.fetch_sub(delta.unsigned_abs(), Ordering::Relaxed) - delta.unsigned_abs();
            return now > self.limit;
        }
        let now = self.used.fetch_add(delta as usize, Ordering::Relaxed) + delta as usize;
        now > self.limit || (look && self.resident_over(delta as usize, now))
    }

    /// Whether `extra` more bytes of tables would still be within the tables' share and, as
    /// far as a look says, within the resident limit.
    pub(crate) fn room_for(&self, extra: usize) -> bool {
        let now = self.used.load(Ordering::Relaxed).saturating_add(extra);
        now <= self.limit && !self.resident_over(extra, now)
    }

    /// Whether the resident set is over the job's limit less the headroom, looked at each time
    /// the tables have grown by a 64th of the limit, at least 256 KiB (so a spill's freed
    /// memory shows before the next look, and one look spills one table, not every table that
    /// grows meanwhile). Tables holding less than a quarter of the limit do not spill for it: when
    /// the rest of the process alone is over the limit, spilling them to nothing would only
    /// repeat.
    fn resident_over(&self, grew: usize, now: usize) -> bool {
        let grown = self.grown.fetch_add(grew as u64, Ordering::Relaxed).saturating_add(grew as u64);
        let next = self.next_look.load(Ordering::Relaxed);
        if grown < next || now <= self.resident_limit / 4 {
            return false;
        }
        let then = grown.saturating_add((self.resident_limit / 64).max(256 << 10) as u64);
        if self.next_look.compare_exchange(next, then, Ordering::Relaxed, Ordering::Relaxed).is_err() {
            return false;
        }
        // `grew` may not be allocated yet (a table reserves its doubled slots before it grows
        // into them), so it counts on top. The headroom is for what a spill itself holds while
        // it writes, which the look cannot see coming.
        let over = (self.resident)().is_some_and(|rss| rss.saturating_add(grew) > self.resident_limit - self.headroom);
        if over {
            self.resident_spills.fetch_add(1, Ordering::Relaxed);
        }
        over
    }

    /// Looks that found the process's resident set over the limit: each asked the table that
    /// grew to spill, or kept two split tables from merging in memory.
    pub fn resident_spills(&self) -> u64 {
        self.resident_spills.load(Ordering::Relaxed)
    }

    /// Counts one table written out with `rows` groups or rows.
    pub(crate) fn note_spill(&self, rows: u64) {
        self.spills.fetch_add(1, Ordering::Relaxed);
        self.rows.fetch_add(rows, Ordering::Relaxed);
    }

    /// (Tables written out, groups or rows written) so far.
    pub fn stats(&self) -> (u64, u64) {
        (self.spills.load(Ordering::Relaxed), self.rows.load(Ordering::Relaxed))
    }

    /// A table name of this run, remembered so that [`SpillCtx::cleanup`] drops it.
    pub(crate) fn table(&self, name: std::fmt::Arguments<'_>) -> String {
        let name = format!("{}/{}", self.prefix, name);
        self.tables.lock().unwrap_or_else(|p| p.into_inner()).insert(name.clone());
        name
    }

    /// Drops every table this run wrote.
    pub fn cleanup(&self) -> Result<()> {
        let tables = std::mem::take(&mut *self.tables.lock().unwrap_or_else(|p| p.into_inner()));
        for t in tables {
            self.backend.drop_table(&t)?;
        }
        Ok(())
    }
}

/// A budgeted table's link to its job's spill context: its reservation, where and in which
/// order it writes runs, and the functions that write it out and read a partition back
/// (captured where the table's types are known to be encodable, so the executor's merge and
/// finish need no such bounds).
pub(crate) struct SpillHook<W, R> {
    pub(crate) ctx: Arc<SpillCtx>,
    pub(crate) stage: usize,
    split: u64,
    spills: u64,
    reserved: usize,
    /// Whether the table (or a split merged into it) has written anything.
    pub(crate) wrote: bool,
    pub(crate) write: W,
    pub(crate) read: R,
}

impl<W, R> SpillHook<W, R> {
    /// A hook for the table of the stage and split `ctx` runs, when the job has a budget.
    pub(crate) fn new(ctx: &super::StageCtx, write: W, read: R) -> Option<Self> {
        let spill = ctx.spill()?;
        Some(SpillHook {
            ctx: Arc::clone(spill),
            stage: ctx.stage(),
            split: ctx.split() as u64,
            spills: 0,
            reserved: 0,
            wrote: false,
            write,
            read,
        })
    }

    /// Sets the table's reservation to `bytes`; whether the job is over its budget.
    pub(crate) fn account(&mut self, bytes: usize) -> bool {
        self.set_reserved(bytes, true)
    }

    /// Sets the reservation to `bytes`, looking at the resident set when `look` is set.
    fn set_reserved(&mut self, bytes: usize, look: bool) -> bool {
        let delta = bytes as isize - self.reserved as isize;
        self.reserved = bytes;
        self.ctx.reserve(delta, look)
    }

    /// The order tag of the next run (split, then spill number) and marks the table spilled.
    pub(crate) fn next_order(&mut self) -> u64 {
        let order = (self.split << 32) | self.spills;
        self.spills += 1;
        self.wrote = true;
        order
    }

    /// Sets the table's reservation to `bytes` without looking at the resident set (the caller
    /// just did).
    fn hold(&mut self, bytes: usize) {
        self.set_reserved(bytes, false);
    }

    /// Gives the reservation back (the table was emptied).
    pub(crate) fn release(&mut self) {
        self.account(0);
    }
}

impl<W, R> Drop for SpillHook<W, R> {
    fn drop(&mut self) {
        self.release();
    }
}

/// Writes a table out to the spill partitions of (stage, order).
pub(crate) type WriteFn<T> = fn(&mut T, &SpillCtx, usize, u64) -> Result<()>;

/// A table that can join the memory budget: group tables and join build tables. The provided
/// methods are the whole spilling protocol, shared by both.
pub(crate) trait Spillable: Sized {
    /// How a partition is read back.
    type Read;
    /// The table's hook, set once it joined the budget.
    fn hook(&mut self) -> &mut Option<SpillHook<WriteFn<Self>, Self::Read>>;
    /// The hook, for reading.
    fn hook_ref(&self) -> Option<&SpillHook<WriteFn<Self>, Self::Read>>;
    /// The bytes the table holds (its reservation).
    fn held_bytes(&self) -> usize;
    /// Whether there is nothing to write.
    fn holds_nothing(&self) -> bool;
    /// The bytes merging `other` into this table allocates beside what both hold.
    fn merge_growth(&self, other: &Self) -> usize;

    /// Joins the budget of `ctx`'s job (once) and spills when the job is over it.
    fn check_budget_with(&mut self, ctx: &super::StageCtx, write: WriteFn<Self>, read: Self::Read) -> Result<()> {
        if self.hook().is_none() {
            *self.hook() = SpillHook::new(ctx, write, read);
        }
        if self.account() { self.spill_now() } else { Ok(()) }
    }

    /// Updates the table's reservation; whether the job is over its budget.
    fn account(&mut self) -> bool {
        let bytes = self.held_bytes();
        self.hook().as_mut().is_some_and(|hook| hook.account(bytes))
    }

    /// Writes the table out (when it holds anything) and empties it.
    fn spill_now(&mut self) -> Result<()> {
        let Some(mut hook) = self.hook().take() else { return Ok(()) };
        let result = if self.holds_nothing() {
            Ok(())
        } else {
            let order = hook.next_order();
            (hook.write)(self, &hook.ctx, hook.stage, order)
        };
        hook.release();
        *self.hook() = Some(hook);
        result
    }

    /// Whether the table (or a split merged into it) has written anything.
    fn wrote(&self) -> bool {
        self.hook_ref().is_some_and(|h| h.wrote)
    }

    /// Merging once anything spilled: every split's rest goes out too, tagged with its own
    /// split, so partitions merge back in input order. Returns `false` (nothing done) when
    /// neither side has spilled and the tables should merge in memory.
    fn merge_spilled(&mut self, other: &mut Self) -> Result<bool> {
        // Merging in memory allocates the merged table's new slots while both tables are still
        // held: when the budget has no room for them, the two are written out instead.
        let growth = self.merge_growth(other);
        let room = self.hook_ref().or(other.hook_ref()).is_none_or(|h| h.ctx.room_for(growth));
        if !self.wrote() && !other.wrote() && room {
            // A split without rows never joined the budget: the merged table, all the other's
            // rows, takes the other's hook (its reservation and its order tag).
            let moved = self.hook_ref().is_none() && other.hook_ref().is_some();
            if moved {
                *self.hook() = other.hook().take();
            }
            // Both tables and the new slots are reserved in this table's hook while the merge
            // runs, so other splits' tables see them; the other's reservation goes (its rows
            // are counted here), and the caller's `account` then sets the merged table's size.
            let during = self.held_bytes() + other.held_bytes() + growth;
            if let Some(hook) = other.hook() {
                hook.release();
            }
            if let Some(hook) = self.hook() {
                hook.hold(during);
            }
            return Ok(false);
        }
        if self.hook_ref().is_none() {
            // Only a split without rows never joined the budget: it has nothing to keep.
            std::mem::swap(self, other);
        }
        self.spill_now()?;
        other.spill_now()?;
        // The merged side now stands for spilled rows, even if its own table was empty.
        if let Some(hook) = self.hook() {
            hook.wrote = true;
        }
        Ok(true)
    }
}

/// The partition of an owned key: a fixed hash, the same in every split and every run.
pub(crate) fn partition_of<K: Hash>(key: &K) -> usize {
    (BuildHasherDefault::<std::hash::DefaultHasher>::default().hash_one(key) % PARTITIONS as u64) as usize
}

fn run_schema() -> SchemaRef {
    static SCHEMA: std::sync::OnceLock<SchemaRef> = std::sync::OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            Arc::new(Schema::new(vec![
                Field::new("order", DataType::UInt64, false),
                Field::new("key", DataType::Binary, false),
                Field::new("state", DataType::Binary, false),
            ]))
        })
        .clone()
}

/// Writes every group of `table` to its partition of stage `stage`, tagged `order` (split and
/// spill number, so groups merge back in input order), and empties the table.
pub(crate) fn write_runs<K: StateCodec + Hash + Eq, A: StateCodec>(
    table: &mut GroupTable<K, A>,
    spill: &SpillCtx,
    stage: usize,
    order: u64,
) -> Result<()> {
    if spill.backend.prefers_large_appends() {
        return write_runs_by_partition(table, spill, stage, order);
    }
    let mut parts: Vec<(BinaryBuilder, BinaryBuilder)> = (0..PARTITIONS).map(|_| (BinaryBuilder::new(), BinaryBuilder::new())).collect();
    let mut buf = Vec::new();
    let groups = table.len() as u64;
    // Written in slices of about FLUSH_BYTES, not all at once: the table is only freed when
    // the last group is out, and a full encoded copy beside it doubled the spill's memory.
    // Slices of one run share its order tag and are read back in append order.
    let mut pending = 0usize;
    for (key, state) in table.take_groups() {
        let (keys, states) = &mut parts[partition_of(&key)];
        pending += encode_group(&key, &state, keys, states, &mut buf);
        if pending >= spill.flush_bytes {
            flush_runs(&mut parts, spill, stage, order)?;
            pending = 0;
        }
    }
    flush_runs(&mut parts, spill, stage, order)?;
    spill.note_spill(groups);
    Ok(())
}

/// [`write_runs`] for a backend that writes a file per append: the groups go out partition by
/// partition, so an append holds a slice of one partition (about `flush_bytes`) instead of a
/// 64th of a slice. The price is an index of the table's groups by partition while it is
/// written, 9 bytes a group beside the table (see the counting sort below).
fn write_runs_by_partition<K: StateCodec + Hash + Eq, A: StateCodec>(
    table: &mut GroupTable<K, A>,
    spill: &SpillCtx,
    stage: usize,
    order: u64,
) -> Result<()> {
    let groups = table.len() as u64;
    {
        // Groups ordered by partition with a counting sort: a partition byte and a pointer per
        // group (9 bytes) while the spill runs, where sorting (partition, key, state) triples
        // took 24, about 50 MB beside a 256 MiB budget's table.
        let parts: Vec<u8> = table.entries().map(|(k, _)| partition_of(k) as u8).collect();
        let mut starts = [0usize; PARTITIONS + 1];
        for &p in &parts {
            starts[p as usize + 1] += 1;
        }
        for p in 0..PARTITIONS {
            starts[p + 1] += starts[p];
        }
        let mut by_part: Vec<Option<&(K, A)>> = vec![None; parts.len()];
        let mut next = starts;
        for (group, &p) in table.entries().zip(&parts) {
            by_part[next[p as usize]] = Some(group);
            next[p as usize] += 1;
        }
        drop(parts);
        let (mut keys, mut states) = (BinaryBuilder::new(), BinaryBuilder::new());
        let mut buf = Vec::new();
        for p in 0..PARTITIONS {
            let mut pending = 0usize;
            for &group in &by_part[starts[p]..starts[p + 1]] {
                let (key, state) = group.expect("every slot is filled by the counting sort");
                if pending >= spill.flush_bytes {
                    append_run(spill, stage, p, order, &mut keys, &mut states)?;
                    pending = 0;
                }
                pending += encode_group(key, state, &mut keys, &mut states, &mut buf);
            }
            append_run(spill, stage, p, order, &mut keys, &mut states)?;
        }
    }
    drop(table.take_groups());
    spill.note_spill(groups);
    Ok(())
}

/// Encodes one group into a run's builders; the bytes it took.
fn encode_group<K: StateCodec, A: StateCodec>(
    key: &K,
    state: &A,
    keys: &mut BinaryBuilder,
    states: &mut BinaryBuilder,
    buf: &mut Vec<u8>,
) -> usize {
    buf.clear();
    key.encode(buf);
    keys.append_value(&buf);
    let bytes = buf.len();
    buf.clear();
    state.encode(buf);
    states.append_value(&buf);
    bytes + buf.len()
}

/// The most bytes a spill keeps before appending them to the backend (encoded groups here,
/// build rows in `join::write_build`); less under a small limit (`SpillCtx::flush_bytes`).
pub(crate) const FLUSH_BYTES: usize = 8 << 20;

/// Appends each partition's encoded groups to its table and empties the builders.
fn flush_runs(parts: &mut [(BinaryBuilder, BinaryBuilder)], spill: &SpillCtx, stage: usize, order: u64) -> Result<()> {
    for (p, (keys, states)) in parts.iter_mut().enumerate() {
        append_run(spill, stage, p, order, keys, states)?;
    }
    Ok(())
}

/// Appends the encoded groups in `keys` and `states` to partition `p`'s table (nothing when
/// empty) and empties the builders.
fn append_run(spill: &SpillCtx, stage: usize, p: usize, order: u64, keys: &mut BinaryBuilder, states: &mut BinaryBuilder) -> Result<()> {
    let (keys, states) = (keys.finish(), states.finish());
    if keys.is_empty() {
        return Ok(());
    }
    let orders: ArrayRef = Arc::new(UInt64Array::from_value(order, keys.len()));
    let batch = RecordBatch::try_new(run_schema(), vec![orders, Arc::new(keys), Arc::new(states)])
        .map_err(|e| StateError::Decode { what: "spill run".into(), message: e.to_string() })?;
    spill.backend.append(&spill.table(format_args!("s{stage}/p{p}")), &batch)?;
    Ok(())
}

/// Hands every group spilled to partition `p` of stage `stage` to `each`, in input order, and
/// drops the partition. Groups are decoded one at a time into `each` (the caller's table), so
/// a partition is in memory as its stored batches and that table, not also as a list.
pub(crate) fn read_partition<K: StateCodec, A: StateCodec>(
    spill: &SpillCtx,
    stage: usize,
    p: usize,
    each: &mut dyn FnMut(K, A),
) -> Result<()> {
    let name = spill.table(format_args!("s{stage}/p{p}"));
    let batches = spill.backend.read(&name)?;
    let bad = |what: &str| StateError::Decode { what: name.clone(), message: format!("a spilled {what} does not decode") };
    for (b, rows) in in_tag_order(&batches, 0) {
        let (keys, states) = (batches[b].column(1).as_binary::<i32>(), batches[b].column(2).as_binary::<i32>());
        for i in rows {
            let (key, _) = K::decode(keys.value(i)).ok_or_else(|| bad("key"))?;
            let (state, _) = A::decode(states.value(i)).ok_or_else(|| bad("state"))?;
            each(key, state);
        }
    }
    drop(batches);
    spill.backend.drop_table(&name)?;
    Ok(())
}

/// The rows of spilled `batches` in order-tag order (column `tag` holds the tags), as
/// (batch, rows) stretches. Batches come back in append order, but a backend may cut or join
/// them (Tonbo returns rows in batches of its own): each batch is taken as stretches of rows
/// with one tag, and ordering the stretches by tag, stably, puts a spill's rows in append
/// order and spills in (split, spill) order. A spill appends one tag at a time, so there are
/// about as many stretches as appends.
pub(crate) fn in_tag_order(batches: &[RecordBatch], tag: usize) -> Vec<(usize, std::ops::Range<usize>)> {
    let mut stretches: Vec<(u64, usize, std::ops::Range<usize>)> = Vec::with_capacity(batches.len());
    for (b, batch) in batches.iter().enumerate() {
        let tags = batch.column(tag).as_primitive::<UInt64Type>().values();
        let mut start = 0;
        for i in 1..=tags.len() {
            if i == tags.len() || tags[i] != tags[start] {
                stretches.push((tags[start], b, start..i));
                start = i;
            }
        }
    }
    stretches.sort_by_key(|s| s.0);
    stretches.into_iter().map(|(_, b, rows)| (b, rows)).collect()
}

/// Every group of partition `p`, as a list (for tests).
#[cfg(test)]
fn read_partition_vec<K: StateCodec, A: StateCodec>(spill: &SpillCtx, stage: usize, p: usize) -> Result<Vec<(K, A)>> {
    let mut out = Vec::new();
    read_partition(spill, stage, p, &mut |k, a| out.push((k, a)))?;
    Ok(out)
}

/// A stage's table offered to the memory budget. Generated code calls
/// `(&Budget::new(&mut table)).check_budget(ctx)` with both traits below in scope: method
/// lookup picks [`SpillByCodec`] when the table's key and state can be encoded, else
/// [`KeepInMemory`], so a table of unencodable state stays in memory and a mistyped aggregate
/// reports only its own error.
pub struct Budget<'a, T>(std::cell::RefCell<&'a mut T>);

impl<'a, T> Budget<'a, T> {
    /// Wraps the table for one check.
    pub fn new(table: &'a mut T) -> Self {
        Budget(std::cell::RefCell::new(table))
    }
}

/// Spills through the state codec (the table's key and state are encodable).
pub trait SpillByCodec {
    /// Joins the budget and spills when the job is over it.
    fn check_budget(&self, ctx: &super::StageCtx) -> Result<()>;
}

impl<K: StateCodec + Hash + Eq, A: StateCodec> SpillByCodec for Budget<'_, GroupTable<K, A>> {
    fn check_budget(&self, ctx: &super::StageCtx) -> Result<()> {
        self.0.borrow_mut().check_budget(ctx)
    }
}

/// The fallback: the table stays in memory.
pub trait KeepInMemory {
    /// Does nothing.
    fn check_budget(&self, _: &super::StageCtx) -> Result<()> {
        Ok(())
    }
}

impl<T> KeepInMemory for &Budget<'_, T> {}

impl<K: StateCodec + Hash + Eq + Send + Sync + 'static, B: crate::record::Record> SpillByCodec for Budget<'_, super::JoinTable<K, B>> {
    fn check_budget(&self, ctx: &super::StageCtx) -> Result<()> {
        self.0.borrow_mut().check_budget(ctx)
    }
}

impl<K: StateCodec + Hash + Eq + Send + Sync + 'static> SpillByCodec for Budget<'_, super::KeySet<K>> {
    fn check_budget(&self, ctx: &super::StageCtx) -> Result<()> {
        self.0.borrow_mut().check_budget(ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run larger than one slice goes out in several appends under one order tag, and every
    /// group comes back once, in its partition.
    #[test]
    fn a_run_of_many_slices_reads_back_whole() {
        let spill = SpillCtx::new(Arc::new(sabot_state::MemoryBackend::default()), usize::MAX);
        let mut table: GroupTable<u64, u64> = GroupTable::new();
        let groups = 1_200_000u64; // about 19 MB encoded: three slices
        for k in 0..groups {
            table.upsert(k, || k * 3, |_| unreachable!("keys are distinct"));
        }
        write_runs(&mut table, &spill, 0, 7).unwrap();
        assert!(table.is_empty());
        let batches: usize = (0..PARTITIONS).map(|p| spill.backend.read(&spill.table(format_args!("s0/p{p}"))).unwrap().len()).sum();
        assert!(batches > PARTITIONS, "one append per partition and slice: {batches}");
        let mut back: Vec<(u64, u64)> = (0..PARTITIONS).flat_map(|p| read_partition_vec::<u64, u64>(&spill, 0, p).unwrap()).collect();
        back.sort_unstable();
        assert_eq!(back.len() as u64, groups);
        assert!(back.iter().enumerate().all(|(i, &(k, v))| k == i as u64 && v == k * 3));
    }

    /// A memory backend that asks for large appends, as Tonbo does, and says it buffers 32 MiB
    /// of writes, as RocksDB does.
    #[derive(Debug, Default)]
    struct FilePerAppend(sabot_state::MemoryBackend);

    impl StateBackend for FilePerAppend {
        fn kind(&self) -> &'static str {
            "file-per-append"
        }
        fn put(&self, ns: &str, key: &[u8], value: &[u8]) -> std::result::Result<(), StateError> {
            self.0.put(ns, key, value)
        }
        fn get(&self, ns: &str, key: &[u8]) -> std::result::Result<Option<Vec<u8>>, StateError> {
            self.0.get(ns, key)
        }
        fn delete(&self, ns: &str, key: &[u8]) -> std::result::Result<(), StateError> {
            self.0.delete(ns, key)
        }
        fn entries(&self, ns: &str) -> std::result::Result<Vec<sabot_state::Entry>, StateError> {
            self.0.entries(ns)
        }
        fn append(&self, table: &str, batch: &RecordBatch) -> std::result::Result<(), StateError> {
            self.0.append(table, batch)
        }
        fn read(&self, table: &str) -> std::result::Result<Vec<RecordBatch>, StateError> {
            self.0.read(table)
        }
        fn drop_table(&self, table: &str) -> std::result::Result<(), StateError> {
            self.0.drop_table(table)
        }
        fn prefers_large_appends(&self) -> bool {
            true
        }
        fn write_buffer_bytes(&self) -> usize {
            32 << 20
        }
    }

    /// A backend's write buffers are left free under the limit: with 32 MiB of them (and two
    /// 2 MiB slices, 36 MiB, of which at most half the limit is kept free), a 64 MiB job
    /// spills once 32 MiB are resident instead of 56.
    #[test]
    fn the_backends_write_buffers_are_left_under_the_limit() {
        static RSS: AtomicUsize = AtomicUsize::new(33 << 20);
        let mut buffered = SpillCtx::new(Arc::new(FilePerAppend::default()), 64 << 20);
        let mut plain = SpillCtx::new(Arc::new(sabot_state::MemoryBackend::default()), 64 << 20);
        for ctx in [&mut buffered, &mut plain] {
            ctx.resident = || Some(RSS.load(Ordering::Relaxed));
            assert!(!ctx.reserve(16 << 20, true));
        }
        assert!(buffered.reserve(1 << 20, true), "33 MiB resident and 1 MiB more is over 64 - 32");
        assert!(!plain.reserve(1 << 20, true), "but under 64 - 8");
    }

    /// For a backend that writes a file per append, a run goes out partition by partition:
    /// about one append per partition and slice, not one per partition in every slice.
    #[test]
    fn a_run_for_a_file_per_append_backend_goes_out_by_partition() {
        let spill = SpillCtx::new(Arc::new(FilePerAppend::default()), 64 << 20);
        let mut table: GroupTable<u64, u64> = GroupTable::new();
        let groups = 400_000u64; // about 6 MB encoded: three 2 MiB slices
        for k in 0..groups {
            table.upsert(k, || k * 3, |_| unreachable!("keys are distinct"));
        }
        write_runs(&mut table, &spill, 0, 7).unwrap();
        assert!(table.is_empty());
        let batches: usize = (0..PARTITIONS).map(|p| spill.backend.read(&spill.table(format_args!("s0/p{p}"))).unwrap().len()).sum();
        assert!(batches <= PARTITIONS + 4, "one append per partition (and slice boundary): {batches}");
        let mut back: Vec<(u64, u64)> = (0..PARTITIONS).flat_map(|p| read_partition_vec::<u64, u64>(&spill, 0, p).unwrap()).collect();
        back.sort_unstable();
        assert_eq!(back.len() as u64, groups);
        assert!(back.iter().enumerate().all(|(i, &(k, v))| k == i as u64 && v == k * 3));
    }

    /// Two split tables merged in memory: while the merge runs both are reserved once, and
    /// after it the budget holds the merged table alone (the other's reservation is gone).
    #[test]
    fn a_merge_in_memory_leaves_one_reservation() {
        let spill = Arc::new(SpillCtx::new(Arc::new(sabot_state::MemoryBackend::default()), 1 << 30));
        let ctx = super::super::StageCtx::with_spill(Some(Arc::clone(&spill)));
        let (mut a, mut b): (GroupTable<u64, u64>, GroupTable<u64, u64>) = (GroupTable::new(), GroupTable::new());
        for k in 0..1000u64 {
            a.upsert(k, || k, |_| ());
            b.upsert(k + 500, || k, |_| ());
        }
        a.check_budget(&ctx.at(0, 0)).unwrap();
        b.check_budget(&ctx.at(0, 1)).unwrap();
        let (held_a, held_b) = (a.held_bytes(), b.held_bytes());
        assert_eq!(spill.used.load(Ordering::Relaxed), held_a + held_b);
        let growth = Spillable::merge_growth(&a, &b);
        assert!(growth > 0, "1500 groups do not fit the slots of 1000");
        assert!(!a.merge_spilled(&mut b).unwrap(), "room for the merge: it runs in memory");
        assert_eq!(spill.used.load(Ordering::Relaxed), held_a + held_b + growth);
        a.merge(std::mem::take(&mut b), |x, y| *x += y);
        a.account();
        drop(b);
        assert_eq!(a.len(), 1500);
        assert_eq!(spill.used.load(Ordering::Relaxed), a.held_bytes());
    }

    /// Tables well under their share spill once the process's resident set is over seven
    /// eighths of the limit, one look per 64th of the limit they grow by, and growth not yet
    /// allocated counts on top; a merge in memory is refused the same way.
    #[test]
    fn tables_spill_when_the_resident_set_is_over_the_limit() {
        static RSS: AtomicUsize = AtomicUsize::new(0);
        let backend: Arc<dyn StateBackend> = Arc::new(sabot_state::MemoryBackend::default());
        let mut ctx = SpillCtx::new(backend, 64 << 20);
        ctx.resident = || Some(RSS.load(Ordering::Relaxed));
        let step: isize = 1 << 20; // a 64th of 64 MiB

        RSS.store(60 << 20, Ordering::Relaxed);
        assert!(!ctx.reserve(16 << 20, true), "a quarter of the limit is not spilled for the resident set");
        assert!(ctx.reserve(step, true), "60 MiB resident is over 56: the table that grew spills");
        assert_eq!(ctx.resident_spills(), 1);
        assert!(!ctx.reserve(1024, true), "the next look waits for another 64th of growth");

        RSS.store(40 << 20, Ordering::Relaxed);
        assert!(!ctx.reserve(step, true), "40 MiB resident and 1 MiB more is within 56");
        assert!(ctx.reserve(17 << 20, true), "40 MiB resident and 17 MiB about to be allocated is not");
        assert_eq!(ctx.resident_spills(), 2);

        ctx.reserve(-(ctx.used.load(Ordering::Relaxed) as isize), true);
        RSS.store(60 << 20, Ordering::Relaxed);
        assert!(ctx.reserve(17 << 20, true));
        assert!(!ctx.room_for(1 << 20), "a merge's new slots are refused while the resident set is over");
        RSS.store(20 << 20, Ordering::Relaxed);
        assert!(ctx.room_for(1 << 20), "and allowed once it is not");
        assert!(!ctx.room_for(40 << 20), "beyond the tables' share there is never room");
        assert_eq!(ctx.resident_spills(), 4);
    }

    /// A backend may hand back batches that hold several runs (Tonbo cuts its own): groups
    /// still come back in tag order, and within a tag in append order.
    #[test]
    fn runs_sharing_a_batch_come_back_in_tag_order() {
        let spill = SpillCtx::new(Arc::new(sabot_state::MemoryBackend::default()), 64 << 20);
        let append = |tags: &[u64], values: &[u64]| {
            let (mut keys, mut states) = (BinaryBuilder::new(), BinaryBuilder::new());
            for v in values {
                keys.append_value(v.to_le_bytes());
                states.append_value(v.to_le_bytes());
            }
            let orders: ArrayRef = Arc::new(UInt64Array::from(tags.to_vec()));
            let batch = RecordBatch::try_new(run_schema(), vec![orders, Arc::new(keys.finish()), Arc::new(states.finish())]).unwrap();
            spill.backend.append(&spill.table(format_args!("s0/p3")), &batch).unwrap();
        };
        append(&[7, 7, 2, 2, 9], &[70, 71, 20, 21, 90]);
        append(&[2, 7, 1], &[22, 72, 10]);
        let back: Vec<u64> = read_partition_vec::<u64, u64>(&spill, 0, 3).unwrap().into_iter().map(|(k, _)| k).collect();
        assert_eq!(back, [10, 20, 21, 22, 70, 71, 72, 90]);
    }
}
