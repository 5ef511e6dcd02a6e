//! Nexmark queries over the built-in generator (`sabot::source::nexmark`), as in the Flink
//! Nexmark suite: q0 passes bids through, q1 prices them in euros, q2 keeps the bids of every
//! 123rd auction, q3 joins auctions with their sellers, q4 averages each category's closing
//! prices, q5 finds the hottest auction of each sliding window, q7 the highest bid of each
//! tumbling window, q8 joins two streams per window (new sellers), q11 counts each bidder's
//! sessions, q13 looks bids up in a bounded side input, q14 prices and classifies expensive bids
//! with a user function, q17 summarises each auction's day, q18 keeps each bidder's last bid per
//! auction and q20 expands bids with their auction. q5 and q7 keep one row per window where Flink keeps every tie. `all_persons` and
//! `all_auctions` pass the other two kinds through (the `nexmark_gen` binary writes all three to
//! Parquet with them and q0).

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

/// q5's windows: 10 seconds, every 2 seconds (Flink's `HOP(.., INTERVAL '2' SECOND, INTERVAL '10' SECOND)`).
pub const Q5_WINDOW: Sliding = Sliding::of(Duration::from_secs(10), Duration::from_secs(2));

/// One window's results are regrouped by the window: a tumbling window as long as the slide
/// holds exactly the results of the sliding window ending with it.
pub const Q5_REGROUP: Tumbling = Tumbling::of(Duration::from_secs(2));

/// q11's sessions: a bidder's bids less than 10 seconds apart.
pub const Q11_SESSION: Session = Session::with_gap(Duration::from_secs(10));

/// q7's windows: tumbling, 10 seconds.
pub const Q7_WINDOW: Tumbling = Tumbling::of(Duration::from_secs(10));

/// Bids per auction in one of q5's windows.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct AuctionBids {
    /// Auction id.
    pub auction: u64,
    /// Bids on it in the window.
    pub num: u64,
    /// The window's start.
    #[sabot(unit = "ms")]
    pub starttime: Timestamp,
    /// The window's last millisecond: the event time of this result.
    #[sabot(event_time, unit = "ms")]
    pub window_time: Timestamp,
}

/// q5's output: the auction with the most bids in a window (the smallest id among ties).
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q5Row {
    /// Auction id.
    pub auction: u64,
    /// Its bids in the window.
    pub num: u64,
    /// Window start.
    #[sabot(unit = "ms")]
    pub starttime: Timestamp,
    /// Window end.
    #[sabot(unit = "ms")]
    pub endtime: Timestamp,
}

/// q7's output: the highest bid of a window (the earliest, then smallest auction and bidder,
/// among bids of equal price).
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q7Row {
    /// Auction id.
    pub auction: u64,
    /// Bidder id.
    pub bidder: u64,
    /// Price in cents.
    pub price: u64,
    /// When the bid was made.
    #[sabot(unit = "ms")]
    pub date_time: Timestamp,
    /// Window end.
    #[sabot(unit = "ms")]
    pub window_end: Timestamp,
}

/// q11's output: a bidder's session and its bids.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q11Row {
    /// Bidder id.
    pub bidder: u64,
    /// Bids in the session.
    pub bid_count: u64,
    /// The session's first bid.
    #[sabot(unit = "ms")]
    pub starttime: Timestamp,
    /// 10 seconds after its last bid.
    #[sabot(unit = "ms")]
    pub endtime: Timestamp,
}

/// q11 (user sessions): each bidder's sessions, bids at most 10 seconds apart.
#[sabot::pipeline]
pub fn q11(bids: Stream<Bid>) -> Stream<Q11Row> {
    bids.window(Q11_SESSION).group_by(|b| b.bidder).aggregate(|w, bidder, _b| Q11Row {
        bidder,
        bid_count: count(),
        starttime: w.start,
        endtime: w.end,
    })
}

/// q5 (hot items): the auction with the most bids in each 10-second window, every 2 seconds.
#[sabot::pipeline]
pub fn q5(bids: Stream<Bid>) -> Stream<Q5Row> {
    bids.window(Q5_WINDOW)
        .group_by(|b| b.auction)
        .aggregate(|w, auction, _b| AuctionBids { auction, num: count(), starttime: w.start, window_time: w.time() })
        .window(Q5_REGROUP)
        .aggregate(|w, c| Q5Row {
            auction: max((c.num, Reverse(c.auction))).1.0,
            num: max(c.num),
            starttime: min(c.starttime),
            endtime: w.end,
        })
}

