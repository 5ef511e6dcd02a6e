//! The RocksDB backend: keyed state in column family `kv` under `ns \0 key`; table batches as
//! Arrow IPC values in column family `tables` under `table \0 seq` (big-endian, so a prefix scan
//! returns them in append order).

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::Mutex,
};

use arrow::{datatypes::SchemaRef, record_batch::RecordBatch};
use rocksdb::{ColumnFamily, DB, Direction, IteratorMode, Options};

use crate::{Entry, StateBackend, StateError, check_name, ipc};

const KV: &str = "kv";
const TABLES: &str = "tables";
/// Bytes of one memtable, and memtables a column family may hold (one filling, one flushing).
const WRITE_BUFFER: usize = 16 << 20;
const WRITE_BUFFERS: usize = 2;

/// State in a RocksDB database directory; survives the process (`--state rocksdb:DIR`).
pub struct RocksBackend {
    db: DB,
    path: PathBuf,
    /// Per table: the next sequence number and the schema, learnt on first use in this process.
    tables: Mutex<HashMap<String, (u64, SchemaRef)>>,
}

impl std::fmt::Debug for RocksBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RocksBackend").field("path", &self.path).finish()
    }
}

impl RocksBackend {
    /// Opens (or creates) the database in `dir`.
    pub fn open(dir: &Path) -> Result<Self, StateError> {
        one_malloc_arena();
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.create_missing_column_families(true);
        opts.set_compression_type(rocksdb::DBCompressionType::Lz4);
        // Spilled tables go here because memory is short: keep RocksDB's own buffers small
        // (two 16 MiB memtables per column family instead of 64 MiB ones).
        opts.set_write_buffer_size(WRITE_BUFFER);
        opts.set_max_write_buffer_number(WRITE_BUFFERS as i32);
        // Column families take their own options (`open_cf` would give them the defaults).
        let families = [KV, TABLES].map(|name| rocksdb::ColumnFamilyDescriptor::new(name, opts.clone()));
        let db = DB::open_cf_descriptors(&opts, dir, families).map_err(|e| store_err(dir, e))?;
        Ok(RocksBackend { db, path: dir.to_path_buf(), tables: Mutex::new(HashMap::new()) })
    }

    fn cf(&self, name: &str) -> &ColumnFamily {
        self.db.cf_handle(name).expect("column families are created by open")
    }

    fn err(&self, e: rocksdb::Error) -> StateError {
        store_err(&self.path, e)
    }

    /// Every `(key without prefix, value)` under `prefix` in column family `cf`.
    fn scan_prefix(&self, cf: &str, prefix: &[u8]) -> Result<Vec<Entry>, StateError> {
        let mut out = Vec::new();
        for item in self.db.iterator_cf(self.cf(cf), IteratorMode::From(prefix, Direction::Forward)) {
            let (k, v) = item.map_err(|e| self.err(e))?;
            if !k.starts_with(prefix) {
                break;
            }
            out.push((k[prefix.len()..].to_vec(), v.into_vec()));
        }
        Ok(out)
    }

    /// The next sequence number and schema of `table` as stored, or `None` when it is empty.
    fn stored_tail(&self, table: &str) -> Result<Option<(u64, SchemaRef)>, StateError> {
        let prefix = prefixed(table, &[]);
        let upper = prefixed(table, &[0xff; 8]);
        let mut it = self.db.iterator_cf(self.cf(TABLES), IteratorMode::From(&upper, Direction::Reverse));
        let Some(item) = it.next() else { return Ok(None) };
        let (k, v) = item.map_err(|e| self.err(e))?;
        if !k.starts_with(&prefix) || k.len() != prefix.len() + 8 {
            return Ok(None);
        }
        let seq = u64::from_be_bytes(k[prefix.len()..].try_into().expect("8 bytes"));
        let schema = ipc::decode(table, &v)?
            .first()
            .map(|b| b.schema())
            .ok_or_else(|| StateError::Decode { what: table.to_string(), message: "stored batch is empty".into() })?;
        Ok(Some((seq + 1, schema)))
    }
}

fn store_err(path: &Path, e: rocksdb::Error) -> StateError {
    StateError::Store { backend: "rocksdb", path: path.to_path_buf(), message: e.into_string() }
}

fn prefixed(name: &str, rest: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(name.len() + 1 + rest.len());
    key.extend_from_slice(name.as_bytes());
    key.push(0);
    key.extend_from_slice(rest);
    key
}

