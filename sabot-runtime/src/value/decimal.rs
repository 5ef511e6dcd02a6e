//! `Decimal` fields: exact fixed-point numbers, read from DECIMAL(p, s) columns of any scale.

use super::{Accept, FieldOpts, NonNull, Value, push_if};
use arrow::array::{Array, ArrayRef, AsArray, Decimal128Array};
use arrow::datatypes::{DataType, Decimal64Type, Decimal128Type};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Add, Mul, Neg, Sub};
use std::sync::Arc;

/// An exact decimal: `mantissa * 10^-scale`. Arithmetic never rounds (multiplication adds scales).
#[derive(Debug, Clone, Copy, Default)]
pub struct Decimal {
    mantissa: i128,
    scale: i8,
}

const POW10: [i128; 39] = {
    let mut t = [1i128; 39];
    let mut i = 1;
    while i < 39 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

impl Decimal {
    /// `mantissa * 10^-scale`, e.g. `Decimal::new(5, 2)` is 0.05.
    pub const fn new(mantissa: i128, scale: i8) -> Self {
        Decimal { mantissa, scale }
    }
    /// The unscaled integer.
    pub const fn mantissa(self) -> i128 {
        self.mantissa
    }
    /// Digits after the decimal point.
    pub const fn scale(self) -> i8 {
        self.scale
    }
    /// Parses `"-12.345"`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let (neg, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if int.is_empty() && frac.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let scale = i8::try_from(frac.len()).ok()?;
        let mut m: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            m = m.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        Some(Decimal { mantissa: if neg { -m } else { m }, scale })
    }
    /// This value at another scale, rounding half away from zero when digits are dropped.
    #[inline]
    pub fn rescale(self, scale: i8) -> Self {
        let diff = i32::from(scale) - i32::from(self.scale);
        let mantissa = match diff.cmp(&0) {
            Ordering::Equal => self.mantissa,
            Ordering::Greater => mul_exact(self.mantissa, pow10(diff)).expect("decimal overflow"),
            Ordering::Less => {
                let p = pow10(-diff);
                let (q, r) = (self.mantissa / p, self.mantissa % p);
                if r.abs() * 2 >= p { q + self.mantissa.signum() } else { q }
            }
        };
        Decimal { mantissa, scale }
    }
    /// `self / rhs` rounded half away from zero to `scale` digits; `None` when `rhs` is zero.
    pub fn div(self, rhs: Decimal, scale: i8) -> Option<Decimal> {
        if rhs.mantissa == 0 {
            return None;
        }
        // self/rhs = (m1/m2) * 10^(s2-s1); compute with two extra digits, then round.
        let shift = i32::from(scale) + 1 + i32::from(rhs.scale) - i32::from(self.scale);
        let (num, den) = if shift >= 0 {
            (self.mantissa.checked_mul(pow10(shift))?, rhs.mantissa)
        } else {
            (self.mantissa, rhs.mantissa.checked_mul(pow10(-shift))?)
        };
        let q = num / den;
        let rounded = if q % 10 >= 5 {
            q / 10 + 1
        } else if q % 10 <= -5 {
            q / 10 - 1
        } else {
            q / 10
        };
        Some(Decimal { mantissa: rounded, scale })
    }
    /// The same value with trailing fractional zeros removed (exact).
    #[inline]
    pub fn normalize(self) -> Self {
        let (mut m, mut s) = (self.mantissa, self.scale);
        while s > 0 && m % 10 == 0 {
            m /= 10;
            s -= 1;
        }
        Decimal { mantissa: m, scale: s }
    }

    /// The nearest `f64`.
    #[inline]
    pub fn to_f64(self) -> f64 {
        self.mantissa as f64 / 10f64.powi(i32::from(self.scale))
    }
    #[inline(always)]
    fn aligned(self, other: Decimal) -> (i128, i128, i8) {
        if self.scale == other.scale {
            return (self.mantissa, other.mantissa, self.scale);
        }
        // Raising the smaller scale: exact, one multiply (`1 - discount` mixes scales 0 and 2).
        let (lo, hi) = if self.scale < other.scale { (self, other) } else { (other, self) };
        let up = (hi.scale - lo.scale) as usize;
        let raised = match POW10.get(up) {
            Some(&p) if up <= 18 => mul_exact(lo.mantissa, p),
            _ => None,
        };
        match raised {
            Some(m) if self.scale < other.scale => (m, other.mantissa, hi.scale),
            Some(m) => (self.mantissa, m, hi.scale),
            None => {
                let s = self.scale.max(other.scale);
                (self.rescale(s).mantissa, other.rescale(s).mantissa, s)
            }
        }
    }
}

