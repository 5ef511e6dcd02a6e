//! Nexmark queries over the built-in generator (`sabot::source::nexmark`): q0 passes bids
//! through, q1 prices them in euros, q2 keeps the bids of every 123rd auction; as in the
//! Flink Nexmark suite. `all_persons` and `all_auctions` pass the other two kinds through
//! (the `nexmark_gen` binary writes all three to Parquet with them and q0).

use sabot::nexmark::{Auction, Bid, Person};
use sabot::prelude::*;

/// Dollars to euros, as Flink's q1 (`0.908 * price`, exact).
pub const EUR_PER_USD: Decimal = Decimal::new(908, 3);

/// q2's auction filter: `auction % 123 == 0` (Beam's `auctionSkip`).
pub const AUCTION_SKIP: u64 = 123;

/// A bid priced in euros (Flink's q1 output, `price DECIMAL(23, 3)`).
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q1Row {
    /// Auction id.
    pub auction: u64,
    /// Bidder id.
    pub bidder: u64,
    /// Price in euro cents, exact: dollar cents times 0.908.
    #[sabot(decimal(23, 3))]
    pub price: Decimal,
    /// When the bid was made.
    #[sabot(event_time, unit = "ms")]
    pub date_time: Timestamp,
    /// Padding.
    pub extra: String,
}

/// A bid of a selected auction (Flink's q2 output).
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q2Row {
    /// Auction id, a multiple of 123.
    pub auction: u64,
    /// Price in cents.
    pub price: u64,
}

/// q0: every bid, unchanged (measures the cost of reading and writing events).
#[sabot::pipeline]
pub fn q0(bids: Stream<Bid>) -> Stream<Bid> {
    bids.filter(|_| true)
}

/// q1: every bid with its price in euros.
#[sabot::pipeline]
pub fn q1(bids: Stream<Bid>) -> Stream<Q1Row> {
    bids.map(|b| Q1Row {
        auction: b.auction,
        bidder: b.bidder,
        price: EUR_PER_USD * b.price as i64,
        date_time: b.date_time,
        extra: b.extra.to_string(),
    })
}

/// q2: the bids on auctions whose id is a multiple of 123.
#[sabot::pipeline]
pub fn q2(bids: Stream<Bid>) -> Stream<Q2Row> {
    bids.filter(|b| b.auction % AUCTION_SKIP == 0).map(|b| Q2Row { auction: b.auction, price: b.price })
}

/// Every person, unchanged.
#[sabot::pipeline]
pub fn all_persons(persons: Stream<Person>) -> Stream<Person> {
    persons.filter(|_| true)
}

/// Every auction, unchanged.
#[sabot::pipeline]
pub fn all_auctions(auctions: Stream<Auction>) -> Stream<Auction> {
    auctions.filter(|_| true)
}
