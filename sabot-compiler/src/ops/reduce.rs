//! `key_by(|row| key).reduce(|a, b| T { .. })`: per key, the records folded pairwise in input
//! order into one record of the same type (Flink's keyed `reduce`), and `distinct(|row| key)`:
//! each key's first record. Both end their stage.

use super::{Arg, OpSpec};

/// The `key_by` operator (only before `reduce` for now).
pub const KEY_BY: OpSpec = OpSpec {
    name: "key_by",
    arg: Arg::RowFn,
    stateless: false,
    doc: "keys rows for the following `reduce` or `process`",
    usage: ".key_by(|row| row.user).reduce(|a, b| Visit { user: a.user.to_string(), clicks: a.clicks + b.clicks })",
};

/// The `distinct` operator.
pub const DISTINCT: OpSpec = OpSpec {
    name: "distinct",
    arg: Arg::RowFn,
    stateless: false,
    doc: "keeps the first record of each key (in input order)",
    usage: ".distinct(|row| (row.user, row.page))",
};

/// The `reduce` operator.
pub const REDUCE: OpSpec = OpSpec {
    name: "reduce",
    arg: Arg::RowFn,
    stateless: false,
    doc: "folds each key's records pairwise into one",
    usage: ".key_by(|row| row.user).reduce(|a, b| Visit { user: a.user.to_string(), clicks: a.clicks + b.clicks })",
};