/// `a * b`, or `None` on overflow. Mantissas of DECIMAL(18) and narrower fit in i64, and a
/// product of two i64 cannot overflow i128: one widening multiply instead of i128's checked one.
#[inline(always)]
fn mul_exact(a: i128, b: i128) -> Option<i128> {
    if a == i128::from(a as i64) && b == i128::from(b as i64) { Some(a * b) } else { a.checked_mul(b) }
}

#[inline]
fn pow10(e: i32) -> i128 {
    POW10.get(e as usize).copied().expect("decimal scale out of range (max 38 digits)")
}

impl From<i64> for Decimal {
    fn from(v: i64) -> Self {
        Decimal::new(i128::from(v), 0)
    }
}

impl Add for Decimal {
    type Output = Decimal;
    #[inline(always)]
    fn add(self, rhs: Decimal) -> Decimal {
        let (a, b, s) = self.aligned(rhs);
        match a.checked_add(b) {
            Some(m) => Decimal::new(m, s),
            None => add_slow(self, rhs),
        }
    }
}

/// Addition past i128: trailing zeros (from a wide declared scale) may be what overflows, so
/// shed them and try again.
#[cold]
#[inline(never)]
fn add_slow(a: Decimal, b: Decimal) -> Decimal {
    let (x, y, s) = a.normalize().aligned(b.normalize());
    Decimal::new(x.checked_add(y).expect("decimal overflow"), s)
}

impl Sub for Decimal {
    type Output = Decimal;
    #[inline(always)]
    fn sub(self, rhs: Decimal) -> Decimal {
        self + (-rhs)
    }
}

impl Mul for Decimal {
    type Output = Decimal;
    // Exact multiplication adds the scales: 0.05 * 901.00 = 45.0500.
    #[allow(clippy::suspicious_arithmetic_impl)]
    #[inline]
    fn mul(self, rhs: Decimal) -> Decimal {
        let (l, r) = if self.scale + rhs.scale > 18 { (self.normalize(), rhs.normalize()) } else { (self, rhs) };
        let m = mul_exact(l.mantissa, r.mantissa).expect("decimal overflow");
        let scale = l.scale.checked_add(r.scale).expect("decimal scale overflow");
        Decimal::new(m, scale)
    }
}

impl Mul<i64> for Decimal {
    type Output = Decimal;
    #[inline]
    fn mul(self, rhs: i64) -> Decimal {
        self * Decimal::from(rhs)
    }
}

impl Neg for Decimal {
    type Output = Decimal;
    #[inline]
    fn neg(self) -> Decimal {
        Decimal::new(-self.mantissa, self.scale)
    }
}

impl PartialEq for Decimal {
    #[inline]
    fn eq(&self, other: &Decimal) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Decimal {}

impl PartialOrd for Decimal {
    #[inline]
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Decimal {
    #[inline]
    fn cmp(&self, other: &Decimal) -> Ordering {
        let (a, b, _) = self.aligned(*other);
        a.cmp(&b)
    }
}

impl Hash for Decimal {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Equal values hash alike whatever their scale: strip trailing zeros first.
        let (mut m, mut s) = (self.mantissa, self.scale);
        while s > 0 && m % 10 == 0 {
            m /= 10;
            s -= 1;
        }
        (m, s).hash(state);
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale <= 0 {
            return write!(f, "{}", self.mantissa * pow10(-i32::from(self.scale)));
        }
        let p = pow10(i32::from(self.scale));
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let a = self.mantissa.unsigned_abs();
        write!(f, "{sign}{}.{:0w$}", a / p as u128, a % p as u128, w = self.scale as usize)
    }
}

/// A decimal column view: unscaled values (128-bit, or 64-bit as Parquet stores DECIMAL up to
/// 18 digits) and their scale.
#[derive(Clone, Copy)]
pub struct DecCol<'a> {
    values: &'a [i128],
    narrow: &'a [i64],
    scale: i8,
}

