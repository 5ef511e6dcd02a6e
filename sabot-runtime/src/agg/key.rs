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
}

macro_rules! copy_keys {
    ($($t:ty),*) => {$(
        impl GroupKey for $t {
            type Owned = $t;
            #[inline(always)]
            fn to_owned_key(self) -> $t {
                self
            }
            #[inline(always)]
            fn matches(&self, owned: &$t) -> bool {
                self == owned
            }
        }
    )*};
}

copy_keys!(u8, u16, u32, u64, i8, i16, i32, i64, bool, char, (), Date, Timestamp, Decimal, crate::window::Window);

impl GroupKey for &str {
    type Owned = String;
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
}

macro_rules! tuple_keys {
    ($(($($n:ident $i:tt),+)),*) => {$(
        impl<$($n: GroupKey),+> GroupKey for ($($n,)+) {
            type Owned = ($($n::Owned,)+);
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
}
