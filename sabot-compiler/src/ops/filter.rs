//! `filter(|row| bool)`: keeps the rows for which the closure returns true.

use super::{Arg, OpSpec};

/// The `filter` operator.
pub const SPEC: OpSpec = OpSpec {
    name: "filter",
    arg: Arg::RowFn,
    stateless: true,
    doc: "keeps rows for which the closure returns true",
    usage: ".filter(|row| row.price > 100)",
};
