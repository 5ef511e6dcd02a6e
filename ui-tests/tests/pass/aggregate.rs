#![deny(warnings)]
//! Grouped and global aggregation compile warning-free.

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
}

/// Per channel and auction.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct PerChannel {
    /// Channel.
    pub channel: String,
    /// Auction.
    pub auction: u64,
    /// Bids.
    pub bids: u64,
    /// Highest price.
    pub top: u64,
    /// Mean price.
    pub mean: f64,
}

/// Grouped by two keys, then filtered.
#[sabot::pipeline]
pub fn per_channel(bids: Stream<Bid>) -> Stream<PerChannel> {
    bids.group_by(|b| (b.channel, b.auction))
        .aggregate(|(channel, auction), b| PerChannel { channel, auction, bids: count(), top: max(b.price), mean: avg(b.price) })
        .filter(|p| p.bids > 1)
}

fn main() {
    let _ = sabot::Job::new(per_channel);
}
