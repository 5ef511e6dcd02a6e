//! The front end: a `#[sabot::pipeline]` fn's signature and body into a `Plan`, keeping each
//! user closure's tokens in a side table so codegen can emit them with their spans.

pub mod aggregate;
mod body;
pub mod closure;
mod signature;

pub use body::process_type;
pub use signature::{Signature, SinkParam, SourceParam};

use crate::diagnostic::Diagnostics;
use crate::plan::Plan;

/// A parsed pipeline: the plan plus what codegen needs from the syntax.
#[derive(Debug)]
pub struct Parsed {
    /// The logical plan (before passes).
    pub plan: Plan,
    /// The fn's inputs and outputs.
    pub signature: Signature,
    /// User closures, indexed by `Closure::id`.
    pub closures: Vec<syn::Expr>,
    /// The method-name token of each closure's operator, for spans.
    pub op_spans: Vec<proc_macro2::Span>,
}

/// Parses a pipeline fn; every error found is in `diag`.
pub fn parse_pipeline(item: &syn::ItemFn, diag: &mut Diagnostics) -> Option<Parsed> {
    let signature = signature::parse(item, diag)?;
    let mut builder = body::Builder::new(&item.sig.ident.to_string(), &signature);
    builder.block(&item.block, diag);
    if !diag.is_empty() {
        return None;
    }
    let (plan, closures, op_spans) = builder.finish();
    Some(Parsed { plan, signature, closures, op_spans })
}
