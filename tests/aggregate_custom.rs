//! User-defined accumulators: `custom(acc, e)` in an `aggregate` closure runs a user's
//! `Accumulator` + `AddValue` next to the built-in calls, over numbers and borrowed strings,
//! equal to a naive computation in batch runs (random morsels and workers, one hot key, null
//! keys) and in windows of a stream.

use proptest::prelude::*;
use sabot::prelude::*;
use sabot::source::memory;
use sabot::{Job, StreamOptions};
use std::collections::BTreeMap;

#[derive(Record, Debug, Clone, PartialEq)]
struct Sale {
    shop: Option<u64>,
    item: String,
    price: i64,
    #[sabot(event_time, unit = "ms")]
    t: Timestamp,
}

#[derive(Record, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Stats {
    shop: Option<u64>,
    median: i64,
    longest: String,
    n: u64,
}

/// The lower median of the values seen.
#[derive(Debug, Clone, Default)]
struct Median(Vec<i64>);

impl Accumulator for Median {
    type Output = i64;
    fn merge(&mut self, other: Self) {
        self.0.extend(other.0);
    }
    fn finish(mut self) -> i64 {
        self.0.sort_unstable();
        self.0.get(self.0.len().saturating_sub(1) / 2).copied().unwrap_or(0)
    }
}

impl AddValue<i64> for Median {
    fn add(&mut self, v: i64) {
        self.0.push(v);
    }
}

/// The longest text seen (the greatest among equal lengths, so the order rows come in does
/// not matter).
#[derive(Debug, Clone, Default)]
struct Longest(String);

impl Accumulator for Longest {
    type Output = String;
    fn merge(&mut self, other: Self) {
        self.add(&other.0);
    }
    fn finish(self) -> String {
        self.0
    }
}

impl AddValue<&str> for Longest {
    fn add(&mut self, v: &str) {
        if (v.len(), v) > (self.0.len(), self.0.as_str()) {
            self.0 = v.to_string();
        }
    }
}

#[sabot::pipeline]
fn per_shop(sales: Stream<Sale>) -> Stream<Stats> {
    sales.group_by(|s| s.shop).aggregate(|shop, s| Stats {
        shop,
        median: custom(Median::default(), s.price),
        longest: custom(Longest::default(), s.item),
        n: count(),
    })
}

#[sabot::pipeline]
fn per_shop_window(sales: Stream<Sale>) -> Stream<Stats> {
    sales.window(Tumbling::of(Duration::from_millis(100))).group_by(|s| s.shop).aggregate(|_w, shop, s| Stats {
        shop,
        median: custom(Median::default(), s.price),
        longest: custom(Longest::default(), s.item),
        n: count(),
    })
}

fn naive(sales: &[Sale], window: bool) -> Vec<Stats> {
    let mut groups: BTreeMap<(i64, Option<u64>), Vec<&Sale>> = BTreeMap::new();
    for s in sales {
        let w = if window { s.t.millis().div_euclid(100) } else { 0 };
        groups.entry((w, s.shop)).or_default().push(s);
    }
    let mut out: Vec<Stats> = groups
        .into_iter()
        .map(|((_, shop), rows)| {
            let mut prices: Vec<i64> = rows.iter().map(|s| s.price).collect();
            prices.sort_unstable();
            let mut longest = String::new();
            for s in &rows {
                if (s.item.len(), &s.item) > (longest.len(), &longest) {
                    longest = s.item.clone();
                }
            }
            Stats { shop, median: prices[(prices.len() - 1) / 2], longest, n: rows.len() as u64 }
        })
        .collect();
    out.sort();
    out
}

fn sale() -> impl Strategy<Value = Sale> {
    let shop = prop_oneof![18 => Just(Some(0u64)), 1 => (1u64..4).prop_map(Some), 1 => Just(None)];
    (shop, "[a-z]{0,6}", -100i64..100, 0i64..500).prop_map(|(shop, item, price, t)| Sale { shop, item, price, t: Timestamp(t * 1_000_000) })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn custom_accumulators_equal_naive(sales in prop::collection::vec(sale(), 0..200), morsel in 1usize..30, workers in 1usize..3) {
        let mut got: Vec<Stats> = Job::new(per_shop).source("sales", memory(Sale::to_batches(&sales, morsel))).parallelism(workers).collect().unwrap();
        got.sort();
        prop_assert_eq!(got, naive(&sales, false));
    }

    #[test]
    fn custom_accumulators_in_stream_windows(sales in prop::collection::vec(sale(), 0..200), morsel in 1usize..30) {
        let job = Job::new(per_shop_window)
            .source("sales", memory(Sale::to_batches(&sales, morsel)))
            .parallelism(2)
            .streaming(StreamOptions { out_of_orderness: Duration::from_secs(1), ..StreamOptions::default() });
        let mut got: Vec<Stats> = job.collect().unwrap();
        got.sort();
        prop_assert_eq!(got, naive(&sales, true));
    }
}
