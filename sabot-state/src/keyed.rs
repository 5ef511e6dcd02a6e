//! Typed keyed state for user code (`process`): value, map and list state per record key,
//! stored as bytes in one namespace of any [`StateBackend`].

use std::{marker::PhantomData, sync::Arc};

use crate::{StateBackend, StateError};

/// A type that keyed state can store: a compact byte encoding and its inverse.
pub trait StateCodec: Sized {
    /// Appends this value's bytes to `out`.
    fn encode(&self, out: &mut Vec<u8>);
    /// Reads one value from the front of `bytes`, returning it and the bytes consumed.
    fn decode(bytes: &[u8]) -> Option<(Self, usize)>;
}

macro_rules! fixed_codec {
    ($($t:ty),*) => {$(
        impl StateCodec for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn decode(bytes: &[u8]) -> Option<(Self, usize)> {
                const N: usize = std::mem::size_of::<$t>();
                Some((<$t>::from_le_bytes(bytes.get(..N)?.try_into().ok()?), N))
            }
        }
    )*};
}
fixed_codec!(i8, i16, i32, i64, i128, u8, u16, u32, u64, f32, f64);

impl StateCodec for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(*self as u8);
    }
    fn decode(bytes: &[u8]) -> Option<(Self, usize)> {
        Some((*bytes.first()? != 0, 1))
    }
}

impl StateCodec for String {
    fn encode(&self, out: &mut Vec<u8>) {
        (self.len() as u32).encode(out);
        out.extend_from_slice(self.as_bytes());
    }
    fn decode(bytes: &[u8]) -> Option<(Self, usize)> {
        let (len, n) = u32::decode(bytes)?;
        let text = std::str::from_utf8(bytes.get(n..n + len as usize)?).ok()?;
        Some((text.to_string(), n + len as usize))
    }
}

impl<T: StateCodec> StateCodec for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.is_some().encode(out);
        if let Some(v) = self {
            v.encode(out);
        }
    }
    fn decode(bytes: &[u8]) -> Option<(Self, usize)> {
        let (some, n) = bool::decode(bytes)?;
        if !some {
            return Some((None, n));
        }
        let (v, m) = T::decode(&bytes[n..])?;
        Some((Some(v), n + m))
    }
}

impl<T: StateCodec> StateCodec for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        (self.len() as u32).encode(out);
        self.iter().for_each(|v| v.encode(out));
    }
    fn decode(bytes: &[u8]) -> Option<(Self, usize)> {
        let (len, mut at) = u32::decode(bytes)?;
        let mut items = Vec::with_capacity(len as usize);
        for _ in 0..len {
            let (v, n) = T::decode(&bytes[at..])?;
            items.push(v);
            at += n;
        }
        Some((items, at))
    }
}

macro_rules! tuple_codec {
    ($($name:ident)+) => {
        impl<$($name: StateCodec),+> StateCodec for ($($name,)+) {
            #[allow(non_snake_case)]
            fn encode(&self, out: &mut Vec<u8>) {
                let ($($name,)+) = self;
                $($name.encode(out);)+
            }
            #[allow(non_snake_case)]
            fn decode(bytes: &[u8]) -> Option<(Self, usize)> {
                let mut at = 0;
                $(let ($name, n) = $name::decode(&bytes[at..])?; at += n;)+
                Some((($($name,)+), at))
            }
        }
    };
}
tuple_codec!(A);
tuple_codec!(A B);
tuple_codec!(A B C);
tuple_codec!(A B C D);
tuple_codec!(A B C D E);
tuple_codec!(A B C D E F);
tuple_codec!(A B C D E F G);
tuple_codec!(A B C D E F G H);
tuple_codec!(A B C D E F G H I);
tuple_codec!(A B C D E F G H I J);
tuple_codec!(A B C D E F G H I J K);
tuple_codec!(A B C D E F G H I J K L);
tuple_codec!(A B C D E F G H I J K L M);
tuple_codec!(A B C D E F G H I J K L M N);
tuple_codec!(A B C D E F G H I J K L M N O);
tuple_codec!(A B C D E F G H I J K L M N O P);

impl StateCodec for () {
    fn encode(&self, _: &mut Vec<u8>) {}
    fn decode(_: &[u8]) -> Option<(Self, usize)> {
        Some(((), 0))
    }
}

fn to_bytes<T: StateCodec>(v: &T) -> Vec<u8> {
    let mut out = Vec::new();
    v.encode(&mut out);
    out
}

fn from_bytes<T: StateCodec>(ns: &str, bytes: &[u8]) -> Result<T, StateError> {
    match T::decode(bytes) {
        Some((v, n)) if n == bytes.len() => Ok(v),
        _ => Err(StateError::Decode { what: ns.to_string(), message: format!("{} bytes do not hold one value", bytes.len()) }),
    }
}

