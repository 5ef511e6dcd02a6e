//! The Nexmark event generator as a source: `nexmark(config)` gives `.persons()`,
//! `.auctions()` and `.bids()`, three sources over one deterministic stream of auction-site
//! events.
//!
//! # What it follows
//!
//! Apache Beam's Nexmark generator (`sdks/java/testing/nexmark`, `sources/generator/`), rule for
//! rule, with the bid's `channel` and `url` of the Flink Nexmark generator (nexmark/nexmark,
//! `nexmark-flink`), whose schema the column names follow:
//!
//! - Event `id` is a person when `id % 50 == 0`, an auction when it is 1 to 3, a bid otherwise
//!   (1:3:46). Persons and auctions take ids from 1000 in event order; bids and auctions refer
//!   to the last ids issued, and a random pick may return up to 10 ids not yet issued (Beam's
//!   id leads), so some bids name an auction or person that comes later.
//! - Each event draws its values from `java.util.Random` seeded with its id (`random.rs`
//!   implements that LCG exactly), in Beam's order: the values of event `id` do not depend on
//!   any other event, which is why the stream splits into ranges generated in parallel.
//! - Bids go to the hot auction (the first of each 100) except one in `hot_auction_ratio`
//!   (default 2), which picks among the last `num_in_flight_auctions` (100); bidders and
//!   sellers likewise with `hot_bidders_ratio` and `hot_sellers_ratio` (4) among the last
//!   `num_active_people` (1000). Prices are `round(10^(u*6) * 100)` cents. Auctions have 5
//!   categories from 10 and expire within twice the time 100 auctions take to appear.
//!   Names, e-mail addresses, credit cards, cities, states and `extra` (padding to 200, 500
//!   and 100 bytes on average) are Beam's.
//! - Event `n` happens at `base_time + n * (1e6 / rate)µs` (whole microseconds, as Beam), and
//!   with `out_of_order_group_size` above 1 the events of each group are delivered permuted as
//!   Beam's `nextAdjustedEventNumber` does, so event times go back and forth within a group.
//!
//! # Where it differs
//!
//! - One generator, one timeline: Beam's default spreads the id space over 100 generators,
//!   each with its own timeline at a hundredth of the rate. With `numEventGenerators = 1`,
//!   seed 0 and the same base time, the values here are Beam's.
//! - `base_time` is a fixed instant by default instead of the launch time.
//! - A non-zero `seed` is mixed into each event's seed: another stream with the same rules.
//! - Bids: after the price, a channel and URL are drawn as Flink does (one hot channel in
//!   two), then `extra`; so a bid's `extra` is not Beam's. Flink's URLs come from unseeded
//!   `Random`s; here they are seeded (see `bid.rs`). Flink adds 1000 to the bidder twice; this
//!   adds it once, as Beam does.
//! - No rate shapes (Beam's sine/square waves), no delayed events (`probDelayedEvent` only
//!   delays wall-clock emission in Beam), no Flink extended bids.
//! - Prices use the platform's `pow`; a test checks a million of them against the JVM's.
//!
//! # Splits
//!
//! Each source splits the positions `0..events` into ranges, by default as many events as give
//! about one morsel of its kind (71 200 events for bids at 65 536 rows, 3.3 M for persons),
//! and builds only the requested columns, drawing for each event only as far as the last
//! requested value needs (a bid read for its auction and price never builds its `extra`).

mod auction;
mod bid;
mod columns;
mod config;
mod ids;
mod person;
mod random;
mod strings;

pub use self::config::{DEFAULT_RATE, NexmarkConfig};
pub use self::ids::EventKind;

use self::bid::Channels;
use self::columns::{ColumnDef, Columns};
use self::config::Rules;
use super::{MorselIter, ReadRequest, Source, Split};
use crate::conform::Origin;
use crate::error::{Error, Result};
use crate::stage::Morsel;
use arrow::array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use std::sync::{Arc, OnceLock};

/// A Nexmark event stream; its `persons()`, `auctions()` and `bids()` are sources.
#[derive(Debug, Clone)]
pub struct Nexmark {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    config: NexmarkConfig,
    /// When the first read began: `max_rate` paces from here.
    started: OnceLock<std::time::Instant>,
    /// Channel names and URLs, built when a job first reads them.
    channels: OnceLock<Arc<Channels>>,
}

