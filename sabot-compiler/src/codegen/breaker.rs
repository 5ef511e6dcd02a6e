//! Code for the operators that end a stage: the group table's upsert and the partial result
//! of an aggregation, and the comparator of a sort.

use super::stage::{Ctx, record_type_at};
use crate::parse::aggregate;
use crate::plan::{Aggregate, Closure, NodeId, Op};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

impl Ctx<'_> {
    /// Whether `breaker`'s stage looks rows up through a `KeyMemo`: a plain (not windowed or
    /// triggered) aggregation, `reduce` or `distinct` whose rows are the stage's input rows,
    /// passed through filters only. Their text then lives in the morsel's arrays for the whole
    /// morsel, as the memo needs; after a `map` or a join, a key may borrow a record built for
    /// one row, whose bytes a later row's record can reuse at the same address.
    pub(super) fn uses_memo(&self, breaker: NodeId) -> bool {
        let plain = match &self.plan.nodes[breaker].op {
            Op::Reduce { .. } => true,
            Op::Aggregate(a) => a.trigger.is_none() && a.window.is_none(),
            _ => false,
        };
        if !plain {
            return false;
        }
        let mut at = self.plan.nodes[breaker].inputs.first().copied();
        while let Some(n) = at {
            if n == self.stage.source {
                return true;
            }
            at = match self.plan.nodes[n].op {
                Op::Filter(_) => self.plan.nodes[n].inputs.first().copied(),
                _ => None,
            };
        }
        false
    }

    /// The group table's upsert for `breaker` and its leading arguments: through the stage's
    /// key memo when it has one.
    /// The method carries `span`, so a key type error points at the user's operator.
    fn upsert(&self, breaker: NodeId, span: proc_macro2::Span) -> (TokenStream, TokenStream) {
        match self.uses_memo(breaker) {
            true => (quote_spanned! {span=> upsert_memo }, quote_spanned! {span=> &mut __memo, __key }),
            false => (quote_spanned! {span=> upsert }, quote_spanned! {span=> __key }),
        }
    }

    /// Folds the row into its key's record: the first record as it is, then `f(kept, row)`.
    /// For `distinct` (no body) the first record stays.
    pub(super) fn reduce_update(&self, id: NodeId, key: &Closure, body: Option<&Closure>, row: &syn::Ident) -> TokenStream {
        let span = self.op_spans[body.unwrap_or(key).id];
        let kc = &self.closures[key.id];
        let kspan = self.op_spans[key.id];
        let Some(ty) = record_type_at(self.plan, self.sig, self.closures, self.plan.nodes[id].inputs[0]) else {
            let msg = format!(
                "`{}` needs the record type of its input: put a `map` that builds a struct literal before it",
                self.plan.nodes[id].op.name()
            );
            return quote_spanned! {span=> ::core::compile_error!(#msg); };
        };
        let key = quote_spanned! {kspan=> __p::group_key(#row, #kc) };
        let (method, args) = self.upsert(id, span);
        let Some(body) = body else {
            return quote_spanned! {span=>
                let __key = #key;
                __table.#method(#args, || <#ty as __p::Record>::from_row(#row), |_| {});
            };
        };
        let f = &self.closures[body.id];
        quote_spanned! {span=>
            let __key = #key;
            __table.#method(#args, || <#ty as __p::Record>::from_row(#row), |__acc| {
                let __next = __p::join_apply(__p::as_row(&*__acc), #row, #f);
                *__acc = __next;
            });
        }
    }

    /// Keeps the row and its key for the `process` function.
    pub(super) fn process_push(&self, key: &Closure, row: &syn::Ident) -> TokenStream {
        let kc = &self.closures[key.id];
        let kspan = self.op_spans[key.id];
        quote_spanned! {kspan=> __buf.push(__p::group_key(#row, #kc), #row); }
    }

    /// A `process` stage's buffer of keyed rows, and the partial that runs the function over
    /// them once merged.
    pub(super) fn process_init_finish(&self, func: usize) -> (TokenStream, TokenStream) {
        let (f, span) = (&self.closures[func], self.op_spans[func]);
        let Some(ty) = crate::parse::process_type(f) else {
            return (TokenStream::new(), quote_spanned! {span=> ::core::compile_error!("`process` needs its function's type") });
        };
        let tspan = ty.span();
        (
            quote_spanned! {tspan=> let mut __buf = __p::ProcessBuffer::<#ty>::new(); },
            quote_spanned! {span=> __p::Processing::<#ty>::boxed(|| #f, __buf, __ctx) },
        )
    }

    /// A split's reduced records, merged with the same closure and output as they are.
    /// For `distinct` (no body) the earlier split's record stays.
    pub(super) fn reduce_finish(&self, body: Option<&Closure>) -> TokenStream {
        let Some(body) = body else {
            return quote! { __p::Partial::boxed(__table, |_, _| {}, |_, __acc| __acc) };
        };
        let f = &self.closures[body.id];
        let span = self.op_spans[body.id];
        quote_spanned! {span=>
            __p::Partial::boxed(__table, |__a, __b| {
                let __next = __p::join_apply(__p::as_row(&*__a), __p::as_row(&__b), #f);
                *__a = __next;
            }, |_, __acc| __acc)
        }
    }

    /// The key expression, the accumulators' initial values and their updates for `row`.
    fn agg_code(&self, a: &Aggregate, c: &syn::ExprClosure, row: &syn::Ident) -> AggCode {
        let row_pat = aggregate::params(c, a.window.is_some(), a.key.is_some()).row;
        let bind = row_pat.map(|p| quote! { let #p = #row; });
        let key = match &a.key {
            Some(k) => {
                let kc = &self.closures[k.id];
                let kspan = self.op_spans[k.id];
                quote_spanned! {kspan=> __p::group_key(#row, #kc) }
            }
            None => quote! { () },
        };
        let calls = aggregate::calls(&c.body);
        let inits = calls
            .iter()
            .map(|call| {
                let func = format_ident!("{}", call.func);
                match (call.init, call.arg) {
                    (Some(init), Some(e)) => quote_spanned! {e.span()=> __p::#func(#init, { #bind #e }) },
                    (_, Some(e)) => quote_spanned! {e.span()=> __p::#func({ #bind #e }) },
                    (_, None) => quote! { __p::#func() },
                }
            })
            .collect();
        let updates = calls
            .iter()
            .enumerate()
            .map(|(i, call)| {
                let idx = syn::Index::from(i);
                match call.arg {
                    Some(e) => quote_spanned! {e.span()=> __p::AddValue::add(&mut __acc.#idx, { #bind #e }); },
                    None => quote! { __p::AddValue::add(&mut __acc.#idx, ()); },
                }
            })
            .collect();
        AggCode { key, inits, updates }
    }

    /// Adds the row to its group: `__table.upsert(key, init, update)`.
    pub(super) fn aggregate_update(&self, id: NodeId, a: &Aggregate, row: &syn::Ident) -> TokenStream {
        let syn::Expr::Closure(c) = &self.closures[a.body.id] else { return TokenStream::new() };
        let span = self.op_spans[a.body.id];
        let AggCode { key, inits, updates } = self.agg_code(a, c, row);
        let Some((w, _)) = a.window else {
            let (method, args) = self.upsert(id, span);
            return quote_spanned! {span=>
                let __key = #key;
                __table.#method(#args, || (#(#inits,)*), |__acc| { #(#updates)* });
            };
        };
        if a.trigger.is_some() {
            return self.triggered_keep(id, w, row);
        }
        // Each window holding the row's event time gets it, unless that window has fired
        // already (a streaming run's late rows, counted when no window takes them).
        let keep = record_type_at(self.plan, self.sig, self.closures, self.plan.nodes[id].inputs[0])
            .map(|_| quote! { __p::RecordBuilder::append(&mut __late_rows, #row); });
        let wspan = self.op_spans[w];
        // The row named at the user's `.window`, so a record without an event time is reported there.
        let at_window = syn::Ident::new(&row.to_string(), wspan);
        let time = quote_spanned! {wspan=> __p::EventTime::event_time(&#at_window) };
        quote_spanned! {span=>
            let __key = #key;
            let mut __on_time = false;
            for __w in __p::WindowAssigner::windows(&__assigner, #time) {
                // A session ending at the watermark still takes rows (they touch it).
                if __ctx.expired(__w, __p::lateness(&__assigner) + __p::merging(&__assigner) as i64) {
                    continue;
                }
                __on_time = true;
                __table.upsert((__w, __key), || (#(#inits,)*), |__acc| { #(#updates)* });
            }
            if !__on_time {
                __ctx.late();
                #keep
            }
        }
    }

    /// A triggered aggregation's stage keeps each record that some open window takes (the
    /// table runs them row by row when the splits merge); the others are late.
    fn triggered_keep(&self, id: NodeId, w: usize, row: &syn::Ident) -> TokenStream {
        let wspan = self.op_spans[w];
        let Some(ty) = record_type_at(self.plan, self.sig, self.closures, self.plan.nodes[id].inputs[0]) else {
            return quote_spanned! {wspan=> ::core::compile_error!("a triggered window keeps its input records, so it needs their type: put a `map` that builds a struct literal before it"); };
        };
        let at_window = syn::Ident::new(&row.to_string(), wspan);
        let time = quote_spanned! {wspan=> __p::EventTime::event_time(&#at_window) };
        quote_spanned! {wspan=>
            if __p::WindowAssigner::windows(&__assigner, #time).any(|__w| !__ctx.closed(__w)) {
                __kept.push(<#ty as __p::Record>::from_row(#row));
            } else {
                __ctx.late();
                __p::RecordBuilder::append(&mut __late_rows, #row);
            }
        }
    }

    /// A triggered aggregation's partial: the kept records with the trigger, the update that
    /// adds a record to its groups (counting rows per group) and the finish that builds a
    /// result.
    pub(super) fn triggered_finish(&self, agg: NodeId) -> TokenStream {
        let Op::Aggregate(a) = &self.plan.nodes[agg].op else { return TokenStream::new() };
        let (Some((w, _)), Some((t, _))) = (&a.window, a.trigger.as_ref()) else { return TokenStream::new() };
        let syn::Expr::Closure(c) = &self.closures[a.body.id] else { return TokenStream::new() };
        let span = self.op_spans[a.body.id];
        let row = syn::Ident::new("__row_t", span);
        let AggCode { key, inits, updates } = self.agg_code(a, c, &row);
        let wspan = self.op_spans[*w];
        let time = quote_spanned! {wspan=> __p::EventTime::event_time(&#row) };
        let (trigger, tspan) = (&self.closures[*t], self.op_spans[*t]);
        let trigger = quote_spanned! {tspan=> __p::trigger(#trigger) };
        let finish = self.finish_closure(a, c);
        quote_spanned! {span=>
            __p::Triggered::boxed(
                __kept,
                #trigger,
                move |__table, #row, __touched| {
                    let __key = #key;
                    for __w in __p::WindowAssigner::windows(&__assigner, #time) {
                        __table.upsert((__w, __key), || ((#(#inits,)*), 1u64, 1u64), |__s| {
                            let __acc = &mut __s.0;
                            #(#updates)*
                            __s.1 += 1;
                            __s.2 += 1;
                        });
                        __touched.push((__w, __p::GroupKey::to_owned_key(__key)));
                    }
                },
                #finish,
                __p::merging(&__assigner),
                __p::lateness(&__assigner),
            )?
        }
    }

    /// Before a windowed aggregation's row loop: its assigner, checked once per split
    /// (`__assigner`); nothing for other breakers.
    pub(super) fn window_init(&self, breaker: NodeId) -> TokenStream {
        let w = match &self.plan.nodes[breaker].op {
            Op::Aggregate(Aggregate { window: Some((w, _)), .. }) => w,
            Op::Join(crate::plan::Join { window: Some((w, _)), .. }) => {
                // Sessions would merge a key's windows on each side separately.
                let (assigner, wspan) = (&self.closures[*w], self.op_spans[*w]);
                return quote_spanned! {wspan=> let __assigner = __p::WindowAssigner::check(__p::unmerged(#assigner)?)?; };
            }
            _ => return TokenStream::new(),
        };
        let (assigner, wspan) = (&self.closures[*w], self.op_spans[*w]);
        quote_spanned! {wspan=> let __assigner = __p::WindowAssigner::check(#assigner)?; }
    }

    /// The rows of a split with the generated comparator: the key closure applied to both rows.
    pub(super) fn sort_finish(&self, node: NodeId, key: &Closure, limit: Option<usize>) -> TokenStream {
        let kc = &self.closures[key.id];
        let span = self.op_spans[key.id];
        let limit = match limit {
            Some(n) => {
                let n = &self.closures[n];
                quote_spanned! {n.span()=> ::core::option::Option::Some(#n as usize) }
            }
            None => quote! { ::core::option::Option::None },
        };
        let ty =
            record_type_at(self.plan, self.sig, self.closures, self.plan.nodes[node].inputs[0]).unwrap_or_else(|| syn::parse_quote!(()));
        quote_spanned! {span=>
            __p::Sorted::boxed(__sorted, #limit, |__a: &#ty, __b: &#ty| {
                __p::Ord::cmp(&__p::map(__p::as_row(__a), #kc), &__p::map(__p::as_row(__b), #kc))
            })
        }
    }

    /// The partial result of a split: the table with generated merge and finish closures.
    pub(super) fn aggregate_finish(&self, agg: NodeId) -> TokenStream {
        let Op::Aggregate(a) = &self.plan.nodes[agg].op else { return TokenStream::new() };
        let syn::Expr::Closure(c) = &self.closures[a.body.id] else { return TokenStream::new() };
        if a.trigger.is_some() {
            return self.triggered_finish(agg);
        }
        let merges = (0..aggregate::calls(&c.body).len()).map(|i| {
            let idx = syn::Index::from(i);
            quote! { __p::Accumulator::merge(&mut __a.#idx, __b.#idx); }
        });
        let finish = self.finish_closure(a, c);
        match a.window.as_ref() {
            Some((assigner, _)) => {
                let wspan = self.op_spans[*assigner];
                let assigner = &self.closures[*assigner];
                let merging = quote_spanned! {wspan=> __p::merging(&#assigner) };
                let lateness = quote_spanned! {wspan=> __p::lateness(&#assigner) };
                quote! {
                    __p::Partial::windowed(__table, |__a, __b| { #(#merges)* }, #finish, #merging, #lateness)?
                }
            }
            None => quote! {
                __p::Partial::boxed(__table, |__a, __b| { #(#merges)* }, #finish)
            },
        }
    }

    /// The closure that builds a group's output record from its key (and window) and its
    /// accumulators: the aggregate closure with each call replaced by its accumulator's value.
    fn finish_closure(&self, a: &Aggregate, c: &syn::ExprClosure) -> TokenStream {
        let params = aggregate::params(c, a.window.is_some(), a.key.is_some());
        let key_pat = params.key.map_or_else(|| quote! { _ }, |p| quote! { #p });
        let mut body = (*c.body).clone();
        let mut rewrite = FinishCalls { next: 0 };
        syn::visit_mut::VisitMut::visit_expr_mut(&mut rewrite, &mut body);
        match (params.window, a.window.is_some()) {
            (Some(w), true) => quote! { |(#w, #key_pat), __acc| #body },
            _ => quote! { |#key_pat, __acc| #body },
        }
    }
}

/// The pieces of an aggregation's per-row code.
struct AggCode {
    key: TokenStream,
    inits: Vec<TokenStream>,
    updates: Vec<TokenStream>,
}

/// Replaces the n-th aggregate call of a body with the n-th accumulator's final value.
struct FinishCalls {
    next: usize,
}

impl syn::visit_mut::VisitMut for FinishCalls {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if aggregate::call_name(e).is_some() {
            let idx = syn::Index::from(self.next);
            self.next += 1;
            let span = e.span();
            *e = syn::parse_quote_spanned! {span=> __p::Accumulator::finish(__acc.#idx) };
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
}
