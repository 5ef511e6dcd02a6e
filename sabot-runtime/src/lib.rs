//! Sabot's runtime: what compiled pipelines link against. Records and their Arrow mapping,
//! fused-stage execution over morsels, sources, sinks, the in-process `Job` and the job CLI.

pub mod cli;
pub mod conform;
pub mod error;
pub mod exec;
pub mod job;
pub mod record;
pub mod sink;
pub mod source;
pub mod stage;
pub mod value;

pub use error::{Error, Result};
pub use job::Job;
pub use record::{FieldInfo, FieldMask, Record, RecordBuilder};
pub use stage::{Pipeline, PipelineSpec, Stream};
pub use value::{Date, Decimal, FieldOpts, TimeUnit, Timestamp, Value};

/// Items generated code names through `::sabot::__private`; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::conform::{Origin, conform};
    pub use crate::error::Result;
    pub use crate::record::{ALL_FIELDS, FieldInfo, FieldMask, Record, RecordBuilder, batch_of, mask_of};
    pub use crate::stage::{Explain, Morsel, Pipeline, PipelineSpec, SinkSpec, SourceSpec, StageOutput, StageSpec};
    pub use crate::value::{FieldOpts, NonNull, TimeUnit, Value};
    pub use arrow::array::{ArrayRef, RecordBatch};
    pub use arrow::datatypes::SchemaRef;
    pub use std::sync::OnceLock;

    /// Applies a filter closure to a row; the bound gives the closure its argument type.
    #[inline(always)]
    pub fn filter<A, F: FnOnce(A) -> bool>(row: A, f: F) -> bool {
        f(row)
    }

    /// Applies a map closure to a row.
    #[inline(always)]
    pub fn map<A, O, F: FnOnce(A) -> O>(row: A, f: F) -> O {
        f(row)
    }

    /// Applies a flat_map closure to a row.
    #[inline(always)]
    pub fn flat_map<A, I: IntoIterator, F: FnOnce(A) -> I>(row: A, f: F) -> I::IntoIter {
        f(row).into_iter()
    }

    /// Borrows an owned record (a map's output) as a row view.
    #[inline(always)]
    pub fn as_row<R: Record>(r: &R) -> R::Ref<'_> {
        r.as_row()
    }

    /// Appends a record to a sink's builder.
    #[inline(always)]
    pub fn append<R: Record>(b: &mut R::Builder, r: &R) {
        b.append(r.as_row());
    }
}
