use sabot::prelude::*;

#[derive(Record, Debug, Clone, PartialEq)]
pub struct Visit {
    pub user: String,
    pub clicks: u64,
}

pub struct Count;

impl KeyedProcess for Count {
    type Key = String;
    type In = Visit;
    type Out = Visit;
    fn process(&mut self, v: Visit, ctx: &mut ProcessCtx<'_, Self>) -> ProcessResult {
        ctx.emit(v);
        Ok(())
    }
}

pub fn make_count() -> Count {
    Count
}

#[sabot::pipeline]
pub fn q(visits: Stream<Visit>) -> Stream<Visit> {
    visits.key_by(|v| v.user).process(make_count())
}

fn main() {}
