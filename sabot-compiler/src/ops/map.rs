//! `map(|row| Record)`: one output record per input row.

use super::{Arg, OpSpec};

/// The `map` operator.
pub const SPEC: OpSpec =
    OpSpec { name: "map", arg: Arg::RowFn, stateless: true, doc: "turns each row into one record", usage: ".map(|row| Out { a: row.a })" };
