//! Accumulators for `aggregate`: each is created from a group's first value and then fed the
//! rest (`add`), partial results of two splits combine with `merge`, and `finish` gives the
//! value the output record holds. Calls `sum(e)`, `count()`, `avg(e)`, `min(e)`, `max(e)` in an
//! `aggregate` closure compile to these.

use crate::value::Decimal;

/// A running aggregate.
pub trait Accumulator: Send + Sync + 'static {
    /// What one row contributes.
    type Input;
    /// What the output record receives.
    type Output;
    /// Adds one row's value.
    fn add(&mut self, v: Self::Input);
    /// Adds another partial result of the same group.
    fn merge(&mut self, other: Self);
    /// The final value.
    fn finish(self) -> Self::Output;
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

/// Starts a `sum` with its first value.
#[inline(always)]
pub fn sum<T: Summable>(first: T) -> Sum<T> {
    Sum(first.total())
}

impl<T: Summable> Accumulator for Sum<T> {
    type Input = T;
    type Output = T::Total;
    #[inline(always)]
    fn add(&mut self, v: T) {
        self.0 = self.0 + v.total();
    }
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

/// Starts a `count` at its first row.
#[inline(always)]
pub fn count() -> Count {
    Count(1)
}

impl Accumulator for Count {
    type Input = ();
    type Output = u64;
    #[inline(always)]
    fn add(&mut self, _: ()) {
        self.0 += 1;
    }
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

/// Starts an `avg` with its first value.
#[inline(always)]
pub fn avg<T: Summable>(first: T) -> Avg<T> {
    Avg { total: first.total(), n: 1 }
}

impl<T: Summable> Accumulator for Avg<T> {
    type Input = T;
    type Output = f64;
    #[inline(always)]
    fn add(&mut self, v: T) {
        self.total = self.total + v.total();
        self.n += 1;
    }
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

impl<T: PartialOrd + Copy + Send + Sync + 'static, const MAX: bool> Accumulator for Extreme<T, MAX> {
    type Input = T;
    type Output = T;
    #[inline(always)]
    fn add(&mut self, v: T) {
        if (MAX && v > self.0) || (!MAX && v < self.0) {
            self.0 = v;
        }
    }
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
