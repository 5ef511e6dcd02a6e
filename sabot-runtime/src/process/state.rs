//! Keyed state of a `process` function: value, list and map state of the key being handled,
//! stored as bytes in the job's state backend under `process.s<stage>.<name>`.

use sabot_state::{StateBackend, StateCodec, StateError};
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

/// The state namespaces of one `process` stage. Each starts empty in a run: the first time a
/// name is used, what an earlier run left under it is removed (there is no restore yet).
pub(crate) struct StateScope {
    backend: Arc<dyn StateBackend>,
    stage: usize,
    /// The namespace of each state name used so far (looked up per record, without allocating).
    opened: HashMap<String, Arc<str>>,
}

impl StateScope {
    pub(crate) fn new(backend: Arc<dyn StateBackend>, stage: usize) -> Self {
        StateScope { backend, stage, opened: HashMap::new() }
    }

    /// The namespace of state `name`, cleared on first use.
    pub(crate) fn namespace(&mut self, name: &str) -> Result<Arc<str>, StateError> {
        if let Some(ns) = self.opened.get(name) {
            return Ok(Arc::clone(ns));
        }
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(StateError::Name(format!("{name} (state names are letters, digits and `_`)")));
        }
        let ns: Arc<str> = format!("process.s{}.{name}", self.stage).into();
        for (k, _) in self.backend.entries(&ns)? {
            self.backend.delete(&ns, &k)?;
        }
        self.opened.insert(name.to_string(), Arc::clone(&ns));
        Ok(ns)
    }

    pub(crate) fn backend(&self) -> &Arc<dyn StateBackend> {
        &self.backend
    }
}

fn decode<T: StateCodec>(ns: &str, bytes: &[u8]) -> Result<T, StateError> {
    match T::decode(bytes) {
        Some((v, n)) if n == bytes.len() => Ok(v),
        _ => Err(StateError::Decode {
            what: ns.to_string(),
            message: format!("{} bytes do not hold one {}", bytes.len(), std::any::type_name::<T>()),
        }),
    }
}

fn encode<T: StateCodec>(v: &T) -> Vec<u8> {
    let mut out = Vec::new();
    v.encode(&mut out);
    out
}

/// One value of the current key (`ctx.value::<V>("name")`).
pub struct KeyedValue<'a, V> {
    backend: Arc<dyn StateBackend>,
    ns: Arc<str>,
    key: &'a [u8],
    _v: PhantomData<fn() -> V>,
}

impl<'a, V: StateCodec> KeyedValue<'a, V> {
    pub(crate) fn new(backend: Arc<dyn StateBackend>, ns: Arc<str>, key: &'a [u8]) -> Self {
        KeyedValue { backend, ns, key, _v: PhantomData }
    }
    /// The value, if set.
    pub fn get(&self) -> Result<Option<V>, StateError> {
        self.backend.get(&self.ns, self.key)?.map(|b| decode(&self.ns, &b)).transpose()
    }
    /// Sets the value.
    pub fn set(&self, value: &V) -> Result<(), StateError> {
        self.backend.put(&self.ns, self.key, &encode(value))
    }
    /// Removes the value.
    pub fn clear(&self) -> Result<(), StateError> {
        self.backend.delete(&self.ns, self.key)
    }
}

/// A list of the current key (`ctx.list::<V>("name")`).
pub struct KeyedList<'a, V> {
    inner: KeyedValue<'a, Vec<V>>,
}

impl<'a, V: StateCodec> KeyedList<'a, V> {
    pub(crate) fn new(backend: Arc<dyn StateBackend>, ns: Arc<str>, key: &'a [u8]) -> Self {
        KeyedList { inner: KeyedValue::new(backend, ns, key) }
    }
    /// The list (empty when nothing was added).
    pub fn get(&self) -> Result<Vec<V>, StateError> {
        Ok(self.inner.get()?.unwrap_or_default())
    }
    /// Appends `value`.
    pub fn push(&self, value: V) -> Result<(), StateError> {
        let mut list = self.get()?;
        list.push(value);
        self.inner.set(&list)
    }
    /// Replaces the whole list.
    pub fn set(&self, list: &Vec<V>) -> Result<(), StateError> {
        self.inner.set(list)
    }
    /// Empties the list.
    pub fn clear(&self) -> Result<(), StateError> {
        self.inner.clear()
    }
}

/// A map of the current key (`ctx.map::<MK, V>("name")`).
pub struct KeyedMap<'a, MK, V> {
    backend: Arc<dyn StateBackend>,
    ns: Arc<str>,
    key: &'a [u8],
    _v: PhantomData<fn(MK) -> V>,
}

impl<'a, MK: StateCodec, V: StateCodec> KeyedMap<'a, MK, V> {
    pub(crate) fn new(backend: Arc<dyn StateBackend>, ns: Arc<str>, key: &'a [u8]) -> Self {
        KeyedMap { backend, ns, key, _v: PhantomData }
    }
    /// Entries are stored under the key's length, the key's bytes, then the map key's bytes,
    /// so one key's entries never read as another's.
    fn slot(&self, map_key: &MK) -> Vec<u8> {
        let mut out = self.prefix();
        map_key.encode(&mut out);
        out
    }
    fn prefix(&self) -> Vec<u8> {
        let mut out = (self.key.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(self.key);
        out
    }
    /// The entry for `map_key`.
    pub fn get(&self, map_key: &MK) -> Result<Option<V>, StateError> {
        self.backend.get(&self.ns, &self.slot(map_key))?.map(|b| decode(&self.ns, &b)).transpose()
    }
    /// Sets the entry for `map_key`.
    pub fn insert(&self, map_key: &MK, value: &V) -> Result<(), StateError> {
        self.backend.put(&self.ns, &self.slot(map_key), &encode(value))
    }
    /// Removes the entry for `map_key`.
    pub fn remove(&self, map_key: &MK) -> Result<(), StateError> {
        self.backend.delete(&self.ns, &self.slot(map_key))
    }
    /// Every entry, ordered by the map key's bytes. Reads the stage's whole namespace: meant
    /// for small maps (the backend trait has no prefix scan yet).
    pub fn entries(&self) -> Result<Vec<(MK, V)>, StateError> {
        let prefix = self.prefix();
        let mut out = Vec::new();
        for (k, v) in self.backend.entries(&self.ns)? {
            if let Some(rest) = k.strip_prefix(prefix.as_slice()) {
                out.push((decode(&self.ns, rest)?, decode(&self.ns, &v)?));
            }
        }
        Ok(out)
    }
    /// Removes every entry.
    pub fn clear(&self) -> Result<(), StateError> {
        let prefix = self.prefix();
        for (k, _) in self.backend.entries(&self.ns)? {
            if k.starts_with(&prefix) {
                self.backend.delete(&self.ns, &k)?;
            }
        }
        Ok(())
    }
}
