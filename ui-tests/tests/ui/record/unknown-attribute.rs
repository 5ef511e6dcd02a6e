use sabot::prelude::*;

#[derive(Record)]
pub struct Bid {
    #[sabot(rename = "a")]
    pub auction: u64,
}

fn main() {}
