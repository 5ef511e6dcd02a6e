#![deny(warnings)]
//! The DESIGN example compiles warning-free.

use sabot::prelude::*;

/// A bid.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Bid {
    /// Auction.
    pub auction: u64,
    /// Price.
    pub price: u64,
    /// Channel.
    pub channel: String,
    /// When.
    #[sabot(event_time)]
    pub date_time: Timestamp,
    /// Optional text.
    pub extra: Option<String>,
}

/// Converted bid.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Converted {
    /// Auction.
    pub auction: u64,
    /// Euros.
    pub price_eur: f64,
}

/// Nexmark q1 + q2.
#[sabot::pipeline]
pub fn converted(bids: Stream<Bid>) -> Stream<Converted> {
    bids.filter(|b| b.auction % 123 == 0).map(|b| Converted { auction: b.auction, price_eur: b.price as f64 * 0.908 })
}

fn main() {
    let _ = sabot::Job::new(converted);
}
