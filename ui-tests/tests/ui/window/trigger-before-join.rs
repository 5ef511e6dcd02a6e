use sabot::prelude::*;

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Bid {
    pub auction: u64,
    pub price: u64,
    #[sabot(event_time)]
    pub date_time: Timestamp,
}

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Pair {
    pub auction: u64,
    pub spread: u64,
}

#[sabot::pipeline]
pub fn q(asks: Stream<Bid>, bids: Stream<Bid>) -> Stream<Pair> {
    asks.window(Tumbling::of(Duration::from_secs(10)))
        .trigger(CountTrigger::of(3))
        .join(bids, |a| a.auction, |b| b.auction, |_w, a, b| Pair { auction: a.auction, spread: a.price - b.price })
}

fn main() {}
