use sabot::prelude::*;

#[derive(Record)]
pub struct Bid {
    #[sabot(event_time)]
    pub created: Timestamp,
    #[sabot(event_time)]
    pub updated: Timestamp,
}

fn main() {}
