//! `java.util.Random`, bit for bit: the 48-bit linear congruential generator that the Beam and
//! Flink Nexmark generators draw every value from, and Beam's `LongGenerator.nextLong`.
//!
//! Java's `Random` keeps its original algorithm for compatibility, so the same seed gives the
//! same values on every JVM; so it does here.

/// The LCG's multiplier (`0x5DEECE66D`), also XORed into the seed.
const MULTIPLIER: u64 = 0x5_DEEC_E66D;
/// The LCG's increment.
const ADDEND: u64 = 0xB;
/// The state is 48 bits wide.
const MASK: u64 = (1 << 48) - 1;

/// A `java.util.Random`.
#[derive(Debug, Clone)]
pub(crate) struct JavaRandom {
    state: u64,
}

impl JavaRandom {
    /// `new Random(seed)`.
    pub(crate) fn new(seed: i64) -> Self {
        JavaRandom { state: (seed as u64 ^ MULTIPLIER) & MASK }
    }

    /// `next(bits)`: the top `bits` of the next state, as Java's `int`.
    #[inline(always)]
    fn next(&mut self, bits: u32) -> i32 {
        self.state = self.state.wrapping_mul(MULTIPLIER).wrapping_add(ADDEND) & MASK;
        (self.state >> (48 - bits)) as u32 as i32
    }

    /// `nextInt()`: any `int`.
    #[inline]
    pub(crate) fn next_int(&mut self) -> i32 {
        self.next(32)
    }

    /// `nextInt(bound)`: uniform in `[0, bound)`; `bound` must be positive.
    #[inline]
    pub(crate) fn next_int_below(&mut self, bound: i32) -> i32 {
        debug_assert!(bound > 0, "bound must be positive");
        let mut r = self.next(31);
        let m = bound - 1;
        if bound & m == 0 {
            // A power of two: the high bits, which are the better ones.
            return ((i64::from(bound) * i64::from(r)) >> 31) as i32;
        }
        // Reject the last, partial run of `bound` values (Java tests it by int overflow).
        let mut u = r;
        loop {
            r = u % bound;
            if u.wrapping_sub(r).wrapping_add(m) >= 0 {
                return r;
            }
            u = self.next(31);
        }
    }

    /// `nextLong()`: any `long`, from two 32-bit draws.
    #[inline]
    pub(crate) fn next_long(&mut self) -> i64 {
        let hi = i64::from(self.next(32)) << 32;
        hi.wrapping_add(i64::from(self.next(32)))
    }

    /// `nextDouble()`: uniform in `[0, 1)` with 53 random bits.
    #[inline]
    pub(crate) fn next_double(&mut self) -> f64 {
        let hi = i64::from(self.next(26)) << 27;
        (hi + i64::from(self.next(27))) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Beam's `LongGenerator.nextLong(random, n)`: `nextInt(n)` when `n` fits an `int`,
    /// otherwise `|nextLong() % n|` (skewed, as there).
    #[inline]
    pub(crate) fn next_long_below(&mut self, n: i64) -> i64 {
        if n < i64::from(i32::MAX) { i64::from(self.next_int_below(n as i32)) } else { self.next_long().wrapping_rem(n).wrapping_abs() }
    }
}

#[cfg(test)]
mod tests {
    use super::JavaRandom;

    // Values printed by OpenJDK 17 for the same calls.
    #[test]
    fn matches_java_util_random() {
        let mut r = JavaRandom::new(42);
        assert_eq!(r.next_int(), -1_170_105_035);
        let mut r = JavaRandom::new(0);
        assert_eq!(r.next_int(), -1_155_484_576);
        let mut r = JavaRandom::new(0);
        assert_eq!(r.next_double(), 0.730_967_787_376_657);
        let mut r = JavaRandom::new(7);
        let bounds = [1, 2, 3, 7, 10, 13, 26, 100, 1000, 10_000, 1 << 20, i32::MAX, 1_000_000_007];
        let got: Vec<i32> = bounds.iter().map(|&b| r.next_int_below(b)).collect();
        assert_eq!(got, [0, 1, 0, 2, 0, 0, 18, 49, 850, 9534, 369_009, 2_045_813_712, 259_278_708]);
        let mut r = JavaRandom::new(-123_456_789);
        assert_eq!(r.next_long(), 6_194_098_178_591_492_762);
        assert_eq!(r.next_long(), -638_275_576_475_756_928);
        assert_eq!(r.next_double(), 0.479_292_860_931_669_1);
        assert_eq!(r.next_int(), -619_273_243);
    }

    /// Beam's price, `Math.round(Math.pow(10, nextDouble() * 6) * 100)`, folded over a million
    /// draws: the same fold in Java gives this number, so `powf` and `round` agree with the JVM's.
    #[test]
    fn prices_match_the_jvm() {
        let mut r = JavaRandom::new(99);
        let mut acc = 0i64;
        for _ in 0..1_000_000 {
            let price = (10f64.powf(r.next_double() * 6.0) * 100.0).round() as i64;
            acc = acc.wrapping_mul(31).wrapping_add(price);
        }
        assert_eq!(acc, -2_882_492_912_021_136_082);
    }
}
