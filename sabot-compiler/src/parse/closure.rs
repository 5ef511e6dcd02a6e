//! Closure analysis: which fields of its row parameter a closure reads, and the shape of a
//! struct-literal body. Reads are `param.field` expressions; any other use of the parameter
//! (passing it whole, a method call on it) reads every field.

use crate::plan::{Closure, FieldSet, StructLiteral};
use quote::ToTokens;
use syn::visit::Visit;

/// The plan's view of a closure (or fn path) given to a row operator.
pub fn analyse(id: usize, expr: &syn::Expr) -> Closure {
    let text = short_text(expr);
    let syn::Expr::Closure(c) = expr else {
        return Closure { id, text, reads: FieldSet::All, literal: None, dead: Vec::new(), bounds: Vec::new() };
    };
    let Some(param) = c.inputs.first().and_then(param_name) else {
        let reads = if matches!(c.inputs.first(), Some(syn::Pat::Wild(_))) { FieldSet::none() } else { FieldSet::All };
        return Closure { id, text, reads, literal: None, dead: Vec::new(), bounds: Vec::new() };
    };
    let reads = reads_of(&param, &c.body);
    let literal = struct_literal(&c.body).map(|s| StructLiteral {
        type_name: s.path.to_token_stream().to_string().replace(' ', ""),
        fields: s
            .fields
            .iter()
            .filter_map(|f| match &f.member {
                syn::Member::Named(n) => Some((n.to_string(), reads_of(&param, &f.expr))),
                syn::Member::Unnamed(_) => None,
            })
            .collect(),
    });
    let mut bounds = Vec::new();
    conjunct_bounds(&param, &c.body, &mut bounds);
    Closure { id, text, reads, literal, dead: Vec::new(), bounds }
}

/// Collects the `&&` terms of `e` that compare `param.field` with an expression that does not
/// mention `param`.
fn conjunct_bounds(param: &str, e: &syn::Expr, out: &mut Vec<crate::plan::Bound>) {
    match e {
        syn::Expr::Paren(p) => conjunct_bounds(param, &p.expr, out),
        syn::Expr::Block(b) if b.block.stmts.len() == 1 => {
            if let syn::Stmt::Expr(inner, None) = &b.block.stmts[0] {
                conjunct_bounds(param, inner, out);
            }
        }
        syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
            conjunct_bounds(param, &b.left, out);
            conjunct_bounds(param, &b.right, out);
        }
        syn::Expr::Binary(b) => {
            let (op, flipped) = match b.op {
                syn::BinOp::Lt(_) => ("<", ">"),
                syn::BinOp::Le(_) => ("<=", ">="),
                syn::BinOp::Gt(_) => (">", "<"),
                syn::BinOp::Ge(_) => (">=", "<="),
                syn::BinOp::Eq(_) => ("==", "=="),
                _ => return,
            };
            let field_of = |x: &syn::Expr| match x {
                syn::Expr::Field(f) => match (&*f.base, &f.member) {
                    (syn::Expr::Path(p), syn::Member::Named(n)) if p.path.is_ident(param) => Some(n.to_string()),
                    _ => None,
                },
                _ => None,
            };
            let free = |x: &syn::Expr| !mentions(&x.to_token_stream(), param);
            let value = |x: &syn::Expr| x.to_token_stream().to_string();
            if let (Some(field), true) = (field_of(&b.left), free(&b.right)) {
                out.push(crate::plan::Bound { field, op, value: value(&b.right) });
            } else if let (Some(field), true) = (field_of(&b.right), free(&b.left)) {
                out.push(crate::plan::Bound { field, op: flipped, value: value(&b.left) });
            }
        }
        _ => {}
    }
}

/// Fields the `k`-th parameter of closure `e` reads in its body: none for `_`, every field
/// when the parameter is not a plain name or `e` is not a closure.
pub fn param_reads(e: &syn::Expr, k: usize) -> FieldSet {
    let syn::Expr::Closure(c) = e else { return FieldSet::All };
    match c.inputs.iter().nth(k) {
        Some(syn::Pat::Wild(_)) => FieldSet::none(),
        Some(p) => param_name(p).map_or(FieldSet::All, |name| reads_of(&name, &c.body)),
        None => FieldSet::All,
    }
}

/// The parameter's name for `|b|` and `|b: T|`.
fn param_name(pat: &syn::Pat) -> Option<String> {
    match pat {
        syn::Pat::Ident(i) if i.subpat.is_none() => Some(i.ident.to_string()),
        syn::Pat::Type(t) => param_name(&t.pat),
        _ => None,
    }
}