fn declared(opts: &FieldOpts) -> (u8, i8) {
    opts.decimal.unwrap_or((38, 10))
}

/// The most digits a 64-bit mantissa holds. A field declared with at most this many is read
/// from a `Decimal64` column (`accept` has wider ones converted, an overflow being an error),
/// so its rows are read from one width, with no choice between two per row: TPC-H Q6's
/// selection pass over two such fields took half the time.
const NARROW_DIGITS: u8 = 18;

/// Whether a field declared with `opts` is read from a `Decimal64` column.
#[inline(always)]
fn narrow(opts: &FieldOpts) -> bool {
    matches!(opts.decimal, Some((p, _)) if p <= NARROW_DIGITS)
}

impl Value for Decimal {
    type Ref<'a> = Decimal;
    type Col<'a> = DecCol<'a>;
    type Builder = Vec<Decimal>;

    fn data_type(opts: &FieldOpts) -> DataType {
        let (p, s) = declared(opts);
        DataType::Decimal128(p, s)
    }
    fn accept(found: &DataType, opts: &FieldOpts) -> Accept {
        use DataType::{Decimal32, Decimal64, Decimal128, Decimal256};
        let narrow = narrow(opts);
        let at = |scale: i8| if narrow { Decimal64(NARROW_DIGITS, scale) } else { Decimal128(38, scale) };
        // A field declared `decimal(_, s)` reads at scale `s`, so rows carry it as a constant
        // (`get_declared`): a smaller scale is raised exactly, a larger one rounded (`cast`).
        // An undeclared field reads any scale as it is.
        match (found, opts.decimal.map(|(_, s)| s)) {
            (Decimal64(_, s), Some(scale)) if *s == scale => Accept::Exact,
            // For a narrow field only the width changes: a value of more than 18 digits fails.
            (Decimal128(_, s), Some(scale)) if *s == scale => {
                if narrow {
                    Accept::Lossless(at(scale))
                } else {
                    Accept::Exact
                }
            }
            (Decimal32(_, s), Some(scale)) if *s <= scale => Accept::Lossless(at(scale)),
            (Decimal64(_, s) | Decimal128(_, s), Some(scale)) if *s < scale => Accept::Lossless(at(scale)),
            (Decimal32(..) | Decimal64(..) | Decimal128(..) | Decimal256(..), Some(scale)) => Accept::Lossy(at(scale)),
            (Decimal128(..) | Decimal64(..), None) => Accept::Exact,
            (Decimal32(_, s), None) => Accept::Lossless(at(*s)),
            (Decimal256(_, s), None) => Accept::Lossy(at(*s)),
            (found, declared) if found.is_integer() => Accept::Lossless(at(declared.unwrap_or(0))),
            (DataType::Float16 | DataType::Float32 | DataType::Float64 | DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View, _) => {
                Accept::Lossy(if narrow { at(declared(opts).1) } else { Self::data_type(opts) })
            }
            _ => Accept::No,
        }
    }
    fn col(arr: Option<&dyn Array>) -> DecCol<'_> {
        match arr.map(|a| (a, a.data_type())) {
            Some((a, DataType::Decimal128(_, s))) => DecCol { values: a.as_primitive::<Decimal128Type>().values(), narrow: &[], scale: *s },
            Some((a, DataType::Decimal64(_, s))) => DecCol { values: &[], narrow: a.as_primitive::<Decimal64Type>().values(), scale: *s },
            _ => DecCol { values: &[], narrow: &[], scale: 0 },
        }
    }
    #[inline(always)]
    fn len(col: Self::Col<'_>) -> usize {
        // One of the two is empty.
        col.values.len() + col.narrow.len()
    }
    #[inline(always)]
    fn get<'a>(col: Self::Col<'a>, i: usize) -> Self::Ref<'a> {
        let mantissa = if col.narrow.is_empty() { col.values[i] } else { col.narrow[i] as i128 };
        Decimal::new(mantissa, col.scale)
    }
    #[inline(always)]
    fn len_declared(col: Self::Col<'_>, opts: &FieldOpts) -> usize {
        if narrow(opts) {
            debug_assert!(col.values.is_empty(), "a narrow decimal field's column is conformed to Decimal64");
            col.narrow.len()
        } else {
            Self::len(col)
        }
    }
    #[inline(always)]
    fn get_declared<'a>(col: Self::Col<'a>, i: usize, opts: &FieldOpts) -> Self::Ref<'a> {
        match opts.decimal {
            // `accept` had the column converted to Decimal64 at the declared scale.
            Some((p, scale)) if p <= NARROW_DIGITS => Decimal::new(i128::from(col.narrow[i]), scale),
            // `accept` had the column converted to the declared scale.
            Some((_, scale)) => {
                debug_assert_eq!(col.scale, scale, "a declared decimal column is conformed to its scale");
                Decimal::new(Self::get(col, i).mantissa, scale)
            }
            None => Self::get(col, i),
        }
    }
    fn unread<'a>() -> Self::Ref<'a> {
        Decimal::default()
    }
    fn as_ref(&self) -> Decimal {
        *self
    }
    fn from_ref(r: Decimal) -> Decimal {
        r
    }
    #[inline(always)]
    fn builder(_: &FieldOpts, capacity: usize) -> Vec<Decimal> {
        Vec::with_capacity(capacity)
    }
    #[inline(always)]
    fn append(b: &mut Vec<Decimal>, v: Decimal) {
        b.push(v);
    }
    #[inline(always)]
    fn append_within(b: &mut Vec<Decimal>, v: Decimal) {
        push_if(b, v, true);
    }
    #[inline(always)]
    fn append_if(b: &mut Vec<Decimal>, v: Decimal, keep: bool) {
        push_if(b, v, keep);
    }
    fn finish(b: &mut Vec<Decimal>, opts: &FieldOpts) -> ArrayRef {
        let (p, s) = declared(opts);
        let values: Vec<i128> = std::mem::take(b).into_iter().map(|d| d.rescale(s).mantissa).collect();
        let arr =
            Decimal128Array::from(values).with_precision_and_scale(p, s).expect("declared precision and scale are validated by the derive");
        Arc::new(arr)
    }
}

impl NonNull for Decimal {
    fn append_placeholder(b: &mut Vec<Decimal>) {
        b.push(Decimal::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_is_exact() {
        let price = Decimal::parse("901.00").unwrap();
        let disc = Decimal::parse("0.05").unwrap();
        let one = Decimal::from(1);
        assert_eq!((price * (one - disc)).to_string(), "855.9500");
        assert_eq!(Decimal::parse("0.1").unwrap() + Decimal::parse("0.2").unwrap(), Decimal::parse("0.3").unwrap());
        assert!(Decimal::parse("0.07").unwrap() > Decimal::parse("0.065").unwrap());
        assert_eq!(Decimal::parse("-1.005").unwrap().rescale(2).to_string(), "-1.01");
        assert_eq!(Decimal::from(2).div(Decimal::from(3), 4).unwrap().to_string(), "0.6667");
        assert_eq!(Decimal::parse("1.2.3"), None);
        // Wide scales shed trailing zeros instead of overflowing.
        let wide = Decimal::parse("12345.6700000000").unwrap();
        assert_eq!(wide * wide * wide, Decimal::parse("1881672302290.562263").unwrap());
    }
}
