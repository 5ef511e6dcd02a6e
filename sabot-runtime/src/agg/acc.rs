//! Accumulators for `aggregate`: each is created from a group's first value and then fed the
//! rest (`add`), partial results of two splits combine with `merge`, and `finish` gives the
//! value the output record holds. Calls `sum(e)`, `count()`, `avg(e)`, `min(e)`, `max(e)` in an
//! `aggregate` closure compile to these.

use crate::value::Decimal;

/// A running aggregate. It names only owned types (so a group table can hold it); what a
/// row contributes is added through `AddValue`, which may take values borrowed from the batch.
pub trait Accumulator: Send + Sync + 'static {
    /// What the output record receives.
    type Output;
    /// Adds another partial result of the same group.
    fn merge(&mut self, other: Self);
    /// The final value.
    fn finish(self) -> Self::Output;
}

/// Adding one row's value of type `T` to an accumulator.
pub trait AddValue<T>: Accumulator {
    /// Adds one row's value.
    fn add(&mut self, v: T);
}

/// `custom(acc, e)`: a user's accumulator, starting from `acc` (empty) with the group's first
/// value added. It implements [`Accumulator`] (merge, finish) and [`AddValue`] for the value
/// type `e` has in the row view (`&str` for a `String` field).
#[inline(always)]
pub fn custom<A: AddValue<T>, T>(mut acc: A, value: T) -> A {
    acc.add(value);
    acc
}

/// Values `sum` and `avg` accept, and the type their totals are kept in.
#[diagnostic::on_unimplemented(message = "cannot sum `{Self}`", note = "sum and avg take integers, floats or Decimal")]
pub trait Summable: Copy + Send + Sync + 'static {
    /// The running total's type: i64 for signed, u64 for unsigned integers, f64, Decimal.
    type Total: Copy + Send + Sync + 'static + std::ops::Add<Output = Self::Total>;
    /// This value as a total.
    fn total(self) -> Self::Total;
    /// A total as `f64`, for `avg`.
    fn to_f64(total: Self::Total) -> f64;
}

macro_rules! summable {
    ($total:ty: $($t:ty),*) => {$(
        impl Summable for $t {
            type Total = $total;
            #[inline(always)]
            fn total(self) -> $total {
                self as $total
            }
            #[inline(always)]
            fn to_f64(t: $total) -> f64 {
                t as f64
            }
        }
    )*};
}

summable!(i64: i8, i16, i32, i64);
summable!(u64: u8, u16, u32, u64);
summable!(f64: f32, f64);

impl Summable for Decimal {
    type Total = Decimal;
    #[inline(always)]
    fn total(self) -> Decimal {
        self
    }
    fn to_f64(t: Decimal) -> f64 {
        t.to_f64()
    }
}

/// `sum(e)`: the total of `e` (exact for `Decimal`).
#[derive(Debug, Clone, Copy)]
pub struct Sum<T: Summable>(T::Total);

impl<T: Summable> Sum<T> {
    /// The running total (for spilling).
    pub fn total(&self) -> T::Total {
        self.0
    }
    /// A sum resumed from a spilled total.
    pub fn from_total(total: T::Total) -> Self {
        Sum(total)
    }
}

/// Starts a `sum` with its first value.
#[inline(always)]
pub fn sum<T: Summable>(first: T) -> Sum<T> {
    Sum(first.total())
}

impl<T: Summable> AddValue<T> for Sum<T> {
    #[inline(always)]
    fn add(&mut self, v: T) {
        self.0 = self.0 + v.total();
    }
}

impl<T: Summable> Accumulator for Sum<T> {
    type Output = T::Total;
    fn merge(&mut self, other: Self) {
        self.0 = self.0 + other.0;
    }
    fn finish(self) -> T::Total {
        self.0
    }
}

/// `count()`: rows in the group.
#[derive(Debug, Clone, Copy)]
pub struct Count(u64);

impl Count {
    /// Rows counted so far (for spilling).
    pub fn value(&self) -> u64 {
        self.0
    }
    /// A count resumed from a spilled value.
    pub fn from_value(n: u64) -> Self {
        Count(n)
    }
}

