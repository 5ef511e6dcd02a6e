//! The pipeline body: `let` bindings of streams and a final stream (or tuple of streams),
//! each an operator chain on a source parameter or an earlier binding.

use super::closure;
use super::signature::Signature;
use crate::diagnostic::Diagnostics;
use crate::ops::{self, Arg};
use crate::plan::{NodeId, Op, Plan};
use proc_macro2::Span;
use quote::ToTokens;
use std::collections::BTreeMap;
use syn::spanned::Spanned;

/// Builds the plan while walking the body.
pub struct Builder<'s> {
    plan: Plan,
    closures: Vec<syn::Expr>,
    op_spans: Vec<Span>,
    names: BTreeMap<String, NodeId>,
    signature: &'s Signature,
}

impl<'s> Builder<'s> {
    /// A plan with one source node per parameter.
    pub fn new(name: &str, signature: &'s Signature) -> Self {
        let mut plan = Plan { name: name.into(), ..Default::default() };
        let mut names = BTreeMap::new();
        for (index, s) in signature.sources.iter().enumerate() {
            let record = s.record.to_token_stream().to_string().replace(' ', "");
            let id = plan.add(Op::Source { index, name: s.name.to_string(), record, columns: None, prune: Vec::new() }, vec![]);
            names.insert(s.name.to_string(), id);
        }
        Builder { plan, closures: Vec::new(), op_spans: Vec::new(), names, signature }
    }

    /// The plan, the closures by id and their operators' spans.
    pub fn finish(self) -> (Plan, Vec<syn::Expr>, Vec<Span>) {
        (self.plan, self.closures, self.op_spans)
    }

    /// Walks the fn body.
    pub fn block(&mut self, block: &syn::Block, diag: &mut Diagnostics) {
        let Some((last, lets)) = block.stmts.split_last() else {
            diag.error(block, "a pipeline body must end with its output stream, e.g. `bids.filter(|b| b.price > 10)`");
            return;
        };
        for stmt in lets {
            match stmt {
                syn::Stmt::Local(local) => self.binding(local, diag),
                other => diag.error(other, "a pipeline body holds `let name = <stream>;` bindings and ends with its output stream(s)"),
            }
        }
        let out = match last {
            syn::Stmt::Expr(e, None) => e,
            syn::Stmt::Expr(syn::Expr::Return(r), Some(_)) if r.expr.is_some() => r.expr.as_deref().expect("checked is_some"),
            other => {
                diag.error(other, "a pipeline body must end with its output stream (an expression without `;`)");
                return;
            }
        };
        let out = match out {
            syn::Expr::Return(r) if r.expr.is_some() => r.expr.as_deref().expect("checked is_some"),
            e => e,
        };
        self.outputs(out, diag);
    }

    fn binding(&mut self, local: &syn::Local, diag: &mut Diagnostics) {
        let name = match &local.pat {
            syn::Pat::Ident(i) if i.subpat.is_none() => i.ident.to_string(),
            syn::Pat::Type(t) => match &*t.pat {
                syn::Pat::Ident(i) => i.ident.to_string(),
                other => return diag.error(other, "bind a stream to a plain name: `let big = bids.filter(...);`"),
            },
            other => return diag.error(other, "bind a stream to a plain name: `let big = bids.filter(...);`"),
        };
        let Some(init) = &local.init else {
            return diag.error(local, "a stream binding needs a value: `let big = bids.filter(...);`");
        };
        if let Some((_, els)) = &init.diverge {
            return diag.error(els, "`let ... else` is not supported in a pipeline body");
        }
        if let Some(id) = self.stream(&init.expr, diag) {
            self.names.insert(name, id);
        }
    }

    fn outputs(&mut self, out: &syn::Expr, diag: &mut Diagnostics) {
        let sinks = &self.signature.sinks;
        let exprs: Vec<&syn::Expr> = match out {
            syn::Expr::Tuple(t) if sinks.len() > 1 => t.elems.iter().collect(),
            e => vec![e],
        };
        if exprs.len() != sinks.len() {
            let msg = format!("the pipeline returns {} stream(s) but the body ends with {}", sinks.len(), exprs.len());
            return diag.error(out, msg);
        }
        for (index, e) in exprs.into_iter().enumerate() {
            if let Some(id) = self.stream(e, diag) {
                let s = &sinks[index];
                let record = s.record.to_token_stream().to_string().replace(' ', "");
                self.plan.add(Op::Sink { index, name: s.name.clone(), record }, vec![id]);
            }
        }
    }

