//! Join code: the build side's insert into the stage's table, and the probe side's lookup
//! with the code of its consumers inlined per match.

use super::stage::{Ctx, record_type_at};
use crate::plan::{FieldSet, Join, JoinKind, NodeId, Op};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};

impl Ctx<'_> {
    /// Adds a build row to the table under its key.
    pub(super) fn join_build(&self, id: NodeId, j: &Join, row: &syn::Ident) -> TokenStream {
        let span = self.op_spans[j.build_key.id];
        let kc = &self.closures[j.build_key.id];
        if j.kind.keys_only() {
            return quote_spanned! {span=> __build.insert(__p::group_key(#row, #kc)); };
        }
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
        if j.kind.keys_only() {
            // Semi joins keep rows whose key is in the build side's set, anti joins the others.
            let wanted = j.kind == JoinKind::Semi;
            let rest = self.consumers(id, row);
            return quote_spanned! {kspan=>
                match __p::probe_keys(#built, __p::group_key(#row, #kc)) {
                    ::core::option::Option::Some(__found) if __found == #wanted => {}
                    _ => break #label,
                }
                #rest
            };
        }
        let m = format_ident!("__matches_{}", id);
        // `None`: the row belongs to another partition of a spilled build side; skip it here.
        // Right and full joins record which build rows matched, to emit the others at the end.
        let mark = matches!(j.kind, JoinKind::Right | JoinKind::Full);
        let lookup = quote_spanned! {kspan=>
            let #m = match __p::probe::<#mark, _, _, _>(#built, __p::group_key(#row, #kc)) {
                ::core::option::Option::Some(__m) => __m,
                ::core::option::Option::None => break #label,
            };
        };
        let rest_pair = self.consumers(id, &out_row);
        match (j.kind, &j.body) {
            (JoinKind::Left | JoinKind::Full, Some(b)) => {
                let f = &self.closures[b.id];
                let p = if j.kind == JoinKind::Full { quote!(::core::option::Option::Some(#row)) } else { quote!(#row) };
                quote_spanned! {span=>
                    #lookup
                    for __b in __p::left_matches(#m) {
                        let #value = __p::join_apply(#p, __b.map(__p::as_row), #f);
                        let #out_row = __p::as_row(&#value);
                        #rest_pair
                    }
                }
            }
            (_, Some(b)) => {
                let f = &self.closures[b.id];
                let p = if j.kind == JoinKind::Right { quote!(::core::option::Option::Some(#row)) } else { quote!(#row) };
                // Swapped sides: the row streaming here is the written build row.
                let args = if j.swapped { quote!(__p::as_row(__b), #p) } else { quote!(#p, __p::as_row(__b)) };
                quote_spanned! {span=>
                    #lookup
                    for __b in #m {
                        let #value = __p::join_apply(#args, #f);
                        let #out_row = __p::as_row(&#value);
                        #rest_pair
                    }
                }
            }
            (_, None) => TokenStream::new(),
        }
    }

    /// For the selection pass of the filter `filter`: when its only consumer in the stage is
    /// the probe of a join that drops rows without a match (inner, semi), on a key that only
    /// reads fields, the build keys' bitmap taken once per morsel, a test of `row`'s key
    /// against it, and the fields the key reads. Rows the test rules out never reach the rest
    /// of the chain; the probe decides for the others.
    pub(super) fn probe_prefilter(&self, filter: NodeId, row: &TokenStream) -> Option<(TokenStream, TokenStream, &FieldSet)> {
        let consumers: Vec<NodeId> = self.plan.consumers(filter).into_iter().filter(|c| self.stage.nodes.contains(c)).collect();
        let [join] = consumers[..] else { return None };
        let Op::Join(j) = &self.plan.nodes[join].op else { return None };
        let drops_misses = matches!(j.kind, JoinKind::Inner | JoinKind::Semi);
        let inputs = &self.plan.nodes[join].inputs;
        let probe_input = inputs.len() == 2 && inputs[0] == filter && inputs[1] != filter;
        let kc = &self.closures[j.probe_key.id];
        if !drops_misses || j.two_sided() || self.stage.breaker == Some(join) || !probe_input || !super::branchless::reads_fields_only(kc) {
            return None;
        }
        let built = format_ident!("__built_{}", join);
        let keys = format_ident!("__keys_{}", join);
        let span = self.op_spans[j.probe_key.id];
        let take = quote! { let #keys = __p::key_filter(#built); };
        Some((take, quote_spanned! {span=> #keys.may_match(__p::group_key(#row, #kc)) }, &j.probe_key.reads))
    }

    /// For a right or full join: the build rows no probe row matched, each through the join's
    /// closure with `None` for the probe row and then through the join's consumers.
    pub(super) fn join_unmatched(&self, id: NodeId, j: &Join) -> TokenStream {
        let Some(b) = &j.body else { return TokenStream::new() };
        let span = self.op_spans[b.id];
        let f = &self.closures[b.id];
        let out_row = syn::Ident::new(&format!("__row_{id}"), span);
        let value = syn::Ident::new(&format!("__value_{id}"), span);
        let built = format_ident!("__built_{}", id);
        let Some(probe_ty) = record_type_at(self.plan, self.sig, self.closures, self.plan.nodes[id].inputs[0]) else {
            let msg = format!(
                "`{}` needs the record type of its probe input: put a `map` that builds a struct literal before it",
                self.plan.nodes[id].op.name()
            );
            return quote_spanned! {span=> ::core::compile_error!(#msg); };
        };
        let none = quote! { ::core::option::Option::None::<<#probe_ty as __p::Record>::Ref<'_>> };
        let b_arg =
            if j.kind == JoinKind::Full { quote!(::core::option::Option::Some(__p::as_row(__b))) } else { quote!(__p::as_row(__b)) };
        let rest = self.consumers(id, &out_row);
        let build_ty =
            record_type_at(self.plan, self.sig, self.closures, self.plan.nodes[id].inputs[1]).unwrap_or_else(|| syn::parse_quote!(()));
        let bkc = &self.closures[j.build_key.id];
        quote_spanned! {span=>
            // Never called: names the table's key type, which nothing else here uses.
            let _ = |__b: &#build_ty| __p::probe::<false, _, _, _>(#built, __p::group_key(__p::as_row(__b), #bkc));
            if let ::core::option::Option::Some(__t) = #built {
                for __b in __t.unmatched() {
                    let #value = __p::join_apply(#none, #b_arg, #f);
                    let #out_row = __p::as_row(&#value);
                    #rest
                }
            }
        }
    }
}

impl Ctx<'_> {
    /// A windowed join's side: the row goes into the table under each of its windows that has
    /// not closed yet, as an owned record of its side (rows no window takes are late).
    pub(super) fn window_join_side(&self, id: NodeId, j: &Join, row: &syn::Ident) -> TokenStream {
        let Some((w, _)) = &j.window else { return TokenStream::new() };
        let inputs = &self.plan.nodes[id].inputs;
        let probe_side = self.stage.nodes.contains(&inputs[0]);
        let (key, input, method) =
            if probe_side { (&j.probe_key, inputs[0], quote!(probe_row)) } else { (&j.build_key, inputs[1], quote!(build_row)) };
        let span = self.op_spans[key.id];
        let kc = &self.closures[key.id];
        let ty = record_type_at(self.plan, self.sig, self.closures, input).unwrap_or_else(|| syn::parse_quote!(()));
        let wspan = self.op_spans[*w];
        // The row named at the user's `.window`, so a record without an event time is reported there.
        let at_window = syn::Ident::new(&row.to_string(), wspan);
        let time = quote_spanned! {wspan=> __p::EventTime::event_time(&#at_window) };
        quote_spanned! {span=>
            let __key = __p::group_key(#row, #kc);
            let mut __on_time = false;
            for __w in __p::WindowAssigner::windows(&__assigner, #time) {
                if __ctx.closed(__w) {
                    continue;
                }
                __on_time = true;
                __table.#method((__w, __key), || <#ty as __p::Record>::from_row(#row));
            }
            if !__on_time {
                __ctx.late();
            }
        }
    }

    /// An interval or as-of join's side: the row goes into the table with its event time unless
    /// no row of the other side can pair with it any more (then it is late).
    pub(super) fn interval_join_side(&self, id: NodeId, j: &Join, row: &syn::Ident) -> TokenStream {
        let inputs = &self.plan.nodes[id].inputs;
        let probe_side = self.stage.nodes.contains(&inputs[0]);
        let (key, input, add, late) = if probe_side {
            (&j.probe_key, inputs[0], quote!(probe_row), quote!(probe_late))
        } else {
            (&j.build_key, inputs[1], quote!(build_row), quote!(build_late))
        };
        let span = self.op_spans[key.id];
        let kc = &self.closures[key.id];
        let ty = record_type_at(self.plan, self.sig, self.closures, input).unwrap_or_else(|| syn::parse_quote!(()));
        // The row named at the user's `.interval_join`, so a record without an event time is reported there.
        let at = syn::Ident::new(&row.to_string(), span);
        let time = quote_spanned! {span=> __p::EventTime::event_time(&#at).0 };
        quote_spanned! {span=>
            let __t = #time;
            if __table.#late(__t, __ctx.watermark()) {
                __ctx.late();
            } else {
                __table.#add(__p::group_key(#row, #kc), __t, || <#ty as __p::Record>::from_row(#row));
            }
        }
    }

    /// The table both sides of windowed or interval join `id` fill, typed by both input records
    /// and the output record, with the generated pair function.
    pub(super) fn two_sided_init(&self, id: NodeId) -> TokenStream {
        let (p, b, o) = self.two_sided_types(id);
        let pair = format_ident!("__sabot_pair_{}", id);
        let Op::Join(Join { interval: Some((iv, _)), .. }) = &self.plan.nodes[id].op else {
            if matches!(&self.plan.nodes[id].op, Op::Join(Join { asof: true, .. })) {
                return quote! { let mut __table = __p::AsofJoin::<_, #p, #b, #o>::new(#pair); };
            }
            return quote! { let mut __table = __p::WindowJoin::<_, #p, #b, #o>::new(#pair); };
        };
        let (interval, span) = (&self.closures[*iv], self.op_spans[*iv]);
        quote_spanned! {span=>
            let __interval = __p::Interval::check(#interval)?;
            let mut __table = __p::IntervalJoin::<_, #p, #b, #o>::new(__interval, #pair);
        }
    }

    /// The function that builds an output row from a pair of rows (and the window): the
    /// user's `|p, b|` (`|w, p, b|`) closure, emitted once for both stages of the join.
    pub(super) fn two_sided_pair(&self, id: NodeId, j: &Join) -> TokenStream {
        let Some(body) = &j.body else { return TokenStream::new() };
        let (p, b, o) = self.two_sided_types(id);
        let f = &self.closures[body.id];
        let span = self.op_spans[body.id];
        let pair = format_ident!("__sabot_pair_{}", id);
        if j.interval.is_some() || j.asof {
            return quote_spanned! {span=>
                #[allow(unused_variables, clippy::all)]
                fn #pair(__pr: <#p as __p::Record>::Ref<'_>, __br: <#b as __p::Record>::Ref<'_>) -> #o {
                    __p::join_apply(__pr, __br, #f)
                }
            };
        }
        quote_spanned! {span=>
            #[allow(unused_variables, clippy::all)]
            fn #pair(__w: __p::Window, __pr: <#p as __p::Record>::Ref<'_>, __br: <#b as __p::Record>::Ref<'_>) -> #o {
                __p::window_join_apply(__w, __pr, __br, #f)
            }
        }
    }

    /// Probe record, build record and output record of two-sided join `id` (checked to be
    /// known before code generation, in `untyped_two_sided_join`).
    fn two_sided_types(&self, id: NodeId) -> (syn::Type, syn::Type, syn::Type) {
        let ty = |n| record_type_at(self.plan, self.sig, self.closures, n).unwrap_or_else(|| syn::parse_quote!(()));
        let inputs = &self.plan.nodes[id].inputs;
        (ty(inputs[0]), ty(inputs[1]), ty(id))
    }
}
