use sabot::prelude::*;

#[derive(Record)]
pub struct Bid {
    pub auction: u64,
    pub tags: Vec<String>,
}

fn main() {}
