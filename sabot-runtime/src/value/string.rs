//! `String` fields: read as `&str` straight out of the Arrow buffers.

use super::{Accept, FieldOpts, NonNull, Value};
use arrow::array::{Array, ArrayRef, AsArray, StringArray, StringBuilder};
use arrow::datatypes::{DataType, Int32Type};
use std::sync::Arc;

/// A column of UTF-8 strings, plain or dictionary-encoded, or nothing when the pipeline
/// does not read it.
#[derive(Clone, Copy)]
pub enum StrCol<'a> {
    /// Not read.
    None,
    /// One string per row.
    Plain(Texts<'a>),
    /// Codes into a dictionary of strings (as Parquet stores low-cardinality text).
    Dict {
        /// Per row, the index of its string.
        keys: &'a [i32],
        /// The distinct strings.
        values: Texts<'a>,
    },
}

/// The strings of a `StringArray` as its offsets and bytes, held directly so that reading one
/// does not go through the array's buffers each time.
#[derive(Clone, Copy)]
pub struct Texts<'a> {
    offsets: &'a [i32],
    bytes: &'a [u8],
}

impl<'a> Texts<'a> {
    fn of(array: &'a StringArray) -> Self {
        Texts { offsets: array.value_offsets(), bytes: array.value_data() }
    }

    /// The number of strings.
    #[inline(always)]
    fn len(self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// String `i < len()`.
    #[inline(always)]
    fn get(self, i: usize) -> &'a str {
        let (start, end) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
        // SAFETY: a `StringArray` checked that its offsets grow, lie within its bytes and
        // bound UTF-8 text.
        unsafe { std::str::from_utf8_unchecked(self.bytes.get_unchecked(start..end)) }
    }
}

impl Value for String {
    type Ref<'a> = &'a str;
    type Col<'a> = StrCol<'a>;
    type Builder = StringBuilder;

    fn data_type(_: &FieldOpts) -> DataType {
        DataType::Utf8
    }
    fn accept(found: &DataType, _: &FieldOpts) -> Accept {
        match found {
            DataType::Utf8 => Accept::Exact,
            DataType::Dictionary(k, v) if **k == DataType::Int32 && **v == DataType::Utf8 => Accept::Exact,
            DataType::LargeUtf8 | DataType::Utf8View => Accept::Lossless(DataType::Utf8),
            DataType::Dictionary(_, v) if matches!(**v, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) => {
                Accept::Lossless(DataType::Utf8)
            }
            DataType::Binary | DataType::LargeBinary | DataType::BinaryView => Accept::Lossy(DataType::Utf8),
            dt if arrow::compute::can_cast_types(dt, &DataType::Utf8) => Accept::Lossy(DataType::Utf8),
            _ => Accept::No,
        }
    }
    fn col(arr: Option<&dyn Array>) -> StrCol<'_> {
        let Some(a) = arr else { return StrCol::None };
        match a.as_dictionary_opt::<Int32Type>() {
            Some(d) => StrCol::Dict { keys: d.keys().values(), values: Texts::of(d.values().as_string::<i32>()) },
            None => StrCol::Plain(Texts::of(a.as_string::<i32>())),
        }
    }
    #[inline(always)]
    fn len(col: Self::Col<'_>) -> usize {
        match col {
            StrCol::None => usize::MAX,
            StrCol::Plain(a) => a.len(),
            StrCol::Dict { keys, .. } => keys.len(),
        }
    }
    #[inline(always)]
    fn get<'a>(col: Self::Col<'a>, i: usize) -> Self::Ref<'a> {
        match col {
            StrCol::None => "",
            StrCol::Plain(a) => a.get(i),
            // A null row's key may point anywhere: read nothing then (`Option` handles nulls).
            StrCol::Dict { keys, values } => match usize::try_from(keys[i]) {
                Ok(k) if k < values.len() => values.get(k),
                _ => "",
            },
        }
    }
    fn unread<'a>() -> Self::Ref<'a> {
        ""
    }
    fn as_ref(&self) -> &str {
        self.as_str()
    }
    fn from_ref(r: &str) -> String {
        r.to_owned()
    }
    fn builder(_: &FieldOpts, capacity: usize) -> StringBuilder {
        StringBuilder::with_capacity(capacity, capacity * 8)
    }
    #[inline(always)]
    fn append(b: &mut StringBuilder, v: &str) {
        b.append_value(v);
    }
    fn finish(b: &mut StringBuilder, _: &FieldOpts) -> ArrayRef {
        Arc::new(b.finish())
    }
}

impl NonNull for String {
    fn append_placeholder(b: &mut StringBuilder) {
        b.append_value("");
    }
}
