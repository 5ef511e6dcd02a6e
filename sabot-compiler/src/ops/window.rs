//! `window(assigner)`: groups the following `aggregate` per event-time window as well as per
//! key. Windows read the input record's `#[sabot(event_time)]` field; the aggregate closure
//! then takes the window first (`|w, key, row|`), and in streaming runs each window's groups
//! are emitted once the watermark passes its end.

use super::{Arg, OpSpec};

/// The `window` operator.
pub const SPEC: OpSpec = OpSpec {
    name: "window",
    arg: Arg::RowFn,
    stateless: false,
    doc: "groups the following aggregate per event-time window (Tumbling, Sliding)",
    usage: ".window(Tumbling::of(Duration::from_secs(10))).group_by(|row| row.a).aggregate(|w, a, row| Out { end: w.end, a, n: count() })",
};

/// The `trigger` operator, between `window` and the aggregation.
pub const TRIGGER: OpSpec = OpSpec {
    name: "trigger",
    arg: Arg::RowFn,
    stateless: false,
    doc: "decides when the windows of the following aggregate fire (`CountTrigger`, `ProcessingTimeTrigger`, a `Trigger` impl)",
    usage: ".window(Global::new()).trigger(CountTrigger::of(100)).group_by(|row| row.a).aggregate(|w, a, row| Out { a, avg: avg(row.x) })",
};
