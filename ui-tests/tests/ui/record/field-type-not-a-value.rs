use sabot::prelude::*;

pub struct Money(pub u64);

#[derive(Record)]
pub struct Bid {
    pub auction: u64,
    pub price: Money,
}

fn main() {}
