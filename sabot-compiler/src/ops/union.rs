//! `union(other)`: the rows of both streams (same record type), in no particular order.

use super::{Arg, OpSpec};

/// The `union` operator.
pub const SPEC: OpSpec = OpSpec {
    name: "union",
    arg: Arg::Stream,
    stateless: true,
    doc: "merges two streams of the same record type",
    usage: ".union(other_stream)",
};
