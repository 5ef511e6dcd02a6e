//! Field attributes: `#[sabot(event_time)]`, `#[sabot(watermark)]`, `#[sabot(cast)]`, `#[sabot(unit = "ms")]`,
//! `#[sabot(decimal(15, 2))]`.

use crate::diagnostic::Diagnostics;
use proc_macro2::Span;

/// The options of one field.
#[derive(Debug, Default)]
pub struct FieldAttrs {
    /// `event_time`, with its span.
    pub event_time: Option<Span>,
    /// `watermark`: the field punctuates the stream with watermarks, with its span.
    pub watermark: Option<Span>,
    /// `cast`: lossy casts allowed.
    pub cast: bool,
    /// `unit = "s" | "ms" | "us" | "ns"`, with its span.
    pub unit: Option<(String, Span)>,
    /// `decimal(precision, scale)`, with its span.
    pub decimal: Option<(u8, i8, Span)>,
}

const KNOWN: &str = "`event_time`, `watermark`, `cast`, `unit = \"s\" | \"ms\" | \"us\" | \"ns\"`, `decimal(precision, scale)`";

impl FieldAttrs {
    /// Reads every `#[sabot(...)]` on a field.
    pub fn parse(attrs: &[syn::Attribute], diag: &mut Diagnostics) -> FieldAttrs {
        let mut out = FieldAttrs::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("sabot")) {
            let result = attr.parse_nested_meta(|meta| {
                let span = meta.path.get_ident().map_or_else(Span::call_site, |i| i.span());
                if meta.path.is_ident("event_time") {
                    out.event_time = Some(span);
                } else if meta.path.is_ident("watermark") {
                    out.watermark = Some(span);
                } else if meta.path.is_ident("cast") {
                    out.cast = true;
                } else if meta.path.is_ident("unit") {
                    let lit: syn::LitStr = meta.value()?.parse()?;
                    out.unit = Some((lit.value(), lit.span()));
                } else if meta.path.is_ident("decimal") {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let p: syn::LitInt = content.parse()?;
                    content.parse::<syn::Token![,]>()?;
                    let s: syn::LitInt = content.parse()?;
                    let precision = p.base10_parse::<u8>().map_err(|_| syn::Error::new(p.span(), "precision must be between 1 and 38"))?;
                    let scale =
                        s.base10_parse::<i8>().map_err(|_| syn::Error::new(s.span(), "scale must be between 0 and the precision"))?;
                    out.decimal = Some((precision, scale, span));
                } else {
                    let name = meta.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
                    return Err(meta.error(format!("unknown option `{name}`; expected one of {KNOWN}")));
                }
                Ok(())
            });
            if let Err(e) = result {
                diag.push(e);
            }
        }
        out
    }
}
