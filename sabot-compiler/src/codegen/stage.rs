//! One fused stage as a Rust function: conform the morsel to the source record (only the
//! read columns), then one loop over its rows in which every operator is inlined. Filters
//! `break` out of their labelled block, maps bind a value and its row view, flat_maps open an
//! inner loop, and sinks append to typed builders; no allocation or dispatch per row beyond
//! what user closures do.

use crate::parse::{Signature, closure::struct_literal_mut};
use crate::plan::{FieldSet, JoinKind, NodeId, Op, Plan, Stage};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use std::collections::BTreeMap;
use syn::spanned::Spanned;

/// The field mask of a source node: its projected columns, or every field.
pub fn mask_expr(plan: &Plan, node: NodeId, record: &syn::Type) -> TokenStream {
    let columns = match &plan.nodes[node].op {
        Op::Source { columns: Some(c), .. } => c.clone(),
        _ => FieldSet::All,
    };
    let event_time = columns.contains(crate::plan::EVENT_TIME);
    match columns.names() {
        None => quote! { __p::ALL_FIELDS },
        Some(names) if event_time => {
            let names = names.into_iter().filter(|n| *n != crate::plan::EVENT_TIME);
            quote_spanned! {record.span()=>
                __p::mask_of(<#record as __p::Record>::FIELD_NAMES, &[#(#names),*]) | <#record as __p::Record>::EVENT_TIME_MASK
            }
        }
        Some(names) => quote_spanned! {record.span()=> __p::mask_of(<#record as __p::Record>::FIELD_NAMES, &[#(#names),*]) },
    }
}

/// What row code generation for one stage needs.
pub(super) struct Ctx<'a> {
    pub(super) plan: &'a Plan,
    pub(super) sig: &'a Signature,
    pub(super) stage: &'a Stage,
    pub(super) closures: &'a [syn::Expr],
    pub(super) op_spans: &'a [Span],
    /// Per node: how many rows it can emit per input row, `None` when unbounded (flat_map).
    pub(super) fanout: BTreeMap<NodeId, Option<usize>>,
}

/// Rows each node of the stage can emit per source row: 1 at the source, the sum over inputs
/// (a union of two paths emits up to 2), unbounded after a `flat_map`. Sinks with a bound get
/// builders with that much room, so their appends need no growth path in the loop.
fn fanout(plan: &Plan, stage: &Stage) -> BTreeMap<NodeId, Option<usize>> {
    let mut f: BTreeMap<NodeId, Option<usize>> = BTreeMap::new();
    for &n in &stage.nodes {
        let node = &plan.nodes[n];
        let v = if n == stage.source {
            Some(1)
        } else if matches!(node.op, Op::FlatMap(_)) || matches!(&node.op, Op::Join(j) if j.body.is_some()) {
            // flat_map and joins with a pair closure can emit any number of rows per input row.
            None
        } else {
            node.inputs.iter().filter_map(|i| f.get(i)).try_fold(0usize, |acc, x| x.map(|x| acc.saturating_add(x)))
        };
        f.insert(n, v);
    }
    f
}

/// For a stage ending in a windowed aggregation whose input record type is known: that type
/// (its late rows are kept as such records).
pub fn late_record(plan: &Plan, sig: &Signature, closures: &[syn::Expr], stage: &Stage) -> Option<syn::Type> {
    let b = stage.breaker?;
    match &plan.nodes[b].op {
        Op::Aggregate(a) if a.window.is_some() => record_type_at(plan, sig, closures, plan.nodes[b].inputs[0]),
        _ => None,
    }
}

/// The record a stage reads and the name of its field-mask constant: a source's record, or the
/// output record of the aggregation whose groups it reads.
pub fn stage_input(plan: &Plan, sig: &Signature, closures: &[syn::Expr], stage: &Stage) -> (syn::Type, syn::Ident) {
    match &plan.nodes[stage.source].op {
        Op::Source { index, .. } => (sig.sources[*index].record.clone(), format_ident!("__SABOT_MASK_{}", index)),
        // A breaker's rows: an aggregation's groups, a sort's rows, a windowed join's pairs.
        op if !op.is_stateless() => {
            let ty = record_type_at(plan, sig, closures, stage.source).unwrap_or_else(|| syn::parse_quote!(()));
            (ty, format_ident!("__SABOT_MASK_N{}", stage.source))
        }
        _ => (syn::parse_quote!(()), format_ident!("__SABOT_MASK_N{}", stage.source)),
    }
}

/// The record type of the rows leaving `node`, when the syntax says it: a source's, a map's or
/// an aggregation's struct literal, through filters, unions and sorts. `None` after a
/// `flat_map` or a map that does not end in a struct literal.
pub fn record_type_at(plan: &Plan, sig: &Signature, closures: &[syn::Expr], node: NodeId) -> Option<syn::Type> {
    let literal = |id: usize| match &closures[id] {
        syn::Expr::Closure(c) => struct_literal_path(&c.body).map(|p| syn::Type::Path(syn::TypePath { qself: None, path: p })),
        _ => None,
    };
    match &plan.nodes[node].op {
        Op::Source { index, .. } => Some(sig.sources[*index].record.clone()),
        Op::Map(c) => literal(c.id),
        Op::Aggregate(a) => literal(a.body.id),
        Op::Join(j) => match &j.body {
            Some(b) => literal(b.id),
            None => plan.nodes[node].inputs.first().and_then(|&i| record_type_at(plan, sig, closures, i)),
        },
        Op::Filter(_) | Op::Union | Op::Sort { .. } | Op::Reduce { .. } => {
            plan.nodes[node].inputs.first().and_then(|&i| record_type_at(plan, sig, closures, i))
        }
        Op::Process { func, .. } => {
            let ty = crate::parse::process_type(&closures[*func])?;
            Some(syn::parse_quote_spanned! {ty.span()=> <#ty as __p::KeyedProcess>::Out })
        }
        Op::FlatMap(_) | Op::Sink { .. } => None,
    }
}

fn struct_literal_path(body: &syn::Expr) -> Option<syn::Path> {
    let mut body = body.clone();
    struct_literal_mut(&mut body).map(|s| s.path.clone())
}

/// The function for stage `index`: per morsel for a fused stage, per split for one that ends
/// in an aggregation.
pub fn stage_fn(plan: &Plan, sig: &Signature, closures: &[syn::Expr], op_spans: &[Span], index: usize, stage: &Stage) -> TokenStream {
    let f = format_ident!("__sabot_stage_{}", index);
    let (rec, mask) = stage_input(plan, sig, closures, stage);
    let local_mask = match &plan.nodes[stage.source].op {
        op if !op.is_stateless() => {
            let value = mask_expr(plan, stage.source, &rec);
            quote! { const #mask: __p::FieldMask = #value; }
        }
        _ => TokenStream::new(),
    };
    let fan = fanout(plan, stage);
    let sink_node = |k: usize| stage.nodes.iter().copied().find(|&n| matches!(plan.nodes[n].op, Op::Sink { index, .. } if index == k));
    let builders: Vec<TokenStream> = stage
        .sinks
        .iter()
        .map(|&k| {
            let b = format_ident!("__sink_{}", k);
            let out = &sig.sinks[k].record;
            let room = match sink_node(k).and_then(|n| fan.get(&n).copied().flatten()) {
                Some(per_row) => quote! { __capacity.saturating_mul(#per_row) },
                None => quote! { __capacity },
            };
            quote_spanned! {out.span()=> let mut #b = <#out as __p::Record>::builder(#room); }
        })
        .collect();
    let emits: Vec<TokenStream> = stage
        .sinks
        .iter()
        .map(|&k| {
            let b = format_ident!("__sink_{}", k);
            quote! { __out.emit(#k, __p::RecordBuilder::finish(&mut #b)); }
        })
        .collect();
    let ctx = Ctx { plan, sig, stage, closures, op_spans, fanout: fan.clone() };
    let row = format_ident!("__row_{}", stage.source);
    let read_row = quote! { <#rec as __p::Record>::row::<#mask>(&__cols, __i) };
    let consumers: Vec<NodeId> = plan.consumers(stage.source).into_iter().filter(|c| stage.nodes.contains(c)).collect();
    let passed = match consumers.as_slice() {
        [only] => passes_selection(plan, sig, stage, *only, &rec),
        _ => None,
    };
    // A filter right after the input runs as a branch-free selection pass over the morsel; the
    // rest of the chain then runs only on the selected rows.
    let row_loop = match consumers.as_slice() {
        [only] if matches!(plan.nodes[*only].op, Op::Filter(_)) => {
            let Op::Filter(c) = &plan.nodes[*only].op else { unreachable!("matched a filter") };
            let f = ctx.closure(c.id, &c.dead, true);
            let span = op_spans[c.id];
            let rest = ctx.consumers(*only, &row);
            // A probe that drops rows without a match, right after the filter, is asked too,
            // from its build keys' bitmap alone.
            let selected = quote! { __selected };
            let prefilter = ctx.probe_prefilter(*only, &selected);
            // The selection pass reads only what the predicate (and the probe's key) read: a row
            // read may stop at a bounds check, so the compiler cannot drop the reads of unused
            // fields itself.
            let names = match (c.reads.names(), prefilter.as_ref().map(|(_, _, reads)| reads.names())) {
                (Some(names), None) => Some(names),
                (Some(mut names), Some(Some(key))) => {
                    names.extend(key);
                    names.sort_unstable();
                    names.dedup();
                    Some(names)
                }
                _ => None,
            };
            let reads = match names {
                Some(names) => quote_spanned! {rec.span()=> __p::mask_of(<#rec as __p::Record>::FIELD_NAMES, &[#(#names),*]) & #mask },
                None => quote! { #mask },
            };
            // `&`, not `&&`: both are evaluated for every row, without a branch on either.
            let (take, keep) = match prefilter {
                Some((take, may_match, _)) => (take, quote_spanned! {span=> __p::filter(#selected, #f) & #may_match }),
                None => (TokenStream::new(), quote_spanned! {span=> __p::filter(#selected, #f) }),
            };
            let select = quote_spanned! {span=>
                const __READS: __p::FieldMask = #reads;
                #take
                __p::select(__n, &mut __sel, |__i| {
                    let #selected = <#rec as __p::Record>::row::<__READS>(&__cols, __i);
                    #keep
                });
            };
            let build = quote! {
                let __capacity = __sel.len();
                #(#builders)*
                for &__i in &__sel {
                    let __i = __i as usize;
                    let #row = #read_row;
                    #rest
                }
            };
            // Selected rows that go to a sink unchanged are taken from the input's arrays.
            let build = match passed {
                Some(k) => quote! {
                    match __p::selected::<#rec>(&__arrays, &__sel, __n) {
                        ::core::option::Option::Some(__batch) => __out.emit(#k, __batch),
                        ::core::option::Option::None => {
                            #build
                            #(#emits)*
                        }
                    }
                },
                None => build,
            };
            quote! {
                let mut __sel = __p::scratch();
                #select
                #build
                __p::recycle(__sel);
            }
        }
        _ => {
            let body = ctx.consumers(stage.source, &row);
            quote! {
                let __capacity = __n;
                #(#builders)*
                for __i in 0..__n {
                    let #row = #read_row;
                    #body
                }
            }
        }
    };
    // Emitted inside the row loop when its selected rows may pass to the sink unchanged.
    let late_emits = if passed.is_some() { Vec::new() } else { emits.clone() };
    // Build tables of the joins this stage probes, from the stages that built them.
    let tables = stage.nodes.iter().copied().filter(|&n| probes(plan, stage, n)).map(|n| {
        let built = format_ident!("__built_{}", n);
        let from = plan.stages.iter().position(|t| t.breaker == Some(n)).unwrap_or(usize::MAX);
        if matches!(&plan.nodes[n].op, Op::Join(j) if j.kind.keys_only()) {
            return quote! { let #built = __ctx.built::<__p::KeySet<_>>(#from)?; };
        }
        let ty = record_type_at(plan, sig, closures, plan.nodes[n].inputs[1]).unwrap_or_else(|| syn::parse_quote!(()));
        quote! { let #built = __ctx.built::<__p::JoinTable<_, #ty>>(#from)?; }
    });
    let tables: Vec<TokenStream> = tables.collect();
    let per_morsel = quote! {
        let __arrays = __p::conform::<#rec>(&__morsel.batch, #mask, &__morsel.origin)?;
        let __cols = <#rec as __p::Record>::columns::<#mask>(&__arrays);
        let __rows = __morsel.batch.num_rows();
        let __n = __rows.min(<#rec as __p::Record>::len::<#mask>(&__cols));
        #row_loop
    };
    match stage.breaker {
        Some(breaker) => {
            let two_sided = super::two_sided_join(plan, breaker);
            let partial = match &plan.nodes[breaker].op {
                Op::Join(_) if !two_sided => quote! { __p::BuildPartial },
                _ => quote! { __p::AggPartial },
            };
            let (init, finish) = match &plan.nodes[breaker].op {
                Op::Sort { key, limit } => (quote! { let mut __sorted = ::std::vec::Vec::new(); }, ctx.sort_finish(breaker, key, *limit)),
                Op::Join(j) if two_sided && j.interval.is_some() => {
                    (ctx.two_sided_init(breaker), quote! { __p::IntervalJoin::boxed(__table) })
                }
                Op::Join(j) if two_sided && j.asof => (ctx.two_sided_init(breaker), quote! { __p::AsofJoin::boxed(__table) }),
                Op::Join(_) if two_sided => (ctx.two_sided_init(breaker), quote! { __p::WindowJoin::boxed(__table) }),
                Op::Join(j) if j.kind.keys_only() => {
                    (quote! { let mut __build = __p::KeySet::new(); }, quote! { __p::KeySet::boxed(__build) })
                }
                Op::Join(j) => {
                    let table = if matches!(j.kind, JoinKind::Right | JoinKind::Full) { quote!(outer) } else { quote!(new) };
                    (quote! { let mut __build = __p::JoinTable::#table(); }, quote! { __p::JoinTable::boxed(__build) })
                }
                Op::Reduce { body, .. } => (quote! { let mut __table = __p::GroupTable::new(); }, ctx.reduce_finish(body.as_ref())),
                Op::Process { func, .. } => ctx.process_init_finish(*func),
                Op::Aggregate(a) if a.trigger.is_some() => {
                    (quote! { let mut __kept = ::std::vec::Vec::new(); }, ctx.aggregate_finish(breaker))
                }
                _ => (quote! { let mut __table = __p::GroupTable::new(); }, ctx.aggregate_finish(breaker)),
            };
            // Aggregation state and build rows can be written out: they join the memory budget.
            let budget = match &plan.nodes[breaker].op {
                Op::Aggregate(a) if a.trigger.is_none() => Some(quote! { __table }),
                Op::Join(_) if !two_sided => Some(quote! { __build }),
                _ => None,
            }
            .map(|table| {
                quote! {
                    {
                        use __p::{KeepInMemory as _, SpillByCodec as _};
                        (&__p::Budget::new(&mut #table)).check_budget(__ctx)?;
                    }
                }
            });
            let window_init = ctx.window_init(breaker);
            // A key memo points into the last morsel's buffers: it starts afresh with each.
            let (memo_init, morsel_start) = match ctx.uses_memo(breaker) {
                true => (quote! { let mut __memo = __p::KeyMemo::new(); }, quote! { __memo.next_morsel(); }),
                false => (TokenStream::new(), TokenStream::new()),
            };
            // A windowed aggregation keeps its late rows, as records of its input.
            let (late_init, late_keep) = match late_record(plan, sig, closures, stage) {
                Some(ty) => (
                    quote! { let mut __late_rows = <#ty as __p::Record>::builder(0); },
                    quote! { __ctx.keep_late::<#ty>(&mut __late_rows); },
                ),
                None => (TokenStream::new(), TokenStream::new()),
            };
            // The stage owning a two-sided join's table emits its pair function.
            let pair = match &plan.nodes[breaker].op {
                Op::Join(j) if two_sided && super::last_builder(plan, breaker) == Some(index) => ctx.two_sided_pair(breaker, j),
                _ => TokenStream::new(),
            };
            quote! {
                #pair
                #[allow(unused_variables, unused_mut, unused_labels, clippy::all)]
                fn #f(__split: __p::MorselIter, __ctx: &__p::StageCtx) -> __p::Result<::std::boxed::Box<dyn #partial>> {
                    #local_mask
                    #(#tables)*
                    #init
                    #memo_init
                    #window_init
                    #late_init
                    for __next in __split {
                        let __owned = __next?;
                        let __morsel = &__owned;
                        #morsel_start
                        #per_morsel
                        #late_keep
                        #budget
                    }
                    ::core::result::Result::Ok(#finish)
                }
            }
        }
        None => {
            // Right and full joins: after all input, the build rows no probe row matched.
            let ends = outer_joins(plan, stage).into_iter().map(|n| {
                let Op::Join(j) = &plan.nodes[n].op else { unreachable!("outer_joins returns joins") };
                let end = format_ident!("__sabot_stage_{}_end_{}", index, n);
                let body = ctx.join_unmatched(n, j);
                quote! {
                    #[allow(unused_variables, unused_mut, unused_labels, clippy::all)]
                    fn #end(__out: &mut __p::StageOutput, __ctx: &__p::StageCtx) -> __p::Result<()> {
                        #local_mask
                        #(#tables)*
                        let __capacity = 1024usize;
                        #(#builders)*
                        #body
                        #(#emits)*
                        Ok(())
                    }
                }
            });
            quote! {
                #[allow(unused_variables, unused_mut, unused_labels, clippy::all)]
                fn #f(__morsel: &__p::Morsel, __out: &mut __p::StageOutput, __ctx: &__p::StageCtx) -> __p::Result<()> {
                    #local_mask
                    #(#tables)*
                    #per_morsel
                    #(#late_emits)*
                    Ok(())
                }
                #(#ends)*
            }
        }
    }
}

/// The sink a stage's filter `filter` sends its rows to unchanged, if that is all the stage
/// does with them: the stage then emits the selected rows of its input arrays.
fn passes_selection(plan: &Plan, sig: &Signature, stage: &Stage, filter: NodeId, rec: &syn::Type) -> Option<usize> {
    if stage.breaker.is_some() || !matches!(plan.nodes[filter].op, Op::Filter(_)) {
        return None;
    }
    let consumers: Vec<NodeId> = plan.consumers(filter).into_iter().filter(|c| stage.nodes.contains(c)).collect();
    let [sink] = consumers.as_slice() else { return None };
    let Op::Sink { index, .. } = plan.nodes[*sink].op else { return None };
    let out = &sig.sinks.get(index)?.record;
    let same = out.to_token_stream().to_string() == rec.to_token_stream().to_string();
    (same && stage.sinks == [index]).then_some(index)
}

impl Ctx<'_> {
    pub(super) fn consumers(&self, node: NodeId, row: &syn::Ident) -> TokenStream {
        let blocks = self.plan.consumers(node).into_iter().filter(|c| self.stage.nodes.contains(c)).map(|c| {
            let label = syn::Lifetime::new(&format!("'__n{c}"), Span::call_site());
            let inner = self.node(c, row, &label);
            quote! { #label: { #inner } }
        });
        quote! { #(#blocks)* }
    }

    fn node(&self, id: NodeId, row: &syn::Ident, label: &syn::Lifetime) -> TokenStream {
        // Names keep call-site hygiene but point at the operator, so type errors about a
        // value (a map returning a non-record) land on the user's `.map`.
        let at = |name: String, span: Span| syn::Ident::new(&name, span);
        let span = self.plan.nodes[id].op.closure().map_or_else(Span::call_site, |c| self.op_spans[c.id]);
        let out_row = at(format!("__row_{id}"), span);
        let value = at(format!("__value_{id}"), span);
        match &self.plan.nodes[id].op {
            Op::Filter(c) => {
                let f = self.closure(c.id, &c.dead, true);
                let span = self.op_spans[c.id];
                let consumers: Vec<NodeId> = self.plan.consumers(id).into_iter().filter(|n| self.stage.nodes.contains(n)).collect();
                // A filter feeding only a sink runs no user code after it: append every row and
                // let the predicate decide whether it stays (no branch on data).
                if let [only] = consumers[..]
                    && let Op::Sink { index, .. } = self.plan.nodes[only].op
                    && self.bounded(only)
                {
                    let b = format_ident!("__sink_{}", index);
                    return quote_spanned! {span=> __p::RecordBuilder::append_if(&mut #b, #row, __p::filter(#row, #f)); };
                }
                let rest = self.consumers(id, row);
                quote_spanned! {span=> if !__p::filter(#row, #f) { break #label; } #rest }
            }
            Op::Map(c) => {
                let f = self.closure(c.id, &c.dead, false);
                let span = self.op_spans[c.id];
                let rest = self.consumers(id, &out_row);
                quote_spanned! {span=>
                    let #value = __p::map(#row, #f);
                    let #out_row = __p::as_row(&#value);
                    #rest
                }
            }
            Op::FlatMap(c) => {
                let f = self.closure(c.id, &c.dead, false);
                let span = self.op_spans[c.id];
                let rest = self.consumers(id, &out_row);
                quote_spanned! {span=>
                    for #value in __p::flat_map(#row, #f) {
                        let #out_row = __p::as_row(&#value);
                        #rest
                    }
                }
            }
            Op::Union => self.consumers(id, row),
            Op::Aggregate(a) => self.aggregate_update(id, a, row),
            Op::Reduce { key, body } => self.reduce_update(id, key, body.as_ref(), row),
            Op::Process { key, .. } => self.process_push(key, row),
            Op::Join(j) if self.stage.breaker == Some(id) && (j.interval.is_some() || j.asof) => self.interval_join_side(id, j, row),
            Op::Join(j) if self.stage.breaker == Some(id) && j.window.is_some() => self.window_join_side(id, j, row),
            Op::Join(j) if self.stage.breaker == Some(id) => self.join_build(id, j, row),
            Op::Join(j) => self.join_probe(id, j, row, label),
            Op::Sort { key, .. } => {
                let span = self.op_spans[key.id];
                let input = self.plan.nodes[id].inputs[0];
                match record_type_at(self.plan, self.sig, self.closures, input) {
                    Some(ty) => quote_spanned! {span=> __sorted.push(<#ty as __p::Record>::from_row(#row)); },
                    None => {
                        quote_spanned! {span=> ::core::compile_error!("sorting needs the record type of its input: put a `map` that builds a struct literal before it (not after a `flat_map`)"); }
                    }
                }
            }
            Op::Sink { index, .. } => {
                // A row of another type than the declared output is reported at the
                // operator that produced it.
                let b = format_ident!("__sink_{}", index);
                let from = self.plan.nodes[id].inputs[0];
                let span = self.producer_span(from);
                let row = syn::Ident::new(&row.to_string(), span);
                if self.bounded(id) {
                    quote_spanned! {span=> __p::RecordBuilder::append_within(&mut #b, #row); }
                } else {
                    quote_spanned! {span=> __p::RecordBuilder::append(&mut #b, #row); }
                }
            }
            Op::Source { .. } => TokenStream::new(),
        }
    }

    /// Whether the builder of sink node `id` was given room for every row it can receive.
    fn bounded(&self, id: NodeId) -> bool {
        self.fanout.get(&id).copied().flatten().is_some()
    }

    /// The span of the operator whose output `id` is: the nearest closure operator upstream.
    fn producer_span(&self, mut id: NodeId) -> Span {
        loop {
            let node = &self.plan.nodes[id];
            if let Some(c) = node.op.closure() {
                return self.op_spans[c.id];
            }
            match node.inputs.first() {
                Some(&i) => id = i,
                None => return Span::call_site(),
            }
        }
    }

    /// The user's closure, with dead struct-literal fields replaced by defaults.
    pub(super) fn closure(&self, id: usize, dead: &[String], filter: bool) -> TokenStream {
        let mut expr = self.closures[id].clone();
        if filter {
            super::branchless::rewrite_filter(&mut expr);
        }
        if !dead.is_empty()
            && let syn::Expr::Closure(c) = &mut expr
            && let Some(lit) = struct_literal_mut(&mut c.body)
        {
            for f in lit.fields.iter_mut() {
                if let syn::Member::Named(n) = &f.member
                    && dead.contains(&n.to_string())
                {
                    let span = f.expr.span();
                    f.expr = syn::parse_quote_spanned! {span=> ::core::default::Default::default() };
                }
            }
        }
        quote! { #expr }
    }
}

/// Whether stage `stage` probes the build table of join `n` (a hash join it streams through,
/// not one it fills and not the windowed join whose rows it reads).
pub fn probes(plan: &Plan, stage: &Stage, n: NodeId) -> bool {
    matches!(&plan.nodes[n].op, Op::Join(j) if !j.two_sided()) && stage.breaker != Some(n)
}

/// The right and full joins a stage probes (it emits their unmatched build rows at the end).
pub fn outer_joins(plan: &Plan, stage: &Stage) -> Vec<NodeId> {
    stage
        .nodes
        .iter()
        .copied()
        .filter(|&n| {
            stage.breaker != Some(n) && matches!(&plan.nodes[n].op, Op::Join(j) if matches!(j.kind, JoinKind::Right | JoinKind::Full))
        })
        .collect()
}
