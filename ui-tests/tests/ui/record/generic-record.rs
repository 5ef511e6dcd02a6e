use sabot::prelude::*;

#[derive(Record)]
pub struct Bid<T> {
    pub auction: T,
}

fn main() {}
