use sabot::prelude::*;

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Order {
    pub id: u64,
    pub cust: u64,
}

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Customer {
    pub cust: u64,
}

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Count {
    pub cust: u64,
    pub n: u64,
}

#[sabot::pipeline]
pub fn q(orders: Stream<Order>, customers: Stream<Customer>) -> Stream<Count> {
    orders
        .right_join(customers, |o| o.cust, |c| c.cust, |o, c| Count { cust: c.cust, n: o.map_or(0, |_| 1) })
        .group_by(|r| r.cust)
        .aggregate(|cust, r| Count { cust, n: sum(r.n) })
}

fn main() {}
