//! Emits, for `struct Bid`: `BidRef<'a>` (the row view closures see), `BidColumns<'a>` (typed
//! column views), `BidBuilder` (columnar builders) and the `Record` / `RecordBuilder` impls.
//! Field types are named through `<T as Value>` projections, so the derive never needs to know
//! what `String` or `Timestamp` resolve to.

use super::ast::Record;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

/// The generated items.
pub fn expand(r: &Record) -> TokenStream {
    let (name, vis) = (&r.ident, &r.vis);
    let name_str = name.to_string();
    let row = format_ident!("{}Ref", name);
    let cols = format_ident!("{}Columns", name);
    let builder = format_ident!("{}Builder", name);
    let idents: Vec<_> = r.fields.iter().map(|f| &f.ident).collect();
    let names: Vec<String> = idents.iter().map(|i| i.to_string()).collect();
    let tys: Vec<_> = r.fields.iter().map(|f| &f.ty).collect();
    let locals: Vec<_> = idents.iter().map(|i| format_ident!("__field_{}", syn::ext::IdentExt::unraw(*i))).collect();
    let value = |ty: &syn::Type| quote_spanned! {ty.span()=> <#ty as ::sabot::__private::Value> };
    let vals: Vec<TokenStream> = tys.iter().map(|t| value(t)).collect();
    let opts: Vec<TokenStream> = r.fields.iter().map(field_opts).collect();
    let infos = r.fields.iter().zip(&opts).map(|(f, o)| {
        let (n, ty, cast, et) = (f.ident.to_string(), &f.ty, f.attrs.cast, f.attrs.event_time.is_some());
        let mark = f.attrs.watermark.map(|_| quote! { .punctuating() });
        quote_spanned! {ty.span()=> ::sabot::__private::FieldInfo::of::<#ty>(#n, #o, #cast, #et) #mark }
    });
    let bits: Vec<TokenStream> = (0..r.fields.len()).map(|k| quote! { (1u128 << #k) }).collect();
    let ks: Vec<usize> = (0..r.fields.len()).collect();
    let event_time = r.fields.iter().enumerate().find(|(_, f)| f.attrs.event_time.is_some());
    let event_time_mask = event_time.map(|(k, _)| quote! { const EVENT_TIME_MASK: ::sabot::__private::FieldMask = 1u128 << #k; });
    let event_time_impl = event_time.map(|(_, f)| {
        let (ident, ty) = (&f.ident, &f.ty);
        quote! {
            #[automatically_derived]
            impl ::sabot::__private::EventTime for #row<'_> {
                #[inline(always)]
                fn event_time(&self) -> ::sabot::__private::Timestamp {
                    <#ty as ::sabot::__private::Value>::from_ref(self.#ident)
                }
            }
        }
    });
    let row_doc = format!("A row of [`{name}`] as pipeline closures see it: `String` fields as `&str`.");

    quote! {
        #[doc = #row_doc]
        #[derive(Clone, Copy, Debug)]
        #[allow(dead_code)]
        #vis struct #row<'a> {
            #(
                #[allow(missing_docs)]
                pub #idents: #vals::Ref<'a>,
            )*
        }

        #[doc(hidden)]
        #[allow(dead_code, missing_docs)]
        #vis struct #cols<'a> {
            #( #idents: #vals::Col<'a>, )*
        }

        #[doc(hidden)]
        #[allow(dead_code, missing_docs)]
        #vis struct #builder {
            #( #idents: #vals::Builder, )*
            __len: usize,
        }

        #[automatically_derived]
        impl ::sabot::__private::Record for #name {
            type Ref<'a> = #row<'a>;
            type Columns<'a> = #cols<'a>;
            type Builder = #builder;
            const NAME: &'static str = #name_str;
            const FIELD_NAMES: &'static [&'static str] = &[#(#names),*];
            #event_time_mask

            fn fields() -> &'static [::sabot::__private::FieldInfo] {
                static FIELDS: ::sabot::__private::OnceLock<::std::vec::Vec<::sabot::__private::FieldInfo>> = ::sabot::__private::OnceLock::new();
                FIELDS.get_or_init(|| ::std::vec![#(#infos),*])
            }

            #[inline]
            fn columns<'a, const M: ::sabot::__private::FieldMask>(arrays: &'a [::core::option::Option<::sabot::__private::ArrayRef>]) -> Self::Columns<'a> {
                #cols {
                    #( #idents: #vals::col(if M & #bits != 0 { arrays.get(#ks).and_then(|a| a.as_deref()) } else { ::core::option::Option::None }), )*
                }
            }

            #[inline(always)]
            fn len<const M: ::sabot::__private::FieldMask>(cols: &Self::Columns<'_>) -> usize {
                let mut n = usize::MAX;
                #( if M & #bits != 0 { n = n.min(#vals::len_declared(cols.#idents, &#opts)); } )*
                n
            }

            #[inline(always)]
            fn row<'a, const M: ::sabot::__private::FieldMask>(cols: &Self::Columns<'a>, i: usize) -> Self::Ref<'a> {
                #row {
                    #( #idents: if M & #bits != 0 { #vals::get_declared(cols.#idents, i, &#opts) } else { #vals::unread() }, )*
                }
            }

            #[inline(always)]
            fn as_row(&self) -> Self::Ref<'_> {
                #row { #( #idents: #vals::as_ref(&self.#idents), )* }
            }

            fn from_row(row: Self::Ref<'_>) -> Self {
                #name { #( #idents: #vals::from_ref(row.#idents), )* }
            }

            #[inline(always)]
            fn builder(capacity: usize) -> Self::Builder {
                #builder { #( #idents: #vals::builder(&#opts, capacity), )* __len: 0 }
            }
        }

        #event_time_impl

        // Records can be kept in keyed state (`process`): their fields in order.
        #[automatically_derived]
        impl ::sabot::__private::StateCodec for #name {
            fn encode(&self, __out: &mut ::std::vec::Vec<u8>) {
                #( <#tys as ::sabot::__private::StateCodec>::encode(&self.#idents, __out); )*
            }
            fn decode(__bytes: &[u8]) -> ::core::option::Option<(Self, usize)> {
                let mut __at = 0usize;
                #(
                    let (#locals, __n) = <#tys as ::sabot::__private::StateCodec>::decode(__bytes.get(__at..)?)?;
                    __at += __n;
                )*
                ::core::option::Option::Some((#name { #( #idents: #locals, )* }, __at))
            }
        }

        #[automatically_derived]
        impl ::sabot::__private::RecordBuilder<#name> for #builder {
            #[inline(always)]
            fn append(&mut self, row: <#name as ::sabot::__private::Record>::Ref<'_>) {
                #( #vals::append(&mut self.#idents, row.#idents); )*
                self.__len += 1;
            }

            #[inline(always)]
            fn append_within(&mut self, row: <#name as ::sabot::__private::Record>::Ref<'_>) {
                #( #vals::append_within(&mut self.#idents, row.#idents); )*
                self.__len += 1;
            }

            #[inline(always)]
            fn append_if(&mut self, row: <#name as ::sabot::__private::Record>::Ref<'_>, keep: bool) {
                #( #vals::append_if(&mut self.#idents, row.#idents, keep); )*
                self.__len += keep as usize;
            }

            fn len(&self) -> usize {
                self.__len
            }

            fn finish(&mut self) -> ::sabot::__private::RecordBatch {
                let rows = ::core::mem::take(&mut self.__len);
                ::sabot::__private::batch_of::<#name>(::std::vec![#( #vals::finish(&mut self.#idents, &#opts) ),*], rows)
            }
        }
    }
}

fn field_opts(f: &super::ast::Field) -> TokenStream {
    let unit = match f.attrs.unit.as_ref().map(|(u, _)| u.as_str()) {
        Some("s") => quote! { ::core::option::Option::Some(::sabot::__private::TimeUnit::Second) },
        Some("ms") => quote! { ::core::option::Option::Some(::sabot::__private::TimeUnit::Millisecond) },
        Some("ns") => quote! { ::core::option::Option::Some(::sabot::__private::TimeUnit::Nanosecond) },
        Some(_) => quote! { ::core::option::Option::Some(::sabot::__private::TimeUnit::Microsecond) },
        None => quote! { ::core::option::Option::None },
    };
    let decimal = match f.attrs.decimal {
        Some((p, s, _)) => quote! { ::core::option::Option::Some((#p, #s)) },
        None => quote! { ::core::option::Option::None },
    };
    quote! { ::sabot::__private::FieldOpts { unit: #unit, decimal: #decimal } }
}
