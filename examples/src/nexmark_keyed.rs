//! Nexmark queries written as keyed `process` functions with state and timers: q12 counts
//! each bidder's bids per 10-second window of processing time, q19 keeps each auction's ten
//! highest bids.

use sabot::nexmark::Bid;
use sabot::prelude::*;

/// A bidder's bids in one window of processing time (Flink's q12 output).
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q12Row {
    /// Person id of the bidder.
    pub bidder: u64,
    /// Bids the window counted.
    pub bid_count: i64,
    /// The window's start (wall clock).
    #[sabot(unit = "ms")]
    pub starttime: Timestamp,
    /// The window's end (wall clock).
    #[sabot(unit = "ms")]
    pub endtime: Timestamp,
}

/// Counts a bidder's bids per tumbling window of the wall clock; a processing-time timer at
/// the window's end emits the count.
pub struct BidsPerProcessingWindow {
    size: i64,
}

impl BidsPerProcessingWindow {
    /// Windows of `size` (q12: 10 s).
    pub fn new(size: Duration) -> Self {
        BidsPerProcessingWindow { size: size.as_nanos().clamp(1, i64::MAX as u128) as i64 }
    }
}

impl KeyedProcess for BidsPerProcessingWindow {
    type Key = u64;
    type In = Bid;
    type Out = Q12Row;

    fn process(&mut self, _: Bid, ctx: &mut ProcessCtx<'_, Self>) -> ProcessResult {
        let now = ctx.processing_time().0;
        let end = now - now.rem_euclid(self.size) + self.size;
        let counts = ctx.map::<i64, i64>("counts")?;
        counts.insert(&end, &(counts.get(&end)?.unwrap_or(0) + 1))?;
        ctx.register_processing_time_timer(Timestamp(end));
        Ok(())
    }

    fn on_timer(&mut self, timer: Timer, ctx: &mut ProcessCtx<'_, Self>) -> ProcessResult {
        let end = timer.time.0;
        let counts = ctx.map::<i64, i64>("counts")?;
        if let Some(bid_count) = counts.get(&end)? {
            counts.remove(&end)?;
            let bidder = *ctx.key();
            ctx.emit(Q12Row { bidder, bid_count, starttime: Timestamp(end - self.size), endtime: timer.time });
        }
        Ok(())
    }
}

/// q12 (processing-time windows): how many bids each bidder makes per 10 seconds of the
/// machine's clock.
#[sabot::pipeline]
pub fn q12(bids: Stream<Bid>) -> Stream<Q12Row> {
    bids.key_by(|b| b.bidder).process(BidsPerProcessingWindow::new(Duration::from_secs(10)))
}

/// One of an auction's highest bids, with its rank (Flink's q19 output).
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q19Row {
    /// Auction id.
    pub auction: u64,
    /// Person id of the bidder.
    pub bidder: u64,
    /// Price, in cents.
    pub price: u64,
    /// When the bid was made.
    #[sabot(unit = "ms")]
    pub date_time: Timestamp,
    /// 1 for the highest bid; an earlier bid ranks first among equal prices.
    pub rank_number: u32,
}

/// The `n` highest bids of an auction so far, in list state ordered by rank; a timer at the
/// end of time emits them once the input has ended.
pub struct TopBids {
    n: usize,
}

impl TopBids {
    /// Keeps `n` bids per auction (q19: 10).
    pub fn new(n: usize) -> Self {
        TopBids { n }
    }
}

impl KeyedProcess for TopBids {
    type Key = u64;
    type In = Bid;
    type Out = Q19Row;

    fn process(&mut self, bid: Bid, ctx: &mut ProcessCtx<'_, Self>) -> ProcessResult {
        // The lowest kept price of a full list: most bids fall below it and skip the list.
        let floor = ctx.value::<u64>("floor")?;
        if floor.get()?.is_some_and(|f| bid.price <= f) {
            return Ok(());
        }
        let top = ctx.list::<(u64, u64, Timestamp)>("top")?;
        let mut kept = top.get()?;
        if kept.is_empty() {
            ctx.register_event_time_timer(Timestamp(i64::MAX));
        }
        let at = kept.partition_point(|(price, _, _)| *price >= bid.price);
        kept.insert(at, (bid.price, bid.bidder, bid.date_time));
        kept.truncate(self.n);
        if kept.len() == self.n {
            floor.set(&kept[self.n - 1].0)?;
        }
        top.set(&kept)?;
        Ok(())
    }

    fn on_timer(&mut self, _: Timer, ctx: &mut ProcessCtx<'_, Self>) -> ProcessResult {
        let auction = *ctx.key();
        let top = ctx.list::<(u64, u64, Timestamp)>("top")?;
        for (rank, (price, bidder, date_time)) in top.get()?.into_iter().enumerate() {
            ctx.emit(Q19Row { auction, bidder, price, date_time, rank_number: rank as u32 + 1 });
        }
        top.clear()?;
        Ok(())
    }
}

/// q19 (auction top-10 price): each auction's ten highest bids, ranked. The result comes at
/// the end of input, where Flink's `ROW_NUMBER` query emits a changelog.
#[sabot::pipeline]
pub fn q19(bids: Stream<Bid>) -> Stream<Q19Row> {
    bids.key_by(|b| b.auction).process(TopBids::new(10))
}
