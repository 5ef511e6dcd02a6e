//! Event-time windows: the assigners a pipeline names in `.window(...)` (which windows hold a
//! timestamp), the `Window` a windowed aggregate's groups belong to, and `EventTime`, the
//! row views whose record marks a `#[sabot(event_time)]` field.

use crate::error::{Error, Result};
use crate::value::Timestamp;
use std::time::Duration;

/// A window of event time, `[start, end)`: what the aggregate closure of a windowed
/// aggregation receives first (`|w, key, row| Out { start: w.start, .. }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Window {
    /// First instant in the window.
    pub start: Timestamp,
    /// First instant after the window.
    pub end: Timestamp,
}

impl Window {
    /// The event time of the window's results: its last millisecond (`end - 1 ms`), as Flink's
    /// `window_time`. A downstream window over results of this one contains exactly this
    /// window's results when its size divides this window's slide.
    pub const fn time(&self) -> Timestamp {
        Timestamp(self.end.0 - 1_000_000)
    }
}

/// Maps an event time to the windows that hold it; `Tumbling`, `Sliding` and `Session`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a window assigner",
    label = "not a window assigner",
    note = "windows are `Tumbling::of(size)`, `Sliding::of(size, slide)`, `Session::with_gap(gap)` or `Global::new()`, times as `std::time::Duration`"
)]
pub trait WindowAssigner: Copy {
    /// Whether a key's overlapping windows merge into one (session windows).
    const MERGING: bool = false;
    /// The windows holding `ts`, latest start first.
    fn windows(&self, ts: Timestamp) -> Windows;
    /// Checks the sizes: an error when a size or slide is not positive.
    fn check(self) -> Result<Self>;
    /// How long after its end a window still takes late rows (nanoseconds): its state is kept
    /// until the watermark passes `end + lateness`, and each late row fires it again.
    #[inline(always)]
    fn lateness(&self) -> i64 {
        0
    }
}

/// Fixed-size windows that do not overlap: each event falls in exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tumbling {
    size: i64,
    lateness: i64,
}

impl Tumbling {
    /// Windows of `size`, aligned to the epoch.
    pub const fn of(size: Duration) -> Self {
        Tumbling { size: nanos(size), lateness: 0 }
    }

    /// Keeps each window's state `lateness` past its end: a row arriving after the window
    /// fired but within that time updates it and the window fires again with the new result
    /// (Flink's allowed lateness). Later rows are late.
    pub const fn allowed_lateness(self, lateness: Duration) -> Self {
        Tumbling { lateness: nanos(lateness), ..self }
    }
}

impl WindowAssigner for Tumbling {
    #[inline(always)]
    fn windows(&self, ts: Timestamp) -> Windows {
        Sliding { size: self.size, slide: self.size, lateness: 0 }.windows(ts)
    }
    fn check(self) -> Result<Self> {
        positive("tumbling window size", self.size).map(|_| self)
    }
    #[inline(always)]
    fn lateness(&self) -> i64 {
        self.lateness
    }
}

/// Windows of `size` starting every `slide`: an event falls in `size / slide` of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sliding {
    size: i64,
    slide: i64,
    lateness: i64,
}

impl Sliding {
    /// Windows of `size` that start every `slide`, aligned to the epoch.
    pub const fn of(size: Duration, slide: Duration) -> Self {
        Sliding { size: nanos(size), slide: nanos(slide), lateness: 0 }
    }

    /// Keeps each window's state `lateness` past its end, as [`Tumbling::allowed_lateness`].
    pub const fn allowed_lateness(self, lateness: Duration) -> Self {
        Sliding { lateness: nanos(lateness), ..self }
    }
}

impl WindowAssigner for Sliding {
    #[inline(always)]
    fn windows(&self, ts: Timestamp) -> Windows {
        let last = ts.0 - ts.0.rem_euclid(self.slide);
        Windows { next: last, after: ts.0.saturating_sub(self.size), size: self.size, slide: self.slide }
    }
    fn check(self) -> Result<Self> {
        positive("sliding window size", self.size)?;
        positive("sliding window slide", self.slide)?;
        Ok(self)
    }
    #[inline(always)]
    fn lateness(&self) -> i64 {
        self.lateness
    }
}

/// One window per key over all time, `[i64::MIN + 1 ns, i64::MAX)`: it ends only with the
/// input, unless a `.trigger(..)` after `.window(Global::new())` fires it earlier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Global;

impl Global {
    /// The global window assigner.
    pub const fn new() -> Self {
        Global
    }
}

impl WindowAssigner for Global {
    #[inline(always)]
    fn windows(&self, _: Timestamp) -> Windows {
        Windows { next: i64::MIN + 1, after: i64::MIN, size: i64::MAX, slide: i64::MAX }
    }
    fn check(self) -> Result<Self> {
        Ok(self)
    }
}

/// Sessions: each event opens the window `[t, t + gap)`, and a key's windows that overlap or
/// touch merge, so a session ends `gap` after its last event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    gap: i64,
}

impl Session {
    /// Sessions that close after `gap` without an event of their key.
    pub const fn with_gap(gap: Duration) -> Self {
        Session { gap: nanos(gap) }
    }
}

impl WindowAssigner for Session {
    const MERGING: bool = true;
    #[inline(always)]
    fn windows(&self, ts: Timestamp) -> Windows {
        // One window starting at the event: `next` runs once, then stops at `after`.
        Windows { next: ts.0, after: ts.0.saturating_sub(1), size: self.gap, slide: i64::MAX }
    }
    fn check(self) -> Result<Self> {
        positive("session gap", self.gap).map(|_| self)
    }
}

