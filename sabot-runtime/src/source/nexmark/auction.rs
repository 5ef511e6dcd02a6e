//! Auction events, as Beam's `AuctionGenerator` makes them: an id from the event id, a hot or
//! random seller, one of five categories, an initial bid and a reserve above it, an expiry
//! about as far ahead as `num_in_flight_auctions` auctions take to be created, a random item
//! name and description, and `extra` padding to `avg_auction_byte_size`.

use super::bid::next_price;
use super::columns::{ColType, ColumnDef, Columns};
use super::config::Rules;
use super::ids::{
    AUCTION_PROPORTION, FIRST_AUCTION_ID, FIRST_CATEGORY_ID, FIRST_PERSON_ID, HOT_SELLER_RATIO, NUM_CATEGORIES, PROPORTION_DENOMINATOR,
    last_base0_auction_id, last_base0_person_id, next_base0_person_id,
};
use super::strings::{next_extra, next_string};

/// The columns, named as in Flink's Nexmark schema.
pub(super) const COLUMNS: [ColumnDef; 10] = [
    ("id", ColType::U64),
    ("item_name", ColType::Str(10)),
    ("description", ColType::Str(50)),
    ("initial_bid", ColType::U64),
    ("reserve", ColType::U64),
    ("date_time", ColType::Millis),
    ("expires", ColType::Millis),
    ("seller", ColType::U64),
    ("category", ColType::U64),
    ("extra", ColType::Str(400)),
];

/// How far into the event's random draws each column is: 0 needs none, 1 the fields, 2 `extra`.
pub(super) const LEVELS: [u8; 10] = [0, 1, 1, 1, 1, 0, 1, 1, 1, 2];

const ID: usize = 0;
const ITEM_NAME: usize = 1;
const DESCRIPTION: usize = 2;
const INITIAL_BID: usize = 3;
const RESERVE: usize = 4;
const DATE_TIME: usize = 5;
const EXPIRES: usize = 6;
const SELLER: usize = 7;
const CATEGORY: usize = 8;
const EXTRA: usize = 9;

/// Appends auction event `id` to the columns, drawing values up to `level`.
pub(super) fn push(c: &mut Columns, rules: &Rules, id: i64, level: u8, scratch: &mut Vec<u8>) {
    c.u64(ID, last_base0_auction_id(id) + FIRST_AUCTION_ID);
    let now = rules.timestamp_ms(id);
    c.millis(DATE_TIME, now);
    if level == 0 {
        return;
    }
    let mut rng = rules.rng(id);
    // P(hot seller) = 1 - 1/hot_sellers_ratio; the hot seller is the first of the last 100 people.
    let seller = if rng.next_int_below(rules.hot_sellers_ratio) > 0 {
        (last_base0_person_id(id) / HOT_SELLER_RATIO) * HOT_SELLER_RATIO
    } else {
        next_base0_person_id(id, &mut rng, rules.active_people)
    };
    c.u64(SELLER, seller + FIRST_PERSON_ID);
    c.u64(CATEGORY, FIRST_CATEGORY_ID + i64::from(rng.next_int_below(NUM_CATEGORIES)));
    let initial_bid = next_price(&mut rng);
    c.u64(INITIAL_BID, initial_bid);
    // Lengths average the time until `num_in_flight_auctions` more auctions exist.
    let events_ahead = rules.in_flight_auctions * PROPORTION_DENOMINATOR / AUCTION_PROPORTION;
    let horizon = rules.timestamp_ms(id + events_ahead) - now;
    let expires = now + 1 + rng.next_long_below((horizon * 2).max(1));
    c.millis(EXPIRES, expires);
    scratch.clear();
    next_string(&mut rng, 20, b' ', scratch);
    let name_len = scratch.len();
    next_string(&mut rng, 100, b' ', scratch);
    let (name, description) = scratch.split_at(name_len);
    if let Some(col) = c.str(ITEM_NAME) {
        col.push(&[name]);
    }
    if let Some(col) = c.str(DESCRIPTION) {
        col.push(&[description]);
    }
    let reserve = initial_bid + next_price(&mut rng);
    c.u64(RESERVE, reserve);
    if let Some(col) = c.str(EXTRA) {
        let size = 8 + name.len() + description.len() + 8 + 8 + 8 + 8 + 8;
        col.push_with(|out| next_extra(&mut rng, size as i32, rules.avg_auction, out));
    }
}
