//! The Rust backend: emits one function per fused stage over typed column views, plus the
//! static `PipelineSpec` the runtime runs. Expansion never reports user errors: those come from
//! `parse` (ours) or from rustc on user tokens that keep their spans.

mod branchless;
mod breaker;
mod join;
mod stage;

use crate::diagnostic::Diagnostics;
use crate::parse::{Parsed, parse_pipeline};
use crate::pass;
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

/// Expands `#[sabot::pipeline]`: `attr` is the attribute's arguments, `item` the fn.
pub fn expand_pipeline(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut diag = Diagnostics::default();
    if !attr.is_empty() {
        diag.error(&attr, "`#[sabot::pipeline]` takes no arguments");
    }
    let func: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let e =
                syn::Error::new_spanned(&item, "`#[sabot::pipeline]` goes on a fn: `fn name(input: Stream<Rec>) -> Stream<Out> { ... }`");
            return e.to_compile_error();
        }
    };
    let parsed = parse_pipeline(&func, &mut diag);
    match parsed {
        Some(parsed) if diag.is_empty() => emit(&func, parsed),
        _ => {
            let errors = diag.to_compile_errors();
            let fallback = fallback_item(&func);
            quote! { #fallback #errors }
        }
    }
}

/// The item left in place when the pipeline has errors, so the rest of the crate type-checks.
fn fallback_item(func: &syn::ItemFn) -> TokenStream {
    let (vis, name) = (&func.vis, &func.sig.ident);
    let docs = func.attrs.iter().filter(|a| a.path().is_ident("doc"));
    quote! {
        #(#docs)*
        #[allow(non_camel_case_types, dead_code)]
        #[derive(Debug, Clone, Copy, Default)]
        #vis struct #name;
        impl ::sabot::__private::Pipeline for #name {
            fn spec(&self) -> &'static ::sabot::__private::PipelineSpec {
                ::core::unreachable!("this pipeline did not compile")
            }
        }
    }
}

