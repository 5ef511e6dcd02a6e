use sabot::prelude::*;

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Bid {
    pub auction: u64,
    pub price: u64,
    #[sabot(event_time)]
    pub date_time: Timestamp,
}

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Item {
    pub id: u64,
    pub reserve: u64,
}

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Pair {
    pub auction: u64,
    pub over: bool,
}


#[sabot::pipeline]
pub fn q(bids: Stream<Bid>, items: Stream<Item>) -> Stream<Pair> {
    bids.asof_join(items, |b| b.auction, |i| i.id, |b, i| Pair { auction: b.auction, over: b.price > i.reserve })
}

fn main() {}
