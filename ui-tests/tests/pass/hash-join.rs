#![deny(warnings)]
//! Hash joins: an inner join of two sources (compiled twice, the second time with its sides
//! swapped), a left join and a semi join compile warning-free.

use sabot::prelude::*;

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Order {
    pub id: u64,
    pub cust: u64,
    pub amount: i64,
}

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Customer {
    pub cust: u64,
    pub name: String,
}

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Named {
    pub id: u64,
    pub name: Option<String>,
}

/// Inner: swappable.
#[sabot::pipeline]
pub fn inner(orders: Stream<Order>, customers: Stream<Customer>) -> Stream<Named> {
    orders
        .filter(|o| o.amount > 0)
        .join(customers.filter(|c| !c.name.is_empty()), |o| o.cust, |c| c.cust, |o, c| Named { id: o.id, name: Some(c.name.to_string()) })
        .filter(|n| n.id % 2 == 0)
}

/// Left: keeps its written sides.
#[sabot::pipeline]
pub fn left(orders: Stream<Order>, customers: Stream<Customer>) -> Stream<Named> {
    orders.left_join(customers, |o| o.cust, |c| c.cust, |o, c| Named { id: o.id, name: c.map(|c| c.name.to_string()) })
}

/// Semi.
#[sabot::pipeline]
pub fn semi(orders: Stream<Order>, customers: Stream<Customer>) -> Stream<Order> {
    orders.semi_join(customers, |o| o.cust, |c| c.cust)
}

fn main() {
    let _ = (inner, left, semi);
}