fn emit(func: &syn::ItemFn, parsed: Parsed) -> TokenStream {
    let Parsed { mut plan, signature, closures, op_spans } = parsed;
    // The variant with an inner join's sides swapped is planned from the parsed plan.
    let variant = pass::build_side::swappable(&plan).map(|swap| (swap, pass::build_side::swapped(&plan, swap)));
    let trace = pass::run_all(&mut plan);
    if let Some(e) = unsupported_shape(&plan, &op_spans).or_else(|| untyped_two_sided_join(&plan, &signature, &closures, &op_spans)) {
        let fallback = fallback_item(func);
        let e = e.to_compile_error();
        return quote! { #fallback #e };
    }
    let (vis, name) = (&func.vis, &func.sig.ident);
    let docs = func.attrs.iter().filter(|a| a.path().is_ident("doc") || a.path().is_ident("cfg"));
    let key_checks = join_key_checks(&plan, &signature, &closures, &op_spans);
    let variant = variant.and_then(|(swap, mut alt)| {
        let trace = pass::run_all(&mut alt);
        // Only when the variant compiles as it stands: both sides' record types are known.
        let typed = alt.nodes[swap.join].inputs.iter().all(|&i| stage::record_type_at(&alt, &signature, &closures, i).is_some());
        let fine = typed && unsupported_shape(&alt, &op_spans).is_none();
        fine.then(|| {
            let (items, literal) =
                spec_parts(func, &alt, &trace, &signature, &closures, &op_spans, quote! { ::core::option::Option::None });
            let (probe, build) = (swap.probe_source, swap.build_source);
            let static_item = quote! { static __SABOT_ALT: __p::PipelineSpec = { #items #literal }; };
            let field = quote! {
                ::core::option::Option::Some(&__p::Alternative { probe_source: #probe, build_source: #build, spec: &__SABOT_ALT })
            };
            (static_item, field)
        })
    });
    let (alt_item, alt_field) = variant.unwrap_or_else(|| (TokenStream::new(), quote! { ::core::option::Option::None }));
    let (items, literal) = spec_parts(func, &plan, &trace, &signature, &closures, &op_spans, alt_field);
    quote! {
        #(#docs)*
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, Default)]
        #vis struct #name;

        const _: () = {
            use ::sabot::__private as __p;
            #items
            #key_checks
            #alt_item
            static __SABOT_SPEC: __p::PipelineSpec = #literal;
            #[automatically_derived]
            impl __p::Pipeline for #name {
                fn spec(&self) -> &'static __p::PipelineSpec {
                    &__SABOT_SPEC
                }
            }
        };
    }
}

/// The items (masks, pruning and stage functions) and the `PipelineSpec` literal of one
/// planned variant of a pipeline.
#[allow(clippy::too_many_arguments)]
fn spec_parts(
    func: &syn::ItemFn,
    plan: &crate::plan::Plan,
    trace: &[(&'static str, String)],
    signature: &crate::parse::Signature,
    closures: &[syn::Expr],
    op_spans: &[proc_macro2::Span],
    alternative: TokenStream,
) -> (TokenStream, TokenStream) {
    let name_str = func.sig.ident.to_string();

    let stage_fns: Vec<TokenStream> =
        plan.stages.iter().enumerate().map(|(i, s)| stage::stage_fn(plan, signature, closures, op_spans, i, s)).collect();
    let masks: Vec<TokenStream> = signature
        .sources
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let node = plan.sources()[k];
            let mask = format_ident!("__SABOT_MASK_{}", k);
            let value = stage::mask_expr(plan, node, &s.record);
            quote! { const #mask: __p::FieldMask = #value; }
        })
        .collect();
    let prune_fns: Vec<TokenStream> = (0..signature.sources.len()).map(|k| prune_fn(plan, &signature.sources[k].record, k)).collect();
    let sources = signature.sources.iter().enumerate().map(|(k, s)| {
        let (sname, rec) = (s.name.to_string(), &s.record);
        let rec_str = rec.to_token_stream().to_string().replace(' ', "");
        let mask = format_ident!("__SABOT_MASK_{}", k);
        let prune = if prune_fns[k].is_empty() {
            quote! { ::core::option::Option::None }
        } else {
            let f = format_ident!("__sabot_prune_{}", k);
            quote! { ::core::option::Option::Some(#f) }
        };
        quote_spanned! {rec.span()=>
            __p::SourceSpec { name: #sname, record: #rec_str, fields: <#rec as __p::Record>::fields, schema: <#rec as __p::Record>::schema, mask: #mask, prune: #prune }
        }
    });
    let sinks = signature.sinks.iter().map(|s| {
        let (sname, rec) = (&s.name, &s.record);
        let rec_str = rec.to_token_stream().to_string().replace(' ', "");
        quote_spanned! {rec.span()=> __p::SinkSpec { name: #sname, record: #rec_str, schema: <#rec as __p::Record>::schema } }
    });
    let stages = plan.stages.iter().enumerate().map(|(i, s)| {
        let f = format_ident!("__sabot_stage_{}", i);
        let input = match plan.nodes[s.source].op {
            crate::plan::Op::Source { index, .. } => quote! { __p::StageInput::Source(#index) },
            _ => {
                // A windowed or interval join's rows come from the last of the stages filling its table.
                let from = last_builder(plan, s.source).unwrap_or(0);
                quote! { __p::StageInput::Stage(#from) }
            }
        };
        let merge_into = match s.breaker.filter(|&b| two_sided_join(plan, b)).and_then(|b| last_builder(plan, b)) {
            Some(owner) if owner != i => quote! { ::core::option::Option::Some(#owner) },
            _ => quote! { ::core::option::Option::None },
        };
        let run = match s.breaker.map(|b| &plan.nodes[b].op) {
            Some(crate::plan::Op::Join(j)) if !j.two_sided() => quote! { __p::StageRun::Build(#f) },
            Some(_) => quote! { __p::StageRun::Aggregate(#f) },
            None => quote! { __p::StageRun::Fused(#f) },
        };
        let sinks = &s.sinks;
        let probes = s.nodes.iter().filter(|&&n| stage::probes(plan, s, n)).map(|&n| {
            let from = plan.stages.iter().position(|t| t.breaker == Some(n)).unwrap_or(usize::MAX);
            let through = passes_through(plan, s, n);
            quote! { (#from, #through) }
        });
        let ends = if s.breaker.is_none() { stage::outer_joins(plan, s) } else { Vec::new() };
        let ends = ends.into_iter().map(|n| format_ident!("__sabot_stage_{}_end_{}", i, n));
        let late = match stage::late_record(plan, signature, closures, s) {
            Some(ty) => quote! { ::core::option::Option::Some(<#ty as __p::Record>::schema) },
            None => quote! { ::core::option::Option::None },
        };
        quote! {
            __p::StageSpec { input: #input, sinks: &[#(#sinks),*], ordered: true, unmatched: &[#(#ends),*], probes: &[#(#probes),*], late: #late, merge_into: #merge_into, run: #run }
        }
    });

    let code_text = pretty(&quote! { #(#prune_fns)* #(#stage_fns)* });
    let source_text = pretty(&func.to_token_stream());
    let pass_names = trace.iter().map(|(n, _)| *n);
    let pass_texts = trace.iter().map(|(_, t)| t.as_str());
    let stages_text = plan.stages_text();
    let items = quote! {
        #(#masks)*
        #(#prune_fns)*
        #(#stage_fns)*
    };
    let literal = quote! {
        __p::PipelineSpec {
            name: #name_str,
            sources: &[#(#sources),*],
            sinks: &[#(#sinks),*],
            stages: &[#(#stages),*],
            explain: &__p::Explain {
                source: #source_text,
                passes: &[#((#pass_names, #pass_texts)),*],
                stages: #stages_text,
                code: #code_text,
            },
            alternative: #alternative,
        }
    };
    (items, literal)
}

/// Whether node `n` is a windowed or interval join (both inputs end in its table).
pub(crate) fn two_sided_join(plan: &crate::plan::Plan, n: crate::plan::NodeId) -> bool {
    matches!(&plan.nodes[n].op, crate::plan::Op::Join(j) if j.two_sided())
}

/// The last stage ending in breaker `n`: the only one for most breakers; for a two-sided join,
/// the stage that owns its table (the other input's stage merges into it).
pub(crate) fn last_builder(plan: &crate::plan::Plan, n: crate::plan::NodeId) -> Option<usize> {
    plan.stages.iter().rposition(|t| t.breaker == Some(n))
}

/// A never-called function per join that applies both key closures to their rows, so that
/// keys of different types are a compile error on the user's closures, not a failed lookup.
fn join_key_checks(
    plan: &crate::plan::Plan,
    sig: &crate::parse::Signature,
    closures: &[syn::Expr],
    op_spans: &[proc_macro2::Span],
) -> TokenStream {
    let checks = plan.nodes.iter().enumerate().filter_map(|(id, node)| {
        let crate::plan::Op::Join(j) = &node.op else { return None };
        let p = stage::record_type_at(plan, sig, closures, node.inputs[0])?;
        let b = stage::record_type_at(plan, sig, closures, node.inputs[1])?;
        let (pk, bk) = (&closures[j.probe_key.id], &closures[j.build_key.id]);
        let f = format_ident!("__sabot_join_keys_{}", id);
        let span = op_spans[j.probe_key.id];
        Some(quote_spanned! {span=>
            #[allow(dead_code, clippy::all)]
            fn #f(__p_row: <#p as __p::Record>::Ref<'_>, __b_row: <#b as __p::Record>::Ref<'_>) {
                __p::same_key(__p::group_key(__p_row, #pk), __p::group_key(__b_row, #bk));
            }
        })
    });
    quote! { #(#checks)* }
}

/// Plans the backend cannot run yet, reported on the aggregation's `.aggregate` token.
fn unsupported_shape(plan: &crate::plan::Plan, op_spans: &[proc_macro2::Span]) -> Option<syn::Error> {
    let span = |n: usize| plan.nodes[n].op.closure().map_or_else(proc_macro2::Span::call_site, |c| op_spans[c.id]);
    for s in &plan.stages {
        if let Some(&n) = s.extra.first() {
            let msg = if s.breaker == Some(n) {
                "joining a stream with (a stream derived from) itself is not supported yet"
            } else {
                "a stream can feed only one `aggregate`, `sort_by`, `top_n` or join build side for now"
            };
            return Some(syn::Error::new(span(n), msg));
        }
        if s.breaker.is_some() {
            let outer = s.nodes.iter().copied().find(|&n| {
                s.breaker != Some(n) && matches!(&plan.nodes[n].op, crate::plan::Op::Join(j) if matches!(j.kind, crate::plan::JoinKind::Right | crate::plan::JoinKind::Full))
            });
            if let Some(n) = outer {
                return Some(syn::Error::new(
                    span(n),
                    "the rows of a `right_join` or `full_join` can go to outputs (through map, filter, ...) but not yet into `aggregate`, `sort_by`, `top_n` or another join's build side",
                ));
            }
        }
        if let (Some(b), false) = (s.breaker, s.sinks.is_empty()) {
            return Some(syn::Error::new(
                span(b),
                "a stream that feeds `aggregate`, `sort_by`, `top_n` or a join's build side cannot also be an output yet",
            ));
        }
    }
    None
}

/// A windowed or interval join keeps rows of both sides and builds output rows later, so it
/// needs both input records and its output record by name.
fn untyped_two_sided_join(
    plan: &crate::plan::Plan,
    sig: &crate::parse::Signature,
    closures: &[syn::Expr],
    op_spans: &[proc_macro2::Span],
) -> Option<syn::Error> {
    plan.nodes.iter().enumerate().find_map(|(id, node)| {
        let crate::plan::Op::Join(j) = &node.op else { return None };
        let body = j.body.as_ref().filter(|_| j.two_sided())?;
        let known = |n| stage::record_type_at(plan, sig, closures, n).is_some();
        let msg = if !known(id) {
            "the closure of a windowed or interval join must build its output with a struct literal: `|w, p, b| Out { .. }`"
        } else if !node.inputs.iter().all(|&i| known(i)) {
            "a windowed or interval join keeps the rows of both inputs, so it needs their record types: put a `map` that builds a struct literal before it"
        } else {
            return None;
        };
        if known(id) { Some(syn::Error::new(op_spans[body.id], msg)) } else { Some(syn::Error::new_spanned(&closures[body.id], msg)) }
    })
}

/// Formats tokens as Rust source (for `explain`), falling back to the raw token text.
pub fn pretty(tokens: &TokenStream) -> String {
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => tokens.to_string(),
    }
}

/// Whether every row stage `s` outputs (to a sink or its breaker) passes through node `via`:
/// then the stage may run once per partition of `via`'s build side without repeating rows.
fn passes_through(plan: &crate::plan::Plan, s: &crate::plan::Stage, via: crate::plan::NodeId) -> bool {
    let terminal = |n: crate::plan::NodeId| matches!(plan.nodes[n].op, crate::plan::Op::Sink { .. }) || s.breaker == Some(n);
    let mut seen = vec![false; plan.nodes.len()];
    let mut todo = vec![s.source];
    while let Some(n) = todo.pop() {
        if n == via || std::mem::replace(&mut seen[n], true) {
            continue;
        }
        if terminal(n) && n != s.source {
            return false;
        }
        todo.extend(plan.consumers(n).into_iter().filter(|c| s.nodes.contains(c)));
    }
    true
}

/// Source `k`'s row-group test: whether a row group's statistics allow a row that meets every
/// bound (empty when the source has no bounds). A bound whose value type has no statistics
/// comparison keeps every row group (`KeepRowGroup`).
fn prune_fn(plan: &crate::plan::Plan, record: &syn::Type, k: usize) -> TokenStream {
    let node = plan.sources()[k];
    let crate::plan::Op::Source { prune, .. } = &plan.nodes[node].op else { return TokenStream::new() };
    let tests: Vec<TokenStream> = prune
        .iter()
        .filter_map(|b| {
            let value: syn::Expr = syn::parse_str(&b.value).ok()?;
            let field = &b.field;
            let method = format_ident!(
                "{}",
                match b.op {
                    "<" => "may_lt",
                    "<=" => "may_le",
                    ">" => "may_gt",
                    ">=" => "may_ge",
                    _ => "may_eq",
                }
            );
            // The record's fields say at which scale a declared decimal column is read.
            Some(quote! { (&__p::StatBound::new(__stats, #field, &(#value)).in_record(<#record as __p::Record>::fields())).#method() })
        })
        .collect();
    if tests.is_empty() {
        return TokenStream::new();
    }
    let f = format_ident!("__sabot_prune_{}", k);
    quote! {
        #[allow(unused_parens, clippy::all)]
        fn #f(__stats: &__p::RowGroupStats<'_>) -> bool {
            use __p::{KeepRowGroup as _, PruneByStats as _};
            true #(&& #tests)*
        }
    }
}
