//! Nexmark q1 + q2 over generated bids: some auctions' bids, priced in euros.

use sabot::prelude::*;

/// A bid of the Nexmark benchmark.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Bid {
    /// Auction id.
    pub auction: u64,
    /// Bidder id.
    pub bidder: u64,
    /// Price in cents of a dollar.
    pub price: u64,
    /// Channel the bid came through.
    pub channel: String,
    /// Page of the bid.
    pub url: String,
    /// When the bid was made.
    #[sabot(event_time, unit = "ms")]
    pub date_time: Timestamp,
    /// Padding.
    pub extra: String,
}

/// A bid priced in euros.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Converted {
    /// Auction id.
    pub auction: u64,
    /// Price in euros.
    pub price_eur: f64,
}

/// Nexmark q1 + q2: some auctions' bids, priced in euros.
#[sabot::pipeline]
pub fn converted(bids: Stream<Bid>) -> Stream<Converted> {
    bids.filter(|b| b.auction % 123 == 0).map(|b| Converted { auction: b.auction, price_eur: b.price as f64 * 0.908 })
}

/// `n` deterministic bids (a small linear congruential generator, no I/O).
pub fn generate_bids(n: u64) -> Vec<Bid> {
    let channels = ["apple", "google", "facebook", "baidu"];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..n)
        .map(|i| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let r = state >> 33;
            Bid {
                auction: 1000 + r % 10_000,
                bidder: 1000 + (r >> 8) % 100_000,
                price: 100 + (r >> 4) % 1_000_000,
                channel: channels[(r % 4) as usize].to_string(),
                url: format!("https://www.nexmark.com/item.htm?query={}", r % 1000),
                date_time: Timestamp::from_millis(1_700_000_000_000 + i as i64),
                extra: String::new(),
            }
        })
        .collect()
}
