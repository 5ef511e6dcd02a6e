use sabot::prelude::*;

#[derive(Record)]
pub struct Bid {
    #[sabot(event_time)]
    pub date_time: u64,
}

fn main() {}
