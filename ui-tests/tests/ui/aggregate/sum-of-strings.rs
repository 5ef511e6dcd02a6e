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
pub fn q(bids: Stream<Bid>) -> Stream<Total> {
    bids.aggregate(|b| Total { n: sum(b.channel) })
}

fn main() {}
