use sabot::prelude::*;

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Bid {
    pub auction: u64,
    pub price: u64,
    #[sabot(event_time)]
    pub date_time: Timestamp,
}

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Count {
    pub auction: u64,
    pub n: u64,
}

#[sabot::pipeline]
pub fn q(bids: Stream<Bid>) -> Stream<Bid> {
    bids.window(Global::new()).trigger(CountTrigger::of(3))
}

fn main() {}
