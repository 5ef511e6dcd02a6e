//! What the generator is told (`NexmarkConfig`, with Beam's defaults) and what it derives from
//! that once per source (`Rules`): event ids, timestamps and per-event random seeds.

use super::random::JavaRandom;
use crate::error::{Error, Result};
use crate::value::Timestamp;

/// How the Nexmark generator synthesises events. `Default` is Beam's `NexmarkConfiguration`
/// for one generator; change fields with struct update syntax:
///
/// ```
/// # use sabot_runtime::source::NexmarkConfig;
/// let config = NexmarkConfig { events: 1_000_000, rate: Some(50_000), ..NexmarkConfig::default() };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NexmarkConfig {
    /// Events to generate, persons, auctions and bids together (Beam's `numEvents`).
    pub events: u64,
    /// Seed: 0 draws each event's values from `new Random(eventId)` exactly as Beam does;
    /// any other seed is mixed into every event's seed for another, equally valid stream.
    pub seed: u64,
    /// Events per second of event time (Beam's `firstEventRate`, per second); `None` takes
    /// Beam's default, 10 000. Event `n` happens at `base_time + n * (1e6 / rate)µs` (the
    /// period rounded to whole microseconds, as Beam does).
    pub rate: Option<u64>,
    /// Event time of event 0 (Beam uses the launch time; a fixed instant keeps runs identical).
    pub base_time: Timestamp,
    /// Events are delivered in pseudo-random order within groups of this many (Beam's
    /// `outOfOrderGroupSize`); 1 delivers them in event-time order.
    pub out_of_order_group_size: u64,
    /// One bid in this many is for a random in-flight auction; the others go to the current
    /// hot auction (Beam's `hotAuctionRatio`).
    pub hot_auction_ratio: u32,
    /// One auction in this many has a random active seller, the others the hot seller.
    pub hot_sellers_ratio: u32,
    /// One bid in this many has a random active bidder, the others the hot bidder.
    pub hot_bidders_ratio: u32,
    /// People considered active when a seller or bidder is picked at random.
    pub num_active_people: u32,
    /// Auctions considered in flight when a bid picks its auction at random.
    pub num_in_flight_auctions: u32,
    /// Average size of a person in bytes; `extra` pads to it.
    pub avg_person_byte_size: u32,
    /// Average size of an auction in bytes; `extra` pads to it.
    pub avg_auction_byte_size: u32,
    /// Average size of a bid in bytes; `extra` pads to it.
    pub avg_bid_byte_size: u32,
    /// Events per second of wall-clock time, all splits together: event `n` (any kind) is not
    /// delivered before `n / max_rate` seconds after the first read. `None`: as fast as possible.
    pub max_rate: Option<u64>,
}

/// Beam's default event rate, events per second.
pub const DEFAULT_RATE: u64 = 10_000;

impl Default for NexmarkConfig {
    fn default() -> Self {
        NexmarkConfig {
            events: 100_000,
            seed: 0,
            rate: None,
            // 2024-01-01 00:00:00 UTC.
            base_time: Timestamp::from_millis(1_704_067_200_000),
            out_of_order_group_size: 1,
            hot_auction_ratio: 2,
            hot_sellers_ratio: 4,
            hot_bidders_ratio: 4,
            num_active_people: 1000,
            num_in_flight_auctions: 100,
            avg_person_byte_size: 200,
            avg_auction_byte_size: 500,
            avg_bid_byte_size: 100,
            max_rate: None,
        }
    }
}

/// The config checked and turned into the numbers the generators use.
#[derive(Debug, Clone)]
pub(super) struct Rules {
    /// Events in the stream.
    pub events: u64,
    /// XORed into each event id to seed its `Random` (0 for Beam's values).
    seed_mix: i64,
    /// Event time of event 0, ms since the epoch.
    base_ms: i64,
    /// Microseconds between events.
    delay_us: i64,
    /// Out-of-order group size.
    pub group: u64,
    /// `hot_auction_ratio` as Java's `int`.
    pub hot_auction_ratio: i32,
    /// `hot_sellers_ratio` as Java's `int`.
    pub hot_sellers_ratio: i32,
    /// `hot_bidders_ratio` as Java's `int`.
    pub hot_bidders_ratio: i32,
    /// `num_active_people`.
    pub active_people: i64,
    /// `num_in_flight_auctions`.
    pub in_flight_auctions: i64,
    /// Average sizes as Java's `int`.
    pub avg_person: i32,
    /// See `avg_person`.
    pub avg_auction: i32,
    /// See `avg_person`.
    pub avg_bid: i32,
}

