use sabot::prelude::*;

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Reading {
    pub sensor: u64,
    #[sabot(event_time)]
    pub t: Timestamp,
    #[sabot(watermark)]
    pub done_until: u64,
}

fn main() {}
