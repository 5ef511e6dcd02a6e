//! Filter predicates without branches: `a && b` becomes `a & b` when `b` cannot panic or have
//! side effects (comparisons of fields, literals and constants), so a predicate on random data
//! costs no branch mispredictions. `&&` that guards anything else (`x != 0 && y / x > 1`) is
//! left alone.

/// Rewrites eligible `&&`/`||` in a filter closure's body.
pub fn rewrite_filter(expr: &mut syn::Expr) {
    if let syn::Expr::Closure(c) = expr {
        rewrite(&mut c.body);
    }
}

fn rewrite(e: &mut syn::Expr) {
    match e {
        syn::Expr::Binary(b) => {
            rewrite(&mut b.left);
            rewrite(&mut b.right);
            if pure_bool(&b.left) && pure_bool(&b.right) {
                match b.op {
                    syn::BinOp::And(t) => b.op = syn::BinOp::BitAnd(syn::Token![&](t.spans[0])),
                    syn::BinOp::Or(t) => b.op = syn::BinOp::BitOr(syn::Token![|](t.spans[0])),
                    _ => {}
                }
            }
        }
        syn::Expr::Paren(p) => rewrite(&mut p.expr),
        syn::Expr::Unary(u) => rewrite(&mut u.expr),
        _ => {}
    }
}

/// Whether a key closure's body only reads fields, constants and casts of them (`|r| r.id`,
/// `|r| (r.a, r.b as i64)`): evaluating it once more, in a selection pass and for rows a
/// filter rejects, can neither panic nor change anything.
pub fn reads_fields_only(closure: &syn::Expr) -> bool {
    let syn::Expr::Closure(c) = closure else { return false };
    match &*c.body {
        syn::Expr::Tuple(t) => t.elems.iter().all(pure_operand),
        e => pure_operand(e),
    }
}

/// A boolean expression that evaluates without calls, arithmetic or indexing.
fn pure_bool(e: &syn::Expr) -> bool {
    use syn::BinOp::*;
    match e {
        syn::Expr::Binary(b) => match b.op {
            Eq(_) | Ne(_) | Lt(_) | Le(_) | Gt(_) | Ge(_) => pure_operand(&b.left) && pure_operand(&b.right),
            And(_) | Or(_) | BitAnd(_) | BitOr(_) => pure_bool(&b.left) && pure_bool(&b.right),
            _ => false,
        },
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Not(_)) => pure_bool(&u.expr),
        syn::Expr::Paren(p) => pure_bool(&p.expr),
        syn::Expr::Lit(l) => matches!(l.lit, syn::Lit::Bool(_)),
        _ => false,
    }
}

fn pure_operand(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Field(f) => pure_operand(&f.base),
        syn::Expr::Lit(_) | syn::Expr::Path(_) => true,
        // `-x` of a field can overflow (`i64::MIN`), and panic in a debug build.
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => matches!(&*u.expr, syn::Expr::Lit(_)),
        syn::Expr::Cast(c) => pure_operand(&c.expr),
        syn::Expr::Paren(p) => pure_operand(&p.expr),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use quote::ToTokens;

    fn rewritten(src: &str) -> String {
        let mut e: syn::Expr = syn::parse_str(src).unwrap();
        super::rewrite_filter(&mut e);
        e.to_token_stream().to_string()
    }

    #[test]
    fn keys_that_only_read_fields_are_told_apart() {
        let pure = |src: &str| super::reads_fields_only(&syn::parse_str(src).unwrap());
        assert!(pure("|r| r.id") && pure("|r| (r.a, r.b as i64)") && pure("|o| o.key.0"));
        assert!(!pure("|r| r.name.clone()") && !pure("|r| r.a + 1") && !pure("|r| (r.a, f(r.b))") && !pure("r.id"));
        assert!(!pure("|r| -r.a") && pure("|r| (r.a, -1)"));
    }

    #[test]
    fn pure_comparisons_lose_their_branches() {
        // syn prints the parentheses `&` needs: it binds tighter than comparisons.
        assert_eq!(rewritten("|r| r.a > 1000 && r.c < 0.5"), "| r | (r . a > 1000) & (r . c < 0.5)");
        let nested = rewritten("|r| (r.a > 1 || r.b == X) && !(r.c as f64 <= -2.0)");
        assert!(nested.contains(" | ") && nested.contains(" & ") && !nested.contains("&&") && !nested.contains("||"), "{nested}");
    }

    #[test]
    fn guards_keep_short_circuit() {
        assert_eq!(rewritten("|r| r.x != 0 && r.y / r.x > 1"), "| r | r . x != 0 && r . y / r . x > 1");
        assert_eq!(rewritten("|r| r.x != MIN && -r.x > 1"), "| r | r . x != MIN && - r . x > 1");
        assert_eq!(rewritten("|r| r.s.len() > 0 && r.a > 1"), "| r | r . s . len () > 0 && r . a > 1");
    }
}
