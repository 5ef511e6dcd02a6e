//! Hash joins (inner, left, right, full, semi, anti) equal a nested-loop reference on random inputs: duplicate keys on both sides,
//! null keys (which never match), an empty build side, many splits and workers, a build
//! side spilled to the state backend under a tiny memory limit, and build sides of hundreds of
//! close integer keys (answered from a bitmap).

use proptest::prelude::*;
use sabot::prelude::*;
use sabot::source::memory;

#[derive(Record, Debug, Clone, PartialEq)]
struct Order {
    id: u32,
    cust: Option<u32>,
    amount: i64,
}

#[derive(Record, Debug, Clone, PartialEq)]
struct Customer {
    cust: Option<u32>,
    name: String,
}

#[derive(Record, Debug, Clone, PartialEq)]
struct Pair {
    id: u32,
    name: Option<String>,
    amount: i64,
}

#[sabot::pipeline]
fn inner_q(orders: Stream<Order>, customers: Stream<Customer>) -> Stream<Pair> {
    orders.filter(|o| o.amount >= 0).join(
        customers,
        |o| o.cust,
        |c| c.cust,
        |o, c| Pair { id: o.id, name: Some(c.name.to_string()), amount: o.amount },
    )
}

#[sabot::pipeline]
fn left_q(orders: Stream<Order>, customers: Stream<Customer>) -> Stream<Pair> {
    orders.filter(|o| o.amount >= 0).left_join(
        customers,
        |o| o.cust,
        |c| c.cust,
        |o, c| Pair { id: o.id, name: c.map(|c| c.name.to_string()), amount: o.amount },
    )
}

#[derive(Record, Debug, Clone, PartialEq)]
struct Both {
    id: Option<u32>,
    name: Option<String>,
}

#[sabot::pipeline]
fn right_q(orders: Stream<Order>, customers: Stream<Customer>) -> Stream<Both> {
    orders.filter(|o| o.amount >= 0).right_join(
        customers,
        |o| o.cust,
        |c| c.cust,
        |o, c| Both { id: o.map(|o| o.id), name: Some(c.name.to_string()) },
    )
}

#[sabot::pipeline]
fn full_q(orders: Stream<Order>, customers: Stream<Customer>) -> Stream<Both> {
    orders.full_join(customers, |o| o.cust, |c| c.cust, |o, c| Both { id: o.map(|o| o.id), name: c.map(|c| c.name.to_string()) })
}

#[sabot::pipeline]
fn semi_q(orders: Stream<Order>, customers: Stream<Customer>) -> Stream<Order> {
    orders.filter(|o| o.amount >= 0).semi_join(customers.filter(|c| c.name != "zz"), |o| o.cust, |c| c.cust)
}

#[sabot::pipeline]
fn anti_q(orders: Stream<Order>, customers: Stream<Customer>) -> Stream<Order> {
    orders.filter(|o| o.amount >= 0).anti_join(customers, |o| o.cust, |c| c.cust)
}

fn matches(o: &Order, c: &Customer) -> bool {
    o.cust.is_some() && o.cust == c.cust
}

/// Inner join by nested loops, in probe order (orders with a negative amount filtered out).
fn inner_ref(orders: &[Order], customers: &[Customer]) -> Vec<Pair> {
    orders
        .iter()
        .filter(|o| o.amount >= 0)
        .flat_map(|o| customers.iter().filter(|c| matches(o, c)).map(|c| Pair { id: o.id, name: Some(c.name.clone()), amount: o.amount }))
        .collect()
}

/// Left join by nested loops: an order without a match comes out once, without a name
/// (orders with a negative amount filtered out).
fn left_ref(orders: &[Order], customers: &[Customer]) -> Vec<Pair> {
    orders
        .iter()
        .filter(|o| o.amount >= 0)
        .flat_map(|o| {
            let m: Vec<Pair> = customers
                .iter()
                .filter(|c| matches(o, c))
                .map(|c| Pair { id: o.id, name: Some(c.name.clone()), amount: o.amount })
                .collect();
            if m.is_empty() { vec![Pair { id: o.id, name: None, amount: o.amount }] } else { m }
        })
        .collect()
}

