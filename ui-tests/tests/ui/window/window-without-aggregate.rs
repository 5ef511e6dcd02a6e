use sabot::prelude::*;

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Bid {
    pub auction: u64,
    pub price: u64,
    #[sabot(event_time)]
    pub date_time: Timestamp,
}

#[sabot::pipeline]
pub fn q(bids: Stream<Bid>) -> Stream<Bid> {
    bids.window(Tumbling::of(Duration::from_secs(10))).filter(|b| b.price > 10)
}

fn main() {}