    fn stream(&mut self, e: &syn::Expr, diag: &mut Diagnostics) -> Option<NodeId> {
        match e {
            syn::Expr::Path(p) if p.path.get_ident().is_some() => {
                let name = p.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
                let found = self.names.get(&name).copied();
                if found.is_none() {
                    let known: Vec<_> = self.names.keys().map(|k| format!("`{k}`")).collect();
                    diag.error(p, format!("unknown stream `{name}`; streams in scope: {}", known.join(", ")));
                }
                found
            }
            syn::Expr::Paren(p) => self.stream(&p.expr, diag),
            syn::Expr::MethodCall(mc) => self.call(mc, diag),
            other => {
                diag.error(
                    other,
                    "expected a stream: a source parameter, a `let` binding, or an operator call such as `.filter(|row| ...)`",
                );
                None
            }
        }
    }

    fn call(&mut self, mc: &syn::ExprMethodCall, diag: &mut Diagnostics) -> Option<NodeId> {
        let name = mc.method.to_string();
        if name == "aggregate" || name == "group_by" {
            return self.aggregate(mc, diag);
        }
        if name == "sort_by" || name == "top_n" {
            return self.sort(mc, diag);
        }
        if name == "reduce" || name == "key_by" {
            return self.reduce(mc, diag);
        }
        if name == "process" {
            return self.process(mc, diag);
        }
        if name == "distinct" {
            return self.distinct(mc, diag);
        }
        if name == "trigger" {
            let usage = ops::lookup("trigger").map_or("", |o| o.usage);
            diag.error(&mc.method, format!("`trigger` goes between `window(..)` and `group_by(..).aggregate(..)`: `{usage}`"));
            return None;
        }
        if name == "window" {
            let usage = ops::lookup("window").map_or("", |o| o.usage);
            diag.error(
                &mc.method,
                format!("`window` must be followed by `group_by(..).aggregate(..)`, `aggregate(..)` or `join(..)`: `{usage}`"),
            );
            return None;
        }
        if matches!(
            name.as_str(),
            "join" | "left_join" | "right_join" | "full_join" | "semi_join" | "anti_join" | "interval_join" | "asof_join"
        ) {
            return self.join(mc, diag);
        }
        let input = self.stream(&mc.receiver, diag);
        let Some(spec) = ops::lookup(&name) else {
            diag.error(&mc.method, format!("unknown operator `{name}`; supported operators: {}", ops::names()));
            return None;
        };
        if let Some(t) = &mc.turbofish {
            diag.error(t, format!("`{name}` takes no type arguments"));
        }
        let [arg] = mc.args.iter().collect::<Vec<_>>()[..] else {
            diag.push(syn::Error::new(mc.paren_token.span.join(), format!("`{name}` takes one argument: `{}`", spec.usage)));
            return None;
        };
        let input = input?;
        match spec.arg {
            Arg::LimitAndRowFn | Arg::Join | Arg::KeysOnly => None,
            Arg::Stream => {
                let other = self.stream(arg, diag)?;
                Some(self.plan.add(Op::Union, vec![input, other]))
            }
            Arg::RowFn => {
                if let syn::Expr::Closure(c) = arg
                    && c.inputs.len() != 1
                {
                    let msg = format!("the closure of `{name}` takes one argument (the row); found {}", c.inputs.len());
                    diag.push(syn::Error::new(c.or1_token.span().join(c.or2_token.span()).unwrap_or(c.or1_token.span()), msg));
                    return None;
                }
                let id = self.closures.len();
                let c = closure::analyse(id, arg);
                self.closures.push(arg.clone());
                self.op_spans.push(mc.method.span());
                let op = match name.as_str() {
                    "filter" => Op::Filter(c),
                    "map" => Op::Map(c),
                    _ => Op::FlatMap(c),
                };
                Some(self.plan.add(op, vec![input]))
            }
        }
    }

