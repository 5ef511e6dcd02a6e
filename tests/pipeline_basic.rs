//! End-to-end: a derived record and a compiled pipeline run in-process.

use sabot::prelude::*;

#[derive(Record, Debug, Clone, PartialEq)]
struct Bid {
    auction: u64,
    bidder: u64,
    price: u64,
    channel: String,
    url: String,
    #[sabot(event_time, unit = "ms")]
    date_time: Timestamp,
    extra: Option<String>,
}

#[derive(Record, Debug, Clone, PartialEq)]
struct Converted {
    auction: u64,
    price_eur: f64,
}

/// Nexmark q1 + q2.
#[sabot::pipeline]
fn converted(bids: Stream<Bid>) -> Stream<Converted> {
    bids.filter(|b| b.auction % 3 == 0).map(|b| Converted { auction: b.auction, price_eur: b.price as f64 * 0.908 })
}

fn bids(n: u64) -> Vec<Bid> {
    (0..n)
        .map(|i| Bid {
            auction: i,
            bidder: i * 7,
            price: i * 10,
            channel: format!("ch{}", i % 4),
            url: "http://x".into(),
            date_time: Timestamp::from_millis(i as i64),
            extra: (i % 2 == 0).then(|| "e".to_string()),
        })
        .collect()
}

#[test]
fn filter_map_runs() {
    let out: Vec<Converted> = Job::new(converted).source("bids", sabot::source::memory(bids(10))).parallelism(2).collect().unwrap();
    let want: Vec<Converted> =
        (0..10).filter(|i| i % 3 == 0).map(|i| Converted { auction: i, price_eur: (i * 10) as f64 * 0.908 }).collect();
    assert_eq!(out, want);
}

#[test]
fn records_round_trip_through_batches() {
    let rows = bids(100);
    let batches = Bid::to_batches(&rows, 30);
    assert_eq!(batches.len(), 4);
    let back: Vec<Bid> = batches.iter().flat_map(|b| Bid::from_batch(b).unwrap()).collect();
    assert_eq!(back, rows);
}

#[test]
fn only_read_columns_are_projected() {
    let spec = sabot::Pipeline::spec(&converted);
    assert_eq!(spec.sources[0].columns(), vec!["auction", "price"]);
}

/// Two paths from one source into one sink: each row can be appended twice, and the sink's
/// builder must have room for both (the stage reserves rows x paths).
#[sabot::pipeline]
fn twice(bids: Stream<Bid>) -> Stream<Converted> {
    let c = bids.map(|b| Converted { auction: b.auction, price_eur: b.price as f64 });
    c.union(c.filter(|c| c.auction % 2 == 0))
}

#[test]
fn a_row_can_reach_one_sink_by_two_paths() {
    let out: Vec<Converted> = Job::new(twice).source("bids", sabot::source::memory(bids(1000))).batch_rows(7).collect().unwrap();
    assert_eq!(out.len(), 1000 + 500);
    let evens = out.iter().filter(|c| c.auction % 2 == 0).count();
    assert_eq!(evens, 1000);
}