/// q7 (highest bid): the highest bid of each 10-second window.
#[sabot::pipeline]
pub fn q7(bids: Stream<Bid>) -> Stream<Q7Row> {
    bids.window(Q7_WINDOW).aggregate(|w, b| Q7Row {
        auction: max((b.price, Reverse(b.date_time), Reverse(b.auction), Reverse(b.bidder))).2.0,
        bidder: max((b.price, Reverse(b.date_time), Reverse(b.auction), Reverse(b.bidder))).3.0,
        price: max(b.price),
        date_time: max((b.price, Reverse(b.date_time))).1.0,
        window_end: w.end,
    })
}

/// q17's windows: one day.
pub const Q17_DAY: Tumbling = Tumbling::of(Duration::from_secs(24 * 60 * 60));

/// q17's output: an auction's bids of one day, by price band.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q17Row {
    /// Auction id.
    pub auction: u64,
    /// The day (its first instant, UTC).
    #[sabot(unit = "ms")]
    pub day: Timestamp,
    /// Bids that day.
    pub total_bids: u64,
    /// Bids under $100.
    pub rank1_bids: u64,
    /// Bids from $100 to under $10 000.
    pub rank2_bids: u64,
    /// Bids of $10 000 or more.
    pub rank3_bids: u64,
    /// Lowest price.
    pub min_price: u64,
    /// Highest price.
    pub max_price: u64,
    /// Mean price.
    pub avg_price: f64,
    /// Sum of prices.
    pub sum_price: u64,
}

/// q17 (auction statistics): per auction and day, bids by price band and price statistics.
#[sabot::pipeline]
pub fn q17(bids: Stream<Bid>) -> Stream<Q17Row> {
    bids.window(Q17_DAY).group_by(|b| b.auction).aggregate(|w, auction, b| Q17Row {
        auction,
        day: w.start,
        total_bids: count(),
        rank1_bids: sum(u64::from(b.price < 10_000)),
        rank2_bids: sum(u64::from(b.price >= 10_000 && b.price < 1_000_000)),
        rank3_bids: sum(u64::from(b.price >= 1_000_000)),
        min_price: min(b.price),
        max_price: max(b.price),
        avg_price: avg(b.price),
        sum_price: sum(b.price),
    })
}

/// q14's output: expensive bids with the part of the day they were made in.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q14Row {
    /// Auction id.
    pub auction: u64,
    /// Bidder id.
    pub bidder: u64,
    /// Price in euro cents, exact.
    #[sabot(decimal(23, 3))]
    pub price: Decimal,
    /// `dayTime` (8:00 to 18:59), `nightTime` (before 7:00 or from 20:00) or `otherTime`.
    pub bid_time_type: String,
    /// When the bid was made.
    #[sabot(event_time, unit = "ms")]
    pub date_time: Timestamp,
    /// Padding.
    pub extra: String,
    /// How many `c`s the padding holds (Flink's `count_char` UDF).
    pub c_counts: u64,
}

/// A price in dollar cents as euro cents, exact (`0.908 * price`).
pub fn eur(price: u64) -> Decimal {
    EUR_PER_USD * price as i64
}

/// The hour of the day (UTC) of an instant.
pub fn hour_of(t: Timestamp) -> i64 {
    t.millis().div_euclid(3_600_000).rem_euclid(24)
}

/// The part of the day q14 names.
pub fn bid_time_type(t: Timestamp) -> &'static str {
    match hour_of(t) {
        8..=18 => "dayTime",
        h if h <= 6 || h >= 20 => "nightTime",
        _ => "otherTime",
    }
}

/// Occurrences of `c` in `s` (q14's user-defined function).
pub fn count_char(s: &str, c: u8) -> u64 {
    s.bytes().filter(|&b| b == c).count() as u64
}

/// q14's price band, in euro cents: above $10 000, below $500 000 (Flink's `0.908 * price`).
pub const Q14_MIN: Decimal = Decimal::new(1_000_000, 0);
/// Upper end of q14's band.
pub const Q14_MAX: Decimal = Decimal::new(50_000_000, 0);

