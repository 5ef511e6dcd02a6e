//! `sort_by(|row| key)`: all rows ordered by an `Ord` key (a value or tuple; `Reverse(x)` for
//! descending, `Option` sorts nulls first, `nulls_last(x)` last, `TotalOrd(f)` for floats).
//! Stable: rows with equal keys keep their input order.

use super::{Arg, OpSpec};

/// The `sort_by` operator.
pub const SPEC: OpSpec = OpSpec {
    name: "sort_by",
    arg: Arg::RowFn,
    stateless: false,
    doc: "orders all rows by a key",
    usage: ".sort_by(|row| (row.a, Reverse(row.b)))",
};
