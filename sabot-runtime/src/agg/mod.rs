//! Grouped aggregation: keys that are looked up borrowed and stored owned (`key`),
//! accumulators (`acc`), and the per-split hash table that generated code fills and the
//! executor merges and finishes (`table`).

pub mod acc;
mod asof_join;
mod codec;
mod ctx;
mod dense;
mod interval_join;
mod join;
mod key;
mod key_set;
mod memo;
mod resident;
mod sort;
mod spill;
mod table;
mod triggered;
mod window_join;

pub use asof_join::AsofJoin;
pub use ctx::StageCtx;
pub use dense::{KeyBitmap, KeyFilter, key_filter};
pub use interval_join::{Interval, IntervalJoin, IntervalPairFn};
pub use join::{BuildPartial, JoinTable, Rows, SpilledBuild, probe};
pub use key::GroupKey;
pub use key_set::{KeySet, probe_keys};
pub use memo::KeyMemo;
pub use sort::{Sorted, TotalOrd, nulls_last};
pub use spill::{Budget, KeepInMemory, PARTITIONS, SpillByCodec, SpillCtx};
pub use table::{AggFn, AggPartial, BuildFn, Finished, GroupTable, Partial};
pub use triggered::{Counted, Triggered, UpdateFn};
pub use window_join::{PairFn, WindowJoin, window_join_apply};
