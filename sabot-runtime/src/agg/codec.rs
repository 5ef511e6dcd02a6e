//! Byte encodings of group keys and accumulator states, so a group table that passes its
//! memory budget can be written to the state backend and merged back later.

use super::acc::{Avg, CountDistinct, Ends, Extreme, Sum, Summable};
use super::table::GroupTable;
use crate::value::{Date, Decimal, Timestamp};
use sabot_state::StateCodec;
use std::hash::Hash;

impl StateCodec for Date {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out)
    }
    fn decode(bytes: &[u8]) -> Option<(Self, usize)> {
        i32::decode(bytes).map(|(v, n)| (Date(v), n))
    }
}

impl StateCodec for Timestamp {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out)
    }
    fn decode(bytes: &[u8]) -> Option<(Self, usize)> {
        i64::decode(bytes).map(|(v, n)| (Timestamp(v), n))
    }
}

impl StateCodec for crate::window::Window {
    fn encode(&self, out: &mut Vec<u8>) {
        self.start.encode(out);
        self.end.encode(out);
    }
    fn decode(bytes: &[u8]) -> Option<(Self, usize)> {
        let (start, a) = Timestamp::decode(bytes)?;
        let (end, b) = Timestamp::decode(&bytes[a..])?;
        Some((crate::window::Window { start, end }, a + b))
    }
}

impl StateCodec for Decimal {
    fn encode(&self, out: &mut Vec<u8>) {
        self.mantissa().encode(out);
        self.scale().encode(out);
    }
    fn decode(bytes: &[u8]) -> Option<(Self, usize)> {
        let ((m, s), n) = <(i128, i8)>::decode(bytes)?;
        Some((Decimal::new(m, s), n))
    }
}

impl<T: Summable> StateCodec for Sum<T>
where
    T::Total: StateCodec,
{
    fn encode(&self, out: &mut Vec<u8>) {
        self.total().encode(out)
    }
    fn decode(bytes: &[u8]) -> Option<(Self, usize)> {
        T::Total::decode(bytes).map(|(t, n)| (Sum::from_total(t), n))
    }
}

impl StateCodec for super::acc::Count {
    fn encode(&self, out: &mut Vec<u8>) {
        self.value().encode(out)
    }
    fn decode(bytes: &[u8]) -> Option<(Self, usize)> {
        u64::decode(bytes).map(|(c, n)| (super::acc::Count::from_value(c), n))
    }
}

impl<T: Summable> StateCodec for Avg<T>
where
    T::Total: StateCodec,
{
    fn encode(&self, out: &mut Vec<u8>) {
        let (total, n) = self.parts();
        total.encode(out);
        n.encode(out);
    }
    fn decode(bytes: &[u8]) -> Option<(Self, usize)> {
        let ((total, count), n) = <(T::Total, u64)>::decode(bytes)?;
        Some((Avg::from_parts(total, count), n))
    }
}

impl<T: StateCodec, const MAX: bool> StateCodec for Extreme<T, MAX> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.value().encode(out)
    }
    fn decode(bytes: &[u8]) -> Option<(Self, usize)> {
        T::decode(bytes).map(|(v, n)| (Extreme::from_value(v), n))
    }
}

impl<O: StateCodec, const LAST: bool> StateCodec for Ends<O, LAST> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.value().encode(out)
    }
    fn decode(bytes: &[u8]) -> Option<(Self, usize)> {
        O::decode(bytes).map(|(v, n)| (Ends::from_value(v), n))
    }
}

impl<O: StateCodec + Hash + Eq> StateCodec for CountDistinct<O> {
    fn encode(&self, out: &mut Vec<u8>) {
        (self.seen().len() as u32).encode(out);
        self.seen().keys().for_each(|k| k.encode(out));
    }
    fn decode(bytes: &[u8]) -> Option<(Self, usize)> {
        let (len, mut at) = u32::decode(bytes)?;
        let mut seen = GroupTable::new();
        for _ in 0..len {
            let (k, n) = O::decode(&bytes[at..])?;
            seen.insert_owned(k, (), |_, _| ());
            at += n;
        }
        Some((CountDistinct::from_seen(seen), at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agg::acc::{self, AddValue};

    fn round_trip<T: StateCodec>(v: &T) -> T {
        let mut out = Vec::new();
        v.encode(&mut out);
        let (back, n) = T::decode(&out).expect("decodes");
        assert_eq!(n, out.len());
        back
    }

    #[test]
    fn accumulators_round_trip() {
        let d = Decimal::new(12345, 2);
        assert_eq!(round_trip(&d), d);
        assert_eq!(round_trip(&Date(19000)), Date(19000));
        let mut s = acc::sum(d);
        s.add(Decimal::new(5, 1));
        assert_eq!(acc::Accumulator::finish(round_trip(&s)), Decimal::new(12395, 2));
        let mut a = acc::avg(3i32);
        a.add(4i32);
        assert_eq!(acc::Accumulator::finish(round_trip(&a)), 3.5);
        let mut c = acc::count_distinct("a");
        c.add("b");
        c.add("a");
        assert_eq!(acc::Accumulator::finish(round_trip(&c)), 2);
        let state = (acc::count(), acc::max(7i64), acc::first("x"));
        let (count, max, first) = round_trip(&state);
        assert_eq!((acc::Accumulator::finish(count), acc::Accumulator::finish(max), acc::Accumulator::finish(first)), (1, 7, "x".into()));
    }
}
