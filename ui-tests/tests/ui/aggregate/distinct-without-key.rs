use sabot::prelude::*;

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Bid {
    pub auction: u64,
    pub price: u64,
}

#[sabot::pipeline]
pub fn q(bids: Stream<Bid>) -> Stream<Bid> {
    bids.distinct()
}

fn main() {}
