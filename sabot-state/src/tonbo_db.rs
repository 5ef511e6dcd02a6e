//! The Tonbo backend: each table is a Tonbo database (Arrow batches in a Parquet LSM) keyed by
//! a hidden append sequence column, so a scan returns rows in append order; each keyed-state
//! namespace is a Tonbo database of `(k: Binary key, v: Binary)`. Tonbo is async: calls run on a
//! private one-worker tokio runtime.

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
use fusio::{disk::LocalFs, executor::tokio::TokioExecutor};
use tonbo::db::{DB, DbBuilder, Expr, ScalarValue, WalConfig, WalSyncPolicy, wal_tuning::WalConfigExt};

use crate::{Entry, StateBackend, StateError, check_name, ipc};

type Db = DB<LocalFs, TokioExecutor>;

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
    keyed: Mutex<HashMap<String, Arc<Db>>>,
}

struct Table {
    db: Db,
    /// The user's columns, without the sequence column.
    schema: SchemaRef,
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
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("sabot-tonbo")
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
            match self.rt.as_ref().expect("runtime lives until drop").block_on(op()) {
                Ok(v) => return Ok(v),
                Err(e) if attempt < 8 && e.to_string().contains("precondition failed") => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(1 << attempt));
                }
                Err(e) => return Err(self.err(format!("{}: {e}", what()))),
            }
        }
    }

    fn open_db(&self, dir: &Path, schema: SchemaRef, key: &str) -> Result<Db, StateError> {
        std::fs::create_dir_all(dir).map_err(|e| self.err(e))?;
        // Every commit is synced: a reopened directory holds everything that was acknowledged.
        let wal = WalConfig::default().sync_policy(WalSyncPolicy::Always);
        // Opening publishes to the manifest too, and can lose the same race as a write.
        self.run(
            || format!("opening {}", dir.display()),
            || {
                let (schema, wal) = (Arc::clone(&schema), wal.clone());
                async move {
                    let builder = DbBuilder::from_schema_key_name(schema, key).map_err(|e| e.to_string())?;
                    builder.on_disk(dir).map_err(|e| e.to_string())?.wal_config(wal).open().await.map_err(|e| e.to_string())
                }
            },
        )
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
        let db = self.open_db(&inc.join("db"), Arc::new(Schema::new(fields)), SEQ)?;
        let seq_only = Arc::new(Schema::new(vec![Field::new(SEQ, DataType::UInt64, false)]));
        let stored = self.run(|| format!("reading `{name}`"), || db.scan().projection(Arc::clone(&seq_only)).collect())?;
        let next_seq = stored
            .iter()
            .filter_map(|b| b.column_by_name(SEQ).and_then(|c| arrow::compute::max(c.as_primitive::<UInt64Type>())))
            .max()
            .map_or(0, |m| m + 1);
        let table = Arc::new(Table { db, schema, next_seq: Mutex::new(next_seq) });
        tables.insert(name.to_string(), Arc::clone(&table));
        Ok(Some(table))
    }

    fn keyed_db(&self, ns: &str) -> Result<Arc<Db>, StateError> {
        let mut keyed = self.keyed.lock().unwrap();
        if let Some(db) = keyed.get(ns) {
            return Ok(Arc::clone(db));
        }
        let db = Arc::new(self.open_db(&self.root.join("keyed").join(ns), kv_schema(), "k")?);
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
        self.run(|| format!("writing state `{ns}`"), || db.ingest_with_tombstones(batch.clone(), vec![delete]))
    }
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
        let found = self.run(|| format!("reading state `{ns}`"), || db.scan().filter(filter.clone()).collect())?;
        Ok(kv_pairs(&found).into_iter().find(|(k, _)| k == key).map(|(_, v)| v))
    }

    fn delete(&self, ns: &str, key: &[u8]) -> Result<(), StateError> {
        check_name(ns)?;
        self.ingest_kv(ns, key, &[], true)
    }

    fn entries(&self, ns: &str) -> Result<Vec<Entry>, StateError> {
        check_name(ns)?;
        let db = self.keyed_db(ns)?;
        let all = self.run(|| format!("reading state `{ns}`"), || db.scan().collect())?;
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
        let schema = t.db_schema();
        let stored = RecordBatch::try_new(schema, columns).map_err(|e| self.err(e))?;
        self.run(|| format!("appending to `{table}`"), || t.db.ingest(stored.clone()))?;
        *next += batch.num_rows() as u64;
        Ok(())
    }

    fn read(&self, table: &str) -> Result<Vec<RecordBatch>, StateError> {
        check_name(table)?;
        let Some(t) = self.table(table, None)? else { return Ok(Vec::new()) };
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

impl Table {
    fn db_schema(&self) -> SchemaRef {
        let mut fields: Vec<Field> = self.schema.fields().iter().map(|f| f.as_ref().clone()).collect();
        fields.push(Field::new(SEQ, DataType::UInt64, false));
        Arc::new(Schema::new(fields))
    }
}