/// Whether assigner `a` merges windows (generated code passes this to the aggregation).
pub fn merging<A: WindowAssigner>(_: &A) -> bool {
    A::MERGING
}

/// The assigner's allowed lateness (generated code passes it to the window table).
pub fn lateness<A: WindowAssigner>(a: &A) -> i64 {
    a.lateness()
}

/// The assigner of a windowed join: sessions are refused (each side would merge a key's
/// windows on its own, so the two sides' sessions would not line up).
pub fn unmerged<A: WindowAssigner>(a: A) -> Result<A> {
    if A::MERGING {
        return Err(Error::Config("session windows cannot be joined yet: join within `Tumbling` or `Sliding` windows".into()));
    }
    if a.lateness() > 0 {
        return Err(Error::Config(
            "a windowed join emits each window's pairs once: `allowed_lateness` applies to windowed aggregations".into(),
        ));
    }
    Ok(a)
}

/// Merges a key's windows that overlap or touch, combining their states with `merge`;
/// returns the sessions in start order.
pub fn merge_sessions<A>(mut windows: Vec<(Window, A)>, merge: &impl Fn(&mut A, A)) -> Vec<(Window, A)> {
    windows.sort_by_key(|(w, _)| w.start);
    let mut out: Vec<(Window, A)> = Vec::with_capacity(windows.len());
    for (w, a) in windows {
        match out.last_mut() {
            Some((cur, acc)) if w.start <= cur.end => {
                cur.end = cur.end.max(w.end);
                merge(acc, a);
            }
            _ => out.push((w, a)),
        }
    }
    out
}

/// The windows holding one timestamp, latest start first (no allocation).
#[derive(Debug, Clone)]
pub struct Windows {
    next: i64,
    /// Starts at or before this no longer hold the timestamp.
    after: i64,
    size: i64,
    slide: i64,
}

impl Iterator for Windows {
    type Item = Window;
    #[inline(always)]
    fn next(&mut self) -> Option<Window> {
        if self.next <= self.after {
            return None;
        }
        let start = self.next;
        self.next = start.saturating_sub(self.slide);
        // A size of `i64::MAX` is the global window: it ends at the end of time.
        let end = if self.size == i64::MAX { i64::MAX } else { start.saturating_add(self.size) };
        Some(Window { start: Timestamp(start), end: Timestamp(end) })
    }
}

/// A row view whose record has a `#[sabot(event_time)]` field; windows read its time.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no event time",
    label = "windows, interval joins and as-of joins need the event time of these rows",
    note = "mark one `Timestamp` field of the record with `#[sabot(event_time)]`"
)]
pub trait EventTime {
    /// The row's event time.
    fn event_time(&self) -> Timestamp;
}

pub(crate) const fn nanos(d: Duration) -> i64 {
    let n = d.as_nanos();
    if n > i64::MAX as u128 { i64::MAX } else { n as i64 }
}

fn positive(what: &str, nanos: i64) -> Result<()> {
    if nanos > 0 { Ok(()) } else { Err(Error::Config(format!("the {what} must be positive, not {nanos} ns"))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(a: impl WindowAssigner, ts: i64) -> Vec<i64> {
        a.windows(Timestamp(ts)).map(|w| w.start.0).collect()
    }

    #[test]
    fn tumbling_windows_hold_one_event_each() {
        let t = Tumbling { size: 10, lateness: 0 };
        assert_eq!(starts(t, 0), vec![0]);
        assert_eq!(starts(t, 9), vec![0]);
        assert_eq!(starts(t, 10), vec![10]);
        assert_eq!(starts(t, -1), vec![-10]);
    }

    #[test]
    fn sliding_windows_hold_size_over_slide() {
        let s = Sliding { size: 10, slide: 2, lateness: 0 };
        assert_eq!(starts(s, 11), vec![10, 8, 6, 4, 2]);
        assert_eq!(starts(s, 10), vec![10, 8, 6, 4, 2]);
        assert_eq!(starts(s, 1), vec![0, -2, -4, -6, -8]);
        for w in s.windows(Timestamp(11)) {
            assert!(w.start.0 <= 11 && 11 < w.end.0);
        }
    }

    #[test]
    fn sessions_merge_windows_that_overlap_or_touch() {
        let s = Session { gap: 10 };
        assert_eq!(starts(s, 7), vec![7]);
        let w = |a: i64| (s.windows(Timestamp(a)).next().unwrap(), 1u32);
        let merged = merge_sessions(vec![w(30), w(0), w(5), w(15), w(50)], &|a: &mut u32, b| *a += b);
        let got: Vec<(i64, i64, u32)> = merged.iter().map(|(w, n)| (w.start.0, w.end.0, *n)).collect();
        // 0, 5 and 15 chain ([0,10) [5,15) [15,25) touch); 30 and 50 stand alone.
        assert_eq!(got, vec![(0, 25, 3), (30, 40, 1), (50, 60, 1)]);
    }

    #[test]
    fn sizes_must_be_positive() {
        assert!(Tumbling::of(Duration::ZERO).check().is_err());
        assert!(Sliding::of(Duration::from_secs(1), Duration::ZERO).check().is_err());
        assert!(Sliding::of(Duration::from_secs(10), Duration::from_secs(2)).check().is_ok());
    }
}
