//! The pipeline fn's signature: `Stream<T>` parameters are sources, the `Stream<U>` result (or
//! a tuple of them) are sinks.

use crate::diagnostic::Diagnostics;

/// A source: a `name: Stream<T>` parameter.
#[derive(Debug, Clone)]
pub struct SourceParam {
    /// Parameter name.
    pub name: syn::Ident,
    /// The record type `T`.
    pub record: syn::Type,
}

/// A sink: one `Stream<U>` of the result.
#[derive(Debug, Clone)]
pub struct SinkParam {
    /// Output name: `out`, or `out0`, `out1`... for a tuple.
    pub name: String,
    /// The record type `U`.
    pub record: syn::Type,
}

/// The pipeline's inputs and outputs.
#[derive(Debug, Clone)]
pub struct Signature {
    /// Sources in parameter order.
    pub sources: Vec<SourceParam>,
    /// Sinks in result order.
    pub sinks: Vec<SinkParam>,
}

/// `T` of `Stream<T>`, if `ty` is that.
pub fn stream_item(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Stream" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.iter().collect::<Vec<_>>().as_slice() {
        [syn::GenericArgument::Type(t)] => Some(t),
        _ => None,
    }
}

/// Reads the signature, reporting what does not fit.
pub fn parse(item: &syn::ItemFn, diag: &mut Diagnostics) -> Option<Signature> {
    let sig = &item.sig;
    if let Some(a) = &sig.asyncness {
        diag.error(a, "a pipeline fn cannot be `async`: it describes a dataflow, the runtime schedules it");
    }
    if !sig.generics.params.is_empty() {
        diag.error(&sig.generics, "a pipeline fn cannot be generic: its record types must be known to compile it");
    }
    let mut sources = Vec::new();
    for input in &sig.inputs {
        match input {
            syn::FnArg::Receiver(r) => diag.error(r, "a pipeline fn takes no `self`; its parameters are `name: Stream<Record>`"),
            syn::FnArg::Typed(pt) => {
                let name = match &*pt.pat {
                    syn::Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none() => Some(i.ident.clone()),
                    other => {
                        diag.error(other, "pipeline parameters must be plain names, e.g. `bids: Stream<Bid>`");
                        None
                    }
                };
                match stream_item(&pt.ty) {
                    Some(record) => {
                        if let Some(name) = name {
                            sources.push(SourceParam { name, record: record.clone() });
                        }
                    }
                    None => diag.error(
                        &pt.ty,
                        format!(
                            "pipeline parameters must be `Stream<T>` where `T` is a `#[derive(Record)]` type; found `{}`",
                            crate::diagnostic::tidy(&pt.ty)
                        ),
                    ),
                }
            }
        }
    }
    if sources.is_empty() && sig.inputs.is_empty() {
        diag.error(&sig.ident, "a pipeline needs at least one source parameter, e.g. `bids: Stream<Bid>`");
    }
    let sinks = match &sig.output {
        syn::ReturnType::Default => {
            diag.error(&sig.ident, "a pipeline fn must return `Stream<T>` (or a tuple of streams): its outputs");
            Vec::new()
        }
        syn::ReturnType::Type(_, ty) => sinks_of(ty, diag),
    };
    diag.is_empty().then_some(Signature { sources, sinks })
}

fn sinks_of(ty: &syn::Type, diag: &mut Diagnostics) -> Vec<SinkParam> {
    let wrong = |diag: &mut Diagnostics, t: &syn::Type| {
        diag.error(t, format!("a pipeline returns `Stream<T>` or a tuple of `Stream`s; found `{}`", crate::diagnostic::tidy(t)))
    };
    match ty {
        syn::Type::Tuple(t) if !t.elems.is_empty() => t
            .elems
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match stream_item(e) {
                Some(r) => Some(SinkParam { name: format!("out{i}"), record: r.clone() }),
                None => {
                    wrong(diag, e);
                    None
                }
            })
            .collect(),
        t => match stream_item(t) {
            Some(r) => vec![SinkParam { name: "out".into(), record: r.clone() }],
            None => {
                wrong(diag, t);
                Vec::new()
            }
        },
    }
}
