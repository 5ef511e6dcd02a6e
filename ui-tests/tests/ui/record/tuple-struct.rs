use sabot::prelude::*;

#[derive(Record)]
pub struct Bid(u64, String);

fn main() {}