/// The Nexmark generator over `config` (Beam's defaults: `NexmarkConfig::default()`).
pub fn nexmark(config: NexmarkConfig) -> Nexmark {
    Nexmark { shared: Arc::new(Shared { config, started: OnceLock::new(), channels: OnceLock::new() }) }
}

impl Nexmark {
    /// The config.
    pub fn config(&self) -> &NexmarkConfig {
        &self.shared.config
    }
    /// The person events: `id, name, email_address, credit_card, city, state, date_time, extra`.
    pub fn persons(&self) -> NexmarkSource {
        self.events(EventKind::Person)
    }
    /// The auction events: `id, item_name, description, initial_bid, reserve, date_time,
    /// expires, seller, category, extra`.
    pub fn auctions(&self) -> NexmarkSource {
        self.events(EventKind::Auction)
    }
    /// The bid events: `auction, bidder, price, channel, url, date_time, extra`.
    pub fn bids(&self) -> NexmarkSource {
        self.events(EventKind::Bid)
    }
    /// The events of one kind.
    pub fn events(&self, kind: EventKind) -> NexmarkSource {
        NexmarkSource { shared: Arc::clone(&self.shared), kind, split_events: None }
    }
}

/// The events of one kind of a Nexmark stream, as a source.
#[derive(Debug, Clone)]
pub struct NexmarkSource {
    shared: Arc<Shared>,
    kind: EventKind,
    split_events: Option<u64>,
}

impl NexmarkSource {
    /// Events (of all kinds) per split, instead of about one morsel of this kind's rows.
    pub fn split_events(mut self, events: u64) -> Self {
        self.split_events = Some(events.max(1));
        self
    }

    /// The kind of event.
    pub fn kind(&self) -> EventKind {
        self.kind
    }

    /// The Arrow schema of every column this source can give: ids and prices `UInt64`, text
    /// `Utf8`, times `Timestamp(Millisecond)`, none nullable.
    pub fn schema(&self) -> SchemaRef {
        let fields: Vec<Field> = columns_of(self.kind).iter().map(|(name, ty)| Field::new(*name, ty.data_type(), false)).collect();
        Arc::new(Schema::new(fields))
    }
}

/// A kind's columns and how far into its random draws each one is.
fn columns_of(kind: EventKind) -> &'static [ColumnDef] {
    match kind {
        EventKind::Person => &person::COLUMNS,
        EventKind::Auction => &auction::COLUMNS,
        EventKind::Bid => &bid::COLUMNS,
    }
}

fn levels_of(kind: EventKind) -> &'static [u8] {
    match kind {
        EventKind::Person => &person::LEVELS,
        EventKind::Auction => &auction::LEVELS,
        EventKind::Bid => &bid::LEVELS,
    }
}

/// What every split of one read shares.
struct Plan {
    rules: Rules,
    kind: EventKind,
    /// Requested columns, as indices into the kind's columns, in request order.
    wanted: Vec<usize>,
    /// How far each event draws.
    level: u8,
    schema: SchemaRef,
    /// Whether a column is cast to the type the record asks for (an `i64` id, say).
    casts: Vec<Option<DataType>>,
    channels: Option<Arc<Channels>>,
    batch_rows: usize,
    /// With `max_rate`: when reading began, and events per second.
    pace: Option<(std::time::Instant, u64)>,
}

impl Source for NexmarkSource {
    fn splits(&self, req: &ReadRequest) -> Result<Vec<Box<dyn Split>>> {
        self.split_stream(req)?.collect()
    }

    fn split_stream(&self, req: &ReadRequest) -> Result<crate::source::SplitStream> {
        let (plan, step, origin) = self.prepare(req)?;
        let (kind, events) = (self.kind, plan.rules.events);
        let mut start = 0u64;
        Ok(Box::new(std::iter::from_fn(move || {
            if start >= events {
                return None;
            }
            let end = start.saturating_add(step).min(events);
            let first_row = kind.count_before(start);
            let split: Box<dyn Split> =
                Box::new(EventSplit { plan: Arc::clone(&plan), start, end, origin: Origin { first_row, ..origin.clone() } });
            start = end;
            Some(Ok(split))
        })))
    }

    fn describe(&self) -> String {
        let c = &self.shared.config;
        format!("nexmark {} ({} events, seed {})", self.kind.plural(), c.events, c.seed)
    }
}

