//! The table that ends a `process` stage: each split buffers its keyed records
//! ([`ProcessBuffer`]); merging the splits in input order runs the user's function over them
//! ([`Processing`]), and watermarks, the clock and the end of input fire its timers.

use super::ctx::{ProcessCtx, Timers, now};
use super::state::StateScope;
use super::{KeyedProcess, TimeDomain, Timer};
use crate::agg::{AggPartial, Finished, GroupKey, StageCtx};
use crate::error::{Error, Result};
use crate::record::Record;
use crate::value::Timestamp;
use arrow::array::RecordBatch;
use sabot_state::StateCodec;
use std::any::Any;

/// One split's records with their keys, in input order.
pub struct ProcessBuffer<P: KeyedProcess> {
    rows: Vec<(P::Key, P::In)>,
}

impl<P: KeyedProcess> Default for ProcessBuffer<P> {
    fn default() -> Self {
        ProcessBuffer { rows: Vec::new() }
    }
}

impl<P: KeyedProcess> ProcessBuffer<P> {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps one record and its key (generated code calls this per row).
    #[inline(always)]
    pub fn push<Q: GroupKey<Owned = P::Key>>(&mut self, key: Q, row: <P::In as Record>::Ref<'_>) {
        self.rows.push((key.to_owned_key(), P::In::from_row(row)));
    }
}

/// A `process` function with its state, timers and the rows it emitted but not yet handed on.
pub struct Processing<P: KeyedProcess> {
    /// Makes the function: only the table every split merges into needs one, so a reader's
    /// per-morsel table never runs the user's constructor.
    make: fn() -> P,
    func: Option<P>,
    /// Records merged in but not yet processed (a split's own rows until it is merged into).
    pending: Vec<(P::Key, P::In)>,
    env: Env<P>,
}

/// What the function's context lends it.
struct Env<P: KeyedProcess> {
    scope: StateScope,
    timers: Timers,
    out: Vec<P::Out>,
    watermark: Option<i64>,
}

impl<P: KeyedProcess> Env<P> {
    fn ctx<'a>(&'a mut self, key: &'a P::Key, key_bytes: &'a [u8]) -> ProcessCtx<'a, P> {
        ProcessCtx { key, key_bytes, out: &mut self.out, timers: &mut self.timers, scope: &mut self.scope, watermark: self.watermark }
    }
}

impl<P: KeyedProcess> Processing<P> {
    /// A split's result: its records, to be run through the function `make` returns once
    /// merged in input order.
    pub fn boxed(make: fn() -> P, buffer: ProcessBuffer<P>, ctx: &StageCtx) -> Box<dyn AggPartial> {
        Box::new(Processing {
            make,
            func: None,
            pending: buffer.rows,
            env: Env { scope: StateScope::new(ctx.state(), ctx.stage()), timers: Timers::default(), out: Vec::new(), watermark: None },
        })
    }

    fn failed(key: &P::Key, what: &str, e: Box<dyn std::error::Error + Send + Sync>) -> Error {
        let name = std::any::type_name::<P>();
        let short = name.rsplit("::").next().unwrap_or(name);
        Error::Process { function: short.to_string(), key: format!("{key:?}"), message: format!("{what}: {e}") }
    }

    /// Runs the function over the records waiting.
    fn drain(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let func = self.func.get_or_insert_with(self.make);
        let mut bytes = Vec::new();
        for (key, row) in std::mem::take(&mut self.pending) {
            bytes.clear();
            key.encode(&mut bytes);
            func.process(row, &mut self.env.ctx(&key, &bytes)).map_err(|e| Self::failed(&key, "process", e))?;
        }
        Ok(())
    }

    /// Fires the timers of `domain` due at `upto`, in time order (including those the
    /// callbacks register for times already due).
    fn fire(&mut self, domain: TimeDomain, upto: i64) -> Result<()> {
        loop {
            let set = match domain {
                TimeDomain::EventTime => &mut self.env.timers.event,
                TimeDomain::ProcessingTime => &mut self.env.timers.processing,
            };
            if set.first().is_none_or(|(t, _)| *t > upto) {
                return Ok(());
            }
            let Some((time, bytes)) = set.pop_first() else { return Ok(()) };
            self.on_timer(domain, time, bytes)?;
        }
    }

