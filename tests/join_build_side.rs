//! The planner's build-side choice: an inner join written with its larger input as the build
//! side builds on the smaller one instead when the sources say so (in-memory batches, Parquet
//! footers), and gives the same rows either way; `explain` shows both plans.

use proptest::prelude::*;
use sabot::prelude::*;
use sabot::source::{memory, parquet};

#[derive(Record, Debug, Clone, PartialEq)]
struct Order {
    id: i64,
    cust: i64,
}

#[derive(Record, Debug, Clone, PartialEq)]
struct Line {
    order: i64,
    qty: i64,
}

#[derive(Record, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Out {
    order: i64,
    cust: i64,
    qty: i64,
}

/// Written with `lines` as the build side.
#[sabot::pipeline]
fn lines_with_orders(orders: Stream<Order>, lines: Stream<Line>) -> Stream<Out> {
    orders.filter(|o| o.cust >= 0).join(lines, |o| o.id, |l| l.order, |o, l| Out { order: o.id, cust: o.cust, qty: l.qty })
}

fn data(orders: usize, lines: usize) -> (Vec<Order>, Vec<Line>) {
    let o = (0..orders as i64).map(|i| Order { id: i % 50, cust: i % 7 - 1 }).collect();
    let l = (0..lines as i64).map(|i| Line { order: (i * 13) % 60, qty: i }).collect();
    (o, l)
}

fn naive(orders: &[Order], lines: &[Line]) -> Vec<Out> {
    let mut out: Vec<Out> = orders
        .iter()
        .filter(|o| o.cust >= 0)
        .flat_map(|o| lines.iter().filter(move |l| l.order == o.id).map(move |l| Out { order: o.id, cust: o.cust, qty: l.qty }))
        .collect();
    out.sort();
    out
}

/// Runs the job and returns its rows (sorted) and whether it swapped the join's sides.
fn run(job: Job) -> (Vec<Out>, bool) {
    let (sink, rows) = sabot::sink::collect();
    let summary = job.sink("out", sink).run().expect("runs");
    let mut out: Vec<Out> = rows.lock().unwrap().iter().flat_map(|b| Out::from_batch(b).expect("out rows")).collect();
    out.sort();
    (out, summary.swapped_join)
}

#[test]
fn the_smaller_input_becomes_the_build_side() {
    for (orders, lines, swaps) in [(100, 1000, true), (1000, 100, false), (300, 300, false)] {
        let (o, l) = data(orders, lines);
        let job = Job::new(lines_with_orders).source("orders", memory(o.clone())).source("lines", memory(l.clone())).batch_rows(64);
        let (got, swapped) = run(job);
        assert_eq!(swapped, swaps, "{orders} orders, {lines} lines");
        assert_eq!(got, naive(&o, &l), "{orders} orders, {lines} lines");
    }
}

#[test]
fn parquet_footers_give_the_row_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (o, l) = data(200, 3000);
    let write = |name: &str, batches: Vec<arrow::array::RecordBatch>| {
        let path = dir.path().join(name);
        let mut w = parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), batches[0].schema(), None).unwrap();
        for b in &batches {
            w.write(b).unwrap();
        }
        w.close().unwrap();
        path.display().to_string()
    };
    let orders = write("orders.parquet", Order::to_batches(&o, 64));
    let lines = write("lines.parquet", Line::to_batches(&l, 500));
    let (got, swapped) = run(Job::new(lines_with_orders).source("orders", parquet(&orders)).source("lines", parquet(&lines)));
    assert!(swapped, "3000 lines against 200 orders: the join builds on orders");
    assert_eq!(got, naive(&o, &l));
}

#[test]
fn explain_shows_both_plans() {
    let text = sabot::explain_text(sabot::Pipeline::spec(&lines_with_orders), false, false);
    assert!(text.contains("== stages when `lines` has more rows than `orders` (the join builds on `orders`) =="), "{text}");
    assert!(text.contains("(sides swapped: builds on its written probe side)"), "{text}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random sizes on either side (so both plans run), duplicate keys, morsels and workers.
    #[test]
    fn either_plan_equals_the_nested_loop(
        orders in prop::collection::vec((0i64..20, -2i64..5), 0..120),
        lines in prop::collection::vec((0i64..25, any::<i64>()), 0..120),
        batch in 1usize..40,
        workers in 1usize..3,
    ) {
        let o: Vec<Order> = orders.into_iter().map(|(id, cust)| Order { id, cust }).collect();
        let l: Vec<Line> = lines.into_iter().map(|(order, qty)| Line { order, qty }).collect();
        let job = Job::new(lines_with_orders)
            .source("orders", memory(o.clone()))
            .source("lines", memory(l.clone()))
            .batch_rows(batch)
            .parallelism(workers);
        let (got, swapped) = run(job);
        prop_assert_eq!(swapped, l.len() > o.len());
        prop_assert_eq!(got, naive(&o, &l));
    }
}
