//! `top_n(n, |row| key)`: the first `n` rows in `sort_by` order, keeping about `2n` rows in
//! memory per worker instead of all of them.

use super::{Arg, OpSpec};

/// The `top_n` operator.
pub const SPEC: OpSpec = OpSpec {
    name: "top_n",
    arg: Arg::LimitAndRowFn,
    stateless: false,
    doc: "the first n rows by a key",
    usage: ".top_n(10, |row| Reverse(row.price))",
};
