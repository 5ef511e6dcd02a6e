//! Grouped aggregation: keys that are looked up borrowed and stored owned (`key`),
//! accumulators (`acc`), and the per-split hash table that generated code fills and the
//! executor merges and finishes (`table`).

pub mod acc;
mod join;
mod key;
mod sort;
mod table;

pub use join::{BuildPartial, JoinTable, StageCtx};
pub use key::GroupKey;
pub use sort::{Sorted, TotalOrd, nulls_last};
pub use table::{AggFn, AggPartial, BuildFn, GroupTable, Partial};