/// The struct literal a body evaluates to, looking through blocks without statements and
/// parentheses; only literals without `..base`.
pub fn struct_literal(body: &syn::Expr) -> Option<&syn::ExprStruct> {
    match body {
        syn::Expr::Struct(s) if s.rest.is_none() && s.dot2_token.is_none() => Some(s),
        syn::Expr::Paren(p) => struct_literal(&p.expr),
        syn::Expr::Block(b) if b.block.stmts.len() == 1 => match &b.block.stmts[0] {
            syn::Stmt::Expr(e, None) => struct_literal(e),
            _ => None,
        },
        _ => None,
    }
}

/// Mutable access to the same struct literal, for codegen's rewrite of dead fields.
pub fn struct_literal_mut(body: &mut syn::Expr) -> Option<&mut syn::ExprStruct> {
    match body {
        syn::Expr::Struct(s) if s.rest.is_none() && s.dot2_token.is_none() => Some(s),
        syn::Expr::Paren(p) => struct_literal_mut(&mut p.expr),
        syn::Expr::Block(b) if b.block.stmts.len() == 1 => match &mut b.block.stmts[0] {
            syn::Stmt::Expr(e, None) => struct_literal_mut(e),
            _ => None,
        },
        _ => None,
    }
}

/// Fields of the row parameter `param` that `expr` reads.
pub fn reads_of(param: &str, expr: &syn::Expr) -> FieldSet {
    let mut v = Reads { param, reads: FieldSet::none() };
    v.visit_expr(expr);
    v.reads
}

struct Reads<'p> {
    param: &'p str,
    reads: FieldSet,
}

impl<'ast> Visit<'ast> for Reads<'_> {
    fn visit_expr(&mut self, e: &'ast syn::Expr) {
        match e {
            syn::Expr::Field(f) if is_param(&f.base, self.param) => match &f.member {
                syn::Member::Named(n) => self.reads.insert(&n.to_string()),
                syn::Member::Unnamed(_) => self.reads = FieldSet::All,
            },
            syn::Expr::Path(p) if p.path.is_ident(self.param) => self.reads = FieldSet::All,
            // Macro bodies are opaque tokens: `format!("{}", b.x)` may use anything.
            syn::Expr::Macro(m) if mentions(&m.mac.tokens, self.param) => self.reads = FieldSet::All,
            _ => syn::visit::visit_expr(self, e),
        }
    }

    fn visit_stmt_macro(&mut self, m: &'ast syn::StmtMacro) {
        if mentions(&m.mac.tokens, self.param) {
            self.reads = FieldSet::All;
        }
    }
}

fn is_param(e: &syn::Expr, param: &str) -> bool {
    match e {
        syn::Expr::Path(p) => p.path.is_ident(param),
        syn::Expr::Paren(p) => is_param(&p.expr, param),
        _ => false,
    }
}

fn mentions(tokens: &proc_macro2::TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == name,
        proc_macro2::TokenTree::Group(g) => mentions(&g.stream(), name),
        _ => false,
    })
}

/// The closure as text for `explain`, without token spacing, cut at 70 characters.
pub fn short_text(expr: &syn::Expr) -> String {
    let raw = expr.to_token_stream().to_string();
    let mut s = raw
        .replace(" . ", ".")
        .replace("| ", "|")
        .replace(" |", "|")
        .replace(" (", "(")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(" : ", ": ")
        .replace(" ,", ",")
        .replace(" :: ", "::")
        .replace(" !", "!");
    s = s.replace("|", "| ").replace("| |", "||");
    if let Some(rest) = s.strip_prefix("| ") {
        s = format!("|{rest}");
    }
    if s.chars().count() > 70 {
        s = s.chars().take(67).collect::<String>() + "...";
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(src: &str) -> String {
        analyse(0, &syn::parse_str(src).unwrap()).reads.to_string()
    }

    #[test]
    fn field_reads_are_collected() {
        assert_eq!(reads("|b| b.auction % 123 == 0 && b.price > 10"), "[auction, price]");
        assert_eq!(reads("|b| b.url.len() > 3"), "[url]");
        assert_eq!(reads("|b: BidRef| (b).price"), "[price]");
        assert_eq!(reads("|b| check(b)"), "*");
        assert_eq!(reads("|b| format!(\"{}\", b.x).len() > 1"), "*");
        assert_eq!(reads("|_| true"), "[]");
        assert_eq!(reads("is_big"), "*");
    }

    #[test]
    fn struct_literal_fields_keep_their_reads() {
        let c = analyse(0, &syn::parse_str("|b| Converted { auction: b.auction, price_eur: b.price as f64 * 0.908 }").unwrap());
        let lit = c.literal.unwrap();
        assert_eq!(lit.type_name, "Converted");
        assert_eq!(lit.fields[1].0, "price_eur");
        assert_eq!(lit.fields[1].1.to_string(), "[price]");
    }
}