/// Starts a `count` at its first row.
#[inline(always)]
pub fn count() -> Count {
    Count(1)
}

impl AddValue<()> for Count {
    #[inline(always)]
    fn add(&mut self, _: ()) {
        self.0 += 1;
    }
}

impl Accumulator for Count {
    type Output = u64;
    fn merge(&mut self, other: Self) {
        self.0 += other.0;
    }
    fn finish(self) -> u64 {
        self.0
    }
}

/// `avg(e)`: the mean of `e` as `f64` (as DuckDB returns DOUBLE for `avg`).
#[derive(Debug, Clone, Copy)]
pub struct Avg<T: Summable> {
    total: T::Total,
    n: u64,
}

impl<T: Summable> Avg<T> {
    /// Total and row count (for spilling).
    pub fn parts(&self) -> (T::Total, u64) {
        (self.total, self.n)
    }
    /// An average resumed from spilled parts.
    pub fn from_parts(total: T::Total, n: u64) -> Self {
        Avg { total, n }
    }
}

/// Starts an `avg` with its first value.
#[inline(always)]
pub fn avg<T: Summable>(first: T) -> Avg<T> {
    Avg { total: first.total(), n: 1 }
}

impl<T: Summable> AddValue<T> for Avg<T> {
    #[inline(always)]
    fn add(&mut self, v: T) {
        self.total = self.total + v.total();
        self.n += 1;
    }
}

impl<T: Summable> Accumulator for Avg<T> {
    type Output = f64;
    fn merge(&mut self, other: Self) {
        self.total = self.total + other.total;
        self.n += other.n;
    }
    fn finish(self) -> f64 {
        T::to_f64(self.total) / self.n as f64
    }
}

/// `min(e)` / `max(e)` over values that are `Copy` and ordered.
#[derive(Debug, Clone, Copy)]
pub struct Extreme<T, const MAX: bool>(T);

impl<T, const MAX: bool> Extreme<T, MAX> {
    /// The extreme so far (for spilling).
    pub fn value(&self) -> &T {
        &self.0
    }
    /// A min or max resumed from a spilled value.
    pub fn from_value(v: T) -> Self {
        Extreme(v)
    }
}

/// `min(e)`.
pub type Min<T> = Extreme<T, false>;
/// `max(e)`.
pub type Max<T> = Extreme<T, true>;

/// Starts a `min` with its first value.
#[inline(always)]
pub fn min<T: PartialOrd + Copy + Send + Sync + 'static>(first: T) -> Min<T> {
    Extreme(first)
}

/// Starts a `max` with its first value.
#[inline(always)]
pub fn max<T: PartialOrd + Copy + Send + Sync + 'static>(first: T) -> Max<T> {
    Extreme(first)
}

impl<T: PartialOrd + Copy + Send + Sync + 'static, const MAX: bool> AddValue<T> for Extreme<T, MAX> {
    #[inline(always)]
    fn add(&mut self, v: T) {
        if (MAX && v > self.0) || (!MAX && v < self.0) {
            self.0 = v;
        }
    }
}

impl<T: PartialOrd + Copy + Send + Sync + 'static, const MAX: bool> Accumulator for Extreme<T, MAX> {
    type Output = T;
    fn merge(&mut self, other: Self) {
        self.add(other.0);
    }
    fn finish(self) -> T {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accumulators_merge_like_one_pass() {
        let mut a = sum(Decimal::new(150, 2));
        a.add(Decimal::new(25, 1));
        let mut b = sum(Decimal::new(1, 0));
        b.merge(a);
        assert_eq!(b.finish().to_string(), "5.00");
        let mut c = avg(3u32);
        c.add(4);
        let mut d = avg(5u32);
        d.merge(c);
        assert_eq!(d.finish(), 4.0);
        let mut m = max(2i64);
        m.merge(max(9));
        let mut lo = min(4i64);
        lo.add(-3);
        assert_eq!(lo.finish(), -3);
        assert_eq!(m.finish(), 9);
        let mut n = count();
        n.add(());
        n.merge(count());
        assert_eq!(n.finish(), 3);
    }
}