/// q14 (calculation): bids priced between $10 000 and $500 000 in euros, with the part of
/// the day and a user function over the padding.
#[sabot::pipeline]
pub fn q14(bids: Stream<Bid>) -> Stream<Q14Row> {
    bids.filter(|b| eur(b.price) > Q14_MIN && eur(b.price) < Q14_MAX).map(|b| Q14Row {
        auction: b.auction,
        bidder: b.bidder,
        price: eur(b.price),
        bid_time_type: bid_time_type(b.date_time).to_string(),
        date_time: b.date_time,
        extra: b.extra.to_string(),
        c_counts: count_char(b.extra, b'c'),
    })
}

/// A row of q13's side input: a value per key.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct SideInput {
    /// Key, matched with `auction % 10 000`.
    pub key: u64,
    /// Value.
    pub value: String,
}

/// q13's output: a bid with its side-input value.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q13Row {
    /// Auction id.
    pub auction: u64,
    /// Bidder id.
    pub bidder: u64,
    /// Price in cents.
    pub price: u64,
    /// When the bid was made.
    #[sabot(event_time, unit = "ms")]
    pub date_time: Timestamp,
    /// The side input's value for `auction % 10 000`.
    pub value: String,
}

/// q13 (bounded side input join): each bid with the value a side table holds for its auction.
/// As a stream, the side input is read whole first, then bids are looked up in it.
#[sabot::pipeline]
pub fn q13(bids: Stream<Bid>, side: Stream<SideInput>) -> Stream<Q13Row> {
    bids.join(
        side,
        |b| b.auction % 10_000,
        |s| s.key,
        |b, s| Q13Row { auction: b.auction, bidder: b.bidder, price: b.price, date_time: b.date_time, value: s.value.to_string() },
    )
}

/// q3's output: a seller in Oregon, Idaho or California and one of their category-10 auctions.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q3Row {
    /// Seller's name.
    pub name: String,
    /// Seller's city.
    pub city: String,
    /// Seller's state.
    pub state: String,
    /// Auction id.
    pub id: u64,
}

/// q3 (local item suggestion): category-10 auctions of sellers in OR, ID or CA. The persons
/// are the join's build side: a streaming run reads them whole first, so they must be bounded
/// (files, or a generator with a set number of events).
#[sabot::pipeline]
pub fn q3(auctions: Stream<Auction>, persons: Stream<Person>) -> Stream<Q3Row> {
    let sellers = persons.filter(|p| p.state == "OR" || p.state == "ID" || p.state == "CA");
    auctions.filter(|a| a.category == 10).join(
        sellers,
        |a| a.seller,
        |p| p.id,
        |a, p| Q3Row { name: p.name.to_string(), city: p.city.to_string(), state: p.state.to_string(), id: a.id },
    )
}

/// q8's windows: ten seconds.
pub const Q8_WINDOW: Tumbling = Tumbling::of(Duration::from_secs(10));

/// A seller who opened at least one auction in a window (q8's auction side).
#[derive(Record, Debug, Clone, PartialEq)]
pub struct SellerWindow {
    /// Seller (person) id.
    pub seller: u64,
    /// The window's last millisecond, so the row falls in the same window again.
    #[sabot(event_time, unit = "ms")]
    pub window_time: Timestamp,
}

/// q8's output: a person who registered and opened an auction in the same window.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q8Row {
    /// Person id.
    pub id: u64,
    /// Person name.
    pub name: String,
    /// Start of the window.
    #[sabot(unit = "ms")]
    pub starttime: Timestamp,
}

/// q8 (monitor new users): people who opened an auction in the 10-second window in which
/// they registered. Both inputs are unbounded streams: the join pairs rows of the same window
/// and emits them once the watermarks of both sides pass its end.
#[sabot::pipeline]
pub fn q8(persons: Stream<Person>, auctions: Stream<Auction>) -> Stream<Q8Row> {
    let sellers =
        auctions.window(Q8_WINDOW).group_by(|a| a.seller).aggregate(|w, seller, _a| SellerWindow { seller, window_time: w.time() });
    persons.window(Q8_WINDOW).join(
        sellers,
        |p| p.id,
        |s| s.seller,
        |w, p, _s| Q8Row { id: p.id, name: p.name.to_string(), starttime: w.start },
    )
}

