//! The in-memory backend: a sorted map per namespace and a list of batches per table.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Mutex,
};

use arrow::record_batch::RecordBatch;

use crate::{Entry, StateBackend, StateError, check_name, ipc};

/// One namespace's entries, ordered by key.
type Namespace = BTreeMap<Vec<u8>, Vec<u8>>;

/// State in the process's memory, lost when it ends; the default `--state memory`.
#[derive(Debug, Default)]
pub struct MemoryBackend {
    keyed: Mutex<HashMap<String, Namespace>>,
    tables: Mutex<HashMap<String, Vec<RecordBatch>>>,
}

impl StateBackend for MemoryBackend {
    fn kind(&self) -> &'static str {
        "memory"
    }

    fn put(&self, ns: &str, key: &[u8], value: &[u8]) -> Result<(), StateError> {
        check_name(ns)?;
        self.keyed.lock().unwrap().entry(ns.to_string()).or_default().insert(key.to_vec(), value.to_vec());
        Ok(())
    }

    fn get(&self, ns: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        check_name(ns)?;
        Ok(self.keyed.lock().unwrap().get(ns).and_then(|m| m.get(key)).cloned())
    }

    fn delete(&self, ns: &str, key: &[u8]) -> Result<(), StateError> {
        check_name(ns)?;
        if let Some(map) = self.keyed.lock().unwrap().get_mut(ns) {
            map.remove(key);
        }
        Ok(())
    }

    fn entries(&self, ns: &str) -> Result<Vec<Entry>, StateError> {
        check_name(ns)?;
        let keyed = self.keyed.lock().unwrap();
        Ok(keyed.get(ns).map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default())
    }

    fn append(&self, table: &str, batch: &RecordBatch) -> Result<(), StateError> {
        check_name(table)?;
        let mut tables = self.tables.lock().unwrap();
        let batches = tables.entry(table.to_string()).or_default();
        if let Some(first) = batches.first() {
            ipc::check_schema(table, &first.schema(), batch)?;
        }
        batches.push(batch.clone());
        Ok(())
    }

    fn read(&self, table: &str) -> Result<Vec<RecordBatch>, StateError> {
        check_name(table)?;
        Ok(self.tables.lock().unwrap().get(table).cloned().unwrap_or_default())
    }

    fn drop_table(&self, table: &str) -> Result<(), StateError> {
        check_name(table)?;
        self.tables.lock().unwrap().remove(table);
        Ok(())
    }
}
