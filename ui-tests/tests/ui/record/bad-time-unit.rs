use sabot::prelude::*;

#[derive(Record)]
pub struct Ev {
    #[sabot(unit = "minutes")]
    pub at: Timestamp,
}

fn main() {}
