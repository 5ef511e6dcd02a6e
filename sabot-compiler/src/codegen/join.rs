//! Join code: the build side's insert into the stage's table, and the probe side's lookup
//! with the code of its consumers inlined per match.

use super::stage::{Ctx, record_type_at};
use crate::plan::{Join, JoinKind, NodeId};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};

impl Ctx<'_> {
    /// Adds a build row to the table under its key.
    pub(super) fn join_build(&self, id: NodeId, j: &Join, row: &syn::Ident) -> TokenStream {
        let span = self.op_spans[j.build_key.id];
        let kc = &self.closures[j.build_key.id];
        match record_type_at(self.plan, self.sig, self.closures, self.plan.nodes[id].inputs[1]) {
            Some(ty) => quote_spanned! {span=> __build.insert(__p::group_key(#row, #kc), <#ty as __p::Record>::from_row(#row)); },
            None => {
                quote_spanned! {span=> ::core::compile_error!("a join's build side needs its record type: put a `map` that builds a struct literal before it"); }
            }
        }
    }

    /// Looks the probe row's key up and runs the consumers once per output row.
    pub(super) fn join_probe(&self, id: NodeId, j: &Join, row: &syn::Ident, label: &syn::Lifetime) -> TokenStream {
        let span = self.op_spans[j.body.as_ref().unwrap_or(&j.probe_key).id];
        let out_row = syn::Ident::new(&format!("__row_{id}"), span);
        let value = syn::Ident::new(&format!("__value_{id}"), span);
        let built = format_ident!("__built_{}", id);
        let kspan = self.op_spans[j.probe_key.id];
        let kc = &self.closures[j.probe_key.id];
        let m = format_ident!("__matches_{}", id);
        // `None`: the row belongs to another partition of a spilled build side; skip it here.
        let lookup = quote_spanned! {kspan=>
            let #m = match __p::probe(#built, __p::group_key(#row, #kc)) {
                ::core::option::Option::Some(__m) => __m,
                ::core::option::Option::None => break #label,
            };
        };
        let matches = quote! { #m };
        let rest_probe = self.consumers(id, row);
        let rest_pair = self.consumers(id, &out_row);
        match (j.kind, &j.body) {
            (JoinKind::Semi, _) => quote! { #lookup if #matches.is_empty() { break #label; } #rest_probe },
            (JoinKind::Anti, _) => quote! { #lookup if !#matches.is_empty() { break #label; } #rest_probe },
            (JoinKind::Left, Some(b)) => {
                let f = &self.closures[b.id];
                quote_spanned! {span=>
                    #lookup
                    for __b in __p::left_matches(#matches) {
                        let #value = __p::join_apply(#row, __b.map(__p::as_row), #f);
                        let #out_row = __p::as_row(&#value);
                        #rest_pair
                    }
                }
            }
            (_, Some(b)) => {
                let f = &self.closures[b.id];
                quote_spanned! {span=>
                    #lookup
                    for __b in #matches {
                        let #value = __p::join_apply(#row, __p::as_row(__b), #f);
                        let #out_row = __p::as_row(&#value);
                        #rest_pair
                    }
                }
            }
            (_, None) => TokenStream::new(),
        }
    }
}
