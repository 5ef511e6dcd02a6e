//! `key_by(|row| key).process(f)`: a user function implementing `KeyedProcess` sees each
//! key's records with the key's state and timers, and emits rows (Flink's keyed process
//! function). Ends its stage.

use super::{Arg, OpSpec};

/// The `process` operator.
pub const SPEC: OpSpec = OpSpec {
    name: "process",
    arg: Arg::RowFn,
    stateless: false,
    doc: "runs a `KeyedProcess` function with per-key state and timers",
    usage: ".key_by(|row| row.user).process(Sessionize { gap: Duration::from_secs(60) })",
};
