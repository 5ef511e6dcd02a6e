//! The Tonbo backend: each table is a Tonbo database (Arrow batches in a Parquet LSM) keyed by
//! a hidden append sequence column, so a scan returns rows in append order; each keyed-state
//! namespace is a Tonbo database of `(k: Binary key, v: Binary)`. Tonbo is async: calls run on a
//! private one-worker tokio runtime.
//!
//! A table's memtable is sealed after every append and the append waits for Tonbo's flush of
//! it to Parquet: appended rows leave memory before the call returns, which is what spilling
//! needs (with its defaults Tonbo 0.4 seals at 64 batches, flushes once four sealed segments
//! have built up, and does so in detached tasks that fall behind the writers).

mod tracked;

/// What one append holds in memory until its flush returns: Tonbo's memtable keeps an owned
/// key and row view per row (several times the batch's Arrow bytes), and the flush encodes
/// the batch to Parquet beside it. Measured: a 256 MiB join spilling to Tonbo peaked 40–60
/// MiB over its resident set at the spill's start with appends of 8 MiB.
const APPEND_BUFFER: usize = 40 << 20;

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use arrow::{
    array::{ArrayRef, AsArray, BinaryArray, UInt64Array},
    datatypes::{DataType, Field, Schema, SchemaRef, UInt64Type},
    record_batch::RecordBatch,
};
use fusio::disk::LocalFs;
use tonbo::db::{BatchesThreshold, DB, DbBuilder, Expr, ScalarValue, WalConfig, WalSyncPolicy, wal_tuning::WalConfigExt};
use tracked::TrackedExecutor;

use crate::{Entry, StateBackend, StateError, check_name, ipc};

type Db = DB<LocalFs, TrackedExecutor>;

/// The hidden key column of tables: the row's position in append order.
const SEQ: &str = "_sabot_seq";

/// State in Tonbo databases under a directory; survives the process (`--state tonbo:DIR`).
pub struct TonboBackend {
    root: PathBuf,
    /// `None` only while dropping.
    rt: Option<tokio::runtime::Runtime>,
    /// Directories of dropped tables, removed once Tonbo's background tasks are done with them.
    graveyard: Mutex<Vec<(std::time::Instant, PathBuf)>>,
    tables: Mutex<HashMap<String, Arc<Table>>>,
    keyed: Mutex<HashMap<String, Arc<Keyed>>>,
}

/// A keyed-state namespace's database.
struct Keyed {
    db: Db,
    exec: TrackedExecutor,
    /// Held by each call: a read must not run while a write's flush is under way (Tonbo's scan
    /// can miss segments that a flush removes between its snapshot and its read).
    calls: Mutex<()>,
}

struct Table {
    db: Db,
    /// The executor of `db`'s background tasks, to wait for the flush an append starts.
    exec: TrackedExecutor,
    /// The user's columns, without the sequence column.
    schema: SchemaRef,
    /// The columns as stored: the user's, then the sequence column.
    stored: SchemaRef,
    next_seq: Mutex<u64>,
}

impl std::fmt::Debug for TonboBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TonboBackend").field("root", &self.root).finish()
    }
}

impl TonboBackend {
    /// Opens (or creates) the state directory `dir`.
    pub fn open(dir: &Path) -> Result<Self, StateError> {
        report_background_panics_briefly();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            // Tonbo's file calls run on tokio's blocking pool. Left at its default of 512,
            // a spilling job had 45 threads whose allocator caches kept twice the memory.
            .max_blocking_threads(2)
            .thread_name(RUNTIME_THREAD)
            .enable_all()
            .build()
            .map_err(|e| store_err(dir, e))?;
        std::fs::create_dir_all(dir).map_err(|e| store_err(dir, e))?;
        Ok(TonboBackend {
            root: dir.to_path_buf(),
            rt: Some(rt),
            graveyard: Mutex::default(),
            tables: Mutex::default(),
            keyed: Mutex::default(),
        })
    }

    fn err(&self, e: impl std::fmt::Display) -> StateError {
        store_err(&self.root, e)
    }

