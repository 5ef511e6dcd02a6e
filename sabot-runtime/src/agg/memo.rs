//! A memo from a row's key identity to its group's slot, so that rows of a dictionary-encoded
//! key (TPC-H Q1's flags) find their group without hashing or comparing text: the grouping
//! works on the dictionary's codes, in effect, whatever the key closure returns.

use super::key::GroupKey;

/// Slots in the memo: a power of two, small enough to stay in L1.
const SLOTS: usize = 256;

/// Morsels a memo sits out after one where most rows missed it (plain text keys, or too
/// many distinct ones), before it tries again.
const REST: u32 = 16;

/// Recent key identities of one split and the table buckets their groups are in. Valid for
/// one morsel: the generated code calls [`next_morsel`](KeyMemo::next_morsel) before each, and
/// the table forgets it whenever it inserts a group (an insert may move the others).
pub struct KeyMemo<I> {
    slots: Vec<(I, u32, usize)>,
    /// Entries of another epoch are stale.
    epoch: u32,
    hits: u32,
    misses: u32,
    /// Morsels left to run without the memo.
    resting: u32,
}

impl<I: Copy + Eq> Default for KeyMemo<I> {
    fn default() -> Self {
        KeyMemo { slots: Vec::new(), epoch: 1, hits: 0, misses: 0, resting: 0 }
    }
}

impl<I: Copy + Eq> KeyMemo<I> {
    /// An empty memo.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a morsel: what the last one remembered points into buffers that may be gone.
    /// A morsel where most rows missed turns the memo off for the next few.
    #[inline]
    pub fn next_morsel(&mut self) {
        self.forget();
        if self.resting > 0 {
            self.resting -= 1;
        } else if self.misses > self.hits {
            self.resting = REST;
        }
        self.hits = 0;
        self.misses = 0;
    }

    /// Drops every entry (O(1): entries carry the epoch they were written in).
    #[inline]
    pub(crate) fn forget(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            // After 2^32 epochs an old entry could look current: clear them for real.
            self.slots.iter_mut().for_each(|s| s.1 = 0);
            self.epoch = 1;
        }
    }

    /// Whether rows should go through the memo now.
    #[inline(always)]
    pub(crate) fn active<K: GroupKey<Ident = I>>(&self) -> bool {
        K::MEMO && self.resting == 0
    }

    /// The bucket remembered for `key`, if any.
    #[inline(always)]
    pub(crate) fn get<K: GroupKey<Ident = I>>(&mut self, key: &K) -> Option<usize> {
        let slot = Self::slot(key);
        match self.slots.get(slot) {
            Some(&(ident, epoch, bucket)) if epoch == self.epoch && ident == key.ident() => {
                self.hits += 1;
                Some(bucket)
            }
            _ => {
                self.misses += 1;
                None
            }
        }
    }

    /// Remembers that `key`'s group is in `bucket`.
    #[inline(always)]
    pub(crate) fn put<K: GroupKey<Ident = I>>(&mut self, key: &K, bucket: usize) {
        if self.slots.is_empty() {
            // Epoch 0 is never current: these fillers never match.
            self.slots = vec![(key.ident(), 0, 0); SLOTS];
        }
        let slot = Self::slot(key);
        self.slots[slot] = (key.ident(), self.epoch, bucket);
    }

    #[inline(always)]
    fn slot<K: GroupKey<Ident = I>>(key: &K) -> usize {
        (key.ident_bits().wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SLOTS.trailing_zeros())) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agg::GroupTable;
    use arrow::array::{Array, DictionaryArray, StringArray};
    use arrow::datatypes::Int32Type;
    use std::collections::HashMap;

    /// Rows of `(text, n)` keys through the memo, morsel by morsel, as generated code runs them.
    fn counts_through_memo(morsels: &[(DictionaryArray<Int32Type>, Vec<u32>)]) -> HashMap<(String, u32), u64> {
        let mut table: GroupTable<(String, u32), u64> = GroupTable::new();
        let mut memo = KeyMemo::new();
        for (texts, ns) in morsels {
            memo.next_morsel();
            let values = texts.values().as_any().downcast_ref::<StringArray>().unwrap();
            for (code, &n) in texts.keys().values().iter().zip(ns) {
                let key = (values.value(*code as usize), n);
                table.upsert_memo(&mut memo, key, || 1, |c| *c += 1);
            }
        }
        table.into_groups().collect()
    }

    #[test]
    fn memo_counts_equal_plain_counts_across_morsels_inserts_and_slot_clashes() {
        // 600 distinct texts (more than the memo's slots), repeated, over morsels whose
        // dictionaries are rebuilt each time (the same text at other addresses).
        let texts: Vec<String> = (0..600).map(|i| format!("t{}", i % 600)).collect();
        let mut morsels = Vec::new();
        let mut want: HashMap<(String, u32), u64> = HashMap::new();
        for m in 0..6u32 {
            let rows: Vec<&str> = (0..5000).map(|i| texts[(i * 7 + m as usize * 13) % if m % 2 == 0 { 600 } else { 4 }].as_str()).collect();
            let ns: Vec<u32> = (0..5000).map(|i| (i % 3) as u32).collect();
            for (t, n) in rows.iter().zip(&ns) {
                *want.entry((t.to_string(), *n)).or_default() += 1;
            }
            morsels.push((rows.into_iter().collect::<DictionaryArray<Int32Type>>(), ns));
        }
        assert_eq!(counts_through_memo(&morsels), want);
    }

    #[test]
    fn a_memo_rests_after_a_morsel_of_misses_and_comes_back() {
        let mut memo: KeyMemo<(usize, usize)> = KeyMemo::new();
        assert!(memo.active::<&str>());
        assert!(!KeyMemo::<u64>::new().active::<u64>(), "integer keys hash cheaply: no memo");
        let texts: Vec<String> = (0..100).map(|i| i.to_string()).collect();
        for t in &texts {
            assert_eq!(memo.get(&t.as_str()), None);
        }
        memo.next_morsel();
        assert!(!memo.active::<&str>(), "a morsel of misses turns the memo off");
        (0..REST).for_each(|_| memo.next_morsel());
        assert!(memo.active::<&str>(), "and it tries again later");
    }
}
