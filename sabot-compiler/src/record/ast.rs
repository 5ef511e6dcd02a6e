//! The struct a `#[derive(Record)]` is on, as the derive needs it.

use super::attr::FieldAttrs;
use crate::diagnostic::Diagnostics;

/// One named field.
#[derive(Debug)]
pub struct Field {
    /// Field name (also the column name).
    pub ident: syn::Ident,
    /// Its Rust type.
    pub ty: syn::Type,
    /// Its `#[sabot(...)]` options.
    pub attrs: FieldAttrs,
}

/// The record struct.
#[derive(Debug)]
pub struct Record {
    /// Struct name.
    pub ident: syn::Ident,
    /// Its visibility (generated types share it).
    pub vis: syn::Visibility,
    /// Fields in declaration order.
    pub fields: Vec<Field>,
}

impl Record {
    /// Reads the derive input; shape errors (enum, tuple struct, generics) go to `diag`.
    pub fn from_input(input: &syn::DeriveInput, diag: &mut Diagnostics) -> Option<Record> {
        if !input.generics.params.is_empty() {
            diag.error(&input.generics, "a Record cannot be generic: its Arrow schema must be fixed");
        }
        for a in input.attrs.iter().filter(|a| a.path().is_ident("sabot")) {
            diag.error(
                a,
                "`#[sabot(...)]` options go on fields (`event_time`, `cast`, `unit = \"ms\"`, `decimal(p, s)`), not on the struct",
            );
        }
        let named = match &input.data {
            syn::Data::Struct(syn::DataStruct { fields: syn::Fields::Named(n), .. }) => n,
            syn::Data::Struct(s) => {
                diag.error(&s.fields, "a Record must be a struct with named fields: each field is a column");
                return None;
            }
            syn::Data::Enum(e) => {
                diag.error(e.enum_token, "a Record must be a struct with named fields; enums are not supported");
                return None;
            }
            syn::Data::Union(u) => {
                diag.error(u.union_token, "a Record must be a struct with named fields; unions are not supported");
                return None;
            }
        };
        let fields = named
            .named
            .iter()
            .map(|f| Field {
                ident: f.ident.clone().expect("named fields have names"),
                ty: f.ty.clone(),
                attrs: FieldAttrs::parse(&f.attrs, diag),
            })
            .collect();
        Some(Record { ident: input.ident.clone(), vis: input.vis.clone(), fields })
    }
}