impl NexmarkSource {
    /// What every split of a read shares, the events per split, and the splits' origin.
    fn prepare(&self, req: &ReadRequest) -> Result<(Arc<Plan>, u64, Origin)> {
        let rules = self.shared.config.rules()?;
        let defs = columns_of(self.kind);
        let origin = Origin { source: req.source.clone(), file: None, first_row: 0 };
        let mut wanted = Vec::with_capacity(req.columns.len());
        for column in &req.columns {
            let Some(i) = defs.iter().position(|(name, _)| name == column) else {
                let found: Vec<_> = defs.iter().map(|(name, _)| format!("`{name}`")).collect();
                return Err(Error::MissingColumn {
                    origin: format!("{origin} ({})", self.describe()),
                    column: column.clone(),
                    record: req.record.to_string(),
                    found: found.join(", "),
                });
            };
            if !wanted.contains(&i) {
                wanted.push(i);
            }
        }
        let level = wanted.iter().map(|&i| levels_of(self.kind)[i]).max().unwrap_or(0);
        let mut fields = Vec::with_capacity(wanted.len());
        let mut casts = Vec::with_capacity(wanted.len());
        for &i in &wanted {
            let (name, ty) = defs[i];
            let cast = req.schema.field_with_name(name).ok().map(|f| f.data_type().clone()).filter(|t| {
                // Integers the record declares with another width or sign: every value fits.
                *t != ty.data_type() && (t.is_integer() || t.is_floating()) && matches!(ty, columns::ColType::U64)
            });
            fields.push(Field::new(name, cast.clone().unwrap_or_else(|| ty.data_type()), false));
            casts.push(cast);
        }
        let reads_channels = self.kind == EventKind::Bid && (wanted.contains(&bid::CHANNEL) || wanted.contains(&bid::URL));
        let channels = reads_channels.then(|| Arc::clone(self.shared.channels.get_or_init(|| Arc::new(Channels::new(&rules)))));
        let step = self.events_per_split(req.batch_rows, rules.group);
        let plan = Arc::new(Plan {
            rules,
            kind: self.kind,
            wanted,
            level,
            schema: Arc::new(Schema::new(fields)),
            casts,
            channels,
            batch_rows: req.batch_rows.max(1),
            pace: self.shared.config.max_rate.map(|r| (*self.shared.started.get_or_init(std::time::Instant::now), r.max(1))),
        });
        Ok((plan, step, origin))
    }

    /// Events per split: whole rounds of 50 holding about `batch_rows` rows of this kind, then
    /// whole out-of-order groups, so that each split's ids are its own positions.
    fn events_per_split(&self, batch_rows: usize, group: u64) -> u64 {
        let step = self.split_events.unwrap_or_else(|| {
            let (lo, hi) = self.kind.offsets();
            (batch_rows.max(1) as u64 / (hi - lo)).max(1) * ids::PROPORTION_DENOMINATOR as u64
        });
        step.div_ceil(group).saturating_mul(group)
    }
}

/// The positions `start..end` of the stream, for one kind.
struct EventSplit {
    plan: Arc<Plan>,
    start: u64,
    end: u64,
    origin: Origin,
}

impl Split for EventSplit {
    fn open(self: Box<Self>) -> Result<MorselIter> {
        let EventSplit { plan, start, end, origin } = *self;
        Ok(Box::new(Events { plan, next: start, end, origin, scratch: Vec::new() }))
    }
}

/// Generates a split's events morsel by morsel.
struct Events {
    plan: Arc<Plan>,
    /// The next position to look at.
    next: u64,
    end: u64,
    /// Where the next morsel starts.
    origin: Origin,
    /// Room for strings that are split into columns.
    scratch: Vec<u8>,
}

impl Events {
    /// The next position that may hold an event of the plan's kind. In order (no out-of-order
    /// groups) that is the next position with the kind's offset, so other kinds are skipped
    /// without a look.
    #[inline]
    fn advance(&mut self) -> Option<u64> {
        if self.next >= self.end {
            return None;
        }
        let mut pos = self.next;
        if self.plan.rules.group == 1 {
            let (lo, hi) = self.plan.kind.offsets();
            let round = ids::PROPORTION_DENOMINATOR as u64;
            let offset = pos % round;
            if offset < lo {
                pos += lo - offset;
            } else if offset >= hi {
                pos += round - offset + lo;
            }
        }
        if pos >= self.end {
            self.next = self.end;
            return None;
        }
        self.next = pos + 1;
        Some(pos)
    }

