//! Checks on a record that syntax alone allows: one event-time field, options on fields of
//! the right type, supported field types, at most 128 fields.

use super::ast::Record;
use crate::diagnostic::Diagnostics;

/// Reports every problem with `record`.
pub fn check(record: &Record, diag: &mut Diagnostics) {
    let event_times: Vec<_> = record.fields.iter().filter_map(|f| f.attrs.event_time.map(|s| (f, s))).collect();
    for (f, span) in event_times.iter().skip(1) {
        let first = &event_times[0].0.ident;
        diag.push(syn::Error::new(
            *span,
            format!(
                "a Record has at most one `event_time` field; `{first}` is already the event time of `{}` (`{}` is the second)",
                record.ident, f.ident
            ),
        ));
    }
    let marks: Vec<_> = record.fields.iter().filter_map(|f| f.attrs.watermark.map(|s| (f, s))).collect();
    for (f, span) in marks.iter().skip(1) {
        diag.push(syn::Error::new(
            *span,
            format!("a Record has at most one `watermark` field; `{}` is already the watermark of `{}`", marks[0].0.ident, f.ident),
        ));
    }
    for (f, span) in &marks {
        let ty = crate::diagnostic::tidy(&f.ty);
        if !(ty.ends_with("Timestamp") || ty.starts_with("Option<") && ty.ends_with("Timestamp>")) {
            diag.push(syn::Error::new(
                *span,
                format!("`watermark` goes on a `Timestamp` or `Option<Timestamp>` field; `{}` is `{ty}`", f.ident),
            ));
        }
    }
    if record.fields.len() > 128 {
        diag.error(&record.ident, format!("a Record has at most 128 fields; `{}` has {}", record.ident, record.fields.len()));
    }
    if record.fields.is_empty() {
        diag.error(&record.ident, "a Record needs at least one field");
    }
    for f in &record.fields {
        let last = last_segment(&f.ty);
        if let Some(span) = f.attrs.event_time
            && last.as_deref() != Some("Timestamp")
        {
            diag.push(syn::Error::new(
                span,
                format!("`event_time` goes on a `Timestamp` field; `{}` is `{}`", f.ident, crate::diagnostic::tidy(&f.ty)),
            ));
        }
        if let Some((unit, span)) = &f.attrs.unit {
            if !matches!(unit.as_str(), "s" | "ms" | "us" | "ns") {
                diag.push(syn::Error::new(*span, format!("unknown time unit `{unit}`; expected one of \"s\", \"ms\", \"us\", \"ns\"")));
            }
            if last.as_deref() != Some("Timestamp") {
                diag.push(syn::Error::new(
                    *span,
                    format!("`unit` applies to `Timestamp` fields; `{}` is `{}`", f.ident, crate::diagnostic::tidy(&f.ty)),
                ));
            }
        }
        if let Some((p, s, span)) = f.attrs.decimal {
            if !(1..=38).contains(&p) || s < 0 || s as u8 > p {
                diag.push(syn::Error::new(span, format!("`decimal({p}, {s})`: precision must be 1..=38 and scale 0..=precision")));
            }
            if last.as_deref() != Some("Decimal") {
                diag.push(syn::Error::new(
                    span,
                    format!("`decimal(p, s)` applies to `Decimal` fields; `{}` is `{}`", f.ident, crate::diagnostic::tidy(&f.ty)),
                ));
            }
        }
        if let Some(why) = unsupported(&f.ty) {
            diag.error(&f.ty, format!("unsupported Record field type `{}` ({why}); supported: i8-i64, u8-u64, f32, f64, bool, String, Timestamp, Date, Decimal and Option of those", crate::diagnostic::tidy(&f.ty)));
        }
    }
}

/// The type's last path segment (`Timestamp` of `sabot::Timestamp`), looking through `Option`.
fn last_segment(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident == "Option"
        && let syn::PathArguments::AngleBracketed(a) = &seg.arguments
        && let Some(syn::GenericArgument::Type(inner)) = a.args.first()
    {
        return last_segment(inner);
    }
    Some(seg.ident.to_string())
}

/// Field types we can tell are unsupported from syntax alone; the rest are checked by rustc
/// through the `Value` trait.
fn unsupported(ty: &syn::Type) -> Option<&'static str> {
    match ty {
        syn::Type::Reference(_) => Some("records own their data; use `String` rather than `&str`"),
        syn::Type::Tuple(_) => Some("tuples are not columns; use separate fields"),
        syn::Type::Array(_) | syn::Type::Slice(_) => Some("list columns are not supported yet"),
        syn::Type::Path(p) => match p.path.segments.last().map(|s| s.ident.to_string()).as_deref() {
            Some("Vec" | "HashMap" | "BTreeMap" | "HashSet") => Some("collection columns are not supported yet"),
            Some("i128" | "u128" | "isize" | "usize" | "char") => Some("no Arrow column type for it; use i64, u64 or String"),
            Some("Box" | "Rc" | "Arc") => Some("use the value type itself"),
            _ => None,
        },
        _ => Some("not a plain value type"),
    }
}
