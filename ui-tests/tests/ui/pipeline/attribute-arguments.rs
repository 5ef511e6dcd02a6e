use sabot::prelude::*;

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Bid {
    pub auction: u64,
    pub price: u64,
    pub channel: String,
}

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Converted {
    pub auction: u64,
    pub price_eur: f64,
}

#[sabot::pipeline(parallel)]
pub fn q(bids: Stream<Bid>) -> Stream<Bid> {
    bids
}

fn main() {}
