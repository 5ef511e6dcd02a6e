//! Sabot's example jobs. Each module holds one job's records and pipeline; the binaries in
//! `src/bin/` run them, and the tests run them on small data.

pub mod log_filter;
pub mod nexmark;
pub mod nexmark_keyed;
pub mod tpch;
pub mod tpch_filter;
