//! `sort_by` and `top_n` equal a stable sort of the input: multi-key, descending, nulls first
//! and last, equal keys keeping input order, across many splits and workers.

use proptest::prelude::*;
use sabot::prelude::*;
use sabot::source::memory;
use std::cmp::Reverse as Rev;

#[derive(Record, Debug, Clone, PartialEq)]
struct Row {
    seq: u32,
    a: u8,
    name: Option<String>,
    x: f64,
}

#[sabot::pipeline]
fn sorted(rows: Stream<Row>) -> Stream<Row> {
    rows.sort_by(|r| (r.a, Reverse(r.name)))
}

#[sabot::pipeline]
fn nulls_at_end(rows: Stream<Row>) -> Stream<Row> {
    rows.filter(|r| r.seq % 2 == 0).sort_by(|r| (nulls_last(r.name), TotalOrd(r.x)))
}

#[sabot::pipeline]
fn top(rows: Stream<Row>) -> Stream<Row> {
    rows.top_n(5, |r| Reverse(TotalOrd(r.x)))
}

fn row() -> impl Strategy<Value = (u8, Option<String>, f64)> {
    (0u8..4, proptest::option::of("[a-c]{0,2}"), -5.0f64..5.0)
}

fn rows(raw: Vec<(u8, Option<String>, f64)>) -> Vec<Row> {
    raw.into_iter().enumerate().map(|(i, (a, name, x))| Row { seq: i as u32, a, name, x }).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn sort_by_is_a_stable_sort(raw in proptest::collection::vec(row(), 0..300), split in 1usize..40, workers in 1usize..4) {
        let input = rows(raw);
        let got: Vec<Row> = Job::new(sorted).source("rows", memory(input.clone())).batch_rows(split).parallelism(workers).collect().unwrap();
        let mut want = input.clone();
        want.sort_by_key(|p| (p.a, Rev(p.name.clone())));
        prop_assert_eq!(got, want);

        let got: Vec<Row> = Job::new(nulls_at_end).source("rows", memory(input.clone())).batch_rows(split).collect().unwrap();
        let mut want: Vec<Row> = input.iter().filter(|r| r.seq % 2 == 0).cloned().collect();
        want.sort_by(|p, q| (p.name.is_none(), &p.name, TotalOrd(p.x)).cmp(&(q.name.is_none(), &q.name, TotalOrd(q.x))));
        prop_assert_eq!(got, want);

        let got: Vec<Row> = Job::new(top).source("rows", memory(input.clone())).batch_rows(split).parallelism(workers).collect().unwrap();
        let mut want = input;
        want.sort_by(|p, q| q.x.total_cmp(&p.x));
        want.truncate(5);
        prop_assert_eq!(got, want);
    }
}
