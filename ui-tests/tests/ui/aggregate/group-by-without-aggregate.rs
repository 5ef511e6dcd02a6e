use sabot::prelude::*;

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Bid {
    pub auction: u64,
    pub price: f64,
    pub channel: String,
}

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Total {
    pub n: u64,
}

#[sabot::pipeline]
pub fn q(bids: Stream<Bid>) -> Stream<Bid> {
    bids.group_by(|b| b.auction)
}

fn main() {}
