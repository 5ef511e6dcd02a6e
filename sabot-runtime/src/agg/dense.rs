//! A bitmap over the integer keys of a build side whose keys lie close together (order keys,
//! customer keys): one bit per value between the smallest and largest key. A key's bit says
//! whether it is in the table, found without hashing and without touching the table's slots,
//! which for a table larger than the cache is a trip to memory (TPC-H Q3's lineitem rows miss
//! the orders table 99 times in 100). A semi join's key set needs nothing else; a join looks
//! only the keys whose bit is set up in its table. DuckDB's perfect hash join rests on the
//! same observation.

use super::key::GroupKey;
use super::table::GroupTable;
use std::hash::Hash;
use std::sync::OnceLock;

/// Tables with fewer keys stay in the cache: a bitmap would only add a step.
const MIN_KEYS: usize = 256;

/// At most this many bits per key (one slot of 8 bytes): a sparser key range gets no bitmap.
const BITS_PER_KEY: u64 = 64;

/// Which integers between `min` and `min + span` are keys of a build side.
#[derive(Debug, Clone)]
pub struct DenseKeys {
    min: i64,
    span: u64,
    bits: Vec<u64>,
}

impl DenseKeys {
    /// The bitmap of `keys` (stored keys, `len` of them), if every key is an integer
    /// ([`GroupKey::as_int`]) and they lie within 64 values per key of each other.
    pub(super) fn of<'a, Q: GroupKey + 'a>(keys: impl Iterator<Item = &'a Q::Owned>, len: usize) -> Option<Self> {
        if len < MIN_KEYS {
            return None;
        }
        // One pass over the table's slots (they may be far larger than the cache), then the
        // numbers again from this dense copy.
        let mut ints = Vec::with_capacity(len);
        for k in keys {
            ints.push(Q::owned_as_int(k)?);
        }
        let (min, max) = ints.iter().fold((i64::MAX, i64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        let span = u64::try_from(i128::from(max) - i128::from(min) + 1).ok()?;
        if span > (len as u64).saturating_mul(BITS_PER_KEY) {
            return None;
        }
        let mut bits = vec![0u64; span.div_ceil(64) as usize];
        for v in ints {
            let at = v.wrapping_sub(min) as u64;
            bits[(at / 64) as usize] |= 1u64 << (at % 64);
        }
        Some(DenseKeys { min, span, bits })
    }

    /// The bitmap in `cell`, made from `keys` at the first call. A build side under a memory
    /// budget (`budgeted`) gets none: it would be memory the budget does not count.
    pub(super) fn cached<'c, 'a, Q: GroupKey + 'a, I: Iterator<Item = &'a Q::Owned>>(
        cell: &'c OnceLock<Option<Self>>,
        budgeted: bool,
        len: usize,
        keys: impl FnOnce() -> I,
    ) -> Option<&'c Self> {
        cell.get_or_init(|| if budgeted { None } else { Self::of::<Q>(keys(), len) }).as_ref()
    }

    /// Whether `key` is a key of the table (`as_int` is one-to-one, so the bit is the answer);
    /// `None` for a key that is no integer, which the table itself must answer.
    #[inline(always)]
    pub(super) fn holds<Q: GroupKey>(&self, key: &Q) -> Option<bool> {
        let v = key.as_int()?;
        // Below `min` wraps to past `span`.
        let at = v.wrapping_sub(self.min) as u64;
        Some(at < self.span && self.bits[(at / 64) as usize] & (1u64 << (at % 64)) != 0)
    }
}

/// Where a build side keeps its keys' bitmap: empty until the first probe, then the bitmap or
/// `None` (keys not close integers, or under a memory budget).
pub type BitmapCell = OnceLock<Option<DenseKeys>>;

/// Build sides whose keys a bitmap may answer for (join tables and key sets): where the
/// bitmap is kept and which keys make it; the probes and [`key_filter`] share the rest.
pub trait KeyBitmap {
    /// The owned key type.
    type Key: Hash + Eq;
    /// What the table keeps per key.
    type State;
    /// The bitmap's cell, whether the side is under a memory budget (no bitmap is made then),
    /// and the table of keys it is made from.
    fn bitmap_parts(&self) -> (&BitmapCell, bool, &GroupTable<Self::Key, Self::State>);

    /// The keys' bitmap, made at the first call (see `DenseKeys::cached`).
    #[inline(always)]
    fn bitmap<Q: GroupKey<Owned = Self::Key>>(&self) -> Option<&DenseKeys> {
        let (cell, budgeted, table) = self.bitmap_parts();
        DenseKeys::cached::<Q, _>(cell, budgeted, table.len(), || table.keys())
    }