impl NexmarkConfig {
    /// Checks the config; the error names the field and why.
    pub(super) fn rules(&self) -> Result<Rules> {
        let bad = |field: &str, why: &str| Error::Config(format!("nexmark: `{field}` {why}"));
        let rate = self.rate.unwrap_or(DEFAULT_RATE);
        if rate == 0 {
            return Err(bad("rate", "must be at least 1 event per second"));
        }
        if self.out_of_order_group_size == 0 {
            return Err(bad("out_of_order_group_size", "must be at least 1"));
        }
        let ratio =
            |field: &str, v: u32| i32::try_from(v).ok().filter(|v| *v > 0).ok_or_else(|| bad(field, "must be between 1 and 2^31 - 1"));
        let size = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
        if i64::try_from(self.events).is_err() || i64::try_from(self.out_of_order_group_size).is_err() {
            return Err(bad("events", "must be below 2^63"));
        }
        Ok(Rules {
            events: self.events,
            seed_mix: if self.seed == 0 { 0 } else { splitmix64(self.seed) as i64 },
            base_ms: self.base_time.millis(),
            delay_us: i64::try_from((1_000_000 + rate / 2) / rate).unwrap_or(0),
            group: self.out_of_order_group_size,
            hot_auction_ratio: ratio("hot_auction_ratio", self.hot_auction_ratio)?,
            hot_sellers_ratio: ratio("hot_sellers_ratio", self.hot_sellers_ratio)?,
            hot_bidders_ratio: ratio("hot_bidders_ratio", self.hot_bidders_ratio)?,
            active_people: i64::from(self.num_active_people),
            in_flight_auctions: i64::from(self.num_in_flight_auctions),
            avg_person: size(self.avg_person_byte_size),
            avg_auction: size(self.avg_auction_byte_size),
            avg_bid: size(self.avg_bid_byte_size),
        })
    }
}

impl Rules {
    /// The id of the event delivered at `position`: the position itself, or with out-of-order
    /// groups a permutation within its group (Beam's `nextAdjustedEventNumber`).
    #[inline]
    pub fn event_id(&self, position: u64) -> i64 {
        let (n, p) = (self.group as i64, position as i64);
        if n == 1 {
            return p;
        }
        (p / n) * n + p.wrapping_mul(953) % n
    }

    /// Event time of event `id`, ms since the epoch (Beam's `timestampAndInterEventDelayUsForEvent`
    /// for a constant rate).
    #[inline]
    pub fn timestamp_ms(&self, id: i64) -> i64 {
        self.base_ms.wrapping_add(id.wrapping_mul(self.delay_us) / 1000)
    }

    /// The `Random` that event `id` draws its values from (Beam: `new Random(eventId)`).
    #[inline]
    pub fn rng(&self, id: i64) -> JavaRandom {
        JavaRandom::new(id ^ self.seed_mix)
    }

    /// Seed for a value that belongs to no event (a channel's URL), from a tag and an index.
    pub fn side_seed(&self, tag: u64, index: u64) -> i64 {
        splitmix64((self.seed_mix as u64) ^ tag.wrapping_add(index)) as i64
    }
}

/// A 64-bit mixer (Steele et al.'s SplitMix64 finaliser): turns a seed into well-spread bits.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beam_timestamps_at_the_default_rate() {
        let r = NexmarkConfig::default().rules().unwrap();
        // 10 000 events/s: 100 µs apart, so 10 events per millisecond.
        assert_eq!(r.timestamp_ms(0), 1_704_067_200_000);
        assert_eq!(r.timestamp_ms(9), 1_704_067_200_000);
        assert_eq!(r.timestamp_ms(10), 1_704_067_200_001);
        assert_eq!(r.timestamp_ms(25_000), 1_704_067_202_500);
    }

    #[test]
    fn out_of_order_groups_permute_their_own_ids() {
        let r = NexmarkConfig { out_of_order_group_size: 10, ..NexmarkConfig::default() }.rules().unwrap();
        let mut ids: Vec<i64> = (20..30).map(|p| r.event_id(p)).collect();
        assert_ne!(ids, (20..30).collect::<Vec<_>>());
        ids.sort();
        assert_eq!(ids, (20..30).collect::<Vec<_>>());
    }

    #[test]
    fn bad_configs_name_the_field() {
        let e = NexmarkConfig { rate: Some(0), ..NexmarkConfig::default() }.rules().unwrap_err();
        assert!(e.to_string().contains("`rate`"), "{e}");
        let e = NexmarkConfig { hot_bidders_ratio: 0, ..NexmarkConfig::default() }.rules().unwrap_err();
        assert!(e.to_string().contains("`hot_bidders_ratio`"), "{e}");
    }
}
