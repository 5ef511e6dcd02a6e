//! `Option<T>` fields: nullable columns.

use super::{Accept, FieldOpts, NonNull, Value};
use arrow::array::{Array, ArrayRef, NullBufferBuilder, make_array};
use arrow::buffer::NullBuffer;
use arrow::datatypes::DataType;

/// A nullable column: the inner column plus its validity bitmap.
#[derive(Clone, Copy)]
pub struct OptCol<'a, C> {
    inner: C,
    nulls: Option<&'a NullBuffer>,
}

/// Builds a nullable column.
pub struct OptBuilder<B> {
    inner: B,
    nulls: NullBufferBuilder,
}

impl<T: NonNull> Value for Option<T> {
    type Ref<'a> = Option<T::Ref<'a>>;
    type Col<'a> = OptCol<'a, T::Col<'a>>;
    type Builder = OptBuilder<T::Builder>;
    const NULLABLE: bool = true;

    fn data_type(opts: &FieldOpts) -> DataType {
        T::data_type(opts)
    }
    fn accept(found: &DataType, opts: &FieldOpts) -> Accept {
        T::accept(found, opts)
    }
    fn validate(arr: &dyn Array) -> Result<(), (usize, String)> {
        T::validate(arr)
    }
    fn col(arr: Option<&dyn Array>) -> Self::Col<'_> {
        OptCol { inner: T::col(arr), nulls: arr.and_then(|a| a.logical_nulls_ref()) }
    }
    #[inline(always)]
    fn len(col: Self::Col<'_>) -> usize {
        T::len(col.inner)
    }
    #[inline(always)]
    fn get<'a>(col: Self::Col<'a>, i: usize) -> Self::Ref<'a> {
        match col.nulls {
            Some(n) if n.is_null(i) => None,
            _ => Some(T::get(col.inner, i)),
        }
    }
    fn unread<'a>() -> Self::Ref<'a> {
        None
    }
    fn as_ref(&self) -> Self::Ref<'_> {
        self.as_ref().map(T::as_ref)
    }
    fn from_ref(r: Self::Ref<'_>) -> Self {
        r.map(T::from_ref)
    }
    fn builder(opts: &FieldOpts, capacity: usize) -> Self::Builder {
        OptBuilder { inner: T::builder(opts, capacity), nulls: NullBufferBuilder::new(capacity) }
    }
    #[inline(always)]
    fn append(b: &mut Self::Builder, v: Self::Ref<'_>) {
        match v {
            Some(v) => {
                T::append(&mut b.inner, v);
                b.nulls.append_non_null();
            }
            None => {
                T::append_placeholder(&mut b.inner);
                b.nulls.append_null();
            }
        }
    }
    fn finish(b: &mut Self::Builder, opts: &FieldOpts) -> ArrayRef {
        let inner = T::finish(&mut b.inner, opts);
        let nulls = b.nulls.finish();
        let data = inner.into_data().into_builder().nulls(nulls);
        // SAFETY-free path: `build` validates the null buffer length against the data.
        make_array(data.build().expect("null buffer has one bit per appended value"))
    }
}

/// Nulls of an array without computing logical nulls for types that have none of their own.
trait LogicalNullsRef {
    fn logical_nulls_ref(&self) -> Option<&NullBuffer>;
}

impl LogicalNullsRef for dyn Array + '_ {
    fn logical_nulls_ref(&self) -> Option<&NullBuffer> {
        self.nulls()
    }
}
