use sabot::prelude::*;

#[derive(Record)]
pub enum Bid {
    A,
    B,
}

fn main() {}