    /// `probe.join(build, probe_key, build_key, pair)` and the other kinds.
    fn join(&mut self, mc: &syn::ExprMethodCall, diag: &mut Diagnostics) -> Option<NodeId> {
        use crate::plan::{FieldSet, Join, JoinKind};
        let name = mc.method.to_string();
        let kind = match name.as_str() {
            "join" | "interval_join" | "asof_join" => JoinKind::Inner,
            "left_join" => JoinKind::Left,
            "semi_join" => JoinKind::Semi,
            "right_join" => JoinKind::Right,
            "full_join" => JoinKind::Full,
            _ => JoinKind::Anti,
        };
        let with_body = !matches!(kind, JoinKind::Semi | JoinKind::Anti);
        let timed = name == "interval_join";
        let mut args: Vec<&syn::Expr> = mc.args.iter().collect();
        let want = if timed {
            5
        } else if with_body {
            4
        } else {
            3
        };
        if args.len() != want {
            let usage = ops::lookup(&name).map_or("", |o| o.usage);
            diag.push(syn::Error::new(mc.paren_token.span.join(), format!("`{name}` takes {want} arguments: `{usage}`")));
            return None;
        }
        // `interval_join(build, pk, bk, interval, pair)`: the interval is kept aside, so the
        // arguments read as a join's.
        let interval_arg = timed.then(|| args.remove(3));
        let (mut window, mut trigger) = (None, None);
        let probe = self.windowed(&mc.receiver, &mut window, &mut trigger, diag);
        if trigger.is_some() {
            diag.error(&mc.method, format!("`{name}` cannot follow `trigger`: triggers apply to windowed aggregations"));
            return None;
        }
        let build = self.stream(args[0], diag);
        if timed && window.is_some() {
            diag.error(
                &mc.method,
                "`interval_join` pairs rows by an interval of event time, not by window: remove the `.window(..)` before it",
            );
            return None;
        }
        let asof = name == "asof_join";
        if asof && window.is_some() {
            diag.error(
                &mc.method,
                "`asof_join` pairs each row with the latest earlier row of its key, not by window: remove the `.window(..)` before it",
            );
            return None;
        }
        if window.is_some() && kind != JoinKind::Inner {
            diag.error(&mc.method, format!("`{name}` cannot follow `window` yet: windowed joins are inner joins (`.window(w).join(..)`)"));
            return None;
        }
        if let Some(syn::Expr::Closure(c)) = args.get(3) {
            let (want, form) = if window.is_some() {
                (3, "the window, the probe row and the build row: `|w, p, b|`")
            } else {
                (2, "the probe row and the build row: `|p, b|`")
            };
            if c.inputs.len() != want {
                diag.error(&c.inputs, format!("the closure of `{name}` takes {form}; found {} argument(s)", c.inputs.len()));
                return None;
            }
        }
        let (probe, build) = (probe?, build?);
        let mut closure_at = |e: &syn::Expr| {
            let id = self.closures.len();
            self.closures.push(e.clone());
            self.op_spans.push(mc.method.span());
            closure::analyse(id, e)
        };
        let probe_key = closure_at(args[1]);
        let build_key = closure_at(args[2]);
        let body = with_body.then(|| closure_at(args[3]));
        let first = usize::from(window.is_some());
        let interval = interval_arg.map(|e| {
            self.closures.push(e.clone());
            self.op_spans.push(mc.method.span());
            (self.closures.len() - 1, closure::short_text(e))
        });
        let pair_reads = match with_body {
            true => (closure::param_reads(args[3], first), closure::param_reads(args[3], first + 1)),
            false => (FieldSet::none(), FieldSet::none()),
        };
        Some(self.plan.add(
            Op::Join(Join { kind, probe_key, build_key, body, window, interval, asof, pair_reads, swapped: false }),
            vec![probe, build],
        ))
    }

    /// `.key_by(key).reduce(|a, b| ..)`.
    fn reduce(&mut self, mc: &syn::ExprMethodCall, diag: &mut Diagnostics) -> Option<NodeId> {
        let usage = ops::lookup("reduce").map_or("", |o| o.usage);
        if mc.method == "key_by" {
            let process = ops::lookup("process").map_or("", |o| o.usage);
            diag.error(&mc.method, format!("`key_by` must be followed by `reduce` or `process`: `{usage}` or `{process}`"));
            return None;
        }
        let k = match &*mc.receiver {
            syn::Expr::MethodCall(k) if k.method == "key_by" => k,
            _ => {
                diag.error(&mc.method, format!("`reduce` needs a `key_by` before it: `{usage}`"));
                return None;
            }
        };
        let (Some(key), Some(body), 1, 1) = (k.args.first(), mc.args.first(), k.args.len(), mc.args.len()) else {
            diag.push(syn::Error::new(mc.paren_token.span.join(), format!("`key_by` and `reduce` take one closure each: `{usage}`")));
            return None;
        };
        if let syn::Expr::Closure(c) = body
            && c.inputs.len() != 2
        {
            diag.error(
                &c.inputs,
                format!("the closure of `reduce` takes two records of the stream: `|a, b|`; found {} argument(s)", c.inputs.len()),
            );
            return None;
        }
        let input = self.stream(&k.receiver, diag)?;
        let mut closure_at = |e: &syn::Expr, span: proc_macro2::Span| {
            let id = self.closures.len();
            self.closures.push(e.clone());
            self.op_spans.push(span);
            closure::analyse(id, e)
        };
        let key = closure_at(key, k.method.span());
        let body = closure_at(body, mc.method.span());
        Some(self.plan.add(Op::Reduce { key, body: Some(body) }, vec![input]))
    }

