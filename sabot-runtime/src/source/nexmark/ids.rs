//! Which event is which, and the ids it carries: Beam's proportions (1 person, 3 auctions,
//! 46 bids in every 50 events) and its rules for the last id issued and for a random id among
//! the active people or in-flight auctions (`PersonGenerator`, `AuctionGenerator`).
//!
//! Ids are "base 0" here; records add `FIRST_PERSON_ID` / `FIRST_AUCTION_ID`. All arithmetic
//! is Java's `long`: before the first auction the last auction id is -1.

use super::random::JavaRandom;

/// Persons in every `PROPORTION_DENOMINATOR` events.
pub(super) const PERSON_PROPORTION: i64 = 1;
/// Auctions in every `PROPORTION_DENOMINATOR` events.
pub(super) const AUCTION_PROPORTION: i64 = 3;
/// Bids in every `PROPORTION_DENOMINATOR` events.
pub(super) const BID_PROPORTION: i64 = 46;
/// Events in one round of persons, auctions and bids.
pub(super) const PROPORTION_DENOMINATOR: i64 = PERSON_PROPORTION + AUCTION_PROPORTION + BID_PROPORTION;
/// The first person's id.
pub(super) const FIRST_PERSON_ID: i64 = 1000;
/// The first auction's id.
pub(super) const FIRST_AUCTION_ID: i64 = 1000;
/// The first category's id.
pub(super) const FIRST_CATEGORY_ID: i64 = 10;
/// Categories an auction is put in.
pub(super) const NUM_CATEGORIES: i32 = 5;
/// Ids of people not yet created that a random pick may return.
const PERSON_ID_LEAD: i64 = 10;
/// Ids of auctions not yet created that a random pick may return.
const AUCTION_ID_LEAD: i64 = 10;
/// Hot sellers are the first person of each run of this many.
pub(super) const HOT_SELLER_RATIO: i64 = 100;
/// Hot auctions are the first auction of each run of this many.
pub(super) const HOT_AUCTION_RATIO: i64 = 100;
/// Hot bidders are the second person of each run of this many.
pub(super) const HOT_BIDDER_RATIO: i64 = 100;

/// The three kinds of Nexmark events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A new person (`persons()`).
    Person,
    /// A new auction (`auctions()`).
    Auction,
    /// A bid (`bids()`).
    Bid,
}

impl EventKind {
    /// The kind of event `id`: its place in its round of 50.
    #[inline]
    pub fn of(id: i64) -> EventKind {
        let offset = id % PROPORTION_DENOMINATOR;
        if offset < PERSON_PROPORTION {
            EventKind::Person
        } else if offset < PERSON_PROPORTION + AUCTION_PROPORTION {
            EventKind::Auction
        } else {
            EventKind::Bid
        }
    }

    /// The offsets within a round of 50 that hold this kind, as `lo..hi`.
    pub(super) fn offsets(self) -> (u64, u64) {
        let (p, a) = (PERSON_PROPORTION as u64, (PERSON_PROPORTION + AUCTION_PROPORTION) as u64);
        match self {
            EventKind::Person => (0, p),
            EventKind::Auction => (p, a),
            EventKind::Bid => (a, PROPORTION_DENOMINATOR as u64),
        }
    }

    /// Events of this kind among ids `0..end` (for ids in order).
    pub(super) fn count_before(self, end: u64) -> u64 {
        let (lo, hi) = self.offsets();
        let round = PROPORTION_DENOMINATOR as u64;
        (end / round) * (hi - lo) + (end % round).clamp(lo, hi) - lo
    }

    /// The plural name, as the source's methods are named.
    pub fn plural(self) -> &'static str {
        match self {
            EventKind::Person => "persons",
            EventKind::Auction => "auctions",
            EventKind::Bid => "bids",
        }
    }
}

/// The last person id issued at event `id` (the event's own when it is a person).
#[inline]
pub(super) fn last_base0_person_id(id: i64) -> i64 {
    let epoch = id / PROPORTION_DENOMINATOR;
    let offset = (id % PROPORTION_DENOMINATOR).min(PERSON_PROPORTION - 1);
    epoch * PERSON_PROPORTION + offset
}

/// A random person among the last `active_people`, or one of the next few to be created.
#[inline]
pub(super) fn next_base0_person_id(id: i64, rng: &mut JavaRandom, active_people: i64) -> i64 {
    let num_people = last_base0_person_id(id) + 1;
    let active = num_people.min(active_people);
    num_people - active + rng.next_long_below(active + PERSON_ID_LEAD)
}

/// The last auction id issued at event `id` (the event's own when it is an auction).
#[inline]
pub(super) fn last_base0_auction_id(id: i64) -> i64 {
    let mut epoch = id / PROPORTION_DENOMINATOR;
    let mut offset = id % PROPORTION_DENOMINATOR;
    if offset < PERSON_PROPORTION {
        // A person: the last auction was in the previous round.
        epoch -= 1;
        offset = AUCTION_PROPORTION - 1;
    } else if offset >= PERSON_PROPORTION + AUCTION_PROPORTION {
        // A bid: the last auction of this round.
        offset = AUCTION_PROPORTION - 1;
    } else {
        offset -= PERSON_PROPORTION;
    }
    epoch * AUCTION_PROPORTION + offset
}

/// A random auction among the last `in_flight` ones, or one of the next few to be created.
#[inline]
pub(super) fn next_base0_auction_id(id: i64, rng: &mut JavaRandom, in_flight: i64) -> i64 {
    let max_auction = last_base0_auction_id(id);
    let min_auction = (max_auction - in_flight).max(0);
    min_auction + rng.next_long_below(max_auction - min_auction + 1 + AUCTION_ID_LEAD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_person_three_auctions_forty_six_bids_per_round() {
        let kinds: Vec<EventKind> = (0..50).map(EventKind::of).collect();
        assert_eq!(kinds.iter().filter(|k| **k == EventKind::Person).count(), 1);
        assert_eq!(kinds.iter().filter(|k| **k == EventKind::Auction).count(), 3);
        assert_eq!(kinds.iter().filter(|k| **k == EventKind::Bid).count(), 46);
        assert_eq!(&kinds[..5], [EventKind::Person, EventKind::Auction, EventKind::Auction, EventKind::Auction, EventKind::Bid]);
        for kind in [EventKind::Person, EventKind::Auction, EventKind::Bid] {
            for end in [0, 1, 3, 4, 49, 50, 51, 1234] {
                let naive = (0..end).filter(|&i| EventKind::of(i as i64) == kind).count() as u64;
                assert_eq!(kind.count_before(end), naive, "{kind:?} before {end}");
            }
        }
    }

    #[test]
    fn last_ids_follow_beam() {
        assert_eq!(last_base0_person_id(0), 0);
        assert_eq!(last_base0_person_id(49), 0);
        assert_eq!(last_base0_person_id(50), 1);
        assert_eq!(last_base0_auction_id(0), -1);
        assert_eq!(last_base0_auction_id(1), 0);
        assert_eq!(last_base0_auction_id(3), 2);
        assert_eq!(last_base0_auction_id(4), 2);
        assert_eq!(last_base0_auction_id(50), 2);
        assert_eq!(last_base0_auction_id(51), 3);
    }
}