    /// Runs `op` to completion, again when Tonbo reports a lost manifest race ("precondition
    /// failed", which its own publishers retry). Every operation here is idempotent: rows are
    /// keyed by their sequence number or state key, so a repeated write overwrites itself.
    fn run<T, E, F>(&self, what: impl Fn() -> String, mut op: impl FnMut() -> F) -> Result<T, StateError>
    where
        E: std::fmt::Display,
        F: std::future::Future<Output = Result<T, E>>,
    {
        let mut attempt = 0;
        loop {
            match self.block_on(op()) {
                Ok(v) => return Ok(v),
                Err(e) if attempt < 8 && e.to_string().contains("precondition failed") => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(1 << attempt));
                }
                Err(e) => return Err(self.err(format!("{}: {e}", what()))),
            }
        }
    }

    /// Runs `f` to completion on the backend's runtime.
    fn block_on<T>(&self, f: impl std::future::Future<Output = T>) -> T {
        self.rt.as_ref().expect("runtime lives until drop").block_on(f)
    }

    /// Opens the database in `dir`; with `flush_each` its memtable is sealed after every ingest
    /// and flushed to one Parquet file (Tonbo's minor compaction at one sealed segment).
    fn open_db(&self, dir: &Path, schema: SchemaRef, key: &str, flush_each: bool) -> Result<(Db, TrackedExecutor), StateError> {
        std::fs::create_dir_all(dir).map_err(|e| self.err(e))?;
        let exec = {
            let _in_runtime = self.rt.as_ref().expect("runtime lives until drop").enter();
            TrackedExecutor::current()
        };
        // Every commit is synced: a reopened directory holds everything that was acknowledged.
        let wal = WalConfig::default().sync_policy(WalSyncPolicy::Always);
        // Opening publishes to the manifest too, and can lose the same race as a write.
        let db = self.run(
            || format!("opening {}", dir.display()),
            || {
                let (schema, wal, exec) = (Arc::clone(&schema), wal.clone(), Arc::new(exec.clone()));
                async move {
                    let builder = DbBuilder::from_schema_key_name(schema, key).map_err(|e| e.to_string())?;
                    let mut builder = builder.on_disk(dir).map_err(|e| e.to_string())?.wal_config(wal);
                    if flush_each {
                        builder = builder.with_seal_policy(Arc::new(BatchesThreshold { batches: 1 })).with_minor_compaction(1, 0);
                    }
                    builder.open_with_executor(exec).await.map_err(|e| e.to_string())
                }
            },
        )?;
        Ok((db, exec))
    }

    /// The table, opened from disk if it exists; `create` gives the schema for a new one.
    fn table(&self, name: &str, create: Option<SchemaRef>) -> Result<Option<Arc<Table>>, StateError> {
        let mut tables = self.tables.lock().unwrap();
        if let Some(t) = tables.get(name) {
            return Ok(Some(Arc::clone(t)));
        }
        // Each incarnation of a table lives in a directory of its own, named in `CURRENT`:
        // Tonbo's background tasks of a dropped table may still write into the old one, and
        // must never leak into a new table of the same name.
        let dir = self.root.join("tables").join(name);
        let current = dir.join("CURRENT");
        let (inc, schema) = if current.exists() {
            let id = std::fs::read_to_string(&current).map_err(|e| self.err(e))?;
            let inc = dir.join(id.trim());
            let bytes = std::fs::read(inc.join("schema.arrow")).map_err(|e| self.err(e))?;
            (inc, ipc::decode_schema(name, &bytes)?)
        } else if let Some(schema) = create {
            static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
            let id = format!("g-{nanos:x}-{:x}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
            let inc = dir.join(&id);
            std::fs::create_dir_all(&inc).map_err(|e| self.err(e))?;
            std::fs::write(inc.join("schema.arrow"), ipc::encode_schema(&schema)).map_err(|e| self.err(e))?;
            let tmp = dir.join("CURRENT.tmp");
            std::fs::write(&tmp, &id).map_err(|e| self.err(e))?;
            std::fs::rename(&tmp, &current).map_err(|e| self.err(e))?;
            (inc, schema)
        } else {
            return Ok(None);
        };
        let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
        fields.push(Field::new(SEQ, DataType::UInt64, false));
        let stored_schema = Arc::new(Schema::new(fields));
        let (db, exec) = self.open_db(&inc.join("db"), Arc::clone(&stored_schema), SEQ, true)?;
        let seq_only = Arc::new(Schema::new(vec![Field::new(SEQ, DataType::UInt64, false)]));
        let stored = self.run(|| format!("reading `{name}`"), || db.scan().projection(Arc::clone(&seq_only)).collect())?;
        let next_seq = stored
            .iter()
            .filter_map(|b| b.column_by_name(SEQ).and_then(|c| arrow::compute::max(c.as_primitive::<UInt64Type>())))
            .max()
            .map_or(0, |m| m + 1);
        let table = Arc::new(Table { db, exec, schema, stored: stored_schema, next_seq: Mutex::new(next_seq) });
        tables.insert(name.to_string(), Arc::clone(&table));
        Ok(Some(table))
    }

    /// The database of keyed namespace `ns` and its executor.
    fn keyed_db(&self, ns: &str) -> Result<Arc<Keyed>, StateError> {
        let mut keyed = self.keyed.lock().unwrap();
        if let Some(db) = keyed.get(ns) {
            return Ok(Arc::clone(db));
        }
        let (db, exec) = self.open_db(&self.root.join("keyed").join(ns), kv_schema(), "k", false)?;
        let db = Arc::new(Keyed { db, exec, calls: Mutex::new(()) });
        keyed.insert(ns.to_string(), Arc::clone(&db));
        Ok(db)
    }

    fn ingest_kv(&self, ns: &str, key: &[u8], value: &[u8], delete: bool) -> Result<(), StateError> {
        let db = self.keyed_db(ns)?;
        let batch = RecordBatch::try_new(
            kv_schema(),
            vec![Arc::new(BinaryArray::from_vec(vec![key])), Arc::new(BinaryArray::from_vec(vec![value]))],
        )
        .map_err(|e| self.err(e))?;
        let _call = db.calls.lock().unwrap();
        self.write_through(&db.exec, || format!("writing state `{ns}`"), || db.db.ingest_with_tombstones(batch.clone(), vec![delete]))
    }

    /// Runs the write `op` (as [`run`](Self::run) does), then waits for the tasks it started,
    /// Tonbo's flush among them; tasks alive before it (the WAL writer) run on.
    fn write_through<E, F>(&self, exec: &TrackedExecutor, what: impl Fn() -> String, op: impl FnMut() -> F) -> Result<(), StateError>
    where
        E: std::fmt::Display,
        F: std::future::Future<Output = Result<(), E>>,
    {
        let mark = exec.mark();
        self.run(what, op)?;
        self.block_on(exec.settle(mark));
        Ok(())
    }
}