    fn morsel(&mut self) -> Option<Result<Morsel>> {
        let plan = Arc::clone(&self.plan);
        let (lo, hi) = plan.kind.offsets();
        let expected = (self.end - self.next) / ids::PROPORTION_DENOMINATOR as u64 * (hi - lo) + (hi - lo);
        let mut cols = Columns::new(columns_of(plan.kind), &plan.wanted, plan.batch_rows.min(expected as usize));
        let channels = plan.channels.as_deref();
        let mut rows = 0usize;
        while rows < plan.batch_rows {
            let Some(pos) = self.advance() else { break };
            let id = plan.rules.event_id(pos);
            if EventKind::of(id) != plan.kind {
                continue;
            }
            match plan.kind {
                EventKind::Person => person::push(&mut cols, &plan.rules, id, plan.level, &mut self.scratch),
                EventKind::Auction => auction::push(&mut cols, &plan.rules, id, plan.level, &mut self.scratch),
                EventKind::Bid => bid::push(&mut cols, &plan.rules, id, plan.level, channels),
            }
            rows += 1;
        }
        if rows == 0 {
            return None;
        }
        let origin = self.origin.clone();
        self.origin.first_row += rows as u64;
        Some(self.batch(cols, rows).map(|batch| Morsel { batch, origin }))
    }

    fn batch(&self, cols: Columns, rows: usize) -> Result<RecordBatch> {
        let plan = &self.plan;
        let mut arrays: Vec<ArrayRef> = cols.finish(&plan.wanted);
        for (array, cast) in arrays.iter_mut().zip(&plan.casts) {
            if let Some(to) = cast {
                *array = arrow::compute::cast(array, to).map_err(|e| Error::arrow(format!("{}: casting", self.origin), e))?;
            }
        }
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        RecordBatch::try_new_with_options(Arc::clone(&plan.schema), arrays, &options)
            .map_err(|e| Error::arrow(format!("{}: building a batch", self.origin), e))
    }
}

impl Iterator for Events {
    type Item = Result<Morsel>;

