use sabot::prelude::*;

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Visit {
    pub user: String,
    pub clicks: u64,
}

#[sabot::pipeline]
pub fn q(visits: Stream<Visit>) -> Stream<Visit> {
    visits.key_by(|v| v.user).reduce(|a| Visit { user: a.user.to_string(), clicks: a.clicks })
}

fn main() {}
