//! Executors that drive compiled stages: `bounded` runs finite inputs on a rayon pool.

mod bounded;

pub use bounded::{RunOptions, RunSummary, run_bounded};
