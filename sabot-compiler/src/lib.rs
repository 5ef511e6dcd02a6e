//! Sabot's pipeline compiler. A plain library: the macros crate hands it token streams, it
//! builds a logical plan (`plan`), optimises it with one pass per file (`pass`) and emits fused
//! Rust (`codegen`). The plan IR and passes need no syn; the front and back ends are behind
//! the `codegen` feature so the runtime can share the IR without the build-time half.

pub mod ops;
pub mod pass;
pub mod plan;

#[cfg(feature = "codegen")]
pub mod codegen;
#[cfg(feature = "codegen")]
pub mod diagnostic;
#[cfg(feature = "codegen")]
pub mod parse;
#[cfg(feature = "codegen")]
pub mod record;

#[cfg(feature = "codegen")]
pub use codegen::expand_pipeline;
#[cfg(feature = "codegen")]
pub use record::expand_record;