/// A bid for an auction, while the auction was open (q4's join).
#[derive(Record, Debug, Clone, PartialEq)]
pub struct WinningBid {
    /// Auction id.
    pub id: u64,
    /// The auction's category.
    pub category: u64,
    /// The bid's price, in cents.
    pub price: u64,
}

/// An auction's closing price (its highest bid while open).
#[derive(Record, Debug, Clone, PartialEq)]
pub struct AuctionPrice {
    /// The auction's category.
    pub category: u64,
    /// The highest price bid.
    pub final_price: u64,
}

/// q4's output: the mean closing price of a category's auctions.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q4Row {
    /// Category id.
    pub category: u64,
    /// Mean of the auctions' closing prices, in cents.
    pub avg_price: f64,
}

/// q4 (average price for a category): each auction's highest bid made while it was open, then
/// the mean per category. The auctions are the join's build side, read whole first in a
/// streaming run (bounded), and the result comes at the end of input, where Flink updates it
/// as bids arrive.
#[sabot::pipeline]
pub fn q4(bids: Stream<Bid>, auctions: Stream<Auction>) -> Stream<Q4Row> {
    bids.join(
        auctions,
        |b| b.auction,
        |a| a.id,
        |b, a| WinningBid {
            id: a.id,
            category: if b.date_time >= a.date_time && b.date_time <= a.expires { a.category } else { u64::MAX },
            price: b.price,
        },
    )
    .filter(|w| w.category != u64::MAX)
    .group_by(|w| (w.id, w.category))
    .aggregate(|(_id, category), w| AuctionPrice { category, final_price: max(w.price) })
    .group_by(|p| p.category)
    .aggregate(|category, p| Q4Row { category, avg_price: avg(p.final_price) })
}

/// q20's output: a bid with its auction (category 10 only).
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q20Row {
    /// Auction id.
    pub auction: u64,
    /// Bidder id.
    pub bidder: u64,
    /// Price in cents.
    pub price: u64,
    /// Channel of the bid.
    pub channel: String,
    /// URL of the bid.
    pub url: String,
    /// When the bid was made.
    #[sabot(unit = "ms")]
    pub bid_date_time: Timestamp,
    /// The bid's padding.
    pub bid_extra: String,
    /// The auction's item.
    pub item_name: String,
    /// The auction's description.
    pub description: String,
    /// Opening price.
    pub initial_bid: u64,
    /// Reserve price.
    pub reserve: u64,
    /// When the auction opened.
    #[sabot(unit = "ms")]
    pub auction_date_time: Timestamp,
    /// When it closes.
    #[sabot(unit = "ms")]
    pub expires: Timestamp,
    /// Seller id.
    pub seller: u64,
    /// Category id (10).
    pub category: u64,
    /// The auction's padding.
    pub auction_extra: String,
}

/// q20 (expand bid with auction): every bid of a category-10 auction with the auction's
/// fields. The auctions are the join's build side (bounded in a streaming run).
#[sabot::pipeline]
pub fn q20(bids: Stream<Bid>, auctions: Stream<Auction>) -> Stream<Q20Row> {
    bids.join(
        auctions.filter(|a| a.category == 10),
        |b| b.auction,
        |a| a.id,
        |b, a| Q20Row {
            auction: b.auction,
            bidder: b.bidder,
            price: b.price,
            channel: b.channel.to_string(),
            url: b.url.to_string(),
            bid_date_time: b.date_time,
            bid_extra: b.extra.to_string(),
            item_name: a.item_name.to_string(),
            description: a.description.to_string(),
            initial_bid: a.initial_bid,
            reserve: a.reserve,
            auction_date_time: a.date_time,
            expires: a.expires,
            seller: a.seller,
            category: a.category,
            auction_extra: a.extra.to_string(),
        },
    )
}

/// q18 (find last bid): each bidder's latest bid on each auction (a later-read bid wins a tie
/// of event times). The result comes at the end of input, where Flink's deduplication emits a
/// changelog.
#[sabot::pipeline]
pub fn q18(bids: Stream<Bid>) -> Stream<Bid> {
    bids.key_by(|b| (b.bidder, b.auction))
        .reduce(|kept, b| if b.date_time >= kept.date_time { Bid::from_row(b) } else { Bid::from_row(kept) })
}
