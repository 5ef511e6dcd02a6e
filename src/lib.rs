//! Sabot: a dataflow engine whose pipelines are ordinary Rust functions, compiled at build
//! time into fused code over Apache Arrow batches.
//!
//! ```ignore
//! use sabot::prelude::*;
//!
//! #[derive(Record, Debug, Clone, PartialEq)]
//! pub struct Bid { pub auction: u64, pub price: u64 }
//!
//! #[derive(Record, Debug, Clone, PartialEq)]
//! pub struct Converted { pub auction: u64, pub price_eur: f64 }
//!
//! #[sabot::pipeline]
//! pub fn converted(bids: Stream<Bid>) -> Stream<Converted> {
//!     bids.filter(|b| b.auction % 123 == 0)
//!         .map(|b| Converted { auction: b.auction, price_eur: b.price as f64 * 0.908 })
//! }
//!
//! fn main() -> sabot::Result<()> {
//!     sabot::main(converted)
//! }
//! ```

// `#[derive(Record)]` names `::sabot::__private`; this makes that path work inside this crate too.
extern crate self as sabot;

pub mod nexmark;

pub use sabot_macros::{Record, pipeline};
pub use sabot_runtime::cli::{explain_text, main, main_with_args, parse_size};
pub use sabot_runtime::exec::{RunOptions, RunSummary, StreamOptions};
pub use sabot_runtime::process::{KeyedList, KeyedMap, KeyedValue};
pub use sabot_runtime::{
    Allocator, Date, Decimal, Error, Job, KeyedProcess, Pipeline, ProcessCtx, ProcessResult, Record, RecordBuilder, Result, Stream,
    TimeDomain, TimeUnit, Timer, Timestamp,
};

/// Inputs for jobs: `parquet`, `csv`, `memory`, `nexmark`.
pub mod source {
    pub use sabot_runtime::source::*;
}

/// Outputs for jobs: `parquet`, `csv`, `stdout`, `collect`.
pub mod sink {
    pub use sabot_runtime::sink::*;
}

/// State backends (`--state memory|rocksdb:DIR|tonbo:DIR`) and typed keyed state.
pub mod state {
    pub use sabot_state::*;
}

/// What a pipeline file needs: `use sabot::prelude::*;`.
pub mod prelude {
    pub use sabot_macros::{Record, pipeline};
    pub use sabot_runtime::{
        Accumulator, AddValue, CountTrigger, Date, Decimal, EventTimeTrigger, Global, Interval, Job, KeyedProcess, ProcessCtx,
        ProcessResult, ProcessingTimeTrigger, Record, Session, Sliding, Stream, TimeDomain, Timer, Timestamp, TotalOrd, Trigger,
        TriggerAction, Tumbling, Window, nulls_last,
    };
    pub use std::cmp::Reverse;
    pub use std::time::Duration;
}

/// Paths generated code uses; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use sabot_runtime::__private::*;
}
