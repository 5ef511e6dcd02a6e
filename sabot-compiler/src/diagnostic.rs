//! Collecting every user error of a macro input before giving up, as `syn::Error`s spanned on
//! the user's tokens, so one build shows all mistakes at once.

use proc_macro2::TokenStream;
use quote::ToTokens;
use std::fmt::Display;

/// Errors found so far.
#[derive(Debug, Default)]
pub struct Diagnostics {
    errors: Option<syn::Error>,
}

impl Diagnostics {
    /// Records an error at `tokens`.
    pub fn error(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// Records a ready-made error.
    pub fn push(&mut self, e: syn::Error) {
        match &mut self.errors {
            Some(all) => all.combine(e),
            None => self.errors = Some(e),
        }
    }

    /// Whether nothing went wrong.
    pub fn is_empty(&self) -> bool {
        self.errors.is_none()
    }

    /// The errors as `compile_error!` invocations (empty if none).
    pub fn to_compile_errors(&self) -> TokenStream {
        self.errors.as_ref().map(syn::Error::to_compile_error).unwrap_or_default()
    }

    /// `Err` with every error, if there were any.
    pub fn finish(self) -> syn::Result<()> {
        match self.errors {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Tokens as users write them (`Vec<Bid>`, not `Vec < Bid >`), for messages.
pub fn tidy(tokens: &impl ToTokens) -> String {
    let raw = tokens.to_token_stream().to_string();
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let prev = out.chars().last();
        // Drop spaces next to `<`, `>`, `::`, `&` and before `,` that the token printer adds.
        if c == ' ' && (matches!(next, Some('<' | '>' | ',' | ':')) || matches!(prev, Some('<' | ':' | '&'))) {
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn tidy_prints_types_as_written() {
        let ty: syn::Type = syn::parse_str("std::collections::HashMap<String, Vec<&'static str>>").unwrap();
        assert_eq!(super::tidy(&ty), "std::collections::HashMap<String, Vec<&'static str>>");
    }
}
