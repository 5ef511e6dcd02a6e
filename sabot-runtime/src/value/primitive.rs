//! Integers, floats and `bool` as fields.

use super::{Accept, FieldOpts, NonNull, Value, accept_numeric, push_if};
use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, BooleanBufferBuilder, PrimitiveArray};
use arrow::buffer::BooleanBuffer;
use arrow::datatypes::{self as adt, DataType};
use std::sync::Arc;

macro_rules! primitive_value {
    ($($t:ty => $arrow:ty, $dt:expr;)*) => {$(
        impl Value for $t {
            type Ref<'a> = $t;
            type Col<'a> = &'a [$t];
            type Builder = Vec<$t>;

            fn data_type(_: &FieldOpts) -> DataType {
                $dt
            }
            fn accept(found: &DataType, _: &FieldOpts) -> Accept {
                accept_numeric(found, &$dt)
            }
            #[inline]
            fn col(arr: Option<&dyn Array>) -> &[$t] {
                arr.map(|a| a.as_primitive::<$arrow>().values().as_ref()).unwrap_or(&[])
            }
            #[inline(always)]
            fn len(col: Self::Col<'_>) -> usize {
                col.len()
            }
            #[inline(always)]
            fn get<'a>(col: Self::Col<'a>, i: usize) -> Self::Ref<'a> {
                col[i]
            }
            #[inline(always)]
            fn unread<'a>() -> Self::Ref<'a> {
                <$t>::default()
            }
            #[inline(always)]
            fn as_ref(&self) -> $t {
                *self
            }
            #[inline(always)]
            fn from_ref(r: $t) -> $t {
                r
            }
            #[inline(always)]
            fn builder(_: &FieldOpts, capacity: usize) -> Vec<$t> {
                Vec::with_capacity(capacity)
            }
            #[inline(always)]
            fn append(b: &mut Vec<$t>, v: $t) {
                b.push(v);
            }
            #[inline(always)]
            fn append_within(b: &mut Vec<$t>, v: $t) {
                push_if(b, v, true);
            }
            #[inline(always)]
            fn append_if(b: &mut Vec<$t>, v: $t, keep: bool) {
                push_if(b, v, keep);
            }
            fn finish(b: &mut Vec<$t>, _: &FieldOpts) -> ArrayRef {
                Arc::new(PrimitiveArray::<$arrow>::from(std::mem::take(b)))
            }
        }
        impl NonNull for $t {
            #[inline(always)]
            fn append_placeholder(b: &mut Vec<$t>) {
                b.push(<$t>::default());
            }
        }
    )*};
}

primitive_value! {
    i8 => adt::Int8Type, DataType::Int8;
    i16 => adt::Int16Type, DataType::Int16;
    i32 => adt::Int32Type, DataType::Int32;
    i64 => adt::Int64Type, DataType::Int64;
    u8 => adt::UInt8Type, DataType::UInt8;
    u16 => adt::UInt16Type, DataType::UInt16;
    u32 => adt::UInt32Type, DataType::UInt32;
    u64 => adt::UInt64Type, DataType::UInt64;
    f32 => adt::Float32Type, DataType::Float32;
    f64 => adt::Float64Type, DataType::Float64;
}

/// A column of booleans, or nothing when the pipeline does not read it.
#[derive(Clone, Copy)]
pub struct BoolCol<'a>(Option<&'a BooleanBuffer>);

impl Value for bool {
    type Ref<'a> = bool;
    type Col<'a> = BoolCol<'a>;
    type Builder = BooleanBufferBuilder;

    fn data_type(_: &FieldOpts) -> DataType {
        DataType::Boolean
    }
    fn accept(found: &DataType, _: &FieldOpts) -> Accept {
        match found {
            DataType::Boolean => Accept::Exact,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Accept::Lossy(DataType::Boolean),
            dt if super::numeric_rank(dt).is_some() => Accept::Lossy(DataType::Boolean),
            _ => Accept::No,
        }
    }
    fn col(arr: Option<&dyn Array>) -> BoolCol<'_> {
        BoolCol(arr.map(|a| a.as_boolean().values()))
    }
    #[inline(always)]
    fn len(col: Self::Col<'_>) -> usize {
        col.0.map_or(usize::MAX, |b| b.len())
    }
    #[inline(always)]
    fn get<'a>(col: Self::Col<'a>, i: usize) -> Self::Ref<'a> {
        col.0.is_some_and(|b| b.value(i))
    }
    fn unread<'a>() -> Self::Ref<'a> {
        false
    }
    fn as_ref(&self) -> bool {
        *self
    }
    fn from_ref(r: bool) -> bool {
        r
    }
    #[inline(always)]
    fn builder(_: &FieldOpts, capacity: usize) -> BooleanBufferBuilder {
        BooleanBufferBuilder::new(capacity)
    }
    #[inline(always)]
    fn append(b: &mut BooleanBufferBuilder, v: bool) {
        b.append(v);
    }
    fn finish(b: &mut BooleanBufferBuilder, _: &FieldOpts) -> ArrayRef {
        Arc::new(BooleanArray::new(b.finish(), None))
    }
}

impl NonNull for bool {
    fn append_placeholder(b: &mut BooleanBufferBuilder) {
        b.append(false);
    }
}
