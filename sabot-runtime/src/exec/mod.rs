//! Executors that drive compiled stages: `bounded` runs finite inputs on a rayon pool,
//! `streaming` runs any input with watermarks and backpressure.

mod bounded;
mod streaming;

pub use bounded::{RunOptions, RunSummary, run_bounded};
pub use streaming::{StreamOptions, run_streaming};