impl StateBackend for RocksBackend {
    fn kind(&self) -> &'static str {
        "rocksdb"
    }

    fn put(&self, ns: &str, key: &[u8], value: &[u8]) -> Result<(), StateError> {
        check_name(ns)?;
        self.db.put_cf(self.cf(KV), prefixed(ns, key), value).map_err(|e| self.err(e))
    }

    fn get(&self, ns: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        check_name(ns)?;
        self.db.get_cf(self.cf(KV), prefixed(ns, key)).map_err(|e| self.err(e))
    }

    fn delete(&self, ns: &str, key: &[u8]) -> Result<(), StateError> {
        check_name(ns)?;
        self.db.delete_cf(self.cf(KV), prefixed(ns, key)).map_err(|e| self.err(e))
    }

    fn entries(&self, ns: &str) -> Result<Vec<Entry>, StateError> {
        check_name(ns)?;
        self.scan_prefix(KV, &prefixed(ns, &[]))
    }

    fn append(&self, table: &str, batch: &RecordBatch) -> Result<(), StateError> {
        check_name(table)?;
        let mut tables = self.tables.lock().unwrap();
        if !tables.contains_key(table) {
            let tail = self.stored_tail(table)?.unwrap_or((0, batch.schema()));
            tables.insert(table.to_string(), tail);
        }
        let (seq, schema) = tables.get_mut(table).expect("inserted above");
        ipc::check_schema(table, schema, batch)?;
        self.db.put_cf(self.cf(TABLES), prefixed(table, &seq.to_be_bytes()), ipc::encode(batch)).map_err(|e| self.err(e))?;
        *seq += 1;
        Ok(())
    }

    fn read(&self, table: &str) -> Result<Vec<RecordBatch>, StateError> {
        check_name(table)?;
        // Tables are read once (spills) or rarely: their blocks are not kept in the block
        // cache, and each value is decoded as it comes instead of all values copied first.
        let prefix = prefixed(table, &[]);
        let mut read = rocksdb::ReadOptions::default();
        read.fill_cache(false);
        read.set_iterate_upper_bound(prefixed(table, &[0xff; 9]));
        let mut out = Vec::new();
        for item in self.db.iterator_cf_opt(self.cf(TABLES), read, IteratorMode::From(&prefix, Direction::Forward)) {
            let (k, v) = item.map_err(|e| self.err(e))?;
            if !k.starts_with(&prefix) {
                break;
            }
            out.extend(ipc::decode(table, &v)?);
        }
        trim_malloc();
        Ok(out)
    }

    fn write_buffer_bytes(&self) -> usize {
        // The tables' column family only: spills append there.
        WRITE_BUFFER * WRITE_BUFFERS
    }

    fn drop_table(&self, table: &str) -> Result<(), StateError> {
        check_name(table)?;
        self.tables.lock().unwrap().remove(table);
        let (from, to) = (prefixed(table, &[]), prefixed(table, &[0xff; 9]));
        self.db.delete_range_cf(self.cf(TABLES), from, to).map_err(|e| self.err(e))
    }
}

/// RocksDB allocates through the C library's malloc (Rust code through mimalloc). glibc gives
/// each thread that allocates an arena of its own and keeps what is freed in it: RocksDB's
/// flush and compaction threads each held memtable-sized blocks after use, about 70 MiB of
/// resident memory in a spilling run. The setting is the whole process's, made before RocksDB
/// starts its threads: every C allocation then shares one locked arena (RocksDB's, and zstd's
/// contexts for Parquet pages), which measured no slower. It does not shrink
/// arenas a process made before its first RocksDB backend was opened.
fn one_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` sets a tuning parameter of glibc's allocator; any value is valid.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Gives the C heap's free pages back to the kernel. A table read (a spilled partition read
/// back) frees RocksDB's read buffers into glibc's heap, which kept them: on the 10M-key
/// spill bench at 48 MiB (2 cores) the group-by's C heap grew from 36 to 71 MiB while
/// partitions were read back, and trimming after each read took its peak RSS from 184–193
/// to 163–169 MiB, in the same time (8.5–9.0 s against 8.5–9.1 s). The trim walks the heap
/// under its lock (one arena, see `one_malloc_arena`), so other C allocations wait for it;
/// reads happen once per spilled partition.
fn trim_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases free memory of glibc's allocator.
    unsafe {
        libc::malloc_trim(0);
    }
}
