//! The quickstart job on small data: in process through `Job`, and as the binary a user ships.

use sabot::Job;
use sabot::source::memory;
use sabot_quickstart as quickstart;
use std::process::Command;

#[test]
fn quickstart_keeps_every_123rd_auction() {
    let bids = quickstart::generate_bids(20_000);
    let want: Vec<quickstart::Converted> = bids
        .iter()
        .filter(|b| b.auction % 123 == 0)
        .map(|b| quickstart::Converted { auction: b.auction, price_eur: b.price as f64 * 0.908 })
        .collect();
    let got: Vec<quickstart::Converted> = Job::new(quickstart::converted).source("bids", memory(bids)).collect().unwrap();
    assert!(!want.is_empty());
    assert_eq!(got, want);
}

#[test]
fn quickstart_demo_prints_a_table_and_throughput() {
    let out = Command::new(env!("CARGO_BIN_EXE_quickstart")).env("QUICKSTART_ROWS", "50000").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("| auction |") && text.contains("M rows/s"), "{text}");
}

#[test]
fn explain_shows_the_projection_pushed_into_the_source() {
    let out = Command::new(env!("CARGO_BIN_EXE_quickstart")).args(["explain", "--passes", "--code"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "== parsed ==",
        "== projection-pushdown ==",
        "source bids: Bid columns=[auction, price]",
        "== fusion ==",
        "stage 0: source(n0) -> filter(n1) -> map(n2) -> sink(n3)",
        "fn __sabot_stage_0",
    ] {
        assert!(text.contains(needle), "missing `{needle}` in:\n{text}");
    }
}
