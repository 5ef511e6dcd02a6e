//! The Nexmark benchmark's events as records, to read what `sabot::source::nexmark` generates
//! (or files written from it): field names and meanings as in Flink's Nexmark SQL schema, in
//! snake case; ids, prices and categories as `u64`, times in milliseconds.
//!
//! ```ignore
//! use sabot::nexmark::Bid;
//! use sabot::prelude::*;
//!
//! #[sabot::pipeline]
//! fn expensive(bids: Stream<Bid>) -> Stream<Bid> {
//!     bids.filter(|b| b.price > 1_000_000)
//! }
//!
//! let events = sabot::source::nexmark(NexmarkConfig { events: 1_000_000, ..NexmarkConfig::default() });
//! let rows: Vec<Bid> = Job::new(expensive).source("bids", events.bids()).collect()?;
//! ```
//!
//! `docs/nexmark.md` says what is generated and how closely it follows Beam's generator.

use crate::{Record, Timestamp};

pub use sabot_runtime::source::{EventKind, Nexmark, NexmarkConfig, NexmarkSource, nexmark};

/// A new person registered on the auction site.
#[derive(Record, Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Person id, from 1000 in order of registration.
    pub id: u64,
    /// First and last name.
    pub name: String,
    /// A random address `user@domain.com`.
    pub email_address: String,
    /// Four groups of four digits.
    pub credit_card: String,
    /// One of ten cities of the western US.
    pub city: String,
    /// One of six state codes (AZ, CA, ID, OR, WA, WY).
    pub state: String,
    /// When the person registered.
    #[sabot(event_time, unit = "ms")]
    pub date_time: Timestamp,
    /// Padding to the configured average size.
    pub extra: String,
}

/// A new auction.
#[derive(Record, Debug, Clone, PartialEq, Eq)]
pub struct Auction {
    /// Auction id, from 1000 in order of creation.
    pub id: u64,
    /// A random name.
    pub item_name: String,
    /// A random description.
    pub description: String,
    /// Opening price, in cents.
    pub initial_bid: u64,
    /// Lowest price that sells the item, in cents (above `initial_bid`).
    pub reserve: u64,
    /// When the auction opened.
    #[sabot(event_time, unit = "ms")]
    pub date_time: Timestamp,
    /// When the auction closes.
    #[sabot(unit = "ms")]
    pub expires: Timestamp,
    /// Person id of the seller.
    pub seller: u64,
    /// Category id, 10 to 14.
    pub category: u64,
    /// Padding to the configured average size.
    pub extra: String,
}

/// A bid on an auction.
#[derive(Record, Debug, Clone, PartialEq, Eq)]
pub struct Bid {
    /// Auction id the bid is for.
    pub auction: u64,
    /// Person id of the bidder.
    pub bidder: u64,
    /// Price, in cents.
    pub price: u64,
    /// Channel the bid came through (`Google`, `Apple`..., or `channel-N`).
    pub channel: String,
    /// URL of the bid's page.
    pub url: String,
    /// When the bid was made.
    #[sabot(event_time, unit = "ms")]
    pub date_time: Timestamp,
    /// Padding to the configured average size.
    pub extra: String,
}
