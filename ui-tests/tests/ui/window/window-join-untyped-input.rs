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

const TEN: Duration = Duration::from_secs(10);

#[sabot::pipeline]
pub fn q(asks: Stream<Bid>, bids: Stream<Bid>) -> Stream<Pair> {
    let split = bids.flat_map(|b| vec![Bid { auction: b.auction, price: b.price / 2, date_time: b.date_time }; 2]);
    asks.window(Tumbling::of(TEN)).join(split, |a| a.auction, |b| b.auction, |_w, a, b| Pair { auction: a.auction, spread: a.price - b.price })
}

fn main() {}
