//! `key_by(..).reduce(..)` equals folding each key's records in input order, across splits
//! and workers (the fold need not be commutative); `distinct(..)` keeps each key's first
//! record, one key holding 90% of the rows and null keys included.

use proptest::prelude::*;
use sabot::prelude::*;
use sabot::source::memory;
use std::collections::BTreeMap;

#[derive(Record, Debug, Clone, PartialEq)]
struct Visit {
    user: String,
    clicks: u64,
    path: String,
}

/// Keeps the total and the last path: order matters for `path`.
#[sabot::pipeline]
fn per_user(visits: Stream<Visit>) -> Stream<Visit> {
    visits
        .filter(|v| v.clicks > 0)
        .key_by(|v| v.user)
        .reduce(|a, b| Visit { user: a.user.to_string(), clicks: a.clicks + b.clicks, path: b.path.to_string() })
        .sort_by(|v| v.user)
}

/// Each (user, path) once, its first visit; `None` paths are a key of their own.
#[sabot::pipeline]
fn first_visits(visits: Stream<Tagged>) -> Stream<Tagged> {
    visits.distinct(|v| (v.user, v.path)).sort_by(|v| (v.user, v.path, v.clicks))
}

#[derive(Record, Debug, Clone, PartialEq)]
struct Tagged {
    user: String,
    clicks: u64,
    path: Option<String>,
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn reduce_folds_in_input_order(raw in proptest::collection::vec(("[a-d]", 0u64..5, "[x-z]{1,3}"), 0..300), split in 1usize..40, workers in 1usize..4) {
        let rows: Vec<Visit> = raw.into_iter().map(|(user, clicks, path)| Visit { user, clicks, path }).collect();
        let got: Vec<Visit> = Job::new(per_user).source("visits", memory(rows.clone())).batch_rows(split).parallelism(workers).collect().unwrap();
        let mut want: BTreeMap<String, Visit> = BTreeMap::new();
        for v in rows.iter().filter(|v| v.clicks > 0) {
            want.entry(v.user.clone())
                .and_modify(|a| { a.clicks += v.clicks; a.path = v.path.clone(); })
                .or_insert_with(|| v.clone());
        }
        prop_assert_eq!(got, want.into_values().collect::<Vec<_>>());
    }

    #[test]
    fn distinct_keeps_first_per_key(raw in proptest::collection::vec(("[a-d]", 0u64..5, proptest::option::of("[x-y]"), 0u32..10), 0..300), split in 1usize..40, workers in 1usize..4) {
        // Nine rows in ten share one user when the last draw is below 9.
        let rows: Vec<Tagged> = raw.into_iter().map(|(user, clicks, path, p)| Tagged { user: if p < 9 { "hot".into() } else { user }, clicks, path }).collect();
        let got: Vec<Tagged> = Job::new(first_visits).source("visits", memory(rows.clone())).batch_rows(split).parallelism(workers).collect().unwrap();
        let mut want: BTreeMap<(String, Option<String>), Tagged> = BTreeMap::new();
        for v in &rows {
            want.entry((v.user.clone(), v.path.clone())).or_insert_with(|| v.clone());
        }
        let mut want: Vec<Tagged> = want.into_values().collect();
        want.sort_by(|a, b| (&a.user, &a.path, a.clicks).cmp(&(&b.user, &b.path, b.clicks)));
        prop_assert_eq!(got, want);
    }
}
