//! Group keys: what a `group_by` closure returns. Rows are looked up with the borrowed form
//! (`&str` straight from the batch) and a group stores the owned form (`String`) only when it
//! is first seen, so no allocation happens per row.

use crate::value::{Date, Decimal, Timestamp};
use std::hash::Hash;

/// A value a pipeline can group by: integers, `bool`, `&str`, `Date`, `Timestamp`, `Decimal`,
/// `Option` of those, and tuples of up to four of them. Floats are not keys.
#[diagnostic::on_unimplemented(
    message = "cannot group by `{Self}`",
    label = "not a group key",
    note = "group keys are integers, bool, strings, Date, Timestamp, Decimal, Option of those, or tuples of up to four; floats cannot be keys (NaN != NaN)"
)]
pub trait GroupKey: Copy + Hash {
    /// The form a group stores; hashes exactly like `Self`.
    type Owned: Hash + Eq + Clone + Send + Sync + 'static;
    /// Copies the key out of the batch.
    fn to_owned_key(self) -> Self::Owned;
    /// Whether this borrowed key equals a stored one.
    fn matches(&self, owned: &Self::Owned) -> bool;
    /// Whether any part is null: such keys group together, but never join (as in SQL).
    #[inline(always)]
    fn has_null(&self) -> bool {
        false
    }
    /// Bytes the owned form keeps outside the table (a string's text), for the memory budget.
    #[inline(always)]
    fn heap_size(&self) -> usize {
        0
    }
    /// Whether looking rows up through a [`KeyMemo`](super::KeyMemo) may pay: true for keys
    /// with text, whose hashing and comparing cost more than the memo's check.
    const MEMO: bool = false;
    /// Where this borrowed key sits: for text, its address and length in the batch. Within
    /// one morsel, equal identities mean equal keys (a dictionary column hands every row of a
    /// value the same bytes), so a memo keyed by identity never needs the text itself.
    type Ident: Copy + Eq;
    /// This key's identity.
    fn ident(&self) -> Self::Ident;
    /// The identity folded into one word, to pick the memo's slot.
    fn ident_bits(&self) -> u64;
    /// The key as one integer, for keys that are one value of a copy type (integers, `bool`,
    /// `Date`, `Timestamp` ...), one-to-one: keys are equal exactly when their numbers are, so
    /// a build side whose numbers lie close together answers a probe by one bit (`DenseKeys`).
    #[inline(always)]
    fn as_int(&self) -> Option<i64> {
        None
    }
    /// [`as_int`](Self::as_int) of a stored key.
    #[inline(always)]
    fn owned_as_int(owned: &Self::Owned) -> Option<i64> {
        let _ = owned;
        None
    }
}

/// Keys of copy types; with `int`, also their [`GroupKey::as_int`], which their memo bits are.
macro_rules! copy_keys {
    (int: $($t:ty => |$v:ident| $bits:expr),*) => {$(
        copy_keys!($t => |$v| $bits; true);
    )*};
    (other: $($t:ty => |$v:ident| $bits:expr),*) => {$(
        copy_keys!($t => |$v| $bits; false);
    )*};
    ($t:ty => |$v:ident| $bits:expr; $int:expr) => {
        impl GroupKey for $t {
            type Owned = $t;
            type Ident = $t;
            #[inline(always)]
            fn ident(&self) -> $t {
                *self
            }
            #[inline(always)]
            fn ident_bits(&self) -> u64 {
                let $v = self;
                $bits
            }
            #[inline(always)]
            fn to_owned_key(self) -> $t {
                self
            }
            #[inline(always)]
            fn matches(&self, owned: &$t) -> bool {
                self == owned
            }
            #[inline(always)]
            fn as_int(&self) -> Option<i64> {
                $int.then(|| self.ident_bits() as i64)
            }
            #[inline(always)]
            fn owned_as_int(owned: &$t) -> Option<i64> {
                owned.as_int()
            }
        }
    };
}

copy_keys!(
    int:
    u8 => |v| *v as u64,
    u16 => |v| *v as u64,
    u32 => |v| *v as u64,
    u64 => |v| *v,
    i8 => |v| *v as u64,
    i16 => |v| *v as u64,
    i32 => |v| *v as u64,
    i64 => |v| *v as u64,
    bool => |v| *v as u64,
    char => |v| *v as u64,
    () => |_v| 0,
    Date => |v| v.0 as u64,
    Timestamp => |v| v.0 as u64
);
// Equal decimals may differ in mantissa (1.0 and 1.00), and windows in more than their start.
copy_keys!(
    other:
    Decimal => |v| v.mantissa() as u64,
    crate::window::Window => |v| v.start.0 as u64
);