/// Values `first` and `last` keep: copied out of the batch (`&str` becomes `String`).
#[diagnostic::on_unimplemented(message = "`first`/`last` cannot keep `{Self}`")]
pub trait Keep: Copy {
    /// The kept form.
    type Owned: Send + Sync + 'static;
    /// Copies the value out of the batch.
    fn keep(self) -> Self::Owned;
}

macro_rules! keep_copy {
    ($($t:ty),*) => {$(
        impl Keep for $t {
            type Owned = $t;
            #[inline(always)]
            fn keep(self) -> $t {
                self
            }
        }
    )*};
}

keep_copy!(u8, u16, u32, u64, i8, i16, i32, i64, f32, f64, bool, crate::value::Date, crate::value::Timestamp, Decimal);

impl Keep for &str {
    type Owned = String;
    fn keep(self) -> String {
        self.to_owned()
    }
}

impl<T: Keep> Keep for Option<T> {
    type Owned = Option<T::Owned>;
    fn keep(self) -> Self::Owned {
        self.map(T::keep)
    }
}

/// `first(e)` / `last(e)`: the group's first or last value in input order (splits merge in
/// input order, so this holds with any parallelism).
#[derive(Clone)]
pub struct Ends<O, const LAST: bool>(O);

impl<O, const LAST: bool> Ends<O, LAST> {
    /// The value kept so far (for spilling).
    pub fn value(&self) -> &O {
        &self.0
    }
    /// A first or last resumed from a spilled value.
    pub fn from_value(v: O) -> Self {
        Ends(v)
    }
}

/// `first(e)`, keeping values of type `O`.
pub type First<O> = Ends<O, false>;
/// `last(e)`, keeping values of type `O`.
pub type Last<O> = Ends<O, true>;

/// Starts a `first` with the group's first value.
#[inline(always)]
pub fn first<T: Keep>(v: T) -> First<T::Owned> {
    Ends(v.keep())
}

/// Starts a `last` with the group's first value.
#[inline(always)]
pub fn last<T: Keep>(v: T) -> Last<T::Owned> {
    Ends(v.keep())
}

impl<T: Keep, const LAST: bool> AddValue<T> for Ends<T::Owned, LAST> {
    #[inline(always)]
    fn add(&mut self, v: T) {
        if LAST {
            self.0 = v.keep();
        }
    }
}

impl<O: Send + Sync + 'static, const LAST: bool> Accumulator for Ends<O, LAST> {
    type Output = O;
    fn merge(&mut self, other: Self) {
        // `other` holds rows after this one's.
        if LAST {
            self.0 = other.0;
        }
    }
    fn finish(self) -> O {
        self.0
    }
}

/// `count_distinct(e)`: how many different values `e` takes in the group (a null counts as
/// a value of its own, unlike SQL's `count(DISTINCT e)`, which ignores nulls).
#[derive(Clone)]
pub struct CountDistinct<O> {
    seen: super::GroupTable<O, ()>,
}

impl<O> CountDistinct<O> {
    /// The values seen (for spilling).
    pub fn seen(&self) -> &super::GroupTable<O, ()> {
        &self.seen
    }
    /// A distinct count resumed from spilled values.
    pub fn from_seen(seen: super::GroupTable<O, ()>) -> Self {
        CountDistinct { seen }
    }
}

/// Starts a `count_distinct` with the group's first value.
pub fn count_distinct<K: super::GroupKey>(v: K) -> CountDistinct<K::Owned> {
    let mut c = CountDistinct { seen: super::GroupTable::new() };
    c.add(v);
    c
}

impl<K: super::GroupKey> AddValue<K> for CountDistinct<K::Owned> {
    /// Records `v`, copying it only when it is new.
    #[inline]
    fn add(&mut self, v: K) {
        self.seen.entry(v, || ());
    }
}

impl<O: std::hash::Hash + Eq + Send + Sync + 'static> Accumulator for CountDistinct<O> {
    type Output = u64;
    fn merge(&mut self, other: Self) {
        self.seen.merge(other.seen, |_, _| ());
    }
    fn finish(self) -> u64 {
        self.seen.len() as u64
    }
}