    /// `.key_by(key).process(f)`: `f` names its type so codegen can name the rows it emits.
    fn process(&mut self, mc: &syn::ExprMethodCall, diag: &mut Diagnostics) -> Option<NodeId> {
        let usage = ops::lookup("process").map_or("", |o| o.usage);
        let k = match &*mc.receiver {
            syn::Expr::MethodCall(k) if k.method == "key_by" => k,
            _ => {
                diag.error(&mc.method, format!("`process` needs a `key_by` before it: `{usage}`"));
                return None;
            }
        };
        let (Some(key), Some(func), 1, 1) = (k.args.first(), mc.args.first(), k.args.len(), mc.args.len()) else {
            diag.push(syn::Error::new(
                mc.paren_token.span.join(),
                format!("`key_by` takes one closure and `process` one function value: `{usage}`"),
            ));
            return None;
        };
        let Some(ty) = process_type(func) else {
            diag.error(
                func,
                format!(
                    "`process` needs to see its function's type: pass `Type {{ .. }}`, `Type::new(..)` or a unit struct `Type`, where `Type` implements `KeyedProcess`: `{usage}`"
                ),
            );
            return None;
        };
        let input = self.stream(&k.receiver, diag)?;
        let id = self.closures.len();
        self.closures.push(key.clone());
        self.op_spans.push(k.method.span());
        let key = closure::analyse(id, key);
        self.closures.push(func.clone());
        self.op_spans.push(mc.method.span());
        let ty = ty.to_token_stream().to_string().replace(' ', "");
        Some(self.plan.add(Op::Process { key, func: id + 1, ty }, vec![input]))
    }

    /// `.distinct(|row| key)`: each key's first record.
    fn distinct(&mut self, mc: &syn::ExprMethodCall, diag: &mut Diagnostics) -> Option<NodeId> {
        let usage = ops::lookup("distinct").map_or("", |o| o.usage);
        let (Some(key), 1) = (mc.args.first(), mc.args.len()) else {
            diag.push(syn::Error::new(
                mc.paren_token.span.join(),
                format!("`distinct` takes one closure returning the key that makes records the same: `{usage}`"),
            ));
            return None;
        };
        let input = self.stream(&mc.receiver, diag)?;
        let id = self.closures.len();
        self.closures.push(key.clone());
        self.op_spans.push(mc.method.span());
        let key = closure::analyse(id, key);
        Some(self.plan.add(Op::Reduce { key, body: None }, vec![input]))
    }

    /// `.sort_by(key)` or `.top_n(n, key)`.
    fn sort(&mut self, mc: &syn::ExprMethodCall, diag: &mut Diagnostics) -> Option<NodeId> {
        let input = self.stream(&mc.receiver, diag);
        let args: Vec<&syn::Expr> = mc.args.iter().collect();
        let (limit, key) = match (mc.method == "top_n", args.as_slice()) {
            (false, [key]) => (None, *key),
            (true, [n, key]) => (Some(*n), *key),
            _ => {
                let usage = ops::lookup(&mc.method.to_string()).map_or("", |o| o.usage);
                diag.push(syn::Error::new(
                    mc.paren_token.span.join(),
                    format!(
                        "`{}` takes {}: `{usage}`",
                        mc.method,
                        if mc.method == "top_n" { "a row count and a key closure" } else { "one key closure" }
                    ),
                ));
                return None;
            }
        };
        let input = input?;
        let limit = limit.map(|n| {
            self.closures.push(n.clone());
            self.op_spans.push(mc.method.span());
            self.closures.len() - 1
        });
        let id = self.closures.len();
        let key = closure::analyse(id, key);
        self.closures.push(args[args.len() - 1].clone());
        self.op_spans.push(mc.method.span());
        Some(self.plan.add(Op::Sort { key, limit }, vec![input]))
    }

