//! Grouped and global aggregation equal a naive reference on random inputs: duplicate keys,
//! one key holding 90% of the rows, null keys, empty input, many splits merged; `first`,
//! `last` and `count_distinct` follow input order across splits, also when tables spill.

use proptest::prelude::*;
use sabot::prelude::*;
use sabot::source::memory;
use std::collections::BTreeMap;

#[derive(Record, Debug, Clone, PartialEq)]
struct Ev {
    k: u32,
    tag: Option<String>,
    v: i64,
    d: Decimal,
}

#[derive(Record, Debug, Clone, PartialEq)]
struct Group {
    k: u32,
    tag: Option<String>,
    n: u64,
    total: i64,
    lo: i64,
    hi: i64,
    money: Decimal,
    first_v: i64,
    last_tag: Option<String>,
    kinds: u64,
}

#[derive(Record, Debug, Clone, PartialEq)]
struct All {
    n: u64,
    total: i64,
    mean: f64,
}

#[sabot::pipeline]
fn grouped(evs: Stream<Ev>) -> Stream<Group> {
    evs.filter(|e| e.v != 7).group_by(|e| (e.k, e.tag)).aggregate(|(k, tag), e| Group {
        k,
        tag,
        n: count(),
        total: sum(e.v),
        lo: min(e.v),
        hi: max(e.v),
        money: sum(e.d),
        first_v: first(e.v),
        last_tag: last(e.tag),
        kinds: count_distinct(e.v % 3),
    })
}

#[sabot::pipeline]
fn global(evs: Stream<Ev>) -> Stream<All> {
    evs.aggregate(|e| All { n: count(), total: sum(e.v), mean: avg(e.v) })
}

fn ev(skewed: bool) -> impl Strategy<Value = Ev> {
    (0u32..20, proptest::option::of("[ab]{0,2}"), -100i64..100, -5000i128..5000, 0u32..10).prop_map(move |(k, tag, v, d, p)| Ev {
        // With `skewed`, nine rows in ten share one key.
        k: if skewed && p < 9 { 3 } else { k },
        tag,
        v,
        d: Decimal::new(d, 2),
    })
}

/// `rows` as one batch whose `tag` column is dictionary-encoded.
fn dictionary_tags(rows: &[Ev]) -> Vec<arrow::array::RecordBatch> {
    use arrow::datatypes::{DataType, Field, Schema};
    let Some(batch) = Ev::to_batches(rows, rows.len().max(1)).into_iter().next() else { return Vec::new() };
    let dict = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
    let columns: Vec<_> = batch
        .columns()
        .iter()
        .zip(batch.schema().fields())
        .map(|(c, f)| if f.name() == "tag" { arrow::compute::cast(c, &dict).unwrap() } else { c.clone() })
        .collect();
    let fields: Vec<Field> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| if f.name() == "tag" { f.as_ref().clone().with_data_type(dict.clone()) } else { f.as_ref().clone() })
        .collect();
    vec![arrow::array::RecordBatch::try_new(std::sync::Arc::new(Schema::new(fields)), columns).unwrap()]
}

fn reference(rows: &[Ev]) -> Vec<Group> {
    let mut groups: BTreeMap<(u32, Option<String>), Group> = BTreeMap::new();
    for e in rows.iter().filter(|e| e.v != 7) {
        let g = groups.entry((e.k, e.tag.clone())).or_insert(Group {
            k: e.k,
            tag: e.tag.clone(),
            n: 0,
            total: 0,
            lo: i64::MAX,
            hi: i64::MIN,
            money: Decimal::new(0, 2),
            first_v: e.v,
            last_tag: None,
            kinds: 0,
        });
        g.n += 1;
        g.total += e.v;
        g.lo = g.lo.min(e.v);
        g.hi = g.hi.max(e.v);
        g.money = g.money + e.d;
        g.last_tag = e.tag.clone();
    }
    for g in groups.values_mut() {
        let mut kinds: Vec<i64> = rows.iter().filter(|e| e.v != 7 && e.k == g.k && e.tag == g.tag).map(|e| e.v % 3).collect();
        kinds.sort_unstable();
        kinds.dedup();
        g.kinds = kinds.len() as u64;
    }
    groups.into_values().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn grouped_equals_reference(rows in proptest::collection::vec(ev(false), 0..400), skewed in proptest::collection::vec(ev(true), 0..400), split in 1usize..90, workers in 1usize..4) {
        for rows in [rows, skewed] {
            let mut got: Vec<Group> = Job::new(grouped).source("evs", memory(rows.clone())).batch_rows(split).parallelism(workers).collect().unwrap();
            got.sort_by(|a, b| (a.k, &a.tag).cmp(&(b.k, &b.tag)));
            prop_assert_eq!(got, reference(&rows));
        }
    }

    #[test]
    fn grouped_on_dictionary_text_equals_reference(rows in proptest::collection::vec(ev(false), 0..400), split in 1usize..90, workers in 1usize..4, wide in any::<bool>()) {
        // Text keys as Parquet hands them over (codes into a dictionary): rows find their
        // groups by where their text sits (`KeyMemo`), across morsels of one dictionary.
        // `wide` gives most rows a key of their own, more than the memo has slots.
        let rows: Vec<Ev> = if wide {
            rows.into_iter().enumerate().map(|(i, e)| Ev { tag: e.tag.map(|t| format!("{t}{}", i % 300)), ..e }).collect()
        } else {
            rows
        };
        let mut got: Vec<Group> = Job::new(grouped).source("evs", memory(dictionary_tags(&rows))).batch_rows(split).parallelism(workers).collect().unwrap();
        got.sort_by(|a, b| (a.k, &a.tag).cmp(&(b.k, &b.tag)));
        prop_assert_eq!(got, reference(&rows));
    }

    #[test]
    fn grouped_spilled_equals_reference(rows in proptest::collection::vec(ev(false), 0..400), skewed in proptest::collection::vec(ev(true), 0..400), split in 1usize..90, workers in 1usize..4, limit in 0usize..4096) {
        // A budget of a few KiB spills after nearly every morsel: partitions must merge back
        // in input order (first/last) and with every split's rest.
        for rows in [rows, skewed] {
            let job = Job::new(grouped).source("evs", memory(rows.clone())).batch_rows(split).parallelism(workers).memory_limit(limit);
            let mut got: Vec<Group> = job.collect().unwrap();
            got.sort_by(|a, b| (a.k, &a.tag).cmp(&(b.k, &b.tag)));
            prop_assert_eq!(got, reference(&rows));
        }
    }

    #[test]
    fn global_equals_reference(rows in proptest::collection::vec(ev(false), 0..300), split in 1usize..50) {
        let got: Vec<All> = Job::new(global).source("evs", memory(rows.clone())).batch_rows(split).collect().unwrap();
        if rows.is_empty() {
            // Like a streaming global aggregate (and unlike SQL), no rows make no group.
            prop_assert!(got.is_empty());
        } else {
            let total: i64 = rows.iter().map(|e| e.v).sum();
            prop_assert_eq!(got.len(), 1);
            prop_assert_eq!(got[0].n, rows.len() as u64);
            prop_assert_eq!(got[0].total, total);
            prop_assert!((got[0].mean - total as f64 / rows.len() as f64).abs() < 1e-9);
        }
    }
}