/// Semi join by nested loops (orders with a negative amount filtered out of the probe side,
/// customers named "zz" out of the build side).
fn semi_ref(orders: &[Order], customers: &[Customer]) -> Vec<Order> {
    orders.iter().filter(|o| o.amount >= 0 && customers.iter().any(|c| c.name != "zz" && matches(o, c))).cloned().collect()
}

/// Anti join by nested loops (orders with a negative amount filtered out).
fn anti_ref(orders: &[Order], customers: &[Customer]) -> Vec<Order> {
    orders.iter().filter(|o| o.amount >= 0 && !customers.iter().any(|c| matches(o, c))).cloned().collect()
}

/// Right join by nested loops: matching pairs, then customers no order matched.
fn right_ref(orders: &[Order], customers: &[Customer]) -> Vec<Both> {
    let orders: Vec<&Order> = orders.iter().filter(|o| o.amount >= 0).collect();
    let mut out: Vec<Both> = orders
        .iter()
        .flat_map(|o| customers.iter().filter(|c| matches(o, c)).map(|c| Both { id: Some(o.id), name: Some(c.name.clone()) }))
        .collect();
    out.extend(customers.iter().filter(|c| !orders.iter().any(|o| matches(o, c))).map(|c| Both { id: None, name: Some(c.name.clone()) }));
    out
}

/// Full join by nested loops: left join rows, then customers no order matched.
fn full_ref(orders: &[Order], customers: &[Customer]) -> Vec<Both> {
    let mut out: Vec<Both> = orders
        .iter()
        .flat_map(|o| {
            let m: Vec<Both> =
                customers.iter().filter(|c| matches(o, c)).map(|c| Both { id: Some(o.id), name: Some(c.name.clone()) }).collect();
            if m.is_empty() { vec![Both { id: Some(o.id), name: None }] } else { m }
        })
        .collect();
    out.extend(customers.iter().filter(|c| !orders.iter().any(|o| matches(o, c))).map(|c| Both { id: None, name: Some(c.name.clone()) }));
    out
}

fn order() -> impl Strategy<Value = Order> {
    (0u32..1000, proptest::option::of(0u32..8), -20i64..100).prop_map(|(id, cust, amount)| Order { id, cust, amount })
}

fn customer() -> impl Strategy<Value = Customer> {
    (proptest::option::of(0u32..8), "[a-c]{1,2}|zz").prop_map(|(cust, name)| Customer { cust, name })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn joins_equal_nested_loops(
        orders in proptest::collection::vec(order(), 0..200),
        customers in proptest::collection::vec(customer(), 0..40),
        split in 1usize..30,
        workers in 1usize..4,
    ) {
        let job = |p: Job| p.source("orders", memory(orders.clone())).source("customers", memory(customers.clone())).batch_rows(split).parallelism(workers);
        // Matches come in probe order, and per probe row in build-input order; an inner join
        // whose written build side has more rows builds on the other (the planner's choice),
        // and then comes in that side's order.
        every_join_equals_nested_loops(job, &orders, &customers, customers.len() <= orders.len(), true)?;
    }

    #[test]
    fn spilled_joins_equal_nested_loops(
        orders in proptest::collection::vec(order(), 0..200),
        customers in proptest::collection::vec(customer(), 0..40),
        split in 1usize..30,
        workers in 1usize..4,
        limit in 0usize..1024,
    ) {
        // A budget of at most 1 KiB spills the build side after nearly every morsel; each
        // probe row must meet its partition exactly once (left and anti rows included).
        let job = |p: Job| p.source("orders", memory(orders.clone())).source("customers", memory(customers.clone())).batch_rows(split).parallelism(workers).memory_limit(limit);
        every_join_equals_nested_loops(job, &orders, &customers, false, false)?;
    }
}