    fn next(&mut self) -> Option<Self::Item> {
        let morsel = self.morsel()?;
        if let Some((started, rate)) = self.plan.pace {
            // Not before the last event it holds is due.
            let due = started + std::time::Duration::from_secs_f64(self.next as f64 / rate as f64);
            if let Some(wait) = due.checked_duration_since(std::time::Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        Some(morsel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, AsArray};
    use arrow::datatypes::{Int64Type, TimestampMillisecondType, UInt64Type};

    fn read(src: &NexmarkSource, columns: &[&str], batch_rows: usize) -> Vec<RecordBatch> {
        read_as(src, src.schema(), columns, batch_rows)
    }

    fn read_as(src: &NexmarkSource, schema: SchemaRef, columns: &[&str], batch_rows: usize) -> Vec<RecordBatch> {
        let req = ReadRequest {
            source: "events".into(),
            record: "Event".into(),
            schema,
            columns: columns.iter().map(|c| c.to_string()).collect(),
            batch_rows,
            prune: None,
        };
        let mut out = Vec::new();
        for split in src.splits(&req).unwrap() {
            for m in split.open().unwrap() {
                out.push(m.unwrap().batch);
            }
        }
        out
    }

    fn rows(batches: &[RecordBatch]) -> usize {
        batches.iter().map(|b| b.num_rows()).sum()
    }

    fn u64s(batches: &[RecordBatch], column: &str) -> Vec<u64> {
        batches.iter().flat_map(|b| b[column].as_primitive::<UInt64Type>().values().to_vec()).collect()
    }

    fn millis(batches: &[RecordBatch], column: &str) -> Vec<i64> {
        batches.iter().flat_map(|b| b[column].as_primitive::<TimestampMillisecondType>().values().to_vec()).collect()
    }

    fn strings(batches: &[RecordBatch], column: &str) -> Vec<String> {
        batches.iter().flat_map(|b| b[column].as_string::<i32>().iter().map(|s| s.unwrap().to_string()).collect::<Vec<_>>()).collect()
    }

    fn config(events: u64) -> NexmarkConfig {
        NexmarkConfig { events, ..NexmarkConfig::default() }
    }

    #[test]
    fn one_person_three_auctions_forty_six_bids_in_fifty_events() {
        for (events, want) in [(50, [1, 3, 46]), (5_000, [100, 300, 4_600]), (5_049, [101, 303, 4_645])] {
            let n = nexmark(config(events));
            let got = [n.persons(), n.auctions(), n.bids()].map(|s| rows(&read(&s, &["date_time"], 1000)));
            assert_eq!(got, want, "{events} events");
        }
    }

    /// Values printed by the JVM for Beam's rules (`java.util.Random`, `Math.pow`, `String.trim`,
    /// `String.format("%04d")`) with one generator at 10 000 events/s from the same base time;
    /// every field of 200 000 events was compared once, these few are kept.
    #[test]
    fn matches_beams_generator_on_the_jvm() {
        let n = nexmark(config(200_000));
        let p = read(&n.persons(), &["id", "name", "email_address", "credit_card", "city", "state", "date_time"], 65_536);
        let person = |i: usize| {
            let s = |c: &str| strings(&p, c)[i].clone();
            (u64s(&p, "id")[i], s("name"), s("email_address"), s("credit_card"), s("city"), s("state"), millis(&p, "date_time")[i])
        };
        let base = 1_704_067_200_000;
        let want = (1000, "Peter Jones".into(), "nhd@xcat.com".into(), "7241 7320 9143 4888".into(), "Portland".into(), "WY".into(), base);
        assert_eq!(person(0), want);
        let want = (
            4999,
            "Paul Walton".into(),
            "cpa@i p.com".into(),
            "9336 7008 9551 4304".into(),
            "Los Angeles".into(),
            "ID".into(),
            base + 19_995,
        );
        assert_eq!(person(3999), want);
        let a = read(&n.auctions(), &["id", "item_name", "initial_bid", "reserve", "expires", "seller", "category"], 65_536);
        let auction = |i: usize| {
            let u = |c: &str| u64s(&a, c)[i];
            (
                u("id"),
                strings(&a, "item_name")[i].clone(),
                u("initial_bid"),
                u("reserve"),
                millis(&a, "expires")[i],
                u("seller"),
                u("category"),
            )
        };
        assert_eq!(auction(1), (1001, "z ck w".into(), 25_626_290, 28_805_847, base + 202, 1000, 12));
        assert_eq!(auction(11_999), (12_999, "ze hyiqamilmijzfki".into(), 23_729_009, 23_759_851, base + 20_196, 4900, 14));
        let b = read(&n.bids(), &["auction", "bidder", "price", "channel"], 65_536);
        let bid = |i: usize| (u64s(&b, "auction")[i], u64s(&b, "bidder")[i], u64s(&b, "price")[i], strings(&b, "channel")[i].clone());
        assert_eq!(bid(0), (1000, 1001, 32_530_001, "Google".into()));
        assert_eq!(bid(183_993), (12_926, 4901, 596_003, "channel-3299".into()));
        assert_eq!(bid(183_999), (12_921, 4861, 131, "Google".into()));
    }

    #[test]
    fn ids_start_at_1000_and_bids_stay_in_flight() {
        // One event per millisecond, so a row's event id is its time since the base.
        let cfg = NexmarkConfig { rate: Some(1000), ..config(20_000) };
        let base = cfg.base_time.millis();
        let n = nexmark(cfg);
        let persons = read(&n.persons(), &["id"], 4096);
        assert_eq!(u64s(&persons, "id"), (1000..1400).collect::<Vec<u64>>());
        let auctions = read(&n.auctions(), &["id", "seller", "category"], 4096);
        assert_eq!(u64s(&auctions, "id"), (1000..2200).collect::<Vec<u64>>());
        assert!(u64s(&auctions, "category").iter().all(|c| (10..15).contains(c)));
        let bids = read(&n.bids(), &["auction", "bidder", "date_time"], 4096);
        let times = millis(&bids, "date_time");
        for ((auction, bidder), t) in u64s(&bids, "auction").into_iter().zip(u64s(&bids, "bidder")).zip(times) {
            let id = t - base;
            let last = ids::last_base0_auction_id(id);
            let (lo, hi) = ((last - 100).max(0) + 1000, last + 10 + 1000);
            assert!((lo..=hi).contains(&(auction as i64)), "event {id}: auction {auction} outside {lo}..={hi}");
            let people = ids::last_base0_person_id(id) + 1;
            assert!(bidder >= 1000 && (bidder as i64) < 1000 + people + 10, "event {id}: bidder {bidder}");
        }
    }

    #[test]
    fn hot_auctions_and_bidders_share_ids() {
        let n = nexmark(config(100_000));
        let bids = read(&n.bids(), &["auction", "bidder"], 65_536);
        let total = rows(&bids) as f64;
        let hot_auctions = u64s(&bids, "auction").iter().filter(|a| (**a - 1000) % 100 == 0).count() as f64;
        let hot_bidders = u64s(&bids, "bidder").iter().filter(|b| (**b - 1000) % 100 == 1).count() as f64;
        // P(hot auction) = 1 - 1/2 and P(hot bidder) = 1 - 1/4, plus random picks that land there.
        assert!((0.49..0.53).contains(&(hot_auctions / total)), "{}", hot_auctions / total);
        assert!((0.74..0.77).contains(&(hot_bidders / total)), "{}", hot_bidders / total);
        let sellers = u64s(&read(&n.auctions(), &["seller"], 65_536), "seller");
        let hot_sellers = sellers.iter().filter(|s| (**s - 1000) % 100 == 0).count() as f64 / sellers.len() as f64;
        assert!((0.72..0.79).contains(&hot_sellers), "{hot_sellers}");
    }

    #[test]
    fn prices_are_log_uniform_between_a_dollar_and_a_million() {
        let n = nexmark(config(50_000));
        let prices = u64s(&read(&n.bids(), &["price"], 65_536), "price");
        assert!(prices.iter().all(|p| (100..=100_000_000).contains(p)));
        let below_1000 = prices.iter().filter(|p| **p < 1000 * 100).count() as f64 / prices.len() as f64;
        assert!((0.47..0.53).contains(&below_1000), "{below_1000}");
        let auctions = read(&n.auctions(), &["initial_bid", "reserve"], 65_536);
        for (bid, reserve) in u64s(&auctions, "initial_bid").into_iter().zip(u64s(&auctions, "reserve")) {
            assert!(bid >= 100 && reserve >= bid + 100);
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_batches_and_splits_do_not_matter() {
        let all = ["auction", "bidder", "price", "channel", "url", "date_time", "extra"];
        let a = read(&nexmark(config(30_000)).bids(), &all, 4096);
        let b = read(&nexmark(config(30_000)).bids(), &all, 4096);
        assert_eq!(a, b);
        let small = read(&nexmark(config(30_000)).bids().split_events(777), &all, 100);
        assert!(small.len() > a.len());
        let concat = |bs: &[RecordBatch]| arrow::compute::concat_batches(&bs[0].schema(), bs).unwrap();
        assert_eq!(concat(&a), concat(&small));
        let other = read(&nexmark(NexmarkConfig { seed: 7, ..config(30_000) }).bids(), &all, 4096);
        assert_ne!(u64s(&a, "price"), u64s(&other, "price"));
        // Reading fewer columns does not change the values of those read.
        let some = read(&nexmark(config(30_000)).bids(), &["extra", "auction"], 4096);
        assert_eq!(strings(&some, "extra"), strings(&a, "extra"));
        assert_eq!(u64s(&some, "auction"), u64s(&a, "auction"));
        assert_eq!(some[0].schema().fields().iter().map(|f| f.name().as_str()).collect::<Vec<_>>(), ["extra", "auction"]);
    }

    #[test]
    fn persons_and_auctions_look_like_beams() {
        let n = nexmark(config(10_000));
        let p = read(&n.persons(), &["name", "email_address", "credit_card", "city", "state", "extra"], 1000);
        for (((name, email), card), extra) in
            strings(&p, "name").into_iter().zip(strings(&p, "email_address")).zip(strings(&p, "credit_card")).zip(strings(&p, "extra"))
        {
            assert!(name.contains(' ') && email.ends_with(".com") && email.contains('@'), "{name} {email}");
            assert!(card.len() == 19 && card.split(' ').all(|g| g.len() == 4 && g.bytes().all(|c| c.is_ascii_digit())), "{card}");
            assert!(extra.len() > 100, "{extra}");
        }
        assert!(strings(&p, "state").iter().all(|s| ["AZ", "CA", "ID", "OR", "WA", "WY"].contains(&s.as_str())));
        let a = read(&n.auctions(), &["date_time", "expires", "item_name", "extra"], 1000);
        for (t, e) in millis(&a, "date_time").into_iter().zip(millis(&a, "expires")) {
            // 1666 events ahead at 10 events/ms: expiries within 2 * 166 ms.
            assert!(e > t && e <= t + 335, "{t} {e}");
        }
        let sizes: Vec<usize> = strings(&a, "extra").iter().zip(strings(&a, "item_name")).map(|(e, n)| e.len() + n.len()).collect();
        let mean = sizes.iter().sum::<usize>() as f64 / sizes.len() as f64;
        assert!((380.0..470.0).contains(&mean), "{mean}");
    }

    #[test]
    fn max_rate_paces_delivery() {
        // 20 000 events at 100 000 per second: not all delivered before 0.2 s.
        let n = nexmark(NexmarkConfig { events: 20_000, max_rate: Some(100_000), ..NexmarkConfig::default() });
        let t = std::time::Instant::now();
        let rows: usize = read(&n.bids(), &["price"], 1000).iter().map(|b| b.num_rows()).sum();
        assert_eq!(rows, 18_400);
        assert!(t.elapsed() >= std::time::Duration::from_millis(199), "{:?}", t.elapsed());
    }

    #[test]
    fn bids_have_flink_channels_and_urls() {
        let n = nexmark(config(20_000));
        let b = read(&n.bids(), &["channel", "url"], 65_536);
        let (channels, urls) = (strings(&b, "channel"), strings(&b, "url"));
        let hot = channels.iter().filter(|c| ["Google", "Facebook", "Baidu", "Apple"].contains(&c.as_str())).count() as f64;
        assert!((0.47..0.53).contains(&(hot / channels.len() as f64)));
        for (c, u) in channels.iter().zip(&urls) {
            assert!(u.starts_with("https://www.nexmark.com/") && u.contains("/item.htm?query=1"), "{u}");
            assert!(c.starts_with("channel-") || !u.contains("channel_id"), "{c} {u}");
        }
        // A channel always has the same URL.
        let mut seen = std::collections::HashMap::new();
        for (c, u) in channels.iter().zip(&urls) {
            assert_eq!(seen.entry(c.clone()).or_insert_with(|| u.clone()), u);
        }
    }

    #[test]
    fn out_of_order_groups_deliver_the_same_events_in_another_order() {
        let cols = ["auction", "price", "date_time"];
        let ordered = read(&nexmark(config(10_000)).bids(), &cols, 65_536);
        let shuffled = read(&nexmark(NexmarkConfig { out_of_order_group_size: 100, ..config(10_000) }).bids(), &cols, 65_536);
        let times = millis(&shuffled, "date_time");
        assert!(times.windows(2).any(|w| w[0] > w[1]));
        let key = |bs: &[RecordBatch]| {
            let mut v: Vec<_> = u64s(bs, "auction").into_iter().zip(u64s(bs, "price")).zip(millis(bs, "date_time")).collect();
            v.sort();
            v
        };
        assert_ne!(u64s(&ordered, "price"), u64s(&shuffled, "price"));
        assert_eq!(key(&ordered), key(&shuffled));
    }

    #[test]
    fn no_columns_still_counts_rows_and_records_may_ask_for_other_integer_types() {
        let n = nexmark(config(1_000));
        let b = read(&n.bids(), &[], 100);
        assert_eq!(rows(&b), 920);
        assert_eq!(b[0].num_columns(), 0);
        let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false)]));
        let p = read_as(&n.persons(), schema, &["id"], 100);
        assert_eq!(p[0]["id"].as_primitive::<Int64Type>().value(0), 1000);
        assert_eq!(p[0]["id"].len(), 20);
    }

    #[test]
    fn unknown_columns_are_named_with_the_ones_there_are() {
        let n = nexmark(config(10));
        let req = ReadRequest {
            source: "bids".into(),
            record: "Bid".into(),
            schema: n.bids().schema(),
            columns: vec!["dateTime".into()],
            batch_rows: 10,
            prune: None,
        };
        let e = n.bids().splits(&req).err().unwrap().to_string();
        assert!(e.contains("`dateTime`") && e.contains("`date_time`") && e.contains("nexmark bids"), "{e}");
    }
}
