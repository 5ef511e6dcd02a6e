use sabot::prelude::*;

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Trade {
    pub symbol: String,
    pub price: f64,
}

#[sabot::pipeline]
pub fn q(trades: Stream<Trade>) -> Stream<Trade> {
    trades.distinct(|t| t.price)
}

fn main() {}
