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
pub fn q(orders: Stream<Order>) -> Stream<Order> {
    orders.semi_join(orders.filter(|o| o.id > 3), |o| o.id, |p| p.id)
}

fn main() {}