    /// Whether `key` may be there: `false` only when the bitmap rules it out.
    #[inline(always)]
    fn may_hold<Q: GroupKey<Owned = Self::Key>>(&self, key: &Q) -> bool {
        self.bitmap::<Q>().and_then(|d| d.holds(key)).unwrap_or(true)
    }

    /// The bitmap, if a probe made it (`Some(None)`: there is none to make).
    fn made_bitmap(&self) -> Option<Option<&DenseKeys>> {
        self.bitmap_parts().0.get().map(Option::as_ref)
    }
}

/// A build side's key bitmap, taken once per morsel for the selection pass of a filter right
/// before an inner or semi join's probe: rows whose key it rules out (or whose key has a null
/// part) never reach the rest of the chain, and the probe decides for the others. Once the
/// bitmap is made, a row's test is a subtraction, a compare and a bit read, with no call.
pub struct KeyFilter<'a, T> {
    /// The bitmap, once made: a key's bit answers.
    bits: Option<&'a DenseKeys>,
    /// Without a bitmap: what answers instead.
    rest: Keys<'a, T>,
}

/// What answers for a build side without a bitmap.
#[derive(Clone, Copy)]
enum Keys<'a, T> {
    /// The table has none, and will not make one: only a null part rules a key out.
    NoBits,
    /// Not made yet (no probe so far): the table answers, and makes it.
    Ask(&'a T),
    /// No build side at all: nothing matches.
    NoTable,
}

/// The filter of `table`'s keys.
pub fn key_filter<T: KeyBitmap>(table: Option<&T>) -> KeyFilter<'_, T> {
    let (bits, rest) = match table {
        None => (None, Keys::NoTable),
        Some(t) => match t.made_bitmap() {
            Some(Some(bits)) => (Some(bits), Keys::NoBits),
            Some(None) => (None, Keys::NoBits),
            None => (None, Keys::Ask(t)),
        },
    };
    KeyFilter { bits, rest }
}

