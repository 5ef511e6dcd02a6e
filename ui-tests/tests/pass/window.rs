#![deny(warnings)]
//! A tumbling and a sliding window, a windowed and an interval join: generated code compiles
//! warning-free.

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
    pub start: Timestamp,
    pub n: u64,
    pub top: u64,
}

const TEN: Duration = Duration::from_secs(10);

#[sabot::pipeline]
pub fn tumbling(bids: Stream<Bid>) -> Stream<Count> {
    bids.window(Tumbling::of(TEN)).group_by(|b| b.auction).aggregate(|w, auction, b| Count { auction, start: w.start, n: count(), top: max(b.price) })
}

#[sabot::pipeline]
pub fn sliding(bids: Stream<Bid>) -> Stream<Count> {
    bids.filter(|b| b.price > 100)
        .window(Sliding::of(TEN, Duration::from_secs(5)))
        .aggregate(|w, b| Count { auction: 0, start: w.start, n: count(), top: max(b.price) })
}

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Pair {
    pub auction: u64,
    pub start: Timestamp,
    pub spread: u64,
}

#[sabot::pipeline]
pub fn joined(asks: Stream<Bid>, bids: Stream<Bid>) -> Stream<Pair> {
    asks.window(Sliding::of(TEN, Duration::from_secs(5))).join(
        bids.filter(|b| b.price > 0),
        |a| a.auction,
        |b| b.auction,
        |w, a, b| Pair { auction: a.auction, start: w.start, spread: a.price.abs_diff(b.price) },
    )
}

#[sabot::pipeline]
pub fn within(asks: Stream<Bid>, bids: Stream<Bid>) -> Stream<Pair> {
    asks.interval_join(bids, |a| a.auction, |b| b.auction, Interval::around(TEN, Duration::ZERO), |a, b| Pair {
        auction: a.auction,
        start: b.date_time,
        spread: a.price.abs_diff(b.price),
    })
}

#[sabot::pipeline]
pub fn as_of(asks: Stream<Bid>, bids: Stream<Bid>) -> Stream<Pair> {
    asks.asof_join(bids, |a| a.auction, |b| b.auction, |a, b| Pair { auction: a.auction, start: b.date_time, spread: a.price.abs_diff(b.price) })
}

#[sabot::pipeline]
pub fn every_three(bids: Stream<Bid>) -> Stream<Count> {
    bids.window(Global::new())
        .trigger(CountTrigger::of(3))
        .group_by(|b| b.auction)
        .aggregate(|w, auction, b| Count { auction, start: w.start, n: count(), top: max(b.price) })
}

#[sabot::pipeline]
pub fn late_and_early(bids: Stream<Bid>) -> Stream<Count> {
    bids.window(Tumbling::of(TEN).allowed_lateness(TEN))
        .group_by(|b| b.auction)
        .aggregate(|w, auction, b| Count { auction, start: w.start, n: count(), top: max(b.price) })
}

#[sabot::pipeline]
pub fn running(bids: Stream<Bid>) -> Stream<Count> {
    bids.window(Tumbling::of(TEN))
        .trigger(ProcessingTimeTrigger::every(Duration::from_secs(1)))
        .group_by(|b| b.auction)
        .aggregate(|w, auction, b| Count { auction, start: w.start, n: count(), top: max(b.price) })
}

fn main() {}
