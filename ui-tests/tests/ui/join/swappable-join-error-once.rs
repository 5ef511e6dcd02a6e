// An inner join of two sources is compiled twice (its sides swapped, for when the written
// build side is the larger): a mistake in one of its closures is still reported once.
use sabot::prelude::*;

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Order {
    pub id: u64,
    pub cust: u64,
}

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Customer {
    pub cust: u64,
    pub name: String,
}

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Named {
    pub id: u64,
    pub name: String,
}

#[sabot::pipeline]
pub fn q(orders: Stream<Order>, customers: Stream<Customer>) -> Stream<Named> {
    orders.filter(|o| o.id > "7").join(customers, |o| o.cust, |c| c.cust, |o, c| Named { id: o.id, name: c.name.to_string() })
}

fn main() {}