impl<T: KeyBitmap> KeyFilter<'_, T> {
    /// Whether a row with `key` may have a match. The bitmap's case comes first and alone: a
    /// `match` over every case made the selection loop jump through a table on each row.
    #[inline(always)]
    pub fn may_match<Q: GroupKey<Owned = T::Key>>(&self, key: Q) -> bool {
        if key.has_null() {
            return false;
        }
        match (self.bits, &self.rest) {
            (Some(bits), _) => bits.holds(&key).unwrap_or(true),
            (None, Keys::NoBits) => true,
            (None, _) => self.without_bits(&key),
        }
    }

    /// Before the first probe made the bitmap (one morsel per split at most), or with no
    /// build side.
    #[cold]
    #[inline(never)]
    fn without_bits<Q: GroupKey<Owned = T::Key>>(&self, key: &Q) -> bool {
        match self.rest {
            Keys::NoBits => true,
            Keys::Ask(table) => table.may_hold(key),
            Keys::NoTable => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn rules_out_exactly_the_values_that_are_not_keys(
            base in i64::MIN..i64::MAX - 50_000,
            offsets in proptest::collection::btree_set(0u64..16_000, MIN_KEYS..2000),
            probes in proptest::collection::vec(0u64..20_000, 1..300),
        ) {
            let keys: Vec<i64> = offsets.iter().map(|&o| base.wrapping_add(o as i64)).collect();
            let dense = DenseKeys::of::<i64>(keys.iter(), keys.len()).expect("at most 64 values per key apart");
            for &k in &keys {
                prop_assert_eq!(dense.holds(&k), Some(true));
            }
            for p in probes.into_iter().map(|o| base.wrapping_add(o as i64)).chain([base.wrapping_sub(1), i64::MIN, i64::MAX]) {
                prop_assert_eq!(dense.holds(&p), Some(keys.contains(&p)), "probe {}", p);
            }
        }
    }

    use super::super::{JoinTable, KeySet};

    /// A join table and a key set of the even keys below 2000 (row `k` under key `2k`).
    fn even_keys() -> (JoinTable<i64, u32>, KeySet<i64>) {
        let mut rows = JoinTable::<i64, u32>::new();
        let mut keys = KeySet::<i64>::new();
        for k in 0..1000i64 {
            rows.insert(k * 2, k as u32);
            keys.insert(k * 2);
        }
        (rows, keys)
    }

    #[test]
    fn build_sides_probed_then_added_to_find_the_new_keys() {
        let (mut rows, mut keys) = even_keys();
        assert_eq!((rows.get(10i64), rows.get(11i64)), (&[5u32][..], &[][..]));
        assert!(keys.contains(10i64) && !keys.contains(11i64));
        assert!(rows.dense_built() && keys.dense_built(), "1000 keys two apart get bitmaps");
        // The probes above made the bitmaps; a key added later is found all the same.
        rows.insert(11i64, 7);
        keys.insert(11i64);
        assert_eq!(rows.get(11i64), &[7]);
        assert!(keys.contains(11i64));
        // And one merged in from another split.
        let mut more = KeySet::<i64>::new();
        more.insert(13i64);
        let mut merged: Box<dyn super::super::BuildPartial> = keys.boxed();
        merged.merge(more.boxed()).unwrap();
        let keys = merged.finish().unwrap().downcast::<KeySet<i64>>().unwrap();
        assert!(keys.contains(13i64) && keys.contains(11i64) && !keys.contains(15i64));
    }

    #[test]
    fn a_key_filter_rules_out_what_the_bitmap_does() {
        let (rows, keys) = even_keys();
        // Before the first probe the table answers, and makes the bitmap.
        let early = key_filter(Some(&rows));
        assert!(early.may_match(10i64) && !early.may_match(11i64));
        assert!(rows.dense_built());
        let taken = key_filter(Some(&rows));
        assert!(taken.bits.is_some());
        assert!((0..2100i64).all(|k| taken.may_match(k) == (k % 2 == 0 && k < 2000)));
        let set = key_filter(Some(&keys));
        assert!(set.may_match(4i64) && !set.may_match(5i64));
        // A key with a null part never matches.
        let mut nullable = KeySet::<Option<i64>>::new();
        (0..1000i64).for_each(|k| nullable.insert(Some(k * 2)));
        let nullable = key_filter(Some(&nullable));
        assert!(nullable.may_match(Some(4i64)) && !nullable.may_match(Some(5i64)) && !nullable.may_match(None::<i64>));
        // No build side: nothing matches.
        assert!(!key_filter::<KeySet<i64>>(None).may_match(3i64));
        // Keys too far apart for a bitmap: after the first probe settled that, every key
        // without a null part may match, and the table is not asked again.
        let mut sparse = KeySet::<Option<i64>>::new();
        (0..1000i64).for_each(|k| sparse.insert(Some(k * 1000)));
        assert!(key_filter(Some(&sparse)).may_match(Some(7i64)));
        let settled = key_filter(Some(&sparse));
        assert!(settled.bits.is_none() && matches!(settled.rest, Keys::NoBits));
        assert!(settled.may_match(Some(7i64)) && !settled.may_match(None::<i64>));
    }

    #[test]
    fn signed_unsigned_and_narrow_keys_answer_exactly() {
        let mut small = KeySet::<i32>::new();
        (-500..500).filter(|k| k % 3 != 0).for_each(|k| small.insert(k));
        assert!((-600..600).all(|k| small.contains(k) == ((-500..500).contains(&k) && k % 3 != 0)));
        let mut big = KeySet::<u64>::new();
        (0..1000u64).map(|k| u64::MAX - 2 * k).for_each(|k| big.insert(k));
        assert!((0..2100u64).map(|k| u64::MAX - k).all(|k| big.contains(k) == (k % 2 == 1 && u64::MAX - k < 2000)));
        assert!(!big.contains(0u64) && !big.contains(i64::MAX as u64));
    }

    #[test]
    fn only_close_integer_keys_of_big_enough_tables_get_a_bitmap() {
        let close: Vec<i64> = (0..1000).map(|k| k * 3).collect();
        assert!(DenseKeys::of::<i64>(close.iter(), close.len()).is_some());
        let few: Vec<i64> = (0..100).collect();
        assert!(DenseKeys::of::<i64>(few.iter(), few.len()).is_none());
        let sparse: Vec<i64> = (0..1000).map(|k| k * 1000).collect();
        assert!(DenseKeys::of::<i64>(sparse.iter(), sparse.len()).is_none());
        let extremes: Vec<i64> = (0..1000).map(|k| if k % 2 == 0 { i64::MIN + k } else { i64::MAX - k }).collect();
        assert!(DenseKeys::of::<i64>(extremes.iter(), extremes.len()).is_none());
        let texts: Vec<String> = (0..1000).map(|k| k.to_string()).collect();
        assert!(DenseKeys::of::<&str>(texts.iter(), texts.len()).is_none());
        let with_null: Vec<Option<i64>> = (0..1000).map(|k| (k != 7).then_some(k)).collect();
        assert!(DenseKeys::of::<Option<i64>>(with_null.iter(), with_null.len()).is_none());
        let dates: Vec<crate::value::Date> = (0..1000).map(crate::value::Date).collect();
        assert!(DenseKeys::of::<crate::value::Date>(dates.iter(), dates.len()).is_some());
    }
}
