//! The `aggregate` closure: `|key, row| Out { a: key.0, total: sum(row.x), n: count() }`
//! (or `|row| ...` without `group_by`). Finds the aggregate calls, what each reads, and checks
//! that the row is only used inside them (outside, there is no single row to read).

use super::closure;
use crate::diagnostic::Diagnostics;
use crate::ops::AGGREGATE_FUNCTIONS;
use crate::plan::{Aggregate, FieldSet};
use quote::ToTokens;
use syn::visit::Visit;

/// An aggregate call found in the body.
pub struct Call<'a> {
    /// `sum`, `count`, ...
    pub func: String,
    /// Its argument (none for `count()`; the second for `custom(acc, e)`).
    pub arg: Option<&'a syn::Expr>,
    /// For `custom(acc, e)`: the empty accumulator it starts from.
    pub init: Option<&'a syn::Expr>,
}

/// The name of a call to one of the aggregate functions, if `e` is one.
pub fn call_name(e: &syn::Expr) -> Option<String> {
    let syn::Expr::Call(c) = e else { return None };
    let syn::Expr::Path(p) = &*c.func else { return None };
    let name = p.path.get_ident()?.to_string();
    AGGREGATE_FUNCTIONS.iter().any(|(f, _)| *f == name).then_some(name)
}

/// The parameters of an aggregate closure: the window (after `.window(..)`), the key (after
/// `group_by`) and the row, in that order.
pub struct Params<'a> {
    /// `w` in `|w, key, row|`.
    pub window: Option<&'a syn::Pat>,
    /// `key` in `|key, row|`.
    pub key: Option<&'a syn::Pat>,
    /// The row.
    pub row: Option<&'a syn::Pat>,
}

/// Splits the aggregate closure's parameters by what precedes `aggregate`.
pub fn params(c: &syn::ExprClosure, windowed: bool, keyed: bool) -> Params<'_> {
    let mut it = c.inputs.iter();
    let window = if windowed { it.next() } else { None };
    let key = if keyed { it.next() } else { None };
    Params { window, key, row: it.next() }
}

/// Analyses the aggregate closure (`expr`) with its optional key closure.
pub fn analyse(
    id: usize,
    expr: &syn::Expr,
    key: Option<crate::plan::Closure>,
    window: Option<(usize, String)>,
    diag: &mut Diagnostics,
) -> Option<Aggregate> {
    let syn::Expr::Closure(c) = expr else {
        diag.error(expr, "`aggregate` takes a closure: `.aggregate(|row| Out { total: sum(row.x) })`");
        return None;
    };
    let want = 1 + usize::from(key.is_some()) + usize::from(window.is_some());
    if c.inputs.len() != want {
        let msg = if window.is_some() {
            let form =
                if key.is_some() { "the window, the key and the row: `|w, key, row|`" } else { "the window and the row: `|w, row|`" };
            format!("after `window`, the closure of `aggregate` takes {form}; found {} argument(s)", c.inputs.len())
        } else if key.is_some() {
            format!(
                "after `group_by`, the closure of `aggregate` takes the key and the row: `|key, row|`; found {} argument(s)",
                c.inputs.len()
            )
        } else {
            format!("without `group_by`, the closure of `aggregate` takes the row: `|row|`; found {} argument(s)", c.inputs.len())
        };
        diag.error(&c.inputs, msg);
        return None;
    }
    let Some(lit) = closure::struct_literal(&c.body) else {
        diag.error(
            &c.body,
            "the closure of `aggregate` must build a record with a struct literal, e.g. `Out { total: sum(row.x), n: count() }`",
        );
        return None;
    };
    let row = params(c, window.is_some(), key.is_some()).row.and_then(pat_ident);
    let mut finder = Finder { row: row.clone(), calls: Vec::new(), row_outside: None, nested: None };
    finder.visit_expr(&c.body);
    if let Some(at) = finder.row_outside {
        let name = row.clone().unwrap_or_default();
        diag.push(syn::Error::new(
            at,
            format!("`{name}` is used outside an aggregate call; in `aggregate`, read the row only inside {}", functions()),
        ));
    }
    if let Some(at) = finder.nested {
        diag.push(syn::Error::new(at, "aggregate calls cannot be nested"));
    }
    let mut reads = FieldSet::none();
    let mut calls = Vec::new();
    for call in &finder.calls {
        let r = match (call.arg, &row) {
            (Some(a), Some(p)) => closure::reads_of(p, a),
            (Some(_), None) => FieldSet::All,
            (None, _) => FieldSet::none(),
        };
        reads.extend(&r);
        calls.push((call.func.clone(), r));
    }
    if !diag.is_empty() {
        return None;
    }
    let mut body = closure::analyse(id, expr);
    body.reads = reads;
    body.literal = None;
    Some(Aggregate { key, body, calls, output: lit.path.to_token_stream().to_string().replace(' ', ""), window, trigger: None })
}

fn functions() -> String {
    AGGREGATE_FUNCTIONS.iter().map(|(f, n)| if *n == 0 { format!("`{f}()`") } else { format!("`{f}(..)`") }).collect::<Vec<_>>().join(", ")
}

fn pat_ident(p: &syn::Pat) -> Option<String> {
    match p {
        syn::Pat::Ident(i) => Some(i.ident.to_string()),
        syn::Pat::Type(t) => pat_ident(&t.pat),
        _ => None,
    }
}

/// The aggregate calls of a body, in source order.
pub fn calls(body: &syn::Expr) -> Vec<Call<'_>> {
    let mut f = Finder { row: None, calls: Vec::new(), row_outside: None, nested: None };
    f.visit_expr(body);
    f.calls
}

struct Finder<'a> {
    row: Option<String>,
    calls: Vec<Call<'a>>,
    row_outside: Option<proc_macro2::Span>,
    nested: Option<proc_macro2::Span>,
}

impl<'a> Visit<'a> for Finder<'a> {
    fn visit_expr(&mut self, e: &'a syn::Expr) {
        if let Some(func) = call_name(e) {
            let syn::Expr::Call(c) = e else { return };
            let (init, arg) = if func == "custom" { (c.args.first(), c.args.iter().nth(1)) } else { (None, c.args.first()) };
            if let Some(a) = arg
                && !calls(a).is_empty()
            {
                self.nested = Some(syn::spanned::Spanned::span(a));
            }
            self.calls.push(Call { func, arg, init });
            return;
        }
        if let (syn::Expr::Path(p), Some(row)) = (e, &self.row)
            && p.path.is_ident(row)
        {
            self.row_outside = Some(syn::spanned::Spanned::span(p));
            return;
        }
        syn::visit::visit_expr(self, e);
    }
}