/// Keys from a range few enough times wider than the build side that its tables answer
/// probes from a bitmap of the keys (at least 256 of them, `agg/dense.rs`); most probes miss.
fn dense_order() -> impl Strategy<Value = Order> {
    (0u32..1000, proptest::option::weighted(0.95, 0u32..2500), -20i64..100).prop_map(|(id, cust, amount)| Order { id, cust, amount })
}

fn dense_customer() -> impl Strategy<Value = Customer> {
    (proptest::option::weighted(0.95, 0u32..2000), "[a-c]{1,2}|zz").prop_map(|(cust, name)| Customer { cust, name })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    #[test]
    fn joins_on_many_close_keys_equal_nested_loops(
        orders in proptest::collection::vec(dense_order(), 0..300),
        customers in proptest::collection::vec(dense_customer(), 400..700),
        workers in 1usize..3,
    ) {
        let job = |p: Job| p.source("orders", memory(orders.clone())).source("customers", memory(customers.clone())).batch_rows(128).parallelism(workers);
        every_join_equals_nested_loops(job, &orders, &customers, false, true)?;
    }

    /// More orders than customers: the orders stay the probe side, and their filter's
    /// selection pass asks the customers' bitmap (a swapped join probes with customers).
    #[test]
    fn probes_filtered_against_many_close_keys_equal_nested_loops(
        orders in proptest::collection::vec(dense_order(), 750..900),
        customers in proptest::collection::vec(dense_customer(), 400..700),
        workers in 1usize..3,
    ) {
        let job = |p: Job| p.source("orders", memory(orders.clone())).source("customers", memory(customers.clone())).batch_rows(128).parallelism(workers);
        every_join_equals_nested_loops(job, &orders, &customers, true, true)?;
    }
}

/// Runs every join kind through `job` (which adds the sources and options) and compares each
/// with its nested-loop reference: in order where `inner_in_order` (the inner join) and
/// `in_order` (left, semi and anti joins) say the output keeps the probe's order, sorted
/// otherwise. Right and full joins put unmatched build rows after the probe's output, in no
/// particular order, so they are always compared sorted.
fn every_join_equals_nested_loops(
    job: impl Fn(Job) -> Job,
    orders: &[Order],
    customers: &[Customer],
    inner_in_order: bool,
    in_order: bool,
) -> Result<(), TestCaseError> {
    fn same<T: std::fmt::Debug + PartialEq>(got: Vec<T>, want: Vec<T>, in_order: bool) -> Result<(), TestCaseError> {
        if in_order {
            prop_assert_eq!(got, want);
        } else {
            prop_assert_eq!(sorted(got), sorted(want));
        }
        Ok(())
    }
    same(run_job::<Pair>(job(Job::new(inner_q))), inner_ref(orders, customers), inner_in_order)?;
    same(run_job::<Pair>(job(Job::new(left_q))), left_ref(orders, customers), in_order)?;
    same(run_job::<Order>(job(Job::new(semi_q))), semi_ref(orders, customers), in_order)?;
    same(run_job::<Order>(job(Job::new(anti_q))), anti_ref(orders, customers), in_order)?;
    same(run_job::<Both>(job(Job::new(right_q))), right_ref(orders, customers), false)?;
    same(run_job::<Both>(job(Job::new(full_q))), full_ref(orders, customers), false)
}

fn run_job<T: Record>(job: Job) -> Vec<T> {
    job.collect().unwrap()
}

/// Rows in a canonical order: a spilled build side is probed partition by partition, so the
/// output holds the same rows in another order.
fn sorted<T: std::fmt::Debug>(mut rows: Vec<T>) -> Vec<T> {
    rows.sort_by_cached_key(|r| format!("{r:?}"));
    rows
}