/// One value per record key.
#[derive(Debug, Clone)]
pub struct ValueState<K, V> {
    backend: Arc<dyn StateBackend>,
    ns: String,
    _types: PhantomData<fn(K) -> V>,
}

impl<K: StateCodec, V: StateCodec> ValueState<K, V> {
    /// Value state kept in namespace `ns` of `backend`.
    pub fn new(backend: Arc<dyn StateBackend>, ns: &str) -> Self {
        ValueState { backend, ns: ns.to_string(), _types: PhantomData }
    }
    /// The value for `key`, if set.
    pub fn get(&self, key: &K) -> Result<Option<V>, StateError> {
        self.backend.get(&self.ns, &to_bytes(key))?.map(|b| from_bytes(&self.ns, &b)).transpose()
    }
    /// Sets the value for `key`.
    pub fn set(&self, key: &K, value: &V) -> Result<(), StateError> {
        self.backend.put(&self.ns, &to_bytes(key), &to_bytes(value))
    }
    /// Removes the value for `key`.
    pub fn clear(&self, key: &K) -> Result<(), StateError> {
        self.backend.delete(&self.ns, &to_bytes(key))
    }
}

/// A map per record key.
#[derive(Debug, Clone)]
pub struct MapState<K, MK, V> {
    backend: Arc<dyn StateBackend>,
    ns: String,
    _types: PhantomData<fn(K, MK) -> V>,
}

impl<K: StateCodec, MK: StateCodec, V: StateCodec> MapState<K, MK, V> {
    /// Map state kept in namespace `ns` of `backend`.
    pub fn new(backend: Arc<dyn StateBackend>, ns: &str) -> Self {
        MapState { backend, ns: ns.to_string(), _types: PhantomData }
    }
    fn slot(key: &K, map_key: &MK) -> Vec<u8> {
        let mut out = to_bytes(key);
        map_key.encode(&mut out);
        out
    }
    /// The entry `map_key` of `key`'s map.
    pub fn get(&self, key: &K, map_key: &MK) -> Result<Option<V>, StateError> {
        self.backend.get(&self.ns, &Self::slot(key, map_key))?.map(|b| from_bytes(&self.ns, &b)).transpose()
    }
    /// Sets the entry `map_key` of `key`'s map.
    pub fn insert(&self, key: &K, map_key: &MK, value: &V) -> Result<(), StateError> {
        self.backend.put(&self.ns, &Self::slot(key, map_key), &to_bytes(value))
    }
    /// Removes the entry `map_key` of `key`'s map.
    pub fn remove(&self, key: &K, map_key: &MK) -> Result<(), StateError> {
        self.backend.delete(&self.ns, &Self::slot(key, map_key))
    }
    /// Every entry of `key`'s map, ordered by the map key's bytes (reads the whole namespace:
    /// fine for small maps, the backends have no prefix scan in the trait yet).
    pub fn entries(&self, key: &K) -> Result<Vec<(MK, V)>, StateError> {
        let prefix = to_bytes(key);
        let mut out = Vec::new();
        for (k, v) in self.backend.entries(&self.ns)? {
            if let Some(rest) = k.strip_prefix(prefix.as_slice()) {
                out.push((from_bytes(&self.ns, rest)?, from_bytes(&self.ns, &v)?));
            }
        }
        Ok(out)
    }
}

/// A list per record key.
#[derive(Debug, Clone)]
pub struct ListState<K, V> {
    inner: ValueState<K, Vec<V>>,
}

impl<K: StateCodec, V: StateCodec> ListState<K, V> {
    /// List state kept in namespace `ns` of `backend`.
    pub fn new(backend: Arc<dyn StateBackend>, ns: &str) -> Self {
        ListState { inner: ValueState::new(backend, ns) }
    }
    /// `key`'s list (empty when never added to).
    pub fn get(&self, key: &K) -> Result<Vec<V>, StateError> {
        Ok(self.inner.get(key)?.unwrap_or_default())
    }
    /// Appends `value` to `key`'s list.
    pub fn push(&self, key: &K, value: V) -> Result<(), StateError> {
        let mut list = self.get(key)?;
        list.push(value);
        self.inner.set(key, &list)
    }
    /// Empties `key`'s list.
    pub fn clear(&self, key: &K) -> Result<(), StateError> {
        self.inner.clear(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codecs_round_trip() {
        let v = (7i64, Some("ab".to_string()), vec![1.5f64, -2.0], (true, 3u8));
        let bytes = to_bytes(&v);
        assert_eq!(from_bytes::<(i64, Option<String>, Vec<f64>, (bool, u8))>("t", &bytes).unwrap(), v);
        assert!(from_bytes::<i64>("t", &bytes[..3]).is_err());
    }
}