impl GroupKey for &str {
    type Owned = String;
    type Ident = (usize, usize);
    const MEMO: bool = true;
    #[inline(always)]
    fn ident(&self) -> (usize, usize) {
        (self.as_ptr() as usize, self.len())
    }
    #[inline(always)]
    fn ident_bits(&self) -> u64 {
        (self.as_ptr() as u64).wrapping_add((self.len() as u64) << 48)
    }
    #[inline(always)]
    fn to_owned_key(self) -> String {
        self.to_owned()
    }
    #[inline(always)]
    fn matches(&self, owned: &String) -> bool {
        let (a, b) = (self.as_bytes(), owned.as_bytes());
        // Short keys (flags, codes) compare inline; a `memcmp` call costs more than they do.
        if a.len() <= 16 { a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y) } else { a == b }
    }
    #[inline(always)]
    fn heap_size(&self) -> usize {
        self.len()
    }
}

impl<K: GroupKey> GroupKey for Option<K> {
    type Owned = Option<K::Owned>;
    type Ident = Option<K::Ident>;
    const MEMO: bool = K::MEMO;
    #[inline(always)]
    fn ident(&self) -> Self::Ident {
        self.as_ref().map(K::ident)
    }
    #[inline(always)]
    fn ident_bits(&self) -> u64 {
        self.as_ref().map_or(u64::MAX, K::ident_bits)
    }
    #[inline(always)]
    fn to_owned_key(self) -> Self::Owned {
        self.map(K::to_owned_key)
    }
    #[inline(always)]
    fn matches(&self, owned: &Self::Owned) -> bool {
        match (self, owned) {
            (Some(a), Some(b)) => a.matches(b),
            (None, None) => true,
            _ => false,
        }
    }
    #[inline(always)]
    fn has_null(&self) -> bool {
        self.as_ref().is_none_or(|k| k.has_null())
    }
    #[inline(always)]
    fn heap_size(&self) -> usize {
        self.as_ref().map_or(0, |k| k.heap_size())
    }
    #[inline(always)]
    fn as_int(&self) -> Option<i64> {
        self.as_ref().and_then(K::as_int)
    }
    #[inline(always)]
    fn owned_as_int(owned: &Self::Owned) -> Option<i64> {
        owned.as_ref().and_then(K::owned_as_int)
    }
}

macro_rules! tuple_keys {
    ($(($($n:ident $i:tt),+)),*) => {$(
        impl<$($n: GroupKey),+> GroupKey for ($($n,)+) {
            type Owned = ($($n::Owned,)+);
            type Ident = ($($n::Ident,)+);
            const MEMO: bool = false $(|| $n::MEMO)+;
            #[inline(always)]
            fn ident(&self) -> Self::Ident {
                ($(self.$i.ident(),)+)
            }
            // Odd multipliers keep small offsets into different dictionaries apart.
            #[inline(always)]
            fn ident_bits(&self) -> u64 {
                0u64 $(.wrapping_mul(31).wrapping_add(self.$i.ident_bits()))+
            }
            #[inline(always)]
            fn to_owned_key(self) -> Self::Owned {
                ($(self.$i.to_owned_key(),)+)
            }
            #[inline(always)]
            fn matches(&self, owned: &Self::Owned) -> bool {
                true $(&& self.$i.matches(&owned.$i))+
            }
            #[inline(always)]
            fn has_null(&self) -> bool {
                false $(|| self.$i.has_null())+
            }
            #[inline(always)]
            fn heap_size(&self) -> usize {
                0 $(+ self.$i.heap_size())+
            }
        }
    )*};
}

tuple_keys!((A 0), (A 0, B 1), (A 0, B 1, C 2), (A 0, B 1, C 2, D 3));

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn borrowed_and_owned_keys_hash_alike() {
        let s = hashbrown::DefaultHashBuilder::default();
        let key = ("A", 7u64, Some("x"));
        let owned = key.to_owned_key();
        assert_eq!(s.hash_one(key), s.hash_one(&owned));
        assert!(key.matches(&owned));
        assert!(!("B", 7u64, Some("x")).matches(&owned));
    }

    #[test]
    fn identities_are_where_the_text_sits() {
        let text = String::from("AFAF");
        let (a1, f1, a2) = (&text[0..1], &text[1..2], &text[2..3]);
        // The same letter at two places: equal keys, different identities (a memo miss, never a
        // wrong hit); the same place twice: equal identities.
        assert_ne!(a1.ident(), a2.ident());
        assert_eq!((a1, 3u8).ident(), (&text[0..1], 3u8).ident());
        assert_ne!((a1, f1).ident(), (f1, a1).ident());
        assert_ne!(Some(a1).ident(), None::<&str>.ident());
        const { assert!(<(&str, u8)>::MEMO && <Option<&str>>::MEMO && !<(u32, i64)>::MEMO) };
    }
}