    /// The input of `group_by`/`aggregate`: with `.window(assigner)` last, the assigner goes
    /// into the closure table and `window` holds its index and text; with
    /// `.window(assigner).trigger(t)`, `trigger` holds the trigger's.
    fn windowed(
        &mut self,
        e: &syn::Expr,
        window: &mut Option<(usize, String)>,
        trigger: &mut Option<(usize, String)>,
        diag: &mut Diagnostics,
    ) -> Option<NodeId> {
        if let syn::Expr::MethodCall(t) = e
            && t.method == "trigger"
        {
            let usage = ops::lookup("trigger").map_or("", |o| o.usage);
            let windowed = matches!(&*t.receiver, syn::Expr::MethodCall(w) if w.method == "window");
            let [arg] = t.args.iter().collect::<Vec<_>>()[..] else {
                diag.push(syn::Error::new(t.paren_token.span.join(), format!("`trigger` takes one trigger: `{usage}`")));
                return None;
            };
            if !windowed {
                diag.error(&t.method, format!("`trigger` needs a `window(..)` before it: `{usage}`"));
                return None;
            }
            let input = self.windowed(&t.receiver, window, &mut None, diag);
            self.closures.push(arg.clone());
            self.op_spans.push(t.method.span());
            *trigger = Some((self.closures.len() - 1, closure::short_text(arg)));
            return input;
        }
        let syn::Expr::MethodCall(w) = e else { return self.stream(e, diag) };
        if w.method != "window" {
            return self.stream(e, diag);
        }
        let input = self.stream(&w.receiver, diag);
        let [assigner] = w.args.iter().collect::<Vec<_>>()[..] else {
            let usage = ops::lookup("window").map_or("", |o| o.usage);
            diag.push(syn::Error::new(w.paren_token.span.join(), format!("`window` takes one window assigner: `{usage}`")));
            return None;
        };
        if let syn::Expr::Closure(c) = assigner {
            diag.error(c, "`window` takes a window assigner such as `Tumbling::of(d)` or `Sliding::of(size, slide)`, not a closure; windows read the record's `#[sabot(event_time)]` field");
            return None;
        }
        let text = closure::short_text(assigner);
        self.closures.push(assigner.clone());
        self.op_spans.push(w.method.span());
        *window = Some((self.closures.len() - 1, text));
        input
    }

    /// `.aggregate(..)`, optionally on `.group_by(..)`: one plan node.
    fn aggregate(&mut self, mc: &syn::ExprMethodCall, diag: &mut Diagnostics) -> Option<NodeId> {
        if mc.method == "group_by" {
            diag.error(&mc.method, "`group_by` must be followed by `.aggregate(|key, row| ...)`");
            return None;
        }
        let [arg] = mc.args.iter().collect::<Vec<_>>()[..] else {
            diag.push(syn::Error::new(
                mc.paren_token.span.join(),
                "`aggregate` takes one closure: `.aggregate(|row| Out { total: sum(row.x) })`",
            ));
            return None;
        };
        // `stream[.window(w)].group_by(key).aggregate(body)` or `stream[.window(w)].aggregate(body)`.
        let (mut window, mut trigger) = (None, None);
        let (input, key) = match &*mc.receiver {
            syn::Expr::MethodCall(g) if g.method == "group_by" => {
                let input = self.windowed(&g.receiver, &mut window, &mut trigger, diag);
                let [key] = g.args.iter().collect::<Vec<_>>()[..] else {
                    diag.push(syn::Error::new(
                        g.paren_token.span.join(),
                        "`group_by` takes one closure: `.group_by(|row| (row.a, row.b))`",
                    ));
                    return None;
                };
                let id = self.closures.len();
                self.closures.push(key.clone());
                self.op_spans.push(g.method.span());
                (input, Some(closure::analyse(id, key)))
            }
            other => (self.windowed(other, &mut window, &mut trigger, diag), None),
        };
        let input = input?;
        let id = self.closures.len();
        let mut agg = super::aggregate::analyse(id, arg, key, window, diag)?;
        agg.trigger = trigger;
        self.closures.push(arg.clone());
        self.op_spans.push(mc.method.span());
        Some(self.plan.add(Op::Aggregate(agg), vec![input]))
    }
}

/// The type a `process` argument names: `Type { .. }`, `Type::new(..)` (any associated fn), or
/// a unit struct `Type` (a path whose last segment starts with a capital letter).
pub fn process_type(e: &syn::Expr) -> Option<syn::Path> {
    let capital = |p: &syn::Path| p.segments.last().is_some_and(|s| s.ident.to_string().starts_with(|c: char| c.is_ascii_uppercase()));
    match e {
        syn::Expr::Struct(s) => Some(s.path.clone()),
        syn::Expr::Paren(p) => process_type(&p.expr),
        syn::Expr::Call(c) => match &*c.func {
            syn::Expr::Path(p) if p.qself.is_none() && p.path.segments.len() >= 2 => {
                let mut path = p.path.clone();
                path.segments.pop();
                let last = path.segments.pop()?.into_value();
                path.segments.push(last);
                capital(&path).then_some(path)
            }
            _ => None,
        },
        syn::Expr::Path(p) if p.qself.is_none() && capital(&p.path) => Some(p.path.clone()),
        _ => None,
    }
}
