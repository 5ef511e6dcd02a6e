//! Byte classes of 64 bytes of CSV at once, as bit masks (bit `i` for byte `i`): where fields
//! end, where rows end, and the bytes the fast path leaves to arrow-csv.

/// The classes of one 64-byte block.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(super) struct Masks {
    /// Delimiters and newlines: where a field ends.
    pub split: u64,
    /// Newlines: where a row ends.
    pub newline: u64,
    /// Quotes and carriage returns.
    pub special: u64,
    /// Bytes with the high bit set (not ASCII).
    pub high: u64,
}

/// The classes of `block`'s bytes, `delimiter` ending fields.
#[cfg(target_arch = "x86_64")]
pub(super) fn classify(block: &[u8; 64], delimiter: u8) -> Masks {
    use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    let mut masks = Masks::default();
    // SAFETY: SSE2 is part of every x86_64 target, and each load reads 16 bytes of `block`
    // (loads need no alignment).
    unsafe {
        let splat = |b: u8| _mm_set1_epi8(b as i8);
        let (delimiter, newline, quote, cr) = (splat(delimiter), splat(b'\n'), splat(b'"'), splat(b'\r'));
        for (i, lane) in block.chunks_exact(16).enumerate() {
            let v = _mm_loadu_si128(lane.as_ptr().cast::<__m128i>());
            let bits = |m| u64::from(_mm_movemask_epi8(m) as u16) << (16 * i);
            let nl = _mm_cmpeq_epi8(v, newline);
            masks.split |= bits(_mm_or_si128(_mm_cmpeq_epi8(v, delimiter), nl));
            masks.newline |= bits(nl);
            masks.special |= bits(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, cr)));
            masks.high |= bits(v);
        }
    }
    masks
}

/// The classes of `block`'s bytes, `delimiter` ending fields.
#[cfg(not(target_arch = "x86_64"))]
pub(super) fn classify(block: &[u8; 64], delimiter: u8) -> Masks {
    classify_bytes(block, delimiter)
}

/// The classes, one byte at a time.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn classify_bytes(block: &[u8; 64], delimiter: u8) -> Masks {
    let mut masks = Masks::default();
    for (i, &b) in block.iter().enumerate() {
        let bit = 1u64 << i;
        if b == delimiter || b == b'\n' {
            masks.split |= bit;
        }
        if b == b'\n' {
            masks.newline |= bit;
        }
        if b == b'"' || b == b'\r' {
            masks.special |= bit;
        }
        if b >= 0x80 {
            masks.high |= bit;
        }
    }
    masks
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn classes_equal_a_byte_at_a_time(block in prop::array::uniform32(prop::sample::select(b",;\n\r\"a0\x80\xff\t ".to_vec())),
                                          rest in prop::array::uniform32(any::<u8>()), delimiter in prop::sample::select(b",;\t|".to_vec())) {
            let mut bytes = [0u8; 64];
            bytes[..32].copy_from_slice(&block);
            bytes[32..].copy_from_slice(&rest);
            prop_assert_eq!(classify(&bytes, delimiter), classify_bytes(&bytes, delimiter));
        }
    }
}
