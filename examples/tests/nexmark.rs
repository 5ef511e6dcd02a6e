//! Nexmark q0, q1 and q2 over generated events equal a naive computation over the same rows,
//! and `nexmark_gen` writes Parquet that reads back as the generated events.

use sabot::Job;
use sabot::nexmark::{Auction, Bid, NexmarkConfig, Person, nexmark};
use sabot::prelude::*;
use sabot::source::parquet;
use sabot_examples::nexmark::{AUCTION_SKIP, EUR_PER_USD, Q1Row, Q2Row, Q14Row, all_auctions, all_persons, bid_time_type, q0, q1, q2, q14};
use std::process::Command;

const EVENTS: u64 = 30_000;

fn config() -> NexmarkConfig {
    NexmarkConfig { events: EVENTS, ..NexmarkConfig::default() }
}

/// The generated bids, collected by the pass-through job.
fn bids() -> Vec<Bid> {
    Job::new(q0).source("bids", nexmark(config()).bids()).collect().unwrap()
}

#[test]
fn q0_passes_every_bid_through() {
    let bids = bids();
    assert_eq!(bids.len() as u64, EVENTS / 50 * 46);
    assert!(bids.iter().all(|b| b.auction >= 1000 && b.bidder >= 1000 && b.price >= 100 && !b.url.is_empty()));
    assert!(bids.windows(2).all(|w| w[0].date_time <= w[1].date_time), "in event-time order");
    // The same rows from memory, on two workers in small morsels.
    let again: Vec<Bid> =
        Job::new(q0).source("bids", sabot::source::memory(bids.clone())).parallelism(2).batch_rows(1000).collect().unwrap();
    assert_eq!(again, bids);
}

#[test]
fn q1_prices_bids_in_euros() {
    let want: Vec<Q1Row> = bids()
        .into_iter()
        .map(|b| Q1Row {
            auction: b.auction,
            bidder: b.bidder,
            price: Decimal::new(i128::from(b.price) * 908, 3),
            date_time: b.date_time,
            extra: b.extra,
        })
        .collect();
    let got: Vec<Q1Row> = Job::new(q1).source("bids", nexmark(config()).bids()).parallelism(2).collect().unwrap();
    assert_eq!(got, want);
    assert_eq!(EUR_PER_USD * 1000, Decimal::new(908, 0));
}

#[test]
fn q2_keeps_the_bids_of_every_123rd_auction() {
    let want: Vec<Q2Row> =
        bids().into_iter().filter(|b| b.auction % AUCTION_SKIP == 0).map(|b| Q2Row { auction: b.auction, price: b.price }).collect();
    assert!(want.len() > 10, "{} bids kept", want.len());
    for split_events in [50, 1_000, 1 << 20] {
        let source = nexmark(config()).bids().split_events(split_events);
        let got: Vec<Q2Row> = Job::new(q2).source("bids", source).parallelism(2).batch_rows(700).collect().unwrap();
        assert_eq!(got, want, "{split_events} events per split");
    }
}

#[test]
fn q14_classifies_expensive_bids_with_a_user_function() {
    let want: Vec<Q14Row> = bids()
        .into_iter()
        .filter(|b| (1_000_000_000..50_000_000_000).contains(&(u128::from(b.price) * 908)) && u128::from(b.price) * 908 != 1_000_000_000)
        .map(|b| Q14Row {
            auction: b.auction,
            bidder: b.bidder,
            price: Decimal::new(i128::from(b.price) * 908, 3),
            bid_time_type: bid_time_type(b.date_time).to_string(),
            date_time: b.date_time,
            c_counts: b.extra.matches('c').count() as u64,
            extra: b.extra,
        })
        .collect();
    assert!(want.len() > 10, "{} bids kept", want.len());
    let got: Vec<Q14Row> = Job::new(q14).source("bids", nexmark(config()).bids()).parallelism(2).collect().unwrap();
    assert_eq!(got, want);
    // 2024-01-01 00:00 UTC plus a few seconds: night.
    assert!(got.iter().all(|r| r.bid_time_type == "nightTime"));
}

#[test]
fn q2_reads_only_the_auction_and_price_columns() {
    assert_eq!(sabot::Pipeline::spec(&q2).sources[0].columns(), ["auction", "price"]);
}

#[test]
fn nexmark_gen_writes_parquet_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("events");
    let run = Command::new(env!("CARGO_BIN_EXE_nexmark_gen"))
        .args(["--events", "5000", "--seed", "3", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(String::from_utf8_lossy(&run.stdout).contains("M events/s"));
    let events = nexmark(NexmarkConfig { events: 5000, seed: 3, ..NexmarkConfig::default() });
    let file = |name: &str| out.join(format!("{name}.parquet")).to_string_lossy().into_owned();

    let direct: Vec<Person> = Job::new(all_persons).source("persons", events.persons()).collect().unwrap();
    let written: Vec<Person> = Job::new(all_persons).source("persons", parquet(file("persons"))).collect().unwrap();
    assert_eq!((written.len(), &written), (100, &direct));
    let direct: Vec<Auction> = Job::new(all_auctions).source("auctions", events.auctions()).collect().unwrap();
    let written: Vec<Auction> = Job::new(all_auctions).source("auctions", parquet(file("auctions"))).collect().unwrap();
    assert_eq!((written.len(), &written), (300, &direct));
    let direct: Vec<Bid> = Job::new(q0).source("bids", events.bids()).collect().unwrap();
    let written: Vec<Bid> = Job::new(q0).source("bids", parquet(file("bids"))).collect().unwrap();
    assert_eq!((written.len(), &written), (4600, &direct));
}

#[test]
fn nexmark_gen_explains_its_mistakes() {
    let run = Command::new(env!("CARGO_BIN_EXE_nexmark_gen")).args(["--events", "10"]).output().unwrap();
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("`--out DIR` (or `--discard`) is required"));
}
