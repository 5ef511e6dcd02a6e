#![deny(warnings)]
//! Keyed `process` functions with state and timers compile warning-free, built from a struct
//! literal, an associated fn or a unit struct, and followed by more operators.

use sabot::prelude::*;

/// A click.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Click {
    /// User.
    pub user: String,
    /// Page.
    pub page: u32,
    /// When.
    #[sabot(event_time)]
    pub at: Timestamp,
}

/// Clicks per user so far.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Clicks {
    /// User.
    pub user: String,
    /// Count.
    pub n: i64,
}

/// Counts each user's clicks; flushes at a timer `delay` after the first.
pub struct Counter {
    delay: i64,
}

impl Counter {
    /// A counter flushing after `delay` nanoseconds.
    pub fn new(delay: i64) -> Self {
        Counter { delay }
    }
}

impl KeyedProcess for Counter {
    type Key = String;
    type In = Click;
    type Out = Clicks;
    fn process(&mut self, c: Click, ctx: &mut ProcessCtx<'_, Self>) -> ProcessResult {
        let n = ctx.value::<i64>("n")?;
        let before = n.get()?;
        n.set(&(before.unwrap_or(0) + 1))?;
        if before.is_none() {
            ctx.register_event_time_timer(Timestamp(c.at.0 + self.delay));
        }
        Ok(())
    }
    fn on_timer(&mut self, _: Timer, ctx: &mut ProcessCtx<'_, Self>) -> ProcessResult {
        let n = ctx.value::<i64>("n")?;
        let count = n.get()?.unwrap_or(0);
        n.clear()?;
        ctx.emit(Clicks { user: ctx.key().clone(), n: count });
        Ok(())
    }
}

/// Passes each click on as a count of one.
pub struct Ones;

impl KeyedProcess for Ones {
    type Key = (String, u32);
    type In = Click;
    type Out = Clicks;
    fn process(&mut self, c: Click, ctx: &mut ProcessCtx<'_, Self>) -> ProcessResult {
        ctx.emit(Clicks { user: c.user, n: 1 });
        Ok(())
    }
}

/// Built by an associated fn, followed by a filter.
#[sabot::pipeline]
pub fn counted(clicks: Stream<Click>) -> Stream<Clicks> {
    clicks.key_by(|c| c.user).process(Counter::new(1_000)).filter(|c| c.n > 1)
}

/// Built by a struct literal.
#[sabot::pipeline]
pub fn literal(clicks: Stream<Click>) -> Stream<Clicks> {
    clicks.key_by(|c| c.user).process(Counter { delay: 5 })
}

/// A unit struct on a tuple key.
#[sabot::pipeline]
pub fn ones(clicks: Stream<Click>) -> Stream<Clicks> {
    clicks.key_by(|c| (c.user, c.page)).process(Ones)
}

fn main() {}
