//! `aggregate(|key, row| Out { .. sum(row.x) .. })`: one output record per group, built from
//! aggregate calls (`sum`, `count`, `avg`, `min`, `max`, `count_distinct`, `first`, `last`,
//! and `custom(acc, e)` with a user's `Accumulator`)
//! over the group's rows. Without a
//! preceding `group_by` it takes `|row|` and makes one record for all rows.

use super::{Arg, OpSpec};

/// The `aggregate` operator.
pub const SPEC: OpSpec = OpSpec {
    name: "aggregate",
    arg: Arg::RowFn,
    stateless: false,
    doc: "one record per group from aggregate calls",
    usage: ".aggregate(|row| Total { revenue: sum(row.price), rows: count() })",
};

/// The aggregate functions an `aggregate` closure may call, and how many arguments each takes.
pub const FUNCTIONS: &[(&str, usize)] =
    &[("sum", 1), ("count", 0), ("avg", 1), ("min", 1), ("max", 1), ("count_distinct", 1), ("first", 1), ("last", 1), ("custom", 2)];
