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
    pub end: Timestamp,
    pub n: u64,
}

#[sabot::pipeline]
pub fn q(bids: Stream<Bid>) -> Stream<Count> {
    bids.window(Duration::from_secs(10)).aggregate(|w, _b| Count { end: w.end, n: count() })
}

fn main() {}
