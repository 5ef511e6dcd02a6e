//! Sabot's state backends. One [`StateBackend`] trait serves keyed byte state (value, map and
//! list state of user code, spill partitions) and append-only columnar tables (aggregation
//! state and join build sides that passed their memory budget). Three implementations:
//! [`MemoryBackend`] (the default), RocksDB (`rocksdb` feature) and Tonbo (`tonbo` feature),
//! picked at run time from a `--state` spec by [`open`].

mod error;
// Without a persistent backend only the schema check is used.
#[cfg_attr(not(any(feature = "rocksdb", feature = "tonbo")), allow(dead_code))]
mod ipc;
mod keyed;
mod memory;
#[cfg(feature = "rocksdb")]
mod rocks;
mod spec;
#[cfg(feature = "tonbo")]
mod tonbo_db;

use std::sync::Arc;

use arrow::record_batch::RecordBatch;

pub use error::StateError;
pub use keyed::{ListState, MapState, StateCodec, ValueState};
pub use memory::MemoryBackend;
#[cfg(feature = "rocksdb")]
pub use rocks::RocksBackend;
pub use spec::StateSpec;
#[cfg(feature = "tonbo")]
pub use tonbo_db::TonboBackend;

/// Key and value bytes of one keyed-state entry.
pub type Entry = (Vec<u8>, Vec<u8>);

/// Where a job keeps its state: keyed bytes by namespace, and columnar tables by name.
///
/// Namespaces and table names are short identifiers (`[A-Za-z0-9_./-]`). Implementations are
/// thread-safe; every call is synchronous (async stores run on a private runtime).
pub trait StateBackend: Send + Sync + std::fmt::Debug {
    /// The backend's name as written in `--state` (`memory`, `rocksdb`, `tonbo`).
    fn kind(&self) -> &'static str;
    /// Sets `key` in namespace `ns` to `value`, replacing what was there.
    fn put(&self, ns: &str, key: &[u8], value: &[u8]) -> Result<(), StateError>;
    /// The value of `key` in `ns`, if set.
    fn get(&self, ns: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StateError>;
    /// Removes `key` from `ns` (no error when absent).
    fn delete(&self, ns: &str, key: &[u8]) -> Result<(), StateError>;
    /// Every entry of `ns`, ordered by key bytes.
    fn entries(&self, ns: &str) -> Result<Vec<Entry>, StateError>;
    /// Appends `batch` to table `table`, creating it with the batch's schema on first use.
    fn append(&self, table: &str, batch: &RecordBatch) -> Result<(), StateError>;
    /// Every batch of `table` in append order (empty when the table does not exist).
    fn read(&self, table: &str) -> Result<Vec<RecordBatch>, StateError>;
    /// Removes `table` and its data (no error when absent).
    fn drop_table(&self, table: &str) -> Result<(), StateError>;
    /// Whether every append costs a file of its own (Tonbo writes one Parquet file, with a
    /// bloom filter of about 1 MiB, per append): spills then gather each partition's rows into
    /// fewer, larger appends. RocksDB takes small appends cheaply.
    fn prefers_large_appends(&self) -> bool {
        false
    }
    /// Bytes the backend may buffer in memory while tables are appended to (RocksDB's
    /// memtables): a job spilling under a memory limit leaves room for them.
    fn write_buffer_bytes(&self) -> usize {
        0
    }
}

/// Opens the backend a `--state` spec names; `memory` needs no directory.
pub fn open(spec: &StateSpec) -> Result<Arc<dyn StateBackend>, StateError> {
    match spec {
        StateSpec::Memory => Ok(Arc::new(MemoryBackend::default())),
        #[cfg(feature = "rocksdb")]
        StateSpec::RocksDb(dir) => Ok(Arc::new(RocksBackend::open(dir)?)),
        #[cfg(not(feature = "rocksdb"))]
        StateSpec::RocksDb(_) => Err(StateError::NotCompiled("rocksdb")),
        #[cfg(feature = "tonbo")]
        StateSpec::Tonbo(dir) => Ok(Arc::new(TonboBackend::open(dir)?)),
        #[cfg(not(feature = "tonbo"))]
        StateSpec::Tonbo(_) => Err(StateError::NotCompiled("tonbo")),
    }
}

/// Checks a namespace or table name: identifiers only, so every backend can map it to keys
/// and directory names without escaping.
pub(crate) fn check_name(name: &str) -> Result<(), StateError> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && !name.contains("..")
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_./-".contains(&b));
    if ok { Ok(()) } else { Err(StateError::Name(name.to_string())) }
}