/// The name of the backend's runtime threads, where only Tonbo's own tasks run.
const RUNTIME_THREAD: &str = "sabot-tonbo";
/// Where fusio 0.6.1 unwraps the path of a file that may be gone (`open_options`).
const FUSIO_RACE: &str = "impls/disk/tokio/fs.rs";

/// Makes one known panic of fusio 0.6.1 a one-line warning: its manifest's orphan recovery, a
/// detached task on the backend's runtime, lists lease files and unwraps `canonicalize` on one
/// that a finishing write may just have removed. tokio drops the task, and orphan recovery
/// stays off for that database (it adopts manifest segments a crash left unpublished). Under
/// `RUST_BACKTRACE` the default hook symbolizes the binary for it, which left 150 MB of debug
/// information resident in a spilling job. Every other panic goes to the previous hook.
fn report_background_panics_briefly() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let known = info.location().is_some_and(|l| l.file().ends_with(FUSIO_RACE));
            if known && std::thread::current().name() == Some(RUNTIME_THREAD) {
                let message = info
                    .payload()
                    .downcast_ref::<&str>()
                    .copied()
                    .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
                    .unwrap_or("(no message)");
                let at = info.location().map_or_else(String::new, |l| format!(" at {l}"));
                eprintln!("warning: Tonbo's manifest orphan recovery failed{at}: {message}; it was dropped");
            } else {
                previous(info);
            }
        }));
    });
}

fn kv_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![Field::new("k", DataType::Binary, false), Field::new("v", DataType::Binary, false)]))
}

fn store_err(path: &Path, e: impl std::fmt::Display) -> StateError {
    StateError::Store { backend: "tonbo", path: path.to_path_buf(), message: e.to_string() }
}

fn kv_pairs(batches: &[RecordBatch]) -> Vec<Entry> {
    let mut out = Vec::new();
    for b in batches {
        let (k, v) = (b.column(0).as_binary::<i32>(), b.column(1).as_binary::<i32>());
        out.extend((0..b.num_rows()).map(|i| (k.value(i).to_vec(), v.value(i).to_vec())));
    }
    out
}

impl StateBackend for TonboBackend {
    fn prefers_large_appends(&self) -> bool {
        true
    }

    fn write_buffer_bytes(&self) -> usize {
        APPEND_BUFFER
    }

