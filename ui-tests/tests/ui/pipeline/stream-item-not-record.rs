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

#[sabot::pipeline]
pub fn q(prices: Stream<u64>) -> Stream<Bid> {
    prices.map(|p| Bid { auction: 1, price: p, channel: String::new() })
}

fn main() {}
