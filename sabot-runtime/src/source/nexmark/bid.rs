//! Bid events: auction, bidder and price as Beam's `BidGenerator` draws them, then a channel and
//! URL as the Flink Nexmark generator (nexmark/nexmark) adds them, then `extra` padding to
//! `avg_bid_byte_size`.
//!
//! Channels: half the bids come through one of four hot channels (Google, Facebook, Baidu,
//! Apple), the others through `channel-0` .. `channel-9999`. Each channel has a URL
//! `https://www.nexmark.com/abc/de_f/ghi/item.htm?query=1`, nine in ten of the numbered ones
//! followed by `&channel_id=` and the channel number with its 32 bits reversed. Flink draws
//! those URLs from unseeded `Random`s (different on every run); here each channel's URL is
//! drawn from a `Random` seeded by the config's seed and the channel, so runs repeat.

use super::columns::{ColType, ColumnDef, Columns};
use super::config::Rules;
use super::ids::{
    FIRST_AUCTION_ID, FIRST_PERSON_ID, HOT_AUCTION_RATIO, HOT_BIDDER_RATIO, last_base0_auction_id, last_base0_person_id,
    next_base0_auction_id, next_base0_person_id,
};
use super::random::JavaRandom;
use super::strings::{next_extra, next_string};

/// The columns, named as in Flink's Nexmark schema.
pub(super) const COLUMNS: [ColumnDef; 7] = [
    ("auction", ColType::U64),
    ("bidder", ColType::U64),
    ("price", ColType::U64),
    ("channel", ColType::Str(10)),
    ("url", ColType::Str(64)),
    ("date_time", ColType::Millis),
    ("extra", ColType::Str(68)),
];

/// How far into the event's random draws each column is; a bid stops drawing after the last
/// value a requested column needs.
pub(super) const LEVELS: [u8; 7] = [1, 2, 3, 4, 4, 0, 5];

/// The level at which a bid draws its channel.
const CHANNEL_LEVEL: u8 = 4;

const AUCTION: usize = 0;
const BIDDER: usize = 1;
const PRICE: usize = 2;
pub(super) const CHANNEL: usize = 3;
pub(super) const URL: usize = 4;
const DATE_TIME: usize = 5;
const EXTRA: usize = 6;

/// One bid in this many comes through a numbered channel (Flink's `HOT_CHANNELS_RATIO`).
const HOT_CHANNELS_RATIO: i32 = 2;
/// Numbered channels.
const CHANNELS: i32 = 10_000;
/// The hot channels.
const HOT_CHANNELS: [&str; 4] = ["Google", "Facebook", "Baidu", "Apple"];
/// Seed tags for the URLs of hot and numbered channels.
const HOT_URL_TAG: u64 = 0x486f_7455_726c_0000;
const CHANNEL_URL_TAG: u64 = 0x4368_616e_6e65_6c00;

/// Beam's `PriceGenerator.nextPrice`: `round(10^(u * 6) * 100)` cents, 1.00 to 1 000 000.00
/// dollars, log-uniform.
#[inline]
pub(super) fn next_price(rng: &mut JavaRandom) -> i64 {
    price_of(rng.next_double())
}

#[inline]
fn price_of(u: f64) -> i64 {
    (10f64.powf(u * 6.0) * 100.0).round() as i64
}

/// Channel names and URLs: the four hot ones, then `channel-0` .. `channel-9999`.
#[derive(Debug)]
pub(super) struct Channels {
    names: Vec<String>,
    urls: Vec<String>,
}

impl Channels {
    /// Every channel's name and URL for this config's seed.
    pub fn new(rules: &Rules) -> Self {
        let mut names: Vec<String> = HOT_CHANNELS.iter().map(|s| s.to_string()).collect();
        let mut urls: Vec<String> =
            (0..HOT_CHANNELS.len() as u64).map(|i| base_url(&mut JavaRandom::new(rules.side_seed(HOT_URL_TAG, i)))).collect();
        for c in 0..CHANNELS {
            let mut rng = JavaRandom::new(rules.side_seed(CHANNEL_URL_TAG, c as u64));
            let mut url = base_url(&mut rng);
            if rng.next_int_below(10) > 0 {
                // Java's `Math.abs(Integer.reverse(c))`: channel 1 gives -2147483648.
                url.push_str(&format!("&channel_id={}", c.reverse_bits().wrapping_abs()));
            }
            names.push(format!("channel-{c}"));
            urls.push(url);
        }
        Channels { names, urls }
    }
}

/// Flink's `getBaseUrl`: three short random path segments (with `_` where a space would be).
fn base_url(rng: &mut JavaRandom) -> String {
    let mut s = b"https://www.nexmark.com/".to_vec();
    for _ in 0..3 {
        next_string(rng, 5, b'_', &mut s);
        s.push(b'/');
    }
    s.extend_from_slice(b"item.htm?query=1");
    String::from_utf8(s).expect("ascii")
}

/// Appends bid event `id` to the columns, drawing values up to `level`; `channels` is there
/// when the channel or URL is read.
#[inline]
pub(super) fn push(c: &mut Columns, rules: &Rules, id: i64, level: u8, channels: Option<&Channels>) {
    c.millis(DATE_TIME, rules.timestamp_ms(id));
    if level == 0 {
        return;
    }
    let mut rng = rules.rng(id);
    // P(hot auction) = 1 - 1/hot_auction_ratio; the hot one is the first of the last 100 auctions.
    let auction = if rng.next_int_below(rules.hot_auction_ratio) > 0 {
        (last_base0_auction_id(id) / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO
    } else {
        next_base0_auction_id(id, &mut rng, rules.in_flight_auctions)
    };
    c.u64(AUCTION, auction + FIRST_AUCTION_ID);
    if level < 2 {
        return;
    }
    // The hot bidder is the second of the last 100 people, so it is not the hot seller.
    let bidder = if rng.next_int_below(rules.hot_bidders_ratio) > 0 {
        (last_base0_person_id(id) / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO + 1
    } else {
        next_base0_person_id(id, &mut rng, rules.active_people)
    };
    c.u64(BIDDER, bidder + FIRST_PERSON_ID);
    if level < 3 {
        return;
    }
    let u = rng.next_double();
    if c.wants(PRICE) {
        c.u64(PRICE, price_of(u));
    }
    if level < CHANNEL_LEVEL {
        return;
    }
    let channel = if rng.next_int_below(HOT_CHANNELS_RATIO) > 0 {
        rng.next_int_below(HOT_CHANNELS.len() as i32) as usize
    } else {
        HOT_CHANNELS.len() + rng.next_int_below(CHANNELS) as usize
    };
    if let Some(channels) = channels {
        if let Some(col) = c.str(CHANNEL) {
            col.push(&[channels.names[channel].as_bytes()]);
        }
        if let Some(col) = c.str(URL) {
            col.push(&[channels.urls[channel].as_bytes()]);
        }
    }
    if let Some(col) = c.str(EXTRA) {
        col.push_with(|out| next_extra(&mut rng, 8 + 8 + 8 + 8, rules.avg_bid, out));
    }
}
