//! Triggers: when a windowed aggregation written `.window(w).trigger(t).group_by(..)
//! .aggregate(..)` emits a window's result, as Flink's `Trigger`. Without `.trigger`, a window
//! fires once the watermark passes its end; with one, the trigger decides per row, per
//! watermark and per tick of the wall clock, and a row-by-row table (`agg::Triggered`) applies
//! its decisions exactly, in input order per key.

use crate::value::Timestamp;
use crate::window::Window;
use std::time::Duration;

/// What a trigger asks of a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerAction {
    /// Nothing now.
    Continue,
    /// Emit the window's result and keep its state (later firings include these rows).
    Fire,
    /// Emit the window's result and clear its state.
    FireAndPurge,
    /// Clear the window's state without emitting.
    Purge,
}

#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a window trigger",
    label = "not a trigger",
    note = "triggers are `CountTrigger::of(n)`, `ProcessingTimeTrigger::every(d)`, `EventTimeTrigger`, or a type implementing `sabot::Trigger`"
)]
/// Decides when a window fires. Each method sees one window of one key; `count` is the rows
/// it received since it was last purged, `since_fire` since it last fired.
pub trait Trigger: Send + 'static {
    /// After a row went into `window`. The default waits.
    fn on_row(&mut self, window: Window, count: u64) -> TriggerAction {
        let _ = (window, count);
        TriggerAction::Continue
    }

    /// When the watermark moves to `watermark` (and with `Timestamp(i64::MAX)` at the end of
    /// input). The default fires and purges windows whose end it has passed: event time.
    fn on_watermark(&mut self, window: Window, watermark: Timestamp) -> TriggerAction {
        if window.end <= watermark { TriggerAction::FireAndPurge } else { TriggerAction::Continue }
    }

    /// How often `on_tick` runs, by the wall clock (`None`: never).
    fn tick_every(&self) -> Option<Duration> {
        None
    }

    /// At each tick, for windows that received rows since they last fired.
    fn on_tick(&mut self, window: Window, since_fire: u64) -> TriggerAction {
        let _ = (window, since_fire);
        TriggerAction::Continue
    }
}

/// Fires and purges a window every `n` rows (Flink's `countWindow(n)`): each result
/// aggregates exactly `n` rows of its key, in input order (in a stream with several readers,
/// in the order their morsels arrive). At the end of input, windows
/// holding fewer rows fire once more, so no row is left out.
#[derive(Debug, Clone, Copy)]
pub struct CountTrigger {
    n: u64,
}

impl CountTrigger {
    /// A result every `n` rows per key (`n` of 0 is treated as 1).
    pub const fn of(n: u64) -> Self {
        CountTrigger { n: if n == 0 { 1 } else { n } }
    }
}

impl Trigger for CountTrigger {
    fn on_row(&mut self, _: Window, count: u64) -> TriggerAction {
        if count >= self.n { TriggerAction::FireAndPurge } else { TriggerAction::Continue }
    }
}

/// Fires every window that received rows, every `interval` of the wall clock, keeping its
/// state (running results, Flink's `ContinuousProcessingTimeTrigger`); the window still fires
/// and purges when the watermark passes its end.
#[derive(Debug, Clone, Copy)]
pub struct ProcessingTimeTrigger {
    interval: Duration,
}

impl ProcessingTimeTrigger {
    /// Fires every `interval`.
    pub const fn every(interval: Duration) -> Self {
        ProcessingTimeTrigger { interval }
    }
}

impl Trigger for ProcessingTimeTrigger {
    fn tick_every(&self) -> Option<Duration> {
        Some(self.interval)
    }

    fn on_tick(&mut self, _: Window, since_fire: u64) -> TriggerAction {
        if since_fire > 0 { TriggerAction::Fire } else { TriggerAction::Continue }
    }
}

/// Checks that a `.trigger(..)` argument is a trigger (generated code wraps it in this).
pub fn trigger<T: Trigger>(t: T) -> T {
    t
}

/// The default trigger, named: fires and purges a window once the watermark passes its end.
#[derive(Debug, Clone, Copy, Default)]
pub struct EventTimeTrigger;

impl Trigger for EventTimeTrigger {}
