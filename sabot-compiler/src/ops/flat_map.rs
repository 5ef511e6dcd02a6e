//! `flat_map(|row| impl IntoIterator<Item = Record>)`: zero or more records per input row.

use super::{Arg, OpSpec};

/// The `flat_map` operator.
pub const SPEC: OpSpec = OpSpec {
    name: "flat_map",
    arg: Arg::RowFn,
    stateless: true,
    doc: "turns each row into zero or more records",
    usage: ".flat_map(|row| row.text.split(' ').map(|w| Word { w: w.into() }).collect::<Vec<_>>())",
};