    fn kind(&self) -> &'static str {
        "tonbo"
    }

    fn put(&self, ns: &str, key: &[u8], value: &[u8]) -> Result<(), StateError> {
        check_name(ns)?;
        self.ingest_kv(ns, key, value, false)
    }

    fn get(&self, ns: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        check_name(ns)?;
        let db = self.keyed_db(ns)?;
        let filter = Expr::eq("k", ScalarValue::Binary(Some(key.to_vec())));
        let _call = db.calls.lock().unwrap();
        let found = self.run(|| format!("reading state `{ns}`"), || db.db.scan().filter(filter.clone()).collect())?;
        Ok(kv_pairs(&found).into_iter().find(|(k, _)| k == key).map(|(_, v)| v))
    }

    fn delete(&self, ns: &str, key: &[u8]) -> Result<(), StateError> {
        check_name(ns)?;
        self.ingest_kv(ns, key, &[], true)
    }

    fn entries(&self, ns: &str) -> Result<Vec<Entry>, StateError> {
        check_name(ns)?;
        let db = self.keyed_db(ns)?;
        let _call = db.calls.lock().unwrap();
        let all = self.run(|| format!("reading state `{ns}`"), || db.db.scan().collect())?;
        let mut pairs = kv_pairs(&all);
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(pairs)
    }

    fn append(&self, table: &str, batch: &RecordBatch) -> Result<(), StateError> {
        check_name(table)?;
        let t = self.table(table, Some(batch.schema()))?.expect("created when missing");
        ipc::check_schema(table, &t.schema, batch)?;
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let mut next = t.next_seq.lock().unwrap();
        let seq: ArrayRef = Arc::new(UInt64Array::from_iter_values(*next..*next + batch.num_rows() as u64));
        let mut columns = batch.columns().to_vec();
        columns.push(seq);
        let stored = RecordBatch::try_new(Arc::clone(&t.stored), columns).map_err(|e| self.err(e))?;
        self.write_through(&t.exec, || format!("appending to `{table}`"), || t.db.ingest(stored.clone()))?;
        *next += batch.num_rows() as u64;
        Ok(())
    }

    fn read(&self, table: &str) -> Result<Vec<RecordBatch>, StateError> {
        check_name(table)?;
        let Some(t) = self.table(table, None)? else { return Ok(Vec::new()) };
        // Not while an append's flush is under way (see `Keyed::calls`).
        let _appends = t.next_seq.lock().unwrap();
        let stored = self.run(|| format!("reading `{table}`"), || t.db.scan().collect())?;
        stored
            .into_iter()
            .filter(|b| b.num_rows() > 0)
            .map(|b| {
                let columns = t.schema.fields().iter().map(|f| b.column_by_name(f.name()).cloned());
                let columns: Option<Vec<ArrayRef>> = columns.collect();
                let columns = columns.ok_or_else(|| StateError::Decode {
                    what: table.to_string(),
                    message: "a stored batch lacks a column of the table".into(),
                })?;
                RecordBatch::try_new(Arc::clone(&t.schema), columns).map_err(|e| self.err(e))
            })
            .collect()
    }

    fn drop_table(&self, table: &str) -> Result<(), StateError> {
        check_name(table)?;
        self.tables.lock().unwrap().remove(table);
        let dir = self.root.join("tables").join(table);
        let current = dir.join("CURRENT");
        let id = match std::fs::read_to_string(&current) {
            Ok(id) => id,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(self.err(e)),
        };
        // Gone once `CURRENT` is; the data goes after, and a straggling write can only land in
        // the old incarnation's directory.
        std::fs::remove_file(&current).map_err(|e| self.err(e))?;
        let mut graveyard = self.graveyard.lock().unwrap();
        graveyard.push((std::time::Instant::now(), dir.join(id.trim())));
        // Tonbo's background tasks of a dropped table finish within moments; removing its files
        // under them makes them fail noisily, so old enough directories go now, the rest on drop.
        graveyard.retain(|(at, path)| at.elapsed() < std::time::Duration::from_secs(10) || std::fs::remove_dir_all(path).is_err());
        Ok(())
    }
}

impl Drop for TonboBackend {
    fn drop(&mut self) {
        self.tables.lock().unwrap_or_else(|p| p.into_inner()).clear();
        self.keyed.lock().unwrap_or_else(|p| p.into_inner()).clear();
        if let Some(rt) = self.rt.take() {
            rt.shutdown_timeout(std::time::Duration::from_secs(5));
        }
        for (_, path) in self.graveyard.lock().unwrap_or_else(|p| p.into_inner()).drain(..) {
            let _ = std::fs::remove_dir_all(path);
        }
    }
}
