use sabot::prelude::*;

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Visit {
    pub user: String,
    pub clicks: u64,
}

pub struct NotAProcess;

#[sabot::pipeline]
pub fn q(visits: Stream<Visit>) -> Stream<Visit> {
    visits.key_by(|v| v.user).process(NotAProcess)
}

fn main() {}
