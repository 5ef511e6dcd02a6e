//! Fused execution equals a naive row-at-a-time reference on random inputs: nulls, empty
//! batches, odd batch and morsel sizes, several workers, union, fan-out and flat_map.

use proptest::prelude::*;
use sabot::prelude::*;
use sabot::source::memory;

#[derive(Record, Debug, Clone, PartialEq)]
struct Ev {
    id: u32,
    k: i64,
    v: Option<f64>,
    s: String,
    t: Option<String>,
    flag: bool,
    amount: Decimal,
}

#[derive(Record, Debug, Clone, PartialEq)]
struct Out {
    id: u32,
    score: f64,
    label: Option<String>,
}

#[sabot::pipeline]
fn scored(a: Stream<Ev>, b: Stream<Ev>) -> (Stream<Out>, Stream<Out>) {
    let kept = a.union(b.filter(|e| e.flag)).filter(|e| e.k % 3 != 0);
    let outs = kept.map(|e| Out { id: e.id, score: e.v.unwrap_or(-1.0) * 2.0 + e.k as f64, label: e.t.map(|t| format!("{t}!")) });
    let exploded =
        kept.flat_map(|e| (0..(e.id % 3)).map(move |j| Out { id: e.id * 10 + j, score: j as f64, label: None }).collect::<Vec<_>>());
    (outs.filter(|o| o.score > 0.0), exploded)
}

/// Rows that go to the sink unchanged: taken from the input's arrays, not built again.
#[sabot::pipeline]
fn unchanged(a: Stream<Ev>) -> Stream<Ev> {
    a.filter(|e| e.k % 3 != 0 || e.t.is_none())
}

/// The same, with a second consumer of the input that goes nowhere: the filter is then not
/// the input's only consumer, and its rows are built one by one.
#[sabot::pipeline]
fn unchanged_beside_a_dead_map(a: Stream<Ev>) -> Stream<Ev> {
    let kept = a.filter(|e| e.k % 3 != 0 || e.t.is_none());
    let ids = a.map(|e| Out { id: e.id, score: 0.0, label: None });
    kept
}

/// The batches with column `s` dictionary-encoded, a type the record reads but does not write.
fn dictionary_encoded(batches: Vec<sabot::__private::RecordBatch>) -> Vec<sabot::__private::RecordBatch> {
    use arrow::datatypes::DataType;
    let dict = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
    batches
        .into_iter()
        .map(|b| {
            let mut columns = b.columns().to_vec();
            let mut fields: Vec<_> = b.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
            let s = b.schema().index_of("s").unwrap();
            columns[s] = arrow::compute::cast(&columns[s], &dict).unwrap();
            fields[s] = fields[s].clone().with_data_type(dict.clone());
            let schema = std::sync::Arc::new(arrow::datatypes::Schema::new(fields));
            sabot::__private::RecordBatch::try_new(schema, columns).unwrap()
        })
        .collect()
}

fn reference(a: &[Ev], b: &[Ev]) -> (Vec<Out>, Vec<Out>) {
    let kept: Vec<&Ev> = a.iter().chain(b.iter().filter(|e| e.flag)).filter(|e| e.k % 3 != 0).collect();
    let outs = kept
        .iter()
        .map(|e| Out { id: e.id, score: e.v.unwrap_or(-1.0) * 2.0 + e.k as f64, label: e.t.as_ref().map(|t| format!("{t}!")) })
        .filter(|o| o.score > 0.0)
        .collect();
    let exploded =
        kept.iter().flat_map(|e| (0..(e.id % 3)).map(move |j| Out { id: e.id * 10 + j, score: j as f64, label: None })).collect();
    (outs, exploded)
}

fn ev() -> impl Strategy<Value = Ev> {
    (
        any::<u32>(),
        -50i64..50,
        proptest::option::of(-10.0f64..10.0),
        "[a-z]{0,6}",
        proptest::option::of("[a-z]{0,3}"),
        any::<bool>(),
        -10_000i128..10_000,
    )
        .prop_map(|(id, k, v, s, t, flag, m)| Ev { id: id % 1000, k, v, s, t, flag, amount: Decimal::new(m, 2) })
}

/// Splits rows into batches at the given cut sizes, with an empty batch after every other one.
fn batches(rows: &[Ev], cuts: &[usize]) -> Vec<sabot::__private::RecordBatch> {
    let mut out = Vec::new();
    let mut rest = rows;
    let mut i = 0;
    while !rest.is_empty() {
        let n = cuts[i % cuts.len()].clamp(1, rest.len());
        out.extend(Ev::to_batches(&rest[..n], n));
        if i % 2 == 0 {
            out.push(sabot::__private::RecordBatch::new_empty(Ev::schema()));
        }
        rest = &rest[n..];
        i += 1;
    }
    out
}

fn collect(batches: Vec<sabot::__private::RecordBatch>) -> Vec<Out> {
    batches.iter().flat_map(|b| Out::from_batch(b).unwrap()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn fused_equals_reference(
        a in proptest::collection::vec(ev(), 0..300),
        b in proptest::collection::vec(ev(), 0..300),
        cuts in proptest::collection::vec(1usize..120, 1..5),
        morsel in 1usize..100,
        workers in 1usize..4,
    ) {
        let (sink0, got0) = sabot::sink::collect();
        let (sink1, got1) = sabot::sink::collect();
        Job::new(scored)
            .source("a", memory(batches(&a, &cuts)))
            .source("b", memory(batches(&b, &cuts)))
            .sink("out0", sink0)
            .sink("out1", sink1)
            .batch_rows(morsel)
            .parallelism(workers)
            .run()
            .unwrap();
        let (want0, want1) = reference(&a, &b);
        prop_assert_eq!(collect(got0.lock().unwrap().clone()), want0);
        prop_assert_eq!(collect(got1.lock().unwrap().clone()), want1);
    }

    #[test]
    fn filtered_rows_pass_unchanged(
        a in proptest::collection::vec(ev(), 0..300),
        cuts in proptest::collection::vec(1usize..120, 1..5),
        morsel in 1usize..100,
        workers in 1usize..4,
        dictionary in any::<bool>(),
    ) {
        let want: Vec<Ev> = a.iter().filter(|e| e.k % 3 != 0 || e.t.is_none()).cloned().collect();
        for dead_map in [false, true] {
            let (sink, got) = sabot::sink::collect();
            let input = if dictionary { dictionary_encoded(batches(&a, &cuts)) } else { batches(&a, &cuts) };
            let job = if dead_map { Job::new(unchanged_beside_a_dead_map) } else { Job::new(unchanged) };
            job.source("a", memory(input)).sink("out", sink).batch_rows(morsel).parallelism(workers).run().unwrap();
            let got = got.lock().unwrap().clone();
            prop_assert!(got.iter().all(|b| b.schema() == Ev::schema()), "every batch has the record's schema");
            let rows: Vec<Ev> = got.iter().flat_map(|b| Ev::from_batch(b).unwrap()).collect();
            prop_assert_eq!(&rows, &want, "dead map: {}", dead_map);
        }
    }

    #[test]
    fn rows_survive_batches(rows in proptest::collection::vec(ev(), 0..200), per in 1usize..50) {
        let back: Vec<Ev> = Ev::to_batches(&rows, per).iter().flat_map(|b| Ev::from_batch(b).unwrap()).collect();
        prop_assert_eq!(back, rows);
    }
}
