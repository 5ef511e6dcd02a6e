//! Random text as Beam's `StringsGenerator` makes it, written straight into the bytes of an
//! Arrow string column (`StrColumn`).
//!
//! Every string is ASCII. `next_exact_string` reproduces a quirk of the Java code: it takes
//! `'a' + rnd % 26` of a *signed* `int`, so `extra` holds letters and punctuation from `H` to
//! `z`, not only `a` to `z`.

use super::random::JavaRandom;
use arrow::array::{ArrayRef, StringArray};
use arrow::buffer::{Buffer, OffsetBuffer, ScalarBuffer};
use std::sync::Arc;

/// Shortest string `next_string` makes (before trimming).
const MIN_STRING_LENGTH: i32 = 3;

/// A string column being built: offsets and bytes, as Arrow lays out `Utf8`.
#[derive(Debug)]
pub(super) struct StrColumn {
    offsets: Vec<i32>,
    bytes: Vec<u8>,
}

impl StrColumn {
    /// An empty column with room for `rows` values of about `avg` bytes.
    pub fn with_capacity(rows: usize, avg: usize) -> Self {
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        StrColumn { offsets, bytes: Vec::with_capacity(rows * avg) }
    }

    /// Appends one value made of `parts`.
    #[inline]
    pub fn push(&mut self, parts: &[&[u8]]) {
        for p in parts {
            self.bytes.extend_from_slice(p);
        }
        self.end_value();
    }

    /// Appends one value that `write` appends to the column's bytes.
    #[inline]
    pub fn push_with(&mut self, write: impl FnOnce(&mut Vec<u8>)) {
        write(&mut self.bytes);
        self.end_value();
    }

    #[inline]
    fn end_value(&mut self) {
        // Morsels are at most 2^24 rows of short strings; a column past 2 GiB is a bug.
        self.offsets.push(i32::try_from(self.bytes.len()).expect("nexmark string column over 2 GiB"));
    }

    /// The Arrow array.
    pub fn finish(self) -> ArrayRef {
        let offsets = OffsetBuffer::new(ScalarBuffer::from(self.offsets));
        // Every byte written is ASCII, which `new` checks.
        Arc::new(StringArray::new(offsets, Buffer::from_vec(self.bytes), None))
    }
}

/// Beam's `nextString(random, maxLength)` (and Flink's with a `special` character instead of
/// the space): 3 to `max_len - 1` characters, each `special` one time in 13 and a lower-case
/// letter otherwise, trimmed of spaces at both ends; appended to `out`.
pub(super) fn next_string(rng: &mut JavaRandom, max_len: i32, special: u8, out: &mut Vec<u8>) {
    let len = MIN_STRING_LENGTH + rng.next_int_below(max_len - MIN_STRING_LENGTH);
    let start = out.len();
    for _ in 0..len {
        let c = if rng.next_int_below(13) == 0 { special } else { b'a' + rng.next_int_below(26) as u8 };
        out.push(c);
    }
    // Java's `trim()`; only spaces can be at the ends.
    while out.len() > start && out.last() == Some(&b' ') {
        out.pop();
    }
    let lead = out[start..].iter().take_while(|&&c| c == b' ').count();
    out.drain(start..start + lead);
}

/// Beam's `nextExactString`: `len` characters, six per `nextInt()`.
pub(super) fn next_exact_string(rng: &mut JavaRandom, len: i32, out: &mut Vec<u8>) {
    out.reserve(len.max(0) as usize);
    let mut rnd = 0i32;
    let mut left = 0;
    for _ in 0..len {
        if left == 0 {
            rnd = rng.next_int();
            left = 6;
        }
        // `rnd` is signed: a negative remainder gives a character below `a`, as in Java.
        out.push((i32::from(b'a') + rnd % 26) as u8);
        rnd /= 26;
        left -= 1;
    }
}

/// Beam's `nextExtra`: padding so that `current_size` plus its length averages `average`
/// (uniform within ±20% of the gap); nothing when the record is already larger.
pub(super) fn next_extra(rng: &mut JavaRandom, current_size: i32, average: i32, out: &mut Vec<u8>) {
    if current_size > average {
        return;
    }
    let gap = average - current_size;
    // Java's `Math.round` of a non-negative double: half up, as `f64::round` is there.
    let delta = (f64::from(gap) * 0.2).round() as i32;
    let size = gap - delta + if delta == 0 { 0 } else { rng.next_int_below(2 * delta) };
    next_exact_string(rng, size, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Array;

    #[test]
    fn strings_are_trimmed_and_in_range() {
        for seed in 0..500 {
            let mut rng = JavaRandom::new(seed);
            let mut out = Vec::new();
            next_string(&mut rng, 20, b' ', &mut out);
            assert!(out.len() <= 19, "{}", String::from_utf8_lossy(&out));
            assert!(out.first() != Some(&b' ') && out.last() != Some(&b' '));
            assert!(out.iter().all(|c| c.is_ascii_lowercase() || *c == b' '));
        }
    }

    #[test]
    fn extra_pads_to_the_average_size() {
        let (mut total, n) = (0usize, 2000);
        for seed in 0..n {
            let mut out = Vec::new();
            next_extra(&mut JavaRandom::new(seed), 32, 100, &mut out);
            // 68 bytes to fill: 54 + nextInt(28).
            assert!((54..82).contains(&out.len()), "{}", out.len());
            assert!(out.iter().all(|c| (b'H'..=b'z').contains(c)));
            total += out.len();
        }
        let mean = total as f64 / n as f64;
        assert!((66.0..70.0).contains(&mean), "{mean}");
        let mut out = Vec::new();
        next_extra(&mut JavaRandom::new(1), 300, 100, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn columns_hold_what_was_pushed() {
        let mut c = StrColumn::with_capacity(2, 4);
        c.push(&[b"ab", b" ", b"c"]);
        c.push_with(|b| b.extend_from_slice(b"xyz"));
        let a = c.finish();
        let a = a.as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!((a.value(0), a.value(1), a.len()), ("ab c", "xyz", 2));
    }
}
