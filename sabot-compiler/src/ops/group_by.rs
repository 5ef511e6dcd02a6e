//! `group_by(|row| key)`: the key of the following `aggregate`; a value or a tuple of them.

use super::{Arg, OpSpec};

/// The `group_by` operator.
pub const SPEC: OpSpec = OpSpec {
    name: "group_by",
    arg: Arg::RowFn,
    stateless: false,
    doc: "groups rows by a key for the following `aggregate`",
    usage: ".group_by(|row| (row.a, row.b)).aggregate(|(a, b), row| Out { a, b, n: count() })",
};
