//! `#[derive(Record)]` in three stages, as serde_derive does: `ast` reads the struct and its
//! `#[sabot(...)]` attributes, `valid` checks them (collecting every error), `expand` emits
//! the row view, column views, builder and the `Record` impl (never reporting user errors).

mod ast;
mod attr;
mod expand;
mod valid;

use crate::diagnostic::Diagnostics;
use proc_macro2::TokenStream;

/// Expands `#[derive(Record)]` for `input`.
pub fn expand_record(input: TokenStream) -> TokenStream {
    let input: syn::DeriveInput = match syn::parse2(input) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    let mut diag = Diagnostics::default();
    let record = ast::Record::from_input(&input, &mut diag);
    if let Some(record) = &record {
        valid::check(record, &mut diag);
    }
    match record {
        Some(record) if diag.is_empty() => expand::expand(&record),
        _ => diag.to_compile_errors(),
    }
}
