use sabot::prelude::*;

#[derive(Record)]
pub struct Line {
    #[sabot(decimal(40, 2))]
    pub price: Decimal,
}

fn main() {}
