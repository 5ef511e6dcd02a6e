use sabot::prelude::*;

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Order {
    pub id: u64,
    pub cust: u32,
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
    orders.join(customers, |o| o.cust as u64, |c| c.cust, |o| Named { id: o.id, name: String::new() })
}

fn main() {}