    /// At the end of input: fires every timer registered so far, in time order, event time
    /// first. Timers the callbacks register now are for a future that will not come (a timer
    /// that re-arms itself would otherwise fire forever): they are dropped, and counted in the
    /// log.
    fn fire_all(&mut self) -> Result<()> {
        for domain in [TimeDomain::EventTime, TimeDomain::ProcessingTime] {
            let set = match domain {
                TimeDomain::EventTime => std::mem::take(&mut self.env.timers.event),
                TimeDomain::ProcessingTime => std::mem::take(&mut self.env.timers.processing),
            };
            for (time, bytes) in set {
                self.on_timer(domain, time, bytes)?;
            }
        }
        let left = self.env.timers.event.len() + self.env.timers.processing.len();
        if left > 0 {
            tracing::debug!(timers = left, "timers registered at the end of input were not fired");
        }
        Ok(())
    }

    /// Calls the function's `on_timer` for the timer at `time` of the key encoded in `bytes`.
    fn on_timer(&mut self, domain: TimeDomain, time: i64, bytes: Vec<u8>) -> Result<()> {
        let key = match P::Key::decode(&bytes) {
            Some((k, n)) if n == bytes.len() => k,
            _ => return Err(Error::Config(format!("a timer's key of `{}` does not decode", std::any::type_name::<P>()))),
        };
        let timer = Timer { time: Timestamp(time), domain };
        let func = self.func.get_or_insert_with(self.make);
        func.on_timer(timer, &mut self.env.ctx(&key, &bytes)).map_err(|e| Self::failed(&key, "on_timer", e))
    }

    /// The rows emitted so far, in batches.
    fn rows(&mut self, rows_per_batch: usize) -> Vec<RecordBatch> {
        P::Out::to_batches(&std::mem::take(&mut self.env.out), rows_per_batch)
    }
}

impl<P: KeyedProcess> AggPartial for Processing<P> {
    fn merge(&mut self, other: Box<dyn AggPartial>) -> Result<()> {
        let other = other
            .into_any()
            .downcast::<Self>()
            .map_err(|_| Error::Config("merging partial results of different process functions".into()))?;
        // A table that already ran the function comes from another pass over the input (a
        // spilled join's partition before this stage): its output and state would be lost.
        if other.func.is_some() {
            return Err(Error::Config(
                "a `process` function after a join whose build side spilled runs once per partition, which it cannot yet; raise --memory-limit".into(),
            ));
        }
        // This table's own records come first: splits merge in input order.
        self.drain()?;
        self.pending = other.pending;
        self.drain()
    }

    fn finish(mut self: Box<Self>, rows_per_batch: usize) -> Result<Finished> {
        self.drain()?;
        self.env.watermark = Some(i64::MAX);
        self.fire_all()?;
        Ok(Finished::Batches(self.rows(rows_per_batch)))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }

    fn fire(&mut self, watermark: i64, rows_per_batch: usize) -> Result<Vec<RecordBatch>> {
        self.drain()?;
        if watermark < i64::MAX {
            self.env.watermark = Some(watermark);
            // Rows at the watermark itself are still on time: a timer fires once it is behind.
            if let Some(upto) = watermark.checked_sub(1) {
                Processing::fire(self, TimeDomain::EventTime, upto)?;
            }
            Processing::fire(self, TimeDomain::ProcessingTime, now().0)?;
        }
        Ok(self.rows(rows_per_batch))
    }

    fn single_pass(&self) -> bool {
        true
    }

    fn tick(&mut self, rows_per_batch: usize) -> Result<Vec<RecordBatch>> {
        self.drain()?;
        Processing::fire(self, TimeDomain::ProcessingTime, now().0)?;
        Ok(self.rows(rows_per_batch))
    }
}
