//! Procedural macro glue for Sabot: each macro hands its tokens to `sabot-compiler`.

use proc_macro::TokenStream;

/// Compiles a pipeline fn (`Stream<T>` parameters, `Stream<U>` result, an operator chain as
/// body) into fused stages; the fn's name becomes a value to pass to `sabot::main` or `Job::new`.
#[proc_macro_attribute]
pub fn pipeline(attr: TokenStream, item: TokenStream) -> TokenStream {
    sabot_compiler::expand_pipeline(attr.into(), item.into()).into()
}

/// Derives `sabot::Record`: an Arrow schema, a borrowed row view (`NameRef<'a>`), column
/// views and builders for a struct with named fields.
#[proc_macro_derive(Record, attributes(sabot))]
pub fn derive_record(input: TokenStream) -> TokenStream {
    sabot_compiler::expand_record(input.into()).into()
}
