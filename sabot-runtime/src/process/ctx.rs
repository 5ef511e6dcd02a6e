//! What a `process` function sees besides its record: the key, its state, timers, the
//! watermark and the clock, and where its output goes.

use super::KeyedProcess;
use super::state::{KeyedList, KeyedMap, KeyedValue, StateScope};
use crate::value::Timestamp;
use sabot_state::{StateCodec, StateError};
use std::collections::BTreeSet;

/// Registered timers of one `process` stage, by time then key bytes (so they fire in time order,
/// and a key registers one timer per time at most, as in Flink).
#[derive(Default)]
pub(crate) struct Timers {
    pub(crate) event: BTreeSet<(i64, Vec<u8>)>,
    pub(crate) processing: BTreeSet<(i64, Vec<u8>)>,
}

/// The wall clock, as a timestamp.
pub(crate) fn now() -> Timestamp {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    Timestamp(nanos.min(i64::MAX as u128) as i64)
}

/// The context of one call of [`KeyedProcess::process`] or [`KeyedProcess::on_timer`].
pub struct ProcessCtx<'a, P: KeyedProcess + ?Sized> {
    pub(crate) key: &'a P::Key,
    pub(crate) key_bytes: &'a [u8],
    pub(crate) out: &'a mut Vec<P::Out>,
    pub(crate) timers: &'a mut Timers,
    pub(crate) scope: &'a mut StateScope,
    pub(crate) watermark: Option<i64>,
}

impl<'a, P: KeyedProcess + ?Sized> ProcessCtx<'a, P> {
    /// The key of the record or timer being handled.
    pub fn key(&self) -> &P::Key {
        self.key
    }

    /// Emits one output row.
    pub fn emit(&mut self, row: P::Out) {
        self.out.push(row);
    }

    /// The value state `name` of the current key.
    pub fn value<V: StateCodec>(&mut self, name: &str) -> Result<KeyedValue<'a, V>, StateError> {
        let ns = self.scope.namespace(name)?;
        Ok(KeyedValue::new(self.scope.backend().clone(), ns, self.key_bytes))
    }

    /// The list state `name` of the current key.
    pub fn list<V: StateCodec>(&mut self, name: &str) -> Result<KeyedList<'a, V>, StateError> {
        let ns = self.scope.namespace(name)?;
        Ok(KeyedList::new(self.scope.backend().clone(), ns, self.key_bytes))
    }

    /// The map state `name` of the current key.
    pub fn map<MK: StateCodec, V: StateCodec>(&mut self, name: &str) -> Result<KeyedMap<'a, MK, V>, StateError> {
        let ns = self.scope.namespace(name)?;
        Ok(KeyedMap::new(self.scope.backend().clone(), ns, self.key_bytes))
    }

    /// The event time every input has passed (`None` before the first watermark; in batch
    /// runs, until the end of input).
    pub fn watermark(&self) -> Option<Timestamp> {
        self.watermark.map(Timestamp)
    }

    /// The wall clock now.
    pub fn processing_time(&self) -> Timestamp {
        now()
    }

    /// Calls `on_timer` for the current key once the watermark passes `at` (rows at `at` are still on time).
    pub fn register_event_time_timer(&mut self, at: Timestamp) {
        self.timers.event.insert((at.0, self.key_bytes.to_vec()));
    }

    /// Calls `on_timer` for the current key once the wall clock reaches `at`.
    pub fn register_processing_time_timer(&mut self, at: Timestamp) {
        self.timers.processing.insert((at.0, self.key_bytes.to_vec()));
    }

    /// Removes the current key's event-time timer at `at`, if set.
    pub fn delete_event_time_timer(&mut self, at: Timestamp) {
        self.timers.event.remove(&(at.0, self.key_bytes.to_vec()));
    }

    /// Removes the current key's processing-time timer at `at`, if set.
    pub fn delete_processing_time_timer(&mut self, at: Timestamp) {
        self.timers.processing.remove(&(at.0, self.key_bytes.to_vec()));
    }
}
