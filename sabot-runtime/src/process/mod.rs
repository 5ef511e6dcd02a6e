//! Keyed `process`: user code that sees one record at a time with the state of its key and
//! timers, as Flink's `KeyedProcessFunction`. `key_by(|row| key).process(MyFn { .. })` ends a
//! stage in a [`Processing`] table; the rows it emits flow on like any stage's output.
//!
//! - State is per key, by name: [`ProcessCtx::value`], [`ProcessCtx::list`] and
//!   [`ProcessCtx::map`] read and write the job's state backend (`--state memory|rocksdb:DIR|
//!   tonbo:DIR`), so state larger than memory lives on disk.
//! - Timers are per key and time: event-time timers fire when the watermark passes their time
//!   (in time order), processing-time timers when the wall clock does. At the end of input
//!   every event-time timer fires, then every processing-time timer, so nothing a function
//!   registered is dropped; timers those final firings register are not fired.
//! - One function instance sees every key, in input order per key (per reader in a stream with
//!   several); it runs on the thread that merges the stage's input (the rows before it run on
//!   all cores).

mod ctx;
mod runner;
mod state;

pub use ctx::ProcessCtx;
pub use runner::{ProcessBuffer, Processing};
pub use state::{KeyedList, KeyedMap, KeyedValue};

use crate::record::Record;
use crate::value::Timestamp;
use sabot_state::StateCodec;

/// What a `process` function returns: any error stops the job, reported with the key.
pub type ProcessResult = std::result::Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Which clock a timer follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimeDomain {
    /// The records' event time: fires when the watermark passes it.
    EventTime,
    /// The wall clock of the machine running the job.
    ProcessingTime,
}

/// A timer that fired: its time and clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timer {
    /// The time it was registered for.
    pub time: Timestamp,
    /// The clock it follows.
    pub domain: TimeDomain,
}

/// A function over the records of one key at a time, with keyed state and timers
/// (`key_by(|row| key).process(f)`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a keyed process function",
    label = "`process` takes a value whose type implements `KeyedProcess`",
    note = "implement `sabot::KeyedProcess` for it: `type Key`, `type In`, `type Out` and `fn process`"
)]
pub trait KeyedProcess: Send + 'static {
    /// The key `key_by` returns, in its owned form (`String` for a `&str` key).
    type Key: StateCodec + Clone + std::fmt::Debug + Send + 'static;
    /// The record it reads.
    type In: Record;
    /// The record it emits.
    type Out: Record;

    /// Handles one record of key `ctx.key()`: read and write its state, emit rows, set timers.
    fn process(&mut self, row: Self::In, ctx: &mut ProcessCtx<'_, Self>) -> ProcessResult;

    /// Handles a timer of key `ctx.key()` that fired. The default does nothing.
    fn on_timer(&mut self, timer: Timer, ctx: &mut ProcessCtx<'_, Self>) -> ProcessResult {
        let _ = (timer, ctx);
        Ok(())
    }
}
